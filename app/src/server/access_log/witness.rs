//! The witness (C2SP tlog-witness): an independent party that cosigns the portal's checkpoints
//! only when each extends the last one it cosigned, so that the log can never show a citizen a
//! history it later rewrites, rolls back or shows others differently without the witness's
//! cosignatures running out.
//!
//! [`Witness`] is the witness's side (`server witness` serves it); [`WitnessClient`] is the
//! portal's, which the sequencer calls after each checkpoint.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use base64::{Engine, prelude::BASE64_STANDARD};
use signed_note::{Note, StandardVerifier, VerifierList};
use tlog_tiles::{Checkpoint, EMPTY_HASH, Hash, check_tree};
use tokio::sync::Mutex;

use super::cosignature::{CosignatureVerifier, Cosigner};

/// The most consistency proof lines a request may carry (C2SP tlog-witness).
const MOST_PROOF_LINES: usize = 63;
/// The largest request the witness reads.
pub const MOST_REQUEST_BYTES: usize = 64 * 1024;

/// What the witness last cosigned of the log: its size and root; and the gaps its operator
/// accepted, each a time it cosigned a history that did not extend the one before.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Cosigned {
    pub size: u64,
    /// Base64, as in a checkpoint.
    pub root: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<AcceptedGap>,
}

/// A restored log its operator accepted (`server witness-accept-gap`): from the tree it had
/// cosigned to the restored one's checkpoint, with when and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AcceptedGap {
    pub from_size: u64,
    pub from_root: String,
    pub to_size: u64,
    pub to_root: String,
    /// RFC 3339.
    pub accepted_at: String,
    pub reason: String,
}

/// The witness's answer to `add-checkpoint`: an HTTP status, a content type and a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

impl Answer {
    fn refusal(status: u16, reason: &str) -> Self {
        Self { status, content_type: "text/plain; charset=utf-8", body: format!("{reason}\n") }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WitnessError {
    #[error("the witness's state file {path} cannot be read ({reason}): restore it from its backup; a witness that lost its state must not cosign again under the same key")]
    State { path: PathBuf, reason: String },
    #[error("the witness's state file {0} does not exist: a new witness starts once with --init; one that lost its state needs a new key (`server witness-key`), never --init")]
    NoState(PathBuf),
    #[error("--init starts a new witness, but its state file {0} exists already: start without --init")]
    StateExists(PathBuf),
    #[error("the log's key is no signed-note verifier key: give the portal's, as GET /log/key serves it")]
    LogKey,
    #[error("the checkpoint file holds no checkpoint signed by the log's key: save the portal's GET /log/checkpoint and give that file")]
    Checkpoint,
    #[error("the witness has cosigned {0} entries, no more than this checkpoint holds: there is no gap to accept")]
    NotAhead(u64),
    #[error("this checkpoint was accepted already, on {0}: accepting it again would set the log back once more")]
    AcceptedAlready(String),
    #[error("the witness's state file {path} cannot be written ({reason}): check its directory's permissions")]
    Write { path: PathBuf, reason: String },
}

/// `server witness-accept-gap`: after the portal's operators declared a gap (a restore that lost
/// entries the witness had cosigned), the witness's operator accepts the restored log's
/// checkpoint `note` as the one last cosigned, so that the witness cosigns the log's new history.
/// Its state keeps the acceptance; a checkpoint accepted once is never accepted again. The
/// witness must not run meanwhile: it reads its state when it starts.
pub fn accept_gap(log_key: &str, state_file: &Path, note: &[u8], reason: &str) -> Result<AcceptedGap, WitnessError> {
    StandardVerifier::new(log_key).map_err(|_| WitnessError::LogKey)?;
    let origin = log_key.split('+').next().unwrap_or_default();
    let refused = |reason: String| WitnessError::State { path: state_file.to_owned(), reason };
    let bytes = match std::fs::read(state_file) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Err(WitnessError::NoState(state_file.to_owned())),
        Err(error) => return Err(refused(error.to_string())),
    };
    let mut state: Cosigned = serde_json::from_slice(&bytes).map_err(|error| refused(error.to_string()))?;
    let note = Note::from_bytes(note).map_err(|_| WitnessError::Checkpoint)?;
    let checkpoint = Checkpoint::from_bytes(note.text()).map_err(|_| WitnessError::Checkpoint)?;
    if checkpoint.origin() != origin || !signed_by(&note, log_key) {
        return Err(WitnessError::Checkpoint);
    }
    let (to_size, to_root) = (checkpoint.size(), BASE64_STANDARD.encode(checkpoint.hash().0));
    if let Some(earlier) = state.gaps.iter().find(|gap| gap.to_size == to_size && gap.to_root == to_root) {
        return Err(WitnessError::AcceptedAlready(earlier.accepted_at.clone()));
    }
    if state.size <= to_size {
        return Err(WitnessError::NotAhead(state.size));
    }
    let gap = AcceptedGap {
        from_size: state.size,
        from_root: state.root.clone(),
        to_size,
        to_root: to_root.clone(),
        accepted_at: crate::server::db::Timestamp::now().to_rfc3339(),
        reason: reason.to_owned(),
    };
    state.gaps.push(gap.clone());
    (state.size, state.root) = (to_size, to_root);
    persist(state_file, &state).map_err(|error| WitnessError::Write { path: state_file.to_owned(), reason: error.to_string() })?;
    Ok(gap)
}

/// The witness of one log.
pub struct Witness {
    cosigner: Cosigner,
    origin: String,
    /// The log's verifier key (a list of them is built per request: it is not `Send`).
    log_key: String,
    state_file: PathBuf,
    /// What it last cosigned; held while a request is checked and the new state written, so no
    /// two requests can interleave (C2SP tlog-witness).
    state: Mutex<Option<Cosigned>>,
}

impl Witness {
    /// The witness of the log whose key is `log_key` (a signed-note verifier key; its name is
    /// the log's origin), keeping its state in `state_file`. A new witness (`init`) starts
    /// without one and writes it; otherwise it must be there: a witness that lost what it
    /// cosigned would cosign a log set back.
    pub fn open(cosigner: Cosigner, log_key: &str, state_file: &Path, init: bool) -> Result<Self, WitnessError> {
        let refused = |reason: String| WitnessError::State { path: state_file.to_owned(), reason };
        StandardVerifier::new(log_key).map_err(|_| WitnessError::LogKey)?;
        let origin = log_key.split('+').next().unwrap_or_default().to_owned();
        let state: Option<Cosigned> = match (std::fs::read(state_file), init) {
            (Ok(_), true) => return Err(WitnessError::StateExists(state_file.to_owned())),
            (Ok(bytes), false) => {
                let state: Cosigned = serde_json::from_slice(&bytes).map_err(|error| refused(error.to_string()))?;
                Hash::parse_hash(&state.root).map_err(|_| refused("its root is no hash".to_owned()))?;
                Some(state)
            }
            (Err(error), false) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(WitnessError::NoState(state_file.to_owned()));
            }
            (Err(error), true) if error.kind() == std::io::ErrorKind::NotFound => None,
            (Err(error), _) => return Err(refused(error.to_string())),
        };
        Ok(Self {
            cosigner,
            origin,
            log_key: log_key.to_owned(),
            state_file: state_file.to_owned(),
            state: Mutex::new(state),
        })
    }

    /// What it last cosigned.
    pub async fn cosigned(&self) -> Option<Cosigned> {
        self.state.lock().await.clone()
    }

    /// `POST /add-checkpoint`: checks the request and, if the checkpoint extends what it last
    /// cosigned, records it and cosigns it.
    pub async fn add_checkpoint(&self, body: &[u8]) -> Answer {
        let Some((old, proof, note)) = parse_request(body) else {
            return Answer::refusal(400, "the request is no add-checkpoint request (old size, proof lines, a blank line, the checkpoint)");
        };
        let Ok(note) = Note::from_bytes(note) else { return Answer::refusal(403, "the checkpoint is no signed note") };
        let Ok(checkpoint) = Checkpoint::from_bytes(note.text()) else {
            return Answer::refusal(403, "the note is no checkpoint");
        };
        if checkpoint.origin() != self.origin {
            return Answer::refusal(404, "this witness does not witness that log");
        }
        if !signed_by(&note, &self.log_key) {
            return Answer::refusal(403, "the checkpoint is not signed by the log's key");
        }
        let (size, root) = (checkpoint.size(), *checkpoint.hash());
        if old > size {
            return Answer::refusal(400, "the old size is larger than the checkpoint's");
        }
        let mut state = self.state.lock().await;
        let (known_size, known_root) = match state.as_ref() {
            Some(known) => (known.size, Hash::parse_hash(&known.root).unwrap_or(EMPTY_HASH)),
            None => (0, EMPTY_HASH),
        };
        if old != known_size {
            return Answer { status: 409, content_type: "text/x.tlog.size", body: format!("{known_size}\n") };
        }
        let consistent = if size == 0 {
            root == EMPTY_HASH && proof.is_empty()
        } else if old == 0 {
            proof.is_empty()
        } else if old == size {
            if root != known_root {
                // Two different trees of one size: never both cosigned.
                return Answer { status: 409, content_type: "text/x.tlog.size", body: format!("{known_size}\n") };
            }
            proof.is_empty()
        } else {
            check_tree(&proof, size, root, old, known_root).is_ok()
        };
        if !consistent {
            tracing::warn!(old, size, "refused a checkpoint that does not extend the one last cosigned");
            return Answer::refusal(422, "the consistency proof does not hold: the log's history was changed");
        }
        let gaps = state.as_ref().map(|known| known.gaps.clone()).unwrap_or_default();
        let cosigned = Cosigned { size, root: BASE64_STANDARD.encode(root.0), gaps };
        // The same checkpoint again (anyone may send the public one) changes nothing to write.
        if state.as_ref() != Some(&cosigned) {
            let file = self.state_file.clone();
            let written = cosigned.clone();
            let written = tokio::task::spawn_blocking(move || persist(&file, &written)).await.map_err(std::io::Error::other);
            if let Err(error) = written.and_then(|written| written) {
                tracing::error!(%error, "the witness could not write its state");
                return Answer::refusal(500, "the witness could not record the checkpoint");
            }
            *state = Some(cosigned);
        }
        drop(state);
        match cosignature_lines(&self.cosigner, note.text()) {
            Some(lines) => Answer { status: 200, content_type: "text/plain; charset=utf-8", body: lines },
            None => Answer::refusal(500, "the witness could not sign"),
        }
    }
}

/// The text a signed note's signatures are over (for a checkpoint, its three lines); empty
/// when it is no signed note.
pub fn checkpoint_text(note: &str) -> Vec<u8> {
    Note::from_bytes(note.as_bytes()).map(|note| note.text().to_vec()).unwrap_or_default()
}

/// Whether `note` carries a valid signature of the key `vkey`.
pub fn signed_by(note: &Note, vkey: &str) -> bool {
    let Ok(verifier) = StandardVerifier::new(vkey) else { return false };
    note.verify(&VerifierList::new(vec![Box::new(verifier)])).is_ok()
}

/// The request's old size, its proof and the checkpoint's bytes.
fn parse_request(body: &[u8]) -> Option<(u64, Vec<Hash>, &[u8])> {
    let text = std::str::from_utf8(body).ok()?;
    let (head, note) = text.split_once("\n\n")?;
    let mut lines = head.split('\n');
    let old = lines.next()?.strip_prefix("old ")?;
    if old.is_empty() || !old.bytes().all(|byte| byte.is_ascii_digit()) || (old.len() > 1 && old.starts_with('0')) {
        return None;
    }
    let old: u64 = old.parse().ok()?;
    let proof: Vec<Hash> = lines.map(|line| Hash::parse_hash(line).ok()).collect::<Option<_>>()?;
    if proof.len() > MOST_PROOF_LINES || (old == 0 && !proof.is_empty()) {
        return None;
    }
    Some((old, proof, note.as_bytes()))
}

/// The cosignature lines of `cosigner` over the checkpoint text `text`.
fn cosignature_lines(cosigner: &Cosigner, text: &[u8]) -> Option<String> {
    let mut note = Note::new(text, &[]).ok()?;
    note.add_sigs(&[cosigner]).ok()?;
    let signed = String::from_utf8(note.to_bytes()).ok()?;
    let lines: String = signed.lines().filter(|line| line.starts_with('—')).map(|line| format!("{line}\n")).collect();
    (!lines.is_empty()).then_some(lines)
}

/// Writes the state so that a crash leaves the old one or the new one, never half of either.
fn persist(path: &Path, cosigned: &Cosigned) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".neu");
    let temporary = PathBuf::from(temporary);
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(&serde_json::to_vec(cosigned).map_err(std::io::Error::other)?)?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)?;
    let directory = path.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::File::open(directory)?.sync_all()?;
    Ok(())
}

/// What the witness answered the portal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cosigning {
    /// Its cosignature lines, checked against its key.
    Cosigned(String),
    /// It last cosigned another size: ask again from there.
    Elsewhere(u64),
    /// It refused, with its status and reason.
    Refused(u16, String),
}

/// The portal's side: asks the witness to cosign.
#[derive(Clone, Debug)]
pub struct WitnessClient {
    url: String,
    verifier: CosignatureVerifier,
    http: reqwest::Client,
}

impl WitnessClient {
    /// The witness at `url` (its submission prefix), whose cosignatures `key` checks.
    pub fn new(url: &str, key: CosignatureVerifier) -> Self {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap_or_default();
        Self { url: url.trim_end_matches('/').to_owned(), verifier: key, http }
    }

    /// The witness's name (its key's).
    pub fn name(&self) -> &str {
        signed_note::Verifier::name(&self.verifier)
    }

    /// The witness's verifier key.
    pub fn verifier_key(&self) -> &str {
        self.verifier.verifier_key()
    }

    /// Asks for a cosignature of `note` (a signed checkpoint), with the consistency proof from
    /// `old`, the size the witness last cosigned.
    pub async fn cosign(&self, old: u64, proof: &[Hash], note: &str) -> Result<Cosigning, reqwest::Error> {
        let proof: String = proof.iter().map(|hash| format!("{}\n", BASE64_STANDARD.encode(hash.0))).collect();
        let body = format!("old {old}\n{proof}\n{note}");
        let response = self.http.post(format!("{}/add-checkpoint", self.url)).body(body).send().await?;
        let status = response.status().as_u16();
        let text = response.text().await?;
        Ok(match status {
            200 => {
                let checkpoint = checkpoint_text(note);
                let ours: String = text
                    .lines()
                    .filter(|line| self.line_holds(&checkpoint, line))
                    .map(|line| format!("{line}\n"))
                    .collect();
                if ours.is_empty() {
                    Cosigning::Refused(status, "the answer holds no cosignature of the witness's key".to_owned())
                } else {
                    Cosigning::Cosigned(ours)
                }
            }
            409 => match text.trim().parse() {
                Ok(size) => Cosigning::Elsewhere(size),
                Err(_) => Cosigning::Refused(status, text),
            },
            _ => Cosigning::Refused(status, text),
        })
    }

    /// Whether `line` is a cosignature of this witness's key over the checkpoint text `text`.
    pub fn line_holds(&self, text: &[u8], line: &str) -> bool {
        let Some(rest) = line.strip_prefix("— ") else { return false };
        let Some((name, encoded)) = rest.split_once(' ') else { return false };
        let Ok(bytes) = BASE64_STANDARD.decode(encoded.trim()) else { return false };
        let Some((id, signature)) = bytes.split_first_chunk::<4>() else { return false };
        name == self.name()
            && u32::from_be_bytes(*id) == signed_note::Verifier::key_id(&self.verifier)
            && self.verifier.time_of(text, signature).is_some()
    }
}

#[cfg(test)]
mod tests {
    use tlog_tiles::EMPTY_HASH;

    use super::*;
    use crate::server::access_log::{sequencer::sign_checkpoint, signer::LogSigner};

    #[tokio::test]
    async fn a_witness_starts_new_only_when_told_and_keeps_what_it_cosigned_across_restarts() -> Result<(), Box<dyn std::error::Error>> {
        let directory = tempfile::tempdir()?;
        let state = directory.path().join("zeuge.json");
        let log = LogSigner::generate("stadt.example/klarsicht")?;
        let cosigner = Cosigner::generate("datenschutz.stadt.example/zeuge")?;
        let open = |init| Witness::open(cosigner.clone(), &log.verifier_key(), &state, init);
        assert!(matches!(open(false), Err(WitnessError::NoState(_))), "a lost state is not a new start");

        let witness = open(true)?;
        let empty = sign_checkpoint(&log, 0, EMPTY_HASH)?;
        let first = witness.add_checkpoint(format!("old 0\n\n{empty}").as_bytes()).await;
        assert_eq!(first.status, 200, "{first:?}");
        assert!(first.body.starts_with("— datenschutz.stadt.example/zeuge "), "{first:?}");
        // The same checkpoint again: cosigned again, nothing else changes.
        assert_eq!(witness.add_checkpoint(format!("old 0\n\n{empty}").as_bytes()).await.status, 200);
        assert_eq!(witness.add_checkpoint(format!("old +0\n\n{empty}").as_bytes()).await.status, 400);
        drop(witness);

        assert!(matches!(open(true), Err(WitnessError::StateExists(_))), "--init never resets a state");
        let again = open(false)?;
        assert_eq!(again.cosigned().await, Some(Cosigned { size: 0, root: BASE64_STANDARD.encode(EMPTY_HASH.0), gaps: Vec::new() }));
        // Its operator accepts a restored log only when the witness is ahead of it, only a
        // checkpoint of the log's own key, and each only once.
        let not_ahead = accept_gap(&log.verifier_key(), &state, empty.as_bytes(), "Sicherung eingespielt");
        assert!(matches!(not_ahead, Err(WitnessError::NotAhead(0))), "{not_ahead:?}");
        let impostor = LogSigner::generate("stadt.example/klarsicht")?;
        let forged = sign_checkpoint(&impostor, 0, EMPTY_HASH)?;
        assert!(matches!(accept_gap(&log.verifier_key(), &state, forged.as_bytes(), "x"), Err(WitnessError::Checkpoint)));
        std::fs::write(&state, br#"{"size":3,"root":"kein Hash"}"#)?;
        assert!(matches!(open(false), Err(WitnessError::State { .. })), "a state it cannot read stops it");
        Ok(())
    }
}
