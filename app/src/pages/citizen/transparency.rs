//! Who saw my data: the citizen's access log as a table, newest first, with emergency accesses,
//! for themselves or a minor child (`?fuer=`), and a check of the entries it shows (`?pruefen=1`),
//! with what that check finds and what it cannot. Plain links throughout, so it works without
//! JavaScript.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    api::{check_access_log, my_access_log, people_acted_for},
    components::{data_view::category_names, guarded::Guarded, page_title::page_title, person_switch::person_switch},
    consent::{AccessEntryView, CitizenAccessLog, CitizenEmergencyView, LISTED_PREFIX, LogCheck, NamedCode, PersonView},
    i18n::*,
    url::{encode_component, format_timestamp},
};

/// Everything the page shows, loaded in one go.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Transparency {
    log: CitizenAccessLog,
    people: Vec<PersonView>,
}

#[component]
pub fn AccessLogPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let person = move || query.read().get("fuer").filter(|person| !person.is_empty());
    let check_asked = move || query.read().get("pruefen").is_some();
    let data = Resource::new(person, |person| async move {
        let log = my_access_log(person).await?;
        let people = people_acted_for().await?;
        Ok(Transparency { log, people })
    });
    let check = Resource::new(
        move || (check_asked(), person()),
        |(asked, person)| async move {
            match asked {
                true => Some(check_access_log(person).await),
                false => None,
            }
        },
    );

    view! {
        <Title text=page_title(move || t_string!(i18n, access.page_title)) />
        <Guarded
            data=data
            sign_in_path="/buerger"
            render=Arc::new(move |Transparency { log, people }| {
                let german = i18n.get_locale_untracked() == Locale::de;
                let for_self = people.iter().any(|person| person.is_self && person.id == log.citizen);
                let name = log.citizen_name.clone();
                let shown = log.citizen.clone();
                let here = if for_self { String::from("/buerger/zugriffe") } else {
                    format!("/buerger/zugriffe?fuer={}", encode_component(&log.citizen))
                };
                let export_href = format!("/api/buerger/datenexport?person={}", encode_component(&log.citizen));
                let check_href = format!("{here}{}pruefen=1", if here.contains('?') { "&" } else { "?" });
                let CitizenAccessLog { entries, emergencies, offices, categories, .. } = log;
                let rows = entries
                    .into_iter()
                    .map(|entry| entry_row(i18n, german, entry, &offices, &categories))
                    .collect_view();
                let is_empty = rows.is_empty();
                view! {
                    <div class="container">
                        {if for_self {
                            view! { <h1>{t!(i18n, access.heading_self)}</h1> }.into_any()
                        } else {
                            let name = name.clone();
                            view! { <h1>{t!(i18n, access.heading_child, name = move || name.clone())}</h1> }.into_any()
                        }}
                        <p class="lead">{t!(i18n, access.lead)}</p>
                        {person_switch(i18n, people, &shown, "/buerger/zugriffe", move |name| {
                            view! { {t!(i18n, access.person_link, name = move || name.clone())} }
                        })}
                        <section aria-labelledby="pruefung" class="notice">
                            <h2 id="pruefung">{t!(i18n, access.check_heading)}</h2>
                            <p>{t!(i18n, access.check_scope)}</p>
                            <p>{t!(i18n, access.check_limits)}</p>
                            <Suspense fallback=|| ()>
                                {move || Suspend::new(async move {
                                    match check.await {
                                        Some(Ok(LogCheck { intact: true, capped: false })) => view! { <p role="status">{t!(i18n, access.check_intact)}</p> }.into_any(),
                                        Some(Ok(LogCheck { intact: true, capped: true })) => view! { <p role="status">{t!(i18n, access.check_intact_newest)}</p> }.into_any(),
                                        Some(Ok(LogCheck { intact: false, .. })) => view! { <p role="alert" class="error">{t!(i18n, access.check_broken)}</p> }.into_any(),
                                        Some(Err(_)) => view! { <p role="alert" class="error">{t!(i18n, access.check_failed)}</p> }.into_any(),
                                        None => ().into_any(),
                                    }
                                })}
                            </Suspense>
                            <p><a class="button button--secondary" href=check_href>{t!(i18n, access.check_button)}</a></p>
                        </section>
                        {(!emergencies.is_empty()).then(|| {
                            let offices = offices.clone();
                            let categories = categories.clone();
                            view! {
                                <section aria-labelledby="notfall">
                                    <h2 id="notfall">{t!(i18n, access.emergencies_heading)}</h2>
                                    <ul class="list">
                                        {emergencies.into_iter().map(|emergency| emergency_item(i18n, german, emergency, &offices, &categories)).collect_view()}
                                    </ul>
                                </section>
                            }
                        })}
                        <h2>{t!(i18n, access.entries_heading)}</h2>
                        {if is_empty {
                            view! { <p>{t!(i18n, access.empty)}</p> }.into_any()
                        } else {
                            view! {
                                <div class="table-wrapper">
                                    <table class="table">
                                        <caption class="visually-hidden">{t!(i18n, access.entries_heading)}</caption>
                                        <thead>
                                            <tr>
                                                <th scope="col">{t!(i18n, access.col_when)}</th>
                                                <th scope="col">{t!(i18n, access.col_office)}</th>
                                                <th scope="col">{t!(i18n, access.col_data)}</th>
                                                <th scope="col">{t!(i18n, access.col_purpose)}</th>
                                                <th scope="col">{t!(i18n, access.col_basis)}</th>
                                            </tr>
                                        </thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                            }
                            .into_any()
                        }}
                        <section aria-labelledby="export">
                            <h2 id="export">{t!(i18n, access.export_heading)}</h2>
                            <p>{t!(i18n, access.export_text)}</p>
                            <p><a class="button button--secondary" href=export_href rel="external" download>{t!(i18n, access.export_link)}</a></p>
                        </section>
                        <p><A href="/buerger/start">{t!(i18n, access.back)}</A></p>
                    </div>
                }
                .into_any()
            })
        />
    }
}

fn entry_row(
    i18n: I18nContext<Locale>,
    german: bool,
    entry: AccessEntryView,
    offices: &[NamedCode],
    categories: &[NamedCode],
) -> impl IntoView + use<> {
    let office = NamedCode::name_in(offices, &entry.office, german);
    let data = category_names(&entry.categories, categories, german);
    let reference = entry.reference.clone().unwrap_or_default();
    let listed = entry.purpose.strip_prefix(LISTED_PREFIX).map(str::to_owned);
    let purpose = entry.purpose.clone();
    let (purpose_view, basis_view) = match (entry.basis.as_str(), listed) {
        ("application", Some(_)) => (
            view! { {t!(i18n, access.purpose_listed_application, reference = move || reference.clone())} }.into_any(),
            view! { {t!(i18n, access.basis_application)} }.into_any(),
        ),
        ("consent", Some(listed)) => (
            view! { {t!(i18n, access.purpose_listed_consent, purpose = move || listed.clone())} }.into_any(),
            view! { {t!(i18n, access.basis_consent)} }.into_any(),
        ),
        ("application", None) => (
            view! { {t!(i18n, access.purpose_application, reference = move || reference.clone())} }.into_any(),
            view! { {t!(i18n, access.basis_application)} }.into_any(),
        ),
        ("consent", None) => (view! { {purpose} }.into_any(), view! { {t!(i18n, access.basis_consent)} }.into_any()),
        _ => (
            view! { {t!(i18n, access.purpose_emergency)} }.into_any(),
            view! { <strong>{t!(i18n, access.basis_emergency)}</strong> }.into_any(),
        ),
    };
    view! {
        <tr>
            <td>{format_timestamp(&entry.occurred_at, german)}</td>
            <td>{office} <br /> <span class="hint">{t!(i18n, access.role_caseworker)}</span></td>
            <td>{data}</td>
            <td>{purpose_view}</td>
            <td>{basis_view}</td>
        </tr>
    }
}

fn emergency_item(
    i18n: I18nContext<Locale>,
    german: bool,
    emergency: CitizenEmergencyView,
    offices: &[NamedCode],
    categories: &[NamedCode],
) -> impl IntoView + use<> {
    let office = NamedCode::name_in(offices, &emergency.office, german);
    let data = category_names(&emergency.categories, categories, german);
    let from = emergency.confirmed_at.as_deref().map(|at| format_timestamp(at, german)).unwrap_or_default();
    let until = emergency.expires_at.as_deref().map(|at| format_timestamp(at, german)).unwrap_or_default();
    let reason = emergency.reason.clone();
    view! {
        <li>
            {t!(
                i18n,
                access.emergency_item,
                office = move || office.clone(),
                data = move || data.clone(),
                from = move || from.clone(),
                until = move || until.clone()
            )}
            <br />
            <span class="hint">{t!(i18n, access.emergency_reason)} " " {reason}</span>
        </li>
    }
}
