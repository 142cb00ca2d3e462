//! The metered paywall's durable state, and server settings.
//!
//! A metered read is recorded in one transaction whose first statement is a
//! write, so SQLite serialises it behind its single writer and PostgreSQL
//! behind the row lock on the month's counter: however many requests race,
//! exactly `limit` distinct stories are granted per meter and month.
//!
//! Reads are written in batches ([`crate::group_commit`]). On SQLite a batch
//! is written through a connection of the store's own ([`SqliteMeter`]), on
//! the calling thread, with statements prepared once: it then costs no round
//! trips to the driver's thread. On PostgreSQL it is [`record_postgres`].

use crate::BeginWrite;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use sqlx::QueryBuilder;

use crate::group_commit::GroupCommit;
use crate::{Pool, Result, Store, StoreError, on_pool};
use sqlx::postgres::PgPool;

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
    /// The access counter no longer stands at the read's `access_seen`: what
    /// decided it (the meter limit) may have changed, so nothing was written
    /// and the read is to be decided again.
    AccessMoved,
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
    /// The publisher's calendar day it was read on (`PublisherZone::day_key`):
    /// a visitor's read is counted in the funnel under it.
    pub day: i64,
    /// The experiment variant the reader saw, or empty (counted in the funnel).
    pub variant: String,
    /// The meter was made for this read (a browser that brought no cookie
    /// gets a new random one): nothing can be on it yet. PostgreSQL writes a
    /// batch of such reads in one statement (see `record_postgres`).
    pub new_meter: bool,
    /// The access counter the read was decided at, when the request did not
    /// read it from the database (see `Store::last_access`): the read is
    /// written only if the counter still stands there, checked in the same
    /// transaction (else [`ReadOutcome::AccessMoved`]). `None`: decided at
    /// the counter as read for the request.
    pub access_seen: Option<i64>,
}

/// The SQL that reads the access counter inside a meter transaction.
const ACCESS_SQL: &str = "SELECT value FROM change_counters WHERE name = 'access'";

/// Which reads of a batch the access counter, standing at `access` (read in
/// the batch's transaction when any read carries `access_seen`), refuses;
/// and the others, to be written.
fn access_moved(reads: &[MeteredRead], access: Option<i64>) -> (Vec<bool>, Vec<MeteredRead>) {
    let moved: Vec<bool> = reads.iter().map(|read| read.access_seen.is_some_and(|seen| Some(seen) != access)).collect();
    let taken = reads.iter().zip(&moved).filter(|(_, moved)| !**moved).map(|(read, _)| read.clone()).collect();
    (moved, taken)
}

/// The outcomes of a whole batch: [`ReadOutcome::AccessMoved`] where `moved`,
/// else the next of `taken` (the other reads', in order).
fn with_moved(moved: &[bool], taken: Vec<ReadOutcome>) -> Vec<ReadOutcome> {
    let mut taken = taken.into_iter();
    moved
        .iter()
        .map(|moved| if *moved { ReadOutcome::AccessMoved } else { taken.next().unwrap_or(ReadOutcome::AccessMoved) })
        .collect()
}

fn count(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// Decides a batch of reads in arrival order, given each meter's count and
/// the stories already on it (both keyed by meter and month, borrowed from
/// the reads or the rows read): the outcomes, and the reads that count.
fn apply<'r>(
    reads: &'r [MeteredRead],
    used: &mut HashMap<(&'r str, i64), i64>,
    on_meter: &mut HashSet<(&'r str, i64, i64)>,
) -> Result<(Vec<ReadOutcome>, Vec<&'r MeteredRead>)> {
    let mut outcomes = Vec::with_capacity(reads.len());
    let mut counted = Vec::new();
    for read in reads {
        let Some(so_far) = used.get_mut(&(read.meter.as_str(), read.month)) else {
            return Err(StoreError::Corrupt(format!("no meter row for {} in month {}", read.meter, read.month)));
        };
        let story = (read.meter.as_str(), read.month, read.article_id);
        outcomes.push(if on_meter.contains(&story) {
            ReadOutcome::AlreadyRead { used: count(*so_far) }
        } else if *so_far < i64::from(read.limit) {
            *so_far += 1;
            on_meter.insert(story);
            counted.push(read);
            ReadOutcome::Counted { used: count(*so_far) }
        } else {
            ReadOutcome::LimitReached { used: count(*so_far) }
        });
    }
    Ok((outcomes, counted))
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

    /// Records one metered read, only if it may be (at most `limit`
    /// distinct stories per meter and month, re-reads free), and answers
    /// once it is committed. Reads from many requests share transactions
    /// (see [`crate::group_commit`]).
    pub async fn record_read(&self, read: MeteredRead) -> Result<ReadOutcome> {
        let writer = self.meter_writer.get_or_init(|| GroupCommit::start(&self.pool).map_err(|e| e.to_string()));
        match writer {
            Ok(writer) => writer.record(read).await,
            Err(error) => Err(StoreError::MeterWriter(error.clone())),
        }
    }

    /// Records metered reads, each only if it may be, taken in order in one
    /// transaction: several reads of one meter in a batch count exactly as
    /// if they had come one after another. [`Self::record_read`] batches
    /// reads from many requests this way.
    #[tracing::instrument(skip_all, fields(reads = reads.len()))]
    pub async fn record_reads(&self, reads: &[MeteredRead]) -> Result<Vec<ReadOutcome>> {
        match &self.pool {
            Pool::Postgres(pool) => record_postgres(pool, reads).await,
            Pool::Sqlite { meter, .. } => {
                let (meter, reads) = (meter.clone(), reads.to_vec());
                tokio::task::spawn_blocking(move || meter.record(&reads))
                    .await
                    .map_err(|error| StoreError::Corrupt(format!("the meter write stopped: {error}")))?
            }
        }
    }

    /// Merges one meter's reads this month into another's (a visitor logging
    /// in): the union of both, so nothing resets and nothing counts twice.
    #[tracing::instrument(skip(self))]
    pub async fn merge_meter(&self, from: &str, into: &str, month: i64) -> Result<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
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
                "INSERT INTO meter_reads (meter, month, article_id, read_at, day, variant)
                 SELECT $2, month, article_id, read_at, day, variant FROM meter_reads WHERE meter = $1 AND month = $3
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

/// PostgreSQL's batch (see [`Store::record_reads`]): three or four round
/// trips and a commit. The first statement locks the months' counter rows, in one order
/// (so concurrent batches cannot deadlock); the stories already read are
/// looked up in a second statement, whose snapshot is taken after the locks
/// are held and so sees every read committed before them. When a read
/// carries `access_seen`, the access counter is read first, in the same
/// transaction (one more round trip).
///
/// A batch of first reads on new meters (the drive-by readers') is one
/// statement and its commit, one round trip: each is counted, the first
/// story on its meter, unless the access counter, read in the same
/// statement, has moved from its `access_seen`. Should a meter not be new after all, the statement
/// fails whole on the meter's key and the batch is written again one read
/// at a time the long way (`group_commit::settle`).
pub(crate) async fn record_postgres(pool: &PgPool, reads: &[MeteredRead]) -> Result<Vec<ReadOutcome>> {
    if reads.is_empty() {
        return Ok(Vec::new());
    }
    if let Some(outcomes) = record_new_meters_postgres(pool, reads).await? {
        return Ok(outcomes);
    }
    let mut tx = pool.begin_write().await?;
    let access = if reads.iter().any(|read| read.access_seen.is_some()) {
        Some(sqlx::query_scalar::<_, i64>(ACCESS_SQL).fetch_one(&mut *tx).await?)
    } else {
        None
    };
    let (moved, reads) = access_moved(reads, access);
    if reads.is_empty() {
        tx.commit().await?;
        return Ok(with_moved(&moved, Vec::new()));
    }
    let reads = reads.as_slice();
    let mut months: Vec<(&str, i64)> = reads.iter().map(|read| (read.meter.as_str(), read.month)).collect();
    months.sort_unstable();
    months.dedup();
    let month_rows = QueryBuilder::new("INSERT INTO meter_months (meter, month, used) ")
        .push_values(&months, |mut row, (meter, month)| {
            row.push_bind(*meter).push_bind(*month).push("0");
        })
        .push(" ON CONFLICT (meter, month) DO UPDATE SET used = meter_months.used RETURNING meter, month, used")
        .build_query_as::<(String, i64, i64)>()
        .fetch_all(&mut *tx)
        .await?;
    let mut used: HashMap<(&str, i64), i64> =
        month_rows.iter().map(|(meter, month, used)| ((meter.as_str(), *month), *used)).collect();
    // A meter that has used nothing has no stories on it (a new visitor's,
    // the drive-by reader's): only the others need looking up.
    let used_before: Vec<&MeteredRead> =
        reads.iter().filter(|read| used.get(&(read.meter.as_str(), read.month)).is_some_and(|n| *n > 0)).collect();
    let read_rows = if used_before.is_empty() {
        Vec::new()
    } else {
        QueryBuilder::new("SELECT meter, month, article_id FROM meter_reads WHERE (meter, month, article_id) IN (")
            .push_values(&used_before, |mut row, read| {
                row.push_bind(&read.meter).push_bind(read.month).push_bind(read.article_id);
            })
            .push(")")
            .build_query_as::<(String, i64, i64)>()
            .fetch_all(&mut *tx)
            .await?
    };
    let mut on_meter: HashSet<(&str, i64, i64)> =
        read_rows.iter().map(|(meter, month, article)| (meter.as_str(), *month, *article)).collect();
    let (outcomes, counted) = apply(reads, &mut used, &mut on_meter)?;
    if !counted.is_empty() {
        // Both writes in one statement: one round trip fewer.
        QueryBuilder::new(
            "WITH counted AS (INSERT INTO meter_reads (meter, month, article_id, read_at, day, variant) ",
        )
        .push_values(&counted, |mut row, read| {
            row.push_bind(&read.meter)
                .push_bind(read.month)
                .push_bind(read.article_id)
                .push_bind(read.at.timestamp())
                .push_bind(read.day)
                .push_bind(&read.variant);
        })
        .push(") INSERT INTO meter_months (meter, month, used) ")
        .push_values(changed_months(&counted), |mut row, (meter, month)| {
            row.push_bind(meter).push_bind(month).push_bind(used[&(meter, month)]);
        })
        .push(" ON CONFLICT (meter, month) DO UPDATE SET used = excluded.used")
        .build()
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(with_moved(&moved, outcomes))
}

/// [`record_postgres`]'s one statement for a batch of first reads on new
/// meters, each meter once; `None` (nothing written) for any other batch.
async fn record_new_meters_postgres(pool: &PgPool, reads: &[MeteredRead]) -> Result<Option<Vec<ReadOutcome>>> {
    let mut meters: Vec<&str> = reads.iter().map(|read| read.meter.as_str()).collect();
    meters.sort_unstable();
    meters.dedup();
    if meters.len() < reads.len() || !reads.iter().all(|read| read.new_meter && read.limit >= 1) {
        return Ok(None);
    }
    // The reads the access counter lets through (see `MeteredRead::access_seen`), as it stands in this statement.
    let written: Vec<String> =
        QueryBuilder::new("WITH batch (meter, month, article_id, read_at, day, variant, seen) AS (")
            .push_values(reads, |mut row, read| {
                row.push_bind(&read.meter)
                    .push_bind(read.month)
                    .push_bind(read.article_id)
                    .push_bind(read.at.timestamp())
                    .push_bind(read.day)
                    .push_bind(&read.variant)
                    .push_bind(read.access_seen);
            })
            .push(
                "), taken AS (SELECT batch.* FROM batch, change_counters access WHERE access.name = 'access' \
               AND (batch.seen IS NULL OR batch.seen = access.value)), \
             counted AS (INSERT INTO meter_reads (meter, month, article_id, read_at, day, variant) \
               SELECT meter, month, article_id, read_at, day, variant FROM taken) \
             INSERT INTO meter_months (meter, month, used) SELECT meter, month, 1 FROM taken RETURNING meter",
            )
            .build_query_scalar()
            .fetch_all(pool)
            .await?;
    let written: HashSet<&str> = written.iter().map(String::as_str).collect();
    Ok(Some(
        reads
            .iter()
            .map(|read| {
                if written.contains(read.meter.as_str()) {
                    ReadOutcome::Counted { used: 1 }
                } else {
                    ReadOutcome::AccessMoved
                }
            })
            .collect(),
    ))
}

/// The meters and months that `counted` reads changed, each once.
fn changed_months<'r>(counted: &[&'r MeteredRead]) -> Vec<(&'r str, i64)> {
    let mut changed: Vec<(&str, i64)> = counted.iter().map(|read| (read.meter.as_str(), read.month)).collect();
    changed.sort_unstable();
    changed.dedup();
    changed
}

/// SQLite's meter writes: one connection of their own, opened on first use,
/// each batch one `BEGIN IMMEDIATE` transaction (the write lock first, so
/// nothing read inside can change before the commit).
#[derive(Debug)]
pub(crate) struct SqliteMeter {
    path: PathBuf,
    connection: Mutex<Option<rusqlite::Connection>>,
}

impl SqliteMeter {
    pub(crate) fn new(path: &Path) -> Self {
        Self { path: path.to_owned(), connection: Mutex::new(None) }
    }

    pub(crate) fn record(&self, reads: &[MeteredRead]) -> Result<Vec<ReadOutcome>> {
        if reads.is_empty() {
            return Ok(Vec::new());
        }
        let mut slot = self.connection.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let connection = match &mut *slot {
            Some(connection) => connection,
            empty => empty.insert(self.open()?),
        };
        let tx = connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // The write lock is held, so plain reads see what stays true until
        // the commit (PostgreSQL needs its row locks instead).
        let access = if reads.iter().any(|read| read.access_seen.is_some()) {
            Some(tx.prepare_cached(ACCESS_SQL)?.query_row([], |row| row.get(0))?)
        } else {
            None
        };
        let (moved, reads) = access_moved(reads, access);
        let reads = reads.as_slice();
        let mut used = HashMap::new();
        let mut month_row = tx.prepare_cached("SELECT used FROM meter_months WHERE meter = ?1 AND month = ?2")?;
        let mut read_row =
            tx.prepare_cached("SELECT 1 FROM meter_reads WHERE meter = ?1 AND month = ?2 AND article_id = ?3")?;
        let mut on_meter = HashSet::new();
        for read in reads {
            if let Entry::Vacant(month) = used.entry((read.meter.as_str(), read.month)) {
                month.insert(month_row.query_row((&read.meter, read.month), |row| row.get(0)).optional()?.unwrap_or(0));
            }
            if read_row.exists((&read.meter, read.month, read.article_id))? {
                on_meter.insert((read.meter.as_str(), read.month, read.article_id));
            }
        }
        let (outcomes, counted) = apply(reads, &mut used, &mut on_meter)?;
        let mut insert_read = tx.prepare_cached(
            "INSERT INTO meter_reads (meter, month, article_id, read_at, day, variant) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for read in &counted {
            insert_read.execute((
                &read.meter,
                read.month,
                read.article_id,
                read.at.timestamp(),
                read.day,
                &read.variant,
            ))?;
        }
        let mut set_used = tx.prepare_cached(
            "INSERT INTO meter_months (meter, month, used) VALUES (?1, ?2, ?3)
             ON CONFLICT (meter, month) DO UPDATE SET used = excluded.used",
        )?;
        for (meter, month) in changed_months(&counted) {
            set_used.execute((meter, month, used[&(meter, month)]))?;
        }
        drop((month_row, read_row, insert_read, set_used));
        tx.commit()?;
        Ok(with_moved(&moved, outcomes))
    }

    fn open(&self) -> Result<rusqlite::Connection> {
        let connection = rusqlite::Connection::open(&self.path)?;
        connection.busy_timeout(Duration::from_secs(10))?;
        // As the pool's connections: durable at each checkpoint, not each
        // commit. A server checkpoints beside the writer (`Store::checkpoint`),
        // so a commit here never carries a checkpoint's cost.
        connection
            .execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 0;")?;
        Ok(connection)
    }
}
