//! The staff's server functions for the queue, data shared by consent and emergency access,
//! and the data protection officer's review of emergency accesses. Ids of another office are
//! answered like ids that do not exist.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::{application_id, in_some_office, internal, invalid};
#[cfg(feature = "ssr")]
use crate::server::{
    auth::{Staff, guard},
    db::Id,
    gate::GateError,
};
use crate::{
    auth::ApiError,
    case::{EmergencyView, QueuePage, SharedDataView, SharingItem},
};

/// The office a caseworker names, or their first; 404 for an office that is not theirs.
#[cfg(feature = "ssr")]
fn own_office(staff: &Staff, office: Option<&str>) -> Result<String, ApiError> {
    let mut offices = staff.caseworker_offices();
    let found = match office.map(str::trim).filter(|office| !office.is_empty()) {
        None => offices.next(),
        Some(named) => offices.find(|own| *own == named),
    };
    found.map(str::to_owned).ok_or_else(|| guard::fail(ApiError::NotFound))
}

#[cfg(feature = "ssr")]
fn emergency_id(emergency: &str) -> Result<Id, ApiError> {
    Id::parse(emergency.trim())
        .ok_or_else(|| invalid("emergency", "choose an emergency access from your office's list"))
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

/// One page of the office's queue (`page` from 1, 25 to a page).
#[server(prefix = "/api", endpoint = "mitarbeitende/warteschlange")]
pub async fn queue(office: Option<String>, page: Option<String>) -> Result<QueuePage, ApiError> {
    let staff = guard::caseworker().await?;
    let office = own_office(&staff, office.as_deref())?;
    let page = match page.as_deref().map(str::trim).filter(|page| !page.is_empty()) {
        None => 1,
        Some(page) => page
            .parse::<i64>()
            .ok()
            .filter(|page| *page >= 1)
            .ok_or_else(|| invalid("page", "give a page number from 1"))?,
    };
    let gate = guard::services()?.gate;
    gate.queue(&staff, &office, page, 25).await.map_err(internal)?.ok_or_else(|| guard::fail(ApiError::NotFound))
}

/// What citizens shared with the office by consent, by citizen and purpose.
#[server(prefix = "/api", endpoint = "mitarbeitende/freigaben")]
pub async fn sharings(office: Option<String>) -> Result<Vec<SharingItem>, ApiError> {
    let staff = guard::caseworker().await?;
    let office = own_office(&staff, office.as_deref())?;
    let gate = guard::services()?.gate;
    gate.sharings(&staff, &office).await.map_err(internal)?.ok_or_else(|| guard::fail(ApiError::NotFound))
}

/// Reads the data a citizen shared with the caseworker's office for `purpose`, through the gate.
#[server(prefix = "/api", endpoint = "mitarbeitende/freigabe")]
pub async fn shared_data(citizen: String, purpose: String) -> Result<SharedDataView, ApiError> {
    let staff = guard::caseworker().await?;
    let citizen =
        Id::parse(citizen.trim()).ok_or_else(|| invalid("citizen", "choose a person from the list of sharings"))?;
    let gate = guard::services()?.gate;
    in_some_office(&staff, |office| {
        let (gate, staff, purpose) = (gate.clone(), staff.clone(), purpose.clone());
        async move { gate.consented_view(&staff, &office, citizen, &purpose).await?.ok_or(GateError::NotFound) }
    })
    .await
}

/// Opens an emergency access (§ 8a SGB VIII) for the person of a case of the caseworker's youth
/// office: `categories` comma-separated codes, `hours` at most the configured maximum. Pending
/// until a second caseworker confirms. Answers its id.
#[server(prefix = "/api", endpoint = "mitarbeitende/notzugriff-oeffnen")]
pub async fn open_emergency(
    application: String,
    person: String,
    reason: String,
    categories: String,
    hours: String,
) -> Result<String, ApiError> {
    use crate::policy::Category;
    let staff = guard::caseworker().await?;
    let application = application_id(&application)?;
    let person =
        Id::parse(person.trim()).ok_or_else(|| invalid("person", "choose the child or the parent of this case"))?;
    let reason = reason_text(&reason)?;
    let categories = categories
        .split(',')
        .map(str::trim)
        .filter(|code| !code.is_empty())
        .map(|code| Category::from_code(code).ok_or_else(|| invalid("categories", "choose categories from the list")))
        .collect::<Result<Vec<_>, _>>()?;
    let hours = hours.trim().parse::<i64>().map_err(|_| invalid("hours", "give the duration in whole hours"))?;
    let gate = guard::services()?.gate;
    let id = in_some_office(&staff, |office| {
        let (gate, staff, reason, categories) = (gate.clone(), staff.clone(), reason.clone(), categories.clone());
        async move { gate.open_emergency(&staff, &office, application, person, &reason, &categories, hours).await }
    })
    .await?;
    tracing::warn!(staff = %staff.id(), emergency = %id, "emergency access opened");
    Ok(id.to_string())
}

/// The emergency accesses of the caseworker's offices: the confirmation queue and the running ones.
#[server(prefix = "/api", endpoint = "mitarbeitende/notzugriffe")]
pub async fn office_emergencies() -> Result<Vec<EmergencyView>, ApiError> {
    let staff = guard::caseworker().await?;
    let gate = guard::services()?.gate;
    let mut all = Vec::new();
    for office in staff.caseworker_offices() {
        all.extend(gate.office_emergencies(&staff, office).await.map_err(internal)?);
    }
    Ok(all)
}

/// Confirms a colleague's emergency access: it runs from now for the requested duration.
#[server(prefix = "/api", endpoint = "mitarbeitende/notzugriff-bestaetigen")]
pub async fn confirm_emergency(emergency: String) -> Result<(), ApiError> {
    let staff = guard::caseworker().await?;
    let emergency = emergency_id(&emergency)?;
    let gate = guard::services()?.gate;
    in_some_office(&staff, |office| {
        let (gate, staff) = (gate.clone(), staff.clone());
        async move { gate.confirm_emergency(&staff, &office, emergency).await }
    })
    .await?;
    tracing::warn!(staff = %staff.id(), %emergency, "emergency access confirmed");
    Ok(())
}

/// Rejects a colleague's emergency access.
#[server(prefix = "/api", endpoint = "mitarbeitende/notzugriff-ablehnen")]
pub async fn reject_emergency(emergency: String) -> Result<(), ApiError> {
    let staff = guard::caseworker().await?;
    let emergency = emergency_id(&emergency)?;
    let gate = guard::services()?.gate;
    in_some_office(&staff, |office| {
        let (gate, staff) = (gate.clone(), staff.clone());
        async move { gate.reject_emergency(&staff, &office, emergency).await }
    })
    .await
}

/// Ends an emergency access of the caseworker's office early.
#[server(prefix = "/api", endpoint = "mitarbeitende/notzugriff-beenden")]
pub async fn end_emergency(emergency: String) -> Result<(), ApiError> {
    let staff = guard::caseworker().await?;
    let emergency = emergency_id(&emergency)?;
    let gate = guard::services()?.gate;
    in_some_office(&staff, |office| {
        let (gate, staff) = (gate.clone(), staff.clone());
        async move { gate.end_emergency(&staff, &office, emergency).await }
    })
    .await
}

/// Holds an emergency access back from the citizen's access log until `until` (a date,
/// `YYYY-MM-DD`, at most the configured number of days ahead), for a recorded reason.
#[server(prefix = "/api", endpoint = "mitarbeitende/notzugriff-zurueckstellen")]
pub async fn defer_emergency_notice(emergency: String, reason: String, until: String) -> Result<(), ApiError> {
    let staff = guard::caseworker().await?;
    let emergency = emergency_id(&emergency)?;
    let reason = reason_text(&reason)?;
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let until = time::Date::parse(until.trim(), &format)
        .map_err(|_| invalid("until", "give the date as YYYY-MM-DD"))?
        .midnight()
        .assume_utc();
    let until = crate::server::db::Timestamp::from(until);
    let gate = guard::services()?.gate;
    in_some_office(&staff, |office| {
        let (gate, staff, reason) = (gate.clone(), staff.clone(), reason.clone());
        async move { gate.defer_emergency_notice(&staff, &office, emergency, &reason, until).await }
    })
    .await
}

/// Reads the data a confirmed, running emergency access of the caseworker's office opens.
#[server(prefix = "/api", endpoint = "mitarbeitende/notzugriff-daten")]
pub async fn emergency_data(emergency: String) -> Result<SharedDataView, ApiError> {
    let staff = guard::caseworker().await?;
    let emergency = emergency_id(&emergency)?;
    let gate = guard::services()?.gate;
    in_some_office(&staff, |office| {
        let (gate, staff) = (gate.clone(), staff.clone());
        async move { gate.emergency_view(&staff, &office, emergency).await?.ok_or(GateError::NotFound) }
    })
    .await
}

/// Every emergency access, for the data protection officer's review. No case content.
#[server(prefix = "/api", endpoint = "datenschutz/notzugriffe")]
pub async fn emergency_review() -> Result<Vec<EmergencyView>, ApiError> {
    let officer = guard::data_protection_officer().await?;
    guard::services()?.gate.emergency_review(&officer).await.map_err(internal)
}
