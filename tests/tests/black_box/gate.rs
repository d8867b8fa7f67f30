//! The gate, through the caseworker's server function: only what the office may see, an
//! access-log entry for every read, nothing for another office, and no inference.

use klarsicht_tests::{TestApp, Visitor, count_rows, demo, execute, on_both_databases, query_i64};

/// Jonas for Mia: Hilfe zur Erziehung at the Jugendamt (demo data).
const HZE_FOR_MIA: &str = "00000000-0000-4000-8000-000000000702";
/// Jonas: Wohngeld at the Wohngeldstelle (demo data).
const WOHNGELD_OF_JONAS: &str = "00000000-0000-4000-8000-000000000701";
/// Sabine Fischer, caseworker at the Wohngeldstelle.
const SABINE_FISCHER: &str = "00000000-0000-4000-8000-000000000104";

async fn open_case(visitor: &mut Visitor<'_>, application: &str) -> (u16, serde_json::Value) {
    let (status, file) = visitor.call("mitarbeitende/akte", &[("application", application)]).await;
    match status {
        200 => (status, file["case"].clone()),
        _ => (status, file),
    }
}

/// Jonas: Grundsicherung at the Sozialamt (demo data).
const GRUNDSICHERUNG_OF_JONAS: &str = "00000000-0000-4000-8000-000000000790";
/// An id no record has.
const UNKNOWN: &str = "00000000-0000-4000-8000-00000000dead";

/// The father's own application to the youth office, added by the test below.
const FATHERS_OWN: &str = "00000000-0000-4000-8000-000000000799";

/// Everything the youth office's caseworker receives about the father and his child: the pages
/// and the server functions' answers of both cases, and the queue.
async fn what_the_youth_office_receives(lena: &mut Visitor<'_>) -> Vec<String> {
    let mut received = Vec::new();
    for application in [FATHERS_OWN, HZE_FOR_MIA] {
        received.push(lena.page(&format!("/mitarbeitende/faelle/{application}")).await);
        for endpoint in ["mitarbeitende/akte", "mitarbeitende/schutzvermerke"] {
            let (status, answer) = lena.call(endpoint, &[("application", application)]).await;
            received.push(format!("{endpoint} {status} {answer}"));
        }
    }
    received.push(lena.page("/mitarbeitende/warteschlange").await);
    let (status, queue) = lena.call("mitarbeitende/warteschlange", &[]).await;
    received.push(format!("{status} {queue}"));
    received
}

on_both_databases! {
    async fn a_caseworker_of_two_offices_reaches_each_case_through_the_office_that_holds_it(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url();
        execute(url, &format!("INSERT INTO staff_roles (staff_id, office_code, role) VALUES ('{SABINE_FISCHER}', 'jugendamt', 'caseworker')")).await;
        // A draft at one of her offices: the citizen's alone.
        const DRAFT: &str = "00000000-0000-4000-8000-000000000798";
        execute(url, &format!(
            "INSERT INTO applications (id, reference, citizen_id, submitted_by_citizen_id, benefit_type_code, office_code, template_version_id, status, created_at, updated_at) \
             SELECT '{DRAFT}', 'KS-2026-000098', citizen_id, submitted_by_citizen_id, benefit_type_code, office_code, template_version_id, 'draft', created_at, updated_at \
             FROM applications WHERE id = '{HZE_FOR_MIA}'"
        )).await;
        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(SABINE_FISCHER).await;

        for (application, office) in [(WOHNGELD_OF_JONAS, "wohngeldstelle"), (HZE_FOR_MIA, "jugendamt")] {
            let (status, view) = open_case(&mut sabine, application).await;
            assert_eq!(status, 200, "{application}: {view}");
            let logged = format!("SELECT COUNT(*) FROM access_log WHERE basis_ref = '{application}' AND office_code = '{office}'");
            assert_eq!(query_i64(url, &logged).await, 1, "{application}: read for the office that holds it");
        }
        let (unknown, unknown_answer) = open_case(&mut sabine, UNKNOWN).await;
        assert_eq!(unknown, 404);
        for application in [GRUNDSICHERUNG_OF_JONAS, DRAFT] {
            assert_eq!(open_case(&mut sabine, application).await, (unknown, unknown_answer.clone()), "{application}: like an unknown id");
            let (status, answer) = sabine.call("mitarbeitende/notiz", &[("application", application), ("body", "Notiz")]).await;
            assert_eq!((status, answer), (404, unknown_answer.clone()), "{application}: nothing to act on");
        }
        assert_eq!(count_rows(url, "access_log").await, 2, "only the two reads of her offices' cases");

        // A wrong input is judged before the application is looked up: the same answer for any id.
        let wrong_hours = |application: &'static str| {
            [("application", application), ("person", demo::MIA_WEBER), ("reason", "Akute Gefährdung des Kindes"), ("categories[0]", "health_disability"), ("hours", "0")]
        };
        let (status, for_draft) = sabine.call("mitarbeitende/notzugriff-oeffnen", &wrong_hours(DRAFT)).await;
        assert_eq!((status, for_draft["Invalid"]["field"].as_str()), (422, Some("hours")), "{for_draft}");
        assert_eq!(sabine.call("mitarbeitende/notzugriff-oeffnen", &wrong_hours(UNKNOWN)).await, (422, for_draft));
    }

    async fn a_caseworker_sees_exactly_the_categories_the_template_requires(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut lena = Visitor::new(&app);
        lena.sign_in_as_demo(demo::LENA_HOFFMANN).await;
        let (status, view) = open_case(&mut lena, HZE_FOR_MIA).await;
        assert_eq!(status, 200, "{view}");
        assert_eq!(view["reference"], "KS-2026-000002");

        let seen: Vec<String> = view["data"].as_object().expect("data").keys().cloned().collect();
        let url = app.database_url();
        let required = query_i64(url, &format!(
            "SELECT COUNT(*) FROM citizen_data d JOIN applications a ON a.citizen_id = d.citizen_id \
             JOIN template_required_categories r ON r.version_id = a.template_version_id AND r.category_code = d.category_code \
             WHERE a.id = '{HZE_FOR_MIA}'"
        )).await;
        assert_eq!(seen.len() as i64, required, "every required category the citizen keeps, and no other: {seen:?}");
        for forbidden in ["income_assets", "bank_account", "benefits_received", "health_disability"] {
            assert!(!seen.iter().any(|code| code == forbidden), "{forbidden} is not for the youth office");
        }
        assert!(!view.to_string().contains("hidden") && !view.to_string().contains("withheld"), "no marker for what is absent");

        assert_eq!(count_rows(url, "access_log").await, 1, "the read wrote one log entry");
        assert_eq!(query_i64(url, &format!("SELECT COUNT(*) FROM access_log WHERE basis = 'application' AND basis_ref = '{HZE_FOR_MIA}'")).await, 1);
    }

    async fn another_office_learns_nothing_not_even_that_the_application_exists(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(SABINE_FISCHER).await;
        let (existing, body_existing) = open_case(&mut sabine, HZE_FOR_MIA).await;
        let (missing, body_missing) = open_case(&mut sabine, "00000000-0000-4000-8000-00000000dead").await;
        assert_eq!((existing, missing), (404, 404));
        assert_eq!(body_existing, body_missing, "the answer does not reveal whether the id exists");
        assert_eq!(count_rows(app.database_url(), "access_log").await, 0, "a denial leaves no log entry and no trace");

        let (own, _) = open_case(&mut sabine, WOHNGELD_OF_JONAS).await;
        assert_eq!(own, 200, "her own office's application opens");
    }

    async fn a_youth_office_cannot_infer_a_fathers_housing_benefit(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url();
        // The father applies to the youth office himself.
        execute(url, &format!(
            "INSERT INTO applications (id, reference, citizen_id, submitted_by_citizen_id, benefit_type_code, office_code, template_version_id, status, created_at, updated_at, submitted_at) \
             SELECT '{FATHERS_OWN}', 'KS-2026-000099', '{father}', '{father}', benefit_type_code, office_code, template_version_id, 'submitted', created_at, updated_at, submitted_at \
             FROM applications WHERE id = '{HZE_FOR_MIA}'",
            father = demo::JONAS_WEBER
        )).await;
        let mut lena = Visitor::new(&app);
        lena.sign_in_as_demo(demo::LENA_HOFFMANN).await;
        let (status, view) = open_case(&mut lena, FATHERS_OWN).await;
        assert_eq!(status, 200, "{view}");
        assert_eq!(view["data"]["household"]["alleinerziehend"], true, "what the youth office's form asks: {view}");
        assert!(view["data"]["household"].get("kinder_unter_18").is_none(), "only the Wohngeld form asks that: {view}");
        // The father's own picture says the same: the youth office sees what its form asks.
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        let youth_office = jonas.page("/buerger/freigaben/amt/jugendamt").await;
        assert!(youth_office.contains("Erziehen Sie") && !youth_office.contains("Kinder unter 18"), "{youth_office}");
        let housing_office = jonas.page("/buerger/freigaben/amt/wohngeldstelle").await;
        assert!(housing_office.contains("Kinder unter 18"), "{housing_office}");
        // Once to settle what a first look changes (messages read), then the picture to keep.
        what_the_youth_office_receives(&mut lena).await;
        let with_housing_benefit = what_the_youth_office_receives(&mut lena).await;

        // Without his Wohngeld application, his income and what only its form asked of his
        // household: the same views of him and of his child, byte for byte.
        execute(url, &format!(
            "DELETE FROM application_events WHERE application_id = '{WOHNGELD_OF_JONAS}'; \
             DELETE FROM application_answers WHERE application_id = '{WOHNGELD_OF_JONAS}'; \
             DELETE FROM applications WHERE id = '{WOHNGELD_OF_JONAS}'; \
             DELETE FROM consent_events WHERE consent_id IN (SELECT id FROM consents WHERE citizen_id = '{father}'); \
             DELETE FROM consents WHERE citizen_id = '{father}'; \
             DELETE FROM citizen_data WHERE citizen_id = '{father}' AND category_code IN ('income_assets', 'benefits_received', 'housing', 'bank_account'); \
             UPDATE citizen_data SET data = '{{\"personen_im_haushalt\":2,\"alleinerziehend\":true,\"sorgerecht\":\"gemeinsam\"}}' \
               WHERE citizen_id = '{father}' AND category_code = 'household';",
            father = demo::JONAS_WEBER
        )).await;
        let without = what_the_youth_office_receives(&mut lena).await;
        assert_eq!(with_housing_benefit.len(), without.len());
        for (with, without) in with_housing_benefit.iter().zip(&without) {
            assert_eq!(with, without, "the youth office receives the same with and without his Wohngeld application");
        }
    }

    async fn the_log_stays_intact_across_reads(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut lena = Visitor::new(&app);
        lena.sign_in_as_demo(demo::LENA_HOFFMANN).await;
        for _ in 0..3 {
            assert_eq!(open_case(&mut lena, HZE_FOR_MIA).await.0, 200);
        }
        assert_eq!(count_rows(app.database_url(), "access_log").await, 3, "every read is logged");
        let (size, _) = crate::log_tree::signed_checkpoint_of_every_entry(&app).await;
        let verification = crate::log_tree::verify_tree(&app).await;
        assert_eq!((size, verification.leaves, &verification.problem), (3, 3, &None), "{verification:?}");
    }
}
