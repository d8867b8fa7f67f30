//! Consent templates, per benefit type and versioned. An administrator edits a draft (texts,
//! the categories the law requires, the optional sharings), sees how it differs from the
//! published version, and publishes it; from then on it never changes. Existing consents keep
//! their version. What publishing means for open applications — moved along when the new
//! version asks for nothing more, their citizens asked otherwise — the gate decides, in the same
//! transaction.

use super::{ServiceError, Administration, Audit, invalid};
use crate::{
    admin::{
        CONSENT_BASES, LONGEST_SHARING_DAYS, OptionalSharing, PublishReport, RequiredCategory, TemplateChange, TemplateVersionView, TemplateView,
        template_changes,
    },
    localized::Localized,
    server::{
        auth::Administrator,
        db::{BeginWrite, DatabaseError, SharingId, TemplateId, TemplateVersionId, Timestamp, on_backend},
        citizen::adopt_published_version,
    },
};

/// benefit type (code, names), office, template id.
type BenefitRow = (String, String, String, String, Option<TemplateId>);
/// id, template, number, status, intro (de, en), published at.
type VersionRow = (TemplateVersionId, TemplateId, i64, String, String, String, Option<Timestamp>);
/// version, category, legal basis, explanation (de, en).
type RequiredRow = (TemplateVersionId, String, String, String, String);
/// version, category, office, purpose (de, en), legal basis, longest validity, explanation (de, en).
type SharingRow = (TemplateVersionId, String, String, String, String, String, i64, String, String);

/// Every benefit type with its template's versions, read on `$connection`.
macro_rules! load_templates {
    ($connection:expr) => {
        async {
            let benefits: Vec<BenefitRow> = sqlx::query_as(
                "SELECT b.code, b.name_de, b.name_en, b.office_code, t.id FROM benefit_types b \
                 LEFT JOIN consent_templates t ON t.benefit_type_code = b.code ORDER BY b.code",
            )
            .fetch_all(&mut *$connection)
            .await?;
            let versions: Vec<VersionRow> = sqlx::query_as(
                "SELECT id, template_id, version, status, intro_de, intro_en, published_at FROM consent_template_versions \
                 ORDER BY version DESC",
            )
            .fetch_all(&mut *$connection)
            .await?;
            let required: Vec<RequiredRow> = sqlx::query_as(
                "SELECT r.version_id, r.category_code, r.legal_basis, r.explanation_de, r.explanation_en \
                 FROM template_required_categories r JOIN data_categories c ON c.code = r.category_code ORDER BY c.sort_order",
            )
            .fetch_all(&mut *$connection)
            .await?;
            let sharings: Vec<SharingRow> = sqlx::query_as(
                "SELECT s.version_id, s.category_code, s.recipient_office_code, s.purpose_de, s.purpose_en, s.legal_basis, \
                 s.max_validity_days, s.explanation_de, s.explanation_en FROM template_optional_sharings s \
                 JOIN data_categories c ON c.code = s.category_code ORDER BY c.sort_order, s.recipient_office_code",
            )
            .fetch_all(&mut *$connection)
            .await?;
            Ok::<_, sqlx::Error>(assemble(benefits, versions, required, sharings))
        }
        .await
    };
}

/// A template as loaded, with its id (`None` while the benefit type has none).
struct Loaded {
    template: Option<TemplateId>,
    view: TemplateView,
}

fn assemble(benefits: Vec<BenefitRow>, versions: Vec<VersionRow>, required: Vec<RequiredRow>, sharings: Vec<SharingRow>) -> Vec<Loaded> {
    benefits
        .into_iter()
        .map(|(benefit, benefit_de, benefit_en, office, template)| {
            let versions = versions
                .iter()
                .filter(|row| Some(row.1) == template)
                .map(|(id, _, version, status, intro_de, intro_en, published_at)| TemplateVersionView {
                    id: id.to_string(),
                    version: *version,
                    status: status.clone(),
                    intro: Localized::new(intro_de.clone(), intro_en.clone()),
                    published_at: published_at.map(Timestamp::to_rfc3339),
                    required: required
                        .iter()
                        .filter(|row| row.0 == *id)
                        .map(|(_, category, legal_basis, explanation_de, explanation_en)| RequiredCategory {
                            category: category.clone(),
                            legal_basis: legal_basis.clone(),
                            explanation: Localized::new(explanation_de.clone(), explanation_en.clone()),
                        })
                        .collect(),
                    optional: sharings
                        .iter()
                        .filter(|row| row.0 == *id)
                        .map(|row| OptionalSharing {
                            category: row.1.clone(),
                            office: row.2.clone(),
                            purpose: Localized::new(row.3.clone(), row.4.clone()),
                            legal_basis: row.5.clone(),
                            max_validity_days: row.6,
                            explanation: Localized::new(row.7.clone(), row.8.clone()),
                        })
                        .collect(),
                })
                .collect();
            let benefit_name = Localized::new(benefit_de, benefit_en);
            Loaded { template, view: TemplateView { benefit, benefit_name, office, versions } }
        })
        .collect()
}

/// The draft `$version` on `$connection`: its template and the template's view; `Invalid` when
/// the version is published (it never changes), `NotFound` when there is no such version.
macro_rules! draft_in {
    ($connection:expr, $version:expr) => {
        async {
            let version: TemplateVersionId = $version;
            let loaded = load_templates!($connection)?;
            let found = loaded.into_iter().find(|loaded| loaded.view.versions.iter().any(|v| v.id == version.to_string()));
            let Some(found) = found else { return Err(ServiceError::NotFound) };
            let draft = found.view.versions.iter().find(|v| v.id == version.to_string()).cloned().ok_or(ServiceError::NotFound)?;
            if draft.status != "draft" {
                return Err(invalid("version", "a published version never changes; start a new draft to change it"));
            }
            Ok::<(Loaded, TemplateVersionView), ServiceError>((found, draft))
        }
        .await
    };
}

/// Adds `$required` to version `$version` on `$connection`.
macro_rules! insert_required {
    ($connection:expr, $version:expr, $required:expr) => {{
        let required: &RequiredCategory = $required;
        sqlx::query(
            "INSERT INTO template_required_categories (version_id, category_code, legal_basis, explanation_de, explanation_en) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind($version)
        .bind(&required.category)
        .bind(&required.legal_basis)
        .bind(&required.explanation.de)
        .bind(&required.explanation.en)
        .execute(&mut *$connection)
        .await?;
    }};
}

/// Adds `$sharing` to version `$version` on `$connection`, under a new id: consents name the
/// sharing of the version they were given on.
macro_rules! insert_sharing {
    ($connection:expr, $version:expr, $sharing:expr) => {{
        let sharing: &OptionalSharing = $sharing;
        sqlx::query(
            "INSERT INTO template_optional_sharings (id, version_id, category_code, recipient_office_code, purpose_de, purpose_en, \
             legal_basis, max_validity_days, explanation_de, explanation_en) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(SharingId::new())
        .bind($version)
        .bind(&sharing.category)
        .bind(&sharing.office)
        .bind(&sharing.purpose.de)
        .bind(&sharing.purpose.en)
        .bind(&sharing.legal_basis)
        .bind(sharing.max_validity_days)
        .bind(&sharing.explanation.de)
        .bind(&sharing.explanation.en)
        .execute(&mut *$connection)
        .await?;
    }};
}

/// What a change to a draft was, for the audit.
fn draft_audit<'a>(admin: &Administrator, action: &'a str, draft: &TemplateVersionView, detail: serde_json::Value) -> Audit<'a> {
    Audit {
        by: admin.id(),
        action,
        target_kind: "consent_template_version",
        target: draft.id.clone(),
        detail: serde_json::json!({ "version": draft.version, "change": detail }),
    }
}

/// The changes to a draft below answer the benefit type whose template it is.
impl Administration {
    /// Every benefit type's consent template with its versions, for an administrator.
    pub async fn templates(&self, _admin: &Administrator) -> Result<Vec<TemplateView>, DatabaseError> {
        let loaded = on_backend!(self.database, pool => {
            let mut connection = pool.acquire().await?;
            load_templates!(connection)
        })?;
        Ok(loaded.into_iter().map(|loaded| loaded.view).collect())
    }

    /// The draft of `benefit`'s template: the one being edited, or a new one that starts as a
    /// copy of the published version (empty when there is none). Answers its id.
    pub async fn start_draft(&self, admin: &Administrator, benefit: &str) -> Result<TemplateVersionId, ServiceError> {
        let now = Timestamp::now();
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let loaded = load_templates!(transaction)?;
            let Some(found) = loaded.into_iter().find(|loaded| loaded.view.benefit == benefit) else {
                return Err(invalid("benefit", "choose a benefit type from the list"));
            };
            if let Some(draft) = found.view.draft() {
                return TemplateVersionId::parse(&draft.id).ok_or(ServiceError::NotFound);
            }
            let template = match found.template {
                Some(template) => template,
                None => {
                    let template = TemplateId::new();
                    sqlx::query("INSERT INTO consent_templates (id, benefit_type_code, created_at) VALUES ($1, $2, $3)")
                        .bind(template)
                        .bind(benefit)
                        .bind(now)
                        .execute(&mut *transaction)
                        .await?;
                    template
                }
            };
            let published = found.view.published().cloned();
            let number = found.view.versions.iter().map(|version| version.version).max().unwrap_or(0) + 1;
            let draft = TemplateVersionId::new();
            let (intro_de, intro_en) =
                published.as_ref().map(|p| (p.intro.de.clone(), p.intro.en.clone())).unwrap_or_default();
            sqlx::query(
                "INSERT INTO consent_template_versions (id, template_id, version, status, intro_de, intro_en, published_at, created_at) \
                 VALUES ($1, $2, $3, 'draft', $4, $5, NULL, $6)",
            )
            .bind(draft)
            .bind(template)
            .bind(number)
            .bind(&intro_de)
            .bind(&intro_en)
            .bind(now)
            .execute(&mut *transaction)
            .await?;
            for required in published.iter().flat_map(|p| &p.required) {
                insert_required!(transaction, draft, required);
            }
            for sharing in published.iter().flat_map(|p| &p.optional) {
                insert_sharing!(transaction, draft, sharing);
            }
            let detail = serde_json::json!({ "benefit": benefit, "version": number, "copied_from": published.map(|p| p.version) });
            audit_in!(transaction, Audit { by: admin.id(), action: "template_draft_started", target_kind: "consent_template_version", target: draft.to_string(), detail })?;
            transaction.commit().await?;
            Ok::<TemplateVersionId, ServiceError>(draft)
        })
    }

    /// Changes the texts the citizen reads first.
    pub async fn save_draft_texts(&self, admin: &Administrator, version: TemplateVersionId, intro_de: String, intro_en: String) -> Result<String, ServiceError> {
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let (found, draft) = draft_in!(transaction, version)?;
            sqlx::query("UPDATE consent_template_versions SET intro_de = $2, intro_en = $3 WHERE id = $1 AND status = 'draft'")
                .bind(version)
                .bind(&intro_de)
                .bind(&intro_en)
                .execute(&mut *transaction)
                .await?;
            let detail = serde_json::json!({ "before": { "intro_de": draft.intro.de, "intro_en": draft.intro.en },
                "after": { "intro_de": intro_de, "intro_en": intro_en } });
            audit_in!(transaction, draft_audit(admin, "template_texts_changed", &draft, detail))?;
            transaction.commit().await?;
            Ok::<String, ServiceError>(found.view.benefit)
        })
    }

    /// Adds a category the law requires to the draft, or changes its legal basis and explanation.
    pub async fn save_required(&self, admin: &Administrator, version: TemplateVersionId, required: RequiredCategory) -> Result<String, ServiceError> {
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let (found, draft) = draft_in!(transaction, version)?;
            let known: Option<String> = sqlx::query_scalar("SELECT code FROM data_categories WHERE code = $1")
                .bind(&required.category)
                .fetch_optional(&mut *transaction)
                .await?;
            if known.is_none() {
                return Err(invalid("category", "choose a data category from the list"));
            }
            let before = draft.required.iter().find(|old| old.category == required.category).cloned();
            sqlx::query("DELETE FROM template_required_categories WHERE version_id = $1 AND category_code = $2")
                .bind(version)
                .bind(&required.category)
                .execute(&mut *transaction)
                .await?;
            insert_required!(transaction, version, &required);
            let detail = serde_json::json!({ "before": before, "after": required });
            audit_in!(transaction, draft_audit(admin, "template_required_saved", &draft, detail))?;
            transaction.commit().await?;
            Ok::<String, ServiceError>(found.view.benefit)
        })
    }

    /// Takes a required category out of the draft.
    pub async fn remove_required(&self, admin: &Administrator, version: TemplateVersionId, category: &str) -> Result<String, ServiceError> {
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let (found, draft) = draft_in!(transaction, version)?;
            let Some(before) = draft.required.iter().find(|old| old.category == category).cloned() else {
                return Err(invalid("category", "this category is not required by the draft"));
            };
            sqlx::query("DELETE FROM template_required_categories WHERE version_id = $1 AND category_code = $2")
                .bind(version)
                .bind(category)
                .execute(&mut *transaction)
                .await?;
            audit_in!(transaction, draft_audit(admin, "template_required_removed", &draft, serde_json::json!({ "before": before })))?;
            transaction.commit().await?;
            Ok::<String, ServiceError>(found.view.benefit)
        })
    }

    /// Adds an optional sharing to the draft, or changes the one of the same category and
    /// office. Its legal basis follows from the category: explicit consent (GDPR Art. 9(2)(a))
    /// for a special category, consent (Art. 6(1)(a)) otherwise.
    pub async fn save_sharing(&self, admin: &Administrator, version: TemplateVersionId, mut sharing: OptionalSharing) -> Result<String, ServiceError> {
        if !(1..=LONGEST_SHARING_DAYS).contains(&sharing.max_validity_days) {
            return Err(invalid("max_validity_days", format!("give the longest validity in whole days, from 1 to {LONGEST_SHARING_DAYS}")));
        }
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let (found, draft) = draft_in!(transaction, version)?;
            let special: Option<bool> = sqlx::query_scalar("SELECT special_category FROM data_categories WHERE code = $1")
                .bind(&sharing.category)
                .fetch_optional(&mut *transaction)
                .await?;
            let Some(special) = special else { return Err(invalid("category", "choose a data category from the list")) };
            let office: Option<bool> = sqlx::query_scalar("SELECT active FROM offices WHERE code = $1")
                .bind(&sharing.office)
                .fetch_optional(&mut *transaction)
                .await?;
            if office != Some(true) {
                return Err(invalid("office", "choose an active office from the list"));
            }
            sharing.legal_basis = CONSENT_BASES[usize::from(special)].to_owned();
            let before = draft.optional.iter().find(|old| old.category == sharing.category && old.office == sharing.office).cloned();
            sqlx::query("DELETE FROM template_optional_sharings WHERE version_id = $1 AND category_code = $2 AND recipient_office_code = $3")
                .bind(version)
                .bind(&sharing.category)
                .bind(&sharing.office)
                .execute(&mut *transaction)
                .await?;
            insert_sharing!(transaction, version, &sharing);
            let detail = serde_json::json!({ "before": before, "after": sharing });
            audit_in!(transaction, draft_audit(admin, "template_sharing_saved", &draft, detail))?;
            transaction.commit().await?;
            Ok::<String, ServiceError>(found.view.benefit)
        })
    }

    /// Takes an optional sharing out of the draft.
    pub async fn remove_sharing(&self, admin: &Administrator, version: TemplateVersionId, category: &str, office: &str) -> Result<String, ServiceError> {
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let (found, draft) = draft_in!(transaction, version)?;
            let Some(before) = draft.optional.iter().find(|old| old.category == category && old.office == office).cloned() else {
                return Err(invalid("sharing", "the draft offers no such sharing"));
            };
            sqlx::query("DELETE FROM template_optional_sharings WHERE version_id = $1 AND category_code = $2 AND recipient_office_code = $3")
                .bind(version)
                .bind(category)
                .bind(office)
                .execute(&mut *transaction)
                .await?;
            audit_in!(transaction, draft_audit(admin, "template_sharing_removed", &draft, serde_json::json!({ "before": before })))?;
            transaction.commit().await?;
            Ok::<String, ServiceError>(found.view.benefit)
        })
    }

    /// Throws the draft away; the published version stays as it is.
    pub async fn discard_draft(&self, admin: &Administrator, version: TemplateVersionId) -> Result<String, ServiceError> {
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let (found, draft) = draft_in!(transaction, version)?;
            // Drafts belong to no application: those are created on, and moved to, published versions only.
            sqlx::query("DELETE FROM consent_template_versions WHERE id = $1 AND status = 'draft'")
                .bind(version)
                .execute(&mut *transaction)
                .await?;
            audit_in!(transaction, draft_audit(admin, "template_draft_discarded", &draft, serde_json::json!(draft)))?;
            transaction.commit().await?;
            Ok::<String, ServiceError>(found.view.benefit)
        })
    }

    /// Publishes the draft: it never changes again, new applications and new consents use it.
    /// Open applications on an earlier version move to it when it requires nothing theirs did
    /// not; otherwise they stay, and their citizens are asked. `expected` is the list of
    /// changes the administrator saw: if the draft differs by now, nothing is published.
    pub async fn publish(&self, admin: &Administrator, version: TemplateVersionId, expected: &[TemplateChange]) -> Result<PublishReport, ServiceError> {
        let now = Timestamp::now();
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let (found, draft) = draft_in!(transaction, version)?;
            let changes = template_changes(found.view.published(), &draft);
            if changes != expected {
                return Err(invalid("version", "the draft changed since you looked at it; check the differences again"));
            }
            if changes.is_empty() {
                return Err(invalid("version", "the draft does not differ from the published version; change it or discard it"));
            }
            for (field, text) in [("intro_de", &draft.intro.de), ("intro_en", &draft.intro.en)] {
                if text.trim().chars().count() < 20 {
                    return Err(invalid(field, "write the introduction the citizen reads first (at least 20 characters)"));
                }
            }
            if draft.required.is_empty() {
                return Err(invalid("required", "name at least the categories the office needs by law"));
            }
            sqlx::query("UPDATE consent_template_versions SET status = 'published', published_at = $2 WHERE id = $1 AND status = 'draft'")
                .bind(version)
                .bind(now)
                .execute(&mut *transaction)
                .await?;
            let template = found.template.ok_or(ServiceError::NotFound)?;
            let (moved, asked) = adopt_published_version!(transaction, self.database.kind(), template, version, now)?;
            let report = PublishReport { benefit: found.view.benefit.clone(), version: draft.version, applications_moved: moved, applications_asked: asked };
            let detail = serde_json::json!({ "version": draft.version, "changes": changes, "report": report });
            audit_in!(transaction, Audit { by: admin.id(), action: "template_published", target_kind: "consent_template_version", target: draft.id.clone(), detail })?;
            transaction.commit().await?;
            Ok::<PublishReport, ServiceError>(report)
        })
    }
}
