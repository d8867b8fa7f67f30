//! What an administration form shows when it was refused: which field, and the summary at the
//! top of the page.

use leptos::prelude::*;
use leptos_i18n::I18nContext;

use crate::{auth::ApiError, i18n::*};

/// The field a failed action names, if it failed for an input ("" when it failed otherwise).
pub fn refused<T: Send + Sync + 'static>(value: Option<&Result<T, ApiError>>) -> Option<String> {
    match value {
        Some(Err(ApiError::Invalid { field, .. })) => Some(field.clone()),
        Some(Err(_)) => Some(String::new()),
        _ => None,
    }
}

/// The error summary of an administration page: what to fix, in plain words. It takes the focus
/// when the page loads, as the citizen's does.
pub fn error_summary(i18n: I18nContext<Locale>, problem: &'static str) -> impl IntoView + use<> {
    view! {
        <div class="error-summary" role="alert" tabindex="-1" autofocus>
            <h2>{t!(i18n, admin.error_heading)}</h2>
            <p>{problem}</p>
        </div>
    }
}
