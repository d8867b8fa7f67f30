//! The administrators' page: counts across the portal, offices, staff and their roles, data
//! categories, the audit of every change, and the retention runs. Plain forms that work
//! without JavaScript; nothing of any citizen.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    admin::{
        AdminOverview, CategoryView, FeedbackEntry, OFFICE_KINDS, OfficeView, PendingChange,
        RoleAssignment, StaffMemberView,
    },
    api::{
        ConfirmChange, CreateStaff, DeactivateStaff, RejectChange, SaveCategory, SaveOffice, SetStaffRoles,
        administration_overview,
    },
    components::{
        admin_form::{error_summary, refused},
        error_summary::Sent,
        guarded::Guarded,
        page_title::page_title,
        reviews::{audit_section, retention_section},
        status::staff_status_code,
        text_area::area_text,
    },
    i18n::*,
    url::format_timestamp,
};

/// What to fix in `field`, in plain words.
fn problem(i18n: I18nContext<Locale>, field: &str) -> &'static str {
    match field {
        "code" => t_string!(i18n, admin.problem_code),
        "name_de" | "name_en" | "display_name" => t_string!(i18n, admin.problem_name),
        "description_de" | "description_en" => t_string!(i18n, admin.problem_description),
        "kind" => t_string!(i18n, admin.problem_kind),
        "email" => t_string!(i18n, admin.problem_email),
        "subject" => t_string!(i18n, admin.problem_subject),
        "roles" => t_string!(i18n, admin.problem_roles),
        "confirmed" => t_string!(i18n, admin.problem_confirmed),
        "retention_days" => t_string!(i18n, admin.problem_retention),
        "staff" => t_string!(i18n, admin.problem_staff),
        "change" => t_string!(i18n, admin.problem_change),
        _ => t_string!(i18n, admin.problem_other),
    }
}

fn kind_name(i18n: I18nContext<Locale>, kind: &str) -> &'static str {
    match kind {
        "youth" => t_string!(i18n, admin.kind_youth),
        "social" => t_string!(i18n, admin.kind_social),
        _ => t_string!(i18n, admin.kind_housing),
    }
}

fn role_name(i18n: I18nContext<Locale>, role: &RoleAssignment, offices: &[OfficeView], german: bool) -> String {
    match role.role.as_str() {
        "caseworker" => {
            let office = role.office.as_deref().unwrap_or_default();
            let name = offices
                .iter()
                .find(|named| named.code == office)
                .map(|named| named.name.pick(german).to_owned())
                .unwrap_or_else(|| office.to_owned());
            format!("{} – {name}", t_string!(i18n, admin.role_caseworker))
        }
        "data_protection_officer" => t_string!(i18n, admin.role_dpo).to_owned(),
        _ => t_string!(i18n, admin.role_admin).to_owned(),
    }
}

/// The roles as checkboxes, `holds` ticked unless the form was `sent` otherwise; `prefix` keeps
/// the ids of several forms apart.
fn role_choices(
    i18n: I18nContext<Locale>,
    offices: &[OfficeView],
    german: bool,
    holds: &[RoleAssignment],
    prefix: &str,
    sent: &Sent,
) -> impl IntoView + use<> {
    let mut choices: Vec<RoleAssignment> = offices
        .iter()
        .filter(|office| office.active)
        .map(|office| RoleAssignment { role: "caseworker".to_owned(), office: Some(office.code.clone()) })
        .collect();
    choices.push(RoleAssignment { role: "data_protection_officer".to_owned(), office: None });
    choices.push(RoleAssignment { role: "administrator".to_owned(), office: None });
    choices
        .into_iter()
        .enumerate()
        .map(|(position, role)| {
            let id = format!("{prefix}-rolle-{position}");
            let label = role_name(i18n, &role, offices, german);
            let (name, value) = (format!("roles[{position}]"), role.form_value());
            let checked = sent.checked(&name, &value, holds.contains(&role));
            view! {
                <div class="choice">
                    <input type="checkbox" id=id.clone() name=name value=value checked=checked />
                    <label for=id>{label}</label>
                </div>
            }
        })
        .collect_view()
}

/// The form fields of an office, as `sent` if the form was refused; `code` is fixed once it
/// exists.
fn office_fields(i18n: I18nContext<Locale>, office: Option<&OfficeView>, prefix: &str, sent: &Sent) -> impl IntoView + use<> {
    let id = |field: &str| format!("{prefix}-{field}");
    let (code, name_de, name_en, kind, active) = match office {
        Some(office) => (office.code.clone(), office.name.de.clone(), office.name.en.clone(), office.kind.clone(), office.active),
        None => (String::new(), String::new(), String::new(), String::new(), true),
    };
    let (name_de, name_en) = (sent.text("name_de", name_de), sent.text("name_en", name_en));
    let active = sent.checked("active", "ja", active);
    let exists = office.is_some();
    let kinds = OFFICE_KINDS
        .iter()
        .map(|option| view! { <option value=*option selected=sent.selected("kind", option, kind == *option)>{kind_name(i18n, option)}</option> })
        .collect_view();
    view! {
        {if exists {
            view! { <input type="hidden" name="code" value=code /> }.into_any()
        } else {
            view! {
                <div class="form-group">
                    <label for=id("code")>{t!(i18n, admin.office_code)}</label>
                    <span class="hint" id=id("code-hinweis")>{t!(i18n, admin.office_code_hint)}</span>
                    <input type="text" class="input--short" id=id("code") name="code" value=sent.text("code", "") aria-describedby=id("code-hinweis") />
                </div>
            }
            .into_any()
        }}
        <div class="form-group">
            <label for=id("name-de")>{t!(i18n, admin.name_de)}</label>
            <input type="text" id=id("name-de") name="name_de" value=name_de />
        </div>
        <div class="form-group">
            <label for=id("name-en")>{t!(i18n, admin.name_en)}</label>
            <input type="text" id=id("name-en") name="name_en" value=name_en />
        </div>
        <div class="form-group">
            <label for=id("art")>{t!(i18n, admin.office_kind)}</label>
            {exists.then(|| view! { <span class="hint" id=id("art-hinweis")>{t!(i18n, admin.office_kind_hint)}</span> })}
            <select id=id("art") name="kind" aria-describedby=exists.then(|| id("art-hinweis"))>{kinds}</select>
        </div>
        <div class="choice">
            <input type="checkbox" id=id("aktiv") name="active" value="ja" checked=active />
            <label for=id("aktiv")>{t!(i18n, admin.office_active)}</label>
        </div>
    }
}

fn offices_section(i18n: I18nContext<Locale>, german: bool, offices: &[OfficeView], save: ServerAction<SaveOffice>) -> impl IntoView + use<> {
    let sent = Sent::to::<SaveOffice>();
    let rows = offices
        .iter()
        .map(|office| {
            let name = office.name.pick(german).to_owned();
            let fields = office_fields(i18n, Some(office), &format!("amt-{}", office.code), &sent.for_item("code", &office.code));
            view! {
                <tr>
                    <td>{name.clone()}<br /><span class="caption">{office.code.clone()}</span></td>
                    <td>{kind_name(i18n, &office.kind)}</td>
                    <td>{if office.active { t_string!(i18n, admin.yes) } else { t_string!(i18n, admin.no) }}</td>
                    <td class="numeric">{office.caseworkers}</td>
                    <td>
                        <details>
                            <summary>{t!(i18n, admin.change)}<span class="visually-hidden">" " {name}</span></summary>
                            <ActionForm action=save>
                                {fields}
                                <button type="submit" class="button">{t!(i18n, admin.save)}</button>
                            </ActionForm>
                        </details>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let new_office =
        office_fields(i18n, None, "neues-amt", &sent.for_none_of("code", offices.iter().map(|office| office.code.as_str())));
    view! {
        <section aria-labelledby="aemter" class="case-section">
            <h2 id="aemter">{t!(i18n, admin.offices_heading)}</h2>
            <div class="table-wrapper" role="region" aria-labelledby="aemter" tabindex="0">
                <table class="table">
                    <thead><tr>
                        <th scope="col">{t!(i18n, admin.office)}</th>
                        <th scope="col">{t!(i18n, admin.office_kind)}</th>
                        <th scope="col">{t!(i18n, admin.office_active)}</th>
                        <th scope="col">{t!(i18n, admin.caseworkers)}</th>
                        <th scope="col"><span class="visually-hidden">{t!(i18n, admin.change)}</span></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <details>
                <summary>{t!(i18n, admin.new_office)}</summary>
                <ActionForm action=save>
                    {new_office}
                    <button type="submit" class="button">{t!(i18n, admin.create)}</button>
                </ActionForm>
            </details>
        </section>
    }
}

#[derive(Clone, Copy)]
struct StaffActions {
    create: ServerAction<CreateStaff>,
    roles: ServerAction<SetStaffRoles>,
    deactivate: ServerAction<DeactivateStaff>,
}

#[derive(Clone, Copy)]
struct ChangeActions {
    confirm: ServerAction<ConfirmChange>,
    reject: ServerAction<RejectChange>,
}

/// The changes waiting for a second administrator, each with what it changes, who asked and
/// when; confirm (not one's own) or reject (withdraw one's own).
fn pending_section(
    i18n: I18nContext<Locale>,
    german: bool,
    pending: Vec<PendingChange>,
    offices: &[OfficeView],
    actions: ChangeActions,
) -> impl IntoView + use<> {
    let rows = pending
        .into_iter()
        .map(|change| {
            let what = match (&change.role, &change.new_kind) {
                (Some(role), _) => format!("{}: {}", change.staff_name.clone().unwrap_or_default(), role_name(i18n, role, offices, german)),
                (None, Some(new_kind)) => {
                    let office = change.office.clone().unwrap_or_default();
                    let name = offices
                        .iter()
                        .find(|named| named.code == office)
                        .map(|named| named.name.pick(german).to_owned())
                        .unwrap_or(office);
                    let old_kind = change.old_kind.as_deref().map(|kind| kind_name(i18n, kind)).unwrap_or_default();
                    format!("{name}: {old_kind} → {}", kind_name(i18n, new_kind))
                }
                (None, None) => String::new(),
            };
            let (confirm_id, reject_id) = (change.id.clone(), change.id.clone());
            let confirm = (!change.requested_by_me).then(|| view! {
                <ActionForm action=actions.confirm attr:class="inline-form">
                    <input type="hidden" name="change" value=confirm_id />
                    <button type="submit" class="button button--small">{t!(i18n, admin.confirm_change)}</button>
                </ActionForm>
            });
            let mine = change.requested_by_me.then(|| view! { <p class="hint">{t!(i18n, admin.waits_for_second)}</p> });
            let reject_label = if change.requested_by_me {
                t_string!(i18n, admin.withdraw_change)
            } else {
                t_string!(i18n, admin.reject_change)
            };
            view! {
                <tr>
                    <td>{what}</td>
                    <td>{change.requested_by.clone()}<br /><span class="caption">{format_timestamp(&change.requested_at, german)}</span></td>
                    <td>
                        {mine}
                        {confirm}
                        <ActionForm action=actions.reject attr:class="inline-form">
                            <input type="hidden" name="change" value=reject_id />
                            <button type="submit" class="button button--small button--secondary">{reject_label}</button>
                        </ActionForm>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="wartend" class="case-section">
            <h2 id="wartend">{t!(i18n, admin.pending_heading)}</h2>
            <p>{t!(i18n, admin.pending_lead)}</p>
            <div class="table-wrapper" role="region" aria-labelledby="wartend" tabindex="0">
                <table class="table">
                    <thead><tr>
                        <th scope="col">{t!(i18n, admin.pending_what)}</th>
                        <th scope="col">{t!(i18n, admin.pending_asked_by)}</th>
                        <th scope="col"><span class="visually-hidden">{t!(i18n, admin.change)}</span></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

fn staff_section(
    i18n: I18nContext<Locale>,
    german: bool,
    staff: Vec<StaffMemberView>,
    offices: &[OfficeView],
    actions: StaffActions,
) -> impl IntoView + use<> {
    let (changing, deactivating, creating) = (Sent::to::<SetStaffRoles>(), Sent::to::<DeactivateStaff>(), Sent::to::<CreateStaff>());
    let rows = staff
        .into_iter()
        .map(|member| {
            let roles = member.roles.iter().map(|role| role_name(i18n, role, offices, german)).collect::<Vec<_>>().join(", ");
            let prefix = format!("person-{}", member.id);
            let (roles_id, deactivate_id) = (member.id.clone(), member.id.clone());
            let confirm_id = format!("{prefix}-bestaetigt");
            let name = member.display_name.clone();
            let choices = role_choices(i18n, offices, german, &member.roles, &prefix, &changing.for_item("staff", &member.id));
            let confirmed = deactivating.for_item("staff", &member.id).checked("confirmed", "ja", false);
            view! {
                <tr>
                    <td>{member.display_name.clone()}<br /><span class="caption">{member.email.clone()}</span></td>
                    <td>{roles}</td>
                    <td>{if member.active { t_string!(i18n, admin.active) } else { t_string!(i18n, admin.deactivated) }}</td>
                    <td>
                        {member.active.then(|| view! {
                            <details>
                                <summary>{t!(i18n, admin.change)}<span class="visually-hidden">" " {name.clone()}</span></summary>
                                <ActionForm action=actions.roles>
                                    <input type="hidden" name="staff" value=roles_id />
                                    <fieldset class="form-group">
                                        <legend>{t!(i18n, admin.roles)}</legend>
                                        <p class="hint">{t!(i18n, admin.roles_hint)}</p>
                                        <div class="choices">{choices}</div>
                                    </fieldset>
                                    <button type="submit" class="button">{t!(i18n, admin.save_roles)}</button>
                                </ActionForm>
                                <ActionForm action=actions.deactivate>
                                    <input type="hidden" name="staff" value=deactivate_id />
                                    <div class="choice">
                                        <input type="checkbox" id=confirm_id.clone() name="confirmed" value="ja" checked=confirmed />
                                        <label for=confirm_id>{t!(i18n, admin.deactivate_confirm)}</label>
                                    </div>
                                    <button type="submit" class="button button--danger">{t!(i18n, admin.deactivate)}</button>
                                </ActionForm>
                            </details>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let new_choices = role_choices(i18n, offices, german, &[], "neu", &creating);
    view! {
        <section aria-labelledby="mitarbeitende" class="case-section">
            <h2 id="mitarbeitende">{t!(i18n, admin.staff_heading)}</h2>
            <div class="table-wrapper" role="region" aria-labelledby="mitarbeitende" tabindex="0">
                <table class="table">
                    <thead><tr>
                        <th scope="col">{t!(i18n, admin.person)}</th>
                        <th scope="col">{t!(i18n, admin.roles)}</th>
                        <th scope="col">{t!(i18n, admin.state)}</th>
                        <th scope="col"><span class="visually-hidden">{t!(i18n, admin.change)}</span></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <details>
                <summary>{t!(i18n, admin.new_staff)}</summary>
                <p>{t!(i18n, admin.new_staff_lead)}</p>
                <ActionForm action=actions.create>
                    <div class="form-group">
                        <label for="neu-name">{t!(i18n, admin.display_name)}</label>
                        <input type="text" id="neu-name" name="display_name" value=creating.text("display_name", "") autocomplete="off" />
                    </div>
                    <div class="form-group">
                        <label for="neu-email">{t!(i18n, admin.email)}</label>
                        <input type="email" id="neu-email" name="email" value=creating.text("email", "") autocomplete="off" />
                    </div>
                    <div class="form-group">
                        <label for="neu-subject">{t!(i18n, admin.subject)}</label>
                        <span class="hint" id="neu-subject-hinweis">{t!(i18n, admin.subject_hint)}</span>
                        <input type="text" id="neu-subject" name="subject" value=creating.text("subject", "") aria-describedby="neu-subject-hinweis" autocomplete="off" />
                    </div>
                    <fieldset class="form-group">
                        <legend>{t!(i18n, admin.roles)}</legend>
                        <p class="hint">{t!(i18n, admin.roles_hint)}</p>
                        <div class="choices">{new_choices}</div>
                    </fieldset>
                    <button type="submit" class="button">{t!(i18n, admin.create)}</button>
                </ActionForm>
            </details>
        </section>
    }
}

fn category_form(i18n: I18nContext<Locale>, category: CategoryView, save: ServerAction<SaveCategory>) -> impl IntoView + use<> {
    let prefix = format!("kategorie-{}", category.code);
    let id = move |field: &str| format!("{prefix}-{field}");
    let sent = Sent::to::<SaveCategory>().for_item("code", &category.code);
    let (name_de, name_en) = (sent.text("name_de", &category.name.de), sent.text("name_en", &category.name.en));
    let (text_de, text_en) = (sent.text("description_de", &category.description.de), sent.text("description_en", &category.description.en));
    let special = sent.checked("special_category", "ja", category.special_category);
    let days = sent.text("retention_days", category.retention_days.to_string());
    view! {
        <ActionForm action=save>
            <input type="hidden" name="code" value=category.code.clone() />
            <div class="form-group">
                <label for=id("name-de")>{t!(i18n, admin.name_de)}</label>
                <input type="text" id=id("name-de") name="name_de" value=name_de />
            </div>
            <div class="form-group">
                <label for=id("name-en")>{t!(i18n, admin.name_en)}</label>
                <input type="text" id=id("name-en") name="name_en" value=name_en />
            </div>
            <div class="form-group">
                <label for=id("text-de")>{t!(i18n, admin.description_de)}</label>
                <textarea id=id("text-de") name="description_de" rows="3">{area_text(text_de)}</textarea>
            </div>
            <div class="form-group">
                <label for=id("text-en")>{t!(i18n, admin.description_en)}</label>
                <textarea id=id("text-en") name="description_en" rows="3">{area_text(text_en)}</textarea>
            </div>
            <div class="choice">
                <input type="checkbox" id=id("art9") name="special_category" value="ja" checked=special />
                <label for=id("art9")>{t!(i18n, admin.special_category)}</label>
            </div>
            <div class="form-group">
                <label for=id("tage")>{t!(i18n, admin.retention_days)}</label>
                <span class="hint" id=id("tage-hinweis")>{t!(i18n, admin.retention_hint)}</span>
                <input type="text" inputmode="numeric" class="input--short" id=id("tage") name="retention_days"
                    value=days aria-describedby=id("tage-hinweis") />
            </div>
            <button type="submit" class="button">{t!(i18n, admin.save)}</button>
        </ActionForm>
    }
}

fn categories_section(i18n: I18nContext<Locale>, german: bool, categories: &[CategoryView], save: ServerAction<SaveCategory>) -> impl IntoView + use<> {
    let rows = categories
        .iter()
        .map(|category| {
            let name = category.name.pick(german).to_owned();
            let description = category.description.pick(german).to_owned();
            view! {
                <tr>
                    <td>{name.clone()}<br /><span class="caption">{description}</span></td>
                    <td>{if category.special_category { t_string!(i18n, admin.yes) } else { t_string!(i18n, admin.no) }}</td>
                    <td class="numeric">{category.retention_days}</td>
                    <td>
                        <details>
                            <summary>{t!(i18n, admin.change)}<span class="visually-hidden">" " {name}</span></summary>
                            {category_form(i18n, category.clone(), save)}
                        </details>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="kategorien" class="case-section">
            <h2 id="kategorien">{t!(i18n, admin.categories_heading)}</h2>
            <div class="table-wrapper" role="region" aria-labelledby="kategorien" tabindex="0">
                <table class="table">
                    <thead><tr>
                        <th scope="col">{t!(i18n, admin.category)}</th>
                        <th scope="col">{t!(i18n, admin.special_category_short)}</th>
                        <th scope="col">{t!(i18n, admin.retention_days)}</th>
                        <th scope="col"><span class="visually-hidden">{t!(i18n, admin.change)}</span></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

/// What people reported about barriers, newest first, with how to answer where they said.
fn feedback_section(i18n: I18nContext<Locale>, german: bool, feedback: Vec<FeedbackEntry>) -> impl IntoView + use<> {
    let empty = feedback.is_empty();
    let items = feedback
        .into_iter()
        .map(|entry| {
            let when = format_timestamp(&entry.received_at, german);
            let page = (!entry.page.is_empty()).then(|| {
                let page = entry.page.clone();
                view! { <p class="caption">{t!(i18n, admin.feedback_page)} ": " {page}</p> }
            });
            let contact = match entry.contact {
                Some(contact) => view! { <p>{t!(i18n, admin.feedback_contact)} ": " {contact}</p> }.into_any(),
                None => view! { <p class="caption">{t!(i18n, admin.feedback_anonymous)}</p> }.into_any(),
            };
            view! {
                <li class="feedback">
                    <p class="caption">{when}</p>
                    {page}
                    <p lang=entry.language class="feedback__message">{entry.message}</p>
                    {contact}
                </li>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="rueckmeldungen" class="case-section">
            <h2 id="rueckmeldungen">{t!(i18n, admin.feedback_heading)}</h2>
            <p>{t!(i18n, admin.feedback_lead)}</p>
            {if empty {
                view! { <p>{t!(i18n, admin.feedback_none)}</p> }.into_any()
            } else {
                view! { <ul class="list">{items}</ul> }.into_any()
            }}
        </section>
    }
}

fn counts_section(i18n: I18nContext<Locale>, german: bool, overview: &AdminOverview) -> impl IntoView + use<> {
    let rows = overview
        .counts
        .applications
        .iter()
        .map(|(office, status, count)| {
            let office = overview
                .offices
                .iter()
                .find(|named| named.code == *office)
                .map(|named| named.name.pick(german).to_owned())
                .unwrap_or_else(|| office.clone());
            view! { <tr><td>{office}</td><td>{staff_status_code(i18n, status)}</td><td class="numeric">{*count}</td></tr> }
        })
        .collect_view();
    let citizens = overview.counts.citizens;
    view! {
        <section aria-labelledby="zahlen" class="case-section">
            <h2 id="zahlen">{t!(i18n, admin.counts_heading)}</h2>
            <p>{t!(i18n, admin.counts_lead, citizens)}</p>
            <div class="table-wrapper" role="region" aria-labelledby="zahlen" tabindex="0">
                <table class="table">
                    <thead><tr>
                        <th scope="col">{t!(i18n, admin.office)}</th>
                        <th scope="col">{t!(i18n, admin.status)}</th>
                        <th scope="col">{t!(i18n, admin.applications)}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
pub fn AdministrationHome() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let save_office = ServerAction::<SaveOffice>::new();
    let create = ServerAction::<CreateStaff>::new();
    let roles = ServerAction::<SetStaffRoles>::new();
    let deactivate = ServerAction::<DeactivateStaff>::new();
    let save_category = ServerAction::<SaveCategory>::new();
    let confirm = ServerAction::<ConfirmChange>::new();
    let reject = ServerAction::<RejectChange>::new();
    let key = move || {
        let versions = (
            save_office.version().get(),
            create.version().get(),
            roles.version().get(),
            deactivate.version().get(),
            save_category.version().get(),
            confirm.version().get(),
            reject.version().get(),
        );
        (query.read().get("erledigt"), versions)
    };
    let data = Resource::new(key, |_| administration_overview());
    let failed = move || {
        [
            save_office.value().with(|value| refused(value.as_ref())),
            create.value().with(|value| refused(value.as_ref())),
            roles.value().with(|value| refused(value.as_ref())),
            deactivate.value().with(|value| refused(value.as_ref())),
            save_category.value().with(|value| refused(value.as_ref())),
            confirm.value().with(|value| refused(value.as_ref())),
            reject.value().with(|value| refused(value.as_ref())),
        ]
        .into_iter()
        .flatten()
        .next()
    };

    view! {
        <Title text=page_title(move || t_string!(i18n, staff.admin_page_title)) />
        <Guarded
            data=data
            sign_in_path="/verwaltung"
            render=Arc::new(move |overview: AdminOverview| {
                let german = i18n.get_locale_untracked() == Locale::de;
                let done = query.read_untracked().get("erledigt").and_then(|done| match done.as_str() {
                    "amt" => Some(t_string!(i18n, admin.done_office)),
                    "angelegt" => Some(t_string!(i18n, admin.done_created)),
                    "rollen" => Some(t_string!(i18n, admin.done_roles)),
                    "deaktiviert" => Some(t_string!(i18n, admin.done_deactivated)),
                    "kategorie" => Some(t_string!(i18n, admin.done_category)),
                    "bestaetigt" => Some(t_string!(i18n, admin.done_confirmed)),
                    "abgelehnt" => Some(t_string!(i18n, admin.done_rejected)),
                    _ => None,
                });
                let staff_actions = StaffActions { create, roles, deactivate };
                let counts = counts_section(i18n, german, &overview);
                let offices = offices_section(i18n, german, &overview.offices, save_office);
                let staff = staff_section(i18n, german, overview.staff.clone(), &overview.offices, staff_actions);
                let categories = categories_section(i18n, german, &overview.categories, save_category);
                let has_pending = !overview.pending.is_empty();
                let pending = has_pending.then(|| {
                    pending_section(i18n, german, overview.pending.clone(), &overview.offices, ChangeActions { confirm, reject })
                });
                view! {
                    <div class="container container--wide">
                        {done.map(|text| view! { <div class="notice" role="status"><p>{text}</p></div> })}
                        {move || failed().map(|field| error_summary(i18n, problem(i18n, &field)))}
                        <h1>{t!(i18n, staff.admin_heading)}</h1>
                        <p class="lead">{t!(i18n, admin.lead)}</p>
                        <nav aria-label=t_string!(i18n, admin.contents)>
                            <ul class="list list--links">
                                {has_pending.then(|| view! { <li><a href="#wartend">{t!(i18n, admin.pending_heading)}</a></li> })}
                                <li><a href="#zahlen">{t!(i18n, admin.counts_heading)}</a></li>
                                <li><a href="#aemter">{t!(i18n, admin.offices_heading)}</a></li>
                                <li><a href="#mitarbeitende">{t!(i18n, admin.staff_heading)}</a></li>
                                <li><a href="#kategorien">{t!(i18n, admin.categories_heading)}</a></li>
                                <li><a href=crate::api::TEMPLATES_PATH>{t!(i18n, admin.templates_link)}</a></li>
                                <li><a href=crate::api::BENEFITS_PATH>{t!(i18n, admin.benefits_link)}</a></li>
                                <li><a href="#aenderungen">{t!(i18n, admin.audit_heading)}</a></li>
                                <li><a href="#loeschlaeufe">{t!(i18n, admin.retention_heading)}</a></li>
                                <li><a href="#rueckmeldungen">{t!(i18n, admin.feedback_heading)}</a></li>
                            </ul>
                        </nav>
                        {pending}
                        {counts}
                        {offices}
                        {staff}
                        {categories}
                        {audit_section(i18n, german, overview.audit)}
                        {retention_section(i18n, german, overview.retention_runs)}
                        {feedback_section(i18n, german, overview.feedback)}
                    </div>
                }
                .into_any()
            })
        />
    }
}
