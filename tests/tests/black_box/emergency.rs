//! Emergency access (§ 8a SGB VIII) through the staff's server functions: opened by a youth-office
//! caseworker with reason, categories and a bounded duration; in force only once a second
//! caseworker of that office confirms it; ended by time or by hand; shown to the citizen unless a
//! recorded deferral holds it back until a date; always shown to the data protection officer.

use app::server::{
    db::{Database, DatabaseUrl},
    retention::Retention,
};
use klarsicht_tests::{TestApp, Visitor, count_rows, demo, execute, location, on_both_databases, query_i64};

/// Jonas for Mia: Hilfe zur Erziehung at the Jugendamt (demo data).
const HZE_FOR_MIA: &str = "00000000-0000-4000-8000-000000000702";
/// Jonas: Wohngeld at the Wohngeldstelle (demo data).
const WOHNGELD_OF_JONAS: &str = "00000000-0000-4000-8000-000000000701";
const REASON: &str = "Hinweise auf akute Gefährdung des Kindes nach § 8a SGB VIII";

async fn open(visitor: &mut Visitor<'_>, application: &str, person: &str, hours: &str) -> (u16, serde_json::Value) {
    visitor
        .call(
            "mitarbeitende/notzugriff-oeffnen",
            &[
                ("application", application),
                ("person", person),
                ("reason", REASON),
                ("categories[0]", "income_assets,bank_account"),
                ("hours", hours),
            ],
        )
        .await
}

/// Each deferral form of an emergency page, in the page's order: whether it is open, and what
/// it holds.
fn deferral_forms(html: &str) -> Vec<(bool, &str)> {
    html.split("<details")
        .skip(1)
        .filter_map(|rest| rest.split_once('>'))
        .filter(|(tag, _)| tag.contains(r#"class="deferral""#))
        .map(|(tag, rest)| {
            let open = tag.split_whitespace().any(|word| word == "open" || word.starts_with("open="));
            (open, rest.split("</details>").next().unwrap_or_default())
        })
        .collect()
}

fn date_in_days(days: i64) -> String {
    let date = time::OffsetDateTime::now_utc().date() + time::Duration::days(days);
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

on_both_databases! {
    async fn an_emergency_access_needs_a_second_person_and_shows_in_the_citizens_log(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        let mut lena = Visitor::new(&app);
        lena.sign_in_as_demo(demo::LENA_HOFFMANN).await;
        let mut tobias = Visitor::new(&app);
        tobias.sign_in_as_demo(demo::TOBIAS_KRUEGER).await;

        let (status, id) = open(&mut lena, HZE_FOR_MIA, demo::JONAS_WEBER, "24").await;
        assert_eq!(status, 200, "{id}");
        let id = id.as_str().expect("the id").to_owned();
        let (status, _) = lena.call("mitarbeitende/notzugriff-daten", &[("emergency", &id)]).await;
        assert_eq!(status, 404, "pending: not in force");
        let (_, list) = tobias.call("mitarbeitende/notzugriffe", &[]).await;
        let listed = &list["accesses"];
        assert_eq!(listed[0]["status"], "pending");
        assert_eq!(listed[0]["opened_by"], "Lena Hoffmann");
        assert_eq!(listed[0]["opened_by_me"], false);

        let (status, error) = lena.call("mitarbeitende/notzugriff-bestaetigen", &[("emergency", &id)]).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("emergency")), "not by the one who opened it: {error}");
        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
        let (status, _) = sabine.call("mitarbeitende/notzugriff-bestaetigen", &[("emergency", &id)]).await;
        assert_eq!(status, 404, "another office does not know it");

        let (status, body) = tobias.call("mitarbeitende/notzugriff-bestaetigen", &[("emergency", &id)]).await;
        assert_eq!(status, 200, "{body}");
        let (status, view) = lena.call("mitarbeitende/notzugriff-daten", &[("emergency", &id)]).await;
        assert_eq!(status, 200, "{view}");
        let seen: Vec<&String> = view["data"].as_object().expect("data").keys().collect();
        assert_eq!(seen, ["bank_account", "income_assets"], "exactly the named categories");
        assert_eq!(view["purpose"], REASON);
        let labels = view["labels"].as_array().expect("the fields' labels");
        assert!(labels.iter().any(|label| label["category"] == "bank_account" && label["key"] == "iban"), "{view}");
        let shown = |label: &serde_json::Value| {
            view["data"][label["category"].as_str().unwrap_or_default()].get(label["key"].as_str().unwrap_or_default()).is_some()
        };
        assert!(labels.iter().all(shown), "labels only of the fields the view shows: {view}");
        assert!(view["categories"].as_array().expect("names").iter().any(|name| name["code"] == "bank_account"));
        assert_eq!(
            query_i64(&url, &format!("SELECT COUNT(*) FROM access_log WHERE basis = 'emergency' AND basis_ref = '{id}'")).await,
            1,
            "the read is logged on the emergency basis"
        );

        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        let (_, log) = jonas.call("buerger/zugriffe", &[]).await;
        assert_eq!(log["entries"][0]["basis"], "emergency", "{log}");
        assert_eq!(log["emergencies"][0]["id"], id.as_str());
        assert_eq!(log["emergencies"][0]["reason"], REASON);

        // A deferral: a recorded decision with a date no later than the maximum.
        let (status, error) = tobias.call(
            "mitarbeitende/notzugriff-zurueckstellen",
            &[("emergency", &id), ("reason", "Die Mitteilung würde das Kind jetzt gefährden."), ("until", &date_in_days(91))],
        ).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("until")), "{error}");
        let (status, error) = lena.call(
            "mitarbeitende/notzugriff-zurueckstellen",
            &[("emergency", &id), ("reason", "Die Mitteilung würde das Kind jetzt gefährden."), ("until", &date_in_days(30))],
        ).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("emergency")), "not by the one who opened it: {error}");
        let (status, body) = tobias.call(
            "mitarbeitende/notzugriff-zurueckstellen",
            &[("emergency", &id), ("reason", "Die Mitteilung würde das Kind jetzt gefährden."), ("until", &date_in_days(30))],
        ).await;
        assert_eq!(status, 200, "{body}");
        let (status, error) = tobias.call(
            "mitarbeitende/notzugriff-zurueckstellen",
            &[("emergency", &id), ("reason", "Noch einmal verlängern, bitte."), ("until", &date_in_days(60))],
        ).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("emergency")), "once only: {error}");
        let (_, data) = jonas.call("buerger/daten", &[]).await;
        assert!(!data.to_string().contains("\"basis\":\"emergency\""), "held back on the data page too: {data}");
        let (_, log) = jonas.call("buerger/zugriffe", &[]).await;
        assert_eq!(log["entries"], serde_json::json!([]), "held back until the date: {log}");
        assert_eq!(log["emergencies"], serde_json::json!([]));

        let mut claudia = Visitor::new(&app);
        claudia.sign_in_as_demo(demo::CLAUDIA_NEUMANN).await;
        let (status, review) = claudia.call("datenschutz/notzugriffe", &[]).await;
        assert_eq!(status, 200);
        assert_eq!(review[0]["id"], id.as_str());
        assert_eq!(review[0]["confirmed_by"], "Tobias Krüger");
        assert_eq!(review[0]["deferral_reason"], "Die Mitteilung würde das Kind jetzt gefährden.");
        assert!(review[0]["deferred_until"].is_string());
        assert!(!review.to_string().contains("iban") && !review.to_string().contains("nettoeinkommen"), "no case content, only category codes: {review}");

        execute(&url, "UPDATE access_log_deferrals SET visible_from = '2026-01-01T00:00:00.000000Z', created_at = '2025-12-01T00:00:00.000000Z'").await;
        let (_, log) = jonas.call("buerger/zugriffe", &[]).await;
        assert_eq!(log["emergencies"][0]["id"], id.as_str(), "a deferral never hides anything for good");
        let (_, data) = jonas.call("buerger/daten", &[]).await;
        assert!(data.to_string().contains("\"basis\":\"emergency\""), "and shown on the data page: {data}");
        assert_eq!(log["entries"][0]["basis"], "emergency");
    }

    async fn an_emergency_access_ends_by_itself_or_by_hand(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        let mut lena = Visitor::new(&app);
        lena.sign_in_as_demo(demo::LENA_HOFFMANN).await;
        let mut tobias = Visitor::new(&app);
        tobias.sign_in_as_demo(demo::TOBIAS_KRUEGER).await;

        let (_, first) = open(&mut lena, HZE_FOR_MIA, demo::MIA_WEBER, "1").await;
        let first = first.as_str().expect("id").to_owned();
        tobias.call("mitarbeitende/notzugriff-bestaetigen", &[("emergency", &first)]).await;
        execute(&url, &format!(
            "UPDATE emergency_accesses SET opened_at = '2026-01-01T00:00:00.000000Z', confirmed_at = '2026-01-01T00:10:00.000000Z', \
             expires_at = '2026-01-01T01:10:00.000000Z' WHERE id = '{first}'"
        )).await;
        let log_before = count_rows(&url, "access_log").await;
        let (status, _) = lena.call("mitarbeitende/notzugriff-daten", &[("emergency", &first)]).await;
        assert_eq!(status, 404, "past its end");
        assert_eq!(count_rows(&url, "access_log").await, log_before);
        let (_, list) = lena.call("mitarbeitende/notzugriffe", &[]).await;
        assert_eq!(list["accesses"][0]["status"], "expired");
        let database = Database::connect(&DatabaseUrl::parse(&url).expect("url"), 2).await.expect("database");
        let retention = Retention::new(database);
        retention.record_expired_emergencies().await.expect("recorded");
        assert_eq!(query_i64(&url, &format!("SELECT COUNT(*) FROM emergency_accesses WHERE id = '{first}' AND status = 'expired'")).await, 1);

        let (_, second) = open(&mut lena, HZE_FOR_MIA, demo::MIA_WEBER, "72").await;
        let second = second.as_str().expect("id").to_owned();
        tobias.call("mitarbeitende/notzugriff-bestaetigen", &[("emergency", &second)]).await;
        let (status, _) = lena.call("mitarbeitende/notzugriff-beenden", &[("emergency", &second)]).await;
        assert_eq!(status, 200);
        let (status, _) = lena.call("mitarbeitende/notzugriff-daten", &[("emergency", &second)]).await;
        assert_eq!(status, 404, "ended by hand");

        let (_, third) = open(&mut lena, HZE_FOR_MIA, demo::MIA_WEBER, "2").await;
        let third = third.as_str().expect("id").to_owned();
        let (status, _) = tobias.call("mitarbeitende/notzugriff-ablehnen", &[("emergency", &third)]).await;
        assert_eq!(status, 200);
        let (status, error) = tobias.call("mitarbeitende/notzugriff-bestaetigen", &[("emergency", &third)]).await;
        assert_eq!(status, 422, "decided once: {error}");
    }

    async fn a_refused_deferral_shows_beside_the_access_it_was_for(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut lena = Visitor::new(&app);
        lena.sign_in_as_demo(demo::LENA_HOFFMANN).await;
        let mut tobias = Visitor::new(&app);
        tobias.sign_in_as_demo(demo::TOBIAS_KRUEGER).await;
        let mut accesses = Vec::new();
        for person in [demo::JONAS_WEBER, demo::MIA_WEBER] {
            let (status, id) = open(&mut lena, HZE_FOR_MIA, person, "24").await;
            assert_eq!(status, 200, "{id}");
            let id = id.as_str().expect("the id").to_owned();
            let (status, body) = tobias.call("mitarbeitende/notzugriff-bestaetigen", &[("emergency", &id)]).await;
            assert_eq!(status, 200, "{body}");
            accesses.push(id);
        }
        let page = "/mitarbeitende/notzugriffe";
        let before = tobias.get(page).await.text().await.expect("a page");
        let open: Vec<bool> = deferral_forms(&before).iter().map(|(open, _)| *open).collect();
        assert_eq!(open, [false, false], "a closed deferral form for each: {before}");

        // The second access's deferral, too far ahead: refused.
        let refused = tobias.post_plain_form(page, "/api/mitarbeitende/notzugriff-zurueckstellen", &[
            ("emergency", &accesses[1]), ("reason", "Die Mitteilung würde das Kind jetzt gefährden."), ("until", &date_in_days(91)),
        ]).await;
        assert!(refused.status().is_redirection(), "back to the page: {}", refused.status());
        let back = location(&refused);
        let html = tobias.get(&back).await.text().await.expect("a page");
        let problem = "Wählen Sie einen Tag nach heute";
        assert_eq!(html.matches(problem).count(), 1, "the refusal is shown once: {html}");
        let opened: Vec<&str> = deferral_forms(&html).into_iter().filter(|(open, _)| *open).map(|(_, form)| form).collect();
        assert_eq!(opened.len(), 1, "one form opens: {html}");
        assert!(opened[0].contains(&format!(r#"value="{}""#, accesses[1])), "the second access's: {html}");
        assert!(html.contains(&format!(r#"id="aufschub-bis-{}-fehler""#, accesses[1])), "beside the second access's date: {html}");
        assert!(!html.contains(&format!(r#"id="aufschub-bis-{}-fehler""#, accesses[0])), "not beside the first's: {html}");
        assert!(html.contains(">Die Mitteilung würde das Kind jetzt gefährden.</textarea>"), "the reason is kept: {html}");
    }

    async fn opening_is_bounded_and_only_for_the_youth_offices_own_cases(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| {
            settings.demo_data = Some(true);
            settings.emergency_max_hours = Some(48);
        }).await;
        let mut lena = Visitor::new(&app);
        lena.sign_in_as_demo(demo::LENA_HOFFMANN).await;
        let (status, error) = open(&mut lena, HZE_FOR_MIA, demo::MIA_WEBER, "49").await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("hours")), "{error}");
        assert!(error["Invalid"]["message"].as_str().unwrap_or_default().contains("48"), "{error}");
        let (status, error) = lena.call("mitarbeitende/notzugriff-oeffnen", &[
            ("application", HZE_FOR_MIA), ("person", demo::MIA_WEBER), ("reason", "kurz"), ("categories[0]", "income_assets"), ("hours", "2"),
        ]).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("reason")), "{error}");
        let (status, error) = lena.call("mitarbeitende/notzugriff-oeffnen", &[
            ("application", HZE_FOR_MIA), ("person", demo::MIA_WEBER), ("reason", REASON), ("categories[0]", "alles"), ("hours", "2"),
        ]).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("categories")), "{error}");

        let (not_the_case_person, body) = open(&mut lena, HZE_FOR_MIA, demo::ANNA_BECKER, "2").await;
        let (not_our_case, other_body) = open(&mut lena, WOHNGELD_OF_JONAS, demo::JONAS_WEBER, "2").await;
        assert_eq!((not_the_case_person, not_our_case), (404, 404), "{body} {other_body}");
        assert_eq!(body, other_body);
        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
        let (status, _) = open(&mut sabine, WOHNGELD_OF_JONAS, demo::JONAS_WEBER, "2").await;
        assert_eq!(status, 404, "only a youth office opens emergency accesses");
        assert_eq!(count_rows(app.database_url(), "emergency_accesses").await, 0);
    }
}
