//! The server's meter trim: every [`TRIM_EVERY`], past months' meters are
//! deleted and totalled (`masthead_store::Store::trim_meters`). Every
//! instance runs it; concurrent trims share the work and count each meter once.
//! The months the funnel's raw window still needs stay: their visitors'
//! metered reads are counted from these rows.

use std::sync::Arc;
use std::time::Duration;

use masthead_domain::{Clock, PublisherZone};
use masthead_store::Store;

/// How often an instance trims: a month's meters go within this of its end.
const TRIM_EVERY: Duration = Duration::from_secs(60 * 60);

/// Starts the trim on the current runtime; the first pass runs at once.
pub(crate) fn spawn(store: Store, zone: PublisherZone, clock: Arc<dyn Clock>, limit: u32, raw_days: u32) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(TRIM_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let now = clock.now();
            let kept = zone.month_key(now).min(masthead_insights::rollup::first_raw_month(&zone, now, raw_days));
            let ran = store.trim_meters(kept, limit).await;
            masthead_store::telemetry::job_ran("meter_trim", &ran);
            match ran {
                Ok(trim) if trim.meters > 0 => tracing::info!(?trim, "past months' meters trimmed"),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "the meter trim failed; retrying at the next pass"),
            }
        }
    });
}
