//! Backup and restore as docs/operations.md describes them: `server backup` for SQLite while the portal
//! serves, pg_dump and pg_restore for PostgreSQL. The restored database holds every row and an
//! intact access log.

use klarsicht_tests::{Backend, TestApp, TestDatabase, Visitor, count_rows, demo, test_settings};
use server::{
    settings::Settings,
    startup::{self, StartupError},
};

const JONAS_WOHNGELD: &str = "00000000-0000-4000-8000-000000000701";
/// Tables whose rows a restore must bring back, one of each kind of data.
const TABLES: [&str; 5] = ["citizens", "applications", "citizen_data", "consents", "access_log"];

/// The demo data and one case view, placed in the access log's tree, so the log has an entry
/// to check.
async fn portal_in_use(backend: Backend) -> TestApp {
    let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
    let mut sabine = Visitor::new(&app);
    sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
    assert_eq!(sabine.call("mitarbeitende/akte", &[("application", JONAS_WOHNGELD)]).await.0, 200);
    crate::log_tree::signed_checkpoint_of_every_entry(&app).await;
    app
}

async fn assert_restored(original: &str, restored: &str) {
    for table in TABLES {
        let rows = count_rows(original, table).await;
        assert!(rows > 0, "{table} has rows to back up");
        assert_eq!(count_rows(restored, table).await, rows, "{table} is restored whole");
    }
    let settings = Settings::check(test_settings(restored)).expect("valid settings");
    let tree = startup::verify_access_log(&settings).await.expect("the restored database opens");
    assert_eq!(tree.problem, None, "the restored access log is intact");
    assert_eq!(i64::try_from(tree.leaves).expect("a count"), count_rows(restored, "access_log").await, "every entry in the tree");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_backup_taken_while_serving_restores_everything() {
    let app = portal_in_use(Backend::Sqlite).await;
    let directory = tempfile::tempdir().expect("a directory");
    let copy = directory.path().join("sicherung.db");
    let settings = Settings::check(test_settings(app.database_url())).expect("valid settings");
    startup::back_up(&settings, &copy).await.expect("the backup is written while the app serves");
    assert_eq!(app.get("/health/ready").await.status().as_u16(), 200, "the portal kept serving");

    let again = startup::back_up(&settings, &copy).await;
    assert!(
        matches!(&again, Err(StartupError::Database(error)) if error.to_string().contains("exists already")),
        "an existing backup is never overwritten: {:?}",
        again.err().map(|error| error.to_string())
    );
    assert_restored(app.database_url(), &format!("sqlite://{}", copy.display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_dump_restores_everything_into_a_new_database() {
    if !klarsicht_tests::postgres_available() {
        return;
    }
    let app = portal_in_use(Backend::Postgres).await;
    let directory = tempfile::tempdir().expect("a directory");
    let dump = directory.path().join("klarsicht.dump");
    let status = std::process::Command::new("pg_dump")
        .args(["--format=custom", "--file"])
        .arg(&dump)
        .arg(app.database_url())
        .status()
        .expect("pg_dump runs");
    assert!(status.success(), "pg_dump succeeds");

    let settings = Settings::check(test_settings(app.database_url())).expect("valid settings");
    let refused = startup::back_up(&settings, &directory.path().join("nicht.db")).await;
    assert!(
        matches!(&refused, Err(StartupError::Database(error)) if error.to_string().contains("pg_dump")),
        "`server backup` points PostgreSQL to pg_dump"
    );

    let target = TestDatabase::create(Backend::Postgres).await;
    let status = std::process::Command::new("pg_restore")
        .args(["--no-owner", "--exit-on-error", "--dbname"])
        .arg(target.url())
        .arg(&dump)
        .status()
        .expect("pg_restore runs");
    assert!(status.success(), "pg_restore succeeds");
    assert_restored(app.database_url(), target.url()).await;
}
