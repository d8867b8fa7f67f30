//! The entrances of the three roles: who each is for, what one does there, and sign-in.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    components::page_title::page_title,
    api::{sign_in_options, who_am_i},
    i18n::*,
    url::{encode_component, is_local_path},
};

/// How to sign in at one entrance: the provider's button, the demo sign-in in development, or
/// a plain note that nothing is set up. A signed-in person is sent on to their area instead.
#[component]
fn SignInSection(
    /// `buerger` or `mitarbeitende`: which provider.
    entrance: &'static str,
    /// Where to go after sign-in unless the address names a local `zurueck`.
    home: &'static str,
    label: Signal<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    let options = Resource::new(|| (), |_| sign_in_options());
    // Its own resource, not the header's: one resource awaited under two <Suspense> can leave an
    // SSR response hanging (leptos-rs/leptos#4851). The server looks the principal up once per
    // request either way.
    let me = Resource::new(|| (), |_| who_am_i());
    let query = use_query_map();
    let return_to =
        move || query.read().get("zurueck").filter(|path| is_local_path(path)).unwrap_or_else(|| home.to_owned());
    let provider_href = move || format!("/anmelden/{entrance}?zurueck={}", encode_component(&return_to()));

    view! {
        <section class="notice" aria-labelledby="anmelden">
            <h2 id="anmelden">{t!(i18n, entrance.sign_in_heading)}</h2>
            <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    let signed_in = me.await.ok().flatten();
                    if let Some(me) = signed_in {
                        return view! {
                            <p>{t!(i18n, entrance.already_signed_in)}</p>
                            <p><a class="button" href=me.home()>{t!(i18n, entrance.go_on)}</a></p>
                        }
                        .into_any();
                    }
                    let options = options.await.ok();
                    let provider = options.is_some_and(|options| match entrance {
                        "buerger" => options.citizen_provider,
                        _ => options.staff_provider,
                    });
                    let demo = options.is_some_and(|options| options.demo);
                    view! {
                        {provider.then(|| view! {
                            <p><a class="button" rel="external" href=provider_href>{move || label.get()}</a></p>
                        })}
                        {demo.then(|| view! {
                            <p>
                                <A href="/anmelden/demo" attr:class="button button--secondary">{t!(i18n, entrance.sign_in_demo)}</A>
                            </p>
                            <p class="hint">{t!(i18n, entrance.sign_in_demo_hint)}</p>
                        })}
                        {(!provider && !demo).then(|| view! { <p>{t!(i18n, entrance.sign_in_not_yet)}</p> })}
                    }
                    .into_any()
                })}
            </Suspense>
        </section>
    }
}

/// One role's entrance: a heading, a lead, what one can do there, and sign-in.
#[component]
fn Entrance(
    title: Signal<&'static str>,
    lead: Signal<&'static str>,
    things_to_do: [Signal<&'static str>; 3],
    entrance: &'static str,
    home: &'static str,
    sign_in_label: Signal<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();

    view! {
        <Title text=page_title(move || title.get()) />
        <div class="container">
            <h1>{move || title.get()}</h1>
            <p class="lead">{move || lead.get()}</p>
            <h2>{t!(i18n, entrance.what_you_can_do)}</h2>
            <ul class="list">
                {things_to_do.map(|thing| view! { <li>{move || thing.get()}</li> })}
            </ul>
            <SignInSection entrance home label=sign_in_label />
            <p>
                <A href="/">{t!(i18n, entrance.back_to_start)}</A>
            </p>
        </div>
    }
}

#[component]
pub fn CitizenEntrance() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Entrance
            title=Signal::derive(move || t_string!(i18n, entrance.citizen_title))
            lead=Signal::derive(move || t_string!(i18n, entrance.citizen_lead))
            things_to_do=[
                Signal::derive(move || t_string!(i18n, entrance.citizen_do_apply)),
                Signal::derive(move || t_string!(i18n, entrance.citizen_do_consent)),
                Signal::derive(move || t_string!(i18n, entrance.citizen_do_log)),
            ]
            entrance="buerger"
            home="/buerger/start"
            sign_in_label=Signal::derive(move || t_string!(i18n, entrance.sign_in_citizen))
        />
    }
}

#[component]
pub fn StaffEntrance() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Entrance
            title=Signal::derive(move || t_string!(i18n, entrance.staff_title))
            lead=Signal::derive(move || t_string!(i18n, entrance.staff_lead))
            things_to_do=[
                Signal::derive(move || t_string!(i18n, entrance.staff_do_queue)),
                Signal::derive(move || t_string!(i18n, entrance.staff_do_case)),
                Signal::derive(move || t_string!(i18n, entrance.staff_do_limits)),
            ]
            entrance="mitarbeitende"
            home="/mitarbeitende/start"
            sign_in_label=Signal::derive(move || t_string!(i18n, entrance.sign_in_staff))
        />
    }
}

#[component]
pub fn AdminEntrance() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Entrance
            title=Signal::derive(move || t_string!(i18n, entrance.admin_title))
            lead=Signal::derive(move || t_string!(i18n, entrance.admin_lead))
            things_to_do=[
                Signal::derive(move || t_string!(i18n, entrance.admin_do_offices)),
                Signal::derive(move || t_string!(i18n, entrance.admin_do_templates)),
                Signal::derive(move || t_string!(i18n, entrance.admin_do_limits)),
            ]
            entrance="mitarbeitende"
            home="/verwaltung/start"
            sign_in_label=Signal::derive(move || t_string!(i18n, entrance.sign_in_staff))
        />
    }
}
