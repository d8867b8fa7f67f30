//! The start page: what Klarsicht is, and the three entrances.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{components::page_title::page_title, i18n::*};

#[component]
pub fn StartPage() -> impl IntoView {
    let i18n = use_i18n();

    view! {
        <Title text=page_title(move || t_string!(i18n, start.page_title)) />
        <div class="container">
            <h1>{t!(i18n, start.heading)}</h1>
            <p class="lead">{t!(i18n, start.lead)}</p>

            <section aria-labelledby="so-funktioniert-es">
                <h2 id="so-funktioniert-es">{t!(i18n, start.how_heading)}</h2>
                <ol class="steps">
                    <li>{t!(i18n, start.how_data)}</li>
                    <li>{t!(i18n, start.how_offices)}</li>
                    <li>{t!(i18n, start.how_log)}</li>
                </ol>
            </section>

            <section aria-labelledby="zugaenge">
                <h2 id="zugaenge">{t!(i18n, start.entrances_heading)}</h2>
                <ul class="entrances">
                    <li class="entrance-card">
                        <h3>{t!(i18n, start.citizen_title)}</h3>
                        <p>{t!(i18n, start.citizen_text)}</p>
                        <A href="/buerger" attr:class="button">{t!(i18n, start.citizen_link)}</A>
                    </li>
                    <li class="entrance-card">
                        <h3>{t!(i18n, start.staff_title)}</h3>
                        <p>{t!(i18n, start.staff_text)}</p>
                        <A href="/mitarbeitende" attr:class="button button--secondary">{t!(i18n, start.staff_link)}</A>
                    </li>
                    <li class="entrance-card">
                        <h3>{t!(i18n, start.admin_title)}</h3>
                        <p>{t!(i18n, start.admin_text)}</p>
                        <A href="/verwaltung" attr:class="button button--secondary">{t!(i18n, start.admin_link)}</A>
                    </li>
                </ul>
            </section>
        </div>
    }
}
