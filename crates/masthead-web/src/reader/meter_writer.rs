//! Group commit for the meter: one thread per instance writes metered reads
//! in batches, one transaction per batch, and answers each request once its
//! read is committed. On SQLite the thread writes itself, through the
//! store's own meter connection; on PostgreSQL it waits on the async driver.
//!
//! A burst of drive-by readers would otherwise queue one write transaction
//! each behind SQLite's single writer (or PostgreSQL's commits). Batching
//! keeps every read exact — the batch applies them in arrival order with the
//! same checks as one at a time — and durable: no request hears "counted"
//! before the read is on disk. On SQLite a second task checkpoints the
//! write-ahead log beside the writer, so its commits stay short.
//!
//! The writer lets a batch gather for [`GATHER`] after its first read: fewer,
//! larger commits write far fewer pages (each commit rewrites the tables'
//! last pages), which keeps disk writes, checkpoints and so the slowest
//! requests down, for a fraction of a millisecond on each read.

use masthead_store::{MeteredRead, ReadOutcome, Store, StoreError};
use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot};

use crate::http::error::Internal;

/// Reads taken into one transaction at most.
const MAX_BATCH: usize = 256;
/// How long the writer waits for more reads to join a batch (see the module
/// notes): measured with `bench/pages`, 150 µs halves the disk writes of a
/// drive-by burst and removes its checkpoint stalls (p99 from 20–400 ms to
/// 5 ms); 500 µs costs throughput.
const GATHER: std::time::Duration = std::time::Duration::from_micros(150);
/// Reads waiting for the writer before new ones wait for room.
const QUEUE: usize = 4_096;
/// How often the write-ahead log is checkpointed beside the writer.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

struct Job {
    read: MeteredRead,
    reply: oneshot::Sender<Result<ReadOutcome, StoreError>>,
}

/// The handle requests record reads through.
#[derive(Debug, Clone)]
pub(crate) struct MeterWriter {
    jobs: mpsc::Sender<Job>,
}

impl MeterWriter {
    /// Starts the writer thread, and the checkpoints beside it on the current runtime.
    pub(crate) fn spawn(store: Store) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel(QUEUE);
        if store.backend() == "sqlite" {
            tokio::spawn(checkpoint(store.clone()));
        }
        let runtime = Handle::current();
        std::thread::Builder::new().name("meter-writer".to_owned()).spawn(move || write(&store, &runtime, queue))?;
        Ok(Self { jobs })
    }

    /// Records one read, waiting until it is committed.
    pub(crate) async fn record(&self, read: MeteredRead) -> Result<ReadOutcome, Internal> {
        let (reply, outcome) = oneshot::channel();
        if self.jobs.send(Job { read, reply }).await.is_err() {
            return Err(Internal::MeterWriterStopped);
        }
        // The writer answers every job it takes, unless it stopped meanwhile.
        Ok(outcome.await.map_err(|_| Internal::MeterWriterStopped)??)
    }
}

/// Keeps the write-ahead log short from outside the writer (see
/// `Store::checkpoint`), so that a commit seldom carries a checkpoint's cost.
async fn checkpoint(store: Store) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(error) = store.checkpoint().await {
            tracing::warn!(%error, "checkpoint failed; retrying");
        }
    }
}

/// Takes whatever reads are waiting (up to [`MAX_BATCH`]) and writes them
/// as one batch, until every sender is gone.
fn write(store: &Store, runtime: &Handle, mut queue: mpsc::Receiver<Job>) {
    let record = |reads: &[MeteredRead]| {
        store.record_reads_on_this_thread(reads).unwrap_or_else(|| runtime.block_on(store.record_reads(reads)))
    };
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = queue.blocking_recv() {
        batch.push(first);
        std::thread::sleep(GATHER);
        while batch.len() < MAX_BATCH
            && let Ok(job) = queue.try_recv()
        {
            batch.push(job);
        }
        let reads: Vec<MeteredRead> = batch.iter().map(|job| job.read.clone()).collect();
        match record(&reads) {
            Ok(outcomes) => answer(batch.drain(..), outcomes),
            // The batch rolled back whole: each read is tried on its own, so
            // one failing read does not fail the others.
            Err(error) => {
                tracing::warn!(%error, reads = batch.len(), "metered batch failed; writing its reads one by one");
                for job in batch.drain(..) {
                    match record(std::slice::from_ref(&job.read)) {
                        Ok(outcomes) => answer(std::iter::once(job), outcomes),
                        Err(error) => {
                            let _ = job.reply.send(Err(error));
                        }
                    }
                }
            }
        }
    }
}

/// Gives each job its outcome, in order (the store answers every read).
fn answer(jobs: impl Iterator<Item = Job>, outcomes: Vec<ReadOutcome>) {
    for (job, outcome) in jobs.zip(outcomes) {
        let _ = job.reply.send(Ok(outcome));
    }
}
