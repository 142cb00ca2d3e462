//! Pausing renewal instead of cancelling: a subscriber picks 1 to
//! [`MAX_PAUSE_MONTHS`] months; access runs to the end of the paid term, then
//! the subscription is paused (no access, no charge), and the renewal is due
//! that many months after the term's end — the renewal job charges it then,
//! as at any term's end. Here is the rule as a pure function over the
//! subscription's state: may it pause now, and until when.

use chrono::{DateTime, Months, Utc};
use serde::Serialize;
use thiserror::Error;

use crate::subscription::{State, Status};

/// The longest pause, in months.
pub const MAX_PAUSE_MONTHS: u32 = 3;

/// Why a pause is refused; nothing is stored when one is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseRefusal {
    /// Not 1 to 3 months.
    #[error("a pause is 1 to {MAX_PAUSE_MONTHS} months")]
    Months,
    /// Not paid up now (pending, renewing, past due, ended or already paused).
    #[error("only an active subscription can be paused")]
    NotActive,
    /// In a trial: cancel it instead.
    #[error("a trial cannot be paused: cancel it instead, nothing is charged")]
    Trial,
    /// Cancelled: it will not renew anyway.
    #[error("a cancelled subscription does not renew: resume it first")]
    Cancelled,
    /// A pause is already set.
    #[error("renewal is already paused: resume it first to choose another date")]
    AlreadyPaused,
}

/// The instant renewal is due again if a subscription in `state` pauses for
/// `months` at its term's end: the term's end plus the months.
pub fn pause_until(state: &State, months: u32) -> Result<DateTime<Utc>, PauseRefusal> {
    if !(1..=MAX_PAUSE_MONTHS).contains(&months) {
        return Err(PauseRefusal::Months);
    }
    match state.status {
        Status::Cancelled => return Err(PauseRefusal::Cancelled),
        Status::Active => {}
        _ => return Err(PauseRefusal::NotActive),
    }
    if state.trial_until.is_some() {
        return Err(PauseRefusal::Trial);
    }
    if state.paused_until.is_some() {
        return Err(PauseRefusal::AlreadyPaused);
    }
    let end = state.current_period_end.ok_or(PauseRefusal::NotActive)?;
    end.checked_add_months(Months::new(months)).ok_or(PauseRefusal::Months)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subscription::{Entry, Event, fold};
    use chrono::Duration;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    const GRACE: Duration = Duration::days(7);

    fn entry(seq: i64, when: &str, event: Event) -> Entry {
        Entry { at: at(when), seq, event }
    }

    fn paid(id: &str, from: &str, until: &str) -> Event {
        Event::Paid { payment_id: id.into(), plan_id: 1, from: at(from), until: at(until), trial: false }
    }

    /// A quarterly subscription paid from 10 Jan to 10 Apr 2026.
    fn ledger() -> Vec<Entry> {
        vec![
            entry(1, "2026-01-10T10:00:00Z", Event::Created { plan_id: 1 }),
            entry(2, "2026-01-10T10:00:00Z", paid("pay_1", "2026-01-10T10:00:00Z", "2026-04-10T10:00:00Z")),
        ]
    }

    #[test]
    fn a_pause_of_one_to_three_months_counts_from_the_terms_end() {
        let state = fold(&ledger(), at("2026-03-01T00:00:00Z"), GRACE).unwrap();
        assert_eq!(pause_until(&state, 1), Ok(at("2026-05-10T10:00:00Z")));
        assert_eq!(pause_until(&state, 3), Ok(at("2026-07-10T10:00:00Z")));
        assert_eq!(pause_until(&state, 0), Err(PauseRefusal::Months));
        assert_eq!(pause_until(&state, 4), Err(PauseRefusal::Months));
    }

    #[test]
    fn access_ends_with_the_term_and_renewal_is_due_on_the_day_chosen() {
        let mut l = ledger();
        l.push(entry(3, "2026-03-01T00:00:00Z", Event::Paused { until: at("2026-06-10T10:00:00Z") }));
        let during = fold(&l, at("2026-04-01T00:00:00Z"), GRACE).unwrap();
        assert_eq!((during.status, during.renewal_at()), (Status::Active, Some(at("2026-06-10T10:00:00Z"))));
        assert_eq!(pause_until(&during, 1), Err(PauseRefusal::AlreadyPaused));
        let paused = fold(&l, at("2026-04-10T10:00:00Z"), GRACE).unwrap();
        assert_eq!(paused.status, Status::Paused);
        assert!(!paused.has_access());
        assert_eq!(fold(&l, at("2026-06-10T09:59:59Z"), GRACE).unwrap().status, Status::Paused);
        // On the day: due, with the grace counted from it; then a failed charge is past due.
        assert_eq!(fold(&l, at("2026-06-10T10:00:00Z"), GRACE).unwrap().status, Status::RenewalDue);
        assert_eq!(fold(&l, at("2026-06-17T10:00:00Z"), GRACE).unwrap().status, Status::Expired);
        let mut failed = l.clone();
        failed.push(entry(4, "2026-06-10T10:01:00Z", Event::PaymentFailed));
        assert_eq!(fold(&failed, at("2026-06-12T00:00:00Z"), GRACE).unwrap().status, Status::PastDue);
        // The renewal's payment starts the next term on that day and ends the pause.
        l.push(entry(4, "2026-06-10T10:01:00Z", paid("pay_2", "2026-06-10T10:00:00Z", "2026-09-10T10:00:00Z")));
        let renewed = fold(&l, at("2026-06-11T00:00:00Z"), GRACE).unwrap();
        assert_eq!((renewed.status, renewed.paused_until, renewed.paid_terms), (Status::Active, None, 2));
    }

    #[test]
    fn resuming_lifts_the_pause_at_the_terms_end_or_now() {
        let mut l = ledger();
        l.push(entry(3, "2026-03-01T00:00:00Z", Event::Paused { until: at("2026-07-10T10:00:00Z") }));
        let mut early = l.clone();
        early.push(entry(4, "2026-03-02T00:00:00Z", Event::Resumed));
        let state = fold(&early, at("2026-04-10T10:00:00Z"), GRACE).unwrap();
        assert_eq!((state.status, state.paused_until), (Status::RenewalDue, None), "renews at the term's end");
        // Resumed during the pause: the renewal is due at once.
        l.push(entry(4, "2026-05-01T00:00:00Z", Event::Resumed));
        let state = fold(&l, at("2026-05-01T00:00:00Z"), GRACE).unwrap();
        assert_eq!((state.status, state.renewal_at()), (Status::RenewalDue, Some(at("2026-05-01T00:00:00Z"))));
    }

    #[test]
    fn only_an_active_paid_term_may_pause() {
        let mut cancelled = ledger();
        cancelled.push(entry(3, "2026-03-01T00:00:00Z", Event::Cancelled));
        let state = fold(&cancelled, at("2026-03-02T00:00:00Z"), GRACE).unwrap();
        assert_eq!(pause_until(&state, 1), Err(PauseRefusal::Cancelled));
        let ended = fold(&ledger(), at("2026-04-11T00:00:00Z"), GRACE).unwrap();
        assert_eq!(pause_until(&ended, 1), Err(PauseRefusal::NotActive), "renewal is due");
        let pending = fold(&ledger()[..1], at("2026-01-10T10:00:00Z"), GRACE).unwrap();
        assert_eq!(pause_until(&pending, 1), Err(PauseRefusal::NotActive));
        let trial = vec![
            entry(1, "2026-01-10T10:00:00Z", Event::Created { plan_id: 1 }),
            entry(
                2,
                "2026-01-10T10:00:00Z",
                Event::Paid {
                    payment_id: "t".into(),
                    plan_id: 1,
                    from: at("2026-01-10T10:00:00Z"),
                    until: at("2026-01-24T10:00:00Z"),
                    trial: true,
                },
            ),
        ];
        let state = fold(&trial, at("2026-01-11T00:00:00Z"), GRACE).unwrap();
        assert_eq!(pause_until(&state, 1), Err(PauseRefusal::Trial));
    }
}
