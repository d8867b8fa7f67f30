//! The sign-in routes: start at the provider, come back from it, the demo sign-in, sign-out.
//! Each answers with a redirect to a page that says what happened; a refusal leaves no session.

use std::{num::NonZeroU32, sync::Arc};

use app::{
    server::{
        auth::{
            SignInRefusal,
            oidc::{Entrance, SignInError},
            sign_in::{Callback, SignInFailure},
        },
        services::Services,
    },
    url::is_local_path,
};
use axum::{
    Form, Router,
    extract::{Path, Query, Request, State},
    http::{HeaderMap, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::Deserialize;
use tower_sessions::Session;

use crate::state::AppState;

type Limiter = Arc<DefaultKeyedRateLimiter<std::net::IpAddr>>;

/// The sign-in routes, limited to `per_minute` attempts per client address.
pub fn routes(per_minute: u32) -> Router<AppState> {
    let quota = Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN));
    let limiter: Limiter = Arc::new(RateLimiter::keyed(quota));
    let limited = Router::new()
        .route("/anmelden/{entrance}", get(start))
        .route("/anmelden/{entrance}/rueckruf", get(callback))
        .route("/anmelden/demo", post(demo))
        .layer(middleware::from_fn_with_state(limiter, rate_limit));
    limited.route("/abmelden", post(sign_out))
}

async fn rate_limit(State(limiter): State<Limiter>, request: Request, next: Next) -> Response {
    let client = crate::security::client_address(&request);
    if limiter.check_key(&client).is_err() {
        tracing::warn!(%client, "sign-in rate limit reached");
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "60"), (header::LOCATION, "/anmeldung-fehlgeschlagen?grund=zu-viele")],
            "Zu viele Anmeldeversuche: bitte warten Sie eine Minute. Too many sign-in attempts: please wait a minute.",
        )
            .into_response();
    }
    next.run(request).await
}

#[derive(Deserialize)]
struct ReturnTo {
    zurueck: Option<String>,
}

fn failed(reason: &str, entrance: Entrance) -> Response {
    Redirect::to(&format!("/anmeldung-fehlgeschlagen?grund={reason}&zugang={}", entrance.path_segment()))
        .into_response()
}

fn unknown_entrance() -> Response {
    (StatusCode::NOT_FOUND, "Unbekannter Zugang: /anmelden/buerger oder /anmelden/mitarbeitende. Unknown entrance.")
        .into_response()
}

/// Sends the person to their provider, with state, nonce and PKCE bound to this session.
async fn start(
    State(services): State<Arc<Services>>,
    session: Session,
    Path(segment): Path<String>,
    Query(query): Query<ReturnTo>,
) -> Response {
    let Some(entrance) = Entrance::from_path_segment(&segment) else { return unknown_entrance() };
    let return_to = query.zurueck.filter(|path| is_local_path(path));
    match services.sign_in.start(&session, entrance, return_to).await {
        Ok(url) => Redirect::to(url.as_str()).into_response(),
        Err(SignInFailure::NotConfigured) => failed("nicht-eingerichtet", entrance),
        Err(error) => {
            tracing::warn!(%error, entrance = segment, "cannot start a sign-in");
            failed("anbieter", entrance)
        }
    }
}

/// Where the provider sends the person back.
async fn callback(
    State(services): State<Arc<Services>>,
    session: Session,
    Path(segment): Path<String>,
    Query(answer): Query<Callback>,
    headers: HeaderMap,
) -> Response {
    let Some(entrance) = Entrance::from_path_segment(&segment) else { return unknown_entrance() };
    let device = headers.get(header::USER_AGENT).and_then(|agent| agent.to_str().ok());
    match services.sign_in.finish(&session, entrance, answer, device).await {
        Ok((me, return_to)) => {
            tracing::info!(entrance = segment, "signed in");
            Redirect::to(return_to.as_deref().filter(|path| is_local_path(path)).unwrap_or(me.home())).into_response()
        }
        Err(SignInFailure::Refused(refusal)) => {
            tracing::warn!(?refusal, "a person without a staff account tried to sign in");
            let reason = match refusal {
                SignInRefusal::UnknownStaff => "unbekannt",
                SignInRefusal::DeactivatedStaff => "beendet",
            };
            Redirect::to(&format!("/kein-zugang?grund={reason}")).into_response()
        }
        Err(error) => {
            tracing::warn!(%error, entrance = segment, "sign-in refused");
            let reason = match &error {
                SignInFailure::NotConfigured => "nicht-eingerichtet",
                SignInFailure::Provider(SignInError::NoPendingSignIn | SignInError::TookTooLong) => "abgelaufen",
                SignInFailure::Provider(SignInError::ProviderUnavailable(_) | SignInError::ProviderRefused(_)) => {
                    "anbieter"
                }
                // Our side failed (database, session store): say so, not "invalid answer".
                SignInFailure::Session(_) => "stoerung",
                _ => "ungueltig",
            };
            failed(reason, entrance)
        }
    }
}

#[derive(Deserialize)]
struct DemoPerson {
    person: String,
}

/// Signs in as a demo person (development mode only; 404 otherwise).
async fn demo(
    State(services): State<Arc<Services>>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<DemoPerson>,
) -> Response {
    let device = headers.get(header::USER_AGENT).and_then(|agent| agent.to_str().ok());
    match services.sign_in.demo(&session, &form.person, device).await {
        Ok(me) => Redirect::to(me.home()).into_response(),
        Err(SignInFailure::DemoSwitchedOff) => (StatusCode::NOT_FOUND, "Die Demo-Anmeldung ist ausgeschaltet. The demo sign-in is switched off.").into_response(),
        Err(SignInFailure::UnknownDemoPerson) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "person: Diese Person gibt es in den Demodaten nicht; wählen Sie eine aus der Liste auf /anmelden/demo. No demo person has that id.",
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "demo sign-in failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Ends the portal session and, where the provider supports it, the provider's session.
async fn sign_out(State(services): State<Arc<Services>>, session: Session) -> Response {
    match services.sign_in.sign_out(&session).await {
        Ok(Some(provider_logout)) => Redirect::to(provider_logout.as_str()).into_response(),
        Ok(None) => Redirect::to("/abgemeldet").into_response(),
        Err(error) => {
            tracing::error!(%error, "sign-out failed");
            Redirect::to("/abgemeldet").into_response()
        }
    }
}
