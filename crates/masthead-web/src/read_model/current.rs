//! Small tables every page may need, kept whole in memory and read again
//! whenever the database's change counter they are filed under has moved:
//! the sections and the house ads under the content counter (triggers bump
//! it with every change to either, migrations `0028_sections_counter` and
//! `0037_house_ads_counter`), the plans on sale under the access counter
//! (`0012_access_counter`). So marking a section premium, editing an ad or a
//! plan reaches every instance on its very next request, like a story edit.
//!
//! A [`Current`] is brought up to date by [`Current::get`] (one counter
//! reading per page view, shared: `super::counters`); the sections are also
//! brought up to date before every request by the `current_sections`
//! middleware, so the page frame can take them as kept ([`Current::kept`])
//! without waiting.

use std::future::Future;
use std::sync::{Arc, RwLock, RwLockReadGuard};

use masthead_domain::Section;
use masthead_domain::plan::Plan;
use masthead_store::{Counters, HouseAd, Store, StoreError};

/// A table kept whole: how it is read and which counter moves with it.
pub(crate) trait Table: Clone + Send + Sync + Sized {
    /// The value of the counter that moves with every change to the table.
    fn version(counters: Counters) -> i64;
    /// Reads the whole table.
    fn read(store: &Store) -> impl Future<Output = Result<Self, StoreError>> + Send;
}

/// The publication's sections, in navigation order.
impl Table for Arc<[Section]> {
    fn version(counters: Counters) -> i64 {
        counters.content
    }

    async fn read(store: &Store) -> Result<Self, StoreError> {
        Ok(store.sections().await?.into())
    }
}

/// The plans on sale, in catalogue order.
#[derive(Debug, Clone)]
pub(crate) struct Plans(pub Arc<[Plan]>);

impl Table for Plans {
    fn version(counters: Counters) -> i64 {
        counters.access
    }

    async fn read(store: &Store) -> Result<Self, StoreError> {
        Ok(Self(store.active_plans().await?.into()))
    }
}

impl Plans {
    /// A plan on sale, by id.
    pub(crate) fn find(&self, id: i64) -> Option<Plan> {
        self.0.iter().find(|plan| plan.id == id).cloned()
    }
}

/// The house ads, one per slot at most.
#[derive(Debug, Clone)]
pub(crate) struct HouseAds(pub Arc<[HouseAd]>);

impl Table for HouseAds {
    fn version(counters: Counters) -> i64 {
        counters.content
    }

    async fn read(store: &Store) -> Result<Self, StoreError> {
        Ok(Self(store.house_ads().await?.into()))
    }
}

/// A table as read at a value of its counter.
#[derive(Debug)]
pub(crate) struct Current<T> {
    kept: RwLock<(i64, T)>,
}

impl<T: Table> Current<T> {
    /// Reads the table now, filed under its counter as read just before it
    /// (so a change landing in between is read again later).
    pub(crate) async fn load(store: &Store) -> Result<Self, StoreError> {
        let version = T::version(store.counters().await?);
        Ok(Self { kept: RwLock::new((version, T::read(store).await?)) })
    }

    /// The table as committed when this page view first read the counters.
    pub(crate) async fn get(&self, store: &Store) -> Result<T, StoreError> {
        let version = T::version(super::counters::current(store).await?);
        {
            let kept = self.lock_read();
            if kept.0 >= version {
                return Ok(kept.1.clone());
            }
        }
        let table = T::read(store).await?;
        let mut kept = self.kept.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        if version > kept.0 {
            *kept = (version, table.clone());
        }
        Ok(table)
    }

    /// The table as last read.
    pub(crate) fn kept(&self) -> T {
        self.lock_read().1.clone()
    }

    fn lock_read(&self) -> RwLockReadGuard<'_, (i64, T)> {
        // A panic while holding the lock leaves nothing half-written worth refusing.
        self.kept.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
