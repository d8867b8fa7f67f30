//! An access-log entry as a leaf of the Merkle tree: the exact bytes that are hashed.
//!
//! A JSON object with the entry's codes as the citizen's export gives them, and a random salt,
//! so that nobody can confirm a guessed entry from the public hashes, and anyone holding the
//! leaf can compare it with what the portal shows. Its keys come in this order, without spaces.
//! The server writes leaves (`Leaf::of`); the citizen's browser reads them.

use serde::{Deserialize, Serialize};

/// What a leaf says. The field order is the key order of its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Leaf {
    /// The entry's id.
    pub id: String,
    /// When the read happened, RFC 3339 in UTC.
    pub time: String,
    /// The office's code.
    pub office: String,
    /// The reader's role: `caseworker`.
    pub role: String,
    /// The citizen whose data was read.
    pub person: String,
    /// The categories' codes, sorted.
    pub categories: Vec<String>,
    pub purpose: String,
    /// `application`, `consent` or `emergency`.
    pub basis: String,
    /// The id of the application, consent or emergency access the read rests on.
    pub rests_on: Option<String>,
    /// 32 random bytes, hex.
    pub salt: String,
}

impl Leaf {
    /// The leaf's bytes.
    pub fn to_bytes(&self) -> String {
        // INVARIANT: a struct of strings always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A leaf as its bytes say, if they are exactly what [`Leaf::to_bytes`] writes for it.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let leaf: Self = serde_json::from_slice(bytes).ok()?;
        (leaf.to_bytes().as_bytes() == bytes).then_some(leaf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leaf_is_compact_json_in_its_key_order_and_parses_only_as_written() {
        let salt = "5a".repeat(32);
        let leaf = Leaf {
            id: "e1".into(),
            time: "2026-12-07T08:00:00Z".into(),
            office: "JUGENDAMT".into(),
            role: "caseworker".into(),
            person: "p1".into(),
            categories: vec!["contact".into(), "identity".into()],
            purpose: "Bearbeitung".into(),
            basis: "application".into(),
            rests_on: Some("a1".into()),
            salt: salt.clone(),
        };
        let bytes = leaf.to_bytes();
        let expected = format!(
            "{{\"id\":\"e1\",\"time\":\"2026-12-07T08:00:00Z\",\"office\":\"JUGENDAMT\",\"role\":\"caseworker\",\
             \"person\":\"p1\",\"categories\":[\"contact\",\"identity\"],\"purpose\":\"Bearbeitung\",\
             \"basis\":\"application\",\"rests_on\":\"a1\",\"salt\":\"{salt}\"}}"
        );
        assert_eq!(bytes, expected);
        assert_eq!(Leaf::parse(bytes.as_bytes()), Some(leaf));
        assert_eq!(Leaf::parse(bytes.replace(',', ", ").as_bytes()), None);
        assert_eq!(Leaf::parse(bytes.replace("}", ",\"more\":1}").as_bytes()), None);
    }
}
