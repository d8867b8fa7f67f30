//! Integration throughput (issue 39): how many access-log entries a second the sequencer places
//! into the Merkle tree, signing a checkpoint for each batch, on SQLite and on PostgreSQL.
//! `ENTRIES` entries (and the demo data's) wait with their leaves, written as the gate writes them; then the
//! sequencer places batches until none waits, and the time that took gives the figure.
//!
//! `cargo bench -p klarsicht-tests --bench sequencer` (PostgreSQL when
//! KLARSICHT_TEST_POSTGRES_URL is set).

use std::time::Instant;

use app::server::{
    access_log::{AccessLog, LogBasis, NewEntry, sequencer::Sequencer, signer::LogSigner},
    db::{CitizenId, Database, DatabaseUrl, StaffId},
};
use app::{office::OfficeCode, policy::Category};
use klarsicht_tests::{Backend, TestDatabase, count_rows, demo, execute, postgres_available, query_i64};

/// Entries waiting before the sequencer starts: about fifty full batches.
const ENTRIES: u64 = 200_000;

async fn measure(backend: Backend) {
    let test_database = TestDatabase::create(backend).await;
    let database = Database::connect(&DatabaseUrl::parse(test_database.url()).expect("a URL"), 4).await.expect("connects");
    database.migrate().await.expect("migrates");
    database.load_demo_data().await.expect("demo data");
    // One entry as the gate writes it, then copies of it with new ids: waiting, with their leaves.
    let log = AccessLog::new(database.clone());
    log.append(NewEntry {
        staff: StaffId::parse(demo::SABINE_FISCHER).expect("an id"),
        office: OfficeCode::new("wohngeldstelle"),
        citizen: CitizenId::parse(demo::JONAS_WEBER).expect("an id"),
        categories: vec![Category::Identity, Category::IncomeAssets],
        purpose: "Bearbeitung".to_owned(),
        basis: LogBasis::Application,
        basis_ref: None,
    })
    .await
    .expect("appended");
    let copies = match backend {
        Backend::Sqlite => format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {copies}) \
             INSERT INTO access_log (id, occurred_at, staff_id, office_code, citizen_id, categories, purpose, basis, basis_ref, leaf) \
             SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-a' \
               || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))), \
               l.occurred_at, l.staff_id, l.office_code, l.citizen_id, l.categories, l.purpose, l.basis, l.basis_ref, \
               replace(l.leaf, substr(l.leaf, instr(l.leaf, '\"salt\":\"') + 8, 64), lower(hex(randomblob(32)))) \
             FROM n, (SELECT * FROM access_log ORDER BY seq DESC LIMIT 1) l",
            copies = ENTRIES - 1
        ),
        Backend::Postgres => format!(
            "INSERT INTO access_log (id, occurred_at, staff_id, office_code, citizen_id, categories, purpose, basis, basis_ref, leaf) \
             SELECT gen_random_uuid(), l.occurred_at, l.staff_id, l.office_code, l.citizen_id, l.categories, l.purpose, l.basis, \
               l.basis_ref, replace(l.leaf, substr(l.leaf, strpos(l.leaf, '\"salt\":\"') + 8, 64), md5(random()::text) || md5(random()::text)) \
             FROM generate_series(1, {copies}), (SELECT * FROM access_log ORDER BY seq DESC LIMIT 1) l",
            copies = ENTRIES - 1
        ),
    };
    execute(test_database.url(), &copies).await;
    let waiting = u64::try_from(query_i64(test_database.url(), "SELECT COUNT(*) FROM access_log WHERE leaf_index IS NULL").await).expect("a count");
    assert!(waiting >= ENTRIES, "{waiting} entries wait");

    let sequencer = Sequencer::new(&database, LogSigner::generate("bench.example/log").expect("a key"), None);
    let started = Instant::now();
    let mut placed = 0;
    while let Some((_, count)) = sequencer.integrate().await.expect("integrates") {
        placed += count as u64;
    }
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(placed, waiting, "every waiting entry is placed");
    let checkpoints = count_rows(test_database.url(), "access_log_checkpoints").await;
    println!(
        "| {backend:?} | {placed} | {checkpoints} | {seconds:.1} | {:.0} |",
        placed as f64 / seconds
    );
    database.close().await;
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
    println!("| database | entries | checkpoints | seconds | entries/s |");
    println!("|---|---:|---:|---:|---:|");
    runtime.block_on(measure(Backend::Sqlite));
    if postgres_available() {
        runtime.block_on(measure(Backend::Postgres));
    }
}
