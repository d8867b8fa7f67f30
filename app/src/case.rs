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
