//! The administrators' server functions: offices, staff and roles, data categories, and the
//! audit of administration (which the data protection officer reads too). None returns citizen
//! data: the overview counts, never lists, people who are not staff.

#![allow(clippy::too_many_arguments, reason = "a server function takes one argument per field of its form")]

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::{invalid, parse_id};
#[cfg(feature = "ssr")]
use crate::localized::Localized;
#[cfg(feature = "ssr")]
use crate::server::{
    administration::{self, OfficeInput},
    auth::guard,
    error::ServiceError,
};
use crate::{
    admin::{AdminOverview, AuditEntry, CategoryView, OfficeView, RetentionReport, TemplateView},
    auth::ApiError,
};

/// Where the administration's pages are.
pub const ADMIN_PATH: &str = "/verwaltung/start";
/// Where consent templates are edited and published.
pub const TEMPLATES_PATH: &str = "/verwaltung/vorlagen";
/// Where benefit types and their forms are edited.
pub const BENEFITS_PATH: &str = "/verwaltung/leistungen";

/// The benefit types with the categories and offices their forms can name.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BenefitsOverview {
    pub benefits: Vec<crate::admin::BenefitTypeView>,
    pub categories: Vec<CategoryView>,
    pub offices: Vec<OfficeView>,
}

/// The consent templates with the categories and offices they can name.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TemplatesOverview {
    pub templates: Vec<TemplateView>,
    pub categories: Vec<CategoryView>,
    pub offices: Vec<OfficeView>,
}

/// A yes/no box of a form: present ("ja", "on", "true") or absent.
#[cfg(feature = "ssr")]
fn ticked(value: Option<&str>) -> bool {
    matches!(value.map(str::trim), Some("ja" | "on" | "true"))
}

/// Where the accessibility statement and its feedback form are.
pub const ACCESSIBILITY_PATH: &str = "/barrierefreiheit";

/// Feedback on a barrier in the portal. Open to everybody, signed in or not (BITV 2.0 § 7);
/// nothing ties it to an account. Rate-limited like submissions (see the server's `security`).
#[server(prefix = "/api", endpoint = "barrierefreiheit/rueckmeldung")]
pub async fn send_feedback(
    message: String,
    page: Option<String>,
    contact: Option<String>,
    language: Option<String>,
) -> Result<(), ApiError> {
    let language = match language.as_deref().map(str::trim) {
        None | Some("" | "de") => "de",
        Some("en") => "en",
        Some(_) => return Err(invalid("language", "choose de or en")),
    };
    let input = administration::FeedbackInput::check(
        page.as_deref().unwrap_or_default(),
        &message,
        contact.as_deref().unwrap_or_default(),
        language,
    )?;
    guard::services()?.administration.record_feedback(input).await?;
    super::go_to(&format!("{ACCESSIBILITY_PATH}?gesendet=ja#rueckmeldung"));
    Ok(())
}

/// Offices, staff with their roles, data categories and aggregate counts.
#[server(prefix = "/api", endpoint = "verwaltung/uebersicht")]
pub async fn administration_overview() -> Result<AdminOverview, ApiError> {
    let admin = guard::administrator().await?;
    let services = guard::services()?;
    let mut overview = services.administration.overview(&admin).await?;
    overview.retention_runs = services.retention.retention_runs(10).await?;
    Ok(overview)
}

/// Creates an office, or changes the one with this code.
#[server(prefix = "/api", endpoint = "verwaltung/amt-speichern")]
pub async fn save_office(
    code: String,
    name_de: String,
    name_en: String,
    kind: String,
    active: Option<String>,
) -> Result<(), ApiError> {
    let admin = guard::administrator().await?;
    let input = (|| {
        Ok::<_, ServiceError>(OfficeInput {
            code: administration::office_code("code", &code)?,
            name_de: administration::text("name_de", &name_de, 2, 120)?,
            name_en: administration::text("name_en", &name_en, 2, 120)?,
            kind: kind.trim().to_owned(),
            active: ticked(active.as_deref()),
        })
    })()?;
    guard::services()?.administration.save_office(&admin, input).await?;
    super::go_to(&format!("{ADMIN_PATH}?erledigt=amt#aemter"));
    Ok(())
}

/// Creates a staff member with roles. Returns the new id.
#[server(prefix = "/api", endpoint = "verwaltung/mitarbeitende-anlegen")]
pub async fn create_staff(
    display_name: String,
    email: String,
    subject: Option<String>,
    roles: Option<Vec<String>>,
) -> Result<String, ApiError> {
    let admin = guard::administrator().await?;
    let name = administration::text("display_name", &display_name, 2, 120)?;
    let email = administration::email(&email)?;
    let subject = subject.map(|subject| subject.trim().to_owned()).filter(|subject| !subject.is_empty());
    if subject.as_ref().is_some_and(|subject| subject.chars().count() > 255) {
        return Err(invalid("subject", "the provider's subject has at most 255 characters"));
    }
    let roles = administration::roles(&roles.unwrap_or_default())?;
    let id = guard::services()?.administration.create_staff(&admin, name, email, subject, roles).await?;
    super::go_to(&format!("{ADMIN_PATH}?erledigt=angelegt#mitarbeitende"));
    Ok(id.to_string())
}

/// Gives a staff member exactly these roles.
#[server(prefix = "/api", endpoint = "verwaltung/rollen-setzen")]
pub async fn set_staff_roles(staff: String, roles: Option<Vec<String>>) -> Result<(), ApiError> {
    let admin = guard::administrator().await?;
    let staff = parse_id(&staff, "staff", "choose a staff member from the list")?;
    let roles = administration::roles(&roles.unwrap_or_default())?;
    guard::services()?.administration.set_roles(&admin, staff, roles).await?;
    super::go_to(&format!("{ADMIN_PATH}?erledigt=rollen#mitarbeitende"));
    Ok(())
}

/// The id of a waiting change from a form, or 422 naming the field.
#[cfg(feature = "ssr")]
fn change_id(change: &str) -> Result<crate::server::db::PendingChangeId, ApiError> {
    parse_id(change, "change", "choose a change from the list of changes waiting")
}

/// Confirms a change another administrator asked for (a role that reads citizen data, an
/// office's kind): it takes effect now. Four eyes: who asked cannot confirm.
#[server(prefix = "/api", endpoint = "verwaltung/aenderung-bestaetigen")]
pub async fn confirm_change(change: String) -> Result<(), ApiError> {
    let admin = guard::administrator().await?;
    let change = change_id(&change)?;
    let services = guard::services()?;
    services.administration.decide_change(&admin, change, administration::ChangeDecision::Confirm).await?;
    super::go_to(&format!("{ADMIN_PATH}?erledigt=bestaetigt#wartend"));
    Ok(())
}

/// Rejects a waiting change, or withdraws one's own: it never takes effect.
#[server(prefix = "/api", endpoint = "verwaltung/aenderung-ablehnen")]
pub async fn reject_change(change: String) -> Result<(), ApiError> {
    let admin = guard::administrator().await?;
    let change = change_id(&change)?;
    let services = guard::services()?;
    services.administration.decide_change(&admin, change, administration::ChangeDecision::Reject).await?;
    super::go_to(&format!("{ADMIN_PATH}?erledigt=abgelehnt#wartend"));
    Ok(())
}

/// Deactivates a staff member; their sessions end at once.
#[server(prefix = "/api", endpoint = "verwaltung/mitarbeitende-deaktivieren")]
pub async fn deactivate_staff(staff: String, confirmed: Option<String>) -> Result<(), ApiError> {
    let admin = guard::administrator().await?;
    let staff = parse_id(&staff, "staff", "choose a staff member from the list")?;
    if !ticked(confirmed.as_deref()) {
        return Err(invalid("confirmed", "tick the box to confirm that this person may no longer sign in"));
    }
    guard::services()?.administration.deactivate_staff(&admin, staff).await?;
    super::go_to(&format!("{ADMIN_PATH}?erledigt=deaktiviert#mitarbeitende"));
    Ok(())
}

/// Changes a data category: names and plain-language descriptions in German and English, the
/// special-category flag (GDPR Art. 9) and the retention period in days.
#[server(prefix = "/api", endpoint = "verwaltung/kategorie-speichern")]
pub async fn save_category(
    code: String,
    name_de: String,
    name_en: String,
    description_de: String,
    description_en: String,
    special_category: Option<String>,
    retention_days: String,
) -> Result<(), ApiError> {
    let admin = guard::administrator().await?;
    let input = (|| {
        Ok::<_, ServiceError>(crate::admin::CategoryView {
            code: administration::code("code", &code)?,
            name: Localized::new(
                administration::text("name_de", &name_de, 2, 120)?,
                administration::text("name_en", &name_en, 2, 120)?,
            ),
            description: Localized::new(
                administration::text("description_de", &description_de, 10, 1_000)?,
                administration::text("description_en", &description_en, 10, 1_000)?,
            ),
            special_category: ticked(special_category.as_deref()),
            retention_days: retention_days.trim().parse().map_err(|_| ServiceError::Invalid {
                field: "retention_days",
                message: "give the retention in whole days, from 1 to 36,500".to_owned(),
            })?,
        })
    })()?;
    guard::services()?.administration.save_category(&admin, input).await?;
    super::go_to(&format!("{ADMIN_PATH}?erledigt=kategorie#kategorien"));
    Ok(())
}

/// The audit of administration, newest first: who changed what and when. For administrators
/// and the data protection officer.
#[server(prefix = "/api", endpoint = "verwaltung/protokoll")]
pub async fn admin_audit() -> Result<Vec<AuditEntry>, ApiError> {
    let reader = guard::overseer().await?;
    let administration = guard::services()?.administration.clone();
    Ok(administration.audit(&reader, 200).await?)
}

/// The latest retention runs, newest first: when, and how much each removed (counts by
/// category and office only). For administrators and the data protection officer.
#[server(prefix = "/api", endpoint = "verwaltung/loeschlaeufe")]
pub async fn retention_runs() -> Result<Vec<RetentionReport>, ApiError> {
    guard::overseer().await?;
    Ok(guard::services()?.retention.retention_runs(50).await?)
}

/// A template version's id from a form.
#[cfg(feature = "ssr")]
fn version_id(version: &str) -> Result<crate::server::db::TemplateVersionId, ApiError> {
    parse_id(version, "version", "choose a version of a template from the list")
}

/// Back to the template of `benefit` on the templates page, saying what was done.
#[cfg(feature = "ssr")]
fn back_to_template(done: &str, benefit: &str) {
    super::go_to(&format!("{TEMPLATES_PATH}?erledigt={done}#vorlage-{benefit}"));
}

/// Every benefit type's consent template with its versions (newest first), and the categories
/// and offices a template can name.
#[server(prefix = "/api", endpoint = "verwaltung/vorlagen")]
pub async fn consent_templates() -> Result<TemplatesOverview, ApiError> {
    let admin = guard::administrator().await?;
    let administration = guard::services()?.administration.clone();
    let templates = administration.templates(&admin).await?;
    let overview = administration.overview(&admin).await?;
    Ok(TemplatesOverview { templates, categories: overview.categories, offices: overview.offices })
}

/// Opens the draft of a benefit type's template: the one being edited, or a new copy of the
/// published version. Answers the draft's id.
#[server(prefix = "/api", endpoint = "verwaltung/vorlage-entwurf")]
pub async fn start_template_draft(benefit: String) -> Result<String, ApiError> {
    let admin = guard::administrator().await?;
    let benefit = administration::code("benefit", &benefit)?;
    let draft = guard::services()?.administration.start_draft(&admin, &benefit).await?;
    back_to_template("entwurf", &benefit);
    Ok(draft.to_string())
}

/// Changes the introduction of a draft, in German and English.
#[server(prefix = "/api", endpoint = "verwaltung/vorlage-texte")]
pub async fn save_template_texts(version: String, intro_de: String, intro_en: String) -> Result<(), ApiError> {
    let admin = guard::administrator().await?;
    let version = version_id(&version)?;
    let intro_de = administration::text("intro_de", &intro_de, 20, 2_000)?;
    let intro_en = administration::text("intro_en", &intro_en, 20, 2_000)?;
    let benefit = guard::services()?.administration.save_draft_texts(&admin, version, intro_de, intro_en).await?;
    back_to_template("texte", &benefit);
    Ok(())
}

/// Adds a category the law requires to a draft, or changes its legal basis and explanation.
#[server(prefix = "/api", endpoint = "verwaltung/vorlage-pflicht")]
pub async fn save_required_category(
    version: String,
    category: String,
    legal_basis: String,
    explanation_de: String,
    explanation_en: String,
) -> Result<(), ApiError> {
    let admin = guard::administrator().await?;
    let version = version_id(&version)?;
    let required = (|| {
        Ok::<_, ServiceError>(crate::admin::RequiredCategory {
            category: administration::code("category", &category)?,
            legal_basis: administration::text("legal_basis", &legal_basis, 3, 200)?,
            explanation: Localized::new(
                administration::text("explanation_de", &explanation_de, 10, 1_000)?,
                administration::text("explanation_en", &explanation_en, 10, 1_000)?,
            ),
        })
    })()?;
    let benefit = guard::services()?.administration.save_required(&admin, version, required).await?;
    back_to_template("pflicht", &benefit);
    Ok(())
}

/// Takes a required category out of a draft.
#[server(prefix = "/api", endpoint = "verwaltung/vorlage-pflicht-entfernen")]
pub async fn remove_required_category(version: String, category: String) -> Result<(), ApiError> {
    let admin = guard::administrator().await?;
    let version = version_id(&version)?;
    let benefit = guard::services()?.administration.remove_required(&admin, version, category.trim()).await?;
    back_to_template("pflicht-entfernt", &benefit);
    Ok(())
}

/// Adds an optional sharing to a draft (a category to an office, for a purpose, at most for
/// `max_validity_days`), or changes the one of that category and office.
#[server(prefix = "/api", endpoint = "verwaltung/vorlage-freigabe")]
pub async fn save_optional_sharing(
    version: String,
    category: String,
    office: String,
    purpose_de: String,
    purpose_en: String,
    max_validity_days: String,
    explanation_de: String,
    explanation_en: String,
) -> Result<(), ApiError> {
    let admin = guard::administrator().await?;
    let version = version_id(&version)?;
    let sharing = (|| {
        Ok::<_, ServiceError>(crate::admin::OptionalSharing {
            category: administration::code("category", &category)?,
            office: administration::code("office", &office)?,
            purpose: Localized::new(
                administration::text("purpose_de", &purpose_de, 5, 200)?,
                administration::text("purpose_en", &purpose_en, 5, 200)?,
            ),
            // Set from the category when saved.
            legal_basis: String::new(),
            max_validity_days: max_validity_days.trim().parse().map_err(|_| ServiceError::Invalid {
                field: "max_validity_days",
                message: format!("give the longest validity in whole days, from 1 to {}", crate::admin::LONGEST_SHARING_DAYS),
            })?,
            explanation: Localized::new(
                administration::text("explanation_de", &explanation_de, 10, 1_000)?,
                administration::text("explanation_en", &explanation_en, 10, 1_000)?,
            ),
        })
    })()?;
    let benefit = guard::services()?.administration.save_sharing(&admin, version, sharing).await?;
    back_to_template("freigabe", &benefit);
    Ok(())
}

/// Takes an optional sharing out of a draft.
#[server(prefix = "/api", endpoint = "verwaltung/vorlage-freigabe-entfernen")]
pub async fn remove_optional_sharing(version: String, category: String, office: String) -> Result<(), ApiError> {
    let admin = guard::administrator().await?;
    let version = version_id(&version)?;
    let benefit =
        guard::services()?.administration.remove_sharing(&admin, version, category.trim(), office.trim()).await?;
    back_to_template("freigabe-entfernt", &benefit);
    Ok(())
}

/// Throws a draft away.
#[server(prefix = "/api", endpoint = "verwaltung/vorlage-verwerfen")]
pub async fn discard_template_draft(version: String, confirmed: Option<String>) -> Result<(), ApiError> {
    let admin = guard::administrator().await?;
    let version = version_id(&version)?;
    if !ticked(confirmed.as_deref()) {
        return Err(invalid("confirmed", "tick the box to confirm that the draft is thrown away"));
    }
    let benefit = guard::services()?.administration.discard_draft(&admin, version).await?;
    back_to_template("verworfen", &benefit);
    Ok(())
}

/// Publishes a draft. `changes` is the list of differences the administrator was shown (as
/// JSON); when the draft differs by now, nothing is published. Answers what publishing did.
#[server(prefix = "/api", endpoint = "verwaltung/vorlage-veroeffentlichen")]
pub async fn publish_template(version: String, changes: String, confirmed: Option<String>) -> Result<crate::admin::PublishReport, ApiError> {
    let admin = guard::administrator().await?;
    let version = version_id(&version)?;
    let expected: Vec<crate::admin::TemplateChange> =
        serde_json::from_str(&changes).map_err(|_| invalid("changes", "look at the differences again before you publish"))?;
    if !ticked(confirmed.as_deref()) {
        return Err(invalid("confirmed", "tick the box to confirm that you checked the differences"));
    }
    let report = guard::services()?.administration.publish(&admin, version, &expected).await?;
    super::go_to(&format!(
        "{TEMPLATES_PATH}?erledigt=veroeffentlicht&uebernommen={}&gefragt={}#vorlage-{}",
        report.applications_moved, report.applications_asked, report.benefit
    ));
    Ok(report)
}

/// Back to benefit type `benefit` on the benefits page, saying what was done.
#[cfg(feature = "ssr")]
fn back_to_benefit(done: &str, benefit: &str) {
    super::go_to(&format!("{BENEFITS_PATH}?erledigt={done}#leistung-{benefit}"));
}

/// Where a section or question goes, from a form.
#[cfg(feature = "ssr")]
fn placement(value: &str) -> Result<administration::Placement, ApiError> {
    match value.trim() {
        "hoch" => Ok(administration::Placement::Up),
        "runter" => Ok(administration::Placement::Down),
        "entfernen" => Ok(administration::Placement::Remove),
        _ => Err(invalid("placement", "choose up, down or remove")),
    }
}

/// An id from a form, or 422 naming the field.
#[cfg(feature = "ssr")]
fn form_id<Of>(field: &str, value: &str) -> Result<crate::server::db::Id<Of>, ApiError> {
    parse_id(value, field, "choose an entry from the list")
}

/// Every benefit type with its application form, and the categories and offices it can name.
#[server(prefix = "/api", endpoint = "verwaltung/leistungen")]
pub async fn benefit_types() -> Result<BenefitsOverview, ApiError> {
    let admin = guard::administrator().await?;
    let administration = guard::services()?.administration.clone();
    let benefits = administration.benefit_types(&admin).await?;
    let overview = administration.overview(&admin).await?;
    Ok(BenefitsOverview { benefits, categories: overview.categories, offices: overview.offices })
}

/// Creates a benefit type, or changes the one with this code: names, descriptions, the
/// responsible office, and whether citizens are offered it.
#[server(prefix = "/api", endpoint = "verwaltung/leistung-speichern")]
pub async fn save_benefit_type(
    code: String,
    name_de: String,
    name_en: String,
    description_de: String,
    description_en: String,
    office: String,
    active: Option<String>,
) -> Result<(), ApiError> {
    let admin = guard::administrator().await?;
    let input = (|| {
        Ok::<_, ServiceError>(administration::BenefitInput {
            code: administration::code("code", &code)?,
            name_de: administration::text("name_de", &name_de, 2, 120)?,
            name_en: administration::text("name_en", &name_en, 2, 120)?,
            description_de: administration::text("description_de", &description_de, 10, 1_000)?,
            description_en: administration::text("description_en", &description_en, 10, 1_000)?,
            office: administration::office_code("office", &office)?,
            active: ticked(active.as_deref()),
        })
    })()?;
    let code = input.code.clone();
    guard::services()?.administration.save_benefit(&admin, input).await?;
    back_to_benefit("leistung", &code);
    Ok(())
}

/// Adds a section to a benefit type's form (`section` absent; it collects `category`), or
/// changes a section's titles.
#[server(prefix = "/api", endpoint = "verwaltung/abschnitt-speichern")]
pub async fn save_form_section(
    benefit: String,
    section: Option<String>,
    title_de: String,
    title_en: String,
    category: Option<String>,
) -> Result<String, ApiError> {
    let admin = guard::administrator().await?;
    let benefit = administration::code("benefit", &benefit)?;
    let section = section.as_deref().map(str::trim).filter(|section| !section.is_empty()).map(|section| form_id("section", section)).transpose()?;
    let title_de = administration::text("title_de", &title_de, 2, 120)?;
    let title_en = administration::text("title_en", &title_en, 2, 120)?;
    let category = match (&section, category) {
        (Some(_), _) => String::new(),
        (None, category) => administration::code("category", category.as_deref().unwrap_or_default())?,
    };
    let id = guard::services()?
        .administration
        .save_section(&admin, &benefit, section, title_de, title_en, category)
        .await?;
    back_to_benefit("abschnitt", &benefit);
    Ok(id.to_string())
}

/// Moves a form section up or down (`placement` hoch, runter) or removes it (entfernen).
#[server(prefix = "/api", endpoint = "verwaltung/abschnitt-verschieben")]
pub async fn place_form_section(section: String, placement: String) -> Result<(), ApiError> {
    let admin = guard::administrator().await?;
    let section = form_id("section", &section)?;
    let placement = self::placement(&placement)?;
    let benefit = guard::services()?.administration.place_section(&admin, section, placement).await?;
    back_to_benefit("abschnitt", &benefit);
    Ok(())
}

/// Adds a question to a form section (`question` absent; `key` names its answer), or changes
/// a question (its key stays). `options` are the answers of a choice, one per line:
/// `value | Deutsch | English`.
#[server(prefix = "/api", endpoint = "verwaltung/frage-speichern")]
pub async fn save_form_question(
    section: String,
    question: Option<String>,
    key: Option<String>,
    label_de: String,
    label_en: String,
    help_de: Option<String>,
    help_en: Option<String>,
    kind: String,
    options: Option<String>,
    required: Option<String>,
) -> Result<String, ApiError> {
    let admin = guard::administrator().await?;
    let section = form_id("section", &section)?;
    let question = question.as_deref().map(str::trim).filter(|question| !question.is_empty()).map(|question| form_id("question", question)).transpose()?;
    let help = |field: &'static str, value: Option<String>| {
        let value = value.map(|value| value.trim().to_owned()).filter(|value| !value.is_empty());
        match value {
            Some(value) => administration::text(field, &value, 2, 500).map(Some),
            None => Ok(None),
        }
    };
    let input = (|| {
        Ok::<_, ServiceError>(administration::QuestionInput {
            key: match question {
                Some(_) => String::new(),
                None => administration::code("key", key.as_deref().unwrap_or_default())?,
            },
            label_de: administration::text("label_de", &label_de, 2, 300)?,
            label_en: administration::text("label_en", &label_en, 2, 300)?,
            help_de: help("help_de", help_de)?,
            help_en: help("help_en", help_en)?,
            kind: kind.trim().to_owned(),
            options: administration::choice_options(options.as_deref().unwrap_or_default())?,
            required: ticked(required.as_deref()),
        })
    })()?;
    let (id, benefit) = guard::services()?.administration.save_question(&admin, section, question, input).await?;
    back_to_benefit("frage", &benefit);
    Ok(id.to_string())
}

/// Moves a question up or down in its section (`placement` hoch, runter) or removes it
/// (entfernen).
#[server(prefix = "/api", endpoint = "verwaltung/frage-verschieben")]
pub async fn place_form_question(question: String, placement: String) -> Result<(), ApiError> {
    let admin = guard::administrator().await?;
    let question = form_id("question", &question)?;
    let placement = self::placement(&placement)?;
    let benefit = guard::services()?.administration.place_question(&admin, question, placement).await?;
    back_to_benefit("frage", &benefit);
    Ok(())
}
