//! Applying for help: what the guided flow shows (the choice of help, one page per topic, the
//! check-your-answers page, the receipt) and how one answer is checked. Plain data, shared by
//! server and browser; the flow itself is kept on the server (`server::citizen::applying`, its logic in `server::citizen::flow`).

use serde::{Deserialize, Serialize};

use crate::{
    consent::{NamedCode, PersonView, RequiredCategory},
    localized::{Localized, MaybeLocalized, prefix},
    status::ApplicationStatus,
};

/// A kind of help the citizen may choose, with the office that decides it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BenefitOption {
    pub benefit: NamedCode,
    #[serde(flatten, with = "prefix::description")]
    pub description: Localized,
    pub office: NamedCode,
    /// Part of the citizen's current draft.
    pub chosen: bool,
}

/// The start of the flow: which help the person may apply for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyStart {
    pub person: PersonView,
    pub people: Vec<PersonView>,
    pub benefits: Vec<BenefitOption>,
}

/// One page of the flow: one topic, which is one data category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepName {
    pub category: String,
    #[serde(flatten, with = "prefix::title")]
    pub title: Localized,
}

/// A choice of a `choice` question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceOption {
    pub value: String,
    #[serde(flatten, with = "prefix::label")]
    pub label: Localized,
}

/// One question of a page, with the answer kept so far and, when it does not fit, why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionView {
    pub key: String,
    #[serde(flatten, with = "prefix::label")]
    pub label: Localized,
    #[serde(flatten, with = "prefix::help")]
    pub help: MaybeLocalized,
    pub kind: AnswerKind,
    pub options: Vec<ChoiceOption>,
    pub required: bool,
    /// The answer as the citizen wrote it (or as it was filled in from their data).
    pub value: String,
    pub problem: Option<AnswerProblem>,
}

/// A page of the flow for one person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftStep {
    pub person: PersonView,
    pub steps: Vec<StepName>,
    /// The position of this page in `steps`.
    pub index: usize,
    pub questions: Vec<QuestionView>,
}

/// One category of a person's data to correct: every form's questions of it, merged, with what
/// is kept (or, after a save that did not fit, what was written and why it does not fit).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataEdit {
    pub person: PersonView,
    pub category: NamedCode,
    pub questions: Vec<QuestionView>,
}

/// What a page's answers were saved as, and where the citizen goes next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepSaved {
    /// Every answer of the page fits; otherwise the page is shown again with its problems.
    pub complete: bool,
    pub next: String,
}

/// One topic on the check-your-answers page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerSection {
    pub step: StepName,
    pub answers: Vec<QuestionView>,
    /// Some answer is missing or does not fit.
    pub incomplete: bool,
}

/// A sharing the citizen may add: a category to an office for a purpose, by consent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharingOffer {
    pub id: String,
    pub category: NamedCode,
    pub recipient: NamedCode,
    #[serde(flatten, with = "prefix::purpose")]
    pub purpose: Localized,
    /// `art_6_1_a` or `art_9_2_a` (GDPR).
    pub legal_basis: String,
    pub max_validity_days: i64,
    #[serde(flatten, with = "prefix::explanation")]
    pub explanation: Localized,
}

/// One application the submission will create: the office, what it receives and on which
/// legal basis, and the sharings the citizen may add.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficePreview {
    /// The consent template version shown, confirmed with the submission.
    pub version: String,
    pub benefit: NamedCode,
    pub office: NamedCode,
    #[serde(flatten, with = "prefix::intro")]
    pub intro: Localized,
    pub required: Vec<RequiredCategory>,
    pub sharings: Vec<SharingOffer>,
}

/// The check-your-answers page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckAnswers {
    pub person: PersonView,
    pub sections: Vec<AnswerSection>,
    pub offices: Vec<OfficePreview>,
}

impl CheckAnswers {
    pub fn complete(&self) -> bool {
        !self.sections.is_empty() && self.sections.iter().all(|section| !section.incomplete)
    }
}

/// One application of a receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptItem {
    pub reference: String,
    pub benefit: NamedCode,
    pub office: NamedCode,
    pub categories: Vec<NamedCode>,
}

/// A consent given with the submission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptConsent {
    pub category: NamedCode,
    pub recipient: NamedCode,
    pub purpose: String,
    pub until: Option<String>,
}

/// The confirmation of a submission, to keep or print.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub person: PersonView,
    pub submitted_by: String,
    pub submitted_at: String,
    pub applications: Vec<ReceiptItem>,
    pub consents: Vec<ReceiptConsent>,
}

/// One of the citizen's applications (or their minor child's), as the overview lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationSummary {
    pub id: String,
    pub reference: String,
    pub person: PersonView,
    pub benefit: NamedCode,
    pub office: NamedCode,
    pub status: ApplicationStatus,
    pub submitted_at: Option<String>,
    pub updated_at: String,
}

/// Something an office is waiting for from the citizen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToDo {
    /// The application the office asks about; its page takes the answer.
    pub application: String,
    pub reference: String,
    pub person: PersonView,
    pub office: NamedCode,
    pub description: String,
    pub since: String,
}

/// The citizen's start page: applications, what offices wait for, recent reads of their data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitizenOverview {
    pub name: String,
    pub people: Vec<PersonView>,
    pub applications: Vec<ApplicationSummary>,
    pub to_dos: Vec<ToDo>,
    /// New terms offices ask to agree to, with whose application it is.
    pub renewals: Vec<(PersonView, crate::consent::TermsRenewal)>,
    /// The newest reads of the data of any of `people`, newest first, with whose data it was.
    pub recent_reads: Vec<(PersonView, crate::consent::AccessEntryView)>,
    pub offices: Vec<NamedCode>,
    pub categories: Vec<NamedCode>,
}

/// The kinds of answer a form question takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AnswerKind {
    Text,
    Number,
    Money,
    Date,
    YesNo,
    Choice,
}

impl AnswerKind {
    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "text" => Self::Text,
            "number" => Self::Number,
            "money" => Self::Money,
            "date" => Self::Date,
            "boolean" => Self::YesNo,
            "choice" => Self::Choice,
            _ => return None,
        })
    }
}

/// Why an answer does not fit; the page words it next to the question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AnswerProblem {
    Missing,
    TooLong,
    NotAWholeNumber,
    NotAnAmount,
    NotADate,
    NotAChoice,
    NotAnIban,
}

/// The longest text answer, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;

/// An answer as kept: `Null` when left empty.
pub type Answer = serde_json::Value;

/// Checks one answer as written and turns it into the value kept (a number for numbers and
/// amounts, `true`/`false` for yes/no, `YYYY-MM-DD` for a date, the text otherwise).
pub fn check_answer(
    key: &str,
    kind: AnswerKind,
    required: bool,
    options: &[ChoiceOption],
    written: &str,
) -> Result<Answer, AnswerProblem> {
    let written = written.trim();
    if written.is_empty() {
        return if required { Err(AnswerProblem::Missing) } else { Ok(Answer::Null) };
    }
    if written.chars().count() > MAX_TEXT_CHARS {
        return Err(AnswerProblem::TooLong);
    }
    match kind {
        AnswerKind::Text if key == "iban" => iban(written).map(Answer::String),
        AnswerKind::Text => Ok(Answer::String(written.to_owned())),
        AnswerKind::Number => {
            let digits: String = written.chars().filter(|c| *c != ' ').collect();
            digits.parse::<u32>().map(Answer::from).map_err(|_| AnswerProblem::NotAWholeNumber)
        }
        // Whole euros stay whole numbers, as in the citizen's data.
        AnswerKind::Money => amount(written).map(|euros| match euros.fract() == 0.0 {
            true => Answer::from(euros as i64),
            false => Answer::from(euros),
        }),
        AnswerKind::Date => date(written).map(Answer::String),
        AnswerKind::YesNo => match written.to_lowercase().as_str() {
            "ja" | "yes" | "true" => Ok(Answer::Bool(true)),
            "nein" | "no" | "false" => Ok(Answer::Bool(false)),
            _ => Err(AnswerProblem::NotAChoice),
        },
        AnswerKind::Choice => options
            .iter()
            .find(|option| option.value == written)
            .map(|option| Answer::String(option.value.clone()))
            .ok_or(AnswerProblem::NotAChoice),
    }
}

/// An answer as kept, written out as a form field holds it.
pub fn written(answer: &Answer) -> String {
    match answer {
        Answer::Null => String::new(),
        Answer::Bool(true) => "ja".to_owned(),
        Answer::Bool(false) => "nein".to_owned(),
        Answer::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// An amount of euros, German (`1.234,56`) or English (`1,234.56`) style, not negative, at most
/// cents.
fn amount(written: &str) -> Result<f64, AnswerProblem> {
    let plain: String = written.chars().filter(|c| !matches!(c, ' ' | '€')).collect();
    // The last separator followed by one or two digits is the decimal one; others group.
    let decimal_at = plain.rfind([',', '.']).filter(|at| (1..=2).contains(&(plain.len() - at - 1)));
    let mut normal = String::with_capacity(plain.len());
    for (at, c) in plain.char_indices() {
        match c {
            '0'..='9' => normal.push(c),
            ',' | '.' if Some(at) == decimal_at => normal.push('.'),
            ',' | '.' => {}
            _ => return Err(AnswerProblem::NotAnAmount),
        }
    }
    match normal.parse::<f64>() {
        Ok(value) if value.is_finite() && value < 1e10 => Ok((value * 100.0).round() / 100.0),
        _ => Err(AnswerProblem::NotAnAmount),
    }
}

/// A date as `YYYY-MM-DD` (what a date field sends) or `TT.MM.JJJJ`, and a real one.
fn date(written: &str) -> Result<String, AnswerProblem> {
    let parts: Vec<&str> = if written.contains('.') {
        let mut parts: Vec<&str> = written.split('.').collect();
        parts.reverse();
        parts
    } else {
        written.split('-').collect()
    };
    let [year, month, day] = parts.as_slice() else { return Err(AnswerProblem::NotADate) };
    let (Ok(year), Ok(month), Ok(day)) = (year.parse::<u32>(), month.parse::<u32>(), day.parse::<u32>()) else {
        return Err(AnswerProblem::NotADate);
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(AnswerProblem::NotADate),
    };
    if !(1900..=2100).contains(&year) || day == 0 || day > days_in_month {
        return Err(AnswerProblem::NotADate);
    }
    Ok(format!("{year:04}-{month:02}-{day:02}"))
}

/// An IBAN with a correct check number (ISO 13616, mod 97), written in groups of four.
fn iban(written: &str) -> Result<String, AnswerProblem> {
    let compact: String = written.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    let well_formed = (15..=34).contains(&compact.len())
        && compact.chars().take(2).all(|c| c.is_ascii_uppercase())
        && compact.chars().skip(2).take(2).all(|c| c.is_ascii_digit())
        && compact.chars().all(|c| c.is_ascii_alphanumeric());
    if !well_formed {
        return Err(AnswerProblem::NotAnIban);
    }
    let rearranged = compact.chars().skip(4).chain(compact.chars().take(4));
    let mut remainder: u32 = 0;
    for c in rearranged {
        // Letters count as 10..35, digits as themselves.
        let Some(value) = c.to_digit(36) else { return Err(AnswerProblem::NotAnIban) };
        remainder = if value >= 10 { (remainder * 100 + value) % 97 } else { (remainder * 10 + value) % 97 };
    }
    if remainder != 1 {
        return Err(AnswerProblem::NotAnIban);
    }
    let groups: Vec<String> =
        compact.as_bytes().chunks(4).map(|group| String::from_utf8_lossy(group).into_owned()).collect();
    Ok(groups.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(kind: AnswerKind, written: &str) -> Result<Answer, AnswerProblem> {
        check_answer("any", kind, true, &[], written)
    }

    #[test]
    fn amounts_in_german_and_english_style() {
        assert_eq!(check(AnswerKind::Money, "1.234,56"), Ok(Answer::from(1234.56)));
        assert_eq!(check(AnswerKind::Money, "1,234.5"), Ok(Answer::from(1234.5)));
        assert_eq!(check(AnswerKind::Money, "720 €"), Ok(Answer::from(720)));
        assert_eq!(check(AnswerKind::Money, "-5"), Err(AnswerProblem::NotAnAmount));
        assert_eq!(check(AnswerKind::Money, "zwölf"), Err(AnswerProblem::NotAnAmount));
    }

    #[test]
    fn dates_must_exist() {
        assert_eq!(check(AnswerKind::Date, "23.07.1991"), Ok(Answer::from("1991-07-23")));
        assert_eq!(check(AnswerKind::Date, "2016-05-14"), Ok(Answer::from("2016-05-14")));
        assert_eq!(check(AnswerKind::Date, "2023-02-29"), Err(AnswerProblem::NotADate));
        assert_eq!(check(AnswerKind::Date, "gestern"), Err(AnswerProblem::NotADate));
    }

    #[test]
    fn ibans_are_checked_by_their_check_number() {
        let valid = check_answer("iban", AnswerKind::Text, true, &[], "de89370400440532013000");
        assert_eq!(valid, Ok(Answer::from("DE89 3704 0044 0532 0130 00")));
        let typo = check_answer("iban", AnswerKind::Text, true, &[], "DE89 3704 0044 0532 0130 01");
        assert_eq!(typo, Err(AnswerProblem::NotAnIban));
    }

    #[test]
    fn empty_answers_are_missing_only_when_required() {
        assert_eq!(check(AnswerKind::Text, "  "), Err(AnswerProblem::Missing));
        assert_eq!(check_answer("any", AnswerKind::Text, false, &[], ""), Ok(Answer::Null));
        assert_eq!(check(AnswerKind::Number, "3"), Ok(Answer::from(3)));
        assert_eq!(check(AnswerKind::YesNo, "nein"), Ok(Answer::Bool(false)));
        assert_eq!(check(AnswerKind::Number, "2,5"), Err(AnswerProblem::NotAWholeNumber));
    }
}
