//! Casework: what a caseworker does with an application of their office. Take it or give it to
//! a colleague, read it (the applicant's data and the answers through `case_view`, so the read
//! is decided by the rule and logged), ask the citizen for documents, write to them, keep an
//! internal note, decide, withdraw a decision until the case is closed, close it.
//!
//! Every id is looked up together with the office inside the write's transaction: an
//! application of another office, or a draft, does not exist here, exactly like an unknown id.

use super::{
    Gate, GateError,
    correspondence::{Correspondence, is_open, load_correspondence},
    flags::{ACTIVE_FLAGS, FlagRow, flag_views},
};
use crate::{
    case::{CaseFile, CasePerson, Colleague, FieldLabel, NoteView},
    consent::NamedCode,
    server::{
        auth::Staff,
        db::{DatabaseError, Id, Timestamp, BeginWrite, on_backend},
    },
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

/// The applicant, kind of help (code, names), office (code, names, kind), submitted, decided,
/// reason, assignee and their name.
type CaseRow = (
    Id,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<Timestamp>,
    Option<Timestamp>,
    Option<String>,
    Option<Id>,
    Option<String>,
);

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
        let decided = matches!(status, "approved" | "rejected");
        match self {
            Self::Assign(_) | Self::Note(_) | Self::Message(_) if status == "closed" => {
                Err("this case is closed: nothing more can be done with it here")
            }
            Self::Assign(_) | Self::Note(_) | Self::Message(_) => Ok(()),
            Self::RequestDocument(_) | Self::CancelRequest(_) | Self::Decide { .. } if !is_open(status) => {
                Err("this case is decided or closed: withdraw the decision first, if the law allows it")
            }
            Self::RequestDocument(_) | Self::CancelRequest(_) | Self::Decide { .. } => Ok(()),
            Self::Reopen(_) if !decided => Err("only a decision that is not closed yet can be withdrawn"),
            Self::Close if !(decided || status == "withdrawn") => Err("decide the case before closing it"),
            Self::Reopen(_) | Self::Close => Ok(()),
        }
    }
}

impl Gate {
    /// The case file of `application` for `staff`, a caseworker of `office`: the gate's view of
    /// the data and answers (logged), and the office's own correspondence on it. `NotFound` for
    /// an application that is not the office's.
    pub async fn case_file(&self, staff: &Staff, office: &str, application: Id) -> Result<CaseFile, GateError> {
        let case = self.case_view(staff, office, application).await?.ok_or(GateError::NotFound)?;
        type Loaded = (
            CaseRow,
            Vec<NamedCode>,
            Vec<FieldLabel>,
            Correspondence,
            Vec<(String, String, Timestamp)>,
            Vec<(Id, String)>,
            Vec<(Id, String, String)>,
            Vec<FlagRow>,
        );
        let loaded: Loaded = on_backend!(self.database, pool => {
            // Reads only: a snapshot, not SQLite's write lock, which every other case view waits for.
            // Every round trip counts under load, so only what the page shows is asked for.
            let mut transaction = pool.begin().await?;
            let connection = &mut *transaction;
            let row: Option<CaseRow> = sqlx::query_as(
                "SELECT a.citizen_id, c.given_name, c.family_name, b.code, b.name_de, b.name_en, o.code, o.name_de, o.name_en, o.kind, \
                 a.submitted_at, a.decided_at, a.decision_reason, a.assigned_staff_id, s.display_name FROM applications a \
                 JOIN citizens c ON c.id = a.citizen_id JOIN benefit_types b ON b.code = a.benefit_type_code \
                 JOIN offices o ON o.code = a.office_code LEFT JOIN staff_members s ON s.id = a.assigned_staff_id \
                 WHERE a.id = $1 AND a.office_code = $2 AND a.status <> 'draft'",
            )
            .bind(application)
            .bind(office)
            .fetch_optional(&mut *connection)
            .await?;
            let Some(row) = row else { return Err(GateError::NotFound) };
            // The applicant, and whether the office is a youth office (the row's kind column).
            let (applicant_id, youth_office) = (row.0, row.9 == "youth");
            let (categories, labels) = super::load_vocabulary!(&mut *connection)?;
            let correspondence = load_correspondence!(&mut *connection, application)?;
            let notes = sqlx::query_as(
                "SELECT s.display_name, n.body, n.created_at FROM case_notes n JOIN staff_members s ON s.id = n.staff_id \
                 WHERE n.application_id = $1 ORDER BY n.created_at, n.id",
            )
            .bind(application)
            .fetch_all(&mut *connection)
            .await?;
            let colleagues = sqlx::query_as(
                "SELECT s.id, s.display_name FROM staff_roles r JOIN staff_members s ON s.id = r.staff_id \
                 WHERE r.office_code = $1 AND r.role = 'caseworker' AND s.active ORDER BY s.display_name, s.id",
            )
            .bind(office)
            .fetch_all(&mut *connection)
            .await?;
            // The child's parents, whom a youth-office emergency access may concern.
            let parents = if youth_office {
                sqlx::query_as(
                    "SELECT c.id, c.given_name, c.family_name FROM guardianships g JOIN citizens c ON c.id = g.guardian_citizen_id \
                     WHERE g.child_citizen_id = $1 AND g.ended_on IS NULL ORDER BY c.family_name, c.given_name, c.id",
                )
                .bind(applicant_id)
                .fetch_all(&mut *connection)
                .await?
            } else {
                Vec::new()
            };
            let flags: Vec<FlagRow> = sqlx::query_as(ACTIVE_FLAGS).bind(applicant_id).fetch_all(&mut *connection).await?;
            let unread: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM messages WHERE application_id = $1 AND sender_kind = 'citizen' AND read_at IS NULL)",
            )
            .bind(application)
            .fetch_one(&mut *connection)
            .await?;
            transaction.commit().await?;
            // The citizen's messages count as read from now on: one statement, written only when
            // there is something to mark.
            if unread {
                let mut transaction = pool.begin_write().await?;
                sqlx::query(
                    "UPDATE messages SET read_at = $2 WHERE application_id = $1 AND sender_kind = 'citizen' AND read_at IS NULL",
                )
                .bind(application)
                .bind(Timestamp::now())
                .execute(&mut *transaction)
                .await?;
                transaction.commit().await?;
            }
            Ok::<_, sqlx::Error>((row, categories, labels, correspondence, notes, colleagues, parents, flags))
        })
        .map_err(DatabaseError::from)?;
        let (row, categories, labels, correspondence, notes, colleagues, parents, flags) = loaded;
        let (
            citizen,
            given,
            family,
            benefit,
            benefit_de,
            benefit_en,
            office_code,
            office_de,
            office_en,
            office_kind,
            submitted,
            decided,
            reason,
            assigned,
            assigned_name,
        ) = row;
        let applicant = CasePerson { id: citizen.to_string(), name: format!("{given} {family}"), is_applicant: true };
        let mut emergency_people = Vec::new();
        if office_kind == "youth" {
            emergency_people.push(applicant.clone());
            emergency_people.extend(parents.into_iter().map(|(id, given, family)| CasePerson {
                id: id.to_string(),
                name: format!("{given} {family}"),
                is_applicant: false,
            }));
        }
        Ok(CaseFile {
            case,
            office: NamedCode { code: office_code, name_de: office_de, name_en: office_en },
            benefit: NamedCode { code: benefit, name_de: benefit_de, name_en: benefit_en },
            applicant,
            submitted_at: submitted.map(Timestamp::to_rfc3339),
            decided_at: decided.map(Timestamp::to_rfc3339),
            decision_reason: reason,
            assigned_to: assigned_name,
            assigned_to_me: assigned == Some(staff.id()),
            categories,
            labels,
            requests: correspondence.requests,
            documents: correspondence.documents,
            messages: correspondence.messages,
            notes: notes
                .into_iter()
                .map(|(author, body, at)| NoteView { author, body, created_at: at.to_rfc3339() })
                .collect(),
            history: correspondence.history,
            colleagues: colleagues
                .into_iter()
                .map(|(id, name)| Colleague { id: id.to_string(), name, is_me: id == staff.id() })
                .collect(),
            emergency_people,
            protection_flags: flag_views(flags),
        })
    }

    /// Carries out `action` on application `application` of `office` for `staff`, a caseworker
    /// there, in one transaction with its line in the history. `NotFound` for an application
    /// that is not the office's; `Invalid` when the action does not fit its status.
    pub async fn act_on_case(
        &self,
        staff: &Staff,
        office: &str,
        application: Id,
        action: &CaseAction,
    ) -> Result<(), GateError> {
        if !Self::is_caseworker_at(staff, office) {
            return Err(GateError::NotFound);
        }
        let now = Timestamp::now();
        let actor = staff.id();
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let connection = &mut *transaction;
            let found: Option<(String, Option<Id>)> =
                sqlx::query_as(OFFICE_APPLICATION).bind(application).bind(office).fetch_optional(&mut *connection).await?;
            let Some((status, _)) = found else { return Err(GateError::NotFound) };
            action.fits(&status).map_err(|message| GateError::invalid(action.field(), message))?;
            // The new status, if the action changes it, and the history line.
            let (new_status, kind, detail): (Option<&str>, &str, Option<String>) = match action {
                CaseAction::Assign(assignee) => {
                    let name: Option<String> = match assignee {
                        None => None,
                        Some(assignee) => {
                            let at_office: Option<i64> =
                                sqlx::query_scalar(CASEWORKER_AT).bind(*assignee).bind(office).fetch_optional(&mut *connection).await?;
                            if at_office.is_none() {
                                return Err(GateError::invalid("assignee", "choose a caseworker of your office"));
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
                        return Err(GateError::invalid("request", "this request is answered or taken back already"));
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
            Ok::<(), GateError>(())
        })
    }

    /// A document handed in to an application of `office`, for `staff`, a caseworker there:
    /// its name, kind and content. The citizen handed it in to this office for this
    /// application, so it is read on that application's basis while the rule still lets the
    /// office read the application at all, and the read is logged as category `documents`.
    pub async fn office_document(
        &self,
        staff: &Staff,
        office: &str,
        document: Id,
    ) -> Result<(String, String, Vec<u8>), GateError> {
        if !Self::is_caseworker_at(staff, office) {
            return Err(GateError::NotFound);
        }
        let found: Option<(Id,)> = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT d.application_id FROM documents d JOIN applications a ON a.id = d.application_id \
             WHERE d.id = $1 AND a.office_code = $2 AND a.status <> 'draft'",
        )
        .bind(document)
        .bind(office)
        .fetch_optional(pool)
        .await)
        .map_err(DatabaseError::from)?;
        let Some((application,)) = found else { return Err(GateError::NotFound) };
        self.read_application_document(staff, office, application, document).await?.ok_or(GateError::NotFound)
    }
}
