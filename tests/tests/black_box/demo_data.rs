//! Demo data: DESIGN.md's people, loaded into an empty development database, idempotently,
//! and never in production mode.

use klarsicht_tests::{TestApp, count_rows, on_both_databases, production_settings, query_i64, test_settings};
use server::{
    settings::Settings,
    startup::{self, StartupError},
};

const COUNTED_TABLES: [&str; 14] = [
    "offices",
    "data_categories",
    "benefit_types",
    "form_sections",
    "consent_template_versions",
    "template_optional_sharings",
    "citizens",
    "guardianships",
    "citizen_data",
    "staff_members",
    "staff_roles",
    "applications",
    "consents",
    "protection_flags",
];

async fn counts(database_url: &str) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in COUNTED_TABLES {
        counts.push(count_rows(database_url, table).await);
    }
    counts
}

on_both_databases! {
    async fn demo_data_fills_an_empty_development_database(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url();
        assert_eq!(count_rows(url, "offices").await, 3, "Jugendamt, Sozialamt, Wohngeldstelle");
        assert_eq!(count_rows(url, "benefit_types").await, 3, "Wohngeld, Hilfe zur Erziehung, Grundsicherung");
        assert_eq!(count_rows(url, "data_categories").await, 10);
        assert_eq!(
            query_i64(url, "SELECT COUNT(*) FROM consent_template_versions WHERE status = 'published'").await,
            3,
            "one published template per benefit type"
        );
        assert_eq!(count_rows(url, "guardianships").await, 1, "a father with his child");
        assert_eq!(query_i64(url, "SELECT COUNT(DISTINCT citizen_id) FROM protection_flags WHERE lifted_at IS NULL").await, 1, "one citizen is protected");
        for role in ["caseworker", "data_protection_officer", "administrator"] {
            let sql = format!("SELECT COUNT(*) FROM staff_roles WHERE role = '{role}'");
            assert!(query_i64(url, &sql).await >= 1, "a {role} exists");
        }
        for office in ["jugendamt", "sozialamt", "wohngeldstelle"] {
            let sql = format!("SELECT COUNT(*) FROM staff_roles WHERE role = 'caseworker' AND office_code = '{office}'");
            assert!(query_i64(url, &sql).await >= 1, "{office} has a caseworker");
        }
        assert_eq!(count_rows(url, "access_log").await, 0, "no access happened yet");
    }

    async fn loading_demo_data_again_changes_nothing(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let before = counts(app.database_url()).await;
        let settings = Settings::check(test_settings(app.database_url())).expect("valid");
        startup::load_demo_data(&settings).await.expect("loads again");
        assert_eq!(counts(app.database_url()).await, before);
    }

    async fn an_app_started_without_demo_data_stays_empty(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        assert_eq!(count_rows(app.database_url(), "offices").await, 0);
        assert_eq!(count_rows(app.database_url(), "citizens").await, 0);
    }

    async fn production_mode_never_loads_demo_data(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| *settings = production_settings(&settings.database_url.clone().unwrap_or_default())).await;
        assert_eq!(count_rows(app.database_url(), "citizens").await, 0);

        let settings = Settings::check(production_settings(app.database_url())).expect("valid production settings");
        let refused = startup::load_demo_data(&settings).await;
        assert!(matches!(refused, Err(StartupError::DemoDataInProduction)), "the explicit command refuses too");
        assert_eq!(count_rows(app.database_url(), "citizens").await, 0);
    }
}
