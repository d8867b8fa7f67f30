//! What every server function calls first: the principal of this request, checked on the
//! server, or an [`ApiError`] answered with 401 (nobody signed in) or 403 (wrong role); and
//! the capabilities (`capability`) it mints from it: what this principal may act on in this
//! request, each resolved once.

use std::sync::Arc;

use leptos::prelude::use_context;
use tower_sessions::Session;

use crate::{
    auth::ApiError,
    server::{
        db::{ApplicationId, CitizenId, DocumentId, EmergencyId, Id},
        gate::Held,
        services::Services,
    },
};

use super::{
    capability::{
        ActingFor, Administrator, CaseAccess, Caseworker, CaseworkerAt, DataProtectionOfficer, OfficeEmergency,
        Overseer,
    },
    principal::{Citizen, Principal, Staff},
};

/// Sets the response status for `error` and returns it.
///
/// Not for a plain form post from one of our pages to a server function (a browser without
/// JavaScript, which takes HTML and names the page): the server function sends it back to that
/// page with the error in the address, and that redirect must keep its status, or the browser
/// shows the error's JSON instead of the page. Pages themselves keep their status (404 for
/// what is not theirs), and so does a call that names no page.
pub fn fail(error: ApiError) -> ApiError {
    let plain_form_post = use_context::<axum::http::request::Parts>().is_some_and(|request| {
        let takes_html = request
            .headers
            .get(axum::http::header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
        let from_a_page = request.headers.contains_key(axum::http::header::REFERER);
        takes_html && from_a_page && request.uri.path().starts_with("/api/")
    });
    if !plain_form_post
        && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = axum::http::StatusCode::from_u16(error.status())
    {
        response.set_status(status);
    }
    error
}

/// The services, from the request's context: shared, so each look-up costs one reference count
/// rather than a copy of every service's handles.
pub fn services() -> Result<Arc<Services>, ApiError> {
    use_context::<Arc<Services>>().ok_or_else(|| {
        tracing::error!("a server function ran without the services in its context");
        fail(ApiError::Internal)
    })
}

/// This request's session.
pub async fn session() -> Result<Session, ApiError> {
    leptos_axum::extract::<Session>().await.map_err(|error| {
        tracing::error!(%error, "a server function ran without a session layer");
        fail(ApiError::Internal)
    })
}

/// The principal of one request, looked up once: a page asks for it in its header and again in
/// its guarded content. Provided fresh for every request by the router.
#[derive(Clone, Default)]
pub struct RequestPrincipal(std::sync::Arc<tokio::sync::OnceCell<Option<Principal>>>);

/// The signed-in person, if any.
pub async fn optional_principal() -> Result<Option<Principal>, ApiError> {
    let cache = use_context::<RequestPrincipal>().unwrap_or_default();
    cache
        .0
        .get_or_try_init(|| async {
            let services = services()?;
            let session = session().await?;
            services.sessions.current(&session).await.map_err(|error| {
                tracing::error!(%error, "the session could not be read");
                fail(ApiError::Internal)
            })
        })
        .await
        .cloned()
}

/// The signed-in person, or 401.
pub async fn principal() -> Result<Principal, ApiError> {
    optional_principal().await?.ok_or_else(|| fail(ApiError::NotSignedIn))
}

/// A signed-in citizen, or 401/403.
pub async fn citizen() -> Result<Citizen, ApiError> {
    match principal().await? {
        Principal::Citizen(citizen) => Ok(citizen),
        Principal::Staff(_) => Err(fail(ApiError::NotAllowed)),
    }
}

/// A signed-in staff member of any role, or 401/403.
pub async fn staff() -> Result<Staff, ApiError> {
    match principal().await? {
        Principal::Staff(staff) => Ok(staff),
        Principal::Citizen(_) => Err(fail(ApiError::NotAllowed)),
    }
}

/// A signed-in caseworker, or 401/403.
pub async fn caseworker() -> Result<Caseworker, ApiError> {
    Caseworker::of(staff().await?).ok_or_else(|| fail(ApiError::NotAllowed))
}

/// The caseworker at the office they name (their first when they name none); 404 for an
/// office that is not theirs.
pub fn caseworker_at(caseworker: &Caseworker, office: Option<&str>) -> Result<CaseworkerAt, ApiError> {
    caseworker.at_named_or_first(office).ok_or_else(|| fail(ApiError::NotFound))
}

/// The caseworker at the office that holds `record` (one look-up, never a trial of each
/// office), and the id the capability names; 404 when none of theirs does, whether or not
/// another office holds it.
async fn held_by<Of, Names>(
    caseworker: &Caseworker,
    record: Held<Of, Names>,
) -> Result<(CaseworkerAt, Id<Names>), ApiError> {
    let found = services()?.gate.holder(record, |office| caseworker.at(office.as_str())).await.map_err(|error| {
        tracing::error!(%error, "the office holding a record could not be read");
        fail(ApiError::Internal)
    })?;
    found.ok_or_else(|| fail(ApiError::NotFound))
}

/// The caseworker's access to `application`, which one of their offices holds; 404 otherwise.
pub async fn case_access(caseworker: &Caseworker, application: ApplicationId) -> Result<CaseAccess, ApiError> {
    let (at, application) = held_by(caseworker, Held::application(application)).await?;
    Ok(at.to_case(application))
}

/// The caseworker's access to the application `document` was handed in to; 404 when none of
/// their offices holds it.
pub async fn document_access(caseworker: &Caseworker, document: DocumentId) -> Result<CaseAccess, ApiError> {
    let (at, application) = held_by(caseworker, Held::document(document)).await?;
    Ok(at.to_case(application))
}

/// The caseworker's hold on `emergency`, an emergency access of one of their offices; 404
/// otherwise.
pub async fn office_emergency(caseworker: &Caseworker, emergency: EmergencyId) -> Result<OfficeEmergency, ApiError> {
    let (at, emergency) = held_by(caseworker, Held::emergency(emergency)).await?;
    Ok(at.to_emergency(emergency))
}

/// The person `citizen` acts for: themselves when `person` is absent, or a minor child in their
/// custody; 422 for a malformed id, 404 for anybody else (whether they exist is not said).
pub async fn acting_for(citizen: Citizen, person: Option<&str>) -> Result<ActingFor, ApiError> {
    let Some(person) = person.map(str::trim).filter(|person| !person.is_empty()) else {
        return Ok(ActingFor::themselves(citizen));
    };
    let Some(person) = CitizenId::parse(person) else {
        return Err(fail(ApiError::Invalid {
            field: "person".to_owned(),
            message: "choose yourself or one of your children".to_owned(),
        }));
    };
    if person == citizen.id() {
        return Ok(ActingFor::themselves(citizen));
    }
    let custody = services()?.citizen.acts_for(&citizen, person).await.map_err(|error| {
        tracing::error!(%error, "custody could not be read");
        fail(ApiError::Internal)
    })?;
    if custody { Ok(ActingFor::for_child(citizen, person)) } else { Err(fail(ApiError::NotFound)) }
}

/// A signed-in administrator, or 401/403.
pub async fn administrator() -> Result<Administrator, ApiError> {
    Administrator::of(staff().await?).ok_or_else(|| fail(ApiError::NotAllowed))
}

/// A signed-in data protection officer, or 401/403.
pub async fn data_protection_officer() -> Result<DataProtectionOfficer, ApiError> {
    DataProtectionOfficer::of(staff().await?).ok_or_else(|| fail(ApiError::NotAllowed))
}

/// A signed-in administrator or data protection officer, or 401/403.
pub async fn overseer() -> Result<Overseer, ApiError> {
    Overseer::of(staff().await?).ok_or_else(|| fail(ApiError::NotAllowed))
}
