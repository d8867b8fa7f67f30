//! The database: SQLite (the embedded default) or PostgreSQL (production).
//!
//! Both run the same SQL text with `$1…$N` placeholders; [`on_backend!`] runs one body against
//! whichever pool is configured, so a query is written once and compiled for both drivers.
//! Migrations live in `migrations/sqlite` and `migrations/postgres` under the same names.
//!
//! INVARIANT: the pool never leaves `crate::server`. Routes and server functions get services.

mod types;

pub use types::{Id, Timestamp};

use std::{fmt, path::PathBuf, str::FromStr, sync::Arc, time::Duration};

use sqlx::{
    migrate::Migrator,
    postgres::{PgConnectOptions, PgPool, PgPoolOptions},
    sqlite::{
        SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
    },
};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// The demo offices, staff and citizens (DESIGN.md's people), one SQL text for both backends.
/// Every insert ends in `ON CONFLICT DO NOTHING`, so loading it twice changes nothing.
const DEMO_DATA: &str = include_str!("demo_data.sql");

/// How long start-up waits for a database connection before it gives up with a clear message.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A PostgreSQL connection idle at least this long is checked before it is used again.
const CHECK_WHEN_IDLE_FOR: Duration = Duration::from_secs(10);

/// How much of the SQLite file each connection reads through a memory map (SQLite's own upper
/// bound is 2 GiB); what lies beyond is read as before.
const SQLITE_MMAP_BYTES: u64 = 1 << 30;

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

/// SQLite's own checkpoint at commit stays, for a log that grows past this many pages anyway
/// (the task fell behind, or a process without it wrote). The committing writer does it, and
/// copies all that the task had not copied yet while every other writer waits: with the
/// backstop at 10,000 pages the log reached it every second under 32 clients, and each time the
/// committing case view took up to 28 ms instead of 0.1 ms.
const SQLITE_CHECKPOINT_BACKSTOP_PAGES: u32 = 100_000;

/// Runs `$body` with `$pool` bound to the configured pool, whichever backend it is.
/// The body is compiled once per driver, so one SQL text serves both.
macro_rules! on_backend {
    ($database:expr, $pool:ident => $body:expr) => {
        match &$database.backend {
            $crate::server::db::Backend::Sqlite($pool) => $body,
            $crate::server::db::Backend::Postgres($pool) => $body,
        }
    };
}
pub(in crate::server) use on_backend;

/// A statement that gathers lists into JSON arrays, so that a page's data comes in one round
/// trip. Written in SQLite's spelling (`json_group_array(json_array(…) ORDER BY …)`) and
/// translated once for PostgreSQL (`json_agg(json_build_array(…) ORDER BY …)`): the one place
/// where the two dialects differ for such a statement. An empty list is `COALESCE(…, '[]')`
/// (PostgreSQL's aggregate gives NULL for no rows). Timestamps and ids come as text in the JSON
/// and read back through their serde forms, the same on both.
pub(in crate::server) struct JsonStatement {
    sqlite: &'static str,
    postgres: std::sync::OnceLock<String>,
}

impl JsonStatement {
    pub const fn new(sqlite: &'static str) -> Self {
        Self { sqlite, postgres: std::sync::OnceLock::new() }
    }

    /// The text for the backend of `pool`.
    pub fn for_pool<DB: sqlx::Database>(&'static self, _pool: &sqlx::Pool<DB>) -> &'static str {
        self.for_database::<DB>()
    }

    fn for_database<DB: sqlx::Database>(&'static self) -> &'static str {
        if DB::NAME == "PostgreSQL" {
            self.postgres.get_or_init(|| {
                self.sqlite.replace("json_group_array(", "json_agg(").replace("json_array(", "json_build_array(")
            })
        } else {
            self.sqlite
        }
    }
}

/// A transaction that may write. On SQLite it takes the write lock at its start
/// (`BEGIN IMMEDIATE`): a transaction that reads first and writes later (a gate read and its
/// log entry) would otherwise fail at once with "database is locked" whenever another
/// connection wrote in between. On PostgreSQL it is a plain `BEGIN`.
pub(in crate::server) trait BeginWrite {
    type Db: sqlx::Database;
    async fn begin_write(&self) -> Result<WriteTransaction<Self::Db>, sqlx::Error>;
}

/// A write transaction; it derefs to its connection. Dropped before its commit, it is rolled
/// back: a pool's connection's by sqlx ahead of the connection's next statement, the SQLite
/// writer's at once ([`SqliteWriter::roll_back_dropped`]).
pub(in crate::server) struct WriteTransaction<DB: sqlx::Database> {
    open: Open<DB>,
}

/// The connection a write transaction runs on.
enum Open<DB: sqlx::Database> {
    /// A connection of a pool, which goes back to it at the end.
    Pooled(sqlx::Transaction<'static, DB>),
    /// The SQLite writer's own connection ([`SqliteWriter`]), held until the end.
    Writer(WriterTransaction<DB>),
}

/// A transaction on the SQLite writer's connection, which is locked for it until it ends.
struct WriterTransaction<DB: sqlx::Database> {
    connection: tokio::sync::OwnedMappedMutexGuard<Option<DB::Connection>, DB::Connection>,
    /// SQLite's `COMMIT` (see [`SqliteWriter::begin`]).
    commit: for<'c> fn(&'c mut DB::Connection) -> futures::future::BoxFuture<'c, Result<(), sqlx::Error>>,
    committed: bool,
    writer: Arc<SqliteWriter>,
}

impl<DB: sqlx::Database> Drop for WriterTransaction<DB> {
    fn drop(&mut self) {
        if !self.committed {
            self.writer.roll_back_dropped();
        }
    }
}

impl<DB: sqlx::Database> WriteTransaction<DB> {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self.open {
            Open::Pooled(transaction) => transaction.commit().await,
            Open::Writer(mut writer) => {
                (writer.commit)(&mut writer.connection).await?;
                writer.committed = true;
                Ok(())
            }
        }
    }
}

impl<DB: sqlx::Database> std::ops::Deref for WriteTransaction<DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &DB::Connection {
        match &self.open {
            Open::Pooled(transaction) => transaction,
            Open::Writer(writer) => &writer.connection,
        }
    }
}

impl<DB: sqlx::Database> std::ops::DerefMut for WriteTransaction<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        match &mut self.open {
            Open::Pooled(transaction) => transaction,
            Open::Writer(writer) => &mut writer.connection,
        }
    }
}

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
struct SqliteWriter {
    options: SqliteConnectOptions,
    /// Opened at the first write; closed when it cannot begin or roll back and by
    /// [`Database::close`], and opened anew by the next writer.
    connection: Arc<tokio::sync::Mutex<Option<SqliteConnection>>>,
    /// Whether the connection holds a transaction dropped before its commit. Read and written
    /// only by the holder of `connection`'s lock.
    unfinished: Arc<std::sync::atomic::AtomicBool>,
}

/// The writer of each SQLite database file in this process, while a [`Database`] holds it.
static SQLITE_WRITERS: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<PathBuf, std::sync::Weak<SqliteWriter>>>> =
    std::sync::LazyLock::new(Default::default);

impl SqliteWriter {
    /// The writer of the file `options` open: the one a [`Database`] of this process already
    /// holds, or a new one.
    fn of(options: &SqliteConnectOptions) -> Arc<Self> {
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
    fn for_pool(pool: &SqlitePool) -> Option<Arc<Self>> {
        let writers = SQLITE_WRITERS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        writers.get(pool.connect_options().get_filename()).and_then(std::sync::Weak::upgrade)
    }

    /// Waits for the connection ([`Self::hold`]), opens it if need be, and begins a write
    /// transaction on it.
    async fn begin(self: Arc<Self>) -> Result<WriterTransaction<sqlx::Sqlite>, sqlx::Error> {
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
    async fn checkpoint(self: Arc<Self>) -> Result<(), sqlx::Error> {
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
    async fn close(&self) {
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
    fn roll_back_dropped(&self) {
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

impl BeginWrite for SqlitePool {
    type Db = sqlx::Sqlite;
    async fn begin_write(&self) -> Result<WriteTransaction<sqlx::Sqlite>, sqlx::Error> {
        // The writer outlives a closed pool (another `Database` of the file may share it): a
        // closed `Database` writes no more, as PostgreSQL's closed pool does not.
        if self.is_closed() {
            return Err(sqlx::Error::PoolClosed);
        }
        // An in-memory database has no writer of its own (another connection would open another
        // database); SQLite's busy handler then orders its writers.
        let open = match SqliteWriter::for_pool(self) {
            Some(writer) => Open::Writer(writer.begin().await?),
            None => Open::Pooled(self.begin_with("BEGIN IMMEDIATE").await?),
        };
        Ok(WriteTransaction { open })
    }
}

impl BeginWrite for PgPool {
    type Db = sqlx::Postgres;
    async fn begin_write(&self) -> Result<WriteTransaction<sqlx::Postgres>, sqlx::Error> {
        Ok(WriteTransaction { open: Open::Pooled(self.begin().await?) })
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

/// Which database system a [`DatabaseUrl`] names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

impl DatabaseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// A checked `DATABASE_URL`: `sqlite://path/to/file.db` or `postgres://user@host:port/name`.
#[derive(Clone)]
pub struct DatabaseUrl {
    kind: DatabaseKind,
    url: String,
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, DatabaseUrlError> {
        let url = url.trim();
        let scheme = url.split_once(':').map(|(scheme, _)| scheme).unwrap_or_default();
        let kind = match scheme {
            "sqlite" => DatabaseKind::Sqlite,
            "postgres" | "postgresql" => DatabaseKind::Postgres,
            "" => return Err(DatabaseUrlError::NoScheme),
            other => return Err(DatabaseUrlError::UnsupportedScheme(other.to_owned())),
        };
        let parsed = match kind {
            DatabaseKind::Sqlite => SqliteConnectOptions::from_str(url).map(|_| ()),
            DatabaseKind::Postgres => PgConnectOptions::from_str(url).map(|_| ()),
        };
        parsed.map_err(|error| DatabaseUrlError::Malformed(error.to_string()))?;
        Ok(Self { kind, url: url.to_owned() })
    }

    pub fn kind(&self) -> DatabaseKind {
        self.kind
    }

    /// The SQLite file, if this names one (not `:memory:`).
    fn sqlite_file(&self) -> Option<PathBuf> {
        let rest = self.url.strip_prefix("sqlite:")?;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let path = rest.split('?').next().unwrap_or_default();
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }

    /// Where the database is, for messages: the file, or host:port/name — never the password.
    pub fn describe(&self) -> String {
        match self.kind {
            DatabaseKind::Sqlite => self
                .sqlite_file()
                .map_or_else(|| "an in-memory SQLite database".to_owned(), |file| file.display().to_string()),
            DatabaseKind::Postgres => match url::Url::parse(&self.url) {
                Ok(url) => {
                    format!("{}:{}{}", url.host_str().unwrap_or("localhost"), url.port().unwrap_or(5432), url.path())
                }
                Err(_) => "PostgreSQL".to_owned(),
            },
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may carry a password; show where, not how.
        write!(formatter, "DatabaseUrl({} at {})", self.kind.as_str(), self.describe())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DatabaseUrlError {
    #[error("DATABASE_URL has no scheme: write sqlite://data/klarsicht.db or postgres://user@host:5432/name")]
    NoScheme,
    #[error(
        "DATABASE_URL uses '{0}', which Klarsicht does not support: use sqlite://path/to/file.db or postgres://user@host:5432/name"
    )]
    UnsupportedScheme(String),
    #[error("DATABASE_URL cannot be read ({0}): use sqlite://path/to/file.db or postgres://user@host:5432/name")]
    Malformed(String),
}

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error(
        "cannot create the directory {path} for the SQLite database ({source}): create it, or point DATABASE_URL elsewhere"
    )]
    CreateDirectory { path: PathBuf, source: std::io::Error },
    #[error(
        "cannot open the SQLite database {target} ({source}): check that the file is writable, or point DATABASE_URL elsewhere"
    )]
    SqliteUnavailable { target: String, source: sqlx::Error },
    #[error("cannot reach PostgreSQL at {target} ({source}): start PostgreSQL, or correct DATABASE_URL")]
    PostgresUnreachable { target: String, source: sqlx::Error },
    #[error(
        "cannot apply the database migrations ({0}): the database may belong to a newer Klarsicht; restore a backup or use a fresh database"
    )]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    #[error("the backup file {0} exists already: choose a new name, so that no backup is overwritten")]
    BackupExists(PathBuf),
    #[error(
        "`server backup` copies a SQLite database; back PostgreSQL up with pg_dump (see the README, \"Backup and restore\")"
    )]
    BackupOfPostgres,
}

impl DatabaseError {
    /// A unique constraint refused the write (e.g. two writers took the same number).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Self::Query(sqlx::Error::Database(error)) if error.is_unique_violation())
    }
}

#[derive(Clone)]
pub(in crate::server) enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A pool of connections to the configured database.
#[derive(Clone)]
pub struct Database {
    pub(in crate::server) backend: Backend,
    /// SQLite's checkpoint task, which ends with the last clone of this value.
    _checkpoints: Option<Arc<Checkpoints>>,
    /// SQLite's connection for writing, closed by [`Database::close`] or with the last
    /// `Database` of its file.
    writer: Option<Arc<SqliteWriter>>,
}

/// The task that checkpoints a SQLite database (see `SQLITE_CHECKPOINT_EVERY` and
/// `SQLITE_RESTART_LOG_PAGES`); aborted on drop.
struct Checkpoints(tokio::task::JoinHandle<()>);

impl Checkpoints {
    /// Checkpoints on a connection of `pool`, and on `writer`'s when the log is long.
    fn start(pool: SqlitePool, writer: Option<std::sync::Weak<SqliteWriter>>) -> Self {
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

impl Database {
    /// Connects, creating the SQLite file and its directory when they do not exist yet.
    pub async fn connect(url: &DatabaseUrl, max_connections: u32) -> Result<Self, DatabaseError> {
        let (backend, checkpoints, writer) = match url.kind {
            DatabaseKind::Sqlite => {
                if let Some(directory) = url.sqlite_file().as_deref().and_then(|file| file.parent())
                    && !directory.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(directory)
                        .map_err(|source| DatabaseError::CreateDirectory { path: directory.to_owned(), source })?;
                }
                let options = SqliteConnectOptions::from_str(&url.url)?
                    .create_if_missing(true)
                    .foreign_keys(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(5))
                    // Every logged read is a write, and a write makes every other connection drop
                    // its page cache; read through a memory map, a page costs no system call and
                    // no copy when it is read again.
                    .pragma("mmap_size", SQLITE_MMAP_BYTES.to_string())
                    .pragma("wal_autocheckpoint", SQLITE_CHECKPOINT_BACKSTOP_PAGES.to_string());
                let pool = SqlitePoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    // A connection to a local file does not drop away while idle; sqlx's check
                    // before each use would cost a round trip to its worker thread per request.
                    .test_before_acquire(false)
                    .connect_with(options)
                    .await
                    .map_err(|source| DatabaseError::SqliteUnavailable { target: url.describe(), source })?;
                let writer = url.sqlite_file().map(|_| SqliteWriter::of(&pool.connect_options()));
                let checkpoints = Arc::new(Checkpoints::start(pool.clone(), writer.as_ref().map(Arc::downgrade)));
                (Backend::Sqlite(pool), Some(checkpoints), writer)
            }
            DatabaseKind::Postgres => {
                let options = PgConnectOptions::from_str(&url.url)?.application_name("klarsicht");
                let pool = PgPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    // sqlx checks every connection when it comes back to the pool (and drops a
                    // broken one), so checking it again before each use only costs a round trip
                    // per query under load. A connection that sat idle for a while is checked
                    // first: PostgreSQL or the network may have dropped it meanwhile.
                    .test_before_acquire(false)
                    .before_acquire(|connection, metadata| {
                        Box::pin(async move {
                            if metadata.idle_for >= CHECK_WHEN_IDLE_FOR {
                                sqlx::Connection::ping(connection).await?;
                            }
                            Ok(true)
                        })
                    })
                    .connect_with(options)
                    .await
                    .map_err(|source| DatabaseError::PostgresUnreachable { target: url.describe(), source })?;
                (Backend::Postgres(pool), None, None)
            }
        };
        Ok(Self { backend, _checkpoints: checkpoints, writer })
    }

    pub fn kind(&self) -> DatabaseKind {
        match self.backend {
            Backend::Sqlite(_) => DatabaseKind::Sqlite,
            Backend::Postgres(_) => DatabaseKind::Postgres,
        }
    }

    /// Brings the schema up to date. Safe to run from several instances at once: PostgreSQL
    /// serialises them with an advisory lock, SQLite with its write lock.
    pub async fn migrate(&self) -> Result<(), DatabaseError> {
        match &self.backend {
            Backend::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Backend::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// A trivial round trip, for readiness.
    pub async fn ping(&self) -> Result<(), DatabaseError> {
        on_backend!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Whether no office exists yet: a database nobody has set up.
    pub async fn is_unconfigured(&self) -> Result<bool, DatabaseError> {
        let offices: i64 =
            on_backend!(self, pool => sqlx::query_scalar("SELECT COUNT(*) FROM offices").fetch_one(pool).await)?;
        Ok(offices == 0)
    }

    /// Loads the demo data in one transaction. Idempotent: rows that exist are left alone.
    pub async fn load_demo_data(&self) -> Result<(), DatabaseError> {
        on_backend!(self, pool => {
            let mut transaction = pool.begin_write().await?;
            sqlx::raw_sql(DEMO_DATA).execute(&mut *transaction).await?;
            transaction.commit().await

        })?;
        Ok(())
    }

    /// Writes a consistent copy of the SQLite database to `file` while the portal keeps serving
    /// (`VACUUM INTO`: one read transaction, so the copy is one moment's state). PostgreSQL is
    /// backed up with its own tools.
    pub async fn back_up_to(&self, file: &std::path::Path) -> Result<(), DatabaseError> {
        if file.exists() {
            return Err(DatabaseError::BackupExists(file.to_owned()));
        }
        match &self.backend {
            Backend::Sqlite(pool) => {
                sqlx::query("VACUUM INTO $1").bind(file.to_string_lossy().into_owned()).execute(pool).await?;
                Ok(())
            }
            Backend::Postgres(_) => Err(DatabaseError::BackupOfPostgres),
        }
    }

    /// Waits for checked-out connections to return, then closes the pool; on SQLite then the
    /// writer's connection, once its transaction ends. With the last connection to the file
    /// closed, SQLite copies the write-ahead log into it and removes the log: after a clean stop
    /// the database is that one file. Writes through any clone of this value are refused from
    /// now on (`PoolClosed`).
    pub async fn close(&self) {
        on_backend!(self, pool => pool.close().await);
        if let Some(writer) = &self.writer {
            writer.close().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
