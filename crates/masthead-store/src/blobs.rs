//! Files every instance serves (pictures, e-paper pages and editions), kept
//! in the database so that it stays the only shared state. A file is named by
//! the SHA-256 of its bytes: storing the same bytes twice stores them once,
//! and a name, once handed out, always means the same bytes (so whoever
//! serves them may cache them forever).

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::{Result, Store, on_pool};

/// A stored file's name and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRef {
    /// Lowercase hex SHA-256 of the bytes.
    pub sha256: String,
    /// Its media type (`image/webp`, `application/pdf`).
    pub content_type: String,
    /// Its length in bytes.
    pub size: u64,
}

/// A stored file.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Blob {
    /// Its media type.
    pub content_type: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// The name `bytes` are stored under.
pub fn blob_name(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Store {
    /// Stores `bytes` (once: a second put of the same bytes changes nothing)
    /// and returns their name.
    pub async fn put_blob(&self, bytes: &[u8], content_type: &str, at: DateTime<Utc>) -> Result<BlobRef> {
        let sha256 = blob_name(bytes);
        let size = i64::try_from(bytes.len()).expect("a file in memory is shorter than i64::MAX");
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO blobs (sha256, content_type, size, bytes, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&sha256)
        .bind(content_type)
        .bind(size)
        .bind(bytes)
        .bind(at.timestamp())
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(BlobRef { sha256, content_type: content_type.to_owned(), size: bytes.len() as u64 })
    }

    /// The file stored under `sha256`, if any.
    pub async fn blob(&self, sha256: &str) -> Result<Option<Blob>> {
        Ok(on_pool!(self, pool => sqlx::query_as("SELECT content_type, bytes FROM blobs WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(pool)
            .await)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_hex_sha256_of_the_bytes() {
        assert_eq!(blob_name(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[tokio::test]
    async fn the_same_bytes_are_stored_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("t.db").display())).unwrap();
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let now = Utc::now();
        let first = store.put_blob(b"page one", "image/webp", now).await.unwrap();
        let again = store.put_blob(b"page one", "image/webp", now).await.unwrap();
        assert_eq!(first, again);
        assert_eq!(first.size, 8);
        let blob = store.blob(&first.sha256).await.unwrap().unwrap();
        assert_eq!((blob.content_type.as_str(), blob.bytes.as_slice()), ("image/webp", &b"page one"[..]));
        assert_eq!(store.blob(&blob_name(b"other")).await.unwrap(), None);
    }
}
