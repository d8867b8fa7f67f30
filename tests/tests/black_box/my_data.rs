//! "My data": what is kept by category and which offices may see it now and why, as the policy
//! decides; it changes with the consent, like the staff's view does. The citizen corrects it in
//! place, one category at a time; offices see the change from the next request.

use std::collections::BTreeMap;

use klarsicht_tests::{TestApp, Visitor, demo, on_both_databases};

const JONAS_INCOME_CONSENT: &str = "00000000-0000-4000-8000-000000000801";
/// Jonas's Wohngeld application, submitted to the Wohngeldstelle (demo data).
const JONAS_WOHNGELD: &str = "00000000-0000-4000-8000-000000000701";

/// Saves `answers` for `category` as the edit page's form does; answers status and where to go.
async fn save(visitor: &mut Visitor<'_>, person: Option<&str>, category: &str, answers: &[(&str, &str)]) -> (u16, String) {
    let names: Vec<(String, &str)> = answers.iter().map(|(key, value)| (format!("answers[{key}]"), *value)).collect();
    let mut form: Vec<(&str, &str)> = names.iter().map(|(name, value)| (name.as_str(), *value)).collect();
    form.push(("category", category));
    if let Some(person) = person {
        form.push(("person", person));
    }
    let (status, next) = visitor.call("buerger/daten-speichern", &form).await;
    (status, next.as_str().map(str::to_owned).unwrap_or_else(|| next.to_string()))
}

/// The questions of an edit page: key → (value shown, problem).
fn questions(page: &serde_json::Value) -> BTreeMap<String, (String, Option<String>)> {
    page["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .map(|question| {
            (
                question["key"].as_str().unwrap_or_default().to_owned(),
                (question["value"].as_str().unwrap_or_default().to_owned(), question["problem"].as_str().map(str::to_owned)),
            )
        })
        .collect()
}

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

    async fn a_corrected_iban_reaches_the_office_on_its_next_request_and_a_wrong_one_changes_nothing(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
        let iban_seen = |case: &serde_json::Value| case["data"]["bank_account"]["iban"].as_str().unwrap_or_default().replace(' ', "");

        let (status, page) = jonas.call("buerger/daten-kategorie", &[("category", "bank_account")]).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["person"]["name"], "Jonas Weber");
        assert_eq!(questions(&page)["iban"], ("DE02 1203 0000 0000 2020 51".to_owned(), None), "filled in with what is kept");
        let (_, data) = jonas.call("buerger/daten", &[]).await;
        assert_eq!(category(&data, "bank_account")["editable"], true);

        let (status, next) = save(&mut jonas, None, "bank_account", &[("kontoinhaber", "Jonas Weber"), ("iban", "DE00 1234")]).await;
        assert_eq!((status, next.as_str()), (200, "/buerger/daten/bank_account?fehler=1"), "back to the page to fix it");
        let (_, file) = sabine.call("mitarbeitende/akte", &[("application", JONAS_WOHNGELD)]).await;
        assert_eq!(iban_seen(&file["case"]), "DE02120300000000202051", "nothing changed");
        let (status, page) = jonas.call("buerger/daten-kategorie", &[("category", "bank_account"), ("problems", "1")]).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(questions(&page)["iban"], ("DE00 1234".to_owned(), Some("NotAnIban".to_owned())), "what he wrote, and what to fix");

        let (status, next) = save(&mut jonas, None, "bank_account", &[("kontoinhaber", ""), ("iban", "DE89 3704 0044 0532 0130 00")]).await;
        assert_eq!((status, next.as_str()), (200, "/buerger/daten/bank_account?fehler=1"));
        let (_, page) = jonas.call("buerger/daten-kategorie", &[("category", "bank_account"), ("problems", "1")]).await;
        assert_eq!(questions(&page)["kontoinhaber"].1.as_deref(), Some("Missing"), "what an application needs is not emptied");

        let (status, next) = save(&mut jonas, None, "bank_account", &[("kontoinhaber", "Jonas Weber"), ("iban", "DE89 3704 0044 0532 0130 00")]).await;
        assert_eq!((status, next.as_str()), (200, "/buerger/daten?gespeichert=bank_account#kategorie-bank_account"));
        let (_, file) = sabine.call("mitarbeitende/akte", &[("application", JONAS_WOHNGELD)]).await;
        assert_eq!(iban_seen(&file["case"]), "DE89370400440532013000", "the office sees the new IBAN on its next request");
        let (_, page) = jonas.call("buerger/daten-kategorie", &[("category", "bank_account"), ("problems", "1")]).await;
        assert_eq!(questions(&page)["iban"].1, None, "nothing left to fix");

        // What no form needs may be emptied, which removes it.
        let (_, contact) = jonas.call("buerger/daten-kategorie", &[("category", "contact")]).await;
        let mut answers: Vec<(String, String)> = questions(&contact).into_iter().map(|(key, (value, _))| (key, value)).collect();
        for (key, value) in &mut answers {
            if key == "telefon" {
                value.clear();
            }
        }
        let answers: Vec<(&str, &str)> = answers.iter().map(|(key, value)| (key.as_str(), value.as_str())).collect();
        let (status, _) = save(&mut jonas, None, "contact", &answers).await;
        assert_eq!(status, 200);
        let (_, data) = jonas.call("buerger/daten", &[]).await;
        let kept: Vec<&str> = category(&data, "contact")["fields"].as_array().expect("fields").iter().filter_map(|field| field["key"].as_str()).collect();
        assert!(kept.contains(&"email") && !kept.contains(&"telefon"), "{kept:?}");
    }

    async fn a_parent_corrects_the_childs_data_and_nobody_else_can(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        let (status, page) = jonas.call("buerger/daten-kategorie", &[("category", "children_upbringing"), ("person", demo::MIA_WEBER)]).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["person"]["name"], "Mia Weber", "the page says on whose behalf");
        let mut answers: BTreeMap<String, String> = questions(&page).into_iter().map(|(key, (value, _))| (key, value)).collect();
        answers.insert("schule_kita".to_owned(), "Grundschule am Park, 5. Klasse".to_owned());
        let answers: Vec<(&str, &str)> = answers.iter().map(|(key, value)| (key.as_str(), value.as_str())).collect();
        let (status, next) = save(&mut jonas, Some(demo::MIA_WEBER), "children_upbringing", &answers).await;
        assert_eq!(status, 200, "{next}");
        assert!(next.starts_with(&format!("/buerger/daten?fuer={}&gespeichert=children_upbringing", demo::MIA_WEBER)), "{next}");
        let (_, mia) = jonas.call("buerger/daten", &[("person", demo::MIA_WEBER)]).await;
        let school = category(&mia, "children_upbringing")["fields"].as_array().expect("fields").iter()
            .find(|field| field["key"] == "schule_kita").map(|field| field["value"].clone());
        assert_eq!(school, Some(serde_json::json!("Grundschule am Park, 5. Klasse")));

        let (status, _) = jonas.call("buerger/daten-kategorie", &[("category", "erfunden")]).await;
        assert_eq!(status, 404, "an unknown category");
        let (status, _) = save(&mut jonas, None, "erfunden", &[("x", "y")]).await;
        assert_eq!(status, 404);

        let mut anna = Visitor::new(&app);
        anna.sign_in_as_demo(demo::ANNA_BECKER).await;
        let (status, _) = anna.call("buerger/daten-kategorie", &[("category", "identity"), ("person", demo::MIA_WEBER)]).await;
        assert_eq!(status, 404, "not her child: like an unknown id");
        let (status, _) = save(&mut anna, Some(demo::MIA_WEBER), "identity", &[("vorname", "Eve")]).await;
        assert_eq!(status, 404);
        let (_, mia) = jonas.call("buerger/daten", &[("person", demo::MIA_WEBER)]).await;
        let first_name = category(&mia, "identity")["fields"].as_array().expect("fields").iter()
            .find(|field| field["key"] == "vorname").map(|field| field["value"].clone());
        assert_eq!(first_name, Some(serde_json::json!("Mia")), "nothing changed");

        let page = jonas.get(&format!("/buerger/daten/children_upbringing?fuer={}", demo::MIA_WEBER)).await;
        assert_eq!(page.status().as_u16(), 200);
        let html = page.text().await.expect("a page").replace("<!>", "");
        assert!(html.contains("Sie ändern die Daten von"), "{html}");
        assert!(html.contains("Grundschule am Park, 5. Klasse"));
    }
}
