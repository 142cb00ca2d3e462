//! The plans on sale, kept in memory for the paywall and `/subscribe`, and
//! reloaded when an admin edits them on this instance.

use std::sync::{PoisonError, RwLock};

use masthead_domain::plan::Plan;
use masthead_store::{Store, StoreError};

/// The catalogue: the active plans, in catalogue order.
#[derive(Debug, Default)]
pub(crate) struct Catalogue(RwLock<Vec<Plan>>);

impl Catalogue {
    pub fn new(plans: Vec<Plan>) -> Self {
        Self(RwLock::new(plans))
    }

    /// The active plans, in catalogue order.
    pub fn active(&self) -> Vec<Plan> {
        self.0.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Reads the catalogue again.
    pub async fn reload(&self, store: &Store) -> Result<(), StoreError> {
        let plans = store.active_plans().await?;
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = plans;
        Ok(())
    }

    /// An active plan by id.
    pub fn find(&self, id: i64) -> Option<Plan> {
        self.active().into_iter().find(|p| p.id == id)
    }
}
