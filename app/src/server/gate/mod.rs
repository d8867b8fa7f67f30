//! The gate: the only code that reads citizen data for staff.
//!
//! In one transaction it loads the facts the decision needs, asks the pure policy function
//! (`crate::policy::decide`) category by category, reads only the allowed categories, appends
//! the access-log entry, and returns a view that holds those categories and nothing else. If
//! the log entry cannot be written, the transaction fails and nothing is returned. A denied
//! category is absent from the view, not marked; an application of another office does not
//! exist for the caller.
//!
//! INVARIANT: SQL on citizen tables lives in this module only (and in the demo data and the
//! migrations); `tests/tests/no_bypass.rs` fails when it appears elsewhere.

use std::collections::BTreeMap;

use sqlx::types::Json;

use crate::{
    case::{CaseView, ProtectionFlagView},
    policy::{
        ApplicationFact, ApplicationState, Category, ConsentFact, Decision, EmergencyFact, Facts, ProtectionFact,
        Purpose, Reader, Retention, Seconds, decide,
    },
    server::{
        access_log::{LogBasis, LogKey, NewEntry, append_in},
        auth::Staff,
        db::{Database, DatabaseError, Id, Timestamp, on_backend},
    },
};

#[derive(Clone)]
pub struct Gate {
    database: Database,
    log_key: LogKey,
}

type ApplicationRow = (Id, String, String, String, Id, Id, Option<Timestamp>);
type ConsentRow = (Id, String, String, Timestamp, Option<Timestamp>, Option<Timestamp>);
type EmergencyRow = (Id, Timestamp, Option<Timestamp>, Option<Timestamp>, Option<Timestamp>, Json<Vec<String>>);

fn seconds(timestamp: Timestamp) -> Seconds {
    timestamp.as_offset_date_time().unix_timestamp()
}

impl Gate {
    pub fn new(database: Database, log_key: LogKey) -> Self {
        Self { database, log_key }
    }

    /// Opens an application of `office` for `staff`, who must be a caseworker there. `None`
    /// when the application does not exist for this office (whether it exists elsewhere is not
    /// said).
    pub async fn case_view(
        &self,
        staff: &Staff,
        office: &str,
        application: Id,
    ) -> Result<Option<CaseView>, DatabaseError> {
        if !staff.caseworker_offices().any(|own| own == office) {
            return Ok(None);
        }
        let key = &self.log_key;
        let view = on_backend!(self.database, pool => {
            let mut transaction = pool.begin().await?;
            let connection = &mut *transaction;
            let citizen: Option<Id> = sqlx::query_scalar(
                "SELECT citizen_id FROM applications WHERE id = $1 AND office_code = $2 AND status <> 'draft'",
            )
            .bind(application)
            .bind(office)
            .fetch_optional(&mut *connection)
            .await?;
            let Some(citizen) = citizen else {
                return Ok(None);
            };

            // The facts about this office and this citizen, now.
            let now = Timestamp::now();
            let applications: Vec<ApplicationRow> = sqlx::query_as(
                "SELECT id, reference, benefit_type_code, status, citizen_id, template_version_id, closed_at \
                 FROM applications WHERE citizen_id = $1 AND office_code = $2",
            )
            .bind(citizen)
            .bind(office)
            .fetch_all(&mut *connection)
            .await?;
            let Some((id, reference, benefit_type, status, ..)) =
                applications.iter().find(|row| row.0 == application).cloned()
            else {
                return Ok(None);
            };
            let required: Vec<(Id, String)> = sqlx::query_as(
                "SELECT r.version_id, r.category_code FROM template_required_categories r \
                 WHERE r.version_id IN (SELECT template_version_id FROM applications WHERE citizen_id = $1 AND office_code = $2)",
            )
            .bind(citizen)
            .bind(office)
            .fetch_all(&mut *connection)
            .await?;
            let consents: Vec<ConsentRow> = sqlx::query_as(
                "SELECT id, category_code, purpose, granted_at, expires_at, revoked_at FROM consents \
                 WHERE citizen_id = $1 AND recipient_office_code = $2",
            )
            .bind(citizen)
            .bind(office)
            .fetch_all(&mut *connection)
            .await?;
            let emergencies: Vec<EmergencyRow> = sqlx::query_as(
                "SELECT id, opened_at, confirmed_at, expires_at, ended_at, categories FROM emergency_accesses \
                 WHERE citizen_id = $1 AND office_code = $2",
            )
            .bind(citizen)
            .bind(office)
            .fetch_all(&mut *connection)
            .await?;
            let flags: Vec<(Timestamp, Option<Timestamp>)> =
                sqlx::query_as("SELECT set_at, lifted_at FROM protection_flags WHERE citizen_id = $1")
                    .bind(citizen)
                    .fetch_all(&mut *connection)
                    .await?;
            let retention_days: Vec<(String, i64)> = sqlx::query_as("SELECT code, retention_days FROM data_categories")
                .fetch_all(&mut *connection)
                .await?;

            let facts = facts(now, office, citizen, &applications, &required, &consents, &emergencies, &flags, &retention_days);
            let reader = Reader::Caseworker { office: office.to_owned() };
            let purpose = Purpose::Application { application: id.to_string() };
            let allowed: Vec<Category> = Category::ALL
                .into_iter()
                .filter(|category| matches!(decide(&reader, *category, &purpose, &facts), Decision::Allow(_)))
                .collect();

            let mut data = BTreeMap::new();
            if !allowed.is_empty() {
                // One placeholder per allowed category: only those rows are read at all.
                let placeholders: Vec<String> = (2..allowed.len() + 2).map(|number| format!("${number}")).collect();
                let sql = format!(
                    "SELECT category_code, data FROM citizen_data WHERE citizen_id = $1 AND category_code IN ({})",
                    placeholders.join(", ")
                );
                let mut query = sqlx::query_as::<_, (String, Json<serde_json::Value>)>(&sql).bind(citizen);
                for category in &allowed {
                    query = query.bind(category.code());
                }
                for (category, Json(value)) in query.fetch_all(&mut *connection).await? {
                    data.insert(category, value);
                }
                let entry = NewEntry {
                    staff: staff.id(),
                    office: office.to_owned(),
                    citizen,
                    categories: allowed.clone(),
                    purpose: format!("application {id}"),
                    basis: LogBasis::Application,
                    basis_ref: Some(id),
                };
                // INVARIANT: the entry is written in this transaction; if it fails, so does the read.
                append_in!(&mut *connection, key, &entry)?;
            }
            transaction.commit().await?;
            Ok::<Option<CaseView>, sqlx::Error>(Some(CaseView { application: id.to_string(), reference, benefit_type, status, data }))
        })?;
        Ok(view)
    }
}

impl Gate {
    /// The citizen of an application of `office` that `staff` works on, if any (not drafts).
    async fn citizen_of_case(&self, staff: &Staff, office: &str, application: Id) -> Result<Option<Id>, DatabaseError> {
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
        let rows: Vec<(Id, String, String, Timestamp, String)> = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT id, kind, reason, set_at, set_by_office_code FROM protection_flags \
             WHERE citizen_id = $1 AND lifted_at IS NULL ORDER BY set_at",
        )
        .bind(citizen)
        .fetch_all(pool)
        .await)?;
        Ok(Some(
            rows.into_iter()
                .map(|(id, kind, reason, set_at, office)| ProtectionFlagView {
                    id: id.to_string(),
                    kind,
                    reason,
                    set_at: set_at.to_rfc3339(),
                    set_by_office: office,
                })
                .collect(),
        ))
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

#[expect(clippy::too_many_arguments, reason = "one argument per kind of fact the rule names")]
fn facts(
    now: Timestamp,
    office: &str,
    citizen: Id,
    applications: &[ApplicationRow],
    required: &[(Id, String)],
    consents: &[ConsentRow],
    emergencies: &[EmergencyRow],
    flags: &[(Timestamp, Option<Timestamp>)],
    retention_days: &[(String, i64)],
) -> Facts {
    let citizen_text = citizen.to_string();
    let mut retention = Retention([0; 10]);
    for (code, days) in retention_days {
        if let Some(category) = Category::from_code(code) {
            retention.0[category as usize] = days.saturating_mul(86_400);
        }
    }
    Facts {
        now: seconds(now),
        office: office.to_owned(),
        citizen: citizen_text.clone(),
        applications: applications
            .iter()
            .map(|(id, _, _, status, _, version, closed_at)| ApplicationFact {
                id: id.to_string(),
                office: office.to_owned(),
                citizen: citizen_text.clone(),
                state: match status.as_str() {
                    "draft" => ApplicationState::Draft,
                    "closed" => ApplicationState::Closed { at: closed_at.map(seconds).unwrap_or(Seconds::MIN) },
                    _ => ApplicationState::Open,
                },
                required: required
                    .iter()
                    .filter(|(required_version, _)| required_version == version)
                    .filter_map(|(_, code)| Category::from_code(code))
                    .collect(),
            })
            .collect(),
        consents: consents
            .iter()
            .filter_map(|(id, code, purpose, granted_at, expires_at, revoked_at)| {
                Some(ConsentFact {
                    id: id.to_string(),
                    office: office.to_owned(),
                    citizen: citizen_text.clone(),
                    category: Category::from_code(code)?,
                    purpose: purpose.clone(),
                    granted_at: seconds(*granted_at),
                    expires_at: expires_at.map(seconds),
                    revoked_at: revoked_at.map(seconds),
                })
            })
            .collect(),
        emergencies: emergencies
            .iter()
            .map(|(id, opened_at, confirmed_at, expires_at, ended_at, Json(categories))| EmergencyFact {
                id: id.to_string(),
                office: office.to_owned(),
                citizen: citizen_text.clone(),
                opened_at: seconds(*opened_at),
                confirmed_at: confirmed_at.map(seconds),
                expires_at: expires_at.map(seconds),
                ended_at: ended_at.map(seconds),
                categories: categories.iter().filter_map(|code| Category::from_code(code)).collect(),
            })
            .collect(),
        protection_flags: flags
            .iter()
            .map(|(set_at, lifted_at)| ProtectionFact {
                citizen: citizen_text.clone(),
                set_at: seconds(*set_at),
                lifted_at: lifted_at.map(seconds),
            })
            .collect(),
        retention,
    }
}
