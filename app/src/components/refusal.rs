//! What a page shows instead of itself: not found (404), no access (403), a failure (500), or
//! files locked while the access log is behind its witness (503).
//! Each sets its status and says what the reader can do; internals go to the server's log.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{components::page_title::page_title, i18n::*};

/// The page for an address that does not exist, or a record that is not the reader's.
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

/// "No access": for a person the staff directory does not know, or a page of another role.
#[component]
pub fn NotAllowed(unknown_staff: bool) -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::FORBIDDEN);
    }
    view! {
        <Title text=page_title(move || t_string!(i18n, not_allowed.page_title)) />
        <div class="container">
            <h1>{t!(i18n, not_allowed.heading)}</h1>
            <p>
                {move || {
                    if unknown_staff {
                        t_string!(i18n, not_allowed.unknown_staff)
                    } else {
                        t_string!(i18n, not_allowed.wrong_role)
                    }
                }}
            </p>
            <p>
                <A href="/" attr:class="button">{t!(i18n, not_allowed.home_link)}</A>
            </p>
        </div>
    }
}

/// The page shown when a page cannot be rendered.
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

/// The page for a read of citizens' data while the access log is behind the checkpoint its
/// witness cosigned: no read could be logged, so none is answered.
#[component]
pub fn LogBehindPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::SERVICE_UNAVAILABLE);
    }
    let i18n = use_i18n();

    view! {
        <Title text=page_title(move || t_string!(i18n, log_behind.page_title)) />
        <div class="container" role="alert">
            <h1>{t!(i18n, log_behind.heading)}</h1>
            <p>{t!(i18n, log_behind.text)}</p>
            <p>
                <A href="/" attr:class="button">{t!(i18n, log_behind.home_link)}</A>
            </p>
        </div>
    }
}
