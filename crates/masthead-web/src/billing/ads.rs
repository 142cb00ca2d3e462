//! House ads: story and section pages carry a slot (`templates/billing/ad_slot.html`)
//! filled with the ad an admin set at `/newsroom/ads` — for readers without
//! the ad-free benefit only; readers with it get no ad markup at all. The
//! ads are kept in memory for a short while, so a story view costs no query.

use std::sync::RwLock;
use std::time::{Duration, Instant};

use masthead_domain::access::Benefit;
use masthead_store::{HouseAd, Store, StoreError};

use crate::AppState;
use crate::http::session::SignedIn;

/// The slots pages carry.
pub(crate) const SLOTS: [&str; 2] = ["story", "section"];

/// How long another instance's edit may take to show here.
const FRESH_FOR: Duration = Duration::from_secs(30);

/// The house ads, as last read.
#[derive(Debug, Default)]
pub(crate) struct HouseAds(RwLock<Option<(Instant, Vec<HouseAd>)>>);

impl HouseAds {
    /// Drops what is kept, so the next page reads the ads again (after an edit here).
    pub fn forget(&self) {
        *self.0.write().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    async fn get(&self, store: &Store, slot: &str) -> Result<Option<HouseAd>, StoreError> {
        let kept = self.0.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        let ads = match kept {
            Some((at, ads)) if at.elapsed() < FRESH_FOR => ads,
            _ => {
                let ads = store.house_ads().await?;
                *self.0.write().unwrap_or_else(std::sync::PoisonError::into_inner) =
                    Some((Instant::now(), ads.clone()));
                ads
            }
        };
        Ok(ads.into_iter().find(|ad| ad.slot == slot))
    }
}

/// The ad a page shows in `slot`: none for a reader with the ad-free benefit,
/// nor when the slot is empty.
pub(crate) async fn slot(state: &AppState, slot: &str, ad_free: bool) -> Result<Option<HouseAd>, StoreError> {
    if ad_free {
        return Ok(None);
    }
    state.house_ads.get(&state.store, slot).await
}

/// Whether the signed-in reader (if any) holds the ad-free benefit now.
pub(crate) async fn ad_free(state: &AppState, signed_in: &SignedIn) -> Result<bool, StoreError> {
    match &signed_in.0 {
        None => Ok(false),
        Some(account) => {
            let benefits = state.access.current(&state.store).await?.benefits(account.id, state.clock.now()).await?;
            Ok(benefits.contains(&Benefit::AdFree))
        }
    }
}
