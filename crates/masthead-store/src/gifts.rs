//! Gift subscriptions (`0044_gifts`): bought as a subscription row of the
//! buyer's that pays through the usual checkout and issues the buyer's
//! invoice, but is left out of the buyer's subscriptions and the renewal
//! job; mailed to the recipient on its day ([`Store::gifts_to_deliver`],
//! [`Store::claim_gift_delivery`]); redeemed once ([`Store::redeem_gift`]),
//! extending the redeemer's subscription that gives access (or a new one of
//! gifts alone) by the plan's term with a `gifted` ledger entry. Refunding
//! the purchase takes the gift back (`Store::settle_refund`). The admins'
//! list and the account page read them as [`GiftListing`]s
//! ([`Store::gifts_listed`], [`Store::gifts_bought_by`],
//! [`Store::gifts_redeemed_by`]).

use chrono::{DateTime, Utc};
use masthead_domain::Page;
use masthead_domain::gift::{self, GiftDraft, GiftRefusal};
use masthead_domain::subscription::{self, Entry, Event};

use crate::BeginWrite;
use crate::billing::{APPEND, EventRow, GRACE, LEDGER, columns};
use crate::{Result, Store, StoreError, instant, on_pool};

/// A gift as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct GiftRecord {
    /// Our id.
    pub id: i64,
    /// What the recipient redeems it with.
    pub code: String,
    /// The buyer's subscription row that pays for it.
    pub subscription_id: i64,
    /// The plan whose term it gives.
    pub plan_id: i64,
    /// Who bought it.
    pub buyer_id: i64,
    /// Who it is for.
    pub recipient_email: String,
    /// The buyer's words.
    pub message: String,
    /// The day it is mailed (`YYYY-MM-DD`, the publisher's calendar).
    pub deliver_on: String,
    /// The buyer left their name out: the recipient is told only that it is a gift.
    pub anonymous: bool,
}

/// A gift's purchase, before it is paid.
#[derive(Debug, Clone)]
pub struct GiftPurchase<'a> {
    /// The buyer.
    pub buyer_id: i64,
    /// The plan.
    pub plan_id: i64,
    /// The provider the buyer pays through.
    pub provider: &'a str,
    /// What the buyer asked for.
    pub draft: &'a GiftDraft,
    /// When the delivery day starts.
    pub deliver_at: DateTime<Utc>,
    /// Its code.
    pub code: &'a str,
    /// Whether the buyer leaves their name out.
    pub anonymous: bool,
}

/// Where a gift is: what the admins' list and the account page say of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GiftProgress {
    /// Not paid for (yet).
    Unpaid,
    /// Paid, waiting for its delivery day.
    Waiting,
    /// Mailed to the recipient, not redeemed yet.
    Mailed(DateTime<Utc>),
    /// Redeemed: by whom (their address, if their account is still there) and when.
    Redeemed {
        /// The redeemer's address (none once their account is gone).
        by: Option<String>,
        /// When.
        at: DateTime<Utc>,
    },
    /// Its payment was refunded: it gives nothing (any longer).
    Refunded,
}

/// A gift with what the pages show of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiftListing {
    /// The gift.
    pub gift: GiftRecord,
    /// The plan's name.
    pub plan_name: String,
    /// The buyer's address.
    pub buyer_email: String,
    /// Where it is.
    pub progress: GiftProgress,
    /// The buyer's invoice for it, once paid.
    pub invoice_number: Option<String>,
    /// How far the redeemer's subscription runs with it (the end of the
    /// term it added), once redeemed.
    pub extended_until: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct ListingRow {
    #[sqlx(flatten)]
    gift: GiftRecord,
    plan_name: String,
    buyer_email: String,
    delivered_at: Option<i64>,
    redeemed_at: Option<i64>,
    redeemer_email: Option<String>,
    paid: i64,
    refunded: i64,
    invoice_number: Option<String>,
    extended_until: Option<i64>,
}

impl TryFrom<ListingRow> for GiftListing {
    type Error = StoreError;

    fn try_from(row: ListingRow) -> Result<Self> {
        let progress = match (row.paid > 0, row.refunded > 0, row.redeemed_at, row.delivered_at) {
            (_, true, _, _) => GiftProgress::Refunded,
            (_, _, Some(at), _) => GiftProgress::Redeemed { by: row.redeemer_email, at: instant(at)? },
            (false, _, _, _) => GiftProgress::Unpaid,
            (true, _, None, Some(at)) => GiftProgress::Mailed(instant(at)?),
            (true, _, None, None) => GiftProgress::Waiting,
        };
        Ok(Self {
            gift: row.gift,
            plan_name: row.plan_name,
            buyer_email: row.buyer_email,
            progress,
            invoice_number: row.invoice_number,
            extended_until: row.extended_until.map(instant).transpose()?,
        })
    }
}

/// `SELECT` of every gift column, then `$tail`.
macro_rules! select_gift {
    ($tail:literal) => {
        concat!(
            "SELECT id, code, subscription_id, plan_id, buyer_id, recipient_email, message, deliver_on, anonymous
             FROM gifts ",
            $tail
        )
    };
}

/// `SELECT` of a [`ListingRow`] per gift (`g`), then `$tail`. Paid and
/// refunded are read from the purchase's ledger; how far the redeemer's
/// subscription runs with it, from the `gifted` entry its payment made there.
macro_rules! select_listing {
    ($tail:literal) => {
        concat!(
            "SELECT g.id, g.code, g.subscription_id, g.plan_id, g.buyer_id, g.recipient_email, g.message,
                    g.deliver_on, g.anonymous, p.name AS plan_name, b.email AS buyer_email, g.delivered_at,
                    g.redeemed_at, r.email AS redeemer_email,
                    (SELECT COUNT(*) FROM subscription_events e
                     WHERE e.subscription_id = g.subscription_id AND e.kind = 'paid') AS paid,
                    (SELECT COUNT(*) FROM subscription_events e
                     WHERE e.subscription_id = g.subscription_id AND e.kind = 'refunded') AS refunded,
                    (SELECT MIN(i.number) FROM invoices i WHERE i.subscription_id = g.subscription_id)
                        AS invoice_number,
                    (SELECT MAX(e.period_until) FROM subscription_events e
                     JOIN subscription_events paid ON paid.subscription_id = g.subscription_id
                      AND paid.kind = 'paid' AND paid.payment_id = e.payment_id
                     WHERE e.subscription_id = g.redeemed_subscription AND e.kind = 'gifted') AS extended_until
             FROM gifts g
             JOIN plans p ON p.id = g.plan_id
             JOIN readers b ON b.id = g.buyer_id
             LEFT JOIN readers r ON r.id = g.redeemed_by ",
            $tail
        )
    };
}

impl Store {
    /// One page of gifts, newest first, and whether another page follows;
    /// with `search`, only the gift of that code (typed in any case) or the
    /// gifts whose buyer or recipient has that address.
    pub async fn gifts_listed(&self, search: Option<&str>, page: Page) -> Result<(Vec<GiftListing>, bool)> {
        let search = search.map(str::trim).filter(|s| !s.is_empty());
        let code = search.map(gift::normalise_code).unwrap_or_default();
        let limit = i64::from(page.size()) + 1;
        let offset = i64::try_from(page.offset()).unwrap_or(i64::MAX);
        let rows: Vec<ListingRow> = match search {
            None => {
                let sql = select_listing!("ORDER BY g.id DESC LIMIT $1 OFFSET $2");
                on_pool!(self, pool => sqlx::query_as(sql).bind(limit).bind(offset).fetch_all(pool).await)?
            }
            Some(search) => {
                let sql = select_listing!(
                    "WHERE g.code = $1 OR LOWER(b.email) = LOWER($2) OR LOWER(g.recipient_email) = LOWER($2)
                     ORDER BY g.id DESC LIMIT $3 OFFSET $4"
                );
                on_pool!(self, pool => sqlx::query_as(sql)
                    .bind(&code).bind(search).bind(limit).bind(offset)
                    .fetch_all(pool)
                    .await)?
            }
        };
        let mut gifts = rows.into_iter().map(GiftListing::try_from).collect::<Result<Vec<_>>>()?;
        let more = gifts.len() > page.size() as usize;
        gifts.truncate(page.size() as usize);
        Ok((gifts, more))
    }

    /// The gifts a reader bought, newest first.
    pub async fn gifts_bought_by(&self, reader_id: i64) -> Result<Vec<GiftListing>> {
        let sql = select_listing!("WHERE g.buyer_id = $1 ORDER BY g.id DESC");
        let rows: Vec<ListingRow> = on_pool!(self, pool => sqlx::query_as(sql).bind(reader_id).fetch_all(pool).await)?;
        rows.into_iter().map(GiftListing::try_from).collect()
    }

    /// The gifts a reader redeemed, newest first.
    pub async fn gifts_redeemed_by(&self, reader_id: i64) -> Result<Vec<GiftListing>> {
        let sql = select_listing!("WHERE g.redeemed_by = $1 ORDER BY g.redeemed_at DESC, g.id DESC");
        let rows: Vec<ListingRow> = on_pool!(self, pool => sqlx::query_as(sql).bind(reader_id).fetch_all(pool).await)?;
        rows.into_iter().map(GiftListing::try_from).collect()
    }

    /// Stores a gift and the subscription row its payment goes to, pending
    /// payment: the gift and its subscription id.
    pub async fn create_gift(&self, purchase: &GiftPurchase<'_>, at: DateTime<Utc>) -> Result<(i64, i64)> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let (subscription_id,): (i64,) = sqlx::query_as(
                "INSERT INTO subscriptions (reader_id, plan_id, provider, created_at) VALUES ($1, $2, $3, $4)
                 RETURNING id",
            )
            .bind(purchase.buyer_id).bind(purchase.plan_id).bind(purchase.provider).bind(at.timestamp())
            .fetch_one(&mut *tx)
            .await?;
            let created = Event::Created { plan_id: purchase.plan_id };
            let (kind, plan, payment, from, until, offer) = columns(&created);
            sqlx::query(APPEND)
                .bind(subscription_id).bind(at.timestamp()).bind(kind).bind(plan).bind(payment).bind(from)
                .bind(until).bind(offer)
                .execute(&mut *tx)
                .await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO gifts (code, subscription_id, plan_id, buyer_id, recipient_email, message, deliver_on,
                                    deliver_at, created_at, anonymous)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(purchase.code).bind(subscription_id).bind(purchase.plan_id).bind(purchase.buyer_id)
            .bind(purchase.draft.recipient.as_str()).bind(&purchase.draft.message)
            .bind(purchase.draft.deliver_on.to_string()).bind(purchase.deliver_at.timestamp()).bind(at.timestamp())
            .bind(purchase.anonymous)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok((id, subscription_id))
        })
    }

    /// A gift by id.
    pub async fn gift(&self, id: i64) -> Result<Option<GiftRecord>> {
        let sql = select_gift!("WHERE id = $1");
        Ok(on_pool!(self, pool => sqlx::query_as(sql).bind(id).fetch_optional(pool).await)?)
    }

    /// The gift a subscription row pays for, if it is a gift's purchase.
    pub async fn gift_bought_with(&self, subscription_id: i64) -> Result<Option<GiftRecord>> {
        let sql = select_gift!("WHERE subscription_id = $1");
        Ok(on_pool!(self, pool => sqlx::query_as(sql).bind(subscription_id).fetch_optional(pool).await)?)
    }

    /// Paid gifts, not refunded, whose day has come and that were not mailed yet.
    pub async fn gifts_to_deliver(&self, now: DateTime<Utc>) -> Result<Vec<GiftRecord>> {
        let sql = select_gift!(
            "WHERE delivered_at IS NULL AND deliver_at <= $1
               AND EXISTS (SELECT 1 FROM subscription_events e WHERE e.subscription_id = gifts.subscription_id
                           AND e.kind = 'paid')
               AND NOT EXISTS (SELECT 1 FROM subscription_events e WHERE e.subscription_id = gifts.subscription_id
                               AND e.kind = 'refunded')
             ORDER BY id"
        );
        Ok(on_pool!(self, pool => sqlx::query_as(sql).bind(now.timestamp()).fetch_all(pool).await)?)
    }

    /// Claims mailing a gift: true for the one caller that gets to.
    pub async fn claim_gift_delivery(&self, id: i64, at: DateTime<Utc>) -> Result<bool> {
        let claimed = on_pool!(self, pool => sqlx::query(
            "UPDATE gifts SET delivered_at = $2 WHERE id = $1 AND delivered_at IS NULL",
        )
        .bind(id)
        .bind(at.timestamp())
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(claimed == 1)
    }

    /// Redeems a gift's code (typed in any case) for `reader_id`, once: its
    /// term extends the reader's subscription that gives access now (from
    /// its paid-through date), or a new subscription of gifts alone starts.
    /// The subscription it went to, or why not (nothing changes).
    pub async fn redeem_gift(&self, code: &str, reader_id: i64, at: DateTime<Utc>) -> Result<Result<i64, GiftRefusal>> {
        let code = gift::normalise_code(code);
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let found: Option<(i64, i64, i64)> =
                sqlx::query_as("SELECT id, subscription_id, plan_id FROM gifts WHERE code = $1")
                    .bind(&code)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some((id, purchase, plan_id)) = found else { return Ok(Err(GiftRefusal::Unknown)) };
            let paid: Vec<(String, String)> = sqlx::query_as(
                "SELECT kind, payment_id FROM subscription_events
                 WHERE subscription_id = $1 AND kind IN ('paid', 'refunded') ORDER BY seq",
            )
            .bind(purchase)
            .fetch_all(&mut *tx)
            .await?;
            let Some((_, payment_id)) = paid.iter().find(|(kind, _)| kind == "paid") else {
                return Ok(Err(GiftRefusal::NotPaid));
            };
            if paid.iter().any(|(kind, _)| kind == "refunded") {
                return Ok(Err(GiftRefusal::Refunded));
            }
            let claimed = sqlx::query(
                "UPDATE gifts SET redeemed_by = $2, redeemed_at = $3 WHERE id = $1 AND redeemed_by IS NULL",
            )
            .bind(id).bind(reader_id).bind(at.timestamp())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed == 0 {
                return Ok(Err(GiftRefusal::Redeemed));
            }
            // The reader's subscription that gives access now, newest first.
            let theirs: Vec<(i64,)> = sqlx::query_as(
                "SELECT id FROM subscriptions WHERE reader_id = $1 AND id NOT IN (SELECT subscription_id FROM gifts)
                 ORDER BY id DESC",
            )
            .bind(reader_id)
            .fetch_all(&mut *tx)
            .await?;
            let mut target = None;
            for (subscription_id,) in theirs {
                let rows: Vec<EventRow> = sqlx::query_as(LEDGER).bind(subscription_id).fetch_all(&mut *tx).await?;
                let ledger = rows.into_iter().map(Entry::try_from).collect::<Result<Vec<_>>>()?;
                if let Some(state) = subscription::fold(&ledger, at, GRACE).filter(|s| s.has_access()) {
                    target = Some((subscription_id, Some(state)));
                    break;
                }
            }
            let (subscription_id, state) = match target {
                Some(found) => found,
                None => {
                    let (subscription_id,): (i64,) = sqlx::query_as(
                        "INSERT INTO subscriptions (reader_id, plan_id, provider, created_at)
                         VALUES ($1, $2, 'gift', $3) RETURNING id",
                    )
                    .bind(reader_id).bind(plan_id).bind(at.timestamp())
                    .fetch_one(&mut *tx)
                    .await?;
                    let created = Event::Created { plan_id };
                    let (kind, plan, payment, from, until, offer) = columns(&created);
                    sqlx::query(APPEND)
                        .bind(subscription_id).bind(at.timestamp()).bind(kind).bind(plan).bind(payment)
                        .bind(from).bind(until).bind(offer)
                        .execute(&mut *tx)
                        .await?;
                    (subscription_id, None)
                }
            };
            let (term,): (i64,) = sqlx::query_as("SELECT term_months FROM plans WHERE id = $1")
                .bind(plan_id)
                .fetch_one(&mut *tx)
                .await?;
            let term = u32::try_from(term).map_err(|_| StoreError::Corrupt(format!("plan {plan_id} term")))?;
            let (from, until) = gift::extension(state.as_ref(), at, term)
                .ok_or_else(|| StoreError::Corrupt(format!("gift {id} ends past the calendar")))?;
            let event = Event::Gifted { payment_id: payment_id.clone(), from, until };
            let (kind, plan, payment, period_from, period_until, offer) = columns(&event);
            sqlx::query(APPEND)
                .bind(subscription_id).bind(at.timestamp()).bind(kind).bind(plan).bind(payment).bind(period_from)
                .bind(period_until).bind(offer)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE gifts SET redeemed_subscription = $2 WHERE id = $1")
                .bind(id).bind(subscription_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(Ok(subscription_id))
        })
    }
}
