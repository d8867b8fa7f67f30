//! Generated data for the load benchmarks: `citizens` citizens, each with six categories of
//! data, and three applications each, written straight into a fresh database.

use std::{process::Command, str::FromStr, time::Instant};

use server::settings::SettingsInput;

use crate::{Backend, TestApp, execute};

/// Connections wrk keeps open: issue 6's 32 concurrent clients.
pub const CONNECTIONS: u32 = 32;

/// The number in the environment variable `name`, or `default` when it is unset or no number.
pub fn setting<T: FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|value| value.parse().ok()).unwrap_or(default)
}

/// A case of the Wohngeldstelle in review, deep in the data generated for `citizens` (every
/// thirtieth application from the third on is one, see [`generate_sql`]).
pub fn case_in_review(citizens: u64) -> String {
    format!("00000000-0000-4000-a000-{:012}", citizens * 3 / 2 / 30 * 30 + 3)
}

/// The backend's name as the benchmarks print it.
pub fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    }
}

/// The real app for a load benchmark, with the demo data (its people sign in) and `citizens`
/// generated citizens; a pool of ten connections, as in production, unless
/// `KLARSICHT_LOAD_POOL` says otherwise.
pub async fn app_with_generated_data(backend: Backend, citizens: u32) -> TestApp {
    app_with_generated_data_and(backend, citizens, |_| {}).await
}

/// [`app_with_generated_data`], with settings `adjust` changes (a witness, say).
pub async fn app_with_generated_data_and(backend: Backend, citizens: u32, adjust: impl FnOnce(&mut SettingsInput)) -> TestApp {
    let pool = setting("KLARSICHT_LOAD_POOL", 10);
    let app = TestApp::spawn_with(backend, |settings| {
        settings.demo_data = Some(true);
        settings.database_max_connections = Some(pool);
        adjust(settings);
    })
    .await;
    generate(backend, app.database_url(), citizens).await;
    app
}

/// The generated data: citizens `00000000-0000-4000-9000-<n>`, each with six categories of
/// data; three applications each (one per office, in turn), spread over every status;
/// the answers of every category the application's template requires.
pub fn generate_sql(backend: Backend, citizens: u32) -> Vec<String> {
    let applications = citizens * 3;
    match backend {
        Backend::Postgres => vec![
            // The per-row trigger that keeps the queue's counts would run 300,000 times; the
            // counts are rebuilt in one statement after the applications are in.
            "ALTER TABLE applications DISABLE TRIGGER queue_counts_follow".to_owned(),
            format!(
                "INSERT INTO citizens (id, oidc_subject, given_name, family_name, birth_date, created_at) \
                 SELECT CAST('00000000-0000-4000-9000-' || lpad(n::text, 12, '0') AS UUID), 'last-' || n, 'Vorname' || n, \
                 'Nachname' || (n % 7919), '1980-01-01', timestamptz '2026-01-01' FROM generate_series(1, {citizens}) n"
            ),
            format!(
                "INSERT INTO citizen_data (citizen_id, category_code, data, updated_at) \
                 SELECT CAST('00000000-0000-4000-9000-' || lpad(n::text, 12, '0') AS UUID), c.code, \
                 jsonb_build_object('vorname', 'Vorname' || n, 'wert', n, 'text', 'Angabe ' || c.code || ' ' || n), timestamptz '2026-01-01' \
                 FROM generate_series(1, {citizens}) n CROSS JOIN (VALUES ('identity'), ('contact'), ('household'), ('income_assets'), \
                 ('housing'), ('bank_account')) AS c(code)"
            ),
            format!(
                "INSERT INTO applications (id, reference, citizen_id, submitted_by_citizen_id, benefit_type_code, office_code, \
                 template_version_id, status, assigned_staff_id, decision_reason, created_at, updated_at, submitted_at, decided_at, closed_at) \
                 SELECT CAST('00000000-0000-4000-a000-' || lpad(n::text, 12, '0') AS UUID), 'LAST-' || lpad(n::text, 7, '0'), \
                 CAST('00000000-0000-4000-9000-' || lpad((((n - 1) % {citizens}) + 1)::text, 12, '0') AS UUID), \
                 CAST('00000000-0000-4000-9000-' || lpad((((n - 1) % {citizens}) + 1)::text, 12, '0') AS UUID), \
                 (ARRAY['wohngeld', 'hilfe_zur_erziehung', 'grundsicherung'])[n % 3 + 1], \
                 (ARRAY['wohngeldstelle', 'jugendamt', 'sozialamt'])[n % 3 + 1], \
                 CAST((ARRAY['00000000-0000-4000-8000-000000000311', '00000000-0000-4000-8000-000000000312', \
                   '00000000-0000-4000-8000-000000000313'])[n % 3 + 1] AS UUID), \
                 (ARRAY['submitted', 'in_review', 'in_review', 'waiting_for_citizen', 'approved', 'approved', 'rejected', \
                   'closed', 'closed', 'closed'])[(n / 3) % 10 + 1], NULL, NULL, \
                 timestamptz '2026-01-01' + n * interval '1 second', timestamptz '2026-01-01' + n * interval '1 second', \
                 timestamptz '2026-01-01' + n * interval '1 second', NULL, \
                 CASE WHEN (n / 3) % 10 >= 7 THEN timestamptz '2026-10-01' ELSE NULL END \
                 FROM generate_series(1, {applications}) n"
            ),
            "INSERT INTO application_answers (application_id, category_code, answers, updated_at) \
             SELECT a.id, r.category_code, jsonb_build_object('wert', 1), a.created_at FROM applications a \
             JOIN template_required_categories r ON r.version_id = a.template_version_id WHERE a.reference LIKE 'LAST-%'"
                .to_owned(),
            "ALTER TABLE applications ENABLE TRIGGER queue_counts_follow".to_owned(),
            "DELETE FROM queue_counts".to_owned(),
            "INSERT INTO queue_counts (office_code, status, assignee, count) SELECT office_code, status, \
             COALESCE(CAST(assigned_staff_id AS TEXT), ''), COUNT(*) FROM applications \
             GROUP BY office_code, status, COALESCE(CAST(assigned_staff_id AS TEXT), '')"
                .to_owned(),
            // A bulk insert leaves the visibility map unset, autovacuum with work to do and the
            // checkpointer with a backlog to write, all during the measurement that follows (the
            // first target's p99 doubled); a city's database that grew over years has none of it.
            "VACUUM (ANALYZE)".to_owned(),
            "CHECKPOINT".to_owned(),
        ],
        Backend::Sqlite => vec![
            format!(
                "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {citizens}) \
                 INSERT INTO citizens (id, oidc_subject, given_name, family_name, birth_date, created_at) \
                 SELECT printf('00000000-0000-4000-9000-%012d', n), 'last-' || n, 'Vorname' || n, 'Nachname' || (n % 7919), \
                 '1980-01-01', '2026-01-01T00:00:00.000000Z' FROM seq"
            ),
            format!(
                "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {citizens}), \
                 c(code) AS (VALUES ('identity'), ('contact'), ('household'), ('income_assets'), ('housing'), ('bank_account')) \
                 INSERT INTO citizen_data (citizen_id, category_code, data, updated_at) \
                 SELECT printf('00000000-0000-4000-9000-%012d', n), c.code, \
                 json_object('vorname', 'Vorname' || n, 'wert', n, 'text', 'Angabe ' || c.code || ' ' || n), \
                 '2026-01-01T00:00:00.000000Z' FROM seq CROSS JOIN c"
            ),
            format!(
                "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {applications}) \
                 INSERT INTO applications (id, reference, citizen_id, submitted_by_citizen_id, benefit_type_code, office_code, \
                 template_version_id, status, assigned_staff_id, decision_reason, created_at, updated_at, submitted_at, decided_at, closed_at) \
                 SELECT printf('00000000-0000-4000-a000-%012d', n), printf('LAST-%07d', n), \
                 printf('00000000-0000-4000-9000-%012d', ((n - 1) % {citizens}) + 1), \
                 printf('00000000-0000-4000-9000-%012d', ((n - 1) % {citizens}) + 1), \
                 CASE n % 3 WHEN 0 THEN 'wohngeld' WHEN 1 THEN 'hilfe_zur_erziehung' ELSE 'grundsicherung' END, \
                 CASE n % 3 WHEN 0 THEN 'wohngeldstelle' WHEN 1 THEN 'jugendamt' ELSE 'sozialamt' END, \
                 CASE n % 3 WHEN 0 THEN '00000000-0000-4000-8000-000000000311' WHEN 1 THEN '00000000-0000-4000-8000-000000000312' \
                   ELSE '00000000-0000-4000-8000-000000000313' END, \
                 CASE (n / 3) % 10 WHEN 0 THEN 'submitted' WHEN 1 THEN 'in_review' WHEN 2 THEN 'in_review' \
                   WHEN 3 THEN 'waiting_for_citizen' WHEN 4 THEN 'approved' WHEN 5 THEN 'approved' WHEN 6 THEN 'rejected' \
                   ELSE 'closed' END, NULL, NULL, \
                 strftime('%Y-%m-%dT%H:%M:%S', '2026-01-01', '+' || n || ' seconds') || '.000000Z', \
                 strftime('%Y-%m-%dT%H:%M:%S', '2026-01-01', '+' || n || ' seconds') || '.000000Z', \
                 strftime('%Y-%m-%dT%H:%M:%S', '2026-01-01', '+' || n || ' seconds') || '.000000Z', NULL, \
                 CASE WHEN (n / 3) % 10 >= 7 THEN '2026-10-01T00:00:00.000000Z' ELSE NULL END FROM seq"
            ),
            "INSERT INTO application_answers (application_id, category_code, answers, updated_at) \
             SELECT a.id, r.category_code, json_object('wert', 1), a.created_at FROM applications a \
             JOIN template_required_categories r ON r.version_id = a.template_version_id WHERE a.reference LIKE 'LAST-%'"
                .to_owned(),
            "ANALYZE".to_owned(),
            // The bulk insert's pages go from the write-ahead log into the database now, not in
            // the checkpoints during the measurement.
            "PRAGMA wal_checkpoint(TRUNCATE)".to_owned(),
        ],
    }
}

pub async fn generate(backend: Backend, url: &str, citizens: u32) {
    let started = Instant::now();
    for statement in generate_sql(backend, citizens) {
        execute(url, &statement).await;
    }
    println!("generated {citizens} citizens and {} applications in {:.0} s", citizens * 3, started.elapsed().as_secs_f64());
}

/// The value below which `share` (0–1) of the `sorted` values lie; NaN for none.
pub fn percentile(sorted: &[f64], share: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * share).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// What wrk measured: requests per second, p50 and p99 in milliseconds, errors.
pub struct Measured {
    pub throughput: f64,
    pub p50: f64,
    pub p99: f64,
    pub errors: u64,
}

fn milliseconds(text: &str) -> f64 {
    let number = |suffix: &str| text.trim_end_matches(suffix).parse::<f64>().unwrap_or(f64::NAN);
    if text.ends_with("us") {
        number("us") / 1000.0
    } else if text.ends_with("ms") {
        number("ms")
    } else if text.ends_with('s') {
        number("s") * 1000.0
    } else {
        f64::NAN
    }
}

/// Runs wrk with [`CONNECTIONS`] connections for `seconds` against `url` (POSTing `body` as a
/// form when given) with the session `cookie` (needs `wrk` on PATH: `apt-get install wrk`).
pub fn wrk(url: &str, cookie: &str, body: Option<&str>, seconds: u32) -> Measured {
    let script = tempfile::NamedTempFile::new().expect("a script file");
    let lua = match body {
        Some(body) => format!(
            "wrk.method = \"POST\"\nwrk.body = \"{body}\"\nwrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\n\
             wrk.headers[\"Accept\"] = \"application/json\"\n"
        ),
        None => String::new(),
    };
    std::fs::write(script.path(), lua).expect("the script");
    let output = Command::new("wrk")
        .args(["-t", "2", "-c", &CONNECTIONS.to_string(), "-d", &format!("{seconds}s"), "--latency", "--timeout", "10s"])
        .args(["-H", &format!("Cookie: {cookie}")])
        .args(["-s", &script.path().display().to_string()])
        .arg(url)
        .output()
        .expect("wrk runs (apt-get install wrk)");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let field = |prefix: &str| {
        text.lines().find_map(|line| line.trim().strip_prefix(prefix).map(|rest| rest.trim().to_owned())).unwrap_or_default()
    };
    let errors = field("Non-2xx or 3xx responses:").parse::<u64>().unwrap_or(0)
        + text
            .lines()
            .find_map(|line| line.trim().strip_prefix("Socket errors:"))
            .map(|rest| {
                rest.split(',').filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok()).sum::<u64>()
            })
            .unwrap_or(0);
    Measured {
        throughput: field("Requests/sec:").parse().unwrap_or(f64::NAN),
        p50: milliseconds(&field("50%")),
        p99: milliseconds(&field("99%")),
        errors,
    }
}
