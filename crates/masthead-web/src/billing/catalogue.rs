//! The plans on sale, kept in memory for the paywall and `/subscribe`, and
//! reloaded when an admin edits them on this instance, with the paywall's
//! offer rendered once from them (it is the same on every withheld story).

use std::sync::{Arc, PoisonError, RwLock};

use masthead_domain::plan::Plan;
use masthead_store::{Store, StoreError};

use super::views::offer_html;

/// The catalogue, and its offer as HTML.
#[derive(Debug, Default)]
pub(crate) struct Catalogue(RwLock<(Vec<Plan>, Arc<str>)>);

impl Catalogue {
    pub fn new(plans: Vec<Plan>) -> Self {
        let offer = offer_html(&plans);
        Self(RwLock::new((plans, offer)))
    }

    /// The active plans, in catalogue order.
    pub fn active(&self) -> Vec<Plan> {
        self.0.read().unwrap_or_else(PoisonError::into_inner).0.clone()
    }

    /// The paywall's offer of the active plans, as HTML.
    pub fn offer_html(&self) -> Arc<str> {
        self.0.read().unwrap_or_else(PoisonError::into_inner).1.clone()
    }

    /// Reads the catalogue again.
    pub async fn reload(&self, store: &Store) -> Result<(), StoreError> {
        let plans = store.active_plans().await?;
        let offer = offer_html(&plans);
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = (plans, offer);
        Ok(())
    }

    /// An active plan by id.
    pub fn find(&self, id: i64) -> Option<Plan> {
        self.active().into_iter().find(|p| p.id == id)
    }
}
