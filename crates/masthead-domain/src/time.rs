//! Publisher time: instants are UTC everywhere inside Masthead and turn into the
//! publisher's wall clock (Asia/Kolkata, "IST", for the demo) only when shown or
//! when a calendar question is asked (which day is this story from, which month
//! does the meter count).

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// The publisher's time zone and the abbreviation printed after times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublisherZone {
    tz: Tz,
    abbreviation: &'static str,
}

impl Default for PublisherZone {
    /// India Standard Time, as the seed page shows it.
    fn default() -> Self {
        Self { tz: chrono_tz::Asia::Kolkata, abbreviation: "IST" }
    }
}

impl PublisherZone {
    /// A zone with the abbreviation to print after times ("IST").
    pub fn new(tz: Tz, abbreviation: &'static str) -> Self {
        Self { tz, abbreviation }
    }

    /// The seed page's format: `Apr 13 2017 | 8:13 PM IST` — abbreviated month,
    /// two-digit day, 12-hour clock without a leading zero.
    pub fn format(&self, at: DateTime<Utc>) -> String {
        format!("{} {}", at.with_timezone(&self.tz).format("%b %d %Y | %-I:%M %p"), self.abbreviation)
    }

    /// ISO 8601 with the publisher's offset, for `<time datetime>` and feeds.
    pub fn iso(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz).to_rfc3339()
    }

    /// The publisher's calendar date of an instant.
    pub fn date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.tz).date_naive()
    }

    /// The publisher's calendar month of an instant, as `year * 100 + month`
    /// (e.g. `201704`): the key the meter counts reads under.
    pub fn month_key(&self, at: DateTime<Utc>) -> i64 {
        let date = self.date(at);
        i64::from(date.year()) * 100 + i64::from(date.month())
    }

    /// The publisher's calendar day of an instant, as `year * 10000 + month *
    /// 100 + day` (e.g. `20170430`): the key a metered read is counted under
    /// in the funnel; divided by 100 it is the [`Self::month_key`].
    pub fn day_key(&self, at: DateTime<Utc>) -> i64 {
        self.month_key(at) * 100 + i64::from(self.date(at).day())
    }

    /// The UTC instants where a publisher's calendar day starts and the next one
    /// starts: a story belongs to a day when `start <= first_published < end`.
    pub fn day_bounds(&self, day: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
        let start_of = |d: NaiveDate| {
            self.tz
                .from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight exists"))
                .earliest()
                .expect("the publisher's zone has no gap at midnight")
                .with_timezone(&Utc)
        };
        let next = day.succ_opt().unwrap_or(day);
        (start_of(day), start_of(next))
    }

    /// The publisher's wall-clock time as a UTC instant: how the seed's
    /// "Apr 13 2017 8:13 PM IST" becomes a stored value.
    pub fn instant(&self, date: NaiveDate, hour: u32, minute: u32) -> Option<DateTime<Utc>> {
        self.tz
            .from_local_datetime(&date.and_hms_opt(hour, minute, 0)?)
            .earliest()
            .map(|local| local.with_timezone(&Utc))
    }
}

/// A weekday's English name, as readers read it ("Monday"): chrono prints
/// only the abbreviation ("Mon") for a [`Weekday`].
pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn weekday_names_match_chronos_long_format() {
        let monday = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        for day in monday.iter_days().take(7) {
            assert_eq!(weekday_name(day.weekday()), day.format("%A").to_string());
        }
    }

    #[test]
    fn formats_the_seed_story_time_exactly() {
        // The seed's "Apr 13 2017 | 8:13 PM IST" is 14:43 UTC.
        let zone = PublisherZone::default();
        assert_eq!(zone.format(utc("2017-04-13T14:43:00Z")), "Apr 13 2017 | 8:13 PM IST");
    }

    #[test]
    fn instant_is_the_inverse_of_format() {
        let zone = PublisherZone::default();
        let at = zone.instant(NaiveDate::from_ymd_opt(2017, 4, 13).unwrap(), 20, 13).unwrap();
        assert_eq!(at, utc("2017-04-13T14:43:00Z"));
    }

    #[test]
    fn twelve_hour_clock_edges() {
        let zone = PublisherZone::default();
        // Midnight IST is 12 AM, noon is 12 PM, and single-digit hours have no leading zero.
        assert_eq!(zone.format(utc("2017-04-12T18:30:00Z")), "Apr 13 2017 | 12:00 AM IST");
        assert_eq!(zone.format(utc("2017-04-13T06:30:00Z")), "Apr 13 2017 | 12:00 PM IST");
        assert_eq!(zone.format(utc("2017-04-13T07:35:00Z")), "Apr 13 2017 | 1:05 PM IST");
        assert_eq!(zone.format(utc("2017-04-13T03:39:00Z")), "Apr 13 2017 | 9:09 AM IST");
        assert_eq!(zone.format(utc("2017-04-13T18:29:00Z")), "Apr 13 2017 | 11:59 PM IST");
    }

    #[test]
    fn single_digit_days_are_zero_padded() {
        let zone = PublisherZone::default();
        assert_eq!(zone.format(utc("2017-04-05T04:30:00Z")), "Apr 05 2017 | 10:00 AM IST");
    }

    #[test]
    fn the_day_turns_at_ist_midnight_not_utc_midnight() {
        let zone = PublisherZone::default();
        // 20:00 UTC on 13 April is already 14 April in India.
        let late_utc = utc("2017-04-13T20:00:00Z");
        assert_eq!(zone.date(late_utc), NaiveDate::from_ymd_opt(2017, 4, 14).unwrap());
        assert_eq!(zone.format(late_utc), "Apr 14 2017 | 1:30 AM IST");
        // 18:29:59 UTC is still the 13th; 18:30 UTC is the 14th.
        assert_eq!(zone.date(utc("2017-04-13T18:29:59Z")).day(), 13);
        assert_eq!(zone.date(utc("2017-04-13T18:30:00Z")).day(), 14);
    }

    #[test]
    fn month_key_turns_at_ist_midnight() {
        let zone = PublisherZone::default();
        assert_eq!(zone.month_key(utc("2017-04-30T18:29:59Z")), 201704);
        assert_eq!(zone.month_key(utc("2017-04-30T18:30:00Z")), 201705);
        assert_eq!(zone.month_key(utc("2016-12-31T18:30:00Z")), 201701);
    }

    #[test]
    fn day_key_turns_at_ist_midnight_and_divides_into_the_month_key() {
        let zone = PublisherZone::default();
        assert_eq!(zone.day_key(utc("2017-04-30T18:29:59Z")), 20170430);
        assert_eq!(zone.day_key(utc("2017-04-30T18:30:00Z")), 20170501);
        let at = utc("2016-12-31T18:30:00Z");
        assert_eq!(zone.day_key(at) / 100, zone.month_key(at));
    }

    #[test]
    fn day_bounds_are_ist_midnights_in_utc() {
        let zone = PublisherZone::default();
        let (start, end) = zone.day_bounds(NaiveDate::from_ymd_opt(2017, 4, 13).unwrap());
        assert_eq!(start, utc("2017-04-12T18:30:00Z"));
        assert_eq!(end, utc("2017-04-13T18:30:00Z"));
    }
}
