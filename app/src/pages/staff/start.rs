//! The start pages of staff: caseworkers, the data protection officer, administrators. Each
//! asks a server function that admits only its role.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{
    api::staff_me,
    auth::{Me, MeKind, RoleView},
    components::{guarded::Guarded, page_title::page_title},
    i18n::*,
};

/// The roles of a staff member, in words.
#[component]
fn RoleList(me: Me) -> impl IntoView {
    let i18n = use_i18n();
    let MeKind::Staff { roles } = me.kind else { return ().into_any() };
    view! {
        <h2>{t!(i18n, staff.roles_heading)}</h2>
        <ul class="list">
            {roles
                .into_iter()
                .map(|role| match role {
                    RoleView::Caseworker { office_name, .. } => {
                        let office = move || match i18n.get_locale() {
                            Locale::de => office_name.de.clone(),
                            Locale::en => office_name.en.clone(),
                        };
                        view! { <li>{t!(i18n, staff.caseworker_in, office)}</li> }.into_any()
                    }
                    RoleView::DataProtectionOfficer => {
                        view! { <li><A href="/datenschutz/start">{t!(i18n, staff.data_protection_officer)}</A></li> }.into_any()
                    }
                    RoleView::Administrator => {
                        view! { <li><A href="/verwaltung/start">{t!(i18n, staff.administrator)}</A></li> }.into_any()
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

fn greeting(me: Me) -> AnyView {
    let i18n = use_i18n();
    let name = me.display_name.clone();
    let caseworker = matches!(&me.kind, MeKind::Staff { roles } if roles.iter().any(|role| matches!(role, RoleView::Caseworker { .. })));
    view! {
        <div class="container">
            <h1>{t!(i18n, staff.heading, name = move || name.clone())}</h1>
            {caseworker.then(|| view! {
                <ul class="list list--links">
                    <li><A href="/mitarbeitende/warteschlange">{t!(i18n, staff.queue_link)}</A></li>
                    <li><A href="/mitarbeitende/freigaben">{t!(i18n, staff.sharings_link)}</A></li>
                    <li><A href="/mitarbeitende/notzugriffe">{t!(i18n, staff.emergency_link)}</A></li>
                </ul>
            })}
            <RoleList me />
        </div>
    }
    .into_any()
}

#[component]
pub fn StaffHome() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| staff_me());
    view! {
        <Title text=page_title(move || t_string!(i18n, staff.page_title)) />
        <Guarded data=me sign_in_path="/mitarbeitende" render=Arc::new(greeting) />
    }
}
