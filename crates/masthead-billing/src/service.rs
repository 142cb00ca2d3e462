//! [`Billing`]: the one place money news is processed. Every provider's
//! webhook — and the sandbox's, including the ones its renewal charges
//! produce — goes through [`Billing::receive_webhook`]: the signature is
//! checked first (nothing stored when it fails), the event is stored before
//! it is processed, and processing is idempotent (one payment per provider
//! payment id, with its invoice; one free trial per set-up, its payment
//! method saved for the charge at its end; one partner code per block), so retries,
//! parallel deliveries and reordering all converge. A payment that is not
//! the price due is stored but not applied: it waits for an admin's review
//! (`masthead_store::Store::payments_for_review`).
//!
//! The sandbox is here only when [`PaymentConfig::sandbox`] says so; without
//! it its webhook is not listening and nothing of it is stored.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use masthead_domain::email::Email as Address;
use masthead_domain::offer::{self, Charge};
use masthead_domain::plan::Plan;
use masthead_domain::subscription::{self, Event, State};
use masthead_domain::{Clock, PublisherZone};
use masthead_mail::Mailer;
use masthead_mail::emails::{Email, PartnerCodeGranted, PartnerPoolLow};
use masthead_store::{Issuer, PaymentIn, Recorded, Store, StoreError, SubscriptionRecord};
use thiserror::Error;

use crate::config::PaymentConfig;
use crate::events::{self, EventKind, ProviderEvent};
use crate::provider::{Provider, ProviderError, Sandbox, SandboxCard, SignedEvent, random_hex};
use crate::razorpay::Razorpay;
use crate::signature;
use crate::stripe::Stripe;

/// Why a webhook or a billing step failed.
#[derive(Debug, Error)]
pub enum BillingError {
    /// Bad, stale or missing signature, or a body that cannot be read: 400.
    #[error("webhook refused: {0}")]
    Refused(String),
    /// No such provider, or one without credentials here: 404.
    #[error("{0}")]
    NotListening(String),
    /// The provider could not be asked.
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What happened to a webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// Checked, stored and acted on.
    Processed,
    /// A payment that is not the price due: stored, not applied, held for an admin.
    Held,
    /// Seen and processed before: acknowledged, nothing done.
    Duplicate,
}

impl Received {
    /// The word webhook replies carry.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Processed => "processed",
            Self::Held => "held for review",
            Self::Duplicate => "duplicate",
        }
    }
}

/// What [`Billing::open`] needs.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The database.
    pub store: Store,
    /// Where "now" comes from.
    pub clock: Arc<dyn Clock>,
    /// How reader and admin mail leaves.
    pub mailer: Mailer,
    /// The publisher's calendar (financial years, dates in mail).
    pub zone: PublisherZone,
    /// The publication's name in mail.
    pub publisher: String,
    /// The site's address, for links in mail and the sandbox checkout.
    pub public_url: String,
    /// Credentials, seller, knobs.
    pub config: PaymentConfig,
}

/// Why the sandbox's routes answer 404 where it is off.
fn sandbox_off() -> BillingError {
    BillingError::NotListening("the sandbox payment provider is off here".to_owned())
}

/// A configured provider, or none (logged) when its HTTP client cannot be made.
fn offered<P: Provider>(provider: Result<P, ProviderError>) -> Option<P> {
    provider.inspect_err(|error| tracing::error!(%error, "payment provider not offered")).ok()
}

/// Subscriptions' money side: webhooks, payments, invoices, renewals,
/// partner codes. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Billing {
    pub(crate) store: Store,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) mailer: Mailer,
    pub(crate) zone: PublisherZone,
    pub(crate) publisher: String,
    pub(crate) public_url: String,
    pub(crate) sandbox: Option<Sandbox>,
    stripe: Option<Stripe>,
    razorpay: Option<Razorpay>,
    pub(crate) config: PaymentConfig,
}

impl Billing {
    /// Billing over `setup.store`; the sandbox's webhook secret (when the
    /// sandbox is on) is made once and kept in the database, so every
    /// instance (and `masthead billing`) signs and checks with the same one.
    pub async fn open(setup: Setup) -> Result<Self, StoreError> {
        let public_url = setup.public_url.trim_end_matches('/').to_owned();
        let config = &setup.config;
        let sandbox = if config.sandbox {
            let secret = setup
                .store
                .setting_or_insert("sandbox_webhook_secret", || format!("sbx_whsec_{}", random_hex(24)))
                .await?;
            Some(Sandbox::new(secret, public_url.clone()))
        } else {
            None
        };
        let stripe = config
            .stripe_secret_key
            .clone()
            .filter(|_| config.stripe_ready())
            .and_then(|key| offered(Stripe::new(key, &config.stripe_api_base)));
        let razorpay = match (&config.razorpay_key_id, &config.razorpay_key_secret) {
            (Some(id), Some(secret)) if config.razorpay_ready() => {
                offered(Razorpay::new(id.clone(), secret.clone(), &config.razorpay_api_base, &public_url))
            }
            _ => None,
        };
        Ok(Self {
            sandbox,
            stripe,
            razorpay,
            store: setup.store,
            clock: setup.clock,
            mailer: setup.mailer,
            zone: setup.zone,
            publisher: setup.publisher,
            public_url,
            config: setup.config,
        })
    }

    /// The settings billing runs with.
    pub fn config(&self) -> &PaymentConfig {
        &self.config
    }

    /// The provider a subscription pays through, when it is set up here.
    pub fn provider(&self, name: &str) -> Option<&dyn Provider> {
        match name {
            "sandbox" => self.sandbox.as_ref().map(|p| p as &dyn Provider),
            "stripe" => self.stripe.as_ref().map(|p| p as &dyn Provider),
            "razorpay" => self.razorpay.as_ref().map(|p| p as &dyn Provider),
            _ => None,
        }
    }

    /// Razorpay, when it takes payments here (its checkout page and callback
    /// are this site's).
    pub fn razorpay(&self) -> Option<&Razorpay> {
        self.razorpay.as_ref()
    }

    /// The providers new subscriptions may pay through here: the sandbox
    /// when it is on, then those whose API key and webhook secret are both
    /// configured. Possibly none.
    pub fn providers(&self) -> Vec<&'static str> {
        [
            self.sandbox.as_ref().map(Provider::name),
            self.stripe.as_ref().map(Provider::name),
            self.razorpay.as_ref().map(Provider::name),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// Whether the sandbox takes payments here.
    pub fn sandbox_on(&self) -> bool {
        self.sandbox.is_some()
    }

    /// A day as mail and pages print it: `Nov 27 2027`.
    pub fn day(&self, at: DateTime<Utc>) -> String {
        self.zone.format(at).split(" |").next().unwrap_or_default().to_owned()
    }

    /// The state of a subscription now.
    pub async fn state(&self, subscription_id: i64) -> Result<Option<State>, StoreError> {
        self.store.subscription_state(subscription_id, self.clock.now()).await
    }

    /// What the next payment of a subscription costs and covers: the plan
    /// it renews on (a switched-to plan, or the current one, active or not),
    /// priced by the retention offer it accepted or the offer it redeemed, if
    /// any, once per seat for a group — the same rule the payment
    /// is checked against when it arrives (`Store::record_payment`).
    pub async fn charge_due(&self, subscription: &SubscriptionRecord) -> Result<Charge, StoreError> {
        let state = self.state(subscription.id).await?;
        let plan = self.plan_due(subscription).await?;
        let redeemed = match state.as_ref().and_then(|s| s.offer_id) {
            Some(id) => self.store.offer(id).await?,
            None => None,
        };
        let retention = match state.as_ref().and_then(|s| s.retention) {
            Some(accepted) => self.store.offer(accepted.offer_id).await?,
            None => None,
        };
        let seats = self.store.subscription_group(subscription.id).await?.map_or(1, |g| g.seats);
        Ok(offer::charge_due(&plan, redeemed.as_ref(), retention.as_ref(), state.as_ref()).0.seats(seats))
    }

    /// The plan the next payment of a subscription is for (see [`Self::charge_due`]).
    pub async fn plan_due(&self, subscription: &SubscriptionRecord) -> Result<Plan, StoreError> {
        let plan_id = self.state(subscription.id).await?.map_or(subscription.plan_id, |s| s.plan_due());
        self.store
            .plan(plan_id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("subscription {} on no plan", subscription.id)))
    }

    /// The sandbox takes (or refuses) a first payment with `card` — or, when
    /// nothing is due (a free trial), saves the card as a real provider's
    /// set-up does: it signs a webhook about it, delivered through the door
    /// every provider uses.
    pub async fn pay_with_sandbox(
        &self,
        subscription: &SubscriptionRecord,
        card: SandboxCard,
    ) -> Result<Received, BillingError> {
        let sandbox = self.sandbox.as_ref().ok_or_else(sandbox_off)?;
        let amount = self.charge_due(subscription).await?.amount;
        let now = self.clock.now();
        let event = if amount.0 == 0 {
            sandbox.setup_event(subscription.id, card, now)
        } else {
            sandbox.payment_event(subscription.id, amount, card, false, now)
        };
        self.deliver(&event).await
    }

    /// Delivers a signed event the sandbox produced.
    pub(crate) async fn deliver(&self, event: &SignedEvent) -> Result<Received, BillingError> {
        let header = |name: &str| (name == event.header).then(|| event.signature.clone());
        self.receive_webhook("sandbox", &header, event.body.as_bytes()).await
    }

    /// Checks, stores and processes one webhook. `header` looks up a
    /// request header by its lowercase name.
    #[tracing::instrument(skip(self, header, body), fields(event))]
    pub async fn receive_webhook(
        &self,
        provider: &str,
        header: &(dyn Fn(&str) -> Option<String> + Sync),
        body: &[u8],
    ) -> Result<Received, BillingError> {
        let now = self.clock.now();
        let refused = |e: &dyn std::fmt::Display| BillingError::Refused(e.to_string());
        let not_configured = || BillingError::NotListening(format!("no {provider} webhook is configured here"));
        let event: ProviderEvent = match provider {
            "sandbox" => {
                let secret = self.sandbox.as_ref().ok_or_else(sandbox_off)?.secret();
                let signed = header("x-masthead-signature");
                signature::verify_timestamped(signed.as_deref(), body, secret, now.timestamp())
                    .map_err(|e| refused(&e))?;
                events::parse_sandbox(body).map_err(|e| refused(&e))?
            }
            "stripe" => {
                let secret = self.config.stripe_webhook_secret.as_deref().ok_or_else(not_configured)?;
                let signed = header("stripe-signature");
                signature::verify_timestamped(signed.as_deref(), body, secret, now.timestamp())
                    .map_err(|e| refused(&e))?;
                events::parse_stripe(body).map_err(|e| refused(&e))?
            }
            "razorpay" => {
                let secret = self.config.razorpay_webhook_secret.as_deref().ok_or_else(not_configured)?;
                signature::verify_razorpay(header("x-razorpay-signature").as_deref(), body, secret)
                    .map_err(|e| refused(&e))?;
                events::parse_razorpay(body, header("x-razorpay-event-id").as_deref()).map_err(|e| refused(&e))?
            }
            _ => return Err(BillingError::NotListening(format!("no provider {provider:?}"))),
        };
        tracing::Span::current().record("event", event.event_id.as_str());
        let text = String::from_utf8_lossy(body);
        let stored_before =
            !self.store.record_webhook(provider, &event.event_id, &event.event_type, &text, now).await?;
        if stored_before && self.store.webhook_processed(provider, &event.event_id).await? {
            return Ok(Received::Duplicate);
        }
        // Only our subscriptions, and only through the provider they pay with.
        let subscription = match &event.kind {
            EventKind::PaymentSucceeded { subscription, .. }
            | EventKind::PaymentFailed { subscription }
            | EventKind::SetUp { subscription, .. } => *subscription,
            _ => None,
        };
        let ours = match subscription {
            Some(id) => self.store.subscription(id).await?.filter(|s| s.provider == provider),
            None => None,
        };
        let mut held = false;
        match (event.kind, ours) {
            (EventKind::PaymentSucceeded { payment_id, amount, currency, payment_method, .. }, Some(ours)) => {
                if let Some(method) = &payment_method {
                    self.store.set_payment_method(ours.id, method).await?;
                }
                let payment = PaymentIn {
                    provider,
                    payment_id: &payment_id,
                    subscription_id: ours.id,
                    amount,
                    currency: &currency,
                };
                let issuer =
                    Issuer { seller: &self.config.seller, prefix: &self.config.invoice_prefix, zone: self.zone };
                match self.store.record_payment(&payment, now, issuer).await? {
                    Recorded::Applied(invoice) => tracing::info!(invoice = invoice.number, "payment recorded"),
                    Recorded::Held { expected } => {
                        tracing::warn!(%expected, amount, %currency, "payment is not the price due: held for review");
                        held = true;
                    }
                    Recorded::Free { until } => tracing::info!(%until, "free trial started"),
                    Recorded::Duplicate => {}
                }
                // Also when a crash came between the payment and this step.
                self.grant_partner_codes(&ours, now).await?;
            }
            (EventKind::SetUp { setup_id, payment_method, customer, .. }, Some(ours)) => {
                let method = match (payment_method, provider) {
                    (Some(method), _) => Some(method),
                    // Stripe's session names the SetupIntent; the method is its
                    // (a failure to ask is a 502, and Stripe delivers again).
                    (None, "stripe") => {
                        let stripe = self.stripe.as_ref().ok_or_else(not_configured)?;
                        Some(stripe.set_up_method(&setup_id, customer.as_deref()).await?)
                    }
                    (None, _) => None,
                };
                match method {
                    Some(method) => self.start_trial(provider, &ours, &setup_id, &method, now).await?,
                    None => tracing::warn!(setup_id, "a set-up without a saved payment method: no trial"),
                }
            }
            (EventKind::PaymentFailed { .. }, Some(ours)) => {
                self.store.append_event(ours.id, now, &Event::PaymentFailed).await?;
            }
            (EventKind::RefundSucceeded(report), _) => self.settle_refund(provider, &report, now).await?,
            (EventKind::RefundFailed { ours, provider_refund }, _) => {
                self.store.fail_refund(provider, ours, Some(&provider_refund), now).await?;
            }
            _ => {}
        }
        self.store.mark_webhook_processed(provider, &event.event_id, now).await?;
        Ok(if held { Received::Held } else { Received::Processed })
    }

    /// A free trial's payment method is saved: the renewal job charges it at
    /// the trial's end. The trial starts now, once per set-up (its id stands
    /// in the ledger as a ₹0 payment, without an invoice), when nothing is
    /// due; a set-up for a subscription that owes money (its offer given
    /// back, say) only saves the method, and the reader pays as usual.
    async fn start_trial(
        &self,
        provider: &str,
        ours: &SubscriptionRecord,
        setup_id: &str,
        method: &str,
        now: DateTime<Utc>,
    ) -> Result<(), BillingError> {
        self.store.set_payment_method(ours.id, method).await?;
        let due = self.charge_due(ours).await?.amount;
        if due.0 != 0 {
            tracing::warn!(subscription = ours.id, %due, "a set-up for a subscription that owes money: method saved");
            return Ok(());
        }
        let payment =
            PaymentIn { provider, payment_id: setup_id, subscription_id: ours.id, amount: 0, currency: "inr" };
        let issuer = Issuer { seller: &self.config.seller, prefix: &self.config.invoice_prefix, zone: self.zone };
        if let Recorded::Free { until } = self.store.record_payment(&payment, now, issuer).await? {
            tracing::info!(%until, "free trial started, its payment method saved");
        }
        Ok(())
    }

    /// Gives an eligible subscription the partner codes its 12-month blocks
    /// have unlocked (mailing the reader each), and warns the admins once
    /// when the pool runs low. Codes a dry pool could not give come with a
    /// later run, once codes are uploaded.
    pub async fn grant_partner_codes(
        &self,
        subscription: &SubscriptionRecord,
        now: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        let Some(state) = self.store.subscription_state(subscription.id, now).await? else { return Ok(0) };
        // A gift's purchase gives its buyer nothing.
        if self.store.gift_bought_with(subscription.id).await?.is_some() {
            return Ok(0);
        }
        let Some(plan) = self.store.plan(state.plan_id).await? else { return Ok(0) };
        if !plan.partner_eligible {
            return Ok(0);
        }
        let blocks = subscription::partner_blocks(&state, plan.term_months, now);
        let held = self.store.subscription_partner_codes(subscription.id).await?.len();
        if blocks == 0 || held >= blocks as usize {
            return Ok(0);
        }
        let given = self.store.assign_partner_codes(subscription.id, blocks, now).await?;
        if let Some(reader) = self.store.reader(subscription.reader_id).await? {
            for code in &given {
                let mail = PartnerCodeGranted {
                    publisher: self.publisher.clone(),
                    code: code.code.clone(),
                    year: code.block,
                    account_link: format!("{}/account", self.public_url),
                };
                self.mail(&reader.email, &mail).await;
            }
        }
        let left = self.store.partner_codes_available().await?;
        if left <= self.config.partner_low_threshold && self.store.claim_pool_warning().await? {
            let warning = PartnerPoolLow {
                publisher: self.publisher.clone(),
                remaining: left,
                threshold: self.config.partner_low_threshold,
                admin_link: format!("{}/newsroom/partner-codes", self.public_url),
            };
            for admin in self.store.admin_emails().await? {
                self.mail(&admin, &warning).await;
            }
        }
        Ok(u32::try_from(given.len()).unwrap_or(u32::MAX))
    }

    /// Sends one email; a failure is logged, not fatal (the state it tells
    /// of is in the database and on the account page either way).
    pub(crate) async fn mail<E: Email>(&self, to: &str, email: &E) {
        let sent = match Address::parse(to) {
            Ok(address) => self.mailer.send(&address, email).await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(error) = sent {
            tracing::warn!(%error, email = E::NAME, "billing mail not sent");
        }
    }
}
