//! The policy function against an independent reference model of DESIGN.md's rule, written
//! here in a few obvious lines, on 100,000 generated cases per run.

use app::{
    office::OfficeCode,
    policy::{
        ApplicationFact, ApplicationState, Category, ConsentFact, EmergencyFact, Facts, ProtectionFact, Purpose,
        Reader, Retention, decide,
    },
};
use proptest::prelude::*;

const NOW: i64 = 1_000_000;

/// DESIGN.md: staff of O read C of P for U only if (1) an application of P to O, not closed
/// beyond retention, requires C and U processes it; or (2) a consent gives C to O for U, granted,
/// not revoked, not expired; or (3) a confirmed, unexpired emergency access for (O, P) names C —
/// and no protection flag forbids it (a flag leaves only the office's own application).
/// Administrators and data protection officers read nothing; citizens read their own and their
/// minor children's data. Facts that do not fit deny.
fn reference(reader: &Reader, c: Category, u: &Purpose, f: &Facts) -> bool {
    let now = f.now;
    let live = |from: i64, until: Option<i64>| from <= now && until.is_none_or(|end| now < end);
    match reader {
        Reader::Administrator | Reader::DataProtectionOfficer => false,
        Reader::Citizen { citizen, minor_children } => {
            *u == Purpose::OwnData && (*citizen == f.citizen || minor_children.contains(&f.citizen))
        }
        Reader::Caseworker { office } => {
            let fits = *office == f.office
                && f.applications.iter().all(|a| a.office == f.office && a.citizen == f.citizen)
                && f.consents.iter().all(|k| {
                    k.office == f.office
                        && k.citizen == f.citizen
                        && k.expires_at.is_none_or(|e| e >= k.granted_at)
                        && k.revoked_at.is_none_or(|r| r >= k.granted_at)
                })
                && f.emergencies.iter().all(|e| {
                    e.office == f.office
                        && e.citizen == f.citizen
                        && e.confirmed_at.is_none_or(|c| c >= e.opened_at)
                        && (e.confirmed_at.is_some() || e.expires_at.is_none())
                })
                && f.protection_flags.iter().all(|p| p.citizen == f.citizen);
            let flagged = f.protection_flags.iter().any(|p| live(p.set_at, p.lifted_at));
            let by_application = f.applications.iter().any(|a| {
                *u == Purpose::Application { application: a.id.clone() }
                    && a.required.contains(&c)
                    && match a.state {
                        ApplicationState::Draft => false,
                        ApplicationState::Open => true,
                        ApplicationState::Closed { at } => now - at <= f.retention.of(c),
                    }
            });
            let by_consent = f.consents.iter().any(|k| {
                *u == Purpose::Consented { purpose: k.purpose.clone() }
                    && k.category == c
                    && live(k.granted_at, k.revoked_at)
                    && k.expires_at.is_none_or(|e| now < e)
            });
            let by_emergency = f.emergencies.iter().any(|e| {
                *u == Purpose::Emergency { emergency: e.id.clone() }
                    && e.categories.contains(&c)
                    && e.confirmed_at.is_some_and(|confirmed| confirmed <= now)
                    && e.expires_at.is_some_and(|end| now < end)
                    && e.ended_at.is_none_or(|end| now < end)
            });
            fits && (by_application || (!flagged && (by_consent || by_emergency)))
        }
    }
}

fn category() -> impl Strategy<Value = Category> {
    prop::sample::select(Category::ALL.to_vec())
}

fn categories() -> impl Strategy<Value = Vec<Category>> {
    prop::collection::vec(category(), 0..4)
}

/// Mostly this office and citizen, sometimes another: facts that do not fit must deny.
fn office() -> impl Strategy<Value = OfficeCode> {
    prop_oneof![9 => Just(OfficeCode::new("jugendamt")), 1 => Just(OfficeCode::new("wohngeldstelle"))]
}

fn citizen() -> impl Strategy<Value = String> {
    prop_oneof![9 => Just("vater".to_owned()), 1 => Just("nachbar".to_owned())]
}

/// A time near `NOW`, so that before, at and after all occur.
fn time() -> impl Strategy<Value = i64> {
    prop_oneof![Just(NOW), NOW - 100..NOW + 100, NOW - 1_000..NOW + 1_000]
}

fn maybe_time() -> impl Strategy<Value = Option<i64>> {
    prop::option::of(time())
}

fn application() -> impl Strategy<Value = ApplicationFact> {
    let state = prop_oneof![
        Just(ApplicationState::Draft),
        Just(ApplicationState::Open),
        time().prop_map(|at| ApplicationState::Closed { at }),
    ];
    (prop::sample::select(vec!["a1", "a2"]), office(), citizen(), state, categories()).prop_map(
        |(id, office, citizen, state, required)| ApplicationFact {
            id: id.to_owned(),
            office,
            citizen,
            state,
            required,
        },
    )
}

fn consent() -> impl Strategy<Value = ConsentFact> {
    (office(), citizen(), category(), prop::sample::select(vec!["p1", "p2"]), time(), maybe_time(), maybe_time())
        .prop_map(|(office, citizen, category, purpose, granted_at, expires_at, revoked_at)| ConsentFact {
            id: "k".to_owned(),
            office,
            citizen,
            category,
            purpose: purpose.to_owned(),
            granted_at,
            expires_at,
            revoked_at,
        })
}

fn emergency() -> impl Strategy<Value = EmergencyFact> {
    (
        prop::sample::select(vec!["e1", "e2"]),
        office(),
        citizen(),
        time(),
        maybe_time(),
        maybe_time(),
        maybe_time(),
        categories(),
    )
        .prop_map(|(id, office, citizen, opened_at, confirmed_at, expires_at, ended_at, categories)| {
            EmergencyFact {
                id: id.to_owned(),
                office,
                citizen,
                opened_at,
                confirmed_at,
                expires_at,
                ended_at,
                categories,
            }
        })
}

fn flag() -> impl Strategy<Value = ProtectionFact> {
    (citizen(), time(), maybe_time()).prop_map(|(citizen, set_at, lifted_at)| ProtectionFact {
        citizen,
        set_at,
        lifted_at,
    })
}

fn facts() -> impl Strategy<Value = Facts> {
    (
        prop::collection::vec(application(), 0..3),
        prop::collection::vec(consent(), 0..3),
        prop::collection::vec(emergency(), 0..3),
        prop::collection::vec(flag(), 0..2),
        prop::array::uniform10(prop_oneof![Just(0_i64), 0..2_000_i64]),
    )
        .prop_map(|(applications, consents, emergencies, protection_flags, retention)| Facts {
            now: NOW,
            office: "jugendamt".into(),
            citizen: "vater".to_owned(),
            applications,
            consents,
            emergencies,
            protection_flags,
            retention: Retention(retention),
        })
}

fn reader() -> impl Strategy<Value = Reader> {
    prop_oneof![
        6 => office().prop_map(|office| Reader::Caseworker { office }),
        1 => Just(Reader::DataProtectionOfficer),
        1 => Just(Reader::Administrator),
        2 => (citizen(), prop::collection::vec(citizen(), 0..2))
            .prop_map(|(citizen, minor_children)| Reader::Citizen { citizen, minor_children }),
    ]
}

fn purpose() -> impl Strategy<Value = Purpose> {
    prop_oneof![
        prop::sample::select(vec!["a1", "a2"]).prop_map(|id| Purpose::Application { application: id.to_owned() }),
        prop::sample::select(vec!["p1", "p2"]).prop_map(|purpose| Purpose::Consented { purpose: purpose.to_owned() }),
        prop::sample::select(vec!["e1", "e2"]).prop_map(|id| Purpose::Emergency { emergency: id.to_owned() }),
        Just(Purpose::OwnData),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 100_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_policy_decides_as_the_reference_model(reader in reader(), category in category(), purpose in purpose(), facts in facts()) {
        let decision = decide(&reader, category, &purpose, &facts);
        prop_assert_eq!(decision.is_allowed(), reference(&reader, category, &purpose, &facts), "{:?}", decision);
    }
}
