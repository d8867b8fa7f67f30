//! Test support: start the real application on port 0 with a fresh database of its own, on
//! SQLite and on PostgreSQL, and remove that database afterwards.
//!
//! PostgreSQL tests run when `KLARSICHT_TEST_POSTGRES_URL` names a database on a server where
//! the user may create databases (the README's test command sets it). Without it they are
//! skipped, unless `KLARSICHT_REQUIRE_POSTGRES=1`, which makes a missing server a failure.

#![expect(clippy::expect_used, clippy::panic, reason = "test support fails loudly")]

pub mod load;
pub mod oidc_provider;

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

use app::server::access_log::cosignature::Cosigner;
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

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    run($crate::Backend::Sqlite).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if $crate::postgres_available() {
                        run($crate::Backend::Postgres).await;
                    }
                }
            }
        )*
    };
}

/// A copy of a test app's database ([`TestApp::back_up`]).
pub struct Backup {
    file: PathBuf,
    _directory: TempDir,
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
                Self { url, place: Place::Sqlite { _directory: directory } }
            }
            Backend::Postgres => {
                let admin_url = std::env::var(POSTGRES_URL_VARIABLE).expect("KLARSICHT_TEST_POSTGRES_URL is set");
                let name = format!("klarsicht_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = sqlx::PgConnection::connect(&admin_url).await.expect("PostgreSQL accepts a connection");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .expect("the test user may create databases");
                admin.close().await.expect("the admin connection closes");
                let url = replace_database_name(&admin_url, &name);
                Self { url, place: Place::Postgres { admin_url, name } }
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
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
            runtime.block_on(async {
                let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin).await?;
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
    let (base, query) = url.split_once('?').map_or((url, None), |(base, query)| (base, Some(query)));
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
        // Tests sign in many times from one address; the limit has a test of its own.
        sign_in_per_minute: Some(10_000),
        submissions_per_minute: Some(10_000),
        uploads_per_minute: Some(10_000),
        writes_per_minute: Some(10_000),
        ..SettingsInput::default()
    }
}

/// The built site, if `cargo leptos build` ran; the pages render without it.
fn site_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/site")
}

/// Where a started application serves.
struct Addresses {
    portal: SocketAddr,
    metrics: Option<SocketAddr>,
}

/// The real application, serving on a free port of 127.0.0.1.
pub struct TestApp {
    pub address: SocketAddr,
    /// Where `/metrics` is served, when the settings asked for it.
    pub metrics_address: Option<SocketAddr>,
    pub client: reqwest::Client,
    pub backend: Backend,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    settings: Settings,
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
        let (address, stop, task) = Self::start(&settings).await;
        let metrics_address = address.metrics;
        let address = address.portal;
        let client =
            reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("an HTTP client");
        Self { address, metrics_address, client, backend, stop: Some(stop), task: Some(task), settings, database }
    }

    async fn start(settings: &Settings) -> (Addresses, oneshot::Sender<()>, JoinHandle<std::io::Result<()>>) {
        let application = Application::build(settings).await.expect("the application starts");
        let address = Addresses { portal: application.address(), metrics: application.metrics_address() };
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(application.run_until(async move {
            let _sender_dropped = stopped.await;
        }));
        (address, stop, task)
    }

    /// Stops the app as a stop signal would and starts it again on the same database (on a new
    /// port): what a server restart keeps, survives this.
    pub async fn restart(&mut self) {
        self.restart_with(|_| {}).await;
    }

    /// Stops the app, lets `adjust` change its settings (a new witness, say), and starts it
    /// again on the same database.
    pub async fn restart_with(&mut self, adjust: impl FnOnce(&mut Settings)) {
        self.halt().await;
        adjust(&mut self.settings);
        self.start_again().await;
    }

    async fn halt(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _app_may_be_gone = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("the server task does not panic").expect("the app stops cleanly");
        }
    }

    async fn start_again(&mut self) {
        let (address, stop, task) = Self::start(&self.settings).await;
        (self.address, self.metrics_address) = (address.portal, address.metrics);
        (self.stop, self.task) = (Some(stop), Some(task));
    }

    /// A copy of the database as it is now, as an operator takes one (`VACUUM INTO` for
    /// SQLite, pg_dump for PostgreSQL), for [`TestApp::restore`].
    pub async fn back_up(&self) -> Backup {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let file = directory.path().join("sicherung");
        if self.backend == Backend::Sqlite {
            execute(self.database_url(), &format!("VACUUM INTO '{}'", file.display())).await;
        } else {
            let status = std::process::Command::new("pg_dump")
                .args(["--format=custom", "--file"])
                .arg(&file)
                .arg(self.database_url())
                .status()
                .expect("pg_dump runs");
            assert!(status.success(), "pg_dump succeeds");
        }
        Backup { file, _directory: directory }
    }

    /// Stops the app, puts `backup` in place of its database (whatever was written since is
    /// lost), and starts the app again on it.
    pub async fn restore(&mut self, backup: &Backup) {
        self.halt().await;
        match &self.database.place {
            Place::Sqlite { .. } => {
                let path = self.database.url.strip_prefix("sqlite://").expect("a SQLite URL").to_owned();
                for suffix in ["", "-wal", "-shm"] {
                    let _may_not_exist = std::fs::remove_file(format!("{path}{suffix}"));
                }
                std::fs::copy(&backup.file, &path).expect("the backup is copied into place");
            }
            Place::Postgres { admin_url, name } => {
                let mut admin = sqlx::PgConnection::connect(admin_url).await.expect("PostgreSQL accepts a connection");
                for sql in [format!("DROP DATABASE {name} WITH (FORCE)"), format!("CREATE DATABASE {name}")] {
                    sqlx::query(&sql).execute(&mut admin).await.expect("the database is replaced");
                }
                admin.close().await.expect("the admin connection closes");
                let status = std::process::Command::new("pg_restore")
                    .args(["--no-owner", "--exit-on-error", "--dbname"])
                    .arg(&self.database.url)
                    .arg(&backup.file)
                    .status()
                    .expect("pg_restore runs");
                assert!(status.success(), "pg_restore succeeds");
            }
        }
        self.start_again().await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    pub fn database_url(&self) -> &str {
        self.database.url()
    }

    /// `GET path`, with the response checked to have arrived.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("the app answers")
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
        let mut connection = sqlx::SqliteConnection::connect(database_url).await.expect("SQLite opens");
        let value = sqlx::query_scalar(sql).fetch_one(&mut connection).await.expect("the query runs");
        connection.close().await.expect("the connection closes");
        value
    } else {
        let mut connection = sqlx::PgConnection::connect(database_url).await.expect("PostgreSQL accepts a connection");
        let value = sqlx::query_scalar(sql).fetch_one(&mut connection).await.expect("the query runs");
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
        let mut admin = sqlx::PgConnection::connect(admin_url).await.expect("PostgreSQL accepts a connection");
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
        assert_eq!(replace_database_name("postgres://u@h", "t1"), "postgres://u@h/t1");
    }
}

/// The settings of a production instance: https address, a secret, both providers (never
/// contacted unless a test signs in).
pub fn production_settings(database_url: &str) -> SettingsInput {
    SettingsInput {
        mode: Some(Mode::Production),
        secret: Some("p".repeat(48)),
        demo_data: None,
        demo_sign_in: None,
        public_url: Some("https://klarsicht.stadt.example".to_owned()),
        citizen_oidc_issuer: Some("https://konto.stadt.example".to_owned()),
        citizen_oidc_client_id: Some("klarsicht".to_owned()),
        staff_oidc_issuer: Some("https://verzeichnis.stadt.example".to_owned()),
        staff_oidc_client_id: Some("klarsicht".to_owned()),
        log_signing_key: Some(
            app::server::access_log::signer::LogSigner::generate("klarsicht.stadt.example/zugriffsprotokoll")
                .expect("a new key")
                .signer_key(),
        ),
        // A witness nobody answers at (the discard port): the sequencer asks again and logs it.
        witness_url: Some("http://127.0.0.1:9".to_owned()),
        witness_key: Some(
            app::server::access_log::cosignature::Cosigner::generate("datenschutz.stadt.example/zeuge")
                .expect("a new key")
                .verifier_key(),
        ),
        ..test_settings(database_url)
    }
}

/// Points both entrances of a test app at `provider`.
pub fn use_provider(settings: &mut SettingsInput, provider: &oidc_provider::MockProvider) {
    settings.citizen_oidc_issuer = Some(provider.issuer.clone());
    settings.citizen_oidc_client_id = Some("klarsicht-buerger".to_owned());
    settings.citizen_oidc_client_secret = Some("buerger-secret".to_owned());
    settings.staff_oidc_issuer = Some(provider.issuer.clone());
    settings.staff_oidc_client_id = Some("klarsicht-mitarbeitende".to_owned());
    settings.staff_oidc_client_secret = Some("mitarbeitende-secret".to_owned());
}

/// The development session cookie's name.
pub const SESSION_COOKIE: &str = "klarsicht";

/// One browser: keeps the session cookie by hand, so tests can look at it and its attributes.
pub struct Visitor<'a> {
    app: &'a TestApp,
    cookie: Option<String>,
    /// Every `Set-Cookie` for the session cookie this visitor received, newest last.
    pub session_cookies_set: Vec<String>,
}

impl<'a> Visitor<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self { app, cookie: None, session_cookies_set: Vec::new() }
    }

    /// The session cookie as a `Cookie` header sends it (`klarsicht=…`), if any.
    pub fn cookie(&self) -> Option<&str> {
        self.cookie.as_deref()
    }

    /// The session cookie's current value, if any.
    pub fn session_id(&self) -> Option<&str> {
        self.cookie.as_deref().and_then(|cookie| cookie.split_once('=')).map(|(_, value)| value)
    }

    /// Sends the session cookie as `value` from now on (to replay an old one).
    pub fn use_session_id(&mut self, value: &str) {
        self.cookie = Some(format!("{SESSION_COOKIE}={value}"));
    }

    fn remember(&mut self, response: &reqwest::Response) {
        for header in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let Ok(text) = header.to_str() else { continue };
            if !text.starts_with(&format!("{SESSION_COOKIE}=")) {
                continue;
            }
            self.session_cookies_set.push(text.to_owned());
            let pair = text.split(';').next().unwrap_or_default().to_owned();
            let removed = text.contains("Max-Age=0") || pair.ends_with('=');
            self.cookie = if removed { None } else { Some(pair) };
        }
    }

    fn absolute(&self, url: &str) -> String {
        if url.starts_with("http") { url.to_owned() } else { self.app.url(url) }
    }

    /// `GET`, with the session cookie where it belongs (only to the app).
    pub async fn get(&mut self, url: &str) -> reqwest::Response {
        let url = self.absolute(url);
        let mut request = self.app.client.get(&url);
        if let Some(cookie) = &self.cookie
            && url.starts_with(&self.app.url(""))
        {
            request = request.header(reqwest::header::COOKIE, cookie);
        }
        let response = request.send().await.expect("an answer");
        self.remember(&response);
        response
    }

    /// Sends `request` to the app with the session cookie, and keeps the cookies it answers.
    async fn send(&mut self, mut request: reqwest::RequestBuilder) -> reqwest::Response {
        if let Some(cookie) = &self.cookie {
            request = request.header(reqwest::header::COOKIE, cookie);
        }
        let response = request.send().await.expect("an answer");
        self.remember(&response);
        response
    }

    /// `POST` a form to the app.
    pub async fn post_form(&mut self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let request = self.app.client.post(self.app.url(path)).form(form);
        self.send(request).await
    }

    /// `POST` a form to the app as a browser without JavaScript does from the page `page`: it
    /// takes HTML and names the page it came from, so a server function's refusal sends it
    /// back there. Returns the answer, usually a redirect.
    pub async fn post_plain_form(&mut self, page: &str, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let request = self
            .app
            .client
            .post(self.app.url(path))
            .header(reqwest::header::ACCEPT, "text/html,application/xhtml+xml")
            .header(reqwest::header::REFERER, self.app.url(page))
            .form(form);
        self.send(request).await
    }

    /// `POST` a multipart form (an upload) to the app as a browser's plain form does: the answer
    /// to a form without JavaScript, usually a redirect.
    pub async fn post_multipart(&mut self, path: &str, form: reqwest::multipart::Form) -> reqwest::Response {
        let request = self
            .app
            .client
            .post(self.app.url(path))
            .header(reqwest::header::ACCEPT, "text/html,application/xhtml+xml")
            .multipart(form);
        self.send(request).await
    }

    /// Calls a server function as the browser's WebAssembly does; returns status and JSON.
    pub async fn call(&mut self, endpoint: &str, arguments: &[(&str, &str)]) -> (u16, serde_json::Value) {
        let request = self
            .app
            .client
            .post(self.app.url(&format!("/api/{endpoint}")))
            .header(reqwest::header::ACCEPT, "application/json")
            .form(arguments);
        let response = self.send(request).await;
        let status = response.status().as_u16();
        let text = response.text().await.expect("a body");
        (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
    }

    /// Who the app says is signed in (`null` for nobody).
    /// Calls a server function that answers GET (a download), with its arguments in the query.
    pub async fn call_get(&mut self, endpoint: &str, arguments: &[(&str, &str)]) -> (u16, serde_json::Value) {
        let query: Vec<String> = arguments.iter().map(|(name, value)| format!("{name}={}", encode(value))).collect();
        let response = self.get(&format!("/api/{endpoint}?{}", query.join("&"))).await;
        let status = response.status().as_u16();
        let text = response.text().await.expect("a body");
        (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
    }

    pub async fn me(&mut self) -> serde_json::Value {
        let (status, me) = self.call("ich", &[]).await;
        assert_eq!(status, 200, "/api/ich answers: {me}");
        me
    }

    /// Follows redirects by hand (so every cookie is seen) until a non-redirect or a redirect
    /// back into the app's pages; returns the last response.
    pub async fn follow(&mut self, mut response: reqwest::Response) -> reqwest::Response {
        for _ in 0..10 {
            if !response.status().is_redirection() {
                return response;
            }
            let location = response.headers()[reqwest::header::LOCATION].to_str().expect("text").to_owned();
            let leaves_the_sign_in = !location.contains("/anmelden/") && !location.contains("/authorize");
            if leaves_the_sign_in && !location.starts_with("http") {
                return response;
            }
            response = self.get(&location).await;
        }
        panic!("too many redirects");
    }

    /// Signs in at `entrance` (`buerger` or `mitarbeitende`) through the provider; returns the
    /// app's final redirect.
    pub async fn sign_in(&mut self, entrance: &str, return_to: Option<&str>) -> reqwest::Response {
        let start = match return_to {
            Some(path) => format!("/anmelden/{entrance}?zurueck={path}"),
            None => format!("/anmelden/{entrance}"),
        };
        let response = self.get(&start).await;
        assert_eq!(response.status().as_u16(), 303, "the sign-in starts with a redirect to the provider");
        self.follow(response).await
    }
}

/// The parts of a page's `html` that are forms posting to `action`, one per such form.
pub fn forms_posting_to<'a>(html: &'a str, action: &str) -> Vec<&'a str> {
    let opening = format!(r#"action="{action}""#);
    html.split("<form")
        .skip(1)
        .filter(|form| form.split('>').next().is_some_and(|tag| tag.contains(&opening)))
        .map(|form| form.split("</form>").next().unwrap_or_default())
        .collect()
}

/// Where a redirect points.
pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Runs a statement on a connection of its own; for tests that change what the app sees
/// (a session's age, a deactivated staff member).
pub async fn execute(database_url: &str, sql: &str) {
    if database_url.starts_with("sqlite:") {
        let mut connection = sqlx::SqliteConnection::connect(database_url).await.expect("SQLite opens");
        sqlx::raw_sql(sql).execute(&mut connection).await.expect("the statement runs");
        connection.close().await.expect("the connection closes");
    } else {
        let mut connection = sqlx::PgConnection::connect(database_url).await.expect("PostgreSQL accepts a connection");
        sqlx::raw_sql(sql).execute(&mut connection).await.expect("the statement runs");
        connection.close().await.expect("the connection closes");
    }
}

/// Runs statements on a connection of their own and answers whether the database took them.
pub async fn try_execute(database_url: &str, sql: &str) -> Result<(), sqlx::Error> {
    if database_url.starts_with("sqlite:") {
        let mut connection = sqlx::SqliteConnection::connect(database_url).await?;
        let done = sqlx::raw_sql(sql).execute(&mut connection).await.map(|_| ());
        connection.close().await?;
        done
    } else {
        let mut connection = sqlx::PgConnection::connect(database_url).await?;
        let done = sqlx::raw_sql(sql).execute(&mut connection).await.map(|_| ());
        connection.close().await?;
        done
    }
}

/// A witness on its own port with its own state in `state`, for the portal's log in development
/// mode. Answers its address and its verifier key.
pub async fn start_witness(state: &Path) -> (String, String) {
    let cosigner = Cosigner::generate("datenschutz.stadt.example/zeuge").expect("a key");
    (serve_witness(state, &cosigner, true).await, cosigner.verifier_key())
}

/// A witness serving the state in `state` with `cosigner`'s key, for the log of the test
/// settings; a new one when `init`. Answers its address.
pub async fn serve_witness(state: &Path, cosigner: &Cosigner, init: bool) -> String {
    let log_key = Settings::check(test_settings("sqlite://x.db")).expect("valid settings").log_signer.verifier_key();
    let (address, serving) = server::witness::bind(Some(&cosigner.signer_key()), &log_key, state, init, "127.0.0.1:0".parse().expect("an address"))
        .await
        .expect("the witness starts");
    tokio::spawn(serving);
    format!("http://{address}")
}

/// Runs statements as an attacker who owns the database would: past the triggers that keep the
/// access log append-only (dropped on SQLite, switched off for the session on PostgreSQL).
pub async fn tamper(database_url: &str, sql: &str) {
    let past_the_triggers = if database_url.starts_with("sqlite:") {
        ["access_log", "access_log_tiles", "access_log_checkpoints", "access_log_cosignatures", "access_log_gaps"]
            .iter()
            .flat_map(|table| ["update", "delete"].map(|change| format!("DROP TRIGGER IF EXISTS {table}_append_only_{change};")))
            .collect::<String>()
    } else {
        "SET session_replication_role = replica;".to_owned()
    };
    execute(database_url, &format!("{past_the_triggers} {sql}")).await;
}

/// Ids of demo people (app/src/server/db/demo_data.sql).
pub mod demo {
    pub const ANNA_BECKER: &str = "00000000-0000-4000-8000-000000000201";
    pub const JONAS_WEBER: &str = "00000000-0000-4000-8000-000000000202";
    pub const MIA_WEBER: &str = "00000000-0000-4000-8000-000000000203";
    pub const SELIN_KAYA: &str = "00000000-0000-4000-8000-000000000204";
    pub const LENA_HOFFMANN: &str = "00000000-0000-4000-8000-000000000101";
    pub const TOBIAS_KRUEGER: &str = "00000000-0000-4000-8000-000000000102";
    pub const MURAT_YILMAZ: &str = "00000000-0000-4000-8000-000000000103";
    pub const SABINE_FISCHER: &str = "00000000-0000-4000-8000-000000000104";
    pub const CLAUDIA_NEUMANN: &str = "00000000-0000-4000-8000-000000000105";
    pub const FRANK_RICHTER: &str = "00000000-0000-4000-8000-000000000106";
    pub const PETRA_LANGE: &str = "00000000-0000-4000-8000-000000000107";
}

impl Visitor<'_> {
    /// Signs in as a demo person (development mode).
    /// A page as this visitor receives it, status first, with the response's fresh CSP nonce
    /// (the one part that differs between any two responses) replaced by a fixed word: what a
    /// byte-for-byte comparison of two answers compares.
    pub async fn page(&mut self, path: &str) -> String {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        let nonce = response
            .headers()
            .get("content-security-policy")
            .and_then(|policy| policy.to_str().ok())
            .and_then(|policy| policy.split_once("'nonce-"))
            .and_then(|(_, rest)| rest.split_once('\''))
            .map(|(nonce, _)| nonce.to_owned());
        let html = response.text().await.expect("a page");
        format!("{status}\n{}", nonce.map_or(html.clone(), |nonce| html.replace(&nonce, "NONCE")))
    }

    pub async fn sign_in_as_demo(&mut self, person: &str) -> reqwest::Response {
        let response = self.post_form("/anmelden/demo", &[("person", person)]).await;
        assert_eq!(response.status().as_u16(), 303, "the demo sign-in redirects");
        response
    }
}

/// Percent-encodes a query value (re-exported from the app, where the pages use it).
pub fn encode(value: &str) -> String {
    app::url::encode_component(value)
}
