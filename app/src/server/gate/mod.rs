//! The gate: the only code that reads citizen data for staff.
//!
//! In one transaction it loads the facts the decision needs, asks the pure policy function
//! (`crate::policy::decide`) category by category, reads only the allowed categories, appends
//! the access-log entry, and returns a view that holds those categories and nothing else. If
//! the log entry cannot be written, the transaction fails and nothing is returned. A denied
//! category is absent from the view, not marked; an application of another office, a consent to
//! another office, an emergency access of another office do not exist for the caller.
//!
//! Three ways in, one per basis of the rule: a case (the office's own application), data shared
//! by consent for a purpose, and a confirmed emergency access. The facts are read anew on every
//! call, so a revocation counts from the next request: nothing here caches.
//!
//! INVARIANT: SQL on citizen tables lives in this module only (and in the demo data and the
//! migrations); `tests/tests/no_bypass.rs` fails when it appears elsewhere.

mod consents;
mod emergency;
mod flags;
mod queue;

use std::collections::{BTreeMap, BTreeSet};

use sqlx::types::Json;

use crate::{
    case::{CaseView, SharedDataView},
    policy::{
        ApplicationFact, ApplicationState, Basis, Category, ConsentFact, Decision, EmergencyFact, Facts,
        ProtectionFact, Purpose, Reader, Retention, Seconds, decide,
    },
    server::{
        access_log::{LogBasis, LogKey, NewEntry, append_in},
        auth::{Citizen, Staff},
        db::{Database, DatabaseError, Id, Timestamp, on_backend},
    },
};

/// The limits the gate enforces on emergency access (settings).
#[derive(Clone, Copy, Debug)]
pub struct GateLimits {
    /// The longest an emergency access may run once confirmed.
    pub emergency_max_hours: i64,
    /// The latest a deferral may hold an emergency access back from the citizen, in days.
    pub deferral_max_days: i64,
}

impl Default for GateLimits {
    fn default() -> Self {
        Self { emergency_max_hours: 72, deferral_max_days: 90 }
    }
}

#[derive(Clone)]
pub struct Gate {
    database: Database,
    log_key: LogKey,
    limits: GateLimits,
}

/// Why the gate did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// Nothing of that name exists for the caller (whether it exists for others is not said).
    #[error("not found")]
    NotFound,
    /// An input does not fit; `message` says how to fix it.
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error(transparent)]
    Database(#[from] DatabaseError),
}

impl From<sqlx::Error> for GateError {
    fn from(error: sqlx::Error) -> Self {
        Self::Database(DatabaseError::from(error))
    }
}

impl GateError {
    fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid { field, message: message.into() }
    }
}

type ApplicationRow = (Id, String, Id, Option<Timestamp>);
type ConsentRow = (Id, String, String, Timestamp, Option<Timestamp>, Option<Timestamp>);
type EmergencyRow = (Id, Timestamp, Option<Timestamp>, Option<Timestamp>, Option<Timestamp>, Json<Vec<String>>);

fn seconds(timestamp: Timestamp) -> Seconds {
    timestamp.as_offset_date_time().unix_timestamp()
}

/// Loads, on `$connection` (inside the caller's transaction), everything the rule needs about
/// office `$office` and citizen `$citizen` at `$now`. Evaluates to `Result<Facts, sqlx::Error>`.
macro_rules! load_facts {
    ($connection:expr, $office:expr, $citizen:expr, $now:expr) => {
        async {
            let connection = $connection;
            let (office, citizen): (&str, Id) = ($office, $citizen);
            let applications: Vec<ApplicationRow> = sqlx::query_as(
                "SELECT id, status, template_version_id, closed_at FROM applications \
                 WHERE citizen_id = $1 AND office_code = $2",
            )
            .bind(citizen)
            .bind(office)
            .fetch_all(&mut *connection)
            .await?;
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
            Ok::<Facts, sqlx::Error>(facts(
                $now,
                office,
                citizen,
                &applications,
                &required,
                &consents,
                &emergencies,
                &flags,
                &retention_days,
            ))
        }
        .await
    };
}

/// Reads the citizen's data of the `allowed` categories on `$connection` and appends the log
/// entry for the read in the same transaction. Reads and logs nothing when nothing is allowed.
/// Evaluates to `Result<BTreeMap<String, serde_json::Value>, sqlx::Error>`.
macro_rules! read_and_log {
    ($connection:expr, $key:expr, $entry:expr) => {
        async {
            let connection = $connection;
            let entry: &NewEntry = $entry;
            let mut data = BTreeMap::new();
            if entry.categories.is_empty() {
                return Ok::<BTreeMap<String, serde_json::Value>, sqlx::Error>(data);
            }
            // One placeholder per allowed category: only those rows are read at all.
            let placeholders: Vec<String> =
                (2..entry.categories.len() + 2).map(|number| format!("${number}")).collect();
            let sql = format!(
                "SELECT category_code, data FROM citizen_data WHERE citizen_id = $1 AND category_code IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query_as::<_, (String, Json<serde_json::Value>)>(&sql).bind(entry.citizen);
            for category in &entry.categories {
                query = query.bind(category.code());
            }
            for (category, Json(value)) in query.fetch_all(&mut *connection).await? {
                data.insert(category, value);
            }
            // INVARIANT: the entry is written in this transaction; if it fails, so does the read.
            append_in!(&mut *connection, $key, entry)?;
            Ok(data)
        }
        .await
    };
}

/// The categories `reader` may read for `purpose`, each with its basis.
fn allowed(reader: &Reader, purpose: &Purpose, facts: &Facts) -> Vec<(Category, Basis)> {
    Category::ALL
        .into_iter()
        .filter_map(|category| match decide(reader, category, purpose, facts) {
            Decision::Allow(basis) => Some((category, basis)),
            Decision::Deny(_) => None,
        })
        .collect()
}

impl Gate {
    pub fn new(database: Database, log_key: LogKey, limits: GateLimits) -> Self {
        Self { database, log_key, limits }
    }

    fn is_caseworker_at(staff: &Staff, office: &str) -> bool {
        staff.caseworker_offices().any(|own| own == office)
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
        if !Self::is_caseworker_at(staff, office) {
            return Ok(None);
        }
        let key = &self.log_key;
        let view = on_backend!(self.database, pool => {
            let mut transaction = pool.begin().await?;
            let connection = &mut *transaction;
            let found: Option<(Id, String, String, String)> = sqlx::query_as(
                "SELECT citizen_id, reference, benefit_type_code, status FROM applications \
                 WHERE id = $1 AND office_code = $2 AND status <> 'draft'",
            )
            .bind(application)
            .bind(office)
            .fetch_optional(&mut *connection)
            .await?;
            let Some((citizen, reference, benefit_type, status)) = found else {
                return Ok(None);
            };
            let facts = load_facts!(&mut *connection, office, citizen, Timestamp::now())?;
            let reader = Reader::Caseworker { office: office.to_owned() };
            let purpose = Purpose::Application { application: application.to_string() };
            let entry = NewEntry {
                staff: staff.id(),
                office: office.to_owned(),
                citizen,
                categories: allowed(&reader, &purpose, &facts).into_iter().map(|(category, _)| category).collect(),
                purpose: format!("application {application}"),
                basis: LogBasis::Application,
                basis_ref: Some(application),
            };
            let data = read_and_log!(&mut *connection, key, &entry)?;
            transaction.commit().await?;
            Ok::<Option<CaseView>, sqlx::Error>(Some(CaseView {
                application: application.to_string(),
                reference,
                benefit_type,
                status,
                data,
            }))
        })?;
        Ok(view)
    }

    /// The data `citizen` shared with `office` by consent for `purpose`, read by `staff`, a
    /// caseworker there. `None` when no consent counts now (or a protection flag holds): the
    /// answer is then the same as for a citizen who does not exist.
    pub async fn consented_view(
        &self,
        staff: &Staff,
        office: &str,
        citizen: Id,
        purpose: &str,
    ) -> Result<Option<SharedDataView>, DatabaseError> {
        if !Self::is_caseworker_at(staff, office) {
            return Ok(None);
        }
        let key = &self.log_key;
        let view = on_backend!(self.database, pool => {
            let mut transaction = pool.begin().await?;
            let connection = &mut *transaction;
            let facts = load_facts!(&mut *connection, office, citizen, Timestamp::now())?;
            let reader = Reader::Caseworker { office: office.to_owned() };
            let allowed = allowed(&reader, &Purpose::Consented { purpose: purpose.to_owned() }, &facts);
            if allowed.is_empty() {
                return Ok(None);
            }
            let consents: BTreeSet<&str> = allowed
                .iter()
                .filter_map(|(_, basis)| match basis {
                    Basis::Consent { consent } => Some(consent.as_str()),
                    _ => None,
                })
                .collect();
            let entry = NewEntry {
                staff: staff.id(),
                office: office.to_owned(),
                citizen,
                categories: allowed.iter().map(|(category, _)| *category).collect(),
                purpose: purpose.to_owned(),
                basis: LogBasis::Consent,
                // The consent, when one consent covers the read; several are found by purpose.
                basis_ref: match consents.len() {
                    1 => consents.first().and_then(|id| Id::parse(id)),
                    _ => None,
                },
            };
            let data = read_and_log!(&mut *connection, key, &entry)?;
            transaction.commit().await?;
            Ok::<Option<SharedDataView>, sqlx::Error>(Some(SharedDataView {
                citizen: citizen.to_string(),
                purpose: purpose.to_owned(),
                data,
            }))
        })?;
        Ok(view)
    }

    /// The data a confirmed, running emergency access of `office` opens, read by `staff`, a
    /// caseworker there. `None` when it is not (or no longer) in force for this office.
    pub async fn emergency_view(
        &self,
        staff: &Staff,
        office: &str,
        emergency: Id,
    ) -> Result<Option<SharedDataView>, DatabaseError> {
        if !Self::is_caseworker_at(staff, office) {
            return Ok(None);
        }
        let key = &self.log_key;
        let view = on_backend!(self.database, pool => {
            let mut transaction = pool.begin().await?;
            let connection = &mut *transaction;
            let found: Option<(Id, String)> = sqlx::query_as(
                "SELECT citizen_id, reason FROM emergency_accesses WHERE id = $1 AND office_code = $2",
            )
            .bind(emergency)
            .bind(office)
            .fetch_optional(&mut *connection)
            .await?;
            let Some((citizen, reason)) = found else {
                return Ok(None);
            };
            let facts = load_facts!(&mut *connection, office, citizen, Timestamp::now())?;
            let reader = Reader::Caseworker { office: office.to_owned() };
            let allowed = allowed(&reader, &Purpose::Emergency { emergency: emergency.to_string() }, &facts);
            if allowed.is_empty() {
                return Ok(None);
            }
            let entry = NewEntry {
                staff: staff.id(),
                office: office.to_owned(),
                citizen,
                categories: allowed.iter().map(|(category, _)| *category).collect(),
                purpose: format!("emergency access {emergency}"),
                basis: LogBasis::Emergency,
                basis_ref: Some(emergency),
            };
            let data = read_and_log!(&mut *connection, key, &entry)?;
            transaction.commit().await?;
            Ok::<Option<SharedDataView>, sqlx::Error>(Some(SharedDataView { citizen: citizen.to_string(), purpose: reason, data }))
        })?;
        Ok(view)
    }

    /// Whether `citizen` may act for `person`: themselves, or a minor child in their custody.
    pub async fn acts_for(&self, citizen: &Citizen, person: Id) -> Result<bool, DatabaseError> {
        if citizen.id() == person {
            return Ok(true);
        }
        let adult_born_by = adult_born_by(Timestamp::now());
        let found: Option<i64> = on_backend!(self.database, pool => sqlx::query_scalar(
            "SELECT CAST(1 AS BIGINT) FROM guardianships g JOIN citizens c ON c.id = g.child_citizen_id \
             WHERE g.guardian_citizen_id = $1 AND g.child_citizen_id = $2 AND g.ended_on IS NULL \
             AND c.birth_date IS NOT NULL AND c.birth_date > $3",
        )
        .bind(citizen.id())
        .bind(person)
        .bind(&adult_born_by)
        .fetch_optional(pool)
        .await)?;
        Ok(found.is_some())
    }
}

/// The birth date (`YYYY-MM-DD`) of someone who turns 18 on the day of `now`: anyone born
/// after it is a minor.
fn adult_born_by(now: Timestamp) -> String {
    let date = now.as_offset_date_time().date();
    let year = date.year() - 18;
    // 29 February of a leap year becomes 28 February when the year 18 years back is not one.
    let day = date.replace_year(year).unwrap_or_else(|_| date.replace_day(28).unwrap_or(date));
    format!("{:04}-{:02}-{:02}", year, u8::from(day.month()), day.day())
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
            .map(|(id, status, version, closed_at)| ApplicationFact {
                id: id.to_string(),
                office: office.to_owned(),
                citizen: citizen_text.clone(),
                state: match status.as_str() {
                    "draft" => ApplicationState::Draft,
                    "closed" | "withdrawn" => {
                        ApplicationState::Closed { at: closed_at.map(seconds).unwrap_or(Seconds::MIN) }
                    }
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
