//! The consent cockpit: which office may see which category right now and why (offices ×
//! categories), the sharings the citizen may grant (with purpose and duration), revoking with
//! the consequence shown before confirming, the history of every change, and "see what this
//! office sees": an office's view of the person's data, decided by the rules the gate enforces.
//! Plain forms and links throughout, so it works without JavaScript; `?fuer=` for a child.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

use crate::{
    api::{AcceptTerms, GrantConsent, RevokeConsent, data_by_category, my_consents, people_acted_for, sharing_offers, terms_renewals},
    applying::SharingOffer,
    auth::ApiError,
    components::data_view::kept_fields,
    components::{
        error_summary::{Sent, error_summary, refusal},
        guarded::Guarded,
        page_title::page_title,
        person_switch::person_switch,
    },
    consent::{ConsentView, MyData, NamedCode, PersonView, TermsRenewal, Visibility},
    i18n::*,
    url::{encode_component, for_person, format_timestamp},
};

/// Everything the cockpit shows, loaded in one go.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Cockpit {
    data: MyData,
    consents: Vec<ConsentView>,
    offers: Vec<SharingOffer>,
    people: Vec<PersonView>,
    renewals: Vec<TermsRenewal>,
}

/// What one cell of the matrix says: every reason the office may see `category` now.
fn cell_text(
    i18n: I18nContext<Locale>,
    german: bool,
    category: &str,
    reasons: &[&Visibility],
    consents: &[ConsentView],
) -> AnyView {
    if reasons.is_empty() {
        return view! { {t!(i18n, cockpit.not_shared)} }.into_any();
    }
    reasons
        .iter()
        .enumerate()
        .map(|(position, reason)| {
            let until = reason.until.as_deref().map(|until| format_timestamp(until, german)).unwrap_or_default();
            let separator = (position > 0).then_some(" · ");
            let text = match reason.basis.as_str() {
                "application" => {
                    let reference = reason.reference.clone().unwrap_or_default();
                    view! { {t!(i18n, cockpit.required_for, reference = move || reference.clone())} }.into_any()
                }
                "consent" => {
                    let purpose = reason.purpose.clone().unwrap_or_default();
                    let since = consents
                        .iter()
                        .find(|consent| {
                            consent.state == "active"
                                && consent.category == category
                                && consent.office == reason.office
                                && Some(&consent.purpose) == reason.purpose.as_ref()
                        })
                        .map(|consent| format_timestamp(&consent.granted_at, german))
                        .unwrap_or_default();
                    view! {
                        {t!(i18n, cockpit.shared_by_you, purpose = move || purpose.clone(), since = move || since.clone(), until = move || until.clone())}
                    }
                    .into_any()
                }
                _ => view! { {t!(i18n, cockpit.emergency_until, until = move || until.clone())} }.into_any(),
            };
            view! { {separator} {text} }
        })
        .collect_view()
        .into_any()
}

/// What the citizen reads when the server refused a grant, a revocation or an agreement.
fn refusal_text(i18n: I18nContext<Locale>, error: &ApiError) -> String {
    let text = match error {
        ApiError::Invalid { field, .. } => match field.as_str() {
            "days" => t_string!(i18n, cockpit.error_days),
            "sharing" => t_string!(i18n, cockpit.error_sharing),
            "version" => t_string!(i18n, cockpit.error_version),
            "consent" => t_string!(i18n, cockpit.error_consent),
            _ => t_string!(i18n, cockpit.error_other),
        },
        ApiError::NotFound => t_string!(i18n, cockpit.error_consent),
        _ => t_string!(i18n, cockpit.error_other),
    };
    text.to_owned()
}

/// A refusal's message next to the part of the page it concerns (`id`, which the error
/// summary links to).
fn problem_at(problems: &[(String, String)], id: &'static str) -> Option<impl IntoView + use<>> {
    problems
        .iter()
        .find(|(target, _)| target == id)
        .map(|(_, text)| view! { <p class="error-message" id=id>{text.clone()}</p> })
}

#[component]
pub fn ConsentCockpitPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let grant = ServerAction::<GrantConsent>::new();
    let revoke = ServerAction::<RevokeConsent>::new();
    let accept = ServerAction::<AcceptTerms>::new();
    let person = move || query.read().get("fuer").filter(|person| !person.is_empty());
    // Why a form just sent was refused: in the summary at the top and next to its section.
    let problems = Memo::new(move |_| {
        let query = query.read();
        [
            ("freigabe-fehler", refusal(grant, &query)),
            ("widerruf-fehler", refusal(revoke, &query)),
            ("bedingungen-fehler", refusal(accept, &query)),
        ]
        .into_iter()
        .filter_map(|(id, error)| error.map(|error| (id.to_owned(), refusal_text(i18n, &error))))
        .collect::<Vec<_>>()
    });
    // The revocation asked about is part of the key, so following its link renders the question.
    let asked = move || query.read().get("widerrufen");
    let data = Resource::new(
        move || (person(), asked(), grant.version().get(), revoke.version().get(), accept.version().get()),
        |(person, ..)| async move {
            let data = data_by_category(person.clone()).await?;
            let consents = my_consents(person.clone()).await?;
            let offers = sharing_offers(person.clone()).await?;
            let renewals = terms_renewals(person).await?;
            let people = people_acted_for().await?;
            Ok(Cockpit { data, consents, offers, people, renewals })
        },
    );

    view! {
        <Title text=page_title(move || t_string!(i18n, cockpit.page_title)) />
        <Guarded
            data=data
            sign_in_path="/buerger"
            render=Arc::new(move |Cockpit { data, consents, offers, people, renewals }| {
                let german = i18n.get_locale_untracked() == Locale::de;
                let is_self = people.iter().any(|candidate| candidate.is_self && candidate.id == data.citizen);
                let person_id = data.citizen.clone();
                let name = data.citizen_name.clone();
                let to_revoke = query.read_untracked().get("widerrufen");
                let name_of = |list: &[NamedCode], code: &str| NamedCode::name_in(list, code, german);
                let categories: Vec<NamedCode> = data
                    .categories
                    .iter()
                    .map(|category| NamedCode { code: category.code.clone(), name: category.name.clone() })
                    .collect();
                let offices = data.offices.clone();

                // The matrix: a row per category, a column per office.
                let header = offices
                    .iter()
                    .map(|office| view! { <th scope="col">{office.name.pick(german).to_owned()}</th> })
                    .collect_view();
                let rows = data
                    .categories
                    .iter()
                    .map(|category| {
                        let cells = offices
                            .iter()
                            .map(|office| {
                                let reasons: Vec<&Visibility> = category.seen_by.iter().filter(|seen| seen.office == office.code).collect();
                                let class = if reasons.is_empty() { "cell--closed" } else { "cell--open" };
                                view! { <td class=class>{cell_text(i18n, german, &category.code, &reasons, &consents)}</td> }
                            })
                            .collect_view();
                        view! {
                            <tr>
                                <th scope="row">{category.name.pick(german).to_owned()}</th>
                                {cells}
                            </tr>
                        }
                    })
                    .collect_view();

                // The consequence of a revocation, shown before it is confirmed.
                let confirm = to_revoke.and_then(|id| consents.iter().find(|consent| consent.id == id).cloned()).map(|consent| {
                    let office = name_of(&offices, &consent.office);
                    let category = name_of(&categories, &consent.category);
                    let purpose = consent.purpose.clone();
                    let still_required: Vec<String> = data
                        .categories
                        .iter()
                        .filter(|overview| overview.code == consent.category)
                        .flat_map(|overview| overview.seen_by.iter())
                        .filter(|seen| seen.office == consent.office && seen.basis == "application")
                        .filter_map(|seen| seen.reference.clone())
                        .collect();
                    let back = for_person("/buerger/freigaben", &person_id, is_self);
                    match consent.state.as_str() {
                        "active" => {
                            let (office_text, category_text) = (office.clone(), category.clone());
                            view! {
                                <div class="notice notice--warning" role="region" aria-labelledby="widerruf-titel">
                                    <h2 id="widerruf-titel">{t!(i18n, cockpit.revoke_heading)}</h2>
                                    <p>{t!(i18n, cockpit.revoke_consequence, office = move || office_text.clone(), category = move || category_text.clone(), purpose = move || purpose.clone())}</p>
                                    {(!still_required.is_empty()).then(|| {
                                        let references = still_required.join(", ");
                                        view! { <p>{t!(i18n, cockpit.revoke_still_required, references = move || references.clone())}</p> }
                                    })}
                                    <p>{t!(i18n, cockpit.revoke_past)}</p>
                                    <ActionForm action=revoke>
                                        <input type="hidden" name="consent" value=consent.id.clone() />
                                        <button type="submit" class="button button--danger">{t!(i18n, cockpit.revoke_confirm)}</button>
                                        " "
                                        <a href=back class="button button--secondary">{t!(i18n, cockpit.revoke_cancel)}</a>
                                    </ActionForm>
                                </div>
                            }
                            .into_any()
                        }
                        _ => view! {
                            <div class="notice" role="status">
                                <p>{t!(i18n, cockpit.revoked_now, office = move || office.clone(), category = move || category.clone())}</p>
                            </div>
                        }
                        .into_any(),
                    }
                });

                let active: Vec<ConsentView> = consents.iter().filter(|consent| consent.state == "active").cloned().collect();
                let active_list = active
                    .iter()
                    .map(|consent| {
                        let office = name_of(&offices, &consent.office);
                        let category = name_of(&categories, &consent.category);
                        let purpose = consent.purpose.clone();
                        let until = consent.expires_at.as_deref().map(|until| format_timestamp(until, german)).unwrap_or_default();
                        let revoke_href = format!(
                            "{}{}widerrufen={}",
                            for_person("/buerger/freigaben", &person_id, is_self),
                            if is_self { "?" } else { "&" },
                            consent.id
                        );
                        let hidden = format!("{office}: {category}");
                        view! {
                            <li>
                                {t!(i18n, cockpit.active_item, office = move || office.clone(), category = move || category.clone(), purpose = move || purpose.clone(), until = move || until.clone())}
                                " "
                                <a href=revoke_href>{t!(i18n, cockpit.revoke_link)}<span class="visually-hidden">" – " {hidden}</span></a>
                            </li>
                        }
                    })
                    .collect_view();

                let open_offers = offers
                    .into_iter()
                    .filter(|offer| {
                        !active.iter().any(|consent| {
                            consent.office == offer.recipient.code && consent.category == offer.category.code && consent.purpose == offer.purpose.de
                        })
                    })
                    .map(|offer| offer_form(i18n, german, grant, person_id.clone(), is_self, offer))
                    .collect_view();

                let history = history_rows(i18n, german, &consents, &offices, &categories);
                let office_links = offices
                    .iter()
                    .map(|office| {
                        let href = for_person(&format!("/buerger/freigaben/amt/{}", office.code), &person_id, is_self);
                        let name = office.name.pick(german).to_owned();
                        view! { <li><a href=href>{t!(i18n, cockpit.office_view_link, office = move || name.clone())}</a></li> }
                    })
                    .collect_view();
                let renewals = renewals_section(i18n, german, accept, renewals);
                let renewed = accept.value().with_untracked(|value| matches!(value, Some(Ok(()))));
                let shown = person_id.clone();
                view! {
                    <div class="container container--wide">
                        {move || error_summary(i18n, problems.get())}
                        <h1>{t!(i18n, cockpit.heading, name = move || name.clone())}</h1>
                        <p class="lead">{t!(i18n, cockpit.lead)}</p>
                        {person_switch(i18n, people, &shown, "/buerger/freigaben", move |name| {
                            view! { {t!(i18n, cockpit.person_link, name = move || name.clone())} }
                        })}
                        {confirm}
                        {renewed.then(|| view! { <div class="notice" role="status"><p>{t!(i18n, cockpit.done_renewed)}</p></div> })}
                        {move || problems.with(|problems| problem_at(problems, "bedingungen-fehler"))}
                        {renewals}
                        <div class="table-wrapper">
                            <table class="table matrix">
                                <caption>{t!(i18n, cockpit.matrix_caption)}</caption>
                                <thead><tr><th scope="col">{t!(i18n, cockpit.col_category)}</th>{header}</tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                        <h2>{t!(i18n, cockpit.office_view_heading)}</h2>
                        <ul class="list">{office_links}</ul>
                        <h2>{t!(i18n, cockpit.active_heading)}</h2>
                        {move || problems.with(|problems| problem_at(problems, "widerruf-fehler"))}
                        {if active.is_empty() {
                            view! { <p>{t!(i18n, cockpit.no_active)}</p> }.into_any()
                        } else {
                            view! { <ul class="list">{active_list}</ul> }.into_any()
                        }}
                        <h2>{t!(i18n, cockpit.offers_heading)}</h2>
                        <p>{t!(i18n, cockpit.offers_lead)}</p>
                        {move || problems.with(|problems| problem_at(problems, "freigabe-fehler"))}
                        {open_offers}
                        <h2>{t!(i18n, cockpit.history_heading)}</h2>
                        {history}
                        <p><A href="/buerger/start">{t!(i18n, access.back)}</A></p>
                    </div>
                }
                .into_any()
            })
        />
    }
}

/// The new terms offices ask the citizen to agree to: per open application, what its office
/// would receive in addition and why, and that without a "yes" nothing changes.
fn renewals_section(i18n: I18nContext<Locale>, german: bool, accept: ServerAction<AcceptTerms>, renewals: Vec<TermsRenewal>) -> impl IntoView + use<> {
    if renewals.is_empty() {
        return None;
    }
    let items = renewals
        .into_iter()
        .map(|renewal| {
            let pick = |named: &NamedCode| named.name.pick(german).to_owned();
            let (reference, benefit, office) = (renewal.reference.clone(), pick(&renewal.benefit), pick(&renewal.office));
            let version = renewal.new_version_number;
            let added = renewal
                .added
                .iter()
                .map(|added| {
                    let explanation = added.explanation.pick(german).to_owned();
                    let basis = added.legal_basis.clone();
                    view! {
                        <li>
                            <strong>{pick(&added.category)}</strong>": " {explanation} " "
                            {t!(i18n, cockpit.renewal_basis, basis = move || basis.clone())}
                        </li>
                    }
                })
                .collect_view();
            let removed = (!renewal.removed.is_empty()).then(|| {
                let names = renewal.removed.iter().map(pick).collect::<Vec<_>>().join(", ");
                view! { <p>{t!(i18n, cockpit.renewal_removed)} " " {names}</p> }
            });
            let intro = renewal.intro.pick(german).to_owned();
            let heading_id = format!("bedingungen-{}", renewal.application);
            let hidden = reference.clone();
            view! {
                <section class="offer" aria-labelledby=heading_id.clone()>
                    <h3 id=heading_id.clone()>{t!(i18n, cockpit.renewal_lead, reference = move || reference.clone(), benefit = move || benefit.clone(), version, office = move || office.clone())}</h3>
                    <ul class="list">{added}</ul>
                    {removed}
                    <p>{intro}</p>
                    <p>{t!(i18n, cockpit.renewal_keep)}</p>
                    <ActionForm action=accept>
                        <input type="hidden" name="application" value=renewal.application.clone() />
                        <input type="hidden" name="version" value=renewal.new_version.clone() />
                        <button type="submit" class="button">{t!(i18n, cockpit.renewal_accept)}<span class="visually-hidden">" " {hidden}</span></button>
                    </ActionForm>
                </section>
            }
        })
        .collect_view();
    Some(view! {
        <section class="notice notice--warning" aria-labelledby="bedingungen">
            <h2 id="bedingungen">{t!(i18n, cockpit.renewals_heading)}</h2>
            {items}
        </section>
    })
}

/// One sharing the citizen may grant: what, to whom, what for, how long.
fn offer_form(
    i18n: I18nContext<Locale>,
    german: bool,
    grant: ServerAction<GrantConsent>,
    person: String,
    is_self: bool,
    offer: SharingOffer,
) -> impl IntoView + use<> {
    let office = offer.recipient.name.pick(german).to_owned();
    let category = offer.category.name.pick(german).to_owned();
    let purpose = offer.purpose.pick(german).to_owned();
    let explanation = offer.explanation.pick(german).to_owned();
    let select_id = format!("dauer-{}", offer.id);
    let heading_id = format!("angebot-{}", offer.id);
    let max = offer.max_validity_days;
    let durations: Vec<i64> = [30, 90, 180, 365].into_iter().filter(|days| *days < max).chain([max]).collect();
    let sent = Sent::to::<GrantConsent>().for_item("sharing", &offer.id);
    let sent = if is_self { sent.without("person") } else { sent.for_item("person", &person) };
    let basis = match offer.legal_basis.as_str() {
        "art_9_2_a" => t_string!(i18n, apply.basis_art_9_2_a),
        _ => t_string!(i18n, apply.basis_art_6_1_a),
    };
    view! {
        <section class="offer" aria-labelledby=heading_id.clone()>
            <h3 id=heading_id.clone()>{t!(i18n, apply.sharing_label, office = move || office.clone(), category = move || category.clone(), purpose = move || purpose.clone())}</h3>
            <p>{explanation} " " {t!(i18n, cockpit.offer_basis, basis = move || basis)}</p>
            <ActionForm action=grant>
                <input type="hidden" name="sharing" value=offer.id.clone() />
                {(!is_self).then(|| view! { <input type="hidden" name="person" value=person /> })}
                <div class="form-group">
                    <label for=select_id.clone()>{t!(i18n, cockpit.duration_label)}</label>
                    <select id=select_id name="days">
                        {durations
                            .into_iter()
                            .map(|days| {
                                let text = days.to_string();
                                let chosen = sent.selected("days", &text, days == max);
                                view! { <option value=days.to_string() selected=chosen>{t!(i18n, cockpit.days, days = move || text.clone())}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <button type="submit" class="button button--secondary">{t!(i18n, cockpit.grant_button)}</button>
            </ActionForm>
        </section>
    }
}

fn history_rows(
    i18n: I18nContext<Locale>,
    german: bool,
    consents: &[ConsentView],
    offices: &[NamedCode],
    categories: &[NamedCode],
) -> impl IntoView + use<> {
    let mut events: Vec<(String, String, String, String, String)> = consents
        .iter()
        .flat_map(|consent| {
            consent.events.iter().map(move |event| {
                (
                    event.occurred_at.clone(),
                    event.kind.clone(),
                    NamedCode::name_in(offices, &consent.office, german),
                    NamedCode::name_in(categories, &consent.category, german),
                    consent.purpose.clone(),
                )
            })
        })
        .collect();
    events.sort_by(|a, b| b.0.cmp(&a.0));
    if events.is_empty() {
        return view! { <p>{t!(i18n, cockpit.no_history)}</p> }.into_any();
    }
    view! {
        <div class="table-wrapper">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, access.col_when)}</th>
                        <th scope="col">{t!(i18n, cockpit.col_change)}</th>
                        <th scope="col">{t!(i18n, access.col_office)}</th>
                        <th scope="col">{t!(i18n, access.col_data)}</th>
                        <th scope="col">{t!(i18n, access.col_purpose)}</th>
                    </tr>
                </thead>
                <tbody>
                    {events
                        .into_iter()
                        .map(|(when, kind, office, category, purpose)| {
                            let change = match kind.as_str() {
                                "granted" => t_string!(i18n, cockpit.event_granted),
                                "renewed" => t_string!(i18n, cockpit.event_renewed),
                                "revoked" => t_string!(i18n, cockpit.event_revoked),
                                _ => t_string!(i18n, cockpit.event_expired),
                            };
                            view! {
                                <tr>
                                    <td>{format_timestamp(&when, german)}</td>
                                    <td>{change}</td>
                                    <td>{office}</td>
                                    <td>{category}</td>
                                    <td>{purpose}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// "See what this office sees": the categories the office may read now, with the data it would
/// get and why, decided by the same rules as every read.
#[component]
pub fn OfficeViewPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let params = use_params_map();
    let person = move || query.read().get("fuer").filter(|person| !person.is_empty());
    let data = Resource::new(person, data_by_category);

    view! {
        <Title text=page_title(move || t_string!(i18n, cockpit.office_view_title)) />
        <Guarded
            data=data
            sign_in_path="/buerger"
            render=Arc::new(move |data: MyData| {
                let german = i18n.get_locale_untracked() == Locale::de;
                let office_code = params.read_untracked().get("office").unwrap_or_default();
                let Some(office) = data.offices.iter().find(|office| office.code == office_code).cloned() else {
                    return view! { <crate::components::refusal::NotFound /> }.into_any();
                };
                let office_name = office.name.pick(german).to_owned();
                let (heading_office, empty_office) = (office_name.clone(), office_name.clone());
                let name = data.citizen_name.clone();
                let back = match query.read_untracked().get("fuer") {
                    Some(person) => format!("/buerger/freigaben?fuer={}", encode_component(&person)),
                    None => String::from("/buerger/freigaben"),
                };
                let seen: Vec<_> = data
                    .categories
                    .into_iter()
                    .filter(|category| category.seen_by.iter().any(|seen| seen.office == office.code))
                    .collect();
                let body = if seen.is_empty() {
                    view! { <p>{t!(i18n, cockpit.office_sees_nothing, office = move || empty_office.clone())}</p> }.into_any()
                } else {
                    seen.into_iter()
                        .map(|category| {
                            let reasons: Vec<&Visibility> = category.seen_by.iter().filter(|seen| seen.office == office.code).collect();
                            let why = cell_text(i18n, german, &category.code, &reasons, &[]);
                            let title = category.name.pick(german).to_owned();
                            // What the office reads: every field where one basis opens all of
                            // them, else the fields its applications' forms ask for.
                            let whole = reasons.iter().any(|seen| seen.fields.is_none());
                            let fields: Vec<_> = category
                                .fields
                                .iter()
                                .filter(|field| {
                                    whole || reasons.iter().any(|seen| seen.fields.as_ref().is_some_and(|keys| keys.contains(&field.key)))
                                })
                                .cloned()
                                .collect();
                            view! {
                                <section class="data-category">
                                    <h2>{title}</h2>
                                    <p class="hint">{why}</p>
                                    {kept_fields(i18n, german, fields)}
                                </section>
                            }
                        })
                        .collect_view()
                        .into_any()
                };
                view! {
                    <div class="container">
                        <A href=back attr:class="back-link">{t!(i18n, apply.back)}</A>
                        <h1>{t!(i18n, cockpit.office_view_heading_for, office = move || heading_office.clone(), name = move || name.clone())}</h1>
                        <p class="lead">{t!(i18n, cockpit.office_view_lead)}</p>
                        {body}
                    </div>
                }
                .into_any()
            })
        />
    }
}
