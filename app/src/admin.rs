//! What administrators see and change, shared by server and browser: offices, staff and their
//! roles, data categories, aggregate counts and the audit of administration. Never citizen data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::localized::{Localized, MaybeLocalized, prefix};

pub use crate::applying::ChoiceOption;

/// The kinds of office (which decides, for instance, who may open an emergency access).
pub const OFFICE_KINDS: [&str; 3] = ["youth", "social", "housing"];

/// The roles a staff member can hold.
pub const ROLES: [&str; 3] = ["caseworker", "data_protection_officer", "administrator"];

/// The roles that read citizen data (or, for the data protection officer, who read it). They
/// never sit on one account with the administrator role, and a second administrator must
/// confirm each grant.
pub const READING_ROLES: [&str; 2] = ["caseworker", "data_protection_officer"];

impl RoleAssignment {
    /// Whether the role reads citizen data (see [`READING_ROLES`]).
    pub fn reads_citizen_data(&self) -> bool {
        READING_ROLES.contains(&self.role.as_str())
    }
}

/// A change one administrator asked for that waits for a second to confirm it: a role that
/// reads citizen data for a staff member, or an office's new kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingChange {
    pub id: String,
    /// `grant_role` or `office_kind`.
    pub kind: String,
    /// grant_role: whom, by id and name, and the role.
    pub staff: Option<String>,
    pub staff_name: Option<String>,
    pub role: Option<RoleAssignment>,
    /// office_kind: which office, and its kind now and to be.
    pub office: Option<String>,
    pub old_kind: Option<String>,
    pub new_kind: Option<String>,
    pub requested_by: String,
    pub requested_at: String,
    /// Whether the signed-in administrator asked for it (then they may withdraw it, not confirm it).
    pub requested_by_me: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeView {
    pub code: String,
    #[serde(flatten, with = "prefix::name")]
    pub name: Localized,
    pub kind: String,
    pub active: bool,
    /// How many active caseworkers it has.
    pub caseworkers: i64,
}

/// A role of a staff member: caseworker of an office, or an office-less role.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RoleAssignment {
    pub role: String,
    pub office: Option<String>,
}

impl RoleAssignment {
    /// The form value: `caseworker:<office>` or the role's name.
    pub fn form_value(&self) -> String {
        match &self.office {
            Some(office) => format!("{}:{office}", self.role),
            None => self.role.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMemberView {
    pub id: String,
    pub display_name: String,
    pub email: String,
    /// The provider's subject, once known.
    pub subject: Option<String>,
    pub active: bool,
    pub roles: Vec<RoleAssignment>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryView {
    pub code: String,
    #[serde(flatten, with = "prefix::name")]
    pub name: Localized,
    #[serde(flatten, with = "prefix::description")]
    pub description: Localized,
    /// A special category of personal data (GDPR Art. 9).
    pub special_category: bool,
    pub retention_days: i64,
}

/// Counts across the portal, never per person.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalCounts {
    pub citizens: i64,
    /// Sent applications by office and status.
    pub applications: Vec<(String, String, i64)>,
}

/// One change an administrator made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: String,
    pub by: String,
    pub action: String,
    pub target_kind: String,
    pub target: String,
    /// What changed, as JSON text.
    pub detail: String,
}

/// Everything on the administrator's pages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminOverview {
    pub offices: Vec<OfficeView>,
    pub staff: Vec<StaffMemberView>,
    /// Changes waiting for a second administrator, oldest first.
    pub pending: Vec<PendingChange>,
    pub categories: Vec<CategoryView>,
    pub counts: PortalCounts,
    /// The latest changes, newest first.
    pub audit: Vec<AuditEntry>,
    /// The latest retention runs, newest first.
    pub retention_runs: Vec<RetentionReport>,
    /// The latest feedback on barriers, newest first.
    pub feedback: Vec<FeedbackEntry>,
}

/// One message about a barrier in the portal, as it was sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackEntry {
    pub received_at: String,
    /// The page the barrier is on, as the person named it ("" when they did not).
    pub page: String,
    pub message: String,
    /// How to answer, if the person wants an answer.
    pub contact: Option<String>,
    /// The language the person wrote in: `de` or `en`.
    pub language: String,
}

/// The longest message about a barrier, in characters.
pub const FEEDBACK_MESSAGE_MAX: usize = 4000;
/// The longest page name and contact, in characters.
pub const FEEDBACK_PAGE_MAX: usize = 300;
pub const FEEDBACK_CONTACT_MAX: usize = 200;

/// What one retention run did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionReport {
    pub run: String,
    pub started_at: String,
    /// Applications removed whole, every category past its retention.
    pub deleted: u64,
    /// Applications that lost the answers of some categories and keep the rest.
    pub anonymized: u64,
    /// Answer sets removed, by data category.
    pub answers_removed: BTreeMap<String, u64>,
    /// Applications removed whole, by office.
    pub deleted_by_office: BTreeMap<String, u64>,
}

/// The legal bases an optional sharing can rest on: consent (GDPR Art. 6(1)(a)), or explicit
/// consent for a special category (Art. 9(2)(a)). Which one follows from the category.
pub const CONSENT_BASES: [&str; 2] = ["art_6_1_a", "art_9_2_a"];

/// The longest validity an optional sharing may offer, in days (three years).
pub const LONGEST_SHARING_DAYS: i64 = 1_095;

/// A benefit type's consent template with all its versions, newest first. At most one version
/// is a draft; published versions never change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateView {
    /// The benefit type's code.
    pub benefit: String,
    /// Its name.
    #[serde(flatten, with = "prefix::benefit")]
    pub benefit_name: Localized,
    /// The office that decides applications of this benefit type.
    pub office: String,
    pub versions: Vec<TemplateVersionView>,
}

impl TemplateView {
    /// The version being edited, if there is one.
    pub fn draft(&self) -> Option<&TemplateVersionView> {
        self.versions.iter().find(|version| version.status == "draft")
    }

    /// The version citizens are shown now, if one was published.
    pub fn published(&self) -> Option<&TemplateVersionView> {
        self.versions.iter().filter(|version| version.status == "published").max_by_key(|version| version.version)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateVersionView {
    pub id: String,
    pub version: i64,
    /// draft or published.
    pub status: String,
    #[serde(flatten, with = "prefix::intro")]
    pub intro: Localized,
    pub published_at: Option<String>,
    pub required: Vec<RequiredCategory>,
    pub optional: Vec<OptionalSharing>,
}

/// A category the office receives by law with every application on this version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequiredCategory {
    pub category: String,
    /// The legal basis in plain words, for instance "§ 60 SGB I, § 23 WoGG".
    pub legal_basis: String,
    #[serde(flatten, with = "prefix::explanation")]
    pub explanation: Localized,
}

/// A sharing the citizen may grant or refuse: a category to an office, for a purpose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionalSharing {
    pub category: String,
    pub office: String,
    #[serde(flatten, with = "prefix::purpose")]
    pub purpose: Localized,
    /// One of `CONSENT_BASES`.
    pub legal_basis: String,
    pub max_validity_days: i64,
    #[serde(flatten, with = "prefix::explanation")]
    pub explanation: Localized,
}

/// One difference between two versions of a template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TemplateChange {
    IntroChanged,
    RequiredAdded(String),
    RequiredRemoved(String),
    /// Legal basis or explanation of a required category changed.
    RequiredChanged(String),
    /// An optional sharing (category, office) was added.
    SharingAdded(String, String),
    SharingRemoved(String, String),
    /// Purpose, longest validity or explanation of a sharing changed.
    SharingChanged(String, String),
}

impl TemplateChange {
    /// Whether this change lets an office see more than before without the citizen's say: a
    /// category required by law that was not. (A new optional sharing is only an offer.)
    pub fn widens(&self) -> bool {
        matches!(self, Self::RequiredAdded(_))
    }
}

/// What changes from `before` to `after`: texts, required categories, optional sharings. With
/// no `before` (the first version), everything `after` holds is added.
pub fn template_changes(before: Option<&TemplateVersionView>, after: &TemplateVersionView) -> Vec<TemplateChange> {
    let empty = TemplateVersionView {
        id: String::new(),
        version: 0,
        status: String::new(),
        intro: Localized::default(),
        published_at: None,
        required: Vec::new(),
        optional: Vec::new(),
    };
    let before = before.unwrap_or(&empty);
    let mut changes = Vec::new();
    if before.intro != after.intro {
        changes.push(TemplateChange::IntroChanged);
    }
    for required in &after.required {
        match before.required.iter().find(|old| old.category == required.category) {
            None => changes.push(TemplateChange::RequiredAdded(required.category.clone())),
            Some(old) if old != required => changes.push(TemplateChange::RequiredChanged(required.category.clone())),
            Some(_) => {}
        }
    }
    for old in &before.required {
        if !after.required.iter().any(|required| required.category == old.category) {
            changes.push(TemplateChange::RequiredRemoved(old.category.clone()));
        }
    }
    let same = |a: &OptionalSharing, b: &OptionalSharing| a.category == b.category && a.office == b.office;
    for sharing in &after.optional {
        match before.optional.iter().find(|old| same(old, sharing)) {
            None => changes.push(TemplateChange::SharingAdded(sharing.category.clone(), sharing.office.clone())),
            Some(old) if old != sharing => {
                changes.push(TemplateChange::SharingChanged(sharing.category.clone(), sharing.office.clone()))
            }
            Some(_) => {}
        }
    }
    for old in &before.optional {
        if !after.optional.iter().any(|sharing| same(old, sharing)) {
            changes.push(TemplateChange::SharingRemoved(old.category.clone(), old.office.clone()));
        }
    }
    changes
}

/// What publishing a version did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishReport {
    /// The benefit type whose template it is.
    pub benefit: String,
    pub version: i64,
    /// Open applications now on the new version: it asks for nothing more than theirs did.
    pub applications_moved: u64,
    /// Open applications whose citizens are asked to agree: the new version requires more.
    /// They stay on their version until the citizen agrees.
    pub applications_asked: u64,
}

/// The kinds of answer a question of an application form can take.
pub const QUESTION_KINDS: [&str; 6] = ["text", "number", "money", "date", "boolean", "choice"];

/// A kind of help citizens apply for, with its application form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BenefitTypeView {
    pub code: String,
    #[serde(flatten, with = "prefix::name")]
    pub name: Localized,
    #[serde(flatten, with = "prefix::description")]
    pub description: Localized,
    /// The office that decides applications.
    pub office: String,
    /// Offered to citizens.
    pub active: bool,
    /// Whether a consent template version is published for it (needed before it is offered).
    pub has_published_template: bool,
    pub sections: Vec<FormSectionView>,
}

/// One page of the application form; it collects the data of exactly one category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormSectionView {
    pub id: String,
    pub position: i64,
    #[serde(flatten, with = "prefix::title")]
    pub title: Localized,
    pub category: String,
    pub questions: Vec<FormQuestionView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormQuestionView {
    pub id: String,
    pub position: i64,
    /// The answer's name in the citizen's data of the section's category; fixed once created,
    /// so answers given before keep their meaning.
    pub key: String,
    #[serde(flatten, with = "prefix::label")]
    pub label: Localized,
    #[serde(flatten, with = "prefix::help")]
    pub help: MaybeLocalized,
    /// One of `QUESTION_KINDS`.
    pub kind: String,
    /// The answers to choose from, for kind `choice`.
    pub options: Vec<ChoiceOption>,
    pub required: bool,
}

/// The answers of a choice as an administrator writes them: one per line, `value | Deutsch |
/// English`.
pub fn choice_lines(options: &[ChoiceOption]) -> String {
    options.iter().map(|option| format!("{} | {} | {}", option.value, option.label.de, option.label.en)).collect::<Vec<_>>().join("\n")
}
