//! The caseworker's queue: the office's applications by tab (new, in progress, waiting for the
//! citizen, decided, closed) with counts, found by reference number or name, filtered by whose
//! they are, paged on the server; each taken with one button. Links and forms only, so it is
//! used by keyboard as by mouse, and works before the WebAssembly has loaded.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::Title;
use leptos_router::{
    components::{A, Form},
    hooks::use_query_map,
};

use crate::{
    api::{AssignCase, queue},
    case::{QueueAssignee, QueueGroup, QueueItem, QueuePage},
    components::{guarded::Guarded, page_title::page_title, pagination::pagination, status::staff_status},
    consent::NamedCode,
    i18n::*,
    url::{encode_component, format_timestamp},
};

pub const QUEUE_PATH: &str = "/mitarbeitende/warteschlange";

/// The queue's address for `page` with one part changed.
fn queue_link(page: &QueuePage, office: &str, group: QueueGroup, number: i64) -> String {
    let mut parts = vec![format!("amt={}", encode_component(office)), format!("liste={}", group.code())];
    if page.assignee != QueueAssignee::Anyone {
        parts.push(format!("zugewiesen={}", page.assignee.code()));
    }
    if !page.search.is_empty() && group == page.group {
        parts.push(format!("suche={}", encode_component(&page.search)));
    }
    if number > 1 {
        parts.push(format!("seite={number}"));
    }
    format!("{QUEUE_PATH}?{}", parts.join("&"))
}

pub(crate) fn group_name(i18n: I18nContext<Locale>, group: QueueGroup) -> &'static str {
    match group {
        QueueGroup::New => t_string!(i18n, queue.group_new),
        QueueGroup::InProgress => t_string!(i18n, queue.group_in_progress),
        QueueGroup::Waiting => t_string!(i18n, queue.group_waiting),
        QueueGroup::Decided => t_string!(i18n, queue.group_decided),
        QueueGroup::Closed => t_string!(i18n, queue.group_closed),
    }
}

fn queue_row(
    i18n: I18nContext<Locale>,
    german: bool,
    item: QueueItem,
    benefits: &[NamedCode],
    take: ServerAction<AssignCase>,
    named: bool,
) -> impl IntoView + use<> {
    let href = crate::api::case_path(&item.application, "");
    let benefit = NamedCode::name_in(benefits, &item.benefit_type, german);
    let submitted = item.submitted_at.as_deref().map(|at| format_timestamp(at, german)).unwrap_or_default();
    let status = staff_status(i18n, item.status);
    let assigned = match (&item.assigned_to, item.assigned_to_me) {
        (_, true) => t_string!(i18n, queue.assigned_me).to_owned(),
        (Some(name), false) => name.clone(),
        (None, false) => t_string!(i18n, queue.assigned_nobody).to_owned(),
    };
    let open = item.status.is_open();
    let reference = item.reference.clone();
    let take_button = (!item.assigned_to_me && open).then(|| {
        let label = format!("{} {}", t_string!(i18n, queue.take), reference);
        view! {
            <ActionForm action=take>
                <input type="hidden" name="application" value=item.application.clone() />
                <input type="hidden" name="assignee" value="ich" />
                <button type="submit" class="button button--small button--secondary" aria-label=label>
                    {t!(i18n, queue.take)}
                </button>
            </ActionForm>
        }
    });
    view! {
        <tr>
            <th scope="row"><A href=href>{item.reference}</A></th>
            {named.then(|| view! { <td>{item.applicant}</td> })}
            <td>{benefit}</td>
            <td>{submitted}</td>
            <td>{status}</td>
            <td>{assigned}</td>
            <td>{take_button}</td>
        </tr>
    }
}

#[component]
pub fn StaffQueuePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let key = move || {
        let query = query.read();
        (query.get("amt"), query.get("seite"), query.get("liste"), query.get("zugewiesen"), query.get("suche"))
    };
    let take = ServerAction::<AssignCase>::new();
    let data = Resource::new(key, |(office, page, list, assignee, search)| queue(office, page, list, assignee, search));

    view! {
        <Title text=page_title(move || t_string!(i18n, queue.title)) />
        <Guarded
            data=data
            sign_in_path="/mitarbeitende"
            render=Arc::new(move |page: QueuePage| {
                let german = i18n.get_locale_untracked() == Locale::de;
                let office_name = page.office.name.pick(german).to_owned();
                let office = page.office.code.clone();
                let pages = ((page.total + page.per_page - 1) / page.per_page).max(1);
                let tabs = page
                    .counts
                    .iter()
                    .map(|(group, count)| {
                        let href = queue_link(&page, &office, *group, 1);
                        let current = (*group == page.group).then_some("page");
                        let text = format!("{} ({count})", group_name(i18n, *group));
                        view! { <li><A href=href attr:aria-current=current>{text}</A></li> }
                    })
                    .collect_view();
                let switch = (page.offices.len() > 1).then(|| {
                    let links = page
                        .offices
                        .iter()
                        .filter(|other| other.code != office)
                        .map(|other| {
                            let name = other.name.pick(german).to_owned();
                            let href = format!("{QUEUE_PATH}?amt={}", encode_component(&other.code));
                            view! { <li><A href=href>{t!(i18n, queue.switch_office, office = move || name.clone())}</A></li> }
                        })
                        .collect_view();
                    view! { <ul class="list">{links}</ul> }
                });
                let assignee_options = QueueAssignee::ALL
                    .into_iter()
                    .map(|assignee| {
                        let text = match assignee {
                            QueueAssignee::Anyone => t_string!(i18n, queue.filter_anyone),
                            QueueAssignee::Me => t_string!(i18n, queue.filter_me),
                            QueueAssignee::Nobody => t_string!(i18n, queue.filter_nobody),
                        };
                        view! { <option value=assignee.code() selected=assignee == page.assignee>{text}</option> }
                    })
                    .collect_view();
                let caption = format!("{} – {}", group_name(i18n, page.group), office_name);
                // Names only where a search by name found them (each a logged read).
                let named = page.items.iter().any(|item| item.applicant.is_some());
                let rows = page
                    .items
                    .iter()
                    .cloned()
                    .map(|item| queue_row(i18n, german, item, &page.benefits, take, named))
                    .collect_view();
                let empty = page.items.is_empty();
                let previous = (page.page > 1).then(|| queue_link(&page, &office, page.group, page.page - 1));
                let next = (page.page < pages).then(|| queue_link(&page, &office, page.group, page.page + 1));
                let total = page.total.to_string();
                view! {
                    <div class="container container--wide">
                        <h1>{t!(i18n, queue.heading, office = move || office_name.clone())}</h1>
                        {switch}
                        <nav aria-label=t_string!(i18n, queue.tabs_label)>
                            <ul class="tabs">{tabs}</ul>
                        </nav>
                        <Form method="GET" action=QUEUE_PATH attr:class="filter-bar" attr:role="search">
                            <input type="hidden" name="amt" value=office.clone() />
                            <input type="hidden" name="liste" value=page.group.code() />
                            <div class="form-group">
                                <label for="suche">{t!(i18n, queue.search_label)}</label>
                                <span class="hint" id="suche-hinweis">{t!(i18n, queue.search_hint)}</span>
                                <input type="search" id="suche" name="suche" value=page.search.clone() aria-describedby="suche-hinweis" />
                            </div>
                            <div class="form-group">
                                <label for="zugewiesen">{t!(i18n, queue.filter_label)}</label>
                                <select id="zugewiesen" name="zugewiesen">{assignee_options}</select>
                            </div>
                            <button type="submit" class="button button--secondary">{t!(i18n, queue.search_button)}</button>
                        </Form>
                        <p role="status">{t!(i18n, queue.found, total = move || total.clone())}</p>
                        {if empty {
                            view! { <p>{t!(i18n, queue.empty)}</p> }.into_any()
                        } else {
                            view! {
                                <div class="table-wrapper" role="region" aria-label=caption.clone() tabindex="0">
                                    <table class="table">
                                        <caption class="visually-hidden">{caption.clone()}</caption>
                                        <thead>
                                            <tr>
                                                <th scope="col">{t!(i18n, queue.col_reference)}</th>
                                                {named.then(|| view! { <th scope="col">{t!(i18n, queue.col_applicant)}</th> })}
                                                <th scope="col">{t!(i18n, queue.col_benefit)}</th>
                                                <th scope="col">{t!(i18n, queue.col_submitted)}</th>
                                                <th scope="col">{t!(i18n, queue.col_status)}</th>
                                                <th scope="col">{t!(i18n, queue.col_assigned)}</th>
                                                <th scope="col"><span class="visually-hidden">{t!(i18n, queue.col_action)}</span></th>
                                            </tr>
                                        </thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                            }
                            .into_any()
                        }}
                        {pagination(i18n, previous, next, page.page, pages)}
                        <p><A href="/mitarbeitende/start">{t!(i18n, queue.back)}</A></p>
                    </div>
                }
                .into_any()
            })
        />
    }
}
