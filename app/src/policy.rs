//! The rule the server enforces (DESIGN.md, "The rule the server enforces"), as a pure
//! function: facts in, a decision with its basis or its reason out. No I/O, no clock of its own,
//! no allocation. Default deny; a protection flag overrides every basis but the office's own
//! application; a fact that does not fit (another office, another citizen, times out of order)
//! is an error, and an error denies.
//!
//! It compiles for the browser too, so the citizen's preview ("what this office sees") follows
//! the very same rule.

use serde::{Deserialize, Serialize};

use crate::office::OfficeCode;

/// Unix time in seconds.
pub type Seconds = i64;

/// The data categories of DESIGN.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[repr(usize)]
pub enum Category {
    Identity,
    Contact,
    Household,
    IncomeAssets,
    Housing,
    BenefitsReceived,
    HealthDisability,
    ChildrenUpbringing,
    BankAccount,
    Documents,
}

impl Category {
    pub const ALL: [Category; 10] = [
        Self::Identity,
        Self::Contact,
        Self::Household,
        Self::IncomeAssets,
        Self::Housing,
        Self::BenefitsReceived,
        Self::HealthDisability,
        Self::ChildrenUpbringing,
        Self::BankAccount,
        Self::Documents,
    ];

    /// The code in `data_categories.code`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Contact => "contact",
            Self::Household => "household",
            Self::IncomeAssets => "income_assets",
            Self::Housing => "housing",
            Self::BenefitsReceived => "benefits_received",
            Self::HealthDisability => "health_disability",
            Self::ChildrenUpbringing => "children_upbringing",
            Self::BankAccount => "bank_account",
            Self::Documents => "documents",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|category| category.code() == code)
    }
}

/// Who wants to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reader {
    /// A caseworker acting for one of their offices.
    Caseworker {
        office: OfficeCode,
    },
    DataProtectionOfficer,
    Administrator,
    /// A citizen, with the minor children they act for.
    Citizen {
        citizen: String,
        minor_children: Vec<String>,
    },
}

/// What the reading is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Processing this application.
    Application { application: String },
    /// The purpose a consent names.
    Consented { purpose: String },
    /// This emergency access (§ 8a SGB VIII).
    Emergency { emergency: String },
    /// A citizen looking at their own (or their minor child's) data.
    OwnData,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplicationState {
    /// Not submitted: the office does not see it.
    Draft,
    Open,
    /// Closed, withdrawn or decided and closed at this time; readable within retention.
    Closed {
        at: Seconds,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationFact {
    pub id: String,
    pub office: OfficeCode,
    pub citizen: String,
    pub state: ApplicationState,
    /// The categories its template version requires by law.
    pub required: Vec<Category>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentFact {
    pub id: String,
    pub office: OfficeCode,
    pub citizen: String,
    pub category: Category,
    pub purpose: String,
    pub granted_at: Seconds,
    pub expires_at: Option<Seconds>,
    pub revoked_at: Option<Seconds>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmergencyFact {
    pub id: String,
    pub office: OfficeCode,
    pub citizen: String,
    pub opened_at: Seconds,
    /// When a second staff member of the office confirmed it; pending until then.
    pub confirmed_at: Option<Seconds>,
    pub expires_at: Option<Seconds>,
    pub ended_at: Option<Seconds>,
    pub categories: Vec<Category>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtectionFact {
    pub citizen: String,
    pub set_at: Seconds,
    pub lifted_at: Option<Seconds>,
}

/// Everything the decision needs about one office and one citizen, at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facts {
    pub now: Seconds,
    pub office: OfficeCode,
    pub citizen: String,
    pub applications: Vec<ApplicationFact>,
    pub consents: Vec<ConsentFact>,
    pub emergencies: Vec<EmergencyFact>,
    pub protection_flags: Vec<ProtectionFact>,
    /// How long each category stays readable after its application closed.
    pub retention: Retention,
}

/// Retention periods by category, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention(pub [Seconds; 10]);

impl Retention {
    pub fn of(&self, category: Category) -> Seconds {
        // INVARIANT: `Category` has exactly ten variants numbered 0 to 9, one per slot.
        self.0[category as usize]
    }
}

/// Why a read is allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Basis {
    Application { application: String },
    Consent { consent: String },
    Emergency { emergency: String },
    OwnData,
    MinorChild,
}

/// Why a read is denied (for the log; the reader is never told).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denial {
    /// Nothing permits it.
    NoBasis,
    /// A consent or emergency access would permit it, but a protection flag forbids it.
    ProtectionFlag,
    /// Administrators and data protection officers read no citizen data.
    RoleReadsNoCitizenData,
    /// The facts do not fit together; an error denies.
    InconsistentFacts(&'static str),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow(Basis),
    Deny(Denial),
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Self::Allow(_))
    }
}

/// May `reader` read `category` of the citizen `facts` are about, for `purpose`, now?
pub fn decide(reader: &Reader, category: Category, purpose: &Purpose, facts: &Facts) -> Decision {
    match reader {
        Reader::DataProtectionOfficer | Reader::Administrator => Decision::Deny(Denial::RoleReadsNoCitizenData),
        Reader::Citizen { citizen, minor_children } => {
            if *purpose != Purpose::OwnData {
                Decision::Deny(Denial::NoBasis)
            } else if *citizen == facts.citizen {
                Decision::Allow(Basis::OwnData)
            } else if minor_children.contains(&facts.citizen) {
                Decision::Allow(Basis::MinorChild)
            } else {
                Decision::Deny(Denial::NoBasis)
            }
        }
        Reader::Caseworker { office } => {
            if let Err(problem) = check(office, facts) {
                return Decision::Deny(Denial::InconsistentFacts(problem));
            }
            decide_for_office(category, purpose, facts)
        }
    }
}

fn decide_for_office(category: Category, purpose: &Purpose, facts: &Facts) -> Decision {
    let now = facts.now;
    match purpose {
        Purpose::Application { application } => {
            let permitted = facts.applications.iter().any(|candidate| {
                candidate.id == *application
                    && candidate.required.contains(&category)
                    && match candidate.state {
                        ApplicationState::Draft => false,
                        ApplicationState::Open => true,
                        ApplicationState::Closed { at } => now <= at.saturating_add(facts.retention.of(category)),
                    }
            });
            // The office's own application: a protection flag does not block it.
            if permitted {
                Decision::Allow(Basis::Application { application: application.clone() })
            } else {
                Decision::Deny(Denial::NoBasis)
            }
        }
        Purpose::Consented { purpose } => {
            let consent = facts.consents.iter().find(|consent| {
                consent.category == category
                    && consent.purpose == *purpose
                    && consent.granted_at <= now
                    && consent.revoked_at.is_none_or(|revoked| now < revoked)
                    && consent.expires_at.is_none_or(|expires| now < expires)
            });
            match consent {
                None => Decision::Deny(Denial::NoBasis),
                Some(_) if protected(facts) => Decision::Deny(Denial::ProtectionFlag),
                Some(consent) => Decision::Allow(Basis::Consent { consent: consent.id.clone() }),
            }
        }
        Purpose::Emergency { emergency } => {
            let active = facts.emergencies.iter().any(|candidate| {
                candidate.id == *emergency
                    && candidate.categories.contains(&category)
                    && candidate.confirmed_at.is_some_and(|confirmed| confirmed <= now)
                    && candidate.expires_at.is_some_and(|expires| now < expires)
                    && candidate.ended_at.is_none_or(|ended| now < ended)
            });
            match active {
                false => Decision::Deny(Denial::NoBasis),
                true if protected(facts) => Decision::Deny(Denial::ProtectionFlag),
                true => Decision::Allow(Basis::Emergency { emergency: emergency.clone() }),
            }
        }
        Purpose::OwnData => Decision::Deny(Denial::NoBasis),
    }
}

fn protected(facts: &Facts) -> bool {
    facts
        .protection_flags
        .iter()
        .any(|flag| flag.set_at <= facts.now && flag.lifted_at.is_none_or(|lifted| facts.now < lifted))
}

/// Every fact must be about this office and this citizen, with its times in order.
fn check(office: &OfficeCode, facts: &Facts) -> Result<(), &'static str> {
    if facts.office != *office {
        return Err("the facts are about another office");
    }
    let ours = |fact_office: &OfficeCode, fact_citizen: &str| *fact_office == facts.office && fact_citizen == facts.citizen;
    if !facts.applications.iter().all(|application| ours(&application.office, &application.citizen)) {
        return Err("an application of another office or citizen");
    }
    if !facts.consents.iter().all(|consent| ours(&consent.office, &consent.citizen)) {
        return Err("a consent to another office or of another citizen");
    }
    if !facts.consents.iter().all(|consent| {
        consent.expires_at.is_none_or(|expires| consent.granted_at <= expires)
            && consent.revoked_at.is_none_or(|revoked| consent.granted_at <= revoked)
    }) {
        return Err("a consent that ends before it was granted");
    }
    if !facts.emergencies.iter().all(|emergency| ours(&emergency.office, &emergency.citizen)) {
        return Err("an emergency access of another office or citizen");
    }
    if !facts.emergencies.iter().all(|emergency| {
        emergency.confirmed_at.is_none_or(|confirmed| emergency.opened_at <= confirmed)
            && (emergency.confirmed_at.is_some() || emergency.expires_at.is_none())
    }) {
        return Err("an emergency access confirmed before it was opened, or running unconfirmed");
    }
    if !facts.protection_flags.iter().all(|flag| flag.citizen == facts.citizen) {
        return Err("a protection flag of another citizen");
    }
    if facts.retention.0.iter().any(|seconds| *seconds < 0) {
        return Err("a negative retention period");
    }
    Ok(())
}
