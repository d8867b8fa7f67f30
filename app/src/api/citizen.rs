//! The citizen's server functions for consents and the access log. A citizen acts for
//! themselves or, with `person`, for a minor child in their custody; anybody else's id is
//! answered like an id that does not exist.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::{gate_refused, internal, invalid};
#[cfg(feature = "ssr")]
use crate::server::{auth::guard, db::Id};
use crate::{
    applying::SharingOffer,
    auth::ApiError,
    consent::{CitizenAccessLog, ConsentView, DataExport, LogCheck, MyData, PersonView},
};

/// The person the citizen acts for: themselves when `person` is absent.
#[cfg(feature = "ssr")]
pub(super) async fn person_acted_for(citizen: &crate::server::auth::Citizen, person: Option<&str>) -> Result<Id, ApiError> {
    let Some(person) = person.map(str::trim).filter(|person| !person.is_empty()) else { return Ok(citizen.id()) };
    let person = Id::parse(person).ok_or_else(|| invalid("person", "choose yourself or one of your children"))?;
    let gate = guard::services()?.gate;
    match gate.acts_for(citizen, person).await.map_err(internal)? {
        true => Ok(person),
        false => Err(guard::fail(ApiError::NotFound)),
    }
}

/// Every consent of the citizen (or of their minor child), newest first, each with its history.
#[server(prefix = "/api", endpoint = "buerger/einwilligungen")]
pub async fn my_consents(person: Option<String>) -> Result<Vec<ConsentView>, ApiError> {
    let citizen = guard::citizen().await?;
    let person = person_acted_for(&citizen, person.as_deref()).await?;
    guard::services()?.gate.consents_of(&citizen, person).await.map_err(gate_refused)
}

/// Grants an optional sharing a consent template offers, for `days` (its longest validity when
/// absent); renews it when it is already granted. Answers the consent's id.
#[server(prefix = "/api", endpoint = "buerger/einwilligung-erteilen")]
pub async fn grant_consent(sharing: String, person: Option<String>, days: Option<String>) -> Result<String, ApiError> {
    let citizen = guard::citizen().await?;
    let sharing =
        Id::parse(sharing.trim()).ok_or_else(|| invalid("sharing", "choose one of the sharings offered to you"))?;
    let days = match days.as_deref().map(str::trim).filter(|days| !days.is_empty()) {
        None => None,
        Some(days) => {
            Some(days.parse::<i64>().map_err(|_| invalid("days", "give the number of days as a whole number"))?)
        }
    };
    let person = person_acted_for(&citizen, person.as_deref()).await?;
    let consent = guard::services()?.gate.grant_consent(&citizen, person, sharing, days).await.map_err(gate_refused)?;
    Ok(consent.to_string())
}

/// Revokes a consent from the next request on.
#[server(prefix = "/api", endpoint = "buerger/einwilligung-widerrufen")]
pub async fn revoke_consent(consent: String) -> Result<(), ApiError> {
    let citizen = guard::citizen().await?;
    let consent = Id::parse(consent.trim()).ok_or_else(|| invalid("consent", "choose one of your consents"))?;
    guard::services()?.gate.revoke_consent(&citizen, consent).await.map_err(gate_refused)
}

/// Who read the citizen's (or their minor child's) data: every read, and the emergency
/// accesses, except what a recorded deferral holds back until its date.
#[server(prefix = "/api", endpoint = "buerger/zugriffe")]
pub async fn my_access_log(person: Option<String>) -> Result<CitizenAccessLog, ApiError> {
    let citizen = guard::citizen().await?;
    let person = person_acted_for(&citizen, person.as_deref()).await?;
    guard::services()?.gate.citizen_access_log(person).await.map_err(internal)
}

/// The signed-in citizen and the minor children they act for.
#[server(prefix = "/api", endpoint = "buerger/personen")]
pub async fn people_acted_for() -> Result<Vec<PersonView>, ApiError> {
    let citizen = guard::citizen().await?;
    guard::services()?.gate.people_acted_for(&citizen).await.map_err(internal)
}

/// Checks the whole access log: every entry, the chain and the head.
#[server(prefix = "/api", endpoint = "buerger/protokoll-pruefen")]
pub async fn check_access_log() -> Result<LogCheck, ApiError> {
    guard::citizen().await?;
    let verification = guard::services()?.access_log.verify().await.map_err(internal)?;
    Ok(LogCheck { intact: verification.is_intact() })
}

/// Everything kept about the citizen (or their minor child) as a JSON file to download: their
/// data, applications, consent records (ISO/IEC TS 27560) and the reads of their data.
#[server(prefix = "/api", endpoint = "buerger/datenexport", input = server_fn::codec::GetUrl)]
pub async fn export_my_data(person: Option<String>) -> Result<DataExport, ApiError> {
    let citizen = guard::citizen().await?;
    let person = person_acted_for(&citizen, person.as_deref()).await?;
    let export = guard::services()?.gate.data_export(&citizen, person).await.map_err(gate_refused)?;
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        let name = format!("attachment; filename=\"klarsicht-daten-{}.json\"", &export.generated_at[..10]);
        if let Ok(value) = axum::http::HeaderValue::from_str(&name) {
            response.insert_header(axum::http::header::CONTENT_DISPOSITION, value);
        }
        response.insert_header(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    }
    Ok(export)
}

/// The citizen's (or their minor child's) data by category, and which offices may see each now
/// and why.
#[server(prefix = "/api", endpoint = "buerger/daten")]
pub async fn data_by_category(person: Option<String>) -> Result<MyData, ApiError> {
    let citizen = guard::citizen().await?;
    let person = person_acted_for(&citizen, person.as_deref()).await?;
    guard::services()?.gate.my_data(&citizen, person).await.map_err(gate_refused)
}

/// The sharings the citizen (or their minor child) may grant now, from the newest consent
/// templates.
#[server(prefix = "/api", endpoint = "buerger/freigabe-angebote")]
pub async fn sharing_offers(person: Option<String>) -> Result<Vec<SharingOffer>, ApiError> {
    let citizen = guard::citizen().await?;
    let person = person_acted_for(&citizen, person.as_deref()).await?;
    guard::services()?.gate.sharing_offers(&citizen, person).await.map_err(gate_refused)
}
