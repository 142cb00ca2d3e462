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
//!
//! Credit notes (`crate::refunds`) are GST documents too: the columns both
//! have are read one way, here ([`DocumentRow`], `gst_document!`).
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

/// The columns every GST document has — an invoice and a credit note alike —
/// as stored; [`gst_document!`] reads them into either.
#[derive(sqlx::FromRow)]
pub(crate) struct DocumentRow {
    pub(crate) number: String,
    pub(crate) financial_year: i64,
    pub(crate) sequence: i64,
    pub(crate) reader_id: i64,
    pub(crate) subscription_id: i64,
    pub(crate) issued_at: i64,
    pub(crate) plan_name: String,
    pub(crate) amount: i64,
    pub(crate) taxable: i64,
    pub(crate) cgst: i64,
    pub(crate) sgst: i64,
    pub(crate) igst: i64,
    pub(crate) buyer_name: String,
    pub(crate) buyer_state: String,
    pub(crate) buyer_gstin: Option<String>,
    pub(crate) seller_name: String,
    pub(crate) seller_address: String,
    pub(crate) seller_gstin: String,
    pub(crate) seller_state: String,
    pub(crate) sac: String,
}

/// `$document` (a [`DocumentRow`]) read into a `$ty` (an [`Invoice`], a
/// `CreditNote`): the shared fields checked and typed the one way — the
/// financial year must fit, times are instants, money is paise, the seller
/// whole — then the `$ty`'s own fields as given. `$kind` names the document
/// in the error a corrupt row gives. Used where `?` returns a store `Result`.
macro_rules! gst_document {
    ($ty:ident, $kind:literal, $document:expr, { $($field:ident: $value:expr),* $(,)? }) => {{
        let row: $crate::invoices::DocumentRow = $document;
        $ty {
            financial_year: i32::try_from(row.financial_year)
                .map_err(|_| $crate::StoreError::Corrupt(format!("{} {} year", $kind, row.number)))?,
            number: row.number,
            sequence: row.sequence,
            reader_id: row.reader_id,
            subscription_id: row.subscription_id,
            issued_at: $crate::instant(row.issued_at)?,
            plan_name: row.plan_name,
            amount: ::masthead_domain::Paise(row.amount),
            taxable: ::masthead_domain::Paise(row.taxable),
            cgst: ::masthead_domain::Paise(row.cgst),
            sgst: ::masthead_domain::Paise(row.sgst),
            igst: ::masthead_domain::Paise(row.igst),
            buyer_name: row.buyer_name,
            buyer_state: row.buyer_state,
            buyer_gstin: row.buyer_gstin,
            seller: ::masthead_domain::tax::Seller {
                name: row.seller_name,
                address: row.seller_address,
                gstin: row.seller_gstin,
                state: row.seller_state,
            },
            sac: row.sac,
            $($field: $value),*
        }
    }};
}

pub(crate) use gst_document;

#[derive(sqlx::FromRow)]
pub(crate) struct InvoiceRow {
    #[sqlx(flatten)]
    document: DocumentRow,
    period_from: i64,
    period_until: i64,
    discount: i64,
    offer_code: Option<String>,
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
                    .map_err(|_| StoreError::Corrupt(format!("invoice {} gift term", row.document.number)))?,
            }),
            _ => None,
        };
        Ok(gst_document!(Invoice, "invoice", row.document, {
            period: (instant(row.period_from)?, instant(row.period_until)?),
            discount: Paise(row.discount),
            offer_code: row.offer_code,
            gift: gift,
        }))
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
