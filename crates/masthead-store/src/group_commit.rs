//! Group commit for the meter, behind [`Store::record_read`]: reads wait in a
//! queue, are written in batches, one transaction per batch, and each
//! request is answered once its read is committed.
//!
//! A burst of drive-by readers would otherwise queue one write transaction
//! each behind SQLite's single writer (or PostgreSQL's commits). Batching
//! keeps every read exact — a batch applies its reads in arrival order with
//! the same checks as one at a time (`meter::apply`) — and durable: no
//! request hears "counted" before the read is on disk.
//!
//! The engines differ in how the batches are written:
//! - **SQLite** has one writer, so one thread writes every batch itself,
//!   through the store's own meter connection (`meter::SqliteMeter`), after
//!   letting it gather for [`GATHER`]: fewer, larger commits write far fewer
//!   pages (each commit rewrites the tables' last pages), which keeps disk
//!   writes, checkpoints and so the slowest requests down. A task beside it
//!   checkpoints the write-ahead log, so its commits stay short.
//! - **PostgreSQL** commits many transactions at once, and a batch spends
//!   most of its time waiting for round trips and the log flush, not
//!   working: up to [`IN_FLIGHT`] batches are written at a time, each from
//!   the reads that queued while the others were out. Their row locks on
//!   the months' counters, taken in one order, keep concurrent batches (and
//!   other instances) exact.
//!
//! Each batch's size is recorded as the histogram `telemetry::METER_BATCH` (served
//! at `/metrics` when the server has it on).
//!
//! The writer starts with the first read and stops when the last clone of
//! the store is gone.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgPool;
use tokio::sync::{Semaphore, mpsc, oneshot};

use crate::meter::{MeteredRead, ReadOutcome, SqliteMeter};
use crate::{Pool, Result, StoreError};

/// Reads taken into one transaction at most.
const MAX_BATCH: usize = 256;
/// How long SQLite's writer waits for more reads to join a batch (see the
/// module notes): measured with `bench/pages`, 150 µs halves the disk writes
/// of a drive-by burst and removes its checkpoint stalls (p99 from 20–400 ms
/// to 5 ms); 500 µs costs throughput.
const GATHER: Duration = Duration::from_micros(150);
/// PostgreSQL batches written at once. Measured with `bench/pages` on two
/// cores: one at a time held the drive-by page to ~6,400 req/s, waiting on
/// round trips and the log flush; four keep the database busy without
/// taking more than a quarter of the pool.
const IN_FLIGHT: usize = 4;
/// Reads waiting for the writer before new ones wait for room.
const QUEUE: usize = 4_096;
/// How often SQLite's write-ahead log is checkpointed beside the writer.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

struct Job {
    read: MeteredRead,
    reply: oneshot::Sender<Result<ReadOutcome>>,
}

/// The queue into the writer.
#[derive(Debug)]
pub(crate) struct GroupCommit {
    jobs: mpsc::Sender<Job>,
}

impl GroupCommit {
    /// Starts the writer for `pool` on the current runtime.
    pub(crate) fn start(pool: &Pool) -> Result<Self> {
        let (jobs, queue) = mpsc::channel(QUEUE);
        match pool {
            Pool::Sqlite { pool, meter, .. } => {
                tokio::spawn(checkpoint(pool.clone()));
                let meter = meter.clone();
                std::thread::Builder::new()
                    .name("meter-writer".to_owned())
                    .spawn(move || write_sqlite(&meter, queue))
                    .map_err(|error| StoreError::MeterWriter(format!("cannot start its thread: {error}")))?;
            }
            Pool::Postgres(pool) => {
                tokio::spawn(write_postgres(pool.clone(), queue));
            }
        }
        Ok(Self { jobs })
    }

    /// Records one read, waiting until it is committed.
    pub(crate) async fn record(&self, read: MeteredRead) -> Result<ReadOutcome> {
        let stopped = || StoreError::MeterWriter("it has stopped (the server is shutting down)".to_owned());
        let (reply, outcome) = oneshot::channel();
        self.jobs.send(Job { read, reply }).await.map_err(|_| stopped())?;
        // The writer answers every job it takes, unless it stopped meanwhile.
        outcome.await.map_err(|_| stopped())?
    }
}

/// Keeps SQLite's write-ahead log short from outside the writer (see
/// `Store::checkpoint`), so that a commit seldom carries a checkpoint's cost.
async fn checkpoint(pool: sqlx::SqlitePool) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if pool.is_closed() {
            return;
        }
        if let Err(error) = crate::checkpoint_sqlite(&pool).await {
            tracing::warn!(%error, "checkpoint failed; retrying");
        }
    }
}

/// SQLite: takes whatever reads are waiting (up to [`MAX_BATCH`]) and writes
/// them as one batch on this thread, until every sender is gone.
fn write_sqlite(meter: &SqliteMeter, mut queue: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = queue.blocking_recv() {
        batch.push(first);
        std::thread::sleep(GATHER);
        while batch.len() < MAX_BATCH
            && let Ok(job) = queue.try_recv()
        {
            batch.push(job);
        }
        let written = meter.record(&reads(&batch));
        for job in settle(batch.drain(..), written) {
            let written = meter.record(std::slice::from_ref(&job.read));
            settle_alone(job, written);
        }
    }
}

/// PostgreSQL: keeps up to [`IN_FLIGHT`] batches being written, each taking
/// the reads that waited for a free slot, until every sender is gone.
async fn write_postgres(pool: PgPool, mut queue: mpsc::Receiver<Job>) {
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    while let Some(first) = queue.recv().await {
        let Ok(slot) = slots.clone().acquire_owned().await else { return };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH
            && let Ok(job) = queue.try_recv()
        {
            batch.push(job);
        }
        let pool = pool.clone();
        let write = async move {
            let written = crate::meter::record_postgres(&pool, &reads(&batch)).await;
            for mut job in settle(batch.into_iter(), written) {
                // One at a time, the long way: a meter taken for new may not be.
                job.read.new_meter = false;
                let written = crate::meter::record_postgres(&pool, std::slice::from_ref(&job.read)).await;
                settle_alone(job, written);
            }
            drop(slot);
        };
        // Named, so the statements a page view costs can be told from those of jobs.
        tokio::spawn(tracing::Instrument::instrument(write, tracing::info_span!(parent: None, "meter_batch")));
    }
}

fn reads(batch: &[Job]) -> Vec<MeteredRead> {
    metrics::histogram!(crate::telemetry::METER_BATCH).record(batch.len() as f64);
    batch.iter().map(|job| job.read.clone()).collect()
}

/// Answers a written batch's jobs, in order (the store answers every read);
/// if it rolled back whole, returns its jobs to be written one by one, so
/// one failing read does not fail the others.
fn settle(jobs: impl ExactSizeIterator<Item = Job>, written: Result<Vec<ReadOutcome>>) -> Vec<Job> {
    match written {
        Ok(outcomes) => {
            for (job, outcome) in jobs.zip(outcomes) {
                let _ = job.reply.send(Ok(outcome));
            }
            Vec::new()
        }
        Err(error) => {
            tracing::warn!(%error, reads = jobs.len(), "metered batch failed; writing its reads one by one");
            jobs.collect()
        }
    }
}

/// Answers a job written on its own.
fn settle_alone(job: Job, written: Result<Vec<ReadOutcome>>) {
    let _ = job.reply.send(written.and_then(|outcomes| {
        outcomes.into_iter().next().ok_or_else(|| StoreError::Corrupt("a metered read went unanswered".to_owned()))
    }));
}
