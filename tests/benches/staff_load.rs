//! The staff view under load: 100,000 citizens and 300,000 applications generated into a fresh
//! database (SQLite, and PostgreSQL when KLARSICHT_TEST_POSTGRES_URL is set) and settled as a
//! database that grew over time would be (see `load::generate_sql`), the real app on a
//! port of 127.0.0.1, and wrk (Debian's `wrk`) as the load generator with 32 connections for
//! 20 s each against: the queue's first page (the HTML page and its server function) and a case
//! view (the page and `mitarbeitende/akte`, each read through the gate and logged). Prints
//! p50, p99 and throughput per target, and fails when a request failed; issue 6 asks for
//! p99 ≤ 50 ms.
//!
//! `cargo bench -p klarsicht-tests --bench staff_load` (needs `wrk` on PATH: `apt-get install wrk`).
//! `KLARSICHT_LOAD_SECONDS` and `KLARSICHT_LOAD_CITIZENS` change duration and size,
//! `KLARSICHT_LOAD_POOL` the pool's connections (10); `KLARSICHT_LOAD_ONLY=case` runs only the
//! targets whose name holds that text.

use klarsicht_tests::{
    Backend, Visitor, demo,
    load::{CONNECTIONS, app_with_generated_data, backend_name, case_in_review, setting, wrk},
    postgres_available,
};

async fn run(backend: Backend, citizens: u32, seconds: u32) {
    let name = backend_name(backend);
    let app = app_with_generated_data(backend, citizens).await;
    let mut sabine = Visitor::new(&app);
    sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
    let cookie = sabine.cookie().expect("a session").to_owned();
    let case = case_in_review(u64::from(citizens));
    let (status, _) = sabine.call("mitarbeitende/akte", &[("application", &case)]).await;
    assert_eq!(status, 200, "the case {case} opens");
    let targets = [
        ("queue page", app.url("/mitarbeitende/warteschlange"), None),
        ("queue (server function)", app.url("/api/mitarbeitende/warteschlange"), Some(String::new())),
        ("case page", app.url(&format!("/mitarbeitende/faelle/{case}")), None),
        ("case (server function)", app.url("/api/mitarbeitende/akte"), Some(format!("application={case}"))),
    ];
    println!("\n{name}: {citizens} citizens, {} applications, {CONNECTIONS} connections, {seconds} s each", citizens * 3);
    println!("| target | requests/s | p50 ms | p99 ms | errors |");
    println!("|---|---:|---:|---:|---:|");
    let only: String = setting("KLARSICHT_LOAD_ONLY", String::new());
    let mut errors = 0;
    for (label, url, body) in targets.into_iter().filter(|(label, ..)| label.contains(only.as_str())) {
        let measured = wrk(&url, &cookie, body.as_deref(), seconds);
        println!(
            "| {label} | {:.0} | {:.1} | {:.1} | {} |",
            measured.throughput, measured.p50, measured.p99, measured.errors
        );
        errors += measured.errors;
    }
    assert_eq!(errors, 0, "{name}: requests failed, so these figures do not count");
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else to read.
    let seconds = setting("KLARSICHT_LOAD_SECONDS", 20);
    let citizens = setting("KLARSICHT_LOAD_CITIZENS", 100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
    runtime.block_on(run(Backend::Sqlite, citizens, seconds));
    if postgres_available() {
        runtime.block_on(run(Backend::Postgres, citizens, seconds));
    } else {
        println!("PostgreSQL skipped: set KLARSICHT_TEST_POSTGRES_URL");
    }
}
