//! The accessibility statement (BITV 2.0 § 7): how accessible the portal is, what is not yet,
//! how the statement was made, the feedback form, and where to turn when an answer does not
//! help. Open to everybody; the form works without JavaScript.

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    admin::{FEEDBACK_CONTACT_MAX, FEEDBACK_MESSAGE_MAX, FEEDBACK_PAGE_MAX},
    api::SendFeedback,
    auth::ApiError,
    components::{
        error_summary::{Sent, error_summary},
        page_title::page_title,
        text_area::area_text,
    },
    i18n::*,
};

/// What to fix in `field`, in plain words.
fn problem(i18n: I18nContext<Locale>, field: &str) -> &'static str {
    match field {
        "message" => t_string!(i18n, accessibility.problem_message),
        "page" => t_string!(i18n, accessibility.problem_page),
        "contact" => t_string!(i18n, accessibility.problem_contact),
        _ => t_string!(i18n, accessibility.problem_other),
    }
}

/// A field of the form with its label, hint and, when refused, the reason next to it.
fn field<F: FnOnce(String, Option<&'static str>) -> AnyView>(
    i18n: I18nContext<Locale>,
    id: &'static str,
    label: &'static str,
    hint: &'static str,
    refused: Option<&str>,
    input: F,
) -> impl IntoView + use<F> {
    let failed = refused == Some(id);
    let described_by = if failed { format!("{id}-hinweis {id}-fehler") } else { format!("{id}-hinweis") };
    view! {
        <div class=if failed { "form-group form-group--error" } else { "form-group" }>
            <label for=id>{label}</label>
            <span class="hint" id=format!("{id}-hinweis")>{hint}</span>
            {failed.then(|| view! { <span class="error-message" id=format!("{id}-fehler")>{problem(i18n, id)}</span> })}
            {input(described_by, failed.then_some("true"))}
        </div>
    }
}

#[component]
pub fn AccessibilityPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let send = ServerAction::<SendFeedback>::new();
    let sent = move || query.read().get("gesendet").is_some() || matches!(send.value().get(), Some(Ok(())));
    // The field the server refused ("" when it failed otherwise), to mark it and sum it up.
    let refused = move || match send.value().get() {
        Some(Err(ApiError::Invalid { field, .. })) => Some(field),
        Some(Err(_)) => Some(String::new()),
        _ => None,
    };
    let language = move || if i18n.get_locale() == Locale::de { "de" } else { "en" };

    let form = move || {
        let refused = refused();
        let sent = Sent::to::<SendFeedback>();
        let (message_sent, page_sent, contact_sent) = (sent.text("message", ""), sent.text("page", ""), sent.text("contact", ""));
        let summary = refused.as_deref().map(|field| {
            let target = if field.is_empty() { "message" } else { field };
            vec![(target.to_owned(), problem(i18n, field).to_owned())]
        });
        let message = field(
            i18n,
            "message",
            t_string!(i18n, accessibility.message_label),
            t_string!(i18n, accessibility.message_hint),
            refused.as_deref(),
            move |described_by, invalid| {
                view! {
                    <textarea id="message" name="message" rows="6" maxlength=FEEDBACK_MESSAGE_MAX.to_string()
                        aria-describedby=described_by aria-invalid=invalid>{area_text(message_sent)}</textarea>
                }
                .into_any()
            },
        );
        let page = field(
            i18n,
            "page",
            t_string!(i18n, accessibility.page_label),
            t_string!(i18n, accessibility.page_hint),
            refused.as_deref(),
            move |described_by, invalid| {
                view! {
                    <input type="text" id="page" name="page" maxlength=FEEDBACK_PAGE_MAX.to_string() value=page_sent
                        aria-describedby=described_by aria-invalid=invalid />
                }
                .into_any()
            },
        );
        let contact = field(
            i18n,
            "contact",
            t_string!(i18n, accessibility.contact_label),
            t_string!(i18n, accessibility.contact_hint),
            refused.as_deref(),
            move |described_by, invalid| {
                view! {
                    <input type="text" id="contact" name="contact" autocomplete="email" maxlength=FEEDBACK_CONTACT_MAX.to_string() value=contact_sent
                        aria-describedby=described_by aria-invalid=invalid />
                }
                .into_any()
            },
        );
        view! {
            {summary.map(|items| error_summary(i18n, items))}
            <ActionForm action=send attr:novalidate="">
                <input type="hidden" name="language" value=language />
                {message}
                {page}
                {contact}
                <button type="submit" class="button">{t!(i18n, accessibility.send)}</button>
            </ActionForm>
        }
    };

    view! {
        <Title text=page_title(move || t_string!(i18n, accessibility.page_title)) />
        <div class="container">
            <h1>{t!(i18n, accessibility.heading)}</h1>
            <p class="lead">{t!(i18n, accessibility.intro)}</p>

            <h2>{t!(i18n, accessibility.status_heading)}</h2>
            <p>{t!(i18n, accessibility.status_text)}</p>

            <h2>{t!(i18n, accessibility.limits_heading)}</h2>
            <ul class="list">
                <li>{t!(i18n, accessibility.limit_documents)}</li>
                <li>{t!(i18n, accessibility.limit_expert)}</li>
            </ul>

            <h2>{t!(i18n, accessibility.made_heading)}</h2>
            <p>{t!(i18n, accessibility.made_text)}</p>

            <section aria-labelledby="rueckmeldung">
                <h2 id="rueckmeldung">{t!(i18n, accessibility.feedback_heading)}</h2>
                <p>{t!(i18n, accessibility.feedback_intro)}</p>
                {move || {
                    if sent() {
                        view! { <div class="notice" role="status"><p>{t!(i18n, accessibility.sent)}</p></div> }.into_any()
                    } else {
                        form().into_any()
                    }
                }}
            </section>

            <h2>{t!(i18n, accessibility.enforcement_heading)}</h2>
            <p>{t!(i18n, accessibility.enforcement_text)}</p>
        </div>
    }
}
