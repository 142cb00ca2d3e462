//! The reader funnel's events (migration `0035_insights`): recorded without
//! a database round trip per page view, counted by day, and rolled up.
//!
//! [`Store::record_event`] puts an event on a queue and returns at once; one
//! writer task per store takes whatever is waiting every [`GATHER`] and
//! writes it in one transaction (a multi-row insert), so a burst of readers
//! costs a few commits a second however many there are — the same batching
//! as the meter's group commit, without making the reader wait for it.
//! [`Store::flush_events`] waits until everything queued before it is
//! written (a checkout does, so that the payment after it finds it; the
//! funnel's API does, so that it counts what this instance has seen).
//!
//! Credit: a checkout is credited with the last story its visitor read or
//! was stopped at (looked up in the batch, then in the table: checkouts are
//! rare), and a payment — written in the payment's own transaction, so the
//! paid events are the payments table — with its reader's last checkout.
//!
//! The roll-up ([`Store::roll_up_insights`]) turns each day older than the
//! raw window into daily counts and deletes its raw rows, in one
//! transaction per day; [`Store::insight_counts`] reads both alike.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

use crate::{BeginWrite, Pool, Result, Store, StoreError, on_pool};

/// How long the writer lets events gather before writing them.
const GATHER: Duration = Duration::from_millis(100);
/// Events waiting before new ones are dropped (and a warning logged): the
/// funnel is not worth holding a reader up for.
const QUEUE: usize = 65_536;
/// Rows in one insert statement (9 parameters each, within both engines' limits).
const ROWS_PER_INSERT: usize = 500;
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

/// Raw events of the days `$1..=$2` counted as the roll-up keeps them, by
/// the key expression `$key`: day, key, kind (`any`: whatever they did),
/// events, distinct visitors. (Macros, so that every query is a literal.)
macro_rules! raw_counts {
    ($key:literal) => {
        concat!(
            "SELECT day, ",
            $key,
            " AS key, kind, COUNT(*) AS events, COUNT(DISTINCT visitor) AS visitors
               FROM insight_events WHERE day >= $1 AND day <= $2 GROUP BY day, ",
            $key,
            ", kind
             UNION ALL
             SELECT day, ",
            $key,
            " AS key, CAST('any' AS TEXT) AS kind, COUNT(*) AS events,
                    COUNT(DISTINCT visitor) AS visitors
               FROM insight_events WHERE day >= $1 AND day <= $2 GROUP BY day, ",
            $key
        )
    };
}

/// Rolled-up days' counts of the breakdown `$3`, and the raw days' alike.
macro_rules! counts {
    ($key:literal) => {
        concat!(
            "SELECT day, key, kind, events, visitors FROM insight_days WHERE dim = $3 AND day >= $1 AND day <= $2
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
            "INSERT INTO insight_days (day, dim, key, kind, events, visitors)
             SELECT day, $3, key, kind, events, visitors FROM (",
            raw_counts!($key),
            ") AS counted WHERE true
             ON CONFLICT (day, dim, key, kind) DO UPDATE SET events = insight_days.events + excluded.events,
                 visitors = insight_days.visitors + excluded.visitors"
        )
    };
}

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
    /// and its roll-up of one day (`$1` and `$2` the day, `$3` the breakdown).
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
                Ok(()) => match self.insert_events(&events).await {
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
    /// (earlier in the batch, else in the table).
    async fn credit_checkouts(&self, events: &mut [NewEvent]) -> Result<()> {
        for at in 0..events.len() {
            if events[at].kind != CHECKOUT_STARTED || events[at].story != 0 {
                continue;
            }
            let visitor = events[at].visitor.clone();
            let earlier = events[..at].iter().rev().find(|e| e.visitor == visitor && e.story != 0);
            let credit = match earlier {
                Some(e) => Some((e.story, e.section.clone(), e.variant.clone())),
                None => on_pool!(self, pool => sqlx::query_as(
                    "SELECT story, section, variant FROM insight_events WHERE visitor = $1 AND story <> 0
                     ORDER BY at DESC, id DESC LIMIT 1",
                )
                .bind(&visitor)
                .fetch_optional(pool)
                .await)?,
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

    async fn insert_events(&self, events: &[NewEvent]) -> Result<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            for chunk in events.chunks(ROWS_PER_INSERT) {
                let mut insert = sqlx::QueryBuilder::new(
                    "INSERT INTO insight_events (day, at, visitor, kind, story, section, reason, variant, reader) ",
                );
                insert.push_values(chunk, |mut row, event| {
                    row.push_bind(&event.day)
                        .push_bind(event.at.timestamp())
                        .push_bind(&event.visitor)
                        .push_bind(event.kind)
                        .push_bind(event.story)
                        .push_bind(&event.section)
                        .push_bind(event.reason)
                        .push_bind(&event.variant)
                        .push_bind(event.reader);
                });
                insert.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// The days `from..=to` (`YYYY-MM-DD`) counted by `breakdown`: rolled-up
    /// days from their counts, the others from their raw events, alike.
    #[tracing::instrument(skip(self))]
    pub async fn insight_counts(&self, breakdown: Breakdown, from: &str, to: &str) -> Result<Vec<DayCount>> {
        let (query, _) = breakdown.queries();
        let rows: Vec<(String, String, String, i64, i64)> = on_pool!(self, pool => sqlx::query_as(query)
            .bind(from)
            .bind(to)
            .bind(breakdown.dim())
            .fetch_all(pool)
            .await)?;
        Ok(rows
            .into_iter()
            .map(|(day, key, kind, events, visitors)| DayCount { day, key, kind, events, visitors })
            .collect())
    }

    /// Rolls every day before `before` (`YYYY-MM-DD`) up into daily counts
    /// and deletes its raw events, one day per transaction. On PostgreSQL
    /// the transaction reads one snapshot, so an event written meanwhile is
    /// neither counted nor deleted (the next pass adds it), and two
    /// instances rolling up one day cannot both count it: the second fails
    /// to delete what the first did, and rolls back.
    #[tracing::instrument(skip(self))]
    pub async fn roll_up_insights(&self, before: &str) -> Result<RollUp> {
        let mut done = RollUp::default();
        loop {
            let (oldest,): (Option<String>,) = on_pool!(self, pool => sqlx::query_as(
                "SELECT MIN(day) FROM insight_events WHERE day < $1",
            )
            .bind(before)
            .fetch_one(pool)
            .await)?;
            let Some(day) = oldest else { break };
            done.events += self.roll_up_day(&day).await?;
            done.days += 1;
        }
        Ok(done)
    }

    async fn roll_up_day(&self, day: &str) -> Result<u64> {
        let snapshot = match self.pool {
            Pool::Postgres(_) => "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
            Pool::Sqlite { .. } => "SELECT 1",
        };
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query(snapshot).execute(&mut *tx).await?;
            for breakdown in Breakdown::ALL {
                let (_, add) = breakdown.queries();
                sqlx::query(add).bind(day).bind(day).bind(breakdown.dim()).execute(&mut *tx).await?;
            }
            let deleted =
                sqlx::query("DELETE FROM insight_events WHERE day = $1").bind(day).execute(&mut *tx).await?.rows_affected();
            tx.commit().await?;
            Ok(deleted)
        })
    }
}
