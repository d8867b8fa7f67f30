//! The document's title in the reader's language.
//!
//! leptos_meta reads a title's text when it writes the `<head>`, which on the server can be
//! after the request's reactive owner (and with it the language signal) is gone: under load,
//! now and then, a page then panicked ("a reactive value that has already been disposed") and
//! answered 500. On the server the text is therefore read once, while the page is built; in
//! the browser it stays a closure and follows a change of language.

use leptos::text_prop::TextProp;

pub fn page_title(text: impl Fn() -> &'static str + Send + Sync + 'static) -> TextProp {
    #[cfg(feature = "ssr")]
    {
        TextProp::from(text())
    }
    #[cfg(not(feature = "ssr"))]
    {
        TextProp::from(text)
    }
}
