//! Refunds and their GST credit notes, as pure rules.
//!
//! An admin refunds a payment, whole or in part, and chooses what becomes of
//! the access it paid for ([`AccessChoice`]): it ends now, ends on a chosen
//! day, or is kept (a goodwill refund). The refund is checked against what
//! is left of the payment ([`check`]: the refunds of one payment never add
//! up to more than it), and each refund that goes through issues a credit
//! note whose GST split is that of the refunded amount, on the invoice's
//! side of the state line ([`credit_split`]). The credit notes of one
//! invoice add up, part by part, to the invoice itself once it is refunded
//! in full: each note is the difference between the split of everything
//! refunded so far and the split of what was refunded before it.

use chrono::{DateTime, NaiveDate, Utc};
use thiserror::Error;

use crate::money::Paise;
use crate::tax::GstSplit;
use crate::time::PublisherZone;

/// What becomes of the access a refunded payment paid for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessChoice {
    /// Access ends when the refund goes through.
    EndNow,
    /// Access ends at this instant (earlier than the paid term's end).
    EndOn(DateTime<Utc>),
    /// Access runs on as paid.
    Keep,
}

impl AccessChoice {
    /// Reads an admin's choice: `end_now`, `keep`, or `end_on` with a day
    /// (`YYYY-MM-DD`, access ending at that day's start in the publisher's
    /// calendar).
    pub fn parse(choice: &str, day: &str, zone: &PublisherZone) -> Result<Self, RefundRefusal> {
        match choice {
            "end_now" => Ok(Self::EndNow),
            "keep" => Ok(Self::Keep),
            "end_on" => {
                let day = NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d").map_err(|_| RefundRefusal::BadDay)?;
                Ok(Self::EndOn(zone.day_bounds(day).0))
            }
            _ => Err(RefundRefusal::BadChoice),
        }
    }

    /// The instant access ends for a refund going through at `at`: `None`
    /// when it is kept. A day later than `at` stays; one before is now.
    pub fn access_until(self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Self::EndNow => Some(at),
            Self::EndOn(until) => Some(until.max(at)),
            Self::Keep => None,
        }
    }

    /// The choice as stored with a refund waiting for its provider.
    pub fn as_stored(self) -> (&'static str, Option<DateTime<Utc>>) {
        match self {
            Self::EndNow => ("end_now", None),
            Self::EndOn(until) => ("end_on", Some(until)),
            Self::Keep => ("keep", None),
        }
    }

    /// Reads [`Self::as_stored`] back.
    pub fn from_stored(kind: &str, until: Option<DateTime<Utc>>) -> Option<Self> {
        match (kind, until) {
            ("end_now", _) => Some(Self::EndNow),
            ("end_on", Some(until)) => Some(Self::EndOn(until)),
            ("keep", _) => Some(Self::Keep),
            _ => None,
        }
    }
}

/// Why a refund is refused; nothing is stored or asked of a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum RefundRefusal {
    /// Not a positive amount of rupees and paise.
    #[error("give the amount to refund in rupees, more than zero (450 or 450.50)")]
    BadAmount,
    /// More than is left of the payment.
    #[error("that is more than is left to refund of this payment ({left})")]
    TooMuch {
        /// What is left.
        left: Paise,
    },
    /// Not one of the three choices.
    #[error("choose whether access ends now, on a day, or is kept")]
    BadChoice,
    /// The day to end access on is not a date.
    #[error("give the day access ends as YYYY-MM-DD")]
    BadDay,
    /// The payment issued no invoice (held for review, or a free trial).
    #[error("this payment has no invoice to credit: settle it with the provider")]
    NotInvoiced,
}

/// Reads an amount typed in rupees (`450`, `450.5`, `450.50`, `₹1,200`) as paise.
pub fn parse_rupees(typed: &str) -> Result<Paise, RefundRefusal> {
    let cleaned: String = typed.trim().trim_start_matches('₹').chars().filter(|c| *c != ',').collect();
    let (rupees, paise) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(rupees) || !(paise.is_empty() || (digits(paise) && paise.len() <= 2)) || rupees.len() > 12 {
        return Err(RefundRefusal::BadAmount);
    }
    let rupees: i64 = rupees.parse().map_err(|_| RefundRefusal::BadAmount)?;
    let paise: i64 =
        if paise.is_empty() { 0 } else { format!("{paise:0<2}").parse().map_err(|_| RefundRefusal::BadAmount)? };
    let amount = Paise(rupees * 100 + paise);
    if amount.0 <= 0 {
        return Err(RefundRefusal::BadAmount);
    }
    Ok(amount)
}

/// Whether `asked` may be refunded of a payment of `paid` of which
/// `refunded` is refunded (or asked for) already: more than nothing, and
/// never more than is left.
pub fn check(paid: Paise, refunded: Paise, asked: Paise) -> Result<(), RefundRefusal> {
    if asked.0 <= 0 {
        return Err(RefundRefusal::BadAmount);
    }
    let left = Paise((paid.0 - refunded.0).max(0));
    if asked > left {
        return Err(RefundRefusal::TooMuch { left });
    }
    Ok(())
}

/// The GST split of a credit note for `refund` of an invoice of `paid`
/// split as `invoice`, when `before` was credited already; `same_state`
/// as the invoice had it (CGST + SGST, or IGST). Refused past what is left.
pub fn credit_split(
    paid: Paise,
    invoice: GstSplit,
    same_state: bool,
    before: Paise,
    refund: Paise,
) -> Result<GstSplit, RefundRefusal> {
    check(paid, before, refund)?;
    // The split of everything credited up to some amount: the invoice's own
    // once all of it is; every part of it only grows with the amount.
    let upto = |amount: Paise| if amount == paid { invoice } else { GstSplit::of(amount, same_state) };
    let (after, earlier) = (upto(Paise(before.0 + refund.0)), upto(before));
    let minus = |a: Paise, b: Paise| Paise(a.0 - b.0);
    Ok(GstSplit {
        taxable: minus(after.taxable, earlier.taxable),
        cgst: minus(after.cgst, earlier.cgst),
        sgst: minus(after.sgst, earlier.sgst),
        igst: minus(after.igst, earlier.igst),
    })
}

/// A credit note's number: its own series per financial year, apart from
/// the invoices' (`CN/2026-27/000001`).
pub fn credit_note_number(prefix: &str, start_year: i32, sequence: u64) -> String {
    crate::tax::invoice_number(prefix, start_year, sequence)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_whole_refund_credits_the_invoice_exactly() {
        // ₹2,700 within the state: ₹2,288.14 + ₹205.93 + ₹205.93.
        let invoice = GstSplit::of(Paise(270_000), true);
        let note = credit_split(Paise(270_000), invoice, true, Paise(0), Paise(270_000)).unwrap();
        assert_eq!(note, invoice);
        assert_eq!(
            (note.taxable, note.cgst, note.sgst, note.igst),
            (Paise(228_814), Paise(20_593), Paise(20_593), Paise(0))
        );
        // Across states: IGST only, as the invoice had it.
        let igst = GstSplit::of(Paise(90_000), false);
        let note = credit_split(Paise(90_000), igst, false, Paise(0), Paise(90_000)).unwrap();
        assert_eq!((note.cgst, note.sgst, note.igst), (Paise(0), Paise(0), Paise(13_729)));
    }

    #[test]
    fn a_part_refund_splits_its_own_amount() {
        // ₹1,000 of ₹2,700: ₹847.46 taxable, ₹152.54 of tax, ₹76.27 each.
        let invoice = GstSplit::of(Paise(270_000), true);
        let note = credit_split(Paise(270_000), invoice, true, Paise(0), Paise(100_000)).unwrap();
        assert_eq!((note.taxable, note.cgst, note.sgst), (Paise(84_746), Paise(7_627), Paise(7_627)));
        assert_eq!(note.taxable.0 + note.tax().0, 100_000);
    }

    #[test]
    fn part_refunds_add_up_to_the_invoice_to_the_paisa() {
        for (paid, same_state) in [(270_000, true), (90_000, true), (202_500, false), (390_001, true), (7, true)] {
            let paid = Paise(paid);
            let invoice = GstSplit::of(paid, same_state);
            // Odd parts: thirds, a paisa, then the rest.
            let parts = [paid.0 / 3, 1, paid.0 / 3, paid.0 - 2 * (paid.0 / 3) - 1].map(Paise);
            let mut before = Paise(0);
            let mut sum = GstSplit { taxable: Paise(0), cgst: Paise(0), sgst: Paise(0), igst: Paise(0) };
            for part in parts.into_iter().filter(|p| p.0 > 0) {
                let note = credit_split(paid, invoice, same_state, before, part).unwrap();
                assert_eq!(note.taxable.0 + note.tax().0, part.0, "{paid:?} {part:?}");
                assert!(note.taxable.0 >= 0 && note.cgst.0 >= 0 && note.sgst.0 >= 0 && note.igst.0 >= 0);
                sum.taxable.0 += note.taxable.0;
                sum.cgst.0 += note.cgst.0;
                sum.sgst.0 += note.sgst.0;
                sum.igst.0 += note.igst.0;
                before.0 += part.0;
            }
            assert_eq!(sum, invoice, "{paid:?}");
        }
    }

    #[test]
    fn refunds_never_add_up_to_more_than_was_paid() {
        let paid = Paise(90_000);
        assert_eq!(check(paid, Paise(0), Paise(90_000)), Ok(()));
        assert_eq!(check(paid, Paise(40_000), Paise(50_000)), Ok(()));
        assert_eq!(check(paid, Paise(40_000), Paise(50_001)), Err(RefundRefusal::TooMuch { left: Paise(50_000) }));
        assert_eq!(check(paid, Paise(90_000), Paise(1)), Err(RefundRefusal::TooMuch { left: Paise(0) }));
        assert_eq!(check(paid, Paise(0), Paise(0)), Err(RefundRefusal::BadAmount));
        assert_eq!(check(paid, Paise(0), Paise(-5)), Err(RefundRefusal::BadAmount));
        let invoice = GstSplit::of(paid, true);
        assert!(credit_split(paid, invoice, true, Paise(90_000), Paise(1)).is_err());
    }

    #[test]
    fn amounts_are_typed_in_rupees() {
        assert_eq!(parse_rupees("450"), Ok(Paise(45_000)));
        assert_eq!(parse_rupees(" 450.5 "), Ok(Paise(45_050)));
        assert_eq!(parse_rupees("₹1,200.05"), Ok(Paise(120_005)));
        for bad in ["", "0", "0.00", "-5", "4.505", "abc", "1e3", ".5", "12345678901234"] {
            assert_eq!(parse_rupees(bad), Err(RefundRefusal::BadAmount), "{bad:?}");
        }
    }

    #[test]
    fn access_ends_now_on_a_day_or_is_kept() {
        let zone = PublisherZone::default();
        let now = at("2026-12-01T06:30:00Z");
        assert_eq!(AccessChoice::parse("end_now", "", &zone).unwrap().access_until(now), Some(now));
        assert_eq!(AccessChoice::parse("keep", "", &zone).unwrap().access_until(now), None);
        let on = AccessChoice::parse("end_on", "2026-12-15", &zone).unwrap();
        // The day starts at midnight in India (18:30 UTC the day before).
        assert_eq!(on.access_until(now), Some(at("2026-12-14T18:30:00Z")));
        assert_eq!(on.access_until(at("2027-01-01T00:00:00Z")), Some(at("2027-01-01T00:00:00Z")), "never in the past");
        assert_eq!(AccessChoice::parse("end_on", "15/12/2026", &zone), Err(RefundRefusal::BadDay));
        assert_eq!(AccessChoice::parse("later", "", &zone), Err(RefundRefusal::BadChoice));
        for choice in [AccessChoice::EndNow, on, AccessChoice::Keep] {
            let (kind, until) = choice.as_stored();
            assert_eq!(AccessChoice::from_stored(kind, until), Some(choice));
        }
    }

    #[test]
    fn credit_notes_have_their_own_series() {
        assert_eq!(credit_note_number("CN", 2026, 7), "CN/2026-27/000007");
    }
}
