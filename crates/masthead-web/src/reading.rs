//! Opening a story: who is reading, what the access decision is, and — when
//! the story is actually delivered — recording the read on the meter. Every
//! route that can carry story text goes through [`open_story`].

use chrono::{DateTime, Utc};
use masthead_domain::ArticleSummary;
use masthead_domain::access::{self, Access, Meter, Reader, ReaderKind};
use masthead_store::{ReadOutcome, StoreError};

use crate::AppState;
use crate::account::SignedIn;
use crate::visitor::Visitor;

/// Whether opening the story delivers it (and so counts on the meter), or
/// only asks what would happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Intent {
    /// The story is being delivered: a metered read is recorded.
    Read,
    /// Only asking (`/api/v1/access/{id}`): nothing is recorded.
    Ask,
}

/// The decision, with the reader's meter as it stands after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Opened {
    pub access: Access,
    /// Free stories used this month (with this one, when it is metered).
    pub used: u32,
    pub limit: u32,
}

/// Who is reading, and the key their meter counts under.
pub(crate) async fn reader_of(
    state: &AppState,
    visitor: &Visitor,
    signed_in: &SignedIn,
    now: DateTime<Utc>,
) -> Result<(Reader, String), StoreError> {
    Ok(match &signed_in.0 {
        None => (Reader::visitor(), visitor.meter()),
        Some(account) => {
            let kind = if account.role.is_staff() { ReaderKind::Staff } else { ReaderKind::Registered };
            let benefits = state.store.benefits(account.id, now).await?;
            (Reader { kind, benefits }, format!("r:{}", account.id))
        }
    })
}

/// What the access decision needs to know about a story, at `now`: a story
/// first published longer ago than the archive age is in the archive.
pub(crate) fn story_facts(
    state: &AppState,
    section: &str,
    premium: bool,
    first_published_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> access::Story {
    access::Story {
        premium,
        premium_section: state.section(section).is_some_and(|s| s.premium),
        archived: now - first_published_at > state.archive_age,
    }
}

/// Decides whether this reader may read `story` now, recording the read when
/// `intent` is [`Intent::Read`] and the decision puts it on the meter.
pub(crate) async fn open_story(
    state: &AppState,
    visitor: &Visitor,
    signed_in: &SignedIn,
    story: &ArticleSummary,
    intent: Intent,
) -> Result<Opened, StoreError> {
    let now = state.clock.now();
    let (reader, meter_key) = reader_of(state, visitor, signed_in, now).await?;
    let facts = story_facts(state, &story.section, story.premium, story.first_published_at, now);
    let month = state.zone.month_key(now);
    let (used, already_read) = state.store.meter(&meter_key, month, story.id).await?;
    let meter = Meter { used, already_read, limit: state.meter_limit };
    let access = access::decide(&reader, facts, meter);
    // A metered decision carries the count with this story; others the meter as it stands.
    let opened = |access: Access, meter_used: u32| {
        let used = if let Access::Metered { used, .. } = access { used } else { meter_used };
        Opened { access, used, limit: meter.limit }
    };
    if intent == Intent::Ask || !access.counts(&meter) {
        return Ok(opened(access, used));
    }
    let outcome = state.store.record_read(&meter_key, month, story.id, meter.limit, now).await?;
    Ok(match outcome {
        ReadOutcome::Counted { used } | ReadOutcome::AlreadyRead { used } => {
            opened(Access::Metered { used, limit: meter.limit }, used)
        }
        // Another request took the last free story first: decide again on the fresh meter.
        ReadOutcome::LimitReached { used } => {
            let fresh = Meter { used, already_read: false, limit: meter.limit };
            opened(access::decide(&reader, facts, fresh), used)
        }
    })
}
