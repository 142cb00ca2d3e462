//! When each story goes out: `total` stories spread over every publishing
//! minute from 1 January 1997 to today, in order, at 06:00–23:30 publisher
//! time.
//!
//! The archive's publishing minutes are numbered as one line ("slots"). Story
//! `i` gets slot `⌊(i + jᵢ) · slots / total⌋`, where `jᵢ ∈ [0, 1)` is its own
//! random jitter: the slots never decrease with `i`, so stories come out in
//! chronological order without sorting, and any story's time can be computed
//! on its own. The seed story replaces the story whose share of the line holds
//! the seed's own slot, which keeps the order intact around it.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeDelta, Utc};
use masthead_domain::PublisherZone;

use crate::rng::Rng;

/// The first day of the archive.
pub const ARCHIVE_START: NaiveDate = NaiveDate::from_ymd_opt(1997, 1, 1).expect("a valid date");
/// The seed story's day.
pub const SEED_DATE: NaiveDate = NaiveDate::from_ymd_opt(2017, 4, 13).expect("a valid date");
/// The seed story's publisher-local time, 20:13, in minutes after midnight.
pub const SEED_MINUTE: u32 = 20 * 60 + 13;

/// The first publishing minute of a day (06:00).
const FIRST_MINUTE: u32 = 6 * 60;
/// Publishing minutes in a day (06:00 to 23:29).
const MINUTES_A_DAY: u64 = 17 * 60 + 30;
/// Per cent of stories updated after they first went out.
const UPDATED_SHARE: usize = 25;
/// Keeps the timing stream apart from the text stream of the same story.
const TIME_SALT: u64 = 0x7469_6D65_6C69_6E65;

/// The archive's calendar.
#[derive(Debug, Clone)]
pub struct Timeline {
    total: u64,
    days: u64,
    today: NaiveDate,
    /// The last minute of today, which no update goes beyond.
    last_minute: DateTime<Utc>,
    zone: PublisherZone,
}

impl Timeline {
    /// `total` stories up to `today`; a `today` before 1997 leaves the
    /// archive one day long.
    pub fn new(total: u64, today: NaiveDate, zone: PublisherZone) -> Self {
        let days = u64::try_from((today - ARCHIVE_START).num_days() + 1).unwrap_or(1).max(1);
        Self { total, days, today, last_minute: zone.day_bounds(today).1 - TimeDelta::minutes(1), zone }
    }

    /// How many stories the archive holds.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The publisher's zone.
    pub fn zone(&self) -> PublisherZone {
        self.zone
    }

    fn slots(&self) -> u64 {
        self.days * MINUTES_A_DAY
    }

    /// Story `index`'s slot.
    fn slot(&self, index: u64) -> u64 {
        let jitter = u128::from(Rng::for_story(index, TIME_SALT).next_u64() >> 32);
        let position = (u128::from(index) << 32) | jitter;
        let slot = position * u128::from(self.slots()) / (u128::from(self.total) << 32);
        u64::try_from(slot).unwrap_or(u64::MAX)
    }

    /// The index of the story the seed story replaces, if the archive reaches
    /// its day.
    pub fn seed_index(&self) -> Option<u64> {
        if self.total == 0 || self.today < SEED_DATE {
            return None;
        }
        let day = u64::try_from((SEED_DATE - ARCHIVE_START).num_days()).ok()?;
        let seed_slot = day * MINUTES_A_DAY + u64::from(SEED_MINUTE - FIRST_MINUTE);
        let index = u128::from(seed_slot) * u128::from(self.total) / u128::from(self.slots());
        u64::try_from(index).ok()
    }

    /// Story `index`'s publisher-calendar date and its first-published instant.
    pub fn published(&self, index: u64) -> (NaiveDate, DateTime<Utc>) {
        let slot = self.slot(index);
        let date = ARCHIVE_START.checked_add_days(Days::new(slot / MINUTES_A_DAY)).unwrap_or(self.today);
        let minute = FIRST_MINUTE + (slot % MINUTES_A_DAY) as u32;
        (date, local_instant(self.zone, date, minute))
    }

    /// Story `index`'s last update: a quarter of stories are updated 5
    /// minutes to 8 hours after they went out, never beyond the end of today.
    pub fn updated(&self, index: u64, first_published: DateTime<Utc>) -> DateTime<Utc> {
        let mut rng = Rng::for_story(index, TIME_SALT);
        rng.next_u64(); // the jitter's draw
        if !rng.percent(UPDATED_SHARE) {
            return first_published;
        }
        let later = first_published + TimeDelta::minutes(rng.between(5, 8 * 60) as i64);
        later.min(self.last_minute).max(first_published)
    }
}

/// A publisher-local minute of the day as an instant. Publishing hours avoid
/// the small hours when clocks change, but should a zone skip that local
/// minute, the next hour is used, and UTC as a last resort.
pub fn local_instant(zone: PublisherZone, date: NaiveDate, minute: u32) -> DateTime<Utc> {
    let (hour, minute) = (minute / 60, minute % 60);
    zone.instant(date, hour, minute).or_else(|| zone.instant(date, hour + 1, minute)).unwrap_or_else(|| {
        let time = NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN);
        date.and_time(time).and_utc()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn slots_never_decrease_and_cover_the_whole_span() {
        let timeline = Timeline::new(50_000, day(2025, 6, 30), PublisherZone::default());
        let slots: Vec<_> = (0..50_000).map(|i| timeline.slot(i)).collect();
        assert!(slots.windows(2).all(|w| w[0] <= w[1]));
        assert!(slots[0] < MINUTES_A_DAY * 2);
        assert!(*slots.last().unwrap() < timeline.slots());
        assert!(*slots.last().unwrap() >= timeline.slots() - MINUTES_A_DAY * 2);
    }

    #[test]
    fn the_seed_slot_falls_between_its_neighbours() {
        let zone = PublisherZone::default();
        for total in [1, 2, 3, 10, 977, 10_000, 3_000_000] {
            let timeline = Timeline::new(total, day(2025, 6, 30), zone);
            let seed = timeline.seed_index().unwrap();
            assert!(seed < total);
            let seed_at = zone.instant(SEED_DATE, 20, 13).unwrap();
            if seed > 0 {
                assert!(timeline.published(seed - 1).1 <= seed_at, "{total}");
            }
            if seed + 1 < total {
                assert!(timeline.published(seed + 1).1 >= seed_at, "{total}");
            }
        }
    }

    #[test]
    fn no_seed_before_its_day_or_in_an_empty_archive() {
        let zone = PublisherZone::default();
        assert_eq!(Timeline::new(100, day(2017, 4, 12), zone).seed_index(), None);
        assert_eq!(Timeline::new(0, day(2025, 1, 1), zone).seed_index(), None);
        assert_eq!(Timeline::new(1, SEED_DATE, zone).seed_index(), Some(0));
    }

    #[test]
    fn an_archive_ending_before_1997_is_one_day_long() {
        let timeline = Timeline::new(10, day(1990, 1, 1), PublisherZone::default());
        assert!((0..10).all(|i| timeline.published(i).0 == ARCHIVE_START));
    }
}
