//! The application flow's logic, apart from its storage: the pages (topics) of the chosen forms
//! merged, a topic two forms share asked once; the questions of a page with the answers kept
//! and their problems; what is kept of an answer that does not fit yet; whether the flow is
//! complete. No SQL: `applying` reads and writes what this decides on.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::types::Json;

use crate::{
    applying::{AnswerKind, ChoiceOption, QuestionView, StepName, check_answer, written},
    consent::PersonView,
    localized::{Localized, MaybeLocalized},
    server::db::{ApplicationId, TemplateVersionId},
};

/// Where the flow's pages live.
pub const APPLY_PATH: &str = "/buerger/antrag";

pub(super) type Answers = serde_json::Map<String, serde_json::Value>;

/// A draft application: id, kind of help, consent template version.
pub(super) type DraftRow = (ApplicationId, String, TemplateVersionId);
/// Kind of help, category, its sort order, section title (de, en), question position, key,
/// labels (de, en), help (de, en), kind, options, required.
pub(super) type QuestionRow = (
    String,
    String,
    i64,
    String,
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<Json<Vec<ChoiceOption>>>,
    bool,
);

/// One question of a merged page.
#[derive(Clone, Debug)]
pub(super) struct Question {
    pub(super) key: String,
    label: Localized,
    help: MaybeLocalized,
    kind: AnswerKind,
    options: Vec<ChoiceOption>,
    pub(super) required: bool,
}

/// One page of the flow: a topic, its questions (asked once even when several forms ask them),
/// and which keys each kind of help asks.
#[derive(Clone, Debug)]
pub(super) struct Step {
    pub(super) name: StepName,
    pub(super) questions: Vec<Question>,
    pub(super) keys_by_benefit: BTreeMap<String, BTreeSet<String>>,
}

/// The pages for the chosen kinds of help, in the order of the data categories.
pub(super) fn steps(rows: Vec<QuestionRow>, benefits: &BTreeSet<String>) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    for (benefit, category, _, title_de, title_en, _, key, label_de, label_en, help_de, help_en, kind, options, required) in
        rows
    {
        let Some(kind) = AnswerKind::from_code(&kind) else { continue };
        if !benefits.contains(&benefit) {
            continue;
        }
        if steps.last().is_none_or(|step| step.name.category != category) {
            steps.push(Step {
                name: StepName { category: category.clone(), title: Localized::new(title_de, title_en) },
                questions: Vec::new(),
                keys_by_benefit: BTreeMap::new(),
            });
        }
        let Some(step) = steps.last_mut() else { continue };
        step.keys_by_benefit.entry(benefit).or_default().insert(key.clone());
        match step.questions.iter_mut().find(|question| question.key == key) {
            Some(question) => question.required |= required,
            None => step.questions.push(Question {
                key,
                label: Localized::new(label_de, label_en),
                help: MaybeLocalized::new(help_de, help_en),
                kind,
                options: options.map(|Json(options)| options).unwrap_or_default(),
                required,
            }),
        }
    }
    steps
}

/// The questions of `step` with the answers kept, and (when `judged`) their problems.
pub(super) fn question_views(step: &Step, answers: Option<&Answers>, judged: bool) -> Vec<QuestionView> {
    step.questions
        .iter()
        .map(|question| {
            let value = answers.and_then(|answers| answers.get(&question.key)).map(written).unwrap_or_default();
            let problem = check_answer(&question.key, question.kind, question.required, &question.options, &value).err();
            QuestionView {
                key: question.key.clone(),
                label: question.label.clone(),
                help: question.help.clone(),
                kind: question.kind,
                options: question.options.clone(),
                required: question.required,
                value,
                problem: if judged { problem } else { None },
            }
        })
        .collect()
}

/// The answers of `step` as given, each kept as checked when it fits and as written when not,
/// so nothing the citizen wrote is lost.
pub(super) fn kept_answers(step: &Step, given: &BTreeMap<String, String>) -> (Answers, bool) {
    let mut answers = Answers::new();
    let mut complete = true;
    for question in &step.questions {
        let text = given.get(&question.key).map(|text| text.trim()).unwrap_or_default();
        let value = match check_answer(&question.key, question.kind, question.required, &question.options, text) {
            Ok(value) => value,
            Err(_) => {
                complete = false;
                if text.is_empty() { serde_json::Value::Null } else { serde_json::Value::String(text.to_owned()) }
            }
        };
        answers.insert(question.key.clone(), value);
    }
    (answers, complete)
}

/// The part of `answers` the form of `benefit` asks in `step`.
pub(super) fn answers_for(step: &Step, benefit: &str, answers: &Answers) -> Answers {
    let keys = step.keys_by_benefit.get(benefit);
    answers.iter().filter(|(key, _)| keys.is_some_and(|keys| keys.contains(*key))).map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// The address of a page of the flow for `person`.
pub(super) fn flow_path(page: &str, person: &PersonView) -> String {
    let path = if page.is_empty() { APPLY_PATH.to_owned() } else { format!("{APPLY_PATH}/{page}") };
    if person.is_self { path } else { format!("{path}?fuer={}", person.id) }
}

/// Everything the flow of one person needs, read in one go.
pub(super) struct Flow {
    pub(super) drafts: Vec<DraftRow>,
    pub(super) steps: Vec<Step>,
    /// The answers kept per category, merged over the drafts.
    pub(super) answers: BTreeMap<String, Answers>,
}

impl Flow {
    pub(super) fn benefits(&self) -> BTreeSet<String> {
        self.drafts.iter().map(|(_, benefit, _)| benefit.clone()).collect()
    }

    pub(super) fn complete(&self) -> bool {
        !self.steps.is_empty()
            && self.steps.iter().all(|step| {
                question_views(step, self.answers.get(&step.name.category), true)
                    .iter()
                    .all(|question| question.problem.is_none())
            })
    }
}
