//! The citizen's own check of the access log, shared by the server and the citizen's browser.
//!
//! The server hands over [`LogProofs`]: the newest checkpoint the witness cosigned, the leaf and
//! inclusion proof of each entry the page shows (the newest [`CHECKED`]), and a consistency
//! proof from the tree the browser verified last. [`check`], run in WebAssembly by the access
//! log's island, trusts none of it: it checks the portal's signature and the witness's
//! cosignature with the keys the page names, that every leaf is in the signed tree and says
//! what the page shows, that the tree only grew since the browser's last check, that no
//! entry it proved then has gone, and that an emergency access's entry (which a deferral may
//! have held back) was in a witnessed checkpoint already when it was read. What it verified it
//! hands back as [`Remembered`], for the browser to keep until the next visit.

pub mod cosignature;
pub mod leaf;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use signed_note::{Note, StandardVerifier, VerifierList};
use tlog_tiles::{Checkpoint, Hash, check_record, check_tree, record_hash};

use self::{cosignature::CosignatureVerifier, leaf::Leaf};

/// The most entries one check covers: the page's newest.
pub const CHECKED: usize = 100;

/// How soon after its read a checkpoint the witness cosigned must hold an entry that may have
/// been held back from the citizen (an emergency access's, which a deferral hides for up to 90
/// days). The sequencer places an entry within seconds and the witness cosigns at once; an hour
/// leaves room for a witness that was away for a while.
pub const SEALED_WITHIN_SECONDS: u64 = 3_600;

/// What the server hands the browser for its check.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogProofs {
    /// The newest checkpoint the witness cosigned (without a witness, the portal's newest), as
    /// the whole signed note.
    pub checkpoint: String,
    /// The shown entries that checkpoint's tree holds.
    pub entries: Vec<EntryProof>,
    /// The consistency proof, hex hashes, from the tree size the browser asked about to the
    /// checkpoint's.
    pub consistency: Vec<String>,
}

/// One entry's leaf and its place in the tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryProof {
    /// The leaf's bytes (JSON, see [`Leaf`]).
    pub leaf: String,
    /// The leaf's index in the tree.
    pub index: u64,
    /// The inclusion proof, hex hashes (RFC 6962).
    pub inclusion: Vec<String>,
    /// For an emergency access's entry, when a witness is set up: the first checkpoint the
    /// witness cosigned that held it, to prove it was sealed at the time of the read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<SealedProof>,
}

/// A checkpoint from the past and the consistency proof from its tree to the checkpoint of the
/// check: whatever its tree held, the checkpoint's tree holds at the same places.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedProof {
    /// The whole signed note, with the witness's cosignature (which carries its time).
    pub checkpoint: String,
    /// The consistency proof, hex hashes, from its size to the checkpoint of the check.
    pub consistency: Vec<String>,
}

/// An entry as the page shows it: what its leaf must say.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownEntry {
    pub id: String,
    /// RFC 3339, UTC.
    pub time: String,
    pub office: String,
    pub categories: Vec<String>,
    pub purpose: String,
    pub basis: String,
}

impl From<&crate::consent::AccessEntryView> for ShownEntry {
    fn from(entry: &crate::consent::AccessEntryView) -> Self {
        Self {
            id: entry.id.clone(),
            time: entry.occurred_at.clone(),
            office: entry.office.clone(),
            categories: entry.categories.clone(),
            purpose: entry.purpose.clone(),
            basis: entry.basis.clone(),
        }
    }
}

/// An entry's proof as the data export carries it, for anyone to check offline, without our
/// code (`server verify-proof`, or the README's few lines of Python).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedProof {
    /// The leaf's bytes, base64.
    pub leaf: String,
    /// The leaf's index in the tree.
    pub index: u64,
    /// The inclusion proof, hex hashes (RFC 6962).
    pub inclusion_proof: Vec<String>,
    /// The whole text of the checkpoint the proof is against, with its signatures.
    pub checkpoint: String,
}

impl LogProofs {
    /// Each entry's proof as the export carries it, by the entry's id.
    pub fn exported(self) -> BTreeMap<String, ExportedProof> {
        use base64::{Engine, prelude::BASE64_STANDARD};
        let checkpoint = self.checkpoint;
        self.entries
            .into_iter()
            .filter_map(|entry| {
                let id = Leaf::parse(entry.leaf.as_bytes())?.id;
                let proof = ExportedProof {
                    leaf: BASE64_STANDARD.encode(entry.leaf.as_bytes()),
                    index: entry.index,
                    inclusion_proof: entry.inclusion,
                    checkpoint: checkpoint.clone(),
                };
                Some((id, proof))
            })
            .collect()
    }
}

/// What the check of an export found in order: how many of its entries carry a proof that holds,
/// and how many were too new for one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExportChecked {
    pub proven: usize,
    pub pending: usize,
}

/// Checks the proof of every access-log entry of a data export with `keys`: the checkpoint's
/// signatures, that the leaf says what the export says, and that it is in the tree. Answers the
/// first entry that fails, with what was found.
pub fn check_export(keys: &LogKeys, export: &crate::consent::DataExport) -> Result<ExportChecked, (String, Finding)> {
    use base64::{Engine, prelude::BASE64_STANDARD};
    let mut checked = ExportChecked { proven: 0, pending: 0 };
    for entry in &export.access_log {
        let id = entry.id.clone();
        let Some(proof) = &entry.log_proof else {
            checked.pending += 1;
            continue;
        };
        let found = |finding: Finding| (id.clone(), finding);
        let checkpoint = signed_checkpoint(&proof.checkpoint, &keys.log).ok_or_else(|| found(Finding::Unsigned))?;
        if let Some(witness) = &keys.witness {
            cosigned(&proof.checkpoint, witness).ok_or_else(|| found(Finding::Unwitnessed))?;
        }
        let leaf = BASE64_STANDARD.decode(&proof.leaf).unwrap_or_default();
        if !Leaf::parse(&leaf).is_some_and(|said| says(&said, &ShownEntry::from(entry), &export.person.id)) {
            return Err(found(Finding::Differs { id: id.clone() }));
        }
        if !included(&checkpoint, &leaf, proof.index, &proof.inclusion_proof) {
            return Err(found(Finding::NotIncluded { id: id.clone() }));
        }
        checked.proven += 1;
    }
    Ok(checked)
}

/// The keys the check trusts: the portal's verifier key and the witness's, as signed-note
/// verifier keys (`<name>+<id>+<key>`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogKeys {
    pub log: String,
    /// `None` when no witness is set up.
    pub witness: Option<String>,
}

/// What a browser keeps of its last check: the checkpoint it verified, and per person the
/// entries it proved (id and leaf index), newest first; and the keys it checked with, which it
/// trusts from then on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remembered {
    pub checkpoint: String,
    pub people: BTreeMap<String, Vec<(String, u64)>>,
    /// `None` in what a browser kept before the keys were remembered.
    #[serde(default)]
    pub keys: Option<LogKeys>,
}

impl Remembered {
    /// The size of the tree it verified, as its checkpoint's second line says (the check
    /// verifies the checkpoint itself; this only asks the server for the right proof).
    pub fn tree_size(&self) -> Option<u64> {
        self.checkpoint.lines().nth(1)?.parse().ok()
    }
}

/// What a check found in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verified {
    /// Entries proven in the tree.
    pub proven: usize,
    /// Shown entries too new to be in the witnessed tree yet.
    pub pending: usize,
    /// The tree's size.
    pub size: u64,
    /// The witness that cosigned it, and when (seconds since the epoch); `None` without a witness.
    pub witnessed: Option<(String, u64)>,
    /// The size of the tree verified at the last visit, if there was one.
    pub since: Option<u64>,
    /// What the browser keeps for the next visit.
    pub remember: Remembered,
}

/// What a check found wrong: each a reason to alarm the citizen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Finding {
    /// The checkpoint is missing, malformed or not signed by the portal's key.
    Unsigned,
    /// A witness is set up, but the checkpoint carries no valid cosignature of it.
    Unwitnessed,
    /// The log is smaller than at the last visit.
    SetBack { before: u64, now: u64 },
    /// The log is not the one verified at the last visit, extended.
    Rewritten { before: u64 },
    /// An entry's leaf is not in the signed tree.
    NotIncluded { id: String },
    /// An entry's leaf says something else than the page shows.
    Differs { id: String },
    /// An entry proven at the last visit is no longer shown.
    Vanished { id: String },
    /// A shown entry is older than an hour and still not in the witnessed tree.
    Overdue { id: String },
    /// An emergency access's entry is in no checkpoint the witness cosigned within an hour of
    /// the read: it may have been written later and dated back, after it was held back.
    Backdated { id: String },
    /// The portal's key, or the witness's, is not the one the last visit checked with: whoever
    /// controls the server could otherwise sign a rewritten log with a key of their own.
    KeysChanged,
}

/// The checkpoint in `note`, if the portal's key `log_key` signed it and it is the log's.
fn signed_checkpoint(note: &str, log_key: &str) -> Option<Checkpoint> {
    let note = Note::from_bytes(note.as_bytes()).ok()?;
    let verifier = StandardVerifier::new(log_key).ok()?;
    let origin = signed_note::Verifier::name(&verifier).to_owned();
    note.verify(&VerifierList::new(vec![Box::new(verifier)])).ok()?;
    Checkpoint::from_bytes(note.text()).ok().filter(|checkpoint| checkpoint.origin() == origin)
}

/// The witness's name and the time of its valid cosignature on `note`, if there is one.
fn cosigned(note: &str, witness_key: &str) -> Option<(String, u64)> {
    let note = Note::from_bytes(note.as_bytes()).ok()?;
    let verifier = CosignatureVerifier::parse(witness_key)?;
    let (verified, _) = note.verify(&VerifierList::new(vec![Box::new(verifier.clone())])).ok()?;
    let time = verified.iter().find_map(|signature| verifier.time_of(note.text(), signature.signature()))?;
    Some((verifier.name().to_owned(), time))
}

fn hashes(hex_hashes: &[String]) -> Option<Vec<Hash>> {
    hex_hashes.iter().map(|text| hex::decode(text).ok()?.try_into().ok().map(Hash)).collect()
}

/// Whether the leaf with the bytes `leaf` is leaf `index` of the checkpoint's tree, by the
/// inclusion proof `proof` (hex hashes).
fn included(checkpoint: &Checkpoint, leaf: &[u8], index: u64, proof: &[String]) -> bool {
    index < checkpoint.size()
        && hashes(proof).is_some_and(|path| check_record(&path, checkpoint.size(), *checkpoint.hash(), index, record_hash(leaf)).is_ok())
}

/// Whether the checkpoint `now` holds the tree of `before` at the same places, by the consistency
/// proof `proof` (hex hashes).
fn consistent(before: &Checkpoint, now: &Checkpoint, proof: &[String]) -> bool {
    let (old, old_root, size, root) = (before.size(), *before.hash(), now.size(), *now.hash());
    match old == size {
        true => old_root == root,
        false => old < size && hashes(proof).is_some_and(|proof| check_tree(&proof, size, root, old, old_root).is_ok()),
    }
}

/// Whether the entry read at `read_at` (RFC 3339), leaf `index` of the checkpoint `now`, was
/// sealed at the time of its read: `sealed` is a checkpoint the portal (`log_key`) signed and the
/// witness (`witness_key`) cosigned no later than [`SEALED_WITHIN_SECONDS`] after it, whose tree
/// held the leaf's place, and that `now` extends.
fn sealed_at_read(sealed: Option<&SealedProof>, read_at: &str, index: u64, log_key: &str, witness_key: &str, now: &Checkpoint) -> bool {
    use time::{OffsetDateTime, format_description::well_known::Rfc3339};
    let Some(sealed) = sealed else { return false };
    let Some(then) = signed_checkpoint(&sealed.checkpoint, log_key) else { return false };
    let Some((_, cosigned_at)) = cosigned(&sealed.checkpoint, witness_key) else { return false };
    let Some(read_at) = OffsetDateTime::parse(read_at, &Rfc3339).ok().and_then(|time| u64::try_from(time.unix_timestamp()).ok()) else {
        return false;
    };
    index < then.size() && cosigned_at <= read_at.saturating_add(SEALED_WITHIN_SECONDS) && consistent(&then, now, &sealed.consistency)
}

/// Whether `leaf` says what the page shows of `shown` about `person`.
fn says(leaf: &Leaf, shown: &ShownEntry, person: &str) -> bool {
    leaf.id == shown.id
        && leaf.time == shown.time
        && leaf.office == shown.office
        && leaf.role == "caseworker"
        && leaf.person == person
        && leaf.categories.iter().collect::<BTreeSet<_>>() == shown.categories.iter().collect::<BTreeSet<_>>()
        && leaf.purpose == shown.purpose
        && leaf.basis == shown.basis
}

/// Checks `proofs` of the entries the page shows of `person` (`shown`, newest first), with
/// `keys`, against what the browser kept of its last check. `overdue_before` is the time
/// (RFC 3339, UTC) before which a shown entry must be in the witnessed tree.
pub fn check(
    keys: &LogKeys,
    person: &str,
    shown: &[ShownEntry],
    proofs: &LogProofs,
    remembered: Option<&Remembered>,
    overdue_before: &str,
) -> Result<Verified, Finding> {
    // The keys of the last visit hold: a witness may be added, not dropped or replaced.
    if let Some(before) = remembered.and_then(|remembered| remembered.keys.as_ref())
        && (before.log != keys.log || (before.witness.is_some() && before.witness != keys.witness))
    {
        return Err(Finding::KeysChanged);
    }
    let checkpoint = signed_checkpoint(&proofs.checkpoint, &keys.log).ok_or(Finding::Unsigned)?;
    let witnessed = match &keys.witness {
        Some(witness) => Some(cosigned(&proofs.checkpoint, witness).ok_or(Finding::Unwitnessed)?),
        None => None,
    };
    let size = checkpoint.size();

    let before = remembered.and_then(|remembered| signed_checkpoint(&remembered.checkpoint, &keys.log));
    if let Some(before) = &before {
        if before.size() > size {
            return Err(Finding::SetBack { before: before.size(), now: size });
        }
        if !consistent(before, &checkpoint, &proofs.consistency) {
            return Err(Finding::Rewritten { before: before.size() });
        }
    }

    let checked = &shown[..shown.len().min(CHECKED)];
    let mut proven: Vec<(String, u64)> = Vec::new();
    for proof in &proofs.entries {
        let leaf = Leaf::parse(proof.leaf.as_bytes());
        let id = leaf.as_ref().map(|leaf| leaf.id.clone()).unwrap_or_default();
        let Some(entry) = checked.iter().find(|entry| entry.id == id) else { continue };
        let Some(leaf) = leaf.filter(|leaf| says(leaf, entry, person)) else {
            return Err(Finding::Differs { id });
        };
        if !included(&checkpoint, proof.leaf.as_bytes(), proof.index, &proof.inclusion) {
            return Err(Finding::NotIncluded { id });
        }
        // An entry a deferral may have held back: sealed when it was read, not written later.
        if let Some(witness) = keys.witness.as_deref().filter(|_| leaf.basis == "emergency")
            && !sealed_at_read(proof.sealed.as_ref(), &leaf.time, proof.index, &keys.log, witness, &checkpoint)
        {
            return Err(Finding::Backdated { id });
        }
        if !proven.iter().any(|(seen, _)| *seen == id) {
            proven.push((id, proof.index));
        }
    }
    let mut pending = 0;
    for entry in checked.iter().filter(|entry| !proven.iter().any(|(id, _)| *id == entry.id)) {
        if entry.time.as_str() < overdue_before {
            return Err(Finding::Overdue { id: entry.id.clone() });
        }
        pending += 1;
    }

    // An entry proven before must still be shown. (When the check covers fewer than all shown,
    // only those newer than the oldest it covers: the page shows the newest only.)
    let oldest_now = proven.iter().map(|(_, index)| *index).min().unwrap_or(0);
    let kept = remembered.and_then(|remembered| remembered.people.get(person)).filter(|_| before.is_some());
    for (id, index) in kept.into_iter().flatten() {
        if (shown.len() < CHECKED || *index > oldest_now) && !shown.iter().any(|entry| entry.id == *id) {
            return Err(Finding::Vanished { id: id.clone() });
        }
    }

    let mut remember = remembered.filter(|_| before.is_some()).cloned().unwrap_or_default();
    remember.checkpoint = proofs.checkpoint.clone();
    remember.keys = Some(keys.clone());
    remember.people.insert(person.to_owned(), proven.clone());
    Ok(Verified {
        proven: proven.len(),
        pending,
        size,
        witnessed,
        since: before.map(|before| before.size()),
        remember,
    })
}

#[cfg(all(test, feature = "ssr"))]
#[expect(clippy::expect_used, reason = "the tests' log fails loudly where a test would")]
mod tests {
    use std::collections::BTreeSet;

    use tlog_tiles::{prove_record, prove_tree, tree_hash};

    use super::*;
    use crate::server::access_log::{cosignature::Cosigner, sequencer::sign_checkpoint, signer::LogSigner, tree::TileHashes};

    const PERSON: &str = "p-1";
    const LONG_AGO: &str = "2000-01-01T00:00:00Z";

    /// A log of leaves about `PERSON` and others, its keys, and what its portal hands out.
    #[derive(Clone)]
    struct Log {
        signer: LogSigner,
        witness: Cosigner,
        leaves: Vec<Leaf>,
        tiles: TileHashes,
    }

    fn leaf(n: usize, person: &str) -> Leaf {
        Leaf {
            id: format!("e{n}"),
            time: format!("2026-12-07T08:{:02}:00Z", n % 60),
            office: "JUGENDAMT".into(),
            role: "caseworker".into(),
            person: person.into(),
            categories: vec!["contact".into(), "identity".into()],
            purpose: "Bearbeitung".into(),
            basis: "application".into(),
            rests_on: Some("a1".into()),
            salt: format!("{n:064x}"),
        }
    }

    impl Log {
        fn new() -> Self {
            Self {
                signer: LogSigner::generate("stadt.example/zugriffsprotokoll").expect("a key"),
                witness: Cosigner::generate("datenschutz.example/zeuge").expect("a key"),
                leaves: Vec::new(),
                tiles: TileHashes::default(),
            }
        }

        fn add(&mut self, count: usize) {
            for _ in 0..count {
                let n = self.leaves.len();
                let leaf = leaf(n, if n.is_multiple_of(3) { PERSON } else { "p-2" });
                self.tiles.append(n as u64, record_hash(leaf.to_bytes().as_bytes()), &mut BTreeSet::new());
                self.leaves.push(leaf);
            }
        }

        fn keys(&self) -> LogKeys {
            LogKeys {
                log: self.signer.verifier_key(),
                witness: Some(self.witness.verifier_key()),
            }
        }

        fn checkpoint(&self, size: u64) -> String {
            let root = tree_hash(size, &self.tiles).expect("a root");
            let note = sign_checkpoint(&self.signer, size, root).expect("signed");
            let mut note = Note::from_bytes(note.as_bytes()).expect("a note");
            note.add_sigs(&[&self.witness]).expect("cosigned");
            String::from_utf8(note.to_bytes()).expect("text")
        }

        /// What the portal hands out for `PERSON` at `size`, to a browser that verified `since`.
        fn proofs(&self, size: u64, since: Option<u64>) -> LogProofs {
            let hex = |proof: Vec<Hash>| proof.iter().map(|hash| hex::encode(hash.0)).collect();
            LogProofs {
                checkpoint: self.checkpoint(size),
                entries: self
                    .leaves
                    .iter()
                    .enumerate()
                    .take(size as usize)
                    .filter(|(_, leaf)| leaf.person == PERSON)
                    .map(|(index, leaf)| EntryProof {
                        leaf: leaf.to_bytes(),
                        index: index as u64,
                        inclusion: hex(prove_record(size, index as u64, &self.tiles).expect("a proof")),
                        sealed: None,
                    })
                    .rev()
                    .collect(),
                consistency: since.map(|since| hex(prove_tree(size, since, &self.tiles).expect("a proof"))).unwrap_or_default(),
            }
        }

        /// An emergency access's entry about `PERSON`, read at `time`.
        fn add_emergency(&mut self, time: &str) {
            let n = self.leaves.len();
            let leaf = Leaf { basis: "emergency".into(), time: time.into(), ..leaf(n, PERSON) };
            self.tiles.append(n as u64, record_hash(leaf.to_bytes().as_bytes()), &mut BTreeSet::new());
            self.leaves.push(leaf);
        }

        /// The checkpoint of `then`, cosigned now, as the seal of an entry in a check at `size`.
        fn sealed(&self, then: u64, size: u64) -> SealedProof {
            let consistency = if then < size { prove_tree(size, then, &self.tiles).expect("a proof") } else { Vec::new() };
            SealedProof { checkpoint: self.checkpoint(then), consistency: consistency.iter().map(|hash| hex::encode(hash.0)).collect() }
        }

        /// The page's entries of `PERSON`, newest first.
        fn shown(&self) -> Vec<ShownEntry> {
            self.leaves
                .iter()
                .rev()
                .filter(|leaf| leaf.person == PERSON)
                .map(|leaf| ShownEntry {
                    id: leaf.id.clone(),
                    time: leaf.time.clone(),
                    office: leaf.office.clone(),
                    categories: leaf.categories.iter().rev().cloned().collect(),
                    purpose: leaf.purpose.clone(),
                    basis: leaf.basis.clone(),
                })
                .collect()
        }
    }

    #[test]
    fn a_log_that_only_grew_checks_and_is_remembered() {
        let mut log = Log::new();
        log.add(10);
        let first = check(&log.keys(), PERSON, &log.shown(), &log.proofs(10, None), None, LONG_AGO).expect("intact");
        assert_eq!((first.proven, first.pending, first.size, first.since), (4, 0, 10, None));
        assert_eq!(first.witnessed.as_ref().map(|(name, _)| name.as_str()), Some("datenschutz.example/zeuge"));
        assert_eq!(first.remember.tree_size(), Some(10));
        log.add(300);
        let second =
            check(&log.keys(), PERSON, &log.shown(), &log.proofs(310, Some(10)), Some(&first.remember), LONG_AGO).expect("intact");
        assert_eq!((second.proven, second.size, second.since), (CHECKED.min(104), 310, Some(10)));
        // An entry shown but not in the witnessed tree yet: pending while new, an alarm when old.
        let shown = log.shown();
        log.add(3);
        let mut newer = log.shown();
        newer.retain(|entry| !shown.contains(entry));
        assert_eq!(newer.len(), 1);
        let with_new: Vec<ShownEntry> = newer.iter().chain(shown.iter()).cloned().collect();
        let proofs = log.proofs(310, Some(310));
        let pending = check(&log.keys(), PERSON, &with_new, &proofs, Some(&second.remember), LONG_AGO).expect("intact");
        assert_eq!(pending.pending, 1);
        assert_eq!(
            check(&log.keys(), PERSON, &with_new, &proofs, Some(&second.remember), "2100-01-01T00:00:00Z"),
            Err(Finding::Overdue { id: newer[0].id.clone() })
        );
    }

    #[test]
    fn an_emergency_access_must_have_been_sealed_when_it_was_read() {
        use time::{OffsetDateTime, format_description::well_known::Rfc3339};
        let now = OffsetDateTime::now_utc().replace_nanosecond(0).expect("a time");
        let mut log = Log::new();
        log.add(10);
        log.add_emergency(&now.format(&Rfc3339).expect("a time"));
        log.add(20);
        let (keys, shown) = (log.keys(), log.shown());
        let emergency = shown.iter().find(|entry| entry.basis == "emergency").expect("shown").id.clone();
        let with_seal = |seal: Option<SealedProof>| {
            let mut proofs = log.proofs(31, None);
            for entry in proofs.entries.iter_mut().filter(|entry| entry.index == 10) {
                entry.sealed = seal.clone();
            }
            check(&keys, PERSON, &shown, &proofs, None, LONG_AGO)
        };
        // Held back for weeks, then shown: the checkpoint cosigned at the read already held it.
        assert_eq!(with_seal(Some(log.sealed(11, 31))).map(|verified| verified.proven), Ok(12));
        assert_eq!(with_seal(Some(log.sealed(31, 31))).map(|verified| verified.proven), Ok(12));
        // No seal, a checkpoint from before the entry, one that this tree does not extend, one
        // signed by another portal's key.
        assert_eq!(with_seal(None), Err(Finding::Backdated { id: emergency.clone() }));
        assert_eq!(with_seal(Some(log.sealed(10, 31))), Err(Finding::Backdated { id: emergency.clone() }));
        let mut broken = log.sealed(11, 31);
        broken.consistency[0] = "00".repeat(32);
        assert_eq!(with_seal(Some(broken)), Err(Finding::Backdated { id: emergency.clone() }));
        let mut other = Log::new();
        other.add(31);
        assert_eq!(with_seal(Some(other.sealed(11, 31))), Err(Finding::Backdated { id: emergency.clone() }));
        // Written now but dated two hours back: every checkpoint holding it is cosigned now.
        let mut late = Log::new();
        late.add(10);
        late.add_emergency(&(now - time::Duration::hours(2)).format(&Rfc3339).expect("a time"));
        let mut proofs = late.proofs(11, None);
        for entry in proofs.entries.iter_mut().filter(|entry| entry.index == 10) {
            entry.sealed = Some(late.sealed(11, 11));
        }
        let dated_back = late.shown()[0].id.clone();
        assert_eq!(check(&late.keys(), PERSON, &late.shown(), &proofs, None, LONG_AGO), Err(Finding::Backdated { id: dated_back }));
        // Without a witness there is no time to prove it by: the page says it is not witnessed.
        let unwitnessed = LogKeys { witness: None, ..keys.clone() };
        assert!(check(&unwitnessed, PERSON, &shown, &log.proofs(31, None), None, LONG_AGO).is_ok());
    }

    #[test]
    fn every_change_a_server_could_make_is_found() {
        let mut log = Log::new();
        log.add(20);
        let keys = log.keys();
        let shown = log.shown();
        let first = check(&keys, PERSON, &shown, &log.proofs(20, None), None, LONG_AGO).expect("intact").remember;
        let found = |proofs: &LogProofs, shown: &[ShownEntry], remembered: Option<&Remembered>| {
            check(&keys, PERSON, shown, proofs, remembered, LONG_AGO).expect_err("found")
        };

        // Signed by another key, or not cosigned.
        let mut other = Log::new();
        other.add(20);
        assert_eq!(found(&other.proofs(20, None), &shown, None), Finding::Unsigned);
        let mut uncosigned = log.proofs(20, None);
        uncosigned.checkpoint = sign_checkpoint(&log.signer, 20, tree_hash(20, &log.tiles).expect("root")).expect("signed");
        assert_eq!(found(&uncosigned, &shown, None), Finding::Unwitnessed);

        // A leaf that says something else than the page, or is not in the tree.
        let mut altered = shown.clone();
        altered[0].purpose = "Neugier".into();
        assert_eq!(found(&log.proofs(20, None), &altered, None), Finding::Differs { id: shown[0].id.clone() });
        let mut moved = log.proofs(20, None);
        moved.entries[0].index += 1;
        assert_eq!(found(&moved, &shown, None), Finding::NotIncluded { id: shown[0].id.clone() });

        // Set back, rewritten, or an entry gone since the last visit.
        let earlier = check(&keys, PERSON, &shown, &log.proofs(20, None), None, LONG_AGO).expect("intact").remember;
        log.add(5);
        let grown = check(&keys, PERSON, &log.shown(), &log.proofs(25, Some(20)), Some(&earlier), LONG_AGO).expect("intact");
        assert_eq!(found(&log.proofs(20, None), &shown, Some(&grown.remember)), Finding::SetBack { before: 25, now: 20 });
        let mut forked = Log { signer: log.signer.clone(), witness: log.witness.clone(), leaves: Vec::new(), tiles: TileHashes::default() };
        // The same entries, but one of them written anew (its salt), and more after them.
        forked.add(30);
        forked.leaves[3].salt = "00".repeat(32);
        forked.tiles = TileHashes::default();
        for (n, leaf) in forked.leaves.iter().enumerate() {
            forked.tiles.append(n as u64, record_hash(leaf.to_bytes().as_bytes()), &mut BTreeSet::new());
        }
        assert_eq!(found(&forked.proofs(30, Some(20)), &forked.shown(), Some(&first)), Finding::Rewritten { before: 20 });
        let mut without = shown.clone();
        let gone = without.remove(1);
        let proofs = log.proofs(20, None);
        let mut fewer = proofs.clone();
        fewer.entries.retain(|entry| !entry.leaf.contains(&format!("\"id\":\"{}\"", gone.id)));
        let same = LogProofs { consistency: Vec::new(), ..fewer };
        assert_eq!(found(&same, &without, Some(&first)), Finding::Vanished { id: gone.id });
    }

    #[test]
    fn the_keys_of_the_last_visit_hold() {
        let mut log = Log::new();
        log.add(10);
        let first = check(&log.keys(), PERSON, &log.shown(), &log.proofs(10, None), None, LONG_AGO).expect("intact").remember;
        assert_eq!(first.keys, Some(log.keys()));
        // A server that signs a log of its own with a new key, or has it cosigned by a witness of
        // its own, is found by a browser that checked before; not by one that never did.
        let mut own = Log::new();
        own.add(10);
        assert_eq!(check(&own.keys(), PERSON, &own.shown(), &own.proofs(10, None), Some(&first), LONG_AGO), Err(Finding::KeysChanged));
        let own_witness = Log { witness: own.witness.clone(), ..log.clone() };
        let proofs = own_witness.proofs(10, Some(10));
        assert_eq!(check(&own_witness.keys(), PERSON, &log.shown(), &proofs, Some(&first), LONG_AGO), Err(Finding::KeysChanged));
        let unwitnessed = LogKeys { witness: None, ..log.keys() };
        assert_eq!(check(&unwitnessed, PERSON, &log.shown(), &proofs, Some(&first), LONG_AGO), Err(Finding::KeysChanged));
        assert!(check(&own.keys(), PERSON, &own.shown(), &own.proofs(10, None), None, LONG_AGO).is_ok());
        // A witness added to a log checked without one is no change of what was trusted.
        let before = Remembered { keys: Some(unwitnessed), ..first.clone() };
        assert!(check(&log.keys(), PERSON, &log.shown(), &log.proofs(10, Some(10)), Some(&before), LONG_AGO).is_ok());
        // What a browser kept before the keys were remembered is compared as before.
        let kept_before = Remembered { keys: None, ..first };
        let grown = check(&log.keys(), PERSON, &log.shown(), &log.proofs(10, Some(10)), Some(&kept_before), LONG_AGO).expect("intact");
        assert_eq!((grown.since, grown.remember.keys), (Some(10), Some(log.keys())));
    }
}
