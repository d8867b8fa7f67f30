//! Switches between German and English.
//!
//! Without JavaScript it is a link to `/sprache/{locale}`, where the server sets the language
//! cookie and sends the reader back. Once the page has hydrated, the click switches the
//! language in place (leptos_i18n stores the same cookie), without loading the page again.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::i18n::*;

/// The language a reader switches to from `current`.
pub fn other_locale(current: Locale) -> Locale {
    match current {
        Locale::de => Locale::en,
        Locale::en => Locale::de,
    }
}

#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();

    let target = move || other_locale(i18n.get_locale());
    let href = move || format!("/sprache/{}?zurueck={}", target().as_str(), location.pathname.get());
    let switch = move |event: leptos::ev::MouseEvent| {
        event.prevent_default();
        i18n.set_locale(target());
    };

    view! {
        <a
            class="language-switch"
            href=href
            hreflang=move || target().as_str()
            lang=move || target().as_str()
            aria-label=move || t_string!(i18n, layout.switch_language_label)
            on:click=switch
        >
            {t!(i18n, layout.switch_language)}
        </a>
    }
}
