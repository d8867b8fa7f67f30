//! A backup of the SQLite database while the portal serves, and what an operator declares
//! after a restore that lost entries of the access log.

use super::{Backend, Database, DatabaseError, Timestamp, on_backend};
use crate::server::access_log::sequencer::Gap;

impl Database {
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

    /// Declares every gap the sequencer recorded and no operator declared yet, with the
    /// operator's `reason`: the database takes new entries of the access log again, so staff
    /// read again, and citizens see the gap on their access-log page. Answers the gaps
    /// declared, none when the log was not behind its witness. One transaction.
    pub async fn declare_access_log_gap(&self, reason: &str) -> Result<Vec<Gap>, DatabaseError> {
        let declared: Vec<(i64, i64)> = on_backend!(self, pool => sqlx::query_as(
            "UPDATE access_log_gaps SET declared_at = $1, reason = $2 WHERE declared_at IS NULL \
             RETURNING witnessed_size, restored_size",
        )
        .bind(Timestamp::now())
        .bind(reason)
        .fetch_all(pool)
        .await)?;
        Ok(declared.into_iter().map(Gap::from_row).collect())
    }
}
