//! The services the server's routes and server functions are handed. They hold the database
//! behind methods; no route or server function ever sees a pool.

use crate::server::{
    access_log::sequencer::Sequencer,
    administration::Administration,
    auth::{
        Directory,
        oidc::OidcProvider,
        sessions::{SessionLimits, Sessions},
        sign_in::SignIn,
    },
    casework::{Casework, EmergencyLimits},
    citizen::SelfService,
    db::Database,
    gate::Gate,
    retention::Retention,
};

/// Answers whether this instance can serve requests (for `/health/ready`).
#[derive(Clone)]
pub struct Readiness {
    database: Database,
}

impl Readiness {
    /// Whether the database answers a trivial query now.
    pub async fn database_reachable(&self) -> bool {
        self.database.ping().await.is_ok()
    }

    /// `sqlite` or `postgres`, for the readiness answer and the logs.
    pub fn database_kind(&self) -> &'static str {
        self.database.kind().as_str()
    }
}

/// How sign-in is set up.
pub struct SignInSetup {
    pub citizen_provider: Option<OidcProvider>,
    pub staff_provider: Option<OidcProvider>,
    pub demo_enabled: bool,
    pub limits: SessionLimits,
}

/// Everything the server's handlers are given.
#[derive(Clone)]
pub struct Services {
    pub readiness: Readiness,
    pub sessions: Sessions,
    pub sign_in: SignIn,
    pub directory: Directory,
    /// The access log's Merkle tree: its sequencer, checkpoints and tiles.
    pub log_tree: Sequencer,
    pub gate: Gate,
    pub casework: Casework,
    pub citizen: SelfService,
    pub retention: Retention,
    pub administration: Administration,
}

impl Services {
    pub fn new(database: &Database, setup: SignInSetup, log_tree: Sequencer, limits: EmergencyLimits) -> Self {
        let directory = Directory::new(database.clone());
        let sessions = Sessions::new(database.clone(), directory.clone(), setup.limits);
        let sign_in = SignIn::new(
            sessions.clone(),
            directory.clone(),
            setup.citizen_provider,
            setup.staff_provider,
            setup.demo_enabled,
        );
        let gate = Gate::new(database.clone());
        Self {
            readiness: Readiness { database: database.clone() },
            sessions,
            sign_in,
            directory,
            log_tree,
            citizen: SelfService::new(database.clone(), &gate),
            gate,
            casework: Casework::new(database.clone(), limits),
            retention: Retention::new(database.clone()),
            administration: Administration::new(database.clone()),
        }
    }
}
