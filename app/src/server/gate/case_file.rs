//! The case file: what a caseworker reads of an application of their office. The applicant's
//! data and answers as the rule decides (read and logged by the core), and the office's own
//! correspondence, notes, colleagues and flags on it, in the same transaction.
//!
//! An application of another office, or a draft, does not exist here, exactly like an unknown id.

use sqlx::types::Json;

use super::{
    Gate, ServiceError,
    correspondence::{Correspondence, CorrespondenceLists, correspondence_lists},
    flags::{FlagRow, flag_views},
};
use crate::{
    case::{CaseFile, CasePerson, Colleague, NoteView},
    consent::NamedCode,
    localized::Localized,
    policy::Category,
    server::{
        auth::CaseAccess,
        db::{CitizenId, DocumentId, JsonStatement, StaffId, Timestamp},
    },
};

/// The rest of the case file of application `$1` at office `$2` (not a draft) in one statement,
/// read inside the case read's transaction: every round trip counts under load, so the lists
/// come as JSON, and only what the page shows is asked for. The applicant, kind of help, office
/// (with its kind), dates, decision reason, assignee; the correspondence; the internal notes;
/// the office's caseworkers; the ids of the applicant's parents when the office is a youth
/// office (whom an emergency access may concern); the active protection flags this office set
/// on the applicant (another office's do not exist here); whether the citizen wrote something
/// the office has not read yet.
pub(super) static CASE_FILE: JsonStatement = JsonStatement::new(concat!(
    "SELECT a.citizen_id, c.given_name, c.family_name, b.code AS benefit, b.name_de AS benefit_de, b.name_en AS benefit_en, \
     o.code AS office, o.name_de AS office_de, o.name_en AS office_en, o.kind AS office_kind, a.submitted_at, a.decided_at, \
     a.decision_reason, a.assigned_staff_id, s.display_name AS assigned_name, ",
    correspondence_lists!(),
    ", (SELECT COALESCE(json_group_array(json_array(ns.display_name, n.body, n.created_at) ORDER BY n.created_at, n.id), '[]') \
       FROM case_notes n JOIN staff_members ns ON ns.id = n.staff_id WHERE n.application_id = a.id) AS notes, \
     (SELECT COALESCE(json_group_array(json_array(cs.id, cs.display_name) ORDER BY cs.display_name, cs.id), '[]') \
       FROM staff_roles cr JOIN staff_members cs ON cs.id = cr.staff_id \
       WHERE cr.office_code = a.office_code AND cr.role = 'caseworker' AND cs.active) AS colleagues, \
     (SELECT COALESCE(json_group_array(p.id ORDER BY p.id), '[]') \
       FROM guardianships g JOIN citizens p ON p.id = g.guardian_citizen_id \
       WHERE g.child_citizen_id = a.citizen_id AND g.ended_on IS NULL AND o.kind = 'youth') AS parents, \
     (SELECT COALESCE(json_group_array(json_array(f.id, f.kind, f.reason, f.set_at, f.set_by_office_code) ORDER BY f.set_at), '[]') \
       FROM protection_flags f WHERE f.citizen_id = a.citizen_id AND f.set_by_office_code = a.office_code AND f.lifted_at IS NULL) AS flags, \
     EXISTS (SELECT 1 FROM messages u WHERE u.application_id = a.id AND u.sender_kind = 'citizen' AND u.read_at IS NULL) AS unread \
     FROM applications a JOIN citizens c ON c.id = a.citizen_id JOIN benefit_types b ON b.code = a.benefit_type_code \
     JOIN offices o ON o.code = a.office_code LEFT JOIN staff_members s ON s.id = a.assigned_staff_id \
     WHERE a.id = $1 AND a.office_code = $2 AND a.status <> 'draft'",
));

/// Reads, on `$connection` inside the case read's transaction (after the rule let the office
/// read the case), the rest of the case file of application `$application` of `$office`, and
/// marks the citizen's messages read. Evaluates to `Result<Option<CaseFileRow>, sqlx::Error>`.
macro_rules! case_file_in {
    ($pool:expr, $connection:expr, $application:expr, $office:expr) => {
        async {
            let connection = $connection;
            let (application, office): ($crate::server::db::ApplicationId, &$crate::office::OfficeCode) = ($application, $office);
            let row: Option<case_file::CaseFileRow> = sqlx::query_as(case_file::CASE_FILE.for_pool(&*$pool))
                .bind(application)
                .bind(office)
                .fetch_optional(&mut *connection)
                .await?;
            // The citizen's messages count as read from now on, written only when there is
            // something to mark.
            if row.as_ref().is_some_and(|row| row.unread) {
                sqlx::query(
                    "UPDATE messages SET read_at = $2 WHERE application_id = $1 AND sender_kind = 'citizen' AND read_at IS NULL",
                )
                .bind(application)
                .bind(Timestamp::now())
                .execute(&mut *connection)
                .await?;
            }
            Ok::<_, sqlx::Error>(row)
        }
        .await
    };
}
pub(super) use case_file_in;

/// A row of `CASE_FILE`.
#[derive(sqlx::FromRow)]
pub(super) struct CaseFileRow {
    citizen_id: CitizenId,
    given_name: String,
    family_name: String,
    benefit: String,
    benefit_de: String,
    benefit_en: String,
    office: String,
    office_de: String,
    office_en: String,
    office_kind: String,
    submitted_at: Option<Timestamp>,
    decided_at: Option<Timestamp>,
    decision_reason: Option<String>,
    assigned_staff_id: Option<StaffId>,
    assigned_name: Option<String>,
    #[sqlx(flatten)]
    pub(super) correspondence: CorrespondenceLists,
    notes: Json<Vec<(String, String, Timestamp)>>,
    colleagues: Json<Vec<(StaffId, String)>>,
    parents: Json<Vec<CitizenId>>,
    flags: Json<Vec<FlagRow>>,
    pub(super) unread: bool,
}

impl Gate {
    /// The case file of `case` for its caseworker: the gate's view of
    /// the data and answers and the office's own correspondence on it, in one transaction with
    /// its log entry. The applicant's name only when the rule lets the office read `identity`;
    /// the correspondence, the documents handed in (logged as a read of `documents`), notes
    /// and the office's own flags while it may read anything of the case. `NotFound` for an
    /// application that is not the office's, or that has nothing left to read.
    pub async fn case_file(&self, case: &CaseAccess) -> Result<CaseFile, ServiceError> {
        let read = self.read_case(case, true).await?.ok_or(ServiceError::NotFound)?;
        let me = case.staff();
        let (case, vocabulary) = (read.view, read.vocabulary);
        let row = read.file.ok_or(ServiceError::NotFound)?;
        let named = read.allowed.contains(&Category::Identity);
        let applicant = CasePerson {
            id: row.citizen_id.to_string(),
            name: if named { format!("{} {}", row.given_name, row.family_name) } else { String::new() },
            is_applicant: true,
        };
        // Whom an emergency access may concern: the child and the parents holding custody. The
        // parents by their place only: the office has no basis to read their names here.
        let mut emergency_people = Vec::new();
        if row.office_kind == "youth" {
            emergency_people.push(applicant.clone());
            emergency_people.extend(row.parents.0.into_iter().map(|id| CasePerson {
                id: id.to_string(),
                name: String::new(),
                is_applicant: false,
            }));
        }
        let correspondence = Correspondence::from(row.correspondence);
        let labels = vocabulary.labels_of(Some(&case.benefit_type), &[&case.data, &case.answers]);
        Ok(CaseFile {
            case,
            office: NamedCode { code: row.office, name: Localized::new(row.office_de, row.office_en) },
            benefit: NamedCode { code: row.benefit, name: Localized::new(row.benefit_de, row.benefit_en) },
            applicant,
            submitted_at: row.submitted_at.map(Timestamp::to_rfc3339),
            decided_at: row.decided_at.map(Timestamp::to_rfc3339),
            decision_reason: row.decision_reason,
            assigned_to: row.assigned_name,
            assigned_to_me: row.assigned_staff_id == Some(me),
            categories: vocabulary.categories.clone(),
            labels,
            requests: correspondence.requests,
            documents: correspondence.documents,
            messages: correspondence.messages,
            notes: row
                .notes
                .0
                .into_iter()
                .map(|(author, body, at)| NoteView { author, body, created_at: at.to_rfc3339() })
                .collect(),
            history: correspondence.history,
            colleagues: row
                .colleagues
                .0
                .into_iter()
                .map(|(id, name)| Colleague { id: id.to_string(), name, is_me: id == me })
                .collect(),
            emergency_people,
            protection_flags: flag_views(row.flags.0),
        })
    }


    /// A document handed in to the application of `case`, for its caseworker: its name, kind
    /// and content. The citizen handed it in to this office for this application, so it is
    /// read on that application's basis while the rule still lets the office read the
    /// application at all, and the read is logged as category `documents`.
    pub async fn office_document(&self, case: &CaseAccess, document: DocumentId) -> Result<(String, String, Vec<u8>), ServiceError> {
        self.read_application_document(case, document).await?.ok_or(ServiceError::NotFound)
    }
}
