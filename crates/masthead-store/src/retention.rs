//! Retention offers: at most one offer (a discount) is marked as the one a
//! cancelling reader is shown, and each subscription decides on it once
//! (`retention_decisions`, one row per subscription): accepting appends a
//! `retention_accepted` entry to its ledger (which prices its next charge,
//! or every one: `masthead_domain::offer::charge_due`) and counts against the
//! offer's cap, in one transaction; cancelling declines it. Either way it is
//! not shown to that subscription again.

use chrono::{DateTime, Utc};
use masthead_domain::offer::{Offer, OfferRefusal};
use masthead_domain::subscription::Event;

use crate::BeginWrite;
use crate::billing::append_in;
use crate::offers::COUNT_REDEMPTION;
use crate::{Result, Store, on_pool};

impl Store {
    /// Makes offer `id` the retention offer (none other is), or none with
    /// `None`; false when there is no such discount offer (a trial cannot be one).
    pub async fn set_retention_offer(&self, id: Option<i64>) -> Result<bool> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("UPDATE offers SET retention = FALSE WHERE retention").execute(&mut *tx).await?;
            if let Some(id) = id {
                let set = sqlx::query(
                    "UPDATE offers SET retention = TRUE WHERE id = $1 AND kind IN ('percent', 'fixed')",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if set == 0 {
                    return Ok(false);
                }
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// The retention offer, if one is marked.
    pub async fn retention_offer(&self) -> Result<Option<Offer>> {
        let id: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as("SELECT id FROM offers WHERE retention")
            .fetch_optional(pool)
            .await)?;
        match id {
            Some((id,)) => self.offer(id).await,
            None => Ok(None),
        }
    }

    /// Whether a subscription has decided on a retention offer (accepted or declined).
    pub async fn retention_decided(&self, subscription_id: i64) -> Result<bool> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT subscription_id FROM retention_decisions WHERE subscription_id = $1",
        )
        .bind(subscription_id)
        .fetch_optional(pool)
        .await)?;
        Ok(row.is_some())
    }

    /// Accepts `offer` for a subscription: its decision, the cap's counter
    /// and the ledger entry, or nothing — `AlreadyUsed` when it decided
    /// before, `Exhausted` at the cap.
    pub async fn accept_retention(
        &self,
        subscription_id: i64,
        offer: &Offer,
        at: DateTime<Utc>,
    ) -> Result<std::result::Result<(), OfferRefusal>> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let first = sqlx::query(
                "INSERT INTO retention_decisions (subscription_id, offer_id, accepted, decided_at)
                 VALUES ($1, $2, TRUE, $3) ON CONFLICT DO NOTHING",
            )
            .bind(subscription_id)
            .bind(offer.id)
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
            append_in!(tx, subscription_id, at, Event::RetentionAccepted { offer_id: offer.id });
            tx.commit().await?;
            Ok(Ok(()))
        })
    }

    /// Records that a subscription declined the retention offer (it was
    /// cancelled); nothing when it decided before.
    pub async fn decline_retention(&self, subscription_id: i64, at: DateTime<Utc>) -> Result<()> {
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO retention_decisions (subscription_id, offer_id, accepted, decided_at)
             SELECT $1, (SELECT id FROM offers WHERE retention), FALSE, $2 ON CONFLICT DO NOTHING",
        )
        .bind(subscription_id)
        .bind(at.timestamp())
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }
}
