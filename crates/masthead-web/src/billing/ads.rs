//! House ads: story and section pages carry a slot (`templates/billing/ad_slot.html`)
//! filled with the ad an admin set at `/newsroom/ads` — for readers without
//! the ad-free benefit only; readers with it get no ad markup at all. The
//! ads are kept in memory until the content counter moves
//! (`crate::read_model::current`), so a story view costs no query.

use masthead_domain::access::Benefit;
use masthead_store::{HouseAd, StoreError};

use crate::AppState;
use crate::http::session::SignedIn;

/// The slots pages carry.
pub(crate) const SLOTS: [&str; 2] = ["story", "section"];

/// The ad a page shows in `slot`: none for a reader with the ad-free benefit,
/// nor when the slot is empty.
pub(crate) async fn slot(state: &AppState, slot: &str, ad_free: bool) -> Result<Option<HouseAd>, StoreError> {
    if ad_free {
        return Ok(None);
    }
    Ok(state.house_ads.get(&state.store).await?.0.iter().find(|ad| ad.slot == slot).cloned())
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
