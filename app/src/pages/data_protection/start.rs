//! The data protection officer's review: every read of citizen data across citizens, filtered
//! by office, staff member, basis and days; every emergency access with its reason and who
//! confirmed it; and a check that the log is intact. Who read which categories of whom, when,
//! what for — never the data itself.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::Title;
use leptos_router::{
    components::{A, Form},
    hooks::use_query_map,
};

use crate::{
    admin::{AuditEntry, RetentionReport},
    api::{CheckAccessLogAsOfficer, access_log_review, admin_audit, emergency_review, flag_review, retention_runs},
    case::{EmergencyView, FlagReviewItem, LogReview},
    components::{
        guarded::Guarded,
        page_title::page_title,
        reviews::{audit_section, retention_section},
        status::{emergency_status, flag_kind_text},
    },
    consent::NamedCode,
    i18n::*,
    url::{encode_component, format_timestamp},
};

const REVIEW_PATH: &str = "/datenschutz/start";

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Review {
    log: LogReview,
    emergencies: Vec<EmergencyView>,
    flags: Vec<FlagReviewItem>,
    /// The administration's changes and the retention runs, which the officer oversees too.
    audit: Vec<AuditEntry>,
    retention_runs: Vec<RetentionReport>,
}

fn basis_text(i18n: I18nContext<Locale>, basis: &str) -> &'static str {
    match basis {
        "application" => t_string!(i18n, review.basis_application),
        "consent" => t_string!(i18n, review.basis_consent),
        _ => t_string!(i18n, review.basis_emergency),
    }
}

fn options(list: &[NamedCode], chosen: &str, german: bool) -> impl IntoView + use<> {
    list.iter()
        .map(|named| {
            let name = named.name.pick(german).to_owned();
            view! { <option value=named.code.clone() selected=named.code == chosen>{name}</option> }
        })
        .collect_view()
}

/// Every protection flag: kind, whose (by id), which office, when set and lifted.
fn flag_table(i18n: I18nContext<Locale>, german: bool, flags: Vec<FlagReviewItem>, offices: &[NamedCode]) -> impl IntoView + use<> {
    let table = (!flags.is_empty()).then(|| {
        let rows = flags
            .into_iter()
            .map(|flag| {
                let lifted = match &flag.lifted_at {
                    Some(at) => format_timestamp(at, german),
                    None => t_string!(i18n, review.flag_active).to_owned(),
                };
                view! {
                    <tr>
                        <td>{flag_kind_text(i18n, &flag.kind)}</td>
                        <td>{NamedCode::name_in(offices, &flag.office, german)}</td>
                        <td><code>{flag.citizen}</code></td>
                        <td>{format_timestamp(&flag.set_at, german)}</td>
                        <td>{lifted}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-wrapper" role="region" aria-labelledby="schutzvermerke" tabindex="0">
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, review.flag_kind)}</th>
                            <th scope="col">{t!(i18n, review.office)}</th>
                            <th scope="col">{t!(i18n, review.citizen)}</th>
                            <th scope="col">{t!(i18n, review.flag_set)}</th>
                            <th scope="col">{t!(i18n, review.flag_lifted)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
    });
    let empty = table.is_none().then(|| view! { <p>{t!(i18n, review.no_flags)}</p> });
    view! {
        <h2 id="schutzvermerke">{t!(i18n, review.flags_heading)}</h2>
        <p>{t!(i18n, review.flags_lead)}</p>
        {table}
        {empty}
    }
}

#[component]
pub fn DataProtectionHome() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let check = ServerAction::<CheckAccessLogAsOfficer>::new();
    let key = move || {
        let query = query.read();
        ["amt", "person", "grundlage", "von", "bis", "vor"].map(|name| query.get(name))
    };
    let data = Resource::new(key, |[office, staff, basis, from, until, before]| async move {
        let log = access_log_review(office, staff, basis, from, until, before).await?;
        let emergencies = emergency_review().await?;
        let flags = flag_review().await?;
        let audit = admin_audit().await?;
        let retention_runs = retention_runs().await?;
        Ok(Review { log, emergencies, flags, audit, retention_runs })
    });

    view! {
        <Title text=page_title(move || t_string!(i18n, staff.dpo_page_title)) />
        <Guarded
            data=data
            sign_in_path="/mitarbeitende"
            render=Arc::new(move |Review { log, emergencies, flags, audit, retention_runs }| {
                let german = i18n.get_locale_untracked() == Locale::de;
                let filter = log.filter.clone();
                let staff_options = log
                    .staff
                    .iter()
                    .map(|person| view! { <option value=person.id.clone() selected=person.id == filter.staff>{person.name.clone()}</option> })
                    .collect_view();
                let basis_options = ["application", "consent", "emergency"]
                    .into_iter()
                    .map(|basis| view! { <option value=basis selected=basis == filter.basis>{basis_text(i18n, basis)}</option> })
                    .collect_view();
                let rows = log
                    .entries
                    .iter()
                    .cloned()
                    .map(|entry| {
                        let categories = entry
                            .categories
                            .iter()
                            .map(|code| NamedCode::name_in(&log.categories, code, german))
                            .collect::<Vec<_>>()
                            .join(", ");
                        view! {
                            <tr>
                                <td>{format_timestamp(&entry.occurred_at, german)}</td>
                                <td>{entry.staff}</td>
                                <td>{NamedCode::name_in(&log.offices, &entry.office, german)}</td>
                                <td><code>{entry.citizen}</code></td>
                                <td>{categories}</td>
                                <td>{entry.purpose}</td>
                                <td>{basis_text(i18n, &entry.basis)}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                let empty = log.entries.is_empty();
                let older = log.next_before.map(|before| {
                    let mut parts: Vec<String> = [
                        ("amt", &filter.office),
                        ("person", &filter.staff),
                        ("grundlage", &filter.basis),
                        ("von", &filter.from),
                        ("bis", &filter.until),
                    ]
                    .into_iter()
                    .filter(|(_, value)| !value.is_empty())
                    .map(|(name, value)| format!("{name}={}", encode_component(value)))
                    .collect();
                    parts.push(format!("vor={before}"));
                    format!("{REVIEW_PATH}?{}", parts.join("&"))
                });
                let emergency_rows = emergencies
                    .into_iter()
                    .map(|access| {
                        let confirmed = match (&access.confirmed_by, &access.confirmed_at) {
                            (Some(name), Some(at)) => format!("{name}, {}", format_timestamp(at, german)),
                            _ => String::from("–"),
                        };
                        view! {
                            <tr>
                                <td>{format_timestamp(&access.opened_at, german)}</td>
                                <td>{NamedCode::name_in(&log.offices, &access.office, german)}</td>
                                <td><code>{access.citizen.clone()}</code></td>
                                <td>{access.reason.clone()}</td>
                                <td>{access.categories.join(", ")}</td>
                                <td>{access.opened_by.clone()}</td>
                                <td>{confirmed}</td>
                                <td>{emergency_status(i18n, &access.status)}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                let flags_view = flag_table(i18n, german, flags, &log.offices);
                view! {
                    <div class="container container--wide">
                        <h1>{t!(i18n, staff.dpo_heading)}</h1>
                        <p class="lead">{t!(i18n, review.lead)}</p>
                        <section class="notice" aria-labelledby="pruefung">
                            <h2 id="pruefung">{t!(i18n, review.check_heading)}</h2>
                            <ActionForm action=check>
                                <button type="submit" class="button button--secondary">{t!(i18n, review.check_button)}</button>
                            </ActionForm>
                            {move || check.value().get().map(|result| match result {
                                Ok(checked) if checked.intact => view! { <p role="status">{t!(i18n, review.intact)}</p> }.into_any(),
                                Ok(_) => view! { <p role="alert" class="error-message">{t!(i18n, review.broken)}</p> }.into_any(),
                                Err(_) => view! { <p role="alert" class="error-message">{t!(i18n, review.check_failed)}</p> }.into_any(),
                            })}
                        </section>
                        <h2>{t!(i18n, review.log_heading)}</h2>
                        <Form method="GET" action=REVIEW_PATH attr:class="filter-bar">
                            <div class="form-group">
                                <label for="filter-amt">{t!(i18n, review.office)}</label>
                                <select id="filter-amt" name="amt">
                                    <option value="">{t!(i18n, review.all)}</option>
                                    {options(&log.offices, &filter.office, german)}
                                </select>
                            </div>
                            <div class="form-group">
                                <label for="filter-person">{t!(i18n, review.staff)}</label>
                                <select id="filter-person" name="person">
                                    <option value="">{t!(i18n, review.all)}</option>
                                    {staff_options}
                                </select>
                            </div>
                            <div class="form-group">
                                <label for="filter-grundlage">{t!(i18n, review.basis)}</label>
                                <select id="filter-grundlage" name="grundlage">
                                    <option value="">{t!(i18n, review.all)}</option>
                                    {basis_options}
                                </select>
                            </div>
                            <div class="form-group">
                                <label for="filter-von">{t!(i18n, review.from)}</label>
                                <input type="date" id="filter-von" name="von" value=filter.from.clone() />
                            </div>
                            <div class="form-group">
                                <label for="filter-bis">{t!(i18n, review.until)}</label>
                                <input type="date" id="filter-bis" name="bis" value=filter.until.clone() />
                            </div>
                            <button type="submit" class="button button--secondary">{t!(i18n, review.filter_button)}</button>
                        </Form>
                        {if empty {
                            view! { <p>{t!(i18n, review.no_entries)}</p> }.into_any()
                        } else {
                            view! {
                                <div class="table-wrapper" role="region" aria-labelledby="protokoll-titel" tabindex="0">
                                    <table class="table">
                                        <caption id="protokoll-titel">{t!(i18n, review.log_caption)}</caption>
                                        <thead>
                                            <tr>
                                                <th scope="col">{t!(i18n, review.when)}</th>
                                                <th scope="col">{t!(i18n, review.staff)}</th>
                                                <th scope="col">{t!(i18n, review.office)}</th>
                                                <th scope="col">{t!(i18n, review.citizen)}</th>
                                                <th scope="col">{t!(i18n, review.categories)}</th>
                                                <th scope="col">{t!(i18n, review.purpose)}</th>
                                                <th scope="col">{t!(i18n, review.basis)}</th>
                                            </tr>
                                        </thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                            }
                            .into_any()
                        }}
                        {older.map(|href| view! { <p><A href=href>{t!(i18n, review.older)}</A></p> })}
                        <h2 id="notzugriffe">{t!(i18n, review.emergency_heading)}</h2>
                        <div class="table-wrapper" role="region" aria-labelledby="notzugriffe" tabindex="0">
                            <table class="table">
                                <thead>
                                    <tr>
                                        <th scope="col">{t!(i18n, review.when)}</th>
                                        <th scope="col">{t!(i18n, review.office)}</th>
                                        <th scope="col">{t!(i18n, review.citizen)}</th>
                                        <th scope="col">{t!(i18n, emergency.reason)}</th>
                                        <th scope="col">{t!(i18n, review.categories)}</th>
                                        <th scope="col">{t!(i18n, review.opened_by)}</th>
                                        <th scope="col">{t!(i18n, review.confirmed_by)}</th>
                                        <th scope="col">{t!(i18n, review.status)}</th>
                                    </tr>
                                </thead>
                                <tbody>{emergency_rows}</tbody>
                            </table>
                        </div>
                        {flags_view}
                        {audit_section(i18n, german, audit)}
                        {retention_section(i18n, german, retention_runs)}
                    </div>
                }
                .into_any()
            })
        />
    }
}
