//! A citizen's own application after sending it: status, history, the office's requests, the
//! documents handed in and the messages. A citizen reaches only the applications of the people
//! they act for (themselves and their minor children); any other id is answered as not found.
//! A draft belongs to the flow (`applying`) and is not found here.

use sha2::{Digest, Sha256};

use super::SelfService;
use crate::{
    consent::NamedCode,
    correspondence::ApplicationFile,
    localized::Localized,
    server::{
        auth::Citizen,
        db::{
            ApplicationEventId, ApplicationId, BeginWrite, CitizenId, DocumentId, DocumentRequestId, JsonStatement, MessageId,
            Timestamp, on_backend,
        },
        documents::Upload,
        error::{ServiceError, invalid},
        gate::{Correspondence, CorrespondenceLists, correspondence_lists},
    },
    status::ApplicationStatus,
};

/// An application the citizen may see (id, reference, kind of help with names, office with
/// names, status, submitted, decided, decision reason), its correspondence, and whether the
/// office wrote something the citizen has not read yet: one statement.
#[derive(sqlx::FromRow)]
struct FileRow {
    id: ApplicationId,
    reference: String,
    benefit: String,
    benefit_de: String,
    benefit_en: String,
    office: String,
    office_de: String,
    office_en: String,
    status: ApplicationStatus,
    submitted_at: Option<Timestamp>,
    decided_at: Option<Timestamp>,
    decision_reason: Option<String>,
    #[sqlx(flatten)]
    correspondence: CorrespondenceLists,
    unread: bool,
}
static FILE: JsonStatement = JsonStatement::new(concat!(
    "SELECT a.id, a.reference, b.code AS benefit, b.name_de AS benefit_de, b.name_en AS benefit_en, o.code AS office, \
     o.name_de AS office_de, o.name_en AS office_en, a.status, a.submitted_at, a.decided_at, a.decision_reason, ",
    correspondence_lists!(),
    ", EXISTS (SELECT 1 FROM messages u WHERE u.application_id = a.id AND u.sender_kind = 'staff' AND u.read_at IS NULL) AS unread \
     FROM applications a JOIN benefit_types b ON b.code = a.benefit_type_code JOIN offices o ON o.code = a.office_code \
     WHERE a.id = $1 AND a.status <> 'draft'",
));
/// The person and status of a sent application, locked for the writes of an upload.
const OPEN_APPLICATION: &str = "SELECT citizen_id, status FROM applications WHERE id = $1 AND status <> 'draft'";

impl SelfService {
    /// The person and status of sent application `application` if `citizen` acts for them.
    pub async fn own_application(
        &self,
        citizen: &Citizen,
        application: ApplicationId,
    ) -> Result<(CitizenId, ApplicationStatus), ServiceError> {
        let found: Option<(CitizenId, ApplicationStatus)> = on_backend!(self.database, pool => sqlx::query_as(OPEN_APPLICATION)
            .bind(application)
            .fetch_optional(pool)
            .await)
        .map_err(crate::server::db::DatabaseError::from)?;
        let Some((person, status)) = found else { return Err(ServiceError::NotFound) };
        self.require_acts_for(citizen, person).await?;
        Ok((person, status))
    }

    /// Application `application` as its citizen (or their parent) sees it. Reading it marks the
    /// office's messages as read.
    pub async fn application_file(&self, citizen: &Citizen, application: ApplicationId) -> Result<ApplicationFile, ServiceError> {
        let (person, _) = self.own_application(citizen, application).await?;
        let (person_view, _) = self.person(citizen, person).await?;
        let row: Option<FileRow> = on_backend!(self.database, pool => {
            let row: Option<FileRow> = sqlx::query_as(FILE.for_pool(pool))
                .bind(application)
                .fetch_optional(pool)
                .await?;
            // The office's messages count as read from now on: written only when there is
            // something to mark.
            if row.as_ref().is_some_and(|row| row.unread) {
                let mut transaction = pool.begin_write().await?;
                sqlx::query("UPDATE messages SET read_at = $2 WHERE application_id = $1 AND sender_kind = 'staff' AND read_at IS NULL")
                    .bind(application)
                    .bind(Timestamp::now())
                    .execute(&mut *transaction)
                    .await?;
                transaction.commit().await?;
            }
            Ok::<_, sqlx::Error>(row)
        })
        .map_err(crate::server::db::DatabaseError::from)?;
        let Some(row) = row else { return Err(ServiceError::NotFound) };
        let correspondence = Correspondence::from(row.correspondence);
        Ok(ApplicationFile {
            id: row.id.to_string(),
            reference: row.reference,
            person: person_view,
            benefit: NamedCode { code: row.benefit, name: Localized::new(row.benefit_de, row.benefit_en) },
            office: NamedCode { code: row.office, name: Localized::new(row.office_de, row.office_en) },
            status: row.status,
            submitted_at: row.submitted_at.map(Timestamp::to_rfc3339),
            decided_at: row.decided_at.map(Timestamp::to_rfc3339),
            decision_reason: row.decision_reason,
            history: correspondence.history,
            requests: correspondence.requests,
            documents: correspondence.documents,
            messages: correspondence.messages,
        })
    }

    /// Hands in `upload` for application `application`, answering request `request` when given
    /// (it must be open and the application's). In one transaction: the document, the request
    /// fulfilled, the history; when the office waited for the citizen and nothing is open any
    /// more, the application is back in review. Answers the document's id.
    pub async fn hand_in_document(
        &self,
        citizen: &Citizen,
        application: ApplicationId,
        request: Option<DocumentRequestId>,
        upload: &Upload,
    ) -> Result<DocumentId, ServiceError> {
        let (person, status) = self.own_application(citizen, application).await?;
        if !status.is_open() {
            return Err(invalid("file", "this application is decided or closed: it takes no more documents"));
        }
        let document = DocumentId::new();
        let now = Timestamp::now();
        let size = i64::try_from(upload.content.len()).unwrap_or(i64::MAX);
        let sha256 = hex::encode(Sha256::digest(&upload.content));
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let connection = &mut *transaction;
            if let Some(request) = request {
                let fulfilled = sqlx::query(
                    "UPDATE document_requests SET status = 'fulfilled', fulfilled_at = $3 \
                     WHERE id = $1 AND application_id = $2 AND status = 'open'",
                )
                .bind(request)
                .bind(application)
                .bind(now)
                .execute(&mut *connection)
                .await?;
                if fulfilled.rows_affected() != 1 {
                    return Err(invalid("request", "this request is answered already or not one of this application's"));
                }
            }
            sqlx::query(
                "INSERT INTO documents (id, application_id, request_id, citizen_id, file_name, media_type, size_bytes, sha256, content, uploaded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(document)
            .bind(application)
            .bind(request)
            .bind(person)
            .bind(&upload.file_name)
            .bind(upload.media_type)
            .bind(size)
            .bind(&sha256)
            .bind(&upload.content)
            .bind(now)
            .execute(&mut *connection)
            .await?;
            sqlx::query(
                "INSERT INTO application_events (id, application_id, occurred_at, actor_kind, actor_id, kind, detail) \
                 VALUES ($1, $2, $3, 'citizen', $4, 'document_uploaded', $5)",
            )
            .bind(ApplicationEventId::new())
            .bind(application)
            .bind(now)
            .bind(citizen.id())
            .bind(&upload.file_name)
            .execute(&mut *connection)
            .await?;
            let still_open: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM document_requests WHERE application_id = $1 AND status = 'open'",
            )
            .bind(application)
            .fetch_one(&mut *connection)
            .await?;
            if still_open == 0 {
                let resumed = sqlx::query(
                    "UPDATE applications SET status = 'in_review', updated_at = $2 WHERE id = $1 AND status = 'waiting_for_citizen'",
                )
                .bind(application)
                .bind(now)
                .execute(&mut *connection)
                .await?;
                if resumed.rows_affected() == 1 {
                    sqlx::query(
                        "INSERT INTO application_events (id, application_id, occurred_at, actor_kind, actor_id, kind, detail) \
                         VALUES ($1, $2, $3, 'system', NULL, 'status_changed', 'in_review')",
                    )
                    .bind(ApplicationEventId::new())
                    .bind(application)
                    .bind(now)
                    .execute(&mut *connection)
                    .await?;
                }
            }
            transaction.commit().await?;
            Ok::<(), ServiceError>(())
        })?;
        Ok(document)
    }

    /// A document of an application the citizen acts for: its name, kind and content.
    pub async fn own_document(&self, citizen: &Citizen, document: DocumentId) -> Result<(String, String, Vec<u8>), ServiceError> {
        let found: Option<(CitizenId, String, String, Vec<u8>)> = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT a.citizen_id, d.file_name, d.media_type, d.content FROM documents d \
             JOIN applications a ON a.id = d.application_id WHERE d.id = $1",
        )
        .bind(document)
        .fetch_optional(pool)
        .await)
        .map_err(crate::server::db::DatabaseError::from)?;
        let Some((person, file_name, media_type, content)) = found else { return Err(ServiceError::NotFound) };
        self.require_acts_for(citizen, person).await?;
        Ok((file_name, media_type, content))
    }

    /// Sends `body` (checked by the caller) to the office of application `application`.
    pub async fn send_message_to_office(&self, citizen: &Citizen, application: ApplicationId, body: &str) -> Result<(), ServiceError> {
        let (_, status) = self.own_application(citizen, application).await?;
        if !status.is_open() {
            return Err(invalid("body", "this application is decided or closed: write to the office by post or e-mail"));
        }
        let now = Timestamp::now();
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO messages (id, application_id, sender_kind, sender_id, body, sent_at, read_at) \
                 VALUES ($1, $2, 'citizen', $3, $4, $5, NULL)",
            )
            .bind(MessageId::new())
            .bind(application)
            .bind(citizen.id())
            .bind(body)
            .bind(now)
            .execute(&mut *transaction)
            .await?;
            sqlx::query("UPDATE applications SET updated_at = $2 WHERE id = $1")
                .bind(application)
                .bind(now)
                .execute(&mut *transaction)
                .await?;
            transaction.commit().await
        })
        .map_err(crate::server::db::DatabaseError::from)?;
        Ok(())
    }
}
