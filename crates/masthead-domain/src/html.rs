//! Story bodies as HTML that is safe to put on a page.
//!
//! Bodies arrive from editors, wire agencies and imports; whatever they hold,
//! only the markup a story needs survives. Scripts, styles, event handlers,
//! `javascript:` and `data:` URLs never reach a reader. Bodies are sanitised
//! once, on the way into storage, and stored as the result.

use std::collections::HashSet;
use std::sync::LazyLock;

use serde::Serialize;

/// The one sanitiser: tags a story body may use and nothing more.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(HashSet::from([
            "p",
            "h2",
            "h3",
            "h4",
            "blockquote",
            "ul",
            "ol",
            "li",
            "a",
            "em",
            "strong",
            "b",
            "i",
            "br",
            "figure",
            "figcaption",
            "img",
            "table",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
            "q",
            "cite",
            "sub",
            "sup",
            "hr",
        ]))
        .tag_attributes(
            [
                ("a", HashSet::from(["href", "title"])),
                ("img", HashSet::from(["src", "alt", "width", "height"])),
                ("th", HashSet::from(["scope"])),
            ]
            .into(),
        )
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener nofollow"))
        .clean_content_tags(HashSet::from(["script", "style"]));
    builder
});

/// HTML that has passed the sanitiser (or was built from escaped text).
/// The default is empty, which is safe as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SafeHtml(String);

impl SafeHtml {
    /// Cleans untrusted HTML down to the tags a story body may use.
    pub fn sanitize(untrusted: &str) -> Self {
        Self(SANITIZER.clean(untrusted).to_string())
    }

    /// Builds paragraphs from plain text, escaping it.
    pub fn from_paragraphs<'a>(paragraphs: impl IntoIterator<Item = &'a str>) -> Self {
        let mut html = String::new();
        for paragraph in paragraphs {
            html.push_str("<p>");
            html.push_str(&escape(paragraph));
            html.push_str("</p>\n");
        }
        Self(html)
    }

    /// Wraps HTML read back from storage, where only sanitised HTML is written.
    pub fn from_storage(html: String) -> Self {
        Self(html)
    }

    /// The HTML text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The free part of a withheld story: its first paragraph, and nothing
    /// after it. A body with no paragraph gives nothing away.
    pub fn first_paragraph(&self) -> SafeHtml {
        match self.0.find("</p>") {
            // Re-sanitising balances any tag the cut left open.
            Some(end) => Self::sanitize(&self.0[..end + "</p>".len()]),
            None => Self(String::new()),
        }
    }
}

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_styles_vanish_with_their_content() {
        let html = SafeHtml::sanitize("<p>Hi</p><script>alert(1)</script><style>p{}</style>");
        assert_eq!(html.as_str(), "<p>Hi</p>");
    }

    #[test]
    fn event_handlers_are_stripped() {
        let html = SafeHtml::sanitize(r#"<p onclick="steal()">Hi</p><img src="https://x/a.jpg" onerror="x()">"#);
        assert_eq!(html.as_str(), r#"<p>Hi</p><img src="https://x/a.jpg">"#);
    }

    #[test]
    fn javascript_and_data_urls_are_dropped() {
        let html = SafeHtml::sanitize(
            r#"<a href="javascript:alert(1)">a</a><a href="JaVaScRiPt:x">b</a><img src="data:image/png;base64,AAA">"#,
        );
        assert!(!html.as_str().to_lowercase().contains("javascript"), "{}", html.as_str());
        assert!(!html.as_str().contains("data:"), "{}", html.as_str());
    }

    #[test]
    fn safe_links_keep_href_and_get_rel() {
        let html = SafeHtml::sanitize(r#"<a href="https://example.com/x" target="_blank">x</a>"#);
        assert_eq!(html.as_str(), r#"<a href="https://example.com/x" rel="noopener nofollow">x</a>"#);
    }

    #[test]
    fn unknown_tags_are_unwrapped_keeping_text() {
        let html = SafeHtml::sanitize("<div><font>Moscow</font> <iframe src=x></iframe>talks</div>");
        assert_eq!(html.as_str(), "Moscow talks");
    }

    #[test]
    fn first_paragraph_stops_at_the_first_paragraph_end() {
        let body = SafeHtml::from_paragraphs(["One.", "Two.", "Three."]);
        assert_eq!(body.first_paragraph().as_str(), "<p>One.</p>");
        let nested = SafeHtml::sanitize("<blockquote><p>Quoted.</p><p>Later.</p></blockquote>");
        assert_eq!(nested.first_paragraph().as_str(), "<blockquote><p>Quoted.</p></blockquote>");
        assert_eq!(SafeHtml::sanitize("<ul><li>x</li></ul>").first_paragraph().as_str(), "");
    }

    #[test]
    fn paragraphs_are_escaped() {
        let html = SafeHtml::from_paragraphs(["\"Too early yet.\"", "<b>x</b> & y"]);
        assert_eq!(html.as_str(), "<p>&quot;Too early yet.&quot;</p>\n<p>&lt;b&gt;x&lt;/b&gt; &amp; y</p>\n");
    }
}
