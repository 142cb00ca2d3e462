//! The search index's change log (`search_log`): what each instance's index
//! follows, and how the log is kept from growing for ever.
//!
//! Every write to a story appends its id to the log in the same transaction
//! (the writes live with the stories, in `articles.rs` and `wire.rs`). Each
//! instance reports how far its index has applied the log
//! ([`Store::report_search_position`]); [`Store::trim_search_log`] deletes the
//! entries that every instance heard from lately has applied and that are
//! older than the retention window, and raises the log's *trimmed-through*
//! mark first. An index whose position is below that mark — an instance gone
//! quiet for longer than the window, or a brand-new one — has missed changes
//! the log no longer holds and must be rebuilt from the stories themselves.
//!
//! Entries carry no timestamp: the trim records the log's head with the time
//! on each pass (`search_log_marks`), and entries up to a mark older than the
//! window are at least that old. The window is therefore honoured to within
//! the interval between trims.

use crate::BeginWrite;
use chrono::{DateTime, Duration, Utc};

use crate::{Result, Store, on_pool};

/// Log entries deleted per statement, so that SQLite's single writer is never
/// held for long.
const DELETE_CHUNK: i64 = 20_000;

/// What one [`Store::trim_search_log`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogTrim {
    /// Entries deleted.
    pub deleted: u64,
    /// The trimmed-through mark afterwards.
    pub through: i64,
}

impl Store {
    /// Up to `limit` entries of the search index's change log after
    /// `position`, oldest first: `(seq, article_id)`.
    pub async fn search_log_after(&self, position: i64, limit: u32) -> Result<Vec<(i64, i64)>> {
        let rows = on_pool!(self, pool => sqlx::query_as(
            "SELECT seq, article_id FROM search_log WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(position)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await)?;
        Ok(rows)
    }

    /// The newest change-log position (0 when the log is empty).
    pub async fn search_log_head(&self) -> Result<i64> {
        let head: (Option<i64>,) =
            on_pool!(self, pool => sqlx::query_as("SELECT MAX(seq) FROM search_log").fetch_one(pool).await)?;
        Ok(head.0.unwrap_or(0))
    }

    /// The highest sequence number trimmed from the log (0 if none): an index
    /// at a lower position must be rebuilt.
    pub async fn search_log_trimmed_through(&self) -> Result<i64> {
        let (through,): (i64,) = on_pool!(self, pool => sqlx::query_as(
            "SELECT through FROM search_log_trim WHERE id = 1",
        )
        .fetch_one(pool)
        .await)?;
        Ok(through)
    }

    /// Records that `instance`'s index has applied the log up to `position`.
    pub async fn report_search_position(&self, instance: &str, position: i64, at: DateTime<Utc>) -> Result<()> {
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO search_instances (instance, position, seen_at) VALUES ($1, $2, $3)
             ON CONFLICT (instance) DO UPDATE SET position = excluded.position, seen_at = excluded.seen_at",
        )
        .bind(instance)
        .bind(position)
        .bind(at.timestamp())
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Deletes the log entries older than `retention` that every instance
    /// reporting within `silence` has applied. Instances quiet for longer
    /// are forgotten (they rebuild when they return). With no instance
    /// heard from, nothing is deleted.
    pub async fn trim_search_log(&self, at: DateTime<Utc>, retention: Duration, silence: Duration) -> Result<LogTrim> {
        let head = self.search_log_head().await?;
        let aged_before = (at - retention).timestamp();
        let through = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            if head > 0 {
                sqlx::query("INSERT INTO search_log_marks (seq, marked_at) VALUES ($1, $2) ON CONFLICT (seq) DO NOTHING")
                    .bind(head)
                    .bind(at.timestamp())
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("DELETE FROM search_instances WHERE seen_at < $1")
                .bind((at - silence).timestamp())
                .execute(&mut *tx)
                .await?;
            let (applied,): (Option<i64>,) =
                sqlx::query_as("SELECT MIN(position) FROM search_instances").fetch_one(&mut *tx).await?;
            let (aged,): (Option<i64>,) =
                sqlx::query_as("SELECT MAX(seq) FROM search_log_marks WHERE marked_at <= $1")
                    .bind(aged_before)
                    .fetch_one(&mut *tx)
                    .await?;
            let (through,): (i64,) =
                sqlx::query_as("SELECT through FROM search_log_trim WHERE id = 1").fetch_one(&mut *tx).await?;
            let cutoff = applied.zip(aged).map_or(through, |(applied, aged)| applied.min(aged));
            if cutoff > through {
                // The mark moves before any entry goes, in this transaction:
                // whoever then finds an entry missing also finds the mark.
                sqlx::query("UPDATE search_log_trim SET through = $1 WHERE id = 1")
                    .bind(cutoff)
                    .execute(&mut *tx)
                    .await?;
            }
            if let Some(aged) = aged {
                sqlx::query("DELETE FROM search_log_marks WHERE seq < $1").bind(aged).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            cutoff.max(through)
        });
        // Below the mark every entry is dead; delete them a chunk at a time
        // (a pass cut short leaves the rest to the next).
        let (oldest,): (Option<i64>,) =
            on_pool!(self, pool => sqlx::query_as("SELECT MIN(seq) FROM search_log").fetch_one(pool).await)?;
        let mut deleted = 0;
        let mut low = oldest.unwrap_or(through + 1) - 1;
        while low < through {
            let high = (low + DELETE_CHUNK).min(through);
            deleted += on_pool!(self, pool => sqlx::query("DELETE FROM search_log WHERE seq > $1 AND seq <= $2")
                .bind(low)
                .bind(high)
                .execute(pool)
                .await
                .map(|done| done.rows_affected()))?;
            low = high;
        }
        Ok(LogTrim { deleted, through })
    }
}
