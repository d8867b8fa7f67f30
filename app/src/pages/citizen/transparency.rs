//! Who saw my data: the citizen's access log as a table, newest first, with emergency accesses,
//! for themselves or a minor child (`?fuer=`), and the browser's own check of the entries it
//! shows (the `LogCheck` island), with what that check finds and what it cannot, and the keys it
//! trusts. Plain links throughout: only the check needs JavaScript.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    api::{access_log_keys, my_access_log, people_acted_for},
    components::{
        data_view::category_names,
        guarded::Guarded,
        islands::{LogCheck, LogCheckTexts},
        page_title::page_title,
        person_switch::person_switch,
    },
    consent::{AccessEntryView, CitizenAccessLog, CitizenEmergencyView, LISTED_PREFIX, LogGapView, NamedCode, PersonView},
    log_proof::{LogKeys, ShownEntry},
    i18n::*,
    url::{encode_component, format_timestamp},
};

/// Everything the page shows, loaded in one go.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Transparency {
    log: CitizenAccessLog,
    people: Vec<PersonView>,
    keys: LogKeys,
}

#[component]
pub fn AccessLogPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let person = move || query.read().get("fuer").filter(|person| !person.is_empty());
    let data = Resource::new(person, |person| async move {
        let log = my_access_log(person).await?;
        let people = people_acted_for().await?;
        let keys = access_log_keys().await?;
        Ok(Transparency { log, people, keys })
    });

    view! {
        <Title text=page_title(move || t_string!(i18n, access.page_title)) />
        <Guarded
            data=data
            sign_in_path="/buerger"
            render=Arc::new(move |Transparency { log, people, keys }| {
                let german = i18n.get_locale_untracked() == Locale::de;
                let for_self = people.iter().any(|person| person.is_self && person.id == log.citizen);
                let name = log.citizen_name.clone();
                let shown_person = log.citizen.clone();
                let export_href = format!("/api/buerger/datenexport?person={}", encode_component(&log.citizen));
                let acting_for = (!for_self).then(|| log.citizen.clone());
                let CitizenAccessLog { entries, emergencies, gaps, offices, categories, .. } = log;
                let shown: Vec<ShownEntry> = entries.iter().map(ShownEntry::from).collect();
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
                        {person_switch(i18n, people, &shown_person, "/buerger/zugriffe", move |name| {
                            view! { {t!(i18n, access.person_link, name = move || name.clone())} }
                        })}
                        <section aria-labelledby="pruefung" class="notice">
                            <h2 id="pruefung">{t!(i18n, access.check_heading)}</h2>
                            <p>{t!(i18n, access.check_scope)}</p>
                            <p>{t!(i18n, access.check_limits)}</p>
                            <LogCheck person=shown_person.clone() acting_for=acting_for keys=keys.clone() shown=shown texts=check_texts(i18n)>
                                <p>{t!(i18n, access.check_needs_script)}</p>
                            </LogCheck>
                            {keys_view(i18n, &keys)}
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
                        {(!gaps.is_empty()).then(|| view! {
                            <section aria-labelledby="luecken" class="notice notice--warning">
                                <h2 id="luecken">{t!(i18n, access.gaps_heading)}</h2>
                                {gaps.into_iter().map(|gap| gap_item(i18n, german, gap)).collect_view()}
                                <p>{t!(i18n, access.gap_advice)}</p>
                            </section>
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

/// A gap an operator declared in the log: what was lost, when, and why.
fn gap_item(i18n: I18nContext<Locale>, german: bool, gap: LogGapView) -> impl IntoView + use<> {
    let declared = format_timestamp(&gap.declared_at, german);
    let from = format_timestamp(&gap.from, german);
    let until = format_timestamp(&gap.until, german);
    let lost = gap.lost.to_string();
    let reason = gap.reason;
    view! {
        <p>
            {t!(
                i18n,
                access.gap_item,
                declared = move || declared.clone(),
                lost = move || lost.clone(),
                from = move || from.clone(),
                until = move || until.clone()
            )}
        </p>
        <p>{t!(i18n, access.gap_reason, reason = move || reason.clone())}</p>
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

/// The check's texts in the reader's language. The marks in braces (`{size}`) are the browser's
/// to fill in: in the locale files they are plain text, not the translations' own placeholders.
fn check_texts(i18n: I18nContext<Locale>) -> LogCheckTexts {
    LogCheckTexts {
        checking: t_string!(i18n, access.check_checking).to_string(),
        intact: t_string!(i18n, access.check_intact).to_string(),
        nothing: t_string!(i18n, access.check_nothing).to_string(),
        witnessed: t_string!(i18n, access.check_witnessed).to_string(),
        unwitnessed: t_string!(i18n, access.check_unwitnessed).to_string(),
        first_visit: t_string!(i18n, access.check_first_visit).to_string(),
        since: t_string!(i18n, access.check_since).to_string(),
        pending: t_string!(i18n, access.check_pending).to_string(),
        alarm: t_string!(i18n, access.check_alarm).to_string(),
        unsigned: t_string!(i18n, access.check_unsigned).to_string(),
        not_witnessed: t_string!(i18n, access.check_not_witnessed).to_string(),
        set_back: t_string!(i18n, access.check_set_back).to_string(),
        rewritten: t_string!(i18n, access.check_rewritten).to_string(),
        not_included: t_string!(i18n, access.check_not_included).to_string(),
        differs: t_string!(i18n, access.check_differs).to_string(),
        vanished: t_string!(i18n, access.check_vanished).to_string(),
        overdue: t_string!(i18n, access.check_overdue).to_string(),
        backdated: t_string!(i18n, access.check_backdated).to_string(),
        keys_changed: t_string!(i18n, access.check_keys_changed).to_string(),
        advice: t_string!(i18n, access.check_advice).to_string(),
        evidence: t_string!(i18n, access.check_evidence).to_string(),
        start_over_hint: t_string!(i18n, access.check_start_over_hint).to_string(),
        start_over: t_string!(i18n, access.check_start_over).to_string(),
        failed: t_string!(i18n, access.check_failed).to_string(),
        thousands: t_string!(i18n, access.thousands).to_string(),
    }
}

/// The keys the check trusts, each with its fingerprint (the key ID of signed-note), to compare
/// with those the city and the witness publish.
fn keys_view(i18n: I18nContext<Locale>, keys: &LogKeys) -> impl IntoView + use<> {
    let line = |key: &str| {
        let mut parts = key.splitn(3, '+');
        let name = parts.next().unwrap_or_default().to_owned();
        let fingerprint = parts.next().unwrap_or_default().to_owned();
        view! { <code>{name}</code> " – " {t!(i18n, access.keys_fingerprint)} " " <code>{fingerprint}</code> <br /> <code class="log-key">{key.to_owned()}</code> }
    };
    let portal = line(&keys.log);
    let witness = match &keys.witness {
        Some(key) => line(key).into_any(),
        None => view! { {t!(i18n, access.keys_no_witness)} }.into_any(),
    };
    view! {
        <details>
            <summary>{t!(i18n, access.keys_heading)}</summary>
            <dl>
                <dt>{t!(i18n, access.keys_portal)}</dt>
                <dd>{portal}</dd>
                <dt>{t!(i18n, access.keys_witness)}</dt>
                <dd>{witness}</dd>
            </dl>
            <p>{t!(i18n, access.keys_hint)}</p>
        </details>
    }
}
