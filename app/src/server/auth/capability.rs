//! What the signed-in person may act on, resolved once for a request by the guard.
//!
//! Each value is a proof: fields are private, and only the `auth` module constructs one (the
//! guard, after checking it against the session and the database). A service that takes a
//! [`CaseAccess`] cannot be called for an application the caseworker's office does not hold,
//! one that takes an [`ActingFor`] not for a person the citizen may not act for, and neither
//! needs to check a role again.

use super::principal::{Citizen, Staff};
use crate::{
    office::OfficeCode,
    server::db::{ApplicationId, CitizenId, EmergencyId, StaffId},
};

/// A staff member with at least one caseworker role.
#[derive(Clone, Debug)]
pub struct Caseworker {
    staff: Staff,
}

/// A caseworker working for one of their offices.
#[derive(Clone, Debug)]
pub struct CaseworkerAt {
    caseworker: Caseworker,
    office: OfficeCode,
}

/// A caseworker's access to one application: the office holding it is one of theirs.
#[derive(Clone, Debug)]
pub struct CaseAccess {
    at: CaseworkerAt,
    application: ApplicationId,
}

/// A caseworker's hold on one emergency access of one of their offices.
#[derive(Clone, Debug)]
pub struct OfficeEmergency {
    at: CaseworkerAt,
    emergency: EmergencyId,
}

/// A citizen acting for a person: themselves, or a minor child in their custody.
#[derive(Clone, Debug)]
pub struct ActingFor {
    citizen: Citizen,
    person: CitizenId,
}

/// A staff member with the administrator's role (who, by that, reads no citizen data).
#[derive(Clone, Debug)]
pub struct Administrator {
    staff: Staff,
}

/// A staff member with the data protection officer's role.
#[derive(Clone, Debug)]
pub struct DataProtectionOfficer {
    staff: Staff,
}

/// An administrator or the data protection officer: who may read the administration's own
/// records (its audit, the retention runs).
#[derive(Clone, Debug)]
pub struct Overseer {
    staff: Staff,
}

impl Caseworker {
    pub(super) fn of(staff: Staff) -> Option<Self> {
        let works_for_an_office = staff.caseworker_offices().next().is_some();
        works_for_an_office.then_some(Self { staff })
    }

    pub fn id(&self) -> StaffId {
        self.staff.id()
    }

    /// The offices this person works for, in the order of their roles.
    pub fn offices(&self) -> impl Iterator<Item = &OfficeCode> {
        self.staff.caseworker_offices()
    }

    /// This caseworker at `office`, when it is one of theirs.
    pub fn at(&self, office: &str) -> Option<CaseworkerAt> {
        let office = self.offices().find(|own| own.as_str() == office)?;
        Some(CaseworkerAt { caseworker: self.clone(), office: office.clone() })
    }

    /// This caseworker at the office they name, or at their first when they name none.
    pub fn at_named_or_first(&self, office: Option<&str>) -> Option<CaseworkerAt> {
        match office.map(str::trim).filter(|office| !office.is_empty()) {
            Some(named) => self.at(named),
            None => self.offices().next().and_then(|first| self.at(first.as_str())),
        }
    }

    /// This caseworker at each of their offices.
    pub fn at_each(&self) -> Vec<CaseworkerAt> {
        self.offices().filter_map(|office| self.at(office.as_str())).collect()
    }
}

impl CaseworkerAt {
    pub fn caseworker(&self) -> &Caseworker {
        &self.caseworker
    }

    /// The caseworker's id.
    pub fn staff(&self) -> StaffId {
        self.caseworker.id()
    }

    pub fn office(&self) -> &OfficeCode {
        &self.office
    }

    /// The access to `application`, which the guard found held by this office.
    pub(super) fn to_case(&self, application: ApplicationId) -> CaseAccess {
        CaseAccess { at: self.clone(), application }
    }

    /// The hold on `emergency`, which the guard found held by this office.
    pub(super) fn to_emergency(&self, emergency: EmergencyId) -> OfficeEmergency {
        OfficeEmergency { at: self.clone(), emergency }
    }
}

impl CaseAccess {
    /// The access of a caseworker made without a session, for the gate benchmark only.
    #[cfg(feature = "bench")]
    pub fn for_benchmark(staff: StaffId, office: &str, application: ApplicationId) -> Self {
        let staff = Staff::caseworker_for_benchmark(staff, office);
        let at = CaseworkerAt { caseworker: Caseworker { staff }, office: OfficeCode::new(office) };
        Self { at, application }
    }

    /// The caseworker's id.
    pub fn staff(&self) -> StaffId {
        self.at.staff()
    }

    pub fn office(&self) -> &OfficeCode {
        &self.at.office
    }

    pub fn application(&self) -> ApplicationId {
        self.application
    }
}

impl OfficeEmergency {
    /// The caseworker's id.
    pub fn staff(&self) -> StaffId {
        self.at.staff()
    }

    pub fn office(&self) -> &OfficeCode {
        &self.at.office
    }

    pub fn emergency(&self) -> EmergencyId {
        self.emergency
    }
}

impl ActingFor {
    /// The citizen acting for themselves.
    pub(super) fn themselves(citizen: Citizen) -> Self {
        let person = citizen.id();
        Self { citizen, person }
    }

    /// The citizen acting for `person`, whom the guard found in their custody.
    pub(super) fn for_child(citizen: Citizen, person: CitizenId) -> Self {
        Self { citizen, person }
    }

    pub fn citizen(&self) -> &Citizen {
        &self.citizen
    }

    /// The person acted for.
    pub fn person(&self) -> CitizenId {
        self.person
    }

    /// Whether the citizen acts for themselves.
    pub fn is_self(&self) -> bool {
        self.person == self.citizen.id()
    }
}

impl Administrator {
    pub(super) fn of(staff: Staff) -> Option<Self> {
        staff.is_administrator().then_some(Self { staff })
    }

    pub fn id(&self) -> StaffId {
        self.staff.id()
    }

    pub fn staff(&self) -> &Staff {
        &self.staff
    }

    /// The administrator as one of the two who read the administration's own records.
    pub fn overseer(&self) -> Overseer {
        Overseer { staff: self.staff.clone() }
    }
}

impl DataProtectionOfficer {
    pub(super) fn of(staff: Staff) -> Option<Self> {
        staff.is_data_protection_officer().then_some(Self { staff })
    }

    pub fn id(&self) -> StaffId {
        self.staff.id()
    }

    pub fn staff(&self) -> &Staff {
        &self.staff
    }
}

impl Overseer {
    pub(super) fn of(staff: Staff) -> Option<Self> {
        (staff.is_administrator() || staff.is_data_protection_officer()).then_some(Self { staff })
    }

    pub fn id(&self) -> StaffId {
        self.staff.id()
    }
}
