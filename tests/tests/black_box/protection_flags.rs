//! Protection flags (Auskunftssperre): set and lifted by caseworkers of the citizen's own cases,
//! with a reason; visible to them and to nobody else; the office's own application stays readable.

use klarsicht_tests::{TestApp, Visitor, count_rows, demo, on_both_databases};

/// Jonas for Mia: Hilfe zur Erziehung at the Jugendamt (demo data).
const HZE_FOR_MIA: &str = "00000000-0000-4000-8000-000000000702";
const TOBIAS_KRUEGER: &str = "00000000-0000-4000-8000-000000000102";
const SABINE_FISCHER: &str = "00000000-0000-4000-8000-000000000104";
const REASON: &str = "Der Vater darf die neue Anschrift nicht erfahren.";

on_both_databases! {
    async fn a_caseworker_sets_a_flag_a_colleague_sees_and_lifts_it(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut lena = Visitor::new(&app);
        lena.sign_in_as_demo(demo::LENA_HOFFMANN).await;
        let (_, before) = lena.call("mitarbeitende/fall", &[("application", HZE_FOR_MIA)]).await;

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

        let (_, after) = lena.call("mitarbeitende/fall", &[("application", HZE_FOR_MIA)]).await;
        assert_eq!(before["data"], after["data"], "the office's own application stays readable under a flag");

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
