//! How long one policy decision takes (issue 4 asks for p50 ≤ 5 µs):
//! `cargo bench -p app --bench policy`.

use std::hint::black_box;

use app::policy::{
    ApplicationFact, ApplicationState, Category, ConsentFact, EmergencyFact, Facts, ProtectionFact, Purpose, Reader,
    Retention, decide,
};
use criterion::{Criterion, criterion_group, criterion_main};

const NOW: i64 = 1_800_000_000;

/// A busy citizen: several applications, consents, an emergency access and a lifted flag.
fn busy_citizen() -> Facts {
    let application = |id: &str, state| ApplicationFact {
        id: id.into(),
        office: "jugendamt".into(),
        citizen: "vater".into(),
        state,
        required: vec![Category::Identity, Category::Household, Category::ChildrenUpbringing, Category::IncomeAssets],
    };
    let consent = |category, purpose: &str| ConsentFact {
        id: format!("k-{purpose}"),
        office: "jugendamt".into(),
        citizen: "vater".into(),
        category,
        purpose: purpose.into(),
        granted_at: NOW - 1_000,
        expires_at: Some(NOW + 1_000),
        revoked_at: None,
    };
    Facts {
        now: NOW,
        office: "jugendamt".into(),
        citizen: "vater".into(),
        applications: vec![
            application("a1", ApplicationState::Closed { at: NOW - 86_400 }),
            application("a2", ApplicationState::Open),
            application("a3", ApplicationState::Draft),
        ],
        consents: vec![
            consent(Category::Housing, "Wohnsituation"),
            consent(Category::IncomeAssets, "Kostenbeitrag"),
            consent(Category::HealthDisability, "Hilfeplanung"),
        ],
        emergencies: vec![EmergencyFact {
            id: "e1".into(),
            office: "jugendamt".into(),
            citizen: "vater".into(),
            opened_at: NOW - 3_600,
            confirmed_at: Some(NOW - 3_000),
            expires_at: Some(NOW + 3_600),
            ended_at: None,
            categories: vec![Category::HealthDisability],
        }],
        protection_flags: vec![ProtectionFact {
            citizen: "vater".into(),
            set_at: NOW - 10_000,
            lifted_at: Some(NOW - 5_000),
        }],
        retention: Retention([365 * 86_400; 10]),
    }
}

fn policy(criterion: &mut Criterion) {
    let facts = busy_citizen();
    let reader = Reader::Caseworker { office: "jugendamt".into() };
    let by_application = Purpose::Application { application: "a2".into() };
    let by_consent = Purpose::Consented { purpose: "Hilfeplanung".into() };
    let denied = Purpose::Consented { purpose: "Statistik".into() };

    criterion.bench_function("decide: allowed by the application", |bench| {
        bench.iter(|| {
            decide(
                black_box(&reader),
                black_box(Category::ChildrenUpbringing),
                black_box(&by_application),
                black_box(&facts),
            )
        })
    });
    criterion.bench_function("decide: allowed by a consent", |bench| {
        bench.iter(|| {
            decide(black_box(&reader), black_box(Category::HealthDisability), black_box(&by_consent), black_box(&facts))
        })
    });
    criterion.bench_function("decide: denied", |bench| {
        bench.iter(|| {
            decide(black_box(&reader), black_box(Category::BankAccount), black_box(&denied), black_box(&facts))
        })
    });
    criterion.bench_function("decide: all ten categories of a case view", |bench| {
        bench.iter(|| {
            Category::ALL.map(|category| {
                decide(black_box(&reader), category, black_box(&by_application), black_box(&facts)).is_allowed()
            })
        })
    });
}

criterion_group!(benches, policy);
criterion_main!(benches);
