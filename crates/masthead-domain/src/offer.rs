//! Offers: a percentage or a fixed amount off chosen plans (for the first
//! term or every term), or a free or paid trial of some days; valid between
//! two days, optionally capped, redeemed by code (`MONSOON25`, or a random
//! one for links). Here are the rules as pure functions: what an admin may
//! save ([`OfferDraft::parse`]), whether an offer applies to a plan now
//! ([`Offer::check`]), and what the next payment of a subscription costs and
//! covers ([`next_charge`], and [`charge_due`] with a retention offer
//! accepted at cancellation). The cap and "once per reader" are decided by
//! the store, in the transaction that redeems.

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::Serialize;
use thiserror::Error;

use crate::money::Paise;
use crate::plan::Plan;
use crate::subscription::State;
use crate::time::PublisherZone;

/// What an offer gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OfferKind {
    /// Whole percent off, 1 to 99.
    Percent {
        /// The percentage.
        percent: u32,
    },
    /// A fixed amount off, GST included; less than the plan's price.
    Fixed {
        /// The amount off.
        off: Paise,
    },
    /// The first `days` for `price` (zero: free), then the plan's price.
    Trial {
        /// How long the trial runs.
        days: u32,
        /// What the trial costs, GST included.
        price: Paise,
    },
}

/// An offer as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Offer {
    /// Its id.
    pub id: i64,
    /// What readers type or follow a link with, in capitals.
    pub code: String,
    /// What the plans page calls it ("Monsoon sale").
    pub name: String,
    /// The discount or the trial.
    pub kind: OfferKind,
    /// A discount on every term, not only the first (trials: always the first).
    pub forever: bool,
    /// The plans it is for.
    pub plan_ids: Vec<i64>,
    /// Redeemable from this instant…
    pub valid_from: DateTime<Utc>,
    /// …until this one (exclusive).
    pub valid_until: DateTime<Utc>,
    /// At most this many redemptions, when set.
    pub cap: Option<u32>,
    /// Redemptions so far.
    pub redeemed: u32,
}

/// Why an offer is not applied; nothing is stored when one is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferRefusal {
    /// No offer has this code.
    #[error("no offer has this code")]
    Unknown,
    /// Before its first day.
    #[error("this offer has not started yet")]
    NotYet,
    /// After its last day.
    #[error("this offer has expired")]
    Expired,
    /// Its cap is reached.
    #[error("this offer has been fully redeemed")]
    Exhausted,
    /// Not for the plan chosen.
    #[error("this offer is not for the plan chosen")]
    WrongPlan,
    /// This reader redeemed it before.
    #[error("you have already used this offer")]
    AlreadyUsed,
}

impl OfferRefusal {
    /// The reason as a word, for the API's problems.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::NotYet => "not_yet",
            Self::Expired => "expired",
            Self::Exhausted => "exhausted",
            Self::WrongPlan => "wrong_plan",
            Self::AlreadyUsed => "already_used",
        }
    }
}

impl Offer {
    /// Whether the offer may be redeemed on `plan` at `now` (the cap and
    /// earlier redemptions are the store's to check, atomically: see
    /// [`Self::exhausted`] for what a page may say before). A fixed amount
    /// off a plan it would make free is the wrong plan.
    pub fn check(&self, plan: &Plan, now: DateTime<Utc>) -> Result<(), OfferRefusal> {
        if now < self.valid_from {
            return Err(OfferRefusal::NotYet);
        }
        if now >= self.valid_until {
            return Err(OfferRefusal::Expired);
        }
        let fits = match self.kind {
            OfferKind::Fixed { off } => off < plan.price,
            OfferKind::Percent { .. } | OfferKind::Trial { .. } => true,
        };
        if !self.plan_ids.contains(&plan.id) || !fits {
            return Err(OfferRefusal::WrongPlan);
        }
        Ok(())
    }

    /// "25% off the first term", "₹500 off every term", "14 days free", "7 days for ₹10".
    pub fn describe(&self) -> String {
        let terms = if self.forever { "every term" } else { "the first term" };
        match self.kind {
            OfferKind::Percent { percent } => format!("{percent}% off {terms}"),
            OfferKind::Fixed { off } => format!("{off} off {terms}"),
            OfferKind::Trial { days, price } if price.0 == 0 => format!("{days} days free"),
            OfferKind::Trial { days, price } => format!("{days} days for {price}"),
        }
    }

    /// Whether its cap was reached when it was read.
    pub fn exhausted(&self) -> bool {
        self.cap.is_some_and(|cap| self.redeemed >= cap)
    }

    /// Whether it is a trial.
    pub fn is_trial(&self) -> bool {
        matches!(self.kind, OfferKind::Trial { .. })
    }
}

/// `price` with `percent` off, to the nearest paisa (half a paisa up).
pub fn percent_off(price: Paise, percent: u32) -> Paise {
    let kept = i128::from(price.0) * i128::from(100 - percent.min(100));
    Paise(i64::try_from((kept + 50) / 100).expect("smaller than the price"))
}

/// How long a payment's term runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Length {
    /// A plan's term.
    Months(u32),
    /// A trial.
    Days(u32),
}

/// What the next payment of a subscription costs and covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Charge {
    /// The plan it pays for.
    pub plan_id: i64,
    /// What is due, GST included.
    pub amount: Paise,
    /// The plan's own price: `amount` before the offer.
    pub list_price: Paise,
    /// How long it covers.
    pub length: Length,
    /// Whether it pays for a trial.
    pub trial: bool,
}

impl Charge {
    /// The end of the term it pays for, when it starts at `from`.
    pub fn until(&self, from: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self.length {
            Length::Months(months) => from.checked_add_months(Months::new(months)),
            Length::Days(days) => from.checked_add_signed(chrono::Duration::days(i64::from(days))),
        }
    }

    /// The charge for `seats` seats of a group (`crate::group`): the plan's
    /// price once per seat (groups redeem no offers).
    pub fn seats(self, seats: u32) -> Self {
        let times = |p: Paise| Paise(p.0 * i64::from(seats.max(1)));
        Self { amount: times(self.amount), list_price: times(self.list_price), ..self }
    }

    /// Whether the offer lowered it.
    pub fn discounted(&self) -> bool {
        self.amount != self.list_price || self.trial
    }
}

/// The next payment of a subscription on `plan` (the plan it renews on)
/// with `offer` (the one it redeemed, if any), given its state (none
/// before anything was paid). A trial is the first payment only; a
/// discount, the first paid term, or every term when `forever`; neither on
/// a plan the offer is not for (after a switch).
pub fn next_charge(plan: &Plan, offer: Option<&Offer>, state: Option<&State>) -> Charge {
    let full = Charge {
        plan_id: plan.id,
        amount: plan.price,
        list_price: plan.price,
        length: Length::Months(plan.term_months),
        trial: false,
    };
    let Some(offer) = offer.filter(|o| o.plan_ids.contains(&plan.id)) else { return full };
    let first = state.is_none_or(|s| s.current_period_end.is_none());
    let paid_terms = state.map_or(0, |s| s.paid_terms);
    match offer.kind {
        OfferKind::Trial { days, price } if first => {
            Charge { amount: price, length: Length::Days(days), trial: true, ..full }
        }
        OfferKind::Trial { .. } => full,
        _ if paid_terms > 0 && !offer.forever => full,
        OfferKind::Percent { .. } | OfferKind::Fixed { .. } => discounted(full, offer.kind),
    }
}

/// `full` less what a discount `kind` takes off (a trial takes nothing off).
fn discounted(full: Charge, kind: OfferKind) -> Charge {
    match kind {
        OfferKind::Percent { percent } => Charge { amount: percent_off(full.list_price, percent), ..full },
        OfferKind::Fixed { off } => Charge { amount: Paise((full.list_price.0 - off.0).max(0)), ..full },
        OfferKind::Trial { .. } => full,
    }
}

/// The next payment of a subscription (as [`next_charge`]) and the offer
/// that priced it, if any: the retention offer it accepted (`retention`, the
/// offer of `state.retention`) prices the first term paid after accepting,
/// or every one when it is forever, on the plans it is for; otherwise the
/// offer it redeemed (`redeemed`) prices it as [`next_charge`] says.
pub fn charge_due<'a>(
    plan: &Plan,
    redeemed: Option<&'a Offer>,
    retention: Option<&'a Offer>,
    state: Option<&State>,
) -> (Charge, Option<&'a Offer>) {
    let kept = state.and_then(|s| s.retention.map(|r| (s, r)));
    if let (Some((state, accepted)), Some(offer)) = (kept, retention) {
        let applies = offer.id == accepted.offer_id
            && offer.plan_ids.contains(&plan.id)
            && !offer.is_trial()
            && (offer.forever || state.paid_terms == accepted.after_terms);
        if applies {
            let full = next_charge(plan, None, Some(state));
            return (discounted(full, offer.kind), Some(offer));
        }
    }
    let charge = next_charge(plan, redeemed, state);
    (charge, redeemed.filter(|_| charge.discounted()))
}

/// The longest trial (a year).
pub const MAX_TRIAL_DAYS: u32 = 366;

/// An offer as an admin submits it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferDraft {
    /// 1 to 80 characters.
    pub name: String,
    /// 3 to 32 capital letters, digits, `-` or `_`.
    pub code: String,
    /// The discount or the trial.
    pub kind: OfferKind,
    /// Every term, not only the first.
    pub forever: bool,
    /// At least one.
    pub plan_ids: Vec<i64>,
    /// From the start of the first day in the publisher's calendar…
    pub valid_from: DateTime<Utc>,
    /// …to the end of the last day.
    pub valid_until: DateTime<Utc>,
    /// Positive, when set.
    pub cap: Option<u32>,
}

/// Why an offer cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OfferError {
    /// Empty or too long a name.
    #[error("an offer needs a name of 1 to 80 characters")]
    Name,
    /// A code with other characters, too short or too long.
    #[error("a code has 3 to 32 letters, digits, - or _ (MONSOON25)")]
    Code,
    /// Not percent, fixed or trial, or an amount out of range.
    #[error(
        "choose a percentage (1 to 99), a fixed amount off in paise (above zero), or a trial of 1 to {MAX_TRIAL_DAYS} \
         days with its price in paise (0 for free)"
    )]
    Kind,
    /// No plan chosen.
    #[error("choose at least one plan")]
    NoPlans,
    /// Dates that are not dates, or in the wrong order.
    #[error("give the first and last day (YYYY-MM-DD), the last not before the first")]
    Dates,
    /// A cap that is not a positive whole number.
    #[error("the cap is a whole number above zero, or empty for no cap")]
    Cap,
}

/// The fields of an admin's offer form, as typed.
#[derive(Debug, Clone, Default)]
pub struct OfferFields<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its code; empty makes a random one (`random`).
    pub code: &'a str,
    /// `percent`, `fixed` or `trial`.
    pub kind: &'a str,
    /// The percentage, the paise off, or the trial's price in paise.
    pub amount: &'a str,
    /// The trial's days.
    pub trial_days: &'a str,
    /// Every term.
    pub forever: bool,
    /// The plans chosen.
    pub plan_ids: &'a [i64],
    /// `YYYY-MM-DD`.
    pub valid_from: &'a str,
    /// `YYYY-MM-DD`, inclusive.
    pub valid_until: &'a str,
    /// Empty for no cap.
    pub cap: &'a str,
}

impl OfferDraft {
    /// Checks the fields an admin typed; days are the publisher's. `random`
    /// is the code used when none is typed.
    pub fn parse(fields: &OfferFields<'_>, zone: &PublisherZone, random: &str) -> Result<Self, OfferError> {
        let name = fields.name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(OfferError::Name);
        }
        let code = match fields.code.trim() {
            "" => random.to_ascii_uppercase(),
            typed => typed.to_ascii_uppercase(),
        };
        let code_ok = (3..=32).contains(&code.len())
            && code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !code_ok {
            return Err(OfferError::Code);
        }
        let number = |s: &str| s.trim().parse::<i64>().ok();
        let kind = match (fields.kind, number(fields.amount)) {
            ("percent", Some(p)) if (1..=99).contains(&p) => {
                OfferKind::Percent { percent: u32::try_from(p).map_err(|_| OfferError::Kind)? }
            }
            ("fixed", Some(off)) if off > 0 => OfferKind::Fixed { off: Paise(off) },
            ("trial", Some(price)) if price >= 0 => match number(fields.trial_days) {
                Some(days) if (1..=i64::from(MAX_TRIAL_DAYS)).contains(&days) => {
                    OfferKind::Trial { days: u32::try_from(days).map_err(|_| OfferError::Kind)?, price: Paise(price) }
                }
                _ => return Err(OfferError::Kind),
            },
            _ => return Err(OfferError::Kind),
        };
        let mut plan_ids = fields.plan_ids.to_vec();
        plan_ids.sort_unstable();
        plan_ids.dedup();
        if plan_ids.is_empty() {
            return Err(OfferError::NoPlans);
        }
        let day = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        let (Some(first), Some(last)) = (day(fields.valid_from), day(fields.valid_until)) else {
            return Err(OfferError::Dates);
        };
        if last < first {
            return Err(OfferError::Dates);
        }
        let (valid_from, _) = zone.day_bounds(first);
        let (_, valid_until) = zone.day_bounds(last);
        let cap = match fields.cap.trim() {
            "" => None,
            typed => Some(typed.parse::<u32>().ok().filter(|c| *c > 0).ok_or(OfferError::Cap)?),
        };
        let forever = fields.forever && !matches!(kind, OfferKind::Trial { .. });
        Ok(Self { name: name.to_owned(), code, kind, forever, plan_ids, valid_from, valid_until, cap })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::demo_catalogue;
    use crate::subscription::{Retention, Status};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn offer(kind: OfferKind, forever: bool) -> Offer {
        Offer {
            id: 1,
            code: "MONSOON25".into(),
            name: "Monsoon sale".into(),
            kind,
            forever,
            plan_ids: vec![1, 2],
            valid_from: at("2026-07-01T00:00:00Z"),
            valid_until: at("2026-08-01T00:00:00Z"),
            cap: Some(100),
            redeemed: 0,
        }
    }

    fn state(paid_terms: u32, paid: bool) -> State {
        State {
            status: Status::Active,
            plan_id: 2,
            next_plan_id: None,
            current_period_end: paid.then(|| at("2027-07-10T00:00:00Z")),
            started_at: None,
            cancel_at_period_end: false,
            offer_id: Some(1),
            paid_terms,
            trial_until: None,
            paused_until: None,
            retention: None,
            ending: None,
        }
    }

    #[test]
    fn percentages_round_to_the_nearest_paisa() {
        assert_eq!(percent_off(Paise(270_000), 25), Paise(202_500));
        // ₹900 less 33%: ₹603.00 exactly; ₹999.99 less 15%: 849.9915 → ₹849.99.
        assert_eq!(percent_off(Paise(90_000), 33), Paise(60_300));
        assert_eq!(percent_off(Paise(99_999), 15), Paise(84_999));
        // 12.5 paise rounds up to 13, 12.4 down to 12.
        assert_eq!(percent_off(Paise(25), 50), Paise(13));
        assert_eq!(percent_off(Paise(31), 60), Paise(12));
    }

    #[test]
    fn a_first_term_discount_applies_once_a_forever_one_on_every_renewal() {
        let plans = demo_catalogue();
        let essential = &plans[1];
        let first = offer(OfferKind::Percent { percent: 25 }, false);
        let due = next_charge(essential, Some(&first), None);
        assert_eq!((due.amount, due.list_price, due.length), (Paise(202_500), Paise(270_000), Length::Months(12)));
        assert!(due.discounted() && !due.trial);
        assert_eq!(next_charge(essential, Some(&first), Some(&state(1, true))).amount, Paise(270_000));
        let forever = offer(OfferKind::Fixed { off: Paise(50_000) }, true);
        assert_eq!(next_charge(essential, Some(&forever), None).amount, Paise(220_000));
        assert_eq!(next_charge(essential, Some(&forever), Some(&state(3, true))).amount, Paise(220_000));
        // Renewing onto a plan the offer is not for: the full price.
        assert_eq!(next_charge(&plans[2], Some(&forever), Some(&state(1, true))).amount, Paise(390_000));
        assert_eq!(next_charge(essential, None, None).amount, Paise(270_000));
    }

    #[test]
    fn a_trial_is_the_first_payment_then_the_plan_price() {
        let plans = demo_catalogue();
        let free = offer(OfferKind::Trial { days: 14, price: Paise(0) }, false);
        let due = next_charge(&plans[0], Some(&free), None);
        assert_eq!((due.amount, due.length, due.trial), (Paise(0), Length::Days(14), true));
        assert_eq!(due.until(at("2026-07-10T06:00:00Z")), Some(at("2026-07-24T06:00:00Z")));
        // At the trial's end (a term was covered, none paid): the plan's price and term.
        let after = next_charge(&plans[0], Some(&free), Some(&state(0, true)));
        assert_eq!((after.amount, after.length, after.trial), (Paise(90_000), Length::Months(3), false));
        let paid = offer(OfferKind::Trial { days: 7, price: Paise(1_000) }, false);
        assert_eq!(next_charge(&plans[0], Some(&paid), Some(&state(0, false))).amount, Paise(1_000));
        assert_eq!(paid.describe(), "7 days for ₹10");
        assert_eq!(free.describe(), "14 days free");
    }

    #[test]
    fn offers_apply_to_their_plans_between_their_days() {
        let plans = demo_catalogue();
        let o = offer(OfferKind::Percent { percent: 25 }, false);
        assert_eq!(o.check(&plans[1], at("2026-07-15T00:00:00Z")), Ok(()));
        assert_eq!(o.check(&plans[1], at("2026-06-30T23:59:59Z")), Err(OfferRefusal::NotYet));
        assert_eq!(o.check(&plans[1], at("2026-08-01T00:00:00Z")), Err(OfferRefusal::Expired));
        assert_eq!(o.check(&plans[2], at("2026-07-15T00:00:00Z")), Err(OfferRefusal::WrongPlan));
        let full = Offer { redeemed: 100, ..o.clone() };
        assert!(full.exhausted() && !o.exhausted() && !Offer { cap: None, ..full.clone() }.exhausted());
        let too_deep = offer(OfferKind::Fixed { off: Paise(90_000) }, false);
        assert_eq!(too_deep.check(&plans[0], at("2026-07-15T00:00:00Z")), Err(OfferRefusal::WrongPlan));
        assert_eq!(too_deep.check(&plans[1], at("2026-07-15T00:00:00Z")), Ok(()));
        assert_eq!(o.describe(), "25% off the first term");
    }

    #[test]
    fn admins_drafts_are_checked() {
        let zone = PublisherZone::default();
        let good = OfferFields {
            name: " Monsoon sale ",
            code: "monsoon25",
            kind: "percent",
            amount: "25",
            trial_days: "",
            forever: false,
            plan_ids: &[2, 1, 2],
            valid_from: "2026-07-01",
            valid_until: "2026-07-31",
            cap: "100",
        };
        let draft = OfferDraft::parse(&good, &zone, "RANDOM").unwrap();
        assert_eq!((draft.name.as_str(), draft.code.as_str()), ("Monsoon sale", "MONSOON25"));
        assert_eq!((draft.plan_ids, draft.cap), (vec![1, 2], Some(100)));
        // India: the first day starts at 18:30 UTC the day before; the last ends at 18:30 UTC on it.
        assert_eq!((draft.valid_from, draft.valid_until), (at("2026-06-30T18:30:00Z"), at("2026-07-31T18:30:00Z")));
        let random = OfferDraft::parse(&OfferFields { code: " ", ..good.clone() }, &zone, "q7x2k9").unwrap();
        assert_eq!(random.code, "Q7X2K9");
        let trial = OfferFields { kind: "trial", amount: "0", trial_days: "14", forever: true, ..good.clone() };
        let trial = OfferDraft::parse(&trial, &zone, "R").unwrap();
        assert_eq!((trial.kind, trial.forever), (OfferKind::Trial { days: 14, price: Paise(0) }, false));
        let refused = |fields: OfferFields<'_>| OfferDraft::parse(&fields, &zone, "RANDOM").unwrap_err();
        assert_eq!(refused(OfferFields { name: "", ..good.clone() }), OfferError::Name);
        assert_eq!(refused(OfferFields { code: "MON SOON", ..good.clone() }), OfferError::Code);
        assert_eq!(refused(OfferFields { code: "AB", ..good.clone() }), OfferError::Code);
        assert_eq!(refused(OfferFields { amount: "100", ..good.clone() }), OfferError::Kind);
        assert_eq!(refused(OfferFields { kind: "fixed", amount: "0", ..good.clone() }), OfferError::Kind);
        assert_eq!(refused(OfferFields { kind: "trial", trial_days: "0", ..good.clone() }), OfferError::Kind);
        assert_eq!(refused(OfferFields { kind: "gift", ..good.clone() }), OfferError::Kind);
        assert_eq!(refused(OfferFields { plan_ids: &[], ..good.clone() }), OfferError::NoPlans);
        assert_eq!(refused(OfferFields { valid_until: "2026-06-30", ..good.clone() }), OfferError::Dates);
        assert_eq!(refused(OfferFields { valid_from: "1 July", ..good.clone() }), OfferError::Dates);
        assert_eq!(refused(OfferFields { cap: "0", ..good.clone() }), OfferError::Cap);
        assert_eq!(refused(OfferFields { cap: "lots", ..good }), OfferError::Cap);
    }

    #[test]
    fn a_groups_charge_is_the_price_once_per_seat() {
        let plans = demo_catalogue();
        let due = next_charge(&plans[1], None, Some(&state(0, false))).seats(10);
        assert_eq!((due.amount, due.list_price, due.discounted()), (Paise(2_700_000), Paise(2_700_000), false));
        assert_eq!(next_charge(&plans[1], None, None).seats(1).amount, Paise(270_000));
    }

    #[test]
    fn a_retention_offer_prices_the_next_term_or_every_term() {
        let plans = demo_catalogue();
        let essential = &plans[1];
        let keep = Offer { id: 7, code: "STAY".into(), ..offer(OfferKind::Percent { percent: 50 }, false) };
        let accepted = State { retention: Some(Retention { offer_id: 7, after_terms: 1 }), ..state(1, true) };
        let (due, by) = charge_due(essential, None, Some(&keep), Some(&accepted));
        assert_eq!((due.amount, due.list_price, by.map(|o| o.id)), (Paise(135_000), Paise(270_000), Some(7)));
        // The term after: the full price again, unless the offer is forever.
        let later = State { paid_terms: 2, ..accepted.clone() };
        let (due, by) = charge_due(essential, None, Some(&keep), Some(&later));
        assert_eq!((due.amount, by), (Paise(270_000), None));
        let forever = Offer { forever: true, ..keep.clone() };
        assert_eq!(charge_due(essential, None, Some(&forever), Some(&later)).0.amount, Paise(135_000));
        // Not for the plan renewed onto, or never accepted: as the redeemed offer says.
        assert_eq!(charge_due(&plans[2], None, Some(&keep), Some(&accepted)).0.amount, Paise(390_000));
        let first = offer(OfferKind::Percent { percent: 25 }, true);
        let (due, by) = charge_due(essential, Some(&first), Some(&keep), Some(&state(1, true)));
        assert_eq!((due.amount, by.map(|o| o.id)), (Paise(202_500), Some(1)));
        let first_term = offer(OfferKind::Percent { percent: 25 }, false);
        let (_, by) = charge_due(essential, Some(&first_term), None, Some(&later));
        assert_eq!(by, None, "an offer that took nothing off did not price it");
    }
}
