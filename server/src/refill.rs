//! A refused form keeps what was typed into it.
//!
//! Every form of the portal is a plain one: it posts to its server function, and when the server
//! refuses it, Leptos sends the browser back to the page with the refusal in the address
//! (`__path`, `__err`). The page shows the error, but a new page has empty fields, and a
//! caseworker's decision reason or an administrator's texts would be gone. So the refused post's
//! fields wait in the session, and the page the browser is sent back to, asked for next, gets
//! them written into that form's fields before it leaves the server (lol_html); the page's
//! request carries them too ([`RefusedFields`]), so a page with one form of a kind per item shows
//! the refusal beside the form that was sent. They are read once and then removed; files are
//! never kept.
//!
//! Only a session the store already holds keeps them, and at most [`MAX_KEPT_BYTES`] of them: a
//! refused post must not be a way to fill the session store. Without one (a visitor who has not
//! begun to sign in) the refused form comes back empty, with its refusal shown all the same.

use std::{borrow::Cow, cell::RefCell};

use app::components::error_summary::RefusedFields;
use axum::{
    body::{Body, Bytes},
    extract::Request,
    http::{HeaderValue, Method, StatusCode, Uri, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use lol_html::{
    ElementContentHandlers, HandlerResult, RewriteStrSettings, Selector,
    html_content::{ContentType, Element},
    rewrite_str,
};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::security;

/// Where the fields of the last refused form wait in the session.
const SESSION_KEY: &str = "refused_form";

/// The most of a refused form a session keeps, its page's address and its fields' names and
/// values together: the portal's longest texts (a decision's reason, a template's introduction)
/// fit many times over, while a post of the largest body allowed (256 KB) is cut to an eighth.
/// A field that does not fit any more is left out, and comes back empty.
const MAX_KEPT_BYTES: usize = 32 * 1024;

/// The fields of a form the server refused, and the page it sent the browser back to.
#[derive(Debug, Serialize, Deserialize)]
struct RefusedForm {
    /// The path and query of the page the browser was sent back to.
    page: String,
    #[serde(flatten)]
    sent: RefusedFields,
}

/// Keeps a refused form's fields for the page that shows the refusal, and writes them back into
/// that page.
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
    // The page learns which of its forms was sent (one per emergency access, say), to show the
    // refusal beside that one only.
    request.extensions_mut().insert(refused.sent.clone());
    let response = next.run(request).await;
    refill(response, &refused.sent).await
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

/// The page with the refused form's fields filled in as they were sent.
async fn refill(response: Response, refused: &RefusedFields) -> Response {
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(html) = axum::body::to_bytes(body, usize::MAX).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "server error").into_response();
    };
    let html = match std::str::from_utf8(&html).map(|html| fill_in(html, refused)) {
        Ok(Ok(filled)) => Bytes::from(filled),
        Ok(Err(error)) => {
            tracing::warn!(%error, "a refused form's fields could not be written back into its page");
            html
        }
        Err(_) => html,
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(html))
}

/// `html` with the fields of every form posting to `refused.action` set to what was sent:
/// text, dates and numbers as their value, text areas as their text, check boxes, radio
/// buttons and options chosen as they were. A form whose hidden fields (the id of what it acts
/// on) differ from those sent is another one of the same kind and stays as it is. Hidden,
/// password and file fields are never written.
fn fill_in(html: &str, refused: &RefusedFields) -> Result<String, Box<dyn std::error::Error>> {
    // Server function paths are plain (`/api/…` of letters, digits, `-`, `_`, `/`); another
    // could not be named in a selector safely.
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_');
    if !refused.action.chars().all(plain) {
        return Ok(html.to_owned());
    }
    let form = format!("form[action=\"{}\"]", refused.action);
    let within_form = |elements: &str| format!("{form}{elements}").parse::<Selector>();
    // Whether the form being read is the one sent, and the select whose options come next.
    let this_form = RefCell::new(false);
    let select = RefCell::new(None::<String>);
    let filled = rewrite_str(
        html,
        RewriteStrSettings {
            element_content_handlers: vec![
                on(within_form("")?, |_| {
                    *this_form.borrow_mut() = true;
                    Ok(())
                }),
                on(within_form(" input[name]")?, |input| {
                    let name = input.get_attribute("name").unwrap_or_default();
                    let kind = input.get_attribute("type").unwrap_or_default().to_ascii_lowercase();
                    let value = input.get_attribute("value").unwrap_or_default();
                    match kind.as_str() {
                        "hidden" => {
                            if refused.sent(&name).next().is_some_and(|sent| sent != value) {
                                *this_form.borrow_mut() = false;
                            }
                        }
                        _ if !*this_form.borrow() => {}
                        "password" | "file" | "submit" | "button" | "reset" | "image" => {}
                        "checkbox" | "radio" => {
                            if refused.sent(&name).any(|sent| sent == value) {
                                input.set_attribute("checked", "")?;
                            } else {
                                input.remove_attribute("checked");
                            }
                        }
                        _ => {
                            if let Some(sent) = refused.sent(&name).next() {
                                input.set_attribute("value", &sent.replace('&', "&amp;"))?;
                            }
                        }
                    }
                    Ok(())
                }),
                on(within_form(" textarea[name]")?, |area| {
                    if *this_form.borrow()
                        && let Some(sent) = refused.sent(&area.get_attribute("name").unwrap_or_default()).next()
                    {
                        area.set_inner_content(sent, ContentType::Text);
                    }
                    Ok(())
                }),
                on(within_form(" select")?, |list| {
                    *select.borrow_mut() = list.get_attribute("name");
                    Ok(())
                }),
                on(within_form(" select option[value]")?, |option| {
                    let name = select.borrow().clone().unwrap_or_default();
                    if *this_form.borrow() && refused.sent(&name).next().is_some() {
                        let value = option.get_attribute("value").unwrap_or_default();
                        if refused.sent(&name).any(|sent| sent == value) {
                            option.set_attribute("selected", "")?;
                        } else {
                            option.remove_attribute("selected");
                        }
                    }
                    Ok(())
                }),
            ],
            ..RewriteStrSettings::new()
        },
    )?;
    Ok(filled)
}

/// `handler` for the elements `selector` matches (lol_html's `element!` macro, without its
/// `unwrap` of the selector).
fn on<'h>(
    selector: Selector,
    handler: impl FnMut(&mut Element<'_, '_>) -> HandlerResult + 'h,
) -> (Cow<'static, Selector>, ElementContentHandlers<'h>) {
    (Cow::Owned(selector), ElementContentHandlers::default().element(handler))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(fields: &[(&str, &str)]) -> RefusedFields {
        RefusedFields {
            action: "/api/entscheiden".to_owned(),
            fields: fields.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())).collect(),
        }
    }

    #[test]
    fn the_sent_form_gets_its_fields_back_and_others_stay_empty() {
        let html = r#"<form action="/api/notiz"><textarea name="reason"></textarea></form>
<form action="/api/entscheiden"><input type="hidden" name="application" value="a1"/><textarea name="reason"></textarea><input name="until"/></form>
<form action="/api/entscheiden"><input type="hidden" name="application" value="a2"/><textarea name="reason"></textarea>
<input type="radio" name="outcome" value="approve" checked/><input type="radio" name="outcome" value="reject"/>
<select name="days"><option value="7" selected>7</option><option value="30">30</option></select>
<input type="password" name="secret"/><input type="file" name="document"/></form>"#;
        let sent = refused(&[
            ("application", "a2"),
            ("reason", "Einkommen <über> der Grenze & \"mehr\""),
            ("outcome", "reject"),
            ("days", "30"),
            ("secret", "nie"),
        ]);
        let filled = fill_in(html, &sent).expect("rewritten");
        let forms: Vec<&str> = filled.split("</form>").collect();
        assert_eq!(
            forms[0], r#"<form action="/api/notiz"><textarea name="reason"></textarea>"#,
            "another server function's form"
        );
        assert!(
            forms[1].contains(r#"<textarea name="reason"></textarea>"#),
            "the same kind of form for another case: {}",
            forms[1]
        );
        assert!(
            forms[2].contains("<textarea name=\"reason\">Einkommen &lt;über&gt; der Grenze &amp; \"mehr\"</textarea>"),
            "{}",
            forms[2]
        );
        assert!(forms[2].contains(r#"value="approve" />"#), "the choice sent replaces the page's: {}", forms[2]);
        assert!(forms[2].contains(r#"value="reject" checked="" />"#), "{}", forms[2]);
        assert!(
            forms[2].contains(r#"<option value="7">7</option><option value="30" selected="">30</option>"#),
            "{}",
            forms[2]
        );
        assert!(!forms[2].contains("nie"), "a password is never written back");
    }

    #[test]
    fn a_value_is_written_back_as_text_whatever_it_holds() {
        let html = r#"<form action="/api/entscheiden"><input type="text" name="until"/></form>"#;
        let filled =
            fill_in(html, &refused(&[("until", r#"" autofocus onfocus="alert(1) &amp;"#)])).expect("rewritten");
        assert_eq!(
            filled,
            r#"<form action="/api/entscheiden"><input type="text" name="until" value="&quot; autofocus onfocus=&quot;alert(1) &amp;amp;" /></form>"#
        );
    }

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
