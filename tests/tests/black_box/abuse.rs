//! What anyone may send cannot be turned against the portal: the rate limits count by who is
//! signed in, or else by the address a request comes from, never by what the client chooses to
//! send (a cookie value, a second cookie, a forwarded address nobody vouches for); and refused
//! posts do not fill the session store.

use base64::Engine as _;
use clap::CommandFactory;
use klarsicht_tests::{
    Backend, TestApp, Visitor, count_rows, demo, location, on_both_databases, query_i64, test_settings,
};
use reqwest::multipart::{Form, Part};
use server::settings::{Cli, Settings};

const FEEDBACK: &str = "/api/barrierefreiheit/rueckmeldung";
const UPLOAD: &str = "/api/buerger/dokument-hochladen";
const JONAS_WOHNGELD: &str = "00000000-0000-4000-8000-000000000701";
const UNKNOWN: &str = "00000000-0000-4000-8000-00000000beef";

/// A session id as tower-sessions writes them (22 characters of URL-safe base64), new each time
/// and in no store.
fn invented_session_id() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes())
}

/// `bytes` (a multiple of 32) of text that does not repeat, so no database can compress it.
fn unrepeated_text(bytes: usize) -> String {
    (0..bytes / 32).map(|_| uuid::Uuid::new_v4().simple().to_string()).collect()
}

/// Feedback too short to keep, sent as a script would with `headers`: 422 while within the
/// quota, which anyone's feedback counts against.
async fn short_feedback(app: &TestApp, headers: &[(&str, &str)]) -> u16 {
    let mut request =
        app.client.post(app.url(FEEDBACK)).header("accept", "application/json").form(&[("message", "kurz")]);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("an answer").status().as_u16()
}

/// A signed-out call of a citizen's server function that writes: 401 while within the quota
/// of writes.
async fn message_without_signing_in(app: &TestApp, cookie: &str) -> u16 {
    app.client
        .post(app.url("/api/buerger/nachricht-senden"))
        .header("accept", "application/json")
        .header("cookie", cookie)
        .form(&[("application", UNKNOWN), ("body", "Guten Tag")])
        .send()
        .await
        .expect("an answer")
        .status()
        .as_u16()
}

fn upload_form() -> Form {
    let file = Part::bytes(b"%PDF-1.4 test".to_vec()).file_name("a.pdf");
    Form::new().text("application", UNKNOWN).part("file", file)
}

/// An upload to an unknown application with the `Cookie` header `cookie`.
async fn upload(app: &TestApp, cookie: &str) -> u16 {
    app.client
        .post(app.url(UPLOAD))
        .header("accept", "application/json")
        .header("cookie", cookie)
        .multipart(upload_form())
        .send()
        .await
        .expect("an answer")
        .status()
        .as_u16()
}

fn session_table(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "tower_sessions",
        Backend::Postgres => "tower_sessions.session",
    }
}

/// The bytes the database takes: SQLite's pages (WAL included, as a reader sees them), or
/// PostgreSQL's files of this database.
async fn database_bytes(backend: Backend, url: &str) -> i64 {
    let sql = match backend {
        Backend::Sqlite => "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
        Backend::Postgres => "SELECT pg_database_size(current_database())",
    };
    query_i64(url, sql).await
}

on_both_databases! {
    async fn a_fresh_session_cookie_for_every_request_gives_no_fresh_quota(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| {
            settings.submissions_per_minute = Some(3);
            settings.writes_per_minute = Some(5);
        })
        .await;
        let invented = || format!("klarsicht={}", invented_session_id());

        // Feedback counts against the quota of submissions (and the one of writes).
        for attempt in 1..=3 {
            let cookie = invented();
            assert_eq!(short_feedback(&app, &[("cookie", cookie.as_str())]).await, 422, "attempt {attempt} is within the quota");
        }
        let cookie = invented();
        assert_eq!(short_feedback(&app, &[("cookie", cookie.as_str())]).await, 429, "a new cookie value is no new caller");
        assert_eq!(short_feedback(&app, &[("cookie", "klarsicht=kein-gueltiger-wert")]).await, 429);
        assert_eq!(short_feedback(&app, &[]).await, 429, "nor is leaving the cookie out");

        // Every other write counts against the quota of writes, of which the feedback took three.
        for attempt in 1..=2 {
            assert_eq!(message_without_signing_in(&app, &invented()).await, 401, "attempt {attempt} is within the quota");
        }
        assert_eq!(message_without_signing_in(&app, &invented()).await, 429);
    }

    async fn a_second_session_cookie_or_session_gives_a_citizen_no_fresh_quota(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| {
            settings.demo_data = Some(true);
            settings.uploads_per_minute = Some(2);
        })
        .await;
        let mut anna = Visitor::new(&app);
        anna.sign_in_as_demo(demo::ANNA_BECKER).await;
        let own = anna.cookie().expect("a session").to_owned();

        // Of two cookies of one name the session layer reads the last: Anna is signed in with
        // an invented cookie in front of her own, which a limit by cookie value counted as a
        // new caller each time.
        let doubled = || format!("klarsicht={}; {own}", invented_session_id());
        for attempt in 1..=2 {
            let status = upload(&app, &doubled()).await;
            assert_ne!(status, 401, "attempt {attempt} is Anna's, signed in");
            assert_ne!(status, 429, "attempt {attempt} is within the quota");
        }
        assert_eq!(upload(&app, &doubled()).await, 429);
        assert_eq!(upload(&app, &format!("{own}; klarsicht={}", invented_session_id())).await, 401, "the last one counts");

        // The quota is Anna's, not her session's: signing in again gives her none.
        let mut anna_elsewhere = Visitor::new(&app);
        anna_elsewhere.sign_in_as_demo(demo::ANNA_BECKER).await;
        assert_eq!(anna_elsewhere.post_multipart(UPLOAD, upload_form()).await.status().as_u16(), 429);

        // Another citizen, from the same address, has hers.
        let mut selin = Visitor::new(&app);
        selin.sign_in_as_demo(demo::SELIN_KAYA).await;
        assert_ne!(selin.post_multipart(UPLOAD, upload_form()).await.status().as_u16(), 429);
    }

    async fn without_trusted_proxies_a_forwarded_address_gives_no_fresh_quota(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.submissions_per_minute = Some(2)).await;
        for (attempt, forwarded) in ["203.0.113.1", "203.0.113.2"].into_iter().enumerate() {
            assert_eq!(short_feedback(&app, &[("x-forwarded-for", forwarded)]).await, 422, "attempt {attempt}");
        }
        for forwarded in ["203.0.113.3", "198.51.100.7, 203.0.113.4"] {
            assert_eq!(short_feedback(&app, &[("x-forwarded-for", forwarded)]).await, 429, "{forwarded}");
        }
        assert_eq!(short_feedback(&app, &[("forwarded", "for=203.0.113.5")]).await, 429);
    }

    async fn behind_trusted_proxies_each_forwarded_client_has_its_own_quota(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| {
            settings.submissions_per_minute = Some(2);
            // The test client is the load balancer; 10.0.0.0/8 a second proxy behind it.
            settings.trusted_proxies = Some("127.0.0.1, 10.0.0.0/8".to_owned());
        })
        .await;
        let first = [("x-forwarded-for", "203.0.113.1")];
        assert_eq!(short_feedback(&app, &first).await, 422);
        assert_eq!(short_feedback(&app, &first).await, 422);
        assert_eq!(short_feedback(&app, &first).await, 429);

        // Another client has a quota of its own, also through the second proxy.
        assert_eq!(short_feedback(&app, &[("x-forwarded-for", "203.0.113.2")]).await, 422);
        assert_eq!(short_feedback(&app, &[("x-forwarded-for", "203.0.113.3, 10.1.2.3")]).await, 422);

        // What the first client writes before its own address is its own claim: not believed.
        assert_eq!(short_feedback(&app, &[("x-forwarded-for", "198.51.100.9, 203.0.113.1")]).await, 429);
        assert_eq!(short_feedback(&app, &[("x-forwarded-for", "198.51.100.9, 203.0.113.1, 10.1.2.3")]).await, 429);
        // A proxy that writes Forwarded (and no X-Forwarded-For) is read as well.
        assert_eq!(short_feedback(&app, &[("forwarded", "for=203.0.113.1;proto=https")]).await, 429);

        // A request the proxy forwards for nobody is the proxy's own.
        assert_eq!(short_feedback(&app, &[]).await, 422);
    }

    async fn refused_posts_of_visitors_without_a_session_store_nothing(backend: Backend) {
        // Only the size of what is sent is limited here: the limits per address have tests of their own.
        let app = TestApp::spawn_with(backend, |settings| settings.writes_per_minute = Some(10_000)).await;
        let url = app.database_url().to_owned();
        let sessions_before = count_rows(&url, session_table(backend)).await;
        let bytes_before = database_bytes(backend, &url).await;

        let mut visitor = Visitor::new(&app);
        let mut back = String::new();
        for number in 0..1_000 {
            // Far too long for feedback (4,000 characters): refused, and sent back to the form.
            let message = unrepeated_text(32 * 1024);
            let response = visitor
                .post_plain_form("/barrierefreiheit", FEEDBACK, &[("message", message.as_str()), ("page", "Start")])
                .await;
            assert!(response.status().is_redirection(), "post {number}: {}", response.status());
            back = location(&response);
            assert!(back.contains("__err="), "post {number} is refused: {back}");
        }
        assert!(visitor.session_cookies_set.is_empty(), "no session was begun: {:?}", visitor.session_cookies_set);
        assert_eq!(count_rows(&url, session_table(backend)).await, sessions_before, "no session row");
        assert_eq!(count_rows(&url, "accessibility_feedback").await, 0);
        let grown = database_bytes(backend, &url).await - bytes_before;
        println!("1,000 refused anonymous posts of 32 KB ({backend:?}): the database grew by {grown} bytes, no session row");
        assert!(grown < 1024 * 1024, "the database grew by {grown} bytes for 1,000 refused posts");

        // The refusal still shows, over an empty form.
        let page = visitor.get(&back).await;
        assert_eq!(page.status().as_u16(), 200);
    }

    async fn a_refused_form_kept_in_a_session_is_bounded(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
        let (status, _) = sabine.call("mitarbeitende/zuweisen", &[("application", JONAS_WOHNGELD), ("assignee", "ich")]).await;
        assert_eq!(status, 200);

        // Not confirmed, so refused; its reason is four times what a session keeps.
        let case = format!("/mitarbeitende/faelle/{JONAS_WOHNGELD}");
        let reason = unrepeated_text(128 * 1024);
        let decision = [("application", JONAS_WOHNGELD), ("outcome", "ablehnen"), ("reason", reason.as_str())];
        let refused = sabine.post_plain_form(&case, "/api/mitarbeitende/entscheiden", &decision).await;
        assert!(refused.status().is_redirection(), "back to the case: {}", refused.status());

        let largest = match backend {
            Backend::Sqlite => "SELECT MAX(length(data)) FROM tower_sessions",
            Backend::Postgres => "SELECT CAST(MAX(octet_length(data)) AS BIGINT) FROM tower_sessions.session",
        };
        let largest = query_i64(&url, largest).await;
        assert!(largest < 40 * 1024, "the largest session holds {largest} bytes");

        // What fits comes back; the reason that did not is left out.
        let html = sabine.get(&location(&refused)).await.text().await.expect("a page");
        assert!(html.contains(r#"value="ablehnen" checked"#), "the outcome chosen comes back");
        assert!(!html.contains(&reason[..64]), "the reason that did not fit is not written back");
    }
}

#[test]
fn a_trusted_proxy_that_is_no_address_or_range_is_refused_naming_the_setting() {
    let mut input = test_settings("sqlite://x.db");
    input.trusted_proxies = Some("10.0.0.0/8, proxy.stadt.example".to_owned());
    let line = Settings::check(input).expect_err("refused").to_string();
    assert!(line.contains("KLARSICHT_TRUSTED_PROXIES") && line.contains("proxy.stadt.example"), "{line}");
    assert!(!line.contains('\n'), "one line: {line}");

    let mut input = test_settings("sqlite://x.db");
    input.trusted_proxies = Some("10.0.0.0/33".to_owned());
    assert!(Settings::check(input).is_err(), "a prefix longer than the address");

    let mut input = test_settings("sqlite://x.db");
    input.trusted_proxies = Some("10.0.0.0/8, 192.168.0.7, fd00::/8".to_owned());
    assert!(Settings::check(input).is_ok());
}

#[test]
fn help_names_the_write_limit_and_the_trusted_proxies() {
    let help = Cli::command().render_long_help().to_string();
    for variable in ["KLARSICHT_WRITES_PER_MINUTE", "KLARSICHT_TRUSTED_PROXIES"] {
        assert!(help.contains(variable), "--help names {variable}:\n{help}");
    }
}
