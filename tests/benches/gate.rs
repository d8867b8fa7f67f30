//! Opening a case through the gate (facts, decision per category, read of the allowed
//! categories, access-log entry, one transaction) against a plain read of the same rows with no
//! gate, on SQLite and on PostgreSQL: one read at a time, and 32 at once, where commits can be
//! shared (issue 39 asks for a throughput ratio of at least 0.8×; issue 4 for 0.5×).
//!
//! `cargo bench -p klarsicht-tests --bench gate` (PostgreSQL when KLARSICHT_TEST_POSTGRES_URL is
//! set, as `.ci/test` sets it). The ratio is the plain read's time over the gate's time; with 32
//! at once, criterion's time is the wall time per read, the inverse of the throughput.

use std::time::{Duration, Instant};

use app::server::{
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

/// Readers at once in the concurrent measurement, and the connections both sides may use.
const READERS: u64 = 32;
const CONNECTIONS: u32 = 16;

/// The plain read: the same two queries the gate runs for the rows it returns, in one
/// transaction, without the facts, the decision and the log entry. Ids are text on SQLite and
/// UUIDs on PostgreSQL, hence one pool each.
#[derive(Clone)]
enum PlainRead {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl PlainRead {
    async fn read(&self) {
        let rows = match self {
            Self::Sqlite(pool) => {
                let mut transaction = pool.begin().await.expect("transaction");
                let (citizen, _, _, _): (String, String, String, String) =
                    sqlx::query_as(PLAIN_APPLICATION).bind(HZE_FOR_MIA).bind("jugendamt").fetch_one(&mut *transaction).await.expect("the application");
                let mut query = sqlx::query_as::<_, (String, String)>(PLAIN_DATA).bind(citizen);
                for category in REQUIRED {
                    query = query.bind(category);
                }
                let rows = query.fetch_all(&mut *transaction).await.expect("the data").len();
                transaction.commit().await.expect("commit");
                rows
            }
            Self::Postgres(pool) => {
                let application = uuid::Uuid::parse_str(HZE_FOR_MIA).expect("uuid");
                let mut transaction = pool.begin().await.expect("transaction");
                let (citizen, _, _, _): (uuid::Uuid, String, String, String) =
                    sqlx::query_as(PLAIN_APPLICATION).bind(application).bind("jugendamt").fetch_one(&mut *transaction).await.expect("the application");
                let mut query = sqlx::query_as::<_, (String, serde_json::Value)>(PLAIN_DATA).bind(citizen);
                for category in REQUIRED {
                    query = query.bind(category);
                }
                let rows = query.fetch_all(&mut *transaction).await.expect("the data").len();
                transaction.commit().await.expect("commit");
                rows
            }
        };
        assert_eq!(rows, 3);
    }
}

async fn through_the_gate(gate: &Gate, case: &CaseAccess) {
    let view = gate.case_view(case).await.expect("read").expect("a case");
    assert_eq!(view.data.len(), 3);
}

/// Runs `reads` reads, [`READERS`] at a time, and answers the wall time they took together.
async fn at_once<F, R>(reads: u64, read: F) -> Duration
where
    F: Fn() -> R + Clone + Send + 'static,
    R: Future<Output = ()> + Send,
{
    let started = Instant::now();
    let readers: Vec<_> = (0..READERS)
        .map(|reader| {
            let read = read.clone();
            let count = reads / READERS + u64::from(reader < reads % READERS);
            tokio::spawn(async move {
                for _ in 0..count {
                    read().await;
                }
            })
        })
        .collect();
    for reader in readers {
        reader.await.expect("a reader");
    }
    started.elapsed()
}

fn bench_backend(criterion: &mut Criterion, backend: Backend) {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
    let test_database = runtime.block_on(TestDatabase::create(backend));
    let url = DatabaseUrl::parse(test_database.url()).expect("url");
    let database = runtime.block_on(async {
        let database = Database::connect(&url, CONNECTIONS).await.expect("connect");
        database.migrate().await.expect("migrate");
        database.load_demo_data().await.expect("demo data");
        database
    });
    let gate = Gate::new(database.clone());
    let application = ApplicationId::parse(HZE_FOR_MIA).expect("id");
    let lena = CaseAccess::for_benchmark(StaffId::parse(demo::LENA_HOFFMANN).expect("id"), "jugendamt", application);
    let (name, plain) = runtime.block_on(async {
        match backend {
            Backend::Sqlite => {
                let pool = sqlx::sqlite::SqlitePoolOptions::new().max_connections(CONNECTIONS).connect(test_database.url());
                ("sqlite", PlainRead::Sqlite(pool.await.expect("pool")))
            }
            Backend::Postgres => {
                let pool = sqlx::postgres::PgPoolOptions::new().max_connections(CONNECTIONS).connect(test_database.url());
                ("postgres", PlainRead::Postgres(pool.await.expect("pool")))
            }
        }
    });

    let mut group = criterion.benchmark_group(format!("open a case ({name})"));
    group.bench_function("through the gate", |bencher| bencher.to_async(&runtime).iter(|| through_the_gate(&gate, &lena)));
    group.bench_function("plain read", |bencher| bencher.to_async(&runtime).iter(|| plain.read()));
    group.bench_function("through the gate, 32 at once", |bencher| {
        bencher.to_async(&runtime).iter_custom(|reads| {
            let (gate, lena) = (gate.clone(), lena.clone());
            at_once(reads, move || {
                let (gate, lena) = (gate.clone(), lena.clone());
                async move { through_the_gate(&gate, &lena).await }
            })
        });
    });
    group.bench_function("plain read, 32 at once", |bencher| {
        bencher.to_async(&runtime).iter_custom(|reads| {
            let plain = plain.clone();
            at_once(reads, move || {
                let plain = plain.clone();
                async move { plain.read().await }
            })
        });
    });
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
