//! What a citizen sees of their consents and of who read their data, shared by server and
//! browser.

use serde::{Deserialize, Serialize};

use crate::{
    localized::{Localized, prefix},
    status::ApplicationStatus,
};

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

/// How an entry's purpose begins when the read was of a name in a list (a search of the queue,
/// the list of sharings) rather than of opened details.
pub const LISTED_PREFIX: &str = "listed: ";

/// One read of the citizen's data by an office.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEntryView {
    pub seq: i64,
    /// The entry's id, as its leaf in the log's tree names it.
    pub id: String,
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
    /// The entry's proof that it is in the access log's tree: in the data export only, once
    /// the entry has its place in a witnessed checkpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_proof: Option<crate::log_proof::ExportedProof>,
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
    /// The gaps operators declared in the whole log (entries lost by a restore), newest first.
    #[serde(default)]
    pub gaps: Vec<LogGapView>,
    /// The names of the offices and categories the codes above stand for.
    pub offices: Vec<NamedCode>,
    pub categories: Vec<NamedCode>,
}

/// A gap an operator declared in the access log: entries the witness had seen, lost by a
/// restore from a backup. Times are RFC 3339.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogGapView {
    /// How many entries were lost (of all citizens).
    pub lost: u64,
    /// When the restored log's newest checkpoint was signed: the lost entries came after it.
    pub from: String,
    /// When the portal noticed that the log was behind its witness.
    pub until: String,
    pub declared_at: String,
    pub reason: String,
}

/// A code (an office's, a data category's) with its names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedCode {
    pub code: String,
    #[serde(flatten, with = "prefix::name")]
    pub name: Localized,
}

/// A row of a code with its German and English name, as every list of names is read.
impl From<(String, String, String)> for NamedCode {
    fn from((code, name_de, name_en): (String, String, String)) -> Self {
        Self { code, name: Localized::new(name_de, name_en) }
    }
}

impl NamedCode {
    /// The name of `code` in `list`, in German or English; the code itself if it is not listed.
    pub fn name_in(list: &[NamedCode], code: &str, german: bool) -> String {
        list.iter()
            .find(|named| named.code == code)
            .map(|named| named.name.pick(german).to_owned())
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

/// The data protection officer's check of the whole access log: the Merkle tree recomputed
/// from every leaf, against every signed checkpoint and the witness's cosignatures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogCheck {
    pub intact: bool,
    /// The leaves recomputed.
    pub leaves: u64,
}

/// Everything Klarsicht keeps about one person, for the person (GDPR Art. 15 and 20): their
/// data by category, their applications, their consent records and the reads of their data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataExport {
    pub generated_at: String,
    pub person: PersonView,
    pub birth_date: Option<String>,
    /// The data kept once per category, by category code.
    pub data: std::collections::BTreeMap<String, serde_json::Value>,
    pub applications: Vec<ApplicationRecord>,
    /// The consent records, with the fields of ISO/IEC TS 27560.
    pub consent_records: Vec<ConsentRecord>,
    pub access_log: Vec<AccessEntryView>,
    /// The gaps operators declared in the whole log: entries lost by a restore, of anyone.
    #[serde(default)]
    pub access_log_gaps: Vec<LogGapView>,
    /// The protection flags that hold for the person now.
    pub protections: Vec<Protection>,
}

/// One application as its applicant sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationRecord {
    pub id: String,
    pub reference: String,
    pub benefit_type: String,
    pub office: String,
    pub status: ApplicationStatus,
    pub created_at: String,
    pub submitted_at: Option<String>,
    pub decided_at: Option<String>,
    pub decision_reason: Option<String>,
    pub closed_at: Option<String>,
}

/// A consent record in the structure of ISO/IEC TS 27560 (consent record information
/// structure), field names in its camelCase form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentRecord {
    pub schema_version: String,
    pub record_id: String,
    /// The person whose data it is.
    pub pii_principal_id: String,
    /// The office the data is shared with, which decides on its use for the purpose.
    pub pii_controller: String,
    /// The notice shown: the consent template version.
    pub notice: ConsentNotice,
    pub purposes: Vec<ConsentPurpose>,
    /// active, withdrawn or expired.
    pub consent_status: String,
    pub consent_timestamp: String,
    pub expiry: Option<String>,
    pub withdrawal_timestamp: Option<String>,
    pub events: Vec<ConsentRecordEvent>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentNotice {
    pub notice_id: String,
    pub language: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentPurpose {
    pub purpose: String,
    /// GDPR Art. 6(1)(a) or Art. 9(2)(a).
    pub lawful_basis: String,
    pub pii_categories: Vec<String>,
    pub pii_recipients: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentRecordEvent {
    /// given, renewed, withdrawn or expired.
    pub event_type: String,
    pub event_timestamp: String,
    pub detail: Option<String>,
}

/// The person's data by category, and which offices may see each right now and why — decided
/// by the same rule the gate enforces.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyData {
    pub citizen: String,
    pub citizen_name: String,
    pub offices: Vec<NamedCode>,
    pub categories: Vec<CategoryOverview>,
    /// The protection flags that hold for the person now.
    pub protections: Vec<Protection>,
}

/// That a person's data is protected (Auskunftssperre, Schutzvermerk), by which office and
/// since when, as the person sees it: not the flag's kind or reason, which the office keeps
/// (a parent acting for a child may be the one it protects the child from).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Protection {
    /// The office's code.
    pub office: String,
    pub since: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryOverview {
    pub code: String,
    #[serde(flatten, with = "prefix::name")]
    pub name: Localized,
    #[serde(flatten, with = "prefix::description")]
    pub description: Localized,
    /// A special category of personal data (GDPR Art. 9: health, disability).
    pub special: bool,
    /// What is kept, field by field, with the form's labels; empty when nothing is kept.
    pub fields: Vec<FieldView>,
    /// Who may see it now, and on which basis.
    pub seen_by: Vec<Visibility>,
    /// Some form asks for it, so the citizen can correct it on its own page.
    pub editable: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldView {
    pub key: String,
    #[serde(flatten, with = "prefix::label")]
    pub label: Localized,
    pub value: serde_json::Value,
}

/// One office that may see a category now, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visibility {
    pub office: String,
    /// application, consent or emergency.
    pub basis: String,
    /// The application's reference number (basis application).
    pub reference: Option<String>,
    /// The consent's purpose (basis consent).
    pub purpose: Option<String>,
    /// Until when, if it ends by itself (RFC 3339).
    pub until: Option<String>,
    /// The fields it sees (basis application: those its form asks for); `None`: all of them.
    pub fields: Option<Vec<String>>,
}

/// A category an office receives by law with an application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequiredCategory {
    pub category: NamedCode,
    pub legal_basis: String,
    #[serde(flatten, with = "prefix::explanation")]
    pub explanation: Localized,
}

/// A new version of a consent template asks for more than an open application's version did:
/// the office would receive categories it does not receive now. Until the citizen agrees, the
/// application stays on its version and nothing widens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermsRenewal {
    pub application: String,
    pub reference: String,
    pub benefit: NamedCode,
    pub office: NamedCode,
    /// The version the application is on, and the new one (ids and numbers).
    pub current_version: i64,
    pub new_version: String,
    pub new_version_number: i64,
    #[serde(flatten, with = "prefix::intro")]
    pub intro: Localized,
    /// What the office would receive in addition, and why.
    pub added: Vec<RequiredCategory>,
    /// What it would no longer receive.
    pub removed: Vec<NamedCode>,
}
