//! Refunds and GST credit notes (`0043_refunds`).
//!
//! An admin's refund is stored before its provider is asked
//! ([`Store::request_refund`]), reserving its amount of the payment with one
//! conditional `UPDATE` (`payments.refunded` grows only while it stays within
//! the amount paid), so refunds of one payment never add up to more than it,
//! however many are asked at once, on any number of instances. The
//! provider's refund webhook settles it once ([`Store::settle_refund`]): the
//! row turns `refunded`, the ledger gets its `refunded` entry (access ending
//! as the admin chose), and the credit note is issued, numbered in its own
//! gapless series per financial year, all in one transaction. A refund the
//! provider reports failed gives its reservation back
//! ([`Store::fail_refund`]). A refund made at the provider itself (its
//! dashboard) settles the same way, keeping access, once it is reported. A
//! refund of a gift's payment also goes into the ledger of the subscription
//! the gift was redeemed onto, which takes the gift back.

use chrono::{DateTime, Utc};
use masthead_domain::refund::{self, AccessChoice, RefundRefusal};
use masthead_domain::subscription::Event;
use masthead_domain::tax::{self, GstSplit, Seller};
use masthead_domain::{Paise, PublisherZone};

use crate::BeginWrite;
use crate::billing::{APPEND, columns};
use crate::invoices::{DocumentRow, Invoice, InvoiceRow, gst_document, select_invoice};
use crate::{Result, Store, StoreError, instant, on_pool};

/// A payment as the refunds page finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentLine {
    /// The provider that took it.
    pub provider: String,
    /// The provider's payment id.
    pub payment_id: String,
    /// The subscription it paid for.
    pub subscription_id: i64,
    /// The subscriber's address.
    pub reader_email: String,
    /// What was paid.
    pub amount: Paise,
    /// Its currency (lowercase ISO).
    pub currency: String,
    /// Refunded, or asked of the provider and not yet failed.
    pub refunded: Paise,
    /// When it was paid.
    pub paid_at: DateTime<Utc>,
    /// Its invoice, when it issued one.
    pub invoice_number: Option<String>,
}

impl PaymentLine {
    /// What may still be refunded.
    pub fn left(&self) -> Paise {
        Paise((self.amount.0 - self.refunded.0).max(0))
    }
}

#[derive(sqlx::FromRow)]
struct PaymentLineRow {
    provider: String,
    payment_id: String,
    subscription_id: i64,
    email: String,
    amount: i64,
    currency: String,
    refunded: i64,
    paid_at: i64,
    invoice_number: Option<String>,
}

/// An admin's refund, before its provider is asked.
#[derive(Debug, Clone)]
pub struct RefundAsk<'a> {
    /// The payment's provider.
    pub provider: &'a str,
    /// The provider's payment id.
    pub payment_id: &'a str,
    /// How much, GST included.
    pub amount: Paise,
    /// What becomes of the access it paid for.
    pub access: AccessChoice,
    /// Why (printed on the credit note).
    pub reason: &'a str,
    /// The admin asking.
    pub requested_by: i64,
}

/// A stored refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRecord {
    /// Our id (it travels in the provider's metadata).
    pub id: i64,
    /// The payment's provider.
    pub provider: String,
    /// The provider's payment id.
    pub payment_id: String,
    /// The subscription the payment was for.
    pub subscription_id: i64,
    /// How much.
    pub amount: Paise,
    /// What becomes of access.
    pub access: AccessChoice,
    /// Why.
    pub reason: String,
    /// `requested`, `refunded` or `failed`.
    pub status: String,
    /// The provider's refund id, once known.
    pub provider_refund: Option<String>,
}

#[derive(sqlx::FromRow)]
struct RefundRow {
    id: i64,
    provider: String,
    payment_id: String,
    subscription_id: i64,
    amount: i64,
    access: String,
    access_until: Option<i64>,
    reason: String,
    status: String,
    provider_refund: Option<String>,
}

impl TryFrom<RefundRow> for RefundRecord {
    type Error = StoreError;

    fn try_from(row: RefundRow) -> Result<Self> {
        let until = row.access_until.map(instant).transpose()?;
        let access = AccessChoice::from_stored(&row.access, until)
            .ok_or_else(|| StoreError::Corrupt(format!("refund {} access {:?}", row.id, row.access)))?;
        Ok(Self {
            id: row.id,
            provider: row.provider,
            payment_id: row.payment_id,
            subscription_id: row.subscription_id,
            amount: Paise(row.amount),
            access,
            reason: row.reason,
            status: row.status,
            provider_refund: row.provider_refund,
        })
    }
}

/// `SELECT` of every refund column, then `$tail`.
macro_rules! select_refund {
    ($tail:literal) => {
        concat!(
            "SELECT id, provider, payment_id, subscription_id, amount, access, access_until, reason, status,
             provider_refund FROM refunds ",
            $tail
        )
    };
}

/// A refund its provider reports as done.
#[derive(Debug, Clone)]
pub struct RefundIn<'a> {
    /// The provider.
    pub provider: &'a str,
    /// Our refund id, when the provider's object carries it back.
    pub ours: Option<i64>,
    /// The provider's refund id.
    pub provider_refund: &'a str,
    /// The provider's payment id.
    pub payment_id: &'a str,
    /// How much, in paise.
    pub amount: i64,
}

/// What became of a reported refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    /// Refunded now: its ledger entry and this credit note.
    Credited(Box<CreditNote>),
    /// Settled before: nothing done.
    Duplicate,
    /// Not a payment of ours, or not one that can be credited: nothing done.
    Unknown,
}

/// An issued GST credit note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditNote {
    /// `CN/2026-27/000001`.
    pub number: String,
    /// The financial year's first calendar year.
    pub financial_year: i32,
    /// Place in the year's sequence, from 1.
    pub sequence: i64,
    /// The invoice it credits.
    pub invoice_number: String,
    /// Whose it is.
    pub reader_id: i64,
    /// For which subscription.
    pub subscription_id: i64,
    /// When it was issued (the refund's time).
    pub issued_at: DateTime<Utc>,
    /// The plan the invoice was for.
    pub plan_name: String,
    /// Why the amount was refunded.
    pub reason: String,
    /// What was refunded, GST included.
    pub amount: Paise,
    /// The refunded value before tax.
    pub taxable: Paise,
    /// Central GST credited.
    pub cgst: Paise,
    /// State GST credited.
    pub sgst: Paise,
    /// Integrated GST credited.
    pub igst: Paise,
    /// The buyer, as the invoice named them.
    pub buyer_name: String,
    /// The buyer's state, as on the invoice.
    pub buyer_state: String,
    /// The buyer's GSTIN, as on the invoice (a company's group subscription).
    pub buyer_gstin: Option<String>,
    /// The publisher, as on the invoice.
    pub seller: Seller,
    /// Services accounting code.
    pub sac: String,
}

#[derive(sqlx::FromRow)]
struct CreditNoteRow {
    #[sqlx(flatten)]
    document: DocumentRow,
    invoice_number: String,
    reason: String,
}

impl TryFrom<CreditNoteRow> for CreditNote {
    type Error = StoreError;

    fn try_from(row: CreditNoteRow) -> Result<Self> {
        Ok(gst_document!(CreditNote, "credit note", row.document, {
            invoice_number: row.invoice_number,
            reason: row.reason,
        }))
    }
}

/// `SELECT` of every credit note column, then `$tail`.
macro_rules! select_credit_note {
    ($tail:literal) => {
        concat!(
            "SELECT number, financial_year, sequence, invoice_number, reader_id, subscription_id, issued_at,
             plan_name, reason, amount, taxable, cgst, sgst, igst, buyer_name, buyer_state,
             (SELECT i.buyer_gstin FROM invoices i WHERE i.number = credit_notes.invoice_number) AS buyer_gstin,
             seller_name, seller_address, seller_gstin, seller_state, sac FROM credit_notes ",
            $tail
        )
    };
}

/// Reserves `$3` more of a payment for refunds while they stay within it.
const RESERVE: &str = "UPDATE payments SET refunded = refunded + $3
     WHERE provider = $1 AND payment_id = $2 AND refunded + $3 <= amount";

const NEXT_SEQUENCE: &str = "INSERT INTO credit_note_counters (financial_year, last_sequence) VALUES ($1, 1)
     ON CONFLICT (financial_year) DO UPDATE SET last_sequence = credit_note_counters.last_sequence + 1
     RETURNING last_sequence";

impl Store {
    /// Payments whose id, invoice number or subscriber's address is `query`
    /// (the address in any case), newest first, at most 50.
    pub async fn find_payments(&self, query: &str) -> Result<Vec<PaymentLine>> {
        let rows: Vec<PaymentLineRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT p.provider, p.payment_id, p.subscription_id, r.email, p.amount, p.currency, p.refunded,
                    p.paid_at, i.number AS invoice_number
             FROM payments p
             JOIN subscriptions s ON s.id = p.subscription_id
             JOIN readers r ON r.id = s.reader_id
             LEFT JOIN invoices i ON i.provider = p.provider AND i.payment_id = p.payment_id
             WHERE p.payment_id = $1 OR i.number = $1 OR LOWER(r.email) = LOWER($1)
             ORDER BY p.paid_at DESC, p.payment_id LIMIT 50",
        )
        .bind(query.trim())
        .fetch_all(pool)
        .await)?;
        rows.into_iter()
            .map(|row| {
                Ok(PaymentLine {
                    paid_at: instant(row.paid_at)?,
                    provider: row.provider,
                    payment_id: row.payment_id,
                    subscription_id: row.subscription_id,
                    reader_email: row.email,
                    amount: Paise(row.amount),
                    currency: row.currency,
                    refunded: Paise(row.refunded),
                    invoice_number: row.invoice_number,
                })
            })
            .collect()
    }

    /// Stores an admin's refund before its provider is asked, reserving its
    /// amount of the payment; refused (nothing stored) for a payment that
    /// issued no invoice or past what is left of it. `None` for no such payment.
    pub async fn request_refund(
        &self,
        ask: &RefundAsk<'_>,
        at: DateTime<Utc>,
    ) -> Result<Option<Result<RefundRecord, RefundRefusal>>> {
        let (kind, until) = ask.access.as_stored();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let payment: Option<(i64, i64, i64, Option<String>)> = sqlx::query_as(
                "SELECT p.subscription_id, p.amount, p.refunded, i.number FROM payments p
                 LEFT JOIN invoices i ON i.provider = p.provider AND i.payment_id = p.payment_id
                 WHERE p.provider = $1 AND p.payment_id = $2",
            )
            .bind(ask.provider)
            .bind(ask.payment_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((subscription_id, paid, refunded, invoice)) = payment else { return Ok(None) };
            let refused = if invoice.is_none() {
                Err(RefundRefusal::NotInvoiced)
            } else {
                refund::check(Paise(paid), Paise(refunded), ask.amount)
            };
            if let Err(refusal) = refused {
                return Ok(Some(Err(refusal)));
            }
            let reserved = sqlx::query(RESERVE)
                .bind(ask.provider).bind(ask.payment_id).bind(ask.amount.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if reserved == 0 {
                // Another refund took part of it meanwhile (PostgreSQL, read committed).
                let (left,): (i64,) =
                    sqlx::query_as("SELECT amount - refunded FROM payments WHERE provider = $1 AND payment_id = $2")
                        .bind(ask.provider).bind(ask.payment_id)
                        .fetch_one(&mut *tx)
                        .await?;
                return Ok(Some(Err(RefundRefusal::TooMuch { left: Paise(left.max(0)) })));
            }
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO refunds (provider, payment_id, subscription_id, amount, access, access_until, reason,
                                      status, requested_by, requested_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'requested', $8, $9) RETURNING id",
            )
            .bind(ask.provider).bind(ask.payment_id).bind(subscription_id).bind(ask.amount.0).bind(kind)
            .bind(until.map(|u| u.timestamp())).bind(ask.reason).bind(ask.requested_by).bind(at.timestamp())
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Some(Ok(RefundRecord {
                id,
                provider: ask.provider.to_owned(),
                payment_id: ask.payment_id.to_owned(),
                subscription_id,
                amount: ask.amount,
                access: ask.access,
                reason: ask.reason.to_owned(),
                status: "requested".to_owned(),
                provider_refund: None,
            })))
        })
    }

    /// Notes the provider's id for a refund it accepted.
    pub async fn set_provider_refund(&self, id: i64, provider_refund: &str) -> Result<()> {
        on_pool!(self, pool => sqlx::query(
            "UPDATE refunds SET provider_refund = $2 WHERE id = $1 AND provider_refund IS NULL",
        )
        .bind(id)
        .bind(provider_refund)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// A refund still waiting for its provider fails: its reservation is
    /// given back. Named by our id or the provider's; false when no such
    /// refund was waiting.
    pub async fn fail_refund(
        &self,
        provider: &str,
        ours: Option<i64>,
        provider_refund: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let failed: Option<(String, i64)> = sqlx::query_as(
                "UPDATE refunds SET status = 'failed', settled_at = $4
                 WHERE provider = $1 AND status = 'requested' AND (id = $2 OR provider_refund = $3)
                 RETURNING payment_id, amount",
            )
            .bind(provider).bind(ours).bind(provider_refund).bind(at.timestamp())
            .fetch_optional(&mut *tx)
            .await?;
            let Some((payment_id, amount)) = failed else { return Ok(false) };
            sqlx::query("UPDATE payments SET refunded = refunded - $3 WHERE provider = $1 AND payment_id = $2")
                .bind(provider).bind(&payment_id).bind(amount)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Settles a refund its provider reports as done, once: the refund row
    /// (ours, named by our id or the provider's; or a new one, keeping
    /// access, for a refund made at the provider), the `refunded` ledger
    /// entry, and the credit note against the payment's invoice, in one
    /// transaction.
    /// `prefix` starts the credit note's number; its financial year turns in `zone`.
    #[tracing::instrument(skip(self), fields(provider = reported.provider, refund = reported.provider_refund))]
    pub async fn settle_refund(
        &self,
        reported: &RefundIn<'_>,
        at: DateTime<Utc>,
        prefix: &str,
        zone: PublisherZone,
    ) -> Result<Settled> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let sql = select_refund!("WHERE provider = $1 AND payment_id = $2 AND (id = $3 OR provider_refund = $4)");
            let row: Option<RefundRow> = sqlx::query_as(sql)
                .bind(reported.provider).bind(reported.payment_id).bind(reported.ours).bind(reported.provider_refund)
                .fetch_optional(&mut *tx)
                .await?;
            let record = match row {
                Some(row) => RefundRecord::try_from(row)?,
                None => {
                    // Made at the provider: ours too, when the payment is, keeping access.
                    let payment: Option<(i64,)> =
                        sqlx::query_as("SELECT subscription_id FROM payments WHERE provider = $1 AND payment_id = $2")
                            .bind(reported.provider).bind(reported.payment_id)
                            .fetch_optional(&mut *tx)
                            .await?;
                    let Some((subscription_id,)) = payment else { return Ok(Settled::Unknown) };
                    let reserved = sqlx::query(RESERVE)
                        .bind(reported.provider).bind(reported.payment_id).bind(reported.amount)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if reserved == 0 || reported.amount <= 0 {
                        tracing::warn!(amount = reported.amount, "a refund reported past what was paid: not credited");
                        return Ok(Settled::Unknown);
                    }
                    let reason = "Refunded at the payment provider";
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO refunds (provider, payment_id, subscription_id, amount, access, reason, status,
                                              provider_refund, requested_at)
                         VALUES ($1, $2, $3, $4, 'keep', $5, 'requested', $6, $7) RETURNING id",
                    )
                    .bind(reported.provider).bind(reported.payment_id).bind(subscription_id).bind(reported.amount)
                    .bind(reason).bind(reported.provider_refund).bind(at.timestamp())
                    .fetch_one(&mut *tx)
                    .await?;
                    RefundRecord {
                        id,
                        provider: reported.provider.to_owned(),
                        payment_id: reported.payment_id.to_owned(),
                        subscription_id,
                        amount: Paise(reported.amount),
                        access: AccessChoice::Keep,
                        reason: reason.to_owned(),
                        status: "requested".to_owned(),
                        provider_refund: Some(reported.provider_refund.to_owned()),
                    }
                }
            };
            if record.amount.0 != reported.amount {
                tracing::warn!(ours = record.amount.0, reported = reported.amount, "refund amounts differ");
            }
            let settled = sqlx::query(
                "UPDATE refunds SET status = 'refunded', settled_at = $2,
                        provider_refund = COALESCE(provider_refund, $3)
                 WHERE id = $1 AND status = 'requested'",
            )
            .bind(record.id).bind(at.timestamp()).bind(reported.provider_refund)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if settled == 0 {
                tx.commit().await?;
                return Ok(Settled::Duplicate);
            }
            let event = Event::Refunded {
                payment_id: record.payment_id.clone(),
                access_until: record.access.access_until(at),
            };
            let (kind, plan, paid, from, until, offer) = columns(&event);
            sqlx::query(APPEND)
                .bind(record.subscription_id).bind(at.timestamp()).bind(kind).bind(plan).bind(paid).bind(from)
                .bind(until).bind(offer)
                .execute(&mut *tx)
                .await?;
            // A gift's payment: the gift is taken back from whoever redeemed it.
            let redeemed: Option<(Option<i64>,)> =
                sqlx::query_as("SELECT redeemed_subscription FROM gifts WHERE subscription_id = $1")
                    .bind(record.subscription_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some((Some(recipient),)) = redeemed {
                sqlx::query(APPEND)
                    .bind(recipient).bind(at.timestamp()).bind(kind).bind(plan).bind(paid).bind(from)
                    .bind(until).bind(offer)
                    .execute(&mut *tx)
                    .await?;
            }
            let sql = select_invoice!("WHERE provider = $1 AND payment_id = $2");
            let invoice: Option<InvoiceRow> = sqlx::query_as(sql)
                .bind(record.provider.as_str()).bind(record.payment_id.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let Some(invoice) = invoice.map(Invoice::try_from).transpose()? else {
                // A payment without an invoice (a provider refunding one held for review): no GST to credit.
                tx.commit().await?;
                return Ok(Settled::Unknown);
            };
            let (before,): (i64,) =
                sqlx::query_as("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM credit_notes WHERE invoice_number = $1")
                    .bind(&invoice.number)
                    .fetch_one(&mut *tx)
                    .await?;
            let same_state = invoice.buyer_state == invoice.seller.state;
            let split = GstSplit { taxable: invoice.taxable, cgst: invoice.cgst, sgst: invoice.sgst, igst: invoice.igst };
            let split = refund::credit_split(invoice.amount, split, same_state, Paise(before), record.amount)
                .map_err(|e| StoreError::Corrupt(format!("refund {} over its invoice: {e}", record.id)))?;
            let year = tax::financial_year(zone.date(at));
            let (sequence,): (i64,) = sqlx::query_as(NEXT_SEQUENCE).bind(i64::from(year)).fetch_one(&mut *tx).await?;
            let note = CreditNote {
                number: refund::credit_note_number(prefix, year, u64::try_from(sequence).unwrap_or_default()),
                financial_year: year,
                sequence,
                invoice_number: invoice.number.clone(),
                reader_id: invoice.reader_id,
                subscription_id: invoice.subscription_id,
                issued_at: at,
                plan_name: invoice.plan_name.clone(),
                reason: record.reason.clone(),
                amount: record.amount,
                taxable: split.taxable,
                cgst: split.cgst,
                sgst: split.sgst,
                igst: split.igst,
                buyer_name: invoice.buyer_name.clone(),
                buyer_state: invoice.buyer_state.clone(),
                buyer_gstin: invoice.buyer_gstin.clone(),
                seller: invoice.seller.clone(),
                sac: invoice.sac.clone(),
            };
            sqlx::query(
                "INSERT INTO credit_notes (number, financial_year, sequence, refund_id, invoice_number,
                     subscription_id, reader_id, issued_at, plan_name, reason, amount, taxable, cgst, sgst, igst,
                     buyer_name, buyer_state, seller_name, seller_address, seller_gstin, seller_state, sac)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                         $21, $22)",
            )
            .bind(&note.number).bind(i64::from(year)).bind(sequence).bind(record.id).bind(&note.invoice_number)
            .bind(note.subscription_id).bind(note.reader_id).bind(at.timestamp()).bind(&note.plan_name)
            .bind(&note.reason).bind(note.amount.0).bind(note.taxable.0).bind(note.cgst.0).bind(note.sgst.0)
            .bind(note.igst.0).bind(&note.buyer_name).bind(&note.buyer_state).bind(&note.seller.name)
            .bind(&note.seller.address).bind(&note.seller.gstin).bind(&note.seller.state).bind(&note.sac)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Settled::Credited(Box::new(note)))
        })
    }

    /// A refund by our id.
    pub async fn refund(&self, id: i64) -> Result<Option<RefundRecord>> {
        let sql = select_refund!("WHERE id = $1");
        let row: Option<RefundRow> = on_pool!(self, pool => sqlx::query_as(sql).bind(id).fetch_optional(pool).await)?;
        row.map(RefundRecord::try_from).transpose()
    }

    /// A payment's refunds, oldest first.
    pub async fn payment_refunds(&self, provider: &str, payment_id: &str) -> Result<Vec<RefundRecord>> {
        let sql = select_refund!("WHERE provider = $1 AND payment_id = $2 ORDER BY id");
        let rows: Vec<RefundRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(provider).bind(payment_id).fetch_all(pool).await)?;
        rows.into_iter().map(RefundRecord::try_from).collect()
    }

    /// A credit note by number.
    pub async fn credit_note(&self, number: &str) -> Result<Option<CreditNote>> {
        let sql = select_credit_note!("WHERE number = $1");
        let row: Option<CreditNoteRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(number).fetch_optional(pool).await)?;
        row.map(CreditNote::try_from).transpose()
    }

    /// A reader's credit notes, newest first.
    pub async fn reader_credit_notes(&self, reader_id: i64) -> Result<Vec<CreditNote>> {
        let sql =
            select_credit_note!("WHERE reader_id = $1 ORDER BY issued_at DESC, financial_year DESC, sequence DESC");
        let rows: Vec<CreditNoteRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(reader_id).fetch_all(pool).await)?;
        rows.into_iter().map(CreditNote::try_from).collect()
    }

    /// Every credit note of a financial year, in number order (the gap check).
    pub async fn credit_notes_of_year(&self, financial_year: i32) -> Result<Vec<CreditNote>> {
        let sql = select_credit_note!("WHERE financial_year = $1 ORDER BY sequence");
        let rows: Vec<CreditNoteRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(i64::from(financial_year)).fetch_all(pool).await)?;
        rows.into_iter().map(CreditNote::try_from).collect()
    }
}
