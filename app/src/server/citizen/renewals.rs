//! New versions of consent templates and open applications. An application fixes the
//! categories its office receives by the template version it was sent on. When a version is
//! published, open applications move to it if it requires nothing their version did not;
//! otherwise they stay where they are and their citizens are asked. Only the citizen's "yes"
//! moves such an application: nothing widens without them.

use std::sync::LazyLock;

use super::SelfService;
use crate::{
    consent::{NamedCode, RequiredCategory, TermsRenewal},
    localized::Localized,
    server::{
        auth::{ActingFor, Citizen},
        db::{ApplicationEventId, ApplicationId, BeginWrite, CitizenId, DatabaseError, TemplateVersionId, Timestamp, on_backend},
        error::{ServiceError, invalid},
    },
    status::ApplicationStatus,
};

/// The statuses of an application its office still works on, as an SQL list.
pub(in crate::server) fn open_statuses() -> &'static str {
    static OPEN: LazyLock<String> = LazyLock::new(|| ApplicationStatus::sql_list(&ApplicationStatus::OPEN));
    &OPEN
}

/// The statuses of an open application, comma-separated: what PostgreSQL's
/// `adopt_published_version` reads (migration 0009).
pub(in crate::server) fn open_status_codes() -> &'static str {
    static OPEN: LazyLock<String> =
        LazyLock::new(|| ApplicationStatus::OPEN.iter().map(|status| status.code()).collect::<Vec<_>>().join(","));
    &OPEN
}

/// Inside the transaction that publishes version `$version` of template `$template` on
/// `$connection` to a database of `$kind`: moves the open applications on an earlier version to
/// it where it requires no category theirs did not, and counts the others, whose citizens are
/// asked. Answers (moved, asked).
///
/// The administrator's services run this, and on PostgreSQL they reach no application: there
/// the function `adopt_published_version` of migration 0009 does the same with its owner's
/// rights, and holds the rule's second copy. The publishing tests run both.
macro_rules! adopt_published_version {
    ($connection:expr, $kind:expr, $template:expr, $version:expr, $now:expr) => {
        async {
            let template: $crate::server::db::TemplateId = $template;
            let version: $crate::server::db::TemplateVersionId = $version;
            if $kind == $crate::server::db::DatabaseKind::Postgres {
                let (moved, asked): (i64, i64) = sqlx::query_as("SELECT moved, asked FROM adopt_published_version($1, $2, $3)")
                    .bind(version)
                    .bind($now)
                    .bind($crate::server::citizen::open_status_codes())
                    .fetch_one(&mut *$connection)
                    .await?;
                return Ok::<(u64, u64), sqlx::Error>((u64::try_from(moved).unwrap_or_default(), u64::try_from(asked).unwrap_or_default()));
            }
            let moved = sqlx::query(&format!(
                "UPDATE applications SET template_version_id = $1, updated_at = $3 WHERE status IN {} \
                 AND template_version_id IN (SELECT id FROM consent_template_versions WHERE template_id = $2 AND id <> $1) \
                 AND NOT EXISTS (SELECT 1 FROM template_required_categories r WHERE r.version_id = $1 AND r.category_code NOT IN \
                   (SELECT o.category_code FROM template_required_categories o WHERE o.version_id = applications.template_version_id))",
                $crate::server::citizen::open_statuses(),
            ))
            .bind(version)
            .bind(template)
            .bind($now)
            .execute(&mut *$connection)
            .await?
            .rows_affected();
            let asked: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM applications WHERE status IN {} \
                 AND template_version_id IN (SELECT id FROM consent_template_versions WHERE template_id = $2 AND id <> $1)",
                $crate::server::citizen::open_statuses(),
            ))
            .bind(version)
            .bind(template)
            .fetch_one(&mut *$connection)
            .await?;
            Ok::<(u64, u64), sqlx::Error>((moved, u64::try_from(asked).unwrap_or_default()))
        }
        .await
    };
}
pub(in crate::server) use adopt_published_version;

/// Open applications of a person on an older version than their template's newest published
/// one: application, reference, benefit (code, names), office (code, names), version (id,
/// number), newest version (id, number, intro de, en).
static BEHIND: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT a.id, a.reference, b.code, b.name_de, b.name_en, o.code, o.name_de, o.name_en, cv.id, cv.version, \
         nv.id, nv.version, nv.intro_de, nv.intro_en FROM applications a \
         JOIN benefit_types b ON b.code = a.benefit_type_code JOIN offices o ON o.code = a.office_code \
         JOIN consent_template_versions cv ON cv.id = a.template_version_id \
         JOIN consent_template_versions nv ON nv.template_id = cv.template_id AND nv.status = 'published' \
           AND nv.version = (SELECT MAX(x.version) FROM consent_template_versions x WHERE x.template_id = cv.template_id AND x.status = 'published') \
         WHERE a.citizen_id = $1 AND nv.id <> cv.id AND a.status IN {} ORDER BY a.submitted_at, a.id",
        open_statuses(),
    )
});
type BehindRow = (
    ApplicationId,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    TemplateVersionId,
    i64,
    TemplateVersionId,
    i64,
    String,
    String,
);

/// version, category (code, names), legal basis, explanation (de, en).
type RequiredRow = (TemplateVersionId, String, String, String, String, String, String);

impl SelfService {
    /// The new versions the person of `acting` is asked to agree to: for each
    /// open application whose template now requires more, what the office would receive in
    /// addition and why.
    pub async fn renewals(&self, acting: &ActingFor) -> Result<Vec<TermsRenewal>, ServiceError> {
        self.renewals_of(acting.person()).await
    }

    /// The renewals of `person`, for whoever the caller found acts for them.
    pub(super) async fn renewals_of(&self, person: CitizenId) -> Result<Vec<TermsRenewal>, ServiceError> {
        let (behind, required): (Vec<BehindRow>, Vec<RequiredRow>) = on_backend!(self.database, pool => {
            let mut connection = pool.acquire().await?;
            let behind: Vec<BehindRow> = sqlx::query_as(&BEHIND).bind(person).fetch_all(&mut *connection).await?;
            let required = if behind.is_empty() {
                Vec::new()
            } else {
                sqlx::query_as(
                    "SELECT r.version_id, c.code, c.name_de, c.name_en, r.legal_basis, r.explanation_de, r.explanation_en \
                     FROM template_required_categories r JOIN data_categories c ON c.code = r.category_code ORDER BY c.sort_order",
                )
                .fetch_all(&mut *connection)
                .await?
            };
            Ok::<_, sqlx::Error>((behind, required))
        })
        .map_err(DatabaseError::from)?;
        let of = |version: TemplateVersionId| required.iter().filter(move |row| row.0 == version);
        Ok(behind
            .into_iter()
            .filter_map(|row| {
                let (application, reference, benefit, benefit_de, benefit_en, office, office_de, office_en) =
                    (row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7);
                let (current, current_number, newest, newest_number, intro_de, intro_en) =
                    (row.8, row.9, row.10, row.11, row.12, row.13);
                let added: Vec<RequiredCategory> = of(newest)
                    .filter(|new| !of(current).any(|old| old.1 == new.1))
                    .map(|new| RequiredCategory {
                        category: NamedCode { code: new.1.clone(), name: Localized::new(new.2.clone(), new.3.clone()) },
                        legal_basis: new.4.clone(),
                        explanation: Localized::new(new.5.clone(), new.6.clone()),
                    })
                    .collect();
                // A version that asks for nothing more was taken over when it was published.
                if added.is_empty() {
                    return None;
                }
                let removed = of(current)
                    .filter(|old| !of(newest).any(|new| new.1 == old.1))
                    .map(|old| NamedCode { code: old.1.clone(), name: Localized::new(old.2.clone(), old.3.clone()) })
                    .collect();
                Some(TermsRenewal {
                    application: application.to_string(),
                    reference,
                    benefit: NamedCode { code: benefit, name: Localized::new(benefit_de, benefit_en) },
                    office: NamedCode { code: office, name: Localized::new(office_de, office_en) },
                    current_version: current_number,
                    new_version: newest.to_string(),
                    new_version_number: newest_number,
                    intro: Localized::new(intro_de, intro_en),
                    added,
                    removed,
                })
            })
            .collect())
    }

    /// The citizen agrees to `version` for `application`: from now on its office receives what
    /// that version requires. `version` must be the newest published version of the
    /// application's template — what the citizen was shown; `Invalid` when a newer one came
    /// since, `NotFound` when the application is not theirs or not open.
    pub async fn accept_renewal(
        &self,
        citizen: &Citizen,
        application: ApplicationId,
        version: TemplateVersionId,
    ) -> Result<(), ServiceError> {
        let person: Option<CitizenId> = on_backend!(self.database, pool => sqlx::query_scalar(
            "SELECT citizen_id FROM applications WHERE id = $1",
        )
        .bind(application)
        .fetch_optional(pool)
        .await)
        .map_err(DatabaseError::from)?;
        let Some(person) = person else { return Err(ServiceError::NotFound) };
        self.require_acts_for(citizen, person).await?;
        let now = Timestamp::now();
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let behind: Vec<BehindRow> = sqlx::query_as(&BEHIND).bind(person).fetch_all(&mut *transaction).await?;
            let Some(row) = behind.into_iter().find(|row| row.0 == application) else {
                return Err(ServiceError::NotFound);
            };
            if row.10 != version {
                return Err(invalid("version", "the terms changed again; read the new version and agree to it"));
            }
            sqlx::query("UPDATE applications SET template_version_id = $1, updated_at = $2 WHERE id = $3")
                .bind(version)
                .bind(now)
                .bind(application)
                .execute(&mut *transaction)
                .await?;
            sqlx::query(
                "INSERT INTO application_events (id, application_id, occurred_at, actor_kind, actor_id, kind, detail) \
                 VALUES ($1, $2, $3, 'citizen', $4, 'terms_accepted', $5)",
            )
            .bind(ApplicationEventId::new())
            .bind(application)
            .bind(now)
            .bind(citizen.id())
            .bind(row.11.to_string())
            .execute(&mut *transaction)
            .await?;
            transaction.commit().await?;
            Ok::<(), ServiceError>(())
        })
    }
}
