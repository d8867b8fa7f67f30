//! What citizens see of the reads of their data: their access log (deferrals applied), with
//! the names the codes stand for, and the people they act for.

use sqlx::types::Json;

use super::{Gate, adult_born_by};
use crate::{
    consent::{AccessEntryView, CitizenAccessLog, NamedCode, PersonView},
    server::{
        auth::Citizen,
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

    /// The reads of `person`'s data, newest first, and the emergency accesses to it, as the
    /// citizen sees them: all but what a recorded deferral holds back until its date. The
    /// caller has checked that the signed-in citizen acts for `person`.
    pub async fn citizen_access_log(&self, person: Id) -> Result<CitizenAccessLog, DatabaseError> {
        let now = Timestamp::now();
        let (name, rows, offices, categories): (Option<String>, Vec<EntryRow>, Vec<NameRow>, Vec<NameRow>) = on_backend!(self.database, pool => {
            let name = sqlx::query_scalar("SELECT given_name || ' ' || family_name FROM citizens WHERE id = $1")
                .bind(person)
                .fetch_optional(pool)
                .await?;
            let rows = sqlx::query_as(
                "SELECT l.seq, l.occurred_at, l.office_code, l.categories, l.purpose, l.basis, a.reference \
                 FROM access_log l LEFT JOIN applications a ON l.basis = 'application' AND a.id = l.basis_ref \
                 WHERE l.citizen_id = $1 AND NOT EXISTS (SELECT 1 FROM access_log_deferrals d \
                   WHERE (d.access_log_seq = l.seq OR (l.basis = 'emergency' AND d.emergency_access_id = l.basis_ref)) \
                   AND d.visible_from > $2) \
                 ORDER BY l.seq DESC LIMIT 1000",
            )
            .bind(person)
            .bind(now)
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
}
