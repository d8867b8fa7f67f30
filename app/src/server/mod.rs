//! The server side of the application, compiled only with the `ssr` feature.
//!
//! - [`db`]: the connection to SQLite or PostgreSQL, migrations and demo data. Its pool never
//!   leaves this module tree: what the rest of the server gets are services.
//! - [`auth`]: who is signed in: principals, sessions, OpenID Connect, the guard, and the
//!   capabilities it mints.
//! - [`gate`]: the only way citizen data reaches staff: facts, decision, the allowed reads and
//!   their log entry in one transaction.
//! - [`casework`]: what a caseworker does with a case of their office (actions, flags,
//!   emergency access).
//! - [`citizen`]: the citizen's own self-service (applying, consents, their data, their log).
//! - [`administration`]: offices, staff, categories and their audit; no citizen data.
//! - [`retention`]: removing what is past its retention period.
//! - [`access_log`]: the hash-chained record of every read.
//! - [`documents`]: reading an uploaded document and what it is by its content.
//! - [`error`]: why a service refused.
//! - [`services`]: what routes and server functions are handed.

pub mod access_log;
pub mod administration;
pub mod auth;
pub mod casework;
pub mod citizen;
pub mod db;
pub mod documents;
pub mod error;
pub mod gate;
pub mod retention;
pub mod services;
