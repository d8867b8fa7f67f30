//! The staff view's casework through its server functions: the queue with tabs, counts, search
//! and assignment; a case taken, a document requested and handed in, a message, a note, a
//! decision the citizen reads, withdrawn and closed; every id of another office, and of a case
//! gone past its retention after its caseworker opened it, answered exactly like an unknown one;
//! the data protection officer's log review without any case content; and staff pages kept out
//! of the browser's cache.

use app::server::{
    db::{Database, DatabaseUrl, Timestamp},
    retention::Retention,
};
use klarsicht_tests::{TestApp, Visitor, count_rows, demo, execute, location, on_both_databases, query_i64};
use reqwest::multipart::{Form, Part};

/// Jonas's Wohngeld application, new in the Wohngeldstelle's queue (demo data).
const JONAS_WOHNGELD: &str = "00000000-0000-4000-8000-000000000701";
/// Mia's Hilfe zur Erziehung at the Jugendamt.
const MIAS_HZE: &str = "00000000-0000-4000-8000-000000000702";
const UNKNOWN: &str = "00000000-0000-4000-8000-00000000beef";
const REASON: &str = "Die Miete und das Einkommen sind belegt; der Anspruch besteht.";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

fn references(page: &serde_json::Value) -> Vec<String> {
    page["items"].as_array().expect("items").iter().filter_map(|item| item["reference"].as_str().map(str::to_owned)).collect()
}

fn count_of(page: &serde_json::Value, group: &str) -> i64 {
    page["counts"].as_array().expect("counts").iter().find(|pair| pair[0] == group).and_then(|pair| pair[1].as_i64()).unwrap_or(-1)
}

/// Asserts that every call of `visitor`'s on `application`, and the download of `document`,
/// answers exactly like one on an unknown id, and that none of them changed or logged anything.
async fn answers_like_unknown(app: &TestApp, visitor: &mut Visitor<'_>, application: &'static str, document: &str) {
    let url = app.database_url().to_owned();
    let events_before = query_i64(&url, "SELECT COUNT(*) FROM application_events").await;
    let reads_before = query_i64(&url, "SELECT COUNT(*) FROM access_log").await;
    let calls: [(&str, Vec<(&str, &str)>); 11] = [
        ("mitarbeitende/akte", vec![]),
        ("mitarbeitende/schutzvermerke", vec![]),
        ("mitarbeitende/zuweisen", vec![("assignee", "ich")]),
        ("mitarbeitende/unterlagen-anfordern", vec![("description", "Kontoauszüge der letzten drei Monate")]),
        ("mitarbeitende/anforderung-zuruecknehmen", vec![("request", UNKNOWN)]),
        ("mitarbeitende/nachricht-senden", vec![("body", "Guten Tag")]),
        ("mitarbeitende/notiz", vec![("body", "Notiz")]),
        ("mitarbeitende/entscheiden", vec![("outcome", "ablehnen"), ("reason", REASON), ("confirmed", "ja")]),
        ("mitarbeitende/entscheidung-aufheben", vec![("reason", REASON)]),
        ("mitarbeitende/abschliessen", vec![("confirmed", "ja")]),
        ("mitarbeitende/schutzvermerk-setzen", vec![("kind", "other"), ("reason", REASON)]),
    ];
    for (endpoint, extra) in calls {
        let arguments = |id: &'static str| {
            let mut arguments = vec![("application", id)];
            arguments.extend(extra.iter().copied());
            arguments
        };
        let answer = visitor.call(endpoint, &arguments(application)).await;
        let unknown = visitor.call(endpoint, &arguments(UNKNOWN)).await;
        assert_eq!(answer.0, 404, "{endpoint}: {}", answer.1);
        assert_eq!(answer, unknown, "{endpoint}: answered like an application that does not exist");
    }
    let answer = visitor.get(&format!("/api/mitarbeitende/dokument?document={document}")).await;
    let unknown = visitor.get(&format!("/api/mitarbeitende/dokument?document={UNKNOWN}")).await;
    assert_eq!((answer.status().as_u16(), unknown.status().as_u16()), (404, 404));
    assert_eq!(answer.text().await.ok(), unknown.text().await.ok());
    // Each refusal began a write transaction and ended it unwritten: none of them holds the
    // database's write lock now (a write of another connection would wait for it, then fail).
    execute(&url, "UPDATE offices SET name_de = name_de WHERE code = 'wohngeldstelle'").await;
    assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM application_events").await, events_before, "nothing changed");
    assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM access_log").await, reads_before, "nothing read, nothing logged");
}

/// Jonas hands in a payslip for his Wohngeld application; its id.
async fn payslip_of_jonas(app: &TestApp) -> String {
    let mut jonas = Visitor::new(app);
    jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
    let form = Form::new()
        .text("application", JONAS_WOHNGELD)
        .part("file", Part::bytes(PDF.to_vec()).file_name("Lohn.pdf").mime_str("application/pdf").expect("a type"));
    jonas.post_multipart("/api/buerger/dokument-hochladen", form).await;
    let (_, file) = jonas.call("buerger/antrag-akte", &[("application", JONAS_WOHNGELD)]).await;
    file["documents"][0]["id"].as_str().expect("a document").to_owned()
}

on_both_databases! {
    async fn a_caseworker_takes_a_case_asks_for_a_document_and_decides_and_the_citizen_sees_it(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;

        let (status, queue) = sabine.call("mitarbeitende/warteschlange", &[]).await;
        assert_eq!(status, 200, "{queue}");
        assert_eq!(references(&queue), ["KS-2026-000001"], "the new applications of her office");
        assert_eq!(queue["items"][0]["applicant"], serde_json::Value::Null, "a list shows no names: {queue}");
        assert_eq!((count_of(&queue, "New"), count_of(&queue, "InProgress")), (1, 0));
        let listed = |url: String| async move {
            query_i64(&url, &format!("SELECT COUNT(*) FROM access_log WHERE citizen_id = '{}' AND purpose = 'listed: application {JONAS_WOHNGELD}' \
                AND basis = 'application' AND basis_ref = '{JONAS_WOHNGELD}' AND CAST(categories AS TEXT) LIKE '%identity%'", demo::JONAS_WEBER)).await
        };
        assert_eq!(listed(url.clone()).await, 0, "browsing the queue reads no name");
        let (_, found) = sabine.call("mitarbeitende/warteschlange", &[("search", "webe")]).await;
        assert_eq!(references(&found), ["KS-2026-000001"], "found by the start of the name");
        assert_eq!(found["items"][0]["applicant"], "Jonas Weber", "a search by name shows the names it found");
        assert_eq!(listed(url.clone()).await, 1, "and records it in his log");
        let log = jonas.page("/buerger/zugriffe").await.replace("<!>", "");
        assert!(log.contains("Ihr Name in der Suche nach Anträgen (Antrag KS-2026-000001)"), "which he reads: {log}");
        let (_, found) = sabine.call("mitarbeitende/warteschlange", &[("search", "ks-2026-000001")]).await;
        assert_eq!(references(&found), ["KS-2026-000001"], "found by reference number");
        assert_eq!(found["items"][0]["applicant"], serde_json::Value::Null, "without a name");
        assert_eq!(listed(url.clone()).await, 1, "and without a read of it");
        let (_, none) = sabine.call("mitarbeitende/warteschlange", &[("search", "Becker")]).await;
        assert_eq!(references(&none), Vec::<String>::new());
        let (status, error) = sabine.call("mitarbeitende/warteschlange", &[("list", "alles")]).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("list")), "{error}");

        let (status, _) = sabine.call("mitarbeitende/zuweisen", &[("application", JONAS_WOHNGELD), ("assignee", "ich")]).await;
        assert_eq!(status, 200);
        let (_, mine) = sabine.call("mitarbeitende/warteschlange", &[("list", "in-bearbeitung"), ("assignee", "mir")]).await;
        assert_eq!(references(&mine), ["KS-2026-000001"], "taken: in progress, hers");
        assert_eq!((count_of(&mine, "New"), count_of(&mine, "InProgress")), (0, 1), "the counts follow at once");
        let (_, nobodys) = sabine.call("mitarbeitende/warteschlange", &[("list", "in-bearbeitung"), ("assignee", "niemandem")]).await;
        assert_eq!((references(&nobodys).len(), count_of(&nobodys, "InProgress")), (0, 0));
        let (status, error) = sabine.call("mitarbeitende/zuweisen", &[("application", JONAS_WOHNGELD), ("assignee", demo::LENA_HOFFMANN)]).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("assignee")), "not a colleague of her office");

        let (status, _) = sabine.call("mitarbeitende/unterlagen-anfordern", &[("application", JONAS_WOHNGELD), ("description", "Mietvertrag, alle Seiten")]).await;
        assert_eq!(status, 200);
        let (_, overview) = jonas.call("buerger/uebersicht", &[]).await;
        assert_eq!(overview["to_dos"][0]["application"], JONAS_WOHNGELD, "a to-do for the citizen: {overview}");
        let (_, file) = jonas.call("buerger/antrag-akte", &[("application", JONAS_WOHNGELD)]).await;
        assert_eq!(file["status"], "waiting_for_citizen");
        let request = file["requests"][0]["id"].as_str().expect("the request").to_owned();

        let form = Form::new()
            .text("application", JONAS_WOHNGELD)
            .text("request", request.clone())
            .part("file", Part::bytes(PDF.to_vec()).file_name("Mietvertrag.pdf").mime_str("application/pdf").expect("a type"));
        let response = jonas.post_multipart("/api/buerger/dokument-hochladen", form).await;
        assert_eq!(response.status().as_u16(), 302);

        let reads_before = query_i64(&url, "SELECT COUNT(*) FROM access_log").await;
        let (status, case) = sabine.call("mitarbeitende/akte", &[("application", JONAS_WOHNGELD)]).await;
        assert_eq!(status, 200, "{case}");
        assert_eq!(case["case"]["status"], "in_review", "the document answered the request");
        assert_eq!(case["applicant"]["name"], "Jonas Weber");
        assert!(case["case"]["data"]["income_assets"].is_object(), "what the office may see: {case}");
        assert!(case["case"]["data"].get("children_upbringing").is_none());
        let labels = case["labels"].as_array().expect("the fields' labels");
        let shown = |label: &serde_json::Value| {
            let (category, key) = (label["category"].as_str().unwrap_or_default(), label["key"].as_str().unwrap_or_default());
            ["data", "answers"].into_iter().any(|part| case["case"][part][category].get(key).is_some())
        };
        assert!(labels.iter().all(shown), "labels only of the fields the case shows: {case}");
        assert!(labels.iter().any(|label| label["category"] == "income_assets"), "and of those: {case}");
        assert_eq!(case["emergency_people"], serde_json::json!([]), "no emergency access outside the youth office");
        let case_entry = format!(
            "access_log WHERE basis_ref = '{JONAS_WOHNGELD}' AND purpose = 'application {JONAS_WOHNGELD}' AND CAST(categories AS TEXT) LIKE '%documents%'"
        );
        assert_eq!(count_rows(&url, &case_entry).await, 1, "the case's list of documents is logged with its read");
        let document = case["documents"][0]["id"].as_str().expect("the document").to_owned();
        let download = sabine.get(&format!("/api/mitarbeitende/dokument?document={document}")).await;
        assert_eq!(download.status().as_u16(), 200);
        assert_eq!(download.headers()["cache-control"], "no-store");
        assert_eq!(download.bytes().await.expect("the file").as_ref(), PDF);
        assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM access_log").await, reads_before + 2, "the case and the document, each logged");
        let (_, last) = sabine.call("mitarbeitende/akte", &[("application", JONAS_WOHNGELD)]).await;
        assert_eq!(last["case"]["status"], "in_review");

        sabine.call("mitarbeitende/nachricht-senden", &[("application", JONAS_WOHNGELD), ("body", "Danke, der Mietvertrag ist da.")]).await;
        sabine.call("mitarbeitende/notiz", &[("application", JONAS_WOHNGELD), ("body", "Intern: Heizkosten plausibel.")]).await;

        let (status, error) = sabine.call("mitarbeitende/entscheiden", &[("application", JONAS_WOHNGELD), ("outcome", "bewilligen"), ("reason", REASON)]).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("confirmed")), "a decision is confirmed first");
        let (status, error) = sabine.call("mitarbeitende/entscheiden", &[("application", JONAS_WOHNGELD), ("outcome", "bewilligen"), ("reason", "ok"), ("confirmed", "ja")]).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("reason")));
        let (status, _) = sabine.call("mitarbeitende/entscheiden", &[("application", JONAS_WOHNGELD), ("outcome", "bewilligen"), ("reason", REASON), ("confirmed", "ja")]).await;
        assert_eq!(status, 200);

        let (_, file) = jonas.call("buerger/antrag-akte", &[("application", JONAS_WOHNGELD)]).await;
        assert_eq!(file["status"], "approved");
        assert_eq!(file["decision_reason"], REASON, "the citizen reads the reason");
        assert!(file["messages"].as_array().expect("messages").iter().any(|message| message["body"] == "Danke, der Mietvertrag ist da."));
        assert!(!file.to_string().contains("Heizkosten plausibel"), "internal notes stay in the office");

        let (status, _) = sabine.call("mitarbeitende/entscheidung-aufheben", &[("application", JONAS_WOHNGELD), ("reason", "Rechenfehler beim Einkommen entdeckt.")]).await;
        assert_eq!(status, 200);
        let (_, file) = jonas.call("buerger/antrag-akte", &[("application", JONAS_WOHNGELD)]).await;
        assert_eq!((file["status"].as_str(), file["decision_reason"].is_null()), (Some("in_review"), true), "withdrawn until final");
        sabine.call("mitarbeitende/entscheiden", &[("application", JONAS_WOHNGELD), ("outcome", "ablehnen"), ("reason", REASON), ("confirmed", "ja")]).await;
        let (status, error) = sabine.call("mitarbeitende/abschliessen", &[("application", JONAS_WOHNGELD)]).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("confirmed")));
        let (status, _) = sabine.call("mitarbeitende/abschliessen", &[("application", JONAS_WOHNGELD), ("confirmed", "ja")]).await;
        assert_eq!(status, 200);
        let (status, error) = sabine.call("mitarbeitende/entscheidung-aufheben", &[("application", JONAS_WOHNGELD), ("reason", "Doch noch einmal ansehen.")]).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("reason")), "closed is final: {error}");
        let (_, file) = jonas.call("buerger/antrag-akte", &[("application", JONAS_WOHNGELD)]).await;
        assert_eq!(file["status"], "closed");
        let (_, closed) = sabine.call("mitarbeitende/warteschlange", &[("list", "abgeschlossen")]).await;
        assert_eq!(references(&closed), ["KS-2026-000001"]);
    }

    async fn a_refused_decision_comes_back_with_what_was_typed_into_it(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
        let (status, _) = sabine.call("mitarbeitende/zuweisen", &[("application", JONAS_WOHNGELD), ("assignee", "ich")]).await;
        assert_eq!(status, 200);
        let case = format!("/mitarbeitende/faelle/{JONAS_WOHNGELD}");
        let reason = "Das Einkommen liegt über der Grenze <laut Bescheid> & die Miete ist zu hoch.";
        let decision = [("application", JONAS_WOHNGELD), ("outcome", "ablehnen"), ("reason", reason)];

        // Not confirmed: refused, and the page it comes back to holds the reason and the choice.
        let refused = sabine.post_plain_form(&case, "/api/mitarbeitende/entscheiden", &decision).await;
        assert!(refused.status().is_redirection(), "back to the case: {}", refused.status());
        let back = location(&refused);
        let html = sabine.get(&back).await.text().await.expect("a page");
        assert!(html.contains("Bestätigen Sie den Schritt mit dem Häkchen."), "the refusal is named: {html}");
        let written = ">Das Einkommen liegt über der Grenze &lt;laut Bescheid&gt; &amp; die Miete ist zu hoch.</textarea>";
        assert_eq!(html.matches(written).count(), 1, "in the decision's reason only, not the other forms': {html}");
        assert!(html.contains(r#"value="ablehnen" checked"#), "the outcome chosen: {html}");
        assert!(!html.contains(r#"value="bewilligen" checked"#), "{html}");
        assert!(!html.contains(r#"name="confirmed" value="ja" checked"#), "{html}");

        // Refused again from there: the address names the newest refusal only.
        let from = back.trim_start_matches(&app.url("")).to_owned();
        let again = sabine.post_plain_form(&from, "/api/mitarbeitende/entscheiden", &decision).await;
        let back = location(&again);
        assert_eq!((back.matches("__err=").count(), back.matches("__path=").count()), (1, 1), "{back}");
        assert_eq!(sabine.get(&back).await.text().await.expect("a page").matches(written).count(), 1);

        // What was typed is given back once: the same address again shows an empty form.
        let html = sabine.get(&back).await.text().await.expect("a page");
        assert!(!html.contains("Grenze &lt;laut Bescheid&gt;"), "kept once only: {html}");
    }

    async fn another_offices_ids_answer_exactly_like_unknown_ones(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut lena = Visitor::new(&app);
        lena.sign_in_as_demo(demo::LENA_HOFFMANN).await;
        let document = payslip_of_jonas(&app).await;
        answers_like_unknown(&app, &mut lena, JONAS_WOHNGELD, &document).await;

        let (status, queue) = lena.call("mitarbeitende/warteschlange", &[("office", "wohngeldstelle")]).await;
        assert_eq!(status, 404, "not her office's queue: {queue}");
        let (_, own) = lena.call("mitarbeitende/warteschlange", &[("list", "in-bearbeitung")]).await;
        assert_eq!(references(&own), ["KS-2026-000002"], "her office's case only");
        assert!(!own.to_string().contains("KS-2026-000001"), "no hint of the housing benefit application");
        let (_, case) = lena.call("mitarbeitende/akte", &[("application", MIAS_HZE)]).await;
        let people: Vec<(&str, &str)> = case["emergency_people"]
            .as_array()
            .expect("people")
            .iter()
            .filter_map(|person| Some((person["id"].as_str()?, person["name"].as_str()?)))
            .collect();
        assert_eq!(people, [(demo::MIA_WEBER, "Mia Weber"), (demo::JONAS_WEBER, "")], "the child, and her parent without his name, for an emergency access");
        let seen: Vec<&String> = case["case"]["data"].as_object().expect("data").keys().chain(case["case"]["answers"].as_object().expect("answers").keys()).collect();
        assert!(!seen.iter().any(|category| *category == "income_assets" || *category == "bank_account"), "only what the youth office may see: {seen:?}");
        let text = case.to_string();
        assert!(!text.contains("wohngeld") && !text.contains("Wohngeld") && !text.contains("KS-2026-000001") && !text.contains("DE02"), "no inference: {text}");
    }

    async fn a_case_gone_past_its_retention_answers_like_an_unknown_one_where_it_was_opened(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        let document = payslip_of_jonas(&app).await;
        // Sabine opens the case and the payslip: the portal now knows her office holds both.
        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
        let (status, _) = sabine.call("mitarbeitende/akte", &[("application", JONAS_WOHNGELD)]).await;
        assert_eq!(status, 200);
        let download = sabine.get(&format!("/api/mitarbeitende/dokument?document={document}")).await;
        assert_eq!(download.status().as_u16(), 200);

        // Closed eleven years ago and removed by a retention run, while the portal runs on.
        crate::retention::close(&url, JONAS_WOHNGELD, 11 * 365).await;
        let database = Database::connect(&DatabaseUrl::parse(&url).expect("url"), 1).await.expect("database");
        let report = Retention::new(database).run_retention(Timestamp::now()).await.expect("a run");
        assert_eq!(report.deleted, 1, "{report:?}");

        answers_like_unknown(&app, &mut sabine, JONAS_WOHNGELD, &document).await;
    }

    async fn the_data_protection_officer_reviews_reads_by_filter_and_sees_no_content(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
        let (status, _) = sabine.call("mitarbeitende/akte", &[("application", JONAS_WOHNGELD)]).await;
        assert_eq!(status, 200);
        let mut claudia = Visitor::new(&app);
        claudia.sign_in_as_demo(demo::CLAUDIA_NEUMANN).await;

        let (status, review) = claudia.call("datenschutz/zugriffe", &[("office", "wohngeldstelle"), ("basis", "application")]).await;
        assert_eq!(status, 200, "{review}");
        let entry = &review["entries"][0];
        assert_eq!(entry["staff"], "Sabine Fischer");
        assert_eq!(entry["citizen"], demo::JONAS_WEBER);
        assert!(entry["categories"].as_array().expect("categories").iter().any(|category| category == "bank_account"));
        let text = review.to_string();
        assert!(!text.contains("DE02") && !text.contains("Gartenweg"), "no case content: {text}");
        let (_, by_consent) = claudia.call("datenschutz/zugriffe", &[("office", "wohngeldstelle"), ("basis", "consent")]).await;
        assert_eq!(by_consent["entries"], serde_json::json!([]));
        let (_, by_staff) = claudia.call("datenschutz/zugriffe", &[("staff", demo::LENA_HOFFMANN)]).await;
        assert!(by_staff["entries"].as_array().expect("entries").iter().all(|entry| entry["staff"] == "Lena Hoffmann"));
        let (_, before_today) = claudia.call("datenschutz/zugriffe", &[("until", "2020-01-01")]).await;
        assert_eq!(before_today["entries"], serde_json::json!([]), "filtered by day");
        let (status, error) = claudia.call("datenschutz/zugriffe", &[("from", "gestern")]).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("from")));
        let (status, check) = claudia.call("datenschutz/protokoll-pruefen", &[]).await;
        assert_eq!((status, check["intact"].as_bool()), (200, Some(true)));
        let (status, _) = sabine.call("datenschutz/zugriffe", &[]).await;
        assert_eq!(status, 403, "caseworkers do not review the log");
    }

    async fn many_reads_of_a_case_at_once_all_succeed_and_each_is_logged(backend: Backend) {
        // Each read appends to the access log in its own transaction. On SQLite a transaction
        // that read first and wrote second failed with "database is locked" whenever another
        // had written in between: under load nearly every case view answered 500.
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut readers = Vec::new();
        for _ in 0..8 {
            let mut sabine = Visitor::new(&app);
            sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
            readers.push(sabine);
        }
        let before = query_i64(app.database_url(), "SELECT COUNT(*) FROM access_log").await;
        let reads = readers.iter_mut().map(|sabine| async move {
            let mut statuses = Vec::new();
            for _ in 0..5 {
                statuses.push(sabine.call("mitarbeitende/akte", &[("application", JONAS_WOHNGELD)]).await.0);
            }
            statuses
        });
        let statuses: Vec<u16> = futures::future::join_all(reads).await.into_iter().flatten().collect();
        assert!(statuses.iter().all(|status| *status == 200), "{statuses:?}");
        let logged = query_i64(app.database_url(), "SELECT COUNT(*) FROM access_log").await - before;
        assert_eq!(logged, 40, "one entry per read");
        let mut claudia = Visitor::new(&app);
        claudia.sign_in_as_demo(demo::CLAUDIA_NEUMANN).await;
        let (_, check) = claudia.call("datenschutz/protokoll-pruefen", &[]).await;
        assert_eq!(check["intact"], true, "the tree holds: {check}");
    }

    async fn a_renamed_category_or_relabelled_field_shows_on_the_next_case_page(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
        let (status, before) = sabine.call("mitarbeitende/akte", &[("application", JONAS_WOHNGELD)]).await;
        assert_eq!(status, 200, "{before}");
        let name_of = |case: &serde_json::Value, code: &str| {
            let names = case["categories"].as_array().expect("the categories' names");
            names.iter().find(|name| name["code"] == code).map(|name| name["name_de"].clone())
        };
        assert_eq!(name_of(&before, "housing"), Some("Wohnung".into()), "{before}");
        let label = &before["labels"][0];
        let (category, key) = (label["category"].as_str().expect("a label's category"), label["key"].as_str().expect("its key"));

        // An administrator renames a category in the portal ...
        let mut frank = Visitor::new(&app);
        frank.sign_in_as_demo(demo::FRANK_RICHTER).await;
        let days = query_i64(&url, "SELECT retention_days FROM data_categories WHERE code = 'housing'").await.to_string();
        let (status, error) = frank
            .call(
                "verwaltung/kategorie-speichern",
                &[
                    ("code", "housing"),
                    ("name_de", "Wohnung und Miete"),
                    ("name_en", "Home and rent"),
                    ("description_de", "Ihre Wohnung: Größe, Miete und wer dort wohnt."),
                    ("description_en", "Your home: size, rent and who lives there."),
                    ("retention_days", days.as_str()),
                ],
            )
            .await;
        assert_eq!(status, 200, "{error}");
        let (_, renamed) = sabine.call("mitarbeitende/akte", &[("application", JONAS_WOHNGELD)]).await;
        assert_eq!(name_of(&renamed, "housing"), Some("Wohnung und Miete".into()), "{renamed}");

        // ... and another server on the same database changes a field's label.
        execute(
            &url,
            &format!(
                "UPDATE form_questions SET label_de = 'Neu beschriftet' WHERE key = '{key}' \
                 AND section_id IN (SELECT id FROM form_sections WHERE category_code = '{category}')"
            ),
        )
        .await;

        let (_, after) = sabine.call("mitarbeitende/akte", &[("application", JONAS_WOHNGELD)]).await;
        let relabelled = after["labels"].as_array().expect("the fields' labels").iter().find(|label| label["category"] == category && label["key"] == key);
        assert_eq!(relabelled.map(|label| label["label_de"].clone()), Some("Neu beschriftet".into()), "{after}");
    }

    async fn a_case_labels_its_fields_as_its_own_form_asks_for_them(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let label_of = |case: &serde_json::Value, category: &str, key: &str| {
            let labels = case["labels"].as_array().expect("the fields' labels");
            let found = labels.iter().find(|label| label["category"] == category && label["key"] == key);
            found.map(|label| (label["label_de"].as_str().unwrap_or_default().to_owned(), label["label_en"].as_str().unwrap_or_default().to_owned()))
        };
        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
        let (status, housing) = sabine.call("mitarbeitende/akte", &[("application", JONAS_WOHNGELD)]).await;
        assert_eq!(status, 200, "{housing}");
        // The youth office's form asks for the child; the housing benefit's for the applicant.
        assert_eq!(label_of(&housing, "identity", "vorname"), Some(("Vorname".into(), "First name".into())), "{housing}");
        assert_eq!(
            label_of(&housing, "household", "alleinerziehend"),
            Some(("Erziehen Sie Ihre Kinder allein?".into(), "Are you raising your children on your own?".into())),
            "German and English of the same question: {housing}"
        );
        let mut lena = Visitor::new(&app);
        lena.sign_in_as_demo(demo::LENA_HOFFMANN).await;
        let (status, youth) = lena.call("mitarbeitende/akte", &[("application", MIAS_HZE)]).await;
        assert_eq!(status, 200, "{youth}");
        assert_eq!(label_of(&youth, "identity", "vorname"), Some(("Vorname des Kindes".into(), "Child's first name".into())), "{youth}");
    }

    async fn staff_pages_and_answers_are_not_stored_by_the_browser(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
        for path in ["/mitarbeitende/warteschlange", &format!("/mitarbeitende/faelle/{JONAS_WOHNGELD}"), "/mitarbeitende/notzugriffe"] {
            let page = sabine.get(path).await;
            assert_eq!(page.status().as_u16(), 200, "{path}");
            assert_eq!(page.headers()["cache-control"], "no-store", "{path}");
            let html = page.text().await.expect("a page");
            assert!(!html.contains("localStorage") && !html.contains("sessionStorage"), "{path}");
        }
        let page = sabine.get(&format!("/mitarbeitende/faelle/{JONAS_WOHNGELD}")).await;
        let html = page.text().await.expect("a page").replace("<!>", "");
        assert!(html.contains("KS-2026-000001") && html.contains("Jonas Weber"), "{html}");
        let queue = sabine.get("/mitarbeitende/warteschlange").await.text().await.expect("a page").replace("<!>", "");
        assert!(queue.contains("Neu (1)"), "the tabs say how many: {queue}");

        // Another office's case is byte for byte the page of an id nobody has (the CSP nonce and
        // the id in the address normalised); no id at all is "not found" too.
        let nobodys = "00000000-0000-4000-8000-000000099999";
        let unknown = sabine.page(&format!("/mitarbeitende/faelle/{nobodys}")).await.replace(nobodys, "ID");
        assert!(unknown.starts_with("404\n") && unknown.contains("<h1>Seite nicht gefunden</h1>"), "{unknown}");
        let foreign = sabine.page(&format!("/mitarbeitende/faelle/{MIAS_HZE}")).await.replace(MIAS_HZE, "ID");
        assert_eq!(foreign, unknown, "another office's case is like one that does not exist");
        for path in ["/mitarbeitende/faelle/kein-fall".to_owned(), format!("/mitarbeitende/notzugriffe/{nobodys}")] {
            let page = sabine.page(&path).await;
            assert!(page.starts_with("404\n") && page.contains("<h1>Seite nicht gefunden</h1>"), "{path}: {page}");
        }
    }
}
