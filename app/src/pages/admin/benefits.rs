//! The administrators' page for benefit types: names and descriptions, the responsible office,
//! whether citizens are offered it, and its application form — sections (one data category
//! each) and their questions, in order. Plain forms that work without JavaScript.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    admin::{BenefitTypeView, FormQuestionView, FormSectionView, QUESTION_KINDS},
    api::{
        ADMIN_PATH, BenefitsOverview, PlaceFormQuestion, PlaceFormSection, SaveBenefitType, SaveFormQuestion, SaveFormSection,
        TEMPLATES_PATH, benefit_types,
    },
    components::{
        admin_form::{error_summary, refused},
        error_summary::Sent,
        guarded::Guarded,
        page_title::page_title,
        text_area::area_text,
    },
    i18n::*,
};

/// What to fix in `field`, in plain words.
fn problem(i18n: I18nContext<Locale>, field: &str) -> &'static str {
    match field {
        "code" | "key" => t_string!(i18n, benefits.problem_code),
        "name_de" | "name_en" | "title_de" | "title_en" => t_string!(i18n, benefits.problem_name),
        "description_de" | "description_en" => t_string!(i18n, benefits.problem_description),
        "office" => t_string!(i18n, benefits.problem_office),
        "active" => t_string!(i18n, benefits.problem_active),
        "category" => t_string!(i18n, benefits.problem_category),
        "label_de" | "label_en" => t_string!(i18n, benefits.problem_label),
        "help_de" | "help_en" => t_string!(i18n, benefits.problem_help),
        "kind" => t_string!(i18n, benefits.problem_kind),
        "options" => t_string!(i18n, benefits.problem_options),
        _ => t_string!(i18n, benefits.problem_other),
    }
}

#[derive(Clone, Copy)]
struct Actions {
    benefit: ServerAction<SaveBenefitType>,
    section: ServerAction<SaveFormSection>,
    place_section: ServerAction<PlaceFormSection>,
    question: ServerAction<SaveFormQuestion>,
    place_question: ServerAction<PlaceFormQuestion>,
}

/// Names of categories and offices in the page's language, and the choices of the forms.
#[derive(Clone)]
struct Lists {
    german: bool,
    overview: Arc<BenefitsOverview>,
}

impl Lists {
    fn category(&self, code: &str) -> String {
        self.overview
            .categories
            .iter()
            .find(|category| category.code == code)
            .map(|category| category.name.pick(self.german).to_owned())
            .unwrap_or_else(|| code.to_owned())
    }

    /// The office choices of a form: the active offices and the one `chosen` (chosen unless the
    /// form was sent with another).
    fn office_options(&self, chosen: &str, sent: &Sent) -> impl IntoView + use<> {
        let german = self.german;
        self.overview
            .offices
            .iter()
            .filter(|office| office.active || office.code == chosen)
            .map(|office| {
                let name = office.name.pick(german).to_owned();
                view! { <option value=office.code.clone() selected=sent.selected("office", &office.code, office.code == chosen)>{name}</option> }
            })
            .collect_view()
    }

    /// The category choices of a form, the one `sent` chosen.
    fn category_options(&self, sent: &Sent) -> impl IntoView + use<> {
        let german = self.german;
        self.overview
            .categories
            .iter()
            .map(|category| {
                let name = category.name.pick(german).to_owned();
                view! { <option value=category.code.clone() selected=sent.selected("category", &category.code, false)>{name}</option> }
            })
            .collect_view()
    }
}

fn kind_name(i18n: I18nContext<Locale>, kind: &str) -> &'static str {
    match kind {
        "text" => t_string!(i18n, benefits.kind_text),
        "number" => t_string!(i18n, benefits.kind_number),
        "money" => t_string!(i18n, benefits.kind_money),
        "date" => t_string!(i18n, benefits.kind_date),
        "boolean" => t_string!(i18n, benefits.kind_boolean),
        _ => t_string!(i18n, benefits.kind_choice),
    }
}

/// The fields of a benefit type; `code` is fixed once it exists.
fn benefit_form(i18n: I18nContext<Locale>, lists: &Lists, benefit: Option<&BenefitTypeView>, save: ServerAction<SaveBenefitType>) -> impl IntoView + use<> {
    let prefix = benefit.map(|benefit| format!("leistung-{}", benefit.code)).unwrap_or_else(|| "neue-leistung".to_owned());
    let id = |field: &str| format!("{prefix}-{field}");
    let (code, code_hint, name_de, name_en, text_de, text_en, office, active) =
        (id("code"), id("code-hinweis"), id("name-de"), id("name-en"), id("text-de"), id("text-en"), id("amt"), id("aktiv"));
    let active_hint = id("aktiv-hinweis");
    let sent = Sent::to::<SaveBenefitType>();
    let sent = match benefit {
        Some(benefit) => sent.for_item("code", &benefit.code),
        None => sent.for_none_of("code", lists.overview.benefits.iter().map(|benefit| benefit.code.as_str())),
    };
    let value = |name: &str, pick: fn(&BenefitTypeView) -> String| sent.text(name, benefit.map(pick).unwrap_or_default());
    let (code_value, name_de_value, name_en_value) =
        (value("code", |b| b.code.clone()), value("name_de", |b| b.name.de.clone()), value("name_en", |b| b.name.en.clone()));
    let (text_de_value, text_en_value) = (value("description_de", |b| b.description.de.clone()), value("description_en", |b| b.description.en.clone()));
    let offices = lists.office_options(&benefit.map(|b| b.office.clone()).unwrap_or_default(), &sent);
    let (exists, existing_code) = (benefit.is_some(), benefit.map(|benefit| benefit.code.clone()).unwrap_or_default());
    let is_active = sent.checked("active", "ja", benefit.is_some_and(|benefit| benefit.active));
    view! {
        <ActionForm action=save>
            {if exists {
                view! { <input type="hidden" name="code" value=existing_code /> }.into_any()
            } else {
                view! {
                    <div class="form-group">
                        <label for=code.clone()>{t!(i18n, benefits.code)}</label>
                        <span class="hint" id=code_hint.clone()>{t!(i18n, benefits.code_hint)}</span>
                        <input type="text" class="input--short" id=code name="code" value=code_value aria-describedby=code_hint />
                    </div>
                }
                .into_any()
            }}
            <div class="form-group">
                <label for=name_de.clone()>{t!(i18n, benefits.name_de)}</label>
                <input type="text" id=name_de name="name_de" value=name_de_value />
            </div>
            <div class="form-group">
                <label for=name_en.clone()>{t!(i18n, benefits.name_en)}</label>
                <input type="text" id=name_en name="name_en" value=name_en_value />
            </div>
            <div class="form-group">
                <label for=text_de.clone()>{t!(i18n, benefits.description_de)}</label>
                <textarea id=text_de name="description_de" rows="3">{area_text(text_de_value)}</textarea>
            </div>
            <div class="form-group">
                <label for=text_en.clone()>{t!(i18n, benefits.description_en)}</label>
                <textarea id=text_en name="description_en" rows="3">{area_text(text_en_value)}</textarea>
            </div>
            <div class="form-group">
                <label for=office.clone()>{t!(i18n, benefits.office)}</label>
                <select id=office name="office">{offices}</select>
            </div>
            <div class="choice">
                <input type="checkbox" id=active.clone() name="active" value="ja" checked=is_active aria-describedby=active_hint.clone() />
                <label for=active>{t!(i18n, benefits.active)}</label>
            </div>
            <p class="hint" id=active_hint>{t!(i18n, benefits.active_hint)}</p>
            <button type="submit" class="button">{t!(i18n, benefits.save)}</button>
        </ActionForm>
    }
}

/// A button that moves a section or question, or removes it.
fn placement_button(
    i18n: I18nContext<Locale>,
    placement: &'static str,
    what: String,
    field: &'static str,
    id: String,
    submit: impl FnOnce(AnyView) -> AnyView,
) -> AnyView {
    let (label, class) = match placement {
        "hoch" => (t_string!(i18n, benefits.up), "button button--secondary"),
        "runter" => (t_string!(i18n, benefits.down), "button button--secondary"),
        _ => (t_string!(i18n, benefits.remove), "button button--danger"),
    };
    submit(
        view! {
            <input type="hidden" name=field value=id />
            <input type="hidden" name="placement" value=placement />
            <button type="submit" class=class>{label}<span class="visually-hidden">" " {what}</span></button>
        }
        .into_any(),
    )
}

/// The fields of a question; the key is fixed once the question exists.
fn question_form(
    i18n: I18nContext<Locale>,
    section: &FormSectionView,
    question: Option<&FormQuestionView>,
    save: ServerAction<SaveFormQuestion>,
) -> impl IntoView + use<> {
    let prefix = question.map(|question| format!("frage-{}", question.id)).unwrap_or_else(|| format!("neue-frage-{}", section.id));
    let id = |field: &str| format!("{prefix}-{field}");
    let (key, key_hint, label_de, label_en, help_de, help_en, kind, options, options_hint, required) = (
        id("schluessel"),
        id("schluessel-hinweis"),
        id("text-de"),
        id("text-en"),
        id("hilfe-de"),
        id("hilfe-en"),
        id("art"),
        id("antworten"),
        id("antworten-hinweis"),
        id("pflicht"),
    );
    let sent = Sent::to::<SaveFormQuestion>().for_item("section", &section.id);
    let sent = match question {
        Some(question) => sent.for_item("question", &question.id),
        None => sent.without("question"),
    };
    let chosen_kind = question.map(|question| question.kind.clone()).unwrap_or_else(|| "text".to_owned());
    let kinds = QUESTION_KINDS
        .iter()
        .map(|option| {
            let chosen = sent.selected("kind", option, chosen_kind == *option);
            view! { <option value=*option selected=chosen>{kind_name(i18n, option)}</option> }
        })
        .collect_view();
    let value = |name: &str, pick: fn(&FormQuestionView) -> String| sent.text(name, question.map(pick).unwrap_or_default());
    let (label_de_value, label_en_value) = (value("label_de", |q| q.label.de.clone()), value("label_en", |q| q.label.en.clone()));
    let (help_de_value, help_en_value) = (
        value("help_de", |q| q.help.de.clone().unwrap_or_default()),
        value("help_en", |q| q.help.en.clone().unwrap_or_default()),
    );
    let options_value = value("options", |q| crate::admin::choice_lines(&q.options));
    let key_value = sent.text("key", "");
    let is_required = sent.checked("required", "ja", question.is_none_or(|question| question.required));
    let (section_id, question_id) = (section.id.clone(), question.map(|question| question.id.clone()));
    view! {
        <ActionForm action=save>
            <input type="hidden" name="section" value=section_id />
            {match question_id {
                Some(question_id) => view! { <input type="hidden" name="question" value=question_id /> }.into_any(),
                None => view! {
                    <div class="form-group">
                        <label for=key.clone()>{t!(i18n, benefits.key)}</label>
                        <span class="hint" id=key_hint.clone()>{t!(i18n, benefits.key_hint)}</span>
                        <input type="text" class="input--short" id=key name="key" value=key_value aria-describedby=key_hint />
                    </div>
                }
                .into_any(),
            }}
            <div class="form-group">
                <label for=label_de.clone()>{t!(i18n, benefits.label_de)}</label>
                <input type="text" id=label_de name="label_de" value=label_de_value />
            </div>
            <div class="form-group">
                <label for=label_en.clone()>{t!(i18n, benefits.label_en)}</label>
                <input type="text" id=label_en name="label_en" value=label_en_value />
            </div>
            <div class="form-group">
                <label for=help_de.clone()>{t!(i18n, benefits.help_de)}</label>
                <input type="text" id=help_de name="help_de" value=help_de_value />
            </div>
            <div class="form-group">
                <label for=help_en.clone()>{t!(i18n, benefits.help_en)}</label>
                <input type="text" id=help_en name="help_en" value=help_en_value />
            </div>
            <div class="form-group">
                <label for=kind.clone()>{t!(i18n, benefits.kind)}</label>
                <select id=kind name="kind">{kinds}</select>
            </div>
            <div class="form-group">
                <label for=options.clone()>{t!(i18n, benefits.options)}</label>
                <span class="hint" id=options_hint.clone()>{t!(i18n, benefits.options_hint)}</span>
                <textarea id=options name="options" rows="4" aria-describedby=options_hint>{area_text(options_value)}</textarea>
            </div>
            <div class="choice">
                <input type="checkbox" id=required.clone() name="required" value="ja" checked=is_required />
                <label for=required>{t!(i18n, benefits.required)}</label>
            </div>
            <button type="submit" class="button">{t!(i18n, benefits.save)}</button>
        </ActionForm>
    }
}

fn section_part(i18n: I18nContext<Locale>, lists: &Lists, benefit: &str, section: &FormSectionView, actions: Actions) -> impl IntoView + use<> {
    let german = lists.german;
    let title = section.title.pick(german).to_owned();
    let category = lists.category(&section.category);
    let questions = section
        .questions
        .iter()
        .map(|question| {
            let label = question.label.pick(german).to_owned();
            let buttons = ["hoch", "runter", "entfernen"]
                .into_iter()
                .map(|placement| {
                    placement_button(i18n, placement, label.clone(), "question", question.id.clone(), |fields| {
                        view! { <ActionForm action=actions.place_question>{fields}</ActionForm> }.into_any()
                    })
                })
                .collect_view();
            let form = question_form(i18n, section, Some(question), actions.question);
            let required = if question.required { t_string!(i18n, benefits.required_short) } else { t_string!(i18n, benefits.optional_short) };
            view! {
                <tr>
                    <td>{label.clone()}<br /><span class="caption">{question.key.clone()}</span></td>
                    <td>{kind_name(i18n, &question.kind)}</td>
                    <td>{required}</td>
                    <td>
                        <div class="actions">{buttons}</div>
                        <details>
                            <summary>{t!(i18n, benefits.change)}<span class="visually-hidden">" " {label}</span></summary>
                            {form}
                        </details>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let section_buttons = ["hoch", "runter", "entfernen"]
        .into_iter()
        .map(|placement| {
            placement_button(i18n, placement, title.clone(), "section", section.id.clone(), |fields| {
                view! { <ActionForm action=actions.place_section>{fields}</ActionForm> }.into_any()
            })
        })
        .collect_view();
    let new_question = question_form(i18n, section, None, actions.question);
    let sent = Sent::to::<SaveFormSection>().for_item("section", &section.id);
    let (title_de, title_en) = (sent.text("title_de", &section.title.de), sent.text("title_en", &section.title.en));
    let (benefit_code, section_id) = (benefit.to_owned(), section.id.clone());
    let titles_prefix = format!("abschnitt-{}", section.id);
    let (title_de_id, title_en_id) = (format!("{titles_prefix}-de"), format!("{titles_prefix}-en"));
    let heading = title.clone();
    view! {
        <div class="form-section">
            <h4>{heading} <span class="caption">" – " {t!(i18n, benefits.collects, category = move || category.clone())}</span></h4>
            <div class="actions">{section_buttons}</div>
            <details>
                <summary>{t!(i18n, benefits.change_titles)}<span class="visually-hidden">" " {title.clone()}</span></summary>
                <ActionForm action=actions.section>
                    <input type="hidden" name="benefit" value=benefit_code />
                    <input type="hidden" name="section" value=section_id />
                    <div class="form-group">
                        <label for=title_de_id.clone()>{t!(i18n, benefits.title_de)}</label>
                        <input type="text" id=title_de_id name="title_de" value=title_de />
                    </div>
                    <div class="form-group">
                        <label for=title_en_id.clone()>{t!(i18n, benefits.title_en)}</label>
                        <input type="text" id=title_en_id name="title_en" value=title_en />
                    </div>
                    <button type="submit" class="button">{t!(i18n, benefits.save)}</button>
                </ActionForm>
            </details>
            <div class="table-wrapper">
                <table class="table">
                    <caption class="visually-hidden">{title}</caption>
                    <thead><tr>
                        <th scope="col">{t!(i18n, benefits.question)}</th>
                        <th scope="col">{t!(i18n, benefits.kind)}</th>
                        <th scope="col">{t!(i18n, benefits.required_short)}</th>
                        <th scope="col"><span class="visually-hidden">{t!(i18n, benefits.change)}</span></th>
                    </tr></thead>
                    <tbody>{questions}</tbody>
                </table>
            </div>
            <details>
                <summary>{t!(i18n, benefits.new_question)}</summary>
                {new_question}
            </details>
        </div>
    }
}

fn benefit_section(i18n: I18nContext<Locale>, lists: &Lists, benefit: &BenefitTypeView, actions: Actions) -> impl IntoView + use<> {
    let german = lists.german;
    let anchor = format!("leistung-{}", benefit.code);
    let name = benefit.name.pick(german).to_owned();
    let state = match (benefit.active, benefit.has_published_template) {
        (true, _) => t_string!(i18n, benefits.state_offered),
        (false, true) => t_string!(i18n, benefits.state_not_offered),
        (false, false) => t_string!(i18n, benefits.state_no_template),
    };
    let form = benefit_form(i18n, lists, Some(benefit), actions.benefit);
    let sections = benefit
        .sections
        .iter()
        .map(|section| section_part(i18n, lists, &benefit.code, section, actions))
        .collect_view();
    let prefix = format!("neuer-abschnitt-{}", benefit.code);
    let (category_id, title_de_id, title_en_id) = (format!("{prefix}-kategorie"), format!("{prefix}-de"), format!("{prefix}-en"));
    let sent = Sent::to::<SaveFormSection>().for_item("benefit", &benefit.code).without("section");
    let categories = lists.category_options(&sent);
    let (title_de, title_en) = (sent.text("title_de", ""), sent.text("title_en", ""));
    let code = benefit.code.clone();
    view! {
        <section aria-labelledby=anchor.clone() class="case-section">
            <h2 id=anchor.clone()>{name.clone()}</h2>
            <p>{state}</p>
            <details>
                <summary>{t!(i18n, benefits.change_benefit)}<span class="visually-hidden">" " {name}</span></summary>
                {form}
            </details>
            <h3>{t!(i18n, benefits.form_heading)}</h3>
            {sections}
            <details>
                <summary>{t!(i18n, benefits.new_section)}</summary>
                <ActionForm action=actions.section>
                    <input type="hidden" name="benefit" value=code />
                    <div class="form-group">
                        <label for=category_id.clone()>{t!(i18n, benefits.category)}</label>
                        <select id=category_id name="category">{categories}</select>
                    </div>
                    <div class="form-group">
                        <label for=title_de_id.clone()>{t!(i18n, benefits.title_de)}</label>
                        <input type="text" id=title_de_id name="title_de" value=title_de />
                    </div>
                    <div class="form-group">
                        <label for=title_en_id.clone()>{t!(i18n, benefits.title_en)}</label>
                        <input type="text" id=title_en_id name="title_en" value=title_en />
                    </div>
                    <button type="submit" class="button">{t!(i18n, benefits.add)}</button>
                </ActionForm>
            </details>
        </section>
    }
}

#[component]
pub fn BenefitsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let actions = Actions {
        benefit: ServerAction::new(),
        section: ServerAction::new(),
        place_section: ServerAction::new(),
        question: ServerAction::new(),
        place_question: ServerAction::new(),
    };
    let key = move || {
        let versions = [
            actions.benefit.version().get(),
            actions.section.version().get(),
            actions.place_section.version().get(),
            actions.question.version().get(),
            actions.place_question.version().get(),
        ];
        (query.read().get("erledigt"), versions)
    };
    let data = Resource::new(key, |_| benefit_types());
    let failed = move || {
        [
            actions.benefit.value().with(|value| refused(value.as_ref())),
            actions.section.value().with(|value| refused(value.as_ref())),
            actions.place_section.value().with(|value| refused(value.as_ref())),
            actions.question.value().with(|value| refused(value.as_ref())),
            actions.place_question.value().with(|value| refused(value.as_ref())),
        ]
        .into_iter()
        .flatten()
        .next()
    };

    view! {
        <Title text=page_title(move || t_string!(i18n, benefits.page_title)) />
        <Guarded
            data=data
            sign_in_path="/verwaltung"
            render=Arc::new(move |overview: BenefitsOverview| {
                let german = i18n.get_locale_untracked() == Locale::de;
                let done = query.read_untracked().get("erledigt").and_then(|done| match done.as_str() {
                    "leistung" => Some(t_string!(i18n, benefits.done_benefit)),
                    "abschnitt" => Some(t_string!(i18n, benefits.done_section)),
                    "frage" => Some(t_string!(i18n, benefits.done_question)),
                    _ => None,
                });
                let lists = Lists { german, overview: Arc::new(overview) };
                let sections = lists
                    .overview
                    .benefits
                    .iter()
                    .map(|benefit| benefit_section(i18n, &lists, benefit, actions))
                    .collect_view();
                let new_benefit = benefit_form(i18n, &lists, None, actions.benefit);
                view! {
                    <div class="container container--wide">
                        {done.map(|text| view! { <div class="notice" role="status"><p>{text}</p></div> })}
                        {move || failed().map(|field| error_summary(i18n, problem(i18n, &field)))}
                        <h1>{t!(i18n, benefits.heading)}</h1>
                        <p class="lead">{t!(i18n, benefits.lead)}</p>
                        <p><a href=ADMIN_PATH>{t!(i18n, templates.back)}</a> " · " <a href=TEMPLATES_PATH>{t!(i18n, admin.templates_link)}</a></p>
                        {sections}
                        <section aria-labelledby="neue-leistung" class="case-section">
                            <h2 id="neue-leistung">{t!(i18n, benefits.new_benefit)}</h2>
                            {new_benefit}
                        </section>
                    </div>
                }
                .into_any()
            })
        />
    }
}
