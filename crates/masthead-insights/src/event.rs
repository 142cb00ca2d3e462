//! What the funnel counts, and the event one request reports.

use chrono::{DateTime, Utc};
use masthead_domain::PublisherZone;
use masthead_domain::access::BlockReason;
use masthead_store::NewEvent;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    /// A story counted on the meter (a re-read does not count again).
    MeteredRead,
    /// That read used the last free story of the month.
    MeterExhausted,
    /// A story page showed the paywall instead of the story.
    PaywallShown,
    /// An account was made.
    Registration,
    /// A checkout was started (credited to the visitor's last story).
    CheckoutStarted,
    /// A payment was recorded (credited to the reader's last checkout).
    SubscriptionPaid,
    /// A subscription was cancelled.
    Cancellation,
    /// A newsletter sign-up.
    NewsletterSignup,
    /// A story page showed the registration wall (sign up free to read more)
    /// instead of the story.
    RegistrationWallShown,
    /// An account was made from the registration wall, and given its stories.
    RegisteredFromWall,
}

impl EventKind {
    /// Every kind, in funnel order.
    pub const ALL: [Self; 10] = [
        Self::MeteredRead,
        Self::MeterExhausted,
        Self::PaywallShown,
        Self::Registration,
        Self::CheckoutStarted,
        Self::SubscriptionPaid,
        Self::Cancellation,
        Self::NewsletterSignup,
        Self::RegistrationWallShown,
        Self::RegisteredFromWall,
    ];

    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::MeteredRead => "metered_read",
            Self::MeterExhausted => "meter_exhausted",
            Self::PaywallShown => "paywall_shown",
            Self::Registration => "registration",
            Self::CheckoutStarted => masthead_store::CHECKOUT_STARTED,
            Self::SubscriptionPaid => masthead_store::SUBSCRIPTION_PAID,
            Self::Cancellation => "cancellation",
            Self::NewsletterSignup => "newsletter_signup",
            Self::RegistrationWallShown => "registration_wall_shown",
            Self::RegisteredFromWall => "registered_from_wall",
        }
    }

    /// The kind a stored name stands for.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

/// Why a paywall was shown, as stored.
pub const fn reason(reason: BlockReason) -> &'static str {
    match reason {
        BlockReason::MeterExhausted => "meter_exhausted",
        BlockReason::PremiumStory => "premium_story",
        BlockReason::PremiumSection => "premium_section",
        BlockReason::ArchiveOnly => "archive_only",
    }
}

/// One event, built up by the request that saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event(NewEvent);

impl Event {
    /// `kind` by `visitor` (the visitor cookie's id) at `at`, on the
    /// publisher's calendar day.
    pub fn new(kind: EventKind, visitor: &str, at: DateTime<Utc>, zone: &PublisherZone) -> Self {
        Self(NewEvent {
            day: zone.date(at).to_string(),
            at,
            visitor: visitor.to_owned(),
            kind: kind.as_str(),
            story: 0,
            section: String::new(),
            reason: "",
            variant: String::new(),
            reader: None,
        })
    }

    /// On a story, in its section.
    pub fn story(mut self, id: i64, section: &str) -> Self {
        self.0.story = id;
        section.clone_into(&mut self.0.section);
        self
    }

    /// Why the paywall was shown.
    pub fn reason(mut self, why: BlockReason) -> Self {
        self.0.reason = reason(why);
        self
    }

    /// The experiment variant the visitor saw.
    pub fn variant(mut self, variant: &str) -> Self {
        variant.clone_into(&mut self.0.variant);
        self
    }

    /// Made by this account.
    pub fn reader(mut self, id: i64) -> Self {
        self.0.reader = Some(id);
        self
    }

    /// What the store writes.
    pub fn into_new(self) -> NewEvent {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(EventKind::parse("page_view"), None);
    }

    #[test]
    fn events_fall_on_the_publishers_day() {
        // 19:00 UTC on 27 November is 00:30 on 28 November in India.
        let at = DateTime::parse_from_rfc3339("2026-11-27T19:00:00Z").unwrap().with_timezone(&Utc);
        let event = Event::new(EventKind::PaywallShown, "ab", at, &PublisherZone::default())
            .story(7, "world")
            .reason(BlockReason::PremiumStory)
            .into_new();
        assert_eq!(event.day, "2026-11-28");
        assert_eq!((event.story, event.section.as_str(), event.reason), (7, "world", "premium_story"));
        assert_eq!(event.reader, None);
    }
}
