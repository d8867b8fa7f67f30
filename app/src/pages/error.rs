//! The page shown when a page cannot be rendered; answered with status 500. It says what the
//! reader can do and never shows internals (those go to the server's log).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{components::page_title::page_title, i18n::*};

#[component]
pub fn ErrorPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    }
    let i18n = use_i18n();

    view! {
        <Title text=page_title(move || t_string!(i18n, error.page_title)) />
        <div class="container" role="alert">
            <h1>{t!(i18n, error.heading)}</h1>
            <p>{t!(i18n, error.text)}</p>
            <p>
                <A href="/" attr:class="button">{t!(i18n, error.home_link)}</A>
            </p>
        </div>
    }
}
