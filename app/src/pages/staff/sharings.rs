//! Data citizens shared with the caseworker's office by consent: the list (who, for which
//! purpose, which data, until when), paged on the server, and the shared data of one person and
//! purpose. Each name on the list and each opened sharing is a read the citizen's access log
//! records. Links only, so it works before the WebAssembly has loaded.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    api::{shared_data, sharings},
    case::{SharedDataView, SharingItem, SharingsPage},
    components::{
        data_view::{category_names, data_sections},
        guarded::Guarded,
        page_title::page_title,
        pagination::pagination,
    },
    i18n::*,
    url::{encode_component, format_date},
};

pub const SHARINGS_PATH: &str = "/mitarbeitende/freigaben";
pub const SHARED_DATA_PATH: &str = "/mitarbeitende/freigaben/ansehen";

/// The list's address for page `number` of `office`.
fn page_link(office: &str, number: i64) -> String {
    match number {
        1 => format!("{SHARINGS_PATH}?amt={}", encode_component(office)),
        _ => format!("{SHARINGS_PATH}?amt={}&seite={number}", encode_component(office)),
    }
}

fn sharing_row(i18n: I18nContext<Locale>, german: bool, item: SharingItem, page: &SharingsPage) -> impl IntoView + use<> {
    let href = format!(
        "{SHARED_DATA_PATH}?amt={}&person={}&zweck={}",
        encode_component(&page.office.code),
        encode_component(&item.citizen),
        encode_component(&item.purpose)
    );
    let name = item.name.unwrap_or_else(|| t_string!(i18n, sharings.no_name).to_owned());
    let data = category_names(&item.categories, &page.categories, german);
    let until = match item.until {
        Some(until) => format_date(until.split('T').next().unwrap_or_default(), german),
        None => t_string!(i18n, sharings.until_revoked).to_owned(),
    };
    let label = format!("{name}: {}", item.purpose);
    view! {
        <tr>
            <th scope="row">{name}</th>
            <td>{item.purpose}</td>
            <td>{data}</td>
            <td>{until}</td>
            <td>
                <A href=href>
                    {t!(i18n, sharings.open)}
                    <span class="visually-hidden">" – " {label}</span>
                </A>
            </td>
        </tr>
    }
}

#[component]
pub fn StaffSharingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let key = move || {
        let query = query.read();
        (query.get("amt"), query.get("seite"))
    };
    let data = Resource::new(key, |(office, page)| sharings(office, page));

    view! {
        <Title text=page_title(move || t_string!(i18n, sharings.title)) />
        <Guarded
            data=data
            sign_in_path="/mitarbeitende"
            render=Arc::new(move |page: SharingsPage| {
                let german = i18n.get_locale_untracked() == Locale::de;
                let office_name = page.office.name.pick(german).to_owned();
                let pages = ((page.total + page.per_page - 1) / page.per_page).max(1);
                let previous = (page.page > 1).then(|| page_link(&page.office.code, page.page - 1));
                let next = (page.page < pages).then(|| page_link(&page.office.code, page.page + 1));
                let total = page.total.to_string();
                let caption = t_string!(i18n, sharings.caption).to_owned();
                let rows = page.items.iter().cloned().map(|item| sharing_row(i18n, german, item, &page)).collect_view();
                let empty = page.items.is_empty();
                view! {
                    <div class="container container--wide">
                        <h1>{t!(i18n, sharings.heading, office = move || office_name.clone())}</h1>
                        <p class="lead">{t!(i18n, sharings.lead)}</p>
                        <p role="status">{t!(i18n, sharings.found, total = move || total.clone())}</p>
                        {if empty {
                            view! { <p>{t!(i18n, sharings.empty)}</p> }.into_any()
                        } else {
                            view! {
                                <div class="table-wrapper" role="region" aria-label=caption.clone() tabindex="0">
                                    <table class="table">
                                        <caption class="visually-hidden">{caption.clone()}</caption>
                                        <thead>
                                            <tr>
                                                <th scope="col">{t!(i18n, sharings.col_person)}</th>
                                                <th scope="col">{t!(i18n, sharings.col_purpose)}</th>
                                                <th scope="col">{t!(i18n, sharings.col_data)}</th>
                                                <th scope="col">{t!(i18n, sharings.col_until)}</th>
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
                        <p><A href="/mitarbeitende/start">{t!(i18n, sharings.back_home)}</A></p>
                    </div>
                }
                .into_any()
            })
        />
    }
}

/// The data one person shared with the office for one purpose; reading it is logged.
#[component]
pub fn StaffSharedDataPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let key = move || {
        let query = query.read();
        (query.get("person").unwrap_or_default(), query.get("zweck").unwrap_or_default(), query.get("amt"))
    };
    let data = Resource::new(key, |(person, purpose, office)| shared_data(person, purpose, office));

    view! {
        <Title text=page_title(move || t_string!(i18n, sharings.data_title)) />
        <Guarded
            data=data
            sign_in_path="/mitarbeitende"
            render=Arc::new(move |view_of: SharedDataView| {
                let german = i18n.get_locale_untracked() == Locale::de;
                let sections =
                    data_sections(i18n, german, &view_of.data, &view_of.categories, &view_of.labels, "freigegebene-daten");
                view! {
                    <div class="container">
                        <A href=SHARINGS_PATH attr:class="back-link">{t!(i18n, sharings.back)}</A>
                        <h1>{t!(i18n, sharings.data_heading)}</h1>
                        <p class="lead">{view_of.purpose}</p>
                        {sections}
                    </div>
                }
                .into_any()
            })
        />
    }
}
