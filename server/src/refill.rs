//! A refused form keeps what was typed into it.
//!
//! Every form of the portal is a plain one: it posts to its server function, and when the server
//! refuses it, Leptos sends the browser back to the page with the refusal in the address
//! (`__path`, `__err`). The page shows the error, but a new page has empty fields, and a
//! caseworker's decision reason or an administrator's texts would be gone. So the refused post's
//! fields wait in the session, and the page the browser is sent back to, asked for next, gets
//! them with its request ([`RefusedFields`]): its components render each field of that form as it
//! was sent (`Sent` in `app/src/components/error_summary.rs`), and a page with one form of a kind
//! per item shows the refusal beside the form that was sent. They are read once and then removed;
//! files are never kept.
//!
//! Only a session the store already holds keeps them, and at most [`MAX_KEPT_BYTES`] of them: a
//! refused post must not be a way to fill the session store. Without one (a visitor who has not
//! begun to sign in) the refused form comes back empty, with its refusal shown all the same.

use app::components::error_summary::RefusedFields;
use axum::{
    body::Body,
    extract::Request,
    http::{HeaderValue, Method, Uri, header},
    middleware::Next,
    response::Response,
};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::security;

/// Where the fields of the last refused form wait in the session.
const SESSION_KEY: &str = "refused_form";

/// The most of a refused form a session keeps, its page's address and its fields' names and
/// values together: the portal's longest texts (a decision's reason, a template's introduction)
/// fit many times over, while a post of the largest body allowed (256 KB) is cut to an eighth.
/// A field that does not fit any more is left out, and comes back as the page shows it.
const MAX_KEPT_BYTES: usize = 32 * 1024;

/// The fields of a form the server refused, and the page it sent the browser back to.
#[derive(Debug, Serialize, Deserialize)]
struct RefusedForm {
    /// The path and query of the page the browser was sent back to.
    page: String,
    #[serde(flatten)]
    sent: RefusedFields,
}

/// Keeps a refused form's fields for the page that shows the refusal, and hands them to that
/// page's request.
pub async fn keep_refused_input(session: Session, mut request: Request, next: Next) -> Response {
    if request.method() == Method::POST && request.uri().path().starts_with("/api/") && is_plain_form(&request) {
        return keep(session, request, next).await;
    }
    // Only the page a refusal sent the browser back to has the refusal in its address.
    let refused_page =
        request.method() == Method::GET && request.uri().query().is_some_and(|query| query.contains("__err="));
    if !refused_page {
        return next.run(request).await;
    }
    let page = path_and_query(request.uri());
    let refused = match session.remove::<RefusedForm>(SESSION_KEY).await {
        Ok(Some(refused)) if refused.page == page => refused,
        Ok(_) => return next.run(request).await,
        Err(error) => {
            tracing::warn!(%error, "a refused form's fields could not be read from the session");
            return next.run(request).await;
        }
    };
    request.extensions_mut().insert(refused.sent);
    next.run(request).await
}

fn is_plain_form(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"))
}

fn path_and_query(uri: &Uri) -> String {
    uri.path_and_query().map(|path| path.as_str().to_owned()).unwrap_or_default()
}

/// Passes the post on; when the server function refused it and sends the browser back to a
/// page, keeps the fields for that page.
async fn keep(session: Session, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let action = parts.uri.path().to_owned();
    // The body is already limited further out (`security::limit_request_size`); this only reads it.
    let limit = security::body_limit(&action);
    let Ok(body) = axum::body::to_bytes(body, limit).await else {
        return security::too_large(limit);
    };
    let mut response = next.run(Request::from_parts(parts, Body::from(body.clone()))).await;
    let Some(page) = refused_to(&mut response) else {
        return response;
    };
    if !session_is_stored(&session).await {
        return response;
    }
    let Some(refused) = within_bounds(page, action, &body) else {
        return response;
    };
    if let Err(error) = session.insert(SESSION_KEY, refused).await {
        tracing::warn!(%error, "a refused form's fields could not be kept in the session");
    }
    response
}

/// Whether this request belongs to a session the store already holds. Inserting into any other
/// would store a new one: for a visitor without a session, or one who sent a session id of
/// their own making, which tower-sessions keeps until it has looked the id up. Reading a value
/// looks it up; an id the store does not know is then dropped.
async fn session_is_stored(session: &Session) -> bool {
    match session.get_value(SESSION_KEY).await {
        Ok(_) => session.id().is_some(),
        Err(error) => {
            tracing::warn!(%error, "the session could not be read to keep a refused form's fields");
            false
        }
    }
}

/// The refused form to keep, within [`MAX_KEPT_BYTES`]: the fields in the order sent, leaving
/// out each that no longer fits. `None` when even the page's address does not fit.
fn within_bounds(page: String, action: String, body: &[u8]) -> Option<RefusedForm> {
    let mut room = MAX_KEPT_BYTES.checked_sub(page.len().saturating_add(action.len()))?;
    let mut fields = Vec::new();
    for (name, value) in url::form_urlencoded::parse(body) {
        let size = name.len().saturating_add(value.len());
        if size > room {
            continue;
        }
        room -= size;
        fields.push((name.into_owned(), value.into_owned()));
    }
    Some(RefusedForm { page, sent: RefusedFields { action, fields } })
}

/// The page (path and query) a refused post sends the browser back to, if the server function
/// refused it. A form refused again on that page would carry the first refusal along in the
/// address; the address keeps only the newest.
fn refused_to(response: &mut Response) -> Option<String> {
    if !response.status().is_redirection() {
        return None;
    }
    let location = response.headers().get(header::LOCATION)?.to_str().ok()?;
    let mut url = url::Url::parse(location).ok()?;
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let newest = |key: &str| pairs.iter().rev().find(|(name, _)| name == key).map(|(_, value)| value.clone());
    let (path, error) = (newest("__path")?, newest("__err")?);
    url.query_pairs_mut()
        .clear()
        .extend_pairs(pairs.iter().filter(|(name, _)| name != "__path" && name != "__err"))
        .append_pair("__path", &path)
        .append_pair("__err", &error);
    let location = HeaderValue::from_str(url.as_str()).ok()?;
    response.headers_mut().insert(header::LOCATION, location);
    let query = url.query().map(|query| format!("?{query}")).unwrap_or_default();
    Some(format!("{}{query}", url.path()))
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use super::*;

    #[test]
    fn a_kept_form_is_bounded_and_a_field_that_does_not_fit_is_left_out() {
        let long = "x".repeat(MAX_KEPT_BYTES);
        let body = format!("application=a2&reason={long}&outcome=ablehnen");
        let kept = within_bounds("/fall/1?__err=x".to_owned(), "/api/entscheiden".to_owned(), body.as_bytes())
            .expect("the page's address fits");
        assert_eq!(
            kept.sent.fields,
            [("application".to_owned(), "a2".to_owned()), ("outcome".to_owned(), "ablehnen".to_owned())]
        );

        let page = format!("/fall/1?q={long}");
        assert!(
            within_bounds(page, "/api/entscheiden".to_owned(), b"a=1").is_none(),
            "an address too long keeps nothing"
        );
    }

    #[test]
    fn only_the_newest_refusal_stays_in_the_address() {
        let mut response = Response::builder()
            .status(StatusCode::FOUND)
            .header(
                header::LOCATION,
                "http://127.0.0.1:3000/fall/1?tab=a&__path=%2Fapi%2Falt&__err=eins&__path=%2Fapi%2Fneu&__err=zwei",
            )
            .body(Body::empty())
            .expect("a response");
        let page = refused_to(&mut response).expect("a refusal");
        assert_eq!(page, "/fall/1?tab=a&__path=%2Fapi%2Fneu&__err=zwei");
        assert_eq!(
            response.headers()[header::LOCATION],
            "http://127.0.0.1:3000/fall/1?tab=a&__path=%2Fapi%2Fneu&__err=zwei"
        );

        let mut accepted = Response::builder()
            .status(StatusCode::FOUND)
            .header(header::LOCATION, "/fall/1?erledigt=1")
            .body(Body::empty())
            .expect("a response");
        assert_eq!(refused_to(&mut accepted), None, "a form that was taken is not kept");
    }
}
