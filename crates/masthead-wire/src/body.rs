//! Story bodies from wire copy: HTML, plain text or XML, always ending in
//! [`SafeHtml::sanitize`], whatever the agency sent.

use std::sync::LazyLock;

use masthead_domain::SafeHtml;

use crate::preformatted::{self, Layout};

/// A first pass over agency HTML before the one sanitiser: it removes whole
/// elements whose *content* must not reach the page either. A document's
/// `<title>` repeats the headline, as does an `<h1>` (the page prints the
/// headline itself); the final sanitiser would keep their text as loose words.
static WIRE_PREPASS: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder.rm_tags(["h1"]).add_clean_content_tags(["title", "h1", "noscript", "template"]);
    builder
});

/// A story's body and the byline found heading its text, if any.
#[derive(Debug, Clone)]
pub(crate) struct Body {
    /// The body, sanitised.
    pub html: SafeHtml,
    /// A "By …" line taken out of preformatted text.
    pub byline: Option<String>,
}

/// An HTML body (a fragment or a whole document). Preformatted parts — a
/// `<pre>`, a `<p>` laid out with blank lines, bullets or a byline, or one
/// `<p>` holding the whole take — become paragraphs and lists (see
/// [`crate::preformatted`]).
pub(crate) fn from_html(raw: &str) -> Body {
    let inner = body_inner(raw).unwrap_or(raw);
    let prepared = WIRE_PREPASS.clean(inner).to_string();
    from_built_html(&prepared)
}

/// A plain-text body: blank lines, indentation and bullets make paragraphs
/// and lists; with none of them, each line is a paragraph (TT sends it that
/// way) unless the text is hard-wrapped.
pub(crate) fn from_text(raw: &str) -> Body {
    let escaped = masthead_domain::html::escape(raw);
    match preformatted::structure(&escaped, Layout::Preformatted) {
        // Escaped text is already safe; passing it through the sanitiser
        // anyway keeps "every body went through sanitize" true without exception.
        Some(structured) => Body { html: SafeHtml::sanitize(&structured.to_html()), byline: structured.byline },
        None => Body { html: SafeHtml::sanitize(""), byline: None },
    }
}

/// HTML built by this crate or cleaned by the prepass: its preformatted
/// blocks are restructured, then the whole is sanitised.
pub(crate) fn from_built_html(html: &str) -> Body {
    let (restructured, byline) = restructure(html);
    Body { html: SafeHtml::sanitize(&collapse_line_breaks(&restructured)), byline }
}

/// Line breaks left in text once the structure has been read were only the
/// source's wrapping: each run of whitespace holding one becomes a space,
/// except between two tags (where it is layout, kept as one line break).
fn collapse_line_breaks(html: &str) -> String {
    let html = html.trim_start();
    let mut out = String::with_capacity(html.len());
    let mut run = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        if !in_tag && c.is_whitespace() {
            run.push(c);
            continue;
        }
        if !run.is_empty() {
            if run.contains('\n') {
                out.push(if out.ends_with('>') && c == '<' { '\n' } else { ' ' });
            } else {
                out.push_str(&run);
            }
            run.clear();
        }
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ => {}
        }
        out.push(c);
    }
    if run.contains('\n') {
        out.push('\n');
    } else {
        out.push_str(&run);
    }
    out
}

/// Finds the preformatted blocks of an HTML body and rewrites them as
/// paragraphs and lists; returns the new HTML and the byline taken out.
///
/// Markup without any block element is one take of text. Otherwise every
/// `<pre>` is read for structure, and so is every `<p>` — for signs of
/// structure only, unless it is the one block of the body and spans several
/// lines, which is the whole take sent as one paragraph.
fn restructure(html: &str) -> (String, Option<String>) {
    let with_breaks = line_breaks(html);
    let lower = with_breaks.to_ascii_lowercase();
    let blocks = ["<p", "<pre", "<div", "<ul", "<ol", "<table", "<blockquote", "<h2", "<h3", "<h4"];
    let has_block = blocks.iter().any(|tag| find_tag(&lower, tag, 0).is_some());
    if !has_block {
        return match preformatted::structure(&with_breaks, Layout::Preformatted) {
            Some(s) => (s.to_html(), s.byline),
            None => (with_breaks, None),
        };
    }
    let paragraphs = count_tag(&lower, "<p");
    let only_block = paragraphs == 1 && blocks.iter().skip(1).all(|tag| find_tag(&lower, tag, 0).is_none());
    let mut out = String::with_capacity(with_breaks.len());
    let mut byline = None;
    let mut at = 0;
    while let Some((start, tag)) = ["<pre", "<p"]
        .iter()
        .filter_map(|tag| find_tag(&lower, tag, at).map(|start| (start, *tag)))
        .min_by_key(|(start, _)| *start)
    {
        let close = format!("</{}>", &tag[1..]);
        let Some(open_end) = lower[start..].find('>').map(|i| start + i + 1) else { break };
        let Some(end) = lower[open_end..].find(&close).map(|i| open_end + i) else { break };
        let inner = &with_breaks[open_end..end];
        let layout = if tag == "<pre" || (only_block && inner.trim().lines().count() >= 3) {
            Layout::Preformatted
        } else {
            Layout::Maybe
        };
        out.push_str(&with_breaks[at..start]);
        match preformatted::structure(inner, layout) {
            Some(structured) => {
                out.push_str(&structured.to_html());
                byline = byline.or(structured.byline);
            }
            None => out.push_str(&with_breaks[start..end + close.len()]),
        }
        at = end + close.len();
    }
    out.push_str(&with_breaks[at..]);
    (out, byline)
}

/// `<br>` in its spellings as a line break, for the structure to see.
fn line_breaks(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    if !lower.contains("<br") {
        return html.to_owned();
    }
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    while let Some(start) = find_tag(&lower, "<br", at) {
        let Some(end) = lower[start..].find('>').map(|i| start + i + 1) else { break };
        out.push_str(&html[at..start]);
        out.push('\n');
        at = end;
    }
    out.push_str(&html[at..]);
    out
}

/// Where the next `<tag` (followed by `>`, `/` or whitespace) starts at or after `from`.
fn find_tag(lower: &str, tag: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(i) = lower[at..].find(tag) {
        let start = at + i;
        let next = lower[start + tag.len()..].chars().next();
        if next.is_some_and(|c| c == '>' || c == '/' || c.is_ascii_whitespace()) {
            return Some(start);
        }
        at = start + tag.len();
    }
    None
}

fn count_tag(lower: &str, tag: &str) -> usize {
    let mut count = 0;
    let mut at = 0;
    while let Some(start) = find_tag(lower, tag, at) {
        count += 1;
        at = start + tag.len();
    }
    count
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
        assert_eq!(body.html.as_str(), "<p>Text.</p>");
    }

    #[test]
    fn hostile_html_is_defused() {
        let body = from_html(
            r#"<p onclick="steal()">Hi</p><script>alert(1)</script><a href="javascript:alert(2)">x</a><img src="https://x/a.jpg" onerror="x()"><iframe src="https://evil"></iframe>"#,
        );
        let html = body.html.as_str().to_lowercase();
        for bad in ["script", "onclick", "onerror", "javascript", "iframe", "alert"] {
            assert!(!html.contains(bad), "{bad} survived in {html}");
        }
        assert!(html.contains("<p>hi</p>"));
    }

    #[test]
    fn text_paragraphs_by_blank_lines_or_single_newlines() {
        assert_eq!(
            from_text("One\nstill one.\r\n\r\nTwo & <three>").html.as_str(),
            "<p>One still one.</p>\n<p>Two &amp; &lt;three&gt;</p>\n"
        );
        assert_eq!(from_text("One.\nTwo.").html.as_str(), "<p>One.</p>\n<p>Two.</p>\n");
    }

    #[test]
    fn a_whole_take_in_one_paragraph_becomes_paragraphs_a_list_and_a_byline() {
        let take = "<p>By Ravi Kumar\nMUMBAI, Nov 26 (Example Wire) - Shares rose on Tuesday.\nBanks led the gains.\n* Sensex up 1.2%\n* Nifty up 1.1%\nTraders expect more.</p>";
        let body = from_html(take);
        assert_eq!(body.byline.as_deref(), Some("By Ravi Kumar"));
        assert_eq!(
            body.html.as_str(),
            "<p>MUMBAI, Nov 26 (Example Wire) - Shares rose on Tuesday.</p>\n<p>Banks led the gains.</p>\n<ul>\n<li>Sensex up 1.2%</li>\n<li>Nifty up 1.1%</li>\n</ul>\n<p>Traders expect more.</p>\n"
        );
        assert_eq!(body.html.free_part().as_str(), "<p>MUMBAI, Nov 26 (Example Wire) - Shares rose on Tuesday.</p>");
    }

    #[test]
    fn pre_and_line_breaks_make_paragraphs_and_ordinary_paragraphs_stay() {
        let body = from_html("<pre>   First para\nwraps here.\n   Second para.</pre>");
        assert_eq!(body.html.as_str(), "<p>First para wraps here.</p>\n<p>Second para.</p>\n");
        let body = from_html("<p>One.<br><br>Two.</p><p>Three.</p>");
        assert_eq!(body.html.as_str(), "<p>One.</p>\n<p>Two.</p>\n<p>Three.</p>");
        let body = from_html("<p>An ordinary paragraph\n   wrapped by an editor.</p><p>Another.</p>");
        assert_eq!(body.html.as_str(), "<p>An ordinary paragraph wrapped by an editor.</p><p>Another.</p>");
        assert_eq!(from_html("Plain text, no markup").html.as_str(), "<p>Plain text, no markup</p>\n");
    }

    #[test]
    fn plain_text_from_html_description() {
        assert_eq!(plain_text("<p>Tom &amp; Jerry <b>said</b>\n  &lt;hi&gt;</p>"), "Tom & Jerry said <hi>");
    }

    #[test]
    fn emptiness() {
        assert!(is_empty(&from_html("<div> </div>").html));
        assert!(!is_empty(&from_text("x").html));
    }
}
