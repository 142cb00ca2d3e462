//! The access decision: may this reader read this story now, and why.
//!
//! One pure function, [`decide`], answers for every route that can carry story
//! text (page, API, feeds, search snippets), in two steps a caller may take
//! apart: [`off_the_meter`] answers whatever the meter cannot change, and
//! [`Meter::decide`] the rest, so the meter is read only when it matters. It
//! is given everything it needs —
//! who the reader is, what the story is, and the reader's meter for the current
//! month in the publisher's zone — and does no I/O. Storage then records a
//! metered read atomically; if another request took the last free story first,
//! the caller asks again with the fresh meter and gets `Blocked`.

use serde::Serialize;

/// A benefit a subscription (or an admin grant) gives; the seed lists eight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Benefit {
    /// Premium stories, never on the meter.
    PremiumStories,
    /// The daily e-paper replica.
    Epaper,
    /// Stories older than the archive age, back to 1997.
    Archive,
    /// Curated newsletters.
    Newsletters,
    /// The premium vertical, The Smart Investor.
    SmartInvestor,
    /// No ad slots.
    AdFree,
    /// The partner bundle (The New York Times on the seed).
    PartnerAccess,
    /// Reading on every device.
    AllDevices,
}

impl Benefit {
    /// Every benefit, in the seed's order.
    pub const ALL: [Benefit; 8] = [
        Self::PremiumStories,
        Self::PartnerAccess,
        Self::Epaper,
        Self::Newsletters,
        Self::SmartInvestor,
        Self::Archive,
        Self::AdFree,
        Self::AllDevices,
    ];

    /// The stored and JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PremiumStories => "premium_stories",
            Self::Epaper => "epaper",
            Self::Archive => "archive",
            Self::Newsletters => "newsletters",
            Self::SmartInvestor => "smart_investor",
            Self::AdFree => "ad_free",
            Self::PartnerAccess => "partner_access",
            Self::AllDevices => "all_devices",
        }
    }

    /// Reads the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == s)
    }

    /// The benefit's name as the seed's list prints it.
    pub fn title(self) -> &'static str {
        match self {
            Self::PremiumStories => "Exclusive premium stories online",
            Self::PartnerAccess => "Complimentary Access to The New York Times",
            Self::Epaper => "Epaper",
            Self::Newsletters => "Curated Newsletters",
            Self::SmartInvestor => "Market Analysis & Investment Insights",
            Self::Archive => "Archives",
            Self::AdFree => "Ad-free Reading",
            Self::AllDevices => "Seamless Access Across All Devices",
        }
    }

    /// What the benefit gives, as the seed's list says it.
    pub fn description(self) -> &'static str {
        match self {
            Self::PremiumStories => "Over 30 premium stories daily, handpicked by our editors",
            Self::PartnerAccess => "News, Games, Cooking, Audio, Wirecutter & The Athletic",
            Self::Epaper => "Digital replica of our daily newspaper — with options to read, save, and share",
            Self::Newsletters => "Insights on markets, finance, politics, tech, and more delivered to your inbox",
            Self::SmartInvestor => "In-depth market analysis & insights with access to The Smart Investor",
            Self::Archive => "Repository of articles and publications dating back to 1997",
            Self::AdFree => "Uninterrupted reading experience with no advertisements",
            Self::AllDevices => "Access across devices — mobile, tablet, or PC, via web or app",
        }
    }
}

/// Who is reading, as far as access is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader {
    /// Visitor, registered reader or staff.
    pub kind: ReaderKind,
    /// Benefits held right now (from subscriptions and grants).
    pub benefits: Vec<Benefit>,
}

/// The kinds of reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReaderKind {
    /// Not logged in; known by a browser cookie.
    Visitor,
    /// Logged in, a reader account.
    Registered,
    /// Logged in, newsroom staff: reads everything.
    Staff,
}

impl Reader {
    /// An anonymous visitor with no benefits.
    pub fn visitor() -> Self {
        Self { kind: ReaderKind::Visitor, benefits: Vec::new() }
    }

    /// Whether the reader holds a benefit now.
    pub fn has(&self, benefit: Benefit) -> bool {
        self.benefits.contains(&benefit)
    }
}

/// What the decision needs to know about a story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Story {
    /// Marked premium by an editor.
    pub premium: bool,
    /// In a premium section (The Smart Investor).
    pub premium_section: bool,
    /// Older than the archive age: readable only with [`Benefit::Archive`].
    /// The caller computes it from the story's first publication and the clock.
    pub archived: bool,
}

/// The reader's meter for the current month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meter {
    /// Distinct stories read this month.
    pub used: u32,
    /// Whether this story is one of them (re-reading is free).
    pub already_read: bool,
    /// Free stories a month.
    pub limit: u32,
}

/// The answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "lowercase")]
pub enum Access {
    /// Readable, off the meter.
    Allowed {
        /// Why.
        reason: AllowReason,
    },
    /// Readable on the meter: with this story the reader has used `used` of `limit`.
    Metered {
        /// Free stories used this month, this one included.
        used: u32,
        /// Free stories a month.
        limit: u32,
    },
    /// Not readable; the free part and the paywall panel only.
    Blocked {
        /// Why.
        reason: BlockReason,
    },
}

/// Why a story is readable off the meter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AllowReason {
    /// Newsroom staff read everything.
    Staff,
    /// A subscriber (holds the premium-stories benefit).
    Subscriber,
}

/// Why a story is withheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockReason {
    /// This month's free stories are used up.
    MeterExhausted,
    /// A premium story: subscribers only.
    PremiumStory,
    /// A story in the premium section: subscribers only.
    PremiumSection,
    /// A story older than the archive age: the archive is a subscriber benefit.
    ArchiveOnly,
}

impl Access {
    /// Whether the reader gets the whole story.
    pub fn is_readable(self) -> bool {
        !matches!(self, Self::Blocked { .. })
    }

    /// Whether granting this read adds a story to the meter.
    pub fn counts(self, meter: &Meter) -> bool {
        matches!(self, Self::Metered { .. }) && !meter.already_read
    }

    /// The reason in words, as pages show it.
    pub fn explain(self) -> String {
        match self {
            Self::Allowed { reason: AllowReason::Staff } => "Staff access".to_owned(),
            Self::Allowed { reason: AllowReason::Subscriber } => "Included in your subscription".to_owned(),
            // What is left, with this story counted: the tenth of ten is the last.
            Self::Metered { used, limit } => match limit.saturating_sub(used) {
                0 => "This is your last free story this month".to_owned(),
                1 => "1 free story left this month".to_owned(),
                left => format!("{left} free stories left this month"),
            },
            Self::Blocked { reason: BlockReason::MeterExhausted } => {
                "You have used all your free stories this month".to_owned()
            }
            Self::Blocked { reason: BlockReason::PremiumStory } => "This is a premium story for subscribers".to_owned(),
            Self::Blocked { reason: BlockReason::PremiumSection } => "The Smart Investor is for subscribers".to_owned(),
            Self::Blocked { reason: BlockReason::ArchiveOnly } => {
                "This story is in the archive, a subscriber benefit".to_owned()
            }
        }
    }
}

/// May `reader` read `story`, given their meter this month? The same answer
/// as [`off_the_meter`], and where that leaves it to the meter,
/// [`Meter::decide`].
pub fn decide(reader: &Reader, story: Story, meter: Meter) -> Access {
    off_the_meter(reader, story).unwrap_or_else(|| meter.decide())
}

/// The answer that does not depend on the meter: staff, subscribers, and
/// stories no meter opens (premium, premium-section, archived) are decided
/// here; `None` leaves a free story for a reader without the benefit to
/// their meter. A caller reads the meter only when this is `None` (or when
/// it reports the meter anyway), so a page view reads it at most once.
pub fn off_the_meter(reader: &Reader, story: Story) -> Option<Access> {
    if reader.kind == ReaderKind::Staff {
        return Some(Access::Allowed { reason: AllowReason::Staff });
    }
    // The archive is a benefit of its own: without it, age alone withholds a story.
    if story.archived && !reader.has(Benefit::Archive) {
        return Some(Access::Blocked { reason: BlockReason::ArchiveOnly });
    }
    if story.premium_section {
        return Some(if reader.has(Benefit::SmartInvestor) {
            Access::Allowed { reason: AllowReason::Subscriber }
        } else {
            Access::Blocked { reason: BlockReason::PremiumSection }
        });
    }
    if reader.has(Benefit::PremiumStories) {
        return Some(Access::Allowed { reason: AllowReason::Subscriber });
    }
    story.premium.then_some(Access::Blocked { reason: BlockReason::PremiumStory })
}

impl Meter {
    /// The answer for a story left to the meter: a re-read is free, a new
    /// story counts while some are left, and then it is withheld.
    pub fn decide(self) -> Access {
        if self.already_read {
            Access::Metered { used: self.used, limit: self.limit }
        } else if self.used < self.limit {
            Access::Metered { used: self.used + 1, limit: self.limit }
        } else {
            Access::Blocked { reason: BlockReason::MeterExhausted }
        }
    }
}

/// Whether `reader` may read the whole of `story`, the meter apart: staff
/// always; anyone a free story; a premium, premium-section or archived story
/// only with the benefit it needs. Search matches a story's whole text only
/// for readers entitled to it, and its free part for everyone else.
pub fn entitled(reader: &Reader, story: Story) -> bool {
    off_the_meter(reader, story).is_none_or(Access::is_readable)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FREE: Story = Story { premium: false, premium_section: false, archived: false };
    const PREMIUM: Story = Story { premium: true, premium_section: false, archived: false };
    const SMART_INVESTOR: Story = Story { premium: true, premium_section: true, archived: false };
    const ARCHIVED: Story = Story { premium: false, premium_section: false, archived: true };

    fn meter(used: u32, already_read: bool) -> Meter {
        Meter { used, already_read, limit: 10 }
    }

    fn subscriber() -> Reader {
        Reader { kind: ReaderKind::Registered, benefits: Benefit::ALL.to_vec() }
    }

    fn registered() -> Reader {
        Reader { kind: ReaderKind::Registered, benefits: vec![] }
    }

    #[test]
    fn the_tenth_free_story_is_metered_and_the_eleventh_blocked() {
        assert_eq!(decide(&Reader::visitor(), FREE, meter(0, false)), Access::Metered { used: 1, limit: 10 });
        assert_eq!(decide(&Reader::visitor(), FREE, meter(9, false)), Access::Metered { used: 10, limit: 10 });
        assert_eq!(
            decide(&Reader::visitor(), FREE, meter(10, false)),
            Access::Blocked { reason: BlockReason::MeterExhausted }
        );
    }

    #[test]
    fn re_reading_is_free_even_at_the_limit() {
        let access = decide(&Reader::visitor(), FREE, meter(10, true));
        assert_eq!(access, Access::Metered { used: 10, limit: 10 });
        assert!(!access.counts(&meter(10, true)));
        assert!(decide(&Reader::visitor(), FREE, meter(3, false)).counts(&meter(3, false)));
    }

    #[test]
    fn registered_readers_are_metered_like_visitors() {
        assert_eq!(decide(&registered(), FREE, meter(4, false)), Access::Metered { used: 5, limit: 10 });
    }

    #[test]
    fn premium_is_never_on_the_meter() {
        for reader in [Reader::visitor(), registered()] {
            assert_eq!(
                decide(&reader, PREMIUM, meter(0, false)),
                Access::Blocked { reason: BlockReason::PremiumStory }
            );
            assert_eq!(
                decide(&reader, SMART_INVESTOR, meter(0, true)),
                Access::Blocked { reason: BlockReason::PremiumSection }
            );
        }
    }

    #[test]
    fn subscribers_read_everything_off_the_meter() {
        for story in [FREE, PREMIUM, SMART_INVESTOR] {
            let access = decide(&subscriber(), story, meter(10, false));
            assert_eq!(access, Access::Allowed { reason: AllowReason::Subscriber });
            assert!(!access.counts(&meter(10, false)));
        }
    }

    #[test]
    fn staff_read_everything() {
        let staff = Reader { kind: ReaderKind::Staff, benefits: vec![] };
        for story in [FREE, PREMIUM, SMART_INVESTOR] {
            assert_eq!(decide(&staff, story, meter(10, false)), Access::Allowed { reason: AllowReason::Staff });
        }
    }

    #[test]
    fn archived_stories_need_the_archive_benefit() {
        let blocked = Access::Blocked { reason: BlockReason::ArchiveOnly };
        // Not on the meter either: an unspent allowance does not open the archive.
        assert_eq!(decide(&Reader::visitor(), ARCHIVED, meter(0, false)), blocked);
        assert_eq!(decide(&registered(), ARCHIVED, meter(0, true)), blocked);
        let premium_only = Reader { kind: ReaderKind::Registered, benefits: vec![Benefit::PremiumStories] };
        assert_eq!(decide(&premium_only, ARCHIVED, meter(0, false)), blocked);
        // With the benefit, a free archived story is read like any other.
        let archive_only = Reader { kind: ReaderKind::Registered, benefits: vec![Benefit::Archive] };
        assert_eq!(decide(&archive_only, ARCHIVED, meter(2, false)), Access::Metered { used: 3, limit: 10 });
        assert_eq!(
            decide(&subscriber(), ARCHIVED, meter(10, false)),
            Access::Allowed { reason: AllowReason::Subscriber }
        );
        let staff = Reader { kind: ReaderKind::Staff, benefits: vec![] };
        assert_eq!(decide(&staff, ARCHIVED, meter(10, false)), Access::Allowed { reason: AllowReason::Staff });
        assert_eq!(blocked.explain(), "This story is in the archive, a subscriber benefit");
    }

    #[test]
    fn entitlement_is_the_decision_with_an_unspent_meter() {
        assert!(entitled(&Reader::visitor(), FREE));
        for story in [PREMIUM, SMART_INVESTOR, ARCHIVED] {
            assert!(!entitled(&Reader::visitor(), story));
            assert!(entitled(&subscriber(), story));
        }
        let premium_only = Reader { kind: ReaderKind::Registered, benefits: vec![Benefit::PremiumStories] };
        assert!(entitled(&premium_only, PREMIUM) && !entitled(&premium_only, ARCHIVED));
        assert!(!entitled(&premium_only, SMART_INVESTOR));
    }

    /// Every reader (visitor, registered, staff, each benefit alone, all of
    /// them) against every kind of story: `off_the_meter` answers exactly
    /// when no meter changes the decision, and then answers as it does.
    #[test]
    fn the_meter_is_asked_only_when_it_changes_the_answer() {
        let mut readers = vec![Reader::visitor(), registered(), subscriber()];
        readers.push(Reader { kind: ReaderKind::Staff, benefits: vec![] });
        readers.extend(Benefit::ALL.map(|benefit| Reader { kind: ReaderKind::Registered, benefits: vec![benefit] }));
        let meters = [meter(0, false), meter(9, false), meter(10, false), meter(10, true)];
        for reader in &readers {
            for story in [FREE, PREMIUM, SMART_INVESTOR, ARCHIVED] {
                let answers: Vec<Access> = meters.iter().map(|&m| decide(reader, story, m)).collect();
                match off_the_meter(reader, story) {
                    Some(answer) => assert!(answers.iter().all(|&a| a == answer), "{reader:?} {story:?}"),
                    None => {
                        assert!(answers.windows(2).any(|w| w[0] != w[1]), "{reader:?} {story:?}");
                        assert!(meters.iter().zip(&answers).all(|(m, &a)| m.decide() == a));
                    }
                }
            }
        }
    }

    #[test]
    fn a_zero_limit_blocks_every_free_story() {
        let none = Meter { used: 0, already_read: false, limit: 0 };
        assert_eq!(decide(&Reader::visitor(), FREE, none), Access::Blocked { reason: BlockReason::MeterExhausted });
    }

    #[test]
    fn reasons_read_as_the_pages_show_them() {
        assert_eq!(Access::Metered { used: 1, limit: 10 }.explain(), "9 free stories left this month");
        assert_eq!(Access::Metered { used: 9, limit: 10 }.explain(), "1 free story left this month");
        assert_eq!(Access::Metered { used: 10, limit: 10 }.explain(), "This is your last free story this month");
    }

    #[test]
    fn benefits_round_trip_their_spelling() {
        for benefit in Benefit::ALL {
            assert_eq!(Benefit::parse(benefit.as_str()), Some(benefit));
        }
        assert_eq!(Benefit::parse("free_lunch"), None);
    }
}
