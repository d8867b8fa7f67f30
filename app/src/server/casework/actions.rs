//! What a caseworker does with an application of their office: take it or give it to a colleague,
//! ask the citizen for documents, write to them, keep an internal note, decide, withdraw a
//! decision until the case is closed, close it. Each action is one write with its line in the
//! history; it answers nothing but whether it was done.
//!
//! Every id is looked up together with the office inside the write's transaction: an
//! application of another office, or a draft, does not exist here, exactly like an unknown id.

use super::Casework;
use crate::{
    server::{
        auth::CaseAccess,
        db::{
            ApplicationEventId, BeginWrite, CaseNoteId, DocumentRequestId, MessageId, StaffId, Timestamp, on_backend,
        },
        error::{ServiceError, invalid},
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

/// What a change to an application does, as one value the write below carries out.
#[derive(Clone, Debug)]
pub enum CaseAction {
    /// Assign to a caseworker of the office (`None`: nobody); a new application goes in review.
    Assign(Option<StaffId>),
    /// Ask the citizen for a document or information; the application waits for them.
    RequestDocument(String),
    /// Take back an open request of this application.
    CancelRequest(DocumentRequestId),
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
    fn fits(&self, status: ApplicationStatus) -> Result<(), &'static str> {
        let (decided, open) = (status.is_decided(), status.is_open());
        match self {
            Self::Assign(_) | Self::Note(_) | Self::Message(_) if status == ApplicationStatus::Closed => {
                Err("this case is closed: nothing more can be done with it here")
            }
            Self::Assign(_) | Self::Note(_) | Self::Message(_) => Ok(()),
            Self::RequestDocument(_) | Self::CancelRequest(_) | Self::Decide { .. } if !open => {
                Err("this case is decided or closed: withdraw the decision first, if the law allows it")
            }
            Self::RequestDocument(_) | Self::CancelRequest(_) | Self::Decide { .. } => Ok(()),
            Self::Reopen(_) if !decided => Err("only a decision that is not closed yet can be withdrawn"),
            Self::Close if !(decided || status == ApplicationStatus::Withdrawn) => Err("decide the case before closing it"),
            Self::Reopen(_) | Self::Close => Ok(()),
        }
    }
}

impl Casework {
    /// Carries out `action` on the application of `case` for its caseworker, in one transaction
    /// with its line in the history. `NotFound` for a draft; `Invalid` when the action does not
    /// fit its status.
    pub async fn act_on_case(&self, case: &CaseAccess, action: &CaseAction) -> Result<(), ServiceError> {
        let (actor, office, application) = (case.staff(), case.office(), case.application());
        let now = Timestamp::now();
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let connection = &mut *transaction;
            let found: Option<(ApplicationStatus, Option<StaffId>)> =
                sqlx::query_as(OFFICE_APPLICATION).bind(application).bind(office).fetch_optional(&mut *connection).await?;
            let Some((status, _)) = found else { return Err(ServiceError::NotFound) };
            action.fits(status).map_err(|message| invalid(action.field(), message))?;
            // The new status, if the action changes it, and the history line.
            let (new_status, kind, detail): (Option<ApplicationStatus>, &str, Option<String>) = match action {
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
                    let started = (status == ApplicationStatus::Submitted && assignee.is_some()).then_some(ApplicationStatus::InReview);
                    (started, "assigned", name)
                }
                CaseAction::RequestDocument(description) => {
                    sqlx::query(
                        "INSERT INTO document_requests (id, application_id, requested_by_staff_id, description, status, created_at, fulfilled_at) \
                         VALUES ($1, $2, $3, $4, 'open', $5, NULL)",
                    )
                    .bind(DocumentRequestId::new())
                    .bind(application)
                    .bind(actor)
                    .bind(description)
                    .bind(now)
                    .execute(&mut *connection)
                    .await?;
                    (Some(ApplicationStatus::WaitingForCitizen), "document_requested", Some(description.clone()))
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
                    let resumed = (still_open == 0 && status == ApplicationStatus::WaitingForCitizen).then_some(ApplicationStatus::InReview);
                    (resumed, "request_cancelled", None)
                }
                CaseAction::Message(body) => {
                    sqlx::query(
                        "INSERT INTO messages (id, application_id, sender_kind, sender_id, body, sent_at, read_at) \
                         VALUES ($1, $2, 'staff', $3, $4, $5, NULL)",
                    )
                    .bind(MessageId::new())
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
                        .bind(CaseNoteId::new())
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
                    let outcome = if *approve { ApplicationStatus::Approved } else { ApplicationStatus::Rejected };
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
                    (Some(outcome), "decided", Some(outcome.code().to_owned()))
                }
                CaseAction::Reopen(reason) => {
                    sqlx::query(
                        "UPDATE applications SET decision_reason = NULL, decided_at = NULL, updated_at = $2 WHERE id = $1",
                    )
                    .bind(application)
                    .bind(now)
                    .execute(&mut *connection)
                    .await?;
                    (Some(ApplicationStatus::InReview), "decision_withdrawn", Some(reason.clone()))
                }
                CaseAction::Close => {
                    sqlx::query("UPDATE applications SET closed_at = $2, updated_at = $2 WHERE id = $1")
                        .bind(application)
                        .bind(now)
                        .execute(&mut *connection)
                        .await?;
                    (Some(ApplicationStatus::Closed), "closed", None)
                }
            };
            sqlx::query(STAFF_EVENT)
                .bind(ApplicationEventId::new())
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
                    .bind(new_status.code())
                    .bind(now)
                    .execute(&mut *connection)
                    .await?;
                sqlx::query(STAFF_EVENT)
                    .bind(ApplicationEventId::new())
                    .bind(application)
                    .bind(now)
                    .bind(actor)
                    .bind("status_changed")
                    .bind(new_status.code())
                    .execute(&mut *connection)
                    .await?;
            }
            transaction.commit().await?;
            Ok::<(), ServiceError>(())
        })
    }
}
