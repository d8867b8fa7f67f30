//! What a citizen sees of their consents and of who read their data, shared by server and
//! browser.

use serde::{Deserialize, Serialize};

/// One consent with its history. A consent counts while `state` is `active`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentView {
    pub id: String,
    /// Whose data it shares (the citizen, or their minor child).
    pub citizen: String,
    pub office: String,
    pub category: String,
    pub purpose: String,
    pub legal_basis: String,
    pub template_version: String,
    pub granted_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    /// active, revoked or expired, as of now.
    pub state: String,
    pub events: Vec<ConsentEventView>,
}

/// One change of a consent; never altered afterwards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentEventView {
    /// granted, renewed, revoked or expired.
    pub kind: String,
    pub occurred_at: String,
    pub detail: Option<String>,
}

/// One read of the citizen's data by an office.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEntryView {
    pub seq: i64,
    pub occurred_at: String,
    pub office: String,
    /// The reader's role: always `caseworker` (nobody else reads citizen data).
    pub role: String,
    pub categories: Vec<String>,
    pub purpose: String,
    /// application, consent or emergency.
    pub basis: String,
    /// The application's reference number, when the basis is an application.
    pub reference: Option<String>,
}

/// An emergency access to the citizen's data, as the citizen sees it once no deferral holds it back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitizenEmergencyView {
    pub id: String,
    pub office: String,
    pub reason: String,
    pub categories: Vec<String>,
    pub opened_at: String,
    pub confirmed_at: Option<String>,
    pub expires_at: Option<String>,
    pub status: String,
}

/// The citizen's access log: every read, emergency accesses included, unless a recorded
/// deferral holds one back until its date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitizenAccessLog {
    pub citizen: String,
    /// Whose log it is, by name (the citizen, or their minor child).
    pub citizen_name: String,
    pub entries: Vec<AccessEntryView>,
    pub emergencies: Vec<CitizenEmergencyView>,
    /// The names of the offices and categories the codes above stand for.
    pub offices: Vec<NamedCode>,
    pub categories: Vec<NamedCode>,
}

/// A code (an office's, a data category's) with its names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedCode {
    pub code: String,
    pub name_de: String,
    pub name_en: String,
}

impl NamedCode {
    /// The name of `code` in `list`, in German or English; the code itself if it is not listed.
    pub fn name_in(list: &[NamedCode], code: &str, german: bool) -> String {
        list.iter()
            .find(|named| named.code == code)
            .map(|named| if german { named.name_de.clone() } else { named.name_en.clone() })
            .unwrap_or_else(|| code.to_owned())
    }
}

/// A person the signed-in citizen acts for: themselves, or a minor child in their custody.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonView {
    pub id: String,
    pub name: String,
    pub is_self: bool,
}

/// The result of checking the whole access log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogCheck {
    pub intact: bool,
    pub entries: i64,
}
