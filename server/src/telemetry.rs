//! Structured logs: readable lines in development, JSON lines for a log collector in production.
//! `RUST_LOG` overrides the default filter.

use tracing_subscriber::{EnvFilter, fmt};

use crate::settings::LogFormat;

const DEFAULT_FILTER: &str = "info,sqlx=warn,tower_http=info";

/// Installs the global subscriber. A second call (tests start many apps) leaves the first.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = fmt().with_env_filter(filter).with_target(false);
    // An error here only means a subscriber is already installed.
    let _already_installed = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
}
