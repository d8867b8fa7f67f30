//! Every combination the issue names, decided by the policy function and checked against
//! decision tables written by hand from DESIGN.md.
//!
//! Dimensions: reader (caseworker, data protection officer, administrator), whose facts (the
//! reader's own office or another office), category (all ten), purpose (the application, the
//! consent's purpose, the emergency access), consent (granted, revoked, expired, absent),
//! application (open, closed within retention, closed beyond it, absent), protection flag (set or
//! not), emergency access (pending, confirmed, expired, absent): 3 × 2 × 10 × 3 × 4 × 4 × 2 × 4 =
//! 23,040 cases. The tables below give, by hand, the decision for the dimensions that matter to
//! each purpose; the test asserts that every other dimension leaves it unchanged.

use app::policy::{
    ApplicationFact, ApplicationState, Basis, Category, ConsentFact, Decision, Denial, EmergencyFact, Facts,
    ProtectionFact, Purpose, Reader, Retention, decide,
};

const NOW: i64 = 1_800_000_000;
const DAY: i64 = 86_400;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Caseworker,
    DataProtectionOfficer,
    Administrator,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Consent {
    Granted,
    Revoked,
    Expired,
    Absent,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Application {
    Open,
    ClosedWithinRetention,
    ClosedBeyondRetention,
    Absent,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Emergency {
    Pending,
    Confirmed,
    Expired,
    Absent,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum For {
    Application,
    Consent,
    Emergency,
}

/// What the hand-written tables say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Allow,
    Deny,
    DenyFlag,
}

/// The application requires these; the consent shares `CONSENTED`; the emergency access names
/// `NAMED`. The sets overlap in `Household` (required and named) so overlaps are covered too.
const REQUIRED: [Category; 3] = [Category::Identity, Category::Household, Category::ChildrenUpbringing];
const CONSENTED: Category = Category::HealthDisability;
const NAMED: [Category; 2] = [Category::Household, Category::IncomeAssets];

/// Purpose: processing the application. Decides for a required category; a protection flag
/// does not block the office's own application (DESIGN.md rule 1 and the flag's exception).
const BY_APPLICATION: [(Application, Expect); 4] = [
    (Application::Open, Expect::Allow),
    (Application::ClosedWithinRetention, Expect::Allow),
    (Application::ClosedBeyondRetention, Expect::Deny),
    (Application::Absent, Expect::Deny),
];

/// Purpose: the consent's. Decides for the consented category (rule 2, then the flag).
const BY_CONSENT: [(Consent, bool, Expect); 8] = [
    (Consent::Granted, false, Expect::Allow),
    (Consent::Granted, true, Expect::DenyFlag),
    (Consent::Revoked, false, Expect::Deny),
    (Consent::Revoked, true, Expect::Deny),
    (Consent::Expired, false, Expect::Deny),
    (Consent::Expired, true, Expect::Deny),
    (Consent::Absent, false, Expect::Deny),
    (Consent::Absent, true, Expect::Deny),
];

/// Purpose: the emergency access. Decides for a named category (rule 3, then the flag).
const BY_EMERGENCY: [(Emergency, bool, Expect); 8] = [
    (Emergency::Confirmed, false, Expect::Allow),
    (Emergency::Confirmed, true, Expect::DenyFlag),
    (Emergency::Pending, false, Expect::Deny),
    (Emergency::Pending, true, Expect::Deny),
    (Emergency::Expired, false, Expect::Deny),
    (Emergency::Expired, true, Expect::Deny),
    (Emergency::Absent, false, Expect::Deny),
    (Emergency::Absent, true, Expect::Deny),
];

fn facts(office: &str, consent: Consent, application: Application, flagged: bool, emergency: Emergency) -> Facts {
    let citizen = "vater".to_owned();
    let mut facts = Facts {
        now: NOW,
        office: office.into(),
        citizen: citizen.clone(),
        applications: vec![],
        consents: vec![],
        emergencies: vec![],
        protection_flags: vec![],
        retention: Retention([365 * DAY; 10]),
    };
    let state = match application {
        Application::Open => Some(ApplicationState::Open),
        Application::ClosedWithinRetention => Some(ApplicationState::Closed { at: NOW - 100 * DAY }),
        Application::ClosedBeyondRetention => Some(ApplicationState::Closed { at: NOW - 400 * DAY }),
        Application::Absent => None,
    };
    if let Some(state) = state {
        facts.applications.push(ApplicationFact {
            id: "antrag".into(),
            office: office.into(),
            citizen: citizen.clone(),
            state,
            required: REQUIRED.to_vec(),
        });
    }
    let (expires_at, revoked_at) = match consent {
        Consent::Granted => (Some(NOW + DAY), None),
        Consent::Revoked => (Some(NOW + DAY), Some(NOW - 1)),
        Consent::Expired => (Some(NOW - 1), None),
        Consent::Absent => (None, None),
    };
    if consent != Consent::Absent {
        facts.consents.push(ConsentFact {
            id: "einwilligung".into(),
            office: office.into(),
            citizen: citizen.clone(),
            category: CONSENTED,
            purpose: "Hilfeplanung".into(),
            granted_at: NOW - 10 * DAY,
            expires_at,
            revoked_at,
        });
    }
    let times = match emergency {
        Emergency::Pending => Some((None, None)),
        Emergency::Confirmed => Some((Some(NOW - 3_000), Some(NOW + 3_600))),
        Emergency::Expired => Some((Some(NOW - 7_000), Some(NOW - 1))),
        Emergency::Absent => None,
    };
    if let Some((confirmed_at, expires_at)) = times {
        facts.emergencies.push(EmergencyFact {
            id: "notfall".into(),
            office: office.into(),
            citizen: citizen.clone(),
            opened_at: NOW - 7_200,
            confirmed_at,
            expires_at,
            ended_at: None,
            categories: NAMED.to_vec(),
        });
    }
    if flagged {
        facts.protection_flags.push(ProtectionFact { citizen, set_at: NOW - DAY, lifted_at: None });
    }
    facts
}

/// The hand-written decision for one case.
#[expect(clippy::too_many_arguments, reason = "one argument per dimension of the table")]
fn expected(
    role: Role,
    own_office: bool,
    category: Category,
    purpose: For,
    consent: Consent,
    application: Application,
    flagged: bool,
    emergency: Emergency,
) -> Decision {
    match role {
        Role::DataProtectionOfficer | Role::Administrator => return Decision::Deny(Denial::RoleReadsNoCitizenData),
        Role::Caseworker => {}
    }
    if !own_office {
        // The facts of another office: an error, and an error denies.
        return Decision::Deny(Denial::InconsistentFacts("the facts are about another office"));
    }
    let lookup = |table: &[(Expect, bool)]| table.iter().find(|(_, applies)| *applies).map(|(expect, _)| *expect);
    let (expect, basis) = match purpose {
        For::Application => (
            if REQUIRED.contains(&category) {
                lookup(&BY_APPLICATION.map(|(state, expect)| (expect, state == application)))
            } else {
                Some(Expect::Deny)
            },
            Basis::Application { application: "antrag".into() },
        ),
        For::Consent => (
            if category == CONSENTED {
                lookup(&BY_CONSENT.map(|(state, flag, expect)| (expect, state == consent && flag == flagged)))
            } else {
                Some(Expect::Deny)
            },
            Basis::Consent { consent: "einwilligung".into() },
        ),
        For::Emergency => (
            if NAMED.contains(&category) {
                lookup(&BY_EMERGENCY.map(|(state, flag, expect)| (expect, state == emergency && flag == flagged)))
            } else {
                Some(Expect::Deny)
            },
            Basis::Emergency { emergency: "notfall".into() },
        ),
    };
    match expect {
        Some(Expect::Allow) => Decision::Allow(basis),
        Some(Expect::DenyFlag) => Decision::Deny(Denial::ProtectionFlag),
        Some(Expect::Deny) | None => Decision::Deny(Denial::NoBasis),
    }
}

#[test]
fn every_combination_decides_as_the_hand_written_tables_say() {
    let mut cases = 0;
    let mut allowed = 0;
    let mut wrong = Vec::new();
    for role in [Role::Caseworker, Role::DataProtectionOfficer, Role::Administrator] {
        for own_office in [true, false] {
            let reader = match role {
                Role::Caseworker => Reader::Caseworker { office: "jugendamt".into() },
                Role::DataProtectionOfficer => Reader::DataProtectionOfficer,
                Role::Administrator => Reader::Administrator,
            };
            let office = if own_office { "jugendamt" } else { "sozialamt" };
            for category in Category::ALL {
                for purpose in [For::Application, For::Consent, For::Emergency] {
                    let purpose_value = match purpose {
                        For::Application => Purpose::Application { application: "antrag".into() },
                        For::Consent => Purpose::Consented { purpose: "Hilfeplanung".into() },
                        For::Emergency => Purpose::Emergency { emergency: "notfall".into() },
                    };
                    for consent in [Consent::Granted, Consent::Revoked, Consent::Expired, Consent::Absent] {
                        for application in [
                            Application::Open,
                            Application::ClosedWithinRetention,
                            Application::ClosedBeyondRetention,
                            Application::Absent,
                        ] {
                            for flagged in [false, true] {
                                for emergency in
                                    [Emergency::Pending, Emergency::Confirmed, Emergency::Expired, Emergency::Absent]
                                {
                                    cases += 1;
                                    let facts = facts(office, consent, application, flagged, emergency);
                                    let decision = decide(&reader, category, &purpose_value, &facts);
                                    let expected = expected(
                                        role,
                                        own_office,
                                        category,
                                        purpose,
                                        consent,
                                        application,
                                        flagged,
                                        emergency,
                                    );
                                    allowed += usize::from(decision.is_allowed());
                                    if decision != expected && wrong.len() < 20 {
                                        wrong.push(format!(
                                            "{role:?} own={own_office} {category:?} {purpose:?} consent={consent:?} \
                                             application={application:?} flag={flagged} emergency={emergency:?}: \
                                             expected {expected:?}, got {decision:?}"
                                        ));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    assert_eq!(cases, 23_040, "every combination");
    assert!(wrong.is_empty(), "wrong decisions:\n{}", wrong.join("\n"));
    // 3 required categories × 2 readable application states × 32 other combinations, plus the
    // consented category × 16, plus 2 named categories × 16.
    assert_eq!(allowed, 192 + 16 + 32, "exactly the permitted cases allow");
}
