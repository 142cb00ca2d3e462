//! The publication's sections, kept in memory and read again whenever the
//! database's content counter has moved. A trigger bumps that counter with
//! every change to a section (migration `0028_sections_counter`), so marking
//! a section premium — or renaming, adding or reordering one — reaches the
//! access decision (meter, pages, API, search) and the navigation on the
//! very next request, on every instance, like a story edit does.
//!
//! The site checks once per request, before the handler runs
//! ([`SectionsCache::refresh`], called by the `current_sections`
//! middleware); handlers then take the sections as kept
//! ([`SectionsCache::kept`]) without waiting, which is what the page frame
//! needs.

use std::sync::{Arc, RwLock};

use masthead_domain::Section;
use masthead_store::{Store, StoreError};

/// The sections as read at a value of the content counter.
#[derive(Debug)]
pub(crate) struct SectionsCache {
    kept: RwLock<(i64, Arc<[Section]>)>,
}

impl SectionsCache {
    /// Reads the sections now, filed under the content counter as read just
    /// before them (so a change landing in between is read again later).
    pub(crate) async fn load(store: &Store) -> Result<Self, StoreError> {
        let version = store.counters().await?.content;
        let sections = store.sections().await?;
        Ok(Self { kept: RwLock::new((version, sections.into())) })
    }

    /// Reads the sections again if the content counter has moved since
    /// they were read.
    pub(crate) async fn refresh(&self, store: &Store) -> Result<(), StoreError> {
        let version = super::counters::current(store).await?.content;
        if self.lock_read().0 >= version {
            return Ok(());
        }
        let sections: Arc<[Section]> = store.sections().await?.into();
        let mut kept = self.kept.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        if version > kept.0 {
            *kept = (version, sections);
        }
        Ok(())
    }

    /// The sections as last read, in navigation order.
    pub(crate) fn kept(&self) -> Arc<[Section]> {
        self.lock_read().1.clone()
    }

    fn lock_read(&self) -> std::sync::RwLockReadGuard<'_, (i64, Arc<[Section]>)> {
        // A panic while holding the lock leaves nothing half-written worth refusing.
        self.kept.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
