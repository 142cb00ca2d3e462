//! The newsroom's storage: stories as staff see them (in any state, with
//! their Markdown source and tags), every save as a numbered revision,
//! scheduled publication, the chosen home lead, staff accounts and the
//! per-agency wire rules.
//!
//! A scheduled story stays a draft with `scheduled_at` set until
//! [`Store::publish_due`] flips it, so every read path (which asks for
//! `status = 'published'`) keeps it hidden until its time without knowing
//! about schedules at all.

use crate::BeginWrite;
use chrono::{DateTime, Utc};
use masthead_domain::{ArticleStatus, Credit, Lang, Page, Role, Slug};
use sqlx::QueryBuilder;

use crate::articles::{ContentColumns, bind_content, content_columns};
use crate::{Result, Store, StoreError, instant, on_pool};

/// Where a story is, as the newsroom sees it: the stored status plus the
/// schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeskStatus {
    /// Not on the site and not due.
    Draft,
    /// Due to go out at a set time.
    Scheduled,
    /// On the site.
    Published,
    /// Taken down.
    Unpublished,
}

impl DeskStatus {
    /// Every status, in the order the filters list them.
    pub const ALL: [Self; 4] = [Self::Draft, Self::Scheduled, Self::Published, Self::Unpublished];

    /// The spelling in URLs and on the page.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Scheduled => "scheduled",
            Self::Published => "published",
            Self::Unpublished => "unpublished",
        }
    }

    /// Reads a filter value.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    fn of(status: ArticleStatus, scheduled: bool) -> Self {
        match status {
            ArticleStatus::Published => Self::Published,
            _ if scheduled => Self::Scheduled,
            ArticleStatus::Unpublished => Self::Unpublished,
            ArticleStatus::Draft => Self::Draft,
        }
    }
}

/// What the story list can be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct StoryFilter {
    /// Only stories in this state.
    pub status: Option<DeskStatus>,
    /// Only this section.
    pub section: Option<String>,
    /// Only this staff byline.
    pub author: Option<String>,
    /// Only this agency's copy.
    pub agency: Option<String>,
    /// Only stories this account created (a writer's own).
    pub created_by: Option<i64>,
}

/// A story's editable content: what a save writes and a revision keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryContent {
    /// Headline.
    pub headline: String,
    /// Standfirst.
    pub standfirst: String,
    /// The Markdown the editor typed.
    pub body_markdown: String,
    /// The body rendered from it and sanitised.
    pub body_html: String,
    /// Section slug.
    pub section: String,
    /// Staff byline or agency.
    pub credit: Credit,
    /// Filing city.
    pub dateline: Option<String>,
    /// Subscribers only.
    pub premium: bool,
    /// Tags, normalised and deduplicated.
    pub tags: Vec<String>,
    /// The language it is written in.
    pub lang: Lang,
}

impl<'a> From<&'a StoryContent> for ContentColumns<'a> {
    fn from(content: &'a StoryContent) -> Self {
        Self {
            slug: Slug::from_headline(&content.headline).as_str().to_owned(),
            section: &content.section,
            headline: &content.headline,
            standfirst: &content.standfirst,
            body_html: &content.body_html,
            author: content.credit.author(),
            agency: content.credit.agency(),
            dateline: content.dateline.as_deref(),
            premium: content.premium,
            lang: content.lang.as_str(),
        }
    }
}

/// A story as the newsroom lists it.
#[derive(Debug, Clone)]
pub struct DeskStory {
    /// Story id.
    pub id: i64,
    /// The story's canonical path.
    pub path: String,
    /// Headline.
    pub headline: String,
    /// Section slug.
    pub section: String,
    /// Byline or agency.
    pub credit: Credit,
    /// Where it is.
    pub status: DeskStatus,
    /// When it is due, for scheduled stories.
    pub scheduled_at: Option<DateTime<Utc>>,
    /// First published (a placeholder for drafts).
    pub first_published_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Who created it in the newsroom (none for wire copy and the archive).
    pub created_by: Option<i64>,
    /// Subscribers only.
    pub premium: bool,
}

/// A whole story for the editor.
#[derive(Debug, Clone)]
pub struct DeskArticle {
    /// What lists show.
    pub story: DeskStory,
    /// What the editor edits.
    pub content: StoryContent,
}

/// One stored revision.
#[derive(Debug, Clone)]
pub struct Revision {
    /// 1, 2, 3… per story.
    pub number: i64,
    /// Who saved it (none for automatic changes or a deleted account).
    pub saved_by: Option<String>,
    /// When.
    pub saved_at: DateTime<Utc>,
    /// What the save did: "created", "saved", "published", "updated"…
    pub action: String,
    /// The content as saved.
    pub content: StoryContent,
}

/// How a save changes the story's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// Content only; the state stays (a published story stays published,
    /// and its "Last Updated" moves).
    Keep,
    /// Goes on the site now: a first publication sets "First Published".
    Publish,
    /// Goes on the site at this time.
    Schedule(DateTime<Utc>),
}

/// A staff or reader account as the staff page lists it.
#[derive(Debug, Clone)]
pub struct StaffMember {
    /// Account id.
    pub id: i64,
    /// Address.
    pub email: String,
    /// Their role.
    pub role: Role,
}

/// What to do with one agency's copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyRule {
    /// The agency's name, as its items credit it.
    pub agency: String,
    /// Publish straight away (else queue as drafts for an editor).
    pub publish: bool,
    /// The section its stories go to.
    pub section: String,
    /// A feed to poll for its items, if any.
    pub feed_url: Option<String>,
}

#[derive(sqlx::FromRow)]
struct DeskRow {
    id: i64,
    slug: String,
    section: String,
    headline: String,
    author: Option<String>,
    agency: Option<String>,
    premium: bool,
    status: String,
    scheduled_at: Option<i64>,
    first_published_at: i64,
    updated_at: i64,
    created_by: Option<i64>,
}

macro_rules! desk_columns {
    () => {
        "id, slug, section, headline, author, agency, premium, status, scheduled_at, first_published_at, updated_at, created_by"
    };
}

#[derive(sqlx::FromRow)]
struct ContentRow {
    headline: String,
    standfirst: String,
    body_markdown: Option<String>,
    body_html: String,
    section: String,
    author: Option<String>,
    agency: Option<String>,
    dateline: Option<String>,
    premium: bool,
    lang: Option<String>,
}

#[derive(sqlx::FromRow)]
struct RevisionRow {
    number: i64,
    saved_by: Option<String>,
    saved_at: i64,
    action: String,
    headline: String,
    standfirst: String,
    body_markdown: String,
    section: String,
    author: Option<String>,
    agency: Option<String>,
    dateline: Option<String>,
    premium: bool,
    tags: String,
    lang: Option<String>,
}

/// A stored language; for a row saved before languages were stored, the one
/// its script says.
fn stored_lang(lang: Option<&str>, headline: &str, standfirst: &str, body_html: &str) -> Lang {
    lang.and_then(Lang::parse).unwrap_or_else(|| Lang::detect(headline, standfirst, body_html))
}

impl TryFrom<DeskRow> for DeskStory {
    type Error = StoreError;

    fn try_from(row: DeskRow) -> Result<Self> {
        let slug = Slug::parse(&row.slug).unwrap_or_else(|_| Slug::from_headline(&row.headline));
        Ok(Self {
            path: masthead_domain::slug::story_path(&row.section, &slug, row.id),
            id: row.id,
            headline: row.headline,
            section: row.section,
            credit: Credit::from_columns(row.author, row.agency),
            status: DeskStatus::of(ArticleStatus::from_stored(&row.status), row.scheduled_at.is_some()),
            scheduled_at: row.scheduled_at.map(instant).transpose()?,
            first_published_at: instant(row.first_published_at)?,
            updated_at: instant(row.updated_at)?,
            created_by: row.created_by,
            premium: row.premium,
        })
    }
}

/// Tags as stored in a revision: one string, comma-separated.
fn join_tags(tags: &[String]) -> String {
    tags.join(", ")
}

fn split_tags(tags: &str) -> Vec<String> {
    tags.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

impl TryFrom<RevisionRow> for Revision {
    type Error = StoreError;

    fn try_from(row: RevisionRow) -> Result<Self> {
        let lang = stored_lang(row.lang.as_deref(), &row.headline, &row.standfirst, "");
        Ok(Self {
            number: row.number,
            saved_by: row.saved_by,
            saved_at: instant(row.saved_at)?,
            action: row.action,
            content: StoryContent {
                headline: row.headline,
                standfirst: row.standfirst,
                // A revision's HTML is rendered again when it is restored.
                body_html: String::new(),
                body_markdown: row.body_markdown,
                section: row.section,
                credit: Credit::from_columns(row.author, row.agency),
                dateline: row.dateline,
                premium: row.premium,
                tags: split_tags(&row.tags),
                lang,
            },
        })
    }
}

/// Writes a story's tags, replacing what it had; then its next revision.
/// Runs inside the caller's transaction.
macro_rules! write_tags_and_revision {
    ($tx:expr, $id:expr, $content:expr, $by:expr, $action:expr, $at:expr) => {{
        sqlx::query("DELETE FROM article_tags WHERE article_id = $1").bind($id).execute(&mut *$tx).await?;
        for tag in &$content.tags {
            sqlx::query("INSERT INTO article_tags (article_id, tag) VALUES ($1, $2)")
                .bind($id)
                .bind(tag)
                .execute(&mut *$tx)
                .await?;
        }
        let (last,): (Option<i64>,) = sqlx::query_as("SELECT MAX(number) FROM article_revisions WHERE article_id = $1")
            .bind($id)
            .fetch_one(&mut *$tx)
            .await?;
        let number = last.unwrap_or(0) + 1;
        sqlx::query(
            "INSERT INTO article_revisions (article_id, number, saved_by, saved_at, action, headline, standfirst,
                 body_markdown, section, author, agency, dateline, premium, tags, lang)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind($id)
        .bind(number)
        .bind($by)
        .bind($at.timestamp())
        .bind($action)
        .bind(&$content.headline)
        .bind(&$content.standfirst)
        .bind(&$content.body_markdown)
        .bind(&$content.section)
        .bind($content.credit.author())
        .bind($content.credit.agency())
        .bind($content.dateline.as_deref())
        .bind($content.premium)
        .bind(join_tags(&$content.tags))
        .bind($content.lang.as_str())
        .execute(&mut *$tx)
        .await?;
        sqlx::query("INSERT INTO search_log (article_id) VALUES ($1)").bind($id).execute(&mut *$tx).await?;
        number
    }};
}

impl Store {
    /// One page of stories in any state, most recently changed first, and
    /// whether another page follows.
    #[tracing::instrument(skip_all)]
    pub async fn desk_stories(&self, filter: &StoryFilter, page: Page) -> Result<(Vec<DeskStory>, bool)> {
        let rows: Vec<DeskRow> = on_pool!(self, pool => {
            let mut query = QueryBuilder::new(concat!("SELECT ", desk_columns!(), " FROM articles WHERE 1 = 1"));
            match filter.status {
                None => {}
                Some(DeskStatus::Draft) => {
                    query.push(" AND status = 'draft' AND scheduled_at IS NULL");
                }
                Some(DeskStatus::Scheduled) => {
                    query.push(" AND status <> 'published' AND scheduled_at IS NOT NULL");
                }
                Some(DeskStatus::Published) => {
                    query.push(" AND status = 'published'");
                }
                Some(DeskStatus::Unpublished) => {
                    query.push(" AND status = 'unpublished' AND scheduled_at IS NULL");
                }
            }
            if let Some(section) = &filter.section {
                query.push(" AND section = ").push_bind(section.clone());
            }
            if let Some(author) = &filter.author {
                query.push(" AND author = ").push_bind(author.clone());
            }
            if let Some(agency) = &filter.agency {
                query.push(" AND agency = ").push_bind(agency.clone());
            }
            if let Some(by) = filter.created_by {
                query.push(" AND created_by = ").push_bind(by);
            }
            query
                .push(" ORDER BY updated_at DESC, id DESC LIMIT ")
                .push_bind(i64::from(page.size()) + 1)
                .push(" OFFSET ")
                .push_bind(i64::try_from(page.offset()).unwrap_or(i64::MAX));
            query.build_query_as().fetch_all(pool).await
        })?;
        let mut stories = rows.into_iter().map(DeskStory::try_from).collect::<Result<Vec<_>>>()?;
        let more = stories.len() > page.size() as usize;
        stories.truncate(page.size() as usize);
        Ok((stories, more))
    }

    /// The agencies whose copy is stored, for the list's filter.
    pub async fn desk_agencies(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT DISTINCT agency FROM articles WHERE agency IS NOT NULL ORDER BY agency",
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().map(|(a,)| a).collect())
    }

    /// One story in any state, with what the editor needs.
    #[tracing::instrument(skip(self))]
    pub async fn desk_article(&self, id: i64) -> Result<Option<DeskArticle>> {
        let row: Option<DeskRow> = on_pool!(self, pool => sqlx::query_as(concat!(
            "SELECT ", desk_columns!(), " FROM articles WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        let Some(row) = row else { return Ok(None) };
        let content: ContentRow = on_pool!(self, pool => sqlx::query_as(
            "SELECT headline, standfirst, body_markdown, body_html, section, author, agency, dateline, premium, lang
             FROM articles WHERE id = $1",
        )
        .bind(id)
        .fetch_one(pool)
        .await)?;
        let tags: Vec<(String,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT tag FROM article_tags WHERE article_id = $1 ORDER BY tag",
        )
        .bind(id)
        .fetch_all(pool)
        .await)?;
        let lang = stored_lang(content.lang.as_deref(), &content.headline, &content.standfirst, &content.body_html);
        Ok(Some(DeskArticle {
            story: row.try_into()?,
            content: StoryContent {
                headline: content.headline,
                standfirst: content.standfirst,
                // Wire copy and the archive have no Markdown: their HTML is
                // valid Markdown (raw HTML blocks) and renders back the same.
                body_markdown: content.body_markdown.unwrap_or_else(|| content.body_html.clone()),
                body_html: content.body_html,
                section: content.section,
                credit: Credit::from_columns(content.author, content.agency),
                dateline: content.dateline,
                premium: content.premium,
                tags: tags.into_iter().map(|(t,)| t).collect(),
                lang,
            },
        }))
    }

    /// Creates a story from the newsroom with its first revision; returns its id.
    #[tracing::instrument(skip(self, content))]
    pub async fn create_desk_story(
        &self,
        content: &StoryContent,
        by: i64,
        transition: Transition,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        let (status, scheduled) = match transition {
            Transition::Keep => (ArticleStatus::Draft, None),
            Transition::Publish => (ArticleStatus::Published, None),
            Transition::Schedule(when) => (ArticleStatus::Draft, Some(when.timestamp())),
        };
        let first_published = scheduled.unwrap_or(at.timestamp());
        let action = action_word(transition, ArticleStatus::Draft, true);
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let insert = sqlx::query_as(concat!(
                "INSERT INTO articles (",
                content_columns!(),
                ", body_markdown, status, first_published_at, updated_at, created_by, scheduled_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                 RETURNING id"
            ));
            let (id,): (i64,) = bind_content!(insert, bind, content)
                .bind(&content.body_markdown)
                .bind(status.as_str())
                .bind(first_published)
                .bind(at.timestamp())
                .bind(by)
                .bind(scheduled)
                .fetch_one(&mut *tx)
                .await?;
            write_tags_and_revision!(tx, id, content, Some(by), action, at);
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Saves new content for a story and stores it as the next revision,
    /// moving the story's state as `transition` says. A published story
    /// keeps its "First Published"; its "Last Updated" becomes `at`. A
    /// first publication (from a draft never on the site) sets "First
    /// Published" to when it goes out. Returns the revision number, or
    /// `None` when there is no such story.
    #[tracing::instrument(skip(self, content))]
    pub async fn save_desk_story(
        &self,
        id: i64,
        content: &StoryContent,
        by: i64,
        transition: Transition,
        at: DateTime<Utc>,
        action_override: Option<&str>,
    ) -> Result<Option<i64>> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let held: Option<(String, Option<String>)> =
                sqlx::query_as("SELECT status, wire_id FROM articles WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some((status, wire_id)) = held else { return Ok(None) };
            let status = ArticleStatus::from_stored(&status);
            // Wire copy keeps the agency's first publication; so does anything
            // that has been on the site before.
            let first_outing = status == ArticleStatus::Draft && wire_id.is_none();
            let (new_status, scheduled, goes_out) = match transition {
                Transition::Keep => (status, None, None),
                Transition::Publish => (ArticleStatus::Published, None, Some(at)),
                Transition::Schedule(when) => (status, Some(when.timestamp()), Some(when)),
            };
            let first_published = goes_out.filter(|_| first_outing).map(|when| when.timestamp());
            // The SET list follows content_columns!(); a published story keeps its slug.
            let update = sqlx::query(
                "UPDATE articles SET slug = CASE WHEN status = 'published' THEN slug ELSE $2 END,
                     section = $3, headline = $4, standfirst = $5, body_html = $6,
                     author = $7, agency = $8, dateline = $9, premium = $10, lang = $11, body_markdown = $12,
                     status = $13, updated_at = $14, scheduled_at = $15,
                     first_published_at = COALESCE($16, first_published_at)
                 WHERE id = $1",
            )
            .bind(id);
            bind_content!(update, bind, content)
                .bind(&content.body_markdown)
                .bind(new_status.as_str())
                .bind(at.timestamp())
                .bind(scheduled)
                .bind(first_published)
                .execute(&mut *tx)
                .await?;
            let action = action_override.unwrap_or(action_word(transition, status, false));
            let number = write_tags_and_revision!(tx, id, content, Some(by), action, at);
            tx.commit().await?;
            Ok(Some(number))
        })
    }

    /// Takes a story off the site (and off any schedule). Returns whether
    /// the story exists.
    pub async fn unpublish_desk_story(&self, id: i64, at: DateTime<Utc>) -> Result<bool> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let done = sqlx::query(
                "UPDATE articles SET status = CASE WHEN status = 'draft' THEN 'draft' ELSE 'unpublished' END,
                     scheduled_at = NULL, updated_at = $2 WHERE id = $1",
            )
            .bind(id)
            .bind(at.timestamp())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done > 0 {
                sqlx::query("INSERT INTO search_log (article_id) VALUES ($1)").bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(done > 0)
        })
    }

    /// Publishes every scheduled story whose time has come (at its scheduled
    /// time); returns their ids. Safe to run on several instances at once:
    /// each story is flipped by exactly one of them.
    #[tracing::instrument(skip(self))]
    pub async fn publish_due(&self, now: DateTime<Utc>) -> Result<Vec<i64>> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let due: Vec<(i64,)> = sqlx::query_as(
                "SELECT id FROM articles WHERE scheduled_at IS NOT NULL AND scheduled_at <= $1 ORDER BY id",
            )
            .bind(now.timestamp())
            .fetch_all(&mut *tx)
            .await?;
            let mut published = Vec::with_capacity(due.len());
            for (id,) in due {
                let done = sqlx::query(
                    "UPDATE articles SET
                         first_published_at = CASE WHEN status = 'draft' AND wire_id IS NULL
                             THEN scheduled_at ELSE first_published_at END,
                         updated_at = scheduled_at, status = 'published', scheduled_at = NULL
                     WHERE id = $1 AND scheduled_at IS NOT NULL AND scheduled_at <= $2",
                )
                .bind(id)
                .bind(now.timestamp())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if done > 0 {
                    sqlx::query("INSERT INTO search_log (article_id) VALUES ($1)").bind(id).execute(&mut *tx).await?;
                    published.push(id);
                }
            }
            tx.commit().await?;
            Ok(published)
        })
    }

    /// A story's revisions, newest first.
    pub async fn revisions(&self, article_id: i64) -> Result<Vec<Revision>> {
        let rows: Vec<RevisionRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT r.number, readers.email AS saved_by, r.saved_at, r.action, r.headline, r.standfirst,
                 r.body_markdown, r.section, r.author, r.agency, r.dateline, r.premium, r.tags, r.lang
             FROM article_revisions r LEFT JOIN readers ON readers.id = r.saved_by
             WHERE r.article_id = $1 ORDER BY r.number DESC",
        )
        .bind(article_id)
        .fetch_all(pool)
        .await)?;
        rows.into_iter().map(Revision::try_from).collect()
    }

    /// Makes `article_id` the home page's lead, or clears the choice.
    pub async fn set_home_lead(&self, article_id: Option<i64>) -> Result<()> {
        match article_id {
            Some(id) => on_pool!(self, pool => sqlx::query(
                "INSERT INTO settings (name, value) VALUES ('home_lead', $1)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            )
            .bind(id.to_string())
            .execute(pool)
            .await
            .map(|_| ()))?,
            None => on_pool!(self, pool => sqlx::query("DELETE FROM settings WHERE name = 'home_lead'")
                .execute(pool)
                .await
                .map(|_| ()))?,
        }
        Ok(())
    }

    /// The story an editor chose to lead the home page, if any.
    pub async fn home_lead_choice(&self) -> Result<Option<i64>> {
        Ok(self.setting("home_lead").await?.and_then(|v| v.parse().ok()))
    }

    /// Every account that is not a plain reader, by address.
    pub async fn staff(&self) -> Result<Vec<StaffMember>> {
        let rows: Vec<(i64, String, String)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id, email, role FROM readers WHERE role <> 'reader' ORDER BY email",
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(id, email, role)| StaffMember { id, email, role: Role::from_stored(&role) })
            .collect())
    }

    /// Every agency rule, by agency.
    pub async fn agency_rules(&self) -> Result<Vec<AgencyRule>> {
        let rows: Vec<(String, bool, String, Option<String>)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT agency, publish, section, feed_url FROM agency_rules ORDER BY agency",
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(agency, publish, section, feed_url)| AgencyRule { agency, publish, section, feed_url })
            .collect())
    }

    /// One agency's rule, if it has one.
    pub async fn agency_rule(&self, agency: &str) -> Result<Option<AgencyRule>> {
        Ok(self.agency_rules().await?.into_iter().find(|r| r.agency == agency))
    }

    /// Creates or replaces an agency's rule.
    pub async fn put_agency_rule(&self, rule: &AgencyRule, at: DateTime<Utc>) -> Result<()> {
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO agency_rules (agency, publish, section, feed_url, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (agency) DO UPDATE SET publish = excluded.publish, section = excluded.section,
                 feed_url = excluded.feed_url, updated_at = excluded.updated_at",
        )
        .bind(&rule.agency)
        .bind(rule.publish)
        .bind(&rule.section)
        .bind(rule.feed_url.as_deref())
        .bind(at.timestamp())
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Removes an agency's rule (its copy is queued again). Returns whether it had one.
    pub async fn delete_agency_rule(&self, agency: &str) -> Result<bool> {
        let done = on_pool!(self, pool => sqlx::query("DELETE FROM agency_rules WHERE agency = $1")
            .bind(agency)
            .execute(pool)
            .await
            .map(|d| d.rows_affected()))?;
        Ok(done > 0)
    }
}

/// The revision log's word for a save.
fn action_word(transition: Transition, from: ArticleStatus, new: bool) -> &'static str {
    match (transition, from) {
        (Transition::Publish, ArticleStatus::Published) => "updated",
        (Transition::Publish, _) => "published",
        (Transition::Schedule(_), _) => "scheduled",
        (Transition::Keep, ArticleStatus::Published) => "updated",
        (Transition::Keep, _) if new => "created",
        (Transition::Keep, _) => "saved",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip_through_a_revision() {
        let tags = vec!["rbi".to_owned(), "rates".to_owned()];
        assert_eq!(split_tags(&join_tags(&tags)), tags);
        assert!(split_tags(" , ,").is_empty());
    }

    #[test]
    fn statuses_parse_back() {
        for status in DeskStatus::ALL {
            assert_eq!(DeskStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(DeskStatus::parse("live"), None);
        assert_eq!(DeskStatus::of(ArticleStatus::Draft, true), DeskStatus::Scheduled);
        assert_eq!(DeskStatus::of(ArticleStatus::Published, true), DeskStatus::Published);
    }
}
