//! The `DATABASE_URL` setting, checked, and the errors of connecting and querying.

use std::{fmt, path::PathBuf, str::FromStr};

use sqlx::{postgres::PgConnectOptions, sqlite::SqliteConnectOptions};

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
    pub(super) url: String,
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
    pub(super) fn sqlite_file(&self) -> Option<PathBuf> {
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
    #[error("cannot sign in to PostgreSQL as the office's database user ({source}): correct KLARSICHT_OFFICE_DATABASE_URL")]
    OfficeLoginUnavailable { source: sqlx::Error },
    #[error(
        "the office's database user {0} (KLARSICHT_OFFICE_DATABASE_URL) reaches the citizens' records itself: give the office a user of its own, made with CREATE ROLE … LOGIN IN ROLE klarsicht_office"
    )]
    OfficeLoginReachesRecords(String),
    #[error(
        "the office's database user {0} (KLARSICHT_OFFICE_DATABASE_URL) may not act as the role klarsicht_office: run GRANT klarsicht_office TO {0}"
    )]
    OfficeLoginNotMember(String),
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

    /// The database refused an access-log entry because the log is behind its witness and no
    /// operator has declared the gap yet (migration 0012): the read it would record is refused.
    pub fn is_log_behind(&self) -> bool {
        matches!(self, Self::Query(sqlx::Error::Database(error)) if error.message().contains(LOG_BEHIND))
    }
}

/// What the database says when it refuses an entry of a log behind its witness (migration 0012).
const LOG_BEHIND: &str = "the access log is behind its witness";
