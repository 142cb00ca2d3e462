//! `masthead billing ...` and the billing flags every serving command takes:
//! provider credentials, the publisher's invoice details, the renewal job.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use masthead_billing::{Billing, PaymentConfig, Setup};
use masthead_domain::tax::{self, Seller};
use masthead_domain::{Clock, ManualClock, PublisherZone, SystemClock};

use crate::cli::{Site, Target};

/// Payment providers, invoices and the renewal job. A provider takes
/// payments only when its API key and its webhook secret are both set; the
/// sandbox only when asked for.
#[derive(Args)]
pub struct PaymentFlags {
    /// Offer the built-in sandbox provider: test mode, subscriptions for no
    /// money (always on for `demo` and its data directory). Refused beside
    /// live Stripe or Razorpay keys.
    #[arg(long, env = "MASTHEAD_SANDBOX_PAYMENTS")]
    pub sandbox_payments: bool,
    /// Stripe's secret API key (sk_...); with the webhook secret, readers may pay with Stripe.
    #[arg(long, env = "MASTHEAD_STRIPE_SECRET_KEY", hide_env_values = true)]
    pub stripe_secret_key: Option<String>,
    /// Where Stripe's API is.
    #[arg(long, env = "MASTHEAD_STRIPE_API_BASE", default_value = masthead_billing::stripe::API_BASE)]
    pub stripe_api_base: String,
    /// Stripe's webhook signing secret (whsec_...); without it /webhooks/stripe answers 404.
    #[arg(long, env = "MASTHEAD_STRIPE_WEBHOOK_SECRET", hide_env_values = true)]
    pub stripe_webhook_secret: Option<String>,
    /// Razorpay's webhook secret; without it /webhooks/razorpay answers 404.
    #[arg(long, env = "MASTHEAD_RAZORPAY_WEBHOOK_SECRET", hide_env_values = true)]
    pub razorpay_webhook_secret: Option<String>,
    /// Razorpay's API key id (rzp_...); with the key secret and webhook secret, readers may pay with Razorpay.
    #[arg(long, env = "MASTHEAD_RAZORPAY_KEY_ID")]
    pub razorpay_key_id: Option<String>,
    /// Razorpay's API key secret.
    #[arg(long, env = "MASTHEAD_RAZORPAY_KEY_SECRET", hide_env_values = true)]
    pub razorpay_key_secret: Option<String>,
    /// Where Razorpay's API is.
    #[arg(long, env = "MASTHEAD_RAZORPAY_API_BASE", default_value = masthead_billing::razorpay::API_BASE)]
    pub razorpay_api_base: String,
    /// The publisher's legal name on invoices [default: the publisher name].
    #[arg(long, env = "MASTHEAD_SELLER_NAME")]
    pub seller_name: Option<String>,
    /// The publisher's registered address on invoices (one line).
    #[arg(
        long,
        env = "MASTHEAD_SELLER_ADDRESS",
        default_value = "Nehru House, 4 Bahadur Shah Zafar Marg, New Delhi 110002"
    )]
    pub seller_address: String,
    /// The publisher's GSTIN on invoices.
    #[arg(long, env = "MASTHEAD_SELLER_GSTIN", default_value = "07AAACM0000A1Z5")]
    pub seller_gstin: String,
    /// The state the publisher is registered in: buyers there pay CGST + SGST, others IGST.
    #[arg(long, env = "MASTHEAD_SELLER_STATE", default_value = "Delhi")]
    pub seller_state: String,
    /// Invoice numbers start with this: MH gives MH/2026-27/000001 (letters and digits only).
    #[arg(long, env = "MASTHEAD_INVOICE_PREFIX", default_value = "MH")]
    pub invoice_prefix: String,
    /// GST credit note numbers (refunds) start with this, a series apart from
    /// the invoices': CN gives CN/2026-27/000001 (letters and digits only).
    #[arg(long, env = "MASTHEAD_CREDIT_NOTE_PREFIX", default_value = "CN")]
    pub credit_note_prefix: String,
    /// Warn admins when this many partner codes or fewer are left in the pool.
    #[arg(long, env = "MASTHEAD_PARTNER_LOW_THRESHOLD", default_value_t = 10)]
    pub partner_low_threshold: u64,
    /// Seconds between runs of the renewal job inside the server; 0 leaves
    /// renewals to `masthead billing run-due` (from cron, say).
    #[arg(long, env = "MASTHEAD_RENEWAL_INTERVAL", default_value_t = 60)]
    pub renewal_interval: u64,
}

/// Secrets show as set or not, never their values.
impl std::fmt::Debug for PaymentFlags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |secret: &Option<String>| if secret.is_some() { "***" } else { "-" };
        f.debug_struct("PaymentFlags")
            .field("sandbox_payments", &self.sandbox_payments)
            .field("stripe_secret_key", &hidden(&self.stripe_secret_key))
            .field("stripe_api_base", &self.stripe_api_base)
            .field("stripe_webhook_secret", &hidden(&self.stripe_webhook_secret))
            .field("razorpay_webhook_secret", &hidden(&self.razorpay_webhook_secret))
            .field("razorpay_key_id", &self.razorpay_key_id)
            .field("razorpay_key_secret", &hidden(&self.razorpay_key_secret))
            .field("razorpay_api_base", &self.razorpay_api_base)
            .field("seller_name", &self.seller_name)
            .field("seller_state", &self.seller_state)
            .field("invoice_prefix", &self.invoice_prefix)
            .field("credit_note_prefix", &self.credit_note_prefix)
            .finish_non_exhaustive()
    }
}

impl PaymentFlags {
    /// The settings these flags give, checked: among them, the sandbox is
    /// never on beside live keys.
    pub fn config(&self, publisher_name: &str) -> Result<PaymentConfig> {
        let state = tax::state(&self.seller_state).with_context(|| {
            format!("--seller-state {:?} is not an Indian state or union territory", self.seller_state)
        })?;
        for (flag, prefix) in
            [("--invoice-prefix", &self.invoice_prefix), ("--credit-note-prefix", &self.credit_note_prefix)]
        {
            anyhow::ensure!(
                !prefix.is_empty() && prefix.len() <= 10 && prefix.chars().all(|c| c.is_ascii_alphanumeric()),
                "{flag} must be 1 to 10 letters or digits"
            );
        }
        anyhow::ensure!(
            self.invoice_prefix != self.credit_note_prefix,
            "--credit-note-prefix must differ from --invoice-prefix: credit notes are a series of their own"
        );
        for (flag, base) in
            [("--stripe-api-base", &self.stripe_api_base), ("--razorpay-api-base", &self.razorpay_api_base)]
        {
            anyhow::ensure!(
                base.starts_with("https://") || base.starts_with("http://"),
                "{flag} {base:?} is not an http(s) URL"
            );
        }
        let config = PaymentConfig {
            sandbox: self.sandbox_payments,
            stripe_secret_key: self.stripe_secret_key.clone(),
            stripe_api_base: self.stripe_api_base.clone(),
            stripe_webhook_secret: self.stripe_webhook_secret.clone(),
            razorpay_webhook_secret: self.razorpay_webhook_secret.clone(),
            razorpay_key_id: self.razorpay_key_id.clone(),
            razorpay_key_secret: self.razorpay_key_secret.clone(),
            razorpay_api_base: self.razorpay_api_base.clone(),
            seller: Seller {
                name: self.seller_name.clone().unwrap_or_else(|| publisher_name.to_owned()),
                address: self.seller_address.clone(),
                gstin: self.seller_gstin.clone(),
                state: state.to_owned(),
            },
            invoice_prefix: self.invoice_prefix.clone(),
            credit_note_prefix: self.credit_note_prefix.clone(),
            partner_low_threshold: self.partner_low_threshold,
            renewal_interval: (self.renewal_interval > 0).then(|| Duration::from_secs(self.renewal_interval)),
        };
        config.check_sandbox().map_err(|refusal| anyhow::anyhow!("refusing to start: {refusal}"))?;
        Ok(config)
    }
}

#[derive(Debug, Subcommand)]
pub enum BillingCommand {
    /// Run the renewal job once: charge subscriptions whose term has ended
    /// (through their provider, on the saved payment method), mail reminders
    /// during the grace period, end unpaid and cancelled ones, and hand out
    /// partner codes that are due. Safe to run from cron beside running
    /// servers: each charge and each mail is claimed once in the database.
    RunDue {
        #[command(flatten)]
        target: Target,
        /// Act as if it were this instant (RFC 3339, e.g. 2027-11-27T06:30:00Z)
        /// instead of now: for rehearsals on a copy of the data.
        #[arg(long)]
        now: Option<String>,
        #[command(flatten)]
        site: Site,
    },
}

/// Runs a `masthead billing` command.
pub async fn run(command: BillingCommand) -> Result<()> {
    match command {
        BillingCommand::RunDue { target, now, mut site } => {
            // The demo's data directory pays through the sandbox, as `demo` does.
            site.payments.sandbox_payments |= target.data_dir.is_some();
            let clock: Arc<dyn Clock> = match now {
                Some(now) => {
                    let at = DateTime::parse_from_rfc3339(&now)
                        .with_context(|| format!("--now {now:?} is not an RFC 3339 instant"))?;
                    Arc::new(ManualClock::new(at.with_timezone(&Utc)))
                }
                None => Arc::new(SystemClock),
            };
            let default_outbox =
                target.data_dir.as_ref().map_or_else(|| masthead_web::DEFAULT_OUTBOX.into(), |dir| dir.join("outbox"));
            let store = crate::commands::open_target(&target).await?;
            let (mailer, _) = crate::commands::mailer(&site, default_outbox)?;
            let billing = Billing::open(Setup {
                store: store.clone(),
                clock,
                mailer,
                zone: PublisherZone::default(),
                config: site.payments.config(&site.publisher_name)?,
                public_url: site.public_url.clone().unwrap_or_else(|| "http://127.0.0.1:8080".to_owned()),
                publisher: site.publisher_name,
            })
            .await?;
            let report = billing.run_due().await?;
            println!(
                "charged {}, renewed {}, reminders {}, ended {}, partner codes {}, errors {}",
                report.charged, report.renewed, report.reminders, report.ended, report.partner_codes, report.errors
            );
            store.close().await;
            anyhow::ensure!(
                report.errors == 0,
                "{} subscription(s) could not be dealt with (see the log)",
                report.errors
            );
            Ok(())
        }
    }
}
