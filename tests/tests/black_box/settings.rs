//! Settings are checked as a whole at start, and every refusal is one line that says what is
//! wrong and how to fix it.

use clap::{CommandFactory, Parser};
use sqlx::Connection as _;
use klarsicht_tests::{Backend, TestApp, TestDatabase, Visitor, demo, execute, postgres_available, production_settings, test_settings};
use server::{
    settings::{Cli, Mode, Settings, SettingsError, SettingsInput},
    startup::{Application, StartupError},
};

fn production(input: SettingsInput) -> SettingsInput {
    SettingsInput { mode: Some(Mode::Production), demo_data: None, demo_sign_in: None, ..input }
}

fn refusal(input: SettingsInput) -> String {
    let error = Settings::check(input).expect_err("the settings are refused");
    let line = error.to_string();
    assert!(!line.contains('\n'), "the message is one line: {line}");
    line
}

#[test]
fn help_lists_every_setting_with_its_variable() {
    let help = Cli::command().render_long_help().to_string();
    for variable in [
        "KLARSICHT_CONFIG",
        "KLARSICHT_MODE",
        "KLARSICHT_LISTEN",
        "DATABASE_URL",
        "KLARSICHT_OFFICE_DATABASE_URL",
        "KLARSICHT_DATABASE_MAX_CONNECTIONS",
        "KLARSICHT_SECRET",
        "KLARSICHT_DEMO_DATA",
        "KLARSICHT_SITE_ROOT",
        "KLARSICHT_LOG_FORMAT",
        "KLARSICHT_SHUTDOWN_GRACE_SECONDS",
        "KLARSICHT_PUBLIC_URL",
        "KLARSICHT_CITIZEN_OIDC_ISSUER",
        "KLARSICHT_CITIZEN_OIDC_CLIENT_ID",
        "KLARSICHT_CITIZEN_OIDC_CLIENT_SECRET",
        "KLARSICHT_STAFF_OIDC_ISSUER",
        "KLARSICHT_STAFF_OIDC_CLIENT_ID",
        "KLARSICHT_STAFF_OIDC_CLIENT_SECRET",
        "KLARSICHT_DEMO_SIGN_IN",
        "KLARSICHT_SESSION_IDLE_MINUTES",
        "KLARSICHT_SESSION_LIFETIME_HOURS",
        "KLARSICHT_SIGN_IN_PER_MINUTE",
        "KLARSICHT_LOG_SIGNING_KEY",
    ] {
        assert!(help.contains(variable), "--help names {variable}:\n{help}");
    }
    assert!(help.contains("migrate") && help.contains("demo-data"), "--help lists the commands");
}

#[test]
fn an_unsupported_database_url_is_refused_with_the_fix() {
    let line = refusal(SettingsInput {
        database_url: Some("mysql://root@localhost/klarsicht".into()),
        ..test_settings("sqlite://x.db")
    });
    assert!(line.contains("DATABASE_URL uses 'mysql'"), "{line}");
    assert!(line.contains("sqlite://") && line.contains("postgres://"), "names the fix: {line}");
}

#[test]
fn a_database_url_without_scheme_is_refused_with_the_fix() {
    let line = refusal(test_settings("data/klarsicht.db"));
    assert!(line.contains("DATABASE_URL has no scheme"), "{line}");
}

#[test]
fn a_malformed_postgres_url_is_refused_without_showing_the_password() {
    let line = refusal(test_settings("postgres://user:geheim@host:notaport/db"));
    assert!(line.contains("DATABASE_URL cannot be read"), "{line}");
}

#[test]
fn production_without_a_secret_is_refused() {
    let error = Settings::check(production(test_settings("sqlite://x.db"))).expect_err("refused");
    assert!(matches!(error, SettingsError::MissingSecret));
    assert!(
        error
            .to_string()
            .starts_with("KLARSICHT_SECRET is missing: production mode needs a secret of at least 32 characters")
    );
}

#[test]
fn production_with_a_short_secret_is_refused() {
    let line = refusal(SettingsInput { secret: Some("kurz".into()), ..production(test_settings("sqlite://x.db")) });
    assert!(line.starts_with("KLARSICHT_SECRET is too short"), "{line}");
}

#[test]
fn production_needs_a_key_of_its_own_for_the_access_log() {
    let line = refusal(SettingsInput { log_signing_key: None, ..production_settings("sqlite://x.db") });
    assert!(line.starts_with("KLARSICHT_LOG_SIGNING_KEY is missing"), "{line}");
    assert!(line.contains("server log-key --name"), "names the fix: {line}");
    let verifier_key_instead = "klarsicht.stadt.example/zugriffsprotokoll+5a5cd2f1+AQ0O8OMGtLUdnD0bT6Ai3bYVuRqUlDtu7zkXo5LbR1WN";
    let line = refusal(SettingsInput { log_signing_key: Some(verifier_key_instead.into()), ..production_settings("sqlite://x.db") });
    assert!(line.starts_with("KLARSICHT_LOG_SIGNING_KEY is no signing key"), "{line}");
    assert!(!line.contains("AQ0O8"), "the value is not repeated: {line}");
    let settings = Settings::check(production_settings("sqlite://x.db")).expect("a key of its own is taken");
    assert_eq!(settings.log_signer.name(), "klarsicht.stadt.example/zugriffsprotokoll");
}

#[test]
fn production_needs_a_witness_of_the_access_log() {
    let line = refusal(SettingsInput { witness_url: None, witness_key: None, ..production_settings("sqlite://x.db") });
    assert!(line.starts_with("KLARSICHT_WITNESS_URL and KLARSICHT_WITNESS_KEY are missing"), "{line}");
    assert!(line.contains("server witness"), "names the fix: {line}");
    let line = refusal(SettingsInput { witness_key: None, ..production_settings("sqlite://x.db") });
    assert!(line.starts_with("KLARSICHT_WITNESS_URL and KLARSICHT_WITNESS_KEY go together"), "{line}");
    let settings = Settings::check(production_settings("sqlite://x.db")).expect("a witness is taken");
    assert!(settings.witness.is_some());
}

#[test]
fn production_with_demo_data_is_refused() {
    let line = refusal(SettingsInput {
        secret: Some("s".repeat(48)),
        demo_data: Some(true),
        ..production(test_settings("sqlite://x.db"))
    });
    assert!(line.contains("KLARSICHT_DEMO_DATA=true is refused in production mode"), "{line}");
}

#[test]
fn production_defaults_to_json_logs_no_demo_data_and_secure_cookies() {
    let settings =
        Settings::check(SettingsInput { secret: Some("s".repeat(48)), ..production_settings("sqlite://x.db") })
            .expect("valid production settings");
    assert!(!settings.demo_data);
    assert!(!settings.demo_sign_in);
    assert!(settings.secure_cookies());
    assert_eq!(settings.log_format, server::settings::LogFormat::Json);
    assert!(!format!("{settings:?}").contains("ssssssss"), "the secret never shows in debug output");
}

#[test]
fn development_needs_no_settings_at_all() {
    let settings = Settings::check(SettingsInput::default()).expect("the defaults are valid");
    assert_eq!(settings.mode, Mode::Development);
    assert_eq!(settings.listen.to_string(), "127.0.0.1:3000");
    assert!(settings.demo_data);
    assert_eq!(settings.database_url.describe(), "data/klarsicht.db");
}

#[test]
fn development_mode_listens_on_loopback_addresses_only() {
    for address in ["0.0.0.0:3000", "[::]:3000", "192.0.2.10:3000", "[2001:db8::1]:3000"] {
        let listen: std::net::SocketAddr = address.parse().expect("an address");
        let line = refusal(SettingsInput { listen: Some(listen), ..test_settings("sqlite://x.db") });
        assert!(line.starts_with(&format!("KLARSICHT_LISTEN={address} is refused in development mode")), "{line}");
        assert!(line.contains("set KLARSICHT_MODE=production"), "names the setting to change: {line}");
    }
    // Forgetting KLARSICHT_MODE is development mode, and is refused on an open address too.
    let cli = Cli::try_parse_from(["server", "--listen", "0.0.0.0:3000"]).expect("parsed");
    let line = cli.settings().expect_err("refused").to_string();
    assert!(line.starts_with("KLARSICHT_LISTEN=0.0.0.0:3000 is refused in development mode"), "{line}");

    // KLARSICHT_LISTEN takes an IP address (`localhost` is no value of it); every loopback one is fine.
    for address in ["127.0.0.1:3000", "127.0.0.1:0", "127.0.0.2:3000", "[::1]:3000", "[::ffff:127.0.0.1]:3000"] {
        let listen: std::net::SocketAddr = address.parse().expect("an address");
        let settings = Settings::check(SettingsInput { listen: Some(listen), ..test_settings("sqlite://x.db") })
            .unwrap_or_else(|error| panic!("{address} is loopback: {error}"));
        assert_eq!(settings.listen, listen);
    }
    assert!(Cli::try_parse_from(["server", "--listen", "localhost:3000"]).is_err(), "an address, not a name");
    // Production serves other machines.
    let open: std::net::SocketAddr = "[::]:3000".parse().expect("an address");
    Settings::check(SettingsInput { listen: Some(open), ..production_settings("sqlite://x.db") })
        .expect("production may listen on every address");
}

#[test]
fn a_settings_file_is_read_and_flags_override_it() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let file = directory.path().join("klarsicht.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:4000\"\nshutdown_grace_seconds = 3\nlog_format = \"json\"\n")
        .expect("written");
    let cli = Cli::try_parse_from(["server", "--config", &file.to_string_lossy(), "--listen", "127.0.0.1:4001"])
        .expect("parsed");
    let settings = cli.settings().expect("valid");
    assert_eq!(settings.listen.to_string(), "127.0.0.1:4001", "the flag wins over the file");
    assert_eq!(settings.shutdown_grace_seconds, 3, "the file wins over the default");
    assert_eq!(settings.log_format, server::settings::LogFormat::Json);
}

#[test]
fn a_missing_settings_file_is_refused_with_the_fix() {
    let cli = Cli::try_parse_from(["server", "--config", "/nicht/vorhanden.toml"]).expect("parsed");
    let line = cli.settings().expect_err("refused").to_string();
    assert!(line.contains("/nicht/vorhanden.toml does not exist"), "{line}");
}

#[test]
fn an_unknown_key_in_the_settings_file_is_refused() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let file = directory.path().join("klarsicht.toml");
    std::fs::write(&file, "lissten = \"127.0.0.1:4000\"\n").expect("written");
    let cli = Cli::try_parse_from(["server", "--config", &file.to_string_lossy()]).expect("parsed");
    let line = cli.settings().expect_err("refused").to_string();
    assert!(line.contains("lissten"), "names the unknown key: {line}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_postgres_is_refused_with_the_fix() {
    // Port 1 on loopback: nothing listens there.
    let settings = Settings::check(test_settings("postgres://postgres@127.0.0.1:1/klarsicht")).expect("valid");
    let Err(error) = Application::build(&settings).await else { panic!("start-up must fail") };
    let line = error.to_string();
    assert!(line.starts_with("cannot reach PostgreSQL at 127.0.0.1:1/klarsicht"), "{line}");
    assert!(line.ends_with("start PostgreSQL, or correct DATABASE_URL"), "{line}");
}

#[test]
fn an_office_database_url_is_refused_with_sqlite_or_when_unreadable() {
    for (database, office) in [("sqlite://x.db", "postgres://office@localhost/klarsicht"), ("postgres://klarsicht@localhost/klarsicht", "sqlite://x.db")] {
        let line = refusal(SettingsInput { office_database_url: Some(office.into()), ..test_settings(database) });
        assert!(line.starts_with("KLARSICHT_OFFICE_DATABASE_URL is for PostgreSQL"), "{line}");
        assert!(line.contains("leave it out with SQLite"), "names the fix: {line}");
    }
    let line = refusal(SettingsInput {
        office_database_url: Some("postgres://office:geheim@host:notaport/db".into()),
        ..test_settings("postgres://klarsicht@localhost/klarsicht")
    });
    assert!(line.starts_with("KLARSICHT_OFFICE_DATABASE_URL cannot be read"), "{line}");
    assert!(!line.contains("geheim"), "the password stays hidden: {line}");
}

/// `url` with `user` in place of its user (and no password: the test server trusts loopback).
fn as_user(url: &str, user: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let server = rest.split_once('@').map_or(rest, |(_, server)| server);
    format!("{scheme}://{user}@{server}")
}

/// On PostgreSQL the office's connections may sign in as a user of their own. The portal starts
/// only when that user may act as the office's role and reaches none of the citizens' records
/// itself; then even a statement that resets the role reaches none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_signs_in_as_its_own_user_and_one_that_reaches_records_is_refused() {
    if !postgres_available() {
        return;
    }
    let database = TestDatabase::create(Backend::Postgres).await;
    // Why a start with the office signing in as `office` fails.
    let refused = async |office: String| {
        let input = SettingsInput { office_database_url: Some(office), ..test_settings(database.url()) };
        let Err(error) = Application::build(&Settings::check(input).expect("valid")).await else { panic!("start-up must fail") };
        error.to_string()
    };
    let line = refused(database.url().to_owned()).await;
    assert!(line.contains("(KLARSICHT_OFFICE_DATABASE_URL) reaches the citizens' records itself"), "{line}");
    assert!(line.ends_with("made with CREATE ROLE … LOGIN IN ROLE klarsicht_office"), "names the fix: {line}");

    // The migrations ran above, so the office's role exists on this server.
    let login = format!("klarsicht_office_login_{}", uuid::Uuid::new_v4().simple());
    let line = refused(as_user(database.url(), &login)).await;
    assert!(line.starts_with("cannot sign in to PostgreSQL as the office's database user ("), "{line}");
    assert!(line.ends_with("correct KLARSICHT_OFFICE_DATABASE_URL"), "names the setting: {line}");
    execute(database.url(), &format!("CREATE ROLE {login} LOGIN")).await;
    assert_eq!(
        refused(as_user(database.url(), &login)).await,
        format!("the office's database user {login} (KLARSICHT_OFFICE_DATABASE_URL) may not act as the role klarsicht_office: run GRANT klarsicht_office TO {login}")
    );

    execute(database.url(), &format!("GRANT klarsicht_office TO {login}")).await;
    let app = TestApp::spawn_with(Backend::Postgres, |settings| {
        settings.demo_data = Some(true);
        settings.office_database_url = settings.database_url.as_deref().map(|url| as_user(url, &login));
    })
    .await;
    assert_eq!(app.get("/health/ready").await.status().as_u16(), 200);
    // Sign-in and the session's every load go through the office's connections.
    let mut sabine = Visitor::new(&app);
    sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
    let (status, _) = sabine.call("mitarbeitende/warteschlange", &[]).await;
    assert_eq!(status, 200, "the caseworker's queue opens");
    let active: i64 = klarsicht_tests::query_i64(
        app.database_url(),
        &format!("SELECT COUNT(*) FROM pg_stat_activity WHERE usename = '{login}' AND datname = current_database()"),
    )
    .await;
    assert!(active > 0, "the office's connections signed in as {login}");

    let mut office = sqlx::PgConnection::connect(&as_user(app.database_url(), &login)).await.expect("the office's user signs in");
    for sql in ["SET ROLE klarsicht_office", "RESET ROLE"] {
        sqlx::query(sql).execute(&mut office).await.expect(sql);
    }
    for table in app::server::db::RECORDS_TABLES {
        let refused = sqlx::query(&format!("SELECT 1 FROM {table} LIMIT 1")).execute(&mut office).await.expect_err(table);
        assert_eq!(refused.as_database_error().and_then(|error| error.code()).as_deref(), Some("42501"), "{table}: {refused}");
    }
    office.close().await.expect("closes");
    app.stop().await.expect("the app stops");
    execute(database.url(), &format!("DROP ROLE {login}")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_port_in_use_is_refused_with_the_fix() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = taken.local_addr().expect("its address");
    let settings =
        Settings::check(SettingsInput { listen: Some(address), ..test_settings("sqlite::memory:") }).expect("valid");
    let Err(error) = Application::build(&settings).await else { panic!("start-up must fail") };
    assert!(matches!(error, StartupError::AddressInUse { .. }));
    assert_eq!(
        error.to_string(),
        format!(
            "port {} on 127.0.0.1 is already in use: stop the program using it, or choose another with KLARSICHT_LISTEN",
            address.port()
        )
    );
}

#[test]
fn production_with_the_demo_sign_in_is_refused() {
    let line = refusal(SettingsInput { demo_sign_in: Some(true), ..production_settings("sqlite://x.db") });
    assert!(line.contains("KLARSICHT_DEMO_SIGN_IN=true is refused in production mode"), "{line}");
}

#[test]
fn production_needs_an_https_address() {
    let line = refusal(SettingsInput {
        public_url: Some("http://klarsicht.stadt.example".into()),
        ..production_settings("sqlite://x.db")
    });
    assert!(line.contains("KLARSICHT_PUBLIC_URL must be set and start with https://"), "{line}");
}

#[test]
fn production_needs_sign_in_providers() {
    let line = refusal(SettingsInput {
        staff_oidc_issuer: None,
        staff_oidc_client_id: None,
        ..production_settings("sqlite://x.db")
    });
    assert!(line.starts_with("production mode needs a sign-in provider"), "{line}");
}

#[test]
fn a_provider_needs_its_client_id() {
    let line = refusal(SettingsInput {
        citizen_oidc_issuer: Some("https://konto.example".into()),
        ..test_settings("sqlite://x.db")
    });
    assert_eq!(line, "KLARSICHT_CITIZEN_OIDC_CLIENT_ID is missing: set it together with KLARSICHT_CITIZEN_OIDC_ISSUER");
}

#[test]
fn a_public_address_with_a_path_is_refused() {
    let line = refusal(SettingsInput {
        public_url: Some("https://stadt.example/klarsicht".into()),
        ..test_settings("sqlite://x.db")
    });
    assert!(line.contains("is not an http(s) URL without path"), "{line}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_address_that_is_no_url_stops_the_start() {
    let settings = Settings::check(SettingsInput {
        citizen_oidc_issuer: Some("konto ohne schema".into()),
        citizen_oidc_client_id: Some("klarsicht".into()),
        ..test_settings("sqlite::memory:")
    })
    .expect("valid");
    let Err(error) = Application::build(&settings).await else { panic!("start-up must fail") };
    assert!(error.to_string().starts_with("the buerger sign-in provider: the issuer URL is not a URL"), "{error}");
}
