//! Rebuilding the search index from the database, with progress.
//!
//! Stories are read from the database in id order on this task and indexed
//! on a blocking thread; the new generation is swapped in only once it is
//! complete, so a running server answers from the old one meanwhile. The
//! change-log position is read before the first story, so any change made
//! during the rebuild is replayed from the log afterwards.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use masthead_search::{IndexedStory, Rebuild};
use masthead_store::Store;

/// Stories read per query.
const BATCH: u32 = 2_000;
/// How often progress is printed.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);
/// The rebuild's memory budget, shared by its indexing threads.
const HEAP: usize = 512 * 1024 * 1024;

/// Rebuilds the index in `dir` from `store`, printing progress to stderr.
pub async fn rebuild(store: &Store, dir: &Path) -> Result<()> {
    let position = store.search_log_head().await?;
    let total = store.article_count().await?;
    eprintln!("Building the search index in {} from {total} stories", dir.display());
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 4);
    let mut rebuild = Rebuild::start(dir, threads, HEAP).with_context(|| {
        format!("cannot build a search index in {} (choose another with --index-dir)", dir.display())
    })?;
    let (sender, mut batches) = tokio::sync::mpsc::channel::<Vec<IndexedStory>>(4);
    let started = Instant::now();
    let indexer = tokio::task::spawn_blocking(move || -> Result<(u64, u64)> {
        let mut last_report = Instant::now();
        while let Some(batch) = batches.blocking_recv() {
            for story in &batch {
                rebuild.add(story)?;
            }
            if last_report.elapsed() >= PROGRESS_EVERY {
                last_report = Instant::now();
                let done = rebuild.added();
                eprintln!(
                    "  {done} of {total} stories ({}%), {} stories/s",
                    done * 100 / total.max(1),
                    rate(done, started.elapsed())
                );
            }
        }
        let added = rebuild.added();
        let size = rebuild.finish(position)?;
        Ok((added, size))
    });
    let mut after = 0;
    loop {
        let articles = store.published_articles_after(after, BATCH).await?;
        let Some(last) = articles.last() else { break };
        after = last.summary.id;
        let stories = articles.iter().map(IndexedStory::from_article).collect();
        if sender.send(stories).await.is_err() {
            break;
        }
    }
    drop(sender);
    let (added, size) = indexer.await.context("the indexing thread failed")??;
    let elapsed = started.elapsed();
    eprintln!(
        "Indexed {added} stories in {:.1} s ({} stories/s); the index takes {:.1} MB",
        elapsed.as_secs_f64(),
        rate(added, elapsed),
        size as f64 / 1e6
    );
    Ok(())
}

fn rate(count: u64, elapsed: Duration) -> u64 {
    (count as f64 / elapsed.as_secs_f64().max(1e-9)) as u64
}
