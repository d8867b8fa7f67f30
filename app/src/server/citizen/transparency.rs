//! What citizens see of the reads of their data: their access log (deferrals applied), with
//! the names the codes stand for, the emergency accesses to it that no deferral holds back, and
//! the gaps operators declared in the whole log.

use sqlx::types::Json;

use super::SelfService;
use crate::{
    consent::{AccessEntryView, CitizenAccessLog, CitizenEmergencyView, LogGapView, NamedCode},
    server::{
        access_log::shown_to_citizen,
        auth::ActingFor,
        db::{CitizenId, DatabaseError, LogEntryId, Timestamp, on_backend},
        gate::{EMERGENCY_COLUMNS, EmergencyRow, status_at},
    },
};

/// seq, id, occurred at, office, categories, purpose, basis, the application's reference.
type EntryRow = (i64, LogEntryId, Timestamp, String, Json<Vec<String>>, String, String, Option<String>);
/// code, German name, English name.
type NameRow = (String, String, String);
/// A declared gap: entries lost, after, until, declared at, the operator's reason.
type GapRow = (i64, Timestamp, Timestamp, Timestamp, String);
/// What a citizen's access log is read from: the person's name, the entries, the offices' and
/// categories' names, and the declared gaps.
type LogRows = (Option<String>, Vec<EntryRow>, Vec<NameRow>, Vec<NameRow>, Vec<GapRow>);

impl SelfService {
    /// The newest `limit` reads of the data of the person `acting` names, as
    /// `access_log_of` gives them.
    pub async fn citizen_access_log(&self, acting: &ActingFor, limit: i64) -> Result<CitizenAccessLog, DatabaseError> {
        self.access_log_of(acting.person(), limit).await
    }

    /// The leaves of the newest `limit` entries the citizen sees of the person `acting` names
    /// (the newest [`crate::log_proof::CHECKED`] for their page's check, all for the export),
    /// each with its place in the tree, none while it waits for one.
    pub async fn leaves_of(&self, acting: &ActingFor, limit: i64) -> Result<Vec<(String, Option<i64>)>, DatabaseError> {
        let now = Timestamp::now();
        let rows: Vec<(Option<String>, Option<i64>)> = on_backend!(self.database, pool => sqlx::query_as(concat!(
            "SELECT l.leaf, l.leaf_index FROM access_log l WHERE l.citizen_id = $1 AND ",
            shown_to_citizen!(),
            " ORDER BY l.seq DESC LIMIT $3",
        ))
        .bind(acting.person())
        .bind(now)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().filter_map(|(leaf, index)| Some((leaf?, index))).collect())
    }

    /// The newest `limit` reads of `person`'s data, newest first, and the emergency accesses to
    /// it, as the citizen sees them: all but what a recorded deferral holds back until its date.
    /// The page shows the newest [`crate::server::access_log::CITIZEN_PAGE`]; the export holds
    /// every one. The caller has checked that the signed-in citizen acts for `person`.
    pub(super) async fn access_log_of(&self, person: CitizenId, limit: i64) -> Result<CitizenAccessLog, DatabaseError> {
        let now = Timestamp::now();
        let (name, rows, offices, categories, gaps): LogRows = on_backend!(self.database, pool => {
            let name = sqlx::query_scalar("SELECT given_name || ' ' || family_name FROM citizens WHERE id = $1")
                .bind(person)
                .fetch_optional(pool)
                .await?;
            // The same condition and order as the leaves the citizen's browser checks
            // (`leaves_of`), so the check is of what this page shows.
            let rows = sqlx::query_as(concat!(
                "SELECT l.seq, l.id, l.occurred_at, l.office_code, l.categories, l.purpose, l.basis, a.reference \
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
            let gaps = sqlx::query_as(
                "SELECT witnessed_size - restored_size, restored_at, noticed_at, declared_at, reason FROM access_log_gaps \
                 WHERE declared_at IS NOT NULL ORDER BY declared_at DESC",
            )
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>((name, rows, offices, categories, gaps))
        })?;
        let named = |rows: Vec<NameRow>| rows.into_iter().map(NamedCode::from).collect();
        Ok(CitizenAccessLog {
            citizen: person.to_string(),
            citizen_name: name.unwrap_or_default(),
            entries: rows
                .into_iter()
                .map(|(seq, id, occurred_at, office, Json(categories), purpose, basis, reference)| AccessEntryView {
                    seq,
                    id: id.to_string(),
                    occurred_at: occurred_at.to_rfc3339(),
                    office,
                    role: "caseworker".to_owned(),
                    categories,
                    purpose,
                    basis,
                    reference,
                    log_proof: None,
                })
                .collect(),
            emergencies: self.emergencies_for_citizen(person).await?,
            gaps: gaps
                .into_iter()
                .map(|(lost, from, until, declared_at, reason)| LogGapView {
                    lost: u64::try_from(lost).unwrap_or(0),
                    from: from.to_rfc3339(),
                    until: until.to_rfc3339(),
                    declared_at: declared_at.to_rfc3339(),
                    reason,
                })
                .collect(),
            offices: named(offices),
            categories: named(categories),
        })
    }

    /// The confirmed emergency accesses to `person`'s data that no deferral holds back now, for
    /// the citizen's access log. The caller has checked that the citizen acts for `person`.
    pub(super) async fn emergencies_for_citizen(&self, person: CitizenId) -> Result<Vec<CitizenEmergencyView>, DatabaseError> {
        let now = Timestamp::now();
        let sql = format!(
            "SELECT {EMERGENCY_COLUMNS} FROM emergency_accesses e WHERE e.citizen_id = $1 AND e.confirmed_at IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM access_log_deferrals d WHERE d.emergency_access_id = e.id AND d.visible_from > $2) \
             ORDER BY e.opened_at DESC, e.id"
        );
        let rows: Vec<EmergencyRow> =
            on_backend!(self.database, pool => sqlx::query_as(&sql).bind(person).bind(now).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let status = status_at(now, &row).to_owned();
                CitizenEmergencyView {
                    id: row.0.to_string(),
                    office: row.1,
                    reason: row.3,
                    categories: row.4.0,
                    opened_at: row.8.to_rfc3339(),
                    confirmed_at: row.10.map(Timestamp::to_rfc3339),
                    expires_at: row.11.map(Timestamp::to_rfc3339),
                    status,
                }
            })
            .collect())
    }
}
