//! The meter trim: past months' meters are deleted, a chunk of meters per
//! transaction, and what a funnel needs is kept per month and kind of meter
//! in `meter_month_totals` (migration `0034_meter_trim`): the meters, the
//! free stories they read, and how many reached the limit.
//!
//! Each chunk deletes its meters' counter rows first and totals what the
//! delete returned, so a row is counted by exactly the one trim that deleted
//! it, however many instances trim at once; a read recorded for a past month
//! after its trim (a request straddling midnight) is trimmed and added by the
//! next pass. The funnel counts visitors' metered reads from these rows, so
//! a trim first rolls the insights of the days it deletes up into daily
//! counts (`Store::roll_up_insights`). On PostgreSQL a trim ends with a `VACUUM` of the meter tables,
//! so that the space it freed is what the next month is written into.

use std::collections::BTreeMap;

use crate::BeginWrite;
use crate::{Result, Store, on_pool};

/// Meters deleted per transaction, so that SQLite's single writer (and the
/// meter's group commit behind it) is never held for long.
const CHUNK: i64 = 5_000;

/// What one [`Store::trim_meters`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MeterTrim {
    /// Months trimmed.
    pub months: u64,
    /// Meters deleted (their counter rows).
    pub meters: u64,
    /// Stories read on them (rows of `meter_reads` deleted).
    pub reads: u64,
}

/// One month's totals for one kind of meter: meters, stories read, meters at the limit.
pub type Totals = (i64, i64, i64);

impl Store {
    /// Deletes the meters of every month before `month` (a month key, as
    /// `PublisherZone::month_key` makes them), adding them to the month's
    /// totals, where a meter that used `limit` stories or more counts as
    /// having reached it.
    #[tracing::instrument(skip(self))]
    pub async fn trim_meters(&self, month: i64, limit: u32) -> Result<MeterTrim> {
        // The funnel counts visitors' reads from these rows: their days are rolled up first.
        self.roll_up_insights(&format!("{:04}-{:02}-01", month / 100, month % 100)).await?;
        let mut trim = MeterTrim::default();
        let mut last_month = None;
        loop {
            let (oldest,): (Option<i64>,) = on_pool!(self, pool => sqlx::query_as(
                "SELECT MIN(month) FROM meter_months WHERE month < $1",
            )
            .bind(month)
            .fetch_one(pool)
            .await)?;
            let Some(oldest) = oldest else { break };
            if last_month != Some(oldest) {
                last_month = Some(oldest);
                trim.months += 1;
            }
            let (meters, reads) = self.trim_chunk(oldest, i64::from(limit)).await?;
            trim.meters += meters;
            trim.reads += reads;
        }
        if trim.meters > 0 {
            self.reuse_trimmed_space().await?;
        }
        Ok(trim)
    }

    /// Makes the trimmed rows' space reusable at once, so the month after
    /// a trim is written into it rather than onto the end of the tables.
    /// SQLite puts deleted pages on its free list as it deletes; PostgreSQL
    /// keeps dead rows until a `VACUUM` (autovacuum comes to it later, and
    /// before it the next month's meters grew the tables by as much again:
    /// `bench/meter-storage`).
    async fn reuse_trimmed_space(&self) -> Result<()> {
        if let crate::Pool::Postgres(pool) = &self.pool {
            sqlx::query("VACUUM (ANALYZE) meter_months, meter_reads").execute(pool).await?;
        }
        Ok(())
    }

    /// Deletes up to [`CHUNK`] of `month`'s meters, the first in key order,
    /// and adds them to the month's totals, in one transaction.
    async fn trim_chunk(&self, month: i64, limit: i64) -> Result<(u64, u64)> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let deleted: Vec<(String, i64)> = sqlx::query_as(
                "DELETE FROM meter_months WHERE month = $1 AND meter IN
                     (SELECT meter FROM meter_months WHERE month = $1 ORDER BY meter LIMIT $2)
                 RETURNING meter, used",
            )
            .bind(month)
            .bind(CHUNK)
            .fetch_all(&mut *tx)
            .await?;
            let (Some(low), Some(high)) = (
                deleted.iter().map(|(meter, _)| meter).min(),
                deleted.iter().map(|(meter, _)| meter).max(),
            ) else {
                // Another trim took the chunk meanwhile.
                return Ok((0, 0));
            };
            let reads = sqlx::query("DELETE FROM meter_reads WHERE month = $1 AND meter >= $2 AND meter <= $3")
                .bind(month)
                .bind(low)
                .bind(high)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            for (kind, (meters, used, at_limit)) in totals(&deleted, limit) {
                sqlx::query(
                    "INSERT INTO meter_month_totals (month, kind, meters, reads, at_limit) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (month, kind) DO UPDATE SET meters = meter_month_totals.meters + excluded.meters,
                         reads = meter_month_totals.reads + excluded.reads,
                         at_limit = meter_month_totals.at_limit + excluded.at_limit",
                )
                .bind(month)
                .bind(kind)
                .bind(meters)
                .bind(used)
                .bind(at_limit)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok((deleted.len() as u64, reads))
        })
    }

    /// The totals kept for trimmed months, by month and kind (`"v"` a
    /// visitor's meter, `"r"` a reader's): meters, stories read, meters at the limit.
    pub async fn meter_month_totals(&self) -> Result<Vec<(i64, String, Totals)>> {
        let rows: Vec<(i64, String, i64, i64, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT month, kind, meters, reads, at_limit FROM meter_month_totals ORDER BY month, kind",
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(month, kind, meters, reads, at_limit)| (month, kind, (meters, reads, at_limit)))
            .collect())
    }
}

/// Totals deleted meters (`(meter, used)`) by kind, the key's prefix before `:`.
fn totals(deleted: &[(String, i64)], limit: i64) -> BTreeMap<String, Totals> {
    let mut totals: BTreeMap<String, Totals> = BTreeMap::new();
    for (meter, used) in deleted {
        let kind = meter.split_once(':').map_or(meter.as_str(), |(kind, _)| kind);
        let entry = totals.entry(kind.to_owned()).or_default();
        entry.0 += 1;
        entry.1 += used;
        entry.2 += i64::from(*used >= limit);
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meters_are_totalled_by_kind() {
        let deleted = [("v:a", 10), ("v:b", 3), ("r:7", 12), ("v:c", 10)].map(|(m, u)| (m.to_owned(), u));
        let totals = totals(&deleted, 10);
        assert_eq!(totals["v"], (3, 23, 2));
        assert_eq!(totals["r"], (1, 12, 1));
    }
}
