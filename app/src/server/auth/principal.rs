//! The signed-in person. Fields are private and there is no public constructor: a principal
//! comes only from the session code (`sessions`) after the directory has found the person.

use crate::{
    auth::{Me, MeKind, RoleView},
    localized::Localized,
    office::OfficeCode,
    server::db::{AccountId, CitizenId, StaffId},
};

/// A citizen, signed in through the citizens' provider (or the demo sign-in).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Citizen {
    id: CitizenId,
    display_name: String,
}

/// A staff member who exists because an administrator created them, and is active.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Staff {
    id: StaffId,
    display_name: String,
    roles: Vec<StaffRole>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StaffRole {
    Caseworker { office_code: OfficeCode, office_name: Localized },
    DataProtectionOfficer,
    Administrator,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    Citizen(Citizen),
    Staff(Staff),
}

impl Citizen {
    pub(super) fn new(id: CitizenId, display_name: String) -> Self {
        Self { id, display_name }
    }

    pub fn id(&self) -> CitizenId {
        self.id
    }

    pub fn display_name(&self) -> &str {
        &self.display_name
    }
}

impl Staff {
    /// A staff member with `roles`. Administration and reading citizen data never sit on one
    /// account: the administration refuses such roles, and should the database hold them all
    /// the same (set by hand), the account only administers.
    pub(super) fn new(id: StaffId, display_name: String, mut roles: Vec<StaffRole>) -> Self {
        if roles.contains(&StaffRole::Administrator) {
            roles.retain(|role| *role == StaffRole::Administrator);
        }
        Self { id, display_name, roles }
    }

    /// A caseworker of `office` made without a session, for the gate benchmark only.
    #[cfg(feature = "bench")]
    pub fn caseworker_for_benchmark(id: StaffId, office: &str) -> Self {
        let role = StaffRole::Caseworker {
            office_code: OfficeCode::new(office),
            office_name: Localized::new(office, office),
        };
        Self::new(id, "Benchmark".to_owned(), vec![role])
    }

    pub fn id(&self) -> StaffId {
        self.id
    }

    pub fn display_name(&self) -> &str {
        &self.display_name
    }

    pub fn roles(&self) -> &[StaffRole] {
        &self.roles
    }

    pub fn is_administrator(&self) -> bool {
        self.roles.contains(&StaffRole::Administrator)
    }

    pub fn is_data_protection_officer(&self) -> bool {
        self.roles.contains(&StaffRole::DataProtectionOfficer)
    }

    /// The offices this person works for as a caseworker.
    pub fn caseworker_offices(&self) -> impl Iterator<Item = &OfficeCode> {
        self.roles.iter().filter_map(|role| match role {
            StaffRole::Caseworker { office_code, .. } => Some(office_code),
            _ => None,
        })
    }
}

impl Principal {
    /// The person's id, as a session names them (beside [`Self::kind`]).
    pub fn id(&self) -> AccountId {
        match self {
            Self::Citizen(citizen) => citizen.id.into(),
            Self::Staff(staff) => staff.id.into(),
        }
    }

    pub fn kind(&self) -> PrincipalKind {
        match self {
            Self::Citizen(_) => PrincipalKind::Citizen,
            Self::Staff(_) => PrincipalKind::Staff,
        }
    }

    /// What the browser may know about this person.
    pub fn me(&self) -> Me {
        match self {
            Self::Citizen(citizen) => Me { display_name: citizen.display_name.clone(), kind: MeKind::Citizen, log_behind: None },
            Self::Staff(staff) => Me {
                display_name: staff.display_name.clone(),
                kind: MeKind::Staff {
                    roles: staff
                        .roles
                        .iter()
                        .map(|role| match role {
                            StaffRole::Caseworker { office_code, office_name } => RoleView::Caseworker {
                                office_code: office_code.to_string(),
                                office_name: office_name.clone(),
                            },
                            StaffRole::DataProtectionOfficer => RoleView::DataProtectionOfficer,
                            StaffRole::Administrator => RoleView::Administrator,
                        })
                        .collect(),
                },
                log_behind: None,
            },
        }
    }
}

/// Which entrance a person uses; stored with each session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrincipalKind {
    Citizen,
    Staff,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Citizen => "citizen",
            Self::Staff => "staff",
        }
    }
}
