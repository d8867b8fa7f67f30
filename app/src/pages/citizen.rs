//! The citizen's area: their start page and their sign-ins.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{
    api::{EndOtherSessions, EndSession, citizen_me, my_sessions},
    auth::SessionView,
    components::guarded::Guarded,
    i18n::*,
    url::format_timestamp,
};

#[component]
pub fn CitizenHome() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| citizen_me());
    view! {
        <Title text=move || t_string!(i18n, citizen.page_title) />
        <Guarded
            data=me
            sign_in_path="/buerger"
            render=Arc::new(move |me| {
                let name = me.display_name.clone();
                view! {
                    <div class="container">
                        <h1>{t!(i18n, citizen.heading, name = move || name.clone())}</h1>
                        <p class="lead">{t!(i18n, citizen.lead)}</p>
                        <ul class="list">
                            <li>
                                <A href="/buerger/daten">{t!(i18n, my_data.link)}</A>
                            </li>
                            <li>
                                <A href="/buerger/zugriffe">{t!(i18n, access.link)}</A>
                            </li>
                            <li>
                                <A href="/buerger/sitzungen">{t!(i18n, citizen.sessions_link)}</A>
                            </li>
                        </ul>
                    </div>
                }
                .into_any()
            })
        />
    }
}

/// The citizen's sign-ins, each of which they can end; works without JavaScript (plain forms).
#[component]
pub fn SessionsPage() -> impl IntoView {
    let i18n = use_i18n();
    let end = ServerAction::<EndSession>::new();
    let end_others = ServerAction::<EndOtherSessions>::new();
    let sessions = Resource::new(move || (end.version().get(), end_others.version().get()), |_| my_sessions());

    let row = move |session: SessionView| {
        let german = i18n.get_locale_untracked() == Locale::de;
        let signed_in_at = format_timestamp(&session.signed_in_at, german);
        let last_seen = format_timestamp(&session.last_seen_at, german);
        let when = signed_in_at.clone();
        let device = session.device.clone();
        view! {
            <tr>
                <td>{move || device.clone().unwrap_or_else(|| t_string!(i18n, sessions.unknown_device).to_owned())}</td>
                <td>{signed_in_at}</td>
                <td>{last_seen}</td>
                <td>
                    {if session.this_device {
                        view! { <span class="tag tag--new">{t!(i18n, sessions.this_device)}</span> }.into_any()
                    } else {
                        view! {
                            <ActionForm action=end>
                                <input type="hidden" name="session_id" value=session.id.clone() />
                                <button type="submit" class="button button--secondary">
                                    {t!(i18n, sessions.end)}
                                    <span class="visually-hidden">" " {when}</span>
                                </button>
                            </ActionForm>
                        }
                        .into_any()
                    }}
                </td>
            </tr>
        }
    };

    view! {
        <Title text=move || t_string!(i18n, sessions.page_title) />
        <Guarded
            data=sessions
            sign_in_path="/buerger"
            render=Arc::new(move |list: Vec<SessionView>| {
                let others = list.iter().filter(|session| !session.this_device).count();
                view! {
                    <div class="container">
                        <h1>{t!(i18n, sessions.heading)}</h1>
                        <p class="lead">{t!(i18n, sessions.lead)}</p>
                        <div class="table-wrapper">
                            <table class="table">
                                <thead>
                                    <tr>
                                        <th scope="col">{t!(i18n, sessions.device)}</th>
                                        <th scope="col">{t!(i18n, sessions.signed_in_at)}</th>
                                        <th scope="col">{t!(i18n, sessions.last_seen)}</th>
                                        <th scope="col">{t!(i18n, sessions.action)}</th>
                                    </tr>
                                </thead>
                                <tbody>{list.into_iter().map(row).collect_view()}</tbody>
                            </table>
                        </div>
                        {(others > 0)
                            .then(|| {
                                view! {
                                    <ActionForm action=end_others>
                                        <button type="submit" class="button button--danger">
                                            {t!(i18n, sessions.end_others)}
                                        </button>
                                    </ActionForm>
                                }
                            })}
                        <p>
                            <A href="/buerger/start">{t!(i18n, sessions.back)}</A>
                        </p>
                    </div>
                }
                .into_any()
            })
        />
    }
}
