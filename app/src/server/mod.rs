//! The server side of the application, compiled only with the `ssr` feature.
//!
//! - [`db`]: the connection to SQLite or PostgreSQL, migrations and demo data. Its pool never
//!   leaves this module tree: what the rest of the server gets are services.
//! - [`services`]: what routes and server functions are handed.

pub mod db;
pub mod services;
