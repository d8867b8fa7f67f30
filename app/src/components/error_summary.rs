//! The error summary at the top of a page with a form (GOV.UK's pattern).

use leptos::{
    prelude::*,
    server_fn::{ServerFn, error::ServerFnUrlError},
};
use leptos_i18n::I18nContext;
use leptos_router::params::ParamsMap;
use serde::{Deserialize, Serialize};

use crate::{auth::ApiError, i18n::*};

/// The error summary at the top of a page: a heading and a link to each field to fix. It takes
/// the focus when the page loads, so a screen reader announces it (GOV.UK's pattern); a refused
/// form always comes back as a new page.
pub fn error_summary(i18n: I18nContext<Locale>, items: Vec<(String, String)>) -> impl IntoView + use<> {
    (!items.is_empty()).then(|| {
        view! {
            <div class="error-summary" role="alert" tabindex="-1" autofocus aria-labelledby="fehler-titel">
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

/// Why server function `S` refused the form just sent, if it did: the refusal the server put in
/// the address it sent the browser back to (`__path` names the function, `__err` carries the
/// error), which Leptos also gives the action as its value.
pub fn refusal<S>(action: ServerAction<S>, query: &ParamsMap) -> Option<ApiError>
where
    S: ServerFn<Error = ApiError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    let answered = action.value().with(|value| match value {
        Some(Err(error)) => Some(error.clone()),
        _ => None,
    });
    if answered.is_some() {
        return answered;
    }
    if query.get("__path").as_deref() != Some(S::PATH) {
        return None;
    }
    query.get("__err").map(|error| ServerFnUrlError::<ApiError>::decode_err(&error))
}

/// The fields of a refused form, which the server hands to the request of the page the browser
/// is sent back to (`server/src/refill.rs`, which also writes them back into the form).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RefusedFields {
    /// The server function the form posted to (its `action`).
    pub action: String,
    pub fields: Vec<(String, String)>,
}

impl RefusedFields {
    /// The values sent for the field `name`.
    pub fn sent<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.fields.iter().filter(move |(field, _)| *field == name).map(|(_, value)| value.as_str())
    }
}

/// What the form refused by server function `S` sent as `name`, if this page is the one the
/// browser was sent back to and the server still knew the fields. The address names only the
/// function, so a page with one such form per item (one per emergency access, say) learns here
/// which of them was sent.
pub fn refused_value<S: ServerFn>(name: &str) -> Option<String> {
    #[cfg(feature = "ssr")]
    {
        let request = use_context::<axum::http::request::Parts>()?;
        let refused = request.extensions.get::<RefusedFields>().filter(|refused| refused.action == S::PATH)?;
        refused.sent(name).next().map(str::to_owned)
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _only_the_server_knows = name;
        None
    }
}
