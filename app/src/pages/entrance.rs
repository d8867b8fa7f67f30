//! The entrances of the three roles: who each is for and what one does there. Sign-in is
//! added to these pages by the sign-in work (issue 3); until then they say so plainly.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::i18n::*;

/// One role's entrance: a heading, a lead, what one can do there, and sign-in.
#[component]
fn Entrance(
    title: Signal<&'static str>,
    lead: Signal<&'static str>,
    things_to_do: [Signal<&'static str>; 3],
) -> impl IntoView {
    let i18n = use_i18n();

    view! {
        <Title text=move || title.get() />
        <div class="container">
            <h1>{move || title.get()}</h1>
            <p class="lead">{move || lead.get()}</p>
            <h2>{t!(i18n, entrance.what_you_can_do)}</h2>
            <ul class="list">
                {things_to_do.map(|thing| view! { <li>{move || thing.get()}</li> })}
            </ul>
            <section class="notice" aria-labelledby="anmelden">
                <h2 id="anmelden">{t!(i18n, entrance.sign_in_heading)}</h2>
                <p>{t!(i18n, entrance.sign_in_not_yet)}</p>
            </section>
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
        />
    }
}
