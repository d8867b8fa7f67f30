//! Feedback on barriers (BITV 2.0 § 7): anyone may send it, signed in or not, and nothing ties
//! it to an account; administrators read it, newest first.

use super::{Administration, ServiceError, text};
use crate::{
    admin::{FEEDBACK_CONTACT_MAX, FEEDBACK_MESSAGE_MAX, FEEDBACK_PAGE_MAX, FeedbackEntry},
    server::{
        auth::Administrator,
        db::{BeginWrite, DatabaseError, FeedbackId, Timestamp, on_backend},
    },
};

/// One message about a barrier, checked.
#[derive(Debug)]
pub struct FeedbackInput {
    pub page: String,
    pub message: String,
    pub contact: Option<String>,
    pub language: &'static str,
}

impl FeedbackInput {
    /// Checks the form's fields; each error names its field.
    pub fn check(page: &str, message: &str, contact: &str, language: &'static str) -> Result<Self, ServiceError> {
        let contact = contact.trim();
        Ok(Self {
            page: text("page", page, 0, FEEDBACK_PAGE_MAX)?,
            message: text("message", message, 10, FEEDBACK_MESSAGE_MAX)?,
            contact: if contact.is_empty() { None } else { Some(text("contact", contact, 3, FEEDBACK_CONTACT_MAX)?) },
            language,
        })
    }
}

impl Administration {
    /// Keeps a message about a barrier.
    pub async fn record_feedback(&self, input: FeedbackInput) -> Result<(), ServiceError> {
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO accessibility_feedback (id, received_at, page, message, contact, language) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(FeedbackId::new())
            .bind(Timestamp::now())
            .bind(&input.page)
            .bind(&input.message)
            .bind(&input.contact)
            .bind(input.language)
            .execute(&mut *transaction)
            .await?;
            transaction.commit().await?;
            Ok::<(), sqlx::Error>(())
        })?;
        Ok(())
    }

    /// The newest `limit` messages, for administrators only.
    pub async fn feedback(&self, _admin: &Administrator, limit: i64) -> Result<Vec<FeedbackEntry>, DatabaseError> {
        let rows: Vec<(Timestamp, String, String, Option<String>, String)> = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT received_at, page, message, contact, language FROM accessibility_feedback \
             ORDER BY received_at DESC, id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(received_at, page, message, contact, language)| FeedbackEntry {
                received_at: received_at.to_rfc3339(),
                page,
                message,
                contact,
                language,
            })
            .collect())
    }
}
