//! Which tables a handle on the database reaches.
//!
//! The citizens' records (their data, applications and what belongs to them, consents,
//! emergency accesses, protection flags, custody) are reached only through [`Tables<Records>`],
//! and only the modules that hold a [`RecordsKeeper`] can get one: the gate (the one way staff
//! read them), the citizen's own services, casework's actions and retention. The list of keepers
//! is the list of `impl` lines below; a keeper's constructor is private to its module, so the
//! compiler refuses a `Tables<Records>` anywhere else.
//!
//! Every other service (sign-in and sessions, the directory, administration, the access log's
//! checks) holds [`Tables<Office>`]. On PostgreSQL its connections act as the role
//! `klarsicht_office` (migration 0008), which holds no privilege on the citizens' tables: a query
//! on one through it is refused by the database. To move open applications to a newly published
//! consent template version, it calls a function of migration 0009, which moves none to a version
//! that requires more. A statement that changes the role back would get past it: no source
//! outside `db/` has one, which `no_bypass.rs` checks.
//! SQLite has no roles, and a per-connection authorizer would need `unsafe` code, which the
//! workspace forbids: there the office's handle reaches the same file, and `no_bypass.rs` reads
//! the sources of the modules without a keeper for SQL on those tables.

use std::marker::PhantomData;

use super::{Backend, DatabaseKind};

/// Reaches every table, the citizens' records too.
pub(in crate::server) enum Records {}

/// Reaches the office's own tables: offices, staff, templates, sessions, the access log, the
/// administration's audit. Not the citizens' records.
pub(in crate::server) enum Office {}

/// The tables of the citizens' records, in order of their names: what only a keeper reaches
/// (migration 0008 revokes them from the office's role). `citizens`, the account record, is not
/// among them: the directory reads it at a citizen's sign-in.
pub const RECORDS_TABLES: [&str; 13] = [
    "application_answers",
    "application_events",
    "applications",
    "case_notes",
    "citizen_data",
    "consent_events",
    "consents",
    "document_requests",
    "documents",
    "emergency_accesses",
    "guardianships",
    "messages",
    "protection_flags",
];

/// The role the office's connections act as on PostgreSQL (created by migration 0008).
pub(super) const OFFICE_ROLE: &str = "klarsicht_office";

/// A handle on the database that reaches the tables `Reach` names.
pub(in crate::server) struct Tables<Reach> {
    pub(in crate::server) backend: Backend,
    reach: PhantomData<fn() -> Reach>,
}

impl<Reach> Clone for Tables<Reach> {
    fn clone(&self) -> Self {
        Self { backend: self.backend.clone(), reach: PhantomData }
    }
}

impl<Reach> Tables<Reach> {
    pub(super) fn over(backend: Backend) -> Self {
        Self { backend, reach: PhantomData }
    }

    pub fn kind(&self) -> DatabaseKind {
        self.backend.kind()
    }
}

mod sealed {
    /// Implemented here only, so no other module can declare itself a keeper.
    pub trait Sealed {}
}

/// A value only a module that may read the citizens' records can make.
pub(in crate::server) trait RecordsKeeper: sealed::Sealed {}

impl<Keeper: sealed::Sealed> RecordsKeeper for Keeper {}

impl sealed::Sealed for crate::server::gate::Keeper {}
impl sealed::Sealed for crate::server::citizen::Keeper {}
impl sealed::Sealed for crate::server::casework::Keeper {}
impl sealed::Sealed for crate::server::retention::Keeper {}

#[cfg(test)]
mod tests {
    use sqlx::{Connection, postgres::PgPool};

    use super::*;
    use crate::server::db::{Database, DatabaseUrl};

    /// The tables of the portal's schema (not the migrations' own record).
    async fn tables_of(pool: &PgPool) -> Vec<String> {
        sqlx::query_scalar(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables \
             WHERE table_schema IN ('public', 'tower_sessions') AND table_type = 'BASE TABLE' \
             AND table_name <> '_sqlx_migrations' ORDER BY 1",
        )
        .fetch_all(pool)
        .await
        .expect("the tables")
    }

    /// What a query through `pool` on `table` gets: `None` when it runs, else the error's code.
    async fn refusal(pool: &PgPool, sql: &str) -> Option<String> {
        match sqlx::query(sql).execute(pool).await {
            Ok(_) => None,
            Err(error) => Some(error.as_database_error().and_then(|error| error.code()).map_or_else(|| error.to_string(), String::from)),
        }
    }

    /// On PostgreSQL the office's handle reaches every table of the office and none of the
    /// citizens' records, whatever its SQL says: PostgreSQL refuses it (insufficient privilege,
    /// 42501). A table a later migration adds is refused until that migration grants it, so this
    /// fails until the new table is named here as a record or granted to the office.
    #[tokio::test]
    async fn on_postgresql_the_office_reaches_its_own_tables_and_none_of_the_records() {
        let Ok(admin_url) = std::env::var("KLARSICHT_TEST_POSTGRES_URL") else {
            assert!(std::env::var_os("KLARSICHT_REQUIRE_POSTGRES").is_none(), "KLARSICHT_TEST_POSTGRES_URL is required");
            return;
        };
        let name = format!("klarsicht_unit_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.expect("PostgreSQL accepts a connection");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("a database");
        let mut url = url::Url::parse(&admin_url).expect("a URL");
        url.set_path(&name);
        let database = Database::connect(&DatabaseUrl::parse(url.as_str()).expect("a database URL"), 2).await.expect("connects");
        database.migrate().await.expect("migrates");
        database.load_demo_data().await.expect("the demo data");

        let (Backend::Postgres(everything), Backend::Postgres(office)) = (&database.backend, &database.office().backend) else {
            unreachable!("a PostgreSQL URL")
        };
        let role: String = sqlx::query_scalar("SELECT current_user").fetch_one(office).await.expect("the office's role");
        assert_eq!(role, OFFICE_ROLE);

        let mut reached = Vec::new();
        let mut refused = Vec::new();
        for table in tables_of(everything).await {
            let whole_rows = format!("SELECT * FROM {table} LIMIT 1");
            assert_eq!(refusal(everything, &whole_rows).await, None, "the records' handle reads {table}");
            match refusal(office, &whole_rows).await {
                None => reached.push(table),
                Some(code) => {
                    assert_eq!(code, "42501", "{table} is refused for want of privilege");
                    refused.push(table.trim_start_matches("public.").to_owned());
                }
            }
        }
        assert_eq!(refused, RECORDS_TABLES, "the office reaches every table but the citizens' records");
        assert!(reached.iter().any(|table| table == "public.offices") && reached.iter().any(|table| table == "tower_sessions.session"));

        for sql in [
            "SELECT status, template_version_id FROM applications",
            "SELECT citizen_id FROM applications",
            "SELECT reference FROM applications",
            "SELECT decision_reason FROM applications",
            "UPDATE applications SET template_version_id = template_version_id",
            "UPDATE applications SET status = status",
            "DELETE FROM applications",
            "DELETE FROM protection_flags",
            "INSERT INTO case_notes (id) VALUES (NULL)",
            "SELECT c.id FROM citizens c JOIN citizen_data d ON d.citizen_id = c.id",
            "SELECT COUNT(*) FROM consents",
        ] {
            assert_eq!(refusal(office, sql).await.as_deref(), Some("42501"), "{sql}");
        }

        // What the office can still do to applications is migration 0009's function, which
        // publishing a template version calls. It moves none to a version that requires more
        // than the application's own, nor to one not published, whatever the caller passes.
        let (application, version, template): (uuid::Uuid, uuid::Uuid, uuid::Uuid) = sqlx::query_as(
            "SELECT a.id, v.id, v.template_id FROM applications a JOIN consent_template_versions v ON v.id = a.template_version_id \
             WHERE a.status = 'submitted' AND (SELECT COUNT(*) FROM template_required_categories r WHERE r.version_id = v.id) \
               < (SELECT COUNT(*) FROM data_categories) LIMIT 1",
        )
        .fetch_one(everything)
        .await
        .expect("a submitted application whose version does not require every category");
        let (wider, unpublished) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
        for (id, status, requires) in [(wider, "published", "SELECT $1, code, 'Art. 6', 'x', 'x' FROM data_categories"), (unpublished, "draft", "SELECT $1, '', '', '', '' WHERE false")] {
            sqlx::query(
                "INSERT INTO consent_template_versions (id, template_id, version, status, intro_de, intro_en, published_at, created_at) \
                 SELECT $1, $2, MAX(version) + 1, $3, 'x', 'x', CASE WHEN $3 = 'published' THEN now() END, now() FROM consent_template_versions WHERE template_id = $2",
            )
            .bind(id)
            .bind(template)
            .bind(status)
            .execute(everything)
            .await
            .expect("a new version");
            sqlx::query(&format!("INSERT INTO template_required_categories (version_id, category_code, legal_basis, explanation_de, explanation_en) {requires}"))
                .bind(id)
                .execute(everything)
                .await
                .expect("its required categories");
            let (moved, asked): (i64, i64) = sqlx::query_as("SELECT moved, asked FROM adopt_published_version($1, now(), $2)")
                .bind(id)
                .bind("submitted,in_review,waiting_for_citizen,approved,closed")
                .fetch_one(office)
                .await
                .expect("the office may call the function");
            assert_eq!(moved, 0, "no application moves to the {status} version {id}");
            assert!(status == "draft" || asked > 0, "the applications behind the published version are counted: {asked}");
            let kept: uuid::Uuid = sqlx::query_scalar("SELECT template_version_id FROM applications WHERE id = $1")
                .bind(application)
                .fetch_one(everything)
                .await
                .expect("the application");
            assert_eq!(kept, version, "the application keeps the version its citizen agreed to");
        }

        database.close().await;
        sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut admin).await.expect("the database is dropped");
    }
}
