//! The real gate on 2,000 generated database states per run, on SQLite and PostgreSQL: for each,
//! the categories a caseworker's case view returns are exactly those DESIGN.md's rule allows,
//! and every read wrote exactly one access-log entry (a read of nothing, none).
//!
//! The states vary the application's state (draft, open, closed recently or long ago, measured
//! against each category's retention), consents (granted or not yet, running or expired), a
//! confirmed emergency access and a protection flag. Each state is read three ways, category by
//! category against the model: the case view (basis: the application; consents, emergency and
//! flag must neither widen nor narrow it), the data shared by consent for its purpose, and the
//! emergency access's data (both closed by a flag). The office's queue, filtered in SQL, must list
//! exactly the applications the model lets the office read something of; for the target
//! application that is checked against the policy's own answer too (the read wrote an entry).

use std::collections::BTreeSet;

use klarsicht_tests::{TestApp, Visitor, count_rows, demo, execute, on_both_databases, query_i64};
use proptest::{
    prelude::*,
    strategy::ValueTree,
    test_runner::{Config, TestRunner},
};

const STATES: usize = 2_000;
/// The Hilfe zur Erziehung template version of the demo data.
const HZE_VERSION: &str = "00000000-0000-4000-8000-000000000312";
const APPLICATIONS: [&str; 3] = [
    "00000000-0000-4000-8000-000000000901",
    "00000000-0000-4000-8000-000000000902",
    "00000000-0000-4000-8000-000000000903",
];

#[derive(Clone, Debug)]
enum State {
    Draft,
    Open,
    ClosedDaysAgo(i64),
}

#[derive(Clone, Debug)]
struct DatabaseState {
    applications: Vec<State>,
    target: usize,
    consents: Vec<(&'static str, i64, Option<i64>)>,
    flagged: bool,
    emergency: bool,
}

fn state() -> impl Strategy<Value = State> {
    prop_oneof![
        Just(State::Draft),
        Just(State::Open),
        // Days that fall between the retention periods of the demo categories (1,825 and 3,650).
        prop::sample::select(vec![1_i64, 400, 1_900, 4_000]).prop_map(State::ClosedDaysAgo),
    ]
}

fn database_state() -> impl Strategy<Value = DatabaseState> {
    (
        prop::collection::vec(state(), 1..=3),
        0..3_usize,
        prop::collection::vec(
            (
                prop::sample::select(vec!["income_assets", "children_upbringing", "health_disability", "identity"]),
                -10..10_i64,
                prop::option::of(-10..10_i64),
            ),
            0..3,
        ),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(applications, target, consents, flagged, emergency)| {
            let target = target % applications.len();
            DatabaseState { applications, target, consents, flagged, emergency }
        })
}

fn timestamp(days_from_now: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|duration| i64::try_from(duration.as_secs()).unwrap_or_default())
        .unwrap_or_default();
    let seconds = now + days_from_now * 86_400;
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000000Z", rest / 3_600, rest % 3_600 / 60, rest % 60)
}

/// The categories the father keeps data for (demo data).
const KEPT_BY_FATHER: [&str; 6] = ["identity", "contact", "household", "income_assets", "housing", "bank_account"];
/// The categories the generated emergency access names.
const EMERGENCY_CATEGORIES: [&str; 2] = ["health_disability", "income_assets"];
const EMERGENCY: &str = "00000000-0000-4000-8000-000000000971";

/// DESIGN.md's rule for the consent basis: the categories of consents for this purpose that are
/// granted and not expired now, unless a protection flag holds.
fn expected_by_consent(state: &DatabaseState) -> BTreeSet<String> {
    if state.flagged {
        return BTreeSet::new();
    }
    state
        .consents
        .iter()
        .filter(|(_, granted, expires)| *granted <= 0 && expires.is_none_or(|days| granted + days.abs() + 1 > 0))
        .map(|(category, ..)| (*category).to_owned())
        .collect()
}

/// DESIGN.md's rule for the emergency basis: the named categories while confirmed and running,
/// unless a protection flag holds.
fn expected_by_emergency(state: &DatabaseState) -> BTreeSet<String> {
    if state.flagged || !state.emergency {
        return BTreeSet::new();
    }
    EMERGENCY_CATEGORIES.iter().map(|category| (*category).to_owned()).collect()
}

/// Whether the office may read anything of this application: not a draft, and some required
/// category still within retention.
fn readable(application: &State, required: &[(String, i64)]) -> bool {
    match application {
        State::Draft => false,
        State::Open => !required.is_empty(),
        State::ClosedDaysAgo(days) => required.iter().any(|(_, retention_days)| days <= retention_days),
    }
}

fn kept_of(categories: &BTreeSet<String>) -> BTreeSet<String> {
    categories.iter().filter(|code| KEPT_BY_FATHER.contains(&code.as_str())).cloned().collect()
}

fn data_keys(view: &serde_json::Value) -> BTreeSet<String> {
    view["data"].as_object().map(|data| data.keys().cloned().collect()).unwrap_or_default()
}

/// Writes the generated state for the father at the youth office, replacing the last one.
fn statements(state: &DatabaseState) -> String {
    let father = demo::JONAS_WEBER;
    let mut sql = format!(
        "DELETE FROM applications WHERE citizen_id = '{father}' AND office_code = 'jugendamt'; \
         DELETE FROM consent_events WHERE consent_id IN (SELECT id FROM consents WHERE citizen_id = '{father}'); \
         DELETE FROM consents WHERE citizen_id = '{father}'; \
         DELETE FROM emergency_accesses WHERE citizen_id = '{father}'; \
         DELETE FROM protection_flags WHERE citizen_id = '{father}';"
    );
    for (index, application) in state.applications.iter().enumerate() {
        let (status, closed_at) = match application {
            State::Draft => ("draft", "NULL".to_owned()),
            State::Open => ("in_review", "NULL".to_owned()),
            State::ClosedDaysAgo(days) => ("closed", format!("'{}'", timestamp(-days))),
        };
        let created = timestamp(-5_000);
        sql.push_str(&format!(
            " INSERT INTO applications (id, reference, citizen_id, submitted_by_citizen_id, benefit_type_code, office_code, template_version_id, status, created_at, updated_at, closed_at) \
             VALUES ('{id}', 'KS-TEST-{index}', '{father}', '{father}', 'hilfe_zur_erziehung', 'jugendamt', '{HZE_VERSION}', '{status}', '{created}', '{created}', {closed_at});",
            id = APPLICATIONS[index],
        ));
    }
    for (index, (category, granted, expires)) in state.consents.iter().enumerate() {
        let expires = expires.map_or("NULL".to_owned(), |days| format!("'{}'", timestamp(granted + days.abs() + 1)));
        sql.push_str(&format!(
            " INSERT INTO consents (id, citizen_id, recipient_office_code, category_code, purpose, template_version_id, legal_basis, granted_at, expires_at) \
             VALUES ('00000000-0000-4000-8000-00000000095{index}', '{father}', 'jugendamt', '{category}', 'Hilfeplanung', '{HZE_VERSION}', 'art_6_1_a', '{}', {expires});",
            timestamp(*granted),
        ));
    }
    if state.flagged {
        sql.push_str(&format!(
            " INSERT INTO protection_flags (id, citizen_id, kind, reason, set_by_staff_id, set_by_office_code, set_at) \
             VALUES ('00000000-0000-4000-8000-000000000961', '{father}', 'address_block', 'Test', '{}', 'jugendamt', '{}');",
            demo::LENA_HOFFMANN,
            timestamp(-1),
        ));
    }
    if state.emergency {
        sql.push_str(&format!(
            " INSERT INTO emergency_accesses (id, office_code, citizen_id, opened_by_staff_id, reason, categories, requested_duration_minutes, opened_at, confirmed_by_staff_id, confirmed_at, expires_at, status) \
             VALUES ('{EMERGENCY}', 'jugendamt', '{father}', '{}', 'Test', '[\"health_disability\", \"income_assets\"]', 60, '{}', '00000000-0000-4000-8000-000000000102', '{}', '{}', 'confirmed');",
            demo::LENA_HOFFMANN,
            timestamp(-1),
            timestamp(-1),
            timestamp(1),
        ));
    }
    sql
}

/// DESIGN.md's rule for a case view (purpose: processing the target application): the
/// categories its template requires that the citizen keeps data for, if the application is
/// not a draft, and, once closed, only within each category's retention. Consents, emergency
/// accesses and flags neither widen nor narrow it.
fn expected(state: &DatabaseState, required: &[(String, i64)], kept: &BTreeSet<String>) -> Option<BTreeSet<String>> {
    let allowed_for = |retention_days: i64| match state.applications[state.target] {
        State::Draft => None,
        State::Open => Some(true),
        State::ClosedDaysAgo(days) => Some(days <= retention_days),
    };
    allowed_for(0)?;
    // A case with nothing left to read (every required category past retention) answers like
    // an unknown one.
    if !required.iter().any(|(_, retention_days)| allowed_for(*retention_days) == Some(true)) {
        return None;
    }
    Some(
        required
            .iter()
            .filter(|(code, retention_days)| kept.contains(code) && allowed_for(*retention_days) == Some(true))
            .map(|(code, _)| code.clone())
            .collect(),
    )
}

async fn required_with_retention(url: &str) -> Vec<(String, i64)> {
    let mut required = Vec::new();
    for code in [
        "identity",
        "contact",
        "household",
        "children_upbringing",
        "income_assets",
        "health_disability",
        "housing",
        "bank_account",
        "benefits_received",
        "documents",
    ] {
        let is_required = query_i64(url, &format!("SELECT COUNT(*) FROM template_required_categories WHERE version_id = '{HZE_VERSION}' AND category_code = '{code}'")).await;
        if is_required == 1 {
            let days =
                query_i64(url, &format!("SELECT retention_days FROM data_categories WHERE code = '{code}'")).await;
            required.push((code.to_owned(), days));
        }
    }
    required
}

on_both_databases! {
    async fn the_gate_returns_exactly_what_the_rule_allows_on_2000_database_states(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        let required = required_with_retention(&url).await;
        assert!(required.len() >= 3, "the template requires categories: {required:?}");
        let mut kept = BTreeSet::new();
        for (code, _) in &required {
            let count = query_i64(&url, &format!("SELECT COUNT(*) FROM citizen_data WHERE citizen_id = '{}' AND category_code = '{code}'", demo::JONAS_WEBER)).await;
            if count == 1 {
                kept.insert(code.clone());
            }
        }
        let mut lena = Visitor::new(&app);
        lena.sign_in_as_demo(demo::LENA_HOFFMANN).await;

        let strategy = database_state();
        let mut runner = TestRunner::new_with_rng(Config::default(), proptest::test_runner::TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha));
        let (mut allowed_reads, mut empty_or_refused) = (0, 0);
        let (mut consent_reads, mut emergency_reads, mut listed) = (0, 0, 0);
        for number in 0..STATES {
            let state = strategy.new_tree(&mut runner).expect("a state").current();
            execute(&url, &statements(&state)).await;

            // The queue, filtered in SQL.
            // The generated applications are drafts, in review or closed: the two tabs that
            // hold the sent ones together list everything the queue shows of them.
            let mut in_queue: BTreeSet<String> = BTreeSet::new();
            for list in ["in-bearbeitung", "abgeschlossen"] {
                let (status, queue) = lena.call("mitarbeitende/warteschlange", &[("list", list)]).await;
                assert_eq!(status, 200, "{queue}");
                in_queue.extend(
                    queue["items"]
                        .as_array()
                        .expect("items")
                        .iter()
                        .filter_map(|item| item["application"].as_str())
                        .filter(|id| APPLICATIONS.contains(id))
                        .map(str::to_owned),
                );
            }
            let readable_ones: BTreeSet<String> = state
                .applications
                .iter()
                .enumerate()
                .filter(|(_, application)| readable(application, &required))
                .map(|(index, _)| APPLICATIONS[index].to_owned())
                .collect();
            assert_eq!(in_queue, readable_ones, "state {number}: {state:?}: the queue lists what the rule lets the office read");
            listed += in_queue.len();

            // The case view: the application basis.
            let log_before = count_rows(&url, "access_log").await;
            let (status, view) = lena.call("mitarbeitende/akte", &[("application", APPLICATIONS[state.target])]).await;
            let log_after = count_rows(&url, "access_log").await;
            assert_eq!(
                in_queue.contains(APPLICATIONS[state.target]),
                log_after > log_before,
                "state {number}: {state:?}: the SQL filter and the policy function agree on the target"
            );
            match expected(&state, &required, &kept) {
                None => {
                    assert_eq!(status, 404, "state {number}: {state:?}: a draft, or a case past retention, does not exist for the office");
                    assert_eq!(log_after, log_before, "state {number}: no read, no entry");
                    empty_or_refused += 1;
                }
                Some(categories) => {
                    assert_eq!(status, 200, "state {number}: {state:?}: {view}");
                    assert_eq!(data_keys(&view["case"]), categories, "state {number}: {state:?}");
                    let entries = if categories.is_empty() { 0 } else { 1 };
                    assert_eq!(log_after - log_before, entries, "state {number}: {state:?}: one entry per read");
                    if categories.is_empty() { empty_or_refused += 1 } else { allowed_reads += 1 }
                }
            }

            // The consent basis and the emergency basis.
            for (endpoint, arguments, expected) in [
                ("mitarbeitende/freigabe", vec![("citizen", demo::JONAS_WEBER), ("purpose", "Hilfeplanung")], expected_by_consent(&state)),
                ("mitarbeitende/notzugriff-daten", vec![("emergency", EMERGENCY)], expected_by_emergency(&state)),
            ] {
                let log_before = count_rows(&url, "access_log").await;
                let (status, view) = lena.call(endpoint, &arguments).await;
                let log_after = count_rows(&url, "access_log").await;
                if expected.is_empty() {
                    assert_eq!((status, log_after), (404, log_before), "state {number}: {state:?}: {endpoint}: nothing, and no entry");
                } else {
                    assert_eq!(status, 200, "state {number}: {state:?}: {endpoint}: {view}");
                    assert_eq!(data_keys(&view), kept_of(&expected), "state {number}: {state:?}: {endpoint}");
                    assert_eq!(log_after - log_before, 1, "state {number}: {state:?}: {endpoint}: one entry per read");
                    if endpoint.ends_with("freigabe") { consent_reads += 1 } else { emergency_reads += 1 }
                }
            }
        }
        assert!(consent_reads > 100 && emergency_reads > 100 && listed > 100, "every basis is exercised: {consent_reads} consent reads, {emergency_reads} emergency reads, {listed} listed");
        assert!(allowed_reads > 100 && empty_or_refused > 100, "both outcomes occur often: {allowed_reads} reads, {empty_or_refused} without");
    }
}
