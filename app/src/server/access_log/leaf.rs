//! Writing an access-log entry's leaf ([`Leaf`], shared with the citizen's browser): its
//! fields from the entry, and its salt from the operating system.

pub use crate::log_proof::leaf::Leaf;
use crate::server::db::{CitizenId, LogEntryId, MixedId, Timestamp};

/// Bytes of salt in a leaf.
const SALT_BYTES: usize = 32;

impl Leaf {
    /// The leaf of an entry: its codes as the citizen's export gives them, and `salt`.
    #[expect(clippy::too_many_arguments, reason = "every field of an entry goes into its leaf")]
    pub fn of(
        id: LogEntryId,
        occurred_at: Timestamp,
        office: &str,
        person: CitizenId,
        categories: Vec<String>,
        purpose: &str,
        basis: &str,
        rests_on: Option<MixedId>,
        salt: String,
    ) -> Self {
        Self {
            id: id.to_string(),
            time: occurred_at.to_rfc3339(),
            office: office.to_owned(),
            role: "caseworker".to_owned(),
            person: person.to_string(),
            categories,
            purpose: purpose.to_owned(),
            basis: basis.to_owned(),
            rests_on: rests_on.map(|id| id.to_string()),
            salt,
        }
    }
}

/// A new salt from the operating system's random source.
pub fn salt() -> Result<String, getrandom::Error> {
    let mut bytes = [0_u8; SALT_BYTES];
    getrandom::fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salts_are_32_random_bytes_in_hex() -> Result<(), getrandom::Error> {
        let salt = salt()?;
        assert_eq!(salt.len(), 64);
        assert!(salt.bytes().all(|byte| byte.is_ascii_hexdigit()));
        assert_ne!(self::salt()?, salt);
        Ok(())
    }
}
