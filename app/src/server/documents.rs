//! Reading a document upload: the multipart form of the application page, what the file is by
//! its content (never by its name or the browser's claim), and at most
//! [`MAX_DOCUMENT_BYTES`] of it.

use crate::correspondence::{DOCUMENT_MEDIA_TYPES, MAX_DOCUMENT_BYTES, UploadProblem, clean_file_name};

/// Beyond this the request is cut off rather than read to its end. Up to it, an oversized file
/// is read and dropped, so the browser finishes sending and shows the page that says why.
pub const MAX_REQUEST_BYTES: usize = 4 * MAX_DOCUMENT_BYTES;

/// The longest text field of the form (an id) that is read.
const MAX_FIELD_BYTES: usize = 200;

/// A file whose content is one of the accepted kinds.
#[derive(Debug)]
pub struct Upload {
    pub file_name: String,
    pub media_type: &'static str,
    pub content: Vec<u8>,
}

/// The upload form: the application, the request it answers, the person acted for, the file.
#[derive(Debug)]
pub struct UploadForm {
    pub application: Option<String>,
    pub request: Option<String>,
    pub file: Result<Upload, UploadProblem>,
}

/// Why the form itself could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    #[error("the form is not a readable multipart form: {0}")]
    Malformed(#[from] multer::Error),
    #[error("the request is larger than {MAX_REQUEST_BYTES} bytes")]
    TooLarge,
}

/// Whether `content_type` announces a multipart form with a boundary. server_fn needs one before
/// it reads a byte of an upload and panics without (`expect("couldn't parse boundary")` in its
/// `MultipartFormData` decoding), so `server::security` asks this first; it is multer's own
/// parser, the one server_fn uses, so the two never disagree about a header.
pub fn is_multipart_form(content_type: &str) -> bool {
    multer::parse_boundary(content_type).is_ok()
}

/// What `content` is: a PDF, JPEG or PNG by its first bytes, or nothing accepted. A PDF must
/// begin with its header (the format allows it anywhere in the first KB, which would let other
/// content pass as PDF).
pub fn media_type_of(content: &[u8]) -> Option<&'static str> {
    let media_type = infer::get(content)?.mime_type();
    let accepted = DOCUMENT_MEDIA_TYPES.into_iter().find(|accepted| *accepted == media_type)?;
    match accepted {
        "application/pdf" if !content.starts_with(b"%PDF-") => None,
        accepted => Some(accepted),
    }
}

/// Reads the form field by field. A field read to its end or cut at a limit; a file that does
/// not fit is reported in `file`, a form that cannot be read at all is an error.
pub async fn read_upload_form(mut form: multer::Multipart<'static>) -> Result<UploadForm, FormError> {
    let (mut application, mut request) = (None, None);
    let mut file = Err(UploadProblem::NoFile);
    let mut read = 0_usize;
    while let Some(mut field) = form.next_field().await? {
        let name = field.name().unwrap_or_default().to_owned();
        // A file input left empty sends a part with an empty file name and no content.
        let file_name = field.file_name().filter(|name| !name.trim().is_empty()).map(clean_file_name);
        let limit = if name == "file" { MAX_DOCUMENT_BYTES } else { MAX_FIELD_BYTES };
        let mut content = Vec::new();
        let mut too_large = false;
        while let Some(chunk) = field.chunk().await? {
            read = read.saturating_add(chunk.len());
            if read > MAX_REQUEST_BYTES {
                return Err(FormError::TooLarge);
            }
            if content.len() + chunk.len() > limit {
                too_large = true;
            } else if !too_large {
                content.extend_from_slice(&chunk);
            }
        }
        let text = || Some(String::from_utf8_lossy(&content).trim().to_owned()).filter(|text| !text.is_empty());
        match name.as_str() {
            "application" => application = text(),
            "request" => request = text(),
            "file" => {
                file = match (file_name, too_large) {
                    (None, _) => Err(UploadProblem::NoFile),
                    (Some(_), true) => Err(UploadProblem::TooLarge),
                    (Some(_), false) if content.is_empty() => Err(UploadProblem::Empty),
                    (Some(file_name), false) => match media_type_of(&content) {
                        Some(media_type) => Ok(Upload { file_name, media_type, content }),
                        None => Err(UploadProblem::NotAllowedType),
                    },
                };
            }
            _ => {}
        }
    }
    Ok(UploadForm { application, request, file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_decides_not_the_name() {
        assert_eq!(media_type_of(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), Some("application/pdf"));
        assert_eq!(media_type_of(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(media_type_of(b"\xff\xd8\xff\xe0\0\x10JFIF\0"), Some("image/jpeg"));
        // A program, a web page with "%PDF" further in, a ZIP archive, a GIF: refused.
        assert_eq!(media_type_of(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff"), None);
        assert_eq!(media_type_of(b"<html><!-- %PDF-1.4 --><script>alert(1)</script>"), None);
        assert_eq!(media_type_of(b"PK\x03\x04\x14\0\0\0\x08\0"), None);
        assert_eq!(media_type_of(b"GIF89a\x01\0\x01\0"), None);
        assert_eq!(media_type_of(b""), None);
    }

    #[test]
    fn only_a_multipart_form_with_a_boundary_is_read_as_an_upload() {
        assert!(is_multipart_form("multipart/form-data; boundary=grenze"));
        assert!(is_multipart_form("multipart/form-data; boundary=\"grenze\""));
        assert!(!is_multipart_form("multipart/form-data"));
        assert!(!is_multipart_form("application/x-www-form-urlencoded"));
        assert!(!is_multipart_form("text/plain; boundary=grenze"));
        assert!(!is_multipart_form(""));
    }
}
