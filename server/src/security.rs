//! What every response and every request passes through for safety: the security headers with
//! a Content-Security-Policy nonce per response, the refusal of state-changing requests from
//! other sites, request size limits, the refusal of server function calls that cannot be read,
//! and rate limits on every write, counted by who is signed in or else by the client's address
//! (behind trusted proxies, the address they forwarded the request for).

use std::{
    net::{IpAddr, Ipv6Addr, SocketAddr},
    num::NonZeroU32,
    sync::Arc,
};

use app::server::{auth::sessions::Sessions, db::AccountId};
use axum::{
    body::Body,
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use leptos::nonce::Nonce;
use tower_sessions::Session;

/// The server function that takes a document upload; its body may be as large as the upload
/// form reads (see `app::server::documents`).
pub const UPLOAD_PATH: &str = "/api/buerger/dokument-hochladen";
/// The server function that submits applications.
pub const SUBMISSION_PATH: &str = "/api/buerger/antrag-absenden";
/// The feedback form of the accessibility statement, open to everybody: limited like submissions.
pub const FEEDBACK_PATH: &str = "/api/barrierefreiheit/rueckmeldung";

/// The largest body of any other request: forms and server function arguments are small.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The server functions that read a multipart form (`input = MultipartFormData`); every other
/// one that is posted to reads a url-encoded form. A multipart function missing here has every
/// call refused with 415, which its first test shows.
pub const MULTIPART_PATHS: [&str; 1] = [UPLOAD_PATH];

/// What a server function without `input = …` reads (server_fn's `PostUrl`), and what browsers
/// send for a plain form.
const URL_ENCODED: &str = "application/x-www-form-urlencoded";

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

/// Refuses a server function call whose arguments cannot be what its function reads, before
/// the function runs, with a 4xx that names the problem. Left to server_fn, a post to a
/// multipart function without a multipart boundary in its Content-Type panics (a 500, see
/// `app::server::documents::is_multipart_form`), and any body posted to a url-encoded function
/// is read as a form whose nonsense keys are ignored. So a post must be encoded as its function
/// reads (415 otherwise), and url-encoded arguments, in the body or in the address, must decode
/// (400 otherwise).
pub async fn refuse_unreadable_calls(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if !path.starts_with("/api/") {
        return next.run(request).await;
    }
    if request.uri().query().is_some_and(|query| !is_well_formed_url_encoding(query.as_bytes())) {
        return unreadable_arguments();
    }
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let content_type =
        request.headers().get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or_default();
    if MULTIPART_PATHS.contains(&path) {
        // A cut or empty multipart body is the upload's own to refuse: it answers 422 on the
        // file field (`app::api::hand_in_document`).
        return if app::server::documents::is_multipart_form(content_type) {
            next.run(request).await
        } else {
            wrong_encoding("multipart/form-data; boundary=…")
        };
    }
    if !media_type(content_type).eq_ignore_ascii_case(URL_ENCODED) {
        return wrong_encoding(URL_ENCODED);
    }
    let limit = body_limit(path);
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, limit).await else {
        return too_large(limit);
    };
    if !is_well_formed_url_encoding(&body) {
        return unreadable_arguments();
    }
    next.run(Request::from_parts(parts, Body::from(body))).await
}

/// A Content-Type without its parameters (`; charset=UTF-8`).
fn media_type(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or_default().trim()
}

/// Whether `text` is url-encoded as browsers and server_fn write it: every `%` begins two
/// hexadecimal digits, and the text decodes to UTF-8. server_fn's decoding lets a broken escape
/// through as it stands, so a call cut in the middle of one would be read as another call.
fn is_well_formed_url_encoding(text: &[u8]) -> bool {
    fn hex_digit(byte: u8) -> Option<u8> {
        match byte {
            b'0'..=b'9' => Some(byte - b'0'),
            b'a'..=b'f' => Some(byte - b'a' + 10),
            b'A'..=b'F' => Some(byte - b'A' + 10),
            _ => None,
        }
    }
    let mut decoded = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some((&byte, after)) = rest.split_first() {
        rest = after;
        if byte != b'%' {
            decoded.push(byte);
            continue;
        }
        let Some((&[high, low], after)) = rest.split_first_chunk::<2>() else { return false };
        let (Some(high), Some(low)) = (hex_digit(high), hex_digit(low)) else { return false };
        decoded.push(high * 16 + low);
        rest = after;
    }
    std::str::from_utf8(&decoded).is_ok()
}

/// The 415 for a post not encoded as its server function reads. Its body is left unread, so
/// the connection ends with the answer (see [`limit_request_size`]).
fn wrong_encoding(expected: &str) -> Response {
    (
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        [(header::CONNECTION, HeaderValue::from_static("close"))],
        format!(
            "Die Anfrage ist nicht so kodiert, wie dieser Dienst sie liest: Er erwartet Content-Type {expected}. \
             The request is not encoded as this service reads it: send Content-Type {expected}."
        ),
    )
        .into_response()
}

/// The 400 for url-encoded arguments that do not decode. A body may be left unread (a broken
/// address), so the connection ends with the answer.
fn unreadable_arguments() -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(header::CONNECTION, HeaderValue::from_static("close"))],
        "Die Angaben sind nicht lesbar kodiert: Jedes % muss zwei Hexadezimalziffern einleiten, und der Text muss \
         UTF-8 sein. The arguments are not readable: every % must begin two hexadecimal digits, and the text must \
         be UTF-8.",
    )
        .into_response()
}

type Limiter = DefaultKeyedRateLimiter<Caller>;

/// Who a write is counted against: something the client cannot pick afresh for each request.
///
/// Signed in, the person: `Sessions::current` has found the session in the store and its
/// record in `session_records`, so neither a new cookie value, nor a second cookie, nor a second
/// sign-in gives them another quota. Signed out, the client's address ([`client_address`]): a
/// cookie value is the client's to choose, the address the connection comes from is not (an
/// IPv6 client counts by its /64 network, every address of which is its own to choose).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Caller {
    /// The principal's kind (`citizen`, `staff`) and id.
    Principal(&'static str, AccountId),
    Address(IpAddr),
}

/// The server functions that only read. Browsers call them by POST like every server function,
/// but nothing the caller sends is kept (a staff member's read appends to the access log, which
/// is what reading through the gate is for), so no write quota applies to them; the load
/// benchmarks call them thousands of times a minute. Every other state-changing call under
/// `/api/` is a write: a server function added later is limited until it is named here, rather
/// than unlimited until someone remembers it. Downloads answer GET and are no writes anyway.
const READS: &[&str] = &[
    "/api/ich",
    "/api/anmeldung",
    "/api/demo/personen",
    "/api/buerger/ich",
    "/api/buerger/sitzungen",
    "/api/buerger/uebersicht",
    "/api/buerger/antrag",
    "/api/buerger/antrag-schritt",
    "/api/buerger/antrag-pruefen",
    "/api/buerger/antrag-eingang",
    "/api/buerger/antrag-akte",
    "/api/buerger/einwilligungen",
    "/api/buerger/neue-bedingungen",
    "/api/buerger/freigabe-angebote",
    "/api/buerger/zugriffe",
    "/api/buerger/protokoll-schluessel",
    "/api/buerger/protokoll-beweise",
    "/api/buerger/personen",
    "/api/buerger/daten",
    "/api/buerger/daten-kategorie",
    "/api/mitarbeitende/ich",
    "/api/mitarbeitende/warteschlange",
    "/api/mitarbeitende/akte",
    "/api/mitarbeitende/schutzvermerke",
    "/api/mitarbeitende/freigaben",
    "/api/mitarbeitende/freigabe",
    "/api/mitarbeitende/notzugriffe",
    "/api/mitarbeitende/notzugriff-daten",
    "/api/datenschutz/ich",
    "/api/datenschutz/notzugriffe",
    "/api/datenschutz/schutzvermerke",
    "/api/datenschutz/zugriffe",
    "/api/datenschutz/protokoll-pruefen",
    "/api/verwaltung/ich",
    "/api/verwaltung/uebersicht",
    "/api/verwaltung/protokoll",
    "/api/verwaltung/loeschlaeufe",
    "/api/verwaltung/vorlagen",
    "/api/verwaltung/leistungen",
];

/// Whether a request may store something: a call of a server function that is not one of the
/// [`READS`], by anything but GET, HEAD or OPTIONS.
fn is_write(method: &Method, path: &str) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
        && path.starts_with("/api/")
        && !READS.contains(&path)
}

/// Rate limits on every write: one quota per caller for writes of every kind, and stricter ones
/// on those that store the most, application submissions (and feedback, which anyone may send)
/// and document uploads. A write counts against each quota that applies to it.
#[derive(Clone)]
pub struct WriteLimits {
    writes: Arc<Limiter>,
    submissions: Arc<Limiter>,
    uploads: Arc<Limiter>,
    /// To ask who is signed in.
    sessions: Sessions,
}

/// Past this many remembered callers a limiter forgets those whose quota is full again.
const REMEMBERED_CALLERS: usize = 10_000;

impl WriteLimits {
    pub fn new(
        writes_per_minute: u32,
        submissions_per_minute: u32,
        uploads_per_minute: u32,
        sessions: Sessions,
    ) -> Self {
        let limiter = |per_minute: u32| {
            Arc::new(RateLimiter::keyed(Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN))))
        };
        Self {
            writes: limiter(writes_per_minute),
            submissions: limiter(submissions_per_minute),
            uploads: limiter(uploads_per_minute),
            sessions,
        }
    }

    /// The quotas a request counts against, the stricter first; none for a read.
    fn limiters_for(&self, method: &Method, path: &str) -> Vec<&Limiter> {
        if !is_write(method, path) {
            return Vec::new();
        }
        let stricter = match path {
            SUBMISSION_PATH | FEEDBACK_PATH => Some(&*self.submissions),
            UPLOAD_PATH => Some(&*self.uploads),
            _ => None,
        };
        stricter.into_iter().chain([&*self.writes]).collect()
    }

    /// The signed-in person, or else the client's address. A session that cannot be read counts
    /// by address: the call itself fails on it too.
    async fn caller(&self, session: Option<Session>, address: IpAddr) -> Caller {
        if let Some(session) = session {
            match self.sessions.current(&session).await {
                Ok(Some(principal)) => return Caller::Principal(principal.kind().as_str(), principal.id()),
                Ok(None) => {}
                Err(error) => tracing::warn!(%error, "the session could not be read: the write counts by address"),
            }
        }
        Caller::Address(own_network(address))
    }
}

/// What one client's address stands for in the limits: the address, or for IPv6 its /64
/// network, since a host is given a whole /64 and may send from any address in it.
fn own_network(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V6(address) => IpAddr::V6(Ipv6Addr::from(u128::from(address) & (u128::MAX << 64))),
        address => address,
    }
}

/// Answers 429 with when to try again once a caller has used up a quota. Runs inside the
/// session layer, which it asks who is signed in, and before the refused-form keeper, so a
/// refused write is never kept.
pub async fn limit_writes(State(limits): State<WriteLimits>, request: Request, next: Next) -> Response {
    let limiters = limits.limiters_for(request.method(), request.uri().path());
    if limiters.is_empty() {
        return next.run(request).await;
    }
    let session = request.extensions().get::<Session>().cloned();
    let address = client_address(&request);
    let caller = limits.caller(session, address).await;
    for limiter in limiters {
        if limiter.len() > REMEMBERED_CALLERS {
            limiter.retain_recent();
        }
        if limiter.check_key(&caller).is_err() {
            let signed_in = matches!(caller, Caller::Principal(..));
            tracing::warn!(path = request.uri().path(), signed_in, "write rate limit reached");
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, "60")],
                "Zu viele Anfragen in kurzer Zeit: nichts wurde übermittelt. Bitte warten Sie eine Minute und \
                 versuchen Sie es dann noch einmal. Too many requests in a short time: nothing was sent. Please wait \
                 a minute and try again.",
            )
                .into_response();
        }
    }
    next.run(request).await
}

/// The client's address as [`find_client_address`] found it for this request.
#[derive(Clone, Copy, Debug)]
struct ClientAddress(IpAddr);

/// Finds the client's address once per request, for the rate limits: the peer's, or, when the
/// peer is a trusted proxy, the one the proxies say they forwarded the request for
/// ([`TrustedProxies::client_behind`]).
pub async fn find_client_address(
    State(trusted): State<Arc<TrustedProxies>>,
    mut request: Request,
    next: Next,
) -> Response {
    let client = trusted.client_behind(peer_address(&request), request.headers());
    request.extensions_mut().insert(ClientAddress(client));
    next.run(request).await
}

/// The client's address: as [`find_client_address`] found it, or else the peer's.
pub fn client_address(request: &Request) -> IpAddr {
    request.extensions().get::<ClientAddress>().map_or_else(|| peer_address(request), |ClientAddress(address)| *address)
}

/// The address of the connection's other end (0.0.0.0 when it is unknown); an IPv4 peer of a
/// dual-stack socket as the IPv4 address it is.
fn peer_address(request: &Request) -> IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |ConnectInfo(address)| address.ip().to_canonical())
}

/// The proxies (load balancers) in front of the portal whose word on the client's address is
/// taken: `KLARSICHT_TRUSTED_PROXIES`, addresses and CIDR ranges. Empty, nobody's: the client is
/// the peer, whatever the request's headers claim.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<AddressRange>);

impl TrustedProxies {
    /// Reads a comma-separated list of addresses (`10.0.0.5`, `fd00::1`) and CIDR ranges
    /// (`10.0.0.0/8`, `fd00::/8`); the error is the first entry that is neither.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| AddressRange::parse(entry).ok_or_else(|| entry.to_owned()))
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn contains(&self, address: IpAddr) -> bool {
        self.0.iter().any(|range| range.contains(address))
    }

    /// The client a request from `peer` was forwarded for: from the peer leftwards through the
    /// addresses the proxies appended, the first that is no trusted proxy. What lies further
    /// left the client wrote itself and is not believed; an entry that names no address
    /// (`unknown`) stops the walk at the trusted proxy that wrote it. The headers of a request
    /// whose peer is no trusted proxy are not read at all.
    pub fn client_behind(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.contains(client) {
            return client;
        }
        for hop in forwarded_for(headers).into_iter().rev() {
            let Some(address) = hop else { break };
            client = address;
            if !self.contains(client) {
                break;
            }
        }
        client
    }
}

/// The addresses a request was forwarded for, the client's first, each proxy's appended after;
/// `None` for an entry that names no address (`unknown`, an obfuscated name, bytes that are no
/// text). `X-Forwarded-For`, which nearly every proxy writes; `Forwarded` (RFC 7239) only when
/// there is no `X-Forwarded-For`: a proxy writes one of the two and passes the other on as the
/// client sent it, so the one read must be the one the proxy writes (see the settings' help).
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let forwarded_for = entries(headers, "x-forwarded-for");
    if !forwarded_for.is_empty() {
        return forwarded_for.into_iter().map(|entry| std::str::from_utf8(entry).ok().and_then(hop_address)).collect();
    }
    entries(headers, "forwarded")
        .into_iter()
        .map(|element| {
            let element = std::str::from_utf8(element).ok()?;
            let (_, value) = element
                .split(';')
                .filter_map(|pair| pair.split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("for"))?;
            hop_address(value)
        })
        .collect()
}

/// The comma-separated entries of every `name` header, in order. Split as bytes: an entry that
/// is no text must not hide the entries a proxy appended after it.
fn entries<'a>(headers: &'a HeaderMap, name: &str) -> Vec<&'a [u8]> {
    headers.get_all(name).into_iter().flat_map(|value| value.as_bytes().split(|byte| *byte == b',')).collect()
}

/// The address in one forwarded entry: `192.0.2.7`, `192.0.2.7:4711`, `2001:db8::1` or
/// `[2001:db8::1]:4711`, quoted or not.
fn hop_address(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim().trim_matches('"');
    let address = entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
        .or_else(|| entry.strip_prefix('[')?.strip_suffix(']')?.parse::<IpAddr>().ok())?;
    Some(address.to_canonical())
}

/// One trusted address, or a CIDR range of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct AddressRange {
    network: IpAddr,
    // INVARIANT: at most the address's length in bits (32 or 128); `parse` checks it.
    prefix: u8,
}

impl AddressRange {
    /// `10.0.0.5`, `10.0.0.0/8`, `fd00::1`, `fd00::/8`. An IPv4-mapped IPv6 address is read as
    /// the IPv4 address it is, as the peers are.
    fn parse(entry: &str) -> Option<Self> {
        let (address, prefix) = match entry.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix.trim())),
            None => (entry, None),
        };
        let network = address.trim().parse::<IpAddr>().ok()?.to_canonical();
        let bits: u8 = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(digits) if !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit()) => {
                digits.parse::<u8>().ok()?
            }
            Some(_) => return None,
        };
        (prefix <= bits).then_some(Self { network, prefix })
    }

    fn contains(&self, address: IpAddr) -> bool {
        // A shift by the whole width (a /0) is no shift in Rust: `checked_shl` gives `None`,
        // and a /0 masks every bit away.
        match (self.network, address.to_canonical()) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                let mask = u32::MAX.checked_shl(32_u32.saturating_sub(u32::from(self.prefix))).unwrap_or(0);
                (u32::from(network) & mask) == (u32::from(address) & mask)
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                let mask = u128::MAX.checked_shl(128_u32.saturating_sub(u32::from(self.prefix))).unwrap_or(0);
                (u128::from(network) & mask) == (u128::from(address) & mask)
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod rate_limit_tests {
    use super::*;

    fn trusted(list: &str) -> TrustedProxies {
        TrustedProxies::parse(list).expect("a valid list")
    }

    fn address(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            let _name_was_new = headers.append(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn addresses_and_ranges_are_read_and_matched() {
        let proxies = trusted(" 10.0.0.0/8, 192.168.1.7 ,fd00::/8,, ");
        assert!(proxies.contains(address("10.200.3.4")));
        assert!(proxies.contains(address("192.168.1.7")));
        assert!(!proxies.contains(address("192.168.1.8")));
        assert!(proxies.contains(address("fd12::1")));
        assert!(!proxies.contains(address("fe80::1")));
        assert!(proxies.contains(address("::ffff:192.168.1.7")), "a mapped IPv4 address is the IPv4 address");

        let everyone = trusted("0.0.0.0/0");
        assert!(everyone.contains(address("203.0.113.9")));
        assert!(!everyone.contains(address("2001:db8::1")), "every IPv4 address, no IPv6 one");
        assert!(trusted("").is_empty() && trusted(" , ").is_empty());
    }

    #[test]
    fn an_entry_that_is_no_address_or_range_is_named() {
        for bad in ["proxy.example", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/+8", "::/129", "10.0.0.0/8/8", "10.0.0"] {
            assert_eq!(TrustedProxies::parse(&format!("127.0.0.1, {bad}")).err().as_deref(), Some(bad), "{bad}");
        }
    }

    #[test]
    fn the_client_is_the_rightmost_address_no_trusted_proxy_wrote() {
        let proxies = trusted("10.0.0.0/8");
        let forwarded = headers(&[("x-forwarded-for", "198.51.100.1, 203.0.113.5, 10.0.0.2")]);
        assert_eq!(proxies.client_behind(address("10.0.0.1"), &forwarded), address("203.0.113.5"));
        assert_eq!(
            proxies.client_behind(address("203.0.113.77"), &forwarded),
            address("203.0.113.77"),
            "a peer that is no trusted proxy is the client, whatever it claims"
        );
        let split = headers(&[("x-forwarded-for", "198.51.100.1"), ("x-forwarded-for", "203.0.113.5:4711")]);
        assert_eq!(proxies.client_behind(address("10.0.0.1"), &split), address("203.0.113.5"));
        let unknown = headers(&[("x-forwarded-for", "203.0.113.5, unknown")]);
        assert_eq!(proxies.client_behind(address("10.0.0.1"), &unknown), address("10.0.0.1"), "stops at the proxy");
        let only_proxies = headers(&[("x-forwarded-for", "10.9.9.9, 10.0.0.2")]);
        assert_eq!(proxies.client_behind(address("10.0.0.1"), &only_proxies), address("10.9.9.9"));
        assert_eq!(proxies.client_behind(address("10.0.0.1"), &HeaderMap::new()), address("10.0.0.1"));
    }

    #[test]
    fn forwarded_is_read_when_there_is_no_x_forwarded_for() {
        let proxies = trusted("10.0.0.1");
        let forwarded =
            headers(&[("forwarded", "for=198.51.100.1;proto=https, for=\"[2001:db8::1]:4711\";by=10.0.0.1")]);
        assert_eq!(proxies.client_behind(address("10.0.0.1"), &forwarded), address("2001:db8::1"));
        let both = headers(&[("forwarded", "for=198.51.100.1"), ("x-forwarded-for", "203.0.113.5")]);
        assert_eq!(proxies.client_behind(address("10.0.0.1"), &both), address("203.0.113.5"));
        let without_for = headers(&[("forwarded", "for=198.51.100.1, proto=https")]);
        assert_eq!(proxies.client_behind(address("10.0.0.1"), &without_for), address("10.0.0.1"));
    }

    #[test]
    fn an_ipv6_client_counts_by_its_network() {
        assert_eq!(own_network(address("2001:db8:1:2:aaaa:bbbb:cccc:dddd")), address("2001:db8:1:2::"));
        assert_eq!(own_network(address("203.0.113.5")), address("203.0.113.5"));
        assert_eq!(own_network(address("::ffff:203.0.113.5")), address("203.0.113.5"));
    }

    #[test]
    fn reads_are_no_writes_and_everything_else_posted_to_a_server_function_is() {
        assert!(!is_write(&Method::POST, "/api/mitarbeitende/akte"));
        assert!(!is_write(&Method::GET, "/api/buerger/dokument"));
        assert!(!is_write(&Method::POST, "/abmelden"));
        assert!(is_write(&Method::POST, "/api/buerger/nachricht-senden"));
        assert!(is_write(&Method::POST, "/api/eine-neue-funktion"));
    }
}

#[cfg(test)]
mod tests {
    use super::is_well_formed_url_encoding;

    #[test]
    fn url_encoding_is_read_only_when_every_escape_is_whole() {
        for whole in ["", "a=1&b=2", "name=J%C3%BCrgen+M%c3%bcller", "a=%25", "gruss=Grüße"] {
            assert!(is_well_formed_url_encoding(whole.as_bytes()), "{whole}");
        }
        for broken in ["a=%2", "a=%", "a=%zz", "a=%C3", "a=%FF", "a=%C3%"] {
            assert!(!is_well_formed_url_encoding(broken.as_bytes()), "{broken}");
        }
    }
}
