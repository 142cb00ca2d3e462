//! Sections and stories: writing them, and the reads the reader site makes.

use crate::BeginWrite;
use chrono::{DateTime, Utc};
use masthead_domain::{
    Article, ArticleStatus, ArticleSummary, Credit, Lang, NewArticle, Page, SafeHtml, Section, Slug,
};
use sqlx::QueryBuilder;

use crate::{Result, Store, StoreError, instant, on_pool};

/// Rows per multi-row INSERT: 13 binds a row stays far below SQLite's 32,766
/// and PostgreSQL's 65,535 parameter limits.
const INSERT_BATCH: usize = 400;

/// The columns lists and cards need, in [`SummaryRow`]'s order.
macro_rules! summary_columns {
    () => {
        "id, slug, section, headline, standfirst, author, agency, premium, first_published_at, updated_at, lang"
    };
}

/// The columns that hold a story's content, in the order [`bind_content!`]
/// binds them: every write of a story's text sets these.
macro_rules! content_columns {
    () => {
        "slug, section, headline, standfirst, body_html, author, agency, dateline, premium, lang"
    };
}
pub(crate) use content_columns;

/// A story's content as [`content_columns!`] stores it, whoever wrote it: a
/// new story, a desk edit or wire copy.
pub(crate) struct ContentColumns<'a> {
    pub slug: String,
    pub section: &'a str,
    pub headline: &'a str,
    pub standfirst: &'a str,
    pub body_html: &'a str,
    pub author: Option<&'a str>,
    pub agency: Option<&'a str>,
    pub dateline: Option<&'a str>,
    pub premium: bool,
    pub lang: &'a str,
}

impl<'a> From<&'a NewArticle> for ContentColumns<'a> {
    fn from(article: &'a NewArticle) -> Self {
        Self {
            slug: article.slug().as_str().to_owned(),
            section: &article.section,
            headline: &article.headline,
            standfirst: &article.standfirst,
            body_html: article.body.as_str(),
            author: article.credit.author(),
            agency: article.credit.agency(),
            dateline: article.dateline.as_deref(),
            premium: article.premium,
            lang: article.lang.as_str(),
        }
    }
}

/// Binds a story's content (anything that becomes [`ContentColumns`]) to
/// `$query` in [`content_columns!`] order, with its `$bind` method: `bind`
/// on a query, `push_bind` on a [`QueryBuilder`] row. Evaluates to what the
/// last bind returns, so more binds can follow.
macro_rules! bind_content {
    ($query:expr, $bind:ident, $content:expr) => {{
        let content = $crate::articles::ContentColumns::from($content);
        $query
            .$bind(content.slug)
            .$bind(content.section)
            .$bind(content.headline)
            .$bind(content.standfirst)
            .$bind(content.body_html)
            .$bind(content.author)
            .$bind(content.agency)
            .$bind(content.dateline)
            .$bind(content.premium)
            .$bind(content.lang)
    }};
}
pub(crate) use bind_content;

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    slug: String,
    section: String,
    headline: String,
    standfirst: String,
    author: Option<String>,
    agency: Option<String>,
    premium: bool,
    first_published_at: i64,
    updated_at: i64,
    lang: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ArticleRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    body_html: String,
    dateline: Option<String>,
    status: String,
}

#[derive(sqlx::FromRow)]
struct SectionRow {
    slug: String,
    name: String,
    premium: bool,
    position: i64,
}

impl TryFrom<SummaryRow> for ArticleSummary {
    type Error = StoreError;

    fn try_from(row: SummaryRow) -> Result<Self> {
        // A story stored before languages were (or with a tag no longer
        // read) is in the language its script says.
        let lang = row.lang.as_deref().and_then(Lang::parse);
        Ok(Self {
            lang: lang.unwrap_or_else(|| Lang::detect(&row.headline, &row.standfirst, "")),
            slug: Slug::parse(&row.slug).unwrap_or_else(|_| Slug::from_headline(&row.headline)),
            id: row.id,
            section: row.section,
            headline: row.headline,
            standfirst: row.standfirst,
            credit: Credit::from_columns(row.author, row.agency),
            premium: row.premium,
            first_published_at: instant(row.first_published_at)?,
            updated_at: instant(row.updated_at)?,
        })
    }
}

impl TryFrom<ArticleRow> for Article {
    type Error = StoreError;

    fn try_from(row: ArticleRow) -> Result<Self> {
        Ok(Self {
            summary: row.summary.try_into()?,
            body: SafeHtml::from_storage(row.body_html),
            dateline: row.dateline,
            status: ArticleStatus::from_stored(&row.status),
        })
    }
}

fn summaries(rows: Vec<SummaryRow>) -> Result<Vec<ArticleSummary>> {
    rows.into_iter().map(ArticleSummary::try_from).collect()
}

impl Store {
    /// Creates the sections, or updates their names, flags and order.
    pub async fn upsert_sections(&self, sections: &[Section]) -> Result<()> {
        for section in sections {
            on_pool!(self, pool => sqlx::query(
                "INSERT INTO sections (slug, name, premium, position) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (slug) DO UPDATE
                 SET name = excluded.name, premium = excluded.premium, position = excluded.position",
            )
            .bind(&section.slug)
            .bind(&section.name)
            .bind(section.premium)
            .bind(section.position)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        }
        Ok(())
    }

    /// All sections in navigation order.
    pub async fn sections(&self) -> Result<Vec<Section>> {
        let rows: Vec<SectionRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT slug, name, premium, position FROM sections ORDER BY position, slug",
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|r| Section { slug: r.slug, name: r.name, premium: r.premium, position: r.position })
            .collect())
    }

    /// Stores one story and returns its id; logs it for the search index in
    /// the same transaction.
    pub async fn insert_article(&self, article: &NewArticle) -> Result<i64> {
        let id = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let insert = sqlx::query_as(concat!(
                "INSERT INTO articles (",
                content_columns!(),
                ", status, first_published_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                 RETURNING id"
            ));
            let id: (i64,) = bind_content!(insert, bind, article)
                .bind(article.status.as_str())
                .bind(article.first_published_at.timestamp())
                .bind(article.updated_at.timestamp())
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO search_log (article_id) VALUES ($1)").bind(id.0).execute(&mut *tx).await?;
            tx.commit().await?;
            id.0
        });
        // This process shows its own story writes on its next page view.
        self.may_have_changed();
        Ok(id)
    }

    /// Replaces a story's content (its id and first publication stay); logs
    /// the change for the search index in the same transaction. Returns
    /// whether the story exists.
    pub async fn update_article(&self, id: i64, article: &NewArticle) -> Result<bool> {
        let updated = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            // The SET list follows content_columns!().
            let update = sqlx::query(
                "UPDATE articles SET slug = $2, section = $3, headline = $4, standfirst = $5, body_html = $6,
                     author = $7, agency = $8, dateline = $9, premium = $10, lang = $11, status = $12,
                     updated_at = $13
                 WHERE id = $1",
            )
            .bind(id);
            let updated = bind_content!(update, bind, article)
                .bind(article.status.as_str())
                .bind(article.updated_at.timestamp())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if updated > 0 {
                sqlx::query("INSERT INTO search_log (article_id) VALUES ($1)").bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            updated > 0
        });
        // This process shows its own story writes on its next page view.
        self.may_have_changed();
        Ok(updated)
    }

    /// Moves a story to another state (unpublishing it, say), logging the
    /// change for the search index in the same transaction. Returns whether
    /// the story exists.
    pub async fn set_article_status(&self, id: i64, status: ArticleStatus, at: DateTime<Utc>) -> Result<bool> {
        let updated = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let updated = sqlx::query("UPDATE articles SET status = $2, updated_at = $3 WHERE id = $1")
                .bind(id)
                .bind(status.as_str())
                .bind(at.timestamp())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if updated > 0 {
                sqlx::query("INSERT INTO search_log (article_id) VALUES ($1)").bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            updated > 0
        });
        // This process shows its own story writes on its next page view.
        self.may_have_changed();
        Ok(updated)
    }

    /// Stores many stories in one transaction, in multi-row inserts: how the
    /// demo archive and bulk imports write. Each is logged for the search
    /// index in the same transaction.
    pub async fn insert_articles(&self, articles: &[NewArticle]) -> Result<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            for chunk in articles.chunks(INSERT_BATCH) {
                let mut insert = QueryBuilder::new(concat!(
                    "INSERT INTO articles (",
                    content_columns!(),
                    ", status, first_published_at, updated_at) "
                ));
                insert.push_values(chunk, |mut row, article| {
                    bind_content!(row, push_bind, article)
                        .push_bind(article.status.as_str())
                        .push_bind(article.first_published_at.timestamp())
                        .push_bind(article.updated_at.timestamp());
                });
                insert.push(" RETURNING id");
                let mut ids: Vec<(i64,)> = insert.build_query_as().fetch_all(&mut *tx).await?;
                ids.sort_unstable();
                let mut log = QueryBuilder::new("INSERT INTO search_log (article_id) ");
                log.push_values(ids, |mut row, (id,)| {
                    row.push_bind(id);
                });
                log.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        // This process shows its own story writes on its next page view.
        self.may_have_changed();
        Ok(())
    }

    /// The published stories among `ids` (any order); those missing are
    /// unpublished, drafts or gone.
    pub async fn published_articles(&self, ids: &[i64]) -> Result<Vec<Article>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<ArticleRow> = on_pool!(self, pool => {
            let mut query = QueryBuilder::new(concat!(
                "SELECT ", summary_columns!(), ", body_html, dateline, status
                 FROM articles WHERE status = 'published' AND id IN ("
            ));
            let mut list = query.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            query.push(")");
            query.build_query_as().fetch_all(pool).await
        })?;
        rows.into_iter().map(Article::try_from).collect()
    }

    /// Up to `limit` published stories with ids above `after`, by id: how a
    /// rebuild of the search index walks the archive.
    pub async fn published_articles_after(&self, after: i64, limit: u32) -> Result<Vec<Article>> {
        let rows: Vec<ArticleRow> = on_pool!(self, pool => sqlx::query_as(concat!(
            "SELECT ", summary_columns!(), ", body_html, dateline, status
             FROM articles WHERE status = 'published' AND id > $1 ORDER BY id LIMIT $2"
        ))
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await)?;
        rows.into_iter().map(Article::try_from).collect()
    }

    /// When each published story in `[from, to)` was first published, oldest
    /// first: what the archive's month and year pages count.
    pub async fn published_times(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<DateTime<Utc>>> {
        let rows: Vec<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT first_published_at FROM articles
             WHERE status = 'published' AND first_published_at >= $1 AND first_published_at < $2
             ORDER BY first_published_at",
        )
        .bind(from.timestamp())
        .bind(to.timestamp())
        .fetch_all(pool)
        .await)?;
        rows.into_iter().map(|(at,)| instant(at)).collect()
    }

    /// How many stories in `[from, to)` are published: what the archive's
    /// page of years counts (one indexed range count per year).
    pub async fn published_count(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<u64> {
        let count: (i64,) = on_pool!(self, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM articles
             WHERE status = 'published' AND first_published_at >= $1 AND first_published_at < $2",
        )
        .bind(from.timestamp())
        .bind(to.timestamp())
        .fetch_one(pool)
        .await)?;
        Ok(u64::try_from(count.0).unwrap_or_default())
    }

    /// The first publication of the oldest and newest published stories: the
    /// span the archive's year pages cover.
    pub async fn published_span(&self) -> Result<Option<(DateTime<Utc>, DateTime<Utc>)>> {
        let span: (Option<i64>, Option<i64>) = on_pool!(self, pool => sqlx::query_as(
            "SELECT MIN(first_published_at), MAX(first_published_at) FROM articles WHERE status = 'published'",
        )
        .fetch_one(pool)
        .await)?;
        match span {
            (Some(first), Some(last)) => Ok(Some((instant(first)?, instant(last)?))),
            _ => Ok(None),
        }
    }

    /// How many stories are stored, in any state.
    pub async fn article_count(&self) -> Result<u64> {
        let count: (i64,) =
            on_pool!(self, pool => sqlx::query_as("SELECT COUNT(*) FROM articles").fetch_one(pool).await)?;
        Ok(u64::try_from(count.0).unwrap_or_default())
    }

    /// A published story by id.
    pub async fn published_article(&self, id: i64) -> Result<Option<Article>> {
        let row: Option<ArticleRow> = on_pool!(self, pool => sqlx::query_as(concat!(
            "SELECT ", summary_columns!(), ", body_html, dateline, status
             FROM articles WHERE id = $1 AND status = 'published'"
        ))
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        row.map(Article::try_from).transpose()
    }

    /// One page of published stories, newest first, from one section or all;
    /// and whether an older page follows.
    pub async fn latest(&self, section: Option<&str>, page: Page) -> Result<(Vec<ArticleSummary>, bool)> {
        let limit = i64::from(page.size()) + 1;
        let offset = i64::try_from(page.offset()).unwrap_or(i64::MAX);
        let rows: Vec<SummaryRow> = match section {
            Some(section) => on_pool!(self, pool => sqlx::query_as(concat!(
                "SELECT ", summary_columns!(), " FROM articles
                 WHERE status = 'published' AND section = $1
                 ORDER BY first_published_at DESC, id DESC LIMIT $2 OFFSET $3"
            ))
            .bind(section)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await)?,
            None => on_pool!(self, pool => sqlx::query_as(concat!(
                "SELECT ", summary_columns!(), " FROM articles
                 WHERE status = 'published'
                 ORDER BY first_published_at DESC, id DESC LIMIT $1 OFFSET $2"
            ))
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await)?,
        };
        let mut stories = summaries(rows)?;
        let more = stories.len() > page.size() as usize;
        stories.truncate(page.size() as usize);
        Ok((stories, more))
    }

    /// Published stories first published in `[from, to)`, oldest first.
    pub async fn published_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<ArticleSummary>> {
        let rows: Vec<SummaryRow> = on_pool!(self, pool => sqlx::query_as(concat!(
            "SELECT ", summary_columns!(), " FROM articles
             WHERE status = 'published' AND first_published_at >= $1 AND first_published_at < $2
             ORDER BY first_published_at, id"
        ))
        .bind(from.timestamp())
        .bind(to.timestamp())
        .fetch_all(pool)
        .await)?;
        summaries(rows)
    }

    /// The first published story at or after `at`, or the last one before it:
    /// how the archive finds the neighbouring days that have stories.
    pub async fn nearest_published(&self, at: DateTime<Utc>, later: bool) -> Result<Option<DateTime<Utc>>> {
        let sql = if later {
            "SELECT MIN(first_published_at) FROM articles WHERE status = 'published' AND first_published_at >= $1"
        } else {
            "SELECT MAX(first_published_at) FROM articles WHERE status = 'published' AND first_published_at < $1"
        };
        let found: (Option<i64>,) =
            on_pool!(self, pool => sqlx::query_as(sql).bind(at.timestamp()).fetch_one(pool).await)?;
        found.0.map(instant).transpose()
    }
}

impl Store {
    /// The story an editor chose to lead the home page, while it is published.
    pub async fn chosen_home_lead(&self) -> Result<Option<ArticleSummary>> {
        let row: Option<SummaryRow> = on_pool!(self, pool => sqlx::query_as(concat!(
            "SELECT ", summary_columns!(), " FROM articles
             WHERE status = 'published' AND CAST(id AS TEXT) = (SELECT value FROM settings WHERE name = 'home_lead')"
        ))
        .fetch_optional(pool)
        .await)?;
        row.map(ArticleSummary::try_from).transpose()
    }
}
