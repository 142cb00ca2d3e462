//! What every newsletter page asks: the benefits a signed-in reader holds
//! now (a subscriber-only list needs one), and the links messages carry.

use masthead_domain::access::Benefit;
use masthead_newsletter::Links;

use crate::AppState;

/// The links messages carry, under this site's public address.
pub(crate) fn links(state: &AppState) -> Links {
    Links { public_url: state.public_url.clone() }
}

/// The benefits a signed-in reader holds now.
pub(crate) async fn benefits(state: &AppState, reader_id: i64) -> Result<Vec<Benefit>, masthead_store::StoreError> {
    state.store.benefits(reader_id, state.clock.now()).await
}
