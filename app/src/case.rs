//! What staff see of a case, shared by server and browser.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a caseworker sees of one application: the application and the allowed categories of
/// the applicant's data (from the gate). Nothing in it hints at what was withheld.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    pub application: String,
    pub reference: String,
    pub benefit_type: String,
    pub status: String,
    /// The allowed categories, by code, with the citizen's data kept for them.
    pub data: BTreeMap<String, serde_json::Value>,
}

/// A protection flag (Auskunftssperre, Schutzvermerk) as staff of the citizen's own cases see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtectionFlagView {
    pub id: String,
    pub kind: String,
    pub reason: String,
    pub set_at: String,
    pub set_by_office: String,
}

/// The kinds of protection flag.
pub const PROTECTION_FLAG_KINDS: [&str; 3] = ["address_block", "domestic_violence", "other"];

/// Citizen data a caseworker reads on a consent or an emergency access rather than an
/// application: the allowed categories and nothing else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedDataView {
    pub citizen: String,
    /// The consent's purpose, or the emergency access's reason.
    pub purpose: String,
    pub data: BTreeMap<String, serde_json::Value>,
}

/// One entry of the office's list of data citizens shared with it by consent: who, for which
/// purpose, which categories, until when. Only consents that count now, and none of a citizen
/// under a protection flag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharingItem {
    pub citizen: String,
    pub purpose: String,
    pub categories: Vec<String>,
    /// The earliest end of these consents (RFC 3339), if any ends.
    pub until: Option<String>,
}

/// One application in the office's queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueItem {
    pub application: String,
    pub reference: String,
    pub benefit_type: String,
    pub status: String,
    pub submitted_at: Option<String>,
    pub assigned_to_me: bool,
}

/// A page of the office's queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    pub items: Vec<QueueItem>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// An emergency access (§ 8a SGB VIII) as the youth office and the data protection officer see
/// it. No citizen data: the person is named by id only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmergencyView {
    pub id: String,
    pub office: String,
    pub citizen: String,
    pub reason: String,
    pub categories: Vec<String>,
    pub requested_hours: i64,
    /// The display names of who opened and who confirmed it.
    pub opened_by: String,
    pub opened_at: String,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<String>,
    pub expires_at: Option<String>,
    pub ended_at: Option<String>,
    /// pending, confirmed, expired, ended or rejected, as of now.
    pub status: String,
    /// Whether the signed-in staff member opened it (they cannot confirm it).
    pub opened_by_me: bool,
    /// Until when the citizen is not shown it, and why, if a deferral was decided.
    pub deferred_until: Option<String>,
    pub deferral_reason: Option<String>,
}
