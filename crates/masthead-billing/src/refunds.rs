//! Refunds: an admin refunds a payment, whole or in part, through the
//! provider that took it, choosing what becomes of the access it paid for
//! (`masthead_domain::refund::AccessChoice`). The refund is stored first,
//! reserving its amount of the payment (refused, nothing stored, past what
//! is left), then asked of the provider; the provider's signed refund
//! webhook — the sandbox's at once, through the same door as every other —
//! settles it once: the ledger's `refunded` entry ends or shortens access,
//! and a GST credit note is issued against the payment's invoice
//! (`masthead_store::Store::settle_refund`). A provider that refuses or
//! cannot be reached gives the reservation back.

use masthead_domain::refund::RefundRefusal;
use masthead_mail::emails::RefundIssued;
use masthead_store::{RefundAsk, RefundRecord, Settled};

use chrono::{DateTime, Utc};

use crate::events::RefundReport;
use crate::provider::{RefundOutcome, RefundRequest};
use crate::service::{Billing, BillingError};

/// What asking for a refund did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refunded {
    /// Refused; nothing stored, nothing asked of the provider.
    Refused(RefundRefusal),
    /// No such payment.
    NoPayment,
    /// Refunded and credited already (the sandbox).
    Done(RefundRecord),
    /// Asked of the provider; its webhook settles it.
    Asked(RefundRecord),
}

impl Billing {
    /// Refunds (part of) a payment through its provider, as `ask` says.
    pub async fn refund(&self, ask: &RefundAsk<'_>) -> Result<Refunded, BillingError> {
        let provider = self.provider(ask.provider).ok_or_else(|| {
            BillingError::NotListening(format!("{} does not take payments here, so it cannot refund", ask.provider))
        })?;
        let now = self.clock.now();
        let record = match self.store.request_refund(ask, now).await? {
            None => return Ok(Refunded::NoPayment),
            Some(Err(refusal)) => return Ok(Refunded::Refused(refusal)),
            Some(Ok(record)) => record,
        };
        let request = RefundRequest { refund_id: record.id, payment_id: ask.payment_id, amount: ask.amount, at: now };
        match provider.refund(&request).await {
            Ok(RefundOutcome::Delivered(event)) => {
                self.deliver(&event).await?;
                let settled = self.store.refund(record.id).await?.unwrap_or(record);
                Ok(Refunded::Done(settled))
            }
            Ok(RefundOutcome::Requested { reference }) => {
                self.store.set_provider_refund(record.id, &reference).await?;
                Ok(Refunded::Asked(record))
            }
            Err(error) => {
                self.store.fail_refund(ask.provider, Some(record.id), None, now).await?;
                Err(error.into())
            }
        }
    }

    /// Settles a refund a provider's webhook reports, and tells the reader.
    pub(crate) async fn settle_refund(
        &self,
        provider: &str,
        report: &RefundReport,
        now: DateTime<Utc>,
    ) -> Result<(), BillingError> {
        let reported = masthead_store::RefundIn {
            provider,
            ours: report.ours,
            provider_refund: &report.provider_refund,
            payment_id: &report.payment_id,
            amount: report.amount,
        };
        let settled = self.store.settle_refund(&reported, now, &self.config.credit_note_prefix, self.zone).await?;
        if let Settled::Credited(note) = settled {
            tracing::info!(credit_note = note.number, "refund credited");
            if let Some(reader) = self.store.reader(note.reader_id).await? {
                let mail = RefundIssued {
                    publisher: self.publisher.clone(),
                    amount: note.amount.to_string(),
                    credit_note: note.number.clone(),
                    invoice: note.invoice_number.clone(),
                    link: format!("{}/account/credit-notes/{}", self.public_url, note.number.replace('/', "_")),
                };
                self.mail(&reader.email, &mail).await;
            }
        }
        Ok(())
    }
}
