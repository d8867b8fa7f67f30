//! Switches between German and English: a link to `/sprache/{locale}`, where the server sets the
//! language cookie and sends the reader back to the page they were on.

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
    let target = other_locale(i18n.get_locale_untracked()).as_str();
    let href = format!("/sprache/{target}?zurueck={}", use_location().pathname.get_untracked());

    view! {
        <a class="language-switch" href=href hreflang=target lang=target aria-label=t_string!(i18n, layout.switch_language_label)>
            {t!(i18n, layout.switch_language)}
        </a>
    }
}
