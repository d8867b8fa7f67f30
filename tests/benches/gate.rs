//! Opening a case through the gate (facts, decision per category, read of the allowed
//! categories, access-log entry, one transaction) against a plain read of the same rows with no
//! gate, on SQLite and on PostgreSQL. Issue 4 asks for a throughput ratio of at least 0.5×.
//!
//! `cargo bench -p klarsicht-tests --bench gate` (PostgreSQL when KLARSICHT_TEST_POSTGRES_URL is
//! set, as `.ci/test` sets it). The ratio is the plain read's time over the gate's time.

use app::server::{
    access_log::LogKey,
    auth::CaseAccess,
    db::{ApplicationId, Database, DatabaseUrl, StaffId},
    gate::Gate,
};
use criterion::{Criterion, criterion_group, criterion_main};
use klarsicht_tests::{Backend, TestDatabase, demo, postgres_available};

/// Jonas for Mia: Hilfe zur Erziehung at the Jugendamt (demo data); its template version
/// requires identity, household and children_upbringing of Mia, which the demo data holds.
const HZE_FOR_MIA: &str = "00000000-0000-4000-8000-000000000702";
const REQUIRED: [&str; 4] = ["identity", "contact", "household", "children_upbringing"];

/// The same rows the gate reads for this case, read directly.
const PLAIN_APPLICATION: &str =
    "SELECT citizen_id, reference, benefit_type_code, status FROM applications WHERE id = $1 AND office_code = $2";
const PLAIN_DATA: &str =
    "SELECT category_code, data FROM citizen_data WHERE citizen_id = $1 AND category_code IN ($2, $3, $4, $5)";

fn bench_backend(criterion: &mut Criterion, backend: Backend) {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
    let test_database = runtime.block_on(TestDatabase::create(backend));
    let url = DatabaseUrl::parse(test_database.url()).expect("url");
    let database = runtime.block_on(async {
        let database = Database::connect(&url, 4).await.expect("connect");
        database.migrate().await.expect("migrate");
        database.load_demo_data().await.expect("demo data");
        database
    });
    let gate = Gate::new(database.clone(), LogKey::derive("benchmark secret of at least 32 chars"));
    let application = ApplicationId::parse(HZE_FOR_MIA).expect("id");
    let lena = CaseAccess::for_benchmark(StaffId::parse(demo::LENA_HOFFMANN).expect("id"), "jugendamt", application);
    let name = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };

    let mut group = criterion.benchmark_group(format!("open a case ({name})"));
    group.bench_function("through the gate", |bencher| {
        bencher.to_async(&runtime).iter(|| async {
            let view = gate.case_view(&lena).await.expect("read").expect("a case");
            assert_eq!(view.data.len(), 3);
        });
    });
    // The plain read: the same two queries the gate runs for the rows it returns, in one
    // transaction, without the facts, the decision and the log entry. Ids are text on SQLite and
    // UUIDs on PostgreSQL, hence one branch each.
    match backend {
        Backend::Sqlite => {
            let pool = runtime.block_on(sqlx::SqlitePool::connect(test_database.url())).expect("pool");
            group.bench_function("plain read", |bencher| {
                bencher.to_async(&runtime).iter(|| async {
                    let mut transaction = pool.begin().await.expect("transaction");
                    let (citizen, _, _, _): (String, String, String, String) = sqlx::query_as(PLAIN_APPLICATION)
                        .bind(HZE_FOR_MIA)
                        .bind("jugendamt")
                        .fetch_one(&mut *transaction)
                        .await
                        .expect("the application");
                    let mut query = sqlx::query_as::<_, (String, String)>(PLAIN_DATA).bind(citizen);
                    for category in REQUIRED {
                        query = query.bind(category);
                    }
                    assert_eq!(query.fetch_all(&mut *transaction).await.expect("the data").len(), 3);
                    transaction.commit().await.expect("commit");
                });
            });
        }
        Backend::Postgres => {
            let pool = runtime.block_on(sqlx::PgPool::connect(test_database.url())).expect("pool");
            let application = uuid::Uuid::parse_str(HZE_FOR_MIA).expect("uuid");
            group.bench_function("plain read", |bencher| {
                bencher.to_async(&runtime).iter(|| async {
                    let mut transaction = pool.begin().await.expect("transaction");
                    let (citizen, _, _, _): (uuid::Uuid, String, String, String) = sqlx::query_as(PLAIN_APPLICATION)
                        .bind(application)
                        .bind("jugendamt")
                        .fetch_one(&mut *transaction)
                        .await
                        .expect("the application");
                    let mut query = sqlx::query_as::<_, (String, serde_json::Value)>(PLAIN_DATA).bind(citizen);
                    for category in REQUIRED {
                        query = query.bind(category);
                    }
                    assert_eq!(query.fetch_all(&mut *transaction).await.expect("the data").len(), 3);
                    transaction.commit().await.expect("commit");
                });
            });
        }
    }
    group.finish();
    runtime.block_on(database.close());
}

fn gate_against_plain_read(criterion: &mut Criterion) {
    bench_backend(criterion, Backend::Sqlite);
    if postgres_available() {
        bench_backend(criterion, Backend::Postgres);
    }
}

criterion_group!(benches, gate_against_plain_read);
criterion_main!(benches);
