//! Group commit for the meter: one task per instance writes metered reads in
//! batches, one transaction per batch, and answers each request once its
//! read is committed.
//!
//! A burst of drive-by readers would otherwise queue one write transaction
//! each behind SQLite's single writer (or PostgreSQL's commits). Batching
//! keeps every read exact — the batch applies them in arrival order with the
//! same checks as one at a time — and durable: no request hears "counted"
//! before the read is on disk. On SQLite a second task checkpoints the
//! write-ahead log beside the writer, so its commits stay short.

use masthead_store::{MeteredRead, ReadOutcome, Store, StoreError};
use tokio::sync::{mpsc, oneshot};

/// Reads taken into one transaction at most.
const MAX_BATCH: usize = 256;
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
    /// Starts the writer task, and the checkpoints beside it, on the current runtime.
    pub(crate) fn spawn(store: Store) -> Self {
        let (jobs, queue) = mpsc::channel(QUEUE);
        if store.backend() == "sqlite" {
            tokio::spawn(checkpoint(store.clone()));
        }
        tokio::spawn(write(store, queue));
        Self { jobs }
    }

    /// Records one read, waiting until it is committed.
    pub(crate) async fn record(&self, read: MeteredRead) -> Result<ReadOutcome, StoreError> {
        let (reply, outcome) = oneshot::channel();
        if self.jobs.send(Job { read, reply }).await.is_err() {
            return Err(StoreError::Corrupt("the meter writer has stopped".to_owned()));
        }
        outcome.await.unwrap_or_else(|_| Err(StoreError::Corrupt("the meter writer dropped a read".to_owned())))
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

async fn write(store: Store, mut queue: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let reads: Vec<MeteredRead> = batch.iter().map(|job| job.read.clone()).collect();
        match store.record_reads(&reads).await {
            Ok(outcomes) => {
                for (job, outcome) in batch.drain(..).zip(outcomes) {
                    let _ = job.reply.send(Ok(outcome));
                }
            }
            // The batch rolled back whole: each read is tried on its own, so
            // one failing read does not fail the others.
            Err(error) => {
                tracing::warn!(%error, reads = batch.len(), "metered batch failed; writing its reads one by one");
                for job in batch.drain(..) {
                    let outcome = store.record_reads(std::slice::from_ref(&job.read)).await;
                    let _ = job.reply.send(outcome.and_then(|mut one| {
                        one.pop().ok_or_else(|| StoreError::Corrupt("no outcome for a metered read".to_owned()))
                    }));
                }
            }
        }
    }
}
