//! What billing needs to be told: provider webhook secrets (never
//! printed), the publisher's invoice details, and the operational knobs.

use std::time::Duration;

use masthead_domain::tax::Seller;

/// Providers' webhook secrets, the seller on invoices, and the renewal job.
#[derive(Clone)]
pub struct PaymentConfig {
    /// Stripe's `whsec_...` endpoint secret; without it `/webhooks/stripe` is 404.
    pub stripe_webhook_secret: Option<String>,
    /// Razorpay's webhook secret; without it `/webhooks/razorpay` is 404.
    pub razorpay_webhook_secret: Option<String>,
    /// The publisher as invoices name it.
    pub seller: Seller,
    /// Invoice numbers start with this (`MH` gives `MH/2026-27/000001`).
    pub invoice_prefix: String,
    /// Admins are warned when the partner-code pool has this many or fewer left.
    pub partner_low_threshold: u64,
    /// How often the server runs the renewal job; `None` leaves it to
    /// `masthead billing run-due` (and tests).
    pub renewal_interval: Option<Duration>,
}

impl Default for PaymentConfig {
    fn default() -> Self {
        Self {
            stripe_webhook_secret: None,
            razorpay_webhook_secret: None,
            seller: Seller::demo("Masthead Daily"),
            invoice_prefix: "MH".to_owned(),
            partner_low_threshold: 10,
            renewal_interval: Some(Duration::from_secs(60)),
        }
    }
}

impl std::fmt::Debug for PaymentConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |set: bool| if set { "***" } else { "-" };
        f.debug_struct("PaymentConfig")
            .field("stripe_webhook_secret", &hidden(self.stripe_webhook_secret.is_some()))
            .field("razorpay_webhook_secret", &hidden(self.razorpay_webhook_secret.is_some()))
            .field("seller", &self.seller)
            .field("invoice_prefix", &self.invoice_prefix)
            .field("partner_low_threshold", &self.partner_low_threshold)
            .field("renewal_interval", &self.renewal_interval)
            .finish()
    }
}
