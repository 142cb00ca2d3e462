//! Opening a story: who is reading, what the access decision is, and — when
//! the story is actually delivered — recording the read on the meter, and
//! counting it for the funnel. Every route that can carry story text goes
//! through [`open_story`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use masthead_domain::ArticleSummary;
use masthead_domain::access::{self, Access, BlockReason, Meter, Reader, ReaderKind};
use masthead_insights::EventKind;
use masthead_insights::experiment::Settings;
use masthead_store::{Counter, MeteredRead, ReadOutcome, StoreError};

use crate::AppState;
use crate::http::error::Internal;
use crate::http::session::SignedIn;
use crate::http::visitor::Visitor;

/// Whether opening the story delivers it (and so counts on the meter), or
/// only asks what would happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Intent {
    /// The story is being delivered and the meter reported with it (the
    /// API): a metered read is recorded.
    Read,
    /// The story is being delivered as a page, which shows the meter only on
    /// a metered read: a metered read is recorded, and a reader whose access
    /// does not depend on the meter (a subscriber, a premium story for a
    /// visitor) is decided without reading it.
    Page,
    /// Only asking (`/api/v1/access/{id}`): nothing is recorded.
    Ask,
}

/// The decision, with the reader's meter as it stands after it.
#[derive(Debug, Clone)]
pub(crate) struct Opened {
    pub access: Access,
    /// Free stories used this month (with this one, when it is metered).
    pub used: u32,
    pub limit: u32,
    /// The reader holds the ad-free benefit: the page carries no ad slot.
    pub ad_free: bool,
    /// The reader is staff or holds some benefit: the header offers no subscription.
    pub subscribed: bool,
    /// The paywall's copy and offer for this reader (their experiment
    /// variant's, else the default's).
    pub paywall: Arc<Settings>,
    /// Withheld because the meter ran out from a visitor whose variant has a
    /// registration wall: the page asks them to sign up to read this many
    /// more, instead of the paywall.
    pub wall: Option<u32>,
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
            let benefits = state.access.current(&state.store).await?.benefits(account.id, now).await?;
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

/// A logged-out browser's meter this month: stories used, and whether
/// `story_id` is one of them. Full meters (at `limit`) are remembered (see [`FullMeters`]).
async fn visitor_meter(
    state: &AppState,
    meter: &str,
    month: i64,
    story_id: i64,
    limit: u32,
) -> Result<(u32, bool), StoreError> {
    // Kept full at a limit an experiment has since raised, it is read again.
    if let Some(read) = state.full_meters.get(meter, month).filter(|read| read.len() as u32 >= limit) {
        return Ok((read.len() as u32, read.contains(&story_id)));
    }
    let (used, already_read) = state.store.meter(meter, month, story_id).await?;
    if used >= limit {
        let read = state.store.meter_read_ids(meter, month).await?;
        state.full_meters.keep(meter, month, read);
    }
    Ok((used, already_read))
}

/// Visitor meters that are full this month, with the stories on them. A full
/// visitor meter never changes again — no read is added past the limit, and
/// logging in merges *from* it, never into it — so once read it is kept in
/// memory and a returning visitor over the limit costs no query. Bounded:
/// dropped wholesale past [`FULL_METERS`] entries.
#[derive(Debug, Default)]
pub(crate) struct FullMeters(Mutex<HashMap<MeterMonth, Arc<[i64]>>>);

/// A meter's key and the month.
type MeterMonth = (String, i64);

/// Full visitor meters remembered at most (each a few dozen bytes).
const FULL_METERS: usize = 50_000;

impl FullMeters {
    fn get(&self, meter: &str, month: i64) -> Option<Arc<[i64]>> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&(meter.to_owned(), month)).cloned()
    }

    fn keep(&self, meter: &str, month: i64, read: Vec<i64>) {
        let mut meters = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if meters.len() >= FULL_METERS {
            meters.clear();
        }
        meters.insert((meter.to_owned(), month), read.into());
    }
}

/// Decides whether this reader may read `story` now, recording the read when
/// `intent` delivers it and the decision puts it on the meter. The limit is
/// the reader's experiment variant's when it sets one, else the latest
/// winner's, else the configured one (see `read_model::current::Experiments`);
/// for an account made from the registration wall, its grant this month.
/// The funnel counts the read, the meter running out, and a page's paywall.
///
/// The experiments are kept under the access counter, which a page view
/// reads from the database. A visitor's view on PostgreSQL first decides at
/// the counter as this process last read it, at no cost
/// (`counters::access_unread`): its meter write, one statement, checks that
/// the counter still stands there, and a decision that writes nothing reads
/// the counter to check. Should it have moved, the view is decided again at
/// the counter as read now.
pub(crate) async fn open_story(
    state: &AppState,
    visitor: &Visitor,
    signed_in: &SignedIn,
    story: &ArticleSummary,
    intent: Intent,
) -> Result<Opened, Internal> {
    let mut access_seen =
        if signed_in.0.is_none() { crate::read_model::counters::access_unread(&state.store) } else { None };
    loop {
        match decide(state, visitor, signed_in, story, intent, access_seen).await? {
            Some(opened) => return Ok(opened),
            // The access counter moved: decided again, at the counter as read now (which never moves on).
            None => access_seen = None,
        }
    }
}

/// [`open_story`] at the access counter `access_seen` (`None`: as this page
/// view reads it); `None` if the counter has moved from it (nothing written,
/// nothing counted).
async fn decide(
    state: &AppState,
    visitor: &Visitor,
    signed_in: &SignedIn,
    story: &ArticleSummary,
    intent: Intent,
    access_seen: Option<i64>,
) -> Result<Option<Opened>, Internal> {
    let now = state.clock.now();
    let (reader, meter_key) = reader_of(state, visitor, signed_in, now).await?;
    let facts = story_facts(state, &story.section, story.premium, story.first_published_at, now);
    let month = state.zone.month_key(now);
    let experiments = match access_seen {
        Some(seen) => state.experiments.at(&state.store, seen).await?,
        None => state.experiments.get(&state.store).await?,
    };
    let dealt = experiments.deal(&meter_key);
    let mut limit = dealt.settings.meter_limit.unwrap_or(state.meter_limit);
    // Only a visitor meets the registration wall.
    let wall = if signed_in.0.is_none() { dealt.settings.wall } else { None };
    let event = |kind| {
        let event = state.event(kind, visitor).story(story.id, &story.section);
        match &dealt.variant {
            Some(variant) => event.variant(variant),
            None => event,
        }
    };
    // A page shows the paywall when the story is withheld.
    let shown = |opened: Opened| {
        match (intent, opened.access, opened.wall) {
            (Intent::Page, Access::Blocked { .. }, Some(_)) => state.count(event(EventKind::RegistrationWallShown)),
            (Intent::Page, Access::Blocked { reason }, None) => {
                state.count(event(EventKind::PaywallShown).reason(reason))
            }
            _ => {}
        }
        opened
    };
    // The one access question, asked once: the meter only where it can change the answer.
    let off_the_meter = access::off_the_meter(&reader, facts);
    let meter_matters = intent != Intent::Page || off_the_meter.is_none();
    let (used, already_read) = match &signed_in.0 {
        _ if !meter_matters => (0, false),
        // A browser that brought no cookie has a brand-new, empty meter.
        None if visitor.is_new() => (0, false),
        None => visitor_meter(state, &meter_key, month, story.id, limit).await?,
        Some(account) => {
            // An account made from the registration wall reads to its grant this month.
            if let Some(granted) = state.store.allowance(account.id, month).await? {
                limit = granted;
            }
            state.store.meter(&meter_key, month, story.id).await?
        }
    };
    let meter = Meter { used, already_read, limit };
    let access = off_the_meter.unwrap_or_else(|| meter.decide());
    // A metered decision carries the count with this story; others the meter as it stands.
    let opened = |access: Access, meter_used: u32| {
        let used = if let Access::Metered { used, .. } = access { used } else { meter_used };
        Opened {
            access,
            used,
            limit: meter.limit,
            ad_free: reader.has(access::Benefit::AdFree),
            subscribed: reader.kind == ReaderKind::Staff || !reader.benefits.is_empty(),
            paywall: dealt.settings.clone(),
            wall: wall.filter(|_| matches!(access, Access::Blocked { reason: BlockReason::MeterExhausted })),
        }
    };
    if intent == Intent::Ask || !access.counts(&meter) {
        // Nothing written to check the access counter: it is read.
        if let Some(seen) = access_seen
            && crate::read_model::counters::current(&state.store, Counter::Access).await? != seen
        {
            return Ok(None);
        }
        return Ok(Some(shown(opened(access, used))));
    }
    let new_meter = signed_in.0.is_none() && visitor.is_new();
    let read = MeteredRead {
        meter: meter_key,
        month,
        article_id: story.id,
        limit: meter.limit,
        at: now,
        day: state.zone.day_key(now),
        variant: dealt.variant.as_deref().unwrap_or_default().to_owned(),
        new_meter,
        access_seen,
    };
    let outcome = state.store.record_read(read).await?;
    if let ReadOutcome::Counted { used } = outcome {
        // A visitor's read is counted in the funnel from its meter row (no
        // second row); an account's meter is its own, so its read is an event.
        if signed_in.0.is_some() {
            state.count(event(EventKind::MeteredRead));
        }
        if used >= meter.limit {
            state.count(event(EventKind::MeterExhausted));
        }
    }
    Ok(Some(shown(match outcome {
        ReadOutcome::Counted { used } | ReadOutcome::AlreadyRead { used } => {
            opened(Access::Metered { used, limit: meter.limit }, used)
        }
        // Another request took the last free story first: the fresh meter decides.
        ReadOutcome::LimitReached { used } => {
            let fresh = Meter { used, already_read: false, limit: meter.limit };
            opened(fresh.decide(), used)
        }
        ReadOutcome::AccessMoved => return Ok(None),
    })))
}
