//! The citizen's server functions for a sent application: read it, hand in a document (a
//! multipart form), download a document, write to the office. Forms post here with and without
//! JavaScript; after a write the browser is sent back to the application's page, which says
//! what happened or what to fix.

use leptos::prelude::*;
use leptos::server_fn::codec::{ByteStream, GetUrl, MultipartData, MultipartFormData, Streaming};

#[cfg(feature = "ssr")]
use super::{go_to, internal, invalid, parse_id};
#[cfg(feature = "ssr")]
use crate::server::{auth::guard, error::ServiceError};
use crate::{auth::ApiError, correspondence::ApplicationFile};

/// The page of application `id`, with `query` (`?…`) when it has something to say.
pub fn application_path(id: &str, query: &str) -> String {
    format!("/buerger/antraege/{id}{query}")
}

/// An application of the citizen (or of their minor child): status, history, the office's
/// requests, the documents handed in, the messages.
#[server(prefix = "/api", endpoint = "buerger/antrag-akte")]
pub async fn my_application(application: String) -> Result<ApplicationFile, ApiError> {
    let citizen = guard::citizen().await?;
    let application = parse_id(&application, "application", "give the id from your list of applications")?;
    Ok(guard::services()?.citizen.application_file(&citizen, application).await?)
}

/// Hands in a document (PDF, JPEG or PNG by its content; at most 10 MiB) for an application,
/// answering one of the office's requests when `request` is sent. The form's fields:
/// `application`, optionally `request`, then `file`. A file that does not fit is not kept; the
/// application's page then says why (`?hochladen=<problem>`).
#[server(prefix = "/api", endpoint = "buerger/dokument-hochladen", input = MultipartFormData)]
pub async fn hand_in_document(data: MultipartData) -> Result<String, ApiError> {
    use crate::server::documents::{FormError, read_upload_form};
    let citizen = guard::citizen().await?;
    let Some(form) = data.into_inner() else { return Err(invalid("file", "send the document as a multipart form")) };
    let form = read_upload_form(form).await.map_err(|error| match error {
        FormError::TooLarge => guard::fail(ApiError::Invalid {
            field: "file".to_owned(),
            message: "send one document of at most 10 MB at a time".to_owned(),
        }),
        FormError::Malformed(_) => invalid("file", "send the document with the form on the application's page"),
    })?;
    let application = parse_id(
        form.application.as_deref().unwrap_or_default(),
        "application",
        "send the form on the application's page",
    )?;
    let request = match form.request.as_deref() {
        None => None,
        Some(request) => Some(parse_id(request, "request", "choose one of the office's requests")?),
    };
    let self_service = guard::services()?.citizen.clone();
    let next = match form.file {
        Ok(upload) => {
            let document = self_service.hand_in_document(&citizen, application, request, &upload).await;
            match document {
                Ok(document) => {
                    tracing::info!(citizen = %citizen.id(), %document, media_type = upload.media_type, "document handed in");
                    application_path(&application.to_string(), "?hochgeladen=1#unterlagen")
                }
                // Answered meanwhile (another tab, the office cancelled it): the page shows it.
                Err(ServiceError::Invalid { field: "request", .. }) => {
                    application_path(&application.to_string(), "?hochladen=erledigt#unterlagen")
                }
                Err(error) => return Err(error.into()),
            }
        }
        Err(problem) => {
            // The application must be the citizen's before the page may say anything about it.
            self_service.own_application(&citizen, application).await?;
            let request = request.map(|request| format!("&anforderung={request}")).unwrap_or_default();
            // No fragment: the error summary takes the focus when the page loads, which a
            // fragment in the address would stop.
            application_path(&application.to_string(), &format!("?hochladen={}{request}", problem.code()))
        }
    };
    go_to(&next);
    Ok(next)
}

/// A document of an application of the citizen (or of their minor child), to download. It is
/// always a download (never shown inside the portal) and sandboxed, whatever it holds.
#[server(prefix = "/api", endpoint = "buerger/dokument", input = GetUrl, output = Streaming)]
pub async fn own_document(document: String) -> Result<ByteStream<ApiError>, ApiError> {
    let citizen = guard::citizen().await?;
    let document = parse_id(&document, "document", "choose one of the documents of your application")?;
    let (file_name, media_type, content) =
        guard::services()?.citizen.own_document(&citizen, document).await?;
    send_document(&file_name, &media_type, content)
}

/// A document as a download: saved under its name, never shown inside the portal (sandboxed,
/// not sniffed), not kept in the browser's cache.
#[cfg(feature = "ssr")]
pub(super) fn send_document(file_name: &str, media_type: &str, content: Vec<u8>) -> Result<ByteStream<ApiError>, ApiError> {
    use axum::http::{HeaderValue, header};
    let response = use_context::<leptos_axum::ResponseOptions>().ok_or_else(|| internal("no response options"))?;
    // The name as the browser should save it: ASCII in `filename`, the original in `filename*`.
    let ascii: String =
        file_name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_ ".contains(c) { c } else { '_' }).collect();
    let disposition =
        format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", crate::url::encode_component(file_name));
    for (name, value) in [
        (header::CONTENT_TYPE, HeaderValue::from_str(media_type).ok()),
        (header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).ok()),
        (header::CACHE_CONTROL, Some(HeaderValue::from_static("no-store"))),
        (header::X_CONTENT_TYPE_OPTIONS, Some(HeaderValue::from_static("nosniff"))),
        (header::CONTENT_SECURITY_POLICY, Some(HeaderValue::from_static("sandbox; default-src 'none'"))),
    ] {
        if let Some(value) = value {
            response.insert_header(name, value);
        }
    }
    Ok(ByteStream::from(futures::stream::once(async move { content })))
}

/// Writes to the office of an application (at most 4,000 characters). An empty or too long
/// message is not sent; the page then says why (`?nachricht=<problem>`).
#[server(prefix = "/api", endpoint = "buerger/nachricht-senden")]
pub async fn write_to_office(application: String, body: String) -> Result<String, ApiError> {
    let citizen = guard::citizen().await?;
    let application = parse_id(&application, "application", "send the form on the application's page")?;
    let self_service = guard::services()?.citizen.clone();
    let next = match crate::correspondence::check_message(&body) {
        Ok(body) => {
            self_service.send_message_to_office(&citizen, application, &body).await?;
            application_path(&application.to_string(), "?gesendet=1#nachrichten")
        }
        Err(problem) => {
            self_service.own_application(&citizen, application).await?;
            application_path(&application.to_string(), &format!("?nachricht={}", problem.code()))
        }
    };
    go_to(&next);
    Ok(next)
}
