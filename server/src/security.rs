//! What every response and every request passes through for safety: the security headers with
//! a Content-Security-Policy nonce per response, the refusal of state-changing requests from
//! other sites, request size limits, and rate limits on submissions and uploads.

use std::{net::SocketAddr, num::NonZeroU32, sync::Arc};

use axum::{
    body::Body,
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use leptos::nonce::Nonce;

/// The server function that takes a document upload; its body may be as large as the upload
/// form reads (see `app::server::documents`).
pub const UPLOAD_PATH: &str = "/api/buerger/dokument-hochladen";
/// The server function that submits applications.
pub const SUBMISSION_PATH: &str = "/api/buerger/antrag-absenden";
/// The feedback form of the accessibility statement, open to everybody: limited like submissions.
pub const FEEDBACK_PATH: &str = "/api/barrierefreiheit/rueckmeldung";

/// The largest body of any other request: forms and server function arguments are small.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// What the headers say beyond the fixed ones.
#[derive(Clone, Copy, Debug)]
pub struct HeaderPolicy {
    /// Strict-Transport-Security: outside development, where the portal is reached by https.
    pub hsts: bool,
}

/// The Content-Security-Policy for a response whose inline scripts carry `nonce`. Scripts run
/// only with the nonce or when loaded by such a script (`'strict-dynamic'`: the hydration
/// module imports the WebAssembly glue); WebAssembly may compile (`'wasm-unsafe-eval'`); no
/// inline styles, no plugins, no `<base>`, no framing.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
}

/// Gives the request a fresh nonce (the pages read it through `leptos::nonce::use_nonce`, see
/// `routes`) and the response the security headers. A header a handler set is kept.
pub async fn security_headers(State(policy): State<HeaderPolicy>, mut request: Request, next: Next) -> Response {
    let nonce = Nonce::new();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: header::HeaderName, value: HeaderValue| {
        headers.entry(name).or_insert(value);
    };
    if let Ok(policy) = HeaderValue::from_str(&content_security_policy(&nonce)) {
        set(header::CONTENT_SECURITY_POLICY, policy);
    }
    set(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Addresses hold application ids: other sites learn none of them. `same-origin` (not
    // `no-referrer`) keeps the Origin header of the portal's own forms, which the CSRF check reads.
    set(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    set(header::HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin"));
    set(header::HeaderName::from_static("cross-origin-resource-policy"), HeaderValue::from_static("same-origin"));
    set(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    set(
        header::HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    if policy.hsts {
        set(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    response
}

/// The portal's own origin as configured (`https://portal.example`), besides the Host header.
#[derive(Clone, Debug)]
pub struct OwnOrigin(pub Option<String>);

/// Cross-site request forgery: a request that changes state (anything but GET, HEAD, OPTIONS)
/// must come from the portal's own pages. Browsers say where a request comes from in
/// `Sec-Fetch-Site`, and older ones in `Origin`; either naming another site is refused. A
/// request with neither is no browser's (a script, a test client) and carries no one's cookies
/// by accident, so it passes; the session cookie is `SameSite=Lax` as well.
pub async fn refuse_cross_site_writes(State(own): State<OwnOrigin>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    if is_cross_site(request.headers(), own.0.as_deref()) {
        tracing::warn!(path = request.uri().path(), "refused a state-changing request from another site");
        return (
            StatusCode::FORBIDDEN,
            "Diese Anfrage kam nicht von Klarsicht und wurde abgelehnt. Öffnen Sie die Seite neu und senden Sie das \
             Formular dort ab. This request did not come from Klarsicht and was refused: reload the page and send \
             the form from there.",
        )
            .into_response();
    }
    next.run(request).await
}

fn is_cross_site(headers: &HeaderMap, own_origin: Option<&str>) -> bool {
    let text = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        // `none`: the person typed the address or used a bookmark.
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = text("origin") else { return false };
    if own_origin == Some(origin) {
        return false;
    }
    let origin_host = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
    origin_host.is_none_or(|origin_host| text("host") != Some(origin_host))
}

/// The largest body a request to `path` may have.
pub fn body_limit(path: &str) -> usize {
    if path == UPLOAD_PATH { app::server::documents::MAX_REQUEST_BYTES } else { MAX_BODY_BYTES }
}

/// Refuses a body larger than its path allows with 413 before reading it, and cuts off one
/// sent without a length at the same limit.
///
/// The refusal says `Connection: close`: the unread body is still on its way, so the server
/// closes the connection after answering, and a client that kept it for its next request would
/// have that request fail mid-way (seen as a broken pipe in the tests' shared client).
pub async fn limit_request_size(request: Request, next: Next) -> Response {
    let limit = body_limit(request.uri().path());
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return too_large(limit);
    }
    next.run(request.map(|body| Body::new(http_body_util::Limited::new(body, limit)))).await
}

/// The 413 for a body over `limit` bytes.
pub fn too_large(limit: usize) -> Response {
    let kilobytes = limit / 1024;
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        [(header::CONNECTION, HeaderValue::from_static("close"))],
        format!("Die Anfrage ist zu groß: höchstens {kilobytes} KB. The request is too large: at most {kilobytes} KB."),
    )
        .into_response()
}

type Limiter = DefaultKeyedRateLimiter<String>;

/// Rate limits on the server functions that write the most: application submissions (and
/// feedback, which anyone may send) and document uploads, each per session (signed out: per
/// client address).
#[derive(Clone)]
pub struct WriteLimits {
    submissions: Arc<Limiter>,
    uploads: Arc<Limiter>,
    session_cookie: &'static str,
}

/// Past this many remembered callers a limiter forgets those whose quota is full again.
const REMEMBERED_CALLERS: usize = 10_000;

impl WriteLimits {
    pub fn new(submissions_per_minute: u32, uploads_per_minute: u32, session_cookie: &'static str) -> Self {
        let limiter = |per_minute: u32| {
            Arc::new(RateLimiter::keyed(Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN))))
        };
        Self { submissions: limiter(submissions_per_minute), uploads: limiter(uploads_per_minute), session_cookie }
    }

    fn limiter_for(&self, path: &str) -> Option<&Limiter> {
        match path {
            SUBMISSION_PATH | FEEDBACK_PATH => Some(&self.submissions),
            UPLOAD_PATH => Some(&self.uploads),
            _ => None,
        }
    }

    /// The session cookie's value, or else the client's address.
    fn caller(&self, request: &Request) -> String {
        let session = request
            .headers()
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|cookies| cookies.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == self.session_cookie)
            .map(|(_, value)| format!("session {value}"));
        session.unwrap_or_else(|| format!("address {}", client_address(request)))
    }
}

/// The client's address as the connection gives it (0.0.0.0 when it is unknown).
pub fn client_address(request: &Request) -> std::net::IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(std::net::IpAddr::from([0, 0, 0, 0]), |ConnectInfo(address)| address.ip())
}

/// Answers 429 with when to try again once a caller has used up their quota.
pub async fn limit_writes(State(limits): State<WriteLimits>, request: Request, next: Next) -> Response {
    let Some(limiter) = limits.limiter_for(request.uri().path()) else {
        return next.run(request).await;
    };
    if limiter.len() > REMEMBERED_CALLERS {
        limiter.retain_recent();
    }
    if limiter.check_key(&limits.caller(&request)).is_err() {
        tracing::warn!(path = request.uri().path(), "write rate limit reached");
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "60")],
            "Zu viele Anfragen in kurzer Zeit: nichts wurde übermittelt. Bitte warten Sie eine Minute und versuchen \
             Sie es dann noch einmal. Too many requests in a short time: nothing was sent. Please wait a minute and \
             try again.",
        )
            .into_response();
    }
    next.run(request).await
}
