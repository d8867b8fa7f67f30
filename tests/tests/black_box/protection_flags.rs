//! Protection flags (Auskunftssperre): set and lifted by caseworkers of the citizen's own cases,
//! with a reason; visible to them and to nobody else; the office's own application stays readable.
//! A flag belongs to the office that set it: for every other office it does not exist, byte for
//! byte. The data protection officer sees every flag without its reason; the citizen sees that
//! they are protected, by which office, since when.

use klarsicht_tests::{TestApp, Visitor, count_rows, demo, execute, on_both_databases};

/// Jonas for Mia: Hilfe zur Erziehung at the Jugendamt (demo data).
const HZE_FOR_MIA: &str = "00000000-0000-4000-8000-000000000702";
const TOBIAS_KRUEGER: &str = "00000000-0000-4000-8000-000000000102";
const SABINE_FISCHER: &str = "00000000-0000-4000-8000-000000000104";
const REASON: &str = "Der Vater darf die neue Anschrift nicht erfahren.";
/// Jonas's Wohngeld application at the Wohngeldstelle (demo data).
const WOHNGELD_OF_JONAS: &str = "00000000-0000-4000-8000-000000000701";
/// A Grundsicherung application of Jonas at the Sozialamt, added by the tests below.
const GRUNDSICHERUNG_OF_JONAS: &str = "00000000-0000-4000-8000-000000000790";
const MURAT_YILMAZ: &str = "00000000-0000-4000-8000-000000000103";

/// Gives Jonas a submitted Grundsicherung application at the Sozialamt, whose staff may then
/// set a flag on him.
async fn jonas_applies_to_the_sozialamt(app: &TestApp) {
    execute(app.database_url(), &format!(
        "INSERT INTO applications (id, reference, citizen_id, submitted_by_citizen_id, benefit_type_code, office_code, \
           template_version_id, status, assigned_staff_id, decision_reason, created_at, updated_at, submitted_at, decided_at, closed_at) \
         VALUES ('{GRUNDSICHERUNG_OF_JONAS}', 'KS-2026-000090', '{jonas}', '{jonas}', 'grundsicherung', 'sozialamt', \
           '00000000-0000-4000-8000-000000000313', 'submitted', NULL, NULL, '2026-11-04T08:00:00.000000Z', \
           '2026-11-04T08:00:00.000000Z', '2026-11-04T08:00:00.000000Z', NULL, NULL)",
        jonas = demo::JONAS_WEBER
    ))
    .await;
}

/// Everything the Wohngeldstelle's caseworker receives about Jonas: the pages and every server
/// function's answer that concerns him.
async fn what_the_wohngeldstelle_receives(sabine: &mut Visitor<'_>) -> Vec<String> {
    let mut received = Vec::new();
    for path in [
        "/mitarbeitende/start".to_owned(),
        "/mitarbeitende/warteschlange".to_owned(),
        format!("/mitarbeitende/faelle/{WOHNGELD_OF_JONAS}"),
        "/mitarbeitende/notzugriffe".to_owned(),
    ] {
        received.push(sabine.page(&path).await);
    }
    for (endpoint, arguments) in [
        ("mitarbeitende/akte", vec![("application", WOHNGELD_OF_JONAS)]),
        ("mitarbeitende/schutzvermerke", vec![("application", WOHNGELD_OF_JONAS)]),
        ("mitarbeitende/schutzvermerke", vec![("application", GRUNDSICHERUNG_OF_JONAS)]),
        ("mitarbeitende/warteschlange", vec![]),
        ("mitarbeitende/freigaben", vec![]),
        ("mitarbeitende/notzugriffe", vec![]),
    ] {
        let (status, answer) = sabine.call(endpoint, &arguments).await;
        received.push(format!("{endpoint} {status} {answer}"));
    }
    received
}

on_both_databases! {
    async fn a_caseworker_sets_a_flag_a_colleague_sees_and_lifts_it(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut lena = Visitor::new(&app);
        lena.sign_in_as_demo(demo::LENA_HOFFMANN).await;
        let (_, before) = lena.call("mitarbeitende/akte", &[("application", HZE_FOR_MIA)]).await;

        let (status, flag) = lena
            .call("mitarbeitende/schutzvermerk-setzen", &[("application", HZE_FOR_MIA), ("kind", "domestic_violence"), ("reason", REASON)])
            .await;
        assert_eq!(status, 200, "{flag}");
        let flag = flag.as_str().expect("the flag's id").to_owned();

        let mut tobias = Visitor::new(&app);
        tobias.sign_in_as_demo(TOBIAS_KRUEGER).await;
        let (status, flags) = tobias.call("mitarbeitende/schutzvermerke", &[("application", HZE_FOR_MIA)]).await;
        assert_eq!(status, 200);
        let flags = flags.as_array().expect("a list").clone();
        assert_eq!(flags.len(), 1);
        assert_eq!(flags[0]["kind"], "domestic_violence");
        assert_eq!(flags[0]["reason"], REASON);
        assert_eq!(flags[0]["set_by_office"], "jugendamt");

        let (_, after) = lena.call("mitarbeitende/akte", &[("application", HZE_FOR_MIA)]).await;
        assert_eq!((&before["case"]["data"], before["case"]["data"].as_object().map(|data| data.len())), (&after["case"]["data"], Some(3)), "the office's own application stays readable under a flag");

        let (status, _) = tobias
            .call("mitarbeitende/schutzvermerk-aufheben", &[("application", HZE_FOR_MIA), ("flag", &flag), ("reason", "Gefahr besteht nicht mehr.")])
            .await;
        assert_eq!(status, 200);
        let (_, flags) = tobias.call("mitarbeitende/schutzvermerke", &[("application", HZE_FOR_MIA)]).await;
        assert_eq!(flags.as_array().map(Vec::len), Some(0), "lifted flags are no longer active");
        let (status, _) = tobias
            .call("mitarbeitende/schutzvermerk-aufheben", &[("application", HZE_FOR_MIA), ("flag", &flag), ("reason", "Gefahr besteht nicht mehr.")])
            .await;
        assert_eq!(status, 404, "a flag is lifted once");
        assert_eq!(count_rows(app.database_url(), "protection_flags WHERE lifted_at IS NOT NULL AND lift_reason IS NOT NULL").await, 1);
    }

    async fn staff_of_another_office_neither_see_nor_set_flags(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(SABINE_FISCHER).await;
        let (status, _) = sabine.call("mitarbeitende/schutzvermerke", &[("application", HZE_FOR_MIA)]).await;
        assert_eq!(status, 404);
        let flags_before = count_rows(app.database_url(), "protection_flags").await;
        let (status, _) = sabine
            .call("mitarbeitende/schutzvermerk-setzen", &[("application", HZE_FOR_MIA), ("kind", "other"), ("reason", REASON)])
            .await;
        assert_eq!(status, 404);
        assert_eq!(count_rows(app.database_url(), "protection_flags").await, flags_before);
    }

    async fn a_flag_needs_a_kind_and_a_reason_and_the_answer_names_the_field(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut lena = Visitor::new(&app);
        lena.sign_in_as_demo(demo::LENA_HOFFMANN).await;
        let (status, error) = lena
            .call("mitarbeitende/schutzvermerk-setzen", &[("application", HZE_FOR_MIA), ("kind", "address_block"), ("reason", "kurz")])
            .await;
        assert_eq!(status, 422);
        assert_eq!(error["Invalid"]["field"], "reason", "{error}");
        let (status, error) = lena
            .call("mitarbeitende/schutzvermerk-setzen", &[("application", HZE_FOR_MIA), ("kind", "geheim"), ("reason", REASON)])
            .await;
        assert_eq!(status, 422);
        assert_eq!(error["Invalid"]["field"], "kind", "{error}");
        let (status, error) = lena
            .call("mitarbeitende/schutzvermerk-setzen", &[("application", "keine-id"), ("kind", "other"), ("reason", REASON)])
            .await;
        assert_eq!(status, 422);
        assert_eq!(error["Invalid"]["field"], "application", "{error}");
        let (status, _) = lena.call("mitarbeitende/schutzvermerk-setzen", &[("application", HZE_FOR_MIA)]).await;
        assert_eq!(status, 400, "missing fields are a clear 400, not a 500");
    }
}

on_both_databases! {
    async fn another_offices_flag_does_not_exist_for_a_caseworker_byte_for_byte(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        jonas_applies_to_the_sozialamt(&app).await;
        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(SABINE_FISCHER).await;
        // Once to settle what a first look changes (messages read), then the picture to keep.
        what_the_wohngeldstelle_receives(&mut sabine).await;
        let before = what_the_wohngeldstelle_receives(&mut sabine).await;
        let unknown_flag = "00000000-0000-4000-8000-0000000009ff";
        let lift = [("application", WOHNGELD_OF_JONAS), ("flag", unknown_flag), ("reason", "Gefahr besteht nicht mehr.")];
        let lifting_an_unknown_flag = sabine.call("mitarbeitende/schutzvermerk-aufheben", &lift).await;
        assert_eq!(lifting_an_unknown_flag.0, 404);

        let mut murat = Visitor::new(&app);
        murat.sign_in_as_demo(MURAT_YILMAZ).await;
        let (status, flag) = murat
            .call("mitarbeitende/schutzvermerk-setzen", &[("application", GRUNDSICHERUNG_OF_JONAS), ("kind", "domestic_violence"), ("reason", REASON)])
            .await;
        assert_eq!(status, 200, "{flag}");
        let flag = flag.as_str().expect("the flag's id").to_owned();
        let (_, own) = murat.call("mitarbeitende/schutzvermerke", &[("application", GRUNDSICHERUNG_OF_JONAS)]).await;
        assert_eq!(own[0]["reason"], REASON, "the office that set it sees it: {own}");

        let after = what_the_wohngeldstelle_receives(&mut sabine).await;
        for (before, after) in before.iter().zip(&after) {
            assert_eq!(before, after, "the Wohngeldstelle receives the same with and without the Sozialamt's flag");
        }
        assert_eq!(before.len(), after.len());
        assert!(!after.concat().contains(REASON) && !after.concat().contains(&flag));

        let lift = [("application", WOHNGELD_OF_JONAS), ("flag", flag.as_str()), ("reason", "Gefahr besteht nicht mehr.")];
        let lifting_the_flag = sabine.call("mitarbeitende/schutzvermerk-aufheben", &lift).await;
        assert_eq!(lifting_the_flag, lifting_an_unknown_flag, "another office's flag is not there to lift");
        let holding = format!("protection_flags WHERE lifted_at IS NULL AND citizen_id = '{}'", demo::JONAS_WEBER);
        assert_eq!(count_rows(app.database_url(), &holding).await, 1, "it still holds");
    }

    async fn the_citizen_sees_that_they_are_protected_by_which_office_and_since_when(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        jonas_applies_to_the_sozialamt(&app).await;
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        let (_, data) = jonas.call("buerger/daten", &[]).await;
        assert_eq!(data["protections"], serde_json::json!([]), "no flag, nothing said: {data}");
        let before = jonas.page("/buerger/daten").await;
        assert!(!before.contains("Es gilt ein Schutzvermerk"), "{before}");

        let mut murat = Visitor::new(&app);
        murat.sign_in_as_demo(MURAT_YILMAZ).await;
        let (status, _) = murat
            .call("mitarbeitende/schutzvermerk-setzen", &[("application", GRUNDSICHERUNG_OF_JONAS), ("kind", "address_block"), ("reason", REASON)])
            .await;
        assert_eq!(status, 200);

        let (_, data) = jonas.call("buerger/daten", &[]).await;
        let protections = data["protections"].as_array().expect("a list").clone();
        assert_eq!(protections.len(), 1, "{data}");
        assert_eq!(protections[0]["office"], "sozialamt");
        assert!(protections[0]["since"].as_str().is_some_and(|since| since.starts_with("20")), "{data}");
        let html = jonas.page("/buerger/daten").await.replace("<!>", "");
        assert!(html.contains("Es gilt ein Schutzvermerk") && html.contains("Sozialamt hat am"), "{html}");
        let (status, export) = jonas.call_get("buerger/datenexport", &[]).await;
        assert_eq!(status, 200);
        assert_eq!(export["protections"], data["protections"], "the export says it too");
        for shown in [data.to_string(), html, export.to_string()] {
            assert!(!shown.contains(REASON) && !shown.contains("address_block"), "the reason and kind stay with the office");
        }
    }

    async fn the_data_protection_officer_sees_every_flag_without_its_reason(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        jonas_applies_to_the_sozialamt(&app).await;
        let mut murat = Visitor::new(&app);
        murat.sign_in_as_demo(MURAT_YILMAZ).await;
        let (status, _) = murat
            .call("mitarbeitende/schutzvermerk-setzen", &[("application", GRUNDSICHERUNG_OF_JONAS), ("kind", "domestic_violence"), ("reason", REASON)])
            .await;
        assert_eq!(status, 200);
        let (status, _) = murat.call("datenschutz/schutzvermerke", &[]).await;
        assert_eq!(status, 403, "a caseworker does not review every office's flags");

        let mut claudia = Visitor::new(&app);
        claudia.sign_in_as_demo(demo::CLAUDIA_NEUMANN).await;
        let (status, flags) = claudia.call("datenschutz/schutzvermerke", &[]).await;
        assert_eq!(status, 200, "{flags}");
        let of_jonas: Vec<&serde_json::Value> =
            flags.as_array().expect("a list").iter().filter(|flag| flag["citizen"] == demo::JONAS_WEBER).collect();
        assert_eq!(of_jonas.len(), 1, "{flags}");
        assert_eq!(of_jonas[0]["kind"], "domestic_violence");
        assert_eq!(of_jonas[0]["office"], "sozialamt");
        assert!(of_jonas[0]["lifted_at"].is_null());
        assert_eq!(flags.as_array().map(Vec::len), Some(3), "Selin's two of the demo data too: every office's");
        let html = claudia.page("/datenschutz/start").await;
        assert!(html.contains("Schutzvermerke") && html.contains(demo::JONAS_WEBER), "{html}");
        for shown in [flags.to_string(), html] {
            assert!(!shown.contains(REASON), "not the reason: that is case content");
        }
    }
}
