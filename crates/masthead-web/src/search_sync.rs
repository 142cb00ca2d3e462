//! The indexer: one background task per instance that follows the database's
//! change log (`search_log`) into this instance's search index.
//!
//! Every write to a story appends to the log in the same transaction, and the
//! index records in each commit how far along the log it is, so a crash
//! between the two loses nothing: the next start catches up from there. The
//! task polls every [`POLL`], which keeps a change searchable within a second.
//!
//! On PostgreSQL a sequence number can become visible after a later one (two
//! transactions committing out of order) or never (a rolled-back one). The
//! position therefore only moves over an unbroken run of numbers; a hole is
//! waited for up to [`GAP_WAIT`] and then taken as a rollback. Changes after a
//! hole are applied meanwhile (applying one twice is harmless: the index asks
//! the database for the story's current state).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use masthead_search::{ArchiveIndex, IndexedStory, Indexer, SearchError};
use masthead_store::Store;

/// How often the log is read.
pub const POLL: Duration = Duration::from_millis(200);
/// How long a hole in the log is waited for before it is skipped.
const GAP_WAIT: Duration = Duration::from_secs(5);
/// Log entries applied per commit.
const BATCH: u32 = 2_000;
/// The indexer's memory budget (tantivy's minimum per thread is 15 MB).
const WRITER_HEAP: usize = 64 * 1024 * 1024;

/// Takes the index's writer and starts following the log in the background.
pub(crate) fn spawn(store: Store, index: Arc<ArchiveIndex>) -> Result<(), SearchError> {
    let indexer = index.indexer(1, WRITER_HEAP)?;
    tokio::spawn(run(store, Follower { index, indexer: Some(indexer), gap: None }));
    Ok(())
}

async fn run(store: Store, mut follower: Follower) {
    loop {
        match follower.step(&store).await {
            // More may be waiting: no pause.
            Ok(true) => continue,
            Ok(false) => {}
            Err(error) => tracing::error!(%error, "search indexer failed; retrying"),
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Why one step failed; the loop logs it and tries again.
#[derive(Debug, thiserror::Error)]
enum StepError {
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error(transparent)]
    Store(#[from] masthead_store::StoreError),
    #[error("the indexing thread stopped: {0}")]
    Join(#[from] tokio::task::JoinError),
}

struct Follower {
    index: Arc<ArchiveIndex>,
    /// Lent to a blocking thread while a batch is applied; reopened if lost.
    indexer: Option<Indexer>,
    /// The first missing sequence number after the position, and since when.
    gap: Option<(i64, Instant)>,
}

impl Follower {
    fn take_indexer(&mut self) -> Result<Indexer, SearchError> {
        match self.indexer.take() {
            Some(indexer) => Ok(indexer),
            None => self.index.indexer(1, WRITER_HEAP),
        }
    }

    /// Applies one batch of the log; returns whether more may be waiting.
    async fn step(&mut self, store: &Store) -> Result<bool, StepError> {
        let mut indexer = self.take_indexer()?;
        let (indexer, switched) = tokio::task::spawn_blocking(move || {
            let switched = indexer.follow_rebuild();
            (indexer, switched)
        })
        .await?;
        let position = indexer.position();
        self.indexer = Some(indexer);
        if switched? {
            self.gap = None;
        }
        let position = position?;
        let entries = store.search_log_after(position, BATCH).await?;
        if entries.is_empty() {
            return Ok(false);
        }
        let reached = self.unbroken_run(position, &entries);
        let mut ids: Vec<i64> = entries.iter().map(|&(_, id)| id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut stories = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            stories.extend(store.published_articles(chunk).await?.iter().map(IndexedStory::from_article));
        }
        let mut indexer = self.take_indexer()?;
        let indexer = tokio::task::spawn_blocking(move || -> Result<Indexer, SearchError> {
            let published: HashSet<i64> = stories.iter().map(|s| s.id).collect();
            for id in ids.iter().filter(|id| !published.contains(id)) {
                indexer.remove(*id);
            }
            for story in &stories {
                indexer.upsert(story)?;
            }
            indexer.commit(reached)?;
            Ok(indexer)
        })
        .await??;
        self.indexer = Some(indexer);
        Ok(entries.len() == BATCH as usize && reached > position)
    }

    /// How far the position may move: over consecutive sequence numbers, and
    /// over a hole once it has stayed open for [`GAP_WAIT`].
    fn unbroken_run(&mut self, position: i64, entries: &[(i64, i64)]) -> i64 {
        let mut reached = position;
        for &(seq, _) in entries {
            if seq == reached + 1 {
                reached = seq;
                continue;
            }
            match self.gap {
                Some((missing, since)) if missing == reached + 1 && since.elapsed() >= GAP_WAIT => {
                    tracing::debug!(missing, "skipping a hole in the search log");
                    self.gap = None;
                    reached = seq;
                }
                Some((missing, _)) if missing == reached + 1 => break,
                _ => {
                    self.gap = Some((reached + 1, Instant::now()));
                    break;
                }
            }
        }
        reached
    }
}
