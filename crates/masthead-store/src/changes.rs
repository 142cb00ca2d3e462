//! Change counters: numbers that grow with every committed change of a kind,
//! bumped by triggers in the same transaction as the change (migration
//! `0010_change_counters`). A cache that remembers the number it was filled
//! at knows, with one cheap read, whether anything it holds may be stale —
//! whichever process or instance made the change.

use crate::{Result, Store, on_pool};

impl Store {
    /// The story-content counter: it grows with every write to a story
    /// (publish, update, unpublish, import), so lists and pages built at one
    /// value still hold while it has not moved.
    pub async fn content_version(&self) -> Result<i64> {
        let (value,): (i64,) = on_pool!(self, pool => sqlx::query_as(
            "SELECT value FROM change_counters WHERE name = 'content'",
        )
        .fetch_one(pool)
        .await)?;
        Ok(value)
    }
}
