//! The funnel: visitors → metered readers → paywall → checkout → paid, from
//! the store's daily counts, by day, section, story or variant.
//!
//! A stage counts visitors — distinct on each day, added up over the days
//! (a visitor who reads on three days is three visitor-days), so that days
//! rolled up into counts and days still raw add up alike. "Paid" counts
//! payments, so it adds up to the payments table.
//!
//! Credit ([`CREDIT`]): a checkout belongs to the last story its visitor read
//! or was stopped at before it, and a payment to its reader's last checkout;
//! by section and by story, that is where "paid" is counted.

use std::collections::BTreeMap;

use masthead_store::{Breakdown, DayCount};
use serde::Serialize;

use crate::EventKind;
use crate::stats::{self, Difference};

/// What an experiment's variants are compared on, said wherever they are.
pub const CONVERSION: &str = "A variant's conversion is its payments over its visitors (paid of visitors, \
     visitors counted once a day); each variant is compared with its experiment's control (the first variant), \
     with a 95% interval for the difference (Newcombe's hybrid score method). An interval that leaves out 0 is \
     unlikely to be chance; visitors who come back on several days count once a day, which makes the interval \
     a little narrower than it should be.";

/// The credit rule, said wherever the funnel is shown.
pub const CREDIT: &str = "The last story before checkout gets the credit: a checkout is counted for the last story \
     its visitor read or was stopped at by the paywall, and a payment for its reader's last checkout.";

/// How the rows of a funnel are keyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum By {
    /// A row a day.
    Day,
    /// A row a section (the story's).
    Section,
    /// A row a story.
    Story,
    /// A row an experiment variant.
    Variant,
}

impl By {
    /// Every choice, as the API and the page name them.
    pub const ALL: [Self; 4] = [Self::Day, Self::Section, Self::Story, Self::Variant];

    /// The name in `?by=`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Section => "section",
            Self::Story => "story",
            Self::Variant => "variant",
        }
    }

    /// The choice `?by=` names.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|by| by.as_str() == name)
    }

    /// The store's breakdown behind it.
    pub const fn breakdown(self) -> Breakdown {
        match self {
            Self::Day => Breakdown::All,
            Self::Section => Breakdown::Section,
            Self::Story => Breakdown::Story,
            Self::Variant => Breakdown::Variant,
        }
    }
}

/// One row of the funnel.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Row {
    /// The day, section, story id or variant (`""`: none).
    pub key: String,
    /// Visitors who did anything counted.
    pub visitors: i64,
    /// Visitors who read a story on the meter.
    pub metered_readers: i64,
    /// Visitors shown the paywall.
    pub paywall: i64,
    /// Visitors who started a checkout.
    pub checkout: i64,
    /// Payments.
    pub paid: i64,
    /// Every kind's events.
    pub events: BTreeMap<&'static str, i64>,
}

/// A row's conversion rates, each stage over the one before (`None` when
/// that one is empty), and paid over visitors.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rates {
    /// Metered readers of visitors.
    pub metered: Option<f64>,
    /// Paywall of metered readers.
    pub paywall: Option<f64>,
    /// Checkout of paywall.
    pub checkout: Option<f64>,
    /// Paid of checkout.
    pub paid: Option<f64>,
    /// Paid of visitors.
    pub overall: Option<f64>,
}

fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl Row {
    fn add(&mut self, count: &DayCount) {
        if count.kind == "any" {
            self.visitors += count.visitors;
            return;
        }
        let Some(kind) = EventKind::parse(&count.kind) else { return };
        *self.events.entry(kind.as_str()).or_default() += count.events;
        match kind {
            EventKind::MeteredRead => self.metered_readers += count.visitors,
            EventKind::PaywallShown => self.paywall += count.visitors,
            EventKind::CheckoutStarted => self.checkout += count.visitors,
            EventKind::SubscriptionPaid => self.paid += count.events,
            _ => {}
        }
    }

    /// The row's conversion rates.
    pub fn rates(&self) -> Rates {
        Rates {
            metered: rate(self.metered_readers, self.visitors),
            paywall: rate(self.paywall, self.metered_readers),
            checkout: rate(self.checkout, self.paywall),
            paid: rate(self.paid, self.checkout),
            overall: rate(self.paid, self.visitors),
        }
    }

    /// A kind's events.
    pub fn events_of(&self, kind: EventKind) -> i64 {
        self.events.get(kind.as_str()).copied().unwrap_or_default()
    }
}

/// A funnel's rows and their total.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Funnel {
    /// A row a key.
    pub rows: Vec<Row>,
    /// The whole period.
    pub total: Row,
}

impl Funnel {
    /// The funnel of `counts` (the store's counts for `by`'s breakdown):
    /// by day in date order, else the rows that paid most first.
    pub fn of(by: By, counts: &[DayCount]) -> Self {
        let mut rows: BTreeMap<&str, Row> = BTreeMap::new();
        let mut total = Row::default();
        for count in counts {
            let key = if by == By::Day { &count.day } else { &count.key };
            let row = rows.entry(key).or_insert_with(|| Row { key: key.clone(), ..Row::default() });
            row.add(count);
            if by == By::Day {
                total.add(count);
            }
        }
        let mut rows: Vec<Row> = rows.into_values().collect();
        if by != By::Day {
            rows.sort_by_key(|row| std::cmp::Reverse((row.paid, row.paywall, row.visitors)));
        }
        Self { rows, total }
    }

    /// Sets the total from the counts of the whole (the `All` breakdown):
    /// by section or story, visitors are distinct per key, so the keys'
    /// rows do not add up to it.
    pub fn with_total(mut self, whole: &[DayCount]) -> Self {
        self.total = Row::default();
        for count in whole {
            self.total.add(count);
        }
        self
    }
}

impl Funnel {
    /// Each row's conversion (paid of visitors) against its control's row:
    /// `control` names the control's key for a row's key (`None`: the row
    /// is in no experiment). `None` for the control itself, a row without
    /// one, or an empty one.
    pub fn against_control(&self, control: impl Fn(&str) -> Option<String>) -> Vec<Option<Difference>> {
        self.rows
            .iter()
            .map(|row| {
                let key = control(&row.key).filter(|key| *key != row.key)?;
                let base = self.rows.iter().find(|r| r.key == key)?;
                stats::difference(row.paid, row.visitors, base.paid, base.visitors)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(day: &str, key: &str, kind: &str, events: i64, visitors: i64) -> DayCount {
        DayCount { day: day.to_owned(), key: key.to_owned(), kind: kind.to_owned(), events, visitors }
    }

    #[test]
    fn stages_count_visitors_and_paid_counts_payments() {
        let counts = [
            count("2026-11-27", "", "any", 30, 10),
            count("2026-11-27", "", "metered_read", 20, 8),
            count("2026-11-27", "", "paywall_shown", 6, 3),
            count("2026-11-27", "", "checkout_started", 2, 2),
            count("2026-11-27", "", "subscription_paid", 2, 1),
            count("2026-11-28", "", "any", 5, 4),
            count("2026-11-28", "", "metered_read", 5, 4),
        ];
        let funnel = Funnel::of(By::Day, &counts);
        assert_eq!(funnel.rows.len(), 2);
        let first = &funnel.rows[0];
        assert_eq!(
            (first.visitors, first.metered_readers, first.paywall, first.checkout, first.paid),
            (10, 8, 3, 2, 2)
        );
        assert_eq!(first.events_of(EventKind::MeteredRead), 20);
        assert_eq!((funnel.total.visitors, funnel.total.metered_readers), (14, 12));
        let rates = first.rates();
        assert_eq!((rates.metered, rates.paid, rates.overall), (Some(0.8), Some(1.0), Some(0.2)));
        assert_eq!(funnel.rows[1].rates().checkout, None, "no paywall, no checkout rate");
    }

    #[test]
    fn keyed_rows_add_up_over_days_and_the_best_payers_come_first() {
        let counts = [
            count("2026-11-27", "world", "any", 3, 3),
            count("2026-11-28", "world", "any", 2, 2),
            count("2026-11-28", "markets", "any", 2, 2),
            count("2026-11-28", "markets", "subscription_paid", 1, 1),
        ];
        let funnel = Funnel::of(By::Section, &counts).with_total(&[count("2026-11-28", "", "any", 4, 4)]);
        let keys: Vec<_> = funnel.rows.iter().map(|r| (r.key.as_str(), r.visitors, r.paid)).collect();
        assert_eq!(keys, [("markets", 2, 1), ("world", 5, 0)]);
        assert_eq!(funnel.total.visitors, 4);
    }

    #[test]
    fn variants_are_compared_with_their_control() {
        let counts = [
            count("2026-12-01", "t/ten", "any", 80, 80),
            count("2026-12-01", "t/ten", "subscription_paid", 48, 48),
            count("2026-12-01", "t/five", "any", 70, 70),
            count("2026-12-01", "t/five", "subscription_paid", 56, 56),
            count("2026-12-01", "", "any", 3, 3),
        ];
        let funnel = Funnel::of(By::Variant, &counts);
        let control = |key: &str| key.starts_with("t/").then(|| "t/ten".to_owned());
        let compared = funnel.against_control(control);
        let by_key: BTreeMap<_, _> = funnel.rows.iter().map(|r| r.key.as_str()).zip(compared).collect();
        assert_eq!(by_key["t/ten"], None, "the control");
        assert_eq!(by_key[""], None, "no experiment");
        let five = by_key["t/five"].unwrap();
        // Newcombe's example: 56/70 against 48/80.
        assert!((five.estimate - 0.2).abs() < 1e-12);
        assert_eq!((five.interval.low * 1e4).round() / 1e4, 0.0524);
    }

    #[test]
    fn choices_round_trip() {
        for by in By::ALL {
            assert_eq!(By::parse(by.as_str()), Some(by));
        }
        assert_eq!(By::parse("hour"), None);
    }
}
