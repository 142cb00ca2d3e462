//! Offers and their redemptions. An offer is redeemed in the transaction
//! that creates the subscription it prices ([`Store::subscribe_with_offer`]):
//! the reader's redemption row (one per reader and offer) and the cap's
//! counter, incremented only while under the cap, go in with the
//! subscription and its `offer_applied` ledger entry, or nothing does. On
//! PostgreSQL the counter's row is locked until commit and the cap is
//! checked again once the lock is had; SQLite holds the write lock — so the
//! cap is exact across connections and instances. A checkout abandoned for
//! longer than it can be paid gives its redemption back
//! ([`Store::release_abandoned_redemptions`], from the renewal job).

use chrono::{DateTime, Utc};
use masthead_domain::Paise;
use masthead_domain::offer::{Offer, OfferDraft, OfferKind, OfferRefusal};
use masthead_domain::plan::Plan;
use masthead_domain::subscription::Event;

use crate::BeginWrite;
use crate::billing::{APPEND, append_in, columns};
use crate::{Result, Store, StoreError, instant, on_pool};

#[derive(sqlx::FromRow)]
pub(crate) struct OfferRow {
    id: i64,
    code: String,
    name: String,
    kind: String,
    amount: i64,
    trial_days: i64,
    forever: bool,
    plan_ids: String,
    valid_from: i64,
    valid_until: i64,
    cap: Option<i64>,
    redeemed: i64,
}

impl TryFrom<OfferRow> for Offer {
    type Error = StoreError;

    fn try_from(row: OfferRow) -> Result<Self> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("offer {} {what}", row.id));
        let count = |n: i64, what: &str| u32::try_from(n).map_err(|_| corrupt(what));
        let kind = match row.kind.as_str() {
            "percent" => OfferKind::Percent { percent: count(row.amount, "percent")? },
            "fixed" => OfferKind::Fixed { off: Paise(row.amount) },
            "trial" => OfferKind::Trial { days: count(row.trial_days, "trial days")?, price: Paise(row.amount) },
            _ => return Err(corrupt("kind")),
        };
        let plan_ids = row
            .plan_ids
            .split(',')
            .filter(|p| !p.is_empty())
            .map(|p| p.parse::<i64>().map_err(|_| corrupt("plans")))
            .collect::<Result<Vec<_>>>()?;
        Ok(Offer {
            kind,
            plan_ids,
            cap: row.cap.map(|c| count(c, "cap")).transpose()?,
            redeemed: count(row.redeemed, "redemptions")?,
            valid_from: instant(row.valid_from)?,
            valid_until: instant(row.valid_until)?,
            id: row.id,
            code: row.code,
            name: row.name,
            forever: row.forever,
        })
    }
}

/// `SELECT` of every offer column, then `$tail`.
macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT id, code, name, kind, amount, trial_days, forever, plan_ids, valid_from, valid_until, cap, redeemed
             FROM offers ",
            $tail
        )
    };
}

/// Counts a redemption against offer `$1`'s cap: no row changes at the cap.
pub(crate) const COUNT_REDEMPTION: &str =
    "UPDATE offers SET redeemed = redeemed + 1 WHERE id = $1 AND (cap IS NULL OR redeemed < cap)";

/// One offer by id (for the payment's transaction).
pub(crate) const OFFER_BY_ID: &str = select!("WHERE id = $1");

/// The kind's column and its amount's.
fn kind_columns(kind: OfferKind) -> (&'static str, i64, i64) {
    match kind {
        OfferKind::Percent { percent } => ("percent", i64::from(percent), 0),
        OfferKind::Fixed { off } => ("fixed", off.0, 0),
        OfferKind::Trial { days, price } => ("trial", price.0, i64::from(days)),
    }
}

impl Store {
    /// Saves a new offer; `None` when another offer has its code.
    pub async fn create_offer(&self, draft: &OfferDraft, at: DateTime<Utc>) -> Result<Option<i64>> {
        let (kind, amount, trial_days) = kind_columns(draft.kind);
        let plans = draft.plan_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let id: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "INSERT INTO offers (code, name, kind, amount, trial_days, forever, plan_ids, valid_from, valid_until, cap,
                                 created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (code) DO NOTHING RETURNING id",
        )
        .bind(&draft.code)
        .bind(&draft.name)
        .bind(kind)
        .bind(amount)
        .bind(trial_days)
        .bind(draft.forever)
        .bind(plans)
        .bind(draft.valid_from.timestamp())
        .bind(draft.valid_until.timestamp())
        .bind(draft.cap.map(i64::from))
        .bind(at.timestamp())
        .fetch_optional(pool)
        .await)?;
        Ok(id.map(|(id,)| id))
    }

    /// Every offer, newest first.
    pub async fn offers(&self) -> Result<Vec<Offer>> {
        let rows: Vec<OfferRow> =
            on_pool!(self, pool => sqlx::query_as(select!("ORDER BY id DESC")).fetch_all(pool).await)?;
        rows.into_iter().map(Offer::try_from).collect()
    }

    /// An offer by id.
    pub async fn offer(&self, id: i64) -> Result<Option<Offer>> {
        let row: Option<OfferRow> =
            on_pool!(self, pool => sqlx::query_as(OFFER_BY_ID).bind(id).fetch_optional(pool).await)?;
        row.map(Offer::try_from).transpose()
    }

    /// An offer by its code, in any case.
    pub async fn offer_by_code(&self, code: &str) -> Result<Option<Offer>> {
        let code = code.trim().to_ascii_uppercase();
        let row: Option<OfferRow> =
            on_pool!(self, pool => sqlx::query_as(select!("WHERE code = $1")).bind(code).fetch_optional(pool).await)?;
        row.map(Offer::try_from).transpose()
    }

    /// Ends an offer at `at` (sooner than planned; never later); false when
    /// there is no such offer. Subscriptions that redeemed it keep it.
    pub async fn end_offer(&self, id: i64, at: DateTime<Utc>) -> Result<bool> {
        let changed = on_pool!(self, pool => sqlx::query(
            "UPDATE offers SET valid_until = CASE WHEN valid_until > $2 THEN $2 ELSE valid_until END WHERE id = $1",
        )
        .bind(id)
        .bind(at.timestamp())
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(changed == 1)
    }

    /// A new subscription on `plan`, pending payment, that redeems the offer
    /// `code` — or, refused with the reason, nothing stored: no such code, not
    /// valid now, not for this plan, redeemed by this reader before, or its
    /// cap reached.
    pub async fn subscribe_with_offer(
        &self,
        reader_id: i64,
        plan: &Plan,
        provider: &str,
        code: &str,
        at: DateTime<Utc>,
    ) -> Result<std::result::Result<i64, OfferRefusal>> {
        let Some(offer) = self.offer_by_code(code).await? else { return Ok(Err(OfferRefusal::Unknown)) };
        if let Err(refusal) = offer.check(plan, at) {
            return Ok(Err(refusal));
        }
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO subscriptions (reader_id, plan_id, provider, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(reader_id)
            .bind(plan.id)
            .bind(provider)
            .bind(at.timestamp())
            .fetch_one(&mut *tx)
            .await?;
            for event in [Event::Created { plan_id: plan.id }, Event::OfferApplied { offer_id: offer.id }] {
                let (kind, plan_id, payment, from, until, offer_id) = columns(&event);
                sqlx::query(APPEND)
                    .bind(id).bind(at.timestamp()).bind(kind).bind(plan_id).bind(payment).bind(from).bind(until)
                    .bind(offer_id)
                    .execute(&mut *tx)
                    .await?;
            }
            let first = sqlx::query(
                "INSERT INTO offer_redemptions (offer_id, reader_id, subscription_id, redeemed_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(offer.id)
            .bind(reader_id)
            .bind(id)
            .bind(at.timestamp())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if first == 0 {
                return Ok(Err(OfferRefusal::AlreadyUsed));
            }
            let counted = sqlx::query(COUNT_REDEMPTION)
            .bind(offer.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if counted == 0 {
                return Ok(Err(OfferRefusal::Exhausted));
            }
            tx.commit().await?;
            Ok(Ok(id))
        })
    }

    /// How many subscriptions redeemed an offer (its redemption rows).
    pub async fn offer_redemptions(&self, offer_id: i64) -> Result<u64> {
        let (count,): (i64,) = on_pool!(self, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM offer_redemptions WHERE offer_id = $1",
        )
        .bind(offer_id)
        .fetch_one(pool)
        .await)?;
        Ok(u64::try_from(count).unwrap_or_default())
    }

    /// Gives back the redemptions of checkouts abandoned before `before`:
    /// a subscription that redeemed an offer then and has no payment at all
    /// loses its redemption row, the offer's cap counter goes down by one,
    /// and its ledger records `offer_released` (so a late payment is priced
    /// without the offer, and held for review if it was the offer's price) —
    /// each in one transaction. Returns how many were released.
    pub async fn release_abandoned_redemptions(&self, before: DateTime<Utc>, at: DateTime<Utc>) -> Result<u32> {
        let stale: Vec<(i64, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT r.subscription_id, r.offer_id FROM offer_redemptions r WHERE r.redeemed_at < $1
             AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.subscription_id = r.subscription_id)
             ORDER BY r.subscription_id",
        )
        .bind(before.timestamp())
        .fetch_all(pool)
        .await)?;
        let mut released = 0;
        for (subscription_id, offer_id) in stale {
            released += u32::from(self.release_redemption(subscription_id, offer_id, at).await?);
        }
        Ok(released)
    }

    /// One of [`Self::release_abandoned_redemptions`]; false when the
    /// subscription was paid (or released) meanwhile.
    async fn release_redemption(&self, subscription_id: i64, offer_id: i64, at: DateTime<Utc>) -> Result<bool> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let deleted = sqlx::query(
                "DELETE FROM offer_redemptions WHERE subscription_id = $1 AND offer_id = $2
                 AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.subscription_id = $1)",
            )
            .bind(subscription_id)
            .bind(offer_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if deleted == 0 {
                return Ok(false);
            }
            sqlx::query("UPDATE offers SET redeemed = redeemed - 1 WHERE id = $1 AND redeemed > 0")
                .bind(offer_id)
                .execute(&mut *tx)
                .await?;
            append_in!(tx, subscription_id, at, Event::OfferReleased);
            tx.commit().await?;
            Ok(true)
        })
    }
}
