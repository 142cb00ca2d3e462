//! The e-paper's editions: each a date and an edition name, its pages (the
//! renderings and the PDF each came from, all blobs, and the page's text)
//! and article regions; the count of stamped downloads; and clips, the
//! article regions readers share (each with its own copy of the picture and
//! text, a monthly allowance counted when one is made).
//!
//! [`Store::replace_epaper_edition`] is the one write: blobs, edition, pages
//! and regions go in one transaction, replacing what the same date and name
//! held, so a reader sees the old edition or the new one, never a mix, and a
//! failed import leaves the old one standing.

use chrono::{DateTime, NaiveDate, Utc};

use crate::blobs::blob_name;
use crate::{BeginWrite, Result, Store, StoreError, instant, on_pool};

/// A file an edition brings, stored as a blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    /// Its media type.
    pub content_type: &'static str,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

impl NewFile {
    /// The name it is stored under.
    pub fn sha256(&self) -> String {
        blob_name(&self.bytes)
    }
}

/// An edition about to be stored.
#[derive(Debug, Clone)]
pub struct NewEdition {
    /// The date it is for.
    pub day: NaiveDate,
    /// Its name ("Main", "Mumbai").
    pub edition: String,
    /// The PDFs it came in.
    pub sources: Vec<NewFile>,
    /// Its pages, in order.
    pub pages: Vec<NewPage>,
}

/// A page about to be stored.
#[derive(Debug, Clone)]
pub struct NewPage {
    /// Which of [`NewEdition::sources`] it came from.
    pub source: usize,
    /// Its index in that file, from 0.
    pub source_page: u32,
    /// The full rendering's width in pixels.
    pub width: u32,
    /// The full rendering's height in pixels.
    pub height: u32,
    /// The full rendering.
    pub image: NewFile,
    /// The page view's rendering.
    pub view: NewFile,
    /// The thumbnail.
    pub thumb: NewFile,
    /// Its text.
    pub text: String,
    /// Its article regions.
    pub regions: Vec<NewRegion>,
}

/// An article region about to be stored (pixels of the full rendering).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRegion {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// The printed headline.
    pub headline: String,
    /// The story it is, when known.
    pub article_id: Option<i64>,
    /// The text inside it.
    pub text: String,
}

/// A stored edition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditionRecord {
    /// Its id.
    pub id: i64,
    /// Its date.
    pub day: NaiveDate,
    /// Its name.
    pub edition: String,
    /// How many pages it has.
    pub pages: u32,
    /// When it was imported.
    pub imported_at: DateTime<Utc>,
}

/// A stored page.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PageRecord {
    /// Its number, from 1.
    #[sqlx(try_from = "i64")]
    pub number: u32,
    /// The full rendering's width in pixels.
    #[sqlx(try_from = "i64")]
    pub width: u32,
    /// The full rendering's height in pixels.
    #[sqlx(try_from = "i64")]
    pub height: u32,
    /// The full rendering's blob.
    pub image_sha256: String,
    /// The page view's blob.
    pub view_sha256: String,
    /// The thumbnail's blob.
    pub thumb_sha256: String,
    /// The PDF it came from.
    pub source_sha256: String,
    /// Its index in that PDF.
    #[sqlx(try_from = "i64")]
    pub source_page: u32,
    /// Its text.
    pub text: String,
}

/// A stored article region.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RegionRecord {
    /// Its page's number.
    #[sqlx(try_from = "i64")]
    pub page: u32,
    /// Its number on the page, from 1.
    #[sqlx(try_from = "i64")]
    pub number: u32,
    /// Left edge (pixels of the full rendering).
    #[sqlx(try_from = "i64")]
    pub x: u32,
    /// Top edge.
    #[sqlx(try_from = "i64")]
    pub y: u32,
    /// Width.
    #[sqlx(try_from = "i64")]
    pub width: u32,
    /// Height.
    #[sqlx(try_from = "i64")]
    pub height: u32,
    /// The printed headline.
    pub headline: String,
    /// The story it is, when known.
    pub article_id: Option<i64>,
    /// The text inside it.
    pub text: String,
}

/// A page whose text matched a search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageHit {
    /// The edition's date.
    pub day: NaiveDate,
    /// The edition's name.
    pub edition: String,
    /// The page's number.
    pub page: u32,
    /// The page's text.
    pub text: String,
}

/// What a clip is: whose, of which article region, and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clipping {
    /// Its page's random address.
    pub token: String,
    /// Who made it.
    pub reader_id: i64,
    /// The edition's date.
    pub day: NaiveDate,
    /// The edition's name.
    pub edition: String,
    /// The page's number.
    pub page: u32,
    /// The region's number on the page.
    pub region: u32,
    /// The region's headline.
    pub headline: String,
    /// The region's text.
    pub text: String,
}

/// A clip about to be stored.
#[derive(Debug, Clone)]
pub struct NewClip {
    /// What it is.
    pub clipping: Clipping,
    /// The region's picture.
    pub image: NewFile,
    /// When it stops opening.
    pub expires_at: DateTime<Utc>,
}

/// A stored clip; what it is reads straight through (`clip.headline`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClipRecord {
    /// Its id.
    pub id: i64,
    /// What it is.
    pub clipping: Clipping,
    /// The picture's blob.
    pub image_sha256: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it stops opening.
    pub expires_at: DateTime<Utc>,
    /// When its maker revoked it.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl std::ops::Deref for ClipRecord {
    type Target = Clipping;

    fn deref(&self) -> &Clipping {
        &self.clipping
    }
}

impl ClipRecord {
    /// Whether it opens at `at`.
    pub fn opens_at(&self, at: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && at < self.expires_at
    }
}

type ClipRow = (i64, String, i64, String, String, i64, i64, String, String, String, i64, i64, Option<i64>);

fn clip(row: ClipRow) -> Result<ClipRecord> {
    let (id, token, reader_id, day, edition, page, region, headline, text, image_sha256, created, expires, revoked) =
        row;
    let number = |n: i64| u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("clip {id}: number {n}")));
    Ok(ClipRecord {
        id,
        clipping: Clipping {
            token,
            reader_id,
            day: parse_day(&day)?,
            edition,
            page: number(page)?,
            region: number(region)?,
            headline,
            text,
        },
        image_sha256,
        created_at: instant(created)?,
        expires_at: instant(expires)?,
        revoked_at: revoked.map(instant).transpose()?,
    })
}

macro_rules! clip_columns {
    () => {
        "id, token, reader_id, day, edition, page, region, headline, text, image_sha256, created_at, expires_at, revoked_at"
    };
}

type EditionRow = (i64, String, String, i64, i64);

fn edition(row: EditionRow) -> Result<EditionRecord> {
    let (id, day, edition, pages, imported_at) = row;
    Ok(EditionRecord {
        id,
        day: parse_day(&day)?,
        edition,
        pages: u32::try_from(pages).map_err(|_| StoreError::Corrupt(format!("edition {id} has {pages} pages")))?,
        imported_at: instant(imported_at)?,
    })
}

fn parse_day(day: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| StoreError::Corrupt(format!("e-paper day {day:?}")))
}

fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

impl Store {
    /// Stores an edition, replacing whatever the same date and name held, in
    /// one transaction (see the module docs). Returns its id.
    #[tracing::instrument(skip_all, fields(day = %new.day, edition = %new.edition, pages = new.pages.len()))]
    pub async fn replace_epaper_edition(&self, new: &NewEdition, at: DateTime<Utc>) -> Result<i64> {
        let mut files: Vec<&NewFile> = new.sources.iter().collect();
        for page in &new.pages {
            files.extend([&page.image, &page.view, &page.thumb]);
        }
        let source_names: Vec<String> = new.sources.iter().map(NewFile::sha256).collect();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            for file in &files {
                sqlx::query(
                    "INSERT INTO blobs (sha256, content_type, size, bytes, created_at) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (sha256) DO NOTHING",
                )
                .bind(file.sha256())
                .bind(file.content_type)
                .bind(file.bytes.len() as i64)
                .bind(&file.bytes)
                .bind(at.timestamp())
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query("DELETE FROM epaper_editions WHERE day = $1 AND edition = $2")
                .bind(day_text(new.day))
                .bind(&new.edition)
                .execute(&mut *tx)
                .await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO epaper_editions (day, edition, pages, imported_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(day_text(new.day))
            .bind(&new.edition)
            .bind(new.pages.len() as i64)
            .bind(at.timestamp())
            .fetch_one(&mut *tx)
            .await?;
            for (index, page) in new.pages.iter().enumerate() {
                let number = index as i64 + 1;
                let source = source_names
                    .get(page.source)
                    .ok_or_else(|| StoreError::Corrupt(format!("page {number} names no source file")))?;
                sqlx::query(
                    "INSERT INTO epaper_pages (edition_id, number, width, height, image_sha256, view_sha256,
                         thumb_sha256, source_sha256, source_page, text)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(id)
                .bind(number)
                .bind(i64::from(page.width))
                .bind(i64::from(page.height))
                .bind(page.image.sha256())
                .bind(page.view.sha256())
                .bind(page.thumb.sha256())
                .bind(source)
                .bind(i64::from(page.source_page))
                .bind(&page.text)
                .execute(&mut *tx)
                .await?;
                for (r, region) in page.regions.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO epaper_regions (edition_id, page, number, x, y, width, height, headline, article_id, text)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
                                 (SELECT id FROM articles WHERE id = $9 AND status = 'published'), $10)",
                    )
                    .bind(id)
                    .bind(number)
                    .bind(r as i64 + 1)
                    .bind(i64::from(region.x))
                    .bind(i64::from(region.y))
                    .bind(i64::from(region.width))
                    .bind(i64::from(region.height))
                    .bind(&region.headline)
                    .bind(region.article_id)
                    .bind(&region.text)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            tx.commit().await?;
            Ok(id)
        })
    }

    /// The editions dated `from` to `to` (inclusive), newest first, each
    /// date's editions by name.
    pub async fn epaper_editions(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<EditionRecord>> {
        let rows: Vec<EditionRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id, day, edition, pages, imported_at FROM epaper_editions
             WHERE day >= $1 AND day <= $2 ORDER BY day DESC, edition",
        )
        .bind(day_text(from))
        .bind(day_text(to))
        .fetch_all(pool)
        .await)?;
        rows.into_iter().map(edition).collect()
    }

    /// The `limit` editions imported last, the latest first.
    pub async fn recent_epaper_editions(&self, limit: u32) -> Result<Vec<EditionRecord>> {
        let rows: Vec<EditionRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id, day, edition, pages, imported_at FROM epaper_editions
             ORDER BY imported_at DESC, id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await)?;
        rows.into_iter().map(edition).collect()
    }

    /// The edition of `day` named `name`, or when `name` is None the day's
    /// first by name.
    pub async fn epaper_edition(&self, day: NaiveDate, name: Option<&str>) -> Result<Option<EditionRecord>> {
        let row: Option<EditionRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id, day, edition, pages, imported_at FROM epaper_editions
             WHERE day = $1 AND ($2 IS NULL OR edition = $2) ORDER BY edition LIMIT 1",
        )
        .bind(day_text(day))
        .bind(name)
        .fetch_optional(pool)
        .await)?;
        row.map(edition).transpose()
    }

    /// The nearest date with an edition before (`later` false) or after `day`.
    pub async fn epaper_day_beside(&self, day: NaiveDate, later: bool) -> Result<Option<NaiveDate>> {
        let sql = if later {
            "SELECT MIN(day) FROM epaper_editions WHERE day > $1"
        } else {
            "SELECT MAX(day) FROM epaper_editions WHERE day < $1"
        };
        let row: (Option<String>,) =
            on_pool!(self, pool => sqlx::query_as(sql).bind(day_text(day)).fetch_one(pool).await)?;
        row.0.as_deref().map(parse_day).transpose()
    }

    /// An edition's pages, in order.
    pub async fn epaper_pages(&self, edition_id: i64) -> Result<Vec<PageRecord>> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT number, width, height, image_sha256, view_sha256, thumb_sha256, source_sha256, source_page, text
             FROM epaper_pages WHERE edition_id = $1 ORDER BY number",
        )
        .bind(edition_id)
        .fetch_all(pool)
        .await)?)
    }

    /// An edition's article regions, by page and number.
    pub async fn epaper_regions(&self, edition_id: i64) -> Result<Vec<RegionRecord>> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT page, number, x, y, width, height, headline, article_id, text
             FROM epaper_regions WHERE edition_id = $1 ORDER BY page, number",
        )
        .bind(edition_id)
        .fetch_all(pool)
        .await)?)
    }

    /// Counts a stamped download of an edition by a reader.
    pub async fn record_epaper_download(&self, edition_id: i64, reader_id: i64, at: DateTime<Utc>) -> Result<()> {
        on_pool!(self, pool => sqlx::query("INSERT INTO epaper_downloads (edition_id, reader_id, at) VALUES ($1, $2, $3)")
            .bind(edition_id)
            .bind(reader_id)
            .bind(at.timestamp())
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// How many times an edition has been downloaded.
    pub async fn epaper_downloads(&self, edition_id: i64) -> Result<u64> {
        let (n,): (i64,) = on_pool!(self, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM epaper_downloads WHERE edition_id = $1",
        )
        .bind(edition_id)
        .fetch_one(pool)
        .await)?;
        Ok(n.max(0) as u64)
    }

    /// Pages of editions dated `from` to `to` (inclusive) whose text holds
    /// every one of `words` (case-insensitive), newest edition first, at
    /// most `limit`.
    pub async fn search_epaper_pages(
        &self,
        words: &[String],
        (from, to): (NaiveDate, NaiveDate),
        limit: u32,
    ) -> Result<Vec<PageHit>> {
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<(String, String, i64, String)> = on_pool!(self, pool => {
            let mut query = sqlx::QueryBuilder::new(
                "SELECT e.day, e.edition, p.number, p.text FROM epaper_pages p
                 JOIN epaper_editions e ON e.id = p.edition_id WHERE e.day >= ",
            );
            query.push_bind(day_text(from));
            query.push(" AND e.day <= ");
            query.push_bind(day_text(to));
            for word in words {
                query.push(" AND LOWER(p.text) LIKE ");
                query.push_bind(format!("%{}%", word.to_lowercase().replace(['%', '_', '\\'], "")));
            }
            query.push(" ORDER BY e.day DESC, e.edition, p.number LIMIT ");
            query.push_bind(i64::from(limit));
            query.build_query_as().fetch_all(pool).await
        })?;
        rows.into_iter()
            .map(|(day, edition, page, text)| {
                Ok(PageHit { day: parse_day(&day)?, edition, page: u32::try_from(page).unwrap_or(0), text })
            })
            .collect()
    }

    /// Stores a clip unless its maker has already made `allowance` clips
    /// since `month_start` (counted in the same transaction, so two at once
    /// cannot both take the last one). None when the allowance is used.
    pub async fn add_epaper_clip(
        &self,
        new: &NewClip,
        allowance: u32,
        month_start: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Option<ClipRecord>> {
        let clipping = &new.clipping;
        let made = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let (used,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM epaper_clips WHERE reader_id = $1 AND created_at >= $2")
                    .bind(clipping.reader_id)
                    .bind(month_start.timestamp())
                    .fetch_one(&mut *tx)
                    .await?;
            if used >= i64::from(allowance) {
                return Ok(None);
            }
            sqlx::query(
                "INSERT INTO blobs (sha256, content_type, size, bytes, created_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(new.image.sha256())
            .bind(new.image.content_type)
            .bind(new.image.bytes.len() as i64)
            .bind(&new.image.bytes)
            .bind(at.timestamp())
            .execute(&mut *tx)
            .await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO epaper_clips (token, reader_id, day, edition, page, region, headline, text,
                     image_sha256, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            )
            .bind(&clipping.token)
            .bind(clipping.reader_id)
            .bind(day_text(clipping.day))
            .bind(&clipping.edition)
            .bind(i64::from(clipping.page))
            .bind(i64::from(clipping.region))
            .bind(&clipping.headline)
            .bind(&clipping.text)
            .bind(new.image.sha256())
            .bind(at.timestamp())
            .bind(new.expires_at.timestamp())
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok::<_, StoreError>(Some(id))
        })?;
        match made {
            Some(_) => self.epaper_clip(&clipping.token).await,
            None => Ok(None),
        }
    }

    /// The clip whose address is `token`, whatever its state.
    pub async fn epaper_clip(&self, token: &str) -> Result<Option<ClipRecord>> {
        let row: Option<ClipRow> = on_pool!(self, pool => sqlx::query_as(concat!(
            "SELECT ", clip_columns!(), " FROM epaper_clips WHERE token = $1"
        ))
        .bind(token)
        .fetch_optional(pool)
        .await)?;
        row.map(clip).transpose()
    }

    /// A reader's clips, newest first.
    pub async fn reader_epaper_clips(&self, reader_id: i64) -> Result<Vec<ClipRecord>> {
        let rows: Vec<ClipRow> = on_pool!(self, pool => sqlx::query_as(concat!(
            "SELECT ", clip_columns!(), " FROM epaper_clips WHERE reader_id = $1 ORDER BY created_at DESC, id DESC"
        ))
        .bind(reader_id)
        .fetch_all(pool)
        .await)?;
        rows.into_iter().map(clip).collect()
    }

    /// Revokes one of a reader's clips; false when it is not theirs or already revoked.
    pub async fn revoke_epaper_clip(&self, reader_id: i64, id: i64, at: DateTime<Utc>) -> Result<bool> {
        let done = on_pool!(self, pool => sqlx::query(
            "UPDATE epaper_clips SET revoked_at = $3 WHERE id = $1 AND reader_id = $2 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(reader_id)
        .bind(at.timestamp())
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }
}
