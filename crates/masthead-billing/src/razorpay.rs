//! Razorpay, over its HTTP API (JSON bodies, HTTP Basic auth with
//! `key_id:key_secret`, amounts in paise), following its documented
//! recurring payments on cards.
//!
//! - Checkout, the authorisation transaction: a customer (`POST /v1/customers`,
//!   `fail_existing: "0"` so a returning reader's is reused), then an order on
//!   it for the plan's price that asks for a recurring card token
//!   (`POST /v1/orders` with `customer_id`, `method: "card"` and `token`).
//!   The reader goes to a page of this site ([`Razorpay::hosted_form`]) whose
//!   button posts the order to Razorpay's hosted checkout with `recurring=1`;
//!   no JavaScript. The page's address carries the order and customer with
//!   Masthead's tag on them ([`CheckoutRef`]), so nothing is stored for it.
//! - Return: Razorpay posts `razorpay_payment_id`, `razorpay_order_id` and
//!   `razorpay_signature` to `callback_url`; [`Razorpay::verify_callback`]
//!   checks the signature (hex HMAC-SHA256 of `"{order_id}|{payment_id}"`
//!   with the key secret) against our own order id. The payment itself is
//!   recorded only from the signed webhook (`payment.captured`, `order.paid`),
//!   whose payment names the customer and the new token: the saved method,
//!   stored as `cust_...:token_...`.
//! - Set-up, for a free trial: the same authorisation transaction for the
//!   least a card authorisation may be (₹1, [`SET_UP_AMOUNT`]) with
//!   `payment_capture: false` and `notes.masthead_set_up`: the ₹1 is only
//!   authorised, never captured, and Razorpay gives an uncaptured payment
//!   back by itself after the capture timeout (3 days by default). Its
//!   `payment.authorized` webhook names the customer and the new token: the
//!   saved method the charge at the trial's end uses.
//! - Renewal: "create subsequent payments" as documented: a new order for
//!   each charge (`POST /v1/orders`), then `POST /v1/payments/create/recurring`
//!   with the order, the customer and the token. The outcome comes as
//!   `payment.captured` / `payment.failed`; a charge Razorpay refuses at once
//!   (HTTP 400) is [`ChargeOutcome::Declined`].
//!
//! - Refund: `POST /v1/payments/{id}/refund` for the amount (`speed:
//!   normal`), our refund in `notes.masthead_refund`; Razorpay says it is
//!   done with `refund.processed`, or `refund.failed`.
//!
//! Our subscription travels in `notes.masthead_subscription` on the order, on
//! the first payment (a checkout field) and on every renewal.

use hmac::{Hmac, KeyInit, Mac};
use masthead_domain::Paise;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Sha256;
use thiserror::Error;

use crate::provider::{
    BoxFuture, ChargeOutcome, ChargeRequest, Checkout, CheckoutRequest, Provider, ProviderError, RefundOutcome,
    RefundRequest, answer_field, api_client, call_api, charge_outcome,
};
use crate::signature;

/// Where Razorpay's API is.
pub const API_BASE: &str = "https://api.razorpay.com";

const NAME: &str = "razorpay";

/// The most a renewal may charge the token without the reader present:
/// RBI's ceiling for card e-mandate debits without an additional factor of
/// authentication (₹15,000). A switch to a dearer plan stays within it.
pub const TOKEN_MAX_AMOUNT: Paise = Paise(1_500_000);

/// What a free trial's set-up authorises (and never captures): Razorpay's
/// least amount for a card authorisation transaction, ₹1.
pub const SET_UP_AMOUNT: Paise = Paise(100);

/// The Razorpay provider: an API key pair, where the API is, and where this
/// site is (its checkout page is one of ours).
#[derive(Clone)]
pub struct Razorpay {
    key_id: String,
    key_secret: String,
    api_base: String,
    public_url: String,
    client: reqwest::Client,
}

impl std::fmt::Debug for Razorpay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Razorpay")
            .field("key_id", &self.key_id)
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

/// The order and customer a checkout pays with, as the checkout page's and
/// the callback's addresses carry them, with Masthead's tag: a hex
/// HMAC-SHA256 under the key secret binding them to one subscription, so
/// neither can be swapped for another's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutRef {
    /// Razorpay's order (`order_...`).
    pub order: String,
    /// Razorpay's customer (`cust_...`).
    pub customer: String,
    /// Masthead's tag on both.
    pub tag: String,
}

impl CheckoutRef {
    /// As a query string: `order=...&customer=...&tag=...` (Razorpay's ids
    /// and the hex tag need no escaping).
    pub fn query(&self) -> String {
        format!("order={}&customer={}&tag={}", self.order, self.customer, self.tag)
    }
}

/// What the checkout page shows Razorpay's hosted checkout.
#[derive(Debug, Clone)]
pub struct HostedCheckout<'a> {
    /// Our subscription.
    pub subscription_id: i64,
    /// Its order and customer.
    pub checkout: &'a CheckoutRef,
    /// What the order charges.
    pub amount: Paise,
    /// The publication, as Razorpay's page names the merchant.
    pub publisher: &'a str,
    /// The plan, as Razorpay's page describes the payment.
    pub plan_name: &'a str,
    /// The reader's address, filled in.
    pub email: &'a str,
    /// Where Razorpay posts the payment's outcome.
    pub callback_url: &'a str,
    /// Where the reader who gives up goes.
    pub cancel_url: &'a str,
}

/// What Razorpay's checkout posts to `callback_url`: the payment, or what
/// went wrong.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Callback {
    /// The payment (on success).
    pub razorpay_payment_id: Option<String>,
    /// Its order (on success).
    pub razorpay_order_id: Option<String>,
    /// Razorpay's signature of both.
    pub razorpay_signature: Option<String>,
    /// Why the payment failed (on failure).
    #[serde(rename = "error[description]")]
    pub error_description: Option<String>,
}

/// Why a callback is not a payment Razorpay confirmed for our order.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum CallbackError {
    /// Razorpay reported a failed payment.
    #[error("Razorpay says the payment did not go through: {0}")]
    Failed(String),
    /// The order and customer are not ones Masthead made for this subscription.
    #[error("this checkout link was not made for this subscription")]
    UnknownCheckout,
    /// A field Razorpay always sends is missing.
    #[error("Razorpay's reply has no {0}")]
    Missing(&'static str),
    /// The payment is for another order.
    #[error("Razorpay's reply is for order {0:?}, not this checkout's")]
    OtherOrder(String),
    /// The signature is not Razorpay's for this order and payment.
    #[error("Razorpay's signature does not match this order and payment")]
    Forged,
}

impl Razorpay {
    /// Razorpay with the key pair, its API at `api_base`, its checkout page on `public_url`.
    pub fn new(key_id: String, key_secret: String, api_base: &str, public_url: &str) -> Result<Self, ProviderError> {
        let api_base = api_base.trim_end_matches('/').to_owned();
        let public_url = public_url.trim_end_matches('/').to_owned();
        Ok(Self { key_id, key_secret, api_base, public_url, client: api_client(NAME)? })
    }

    async fn post(&self, path: &str, body: &Value) -> Result<Value, ProviderError> {
        let request = self
            .client
            .post(format!("{}{path}", self.api_base))
            .basic_auth(&self.key_id, Some(&self.key_secret))
            .json(body);
        call_api(NAME, request).await
    }

    /// The authorisation transaction: a customer, then `order` on it; the
    /// checkout is this site's page that posts it to Razorpay.
    async fn authorise(
        &self,
        request: &CheckoutRequest<'_>,
        order: fn(&CheckoutRequest<'_>, &str) -> Value,
    ) -> Result<Checkout, ProviderError> {
        let customer = answer_field(NAME, &self.post("/v1/customers", &customer(request)).await?, "id")?;
        let order = answer_field(NAME, &self.post("/v1/orders", &order(request, &customer)).await?, "id")?;
        let id = request.subscription_id;
        let checkout = self.checkout_ref(id, order.clone(), customer);
        Ok(Checkout {
            url: format!("{}/checkout/razorpay/{id}?{}", self.public_url, checkout.query()),
            reference: order,
        })
    }

    /// What Masthead's tag signs: the subscription, order and customer, under
    /// its own prefix so it can never pass for a Razorpay signature.
    fn tagged(subscription_id: i64, order: &str, customer: &str) -> String {
        format!("masthead-checkout|{subscription_id}|{order}|{customer}")
    }

    /// The tagged reference to an order and customer made for a subscription.
    pub fn checkout_ref(&self, subscription_id: i64, order: String, customer: String) -> CheckoutRef {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.key_secret.as_bytes())
            .expect("HMAC takes keys of any length");
        mac.update(Self::tagged(subscription_id, &order, &customer).as_bytes());
        CheckoutRef { order, customer, tag: hex::encode(mac.finalize().into_bytes()) }
    }

    /// Whether Masthead made `checkout` for this subscription.
    pub fn is_ours(&self, subscription_id: i64, checkout: &CheckoutRef) -> bool {
        let signed = Self::tagged(subscription_id, &checkout.order, &checkout.customer);
        signature::verify_razorpay(Some(&checkout.tag), signed.as_bytes(), &self.key_secret).is_ok()
    }

    /// The checkout page's form: where it posts (Razorpay's hosted checkout)
    /// and its hidden fields, as Razorpay documents them for a recurring
    /// card authorisation.
    /// Nothing due (a free trial) is its set-up: [`SET_UP_AMOUNT`], authorised only.
    pub fn hosted_form(&self, page: &HostedCheckout<'_>) -> (String, Vec<(&'static str, String)>) {
        let action = format!("{}/v1/checkout/embedded", self.api_base);
        let set_up = page.amount.0 == 0;
        let amount = if set_up { SET_UP_AMOUNT } else { page.amount };
        let mut fields = vec![
            ("key_id", self.key_id.clone()),
            ("order_id", page.checkout.order.clone()),
            ("customer_id", page.checkout.customer.clone()),
            ("recurring", "1".to_owned()),
            ("amount", amount.0.to_string()),
            ("name", page.publisher.to_owned()),
            ("description", page.plan_name.to_owned()),
            ("prefill[email]", page.email.to_owned()),
            ("notes[masthead_subscription]", page.subscription_id.to_string()),
            ("callback_url", page.callback_url.to_owned()),
            ("cancel_url", page.cancel_url.to_owned()),
        ];
        if set_up {
            fields.push(("notes[masthead_set_up]", "1".to_owned()));
        }
        (action, fields)
    }

    /// The payment id of a callback, once its signature checks out against
    /// the order Masthead made for this subscription (never the order the
    /// callback names, as Razorpay advises).
    pub fn verify_callback(
        &self,
        subscription_id: i64,
        checkout: &CheckoutRef,
        callback: &Callback,
    ) -> Result<String, CallbackError> {
        if !self.is_ours(subscription_id, checkout) {
            return Err(CallbackError::UnknownCheckout);
        }
        let Some(payment) = callback.razorpay_payment_id.as_deref() else {
            return Err(match &callback.error_description {
                Some(why) => CallbackError::Failed(why.clone()),
                None => CallbackError::Missing("razorpay_payment_id"),
            });
        };
        let order = callback.razorpay_order_id.as_deref().ok_or(CallbackError::Missing("razorpay_order_id"))?;
        if order != checkout.order {
            return Err(CallbackError::OtherOrder(order.to_owned()));
        }
        let signature = callback.razorpay_signature.as_deref().ok_or(CallbackError::Missing("razorpay_signature"))?;
        let signed = format!("{}|{payment}", checkout.order);
        signature::verify_razorpay(Some(signature), signed.as_bytes(), &self.key_secret)
            .map_err(|_| CallbackError::Forged)?;
        Ok(payment.to_owned())
    }
}

/// The customer to create, or to fetch when the address already has one.
pub fn customer(request: &CheckoutRequest<'_>) -> Value {
    json!({ "email": request.email, "fail_existing": "0" })
}

/// The authorisation order: the plan's price, on the customer, asking for a
/// recurring card token. The token expires with the card (no `expire_at`),
/// and debits come when Masthead asks (`as_presented`).
pub fn authorisation_order(request: &CheckoutRequest<'_>, customer_id: &str) -> Value {
    json!({
        "amount": request.amount.0,
        "currency": "INR",
        "customer_id": customer_id,
        "method": "card",
        "payment_capture": true,
        "receipt": format!("masthead-subscription-{}", request.subscription_id),
        "token": { "max_amount": TOKEN_MAX_AMOUNT.0, "frequency": "as_presented" },
        "notes": { "masthead_subscription": request.subscription_id.to_string() },
    })
}

/// A free trial's set-up order: the authorisation transaction's, for
/// [`SET_UP_AMOUNT`] only authorised (`payment_capture: false`), marked as
/// a set-up in its notes.
pub fn set_up_order(request: &CheckoutRequest<'_>, customer_id: &str) -> Value {
    let mut order = authorisation_order(&CheckoutRequest { amount: SET_UP_AMOUNT, ..request.clone() }, customer_id);
    order["payment_capture"] = Value::Bool(false);
    order["receipt"] = Value::String(format!("masthead-set-up-{}", request.subscription_id));
    order["notes"]["masthead_set_up"] = Value::String("1".to_owned());
    order
}

/// The renewal's order and recurring payment, or why the saved method
/// cannot be charged: it must be `cust_...:token_...`. The payment's
/// `order_id` is filled in once the order exists.
pub fn renewal(request: &ChargeRequest<'_>) -> Result<(Value, Value), String> {
    let (customer, token) = request
        .payment_method
        .split_once(':')
        .ok_or_else(|| format!("the saved payment method {:?} names no Razorpay customer", request.payment_method))?;
    let notes = json!({ "masthead_subscription": request.subscription_id.to_string() });
    // Razorpay's receipt is at most 40 characters; ours are shorter.
    let order = json!({
        "amount": request.amount.0,
        "currency": "INR",
        "payment_capture": true,
        "receipt": request.idempotency_key,
        "notes": notes,
    });
    let payment = json!({
        "email": request.email,
        "amount": request.amount.0,
        "currency": "INR",
        "customer_id": customer,
        "token": token,
        "recurring": "1",
        "description": "Subscription renewal",
        "notes": notes,
    });
    Ok((order, payment))
}

/// The refund's path and body: the amount, our refund in the notes.
pub fn refund_call(request: &RefundRequest<'_>) -> (String, Value) {
    let body = json!({
        "amount": request.amount.0,
        "speed": "normal",
        "receipt": format!("masthead-refund-{}", request.refund_id),
        "notes": { "masthead_refund": request.refund_id.to_string() },
    });
    (format!("/v1/payments/{}/refund", request.payment_id), body)
}

impl Provider for Razorpay {
    fn name(&self) -> &'static str {
        NAME
    }

    fn checkout<'a>(&'a self, request: &'a CheckoutRequest<'a>) -> BoxFuture<'a, Result<Checkout, ProviderError>> {
        Box::pin(self.authorise(request, authorisation_order))
    }

    fn set_up<'a>(&'a self, request: &'a CheckoutRequest<'a>) -> BoxFuture<'a, Result<Checkout, ProviderError>> {
        Box::pin(self.authorise(request, set_up_order))
    }

    fn charge<'a>(&'a self, request: &'a ChargeRequest<'a>) -> BoxFuture<'a, Result<ChargeOutcome, ProviderError>> {
        Box::pin(async move {
            let (order, mut payment) = match renewal(request) {
                Ok(bodies) => bodies,
                Err(reason) => return Ok(ChargeOutcome::Declined { reason }),
            };
            let order = self.post("/v1/orders", &order).await?;
            payment["order_id"] = Value::String(answer_field(NAME, &order, "id")?);
            let answer = self.post("/v1/payments/create/recurring", &payment).await;
            // 400: Razorpay would not charge the token (declined, expired or
            // cancelled mandate); its payment.failed webhook may follow.
            charge_outcome(NAME, answer, "razorpay_payment_id", 400)
        })
    }

    fn refund<'a>(&'a self, request: &'a RefundRequest<'a>) -> BoxFuture<'a, Result<RefundOutcome, ProviderError>> {
        Box::pin(async move {
            let (path, body) = refund_call(request);
            let refund = self.post(&path, &body).await?;
            Ok(RefundOutcome::Requested { reference: answer_field(NAME, &refund, "id")? })
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;

    fn razorpay(key_secret: &str) -> Razorpay {
        Razorpay::new("rzp_test_key".into(), key_secret.into(), "https://api.razorpay.com/", "https://news.example/")
            .unwrap()
    }

    #[test]
    fn the_authorisation_order_asks_for_a_recurring_card_token_for_our_subscription() {
        let request = CheckoutRequest {
            subscription_id: 9,
            plan_name: "Smart Quarterly",
            amount: Paise(90_000),
            email: "reader@example.com",
            success_url: "https://news.example/account",
            cancel_url: "https://news.example/subscribe",
        };
        assert_eq!(customer(&request), json!({"email": "reader@example.com", "fail_existing": "0"}));
        let order = authorisation_order(&request, "cust_1");
        assert_eq!((order["amount"].as_i64(), order["currency"].as_str()), (Some(90_000), Some("INR")));
        assert_eq!((order["customer_id"].as_str(), order["method"].as_str()), (Some("cust_1"), Some("card")));
        assert_eq!(order["token"], json!({"max_amount": 1_500_000, "frequency": "as_presented"}));
        assert_eq!(order["notes"]["masthead_subscription"], "9");
    }

    /// Razorpay's own vector (razorpay-python's `test_verify_payment_signature`):
    /// key secret `key_secret`, order `fake_order_id`, payment `fake_payment_id`.
    #[test]
    fn a_callback_signed_as_razorpay_signs_is_accepted_and_a_forged_one_is_not() {
        let razorpay = razorpay("key_secret");
        let checkout = razorpay.checkout_ref(9, "fake_order_id".into(), "cust_1".into());
        let mut callback = Callback {
            razorpay_payment_id: Some("fake_payment_id".into()),
            razorpay_order_id: Some("fake_order_id".into()),
            razorpay_signature: Some("b2335e3b0801106b84a7faff035df56ecffde06918c9ddd1f0fafbb37a51cc89".into()),
            error_description: None,
        };
        assert_eq!(razorpay.verify_callback(9, &checkout, &callback), Ok("fake_payment_id".to_owned()));
        assert_eq!(razorpay.verify_callback(10, &checkout, &callback), Err(CallbackError::UnknownCheckout));

        callback.razorpay_payment_id = Some("other_payment_id".into());
        assert_eq!(razorpay.verify_callback(9, &checkout, &callback), Err(CallbackError::Forged));
        callback.razorpay_signature = Some("not hex".into());
        assert_eq!(razorpay.verify_callback(9, &checkout, &callback), Err(CallbackError::Forged));
        callback.razorpay_signature = None;
        assert_eq!(
            razorpay.verify_callback(9, &checkout, &callback),
            Err(CallbackError::Missing("razorpay_signature"))
        );
        callback.razorpay_order_id = Some("order_else".into());
        assert_eq!(
            razorpay.verify_callback(9, &checkout, &callback),
            Err(CallbackError::OtherOrder("order_else".into()))
        );
        let failed = Callback { error_description: Some("Card declined".into()), ..Callback::default() };
        assert_eq!(razorpay.verify_callback(9, &checkout, &failed), Err(CallbackError::Failed("Card declined".into())));
    }

    #[test]
    fn only_masthead_can_tag_a_checkout() {
        let ours = razorpay("key_secret").checkout_ref(9, "order_1".into(), "cust_1".into());
        assert!(razorpay("key_secret").is_ours(9, &ours));
        assert!(!razorpay("other_secret").is_ours(9, &ours));
        let swapped = CheckoutRef { customer: "cust_2".into(), ..ours.clone() };
        assert!(!razorpay("key_secret").is_ours(9, &swapped));
        assert_eq!(ours.query(), format!("order=order_1&customer=cust_1&tag={}", ours.tag));
    }

    #[test]
    fn the_hosted_form_posts_the_recurring_authorisation_to_razorpay() {
        let razorpay = razorpay("key_secret");
        let checkout = razorpay.checkout_ref(9, "order_1".into(), "cust_1".into());
        let page = HostedCheckout {
            subscription_id: 9,
            checkout: &checkout,
            amount: Paise(90_000),
            publisher: "Masthead Daily",
            plan_name: "Smart Quarterly",
            email: "reader@example.com",
            callback_url: "https://news.example/checkout/razorpay/9/callback",
            cancel_url: "https://news.example/subscribe",
        };
        let (action, fields) = razorpay.hosted_form(&page);
        assert_eq!(action, "https://api.razorpay.com/v1/checkout/embedded");
        let field = |name: &str| fields.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str());
        for (name, value) in [
            ("key_id", "rzp_test_key"),
            ("order_id", "order_1"),
            ("customer_id", "cust_1"),
            ("recurring", "1"),
            ("amount", "90000"),
            ("prefill[email]", "reader@example.com"),
            ("notes[masthead_subscription]", "9"),
        ] {
            assert_eq!(field(name), Some(value), "{name}");
        }
    }

    #[test]
    fn a_free_trials_set_up_authorises_one_rupee_without_capturing_it() {
        let request = CheckoutRequest {
            subscription_id: 9,
            plan_name: "Smart Quarterly",
            amount: Paise(0),
            email: "reader@example.com",
            success_url: "https://news.example/account",
            cancel_url: "https://news.example/subscribe",
        };
        let order = set_up_order(&request, "cust_1");
        assert_eq!((order["amount"].as_i64(), order["payment_capture"].as_bool()), (Some(100), Some(false)));
        assert_eq!((order["customer_id"].as_str(), order["method"].as_str()), (Some("cust_1"), Some("card")));
        assert_eq!(order["token"], json!({"max_amount": 1_500_000, "frequency": "as_presented"}));
        assert_eq!(order["notes"], json!({"masthead_subscription": "9", "masthead_set_up": "1"}));
        assert_eq!(order["receipt"], "masthead-set-up-9");

        let razorpay = razorpay("key_secret");
        let checkout = razorpay.checkout_ref(9, "order_1".into(), "cust_1".into());
        let mut page = HostedCheckout {
            subscription_id: 9,
            checkout: &checkout,
            amount: Paise(0),
            publisher: "Masthead Daily",
            plan_name: "Smart Quarterly",
            email: "reader@example.com",
            callback_url: "https://news.example/checkout/razorpay/9/callback",
            cancel_url: "https://news.example/subscribe",
        };
        let field =
            |fields: &[(&str, String)], name: &str| fields.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone());
        let (_, fields) = razorpay.hosted_form(&page);
        assert_eq!(field(&fields, "amount").as_deref(), Some("100"));
        assert_eq!(field(&fields, "notes[masthead_set_up]").as_deref(), Some("1"));
        page.amount = Paise(90_000);
        let (_, fields) = razorpay.hosted_form(&page);
        assert_eq!(
            (field(&fields, "amount").as_deref(), field(&fields, "notes[masthead_set_up]")),
            (Some("90000"), None)
        );
    }

    #[test]
    fn a_renewal_is_an_order_then_a_recurring_payment_on_the_token() {
        let request = ChargeRequest {
            subscription_id: 9,
            amount: Paise(90_000),
            payment_method: "cust_1:token_2",
            email: "reader@example.com",
            idempotency_key: "masthead-renewal-9-1700000000",
            at: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
        };
        let (order, payment) = renewal(&request).unwrap();
        assert_eq!(
            (order["amount"].as_i64(), order["receipt"].as_str()),
            (Some(90_000), Some(request.idempotency_key))
        );
        assert_eq!((payment["customer_id"].as_str(), payment["token"].as_str()), (Some("cust_1"), Some("token_2")));
        assert_eq!(payment["recurring"], "1");
        assert!(renewal(&ChargeRequest { payment_method: "token_2", ..request }).is_err());
    }
}
