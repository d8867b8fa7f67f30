//! An application's correspondence as both its citizen and its office see it: the history, the
//! office's requests, the documents handed in (without content) and the messages, read as JSON
//! lists in the statement that reads the application.

use sqlx::types::Json;

use crate::{
    correspondence::{DocumentRequestView, DocumentView, HistoryEntry, MessageView},
    server::db::{DocumentId, DocumentRequestId, Timestamp},
};

/// The correspondence of application `a` of the enclosing statement as four JSON lists, the
/// columns of [`CorrespondenceLists`] (a statement that selects them is a `JsonStatement`).
macro_rules! correspondence_lists {
    () => {
        "(SELECT COALESCE(json_group_array(json_array(e.occurred_at, e.actor_kind, e.kind, e.detail) ORDER BY e.occurred_at, e.id), '[]') \
         FROM application_events e WHERE e.application_id = a.id) AS events, \
         (SELECT COALESCE(json_group_array(json_array(q.id, q.description, q.status, q.created_at, q.fulfilled_at) ORDER BY q.created_at, q.id), '[]') \
         FROM document_requests q WHERE q.application_id = a.id) AS requests, \
         (SELECT COALESCE(json_group_array(json_array(d.id, d.file_name, d.media_type, d.size_bytes, d.uploaded_at, d.request_id) \
         ORDER BY d.uploaded_at, d.id), '[]') FROM documents d WHERE d.application_id = a.id) AS documents, \
         (SELECT COALESCE(json_group_array(json_array(m.sender_kind, ms.display_name, m.body, m.sent_at) ORDER BY m.sent_at, m.id), '[]') \
         FROM messages m LEFT JOIN staff_members ms ON m.sender_kind = 'staff' AND ms.id = m.sender_id WHERE m.application_id = a.id) AS messages"
    };
}
pub(in crate::server) use correspondence_lists;

/// An application's correspondence as both its citizen and its office see it: the history, the
/// office's requests, the documents handed in (without content) and the messages.
pub(in crate::server) struct Correspondence {
    pub history: Vec<HistoryEntry>,
    pub requests: Vec<DocumentRequestView>,
    pub documents: Vec<DocumentView>,
    pub messages: Vec<MessageView>,
}

type EventRow = (Timestamp, String, String, Option<String>);
type RequestRow = (DocumentRequestId, String, String, Timestamp, Option<Timestamp>);
type DocumentRow = (DocumentId, String, String, i64, Timestamp, Option<DocumentRequestId>);
type MessageRow = (String, Option<String>, String, Timestamp);

/// The columns `correspondence_lists!()` selects.
#[derive(sqlx::FromRow)]
pub(in crate::server) struct CorrespondenceLists {
    events: Json<Vec<EventRow>>,
    requests: Json<Vec<RequestRow>>,
    documents: Json<Vec<DocumentRow>>,
    messages: Json<Vec<MessageRow>>,
}

impl CorrespondenceLists {
    /// Whether the application holds documents.
    pub(in crate::server) fn has_documents(&self) -> bool {
        !self.documents.0.is_empty()
    }
}

impl From<CorrespondenceLists> for Correspondence {
    fn from(lists: CorrespondenceLists) -> Self {
        Self::from_rows(lists.events.0, lists.requests.0, lists.documents.0, lists.messages.0)
    }
}

impl Correspondence {
    fn from_rows(
        events: Vec<EventRow>,
        requests: Vec<RequestRow>,
        documents: Vec<DocumentRow>,
        messages: Vec<MessageRow>,
    ) -> Self {
        Self {
            history: events
                .into_iter()
                .map(|(at, actor, kind, detail)| HistoryEntry { occurred_at: at.to_rfc3339(), actor, kind, detail })
                .collect(),
            requests: requests
                .into_iter()
                .map(|(id, description, status, since, fulfilled)| DocumentRequestView {
                    id: id.to_string(),
                    description,
                    since: since.to_rfc3339(),
                    status,
                    fulfilled_at: fulfilled.map(Timestamp::to_rfc3339),
                })
                .collect(),
            documents: documents
                .into_iter()
                .map(|(id, file_name, media_type, size_bytes, at, request)| DocumentView {
                    id: id.to_string(),
                    file_name,
                    media_type,
                    size_bytes,
                    uploaded_at: at.to_rfc3339(),
                    request: request.map(|request| request.to_string()),
                })
                .collect(),
            messages: messages
                .into_iter()
                .map(|(kind, sender, body, at)| MessageView {
                    from_office: kind == "staff",
                    sender,
                    body,
                    sent_at: at.to_rfc3339(),
                })
                .collect(),
        }
    }
}
