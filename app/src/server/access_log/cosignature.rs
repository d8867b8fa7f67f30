//! Witness cosignatures (C2SP tlog-cosignature, Ed25519 `cosignature/v1`): a witness's
//! statement that, at a time, the checkpoint was the largest consistent tree it saw of the log.
//!
//! A cosignature is a note signature line over the checkpoint, whose bytes are the time (8 bytes,
//! big-endian, seconds since the epoch) and an Ed25519 signature of
//! `cosignature/v1\ntime <time>\n` followed by the checkpoint's text. Keys are written as
//! signed-note keys with the algorithm byte 0x04.

use base64::{Engine, prelude::BASE64_STANDARD};
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use sha2::{Digest, Sha256};

use super::signer::{SignerKeyError, encode_key, random_seed};

/// The signed-note algorithm byte of Ed25519 cosignatures.
const COSIGNATURE_V1: u8 = 0x04;

/// The key ID of a cosigner key: SHA-256(name ‖ "\n" ‖ 0x04 ‖ public key)[:4].
fn cosigner_key_id(name: &str, public: &VerifyingKey) -> u32 {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update(b"\n");
    hasher.update([COSIGNATURE_V1]);
    hasher.update(public.as_bytes());
    let digest = hasher.finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// The message a cosignature signs.
fn signed_message(time: u64, checkpoint: &[u8]) -> Vec<u8> {
    [format!("cosignature/v1\ntime {time}\n").as_bytes(), checkpoint].concat()
}

/// Splits `<name>+<id>+<base64>` (after an optional `PRIVATE+KEY+`) into its name, id and the
/// key bytes after the algorithm byte 0x04.
fn split_key(key: &str) -> Result<(String, u32, Vec<u8>), SignerKeyError> {
    let (name, rest) = key.split_once('+').ok_or(SignerKeyError::Format)?;
    let (id, encoded) = rest.split_once('+').ok_or(SignerKeyError::Format)?;
    if !signed_note::is_key_name_valid(name) || id.len() != 8 {
        return Err(SignerKeyError::Format);
    }
    let id = u32::from_str_radix(id, 16).map_err(|_| SignerKeyError::Format)?;
    let bytes = BASE64_STANDARD.decode(encoded).map_err(|_| SignerKeyError::Format)?;
    let key = bytes.strip_prefix(&[COSIGNATURE_V1]).ok_or(SignerKeyError::Format)?.to_vec();
    Ok((name.to_owned(), id, key))
}

/// A witness's key that cosigns checkpoints.
#[derive(Clone)]
pub struct Cosigner {
    name: String,
    key: SigningKey,
}

impl std::fmt::Debug for Cosigner {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Cosigner").field("name", &self.name).finish_non_exhaustive()
    }
}

fn now() -> u64 {
    u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(0)
}

impl Cosigner {
    /// A key as `server witness-key` prints it (`PRIVATE+KEY+<name>+<id>+<key>`).
    pub fn parse(skey: &str) -> Result<Self, SignerKeyError> {
        let rest = skey.strip_prefix("PRIVATE+KEY+").ok_or(SignerKeyError::Format)?;
        let (name, id, seed) = split_key(rest)?;
        let seed: [u8; 32] = seed.try_into().map_err(|_| SignerKeyError::Format)?;
        let cosigner = Self { name, key: SigningKey::from_bytes(&seed) };
        if cosigner_key_id(&cosigner.name, &cosigner.key.verifying_key()) != id {
            return Err(SignerKeyError::Format);
        }
        Ok(cosigner)
    }

    /// A new key named `name`, from the operating system's random source.
    pub fn generate(name: &str) -> Result<Self, SignerKeyError> {
        if !signed_note::is_key_name_valid(name) {
            return Err(SignerKeyError::Format);
        }
        Ok(Self { name: name.to_owned(), key: SigningKey::from_bytes(&random_seed()?) })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The signing key, to keep secret.
    pub fn signer_key(&self) -> String {
        encode_key(&self.name, self.id(), COSIGNATURE_V1, self.key.as_bytes(), true)
    }

    /// The verifier key (signed-note vkey, algorithm 0x04), which anyone may have.
    pub fn verifier_key(&self) -> String {
        encode_key(&self.name, self.id(), COSIGNATURE_V1, self.key.verifying_key().as_bytes(), false)
    }

    fn id(&self) -> u32 {
        cosigner_key_id(&self.name, &self.key.verifying_key())
    }
}

impl signed_note::Signer for Cosigner {
    fn name(&self) -> &str {
        &self.name
    }

    fn key_id(&self) -> u32 {
        self.id()
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, ed25519_dalek::SignatureError> {
        let time = now();
        let signature = self.key.sign(&signed_message(time, msg));
        Ok([&time.to_be_bytes()[..], &signature.to_bytes()].concat())
    }
}

/// Checks a witness's cosignatures, given its verifier key.
#[derive(Clone, Debug)]
pub struct CosignatureVerifier {
    name: String,
    id: u32,
    key: VerifyingKey,
}

impl CosignatureVerifier {
    pub fn parse(vkey: &str) -> Result<Self, SignerKeyError> {
        let (name, id, key) = split_key(vkey)?;
        let key: [u8; 32] = key.try_into().map_err(|_| SignerKeyError::Format)?;
        let key = VerifyingKey::from_bytes(&key).map_err(|_| SignerKeyError::Format)?;
        if cosigner_key_id(&name, &key) != id {
            return Err(SignerKeyError::Format);
        }
        Ok(Self { name, id, key })
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

#[cfg(test)]
mod tests {
    use signed_note::{Note, Verifier as _};

    use super::*;

    #[test]
    fn a_cosignature_is_over_its_time_and_the_checkpoint_and_checks_only_with_its_key() -> Result<(), SignerKeyError> {
        let cosigner = Cosigner::parse(&Cosigner::generate("datenschutz.stadt.example/zeuge")?.signer_key())?;
        let verifier = CosignatureVerifier::parse(&cosigner.verifier_key())?;
        let text = b"stadt.example/klarsicht\n3\nAAAA\n";
        let mut note = Note::new(text, &[]).map_err(|_| SignerKeyError::Format)?;
        note.add_sigs(&[&cosigner]).map_err(|_| SignerKeyError::Format)?;
        let line = String::from_utf8(note.to_bytes()).map_err(|_| SignerKeyError::Format)?;
        let encoded = line.rsplit(' ').next().unwrap_or_default().trim();
        let bytes = BASE64_STANDARD.decode(encoded).map_err(|_| SignerKeyError::Format)?;
        assert_eq!(bytes.len(), 4 + 8 + 64);
        let time = verifier.time_of(text, &bytes[4..]);
        assert!(time.is_some_and(|time| time.abs_diff(now()) < 60), "{time:?}");
        assert!(!verifier.verify(b"stadt.example/klarsicht\n4\nAAAA\n", &bytes[4..]));
        let mut later = bytes[4..].to_vec();
        later[7] ^= 1;
        assert!(!verifier.verify(text, &later), "the time is signed too");
        let other = CosignatureVerifier::parse(&Cosigner::generate("datenschutz.stadt.example/zeuge")?.verifier_key())?;
        assert!(!other.verify(text, &bytes[4..]));
        // A log's own key (algorithm 0x01) is no cosigner key.
        let log_key = super::super::signer::LogSigner::generate("stadt.example/klarsicht")?.verifier_key();
        assert!(CosignatureVerifier::parse(&log_key).is_err());
        Ok(())
    }
}
