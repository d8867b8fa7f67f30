//! The access log is a hash chain per lane under the server's secret: intact after many appends
//! (also concurrent ones, which PostgreSQL spreads over lanes), and every edit, deletion,
//! reordering or truncation is detected, and a lane set back to its start too. A citizen's check
//! covers their newest entries with their neighbours and the heads, and finds what their page
//! says it finds; what it says only the whole-log check finds, that check finds.

use app::{
    office::OfficeCode,
    policy::Category,
    server::{
        access_log::{AccessLog, CITIZEN_CHECK_LIMIT, CitizenVerification, LogBasis, LogKey, NewEntry, Problem},
        db::{CitizenId, Database, DatabaseUrl, StaffId},
    },
};
use std::time::Duration;

use klarsicht_tests::{Backend, TestApp, Visitor, count_rows, demo, on_both_databases, tamper, query_i64};
use sqlx::{Connection, PgConnection};

async fn log_of(app: &TestApp) -> AccessLog {
    let url = DatabaseUrl::parse(app.database_url()).expect("a valid URL");
    let database = Database::connect(&url, 4).await.expect("connects");
    AccessLog::new(database, LogKey::derive("klarsicht-development-secret-never-use-in-production"))
}

fn entry(purpose: &str) -> NewEntry {
    NewEntry {
        staff: StaffId::parse(demo::LENA_HOFFMANN).expect("an id"),
        office: OfficeCode::new("jugendamt"),
        citizen: CitizenId::parse(demo::JONAS_WEBER).expect("an id"),
        categories: vec![Category::ChildrenUpbringing, Category::Household],
        purpose: purpose.to_owned(),
        basis: LogBasis::Application,
        basis_ref: None,
    }
}

fn entry_about(citizen: &str, purpose: &str) -> NewEntry {
    NewEntry { citizen: CitizenId::parse(citizen).expect("an id"), ..entry(purpose) }
}

fn jonas() -> CitizenId {
    CitizenId::parse(demo::JONAS_WEBER).expect("an id")
}

/// Lane 1's start: the `prev_hash` of its first entry, and its head's `entry_hash` before it.
const LANE_1_START: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An app whose log holds one entry about each of `whose`, in turn (seq 1, 2, …; appended one
/// after another, so all in lane 1).
async fn log_about(backend: Backend, whose: &[&str]) -> (TestApp, AccessLog) {
    let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
    let log = log_of(&app).await;
    for (number, citizen) in (1_i64..).zip(whose) {
        assert_eq!(log.append(entry_about(citizen, &format!("Bearbeitung {number}"))).await.expect("appended"), number);
    }
    (app, log)
}

/// What the citizen's check (`buerger/protokoll-pruefen`) answers Jonas, in a session of its
/// own, so that no earlier result in the session stands in for it.
async fn jonas_checks(app: &TestApp) -> serde_json::Value {
    let mut jonas = Visitor::new(app);
    jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
    let (status, check) = jonas.call("buerger/protokoll-pruefen", &[]).await;
    assert_eq!(status, 200, "{check}");
    check
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

    async fn concurrent_appends_keep_every_chain_unbroken(backend: Backend) {
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
        tamper(app.database_url(), "UPDATE access_log SET purpose = 'harmlos' WHERE seq = 3").await;
        assert_eq!(log.verify().await.expect("verifies").problem, Some(Problem::Altered { seq: 3 }));
    }

    async fn an_edited_category_list_is_detected(backend: Backend) {
        let (app, log) = log_with_five_entries(backend).await;
        let narrower = match backend {
            Backend::Sqlite => "UPDATE access_log SET categories = '[\"household\"]' WHERE seq = 2",
            Backend::Postgres => "UPDATE access_log SET categories = '[\"household\"]'::jsonb WHERE seq = 2",
        };
        tamper(app.database_url(), narrower).await;
        assert_eq!(log.verify().await.expect("verifies").problem, Some(Problem::Altered { seq: 2 }));
    }

    async fn a_deleted_entry_is_detected(backend: Backend) {
        let (app, log) = log_with_five_entries(backend).await;
        tamper(app.database_url(), "DELETE FROM access_log WHERE seq = 2").await;
        assert_eq!(log.verify().await.expect("verifies").problem, Some(Problem::Broken { seq: 3 }));
    }

    async fn reordered_entries_are_detected(backend: Backend) {
        let (app, log) = log_with_five_entries(backend).await;
        tamper(
            app.database_url(),
            "UPDATE access_log SET seq = 1000 WHERE seq = 2; UPDATE access_log SET seq = 2 WHERE seq = 4; UPDATE access_log SET seq = 4 WHERE seq = 1000;",
        )
        .await;
        assert_eq!(log.verify().await.expect("verifies").problem, Some(Problem::Broken { seq: 2 }));
    }

    async fn a_truncated_log_is_detected(backend: Backend) {
        let (app, log) = log_with_five_entries(backend).await;
        tamper(app.database_url(), "DELETE FROM access_log WHERE seq >= 4").await;
        assert_eq!(log.verify().await.expect("verifies").problem, Some(Problem::Head));
        assert_eq!(count_rows(app.database_url(), "access_log").await, 3);
    }

    async fn a_head_moved_back_without_the_secret_is_detected(backend: Backend) {
        let (app, log) = log_with_five_entries(backend).await;
        tamper(
            app.database_url(),
            "DELETE FROM access_log WHERE seq = 5; \
             UPDATE access_log_lanes SET seq = 4, entry_hash = (SELECT entry_hash FROM access_log WHERE seq = 4) WHERE lane = 1;",
        )
        .await;
        assert_eq!(log.verify().await.expect("verifies").problem, Some(Problem::Head));
    }

    async fn every_lane_starts_sealed(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let unsealed = query_i64(app.database_url(), "SELECT COUNT(*) FROM access_log_lanes WHERE mac = ''").await;
        assert_eq!(unsealed, 0, "start-up seals the start of every lane the migrations created");
        let verification = log_of(&app).await.verify().await.expect("verifies");
        assert!(verification.is_intact() && verification.entries == 0, "{verification:?}");
    }

    async fn a_lane_set_back_to_its_start_is_detected_also_after_a_restart(backend: Backend) {
        // Lane 1's entries deleted and its head set to its start: SQLite's only lane, and on
        // PostgreSQL the lane these appends, one after another, all took, so no other head saw
        // it open. A head at seq 0 used to count as a lane that never had entries, MAC or not.
        let (mut app, log) = log_with_five_entries(backend).await;
        tamper(
            app.database_url(),
            &format!(
                "DELETE FROM access_log WHERE lane = 1; \
                 UPDATE access_log_lanes SET seq = 0, entry_hash = '{LANE_1_START}', mac = '', opened = 0 WHERE lane = 1;"
            ),
        )
        .await;
        assert_eq!(count_rows(app.database_url(), "access_log").await, 0);
        assert_eq!(log.verify().await.expect("verifies").problem, Some(Problem::Head));
        assert_eq!(log.verify_citizen(jonas()).await.expect("verifies").problem, Some(Problem::Head));
        assert_eq!(jonas_checks(&app).await["intact"], false);

        // Start-up seals only the lanes of a new log: the lane set back stays unsealed.
        app.restart().await;
        let unsealed = query_i64(app.database_url(), "SELECT COUNT(*) FROM access_log_lanes WHERE mac = ''").await;
        assert_eq!(unsealed, 1);
        assert_eq!(log.verify().await.expect("verifies").problem, Some(Problem::Head));
        assert_eq!(jonas_checks(&app).await["intact"], false);
    }

    async fn a_citizens_check_finds_an_entry_of_theirs_changed(backend: Backend) {
        let (app, log) =
            log_about(backend, &[demo::JONAS_WEBER, demo::ANNA_BECKER, demo::JONAS_WEBER, demo::ANNA_BECKER]).await;
        assert_eq!(
            log.verify_citizen(jonas()).await.expect("verifies"),
            CitizenVerification { entries: 2, capped: false, problem: None }
        );
        assert_eq!(jonas_checks(&app).await, serde_json::json!({ "intact": true, "capped": false }));

        tamper(app.database_url(), "UPDATE access_log SET purpose = 'harmlos' WHERE seq = 3").await;
        assert_eq!(log.verify_citizen(jonas()).await.expect("verifies").problem, Some(Problem::Altered { seq: 3 }));
        assert_eq!(log.verify().await.expect("verifies").problem, Some(Problem::Altered { seq: 3 }));
        assert_eq!(jonas_checks(&app).await, serde_json::json!({ "intact": false, "capped": false }));
    }

    async fn a_citizens_check_finds_an_entry_deleted_next_to_theirs(backend: Backend) {
        let (app, log) =
            log_about(backend, &[demo::JONAS_WEBER, demo::ANNA_BECKER, demo::JONAS_WEBER, demo::ANNA_BECKER]).await;
        tamper(app.database_url(), "DELETE FROM access_log WHERE seq = 2").await;
        assert_eq!(
            log.verify_citizen(jonas()).await.expect("verifies").problem,
            Some(Problem::Broken { seq: 1 }),
            "the entry after his first is gone"
        );
        assert_eq!(log.verify().await.expect("verifies").problem, Some(Problem::Broken { seq: 3 }));
        assert_eq!(jonas_checks(&app).await["intact"], false);
    }

    async fn a_citizens_check_finds_the_log_cut_off_at_its_end(backend: Backend) {
        let (app, log) = log_about(backend, &[demo::JONAS_WEBER, demo::ANNA_BECKER, demo::ANNA_BECKER]).await;
        tamper(app.database_url(), "DELETE FROM access_log WHERE seq = 3").await;
        assert_eq!(log.verify_citizen(jonas()).await.expect("verifies").problem, Some(Problem::Head));
        assert_eq!(jonas_checks(&app).await["intact"], false);
    }

    async fn an_entry_deleted_where_none_of_the_citizens_stands_is_found_by_the_whole_log_check(backend: Backend) {
        // What his page says his check cannot find: his own entry deleted between two of Anna's.
        let (app, log) = log_about(backend, &[demo::ANNA_BECKER, demo::JONAS_WEBER, demo::ANNA_BECKER]).await;
        tamper(app.database_url(), "DELETE FROM access_log WHERE seq = 2").await;
        assert_eq!(
            log.verify_citizen(jonas()).await.expect("verifies"),
            CitizenVerification { entries: 0, capped: false, problem: None }
        );
        assert_eq!(log.verify().await.expect("verifies").problem, Some(Problem::Broken { seq: 3 }));
    }

    async fn a_citizens_check_covers_their_newest_entries_and_says_there_are_more(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let log = log_of(&app).await;
        for number in 0..=CITIZEN_CHECK_LIMIT {
            log.append(entry(&format!("Bearbeitung {number}"))).await.expect("appended");
        }
        assert_eq!(
            log.verify_citizen(jonas()).await.expect("verifies"),
            CitizenVerification { entries: CITIZEN_CHECK_LIMIT, capped: true, problem: None }
        );
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        let (status, check) = jonas.call("buerger/protokoll-pruefen", &[]).await;
        assert_eq!((status, check), (200, serde_json::json!({ "intact": true, "capped": true })));
        // The page's own check, in the browser, covers the newest 100 and says so.
        let page = jonas.get("/buerger/zugriffe").await;
        let html = page.text().await.expect("a page").replace("<!>", "");
        assert!(html.contains("Ihr Browser prüft die neuesten 100 hier gezeigten Zugriffe selbst"), "the page says so");
    }

    async fn a_second_check_within_a_minute_answers_the_first_result(backend: Backend) {
        // What bounds how often one person's clicks check: the session keeps the result a minute.
        let (app, _log) = log_with_five_entries(backend).await;
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        let (_, first) = jonas.call("buerger/protokoll-pruefen", &[]).await;
        assert_eq!(first["intact"], true, "{first}");
        tamper(app.database_url(), "UPDATE access_log SET purpose = 'harmlos' WHERE seq = 3").await;
        let (_, again) = jonas.call("buerger/protokoll-pruefen", &[]).await;
        assert_eq!(again["intact"], true, "the first result, not a second check: {again}");
        assert_eq!(jonas_checks(&app).await["intact"], false, "another session's check finds it");
    }

    async fn another_secret_cannot_verify_the_log(backend: Backend) {
        let (app, _log) = log_with_five_entries(backend).await;
        let url = DatabaseUrl::parse(app.database_url()).expect("a valid URL");
        let database = Database::connect(&url, 1).await.expect("connects");
        let forger = AccessLog::new(database, LogKey::derive("a-secret-somebody-guessed"));
        assert_eq!(forger.verify().await.expect("verifies").problem, Some(Problem::Altered { seq: 1 }));
    }
}

/// On PostgreSQL an append takes the first lane no other transaction holds: while another
/// transaction holds lane 1, the next append goes to lane 2 instead of waiting, and each lane's
/// chain and head are checked on their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_append_takes_a_free_lane_and_every_lane_is_checked() {
    if !klarsicht_tests::postgres_available() {
        return;
    }
    let app = TestApp::spawn_with(Backend::Postgres, |settings| settings.demo_data = Some(true)).await;
    let log = log_of(&app).await;
    assert_eq!(log.append(entry("Bearbeitung 1")).await.expect("appended"), 1);

    let mut holder = PgConnection::connect(app.database_url()).await.expect("PostgreSQL accepts a connection");
    let mut holding = holder.begin().await.expect("a transaction");
    sqlx::query("SELECT lane FROM access_log_lanes WHERE lane = 1 FOR UPDATE").execute(&mut *holding).await.expect("lane 1 held");
    let second = tokio::time::timeout(Duration::from_secs(30), log.append(entry("Bearbeitung 2")))
        .await
        .expect("the append does not wait for the held lane");
    assert_eq!(second.expect("appended"), 2);
    holding.rollback().await.expect("lane 1 free again");
    assert_eq!(log.append(entry("Bearbeitung 3")).await.expect("appended"), 3);

    let mut reader = PgConnection::connect(app.database_url()).await.expect("PostgreSQL accepts a connection");
    let lanes: Vec<i64> =
        sqlx::query_scalar("SELECT lane FROM access_log ORDER BY seq").fetch_all(&mut reader).await.expect("the lanes");
    assert_eq!(lanes, [1, 2, 1]);
    let verification = log.verify().await.expect("verifies");
    assert!(verification.is_intact(), "{verification:?}");
    assert_eq!(verification.entries, 3);

    // Lane 2's only entry cut off: its head no longer fits, though lane 1 is whole.
    tamper(app.database_url(), "DELETE FROM access_log WHERE seq = 2").await;
    assert_eq!(log.verify().await.expect("verifies").problem, Some(Problem::Head));
    // Lane 2's head set back to its start as well: lane 1's head, written after lane 2 opened,
    // still names lane 2 among the lanes with entries.
    tamper(
        app.database_url(),
        "UPDATE access_log_lanes SET seq = 0, entry_hash = lpad('1', 64, '0'), mac = '', opened = 0 WHERE lane = 2",
    )
    .await;
    assert_eq!(log.verify().await.expect("verifies").problem, Some(Problem::Head));
}
