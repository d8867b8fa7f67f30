//! The citizen's server functions for consents and the access log. A citizen acts for
//! themselves or, with `person`, for a minor child in their custody; anybody else's id is
//! answered like an id that does not exist.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::{invalid, parse_id};
#[cfg(feature = "ssr")]
use crate::server::{auth::guard, db::CitizenId};
use crate::{
    applying::{DataEdit, SharingOffer},
    auth::ApiError,
    consent::{CitizenAccessLog, ConsentView, DataExport, MyData, PersonView, TermsRenewal},
    log_proof::{LogKeys, LogProofs},
};

/// Every consent of the citizen (or of their minor child), newest first, each with its history.
#[server(prefix = "/api", endpoint = "buerger/einwilligungen")]
pub async fn my_consents(person: Option<String>) -> Result<Vec<ConsentView>, ApiError> {
    let acting = guard::acting_for(guard::citizen().await?, person.as_deref()).await?;
    Ok(guard::services()?.citizen.consents_of(&acting).await?)
}

/// Grants an optional sharing a consent template offers, for `days` (its longest validity when
/// absent); renews it when it is already granted. Answers the consent's id.
#[server(prefix = "/api", endpoint = "buerger/einwilligung-erteilen")]
pub async fn grant_consent(sharing: String, person: Option<String>, days: Option<String>) -> Result<String, ApiError> {
    let citizen = guard::citizen().await?;
    let sharing = parse_id(&sharing, "sharing", "choose one of the sharings offered to you")?;
    let days = match days.as_deref().map(str::trim).filter(|days| !days.is_empty()) {
        None => None,
        Some(days) => {
            Some(days.parse::<i64>().map_err(|_| invalid("days", "give the number of days as a whole number"))?)
        }
    };
    let acting = guard::acting_for(citizen, person.as_deref()).await?;
    let consent = guard::services()?.citizen.grant_consent(&acting, sharing, days).await?;
    Ok(consent.to_string())
}

/// The new versions of consent templates the citizen (or their minor child) is asked to agree
/// to: for each open application whose template now requires more, what its office would
/// receive in addition. Until they agree, nothing widens.
#[server(prefix = "/api", endpoint = "buerger/neue-bedingungen")]
pub async fn terms_renewals(person: Option<String>) -> Result<Vec<TermsRenewal>, ApiError> {
    let acting = guard::acting_for(guard::citizen().await?, person.as_deref()).await?;
    Ok(guard::services()?.citizen.renewals(&acting).await?)
}

/// The citizen agrees to the new version `version` for `application`: its office receives
/// what that version requires from now on.
#[server(prefix = "/api", endpoint = "buerger/neue-bedingungen-zustimmen")]
pub async fn accept_terms(application: String, version: String) -> Result<(), ApiError> {
    let citizen = guard::citizen().await?;
    let application = super::application_id(&application)?;
    let version = parse_id(&version, "version", "agree to the version shown to you")?;
    Ok(guard::services()?.citizen.accept_renewal(&citizen, application, version).await?)
}

/// Revokes a consent from the next request on.
#[server(prefix = "/api", endpoint = "buerger/einwilligung-widerrufen")]
pub async fn revoke_consent(consent: String) -> Result<(), ApiError> {
    let citizen = guard::citizen().await?;
    let consent = parse_id(&consent, "consent", "choose one of your consents")?;
    Ok(guard::services()?.citizen.revoke_consent(&citizen, consent).await?)
}

/// Who read the citizen's (or their minor child's) data: every read, and the emergency
/// accesses, except what a recorded deferral holds back until its date.
#[server(prefix = "/api", endpoint = "buerger/zugriffe")]
pub async fn my_access_log(person: Option<String>) -> Result<CitizenAccessLog, ApiError> {
    let acting = guard::acting_for(guard::citizen().await?, person.as_deref()).await?;
    let page = crate::server::access_log::CITIZEN_PAGE;
    Ok(guard::services()?.citizen.citizen_access_log(&acting, page).await?)
}

/// The signed-in citizen and the minor children they act for.
#[server(prefix = "/api", endpoint = "buerger/personen")]
pub async fn people_acted_for() -> Result<Vec<PersonView>, ApiError> {
    let citizen = guard::citizen().await?;
    Ok(guard::services()?.citizen.people_acted_for(&citizen).await?)
}

/// The keys the citizen's browser checks the access log with: the portal's and the witness's.
#[server(prefix = "/api", endpoint = "buerger/protokoll-schluessel")]
pub async fn access_log_keys() -> Result<LogKeys, ApiError> {
    guard::citizen().await?;
    let tree = &guard::services()?.log_tree;
    Ok(LogKeys { log: tree.verifier_key(), witness: tree.witness_key() })
}

/// What the citizen's browser needs to check the entries their access-log page shows (of
/// themselves or of their minor child): the newest witnessed checkpoint, each entry's leaf and
/// inclusion proof, and the consistency proof from the tree size it verified last (`since`).
#[server(prefix = "/api", endpoint = "buerger/protokoll-beweise")]
pub async fn access_log_proofs(person: Option<String>, since: Option<u64>) -> Result<LogProofs, ApiError> {
    let acting = guard::acting_for(guard::citizen().await?, person.as_deref()).await?;
    let services = guard::services()?;
    let checked = i64::try_from(crate::log_proof::CHECKED).unwrap_or(i64::MAX);
    let leaves = services.citizen.leaves_of(&acting, checked).await?;
    Ok(services.log_tree.proofs(leaves, since).await?)
}

/// Everything kept about the citizen (or their minor child) as a JSON file to download: their
/// data, applications, consent records (ISO/IEC TS 27560) and the reads of their data, each
/// with its proof that it is in the access log's witnessed tree (`log_proof`).
#[server(prefix = "/api", endpoint = "buerger/datenexport", input = server_fn::codec::GetUrl)]
pub async fn export_my_data(person: Option<String>) -> Result<DataExport, ApiError> {
    let acting = guard::acting_for(guard::citizen().await?, person.as_deref()).await?;
    let services = guard::services()?;
    let mut export = services.citizen.data_export(&acting).await?;
    let mut proofs = services.log_tree.proofs(services.citizen.leaves_of(&acting, i64::MAX).await?, None).await?.exported();
    for entry in &mut export.access_log {
        entry.log_proof = proofs.remove(&entry.id);
    }
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
    let acting = guard::acting_for(guard::citizen().await?, person.as_deref()).await?;
    Ok(guard::services()?.citizen.my_data(&acting).await?)
}

/// The sharings the citizen (or their minor child) may grant now, from the newest consent
/// templates.
#[server(prefix = "/api", endpoint = "buerger/freigabe-angebote")]
pub async fn sharing_offers(person: Option<String>) -> Result<Vec<SharingOffer>, ApiError> {
    let acting = guard::acting_for(guard::citizen().await?, person.as_deref()).await?;
    Ok(guard::services()?.citizen.sharing_offers(&acting).await?)
}

/// Where answers that did not fit wait in the session until the citizen fixes them: kept on the
/// server, so a reload shows them again, and never in an address.
#[cfg(feature = "ssr")]
fn written_answers_key(person: CitizenId, category: &str) -> String {
    format!("data-edit:{person}:{category}")
}

/// One category of the citizen's (or their minor child's) data to correct: every form's
/// questions of it with what is kept, or, after a save that did not fit (`problems`), what was
/// written and what to fix.
#[server(prefix = "/api", endpoint = "buerger/daten-kategorie")]
pub async fn data_category(
    person: Option<String>,
    category: String,
    problems: Option<String>,
) -> Result<DataEdit, ApiError> {
    let acting = guard::acting_for(guard::citizen().await?, person.as_deref()).await?;
    let category = category.trim();
    let written = match problems.is_some_and(|problems| !problems.is_empty()) {
        true => {
            let session = guard::session().await?;
            session
                .get::<std::collections::BTreeMap<String, String>>(&written_answers_key(acting.person(), category))
                .await?
        }
        false => None,
    };
    Ok(guard::services()?.citizen.data_edit(&acting, category, written.as_ref()).await?)
}

/// Corrects one category of the citizen's (or their minor child's) data (`answers`: question
/// key → answer as written). When every answer fits it is kept — offices that may see the
/// category see the change from the next request — and the browser goes back to "my data";
/// otherwise nothing changes and the page shows what was written and what to fix.
#[server(prefix = "/api", endpoint = "buerger/daten-speichern")]
pub async fn save_my_data(
    person: Option<String>,
    category: String,
    answers: Option<std::collections::BTreeMap<String, String>>,
) -> Result<String, ApiError> {
    use crate::url::for_person;
    let acting = guard::acting_for(guard::citizen().await?, person.as_deref()).await?;
    let category = category.trim();
    let answers = answers.unwrap_or_default();
    if answers.len() > 100 {
        return Err(invalid("answers", "send the answers of one category at a time"));
    }
    let self_service = guard::services()?.citizen.clone();
    let session = guard::session().await?;
    let (person, is_self) = (acting.person(), acting.is_self());
    let key = written_answers_key(person, category);
    let next = match self_service.save_data(&acting, category, &answers).await? {
        true => {
            session.remove::<std::collections::BTreeMap<String, String>>(&key).await?;
            tracing::info!(citizen = %acting.citizen().id(), %person, category, "data corrected");
            let page = for_person("/buerger/daten", &person.to_string(), is_self);
            let joiner = if page.contains('?') { '&' } else { '?' };
            format!("{page}{joiner}gespeichert={category}#kategorie-{category}")
        }
        false => {
            session.insert(&key, &answers).await?;
            let page = for_person(&format!("/buerger/daten/{category}"), &person.to_string(), is_self);
            let joiner = if page.contains('?') { '&' } else { '?' };
            format!("{page}{joiner}fehler=1")
        }
    };
    super::go_to(&next);
    Ok(next)
}
