//! Casework: what a caseworker does with an application of their office. Take it or give it to
//! a colleague, read it (the case file, whose applicant's data and answers the gate reads as
//! the rule decides, and logs), ask the citizen for documents, write to them, keep an
//! internal note, decide, withdraw a decision until the case is closed, close it.
//!
//! Every id is looked up together with the office inside the write's transaction: an
//! application of another office, or a draft, does not exist here, exactly like an unknown id.

use sqlx::types::Json;

use super::{
    Gate, ServiceError, invalid,
    correspondence::{Correspondence, CorrespondenceLists, correspondence_lists},
    flags::{FlagRow, flag_views},
};
use crate::{
    case::{CaseFile, CasePerson, Colleague, NoteView},
    consent::NamedCode,
    policy::Category,
    server::{
        auth::CaseAccess,
        db::{BeginWrite, Id, JsonStatement, Timestamp, on_backend},
    },
    status::ApplicationStatus,
};

/// The status and assignee of application `$1` at office `$2`, if it is the office's and sent.
const OFFICE_APPLICATION: &str =
    "SELECT status, assigned_staff_id FROM applications WHERE id = $1 AND office_code = $2 AND status <> 'draft'";
/// One line of the application's history, written by a staff member.
const STAFF_EVENT: &str = "INSERT INTO application_events (id, application_id, occurred_at, actor_kind, actor_id, kind, detail) \
     VALUES ($1, $2, $3, 'staff', $4, $5, $6)";
/// Whether `$1` is an active caseworker of office `$2`.
const CASEWORKER_AT: &str = "SELECT CAST(1 AS BIGINT) FROM staff_roles r JOIN staff_members s ON s.id = r.staff_id \
     WHERE r.staff_id = $1 AND r.office_code = $2 AND r.role = 'caseworker' AND s.active";

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
            let (application, office): (Id, &str) = ($application, $office);
            let row: Option<casework::CaseFileRow> = sqlx::query_as(casework::CASE_FILE.for_pool(&*$pool))
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
    citizen_id: Id,
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
    assigned_staff_id: Option<Id>,
    assigned_name: Option<String>,
    #[sqlx(flatten)]
    pub(super) correspondence: CorrespondenceLists,
    notes: Json<Vec<(String, String, Timestamp)>>,
    colleagues: Json<Vec<(Id, String)>>,
    parents: Json<Vec<Id>>,
    flags: Json<Vec<FlagRow>>,
    pub(super) unread: bool,
}

/// What a change to an application does, as one value the write below carries out.
#[derive(Clone, Debug)]
pub enum CaseAction {
    /// Assign to a caseworker of the office (`None`: nobody); a new application goes in review.
    Assign(Option<Id>),
    /// Ask the citizen for a document or information; the application waits for them.
    RequestDocument(String),
    /// Take back an open request of this application.
    CancelRequest(Id),
    /// Write to the citizen.
    Message(String),
    /// An internal note, never shown to the citizen.
    Note(String),
    /// Approve (`true`) or reject, with the reason the citizen reads.
    Decide { approve: bool, reason: String },
    /// Withdraw a decision that is not final yet, with a reason; the case is in review again.
    Reopen(String),
    /// Close a decided case: final.
    Close,
}

impl CaseAction {
    /// The field a refusal names.
    fn field(&self) -> &'static str {
        match self {
            Self::Assign(_) => "assignee",
            Self::RequestDocument(_) => "description",
            Self::CancelRequest(_) => "request",
            Self::Message(_) | Self::Note(_) => "body",
            Self::Decide { .. } | Self::Reopen(_) => "reason",
            Self::Close => "application",
        }
    }

    /// Whether the action fits an application in `status`, or why not.
    fn fits(&self, status: &str) -> Result<(), &'static str> {
        let status = ApplicationStatus::from_code(status);
        let decided = status.is_some_and(ApplicationStatus::is_decided);
        let open = status.is_some_and(ApplicationStatus::is_open);
        match self {
            Self::Assign(_) | Self::Note(_) | Self::Message(_) if status == Some(ApplicationStatus::Closed) => {
                Err("this case is closed: nothing more can be done with it here")
            }
            Self::Assign(_) | Self::Note(_) | Self::Message(_) => Ok(()),
            Self::RequestDocument(_) | Self::CancelRequest(_) | Self::Decide { .. } if !open => {
                Err("this case is decided or closed: withdraw the decision first, if the law allows it")
            }
            Self::RequestDocument(_) | Self::CancelRequest(_) | Self::Decide { .. } => Ok(()),
            Self::Reopen(_) if !decided => Err("only a decision that is not closed yet can be withdrawn"),
            Self::Close if !(decided || status == Some(ApplicationStatus::Withdrawn)) => Err("decide the case before closing it"),
            Self::Reopen(_) | Self::Close => Ok(()),
        }
    }
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
            office: NamedCode { code: row.office, name_de: row.office_de, name_en: row.office_en },
            benefit: NamedCode { code: row.benefit, name_de: row.benefit_de, name_en: row.benefit_en },
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

    /// Carries out `action` on the application of `case` for its caseworker, in one transaction
    /// with its line in the history. `NotFound` for a draft; `Invalid` when the action does not
    /// fit its status.
    pub async fn act_on_case(&self, case: &CaseAccess, action: &CaseAction) -> Result<(), ServiceError> {
        let (actor, office, application) = (case.staff(), case.office(), case.application());
        let now = Timestamp::now();
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let connection = &mut *transaction;
            let found: Option<(String, Option<Id>)> =
                sqlx::query_as(OFFICE_APPLICATION).bind(application).bind(office).fetch_optional(&mut *connection).await?;
            let Some((status, _)) = found else { return Err(ServiceError::NotFound) };
            action.fits(&status).map_err(|message| invalid(action.field(), message))?;
            // The new status, if the action changes it, and the history line.
            let (new_status, kind, detail): (Option<&str>, &str, Option<String>) = match action {
                CaseAction::Assign(assignee) => {
                    let name: Option<String> = match assignee {
                        None => None,
                        Some(assignee) => {
                            let at_office: Option<i64> =
                                sqlx::query_scalar(CASEWORKER_AT).bind(*assignee).bind(office).fetch_optional(&mut *connection).await?;
                            if at_office.is_none() {
                                return Err(invalid("assignee", "choose a caseworker of your office"));
                            }
                            sqlx::query_scalar("SELECT display_name FROM staff_members WHERE id = $1")
                                .bind(*assignee)
                                .fetch_optional(&mut *connection)
                                .await?
                        }
                    };
                    sqlx::query("UPDATE applications SET assigned_staff_id = $2, updated_at = $3 WHERE id = $1")
                        .bind(application)
                        .bind(*assignee)
                        .bind(now)
                        .execute(&mut *connection)
                        .await?;
                    let started = (status == "submitted" && assignee.is_some()).then_some("in_review");
                    (started, "assigned", name)
                }
                CaseAction::RequestDocument(description) => {
                    sqlx::query(
                        "INSERT INTO document_requests (id, application_id, requested_by_staff_id, description, status, created_at, fulfilled_at) \
                         VALUES ($1, $2, $3, $4, 'open', $5, NULL)",
                    )
                    .bind(Id::new())
                    .bind(application)
                    .bind(actor)
                    .bind(description)
                    .bind(now)
                    .execute(&mut *connection)
                    .await?;
                    (Some("waiting_for_citizen"), "document_requested", Some(description.clone()))
                }
                CaseAction::CancelRequest(request) => {
                    let cancelled = sqlx::query(
                        "UPDATE document_requests SET status = 'cancelled' WHERE id = $1 AND application_id = $2 AND status = 'open'",
                    )
                    .bind(*request)
                    .bind(application)
                    .execute(&mut *connection)
                    .await?;
                    if cancelled.rows_affected() != 1 {
                        return Err(invalid("request", "this request is answered or taken back already"));
                    }
                    let still_open: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM document_requests WHERE application_id = $1 AND status = 'open'",
                    )
                    .bind(application)
                    .fetch_one(&mut *connection)
                    .await?;
                    let resumed = (still_open == 0 && status == "waiting_for_citizen").then_some("in_review");
                    (resumed, "request_cancelled", None)
                }
                CaseAction::Message(body) => {
                    sqlx::query(
                        "INSERT INTO messages (id, application_id, sender_kind, sender_id, body, sent_at, read_at) \
                         VALUES ($1, $2, 'staff', $3, $4, $5, NULL)",
                    )
                    .bind(Id::new())
                    .bind(application)
                    .bind(actor)
                    .bind(body)
                    .bind(now)
                    .execute(&mut *connection)
                    .await?;
                    sqlx::query("UPDATE applications SET updated_at = $2 WHERE id = $1")
                        .bind(application)
                        .bind(now)
                        .execute(&mut *connection)
                        .await?;
                    transaction.commit().await?;
                    return Ok(());
                }
                CaseAction::Note(body) => {
                    sqlx::query("INSERT INTO case_notes (id, application_id, staff_id, body, created_at) VALUES ($1, $2, $3, $4, $5)")
                        .bind(Id::new())
                        .bind(application)
                        .bind(actor)
                        .bind(body)
                        .bind(now)
                        .execute(&mut *connection)
                        .await?;
                    transaction.commit().await?;
                    return Ok(());
                }
                CaseAction::Decide { approve, reason } => {
                    let outcome = if *approve { "approved" } else { "rejected" };
                    sqlx::query(
                        "UPDATE applications SET decision_reason = $2, decided_at = $3, updated_at = $3 WHERE id = $1",
                    )
                    .bind(application)
                    .bind(reason)
                    .bind(now)
                    .execute(&mut *connection)
                    .await?;
                    // A decision answers what was still asked of the citizen.
                    sqlx::query("UPDATE document_requests SET status = 'cancelled' WHERE application_id = $1 AND status = 'open'")
                        .bind(application)
                        .execute(&mut *connection)
                        .await?;
                    (Some(outcome), "decided", Some(outcome.to_owned()))
                }
                CaseAction::Reopen(reason) => {
                    sqlx::query(
                        "UPDATE applications SET decision_reason = NULL, decided_at = NULL, updated_at = $2 WHERE id = $1",
                    )
                    .bind(application)
                    .bind(now)
                    .execute(&mut *connection)
                    .await?;
                    (Some("in_review"), "decision_withdrawn", Some(reason.clone()))
                }
                CaseAction::Close => {
                    sqlx::query("UPDATE applications SET closed_at = $2, updated_at = $2 WHERE id = $1")
                        .bind(application)
                        .bind(now)
                        .execute(&mut *connection)
                        .await?;
                    (Some("closed"), "closed", None)
                }
            };
            sqlx::query(STAFF_EVENT)
                .bind(Id::new())
                .bind(application)
                .bind(now)
                .bind(actor)
                .bind(kind)
                .bind(detail)
                .execute(&mut *connection)
                .await?;
            if let Some(new_status) = new_status.filter(|new_status| *new_status != status) {
                sqlx::query("UPDATE applications SET status = $2, updated_at = $3 WHERE id = $1")
                    .bind(application)
                    .bind(new_status)
                    .bind(now)
                    .execute(&mut *connection)
                    .await?;
                sqlx::query(STAFF_EVENT)
                    .bind(Id::new())
                    .bind(application)
                    .bind(now)
                    .bind(actor)
                    .bind("status_changed")
                    .bind(new_status)
                    .execute(&mut *connection)
                    .await?;
            }
            transaction.commit().await?;
            Ok::<(), ServiceError>(())
        })
    }

    /// A document handed in to the application of `case`, for its caseworker: its name, kind
    /// and content. The citizen handed it in to this office for this application, so it is
    /// read on that application's basis while the rule still lets the office read the
    /// application at all, and the read is logged as category `documents`.
    pub async fn office_document(&self, case: &CaseAccess, document: Id) -> Result<(String, String, Vec<u8>), ServiceError> {
        self.read_application_document(case, document).await?.ok_or(ServiceError::NotFound)
    }
}
