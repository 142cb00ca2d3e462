//! Payment providers behind one trait. A provider starts a checkout for a
//! new subscription (or, for a free trial, a set-up that saves the payment
//! method without charging it) and charges a saved payment method at
//! renewal; either way the outcome comes back as a signed webhook, which Masthead checks
//! and processes in one place (`Billing::receive_webhook`). The built-in
//! [`Sandbox`] answers a charge with the signed webhook itself, and the
//! caller delivers it through that same door; Stripe ([`crate::stripe`]) and
//! Razorpay ([`crate::razorpay`]) are asked over their HTTP APIs
//! ([`call_api`]) and send their webhooks later.

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};
use masthead_domain::Paise;
use serde_json::{Value, json};
use thiserror::Error;

use crate::signature;

/// A boxed future, so that the trait can be used as `dyn Provider`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a new subscription's checkout is for.
#[derive(Debug, Clone)]
pub struct CheckoutRequest<'a> {
    /// Our subscription, carried in the provider's metadata.
    pub subscription_id: i64,
    /// The plan's name, as the provider's page shows it.
    pub plan_name: &'a str,
    /// What to charge, GST included.
    pub amount: Paise,
    /// The buyer's address, for the provider's receipt.
    pub email: &'a str,
    /// Where the provider sends the reader after paying.
    pub success_url: &'a str,
    /// Where the provider sends the reader who gives up.
    pub cancel_url: &'a str,
}

/// Where the reader pays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    /// The page to send the reader to.
    pub url: String,
    /// The provider's id for it (a session or an order).
    pub reference: String,
}

/// A renewal charge on the saved payment method.
#[derive(Debug, Clone)]
pub struct ChargeRequest<'a> {
    /// Our subscription.
    pub subscription_id: i64,
    /// What to charge, GST included.
    pub amount: Paise,
    /// The method saved by the first payment.
    pub payment_method: &'a str,
    /// The subscriber's address (Razorpay's recurring charge asks for it).
    pub email: &'a str,
    /// Makes the charge idempotent at the provider (one per term).
    pub idempotency_key: &'a str,
    /// Now, as Masthead's clock says.
    pub at: DateTime<Utc>,
}

/// A webhook as a provider signs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedEvent {
    /// The signature header's name.
    pub header: &'static str,
    /// Its value.
    pub signature: String,
    /// The raw body.
    pub body: String,
}

/// What a charge request gave back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeOutcome {
    /// The provider's webhook about the charge, to deliver now (the sandbox).
    Delivered(SignedEvent),
    /// Accepted; the provider will send its webhook (the real providers).
    Requested {
        /// The provider's id for the charge.
        reference: String,
    },
    /// The provider declined the charge there and then (a card declined
    /// off-session, a token no longer usable): the renewal failed, and the
    /// provider's failure webhook, if one follows, changes nothing more.
    Declined {
        /// The provider's words.
        reason: String,
    },
}

/// A refund of a payment, whole or in part.
#[derive(Debug, Clone)]
pub struct RefundRequest<'a> {
    /// Our refund, carried in the provider's metadata (and back in its webhook).
    pub refund_id: i64,
    /// The provider's payment id.
    pub payment_id: &'a str,
    /// How much, GST included.
    pub amount: Paise,
    /// Now, as Masthead's clock says.
    pub at: DateTime<Utc>,
}

/// What a refund request gave back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundOutcome {
    /// The provider's webhook about the refund, to deliver now (the sandbox).
    Delivered(SignedEvent),
    /// Accepted; the provider will send its webhook (the real providers).
    Requested {
        /// The provider's id for the refund.
        reference: String,
    },
}

/// Why a provider could not be asked.
#[derive(Debug, Error)]
pub enum ProviderError {
    /// The request did not reach the provider or its answer was unreadable.
    #[error("{provider} could not be reached: {reason}")]
    Transport {
        /// Which provider.
        provider: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// The provider said no.
    #[error("{provider} refused the request ({status}): {message}")]
    Refused {
        /// Which provider.
        provider: &'static str,
        /// The HTTP status.
        status: u16,
        /// The provider's message.
        message: String,
    },
}

/// A payment provider.
pub trait Provider: Send + Sync {
    /// Its name in URLs and the database: `sandbox`, `stripe`, `razorpay`.
    fn name(&self) -> &'static str;

    /// Starts paying for a new subscription.
    fn checkout<'a>(&'a self, request: &'a CheckoutRequest<'a>) -> BoxFuture<'a, Result<Checkout, ProviderError>>;

    /// Starts saving the payment method of a new subscription whose first
    /// term costs nothing (a free trial), for the renewal job to charge at
    /// its end; the provider's signed webhook says when it is saved.
    fn set_up<'a>(&'a self, request: &'a CheckoutRequest<'a>) -> BoxFuture<'a, Result<Checkout, ProviderError>>;

    /// Charges the saved payment method for a renewal.
    fn charge<'a>(&'a self, request: &'a ChargeRequest<'a>) -> BoxFuture<'a, Result<ChargeOutcome, ProviderError>>;

    /// Refunds (part of) a payment; its webhook says when it is done.
    fn refund<'a>(&'a self, request: &'a RefundRequest<'a>) -> BoxFuture<'a, Result<RefundOutcome, ProviderError>>;
}

/// The sandbox's test cards, after Stripe's: each behaves the same every
/// time, so tests and demos can play every outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxCard {
    /// 4242 4242 4242 4242: every charge succeeds.
    Succeeds,
    /// 4000 0000 0000 0341: the first payment succeeds, renewals are declined.
    DeclinesRenewals,
    /// 4000 0000 0000 0002: every charge is declined.
    Declines,
}

impl SandboxCard {
    /// The card a number names (spaces allowed).
    pub fn parse(number: &str) -> Option<Self> {
        let digits: String = number.chars().filter(|c| !c.is_whitespace()).collect();
        match digits.as_str() {
            "4242424242424242" => Some(Self::Succeeds),
            "4000000000000341" => Some(Self::DeclinesRenewals),
            "4000000000000002" => Some(Self::Declines),
            _ => None,
        }
    }

    /// The saved payment method's name.
    pub fn method(self) -> &'static str {
        match self {
            Self::Succeeds => "sbx_card_4242",
            Self::DeclinesRenewals => "sbx_card_0341",
            Self::Declines => "sbx_card_0002",
        }
    }

    fn from_method(method: &str) -> Option<Self> {
        [Self::Succeeds, Self::DeclinesRenewals, Self::Declines].into_iter().find(|c| c.method() == method)
    }

    /// Whether a charge succeeds: the first payment, or a renewal.
    pub fn approves(self, renewal: bool) -> bool {
        match self {
            Self::Succeeds => true,
            Self::DeclinesRenewals => !renewal,
            Self::Declines => false,
        }
    }
}

/// Masthead's built-in test-mode provider: its checkout is a page of this
/// site, and it signs its webhooks (`X-Masthead-Signature`) as Stripe does.
#[derive(Clone)]
pub struct Sandbox {
    secret: String,
    public_url: String,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").field("public_url", &self.public_url).finish_non_exhaustive()
    }
}

impl Sandbox {
    /// A sandbox signing with `secret`, its checkout on `public_url`.
    pub fn new(secret: String, public_url: String) -> Self {
        Self { secret, public_url }
    }

    /// The webhook secret.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// The signed webhook about a charge of `amount` on `card`.
    pub fn payment_event(
        &self,
        subscription_id: i64,
        amount: Paise,
        card: SandboxCard,
        renewal: bool,
        at: DateTime<Utc>,
    ) -> SignedEvent {
        let now = at.timestamp();
        let event_id = format!("sbx_evt_{}", random_hex(12));
        let body = if card.approves(renewal) {
            json!({"id": event_id, "type": "payment.succeeded", "created": now, "subscription": subscription_id,
                   "payment_id": format!("sbx_pay_{}", random_hex(12)), "amount": amount.0, "currency": "inr",
                   "payment_method": card.method()})
        } else {
            json!({"id": event_id, "type": "payment.failed", "created": now, "subscription": subscription_id})
        }
        .to_string();
        self.sign(body, now)
    }

    /// The signed webhook about saving `card` for a subscription's renewals
    /// (a free trial's set-up): `setup.succeeded` naming the saved method,
    /// or `setup.failed` for a card that declines everything.
    pub fn setup_event(&self, subscription_id: i64, card: SandboxCard, at: DateTime<Utc>) -> SignedEvent {
        let now = at.timestamp();
        let event_id = format!("sbx_evt_{}", random_hex(12));
        let body = if card == SandboxCard::Declines {
            json!({"id": event_id, "type": "setup.failed", "created": now, "subscription": subscription_id})
        } else {
            json!({"id": event_id, "type": "setup.succeeded", "created": now, "subscription": subscription_id,
                   "setup_id": format!("sbx_seti_{}", random_hex(12)), "payment_method": card.method()})
        }
        .to_string();
        self.sign(body, now)
    }

    /// The signed webhook about a refund: the sandbox refunds at once.
    pub fn refund_event(&self, request: &RefundRequest<'_>) -> SignedEvent {
        let now = request.at.timestamp();
        let body = json!({"id": format!("sbx_evt_{}", random_hex(12)), "type": "refund.succeeded", "created": now,
                          "refund": request.refund_id, "refund_id": format!("sbx_rfnd_{}", random_hex(12)),
                          "payment_id": request.payment_id, "amount": request.amount.0, "currency": "inr"})
        .to_string();
        self.sign(body, now)
    }

    fn sign(&self, body: String, now: i64) -> SignedEvent {
        let signature = signature::sign_timestamped(body.as_bytes(), &self.secret, now);
        SignedEvent { header: "x-masthead-signature", signature, body }
    }
}

impl Provider for Sandbox {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn checkout<'a>(&'a self, request: &'a CheckoutRequest<'a>) -> BoxFuture<'a, Result<Checkout, ProviderError>> {
        let id = request.subscription_id;
        let checkout =
            Checkout { url: format!("{}/checkout/sandbox/{id}", self.public_url), reference: id.to_string() };
        Box::pin(async move { Ok(checkout) })
    }

    /// The same page: it saves the card instead of charging it.
    fn set_up<'a>(&'a self, request: &'a CheckoutRequest<'a>) -> BoxFuture<'a, Result<Checkout, ProviderError>> {
        self.checkout(request)
    }

    fn charge<'a>(&'a self, request: &'a ChargeRequest<'a>) -> BoxFuture<'a, Result<ChargeOutcome, ProviderError>> {
        // An unknown saved method is a card the sandbox cannot charge.
        let card = SandboxCard::from_method(request.payment_method).unwrap_or(SandboxCard::Declines);
        let event = self.payment_event(request.subscription_id, request.amount, card, true, request.at);
        Box::pin(async move { Ok(ChargeOutcome::Delivered(event)) })
    }

    fn refund<'a>(&'a self, request: &'a RefundRequest<'a>) -> BoxFuture<'a, Result<RefundOutcome, ProviderError>> {
        let event = self.refund_event(request);
        Box::pin(async move { Ok(RefundOutcome::Delivered(event)) })
    }
}

/// Sends a request to a provider's API and reads its JSON answer. A non-2xx
/// answer is [`ProviderError::Refused`] with the provider's own message
/// (Stripe's `error.message`, Razorpay's `error.description`).
pub(crate) async fn call_api(provider: &'static str, request: reqwest::RequestBuilder) -> Result<Value, ProviderError> {
    let transport = |reason: String| ProviderError::Transport { provider, reason };
    let response = request.send().await.map_err(|e| transport(error_chain(&e)))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| transport(error_chain(&e)))?;
    let body: Option<Value> = serde_json::from_str(&text).ok();
    if status.is_success() {
        return body.ok_or_else(|| transport(format!("the answer ({status}) is not JSON")));
    }
    let message = body
        .as_ref()
        .and_then(|b| b.pointer("/error/message").or_else(|| b.pointer("/error/description")))
        .and_then(Value::as_str)
        .map_or_else(|| format!("HTTP {status} without an error message"), str::to_owned);
    Err(ProviderError::Refused { provider, status: status.as_u16(), message })
}

/// The HTTP client a provider's API is called with.
pub(crate) fn api_client(provider: &'static str) -> Result<reqwest::Client, ProviderError> {
    crate::outbound::client_builder("payments")
        .build()
        .map_err(|e| ProviderError::Transport { provider, reason: error_chain(&e) })
}

/// A text field of a provider's answer.
pub(crate) fn answer_field(provider: &'static str, answer: &Value, field: &str) -> Result<String, ProviderError> {
    answer
        .get(field)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| ProviderError::Transport { provider, reason: format!("the answer has no {field}") })
}

/// What a charge request's answer means: the charge's id (in `id_field`)
/// when it was taken on, a decline when the provider refused it with
/// `decline_status` (its failure webhook may follow), else the error.
pub(crate) fn charge_outcome(
    provider: &'static str,
    answer: Result<Value, ProviderError>,
    id_field: &str,
    decline_status: u16,
) -> Result<ChargeOutcome, ProviderError> {
    match answer {
        Ok(charge) => Ok(ChargeOutcome::Requested { reference: answer_field(provider, &charge, id_field)? }),
        Err(ProviderError::Refused { status, message, .. }) if status == decline_status => {
            Ok(ChargeOutcome::Declined { reason: message })
        }
        Err(error) => Err(error),
    }
}

/// An error and its causes, for messages ("error sending request: connection refused").
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// `n` random bytes as hex, for ids.
pub(crate) fn random_hex(n: usize) -> String {
    let mut bytes = vec![0; n];
    getrandom::fill(&mut bytes).expect("the operating system has randomness");
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_cards_behave_the_same_every_time() {
        assert_eq!(SandboxCard::parse("4242 4242 4242 4242"), Some(SandboxCard::Succeeds));
        assert_eq!(SandboxCard::parse("4000000000000341"), Some(SandboxCard::DeclinesRenewals));
        assert_eq!(SandboxCard::parse("1234"), None);
        assert!(SandboxCard::Succeeds.approves(true));
        assert!(SandboxCard::DeclinesRenewals.approves(false) && !SandboxCard::DeclinesRenewals.approves(true));
        assert!(!SandboxCard::Declines.approves(false));
    }

    #[test]
    fn the_sandbox_signs_its_events_as_it_verifies_them() {
        let sandbox = Sandbox::new("sbx_secret".into(), "http://x".into());
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let event = sandbox.payment_event(7, Paise(90_000), SandboxCard::DeclinesRenewals, true, at);
        signature::verify_timestamped(Some(&event.signature), event.body.as_bytes(), "sbx_secret", at.timestamp())
            .unwrap();
        let parsed = crate::events::parse_sandbox(event.body.as_bytes()).unwrap();
        assert_eq!(parsed.kind, crate::events::EventKind::PaymentFailed { subscription: Some(7) });
    }
}
