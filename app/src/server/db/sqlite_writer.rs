//! The SQLite writer: the one connection this process writes a database file on, the thread
//! its write transactions run on, and the task that keeps the write-ahead log short.

use std::{path::PathBuf, sync::Arc, time::Duration};

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqlitePool};

use super::CONNECT_TIMEOUT;

/// How often a task of its own copies SQLite's write-ahead log into the database file. Left to
/// SQLite, the commit that grows the log past 1,000 pages does it while every other writer waits
/// in line: under load that happened several times a second, and the slowest requests waited
/// for it. A passive checkpoint waits for nobody and blocks nobody.
const SQLITE_CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// A write-ahead log this many pages long (about 80 MB) is started anew. SQLite starts it anew
/// only at a write after a checkpoint that copied all of it, which the task's checkpoints never
/// do under a steady stream of writes: writers add to the log while they copy. So the task then
/// copies the rest on the writer's connection, in line with the writers (a few pages, no writer
/// adding meanwhile), and the next writer starts the log anew.
const SQLITE_RESTART_LOG_PAGES: i64 = 20_000;

/// A checkpoint that waits for nobody; its row: whether it stopped early, the log's pages, and
/// how many of them are in the database file.
const PASSIVE_CHECKPOINT: &str = "PRAGMA wal_checkpoint(PASSIVE)";

/// The connection this process writes a SQLite database file on: writers wait in line for it
/// (first come, first served), each woken as the one before it ends. Left to SQLite's busy
/// handler, they slept in growing steps while the lock stood free, and under 32 clients some
/// case views waited a second. And as nobody else in the process writes, its page cache stays
/// valid from one write to the next: a connection drops its cache and its memory map whenever
/// another has written, so a write transaction on any connection of the pool began by reading
/// its pages anew (the gate's reads happen inside its write transactions).
///
/// One connection, not a pool of one: sqlx's pool asks a connection's thread whether it still
/// works each time it is given back, and the next writer waited for that round trip too.
///
/// Its transactions begin with a plain `BEGIN IMMEDIATE`, not through sqlx's transaction
/// manager: that asks the connection's thread once more whether a custom `BEGIN` began a
/// transaction, another round trip in the line. So sqlx does not know of them, and they end
/// by statements of their own, a dropped one by [`SqliteWriter::roll_back_dropped`].
pub(super) struct SqliteWriter {
    options: SqliteConnectOptions,
    /// Opened at the first write; closed when it cannot begin or roll back and by
    /// [`Database::close`], and opened anew by the next writer.
    connection: Arc<tokio::sync::Mutex<Option<SqliteConnection>>>,
    /// Whether the connection holds a transaction dropped before its commit. Read and written
    /// only by the holder of `connection`'s lock.
    unfinished: Arc<std::sync::atomic::AtomicBool>,
}

/// The writer of each SQLite database file in this process, while a [`Database`] holds it.
static SQLITE_WRITERS: std::sync::LazyLock<
    std::sync::Mutex<std::collections::HashMap<PathBuf, std::sync::Weak<SqliteWriter>>>,
> = std::sync::LazyLock::new(Default::default);

impl SqliteWriter {
    /// The writer of the file `options` open: the one a [`Database`] of this process already
    /// holds, or a new one.
    pub(super) fn of(options: &SqliteConnectOptions) -> Arc<Self> {
        let file = options.get_filename().to_path_buf();
        let mut writers = SQLITE_WRITERS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(writer) = writers.get(&file).and_then(std::sync::Weak::upgrade) {
            return writer;
        }
        writers.retain(|_, writer| writer.strong_count() > 0);
        let writer =
            Arc::new(Self { options: options.clone(), connection: Arc::default(), unfinished: Arc::default() });
        writers.insert(file, Arc::downgrade(&writer));
        writer
    }

    /// The writer of the database file `pool` is connected to, if a [`Database`] holds one.
    pub(super) fn for_pool(pool: &SqlitePool) -> Option<Arc<Self>> {
        let writers = SQLITE_WRITERS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        writers.get(pool.connect_options().get_filename()).and_then(std::sync::Weak::upgrade)
    }

    /// Waits for the connection ([`Self::hold`]), opens it if need be, and begins a write
    /// transaction on it.
    pub(super) async fn begin(self: Arc<Self>) -> Result<WriterTransaction<sqlx::Sqlite>, sqlx::Error> {
        use sqlx::Connection;
        let mut held = self.hold().await?;
        if held.is_none() {
            *held = Some(SqliteConnection::connect_with(&self.options).await?);
        }
        let connection =
            tokio::sync::OwnedMutexGuard::try_map(held, Option::as_mut).map_err(|_| sqlx::Error::WorkerCrashed)?;
        // From here on, dropped (an error, or its caller gone while `BEGIN` is on its way), it
        // is rolled back; a connection that cannot roll back (its thread gone, its file
        // unreadable, or no transaction begun) is closed, and the next writer opens a new one.
        let mut transaction = WriterTransaction { connection, commit: Self::commit, committed: false, writer: self };
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *transaction.connection).await?;
        Ok(transaction)
    }

    /// Copies what is left of the write-ahead log into the database file, in line with the
    /// writers (see `SQLITE_RESTART_LOG_PAGES`). A reader still on an older state of the database
    /// keeps its pages in the log; the next time copies them.
    pub(super) async fn checkpoint(self: Arc<Self>) -> Result<(), sqlx::Error> {
        if let Some(connection) = self.hold().await?.as_mut() {
            sqlx::query(PASSIVE_CHECKPOINT).execute(connection).await?;
        }
        Ok(())
    }

    /// Waits for the connection (as long as a pool would, then `PoolTimedOut`) and rolls back a
    /// transaction dropped on it; `None` inside until a writer opens it.
    async fn hold(&self) -> Result<tokio::sync::OwnedMutexGuard<Option<SqliteConnection>>, sqlx::Error> {
        let mut held = tokio::time::timeout(CONNECT_TIMEOUT, self.connection.clone().lock_owned())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?;
        Self::finish_dropped(&self.unfinished, &mut held).await;
        Ok(held)
    }

    /// Closes the connection after the transaction on it; the next writer of another
    /// [`Database`] of the file opens it anew.
    pub(super) async fn close(&self) {
        use sqlx::Connection;
        match self.hold().await {
            Ok(mut held) => {
                if let Some(connection) = held.take()
                    && let Err(error) = connection.close().await
                {
                    tracing::warn!(%error, "the SQLite writer's connection did not close cleanly");
                }
            }
            Err(error) => tracing::warn!(%error, "the SQLite writer's connection was not closed"),
        }
    }

    fn commit(connection: &mut SqliteConnection) -> futures::future::BoxFuture<'_, Result<(), sqlx::Error>> {
        Box::pin(async move { sqlx::query("COMMIT").execute(connection).await.map(drop) })
    }

    /// Rolls back the transaction just dropped before its commit (its lock is still held): at
    /// once, on a task of its own (SQLite's write lock is the file's, and the pool's writers wait
    /// for it too), or else before the next transaction begins on the connection.
    pub(super) fn roll_back_dropped(&self) {
        use std::sync::atomic::Ordering;
        self.unfinished.store(true, Ordering::Release);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let (connection, unfinished) = (self.connection.clone(), self.unfinished.clone());
            runtime.spawn(async move {
                let mut held = connection.lock_owned().await;
                Self::finish_dropped(&unfinished, &mut held).await;
            });
        }
    }

    /// Rolls back a dropped transaction on `held`, if one is left; a connection that cannot is
    /// closed (which ends any transaction on it), and the next writer opens a new one.
    async fn finish_dropped(unfinished: &std::sync::atomic::AtomicBool, held: &mut Option<SqliteConnection>) {
        if unfinished.swap(false, std::sync::atomic::Ordering::AcqRel)
            && let Some(connection) = held.as_mut()
            && sqlx::query("ROLLBACK").execute(&mut *connection).await.is_err()
        {
            *held = None;
        }
    }
}

/// A transaction on the SQLite writer's connection, which is locked for it until it ends.
pub(super) struct WriterTransaction<DB: sqlx::Database> {
    pub(super) connection: tokio::sync::OwnedMappedMutexGuard<Option<DB::Connection>, DB::Connection>,
    /// SQLite's `COMMIT` (see [`SqliteWriter::begin`]).
    pub(super) commit: for<'c> fn(&'c mut DB::Connection) -> futures::future::BoxFuture<'c, Result<(), sqlx::Error>>,
    pub(super) committed: bool,
    writer: Arc<SqliteWriter>,
}

impl<DB: sqlx::Database> Drop for WriterTransaction<DB> {
    fn drop(&mut self) {
        if !self.committed {
            self.writer.roll_back_dropped();
        }
    }
}

/// Runs `work`, a transaction that takes SQLite's write lock, on a thread of its own.
///
/// Every other writer waits while one holds the lock, from `BEGIN IMMEDIATE` to `COMMIT`. On the
/// request threads, the holder is polled again after each statement only once a thread is free
/// of rendering pages; under 32 clients a case view then held the lock about 2.4 ms instead of
/// the 0.4 ms its statements take. Here it continues as soon as each statement returns. The work
/// runs to its end even if the request that asked for it is gone, like a commit already sent.
pub(in crate::server) async fn on_sqlite_writer<T: Send + 'static>(
    work: impl Future<Output = Result<T, sqlx::Error>> + Send + 'static,
) -> Result<T, sqlx::Error> {
    static WRITER: std::sync::LazyLock<Option<tokio::runtime::Runtime>> = std::sync::LazyLock::new(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("sqlite-writer")
            .enable_all()
            .build()
            .map_err(|error| tracing::warn!(%error, "no SQLite writer thread; writing on the request's thread"))
            .ok()
    });
    match WRITER.as_ref() {
        Some(writer) => writer.spawn(work).await.map_err(|_| sqlx::Error::WorkerCrashed)?,
        None => work.await,
    }
}

/// The task that checkpoints a SQLite database (see `SQLITE_CHECKPOINT_EVERY` and
/// `SQLITE_RESTART_LOG_PAGES`); aborted on drop.
pub(super) struct Checkpoints(tokio::task::JoinHandle<()>);

impl Checkpoints {
    /// Checkpoints on a connection of `pool`, and on `writer`'s when the log is long.
    pub(super) fn start(pool: SqlitePool, writer: Option<std::sync::Weak<SqliteWriter>>) -> Self {
        Self(tokio::spawn(async move {
            let mut ticks = tokio::time::interval(SQLITE_CHECKPOINT_EVERY);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            while !pool.is_closed() {
                ticks.tick().await;
                if let Err(error) = Self::checkpoint(&pool, writer.as_ref()).await {
                    // The next tick tries again; SQLite's backstop keeps the log bounded meanwhile.
                    tracing::debug!(%error, "SQLite checkpoint skipped");
                }
            }
        }))
    }

    async fn checkpoint(pool: &SqlitePool, writer: Option<&std::sync::Weak<SqliteWriter>>) -> Result<(), sqlx::Error> {
        let (_, log_pages, _): (i64, i64, i64) = sqlx::query_as(PASSIVE_CHECKPOINT).fetch_one(pool).await?;
        if log_pages >= SQLITE_RESTART_LOG_PAGES
            && let Some(writer) = writer.and_then(std::sync::Weak::upgrade)
        {
            on_sqlite_writer(writer.checkpoint()).await?;
        }
        Ok(())
    }
}

impl Drop for Checkpoints {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::db::{Backend, BeginWrite, Database, DatabaseUrl};

    /// Two hundred rows of 3,000 bytes: about 150 pages of SQLite's write-ahead log.
    const FILL: &str = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) \
         INSERT INTO filler (body) SELECT zeroblob(3000) FROM n";

    async fn write(pool: &SqlitePool, sql: &str) {
        let mut transaction = pool.begin_write().await.expect("a write transaction");
        sqlx::query(sql).execute(&mut *transaction).await.expect("the write");
        transaction.commit().await.expect("the commit");
    }

    /// A passive checkpoint on a connection of `pool`: the log's pages, and how many of them are
    /// copied into the database file.
    async fn checkpoint_on(pool: &SqlitePool) -> (i64, i64) {
        let (_, log, copied): (i64, i64, i64) =
            sqlx::query_as(PASSIVE_CHECKPOINT).fetch_one(pool).await.expect("a checkpoint");
        (log, copied)
    }

    /// `klarsicht.db` in `directory`, its table `filler` filled once with [`FILL`].
    async fn filled_database(directory: &std::path::Path) -> (DatabaseUrl, Database) {
        let file = directory.join("klarsicht.db");
        let url = DatabaseUrl::parse(&format!("sqlite://{}", file.display())).expect("a database URL");
        let database = Database::connect(&url, 2).await.expect("the database opens");
        let pool = sqlite_pool(&database);
        write(pool, "CREATE TABLE filler (body BLOB)").await;
        write(pool, FILL).await;
        (url, database)
    }

    fn sqlite_pool(database: &Database) -> &SqlitePool {
        let Backend::Sqlite(pool) = &database.backend else { unreachable!("a SQLite URL") };
        pool
    }

    #[tokio::test]
    async fn the_writers_checkpoint_copies_the_rest_of_the_log_and_the_next_writer_starts_it_anew() {
        let directory = tempfile::tempdir().expect("a directory");
        let (_, database) = filled_database(directory.path()).await;
        let pool = sqlite_pool(&database);
        // A reader of the database as it is now keeps the next write out of any checkpoint, as
        // the writes that come in while a checkpoint copies do under load.
        let mut reader = pool.begin().await.expect("a read transaction");
        let _: (i64,) = sqlx::query_as("SELECT count(*) FROM filler").fetch_one(&mut *reader).await.expect("the read");
        write(pool, FILL).await;
        let (log, copied) = checkpoint_on(pool).await;
        assert!(copied < log, "the reader held back the last write: {copied} of {log} pages copied");
        reader.rollback().await.expect("the reader ends");

        let writer = database.writer.clone().expect("a database file has a writer");
        writer.checkpoint().await.expect("the writer's checkpoint");
        write(pool, "INSERT INTO filler (body) VALUES (zeroblob(10))").await;
        let (restarted, _) = checkpoint_on(pool).await;
        assert!(restarted < 10, "the next writer started the log anew: {restarted} pages, {log} before");
    }

    #[tokio::test]
    async fn a_closed_database_is_one_file_with_every_write_and_takes_no_more() {
        let directory = tempfile::tempdir().expect("a directory");
        let log = directory.path().join("klarsicht.db-wal");
        let (url, database) = filled_database(directory.path()).await;
        let pool = sqlite_pool(&database);
        assert!(log.exists(), "the writes are in the write-ahead log");

        database.close().await;
        assert!(!log.exists(), "closing copied the log into the file and removed it");
        let late = pool.begin_write().await.map(drop);
        assert!(matches!(late, Err(sqlx::Error::PoolClosed)), "a closed database refuses writes: {late:?}");

        let reopened = Database::connect(&url, 2).await.expect("the database opens again");
        let pool = sqlite_pool(&reopened);
        let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM filler").fetch_one(pool).await.expect("the count");
        assert_eq!(rows, 200, "every committed row is in the file");
        write(pool, "INSERT INTO filler (body) VALUES (zeroblob(10))").await;
    }
}
