//! Only the gate reads citizen data for staff. The compiler keeps the citizens' tables to the
//! modules that hold a keeper (`app/src/server/db/tables.rs`): the gate, the citizen's own
//! services (their entry points take a citizen's capability, which no staff session gets),
//! casework's actions (they answer only whether they were done) and retention. Every other
//! service holds the office's handle, which on PostgreSQL acts as a role without privilege on
//! those tables (`db::tables::tests`). SQLite has no roles: for it, this reads the sources of the
//! modules without a keeper and fails on SQL on a citizen table there; and it fails on a
//! statement that would change the office's role back, which is the one way past PostgreSQL's.

use std::path::{Path, PathBuf};

use app::server::db::RECORDS_TABLES;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The modules the compiler lets hold the citizens' records: those with a keeper, read from
/// the `impl sealed::Sealed for …::MODULE::Keeper {}` lines of `db/tables.rs` (each line that
/// implements `Sealed`, however it names the module).
fn keepers() -> Vec<String> {
    let tables = std::fs::read_to_string(root().join("app/src/server/db/tables.rs")).expect("db/tables.rs");
    tables
        .lines()
        .filter_map(|line| line.split_once("Sealed for ").map(|(_, keeper)| keeper))
        .map(|keeper| {
            let path: Vec<&str> = keeper.trim_end_matches(" {}").split("::").collect();
            path.len().checked_sub(2).map_or_else(|| keeper.to_owned(), |module| path[module].to_owned())
        })
        .collect()
}

/// A source's product code: what stands before its test module.
fn product_code(text: &str) -> &str {
    text.split("#[cfg(test)]\nmod ").next().unwrap_or_default()
}

#[test]
fn the_records_are_kept_by_the_gate_the_citizen_casework_and_retention() {
    // A new keeper is a new reader of the citizens' records: it is added here on purpose.
    assert_eq!(keepers(), ["gate", "citizen", "casework", "retention"]);
}

fn rust_files(directory: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(directory) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            found.push(path);
        }
    }
}

/// The citizen tables a text runs SQL on (`FROM t`, `JOIN t`, `INTO t`, `UPDATE t`).
fn citizen_tables_in(text: &str) -> Vec<&'static str> {
    let text = text.to_lowercase();
    RECORDS_TABLES
        .into_iter()
        .filter(|table| {
            ["from ", "join ", "into ", "update "].iter().any(|keyword| {
                let needle = format!("{keyword}{table}");
                text.match_indices(&needle).any(|(start, _)| {
                    let after = text[start + needle.len()..].chars().next();
                    !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
                })
            })
        })
        .collect()
}

#[test]
fn the_check_recognises_sql_on_citizen_tables() {
    assert_eq!(citizen_tables_in("SELECT data FROM citizen_data WHERE citizen_id = $1"), vec!["citizen_data"]);
    assert_eq!(citizen_tables_in("UPDATE consents SET revoked_at = $1"), vec!["consents"]);
    assert_eq!(citizen_tables_in("SELECT 1 FROM applications_archive"), Vec::<&str>::new(), "whole names only");
    assert_eq!(citizen_tables_in("SELECT 1 FROM offices"), Vec::<&str>::new());
}

#[test]
fn sql_on_citizen_tables_stands_only_where_staff_cannot_be_handed_it() {
    let root = root();
    let allowed: Vec<String> = keepers()
        .iter()
        .flat_map(|module| [format!("app/src/server/{module}/"), format!("app/src/server/{module}.rs")])
        .collect();
    let mut files = Vec::new();
    rust_files(&root.join("app/src"), &mut files);
    rust_files(&root.join("server/src"), &mut files);
    assert!(files.len() > 10, "the sources were found");

    let mut offenders = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&root).unwrap_or(&file).to_string_lossy().replace('\\', "/");
        if allowed.iter().any(|allowed| relative.starts_with(allowed.as_str())) {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("a readable source file");
        // A module's tests (at its end) may attack the tables.
        let tables = citizen_tables_in(product_code(&text));
        if !tables.is_empty() {
            offenders.push(format!("{relative}: {tables:?}"));
        }
    }
    assert!(offenders.is_empty(), "SQL on citizen tables outside the modules with a keeper (db/tables.rs):\n{}", offenders.join("\n"));
}

#[test]
fn no_source_but_the_database_module_changes_the_role() {
    let root = root();
    let mut files = Vec::new();
    rust_files(&root.join("app/src"), &mut files);
    rust_files(&root.join("server/src"), &mut files);
    let offenders: Vec<String> = files
        .iter()
        .filter(|file| !file.starts_with(root.join("app/src/server/db")))
        .filter(|file| {
            // Upper case, without spaces and line continuations: `set  local\n role` is `SETLOCALROLE`.
            let text: String = std::fs::read_to_string(file)
                .expect("a readable source file")
                .to_uppercase()
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '\\')
                .collect();
            ["SETROLE", "LOCALROLE", "SESSIONROLE", "RESETROLE", "RESETALL", "SESSIONAUTHORIZATION", "DISCARDALL", "SET_CONFIG('ROLE'"]
                .iter()
                .any(|statement| text.contains(statement))
        })
        .map(|file| file.display().to_string())
        .collect();
    assert!(!files.is_empty() && offenders.is_empty(), "only app/src/server/db sets the office's role:\n{}", offenders.join("\n"));
}
