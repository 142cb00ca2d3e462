//! Subscriptions, their ledger, provider webhooks and payments.
//!
//! The ledger is append-only; a subscription's state is
//! `masthead_domain::subscription::fold` of it. Webhooks are stored before
//! they are processed, once per provider event id, and payments once per
//! provider payment id, so a webhook delivered twenty times at once is one
//! payment, with its invoice issued in the same transaction. Renewal
//! attempts and reminder notices are claimed by inserting a row, so two job
//! runners never charge or mail twice.
//!
//! A payment counts only when it is the price due — the plan the
//! subscription renews on, as the offer it redeemed prices it
//! (`masthead_domain::offer::next_charge`), in rupees ([`is_price_due`]); any other amount is
//! stored with the payment, never applied (no term, no invoice), and kept in
//! `payment_reviews` for admins ([`Store::payments_for_review`]).

use crate::BeginWrite;
use chrono::{DateTime, Duration, Utc};
use masthead_domain::offer::{self, Length, Offer};
use masthead_domain::plan::Plan;
use masthead_domain::subscription::{self, Entry, Event, State};
use masthead_domain::tax::{self, GstSplit, Seller};
use masthead_domain::{Paise, PublisherZone};

use crate::groups::{self, GroupBuyer};
use crate::invoices::{self, GiftLine, Invoice};
use crate::offers::{self, OfferRow};
use crate::plans::{self, PlanRow};
use crate::{Result, Store, StoreError, instant, on_pool};

/// How long a failed renewal keeps access.
pub const GRACE: Duration = Duration::days(7);

/// A subscription as stored (its state comes from its ledger).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SubscriptionRecord {
    /// Our id.
    pub id: i64,
    /// Whose it is.
    pub reader_id: i64,
    /// The plan first chosen.
    pub plan_id: i64,
    /// The provider that takes the money ("sandbox", "stripe", "razorpay").
    pub provider: String,
    /// The saved payment method renewals charge, once a payment saved one.
    pub payment_method: Option<String>,
}

/// A payment a provider reported.
#[derive(Debug, Clone)]
pub struct PaymentIn<'a> {
    /// The provider.
    pub provider: &'a str,
    /// The provider's payment id.
    pub payment_id: &'a str,
    /// Our subscription.
    pub subscription_id: i64,
    /// Minor units.
    pub amount: i64,
    /// Lowercase ISO code.
    pub currency: &'a str,
}

/// The currency plans are priced in, as providers name it (lowercase ISO).
pub const PLAN_CURRENCY: &str = "inr";

/// Whether a payment of `amount` in `currency` is the price due: exactly
/// `price`, in rupees. Anything else — short, over, another currency — is
/// not applied (see [`Recorded::Held`]).
pub fn is_price_due(amount: i64, currency: &str, price: Paise) -> bool {
    amount == price.0 && currency.eq_ignore_ascii_case(PLAN_CURRENCY)
}

/// What became of a payment a provider reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// The price due: it paid for the next term, and this invoice was issued.
    Applied(Box<Invoice>),
    /// Not the price due: stored, not applied, listed for an admin to review.
    Held {
        /// What was due.
        expected: Paise,
    },
    /// A free trial (nothing was due): its term began, without an invoice.
    Free {
        /// The end of the trial.
        until: DateTime<Utc>,
    },
    /// This provider payment id was recorded before: nothing done.
    Duplicate,
}

/// A payment held for review, as admins see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentReview {
    /// The provider that took the money.
    pub provider: String,
    /// The provider's payment id.
    pub payment_id: String,
    /// The subscription it was for.
    pub subscription_id: i64,
    /// The subscriber's address.
    pub reader_email: String,
    /// The plan whose price was due.
    pub plan_name: String,
    /// What was due, and in which currency.
    pub expected: (Paise, String),
    /// What arrived, and in which currency.
    pub received: (Paise, String),
    /// When it was held.
    pub held_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct ReviewRow {
    provider: String,
    payment_id: String,
    subscription_id: i64,
    email: String,
    plan_name: String,
    expected_amount: i64,
    expected_currency: String,
    amount: i64,
    currency: String,
    held_at: i64,
}

/// Who issues the invoice a payment produces, and how it is numbered.
#[derive(Debug, Clone, Copy)]
pub struct Issuer<'a> {
    /// The publisher's invoice details.
    pub seller: &'a Seller,
    /// Invoice number prefix (`MH` gives `MH/2026-27/000001`).
    pub prefix: &'a str,
    /// The financial year turns in the publisher's calendar.
    pub zone: PublisherZone,
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    seq: i64,
    at: i64,
    kind: String,
    plan_id: Option<i64>,
    payment_id: Option<String>,
    period_from: Option<i64>,
    period_until: Option<i64>,
    offer_id: Option<i64>,
}

impl TryFrom<EventRow> for Entry {
    type Error = StoreError;

    fn try_from(row: EventRow) -> Result<Self> {
        let corrupt = || StoreError::Corrupt(format!("ledger entry {} ({}) lacks a field", row.seq, row.kind));
        let event = match row.kind.as_str() {
            "created" => Event::Created { plan_id: row.plan_id.ok_or_else(corrupt)? },
            "paid" | "trial" => Event::Paid {
                payment_id: row.payment_id.clone().ok_or_else(corrupt)?,
                plan_id: row.plan_id.ok_or_else(corrupt)?,
                from: instant(row.period_from.ok_or_else(corrupt)?)?,
                until: instant(row.period_until.ok_or_else(corrupt)?)?,
                trial: row.kind == "trial",
            },
            "offer_applied" => Event::OfferApplied { offer_id: row.offer_id.ok_or_else(corrupt)? },
            "payment_failed" => Event::PaymentFailed,
            "offer_released" => Event::OfferReleased,
            "cancelled" => Event::Cancelled,
            "resumed" => Event::Resumed,
            "paused" => Event::Paused { until: instant(row.period_until.ok_or_else(corrupt)?)? },
            "retention_accepted" => Event::RetentionAccepted { offer_id: row.offer_id.ok_or_else(corrupt)? },
            "switch_requested" => Event::SwitchRequested { plan_id: row.plan_id.ok_or_else(corrupt)? },
            "gifted" => Event::Gifted {
                payment_id: row.payment_id.clone().ok_or_else(corrupt)?,
                from: instant(row.period_from.ok_or_else(corrupt)?)?,
                until: instant(row.period_until.ok_or_else(corrupt)?)?,
            },
            "refunded" => Event::Refunded {
                payment_id: row.payment_id.clone().ok_or_else(corrupt)?,
                access_until: row.period_until.map(instant).transpose()?,
            },
            other => return Err(StoreError::Corrupt(format!("unknown ledger entry kind {other:?}"))),
        };
        Ok(Entry { at: instant(row.at)?, seq: row.seq, event })
    }
}

/// The stored columns of an event: kind, plan, payment, period, offer.
type EventColumns<'a> = (&'static str, Option<i64>, Option<&'a str>, Option<i64>, Option<i64>, Option<i64>);

pub(crate) fn columns(event: &Event) -> EventColumns<'_> {
    match event {
        Event::Created { plan_id } => ("created", Some(*plan_id), None, None, None, None),
        Event::Paid { payment_id, plan_id, from, until, trial } => (
            if *trial { "trial" } else { "paid" },
            Some(*plan_id),
            Some(payment_id),
            Some(from.timestamp()),
            Some(until.timestamp()),
            None,
        ),
        Event::OfferApplied { offer_id } => ("offer_applied", None, None, None, None, Some(*offer_id)),
        Event::PaymentFailed => ("payment_failed", None, None, None, None, None),
        Event::OfferReleased => ("offer_released", None, None, None, None, None),
        Event::Cancelled => ("cancelled", None, None, None, None, None),
        Event::Resumed => ("resumed", None, None, None, None, None),
        Event::Paused { until } => ("paused", None, None, None, Some(until.timestamp()), None),
        Event::RetentionAccepted { offer_id } => ("retention_accepted", None, None, None, None, Some(*offer_id)),
        Event::SwitchRequested { plan_id } => ("switch_requested", Some(*plan_id), None, None, None, None),
        Event::Gifted { payment_id, from, until } => {
            ("gifted", None, Some(payment_id), Some(from.timestamp()), Some(until.timestamp()), None)
        }
        Event::Refunded { payment_id, access_until } => {
            ("refunded", None, Some(payment_id), None, access_until.map(|u| u.timestamp()), None)
        }
    }
}

pub(crate) const LEDGER: &str = "SELECT seq, at, kind, plan_id, payment_id, period_from, period_until, offer_id
     FROM subscription_events WHERE subscription_id = $1 ORDER BY at, seq";

pub(crate) const APPEND: &str = "INSERT INTO subscription_events
     (subscription_id, at, kind, plan_id, payment_id, period_from, period_until, offer_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// Appends `$event` (an `Event`) to subscription `$id`'s ledger at `$at`
/// in the transaction `$tx`.
macro_rules! append_in {
    ($tx:expr, $id:expr, $at:expr, $event:expr) => {{
        let event: Event = $event;
        let (kind, plan, payment, from, until, offer) = $crate::billing::columns(&event);
        sqlx::query($crate::billing::APPEND)
            .bind($id)
            .bind($at.timestamp())
            .bind(kind)
            .bind(plan)
            .bind(payment)
            .bind(from)
            .bind(until)
            .bind(offer)
            .execute(&mut *$tx)
            .await?;
    }};
}

/// Inserts a pending subscription of `$reader` on `$plan` through
/// `$provider` and its `created` entry in the transaction `$tx`; its id.
macro_rules! insert_subscription {
    ($tx:expr, $reader:expr, $plan:expr, $provider:expr, $at:expr) => {{
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO subscriptions (reader_id, plan_id, provider, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind($reader)
        .bind($plan)
        .bind($provider)
        .bind($at.timestamp())
        .fetch_one(&mut *$tx)
        .await?;
        $crate::billing::append_in!($tx, id, $at, Event::Created { plan_id: $plan });
        id
    }};
}

pub(crate) use {append_in, insert_subscription};

impl Store {
    /// A new subscription on `plan_id`, pending payment.
    pub async fn create_subscription(
        &self,
        reader_id: i64,
        plan_id: i64,
        provider: &str,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id = insert_subscription!(tx, reader_id, plan_id, provider, at);
            tx.commit().await?;
            Ok(id)
        })
    }

    /// A subscription by id.
    pub async fn subscription(&self, id: i64) -> Result<Option<SubscriptionRecord>> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT id, reader_id, plan_id, provider, payment_method FROM subscriptions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?)
    }

    /// A reader's own subscriptions, newest first (not the gifts they bought
    /// for others: those pay for someone else's, see `gifts`; nor the groups
    /// they manage: those are the company's).
    pub async fn reader_subscriptions(&self, reader_id: i64) -> Result<Vec<SubscriptionRecord>> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT id, reader_id, plan_id, provider, payment_method FROM subscriptions s WHERE reader_id = $1
             AND NOT EXISTS (SELECT 1 FROM gifts g WHERE g.subscription_id = s.id)
             AND NOT EXISTS (SELECT 1 FROM group_subscriptions g WHERE g.subscription_id = s.id) ORDER BY id DESC",
        )
        .bind(reader_id)
        .fetch_all(pool)
        .await)?)
    }

    /// A subscription's ledger, in order.
    pub async fn ledger(&self, subscription_id: i64) -> Result<Vec<Entry>> {
        let rows: Vec<EventRow> =
            on_pool!(self, pool => sqlx::query_as(LEDGER).bind(subscription_id).fetch_all(pool).await)?;
        rows.into_iter().map(Entry::try_from).collect()
    }

    /// A subscription's state at `at`.
    pub async fn subscription_state(&self, subscription_id: i64, at: DateTime<Utc>) -> Result<Option<State>> {
        Ok(subscription::fold(&self.ledger(subscription_id).await?, at, GRACE))
    }

    /// Appends an event to a subscription's ledger.
    pub async fn append_event(&self, subscription_id: i64, at: DateTime<Utc>, event: &Event) -> Result<()> {
        let (kind, plan, payment, from, until, offer) = columns(event);
        on_pool!(self, pool => sqlx::query(APPEND)
            .bind(subscription_id).bind(at.timestamp()).bind(kind).bind(plan).bind(payment).bind(from).bind(until)
            .bind(offer)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Stores a provider's webhook before it is processed; false when this
    /// event id was stored before (a retry or a parallel delivery).
    pub async fn record_webhook(
        &self,
        provider: &str,
        event_id: &str,
        event_type: &str,
        body: &str,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let inserted = on_pool!(self, pool => sqlx::query(
            "INSERT INTO webhook_events (provider, event_id, event_type, body, received_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(provider)
        .bind(event_id)
        .bind(event_type)
        .bind(body)
        .bind(at.timestamp())
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(inserted == 1)
    }

    /// Whether a stored webhook was processed to the end.
    pub async fn webhook_processed(&self, provider: &str, event_id: &str) -> Result<bool> {
        let row: Option<(Option<i64>,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT processed_at FROM webhook_events WHERE provider = $1 AND event_id = $2",
        )
        .bind(provider)
        .bind(event_id)
        .fetch_optional(pool)
        .await)?;
        Ok(row.is_some_and(|(at,)| at.is_some()))
    }

    /// Marks a stored webhook as processed.
    pub async fn mark_webhook_processed(&self, provider: &str, event_id: &str, at: DateTime<Utc>) -> Result<()> {
        on_pool!(self, pool => sqlx::query(
            "UPDATE webhook_events SET processed_at = $3 WHERE provider = $1 AND event_id = $2",
        )
        .bind(provider)
        .bind(event_id)
        .bind(at.timestamp())
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Records a payment once: the first time a provider's payment id is seen,
    /// it is stored and, when it is the price due, pays for the next term (or
    /// the trial its offer gives, invoiced only when it cost something) —
    /// from the end of the paid term, or from now if the subscription had
    /// lapsed — on the plan the renewal is due on, and issues the invoice, in
    /// one transaction. Any other amount is held for review instead.
    #[tracing::instrument(skip(self, issuer), fields(provider = payment.provider, payment = payment.payment_id))]
    pub async fn record_payment(
        &self,
        payment: &PaymentIn<'_>,
        at: DateTime<Utc>,
        issuer: Issuer<'_>,
    ) -> Result<Recorded> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let inserted = sqlx::query(
                "INSERT INTO payments (provider, payment_id, subscription_id, amount, currency, paid_at)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            )
            .bind(payment.provider)
            .bind(payment.payment_id)
            .bind(payment.subscription_id)
            .bind(payment.amount)
            .bind(payment.currency)
            .bind(at.timestamp())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                tx.commit().await?;
                return Ok(Recorded::Duplicate);
            }
            // The funnel's paid event, so that its count is this table's
            // payments of money: a free trial's ₹0 is no paid conversion (its
            // first charge at the trial's end is).
            if payment.amount > 0 {
                sqlx::query(crate::insights::PAID)
                    .bind(issuer.zone.date(at).to_string())
                    .bind(at.timestamp())
                    .bind(payment.subscription_id)
                    .execute(&mut *tx)
                    .await?;
            }
            let rows: Vec<EventRow> = sqlx::query_as(LEDGER).bind(payment.subscription_id).fetch_all(&mut *tx).await?;
            let ledger = rows.into_iter().map(Entry::try_from).collect::<Result<Vec<_>>>()?;
            let state = subscription::fold(&ledger, at, GRACE)
                .ok_or_else(|| StoreError::Corrupt(format!("subscription {} has no ledger", payment.subscription_id)))?;
            // What was due: the plan it renews on, priced by the offer it redeemed.
            let plan_row: PlanRow =
                sqlx::query_as(plans::PLAN_BY_ID).bind(state.plan_due()).fetch_one(&mut *tx).await?;
            let plan = Plan::try_from(plan_row)?;
            let mut offer_by_id = async |id: Option<i64>| -> Result<Option<Offer>> {
                let Some(id) = id else { return Ok(None) };
                let row: OfferRow = sqlx::query_as(offers::OFFER_BY_ID).bind(id).fetch_one(&mut *tx).await?;
                Ok(Some(Offer::try_from(row)?))
            };
            let redeemed = offer_by_id(state.offer_id).await?;
            let retention = offer_by_id(state.retention.map(|r| r.offer_id)).await?;
            // A group's subscription pays once per seat, and is invoiced to the company.
            let group: Option<GroupBuyer> =
                sqlx::query_as(groups::BUYER).bind(payment.subscription_id).fetch_optional(&mut *tx).await?;
            let (charge, priced_by) = offer::charge_due(&plan, redeemed.as_ref(), retention.as_ref(), Some(&state));
            let charge = charge.seats(group.as_ref().map_or(1, GroupBuyer::seats));
            let plan_id = plan.id;
            if !is_price_due(payment.amount, payment.currency, charge.amount) {
                sqlx::query(
                    "INSERT INTO payment_reviews
                     (provider, payment_id, subscription_id, plan_id, expected_amount, expected_currency, held_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(payment.provider).bind(payment.payment_id).bind(payment.subscription_id).bind(plan_id)
                .bind(charge.amount.0).bind(PLAN_CURRENCY).bind(at.timestamp())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                return Ok(Recorded::Held { expected: charge.amount });
            }
            // A renewal (in time, or during the grace period, which the
            // reader had access through) follows the old term without a gap;
            // after a lapse the new term starts now.
            // After a pause, the term starts on the day it ended.
            let from = state.renewal_at().filter(|end| at < *end + GRACE).unwrap_or(at);
            let until = charge.until(from).ok_or_else(|| StoreError::Corrupt(format!("term of plan {plan_id}")))?;
            let event =
                Event::Paid { payment_id: payment.payment_id.to_owned(), plan_id, from, until, trial: charge.trial };
            let (kind, plan_column, paid, period_from, period_until, offer_column) = columns(&event);
            sqlx::query(APPEND)
                .bind(payment.subscription_id).bind(at.timestamp()).bind(kind).bind(plan_column).bind(paid)
                .bind(period_from).bind(period_until).bind(offer_column)
                .execute(&mut *tx)
                .await?;
            // A free trial supplies nothing for a price: no invoice.
            if charge.amount.0 == 0 {
                tx.commit().await?;
                return Ok(Recorded::Free { until });
            }
            let plan_name = match (charge.length, &group) {
                (Length::Days(days), _) if charge.trial => format!("{} ({days}-day trial)", plan.name),
                (_, Some(group)) => format!("{}, {} seats", plan.name, group.seats),
                _ => plan.name.clone(),
            };
            // The invoice: buyer as the reader last gave their details (the
            // seller's state when they never did), numbered in this year's sequence.
            let (reader_id, email): (i64, String) = sqlx::query_as(
                "SELECT r.id, r.email FROM subscriptions s JOIN readers r ON r.id = s.reader_id WHERE s.id = $1",
            )
            .bind(payment.subscription_id)
            .fetch_one(&mut *tx)
            .await?;
            let profile: Option<(String, String)> =
                sqlx::query_as("SELECT name, state FROM billing_profiles WHERE reader_id = $1")
                    .bind(reader_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let (buyer_name, buyer_state, buyer_gstin) = match group {
                Some(group) => (group.company, group.buyer_state, Some(group.gstin)),
                None => {
                    let (name, state) = profile.unwrap_or_else(|| (email, issuer.seller.state.clone()));
                    (name, state, None)
                }
            };
            let year = tax::financial_year(issuer.zone.date(at));
            let (sequence,): (i64,) =
                sqlx::query_as(invoices::NEXT_SEQUENCE).bind(i64::from(year)).fetch_one(&mut *tx).await?;
            let same_state = buyer_state == issuer.seller.state;
            let paid_amount = masthead_domain::Paise(payment.amount);
            // A discount is given on the invoice, before tax; a trial has its own price.
            let (split, discount) = if charge.trial {
                (GstSplit::of(paid_amount, same_state), Paise(0))
            } else {
                GstSplit::discounted(charge.list_price, paid_amount, same_state)
            };
            let offer_code = priced_by.map(|o| o.code.clone());
            // A gift's purchase: its invoice says whom it is for.
            let gift: Option<(String, i64)> = sqlx::query_as(
                "SELECT g.recipient_email, p.term_months FROM gifts g JOIN plans p ON p.id = g.plan_id
                 WHERE g.subscription_id = $1",
            )
            .bind(payment.subscription_id)
            .fetch_optional(&mut *tx)
            .await?;
            let gift = gift
                .map(|(recipient, term)| {
                    let term_months =
                        u32::try_from(term).map_err(|_| StoreError::Corrupt(format!("term of plan {plan_id}")))?;
                    Ok::<_, StoreError>(GiftLine { recipient, term_months })
                })
                .transpose()?;
            let invoice = Invoice {
                number: tax::invoice_number(issuer.prefix, year, u64::try_from(sequence).unwrap_or_default()),
                financial_year: year,
                sequence,
                reader_id,
                subscription_id: payment.subscription_id,
                issued_at: at,
                plan_name,
                period: (from, until),
                amount: masthead_domain::Paise(payment.amount),
                taxable: split.taxable,
                cgst: split.cgst,
                sgst: split.sgst,
                igst: split.igst,
                discount,
                offer_code,
                buyer_name,
                buyer_state,
                buyer_gstin,
                seller: issuer.seller.clone(),
                sac: tax::SAC_CODE.to_owned(),
                gift,
            };
            sqlx::query(invoices::INSERT)
                .bind(&invoice.number).bind(i64::from(year)).bind(sequence).bind(payment.provider)
                .bind(payment.payment_id).bind(payment.subscription_id).bind(reader_id).bind(at.timestamp())
                .bind(&invoice.plan_name).bind(from.timestamp()).bind(until.timestamp()).bind(payment.amount)
                .bind(split.taxable.0).bind(split.cgst.0).bind(split.sgst.0).bind(split.igst.0)
                .bind(&invoice.buyer_name).bind(&invoice.buyer_state).bind(&invoice.seller.name)
                .bind(&invoice.seller.address).bind(&invoice.seller.gstin).bind(&invoice.seller.state)
                .bind(&invoice.sac).bind(invoice.discount.0).bind(&invoice.offer_code).bind(&invoice.buyer_gstin)
                .bind(invoice.gift.as_ref().map(|g| g.recipient.as_str()))
                .bind(invoice.gift.as_ref().map(|g| i64::from(g.term_months)))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(Recorded::Applied(Box::new(invoice)))
        })
    }

    /// Saves the payment method renewals charge.
    pub async fn set_payment_method(&self, subscription_id: i64, method: &str) -> Result<()> {
        on_pool!(self, pool => sqlx::query("UPDATE subscriptions SET payment_method = $2 WHERE id = $1")
            .bind(subscription_id)
            .bind(method)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Subscriptions paid (or gifted) through, or paused until, some instant
    /// after `after`: those the renewal job may have to act on (renew,
    /// remind, end, grant codes). A gift's purchase is not one: it renews nothing.
    pub async fn subscriptions_paid_past(&self, after: DateTime<Utc>) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT subscription_id FROM subscription_events WHERE kind IN ('paid', 'trial', 'gifted', 'paused')
               AND subscription_id NOT IN (SELECT subscription_id FROM gifts)
             GROUP BY subscription_id HAVING MAX(period_until) > $1 ORDER BY subscription_id",
        )
        .bind(after.timestamp())
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Claims the renewal charge of the term ending at `period_end`: true for
    /// the one caller that gets to charge it.
    pub async fn claim_renewal(
        &self,
        subscription_id: i64,
        period_end: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let inserted = on_pool!(self, pool => sqlx::query(
            "INSERT INTO renewal_attempts (subscription_id, period_end, attempted_at) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(subscription_id)
        .bind(period_end.timestamp())
        .bind(at.timestamp())
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(inserted == 1)
    }

    /// Claims sending the notice `kind` about the term ending at
    /// `period_end`: true for the one caller that gets to send it.
    pub async fn claim_notice(
        &self,
        subscription_id: i64,
        kind: &str,
        period_end: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let inserted = on_pool!(self, pool => sqlx::query(
            "INSERT INTO billing_notices (subscription_id, kind, period_end, sent_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(subscription_id)
        .bind(kind)
        .bind(period_end.timestamp())
        .bind(at.timestamp())
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(inserted == 1)
    }

    /// The payments held because they were not the price due, newest first.
    pub async fn payments_for_review(&self) -> Result<Vec<PaymentReview>> {
        let rows: Vec<ReviewRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT r.provider, r.payment_id, r.subscription_id, a.email, pl.name AS plan_name,
                    r.expected_amount, r.expected_currency, p.amount, p.currency, r.held_at
             FROM payment_reviews r
             JOIN payments p ON p.provider = r.provider AND p.payment_id = r.payment_id
             JOIN subscriptions s ON s.id = r.subscription_id
             JOIN readers a ON a.id = s.reader_id
             JOIN plans pl ON pl.id = r.plan_id
             ORDER BY r.held_at DESC, r.provider, r.payment_id",
        )
        .fetch_all(pool)
        .await)?;
        rows.into_iter()
            .map(|row| {
                Ok(PaymentReview {
                    held_at: instant(row.held_at)?,
                    provider: row.provider,
                    payment_id: row.payment_id,
                    subscription_id: row.subscription_id,
                    reader_email: row.email,
                    plan_name: row.plan_name,
                    expected: (Paise(row.expected_amount), row.expected_currency),
                    received: (Paise(row.amount), row.currency),
                })
            })
            .collect()
    }

    /// How many payments a subscription has.
    pub async fn payment_count(&self, subscription_id: i64) -> Result<u64> {
        let (count,): (i64,) = on_pool!(self, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM payments WHERE subscription_id = $1",
        )
        .bind(subscription_id)
        .fetch_one(pool)
        .await)?;
        Ok(u64::try_from(count).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_price_in_rupees_is_due() {
        let price = Paise(90_000);
        assert!(is_price_due(90_000, "inr", price));
        assert!(is_price_due(90_000, "INR", price), "Razorpay writes it in capitals");
        for (amount, currency) in
            [(89_900, "inr"), (90_001, "inr"), (1, "inr"), (0, "inr"), (90_000, "usd"), (90_000, "")]
        {
            assert!(!is_price_due(amount, currency, price), "{amount} {currency}");
        }
    }
}
