//! The vocabulary of the pages that show citizen data: the data categories' names in their
//! order and the labels of their fields. Every case page needs it and administrators change it
//! seldom, so the gate keeps it in memory under the revision at which it was read.
//! The database counts that revision up with every change to categories, sections or questions
//! (migration 0006's triggers), and a page reads the revision together with its data: when it
//! differs from the kept one, the vocabulary is loaded anew. A change therefore shows from the
//! next page on, on every server on the same database, whoever made it.
//!
//! Nothing about a person is kept here: the facts the rule decides on are read on every call.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::{Arc, RwLock},
};

use super::Answers;
use crate::{case::FieldLabel, consent::NamedCode};

/// The current revision of the vocabulary.
pub(in crate::server) const VOCABULARY_REVISION: &str = "SELECT revision FROM vocabulary_revision";

/// The vocabulary as it was at `revision`, or later (it is read after the revision).
#[derive(Debug)]
pub(in crate::server) struct Vocabulary {
    pub revision: i64,
    pub categories: Vec<NamedCode>,
    /// The labels of each field, by category and key.
    fields: BTreeMap<String, BTreeMap<String, FieldLabels>>,
    /// Which kind of help's form asks which field: (kind of help, category, key).
    asked: BTreeSet<(String, String, String)>,
}

/// How the forms of the kinds of help ask for one field. The same field may be worded for the
/// case: "Vorname des Kindes" in the youth office's form, "Vorname" in the others.
#[derive(Debug)]
struct FieldLabels {
    /// The wording most forms use (of equals, the first by kind of help).
    common: FieldLabel,
    /// Each kind of help's own wording, where it differs from the common one.
    own: Vec<(String, FieldLabel)>,
}

impl Vocabulary {
    /// The vocabulary from `categories` in their order and `questions`, every form question as
    /// (kind of help, its label) in the order of the kinds of help and of their forms.
    pub fn new(revision: i64, categories: Vec<NamedCode>, questions: Vec<(String, FieldLabel)>) -> Self {
        let asked_by: BTreeSet<(String, String, String)> = questions
            .iter()
            .map(|(benefit, label)| (benefit.clone(), label.category.clone(), label.key.clone()))
            .collect();
        let mut asked: BTreeMap<(String, String), Vec<(String, FieldLabel)>> = BTreeMap::new();
        for (benefit, label) in questions {
            asked.entry((label.category.clone(), label.key.clone())).or_default().push((benefit, label));
        }
        let mut fields: BTreeMap<String, BTreeMap<String, FieldLabels>> = BTreeMap::new();
        for ((category, key), wordings) in asked {
            let uses = |label: &FieldLabel| wordings.iter().filter(|(_, other)| other.label == label.label).count();
            // The first of the most used: `max_by_key` keeps the last of equals, so reversed.
            let Some((_, common)) = wordings.iter().rev().max_by_key(|(_, label)| uses(label)) else { continue };
            let common = common.clone();
            let own = wordings.into_iter().filter(|(_, label)| *label != common).collect();
            fields.entry(category).or_default().insert(key, FieldLabels { common, own });
        }
        Self { revision, categories, fields, asked: asked_by }
    }

    /// The keys of `category` the form of `benefit` asks for.
    pub fn keys_asked_by(&self, benefit: &str, category: &str) -> Vec<String> {
        self.asked
            .iter()
            .filter(|(kind, code, _)| kind == benefit && code == category)
            .map(|(_, _, key)| key.clone())
            .collect()
    }

    /// Keeps in `data` only the fields the form of `benefit` asks for. On an application's basis
    /// an office reads what its own form asks, nothing more: a field only another office's form
    /// asks (the household's children under 18, asked by the Wohngeld form) would tell it that
    /// an application there exists. A category left without a field is left out.
    pub fn keep_asked_by(&self, benefit: &str, data: &mut Answers) {
        data.retain(|category, values| match values.as_object_mut() {
            Some(fields) => {
                fields.retain(|key, _| self.asked.contains(&(benefit.to_owned(), category.clone(), key.clone())));
                !fields.is_empty()
            }
            None => false,
        });
    }

    /// The labels of the fields `parts` (data, answers) hold, and no others: a page needs no
    /// more, and it carries each one twice (in the HTML and in the data the browser's app starts
    /// from). All labels were nearly two thirds of a case file's data. Worded as in the form of
    /// `benefit` (the application's kind of help) where that form asks for the field, otherwise
    /// as most forms do; German and English always of the same question.
    pub fn labels_of(&self, benefit: Option<&str>, parts: &[&Answers]) -> Vec<FieldLabel> {
        let mut shown: BTreeMap<(&str, &str), &FieldLabel> = BTreeMap::new();
        for part in parts {
            for (category, values) in part.iter() {
                let Some(values) = values.as_object() else { continue };
                for key in values.keys() {
                    if let Some(label) = self.label(benefit, category, key) {
                        shown.insert((category, key), label);
                    }
                }
            }
        }
        shown.into_values().cloned().collect()
    }

    /// The label of field `key` of `category`, worded as in `labels_of`; `None` when no form
    /// asks for it.
    pub fn label(&self, benefit: Option<&str>, category: &str, key: &str) -> Option<&FieldLabel> {
        let field = self.fields.get(category)?.get(key)?;
        let own = field.own.iter().find(|(kind, _)| Some(kind.as_str()) == benefit).map(|(_, label)| label);
        Some(own.unwrap_or(&field.common))
    }

    /// Whether some form asks for fields of `category` (a citizen can then fill it in).
    pub fn asks_for(&self, category: &str) -> bool {
        self.fields.contains_key(category)
    }
}

/// The vocabulary last read, shared by every request of one server.
#[derive(Debug, Default)]
pub(in crate::server) struct VocabularyCache {
    kept: RwLock<Option<Arc<Vocabulary>>>,
}

impl VocabularyCache {
    /// The kept vocabulary, if it was read at `revision`.
    pub fn at(&self, revision: i64) -> Option<Arc<Vocabulary>> {
        let kept = self.kept.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.as_ref().filter(|vocabulary| vocabulary.revision == revision).cloned()
    }

    /// Keeps `vocabulary` in place of the one kept so far, and gives it back.
    pub fn keep(&self, vocabulary: Vocabulary) -> Arc<Vocabulary> {
        let vocabulary = Arc::new(vocabulary);
        *self.kept.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Arc::clone(&vocabulary));
        vocabulary
    }
}

/// Loads the vocabulary on `$connection` after its revision `$revision` was read (so it is at
/// least as new), keeps it in `$cache` and evaluates to `Result<Arc<Vocabulary>, sqlx::Error>`.
macro_rules! load_vocabulary {
    ($cache:expr, $connection:expr, $revision:expr) => {
        async {
            let (cache, connection, revision): (&$crate::server::gate::vocabulary::VocabularyCache, _, i64) =
                ($cache, $connection, $revision);
            let categories: Vec<(String, String, String)> =
                sqlx::query_as($crate::server::gate::CATEGORY_NAMES).fetch_all(&mut *connection).await?;
            let questions: Vec<(String, String, String, String, String)> = sqlx::query_as(
                "SELECT s.benefit_type_code, s.category_code, q.key, q.label_de, q.label_en FROM form_questions q \
                 JOIN form_sections s ON s.id = q.section_id ORDER BY s.benefit_type_code, s.position, q.position",
            )
            .fetch_all(&mut *connection)
            .await?;
            Ok::<_, sqlx::Error>(
                cache.keep($crate::server::gate::vocabulary::Vocabulary::new(
                    revision,
                    categories
                        .into_iter()
                        .map($crate::consent::NamedCode::from)
                        .collect(),
                    questions
                        .into_iter()
                        .map(|(benefit, category, key, label_de, label_en)| {
                            let label = $crate::localized::Localized::new(label_de, label_en);
                            (benefit, $crate::case::FieldLabel { category, key, label })
                        })
                        .collect(),
                )),
            )
        }
        .await
    };
}

/// The vocabulary at the revision `$connection` sees now: the kept one, or loaded anew on
/// `$connection`. Evaluates to `Result<Arc<Vocabulary>, sqlx::Error>`.
macro_rules! vocabulary_in {
    ($cache:expr, $connection:expr) => {
        async {
            let (cache, connection): (&$crate::server::gate::vocabulary::VocabularyCache, _) = ($cache, $connection);
            let revision: i64 = sqlx::query_scalar($crate::server::gate::vocabulary::VOCABULARY_REVISION)
                .fetch_one(&mut *connection)
                .await?;
            match cache.at(revision) {
                Some(vocabulary) => Ok::<_, sqlx::Error>(vocabulary),
                None => $crate::server::gate::vocabulary::load_vocabulary!(cache, &mut *connection, revision),
            }
        }
        .await
    };
}

pub(in crate::server) use {load_vocabulary, vocabulary_in};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::localized::Localized;

    fn label(category: &str, key: &str, label_de: &str, label_en: &str) -> FieldLabel {
        FieldLabel { category: category.into(), key: key.into(), label: Localized::new(label_de, label_en) }
    }

    fn vocabulary(revision: i64, name: &str) -> Vocabulary {
        let identity = NamedCode { code: "identity".into(), name: Localized::new(name, name) };
        let questions = [
            ("grundsicherung", label("identity", "vorname", "Vorname", "First name")),
            ("hilfe_zur_erziehung", label("identity", "vorname", "Vorname des Kindes", "Child's first name")),
            ("wohngeld", label("identity", "vorname", "Vorname", "First name")),
            (
                "hilfe_zur_erziehung",
                label("household", "alleinerziehend", "Erziehen Sie das Kind allein?", "Alone with the child?"),
            ),
            (
                "wohngeld",
                label("household", "alleinerziehend", "Erziehen Sie Ihre Kinder allein?", "Alone with your children?"),
            ),
        ];
        Vocabulary::new(
            revision,
            vec![identity],
            questions.into_iter().map(|(kind, label)| (kind.to_owned(), label)).collect(),
        )
    }

    #[test]
    fn only_the_revision_it_was_read_at_finds_the_kept_vocabulary() {
        let cache = VocabularyCache::default();
        assert!(cache.at(1).is_none(), "nothing is kept before the first read");
        cache.keep(vocabulary(1, "Identität"));
        assert_eq!(cache.at(1).map(|kept| kept.categories[0].name.de.clone()).as_deref(), Some("Identität"));
        assert!(cache.at(2).is_none(), "a later revision needs a new read");
        cache.keep(vocabulary(2, "Person"));
        assert!(cache.at(1).is_none(), "the older one is gone");
        assert_eq!(cache.at(2).map(|kept| kept.categories[0].name.de.clone()).as_deref(), Some("Person"));
    }

    #[test]
    fn a_field_is_labelled_as_the_applications_form_asks_for_it_or_as_most_forms_do() {
        let vocabulary = vocabulary(1, "Identität");
        let data: Answers = serde_json::from_value(serde_json::json!({
            "identity": { "vorname": "Mia", "unbekannt": "x" },
            "household": { "alleinerziehend": true },
            "housing": { "kaltmiete": 500 },
        }))
        .expect("data");
        let answers: Answers =
            serde_json::from_value(serde_json::json!({ "identity": { "vorname": "Mia" } })).expect("answers");

        let youth = vocabulary.labels_of(Some("hilfe_zur_erziehung"), &[&data, &answers]);
        assert_eq!(
            youth,
            [
                label("household", "alleinerziehend", "Erziehen Sie das Kind allein?", "Alone with the child?"),
                label("identity", "vorname", "Vorname des Kindes", "Child's first name"),
            ],
            "its own form's words, each field once, none for fields no form asks for"
        );
        let housing = vocabulary.labels_of(Some("wohngeld"), &[&data]);
        assert_eq!(housing[0].label.en, "Alone with your children?");
        assert_eq!(housing[1].label.de, "Vorname");

        let shared = vocabulary.labels_of(None, &[&data]);
        assert_eq!(
            shared,
            [
                label("household", "alleinerziehend", "Erziehen Sie das Kind allein?", "Alone with the child?"),
                label("identity", "vorname", "Vorname", "First name"),
            ],
            "without an application: the wording most forms use, of equals the first, German and English of one question"
        );
        assert!(vocabulary.labels_of(None, &[&Answers::new()]).is_empty());
        assert!(vocabulary.asks_for("identity") && !vocabulary.asks_for("housing"), "only what some form asks for");
    }

    #[test]
    fn an_office_reads_only_the_fields_its_own_form_asks_for() {
        let vocabulary = vocabulary(1, "Identität");
        let mut data: Answers = serde_json::from_value(serde_json::json!({
            "identity": { "vorname": "Jonas", "unbekannt": "x" },
            "household": { "alleinerziehend": true, "kinder_unter_18": 1 },
            "housing": { "kaltmiete": 500 },
        }))
        .expect("data");
        vocabulary.keep_asked_by("hilfe_zur_erziehung", &mut data);
        assert_eq!(
            serde_json::to_value(&data).expect("json"),
            serde_json::json!({ "identity": { "vorname": "Jonas" }, "household": { "alleinerziehend": true } }),
            "no field another form asks, no category left empty"
        );
    }
}
