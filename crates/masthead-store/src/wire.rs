//! Wire copy: storing an agency's item as a story, keyed by the agency's id,
//! so that re-imports are idempotent, newer versions update the story (and
//! keep the agency's note of what changed), kills take it down and an
//! embargo holds it back until its time; the routing's tags, the breaking
//! flag and the packages that group an agency's items.

use crate::BeginWrite;
use chrono::{DateTime, Utc};
use masthead_domain::{ArticleStatus, NewArticle};

use crate::articles::{ContentColumns, bind_content, content_columns};
use crate::{Result, Store, on_pool};

/// Which agency item, and which version of it, a story is.
#[derive(Debug, Clone, Copy)]
pub struct WireKey<'a> {
    /// The agency's name, also the story's credit ("AP").
    pub agency: &'a str,
    /// The agency's id for the item.
    pub id: &'a str,
    /// The item's version number, if the agency numbers them.
    pub version: Option<i64>,
    /// When this version was made, if the agency says.
    pub version_at: Option<DateTime<Utc>>,
}

/// A wire item as a story, with what wire copy carries beyond a story.
#[derive(Debug, Clone, Copy)]
pub struct WireStory<'a> {
    /// The story. Its `status` says what a new story becomes (published,
    /// or a draft for an editor); its section where a new story goes.
    pub article: &'a NewArticle,
    /// Whether the agency lets it be published (else a story we hold comes down).
    pub publishable: bool,
    /// Not before this instant: a new story that would be published is
    /// scheduled for then instead (the newsroom's scheduler publishes it).
    pub embargoed_until: Option<DateTime<Utc>>,
    /// Tags from the agency rule's routing (added to what the story has).
    pub tags: &'a [String],
    /// The reporter's byline, kept beside the agency's credit.
    pub byline: Option<&'a str>,
    /// Breaking news from this instant, when the agency flagged it urgent.
    pub breaking_at: Option<DateTime<Utc>>,
    /// The agency's note of what this version changed ("Updates with …").
    pub update_note: Option<&'a str>,
}

/// How an agency rule routes its agency's copy beyond publish-or-queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyRouting {
    /// Routing lines, as `masthead_wire::Routes` reads them (codes -> section and tags).
    pub routes: String,
    /// Copy with an urgency at or under this (1 is a flash) is breaking news; 0 never.
    pub breaking_urgency: u8,
}

impl Default for AgencyRouting {
    fn default() -> Self {
        Self { routes: String::new(), breaking_urgency: DEFAULT_BREAKING_URGENCY }
    }
}

/// The urgency at or under which copy is breaking when no rule says
/// otherwise: IPTC's 1 (flash) and 2 (bulletin).
pub const DEFAULT_BREAKING_URGENCY: u8 = 2;

/// What storing a wire item did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireOutcome {
    /// A new story.
    Created(i64),
    /// A new story, held back by its embargo and scheduled for that instant.
    Scheduled(i64, DateTime<Utc>),
    /// A newer version replaced the story's text; first publication kept.
    Updated(i64),
    /// This version (or an older one) is already stored: nothing changed.
    Unchanged(i64),
    /// The agency killed or withheld the item: the story came down.
    Unpublished(i64),
    /// A killed or withheld item we never had: nothing stored.
    NotStored,
}

#[derive(sqlx::FromRow)]
struct Held {
    id: i64,
    wire_version: Option<i64>,
    wire_version_at: Option<i64>,
    headline: String,
    body_html: String,
    status: String,
}

/// Whether the incoming version is newer than the one held. Version numbers
/// decide when both have them, then version times; an item with the same
/// version is the same item; only unversioned items (plain RSS) are compared
/// by their text.
fn is_newer(held: &Held, key: &WireKey<'_>, story: &NewArticle) -> bool {
    let incoming_at = key.version_at.map(|at| at.timestamp());
    if let (Some(incoming), Some(stored)) = (key.version, held.wire_version)
        && incoming != stored
    {
        return incoming > stored;
    }
    if let (Some(incoming), Some(stored)) = (incoming_at, held.wire_version_at)
        && incoming != stored
    {
        return incoming > stored;
    }
    let versioned = key.version.is_some() || incoming_at.is_some();
    !versioned && (held.headline != story.headline || held.body_html != story.body.as_str())
}

impl Store {
    /// Stores a wire item as a story. An update keeps the story's status,
    /// section and first publication (a story still held by its embargo
    /// moves to the new embargo); an item the agency may not have
    /// published unpublishes the story we hold. Every change is logged for
    /// the search index in the same transaction.
    #[tracing::instrument(skip(self, wire), fields(agency = key.agency, id = key.id))]
    pub async fn upsert_wire(&self, key: WireKey<'_>, wire: WireStory<'_>) -> Result<WireOutcome> {
        let story = wire.article;
        // Held back to the whole second after the embargo: times are stored
        // in seconds, and a story must never go out before its instant.
        let held_back = wire.embargoed_until.filter(|at| *at > Utc::now()).map(|at| {
            let up = i64::from(at.timestamp_subsec_nanos() > 0);
            DateTime::from_timestamp(at.timestamp() + up, 0).unwrap_or(at)
        });
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let held: Option<Held> = sqlx::query_as(
                "SELECT id, wire_version, wire_version_at, headline, body_html, status
                 FROM articles WHERE agency = $1 AND wire_id = $2",
            )
            .bind(key.agency)
            .bind(key.id)
            .fetch_optional(&mut *tx)
            .await?;
            let outcome = match held {
                None if !wire.publishable => WireOutcome::NotStored,
                None => {
                    let insert = sqlx::query_as(concat!(
                        "INSERT INTO articles (",
                        content_columns!(),
                        ", status, first_published_at, updated_at, wire_id, wire_version, wire_version_at,
                           scheduled_at, wire_byline, breaking_at, update_note)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
                             $20)
                         RETURNING id"
                    ));
                    // Held back: a draft until the embargo lifts, then the
                    // scheduler publishes it — if it was to be published at all.
                    let publish = story.status == ArticleStatus::Published;
                    let (status, scheduled) = match held_back {
                        Some(at) => (ArticleStatus::Draft, publish.then_some(at)),
                        None => (story.status, None),
                    };
                    let first_published = held_back.map_or(story.first_published_at, |at| at.max(story.first_published_at));
                    // Wire copy is the agency's, whatever credit the story carries.
                    let credited = ContentColumns { author: None, agency: Some(key.agency), ..story.into() };
                    let (id,): (i64,) = bind_content!(insert, bind, credited)
                        .bind(status.as_str())
                        .bind(first_published.timestamp())
                        .bind(story.updated_at.timestamp().max(first_published.timestamp()))
                        .bind(key.id)
                        .bind(key.version)
                        .bind(key.version_at.map(|at| at.timestamp()))
                        .bind(scheduled.map(|at| at.timestamp()))
                        .bind(wire.byline)
                        .bind(wire.breaking_at.map(|at| at.timestamp()))
                        .bind(wire.update_note)
                        .fetch_one(&mut *tx)
                        .await?;
                    match scheduled {
                        Some(at) => WireOutcome::Scheduled(id, at),
                        None => WireOutcome::Created(id),
                    }
                }
                Some(held) if !is_newer(&held, &key, story) => WireOutcome::Unchanged(held.id),
                Some(held) if !wire.publishable => {
                    let already_down = ArticleStatus::from_stored(&held.status) != ArticleStatus::Published;
                    sqlx::query(
                        "UPDATE articles SET status = $2, wire_version = $3, wire_version_at = $4,
                             updated_at = $5, scheduled_at = NULL WHERE id = $1",
                    )
                    .bind(held.id)
                    .bind(if already_down { held.status.as_str() } else { ArticleStatus::Unpublished.as_str() })
                    .bind(key.version)
                    .bind(key.version_at.map(|at| at.timestamp()))
                    .bind(story.updated_at.timestamp())
                    .execute(&mut *tx)
                    .await?;
                    WireOutcome::Unpublished(held.id)
                }
                Some(held) => {
                    // First publication stays; the slug stays too, so links
                    // keep working. A story still waiting for its embargo
                    // waits for the new one.
                    sqlx::query(
                        "UPDATE articles SET headline = $2, standfirst = $3, body_html = $4, dateline = $5,
                             updated_at = $6, wire_version = $7, wire_version_at = $8,
                             wire_byline = COALESCE($9, wire_byline), breaking_at = COALESCE(breaking_at, $10),
                             update_note = COALESCE($11, update_note),
                             scheduled_at = CASE WHEN scheduled_at IS NOT NULL AND status <> 'published'
                                 THEN COALESCE($12, scheduled_at) ELSE scheduled_at END,
                             lang = $13
                         WHERE id = $1",
                    )
                    .bind(held.id)
                    .bind(&story.headline)
                    .bind(&story.standfirst)
                    .bind(story.body.as_str())
                    .bind(story.dateline.as_deref())
                    .bind(story.updated_at.timestamp())
                    .bind(key.version)
                    .bind(key.version_at.map(|at| at.timestamp()))
                    .bind(wire.byline)
                    .bind(wire.breaking_at.map(|at| at.timestamp()))
                    .bind(wire.update_note)
                    .bind(held_back.map(|at| at.timestamp()))
                    .bind(story.lang.as_str())
                    .execute(&mut *tx)
                    .await?;
                    WireOutcome::Updated(held.id)
                }
            };
            if let WireOutcome::Created(id) | WireOutcome::Scheduled(id, _) | WireOutcome::Updated(id) = outcome {
                for tag in wire.tags {
                    sqlx::query(
                        "INSERT INTO article_tags (article_id, tag) VALUES ($1, $2) ON CONFLICT (article_id, tag) DO NOTHING",
                    )
                    .bind(id)
                    .bind(tag)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            // Every change to a story is logged for the search index, in the same transaction.
            if let WireOutcome::Created(id)
            | WireOutcome::Scheduled(id, _)
            | WireOutcome::Updated(id)
            | WireOutcome::Unpublished(id) = outcome
            {
                sqlx::query("INSERT INTO search_log (article_id) VALUES ($1)").bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(outcome)
        })
    }

    /// Every agency rule's routing, by agency.
    pub async fn agency_routing(&self) -> Result<std::collections::HashMap<String, AgencyRouting>> {
        let rows: Vec<(String, String, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT agency, routes, breaking_urgency FROM agency_rules",
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(agency, routes, urgency)| {
                (agency, AgencyRouting { routes, breaking_urgency: u8::try_from(urgency.clamp(0, 9)).unwrap_or(0) })
            })
            .collect())
    }

    /// Sets the routing of an agency that has a rule; returns whether it has one.
    pub async fn put_agency_routing(&self, agency: &str, routing: &AgencyRouting) -> Result<bool> {
        let done = on_pool!(self, pool => sqlx::query(
            "UPDATE agency_rules SET routes = $2, breaking_urgency = $3 WHERE agency = $1",
        )
        .bind(agency)
        .bind(&routing.routes)
        .bind(i64::from(routing.breaking_urgency))
        .execute(pool)
        .await
        .map(|d| d.rows_affected()))?;
        Ok(done > 0)
    }

    /// Keeps a package's grouping: which items it references, in order
    /// (replacing what an earlier version said). Returns how many of them
    /// are stories already.
    pub async fn put_wire_package(&self, package_id: &str, refs: &[String]) -> Result<usize> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("DELETE FROM wire_packages WHERE package_id = $1").bind(package_id).execute(&mut *tx).await?;
            let mut stored = 0;
            for (position, member) in refs.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO wire_packages (package_id, member_id, position) VALUES ($1, $2, $3)
                     ON CONFLICT (package_id, member_id) DO NOTHING",
                )
                .bind(package_id)
                .bind(member)
                .bind(position as i64)
                .execute(&mut *tx)
                .await?;
                let (found,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM articles WHERE wire_id = $1")
                    .bind(member)
                    .fetch_one(&mut *tx)
                    .await?;
                stored += usize::from(found > 0);
            }
            tx.commit().await?;
            Ok(stored)
        })
    }

    /// The published stories a package groups with this one, in the
    /// package's order (whatever order the items and the package came in).
    pub async fn related_story_ids(&self, article_id: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT other.id FROM articles me
             JOIN wire_packages mine ON mine.member_id = me.wire_id
             JOIN wire_packages p ON p.package_id = mine.package_id
             JOIN articles other ON other.wire_id = p.member_id
             WHERE me.id = $1 AND other.id <> me.id AND other.status = 'published'
             GROUP BY other.id ORDER BY MIN(p.position)",
        )
        .bind(article_id)
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Published stories flagged breaking at or after `since`, newest first.
    pub async fn breaking_story_ids(&self, since: DateTime<Utc>, limit: u32) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id FROM articles WHERE breaking_at >= $1 AND status = 'published'
             ORDER BY breaking_at DESC, id DESC LIMIT $2",
        )
        .bind(since.timestamp())
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// What wire copy says beyond the story: the reporter's byline and the
    /// agency's note of the last change.
    pub async fn wire_notes(&self, article_id: i64) -> Result<(Option<String>, Option<String>)> {
        let row: Option<(Option<String>, Option<String>)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT wire_byline, update_note FROM articles WHERE id = $1",
        )
        .bind(article_id)
        .fetch_optional(pool)
        .await)?;
        Ok(row.unwrap_or_default())
    }

    /// The canonical path of a stored story in any state (for reports).
    pub async fn story_path(&self, id: i64) -> Result<Option<String>> {
        let row: Option<(String, String)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT section, slug FROM articles WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        Ok(row.map(|(section, slug)| format!("/{section}/{slug}-{id}")))
    }
}
