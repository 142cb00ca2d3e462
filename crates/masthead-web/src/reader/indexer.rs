//! The indexer: one background task per instance that follows the database's
//! change log (`search_log`) into this instance's search index, and the full
//! rebuild from the stories themselves that `masthead reindex` runs too.
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
//!
//! How far behind the log the index is shows at `/metrics` (`LOG_LAG`), and
//! each trim counts as a job run.
//!
//! The log is trimmed (see `masthead_store::search_log`): each instance
//! reports its position, and every [`TRIM_EVERY`] deletes the entries older
//! than [`LOG_RETENTION`] that every instance heard from within
//! [`INSTANCE_SILENCE`] has applied. An index whose position is below what
//! was trimmed — a new instance once the log has been trimmed, or one that was
//! away longer than [`INSTANCE_SILENCE`] — cannot catch up from the log, so
//! the task rebuilds it from the stories ([`rebuild_index`]) while the old
//! generation keeps answering, then follows the log from the rebuild's start.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use masthead_search::{ArchiveIndex, IndexedStory, Indexer, Rebuild, SearchError};
use masthead_store::Store;

/// Gauge: log entries this instance's index is behind the store's log, as
/// of its last read of the log (0 when it found nothing new).
const LOG_LAG: &str = "masthead_search_log_lag_entries";
/// Gauge: 1 while this instance's index takes writes, 0 while writing it fails.
const INDEX_WRITABLE: &str = "masthead_search_index_writable";
/// Counter: failed attempts to write this instance's index.
const INDEX_WRITE_FAILURES: &str = "masthead_search_index_write_failures_total";
/// Gauge: the log position this instance's index has reached.
const LOG_POSITION: &str = "masthead_search_log_position";
/// How often the log is read.
pub const POLL: Duration = Duration::from_millis(200);
/// How long a hole in the log is waited for before it is skipped.
const GAP_WAIT: Duration = Duration::from_secs(5);
/// Log entries applied per commit.
const BATCH: u32 = 2_000;
/// The indexer's memory budget (tantivy's minimum per thread is 15 MB).
const WRITER_HEAP: usize = 64 * 1024 * 1024;
/// The memory budget of a rebuild the server starts itself, on one thread.
const SERVER_REBUILD_HEAP: usize = 256 * 1024 * 1024;
/// How long a log entry is kept once every instance has applied it.
pub const LOG_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);
/// An instance not heard from for this long no longer holds the log back.
pub const INSTANCE_SILENCE: Duration = Duration::from_secs(30 * 24 * 3600);
/// How often an instance trims the log.
pub const TRIM_EVERY: Duration = Duration::from_secs(3600);
/// How often an instance reports its position when it has not moved.
const REPORT_EVERY: Duration = Duration::from_secs(600);
/// How soon after a report a moved position is reported again.
const REPORT_AFTER_MOVE: Duration = Duration::from_secs(5);
/// Stories read from the database per query during a rebuild.
const REBUILD_READ: u32 = 2_000;
/// How often a rebuild reports progress.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

/// Takes the index's writer and starts following the log in the background.
pub(crate) fn spawn(store: Store, index: Arc<ArchiveIndex>) -> Result<(), SearchError> {
    let indexer = index.indexer(1, WRITER_HEAP)?;
    let follower = Follower { index, indexer: Some(indexer), gap: None, reported: None, trimmed: None };
    tokio::spawn(run(store, follower));
    Ok(())
}

async fn run(store: Store, mut follower: Follower) {
    let dir = follower.index.root().to_owned();
    let mut writable = Writable::new(dir);
    loop {
        match follower.step(&store).await {
            // More may be waiting: no pause.
            Ok(true) => {
                writable.wrote();
                continue;
            }
            Ok(false) => writable.wrote(),
            Err(IndexingError::Search(error)) => writable.failed(&error),
            Err(error) => tracing::error!(%error, "search indexer failed; retrying"),
        }
        if let Err(error) = follower.housekeeping(&store).await {
            tracing::warn!(%error, "cannot report or trim the search log; retrying later");
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Whether the index folder takes writes, said once as it changes: a
/// folder that cannot be written (a full disk, a folder gone or made
/// read-only) is logged as an error when it starts failing and again when
/// it recovers, and shows at `/metrics` (`INDEX_WRITABLE`, `INDEX_WRITE_FAILURES`).
/// Meanwhile pages are served as ever and searches answer from the index as
/// it was; the indexer retries every [`POLL`] and catches up from the log.
struct Writable {
    dir: std::path::PathBuf,
    failing: bool,
}

impl Writable {
    fn new(dir: std::path::PathBuf) -> Self {
        metrics::gauge!(INDEX_WRITABLE).set(1.0);
        Self { dir, failing: false }
    }

    fn wrote(&mut self) {
        if self.failing {
            self.failing = false;
            metrics::gauge!(INDEX_WRITABLE).set(1.0);
            tracing::info!(dir = %self.dir.display(), "the search index can be written again; catching up");
        }
    }

    fn failed(&mut self, error: &SearchError) {
        metrics::counter!(INDEX_WRITE_FAILURES).increment(1);
        if self.failing {
            tracing::debug!(%error, "the search index still cannot be written");
            return;
        }
        self.failing = true;
        metrics::gauge!(INDEX_WRITABLE).set(0.0);
        tracing::error!(
            dir = %self.dir.display(),
            %error,
            "cannot write the search index (is its disk full?); pages are served and searches answer from the \
             index as it was; changes are indexed once it can be written again"
        );
    }
}

/// Why indexing failed.
#[derive(Debug, thiserror::Error)]
pub enum IndexingError {
    /// The index could not be written.
    #[error(transparent)]
    Search(#[from] SearchError),
    /// The database could not be read.
    #[error(transparent)]
    Store(#[from] masthead_store::StoreError),
    /// The thread writing the index stopped.
    #[error("the indexing thread stopped: {0}")]
    Join(#[from] tokio::task::JoinError),
}

/// What a rebuild did.
#[derive(Debug, Clone, Copy)]
pub struct Rebuilt {
    /// Stories indexed.
    pub stories: u64,
    /// The new generation's size on disk, in bytes.
    pub bytes: u64,
    /// How long it took.
    pub elapsed: Duration,
}

/// Rebuilds the index in `dir` from every published story into a new
/// generation, swapped in once complete (searches go on meanwhile, and a
/// running server's indexer follows the swap). The log position is read
/// before the first story, so changes made during the rebuild are replayed
/// from the log afterwards. `progress(done, total)` is called about once a
/// second, from the indexing thread.
pub async fn rebuild_index(
    store: &Store,
    dir: &Path,
    threads: usize,
    heap_bytes: usize,
    mut progress: impl FnMut(u64, u64) + Send + 'static,
) -> Result<Rebuilt, IndexingError> {
    let position = store.search_log_head().await?;
    let total = store.article_count().await?;
    let mut rebuild = Rebuild::start(dir, threads, heap_bytes)?;
    // Reading (here) and indexing (on a thread) overlap; two batches in
    // flight keep both busy without holding much of the archive in memory.
    let (sender, mut batches) = tokio::sync::mpsc::channel::<Vec<masthead_domain::Article>>(2);
    let started = Instant::now();
    let indexer = tokio::task::spawn_blocking(move || -> Result<(u64, u64), SearchError> {
        let mut last_report = Instant::now();
        while let Some(batch) = batches.blocking_recv() {
            for article in &batch {
                rebuild.add(&IndexedStory::from_article(article))?;
            }
            if last_report.elapsed() >= PROGRESS_EVERY {
                last_report = Instant::now();
                progress(rebuild.added(), total);
            }
        }
        let added = rebuild.added();
        Ok((added, rebuild.finish(position)?))
    });
    let mut after = 0;
    let read = async {
        loop {
            let articles = store.published_articles_after(after, REBUILD_READ).await?;
            let Some(last) = articles.last() else { break };
            after = last.summary.id;
            if sender.send(articles).await.is_err() {
                break;
            }
        }
        drop(sender);
        Ok::<_, IndexingError>(())
    };
    let read = read.await;
    let (stories, bytes) = indexer.await??;
    read?;
    Ok(Rebuilt { stories, bytes, elapsed: started.elapsed() })
}

struct Follower {
    index: Arc<ArchiveIndex>,
    /// Lent to a blocking thread while a batch is applied; reopened if lost.
    indexer: Option<Indexer>,
    /// The first missing sequence number after the position, and since when.
    gap: Option<(i64, Instant)>,
    /// The position last reported to the database, and when.
    reported: Option<(i64, Instant)>,
    /// When this instance last trimmed the log.
    trimmed: Option<Instant>,
}

impl Follower {
    fn take_indexer(&mut self) -> Result<Indexer, SearchError> {
        match self.indexer.take() {
            Some(indexer) => Ok(indexer),
            None => self.index.indexer(1, WRITER_HEAP),
        }
    }

    /// Applies one batch of the log; returns whether more may be waiting.
    async fn step(&mut self, store: &Store) -> Result<bool, IndexingError> {
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
        // Read after the entries: a trim raises the mark before it deletes,
        // so entries missing from this read show here.
        let through = store.search_log_trimmed_through().await?;
        if position < through {
            tracing::warn!(position, through, "the search log was trimmed past this index; rebuilding it");
            let rebuilt = rebuild_index(store, self.index.root(), 1, SERVER_REBUILD_HEAP, |_, _| {}).await?;
            tracing::info!(stories = rebuilt.stories, "search index rebuilt");
            return Ok(true);
        }
        let Some(&(newest, _)) = entries.last() else {
            metrics::gauge!(LOG_LAG).set(0.0);
            return Ok(false);
        };
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
        // What this batch saw beyond where it could move (a full batch may
        // have more behind it: the next step, at once, reads on).
        metrics::gauge!(LOG_LAG).set((newest - reached) as f64);
        metrics::gauge!(LOG_POSITION).set(reached as f64);
        Ok(entries.len() == BATCH as usize && reached > position)
    }

    /// Reports this index's position when it moved (or has not been
    /// reported for a while), and trims the log when due.
    async fn housekeeping(&mut self, store: &Store) -> Result<(), IndexingError> {
        let position = self.index.position()?;
        let due = match self.reported {
            None => true,
            Some((reported, at)) => {
                at.elapsed() >= REPORT_EVERY || (reported != position && at.elapsed() >= REPORT_AFTER_MOVE)
            }
        };
        if due {
            store.report_search_position(self.index.instance(), position, Utc::now()).await?;
            self.reported = Some((position, Instant::now()));
        }
        if self.trimmed.is_none_or(|at| at.elapsed() >= TRIM_EVERY) {
            self.trimmed = Some(Instant::now());
            let window = |d: Duration| chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
            let trim = store.trim_search_log(Utc::now(), window(LOG_RETENTION), window(INSTANCE_SILENCE)).await;
            masthead_store::telemetry::job_ran("search_log_trim", &trim);
            let trim = trim?;
            if trim.deleted > 0 {
                tracing::info!(deleted = trim.deleted, through = trim.through, "search log trimmed");
            }
        }
        Ok(())
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
