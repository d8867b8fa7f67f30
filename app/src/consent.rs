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
    pub entries: Vec<AccessEntryView>,
    pub emergencies: Vec<CitizenEmergencyView>,
}

/// The result of checking the whole access log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogCheck {
    pub intact: bool,
    pub entries: i64,
}
