//! `masthead reindex`: rebuilds the search index from the database, printing
//! progress. The work is [`masthead_web::rebuild_index`] (the same rebuild a
//! server starts itself when the log it follows was trimmed past its index);
//! this sizes it for a command that has the machine to itself.

use std::path::Path;

use crate::commands::say;
use anyhow::{Context, Result};
use masthead_store::Store;

/// The rebuild's memory budget, shared by its indexing threads: large
/// segments mean fewer of them to search.
const HEAP: usize = 1024 * 1024 * 1024;

/// Rebuilds the index in `dir` from `store`, printing progress to stderr (or the log).
pub async fn rebuild(store: &Store, dir: &Path) -> Result<()> {
    say(&format!("Building the search index in {} from the database", dir.display()));
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 4);
    let started = std::time::Instant::now();
    let progress = move |done: u64, total: u64| {
        let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-9);
        say(&format!("  {done} of {total} stories ({}%), {rate:.0} stories/s", done * 100 / total.max(1)));
    };
    let rebuilt = masthead_web::rebuild_index(store, dir, threads, HEAP, progress).await.with_context(|| {
        format!("cannot build a search index in {} (choose another with --index-dir)", dir.display())
    })?;
    let seconds = rebuilt.elapsed.as_secs_f64();
    say(&format!(
        "Indexed {} stories in {seconds:.1} s ({:.0} stories/s); the index takes {:.1} MB",
        rebuilt.stories,
        rebuilt.stories as f64 / seconds.max(1e-9),
        rebuilt.bytes as f64 / 1e6
    ));
    Ok(())
}
