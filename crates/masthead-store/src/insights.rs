//! The reader funnel's events (migrations `0035_insights`, `0050`): recorded
//! without a database round trip per page view, counted by day, and rolled up.
//!
//! [`Store::record_event`] puts an event on a queue and returns at once; one
//! writer task per store takes whatever is waiting every [`GATHER`] and
//! writes it in one transaction (a multi-row insert), so a burst of readers
//! costs a few commits a second however many there are — the same batching
//! as the meter's group commit, without making the reader wait for it.
//! Identical events of a batch (a visitor reloading one paywall) are one row
//! with their number (`n`). [`Store::flush_events`] waits until everything
//! queued before it is written (a checkout does, so that the payment after
//! it finds it; the funnel's API does, so that it counts what this instance
//! has seen).
//!
//! A logged-out visitor's metered read is not an event row: it is already
//! its meter's `meter_reads` row, which carries the day and the variant, and
//! the counts read those rows as `metered_read` events of the visitor (the
//! meter's key without `v:`). So the page view of a drive-by reader writes
//! one row, not two. An account's reads stay events (its meter is keyed by
//! the account, not the browser).
//!
//! Credit: a checkout is credited with the last story its visitor read or
//! was stopped at (looked up in the batch, then in the table and the meter:
//! checkouts are rare), and a payment — written in the payment's own
//! transaction, so the paid events are the payments table — with its
//! reader's last checkout.
//!
//! The roll-up ([`Store::roll_up_insights`]) turns each day older than the
//! raw window into daily counts and deletes its raw rows, in one
//! transaction per day; the meter's rows of that day stay (the meter trim
//! deletes them, after rolling their days up) and a mark, the last day
//! rolled up, keeps them from being counted again. [`Store::insight_counts`]
//! reads counts and raw days alike.

use std::sync::Arc;
use std::time::Duration;

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, Utc};
use sqlx::Row;
use tokio::sync::{mpsc, oneshot};

use crate::{BeginWrite, Pool, Result, Store, StoreError, on_pool};

/// How long the writer lets events gather before writing them.
const GATHER: Duration = Duration::from_millis(100);
/// Events waiting before new ones are dropped (and a warning logged): the
/// funnel is not worth holding a reader up for.
const QUEUE: usize = 65_536;
/// Rows in one insert statement (9 parameters each, within both engines' limits).
const ROWS_PER_INSERT: usize = 500;
/// Failed days in a row a roll-up looks again after (another instance's
/// roll-up of the same day fails this one's) before it gives up.
const RACES: u32 = 3;
/// Attempts at writing a batch before its events are given up.
const ATTEMPTS: u32 = 3;

/// The kind an event is stored under for a payment (see [`PAID`]).
pub const SUBSCRIPTION_PAID: &str = "subscription_paid";
/// The kind whose events take the visitor's last story as their credit.
pub const CHECKOUT_STARTED: &str = "checkout_started";

/// One funnel event, as the web layer reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// The publisher's calendar day, `YYYY-MM-DD`.
    pub day: String,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The visitor cookie's id.
    pub visitor: String,
    /// What happened (`masthead_insights::EventKind::as_str`).
    pub kind: &'static str,
    /// The story, or 0.
    pub story: i64,
    /// The story's section, or empty.
    pub section: String,
    /// Why a paywall was shown, or empty.
    pub reason: &'static str,
    /// The experiment variant the visitor saw, or empty.
    pub variant: String,
    /// The account, on events an account makes.
    pub reader: Option<i64>,
}

/// The raw events of the days `$1..=$2` (`YYYY-MM-DD`), as one table `raw`
/// (day, visitor, kind, story, section, reason, variant, n): the
/// `insight_events` rows, and a row per visitor's metered read from the
/// meter (`meter_reads` of months `$3..=$4` and days `$5..=$6` as
/// `YYYYMMDD`; the caller leaves out days already rolled up). Queries
/// built on it take the breakdown as `$7`. A story's
/// section is the one it has now; `n` is how many identical events a row is.
macro_rules! raw {
    () => {
        "WITH raw AS (
             SELECT day, visitor, kind, story, section, reason, variant, n
               FROM insight_events WHERE day >= $1 AND day <= $2
             UNION ALL
             SELECT substr(CAST(r.day AS TEXT), 1, 4) || '-' || substr(CAST(r.day AS TEXT), 5, 2) || '-'
                        || substr(CAST(r.day AS TEXT), 7, 2),
                    substr(r.meter, 3), CAST('metered_read' AS TEXT), r.article_id, COALESCE(a.section, ''),
                    CAST('' AS TEXT), r.variant, CAST(1 AS BIGINT)
               FROM meter_reads r LEFT JOIN articles a ON a.id = r.article_id
              WHERE r.month >= $3 AND r.month <= $4 AND r.day >= $5 AND r.day <= $6 AND r.meter LIKE 'v:%'
         ) "
    };
}

/// The `raw` events counted as the roll-up keeps them, by the key
/// expression `$key`: day, key, kind (`any`: whatever they did), events,
/// distinct visitors. (Macros, so that every query is a literal.)
macro_rules! raw_counts {
    ($key:literal) => {
        concat!(
            "SELECT day, ",
            $key,
            " AS key, kind, CAST(SUM(n) AS BIGINT) AS events, COUNT(DISTINCT visitor) AS visitors
               FROM raw GROUP BY day, ",
            $key,
            ", kind
             UNION ALL
             SELECT day, ",
            $key,
            " AS key, CAST('any' AS TEXT) AS kind, CAST(SUM(n) AS BIGINT) AS events,
                    COUNT(DISTINCT visitor) AS visitors
               FROM raw GROUP BY day, ",
            $key
        )
    };
}

/// Rolled-up days' counts of the breakdown `$7`, and the raw days' alike.
macro_rules! counts {
    ($key:literal) => {
        concat!(
            raw!(),
            "SELECT day, key, kind, events, visitors FROM insight_days WHERE dim = $7 AND day >= $1 AND day <= $2
             UNION ALL ",
            raw_counts!($key)
        )
    };
}

/// Adds the raw days' counts to the rolled-up ones (`WHERE true` keeps
/// SQLite from reading `ON CONFLICT` as part of the join).
macro_rules! roll_up {
    ($key:literal) => {
        concat!(
            raw!(),
            "INSERT INTO insight_days (day, dim, key, kind, events, visitors)
             SELECT day, $7, key, kind, events, visitors FROM (",
            raw_counts!($key),
            ") AS counted WHERE true
             ON CONFLICT (day, dim, key, kind) DO UPDATE SET events = insight_days.events + excluded.events,
                 visitors = insight_days.visitors + excluded.visitors"
        )
    };
}

/// The events of the `raw` days, for [`RollUp::events`].
const RAW_EVENTS: &str = concat!(raw!(), "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM raw");

/// The setting that holds the last day (`YYYYMMDD`) whose meter rows are in
/// the daily counts (migration `0050`).
const ROLLED_THROUGH: &str = "insights_rolled_through";

/// How [`Store::insight_counts`] breaks the counts down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdown {
    /// One key, `""`.
    All,
    /// By the story's section (`""`: no story).
    Section,
    /// By story id, as text (`""`: no story).
    Story,
    /// By experiment variant (`""`: none).
    Variant,
}

impl Breakdown {
    /// Every breakdown, as the roll-up keeps them.
    pub const ALL: [Self; 4] = [Self::All, Self::Section, Self::Story, Self::Variant];

    fn dim(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Section => "section",
            Self::Story => "story",
            Self::Variant => "variant",
        }
    }

    /// The queries for this breakdown: its counts (see [`Store::insight_counts`])
    /// and its roll-up of one day (`$1` and `$2` the day, `$7` the breakdown: see [`raw`]).
    const fn queries(self) -> (&'static str, &'static str) {
        macro_rules! both {
            ($key:literal) => {
                (counts!($key), roll_up!($key))
            };
        }
        match self {
            Self::All => both!("CAST('' AS TEXT)"),
            Self::Section => both!("section"),
            Self::Story => both!("CASE WHEN story = 0 THEN '' ELSE CAST(story AS TEXT) END"),
            Self::Variant => both!("variant"),
        }
    }
}

/// One day's count for one key and kind of event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayCount {
    /// The publisher's calendar day, `YYYY-MM-DD`.
    pub day: String,
    /// The breakdown's key (see [`Breakdown`]).
    pub key: String,
    /// An event kind, or `any`.
    pub kind: String,
    /// Events.
    pub events: i64,
    /// Distinct visitors that day.
    pub visitors: i64,
}

/// What one [`Store::roll_up_insights`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RollUp {
    /// Days rolled up.
    pub days: u64,
    /// Raw events deleted.
    pub events: u64,
}

/// Writes a payment's event in the payment's transaction (`$1` day, `$2`
/// unix seconds, `$3` the subscription): the reader's last checkout gives
/// its visitor, story, section and variant.
pub(crate) const PAID: &str =
    "INSERT INTO insight_events (day, at, visitor, kind, story, section, reason, variant, reader)
     SELECT $1, $2, COALESCE(c.visitor, 'r:' || CAST(s.reader_id AS TEXT)), 'subscription_paid',
            COALESCE(c.story, 0), COALESCE(c.section, ''), '', COALESCE(c.variant, ''), s.reader_id
       FROM subscriptions s LEFT JOIN insight_events c ON c.id =
            (SELECT id FROM insight_events WHERE reader = s.reader_id AND kind = 'checkout_started'
              ORDER BY at DESC, id DESC LIMIT 1)
      WHERE s.id = $3";

enum Job {
    Event(NewEvent),
    /// Answered once everything queued before it is written.
    Flush(oneshot::Sender<()>),
}

/// The queue into the writer.
#[derive(Debug)]
pub(crate) struct EventLog {
    jobs: mpsc::Sender<Job>,
}

impl EventLog {
    fn start(store: Store) -> Self {
        let (jobs, queue) = mpsc::channel(QUEUE);
        tokio::spawn(tracing::Instrument::instrument(
            write(store, queue),
            tracing::info_span!(parent: None, "funnel_events"),
        ));
        Self { jobs }
    }
}

/// Takes what waits, writes it, answers the flushes, until every sender is gone.
async fn write(store: Store, mut queue: mpsc::Receiver<Job>) {
    let mut events = Vec::new();
    let mut flushes = Vec::new();
    let take = |job, events: &mut Vec<NewEvent>, flushes: &mut Vec<oneshot::Sender<()>>| match job {
        Job::Event(event) => events.push(event),
        Job::Flush(done) => flushes.push(done),
    };
    while let Some(first) = queue.recv().await {
        take(first, &mut events, &mut flushes);
        if flushes.is_empty() {
            tokio::time::sleep(GATHER).await;
        }
        while let Ok(job) = queue.try_recv() {
            take(job, &mut events, &mut flushes);
        }
        if !events.is_empty() {
            store.write_events(std::mem::take(&mut events)).await;
        }
        for done in flushes.drain(..) {
            let _ = done.send(());
        }
    }
}

impl Store {
    fn event_log(&self) -> &EventLog {
        // The writer holds a clone without the log, so the last caller's drop stops it.
        self.event_log.get_or_init(|| {
            let writer = Self { event_log: Arc::default(), ..self.clone() };
            EventLog::start(writer)
        })
    }

    /// Queues a funnel event to be written with others; never waits. When
    /// the queue is full the event is dropped with a warning.
    pub fn record_event(&self, event: NewEvent) {
        if let Err(error) = self.event_log().jobs.try_send(Job::Event(event)) {
            tracing::warn!(%error, "a funnel event was dropped: the event writer is behind or stopped");
        }
    }

    /// Waits until every event queued before this call is written.
    pub async fn flush_events(&self) -> Result<()> {
        let (done, written) = oneshot::channel();
        let stopped = || StoreError::Corrupt("the event writer has stopped (the server is shutting down)".to_owned());
        self.event_log().jobs.send(Job::Flush(done)).await.map_err(|_| stopped())?;
        written.await.map_err(|_| stopped())
    }

    /// Writes a batch, retrying a failed one a few times before giving it up.
    async fn write_events(&self, mut events: Vec<NewEvent>) {
        for attempt in 1..=ATTEMPTS {
            match self.credit_checkouts(&mut events).await {
                Ok(()) => match self.insert_events(&collapse(&events)).await {
                    Ok(()) => return,
                    Err(error) => {
                        tracing::warn!(%error, attempt, events = events.len(), "writing funnel events failed")
                    }
                },
                Err(error) => tracing::warn!(%error, attempt, "crediting checkouts failed"),
            }
            tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
        }
        tracing::error!(events = events.len(), "funnel events given up after {ATTEMPTS} attempts");
    }

    /// Gives each checkout without a story the last story its visitor had
    /// (earlier in the batch, else the later of its last event with a story
    /// and its meter's last read this month).
    async fn credit_checkouts(&self, events: &mut [NewEvent]) -> Result<()> {
        for at in 0..events.len() {
            if events[at].kind != CHECKOUT_STARTED || events[at].story != 0 {
                continue;
            }
            let visitor = events[at].visitor.clone();
            let earlier = events[..at].iter().rev().find(|e| e.visitor == visitor && e.story != 0);
            let credit = match earlier {
                Some(e) => Some((e.story, e.section.clone(), e.variant.clone())),
                None => self.last_story(&visitor, &events[at].day).await?,
            };
            if let Some((story, section, variant)) = credit {
                let event = &mut events[at];
                event.story = story;
                event.section = section;
                if event.variant.is_empty() {
                    event.variant = variant;
                }
            }
        }
        Ok(())
    }

    /// The last story `visitor` read or was stopped at, as of the day `day`
    /// (`YYYY-MM-DD`): with its section and the variant they saw.
    async fn last_story(&self, visitor: &str, day: &str) -> Result<Option<(i64, String, String)>> {
        type Credit = (i64, String, String, i64);
        let event: Option<Credit> = on_pool!(self, pool => sqlx::query_as(
            "SELECT story, section, variant, at FROM insight_events WHERE visitor = $1 AND story <> 0
             ORDER BY at DESC, id DESC LIMIT 1",
        )
        .bind(visitor)
        .fetch_optional(pool)
        .await)?;
        let read: Option<Credit> = on_pool!(self, pool => sqlx::query_as(
            "SELECT r.article_id, COALESCE(a.section, ''), r.variant, r.read_at
               FROM meter_reads r LEFT JOIN articles a ON a.id = r.article_id
              WHERE r.month = $1 AND r.meter = $2 AND r.day > 0
              ORDER BY r.read_at DESC LIMIT 1",
        )
        .bind(day_key(day)? / 100)
        .bind(format!("v:{visitor}"))
        .fetch_optional(pool)
        .await)?;
        // At the same second, the event (a paywall is shown after the reads before it).
        let last = match (event, read) {
            (Some(event), Some(read)) if read.3 > event.3 => Some(read),
            (Some(event), _) => Some(event),
            (None, read) => read,
        };
        Ok(last.map(|(story, section, variant, _)| (story, section, variant)))
    }

    async fn insert_events(&self, events: &[(&NewEvent, i64)]) -> Result<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            for chunk in events.chunks(ROWS_PER_INSERT) {
                let mut insert = sqlx::QueryBuilder::new(
                    "INSERT INTO insight_events (day, at, visitor, kind, story, section, reason, variant, reader, n) ",
                );
                insert.push_values(chunk, |mut row, (event, n)| {
                    row.push_bind(&event.day)
                        .push_bind(event.at.timestamp())
                        .push_bind(&event.visitor)
                        .push_bind(event.kind)
                        .push_bind(event.story)
                        .push_bind(&event.section)
                        .push_bind(event.reason)
                        .push_bind(&event.variant)
                        .push_bind(event.reader)
                        .push_bind(*n);
                });
                insert.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// The days `from..=to` (`YYYY-MM-DD`) counted by `breakdown`: rolled-up
    /// days from their counts, the others from their raw events and the
    /// meter's rows after the last day rolled up, alike.
    #[tracing::instrument(skip(self))]
    pub async fn insight_counts(&self, breakdown: Breakdown, from: &str, to: &str) -> Result<Vec<DayCount>> {
        let (query, _) = breakdown.queries();
        let rolled_through = self.rolled_through().await?;
        let (first, last) = (day_key(from)?.max(rolled_through + 1), day_key(to)?);
        let rows: Vec<(String, String, String, i64, i64)> = on_pool!(self, pool => sqlx::query_as(query)
            .bind(from)
            .bind(to)
            .bind(first / 100)
            .bind(last / 100)
            .bind(first)
            .bind(last)
            .bind(breakdown.dim())
            .fetch_all(pool)
            .await)?;
        Ok(rows
            .into_iter()
            .map(|(day, key, kind, events, visitors)| DayCount { day, key, kind, events, visitors })
            .collect())
    }

    /// The last day (`YYYYMMDD`) whose meter rows are in the daily counts.
    async fn rolled_through(&self) -> Result<i64> {
        rolled_through_day(&self.setting(ROLLED_THROUGH).await?.unwrap_or_default())
    }

    /// Rolls every day before `before` (`YYYY-MM-DD`) up into daily counts:
    /// its raw events are deleted, and its visitors' metered reads (the
    /// meter's rows, deleted by the meter trim) are marked as counted by
    /// moving the last day rolled up past it. One day per transaction, oldest
    /// first. On PostgreSQL the transaction reads one snapshot, so an event
    /// written meanwhile is neither counted nor deleted (the next pass adds
    /// it), and two instances rolling up one day cannot both count it: the
    /// second fails to move the mark or delete what the first did, and rolls
    /// back. (On SQLite the day's transaction holds the write lock while it
    /// reads the month's meter rows.)
    #[tracing::instrument(skip(self))]
    pub async fn roll_up_insights(&self, before: &str) -> Result<RollUp> {
        let mut done = RollUp::default();
        let before_key = day_key(before)?;
        let mut raced = 0;
        loop {
            let rolled_through = self.rolled_through().await?;
            let (event_day, read_day): (Option<String>, Option<i64>) = on_pool!(self, pool => sqlx::query_as(
                "SELECT (SELECT MIN(day) FROM insight_events WHERE day < $1),
                        (SELECT MIN(day) FROM meter_reads
                          WHERE month >= $2 AND day > $3 AND day < $4 AND meter LIKE 'v:%')",
            )
            .bind(before)
            .bind(rolled_through / 100)
            .bind(rolled_through)
            .bind(before_key)
            .fetch_one(pool)
            .await)?;
            let day = match (event_day.map(|day| day_key(&day)).transpose()?, read_day) {
                (Some(a), Some(b)) => a.min(b),
                (Some(day), None) | (None, Some(day)) => day,
                (None, None) => break,
            };
            match self.roll_up_day(day).await {
                Ok(events) => {
                    done.events += events;
                    done.days += 1;
                    raced = 0;
                }
                // Another roll-up had the day (two instances, or the trim
                // beside the hourly job): what it did is seen on the next look.
                Err(error) if raced < RACES => {
                    raced += 1;
                    tracing::debug!(%error, day, "a roll-up raced another; looking again");
                }
                Err(error) => return Err(error),
            }
        }
        Ok(done)
    }

    /// Rolls up the day `day` (`YYYYMMDD`): the events counted.
    async fn roll_up_day(&self, day: i64) -> Result<u64> {
        let snapshot = match self.pool {
            Pool::Postgres(_) => "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
            Pool::Sqlite { .. } => "SELECT 1",
        };
        let text = day_text(day);
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query(snapshot).execute(&mut *tx).await?;
            let (mark,): (String,) = sqlx::query_as("SELECT value FROM settings WHERE name = $1")
                .bind(ROLLED_THROUGH)
                .fetch_one(&mut *tx)
                .await?;
            let rolled_through = rolled_through_day(&mark)?;
            // A late event of a day already rolled up: its meter rows are counted.
            let first_read = day.max(rolled_through + 1);
            let raw = |query| {
                sqlx::query(query)
                    .bind(&text)
                    .bind(&text)
                    .bind(first_read / 100)
                    .bind(day / 100)
                    .bind(first_read)
                    .bind(day)
            };
            let events: i64 = raw(RAW_EVENTS).fetch_one(&mut *tx).await?.try_get(0)?;
            for breakdown in Breakdown::ALL {
                let (_, add) = breakdown.queries();
                raw(add).bind(breakdown.dim()).execute(&mut *tx).await?;
            }
            sqlx::query("DELETE FROM insight_events WHERE day = $1").bind(&text).execute(&mut *tx).await?;
            if day > rolled_through {
                let moved = sqlx::query("UPDATE settings SET value = $1 WHERE name = $2 AND value = $3")
                    .bind(day.to_string())
                    .bind(ROLLED_THROUGH)
                    .bind(&mark)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if moved != 1 {
                    return Err(StoreError::Corrupt(format!("another roll-up moved {ROLLED_THROUGH} meanwhile")));
                }
            }
            tx.commit().await?;
            Ok(u64::try_from(events).unwrap_or_default())
        })
    }
}

/// Identical events of a batch (a visitor reloading one paywall) as one
/// row each with their number, in first-seen order, at the last one's time.
fn collapse(events: &[NewEvent]) -> Vec<(&NewEvent, i64)> {
    let mut rows: Vec<(&NewEvent, i64)> = Vec::with_capacity(events.len());
    let mut seen: HashMap<_, usize> = HashMap::with_capacity(events.len());
    for event in events {
        let same = (
            &event.day,
            &event.visitor,
            event.kind,
            event.story,
            &event.section,
            event.reason,
            &event.variant,
            event.reader,
        );
        match seen.entry(same) {
            Entry::Occupied(at) => {
                let row = &mut rows[*at.get()];
                row.1 += 1;
                if event.at > row.0.at {
                    row.0 = event;
                }
            }
            Entry::Vacant(slot) => {
                slot.insert(rows.len());
                rows.push((event, 1));
            }
        }
    }
    rows
}

/// The stored [`ROLLED_THROUGH`] mark as a day (`YYYYMMDD`, 0 before any).
fn rolled_through_day(mark: &str) -> Result<i64> {
    mark.parse().map_err(|_| StoreError::Corrupt(format!("setting {ROLLED_THROUGH} is {mark:?}, not a day")))
}

/// `YYYY-MM-DD` as `YYYYMMDD`.
fn day_key(day: &str) -> Result<i64> {
    let digits: String = day.chars().filter(|c| *c != '-').collect();
    match digits.parse() {
        Ok(key) if day.len() == 10 && digits.len() == 8 => Ok(key),
        _ => Err(StoreError::Corrupt(format!("{day:?} is not a day (YYYY-MM-DD)"))),
    }
}

/// `YYYYMMDD` as `YYYY-MM-DD`.
fn day_text(key: i64) -> String {
    format!("{:04}-{:02}-{:02}", key / 10000, key / 100 % 100, key % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(visitor: &str, story: i64, second: i64) -> NewEvent {
        NewEvent {
            day: "2026-12-07".to_owned(),
            at: DateTime::from_timestamp(1_796_000_000 + second, 0).unwrap(),
            visitor: visitor.to_owned(),
            kind: "paywall_shown",
            story,
            section: "markets".to_owned(),
            reason: "meter_exhausted",
            variant: String::new(),
            reader: None,
        }
    }

    #[test]
    fn identical_events_of_a_batch_are_one_row_with_their_number() {
        let batch = [event("a", 1, 0), event("b", 1, 1), event("a", 1, 2), event("a", 2, 3), event("a", 1, 4)];
        let rows = collapse(&batch);
        let seen: Vec<(&str, i64, i64, i64)> =
            rows.iter().map(|(e, n)| (e.visitor.as_str(), e.story, e.at.timestamp() - 1_796_000_000, *n)).collect();
        // First-seen order, the last one's time, every event counted once.
        assert_eq!(seen, [("a", 1, 4, 3), ("b", 1, 1, 1), ("a", 2, 3, 1)]);
        assert_eq!(rows.iter().map(|(_, n)| n).sum::<i64>(), 5);
    }

    #[test]
    fn events_differing_in_anything_but_time_stay_apart() {
        let mut other_reader = event("a", 1, 1);
        other_reader.reader = Some(7);
        let mut other_variant = event("a", 1, 2);
        other_variant.variant = "ten".to_owned();
        let batch = [event("a", 1, 0), other_reader, other_variant];
        let rows = collapse(&batch);
        assert_eq!(rows.iter().map(|(_, n)| *n).collect::<Vec<_>>(), [1, 1, 1]);
    }

    #[test]
    fn days_as_keys_and_back() {
        assert_eq!(day_key("2026-12-07").unwrap(), 20261207);
        assert_eq!(day_text(20261207), "2026-12-07");
        assert_eq!(day_text(day_key("1997-01-01").unwrap()), "1997-01-01");
        for bad in ["2026-1-07", "20261207", "2026-12-0x", ""] {
            assert!(day_key(bad).is_err(), "{bad}");
        }
    }
}
