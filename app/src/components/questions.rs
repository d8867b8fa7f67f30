//! A form's questions and whom it is for: the person field, a question's field and what to fix
//! in it. The application flow and the data editing share them.

use leptos::prelude::*;
use leptos_i18n::I18nContext;

use crate::{
    applying::{AnswerKind, AnswerProblem, QuestionView},
    components::{error_summary::Sent, text_area::area_text},
    consent::PersonView,
    i18n::*,
};

/// Text answers that are written in sentences get a larger field.
const LONG_TEXT_KEYS: [&str; 2] = ["anliegen", "bisherige_hilfen"];

/// The hidden field that names the person a form is for (none for the citizen themselves).
pub fn person_field(person: &PersonView) -> impl IntoView + use<> {
    (!person.is_self).then(|| view! { <input type="hidden" name="person" value=person.id.clone() /> })
}

pub fn problem_text(i18n: I18nContext<Locale>, problem: AnswerProblem) -> &'static str {
    match problem {
        AnswerProblem::Missing => t_string!(i18n, apply.problem_missing),
        AnswerProblem::TooLong => t_string!(i18n, apply.problem_too_long),
        AnswerProblem::NotAWholeNumber => t_string!(i18n, apply.problem_number),
        AnswerProblem::NotAnAmount => t_string!(i18n, apply.problem_amount),
        AnswerProblem::NotADate => t_string!(i18n, apply.problem_date),
        AnswerProblem::NotAChoice => t_string!(i18n, apply.problem_choice),
        AnswerProblem::NotAnIban => t_string!(i18n, apply.problem_iban),
    }
}

/// One question as a form field, with its problem next to it; what the form `sent` comes back
/// into it if the server refused it.
pub fn question_field(i18n: I18nContext<Locale>, german: bool, question: QuestionView, sent: &Sent) -> impl IntoView + use<> {
    let id = format!("frage-{}", question.key);
    let error_id = format!("{id}-fehler");
    let hint_id = format!("{id}-hinweis");
    let name = format!("answers[{}]", question.key);
    let about_child = question.label.de.contains("Kind");
    let label = question.label.pick(german).to_owned();
    let hint = question.help.pick(german).map(str::to_owned);
    let problem = question.problem.map(|problem| problem_text(i18n, problem));
    let described_by = [hint.as_ref().map(|_| hint_id.clone()), problem.map(|_| error_id.clone())]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let described_by = (!described_by.is_empty()).then_some(described_by);
    let invalid = problem.map(|_| "true");
    let group_class = if problem.is_some() { "form-group form-group--error" } else { "form-group" };
    let optional = (!question.required).then(|| view! { " " <span class="optional">{t!(i18n, apply.optional)}</span> });
    let hint_view = hint.map(|hint| view! { <span class="hint" id=hint_id.clone()>{hint}</span> });
    let problem_view = problem.map(|text| view! { <span class="error-message" id=error_id.clone()>{text}</span> });
    let stored = question.value;
    let value = sent.text(&name, stored.clone());
    match question.kind {
        AnswerKind::YesNo | AnswerKind::Choice => {
            let choices: Vec<(String, String)> = match question.kind {
                AnswerKind::YesNo => vec![
                    (String::from("ja"), t_string!(i18n, apply.yes).to_owned()),
                    (String::from("nein"), t_string!(i18n, apply.no).to_owned()),
                ],
                _ => question
                    .options
                    .into_iter()
                    .map(|option| (option.value, option.label.pick(german).to_owned()))
                    .collect(),
            };
            let inline = question.kind == AnswerKind::YesNo;
            view! {
                <div class=group_class>
                    <fieldset id=id.clone() aria-describedby=described_by>
                        <legend>{label} {optional}</legend>
                        {hint_view}
                        {problem_view}
                        <div class=if inline { "choices choices--inline" } else { "choices" }>
                            {choices
                                .into_iter()
                                .enumerate()
                                .map(|(position, (choice, text))| {
                                    let choice_id = if position == 0 { id.clone() + "-wahl" } else { format!("{id}-{position}") };
                                    let checked = sent.checked(&name, &choice, choice == stored);
                                    view! {
                                        <div class="choice">
                                            <input type="radio" id=choice_id.clone() name=name.clone() value=choice.clone() checked=checked />
                                            <label for=choice_id>{text}</label>
                                        </div>
                                    }
                                })
                                .collect_view()}
                        </div>
                    </fieldset>
                </div>
            }
            .into_any()
        }
        kind => {
            let field = if kind == AnswerKind::Text && LONG_TEXT_KEYS.contains(&question.key.as_str()) {
                view! {
                    <textarea id=id.clone() name=name rows="6" aria-describedby=described_by aria-invalid=invalid>{area_text(value)}</textarea>
                }
                .into_any()
            } else {
                let (input_type, inputmode, class) = match kind {
                    AnswerKind::Date => ("date", None, "input--date"),
                    AnswerKind::Number => ("text", Some("numeric"), "input--short"),
                    AnswerKind::Money => ("text", Some("decimal"), "input--short"),
                    _ => ("text", None, ""),
                };
                let autocomplete = match question.key.as_str() {
                    "vorname" if !about_child => Some("given-name"),
                    "nachname" if !about_child => Some("family-name"),
                    "email" => Some("email"),
                    "telefon" => Some("tel"),
                    "iban" => Some("off"),
                    _ => None,
                };
                view! {
                    <input
                        type=input_type
                        id=id.clone()
                        name=name
                        value=value
                        class=class
                        inputmode=inputmode
                        autocomplete=autocomplete
                        spellcheck=(kind != AnswerKind::Text).then_some("false")
                        aria-describedby=described_by
                        aria-invalid=invalid
                    />
                }
                .into_any()
            };
            view! {
                <div class=group_class>
                    <label for=id.clone()>{label} {optional}</label>
                    {hint_view}
                    {problem_view}
                    {field}
                </div>
            }
            .into_any()
        }
    }
}
