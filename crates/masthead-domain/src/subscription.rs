//! A subscription's lifecycle, derived from its ledger.
//!
//! Masthead owns the lifecycle; payment providers only take money. Every
//! transition is an event appended to a ledger, and the current state is a
//! pure fold of those events at an instant. Events may arrive in any order
//! and more than once (webhooks are retried and reordered): the fold sorts
//! them and ignores repeated payments, so every delivery order converges.
//!
//! pending → active → (term end) renewal due → active again when the renewal
//! is paid, or past due (a failed charge; grace period) → expired. Cancelling
//! lets the paid term run out, and can be undone until then. A plan switch
//! takes effect at the next renewal.
//!
//! An offer (`crate::offer`) is an entry too: the subscription redeemed it
//! when it was created, and it prices the payments that follow. A trial is a
//! payment (possibly of nothing) flagged as one; cancelling during a trial
//! ends it there and then, so nothing is ever charged for it. A refund that
//! ends access (now or on a day) cuts the paid term there and stops
//! renewals for good; one that keeps access changes nothing.
//!
//! A pause (`crate::pause`) is an entry too: renewal waits until the day
//! chosen — access ends with the paid term, the subscription is paused, and
//! on that day the renewal is due as at any term's end. Resuming lifts it.
//! A retention offer accepted at cancellation prices the charges after it.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// Something that happened to a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The reader chose a plan; no money yet.
    Created {
        /// The plan chosen.
        plan_id: i64,
    },
    /// A payment covered `[from, until)` on `plan_id`.
    Paid {
        /// The provider's payment id: the same payment counts once.
        payment_id: String,
        /// The plan the payment was for.
        plan_id: i64,
        /// Start of the paid period.
        from: DateTime<Utc>,
        /// End of the paid period.
        until: DateTime<Utc>,
        /// Whether it paid for a trial (not a term of the plan).
        trial: bool,
    },
    /// The subscription redeemed an offer when it was created.
    OfferApplied {
        /// The offer.
        offer_id: i64,
    },
    /// The offer redeemed was given back: the checkout was abandoned, so it
    /// no longer counts against the offer's cap, nor prices a payment.
    OfferReleased,
    /// A renewal charge failed.
    PaymentFailed,
    /// The reader cancelled: no more renewals.
    Cancelled,
    /// The reader took the cancellation (or the pause) back.
    Resumed,
    /// The reader paused renewal until `until` (after the paid term's end).
    Paused {
        /// When renewal is due again.
        until: DateTime<Utc>,
    },
    /// The reader accepted the retention offer instead of cancelling.
    RetentionAccepted {
        /// The offer.
        offer_id: i64,
    },

    /// The reader chose another plan for the next renewal.
    SwitchRequested {
        /// The plan to renew onto.
        plan_id: i64,
    },
    /// A gift (`crate::gift`) was redeemed onto this subscription: its
    /// paid-through date moves to `until` (from `from`, the old end or the
    /// redemption), the plan and renewals unchanged; a subscription that is
    /// only gifts does not renew.
    Gifted {
        /// The payment that bought the gift.
        payment_id: String,
        /// Where the gift's term starts.
        from: DateTime<Utc>,
        /// Where it ends.
        until: DateTime<Utc>,
    },
    /// A payment was refunded (see `crate::refund`): access ends at
    /// `access_until` when that is before the paid term's end, and the
    /// subscription no longer renews; `None` keeps access as paid. A
    /// refunded gift's payment takes the gift back, whatever the choice.
    Refunded {
        /// The refunded payment.
        payment_id: String,
        /// When access ends, as the admin chose.
        access_until: Option<DateTime<Utc>>,
    },
}

/// An event as stored: when it happened, and its place in the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// When the event happened (the provider's time for payments).
    pub at: DateTime<Utc>,
    /// The ledger's sequence number, breaking ties between equal times.
    pub seq: i64,
    /// What happened.
    pub event: Event,
}

/// Where a subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Chosen, not yet paid.
    Pending,
    /// Paid up.
    Active,
    /// The paid term has ended and the renewal charge is being made.
    RenewalDue,
    /// The renewal charge failed; access continues through the grace period.
    PastDue,
    /// Cancelled; access runs to the end of the paid term.
    Cancelled,
    /// The paid term ended and renewal is paused until a chosen day: no access.
    Paused,
    /// No access.
    Expired,
}

/// The state the ledger folds to at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct State {
    /// Where it stands.
    pub status: Status,
    /// The plan paid for now (or chosen, while pending).
    pub plan_id: i64,
    /// The plan the next renewal charges, if a switch was asked for.
    pub next_plan_id: Option<i64>,
    /// End of the paid term, once anything was paid.
    pub current_period_end: Option<DateTime<Utc>>,
    /// When the paid term started first (not a trial), for continuous-subscription benefits.
    pub started_at: Option<DateTime<Utc>>,
    /// Cancelled and not resumed: the term will not renew.
    pub cancel_at_period_end: bool,
    /// The offer it redeemed, if any.
    pub offer_id: Option<i64>,
    /// Terms of the plan paid for (trials not counted).
    pub paid_terms: u32,
    /// When the current term is a trial: its end.
    pub trial_until: Option<DateTime<Utc>>,
    /// Renewal paused until this instant (after `current_period_end`).
    pub paused_until: Option<DateTime<Utc>>,
    /// The retention offer accepted, if any.
    pub retention: Option<Retention>,
    /// Why the term ends for good, when it does: then there is nothing to
    /// resume (and `cancel_at_period_end` stays set).
    pub ending: Option<Ending>,
}

/// Why a subscription's term ends for good, whatever the reader asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ending {
    /// A trial cancelled: it ended there and then, nothing charged.
    TrialCancelled,
    /// Gifts alone: nothing to renew with.
    Gifts,
    /// A refund ended access, now or on the day the admin chose.
    Refunded,
}

/// A retention offer accepted at cancellation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Retention {
    /// The offer.
    pub offer_id: i64,
    /// Terms paid when it was accepted: it prices the next one (or every one when the offer is forever).
    pub after_terms: u32,
}

impl State {
    /// The plan the next payment is for: the switched-to plan if a switch is
    /// waiting for the renewal, else the current one.
    pub fn plan_due(&self) -> i64 {
        self.next_plan_id.unwrap_or(self.plan_id)
    }

    /// When the next renewal is due: the end of the paid term, or the day a
    /// pause ends.
    pub fn renewal_at(&self) -> Option<DateTime<Utc>> {
        match (self.current_period_end, self.paused_until) {
            (Some(end), Some(until)) if until > end => Some(until),
            (end, _) => end,
        }
    }

    /// Whether the reader may resume it: cancelled, and not for good ([`Ending`]).
    pub fn resumable(&self) -> bool {
        self.cancel_at_period_end && self.ending.is_none()
    }

    /// Whether the subscription gives its benefits now.
    pub fn has_access(&self) -> bool {
        matches!(self.status, Status::Active | Status::RenewalDue | Status::PastDue | Status::Cancelled)
    }
}

/// Folds a ledger to the state at `now`; `grace` is how long a failed
/// renewal keeps access. `None` for a ledger without a `Created` event.
pub fn fold(entries: &[Entry], now: DateTime<Utc>, grace: Duration) -> Option<State> {
    let mut entries: Vec<&Entry> = entries.iter().filter(|e| e.at <= now).collect();
    entries.sort_by_key(|e| (e.at, e.seq));
    let plan_id = entries.iter().find_map(|e| match e.event {
        Event::Created { plan_id } => Some(plan_id),
        _ => None,
    })?;
    let mut state = State {
        status: Status::Pending,
        plan_id,
        next_plan_id: None,
        current_period_end: None,
        started_at: None,
        cancel_at_period_end: false,
        offer_id: None,
        paid_terms: 0,
        trial_until: None,
        paused_until: None,
        retention: None,
        ending: None,
    };
    // What a refund names decides what it takes back: a gift, or a paid term.
    let gifts: Vec<&str> = entries
        .iter()
        .filter_map(|e| match &e.event {
            Event::Gifted { payment_id, .. } => Some(payment_id.as_str()),
            _ => None,
        })
        .collect();
    let refunded: Vec<&str> = entries
        .iter()
        .filter_map(|e| match &e.event {
            Event::Refunded { payment_id, .. } => Some(payment_id.as_str()),
            _ => None,
        })
        .collect();
    let mut seen_payments: Vec<&str> = Vec::new();
    let mut failed_at: Option<DateTime<Utc>> = None;
    for entry in entries {
        match &entry.event {
            Event::Created { .. } => {}
            Event::Paid { payment_id, plan_id, from, until, trial } => {
                if seen_payments.contains(&payment_id.as_str()) {
                    continue;
                }
                seen_payments.push(payment_id);
                if !*trial {
                    state.paid_terms += 1;
                }
                // Periods only ever extend: a late-arriving older payment changes nothing.
                if state.current_period_end.is_none_or(|end| *until > end) {
                    state.current_period_end = Some(*until);
                    state.plan_id = *plan_id;
                    if state.next_plan_id == Some(*plan_id) {
                        state.next_plan_id = None;
                    }
                    state.trial_until = trial.then_some(*until);
                    // Renewed: a pause is over.
                    state.paused_until = None;
                }
                // Continuous-subscription benefits count from the first paid term, not a trial.
                if !*trial {
                    state.started_at = Some(state.started_at.map_or(*from, |s| s.min(*from)));
                }
                failed_at = None;
            }
            Event::PaymentFailed => failed_at = Some(entry.at),
            Event::Cancelled => {
                state.cancel_at_period_end = true;
                // A trial cancelled ends there and then: nothing is charged for it.
                if state.trial_until.is_some_and(|end| entry.at < end) {
                    state.current_period_end = Some(entry.at);
                    state.trial_until = Some(entry.at);
                    state.ending = Some(Ending::TrialCancelled);
                }
            }
            // A refunded gift gives nothing (its refund is dealt with below).
            Event::Gifted { payment_id, .. } if refunded.contains(&payment_id.as_str()) => {}
            Event::Gifted { until, .. } => {
                if state.current_period_end.is_none_or(|end| *until > end) {
                    state.current_period_end = Some(*until);
                }
                // A subscription of gifts alone has nothing to renew with.
                if state.paid_terms == 0 && state.trial_until.is_none() {
                    state.cancel_at_period_end = true;
                    state.ending = Some(Ending::Gifts);
                }
            }
            Event::Refunded { payment_id, .. } if gifts.contains(&payment_id.as_str()) => {
                // Taken back from a subscription of gifts alone: it ends now.
                if state.current_period_end.is_none() {
                    state.current_period_end = Some(entry.at);
                    state.cancel_at_period_end = true;
                    state.ending = Some(Ending::Refunded);
                }
            }
            Event::Refunded { access_until: Some(until), .. } => {
                state.cancel_at_period_end = true;
                state.ending = Some(Ending::Refunded);
                if state.current_period_end.is_some_and(|end| *until < end) {
                    state.current_period_end = Some(*until);
                    state.trial_until = state.trial_until.map(|t| t.min(*until));
                }
            }
            Event::Refunded { access_until: None, .. } => {}
            Event::OfferApplied { offer_id } => state.offer_id = Some(*offer_id),
            Event::OfferReleased => state.offer_id = None,
            // A trial cancelled, or a refund that ended access, leaves nothing to resume.
            Event::Resumed => {
                state.cancel_at_period_end = state.ending.is_some();
                // A pause lifted during the term renews at its end; after it, now.
                if state.paused_until.take().is_some() && state.current_period_end.is_some_and(|end| entry.at > end) {
                    state.paused_until = Some(entry.at);
                }
            }
            Event::Paused { until } => state.paused_until = Some(*until),
            Event::RetentionAccepted { offer_id } => {
                state.retention = Some(Retention { offer_id: *offer_id, after_terms: state.paid_terms });
            }

            Event::SwitchRequested { plan_id } => {
                state.next_plan_id = (*plan_id != state.plan_id).then_some(*plan_id);
            }
        }
    }
    state.status = match state.current_period_end {
        None => Status::Pending,
        Some(end) if now < end && state.cancel_at_period_end => Status::Cancelled,
        Some(end) if now < end => Status::Active,
        Some(_) if state.cancel_at_period_end => Status::Expired,
        // Paused: the renewal is due on the day chosen, and its grace counts from then.
        Some(_) if state.renewal_at().is_some_and(|due| now < due) => Status::Paused,
        Some(_) => match (failed_at, state.renewal_at().unwrap_or(now)) {
            (Some(_), end) if now < end + grace => Status::PastDue,
            (Some(_), _) => Status::Expired,
            // Nobody has tried to charge for long after the term: treat as lapsed.
            (None, end) if now < end + grace => Status::RenewalDue,
            (None, _) => Status::Expired,
        },
    };
    Some(state)
}

/// The first instant after `now` at which [`fold`] may answer differently
/// for the same ledger: an event dated later, the end of the paid term, a
/// pause, or the end of its grace. `None` when nothing is due to change by itself.
pub fn next_change(
    entries: &[Entry],
    state: Option<&State>,
    now: DateTime<Utc>,
    grace: Duration,
) -> Option<DateTime<Utc>> {
    let term = state
        .into_iter()
        .flat_map(|s| [s.current_period_end, s.renewal_at()])
        .flatten()
        .flat_map(|end| [end, end + grace]);
    entries.iter().map(|e| e.at).chain(term).filter(|at| *at > now).min()
}

/// How many 12-month partner-access blocks a subscription has unlocked: the
/// first at purchase, each next one after another 12 months of continuous
/// subscription ("for the 2nd year will be given after 12 months"). Only for
/// plans of a year or more, and only while the subscription gives access.
pub fn partner_blocks(state: &State, term_months: u32, now: DateTime<Utc>) -> u32 {
    let (Some(started), true, true) = (state.started_at, term_months >= 12, state.has_access()) else {
        return 0;
    };
    let months = months_between(started, now);
    1 + months / 12
}

/// Whole calendar months from `from` to `to` (0 when `to` is earlier).
fn months_between(from: DateTime<Utc>, to: DateTime<Utc>) -> u32 {
    use chrono::Datelike;
    if to <= from {
        return 0;
    }
    let mut months = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    if (to.day(), to.time()) < (from.day(), from.time()) {
        months -= 1;
    }
    u32::try_from(months.max(0)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn entry(seq: i64, when: &str, event: Event) -> Entry {
        Entry { at: at(when), seq, event }
    }

    fn paid(id: &str, plan_id: i64, from: &str, until: &str) -> Event {
        Event::Paid { payment_id: id.into(), plan_id, from: at(from), until: at(until), trial: false }
    }

    const GRACE: Duration = Duration::days(7);

    fn ledger() -> Vec<Entry> {
        vec![
            entry(1, "2026-01-10T10:00:00Z", Event::Created { plan_id: 2 }),
            entry(2, "2026-01-10T10:01:00Z", paid("pay_1", 2, "2026-01-10T10:01:00Z", "2027-01-10T10:01:00Z")),
        ]
    }

    #[test]
    fn created_is_pending_then_paid_is_active() {
        let l = ledger();
        assert_eq!(fold(&l[..1], at("2026-01-10T10:00:30Z"), GRACE).unwrap().status, Status::Pending);
        let state = fold(&l, at("2026-06-01T00:00:00Z"), GRACE).unwrap();
        assert_eq!(state.status, Status::Active);
        assert!(state.has_access());
        assert_eq!(state.current_period_end, Some(at("2027-01-10T10:01:00Z")));
    }

    #[test]
    fn cancel_runs_to_the_end_of_the_term_and_can_be_resumed() {
        let mut l = ledger();
        l.push(entry(3, "2026-03-01T00:00:00Z", Event::Cancelled));
        let state = fold(&l, at("2026-12-31T00:00:00Z"), GRACE).unwrap();
        assert_eq!(state.status, Status::Cancelled);
        assert!(state.has_access() && state.cancel_at_period_end);
        assert_eq!(fold(&l, at("2027-01-10T10:01:00Z"), GRACE).unwrap().status, Status::Expired);
        l.push(entry(4, "2026-04-01T00:00:00Z", Event::Resumed));
        assert_eq!(fold(&l, at("2026-12-31T00:00:00Z"), GRACE).unwrap().status, Status::Active);
    }

    #[test]
    fn renewal_success_extends_the_term() {
        let mut l = ledger();
        assert_eq!(fold(&l, at("2027-01-11T00:00:00Z"), GRACE).unwrap().status, Status::RenewalDue);
        l.push(entry(3, "2027-01-10T10:02:00Z", paid("pay_2", 2, "2027-01-10T10:01:00Z", "2028-01-10T10:01:00Z")));
        let state = fold(&l, at("2027-01-11T00:00:00Z"), GRACE).unwrap();
        assert_eq!(state.status, Status::Active);
        assert_eq!(state.current_period_end, Some(at("2028-01-10T10:01:00Z")));
    }

    #[test]
    fn renewal_failure_gives_grace_then_expires() {
        let mut l = ledger();
        l.push(entry(3, "2027-01-10T10:05:00Z", Event::PaymentFailed));
        assert_eq!(fold(&l, at("2027-01-12T00:00:00Z"), GRACE).unwrap().status, Status::PastDue);
        assert!(fold(&l, at("2027-01-12T00:00:00Z"), GRACE).unwrap().has_access());
        let expired = fold(&l, at("2027-01-17T10:01:00Z"), GRACE).unwrap();
        assert_eq!(expired.status, Status::Expired);
        assert!(!expired.has_access());
        // Paying during grace brings it back.
        l.push(entry(4, "2027-01-13T00:00:00Z", paid("pay_2", 2, "2027-01-10T10:01:00Z", "2028-01-10T10:01:00Z")));
        assert_eq!(fold(&l, at("2027-01-14T00:00:00Z"), GRACE).unwrap().status, Status::Active);
    }

    #[test]
    fn duplicate_and_out_of_order_events_converge() {
        let mut l = ledger();
        l.push(entry(3, "2027-01-10T10:02:00Z", paid("pay_2", 2, "2027-01-10T10:01:00Z", "2028-01-10T10:01:00Z")));
        let expected = fold(&l, at("2027-06-01T00:00:00Z"), GRACE).unwrap();
        let mut shuffled = vec![l[2].clone(), l[1].clone(), l[2].clone(), l[0].clone(), l[1].clone()];
        assert_eq!(fold(&shuffled, at("2027-06-01T00:00:00Z"), GRACE).unwrap(), expected);
        shuffled.reverse();
        assert_eq!(fold(&shuffled, at("2027-06-01T00:00:00Z"), GRACE).unwrap(), expected);
    }

    #[test]
    fn a_switch_takes_effect_at_the_next_renewal() {
        let mut l = ledger();
        l.push(entry(3, "2026-05-01T00:00:00Z", Event::SwitchRequested { plan_id: 3 }));
        let state = fold(&l, at("2026-06-01T00:00:00Z"), GRACE).unwrap();
        assert_eq!((state.plan_id, state.next_plan_id), (2, Some(3)));
        assert_eq!(state.plan_due(), 3);
        l.push(entry(4, "2027-01-10T10:02:00Z", paid("pay_2", 3, "2027-01-10T10:01:00Z", "2029-01-10T10:01:00Z")));
        let renewed = fold(&l, at("2027-02-01T00:00:00Z"), GRACE).unwrap();
        assert_eq!((renewed.plan_id, renewed.next_plan_id), (3, None));
        assert_eq!(renewed.plan_due(), 3);
    }

    #[test]
    fn terms_paid_are_counted_and_the_offer_kept() {
        let mut l = ledger();
        l.push(entry(3, "2026-01-10T10:00:01Z", Event::OfferApplied { offer_id: 9 }));
        l.push(entry(4, "2027-01-10T10:02:00Z", paid("pay_2", 2, "2027-01-10T10:01:00Z", "2028-01-10T10:01:00Z")));
        l.push(entry(5, "2027-01-10T10:03:00Z", paid("pay_2", 2, "2027-01-10T10:01:00Z", "2028-01-10T10:01:00Z")));
        let state = fold(&l, at("2027-02-01T00:00:00Z"), GRACE).unwrap();
        assert_eq!((state.offer_id, state.paid_terms, state.trial_until), (Some(9), 2, None), "a repeat counts once");
        assert_eq!(fold(&l[..2], at("2026-02-01T00:00:00Z"), GRACE).unwrap().paid_terms, 1);
        // An offer given back (an abandoned checkout) prices nothing after.
        l.push(entry(6, "2026-01-10T10:00:02Z", Event::OfferReleased));
        assert_eq!(fold(&l, at("2027-02-01T00:00:00Z"), GRACE).unwrap().offer_id, None);
    }

    fn trial_ledger() -> Vec<Entry> {
        let trial = Event::Paid {
            payment_id: "pay_trial".into(),
            plan_id: 1,
            from: at("2026-07-01T00:00:00Z"),
            until: at("2026-07-15T00:00:00Z"),
            trial: true,
        };
        vec![
            entry(1, "2026-07-01T00:00:00Z", Event::Created { plan_id: 1 }),
            entry(2, "2026-07-01T00:00:00Z", Event::OfferApplied { offer_id: 3 }),
            entry(3, "2026-07-01T00:00:00Z", trial),
        ]
    }

    #[test]
    fn a_trial_gives_access_to_its_end_then_the_renewal_is_due() {
        let mut l = trial_ledger();
        let during = fold(&l, at("2026-07-10T00:00:00Z"), GRACE).unwrap();
        assert_eq!((during.status, during.paid_terms), (Status::Active, 0));
        assert_eq!(during.trial_until, Some(at("2026-07-15T00:00:00Z")));
        assert_eq!(fold(&l, at("2026-07-15T00:00:00Z"), GRACE).unwrap().status, Status::RenewalDue);
        l.push(entry(4, "2026-07-15T00:01:00Z", paid("pay_1", 1, "2026-07-15T00:00:00Z", "2026-10-15T00:00:00Z")));
        let paid = fold(&l, at("2026-07-16T00:00:00Z"), GRACE).unwrap();
        assert_eq!((paid.status, paid.paid_terms, paid.trial_until), (Status::Active, 1, None));
        assert_eq!(paid.started_at, Some(at("2026-07-15T00:00:00Z")), "benefits count from the first paid term");
        assert_eq!(during.started_at, None);
    }

    #[test]
    fn cancelling_during_a_trial_ends_it_at_once() {
        let mut l = trial_ledger();
        l.push(entry(4, "2026-07-05T00:00:00Z", Event::Cancelled));
        let before = fold(&l, at("2026-07-04T00:00:00Z"), GRACE).unwrap();
        assert_eq!(before.status, Status::Active);
        let after = fold(&l, at("2026-07-05T00:00:00Z"), GRACE).unwrap();
        assert_eq!((after.status, after.current_period_end), (Status::Expired, Some(at("2026-07-05T00:00:00Z"))));
        assert!(!after.has_access());
        // Never due for a charge: past the trial's end it stays expired, resumed or not.
        assert_eq!(fold(&l, at("2026-07-16T00:00:00Z"), GRACE).unwrap().status, Status::Expired);
        l.push(entry(5, "2026-07-06T00:00:00Z", Event::Resumed));
        assert_eq!(fold(&l, at("2026-07-16T00:00:00Z"), GRACE).unwrap().status, Status::Expired);
        // Cancelling a paid term still runs to its end.
        let mut paid = ledger();
        paid.push(entry(3, "2026-03-01T00:00:00Z", Event::Cancelled));
        assert_eq!(fold(&paid, at("2026-03-02T00:00:00Z"), GRACE).unwrap().status, Status::Cancelled);
    }

    fn refunded(until: Option<&str>) -> Event {
        Event::Refunded { payment_id: "pay_1".into(), access_until: until.map(at) }
    }

    #[test]
    fn a_refund_that_ends_access_cuts_the_term_and_stops_renewals() {
        let mut l = ledger();
        l.push(entry(3, "2026-03-01T00:00:00Z", refunded(Some("2026-03-01T00:00:00Z"))));
        let before = fold(&l, at("2026-02-28T00:00:00Z"), GRACE).unwrap();
        assert_eq!(before.status, Status::Active);
        let after = fold(&l, at("2026-03-01T00:00:00Z"), GRACE).unwrap();
        assert_eq!((after.status, after.current_period_end), (Status::Expired, Some(at("2026-03-01T00:00:00Z"))));
        assert!(!after.has_access());
        // No grace, no renewal due, and nothing to resume.
        l.push(entry(4, "2026-03-02T00:00:00Z", Event::Resumed));
        assert_eq!(fold(&l, at("2026-03-03T00:00:00Z"), GRACE).unwrap().status, Status::Expired);
    }

    #[test]
    fn a_refund_may_shorten_access_to_a_day_or_keep_it() {
        let mut shortened = ledger();
        shortened.push(entry(3, "2026-03-01T00:00:00Z", refunded(Some("2026-06-01T00:00:00Z"))));
        let state = fold(&shortened, at("2026-05-01T00:00:00Z"), GRACE).unwrap();
        assert_eq!((state.status, state.current_period_end), (Status::Cancelled, Some(at("2026-06-01T00:00:00Z"))));
        assert_eq!((state.ending, state.resumable()), (Some(Ending::Refunded), false), "nothing to resume");
        assert_eq!(fold(&shortened, at("2026-06-01T00:00:00Z"), GRACE).unwrap().status, Status::Expired);
        // A day past the term's end does not lengthen it.
        let mut later = ledger();
        later.push(entry(3, "2026-03-01T00:00:00Z", refunded(Some("2030-01-01T00:00:00Z"))));
        let state = fold(&later, at("2026-05-01T00:00:00Z"), GRACE).unwrap();
        assert_eq!((state.status, state.current_period_end), (Status::Cancelled, Some(at("2027-01-10T10:01:00Z"))));
        // Kept: as if nothing happened.
        let mut kept = ledger();
        kept.push(entry(3, "2026-03-01T00:00:00Z", refunded(None)));
        assert_eq!(fold(&kept, at("2026-05-01T00:00:00Z"), GRACE), fold(&ledger(), at("2026-05-01T00:00:00Z"), GRACE));
    }

    fn gifted(payment: &str, from: &str, until: &str) -> Event {
        Event::Gifted { payment_id: payment.into(), from: at(from), until: at(until) }
    }

    #[test]
    fn a_gift_extends_the_paid_through_date_and_keeps_renewing() {
        let mut l = ledger();
        l.push(entry(3, "2026-06-01T00:00:00Z", gifted("gift_pay", "2027-01-10T10:01:00Z", "2027-04-10T10:01:00Z")));
        let state = fold(&l, at("2027-02-01T00:00:00Z"), GRACE).unwrap();
        assert_eq!((state.status, state.plan_id, state.paid_terms), (Status::Active, 2, 1));
        assert_eq!(state.current_period_end, Some(at("2027-04-10T10:01:00Z")));
        assert!(!state.cancel_at_period_end, "renews at the new end");
        assert_eq!(fold(&l, at("2027-04-11T00:00:00Z"), GRACE).unwrap().status, Status::RenewalDue);
    }

    #[test]
    fn gifts_alone_do_not_renew_and_a_refund_takes_the_gift_back() {
        let mut l = vec![
            entry(1, "2026-06-01T00:00:00Z", Event::Created { plan_id: 1 }),
            entry(2, "2026-06-01T00:00:00Z", gifted("gift_pay", "2026-06-01T00:00:00Z", "2026-09-01T00:00:00Z")),
        ];
        let state = fold(&l, at("2026-07-01T00:00:00Z"), GRACE).unwrap();
        assert_eq!((state.status, state.cancel_at_period_end), (Status::Cancelled, true));
        assert!(state.has_access());
        assert_eq!(fold(&l, at("2026-09-01T00:00:00Z"), GRACE).unwrap().status, Status::Expired, "no renewal");
        l.push(entry(3, "2026-07-01T00:00:00Z", Event::Refunded { payment_id: "gift_pay".into(), access_until: None }));
        assert!(fold(&l, at("2026-06-30T00:00:00Z"), GRACE).unwrap().has_access(), "until the refund");
        let after = fold(&l, at("2026-07-01T00:00:00Z"), GRACE).unwrap();
        assert_eq!((after.status, after.current_period_end), (Status::Expired, Some(at("2026-07-01T00:00:00Z"))));
        // On a paid subscription, the gift's months go and the paid term stays.
        let mut paid = ledger();
        paid.push(entry(3, "2026-06-01T00:00:00Z", gifted("gift_pay", "2027-01-10T10:01:00Z", "2027-04-10T10:01:00Z")));
        paid.push(entry(
            4,
            "2026-07-01T00:00:00Z",
            Event::Refunded { payment_id: "gift_pay".into(), access_until: None },
        ));
        let state = fold(&paid, at("2026-08-01T00:00:00Z"), GRACE).unwrap();
        assert_eq!((state.status, state.current_period_end), (Status::Active, Some(at("2027-01-10T10:01:00Z"))));
    }

    #[test]
    fn a_ledger_without_creation_is_no_subscription() {
        assert_eq!(fold(&[], at("2026-01-01T00:00:00Z"), GRACE), None);
    }

    #[test]
    fn partner_access_comes_in_twelve_month_blocks() {
        let l = ledger();
        let month = |s: &str| fold(&l, at(s), Duration::days(7)).unwrap();
        let s0 = month("2026-01-10T10:01:00Z");
        assert_eq!(partner_blocks(&s0, 12, at("2026-01-10T10:01:00Z")), 1, "the first at purchase");
        let s11 = month("2027-01-10T10:00:00Z");
        assert_eq!(partner_blocks(&s11, 12, at("2027-01-10T10:00:00Z")), 1, "not before 12 months");
        let mut renewed = l.clone();
        renewed.push(entry(
            3,
            "2027-01-10T10:02:00Z",
            paid("pay_2", 2, "2027-01-10T10:01:00Z", "2028-01-10T10:01:00Z"),
        ));
        let s12 = fold(&renewed, at("2027-01-10T10:02:00Z"), GRACE).unwrap();
        assert_eq!(partner_blocks(&s12, 12, at("2027-01-10T10:02:00Z")), 2, "the second after 12 months");
        assert_eq!(partner_blocks(&s12, 3, at("2027-01-10T10:02:00Z")), 0, "quarterly plans are not eligible");
        let lapsed = fold(&l, at("2027-03-01T00:00:00Z"), GRACE).unwrap();
        assert_eq!(partner_blocks(&lapsed, 12, at("2027-03-01T00:00:00Z")), 0, "nothing once expired");
    }
}
