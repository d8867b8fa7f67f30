//! Setting and lifting a protection flag (Auskunftssperre, Schutzvermerk) on the citizen of a
//! case, with a reason. A flag belongs to the office that set it: only its staff lift it, and
//! for any other office it is not there to lift.

use super::Casework;
use crate::server::{
    auth::CaseAccess,
    db::{DatabaseError, FlagId, Timestamp, on_backend},
    gate::citizen_of_case,
};

impl Casework {
    /// Sets a protection flag on the citizen of this case. From now on only the offices' own
    /// applications are a basis to read that citizen's data (see the policy).
    pub async fn set_protection_flag(
        &self,
        case: &CaseAccess,
        kind: &str,
        reason: &str,
    ) -> Result<Option<FlagId>, DatabaseError> {
        let Some(citizen) = citizen_of_case(&self.database, case).await? else { return Ok(None) };
        let id = FlagId::new();
        on_backend!(self.database, pool => sqlx::query(
            "INSERT INTO protection_flags (id, citizen_id, kind, reason, set_by_staff_id, set_by_office_code, set_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(citizen)
        .bind(kind)
        .bind(reason)
        .bind(case.staff())
        .bind(case.office())
        .bind(Timestamp::now())
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(Some(id))
    }

    /// Lifts an active flag the office of this case set on its citizen. `false` when there is
    /// no such flag: another office's flag is not there to lift.
    pub async fn lift_protection_flag(
        &self,
        case: &CaseAccess,
        flag: FlagId,
        reason: &str,
    ) -> Result<bool, DatabaseError> {
        let Some(citizen) = citizen_of_case(&self.database, case).await? else { return Ok(false) };
        let lifted = on_backend!(self.database, pool => sqlx::query(
            "UPDATE protection_flags SET lifted_at = $1, lifted_by_staff_id = $2, lift_reason = $3 \
             WHERE id = $4 AND citizen_id = $5 AND set_by_office_code = $6 AND lifted_at IS NULL",
        )
        .bind(Timestamp::now())
        .bind(case.staff())
        .bind(reason)
        .bind(flag)
        .bind(citizen)
        .bind(case.office())
        .execute(pool)
        .await
        .map(|result| result.rows_affected()))?;
        Ok(lifted == 1)
    }
}
