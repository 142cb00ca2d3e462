//! Stripe, over its HTTP API (form-encoded requests, `Authorization: Bearer
//! sk_...`, an `Idempotency-Key` on every create).
//!
//! - Checkout: a Checkout Session in `payment` mode for the plan's price in
//!   paise, which saves the card for off-session use
//!   (`payment_intent_data[setup_future_usage]=off_session`) on a customer
//!   Stripe creates. Our subscription travels as `client_reference_id` and
//!   `metadata[masthead_subscription]` on the session and its payment intent.
//! - Set-up, for a free trial (nothing to charge, and Checkout's `payment`
//!   mode takes no ₹0 session): a Checkout Session in `setup` mode, which
//!   saves the card through a SetupIntent on a customer Stripe creates
//!   (`customer_creation=always`, `currency=inr` as setup mode asks), our
//!   subscription in `client_reference_id` and the metadata of the session and
//!   its SetupIntent. Stripe's `checkout.session.completed` (mode `setup`)
//!   names the customer and the SetupIntent; the payment method is the
//!   SetupIntent's (`GET /v1/setup_intents/{id}`, [`Stripe::set_up_method`]),
//!   saved as `cus_...:pm_...` for the charge at the trial's end.
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

    /// The payment method a completed set-up session saved: its SetupIntent
    /// fetched, as `customer:payment_method` (`customer` is the session's).
    pub async fn set_up_method(&self, setup_intent: &str, customer: Option<&str>) -> Result<String, ProviderError> {
        let request =
            self.client.get(format!("{}/v1/setup_intents/{setup_intent}", self.api_base)).bearer_auth(&self.secret_key);
        let intent = call_api(NAME, request).await?;
        saved_by_setup_intent(&intent, customer).map_err(|reason| ProviderError::Transport { provider: NAME, reason })
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

/// The set-up Checkout Session's fields: a card saved, nothing charged.
pub fn set_up_form(request: &CheckoutRequest<'_>) -> Vec<(&'static str, String)> {
    let id = request.subscription_id.to_string();
    vec![
        ("mode", "setup".to_owned()),
        ("currency", "inr".to_owned()),
        ("customer_creation", "always".to_owned()),
        ("customer_email", request.email.to_owned()),
        ("client_reference_id", id.clone()),
        ("success_url", request.success_url.to_owned()),
        ("cancel_url", request.cancel_url.to_owned()),
        ("setup_intent_data[description]", format!("{}: the card charged when the trial ends", request.plan_name)),
        ("setup_intent_data[metadata][masthead_subscription]", id.clone()),
        ("metadata[masthead_subscription]", id),
    ]
}

/// The saved method a succeeded SetupIntent names, `customer:payment_method`
/// (the session's customer when the SetupIntent carries none), or why not.
pub fn saved_by_setup_intent(setup_intent: &serde_json::Value, customer: Option<&str>) -> Result<String, String> {
    let field = |name: &str| setup_intent.get(name).and_then(serde_json::Value::as_str);
    if field("status") != Some("succeeded") {
        return Err(format!("the SetupIntent is {:?}, not succeeded", field("status").unwrap_or_default()));
    }
    let customer = field("customer").or(customer).ok_or("the SetupIntent names no customer")?;
    let method = field("payment_method").ok_or("the SetupIntent names no payment method")?;
    Ok(format!("{customer}:{method}"))
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

    fn set_up<'a>(&'a self, request: &'a CheckoutRequest<'a>) -> BoxFuture<'a, Result<Checkout, ProviderError>> {
        Box::pin(async move {
            let key = format!("masthead-set-up-{}-{}", request.subscription_id, random_hex(8));
            let session = call_api(NAME, self.post("/v1/checkout/sessions", &key, &set_up_form(request))).await?;
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
    fn a_free_trial_sets_up_the_card_in_setup_mode_without_a_price() {
        let request = CheckoutRequest {
            subscription_id: 42,
            plan_name: "Smart Quarterly",
            amount: Paise(0),
            email: "reader@example.com",
            success_url: "https://news.example/account",
            cancel_url: "https://news.example/subscribe",
        };
        let form = set_up_form(&request);
        let field = |name: &str| form.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str());
        for (name, value) in [
            ("mode", "setup"),
            ("currency", "inr"),
            ("customer_creation", "always"),
            ("customer_email", "reader@example.com"),
            ("client_reference_id", "42"),
            ("setup_intent_data[metadata][masthead_subscription]", "42"),
            ("metadata[masthead_subscription]", "42"),
        ] {
            assert_eq!(field(name), Some(value), "{name}");
        }
        // Setup mode takes no line items and no payment intent.
        assert!(form.iter().all(|(k, _)| !k.starts_with("line_items") && !k.starts_with("payment_intent_data")));
    }

    #[test]
    fn the_saved_method_is_the_succeeded_setup_intents() {
        let intent = serde_json::json!({"id": "seti_1", "object": "setup_intent", "status": "succeeded",
                                        "customer": "cus_1", "payment_method": "pm_1"});
        assert_eq!(saved_by_setup_intent(&intent, None), Ok("cus_1:pm_1".to_owned()));
        let without_customer = serde_json::json!({"status": "succeeded", "customer": null, "payment_method": "pm_1"});
        assert_eq!(saved_by_setup_intent(&without_customer, Some("cus_2")), Ok("cus_2:pm_1".to_owned()));
        assert_eq!(saved_by_setup_intent(&without_customer, None), Err("the SetupIntent names no customer".to_owned()));
        let pending = serde_json::json!({"status": "requires_payment_method", "customer": "cus_1"});
        assert_eq!(
            saved_by_setup_intent(&pending, None),
            Err("the SetupIntent is \"requires_payment_method\", not succeeded".to_owned())
        );
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
