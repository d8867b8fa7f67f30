//! What a caseworker does with the cases of their office: the actions on an application
//! (`actions`), protection flags (`flags`), and the emergency access's life: opening,
//! confirming by a second caseworker, deferring its notice, ending (`emergency`).
//!
//! Every entry point takes what the guard minted for a caseworker of the office that holds the
//! record (`CaseAccess`, `OfficeEmergency`), and answers only whether it was done: what staff
//! read of a citizen comes from the gate, which decides and logs each read.

mod actions;
mod emergency;
mod flags;

pub use actions::CaseAction;

use crate::server::db::{Database, Records, Tables};

/// The limits on emergency access (settings).
#[derive(Clone, Copy, Debug)]
pub struct EmergencyLimits {
    /// The longest an emergency access may run once confirmed.
    pub emergency_max_hours: i64,
    /// The latest a deferral may hold an emergency access back from the citizen, in days.
    pub deferral_max_days: i64,
}

impl Default for EmergencyLimits {
    fn default() -> Self {
        Self { emergency_max_hours: 72, deferral_max_days: 90 }
    }
}

/// Casework's key to the citizens' records ([`Tables<Records>`]): only this module can make one.
pub(in crate::server) struct Keeper(());

/// The caseworker's actions.
#[derive(Clone)]
pub struct Casework {
    database: Tables<Records>,
    limits: EmergencyLimits,
}

impl Casework {
    pub fn new(database: Database, limits: EmergencyLimits) -> Self {
        Self { database: database.records(Keeper(())), limits }
    }

    /// The limits on emergency access (settings).
    pub fn limits(&self) -> EmergencyLimits {
        self.limits
    }
}
