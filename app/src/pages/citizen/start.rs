//! The citizen's area: their start page (what to do next, applications, what offices wait for,
//! who read their data lately) and their sign-ins.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use leptos_i18n::I18nContext;

use crate::{
    api::{EndOtherSessions, EndSession, my_overview, my_sessions},
    applying::{ApplicationSummary, CitizenOverview, ToDo},
    auth::SessionView,
    components::{guarded::Guarded, page_title::page_title, status::{status_class, status_text}},
    consent::{AccessEntryView, NamedCode, PersonView, TermsRenewal},
    i18n::*,
    status::ApplicationStatus,
    url::{for_person, format_timestamp},
};

#[component]
pub fn CitizenHome() -> impl IntoView {
    let i18n = use_i18n();
    let overview = Resource::new(|| (), |_| my_overview());
    view! {
        <Title text=page_title(move || t_string!(i18n, citizen.page_title)) />
        <Guarded
            data=overview
            sign_in_path="/buerger"
            render=Arc::new(move |overview: CitizenOverview| {
                let german = i18n.get_locale_untracked() == Locale::de;
                let name = overview.name.clone();
                let CitizenOverview { applications, to_dos, renewals, recent_reads, offices, categories, people, .. } = overview;
                let next = next_step(i18n, &applications, &to_dos, &people);
                view! {
                    <div class="container">
                        <h1>{t!(i18n, citizen.heading, name = move || name.clone())}</h1>
                        {next}
                        {to_do_list(i18n, german, to_dos, renewals)}
                        {application_table(i18n, german, applications)}
                        {recent_reads_list(i18n, german, recent_reads, &offices, &categories)}
                        <h2>{t!(i18n, overview.more_heading)}</h2>
                        <ul class="list">
                            <li><A href="/buerger/antrag">{t!(i18n, overview.apply_link)}</A></li>
                            <li><A href="/buerger/freigaben">{t!(i18n, cockpit.link)}</A></li>
                            <li><A href="/buerger/daten">{t!(i18n, my_data.link)}</A></li>
                            <li><A href="/buerger/zugriffe">{t!(i18n, access.link)}</A></li>
                            <li><A href="/buerger/sitzungen">{t!(i18n, citizen.sessions_link)}</A></li>
                        </ul>
                    </div>
                }
                .into_any()
            })
        />
    }
}

/// The one thing to do next: finish a started application, else answer an office, else apply.
fn next_step(
    i18n: I18nContext<Locale>,
    applications: &[ApplicationSummary],
    to_dos: &[ToDo],
    people: &[PersonView],
) -> impl IntoView + use<> {
    let draft = applications.iter().find(|application| application.status == ApplicationStatus::Draft);
    let (text, href, button) = match (draft, to_dos.first()) {
        (Some(draft), _) => {
            let href = for_person("/buerger/antrag", &draft.person.id, draft.person.is_self);
            (t_string!(i18n, overview.next_draft).to_owned(), href, t_string!(i18n, overview.next_draft_button).to_owned())
        }
        (None, Some(to_do)) => (
            t_string!(i18n, overview.next_to_do).to_owned(),
            format!("/buerger/antraege/{}#anfragen", to_do.application),
            t_string!(i18n, overview.next_to_do_button).to_owned(),
        ),
        (None, None) => (
            match people.len() {
                1 => t_string!(i18n, overview.next_apply).to_owned(),
                _ => t_string!(i18n, overview.next_apply_family).to_owned(),
            },
            String::from("/buerger/antrag"),
            t_string!(i18n, overview.apply_link).to_owned(),
        ),
    };
    view! {
        <section class="panel panel--next" aria-labelledby="naechster-schritt">
            <h2 id="naechster-schritt">{t!(i18n, overview.next_heading)}</h2>
            <p>{text}</p>
            <a href=href class="button">{button}</a>
        </section>
    }
}

fn application_table(i18n: I18nContext<Locale>, german: bool, applications: Vec<ApplicationSummary>) -> impl IntoView + use<> {
    view! {
        <section aria-labelledby="antraege">
            <h2 id="antraege">{t!(i18n, overview.applications_heading)}</h2>
            {if applications.is_empty() {
                view! { <p>{t!(i18n, overview.no_applications)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrapper">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, apply.receipt_reference)}</th>
                                    <th scope="col">{t!(i18n, apply.receipt_benefit)}</th>
                                    <th scope="col">{t!(i18n, overview.col_for)}</th>
                                    <th scope="col">{t!(i18n, apply.receipt_office)}</th>
                                    <th scope="col">{t!(i18n, overview.col_status)}</th>
                                    <th scope="col">{t!(i18n, overview.col_since)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {applications
                                    .into_iter()
                                    .map(|application| {
                                        let when = application.submitted_at.clone().unwrap_or_else(|| application.updated_at.clone());
                                        view! {
                                            <tr>
                                                <th scope="row" class="reference">{application_link(&application)}</th>
                                                <td>{application.benefit.name.pick(german).to_owned()}</td>
                                                <td>{application.person.name}</td>
                                                <td>{application.office.name.pick(german).to_owned()}</td>
                                                <td><span class=status_class(application.status)>{status_text(i18n, application.status)}</span></td>
                                                <td>{format_timestamp(&when, german)}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
    }
}

/// A sent application's reference links to its page; a draft's to the flow that continues it.
fn application_link(application: &ApplicationSummary) -> impl IntoView + use<> {
    let href = match application.status {
        ApplicationStatus::Draft => for_person("/buerger/antrag", &application.person.id, application.person.is_self),
        _ => format!("/buerger/antraege/{}", application.id),
    };
    let reference = application.reference.clone();
    view! { <A href=href>{reference}</A> }
}

fn to_do_list(
    i18n: I18nContext<Locale>,
    german: bool,
    to_dos: Vec<ToDo>,
    renewals: Vec<(PersonView, TermsRenewal)>,
) -> impl IntoView + use<> {
    let renewals = renewals
        .into_iter()
        .map(|(person, renewal)| {
            let office = renewal.office.name.pick(german).to_owned();
            let reference = renewal.reference;
            let href = for_person("/buerger/freigaben", &person.id, person.is_self);
            let name = person.name;
            view! {
                <li>
                    <strong>{t!(i18n, overview.to_do_from, office = move || office.clone(), reference = move || reference.clone(), person = move || name.clone())}</strong>
                    " " {t!(i18n, overview.renewal)} " "
                    <A href=href>{t!(i18n, overview.renewal_link)}</A>
                </li>
            }
        })
        .collect_view();
    (!to_dos.is_empty() || !renewals.is_empty()).then(|| {
        view! {
            <section aria-labelledby="zu-erledigen">
                <h2 id="zu-erledigen">{t!(i18n, overview.to_dos_heading)}</h2>
                <ul class="list">
                    {to_dos
                        .into_iter()
                        .map(|to_do| {
                            let office = to_do.office.name.pick(german).to_owned();
                            let reference = to_do.reference;
                            let person = to_do.person.name;
                            let since = format_timestamp(&to_do.since, german);
                            let href = format!("/buerger/antraege/{}#anfragen", to_do.application);
                            view! {
                                <li>
                                    <strong>{t!(i18n, overview.to_do_from, office = move || office.clone(), reference = move || reference.clone(), person = move || person.clone())}</strong>
                                    " " {to_do.description} " "
                                    <span class="hint">{t!(i18n, overview.to_do_since, since = move || since.clone())}</span>
                                    <A href=href>{t!(i18n, file.to_do_link)}</A>
                                </li>
                            }
                        })
                        .collect_view()}
                    {renewals}
                </ul>
            </section>
        }
    })
}

fn recent_reads_list(
    i18n: I18nContext<Locale>,
    german: bool,
    reads: Vec<(PersonView, AccessEntryView)>,
    offices: &[NamedCode],
    categories: &[NamedCode],
) -> impl IntoView + use<> {
    let items = reads
        .into_iter()
        .map(|(person, entry)| {
            let office = NamedCode::name_in(offices, &entry.office, german);
            let data = entry
                .categories
                .iter()
                .map(|category| NamedCode::name_in(categories, category, german))
                .collect::<Vec<_>>()
                .join(", ");
            let when = format_timestamp(&entry.occurred_at, german);
            let person = person.name;
            view! {
                <li>
                    {t!(i18n, overview.read_item, office = move || office.clone(), data = move || data.clone(), when = move || when.clone(), person = move || person.clone())}
                </li>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <section aria-labelledby="zugriffe">
            <h2 id="zugriffe">{t!(i18n, overview.reads_heading)}</h2>
            {if items.is_empty() {
                view! { <p>{t!(i18n, overview.no_reads)}</p> }.into_any()
            } else {
                view! { <ul class="list">{items}</ul> }.into_any()
            }}
            <p><A href="/buerger/zugriffe">{t!(i18n, overview.all_reads)}</A></p>
        </section>
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
        <Title text=page_title(move || t_string!(i18n, sessions.page_title)) />
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
