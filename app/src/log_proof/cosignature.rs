//! Witness cosignatures (C2SP tlog-cosignature, Ed25519 `cosignature/v1`): a witness's
//! statement that, at a time, the checkpoint was the largest consistent tree it saw of the log.
//!
//! A cosignature is a note signature line over the checkpoint, whose bytes are the time (8 bytes,
//! big-endian, seconds since the epoch) and an Ed25519 signature of
//! `cosignature/v1\ntime <time>\n` followed by the checkpoint's text. Keys are written as
//! signed-note keys with the algorithm byte 0x04. The witness cosigns (`server::access_log::
//! cosignature`); the server and the citizen's browser check.

use base64::{Engine, prelude::BASE64_STANDARD};
use ed25519_dalek::{Signature, Verifier as _, VerifyingKey};
use sha2::{Digest, Sha256};

/// The signed-note algorithm byte of Ed25519 cosignatures.
pub const COSIGNATURE_V1: u8 = 0x04;

/// The key ID of a cosigner key: SHA-256(name ‖ "\n" ‖ 0x04 ‖ public key)[:4].
pub fn cosigner_key_id(name: &str, public: &VerifyingKey) -> u32 {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update(b"\n");
    hasher.update([COSIGNATURE_V1]);
    hasher.update(public.as_bytes());
    let digest = hasher.finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// The message a cosignature signs.
pub fn signed_message(time: u64, checkpoint: &[u8]) -> Vec<u8> {
    [format!("cosignature/v1\ntime {time}\n").as_bytes(), checkpoint].concat()
}

/// Splits `<name>+<id>+<base64>` (after an optional `PRIVATE+KEY+`) into its name, id and the
/// key bytes after the algorithm byte 0x04.
pub fn split_key(key: &str) -> Option<(String, u32, Vec<u8>)> {
    let (name, rest) = key.split_once('+')?;
    let (id, encoded) = rest.split_once('+')?;
    if !signed_note::is_key_name_valid(name) || id.len() != 8 {
        return None;
    }
    let id = u32::from_str_radix(id, 16).ok()?;
    let bytes = BASE64_STANDARD.decode(encoded).ok()?;
    let key = bytes.strip_prefix(&[COSIGNATURE_V1])?.to_vec();
    Some((name.to_owned(), id, key))
}

/// Checks a witness's cosignatures, given its verifier key.
#[derive(Clone, Debug)]
pub struct CosignatureVerifier {
    name: String,
    id: u32,
    key: VerifyingKey,
    /// The key as it was given.
    text: String,
}

impl CosignatureVerifier {
    /// A verifier key as `server witness-key` prints it (`<name>+<id>+<key>`), if it is one.
    pub fn parse(vkey: &str) -> Option<Self> {
        let (name, id, key) = split_key(vkey)?;
        let key = VerifyingKey::from_bytes(&key.try_into().ok()?).ok()?;
        (cosigner_key_id(&name, &key) == id).then(|| Self { name, id, key, text: vkey.to_owned() })
    }

    /// The witness's name, as its key gives it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The verifier key, as `parse` was given it.
    pub fn verifier_key(&self) -> &str {
        &self.text
    }

    /// The time a cosignature says, if it is one of this key over `checkpoint` (the note's text).
    pub fn time_of(&self, checkpoint: &[u8], signature: &[u8]) -> Option<u64> {
        let (time, signature) = signature.split_first_chunk::<8>()?;
        let time = u64::from_be_bytes(*time);
        let signature = Signature::from_slice(signature).ok()?;
        self.key.verify(&signed_message(time, checkpoint), &signature).ok().map(|()| time)
    }
}

impl signed_note::Verifier for CosignatureVerifier {
    fn name(&self) -> &str {
        &self.name
    }

    fn key_id(&self) -> u32 {
        self.id
    }

    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        self.time_of(msg, sig).is_some()
    }
}
