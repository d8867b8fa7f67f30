//! The server side of the application, compiled only with the `ssr` feature.
//!
//! - [`db`]: the connection to SQLite or PostgreSQL, migrations and demo data. Its pool never
//!   leaves this module tree: what the rest of the server gets are services.
//! - [`auth`]: who is signed in: principals, sessions, OpenID Connect, the guard.
//! - [`documents`]: reading an uploaded document and what it is by its content.
//! - [`administration`]: offices, staff, categories and their audit; no citizen data.
//! - [`error`]: why a service refused, and how that becomes the caller's answer.
//! - [`services`]: what routes and server functions are handed.

pub mod access_log;
pub mod administration;
pub mod auth;
pub mod db;
pub mod documents;
pub mod error;
pub mod gate;
pub mod services;
