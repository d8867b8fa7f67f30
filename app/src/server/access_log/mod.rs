//! The access log: append-only, each entry and each lane's end sealed under the server's secret.
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
//! written since it opened, above all lane 1's, the lane every append tries first. And a
//! lane's start is sealed too (`seal_new_lanes`, once, when the log is set up): a head at
//! seq 0 without its MAC is a lane set back, even where no other head saw it open (SQLite's
//! one lane, or the lane opened last).
//!
//! What this cannot find: the database set back, whole or in part, to an earlier state it
//! really had (old entries with their old heads, all under valid MACs), and anything written
//! by someone who holds the secret. That needs an anchor outside the database (the
//! verifiable log); until then the citizens' pages say so.
//!
//! Two checks: `verify` follows every chain from its start (the operator's and the data
//! protection officer's); `verify_citizen` checks one citizen's newest entries, their
//! neighbours in their lanes and the heads, at a cost that follows the citizen's entries, not
//! the log's size (a citizen's click).
//!
//! INVARIANT: the key must stay the same for the life of the log (KLARSICHT_SECRET is not
//! rotated without re-anchoring the log).
//!
//! The log is also a Merkle tree, which is to replace the lanes: each entry is written with its
//! leaf ([`leaf`]); the [`sequencer`] places the entries in the tree ([`tree`]) in batches and
//! signs a checkpoint for each ([`signer`]), which the [`witness`] cosigns ([`cosignature`]).

pub mod cosignature;
pub mod leaf;
pub mod sequencer;
pub mod signer;
pub mod tree;
pub mod witness;

use std::collections::{BTreeMap, HashMap};

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::{
    office::OfficeCode,
    policy::Category,
    server::db::{BeginWrite, CitizenId, Database, DatabaseError, LogEntryId, MixedId, Office, StaffId, Tables, Timestamp, on_backend},
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
    pub staff: StaffId,
    pub office: OfficeCode,
    pub citizen: CitizenId,
    pub categories: Vec<Category>,
    pub purpose: String,
    pub basis: LogBasis,
    /// The id of what `basis` names (an application, a consent, an emergency access).
    pub basis_ref: Option<MixedId>,
}

struct Sealed {
    seq: i64,
    id: LogEntryId,
    occurred_at: Timestamp,
    prev_hash: String,
    entry_hash: String,
    categories: Vec<String>,
    /// The entry's leaf in the Merkle tree (see [`leaf`]).
    leaf: String,
}

#[allow(clippy::too_many_arguments, reason = "every field of an entry goes into its hash")]
fn entry_hash(
    key: &LogKey,
    seq: i64,
    id: LogEntryId,
    occurred_at: Timestamp,
    staff: StaffId,
    office: &str,
    citizen: CitizenId,
    categories: &[String],
    purpose: &str,
    basis: &str,
    basis_ref: Option<MixedId>,
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

/// The MAC of a lane's head from before sealed lane starts (a lane not appended to since).
fn head_mac_v2(key: &LogKey, lane: i64, seq: i64, entry_hash: &str, opened: i64) -> String {
    key.mac(&[
        b"head v2",
        lane.to_string().as_bytes(),
        seq.to_string().as_bytes(),
        entry_hash.as_bytes(),
        opened.to_string().as_bytes(),
    ])
}

/// The MAC of lane `lane`'s head: its newest entry (its start, at seq 0), and the lanes with
/// entries (`opened`, a bit per lane, lane 1 the lowest). A version of its own, apart from v2:
/// a head under it shows that the lanes' starts were sealed, so `seal_new_lanes` never seals
/// again (see there).
#[doc(hidden)]
pub fn head_mac(key: &LogKey, lane: i64, seq: i64, entry_hash: &str, opened: i64) -> String {
    key.mac(&[
        b"head v3",
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

/// The lanes whose heads name an entry.
fn opened_lanes(heads: &[HeadRow]) -> i64 {
    heads.iter().filter(|(_, seq, ..)| *seq > 0).fold(0, |set, (lane, ..)| set | lane_bit(*lane))
}

/// Whether a head's MAC holds, and the lanes it saw with entries still have them (`opened_now`).
/// Whether it names its lane's last entry is for the caller to check.
fn head_holds(key: &LogKey, head: &HeadRow, opened_now: i64) -> bool {
    let (lane, seq, hash, mac, witnessed) = head;
    if *seq == 0 {
        // A lane before its first entry: its sealed start. Without the MAC it is a lane emptied
        // and set back, whether or not another head saw it open.
        return *hash == genesis(*lane) && *witnessed == 0 && *mac == head_mac(key, *lane, 0, hash, 0);
    }
    // A head names its lane among those with entries, and witnesses only lanes that have them.
    let witnesses = *witnessed & lane_bit(*lane) != 0 && *witnessed & !opened_now == 0;
    let current = head_mac(key, *lane, *seq, hash, *witnessed);
    let before_sealed_starts = head_mac_v2(key, *lane, *seq, hash, *witnessed);
    let before_lanes = *lane == 1 && *witnessed == 0 && *mac == head_mac_v1(key, *seq, hash);
    (witnesses && (*mac == current || *mac == before_sealed_starts)) || before_lanes
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
    /// The chain breaks at this entry: the entry before it (or, in a citizen's check, after it)
    /// in its lane is missing, or entries were reordered.
    Broken { seq: i64 },
    /// A head does not name its lane's last entry, or its MAC is wrong: the end was cut off, or
    /// a lane was set back to its start.
    Head,
}

/// What a check of one citizen's entries found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CitizenVerification {
    /// How many of the citizen's entries were checked: the newest, at most
    /// [`CITIZEN_CHECK_LIMIT`].
    pub entries: i64,
    /// The citizen has more entries than that; the older ones only the whole-log check covers.
    pub capped: bool,
    /// `None` when nothing was found; else the first problem found.
    pub problem: Option<Problem>,
}

/// The most entries of one citizen a citizen's check covers, the newest: as many as their
/// access-log page shows (and what the page's texts say, "1.000"). It bounds what one click costs.
pub const CITIZEN_CHECK_LIMIT: i64 = 1_000;

/// The condition under which the citizen sees the entry `l` at the time `$2`: every entry but
/// what a recorded deferral holds back until its date. Their page and their check share it, so
/// the check covers what the page shows, and a deferred entry shows in neither.
macro_rules! shown_to_citizen {
    () => {
        "NOT EXISTS (SELECT 1 FROM access_log_deferrals d \
         WHERE (d.access_log_seq = l.seq OR (l.basis = 'emergency' AND d.emergency_access_id = l.basis_ref)) \
         AND d.visible_from > $2)"
    };
}
pub(crate) use shown_to_citizen;

/// The columns of an entry, as [`Stored`] reads them.
macro_rules! entry_columns {
    () => {
        "lane, seq, id, occurred_at, staff_id, office_code, citizen_id, categories, purpose, basis, basis_ref, \
         prev_hash, entry_hash"
    };
}

/// One citizen's newest entries the citizen sees ($1 the citizen, $2 now, $3 how many), part 0;
/// the entry before each in its lane, part 1 (`entry_hash` and `prev_hash` are unique, so each
/// is one look-up in an index); the entry after each, part 2; and the entries the heads name
/// ($4–$19, one per lane, 0 for none), part 3. Rows may come more than once.
const CITIZEN_ENTRIES: &str = concat!(
    "WITH mine AS (SELECT l.lane, l.seq, l.id, l.occurred_at, l.staff_id, l.office_code, l.citizen_id, l.categories, \
     l.purpose, l.basis, l.basis_ref, l.prev_hash, l.entry_hash FROM access_log l WHERE l.citizen_id = $1 AND ",
    shown_to_citizen!(),
    " ORDER BY l.seq DESC LIMIT $3) \
     SELECT CAST(0 AS BIGINT) AS part, ",
    entry_columns!(),
    " FROM mine UNION ALL SELECT CAST(1 AS BIGINT), ",
    entry_columns!(),
    " FROM access_log WHERE entry_hash IN (SELECT prev_hash FROM mine) UNION ALL SELECT CAST(2 AS BIGINT), ",
    entry_columns!(),
    " FROM access_log WHERE prev_hash IN (SELECT entry_hash FROM mine) UNION ALL SELECT CAST(3 AS BIGINT), ",
    entry_columns!(),
    " FROM access_log WHERE seq IN ($4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
);

/// A row of [`CITIZEN_ENTRIES`]: the part, then the entry.
#[derive(sqlx::FromRow)]
struct PartRow {
    part: i64,
    #[sqlx(flatten)]
    entry: Stored,
}

/// An entry as stored (the columns of `entry_columns!`).
#[derive(Clone, sqlx::FromRow)]
struct Stored {
    lane: i64,
    seq: i64,
    id: LogEntryId,
    occurred_at: Timestamp,
    #[sqlx(rename = "staff_id")]
    staff: StaffId,
    #[sqlx(rename = "office_code")]
    office: String,
    #[sqlx(rename = "citizen_id")]
    citizen: CitizenId,
    #[sqlx(json)]
    categories: Vec<String>,
    purpose: String,
    basis: String,
    basis_ref: Option<MixedId>,
    prev_hash: String,
    entry_hash: String,
}

impl Stored {
    /// Whether its stored hash is the hash of its content.
    fn sealed(&self, key: &LogKey) -> bool {
        entry_hash(
            key,
            self.seq,
            self.id,
            self.occurred_at,
            self.staff,
            &self.office,
            self.citizen,
            &self.categories,
            &self.purpose,
            &self.basis,
            self.basis_ref,
            &self.prev_hash,
        ) == self.entry_hash
    }
}

/// One citizen's entries with their neighbours and the heads' entries, as loaded.
#[derive(Default)]
struct Neighbourhood {
    /// The citizen's entries, oldest first.
    mine: Vec<Stored>,
    /// Every entry loaded (the citizen's too), by its hash, by the hash it follows and by seq.
    by_hash: HashMap<String, Stored>,
    by_prev_hash: HashMap<String, Stored>,
    by_seq: HashMap<i64, Stored>,
}

impl Neighbourhood {
    fn of(rows: Vec<PartRow>) -> Self {
        let mut this = Self::default();
        for PartRow { part, entry: stored } in rows {
            if part == 0 {
                this.mine.push(stored.clone());
            }
            // `entry_hash`, `prev_hash` and `seq` are unique: a row that comes twice is the same.
            this.by_hash.insert(stored.entry_hash.clone(), stored.clone());
            this.by_prev_hash.insert(stored.prev_hash.clone(), stored.clone());
            this.by_seq.insert(stored.seq, stored);
        }
        this.mine.sort_by_key(|entry| entry.seq);
        this
    }
}

impl Verification {
    pub fn is_intact(&self) -> bool {
        self.problem.is_none()
    }
}

#[derive(Clone)]
pub struct AccessLog {
    database: Tables<Office>,
    key: LogKey,
}

impl AccessLog {
    pub fn new(database: Database, key: LogKey) -> Self {
        Self { database: database.office(), key }
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
            let rows: Vec<Stored> = on_backend!(self.database, pool => sqlx::query_as(concat!(
                "SELECT ",
                entry_columns!(),
                " FROM access_log WHERE seq > $1 AND seq <= $3 ORDER BY seq LIMIT $2"
            ))
            .bind(after)
            .bind(VERIFY_BATCH)
            .bind(last)
            .fetch_all(pool)
            .await)?;
            let batch_len = rows.len();
            for stored in rows {
                let (lane, seq) = (stored.lane, stored.seq);
                after = seq;
                let Some(chain) = lanes.get_mut(&lane) else {
                    return Ok(Verification { entries, problem: Some(Problem::Broken { seq }) });
                };
                if seq > chain.head_seq {
                    // Appended after the heads were read, or added without the secret: below.
                    beyond += 1;
                    continue;
                }
                if stored.prev_hash != chain.hash {
                    return Ok(Verification { entries, problem: Some(Problem::Broken { seq }) });
                }
                if !stored.sealed(&self.key) {
                    return Ok(Verification { entries, problem: Some(Problem::Altered { seq }) });
                }
                chain.hash = stored.entry_hash;
                chain.seq = seq;
                entries += 1;
            }
            if batch_len < VERIFY_BATCH as usize {
                break;
            }
        }
        let every_lane = (1..=LANES).eq(heads.iter().map(|(lane, ..)| *lane));
        let opened = opened_lanes(&heads);
        // Each head names its lane's last entry (a lane without entries: its start, where the
        // chain was left), under a MAC that holds.
        let heads_fit = every_lane
            && heads.iter().all(|head| {
                let (lane, seq, hash, ..) = head;
                let Some(chain) = lanes.get(lane) else { return false };
                chain.seq == *seq && chain.hash == *hash && head_holds(&self.key, head, opened)
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

    /// Checks one citizen's newest entries, up to [`CITIZEN_CHECK_LIMIT`], the ones their page
    /// shows: each entry's hash against its content; that the entry before it in its lane
    /// exists and is the one it names (`prev_hash`), and the entry after it too, unless it is
    /// its lane's newest; and every lane's head, its MAC and the entry it names. Some hundred
    /// look-ups by index for a citizen with many entries, however long the log is.
    ///
    /// An entry deleted elsewhere in the log, the citizen's own among them when no entry of
    /// theirs stood next to it, only `verify` finds.
    pub async fn verify_citizen(&self, citizen: CitizenId) -> Result<CitizenVerification, DatabaseError> {
        let key = &self.key;
        let heads = self.heads().await?;
        let mut named = [0_i64; LANES as usize];
        for (slot, (_, seq, ..)) in named.iter_mut().zip(&heads) {
            *slot = *seq;
        }
        // One more than the limit, to know whether there are more.
        let rows: Vec<PartRow> = on_backend!(self.database, pool => {
            let mut query = sqlx::query_as::<_, PartRow>(CITIZEN_ENTRIES)
                .bind(citizen)
                .bind(Timestamp::now())
                .bind(CITIZEN_CHECK_LIMIT + 1);
            for seq in named {
                query = query.bind(seq);
            }
            query.fetch_all(pool).await
        })?;
        let mut loaded = Neighbourhood::of(rows);
        let older = loaded.mine.len().saturating_sub(usize::try_from(CITIZEN_CHECK_LIMIT).unwrap_or(usize::MAX));
        // The oldest beyond the limit go: the check covers the newest, as the page shows them.
        loaded.mine = loaded.mine.split_off(older);
        let capped = older > 0;
        let (entries, beyond, mut problem) = citizen_problem(key, &heads, &loaded);
        // Entries beyond their lane's head are fine only if the heads have moved on since
        // (appends while checking); past unmoved heads they were added without the secret.
        if problem.is_none() && beyond > 0 && self.heads().await? == heads {
            problem = Some(Problem::Head);
        }
        Ok(CitizenVerification { entries, capped, problem })
    }

    /// Seals the start of each lane that never had an entry (a head at seq 0 under its MAC),
    /// so that a lane emptied and set back to its start is found without any other head.
    /// Run at start-up, after the migrations, which create the lanes' heads without MACs (they
    /// have no key). Answers how many it sealed.
    ///
    /// Only once: when no head carries a MAC of the current version yet (a new log, or one
    /// written before lane starts were sealed). After that an unsealed start is a lane set
    /// back, which the checks report, and sealing it would hide it. To make this seal again,
    /// someone would have to remove every current MAC, that is, delete every lane's entries
    /// written since: the whole log set back, which nothing in the database can show.
    pub async fn seal_new_lanes(&self) -> Result<u64, DatabaseError> {
        let key = &self.key;
        let heads = self.heads().await?;
        if heads.iter().any(|(lane, seq, hash, mac, opened)| *mac == head_mac(key, *lane, *seq, hash, *opened)) {
            return Ok(0);
        }
        // A log from before sealed starts: a lane its heads saw with entries that is at its
        // start now was set back, and stays unsealed for the checks to report. (`!0`: a head
        // counts as a witness here even though a lane it saw has no entries any more.)
        let seen_opened = heads
            .iter()
            .filter(|head| head.1 > 0 && head_holds(key, head, !0))
            .fold(0, |set, (.., opened)| set | *opened);
        let mut sealed = 0;
        on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            for (lane, seq, hash, mac, opened) in &heads {
                let untouched_start = *seq == 0 && mac.is_empty() && *hash == genesis(*lane) && *opened == 0;
                if !untouched_start || seen_opened & lane_bit(*lane) != 0 {
                    continue;
                }
                sealed += sqlx::query("UPDATE access_log_lanes SET mac = $1 WHERE lane = $2 AND seq = 0 AND mac = ''")
                    .bind(head_mac(key, *lane, 0, hash, 0))
                    .bind(*lane)
                    .execute(&mut *transaction)
                    .await?
                    .rows_affected();
            }
            transaction.commit().await
        })?;
        Ok(sealed)
    }
}

/// What a citizen's check finds in what `verify_citizen` loaded: how many of the citizen's
/// entries it checked, how many lay beyond their lane's head (appended after the heads were
/// read, or forged), and the first problem: the citizen's entries first, oldest first, then
/// the heads.
fn citizen_problem(key: &LogKey, heads: &[HeadRow], loaded: &Neighbourhood) -> (i64, i64, Option<Problem>) {
    let head_of: BTreeMap<i64, i64> = heads.iter().map(|(lane, seq, ..)| (*lane, *seq)).collect();
    let (mut entries, mut beyond) = (0_i64, 0_i64);
    for entry in &loaded.mine {
        let seq = entry.seq;
        let Some(head_seq) = head_of.get(&entry.lane).copied() else {
            return (entries, beyond, Some(Problem::Broken { seq }));
        };
        if seq > head_seq {
            beyond += 1;
            continue;
        }
        if !entry.sealed(key) {
            return (entries, beyond, Some(Problem::Altered { seq }));
        }
        // The entry before it: the one it names, earlier in the same lane (the lane's first
        // names the lane's start).
        if entry.prev_hash != genesis(entry.lane) {
            match loaded.by_hash.get(&entry.prev_hash) {
                Some(before) if before.lane == entry.lane && before.seq < seq => {
                    if !before.sealed(key) {
                        return (entries, beyond, Some(Problem::Altered { seq: before.seq }));
                    }
                }
                _ => return (entries, beyond, Some(Problem::Broken { seq })),
            }
        }
        // The entry after it, unless it is its lane's newest (which the head names, below).
        if seq < head_seq {
            match loaded.by_prev_hash.get(&entry.entry_hash) {
                Some(after) if after.lane == entry.lane && after.seq > seq => {
                    if !after.sealed(key) {
                        return (entries, beyond, Some(Problem::Altered { seq: after.seq }));
                    }
                }
                _ => return (entries, beyond, Some(Problem::Broken { seq })),
            }
        }
        entries += 1;
    }
    // Each head under a MAC that holds, naming a whole entry of its lane. (That no entry follows
    // it, only the whole-log check sees; this citizen's entries beyond it are counted above.)
    let every_lane = (1..=LANES).eq(heads.iter().map(|(lane, ..)| *lane));
    let opened = opened_lanes(heads);
    let heads_fit = every_lane
        && heads.iter().all(|head| {
            let (lane, seq, hash, ..) = head;
            let whole = |named: &Stored| named.lane == *lane && named.entry_hash == *hash && named.sealed(key);
            (*seq == 0 || loaded.by_seq.get(seq).is_some_and(whole)) && head_holds(key, head, opened)
        });
    (entries, beyond, (!heads_fit).then_some(Problem::Head))
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
/// head's MAC, $15 the opened lanes, $16 the entry's leaf.
#[doc(hidden)]
pub const INSERT_ENTRY_AND_HEAD: &str = "WITH entry AS (INSERT INTO access_log (lane, seq, id, occurred_at, staff_id, office_code, \
     citizen_id, categories, purpose, basis, basis_ref, prev_hash, entry_hash, leaf) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $16) RETURNING lane, entry_hash) \
     UPDATE access_log_lanes SET entry_hash = (SELECT entry_hash FROM entry), mac = $14, opened = $15 \
     WHERE lane = (SELECT lane FROM entry)";
#[doc(hidden)]
pub const INSERT_ENTRY_THEN_HEAD: &str = "INSERT INTO access_log (lane, seq, id, occurred_at, staff_id, office_code, citizen_id, \
     categories, purpose, basis, basis_ref, prev_hash, entry_hash, leaf) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $16); \
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
            let sealed = log::seal(key, entry, seq, prev_hash).map_err(|error| sqlx::Error::Protocol(error.to_string()))?;
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
                .bind(sealed.leaf())
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
    pub fn id(&self) -> LogEntryId {
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
    pub fn leaf(&self) -> &str {
        &self.0.leaf
    }
}

/// Gives `entry` its place `seq` after `prev_hash`, its hash, and its leaf with a new salt.
/// Counted for the operators' metrics as an append (an entry whose transaction then rolls back
/// is counted too).
pub fn seal(key: &LogKey, entry: &NewEntry, seq: i64, prev_hash: String) -> Result<SealedEntry, getrandom::Error> {
    metrics::counter!("klarsicht_access_log_appends_total", "basis" => entry.basis.as_str()).increment(1);
    let id = LogEntryId::new();
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
        entry.office.as_str(),
        entry.citizen,
        &categories,
        &entry.purpose,
        entry.basis.as_str(),
        entry.basis_ref,
        &prev_hash,
    );
    let leaf = leaf::Leaf::of(
        id,
        occurred_at,
        entry.office.as_str(),
        entry.citizen,
        categories.clone(),
        &entry.purpose,
        entry.basis.as_str(),
        entry.basis_ref,
        leaf::salt()?,
    )
    .to_bytes();
    Ok(SealedEntry(Sealed { seq, id, occurred_at, prev_hash, entry_hash, categories, leaf }))
}
