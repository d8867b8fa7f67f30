//! What stands inside a text area.
//!
//! Leptos writes the children of a `<textarea>` into the page as they are, unescaped (it counts
//! the element among those whose content is not HTML, like `<script>`). Yet the browser decodes
//! character references in a text area and ends it at the first `</textarea>`: typed or kept
//! text holding `&`, `<` or that closing tag would come back changed, or break the page. So every
//! text area's content goes through [`area_text`].

/// `text` escaped as the content of a `<textarea>` (by html-escape). The browser drops a line
/// break right after `<textarea>`, so text that begins with one gets one more.
pub fn area_text(text: impl AsRef<str>) -> String {
    let text = text.as_ref();
    let escaped = html_escape::encode_text(text);
    if text.starts_with('\n') { format!("\n{escaped}") } else { escaped.into_owned() }
}

#[cfg(test)]
mod tests {
    use super::area_text;

    #[test]
    fn a_text_area_keeps_its_text_and_cannot_be_closed_by_it() {
        assert_eq!(
            area_text("Miete & Nebenkosten </textarea><script>alert(1)</script> &amp;"),
            "Miete &amp; Nebenkosten &lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp;"
        );
        assert_eq!(area_text("Zeile 1\nZeile 2 \"zitiert\""), "Zeile 1\nZeile 2 \"zitiert\"");
        assert_eq!(area_text("\nnach einer Leerzeile"), "\n\nnach einer Leerzeile", "the browser drops the first line break");
    }
}
