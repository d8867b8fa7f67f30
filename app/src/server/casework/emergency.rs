//! Emergency access (§ 8a SGB VIII): a caseworker of a youth office opens it for the person of
//! one of the office's cases (the child, or the parent who applied for them) with a reason, the
//! categories and a duration of at most the configured maximum; it takes effect only when a
//! second caseworker of that office confirms it, and ends by itself. The citizen sees it in
//! their access log unless a recorded deferral holds it back until a date no later than the
//! configured maximum; the data protection officer always sees all of it.

use sqlx::types::Json;

use super::Casework;
use crate::{
    policy::Category,
    server::{
        auth::{CaseAccess, OfficeEmergency},
        db::{BeginWrite, CitizenId, DatabaseError, DeferralId, EmergencyId, StaffId, Timestamp, on_backend},
        error::{ServiceError, invalid},
    },
};

impl Casework {
    /// Whether `categories` and a duration of `hours` make an emergency access that may be opened:
    /// judged from the inputs alone, so a server function can ask before it looks anything up.
    pub fn check_emergency_request(&self, categories: &[Category], hours: i64) -> Result<(), ServiceError> {
        let max = self.limits.emergency_max_hours;
        if !(1..=max).contains(&hours) {
            return Err(invalid("hours", format!("choose between 1 and {max} hours")));
        }
        if categories.is_empty() {
            return Err(invalid("categories", "choose at least one category"));
        }
        Ok(())
    }

    /// Opens an emergency access of the youth office of `case` for `person`, who must be the
    /// person the application is for or the one who filed it. Pending until a second
    /// caseworker of the office confirms it. Answers its id.
    pub async fn open_emergency(
        &self,
        case: &CaseAccess,
        person: CitizenId,
        reason: &str,
        categories: &[Category],
        hours: i64,
    ) -> Result<EmergencyId, ServiceError> {
        let (staff, office, application) = (case.staff(), case.office(), case.application());
        self.check_emergency_request(categories, hours)?;
        let codes: Vec<&str> = categories.iter().map(|category| category.code()).collect();
        let id = EmergencyId::new();
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM offices WHERE code = $1")
                .bind(office)
                .fetch_optional(&mut *transaction)
                .await?;
            if kind.as_deref() != Some("youth") {
                return Err(ServiceError::NotFound);
            }
            let of_case: Option<i64> = sqlx::query_scalar(
                "SELECT CAST(1 AS BIGINT) FROM applications WHERE id = $1 AND office_code = $2 AND status <> 'draft' \
                 AND (citizen_id = $3 OR submitted_by_citizen_id = $3)",
            )
            .bind(application)
            .bind(office)
            .bind(person)
            .fetch_optional(&mut *transaction)
            .await?;
            if of_case.is_none() {
                return Err(ServiceError::NotFound);
            }
            sqlx::query(
                "INSERT INTO emergency_accesses (id, office_code, citizen_id, opened_by_staff_id, reason, categories, \
                 requested_duration_minutes, opened_at, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending')",
            )
            .bind(id)
            .bind(office)
            .bind(person)
            .bind(staff)
            .bind(reason)
            .bind(Json(&codes))
            .bind(hours * 60)
            .bind(Timestamp::now())
            .execute(&mut *transaction)
            .await?;
            transaction.commit().await?;
            Ok::<(), ServiceError>(())
        })?;
        Ok(id)
    }

    /// Confirms the pending emergency access of `held`: its caseworker must be another one of
    /// the office than the one who opened it. It runs from now for the requested duration.
    pub async fn confirm_emergency(&self, held: &OfficeEmergency) -> Result<(), ServiceError> {
        self.decide_emergency(held, true).await
    }

    /// Rejects the pending emergency access of `held` (again a second caseworker's decision).
    pub async fn reject_emergency(&self, held: &OfficeEmergency) -> Result<(), ServiceError> {
        self.decide_emergency(held, false).await
    }

    async fn decide_emergency(&self, held: &OfficeEmergency, confirm: bool) -> Result<(), ServiceError> {
        let (staff, office, emergency) = (held.staff(), held.office(), held.emergency());
        let now = Timestamp::now();
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let found: Option<(StaffId, i64, String)> = sqlx::query_as(
                "SELECT opened_by_staff_id, requested_duration_minutes, status FROM emergency_accesses \
                 WHERE id = $1 AND office_code = $2",
            )
            .bind(emergency)
            .bind(office)
            .fetch_optional(&mut *transaction)
            .await?;
            let Some((opened_by, minutes, status)) = found else { return Err(ServiceError::NotFound) };
            if opened_by == staff {
                return Err(invalid("emergency", "a second caseworker of your office must decide this"));
            }
            if status != "pending" {
                return Err(invalid("emergency", "this emergency access has already been decided"));
            }
            let changed = if confirm {
                sqlx::query(
                    "UPDATE emergency_accesses SET status = 'confirmed', confirmed_by_staff_id = $1, confirmed_at = $2, \
                     expires_at = $3 WHERE id = $4 AND status = 'pending'",
                )
                .bind(staff)
                .bind(now)
                .bind(now + time::Duration::minutes(minutes))
                .bind(emergency)
                .execute(&mut *transaction)
                .await?
            } else {
                sqlx::query(
                    "UPDATE emergency_accesses SET status = 'rejected', rejected_by_staff_id = $1, rejected_at = $2 \
                     WHERE id = $3 AND status = 'pending'",
                )
                .bind(staff)
                .bind(now)
                .bind(emergency)
                .execute(&mut *transaction)
                .await?
            };
            if changed.rows_affected() != 1 {
                return Err(invalid("emergency", "this emergency access has already been decided"));
            }
            transaction.commit().await?;
            Ok::<(), ServiceError>(())
        })
    }

    /// Ends the running (or pending) emergency access of `held` early.
    pub async fn end_emergency(&self, held: &OfficeEmergency) -> Result<(), ServiceError> {
        let (staff, office, emergency) = (held.staff(), held.office(), held.emergency());
        let now = Timestamp::now();
        let ended = on_backend!(self.database, pool => sqlx::query(
            "UPDATE emergency_accesses SET status = 'ended', ended_at = $1, ended_by_staff_id = $2 \
             WHERE id = $3 AND office_code = $4 AND status IN ('pending', 'confirmed') \
             AND (expires_at IS NULL OR expires_at > $1)",
        )
        .bind(now)
        .bind(staff)
        .bind(emergency)
        .bind(office)
        .execute(pool)
        .await
        .map(|result| result.rows_affected()))
        .map_err(DatabaseError::from)?;
        match ended {
            1 => Ok(()),
            _ => Err(ServiceError::NotFound),
        }
    }

    /// Holds the emergency access of `held` back from the citizen's access log until
    /// `visible_from`, for a recorded reason: a decision of a caseworker other than the one who
    /// opened it, once per emergency access, and never later than the configured number of days
    /// after it was opened — a deferral never hides anything for good.
    pub async fn defer_emergency_notice(
        &self,
        held: &OfficeEmergency,
        reason: &str,
        visible_from: Timestamp,
    ) -> Result<(), ServiceError> {
        let (staff, office, emergency) = (held.staff(), held.office(), held.emergency());
        let now = Timestamp::now();
        let max_days = self.limits.deferral_max_days;
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let found: Option<(StaffId, Timestamp)> =
                sqlx::query_as("SELECT opened_by_staff_id, opened_at FROM emergency_accesses WHERE id = $1 AND office_code = $2")
                    .bind(emergency)
                    .bind(office)
                    .fetch_optional(&mut *transaction)
                    .await?;
            let Some((opened_by, opened_at)) = found else { return Err(ServiceError::NotFound) };
            if opened_by == staff {
                return Err(invalid("emergency", "a second caseworker of your office must decide this"));
            }
            let latest = opened_at + time::Duration::days(max_days);
            if visible_from <= now || visible_from > latest {
                return Err(invalid(
                    "until",
                    format!("choose a date after today and at most {max_days} days after the access was opened"),
                ));
            }
            let earlier: Option<i64> = sqlx::query_scalar(
                "SELECT CAST(1 AS BIGINT) FROM access_log_deferrals WHERE emergency_access_id = $1",
            )
            .bind(emergency)
            .fetch_optional(&mut *transaction)
            .await?;
            if earlier.is_some() {
                return Err(invalid("emergency", "this emergency access has already been deferred once"));
            }
            sqlx::query(
                "INSERT INTO access_log_deferrals (id, access_log_seq, emergency_access_id, decided_by_staff_id, reason, \
                 visible_from, created_at) VALUES ($1, NULL, $2, $3, $4, $5, $6)",
            )
            .bind(DeferralId::new())
            .bind(emergency)
            .bind(staff)
            .bind(reason)
            .bind(visible_from)
            .bind(now)
            .execute(&mut *transaction)
            .await?;
            transaction.commit().await?;
            Ok::<(), ServiceError>(())
        })
    }
}
