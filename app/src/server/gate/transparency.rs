//! What citizens see of the reads of their data: their access log (deferrals applied), with
//! the names the codes stand for, and the people they act for. And what the data protection
//! officer reviews: every read across citizens, filtered, without any case content.

use sqlx::types::Json;

use super::{Gate, adult_born_by};
use crate::{
    case::{Colleague, LogReview, LogReviewEntry, LogReviewFilter},
    consent::{AccessEntryView, CitizenAccessLog, NamedCode, PersonView},
    server::{
        access_log::shown_to_citizen,
        auth::{Citizen, DataProtectionOfficer},
        db::{DatabaseError, Id, Timestamp, on_backend},
    },
};

/// seq, occurred at, office, categories, purpose, basis, the application's reference.
type EntryRow = (i64, Timestamp, String, Json<Vec<String>>, String, String, Option<String>);
/// code, German name, English name.
type NameRow = (String, String, String);

impl Gate {
    /// The signed-in citizen and the minor children in their custody, by name.
    pub async fn people_acted_for(&self, citizen: &Citizen) -> Result<Vec<PersonView>, DatabaseError> {
        let rows: Vec<(Id, String, String)> = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT c.id, c.given_name, c.family_name FROM citizens c WHERE c.id = $1 \
             UNION ALL SELECT c.id, c.given_name, c.family_name FROM guardianships g JOIN citizens c ON c.id = g.child_citizen_id \
             WHERE g.guardian_citizen_id = $1 AND g.ended_on IS NULL AND c.birth_date IS NOT NULL AND c.birth_date > $2",
        )
        .bind(citizen.id())
        .bind(adult_born_by(Timestamp::now()))
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(id, given, family)| PersonView {
                id: id.to_string(),
                name: format!("{given} {family}"),
                is_self: id == citizen.id(),
            })
            .collect())
    }

    /// The newest `limit` reads of `person`'s data, newest first, and the emergency accesses to
    /// it, as the citizen sees them: all but what a recorded deferral holds back until its date.
    /// The page shows (and the citizen's check covers) the newest
    /// [`crate::server::access_log::CITIZEN_CHECK_LIMIT`]; the export holds every one. The caller
    /// has checked that the signed-in citizen acts for `person`.
    pub async fn citizen_access_log(&self, person: Id, limit: i64) -> Result<CitizenAccessLog, DatabaseError> {
        let now = Timestamp::now();
        let (name, rows, offices, categories): (Option<String>, Vec<EntryRow>, Vec<NameRow>, Vec<NameRow>) = on_backend!(self.database, pool => {
            let name = sqlx::query_scalar("SELECT given_name || ' ' || family_name FROM citizens WHERE id = $1")
                .bind(person)
                .fetch_optional(pool)
                .await?;
            // The entries the citizen's check covers (`AccessLog::verify_citizen`): the same
            // condition and the same number, so the check is of what this page shows.
            let rows = sqlx::query_as(concat!(
                "SELECT l.seq, l.occurred_at, l.office_code, l.categories, l.purpose, l.basis, a.reference \
                 FROM access_log l LEFT JOIN applications a ON l.basis = 'application' AND a.id = l.basis_ref \
                 WHERE l.citizen_id = $1 AND ",
                shown_to_citizen!(),
                " ORDER BY l.seq DESC LIMIT $3",
            ))
            .bind(person)
            .bind(now)
            .bind(limit)
            .fetch_all(pool)
            .await?;
            let offices = sqlx::query_as("SELECT code, name_de, name_en FROM offices ORDER BY code").fetch_all(pool).await?;
            let categories =
                sqlx::query_as("SELECT code, name_de, name_en FROM data_categories ORDER BY sort_order").fetch_all(pool).await?;
            Ok::<_, sqlx::Error>((name, rows, offices, categories))
        })?;
        let named = |rows: Vec<NameRow>| {
            rows.into_iter().map(|(code, name_de, name_en)| NamedCode { code, name_de, name_en }).collect()
        };
        Ok(CitizenAccessLog {
            citizen: person.to_string(),
            citizen_name: name.unwrap_or_default(),
            entries: rows
                .into_iter()
                .map(|(seq, occurred_at, office, Json(categories), purpose, basis, reference)| AccessEntryView {
                    seq,
                    occurred_at: occurred_at.to_rfc3339(),
                    office,
                    role: "caseworker".to_owned(),
                    categories,
                    purpose,
                    basis,
                    reference,
                })
                .collect(),
            emergencies: self.emergencies_for_citizen(person).await?,
            offices: named(offices),
            categories: named(categories),
        })
    }

    /// A page of the access log across citizens for the data protection officer, newest first
    /// (older than `before`, when given), by the filter's office, staff member, basis and days.
    /// The officer sees who read which categories of whom, never the data.
    pub async fn review_access_log(
        &self,
        officer: &DataProtectionOfficer,
        filter: LogReviewFilter,
        staff: Option<Id>,
        days: (Option<Timestamp>, Option<Timestamp>),
        before: Option<i64>,
    ) -> Result<LogReview, DatabaseError> {
        const PER_PAGE: i64 = 50;
        type ReviewRow = (i64, Timestamp, String, String, Id, Json<Vec<String>>, String, String);
        type Loaded = (Vec<ReviewRow>, Vec<NameRow>, Vec<NameRow>, Vec<(Id, String)>);
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
        let named = |rows: Vec<NameRow>| {
            rows.into_iter().map(|(code, name_de, name_en)| NamedCode { code, name_de, name_en }).collect()
        };
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
