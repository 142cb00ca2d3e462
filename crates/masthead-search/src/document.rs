//! A story as the index sees it: what anyone may read (headline, standfirst
//! and the body's free part, [`Article::free_part`]) kept apart from the
//! whole body, so that a reader who may not read the story matches it, and
//! gets a snippet, on the free text alone.

use chrono::{DateTime, Utc};
use masthead_domain::Article;

/// One story, ready to index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedStory {
    /// Story id.
    pub id: i64,
    /// URL slug (stored so results can link without the database).
    pub slug: String,
    /// Section slug.
    pub section: String,
    /// Staff writer or agency name.
    pub credit: String,
    /// Marked premium.
    pub premium: bool,
    /// First published.
    pub first_published_at: DateTime<Utc>,
    /// Headline.
    pub headline: String,
    /// Standfirst and the body's free part, as plain text: what anyone may read.
    pub lead: String,
    /// The standfirst and the whole body as plain text: only readers
    /// entitled to the story match it.
    pub body: String,
}

impl IndexedStory {
    /// Splits a stored story into its free and withheld text.
    pub fn from_article(article: &Article) -> Self {
        let summary = &article.summary;
        let with_standfirst = |text: String| match (summary.standfirst.is_empty(), text.is_empty()) {
            (true, _) => text,
            (false, true) => summary.standfirst.clone(),
            (false, false) => format!("{}\n{text}", summary.standfirst),
        };
        Self {
            id: summary.id,
            slug: summary.slug.as_str().to_owned(),
            section: summary.section.clone(),
            credit: summary.credit.name().to_owned(),
            premium: summary.premium,
            first_published_at: summary.first_published_at,
            headline: summary.headline.clone(),
            lead: with_standfirst(html_text(article.free_part().as_str())),
            body: with_standfirst(html_text(article.body.as_str())),
        }
    }
}

/// The text of sanitised HTML: tags dropped (block ends become line breaks),
/// the entities the sanitiser writes decoded.
pub fn html_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            rest = "";
            break;
        };
        let tag = &rest[start + 1..start + end];
        if tag.starts_with("/p") || tag.starts_with("br") || tag.starts_with("/h") || tag.starts_with("/li") {
            text.push('\n');
        }
        rest = &rest[start + end + 1..];
    }
    text.push_str(rest);
    decode_entities(text.trim())
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').filter(|end| *end <= 8).and_then(|end| {
            let c = match &rest[1..end] {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                entity => entity
                    .strip_prefix("#x")
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use masthead_domain::{ArticleStatus, ArticleSummary, Credit, SafeHtml, Slug};

    #[test]
    fn text_drops_tags_and_decodes_entities() {
        assert_eq!(
            html_text("<p>Peskov said: &quot;Too early yet.&quot;</p>\n<p>A &amp; B</p>"),
            "Peskov said: \"Too early yet.\"\n\nA & B"
        );
        assert_eq!(html_text("<p>5 &lt; 6 &#39;x&#39; &bogus</p>"), "5 < 6 'x' &bogus");
    }

    #[test]
    fn the_free_part_is_standfirst_and_the_bodys_free_part() {
        let now = Utc::now();
        let mut article = Article {
            summary: ArticleSummary {
                id: 7,
                slug: Slug::from_headline("Talks"),
                section: "world".into(),
                headline: "Talks".into(),
                standfirst: "Stand.".into(),
                credit: Credit::Wire("AP".into()),
                premium: false,
                first_published_at: now,
                updated_at: now,
                lang: masthead_domain::Lang::site(),
            },
            body: SafeHtml::from_paragraphs(["One.", "Two.", "Three."]),
            dateline: None,
            status: ArticleStatus::Published,
        };
        let story = IndexedStory::from_article(&article);
        assert_eq!(story.lead, "Stand.\nOne.");
        assert_eq!(story.body, "Stand.\nOne.\n\nTwo.\n\nThree.");
        assert_eq!(story.credit, "AP");
        // A body opening with a list: the standfirst alone is free.
        article.body = SafeHtml::sanitize("<ul><li>Secret one</li></ul><p>Two.</p>");
        let story = IndexedStory::from_article(&article);
        assert_eq!(story.lead, "Stand.");
        assert!(story.body.contains("Secret one"));
    }
}
