//! Reading protection flags (Auskunftssperre, Schutzvermerk); staff of the citizen's own cases
//! set and lift them (`casework::flags`). While one holds, only the offices' own applications
//! are a basis.
//!
//! A flag belongs to the office that set it: only its staff see it, its reason and lift it.
//! For staff of any other office it does not exist (another office's flag tells of another
//! office's case). The data protection officer sees every flag without its reason; the citizen
//! sees that they are protected, by which office and since when.

use super::{Gate, queue::readable_application};
use crate::{
    case::{FlagReviewItem, ProtectionFlagView},
    consent::Protection,
    server::{
        auth::{CaseAccess, DataProtectionOfficer},
        db::{CitizenId, DatabaseError, FlagId, Records, Tables, Timestamp, on_backend},
    },
};

/// The active protection flags office `$2` set on citizen `$1`, oldest first.
const OWN_ACTIVE_FLAGS: &str = "SELECT id, kind, reason, set_at, set_by_office_code FROM protection_flags \
     WHERE citizen_id = $1 AND set_by_office_code = $2 AND lifted_at IS NULL ORDER BY set_at, id";

/// A row of `OWN_ACTIVE_FLAGS`.
pub(super) type FlagRow = (FlagId, String, String, Timestamp, String);

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

/// The citizen of the application of `case`, if any: not a draft, and with something left to
/// read (a case past every retention answers like an unknown one).
pub(in crate::server) async fn citizen_of_case(database: &Tables<Records>, case: &CaseAccess) -> Result<Option<CitizenId>, DatabaseError> {
    let (office, application) = (case.office(), case.application());
    let now = Timestamp::now().as_offset_date_time().unix_timestamp();
    let sql = format!("SELECT a.citizen_id FROM applications a WHERE a.id = $3 AND {}", readable_application(database));
    let citizen: Option<CitizenId> = on_backend!(database, pool => sqlx::query_scalar(&sql)
        .bind(office)
        .bind(now)
        .bind(application)
        .fetch_optional(pool)
        .await)?;
    Ok(citizen)
}

impl Gate {
    /// The active protection flags the office of this case set on its citizen, for its staff.
    pub async fn protection_flags(&self, case: &CaseAccess) -> Result<Option<Vec<ProtectionFlagView>>, DatabaseError> {
        let Some(citizen) = citizen_of_case(&self.database, case).await? else { return Ok(None) };
        let office = case.office();
        let rows: Vec<FlagRow> = on_backend!(self.database, pool => sqlx::query_as(OWN_ACTIVE_FLAGS)
            .bind(citizen)
            .bind(office)
            .fetch_all(pool)
            .await)?;
        Ok(Some(flag_views(rows)))
    }
}

/// The protection flags that hold for citizen `$1` now, oldest first: office and since when.
pub(in crate::server) const PROTECTIONS: &str = "SELECT set_by_office_code, set_at FROM protection_flags \
     WHERE citizen_id = $1 AND lifted_at IS NULL ORDER BY set_at, id";

/// A row of `PROTECTIONS`, as the person sees it.
pub(in crate::server) fn protection((office, since): (String, Timestamp)) -> Protection {
    Protection { office, since: since.to_rfc3339() }
}

impl Gate {
    /// Every protection flag, newest first, for the data protection officer's review: kind,
    /// whose, which office, when set and lifted; not the reason.
    pub async fn flag_review(&self, _officer: &DataProtectionOfficer) -> Result<Vec<FlagReviewItem>, DatabaseError> {
        let rows: Vec<(String, CitizenId, String, Timestamp, Option<Timestamp>)> = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT kind, citizen_id, set_by_office_code, set_at, lifted_at FROM protection_flags \
             ORDER BY set_at DESC, id LIMIT 1000",
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(kind, citizen, office, set_at, lifted_at)| FlagReviewItem {
                kind,
                citizen: citizen.to_string(),
                office,
                set_at: set_at.to_rfc3339(),
                lifted_at: lifted_at.map(Timestamp::to_rfc3339),
            })
            .collect())
    }
}
