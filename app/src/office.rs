//! An office's code (`jugendamt`, `wohngeldstelle`): how the database, the rule and the log name
//! an office. Codes are chosen by administrators and fixed once the office exists.

use serde::{Deserialize, Serialize};

/// The code that names an office. On the wire and in the database it is its text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OfficeCode(String);

/// Whether `text` has the form of a code, which offices, kinds of help and data categories
/// share: 2 to 40 lower-case letters, digits or `_`, starting with a letter.
pub fn is_code(text: &str) -> bool {
    (2..=40).contains(&text.len())
        && text.starts_with(|c: char| c.is_ascii_lowercase())
        && text.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl OfficeCode {
    pub fn new(code: impl Into<String>) -> Self {
        Self(code.into())
    }

    /// The code an administrator wrote, when it has a code's form ([`is_code`]).
    pub fn parse(text: &str) -> Option<Self> {
        is_code(text).then(|| Self::new(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for OfficeCode {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl From<&str> for OfficeCode {
    fn from(code: &str) -> Self {
        Self::new(code)
    }
}

impl AsRef<str> for OfficeCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for OfficeCode {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for OfficeCode {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// An office code is read from and bound as its text column, on either database.
#[cfg(feature = "ssr")]
mod column {
    use sqlx::{Database, Decode, Encode, Type, encode::IsNull, error::BoxDynError};

    use super::OfficeCode;

    impl<DB: Database> Type<DB> for OfficeCode
    where
        String: Type<DB>,
    {
        fn type_info() -> DB::TypeInfo {
            <String as Type<DB>>::type_info()
        }

        fn compatible(info: &DB::TypeInfo) -> bool {
            <String as Type<DB>>::compatible(info)
        }
    }

    impl<'q, DB: Database> Encode<'q, DB> for OfficeCode
    where
        String: Encode<'q, DB>,
    {
        fn encode_by_ref(&self, buffer: &mut <DB as Database>::ArgumentBuffer<'q>) -> Result<IsNull, BoxDynError> {
            <String as Encode<'q, DB>>::encode_by_ref(&self.0, buffer)
        }
    }

    impl<'r, DB: Database> Decode<'r, DB> for OfficeCode
    where
        String: Decode<'r, DB>,
    {
        fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
            Ok(OfficeCode(<String as Decode<'r, DB>>::decode(value)?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::OfficeCode;

    #[test]
    fn an_office_code_is_lower_case_letters_digits_and_underscores_after_a_letter() {
        for fits in ["jugendamt", "amt_2", "ab"] {
            assert_eq!(OfficeCode::parse(fits).map(|code| code.to_string()), Some(fits.to_owned()), "{fits}");
        }
        for does_not in ["", "a", "Jugendamt", "2amt", "amt-x", "amt x", "ämt", &"a".repeat(41)] {
            assert_eq!(OfficeCode::parse(does_not), None, "{does_not}");
        }
    }
}
