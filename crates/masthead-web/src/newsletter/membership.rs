//! What every newsletter page asks: the benefits a signed-in reader holds
//! now (a subscriber-only list needs one), where a reader stands on each
//! list and leaving one, the links messages carry, and the confirmation
//! mail a sign-up by email sends (page and API alike).

use chrono::{DateTime, Utc};
use masthead_domain::access::Benefit;
use masthead_domain::email::Email;
use masthead_newsletter::{Links, signup};
use masthead_store::{ListState, NewsletterRecord, StoreError, Suppression};

use crate::AppState;

/// The links messages carry, under this site's public address.
pub(crate) fn links(state: &AppState) -> Links {
    Links { public_url: state.public_url.clone() }
}

/// The benefits a signed-in reader holds now.
pub(crate) async fn benefits(state: &AppState, reader_id: i64) -> Result<Vec<Benefit>, masthead_store::StoreError> {
    state.store.benefits(reader_id, state.clock.now()).await
}

/// Where a signed-in reader stands on one list (the account page and
/// `GET /api/v1/me/newsletters` say the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Standing {
    /// Confirmed, and it goes to them.
    Receiving,
    /// Confirmed, but a subscriber-only list they no longer hold the benefit for.
    Paused,
    /// Confirmed, but their address bounced or complained: nothing is sent to it.
    Stopped,
    /// Signed up, waiting for the confirmation link to be followed.
    Pending,
    /// Not on it (or left it).
    NotSignedUp,
}

impl Standing {
    /// From the membership's state, whether the address is suppressed and
    /// whether the reader may receive the list now.
    pub(crate) fn of(membership: Option<ListState>, suppressed: bool, allowed: bool) -> Self {
        match membership {
            Some(ListState::Confirmed) if suppressed => Self::Stopped,
            Some(ListState::Confirmed) if !allowed => Self::Paused,
            Some(ListState::Confirmed) => Self::Receiving,
            Some(ListState::Pending) => Self::Pending,
            Some(ListState::Unsubscribed) | None => Self::NotSignedUp,
        }
    }

    /// The API's word for it.
    pub(crate) fn word(self) -> &'static str {
        match self {
            Self::Receiving => "receiving",
            Self::Paused => "paused",
            Self::Stopped => "stopped",
            Self::Pending => "pending",
            Self::NotSignedUp => "not_signed_up",
        }
    }
}

/// Every list with where a signed-in reader stands on it, and why nothing
/// goes to their address if it is suppressed: what `/account/newsletters`
/// and `GET /api/v1/me/newsletters` both show.
pub(crate) struct Standings {
    pub(crate) lists: Vec<ListStanding>,
    pub(crate) suppression: Option<Suppression>,
}

/// One list and the reader on it.
pub(crate) struct ListStanding {
    pub(crate) list: NewsletterRecord,
    pub(crate) membership: Option<ListState>,
    /// Whether the reader may receive it now (a subscriber-only list needs the benefit).
    pub(crate) allowed: bool,
    pub(crate) standing: Standing,
}

/// Where the reader `reader_id` at `email` stands on every list.
pub(crate) async fn standings(state: &AppState, reader_id: i64, email: &str) -> Result<Standings, StoreError> {
    let lists = state.store.newsletters().await?;
    let memberships = state.store.reader_newsletters(reader_id, email).await?;
    let benefits = benefits(state, reader_id).await?;
    let suppression = state.store.suppression(email).await?;
    let lists = lists
        .into_iter()
        .map(|list| {
            let membership = memberships.iter().find(|m| m.newsletter_id == list.id).map(|m| m.state);
            let allowed = signup::may_receive(&list, &benefits);
            let standing = Standing::of(membership, suppression.is_some(), allowed);
            ListStanding { list, membership, allowed, standing }
        })
        .collect();
    Ok(Standings { lists, suppression })
}

/// Takes the reader off `list` (confirmed or pending), as the one-click
/// unsubscribe link would.
pub(crate) async fn leave(
    state: &AppState,
    list: &NewsletterRecord,
    reader_id: i64,
    email: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let memberships = state.store.reader_newsletters(reader_id, email).await?;
    for member in memberships.iter().filter(|m| m.newsletter_id == list.id) {
        state.store.unsubscribe_newsletter(&member.unsubscribe_token, now).await?;
    }
    Ok(())
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
