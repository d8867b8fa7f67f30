//! "My data": what is kept, category by category, and which offices may see each right now and
//! why — for the citizen or a minor child (`?fuer=`); and a page per category to correct it.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

use crate::{
    api::{SaveMyData, data_by_category, data_category, people_acted_for},
    applying::{AnswerKind, DataEdit},
    components::{
        data_view::kept_fields,
        error_summary::{Sent, error_summary},
        guarded::Guarded,
        page_title::page_title,
        person_switch::person_switch,
        questions::{person_field, problem_text, question_field},
    },
    consent::{CategoryOverview, MyData, NamedCode, PersonView, Protection, Visibility},
    i18n::*,
    url::{for_person, format_timestamp},
};

/// The page's data: the overview and the people the citizen may switch between.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Page {
    data: MyData,
    people: Vec<PersonView>,
}

#[component]
pub fn MyDataPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let person = move || query.read().get("fuer").filter(|person| !person.is_empty());
    let saved = move || query.read().get("gespeichert");
    let data = Resource::new(move || (person(), saved()), |(person, _)| async move {
        let data = data_by_category(person).await?;
        let people = people_acted_for().await?;
        Ok(Page { data, people })
    });

    view! {
        <Title text=page_title(move || t_string!(i18n, my_data.page_title)) />
        <Guarded
            data=data
            sign_in_path="/buerger"
            render=Arc::new(move |Page { data: MyData { citizen, citizen_name, offices, categories, protections }, people }| {
                let german = i18n.get_locale_untracked() == Locale::de;
                let name = citizen_name.clone();
                let is_self = people.iter().any(|person| person.id == citizen && person.is_self);
                let saved_name = saved().and_then(|code| {
                    let category = categories.iter().find(|category| category.code == code)?;
                    Some(category.name.pick(german).to_owned())
                });
                view! {
                    <div class="container">
                        {saved_name.map(|saved_name| view! {
                            <div class="notice" role="status">
                                {t!(i18n, my_data.saved, category = move || saved_name.clone())}
                            </div>
                        })}
                        <h1>{t!(i18n, my_data.heading, name = move || name.clone())}</h1>
                        <p class="lead">{t!(i18n, my_data.lead)}</p>
                        {person_switch(i18n, people, &citizen, "/buerger/daten", move |name| {
                            view! { {t!(i18n, my_data.person_link, name = move || name.clone())} }
                        })}
                        {protection_notice(i18n, german, protections, &offices)}
                        {categories
                            .into_iter()
                            .map(|category| {
                                let edit = category
                                    .editable
                                    .then(|| for_person(&format!("/buerger/daten/{}", category.code), &citizen, is_self));
                                category_section(i18n, german, category, &offices, edit)
                            })
                            .collect_view()}
                        <p><A href="/buerger/start">{t!(i18n, access.back)}</A></p>
                    </div>
                }
                .into_any()
            })
        />
    }
}

/// That the person's data is under a protection flag, by which office and since when.
fn protection_notice(
    i18n: I18nContext<Locale>,
    german: bool,
    protections: Vec<Protection>,
    offices: &[NamedCode],
) -> Option<impl IntoView + use<>> {
    if protections.is_empty() {
        return None;
    }
    let items = protections
        .into_iter()
        .map(|protection| {
            let office = NamedCode::name_in(offices, &protection.office, german);
            let since = format_timestamp(&protection.since, german);
            view! { <p>{t!(i18n, my_data.protected_by, office = move || office.clone(), since = move || since.clone())}</p> }
        })
        .collect_view();
    Some(view! {
        <section class="notice" aria-labelledby="schutzvermerk">
            <h2 id="schutzvermerk">{t!(i18n, my_data.protected_heading)}</h2>
            {items}
            <p>{t!(i18n, my_data.protected_hint)}</p>
        </section>
    })
}

fn visibility_item(
    i18n: I18nContext<Locale>,
    german: bool,
    visibility: Visibility,
    offices: &[NamedCode],
) -> impl IntoView + use<> {
    let office = NamedCode::name_in(offices, &visibility.office, german);
    let reference = visibility.reference.unwrap_or_default();
    let purpose = visibility.purpose.unwrap_or_default();
    let until = visibility.until.as_deref().map(|at| format_timestamp(at, german)).unwrap_or_default();
    let why = match visibility.basis.as_str() {
        "application" => {
            view! { {t!(i18n, my_data.why_application, reference = move || reference.clone())} }.into_any()
        }
        "consent" => view! {
            {t!(i18n, my_data.why_consent, purpose = move || purpose.clone(), until = move || until.clone())}
        }
        .into_any(),
        _ => view! { {t!(i18n, my_data.why_emergency, until = move || until.clone())} }.into_any(),
    };
    view! { <li><strong>{office}</strong> ": " {why}</li> }
}

fn category_section(
    i18n: I18nContext<Locale>,
    german: bool,
    category: CategoryOverview,
    offices: &[NamedCode],
    edit: Option<String>,
) -> impl IntoView + use<> {
    let heading_id = format!("kategorie-{}", category.code);
    let labelled_by = heading_id.clone();
    let name = category.name.pick(german).to_owned();
    let heading = name.clone();
    let description = category.description.pick(german).to_owned();
    let fields = category.fields;
    let seen_by = category.seen_by;
    view! {
        <section class="data-category" aria-labelledby=labelled_by>
            <h2 id=heading_id>{heading}</h2>
            <p class="hint">{description}</p>
            {category.special.then(|| view! { <p class="tag">{t!(i18n, my_data.special)}</p> })}
            {kept_fields(i18n, german, fields)}
            {edit.map(|edit| {
                let name = name.clone();
                view! {
                    <p>
                        <A href=edit>
                            {t!(i18n, my_data.edit_link)}
                            <span class="visually-hidden">{format!(": {name}")}</span>
                        </A>
                    </p>
                }
            })}
            <h3>{t!(i18n, my_data.who_heading)}</h3>
            {if seen_by.is_empty() {
                view! { <p>{t!(i18n, my_data.nobody)}</p> }.into_any()
            } else {
                view! {
                    <ul class="list">
                        {seen_by.into_iter().map(|visibility| visibility_item(i18n, german, visibility, offices)).collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
}

/// Correcting one category of the person's data: the questions every form asks of it, filled in
/// with what is kept. A change counts for every office that may see the category, from the next
/// request on; answers that do not fit change nothing and are shown again with what to fix.
#[component]
pub fn DataEditPage() -> impl IntoView {
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
    let data = Resource::new(key, |(person, category, problems)| data_category(person, category, problems));
    let save = ServerAction::<SaveMyData>::new();

    view! {
        <Title text=page_title(move || t_string!(i18n, my_data.edit_title)) />
        <Guarded
            data=data
            sign_in_path="/buerger"
            render=Arc::new(move |DataEdit { person, category, questions }| {
                let german = i18n.get_locale_untracked() == Locale::de;
                let name = category.name.pick(german).to_owned();
                let back = for_person("/buerger/daten", &person.id, person.is_self);
                let sent = Sent::to::<SaveMyData>();
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
                view! {
                    <div class="container">
                        <A href=back.clone() attr:class="back-link">{t!(i18n, apply.back)}</A>
                        {error_summary(i18n, problems)}
                        <h1>{t!(i18n, my_data.edit_heading, category = move || name.clone())}</h1>
                        <DataOwner person=person.clone() />
                        <p class="lead">{t!(i18n, my_data.edit_lead)}</p>
                        <ActionForm action=save attr:novalidate="">
                            {person_field(&person)}
                            <input type="hidden" name="category" value=category.code />
                            {questions.into_iter().map(|question| question_field(i18n, german, question, &sent)).collect_view()}
                            <div class="button-group">
                                <button type="submit" class="button">{t!(i18n, my_data.save_button)}</button>
                                <A href=back attr:class="button button--secondary">{t!(i18n, my_data.cancel)}</A>
                            </div>
                        </ActionForm>
                    </div>
                }
                .into_any()
            })
        />
    }
}

/// Whose data the page changes: the citizen's own, or their child's.
#[component]
fn DataOwner(person: PersonView) -> impl IntoView {
    let i18n = use_i18n();
    let name = person.name.clone();
    match person.is_self {
        true => view! { <p class="on-behalf">{t!(i18n, my_data.edit_self)}</p> }.into_any(),
        false => view! {
            <p class="on-behalf"><strong>{t!(i18n, my_data.edit_child, name = move || name.clone())}</strong></p>
        }
        .into_any(),
    }
}
