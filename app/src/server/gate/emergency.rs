//! Reading emergency accesses (§ 8a SGB VIII): the office's own, for its caseworkers, and all of
//! them for the data protection officer's review. Opening, confirming and ending one is casework
//! (`casework::emergency`); what the access lets the office read is the core's `emergency_view`.

use sqlx::types::Json;

use super::Gate;
use crate::{
    case::EmergencyView,
    consent::NamedCode,
    server::{
        auth::{CaseworkerAt, DataProtectionOfficer},
        db::{CitizenId, DatabaseError, EmergencyId, StaffId, Timestamp, on_backend},
    },
};

/// id, office, citizen, reason, categories, requested minutes, opened by (id and name), opened at,
/// confirmed by (name), confirmed at, expires at, ended at, rejected at, deferred until, deferral reason.
pub(in crate::server) type EmergencyRow = (
    EmergencyId,
    String,
    CitizenId,
    String,
    Json<Vec<String>>,
    i64,
    StaffId,
    String,
    Timestamp,
    Option<String>,
    Option<Timestamp>,
    Option<Timestamp>,
    Option<Timestamp>,
    Option<Timestamp>,
    Option<Timestamp>,
    Option<String>,
);

pub(in crate::server) const EMERGENCY_COLUMNS: &str = "e.id, e.office_code, e.citizen_id, e.reason, e.categories, e.requested_duration_minutes, \
     e.opened_by_staff_id, (SELECT s.display_name FROM staff_members s WHERE s.id = e.opened_by_staff_id), e.opened_at, \
     (SELECT s.display_name FROM staff_members s WHERE s.id = e.confirmed_by_staff_id), e.confirmed_at, e.expires_at, e.ended_at, e.rejected_at, \
     (SELECT MAX(d.visible_from) FROM access_log_deferrals d WHERE d.emergency_access_id = e.id), \
     (SELECT MAX(d.reason) FROM access_log_deferrals d WHERE d.emergency_access_id = e.id)";

/// The state of an emergency access at `now`, from its times (not the stored status, which
/// housekeeping updates later).
pub(in crate::server) fn status_at(now: Timestamp, row: &EmergencyRow) -> &'static str {
    let (confirmed_at, expires_at, ended_at, rejected_at) = (row.10, row.11, row.12, row.13);
    if rejected_at.is_some() {
        "rejected"
    } else if ended_at.is_some_and(|ended| ended <= now) {
        "ended"
    } else if confirmed_at.is_none() {
        "pending"
    } else if expires_at.is_some_and(|expires| expires <= now) {
        "expired"
    } else {
        "confirmed"
    }
}

fn view(now: Timestamp, viewer: Option<StaffId>, row: EmergencyRow) -> EmergencyView {
    let status = status_at(now, &row).to_owned();
    let (id, office, citizen, reason, Json(categories), minutes, opened_by, opened_by_name, opened_at) =
        (row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8);
    EmergencyView {
        id: id.to_string(),
        office,
        citizen: citizen.to_string(),
        reason,
        categories,
        requested_hours: minutes / 60,
        opened_by: opened_by_name,
        opened_at: opened_at.to_rfc3339(),
        confirmed_by: row.9,
        confirmed_at: row.10.map(Timestamp::to_rfc3339),
        expires_at: row.11.map(Timestamp::to_rfc3339),
        ended_at: row.12.map(Timestamp::to_rfc3339),
        status,
        opened_by_me: viewer == Some(opened_by),
        deferred_until: row.14.map(Timestamp::to_rfc3339),
        deferral_reason: row.15,
    }
}

impl Gate {
    /// The emergency accesses of the office of `at`, newest first, for its caseworkers: the
    /// confirmation queue and the running ones.
    pub async fn office_emergencies(&self, at: &CaseworkerAt) -> Result<Vec<EmergencyView>, DatabaseError> {
        let (staff, office) = (at.staff(), at.office());
        let sql = format!(
            "SELECT {EMERGENCY_COLUMNS} FROM emergency_accesses e WHERE e.office_code = $1 ORDER BY e.opened_at DESC, e.id LIMIT 200"
        );
        let rows: Vec<EmergencyRow> =
            on_backend!(self.database, pool => sqlx::query_as(&sql).bind(office).fetch_all(pool).await)?;
        let now = Timestamp::now();
        Ok(rows.into_iter().map(|row| view(now, Some(staff), row)).collect())
    }

    /// Every emergency access of every office, newest first, for the data protection officer's
    /// review: reason, categories, who opened and who confirmed, deferrals. No case content.
    pub async fn emergency_review(&self, _officer: &DataProtectionOfficer) -> Result<Vec<EmergencyView>, DatabaseError> {
        let sql =
            format!("SELECT {EMERGENCY_COLUMNS} FROM emergency_accesses e ORDER BY e.opened_at DESC, e.id LIMIT 1000");
        let rows: Vec<EmergencyRow> = on_backend!(self.database, pool => sqlx::query_as(&sql).fetch_all(pool).await)?;
        let now = Timestamp::now();
        Ok(rows.into_iter().map(|row| view(now, None, row)).collect())
    }

    /// The names of the data categories in their order, for lists that name them by code.
    pub async fn category_names(&self) -> Result<Vec<NamedCode>, DatabaseError> {
        let rows: Vec<(String, String, String)> =
            on_backend!(self.database, pool => sqlx::query_as(super::CATEGORY_NAMES).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(NamedCode::from).collect())
    }
}
