//! Lenient timestamps.
//!
//! The specifications say ISO 8601 with an offset; agencies send that, and
//! also times with no offset, fractional seconds, RFC 822 dates in RSS, and
//! NITF's compact `20080219T000000+0100`. Anything without an offset is read
//! as UTC and reported, since guessing the agency's zone would be worse.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};

/// A parsed time, and whether the offset had to be assumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Parsed {
    pub at: DateTime<Utc>,
    pub assumed_utc: bool,
}

/// Reads a timestamp in any of the forms agencies use; `None` if it is not one.
pub(crate) fn parse(raw: &str) -> Option<Parsed> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    let with_offset = |dt: DateTime<FixedOffset>| Parsed { at: dt.with_timezone(&Utc), assumed_utc: false };
    let naive = |dt: NaiveDateTime| Parsed { at: dt.and_utc(), assumed_utc: true };
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(with_offset(dt));
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
        return Some(with_offset(dt));
    }
    // ISO 8601 variants: basic or extended, with or without seconds/fraction/offset.
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y%m%dT%H%M%S%z",
        "%Y%m%dT%H%M%z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(s, format) {
            return Some(with_offset(dt));
        }
    }
    if let Some(stripped) = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        for format in ["%Y%m%dT%H%M%S", "%Y-%m-%dT%H:%M"] {
            if let Ok(dt) = NaiveDateTime::parse_from_str(stripped, format) {
                return Some(with_offset(dt.and_utc().fixed_offset()));
            }
        }
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y%m%dT%H%M%S"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, format) {
            return Some(naive(dt));
        }
    }
    // A date alone (NITF `date.issue norm="20080219"`, sometimes with an
    // offset tacked on: "20080219+0100"): midnight at that offset.
    let (date_part, offset) = split_date_offset(s);
    for format in ["%Y%m%d", "%Y-%m-%d"] {
        if let Ok(date) = NaiveDate::parse_from_str(date_part, format) {
            let midnight = date.and_hms_opt(0, 0, 0)?;
            return Some(match offset {
                Some(offset) => with_offset(midnight.and_local_timezone(offset).single()?),
                None => naive(midnight),
            });
        }
    }
    None
}

fn split_date_offset(s: &str) -> (&str, Option<FixedOffset>) {
    if let Some(i) = s.rfind(['+', '-']).filter(|&i| i >= 8) {
        let (date, offset) = s.split_at(i);
        let digits: String = offset[1..].chars().filter(char::is_ascii_digit).collect();
        if digits.len() == 4 {
            let hours: i32 = digits[..2].parse().unwrap_or(0);
            let minutes: i32 = digits[2..].parse().unwrap_or(0);
            let seconds = (hours * 3600 + minutes * 60) * if offset.starts_with('-') { -1 } else { 1 };
            return (date, FixedOffset::east_opt(seconds));
        }
    }
    (s, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn offsets_are_honoured() {
        let p = parse("2018-10-21T16:25:32-05:00").unwrap();
        assert_eq!(p.at, utc("2018-10-21T21:25:32Z"));
        assert!(!p.assumed_utc);
    }

    #[test]
    fn missing_offset_is_utc_and_flagged() {
        let p = parse("2024-11-26T09:15:00.123").unwrap();
        assert_eq!(p.at, utc("2024-11-26T09:15:00.123Z"));
        assert!(p.assumed_utc);
    }

    #[test]
    fn rss_dates_and_nitf_compact_dates() {
        assert_eq!(parse("Tue, 26 Nov 2024 10:00:00 GMT").unwrap().at, utc("2024-11-26T10:00:00Z"));
        assert_eq!(parse("20080219T000000+0100").unwrap().at, utc("2008-02-18T23:00:00Z"));
        assert_eq!(parse("20080219+0100").unwrap().at, utc("2008-02-18T23:00:00Z"));
        assert_eq!(parse("20241126T101500Z").unwrap().at, utc("2024-11-26T10:15:00Z"));
        assert!(parse("20080219").unwrap().assumed_utc);
    }

    #[test]
    fn garbage_is_not_a_time() {
        assert_eq!(parse("yesterday"), None);
        assert_eq!(parse(""), None);
    }
}
