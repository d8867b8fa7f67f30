//! Protection flags (Auskunftssperre, Schutzvermerk): set and lifted by staff of the citizen's
//! own cases, with a reason. While one holds, only the offices' own applications are a basis.

use super::Gate;
use crate::{
    case::ProtectionFlagView,
    server::{
        auth::Staff,
        db::{DatabaseError, Id, Timestamp, on_backend},
    },
};

/// The active protection flags of citizen `$1`, oldest first.
pub(super) const ACTIVE_FLAGS: &str = "SELECT id, kind, reason, set_at, set_by_office_code FROM protection_flags \
     WHERE citizen_id = $1 AND lifted_at IS NULL ORDER BY set_at";

/// A row of `ACTIVE_FLAGS`.
pub(super) type FlagRow = (Id, String, String, Timestamp, String);

pub(super) fn flag_views(rows: Vec<FlagRow>) -> Vec<ProtectionFlagView> {
    rows.into_iter()
        .map(|(id, kind, reason, set_at, office)| ProtectionFlagView {
            id: id.to_string(),
            kind,
            reason,
            set_at: set_at.to_rfc3339(),
            set_by_office: office,
        })
        .collect()
}

impl Gate {
    /// The citizen of an application of `office` that `staff` works on, if any (not drafts).
    pub(super) async fn citizen_of_case(
        &self,
        staff: &Staff,
        office: &str,
        application: Id,
    ) -> Result<Option<Id>, DatabaseError> {
        if !staff.caseworker_offices().any(|own| own == office) {
            return Ok(None);
        }
        let citizen: Option<Id> = on_backend!(self.database, pool => sqlx::query_scalar(
            "SELECT citizen_id FROM applications WHERE id = $1 AND office_code = $2 AND status <> 'draft'",
        )
        .bind(application)
        .bind(office)
        .fetch_optional(pool)
        .await)?;
        Ok(citizen)
    }

    /// The active protection flags of the citizen of this case, for staff of that case.
    pub async fn protection_flags(
        &self,
        staff: &Staff,
        office: &str,
        application: Id,
    ) -> Result<Option<Vec<ProtectionFlagView>>, DatabaseError> {
        let Some(citizen) = self.citizen_of_case(staff, office, application).await? else { return Ok(None) };
        let rows: Vec<FlagRow> = on_backend!(self.database, pool => sqlx::query_as(ACTIVE_FLAGS)
            .bind(citizen)
            .fetch_all(pool)
            .await)?;
        Ok(Some(flag_views(rows)))
    }

    /// Sets a protection flag on the citizen of this case. From now on only the offices' own
    /// applications are a basis to read that citizen's data (see the policy).
    pub async fn set_protection_flag(
        &self,
        staff: &Staff,
        office: &str,
        application: Id,
        kind: &str,
        reason: &str,
    ) -> Result<Option<Id>, DatabaseError> {
        let Some(citizen) = self.citizen_of_case(staff, office, application).await? else { return Ok(None) };
        let id = Id::new();
        on_backend!(self.database, pool => sqlx::query(
            "INSERT INTO protection_flags (id, citizen_id, kind, reason, set_by_staff_id, set_by_office_code, set_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(citizen)
        .bind(kind)
        .bind(reason)
        .bind(staff.id())
        .bind(office)
        .bind(Timestamp::now())
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(Some(id))
    }

    /// Lifts an active flag of the citizen of this case. `false` when there is no such flag.
    pub async fn lift_protection_flag(
        &self,
        staff: &Staff,
        office: &str,
        application: Id,
        flag: Id,
        reason: &str,
    ) -> Result<bool, DatabaseError> {
        let Some(citizen) = self.citizen_of_case(staff, office, application).await? else { return Ok(false) };
        let lifted = on_backend!(self.database, pool => sqlx::query(
            "UPDATE protection_flags SET lifted_at = $1, lifted_by_staff_id = $2, lift_reason = $3 \
             WHERE id = $4 AND citizen_id = $5 AND lifted_at IS NULL",
        )
        .bind(Timestamp::now())
        .bind(staff.id())
        .bind(reason)
        .bind(flag)
        .bind(citizen)
        .execute(pool)
        .await
        .map(|result| result.rows_affected()))?;
        Ok(lifted == 1)
    }
}
