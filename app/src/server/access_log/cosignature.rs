//! The witness's key, which cosigns checkpoints (C2SP tlog-cosignature, Ed25519
//! `cosignature/v1`); checking cosignatures is shared with the browser
//! ([`crate::log_proof::cosignature`]).

use ed25519_dalek::{Signer as _, SigningKey};

pub use crate::log_proof::cosignature::CosignatureVerifier;
use crate::log_proof::cosignature::{COSIGNATURE_V1, cosigner_key_id, signed_message, split_key};
use super::signer::{SignerKeyError, encode_key, random_seed};

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
        let (name, id, seed) = split_key(rest).ok_or(SignerKeyError::Format)?;
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

#[cfg(test)]
mod tests {
    use signed_note::{Note, Verifier as _};

    use base64::{Engine, prelude::BASE64_STANDARD};

    use super::*;

    #[test]
    fn a_cosignature_is_over_its_time_and_the_checkpoint_and_checks_only_with_its_key() -> Result<(), SignerKeyError> {
        let cosigner = Cosigner::parse(&Cosigner::generate("datenschutz.stadt.example/zeuge")?.signer_key())?;
        let verifier = CosignatureVerifier::parse(&cosigner.verifier_key()).ok_or(SignerKeyError::Format)?;
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
        let other = CosignatureVerifier::parse(&Cosigner::generate("datenschutz.stadt.example/zeuge")?.verifier_key()).ok_or(SignerKeyError::Format)?;
        assert!(!other.verify(text, &bytes[4..]));
        // A log's own key (algorithm 0x01) is no cosigner key.
        let log_key = super::super::signer::LogSigner::generate("stadt.example/klarsicht")?.verifier_key();
        assert!(CosignatureVerifier::parse(&log_key).is_none());
        Ok(())
    }
}
