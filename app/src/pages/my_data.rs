//! "My data": what is kept, category by category, and which offices may see each right now and
//! why — for the citizen or a minor child (`?fuer=`).

use std::sync::Arc;

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    api::{data_by_category, people_acted_for},
    components::{guarded::Guarded, person_switch::person_switch},
    consent::{CategoryOverview, FieldView, MyData, NamedCode, PersonView, Visibility},
    i18n::*,
    url::format_timestamp,
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
    let data = Resource::new(person, |person| async move {
        let data = data_by_category(person).await?;
        let people = people_acted_for().await?;
        Ok(Page { data, people })
    });

    view! {
        <Title text=move || t_string!(i18n, my_data.page_title) />
        <Guarded
            data=data
            sign_in_path="/buerger"
            render=Arc::new(move |Page { data: MyData { citizen, citizen_name, offices, categories }, people }| {
                let german = i18n.get_locale_untracked() == Locale::de;
                let name = citizen_name.clone();
                view! {
                    <div class="container">
                        <h1>{t!(i18n, my_data.heading, name = move || name.clone())}</h1>
                        <p class="lead">{t!(i18n, my_data.lead)}</p>
                        {person_switch(i18n, people, &citizen, "/buerger/daten", move |name| {
                            view! { {t!(i18n, my_data.person_link, name = move || name.clone())} }
                        })}
                        {categories
                            .into_iter()
                            .map(|category| category_section(i18n, german, category, &offices))
                            .collect_view()}
                        <p><A href="/buerger/start">{t!(i18n, access.back)}</A></p>
                    </div>
                }
                .into_any()
            })
        />
    }
}

fn value_text(i18n: I18nContext<Locale>, value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Bool(true) => t_string!(i18n, my_data.yes).to_owned(),
        serde_json::Value::Bool(false) => t_string!(i18n, my_data.no).to_owned(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
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

/// The fields kept in one category, labelled, or a line saying nothing is kept.
pub fn kept_fields(i18n: I18nContext<Locale>, german: bool, fields: Vec<FieldView>) -> AnyView {
    if fields.is_empty() {
        return view! { <p>{t!(i18n, my_data.nothing_kept)}</p> }.into_any();
    }
    view! {
        <dl class="summary-list">
            {fields
                .into_iter()
                .map(|field| {
                    let label = if german { field.label_de } else { field.label_en };
                    let value = value_text(i18n, &field.value);
                    view! { <div><dt>{label}</dt><dd>{value}</dd></div> }
                })
                .collect_view()}
        </dl>
    }
    .into_any()
}

fn category_section(
    i18n: I18nContext<Locale>,
    german: bool,
    category: CategoryOverview,
    offices: &[NamedCode],
) -> impl IntoView + use<> {
    let heading_id = format!("kategorie-{}", category.code);
    let labelled_by = heading_id.clone();
    let name = if german { category.name_de } else { category.name_en };
    let description = if german { category.description_de } else { category.description_en };
    let fields = category.fields;
    let seen_by = category.seen_by;
    view! {
        <section class="data-category" aria-labelledby=labelled_by>
            <h2 id=heading_id>{name}</h2>
            <p class="hint">{description}</p>
            {category.special.then(|| view! { <p class="tag">{t!(i18n, my_data.special)}</p> })}
            {kept_fields(i18n, german, fields)}
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
