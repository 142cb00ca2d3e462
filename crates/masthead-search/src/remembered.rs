//! Answers kept until the index changes: the same search asked again —
//! a popular word on a busy day — is answered from memory.
//!
//! What is kept is the same for every reader: the hits with their free-part
//! snippets, and the snippet maker. Snippets from beyond a story's free part
//! are still made per reader, and only for a reader allowed the story
//! ([`crate::SearchPage::rest_snippet`]). Each generation of the index keeps
//! its own answers, and drops them all when its reader moves to a newer
//! commit; at most [`PAGES`] are kept.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::SearchPage;

/// Answers kept at most (a page is a few kilobytes).
const PAGES: usize = 1_024;

#[derive(Default)]
pub(crate) struct Remembered {
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    /// The reader's generation (commit) the answers were found at.
    searcher: u64,
    pages: HashMap<String, Arc<SearchPage>>,
}

impl Remembered {
    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        // A panic while holding the lock leaves nothing half-written worth refusing.
        self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The answer to `key` found at `searcher`, if kept.
    pub(crate) fn get(&self, searcher: u64, key: &str) -> Option<Arc<SearchPage>> {
        let kept = self.kept();
        (kept.searcher == searcher).then(|| kept.pages.get(key).cloned()).flatten()
    }

    /// Keeps `page`, the answer to `key` found at `searcher`.
    pub(crate) fn keep(&self, searcher: u64, key: String, page: Arc<SearchPage>) {
        let mut kept = self.kept();
        if searcher > kept.searcher || kept.pages.len() >= PAGES {
            *kept = Kept { searcher, pages: HashMap::new() };
        }
        if kept.searcher == searcher {
            kept.pages.insert(key, page);
        }
    }
}
