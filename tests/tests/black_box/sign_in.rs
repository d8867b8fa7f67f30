//! Sign-in through OpenID Connect (against the mock provider on loopback), sessions in the
//! database, and every way a sign-in must be refused: each with a clear page and no session.

use klarsicht_tests::{
    Backend, TestApp, Visitor, count_rows, demo, execute, location,
    oidc_provider::{Defect, MockProvider, Person},
    on_both_databases, query_i64, use_provider,
};

/// A server function's endpoint, its arguments, who may call it, and what they then get.
type Row = (&'static str, &'static [(&'static str, &'static str)], &'static [&'static str], u16);

async fn app_with(backend: Backend, provider: &MockProvider) -> TestApp {
    TestApp::spawn_with(backend, |settings| {
        use_provider(settings, provider);
        settings.demo_data = Some(true);
    })
    .await
}

fn param<'a>(url: &'a str, name: &str) -> Option<&'a str> {
    url.split_once('?')?.1.split('&').find_map(|pair| pair.strip_prefix(&format!("{name}=")))
}

on_both_databases! {
    async fn a_citizen_signs_in_through_the_provider_and_gets_a_new_session_id(backend: Backend) {
        let provider = MockProvider::start().await;
        let app = app_with(backend, &provider).await;
        provider.will_sign_in(Person::new("konto-4711", "Erika", "Mustermann"));
        let mut visitor = Visitor::new(&app);

        let start = visitor.get("/anmelden/buerger?zurueck=/buerger/sitzungen").await;
        assert_eq!(start.status().as_u16(), 303);
        let authorize = location(&start);
        assert!(authorize.starts_with(&format!("{}/authorize?", provider.issuer)), "{authorize}");
        assert_eq!(param(&authorize, "code_challenge_method"), Some("S256"), "PKCE with S256");
        assert!(param(&authorize, "state").is_some() && param(&authorize, "nonce").is_some());
        let before = visitor.session_id().expect("the pending sign-in lives in a session").to_owned();

        let done = visitor.follow(start).await;
        assert_eq!(location(&done), "/buerger/sitzungen", "back where the citizen wanted to go");
        let after = visitor.session_id().expect("signed in").to_owned();
        assert_ne!(before, after, "the session id is renewed at sign-in");
        let cookie = visitor.session_cookies_set.last().expect("a cookie was set").clone();
        for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(cookie.contains(attribute), "{attribute} in {cookie}");
        }
        assert!(!cookie.contains("Secure") && !cookie.contains("Domain"), "development: plain http, no domain: {cookie}");

        let me = visitor.me().await;
        assert_eq!(me["display_name"], "Erika Mustermann");
        assert_eq!(me["kind"], "Citizen");
        assert!(!me.to_string().contains("eyJ"), "no token reaches the browser");

        let mut thief = Visitor::new(&app);
        thief.use_session_id(&before);
        assert!(thief.me().await.is_null(), "the id from before sign-in is worth nothing");

        // The next sign-in finds the same citizen.
        let mut second = Visitor::new(&app);
        second.sign_in("buerger", None).await;
        assert_eq!(second.me().await["display_name"], "Erika Mustermann");
        assert_eq!(query_i64(app.database_url(), "SELECT COUNT(*) FROM citizens WHERE oidc_subject = 'konto-4711'").await, 1);
        assert_eq!(count_rows(app.database_url(), "session_records").await, 2);
    }

    async fn a_caseworker_signs_in_at_the_staff_entrance(backend: Backend) {
        let provider = MockProvider::start().await;
        let app = app_with(backend, &provider).await;
        provider.will_sign_in(Person::new("demo-lena", "Lena", "Hoffmann"));
        let mut visitor = Visitor::new(&app);
        let done = visitor.sign_in("mitarbeitende", None).await;
        assert_eq!(location(&done), "/mitarbeitende/start");
        let me = visitor.me().await;
        assert_eq!(me["display_name"], "Lena Hoffmann");
        assert_eq!(me["kind"]["Staff"]["roles"][0]["Caseworker"]["office_code"], "jugendamt");
    }

    async fn a_staff_member_is_found_by_verified_email_once_and_by_subject_after(backend: Backend) {
        let provider = MockProvider::start().await;
        let app = app_with(backend, &provider).await;
        execute(
            app.database_url(),
            "INSERT INTO staff_members (id, display_name, email, oidc_subject, active, created_at) \
             VALUES ('00000000-0000-4000-8000-000000000999', 'Jana Neu', 'jana.neu@wohngeldstelle.example', NULL, TRUE, '2026-11-01T08:00:00.000000Z'); \
             INSERT INTO staff_roles (staff_id, office_code, role) VALUES ('00000000-0000-4000-8000-000000000999', 'wohngeldstelle', 'caseworker');",
        )
        .await;
        provider.will_sign_in(Person::new("verzeichnis-77", "Jana", "Neu").with_verified_email("Jana.Neu@wohngeldstelle.example"));
        let mut visitor = Visitor::new(&app);
        assert_eq!(location(&visitor.sign_in("mitarbeitende", None).await), "/mitarbeitende/start");
        assert_eq!(visitor.me().await["display_name"], "Jana Neu");
        let bound = "SELECT COUNT(*) FROM staff_members WHERE oidc_subject = 'verzeichnis-77'";
        assert_eq!(query_i64(app.database_url(), bound).await, 1, "the subject is bound");

        // Someone else with the same (verified) address but another subject does not get in.
        provider.will_sign_in(Person::new("verzeichnis-88", "Jana", "Neu").with_verified_email("jana.neu@wohngeldstelle.example"));
        let mut other = Visitor::new(&app);
        assert_eq!(location(&other.sign_in("mitarbeitende", None).await), "/kein-zugang?grund=unbekannt");
        assert!(other.me().await.is_null());
    }

    async fn an_unknown_person_at_the_staff_entrance_is_refused_with_a_clear_page_and_no_session(backend: Backend) {
        let provider = MockProvider::start().await;
        let app = app_with(backend, &provider).await;
        // Unverified e-mail of a real staff member: not enough.
        let mut impostor = Person::new("fremd-1", "Lena", "Hoffmann");
        impostor.email = Some("lena.hoffmann@jugendamt.example".to_owned());
        provider.will_sign_in(impostor);
        let mut visitor = Visitor::new(&app);
        let done = visitor.sign_in("mitarbeitende", None).await;
        assert_eq!(location(&done), "/kein-zugang?grund=unbekannt");
        assert!(visitor.session_id().is_none(), "no session cookie is left");
        assert!(visitor.me().await.is_null());
        assert_eq!(count_rows(app.database_url(), "session_records").await, 0);

        let page = visitor.get("/kein-zugang?grund=unbekannt").await;
        assert_eq!(page.status().as_u16(), 403);
        assert!(page.text().await.expect("a page").contains("<h1>Kein Zugang</h1>"));
    }

    async fn every_defect_of_the_provider_answer_is_refused_without_a_session(backend: Backend) {
        let provider = MockProvider::start().await;
        let app = app_with(backend, &provider).await;
        provider.will_sign_in(Person::new("konto-1", "Erika", "Mustermann"));
        for defect in [
            Defect::WrongNonce,
            Defect::WrongIssuer,
            Defect::WrongAudience,
            Defect::ExpiredIdToken,
            Defect::ForeignSignature,
            Defect::NoIdToken,
        ] {
            provider.misbehave(defect);
            let mut visitor = Visitor::new(&app);
            let done = visitor.sign_in("buerger", None).await;
            assert_eq!(location(&done), "/anmeldung-fehlgeschlagen?grund=ungueltig&zugang=buerger", "{defect:?}");
            assert!(visitor.session_id().is_none(), "{defect:?}: no session cookie is left");
            assert!(visitor.me().await.is_null(), "{defect:?}: nobody is signed in");
        }
        assert_eq!(count_rows(app.database_url(), "session_records").await, 0);
        assert_eq!(count_rows(app.database_url(), "citizens WHERE oidc_subject = 'konto-1'").await, 0);

        let mut visitor = Visitor::new(&app);
        let page = visitor.get("/anmeldung-fehlgeschlagen?grund=ungueltig&zugang=buerger").await;
        assert_eq!(page.status().as_u16(), 400);
        assert!(page.text().await.expect("a page").contains("Zu Ihrem Schutz wurden Sie nicht angemeldet"));
    }

    async fn a_wrong_state_is_refused_and_spends_the_sign_in(backend: Backend) {
        let provider = MockProvider::start().await;
        let app = app_with(backend, &provider).await;
        provider.will_sign_in(Person::new("konto-2", "Erika", "Mustermann"));
        let mut visitor = Visitor::new(&app);
        let start = visitor.get("/anmelden/buerger").await;
        let back = location(&visitor.get(&location(&start)).await);
        let state = param(&back, "state").expect("a state").to_owned();
        let forged = back.replace(&format!("state={state}"), "state=forged");

        assert_eq!(location(&visitor.get(&forged).await), "/anmeldung-fehlgeschlagen?grund=ungueltig&zugang=buerger");
        assert!(visitor.me().await.is_null());
        // The genuine answer arrives too late: the attempt is spent.
        assert_eq!(location(&visitor.get(&back).await), "/anmeldung-fehlgeschlagen?grund=abgelaufen&zugang=buerger");
        assert!(visitor.me().await.is_null());
    }

    async fn a_replayed_callback_is_refused(backend: Backend) {
        let provider = MockProvider::start().await;
        let app = app_with(backend, &provider).await;
        provider.will_sign_in(Person::new("konto-3", "Erika", "Mustermann"));
        let mut visitor = Visitor::new(&app);
        let start = visitor.get("/anmelden/buerger").await;
        let callback = location(&visitor.get(&location(&start)).await);
        let signed_in = visitor.get(&callback).await;
        assert_eq!(location(&signed_in), "/buerger/start");

        let mut attacker = Visitor::new(&app);
        assert_eq!(location(&attacker.get(&callback).await), "/anmeldung-fehlgeschlagen?grund=abgelaufen&zugang=buerger");
        assert!(attacker.me().await.is_null());
        assert_eq!(count_rows(app.database_url(), "session_records").await, 1);
    }

    async fn a_stolen_code_is_refused_in_another_sign_in(backend: Backend) {
        let provider = MockProvider::start().await;
        let app = app_with(backend, &provider).await;
        provider.will_sign_in(Person::new("konto-4", "Erika", "Mustermann"));
        let mut victim = Visitor::new(&app);
        let start = victim.get("/anmelden/buerger").await;
        let victims_callback = location(&victim.get(&location(&start)).await);
        let code = param(&victims_callback, "code").expect("a code").to_owned();

        // The attacker starts a sign-in of their own and presents the victim's code with it.
        let mut attacker = Visitor::new(&app);
        let attackers_start = attacker.get("/anmelden/buerger").await;
        let state = param(&location(&attackers_start), "state").expect("a state").to_owned();
        let forged = format!("/anmelden/buerger/rueckruf?code={code}&state={state}");
        assert_eq!(location(&attacker.get(&forged).await), "/anmeldung-fehlgeschlagen?grund=ungueltig&zugang=buerger");
        assert!(attacker.me().await.is_null(), "the PKCE verifier of another sign-in does not fit the code");
        assert_eq!(count_rows(app.database_url(), "session_records").await, 0);
    }

    async fn a_return_address_outside_the_portal_is_ignored(backend: Backend) {
        let provider = MockProvider::start().await;
        let app = app_with(backend, &provider).await;
        provider.will_sign_in(Person::new("konto-5", "Erika", "Mustermann"));
        for foreign in ["//evil.example", "https://evil.example/", "/\\evil.example"] {
            let mut visitor = Visitor::new(&app);
            let start = visitor.get(&format!("/anmelden/buerger?zurueck={}", klarsicht_tests::encode(foreign))).await;
            let done = visitor.follow(start).await;
            assert_eq!(location(&done), "/buerger/start", "{foreign} is replaced by the citizen's area");
        }
    }

    async fn signing_out_ends_the_session_here_and_at_the_provider(backend: Backend) {
        let provider = MockProvider::start().await;
        let app = app_with(backend, &provider).await;
        provider.will_sign_in(Person::new("konto-6", "Erika", "Mustermann"));
        let mut visitor = Visitor::new(&app);
        visitor.sign_in("buerger", None).await;
        let session = visitor.session_id().expect("signed in").to_owned();

        let out = visitor.post_form("/abmelden", &[]).await;
        assert_eq!(out.status().as_u16(), 303);
        let logout = location(&out);
        assert!(logout.starts_with(&format!("{}/logout?", provider.issuer)), "{logout}");
        assert!(param(&logout, "id_token_hint").is_some(), "{logout}");
        assert!(param(&logout, "post_logout_redirect_uri").is_some_and(|uri| uri.ends_with("%2Fabgemeldet")), "{logout}");
        assert!(visitor.me().await.is_null());

        let mut replay = Visitor::new(&app);
        replay.use_session_id(&session);
        assert!(replay.me().await.is_null(), "the ended session cannot be reused");
        assert_eq!(query_i64(app.database_url(), "SELECT COUNT(*) FROM session_records WHERE ended_at IS NOT NULL").await, 1);
    }

    async fn the_demo_sign_in_lists_every_role_and_signs_in(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut visitor = Visitor::new(&app);
        let (status, people) = visitor.call("demo/personen", &[]).await;
        assert_eq!(status, 200);
        let people = people.as_array().expect("a list").clone();
        for (name, kind) in [
            ("Anna Becker", "Citizen"),
            ("Lena Hoffmann", "Caseworker"),
            ("Dr. Claudia Neumann", "DataProtectionOfficer"),
            ("Frank Richter", "Administrator"),
        ] {
            assert!(people.iter().any(|person| person["display_name"] == name && person["kind"] == kind), "{name} as {kind}");
        }
        assert!(!people.iter().any(|person| person["display_name"] == "Mia Weber"), "a child without an account is no demo sign-in");

        let response = visitor.sign_in_as_demo(demo::ANNA_BECKER).await;
        assert_eq!(location(&response), "/buerger/start");
        assert_eq!(visitor.me().await["display_name"], "Anna Becker");
        let page = visitor.get("/buerger/start").await;
        assert_eq!(page.status().as_u16(), 200);
        let page = page.text().await.expect("a page");
        let heading = page.split("<h1>").nth(1).and_then(|rest| rest.split("</h1>").next()).unwrap_or_default();
        assert!(heading.starts_with("Guten Tag, ") && heading.contains("Anna Becker"), "{heading}");
    }

    async fn a_citizen_sees_their_sessions_and_ends_another(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut laptop = Visitor::new(&app);
        let mut phone = Visitor::new(&app);
        let mut jonas = Visitor::new(&app);
        laptop.sign_in_as_demo(demo::ANNA_BECKER).await;
        phone.sign_in_as_demo(demo::ANNA_BECKER).await;
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;

        let (status, sessions) = laptop.call("buerger/sitzungen", &[]).await;
        assert_eq!(status, 200);
        let sessions = sessions.as_array().expect("a list").clone();
        assert_eq!(sessions.len(), 2, "Anna's two sessions, not Jonas's");
        assert_eq!(sessions.iter().filter(|session| session["this_device"] == true).count(), 1);
        let phone_session = sessions.iter().find(|session| session["this_device"] == false).expect("the other one");
        let phone_id = phone_session["id"].as_str().expect("an id").to_owned();

        let (_, jonas_sessions) = jonas.call("buerger/sitzungen", &[]).await;
        let jonas_id = jonas_sessions[0]["id"].as_str().expect("an id").to_owned();
        let (status, _) = laptop.call("buerger/sitzung-beenden", &[("session_id", &jonas_id)]).await;
        assert_eq!(status, 404, "someone else's session is not hers to end");
        assert_eq!(jonas.me().await["display_name"], "Jonas Weber");

        let (status, _) = laptop.call("buerger/sitzung-beenden", &[("session_id", &phone_id)]).await;
        assert_eq!(status, 200);
        assert!(phone.me().await.is_null(), "the phone is signed out on its next request");
        assert_eq!(laptop.me().await["display_name"], "Anna Becker");

        let (status, _) = laptop.call("buerger/sitzung-beenden", &[("session_id", "")]).await;
        assert_eq!(status, 422, "an empty id is named as the problem");

        let mut tablet = Visitor::new(&app);
        tablet.sign_in_as_demo(demo::ANNA_BECKER).await;
        let (status, ended) = laptop.call("buerger/andere-sitzungen-beenden", &[]).await;
        assert_eq!((status, ended), (200, serde_json::json!(1)));
        assert!(tablet.me().await.is_null());
        assert_eq!(laptop.me().await["display_name"], "Anna Becker");
    }

    async fn a_session_ends_after_its_lifetime_and_after_idle_time(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut old = Visitor::new(&app);
        old.sign_in_as_demo(demo::ANNA_BECKER).await;
        execute(app.database_url(), "UPDATE session_records SET created_at = '2020-01-01T00:00:00.000000Z'").await;
        assert!(old.me().await.is_null(), "past its absolute lifetime");

        let mut idle = Visitor::new(&app);
        idle.sign_in_as_demo(demo::ANNA_BECKER).await;
        let expire = match backend {
            Backend::Sqlite => "UPDATE tower_sessions SET expiry_date = 0",
            Backend::Postgres => "UPDATE tower_sessions.session SET expiry_date = '2020-01-01T00:00:00Z'",
        };
        execute(app.database_url(), expire).await;
        assert!(idle.me().await.is_null(), "idle past its expiry");
    }

    async fn a_deactivated_staff_member_is_signed_out_at_once(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut lena = Visitor::new(&app);
        lena.sign_in_as_demo(demo::LENA_HOFFMANN).await;
        assert_eq!(lena.me().await["display_name"], "Lena Hoffmann");
        execute(app.database_url(), &format!("UPDATE staff_members SET active = FALSE WHERE id = '{}'", demo::LENA_HOFFMANN)).await;
        assert!(lena.me().await.is_null());
    }

    async fn every_server_function_refuses_a_missing_or_wrong_principal(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let people = [
            ("citizen", demo::ANNA_BECKER),
            ("caseworker", demo::LENA_HOFFMANN),
            ("data_protection_officer", demo::CLAUDIA_NEUMANN),
            ("administrator", demo::FRANK_RICHTER),
        ];
        // Endpoint, its arguments, and who may call it.
        const CASE: (&str, &str) = ("application", "00000000-0000-4000-8000-000000000702");
        const UNKNOWN_FLAG: (&str, &str) = ("flag", "00000000-0000-4000-8000-00000000f1a9");
        const REASON: (&str, &str) = ("reason", "Gefährdung durch den früheren Partner");
        const UNKNOWN: &str = "00000000-0000-4000-8000-00000000beef";
        const EMERGENCY: (&str, &str) = ("emergency", UNKNOWN);
        let table: [Row; 89] = [
            ("ich", &[], &["anyone"], 200),
            ("barrierefreiheit/rueckmeldung", &[("message", "kurz")], &["anyone"], 422),
            ("anmeldung", &[], &["anyone"], 200),
            ("demo/personen", &[], &["anyone"], 200),
            ("buerger/ich", &[], &["citizen"], 200),
            ("buerger/sitzungen", &[], &["citizen"], 200),
            ("buerger/sitzung-beenden", &[("session_id", "unbekannt")], &["citizen"], 404),
            ("buerger/andere-sitzungen-beenden", &[], &["citizen"], 200),
            ("mitarbeitende/ich", &[], &["caseworker", "data_protection_officer", "administrator"], 200),
            ("verwaltung/ich", &[], &["administrator"], 200),
            ("datenschutz/ich", &[], &["data_protection_officer"], 200),
            ("mitarbeitende/schutzvermerke", &[CASE], &["caseworker"], 200),
            ("mitarbeitende/schutzvermerk-setzen", &[CASE, ("kind", "address_block"), REASON], &["caseworker"], 200),
            ("mitarbeitende/schutzvermerk-aufheben", &[CASE, UNKNOWN_FLAG, REASON], &["caseworker"], 404),
            ("buerger/einwilligungen", &[], &["citizen"], 200),
            ("buerger/einwilligung-erteilen", &[("sharing", UNKNOWN)], &["citizen"], 422),
            ("buerger/einwilligung-widerrufen", &[("consent", UNKNOWN)], &["citizen"], 404),
            ("buerger/neue-bedingungen", &[], &["citizen"], 200),
            ("buerger/neue-bedingungen-zustimmen", &[("application", UNKNOWN), ("version", UNKNOWN)], &["citizen"], 404),
            ("buerger/zugriffe", &[], &["citizen"], 200),
            ("buerger/protokoll-schluessel", &[], &["citizen"], 200),
            ("buerger/protokoll-beweise", &[], &["citizen"], 200),
            ("buerger/personen", &[], &["citizen"], 200),
            ("buerger/daten", &[], &["citizen"], 200),
            ("buerger/datenexport", &[], &["citizen"], 200),
            ("mitarbeitende/warteschlange", &[], &["caseworker"], 200),
            ("mitarbeitende/freigaben", &[], &["caseworker"], 200),
            ("mitarbeitende/freigabe", &[("citizen", demo::JONAS_WEBER), ("purpose", "Prüfung eines Anspruchs auf Grundsicherung")], &["caseworker"], 404),
            (
                "mitarbeitende/notzugriff-oeffnen",
                &[CASE, ("person", demo::MIA_WEBER), REASON, ("categories[0]", "health_disability"), ("hours", "24")],
                &["caseworker"],
                200,
            ),
            ("mitarbeitende/notzugriffe", &[], &["caseworker"], 200),
            ("mitarbeitende/notzugriff-bestaetigen", &[EMERGENCY], &["caseworker"], 404),
            ("mitarbeitende/notzugriff-ablehnen", &[EMERGENCY], &["caseworker"], 404),
            ("mitarbeitende/notzugriff-beenden", &[EMERGENCY], &["caseworker"], 404),
            ("mitarbeitende/notzugriff-zurueckstellen", &[EMERGENCY, REASON, ("until", "2020-01-01")], &["caseworker"], 404),
            ("mitarbeitende/notzugriff-daten", &[EMERGENCY], &["caseworker"], 404),
            ("datenschutz/notzugriffe", &[], &["data_protection_officer"], 200),
            ("datenschutz/schutzvermerke", &[], &["data_protection_officer"], 200),
            ("verwaltung/aenderung-bestaetigen", &[("change", UNKNOWN)], &["administrator"], 404),
            ("verwaltung/aenderung-ablehnen", &[("change", UNKNOWN)], &["administrator"], 404),
            ("buerger/uebersicht", &[], &["citizen"], 200),
            ("buerger/antrag", &[], &["citizen"], 200),
            ("buerger/antrag-waehlen", &[], &["citizen"], 422),
            ("buerger/antrag-schritt", &[("category", "unbekannt")], &["citizen"], 404),
            ("buerger/antrag-speichern", &[("category", "unbekannt")], &["citizen"], 404),
            ("buerger/antrag-pruefen", &[], &["citizen"], 200),
            // Anna's draft of the demo data is not complete: back to the check page.
            ("buerger/antrag-absenden", &[("versions", "")], &["citizen"], 200),
            ("buerger/antrag-eingang", &[("applications", UNKNOWN)], &["citizen"], 404),
            ("buerger/freigabe-angebote", &[], &["citizen"], 200),
            ("buerger/antrag-akte", &[("application", UNKNOWN)], &["citizen"], 404),
            ("buerger/dokument-hochladen", &[("application", UNKNOWN)], &["citizen"], 404),
            ("buerger/dokument", &[("document", UNKNOWN)], &["citizen"], 404),
            ("buerger/nachricht-senden", &[("application", UNKNOWN), ("body", "Guten Tag")], &["citizen"], 404),
            ("buerger/daten-kategorie", &[("category", "contact")], &["citizen"], 200),
            ("buerger/daten-speichern", &[("category", "unbekannt")], &["citizen"], 404),
            ("mitarbeitende/akte", &[CASE], &["caseworker"], 200),
            ("mitarbeitende/zuweisen", &[CASE, ("assignee", "ich")], &["caseworker"], 200),
            ("mitarbeitende/unterlagen-anfordern", &[CASE, ("description", "x")], &["caseworker"], 422),
            ("mitarbeitende/anforderung-zuruecknehmen", &[CASE, ("request", UNKNOWN)], &["caseworker"], 422),
            ("mitarbeitende/nachricht-senden", &[CASE, ("body", "Guten Tag")], &["caseworker"], 200),
            ("mitarbeitende/notiz", &[CASE, ("body", "Rückruf vereinbart")], &["caseworker"], 200),
            ("mitarbeitende/entscheiden", &[CASE, ("outcome", "bewilligen"), REASON], &["caseworker"], 422),
            ("mitarbeitende/entscheidung-aufheben", &[CASE, REASON], &["caseworker"], 422),
            ("mitarbeitende/abschliessen", &[CASE, ("confirmed", "ja")], &["caseworker"], 422),
            ("mitarbeitende/dokument", &[("document", UNKNOWN)], &["caseworker"], 404),
            ("datenschutz/zugriffe", &[], &["data_protection_officer"], 200),
            ("datenschutz/protokoll-pruefen", &[], &["data_protection_officer"], 200),
            ("verwaltung/uebersicht", &[], &["administrator"], 200),
            (
                "verwaltung/amt-speichern",
                &[("code", "jugendamt"), ("name_de", "Jugendamt"), ("name_en", "Youth Welfare Office"), ("kind", "zoo")],
                &["administrator"],
                422,
            ),
            ("verwaltung/mitarbeitende-anlegen", &[("display_name", "Nora Brandt"), ("email", "kein-at")], &["administrator"], 422),
            ("verwaltung/rollen-setzen", &[("staff", UNKNOWN)], &["administrator"], 404),
            ("verwaltung/mitarbeitende-deaktivieren", &[("staff", UNKNOWN), ("confirmed", "ja")], &["administrator"], 404),
            (
                "verwaltung/kategorie-speichern",
                &[
                    ("code", "unbekannt"),
                    ("name_de", "Unbekannt"),
                    ("name_en", "Unknown"),
                    ("description_de", "Mindestens zehn Zeichen."),
                    ("description_en", "At least ten characters."),
                    ("retention_days", "30"),
                ],
                &["administrator"],
                404,
            ),
            ("verwaltung/protokoll", &[], &["administrator", "data_protection_officer"], 200),
            ("verwaltung/loeschlaeufe", &[], &["administrator", "data_protection_officer"], 200),
            ("verwaltung/vorlagen", &[], &["administrator"], 200),
            ("verwaltung/leistungen", &[], &["administrator"], 200),
            (
                "verwaltung/leistung-speichern",
                &[
                    ("code", "neu"),
                    ("name_de", "Neu"),
                    ("name_en", "New"),
                    ("description_de", "Mindestens zehn Zeichen."),
                    ("description_en", "At least ten characters."),
                    ("office", "zoo"),
                ],
                &["administrator"],
                422,
            ),
            (
                "verwaltung/abschnitt-speichern",
                &[("benefit", "unbekannt"), ("title_de", "Titel"), ("title_en", "Title"), ("category", "identity")],
                &["administrator"],
                422,
            ),
            ("verwaltung/abschnitt-verschieben", &[("section", UNKNOWN), ("placement", "hoch")], &["administrator"], 404),
            (
                "verwaltung/frage-speichern",
                &[("section", UNKNOWN), ("key", "frage"), ("label_de", "Frage"), ("label_en", "Question"), ("kind", "text")],
                &["administrator"],
                404,
            ),
            ("verwaltung/frage-verschieben", &[("question", UNKNOWN), ("placement", "hoch")], &["administrator"], 404),
            ("verwaltung/vorlage-entwurf", &[("benefit", "unbekannt")], &["administrator"], 422),
            (
                "verwaltung/vorlage-texte",
                &[("version", UNKNOWN), ("intro_de", "Mindestens zwanzig Zeichen lang."), ("intro_en", "At least twenty characters long.")],
                &["administrator"],
                404,
            ),
            (
                "verwaltung/vorlage-pflicht",
                &[
                    ("version", UNKNOWN),
                    ("category", "identity"),
                    ("legal_basis", "§ 60 SGB I"),
                    ("explanation_de", "Mindestens zehn Zeichen."),
                    ("explanation_en", "At least ten characters."),
                ],
                &["administrator"],
                404,
            ),
            ("verwaltung/vorlage-pflicht-entfernen", &[("version", UNKNOWN), ("category", "identity")], &["administrator"], 404),
            (
                "verwaltung/vorlage-freigabe",
                &[
                    ("version", UNKNOWN),
                    ("category", "identity"),
                    ("office", "sozialamt"),
                    ("purpose_de", "Ein Zweck"),
                    ("purpose_en", "A purpose"),
                    ("max_validity_days", "30"),
                    ("explanation_de", "Mindestens zehn Zeichen."),
                    ("explanation_en", "At least ten characters."),
                ],
                &["administrator"],
                404,
            ),
            (
                "verwaltung/vorlage-freigabe-entfernen",
                &[("version", UNKNOWN), ("category", "identity"), ("office", "sozialamt")],
                &["administrator"],
                404,
            ),
            ("verwaltung/vorlage-verwerfen", &[("version", UNKNOWN), ("confirmed", "ja")], &["administrator"], 404),
            (
                "verwaltung/vorlage-veroeffentlichen",
                &[("version", UNKNOWN), ("changes", "[]"), ("confirmed", "ja")],
                &["administrator"],
                404,
            ),
        ];
        let registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
            .map(|(path, _)| path.trim_start_matches("/api/").to_owned())
            .collect();
        for path in &registered {
            assert!(table.iter().any(|(endpoint, ..)| endpoint == path), "the table names every server function: {path}");
        }

        /// Downloads answer GET, uploads take a multipart form, every other server function a
        /// form POST.
        async fn call_as(visitor: &mut Visitor<'_>, endpoint: &str, arguments: &[(&str, &str)]) -> (u16, serde_json::Value) {
            match endpoint {
                "buerger/datenexport" | "buerger/dokument" | "mitarbeitende/dokument" => visitor.call_get(endpoint, arguments).await,
                "buerger/dokument-hochladen" => {
                    let form = arguments.iter().fold(reqwest::multipart::Form::new(), |form, (name, value)| {
                        form.text(name.to_string(), value.to_string())
                    });
                    let response = visitor.post_multipart(&format!("/api/{endpoint}"), form).await;
                    (response.status().as_u16(), serde_json::Value::String(response.text().await.unwrap_or_default()))
                }
                _ => visitor.call(endpoint, arguments).await,
            }
        }
        for (endpoint, arguments, allowed, allowed_status) in table {
            let mut anonymous = Visitor::new(&app);
            let (status, _) = call_as(&mut anonymous, endpoint, arguments).await;
            let expected = if allowed.contains(&"anyone") { allowed_status } else { 401 };
            assert_eq!(status, expected, "{endpoint} without a principal");
            for (role, person) in people {
                let mut visitor = Visitor::new(&app);
                visitor.sign_in_as_demo(person).await;
                let (status, body) = call_as(&mut visitor, endpoint, arguments).await;
                let expected = if allowed.contains(&"anyone") || allowed.contains(&role) { allowed_status } else { 403 };
                assert_eq!(status, expected, "{endpoint} as {role}: {body}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_attempts_are_limited_per_client() {
    let provider = MockProvider::start().await;
    let app = TestApp::spawn_with(Backend::Sqlite, |settings| {
        use_provider(settings, &provider);
        settings.sign_in_per_minute = Some(3);
    })
    .await;
    let mut visitor = Visitor::new(&app);
    for attempt in 1..=3 {
        assert_eq!(visitor.get("/anmelden/buerger").await.status().as_u16(), 303, "attempt {attempt}");
    }
    let limited = visitor.get("/anmelden/buerger").await;
    assert_eq!(limited.status().as_u16(), 429);
    assert_eq!(limited.headers()["retry-after"], "60");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_provider_the_entrance_says_so() {
    let app = TestApp::spawn_with(Backend::Sqlite, |settings| settings.demo_sign_in = Some(false)).await;
    let mut visitor = Visitor::new(&app);
    let response = visitor.get("/anmelden/buerger").await;
    assert_eq!(location(&response), "/anmeldung-fehlgeschlagen?grund=nicht-eingerichtet&zugang=buerger");
    let (status, _) = visitor.call("demo/personen", &[]).await;
    assert_eq!(status, 404, "no demo sign-in when it is switched off");
    let demo = visitor.post_form("/anmelden/demo", &[("person", demo::ANNA_BECKER)]).await;
    assert_eq!(demo.status().as_u16(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_development_the_session_cookie_is_secure_and_host_bound() {
    let provider = MockProvider::start().await;
    let app = TestApp::spawn_with(Backend::Sqlite, |settings| {
        *settings = klarsicht_tests::production_settings(&settings.database_url.clone().unwrap_or_default());
        use_provider(settings, &provider);
    })
    .await;
    let response = app.get("/anmelden/buerger").await;
    assert_eq!(response.status().as_u16(), 303);
    let redirect = location(&response);
    assert!(
        redirect.contains("redirect_uri=https%3A%2F%2Fklarsicht.stadt.example%2Fanmelden%2Fbuerger%2Frueckruf"),
        "the provider sends people back to the public https address: {redirect}"
    );
    let cookie = response.headers()["set-cookie"].to_str().expect("text").to_owned();
    assert!(cookie.starts_with("__Host-klarsicht="), "{cookie}");
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
}
