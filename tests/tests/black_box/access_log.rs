//! The access log is a hash chain under the server's secret: intact after many appends (also
//! concurrent ones), and every edit, deletion, reordering or truncation is detected.

use app::{
    policy::Category,
    server::{
        access_log::{AccessLog, LogBasis, LogKey, NewEntry, Problem},
        db::{Database, DatabaseUrl, Id},
    },
};
use klarsicht_tests::{Backend, TestApp, count_rows, demo, execute, on_both_databases};

async fn log_of(app: &TestApp) -> AccessLog {
    let url = DatabaseUrl::parse(app.database_url()).expect("a valid URL");
    let database = Database::connect(&url, 4).await.expect("connects");
    AccessLog::new(database, LogKey::derive("klarsicht-development-secret-never-use-in-production"))
}

fn entry(purpose: &str) -> NewEntry {
    NewEntry {
        staff: Id::parse(demo::LENA_HOFFMANN).expect("an id"),
        office: "jugendamt".to_owned(),
        citizen: Id::parse(demo::JONAS_WEBER).expect("an id"),
        categories: vec![Category::ChildrenUpbringing, Category::Household],
        purpose: purpose.to_owned(),
        basis: LogBasis::Application,
        basis_ref: None,
    }
}

async fn log_with_five_entries(backend: Backend) -> (TestApp, AccessLog) {
    let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
    let log = log_of(&app).await;
    for number in 1..=5 {
        assert_eq!(log.append(entry(&format!("Bearbeitung {number}"))).await.expect("appended"), number);
    }
    (app, log)
}

on_both_databases! {
    async fn an_empty_log_and_a_log_of_appends_are_intact(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let log = log_of(&app).await;
        let empty = log.verify().await.expect("verifies");
        assert!(empty.is_intact() && empty.entries == 0, "{empty:?}");
        for number in 1..=5 {
            log.append(entry(&format!("Bearbeitung {number}"))).await.expect("appended");
        }
        let full = log.verify().await.expect("verifies");
        assert!(full.is_intact(), "{full:?}");
        assert_eq!(full.entries, 5);
    }

    async fn concurrent_appends_keep_one_unbroken_chain(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let log = log_of(&app).await;
        let appends: Vec<_> = (0..20).map(|number| {
            let log = log.clone();
            tokio::spawn(async move { log.append(entry(&format!("gleichzeitig {number}"))).await })
        }).collect();
        for append in appends {
            append.await.expect("the task ran").expect("appended");
        }
        let verification = log.verify().await.expect("verifies");
        assert!(verification.is_intact(), "{verification:?}");
        assert_eq!(verification.entries, 20);
    }

    async fn an_edited_entry_is_detected(backend: Backend) {
        let (app, log) = log_with_five_entries(backend).await;
        execute(app.database_url(), "UPDATE access_log SET purpose = 'harmlos' WHERE seq = 3").await;
        assert_eq!(log.verify().await.expect("verifies").problem, Some(Problem::Altered { seq: 3 }));
    }

    async fn an_edited_category_list_is_detected(backend: Backend) {
        let (app, log) = log_with_five_entries(backend).await;
        let narrower = match backend {
            Backend::Sqlite => "UPDATE access_log SET categories = '[\"household\"]' WHERE seq = 2",
            Backend::Postgres => "UPDATE access_log SET categories = '[\"household\"]'::jsonb WHERE seq = 2",
        };
        execute(app.database_url(), narrower).await;
        assert_eq!(log.verify().await.expect("verifies").problem, Some(Problem::Altered { seq: 2 }));
    }

    async fn a_deleted_entry_is_detected(backend: Backend) {
        let (app, log) = log_with_five_entries(backend).await;
        execute(app.database_url(), "DELETE FROM access_log WHERE seq = 2").await;
        assert_eq!(log.verify().await.expect("verifies").problem, Some(Problem::Broken { seq: 3 }));
    }

    async fn reordered_entries_are_detected(backend: Backend) {
        let (app, log) = log_with_five_entries(backend).await;
        execute(
            app.database_url(),
            "UPDATE access_log SET seq = 1000 WHERE seq = 2; UPDATE access_log SET seq = 2 WHERE seq = 4; UPDATE access_log SET seq = 4 WHERE seq = 1000;",
        )
        .await;
        assert_eq!(log.verify().await.expect("verifies").problem, Some(Problem::Broken { seq: 2 }));
    }

    async fn a_truncated_log_is_detected(backend: Backend) {
        let (app, log) = log_with_five_entries(backend).await;
        execute(app.database_url(), "DELETE FROM access_log WHERE seq >= 4").await;
        assert_eq!(log.verify().await.expect("verifies").problem, Some(Problem::Head));
        assert_eq!(count_rows(app.database_url(), "access_log").await, 3);
    }

    async fn a_head_moved_back_without_the_secret_is_detected(backend: Backend) {
        let (app, log) = log_with_five_entries(backend).await;
        execute(
            app.database_url(),
            "DELETE FROM access_log WHERE seq = 5; \
             UPDATE access_log_head SET seq = 4, entry_hash = (SELECT entry_hash FROM access_log WHERE seq = 4) WHERE id = 1;",
        )
        .await;
        assert_eq!(log.verify().await.expect("verifies").problem, Some(Problem::Head));
    }

    async fn another_secret_cannot_verify_the_log(backend: Backend) {
        let (app, _log) = log_with_five_entries(backend).await;
        let url = DatabaseUrl::parse(app.database_url()).expect("a valid URL");
        let database = Database::connect(&url, 1).await.expect("connects");
        let forger = AccessLog::new(database, LogKey::derive("a-secret-somebody-guessed"));
        assert_eq!(forger.verify().await.expect("verifies").problem, Some(Problem::Altered { seq: 1 }));
    }
}
