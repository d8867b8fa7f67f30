//! A citizen's data as staff and the citizen see it: the sections of what may be read, a
//! value in words, the fields kept, category names.

use leptos::prelude::*;
use leptos_i18n::I18nContext;

use crate::{
    case::FieldLabel,
    consent::{FieldView, NamedCode},
    i18n::*,
};

/// The citizen's data by category, in the categories' order, each field with its label.
pub fn data_sections(
    i18n: I18nContext<Locale>,
    german: bool,
    data: &std::collections::BTreeMap<String, serde_json::Value>,
    categories: &[NamedCode],
    labels: &[FieldLabel],
    prefix: &str,
) -> AnyView {
    categories
        .iter()
        .filter_map(|category| {
            let value = data.get(&category.code)?;
            let id = format!("{prefix}-{}", category.code);
            let labelled_by = id.clone();
            let name = category.name.pick(german).to_owned();
            Some(view! {
                <section aria-labelledby=labelled_by>
                    <h3 id=id>{name}</h3>
                    {category_fields(i18n, german, &category.code, value, labels)}
                </section>
            })
        })
        .collect_view()
        .into_any()
}

pub fn value_text(i18n: I18nContext<Locale>, value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Bool(true) => t_string!(i18n, my_data.yes).to_owned(),
        serde_json::Value::Bool(false) => t_string!(i18n, my_data.no).to_owned(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
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
                    let label = field.label.pick(german).to_owned();
                    let value = value_text(i18n, &field.value);
                    view! { <div><dt>{label}</dt><dd>{value}</dd></div> }
                })
                .collect_view()}
        </dl>
    }
    .into_any()
}

/// The names of `codes`, in the categories' own order.
pub fn category_names(codes: &[String], categories: &[NamedCode], german: bool) -> String {
    categories
        .iter()
        .filter(|category| codes.contains(&category.code))
        .map(|category| NamedCode::name_in(categories, &category.code, german))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The data of one category: each field with its label.
fn category_fields(
    i18n: I18nContext<Locale>,
    german: bool,
    code: &str,
    value: &serde_json::Value,
    labels: &[FieldLabel],
) -> AnyView {
    let Some(fields) = value.as_object() else { return ().into_any() };
    let rows = fields
        .iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(key, value)| {
            let label = labels
                .iter()
                .find(|label| label.category == code && label.key == *key)
                .map(|label| label.label.pick(german).to_owned())
                .unwrap_or_else(|| key.clone());
            let text = value_text(i18n, value);
            view! { <div><dt>{label}</dt><dd>{text}</dd></div> }
        })
        .collect_view();
    view! { <dl class="summary-list">{rows}</dl> }.into_any()
}
