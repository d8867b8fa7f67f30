//! Paging through a long list.

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::components::A;

use crate::i18n::*;

/// The links to the page before and after (when there is one) and where this one stands, for a
/// list paged on the server.
pub fn pagination(
    i18n: I18nContext<Locale>,
    previous: Option<String>,
    next: Option<String>,
    page: i64,
    pages: i64,
) -> impl IntoView + use<> {
    let (number, of) = (page.to_string(), pages.to_string());
    view! {
        <nav class="pagination" aria-label=t_string!(i18n, queue.pages_label)>
            {previous.map(|href| view! { <A href=href attr:rel="prev">{t!(i18n, queue.previous)}</A> })}
            <span>{t!(i18n, queue.page_of, number = move || number.clone(), count = move || of.clone())}</span>
            {next.map(|href| view! { <A href=href attr:rel="next">{t!(i18n, queue.next)}</A> })}
        </nav>
    }
}
