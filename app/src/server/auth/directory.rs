//! Finds the people behind a sign-in: citizens (created on their first sign-in) and staff
//! (only those an administrator created, matched on the provider's subject or verified e-mail).

use crate::{
    auth::{DemoKind, DemoPerson},
    localized::Localized,
    office::OfficeCode,
    server::db::{AccountId, CitizenId, Database, DatabaseError, Office, StaffId, Tables, Timestamp, on_backend},
};

use super::{
    oidc::VerifiedIdentity,
    principal::{Citizen, Principal, PrincipalKind, Staff, StaffRole},
};

/// Why a person who proved who they are still may not sign in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInRefusal {
    /// Nobody with this subject or verified e-mail is a staff member.
    UnknownStaff,
    /// The staff member has been deactivated.
    DeactivatedStaff,
}

/// The subject prefix of the demo people (development mode only).
const DEMO_SUBJECT_PREFIX: &str = "demo-";

#[derive(Clone)]
pub struct Directory {
    database: Tables<Office>,
}

type StaffRow = (StaffId, String, Option<String>, bool);
/// A role row: role, office code, office name in German and English.
type RoleRow = (String, Option<String>, Option<String>, Option<String>);

/// A session record's times: created, last seen, ended.
pub(super) type SessionTimes = (Timestamp, Timestamp, Option<Timestamp>);

/// A session record's times with its citizen's id, given and family name; the citizen's
/// columns are empty when they no longer exist.
type SessionCitizenRow = (Timestamp, Timestamp, Option<Timestamp>, Option<CitizenId>, Option<String>, Option<String>);

/// A session record's times with its staff member's id, name and one of their roles (role,
/// office code, office names); the person's columns are empty when they may no longer act.
type SessionStaffRow = (
    Timestamp,
    Timestamp,
    Option<Timestamp>,
    Option<StaffId>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The roles a staff member's role rows name (rows of unknown roles are skipped).
fn roles_from(rows: Vec<RoleRow>) -> Vec<StaffRole> {
    rows.into_iter()
        .filter_map(|(role, office_code, name_de, name_en)| match role.as_str() {
            "caseworker" => Some(StaffRole::Caseworker {
                office_code: OfficeCode::new(office_code?),
                office_name: Localized::new(name_de.unwrap_or_default(), name_en.unwrap_or_default()),
            }),
            "data_protection_officer" => Some(StaffRole::DataProtectionOfficer),
            "administrator" => Some(StaffRole::Administrator),
            _ => None,
        })
        .collect()
}

impl Directory {
    pub fn new(database: Database) -> Self {
        Self { database: database.office() }
    }

    /// The citizen with this subject, created on their first sign-in.
    pub(super) async fn citizen_signing_in(&self, identity: &VerifiedIdentity) -> Result<Citizen, DatabaseError> {
        let (given_name, family_name) = identity.names();
        let inserted = on_backend!(self.database, pool => sqlx::query(
            "INSERT INTO citizens (id, oidc_subject, given_name, family_name, birth_date, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (oidc_subject) DO NOTHING",
        )
        .bind(CitizenId::new())
        .bind(&identity.subject)
        .bind(&given_name)
        .bind(&family_name)
        .bind(identity.birth_date.as_deref())
        .bind(Timestamp::now())
        .execute(pool)
        .await
        .map(|_| ()));
        inserted?;
        let (id, given_name, family_name): (CitizenId, String, String) = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT id, given_name, family_name FROM citizens WHERE oidc_subject = $1",
        )
        .bind(&identity.subject)
        .fetch_one(pool)
        .await)?;
        Ok(Citizen::new(id, display_name(&given_name, &family_name)))
    }

    /// The staff member this identity belongs to: by subject, else by verified e-mail (which
    /// then binds the subject, so the next sign-in matches on it).
    pub(super) async fn staff_signing_in(
        &self,
        identity: &VerifiedIdentity,
    ) -> Result<Result<Staff, SignInRefusal>, DatabaseError> {
        let by_subject: Option<StaffRow> = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT id, display_name, oidc_subject, active FROM staff_members WHERE oidc_subject = $1",
        )
        .bind(&identity.subject)
        .fetch_optional(pool)
        .await)?;
        let row = match by_subject {
            Some(row) => row,
            None => {
                let Some(email) = identity.verified_email() else { return Ok(Err(SignInRefusal::UnknownStaff)) };
                let by_email: Option<StaffRow> = on_backend!(self.database, pool => sqlx::query_as(
                    "SELECT id, display_name, oidc_subject, active FROM staff_members WHERE lower(email) = lower($1)",
                )
                .bind(email)
                .fetch_optional(pool)
                .await)?;
                match by_email {
                    // INVARIANT: an e-mail address matches only a staff member not yet bound to
                    // another subject, so a reused address cannot take over an account.
                    Some((id, name, None, active)) => {
                        on_backend!(self.database, pool => sqlx::query(
                            "UPDATE staff_members SET oidc_subject = $1 WHERE id = $2 AND oidc_subject IS NULL",
                        )
                        .bind(&identity.subject)
                        .bind(id)
                        .execute(pool)
                        .await
                        .map(|_| ()))?;
                        (id, name, Some(identity.subject.clone()), active)
                    }
                    _ => return Ok(Err(SignInRefusal::UnknownStaff)),
                }
            }
        };
        let (id, display_name, _, active) = row;
        if !active {
            return Ok(Err(SignInRefusal::DeactivatedStaff));
        }
        Ok(Ok(Staff::new(id, display_name, self.roles_of(id).await?)))
    }

    /// The times of session record `record` (created, last seen, ended) with principal `id` of
    /// `kind`, who is `None` when they no longer exist or may no longer act; `None` without the
    /// record. One query: this runs on every request of a signed-in person.
    pub(super) async fn load_for_session(
        &self,
        kind: PrincipalKind,
        id: AccountId,
        record: &str,
    ) -> Result<Option<(SessionTimes, Option<Principal>)>, DatabaseError> {
        match kind {
            PrincipalKind::Citizen => {
                let row: Option<SessionCitizenRow> =
                    on_backend!(self.database, pool => sqlx::query_as(
                        "SELECT r.created_at, r.last_seen_at, r.ended_at, c.id, c.given_name, c.family_name FROM session_records r \
                         LEFT JOIN citizens c ON c.id = $2 WHERE r.session_id = $1",
                    )
                    .bind(record)
                    .bind(id)
                    .fetch_optional(pool)
                    .await)?;
                Ok(row.map(|(created, last_seen, ended, id, given, family)| {
                    let citizen = id.zip(given).zip(family).map(|((id, given), family)| {
                        Principal::Citizen(Citizen::new(id, display_name(&given, &family)))
                    });
                    ((created, last_seen, ended), citizen)
                }))
            }
            PrincipalKind::Staff => {
                // The record, the person and their roles: a row per role, one without roles.
                let rows: Vec<SessionStaffRow> =
                    on_backend!(self.database, pool => sqlx::query_as(
                        "SELECT r.created_at, r.last_seen_at, r.ended_at, s.id, s.display_name, sr.role, sr.office_code, o.name_de, o.name_en \
                         FROM session_records r LEFT JOIN staff_members s ON s.id = $2 AND s.active = TRUE \
                         LEFT JOIN staff_roles sr ON sr.staff_id = s.id LEFT JOIN offices o ON o.code = sr.office_code \
                         WHERE r.session_id = $1 ORDER BY sr.role, sr.office_code",
                    )
                    .bind(record)
                    .bind(id)
                    .fetch_all(pool)
                    .await)?;
                let Some((created, last_seen, ended, id, name, ..)) = rows.first().cloned() else { return Ok(None) };
                let staff = id.zip(name).map(|(id, name)| {
                    let roles = rows
                        .into_iter()
                        .filter_map(|(.., role, office_code, name_de, name_en)| Some((role?, office_code, name_de, name_en)))
                        .collect();
                    Principal::Staff(Staff::new(id, name, roles_from(roles)))
                });
                Ok(Some(((created, last_seen, ended), staff)))
            }
        }
    }

    async fn roles_of(&self, staff: StaffId) -> Result<Vec<StaffRole>, DatabaseError> {
        let rows: Vec<RoleRow> = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT r.role, r.office_code, o.name_de, o.name_en FROM staff_roles r \
             LEFT JOIN offices o ON o.code = r.office_code \
             WHERE r.staff_id = $1 ORDER BY r.role, r.office_code",
        )
        .bind(staff)
        .fetch_all(pool)
        .await)?;
        Ok(roles_from(rows))
    }

    /// The demo people one can sign in as: citizens and active staff whose subject marks them
    /// as demo data.
    pub async fn demo_people(&self) -> Result<Vec<DemoPerson>, DatabaseError> {
        let pattern = format!("{DEMO_SUBJECT_PREFIX}%");
        let citizens: Vec<(CitizenId, String, String)> = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT id, given_name, family_name FROM citizens WHERE oidc_subject LIKE $1 ORDER BY family_name, given_name",
        )
        .bind(&pattern)
        .fetch_all(pool)
        .await)?;
        let mut people: Vec<DemoPerson> = citizens
            .into_iter()
            .map(|(id, given, family)| DemoPerson {
                id: id.to_string(),
                display_name: display_name(&given, &family),
                kind: DemoKind::Citizen,
                offices: Localized::default(),
            })
            .collect();

        let staff: Vec<(StaffId, String)> = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT id, display_name FROM staff_members WHERE oidc_subject LIKE $1 AND active = TRUE ORDER BY display_name",
        )
        .bind(&pattern)
        .fetch_all(pool)
        .await)?;
        for (id, name) in staff {
            let roles = self.roles_of(id).await?;
            // The offices' names in the reader's language, comma-separated.
            let offices = |german: bool| {
                roles
                    .iter()
                    .filter_map(|role| match role {
                        StaffRole::Caseworker { office_name, .. } => Some(office_name.pick(german)),
                        _ => None,
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let kind = if roles.iter().any(|role| matches!(role, StaffRole::Caseworker { .. })) {
                DemoKind::Caseworker
            } else if roles.contains(&StaffRole::DataProtectionOfficer) {
                DemoKind::DataProtectionOfficer
            } else {
                DemoKind::Administrator
            };
            people.push(DemoPerson {
                id: id.to_string(),
                display_name: name,
                kind,
                offices: Localized::new(offices(true), offices(false)),
            });
        }
        Ok(people)
    }

    /// A demo person by id: a principal only for people of the demo data (staff: still active).
    pub(super) async fn demo_principal(&self, id: AccountId) -> Result<Option<Principal>, DatabaseError> {
        let pattern = format!("{DEMO_SUBJECT_PREFIX}%");
        let citizen: Option<(CitizenId, String, String)> = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT id, given_name, family_name FROM citizens WHERE id = $1 AND oidc_subject LIKE $2",
        )
        .bind(id)
        .bind(&pattern)
        .fetch_optional(pool)
        .await)?;
        if let Some((id, given, family)) = citizen {
            return Ok(Some(Principal::Citizen(Citizen::new(id, display_name(&given, &family)))));
        }
        let staff: Option<(StaffId, String)> = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT id, display_name FROM staff_members WHERE id = $1 AND oidc_subject LIKE $2 AND active = TRUE",
        )
        .bind(id)
        .bind(&pattern)
        .fetch_optional(pool)
        .await)?;
        match staff {
            Some((id, name)) => Ok(Some(Principal::Staff(Staff::new(id, name, self.roles_of(id).await?)))),
            None => Ok(None),
        }
    }
}

fn display_name(given: &str, family: &str) -> String {
    format!("{given} {family}").trim().to_owned()
}
