//! When a newsletter goes out: daily or weekly at a time of the publisher's
//! day ("daily 07:00", "weekly mon 08:00" as stored), and the slot an
//! automatic digest is due for.

use std::fmt;

use chrono::{DateTime, Datelike, Duration, NaiveTime, Timelike, Utc, Weekday};
use masthead_domain::PublisherZone;
use masthead_domain::time::weekday_name;
use thiserror::Error;

/// A newsletter's rhythm, in the publisher's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    /// Every day at this time.
    Daily(NaiveTime),
    /// Every week on this day at this time.
    Weekly(Weekday, NaiveTime),
}

/// A stored cadence that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("cadence {0:?} is not \"daily HH:MM\" or \"weekly DAY HH:MM\"")]
pub struct CadenceError(String);

impl Cadence {
    /// Reads `daily HH:MM` or `weekly mon HH:MM`.
    pub fn parse(stored: &str) -> Result<Self, CadenceError> {
        let refused = || CadenceError(stored.to_owned());
        let words: Vec<&str> = stored.split_whitespace().collect();
        let time = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").map_err(|_| refused());
        match words.as_slice() {
            ["daily", at] => Ok(Self::Daily(time(at)?)),
            ["weekly", day, at] => Ok(Self::Weekly(day.parse().map_err(|_| refused())?, time(at)?)),
            _ => Err(refused()),
        }
    }

    /// How readers are told, e.g. "Daily at 7:00 AM IST".
    pub fn describe(&self, zone: &PublisherZone) -> String {
        // The zone's abbreviation is what its formatting ends with.
        let label = zone.format(DateTime::UNIX_EPOCH).rsplit(' ').next().unwrap_or_default().to_owned();
        let clock = |at: &NaiveTime| format!("{} {label}", at.format("%-I:%M %p"));
        match self {
            Self::Daily(at) => format!("Daily at {}", clock(at)),
            Self::Weekly(day, at) => format!("Weekly on {}s at {}", weekday_name(*day), clock(at)),
        }
    }

    /// The latest slot at or before `now`: when the issue for "now" was due.
    pub fn latest_slot(&self, now: DateTime<Utc>, zone: &PublisherZone) -> Option<DateTime<Utc>> {
        let today = zone.date(now);
        (0..8).filter_map(|back| today.checked_sub_signed(Duration::days(back))).find_map(|day| {
            let at = match self {
                Self::Daily(at) => *at,
                Self::Weekly(weekday, at) if day.weekday() == *weekday => *at,
                Self::Weekly(..) => return None,
            };
            zone.instant(day, at.hour(), at.minute()).filter(|slot| *slot <= now)
        })
    }

    /// The time between two issues.
    pub fn period(&self) -> Duration {
        match self {
            Self::Daily(_) => Duration::days(1),
            Self::Weekly(..) => Duration::weeks(1),
        }
    }
}

impl fmt::Display for Cadence {
    /// The stored spelling.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Daily(at) => write!(f, "daily {}", at.format("%H:%M")),
            Self::Weekly(day, at) => write!(f, "weekly {} {}", day.to_string().to_lowercase(), at.format("%H:%M")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn cadences_read_and_print_back() {
        for stored in ["daily 07:00", "weekly mon 08:30", "weekly sun 19:05"] {
            assert_eq!(Cadence::parse(stored).unwrap().to_string(), stored);
        }
        for bad in ["", "daily", "daily 25:00", "weekly 08:00", "weekly funday 08:00", "hourly 07:00"] {
            assert!(Cadence::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn descriptions_are_in_the_publishers_time() {
        let zone = PublisherZone::default();
        assert_eq!(Cadence::parse("daily 07:00").unwrap().describe(&zone), "Daily at 7:00 AM IST");
        assert_eq!(Cadence::parse("weekly mon 18:30").unwrap().describe(&zone), "Weekly on Mondays at 6:30 PM IST");
    }

    #[test]
    fn the_latest_slot_is_the_last_due_time_in_ist() {
        let zone = PublisherZone::default();
        let daily = Cadence::parse("daily 07:00").unwrap();
        // 07:00 IST is 01:30 UTC.
        assert_eq!(daily.latest_slot(utc("2026-11-27T01:30:00Z"), &zone), Some(utc("2026-11-27T01:30:00Z")));
        assert_eq!(daily.latest_slot(utc("2026-11-27T01:29:59Z"), &zone), Some(utc("2026-11-26T01:30:00Z")));
        // 27 November 2026 is a Friday.
        let weekly = Cadence::parse("weekly mon 08:00").unwrap();
        assert_eq!(weekly.latest_slot(utc("2026-11-27T12:00:00Z"), &zone), Some(utc("2026-11-23T02:30:00Z")));
        assert_eq!(weekly.period(), Duration::weeks(1));
    }
}
