//! Wire copy: storing an agency's item as a story, keyed by the agency's id,
//! so that re-imports are idempotent, newer versions update the story and
//! kills take it down.

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

/// What storing a wire item did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireOutcome {
    /// A new story.
    Created(i64),
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
    /// Stores a wire item as a story. `story.status` says what a new story
    /// becomes (published, or a draft for an editor); an update keeps the
    /// story's status; an item the agency may not have published
    /// (`publishable == false`) unpublishes the story we hold.
    #[tracing::instrument(skip(self, story), fields(agency = key.agency, id = key.id))]
    pub async fn upsert_wire(&self, key: WireKey<'_>, story: &NewArticle, publishable: bool) -> Result<WireOutcome> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let held: Option<Held> = sqlx::query_as(
                "SELECT id, wire_version, wire_version_at, headline, body_html, status
                 FROM articles WHERE agency = $1 AND wire_id = $2",
            )
            .bind(key.agency)
            .bind(key.id)
            .fetch_optional(&mut *tx)
            .await?;
            let outcome = match held {
                None if !publishable => WireOutcome::NotStored,
                None => {
                    let insert = sqlx::query_as(concat!(
                        "INSERT INTO articles (",
                        content_columns!(),
                        ", status, first_published_at, updated_at, wire_id, wire_version, wire_version_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                         RETURNING id"
                    ));
                    // Wire copy is the agency's, whatever credit the story carries.
                    let credited = ContentColumns { author: None, agency: Some(key.agency), ..story.into() };
                    let (id,): (i64,) = bind_content!(insert, bind, credited)
                        .bind(story.status.as_str())
                        .bind(story.first_published_at.timestamp())
                        .bind(story.updated_at.timestamp())
                        .bind(key.id)
                        .bind(key.version)
                        .bind(key.version_at.map(|at| at.timestamp()))
                        .fetch_one(&mut *tx)
                        .await?;
                    WireOutcome::Created(id)
                }
                Some(held) if !is_newer(&held, &key, story) => WireOutcome::Unchanged(held.id),
                Some(held) if !publishable => {
                    let already_down = ArticleStatus::from_stored(&held.status) != ArticleStatus::Published;
                    sqlx::query(
                        "UPDATE articles SET status = $2, wire_version = $3, wire_version_at = $4,
                             updated_at = $5 WHERE id = $1",
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
                    // First publication stays; the slug stays too, so links keep working.
                    sqlx::query(
                        "UPDATE articles SET headline = $2, standfirst = $3, body_html = $4, dateline = $5,
                             updated_at = $6, wire_version = $7, wire_version_at = $8 WHERE id = $1",
                    )
                    .bind(held.id)
                    .bind(&story.headline)
                    .bind(&story.standfirst)
                    .bind(story.body.as_str())
                    .bind(story.dateline.as_deref())
                    .bind(story.updated_at.timestamp())
                    .bind(key.version)
                    .bind(key.version_at.map(|at| at.timestamp()))
                    .execute(&mut *tx)
                    .await?;
                    WireOutcome::Updated(held.id)
                }
            };
            // Every change to a story is logged for the search index, in the same transaction.
            if let WireOutcome::Created(id) | WireOutcome::Updated(id) | WireOutcome::Unpublished(id) = outcome {
                sqlx::query("INSERT INTO search_log (article_id) VALUES ($1)").bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(outcome)
        })
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
