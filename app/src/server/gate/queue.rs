//! Lists: the office's queue of applications and the data citizens shared with the office by
//! consent. Each filters in SQL by the same rule the policy function decides one read by (a test
//! checks that they agree): an application is listed while the office may read at least one
//! category for it; a sharing while its consent counts and no protection flag holds.

use std::collections::BTreeMap;

use super::Gate;
use crate::{
    case::{QueueItem, QueuePage, SharingItem},
    server::{
        auth::Staff,
        db::{Database, DatabaseError, Id, Timestamp, on_backend},
    },
};

/// Most applications on one page of the queue.
pub const MAX_PER_PAGE: i64 = 100;

/// Unix seconds of a timestamp column, truncated as `Timestamp::unix_timestamp` does.
fn epoch_of(database: &Database, column: &str) -> String {
    match database.kind() {
        crate::server::db::DatabaseKind::Sqlite => format!("CAST(strftime('%s', {column}) AS INTEGER)"),
        crate::server::db::DatabaseKind::Postgres => format!("CAST(floor(extract(epoch FROM {column})) AS BIGINT)"),
    }
}

/// The condition under which the office (`$1`) may read something of application `a` at `$2`
/// (unix seconds): not a draft, and some category its template version requires is still
/// readable (open, or closed or withdrawn within that category's retention).
fn readable_application(database: &Database) -> String {
    format!(
        "a.office_code = $1 AND a.status <> 'draft' AND EXISTS (SELECT 1 FROM template_required_categories r \
         JOIN data_categories c ON c.code = r.category_code WHERE r.version_id = a.template_version_id \
         AND (a.status NOT IN ('closed', 'withdrawn') OR {} + c.retention_days * 86400 >= $2))",
        epoch_of(database, "a.closed_at")
    )
}

type QueueRow = (Id, String, String, String, Option<Timestamp>, Option<Id>);

impl Gate {
    /// One page (from 1) of the applications of `office` that its caseworkers may read, oldest
    /// submission first.
    pub async fn queue(
        &self,
        staff: &Staff,
        office: &str,
        page: i64,
        per_page: i64,
    ) -> Result<Option<QueuePage>, DatabaseError> {
        if !Self::is_caseworker_at(staff, office) {
            return Ok(None);
        }
        let (page, per_page) = (page.max(1), per_page.clamp(1, MAX_PER_PAGE));
        let now = Timestamp::now().as_offset_date_time().unix_timestamp();
        let condition = readable_application(&self.database);
        let list = format!(
            "SELECT a.id, a.reference, a.benefit_type_code, a.status, a.submitted_at, a.assigned_staff_id \
             FROM applications a WHERE {condition} ORDER BY (a.submitted_at IS NULL), a.submitted_at, a.id LIMIT $3 OFFSET $4"
        );
        let count = format!("SELECT COUNT(*) FROM applications a WHERE {condition}");
        let (rows, total): (Vec<QueueRow>, i64) = on_backend!(self.database, pool => {
            let rows = sqlx::query_as(&list)
                .bind(office)
                .bind(now)
                .bind(per_page)
                .bind((page - 1).saturating_mul(per_page))
                .fetch_all(pool)
                .await?;
            let total = sqlx::query_scalar(&count).bind(office).bind(now).fetch_one(pool).await?;
            Ok::<_, sqlx::Error>((rows, total))
        })?;
        Ok(Some(QueuePage {
            items: rows
                .into_iter()
                .map(|(id, reference, benefit_type, status, submitted_at, assigned)| QueueItem {
                    application: id.to_string(),
                    reference,
                    benefit_type,
                    status,
                    submitted_at: submitted_at.map(Timestamp::to_rfc3339),
                    assigned_to_me: assigned == Some(staff.id()),
                })
                .collect(),
            total,
            page,
            per_page,
        }))
    }

    /// The data citizens shared with `office` by consent that counts now, by citizen and
    /// purpose; none of a citizen under a protection flag.
    pub async fn sharings(&self, staff: &Staff, office: &str) -> Result<Option<Vec<SharingItem>>, DatabaseError> {
        if !Self::is_caseworker_at(staff, office) {
            return Ok(None);
        }
        let now = Timestamp::now();
        let rows: Vec<(Id, String, String, Option<Timestamp>)> = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT c.citizen_id, c.purpose, c.category_code, c.expires_at FROM consents c \
             WHERE c.recipient_office_code = $1 AND c.granted_at <= $2 AND (c.revoked_at IS NULL OR c.revoked_at > $2) \
             AND (c.expires_at IS NULL OR c.expires_at > $2) AND NOT EXISTS (SELECT 1 FROM protection_flags f \
               WHERE f.citizen_id = c.citizen_id AND f.set_at <= $2 AND (f.lifted_at IS NULL OR f.lifted_at > $2)) \
             ORDER BY c.citizen_id, c.purpose, c.category_code LIMIT 10000",
        )
        .bind(office)
        .bind(now)
        .fetch_all(pool)
        .await)?;
        let mut grouped: BTreeMap<(Id, String), SharingItem> = BTreeMap::new();
        for (citizen, purpose, category, expires_at) in rows {
            let item = grouped.entry((citizen, purpose.clone())).or_insert_with(|| SharingItem {
                citizen: citizen.to_string(),
                purpose,
                categories: Vec::new(),
                until: None,
            });
            item.categories.push(category);
            if let Some(expires_at) = expires_at.map(Timestamp::to_rfc3339)
                && item.until.as_ref().is_none_or(|until| expires_at < *until)
            {
                item.until = Some(expires_at);
            }
        }
        Ok(Some(grouped.into_values().collect()))
    }
}
