//! Texts the portal keeps in German and English: the names of offices, kinds of help and data
//! categories, a form's titles, labels and help, a consent template's explanations. The
//! portal's own words are in `locales/`; these are the ones administrators write.

use serde::{Deserialize, Serialize};

/// A text in German and English. On the wire and in stored JSON it stays two fields named by
/// its owner's prefix (`name_de`, `name_en`): the field that holds it is marked
/// `#[serde(flatten, with = "prefix::name")]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Localized {
    pub de: String,
    pub en: String,
}

impl Localized {
    pub fn new(de: impl Into<String>, en: impl Into<String>) -> Self {
        Self { de: de.into(), en: en.into() }
    }

    /// The text in the reader's language: German when `german`, else English.
    pub fn pick(&self, german: bool) -> &str {
        if german { &self.de } else { &self.en }
    }
}

/// A text that may be missing in either language (a question's help): `None` where nothing was
/// written in that language.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MaybeLocalized {
    pub de: Option<String>,
    pub en: Option<String>,
}

impl MaybeLocalized {
    pub fn new(de: Option<String>, en: Option<String>) -> Self {
        Self { de, en }
    }

    /// The text in the reader's language, if it was written in it.
    pub fn pick(&self, german: bool) -> Option<&str> {
        if german { self.de.as_deref() } else { self.en.as_deref() }
    }
}

/// The prefixes a [`Localized`] field is written with (`serde_with::with_prefix!`).
pub mod prefix {
    serde_with::with_prefix!(pub name "name_");
    serde_with::with_prefix!(pub description "description_");
    serde_with::with_prefix!(pub label "label_");
    serde_with::with_prefix!(pub title "title_");
    serde_with::with_prefix!(pub help "help_");
    serde_with::with_prefix!(pub purpose "purpose_");
    serde_with::with_prefix!(pub explanation "explanation_");
    serde_with::with_prefix!(pub intro "intro_");
    serde_with::with_prefix!(pub benefit "benefit_");
    serde_with::with_prefix!(pub offices "offices_");
    serde_with::with_prefix!(pub office_name "office_name_");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Named {
        code: String,
        #[serde(flatten, with = "prefix::name")]
        name: Localized,
        #[serde(flatten, with = "prefix::help")]
        help: MaybeLocalized,
        position: i64,
    }

    #[test]
    fn a_localized_field_keeps_its_two_prefixed_fields_on_the_wire() {
        let named = Named {
            code: "identity".into(),
            name: Localized::new("Person", "Person (en)"),
            help: MaybeLocalized::new(Some("Hilfe".into()), None),
            position: 2,
        };
        let json = serde_json::to_value(&named).expect("serialises");
        let expected = serde_json::json!({
            "code": "identity", "name_de": "Person", "name_en": "Person (en)", "help_de": "Hilfe", "help_en": null, "position": 2
        });
        assert_eq!(json, expected);
        assert_eq!(serde_json::from_value::<Named>(json).expect("reads back"), named);
    }

    #[test]
    fn a_reader_gets_the_text_in_their_language() {
        let name = Localized::new("Jugendamt", "Youth Welfare Office");
        assert_eq!((name.pick(true), name.pick(false)), ("Jugendamt", "Youth Welfare Office"));
    }
}
