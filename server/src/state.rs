//! What the handlers share.

use std::sync::Arc;

use app::server::services::Services;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

/// What the handlers share: the Leptos options and the services. Never a database pool.
/// Every request clones it; the services are shared, not copied.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Arc<Services>,
}
