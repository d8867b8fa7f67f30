//! What every response and request passes through: security headers with a fresh CSP nonce,
//! refusal of state-changing requests from other sites, size limits, refusal of calls that
//! cannot be read, rate limits on submissions and uploads, and the metrics on their own address.

use klarsicht_tests::{TestApp, Visitor, demo, on_both_databases, production_settings};

const JONAS_WOHNGELD: &str = "00000000-0000-4000-8000-000000000701";

/// The nonce the response's Content-Security-Policy allows scripts with.
fn policy_nonce(response: &reqwest::Response) -> String {
    let policy = response
        .headers()
        .get("content-security-policy")
        .and_then(|value| value.to_str().ok())
        .expect("a Content-Security-Policy")
        .to_owned();
    let after = policy.split_once("'nonce-").expect("the policy names a nonce").1;
    after.split_once('\'').expect("the nonce is quoted").0.to_owned()
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|value| value.to_str().ok())
}

/// A POST of a form to the app with the visitor's session and the given extra headers.
async fn post_with(
    app: &TestApp,
    visitor: &Visitor<'_>,
    path: &str,
    form: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = app.client.post(app.url(path)).header("accept", "application/json").form(form);
    if let Some(session) = visitor.session_id() {
        request = request.header("cookie", format!("klarsicht={session}"));
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("an answer")
}

/// Sends `body` to `path` as it stands, with the given Content-Type and session cookie, as a
/// script may; answers the status and the text.
async fn send_as_is(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    content_type: Option<&str>,
    body: &str,
    cookie: Option<&str>,
) -> (u16, String) {
    let mut request = app.client.request(method, app.url(path)).header("accept", "application/json");
    if !body.is_empty() {
        request = request.body(body.to_owned());
    }
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.expect("an answer");
    let status = response.status().as_u16();
    (status, response.text().await.expect("a body"))
}

on_both_databases! {
    async fn every_page_has_a_fresh_nonce_and_every_script_carries_it(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        let mut nonces = Vec::new();
        for path in ["/", "/buerger/start", "/buerger/daten", "/buerger/freigaben", "/nicht-vorhanden"] {
            let response = jonas.get(path).await;
            let policy = header(&response, "content-security-policy").expect("a policy").to_owned();
            for part in ["'strict-dynamic'", "'wasm-unsafe-eval'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"] {
                assert!(policy.contains(part), "{path}: the policy has {part}: {policy}");
            }
            assert!(!policy.contains("unsafe-inline"), "{path}: no inline scripts or styles without the nonce: {policy}");
            let nonce = policy_nonce(&response);
            let html = response.text().await.expect("a page");
            let scripts: Vec<&str> = html.split("<script").skip(1).collect();
            assert!(!scripts.is_empty(), "{path}: the page has its hydration script");
            for script in scripts {
                let (tag, rest) = script.split_once('>').expect("a closed tag");
                // leptos_i18n leaves an empty `<script></script>` as a placeholder: a script
                // with neither source nor text runs nothing, and browsers skip it before CSP.
                if !tag.contains("src=") && rest.starts_with("</script>") {
                    continue;
                }
                assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "{path}: a script without the nonce: <script{tag}>");
            }
            nonces.push(nonce);
        }
        let mut distinct = nonces.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), nonces.len(), "every response has a nonce of its own: {nonces:?}");
    }

    async fn every_response_says_how_browsers_must_treat_it(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        for path in ["/", "/health/live", "/api/ich", "/pkg/unbekannt.js"] {
            let response = app.get(path).await;
            assert_eq!(header(&response, "x-content-type-options"), Some("nosniff"), "{path}");
            assert_eq!(header(&response, "referrer-policy"), Some("same-origin"), "{path}");
            assert_eq!(header(&response, "cross-origin-opener-policy"), Some("same-origin"), "{path}");
            assert_eq!(header(&response, "x-frame-options"), Some("DENY"), "{path}");
            assert!(header(&response, "content-security-policy").is_some(), "{path}");
            assert_eq!(header(&response, "strict-transport-security"), None, "{path}: no HSTS over plain http in development");
        }
    }

    async fn production_asks_browsers_to_keep_to_https(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| {
            *settings = production_settings(&settings.database_url.clone().unwrap_or_default());
        })
        .await;
        let response = app.get("/health/live").await;
        assert_eq!(header(&response, "strict-transport-security"), Some("max-age=31536000; includeSubDomains"));
    }

    async fn a_write_from_another_site_is_refused_and_changes_nothing(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;

        // A form on another site that signs Jonas out: modern browsers say so in Sec-Fetch-Site.
        let response = post_with(&app, &jonas, "/abmelden", &[], &[("sec-fetch-site", "cross-site")]).await;
        assert_eq!(response.status().as_u16(), 403);
        assert!(response.text().await.expect("a body").contains("did not come from Klarsicht"));
        assert_eq!(jonas.me().await["kind"], "Citizen", "still signed in");

        // Older browsers send only Origin.
        let foreign = [("origin", "https://boese.example")];
        let response = post_with(&app, &jonas, "/api/buerger/uebersicht", &[], &foreign).await;
        assert_eq!(response.status().as_u16(), 403);
        let response = post_with(&app, &jonas, "/api/buerger/uebersicht", &[], &[("origin", "null")]).await;
        assert_eq!(response.status().as_u16(), 403, "an opaque origin is another site");
        let response = post_with(&app, &jonas, "/api/buerger/uebersicht", &[], &[("sec-fetch-site", "same-site")]).await;
        assert_eq!(response.status().as_u16(), 403, "a sibling subdomain is not the portal");

        // The portal's own pages pass, by either header.
        let own_origin = app.url("");
        let response = post_with(&app, &jonas, "/api/buerger/uebersicht", &[], &[("origin", own_origin.as_str())]).await;
        assert_eq!(response.status().as_u16(), 200);
        let response = post_with(&app, &jonas, "/abmelden", &[], &[("sec-fetch-site", "same-origin")]).await;
        assert_eq!(response.status().as_u16(), 303);
        assert!(jonas.me().await.is_null(), "signed out by the portal's own form");
    }

    async fn an_oversized_request_is_refused_before_it_is_read(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut anna = Visitor::new(&app);
        anna.sign_in_as_demo(demo::ANNA_BECKER).await;
        let huge = "x".repeat(300 * 1024);
        let response = post_with(&app, &anna, "/api/buerger/daten-speichern", &[("category", "contact"), ("filler", &huge)], &[]).await;
        assert_eq!(response.status().as_u16(), 413);
        // The body was not read: the connection ends with the answer, and the client must not
        // send its next request on it.
        assert_eq!(header(&response, "connection"), Some("close"));
        let text = response.text().await.expect("a body");
        assert!(text.contains("höchstens 256 KB") && text.contains("at most 256 KB"), "{text}");

        // An upload may be larger: the upload form reads a too-large file and says why itself.
        let file = reqwest::multipart::Part::bytes(vec![b'%'; 1024 * 1024]).file_name("gross.pdf");
        let form = reqwest::multipart::Form::new().text("application", "x").part("file", file);
        let response = anna.post_multipart("/api/buerger/dokument-hochladen", form).await;
        assert_ne!(response.status().as_u16(), 413, "a megabyte is within the upload limit");
    }

    async fn submissions_and_uploads_are_limited_per_session(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| {
            settings.demo_data = Some(true);
            settings.submissions_per_minute = Some(2);
            settings.uploads_per_minute = Some(1);
        })
        .await;
        let mut anna = Visitor::new(&app);
        anna.sign_in_as_demo(demo::ANNA_BECKER).await;
        for attempt in 0..2 {
            let (status, _) = anna.call("buerger/antrag-absenden", &[("versions", "")]).await;
            assert_ne!(status, 429, "attempt {attempt} is within the limit");
        }
        let response = post_with(&app, &anna, "/api/buerger/antrag-absenden", &[("versions", "")], &[]).await;
        assert_eq!(response.status().as_u16(), 429);
        assert_eq!(header(&response, "retry-after"), Some("60"));
        assert!(response.text().await.expect("a body").contains("nothing was sent"));

        // Another person's session has its own quota.
        let mut selin = Visitor::new(&app);
        selin.sign_in_as_demo(demo::SELIN_KAYA).await;
        assert_ne!(selin.call("buerger/antrag-absenden", &[("versions", "")]).await.0, 429);

        let upload = || {
            let file = reqwest::multipart::Part::bytes(b"%PDF-1.4 test".to_vec()).file_name("a.pdf");
            reqwest::multipart::Form::new().text("application", "x").part("file", file)
        };
        assert_ne!(anna.post_multipart("/api/buerger/dokument-hochladen", upload()).await.status().as_u16(), 429);
        assert_eq!(anna.post_multipart("/api/buerger/dokument-hochladen", upload()).await.status().as_u16(), 429);
    }

    async fn every_server_function_answers_an_unreadable_call_with_a_client_error(backend: Backend) {
        use reqwest::Method;
        use server::security::{MULTIPART_PATHS, UPLOAD_PATH};
        const BOUNDARY: &str = "klarsicht-grenze";
        const URL_ENCODED: &str = "application/x-www-form-urlencoded";
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut anna = Visitor::new(&app);
        anna.sign_in_as_demo(demo::ANNA_BECKER).await;
        let mut lena = Visitor::new(&app);
        lena.sign_in_as_demo(demo::LENA_HOFFMANN).await;
        let callers = [
            ("signed out", None),
            ("a citizen", anna.cookie().map(str::to_owned)),
            ("a caseworker", lena.cookie().map(str::to_owned)),
        ];
        let multipart = format!("multipart/form-data; boundary={BOUNDARY}");
        let form = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"application\"\r\n\r\n{JONAS_WOHNGELD}\r\n\
             --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\
             Content-Type: application/pdf\r\n\r\n%PDF-1.4 test\r\n--{BOUNDARY}--\r\n"
        );
        let cut_form = &form[..form.len() / 2];

        // The call that panicked in server_fn: a url-encoded form to the upload.
        let anna_cookie = callers[1].1.as_deref();
        let url_encoded_form = format!("application={JONAS_WOHNGELD}");
        let (status, text) =
            send_as_is(&app, Method::POST, UPLOAD_PATH, Some(URL_ENCODED), &url_encoded_form, anna_cookie).await;
        assert_eq!(status, 415, "{text}");
        assert!(text.contains("multipart/form-data"), "says what the upload reads: {text}");
        // A multipart form cut short is the upload's to refuse, on its file field.
        let (status, text) =
            send_as_is(&app, Method::POST, UPLOAD_PATH, Some(multipart.as_str()), cut_form, anna_cookie).await;
        assert_eq!(status, 422, "{text}");
        // A form cut in an escape would be read as another call: it is refused, saying why.
        let (status, text) = send_as_is(&app, Method::POST, "/api/ich", Some(URL_ENCODED), "a=%2", None).await;
        assert_eq!(status, 400, "{text}");
        assert!(text.contains("every % must begin two hexadecimal digits"), "{text}");

        // Every server function, whoever calls: what none can read is a 4xx, never a 5xx.
        let unreadable_posts = [
            ("an empty body without a Content-Type", None, ""),
            ("JSON", Some("application/json"), "{\"application\":\"x\"}"),
            ("a multipart form without its boundary", Some("multipart/form-data"), form.as_str()),
            ("a multipart form cut in the middle", Some(multipart.as_str()), cut_form),
            ("a url-encoded form cut in an escape", Some(URL_ENCODED), "application=%2"),
            ("a url-encoded form cut in a character", Some(URL_ENCODED), "application=J%C3"),
        ];
        let functions: Vec<(String, String)> = leptos::server_fn::axum::server_fn_paths()
            .map(|(path, method)| (path.to_owned(), method.as_str().to_owned()))
            .collect();
        for path in MULTIPART_PATHS {
            let registered = functions.iter().any(|(function, method)| function == path && method == "POST");
            assert!(registered, "{path} is a server function that takes posts");
        }
        for (path, function_method) in &functions {
            let takes_multipart = MULTIPART_PATHS.contains(&path.as_str());
            // What is sent: method, address, Content-Type, body.
            let mut calls: Vec<(&str, Method, String, Option<&str>, &str)> = Vec::new();
            if function_method == "GET" {
                calls.push(("an address cut in an escape", Method::GET, format!("{path}?document=%2"), None, ""));
                calls.push(("an address cut in a character", Method::GET, format!("{path}?document=J%C3"), None, ""));
                calls.push(("a post", Method::POST, path.clone(), Some(URL_ENCODED), "document=x"));
            } else {
                for (what, content_type, body) in unreadable_posts {
                    calls.push((what, Method::POST, path.clone(), content_type, body));
                }
                if takes_multipart {
                    calls.push(("a url-encoded form", Method::POST, path.clone(), Some(URL_ENCODED), "application=x"));
                    calls.push(("an empty multipart form", Method::POST, path.clone(), Some(multipart.as_str()), ""));
                } else {
                    calls.push(("a multipart form", Method::POST, path.clone(), Some(multipart.as_str()), form.as_str()));
                }
            }
            for (who, cookie) in &callers {
                for (what, method, address, content_type, body) in &calls {
                    let (status, text) =
                        send_as_is(&app, method.clone(), address, *content_type, body, cookie.as_deref()).await;
                    assert!((400..500).contains(&status), "{what} to {path} as {who}: {status} {text}");
                }
                // Nothing, in the function's own encoding: a call of a function without
                // arguments may answer it, none may fail on it.
                let (method, content_type) = match (function_method.as_str(), takes_multipart) {
                    ("GET", _) => (Method::GET, None),
                    (_, true) => (Method::POST, Some(multipart.as_str())),
                    (_, false) => (Method::POST, Some(URL_ENCODED)),
                };
                let (status, text) = send_as_is(&app, method, path, content_type, "", cookie.as_deref()).await;
                assert!(status < 500, "an empty call of {path} as {who}: {status} {text}");
            }
        }
    }

    async fn metrics_count_requests_gate_decisions_and_log_appends(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| {
            settings.demo_data = Some(true);
            settings.metrics_listen = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
        })
        .await;
        let metrics_address = app.metrics_address.expect("metrics are served");
        let scrape = || async move {
            let response = reqwest::get(format!("http://{metrics_address}/metrics")).await.expect("metrics answer");
            assert_eq!(response.status().as_u16(), 200);
            response.text().await.expect("the text format")
        };
        let before = scrape().await;

        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
        let (status, _) = sabine.call("mitarbeitende/akte", &[("application", JONAS_WOHNGELD)]).await;
        assert_eq!(status, 200);
        let after = scrape().await;

        let case_views = [("method", "POST"), ("route", "/api/mitarbeitende/akte"), ("status", "200")];
        let counted = |text: &str| sample(text, "klarsicht_http_requests_total", &case_views);
        assert!(counted(&after) >= counted(&before) + 1.0, "the case view is counted:\n{after}");
        let appends = |text: &str| sample(text, "klarsicht_access_log_appends_total", &[("basis", "application")]);
        assert!(appends(&after) >= appends(&before) + 1.0, "the log append is counted:\n{after}");
        let allowed = [("category", "identity"), ("outcome", "allow")];
        let decisions = |text: &str| sample(text, "klarsicht_gate_decisions_total", &allowed);
        assert!(decisions(&after) >= decisions(&before) + 1.0, "the gate's decision is counted:\n{after}");
        let fast = [("route", "/api/mitarbeitende/akte"), ("le", "0.05")];
        assert!(
            after.lines().any(|line| matches(line, "klarsicht_http_request_duration_seconds_bucket", &fast)),
            "latencies are measured in buckets around the 50 ms target:\n{after}"
        );
        assert!(!after.contains(demo::SABINE_FISCHER) && !after.contains(JONAS_WOHNGELD), "no person or case in the metrics");

        assert_eq!(app.get("/metrics").await.status().as_u16(), 404, "visitors of the portal do not see the metrics");
    }
}

/// Whether `line` is a sample of `name` with (at least) the given labels.
fn matches(line: &str, name: &str, labels: &[(&str, &str)]) -> bool {
    let Some(rest) = line.strip_prefix(name).and_then(|rest| rest.strip_prefix('{')) else { return false };
    let Some((set, _)) = rest.split_once('}') else { return false };
    labels.iter().all(|(label, value)| set.split(',').any(|pair| pair == format!("{label}=\"{value}\"")))
}

/// The sum of the samples of `name` with the given labels (0 before the first is recorded).
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|line| matches(line, name, labels))
        .filter_map(|line| line.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum()
}
