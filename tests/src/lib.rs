//! Test support: start the real application on port 0 with a fresh database of its own, on
//! SQLite and on PostgreSQL, and remove that database afterwards.
//!
//! PostgreSQL tests run when `KLARSICHT_TEST_POSTGRES_URL` names a database on a server where
//! the user may create databases (the README's test command sets it). Without it they are
//! skipped, unless `KLARSICHT_REQUIRE_POSTGRES=1`, which makes a missing server a failure.

#![expect(
    clippy::expect_used,
    clippy::panic,
    reason = "test support fails loudly"
)]

use std::{net::SocketAddr, path::PathBuf};

use server::{
    settings::{Mode, Settings, SettingsInput},
    startup::Application,
};
use sqlx::Connection;
use tempfile::TempDir;
use tokio::{sync::oneshot, task::JoinHandle};

pub use reqwest;

const POSTGRES_URL_VARIABLE: &str = "KLARSICHT_TEST_POSTGRES_URL";
const REQUIRE_POSTGRES_VARIABLE: &str = "KLARSICHT_REQUIRE_POSTGRES";

/// The database system a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Whether the PostgreSQL variant of a test can run here; panics when it must but cannot.
pub fn postgres_available() -> bool {
    if std::env::var_os(POSTGRES_URL_VARIABLE).is_some() {
        return true;
    }
    if std::env::var_os(REQUIRE_POSTGRES_VARIABLE).is_some_and(|value| value == "1") {
        panic!("{REQUIRE_POSTGRES_VARIABLE}=1 but {POSTGRES_URL_VARIABLE} is not set");
    }
    eprintln!("skipped: set {POSTGRES_URL_VARIABLE} to run the PostgreSQL variant");
    false
}

/// Writes each test twice: `name::sqlite` and `name::postgres`.
///
/// ```text
/// on_both_databases! {
///     async fn readiness_reports_the_database(backend: Backend) { … }
/// }
/// ```
#[macro_export]
macro_rules! on_both_databases {
    ($(async fn $name:ident($backend:ident: Backend) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports, reason = "the test body decides what it uses")]
                use super::*;

                async fn run($backend: $crate::Backend) $body

                #[tokio::test]
                async fn sqlite() {
                    run($crate::Backend::Sqlite).await;
                }

                #[tokio::test]
                async fn postgres() {
                    if $crate::postgres_available() {
                        run($crate::Backend::Postgres).await;
                    }
                }
            }
        )*
    };
}

/// A database that exists for one test and is removed when the value is dropped.
pub struct TestDatabase {
    url: String,
    place: Place,
}

enum Place {
    Sqlite { _directory: TempDir },
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// Creates an empty database: a SQLite file in a temporary directory, or a PostgreSQL
    /// database with a unique name.
    pub async fn create(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let directory = tempfile::tempdir().expect("a temporary directory");
                // A sub-directory that does not exist yet: the app must create it.
                let url = format!("sqlite://{}/data/klarsicht.db", directory.path().display());
                Self {
                    url,
                    place: Place::Sqlite {
                        _directory: directory,
                    },
                }
            }
            Backend::Postgres => {
                let admin_url = std::env::var(POSTGRES_URL_VARIABLE)
                    .expect("KLARSICHT_TEST_POSTGRES_URL is set");
                let name = format!("klarsicht_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = sqlx::PgConnection::connect(&admin_url)
                    .await
                    .expect("PostgreSQL accepts a connection");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .expect("the test user may create databases");
                admin.close().await.expect("the admin connection closes");
                let url = replace_database_name(&admin_url, &name);
                Self {
                    url,
                    place: Place::Postgres { admin_url, name },
                }
            }
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Place::Postgres { admin_url, name } = &self.place else {
            return;
        };
        let (admin_url, name) = (admin_url.clone(), name.clone());
        // Drop runs outside any async context we may block, so use a runtime of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await?;
                admin.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop the test database {}", self.url);
        }
    }
}

/// `postgres://user@host:5432/postgres?x=y` with `name` in place of `postgres`.
fn replace_database_name(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(base, query)| (base, Some(query)));
    let authority_end = base.find("://").map_or(0, |start| start + 3);
    let server = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

/// The settings a test app runs with: development mode, port 0, its own database.
pub fn test_settings(database_url: &str) -> SettingsInput {
    SettingsInput {
        mode: Some(Mode::Development),
        listen: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
        database_url: Some(database_url.to_owned()),
        database_max_connections: Some(5),
        demo_data: Some(false),
        site_root: Some(site_root()),
        shutdown_grace_seconds: Some(2),
        ..SettingsInput::default()
    }
}

/// The built site, if `cargo leptos build` ran; the pages render without it.
fn site_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/site")
}

/// The real application, serving on a free port of 127.0.0.1.
pub struct TestApp {
    pub address: SocketAddr,
    pub client: reqwest::Client,
    pub backend: Backend,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    // Dropped last: the app must stop before its database goes.
    database: TestDatabase,
}

impl TestApp {
    /// Starts the app on an empty database.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Starts the app after `adjust` changed the settings (demo data, mode, …).
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut SettingsInput)) -> Self {
        let database = TestDatabase::create(backend).await;
        let mut input = test_settings(database.url());
        adjust(&mut input);
        let settings = Settings::check(input).expect("the test settings are valid");
        let application = Application::build(&settings)
            .await
            .expect("the application starts");
        let address = application.address();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(application.run_until(async move {
            let _sender_dropped = stopped.await;
        }));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        Self {
            address,
            client,
            backend,
            stop: Some(stop),
            task: Some(task),
            database,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    pub fn database_url(&self) -> &str {
        self.database.url()
    }

    /// `GET path`, with the response checked to have arrived.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("the app answers")
    }

    /// Stops the app as a stop signal would and waits until it has finished.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _app_may_be_gone = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await.expect("the server task does not panic"),
            None => Ok(()),
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _app_may_be_gone = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Runs a query that returns one integer, on a connection of its own (tests may look at the
/// database directly; the application may not).
pub async fn query_i64(database_url: &str, sql: &str) -> i64 {
    if database_url.starts_with("sqlite:") {
        let mut connection = sqlx::SqliteConnection::connect(database_url)
            .await
            .expect("SQLite opens");
        let value = sqlx::query_scalar(sql)
            .fetch_one(&mut connection)
            .await
            .expect("the query runs");
        connection.close().await.expect("the connection closes");
        value
    } else {
        let mut connection = sqlx::PgConnection::connect(database_url)
            .await
            .expect("PostgreSQL accepts a connection");
        let value = sqlx::query_scalar(sql)
            .fetch_one(&mut connection)
            .await
            .expect("the query runs");
        connection.close().await.expect("the connection closes");
        value
    }
}

/// How many rows `table` holds.
pub async fn count_rows(database_url: &str, table: &str) -> i64 {
    query_i64(database_url, &format!("SELECT COUNT(*) FROM {table}")).await
}

impl TestApp {
    /// Removes the database under the running app (PostgreSQL only), as an outage would.
    pub async fn remove_database(&self) {
        let Place::Postgres { admin_url, name } = &self.database.place else {
            panic!("only a PostgreSQL database can be removed under a running app");
        };
        let mut admin = sqlx::PgConnection::connect(admin_url)
            .await
            .expect("PostgreSQL accepts a connection");
        sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await
            .expect("the database is dropped");
        admin.close().await.expect("the admin connection closes");
    }
}

#[cfg(test)]
mod tests {
    use super::replace_database_name;

    #[test]
    fn the_test_database_replaces_the_admin_database() {
        assert_eq!(
            replace_database_name("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            replace_database_name("postgres://u@h/db?sslmode=disable", "t1"),
            "postgres://u@h/t1?sslmode=disable"
        );
        assert_eq!(
            replace_database_name("postgres://u@h", "t1"),
            "postgres://u@h/t1"
        );
    }
}
