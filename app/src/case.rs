//! What staff see of a case, shared by server and browser.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{
    consent::NamedCode,
    correspondence::{DocumentRequestView, DocumentView, HistoryEntry, MessageView},
    localized::{Localized, prefix},
    status::ApplicationStatus,
};

/// What a caseworker sees of one application: the application and the allowed categories of
/// the applicant's data (from the gate). Nothing in it hints at what was withheld.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    pub application: String,
    pub reference: String,
    pub benefit_type: String,
    pub status: ApplicationStatus,
    /// The allowed categories, by code, with the citizen's data kept for them.
    pub data: BTreeMap<String, serde_json::Value>,
    /// The application's answers of the allowed categories, by category code, as submitted.
    pub answers: BTreeMap<String, serde_json::Value>,
}

/// A field's label: which question of which category a data key answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldLabel {
    pub category: String,
    pub key: String,
    #[serde(flatten, with = "prefix::label")]
    pub label: Localized,
}

/// An internal note of the office on a case; the citizen never sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteView {
    pub author: String,
    pub body: String,
    pub created_at: String,
}

/// A person whose data an emergency access of the youth office may open from this case: the
/// applicant (the child) or a parent of the child.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CasePerson {
    pub id: String,
    pub name: String,
    pub is_applicant: bool,
}

/// A colleague of the office a case may be assigned to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Colleague {
    pub id: String,
    pub name: String,
    pub is_me: bool,
}

/// Everything a caseworker works a case with: the gate's view of the applicant's data and the
/// application's answers (only what the office may see), and the office's own correspondence
/// on this application. Nothing in it speaks of other applications, offices or consents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFile {
    pub case: CaseView,
    pub office: NamedCode,
    pub benefit: NamedCode,
    pub applicant: CasePerson,
    pub submitted_at: Option<String>,
    pub decided_at: Option<String>,
    pub decision_reason: Option<String>,
    pub assigned_to: Option<String>,
    pub assigned_to_me: bool,
    /// The data categories in their order, for headings.
    pub categories: Vec<NamedCode>,
    pub labels: Vec<FieldLabel>,
    pub requests: Vec<DocumentRequestView>,
    pub documents: Vec<DocumentView>,
    pub messages: Vec<MessageView>,
    pub notes: Vec<NoteView>,
    pub history: Vec<HistoryEntry>,
    pub colleagues: Vec<Colleague>,
    /// For a youth office: whom an emergency access may be opened for from this case.
    pub emergency_people: Vec<CasePerson>,
    pub protection_flags: Vec<ProtectionFlagView>,
}

impl CaseFile {
    /// Whether the office still works on it: documents, messages and a decision are possible.
    pub fn is_open(&self) -> bool {
        self.case.status.is_open()
    }

    /// Whether a decision was made that may still be withdrawn (not yet closed).
    pub fn is_decided(&self) -> bool {
        self.case.status.is_decided()
    }
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

/// A protection flag as the data protection officer reviews it: which kind, whose (by id only),
/// set by which office, when, and whether lifted. Neither its reason nor any case content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagReviewItem {
    pub kind: String,
    pub citizen: String,
    pub office: String,
    pub set_at: String,
    pub lifted_at: Option<String>,
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
    /// The data categories in their order and the fields' labels, for headings.
    pub categories: Vec<NamedCode>,
    pub labels: Vec<FieldLabel>,
}

/// One entry of the office's list of data citizens shared with it by consent: who, for which
/// purpose, which categories, until when. Only consents that count now, and none of a citizen
/// under a protection flag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharingItem {
    pub citizen: String,
    /// The name of who gave the consents (a logged read); `None` if the rule holds it back.
    pub name: Option<String>,
    pub purpose: String,
    pub categories: Vec<String>,
    /// The earliest end of these consents (RFC 3339), if any ends.
    pub until: Option<String>,
}

/// One page of the office's list of data shared with it by consent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharingsPage {
    pub office: NamedCode,
    pub items: Vec<SharingItem>,
    /// The data categories' names, for the list's column.
    pub categories: Vec<NamedCode>,
    /// How many sharings count now, on every page.
    pub total: i64,
    /// From 1.
    pub page: i64,
    pub per_page: i64,
}

/// One application in the office's queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueItem {
    pub application: String,
    pub reference: String,
    pub benefit_type: String,
    pub status: ApplicationStatus,
    pub submitted_at: Option<String>,
    pub assigned_to_me: bool,
    /// The applicant's name, only when a search by name found it (a logged read).
    pub applicant: Option<String>,
    /// The display name of the caseworker it is assigned to.
    pub assigned_to: Option<String>,
}

/// The tabs of the queue: which statuses each shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueueGroup {
    New,
    InProgress,
    Waiting,
    Decided,
    Closed,
}

impl QueueGroup {
    pub const ALL: [QueueGroup; 5] = [Self::New, Self::InProgress, Self::Waiting, Self::Decided, Self::Closed];

    /// The tab's name in an address (`?liste=…`).
    pub fn code(self) -> &'static str {
        match self {
            Self::New => "neu",
            Self::InProgress => "in-bearbeitung",
            Self::Waiting => "wartet",
            Self::Decided => "entschieden",
            Self::Closed => "abgeschlossen",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|group| group.code() == code)
    }

    pub fn statuses(self) -> &'static [ApplicationStatus] {
        match self {
            Self::New => &[ApplicationStatus::Submitted],
            Self::InProgress => &[ApplicationStatus::InReview],
            Self::Waiting => &[ApplicationStatus::WaitingForCitizen],
            Self::Decided => &ApplicationStatus::DECIDED,
            Self::Closed => &[ApplicationStatus::Closed, ApplicationStatus::Withdrawn],
        }
    }

    /// Whether an application in status `code` is in this tab.
    pub fn holds(self, code: &str) -> bool {
        ApplicationStatus::from_code(code).is_some_and(|status| self.statuses().contains(&status))
    }
}

/// Whose applications a queue shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueueAssignee {
    Anyone,
    Me,
    Nobody,
}

impl QueueAssignee {
    pub const ALL: [QueueAssignee; 3] = [Self::Anyone, Self::Me, Self::Nobody];

    pub fn code(self) -> &'static str {
        match self {
            Self::Anyone => "alle",
            Self::Me => "mir",
            Self::Nobody => "niemandem",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|assignee| assignee.code() == code)
    }
}

/// A page of the office's queue, with the filter it answers and how many each tab holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    pub office: NamedCode,
    /// The caseworker's other offices, to switch to.
    pub offices: Vec<NamedCode>,
    pub items: Vec<QueueItem>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub group: QueueGroup,
    pub assignee: QueueAssignee,
    pub search: String,
    /// How many applications each tab holds (without the search, with the assignee filter).
    pub counts: Vec<(QueueGroup, i64)>,
    /// The names of the kinds of help the items name by code.
    pub benefits: Vec<NamedCode>,
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

/// The emergency accesses of the caseworker's offices, with the names of the data categories.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmergencyList {
    pub accesses: Vec<EmergencyView>,
    pub categories: Vec<NamedCode>,
    /// How many days after its start an access may at most be held back from the citizen.
    pub deferral_max_days: i64,
}

/// One read of citizen data, as the data protection officer reviews it: who, which office,
/// whose data (by id only), which categories, what for, on which basis. No case content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogReviewEntry {
    pub seq: i64,
    pub occurred_at: String,
    pub staff: String,
    pub office: String,
    pub citizen: String,
    pub categories: Vec<String>,
    pub purpose: String,
    /// application, consent or emergency.
    pub basis: String,
}

/// What the data protection officer filters the access log by; every part is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogReviewFilter {
    pub office: String,
    pub staff: String,
    pub basis: String,
    /// `YYYY-MM-DD`, from the start of that day (UTC).
    pub from: String,
    /// `YYYY-MM-DD`, to the end of that day (UTC).
    pub until: String,
}

/// A page of the access log for the data protection officer, newest first, with the names its
/// filters offer. `next_before` continues with older entries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogReview {
    pub filter: LogReviewFilter,
    pub entries: Vec<LogReviewEntry>,
    pub next_before: Option<i64>,
    pub offices: Vec<NamedCode>,
    pub categories: Vec<NamedCode>,
    pub staff: Vec<Colleague>,
}
