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

    /// Records that a meter read `article_id` this month, if it may: at most
    /// `limit` distinct stories a month, re-reads free.
    #[tracing::instrument(skip(self))]
    pub async fn record_read(
        &self,
        meter: &str,
        month: i64,
        article_id: i64,
        limit: u32,
        at: DateTime<Utc>,
    ) -> Result<ReadOutcome> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            // A write first: this takes SQLite's write lock before anything is read.
            sqlx::query("INSERT INTO meter_months (meter, month, used) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING")
                .bind(meter)
                .bind(month)
                .execute(&mut *tx)
                .await?;
            let inserted = sqlx::query(
                "INSERT INTO meter_reads (meter, month, article_id, read_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING",
            )
            .bind(meter)
            .bind(month)
            .bind(article_id)
            .bind(at.timestamp())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                let used: (i64,) = sqlx::query_as("SELECT used FROM meter_months WHERE meter = $1 AND month = $2")
                    .bind(meter)
                    .bind(month)
                    .fetch_one(&mut *tx)
                    .await?;
                tx.commit().await?;
                return Ok(ReadOutcome::AlreadyRead { used: count(used.0) });
            }
            // PostgreSQL re-checks `used < limit` after waiting for a competing update.
            let counted: Option<(i64,)> = sqlx::query_as(
                "UPDATE meter_months SET used = used + 1
                 WHERE meter = $1 AND month = $2 AND used < $3 RETURNING used",
            )
            .bind(meter)
            .bind(month)
            .bind(i64::from(limit))
            .fetch_optional(&mut *tx)
            .await?;
            match counted {
                Some((used,)) => {
                    tx.commit().await?;
                    Ok(ReadOutcome::Counted { used: count(used) })
                }
                None => {
                    tx.rollback().await?;
                    let (used, _) = self.meter(meter, month, article_id).await?;
                    Ok(ReadOutcome::LimitReached { used })
                }
            }
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
