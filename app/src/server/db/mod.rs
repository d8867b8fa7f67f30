//! The database: SQLite (the embedded default) or PostgreSQL (production).
//!
//! Both run the same SQL text with `$1…$N` placeholders; [`on_backend!`] runs one body against
//! whichever pool is configured, so a query is written once and compiled for both drivers.
//! Migrations live in `migrations/sqlite` and `migrations/postgres` under the same names.
//!
//! INVARIANT: the pool never leaves `crate::server`. Routes and server functions get services,
//! and each service gets a handle on the tables it may reach ([`Tables`]): the citizens' records
//! only the gate, the citizen's own services, casework and retention.

mod backup;
mod ids;
mod json;
mod sqlite_writer;
mod tables;
mod transaction;
mod types;
mod url;

pub(in crate::server) use json::JsonStatement;
pub(in crate::server) use sqlite_writer::on_sqlite_writer;
pub(in crate::server) use tables::{Office, Records, RecordsKeeper, Tables};
pub use tables::RECORDS_TABLES;
pub(in crate::server) use transaction::BeginWrite;
pub use ids::*;
pub use types::{Id, Timestamp};
pub use url::{DatabaseError, DatabaseKind, DatabaseUrl, DatabaseUrlError};

use std::{str::FromStr, sync::Arc, time::Duration};

use sqlx::{
    Connection as _,
    migrate::Migrator,
    postgres::{PgConnectOptions, PgPool, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous},
};

use sqlite_writer::{Checkpoints, SqliteWriter};

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

/// SQLite's own checkpoint at commit stays, for a log that grows past this many pages anyway
/// (the task fell behind, or a process without it wrote). The committing writer does it, and
/// copies all that the task had not copied yet while every other writer waits: with the
/// backstop at 10,000 pages the log reached it every second under 32 clients, and each time the
/// committing case view took up to 28 ms instead of 0.1 ms.
const SQLITE_CHECKPOINT_BACKSTOP_PAGES: u32 = 100_000;

/// Runs `$body` with `$pool` bound to the pool of a handle ([`Tables`]), whichever backend it is.
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

#[derive(Clone)]
pub(in crate::server) enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Backend {
    fn kind(&self) -> DatabaseKind {
        match self {
            Self::Sqlite(_) => DatabaseKind::Sqlite,
            Self::Postgres(_) => DatabaseKind::Postgres,
        }
    }
}

/// A pool of connections to the configured database.
#[derive(Clone)]
pub struct Database {
    /// Reaches every table: the migrations, the demo data and [`Tables<Records>`].
    backend: Backend,
    /// What [`Tables<Office>`] reaches: on PostgreSQL a pool whose connections act as
    /// [`tables::OFFICE_ROLE`], on SQLite the same pool.
    office: Backend,
    /// How the office's connections sign in, when it is as a user of their own.
    office_login: Option<PgConnectOptions>,
    /// SQLite's checkpoint task, which ends with the last clone of this value.
    _checkpoints: Option<Arc<Checkpoints>>,
    /// SQLite's connection for writing, closed by [`Database::close`] or with the last
    /// `Database` of its file.
    writer: Option<Arc<SqliteWriter>>,
}

impl Database {
    /// Connects, creating the SQLite file and its directory when they do not exist yet.
    pub async fn connect(url: &DatabaseUrl, max_connections: u32) -> Result<Self, DatabaseError> {
        Self::connect_with(url, None, max_connections).await
    }

    /// Connects; on PostgreSQL the office's connections sign in with `office_login` when it is
    /// given, else as `url`'s user. Either way they act as [`tables::OFFICE_ROLE`]; with a user
    /// of their own, a statement that resets the role gets no further than that user's rights
    /// ([`Database::check_office_login`]).
    pub async fn connect_with(url: &DatabaseUrl, office_login: Option<&DatabaseUrl>, max_connections: u32) -> Result<Self, DatabaseError> {
        let office_login = office_login.map(|login| PgConnectOptions::from_str(&login.url)).transpose()?.map(|options| options.application_name("klarsicht-office"));
        let (backend, office, checkpoints, writer) = match url.kind() {
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
                    .pragma("wal_autocheckpoint", SQLITE_CHECKPOINT_BACKSTOP_PAGES.to_string())
                    // A row that `INSERT OR REPLACE` removes fires the DELETE triggers too, so it
                    // cannot replace what the access log's triggers keep append-only.
                    .pragma("recursive_triggers", "ON");
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
                let backend = Backend::Sqlite(pool);
                (backend.clone(), backend, Some(checkpoints), writer)
            }
            DatabaseKind::Postgres => {
                let options = PgConnectOptions::from_str(&url.url)?.application_name("klarsicht");
                let pool = postgres_pool(max_connections)
                    .connect_with(options.clone())
                    .await
                    .map_err(|source| DatabaseError::PostgresUnreachable { target: url.describe(), source })?;
                // Opened when first used: the role exists once the migrations have run.
                let office = postgres_pool(max_connections)
                    .after_connect(|connection, _| {
                        Box::pin(async move {
                            sqlx::query(&format!("SET ROLE {}", tables::OFFICE_ROLE)).execute(connection).await.map(|_| ())
                        })
                    })
                    .connect_lazy_with(office_login.clone().unwrap_or(options));
                (Backend::Postgres(pool), Backend::Postgres(office), None, None)
            }
        };
        Ok(Self { backend, office, office_login, _checkpoints: checkpoints, writer })
    }

    /// With a sign-in of the office's own (PostgreSQL): that it may act as the office's role,
    /// and that on its own it reaches none of the citizens' records, so that a statement taking
    /// the role back reaches nothing more. Run after the migrations, which make the role.
    pub async fn check_office_login(&self) -> Result<(), DatabaseError> {
        let Some(login) = &self.office_login else { return Ok(()) };
        let mut connection =
            sqlx::PgConnection::connect_with(login).await.map_err(|source| DatabaseError::OfficeLoginUnavailable { source })?;
        let (user, member, reaches): (String, bool, bool) = sqlx::query_as(
            "SELECT session_user::text, pg_has_role(session_user, $1, 'MEMBER'), \
             EXISTS (SELECT 1 FROM unnest($2::text[]) AS t (name) WHERE has_table_privilege(session_user, t.name, 'SELECT, INSERT, UPDATE, DELETE'))",
        )
        .bind(tables::OFFICE_ROLE)
        .bind(RECORDS_TABLES.as_slice())
        .fetch_one(&mut connection)
        .await?;
        connection.close().await?;
        if reaches {
            return Err(DatabaseError::OfficeLoginReachesRecords(user));
        }
        if !member {
            return Err(DatabaseError::OfficeLoginNotMember(user));
        }
        Ok(())
    }

    pub fn kind(&self) -> DatabaseKind {
        self.backend.kind()
    }

    /// The office's own tables, for any service.
    pub(in crate::server) fn office(&self) -> Tables<Office> {
        Tables::over(self.office.clone())
    }

    /// Every table, the citizens' records too: only for a module that can make a `keeper`.
    pub(in crate::server) fn records(&self, _keeper: impl RecordsKeeper) -> Tables<Records> {
        Tables::over(self.backend.clone())
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

    /// A round trip on each pool, for readiness: the office's also finds its role missing.
    pub async fn ping(&self) -> Result<(), DatabaseError> {
        on_backend!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        on_backend!(self.office(), pool => sqlx::query("SELECT 1 FROM offices LIMIT 1").execute(pool).await.map(|_| ()))?;
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

    /// Waits for checked-out connections to return, then closes the pool; on SQLite then the
    /// writer's connection, once its transaction ends. With the last connection to the file
    /// closed, SQLite copies the write-ahead log into it and removes the log: after a clean stop
    /// the database is that one file. Writes through any clone of this value are refused from
    /// now on (`PoolClosed`).
    pub async fn close(&self) {
        on_backend!(self, pool => pool.close().await);
        on_backend!(self.office(), pool => pool.close().await);
        if let Some(writer) = &self.writer {
            writer.close().await;
        }
    }
}

/// How the PostgreSQL pools are set up.
fn postgres_pool(max_connections: u32) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(CONNECT_TIMEOUT)
        // sqlx checks every connection when it comes back to the pool (and drops a broken one),
        // so checking it again before each use only costs a round trip per query under load. A
        // connection that sat idle for a while is checked first: PostgreSQL or the network may
        // have dropped it meanwhile.
        .test_before_acquire(false)
        .before_acquire(|connection, metadata| {
            Box::pin(async move {
                if metadata.idle_for >= CHECK_WHEN_IDLE_FOR {
                    sqlx::Connection::ping(connection).await?;
                }
                Ok(true)
            })
        })
}
