//! The policy function against DESIGN.md's rule: rows written by hand, each naming who reads,
//! what, for which purpose, with which facts, and the decision DESIGN.md asks for.

use app::policy::{
    ApplicationFact, ApplicationState, Basis, Category, ConsentFact, Decision, Denial, EmergencyFact, Facts,
    ProtectionFact, Purpose, Reader, Retention, decide,
};

const NOW: i64 = 1_800_000_000;
const DAY: i64 = 86_400;
const CITIZEN: &str = "vater";

/// Facts about the father at the youth office, with nothing in them yet.
fn youth_office() -> Facts {
    Facts {
        now: NOW,
        office: "jugendamt".into(),
        citizen: CITIZEN.into(),
        applications: vec![],
        consents: vec![],
        emergencies: vec![],
        protection_flags: vec![],
        retention: Retention([365 * DAY; 10]),
    }
}

fn caseworker(office: &str) -> Reader {
    Reader::Caseworker { office: office.into() }
}

fn application(state: ApplicationState) -> ApplicationFact {
    ApplicationFact {
        id: "hze-1".into(),
        office: "jugendamt".into(),
        citizen: CITIZEN.into(),
        state,
        required: vec![Category::Identity, Category::Household, Category::ChildrenUpbringing],
    }
}

fn consent(category: Category, granted_at: i64, expires_at: Option<i64>, revoked_at: Option<i64>) -> ConsentFact {
    ConsentFact {
        id: "einwilligung-1".into(),
        office: "jugendamt".into(),
        citizen: CITIZEN.into(),
        category,
        purpose: "Hilfeplanung".into(),
        granted_at,
        expires_at,
        revoked_at,
    }
}

fn emergency(confirmed_at: Option<i64>, expires_at: Option<i64>) -> EmergencyFact {
    EmergencyFact {
        id: "notfall-1".into(),
        office: "jugendamt".into(),
        citizen: CITIZEN.into(),
        opened_at: NOW - 3_600,
        confirmed_at,
        expires_at,
        ended_at: None,
        categories: vec![Category::HealthDisability, Category::Housing],
    }
}

fn flag() -> ProtectionFact {
    ProtectionFact { citizen: CITIZEN.into(), set_at: NOW - DAY, lifted_at: None }
}

fn for_application() -> Purpose {
    Purpose::Application { application: "hze-1".into() }
}

fn for_consent() -> Purpose {
    Purpose::Consented { purpose: "Hilfeplanung".into() }
}

fn for_emergency() -> Purpose {
    Purpose::Emergency { emergency: "notfall-1".into() }
}

fn allow_application() -> Decision {
    Decision::Allow(Basis::Application { application: "hze-1".into() })
}

fn allow_consent() -> Decision {
    Decision::Allow(Basis::Consent { consent: "einwilligung-1".into() })
}

fn allow_emergency() -> Decision {
    Decision::Allow(Basis::Emergency { emergency: "notfall-1".into() })
}

const DENY: Decision = Decision::Deny(Denial::NoBasis);
const FLAGGED: Decision = Decision::Deny(Denial::ProtectionFlag);

struct Row {
    says: &'static str,
    reader: Reader,
    category: Category,
    purpose: Purpose,
    facts: Facts,
    expected: Decision,
}

fn with(change: impl FnOnce(&mut Facts)) -> Facts {
    let mut facts = youth_office();
    change(&mut facts);
    facts
}

fn rows() -> Vec<Row> {
    use ApplicationState::{Closed, Draft, Open};
    use Category::{ChildrenUpbringing, HealthDisability, Housing, IncomeAssets};
    let youth = || caseworker("jugendamt");
    vec![
        // 1. The office's own application.
        Row {
            says: "nothing at all: deny",
            reader: youth(),
            category: ChildrenUpbringing,
            purpose: for_application(),
            facts: youth_office(),
            expected: DENY,
        },
        Row {
            says: "open application requiring the category",
            reader: youth(),
            category: ChildrenUpbringing,
            purpose: for_application(),
            facts: with(|f| f.applications.push(application(Open))),
            expected: allow_application(),
        },
        Row {
            says: "open application not requiring the category",
            reader: youth(),
            category: IncomeAssets,
            purpose: for_application(),
            facts: with(|f| f.applications.push(application(Open))),
            expected: DENY,
        },
        Row {
            says: "a draft is not the office's yet",
            reader: youth(),
            category: ChildrenUpbringing,
            purpose: for_application(),
            facts: with(|f| f.applications.push(application(Draft))),
            expected: DENY,
        },
        Row {
            says: "closed within retention",
            reader: youth(),
            category: ChildrenUpbringing,
            purpose: for_application(),
            facts: with(|f| f.applications.push(application(Closed { at: NOW - 30 * DAY }))),
            expected: allow_application(),
        },
        Row {
            says: "closed beyond retention",
            reader: youth(),
            category: ChildrenUpbringing,
            purpose: for_application(),
            facts: with(|f| f.applications.push(application(Closed { at: NOW - 400 * DAY }))),
            expected: DENY,
        },
        Row {
            says: "closed exactly at the end of retention: still readable",
            reader: youth(),
            category: ChildrenUpbringing,
            purpose: for_application(),
            facts: with(|f| f.applications.push(application(Closed { at: NOW - 365 * DAY }))),
            expected: allow_application(),
        },
        Row {
            says: "retention by category: short for this one",
            reader: youth(),
            category: ChildrenUpbringing,
            purpose: for_application(),
            facts: with(|f| {
                f.applications.push(application(Closed { at: NOW - 30 * DAY }));
                f.retention.0[ChildrenUpbringing as usize] = 7 * DAY;
            }),
            expected: DENY,
        },
        Row {
            says: "another purpose than processing that application",
            reader: youth(),
            category: ChildrenUpbringing,
            purpose: Purpose::Application { application: "hze-2".into() },
            facts: with(|f| f.applications.push(application(Open))),
            expected: DENY,
        },
        Row {
            says: "a protection flag does not block the office's own application",
            reader: youth(),
            category: ChildrenUpbringing,
            purpose: for_application(),
            facts: with(|f| {
                f.applications.push(application(Open));
                f.protection_flags.push(flag());
            }),
            expected: allow_application(),
        },
        // 2. Consent.
        Row {
            says: "consent granted",
            reader: youth(),
            category: IncomeAssets,
            purpose: for_consent(),
            facts: with(|f| f.consents.push(consent(IncomeAssets, NOW - DAY, Some(NOW + DAY), None))),
            expected: allow_consent(),
        },
        Row {
            says: "consent without end",
            reader: youth(),
            category: IncomeAssets,
            purpose: for_consent(),
            facts: with(|f| f.consents.push(consent(IncomeAssets, NOW - DAY, None, None))),
            expected: allow_consent(),
        },
        Row {
            says: "consent revoked",
            reader: youth(),
            category: IncomeAssets,
            purpose: for_consent(),
            facts: with(|f| f.consents.push(consent(IncomeAssets, NOW - DAY, None, Some(NOW - 60)))),
            expected: DENY,
        },
        Row {
            says: "consent revoked this very second counts",
            reader: youth(),
            category: IncomeAssets,
            purpose: for_consent(),
            facts: with(|f| f.consents.push(consent(IncomeAssets, NOW - DAY, None, Some(NOW)))),
            expected: DENY,
        },
        Row {
            says: "consent expired",
            reader: youth(),
            category: IncomeAssets,
            purpose: for_consent(),
            facts: with(|f| f.consents.push(consent(IncomeAssets, NOW - 2 * DAY, Some(NOW - DAY), None))),
            expected: DENY,
        },
        Row {
            says: "consent not yet granted",
            reader: youth(),
            category: IncomeAssets,
            purpose: for_consent(),
            facts: with(|f| f.consents.push(consent(IncomeAssets, NOW + 60, None, None))),
            expected: DENY,
        },
        Row {
            says: "consent for another category",
            reader: youth(),
            category: Housing,
            purpose: for_consent(),
            facts: with(|f| f.consents.push(consent(IncomeAssets, NOW - DAY, None, None))),
            expected: DENY,
        },
        Row {
            says: "consent for another purpose",
            reader: youth(),
            category: IncomeAssets,
            purpose: Purpose::Consented { purpose: "Statistik".into() },
            facts: with(|f| f.consents.push(consent(IncomeAssets, NOW - DAY, None, None))),
            expected: DENY,
        },
        Row {
            says: "consent blocked by a protection flag",
            reader: youth(),
            category: IncomeAssets,
            purpose: for_consent(),
            facts: with(|f| {
                f.consents.push(consent(IncomeAssets, NOW - DAY, None, None));
                f.protection_flags.push(flag());
            }),
            expected: FLAGGED,
        },
        Row {
            says: "a lifted flag blocks nothing",
            reader: youth(),
            category: IncomeAssets,
            purpose: for_consent(),
            facts: with(|f| {
                f.consents.push(consent(IncomeAssets, NOW - DAY, None, None));
                f.protection_flags.push(ProtectionFact { lifted_at: Some(NOW - 60), ..flag() });
            }),
            expected: allow_consent(),
        },
        Row {
            says: "an application is no consent: open application, consent purpose",
            reader: youth(),
            category: ChildrenUpbringing,
            purpose: for_consent(),
            facts: with(|f| f.applications.push(application(Open))),
            expected: DENY,
        },
        // 3. Emergency access.
        Row {
            says: "emergency pending (not confirmed)",
            reader: youth(),
            category: HealthDisability,
            purpose: for_emergency(),
            facts: with(|f| f.emergencies.push(emergency(None, None))),
            expected: DENY,
        },
        Row {
            says: "emergency confirmed",
            reader: youth(),
            category: HealthDisability,
            purpose: for_emergency(),
            facts: with(|f| f.emergencies.push(emergency(Some(NOW - 1_800), Some(NOW + DAY)))),
            expected: allow_emergency(),
        },
        Row {
            says: "emergency confirmed but expired",
            reader: youth(),
            category: HealthDisability,
            purpose: for_emergency(),
            facts: with(|f| f.emergencies.push(emergency(Some(NOW - 1_800), Some(NOW - 1)))),
            expected: DENY,
        },
        Row {
            says: "emergency ended early",
            reader: youth(),
            category: HealthDisability,
            purpose: for_emergency(),
            facts: with(|f| {
                f.emergencies
                    .push(EmergencyFact { ended_at: Some(NOW - 5), ..emergency(Some(NOW - 1_800), Some(NOW + DAY)) })
            }),
            expected: DENY,
        },
        Row {
            says: "emergency not naming the category",
            reader: youth(),
            category: IncomeAssets,
            purpose: for_emergency(),
            facts: with(|f| f.emergencies.push(emergency(Some(NOW - 1_800), Some(NOW + DAY)))),
            expected: DENY,
        },
        Row {
            says: "emergency blocked by a protection flag",
            reader: youth(),
            category: HealthDisability,
            purpose: for_emergency(),
            facts: with(|f| {
                f.emergencies.push(emergency(Some(NOW - 1_800), Some(NOW + DAY)));
                f.protection_flags.push(flag());
            }),
            expected: FLAGGED,
        },
        // Roles.
        Row {
            says: "data protection officer: never",
            reader: Reader::DataProtectionOfficer,
            category: ChildrenUpbringing,
            purpose: for_application(),
            facts: with(|f| f.applications.push(application(Open))),
            expected: Decision::Deny(Denial::RoleReadsNoCitizenData),
        },
        Row {
            says: "administrator: never",
            reader: Reader::Administrator,
            category: IncomeAssets,
            purpose: for_consent(),
            facts: with(|f| f.consents.push(consent(IncomeAssets, NOW - DAY, None, None))),
            expected: Decision::Deny(Denial::RoleReadsNoCitizenData),
        },
        Row {
            says: "the citizen reads their own data",
            reader: Reader::Citizen { citizen: CITIZEN.into(), minor_children: vec![] },
            category: HealthDisability,
            purpose: Purpose::OwnData,
            facts: youth_office(),
            expected: Decision::Allow(Basis::OwnData),
        },
        Row {
            says: "a parent reads their minor child's data",
            reader: Reader::Citizen { citizen: "mutter".into(), minor_children: vec![CITIZEN.into()] },
            category: HealthDisability,
            purpose: Purpose::OwnData,
            facts: youth_office(),
            expected: Decision::Allow(Basis::MinorChild),
        },
        Row {
            says: "another citizen reads nothing",
            reader: Reader::Citizen { citizen: "nachbar".into(), minor_children: vec![] },
            category: Category::Identity,
            purpose: Purpose::OwnData,
            facts: youth_office(),
            expected: DENY,
        },
        // Another office: the facts are not its facts.
        Row {
            says: "a caseworker of another office with the youth office's facts: an error, denied",
            reader: caseworker("wohngeldstelle"),
            category: ChildrenUpbringing,
            purpose: for_application(),
            facts: with(|f| f.applications.push(application(Open))),
            expected: Decision::Deny(Denial::InconsistentFacts("the facts are about another office")),
        },
        Row {
            says: "a consent to another office among the facts: an error, denied",
            reader: youth(),
            category: IncomeAssets,
            purpose: for_consent(),
            facts: with(|f| {
                f.consents
                    .push(ConsentFact { office: "sozialamt".into(), ..consent(IncomeAssets, NOW - DAY, None, None) })
            }),
            expected: Decision::Deny(Denial::InconsistentFacts("a consent to another office or of another citizen")),
        },
        Row {
            says: "a consent revoked before it was granted: an error, denied",
            reader: youth(),
            category: IncomeAssets,
            purpose: for_consent(),
            facts: with(|f| f.consents.push(consent(IncomeAssets, NOW - DAY, None, Some(NOW - 2 * DAY)))),
            expected: Decision::Deny(Denial::InconsistentFacts("a consent that ends before it was granted")),
        },
        Row {
            says: "an emergency running without confirmation: an error, denied",
            reader: youth(),
            category: HealthDisability,
            purpose: for_emergency(),
            facts: with(|f| f.emergencies.push(emergency(None, Some(NOW + DAY)))),
            expected: Decision::Deny(Denial::InconsistentFacts(
                "an emergency access confirmed before it was opened, or running unconfirmed",
            )),
        },
        Row {
            says: "a flag of another citizen among the facts: an error, denied",
            reader: youth(),
            category: ChildrenUpbringing,
            purpose: for_application(),
            facts: with(|f| {
                f.applications.push(application(Open));
                f.protection_flags.push(ProtectionFact { citizen: "jemand".into(), ..flag() });
            }),
            expected: Decision::Deny(Denial::InconsistentFacts("a protection flag of another citizen")),
        },
    ]
}

#[test]
fn every_row_decides_as_design_md_says() {
    let rows = rows();
    let mut wrong = Vec::new();
    for row in &rows {
        let decision = decide(&row.reader, row.category, &row.purpose, &row.facts);
        if decision != row.expected {
            wrong.push(format!("{}: expected {:?}, got {:?}", row.says, row.expected, decision));
        }
    }
    assert!(wrong.is_empty(), "{} of {} rows decide wrongly:\n{}", wrong.len(), rows.len(), wrong.join("\n"));
}

#[test]
fn categories_round_trip_through_their_codes() {
    for category in Category::ALL {
        assert_eq!(Category::from_code(category.code()), Some(category));
    }
    assert_eq!(Category::from_code("unbekannt"), None);
}
