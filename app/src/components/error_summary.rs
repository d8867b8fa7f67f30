//! The error summary at the top of a page with a form (GOV.UK's pattern).

use leptos::prelude::*;
use leptos_i18n::I18nContext;

use crate::i18n::*;

/// The error summary at the top of a page: a heading and a link to each field to fix. It takes
/// the focus when shown, so a screen reader announces it (GOV.UK's pattern).
pub fn error_summary(i18n: I18nContext<Locale>, items: Vec<(String, String)>) -> impl IntoView + use<> {
    (!items.is_empty()).then(|| {
        let summary = NodeRef::<leptos::html::Div>::new();
        Effect::new(move || {
            if let Some(summary) = summary.get() {
                let _ = summary.focus();
            }
        });
        view! {
            <div class="error-summary" role="alert" tabindex="-1" node_ref=summary aria-labelledby="fehler-titel">
                <h2 id="fehler-titel">{t!(i18n, apply.error_heading)}</h2>
                <ul>
                    {items
                        .into_iter()
                        .map(|(target, text)| view! { <li><a href=format!("#{target}")>{text}</a></li> })
                        .collect_view()}
                </ul>
            </div>
        }
    })
}

