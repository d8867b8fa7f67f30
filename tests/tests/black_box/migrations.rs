//! Both migration folders describe the same schema versions, and they build the whole domain
//! on an empty database of each kind.

use std::path::Path;

use app::server::db::{Database, DatabaseUrl};
use klarsicht_tests::{Backend, TestDatabase, count_rows, on_both_databases};

/// Every table of schema v1 (DESIGN.md's domain). The session store's table is named by the
/// store: `tower_sessions` on SQLite, `tower_sessions.session` on PostgreSQL.
const DOMAIN_TABLES: [&str; 31] = [
    "offices",
    "data_categories",
    "benefit_types",
    "form_sections",
    "form_questions",
    "staff_members",
    "staff_roles",
    "consent_templates",
    "consent_template_versions",
    "template_required_categories",
    "template_optional_sharings",
    "citizens",
    "guardianships",
    "citizen_data",
    "applications",
    "application_answers",
    "application_events",
    "document_requests",
    "documents",
    "messages",
    "case_notes",
    "consents",
    "consent_events",
    "emergency_accesses",
    "access_log",
    "access_log_deferrals",
    "protection_flags",
    "session_records",
    "admin_audit_log",
    "retention_runs",
    "accessibility_feedback",
];

fn migration_files(folder: &str) -> Vec<String> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations").join(folder);
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("{} cannot be read: {error}", folder.display()))
        .map(|entry| entry.expect("a directory entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn both_migration_folders_define_the_same_versions() {
    let sqlite = migration_files("sqlite");
    let postgres = migration_files("postgres");
    assert!(!sqlite.is_empty(), "there are migrations");
    assert_eq!(sqlite, postgres, "migrations/sqlite and migrations/postgres hold the same file names");
    for name in &sqlite {
        let (version, _) = name.split_once('_').expect("a file name like 0001_description.sql");
        assert!(version.parse::<u64>().is_ok() && name.ends_with(".sql"), "{name} is VERSION_description.sql");
    }
}

on_both_databases! {
    async fn migrations_build_the_whole_domain_on_an_empty_database(backend: Backend) {
        let test_database = TestDatabase::create(backend).await;
        let url = DatabaseUrl::parse(test_database.url()).expect("a valid URL");
        let database = Database::connect(&url, 2).await.expect("connects");
        database.migrate().await.expect("the migrations apply");
        database.migrate().await.expect("applying them again changes nothing");
        database.close().await;

        for table in DOMAIN_TABLES {
            assert_eq!(count_rows(test_database.url(), table).await, 0, "{table} exists and is empty");
        }
        let session_table = match backend { Backend::Sqlite => "tower_sessions", Backend::Postgres => "tower_sessions.session" };
        assert_eq!(count_rows(test_database.url(), session_table).await, 0, "the session store's table exists");
        let applied = count_rows(test_database.url(), "_sqlx_migrations").await;
        assert_eq!(applied, i64::try_from(migration_files("sqlite").len()).expect("few"), "every migration is recorded once");
    }
}
