//! Scale (issue 8): how the portal answers as PostgreSQL grows. For each size (10,000, 100,000
//! and 1,000,000 citizens by default) a fresh database gets the citizens with six categories of
//! data, three applications each, and thirty access-log entries each (30,000,000 at a million),
//! then wrk with 32 connections runs for `KLARSICHT_LOAD_SECONDS` (10) against:
//! the queue's first page and a case page (a caseworker of the Wohngeldstelle), the consent
//! cockpit, the access log page and the proofs its check fetches (a generated citizen), and the
//! data protection officer's access log across citizens. Every entry is a leaf of the tree, and a
//! witness cosigns the checkpoints as in a city. Prints throughput, p50 and p99 per target and
//! size, and fails when a request failed. Then the citizen's browser checks their newest entries
//! in headless Chromium, and the bench times the proofs on the server alone, one at a time, for a
//! thousand citizens spread over the tree.
//!
//! `KLARSICHT_TEST_POSTGRES_URL=… cargo bench -p klarsicht-tests --bench scale`;
//! `KLARSICHT_SCALE_SIZES=10000,100000` chooses the sizes. The million needs tens of GB of
//! disk and the better part of an hour on two cores; up to 100,000 citizens the generated log
//! is checked first as `server verify-access-log` checks it.

use std::{collections::BTreeSet, path::Path, process::Command, time::Instant};

use app::server::{
    access_log::{
        sequencer::{Sequencer, sign_checkpoint},
        tree::TileHashes,
    },
    db::{Database, DatabaseUrl},
};
use futures::TryStreamExt;
use klarsicht_tests::{
    Backend, Visitor, demo, execute,
    load::{CONNECTIONS, app_with_generated_data_and, case_in_review, percentile, setting, wrk},
    postgres_available, start_witness, test_settings,
};
use server::settings::Settings;
use sqlx::Connection;
use tlog_tiles::{Hash, tree_hash};

/// Log entries per citizen.
const ENTRIES_PER_CITIZEN: u64 = 30;
/// Citizens whose proofs [`proofs_on_the_server`] times.
const PROVED_CITIZENS: u64 = 1_000;
/// Up to this many citizens the generated tree is checked as `server verify-access-log` checks
/// it, before the measurement (a few seconds; at the million it would take minutes).
const VERIFIED_UP_TO: u64 = 100_000;

/// Thirty access-log entries per citizen, each a Wohngeldstelle read of the citizen's housing
/// benefit application, numbered by seq, each with its leaf and its place in the tree; then the
/// tree's tiles and its signed checkpoint, as the sequencer would have written them over the
/// years (`place_in_tree`). The database's triggers are off for the generating session only.
async fn generate_log(url: &str, citizens: u64) {
    let started = Instant::now();
    let entries = citizens * ENTRIES_PER_CITIZEN;
    execute(
        url,
        &format!(
            "SET session_replication_role = replica; \
             INSERT INTO access_log (seq, id, occurred_at, staff_id, office_code, citizen_id, categories, purpose, basis, \
             basis_ref, leaf, leaf_index) \
             SELECT s, id, at, '{sabine}', 'wohngeldstelle', person, '[\"identity\", \"income_assets\"]', 'application', \
             'application', application, \
             '{{\"id\":\"' || id || '\",\"time\":\"' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') \
             || '\",\"office\":\"wohngeldstelle\",\"role\":\"caseworker\",\"person\":\"' || person \
             || '\",\"categories\":[\"identity\",\"income_assets\"],\"purpose\":\"application\",\"basis\":\"application\",\"rests_on\":\"' \
             || application || '\",\"salt\":\"' || md5(random()::text) || md5(random()::text) || '\"}}', s - 1 \
             FROM (SELECT s, gen_random_uuid() AS id, timestamptz '2026-01-01' + s * interval '1 second' AS at, \
               CAST('00000000-0000-4000-9000-' || lpad((((s - 1) % {citizens}) + 1)::text, 12, '0') AS UUID) AS person, \
               CAST('00000000-0000-4000-a000-' || lpad(((((s - 1) % {citizens}) + 1) + {citizens} * ((3 - (((s - 1) % {citizens}) + 1) % 3) % 3))::text, 12, '0') AS UUID) AS application \
               FROM generate_series(1, {entries}) s) generated",
            sabine = demo::SABINE_FISCHER,
        ),
    )
    .await;
    execute(url, &format!("SELECT setval('access_log_seq', {entries})")).await;
    println!("generated {entries} access-log entries in {:.0} s", started.elapsed().as_secs_f64());
    let placing = Instant::now();
    place_in_tree(url, entries).await;
    println!("placed them in the tree in {:.0} s", placing.elapsed().as_secs_f64());
    // A bulk insert leaves the visibility map unset, autovacuum with work to do and the
    // checkpointer with a backlog, all during the measurement (a commit then waits for the disk);
    // a city's database that grew over years has none of it.
    execute(url, "VACUUM ANALYZE").await;
    execute(url, "CHECKPOINT").await;
    println!("the log is ready after {:.0} s", started.elapsed().as_secs_f64());
}

/// The tiles of the tree of every leaf, from their hashes in leaf order, and the checkpoint of
/// it signed with the test settings' key (the app's): what the sequencer writes, in bulk.
async fn place_in_tree(url: &str, entries: u64) {
    let mut connection = sqlx::PgConnection::connect(url).await.expect("connects");
    let mut tiles = TileHashes::default();
    let mut changed = BTreeSet::new();
    let mut hashes = sqlx::query_scalar::<_, Vec<u8>>(
        "SELECT sha256('\\x00'::bytea || convert_to(leaf, 'UTF8')) FROM access_log ORDER BY leaf_index",
    )
    .fetch(&mut connection);
    let mut index = 0;
    while let Some(hash) = hashes.try_next().await.expect("a hash") {
        tiles.append(index, Hash(hash.try_into().expect("32 bytes")), &mut changed);
        index += 1;
    }
    drop(hashes);
    assert_eq!(index, entries, "every entry is a leaf");
    let root = tree_hash(entries, &tiles).expect("the tiles give a root");
    let stored: Vec<_> = tiles.0.iter().collect();
    for chunk in stored.chunks(500) {
        let mut insert = sqlx::QueryBuilder::<sqlx::Postgres>::new("INSERT INTO access_log_tiles (level, idx, hashes) ");
        insert.push_values(chunk, |mut row, ((level, index), hashes)| {
            row.push_bind(i64::from(*level)).push_bind(i64::try_from(*index).expect("an index")).push_bind(hashes.as_slice());
        });
        insert.build().execute(&mut connection).await.expect("the tiles are written");
    }
    let signer = Settings::check(test_settings(url)).expect("valid settings").log_signer;
    let note = sign_checkpoint(&signer, entries, root).expect("signed");
    sqlx::query("INSERT INTO access_log_checkpoints (tree_size, root_hash, signed_at, note) VALUES ($1, $2, now(), $3)")
        .bind(i64::try_from(entries).expect("a size"))
        .bind(root.to_string())
        .bind(note)
        .execute(&mut connection)
        .await
        .expect("the checkpoint is written");
    connection.close().await.expect("closes");
}

/// The proofs for the page's check as the server makes them (`Sequencer::proofs`, after the
/// leaves' query), one citizen after another, 997 citizens apart: the server's own time without
/// waiting for other requests. At a million citizens no two of them share a tile of leaves, so
/// the leaves' tiles come from the database each time; the tiles above them are kept after the
/// first. Answers p50 and p99 in milliseconds.
async fn proofs_on_the_server(url: &str, citizens: u64) -> (f64, f64) {
    let settings = Settings::check(test_settings(url)).expect("valid settings");
    let database = Database::connect(&DatabaseUrl::parse(url).expect("a URL"), 4).await.expect("connects");
    let sequencer = Sequencer::new(&database, settings.log_signer, None);
    let mut connection = sqlx::PgConnection::connect(url).await.expect("connects");
    let mut millis = Vec::new();
    // Citizens n and n + 1 have neighbouring leaves, in one tile of 256.
    for n in 0..PROVED_CITIZENS.min(citizens) {
        let citizen = format!("00000000-0000-4000-9000-{:012}", (n * 997) % citizens + 1);
        let started = Instant::now();
        let leaves: Vec<(String, Option<i64>)> = sqlx::query_as(
            "SELECT leaf, leaf_index FROM access_log WHERE citizen_id = CAST($1 AS UUID) ORDER BY seq DESC LIMIT 30",
        )
        .bind(&citizen)
        .fetch_all(&mut connection)
        .await
        .expect("the leaves");
        let proofs = sequencer.proofs(leaves, None).await.expect("the proofs");
        millis.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(proofs.entries.len(), 30, "each of the citizen's entries is proved");
    }
    // The first has none of the upper tiles kept yet.
    millis.remove(0);
    millis.sort_by(f64::total_cmp);
    (percentile(&millis, 0.5), percentile(&millis, 0.99))
}

/// The citizen's check of their newest entries in headless Chromium, as their browser runs it on
/// the access log page (`tests/browser/check_at_scale.mjs`), ten visits one after another: the
/// first checks the entries' inclusion, each later one also the log's consistency with the
/// visit before. Needs the release build of the site (`cargo leptos build --release`) and the
/// browser tests' packages; without them it says so and measures nothing.
fn check_in_the_browser(portal: &str, cookie: &str) {
    let browser_tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser");
    let site = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/site/pkg");
    if !site.is_dir() || !browser_tests.join("node_modules/playwright-core").is_dir() {
        println!("\nthe browser's check: not measured (needs `cargo leptos build --release` and `npm ci --prefix tests/browser`)");
        return;
    }
    let output = Command::new("node")
        .arg("check_at_scale.mjs")
        .args([portal.trim_end_matches('/'), cookie, "10"])
        .current_dir(&browser_tests)
        .output()
        .expect("node runs");
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "the browser's check failed: {printed}{}", String::from_utf8_lossy(&output.stderr));
    println!("\nthe browser's check of the citizen's newest entries (the island's own measure, without fetching):");
    print!("{printed}");
}

async fn run(citizens: u64, seconds: u32) {
    let started = Instant::now();
    // A witness beside the portal, as a city runs it: it cosigns the checkpoints of the reads
    // during the measurement, and the citizen's browser checks both signatures.
    let witness_state = tempfile::tempdir().expect("a directory");
    let (witness_url, witness_key) = start_witness(&witness_state.path().join("zeuge.json")).await;
    let app = app_with_generated_data_and(Backend::Postgres, citizens as u32, |settings| {
        settings.witness_url = Some(witness_url);
        settings.witness_key = Some(witness_key);
    })
    .await;
    generate_log(app.database_url(), citizens).await;
    println!("{citizens} citizens ready in {:.0} s", started.elapsed().as_secs_f64());
    if citizens <= VERIFIED_UP_TO {
        // The generated log is one the portal's own check finds intact.
        let settings = Settings::check(test_settings(app.database_url())).expect("valid settings");
        let tree = server::startup::verify_access_log(&settings).await.expect("the check runs");
        assert_eq!((tree.problem, tree.leaves), (None, citizens * ENTRIES_PER_CITIZEN), "the generated tree");
    }

    // A citizen in the middle of the generated ones signs in as a demo person does.
    let middle = citizens / 2 + 1;
    let citizen = format!("00000000-0000-4000-9000-{middle:012}");
    execute(app.database_url(), &format!("UPDATE citizens SET oidc_subject = 'demo-scale' WHERE id = '{citizen}'")).await;
    let mut person = Visitor::new(&app);
    person.sign_in_as_demo(&citizen).await;
    let mut sabine = Visitor::new(&app);
    sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
    let mut claudia = Visitor::new(&app);
    claudia.sign_in_as_demo(demo::CLAUDIA_NEUMANN).await;
    let cookie = |visitor: &Visitor<'_>| visitor.cookie().expect("a session").to_owned();
    let case = case_in_review(citizens);
    let targets = [
        ("queue page", app.url("/mitarbeitende/warteschlange"), cookie(&sabine), None),
        ("case page", app.url(&format!("/mitarbeitende/faelle/{case}")), cookie(&sabine), None),
        ("consent cockpit", app.url("/buerger/freigaben"), cookie(&person), None),
        ("access log (citizen's page)", app.url("/buerger/zugriffe"), cookie(&person), None),
        ("proofs for the page's check", app.url("/api/buerger/protokoll-beweise"), cookie(&person), Some("")),
        ("access log (data protection officer)", app.url("/api/datenschutz/zugriffe"), cookie(&claudia), Some("office=wohngeldstelle")),
    ];
    println!("\nPostgreSQL, {citizens} citizens, {} applications, {} log entries, {CONNECTIONS} connections, {seconds} s each", citizens * 3, citizens * ENTRIES_PER_CITIZEN);
    println!("| target | requests/s | p50 ms | p99 ms | errors |");
    println!("|---|---:|---:|---:|---:|");
    let mut errors = 0;
    for (label, url, cookie, body) in targets {
        let measured = wrk(&url, &cookie, body, seconds);
        println!("| {label} | {:.0} | {:.1} | {:.1} | {} |", measured.throughput, measured.p50, measured.p99, measured.errors);
        errors += measured.errors;
    }
    assert_eq!(errors, 0, "{citizens} citizens: requests failed, so these figures do not count");
    check_in_the_browser(&app.url(""), &cookie(&person));
    let (p50, p99) = proofs_on_the_server(app.database_url(), citizens).await;
    println!(
        "\nproofs on the server, one at a time, {} citizens 997 apart: p50 {p50:.1} ms, p99 {p99:.1} ms",
        PROVED_CITIZENS.min(citizens) - 1
    );
}

fn main() {
    if !postgres_available() {
        println!("the scale benchmark runs on PostgreSQL: set KLARSICHT_TEST_POSTGRES_URL");
        return;
    }
    let seconds = setting("KLARSICHT_LOAD_SECONDS", 10);
    let sizes: Vec<u64> = std::env::var("KLARSICHT_SCALE_SIZES")
        .unwrap_or_else(|_| "10000,100000,1000000".to_owned())
        .split(',')
        .filter_map(|size| size.trim().parse().ok())
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
    for citizens in sizes {
        runtime.block_on(run(citizens, seconds));
    }
}
