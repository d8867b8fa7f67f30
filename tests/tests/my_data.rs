//! "My data": what is kept by category and which offices may see it now and why, as the policy
//! decides; it changes with the consent, like the staff's view does.

use klarsicht_tests::{TestApp, Visitor, demo, on_both_databases};

const JONAS_INCOME_CONSENT: &str = "00000000-0000-4000-8000-000000000801";

fn category<'a>(data: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    data["categories"].as_array().and_then(|all| all.iter().find(|item| item["code"] == code)).expect("the category")
}

fn offices(category: &serde_json::Value) -> Vec<(String, String)> {
    category["seen_by"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|seen| {
            (
                seen["office"].as_str().unwrap_or_default().to_owned(),
                seen["basis"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

on_both_databases! {
    async fn the_citizen_sees_who_may_see_each_category_and_why(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        let (status, data) = jonas.call("buerger/daten", &[]).await;
        assert_eq!(status, 200, "{data}");
        assert_eq!(data["citizen_name"], "Jonas Weber");

        let income = category(&data, "income_assets");
        assert_eq!(
            offices(income),
            [("sozialamt".to_owned(), "consent".to_owned()), ("wohngeldstelle".to_owned(), "application".to_owned())]
        );
        let by_consent = &income["seen_by"][0];
        assert_eq!(by_consent["purpose"], "Prüfung eines Anspruchs auf Grundsicherung");
        assert!(by_consent["until"].as_str().unwrap_or_default().starts_with("2027-11-03"), "{by_consent}");
        assert_eq!(income["seen_by"][1]["reference"], "KS-2026-000001");
        assert!(income["fields"].as_array().expect("fields").iter().any(|field| field["key"] == "nettoeinkommen_monatlich"));

        let health = category(&data, "health_disability");
        assert_eq!(health["fields"], serde_json::json!([]));
        assert_eq!(health["seen_by"], serde_json::json!([]), "no office");
        assert_eq!(health["special"], true);
        let all_categories = data["categories"].as_array().expect("categories");
        assert!(
            all_categories.iter().all(|item| offices(item).iter().all(|(office, _)| office != "jugendamt")),
            "the youth office has no basis for his own data"
        );

        let (_, mia) = jonas.call("buerger/daten", &[("person", demo::MIA_WEBER)]).await;
        assert_eq!(mia["citizen_name"], "Mia Weber");
        assert_eq!(offices(category(&mia, "children_upbringing")), [("jugendamt".to_owned(), "application".to_owned())]);

        jonas.call("buerger/einwilligung-widerrufen", &[("consent", JONAS_INCOME_CONSENT)]).await;
        let (_, after) = jonas.call("buerger/daten", &[]).await;
        assert_eq!(offices(category(&after, "income_assets")), [("wohngeldstelle".to_owned(), "application".to_owned())], "revoked: the Sozialamt is gone");

        let page = jonas.get("/buerger/daten").await;
        assert_eq!(page.status().as_u16(), 200);
        let html = page.text().await.expect("a page").replace("<!>", "");
        assert!(html.contains("<h1>Daten von Jonas Weber</h1>"), "{html}");
        assert!(html.contains("für Ihren Antrag KS-2026-000001"));
        assert!(html.contains(&format!("href=\"/buerger/daten?fuer={}\"", demo::MIA_WEBER)), "a way to the child's data");

        let mut anna = Visitor::new(&app);
        anna.sign_in_as_demo(demo::ANNA_BECKER).await;
        let (status, _) = anna.call("buerger/daten", &[("person", demo::MIA_WEBER)]).await;
        assert_eq!(status, 404, "not her child");
    }
}
