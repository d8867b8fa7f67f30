//! The error summary at the top of a page with a form (GOV.UK's pattern).

use std::sync::Arc;

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

/// The fields of a refused form, which the server keeps for the page the browser is sent back
/// to and hands to that page's request (`server/src/refill.rs`).
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

/// What a refused form sent, for writing it back into that form: the page the browser is sent
/// back to renders each field of the form from here, so nothing typed into it is lost. Text comes
/// back as its value, choices as they were made; hidden, password and file fields are never
/// written from it. Empty on every other page, and when the server no longer knows the fields
/// (the page asked for a second time).
#[derive(Clone, Debug, Default)]
pub struct Sent(Option<Arc<RefusedFields>>);

impl Sent {
    /// What the form posting to server function `S` sent, if this page is the one its refusal
    /// sent the browser back to.
    pub fn to<S: ServerFn>() -> Self {
        #[cfg(feature = "ssr")]
        {
            let refused = use_context::<axum::http::request::Parts>()
                .and_then(|request| request.extensions.get::<RefusedFields>().cloned())
                .filter(|refused| refused.action == S::PATH);
            Self(refused.map(Arc::new))
        }
        #[cfg(not(feature = "ssr"))]
        {
            Self(None)
        }
    }

    /// Narrowed to the one form of a kind whose hidden field `name` holds `value`: a page with
    /// such a form per item (per case, per emergency access) gets the fields back in the form
    /// that was sent only, and a form sent without that field (the one for a new item) comes
    /// back into none of them. The address names only the server function, so this is also how
    /// such a page learns which of its forms was sent.
    pub fn for_item(&self, name: &str, value: &str) -> Self {
        Self(self.0.clone().filter(|refused| refused.sent(name).next() == Some(value)))
    }

    /// Narrowed to the form for a new item, which has no hidden field `name`: nothing comes back
    /// into it when a form for an existing item was sent.
    pub fn without(&self, name: &str) -> Self {
        Self(self.0.clone().filter(|refused| refused.sent(name).next().is_none()))
    }

    /// Narrowed to the form for a new item that names it in the text field `name`: nothing comes
    /// back into it when the form of one of the `existing` items (which carries `name` hidden)
    /// was sent.
    pub fn for_none_of<'a>(&self, name: &str, mut existing: impl Iterator<Item = &'a str>) -> Self {
        let sent = self.0.as_ref().and_then(|refused| refused.sent(name).next());
        match sent {
            Some(sent) if existing.any(|item| item == sent) => Self(None),
            _ => self.clone(),
        }
    }

    /// Whether the server gave this page the fields of a form it refused.
    pub fn is_known(&self) -> bool {
        self.0.is_some()
    }

    /// The text field `name`: what was sent, or else what the page shows.
    pub fn text(&self, name: &str, shown: impl Into<String>) -> String {
        self.0.as_ref().and_then(|refused| refused.sent(name).next().map(str::to_owned)).unwrap_or_else(|| shown.into())
    }

    /// Whether the check box or radio button `name` with `value` is ticked: as sent (a box left
    /// empty sends nothing), or else as the page shows it.
    pub fn checked(&self, name: &str, value: &str, shown: bool) -> bool {
        match &self.0 {
            Some(refused) => refused.sent(name).any(|sent| sent == value),
            None => shown,
        }
    }

    /// Whether the option `value` of the list `name` is chosen: as sent, or else as the page
    /// shows it.
    pub fn selected(&self, name: &str, value: &str, shown: bool) -> bool {
        match &self.0 {
            Some(refused) if refused.sent(name).next().is_some() => refused.sent(name).any(|sent| sent == value),
            _ => shown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(fields: &[(&str, &str)]) -> Sent {
        Sent(Some(Arc::new(RefusedFields {
            action: "/api/entscheiden".to_owned(),
            fields: fields.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())).collect(),
        })))
    }

    #[test]
    fn the_form_sent_gets_its_fields_back_and_the_others_of_its_kind_keep_theirs() {
        let all = sent(&[("application", "a2"), ("reason", "Einkommen <über> der Grenze"), ("outcome", "reject"), ("days", "30")]);
        let (other, this) = (all.for_item("application", "a1"), all.for_item("application", "a2"));
        assert!(!other.is_known() && this.is_known());
        assert!(!all.for_item("question", "q1").is_known(), "the form for a new item was sent, not this one's");
        assert_eq!(other.text("reason", ""), "", "the same kind of form for another case");
        assert_eq!(this.text("reason", ""), "Einkommen <über> der Grenze");
        assert_eq!(this.text("until", "heute"), "heute", "a field not sent keeps what the page shows");
        assert!(!this.checked("outcome", "approve", true), "the choice sent replaces the page's");
        assert!(this.checked("outcome", "reject", false));
        assert!(!this.checked("confirmed", "ja", true), "a box left empty comes back empty");
        assert!(this.selected("days", "30", false) && !this.selected("days", "7", true));
        assert!(this.selected("kind", "x", true), "a list not sent keeps the page's choice");
        assert!(other.checked("outcome", "approve", true) && !other.checked("outcome", "reject", false));
        assert!(!all.without("application").is_known(), "the form for a new item was not the one sent");
        assert!(all.without("question").is_known());
        assert!(!all.for_none_of("application", ["a1", "a2"].into_iter()).is_known());
        assert!(all.for_none_of("application", ["a1"].into_iter()).is_known(), "a new item named a2");
    }

    #[test]
    fn nothing_sent_leaves_every_field_as_the_page_shows_it() {
        let nothing = Sent::default();
        assert!(!nothing.is_known() && !nothing.for_item("application", "a1").is_known());
        assert_eq!(nothing.text("reason", "Entwurf"), "Entwurf");
        assert!(nothing.checked("confirmed", "ja", true) && nothing.selected("days", "7", true));
    }
}
