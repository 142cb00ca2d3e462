//! Story bodies as HTML that is safe to put on a page.
//!
//! Bodies arrive from editors, wire agencies and imports; whatever they hold,
//! only the markup a story needs survives. Scripts, styles, event handlers,
//! `javascript:` and `data:` URLs never reach a reader. Pictures come only
//! from the site itself (a path such as `/media/...`) or from the hosts the
//! publisher named ([`allow_image_hosts`]), so a body cannot carry a tracking
//! pixel. Links are written as a browser would follow them: a backslash in a
//! relative link is a slash to a browser (`/\evil.example` leaves the site),
//! and a protocol-relative `//host/...` names another site, so both are
//! written out as the `https://` address they lead to. Bodies are sanitised
//! once, on the way into storage, and stored as the result.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{LazyLock, RwLock};

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
        .clean_content_tags(HashSet::from(["script", "style"]))
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("a", "href") => Some(Cow::Owned(normalise_link(value))),
            ("img", "src") => image_source(value).map(Cow::Owned),
            _ => Some(Cow::Borrowed(value)),
        });
    builder
});

/// Drops the `<img>` tags the sanitiser left without a source (a picture
/// from a host that is not allowed): an empty image is only a broken box.
/// Works on the sanitiser's own output, where attribute values are always
/// double-quoted with `"` escaped and text never holds a raw `<`.
fn without_bare_images(html: String) -> String {
    if !html.contains("<img") {
        return html;
    }
    let mut kept = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(start) = rest.find("<img") {
        kept.push_str(&rest[..start]);
        let tag = &rest[start..];
        let mut quoted = false;
        let mut end = tag.len();
        for (at, c) in tag.char_indices() {
            match c {
                '"' => quoted = !quoted,
                '>' if !quoted => {
                    end = at + 1;
                    break;
                }
                _ => {}
            }
        }
        let (image, after) = tag.split_at(end);
        if image.contains(" src=\"") {
            kept.push_str(image);
        }
        rest = after;
    }
    kept.push_str(rest);
    kept
}

/// Hosts besides the site whose pictures a body may show, lower case.
static IMAGE_HOSTS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Lets story bodies show pictures from these hosts as well as from the site
/// itself (`masthead serve --image-hosts`). Hosts are added, never removed;
/// set them at start, before bodies are stored.
pub fn allow_image_hosts<S: AsRef<str>>(hosts: impl IntoIterator<Item = S>) {
    let mut allowed = IMAGE_HOSTS.write().unwrap_or_else(|poisoned| poisoned.into_inner());
    for host in hosts {
        let host = host.as_ref().trim().to_ascii_lowercase();
        if !host.is_empty() && !allowed.contains(&host) {
            allowed.push(host);
        }
    }
}

/// A link as a browser would follow it: tabs and line breaks (which
/// browsers drop) removed; in a relative link, backslashes before any query
/// made slashes, and a link that then starts with `//` given its `https:`.
fn normalise_link(value: &str) -> String {
    let link: String = value.trim().chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    if has_scheme(&link) {
        return link;
    }
    let path_end = link.find(['?', '#']).unwrap_or(link.len());
    let link = format!("{}{}", link[..path_end].replace('\\', "/"), &link[path_end..]);
    if link.starts_with("//") { format!("https:{link}") } else { link }
}

/// Whether a link starts with a scheme (`https:`, `mailto:`).
fn has_scheme(link: &str) -> bool {
    link.split_once(':').is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// A picture's address if it may be shown: on the site (a relative path),
/// or on an allowed host over HTTP(S).
fn image_source(value: &str) -> Option<String> {
    let source = normalise_link(value);
    let Some((scheme, rest)) = source.split_once("://").filter(|_| has_scheme(&source)) else {
        return (!has_scheme(&source)).then_some(source);
    };
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        return None;
    }
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    // `user@host` is not the host a reader might take it for.
    if authority.contains('@') {
        return None;
    }
    let host = authority.split(':').next().unwrap_or_default().to_ascii_lowercase();
    let allowed = IMAGE_HOSTS.read().unwrap_or_else(|poisoned| poisoned.into_inner());
    allowed.contains(&host).then_some(source)
}

/// HTML that has passed the sanitiser (or was built from escaped text).
/// The default is empty, which is safe as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SafeHtml(String);

impl SafeHtml {
    /// Cleans untrusted HTML down to the tags a story body may use.
    pub fn sanitize(untrusted: &str) -> Self {
        Self(without_bare_images(SANITIZER.clean(untrusted).to_string()))
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

    /// The free part of this body — see [`free_part`].
    pub fn free_part(&self) -> SafeHtml {
        free_part(self)
    }
}

/// Words the free part holds at most (it ends at the last sentence end
/// within them).
pub const FREE_PART_WORDS: usize = 60;

/// The free part of a story's body: what a reader who may not read the story
/// gets of it, on every route (page, API, feeds, search snippets and the
/// search index, newsletters). Defined once, here.
///
/// It is the body's opening paragraph when that is prose — a `<p>` holding
/// text, no picture — cut to the last sentence end within
/// [`FREE_PART_WORDS`] words (a first sentence longer than that is cut at
/// the limit, with an ellipsis). A body that opens with anything else (a
/// list, a table, a heading, a quote, a figure or embed) gives nothing away:
/// the free part is empty, and the reader has the standfirst alone.
pub fn free_part(body: &SafeHtml) -> SafeHtml {
    let html = body.as_str().trim_start();
    let Some(after_open) = html.strip_prefix("<p>") else {
        return SafeHtml::default();
    };
    // Sanitised paragraphs never nest: the first `</p>` closes this one.
    let Some(end) = after_open.find("</p>") else {
        return SafeHtml::default();
    };
    let inner = &after_open[..end];
    if inner.contains("<img") {
        return SafeHtml::default();
    }
    match cut_at_sentence(inner, FREE_PART_WORDS) {
        Cut::Whole if has_text(inner) => SafeHtml(format!("<p>{inner}</p>")),
        Cut::Whole => SafeHtml::default(),
        // Re-sanitising closes any inline tag the cut left open.
        Cut::Sentence(at) => SafeHtml::sanitize(&format!("<p>{}</p>", &inner[..at])),
        Cut::Word(at) => SafeHtml::sanitize(&format!("<p>{}\u{2026}</p>", &inner[..at])),
    }
}

/// Where a paragraph's HTML is cut to hold at most so many words.
#[derive(Debug, PartialEq, Eq)]
enum Cut {
    /// It is short enough as it is.
    Whole,
    /// After the last sentence end within the limit (a byte offset).
    Sentence(usize),
    /// No sentence ends within the limit: after its last word.
    Word(usize),
}

/// Whether sanitised inline HTML holds any visible text.
fn has_text(inline: &str) -> bool {
    let mut in_tag = false;
    inline.chars().any(|c| match c {
        '<' => {
            in_tag = true;
            false
        }
        '>' if in_tag => {
            in_tag = false;
            false
        }
        c => !in_tag && !c.is_whitespace(),
    })
}

/// Finds where sanitised inline HTML (a paragraph's content) must be cut to
/// hold at most `limit` words. Tags are skipped (quoted attribute values may
/// hold `>`); a word ends a sentence when it ends in `.`, `?` or `!`, before
/// any closing quotes or brackets.
fn cut_at_sentence(inline: &str, limit: usize) -> Cut {
    let bytes = inline.as_bytes();
    let (mut words, mut i) = (0, 0);
    let (mut in_word, mut word_start, mut word_end) = (false, 0, 0);
    let mut sentence_end = None;
    while i < bytes.len() {
        match bytes[i] {
            b'<' => {
                // Skip the tag; a word may go on after it (`<em>x</em>y`).
                let mut quoted = false;
                while i < bytes.len() && (quoted || bytes[i] != b'>') {
                    if bytes[i] == b'"' {
                        quoted = !quoted;
                    }
                    i += 1;
                }
                i += 1;
            }
            b if b.is_ascii_whitespace() => {
                if in_word {
                    in_word = false;
                    if ends_sentence(&inline[word_start..word_end]) {
                        sentence_end = Some(word_end);
                    }
                }
                i += 1;
            }
            _ => {
                if !in_word {
                    if words == limit {
                        return match sentence_end {
                            Some(at) => Cut::Sentence(at),
                            None => Cut::Word(word_end),
                        };
                    }
                    in_word = true;
                    words += 1;
                    word_start = i;
                }
                i += 1;
                word_end = i;
            }
        }
    }
    Cut::Whole
}

/// Whether a word (as HTML text, entities undecoded) ends a sentence.
fn ends_sentence(word: &str) -> bool {
    const CLOSERS: [&str; 8] = ["&quot;", "&#39;", "\"", "'", "\u{201d}", "\u{2019}", ")", "]"];
    let mut word = word;
    while let Some(shorter) = CLOSERS.iter().find_map(|closer| word.strip_suffix(closer)) {
        word = shorter;
    }
    word.ends_with(['.', '?', '!'])
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
        let html = SafeHtml::sanitize(r#"<p onclick="steal()">Hi</p><img src="/media/a.jpg" onerror="x()">"#);
        assert_eq!(html.as_str(), r#"<p>Hi</p><img src="/media/a.jpg">"#);
    }

    #[test]
    fn pictures_come_only_from_the_site_and_allowed_hosts() {
        allow_image_hosts(["Images.Allowed.Example"]);
        let kept = |src: &str| {
            let html = SafeHtml::sanitize(&format!(r#"<p>A</p><img src="{src}" alt="a > b"><p>B</p>"#));
            if !html.as_str().contains("src=") {
                assert_eq!(html.as_str(), "<p>A</p><p>B</p>", "a refused picture leaves nothing behind");
            }
            html.as_str().contains("src=")
        };
        assert!(kept("/media/abc.webp"));
        assert!(kept("photo.jpg"));
        assert!(kept("https://images.allowed.example/a.jpg"));
        assert!(kept("http://IMAGES.ALLOWED.EXAMPLE:8080/a.jpg"));
        for tracker in [
            "https://tracker.example/pixel.gif",
            "//tracker.example/pixel.gif",
            "/\\tracker.example/pixel.gif",
            "\\\\tracker.example/pixel.gif",
            "/\t/tracker.example/pixel.gif",
            "https://images.allowed.example@tracker.example/p.gif",
            "https://images.allowed.example.tracker.example/p.gif",
            "ftp://images.allowed.example/a.jpg",
        ] {
            assert!(!kept(tracker), "{tracker}");
        }
    }

    #[test]
    fn links_are_written_as_a_browser_follows_them() {
        let href = |link: &str| {
            let html = SafeHtml::sanitize(&format!(r#"<a href="{link}">x</a>"#));
            let start = html.as_str().find("href=\"").map(|i| i + 6);
            start.map(|start| html.as_str()[start..].split('"').next().unwrap_or_default().to_owned())
        };
        assert_eq!(href("/\\evil.example/x").as_deref(), Some("https://evil.example/x"));
        assert_eq!(href("//evil.example").as_deref(), Some("https://evil.example"));
        assert_eq!(href("/\t/evil.example").as_deref(), Some("https://evil.example"));
        assert_eq!(href("/markets/story-1?q=a\\b").as_deref(), Some("/markets/story-1?q=a\\b"));
        assert_eq!(href("https://example.com/x").as_deref(), Some("https://example.com/x"));
        assert_eq!(href("mailto:desk@example.com").as_deref(), Some("mailto:desk@example.com"));
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
    fn the_free_part_is_the_opening_paragraph_of_prose() {
        let body = SafeHtml::from_paragraphs(["One.", "Two.", "Three."]);
        assert_eq!(body.free_part().as_str(), "<p>One.</p>");
        let inline = SafeHtml::sanitize(
            r#"<p>Talks <em>stalled</em>, said <a href="https://x.org/a">Peskov</a>.</p><p>Later.</p>"#,
        );
        assert_eq!(
            inline.free_part().as_str(),
            r#"<p>Talks <em>stalled</em>, said <a href="https://x.org/a" rel="noopener nofollow">Peskov</a>.</p>"#
        );
    }

    #[test]
    fn a_body_that_does_not_open_with_prose_gives_nothing_away() {
        for body in [
            "<ul><li>Sensex up</li></ul><p>Later.</p>",
            "<table><tr><td>1</td></tr></table><p>Later.</p>",
            "<h2>Why</h2><blockquote><p>Quoted.</p></blockquote><p>Later.</p>",
            "<blockquote><p>Quoted.</p></blockquote><p>Later.</p>",
            "<figure><img src=\"/media/a.jpg\"></figure><p>Later.</p>",
            "<p><img src=\"/media/a.jpg\"></p><p>Later.</p>",
            "<p> <br> </p><p>Later.</p>",
            "Bare text.",
            "",
        ] {
            assert_eq!(SafeHtml::sanitize(body).free_part().as_str(), "", "{body}");
        }
    }

    #[test]
    fn a_long_paragraph_is_cut_at_the_last_sentence_within_the_limit() {
        let sentence = "This sentence has exactly ten words in it, you see.";
        let long = format!("<p>{}</p>", [sentence; 8].join(" "));
        let free = SafeHtml::sanitize(&long).free_part();
        assert_eq!(free.as_str(), format!("<p>{}</p>", [sentence; 6].join(" ")));
        // Quotes after the full stop still end the sentence; markup left open is closed.
        let quoted =
            format!("<p><em>{} &quot;Too early yet.&quot; {}</em></p>", "word ".repeat(50), "more ".repeat(20));
        let free = SafeHtml::sanitize(&quoted).free_part();
        assert!(free.as_str().ends_with("\"Too early yet.\"</em></p>"), "{}", free.as_str());
        // One sentence past the limit is cut after its last allowed word.
        let run_on = format!("<p>{}</p>", "word ".repeat(100));
        let free = SafeHtml::sanitize(&run_on).free_part();
        assert_eq!(free.as_str(), format!("<p>{}\u{2026}</p>", ["word"; FREE_PART_WORDS].join(" ")));
        // At the limit exactly, the paragraph is whole.
        let exact = format!("<p>{}</p>", ["word"; FREE_PART_WORDS].join(" "));
        assert_eq!(SafeHtml::sanitize(&exact).free_part().as_str(), exact);
    }

    #[test]
    fn paragraphs_are_escaped() {
        let html = SafeHtml::from_paragraphs(["\"Too early yet.\"", "<b>x</b> & y"]);
        assert_eq!(html.as_str(), "<p>&quot;Too early yet.&quot;</p>\n<p>&lt;b&gt;x&lt;/b&gt; &amp; y</p>\n");
    }
}
