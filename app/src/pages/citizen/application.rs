//! One sent application as its citizen sees it (`/buerger/antraege/:id`): where it stands and
//! what that means, what the office asks for (each request with its own upload), the documents
//! handed in, the messages with the office, and the history. Uploads are plain multipart forms
//! and messages plain forms, so the page works without JavaScript; the server says what
//! happened in the address (`?hochgeladen=1`, `?hochladen=<problem>`, `?nachricht=<problem>`).

use std::sync::Arc;

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

use crate::{
    api::{WriteToOffice, my_application},
    components::{
        error_summary::{Sent, error_summary},
        guarded::Guarded,
        page_title::page_title,
        status::{status_class, status_text, status_text_code},
        text_area::area_text,
    },
    correspondence::{
        ApplicationFile, DocumentRequestView, DocumentView, HistoryEntry, MAX_MESSAGE_CHARS, MessageProblem,
        MessageView, UploadProblem, format_size,
    },
    i18n::*,
    status::ApplicationStatus,
    url::{encode_component, format_timestamp},
};

/// Where the upload form posts (a server function taking a multipart form).
const UPLOAD_ACTION: &str = "/api/buerger/dokument-hochladen";

/// What the address says happened on the last submit.
#[derive(Clone, Debug, Default, PartialEq)]
struct Outcome {
    uploaded: bool,
    upload_problem: Option<UploadProblem>,
    /// The request the refused upload was for (its field shows the message).
    upload_request: Option<String>,
    /// The request was answered meanwhile.
    already_answered: bool,
    sent: bool,
    message_problem: Option<MessageProblem>,
}

fn upload_problem_text(i18n: I18nContext<Locale>, problem: UploadProblem) -> &'static str {
    match problem {
        UploadProblem::NoFile => t_string!(i18n, file.problem_no_file),
        UploadProblem::Empty => t_string!(i18n, file.problem_empty),
        UploadProblem::TooLarge => t_string!(i18n, file.problem_too_large),
        UploadProblem::NotAllowedType => t_string!(i18n, file.problem_type),
    }
}

fn message_problem_text(i18n: I18nContext<Locale>, problem: MessageProblem) -> &'static str {
    match problem {
        MessageProblem::Empty => t_string!(i18n, file.problem_message_empty),
        MessageProblem::TooLong => t_string!(i18n, file.problem_message_too_long),
    }
}

fn status_explained(i18n: I18nContext<Locale>, status: ApplicationStatus) -> &'static str {
    match status {
        ApplicationStatus::Submitted => t_string!(i18n, file.explain_submitted),
        ApplicationStatus::InReview => t_string!(i18n, file.explain_in_review),
        ApplicationStatus::WaitingForCitizen => t_string!(i18n, file.explain_waiting),
        ApplicationStatus::Approved => t_string!(i18n, file.explain_approved),
        ApplicationStatus::Rejected => t_string!(i18n, file.explain_rejected),
        ApplicationStatus::Withdrawn => t_string!(i18n, file.explain_withdrawn),
        ApplicationStatus::Closed | ApplicationStatus::Draft => t_string!(i18n, file.explain_closed),
    }
}

/// The id of the file field of the upload for `request` (the general upload without one).
fn file_field_id(request: Option<&str>) -> String {
    match request {
        Some(request) => format!("datei-{request}"),
        None => String::from("datei"),
    }
}

/// An upload form: label, hint, the message when the last try was refused, the file, the button.
fn upload_form(
    i18n: I18nContext<Locale>,
    application: &str,
    request: Option<&str>,
    label: String,
    problem: Option<UploadProblem>,
) -> impl IntoView + use<> {
    let id = file_field_id(request);
    let (hint_id, error_id) = (format!("{id}-hinweis"), format!("{id}-fehler"));
    let problem = problem.map(|problem| upload_problem_text(i18n, problem));
    let described_by = match problem {
        Some(_) => format!("{hint_id} {error_id}"),
        None => hint_id.clone(),
    };
    let group_class = if problem.is_some() { "form-group form-group--error" } else { "form-group" };
    view! {
        <form method="post" action=UPLOAD_ACTION enctype="multipart/form-data" class="upload">
            <input type="hidden" name="application" value=application.to_owned() />
            {request.map(|request| view! { <input type="hidden" name="request" value=request.to_owned() /> })}
            <div class=group_class>
                <label for=id.clone()>{label}</label>
                <span class="hint" id=hint_id>{t!(i18n, file.upload_hint)}</span>
                {problem.map(|text| view! { <span class="error-message" id=error_id>{text}</span> })}
                <input
                    type="file"
                    id=id
                    name="file"
                    accept="application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
                    aria-describedby=described_by
                    aria-invalid=problem.map(|_| "true")
                />
            </div>
            <button type="submit" class="button">{t!(i18n, file.upload_button)}</button>
        </form>
    }
}

fn request_item(
    i18n: I18nContext<Locale>,
    german: bool,
    application: &str,
    request: DocumentRequestView,
    outcome: &Outcome,
    can_upload: bool,
) -> impl IntoView + use<> {
    let since = format_timestamp(&request.since, german);
    let problem = outcome.upload_problem.filter(|_| outcome.upload_request.as_deref() == Some(request.id.as_str()));
    let form = (can_upload && request.status == "open")
        .then(|| upload_form(i18n, application, Some(&request.id), t_string!(i18n, file.upload_for_request).to_owned(), problem));
    view! {
        <li class="request">
            <p><strong>{request.description}</strong></p>
            <p class="hint">{t!(i18n, file.request_since, since = move || since.clone())}</p>
            {form}
        </li>
    }
}

fn document_item(german: bool, i18n: I18nContext<Locale>, document: DocumentView) -> impl IntoView + use<> {
    let href = format!("/api/buerger/dokument?document={}", encode_component(&document.id));
    let when = format_timestamp(&document.uploaded_at, german);
    let kind = match document.media_type.as_str() {
        "application/pdf" => "PDF",
        "image/jpeg" => "JPEG",
        _ => "PNG",
    };
    let details = format!("{kind}, {}", format_size(document.size_bytes, german));
    view! {
        <li>
            // A download, not a page of the app: the router must leave it to the browser.
            <a href=href download=document.file_name.clone() rel="external">{document.file_name.clone()}</a>
            " " <span class="hint hint--inline">{details} " · " {t!(i18n, file.uploaded_at, when = move || when.clone())}</span>
        </li>
    }
}

fn message_item(i18n: I18nContext<Locale>, german: bool, office: &str, message: MessageView) -> impl IntoView + use<> {
    let when = format_timestamp(&message.sent_at, german);
    let sender = match (message.from_office, message.sender) {
        (true, Some(name)) => format!("{name}, {office}"),
        (true, None) => office.to_owned(),
        (false, _) => t_string!(i18n, file.from_you).to_owned(),
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
        "created" => t_string!(i18n, file.event_created).to_owned(),
        "submitted" => t_string!(i18n, file.event_submitted).to_owned(),
        "assigned" => t_string!(i18n, file.event_assigned).to_owned(),
        "status_changed" => format!("{} {}", t_string!(i18n, file.event_status), status_text_code(i18n, &detail)),
        "document_uploaded" => format!("{} {detail}", t_string!(i18n, file.event_document)),
        "terms_accepted" => format!("{} {detail}", t_string!(i18n, file.event_terms)),
        "decided" => t_string!(i18n, file.event_decided).to_owned(),
        _ => t_string!(i18n, file.event_other).to_owned(),
    };
    view! { <li><span class="history__when">{when}</span> " " {what}</li> }
}

#[component]
pub fn ApplicationPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let write = ServerAction::<WriteToOffice>::new();
    // The page is read again after every message sent (the address may not change).
    let key = move || (params.read().get("id").unwrap_or_default(), write.version().get());
    let data = Resource::new(key, |(id, _)| my_application(id));
    let outcome = move || {
        let query = query.read();
        let upload_problem = query.get("hochladen").as_deref().and_then(UploadProblem::from_code);
        Outcome {
            uploaded: query.get("hochgeladen").is_some(),
            upload_problem,
            upload_request: query.get("anforderung").filter(|_| upload_problem.is_some()),
            already_answered: query.get("hochladen").as_deref() == Some("erledigt"),
            sent: query.get("gesendet").is_some(),
            message_problem: query.get("nachricht").as_deref().and_then(MessageProblem::from_code),
        }
    };

    view! {
        <Title text=page_title(move || t_string!(i18n, file.title)) />
        <Guarded
            data=data
            sign_in_path="/buerger"
            render=Arc::new(move |file: ApplicationFile| {
                let german = i18n.get_locale_untracked() == Locale::de;
                let outcome = outcome();
                let can_write = file.is_open();
                let ApplicationFile { id, reference, person, benefit, office, status, submitted_at, decided_at, decision_reason, history, requests, documents, messages } = file;
                let benefit = benefit.name.pick(german).to_owned();
                let office = office.name.pick(german).to_owned();
                let mut problems = Vec::new();
                if let Some(problem) = outcome.upload_problem {
                    problems.push((file_field_id(outcome.upload_request.as_deref()), upload_problem_text(i18n, problem).to_owned()));
                }
                if let Some(problem) = outcome.message_problem {
                    problems.push((String::from("nachricht"), message_problem_text(i18n, problem).to_owned()));
                }
                let (open, answered): (Vec<_>, Vec<_>) = requests.into_iter().partition(|request| request.status == "open");
                let heading = {
                    let (reference, benefit) = (reference.clone(), benefit.clone());
                    view! { <h1>{t!(i18n, file.heading, reference = move || reference.clone(), benefit = move || benefit.clone())}</h1> }
                };
                let on_behalf = (!person.is_self).then(|| {
                    let name = person.name.clone();
                    view! { <p class="on-behalf"><strong>{t!(i18n, file.for_child, name = move || name.clone())}</strong></p> }
                });
                let facts = {
                    let submitted = submitted_at.map(|at| format_timestamp(&at, german)).unwrap_or_default();
                    let decided = decided_at.map(|at| format_timestamp(&at, german));
                    let office = office.clone();
                    view! {
                        <dl class="summary-list">
                            <div><dt>{t!(i18n, file.status_label)}</dt><dd><span class=status_class(status)>{status_text(i18n, status)}</span> " " {status_explained(i18n, status)}</dd></div>
                            <div><dt>{t!(i18n, apply.receipt_office)}</dt><dd>{office}</dd></div>
                            <div><dt>{t!(i18n, file.submitted_label)}</dt><dd>{submitted}</dd></div>
                            {decided.map(|decided| view! { <div><dt>{t!(i18n, file.decided_label)}</dt><dd>{decided}</dd></div> })}
                        </dl>
                    }
                };
                let reason = decision_reason.map(|reason| view! {
                    <section class="notice" aria-labelledby="begruendung">
                        <h2 id="begruendung">{t!(i18n, file.reason_heading)}</h2>
                        <p>{reason}</p>
                    </section>
                });
                let notices = view! {
                    {outcome.uploaded.then(|| view! { <p class="notice" role="status">{t!(i18n, file.uploaded)}</p> })}
                    {outcome.already_answered.then(|| view! { <p class="notice" role="status">{t!(i18n, file.already_answered)}</p> })}
                    {outcome.sent.then(|| view! { <p class="notice" role="status">{t!(i18n, file.sent)}</p> })}
                };
                let requests_view = (!open.is_empty()).then(|| {
                    let items = open
                        .into_iter()
                        .map(|request| request_item(i18n, german, &id, request, &outcome, can_write))
                        .collect_view();
                    view! {
                        <section aria-labelledby="anfragen">
                            <h2 id="anfragen">{t!(i18n, file.requests_heading)}</h2>
                            <ul class="list list--plain">{items}</ul>
                        </section>
                    }
                });
                let general_problem = outcome.upload_problem.filter(|_| outcome.upload_request.is_none());
                let answered_count = answered.len();
                let documents_view = {
                    let items = documents.into_iter().map(|document| document_item(german, i18n, document)).collect::<Vec<_>>();
                    let empty = items.is_empty();
                    let form = can_write.then(|| {
                        view! {
                            <h3>{t!(i18n, file.other_upload_heading)}</h3>
                            {upload_form(i18n, &id, None, t_string!(i18n, file.upload_label).to_owned(), general_problem)}
                        }
                    });
                    view! {
                        <section aria-labelledby="unterlagen" id="unterlagen-bereich">
                            <h2 id="unterlagen">{t!(i18n, file.documents_heading)}</h2>
                            {if empty {
                                view! { <p>{t!(i18n, file.no_documents)}</p> }.into_any()
                            } else {
                                view! { <ul class="list">{items}</ul> }.into_any()
                            }}
                            {(answered_count > 0).then(|| {
                                let count = answered_count.to_string();
                                view! { <p class="hint">{t!(i18n, file.requests_answered, count = move || count.clone())}</p> }
                            })}
                            {form}
                        </section>
                    }
                };
                let messages_view = {
                    let items = messages.into_iter().map(|message| message_item(i18n, german, &office, message)).collect::<Vec<_>>();
                    let empty = items.is_empty();
                    let problem = outcome.message_problem.map(|problem| message_problem_text(i18n, problem));
                    let group_class = if problem.is_some() { "form-group form-group--error" } else { "form-group" };
                    let described_by = if problem.is_some() { "nachricht-hinweis nachricht-fehler" } else { "nachricht-hinweis" };
                    let office_name = office.clone();
                    let application = id.clone();
                    let body = Sent::to::<WriteToOffice>().for_item("application", &id).text("body", "");
                    let form = if can_write {
                        view! {
                            <ActionForm action=write attr:novalidate="">
                                <input type="hidden" name="application" value=application />
                                <div class=group_class>
                                    <label for="nachricht">{t!(i18n, file.message_label, office = move || office_name.clone())}</label>
                                    <span class="hint" id="nachricht-hinweis">{t!(i18n, file.message_hint)}</span>
                                    {problem.map(|text| view! { <span class="error-message" id="nachricht-fehler">{text}</span> })}
                                    <textarea id="nachricht" name="body" rows="6" maxlength=MAX_MESSAGE_CHARS.to_string() aria-describedby=described_by aria-invalid=problem.map(|_| "true")>{area_text(body)}</textarea>
                                </div>
                                <button type="submit" class="button">{t!(i18n, file.message_button)}</button>
                            </ActionForm>
                        }
                        .into_any()
                    } else {
                        let office = office.clone();
                        view! { <p>{t!(i18n, file.closed_note, office = move || office.clone())}</p> }.into_any()
                    };
                    view! {
                        <section aria-labelledby="nachrichten">
                            <h2 id="nachrichten">{t!(i18n, file.messages_heading)}</h2>
                            {if empty {
                                view! { <p>{t!(i18n, file.no_messages)}</p> }.into_any()
                            } else {
                                view! { <ol class="messages">{items}</ol> }.into_any()
                            }}
                            {form}
                        </section>
                    }
                };
                let history_view = view! {
                    <section aria-labelledby="verlauf">
                        <h2 id="verlauf">{t!(i18n, file.history_heading)}</h2>
                        <ol class="list history">{history.into_iter().map(|entry| history_item(i18n, german, entry)).collect_view()}</ol>
                    </section>
                };
                let receipt = format!("/buerger/antrag/eingang?antraege={}", encode_component(&id));
                view! {
                    <div class="container">
                        <A href="/buerger/start" attr:class="back-link">{t!(i18n, file.back)}</A>
                        {error_summary(i18n, problems)}
                        <p class="caption">{t!(i18n, file.caption)}</p>
                        {heading}
                        {on_behalf}
                        {notices}
                        {facts}
                        {reason}
                        {requests_view}
                        {documents_view}
                        {messages_view}
                        {history_view}
                        <p><A href=receipt>{t!(i18n, file.receipt_link)}</A></p>
                    </div>
                }
                .into_any()
            })
        />
    }
}
