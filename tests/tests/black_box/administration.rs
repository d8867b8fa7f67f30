//! Administration through its server functions, on both databases: offices, staff and roles,
//! deactivation that ends sessions at once, data categories; every change in the audit, which
//! administrators and the data protection officer read; and nothing of any citizen in any
//! answer, crafted requests included. (That citizens and caseworkers are refused every
//! administration function is in the role table of `sign_in.rs`.)

use std::time::Duration;

use klarsicht_tests::{Backend, TestApp, Visitor, count_rows, demo, on_both_databases, query_i64};
use sqlx::{Connection, PgConnection};

/// Whether any demo citizen's name, data or application shows in `answer`.
fn names_a_citizen(answer: &serde_json::Value) -> bool {
    let text = answer.to_string();
    ["Anna", "Becker", "Jonas", "Mia", "Selin", "Kaya", "Peter", "Schmidt", "DE02", "KS-2026"]
        .iter()
        .any(|needle| text.contains(needle))
}

/// The id of the change waiting for `staff`, as the overview lists it.
async fn pending_change(admin: &mut Visitor<'_>, staff: &str) -> String {
    let (status, overview) = admin.call("verwaltung/uebersicht", &[]).await;
    assert_eq!(status, 200, "{overview}");
    let pending = overview["pending"].as_array().expect("the changes waiting").clone();
    let change = pending.iter().find(|change| change["staff"] == staff).unwrap_or_else(|| panic!("a change for {staff}: {overview}"));
    change["id"].as_str().expect("its id").to_owned()
}

on_both_databases! {
    async fn an_administrator_manages_offices_staff_and_categories_and_every_change_is_audited(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        let mut frank = Visitor::new(&app);
        frank.sign_in_as_demo(demo::FRANK_RICHTER).await;

        let (status, overview) = frank.call("verwaltung/uebersicht", &[]).await;
        assert_eq!(status, 200, "{overview}");
        assert_eq!(overview["offices"].as_array().map(Vec::len), Some(3));
        assert_eq!(overview["categories"].as_array().map(Vec::len), Some(10));
        assert!(overview["counts"]["citizens"].as_i64().is_some_and(|count| count >= 4), "counts only: {overview}");
        assert!(!names_a_citizen(&overview), "no citizen in the overview: {overview}");

        // An office: refused with the field named, then created, then renamed.
        let (status, error) = frank
            .call("verwaltung/amt-speichern", &[("code", "Pflege Amt"), ("name_de", "Pflegestelle"), ("name_en", "Care office"), ("kind", "social")])
            .await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("code")), "{error}");
        let (status, error) = frank
            .call("verwaltung/amt-speichern", &[("code", "pflegestelle"), ("name_de", "Pflegestelle"), ("name_en", "Care office"), ("kind", "zoo")])
            .await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("kind")), "{error}");
        let office = [("code", "pflegestelle"), ("name_de", "Pflegestelle"), ("name_en", "Care office"), ("kind", "social"), ("active", "ja")];
        let (status, body) = frank.call("verwaltung/amt-speichern", &office).await;
        assert_eq!(status, 200, "{body}");
        let renamed = [("code", "pflegestelle"), ("name_de", "Pflegestützpunkt"), ("name_en", "Care point"), ("kind", "social"), ("active", "ja")];
        assert_eq!(frank.call("verwaltung/amt-speichern", &renamed).await.0, 200);
        assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM offices WHERE code = 'pflegestelle' AND name_de = 'Pflegestützpunkt'").await, 1);

        // A staff member, matched later on the verified e-mail; a second with the same address is refused.
        let new_member = [
            ("display_name", "Nora Brandt"),
            ("email", " Nora.Brandt@Pflege.example "),
            ("roles[0]", "caseworker:pflegestelle"),
        ];
        let (status, id) = frank.call("verwaltung/mitarbeitende-anlegen", &new_member).await;
        assert_eq!(status, 200, "{id}");
        let nora = id.as_str().expect("the new id").to_owned();
        assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM staff_members WHERE email = 'nora.brandt@pflege.example'").await, 1);
        let (status, error) = frank.call("verwaltung/mitarbeitende-anlegen", &new_member).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("email")), "{error}");
        let (status, error) = frank
            .call("verwaltung/mitarbeitende-anlegen", &[("display_name", "X Y"), ("email", "kein-at"), ("roles[0]", "administrator")])
            .await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("email")), "{error}");
        let (status, error) = frank
            .call("verwaltung/mitarbeitende-anlegen", &[("display_name", "Ohne Amt"), ("email", "o@amt.example"), ("roles[0]", "caseworker:nirgends")])
            .await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("roles")), "{error}");

        // Roles: Lena is to be data protection officer too. A role that reads citizen data waits
        // for a second administrator: Frank cannot confirm what he asked for, Petra can.
        let (status, _) = frank
            .call("verwaltung/rollen-setzen", &[("staff", demo::LENA_HOFFMANN), ("roles[0]", "caseworker:jugendamt"), ("roles[1]", "data_protection_officer")])
            .await;
        assert_eq!(status, 200);
        let mut lena = Visitor::new(&app);
        lena.sign_in_as_demo(demo::LENA_HOFFMANN).await;
        assert_eq!(lena.call("datenschutz/zugriffe", &[]).await.0, 403, "not before a second administrator confirms");
        assert_eq!(lena.call("mitarbeitende/warteschlange", &[]).await.0, 200, "the role she held stays");
        let change = pending_change(&mut frank, demo::LENA_HOFFMANN).await;
        let (status, error) = frank.call("verwaltung/aenderung-bestaetigen", &[("change", &change)]).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("change")), "four eyes: {error}");
        let mut petra = Visitor::new(&app);
        petra.sign_in_as_demo(demo::PETRA_LANGE).await;
        assert_eq!(petra.call("verwaltung/aenderung-bestaetigen", &[("change", &change)]).await.0, 200);
        assert_eq!(lena.call("datenschutz/zugriffe", &[]).await.0, 200, "the new role counts on the next request");
        assert_eq!(petra.call("verwaltung/aenderung-bestaetigen", &[("change", &change)]).await.0, 404, "confirmed once");
        let (status, error) = frank.call("verwaltung/rollen-setzen", &[("staff", demo::FRANK_RICHTER), ("roles[0]", "administrator")]).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("roles")), "nobody changes their own roles: {error}");

        // Deactivating Lena ends her session at once; it needs the confirmation.
        let (status, error) = frank.call("verwaltung/mitarbeitende-deaktivieren", &[("staff", demo::LENA_HOFFMANN)]).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("confirmed")), "{error}");
        assert_eq!(lena.call("mitarbeitende/warteschlange", &[]).await.0, 200, "still signed in before");
        let (status, _) = frank.call("verwaltung/mitarbeitende-deaktivieren", &[("staff", demo::LENA_HOFFMANN), ("confirmed", "ja")]).await;
        assert_eq!(status, 200);
        assert_eq!(lena.call("mitarbeitende/warteschlange", &[]).await.0, 401, "her session ended");
        assert!(lena.me().await.is_null());
        assert_eq!(
            count_rows(&url, &format!("session_records WHERE principal_id = '{}' AND ended_at IS NULL", demo::LENA_HOFFMANN)).await,
            0
        );
        let (status, _) = frank.call("verwaltung/mitarbeitende-deaktivieren", &[("staff", demo::FRANK_RICHTER), ("confirmed", "ja")]).await;
        assert_eq!(status, 422, "nobody deactivates themselves");

        // A category: the retention and the texts change; nonsense is refused by field.
        let category = |days: &'static str| {
            [
                ("code", "housing"),
                ("name_de", "Wohnen"),
                ("name_en", "Housing"),
                ("description_de", "Ihre Wohnung: Größe, Miete und wer dort wohnt."),
                ("description_en", "Your home: size, rent and who lives there."),
                ("retention_days", days),
            ]
        };
        let (status, error) = frank.call("verwaltung/kategorie-speichern", &category("null")).await;
        assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("retention_days")), "{error}");
        assert_eq!(frank.call("verwaltung/kategorie-speichern", &category("0")).await.0, 422);
        assert_eq!(frank.call("verwaltung/kategorie-speichern", &category("2190")).await.0, 200);
        assert_eq!(query_i64(&url, "SELECT retention_days FROM data_categories WHERE code = 'housing'").await, 2190);

        // The audit: every change, newest first, for Frank and for Claudia; not for caseworkers.
        let (status, audit) = frank.call("verwaltung/protokoll", &[]).await;
        assert_eq!(status, 200);
        let actions: Vec<&str> = audit.as_array().expect("entries").iter().filter_map(|entry| entry["action"].as_str()).collect();
        assert_eq!(
            actions,
            [
                "category_changed",
                "staff_deactivated",
                "role_confirmed",
                "role_requested",
                "roles_set",
                "role_requested",
                "staff_created",
                "office_changed",
                "office_created"
            ]
        );
        assert_eq!(audit[0]["by"], "Frank Richter");
        assert_eq!(audit[2]["by"], "Petra Lange", "who confirmed is in the audit");
        assert!(audit[6]["detail"].as_str().expect("detail").contains("nora.brandt@pflege.example"));
        assert_eq!(audit[6]["target"], nora.as_str());
        assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM admin_audit_log").await, 9, "refusals change nothing and leave no line");
        let mut claudia = Visitor::new(&app);
        claudia.sign_in_as_demo(demo::CLAUDIA_NEUMANN).await;
        assert_eq!(claudia.call("verwaltung/protokoll", &[]).await.0, 200);
        assert_eq!(claudia.call("verwaltung/uebersicht", &[]).await.0, 403, "the officer reads the audit, not the administration");

        // The pages: the administration with its forms and counts, the officer's with the audit.
        let page = frank.get("/verwaltung/start").await;
        assert_eq!(page.status().as_u16(), 200);
        let html = page.text().await.expect("a page").replace("<!>", "");
        for expected in ["<h2 id=\"aemter\">Ämter</h2>", "Pflegestützpunkt", "Nora Brandt", "Aufbewahrung in Tagen", "category_changed"] {
            assert!(html.contains(expected), "{expected}: {html}");
        }
        assert!(!["Anna", "Becker", "Jonas", "KS-2026"].iter().any(|name| html.contains(name)), "no citizen on the page");
        let html = claudia.get("/datenschutz/start").await.text().await.expect("a page").replace("<!>", "");
        assert!(html.contains("<h2 id=\"aenderungen\">Änderungen</h2>") && html.contains("staff_deactivated"), "{html}");
        assert_eq!(lena.get("/verwaltung/start").await.status().as_u16(), 401, "deactivated: signed out");
    }

    async fn administrators_have_no_way_to_citizen_data(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let mut frank = Visitor::new(&app);
        frank.sign_in_as_demo(demo::FRANK_RICHTER).await;
        // Crafted requests to the staff's and citizens' functions with real ids: refused.
        for (endpoint, arguments) in [
            ("mitarbeitende/akte", vec![("application", "00000000-0000-4000-8000-000000000701")]),
            ("mitarbeitende/warteschlange", vec![]),
            ("mitarbeitende/freigabe", vec![("citizen", demo::JONAS_WEBER), ("purpose", "x")]),
            ("datenschutz/zugriffe", vec![]),
            ("buerger/daten", vec![]),
            ("buerger/zugriffe", vec![]),
        ] {
            let (status, answer) = frank.call(endpoint, &arguments).await;
            assert_eq!(status, 403, "{endpoint}: {answer}");
            assert!(!names_a_citizen(&answer), "{endpoint}: {answer}");
        }
        // The administration's own functions, even with citizen ids smuggled in, say nothing of them.
        for (endpoint, arguments) in [
            ("verwaltung/uebersicht", vec![("citizen", demo::JONAS_WEBER)]),
            ("verwaltung/protokoll", vec![("application", "00000000-0000-4000-8000-000000000701")]),
            ("verwaltung/rollen-setzen", vec![("staff", demo::JONAS_WEBER), ("roles[0]", "administrator")]),
            ("verwaltung/mitarbeitende-deaktivieren", vec![("staff", demo::JONAS_WEBER), ("confirmed", "ja")]),
            ("verwaltung/vorlagen", vec![("application", "00000000-0000-4000-8000-000000000701")]),
            ("verwaltung/leistungen", vec![("citizen", demo::JONAS_WEBER)]),
            ("verwaltung/vorlage-entwurf", vec![("benefit", "wohngeld"), ("citizen", demo::JONAS_WEBER)]),
            ("verwaltung/abschnitt-verschieben", vec![("section", "00000000-0000-4000-8000-000000000701"), ("placement", "hoch")]),
            ("verwaltung/frage-verschieben", vec![("question", demo::JONAS_WEBER), ("placement", "entfernen")]),
        ] {
            let (_, answer) = frank.call(endpoint, &arguments).await;
            assert!(!names_a_citizen(&answer), "{endpoint}: {answer}");
        }
        assert_eq!(frank.call("verwaltung/rollen-setzen", &[("staff", demo::JONAS_WEBER), ("roles[0]", "administrator")]).await.0, 404);
        assert_eq!(count_rows(app.database_url(), "admin_audit_log").await, 1, "only the draft was started");
        assert_eq!(count_rows(app.database_url(), "access_log").await, 0, "nothing was read");
    }
}

on_both_databases! {
    async fn nobody_oversteps_their_role(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let url = app.database_url().to_owned();
        let mut frank = Visitor::new(&app);
        frank.sign_in_as_demo(demo::FRANK_RICHTER).await;
        let mut petra = Visitor::new(&app);
        petra.sign_in_as_demo(demo::PETRA_LANGE).await;
        let field = |answer: &(u16, serde_json::Value)| (answer.0, answer.1["Invalid"]["field"].as_str().map(str::to_owned));
        let refused = |name: &str| (422, Some(name.to_owned()));

        // An administrator does not make himself a caseworker, nor does anyone make him one.
        let own = frank.call("verwaltung/rollen-setzen", &[("staff", demo::FRANK_RICHTER), ("roles[0]", "administrator"), ("roles[1]", "caseworker:jugendamt")]).await;
        assert_eq!(field(&own), refused("roles"), "{own:?}");
        let own = frank.call("verwaltung/rollen-setzen", &[("staff", demo::FRANK_RICHTER), ("roles[0]", "caseworker:jugendamt")]).await;
        assert_eq!(field(&own), refused("roles"), "nobody changes their own roles: {own:?}");
        let both = petra.call("verwaltung/rollen-setzen", &[("staff", demo::FRANK_RICHTER), ("roles[0]", "administrator"), ("roles[1]", "caseworker:jugendamt")]).await;
        assert_eq!(field(&both), refused("roles"), "administration and reading never on one account: {both:?}");
        let both = frank
            .call("verwaltung/mitarbeitende-anlegen", &[("display_name", "Doppelt Rolle"), ("email", "doppelt@stadt.example"), ("roles[0]", "administrator"), ("roles[1]", "data_protection_officer")])
            .await;
        assert_eq!(field(&both), refused("roles"), "{both:?}");
        assert_eq!(query_i64(&url, &format!("SELECT COUNT(*) FROM staff_roles WHERE staff_id = '{}'", demo::FRANK_RICHTER)).await, 1);

        // A second account of his own: not with his address or his provider subject, and a new
        // account's reading role waits for Petra, so it confirms no emergency access of his.
        for (email, subject, named) in [
            ("frank.richter@stadt.example", "", "email"),
            ("Frank.Richter@Stadt.example", "", "email"),
            ("zweit@stadt.example", "demo-frank", "subject"),
        ] {
            let second = frank
                .call("verwaltung/mitarbeitende-anlegen", &[("display_name", "Frank Zwei"), ("email", email), ("subject", subject), ("roles[0]", "caseworker:jugendamt")])
                .await;
            assert_eq!(field(&second), refused(named), "{email} {subject}: {second:?}");
        }
        let (status, second) = frank
            .call("verwaltung/mitarbeitende-anlegen", &[("display_name", "Frank Zwei"), ("email", "zweit@stadt.example"), ("subject", "demo-zweit"), ("roles[0]", "caseworker:jugendamt")])
            .await;
        assert_eq!(status, 200, "{second}");
        let second = second.as_str().expect("the new id").to_owned();
        let mut zweit = Visitor::new(&app);
        zweit.sign_in_as_demo(&second).await;
        assert_eq!(zweit.call("mitarbeitende/warteschlange", &[]).await.0, 403, "no caseworker before Petra confirms");
        assert_eq!(zweit.call("mitarbeitende/notzugriffe", &[]).await.0, 403);
        let change = pending_change(&mut frank, &second).await;
        let reject = petra.call("verwaltung/aenderung-ablehnen", &[("change", &change)]).await;
        assert_eq!(reject.0, 200);
        assert_eq!(zweit.call("mitarbeitende/warteschlange", &[]).await.0, 403, "rejected: never");
        assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM pending_admin_changes WHERE outcome = 'rejected'").await, 1);

        // An office's kind: asked by Frank, in force once Petra confirms; Frank cannot.
        let to_youth = [("code", "wohngeldstelle"), ("name_de", "Wohngeldstelle"), ("name_en", "Housing Benefit Office"), ("kind", "youth"), ("active", "ja")];
        assert_eq!(frank.call("verwaltung/amt-speichern", &to_youth).await.0, 200);
        let kind = "SELECT COUNT(*) FROM offices WHERE code = 'wohngeldstelle' AND kind = 'youth'";
        assert_eq!(query_i64(&url, kind).await, 0, "not before a second administrator confirms");
        let (_, overview) = petra.call("verwaltung/uebersicht", &[]).await;
        let change = overview["pending"]
            .as_array()
            .and_then(|pending| pending.iter().find(|change| change["office"] == "wohngeldstelle"))
            .and_then(|change| change["id"].as_str())
            .expect("the kind waits")
            .to_owned();
        let html = petra.get("/verwaltung/start").await.text().await.expect("a page");
        assert!(html.contains("Wartet auf Bestätigung") && html.contains(">Bestätigen</button>"), "Petra may confirm: {html}");
        let html = frank.get("/verwaltung/start").await.text().await.expect("a page");
        assert!(html.contains(">Zurückziehen</button>") && !html.contains(">Bestätigen</button>"), "Frank may only withdraw: {html}");
        assert_eq!(field(&frank.call("verwaltung/aenderung-bestaetigen", &[("change", &change)]).await), refused("change"));
        assert_eq!(query_i64(&url, kind).await, 0);
        assert_eq!(petra.call("verwaltung/aenderung-bestaetigen", &[("change", &change)]).await.0, 200);
        assert_eq!(query_i64(&url, kind).await, 1, "confirmed: in force");
        let audited = "SELECT COUNT(*) FROM admin_audit_log WHERE action IN ('office_kind_requested', 'office_kind_confirmed') AND target_id = 'wohngeldstelle'";
        assert_eq!(query_i64(&url, audited).await, 2, "both steps audited");

        // Should the database hold both all the same (set by hand), the account only administers.
        klarsicht_tests::execute(&url, &format!("INSERT INTO staff_roles (staff_id, office_code, role) VALUES ('{}', 'jugendamt', 'caseworker')", demo::PETRA_LANGE)).await;
        assert_eq!(petra.call("mitarbeitende/warteschlange", &[]).await.0, 403);
        assert_eq!(petra.call("verwaltung/uebersicht", &[]).await.0, 200);
    }
}

/// Two administrators create the same office at the same moment. On PostgreSQL neither sees the
/// other's office before it is committed, so the unique constraint decides: whoever comes second
/// is told which field to change (422), not answered with a server error, and the first office
/// stands as it was created.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_created_twice_at_once_answers_the_second_with_its_field() {
    if !klarsicht_tests::postgres_available() {
        return;
    }
    let app = TestApp::spawn_with(Backend::Postgres, |settings| settings.demo_data = Some(true)).await;
    let url = app.database_url().to_owned();
    let mut frank = Visitor::new(&app);
    frank.sign_in_as_demo(demo::FRANK_RICHTER).await;

    // The first administrator's transaction has created the office, and not committed yet.
    let mut first = PgConnection::connect(&url).await.expect("PostgreSQL accepts a connection");
    let mut creating = first.begin().await.expect("a transaction");
    sqlx::query(
        "INSERT INTO offices (code, name_de, name_en, kind, active, created_at) \
         VALUES ('pflegestelle', 'Pflegestelle', 'Care office', 'social', TRUE, now())",
    )
    .execute(&mut *creating)
    .await
    .expect("the first office");

    let office = [("code", "pflegestelle"), ("name_de", "Pflegedienst"), ("name_en", "Care service"), ("kind", "social"), ("active", "ja")];
    let ((status, error), ()) = tokio::join!(frank.call("verwaltung/amt-speichern", &office), async {
        // The second creation waits for the first one's row, which only a commit decides.
        let mut watcher = PgConnection::connect(&url).await.expect("PostgreSQL accepts a connection");
        let waiting = "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'";
        let mut polls = 0;
        while sqlx::query_scalar::<_, i64>(waiting).fetch_one(&mut watcher).await.expect("the activity") == 0 {
            polls += 1;
            assert!(polls < 600, "the second creation never waited for the first");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        creating.commit().await.expect("the first office committed");
    });
    assert_eq!((status, error["Invalid"]["field"].as_str()), (422, Some("code")), "{error}");
    assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM offices WHERE code = 'pflegestelle' AND name_de = 'Pflegestelle'").await, 1);
    assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM admin_audit_log WHERE target_id = 'pflegestelle'").await, 0);
}
