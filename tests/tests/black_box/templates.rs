//! Versioned consent templates through their server functions, on both databases: a draft is
//! edited, publishing needs the differences the administrator saw and freezes the version,
//! consents stay bound to their version, and a version that requires more waits for each
//! citizen with an open application: nothing widens without them.

use klarsicht_tests::{TestApp, Visitor, demo, forms_posting_to, location, on_both_databases, query_i64};
use serde_json::{Value, json};

const JONAS_WOHNGELD: &str = "00000000-0000-4000-8000-000000000701";
const WOHNGELD_V1: &str = "00000000-0000-4000-8000-000000000311";
const SHARING_V1: &str = "00000000-0000-4000-8000-000000000321";

/// The wohngeld template as the administrator reads it.
async fn wohngeld(frank: &mut Visitor<'_>) -> Value {
    let (status, overview) = frank.call("verwaltung/vorlagen", &[]).await;
    assert_eq!(status, 200, "{overview}");
    overview["templates"].as_array().expect("templates").iter().find(|template| template["benefit"] == "wohngeld").expect("wohngeld").clone()
}

fn draft_of(template: &Value) -> Option<Value> {
    template["versions"].as_array().expect("versions").iter().find(|version| version["status"] == "draft").cloned()
}

/// Starts a draft of the wohngeld template and answers its id.
async fn start_draft(frank: &mut Visitor<'_>) -> String {
    let (status, id) = frank.call("verwaltung/vorlage-entwurf", &[("benefit", "wohngeld")]).await;
    assert_eq!(status, 200, "{id}");
    draft_of(&wohngeld(frank).await).expect("a draft")["id"].as_str().expect("id").to_owned()
}

/// Publishes `version` with the changes `changes` confirmed; answers status and body.
async fn publish(frank: &mut Visitor<'_>, version: &str, changes: Value) -> (u16, Value) {
    let changes = changes.to_string();
    frank.call("verwaltung/vorlage-veroeffentlichen", &[("version", version), ("changes", &changes), ("confirmed", "ja")]).await
}

const HOUSEHOLD_TO_YOUTH_OFFICE: [(&str, &str); 7] = [
    ("category", "household"),
    ("office", "jugendamt"),
    ("purpose_de", "Prüfung von Hilfen für die Familie"),
    ("purpose_en", "Checking help for the family"),
    ("max_validity_days", "180"),
    ("explanation_de", "Das Jugendamt sieht, wer in Ihrem Haushalt lebt."),
    ("explanation_en", "The Youth Welfare Office sees who lives in your household."),
];

on_both_databases! {
    async fn a_published_version_never_changes_and_consents_stay_on_their_version(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        let mut frank = Visitor::new(&app);
        frank.sign_in_as_demo(demo::FRANK_RICHTER).await;
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;

        // A new draft starts as a copy of the published version and differs in nothing yet.
        let template = wohngeld(&mut frank).await;
        assert!(draft_of(&template).is_none());
        let draft = start_draft(&mut frank).await;
        assert_eq!(start_draft(&mut frank).await, draft, "one draft at a time");
        let template = wohngeld(&mut frank).await;
        let (published, copy) = (&template["versions"][1], draft_of(&template).expect("draft"));
        assert_eq!((copy["version"].as_i64(), published["version"].as_i64()), (Some(2), Some(1)));
        assert_eq!(copy["required"], published["required"]);
        assert_eq!(copy["optional"], published["optional"]);
        let (status, error) = publish(&mut frank, &draft, json!([])).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("version")), "nothing to publish: {error}");

        // A new optional sharing; its legal basis follows from the category. Bad input names the field.
        let mut sharing = vec![("version", draft.as_str())];
        sharing.extend(HOUSEHOLD_TO_YOUTH_OFFICE);
        for (field, bad) in [("max_validity_days", "5000"), ("category", "gesundheit"), ("office", "zoo"), ("purpose_de", "x")] {
            let crafted: Vec<(&str, &str)> =
                sharing.iter().map(|(name, value)| (*name, if *name == field { bad } else { *value })).collect();
            let (status, error) = frank.call("verwaltung/vorlage-freigabe", &crafted).await;
            assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some(field)), "{error}");
        }
        let (status, body) = frank.call("verwaltung/vorlage-freigabe", &sharing).await;
        assert_eq!(status, 200, "{body}");
        let added = draft_of(&wohngeld(&mut frank).await).expect("draft")["optional"]
            .as_array()
            .expect("optional")
            .iter()
            .find(|sharing| sharing["category"] == "household")
            .cloned()
            .expect("the new sharing");
        assert_eq!(added["legal_basis"], "art_6_1_a");

        // The page shows the draft and how it differs; citizens see nothing of it.
        let page = frank.get("/verwaltung/vorlagen").await.text().await.expect("a page").replace("<!>", "");
        for expected in ["Entwurf für Fassung 2", "Neue Freigabe angeboten: Haushalt → Jugendamt", "Gültig ist Fassung 1"] {
            assert!(page.contains(expected), "{expected}: {page}");
        }
        assert_eq!(jonas.get("/verwaltung/vorlagen").await.status().as_u16(), 403);
        let (_, offers) = jonas.call("buerger/freigabe-angebote", &[]).await;
        assert!(!offers.to_string().contains("Prüfung von Hilfen für die Familie"), "{offers}");

        // Publishing needs the differences as they are now.
        let (status, error) = publish(&mut frank, &draft, json!(["IntroChanged"])).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("version")), "{error}");
        let (status, report) = publish(&mut frank, &draft, json!([{ "SharingAdded": ["household", "jugendamt"] }])).await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(
            query_i64(&url, &format!("SELECT COUNT(*) FROM applications WHERE id = '{JONAS_WOHNGELD}' AND template_version_id = '{draft}'")).await,
            1,
            "an open application follows a version that asks for nothing more"
        );

        // Published means frozen: every change is refused and nothing in the database moves.
        let rows = "SELECT (SELECT COUNT(*) FROM template_required_categories) + (SELECT COUNT(*) FROM template_optional_sharings)";
        let before = query_i64(&url, rows).await;
        let (status, error) = frank.call("verwaltung/vorlage-freigabe", &sharing).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("version")), "{error}");
        let refused = [
            ("verwaltung/vorlage-texte", vec![("version", draft.as_str()), ("intro_de", "Ein neuer Text, lang genug."), ("intro_en", "A new text, long enough.")]),
            ("verwaltung/vorlage-pflicht-entfernen", vec![("version", draft.as_str()), ("category", "identity")]),
            ("verwaltung/vorlage-freigabe-entfernen", vec![("version", draft.as_str()), ("category", "household"), ("office", "jugendamt")]),
            ("verwaltung/vorlage-verwerfen", vec![("version", draft.as_str()), ("confirmed", "ja")]),
            ("verwaltung/vorlage-veroeffentlichen", vec![("version", draft.as_str()), ("changes", "[]"), ("confirmed", "ja")]),
        ];
        for (endpoint, arguments) in refused {
            let (status, error) = frank.call(endpoint, &arguments).await;
            assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("version")), "{endpoint}: {error}");
        }
        assert_eq!(query_i64(&url, rows).await, before);
        let template = wohngeld(&mut frank).await;
        assert!(draft_of(&template).is_none());
        assert_eq!(template["versions"][1]["optional"], published["optional"], "version 1 is as it was");

        // Jonas's consent stays on version 1; its sharing can no longer be granted anew, the new ones can.
        assert_eq!(query_i64(&url, &format!("SELECT COUNT(*) FROM consents WHERE sharing_id = '{SHARING_V1}' AND template_version_id = '{WOHNGELD_V1}'")).await, 1);
        let (status, error) = jonas.call("buerger/einwilligung-erteilen", &[("sharing", SHARING_V1)]).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("sharing")), "{error}");
        let (_, offers) = jonas.call("buerger/freigabe-angebote", &[]).await;
        let offer = offers.as_array().expect("offers").iter().find(|offer| offer["category"]["code"] == "household").cloned().expect("the new request");
        let (status, consent) = jonas.call("buerger/einwilligung-erteilen", &[("sharing", offer["id"].as_str().expect("id"))]).await;
        assert_eq!(status, 200, "{consent}");
        let consent = consent.as_str().expect("id");
        assert_eq!(query_i64(&url, &format!("SELECT COUNT(*) FROM consents WHERE id = '{consent}' AND template_version_id = '{draft}'")).await, 1);

        // The audit says who published what, with the differences.
        let (_, audit) = frank.call("verwaltung/protokoll", &[]).await;
        let entry = audit.as_array().expect("audit").iter().find(|entry| entry["action"] == "template_published").cloned().expect("audited");
        assert!(entry["detail"].as_str().expect("detail").contains("SharingAdded"), "{entry}");
    }
}

on_both_databases! {
    async fn a_version_that_requires_more_waits_for_each_citizen_to_agree(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        let mut frank = Visitor::new(&app);
        frank.sign_in_as_demo(demo::FRANK_RICHTER).await;
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;

        // Version 2 requires the contact details too.
        let draft = start_draft(&mut frank).await;
        let contact = [
            ("version", draft.as_str()),
            ("category", "contact"),
            ("legal_basis", "§ 60 SGB I"),
            ("explanation_de", "Die Wohngeldstelle muss Sie erreichen können."),
            ("explanation_en", "The Housing Benefit Office must be able to reach you."),
        ];
        let (status, body) = frank.call("verwaltung/vorlage-pflicht", &contact).await;
        assert_eq!(status, 200, "{body}");
        let (status, report) = publish(&mut frank, &draft, json!([{ "RequiredAdded": "contact" }])).await;
        assert_eq!(status, 200, "{report}");
        let on = |version: &str| format!("SELECT COUNT(*) FROM applications WHERE id = '{JONAS_WOHNGELD}' AND template_version_id = '{version}'");
        assert_eq!(query_i64(&url, &on(WOHNGELD_V1)).await, 1, "the application stays on its version");

        // The office sees nothing more yet.
        let (status, case) = sabine.call("mitarbeitende/akte", &[("application", JONAS_WOHNGELD)]).await;
        assert_eq!(status, 200, "{case}");
        assert!(case["case"]["data"].get("contact").is_none(), "{case}");

        // Jonas is asked: what the office would receive in addition, and why.
        let (status, renewals) = jonas.call("buerger/neue-bedingungen", &[]).await;
        assert_eq!(status, 200, "{renewals}");
        let renewal = renewals.as_array().expect("renewals").first().cloned().expect("one request");
        assert_eq!(renewals.as_array().map(Vec::len), Some(1));
        assert_eq!((renewal["application"].as_str(), renewal["new_version"].as_str()), (Some(JONAS_WOHNGELD), Some(draft.as_str())));
        assert_eq!(renewal["added"][0]["category"]["code"], "contact");
        assert_eq!(renewal["added"][0]["legal_basis"], "§ 60 SGB I");
        let cockpit = jonas.get("/buerger/freigaben").await.text().await.expect("a page").replace("<!>", "");
        assert!(cockpit.contains("Ein Amt bittet um Ihre Zustimmung") && cockpit.contains("Die Wohngeldstelle muss Sie erreichen können."), "{cockpit}");
        let start = jonas.get("/buerger/start").await.text().await.expect("a page");
        assert!(start.contains("Neue Bedingungen ansehen"), "what the offices wait for: {start}");

        // Nobody else can agree for him, and agreeing to an outdated version is refused.
        let mut anna = Visitor::new(&app);
        anna.sign_in_as_demo(demo::ANNA_BECKER).await;
        let (status, _) = anna.call("buerger/neue-bedingungen-zustimmen", &[("application", JONAS_WOHNGELD), ("version", &draft)]).await;
        assert_eq!(status, 404);
        let (status, error) = jonas.call("buerger/neue-bedingungen-zustimmen", &[("application", JONAS_WOHNGELD), ("version", WOHNGELD_V1)]).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("version")), "{error}");
        assert_eq!(query_i64(&url, &on(WOHNGELD_V1)).await, 1);

        // His "yes" moves the application; the office sees the contact details from now on.
        let (status, body) = jonas.call("buerger/neue-bedingungen-zustimmen", &[("application", JONAS_WOHNGELD), ("version", &draft)]).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(query_i64(&url, &on(&draft)).await, 1);
        assert_eq!(
            query_i64(&url, &format!("SELECT COUNT(*) FROM application_events WHERE application_id = '{JONAS_WOHNGELD}' AND kind = 'terms_accepted'")).await,
            1
        );
        let (_, renewals) = jonas.call("buerger/neue-bedingungen", &[]).await;
        assert_eq!(renewals, json!([]));
        let cockpit = jonas.get("/buerger/freigaben").await.text().await.expect("a page");
        assert!(!cockpit.contains("Ein Amt bittet um Ihre Zustimmung"));
        // The rule lets the office read contact details now (its read is logged so); of them
        // it sees what its own form asks for, which is nothing yet.
        let reads_of_contact = format!(
            "SELECT COUNT(*) FROM access_log WHERE basis_ref = '{JONAS_WOHNGELD}' AND CAST(categories AS TEXT) LIKE '%contact%'"
        );
        let (_, case) = sabine.call("mitarbeitende/akte", &[("application", JONAS_WOHNGELD)]).await;
        assert_eq!(query_i64(&url, &reads_of_contact).await, 1, "{case}");
        assert!(case["case"]["data"].get("contact").is_none(), "no field another office's form asked: {case}");

        // Version 3 asks for less than version 2: open applications follow it at once.
        let third = start_draft(&mut frank).await;
        let (status, body) = frank.call("verwaltung/vorlage-pflicht-entfernen", &[("version", third.as_str()), ("category", "contact")]).await;
        assert_eq!(status, 200, "{body}");
        let (status, _) = publish(&mut frank, &third, json!([{ "RequiredRemoved": "contact" }])).await;
        assert_eq!(status, 200);
        assert_eq!(query_i64(&url, &on(&third)).await, 1);
        let (_, case) = sabine.call("mitarbeitende/akte", &[("application", JONAS_WOHNGELD)]).await;
        assert!(case["case"]["data"].get("contact").is_none(), "{case}");
        assert_eq!(query_i64(&url, &reads_of_contact).await, 1, "contact details are no longer read");
    }
}

on_both_databases! {
    async fn a_discarded_draft_leaves_the_published_version_as_it_was(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut frank = Visitor::new(&app);
        frank.sign_in_as_demo(demo::FRANK_RICHTER).await;
        let before = wohngeld(&mut frank).await;
        let draft = start_draft(&mut frank).await;
        let (status, body) = frank
            .call("verwaltung/vorlage-texte", &[("version", draft.as_str()), ("intro_de", "kurz"), ("intro_en", "A new text, long enough.")])
            .await;
        assert_eq!((status, body["Invalid"]["field"].as_str()), (422, Some("intro_de")), "{body}");
        let (status, body) = frank
            .call("verwaltung/vorlage-texte", &[("version", draft.as_str()), ("intro_de", "Ein neuer Text, lang genug."), ("intro_en", "A new text, long enough.")])
            .await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = frank.call("verwaltung/vorlage-verwerfen", &[("version", draft.as_str())]).await;
        assert_eq!((status, body["Invalid"]["field"].as_str()), (422, Some("confirmed")), "{body}");
        let (status, body) = frank.call("verwaltung/vorlage-verwerfen", &[("version", draft.as_str()), ("confirmed", "ja")]).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(wohngeld(&mut frank).await, before);
    }
}

on_both_databases! {
    async fn a_refused_sharing_comes_back_into_its_own_form_as_it_was_typed(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut frank = Visitor::new(&app);
        frank.sign_in_as_demo(demo::FRANK_RICHTER).await;
        let draft = start_draft(&mut frank).await;
        // Kept text that looks like markup stays text in its field.
        let intro = "Wir prüfen Ihren Antrag </textarea> & melden uns &amp; bald.";
        let (status, body) = frank
            .call("verwaltung/vorlage-texte", &[("version", draft.as_str()), ("intro_de", intro), ("intro_en", "A new text, long enough.")])
            .await;
        assert_eq!(status, 200, "{body}");
        let mut sharing = vec![("version", draft.as_str())];
        let days = |(name, value): &(&'static str, &'static str)| (*name, if *name == "max_validity_days" { "ein <halbes> Jahr" } else { *value });
        sharing.extend(HOUSEHOLD_TO_YOUTH_OFFICE.iter().map(days));

        let page = "/verwaltung/vorlagen";
        let refused = frank.post_plain_form(page, "/api/verwaltung/vorlage-freigabe", &sharing).await;
        assert!(refused.status().is_redirection(), "back to the page: {}", refused.status());
        let html = frank.get(&location(&refused)).await.text().await.expect("a page");
        let forms = forms_posting_to(&html, "/api/verwaltung/vorlage-freigabe");
        assert_eq!(forms.len(), 1, "the draft's sharing form: {html}");
        for written in [
            r#"name="purpose_de" value="Prüfung von Hilfen für die Familie""#,
            r#"name="purpose_en" value="Checking help for the family""#,
            r#"name="max_validity_days" value="ein &lt;halbes&gt; Jahr""#,
            r#"value="household" selected"#,
            r#"value="jugendamt" selected"#,
            ">Das Jugendamt sieht, wer in Ihrem Haushalt lebt.</textarea>",
            ">The Youth Welfare Office sees who lives in your household.</textarea>",
        ] {
            assert!(forms[0].contains(written), "{written}: {}", forms[0]);
        }
        assert_eq!(forms[0].matches(" selected").count(), 2, "one category and one office chosen: {}", forms[0]);
        let kept_intro = ">Wir prüfen Ihren Antrag &lt;/textarea&gt; &amp; melden uns &amp;amp; bald.</textarea>";
        assert_eq!(html.matches(kept_intro).count(), 1, "the introduction as it was saved: {html}");
        assert_eq!(
            html.matches(">Das Jugendamt sieht, wer in Ihrem Haushalt lebt.</textarea>").count(), 1,
            "not in the required category's form, which has fields of the same names: {html}"
        );

        // Given back once: the same address again shows the form empty.
        let again = frank.get(&location(&refused)).await.text().await.expect("a page");
        let forms = forms_posting_to(&again, "/api/verwaltung/vorlage-freigabe");
        assert!(!forms[0].contains("Prüfung von Hilfen") && !forms[0].contains(" selected"), "{}", forms[0]);
    }
}
