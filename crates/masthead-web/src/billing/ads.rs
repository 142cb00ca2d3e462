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

/// What a page shows the signed-in reader (if any) beyond the content.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Standing {
    /// They hold the ad-free benefit now: no ad slot.
    pub ad_free: bool,
    /// They hold some benefit (a subscription or a grant) or are staff: the
    /// header offers them no subscription.
    pub subscribed: bool,
}

/// The signed-in reader's standing now; a visitor's is the default (ads, and
/// the header's "Subscribe").
pub(crate) async fn standing(state: &AppState, signed_in: &SignedIn) -> Result<Standing, StoreError> {
    match &signed_in.0 {
        None => Ok(Standing::default()),
        Some(account) => {
            let benefits = state.access.current(&state.store).await?.benefits(account.id, state.clock.now()).await?;
            Ok(Standing {
                ad_free: benefits.contains(&Benefit::AdFree),
                subscribed: account.role.is_staff() || !benefits.is_empty(),
            })
        }
    }
}
