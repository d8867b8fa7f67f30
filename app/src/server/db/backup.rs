//! A backup of the SQLite database while the portal serves.

use super::{Backend, Database, DatabaseError};

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
}
