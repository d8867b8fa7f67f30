//! The access log as a Merkle tree: every read is a leaf that says what the citizen's export
//! says, placed within seconds in a checkpoint the portal signs; the public checkpoint, key and
//! hash tiles let anyone recompute the root; the database refuses to change or remove any of
//! it; `server verify-access-log`'s check of the tree finds a leaf rewritten, an entry removed
//! and a tile forged; and a restore that lost entries the witness saw locks the files until an
//! operator declares the gap, which citizens then see.

use std::time::Duration;

use app::{
    consent::{CitizenAccessLog, DataExport},
    log_proof::{CHECKED, ExportChecked, Finding, LogKeys, LogProofs, ShownEntry, check, check_export},
    office::OfficeCode,
    policy::Category,
    server::{
        access_log::{
            AccessLog, LogBasis, NewEntry,
            leaf::Leaf,
            sequencer::{Sequencer, TreeProblem, TreeVerification},
            tree::{TILE_WIDTH, TileHashes, edge, tile_path},
        },
        db::{CitizenId, Database, DatabaseUrl, StaffId},
    },
};
use app::server::access_log::{
    cosignature::{CosignatureVerifier, Cosigner},
    sequencer::sign_checkpoint,
};
use klarsicht_tests::{
    Backend, TestApp, Visitor, count_rows, demo, execute, on_both_databases, query_i64, serve_witness, start_witness, tamper,
    test_settings, try_execute,
};
use server::settings::Settings;
use signed_note::{Note, StandardVerifier, VerifierList};
use tlog_tiles::{Checkpoint, Hash, record_hash, tree_hash};

const JONAS_WOHNGELD: &str = "00000000-0000-4000-8000-000000000701";

async fn database_of(app: &TestApp) -> Database {
    Database::connect(&DatabaseUrl::parse(app.database_url()).expect("a valid URL"), 4).await.expect("connects")
}

/// An entry about Jonas as the gate writes it for a read of his housing-benefit case.
fn entry(number: usize) -> NewEntry {
    NewEntry {
        staff: StaffId::parse(demo::SABINE_FISCHER).expect("an id"),
        office: OfficeCode::new("wohngeldstelle"),
        citizen: CitizenId::parse(demo::JONAS_WEBER).expect("an id"),
        categories: vec![Category::Household, Category::Identity],
        purpose: format!("Bearbeitung {number}"),
        basis: LogBasis::Application,
        basis_ref: None,
    }
}

/// Appends `count` entries about Jonas, as the gate does for a read, one after another.
async fn append_entries(app: &TestApp, count: usize) {
    let log = AccessLog::new(database_of(app).await);
    for number in 0..count {
        log.append(entry(number)).await.expect("appended");
    }
}

/// The newest checkpoint once it covers every entry in the database, checked against the
/// portal's public key: its size and root.
pub(crate) async fn signed_checkpoint_of_every_entry(app: &TestApp) -> (u64, Hash) {
    let (size, root, _) = checkpoint_of_every_entry(app, None).await;
    (size, root)
}

/// The newest checkpoint once it covers every entry in the database, checked against the
/// portal's public key and, if given, the witness's: its size, its root and the note.
async fn checkpoint_of_every_entry(app: &TestApp, witness: Option<&str>) -> (u64, Hash, String) {
    let entries = u64::try_from(count_rows(app.database_url(), "access_log").await).expect("a count");
    let key = app.get("/log/key").await.text().await.expect("the key");
    let verifier = StandardVerifier::new(key.trim()).expect("a signed-note verifier key");
    let mut verifiers: Vec<Box<dyn signed_note::Verifier>> = vec![Box::new(verifier)];
    if let Some(witness) = witness {
        verifiers.push(Box::new(CosignatureVerifier::parse(witness).expect("a witness key")));
    }
    let known = VerifierList::new(verifiers);
    // The sequencer places entries within about a second; waiting longer only makes a slow
    // machine pass, and the figure is measured by the benchmark, not here.
    for _ in 0..100 {
        let response = app.get("/log/checkpoint").await;
        if response.status() == 200 {
            let text = response.text().await.expect("a note");
            let note = Note::from_bytes(text.as_bytes()).expect("a signed note");
            let (verified, _) = note.verify(&known).expect("signed by the portal's key");
            let checkpoint = Checkpoint::from_bytes(note.text()).expect("a C2SP checkpoint");
            assert_eq!(checkpoint.origin(), "localhost/klarsicht-zugriffsprotokoll");
            if checkpoint.size() == entries && verified.len() == 1 + usize::from(witness.is_some()) {
                return (checkpoint.size(), *checkpoint.hash(), text);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no checkpoint covered all {entries} entries within ten seconds, signed as asked");
}

/// The tree's root as anyone computes it from the public hash tiles.
async fn root_from_public_tiles(app: &TestApp, size: u64) -> Hash {
    let mut tiles = TileHashes::default();
    for (level, index) in edge(size) {
        let width = (size >> (8 * u32::from(level))) % TILE_WIDTH;
        if width == 0 {
            continue;
        }
        let response = app.get(&format!("/log/tile/{}", tile_path(level, index, width))).await;
        assert_eq!(response.status(), 200);
        tiles.0.insert((level, index), response.bytes().await.expect("a tile").to_vec());
    }
    tree_hash(size, &tiles).expect("the tiles give a root")
}

async fn leaves_in_order(app: &TestApp) -> Vec<(i64, String)> {
    let sql = "SELECT leaf_index, leaf FROM access_log ORDER BY leaf_index";
    if app.database_url().starts_with("sqlite:") {
        let mut connection = <sqlx::SqliteConnection as sqlx::Connection>::connect(app.database_url()).await.expect("opens");
        sqlx::query_as(sql).fetch_all(&mut connection).await.expect("the leaves")
    } else {
        let mut connection = <sqlx::PgConnection as sqlx::Connection>::connect(app.database_url()).await.expect("connects");
        sqlx::query_as(sql).fetch_all(&mut connection).await.expect("the leaves")
    }
}

pub(crate) async fn verify_tree(app: &TestApp) -> TreeVerification {
    let settings = Settings::check(test_settings(app.database_url())).expect("valid settings");
    Sequencer::new(&database_of(app).await, settings.log_signer, None).verify().await.expect("the check runs")
}

/// An app whose log holds a real read (Sabine opens Jonas's housing-benefit case) and 299
/// appended entries, all placed: more than one tile of leaves.
async fn app_with_placed_entries(backend: Backend) -> (TestApp, u64, Hash) {
    let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
    let mut sabine = Visitor::new(&app);
    sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
    let case = sabine.get(&format!("/mitarbeitende/faelle/{JONAS_WOHNGELD}")).await;
    assert_eq!(case.status(), 200);
    let real_reads = count_rows(app.database_url(), "access_log").await;
    assert!(real_reads >= 1, "the case view is logged");
    append_entries(&app, 300 - usize::try_from(real_reads).expect("a count")).await;
    let (size, root) = signed_checkpoint_of_every_entry(&app).await;
    (app, size, root)
}

on_both_databases! {
    async fn every_read_is_a_leaf_of_a_signed_checkpoint_whose_root_anyone_recomputes_from_the_public_tiles(backend: Backend) {
        let (app, size, root) = app_with_placed_entries(backend).await;
        assert_eq!(size, 300);
        assert_eq!(root_from_public_tiles(&app, size).await, root);

        // Each leaf is the hash the tiles hold at its index, and says what the entry says.
        let leaves = leaves_in_order(&app).await;
        let first_tile = app.get("/log/tile/0/000").await.bytes().await.expect("a full tile");
        assert_eq!(first_tile.len(), 256 * 32);
        for (index, leaf) in &leaves {
            let parsed = Leaf::parse(leaf.as_bytes()).expect("a leaf as written");
            assert_eq!(parsed.person, demo::JONAS_WEBER);
            assert_eq!(parsed.role, "caseworker");
            assert!(parsed.salt.len() >= 32, "at least 16 bytes of salt, hex");
            if let Ok(at) = usize::try_from(*index) && at < 256 {
                assert_eq!(&first_tile[at * 32..(at + 1) * 32], record_hash(leaf.as_bytes()).0.as_slice());
            }
        }
        let read = Leaf::parse(leaves[0].1.as_bytes()).expect("the real read's leaf");
        assert_eq!((read.office.as_str(), read.basis.as_str()), ("wohngeldstelle", "application"));
        assert_eq!(read.rests_on.as_deref(), Some(JONAS_WOHNGELD));
        let keys: Vec<String> = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&leaves[0].1)
            .expect("an object")
            .keys()
            .cloned()
            .collect();
        let mut expected = ["id", "time", "office", "role", "person", "categories", "purpose", "basis", "rests_on", "salt"].map(String::from).to_vec();
        expected.sort();
        assert_eq!(keys, expected);

        // Public and cacheable; the leaves themselves are not public.
        for path in ["/log/checkpoint", "/log/key", "/log/tile/0/000", "/log/tile/0/001.p/44"] {
            let response = app.get(path).await;
            assert_eq!(response.status(), 200, "{path}");
            let caching = response.headers().get("cache-control").and_then(|value| value.to_str().ok()).unwrap_or_default();
            assert!(caching.starts_with("public"), "{path}: {caching}");
        }
        for path in ["/log/tile/data/000", "/log/tile/0/001", "/log/tile/0/001.p/45", "/log/tile/0/002.p/1", "/log/tile/x", "/log/tile/0/000.p/0"] {
            assert_eq!(app.get(path).await.status(), 404, "{path}");
        }
        let checked = verify_tree(&app).await;
        assert_eq!((checked.leaves, &checked.problem), (300, &None));
        assert!(checked.checkpoints >= 2, "{checked:?}");
    }

    async fn the_database_refuses_to_change_or_remove_the_log(backend: Backend) {
        let (app, ..) = app_with_placed_entries(backend).await;
        let url = app.database_url();
        for attack in [
            "UPDATE access_log SET purpose = 'harmlos'",
            "UPDATE access_log SET leaf_index = leaf_index + 1000",
            "DELETE FROM access_log WHERE leaf_index = 5",
            "DELETE FROM access_log_tiles",
            "UPDATE access_log_tiles SET hashes = substr(hashes, 1, 32)",
            "DELETE FROM access_log_checkpoints",
            "UPDATE access_log_checkpoints SET root_hash = 'x'",
        ] {
            let refused = try_execute(url, attack).await.expect_err(attack).to_string();
            assert!(refused.contains("append-only"), "{attack}: {refused}");
        }
        if matches!(backend, Backend::Postgres) {
            assert!(try_execute(url, "TRUNCATE access_log CASCADE").await.is_err());
        }
        assert_eq!(verify_tree(&app).await.problem, None);
    }

    async fn the_check_of_the_tree_finds_a_rewritten_leaf_a_removed_entry_an_emptied_log_and_a_forged_tile(backend: Backend) {
        // A leaf rewritten with its entry, so both say the same: the signed roots no longer fit.
        let (app, ..) = app_with_placed_entries(backend).await;
        tamper(
            app.database_url(),
            "UPDATE access_log SET purpose = 'harmlos', leaf = replace(leaf, '\"purpose\":\"Bearbeitung 7\"', '\"purpose\":\"harmlos\"') \
             WHERE purpose = 'Bearbeitung 7'",
        )
        .await;
        assert!(matches!(verify_tree(&app).await.problem, Some(TreeProblem::Root { .. })));
        // The entry changed, but not its leaf: they disagree.
        tamper(app.database_url(), "UPDATE access_log SET purpose = 'harmlos' WHERE purpose = 'Bearbeitung 8'").await;
        let found = verify_tree(&app).await.problem;
        assert!(matches!(found, Some(TreeProblem::Altered { .. } | TreeProblem::Root { .. })), "{found:?}");

        // An entry removed: its index is missing.
        let (app, ..) = app_with_placed_entries(backend).await;
        tamper(app.database_url(), "DELETE FROM access_log WHERE leaf_index = 5").await;
        assert_eq!(verify_tree(&app).await.problem, Some(TreeProblem::Missing { index: 5 }));

        // The log emptied, its checkpoints kept: they sign leaves that are gone. (Emptied with its
        // checkpoints, it is a log set back to its start, which only the witness can tell: see
        // the restore below.)
        let (app, ..) = app_with_placed_entries(backend).await;
        tamper(app.database_url(), "DELETE FROM access_log").await;
        let found = verify_tree(&app).await.problem;
        assert!(matches!(found, Some(TreeProblem::Behind { leaves: 0, .. })), "{found:?}");

        // A tile that serves other hashes than the leaves give.
        let (app, ..) = app_with_placed_entries(backend).await;
        let zeros = match backend {
            Backend::Sqlite => "zeroblob(length(hashes))",
            Backend::Postgres => "decode(repeat('00', length(hashes)), 'hex')",
        };
        tamper(app.database_url(), &format!("UPDATE access_log_tiles SET hashes = {zeros} WHERE level = 0 AND idx = 1")).await;
        assert_eq!(verify_tree(&app).await.problem, Some(TreeProblem::Tile { level: 0, index: 1 }));
    }
}

on_both_databases! {
    async fn concurrent_appends_each_become_one_leaf_without_gaps(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| settings.demo_data = Some(true)).await;
        let log = AccessLog::new(database_of(&app).await);
        let seqs: Vec<i64> =
            futures::future::join_all((0..40).map(|number| log.append(entry(number)))).await.into_iter().map(|seq| seq.expect("appended")).collect();
        let distinct: std::collections::BTreeSet<i64> = seqs.iter().copied().collect();
        assert_eq!(distinct.len(), 40, "each append its own seq: {seqs:?}");

        let (size, _) = signed_checkpoint_of_every_entry(&app).await;
        let indexes: Vec<i64> = leaves_in_order(&app).await.into_iter().map(|(index, _)| index).collect();
        assert_eq!(indexes, (0..i64::try_from(size).expect("a size")).collect::<Vec<_>>(), "one leaf each, no gap");
        let checked = verify_tree(&app).await;
        assert_eq!((checked.leaves, &checked.problem), (size, &None));
    }
}

/// On PostgreSQL an append does not wait for another transaction's, which once queued every
/// reader behind one head row; and an append whose read rolls back leaves no gap in the tree.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_append_does_not_wait_for_another_and_one_rolled_back_leaves_no_gap() {
    use sqlx::{Connection, PgConnection};
    if !klarsicht_tests::postgres_available() {
        return;
    }
    let app = TestApp::spawn_with(Backend::Postgres, |settings| settings.demo_data = Some(true)).await;
    let log = AccessLog::new(database_of(&app).await);
    log.append(entry(1)).await.expect("appended");

    let mut holder = PgConnection::connect(app.database_url()).await.expect("PostgreSQL accepts a connection");
    let mut holding = holder.begin().await.expect("a transaction");
    sqlx::query(
        "INSERT INTO access_log (id, occurred_at, staff_id, office_code, citizen_id, categories, purpose, basis, leaf) \
         VALUES (gen_random_uuid(), now(), $1::uuid, 'wohngeldstelle', $2::uuid, '[]', 'offen', 'application', '{}')",
    )
    .bind(demo::SABINE_FISCHER)
    .bind(demo::JONAS_WEBER)
    .execute(&mut *holding)
    .await
    .expect("an append held open");
    tokio::time::timeout(Duration::from_secs(10), log.append(entry(2)))
        .await
        .expect("the append does not wait for the open one")
        .expect("appended");
    holding.rollback().await.expect("the open append rolled back");
    log.append(entry(3)).await.expect("appended");

    let (size, _) = signed_checkpoint_of_every_entry(&app).await;
    let indexes: Vec<i64> = leaves_in_order(&app).await.into_iter().map(|(index, _)| index).collect();
    assert_eq!(indexes, (0..i64::try_from(size).expect("a size")).collect::<Vec<_>>());
    assert_eq!(verify_tree(&app).await.problem, None);
}

/// A request to the witness: the old size, the proof and the checkpoint.
async fn ask_witness(url: &str, old: u64, proof: &[Hash], note: &str) -> (u16, String) {
    let proof: String = proof.iter().map(|hash| format!("{hash}\n")).collect();
    let response = reqwest::Client::new()
        .post(format!("{url}/add-checkpoint"))
        .body(format!("old {old}\n{proof}\n{note}"))
        .send()
        .await
        .expect("the witness answers");
    (response.status().as_u16(), response.text().await.expect("a body"))
}

on_both_databases! {
    async fn the_witness_cosigns_each_checkpoint_that_extends_the_last_and_refuses_another_history(backend: Backend) {
        let directory = tempfile::tempdir().expect("a directory");
        let state = directory.path().join("zeuge.json");
        let (witness_url, witness_key) = start_witness(&state).await;
        let app = TestApp::spawn_with(backend, |settings| {
            settings.demo_data = Some(true);
            settings.witness_url = Some(witness_url.clone());
            settings.witness_key = Some(witness_key.clone());
        })
        .await;
        append_entries(&app, 40).await;
        let (size, _, note) = checkpoint_of_every_entry(&app, Some(&witness_key)).await;
        assert_eq!(size, 40);
        assert_eq!(note.lines().filter(|line| line.starts_with('—')).count(), 2, "signed by the portal and cosigned: {note}");
        let remembered: serde_json::Value = serde_json::from_slice(&std::fs::read(&state).expect("the state")).expect("JSON");
        assert_eq!(remembered["size"], 40, "the witness keeps what it cosigned: {remembered}");
        // More entries: the next checkpoint extends the last, and is cosigned too.
        append_entries(&app, 300).await;
        let (size, root, _) = checkpoint_of_every_entry(&app, Some(&witness_key)).await;
        assert_eq!(size, 340);

        // Another history of the log, signed with the log's own key (as whoever holds it could):
        // the witness cosigns none of it.
        let settings = Settings::check(test_settings(app.database_url())).expect("valid settings");
        let forged = Hash([7; 32]);
        let same_size = sign_checkpoint(&settings.log_signer, 340, forged).expect("signed");
        assert_eq!(ask_witness(&witness_url, 340, &[], &same_size).await, (409, "340\n".to_owned()), "two trees of one size");
        let longer = sign_checkpoint(&settings.log_signer, 400, forged).expect("signed");
        assert_eq!(ask_witness(&witness_url, 340, &[root, root], &longer).await.0, 422, "a proof that does not hold");
        assert_eq!(ask_witness(&witness_url, 40, &[], &longer).await, (409, "340\n".to_owned()), "set back to an older size");
        let smaller = sign_checkpoint(&settings.log_signer, 39, forged).expect("signed");
        assert_eq!(ask_witness(&witness_url, 340, &[], &smaller).await.0, 400, "smaller than the old size");
        let foreign = sign_checkpoint(&app::server::access_log::signer::LogSigner::generate("fremd.example/log").expect("a key"), 1, forged).expect("signed");
        assert_eq!(ask_witness(&witness_url, 0, &[], &foreign).await.0, 404, "another log");
        let impostor = app::server::access_log::signer::LogSigner::generate("localhost/klarsicht-zugriffsprotokoll").expect("a key");
        let unsigned = sign_checkpoint(&impostor, 400, forged).expect("signed");
        assert_eq!(ask_witness(&witness_url, 340, &[], &unsigned).await.0, 403, "not the log's key");
        assert_eq!(ask_witness(&witness_url, 340, &[], "kein Checkpoint").await.0, 403, "no signed note");
        let garbage = reqwest::Client::new().post(format!("{witness_url}/add-checkpoint")).body("kein Antrag").send().await.expect("answers");
        assert_eq!(garbage.status(), 400, "no request");
        let remembered: serde_json::Value = serde_json::from_slice(&std::fs::read(&state).expect("the state")).expect("JSON");
        assert_eq!(remembered["size"], 340, "nothing refused changed what it keeps");

        // The operator's check covers the cosignatures.
        let mut input = test_settings(app.database_url());
        input.witness_url = Some(witness_url.clone());
        input.witness_key = Some(witness_key.clone());
        let settings = Settings::check(input).expect("valid settings");
        assert!(settings.witness.is_some());
        let checked = Sequencer::new(&database_of(&app).await, settings.log_signer, settings.witness).verify().await.expect("runs");
        assert_eq!(checked.problem, None);
        assert!(checked.cosignatures >= 2, "{checked:?}");
    }
}

/// The entries Jonas's access-log page shows (`buerger/zugriffe`), as the browser's check
/// compares them, and the proofs it fetches for them (`buerger/protokoll-beweise`), having
/// verified the tree of `since` leaves last.
async fn jonas_page_and_proofs(app: &TestApp, since: Option<u64>) -> (Vec<ShownEntry>, LogProofs) {
    let mut jonas = Visitor::new(app);
    jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
    let (status, log) = jonas.call("buerger/zugriffe", &[]).await;
    assert_eq!(status, 200, "{log}");
    let log: CitizenAccessLog = serde_json::from_value(log).expect("the page's log");
    let shown = log.entries.iter().map(ShownEntry::from).collect();
    let since = since.map(|since| since.to_string());
    let arguments: Vec<(&str, &str)> = since.iter().map(|since| ("since", since.as_str())).collect();
    let (status, proofs) = jonas.call("buerger/protokoll-beweise", &arguments).await;
    assert_eq!(status, 200, "{proofs}");
    (shown, serde_json::from_value(proofs).expect("proofs"))
}

const LONG_AGO: &str = "2000-01-01T00:00:00Z";

on_both_databases! {
    async fn the_citizens_check_proves_what_the_page_shows_and_finds_an_entry_altered_removed_or_the_log_set_back(backend: Backend) {
        let (app, size, _) = app_with_placed_entries(backend).await;
        let keys = LogKeys { log: app.get("/log/key").await.text().await.expect("the key").trim().to_owned(), witness: None };
        let (shown, proofs) = jonas_page_and_proofs(&app, None).await;
        assert!(shown.len() > CHECKED, "every read of Jonas's data is on his page");
        let first = check(&keys, demo::JONAS_WEBER, &shown, &proofs, None, LONG_AGO).expect("the log as it is checks");
        assert_eq!((first.proven, first.pending, first.size, first.since), (CHECKED, 0, size, None));
        // Another person's proofs are not Jonas's to fetch: answered like an id that does not exist.
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        // His export carries the proof of every entry, which holds offline; changed, it does not.
        let (status, export) = jonas.call_get("buerger/datenexport", &[]).await;
        assert_eq!(status, 200);
        let mut export: DataExport = serde_json::from_value(export).expect("an export");
        assert_eq!(check_export(&keys, &export), Ok(ExportChecked { proven: shown.len(), pending: 0 }));
        export.access_log[7].purpose = "Neugier".to_owned();
        let changed = export.access_log[7].id.clone();
        assert_eq!(check_export(&keys, &export), Err((changed.clone(), Finding::Differs { id: changed })));
        let (status, _) = jonas.call("buerger/protokoll-beweise", &[("person", demo::ANNA_BECKER)]).await;
        assert_eq!(status, 404);

        // More reads: the next visit proves the log only grew.
        append_entries(&app, 10).await;
        let (grown, _) = signed_checkpoint_of_every_entry(&app).await;
        let (shown, proofs) = jonas_page_and_proofs(&app, Some(size)).await;
        let second = check(&keys, demo::JONAS_WEBER, &shown, &proofs, Some(&first.remember), LONG_AGO).expect("it only grew");
        assert_eq!((second.size, second.since), (grown, Some(size)));

        // An entry changed behind the portal's back: the page shows what its leaf does not say.
        let newest = shown[0].id.clone();
        tamper(app.database_url(), &format!("UPDATE access_log SET purpose = 'Neugier' WHERE id = '{newest}'")).await;
        let (altered, proofs) = jonas_page_and_proofs(&app, Some(grown)).await;
        assert_eq!(
            check(&keys, demo::JONAS_WEBER, &altered, &proofs, Some(&second.remember), LONG_AGO),
            Err(Finding::Differs { id: newest.clone() })
        );
        // An entry removed: it is gone from the page, and the browser remembers it.
        tamper(app.database_url(), &format!("DELETE FROM access_log WHERE id = '{newest}'")).await;
        let (removed, proofs) = jonas_page_and_proofs(&app, Some(grown)).await;
        assert_eq!(
            check(&keys, demo::JONAS_WEBER, &removed, &proofs, Some(&second.remember), LONG_AGO),
            Err(Finding::Vanished { id: newest })
        );
        // The log set back to its state before the ten reads: checkpoints, tiles and entries.
        tamper(app.database_url(), &format!("DELETE FROM access_log_checkpoints WHERE tree_size > {size}")).await;
        let (earlier, proofs) = jonas_page_and_proofs(&app, Some(grown)).await;
        assert_eq!(
            check(&keys, demo::JONAS_WEBER, &earlier, &proofs, Some(&second.remember), LONG_AGO),
            Err(Finding::SetBack { before: grown, now: size })
        );
        // The tree emptied: no checkpoint, no tile (the sequencer may sign the empty tree anew).
        tamper(app.database_url(), "DELETE FROM access_log_checkpoints; DELETE FROM access_log_tiles").await;
        let (emptied, proofs) = jonas_page_and_proofs(&app, Some(grown)).await;
        let found = check(&keys, demo::JONAS_WEBER, &emptied, &proofs, Some(&second.remember), LONG_AGO);
        assert!(matches!(found, Err(Finding::Unsigned | Finding::SetBack { .. })), "{found:?}");
    }
}

on_both_databases! {
    async fn the_proofs_hold_when_the_log_was_set_back_and_grew_anew_while_the_portal_kept_its_tiles(backend: Backend) {
        let (app, _, _) = app_with_placed_entries(backend).await;
        let keys = LogKeys { log: app.get("/log/key").await.text().await.expect("the key").trim().to_owned(), witness: None };
        // Jonas's check reads the tiles of his newest entries (leaves 270–299), which the portal keeps.
        let (shown, proofs) = jonas_page_and_proofs(&app, None).await;
        check(&keys, demo::JONAS_WEBER, &shown, &proofs, None, LONG_AGO).expect("the log as it is checks");

        // The database set back to a tree of 260 entries, as a backup holds it, signed by the
        // portal; then 40 other reads: the places 260–299 hold other leaves than the kept tile.
        let restored = 260;
        let root = root_from_public_tiles(&app, restored).await;
        let signer = Settings::check(test_settings(app.database_url())).expect("valid settings").log_signer;
        let note = sign_checkpoint(&signer, restored, root).expect("signed");
        tamper(
            app.database_url(),
            &format!(
                "DELETE FROM access_log WHERE leaf_index >= {restored}; \
                 DELETE FROM access_log_checkpoints WHERE tree_size >= {restored}; \
                 UPDATE access_log_tiles SET hashes = substr(hashes, 1, {width}) WHERE level = 0 AND idx = 1; \
                 INSERT INTO access_log_checkpoints (tree_size, root_hash, signed_at, note) \
                 VALUES ({restored}, '{root}', '2026-01-01T00:00:00Z', '{note}')",
                width = (restored - 256) * 32,
            ),
        )
        .await;
        append_entries(&app, 40).await;
        let (size, _) = signed_checkpoint_of_every_entry(&app).await;
        assert_eq!(size, 300);

        // The kept tile gives proofs that do not hold; the portal finds so and reads the tiles anew.
        let (shown, proofs) = jonas_page_and_proofs(&app, None).await;
        let checked = check(&keys, demo::JONAS_WEBER, &shown, &proofs, None, LONG_AGO).expect("the grown log checks");
        assert_eq!((checked.proven, checked.size), (CHECKED, 300));
        let indexes: Vec<u64> = proofs.entries.iter().map(|entry| entry.index).collect();
        assert!(indexes.contains(&restored) && indexes.contains(&299), "the new leaves are proved: {indexes:?}");
    }
}

/// Jonas for Mia: Hilfe zur Erziehung at the Jugendamt (demo data).
const HZE_FOR_MIA: &str = "00000000-0000-4000-8000-000000000702";

on_both_databases! {
    async fn a_deferred_emergency_access_is_sealed_at_its_read_and_proven_so_once_it_shows(backend: Backend) {
        let directory = tempfile::tempdir().expect("a directory");
        let (witness_url, witness_key) = start_witness(&directory.path().join("zeuge.json")).await;
        let app = TestApp::spawn_with(backend, |settings| {
            settings.demo_data = Some(true);
            settings.witness_url = Some(witness_url.clone());
            settings.witness_key = Some(witness_key.clone());
        })
        .await;
        let keys = LogKeys { log: app.get("/log/key").await.text().await.expect("the key").trim().to_owned(), witness: Some(witness_key.clone()) };
        append_entries(&app, 5).await;
        let (_, _, before_the_read) = checkpoint_of_every_entry(&app, Some(&witness_key)).await;

        // An emergency access to Jonas's data, confirmed, read, and held back for 30 days.
        let mut lena = Visitor::new(&app);
        lena.sign_in_as_demo(demo::LENA_HOFFMANN).await;
        let mut tobias = Visitor::new(&app);
        tobias.sign_in_as_demo(demo::TOBIAS_KRUEGER).await;
        let (status, emergency) = lena
            .call(
                "mitarbeitende/notzugriff-oeffnen",
                &[
                    ("application", HZE_FOR_MIA),
                    ("person", demo::JONAS_WEBER),
                    ("reason", "Hinweise auf akute Gefährdung des Kindes nach § 8a SGB VIII"),
                    ("categories[0]", "income_assets"),
                    ("hours", "24"),
                ],
            )
            .await;
        assert_eq!(status, 200, "{emergency}");
        let emergency = emergency.as_str().expect("the id").to_owned();
        assert_eq!(tobias.call("mitarbeitende/notzugriff-bestaetigen", &[("emergency", &emergency)]).await.0, 200);
        assert_eq!(lena.call("mitarbeitende/notzugriff-daten", &[("emergency", &emergency)]).await.0, 200);
        let until = time::OffsetDateTime::now_utc().date() + time::Duration::days(30);
        let (status, body) = tobias
            .call(
                "mitarbeitende/notzugriff-zurueckstellen",
                &[("emergency", &emergency), ("reason", "Die Mitteilung würde das Kind jetzt gefährden."), ("until", &until.to_string())],
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let (_, _, at_the_read) = checkpoint_of_every_entry(&app, Some(&witness_key)).await;

        // While held back, nothing Jonas is given names it: not his page, not his proofs.
        let (shown, proofs) = jonas_page_and_proofs(&app, None).await;
        assert!(shown.iter().all(|entry| entry.basis != "emergency"), "{shown:?}");
        assert!(proofs.entries.iter().all(|entry| !entry.leaf.contains("emergency")), "{proofs:?}");
        check(&keys, demo::JONAS_WEBER, &shown, &proofs, None, LONG_AGO).expect("what he is shown checks");

        // Weeks later, after more reads, the deferral ends: the entry shows, proven to have been in
        // a checkpoint the witness cosigned at the time of the read.
        append_entries(&app, 20).await;
        let (size, ..) = checkpoint_of_every_entry(&app, Some(&witness_key)).await;
        execute(app.database_url(), "UPDATE access_log_deferrals SET visible_from = '2026-01-01T00:00:00.000000Z', created_at = '2025-12-01T00:00:00.000000Z'").await;
        let (shown, proofs) = jonas_page_and_proofs(&app, None).await;
        let read = shown.iter().find(|entry| entry.basis == "emergency").expect("shown now").id.clone();
        let verified = check(&keys, demo::JONAS_WEBER, &shown, &proofs, None, LONG_AGO).expect("sealed when it was read");
        assert_eq!(verified.size, size);
        let proof = proofs.entries.iter().find(|entry| entry.leaf.contains(&read)).expect("its proof");
        let sealed = proof.sealed.as_ref().expect("its seal");
        let sealed_size: u64 = sealed.checkpoint.lines().nth(1).and_then(|size| size.parse().ok()).expect("a size");
        let read_size: u64 = at_the_read.lines().nth(1).and_then(|size| size.parse().ok()).expect("a size");
        assert!(proof.index < sealed_size && sealed_size <= read_size, "the first cosigned tree that held it: {sealed_size}");

        // A portal that kept it out of the log until now could offer no such seal: without one, or
        // with a checkpoint from before the read, the browser raises the alarm.
        let backdated = Err(Finding::Backdated { id: read.clone() });
        let with_seal = |seal: Option<app::log_proof::SealedProof>| {
            let mut proofs = proofs.clone();
            for entry in proofs.entries.iter_mut().filter(|entry| entry.leaf.contains(&read)) {
                entry.sealed = seal.clone();
            }
            check(&keys, demo::JONAS_WEBER, &shown, &proofs, None, LONG_AGO)
        };
        assert_eq!(with_seal(None), backdated);
        let earlier: u64 = before_the_read.lines().nth(1).and_then(|size| size.parse().ok()).expect("a size");
        let (_, from_earlier) = jonas_page_and_proofs(&app, Some(earlier)).await;
        let seal = app::log_proof::SealedProof { checkpoint: before_the_read, consistency: from_earlier.consistency };
        assert_eq!(with_seal(Some(seal)), backdated);
    }
}

const RESTORE_REASON: &str = "Die Festplatte des Servers fiel aus; die Sicherung vom Vormittag wurde eingespielt.";

on_both_databases! {
    async fn a_restore_that_lost_entries_locks_the_files_until_the_gap_is_declared_and_citizens_see_it(backend: Backend) {
        let directory = tempfile::tempdir().expect("a directory");
        let state = directory.path().join("zeuge.json");
        let cosigner = Cosigner::generate("datenschutz.stadt.example/zeuge").expect("a key");
        let witness_key = cosigner.verifier_key();
        let witness_url = serve_witness(&state, &cosigner, true).await;
        let mut app = TestApp::spawn_with(backend, |settings| {
            settings.demo_data = Some(true);
            settings.witness_url = Some(witness_url.clone());
            settings.witness_key = Some(witness_key.clone());
        })
        .await;
        append_entries(&app, 3).await;
        let (restored, ..) = checkpoint_of_every_entry(&app, Some(&witness_key)).await;
        let backup = app.back_up().await;
        // Four more reads, cosigned by the witness; then the disk fails and the backup comes back.
        append_entries(&app, 4).await;
        let (witnessed, ..) = checkpoint_of_every_entry(&app, Some(&witness_key)).await;
        assert_eq!(witnessed, restored + 4);
        app.restore(&backup).await;

        // At start-up the portal asked the witness: every staff page says how far behind it is,
        // and no citizen's data opens, since no read could be logged.
        let mut sabine = Visitor::new(&app);
        sabine.sign_in_as_demo(demo::SABINE_FISCHER).await;
        assert_eq!(sabine.me().await["log_behind"], 4);
        let (status, refused) = sabine.call("mitarbeitende/akte", &[("application", JONAS_WOHNGELD)]).await;
        assert_eq!(status, 503, "{refused}");
        let case = sabine.get(&format!("/mitarbeitende/faelle/{JONAS_WOHNGELD}")).await;
        assert_eq!(case.status(), 503);
        let case = case.text().await.expect("a page").replace("<!>", "");
        assert!(case.contains("Akten vorübergehend gesperrt") && case.contains("(Anzahl: 4)"), "{case}");
        let start = sabine.get("/mitarbeitende/start").await.text().await.expect("a page").replace("<!>", "");
        assert!(start.contains("Akten gesperrt:") && start.contains("(Anzahl: 4)"), "every staff page says so");
        let appended = AccessLog::new(database_of(&app).await).append(entry(0)).await;
        assert!(appended.as_ref().is_err_and(|error| error.is_log_behind()), "the database refuses entries: {appended:?}");
        let entries = count_rows(app.database_url(), "access_log").await;
        let mut jonas = Visitor::new(&app);
        jonas.sign_in_as_demo(demo::JONAS_WEBER).await;
        assert!(jonas.me().await.get("log_behind").is_none(), "citizens are not told what staff are");
        // The restored tree is whole: only the witness can tell that it is an older one, and the
        // operator's check, which asks it, says so.
        assert_eq!(verify_tree(&app).await.problem, None, "without the witness, nothing to find");
        let mut with_witness = test_settings(app.database_url());
        with_witness.witness_url = Some(witness_url.clone());
        with_witness.witness_key = Some(witness_key.clone());
        let with_witness = Settings::check(with_witness).expect("valid settings");
        let checked = server::startup::verify_access_log(&with_witness).await.expect("the check runs");
        assert_eq!(checked.problem, Some(TreeProblem::SetBack { witnessed, size: restored }));

        // The operator declares the gap: staff read again, and citizens see what was lost, and why.
        let settings = Settings::check(test_settings(app.database_url())).expect("valid settings");
        let declared = server::startup::declare_gap(&settings, RESTORE_REASON).await.expect("declared");
        assert_eq!(declared.iter().map(|gap| (gap.witnessed, gap.restored, gap.entries())).collect::<Vec<_>>(), [(witnessed, restored, 4)]);
        assert!(server::startup::declare_gap(&settings, RESTORE_REASON).await.expect("runs").is_empty(), "declared once");
        assert_eq!(sabine.call("mitarbeitende/akte", &[("application", JONAS_WOHNGELD)]).await.0, 200);
        assert!(sabine.me().await.get("log_behind").is_none(), "the banner is gone");
        assert!(count_rows(app.database_url(), "access_log").await > entries, "the read is logged");
        let (status, log) = jonas.call("buerger/zugriffe", &[]).await;
        assert_eq!(status, 200);
        let log: CitizenAccessLog = serde_json::from_value(log).expect("the page's log");
        assert_eq!(log.gaps.iter().map(|gap| (gap.lost, gap.reason.as_str())).collect::<Vec<_>>(), [(4, RESTORE_REASON)]);
        let page = jonas.get("/buerger/zugriffe").await.text().await.expect("a page").replace("<!>", "");
        assert!(page.contains("Verlorene Einträge im Protokoll") && page.contains(RESTORE_REASON), "{page}");
        let (status, export) = jonas.call_get("buerger/datenexport", &[]).await;
        assert_eq!(status, 200);
        assert_eq!((&export["access_log_gaps"][0]["lost"], &export["access_log_gaps"][0]["reason"]), (&serde_json::json!(4), &serde_json::json!(RESTORE_REASON)), "his export names it too");
        let changed = try_execute(app.database_url(), "UPDATE access_log_gaps SET reason = 'nichts'").await;
        assert!(changed.is_err(), "a declared gap stays as it was declared");

        // The log grows past the restored tree. Until its operator accepts the restored log, the
        // witness answers with the tree it cosigned: that is the gap declared, not a new one, so
        // the files stay open and the operator's check finds the log intact.
        let newest = "SELECT COALESCE(MAX(tree_size), 0) FROM access_log_checkpoints";
        for waited in 0.. {
            if query_i64(app.database_url(), newest).await == count_rows(app.database_url(), "access_log").await {
                break;
            }
            assert!(waited < 100, "the new read is placed in the tree within ten seconds");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let sequencer = Sequencer::new(&database_of(&app).await, with_witness.log_signer.clone(), with_witness.witness.clone());
        assert!(!sequencer.witness().await.expect("the witness is asked"), "it cosigns nothing of the new history yet");
        assert!(sequencer.gap().await.expect("the gaps are read").is_none(), "no new gap locks the files");
        assert_eq!(server::startup::verify_access_log(&with_witness).await.expect("the check runs").problem, None);
        assert_eq!(sabine.call("mitarbeitende/akte", &[("application", JONAS_WOHNGELD)]).await.0, 200, "the files stay open");

        // The witness cosigns nothing of the restored log's new history until its operator
        // accepts the restored checkpoint; then it witnesses the log again.
        let public = app.get("/log/checkpoint").await.text().await.expect("a checkpoint");
        assert_eq!(public.lines().nth(1), Some(restored.to_string().as_str()), "the newest cosigned is the restored one: {public}");
        let log_key = app.get("/log/key").await.text().await.expect("the key");
        let accepted = app::server::access_log::witness::accept_gap(log_key.trim(), &state, public.as_bytes(), RESTORE_REASON).expect("accepted");
        assert_eq!((accepted.from_size, accepted.to_size), (witnessed, restored));
        assert!(
            matches!(app::server::access_log::witness::accept_gap(log_key.trim(), &state, public.as_bytes(), RESTORE_REASON), Err(app::server::access_log::witness::WitnessError::AcceptedAlready(_))),
            "accepted once, never again"
        );
        let witness_again = serve_witness(&state, &cosigner, false).await;
        let verifier = CosignatureVerifier::parse(&witness_key).expect("a witness key");
        app.restart_with(|settings| {
            settings.witness = Some(app::server::access_log::witness::WitnessClient::new(&witness_again, verifier));
        })
        .await;
        let (cosigned, ..) = checkpoint_of_every_entry(&app, Some(&witness_key)).await;
        assert!(cosigned > restored, "the witness cosigns the restored log's new history: {cosigned}");
    }
}
