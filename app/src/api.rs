//! The server functions: each finds the signed-in principal on the server (through
//! `server::auth::guard`), calls a service, and returns plain data. No SQL and no rules here.
//!
//! Every endpoint is named, under `/api/`, so tests and operators can address it.

mod admin;
mod applying;
mod citizen;
mod correspondence;
mod staff;

pub use admin::*;
pub use applying::*;
pub use citizen::*;
pub use correspondence::*;
pub use staff::*;

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server::{
    auth::{Principal, guard, sessions::SessionError},
    db::DatabaseError,
    error::ServiceError,
};
use crate::{
    auth::{ApiError, DemoPerson, Me, SessionView},
    case::ProtectionFlagView,
};

/// Which ways to sign in this portal offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignInChoices {
    pub citizen_provider: bool,
    pub staff_provider: bool,
    pub demo: bool,
}

/// A failure the caller cannot fix: logged here, answered with 500 and nothing of its cause.
#[cfg(feature = "ssr")]
fn internal(error: impl std::fmt::Display) -> ApiError {
    tracing::error!(%error, "a server function failed");
    guard::fail(ApiError::Internal)
}

/// A service's refusal as the caller's answer, so that a server function writes `?`.
#[cfg(feature = "ssr")]
impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound => guard::fail(ApiError::NotFound),
            ServiceError::Invalid { field, message } => guard::fail(ApiError::Invalid { field: field.to_owned(), message }),
            ServiceError::Database(error) => error.into(),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<DatabaseError> for ApiError {
    fn from(error: DatabaseError) -> Self {
        if error.is_log_behind() {
            return guard::fail(ApiError::LogBehind);
        }
        internal(error)
    }
}

#[cfg(feature = "ssr")]
impl From<SessionError> for ApiError {
    fn from(error: SessionError) -> Self {
        internal(error)
    }
}

#[cfg(feature = "ssr")]
impl From<tower_sessions::session::Error> for ApiError {
    fn from(error: tower_sessions::session::Error) -> Self {
        internal(error)
    }
}

/// Who is signed in, if anyone. Open to everybody.
#[server(prefix = "/api", endpoint = "ich")]
pub async fn who_am_i() -> Result<Option<Me>, ApiError> {
    let Some(principal) = guard::optional_principal().await? else { return Ok(None) };
    let mut me = principal.me();
    if matches!(principal, Principal::Staff(_)) {
        me.log_behind = guard::services()?.log_tree.gap().await?.map(|gap| gap.entries());
    }
    Ok(Some(me))
}

/// The ways to sign in. Open to everybody.
#[server(prefix = "/api", endpoint = "anmeldung")]
pub async fn sign_in_options() -> Result<SignInChoices, ApiError> {
    use crate::server::auth::oidc::Entrance;
    let services = guard::services()?;
    let sign_in = &services.sign_in;
    Ok(SignInChoices {
        citizen_provider: sign_in.has_provider(Entrance::Citizen),
        staff_provider: sign_in.has_provider(Entrance::Staff),
        demo: sign_in.demo_enabled(),
    })
}

/// The demo people (development mode only; 404 otherwise).
#[server(prefix = "/api", endpoint = "demo/personen")]
pub async fn demo_people() -> Result<Vec<DemoPerson>, ApiError> {
    let services = guard::services()?;
    if !services.sign_in.demo_enabled() {
        return Err(guard::fail(ApiError::NotFound));
    }
    Ok(services.directory.demo_people().await?)
}

/// The citizen's own sessions that still count.
#[server(prefix = "/api", endpoint = "buerger/sitzungen")]
pub async fn my_sessions() -> Result<Vec<SessionView>, ApiError> {
    let citizen = guard::citizen().await?;
    let (services, session) = (guard::services()?, guard::session().await?);
    Ok(services.sessions.list(&citizen, &session).await?)
}

/// Ends one of the citizen's own sessions.
#[server(prefix = "/api", endpoint = "buerger/sitzung-beenden")]
pub async fn end_session(session_id: String) -> Result<(), ApiError> {
    let citizen = guard::citizen().await?;
    if session_id.is_empty() || session_id.len() > 64 {
        return Err(guard::fail(ApiError::Invalid {
            field: "session_id".to_owned(),
            message: "name one of your sessions from the list".to_owned(),
        }));
    }
    let services = guard::services()?;
    match services.sessions.end(&citizen, &session_id).await? {
        true => Ok(()),
        false => Err(guard::fail(ApiError::NotFound)),
    }
}

/// Ends all of the citizen's sessions but this one; answers how many.
#[server(prefix = "/api", endpoint = "buerger/andere-sitzungen-beenden")]
pub async fn end_other_sessions() -> Result<u64, ApiError> {
    let citizen = guard::citizen().await?;
    let (services, session) = (guard::services()?, guard::session().await?);
    Ok(services.sessions.end_others(&citizen, &session).await?)
}

/// The signed-in staff member (any role), for the staff pages.
#[server(prefix = "/api", endpoint = "mitarbeitende/ich")]
pub async fn staff_me() -> Result<Me, ApiError> {
    Ok(Principal::Staff(guard::staff().await?).me())
}

/// The signed-in administrator, for the administration pages.
#[server(prefix = "/api", endpoint = "verwaltung/ich")]
pub async fn administrator_me() -> Result<Me, ApiError> {
    Ok(Principal::Staff(guard::administrator().await?.staff().clone()).me())
}

/// The signed-in data protection officer, for their pages.
#[server(prefix = "/api", endpoint = "datenschutz/ich")]
pub async fn data_protection_officer_me() -> Result<Me, ApiError> {
    Ok(Principal::Staff(guard::data_protection_officer().await?.staff().clone()).me())
}

/// The signed-in citizen, for the citizen pages.
#[server(prefix = "/api", endpoint = "buerger/ich")]
pub async fn citizen_me() -> Result<Me, ApiError> {
    Ok(Principal::Citizen(guard::citizen().await?).me())
}

/// Sends the browser to `path` after the server function (a redirect: every form of the portal
/// is a plain one).
#[cfg(feature = "ssr")]
fn go_to(path: &str) {
    leptos_axum::redirect(path);
}

#[cfg(feature = "ssr")]
fn invalid(field: &str, message: &str) -> ApiError {
    guard::fail(ApiError::Invalid { field: field.to_owned(), message: message.to_owned() })
}

/// The id of the kind `Of` that form field `field` names, or 422 naming the field and `fix`.
#[cfg(feature = "ssr")]
fn parse_id<Of>(text: &str, field: &str, fix: &str) -> Result<crate::server::db::Id<Of>, ApiError> {
    crate::server::db::Id::parse(text.trim()).ok_or_else(|| invalid(field, fix))
}

/// An application id from a form, or 422 naming the field.
#[cfg(feature = "ssr")]
fn application_id(application: &str) -> Result<crate::server::db::ApplicationId, ApiError> {
    parse_id(application, "application", "give the application's id as shown in your queue")
}

/// The active protection flags of the citizen of this case (staff of the citizen's own cases).
#[server(prefix = "/api", endpoint = "mitarbeitende/schutzvermerke")]
pub async fn protection_flags(application: String) -> Result<Vec<ProtectionFlagView>, ApiError> {
    let caseworker = guard::caseworker().await?;
    let case = guard::case_access(&caseworker, application_id(&application)?).await?;
    let gate = guard::services()?.gate.clone();
    gate.protection_flags(&case).await?.ok_or_else(|| guard::fail(ApiError::NotFound))
}

/// Sets a protection flag on the citizen of this case; answers the flag's id.
#[server(prefix = "/api", endpoint = "mitarbeitende/schutzvermerk-setzen")]
pub async fn set_protection_flag(application: String, kind: String, reason: String) -> Result<String, ApiError> {
    let caseworker = guard::caseworker().await?;
    let id = application_id(&application)?;
    if !crate::case::PROTECTION_FLAG_KINDS.contains(&kind.as_str()) {
        return Err(invalid("kind", "choose address_block, domestic_violence or other"));
    }
    let reason = staff::reason_text(&reason)?;
    let case = guard::case_access(&caseworker, id).await?;
    let casework = guard::services()?.casework.clone();
    let flag = casework
        .set_protection_flag(&case, &kind, &reason)
        .await?
        .ok_or_else(|| guard::fail(ApiError::NotFound))?;
    tracing::info!(staff = %caseworker.id(), flag = %flag, "protection flag set");
    go_to(&staff::case_path(&id.to_string(), "?erledigt=schutzvermerk"));
    Ok(flag.to_string())
}

/// Lifts a protection flag of the citizen of this case, with a reason.
#[server(prefix = "/api", endpoint = "mitarbeitende/schutzvermerk-aufheben")]
pub async fn lift_protection_flag(application: String, flag: String, reason: String) -> Result<(), ApiError> {
    let caseworker = guard::caseworker().await?;
    let id = application_id(&application)?;
    let flag = parse_id(&flag, "flag", "name one of the case's flags")?;
    let reason = staff::reason_text(&reason)?;
    let case = guard::case_access(&caseworker, id).await?;
    let casework = guard::services()?.casework.clone();
    if !casework.lift_protection_flag(&case, flag, &reason).await? {
        return Err(guard::fail(ApiError::NotFound));
    }
    go_to(&staff::case_path(&id.to_string(), "?erledigt=vermerk-aufgehoben"));
    Ok(())
}
