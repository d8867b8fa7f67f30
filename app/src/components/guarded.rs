//! A page that needs a signed-in person of some role. The data comes from a server function
//! that checks the principal on the server; this only shows what it answered: the page, a
//! redirect to sign-in (401), "no access" (403), or "not found" (404). Render guarded routes with
//! `SsrMode::Async`, so the redirect and the status reach the browser before any content.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::{components::Redirect, hooks::use_location};
use serde::{Serialize, de::DeserializeOwned};

use crate::{
    auth::ApiError,
    i18n::*,
    components::refusal::{ErrorPage, LogBehindPage, NotAllowed, NotFound},
    url::encode_component,
};

#[component]
pub fn Guarded<T>(
    /// The page's data, from a guarded server function.
    data: Resource<Result<T, ApiError>>,
    /// Where to sign in, e.g. `/buerger`; the current path is passed as `zurueck`.
    sign_in_path: &'static str,
    /// The page for the data.
    render: Arc<dyn Fn(T) -> AnyView + Send + Sync>,
) -> impl IntoView
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let location = use_location();
    view! {
        <Suspense fallback=move || view! { <p class="container">{t!(i18n, common.loading)}</p> }>
            {move || {
                let render = render.clone();
                let here = location.pathname.get_untracked();
                Suspend::new(async move {
                    match data.await {
                        Ok(value) => render(value),
                        Err(ApiError::NotSignedIn) => {
                            let path = format!("{sign_in_path}?zurueck={}", encode_component(&here));
                            view! { <Redirect path /> }.into_any()
                        }
                        Err(ApiError::NotAllowed) => view! { <NotAllowed unknown_staff=false /> }.into_any(),
                        // Nothing of that name for them, or an address no page has (a malformed
                        // id): the same 404 as for any unknown address.
                        Err(ApiError::NotFound | ApiError::Invalid { .. }) => view! { <NotFound /> }.into_any(),
                        Err(ApiError::LogBehind) => view! { <LogBehindPage /> }.into_any(),
                        Err(ApiError::Internal | ApiError::Request(_)) => view! { <ErrorPage /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
