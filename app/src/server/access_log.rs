//! The access log: append-only and tamper-evident.
//!
//! Each entry carries the hash of the one before it and its own hash, an HMAC-SHA-256 over
//! all its fields under a key derived from the server's secret; a head row names the newest
//! entry under a MAC of the same key. Changing an entry breaks its hash, deleting or
//! reordering breaks the chain, cutting off the end breaks the head, and rewriting any of it
//! to fit needs the secret. The gate appends in the same transaction as the read it records.
//!
//! The log is sixteen such chains, "lanes", each with its head: an append holds its lane's
//! head until it commits, and on PostgreSQL it takes the first lane no other transaction
//! holds, so concurrent reads do not queue behind one row lock. `seq` orders the whole log.
//! Each head's MAC also covers the lanes that had entries when it was written (`opened`):
//! lanes never empty again, so a lane emptied and reset to its start is found by the heads
//! written since it opened, above all lane 1's, the lane every append tries first.
//!
//! INVARIANT: the key must stay the same for the life of the log (KLARSICHT_SECRET is not
//! rotated without re-anchoring the log).

use std::collections::BTreeMap;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use sqlx::types::Json;

use crate::{
    policy::Category,
    server::db::{Database, DatabaseError, Id, Timestamp, BeginWrite, on_backend},
};

type HmacSha256 = Hmac<Sha256>;

/// The number of lanes (migration 0005 creates their heads).
pub const LANES: i64 = 16;

/// The `prev_hash` of a lane's first entry: `lane - 1` as 64 hex digits (distinct per lane,
/// since `prev_hash` is unique; lane 1's is the single chain's genesis from before lanes).
fn genesis(lane: i64) -> String {
    format!("{:064x}", lane - 1)
}

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

type EntryRow = (i64, i64, Id, Timestamp, Id, String, Id, Json<Vec<String>>, String, String, Option<Id>, String, String);

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

/// The MAC of a head from before lanes (lane 1's until its first append after migration 0005).
fn head_mac_v1(key: &LogKey, seq: i64, entry_hash: &str) -> String {
    key.mac(&[b"head v1", seq.to_string().as_bytes(), entry_hash.as_bytes()])
}

/// The MAC of lane `lane`'s head: its newest entry, and the lanes with entries (`opened`, a bit
/// per lane, lane 1 the lowest).
#[doc(hidden)]
pub fn head_mac(key: &LogKey, lane: i64, seq: i64, entry_hash: &str, opened: i64) -> String {
    key.mac(&[
        b"head v2",
        lane.to_string().as_bytes(),
        seq.to_string().as_bytes(),
        entry_hash.as_bytes(),
        opened.to_string().as_bytes(),
    ])
}

/// Lane `lane`'s bit in an `opened` set.
#[doc(hidden)]
pub fn lane_bit(lane: i64) -> i64 {
    1_i64 << (lane - 1).clamp(0, LANES - 1)
}

/// A lane's head: lane, seq of its newest entry, that entry's hash, the MAC, the opened lanes.
type HeadRow = (i64, i64, String, String, i64);

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

    /// Every lane's head.
    async fn heads(&self) -> Result<Vec<HeadRow>, DatabaseError> {
        let heads = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT lane, seq, entry_hash, mac, opened FROM access_log_lanes ORDER BY lane",
        )
        .fetch_all(pool)
        .await)?;
        Ok(heads)
    }

    /// Checks every entry, every lane's chain and its head.
    ///
    /// The heads are read first and each lane's entries up to its head are checked, so entries
    /// appended while the check runs do not make an intact log look broken.
    pub async fn verify(&self) -> Result<Verification, DatabaseError> {
        let heads = self.heads().await?;
        let mut lanes: BTreeMap<i64, Lane> = heads
            .iter()
            .map(|(lane, seq, ..)| (*lane, Lane { head_seq: *seq, seq: 0, hash: genesis(*lane) }))
            .collect();
        let last = heads.iter().map(|(_, seq, ..)| *seq).max().unwrap_or(0);
        let (mut entries, mut beyond, mut after) = (0_i64, 0_i64, 0_i64);
        loop {
            let rows: Vec<EntryRow> = on_backend!(self.database, pool => sqlx::query_as(
                "SELECT lane, seq, id, occurred_at, staff_id, office_code, citizen_id, categories, purpose, basis, basis_ref, \
                 prev_hash, entry_hash FROM access_log WHERE seq > $1 AND seq <= $3 ORDER BY seq LIMIT $2",
            )
            .bind(after)
            .bind(VERIFY_BATCH)
            .bind(last)
            .fetch_all(pool)
            .await)?;
            let batch_len = rows.len();
            for (
                lane,
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
                after = seq;
                let Some(chain) = lanes.get_mut(&lane) else {
                    return Ok(Verification { entries, problem: Some(Problem::Broken { seq }) });
                };
                if seq > chain.head_seq {
                    // Appended after the heads were read, or added without the secret: below.
                    beyond += 1;
                    continue;
                }
                if prev_hash != chain.hash {
                    return Ok(Verification { entries, problem: Some(Problem::Broken { seq }) });
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
                    return Ok(Verification { entries, problem: Some(Problem::Altered { seq }) });
                }
                chain.hash = stored_hash;
                chain.seq = seq;
                entries += 1;
            }
            if batch_len < VERIFY_BATCH as usize {
                break;
            }
        }
        let every_lane = (1..=LANES).eq(heads.iter().map(|(lane, ..)| *lane));
        let opened = heads.iter().filter(|(_, seq, ..)| *seq > 0).fold(0, |set, (lane, ..)| set | lane_bit(*lane));
        let heads_fit = every_lane
            && heads.iter().all(|(lane, seq, hash, mac, witnessed)| {
                let Some(chain) = lanes.get(lane) else { return false };
                if *seq == 0 {
                    return chain.seq == 0 && *hash == genesis(*lane) && *witnessed == 0;
                }
                // A head names its lane's last entry and witnesses only lanes that have entries.
                let current = *witnessed & lane_bit(*lane) != 0
                    && *witnessed & !opened == 0
                    && *mac == head_mac(&self.key, *lane, *seq, hash, *witnessed);
                let before_lanes = *lane == 1 && *witnessed == 0 && *mac == head_mac_v1(&self.key, *seq, hash);
                chain.seq == *seq && chain.hash == *hash && (current || before_lanes)
            });
        // Entries beyond the heads are fine only if the heads have moved on since (appends
        // while checking); past unmoved heads they were added without the secret.
        let later: i64 = on_backend!(self.database, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM access_log WHERE seq > $1",
        )
        .bind(last)
        .fetch_one(pool)
        .await)?;
        let forged_tail = beyond + later > 0 && self.heads().await? == heads;
        Ok(Verification { entries, problem: (!heads_fit || forged_tail).then_some(Problem::Head) })
    }
}

/// A lane's head as read when the check began, and how far its chain has been followed.
struct Lane {
    head_seq: i64,
    seq: i64,
    hash: String,
}

/// Takes the first lane no other transaction holds (or waits for lane 1 when every lane is
/// held), and the next seq from the sequence while holding it (so a lane's seqs rise along its
/// chain), with the lanes that have entries.
#[doc(hidden)]
pub const TAKE_LANE: &str = "UPDATE access_log_lanes SET seq = nextval('access_log_seq') \
     WHERE lane = COALESCE((SELECT lane FROM access_log_lanes ORDER BY lane LIMIT 1 FOR UPDATE SKIP LOCKED), 1) \
     RETURNING lane, seq, entry_hash, \
     (SELECT COALESCE(bit_or(1::BIGINT << (other.lane - 1)::INTEGER), 0) FROM access_log_lanes other WHERE other.seq > 0)";
/// SQLite writes one transaction at a time: lane 1 (the only lane with entries), and the seq
/// after the largest.
#[doc(hidden)]
pub const TAKE_SQLITE_LANE: &str = "UPDATE access_log_lanes SET seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM access_log) \
     WHERE lane = 1 RETURNING lane, seq, entry_hash, 0";

/// The entry and its lane's new head in one statement on PostgreSQL, in one text of two
/// statements on SQLite (one round trip to the connection's thread): $1–$13 the entry, $14 the
/// head's MAC, $15 the opened lanes.
#[doc(hidden)]
pub const INSERT_ENTRY_AND_HEAD: &str = "WITH entry AS (INSERT INTO access_log (lane, seq, id, occurred_at, staff_id, office_code, \
     citizen_id, categories, purpose, basis, basis_ref, prev_hash, entry_hash) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING lane, entry_hash) \
     UPDATE access_log_lanes SET entry_hash = (SELECT entry_hash FROM entry), mac = $14, opened = $15 \
     WHERE lane = (SELECT lane FROM entry)";
#[doc(hidden)]
pub const INSERT_ENTRY_THEN_HEAD: &str = "INSERT INTO access_log (lane, seq, id, occurred_at, staff_id, office_code, citizen_id, \
     categories, purpose, basis, basis_ref, prev_hash, entry_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13); \
     UPDATE access_log_lanes SET entry_hash = $13, mac = $14, opened = $15 WHERE lane = $1";

/// Whether a connection is PostgreSQL's (for the few statements whose best form differs).
#[doc(hidden)]
pub fn is_postgres<C: sqlx::Connection>(_connection: &C) -> bool {
    <C::Database as sqlx::Database>::NAME == "PostgreSQL"
}

/// Appends `$entry` on the connection `$connection` (inside the caller's transaction), for
/// either backend: the lane's head row lock serialises the lane's appenders, and the entry and
/// the lane's new head are written before the caller commits. Evaluates to
/// `Result<i64, sqlx::Error>`, the new seq.
macro_rules! append_in {
    ($connection:expr, $key:expr, $entry:expr) => {
        async {
            use $crate::server::access_log as log;
            let connection = $connection;
            let key: &log::LogKey = $key;
            let entry: &log::NewEntry = $entry;
            let postgres = log::is_postgres(&*connection);
            let take = if postgres { log::TAKE_LANE } else { log::TAKE_SQLITE_LANE };
            let (lane, seq, prev_hash, others): (i64, i64, String, i64) =
                sqlx::query_as(take).fetch_one(&mut *connection).await?;
            let opened = others | log::lane_bit(lane);
            let sealed = log::seal(key, entry, seq, prev_hash);
            // The entry and the new head in one round trip.
            let insert = if postgres { log::INSERT_ENTRY_AND_HEAD } else { log::INSERT_ENTRY_THEN_HEAD };
            sqlx::query(insert)
                .bind(lane)
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
                .bind(log::head_mac(key, lane, sealed.seq(), sealed.entry_hash(), opened))
                .bind(opened)
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
