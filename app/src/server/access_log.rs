//! The access log: append-only and tamper-evident.
//!
//! Each entry carries the hash of the one before it and its own hash, an HMAC-SHA-256 over
//! all its fields under a key derived from the server's secret; a head row names the newest
//! entry under a MAC of the same key. Changing an entry breaks its hash, deleting or
//! reordering breaks the chain, cutting off the end breaks the head, and rewriting any of it
//! to fit needs the secret. The gate appends in the same transaction as the read it records.
//!
//! INVARIANT: the key must stay the same for the life of the log (KLARSICHT_SECRET is not
//! rotated without re-anchoring the log).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use sqlx::types::Json;

use crate::{
    policy::Category,
    server::db::{Database, DatabaseError, Id, Timestamp, BeginWrite, on_backend},
};

type HmacSha256 = Hmac<Sha256>;

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Entries verified per database round trip.
const VERIFY_BATCH: i64 = 5_000;

/// The key entries are hashed under, derived from the server's secret.
#[derive(Clone)]
pub struct LogKey([u8; 32]);

impl LogKey {
    pub fn derive(secret: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"klarsicht access log key v1\0");
        hasher.update(secret.as_bytes());
        Self(hasher.finalize().into())
    }

    fn mac(&self, parts: &[&[u8]]) -> String {
        // INVARIANT: HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
        let Ok(mut mac) = HmacSha256::new_from_slice(&self.0) else { return String::new() };
        for part in parts {
            // Length-prefixed, so no two different entries encode alike.
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        hex::encode(mac.finalize().into_bytes())
    }
}

/// The basis a read was allowed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogBasis {
    Application,
    Consent,
    Emergency,
}

impl LogBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Application => "application",
            Self::Consent => "consent",
            Self::Emergency => "emergency",
        }
    }
}

/// What one allowed read records.
#[derive(Clone, Debug)]
pub struct NewEntry {
    pub staff: Id,
    pub office: String,
    pub citizen: Id,
    pub categories: Vec<Category>,
    pub purpose: String,
    pub basis: LogBasis,
    pub basis_ref: Option<Id>,
}

struct Sealed {
    seq: i64,
    id: Id,
    occurred_at: Timestamp,
    prev_hash: String,
    entry_hash: String,
    categories: Vec<String>,
}

type EntryRow = (i64, Id, Timestamp, Id, String, Id, Json<Vec<String>>, String, String, Option<Id>, String, String);

#[allow(clippy::too_many_arguments, reason = "every field of an entry goes into its hash")]
fn entry_hash(
    key: &LogKey,
    seq: i64,
    id: Id,
    occurred_at: Timestamp,
    staff: Id,
    office: &str,
    citizen: Id,
    categories: &[String],
    purpose: &str,
    basis: &str,
    basis_ref: Option<Id>,
    prev_hash: &str,
) -> String {
    let basis_ref = basis_ref.map(|id| id.to_string()).unwrap_or_default();
    key.mac(&[
        b"entry v1",
        seq.to_string().as_bytes(),
        id.to_string().as_bytes(),
        occurred_at.canonical().as_bytes(),
        staff.to_string().as_bytes(),
        office.as_bytes(),
        citizen.to_string().as_bytes(),
        categories.join(",").as_bytes(),
        purpose.as_bytes(),
        basis.as_bytes(),
        basis_ref.as_bytes(),
        prev_hash.as_bytes(),
    ])
}

fn head_mac(key: &LogKey, seq: i64, entry_hash: &str) -> String {
    key.mac(&[b"head v1", seq.to_string().as_bytes(), entry_hash.as_bytes()])
}

/// What a check of the whole log found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    pub entries: i64,
    /// `None` when the log is intact; else the first problem found.
    pub problem: Option<Problem>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The entry's hash does not match its content: it was changed.
    Altered { seq: i64 },
    /// The entry does not follow the one before it: something was deleted or reordered.
    Broken { seq: i64 },
    /// The head does not name the last entry, or its MAC is wrong: the end was cut off.
    Head,
}

impl Verification {
    pub fn is_intact(&self) -> bool {
        self.problem.is_none()
    }
}

#[derive(Clone)]
pub struct AccessLog {
    database: Database,
    key: LogKey,
}

impl AccessLog {
    pub fn new(database: Database, key: LogKey) -> Self {
        Self { database, key }
    }

    /// Appends one entry in its own transaction. The gate appends inside the transaction of
    /// the read instead (see `append_in`).
    pub async fn append(&self, entry: NewEntry) -> Result<i64, DatabaseError> {
        let key = &self.key;
        let seq = on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            let seq = append_in!(&mut *transaction, key, &entry)?;
            transaction.commit().await?;
            Ok::<i64, sqlx::Error>(seq)
        })?;
        Ok(seq)
    }

    async fn head(&self) -> Result<Option<(i64, String, String)>, DatabaseError> {
        let head = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT seq, entry_hash, mac FROM access_log_head WHERE id = 1",
        )
        .fetch_optional(pool)
        .await)?;
        Ok(head)
    }

    /// Checks every entry, the chain and the head.
    ///
    /// The head is read first and the entries up to it are checked, so entries appended while
    /// the check runs do not make an intact log look broken.
    pub async fn verify(&self) -> Result<Verification, DatabaseError> {
        let head = self.head().await?;
        let head_seq = head.as_ref().map_or(0, |(seq, ..)| *seq);
        let mut previous_hash = GENESIS.to_owned();
        let mut expected_seq = 1_i64;
        loop {
            let rows: Vec<EntryRow> = on_backend!(self.database, pool => sqlx::query_as(
                "SELECT seq, id, occurred_at, staff_id, office_code, citizen_id, categories, purpose, basis, basis_ref, prev_hash, entry_hash \
                 FROM access_log WHERE seq >= $1 AND seq <= $3 ORDER BY seq LIMIT $2",
            )
            .bind(expected_seq)
            .bind(VERIFY_BATCH)
            .bind(head_seq)
            .fetch_all(pool)
            .await)?;
            let batch_len = rows.len();
            for (
                seq,
                id,
                occurred_at,
                staff,
                office,
                citizen,
                Json(categories),
                purpose,
                basis,
                basis_ref,
                prev_hash,
                stored_hash,
            ) in rows
            {
                if seq != expected_seq || prev_hash != previous_hash {
                    return Ok(Verification { entries: expected_seq - 1, problem: Some(Problem::Broken { seq }) });
                }
                let computed = entry_hash(
                    &self.key,
                    seq,
                    id,
                    occurred_at,
                    staff,
                    &office,
                    citizen,
                    &categories,
                    &purpose,
                    &basis,
                    basis_ref,
                    &prev_hash,
                );
                if computed != stored_hash {
                    return Ok(Verification { entries: expected_seq - 1, problem: Some(Problem::Altered { seq }) });
                }
                previous_hash = stored_hash;
                expected_seq += 1;
            }
            if batch_len < VERIFY_BATCH as usize {
                break;
            }
        }
        let entries = expected_seq - 1;
        let head_fits = match &head {
            Some((0, hash, _)) => entries == 0 && hash == GENESIS,
            Some((seq, hash, mac)) => {
                *seq == entries && *hash == previous_hash && *mac == head_mac(&self.key, *seq, hash)
            }
            None => false,
        };
        // Entries beyond the head are fine only if the head has moved on since (appends while
        // checking); past an unmoved head they were added without the secret.
        let beyond: i64 = on_backend!(self.database, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM access_log WHERE seq > $1",
        )
        .bind(head_seq)
        .fetch_one(pool)
        .await)?;
        let forged_tail = beyond > 0 && self.head().await? == head;
        Ok(Verification { entries, problem: (!head_fits || forged_tail).then_some(Problem::Head) })
    }
}

/// The entry and the new head in one statement on PostgreSQL, in one text of two statements on
/// SQLite (one round trip to the connection's thread): $1–$12 the entry, $13 the head's MAC.
#[doc(hidden)]
pub const INSERT_ENTRY_AND_HEAD: &str = "WITH entry AS (INSERT INTO access_log (seq, id, occurred_at, staff_id, office_code, \
     citizen_id, categories, purpose, basis, basis_ref, prev_hash, entry_hash) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING entry_hash) \
     UPDATE access_log_head SET entry_hash = (SELECT entry_hash FROM entry), mac = $13 WHERE id = 1";
#[doc(hidden)]
pub const INSERT_ENTRY_THEN_HEAD: &str = "INSERT INTO access_log (seq, id, occurred_at, staff_id, office_code, citizen_id, \
     categories, purpose, basis, basis_ref, prev_hash, entry_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12); \
     UPDATE access_log_head SET entry_hash = $12, mac = $13 WHERE id = 1";

/// Whether a connection is PostgreSQL's (for the few statements whose best form differs).
#[doc(hidden)]
pub fn is_postgres<C: sqlx::Connection>(_connection: &C) -> bool {
    <C::Database as sqlx::Database>::NAME == "PostgreSQL"
}

/// Appends `$entry` on the connection `$connection` (inside the caller's transaction), for
/// either backend: the head's row lock serialises appenders, and the entry and the new head
/// are written before the caller commits. Evaluates to `Result<i64, sqlx::Error>`, the new seq.
macro_rules! append_in {
    ($connection:expr, $key:expr, $entry:expr) => {
        async {
            let connection = $connection;
            let key: &$crate::server::access_log::LogKey = $key;
            let entry: &$crate::server::access_log::NewEntry = $entry;
            let (seq, prev_hash): (i64, String) =
                sqlx::query_as("UPDATE access_log_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, entry_hash")
                    .fetch_one(&mut *connection)
                    .await?;
            let sealed = $crate::server::access_log::seal(key, entry, seq, prev_hash);
            // The entry and the new head in one round trip.
            let insert = if $crate::server::access_log::is_postgres(&*connection) {
                $crate::server::access_log::INSERT_ENTRY_AND_HEAD
            } else {
                $crate::server::access_log::INSERT_ENTRY_THEN_HEAD
            };
            sqlx::query(insert)
                .bind(sealed.seq())
                .bind(sealed.id())
                .bind(sealed.occurred_at())
                .bind(entry.staff)
                .bind(&entry.office)
                .bind(entry.citizen)
                .bind(sqlx::types::Json(sealed.categories()))
                .bind(&entry.purpose)
                .bind(entry.basis.as_str())
                .bind(entry.basis_ref)
                .bind(sealed.prev_hash())
                .bind(sealed.entry_hash())
                .bind(sealed.head_mac(key))
                .execute(&mut *connection)
                .await?;
            Ok::<i64, sqlx::Error>(seq)
        }
        .await
    };
}
pub(crate) use append_in;

/// An entry with its place in the chain and its hash; built by `append_in!`.
pub struct SealedEntry(Sealed);

impl SealedEntry {
    pub fn seq(&self) -> i64 {
        self.0.seq
    }
    pub fn id(&self) -> Id {
        self.0.id
    }
    pub fn occurred_at(&self) -> Timestamp {
        self.0.occurred_at
    }
    pub fn categories(&self) -> Vec<String> {
        self.0.categories.clone()
    }
    pub fn prev_hash(&self) -> &str {
        &self.0.prev_hash
    }
    pub fn entry_hash(&self) -> &str {
        &self.0.entry_hash
    }
    pub fn head_mac(&self, key: &LogKey) -> String {
        head_mac(key, self.0.seq, &self.0.entry_hash)
    }
}

/// Gives `entry` its place `seq` after `prev_hash`, and its hash. Counted for the operators'
/// metrics as an append (an entry whose transaction then rolls back is counted too).
pub fn seal(key: &LogKey, entry: &NewEntry, seq: i64, prev_hash: String) -> SealedEntry {
    metrics::counter!("klarsicht_access_log_appends_total", "basis" => entry.basis.as_str()).increment(1);
    let id = Id::new();
    let occurred_at = Timestamp::now();
    let mut categories: Vec<String> = entry.categories.iter().map(|category| category.code().to_owned()).collect();
    categories.sort();
    categories.dedup();
    let entry_hash = entry_hash(
        key,
        seq,
        id,
        occurred_at,
        entry.staff,
        &entry.office,
        entry.citizen,
        &categories,
        &entry.purpose,
        entry.basis.as_str(),
        entry.basis_ref,
        &prev_hash,
    );
    SealedEntry(Sealed { seq, id, occurred_at, prev_hash, entry_hash, categories })
}
