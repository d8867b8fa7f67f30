//! Write transactions: on SQLite on the one writer's connection, taking the write lock at their
//! start; on PostgreSQL a plain `BEGIN`.

use sqlx::{postgres::PgPool, sqlite::SqlitePool};

use super::sqlite_writer::{SqliteWriter, WriterTransaction};

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
    pub(super) open: Open<DB>,
}

/// The connection a write transaction runs on.
pub(super) enum Open<DB: sqlx::Database> {
    /// A connection of a pool, which goes back to it at the end.
    Pooled(sqlx::Transaction<'static, DB>),
    /// The SQLite writer's own connection ([`SqliteWriter`]), held until the end.
    Writer(WriterTransaction<DB>),
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
