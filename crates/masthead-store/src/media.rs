//! Pictures: an image's original and variants (blobs, see [`crate::blobs`]),
//! what the page says about it (caption, credit, alt text, size), and each
//! story's images in order, the first its lead.
//!
//! Only variants are served to readers ([`Store::image_variant`]): a blob
//! that is not a variant of an image — an original, an e-paper edition —
//! is never reachable through the media route.

use crate::BeginWrite;
use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::blobs::Blob;
use crate::{Result, Store, on_pool};

/// One size of an image in one format.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ImageVariant {
    /// `webp` or `jpeg`.
    pub format: String,
    /// Its width in pixels.
    pub width: i64,
    /// Its height in pixels.
    pub height: i64,
    /// The blob it is stored as.
    pub sha256: String,
    /// Its length in bytes.
    pub size: i64,
}

/// An image to store: its original (already a blob) and its variants (blobs too).
#[derive(Debug, Clone)]
pub struct NewImage<'a> {
    /// The original's blob.
    pub original_sha256: &'a str,
    /// The original's media type.
    pub content_type: &'a str,
    /// The original's size in pixels.
    pub width: u32,
    /// See `width`.
    pub height: u32,
    /// The caption.
    pub caption: Option<&'a str>,
    /// The photographer or agency.
    pub credit: Option<&'a str>,
    /// Text for readers who cannot see it.
    pub alt: Option<&'a str>,
    /// Where it came from (a URL), if fetched.
    pub source: Option<&'a str>,
    /// The sizes made from it.
    pub variants: &'a [ImageVariant],
}

/// A stored image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImage {
    /// Its id.
    pub id: i64,
    /// The original's size in pixels.
    pub width: i64,
    /// See `width`.
    pub height: i64,
    /// The caption.
    pub caption: Option<String>,
    /// The photographer or agency.
    pub credit: Option<String>,
    /// Text for readers who cannot see it.
    pub alt: Option<String>,
    /// Where it came from, if fetched.
    pub source: Option<String>,
    /// Its variants, narrowest first.
    pub variants: Vec<ImageVariant>,
}

#[derive(sqlx::FromRow)]
struct ImageRow {
    id: i64,
    width: i64,
    height: i64,
    caption: Option<String>,
    credit: Option<String>,
    alt: Option<String>,
    source: Option<String>,
}

#[derive(sqlx::FromRow)]
struct VariantRow {
    image_id: i64,
    format: String,
    width: i64,
    height: i64,
    sha256: String,
    size: i64,
}

impl Store {
    /// Stores an image and its variants (whose blobs are already stored); returns its id.
    #[tracing::instrument(skip_all)]
    pub async fn insert_image(&self, image: &NewImage<'_>, at: DateTime<Utc>) -> Result<i64> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO images (original_sha256, content_type, width, height, caption, credit, alt, source, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(image.original_sha256)
            .bind(image.content_type)
            .bind(i64::from(image.width))
            .bind(i64::from(image.height))
            .bind(image.caption)
            .bind(image.credit)
            .bind(image.alt)
            .bind(image.source)
            .bind(at.timestamp())
            .fetch_one(&mut *tx)
            .await?;
            for variant in image.variants {
                sqlx::query(
                    "INSERT INTO image_variants (image_id, format, width, height, sha256) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(&variant.format)
                .bind(variant.width)
                .bind(variant.height)
                .bind(&variant.sha256)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(id)
        })
    }

    /// The image made from what `source` held, if one was stored (the newest).
    pub async fn image_from_source(&self, source: &str) -> Result<Option<StoredImage>> {
        let id: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id FROM images WHERE source = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(source)
        .fetch_optional(pool)
        .await)?;
        match id {
            Some((id,)) => Ok(self.images(&[id]).await?.pop()),
            None => Ok(None),
        }
    }

    /// Images by id, in the order asked (unknown ids left out).
    pub async fn images(&self, ids: &[i64]) -> Result<Vec<StoredImage>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<ImageRow> = on_pool!(self, pool => {
            let mut query = sqlx::QueryBuilder::new(
                "SELECT id, width, height, caption, credit, alt, source FROM images WHERE id IN (",
            );
            let mut list = query.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            query.push(")");
            query.build_query_as().fetch_all(pool).await
        })?;
        let variants: Vec<VariantRow> = on_pool!(self, pool => {
            let mut query = sqlx::QueryBuilder::new(
                "SELECT v.image_id, v.format, v.width, v.height, v.sha256, b.size
                 FROM image_variants v JOIN blobs b ON b.sha256 = v.sha256 WHERE v.image_id IN (",
            );
            let mut list = query.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            query.push(") ORDER BY v.image_id, v.width, v.format");
            query.build_query_as().fetch_all(pool).await
        })?;
        let mut by_id: HashMap<i64, StoredImage> = rows
            .into_iter()
            .map(|r| {
                let image = StoredImage {
                    id: r.id,
                    width: r.width,
                    height: r.height,
                    caption: r.caption,
                    credit: r.credit,
                    alt: r.alt,
                    source: r.source,
                    variants: Vec::new(),
                };
                (r.id, image)
            })
            .collect();
        for v in variants {
            if let Some(image) = by_id.get_mut(&v.image_id) {
                let variant =
                    ImageVariant { format: v.format, width: v.width, height: v.height, sha256: v.sha256, size: v.size };
                image.variants.push(variant);
            }
        }
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    /// Makes `image_ids` the story's images, in order (the first its lead),
    /// replacing what it had. The story counts as changed (pages show it at
    /// once, everywhere).
    #[tracing::instrument(skip(self))]
    pub async fn set_article_images(&self, article_id: i64, image_ids: &[i64]) -> Result<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("DELETE FROM article_images WHERE article_id = $1").bind(article_id).execute(&mut *tx).await?;
            for (position, image_id) in image_ids.iter().enumerate() {
                sqlx::query("INSERT INTO article_images (article_id, position, image_id) VALUES ($1, $2, $3)")
                    .bind(article_id)
                    .bind(position as i64)
                    .bind(*image_id)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("INSERT INTO search_log (article_id) VALUES ($1)").bind(article_id).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// A story's images, the lead first.
    pub async fn article_images(&self, article_id: i64) -> Result<Vec<StoredImage>> {
        let ids: Vec<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT image_id FROM article_images WHERE article_id = $1 ORDER BY position",
        )
        .bind(article_id)
        .fetch_all(pool)
        .await)?;
        self.images(&ids.into_iter().map(|(id,)| id).collect::<Vec<_>>()).await
    }

    /// The lead image of each of these stories that has one.
    pub async fn lead_images(&self, article_ids: &[i64]) -> Result<HashMap<i64, StoredImage>> {
        if article_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let pairs: Vec<(i64, i64)> = on_pool!(self, pool => {
            let mut query =
                sqlx::QueryBuilder::new("SELECT article_id, image_id FROM article_images WHERE position = 0 AND article_id IN (");
            let mut list = query.separated(", ");
            for id in article_ids {
                list.push_bind(*id);
            }
            query.push(")");
            query.build_query_as().fetch_all(pool).await
        })?;
        let images = self.images(&pairs.iter().map(|(_, image)| *image).collect::<Vec<_>>()).await?;
        let by_image: HashMap<i64, StoredImage> = images.into_iter().map(|i| (i.id, i)).collect();
        Ok(pairs.into_iter().filter_map(|(article, image)| Some((article, by_image.get(&image)?.clone()))).collect())
    }

    /// The bytes of an image variant by its name; `None` for any other
    /// name, even that of a stored blob that is not a variant.
    pub async fn image_variant(&self, sha256: &str) -> Result<Option<Blob>> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT b.content_type, b.bytes FROM blobs b
             WHERE b.sha256 = $1 AND EXISTS (SELECT 1 FROM image_variants v WHERE v.sha256 = b.sha256)",
        )
        .bind(sha256)
        .fetch_optional(pool)
        .await)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("t.db").display())).unwrap();
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn images_keep_their_variants_and_only_variants_are_served() {
        let (_dir, store) = store().await;
        let now = Utc::now();
        let original = store.put_blob(b"original bytes", "image/png", now).await.unwrap();
        let small = store.put_blob(b"small webp", "image/webp", now).await.unwrap();
        let variants =
            [ImageVariant { format: "webp".into(), width: 400, height: 300, sha256: small.sha256.clone(), size: 10 }];
        let image = NewImage {
            original_sha256: &original.sha256,
            content_type: "image/png",
            width: 1600,
            height: 1200,
            caption: Some("A caption"),
            credit: Some("AP Photo"),
            alt: None,
            source: Some("https://x/a.png"),
            variants: &variants,
        };
        let id = store.insert_image(&image, now).await.unwrap();
        let stored = store.images(&[id, 999]).await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!((stored[0].width, stored[0].caption.as_deref()), (1600, Some("A caption")));
        assert_eq!(stored[0].variants, variants);
        assert_eq!(store.image_from_source("https://x/a.png").await.unwrap().map(|i| i.id), Some(id));
        assert_eq!(store.image_variant(&small.sha256).await.unwrap().unwrap().bytes, b"small webp");
        assert_eq!(store.image_variant(&original.sha256).await.unwrap(), None, "originals are not served");
    }
}
