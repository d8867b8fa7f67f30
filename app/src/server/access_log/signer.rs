//! The portal's key for the access log's checkpoints: Ed25519, in the key formats of C2SP
//! signed-note (`PRIVATE+KEY+<name>+<id>+<key>` to sign, `<name>+<id>+<key>` to verify).
//!
//! The key's name is the log's origin, the first line of every checkpoint.

use base64::{Engine, prelude::BASE64_STANDARD};
use ed25519_dalek::{Signer as _, SigningKey};
use sha2::{Digest, Sha256};
use signed_note::{StandardSigner, key_id, new_ed25519_verifier_key};

/// The signed-note algorithm byte of Ed25519.
const ED25519: u8 = 0x01;

/// A key in the signed-note format: `<name>+<id>+<base64(algorithm ‖ key)>`, after
/// `PRIVATE+KEY+` for a signing key.
pub(super) fn encode_key(name: &str, id: u32, algorithm: u8, key: &[u8], private: bool) -> String {
    let prefix = if private { "PRIVATE+KEY+" } else { "" };
    format!("{prefix}{name}+{id:08x}+{}", BASE64_STANDARD.encode([&[algorithm][..], key].concat()))
}

/// 32 bytes from the operating system's random source: a new key's seed.
pub(super) fn random_seed() -> Result<[u8; 32], SignerKeyError> {
    let mut seed = [0_u8; 32];
    getrandom::fill(&mut seed).map_err(|_| SignerKeyError::Random)?;
    Ok(seed)
}

/// The key that signs the log's checkpoints.
#[derive(Clone)]
pub struct LogSigner {
    name: String,
    key: SigningKey,
}

impl std::fmt::Debug for LogSigner {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("LogSigner").field("name", &self.name).finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignerKeyError {
    #[error("it is no signed-note Ed25519 signing key (PRIVATE+KEY+<name>+<id>+<key>)")]
    Format,
    #[error("the operating system gave no random bytes")]
    Random,
}

impl LogSigner {
    /// A key as `server log-key` prints it.
    pub fn parse(skey: &str) -> Result<Self, SignerKeyError> {
        // The crate checks the form, the name and that the id fits the key.
        StandardSigner::new(skey).map_err(|_| SignerKeyError::Format)?;
        let (name, rest) = skey.strip_prefix("PRIVATE+KEY+").and_then(|rest| rest.split_once('+')).ok_or(SignerKeyError::Format)?;
        let (_, encoded) = rest.split_once('+').ok_or(SignerKeyError::Format)?;
        let bytes = BASE64_STANDARD.decode(encoded).map_err(|_| SignerKeyError::Format)?;
        let seed: [u8; 32] = bytes.strip_prefix(&[ED25519]).and_then(|seed| seed.try_into().ok()).ok_or(SignerKeyError::Format)?;
        Ok(Self { name: name.to_owned(), key: SigningKey::from_bytes(&seed) })
    }

    /// A new key named `name`, from the operating system's random source.
    pub fn generate(name: &str) -> Result<Self, SignerKeyError> {
        Self::from_seed(name, random_seed()?)
    }

    /// The key development mode uses without a setting: derived from the server's secret, so
    /// it stays the same across restarts, as citizens' browsers expect.
    pub fn for_development(name: &str, secret: &str) -> Result<Self, SignerKeyError> {
        let mut hasher = Sha256::new();
        hasher.update(b"klarsicht access log signing key v1\0");
        hasher.update(secret.as_bytes());
        Self::from_seed(name, hasher.finalize().into())
    }

    fn from_seed(name: &str, seed: [u8; 32]) -> Result<Self, SignerKeyError> {
        if !signed_note::is_key_name_valid(name) {
            return Err(SignerKeyError::Format);
        }
        Ok(Self { name: name.to_owned(), key: SigningKey::from_bytes(&seed) })
    }

    /// The log's origin: the key's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The signing key in the signed-note format, to keep secret.
    pub fn signer_key(&self) -> String {
        encode_key(&self.name, self.id(), ED25519, self.key.as_bytes(), true)
    }

    /// The verifier key in the signed-note format, which anyone may have.
    pub fn verifier_key(&self) -> String {
        new_ed25519_verifier_key(&self.name, &self.key.verifying_key())
    }

    fn id(&self) -> u32 {
        key_id(&self.name, &[&[ED25519][..], self.key.verifying_key().as_bytes()].concat())
    }
}

impl signed_note::Signer for LogSigner {
    fn name(&self) -> &str {
        &self.name
    }

    fn key_id(&self) -> u32 {
        self.id()
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, ed25519_dalek::SignatureError> {
        Ok(self.key.sign(msg).to_bytes().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use signed_note::{Note, StandardVerifier, VerifierList};

    use super::*;

    #[test]
    fn a_key_signs_notes_its_verifier_key_checks_and_survives_its_own_format() -> Result<(), SignerKeyError> {
        let signer = LogSigner::generate("stadt.example/klarsicht")?;
        let again = LogSigner::parse(&signer.signer_key())?;
        assert_eq!(again.verifier_key(), signer.verifier_key());
        let mut note = Note::new(b"stadt.example/klarsicht\n1\nAAAA\n", &[]).map_err(|_| SignerKeyError::Format)?;
        note.add_sigs(&[&again]).map_err(|_| SignerKeyError::Format)?;
        let verifier = StandardVerifier::new(&signer.verifier_key()).map_err(|_| SignerKeyError::Format)?;
        let signed = Note::from_bytes(&note.to_bytes()).map_err(|_| SignerKeyError::Format)?;
        assert!(signed.verify(&VerifierList::new(vec![Box::new(verifier)])).is_ok());
        assert!(matches!(LogSigner::parse("PRIVATE+KEY+x+00000000+AAAA"), Err(SignerKeyError::Format)));
        assert_ne!(LogSigner::for_development("a", "s1")?.verifier_key(), LogSigner::for_development("a", "s2")?.verifier_key());
        assert_eq!(LogSigner::for_development("a", "s1")?.verifier_key(), LogSigner::for_development("a", "s1")?.verifier_key());
        Ok(())
    }

}
