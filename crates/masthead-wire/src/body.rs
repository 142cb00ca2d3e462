//! Story bodies from wire copy: HTML, plain text or XML, always ending in
//! [`SafeHtml::sanitize`], whatever the agency sent.

use std::sync::LazyLock;

use masthead_domain::SafeHtml;

/// A first pass over agency HTML before the one sanitiser: it removes whole
/// elements whose *content* must not reach the page either. A document's
/// `<title>` repeats the headline, as does an `<h1>` (the page prints the
/// headline itself); the final sanitiser would keep their text as loose words.
static WIRE_PREPASS: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder.rm_tags(["h1"]).add_clean_content_tags(["title", "h1", "noscript", "template"]);
    builder
});

/// An HTML body (a fragment or a whole document).
pub(crate) fn from_html(raw: &str) -> SafeHtml {
    // Feeds often label plain text as HTML; without any markup its line
    // breaks are the only paragraph structure there is.
    // It is still HTML text, so entities stay for the sanitiser to read.
    if !raw.contains('<') {
        let html: String = paragraphs(raw).iter().map(|p| format!("<p>{p}</p>")).collect();
        return SafeHtml::sanitize(&html);
    }
    let inner = body_inner(raw).unwrap_or(raw);
    let prepared = WIRE_PREPASS.clean(inner).to_string();
    SafeHtml::sanitize(&prepared)
}

/// A plain-text body: paragraphs are separated by blank lines, or by single
/// newlines when the text has no blank lines at all (TT sends it that way).
pub(crate) fn from_text(raw: &str) -> SafeHtml {
    let paragraphs = paragraphs(raw);
    let escaped = SafeHtml::from_paragraphs(paragraphs.iter().map(String::as_str));
    // Escaped text is already safe; passing it through the sanitiser anyway
    // keeps "every body went through sanitize" true without exception.
    SafeHtml::sanitize(escaped.as_str())
}

/// Paragraphs of plain text: split at blank lines, or at every line break
/// when there are no blank lines; whitespace inside collapsed.
fn paragraphs(raw: &str) -> Vec<String> {
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    let parts: Vec<&str> = if text.contains("\n\n") { text.split("\n\n").collect() } else { text.lines().collect() };
    parts.into_iter().map(crate::xml::collapse_whitespace).filter(|p| !p.is_empty()).collect()
}

/// HTML built from XML markup by this crate (NITF, inline XHTML).
pub(crate) fn from_built_html(html: &str) -> SafeHtml {
    SafeHtml::sanitize(html)
}

/// Plain text from an HTML fragment (for descriptions): tags dropped, the
/// few entities the sanitiser writes decoded, whitespace collapsed.
pub(crate) fn plain_text(html: &str) -> String {
    let stripped = ammonia::Builder::empty().clean(html).to_string();
    let decoded = stripped
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    crate::xml::collapse_whitespace(&decoded)
}

/// The inside of `<body ...>...</body>`, if the HTML is a whole document.
fn body_inner(raw: &str) -> Option<&str> {
    let lower = raw.to_ascii_lowercase();
    let open = lower.find("<body")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = lower.rfind("</body>").filter(|&end| end >= start).unwrap_or(raw.len());
    Some(&raw[start..end])
}

/// Whether a body has any text for a reader.
pub(crate) fn is_empty(body: &SafeHtml) -> bool {
    let html = body.as_str();
    // Quick strip of tags: enough to know if words remain.
    let mut in_tag = false;
    !html.chars().any(|c| match c {
        '<' => {
            in_tag = true;
            false
        }
        '>' => {
            in_tag = false;
            false
        }
        c => !in_tag && !c.is_whitespace(),
    }) && !html.contains("<img")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_lose_head_title_and_h1() {
        let body = from_html(
            "<html><head><title>Headline</title></head><body><article><h1>Headline</h1><p>Text.</p></article></body></html>",
        );
        assert_eq!(body.as_str(), "<p>Text.</p>");
    }

    #[test]
    fn hostile_html_is_defused() {
        let body = from_html(
            r#"<p onclick="steal()">Hi</p><script>alert(1)</script><a href="javascript:alert(2)">x</a><img src="https://x/a.jpg" onerror="x()"><iframe src="https://evil"></iframe>"#,
        );
        let html = body.as_str().to_lowercase();
        for bad in ["script", "onclick", "onerror", "javascript", "iframe", "alert"] {
            assert!(!html.contains(bad), "{bad} survived in {html}");
        }
        assert!(html.contains("<p>hi</p>"));
    }

    #[test]
    fn text_paragraphs_by_blank_lines_or_single_newlines() {
        assert_eq!(
            from_text("One\nstill one.\r\n\r\nTwo & <three>").as_str(),
            "<p>One still one.</p>\n<p>Two &amp; &lt;three&gt;</p>\n"
        );
        assert_eq!(from_text("One.\nTwo.").as_str(), "<p>One.</p>\n<p>Two.</p>\n");
    }

    #[test]
    fn plain_text_from_html_description() {
        assert_eq!(plain_text("<p>Tom &amp; Jerry <b>said</b>\n  &lt;hi&gt;</p>"), "Tom & Jerry said <hi>");
    }

    #[test]
    fn emptiness() {
        assert!(is_empty(&from_html("<div> </div>")));
        assert!(!is_empty(&from_text("x")));
    }
}
