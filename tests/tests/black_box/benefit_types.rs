//! Benefit types and their application forms through the administrators' server functions, on
//! both databases: a new kind of help, its sections and questions in order, the checks that
//! keep forms and citizens' data consistent, and what citizens are offered. (That citizens and
//! caseworkers are refused is in the role table of `sign_in.rs`.)

use klarsicht_tests::{TestApp, Visitor, demo, forms_posting_to, location, on_both_databases, query_i64};
use serde_json::Value;

async fn benefit(frank: &mut Visitor<'_>, code: &str) -> Value {
    let (status, overview) = frank.call("verwaltung/leistungen", &[]).await;
    assert_eq!(status, 200, "{overview}");
    overview["benefits"].as_array().expect("benefits").iter().find(|benefit| benefit["code"] == code).cloned().expect("the benefit")
}

fn keys(section: &Value) -> Vec<&str> {
    section["questions"].as_array().expect("questions").iter().map(|question| question["key"].as_str().expect("key")).collect()
}

const NEW_BENEFIT: [(&str, &str); 6] = [
    ("code", "kinderzuschlag"),
    ("name_de", "Kinderzuschlag"),
    ("name_en", "Child supplement"),
    ("description_de", "Geld für Familien mit kleinem Einkommen."),
    ("description_en", "Money for families with a small income."),
    ("office", "sozialamt"),
];

on_both_databases! {
    async fn an_administrator_builds_a_benefit_type_and_its_form(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        let mut frank = Visitor::new(&app);
        frank.sign_in_as_demo(demo::FRANK_RICHTER).await;

        // The demo's forms as they are.
        let wohngeld = benefit(&mut frank, "wohngeld").await;
        assert_eq!(wohngeld["office"], "wohngeldstelle");
        assert_eq!(wohngeld["has_published_template"], true);
        assert_eq!(keys(&wohngeld["sections"][0])[..2], ["vorname", "nachname"]);

        // A new kind of help cannot be offered before it has a template and questions.
        let mut offered = NEW_BENEFIT.to_vec();
        offered.push(("active", "ja"));
        let (status, error) = frank.call("verwaltung/leistung-speichern", &offered).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("active")), "{error}");
        let (status, body) = frank.call("verwaltung/leistung-speichern", &NEW_BENEFIT).await;
        assert_eq!(status, 200, "{body}");
        let crafted: Vec<(&str, &str)> = NEW_BENEFIT.iter().map(|(field, value)| (*field, if *field == "office" { "zoo" } else { *value })).collect();
        let (status, error) = frank.call("verwaltung/leistung-speichern", &crafted).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("office")), "{error}");

        // Sections: one per category.
        let section = |category: &'static str, title: &'static str| {
            vec![("benefit", "kinderzuschlag"), ("category", category), ("title_de", title), ("title_en", title)]
        };
        let (status, first) = frank.call("verwaltung/abschnitt-speichern", &section("income_assets", "Einkommen")).await;
        assert_eq!(status, 200, "{first}");
        let (status, second) = frank.call("verwaltung/abschnitt-speichern", &section("household", "Haushalt")).await;
        assert_eq!(status, 200, "{second}");
        let (status, error) = frank.call("verwaltung/abschnitt-speichern", &section("household", "Noch einmal")).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("category")), "{error}");
        let (first, second) = (first.as_str().expect("id").to_owned(), second.as_str().expect("id").to_owned());
        let (status, _) = frank.call("verwaltung/abschnitt-verschieben", &[("section", second.as_str()), ("placement", "hoch")]).await;
        assert_eq!(status, 200);
        let created = benefit(&mut frank, "kinderzuschlag").await;
        assert_eq!((created["sections"][0]["id"].as_str(), created["sections"][1]["id"].as_str()), (Some(second.as_str()), Some(first.as_str())));

        // Questions: checked by kind; a choice needs its answers; a key keeps its kind across forms.
        let question = |section: &str, key: &'static str, kind: &'static str, options: &'static str| {
            vec![
                ("section", section.to_owned()),
                ("key", key.to_owned()),
                ("label_de", format!("Frage {key}")),
                ("label_en", format!("Question {key}")),
                ("kind", kind.to_owned()),
                ("options", options.to_owned()),
                ("required", "ja".to_owned()),
            ]
        };
        let call = |arguments: &Vec<(&'static str, String)>| arguments.iter().map(|(field, value)| (*field, value.clone())).collect::<Vec<_>>();
        for (arguments, field) in [
            (question(&first, "kinder", "choice", "nur_eine | eine | one"), "options"),
            (question(&first, "kinder", "number", "a | b | c"), "options"),
            (question(&first, "kinder", "zahl", ""), "kind"),
            (question(&first, "Kinder Anzahl", "number", ""), "key"),
            // The demo's Wohngeld form asks `personen_im_haushalt` in this category as a number.
            (question(&second, "personen_im_haushalt", "text", ""), "kind"),
        ] {
            let arguments = call(&arguments);
            let borrowed: Vec<(&str, &str)> = arguments.iter().map(|(field, value)| (*field, value.as_str())).collect();
            let (status, error) = frank.call("verwaltung/frage-speichern", &borrowed).await;
            assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some(field)), "{error}");
        }
        let mut ids = Vec::new();
        for arguments in [
            question(&second, "personen_im_haushalt", "number", ""),
            question(&second, "wohnform", "choice", "miete | zur Miete | renting\neigentum | im Eigentum | owner"),
            question(&second, "kinder_unter_25", "number", ""),
        ] {
            let arguments = call(&arguments);
            let borrowed: Vec<(&str, &str)> = arguments.iter().map(|(field, value)| (*field, value.as_str())).collect();
            let (status, id) = frank.call("verwaltung/frage-speichern", &borrowed).await;
            assert_eq!(status, 200, "{id}");
            ids.push(id.as_str().expect("id").to_owned());
        }
        let (status, _) = frank.call("verwaltung/frage-verschieben", &[("question", ids[2].as_str()), ("placement", "hoch")]).await;
        assert_eq!(status, 200);
        let (status, _) = frank.call("verwaltung/frage-verschieben", &[("question", ids[0].as_str()), ("placement", "entfernen")]).await;
        assert_eq!(status, 200);
        let created = benefit(&mut frank, "kinderzuschlag").await;
        assert_eq!(keys(&created["sections"][0]), ["kinder_unter_25", "wohnform"]);
        assert_eq!(created["sections"][0]["questions"][1]["options"][1]["label_en"], "owner");

        // Changing a question keeps its key, whatever is sent.
        let (status, body) = frank
            .call(
                "verwaltung/frage-speichern",
                &[("section", second.as_str()), ("question", ids[1].as_str()), ("key", "anders"), ("label_de", "Wie wohnen Sie?"),
                  ("label_en", "How do you live?"), ("kind", "choice"), ("options", "miete | zur Miete | renting\neigentum | im Eigentum | owner")],
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let changed = &benefit(&mut frank, "kinderzuschlag").await["sections"][0]["questions"][1];
        assert_eq!((changed["key"].as_str(), changed["label_de"].as_str(), changed["required"].as_bool()), (Some("wohnform"), Some("Wie wohnen Sie?"), Some(false)));

        let page = frank.get("/verwaltung/leistungen").await.text().await.expect("a page").replace("<!>", "");
        for expected in ["Kinderzuschlag", "Wie wohnen Sie?", "kinder_unter_25", "Wird nicht angeboten: Es ist noch keine Einwilligungsvorlage veröffentlicht."] {
            assert!(page.contains(expected), "{expected}: {page}");
        }

        // Removing a section takes its questions with it; the audit has every change.
        let (status, _) = frank.call("verwaltung/abschnitt-verschieben", &[("section", first.as_str()), ("placement", "entfernen")]).await;
        assert_eq!(status, 200);
        assert_eq!(query_i64(&url, &format!("SELECT COUNT(*) FROM form_sections WHERE id = '{first}'")).await, 0);
        let audited = query_i64(&url, "SELECT COUNT(*) FROM admin_audit_log WHERE target_kind IN ('benefit_type', 'form_section', 'form_question')").await;
        assert_eq!(audited, 11, "one entry per change that was made");

        // Without a template it is still not offered; a citizen does not see it.
        let (status, error) = frank.call("verwaltung/leistung-speichern", &offered).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("active")), "{error}");
        let mut anna = Visitor::new(&app);
        anna.sign_in_as_demo(demo::ANNA_BECKER).await;
        let (_, start) = anna.call("buerger/antrag", &[]).await;
        assert!(!start.to_string().contains("kinderzuschlag"), "{start}");
    }
}

on_both_databases! {
    async fn a_refused_new_section_comes_back_into_its_own_form_and_no_other(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut frank = Visitor::new(&app);
        frank.sign_in_as_demo(demo::FRANK_RICHTER).await;
        // Housing benefit asks for identity already: a second section for it is refused.
        let section = [("benefit", "wohngeld"), ("category", "identity"), ("title_de", "Noch <einmal>"), ("title_en", "Once <more>")];
        let refused = frank.post_plain_form("/verwaltung/leistungen", "/api/verwaltung/abschnitt-speichern", &section).await;
        assert!(refused.status().is_redirection(), "back to the page: {}", refused.status());
        let html = frank.get(&location(&refused)).await.text().await.expect("a page");

        let forms = forms_posting_to(&html, "/api/verwaltung/abschnitt-speichern");
        let with_titles: Vec<&&str> = forms.iter().filter(|form| form.contains("Noch &lt;einmal&gt;")).collect();
        assert_eq!(with_titles.len(), 1, "only the form that was sent: {html}");
        let new_section = with_titles[0];
        assert!(new_section.contains(r#"name="benefit" value="wohngeld""#) && !new_section.contains(r#"name="section""#), "{new_section}");
        assert!(new_section.contains(r#"name="title_en" value="Once &lt;more&gt;""#), "{new_section}");
        assert!(new_section.contains(r#"value="identity" selected"#), "{new_section}");
        assert!(forms.len() > 2, "the existing sections' forms are on the page too: {html}");
    }
}
