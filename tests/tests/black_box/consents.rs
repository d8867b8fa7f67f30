//! Consents through the citizen's and the caseworker's server functions: granted for a purpose
//! and at most the template's longest validity, tied to the template version, history kept as
//! events, a revocation counts from the very next request, an expired consent counts no more,
//! and a protection flag overrides every consent.

use app::server::{
    db::{Database, DatabaseUrl},
    retention::Retention,
};
use klarsicht_tests::{TestApp, Visitor, count_rows, demo, execute, location, on_both_databases, query_i64};

/// Optional sharings of the Wohngeld template, version 1: income and housing costs to the
/// Sozialamt for checking a claim to basic income support (demo data).
const INCOME_TO_SOZIALAMT: &str = "00000000-0000-4000-8000-000000000321";
const HOUSING_TO_SOZIALAMT: &str = "00000000-0000-4000-8000-000000000322";
const WOHNGELD_VERSION_1: &str = "00000000-0000-4000-8000-000000000311";
/// The Hilfe zur Erziehung template's sharing of the child's health with the Jugendamt.
const HEALTH_TO_JUGENDAMT: &str = "00000000-0000-4000-8000-000000000323";
/// Jonas's consent of the demo data (income to the Sozialamt).
const JONAS_INCOME_CONSENT: &str = "00000000-0000-4000-8000-000000000801";
const PURPOSE: &str = "Prüfung eines Anspruchs auf Grundsicherung";

async fn shared_with_sozialamt(murat: &mut Visitor<'_>, citizen: &str) -> (u16, Vec<String>) {
    let (status, view) = murat.call("mitarbeitende/freigabe", &[("citizen", citizen), ("purpose", PURPOSE)]).await;
    let categories = view["data"].as_object().map(|data| data.keys().cloned().collect()).unwrap_or_default();
    (status, categories)
}

on_both_databases! {
    async fn a_granted_consent_opens_its_category_and_a_revocation_closes_it_on_the_next_request(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        let mut murat = Visitor::new(&app);
        murat.sign_in_as_demo(demo::MURAT_YILMAZ).await;

        assert_eq!(shared_with_sozialamt(&mut murat, demo::JONAS_WEBER).await, (200, vec!["income_assets".to_owned()]));

        let (status, consent) = jonas.call("buerger/einwilligung-erteilen", &[("sharing", HOUSING_TO_SOZIALAMT), ("days", "30")]).await;
        assert_eq!(status, 200, "{consent}");
        let consent = consent.as_str().expect("the consent's id").to_owned();
        assert_eq!(
            shared_with_sozialamt(&mut murat, demo::JONAS_WEBER).await,
            (200, vec!["housing".to_owned(), "income_assets".to_owned()])
        );
        assert_eq!(
            query_i64(&url, &format!("SELECT COUNT(*) FROM consents WHERE id = '{consent}' AND template_version_id = '{WOHNGELD_VERSION_1}' AND purpose = '{PURPOSE}'")).await,
            1,
            "bound to its purpose and the template version that offered it"
        );

        let (status, body) = jonas.call("buerger/einwilligung-widerrufen", &[("consent", &consent)]).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            shared_with_sozialamt(&mut murat, demo::JONAS_WEBER).await,
            (200, vec!["income_assets".to_owned()]),
            "revoked from the next request on"
        );
        let (status, _) = jonas.call("buerger/einwilligung-widerrufen", &[("consent", JONAS_INCOME_CONSENT)]).await;
        assert_eq!(status, 200);
        let log_before = count_rows(&url, "access_log").await;
        assert_eq!(shared_with_sozialamt(&mut murat, demo::JONAS_WEBER).await.0, 404, "nothing shared any more");
        assert_eq!(count_rows(&url, "access_log").await, log_before, "a denial leaves no log entry");

        let (status, consents) = jonas.call("buerger/einwilligungen", &[]).await;
        assert_eq!(status, 200);
        let housing = consents.as_array().expect("a list").iter().find(|item| item["id"] == consent.as_str()).expect("listed");
        assert_eq!(housing["state"], "revoked");
        let kinds: Vec<&str> = housing["events"].as_array().expect("events").iter().filter_map(|event| event["kind"].as_str()).collect();
        assert_eq!(kinds, ["granted", "revoked"], "the history, in order");
        assert_eq!(
            query_i64(&url, &format!("SELECT COUNT(*) FROM consent_events WHERE consent_id = '{consent}'")).await,
            2,
            "events are appended, never changed"
        );
        let (status, _) = jonas.call("buerger/einwilligung-widerrufen", &[("consent", &consent)]).await;
        assert_eq!(status, 404, "a revoked consent cannot be revoked again");
    }

    async fn granting_checks_the_offer_and_the_duration(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        let (status, error) = jonas.call("buerger/einwilligung-erteilen", &[("sharing", HOUSING_TO_SOZIALAMT), ("days", "366")]).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("days")), "{error}");
        assert!(error["Invalid"]["message"].as_str().unwrap_or_default().contains("365"), "{error}");
        let (status, error) = jonas.call("buerger/einwilligung-erteilen", &[("sharing", HOUSING_TO_SOZIALAMT), ("days", "viele")]).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("days")), "{error}");
        let (status, error) = jonas.call("buerger/einwilligung-erteilen", &[("sharing", "00000000-0000-4000-8000-00000000dead")]).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("sharing")), "{error}");

        // A newer published version replaces the old offer: its sharings can no longer be granted anew.
        execute(app.database_url(), &format!(
            "INSERT INTO consent_template_versions (id, template_id, version, status, intro_de, intro_en, published_at, created_at) \
             SELECT '00000000-0000-4000-8000-0000000003f1', template_id, 2, 'published', intro_de, intro_en, '2026-11-20T00:00:00.000000Z', '2026-11-20T00:00:00.000000Z' \
             FROM consent_template_versions WHERE id = '{WOHNGELD_VERSION_1}'"
        )).await;
        let (status, error) = jonas.call("buerger/einwilligung-erteilen", &[("sharing", HOUSING_TO_SOZIALAMT)]).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("sharing")), "{error}");

        // Renewing an active consent extends it and records that.
        let (status, renewed) = jonas.call("buerger/einwilligung-erteilen", &[("sharing", HEALTH_TO_JUGENDAMT), ("person", demo::MIA_WEBER)]).await;
        assert_eq!(status, 200, "a parent grants for their minor child: {renewed}");
        let (status, again) = jonas.call("buerger/einwilligung-erteilen", &[("sharing", HEALTH_TO_JUGENDAMT), ("person", demo::MIA_WEBER), ("days", "10")]).await;
        assert_eq!((status, &again), (200, &renewed), "the same consent, renewed");
        let (_, consents) = jonas.call("buerger/einwilligungen", &[("person", demo::MIA_WEBER)]).await;
        let kinds: Vec<&str> = consents[0]["events"].as_array().expect("events").iter().filter_map(|event| event["kind"].as_str()).collect();
        assert_eq!(kinds, ["granted", "renewed"]);
        assert_eq!(consents[0]["citizen"], demo::MIA_WEBER);
    }

    async fn each_cell_of_the_cockpit_is_dated_by_its_own_consent(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        // His income consent to the Sozialamt dates from 3 November; housing, for the same
        // purpose to the same office, is granted today.
        let (status, _) = jonas.call("buerger/einwilligung-erteilen", &[("sharing", HOUSING_TO_SOZIALAMT)]).await;
        assert_eq!(status, 200);
        let page = jonas.get("/buerger/freigaben").await.text().await.expect("a page");
        let row = |name: &str| {
            let start = page.find(&format!(">{name}</th>")).unwrap_or_else(|| panic!("a row for {name}: {page}"));
            let end = page[start..].find("</tr>").expect("the row's end") + start;
            // Without the hydration markers between text nodes.
            page[start..end].replace("<!>", "")
        };
        let today = chrono::Utc::now().format("%d.%m.%Y").to_string();
        let housing = row("Wohnung");
        assert!(housing.contains(&format!("seit {today}")), "housing is shared since today: {housing}");
        assert!(!housing.contains("03.11.2026"), "not since the income consent's day: {housing}");
        assert!(row("Einkommen und Vermögen").contains("seit 03.11.2026"), "income keeps its own date");
    }

    async fn a_refused_grant_is_named_on_the_cockpit_without_javascript(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        let sent = jonas
            .post_plain_form("/buerger/freigaben", "/api/buerger/einwilligung-erteilen", &[("sharing", HOUSING_TO_SOZIALAMT), ("days", "366")])
            .await;
        assert!(sent.status().is_redirection(), "back to the cockpit: {}", sent.status());
        let back = location(&sent);
        assert!(back.contains("/buerger/freigaben"), "{back}");
        let page = jonas.get(&back).await.text().await.expect("a page");
        assert!(page.contains("class=\"error-summary\""), "an error summary: {page}");
        assert_eq!(page.matches("Bitte wählen Sie eine der angebotenen Laufzeiten.").count(), 2, "in the summary and next to the offers: {page}");
        assert!(page.contains("href=\"#freigabe-fehler\"") && page.contains("id=\"freigabe-fehler\""), "the summary links to it: {page}");
        let housing = format!("SELECT COUNT(*) FROM consents WHERE category_code = 'housing' AND citizen_id = '{}'", demo::JONAS_WEBER);
        assert_eq!(query_i64(app.database_url(), &housing).await, 0, "nothing granted");

        // The cockpit itself shows no error.
        let page = jonas.get("/buerger/freigaben").await.text().await.expect("a page");
        assert!(!page.contains("error-summary"), "{page}");
    }

    async fn nobody_acts_for_somebody_else(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut anna = Visitor::new(&app);
        anna.sign_in_as_demo(demo::ANNA_BECKER).await;
        for (endpoint, arguments) in [
            ("buerger/einwilligungen", vec![("person", demo::MIA_WEBER)]),
            ("buerger/einwilligung-erteilen", vec![("sharing", HEALTH_TO_JUGENDAMT), ("person", demo::MIA_WEBER)]),
            ("buerger/einwilligung-widerrufen", vec![("consent", JONAS_INCOME_CONSENT)]),
            ("buerger/zugriffe", vec![("person", demo::JONAS_WEBER)]),
            ("buerger/neue-bedingungen", vec![("person", demo::JONAS_WEBER)]),
            ("buerger/freigabe-angebote", vec![("person", demo::MIA_WEBER)]),
            ("buerger/daten", vec![("person", demo::JONAS_WEBER)]),
        ] {
            let (status, body) = anna.call(endpoint, &arguments).await;
            let (unknown, unknown_body) = anna.call(endpoint, &arguments.iter().map(|(name, value)| {
                (*name, if *value == HEALTH_TO_JUGENDAMT { *value } else { "00000000-0000-4000-8000-00000000beef" })
            }).collect::<Vec<_>>()).await;
            assert_eq!((status, &body), (404, &unknown_body), "{endpoint}: like an id that does not exist");
            assert_eq!(unknown, 404, "{endpoint}");
        }
        assert_eq!(query_i64(app.database_url(), &format!("SELECT COUNT(*) FROM consents WHERE id = '{JONAS_INCOME_CONSENT}' AND revoked_at IS NULL")).await, 1);
    }

    async fn an_expired_consent_counts_no_more_and_its_expiry_is_recorded(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        let mut murat = Visitor::new(&app);
        murat.sign_in_as_demo(demo::MURAT_YILMAZ).await;
        let (_, listed) = murat.call("mitarbeitende/freigaben", &[]).await;
        let listed = &listed["items"];
        assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
        assert_eq!(listed[0]["citizen"], demo::JONAS_WEBER);
        assert_eq!(listed[0]["categories"], serde_json::json!(["income_assets"]));

        execute(&url, &format!(
            "UPDATE consents SET granted_at = '2025-01-01T00:00:00.000000Z', expires_at = '2025-06-01T00:00:00.000000Z' WHERE id = '{JONAS_INCOME_CONSENT}'; \
             UPDATE consent_events SET occurred_at = '2025-01-01T00:00:00.000000Z' WHERE consent_id = '{JONAS_INCOME_CONSENT}'"
        )).await;
        assert_eq!(shared_with_sozialamt(&mut murat, demo::JONAS_WEBER).await.0, 404);
        let (_, listed) = murat.call("mitarbeitende/freigaben", &[]).await;
        assert_eq!((&listed["items"], &listed["total"]), (&serde_json::json!([]), &serde_json::json!(0)), "the list filters by the same rule");

        let database = Database::connect(&DatabaseUrl::parse(&url).expect("url"), 2).await.expect("database");
        let retention = Retention::new(database);
        // The server's own housekeeping may have recorded it first; either way, exactly once.
        retention.record_expired_consents().await.expect("recorded");
        assert_eq!(retention.record_expired_consents().await.expect("recorded"), 0, "once");
        assert_eq!(query_i64(&url, &format!("SELECT COUNT(*) FROM consent_events WHERE consent_id = '{JONAS_INCOME_CONSENT}' AND kind = 'expired'")).await, 1);
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        let (_, consents) = jonas.call("buerger/einwilligungen", &[]).await;
        assert_eq!(consents[0]["state"], "expired");
        let kinds: Vec<&str> = consents[0]["events"].as_array().expect("events").iter().filter_map(|event| event["kind"].as_str()).collect();
        assert_eq!(kinds, ["granted", "expired"]);
    }

    async fn the_office_lists_who_shared_what_and_each_name_and_opening_is_in_the_citizens_log(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        let mut murat = Visitor::new(&app);
        murat.sign_in_as_demo(demo::MURAT_YILMAZ).await;
        let entries = |purpose: String| {
            let url = url.clone();
            async move {
                query_i64(&url, &format!("SELECT COUNT(*) FROM access_log WHERE citizen_id = '{}' AND office_code = 'sozialamt' \
                    AND basis = 'consent' AND basis_ref = '{JONAS_INCOME_CONSENT}' AND purpose = '{purpose}'", demo::JONAS_WEBER)).await
            }
        };
        let listed_purpose = format!("listed: {PURPOSE}");
        assert_eq!((entries(listed_purpose.clone()).await, entries(PURPOSE.to_owned()).await), (0, 0));

        let (status, page) = murat.call("mitarbeitende/freigaben", &[]).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!((&page["total"], &page["page"], &page["office"]["code"]), (&serde_json::json!(1), &serde_json::json!(1), &serde_json::json!("sozialamt")));
        let item = &page["items"][0];
        assert_eq!((&item["citizen"], &item["name"], &item["purpose"]), (&serde_json::json!(demo::JONAS_WEBER), &serde_json::json!("Jonas Weber"), &serde_json::json!(PURPOSE)));
        assert_eq!(entries(listed_purpose.clone()).await, 1, "his name on the list is a read of it, logged once for the page");
        let html = murat.page("/mitarbeitende/freigaben").await.replace("<!>", "");
        assert!(html.starts_with("200\n") && html.contains("Jonas Weber") && html.contains("Einkommen und Vermögen") && html.contains("03.11.2027"), "{html}");
        assert_eq!(entries(listed_purpose.clone()).await, 2, "each page shown is logged");
        let (status, data) = murat.call("mitarbeitende/freigabe", &[("citizen", demo::JONAS_WEBER), ("purpose", PURPOSE), ("office", "sozialamt")]).await;
        assert_eq!(status, 200, "{data}");
        assert_eq!(entries(PURPOSE.to_owned()).await, 1, "opening it is a read of what it shares");
        let (status, _) = murat.call("mitarbeitende/freigabe", &[("citizen", demo::JONAS_WEBER), ("purpose", PURPOSE), ("office", "jugendamt")]).await;
        assert_eq!(status, 404, "not his office");
        let (status, error) = murat.call("mitarbeitende/freigaben", &[("page", "null")]).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("page")), "{error}");
        let (_, past_the_end) = murat.call("mitarbeitende/freigaben", &[("page", "2")]).await;
        assert_eq!(past_the_end["items"], serde_json::json!([]));
        assert_eq!(entries(listed_purpose.clone()).await, 2, "a page without him reads nothing of him");

        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        let log = jonas.page("/buerger/zugriffe").await.replace("<!>", "");
        assert!(log.contains(&format!("Ihr Name in der Liste der Freigaben: {PURPOSE}")), "he reads both: {log}");

        // Another office's list bears no trace of it: byte for byte the same without his sharing.
        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
        let answer = sabine.call("mitarbeitende/freigaben", &[]).await;
        let page = sabine.page("/mitarbeitende/freigaben").await;
        assert_eq!(answer.0, 200, "{}", answer.1);
        execute(&url, &format!("UPDATE consents SET revoked_at = granted_at WHERE id = '{JONAS_INCOME_CONSENT}'")).await;
        let answer_without = sabine.call("mitarbeitende/freigaben", &[]).await;
        let page_without = sabine.page("/mitarbeitende/freigaben").await;
        assert_eq!((answer, page), (answer_without, page_without));
    }

    async fn a_protection_flag_overrides_every_consent(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut selin = Visitor::new(&app);
        selin.sign_in_as_demo(demo::SELIN_KAYA).await;
        let (status, body) = selin.call("buerger/einwilligung-erteilen", &[("sharing", INCOME_TO_SOZIALAMT)]).await;
        assert_eq!(status, 200, "she may grant it: {body}");
        let mut murat = Visitor::new(&app);
        murat.sign_in_as_demo(demo::MURAT_YILMAZ).await;
        assert_eq!(shared_with_sozialamt(&mut murat, demo::SELIN_KAYA).await.0, 404, "but the flag holds");
        let (_, listed) = murat.call("mitarbeitende/freigaben", &[]).await;
        assert!(!listed.to_string().contains(demo::SELIN_KAYA), "and she is not listed: {listed}");
    }

    async fn a_citizen_is_offered_the_sharings_of_the_newest_templates_and_nobody_elses(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        let (status, offers) = jonas.call("buerger/freigabe-angebote", &[]).await;
        assert_eq!(status, 200, "{offers}");
        let offered: Vec<(&str, &str)> = offers.as_array().expect("offers").iter()
            .map(|offer| (offer["category"]["code"].as_str().unwrap_or_default(), offer["recipient"]["code"].as_str().unwrap_or_default()))
            .collect();
        assert_eq!(offered.len(), 5, "{offered:?}");
        assert!(offered.contains(&("housing", "sozialamt")));
        assert!(offers.as_array().expect("offers").iter().all(|offer| offer["max_validity_days"].as_i64().unwrap_or_default() > 0));
        let (status, _) = jonas.call("buerger/freigabe-angebote", &[("person", demo::MIA_WEBER)]).await;
        assert_eq!(status, 200, "for his daughter too");

        let mut selin = Visitor::new(&app);
        selin.sign_in_as_demo(demo::SELIN_KAYA).await;
        let (status, body) = selin.call("buerger/freigabe-angebote", &[("person", demo::MIA_WEBER)]).await;
        assert_eq!(status, 404, "not her child: {body}");
    }
}

