//! Gift subscriptions, as pure rules: what a buyer may ask for
//! ([`GiftDraft::parse`]), how a code is typed ([`normalise_code`]), and
//! how far a redeemed gift carries the recipient's subscription
//! ([`extension`]): a plan's term, added after the paid-through date of a
//! subscription that still gives access (so it extends rather than
//! replaces), or from the redemption for a reader without one. A gift never
//! renews; refunding its payment takes it back (`crate::subscription`).

use chrono::{DateTime, Months, NaiveDate, Utc};
use thiserror::Error;

use crate::email::Email;
use crate::subscription::State;

/// The longest message a gift carries.
pub const MESSAGE_MAX: usize = 500;

/// How far ahead a gift may be delivered.
pub const DELIVER_WITHIN_DAYS: i64 = 366;

/// Why a code is not redeemed; nothing changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum GiftRefusal {
    /// No gift has this code.
    #[error("no gift has this code")]
    Unknown,
    /// Its payment has not arrived.
    #[error("this gift is not paid for yet")]
    NotPaid,
    /// Its payment was refunded.
    #[error("this gift was refunded")]
    Refunded,
    /// Someone redeemed it already.
    #[error("this gift has been redeemed already")]
    Redeemed,
}

/// A gift as a buyer asks for it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiftDraft {
    /// Who receives it.
    pub recipient: Email,
    /// The buyer's words to them (may be empty).
    pub message: String,
    /// The day the recipient is mailed (the publisher's calendar).
    pub deliver_on: NaiveDate,
}

impl GiftDraft {
    /// Checks a buyer's fields on `today` (the publisher's day): a valid
    /// address, a message of at most [`MESSAGE_MAX`] characters, a delivery
    /// day from today to [`DELIVER_WITHIN_DAYS`] ahead. Every field error at
    /// once, as (field, reason).
    pub fn parse(
        recipient_email: &str,
        message: &str,
        deliver_on: &str,
        today: NaiveDate,
    ) -> Result<Self, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let recipient = Email::parse(recipient_email).map_err(|e| errors.push(("recipient_email", e.to_string()))).ok();
        let message = message.trim().to_owned();
        if message.chars().count() > MESSAGE_MAX {
            errors.push(("message", format!("a message is at most {MESSAGE_MAX} characters")));
        }
        let day = NaiveDate::parse_from_str(deliver_on.trim(), "%Y-%m-%d").ok();
        let deliver_on = match day {
            Some(day) if day < today => {
                errors.push(("deliver_on", "the delivery day has passed".to_owned()));
                None
            }
            Some(day) if (day - today).num_days() > DELIVER_WITHIN_DAYS => {
                errors.push(("deliver_on", format!("deliver within {DELIVER_WITHIN_DAYS} days")));
                None
            }
            Some(day) => Some(day),
            None => {
                errors.push(("deliver_on", "give the delivery day as YYYY-MM-DD".to_owned()));
                None
            }
        };
        match (recipient, deliver_on) {
            (Some(recipient), Some(deliver_on)) if errors.is_empty() => Ok(Self { recipient, message, deliver_on }),
            _ => Err(errors),
        }
    }
}

/// A code as stored: capitals and digits, whatever the reader typed around
/// them (spaces, dashes, lower case).
pub fn normalise_code(typed: &str) -> String {
    typed.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

/// The term a gift of `term_months` redeemed at `at` gives: after the
/// paid-through date of a subscription that gives access now, or from `at`
/// (no subscription, or one that has lapsed or is in its grace). `None`
/// only past the calendar's end.
pub fn extension(
    current: Option<&State>,
    at: DateTime<Utc>,
    term_months: u32,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let from =
        current.filter(|s| s.has_access()).and_then(|s| s.current_period_end).filter(|end| *end > at).unwrap_or(at);
    Some((from, from.checked_add_months(Months::new(term_months))?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subscription::{Entry, Event, fold};
    use chrono::Duration;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn paid_until(until: &str) -> Vec<Entry> {
        vec![
            Entry { at: at("2026-01-10T00:00:00Z"), seq: 1, event: Event::Created { plan_id: 1 } },
            Entry {
                at: at("2026-01-10T00:00:00Z"),
                seq: 2,
                event: Event::Paid {
                    payment_id: "p".into(),
                    plan_id: 1,
                    from: at("2026-01-10T00:00:00Z"),
                    until: at(until),
                    trial: false,
                },
            },
        ]
    }

    #[test]
    fn a_gift_extends_a_subscription_that_gives_access_from_its_end() {
        let now = at("2026-02-01T00:00:00Z");
        let state = fold(&paid_until("2026-04-10T00:00:00Z"), now, Duration::days(7)).unwrap();
        assert_eq!(
            extension(Some(&state), now, 12),
            Some((at("2026-04-10T00:00:00Z"), at("2027-04-10T00:00:00Z"))),
            "added after the paid-through date, not from today"
        );
        // Cancelled but still running: extended too.
        let mut cancelled = paid_until("2026-04-10T00:00:00Z");
        cancelled.push(Entry { at: at("2026-01-20T00:00:00Z"), seq: 3, event: Event::Cancelled });
        let state = fold(&cancelled, now, Duration::days(7)).unwrap();
        assert_eq!(extension(Some(&state), now, 3).unwrap().0, at("2026-04-10T00:00:00Z"));
    }

    #[test]
    fn without_access_a_gift_starts_on_redemption() {
        let now = at("2026-05-01T00:00:00Z");
        assert_eq!(extension(None, now, 3), Some((now, at("2026-08-01T00:00:00Z"))));
        let lapsed = fold(&paid_until("2026-02-10T00:00:00Z"), now, Duration::days(7)).unwrap();
        assert_eq!(extension(Some(&lapsed), now, 3).unwrap().0, now);
        // In its grace after a failed renewal the paid term is over: the gift starts now.
        let in_grace = fold(&paid_until("2026-04-28T00:00:00Z"), now, Duration::days(7)).unwrap();
        assert!(in_grace.has_access());
        assert_eq!(extension(Some(&in_grace), now, 3).unwrap().0, now);
        // Month ends are kept as the calendar allows.
        let end_of_january = at("2027-01-31T12:00:00Z");
        assert_eq!(extension(None, end_of_january, 1).unwrap().1, at("2027-02-28T12:00:00Z"));
    }

    #[test]
    fn a_buyer_is_told_every_field_that_is_wrong() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let draft = GiftDraft::parse(" Friend@Example.com ", " Happy Diwali ", "2026-11-27", today).unwrap();
        assert_eq!((draft.recipient.as_str(), draft.message.as_str()), ("friend@example.com", "Happy Diwali"));
        let errors = GiftDraft::parse("not an address", &"x".repeat(501), "2026-11-26", today).unwrap_err();
        assert_eq!(errors.iter().map(|(f, _)| *f).collect::<Vec<_>>(), ["recipient_email", "message", "deliver_on"]);
        assert!(GiftDraft::parse("a@b.in", "", "27/11/2026", today).is_err());
        assert!(GiftDraft::parse("a@b.in", "", "2027-11-29", today).is_err(), "too far ahead");
        assert!(GiftDraft::parse("a@b.in", "", "2027-11-28", today).is_ok());
    }

    #[test]
    fn codes_are_typed_in_any_case_with_spaces_and_dashes() {
        assert_eq!(normalise_code(" gift-ab12 cd34 "), "GIFTAB12CD34");
    }
}
