//! Scale (issue 8): how the portal answers as PostgreSQL grows. For each size (10,000, 100,000
//! and 1,000,000 citizens by default) a fresh database gets the citizens with six categories of
//! data, three applications each, and thirty access-log entries each (30,000,000 at a million),
//! then wrk with 32 connections runs for `KLARSICHT_LOAD_SECONDS` (10) against:
//! the queue's first page and a case page (a caseworker of the Wohngeldstelle), the consent
//! cockpit and the access log page (a generated citizen), and the data protection officer's
//! access log across citizens. Prints throughput, p50 and p99 per target and size, and fails
//! when a request failed.
//!
//! `KLARSICHT_TEST_POSTGRES_URL=… cargo bench -p klarsicht-tests --bench scale`;
//! `KLARSICHT_SCALE_SIZES=10000,100000` chooses the sizes. The million needs about 25 GB of
//! disk and about 21 minutes on two cores to generate (the whole run about 25).

use std::time::Instant;

use klarsicht_tests::{
    Backend, Visitor, demo, execute,
    load::{CONNECTIONS, app_with_generated_data, case_in_review, setting, wrk},
    postgres_available,
};

/// Log entries per citizen.
const ENTRIES_PER_CITIZEN: u64 = 30;

/// Thirty access-log entries per citizen, each a Wohngeldstelle read of the citizen's housing
/// benefit application, numbered by seq. They have no leaves yet: the sequencer gives them theirs
/// and places them in the tree, in batches, while the portal serves (what a log from before the
/// tree goes through once).
async fn generate_log(url: &str, citizens: u64) {
    let started = Instant::now();
    let entries = citizens * ENTRIES_PER_CITIZEN;
    execute(
        url,
        &format!(
            "INSERT INTO access_log (seq, id, occurred_at, staff_id, office_code, citizen_id, categories, purpose, basis, \
             basis_ref) \
             SELECT s, gen_random_uuid(), timestamptz '2026-01-01' + s * interval '1 second', '{sabine}', 'wohngeldstelle', \
             CAST('00000000-0000-4000-9000-' || lpad((((s - 1) % {citizens}) + 1)::text, 12, '0') AS UUID), \
             '[\"identity\", \"income_assets\"]', 'application', 'application', \
             CAST('00000000-0000-4000-a000-' || lpad(((((s - 1) % {citizens}) + 1) + {citizens} * ((3 - (((s - 1) % {citizens}) + 1) % 3) % 3))::text, 12, '0') AS UUID) \
             FROM generate_series(1, {entries}) s",
            sabine = demo::SABINE_FISCHER,
        ),
    )
    .await;
    execute(url, &format!("SELECT setval('access_log_seq', {entries})")).await;
    // A bulk insert leaves the visibility map unset and autovacuum with work to do during the
    // measurement; a city's database that grew over years has neither.
    execute(url, "VACUUM ANALYZE").await;
    println!("generated {entries} access-log entries in {:.0} s", started.elapsed().as_secs_f64());
}

async fn run(citizens: u64, seconds: u32) {
    let started = Instant::now();
    let app = app_with_generated_data(Backend::Postgres, citizens as u32).await;
    generate_log(app.database_url(), citizens).await;
    println!("{citizens} citizens ready in {:.0} s", started.elapsed().as_secs_f64());

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
