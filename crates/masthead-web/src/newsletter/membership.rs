//! What every newsletter page asks: the benefits a signed-in reader holds
//! now (a subscriber-only list needs one), the links messages carry, and
//! the confirmation mail a sign-up by email sends (page and API alike).

use chrono::{DateTime, Utc};
use masthead_domain::access::Benefit;
use masthead_domain::email::Email;
use masthead_newsletter::{Links, signup};
use masthead_store::{NewsletterRecord, StoreError};

use crate::AppState;

/// The links messages carry, under this site's public address.
pub(crate) fn links(state: &AppState) -> Links {
    Links { public_url: state.public_url.clone() }
}

/// The benefits a signed-in reader holds now.
pub(crate) async fn benefits(state: &AppState, reader_id: i64) -> Result<Vec<Benefit>, masthead_store::StoreError> {
    state.store.benefits(reader_id, state.clock.now()).await
}

/// Asks `email` to confirm a sign-up to `list` (double opt-in): nothing is
/// sent to it until it does.
pub(crate) async fn request_confirmation(
    state: &AppState,
    list: &NewsletterRecord,
    email: &Email,
    now: DateTime<Utc>,
) -> Result<(), masthead_newsletter::Error> {
    signup::request(&state.store, &state.mailer, &state.publisher_name, &links(state), list, email, now).await
}

/// What the desk's failures are at the edge, for pages and API alike: the
/// database's stay errors (500s); anything else (a confirmation mail that
/// could not leave) is logged and answered as if it had gone, so nothing
/// tells whether an address was already on the list.
pub(crate) fn desk_failed(error: masthead_newsletter::Error) -> Result<(), StoreError> {
    match error {
        masthead_newsletter::Error::Store(error) => Err(error),
        other => {
            tracing::error!(error = %other, "newsletter mail could not be sent");
            Ok(())
        }
    }
}
