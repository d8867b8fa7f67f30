//! An application as its citizen sees it after sending it: its status and history, what the
//! office asked for, the documents handed in, and the messages with the office. Plain data,
//! shared by server and browser; the server side is `server::citizen::correspondence` and
//! `server::documents`.

use serde::{Deserialize, Serialize};

use crate::{
    consent::{NamedCode, PersonView},
    status::ApplicationStatus,
};

/// The largest document a citizen may hand in: 10 MiB, enough for a scanned page or a PDF of a
/// few pages, small enough for the database and a caseworker's screen.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// The longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// The kinds of documents accepted, as their content says (never as their name says).
pub const DOCUMENT_MEDIA_TYPES: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];

/// Why an upload was refused. The page names the field and the fix for each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UploadProblem {
    /// No file was chosen.
    NoFile,
    /// The file is empty.
    Empty,
    /// Larger than [`MAX_DOCUMENT_BYTES`].
    TooLarge,
    /// Its content is not a PDF, JPEG or PNG, whatever its name says.
    NotAllowedType,
}

impl UploadProblem {
    pub const ALL: [UploadProblem; 4] = [Self::NoFile, Self::Empty, Self::TooLarge, Self::NotAllowedType];

    /// The problem's name in a page address (`?hochladen=…`).
    pub fn code(self) -> &'static str {
        match self {
            Self::NoFile => "keine-datei",
            Self::Empty => "leer",
            Self::TooLarge => "zu-gross",
            Self::NotAllowedType => "dateityp",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|problem| problem.code() == code)
    }
}

/// Why a message was not sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageProblem {
    Empty,
    TooLong,
}

impl MessageProblem {
    pub fn code(self) -> &'static str {
        match self {
            Self::Empty => "leer",
            Self::TooLong => "zu-lang",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Empty, Self::TooLong].into_iter().find(|problem| problem.code() == code)
    }
}

/// A message's text, trimmed, or why it cannot be sent.
pub fn check_message(body: &str) -> Result<String, MessageProblem> {
    let body = body.trim();
    match body.chars().count() {
        0 => Err(MessageProblem::Empty),
        count if count > MAX_MESSAGE_CHARS => Err(MessageProblem::TooLong),
        _ => Ok(body.to_owned()),
    }
}

/// The name a document is shown under: the last part of what the browser sent (some send a
/// whole path), without control characters, at most 120 characters; "Dokument" when nothing is left.
pub fn clean_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last.chars().filter(|c| !c.is_control()).take(120).collect();
    match cleaned.trim() {
        "" => "Dokument".to_owned(),
        trimmed => trimmed.to_owned(),
    }
}

/// One entry of an application's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub occurred_at: String,
    /// `citizen`, `staff` or `system`.
    pub actor: String,
    /// `created`, `submitted`, `assigned`, `status_changed`, `document_uploaded`, …
    pub kind: String,
    /// For `status_changed` the new status; for `document_uploaded` the file's name.
    pub detail: Option<String>,
}

/// What an office asked the citizen for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRequestView {
    pub id: String,
    pub description: String,
    pub since: String,
    /// `open`, `fulfilled` or `cancelled`.
    pub status: String,
    pub fulfilled_at: Option<String>,
}

/// A document handed in (its content is downloaded separately).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentView {
    pub id: String,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub uploaded_at: String,
    /// The request it answers, if any.
    pub request: Option<String>,
}

/// One message between the citizen and the office.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    /// Written by the office; otherwise by the citizen (or the parent acting for a child).
    pub from_office: bool,
    /// The caseworker's name for a message of the office.
    pub sender: Option<String>,
    pub body: String,
    pub sent_at: String,
}

/// An application as its citizen sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationFile {
    pub id: String,
    pub reference: String,
    pub person: PersonView,
    pub benefit: NamedCode,
    pub office: NamedCode,
    pub status: ApplicationStatus,
    pub submitted_at: Option<String>,
    pub decided_at: Option<String>,
    /// The office's reason for its decision, for the citizen to read.
    pub decision_reason: Option<String>,
    pub history: Vec<HistoryEntry>,
    pub requests: Vec<DocumentRequestView>,
    pub documents: Vec<DocumentView>,
    pub messages: Vec<MessageView>,
}

impl ApplicationFile {
    /// Documents and messages are taken while the office works on the application.
    pub fn is_open(&self) -> bool {
        self.status.is_open()
    }
}

/// A size as people read it: `812 B`, `38 KB`, `2,4 MB` (German) or `2.4 MB`.
pub fn format_size(bytes: i64, german: bool) -> String {
    let text = match bytes {
        ..1_000 => return format!("{bytes} B"),
        1_000..1_000_000 => return format!("{} KB", bytes / 1_000),
        _ => format!("{:.1} MB", bytes as f64 / 1_000_000.0),
    };
    if german { text.replace('.', ",") } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_keeps_only_its_last_part_without_control_characters() {
        assert_eq!(clean_file_name("C:\\Users\\jonas\\Zeugnis Mia.pdf"), "Zeugnis Mia.pdf");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a\u{0}b\nc.png"), "abc.png");
        assert_eq!(clean_file_name("  "), "Dokument");
        assert_eq!(clean_file_name(&"x".repeat(300)).chars().count(), 120);
    }

    #[test]
    fn a_message_is_trimmed_and_neither_empty_nor_too_long() {
        assert_eq!(check_message("  Guten Tag  "), Ok("Guten Tag".to_owned()));
        assert_eq!(check_message(" \n "), Err(MessageProblem::Empty));
        assert_eq!(check_message(&"ä".repeat(MAX_MESSAGE_CHARS)).map(|body| body.chars().count()), Ok(MAX_MESSAGE_CHARS));
        assert_eq!(check_message(&"ä".repeat(MAX_MESSAGE_CHARS + 1)), Err(MessageProblem::TooLong));
    }

    #[test]
    fn problems_survive_the_page_address() {
        for problem in UploadProblem::ALL {
            assert_eq!(UploadProblem::from_code(problem.code()), Some(problem));
        }
        assert_eq!(UploadProblem::from_code("unbekannt"), None);
        assert_eq!(MessageProblem::from_code("zu-lang"), Some(MessageProblem::TooLong));
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(format_size(812, true), "812 B");
        assert_eq!(format_size(38_400, true), "38 KB");
        assert_eq!(format_size(2_400_000, true), "2,4 MB");
        assert_eq!(format_size(2_400_000, false), "2.4 MB");
    }
}
