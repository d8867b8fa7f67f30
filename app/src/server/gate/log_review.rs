//! What the data protection officer reviews of the access log: every read across citizens,
//! filtered, without any case content. (What citizens see of the reads of their data is
//! `citizen::transparency`.)

use sqlx::types::Json;

use super::Gate;
use crate::{
    case::{Colleague, LogReview, LogReviewEntry, LogReviewFilter},
    consent::NamedCode,
    server::{
        auth::DataProtectionOfficer,
        db::{CitizenId, DatabaseError, StaffId, Timestamp, on_backend},
    },
};

/// code, German name, English name.
type NameRow = (String, String, String);

impl Gate {
    /// A page of the access log across citizens for the data protection officer, newest first
    /// (older than `before`, when given), by the filter's office, staff member, basis and days.
    /// The officer sees who read which categories of whom, never the data.
    pub async fn review_access_log(
        &self,
        officer: &DataProtectionOfficer,
        filter: LogReviewFilter,
        staff: Option<StaffId>,
        days: (Option<Timestamp>, Option<Timestamp>),
        before: Option<i64>,
    ) -> Result<LogReview, DatabaseError> {
        const PER_PAGE: i64 = 50;
        type ReviewRow = (i64, Timestamp, String, String, CitizenId, Json<Vec<String>>, String, String);
        type Loaded = (Vec<ReviewRow>, Vec<NameRow>, Vec<NameRow>, Vec<(StaffId, String)>);
        let (rows, offices, categories, people): Loaded =
            on_backend!(self.database, pool => {
                let rows = sqlx::query_as(
                    "SELECT l.seq, l.occurred_at, s.display_name, l.office_code, l.citizen_id, l.categories, l.purpose, l.basis \
                     FROM access_log l JOIN staff_members s ON s.id = l.staff_id \
                     WHERE ($1 = '' OR l.office_code = $1) AND ($2 IS NULL OR l.staff_id = $2) AND ($3 = '' OR l.basis = $3) \
                     AND ($4 IS NULL OR l.occurred_at >= $4) AND ($5 IS NULL OR l.occurred_at < $5) AND ($6 IS NULL OR l.seq < $6) \
                     ORDER BY l.seq DESC LIMIT $7",
                )
                .bind(&filter.office)
                .bind(staff)
                .bind(&filter.basis)
                .bind(days.0)
                .bind(days.1)
                .bind(before)
                .bind(PER_PAGE)
                .fetch_all(pool)
                .await?;
                let offices = sqlx::query_as("SELECT code, name_de, name_en FROM offices ORDER BY code").fetch_all(pool).await?;
                let categories =
                    sqlx::query_as("SELECT code, name_de, name_en FROM data_categories ORDER BY sort_order").fetch_all(pool).await?;
                let people = sqlx::query_as(
                    "SELECT DISTINCT s.id, s.display_name FROM staff_members s JOIN staff_roles r ON r.staff_id = s.id \
                     WHERE r.role = 'caseworker' ORDER BY s.display_name, s.id",
                )
                .fetch_all(pool)
                .await?;
                Ok::<_, sqlx::Error>((rows, offices, categories, people))
            })?;
        let named = |rows: Vec<NameRow>| rows.into_iter().map(NamedCode::from).collect();
        let full = i64::try_from(rows.len()).unwrap_or(i64::MAX) == PER_PAGE;
        let next_before = if full { rows.last().map(|row| row.0) } else { None };
        Ok(LogReview {
            filter,
            entries: rows
                .into_iter()
                .map(|(seq, at, staff, office, citizen, Json(categories), purpose, basis)| LogReviewEntry {
                    seq,
                    occurred_at: at.to_rfc3339(),
                    staff,
                    office,
                    citizen: citizen.to_string(),
                    categories,
                    purpose,
                    basis,
                })
                .collect(),
            next_before,
            offices: named(offices),
            categories: named(categories),
            staff: people
                .into_iter()
                .map(|(id, name)| Colleague { id: id.to_string(), name, is_me: id == officer.id() })
                .collect(),
        })
    }
}
