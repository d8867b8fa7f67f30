//! The staff's server functions for the queue, data shared by consent and emergency access,
//! and the data protection officer's review of emergency accesses. Ids of another office are
//! answered like ids that do not exist.

use leptos::prelude::*;
use leptos::server_fn::codec::{ByteStream, GetUrl, Streaming};

#[cfg(feature = "ssr")]
use super::{application_id, invalid, parse_id};
#[cfg(feature = "ssr")]
use crate::server::{
    auth::{Caseworker, guard},
    db::EmergencyId,
    casework::CaseAction,
    gate::QueueQuery,
};
use crate::{
    auth::ApiError,
    case::{CaseFile, EmergencyList, EmergencyView, FlagReviewItem, LogReview, QueuePage, SharedDataView, SharingsPage},
};

/// The page of the office's emergency accesses.
pub const EMERGENCY_PATH: &str = "/mitarbeitende/notzugriffe";

#[cfg(feature = "ssr")]
fn emergency_id(emergency: &str) -> Result<EmergencyId, ApiError> {
    parse_id(emergency, "emergency", "choose an emergency access from your office's list")
}

/// A reason staff give: said plainly, 10 to 2,000 characters.
#[cfg(feature = "ssr")]
pub(super) fn reason_text(reason: &str) -> Result<String, ApiError> {
    let reason = reason.trim();
    match reason.chars().count() {
        0..=9 => Err(invalid("reason", "give the reason in at least 10 characters")),
        2_001.. => Err(invalid("reason", "keep the reason under 2,000 characters")),
        _ => Ok(reason.to_owned()),
    }
}

/// A page number from 1; 1 when none is given.
#[cfg(feature = "ssr")]
fn page_number(page: Option<&str>) -> Result<i64, ApiError> {
    match page.map(str::trim).filter(|page| !page.is_empty()) {
        None => Ok(1),
        Some(page) => page
            .parse::<i64>()
            .ok()
            .filter(|page| *page >= 1)
            .ok_or_else(|| invalid("page", "give a page number from 1")),
    }
}

/// One page of the office's queue (`page` from 1, 25 to a page): the tab (`list`: `neu`,
/// `in-bearbeitung`, `wartet`, `entschieden`, `abgeschlossen`), whose (`assignee`: `alle`,
/// `mir`, `niemandem`), and a reference number or the start of a name (`search`).
#[server(prefix = "/api", endpoint = "mitarbeitende/warteschlange")]
pub async fn queue(
    office: Option<String>,
    page: Option<String>,
    list: Option<String>,
    assignee: Option<String>,
    search: Option<String>,
) -> Result<QueuePage, ApiError> {
    use crate::case::{QueueAssignee, QueueGroup};
    let caseworker = guard::caseworker().await?;
    let at = guard::caseworker_at(&caseworker, office.as_deref())?;
    let page = page_number(page.as_deref())?;
    let given = |value: &Option<String>| value.as_deref().map(str::trim).filter(|value| !value.is_empty()).map(str::to_owned);
    let group = match given(&list) {
        None => QueueGroup::New,
        Some(code) => QueueGroup::from_code(&code)
            .ok_or_else(|| invalid("list", "choose neu, in-bearbeitung, wartet, entschieden or abgeschlossen"))?,
    };
    let assignee = match given(&assignee) {
        None => QueueAssignee::Anyone,
        Some(code) => {
            QueueAssignee::from_code(&code).ok_or_else(|| invalid("assignee", "choose alle, mir or niemandem"))?
        }
    };
    let search = given(&search).unwrap_or_default();
    if search.chars().count() > 100 {
        return Err(invalid("search", "search for a reference number or a name of at most 100 characters"));
    }
    let query = QueueQuery { group, assignee, search, page, per_page: 25 };
    let gate = guard::services()?.gate.clone();
    gate.queue(&at, &query).await?.ok_or_else(|| guard::fail(ApiError::NotFound))
}

/// A case of the caseworker's office: the applicant's data and the answers through the gate
/// (only what the office may see; the read is logged), and the office's correspondence on it.
#[server(prefix = "/api", endpoint = "mitarbeitende/akte")]
pub async fn open_case_file(application: String) -> Result<CaseFile, ApiError> {
    let caseworker = guard::caseworker().await?;
    let case = guard::case_access(&caseworker, application_id(&application)?).await?;
    Ok(guard::services()?.gate.case_file(&case).await?)
}

/// The page of case `application`, with `query` (`?…`) when it has something to say.
pub fn case_path(application: &str, query: &str) -> String {
    format!("/mitarbeitende/faelle/{application}{query}")
}

/// Carries out `action` on a case of one of the caseworker's offices and sends the browser
/// back to the case, saying what was done (`done`).
#[cfg(feature = "ssr")]
async fn act(caseworker: Caseworker, application: &str, action: CaseAction, done: &str) -> Result<(), ApiError> {
    let case = guard::case_access(&caseworker, application_id(application)?).await?;
    guard::services()?.casework.act_on_case(&case, &action).await?;
    let id = case.application();
    tracing::info!(staff = %caseworker.id(), application = %id, done, "case changed");
    super::go_to(&case_path(&id.to_string(), &format!("?erledigt={done}")));
    Ok(())
}

/// A text staff write to or about a case: said plainly, at most `MAX_MESSAGE_CHARS`.
#[cfg(feature = "ssr")]
fn case_text(field: &str, text: &str) -> Result<String, ApiError> {
    use crate::correspondence::{MessageProblem, check_message};
    check_message(text).map_err(|problem| match problem {
        MessageProblem::Empty => invalid(field, "write something first"),
        MessageProblem::TooLong => invalid(field, "keep it under 4,000 characters"),
    })
}

/// Assigns a case to a caseworker of the office (`assignee`: their id, `ich` for oneself,
/// empty for nobody). A new application taken goes in review.
#[server(prefix = "/api", endpoint = "mitarbeitende/zuweisen")]
pub async fn assign_case(application: String, assignee: Option<String>) -> Result<(), ApiError> {
    let caseworker = guard::caseworker().await?;
    let assignee = match assignee.as_deref().map(str::trim).filter(|assignee| !assignee.is_empty()) {
        None => None,
        Some("ich") => Some(caseworker.id()),
        Some(id) => Some(parse_id(id, "assignee", "choose a caseworker of your office")?),
    };
    act(caseworker, &application, CaseAction::Assign(assignee), "zugewiesen").await
}

/// Asks the citizen for a document or information: a to-do for them; the case waits for them.
#[server(prefix = "/api", endpoint = "mitarbeitende/unterlagen-anfordern")]
pub async fn request_document(application: String, description: String) -> Result<(), ApiError> {
    let caseworker = guard::caseworker().await?;
    let description = description.trim();
    if description.chars().count() < 5 || description.chars().count() > 500 {
        return Err(invalid("description", "say in 5 to 500 characters what the citizen should send"));
    }
    act(caseworker, &application, CaseAction::RequestDocument(description.to_owned()), "angefordert").await
}

/// Takes back an open request of the case.
#[server(prefix = "/api", endpoint = "mitarbeitende/anforderung-zuruecknehmen")]
pub async fn cancel_document_request(application: String, request: String) -> Result<(), ApiError> {
    let caseworker = guard::caseworker().await?;
    let request = parse_id(&request, "request", "choose one of the case's requests")?;
    act(caseworker, &application, CaseAction::CancelRequest(request), "zurueckgenommen").await
}

/// Writes to the citizen about the case.
#[server(prefix = "/api", endpoint = "mitarbeitende/nachricht-senden")]
pub async fn message_citizen(application: String, body: String) -> Result<(), ApiError> {
    let caseworker = guard::caseworker().await?;
    let body = case_text("body", &body)?;
    act(caseworker, &application, CaseAction::Message(body), "gesendet").await
}

/// Keeps an internal note on the case; the citizen never sees it.
#[server(prefix = "/api", endpoint = "mitarbeitende/notiz")]
pub async fn add_case_note(application: String, body: String) -> Result<(), ApiError> {
    let caseworker = guard::caseworker().await?;
    let body = case_text("body", &body)?;
    act(caseworker, &application, CaseAction::Note(body), "notiert").await
}

/// Whether the caseworker ticked the confirmation a weighty step asks for (`ja`).
#[cfg(feature = "ssr")]
fn confirmed(confirmed: Option<&str>) -> Result<(), ApiError> {
    match confirmed.map(str::trim) {
        Some("ja") => Ok(()),
        _ => Err(invalid("confirmed", "confirm the step: tick the box")),
    }
}

/// Decides the case (`outcome`: `bewilligen` or `ablehnen`) with the reason the citizen reads,
/// once `confirmed` is `ja`.
#[server(prefix = "/api", endpoint = "mitarbeitende/entscheiden")]
pub async fn decide_case(
    application: String,
    outcome: Option<String>,
    reason: String,
    confirmed: Option<String>,
) -> Result<(), ApiError> {
    let caseworker = guard::caseworker().await?;
    let approve = match outcome.as_deref().map(str::trim) {
        Some("bewilligen") => true,
        Some("ablehnen") => false,
        _ => return Err(invalid("outcome", "choose to approve or to reject")),
    };
    let reason = reason_text(&reason)?;
    self::confirmed(confirmed.as_deref())?;
    act(caseworker, &application, CaseAction::Decide { approve, reason }, "entschieden").await
}

/// Withdraws a decision that is not closed yet, with a reason; the case is in review again.
#[server(prefix = "/api", endpoint = "mitarbeitende/entscheidung-aufheben")]
pub async fn reopen_case(application: String, reason: String) -> Result<(), ApiError> {
    let caseworker = guard::caseworker().await?;
    let reason = reason_text(&reason)?;
    act(caseworker, &application, CaseAction::Reopen(reason), "aufgehoben").await
}

/// Closes a decided case once `confirmed` is `ja`: final.
#[server(prefix = "/api", endpoint = "mitarbeitende/abschliessen")]
pub async fn close_case(application: String, confirmed: Option<String>) -> Result<(), ApiError> {
    let caseworker = guard::caseworker().await?;
    self::confirmed(confirmed.as_deref())?;
    act(caseworker, &application, CaseAction::Close, "abgeschlossen").await
}

/// A document handed in to a case of the caseworker's office, to download (logged as a read).
#[server(prefix = "/api", endpoint = "mitarbeitende/dokument", input = GetUrl, output = Streaming)]
pub async fn case_document(document: String) -> Result<ByteStream<ApiError>, ApiError> {
    let caseworker = guard::caseworker().await?;
    let document =
        parse_id(&document, "document", "choose one of the case's documents")?;
    let case = guard::document_access(&caseworker, document).await?;
    let (file_name, media_type, content) =
        guard::services()?.gate.office_document(&case, document).await?;
    super::correspondence::send_document(&file_name, &media_type, content)
}

/// One page of what citizens shared with the office by consent, by citizen and purpose, with
/// their names (each a logged read). `page` from 1; the first without.
#[server(prefix = "/api", endpoint = "mitarbeitende/freigaben")]
pub async fn sharings(office: Option<String>, page: Option<String>) -> Result<SharingsPage, ApiError> {
    let caseworker = guard::caseworker().await?;
    let at = guard::caseworker_at(&caseworker, office.as_deref())?;
    let page = page_number(page.as_deref())?;
    let gate = guard::services()?.gate.clone();
    gate.sharings(&at, page).await?.ok_or_else(|| guard::fail(ApiError::NotFound))
}

/// Reads the data a citizen shared with the caseworker's office (`office`, or their first) for
/// `purpose`, through the gate.
#[server(prefix = "/api", endpoint = "mitarbeitende/freigabe")]
pub async fn shared_data(citizen: String, purpose: String, office: Option<String>) -> Result<SharedDataView, ApiError> {
    let caseworker = guard::caseworker().await?;
    let citizen =
        parse_id(&citizen, "citizen", "choose a person from the list of sharings")?;
    if purpose.chars().count() > 1_000 {
        return Err(invalid("purpose", "choose a sharing from the list of sharings"));
    }
    let at = guard::caseworker_at(&caseworker, office.as_deref())?;
    let gate = guard::services()?.gate.clone();
    gate.consented_view(&at, citizen, &purpose).await?.ok_or_else(|| guard::fail(ApiError::NotFound))
}

/// Opens an emergency access (§ 8a SGB VIII) for the person of a case of the caseworker's youth
/// office: `categories` codes (`categories[0]`, `categories[1]`, … as a form's checkboxes send
/// them), `hours` at most the configured maximum. Pending
/// until a second caseworker confirms. Answers its id.
#[server(prefix = "/api", endpoint = "mitarbeitende/notzugriff-oeffnen")]
pub async fn open_emergency(
    application: String,
    person: String,
    reason: String,
    categories: Option<Vec<String>>,
    hours: String,
) -> Result<String, ApiError> {
    use crate::policy::Category;
    let caseworker = guard::caseworker().await?;
    let application = application_id(&application)?;
    let person =
        parse_id(&person, "person", "choose the child or the parent of this case")?;
    let reason = reason_text(&reason)?;
    let categories = categories
        .unwrap_or_default()
        .iter()
        .flat_map(|codes| codes.split(','))
        .map(str::trim)
        .filter(|code| !code.is_empty())
        .map(|code| Category::from_code(code).ok_or_else(|| invalid("categories", "choose categories from the list")))
        .collect::<Result<Vec<_>, _>>()?;
    let hours = hours.trim().parse::<i64>().map_err(|_| invalid("hours", "give the duration in whole hours"))?;
    let casework = guard::services()?.casework.clone();
    // Every input is judged before the application is looked up, so a wrong input gets the
    // same answer whichever application it names.
    casework.check_emergency_request(&categories, hours)?;
    let case = guard::case_access(&caseworker, application).await?;
    let id = casework.open_emergency(&case, person, &reason, &categories, hours).await?;
    tracing::warn!(staff = %caseworker.id(), emergency = %id, "emergency access opened");
    super::go_to(&format!("{EMERGENCY_PATH}?erledigt=geoeffnet"));
    Ok(id.to_string())
}

/// The emergency accesses of the caseworker's offices: the confirmation queue and the running ones.
#[server(prefix = "/api", endpoint = "mitarbeitende/notzugriffe")]
pub async fn office_emergencies() -> Result<EmergencyList, ApiError> {
    let caseworker = guard::caseworker().await?;
    let gate = guard::services()?.gate.clone();
    let mut accesses = Vec::new();
    for at in caseworker.at_each() {
        accesses.extend(gate.office_emergencies(&at).await?);
    }
    let categories = gate.category_names().await?;
    Ok(EmergencyList { accesses, categories, deferral_max_days: guard::services()?.casework.limits().deferral_max_days })
}

/// Confirms a colleague's emergency access: it runs from now for the requested duration.
#[server(prefix = "/api", endpoint = "mitarbeitende/notzugriff-bestaetigen")]
pub async fn confirm_emergency(emergency: String) -> Result<(), ApiError> {
    let caseworker = guard::caseworker().await?;
    let held = guard::office_emergency(&caseworker, emergency_id(&emergency)?).await?;
    guard::services()?.casework.confirm_emergency(&held).await?;
    tracing::warn!(staff = %caseworker.id(), emergency = %held.emergency(), "emergency access confirmed");
    super::go_to(&format!("{EMERGENCY_PATH}?erledigt=bestaetigt"));
    Ok(())
}

/// Rejects a colleague's emergency access.
#[server(prefix = "/api", endpoint = "mitarbeitende/notzugriff-ablehnen")]
pub async fn reject_emergency(emergency: String) -> Result<(), ApiError> {
    let caseworker = guard::caseworker().await?;
    let held = guard::office_emergency(&caseworker, emergency_id(&emergency)?).await?;
    guard::services()?.casework.reject_emergency(&held).await?;
    super::go_to(&format!("{EMERGENCY_PATH}?erledigt=abgelehnt"));
    Ok(())
}

/// Ends an emergency access of the caseworker's office early.
#[server(prefix = "/api", endpoint = "mitarbeitende/notzugriff-beenden")]
pub async fn end_emergency(emergency: String) -> Result<(), ApiError> {
    let caseworker = guard::caseworker().await?;
    let held = guard::office_emergency(&caseworker, emergency_id(&emergency)?).await?;
    guard::services()?.casework.end_emergency(&held).await?;
    super::go_to(&format!("{EMERGENCY_PATH}?erledigt=beendet"));
    Ok(())
}

/// Holds an emergency access back from the citizen's access log until `until` (a date,
/// `YYYY-MM-DD`, at most the configured number of days ahead), for a recorded reason.
#[server(prefix = "/api", endpoint = "mitarbeitende/notzugriff-zurueckstellen")]
pub async fn defer_emergency_notice(emergency: String, reason: String, until: String) -> Result<(), ApiError> {
    let caseworker = guard::caseworker().await?;
    let emergency = emergency_id(&emergency)?;
    let reason = reason_text(&reason)?;
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let until = time::Date::parse(until.trim(), &format)
        .map_err(|_| invalid("until", "give the date as YYYY-MM-DD"))?
        .midnight()
        .assume_utc();
    let until = crate::server::db::Timestamp::from(until);
    let held = guard::office_emergency(&caseworker, emergency).await?;
    guard::services()?.casework.defer_emergency_notice(&held, &reason, until).await?;
    super::go_to(&format!("{EMERGENCY_PATH}?erledigt=zurueckgestellt"));
    Ok(())
}

/// Reads the data a confirmed, running emergency access of the caseworker's office opens.
#[server(prefix = "/api", endpoint = "mitarbeitende/notzugriff-daten")]
pub async fn emergency_data(emergency: String) -> Result<SharedDataView, ApiError> {
    let caseworker = guard::caseworker().await?;
    let held = guard::office_emergency(&caseworker, emergency_id(&emergency)?).await?;
    let gate = guard::services()?.gate.clone();
    gate.emergency_view(&held).await?.ok_or_else(|| guard::fail(ApiError::NotFound))
}

/// Every emergency access, for the data protection officer's review. No case content.
#[server(prefix = "/api", endpoint = "datenschutz/notzugriffe")]
pub async fn emergency_review() -> Result<Vec<EmergencyView>, ApiError> {
    let officer = guard::data_protection_officer().await?;
    Ok(guard::services()?.gate.emergency_review(&officer).await?)
}

/// Every protection flag, for the data protection officer's review: kind, whose, which office,
/// when set and lifted. Not the reason, no case content.
#[server(prefix = "/api", endpoint = "datenschutz/schutzvermerke")]
pub async fn flag_review() -> Result<Vec<FlagReviewItem>, ApiError> {
    let officer = guard::data_protection_officer().await?;
    Ok(guard::services()?.gate.flag_review(&officer).await?)
}

/// The access log across citizens for the data protection officer, newest first, 50 to a page
/// (`before`: continue below that entry), filtered by office, staff member, basis
/// (`application`, `consent`, `emergency`) and days (`from`, `until`: `YYYY-MM-DD`).
#[server(prefix = "/api", endpoint = "datenschutz/zugriffe")]
pub async fn access_log_review(
    office: Option<String>,
    staff: Option<String>,
    basis: Option<String>,
    from: Option<String>,
    until: Option<String>,
    before: Option<String>,
) -> Result<LogReview, ApiError> {
    use crate::server::db::Timestamp;
    let officer = guard::data_protection_officer().await?;
    let given = |value: Option<String>| value.map(|value| value.trim().to_owned()).unwrap_or_default();
    let filter = crate::case::LogReviewFilter {
        office: given(office),
        staff: given(staff),
        basis: given(basis),
        from: given(from),
        until: given(until),
    };
    if filter.office.len() > 64 {
        return Err(invalid("office", "choose an office from the list"));
    }
    if !["", "application", "consent", "emergency"].contains(&filter.basis.as_str()) {
        return Err(invalid("basis", "choose application, consent or emergency"));
    }
    let staff = match filter.staff.as_str() {
        "" => None,
        id => Some(parse_id(id, "staff", "choose a staff member from the list")?),
    };
    let day = |text: &str, field: &str| -> Result<Option<time::Date>, ApiError> {
        match text {
            "" => Ok(None),
            text => time::Date::parse(text, &time::macros::format_description!("[year]-[month]-[day]"))
                .map(Some)
                .map_err(|_| invalid(field, "give the day as YYYY-MM-DD")),
        }
    };
    let from = day(&filter.from, "from")?.map(|day| Timestamp::from(day.midnight().assume_utc()));
    let until = day(&filter.until, "until")?
        .and_then(|day| day.next_day())
        .map(|day| Timestamp::from(day.midnight().assume_utc()));
    let before = match before.as_deref().map(str::trim).filter(|before| !before.is_empty()) {
        None => None,
        Some(before) => Some(before.parse::<i64>().map_err(|_| invalid("before", "continue from a page of the log"))?),
    };
    let gate = guard::services()?.gate.clone();
    Ok(gate.review_access_log(&officer, filter, staff, (from, until), before).await?)
}

/// Checks the whole access log for the data protection officer: the Merkle tree recomputed from
/// every leaf, against every signed checkpoint and the witness's cosignatures. It reads every
/// entry, as `server verify-access-log` does: the officer's and the operator's check.
#[server(prefix = "/api", endpoint = "datenschutz/protokoll-pruefen")]
pub async fn check_access_log_as_officer() -> Result<crate::consent::LogCheck, ApiError> {
    guard::data_protection_officer().await?;
    let verification = guard::services()?.log_tree.verify().await?;
    if let Some(problem) = &verification.problem {
        tracing::warn!(?problem, "the data protection officer's check found the access log changed");
    }
    Ok(crate::consent::LogCheck { intact: verification.problem.is_none(), leaves: verification.leaves })
}
