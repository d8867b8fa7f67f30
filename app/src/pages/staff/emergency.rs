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
    api::{
        ConfirmEmergency, DeferEmergencyNotice, EMERGENCY_PATH, EndEmergency, RejectEmergency, emergency_data,
        office_emergencies,
    },
    auth::ApiError,
    case::{EmergencyList, EmergencyView, SharedDataView},
    consent::NamedCode,
    components::{
        data_view::{category_names, data_sections},
        error_summary::Sent,
        guarded::Guarded,
        page_title::page_title,
        status::emergency_status,
        text_area::area_text,
    },
    i18n::*,
    url::format_timestamp,
};

/// What the caseworker can do with an emergency access on this page.
#[derive(Clone, Copy)]
struct Actions {
    confirm: ServerAction<ConfirmEmergency>,
    reject: ServerAction<RejectEmergency>,
    end: ServerAction<EndEmergency>,
    defer: ServerAction<DeferEmergencyNotice>,
    deferral_max_days: i64,
}

/// The field of the deferral form the server refused, with what to fix.
fn deferral_problem(i18n: I18nContext<Locale>, refused: Option<&Result<(), ApiError>>) -> Option<(&'static str, &'static str)> {
    match refused {
        Some(Err(ApiError::Invalid { field, .. })) => Some(match field.as_str() {
            "reason" => ("reason", t_string!(i18n, emergency.problem_reason)),
            "until" => ("until", t_string!(i18n, emergency.problem_until)),
            _ => ("emergency", t_string!(i18n, emergency.problem_deferral)),
        }),
        Some(Err(_)) => Some(("emergency", t_string!(i18n, emergency.problem_deferral))),
        _ => None,
    }
}

/// The form with which a second caseworker holds an access back from the citizen's log for a
/// while, when telling them now would put the child at risk. Decided once, with a reason.
fn deferral_form(
    i18n: I18nContext<Locale>,
    id: String,
    defer: ServerAction<DeferEmergencyNotice>,
    max_days: i64,
) -> impl IntoView + use<> {
    let (reason_id, until_id) = (format!("aufschub-grund-{id}"), format!("aufschub-bis-{id}"));
    let (reason_for, until_for) = (reason_id.clone(), until_id.clone());
    let (reason_hint, until_hint) = (format!("{reason_id}-hinweis"), format!("{until_id}-hinweis"));
    let (reason_hint_ref, until_hint_ref) = (reason_hint.clone(), until_hint.clone());
    // The refused form comes back open with the server's answer; the forms of the other
    // accesses stay closed. Should the server no longer know which access the form was for (the
    // page asked for a second time), every deferral form shows it.
    let sent = Sent::to::<DeferEmergencyNotice>();
    let sent_here = !sent.is_known() || sent.for_item("emergency", &id).is_known();
    let sent = sent.for_item("emergency", &id);
    let problem = defer.value().with_untracked(|value| deferral_problem(i18n, value.as_ref())).filter(|_| sent_here);
    let refused = move |field: &'static str| problem.filter(|(refused, _)| *refused == field).map(|(_, text)| text);
    let error = move |field: &'static str, id: String| {
        move || refused(field).map(|text| view! { <span class="error-message" id=id.clone() role="alert">{text}</span> })
    };
    view! {
        <details class="deferral" open=problem.is_some()>
            <summary>{t!(i18n, emergency.defer_open)}</summary>
            <p>{t!(i18n, emergency.defer_lead)}</p>
            <ActionForm action=defer>
                <input type="hidden" name="emergency" value=id />
                {error("emergency", format!("{reason_id}-stand"))}
                <div class="form-group">
                    <label for=reason_for>{t!(i18n, emergency.defer_reason)}</label>
                    <span class="hint" id=reason_hint>{t!(i18n, emergency.defer_reason_hint)}</span>
                    {error("reason", format!("{reason_id}-fehler"))}
                    <textarea id=reason_id name="reason" rows="3" aria-describedby=reason_hint_ref>{area_text(sent.text("reason", ""))}</textarea>
                </div>
                <div class="form-group">
                    <label for=until_for>{t!(i18n, emergency.defer_until)}</label>
                    <span class="hint" id=until_hint>{t!(i18n, emergency.defer_until_hint, days = max_days)}</span>
                    {error("until", format!("{until_id}-fehler"))}
                    <input type="date" class="input--date" id=until_id name="until" value=sent.text("until", "") aria-describedby=until_hint_ref />
                </div>
                <button type="submit" class="button button--secondary">{t!(i18n, emergency.defer_button)}</button>
            </ActionForm>
        </details>
    }
}

/// One emergency access with what the caseworker may do with it now.
fn emergency_card(
    i18n: I18nContext<Locale>,
    german: bool,
    access: EmergencyView,
    categories: &[NamedCode],
    actions: Actions,
) -> impl IntoView + use<> {
    let Actions { confirm, reject, end, defer, deferral_max_days } = actions;
    let opened = format_timestamp(&access.opened_at, german);
    let until = access.expires_at.as_deref().map(|at| format_timestamp(at, german));
    let status = emergency_status(i18n, &access.status);
    let names = category_names(&access.categories, categories, german);
    let hours = access.requested_hours.to_string();
    let (confirm_id, reject_id, end_id) = (access.id.clone(), access.id.clone(), access.id.clone());
    let data_href = format!("{EMERGENCY_PATH}/{}", access.id);
    let pending = access.status == "pending";
    let running = access.status == "confirmed";
    let confirmer = access.confirmed_by.clone();
    let deferred = access.deferred_until.as_deref().map(|at| format_timestamp(at, german));
    let deferral_reason = access.deferral_reason.clone();
    // A second caseworker may hold a confirmed access back from the citizen's log, once.
    let may_defer = !access.opened_by_me && deferred.is_none() && access.confirmed_at.is_some();
    let defer_id = access.id.clone();
    view! {
        <li class="emergency">
            <h3>{status} " · " {t!(i18n, emergency.opened_by, name = move || access.opened_by.clone(), when = move || opened.clone())}</h3>
            <dl class="summary-list">
                <div><dt>{t!(i18n, emergency.reason)}</dt><dd>{access.reason.clone()}</dd></div>
                <div><dt>{t!(i18n, emergency.categories)}</dt><dd>{names}</dd></div>
                <div><dt>{t!(i18n, emergency.hours)}</dt><dd>{hours}</dd></div>
                {confirmer.map(|name| view! { <div><dt>{t!(i18n, emergency.confirmed_by)}</dt><dd>{name}</dd></div> })}
                {until.map(|until| view! { <div><dt>{t!(i18n, emergency.until)}</dt><dd>{until}</dd></div> })}
                {deferred.map(|deferred| view! {
                    <div>
                        <dt>{t!(i18n, emergency.deferred_until)}</dt>
                        <dd>{deferred} " – " {deferral_reason.unwrap_or_default()}</dd>
                    </div>
                })}
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
            {may_defer.then(|| deferral_form(i18n, defer_id, defer, deferral_max_days))}
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
    let defer = ServerAction::<DeferEmergencyNotice>::new();
    let key = move || {
        let versions = (confirm.version().get(), reject.version().get(), end.version().get(), defer.version().get());
        (query.read().get("erledigt"), versions)
    };
    let data = Resource::new(key, |_| office_emergencies());
    let refused = move || {
        [confirm.value().with(|value| matches!(value, Some(Err(_)))), reject.value().with(|value| matches!(value, Some(Err(_))))]
            .into_iter()
            .any(|failed| failed)
    };

    view! {
        <Title text=page_title(move || t_string!(i18n, emergency.title)) />
        <Guarded
            data=data
            sign_in_path="/mitarbeitende"
            render=Arc::new(move |list: EmergencyList| {
                let german = i18n.get_locale_untracked() == Locale::de;
                let done = query.read_untracked().get("erledigt").map(|done| match done.as_str() {
                    "geoeffnet" => t_string!(i18n, emergency.done_opened),
                    "bestaetigt" => t_string!(i18n, emergency.done_confirmed),
                    "abgelehnt" => t_string!(i18n, emergency.done_rejected),
                    "zurueckgestellt" => t_string!(i18n, emergency.done_deferred),
                    _ => t_string!(i18n, emergency.done_ended),
                });
                let (current, past): (Vec<EmergencyView>, Vec<EmergencyView>) =
                    list.accesses.into_iter().partition(|access| matches!(access.status.as_str(), "pending" | "confirmed"));
                let no_current = current.is_empty();
                let actions =
                    Actions { confirm, reject, end, defer, deferral_max_days: list.deferral_max_days };
                let categories = list.categories;
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
                                    {current
                                        .into_iter()
                                        .map(|access| emergency_card(i18n, german, access, &categories, actions))
                                        .collect_view()}
                                </ul>
                            }
                            .into_any()
                        }}
                        <h2>{t!(i18n, emergency.past_heading)}</h2>
                        <ul class="list list--plain">
                            {past
                                .into_iter()
                                .map(|access| emergency_card(i18n, german, access, &categories, actions))
                                .collect_view()}
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
        <Title text=page_title(move || t_string!(i18n, emergency.data_title)) />
        <Guarded
            data=data
            sign_in_path="/mitarbeitende"
            render=Arc::new(move |view_of: SharedDataView| {
                let german = i18n.get_locale_untracked() == Locale::de;
                let sections =
                    data_sections(i18n, german, &view_of.data, &view_of.categories, &view_of.labels, "notfall-daten");
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
