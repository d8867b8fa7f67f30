//! The citizen's view of who read their data, through the server functions and the page: a read
//! by a caseworker appears with office, categories, the application's reference and the basis,
//! for the parent of the child whose data it was; other citizens get nothing. The page promises
//! of its check only what the check finds.

use klarsicht_tests::{TestApp, Visitor, demo, on_both_databases};

/// Jonas for Mia: Hilfe zur Erziehung at the Jugendamt (demo data).
const HZE_FOR_MIA: &str = "00000000-0000-4000-8000-000000000702";

on_both_databases! {
    async fn a_parent_sees_the_read_of_their_childs_data(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut lena = Visitor::new(&app);
        lena.sign_in_as_demo(demo::LENA_HOFFMANN).await;
        let (status, _) = lena.call("mitarbeitende/akte", &[("application", HZE_FOR_MIA)]).await;
        assert_eq!(status, 200);

        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        let (status, people) = jonas.call("buerger/personen", &[]).await;
        assert_eq!(status, 200);
        assert_eq!(
            people,
            serde_json::json!([
                { "id": demo::JONAS_WEBER, "name": "Jonas Weber", "is_self": true },
                { "id": demo::MIA_WEBER, "name": "Mia Weber", "is_self": false },
            ])
        );
        let (_, own) = jonas.call("buerger/zugriffe", &[]).await;
        assert_eq!(own["entries"], serde_json::json!([]), "nobody read his own data");
        assert_eq!(own["citizen_name"], "Jonas Weber");

        let (status, log) = jonas.call("buerger/zugriffe", &[("person", demo::MIA_WEBER)]).await;
        assert_eq!(status, 200, "{log}");
        assert_eq!(log["citizen_name"], "Mia Weber");
        let entry = &log["entries"][0];
        assert_eq!(entry["office"], "jugendamt");
        assert_eq!(entry["basis"], "application");
        assert_eq!(entry["reference"], "KS-2026-000002");
        assert_eq!(entry["categories"], serde_json::json!(["children_upbringing", "contact", "household", "identity"]), "every category the office could read, as sealed");
        assert!(log["offices"].as_array().expect("names").iter().any(|office| office["name_de"] == "Jugendamt"));

        let page = jonas.get(&format!("/buerger/zugriffe?fuer={}", demo::MIA_WEBER)).await;
        assert_eq!(page.status().as_u16(), 200);
        // Without the hydration markers between text parts.
        let html = page.text().await.expect("a page").replace("<!>", "");
        assert!(html.contains("<h1>Wer hat die Daten von Mia Weber gesehen?</h1>"), "{html}");
        assert!(html.contains("Bearbeitung des Antrags KS-2026-000002"));
        // The check runs in the browser (log_check.test.mjs); the page hands it Mia's entry.
        assert!(html.contains("Diese Prüfung läuft in Ihrem Browser und braucht JavaScript."), "{html}");

        let export = jonas.get(&format!("/api/buerger/datenexport?person={}", demo::MIA_WEBER)).await;
        assert_eq!(export.status().as_u16(), 200);
        let disposition = export.headers()["content-disposition"].to_str().expect("text").to_owned();
        assert!(disposition.starts_with("attachment; filename=\"klarsicht-daten-"), "{disposition}");
        let export: serde_json::Value = export.json().await.expect("JSON");
        assert_eq!(export["person"]["name"], "Mia Weber");
        assert_eq!(export["applications"][0]["reference"], "KS-2026-000002");
        assert!(export["data"]["children_upbringing"].is_object());
        assert_eq!(export["access_log"][0]["reference"], "KS-2026-000002");

        let own = jonas.get("/api/buerger/datenexport").await;
        let own: serde_json::Value = own.json().await.expect("JSON");
        let record = &own["consent_records"][0];
        for field in ["schemaVersion", "recordId", "piiPrincipalId", "piiController", "notice", "purposes", "consentStatus", "consentTimestamp", "expiry", "events"] {
            assert!(!record[field].is_null(), "the consent record has {field}: {record}");
        }
        assert_eq!(record["piiPrincipalId"], demo::JONAS_WEBER);
        assert_eq!(record["purposes"][0]["lawfulBasis"], "GDPR Art. 6(1)(a)");
        assert_eq!(record["purposes"][0]["piiCategories"], serde_json::json!(["income_assets"]));
        assert_eq!(record["consentStatus"], "active");
        assert_eq!(record["events"][0]["eventType"], "given");
        assert!(own["data"]["income_assets"].is_object(), "his own data");
        assert!(own["data"].get("children_upbringing").is_none(), "not his child's");

        let mut anna = Visitor::new(&app);
        anna.sign_in_as_demo(demo::ANNA_BECKER).await;
        let (status, _) = anna.call("buerger/zugriffe", &[("person", demo::MIA_WEBER)]).await;
        assert_eq!(status, 404, "not her child");
        let export = anna.get(&format!("/api/buerger/datenexport?person={}", demo::MIA_WEBER)).await;
        assert_eq!(export.status().as_u16(), 404);
        let (_, people) = anna.call("buerger/personen", &[]).await;
        assert_eq!(people.as_array().map(Vec::len), Some(1));
    }

    async fn the_access_log_page_promises_only_what_its_check_finds(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut lena = Visitor::new(&app);
        lena.sign_in_as_demo(demo::LENA_HOFFMANN).await;
        let (status, _) = lena.call("mitarbeitende/akte", &[("application", HZE_FOR_MIA)]).await;
        assert_eq!(status, 200);
        let page_of_mia = format!("/buerger/zugriffe?fuer={}", demo::MIA_WEBER);

        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        let html = jonas.get(&page_of_mia).await.text().await.expect("a page").replace("<!>", "");
        assert!(!html.contains("unbemerkt"), "no promise that nothing goes unnoticed: {html}");
        // What it checks, that the browser checks it, against what, and what it cannot see.
        assert!(html.contains("Ihr Browser prüft unten selbst, ob die hier gezeigten Einträge darin stehen."), "{html}");
        assert!(html.contains("seit Ihrem letzten Besuch in diesem Browser nur Einträge dazugekommen sind"), "{html}");
        assert!(html.contains("Einen Zugriff, den das Portal gar nicht erst aufgeschrieben hat, sieht sie nicht."), "{html}");
        assert!(html.contains("Mit Ihrem letzten Besuch vergleicht sie nur in diesem Browser."), "{html}");
        // The keys it trusts, as the settings give them, with their fingerprints.
        let key = app.get("/log/key").await.text().await.expect("the key");
        assert!(html.contains(key.trim()), "the portal's key is shown: {html}");
        assert!(html.contains("Kein Zeuge eingerichtet."), "{html}");
        // What the page says its check finds is proven where it runs: log_tree.rs attacks the
        // check itself, log_check.test.mjs the browser's run of it.
    }
}
