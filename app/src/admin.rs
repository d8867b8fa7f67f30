//! What administrators see and change, shared by server and browser: offices, staff and their
//! roles, data categories, aggregate counts and the audit of administration. Never citizen data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The kinds of office (which decides, for instance, who may open an emergency access).
pub const OFFICE_KINDS: [&str; 3] = ["youth", "social", "housing"];

/// The roles a staff member can hold.
pub const ROLES: [&str; 3] = ["caseworker", "data_protection_officer", "administrator"];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeView {
    pub code: String,
    pub name_de: String,
    pub name_en: String,
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
    pub name_de: String,
    pub name_en: String,
    pub description_de: String,
    pub description_en: String,
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
    pub categories: Vec<CategoryView>,
    pub counts: PortalCounts,
    /// The latest changes, newest first.
    pub audit: Vec<AuditEntry>,
    /// The latest retention runs, newest first.
    pub retention_runs: Vec<RetentionReport>,
}

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
