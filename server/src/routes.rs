//! The axum router: health checks, the language switch without JavaScript, the Leptos pages,
//! and the built site's static files.

use std::{
    sync::{Arc, LazyLock},
    time::Duration,
};

use app::{
    app::{App, shell},
    auth::ApiError,
    server::{
        access_log::sequencer::Sequencer,
        auth::{oidc::OidcProvider, sessions::SessionLimits, store::SessionStoreBackend},
        casework::EmergencyLimits,
        services::{Services, SignInSetup},
    },
    url::is_local_path,
};
use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    middleware,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use serde::Deserialize;
use tower_http::{catch_panic::CatchPanicLayer, timeout::TimeoutLayer, trace::TraceLayer};
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite};

use crate::{
    metrics, security,
    settings::{Mode, Provider, Settings},
    sign_in,
    state::AppState,
};

/// The cookie in which leptos_i18n keeps the chosen language.
const LANGUAGE_COOKIE: &str = "i18n_pref_locale";
const LANGUAGES: [&str; 2] = ["de", "en"];

/// The pages of the application, listed once per process.
///
/// Listing renders the whole application while a process-wide switch keeps every resource from
/// loading, and a resource that starts in that moment waits for good (leptos-rs/leptos#4773). A
/// second listing while a router already serves, as when several servers run in one test
/// process, left such pages hanging until the timeout answered 408; listed once, before any
/// router exists, nothing can start during it.
static PAGES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));

/// The sign-in setup from the settings; a provider URL that is no URL is reported here, at start.
pub fn sign_in_setup(settings: &Settings, public_url: &str) -> Result<SignInSetup, String> {
    let provider = |provider: &Option<Provider>, segment: &str| -> Result<Option<OidcProvider>, String> {
        let Some(provider) = provider else { return Ok(None) };
        OidcProvider::new(app::server::auth::oidc::ProviderSettings {
            issuer: provider.issuer.clone(),
            client_id: provider.client_id.clone(),
            client_secret: provider.client_secret.as_ref().map(|secret| secret.expose().to_owned()),
            redirect_url: format!("{public_url}/anmelden/{segment}/rueckruf"),
            post_logout_redirect_url: format!("{public_url}/abgemeldet"),
        })
        .map(Some)
        .map_err(|error| format!("the {segment} sign-in provider: {error}"))
    };
    Ok(SignInSetup {
        citizen_provider: provider(&settings.citizen_provider, "buerger")?,
        staff_provider: provider(&settings.staff_provider, "mitarbeitende")?,
        demo_enabled: settings.demo_sign_in,
        limits: SessionLimits {
            idle: time::Duration::minutes(i64::from(settings.session_idle_minutes)),
            lifetime: time::Duration::hours(i64::from(settings.session_lifetime_hours)),
        },
    })
}

pub fn router(settings: &Settings, database: &app::server::db::Database, setup: SignInSetup) -> Router {
    let leptos_options = LeptosOptions::builder()
        .output_name("klarsicht")
        .site_root(settings.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(settings.listen)
        .build();
    let idle = setup.limits.idle;
    let limits = EmergencyLimits {
        emergency_max_hours: i64::from(settings.emergency_max_hours),
        deferral_max_days: i64::from(settings.deferral_max_days),
    };
    let log_tree = Sequencer::new(database, settings.log_signer.clone(), settings.witness.clone());
    let services = Services::new(database, setup, log_tree, limits);
    let services = Arc::new(services);
    let state = AppState { leptos_options, services: services.clone() };
    let pages = PAGES.clone();
    let provide_services = move || {
        provide_context(services.clone());
        provide_context(app::server::auth::guard::RequestPrincipal::default());
        // The nonce `security::security_headers` put in the response's policy: the hydration
        // scripts and every inline script Leptos writes carry it.
        if let Some(nonce) = use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<leptos::nonce::Nonce>().cloned())
        {
            provide_context(nonce);
        }
    };

    // The session cookie: HttpOnly, SameSite=Lax; outside development Secure with the
    // `__Host-` prefix (no Domain, Path=/), so no other site or subdomain can set it.
    let session_cookie = if settings.secure_cookies() { "__Host-klarsicht" } else { "klarsicht" };
    let sessions = SessionManagerLayer::new(SessionStoreBackend::new(database))
        .with_name(session_cookie)
        .with_secure(settings.secure_cookies())
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle));

    let write_limits = security::WriteLimits::new(
        settings.writes_per_minute,
        settings.submissions_per_minute,
        settings.uploads_per_minute,
        state.services.sessions.clone(),
    );
    let trusted_proxies = Arc::new(settings.trusted_proxies.clone());
    let own_origin = security::OwnOrigin(settings.public_url.clone());
    let header_policy = security::HeaderPolicy { hsts: settings.mode == Mode::Production };

    Router::new()
        .route("/health/live", get(live))
        .route("/health/ready", get(ready))
        .route("/sprache/{language}", get(switch_language))
        .merge(crate::log_routes::routes())
        .merge(sign_in::routes(settings.sign_in_per_minute))
        .leptos_routes_with_context(&state, pages, provide_services.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(provide_services, shell))
        .layer(middleware::from_fn(malformed_calls_are_client_errors))
        .layer(middleware::from_fn(personal_pages_are_not_stored))
        .layer(middleware::from_fn(crate::refill::keep_refused_input))
        // Inside the sessions: a signed-in person's writes count against them, whichever cookie
        // they send.
        .layer(middleware::from_fn_with_state(write_limits, security::limit_writes))
        .layer(sessions)
        // Within the time and size limits, as it reads the body; before the sessions, so a call
        // refused for its encoding costs no session look-up and stores nothing.
        .layer(middleware::from_fn(security::refuse_unreadable_calls))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(middleware::from_fn(security::limit_request_size))
        .layer(middleware::from_fn_with_state(own_origin, security::refuse_cross_site_writes))
        .layer(CatchPanicLayer::custom(internal_error_page))
        .layer(middleware::from_fn_with_state(header_policy, security::security_headers))
        .layer(middleware::from_fn(metrics::track_requests))
        // First: the sign-in and write limits count by the address it finds.
        .layer(middleware::from_fn_with_state(trusted_proxies, security::find_client_address))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Pages and server function answers may hold citizen data: no browser or proxy keeps a copy
/// (`Cache-Control: no-store`), so nothing lands in the browser's storage or a shared cache.
/// Only the built site (`/pkg/…`, the icon) may be cached; a response that already says how it
/// is cached keeps its own word.
async fn personal_pages_are_not_stored(request: axum::extract::Request, next: middleware::Next) -> Response {
    let path = request.uri().path();
    let static_file = path.starts_with("/pkg/") || path == "/favicon.svg";
    let mut response = next.run(request).await;
    if !static_file && !response.headers().contains_key(axum::http::header::CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    }
    response
}

/// A server function call whose arguments cannot be read (missing or malformed fields) is the
/// caller's mistake: server_fn answers it with 500; this makes it the 400 it is. The body already
/// says what is wrong (e.g. "missing field `kind`").
async fn malformed_calls_are_client_errors(request: axum::extract::Request, next: middleware::Next) -> Response {
    let is_server_function = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if !is_server_function || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "server error").into_response();
    };
    if matches!(serde_json::from_slice::<ApiError>(&bytes), Ok(ApiError::Request(_))) {
        parts.status = StatusCode::BAD_REQUEST;
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// The process is up. Says nothing about the database, so an orchestrator does not restart a
/// healthy instance because PostgreSQL is briefly away.
async fn live() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "live" }))
}

/// The instance can serve: the database answers.
async fn ready(State(services): State<Arc<Services>>) -> Response {
    let database = services.readiness.database_kind();
    if services.readiness.database_reachable().await {
        Json(serde_json::json!({ "status": "ready", "database": database })).into_response()
    } else {
        tracing::warn!(database, "readiness check failed: the database does not answer");
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "unavailable", "database": database, "reason": "the database does not answer" })),
        )
            .into_response()
    }
}

#[derive(Deserialize)]
struct SwitchLanguageQuery {
    zurueck: Option<String>,
}

/// Sets the language cookie and sends the reader back to where they were (a local path only).
async fn switch_language(Path(language): Path<String>, Query(query): Query<SwitchLanguageQuery>) -> Response {
    if !LANGUAGES.contains(&language.as_str()) {
        return (
            StatusCode::BAD_REQUEST,
            "Unbekannte Sprache: wählen Sie /sprache/de oder /sprache/en. Unknown language: choose /sprache/de or /sprache/en.",
        )
            .into_response();
    }
    let back = query.zurueck.filter(|path| is_local_path(path)).unwrap_or_else(|| "/".to_owned());
    let cookie = format!("{LANGUAGE_COOKIE}={language}; Path=/; Max-Age=31536000; SameSite=Lax");
    let mut response = Redirect::to(&back).into_response();
    if let Ok(cookie) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// The answer when a handler panicked: a plain bilingual page, no internals.
fn internal_error_page(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Fehler – Klarsicht</title></head>\
         <body><main><h1>Etwas ist schiefgelaufen</h1><p>Bitte versuchen Sie es in einigen Minuten noch einmal. \
         <a href=\"/\">Zur Startseite</a></p><h2 lang=\"en\">Something went wrong</h2>\
         <p lang=\"en\">Please try again in a few minutes. <a href=\"/\">Go to the start page</a></p></main></body></html>",
    )
        .into_response()
}
