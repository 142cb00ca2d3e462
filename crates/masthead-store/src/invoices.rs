//! GST invoices: one per successful payment, issued in the payment's own
//! transaction (see `Store::record_payment`) and numbered without gaps per
//! financial year. The number comes from a per-year counter row that the
//! transaction increments: PostgreSQL locks the row until commit and SQLite
//! holds the write lock, so concurrent payments take consecutive numbers, and
//! a payment that rolls back gives its number back.
//!
//! An invoice is a snapshot: the seller's and buyer's details and the tax
//! split as they were when it was issued. An offer's discount is given on
//! the invoice before tax: the service's line shows the plan's taxable value,
//! a discount line takes the offer's part off, and the GST is on the rest.
//! An invoice that pays for a gift says so on its line ([`Invoice::line`]).

use chrono::{DateTime, Utc};
use masthead_domain::Paise;
use masthead_domain::tax::Seller;

use crate::{Result, Store, StoreError, instant, on_pool};

/// An issued invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    /// `MH/2026-27/000001`.
    pub number: String,
    /// The financial year's first calendar year.
    pub financial_year: i32,
    /// Place in the year's sequence, from 1.
    pub sequence: i64,
    /// Whose it is.
    pub reader_id: i64,
    /// For which subscription.
    pub subscription_id: i64,
    /// When it was issued (the payment's time).
    pub issued_at: DateTime<Utc>,
    /// The plan paid for.
    pub plan_name: String,
    /// The period paid for.
    pub period: (DateTime<Utc>, DateTime<Utc>),
    /// What was paid, GST included.
    pub amount: Paise,
    /// Value before tax.
    pub taxable: Paise,
    /// Central GST.
    pub cgst: Paise,
    /// State GST.
    pub sgst: Paise,
    /// Integrated GST.
    pub igst: Paise,
    /// The discount an offer gave, as taxable value taken off the plan's
    /// (zero without one): the line before "Taxable value".
    pub discount: Paise,
    /// The offer's code, when one priced the payment.
    pub offer_code: Option<String>,
    /// The buyer's name.
    pub buyer_name: String,
    /// The buyer's state (place of supply).
    pub buyer_state: String,
    /// The buyer's GSTIN, on a B2B invoice (a group's).
    pub buyer_gstin: Option<String>,
    /// The publisher.
    pub seller: Seller,
    /// Services accounting code.
    pub sac: String,
    /// What a gift's invoice pays for: whom for, and how long.
    pub gift: Option<GiftLine>,
}

/// The gift an invoice pays for, as it was when the invoice was issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiftLine {
    /// Who receives it.
    pub recipient: String,
    /// The plan's term it gives.
    pub term_months: u32,
}

#[derive(sqlx::FromRow)]
pub(crate) struct InvoiceRow {
    number: String,
    financial_year: i64,
    sequence: i64,
    reader_id: i64,
    subscription_id: i64,
    issued_at: i64,
    plan_name: String,
    period_from: i64,
    period_until: i64,
    amount: i64,
    taxable: i64,
    cgst: i64,
    sgst: i64,
    igst: i64,
    discount: i64,
    offer_code: Option<String>,
    buyer_name: String,
    buyer_state: String,
    buyer_gstin: Option<String>,
    seller_name: String,
    seller_address: String,
    seller_gstin: String,
    seller_state: String,
    sac: String,
    gift_recipient: Option<String>,
    gift_term_months: Option<i64>,
}

impl TryFrom<InvoiceRow> for Invoice {
    type Error = StoreError;

    fn try_from(row: InvoiceRow) -> Result<Self> {
        let gift = match (row.gift_recipient, row.gift_term_months) {
            (Some(recipient), Some(term)) => Some(GiftLine {
                recipient,
                term_months: u32::try_from(term)
                    .map_err(|_| StoreError::Corrupt(format!("invoice {} gift term", row.number)))?,
            }),
            _ => None,
        };
        Ok(Self {
            financial_year: i32::try_from(row.financial_year)
                .map_err(|_| StoreError::Corrupt(format!("invoice {} year", row.number)))?,
            number: row.number,
            sequence: row.sequence,
            reader_id: row.reader_id,
            subscription_id: row.subscription_id,
            issued_at: instant(row.issued_at)?,
            plan_name: row.plan_name,
            period: (instant(row.period_from)?, instant(row.period_until)?),
            amount: Paise(row.amount),
            taxable: Paise(row.taxable),
            cgst: Paise(row.cgst),
            sgst: Paise(row.sgst),
            igst: Paise(row.igst),
            discount: Paise(row.discount),
            offer_code: row.offer_code,
            buyer_name: row.buyer_name,
            buyer_state: row.buyer_state,
            buyer_gstin: row.buyer_gstin,
            seller: Seller {
                name: row.seller_name,
                address: row.seller_address,
                gstin: row.seller_gstin,
                state: row.seller_state,
            },
            sac: row.sac,
            gift,
        })
    }
}

impl Invoice {
    /// The service's value before the offer's discount: the first line.
    pub fn value_before_discount(&self) -> Paise {
        Paise(self.taxable.0 + self.discount.0)
    }

    /// The service's line: "Smart Essential digital subscription, `period`",
    /// or for a gift "Gift: Smart Essential, 1 Year for friend@example.com".
    pub fn line(&self, period: &str) -> String {
        match &self.gift {
            Some(gift) => format!(
                "Gift: {}, {} for {}",
                self.plan_name,
                masthead_domain::plan::term_label(gift.term_months),
                gift.recipient
            ),
            None => format!("{} digital subscription, {period}", self.plan_name),
        }
    }

    /// "Discount (MONSOON25)": the line the discount is given on.
    pub fn discount_label(&self) -> String {
        match &self.offer_code {
            Some(code) => format!("Discount ({code})"),
            None => "Discount".to_owned(),
        }
    }
}

/// `SELECT` of every invoice column, then `$tail`.
macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT number, financial_year, sequence, reader_id, subscription_id, issued_at, plan_name,
             period_from, period_until, amount, taxable, cgst, sgst, igst, discount, offer_code, buyer_name, buyer_state,
             buyer_gstin, seller_name, seller_address, seller_gstin, seller_state, sac, gift_recipient,
             gift_term_months FROM invoices ",
            $tail
        )
    };
}

pub(crate) use select as select_invoice;

/// Takes the next number of a financial year (inside the payment's transaction).
pub(crate) const NEXT_SEQUENCE: &str = "INSERT INTO invoice_counters (financial_year, last_sequence) VALUES ($1, 1)
     ON CONFLICT (financial_year) DO UPDATE SET last_sequence = invoice_counters.last_sequence + 1
     RETURNING last_sequence";

/// Stores an issued invoice (inside the payment's transaction).
pub(crate) const INSERT: &str = "INSERT INTO invoices (number, financial_year, sequence, provider, payment_id,
     subscription_id, reader_id, issued_at, plan_name, period_from, period_until, amount, taxable, cgst, sgst, igst,
     buyer_name, buyer_state, seller_name, seller_address, seller_gstin, seller_state, sac, discount, offer_code,
     buyer_gstin, gift_recipient, gift_term_months)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
             $24, $25, $26, $27, $28)";

impl Store {
    /// An invoice by number.
    pub async fn invoice(&self, number: &str) -> Result<Option<Invoice>> {
        let sql = select!("WHERE number = $1");
        let row: Option<InvoiceRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(number).fetch_optional(pool).await)?;
        row.map(Invoice::try_from).transpose()
    }

    /// A reader's invoices, newest first.
    pub async fn reader_invoices(&self, reader_id: i64) -> Result<Vec<Invoice>> {
        let sql = select!("WHERE reader_id = $1 ORDER BY issued_at DESC, financial_year DESC, sequence DESC");
        let rows: Vec<InvoiceRow> = on_pool!(self, pool => sqlx::query_as(sql).bind(reader_id).fetch_all(pool).await)?;
        rows.into_iter().map(Invoice::try_from).collect()
    }

    /// Every invoice of a financial year, in number order (for the books and
    /// the gap check).
    pub async fn invoices_of_year(&self, financial_year: i32) -> Result<Vec<Invoice>> {
        let sql = select!("WHERE financial_year = $1 ORDER BY sequence");
        let rows: Vec<InvoiceRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(i64::from(financial_year)).fetch_all(pool).await)?;
        rows.into_iter().map(Invoice::try_from).collect()
    }

    /// The name and state a reader's invoices carry, if they gave them.
    pub async fn billing_profile(&self, reader_id: i64) -> Result<Option<(String, String)>> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT name, state FROM billing_profiles WHERE reader_id = $1",
        )
        .bind(reader_id)
        .fetch_optional(pool)
        .await)?)
    }

    /// Sets the name and state a reader's next invoices carry.
    pub async fn set_billing_profile(&self, reader_id: i64, name: &str, state: &str) -> Result<()> {
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO billing_profiles (reader_id, name, state) VALUES ($1, $2, $3)
             ON CONFLICT (reader_id) DO UPDATE SET name = excluded.name, state = excluded.state",
        )
        .bind(reader_id)
        .bind(name)
        .bind(state)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }
}
