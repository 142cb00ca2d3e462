//! What billing needs to be told: provider API keys and webhook secrets
//! (never printed), the publisher's invoice details, and the operational
//! knobs. A provider takes payments only when both its API key and its
//! webhook secret are set ([`PaymentConfig::stripe_ready`],
//! [`PaymentConfig::razorpay_ready`]).

use std::time::Duration;

use masthead_domain::tax::Seller;

/// Providers' credentials, the seller on invoices, and the renewal job.
#[derive(Clone)]
pub struct PaymentConfig {
    /// Stripe's secret API key (`sk_...`).
    pub stripe_secret_key: Option<String>,
    /// Where Stripe's API is (a mock's address in tests).
    pub stripe_api_base: String,
    /// Stripe's `whsec_...` endpoint secret; without it `/webhooks/stripe` is 404.
    pub stripe_webhook_secret: Option<String>,
    /// Razorpay's webhook secret; without it `/webhooks/razorpay` is 404.
    pub razorpay_webhook_secret: Option<String>,
    /// Razorpay's API key id (`rzp_live_...`; not secret, checkout pages show it).
    pub razorpay_key_id: Option<String>,
    /// Razorpay's API key secret.
    pub razorpay_key_secret: Option<String>,
    /// Where Razorpay's API is (a mock's address in tests).
    pub razorpay_api_base: String,
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
            stripe_secret_key: None,
            stripe_api_base: crate::stripe::API_BASE.to_owned(),
            stripe_webhook_secret: None,
            razorpay_webhook_secret: None,
            razorpay_key_id: None,
            razorpay_key_secret: None,
            razorpay_api_base: crate::razorpay::API_BASE.to_owned(),
            seller: Seller::demo("Masthead Daily"),
            invoice_prefix: "MH".to_owned(),
            partner_low_threshold: 10,
            renewal_interval: Some(Duration::from_secs(60)),
        }
    }
}

impl PaymentConfig {
    /// Whether Stripe can take payments here: its secret key and webhook secret are both set.
    pub fn stripe_ready(&self) -> bool {
        self.stripe_secret_key.is_some() && self.stripe_webhook_secret.is_some()
    }

    /// Whether Razorpay can take payments here: its key pair and webhook secret are all set.
    pub fn razorpay_ready(&self) -> bool {
        self.razorpay_key_id.is_some() && self.razorpay_key_secret.is_some() && self.razorpay_webhook_secret.is_some()
    }
}

impl std::fmt::Debug for PaymentConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |set: bool| if set { "***" } else { "-" };
        f.debug_struct("PaymentConfig")
            .field("stripe_secret_key", &hidden(self.stripe_secret_key.is_some()))
            .field("stripe_api_base", &self.stripe_api_base)
            .field("stripe_webhook_secret", &hidden(self.stripe_webhook_secret.is_some()))
            .field("razorpay_webhook_secret", &hidden(self.razorpay_webhook_secret.is_some()))
            .field("razorpay_key_id", &self.razorpay_key_id)
            .field("razorpay_key_secret", &hidden(self.razorpay_key_secret.is_some()))
            .field("razorpay_api_base", &self.razorpay_api_base)
            .field("seller", &self.seller)
            .field("invoice_prefix", &self.invoice_prefix)
            .field("partner_low_threshold", &self.partner_low_threshold)
            .field("renewal_interval", &self.renewal_interval)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let config = PaymentConfig {
            stripe_secret_key: Some("sk_test_secret".into()),
            stripe_webhook_secret: Some("whsec_secret".into()),
            razorpay_key_id: Some("rzp_test_key".into()),
            razorpay_key_secret: Some("rzp_key_secret".into()),
            razorpay_webhook_secret: Some("rzp_webhook_secret".into()),
            ..PaymentConfig::default()
        };
        let printed = format!("{config:?}");
        for secret in ["sk_test_secret", "whsec_secret", "rzp_key_secret", "rzp_webhook_secret"] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert!(printed.contains("rzp_test_key"), "the key id is not secret: {printed}");
        assert!(config.stripe_ready() && config.razorpay_ready());
        let keyless = PaymentConfig { razorpay_key_secret: None, stripe_webhook_secret: None, ..config };
        assert!(!keyless.stripe_ready() && !keyless.razorpay_ready());
    }
}
