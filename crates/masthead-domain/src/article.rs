//! Stories: what the newsroom publishes and readers read.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::html::SafeHtml;
use crate::lang::Lang;
use crate::slug::{Slug, story_path};

/// Who a story is credited to: a staff writer, or a wire agency whose copy we
/// syndicate (which earns the story the syndication disclaimer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "lowercase")]
pub enum Credit {
    /// A staff writer's name.
    Staff(String),
    /// A wire agency's name, e.g. "AP".
    Wire(String),
}

impl Credit {
    /// Builds a credit from the two stored columns; an agency wins over an
    /// author, since wire copy is credited to its agency.
    pub fn from_columns(author: Option<String>, agency: Option<String>) -> Self {
        match (agency, author) {
            (Some(agency), _) => Self::Wire(agency),
            (None, Some(author)) => Self::Staff(author),
            (None, None) => Self::Staff(String::new()),
        }
    }

    /// The staff author, if any (the `author` column).
    pub fn author(&self) -> Option<&str> {
        match self {
            Self::Staff(name) => Some(name),
            Self::Wire(_) => None,
        }
    }

    /// The agency, if any (the `agency` column).
    pub fn agency(&self) -> Option<&str> {
        match self {
            Self::Wire(name) => Some(name),
            Self::Staff(_) => None,
        }
    }

    /// The name to print.
    pub fn name(&self) -> &str {
        match self {
            Self::Staff(name) | Self::Wire(name) => name,
        }
    }

    /// The byline as the seed prints it: "AP Moscow" for wire copy; a staff
    /// writer's name, with " | City" when there is a `dateline`.
    pub fn byline(&self, dateline: Option<&str>) -> String {
        match (self, dateline) {
            (Self::Wire(agency), Some(city)) => format!("{agency} {city}"),
            (Self::Staff(author), Some(city)) => format!("{author} | {city}"),
            (credit, None) => credit.name().to_owned(),
        }
    }
}

/// Where a story is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ArticleStatus {
    /// Being written; only staff see it.
    Draft,
    /// On the site.
    Published,
    /// Taken down after publication (killed wire copy, legal).
    Unpublished,
}

impl ArticleStatus {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Unpublished => "unpublished",
        }
    }

    /// Reads the stored spelling; unknown values are treated as drafts so a
    /// corrupted row is never shown to readers.
    pub fn from_stored(s: &str) -> Self {
        match s {
            "published" => Self::Published,
            "unpublished" => Self::Unpublished,
            _ => Self::Draft,
        }
    }
}

/// A story about to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewArticle {
    /// Section slug.
    pub section: String,
    /// Headline.
    pub headline: String,
    /// One or two sentences under the headline.
    pub standfirst: String,
    /// The body, already safe.
    pub body: SafeHtml,
    /// Staff writer or wire agency.
    pub credit: Credit,
    /// City the story was filed from ("Moscow"), if any.
    pub dateline: Option<String>,
    /// Subscribers only, never on the meter.
    pub premium: bool,
    /// Draft or published.
    pub status: ArticleStatus,
    /// When it first went out.
    pub first_published_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The language it is written in.
    pub lang: Lang,
}

impl NewArticle {
    /// The slug this story is stored under.
    pub fn slug(&self) -> Slug {
        Slug::from_headline(&self.headline)
    }
}

/// What lists and cards show of a story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleSummary {
    /// Story id.
    pub id: i64,
    /// URL slug.
    pub slug: Slug,
    /// Section slug.
    pub section: String,
    /// Headline.
    pub headline: String,
    /// Standfirst.
    pub standfirst: String,
    /// Staff writer or agency.
    pub credit: Credit,
    /// Subscribers only.
    pub premium: bool,
    /// First published.
    pub first_published_at: DateTime<Utc>,
    /// Last updated.
    pub updated_at: DateTime<Utc>,
    /// The language it is written in.
    pub lang: Lang,
}

impl ArticleSummary {
    /// The canonical path, `/{section}/{slug}-{id}`.
    pub fn path(&self) -> String {
        story_path(&self.section, &self.slug, self.id)
    }
}

/// A whole story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// What lists show.
    pub summary: ArticleSummary,
    /// The body.
    pub body: SafeHtml,
    /// Filing city.
    pub dateline: Option<String>,
    /// Lifecycle state.
    pub status: ArticleStatus,
}

impl Article {
    /// What a reader who may not read the story gets of its body, on every
    /// route: the opening paragraph of prose, capped, or nothing when the
    /// body opens with anything else (the reader has the standfirst alone).
    /// The rule is [`crate::html::free_part`].
    pub fn free_part(&self) -> SafeHtml {
        self.body.free_part()
    }

    /// The byline as the seed prints it (see [`Credit::byline`]).
    pub fn byline(&self) -> String {
        self.summary.credit.byline(self.dateline.as_deref())
    }

    /// Wire copy carries the syndication disclaimer.
    pub fn is_syndicated(&self) -> bool {
        matches!(self.summary.credit, Credit::Wire(_))
    }

    /// The seed's disclaimer for syndicated copy, naming the publisher.
    pub fn disclaimer(&self, publisher: &str) -> Option<String> {
        self.is_syndicated()
            .then(|| format!("Disclaimer: No {publisher} Journalist was involved in creation of this content"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(credit: Credit, dateline: Option<&str>) -> Article {
        let now = Utc::now();
        Article {
            summary: ArticleSummary {
                id: 1,
                slug: Slug::from_headline("x"),
                section: "world".into(),
                headline: "x".into(),
                standfirst: String::new(),
                credit,
                premium: false,
                first_published_at: now,
                updated_at: now,
                lang: Lang::site(),
            },
            body: SafeHtml::from_paragraphs(["x"]),
            dateline: dateline.map(str::to_owned),
            status: ArticleStatus::Published,
        }
    }

    #[test]
    fn wire_byline_is_agency_then_city_as_on_the_seed() {
        let a = article(Credit::Wire("AP".into()), Some("Moscow"));
        assert_eq!(a.byline(), "AP Moscow");
        assert_eq!(
            a.disclaimer("Business Standard").as_deref(),
            Some("Disclaimer: No Business Standard Journalist was involved in creation of this content")
        );
    }

    #[test]
    fn staff_copy_has_no_disclaimer() {
        let a = article(Credit::Staff("Priya Raman".into()), Some("Mumbai"));
        assert_eq!(a.byline(), "Priya Raman | Mumbai");
        assert_eq!(a.disclaimer("Business Standard"), None);
        assert_eq!(article(Credit::Staff("Priya Raman".into()), None).byline(), "Priya Raman");
    }

    #[test]
    fn agency_column_wins_over_author() {
        assert_eq!(Credit::from_columns(Some("desk".into()), Some("PTI".into())), Credit::Wire("PTI".into()));
    }

    #[test]
    fn unknown_status_is_never_published() {
        assert_eq!(ArticleStatus::from_stored("published"), ArticleStatus::Published);
        assert_eq!(ArticleStatus::from_stored("garbage"), ArticleStatus::Draft);
    }
}
