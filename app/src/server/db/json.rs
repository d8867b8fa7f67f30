//! Statements that gather lists into JSON, written once for both backends.

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
