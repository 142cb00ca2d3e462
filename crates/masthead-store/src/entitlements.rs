//! Entitlements: which benefits a reader holds at an instant.
//!
//! They come from subscriptions that give access now (the benefits of the
//! plan paid for: the reader's own, and those of the groups they hold a
//! seat of) and from grants
//! (complimentary access an admin gives, with an optional end), so that one
//! question — "does this reader have benefit X now" — has one answer.

use chrono::{DateTime, Utc};
use masthead_domain::access::Benefit;
use masthead_domain::subscription::{self, State};

use crate::{GRACE, Result, Store, on_pool};

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
        Ok(self.benefits_until(reader_id, at).await?.0)
    }

    /// [`Self::benefits`], with the first instant after `at` at which they
    /// may change without anything being written: a grant starting or
    /// ending, a paid term or its grace ending, a ledger event dated later.
    /// Until then — and while the access counter has not moved — they hold.
    pub async fn benefits_until(
        &self,
        reader_id: i64,
        at: DateTime<Utc>,
    ) -> Result<(Vec<Benefit>, Option<DateTime<Utc>>)> {
        let grants: Vec<(String, i64, Option<i64>)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT benefit, starts_at, ends_at FROM entitlement_grants WHERE reader_id = $1",
        )
        .bind(reader_id)
        .fetch_all(pool)
        .await)?;
        let now = at.timestamp();
        let mut benefits = Vec::new();
        let mut changes: Vec<DateTime<Utc>> = Vec::new();
        for (benefit, starts_at, ends_at) in grants {
            if starts_at <= now && ends_at.is_none_or(|end| end > now) {
                benefits.extend(Benefit::parse(&benefit));
            }
            for change in [Some(starts_at), ends_at].into_iter().flatten().filter(|t| *t > now) {
                changes.push(crate::instant(change)?);
            }
        }
        // Their own subscriptions, and those of the groups they hold a seat of.
        let own = self.reader_subscriptions(reader_id).await?.into_iter().map(|s| s.id);
        for subscription in own.chain(self.seat_subscriptions(reader_id).await?) {
            let ledger = self.ledger(subscription).await?;
            let state = subscription::fold(&ledger, at, GRACE);
            changes.extend(subscription::next_change(&ledger, state.as_ref(), at, GRACE));
            let Some(state) = state.filter(State::has_access) else { continue };
            let plan = self
                .plan(state.plan_id)
                .await?
                .ok_or_else(|| crate::StoreError::Corrupt(format!("subscription {subscription} on no plan")))?;
            benefits.extend(plan.benefits);
        }
        benefits.sort();
        benefits.dedup();
        Ok((benefits, changes.into_iter().min()))
    }
}
