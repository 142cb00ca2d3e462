//! Story bodies typed in Markdown: rendered with pulldown-cmark, then passed
//! through the same sanitiser as wire copy, so whatever HTML an editor types
//! (a `<script>`, an `onclick`) never reaches a reader.

use masthead_domain::SafeHtml;
use pulldown_cmark::{Options, Parser, html};

/// The body's HTML, safe to store and serve.
pub(crate) fn render(markdown: &str) -> SafeHtml {
    let parser = Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES);
    let mut out = String::with_capacity(markdown.len() * 5 / 4);
    html::push_html(&mut out, parser);
    SafeHtml::sanitize(&out)
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn markdown_becomes_paragraphs_and_emphasis() {
        let html = render("First *paragraph*.\n\nSecond with a [link](https://example.com).");
        assert!(html.as_str().contains("<p>First <em>paragraph</em>.</p>"), "{}", html.as_str());
        assert!(html.as_str().contains("<a href=\"https://example.com\""), "{}", html.as_str());
    }

    #[test]
    fn scripts_and_handlers_never_come_out() {
        let html =
            render("Hello <script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1))");
        let out = html.as_str();
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("alert('x')"), "{out}");
        assert!(!out.contains("onerror"), "{out}");
        assert!(!out.contains("javascript:"), "{out}");
    }

    #[test]
    fn stored_html_renders_back_to_itself() {
        // Wire copy has no Markdown source: its HTML is edited as Markdown.
        let stored = "<p>MOSCOW (AP) — The Kremlin said.</p>\n<p>Second.</p>\n";
        assert_eq!(render(stored).as_str().trim(), stored.trim());
    }
}
