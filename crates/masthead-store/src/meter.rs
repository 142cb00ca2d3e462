//! The metered paywall's durable state, and server settings.
//!
//! A metered read is recorded in one transaction whose first statement is a
//! write, so SQLite serialises it behind its single writer and PostgreSQL
//! behind the row lock on the month's counter: however many requests race,
//! exactly `limit` distinct stories are granted per meter and month.

use chrono::{DateTime, Utc};

use crate::{Result, Store, on_pool};

/// What recording a metered read did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadOutcome {
    /// A new story on the meter; `used` now includes it.
    Counted {
        /// Stories used this month.
        used: u32,
    },
    /// The story was already read this month: free, nothing changed.
    AlreadyRead {
        /// Stories used this month.
        used: u32,
    },
    /// Another read took the last free story first: nothing changed.
    LimitReached {
        /// Stories used this month.
        used: u32,
    },
}

/// A read to put on a meter: `meter` read `article_id` at `at`, in `month`,
/// which allows `limit` distinct stories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeteredRead {
    /// The meter's key (`v:` visitor id or `r:` reader id).
    pub meter: String,
    /// The month's key in the publisher's zone.
    pub month: i64,
    /// The story read.
    pub article_id: i64,
    /// Free stories a month.
    pub limit: u32,
    /// When it was read.
    pub at: DateTime<Utc>,
}

fn count(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

impl Store {
    /// A setting's value, storing `make()` first if it has none yet. Several
    /// instances starting together all end up with the first value stored.
    pub async fn setting_or_insert(&self, name: &str, make: impl FnOnce() -> String) -> Result<String> {
        let value = make();
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(&value)
        .execute(pool)
        .await
        .map(|_| ()))?;
        let stored: (String,) = on_pool!(self, pool => sqlx::query_as("SELECT value FROM settings WHERE name = $1")
            .bind(name)
            .fetch_one(pool)
            .await)?;
        Ok(stored.0)
    }

    /// A setting's value, if it has one.
    pub async fn setting(&self, name: &str) -> Result<Option<String>> {
        let stored: Option<(String,)> = on_pool!(self, pool => sqlx::query_as("SELECT value FROM settings WHERE name = $1")
            .bind(name)
            .fetch_optional(pool)
            .await)?;
        Ok(stored.map(|(value,)| value))
    }

    /// A meter's state this month: stories used, and whether `article_id` is one of them.
    pub async fn meter(&self, meter: &str, month: i64, article_id: i64) -> Result<(u32, bool)> {
        let row: (Option<i64>, i64) = on_pool!(self, pool => sqlx::query_as(
            "SELECT
                 (SELECT used FROM meter_months WHERE meter = $1 AND month = $2),
                 (SELECT COUNT(*) FROM meter_reads WHERE meter = $1 AND month = $2 AND article_id = $3)",
        )
        .bind(meter)
        .bind(month)
        .bind(article_id)
        .fetch_one(pool)
        .await)?;
        Ok((count(row.0.unwrap_or(0)), row.1 > 0))
    }

    /// The stories a meter has read this month.
    pub async fn meter_read_ids(&self, meter: &str, month: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT article_id FROM meter_reads WHERE meter = $1 AND month = $2",
        )
        .bind(meter)
        .bind(month)
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Records metered reads, each only if it may be: at most `limit`
    /// distinct stories per meter and month, re-reads free. The reads are
    /// taken in order in one transaction (a group commit: many readers, one
    /// commit), so several reads of one meter in a batch count exactly as if
    /// they had come one after another.
    #[tracing::instrument(skip_all, fields(reads = reads.len()))]
    pub async fn record_reads(&self, reads: &[MeteredRead]) -> Result<Vec<ReadOutcome>> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut outcomes = Vec::with_capacity(reads.len());
            for read in reads {
                // A write first: this takes SQLite's write lock before anything is read.
                sqlx::query("INSERT INTO meter_months (meter, month, used) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING")
                    .bind(&read.meter)
                    .bind(read.month)
                    .execute(&mut *tx)
                    .await?;
                // PostgreSQL: a read of the same story racing in another
                // transaction waits here for it, then finds the row.
                let inserted = sqlx::query(
                    "INSERT INTO meter_reads (meter, month, article_id, read_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT DO NOTHING",
                )
                .bind(&read.meter)
                .bind(read.month)
                .bind(read.article_id)
                .bind(read.at.timestamp())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                // PostgreSQL re-checks `used < limit` after waiting for a competing update.
                let counted: Option<(i64,)> = if inserted == 0 {
                    None
                } else {
                    sqlx::query_as(
                        "UPDATE meter_months SET used = used + 1
                         WHERE meter = $1 AND month = $2 AND used < $3 RETURNING used",
                    )
                    .bind(&read.meter)
                    .bind(read.month)
                    .bind(i64::from(read.limit))
                    .fetch_optional(&mut *tx)
                    .await?
                };
                if let Some((used,)) = counted {
                    outcomes.push(ReadOutcome::Counted { used: count(used) });
                    continue;
                }
                if inserted > 0 {
                    // Over the limit: the story is not on the meter after all.
                    sqlx::query("DELETE FROM meter_reads WHERE meter = $1 AND month = $2 AND article_id = $3")
                        .bind(&read.meter)
                        .bind(read.month)
                        .bind(read.article_id)
                        .execute(&mut *tx)
                        .await?;
                }
                let (used,): (i64,) = sqlx::query_as("SELECT used FROM meter_months WHERE meter = $1 AND month = $2")
                    .bind(&read.meter)
                    .bind(read.month)
                    .fetch_one(&mut *tx)
                    .await?;
                let used = count(used);
                outcomes.push(if inserted == 0 {
                    ReadOutcome::AlreadyRead { used }
                } else {
                    ReadOutcome::LimitReached { used }
                });
            }
            tx.commit().await?;
            Ok(outcomes)
        })
    }

    /// Merges one meter's reads this month into another's (a visitor logging
    /// in): the union of both, so nothing resets and nothing counts twice.
    #[tracing::instrument(skip(self))]
    pub async fn merge_meter(&self, from: &str, into: &str, month: i64) -> Result<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("INSERT INTO meter_months (meter, month, used) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING")
                .bind(into)
                .bind(month)
                .execute(&mut *tx)
                .await?;
            // Lock the counter so a read recorded meanwhile waits for the recount.
            sqlx::query("UPDATE meter_months SET used = used WHERE meter = $1 AND month = $2")
                .bind(into)
                .bind(month)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO meter_reads (meter, month, article_id, read_at)
                 SELECT $2, month, article_id, read_at FROM meter_reads WHERE meter = $1 AND month = $3
                 ON CONFLICT DO NOTHING",
            )
            .bind(from)
            .bind(into)
            .bind(month)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE meter_months SET used = (SELECT COUNT(*) FROM meter_reads WHERE meter = $1 AND month = $2)
                 WHERE meter = $1 AND month = $2",
            )
            .bind(into)
            .bind(month)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }
}
