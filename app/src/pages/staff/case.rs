//! A case as the caseworker works it: the applicant's data and the answers through the gate
//! (only what the office may see, nothing that hints at more), the documents, messages, notes
//! and history; and every action on one page, each confirmed by the server's answer: take or
//! assign, ask for documents, write, note, decide (with a confirmation), withdraw a decision
//! until the case is closed, close it, protection flags, and — for the youth office — an
//! emergency access (§ 8a SGB VIII).

use std::sync::Arc;

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

use crate::{
    api::{
        AddCaseNote, AssignCase, CancelDocumentRequest, CloseCase, DecideCase, LiftProtectionFlag, MessageCitizen,
        OpenEmergency, ReopenCase, RequestDocument, SetProtectionFlag, open_case_file,
    },
    auth::ApiError,
    case::{CaseFile, PROTECTION_FLAG_KINDS},
    components::{
        data_view::data_sections,
        error_summary::Sent,
        guarded::Guarded,
        page_title::page_title,
        status::{flag_kind_text, staff_status, staff_status_code},
        text_area::area_text,
    },
    correspondence::{DocumentView, HistoryEntry, MessageView},
    i18n::*,
    pages::staff::queue::QUEUE_PATH,
    status::ApplicationStatus,
    url::{encode_component, format_timestamp},
};

/// The field a failed action names, if it failed for an input.
fn refused_field<T: Send + Sync + 'static>(value: Option<&Result<T, ApiError>>) -> Option<String> {
    match value {
        Some(Err(ApiError::Invalid { field, .. })) => Some(field.clone()),
        _ => None,
    }
}

/// What to fix in `field`, in plain words.
fn field_problem(i18n: I18nContext<Locale>, field: &str) -> &'static str {
    match field {
        "description" => t_string!(i18n, case.problem_description),
        "body" => t_string!(i18n, case.problem_body),
        "reason" => t_string!(i18n, case.problem_reason),
        "outcome" => t_string!(i18n, case.problem_outcome),
        "confirmed" => t_string!(i18n, case.problem_confirmed),
        "assignee" => t_string!(i18n, case.problem_assignee),
        "categories" => t_string!(i18n, case.problem_categories),
        "hours" => t_string!(i18n, case.problem_hours),
        "kind" => t_string!(i18n, case.problem_kind),
        _ => t_string!(i18n, case.problem_state),
    }
}

/// The error message of a form's field, shown once the server refused it.
macro_rules! field_error {
    ($i18n:expr, $action:expr, $field:expr, $id:expr) => {{
        let (i18n, action, field, id) = ($i18n, $action, $field, $id);
        move || {
            action.value().with(|value| refused_field(value.as_ref())).filter(|refused| refused == field).map(|_| {
                view! { <span class="error-message" id=id.clone() role="alert">{field_problem(i18n, field)}</span> }
            })
        }
    }};
}

fn document_item(i18n: I18nContext<Locale>, german: bool, document: DocumentView) -> impl IntoView + use<> {
    let href = format!("/api/mitarbeitende/dokument?document={}", encode_component(&document.id));
    let when = format_timestamp(&document.uploaded_at, german);
    view! {
        <li>
            // A download, not a page of the app: the router must leave it to the browser.
            <a href=href download=document.file_name.clone() rel="external">{document.file_name.clone()}</a>
            " " <span class="hint hint--inline">{t!(i18n, case.uploaded_at, when = move || when.clone())}</span>
        </li>
    }
}

fn message_item(i18n: I18nContext<Locale>, german: bool, applicant: &str, message: MessageView) -> impl IntoView + use<> {
    let when = format_timestamp(&message.sent_at, german);
    let sender = match (message.from_office, message.sender) {
        (true, Some(name)) => name,
        (true, None) => t_string!(i18n, case.the_office).to_owned(),
        (false, _) if applicant.is_empty() => t_string!(i18n, case.applicant).to_owned(),
        (false, _) => applicant.to_owned(),
    };
    let class = if message.from_office { "message message--office" } else { "message message--citizen" };
    view! {
        <li class=class>
            <p class="message__meta"><strong>{sender}</strong> " · " {when}</p>
            <p class="message__body">{message.body}</p>
        </li>
    }
}

fn history_item(i18n: I18nContext<Locale>, german: bool, entry: HistoryEntry) -> impl IntoView + use<> {
    let when = format_timestamp(&entry.occurred_at, german);
    let detail = entry.detail.clone().unwrap_or_default();
    let what = match entry.kind.as_str() {
        "created" => t_string!(i18n, case.event_created).to_owned(),
        "submitted" => t_string!(i18n, case.event_submitted).to_owned(),
        "assigned" if detail.is_empty() => t_string!(i18n, case.event_unassigned).to_owned(),
        "assigned" => format!("{} {detail}", t_string!(i18n, case.event_assigned)),
        "status_changed" => format!("{} {}", t_string!(i18n, case.event_status), staff_status_code(i18n, &detail)),
        "document_uploaded" => format!("{} {detail}", t_string!(i18n, case.event_document)),
        "document_requested" => format!("{} {detail}", t_string!(i18n, case.event_requested)),
        "request_cancelled" => t_string!(i18n, case.event_request_cancelled).to_owned(),
        "terms_accepted" => format!("{} {detail}", t_string!(i18n, case.event_terms)),
        "decided" => format!("{} {}", t_string!(i18n, case.event_decided), staff_status_code(i18n, &detail)),
        "decision_withdrawn" => format!("{} {detail}", t_string!(i18n, case.event_withdrawn)),
        "closed" => t_string!(i18n, case.event_closed).to_owned(),
        _ => entry.kind.clone(),
    };
    view! { <li><span class="history__when">{when}</span> " " {what}</li> }
}

fn done_text(i18n: I18nContext<Locale>, done: &str) -> Option<&'static str> {
    Some(match done {
        "zugewiesen" => t_string!(i18n, case.done_assigned),
        "angefordert" => t_string!(i18n, case.done_requested),
        "zurueckgenommen" => t_string!(i18n, case.done_cancelled),
        "gesendet" => t_string!(i18n, case.done_sent),
        "notiert" => t_string!(i18n, case.done_noted),
        "entschieden" => t_string!(i18n, case.done_decided),
        "aufgehoben" => t_string!(i18n, case.done_reopened),
        "abgeschlossen" => t_string!(i18n, case.done_closed),
        "schutzvermerk" => t_string!(i18n, case.done_flag_set),
        "vermerk-aufgehoben" => t_string!(i18n, case.done_flag_lifted),
        _ => return None,
    })
}

#[component]
pub fn StaffCasePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let assign = ServerAction::<AssignCase>::new();
    let request = ServerAction::<RequestDocument>::new();
    let cancel = ServerAction::<CancelDocumentRequest>::new();
    let message = ServerAction::<MessageCitizen>::new();
    let note = ServerAction::<AddCaseNote>::new();
    let decide = ServerAction::<DecideCase>::new();
    let reopen = ServerAction::<ReopenCase>::new();
    let close = ServerAction::<CloseCase>::new();
    let set_flag = ServerAction::<SetProtectionFlag>::new();
    let lift_flag = ServerAction::<LiftProtectionFlag>::new();
    let emergency = ServerAction::<OpenEmergency>::new();
    // Read again after every action (a repeated action may not change the address).
    let versions = move || {
        [
            assign.version().get(),
            request.version().get(),
            cancel.version().get(),
            message.version().get(),
            note.version().get(),
            decide.version().get(),
            reopen.version().get(),
            close.version().get(),
            set_flag.version().get(),
            lift_flag.version().get(),
        ]
    };
    let key = move || (params.read().get("id").unwrap_or_default(), query.read().get("erledigt"), versions());
    let data = Resource::new(key, |(id, _, _)| open_case_file(id));

    view! {
        <Title text=page_title(move || t_string!(i18n, case.title)) />
        <Guarded
            data=data
            sign_in_path="/mitarbeitende"
            render=Arc::new(move |file: CaseFile| {
                let german = i18n.get_locale_untracked() == Locale::de;
                // Copy, so every form below can name the case.
                let id = StoredValue::new(file.case.application.clone());
                let benefit = file.benefit.name.pick(german).to_owned();
                let office = file.office.name.pick(german).to_owned();
                let reference = file.case.reference.clone();
                let heading = format!("{reference} – {benefit}");
                let done = query.read_untracked().get("erledigt").and_then(|done| done_text(i18n, &done));
                let status = staff_status(i18n, file.case.status);
                let submitted = file.submitted_at.as_deref().map(|at| format_timestamp(at, german)).unwrap_or_default();
                let assigned = match (&file.assigned_to, file.assigned_to_me) {
                    (_, true) => t_string!(i18n, queue.assigned_me).to_owned(),
                    (Some(name), false) => name.clone(),
                    (None, false) => t_string!(i18n, queue.assigned_nobody).to_owned(),
                };
                let (is_open, is_decided, is_closed) = (file.is_open(), file.is_decided(), file.case.status == ApplicationStatus::Closed);
                let applicant_name = file.applicant.name.clone();
                let assigning = Sent::to::<AssignCase>();
                let colleagues = file
                    .colleagues
                    .iter()
                    .map(|colleague| {
                        let name = if colleague.is_me {
                            format!("{} ({})", colleague.name, t_string!(i18n, case.me))
                        } else {
                            colleague.name.clone()
                        };
                        let chosen = assigning.selected("assignee", &colleague.id, false);
                        view! { <option value=colleague.id.clone() selected=chosen>{name}</option> }
                    })
                    .collect_view();
                let take = (!file.assigned_to_me && !is_closed).then(|| view! {
                    <ActionForm action=assign>
                        <input type="hidden" name="application" value=id.get_value() />
                        <input type="hidden" name="assignee" value="ich" />
                        <button type="submit" class="button">{t!(i18n, case.take)}</button>
                    </ActionForm>
                });
                let lifting = Sent::to::<LiftProtectionFlag>();
                let flags = file
                    .protection_flags
                    .iter()
                    .cloned()
                    .map(|flag| {
                        let since = format_timestamp(&flag.set_at, german);
                        let reason_id = format!("aufheben-{}", flag.id);
                        let sent = lifting.for_item("flag", &flag.id);
                        let reason = sent.text("reason", "");
                        // The refusal shows beside the flag whose form was sent (beside each when
                        // the server no longer knows which).
                        let sent_here = !lifting.is_known() || sent.is_known();
                        view! {
                            <div class="notice notice--warning" role="note">
                                <h3>{t!(i18n, case.flag_heading)} ": " {flag_kind_text(i18n, &flag.kind)}</h3>
                                <p>{flag.reason.clone()}</p>
                                <p class="hint">{t!(i18n, case.flag_since, since = move || since.clone())}</p>
                                <details>
                                    <summary>{t!(i18n, case.flag_lift)}</summary>
                                    <ActionForm action=lift_flag>
                                        <input type="hidden" name="application" value=id.get_value() />
                                        <input type="hidden" name="flag" value=flag.id.clone() />
                                        <div class="form-group">
                                            <label for=reason_id.clone()>{t!(i18n, case.reason_label)}</label>
                                            {sent_here.then(|| field_error!(i18n, lift_flag, "reason", format!("{reason_id}-fehler")))}
                                            <textarea id=reason_id name="reason" rows="3">{area_text(reason)}</textarea>
                                        </div>
                                        <button type="submit" class="button button--secondary">{t!(i18n, case.flag_lift_button)}</button>
                                    </ActionForm>
                                </details>
                            </div>
                        }
                    })
                    .collect_view();
                let flagging = Sent::to::<SetProtectionFlag>();
                let flag_options = PROTECTION_FLAG_KINDS
                    .into_iter()
                    .map(|kind| view! { <option value=kind selected=flagging.selected("kind", kind, false)>{flag_kind_text(i18n, kind)}</option> })
                    .collect_view();
                let has_data = !file.case.data.is_empty();
                let data_view = data_sections(i18n, german, &file.case.data, &file.categories, &file.labels, "daten");
                let answers_view = data_sections(i18n, german, &file.case.answers, &file.categories, &file.labels, "antwort");
                let requests = file
                    .requests
                    .iter()
                    .map(|open| {
                        let since = format_timestamp(&open.since, german);
                        let state = match open.status.as_str() {
                            "open" => t_string!(i18n, case.request_open),
                            "fulfilled" => t_string!(i18n, case.request_fulfilled),
                            _ => t_string!(i18n, case.request_cancelled),
                        };
                        let request_id = open.id.clone();
                        let cancel_button = (open.status == "open" && is_open).then(|| view! {
                            <ActionForm action=cancel attr:class="inline-form">
                                <input type="hidden" name="application" value=id.get_value() />
                                <input type="hidden" name="request" value=request_id />
                                <button type="submit" class="button button--small button--secondary">{t!(i18n, case.request_cancel)}</button>
                            </ActionForm>
                        });
                        view! {
                            <li>
                                <strong>{open.description.clone()}</strong> " · " {state} " · "
                                <span class="hint hint--inline">{t!(i18n, case.request_since, since = move || since.clone())}</span>
                                {cancel_button}
                            </li>
                        }
                    })
                    .collect_view();
                let documents = file.documents.iter().cloned().map(|document| document_item(i18n, german, document)).collect_view();
                let no_documents = file.documents.is_empty();
                let messages = file
                    .messages
                    .iter()
                    .cloned()
                    .map(|shown| message_item(i18n, german, &applicant_name, shown))
                    .collect_view();
                let notes = file
                    .notes
                    .iter()
                    .cloned()
                    .map(|shown| {
                        let when = format_timestamp(&shown.created_at, german);
                        view! { <li><p class="message__meta"><strong>{shown.author}</strong> " · " {when}</p><p>{shown.body}</p></li> }
                    })
                    .collect_view();
                let history = file.history.iter().cloned().map(|entry| history_item(i18n, german, entry)).collect_view();
                let decision = file.decision_reason.clone().map(|reason| {
                    let decided = file.decided_at.as_deref().map(|at| format_timestamp(at, german)).unwrap_or_default();
                    view! {
                        <div class="notice" role="note">
                            <h3>{status} " · " {decided}</h3>
                            <p>{reason}</p>
                        </div>
                    }
                });
                let emergency_form = (!file.emergency_people.is_empty() && !is_closed).then(|| {
                    let opening = Sent::to::<OpenEmergency>();
                    // The child by name; the parents by their place (the office reads no name of theirs here).
                    let mut parents = 0;
                    let people = file
                        .emergency_people
                        .iter()
                        .map(|person| {
                            let text = match (person.is_applicant, person.name.is_empty()) {
                                (false, _) => {
                                    parents += 1;
                                    let number = parents.to_string();
                                    view! { {t!(i18n, case.emergency_parent, number = move || number.clone())} }.into_any()
                                }
                                (true, true) => t_string!(i18n, case.emergency_child).into_any(),
                                (true, false) => format!("{} ({})", person.name, t_string!(i18n, case.emergency_child)).into_any(),
                            };
                            view! { <option value=person.id.clone() selected=opening.selected("person", &person.id, false)>{text}</option> }
                        })
                        .collect_view();
                    let choices = file
                        .categories
                        .iter()
                        .enumerate()
                        .map(|(position, category)| {
                            let choice_id = format!("notfall-kategorie-{}", category.code);
                            let name = category.name.pick(german).to_owned();
                            let field = format!("categories[{position}]");
                            let chosen = opening.checked(&field, &category.code, false);
                            view! {
                                <div class="choice">
                                    <input type="checkbox" id=choice_id.clone() name=field value=category.code.clone() checked=chosen />
                                    <label for=choice_id>{name}</label>
                                </div>
                            }
                        })
                        .collect_view();
                    view! {
                        <section class="case-section" aria-labelledby="notfall">
                            <h2 id="notfall">{t!(i18n, case.emergency_heading)}</h2>
                            <p>{t!(i18n, case.emergency_lead)}</p>
                            <details>
                                <summary>{t!(i18n, case.emergency_open)}</summary>
                                <ActionForm action=emergency>
                                    <input type="hidden" name="application" value=id.get_value() />
                                    <div class="form-group">
                                        <label for="notfall-person">{t!(i18n, case.emergency_person)}</label>
                                        <select id="notfall-person" name="person">{people}</select>
                                    </div>
                                    <fieldset class="form-group" id="notfall-kategorien">
                                        <legend>{t!(i18n, case.emergency_categories)}</legend>
                                        {field_error!(i18n, emergency, "categories", "notfall-kategorien-fehler")}
                                        <div class="choices">{choices}</div>
                                    </fieldset>
                                    <div class="form-group">
                                        <label for="notfall-stunden">{t!(i18n, case.emergency_hours)}</label>
                                        {field_error!(i18n, emergency, "hours", "notfall-stunden-fehler")}
                                        <input type="text" inputmode="numeric" class="input--short" id="notfall-stunden" name="hours" value=opening.text("hours", "24") />
                                    </div>
                                    <div class="form-group">
                                        <label for="notfall-grund">{t!(i18n, case.emergency_reason)}</label>
                                        <span class="hint" id="notfall-grund-hinweis">{t!(i18n, case.emergency_reason_hint)}</span>
                                        {field_error!(i18n, emergency, "reason", "notfall-grund-fehler")}
                                        <textarea id="notfall-grund" name="reason" rows="4" aria-describedby="notfall-grund-hinweis">{area_text(opening.text("reason", ""))}</textarea>
                                    </div>
                                    <button type="submit" class="button button--danger">{t!(i18n, case.emergency_button)}</button>
                                </ActionForm>
                            </details>
                        </section>
                    }
                });
                let (requesting, writing, deciding, reopening, noting) = (
                    Sent::to::<RequestDocument>(),
                    Sent::to::<MessageCitizen>(),
                    Sent::to::<DecideCase>(),
                    Sent::to::<ReopenCase>(),
                    Sent::to::<AddCaseNote>(),
                );
                let closing = Sent::to::<CloseCase>();
                view! {
                    <div class="container container--wide">
                        <A href=QUEUE_PATH attr:class="back-link">{t!(i18n, case.back)}</A>
                        {done.map(|text| view! { <div class="notice" role="status"><p>{text}</p></div> })}
                        {move || {
                            let failed = [
                                assign.value().with(|value| refused_field(value.as_ref())),
                                cancel.value().with(|value| refused_field(value.as_ref())),
                                close.value().with(|value| refused_field(value.as_ref())),
                            ];
                            failed.into_iter().flatten().next().map(|field| view! {
                                <div class="error-summary" role="alert"><p>{field_problem(i18n, &field)}</p></div>
                            })
                        }}
                        <p class="caption">{office.clone()}</p>
                        <h1>{heading}</h1>
                        <dl class="summary-list">
                            <div><dt>{t!(i18n, case.applicant)}</dt><dd>{
                                match file.applicant.name.is_empty() {
                                    true => t_string!(i18n, case.name_not_readable).to_owned(),
                                    false => file.applicant.name.clone(),
                                }
                            }</dd></div>
                            <div><dt>{t!(i18n, case.status)}</dt><dd>{status}</dd></div>
                            <div><dt>{t!(i18n, case.submitted)}</dt><dd>{submitted}</dd></div>
                            <div><dt>{t!(i18n, case.assigned)}</dt><dd>{assigned}</dd></div>
                        </dl>
                        {take}
                        {flags}
                        <div class="case-actions">
                            <div>
                                <section class="case-section" aria-labelledby="daten">
                                    <h2 id="daten">{t!(i18n, case.data_heading)}</h2>
                                    {if has_data {
                                        data_view
                                    } else {
                                        view! { <p>{t!(i18n, case.no_data)}</p> }.into_any()
                                    }}
                                    <details>
                                        <summary>{t!(i18n, case.answers_heading)}</summary>
                                        {answers_view}
                                    </details>
                                </section>
                                <section class="case-section" aria-labelledby="unterlagen">
                                    <h2 id="unterlagen">{t!(i18n, case.documents_heading)}</h2>
                                    <ul class="list">{requests}</ul>
                                    {if no_documents {
                                        view! { <p>{t!(i18n, case.no_documents)}</p> }.into_any()
                                    } else {
                                        view! { <ul class="list">{documents}</ul> }.into_any()
                                    }}
                                    {is_open.then(|| view! {
                                        <ActionForm action=request>
                                            <input type="hidden" name="application" value=id.get_value() />
                                            <div class="form-group">
                                                <label for="anforderung">{t!(i18n, case.request_label)}</label>
                                                <span class="hint" id="anforderung-hinweis">{t!(i18n, case.request_hint)}</span>
                                                {field_error!(i18n, request, "description", "anforderung-fehler")}
                                                <textarea id="anforderung" name="description" rows="3" aria-describedby="anforderung-hinweis">{area_text(requesting.text("description", ""))}</textarea>
                                            </div>
                                            <button type="submit" class="button button--secondary">{t!(i18n, case.request_button)}</button>
                                        </ActionForm>
                                    })}
                                </section>
                                <section class="case-section" aria-labelledby="nachrichten">
                                    <h2 id="nachrichten">{t!(i18n, case.messages_heading)}</h2>
                                    <ul class="messages">{messages}</ul>
                                    {(!is_closed).then(|| view! {
                                        <ActionForm action=message>
                                            <input type="hidden" name="application" value=id.get_value() />
                                            <div class="form-group">
                                                <label for="nachricht">{t!(i18n, case.message_label)}</label>
                                                {field_error!(i18n, message, "body", "nachricht-fehler")}
                                                <textarea id="nachricht" name="body" rows="4">{area_text(writing.text("body", ""))}</textarea>
                                            </div>
                                            <button type="submit" class="button button--secondary">{t!(i18n, case.message_button)}</button>
                                        </ActionForm>
                                    })}
                                </section>
                            </div>
                            <div>
                                <section class="case-section" aria-labelledby="entscheidung">
                                    <h2 id="entscheidung">{t!(i18n, case.decision_heading)}</h2>
                                    {decision}
                                    {is_open.then(|| view! {
                                        <ActionForm action=decide>
                                            <input type="hidden" name="application" value=id.get_value() />
                                            <fieldset class="form-group" id="ergebnis">
                                                <legend>{t!(i18n, case.outcome_legend)}</legend>
                                                {field_error!(i18n, decide, "outcome", "ergebnis-fehler")}
                                                <div class="choices choices--inline">
                                                    <div class="choice">
                                                        <input type="radio" id="ergebnis-bewilligen" name="outcome" value="bewilligen" checked=deciding.checked("outcome", "bewilligen", false) />
                                                        <label for="ergebnis-bewilligen">{t!(i18n, case.approve)}</label>
                                                    </div>
                                                    <div class="choice">
                                                        <input type="radio" id="ergebnis-ablehnen" name="outcome" value="ablehnen" checked=deciding.checked("outcome", "ablehnen", false) />
                                                        <label for="ergebnis-ablehnen">{t!(i18n, case.reject)}</label>
                                                    </div>
                                                </div>
                                            </fieldset>
                                            <div class="form-group">
                                                <label for="begruendung">{t!(i18n, case.decision_reason)}</label>
                                                <span class="hint" id="begruendung-hinweis">{t!(i18n, case.decision_reason_hint)}</span>
                                                {field_error!(i18n, decide, "reason", "begruendung-fehler")}
                                                <textarea id="begruendung" name="reason" rows="5" aria-describedby="begruendung-hinweis">{area_text(deciding.text("reason", ""))}</textarea>
                                            </div>
                                            <div class="form-group">
                                                {field_error!(i18n, decide, "confirmed", "bestaetigt-fehler")}
                                                <div class="choice">
                                                    <input type="checkbox" id="bestaetigt" name="confirmed" value="ja" checked=deciding.checked("confirmed", "ja", false) />
                                                    <label for="bestaetigt">{t!(i18n, case.decision_confirm)}</label>
                                                </div>
                                            </div>
                                            <button type="submit" class="button">{t!(i18n, case.decide_button)}</button>
                                        </ActionForm>
                                    })}
                                    {is_decided.then(|| view! {
                                        <ActionForm action=close>
                                            <input type="hidden" name="application" value=id.get_value() />
                                            <div class="form-group">
                                                <div class="choice">
                                                    <input type="checkbox" id="abschliessen-bestaetigt" name="confirmed" value="ja" checked=closing.checked("confirmed", "ja", false) />
                                                    <label for="abschliessen-bestaetigt">{t!(i18n, case.close_confirm)}</label>
                                                </div>
                                            </div>
                                            <button type="submit" class="button">{t!(i18n, case.close_button)}</button>
                                        </ActionForm>
                                        <details>
                                            <summary>{t!(i18n, case.reopen_summary)}</summary>
                                            <ActionForm action=reopen>
                                                <input type="hidden" name="application" value=id.get_value() />
                                                <div class="form-group">
                                                    <label for="aufheben-grund">{t!(i18n, case.reason_label)}</label>
                                                    {field_error!(i18n, reopen, "reason", "aufheben-grund-fehler")}
                                                    <textarea id="aufheben-grund" name="reason" rows="3">{area_text(reopening.text("reason", ""))}</textarea>
                                                </div>
                                                <button type="submit" class="button button--secondary">{t!(i18n, case.reopen_button)}</button>
                                            </ActionForm>
                                        </details>
                                    })}
                                    {is_closed.then(|| view! { <p>{t!(i18n, case.closed_note)}</p> })}
                                </section>
                                {(!is_closed).then(|| view! {
                                    <section class="case-section" aria-labelledby="zustaendig">
                                        <h2 id="zustaendig">{t!(i18n, case.assign_heading)}</h2>
                                        <ActionForm action=assign>
                                            <input type="hidden" name="application" value=id.get_value() />
                                            <div class="form-group">
                                                <label for="zuweisen">{t!(i18n, case.assign_label)}</label>
                                                {field_error!(i18n, assign, "assignee", "zuweisen-fehler")}
                                                <select id="zuweisen" name="assignee">
                                                    <option value="" selected=assigning.selected("assignee", "", false)>{t!(i18n, queue.assigned_nobody)}</option>
                                                    {colleagues}
                                                </select>
                                            </div>
                                            <button type="submit" class="button button--secondary">{t!(i18n, case.assign_button)}</button>
                                        </ActionForm>
                                    </section>
                                })}
                                <section class="case-section" aria-labelledby="notizen">
                                    <h2 id="notizen">{t!(i18n, case.notes_heading)}</h2>
                                    <p class="hint">{t!(i18n, case.notes_hint)}</p>
                                    <ul class="list">{notes}</ul>
                                    {(!is_closed).then(|| view! {
                                        <ActionForm action=note>
                                            <input type="hidden" name="application" value=id.get_value() />
                                            <div class="form-group">
                                                <label for="notiz">{t!(i18n, case.note_label)}</label>
                                                {field_error!(i18n, note, "body", "notiz-fehler")}
                                                <textarea id="notiz" name="body" rows="3">{area_text(noting.text("body", ""))}</textarea>
                                            </div>
                                            <button type="submit" class="button button--secondary">{t!(i18n, case.note_button)}</button>
                                        </ActionForm>
                                    })}
                                </section>
                                <section class="case-section" aria-labelledby="schutz">
                                    <h2 id="schutz">{t!(i18n, case.flags_heading)}</h2>
                                    <details>
                                        <summary>{t!(i18n, case.flag_set)}</summary>
                                        <ActionForm action=set_flag>
                                            <input type="hidden" name="application" value=id.get_value() />
                                            <div class="form-group">
                                                <label for="vermerk-art">{t!(i18n, case.flag_kind)}</label>
                                                <select id="vermerk-art" name="kind">{flag_options}</select>
                                            </div>
                                            <div class="form-group">
                                                <label for="vermerk-grund">{t!(i18n, case.reason_label)}</label>
                                                {field_error!(i18n, set_flag, "reason", "vermerk-grund-fehler")}
                                                <textarea id="vermerk-grund" name="reason" rows="3">{area_text(flagging.text("reason", ""))}</textarea>
                                            </div>
                                            <button type="submit" class="button button--secondary">{t!(i18n, case.flag_set_button)}</button>
                                        </ActionForm>
                                    </details>
                                </section>
                                {emergency_form}
                                <section class="case-section" aria-labelledby="verlauf">
                                    <h2 id="verlauf">{t!(i18n, case.history_heading)}</h2>
                                    <ul class="list history">{history}</ul>
                                </section>
                            </div>
                        </div>
                    </div>
                }
                .into_any()
            })
        />
    }
}
