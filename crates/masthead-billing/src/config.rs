//! What billing needs to be told: provider API keys and webhook secrets
//! (never printed), the publisher's invoice details, and the operational
//! knobs. A provider takes payments only when both its API key and its
//! webhook secret are set ([`PaymentConfig::stripe_ready`],
//! [`PaymentConfig::razorpay_ready`]).
//!
//! The sandbox gives subscriptions for no money, so it is off unless asked
//! for ([`PaymentConfig::sandbox`]: `masthead demo`, or `serve
//! --sandbox-payments`), and never beside live keys
//! ([`PaymentConfig::check_sandbox`]).

use std::time::Duration;

use masthead_domain::tax::Seller;

/// Providers' credentials, the seller on invoices, and the renewal job.
#[derive(Clone)]
pub struct PaymentConfig {
    /// Whether the built-in sandbox provider takes (pretend) payments: its
    /// checkout, its pay API and its webhook answer 404 without it.
    pub sandbox: bool,
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
    /// Credit note numbers start with this (`CN` gives `CN/2026-27/000001`),
    /// a series of their own beside the invoices'.
    pub credit_note_prefix: String,
    /// Admins are warned when the partner-code pool has this many or fewer left.
    pub partner_low_threshold: u64,
    /// How often the server runs the renewal job; `None` leaves it to
    /// `masthead billing run-due` (and tests).
    pub renewal_interval: Option<Duration>,
}

impl Default for PaymentConfig {
    fn default() -> Self {
        Self {
            sandbox: false,
            stripe_secret_key: None,
            stripe_api_base: crate::stripe::API_BASE.to_owned(),
            stripe_webhook_secret: None,
            razorpay_webhook_secret: None,
            razorpay_key_id: None,
            razorpay_key_secret: None,
            razorpay_api_base: crate::razorpay::API_BASE.to_owned(),
            seller: Seller::demo("Masthead Daily"),
            invoice_prefix: "MH".to_owned(),
            credit_note_prefix: "CN".to_owned(),
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

/// Key prefixes that mark a provider's test mode: a key without one may take real money.
const TEST_KEY_PREFIXES: [&str; 3] = ["sk_test_", "rk_test_", "rzp_test_"];

fn live(key: Option<&str>) -> bool {
    key.is_some_and(|key| !TEST_KEY_PREFIXES.iter().any(|prefix| key.starts_with(prefix)))
}

impl PaymentConfig {
    /// The settings that hold live provider keys: a Stripe secret key that is
    /// not `sk_test_`/`rk_test_`, Razorpay keys whose id is not `rzp_test_`.
    pub fn live_keys(&self) -> Vec<&'static str> {
        let mut live_keys = Vec::new();
        if live(self.stripe_secret_key.as_deref()) {
            live_keys.push("MASTHEAD_STRIPE_SECRET_KEY");
        }
        let razorpay_keyed = self.razorpay_key_id.is_some() || self.razorpay_key_secret.is_some();
        if razorpay_keyed && (self.razorpay_key_id.is_none() || live(self.razorpay_key_id.as_deref())) {
            live_keys.push("MASTHEAD_RAZORPAY_KEY_ID");
        }
        live_keys
    }

    /// Refuses the sandbox beside live keys: anyone could subscribe through
    /// it for no money on a site that sells for real. The error says what to do.
    pub fn check_sandbox(&self) -> Result<(), String> {
        let live_keys = self.live_keys();
        if !self.sandbox || live_keys.is_empty() {
            return Ok(());
        }
        Err(format!(
            "the sandbox payment provider is on (--sandbox-payments, MASTHEAD_SANDBOX_PAYMENTS, or `masthead demo`) \
             beside live payment keys ({}): anyone could subscribe through it for no money. Turn the sandbox off \
             (leave out --sandbox-payments and unset MASTHEAD_SANDBOX_PAYMENTS), or use test-mode keys \
             (sk_test_..., rzp_test_...)",
            live_keys.join(", ")
        ))
    }
}

impl std::fmt::Debug for PaymentConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |set: bool| if set { "***" } else { "-" };
        f.debug_struct("PaymentConfig")
            .field("sandbox", &self.sandbox)
            .field("stripe_secret_key", &hidden(self.stripe_secret_key.is_some()))
            .field("stripe_api_base", &self.stripe_api_base)
            .field("stripe_webhook_secret", &hidden(self.stripe_webhook_secret.is_some()))
            .field("razorpay_webhook_secret", &hidden(self.razorpay_webhook_secret.is_some()))
            .field("razorpay_key_id", &self.razorpay_key_id)
            .field("razorpay_key_secret", &hidden(self.razorpay_key_secret.is_some()))
            .field("razorpay_api_base", &self.razorpay_api_base)
            .field("seller", &self.seller)
            .field("invoice_prefix", &self.invoice_prefix)
            .field("credit_note_prefix", &self.credit_note_prefix)
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

    #[test]
    fn the_sandbox_is_off_unless_asked_and_never_beside_live_keys() {
        assert!(!PaymentConfig::default().sandbox);
        let sandbox = PaymentConfig { sandbox: true, ..PaymentConfig::default() };
        assert_eq!(sandbox.check_sandbox(), Ok(()));
        let test_keys = PaymentConfig {
            stripe_secret_key: Some("sk_test_1".into()),
            razorpay_key_id: Some("rzp_test_1".into()),
            razorpay_key_secret: Some("secret".into()),
            ..sandbox.clone()
        };
        assert_eq!(test_keys.live_keys(), Vec::<&str>::new());
        assert_eq!(test_keys.check_sandbox(), Ok(()));
        let stripe_live = PaymentConfig { stripe_secret_key: Some("sk_live_1".into()), ..sandbox.clone() };
        let refusal = stripe_live.check_sandbox().unwrap_err();
        assert!(refusal.contains("MASTHEAD_STRIPE_SECRET_KEY") && refusal.contains("--sandbox-payments"), "{refusal}");
        assert!(!refusal.contains("sk_live_1"), "keys never print: {refusal}");
        let razorpay_live = PaymentConfig { razorpay_key_id: Some("rzp_live_1".into()), ..sandbox.clone() };
        assert_eq!(razorpay_live.live_keys(), ["MASTHEAD_RAZORPAY_KEY_ID"]);
        let secret_alone = PaymentConfig { razorpay_key_secret: Some("secret".into()), ..sandbox };
        assert_eq!(secret_alone.live_keys(), ["MASTHEAD_RAZORPAY_KEY_ID"], "a key that may be live counts as live");
        assert_eq!(PaymentConfig { sandbox: false, ..stripe_live }.check_sandbox(), Ok(()));
    }
}
