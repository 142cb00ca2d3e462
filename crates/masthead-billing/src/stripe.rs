//! Stripe, over its HTTP API (form-encoded requests, `Authorization: Bearer
//! sk_...`, an `Idempotency-Key` on every create).
//!
//! - Checkout: a Checkout Session in `payment` mode for the plan's price in
//!   paise, which saves the card for off-session use
//!   (`payment_intent_data[setup_future_usage]=off_session`) on a customer
//!   Stripe creates. Our subscription travels as `client_reference_id` and
//!   `metadata[masthead_subscription]` on the session and its payment intent.
//! - Renewal: a PaymentIntent confirmed off-session on the saved customer and
//!   payment method (stored as `cus_...:pm_...` from `payment_intent.succeeded`).
//!   The outcome comes as `payment_intent.succeeded` / `payment_failed`; a card
//!   declined at once (HTTP 402) is [`ChargeOutcome::Declined`].
//!
//! - Refund: `POST /v1/refunds` on the payment intent for the amount, our
//!   refund in `metadata[masthead_refund]`; Stripe says it is done with
//!   `refund.created`/`refund.updated` (status `succeeded`) or
//!   `charge.refunded`, and `refund.failed` when it is not.
//!
//! Stripe has no subscription interval above a year, so Masthead schedules
//! renewals itself and asks Stripe only to take each payment.

use crate::provider::{
    BoxFuture, ChargeOutcome, ChargeRequest, Checkout, CheckoutRequest, Provider, ProviderError, RefundOutcome,
    RefundRequest, answer_field, api_client, call_api, charge_outcome, random_hex,
};

/// Where Stripe's API is.
pub const API_BASE: &str = "https://api.stripe.com";

const NAME: &str = "stripe";

/// The Stripe provider: a secret key and where the API is.
#[derive(Clone)]
pub struct Stripe {
    secret_key: String,
    api_base: String,
    client: reqwest::Client,
}

impl std::fmt::Debug for Stripe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stripe").field("api_base", &self.api_base).finish_non_exhaustive()
    }
}

impl Stripe {
    /// Stripe with `secret_key` (`sk_...`), its API at `api_base`.
    pub fn new(secret_key: String, api_base: &str) -> Result<Self, ProviderError> {
        Ok(Self { secret_key, api_base: api_base.trim_end_matches('/').to_owned(), client: api_client(NAME)? })
    }

    fn post(&self, path: &str, idempotency_key: &str, form: &[(&str, String)]) -> reqwest::RequestBuilder {
        self.client
            .post(format!("{}{path}", self.api_base))
            .bearer_auth(&self.secret_key)
            .header("Idempotency-Key", idempotency_key)
            .form(form)
    }
}

/// The Checkout Session's fields.
pub fn checkout_form(request: &CheckoutRequest<'_>) -> Vec<(&'static str, String)> {
    let id = request.subscription_id.to_string();
    vec![
        ("mode", "payment".to_owned()),
        ("customer_creation", "always".to_owned()),
        ("customer_email", request.email.to_owned()),
        ("client_reference_id", id.clone()),
        ("success_url", request.success_url.to_owned()),
        ("cancel_url", request.cancel_url.to_owned()),
        ("line_items[0][quantity]", "1".to_owned()),
        ("line_items[0][price_data][currency]", "inr".to_owned()),
        ("line_items[0][price_data][unit_amount]", request.amount.0.to_string()),
        ("line_items[0][price_data][product_data][name]", request.plan_name.to_owned()),
        ("payment_intent_data[setup_future_usage]", "off_session".to_owned()),
        ("payment_intent_data[metadata][masthead_subscription]", id.clone()),
        ("metadata[masthead_subscription]", id),
    ]
}

/// The renewal PaymentIntent's fields, or why the saved method cannot be
/// charged: it must be `cus_...:pm_...`.
pub fn charge_form(request: &ChargeRequest<'_>) -> Result<Vec<(&'static str, String)>, String> {
    let (customer, method) = request
        .payment_method
        .split_once(':')
        .ok_or_else(|| format!("the saved payment method {:?} names no Stripe customer", request.payment_method))?;
    Ok(vec![
        ("amount", request.amount.0.to_string()),
        ("currency", "inr".to_owned()),
        ("customer", customer.to_owned()),
        ("payment_method", method.to_owned()),
        ("off_session", "true".to_owned()),
        ("confirm", "true".to_owned()),
        ("metadata[masthead_subscription]", request.subscription_id.to_string()),
    ])
}

/// The refund's fields: the payment intent, the amount, our refund.
pub fn refund_form(request: &RefundRequest<'_>) -> Vec<(&'static str, String)> {
    vec![
        ("payment_intent", request.payment_id.to_owned()),
        ("amount", request.amount.0.to_string()),
        ("reason", "requested_by_customer".to_owned()),
        ("metadata[masthead_refund]", request.refund_id.to_string()),
    ]
}

impl Provider for Stripe {
    fn name(&self) -> &'static str {
        NAME
    }

    fn checkout<'a>(&'a self, request: &'a CheckoutRequest<'a>) -> BoxFuture<'a, Result<Checkout, ProviderError>> {
        Box::pin(async move {
            // One key per checkout; the random part keeps apart the
            // subscriptions of several Masthead databases on one Stripe
            // account (ids repeat across databases, keys would collide).
            let key = format!("masthead-checkout-{}-{}", request.subscription_id, random_hex(8));
            let session = call_api(NAME, self.post("/v1/checkout/sessions", &key, &checkout_form(request))).await?;
            Ok(Checkout { url: answer_field(NAME, &session, "url")?, reference: answer_field(NAME, &session, "id")? })
        })
    }

    fn charge<'a>(&'a self, request: &'a ChargeRequest<'a>) -> BoxFuture<'a, Result<ChargeOutcome, ProviderError>> {
        Box::pin(async move {
            let form = match charge_form(request) {
                Ok(form) => form,
                Err(reason) => return Ok(ChargeOutcome::Declined { reason }),
            };
            let answer = call_api(NAME, self.post("/v1/payment_intents", request.idempotency_key, &form)).await;
            // 402: the card was declined (the error names the failed payment
            // intent; its payment_intent.payment_failed webhook follows).
            charge_outcome(NAME, answer, "id", 402)
        })
    }

    fn refund<'a>(&'a self, request: &'a RefundRequest<'a>) -> BoxFuture<'a, Result<RefundOutcome, ProviderError>> {
        Box::pin(async move {
            let key = format!("masthead-refund-{}-{}", request.refund_id, random_hex(8));
            let refund = call_api(NAME, self.post("/v1/refunds", &key, &refund_form(request))).await?;
            Ok(RefundOutcome::Requested { reference: answer_field(NAME, &refund, "id")? })
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use masthead_domain::Paise;

    use super::*;

    #[test]
    fn the_checkout_saves_the_card_and_carries_our_subscription() {
        let request = CheckoutRequest {
            subscription_id: 42,
            plan_name: "Smart Essential",
            amount: Paise(270_000),
            email: "reader@example.com",
            success_url: "https://news.example/account",
            cancel_url: "https://news.example/subscribe",
        };
        let form = checkout_form(&request);
        let field = |name: &str| form.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str());
        assert_eq!(field("line_items[0][price_data][unit_amount]"), Some("270000"));
        assert_eq!(field("line_items[0][price_data][currency]"), Some("inr"));
        assert_eq!(field("payment_intent_data[setup_future_usage]"), Some("off_session"));
        assert_eq!(field("payment_intent_data[metadata][masthead_subscription]"), Some("42"));
        assert_eq!(field("client_reference_id"), Some("42"));
        assert_eq!(field("customer_email"), Some("reader@example.com"));
    }

    #[test]
    fn a_renewal_charges_the_saved_customer_and_method_off_session() {
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let mut request = ChargeRequest {
            subscription_id: 7,
            amount: Paise(90_000),
            payment_method: "cus_1:pm_2",
            email: "reader@example.com",
            idempotency_key: "k",
            at,
        };
        let form = charge_form(&request).unwrap();
        for expected in
            [("customer", "cus_1"), ("payment_method", "pm_2"), ("off_session", "true"), ("amount", "90000")]
        {
            assert!(form.iter().any(|(k, v)| (*k, v.as_str()) == expected), "{expected:?} in {form:?}");
        }
        request.payment_method = "pm_2";
        assert_eq!(charge_form(&request), Err("the saved payment method \"pm_2\" names no Stripe customer".to_owned()));
    }
}
