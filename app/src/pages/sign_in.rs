//! The pages around signing in: the demo sign-in (development only), signed out, a failed
//! sign-in, and no access (`components::refusal::NotAllowed`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    api::demo_people,
    components::{page_title::page_title, refusal::NotAllowed},
    auth::{DemoKind, DemoPerson},
    i18n::*,
};

/// Lists the demo people by role; each button signs in as that person (a plain form POST).
#[component]
pub fn DemoSignIn() -> impl IntoView {
    let i18n = use_i18n();
    let people = Resource::new(|| (), |_| demo_people());

    let group = move |kind: DemoKind, heading: &'static str, people: &[DemoPerson]| {
        let members: Vec<DemoPerson> = people.iter().filter(|person| person.kind == kind).cloned().collect();
        (!members.is_empty()).then(|| {
            view! {
                <section>
                    <h2>{heading}</h2>
                    <ul class="demo-people">
                        {members
                            .into_iter()
                            .map(|person| {
                                let offices = move || match i18n.get_locale() {
                                    Locale::de => person.offices.de.clone(),
                                    Locale::en => person.offices.en.clone(),
                                };
                                let name = person.display_name.clone();
                                view! {
                                    <li>
                                        <form method="post" action="/anmelden/demo">
                                            <input type="hidden" name="person" value=person.id.clone() />
                                            <button type="submit" class="button button--secondary">
                                                {t!(i18n, demo.sign_in_as, name = move || name.clone())}
                                            </button>
                                            <span class="hint">{offices}</span>
                                        </form>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </section>
            }
            .into_any()
        })
    };

    view! {
        <Title text=page_title(move || t_string!(i18n, demo.page_title)) />
        <div class="container">
            <h1>{t!(i18n, demo.heading)}</h1>
            <p class="lead">{t!(i18n, demo.lead)}</p>
            <Suspense fallback=move || view! { <p>{t!(i18n, demo.loading)}</p> }>
                {move || Suspend::new(async move {
                    match people.await {
                        Ok(people) => view! {
                            {group(DemoKind::Citizen, t_string!(i18n, demo.citizens), &people)}
                            {group(DemoKind::Caseworker, t_string!(i18n, demo.caseworkers), &people)}
                            {group(DemoKind::DataProtectionOfficer, t_string!(i18n, demo.data_protection), &people)}
                            {group(DemoKind::Administrator, t_string!(i18n, demo.administration), &people)}
                        }
                        .into_any(),
                        Err(_) => view! { <p class="notice">{t!(i18n, demo.unavailable)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
pub fn SignedOut() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=page_title(move || t_string!(i18n, signed_out.page_title)) />
        <div class="container">
            <h1>{t!(i18n, signed_out.heading)}</h1>
            <p>{t!(i18n, signed_out.text)}</p>
            <p>
                <A href="/" attr:class="button">{t!(i18n, signed_out.home_link)}</A>
            </p>
        </div>
    }
}

/// Why a sign-in failed, by the `grund` the server put in the address.
#[component]
pub fn SignInFailed() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let reason = move || query.read().get("grund").unwrap_or_default();
    let entrance = move || match query.read().get("zugang").as_deref() {
        Some("mitarbeitende") => "/mitarbeitende".to_owned(),
        _ => "/buerger".to_owned(),
    };
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::BAD_REQUEST);
    }
    view! {
        <Title text=page_title(move || t_string!(i18n, failed.page_title)) />
        <div class="container">
            <h1>{t!(i18n, failed.heading)}</h1>
            <p>
                {move || match reason().as_str() {
                    "abgelaufen" => t_string!(i18n, failed.expired),
                    "nicht-eingerichtet" => t_string!(i18n, failed.not_configured),
                    "anbieter" => t_string!(i18n, failed.provider),
                    "zu-viele" => t_string!(i18n, failed.too_many),
                    "stoerung" => t_string!(i18n, failed.our_fault),
                    _ => t_string!(i18n, failed.invalid),
                }}
            </p>
            <p>
                <A href=entrance attr:class="button">{t!(i18n, failed.try_again)}</A>
            </p>
        </div>
    }
}

/// The page the staff sign-in sends an unknown person to.
#[component]
pub fn NoAccessPage() -> impl IntoView {
    view! { <NotAllowed unknown_staff=true /> }
}
