//! Emergency access (§ 8a SGB VIII) for the youth office: the colleagues' accesses waiting for
//! a second person's confirmation, the running ones (each ends by itself at its time, or by
//! hand), and the data a running one opens. Opening one starts on the case's page.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

use crate::{
    api::{ConfirmEmergency, EMERGENCY_PATH, EndEmergency, RejectEmergency, emergency_data, office_emergencies},
    case::{EmergencyView, SharedDataView},
    components::guarded::Guarded,
    i18n::*,
    pages::my_data::value_text,
    url::format_timestamp,
};

pub(crate) fn emergency_status(i18n: I18nContext<Locale>, status: &str) -> &'static str {
    match status {
        "pending" => t_string!(i18n, emergency.status_pending),
        "confirmed" => t_string!(i18n, emergency.status_confirmed),
        "expired" => t_string!(i18n, emergency.status_expired),
        "ended" => t_string!(i18n, emergency.status_ended),
        _ => t_string!(i18n, emergency.status_rejected),
    }
}

/// One emergency access with what the caseworker may do with it now.
fn emergency_card(
    i18n: I18nContext<Locale>,
    german: bool,
    access: EmergencyView,
    actions: (ServerAction<ConfirmEmergency>, ServerAction<RejectEmergency>, ServerAction<EndEmergency>),
) -> impl IntoView + use<> {
    let (confirm, reject, end) = actions;
    let opened = format_timestamp(&access.opened_at, german);
    let until = access.expires_at.as_deref().map(|at| format_timestamp(at, german));
    let status = emergency_status(i18n, &access.status);
    let categories = access.categories.join(", ");
    let hours = access.requested_hours.to_string();
    let (confirm_id, reject_id, end_id) = (access.id.clone(), access.id.clone(), access.id.clone());
    let data_href = format!("{EMERGENCY_PATH}/{}", access.id);
    let pending = access.status == "pending";
    let running = access.status == "confirmed";
    let confirmer = access.confirmed_by.clone();
    view! {
        <li class="emergency">
            <h3>{status} " · " {t!(i18n, emergency.opened_by, name = move || access.opened_by.clone(), when = move || opened.clone())}</h3>
            <dl class="summary-list">
                <div><dt>{t!(i18n, emergency.reason)}</dt><dd>{access.reason.clone()}</dd></div>
                <div><dt>{t!(i18n, emergency.categories)}</dt><dd>{categories}</dd></div>
                <div><dt>{t!(i18n, emergency.hours)}</dt><dd>{hours}</dd></div>
                {confirmer.map(|name| view! { <div><dt>{t!(i18n, emergency.confirmed_by)}</dt><dd>{name}</dd></div> })}
                {until.map(|until| view! { <div><dt>{t!(i18n, emergency.until)}</dt><dd>{until}</dd></div> })}
            </dl>
            {(pending && access.opened_by_me).then(|| view! { <p class="hint">{t!(i18n, emergency.needs_colleague)}</p> })}
            {(pending && !access.opened_by_me).then(|| view! {
                <div class="button-group">
                    <ActionForm action=confirm>
                        <input type="hidden" name="emergency" value=confirm_id />
                        <button type="submit" class="button button--danger">{t!(i18n, emergency.confirm)}</button>
                    </ActionForm>
                    <ActionForm action=reject>
                        <input type="hidden" name="emergency" value=reject_id />
                        <button type="submit" class="button button--secondary">{t!(i18n, emergency.reject)}</button>
                    </ActionForm>
                </div>
            })}
            {running.then(|| view! {
                <div class="button-group">
                    <A href=data_href attr:class="button">{t!(i18n, emergency.view_data)}</A>
                    <ActionForm action=end>
                        <input type="hidden" name="emergency" value=end_id />
                        <button type="submit" class="button button--secondary">{t!(i18n, emergency.end)}</button>
                    </ActionForm>
                </div>
            })}
        </li>
    }
}

#[component]
pub fn StaffEmergencyPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let confirm = ServerAction::<ConfirmEmergency>::new();
    let reject = ServerAction::<RejectEmergency>::new();
    let end = ServerAction::<EndEmergency>::new();
    let key = move || {
        (query.read().get("erledigt"), confirm.version().get(), reject.version().get(), end.version().get())
    };
    let data = Resource::new(key, |_| office_emergencies());
    let refused = move || {
        [confirm.value().with(|value| matches!(value, Some(Err(_)))), reject.value().with(|value| matches!(value, Some(Err(_))))]
            .into_iter()
            .any(|failed| failed)
    };

    view! {
        <Title text=move || t_string!(i18n, emergency.title) />
        <Guarded
            data=data
            sign_in_path="/mitarbeitende"
            render=Arc::new(move |all: Vec<EmergencyView>| {
                let german = i18n.get_locale_untracked() == Locale::de;
                let done = query.read_untracked().get("erledigt").map(|done| match done.as_str() {
                    "geoeffnet" => t_string!(i18n, emergency.done_opened),
                    "bestaetigt" => t_string!(i18n, emergency.done_confirmed),
                    "abgelehnt" => t_string!(i18n, emergency.done_rejected),
                    _ => t_string!(i18n, emergency.done_ended),
                });
                let (current, past): (Vec<EmergencyView>, Vec<EmergencyView>) =
                    all.into_iter().partition(|access| matches!(access.status.as_str(), "pending" | "confirmed"));
                let no_current = current.is_empty();
                let actions = (confirm, reject, end);
                view! {
                    <div class="container container--wide">
                        {done.map(|text| view! { <div class="notice" role="status"><p>{text}</p></div> })}
                        {move || refused().then(|| view! {
                            <div class="error-summary" role="alert"><p>{t!(i18n, emergency.refused)}</p></div>
                        })}
                        <h1>{t!(i18n, emergency.heading)}</h1>
                        <p class="lead">{t!(i18n, emergency.lead)}</p>
                        <h2>{t!(i18n, emergency.current_heading)}</h2>
                        {if no_current {
                            view! { <p>{t!(i18n, emergency.none)}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="list list--plain">
                                    {current.into_iter().map(|access| emergency_card(i18n, german, access, actions)).collect_view()}
                                </ul>
                            }
                            .into_any()
                        }}
                        <h2>{t!(i18n, emergency.past_heading)}</h2>
                        <ul class="list list--plain">
                            {past.into_iter().map(|access| emergency_card(i18n, german, access, actions)).collect_view()}
                        </ul>
                        <p><A href="/mitarbeitende/start">{t!(i18n, queue.back)}</A></p>
                    </div>
                }
                .into_any()
            })
        />
    }
}

/// The data a running emergency access opens; reading it is logged like every read.
#[component]
pub fn StaffEmergencyDataPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let data = Resource::new(move || params.read().get("id").unwrap_or_default(), emergency_data);

    view! {
        <Title text=move || t_string!(i18n, emergency.data_title) />
        <Guarded
            data=data
            sign_in_path="/mitarbeitende"
            render=Arc::new(move |view_of: SharedDataView| {
                let sections = view_of
                    .data
                    .into_iter()
                    .map(|(category, value)| {
                        let fields = value
                            .as_object()
                            .map(|fields| {
                                fields
                                    .iter()
                                    .map(|(key, value)| {
                                        let text = value_text(i18n, value);
                                        view! { <div><dt>{key.replace('_', " ")}</dt><dd>{text}</dd></div> }
                                    })
                                    .collect_view()
                            });
                        view! { <section><h2>{category}</h2><dl class="summary-list">{fields}</dl></section> }
                    })
                    .collect_view();
                view! {
                    <div class="container">
                        <A href=EMERGENCY_PATH attr:class="back-link">{t!(i18n, emergency.back)}</A>
                        <h1>{t!(i18n, emergency.data_heading)}</h1>
                        <p class="lead">{view_of.purpose}</p>
                        {sections}
                    </div>
                }
                .into_any()
            })
        />
    }
}
