//! Applying for help, one topic per page (GOV.UK's pattern): choose the help, answer each
//! topic (filled in from the person's data), check the answers and see which office receives
//! what on which legal basis, add sharings if wished, submit, and keep the receipt. Every page
//! is a plain form that works without JavaScript; answers are kept on the server at each step.
//! For a minor child the pages take `?fuer=` and say on whose behalf.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

use crate::{
    api::{
        ChooseHelp, SaveAnswers, SubmitApplication, application_receipt, application_step, help_on_offer,
        check_application,
    },
    applying::{
        AnswerKind, AnswerSection, ApplyStart, CheckAnswers, DraftStep, OfficePreview,
        Receipt, SharingOffer,
    },
    auth::ApiError,
    components::{
        error_summary::{Sent, error_summary, refusal},
        guarded::Guarded,
        islands::PrintButton,
        page_title::page_title,
        person_switch::person_switch,
        questions::{person_field, problem_text, question_field},
    },
    consent::PersonView,
    i18n::*,
    url::format_timestamp,
};

/// "You are applying for …": on every page of the flow.
fn on_behalf(i18n: I18nContext<Locale>, person: &PersonView) -> impl IntoView + use<> {
    let name = person.name.clone();
    match person.is_self {
        true => view! { <p class="on-behalf">{t!(i18n, apply.on_behalf_self)}</p> }.into_any(),
        false => view! {
            <p class="on-behalf"><strong>{t!(i18n, apply.on_behalf_child, name = move || name.clone())}</strong></p>
        }
        .into_any(),
    }
}

/// `path` for `person`: with `?fuer=` for a child.
fn for_person(path: &str, person: &PersonView) -> String {
    crate::url::for_person(path, &person.id, person.is_self)
}

#[component]
pub fn ApplyStartPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let person = move || query.read().get("fuer").filter(|person| !person.is_empty());
    let data = Resource::new(person, help_on_offer);
    let choose = ServerAction::<ChooseHelp>::new();
    let refused = move || matches!(refusal(choose, &query.read()), Some(ApiError::Invalid { .. }));

    view! {
        <Title text=page_title(move || t_string!(i18n, apply.start_title)) />
        <Guarded
            data=data
            sign_in_path="/buerger"
            render=Arc::new(move |ApplyStart { person, people, benefits }| {
                let german = i18n.get_locale_untracked() == Locale::de;
                let shown = person.id.clone();
                let sent = Sent::to::<ChooseHelp>();
                let options = benefits
                    .into_iter()
                    .enumerate()
                    .map(|(position, option)| {
                        let id = format!("hilfe-{}", option.benefit.code);
                        let hint_id = format!("{id}-hinweis");
                        let field = format!("benefits[{position}]");
                        let chosen = sent.checked(&field, &option.benefit.code, option.chosen);
                        let name = option.benefit.name.pick(german).to_owned();
                        let description = option.description.pick(german).to_owned();
                        let office = option.office.name.pick(german).to_owned();
                        view! {
                            <div class="choice">
                                <input
                                    type="checkbox"
                                    id=id.clone()
                                    name=field
                                    value=option.benefit.code.clone()
                                    checked=chosen
                                    aria-describedby=hint_id.clone()
                                />
                                <label for=id>{name}</label>
                                <span class="hint choice__hint" id=hint_id>
                                    {description} " " {t!(i18n, apply.decided_by, office = move || office.clone())}
                                </span>
                            </div>
                        }
                    })
                    .collect_view();
                view! {
                    <div class="container">
                        <h1>{t!(i18n, apply.start_heading)}</h1>
                        {on_behalf(i18n, &person)}
                        {person_switch(i18n, people, &shown, "/buerger/antrag", move |name| {
                            view! { {t!(i18n, apply.person_link, name = move || name.clone())} }
                        })}
                        {move || refused().then(|| error_summary(i18n, vec![
                            (String::from("hilfe-auswahl"), t_string!(i18n, apply.error_choose).to_owned()),
                        ]))}
                        <p class="lead">{t!(i18n, apply.start_lead)}</p>
                        <ActionForm action=choose>
                            {person_field(&person)}
                            <fieldset
                                class=move || if refused() { "form-group form-group--error" } else { "form-group" }
                                id="hilfe-auswahl"
                                aria-describedby=move || if refused() { "hilfe-hinweis hilfe-fehler" } else { "hilfe-hinweis" }
                            >
                                <legend>{t!(i18n, apply.choose_legend)}</legend>
                                <span class="hint" id="hilfe-hinweis">{t!(i18n, apply.choose_hint)}</span>
                                {move || refused().then(|| view! {
                                    <span class="error-message" id="hilfe-fehler">{t!(i18n, apply.error_choose)}</span>
                                })}
                                {options}
                            </fieldset>
                            <button type="submit" class="button">{t!(i18n, apply.continue_button)}</button>
                        </ActionForm>
                        <p><A href="/buerger/start">{t!(i18n, apply.to_overview)}</A></p>
                    </div>
                }
                .into_any()
            })
        />
    }
}

#[component]
pub fn ApplyStepPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let params = use_params_map();
    let key = move || {
        let query = query.read();
        (
            query.get("fuer").filter(|person| !person.is_empty()),
            params.read().get("category").unwrap_or_default(),
            query.get("fehler"),
        )
    };
    let data = Resource::new(key, |(person, category, problems)| application_step(person, category, problems));
    let save = ServerAction::<SaveAnswers>::new();

    view! {
        <Title text=page_title(move || t_string!(i18n, apply.step_title)) />
        <Guarded
            data=data
            sign_in_path="/buerger"
            render=Arc::new(move |DraftStep { person, steps, index, questions }| {
                let german = i18n.get_locale_untracked() == Locale::de;
                let Some(step) = steps.get(index).cloned() else { return ().into_any() };
                let title = step.title.pick(german).to_owned();
                let sent = Sent::to::<SaveAnswers>().for_item("category", &step.category);
                let (number, count) = ((index + 1).to_string(), steps.len().to_string());
                let back = match index.checked_sub(1).and_then(|previous| steps.get(previous)) {
                    Some(previous) => for_person(&format!("/buerger/antrag/schritt/{}", previous.category), &person),
                    None => for_person("/buerger/antrag", &person),
                };
                let problems: Vec<(String, String)> = questions
                    .iter()
                    .filter_map(|question| {
                        let problem = question.problem?;
                        let label = question.label.pick(german);
                        let target = match question.kind {
                            AnswerKind::YesNo | AnswerKind::Choice => format!("frage-{}-wahl", question.key),
                            _ => format!("frage-{}", question.key),
                        };
                        Some((target, format!("{label}: {}", problem_text(i18n, problem))))
                    })
                    .collect();
                let category = step.category.clone();
                view! {
                    <div class="container">
                        <A href=back attr:class="back-link">{t!(i18n, apply.back)}</A>
                        {error_summary(i18n, problems)}
                        <p class="caption">{t!(i18n, apply.step_of, number = move || number.clone(), count = move || count.clone())}</p>
                        <h1>{title}</h1>
                        {on_behalf(i18n, &person)}
                        <ActionForm action=save attr:novalidate="">
                            {person_field(&person)}
                            <input type="hidden" name="category" value=category />
                            {questions.into_iter().map(|question| question_field(i18n, german, question, &sent)).collect_view()}
                            <button type="submit" class="button">{t!(i18n, apply.continue_button)}</button>
                        </ActionForm>
                        <p class="hint">{t!(i18n, apply.saved_hint)}</p>
                    </div>
                }
                .into_any()
            })
        />
    }
}

fn answer_section(i18n: I18nContext<Locale>, german: bool, person: &PersonView, section: AnswerSection) -> impl IntoView + use<> {
    let title = section.step.title.pick(german).to_owned();
    let heading_id = format!("thema-{}", section.step.category);
    let change = for_person(&format!("/buerger/antrag/schritt/{}", section.step.category), person);
    let hidden_title = title.clone();
    view! {
        <section class="answer-section" aria-labelledby=heading_id.clone()>
            <h3 id=heading_id.clone()>{title}</h3>
            {section.incomplete.then(|| view! { <p class="error-message">{t!(i18n, apply.incomplete_section)}</p> })}
            <dl class="summary-list">
                {section
                    .answers
                    .into_iter()
                    .map(|answer| {
                        let label = answer.label.pick(german).to_owned();
                        let shown = match answer.kind {
                            AnswerKind::YesNo => match answer.value.as_str() {
                                "ja" => t_string!(i18n, apply.yes).to_owned(),
                                "nein" => t_string!(i18n, apply.no).to_owned(),
                                other => other.to_owned(),
                            },
                            AnswerKind::Choice => answer
                                .options
                                .iter()
                                .find(|option| option.value == answer.value)
                                .map(|option| option.label.pick(german).to_owned())
                                .unwrap_or_else(|| answer.value.clone()),
                            AnswerKind::Date => crate::url::format_date(&answer.value, german),
                            _ => answer.value.clone(),
                        };
                        let problem = answer.problem.map(|problem| problem_text(i18n, problem));
                        view! {
                            <div>
                                <dt>{label}</dt>
                                <dd>
                                    {shown}
                                    {problem.map(|text| view! { <span class="error-message">{text}</span> })}
                                </dd>
                            </div>
                        }
                    })
                    .collect_view()}
            </dl>
            <p>
                <a href=change>
                    {t!(i18n, apply.change)}
                    <span class="visually-hidden">": " {hidden_title}</span>
                </a>
            </p>
        </section>
    }
}

fn legal_basis_text(i18n: I18nContext<Locale>, basis: &str) -> String {
    match basis {
        "art_6_1_a" => t_string!(i18n, apply.basis_art_6_1_a).to_owned(),
        "art_9_2_a" => t_string!(i18n, apply.basis_art_9_2_a).to_owned(),
        other => other.to_owned(),
    }
}

fn sharing_choice(i18n: I18nContext<Locale>, german: bool, position: usize, sharing: SharingOffer, sent: &Sent) -> impl IntoView + use<> {
    let id = format!("freigabe-{}", sharing.id);
    let field = format!("sharings[{position}]");
    let chosen = sent.checked(&field, &sharing.id, false);
    let hint_id = format!("{id}-hinweis");
    let office = sharing.recipient.name.pick(german).to_owned();
    let category = sharing.category.name.pick(german).to_owned();
    let purpose = sharing.purpose.pick(german).to_owned();
    let explanation = sharing.explanation.pick(german).to_owned();
    let days = sharing.max_validity_days.to_string();
    let basis = legal_basis_text(i18n, &sharing.legal_basis);
    view! {
        <div class="choice">
            <input type="checkbox" id=id.clone() name=field value=sharing.id.clone() checked=chosen aria-describedby=hint_id.clone() />
            <label for=id>
                {t!(i18n, apply.sharing_label, office = move || office.clone(), category = move || category.clone(), purpose = move || purpose.clone())}
            </label>
            <span class="hint choice__hint" id=hint_id>
                {explanation} " "
                {t!(i18n, apply.sharing_validity, days = move || days.clone(), basis = move || basis.clone())}
            </span>
        </div>
    }
}

fn office_preview(i18n: I18nContext<Locale>, german: bool, preview: OfficePreview) -> impl IntoView + use<> {
    let office = preview.office.name.pick(german).to_owned();
    let benefit = preview.benefit.name.pick(german).to_owned();
    let intro = preview.intro.pick(german).to_owned();
    let heading = office.clone();
    view! {
        <section class="office-preview">
            <h3>{heading}</h3>
            <p>{t!(i18n, apply.office_receives, office = move || office.clone(), benefit = move || benefit.clone())}</p>
            <ul class="list">
                {preview
                    .required
                    .into_iter()
                    .map(|required| {
                        let name = required.category.name.pick(german).to_owned();
                        let explanation = required.explanation.pick(german).to_owned();
                        let basis = required.legal_basis;
                        view! {
                            <li>
                                <strong>{name}</strong> " – " {explanation} " "
                                <span class="hint">{t!(i18n, apply.legal_basis, basis = move || basis.clone())}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <p class="hint">{intro}</p>
        </section>
    }
}

#[component]
pub fn CheckAnswersPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let person = move || query.read().get("fuer").filter(|person| !person.is_empty());
    let data = Resource::new(person, check_application);
    let submit = ServerAction::<SubmitApplication>::new();

    view! {
        <Title text=page_title(move || t_string!(i18n, apply.check_title)) />
        <Guarded
            data=data
            sign_in_path="/buerger"
            render=Arc::new(move |check: CheckAnswers| {
                let german = i18n.get_locale_untracked() == Locale::de;
                let complete = check.complete();
                let sent = Sent::to::<SubmitApplication>();
                let CheckAnswers { person, sections, offices } = check;
                if sections.is_empty() {
                    return view! {
                        <div class="container">
                            <h1>{t!(i18n, apply.check_heading)}</h1>
                            <p>{t!(i18n, apply.no_draft)}</p>
                            <p><a href=for_person("/buerger/antrag", &person) class="button">{t!(i18n, apply.start_heading)}</a></p>
                        </div>
                    }
                    .into_any();
                }
                let terms_changed = query.read_untracked().get("geaendert").is_some();
                let problems: Vec<(String, String)> = sections
                    .iter()
                    .filter(|section| section.incomplete)
                    .map(|section| {
                        let title = section.step.title.pick(german).to_owned();
                        (format!("thema-{}", section.step.category), title)
                    })
                    .collect();
                let versions = offices.iter().map(|office| office.version.clone()).collect::<Vec<_>>().join(",");
                let count = offices.len();
                let count_text = count.to_string();
                let sharings: Vec<SharingOffer> = offices.iter().flat_map(|office| office.sharings.clone()).collect();
                let back = match sections.last() {
                    Some(last) => for_person(&format!("/buerger/antrag/schritt/{}", last.step.category), &person),
                    None => for_person("/buerger/antrag", &person),
                };
                view! {
                    <div class="container">
                        <A href=back attr:class="back-link">{t!(i18n, apply.back)}</A>
                        {error_summary(i18n, problems)}
                        {terms_changed.then(|| view! { <div class="notice" role="status"><p>{t!(i18n, apply.terms_changed)}</p></div> })}
                        <h1>{t!(i18n, apply.check_heading)}</h1>
                        {on_behalf(i18n, &person)}
                        <p class="lead">{t!(i18n, apply.check_lead)}</p>
                        <h2>{t!(i18n, apply.answers_heading)}</h2>
                        {sections.into_iter().map(|section| answer_section(i18n, german, &person, section)).collect_view()}
                        <h2>{t!(i18n, apply.offices_heading)}</h2>
                        <p>{t!(i18n, apply.nobody_else)}</p>
                        {offices.into_iter().map(|office| office_preview(i18n, german, office)).collect_view()}
                        <ActionForm action=submit>
                            {person_field(&person)}
                            <input type="hidden" name="versions" value=versions />
                            {(!sharings.is_empty()).then(|| view! {
                                <h2>{t!(i18n, apply.sharings_heading)}</h2>
                                <fieldset class="form-group" aria-describedby="freigaben-hinweis">
                                    <legend>{t!(i18n, apply.sharings_legend)}</legend>
                                    <span class="hint" id="freigaben-hinweis">{t!(i18n, apply.sharings_hint)}</span>
                                    {sharings.into_iter().enumerate().map(|(position, sharing)| sharing_choice(i18n, german, position, sharing, &sent)).collect_view()}
                                </fieldset>
                            })}
                            <h2>{t!(i18n, apply.send_heading)}</h2>
                            <p>{t!(i18n, apply.declaration)}</p>
                            <button type="submit" class="button" disabled=!complete aria-disabled=(!complete).then_some("true")>
                                {match count {
                                    1 => view! { {t!(i18n, apply.submit_one)} }.into_any(),
                                    _ => view! { {t!(i18n, apply.submit_many, count = move || count_text.clone())} }.into_any(),
                                }}
                            </button>
                        </ActionForm>
                    </div>
                }
                .into_any()
            })
        />
    }
}

#[component]
pub fn ReceiptPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let applications = move || query.read().get("antraege").unwrap_or_default();
    let data = Resource::new(applications, application_receipt);

    view! {
        <Title text=page_title(move || t_string!(i18n, apply.receipt_title)) />
        <Guarded
            data=data
            sign_in_path="/buerger"
            render=Arc::new(move |Receipt { person, submitted_by, submitted_at, applications, consents }| {
                let german = i18n.get_locale_untracked() == Locale::de;
                let when = format_timestamp(&submitted_at, german);
                let name = person.name.clone();
                let many = applications.len() > 1;
                view! {
                    <div class="container receipt">
                        <div class="panel panel--confirmation">
                            <h1>
                                {match many {
                                    true => view! { {t!(i18n, apply.receipt_heading_many)} }.into_any(),
                                    false => view! { {t!(i18n, apply.receipt_heading)} }.into_any(),
                                }}
                            </h1>
                            <p>{t!(i18n, apply.receipt_for, name = move || name.clone(), by = move || submitted_by.clone(), when = move || when.clone())}</p>
                        </div>
                        <div class="table-wrapper">
                            <table class="table">
                                <caption>{t!(i18n, apply.receipt_caption)}</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">{t!(i18n, apply.receipt_reference)}</th>
                                        <th scope="col">{t!(i18n, apply.receipt_benefit)}</th>
                                        <th scope="col">{t!(i18n, apply.receipt_office)}</th>
                                        <th scope="col">{t!(i18n, apply.receipt_data)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {applications
                                        .into_iter()
                                        .map(|item| {
                                            let categories = item
                                                .categories
                                                .iter()
                                                .map(|category| category.name.pick(german).to_owned())
                                                .collect::<Vec<_>>()
                                                .join(", ");
                                            view! {
                                                <tr>
                                                    <th scope="row" class="reference">{item.reference}</th>
                                                    <td>{item.benefit.name.pick(german).to_owned()}</td>
                                                    <td>{item.office.name.pick(german).to_owned()}</td>
                                                    <td>{categories}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        </div>
                        {(!consents.is_empty()).then(|| view! {
                            <h2>{t!(i18n, apply.receipt_consents_heading)}</h2>
                            <ul class="list">
                                {consents
                                    .into_iter()
                                    .map(|consent| {
                                        let office = consent.recipient.name.pick(german).to_owned();
                                        let category = consent.category.name.pick(german).to_owned();
                                        let purpose = consent.purpose;
                                        let until = consent.until.map(|until| format_timestamp(&until, german)).unwrap_or_default();
                                        view! {
                                            <li>
                                                {t!(i18n, apply.receipt_consent, office = move || office.clone(), category = move || category.clone(), purpose = move || purpose.clone(), until = move || until.clone())}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                            <p><a href="/buerger/daten">{t!(i18n, apply.receipt_revoke_hint)}</a></p>
                        })}
                        <h2>{t!(i18n, apply.receipt_next_heading)}</h2>
                        <p>{t!(i18n, apply.receipt_next)}</p>
                        <p class="no-print">{t!(i18n, apply.print_hint)}</p>
                        <p class="no-print">
                            <PrintButton>{t!(i18n, apply.print)}</PrintButton>
                            " "
                            <A href="/buerger/start" attr:class="button">{t!(i18n, apply.to_overview)}</A>
                        </p>
                    </div>
                }
                .into_any()
            })
        />
    }
}
