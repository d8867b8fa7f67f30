//! A sent application as its citizen sees it: the office's requests answered by an upload
//! (checked by content, not by name, and by size), the documents downloaded again, messages to
//! the office, and every id of somebody else answered as not found with nothing kept.

use klarsicht_tests::{TestApp, Visitor, count_rows, demo, execute, on_both_databases, query_i64};
use reqwest::multipart::{Form, Part};

/// Mia's Hilfe zur Erziehung, which her father Jonas filled in (demo data), in review.
const MIAS_APPLICATION: &str = "00000000-0000-4000-8000-000000000702";
/// The youth office's open request on it: Mia's last school report.
const REPORT_REQUEST: &str = "00000000-0000-4000-8000-000000001201";
/// Jonas's own Wohngeld application.
const JONAS_APPLICATION: &str = "00000000-0000-4000-8000-000000000701";
/// Anna's draft: not a sent application.
const ANNA_DRAFT: &str = "00000000-0000-4000-8000-000000000703";

/// The smallest PDF a viewer opens: header, one empty page, trailer.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj \
3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
/// A web page with a script, named and sent as if it were a PDF.
const DISGUISED: &[u8] = b"<!DOCTYPE html><html><body><!-- %PDF-1.4 --><script>fetch('/api/buerger/datenexport')</script></body></html>";

/// The upload form of the application's page: application, request, file (in this order).
fn upload(application: &str, request: Option<&str>, name: &str, content: Vec<u8>, claimed_type: &str) -> Form {
    let mut form = Form::new().text("application", application.to_owned());
    if let Some(request) = request {
        form = form.text("request", request.to_owned());
    }
    let part = Part::bytes(content).file_name(name.to_owned()).mime_str(claimed_type).expect("a media type");
    form.part("file", part)
}

/// Where an upload sent the browser.
async fn upload_answer(visitor: &mut Visitor<'_>, form: Form) -> (u16, String) {
    let response = visitor.post_multipart("/api/buerger/dokument-hochladen", form).await;
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|location| location.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, location)
}

on_both_databases! {
    async fn a_parent_answers_the_offices_request_with_a_pdf_and_can_download_it_again(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        // The office waits for the citizen: the answer puts the application back into review.
        execute(&url, &format!("UPDATE applications SET status = 'waiting_for_citizen' WHERE id = '{MIAS_APPLICATION}'")).await;
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;

        let (status, overview) = jonas.call("buerger/uebersicht", &[]).await;
        assert_eq!(status, 200, "{overview}");
        assert_eq!(overview["to_dos"][0]["application"], MIAS_APPLICATION, "the to-do leads to the application: {overview}");

        let (status, location) =
            upload_answer(&mut jonas, upload(MIAS_APPLICATION, Some(REPORT_REQUEST), "Zeugnis Mia.pdf", PDF.to_vec(), "application/pdf")).await;
        assert_eq!(status, 302);
        assert_eq!(location, format!("/buerger/antraege/{MIAS_APPLICATION}?hochgeladen=1#unterlagen"));

        let (status, file) = jonas.call("buerger/antrag-akte", &[("application", MIAS_APPLICATION)]).await;
        assert_eq!(status, 200, "{file}");
        assert_eq!(file["person"]["name"], "Mia Weber", "{file}");
        assert_eq!(file["status"], "in_review", "nothing is open any more: {file}");
        assert_eq!(file["requests"][0]["status"], "fulfilled", "{file}");
        let document = &file["documents"][0];
        assert_eq!(document["file_name"], "Zeugnis Mia.pdf");
        assert_eq!(document["media_type"], "application/pdf");
        assert_eq!(document["size_bytes"], PDF.len());
        assert_eq!(document["request"], REPORT_REQUEST);
        let kinds: Vec<&str> = file["history"].as_array().expect("history").iter().filter_map(|entry| entry["kind"].as_str()).collect();
        assert!(kinds.ends_with(&["document_uploaded", "status_changed"]), "{kinds:?}");

        let (status, overview) = jonas.call("buerger/uebersicht", &[]).await;
        assert_eq!(status, 200);
        assert_eq!(overview["to_dos"], serde_json::json!([]), "the to-do is done");

        let id = document["id"].as_str().expect("an id");
        let response = jonas.get(&format!("/api/buerger/dokument?document={id}")).await;
        assert_eq!(response.status(), 200);
        let header = |name: &str| response.headers().get(name).and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned();
        assert_eq!(header("content-type"), "application/pdf");
        assert!(header("content-disposition").starts_with("attachment; filename=\"Zeugnis Mia.pdf\""), "{}", header("content-disposition"));
        assert_eq!(header("x-content-type-options"), "nosniff");
        assert!(header("content-security-policy").contains("sandbox"));
        assert_eq!(header("cache-control"), "no-store");
        assert_eq!(response.bytes().await.expect("the content").as_ref(), PDF, "the same bytes come back");
        assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM documents WHERE length(sha256) = 64").await, 1);
    }

    async fn a_document_disguised_by_its_name_is_refused_and_nothing_is_kept(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        let page = format!("/buerger/antraege/{MIAS_APPLICATION}");
        let refused = |problem: &str| format!("{page}?hochladen={problem}&anforderung={REPORT_REQUEST}");

        let cases: [(&str, Vec<u8>, &str); 5] = [
            ("Zeugnis.pdf", DISGUISED.to_vec(), "dateityp"),
            ("Zeugnis.png", b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff".to_vec(), "dateityp"),
            ("Zeugnis.pdf", Vec::new(), "leer"),
            ("", Vec::new(), "keine-datei"),
            ("Zeugnis.pdf", [b"%PDF-1.4\n".as_slice(), &vec![b' '; 10 * 1024 * 1024]].concat(), "zu-gross"),
        ];
        for (name, content, problem) in cases {
            let (status, location) =
                upload_answer(&mut jonas, upload(MIAS_APPLICATION, Some(REPORT_REQUEST), name, content, "application/pdf")).await;
            assert_eq!((status, location), (302, refused(problem)), "{name} ({problem})");
        }
        assert_eq!(count_rows(&url, "documents").await, 0, "nothing refused is kept");
        let (_, file) = jonas.call("buerger/antrag-akte", &[("application", MIAS_APPLICATION)]).await;
        assert_eq!(file["requests"][0]["status"], "open", "the request is still open: {file}");

        // The page names the field and the fix, with an error summary at the top.
        let response = jonas.get(&refused("dateityp")).await;
        assert_eq!(response.status(), 200);
        let html = response.text().await.expect("a page");
        assert!(html.contains("class=\"error-summary\""), "{html}");
        assert!(html.contains(&format!("href=\"#datei-{REPORT_REQUEST}\"")), "the summary links to the field");
        assert!(html.contains("Das ist kein PDF, JPEG oder PNG"), "the message says what to do");
        assert!(html.contains("aria-invalid=\"true\""));
    }

    async fn messages_reach_the_office_and_an_empty_one_is_not_sent(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        let before = count_rows(&url, "messages").await;

        let arguments = [("application", MIAS_APPLICATION), ("body", "  Guten Tag, das Zeugnis reiche ich nächste Woche nach.  ")];
        let (status, next) = jonas.call("buerger/nachricht-senden", &arguments).await;
        assert_eq!(status, 200, "{next}");
        assert_eq!(next, format!("/buerger/antraege/{MIAS_APPLICATION}?gesendet=1#nachrichten"));
        let (status, next) = jonas.call("buerger/nachricht-senden", &[("application", MIAS_APPLICATION), ("body", " \n ")]).await;
        assert_eq!(status, 200);
        assert_eq!(next, format!("/buerger/antraege/{MIAS_APPLICATION}?nachricht=leer"));
        let long = "a".repeat(4001);
        let (_, next) = jonas.call("buerger/nachricht-senden", &[("application", MIAS_APPLICATION), ("body", &long)]).await;
        assert!(next.as_str().is_some_and(|next| next.contains("nachricht=zu-lang")), "{next}");
        assert_eq!(count_rows(&url, "messages").await, before + 1, "only the real message is kept");

        let (_, file) = jonas.call("buerger/antrag-akte", &[("application", MIAS_APPLICATION)]).await;
        let messages = file["messages"].as_array().expect("messages");
        assert_eq!(messages[0]["from_office"], true);
        assert_eq!(messages[0]["sender"], "Lena Hoffmann", "the office's messages name the caseworker");
        let last = messages.last().expect("a message");
        assert_eq!((last["from_office"].as_bool(), last["body"].as_str()), (Some(false), Some("Guten Tag, das Zeugnis reiche ich nächste Woche nach.")));

        // A decided application takes no more messages or documents: the citizen is told how else.
        execute(&url, &format!("UPDATE applications SET status = 'approved' WHERE id = '{JONAS_APPLICATION}'")).await;
        let (status, refusal) = jonas.call("buerger/nachricht-senden", &[("application", JONAS_APPLICATION), ("body", "Danke!")]).await;
        assert_eq!(status, 422, "{refusal}");
        let (status, _) = upload_answer(&mut jonas, upload(JONAS_APPLICATION, None, "a.pdf", PDF.to_vec(), "application/pdf")).await;
        assert_eq!(status, 422);
    }

    async fn another_citizens_application_and_documents_are_not_found(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        let (status, _) =
            upload_answer(&mut jonas, upload(JONAS_APPLICATION, None, "Mietvertrag.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(), "image/png")).await;
        assert_eq!(status, 302);
        let (_, file) = jonas.call("buerger/antrag-akte", &[("application", JONAS_APPLICATION)]).await;
        let document = file["documents"][0]["id"].as_str().expect("a document").to_owned();
        assert_eq!(file["documents"][0]["media_type"], "image/png", "the content decides the kind");
        let messages = count_rows(&url, "messages").await;

        let mut anna = Visitor::new(&app);
        anna.sign_in_as_demo(demo::ANNA_BECKER).await;
        const UNKNOWN: &str = "00000000-0000-4000-8000-00000000beef";
        for application in [MIAS_APPLICATION, JONAS_APPLICATION, UNKNOWN, ANNA_DRAFT] {
            let (status, answer) = anna.call("buerger/antrag-akte", &[("application", application)]).await;
            assert_eq!(status, 404, "{application}: {answer}");
            let (status, answer) = anna.call("buerger/nachricht-senden", &[("application", application), ("body", "Hallo")]).await;
            assert_eq!(status, 404, "{application}: {answer}");
            let (status, _) = anna.call("buerger/nachricht-senden", &[("application", application), ("body", "")]).await;
            assert_eq!(status, 404, "an empty message says nothing about {application} either");
            let (status, _) = upload_answer(&mut anna, upload(application, Some(REPORT_REQUEST), "a.pdf", PDF.to_vec(), "application/pdf")).await;
            assert_eq!(status, 404, "{application}");
            let (status, _) = upload_answer(&mut anna, upload(application, None, "a.pdf", DISGUISED.to_vec(), "application/pdf")).await;
            assert_eq!(status, 404, "a refused file says nothing about {application} either");
        }
        for id in [document.as_str(), UNKNOWN] {
            let (status, answer) = anna.call_get("buerger/dokument", &[("document", id)]).await;
            assert_eq!(status, 404, "{answer}");
            assert!(!answer.to_string().contains("Mietvertrag"), "nothing of it is revealed");
        }
        // Jonas's request id with another application of his: not that application's request.
        let (status, location) =
            upload_answer(&mut jonas, upload(JONAS_APPLICATION, Some(REPORT_REQUEST), "a.pdf", PDF.to_vec(), "application/pdf")).await;
        assert_eq!((status, location.contains("hochladen=erledigt")), (302, true), "{location}");
        assert_eq!(count_rows(&url, "documents").await, 1, "nothing else is kept");
        assert_eq!(count_rows(&url, "messages").await, messages);
        assert_eq!(query_i64(&url, &format!("SELECT COUNT(*) FROM document_requests WHERE status = 'open' AND id = '{REPORT_REQUEST}'")).await, 1);
        // Malformed: no id, not a form.
        let (status, _) = anna.call("buerger/antrag-akte", &[("application", "kein-antrag")]).await;
        assert_eq!(status, 422);
        let response = anna.post_multipart("/api/buerger/dokument-hochladen", Form::new().text("file", "x")).await;
        assert_eq!(response.status(), 422);
    }
}
