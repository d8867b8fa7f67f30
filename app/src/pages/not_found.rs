//! The page for an address that does not exist; answered with status 404.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{components::page_title::page_title, i18n::*};

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();

    view! {
        <Title text=page_title(move || t_string!(i18n, not_found.page_title)) />
        <div class="container">
            <h1>{t!(i18n, not_found.heading)}</h1>
            <p>{t!(i18n, not_found.text)}</p>
            <p>
                <A href="/" attr:class="button">{t!(i18n, not_found.home_link)}</A>
            </p>
        </div>
    }
}
