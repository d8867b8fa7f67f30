//! Administration: offices, staff and their roles, data categories. It reads and writes only
//! reference data and counts, never a citizen's data, and the gate gives administrators no
//! basis to read any. Every change is written to `admin_audit_log` in the transaction that makes
//! it; administrators and the data protection officer read that audit. Consent templates are
//! edited and published in `templates`, benefit types and their forms in `benefits`; feedback on
//! barriers is kept and read in `feedback`.

use std::collections::BTreeSet;

use sqlx::types::Json;

use crate::{
    admin::{AdminOverview, AuditEntry, CategoryView, OFFICE_KINDS, OfficeView, PortalCounts, ROLES, RoleAssignment, StaffMemberView},
    localized::Localized,
    office::OfficeCode,
    server::{
        auth::{Administrator, Overseer},
        db::{BeginWrite, Database, DatabaseError, Office, PendingChangeId, StaffId, Tables, Timestamp, on_backend},
        error::{ServiceError, invalid},
    },
};

/// A name or text of `field`: trimmed, between `min` and `max` characters.
pub fn text(field: &'static str, value: &str, min: usize, max: usize) -> Result<String, ServiceError> {
    let value = value.trim();
    let length = value.chars().count();
    if length < min || length > max {
        return Err(invalid(field, format!("write between {min} and {max} characters")));
    }
    Ok(value.to_owned())
}

/// A code: lower-case letters, digits and `_`, starting with a letter, 2 to 40 characters.
pub fn code(field: &'static str, value: &str) -> Result<String, ServiceError> {
    let value = value.trim();
    if !crate::office::is_code(value) {
        return Err(invalid(field, CODE_FIX));
    }
    Ok(value.to_owned())
}

/// An office's code, of the same form as every code.
pub fn office_code(field: &'static str, value: &str) -> Result<OfficeCode, ServiceError> {
    OfficeCode::parse(value.trim()).ok_or_else(|| invalid(field, CODE_FIX))
}

/// How to write a code that does not fit.
const CODE_FIX: &str = "use 2 to 40 lower-case letters, digits or _, starting with a letter";

/// An e-mail address as the provider verifies it: one `@` with something on either side, and a
/// dot in the domain. Stored in lower case.
pub fn email(value: &str) -> Result<String, ServiceError> {
    let value = value.trim().to_lowercase();
    let fits = value.len() <= 254
        && !value.chars().any(char::is_whitespace)
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !domain.contains('@')
        });
    if !fits {
        return Err(invalid("email", "give the work e-mail address, for example name@amt.example"));
    }
    Ok(value)
}

/// Roles from the form (`caseworker:<office>`, `data_protection_officer`, `administrator`).
pub fn roles(values: &[String]) -> Result<BTreeSet<RoleAssignment>, ServiceError> {
    values
        .iter()
        .map(|value| value.trim())
        .filter(|value| !value.is_empty())
        .map(|value| {
            let (role, office) = match value.split_once(':') {
                Some((role, office)) => (role, Some(office.to_owned())),
                None => (value, None),
            };
            let fits = ROLES.contains(&role) && ((role == "caseworker") == office.is_some());
            if !fits {
                return Err(invalid("roles", "choose roles from the list"));
            }
            Ok(RoleAssignment { role: role.to_owned(), office })
        })
        .collect::<Result<BTreeSet<_>, _>>()
        .and_then(|roles| {
            let administers = roles.iter().any(|role| role.role == "administrator");
            if administers && roles.iter().any(RoleAssignment::reads_citizen_data) {
                return Err(invalid(
                    "roles",
                    "administration and reading citizen data never sit on one account: give the person a second account for one of them",
                ));
            }
            Ok(roles)
        })
}

/// One audit line: who, what, on what, and the change itself.
struct Audit<'a> {
    by: StaffId,
    action: &'a str,
    target_kind: &'a str,
    target: String,
    detail: serde_json::Value,
}

/// Writes `$audit` on `$connection`, inside the caller's transaction.
macro_rules! audit_in {
    ($connection:expr, $audit:expr) => {{
        let audit: Audit<'_> = $audit;
        sqlx::query(
            "INSERT INTO admin_audit_log (id, occurred_at, staff_id, action, target_kind, target_id, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind($crate::server::db::AuditEntryId::new())
        .bind($crate::server::db::Timestamp::now())
        .bind(audit.by)
        .bind(audit.action)
        .bind(audit.target_kind)
        .bind(&audit.target)
        .bind(sqlx::types::Json(&audit.detail))
        .execute(&mut *$connection)
        .await
    }};
}

/// Refuses, from the caller, role `$role` whose office (a caseworker's) does not exist.
macro_rules! insert_role_office_exists {
    ($connection:expr, $role:expr) => {{
        let role: &RoleAssignment = $role;
        let office_exists = match &role.office {
            Some(office) => sqlx::query_scalar::<_, String>("SELECT code FROM offices WHERE code = $1")
                .bind(office)
                .fetch_optional(&mut *$connection)
                .await?
                .is_some(),
            None => true,
        };
        if !office_exists {
            return Err(invalid("roles", "choose an office from the list"));
        }
    }};
}

/// Gives staff member `$staff` the role `$role` on `$connection`, inside the caller's
/// transaction; a caseworker's office must exist.
macro_rules! insert_role {
    ($connection:expr, $staff:expr, $role:expr) => {{
        let role: &RoleAssignment = $role;
        insert_role_office_exists!($connection, role);
        sqlx::query("INSERT INTO staff_roles (staff_id, office_code, role) VALUES ($1, $2, $3)")
            .bind($staff)
            .bind(role.office.as_deref())
            .bind(&role.role)
            .execute(&mut *$connection)
            .await?;
    }};
}

/// Asks, on `$connection` inside the caller's transaction, that staff member `$staff` be given
/// `$role` (one that reads citizen data) once a second administrator confirms; audited as asked
/// by `$admin`. A grant already waiting is not asked twice.
macro_rules! request_grant_in {
    ($connection:expr, $admin:expr, $staff:expr, $role:expr) => {{
        let (admin, staff, role): (StaffId, StaffId, &RoleAssignment) = ($admin, $staff, $role);
        let waiting: Option<PendingChangeId> = sqlx::query_scalar(
            "SELECT id FROM pending_admin_changes WHERE kind = 'grant_role' AND staff_id = $1 AND role = $2 \
             AND COALESCE(office_code, '') = COALESCE($3, '') AND decided_at IS NULL",
        )
        .bind(staff)
        .bind(&role.role)
        .bind(role.office.as_deref())
        .fetch_optional(&mut *$connection)
        .await?;
        if waiting.is_none() {
            let change = PendingChangeId::new();
            sqlx::query(
                "INSERT INTO pending_admin_changes (id, kind, staff_id, role, office_code, requested_by, requested_at) \
                 VALUES ($1, 'grant_role', $2, $3, $4, $5, $6)",
            )
            .bind(change)
            .bind(staff)
            .bind(&role.role)
            .bind(role.office.as_deref())
            .bind(admin)
            .bind(Timestamp::now())
            .execute(&mut *$connection)
            .await?;
            let detail = serde_json::json!({ "change": change.to_string(), "role": role });
            audit_in!($connection, Audit { by: admin, action: "role_requested", target_kind: "staff", target: staff.to_string(), detail })?;
        }
    }};
}


/// What an office is to be.
#[derive(Clone, Debug)]
pub struct OfficeInput {
    pub code: OfficeCode,
    pub name_de: String,
    pub name_en: String,
    pub kind: String,
    pub active: bool,
}

#[derive(Clone)]
pub struct Administration {
    database: Tables<Office>,
}

type StaffRow = (StaffId, String, String, Option<String>, bool);

impl Administration {
    pub fn new(database: Database) -> Self {
        Self { database: database.office() }
    }

    /// Offices, staff with roles, categories and counts, for an administrator.
    pub async fn overview(&self, admin: &Administrator) -> Result<AdminOverview, DatabaseError> {
        type Loaded = (
            Vec<(String, String, String, String, bool, i64)>,
            Vec<StaffRow>,
            Vec<(StaffId, String, Option<String>)>,
            Vec<(String, String, String, String, String, bool, i64)>,
            i64,
            Vec<(String, String, i64)>,
        );
        let (offices, staff, roles, categories, citizens, applications): Loaded = on_backend!(self.database, pool => {
            let mut connection = pool.acquire().await?;
            let offices = sqlx::query_as(
                "SELECT o.code, o.name_de, o.name_en, o.kind, o.active, (SELECT COUNT(*) FROM staff_roles r \
                 JOIN staff_members s ON s.id = r.staff_id WHERE r.office_code = o.code AND r.role = 'caseworker' \
                 AND s.active = TRUE) FROM offices o ORDER BY o.code",
            )
            .fetch_all(&mut *connection)
            .await?;
            let staff = sqlx::query_as(
                "SELECT id, display_name, email, oidc_subject, active FROM staff_members ORDER BY active DESC, display_name, id",
            )
            .fetch_all(&mut *connection)
            .await?;
            let roles = sqlx::query_as("SELECT staff_id, role, office_code FROM staff_roles ORDER BY role, office_code")
                .fetch_all(&mut *connection)
                .await?;
            let categories = sqlx::query_as(
                "SELECT code, name_de, name_en, description_de, description_en, special_category, retention_days \
                 FROM data_categories ORDER BY sort_order",
            )
            .fetch_all(&mut *connection)
            .await?;
            let citizens = sqlx::query_scalar("SELECT COUNT(*) FROM citizens").fetch_one(&mut *connection).await?;
            // The queue's own counts: by office and status, never by person.
            let applications = sqlx::query_as(
                "SELECT office_code, status, CAST(SUM(count) AS BIGINT) FROM queue_counts GROUP BY office_code, status \
                 HAVING SUM(count) > 0 ORDER BY office_code, status",
            )
            .fetch_all(&mut *connection)
            .await?;
            Ok::<Loaded, sqlx::Error>((offices, staff, roles, categories, citizens, applications))
        })?;
        Ok(AdminOverview {
            offices: offices
                .into_iter()
                .map(|(code, name_de, name_en, kind, active, caseworkers)| OfficeView {
                    code,
                    name: Localized::new(name_de, name_en),
                    kind,
                    active,
                    caseworkers,
                })
                .collect(),
            staff: staff
                .into_iter()
                .map(|(id, display_name, email, subject, active)| StaffMemberView {
                    roles: roles
                        .iter()
                        .filter(|(staff, ..)| *staff == id)
                        .map(|(_, role, office)| RoleAssignment { role: role.clone(), office: office.clone() })
                        .collect(),
                    id: id.to_string(),
                    display_name,
                    email,
                    subject,
                    active,
                })
                .collect(),
            categories: categories
                .into_iter()
                .map(|(code, name_de, name_en, description_de, description_en, special_category, retention_days)| {
                    CategoryView {
                        code,
                        name: Localized::new(name_de, name_en),
                        description: Localized::new(description_de, description_en),
                        special_category,
                        retention_days,
                    }
                })
                .collect(),
            counts: PortalCounts { citizens, applications },
            pending: self.pending_changes(admin).await?,
            audit: self.audit(&admin.overseer(), 50).await?,
            retention_runs: Vec::new(),
            feedback: self.feedback(admin, 50).await?,
        })
    }

    /// Creates the office `input.code`, or changes it when it exists.
    pub async fn save_office(&self, admin: &Administrator, input: OfficeInput) -> Result<(), ServiceError> {
        if !OFFICE_KINDS.contains(&input.kind.as_str()) {
            return Err(invalid("kind", "choose the kind of office from the list"));
        }
        let OfficeInput { code, name_de, name_en, kind, active } = input;
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let before: Option<(String, String, String, bool)> =
                sqlx::query_as("SELECT name_de, name_en, kind, active FROM offices WHERE code = $1")
                    .bind(&code)
                    .fetch_optional(&mut *transaction)
                    .await?;
            let action = if let Some((_, _, kind_now, _)) = &before {
                // The kind decides what the office's staff may do (a youth office opens
                // emergency accesses): a new kind waits for a second administrator.
                sqlx::query("UPDATE offices SET name_de = $2, name_en = $3, active = $4 WHERE code = $1")
                    .bind(&code)
                    .bind(&name_de)
                    .bind(&name_en)
                    .bind(active)
                    .execute(&mut *transaction)
                    .await?;
                if *kind_now != kind {
                    sqlx::query(
                        "UPDATE pending_admin_changes SET decided_by = $2, decided_at = $3, outcome = 'withdrawn' \
                         WHERE kind = 'office_kind' AND office_code = $1 AND decided_at IS NULL",
                    )
                    .bind(&code)
                    .bind(admin.id())
                    .bind(Timestamp::now())
                    .execute(&mut *transaction)
                    .await?;
                    let change = PendingChangeId::new();
                    sqlx::query(
                        "INSERT INTO pending_admin_changes (id, kind, office_code, new_kind, requested_by, requested_at) \
                         VALUES ($1, 'office_kind', $2, $3, $4, $5)",
                    )
                    .bind(change)
                    .bind(&code)
                    .bind(&kind)
                    .bind(admin.id())
                    .bind(Timestamp::now())
                    .execute(&mut *transaction)
                    .await?;
                    let detail = serde_json::json!({ "change": change.to_string(), "before": kind_now, "after": kind });
                    audit_in!(transaction, Audit { by: admin.id(), action: "office_kind_requested", target_kind: "office", target: code.to_string(), detail })?;
                }
                "office_changed"
            } else {
                sqlx::query("INSERT INTO offices (code, name_de, name_en, kind, active, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(&code)
                    .bind(&name_de)
                    .bind(&name_en)
                    .bind(&kind)
                    .bind(active)
                    .bind(Timestamp::now())
                    .execute(&mut *transaction)
                    .await?;
                "office_created"
            };
            // The kind after this change: the one it had, when a new one waits for confirmation.
            let kind_after = before.as_ref().map_or(&kind, |(_, _, kind_now, _)| kind_now).clone();
            let detail = serde_json::json!({
                "before": before.map(|(name_de, name_en, kind, active)| {
                    serde_json::json!({ "name_de": name_de, "name_en": name_en, "kind": kind, "active": active })
                }),
                "after": { "name_de": name_de, "name_en": name_en, "kind": kind_after, "active": active },
            });
            audit_in!(transaction, Audit { by: admin.id(), action, target_kind: "office", target: code.to_string(), detail })?;
            transaction.commit().await?;
            Ok::<(), ServiceError>(())
        })
    }

    /// Creates a staff member with roles; they can sign in once the provider confirms the
    /// e-mail address (or the subject, when given). Returns the new id.
    pub async fn create_staff(
        &self,
        admin: &Administrator,
        display_name: String,
        email: String,
        subject: Option<String>,
        roles: BTreeSet<RoleAssignment>,
    ) -> Result<StaffId, ServiceError> {
        let id = StaffId::new();
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            // Two accounts are two people: the unique indexes on the address (in any case) and
            // on the subject refuse a second account, and the refusal names the field.
            sqlx::query(
                "INSERT INTO staff_members (id, display_name, email, oidc_subject, active, created_at) VALUES ($1, $2, $3, $4, TRUE, $5)",
            )
            .bind(id)
            .bind(&display_name)
            .bind(&email)
            .bind(subject.as_deref())
            .bind(Timestamp::now())
            .execute(&mut *transaction)
            .await
            ?;
            let (asked, now): (Vec<&RoleAssignment>, Vec<&RoleAssignment>) =
                roles.iter().partition(|role| role.reads_citizen_data());
            for role in &now {
                insert_role!(transaction, id, *role);
            }
            let detail = serde_json::json!({ "display_name": display_name, "email": email, "subject": subject, "roles": now });
            audit_in!(transaction, Audit { by: admin.id(), action: "staff_created", target_kind: "staff", target: id.to_string(), detail })?;
            for role in asked {
                insert_role_office_exists!(transaction, role);
                request_grant_in!(transaction, admin.id(), id, role);
            }
            transaction.commit().await?;
            Ok::<(), ServiceError>(())
        })?;
        Ok(id)
    }

    /// Gives `staff` exactly `roles`: roles taken away and the administrator role at once; a
    /// role that reads citizen data once a second administrator confirms it (asked for here,
    /// see `confirm_change`). Nobody changes their own roles: another administrator must.
    /// Grants still waiting that `roles` no longer names are withdrawn.
    pub async fn set_roles(&self, admin: &Administrator, staff: StaffId, roles: BTreeSet<RoleAssignment>) -> Result<(), ServiceError> {
        if staff == admin.id() {
            return Err(invalid("roles", "nobody changes their own roles; ask another administrator"));
        }
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let exists: Option<bool> = sqlx::query_scalar("SELECT active FROM staff_members WHERE id = $1")
                .bind(staff)
                .fetch_optional(&mut *transaction)
                .await?;
            if exists.is_none() {
                return Err(ServiceError::NotFound);
            }
            let before: Vec<(String, Option<String>)> =
                sqlx::query_as("SELECT role, office_code FROM staff_roles WHERE staff_id = $1 ORDER BY role, office_code")
                    .bind(staff)
                    .fetch_all(&mut *transaction)
                    .await?;
            let before: Vec<RoleAssignment> =
                before.into_iter().map(|(role, office)| RoleAssignment { role, office }).collect();
            // Kept: what is asked and held already. Asked for: a reading role not held yet.
            let (asked, now): (Vec<&RoleAssignment>, Vec<&RoleAssignment>) =
                roles.iter().partition(|role| role.reads_citizen_data() && !before.contains(role));
            sqlx::query("DELETE FROM staff_roles WHERE staff_id = $1").bind(staff).execute(&mut *transaction).await?;
            for role in &now {
                insert_role!(transaction, staff, *role);
            }
            let waiting: Vec<(PendingChangeId, String, Option<String>)> = sqlx::query_as(
                "SELECT id, role, office_code FROM pending_admin_changes WHERE kind = 'grant_role' AND staff_id = $1 AND decided_at IS NULL",
            )
            .bind(staff)
            .fetch_all(&mut *transaction)
            .await?;
            for (change, role, office) in waiting {
                if !asked.contains(&&RoleAssignment { role, office }) {
                    sqlx::query(
                        "UPDATE pending_admin_changes SET decided_by = $2, decided_at = $3, outcome = 'withdrawn' WHERE id = $1",
                    )
                    .bind(change)
                    .bind(admin.id())
                    .bind(Timestamp::now())
                    .execute(&mut *transaction)
                    .await?;
                }
            }
            let detail = serde_json::json!({ "before": before, "after": now });
            audit_in!(transaction, Audit { by: admin.id(), action: "roles_set", target_kind: "staff", target: staff.to_string(), detail })?;
            for role in asked {
                insert_role_office_exists!(transaction, role);
                request_grant_in!(transaction, admin.id(), staff, role);
            }
            transaction.commit().await?;
            Ok::<(), ServiceError>(())
        })
    }

    /// Deactivates `staff`: they cannot sign in again, and every session of theirs ends now.
    pub async fn deactivate_staff(&self, admin: &Administrator, staff: StaffId) -> Result<u64, ServiceError> {
        if staff == admin.id() {
            return Err(invalid("staff", "you cannot deactivate yourself; ask another administrator"));
        }
        let now = Timestamp::now();
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let changed = sqlx::query("UPDATE staff_members SET active = FALSE, deactivated_at = $2 WHERE id = $1 AND active = TRUE")
                .bind(staff)
                .bind(now)
                .execute(&mut *transaction)
                .await?
                .rows_affected();
            if changed == 0 {
                return Err(ServiceError::NotFound);
            }
            let ended = sqlx::query(
                "UPDATE session_records SET ended_at = $2 WHERE principal_kind = 'staff' AND principal_id = $1 AND ended_at IS NULL",
            )
            .bind(staff)
            .bind(now)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
            let detail = serde_json::json!({ "sessions_ended": ended });
            audit_in!(transaction, Audit { by: admin.id(), action: "staff_deactivated", target_kind: "staff", target: staff.to_string(), detail })?;
            transaction.commit().await?;
            Ok::<u64, ServiceError>(ended)
        })
    }

    /// Changes a data category's names, descriptions, special-category flag and retention;
    /// its code is fixed (forms and the rule name it).
    pub async fn save_category(&self, admin: &Administrator, input: CategoryView) -> Result<(), ServiceError> {
        if !(1..=36_500).contains(&input.retention_days) {
            return Err(invalid("retention_days", "give the retention in whole days, from 1 to 36,500"));
        }
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let before: Option<(String, String, String, String, bool, i64)> = sqlx::query_as(
                "SELECT name_de, name_en, description_de, description_en, special_category, retention_days FROM data_categories WHERE code = $1",
            )
            .bind(&input.code)
            .fetch_optional(&mut *transaction)
            .await?;
            let Some(before) = before else { return Err(ServiceError::NotFound) };
            sqlx::query(
                "UPDATE data_categories SET name_de = $2, name_en = $3, description_de = $4, description_en = $5, \
                 special_category = $6, retention_days = $7 WHERE code = $1",
            )
            .bind(&input.code)
            .bind(&input.name.de)
            .bind(&input.name.en)
            .bind(&input.description.de)
            .bind(&input.description.en)
            .bind(input.special_category)
            .bind(input.retention_days)
            .execute(&mut *transaction)
            .await?;
            let detail = serde_json::json!({
                "before": { "name_de": before.0, "name_en": before.1, "description_de": before.2, "description_en": before.3,
                    "special_category": before.4, "retention_days": before.5 },
                "after": { "name_de": input.name.de, "name_en": input.name.en, "description_de": input.description.de,
                    "description_en": input.description.en, "special_category": input.special_category,
                    "retention_days": input.retention_days },
            });
            audit_in!(transaction, Audit { by: admin.id(), action: "category_changed", target_kind: "category", target: input.code.clone(), detail })?;
            transaction.commit().await?;
            Ok::<(), ServiceError>(())
        })
    }

    /// The audit of administration, newest first, for administrators and the data protection
    /// officer.
    pub async fn audit(&self, _reader: &Overseer, limit: i64) -> Result<Vec<AuditEntry>, DatabaseError> {
        let rows: Vec<(Timestamp, String, String, String, String, Json<serde_json::Value>)> = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT a.occurred_at, s.display_name, a.action, a.target_kind, a.target_id, a.detail FROM admin_audit_log a \
             JOIN staff_members s ON s.id = a.staff_id ORDER BY a.occurred_at DESC, a.id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(at, by, action, target_kind, target, Json(detail))| AuditEntry {
                at: at.to_rfc3339(),
                by,
                action,
                target_kind,
                target,
                detail: detail.to_string(),
            })
            .collect())
    }
}

// After the macros above, which they use.
mod benefits;
mod feedback;
mod four_eyes;
mod templates;

pub use benefits::{BenefitInput, Placement, QuestionInput, choice_options};
pub use feedback::FeedbackInput;
pub use four_eyes::Decision as ChangeDecision;
