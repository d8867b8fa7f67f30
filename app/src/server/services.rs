//! The services the server's routes and server functions are handed. They hold the database
//! behind methods; no route or server function ever sees a pool.

use crate::server::db::Database;

/// Answers whether this instance can serve requests (for `/health/ready`).
#[derive(Clone)]
pub struct Readiness {
    database: Database,
}

impl Readiness {
    pub fn new(database: Database) -> Self {
        Self { database }
    }

    /// Whether the database answers a trivial query now.
    pub async fn database_reachable(&self) -> bool {
        self.database.ping().await.is_ok()
    }

    /// `sqlite` or `postgres`, for the readiness answer and the logs.
    pub fn database_kind(&self) -> &'static str {
        self.database.kind().as_str()
    }
}

/// Everything the server's handlers are given.
#[derive(Clone)]
pub struct Services {
    pub readiness: Readiness,
}

impl Services {
    pub fn new(database: &Database) -> Self {
        Self {
            readiness: Readiness::new(database.clone()),
        }
    }
}
