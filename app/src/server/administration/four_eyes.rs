//! Four eyes: a role that reads citizen data and an office's new kind wait until a second
//! administrator confirms what the first asked for (`set_roles`, `create_staff`, `save_office`
//! ask). Who asked may withdraw it, never confirm it; both steps are in the audit.

use super::{Administration, Audit, ServiceError, invalid};
use crate::{
    admin::{PendingChange, RoleAssignment},
    server::{
        auth::Administrator,
        db::{BeginWrite, DatabaseError, PendingChangeId, StaffId, Timestamp, on_backend},
    },
};

/// A waiting change with the names the page shows: id, kind, staff member (id, name), role,
/// office, its kind now, the kind asked for, who asked (id, name), when.
type PendingRow = (
    PendingChangeId,
    String,
    Option<StaffId>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    StaffId,
    String,
    Timestamp,
);

/// A waiting change as it is carried out: kind, staff member, role, office, new kind, who asked.
type ChangeRow = (String, Option<StaffId>, Option<String>, Option<String>, Option<String>, StaffId);

const PENDING: &str = "SELECT p.id, p.kind, p.staff_id, s.display_name, p.role, p.office_code, o.kind, p.new_kind, \
     p.requested_by, r.display_name, p.requested_at FROM pending_admin_changes p \
     JOIN staff_members r ON r.id = p.requested_by LEFT JOIN staff_members s ON s.id = p.staff_id \
     LEFT JOIN offices o ON o.code = p.office_code WHERE p.decided_at IS NULL ORDER BY p.requested_at, p.id";

/// How a waiting change is decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// By a second administrator: it takes effect now.
    Confirm,
    /// By any administrator, the one who asked included: it never takes effect.
    Reject,
}

impl Administration {
    /// The changes waiting for a second administrator, oldest first.
    pub async fn pending_changes(&self, admin: &Administrator) -> Result<Vec<PendingChange>, DatabaseError> {
        let rows: Vec<PendingRow> = on_backend!(self.database, pool => sqlx::query_as(PENDING).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|(id, kind, staff, staff_name, role, office, old_kind, new_kind, requested_by, requester, at)| {
                let grant = kind == "grant_role";
                PendingChange {
                    id: id.to_string(),
                    staff: staff.map(|staff| staff.to_string()),
                    staff_name,
                    role: role.filter(|_| grant).map(|role| RoleAssignment { role, office: office.clone() }),
                    office: office.filter(|_| !grant),
                    old_kind: old_kind.filter(|_| !grant),
                    new_kind,
                    kind,
                    requested_by: requester,
                    requested_at: at.to_rfc3339(),
                    requested_by_me: requested_by == admin.id(),
                }
            })
            .collect())
    }

    /// Confirms or rejects waiting change `change`. A confirmation by the administrator who
    /// asked for it is refused; so is a grant to someone who meanwhile administers, or who is no
    /// longer active. `NotFound` when nothing waits under that id.
    pub async fn decide_change(
        &self,
        admin: &Administrator,
        change: PendingChangeId,
        decision: Decision,
    ) -> Result<(), ServiceError> {
        let now = Timestamp::now();
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let found: Option<ChangeRow> = sqlx::query_as(
                "SELECT kind, staff_id, role, office_code, new_kind, requested_by FROM pending_admin_changes \
                 WHERE id = $1 AND decided_at IS NULL",
            )
            .bind(change)
            .fetch_optional(&mut *transaction)
            .await?;
            let Some((kind, staff, role, office, new_kind, requested_by)) = found else { return Err(ServiceError::NotFound) };
            if decision == Decision::Confirm {
                if requested_by == admin.id() {
                    return Err(invalid("change", "a second administrator must confirm what you asked for"));
                }
                match (kind.as_str(), staff, role, &office, &new_kind) {
                    ("grant_role", Some(staff), Some(role), _, _) => {
                        // Whether the person is still active, and whether they administer now.
                        let found: Option<(bool, bool)> = sqlx::query_as(
                            "SELECT s.active, EXISTS (SELECT 1 FROM staff_roles r WHERE r.staff_id = s.id AND r.role = 'administrator') \
                             FROM staff_members s WHERE s.id = $1",
                        )
                        .bind(staff)
                        .fetch_optional(&mut *transaction)
                        .await?;
                        let Some((true, administers)) = found else {
                            return Err(invalid("change", "this person is no longer active; reject the change"));
                        };
                        if administers {
                            return Err(invalid(
                                "change",
                                "this person administers now: administration and reading citizen data never sit on one account",
                            ));
                        }
                        let role = RoleAssignment { role, office: office.clone() };
                        insert_role!(transaction, staff, &role);
                        let detail = serde_json::json!({ "change": change.to_string(), "role": role });
                        audit_in!(transaction, Audit { by: admin.id(), action: "role_confirmed", target_kind: "staff", target: staff.to_string(), detail })?;
                    }
                    ("office_kind", _, _, Some(office), Some(new_kind)) => {
                        let changed = sqlx::query("UPDATE offices SET kind = $2 WHERE code = $1")
                            .bind(office)
                            .bind(new_kind)
                            .execute(&mut *transaction)
                            .await?
                            .rows_affected();
                        if changed != 1 {
                            return Err(ServiceError::NotFound);
                        }
                        let detail = serde_json::json!({ "change": change.to_string(), "kind": new_kind });
                        audit_in!(transaction, Audit { by: admin.id(), action: "office_kind_confirmed", target_kind: "office", target: office.clone(), detail })?;
                    }
                    // The table's checks make every other row impossible; one that slipped
                    // through is never carried out.
                    _ => return Err(ServiceError::NotFound),
                }
            } else {
                let target = staff.map(|staff| staff.to_string()).or(office).unwrap_or_default();
                let target_kind = if kind == "grant_role" { "staff" } else { "office" };
                let detail = serde_json::json!({ "change": change.to_string(), "kind": kind });
                audit_in!(transaction, Audit { by: admin.id(), action: "change_rejected", target_kind, target, detail })?;
            }
            let outcome = match decision {
                Decision::Confirm => "confirmed",
                Decision::Reject if requested_by == admin.id() => "withdrawn",
                Decision::Reject => "rejected",
            };
            sqlx::query("UPDATE pending_admin_changes SET decided_by = $2, decided_at = $3, outcome = $4 WHERE id = $1")
                .bind(change)
                .bind(admin.id())
                .bind(now)
                .bind(outcome)
                .execute(&mut *transaction)
                .await?;
            transaction.commit().await?;
            Ok::<(), ServiceError>(())
        })
    }
}
