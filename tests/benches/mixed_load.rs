//! Mixed traffic from 500 sessions at once for 60 s (issue 8): 400 citizens and 100
//! caseworkers, each signed in with a session of their own, on top of 10,000 generated citizens
//! with 30,000 applications, against the real app on a port of 127.0.0.1, on SQLite and on
//! PostgreSQL (when KLARSICHT_TEST_POSTGRES_URL is set).
//!
//! A citizen looks at their start page, their consent cockpit, their access log and their data,
//! and once during the run submits the two applications they prepared. A caseworker of the
//! Wohngeldstelle opens the queue (page and server function) and cases (page and server
//! function, each read through the gate and logged). Each session waits 0.5 to 1.5 s between
//! requests, as a person does. Prints throughput, p50 and p99 per kind of request and in all,
//! every error, and whether every confirmed submission is stored (each must be).
//!
//! `cargo bench -p klarsicht-tests --bench mixed_load`; `KLARSICHT_LOAD_SECONDS`,
//! `KLARSICHT_LOAD_CITIZENS` and `KLARSICHT_LOAD_SESSIONS` change duration, data size and
//! sessions (a fifth of them caseworkers).

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use klarsicht_tests::{
    Backend, Visitor, demo, execute,
    load::{app_with_generated_data, backend_name, percentile, setting},
    postgres_available, query_i64,
};

/// One answered request: its kind, how long it took, and whether it succeeded.
struct Sample {
    kind: &'static str,
    millis: f64,
    ok: bool,
}

#[derive(Default)]
struct Results {
    samples: Vec<Sample>,
    errors: Vec<String>,
    submissions_confirmed: i64,
}

/// The load citizens: `demo-last-<n>`, so the development sign-in accepts them.
fn citizen_id(n: usize) -> String {
    format!("00000000-0000-4000-b000-{n:012}")
}

/// `count` load citizens, each with a copy of Anna's data (demo): their forms prefill as hers do.
async fn create_citizens(url: &str, count: usize) {
    let values: Vec<String> = (0..count)
        .map(|n| format!("('{}', 'demo-last-{n}', 'Lea', 'Last{n}', '1990-01-01', '2026-01-01T00:00:00.000000Z')", citizen_id(n)))
        .collect();
    execute(url, &format!("INSERT INTO citizens (id, oidc_subject, given_name, family_name, birth_date, created_at) VALUES {}", values.join(", "))).await;
    execute(
        url,
        &format!(
            "INSERT INTO citizen_data (citizen_id, category_code, data, updated_at) SELECT c.id, d.category_code, d.data, d.updated_at \
             FROM citizens c CROSS JOIN citizen_data d WHERE c.oidc_subject LIKE 'demo-last-%' AND d.citizen_id = '{anna}'",
            anna = demo::ANNA_BECKER,
        ),
    )
    .await;
}

/// Fills in housing benefit and basic income support up to the check page, as the forms would
/// (Anna's data prefills every page but the bank account); answers the submit arguments.
async fn prepare(citizen: &mut Visitor<'_>) -> String {
    let (status, first) = citizen.call("buerger/antrag-waehlen", &[("benefits[0]", "wohngeld"), ("benefits[1]", "grundsicherung")]).await;
    assert_eq!(status, 200, "{first}");
    let page_of = |path: &str| path.split('?').next().unwrap_or_default().rsplit('/').next().unwrap_or_default().to_owned();
    let mut page = page_of(first.as_str().unwrap_or_default());
    let extra = BTreeMap::from([("kontoinhaber", "Lea Last"), ("iban", "DE89370400440532013000")]);
    while page != "pruefen" {
        let (_, step) = citizen.call("buerger/antrag-schritt", &[("category", &page)]).await;
        let answers: Vec<(String, String)> = step["questions"]
            .as_array()
            .expect("questions")
            .iter()
            .map(|question| {
                let key = question["key"].as_str().unwrap_or_default();
                let value = extra.get(key).map_or_else(|| question["value"].as_str().unwrap_or_default().to_owned(), |value| (*value).to_owned());
                (format!("answers[{key}]"), value)
            })
            .collect();
        let mut form: Vec<(&str, &str)> = answers.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
        form.push(("category", &page));
        let (status, saved) = citizen.call("buerger/antrag-speichern", &form).await;
        assert!(status == 200 && saved["complete"] == true, "page {page}: {saved}");
        page = page_of(saved["next"].as_str().unwrap_or_default());
    }
    let (_, check) = citizen.call("buerger/antrag-pruefen", &[]).await;
    let versions: Vec<&str> = check["offices"].as_array().expect("offices").iter().map(|office| office["version"].as_str().unwrap_or_default()).collect();
    format!("versions={}", versions.join(","))
}

/// A request of a session: its kind, the path, and the form it POSTs (GET without one).
type Planned = (&'static str, String, Option<String>);

/// What one session does: its cookie, the requests it goes round, and in which round it
/// submits with which arguments.
struct Session {
    cookie: String,
    plan: Vec<Planned>,
    submission: Option<(usize, String)>,
}

/// One session's requests until `until`, with a person's pauses in between.
async fn session(client: reqwest::Client, base: String, session: Session, until: Instant, results: Arc<Mutex<Results>>, seed: u64) {
    let Session { cookie, plan, submission } = session;
    let mut random = seed;
    let mut next_random = move || {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        random
    };
    let mut round = 0_usize;
    // Sessions start spread over the first second rather than all at once.
    tokio::time::sleep(Duration::from_millis(next_random() % 1000)).await;
    while Instant::now() < until {
        let (kind, path, body) = match &submission {
            Some((at, arguments)) if *at == round => ("submit", "/api/buerger/antrag-absenden".to_owned(), Some(arguments.clone())),
            _ => plan[round % plan.len()].clone(),
        };
        round += 1;
        let request = match &body {
            Some(body) => client
                .post(format!("{base}{path}"))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .body(body.clone()),
            None => client.get(format!("{base}{path}")),
        };
        let started = Instant::now();
        let answer = request.header("cookie", &cookie).send().await;
        let (ok, problem) = match answer {
            Ok(response) => {
                let status = response.status();
                let text = response.text().await.unwrap_or_default();
                (status.is_success(), (!status.is_success()).then(|| format!("{kind} {path}: {status} {}", text.chars().take(200).collect::<String>())))
            }
            Err(error) => (false, Some(format!("{kind} {path}: {error}"))),
        };
        let millis = started.elapsed().as_secs_f64() * 1000.0;
        {
            let mut results = results.lock().expect("not poisoned");
            results.samples.push(Sample { kind, millis, ok });
            if let Some(problem) = problem {
                results.errors.push(problem);
            } else if kind == "submit" {
                results.submissions_confirmed += 1;
            }
        }
        tokio::time::sleep(Duration::from_millis(500 + next_random() % 1000)).await;
    }
}

async fn run(backend: Backend, background: u32, sessions: usize, seconds: u64) {
    let name = backend_name(backend);
    let app = app_with_generated_data(backend, background).await;
    let caseworkers = sessions / 5;
    let citizens = sessions - caseworkers;
    create_citizens(app.database_url(), citizens).await;

    let prepared_at = Instant::now();
    let mut plans = Vec::new();
    for n in 0..citizens {
        let mut citizen = Visitor::new(&app);
        citizen.sign_in_as_demo(&citizen_id(n)).await;
        let submit = prepare(&mut citizen).await;
        let cookie = citizen.cookie().expect("a session").to_owned();
        let plan = vec![
            ("citizen start page", "/buerger/start".to_owned(), None),
            ("citizen overview (server function)", "/api/buerger/uebersicht".to_owned(), Some(String::new())),
            ("consent cockpit", "/buerger/freigaben".to_owned(), None),
            ("access log", "/buerger/zugriffe".to_owned(), None),
            ("my data", "/buerger/daten".to_owned(), None),
        ];
        // Each submits once, somewhere in the first half of the run.
        let at = 1 + n % (seconds as usize / 2).max(1);
        plans.push(Session { cookie, plan, submission: Some((at, submit)) });
    }
    for n in 0..caseworkers {
        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
        let cookie = sabine.cookie().expect("a session").to_owned();
        // Cases of the Wohngeldstelle in review (every thirtieth generated application from the
        // third on, see `load::generate_sql`), different per session.
        let case = |k: usize| format!("00000000-0000-4000-a000-{:012}", ((n * 97 + k * 31) % (background as usize / 10)) * 30 + 3);
        let plan = vec![
            ("queue page", "/mitarbeitende/warteschlange".to_owned(), None),
            ("case (server function)", "/api/mitarbeitende/akte".to_owned(), Some(format!("application={}", case(0)))),
            ("queue (server function)", "/api/mitarbeitende/warteschlange".to_owned(), Some(String::new())),
            ("case page", format!("/mitarbeitende/faelle/{}", case(1)), None),
        ];
        plans.push(Session { cookie, plan, submission: None });
    }
    println!("{name}: {citizens} citizens prepared two applications each and {caseworkers} caseworkers signed in in {:.0} s", prepared_at.elapsed().as_secs_f64());

    let client = reqwest::Client::builder().pool_max_idle_per_host(sessions).build().expect("a client");
    let results = Arc::new(Mutex::new(Results::default()));
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = plans
        .into_iter()
        .enumerate()
        .map(|(index, planned)| tokio::spawn(session(client.clone(), app.url(""), planned, until, results.clone(), index as u64 * 7919 + 17)))
        .collect();
    for task in tasks {
        task.await.expect("a session finishes");
    }
    let elapsed = started.elapsed().as_secs_f64();

    let results = std::mem::take(&mut *results.lock().expect("not poisoned"));
    let stored = query_i64(
        app.database_url(),
        "SELECT COUNT(*) FROM applications a JOIN citizens c ON c.id = a.citizen_id \
         WHERE c.oidc_subject LIKE 'demo-last-%' AND a.status = 'submitted'",
    )
    .await;
    let mut kinds: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut all = Vec::new();
    for sample in &results.samples {
        kinds.entry(sample.kind).or_default().push(sample.millis);
        all.push(sample.millis);
    }
    println!("\n{name}: {sessions} sessions for {seconds} s over {background} generated citizens ({} applications)", background * 3);
    println!("| requests | count | requests/s | p50 ms | p99 ms |");
    println!("|---|---:|---:|---:|---:|");
    for (kind, mut millis) in kinds {
        millis.sort_by(f64::total_cmp);
        println!("| {kind} | {} | {:.0} | {:.1} | {:.1} |", millis.len(), millis.len() as f64 / elapsed, percentile(&millis, 0.5), percentile(&millis, 0.99));
    }
    all.sort_by(f64::total_cmp);
    println!("| **all** | {} | {:.0} | {:.1} | {:.1} |", all.len(), all.len() as f64 / elapsed, percentile(&all, 0.5), percentile(&all, 0.99));
    let failed = results.samples.iter().filter(|sample| !sample.ok).count();
    println!("errors: {failed}");
    for error in results.errors.iter().take(10) {
        println!("  {error}");
    }
    println!(
        "submissions: {} confirmed, {} applications stored (two each): {}",
        results.submissions_confirmed,
        stored,
        if stored == results.submissions_confirmed * 2 { "none lost" } else { "MISMATCH" }
    );
}

fn main() {
    let seconds = setting("KLARSICHT_LOAD_SECONDS", 60);
    let background = setting("KLARSICHT_LOAD_CITIZENS", 10_000);
    let sessions = setting("KLARSICHT_LOAD_SESSIONS", 500);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
    runtime.block_on(run(Backend::Sqlite, background, sessions, seconds));
    if postgres_available() {
        runtime.block_on(run(Backend::Postgres, background, sessions, seconds));
    } else {
        println!("PostgreSQL skipped: set KLARSICHT_TEST_POSTGRES_URL");
    }
}
