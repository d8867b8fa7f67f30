//! The skeleton pages render on the server in German first, English on request, with the
//! right status codes. (They do not touch the database, so they run on SQLite only.)

use std::sync::atomic::{AtomicBool, Ordering};

use klarsicht_tests::{Backend, TestApp, reqwest::header};

async fn body_of(app: &TestApp, path: &str, cookie: Option<&str>) -> (u16, String) {
    let mut request = app.client.get(app.url(path));
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = request.send().await.expect("the app answers");
    let status = response.status().as_u16();
    (status, response.text().await.expect("a body"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_start_page_is_german_and_leads_to_the_three_entrances() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (status, page) = body_of(&app, "/", None).await;
    assert_eq!(status, 200);
    assert!(page.contains("<html lang=\"de\""), "German is the first language");
    assert!(page.contains("<h1>Hilfe beantragen, an einem Ort</h1>"));
    assert!(page.contains("<title>Klarsicht – Hilfe beantragen</title>"));
    for entrance in ["href=\"/buerger\"", "href=\"/mitarbeitende\"", "href=\"/verwaltung\""] {
        assert!(page.contains(entrance), "links to {entrance}");
    }
    assert!(page.contains("Zum Inhalt springen"), "has a skip link");
    assert!(page.contains("<main id=\"inhalt\""), "the skip link has a target");
    assert!(page.contains("/pkg/klarsicht.js"), "loads the WebAssembly's glue");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_start_page_is_english_when_the_reader_chose_english() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (status, page) = body_of(&app, "/", Some("i18n_pref_locale=en")).await;
    assert_eq!(status, 200);
    assert!(page.contains("<html lang=\"en\""));
    assert!(page.contains("<h1>Apply for help, in one place</h1>"));
    assert!(!page.contains("Hilfe beantragen, an einem Ort"), "no German left on the English page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_entrance_says_whom_it_is_for() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for (path, heading) in [
        ("/buerger", "Zugang für Bürgerinnen und Bürger"),
        ("/mitarbeitende", "Zugang für Mitarbeitende der Ämter"),
        ("/verwaltung", "Zugang für die Verwaltung des Portals"),
    ] {
        let (status, page) = body_of(&app, path, None).await;
        assert_eq!(status, 200, "{path}");
        assert!(page.contains(&format!("<h1>{heading}</h1>")), "{path} has its heading");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_address_answers_404_with_a_way_back() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (status, page) = body_of(&app, "/gibt-es-nicht", None).await;
    assert_eq!(status, 404);
    assert!(page.contains("<h1>Seite nicht gefunden</h1>"));
    assert!(page.contains("Zur Startseite"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_switch_works_without_javascript() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let response = app.get("/sprache/en?zurueck=/buerger").await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers()[header::LOCATION], "/buerger");
    let cookie = response.headers()[header::SET_COOKIE].to_str().expect("text");
    assert!(cookie.starts_with("i18n_pref_locale=en;"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_switch_sends_nobody_to_another_site() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for foreign in ["//evil.example", "https://evil.example", "/\\evil.example"] {
        let response =
            app.client.get(app.url("/sprache/de")).query(&[("zurueck", foreign)]).send().await.expect("answers");
        assert_eq!(response.headers()[header::LOCATION], "/", "{foreign} is replaced by the start page");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_language_gets_a_clear_400() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (status, text) = body_of(&app, "/sprache/fr", None).await;
    assert_eq!(status, 400);
    assert!(text.contains("/sprache/de") && text.contains("/sprache/en"), "names the choices: {text}");
}

/// Starting a second server in the same process once listed the pages again, and a page that
/// the first server was rendering in that moment never finished (leptos-rs/leptos#4773). Pages
/// are now listed once per process; this keeps the first server busy while a dozen more start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_keep_answering_while_other_servers_start_in_the_same_process() {
    const OTHERS: usize = 12;
    let app = TestApp::spawn(Backend::Sqlite).await;
    let all_started = AtomicBool::new(false);
    let start_others = async {
        let mut started = Vec::new();
        for _ in 0..OTHERS {
            started.push(TestApp::spawn(Backend::Sqlite).await);
        }
        all_started.store(true, Ordering::SeqCst);
        started
    };
    // Several visitors at once, each asking again as soon as it has its answer.
    let keep_asking = |_| async {
        let mut answered = 0;
        while !all_started.load(Ordering::SeqCst) || answered < 5 {
            // A stalled page would only end at the server's own 30 s timeout, with a 408.
            let (status, page) = body_of(&app, "/buerger", None).await;
            assert_eq!(status, 200, "{page}");
            answered += 1;
        }
    };
    let (started, _) = tokio::join!(start_others, futures::future::join_all((0..8).map(keep_asking)));
    for other in &started {
        assert_eq!(body_of(other, "/mitarbeitende", None).await.0, 200);
    }
}
