//! The audit of changes and the retention runs, as the administrators' page and the data
//! protection officer's page both show them.

use leptos::prelude::*;
use leptos_i18n::I18nContext;

use crate::{
    admin::{AuditEntry, RetentionReport},
    i18n::*,
    url::format_timestamp,
};

/// The audit of changes: when, who, what they did to which record, and the detail.
pub fn audit_section(i18n: I18nContext<Locale>, german: bool, audit: Vec<AuditEntry>) -> impl IntoView + use<> {
    let empty = audit.is_empty();
    let rows = audit
        .into_iter()
        .map(|entry| {
            view! {
                <tr>
                    <td>{format_timestamp(&entry.at, german)}</td>
                    <td>{entry.by}</td>
                    <td>{entry.action}<br /><span class="caption">{entry.target_kind} " " {entry.target}</span></td>
                    <td><code class="detail">{entry.detail}</code></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="aenderungen" class="case-section">
            <h2 id="aenderungen">{t!(i18n, admin.audit_heading)}</h2>
            {if empty {
                view! { <p>{t!(i18n, admin.audit_empty)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrapper" role="region" aria-labelledby="aenderungen" tabindex="0">
                        <table class="table">
                            <thead><tr>
                                <th scope="col">{t!(i18n, admin.when)}</th>
                                <th scope="col">{t!(i18n, admin.who)}</th>
                                <th scope="col">{t!(i18n, admin.what)}</th>
                                <th scope="col">{t!(i18n, admin.detail)}</th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
    }
}

/// The retention runs: when each ran, how many applications it removed and anonymized.
pub fn retention_section(i18n: I18nContext<Locale>, german: bool, runs: Vec<RetentionReport>) -> impl IntoView + use<> {
    let empty = runs.is_empty();
    let items = runs
        .into_iter()
        .map(|run| {
            let when = format_timestamp(&run.started_at, german);
            let (deleted, anonymized) = (run.deleted, run.anonymized);
            view! { <li>{when} ": " {t!(i18n, admin.retention_run, deleted, anonymized)}</li> }
        })
        .collect_view();
    view! {
        <section aria-labelledby="loeschlaeufe" class="case-section">
            <h2 id="loeschlaeufe">{t!(i18n, admin.retention_heading)}</h2>
            <p>{t!(i18n, admin.retention_lead)}</p>
            {if empty {
                view! { <p>{t!(i18n, admin.retention_none)}</p> }.into_any()
            } else {
                view! { <ul class="list">{items}</ul> }.into_any()
            }}
        </section>
    }
}
