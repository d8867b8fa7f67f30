//! Retention on both databases: closed applications lose the answers of each category once its
//! retention period has passed since the closing, and go altogether once every category has;
//! the citizen's own data and the access log stay; every run is written to `retention_runs`,
//! also when it is started as the `server retention` command.

use app::server::{
    db::{Database, DatabaseUrl, Timestamp},
    retention::Retention,
};
use clap::Parser;
use klarsicht_tests::{TestApp, Visitor, count_rows, demo, execute, on_both_databases, query_i64};

/// Jonas: Wohngeld at the Wohngeldstelle (demo data, submitted).
const WOHNGELD_OF_JONAS: &str = "00000000-0000-4000-8000-000000000701";
/// Jonas for Mia: Hilfe zur Erziehung at the Jugendamt (demo data, in review).
const HZE_FOR_MIA: &str = "00000000-0000-4000-8000-000000000702";

/// A closing `days` ago, in the text both backends read.
fn days_ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days)).format("%Y-%m-%dT%H:%M:%S.000000Z").to_string()
}

/// Closes `application` as `days` ago.
pub(crate) async fn close(url: &str, application: &str, days: i64) {
    execute(url, &format!("UPDATE applications SET status = 'closed', closed_at = '{}' WHERE id = '{application}'", days_ago(days)))
        .await;
}

on_both_databases! {
    async fn what_is_past_retention_goes_and_the_run_is_recorded(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        // Reads of Jonas's data are in the log before; the log records reads, not data, and stays.
        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
        let (status, _) = sabine.call("mitarbeitende/akte", &[("application", WOHNGELD_OF_JONAS)]).await;
        assert_eq!(status, 200);
        let log_before = count_rows(&url, "access_log").await;
        let citizen_data_before = count_rows(&url, "citizen_data").await;
        let closed_count_before =
            query_i64(&url, "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) FROM queue_counts WHERE office_code = 'wohngeldstelle'").await;

        // Wohngeld closed eleven years ago: every category (five and ten years) is past.
        close(&url, WOHNGELD_OF_JONAS, 11 * 365).await;
        // Hilfe zur Erziehung closed six years ago: five-year categories past, ten-year ones not.
        close(&url, HZE_FOR_MIA, 6 * 365).await;
        let hze_answers = count_rows(&url, &format!("application_answers WHERE application_id = '{HZE_FOR_MIA}'")).await;
        let hze_short = query_i64(&url, &format!(
            "SELECT COUNT(*) FROM application_answers w JOIN data_categories c ON c.code = w.category_code \
             WHERE w.application_id = '{HZE_FOR_MIA}' AND c.retention_days < 6 * 365"
        )).await;
        assert!(hze_short > 0 && hze_short < hze_answers, "the demo has both kinds: {hze_short} of {hze_answers}");

        let database = Database::connect(&DatabaseUrl::parse(&url).expect("url"), 2).await.expect("database");
        let retention = Retention::new(database);
        let report = retention.run_retention(Timestamp::now()).await.expect("a run");
        assert_eq!((report.deleted, report.anonymized), (1, 1), "{report:?}");
        assert_eq!(report.deleted_by_office.get("wohngeldstelle"), Some(&1));
        assert_eq!(report.answers_removed.values().sum::<u64>(), u64::try_from(hze_short).expect("count"));

        for table in ["applications WHERE id", "application_answers WHERE application_id", "documents WHERE application_id",
            "messages WHERE application_id", "application_events WHERE application_id"] {
            assert_eq!(count_rows(&url, &format!("{table} = '{WOHNGELD_OF_JONAS}'")).await, 0, "{table}: gone");
        }
        assert_eq!(
            count_rows(&url, &format!("application_answers WHERE application_id = '{HZE_FOR_MIA}'")).await,
            hze_answers - hze_short,
            "only the five-year categories left the youth office's application"
        );
        assert_eq!(count_rows(&url, &format!("applications WHERE id = '{HZE_FOR_MIA}'")).await, 1);
        assert_eq!(count_rows(&url, "access_log").await, log_before, "the log of reads stays");
        assert_eq!(count_rows(&url, "citizen_data").await, citizen_data_before, "the citizen's own data stays");
        assert_eq!(
            query_i64(&url, "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) FROM queue_counts WHERE office_code = 'wohngeldstelle'").await,
            closed_count_before - 1,
            "the queue's counts follow"
        );
        assert_eq!(
            query_i64(&url, "SELECT COUNT(*) FROM retention_runs WHERE deleted_count = 1 AND anonymized_count = 1").await,
            1,
            "the run is on record"
        );

        // The command does the same, and a run with nothing to do is recorded too.
        let cli = server::settings::Cli::try_parse_from(["server", "retention", "--database-url", &url, "--mode", "development"])
            .expect("parsed");
        server::run(cli).await.expect("the command runs");
        assert_eq!(count_rows(&url, "retention_runs").await, 2);
        let runs = retention.retention_runs(10).await.expect("runs");
        assert_eq!((runs[0].deleted, runs[0].anonymized), (0, 0), "newest first: nothing left to do");
        assert_eq!(runs[1].deleted_by_office.get("wohngeldstelle"), Some(&1));
        let detail: Vec<String> = runs.iter().map(|run| format!("{run:?}")).collect();
        assert!(!detail.concat().contains("Jonas") && !detail.concat().contains(WOHNGELD_OF_JONAS), "counts only: {detail:?}");
    }
}

on_both_databases! {
    async fn a_case_with_nothing_left_to_read_answers_like_an_unknown_one(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
        let unknown = "00000000-0000-4000-8000-0000000007ff";
        let unknown_answer = sabine.call("mitarbeitende/akte", &[("application", unknown)]).await;
        assert_eq!(unknown_answer.0, 404);
        let unknown_page = sabine.page(&format!("/mitarbeitende/faelle/{unknown}")).await.replace(unknown, "ID");
        assert!(unknown_page.starts_with("404"), "{unknown_page}");

        // Closed eleven years ago: every category of the Wohngeld form is past its retention,
        // though no retention run has removed the application yet.
        close(&url, WOHNGELD_OF_JONAS, 11 * 365).await;
        let log_before = count_rows(&url, "access_log").await;
        for endpoint in ["mitarbeitende/akte", "mitarbeitende/schutzvermerke"] {
            let answer = sabine.call(endpoint, &[("application", WOHNGELD_OF_JONAS)]).await;
            assert_eq!(answer, unknown_answer, "{endpoint}: the 404 of an unknown case");
        }
        let page = sabine.page(&format!("/mitarbeitende/faelle/{WOHNGELD_OF_JONAS}")).await.replace(WOHNGELD_OF_JONAS, "ID");
        assert_eq!(page, unknown_page, "the page of an unknown case");
        assert_eq!(count_rows(&url, "access_log").await, log_before, "nothing was read, nothing logged");
    }
}

on_both_databases! {
    async fn a_name_past_its_retention_is_neither_shown_nor_found(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        // Identity kept shorter than income: six years after the closing, the case still has
        // something to read, but no longer the applicant's name.
        execute(&url, "UPDATE data_categories SET retention_days = 1000 WHERE code = 'identity'").await;
        close(&url, WOHNGELD_OF_JONAS, 6 * 365).await;
        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
        let (status, case) = sabine.call("mitarbeitende/akte", &[("application", WOHNGELD_OF_JONAS)]).await;
        assert_eq!(status, 200, "income is still readable: {case}");
        assert!(case["case"]["data"]["income_assets"].is_object(), "{case}");
        assert_eq!(case["applicant"]["name"], "", "but not his name");
        assert!(case["case"]["data"].get("identity").is_none() && case["case"]["answers"].get("identity").is_none(), "{case}");
        let logged = query_i64(&url, &format!(
            "SELECT COUNT(*) FROM access_log WHERE basis_ref = '{WOHNGELD_OF_JONAS}' AND CAST(categories AS TEXT) LIKE '%identity%'"
        )).await;
        assert_eq!(logged, 0, "and no read of it is logged");
        let page = sabine.page(&format!("/mitarbeitende/faelle/{WOHNGELD_OF_JONAS}")).await;
        assert!(page.starts_with("200") && page.contains("Für diesen Fall nicht mehr lesbar"), "{page}");
        // His name stays only where the bank account data, still readable, holds it.
        let names: Vec<&str> = page.match_indices("Jonas").map(|(at, _)| &page[at.saturating_sub(80)..at + 40]).collect();
        assert!(names.iter().all(|context| context.contains("Kontoinhaber")), "{names:?}");

        let (_, by_name) = sabine.call("mitarbeitende/warteschlange", &[("list", "abgeschlossen"), ("search", "Weber")]).await;
        assert_eq!(by_name["items"], serde_json::json!([]), "a search by name finds no name it may not read: {by_name}");
        assert_eq!(by_name["total"], 0);
        let (_, by_reference) = sabine.call("mitarbeitende/warteschlange", &[("list", "abgeschlossen"), ("search", "KS-2026-000001")]).await;
        assert_eq!(by_reference["items"][0]["reference"], "KS-2026-000001", "by its reference it is there: {by_reference}");
        assert_eq!(by_reference["items"][0]["applicant"], serde_json::Value::Null);
    }
}
