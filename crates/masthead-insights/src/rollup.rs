//! The roll-up job: raw events of days older than the window become daily
//! counts (`masthead_store::Store::roll_up_insights`), their rows deleted in
//! the same transaction. Every instance runs it each [`ROLL_UP_EVERY`];
//! concurrent passes never count a day twice. `masthead roll-up-insights`
//! runs one pass from the command line.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use masthead_domain::{Clock, PublisherZone};
use masthead_store::{RollUp, Store, StoreError};

/// How long raw events are kept, in days, unless configured.
pub const DEFAULT_RAW_DAYS: u32 = 90;
/// How often an instance rolls up.
const ROLL_UP_EVERY: Duration = Duration::from_secs(60 * 60);

/// The first day whose raw events are kept at `now`: today's and the
/// `raw_days - 1` days before it (the publisher's calendar) stay raw.
pub fn first_raw_day(zone: &PublisherZone, now: DateTime<Utc>, raw_days: u32) -> String {
    first_raw_date(zone, now, raw_days).to_string()
}

fn first_raw_date(zone: &PublisherZone, now: DateTime<Utc>, raw_days: u32) -> NaiveDate {
    let today = zone.date(now);
    let kept = u64::from(raw_days.max(1) - 1);
    today.checked_sub_days(Days::new(kept)).unwrap_or(today)
}

/// The month (a key, as `PublisherZone::month_key` makes them) of the
/// first day whose raw events are kept at `now`: the meter trim keeps the
/// meters of this month and later, whose rows are the window's visitors'
/// metered reads.
pub fn first_raw_month(zone: &PublisherZone, now: DateTime<Utc>, raw_days: u32) -> i64 {
    let first = first_raw_date(zone, now, raw_days);
    i64::from(first.year()) * 100 + i64::from(first.month())
}

/// Rolls up every day before the window, once.
pub async fn run(store: &Store, zone: &PublisherZone, now: DateTime<Utc>, raw_days: u32) -> Result<RollUp, StoreError> {
    store.roll_up_insights(&first_raw_day(zone, now, raw_days)).await
}

/// Starts the job on the current runtime; the first pass runs at once.
pub fn spawn(store: Store, zone: PublisherZone, clock: Arc<dyn Clock>, raw_days: u32) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(ROLL_UP_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match run(&store, &zone, clock.now(), raw_days).await {
                Ok(done) if done.days > 0 => tracing::info!(?done, "funnel events rolled up into daily counts"),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "the funnel roll-up failed; retrying at the next pass"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_counts_today_in_the_publishers_calendar() {
        let zone = PublisherZone::default();
        // 20:00 UTC on 27 November is already 28 November in India.
        let now = DateTime::parse_from_rfc3339("2026-11-27T20:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(first_raw_day(&zone, now, 1), "2026-11-28");
        assert_eq!(first_raw_day(&zone, now, 2), "2026-11-27");
        assert_eq!(first_raw_day(&zone, now, 90), "2026-08-31");
        assert_eq!(first_raw_day(&zone, now, 0), "2026-11-28", "at least today stays raw");
        assert_eq!(first_raw_month(&zone, now, 1), 202611);
        assert_eq!(first_raw_month(&zone, now, 90), 202608);
    }
}
