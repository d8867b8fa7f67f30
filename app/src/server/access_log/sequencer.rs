//! The sequencer: places committed entries into the Merkle tree in batches and signs a
//! checkpoint for each batch; and what anyone may read of the tree (the newest checkpoint,
//! the hash tiles), and the operator's check that recomputes it all.
//!
//! An entry is written in the transaction of the read it records, with its leaf, but without a
//! place in the tree: readers never wait for one another at the tree. The sequencer takes the
//! waiting entries (oldest first, up to [`BATCH`]), appends their leaves' hashes to the tiles,
//! and writes the entries' places, the tiles and the new checkpoint in one transaction. On
//! PostgreSQL, instances that share the database take turns by an advisory lock; SQLite writes
//! one transaction at a time anyway.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::{Arc, Mutex},
    time::Duration,
};

use hashlink::LruCache;
use signed_note::Note;
use sqlx::types::Json;
use tlog_tiles::{
    Checkpoint, Hash, HashReader, check_record, check_tree, prove_record, prove_tree, record_hash, stored_hash_index,
    tree_hash,
};

use super::{
    is_postgres,
    leaf::{Leaf, salt},
    signer::LogSigner,
    tree::{ProofTiles, TILE_WIDTH, TileHashes, TileId, TileNodes, edge, tiles_needed, width_in},
    witness::{Cosigning, WitnessClient, checkpoint_text, signed_by},
};
use crate::log_proof::{EntryProof, LogProofs, SealedProof};
use crate::server::db::{BeginWrite, CitizenId, Database, DatabaseError, LogEntryId, MixedId, Office, Tables, Timestamp, on_backend};

/// Reads the stored tiles among `$ids` (`&[TileId]`) on `$connection`, for either backend;
/// those not stored yet are missing from the answer. Evaluates to
/// `Result<TileHashes, sqlx::Error>`. The places go as one JSON text, so it is one statement
/// (prepared once) for any number of tiles.
macro_rules! load_tiles {
    ($connection:expr, $ids:expr) => {
        async {
            let ids: &[TileId] = $ids;
            if ids.is_empty() {
                return Ok::<TileHashes, sqlx::Error>(TileHashes::default());
            }
            let connection = $connection;
            let places: Vec<(i64, i64)> =
                ids.iter().map(|(level, index)| (i64::from(*level), i64::try_from(*index).unwrap_or(i64::MAX))).collect();
            let rows = sqlx::query_as::<_, (i64, i64, Vec<u8>)>(tiles_statement(&connection))
                .bind(Json(places))
                .fetch_all(connection)
                .await?;
            Ok(TileHashes(
                rows.into_iter()
                    .filter_map(|(level, index, hashes)| Some(((u8::try_from(level).ok()?, u64::try_from(index).ok()?), hashes)))
                    .collect(),
            ))
        }
        .await
    };
}

/// The statement of [`load_tiles`] for the backend of `executor`: $1 the places as a JSON array
/// of `[level, index]`.
fn tiles_statement<'c, E: sqlx::Executor<'c>>(_executor: &E) -> &'static str {
    if <E::Database as sqlx::Database>::NAME == "PostgreSQL" {
        "SELECT t.level, t.idx, t.hashes FROM jsonb_array_elements(CAST($1 AS JSONB)) AS place \
         JOIN access_log_tiles t ON t.level = (place ->> 0)::BIGINT AND t.idx = (place ->> 1)::BIGINT"
    } else {
        "SELECT t.level, t.idx, t.hashes FROM json_each($1) AS place \
         JOIN access_log_tiles t ON t.level = place.value ->> '$[0]' AND t.idx = place.value ->> '$[1]'"
    }
}

/// Entries placed per transaction, at most.
pub const BATCH: i64 = 4_096;
/// How long the sequencer rests after a batch that was not full. An entry waits at most about
/// this long, plus one batch, before a checkpoint includes it; under steady load this is about
/// two checkpoints a second.
pub const REST: Duration = Duration::from_millis(500);
/// The advisory lock the instances on one PostgreSQL take turns by ("klarsicht log", in ASCII).
const SEQUENCER_LOCK: i64 = 0x6b6c_6172_736c_6f67;
/// Leaves checked per round trip by [`Sequencer::verify`].
const VERIFY_BATCH: i64 = 8_192;

/// An entry waiting for its place: its leaf, or the columns to make one from (an entry from
/// before the tree).
#[derive(sqlx::FromRow)]
struct Waiting {
    seq: i64,
    id: LogEntryId,
    occurred_at: Timestamp,
    office_code: String,
    citizen_id: CitizenId,
    categories: Json<Vec<String>>,
    purpose: String,
    basis: String,
    basis_ref: Option<MixedId>,
    leaf: Option<String>,
}

impl Waiting {
    /// The leaf this entry's columns say, with `salt`.
    fn leaf_of_columns(&self, salt: String) -> Leaf {
        Leaf::of(
            self.id,
            self.occurred_at,
            &self.office_code,
            self.citizen_id,
            self.categories.0.clone(),
            &self.purpose,
            &self.basis,
            self.basis_ref,
            salt,
        )
    }
}

/// An entry's place in the tree, as the sequencer writes it.
#[derive(serde::Serialize)]
struct Placed {
    seq: i64,
    leaf_index: i64,
    leaf: String,
}

/// What a check of the tree found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeVerification {
    /// Leaves recomputed.
    pub leaves: u64,
    /// Checkpoints checked (each signature, and its root against the recomputed tree).
    pub checkpoints: u64,
    /// The witness's cosignatures checked (when a witness is set).
    pub cosignatures: u64,
    /// `None` when everything holds; else the first problem found.
    pub problem: Option<TreeProblem>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TreeProblem {
    /// No entry holds this leaf index though later ones do: an entry was removed.
    Missing { index: u64 },
    /// The entry at this leaf index says something else than its leaf, or its leaf is no leaf.
    Altered { index: u64 },
    /// The checkpoint of this size names another root than its leaves give: leaves were
    /// changed, removed or added since it was signed.
    Root { size: u64 },
    /// The checkpoint of this size is not signed by the portal's key, or its text is not what
    /// was stored with it.
    Signature { size: u64 },
    /// A checkpoint is larger than the tree: entries it covered are gone.
    Behind { size: u64, leaves: u64 },
    /// A stored tile is not what the leaves give.
    Tile { level: u8, index: u64 },
    /// The witness's cosignature stored for the checkpoint of this size is not its key's over
    /// that checkpoint.
    Cosignature { size: u64 },
    /// The witness cosigned a tree of `witnessed` leaves, the log holds `size`: it was set back
    /// to an older state (a restore from a backup, or an attack), and no operator has declared
    /// the gap. The tree itself cannot show this: an older state is a whole tree.
    SetBack { witnessed: u64, size: u64 },
}

/// The log is behind its witness: the witness cosigned a tree of `witnessed` leaves, the log's
/// newest checkpoint has `restored`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gap {
    pub witnessed: u64,
    pub restored: u64,
}

impl Gap {
    /// The gap of a row of `access_log_gaps`: its witnessed and its restored size.
    pub fn from_row((witnessed, restored): (i64, i64)) -> Self {
        Self { witnessed: u64::try_from(witnessed).unwrap_or(0), restored: u64::try_from(restored).unwrap_or(0) }
    }

    /// How many entries the log is behind.
    pub fn entries(self) -> u64 {
        self.witnessed.saturating_sub(self.restored)
    }
}

/// How long the sequencer waits before it asks a witness again that did not answer.
const WITNESS_RETRY: Duration = Duration::from_secs(5);

/// How many tiles proofs keep in memory: about 16 KB each with their nodes, so 64 MB at most.
/// The tiles above the leaves' are few (at 30,000,000 entries 461) and in every proof; the
/// rest are those of the leaves proved last, which citizens' newest entries share.
const KEPT_TILES: usize = 4_096;

/// Tiles with their nodes, the least recently used forgotten first. A tile only ever grows at
/// its end, so a kept tile answers for every tree that gives it no more hashes than it holds;
/// only a tree set back to a backup and grown anew can make one wrong, which the check of
/// every proof finds ([`Sequencer::proofs`]).
struct KeptTiles(Mutex<LruCache<TileId, Arc<TileNodes>>>);

impl KeptTiles {
    fn get(&self, tile: TileId) -> Option<Arc<TileNodes>> {
        self.0.lock().ok()?.get(&tile).cloned()
    }

    fn keep(&self, tile: TileId, nodes: Arc<TileNodes>) {
        if let Ok(mut kept) = self.0.lock() {
            kept.insert(tile, nodes);
        }
    }

    fn forget_all(&self) {
        if let Ok(mut kept) = self.0.lock() {
            kept.clear();
        }
    }
}

/// The proofs of one answer in the tree of `size` leaves: each leaf's inclusion proof, in the
/// leaves' order, and the consistency proof from each older tree size.
struct Proved {
    size: u64,
    inclusion: Vec<Vec<Hash>>,
    consistency: BTreeMap<u64, Vec<Hash>>,
}

impl Proved {
    /// The proofs in the tree of `size` for the `placed` leaves and from the `older` sizes.
    fn of(
        tiles: &ProofTiles,
        size: u64,
        placed: &[(String, u64)],
        older: &BTreeMap<u64, Option<Hash>>,
    ) -> Result<Self, tlog_tiles::Error> {
        Ok(Self {
            size,
            inclusion: placed.iter().map(|(_, index)| prove_record(size, *index, tiles)).collect::<Result<_, _>>()?,
            consistency: older
                .keys()
                .map(|old| Ok::<_, tlog_tiles::Error>((*old, prove_tree(size, *old, tiles)?)))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Whether the `tiles` the proofs came from are those of the tree of `root`: each leaf's hash
    /// as the tiles hold it (else as its bytes give it) is in that tree, and each older tree
    /// whose root is known is in it. Whether a leaf says what the page shows is the browser's
    /// to check, so an entry altered in the database does not count against the tiles.
    fn holds(
        &self,
        tiles: &ProofTiles,
        root: Hash,
        placed: &[(String, u64)],
        older: &BTreeMap<u64, Option<Hash>>,
    ) -> bool {
        let size = self.size;
        let leaf_hash = |leaf: &str, index: u64| {
            let held = tiles.read_hashes(&[stored_hash_index(0, index)]).ok().and_then(|hashes| hashes.first().copied());
            held.unwrap_or_else(|| record_hash(leaf.as_bytes()))
        };
        placed
            .iter()
            .zip(&self.inclusion)
            .all(|((leaf, index), proof)| check_record(proof, size, root, *index, leaf_hash(leaf, *index)).is_ok())
            && older.iter().all(|(old, old_root)| match (old_root, self.consistency.get(old)) {
                (Some(old_root), Some(proof)) => check_tree(proof, size, root, *old, *old_root).is_ok(),
                _ => true,
            })
    }
}

/// The sequencer and the tree's public reads.
#[derive(Clone)]
pub struct Sequencer {
    database: Tables<Office>,
    signer: LogSigner,
    witness: Option<WitnessClient>,
    kept: Arc<KeptTiles>,
}

impl Sequencer {
    pub fn new(database: &Database, signer: LogSigner, witness: Option<WitnessClient>) -> Self {
        let kept = Arc::new(KeptTiles(Mutex::new(LruCache::new(KEPT_TILES))));
        Self { database: database.office(), signer, witness, kept }
    }

    /// The verifier key of the checkpoints' signatures (C2SP signed-note).
    pub fn verifier_key(&self) -> String {
        self.signer.verifier_key()
    }

    /// Places up to [`BATCH`] waiting entries and signs the checkpoint of the grown tree (of the
    /// empty tree, the first time). Answers the new tree size and how many it placed, or `None`
    /// when nothing waited (or another instance is at it).
    pub async fn integrate(&self) -> Result<Option<(u64, usize)>, DatabaseError> {
        // A look without a transaction first: most rounds find nothing, and on SQLite a write
        // transaction would hold the only writer.
        let work: bool = on_backend!(self.database, pool => sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM access_log WHERE leaf_index IS NULL) \
             OR NOT EXISTS (SELECT 1 FROM access_log_checkpoints)",
        )
        .fetch_one(pool)
        .await)?;
        if !work {
            return Ok(None);
        }
        let signer = &self.signer;
        let placed = on_backend!(self.database, pool => {
            let mut transaction = pool.begin_write().await?;
            if is_postgres(&*transaction) {
                let ours: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
                    .bind(SEQUENCER_LOCK)
                    .fetch_one(&mut *transaction)
                    .await?;
                if !ours {
                    return Ok(None);
                }
            }
            let newest: Option<(i64, String)> =
                sqlx::query_as("SELECT tree_size, root_hash FROM access_log_checkpoints ORDER BY tree_size DESC LIMIT 1")
                    .fetch_optional(&mut *transaction)
                    .await?;
            let waiting: Vec<Waiting> = sqlx::query_as(
                "SELECT seq, id, occurred_at, office_code, citizen_id, categories, purpose, basis, basis_ref, leaf \
                 FROM access_log WHERE leaf_index IS NULL ORDER BY seq LIMIT $1",
            )
            .bind(BATCH)
            .fetch_all(&mut *transaction)
            .await?;
            // Nothing to place, unless the log has no checkpoint yet: then the empty tree's.
            if waiting.is_empty() && newest.is_some() {
                return Ok(None);
            }
            let size = newest.as_ref().map_or(0, |(size, _)| u64::try_from(*size).unwrap_or(0));
            let mut tiles = load_tiles!(&mut *transaction, &edge(size))?;
            // The stored edge must give the signed root: the tree is only ever extended.
            if let Some((_, root)) = &newest {
                let stored = tree_hash(size, &tiles).map(|hash| hash.to_string()).unwrap_or_default();
                if stored != *root {
                    return Err(sqlx::Error::Protocol(format!(
                        "the access log's tiles do not give the root of its newest checkpoint (size {size}): run `server verify-access-log`"
                    ))
                    .into());
                }
            }
            let mut changed = BTreeSet::new();
            let mut placed = Vec::with_capacity(waiting.len());
            for (entry, index) in waiting.into_iter().zip(size..) {
                let leaf = match &entry.leaf {
                    Some(leaf) => leaf.clone(),
                    None => entry.leaf_of_columns(salt().map_err(|error| sqlx::Error::Protocol(error.to_string()))?).to_bytes(),
                };
                tiles.append(index, record_hash(leaf.as_bytes()), &mut changed);
                placed.push(Placed { seq: entry.seq, leaf_index: i64::try_from(index).unwrap_or(i64::MAX), leaf });
            }
            let count = placed.len();
            let new_size = size + count as u64;
            let root = tree_hash(new_size, &tiles).map_err(|error| sqlx::Error::Protocol(error.to_string()))?;
            let note = sign_checkpoint(signer, new_size, root).map_err(sqlx::Error::Protocol)?;
            // The places as JSON, one text for a batch on both backends.
            let place = if is_postgres(&*transaction) {
                "UPDATE access_log SET leaf = placed.leaf, leaf_index = placed.leaf_index \
                 FROM jsonb_to_recordset(CAST($1 AS JSONB)) AS placed (seq BIGINT, leaf_index BIGINT, leaf TEXT) \
                 WHERE access_log.seq = placed.seq"
            } else {
                "UPDATE access_log SET leaf = placed.value ->> '$.leaf', leaf_index = placed.value ->> '$.leaf_index' \
                 FROM json_each($1) AS placed WHERE access_log.seq = placed.value ->> '$.seq'"
            };
            sqlx::query(place).bind(Json(placed)).execute(&mut *transaction).await?;
            for id in &changed {
                let Some(hashes) = tiles.0.get(id) else { continue };
                sqlx::query(
                    "INSERT INTO access_log_tiles (level, idx, hashes) VALUES ($1, $2, $3) \
                     ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes",
                )
                .bind(i64::from(id.0))
                .bind(i64::try_from(id.1).unwrap_or(i64::MAX))
                .bind(hashes)
                .execute(&mut *transaction)
                .await?;
            }
            sqlx::query("INSERT INTO access_log_checkpoints (tree_size, root_hash, signed_at, note) VALUES ($1, $2, $3, $4)")
                .bind(i64::try_from(new_size).unwrap_or(i64::MAX))
                .bind(root.to_string())
                .bind(Timestamp::now())
                .bind(&note)
                .execute(&mut *transaction)
                .await?;
            transaction.commit().await?;
            Ok::<_, sqlx::Error>(Some((new_size, count)))
        })?;
        if let Some((_, count)) = placed {
            metrics::counter!("klarsicht_access_log_placed_total").increment(count as u64);
        }
        Ok(placed)
    }

    /// Places entries for as long as the process runs, and has the witness cosign the newest
    /// checkpoint, side by side, so a slow witness never holds up placing. A failed round is
    /// logged and tried again.
    pub async fn run(self) {
        tokio::join!(self.place_forever(), self.witness_forever());
    }

    /// Places waiting entries: at once again while batches come full, else after [`REST`].
    async fn place_forever(&self) {
        loop {
            let full = match self.integrate().await {
                Ok(placed) => placed.is_some_and(|(_, count)| count == BATCH as usize),
                Err(error) => {
                    tracing::error!(%error, "the sequencer could not place the access log's new entries");
                    false
                }
            };
            if !full {
                tokio::time::sleep(REST).await;
            }
        }
    }

    /// Has the witness cosign each newest checkpoint; after a failure, again after
    /// [`WITNESS_RETRY`].
    async fn witness_forever(&self) {
        if self.witness.is_none() {
            return;
        }
        loop {
            let pause = match self.witness().await {
                Ok(true) => REST,
                Ok(false) => WITNESS_RETRY,
                Err(error) => {
                    tracing::error!(%error, "the sequencer could not read what to send the witness");
                    WITNESS_RETRY
                }
            };
            tokio::time::sleep(pause).await;
        }
    }

    /// Has the witness cosign the newest checkpoint, if it has not yet. Answers whether the
    /// newest checkpoint is cosigned now (or no witness is set); a witness that did not answer
    /// or refused is logged, and one that cosigned more of the log than it holds is recorded as
    /// a gap ([`Sequencer::gap`]).
    pub async fn witness(&self) -> Result<bool, DatabaseError> {
        self.ask_witness(false).await
    }

    /// Asks the witness at start-up, even when the newest checkpoint is cosigned already: a log
    /// restored from a backup holds its cosignatures too, and only the witness knows it had
    /// cosigned more. Answers as [`Sequencer::witness`] does.
    pub async fn probe_witness(&self) -> Result<bool, DatabaseError> {
        self.ask_witness(true).await
    }

    async fn ask_witness(&self, probe: bool) -> Result<bool, DatabaseError> {
        let Some(witness) = &self.witness else { return Ok(true) };
        let (newest, cosigned): (Option<(i64, String)>, Option<i64>) = on_backend!(self.database, pool => {
            let newest = sqlx::query_as("SELECT tree_size, note FROM access_log_checkpoints ORDER BY tree_size DESC LIMIT 1")
                .fetch_optional(pool)
                .await?;
            let cosigned = sqlx::query_scalar("SELECT MAX(tree_size) FROM access_log_cosignatures WHERE witness = $1 AND signature <> ''")
                .bind(witness.name())
                .fetch_one(pool)
                .await?;
            Ok::<_, sqlx::Error>((newest, cosigned))
        })?;
        let Some((size, note)) = newest else { return Ok(true) };
        if cosigned == Some(size) && !probe {
            return Ok(true);
        }
        let size = u64::try_from(size).unwrap_or(0);
        let mut old = cosigned.and_then(|old| u64::try_from(old).ok()).unwrap_or(0);
        // Once from where the portal thinks the witness is, and once more from where it says.
        for attempt in 0..2 {
            if old > size {
                // Another instance may have had a newer checkpoint cosigned meanwhile.
                let newest: Option<i64> = on_backend!(self.database, pool => sqlx::query_scalar(
                    "SELECT MAX(tree_size) FROM access_log_checkpoints",
                )
                .fetch_one(pool)
                .await)?;
                if newest.and_then(|newest| u64::try_from(newest).ok()).is_some_and(|newest| newest >= old) {
                    return Ok(true);
                }
                let declared = self.notice_gap(old, size).await?;
                // At start-up the caller says it once, with what it finds recorded.
                if probe {
                    return Ok(false);
                }
                if declared {
                    tracing::warn!(
                        witnessed = old,
                        size,
                        "the access log's gap is declared; the witness cosigns again once its operator accepts the restored log (`server witness-accept-gap`)"
                    );
                } else {
                    tracing::error!(
                        witnessed = old,
                        size,
                        behind = old - size,
                        "the access log is {} entries behind the checkpoint its witness cosigned (size {old}): it was set back, by a restore from a backup or by an attack. Staff cannot read citizens' data until an operator declares the gap with `server declare-gap --reason …`; run `server verify-access-log` and tell the data protection officer",
                        old - size
                    );
                }
                return Ok(false);
            }
            if old == size && attempt > 0 {
                tracing::error!(
                    size,
                    "the witness has cosigned another tree of this size: the access log's history was changed; run `server verify-access-log` and tell the data protection officer"
                );
                return Ok(false);
            }
            let proof = self.consistency_proof(old, size).await?;
            match witness.cosign(old, &proof, &note).await {
                Ok(Cosigning::Cosigned(lines)) => {
                    let at = Timestamp::now();
                    on_backend!(self.database, pool => sqlx::query(
                        "INSERT INTO access_log_cosignatures (tree_size, witness, signature, cosigned_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (tree_size, witness) DO NOTHING",
                    )
                    .bind(i64::try_from(size).unwrap_or(i64::MAX))
                    .bind(witness.name())
                    .bind(&lines)
                    .bind(at)
                    .execute(pool)
                    .await
                    .map(|_| ()))?;
                    return Ok(true);
                }
                Ok(Cosigning::Elsewhere(witnessed)) => old = witnessed,
                Ok(Cosigning::Refused(status, reason)) => {
                    tracing::error!(status, reason = reason.trim(), size, "the witness refused to cosign the access log's checkpoint");
                    return Ok(false);
                }
                Err(error) => {
                    tracing::warn!(%error, "the witness did not answer; asked again in a few seconds");
                    return Ok(false);
                }
            }
        }
        Ok(false)
    }

    /// Records that the witness cosigned a tree of `witnessed` leaves while the log's newest
    /// checkpoint has `size`: from then on the database refuses new entries until an operator
    /// declares the gap. Answers whether that gap is declared already. A log that grew again
    /// after a declared gap, while the witness's operator has not yet accepted the restored log,
    /// is behind by that gap, not by a new one.
    async fn notice_gap(&self, witnessed: u64, size: u64) -> Result<bool, DatabaseError> {
        let (Ok(witnessed), Ok(size)) = (i64::try_from(witnessed), i64::try_from(size)) else { return Ok(false) };
        let declared: bool = on_backend!(self.database, pool => {
            // This gap, or one of the same witnessed tree the log has grown past since.
            let declared: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM access_log_gaps \
                 WHERE witnessed_size = $1 AND restored_size <= $2 AND declared_at IS NOT NULL)",
            )
            .bind(witnessed)
            .bind(size)
            .fetch_one(pool)
            .await?;
            if !declared {
                sqlx::query(
                    "INSERT INTO access_log_gaps (witnessed_size, restored_size, restored_at, noticed_at) \
                     VALUES ($1, $2, COALESCE((SELECT signed_at FROM access_log_checkpoints WHERE tree_size = $2), $3), $3) \
                     ON CONFLICT (witnessed_size, restored_size) DO NOTHING",
                )
                .bind(witnessed)
                .bind(size)
                .bind(Timestamp::now())
                .execute(pool)
                .await?;
            }
            Ok::<_, sqlx::Error>(declared)
        })?;
        Ok(declared)
    }

    /// The gap no operator has declared yet, if the log is behind its witness: while there is
    /// one, the database refuses new entries, and so staff reads.
    pub async fn gap(&self) -> Result<Option<Gap>, DatabaseError> {
        let gap: Option<(i64, i64)> = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT witnessed_size, restored_size FROM access_log_gaps WHERE declared_at IS NULL \
             ORDER BY witnessed_size DESC, restored_size LIMIT 1",
        )
        .fetch_optional(pool)
        .await)?;
        Ok(gap.map(Gap::from_row))
    }

    /// The consistency proof from the tree of `old` leaves to the one of `size` (empty from the
    /// empty tree, or to itself).
    async fn consistency_proof(&self, old: u64, size: u64) -> Result<Vec<Hash>, DatabaseError> {
        if old == 0 || old >= size {
            return Ok(Vec::new());
        }
        let needed = tiles_needed(|reader| prove_tree(size, old, reader));
        let tiles = on_backend!(self.database, pool => load_tiles!(pool, &needed))?;
        prove_tree(size, old, &tiles).map_err(|error| DatabaseError::Query(sqlx::Error::Protocol(error.to_string())))
    }

    /// What the citizen's browser needs to check `leaves` (leaf bytes and leaf index, or none
    /// while an entry waits for its place): the newest checkpoint shown to citizens, the
    /// inclusion proof of each leaf its tree holds, and, when the browser names the tree size
    /// it verified last (`since`), the consistency proof from it. With a witness, an emergency
    /// access's entry (which a deferral may have held back) comes with the first checkpoint the
    /// witness cosigned that held it and the consistency proof from there, so the browser sees it
    /// was sealed when it was read.
    ///
    /// The tiles come from those kept in memory ([`KeptTiles`]) where they are wide enough, the
    /// rest from the database in one statement. Every proof is checked against its checkpoints
    /// before it is answered: if one does not hold (kept tiles of a tree since set back to a
    /// backup), the kept tiles are dropped and the proofs made again from the database alone.
    pub async fn proofs(&self, leaves: Vec<(String, Option<i64>)>, since: Option<u64>) -> Result<LogProofs, DatabaseError> {
        let Some(checkpoint) = self.checkpoint().await? else { return Ok(LogProofs::default()) };
        let Ok(signed) = Checkpoint::from_bytes(&checkpoint_text(&checkpoint)) else {
            // Nothing is proved in it; the browser finds its text wanting.
            return Ok(LogProofs { checkpoint, ..LogProofs::default() });
        };
        let (size, root) = (signed.size(), *signed.hash());
        let placed: Vec<(String, u64)> = leaves
            .into_iter()
            .filter_map(|(leaf, index)| Some((leaf, u64::try_from(index?).ok().filter(|index| *index < size)?)))
            .collect();
        // The tree sizes proved consistent with this one, each with its root when known.
        let mut older: BTreeMap<u64, Option<Hash>> = BTreeMap::new();
        if let Some(since) = since.filter(|since| (1..size).contains(since)) {
            older.insert(since, self.root_of(since).await?);
        }
        let mut sealed_by: BTreeMap<u64, (u64, String)> = BTreeMap::new();
        for (_, index) in placed.iter().filter(|(leaf, _)| Leaf::parse(leaf.as_bytes()).is_some_and(|leaf| leaf.basis == "emergency")) {
            if let Some((then, note)) = self.first_cosigned_holding(*index, size).await? {
                if then < size {
                    let then_root = Checkpoint::from_bytes(&checkpoint_text(&note)).ok().map(|then| *then.hash());
                    older.insert(then, then_root);
                }
                sealed_by.insert(*index, (then, note));
            }
        }
        let mut needed: BTreeSet<TileId> =
            placed.iter().flat_map(|(_, index)| tiles_needed(|reader| prove_record(size, *index, reader))).collect();
        for old in older.keys() {
            needed.extend(tiles_needed(|reader| prove_tree(size, *old, reader)));
        }
        let needed: Vec<TileId> = needed.into_iter().collect();
        let broken = |error: tlog_tiles::Error| DatabaseError::Query(sqlx::Error::Protocol(error.to_string()));
        let tiles = self.proof_tiles(&needed, size, true).await?;
        let proved = match Proved::of(&tiles, size, &placed, &older) {
            Ok(proved) if proved.holds(&tiles, root, &placed, &older) => proved,
            _ => {
                tracing::warn!(size, "the proofs did not hold against the checkpoint: the kept tiles are dropped, the proofs made from the database");
                self.kept.forget_all();
                let tiles = self.proof_tiles(&needed, size, false).await?;
                let proved = Proved::of(&tiles, size, &placed, &older).map_err(broken)?;
                if !proved.holds(&tiles, root, &placed, &older) {
                    // Answered all the same: the citizen's browser raises its alarm.
                    tracing::error!(size, "the access log's tiles do not give its checkpoint's root: run `server verify-access-log`");
                }
                proved
            }
        };
        let hex = |proof: &[Hash]| proof.iter().map(|hash| hex::encode(hash.0)).collect();
        let entries = placed
            .into_iter()
            .zip(&proved.inclusion)
            .map(|((leaf, index), inclusion)| {
                let sealed = sealed_by.remove(&index).map(|(then, checkpoint)| SealedProof {
                    checkpoint,
                    consistency: proved.consistency.get(&then).map(|proof| hex(proof)).unwrap_or_default(),
                });
                EntryProof { leaf, index, inclusion: hex(inclusion), sealed }
            })
            .collect();
        let consistency = since.and_then(|since| proved.consistency.get(&since)).map(|proof| hex(proof)).unwrap_or_default();
        Ok(LogProofs { checkpoint, entries, consistency })
    }

    /// The tiles `needed` as the tree of `size` holds them: from the kept ones where `kept`
    /// allows and they are wide enough, else from the database (and then kept).
    async fn proof_tiles(&self, needed: &[TileId], size: u64, kept: bool) -> Result<ProofTiles, DatabaseError> {
        let mut tiles = ProofTiles::default();
        let mut missing = Vec::new();
        for tile in needed {
            match self.kept.get(*tile).filter(|nodes| kept && nodes.width() >= width_in(*tile, size)) {
                Some(nodes) => {
                    tiles.0.insert(*tile, nodes);
                }
                None => missing.push(*tile),
            }
        }
        // A thousand tiles to a query: an export's proofs may read many.
        for some in missing.chunks(1_000) {
            for (tile, bytes) in on_backend!(self.database, pool => load_tiles!(pool, some))?.0 {
                let nodes = Arc::new(TileNodes::of(&bytes));
                self.kept.keep(tile, nodes.clone());
                tiles.0.insert(tile, nodes);
            }
        }
        Ok(tiles)
    }

    /// The root of the checkpoint of `size` leaves, if one was signed.
    async fn root_of(&self, size: u64) -> Result<Option<Hash>, DatabaseError> {
        let Ok(size) = i64::try_from(size) else { return Ok(None) };
        let root: Option<String> = on_backend!(self.database, pool => sqlx::query_scalar(
            "SELECT root_hash FROM access_log_checkpoints WHERE tree_size = $1",
        )
        .bind(size)
        .fetch_optional(pool)
        .await)?;
        Ok(root.and_then(|root| Hash::parse_hash(&root).ok()))
    }

    /// The first checkpoint the witness cosigned whose tree holds leaf `index`, up to the size
    /// `size`: its size and its note with the cosignature. `None` without a witness, or when
    /// none did.
    async fn first_cosigned_holding(&self, index: u64, size: u64) -> Result<Option<(u64, String)>, DatabaseError> {
        let Some(witness) = &self.witness else { return Ok(None) };
        let (Ok(index), Ok(size)) = (i64::try_from(index), i64::try_from(size)) else { return Ok(None) };
        let first: Option<(i64, String, String)> = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT c.tree_size, c.note, s.signature FROM access_log_checkpoints c \
             JOIN access_log_cosignatures s ON s.tree_size = c.tree_size AND s.witness = $1 AND s.signature <> '' \
             WHERE c.tree_size > $2 AND c.tree_size <= $3 ORDER BY c.tree_size LIMIT 1",
        )
        .bind(witness.name())
        .bind(index)
        .bind(size)
        .fetch_optional(pool)
        .await)?;
        Ok(first.and_then(|(then, note, cosignature)| Some((u64::try_from(then).ok()?, format!("{note}{cosignature}")))))
    }

    /// The witness's verifier key, if a witness is set up.
    pub fn witness_key(&self) -> Option<String> {
        self.witness.as_ref().map(|witness| witness.verifier_key().to_owned())
    }

    /// The newest checkpoint: with the witness's cosignature appended when a witness is set
    /// (the newest it cosigned, then), else as the portal signed it. `None` before the first.
    pub async fn checkpoint(&self) -> Result<Option<String>, DatabaseError> {
        if let Some(witness) = &self.witness {
            let cosigned: Option<(String, String)> = on_backend!(self.database, pool => sqlx::query_as(
                "SELECT c.note, s.signature FROM access_log_checkpoints c \
                 JOIN access_log_cosignatures s ON s.tree_size = c.tree_size AND s.witness = $1 AND s.signature <> '' \
                 ORDER BY c.tree_size DESC LIMIT 1",
            )
            .bind(witness.name())
            .fetch_optional(pool)
            .await)?;
            if let Some((note, cosignature)) = cosigned {
                return Ok(Some(format!("{note}{cosignature}")));
            }
        }
        let note = on_backend!(self.database, pool => sqlx::query_scalar(
            "SELECT note FROM access_log_checkpoints ORDER BY tree_size DESC LIMIT 1",
        )
        .fetch_optional(pool)
        .await)?;
        Ok(note)
    }

    /// The first `width` hashes of tile `index` of level `level`, if the tree of the newest
    /// checkpoint holds that many there (a tile is served only as far as a signed tree reaches).
    pub async fn tile(&self, level: u8, index: u64, width: u64) -> Result<Option<Vec<u8>>, DatabaseError> {
        let Ok(stored_index) = i64::try_from(index) else { return Ok(None) };
        let row: Option<(Vec<u8>, Option<i64>)> = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT hashes, (SELECT MAX(tree_size) FROM access_log_checkpoints) FROM access_log_tiles WHERE level = $1 AND idx = $2",
        )
        .bind(i64::from(level))
        .bind(stored_index)
        .fetch_optional(pool)
        .await)?;
        let Some((mut hashes, Some(size))) = row else { return Ok(None) };
        // The width the signed tree gives this tile.
        let signed_width = width_in((level, index), u64::try_from(size).unwrap_or(0));
        let length = usize::try_from(width).unwrap_or(usize::MAX).saturating_mul(32);
        if width > signed_width || hashes.len() < length {
            return Ok(None);
        }
        hashes.truncate(length);
        Ok(Some(hashes))
    }

    /// Recomputes the tree from every placed leaf: that the leaf indexes leave no gap, that each
    /// entry says what its leaf says, that every checkpoint is signed by the portal's key and
    /// names the root its leaves give, and that every stored tile is what the leaves give; and
    /// that every cosignature stored is the witness's over its checkpoint.
    pub async fn verify(&self) -> Result<TreeVerification, DatabaseError> {
        // Read in this order, a cosignature's checkpoint is always among those read; and only
        // leaves up to the newest checkpoint read are checked, so a log that grows while the
        // check runs looks as intact as it is.
        let cosigned: Vec<(i64, String)> = match &self.witness {
            Some(witness) => on_backend!(self.database, pool => sqlx::query_as(
                "SELECT tree_size, signature FROM access_log_cosignatures WHERE witness = $1 ORDER BY tree_size",
            )
            .bind(witness.name())
            .fetch_all(pool)
            .await)?,
            None => Vec::new(),
        };
        let checkpoints: Vec<(i64, String, String)> = on_backend!(self.database, pool => sqlx::query_as(
            "SELECT tree_size, root_hash, note FROM access_log_checkpoints ORDER BY tree_size",
        )
        .fetch_all(pool)
        .await)?;
        let signed_size = checkpoints.last().map_or(0, |(size, ..)| *size);
        let log_key = self.signer.verifier_key();
        let mut result = TreeVerification { leaves: 0, checkpoints: 0, cosignatures: 0, problem: None };
        if let Some(witness) = &self.witness {
            for (size, lines) in cosigned {
                let note = checkpoints.iter().find(|(stored, ..)| *stored == size).map(|(.., note)| note.as_str()).unwrap_or_default();
                let text = checkpoint_text(note);
                if lines.trim().is_empty() || !lines.lines().all(|line| witness.line_holds(&text, line)) {
                    result.problem = Some(TreeProblem::Cosignature { size: u64::try_from(size).unwrap_or(0) });
                    return Ok(result);
                }
                result.cosignatures += 1;
            }
        }
        let mut pending = checkpoints.iter().peekable();
        let mut tiles = TileHashes::default();
        let mut full = Vec::new();
        // Each checkpoint is checked once the leaves reach its size (the empty tree's at once).
        let mut check_due = |result: &mut TreeVerification, tiles: &TileHashes| {
            while let Some((size, root, note)) = pending.next_if(|(size, ..)| u64::try_from(*size).ok() == Some(result.leaves)) {
                let size = u64::try_from(*size).unwrap_or(0);
                result.problem = checkpoint_problem(&log_key, &self.signer, size, root, note, tiles);
                if result.problem.is_some() {
                    return;
                }
                result.checkpoints += 1;
            }
        };
        check_due(&mut result, &tiles);
        if result.problem.is_some() {
            return Ok(result);
        }
        loop {
            let rows: Vec<(i64, Waiting)> = on_backend!(self.database, pool => sqlx::query_as::<_, (i64, Option<String>, LogEntryId, Timestamp, String, CitizenId, Json<Vec<String>>, String, String, Option<MixedId>)>(
                "SELECT leaf_index, leaf, id, occurred_at, office_code, citizen_id, categories, purpose, basis, basis_ref \
                 FROM access_log WHERE leaf_index >= $1 AND leaf_index < $3 ORDER BY leaf_index LIMIT $2",
            )
            .bind(i64::try_from(result.leaves).unwrap_or(i64::MAX))
            .bind(VERIFY_BATCH)
            .bind(signed_size)
            .fetch_all(pool)
            .await)?
            .into_iter()
            .map(|(index, leaf, id, occurred_at, office_code, citizen_id, categories, purpose, basis, basis_ref)| {
                (index, Waiting { seq: 0, id, occurred_at, office_code, citizen_id, categories, purpose, basis, basis_ref, leaf })
            })
            .collect();
            let done = rows.len() < VERIFY_BATCH as usize;
            for (index, entry) in rows {
                let index = u64::try_from(index).unwrap_or(u64::MAX);
                if index != result.leaves {
                    result.problem = Some(TreeProblem::Missing { index: result.leaves });
                    return Ok(result);
                }
                let leaf = entry.leaf.as_deref().unwrap_or_default();
                let says = Leaf::parse(leaf.as_bytes());
                if says.is_none_or(|says| says != entry.leaf_of_columns(says.salt.clone())) {
                    result.problem = Some(TreeProblem::Altered { index });
                    return Ok(result);
                }
                let mut changed = BTreeSet::new();
                tiles.append(index, record_hash(leaf.as_bytes()), &mut changed);
                result.leaves += 1;
                // Full tiles are compared with the stored ones, then let go: the edge is enough.
                for id in changed {
                    if tiles.0.get(&id).is_some_and(|hashes| hashes.len() as u64 == TILE_WIDTH * 32) {
                        full.extend(tiles.0.remove(&id).map(|hashes| (id, hashes)));
                    }
                }
                check_due(&mut result, &tiles);
                if result.problem.is_some() {
                    return Ok(result);
                }
            }
            if let Some(problem) = self.tiles_problem(std::mem::take(&mut full), false).await? {
                result.problem = Some(problem);
                return Ok(result);
            }
            if done {
                break;
            }
        }
        if let Some((size, ..)) = checkpoints.get(usize::try_from(result.checkpoints).unwrap_or(usize::MAX)) {
            result.problem = Some(TreeProblem::Behind { size: u64::try_from(*size).unwrap_or(0), leaves: result.leaves });
            return Ok(result);
        }
        let edge_tiles: Vec<(TileId, Vec<u8>)> = tiles.0.into_iter().collect();
        result.problem = self.tiles_problem(edge_tiles, true).await?;
        if result.problem.is_none() {
            result.problem = self.set_back().await?;
        }
        Ok(result)
    }

    /// Whether the log was set back behind what its witness cosigned, without a declared gap:
    /// asks the witness as at start-up (which records a gap it reveals). Without a witness
    /// nothing outside the database can tell.
    async fn set_back(&self) -> Result<Option<TreeProblem>, DatabaseError> {
        if self.witness.is_none() {
            return Ok(None);
        }
        self.probe_witness().await?;
        Ok(self.gap().await?.map(|gap| TreeProblem::SetBack { witnessed: gap.witnessed, size: gap.restored }))
    }

    /// The first of `recomputed` that is not stored as it is (or, for the tree's right edge,
    /// that the stored tile does not begin with: it may have grown since).
    async fn tiles_problem(&self, recomputed: Vec<(TileId, Vec<u8>)>, edge: bool) -> Result<Option<TreeProblem>, DatabaseError> {
        if recomputed.is_empty() {
            return Ok(None);
        }
        let ids: Vec<TileId> = recomputed.iter().map(|(id, _)| *id).collect();
        let stored = on_backend!(self.database, pool => load_tiles!(pool, &ids))?;
        Ok(recomputed
            .into_iter()
            .find(|(id, hashes)| {
                stored.0.get(id).is_none_or(|stored| if edge { !stored.starts_with(hashes) } else { stored != hashes })
            })
            .map(|((level, index), _)| TreeProblem::Tile { level, index }))
    }
}

/// What is wrong with the checkpoint of `size`, if anything: its signature, its text, or its
/// root against the recomputed `tiles`.
fn checkpoint_problem(log_key: &str, signer: &LogSigner, size: u64, root: &str, note: &str, tiles: &TileHashes) -> Option<TreeProblem> {
    let signed = Note::from_bytes(note.as_bytes()).ok().filter(|signed| signed_by(signed, log_key));
    let text_fits = signed.as_ref().is_some_and(|signed| {
        Checkpoint::from_bytes(signed.text())
            .is_ok_and(|checkpoint| checkpoint.origin() == signer.name() && checkpoint.size() == size && checkpoint.hash().to_string() == root)
    });
    if !text_fits {
        return Some(TreeProblem::Signature { size });
    }
    let recomputed = tree_hash(size, tiles).map(|hash| hash.to_string()).unwrap_or_default();
    (recomputed != root).then_some(TreeProblem::Root { size })
}

/// The signed checkpoint of a tree of `size` leaves with root `root` (C2SP tlog-checkpoint).
pub fn sign_checkpoint(signer: &LogSigner, size: u64, root: Hash) -> Result<String, String> {
    let checkpoint = Checkpoint::new(signer.name(), size, root, "").map_err(|error| error.to_string())?;
    let mut note = Note::new(&checkpoint.to_bytes(), &[]).map_err(|error| error.to_string())?;
    note.add_sigs(&[signer]).map_err(|error| error.to_string())?;
    String::from_utf8(note.to_bytes()).map_err(|error| error.to_string())
}

