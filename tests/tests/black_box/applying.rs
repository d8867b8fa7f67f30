//! Applying for help through the citizen's server functions: one guided flow for several kinds
//! of help, filled in from the person's data, answers kept at every step (even those that do not
//! fit), a check page that names what each office receives, one application per office on
//! submission (all or none), and every id of somebody else refused without revealing anything.

use std::collections::BTreeMap;

use klarsicht_tests::{TestApp, Visitor, demo, on_both_databases, query_i64};

/// The optional sharing of the Grundsicherung template: health to the Sozialamt (demo data).
const HEALTH_TO_SOZIALAMT: &str = "00000000-0000-4000-8000-000000000324";
/// Anna's draft of the demo data (Grundsicherung, identity answered).
const ANNA_DRAFT: &str = "00000000-0000-4000-8000-000000000703";

/// The answers a page shows, as a form would send them back.
fn shown_answers(step: &serde_json::Value) -> BTreeMap<String, String> {
    step["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .map(|question| (question["key"].as_str().unwrap_or_default().to_owned(), question["value"].as_str().unwrap_or_default().to_owned()))
        .collect()
}

/// Saves `answers` on page `category` as the page's form does; answers status and result.
async fn save(visitor: &mut Visitor<'_>, person: Option<&str>, category: &str, answers: &BTreeMap<String, String>) -> (u16, serde_json::Value) {
    let names: Vec<(String, String)> = answers.iter().map(|(key, value)| (format!("answers[{key}]"), value.clone())).collect();
    let mut form: Vec<(&str, &str)> = names.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
    form.push(("category", category));
    if let Some(person) = person {
        form.push(("person", person));
    }
    visitor.call("buerger/antrag-speichern", &form).await
}

/// The page name a flow address points to (`/buerger/antrag/schritt/housing?…` → `housing`).
fn page_of(path: &str) -> String {
    path.trim_start_matches("/buerger/antrag/").trim_start_matches("schritt/").split('?').next().unwrap_or_default().to_owned()
}

/// Goes through every page from `first`, confirming what is shown and filling in `extra`;
/// answers the pages seen.
async fn confirm_every_page(visitor: &mut Visitor<'_>, first: &str, extra: &BTreeMap<String, String>) -> Vec<String> {
    let mut page = page_of(first);
    let mut seen = Vec::new();
    while page != "pruefen" {
        let (status, step) = visitor.call("buerger/antrag-schritt", &[("category", &page)]).await;
        assert_eq!(status, 200, "{step}");
        let mut answers = shown_answers(&step);
        for (key, value) in extra {
            if let Some(answer) = answers.get_mut(key) {
                *answer = value.clone();
            }
        }
        let (status, saved) = save(visitor, None, &page, &answers).await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!(saved["complete"], true, "page {page}: {step}");
        seen.push(page);
        page = page_of(saved["next"].as_str().expect("the next page"));
    }
    seen
}

/// Which categories an office's caseworker sees in a case.
async fn case_categories(caseworker: &mut Visitor<'_>, application: &str) -> (u16, Vec<String>) {
    let (status, file) = caseworker.call("mitarbeitende/akte", &[("application", application)]).await;
    (status, file["case"]["data"].as_object().map(|data| data.keys().cloned().collect()).unwrap_or_default())
}

on_both_databases! {
    async fn two_kinds_of_help_at_once_make_one_application_per_office_and_each_office_sees_only_its_part(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        let mut anna = Visitor::new(&app);
        anna.sign_in_as_demo(demo::ANNA_BECKER).await;

        let (status, start) = anna.call("buerger/antrag", &[]).await;
        assert_eq!(status, 200, "{start}");
        let offered: Vec<(&str, bool)> = start["benefits"].as_array().expect("benefits").iter()
            .map(|option| (option["benefit"]["code"].as_str().unwrap_or_default(), option["chosen"].as_bool().unwrap_or_default()))
            .collect();
        assert_eq!(offered, vec![("grundsicherung", true), ("wohngeld", false)], "her draft is chosen; help for children is not offered to her");

        let (status, first) = anna.call("buerger/antrag-waehlen", &[("benefits[0]", "wohngeld"), ("benefits[1]", "grundsicherung")]).await;
        assert_eq!(status, 200, "{first}");
        assert_eq!(first, "/buerger/antrag/schritt/identity");

        // Prefilled from her data; only the bank account is new.
        let (_, identity) = anna.call("buerger/antrag-schritt", &[("category", "identity")]).await;
        assert_eq!(shown_answers(&identity)["vorname"], "Anna");
        let (_, bank) = anna.call("buerger/antrag-schritt", &[("category", "bank_account")]).await;
        assert_eq!(shown_answers(&bank)["iban"], "", "nothing kept, nothing filled in");
        let extra = BTreeMap::from([
            ("kontoinhaber".to_owned(), "Anna Becker".to_owned()),
            ("iban".to_owned(), "de89370400440532013000".to_owned()),
        ]);
        let pages = confirm_every_page(&mut anna, first.as_str().unwrap_or_default(), &extra).await;
        assert_eq!(pages, ["identity", "household", "income_assets", "housing", "bank_account"], "a topic both forms ask is asked once");

        let (status, check) = anna.call("buerger/antrag-pruefen", &[]).await;
        assert_eq!(status, 200, "{check}");
        let offices: Vec<(&str, Vec<&str>)> = check["offices"].as_array().expect("offices").iter()
            .map(|office| (
                office["office"]["code"].as_str().unwrap_or_default(),
                office["required"].as_array().expect("required").iter().map(|required| required["category"]["code"].as_str().unwrap_or_default()).collect(),
            ))
            .collect();
        assert_eq!(offices, vec![
            ("sozialamt", vec!["identity", "household", "income_assets", "housing", "bank_account"]),
            ("wohngeldstelle", vec!["identity", "household", "income_assets", "housing", "bank_account"]),
        ]);
        assert!(check["offices"][0]["required"][0]["legal_basis"].as_str().unwrap_or_default().contains("SGB"), "each with its legal basis");
        let versions: Vec<&str> = check["offices"].as_array().expect("offices").iter().map(|office| office["version"].as_str().unwrap_or_default()).collect();
        let versions = versions.join(",");

        let (status, receipt_path) = anna.call("buerger/antrag-absenden", &[("versions", versions.as_str()), ("sharings[2]", HEALTH_TO_SOZIALAMT)]).await;
        assert_eq!(status, 200, "{receipt_path}");
        let receipt_path = receipt_path.as_str().expect("the receipt's address").to_owned();
        let ids = receipt_path.split("antraege=").nth(1).expect("the ids").to_owned();
        let (status, receipt) = anna.call("buerger/antrag-eingang", &[("applications", &ids)]).await;
        assert_eq!(status, 200, "{receipt}");
        let references: Vec<&str> = receipt["applications"].as_array().expect("applications").iter().map(|item| item["reference"].as_str().unwrap_or_default()).collect();
        assert_eq!(references.len(), 2);
        assert!(references.contains(&"KS-2026-000003"), "her draft kept its reference: {references:?}");
        assert_eq!(receipt["consents"][0]["recipient"]["code"], "sozialamt", "the sharing she added is on the receipt");
        assert_eq!(
            query_i64(&url, &format!("SELECT COUNT(*) FROM applications WHERE citizen_id = '{}' AND status = 'submitted'", demo::ANNA_BECKER)).await,
            2
        );
        assert_eq!(
            query_i64(&url, &format!("SELECT COUNT(*) FROM citizen_data WHERE citizen_id = '{}' AND category_code = 'bank_account'", demo::ANNA_BECKER)).await,
            1,
            "the new answers are kept as her data, for the next application"
        );

        // Each office opens its own application and sees its categories only.
        let wohngeld = ids.split(',').find(|id| *id != ANNA_DRAFT).expect("the new application").to_owned();
        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
        assert_eq!(
            case_categories(&mut sabine, &wohngeld).await,
            (200, ["bank_account", "household", "housing", "identity", "income_assets"].map(String::from).to_vec())
        );
        assert_eq!(case_categories(&mut sabine, ANNA_DRAFT).await.0, 404, "the other office's application does not exist for her");
        let mut murat = Visitor::new(&app);
        murat.sign_in_as_demo(demo::MURAT_YILMAZ).await;
        let (status, categories) = case_categories(&mut murat, ANNA_DRAFT).await;
        assert_eq!(status, 200);
        assert!(!categories.contains(&"health_disability".to_owned()), "shared for another purpose, not in the case: {categories:?}");

        // Submitted means gone from the flow.
        let (status, check) = anna.call("buerger/antrag-pruefen", &[]).await;
        assert_eq!((status, check["sections"].as_array().map(Vec::len)), (200, Some(0)));
    }

    async fn an_answer_that_does_not_fit_is_kept_named_and_blocks_the_submission(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        let mut peter = Visitor::new(&app);
        peter.sign_in_as_demo("00000000-0000-4000-8000-000000000205").await;
        let (status, _) = peter.call("buerger/antrag-waehlen", &[("benefits[0]", "wohngeld")]).await;
        assert_eq!(status, 200);

        let answers = BTreeMap::from([
            ("personen_im_haushalt".to_owned(), "zwei".to_owned()),
            ("kinder_unter_18".to_owned(), "0".to_owned()),
        ]);
        let (status, saved) = save(&mut peter, None, "household", &answers).await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!(saved["complete"], false);
        assert_eq!(saved["next"], "/buerger/antrag/schritt/household?fehler=1", "back to the page, to show what to fix");

        let (_, page) = peter.call("buerger/antrag-schritt", &[("category", "household"), ("problems", "1")]).await;
        let problems: Vec<(&str, &str, &str)> = page["questions"].as_array().expect("questions").iter()
            .filter(|question| !question["problem"].is_null())
            .map(|question| (question["key"].as_str().unwrap_or_default(), question["value"].as_str().unwrap_or_default(), question["problem"].as_str().unwrap_or_default()))
            .collect();
        assert_eq!(problems, vec![("personen_im_haushalt", "zwei", "NotAWholeNumber"), ("alleinerziehend", "", "Missing")], "what he wrote is kept");

        let (_, check) = peter.call("buerger/antrag-pruefen", &[]).await;
        let version = check["offices"][0]["version"].as_str().unwrap_or_default().to_owned();
        let (status, next) = peter.call("buerger/antrag-absenden", &[("versions", &version)]).await;
        assert_eq!((status, next.as_str()), (200, Some("/buerger/antrag/pruefen?fehler=1")));
        assert_eq!(
            query_i64(&url, "SELECT COUNT(*) FROM applications WHERE citizen_id = '00000000-0000-4000-8000-000000000205' AND status = 'submitted'").await,
            0,
            "nothing submitted"
        );
        let (status, body) = peter.call("buerger/antrag-waehlen", &[]).await;
        assert_eq!(status, 422, "choosing nothing is answered with what to do: {body}");
        assert!(body.to_string().contains("benefits"), "{body}");
    }

    async fn a_draft_survives_a_server_restart_and_an_expired_session(backend: Backend) {
        let mut app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        let (status, first) = jonas.call("buerger/antrag-waehlen", &[("person", demo::MIA_WEBER), ("benefits[0]", "hilfe_zur_erziehung")]).await;
        assert_eq!(status, 200, "{first}");
        assert_eq!(first, format!("/buerger/antrag/schritt/identity?fuer={}", demo::MIA_WEBER), "for his daughter");
        let (_, contact) = jonas.call("buerger/antrag-schritt", &[("person", demo::MIA_WEBER), ("category", "contact")]).await;
        assert_eq!(shown_answers(&contact)["email"], "jonas.weber@example.org", "a child is reached through the parent");
        let mut answers = shown_answers(&contact);
        answers.insert("telefon".to_owned(), "0176 1111111".to_owned());
        let (status, _) = save(&mut jonas, Some(demo::MIA_WEBER), "contact", &answers).await;
        assert_eq!(status, 200);

        app.restart().await;
        let mut later = Visitor::new(&app);
        later.sign_in_as_demo(demo::JONAS_WEBER).await;
        let (status, contact) = later.call("buerger/antrag-schritt", &[("person", demo::MIA_WEBER), ("category", "contact")]).await;
        assert_eq!(status, 200, "{contact}");
        assert_eq!(shown_answers(&contact)["telefon"], "0176 1111111", "a new session after a restart finds the draft");
        let (_, start) = later.call("buerger/antrag", &[("person", demo::MIA_WEBER)]).await;
        let offered: Vec<&str> = start["benefits"].as_array().expect("benefits").iter().map(|option| option["benefit"]["code"].as_str().unwrap_or_default()).collect();
        assert_eq!(offered, vec!["hilfe_zur_erziehung"], "for a child: the help of the youth office");
    }

    async fn another_citizens_draft_and_applications_do_not_exist_for_a_citizen(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        let mut selin = Visitor::new(&app);
        selin.sign_in_as_demo(demo::SELIN_KAYA).await;
        let mia = [("person", demo::MIA_WEBER)];
        assert_eq!(selin.call("buerger/antrag", &mia).await.0, 404);
        assert_eq!(selin.call("buerger/antrag-waehlen", &[("person", demo::MIA_WEBER), ("benefits[0]", "hilfe_zur_erziehung")]).await.0, 404);
        assert_eq!(selin.call("buerger/antrag-schritt", &[("person", demo::ANNA_BECKER), ("category", "identity")]).await.0, 404);
        assert_eq!(selin.call("buerger/antrag-speichern", &[("person", demo::ANNA_BECKER), ("category", "identity"), ("answers[vorname]", "X")]).await.0, 404);
        assert_eq!(selin.call("buerger/antrag-pruefen", &[("person", demo::ANNA_BECKER)]).await.0, 404);
        assert_eq!(selin.call("buerger/antrag-absenden", &[("person", demo::ANNA_BECKER), ("versions", "")]).await.0, 404);
        // Jonas's submitted Wohngeld application: its receipt is his.
        let (status, body) = selin.call("buerger/antrag-eingang", &[("applications", "00000000-0000-4000-8000-000000000701")]).await;
        assert_eq!(status, 404, "nothing revealed: {body}");
        assert!(!body.to_string().contains("KS-2026"), "{body}");
        assert_eq!(selin.call("buerger/antrag-eingang", &[("applications", "kein-antrag")]).await.0, 422);
        // Her own pages do not show Anna's draft either.
        let (_, check) = selin.call("buerger/antrag-pruefen", &[]).await;
        assert_eq!(check["sections"].as_array().map(Vec::len), Some(0));
        assert_eq!(
            query_i64(&url, &format!("SELECT COUNT(*) FROM application_answers WHERE application_id = '{ANNA_DRAFT}' AND CAST(answers AS TEXT) LIKE '%\"X\"%'")).await,
            0,
            "Anna's draft is untouched"
        );
    }
}
