//! What an issue says: its items (headline, standfirst, the free part of the
//! story, a link; premium marked), its intro, and the message one recipient
//! gets, with the links that are theirs.
//!
//! [`personal`] renders an issue the one way the send job, the newsroom's
//! preview and an editor's test copy all use.
//!
//! An item never carries more of a story than any reader may read: the free
//! part is the domain's ([`masthead_domain::Article::free_part`]),
//! the same the paywall shows, so the web archive and every message hold
//! only what the story page would show a reader without access.

use masthead_domain::{Article, SafeHtml};
use masthead_mail::emails::{NewsletterIssue, NewsletterItem};
use masthead_mail::{Email as _, Rendered};
use masthead_store::{IssueRecord, NewsletterRecord, Store};
use pulldown_cmark::{Parser, html};

use crate::Error;

/// The addresses an issue links to, under the site's public URL.
#[derive(Debug, Clone)]
pub struct Links {
    /// The site's public address, without a trailing slash.
    pub public_url: String,
}

impl Links {
    /// The one-click unsubscribe address of one membership (RFC 8058's target).
    pub fn unsubscribe(&self, token: &str) -> String {
        format!("{}/newsletters/unsubscribe/{token}", self.public_url)
    }

    /// Where a sign-up is confirmed.
    pub fn confirm(&self, token: &str) -> String {
        format!("{}/newsletters/confirm/{token}", self.public_url)
    }

    /// Where a signed-in reader manages every list.
    pub fn manage(&self) -> String {
        format!("{}/account/newsletters", self.public_url)
    }

    /// An issue in the web archive.
    pub fn issue(&self, slug: &str, issue_id: i64) -> String {
        format!("{}/newsletters/{slug}/{issue_id}", self.public_url)
    }

    /// A story.
    pub fn story(&self, article: &Article) -> String {
        format!("{}{}", self.public_url, article.summary.path())
    }
}

/// The header fields every newsletter message carries (RFC 2369, RFC 8058).
pub fn list_headers(unsubscribe_url: &str) -> [(&'static str, String); 2] {
    [
        ("List-Unsubscribe", format!("<{unsubscribe_url}>")),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".to_owned()),
    ]
}

/// One story as an item: only its free part.
pub fn item(article: &Article, links: &Links) -> NewsletterItem {
    let free = article.free_part();
    NewsletterItem {
        headline: article.summary.headline.clone(),
        standfirst: article.summary.standfirst.clone(),
        excerpt_text: plain_text(free.as_str()),
        excerpt_html: free.as_str().to_owned(),
        url: links.story(article),
        premium: article.summary.premium,
    }
}

/// The editor's Markdown intro as sanitised HTML and as plain text.
pub fn intro(markdown: &str) -> (SafeHtml, String) {
    let mut out = String::new();
    html::push_html(&mut out, Parser::new(markdown));
    let safe = SafeHtml::sanitize(&out);
    let text = plain_text(safe.as_str());
    (safe, text)
}

/// The items of an issue, in its order: stories unpublished since are left out.
pub fn items(issue: &IssueRecord, articles: &[Article], links: &Links) -> Vec<NewsletterItem> {
    issue
        .story_ids
        .iter()
        .filter_map(|id| articles.iter().find(|a| a.summary.id == *id))
        .map(|article| item(article, links))
        .collect()
}

/// `issue` of `list` rendered as it is sent: its stories as published now
/// (free parts only), the intro, every recipient's link still a stand-in.
pub async fn personal(
    store: &Store,
    publisher: &str,
    list: &NewsletterRecord,
    issue: &IssueRecord,
    links: &Links,
) -> Result<Personal, Error> {
    let articles = store.published_articles(&issue.story_ids).await?;
    Ok(Personal::render(publisher, list, issue, items(issue, &articles, links), links)?)
}

/// What marks an editor's test copy in its subject line.
pub const TEST_MARK: &str = "[Test]";

/// An issue rendered once (templates, CSS inlined) with a stand-in for the
/// recipient's unsubscribe link, which [`Personal::to`] fills in: sending
/// 100,000 copies costs one render and 100,000 string replacements.
#[derive(Debug, Clone)]
pub struct Personal {
    rendered: Rendered,
    stand_in: String,
}

/// What stands for a recipient's unsubscribe token until it is filled in
/// (not hex, so it is never a real token).
const STAND_IN_TOKEN: &str = "recipient-unsubscribe-token";

impl Personal {
    /// Renders `issue` of `list` with the stand-in link.
    pub fn render(
        publisher: &str,
        list: &NewsletterRecord,
        issue: &IssueRecord,
        items: Vec<NewsletterItem>,
        links: &Links,
    ) -> Result<Self, masthead_mail::MailError> {
        let rendered = message(publisher, list, issue, items, STAND_IN_TOKEN, links).render()?;
        Ok(Self { rendered, stand_in: links.unsubscribe(STAND_IN_TOKEN) })
    }

    /// The message with the recipient's own unsubscribe address.
    pub fn to(&self, unsubscribe_url: &str) -> Rendered {
        Rendered {
            subject: self.rendered.subject.clone(),
            text: self.rendered.text.replace(&self.stand_in, unsubscribe_url),
            html: self.rendered.html.replace(&self.stand_in, unsubscribe_url),
        }
    }

    /// An editor's test copy, as the newsroom previews it and mails it:
    /// the subject marked [`TEST_MARK`], and the manage page where a
    /// recipient's unsubscribe link would be (an editor is no member).
    pub fn test_copy(&self, links: &Links) -> Rendered {
        let copy = self.to(&links.manage());
        Rendered { subject: format!("{TEST_MARK} {}", copy.subject), ..copy }
    }
}

/// The message for one recipient: the issue's items, and their own links.
pub fn message(
    publisher: &str,
    list: &NewsletterRecord,
    issue: &IssueRecord,
    items: Vec<NewsletterItem>,
    unsubscribe_token: &str,
    links: &Links,
) -> NewsletterIssue {
    let (intro_html, intro_text) = intro(&issue.intro);
    NewsletterIssue {
        publisher: publisher.to_owned(),
        newsletter: list.name.clone(),
        subject: issue.subject.clone(),
        intro_html: intro_html.as_str().to_owned(),
        intro_text,
        items,
        unsubscribe_link: links.unsubscribe(unsubscribe_token),
        manage_link: links.manage(),
        web_link: links.issue(&list.slug, issue.id),
    }
}

/// Sanitised HTML as text: tags dropped, paragraphs apart, the entities
/// the sanitiser writes turned back into characters.
pub fn plain_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    let mut tag = String::new();
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => {
                in_tag = true;
                tag.clear();
            }
            (true, '>') => {
                in_tag = false;
                let name = tag.trim_start_matches('/').split_whitespace().next().unwrap_or_default();
                if tag.starts_with('/') && matches!(name, "p" | "li" | "h2" | "h3" | "blockquote") {
                    text.push_str("\n\n");
                } else if name == "br" {
                    text.push('\n');
                }
            }
            (true, c) => tag.push(c),
            (false, c) => text.push(c),
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    text.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use masthead_domain::{ArticleStatus, ArticleSummary, Credit, Slug};

    use super::*;

    fn article(premium: bool) -> Article {
        Article {
            summary: ArticleSummary {
                id: 7,
                slug: Slug::from_headline("Rates hold"),
                section: "markets".into(),
                headline: "Rates hold".into(),
                standfirst: "The bank waits".into(),
                credit: Credit::from_columns(Some("A Writer".into()), None),
                premium,
                first_published_at: Utc::now(),
                updated_at: Utc::now(),
                lang: masthead_domain::Lang::site(),
            },
            body: SafeHtml::from_paragraphs(["Free & first.", "WITHHELD second paragraph."]),
            dateline: None,
            status: ArticleStatus::Published,
        }
    }

    #[test]
    fn an_item_holds_only_the_free_part() {
        let links = Links { public_url: "https://news.example".into() };
        let item = item(&article(true), &links);
        assert_eq!(item.excerpt_text, "Free & first.");
        assert_eq!(item.excerpt_html, "<p>Free &amp; first.</p>");
        assert!(!item.excerpt_html.contains("WITHHELD"));
        assert!(item.premium);
        assert_eq!(item.url, "https://news.example/markets/rates-hold-7");
    }

    #[test]
    fn intros_are_sanitised_markdown() {
        let (html, text) = intro("Good *morning*.\n\n<script>alert(1)</script>Markets open.");
        assert!(html.as_str().contains("<em>morning</em>"), "{}", html.as_str());
        assert!(!html.as_str().contains("script"));
        assert!(text.starts_with("Good morning."), "{text}");
    }

    #[test]
    fn an_issue_renders_once_for_mail_clients_and_takes_each_recipients_link() {
        let links = Links { public_url: "https://news.example".into() };
        let list = NewsletterRecord {
            id: 1,
            slug: "markets".into(),
            name: "Markets".into(),
            description: String::new(),
            cadence: "daily 07:00".into(),
            sections: String::new(),
            subscribers_only: false,
            position: 0,
        };
        let issue = IssueRecord {
            id: 9,
            newsletter_id: 1,
            subject: "Rates hold".into(),
            intro: "Good *morning*.".into(),
            story_ids: vec![7],
            scheduled_at: Utc::now(),
            sent_at: None,
        };
        let personal = Personal::render("BS", &list, &issue, vec![item(&article(true), &links)], &links).unwrap();
        let mine = personal.to("https://news.example/newsletters/unsubscribe/aa");
        let yours = personal.to("https://news.example/newsletters/unsubscribe/bb");
        assert!(mine.text.contains("Unsubscribe from Markets: https://news.example/newsletters/unsubscribe/aa"));
        assert!(mine.html.contains(r#"href="https://news.example/newsletters/unsubscribe/aa""#), "{}", mine.html);
        assert!(yours.html.contains("/unsubscribe/bb") && !yours.html.contains("/unsubscribe/aa"));
        assert!(!mine.html.contains(STAND_IN_TOKEN) && !mine.text.contains(STAND_IN_TOKEN));
        // An editor's test copy: marked, and the manage page where the unsubscribe link goes.
        let test = personal.test_copy(&links);
        assert_eq!(test.subject, "[Test] Rates hold");
        assert!(test.text.contains("Unsubscribe from Markets: https://news.example/account/newsletters"));
        assert!(!test.html.contains(STAND_IN_TOKEN) && !test.text.contains(STAND_IN_TOKEN));
        // Built for mail clients: tables, every rule on its element, no <style> left.
        assert!(mine.html.contains(r#"<table class="sheet" role="presentation""#), "{}", mine.html);
        assert!(!mine.html.contains("<style"), "{}", mine.html);
        assert!(mine.html.contains(r#"<p class="publisher" style="#), "{}", mine.html);
        assert!(mine.html.contains("border-bottom: 3px solid #8c1d18"), "{}", mine.html);
        // The story's own paragraphs are styled too, and hold only the free part.
        assert!(mine.html.contains(r#"<p style="margin: 0 0 10px 0;">Free &amp; first.</p>"#), "{}", mine.html);
        assert!(!mine.html.contains("WITHHELD") && !mine.text.contains("WITHHELD"));
    }

    #[test]
    fn list_headers_follow_rfc_8058() {
        let [unsubscribe, post] = list_headers("https://news.example/newsletters/unsubscribe/abc");
        assert_eq!(unsubscribe, ("List-Unsubscribe", "<https://news.example/newsletters/unsubscribe/abc>".into()));
        assert_eq!(post, ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".into()));
    }
}
