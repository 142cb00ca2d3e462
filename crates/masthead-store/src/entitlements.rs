//! Entitlements: which benefits a reader holds at an instant.
//!
//! They come from subscriptions that give access now (the benefits of the
//! plan paid for) and from grants
//! (complimentary access an admin gives, with an optional end), so that one
//! question — "does this reader have benefit X now" — has one answer.

use chrono::{DateTime, Utc};
use masthead_domain::access::Benefit;

use crate::{Result, Store, on_pool};

impl Store {
    /// Grants `benefit` to a reader from `starts_at` until `ends_at` (or for good).
    pub async fn grant_benefit(
        &self,
        reader_id: i64,
        benefit: Benefit,
        starts_at: DateTime<Utc>,
        ends_at: Option<DateTime<Utc>>,
        source: &str,
    ) -> Result<()> {
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO entitlement_grants (reader_id, benefit, starts_at, ends_at, source)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(reader_id)
        .bind(benefit.as_str())
        .bind(starts_at.timestamp())
        .bind(ends_at.map(|at| at.timestamp()))
        .bind(source)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// The benefits a reader holds at `at`, each once, in a stable order.
    pub async fn benefits(&self, reader_id: i64, at: DateTime<Utc>) -> Result<Vec<Benefit>> {
        let rows: Vec<(String,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT DISTINCT benefit FROM entitlement_grants
             WHERE reader_id = $1 AND starts_at <= $2 AND (ends_at IS NULL OR ends_at > $2)",
        )
        .bind(reader_id)
        .bind(at.timestamp())
        .fetch_all(pool)
        .await)?;
        let mut benefits: Vec<Benefit> = rows.iter().filter_map(|(b,)| Benefit::parse(b)).collect();
        for subscription in self.reader_subscriptions(reader_id).await? {
            let Some(state) = self.subscription_state(subscription.id, at).await? else { continue };
            if !state.has_access() {
                continue;
            }
            let plan = self
                .plan(state.plan_id)
                .await?
                .ok_or_else(|| crate::StoreError::Corrupt(format!("subscription {} on no plan", subscription.id)))?;
            benefits.extend(plan.benefits);
        }
        benefits.sort();
        benefits.dedup();
        Ok(benefits)
    }
}
