//! The accessibility statement and its feedback form (BITV 2.0 § 7): open to everybody, checked
//! field by field, kept without any tie to an account, and read by administrators only.

use klarsicht_tests::{TestApp, Visitor, count_rows, demo, on_both_databases};

on_both_databases! {
    async fn the_statement_says_how_accessible_the_portal_is_in_both_languages(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let german = app.get("/barrierefreiheit").await;
        assert_eq!(german.status().as_u16(), 200);
        let german = german.text().await.expect("a page");
        for text in ["Erklärung zur Barrierefreiheit", "BITV 2.0", "Was noch nicht barrierefrei ist", "Barriere melden", "Schlichtungsverfahren", "1. Dezember 2026"] {
            assert!(german.contains(text), "the statement has {text}");
        }
        assert!(german.contains(r#"<label for="message">"#), "the feedback field has its label");
        let english = app
            .client
            .get(app.url("/barrierefreiheit"))
            .header("cookie", "i18n_pref_locale=en")
            .send()
            .await
            .expect("an answer")
            .text()
            .await
            .expect("a page");
        assert!(english.contains("Accessibility statement") && english.contains("Report a barrier"));

        // Every page links to it.
        let start = app.get("/").await.text().await.expect("a page");
        assert!(start.contains(r#"href="/barrierefreiheit""#), "the footer links to the statement");
    }

    async fn anyone_may_report_a_barrier_and_each_field_is_checked(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut visitor = Visitor::new(&app);
        for (arguments, field) in [
            (vec![("message", "zu kurz")], "message"),
            (vec![("message", "Der Knopf ist nicht erreichbar."), ("contact", "x")], "contact"),
            (vec![("message", "Der Knopf ist nicht erreichbar."), ("page", &"s".repeat(301))], "page"),
            (vec![("message", "Der Knopf ist nicht erreichbar."), ("language", "fr")], "language"),
        ] {
            let (status, body) = visitor.call("barrierefreiheit/rueckmeldung", &arguments).await;
            assert_eq!(status, 422, "{field}: {body}");
            assert_eq!(body["Invalid"]["field"], field, "{body}");
        }
        assert_eq!(count_rows(app.database_url(), "accessibility_feedback").await, 0, "nothing refused is kept");

        // Signed out, as a plain form: the answer leads back to the statement, which thanks.
        let response = app
            .client
            .post(app.url("/api/barrierefreiheit/rueckmeldung"))
            .header("accept", "text/html,application/xhtml+xml")
            .form(&[("message", "Das Datumsfeld sagt nicht, welches Format es erwartet."), ("page", "Meine Daten"), ("contact", "leser@example.org"), ("language", "de")])
            .send()
            .await
            .expect("an answer");
        assert!(response.status().is_redirection(), "{}", response.status());
        let back = klarsicht_tests::location(&response);
        assert!(back.starts_with("/barrierefreiheit?gesendet=ja"), "{back}");
        let thanks = visitor.get(&back).await.text().await.expect("a page");
        assert!(thanks.contains("Ihre Meldung ist angekommen"));
        // Signed in, the report is still not tied to the person.
        visitor.sign_in_as_demo(demo::ANNA_BECKER).await;
        let (status, _) = visitor.call("barrierefreiheit/rueckmeldung", &[("message", "Contrast of the hint text is too low."), ("language", "en")]).await;
        assert_eq!(status, 200);
        assert_eq!(count_rows(app.database_url(), "accessibility_feedback").await, 2);

        // Administrators read it, newest first; nobody else does.
        let (status, _) = visitor.call("verwaltung/uebersicht", &[]).await;
        assert_eq!(status, 403);
        let mut frank = Visitor::new(&app);
        frank.sign_in_as_demo(demo::FRANK_RICHTER).await;
        let (status, overview) = frank.call("verwaltung/uebersicht", &[]).await;
        assert_eq!(status, 200);
        let feedback = overview["feedback"].as_array().expect("the feedback");
        assert_eq!(feedback.len(), 2);
        assert_eq!(feedback[0]["message"], "Contrast of the hint text is too low.");
        assert_eq!(feedback[0]["contact"], serde_json::Value::Null);
        assert_eq!(feedback[0]["language"], "en");
        assert_eq!(feedback[1]["page"], "Meine Daten");
        assert_eq!(feedback[1]["contact"], "leser@example.org");
        assert!(!feedback[0].to_string().contains(demo::ANNA_BECKER), "no account in the report");
        let page = frank.get("/verwaltung/start").await.text().await.expect("a page");
        assert!(page.contains("Rückmeldungen zur Barrierefreiheit") && page.contains("leser@example.org"));
    }
}
