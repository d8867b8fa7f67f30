//! Only the gate reads citizen data for staff. Beside it, SQL on citizen tables stands only in
//! code that cannot hand staff what it reads: the citizen's own services (their entry points
//! take a citizen's capability, which no staff session gets), the caseworker's actions (they
//! answer only whether they were done) and the runs on time (retention). This fails when a
//! query on a citizen table appears anywhere else in the server's or the app's source.

use std::path::{Path, PathBuf};

/// Tables that hold citizen data. (`citizens` is the account record: the directory reads it
/// for a citizen's own sign-in and the demo list; staff-facing reads of it belong in the gate
/// too, and the queue will be added here when it reads names.)
const CITIZEN_TABLES: [&str; 13] = [
    "citizen_data",
    "applications",
    "application_answers",
    "application_events",
    "documents",
    "document_requests",
    "messages",
    "case_notes",
    "consents",
    "consent_events",
    "emergency_accesses",
    "protection_flags",
    "guardianships",
];

/// Where such SQL may stand.
const ALLOWED: [&str; 4] =
    ["app/src/server/gate/", "app/src/server/citizen/", "app/src/server/casework/", "app/src/server/retention.rs"];

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
    CITIZEN_TABLES
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
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    rust_files(&root.join("app/src"), &mut files);
    rust_files(&root.join("server/src"), &mut files);
    assert!(files.len() > 10, "the sources were found");

    let mut offenders = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&root).unwrap_or(&file).to_string_lossy().replace('\\', "/");
        if ALLOWED.iter().any(|allowed| relative.starts_with(allowed)) {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("a readable source file");
        let tables = citizen_tables_in(&text);
        if !tables.is_empty() {
            offenders.push(format!("{relative}: {tables:?}"));
        }
    }
    assert!(offenders.is_empty(), "SQL on citizen tables outside the gate, the citizen's services, casework and retention:\n{}", offenders.join("\n"));
}
