//! Stripe and Razorpay over their HTTP APIs: mock APIs on 127.0.0.1 check
//! each request (auth, fields, amount, idempotency) and record it; webhooks
//! and Razorpay's checkout callback are signed as the providers sign them. A
//! subscription is bought through the provider's checkout (Razorpay's through
//! Masthead's page that posts the order to Razorpay's hosted checkout),
//! renewed by the renewal job's charge on the saved method, and falls past
//! due when that charge is declined; a provider API that fails leaves nothing
//! in the way of trying again.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use chrono::{DateTime, Duration, Months, Utc};
use hmac::{KeyInit, Mac};
use masthead_billing::PaymentConfig;
use masthead_billing::signature::sign_timestamped;
use masthead_domain::offer::OfferKind;
use masthead_domain::{Clock, ManualClock, Paise};
use reqwest::Method;
use serde_json::{Value, json};

use crate::billing::{call, config_at, log_in_api, noon, premium_id, run_due_with, token};
use crate::support::{
    Backend, Browser, PASSWORD, TestApp, free_story_paths, log_in, on_every_backend, register, spawn_app_with,
    spawn_process_with, text_of,
};

on_every_backend!(
    stripe_checkout_renewal_and_a_declined_renewal,
    razorpay_recurring_card_checkout_renewal_and_a_declined_renewal,
    a_stripe_free_trial_saves_the_card_in_setup_mode_and_charges_it_at_the_end,
    a_razorpay_free_trial_authorises_a_token_uncaptured_and_charges_it_at_the_end,
    a_failing_provider_api_is_a_clear_502_and_retrying_works,
    the_subscribe_page_offers_the_configured_providers,
    the_serve_command_takes_provider_keys_from_its_flags,
);

const STRIPE_KEY: &str = "sk_test_masthead";
pub(crate) const STRIPE_WEBHOOK_SECRET: &str = "whsec_masthead_test";
const RAZORPAY_KEY_ID: &str = "rzp_test_masthead";
const RAZORPAY_KEY_SECRET: &str = "rzp_key_secret_masthead";
/// `Basic base64(RAZORPAY_KEY_ID:RAZORPAY_KEY_SECRET)`.
const RAZORPAY_AUTH: &str = "Basic cnpwX3Rlc3RfbWFzdGhlYWQ6cnpwX2tleV9zZWNyZXRfbWFzdGhlYWQ=";
pub(crate) const RAZORPAY_WEBHOOK_SECRET: &str = "rzp_webhook_secret_masthead";
/// Smart Quarterly: ₹900 for 3 months.
const QUARTERLY: i64 = 1;
const QUARTERLY_PAISE: i64 = 90_000;

/// How a mock API answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// As the provider does when all is well.
    Normal,
    /// Charges on saved methods are declined.
    Decline,
    /// Every request is refused as badly authenticated.
    Unauthorized,
    /// The provider fails (500).
    Down,
}

/// One request a mock API received.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    path: String,
    headers: HeaderMap,
    body: String,
}

impl Call {
    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    /// A form-encoded body's field.
    pub(crate) fn field(&self, name: &str) -> Option<String> {
        let fields: Vec<(String, String)> = serde_urlencoded::from_str(&self.body).expect("a form body");
        fields.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

/// A provider's answer to a call: the status and JSON body.
type Answer = fn(base: &str, call: &Call, number: usize, mode: Mode) -> (u16, Value);

struct MockState {
    base: String,
    calls: Mutex<Vec<Call>>,
    mode: Mutex<Mode>,
    answer: Answer,
}

/// A provider's API on 127.0.0.1, recording every call.
#[derive(Clone)]
pub(crate) struct MockApi(Arc<MockState>);

impl MockApi {
    async fn start(answer: Answer) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(MockState { base, calls: Mutex::default(), mode: Mutex::new(Mode::Normal), answer });
        let app = axum::Router::new().fallback(receive).with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self(state)
    }

    fn base(&self) -> &str {
        &self.0.base
    }

    pub(crate) fn set_mode(&self, mode: Mode) {
        *self.0.mode.lock().unwrap() = mode;
    }

    fn calls(&self) -> Vec<Call> {
        self.0.calls.lock().unwrap().clone()
    }

    /// The calls to `path`, oldest first.
    pub(crate) fn calls_to(&self, path: &str) -> Vec<Call> {
        self.calls().into_iter().filter(|c| c.path == path).collect()
    }
}

async fn receive(
    State(state): State<Arc<MockState>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, axum::Json<Value>) {
    let call = Call { path: uri.path().to_owned(), headers, body: String::from_utf8(body.to_vec()).unwrap() };
    let mode = *state.mode.lock().unwrap();
    let number = {
        let mut calls = state.calls.lock().unwrap();
        calls.push(call.clone());
        calls.len()
    };
    let (status, body) = (state.answer)(&state.base, &call, number, mode);
    (StatusCode::from_u16(status).unwrap(), axum::Json(body))
}

/// Stripe's API as documented: form bodies, bearer key, idempotency keys,
/// `{"error": {"type", "code", "message"}}` on failure, 402 for a declined card.
fn stripe_api(base: &str, call: &Call, number: usize, mode: Mode) -> (u16, Value) {
    let error = |status: u16, kind: &str, message: &str| (status, json!({"error": {"type": kind, "message": message}}));
    if mode == Mode::Unauthorized || call.header("authorization") != format!("Bearer {STRIPE_KEY}") {
        return error(401, "invalid_request_error", "Invalid API Key provided: sk_test_****rong");
    }
    if mode == Mode::Down {
        return error(500, "api_error", "Something went wrong on Stripe's end.");
    }
    // A set-up session's SetupIntent, fetched once the session completes.
    if let Some(id) = call.path.strip_prefix("/v1/setup_intents/") {
        return (
            200,
            json!({"id": id, "object": "setup_intent", "status": "succeeded", "usage": "off_session",
                   "customer": "cus_test_1", "payment_method": "pm_trial_card"}),
        );
    }
    if call.header("content-type") != "application/x-www-form-urlencoded" || call.header("idempotency-key").is_empty() {
        return error(400, "invalid_request_error", "expected a form body and an Idempotency-Key");
    }
    match call.path.as_str() {
        "/v1/checkout/sessions" => (
            200,
            json!({"id": format!("cs_test_{number}"), "object": "checkout.session",
                   "url": format!("{base}/c/pay/cs_test_{number}"), "status": "open"}),
        ),
        "/v1/payment_intents" if mode == Mode::Decline => (
            402,
            json!({"error": {"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds",
                   "message": "Your card has insufficient funds.",
                   "payment_intent": {"id": format!("pi_declined_{number}"), "object": "payment_intent",
                                      "status": "requires_payment_method"}}}),
        ),
        "/v1/payment_intents" => {
            (200, json!({"id": format!("pi_renewal_{number}"), "object": "payment_intent", "status": "succeeded"}))
        }
        // A card refund is pending until Stripe's refund webhook says it succeeded.
        "/v1/refunds" => (
            200,
            json!({"id": format!("re_test_{number}"), "object": "refund", "status": "pending",
                   "amount": call.field("amount").and_then(|a| a.parse::<i64>().ok()),
                   "payment_intent": call.field("payment_intent"), "currency": "inr",
                   "metadata": {"masthead_refund": call.field("metadata[masthead_refund]")}}),
        ),
        other => error(404, "invalid_request_error", &format!("Unrecognized request URL (POST: {other})")),
    }
}

/// Razorpay's API as documented: JSON bodies, Basic auth with the key pair,
/// `{"error": {"code", "description"}}` on failure, 400 for a failed charge.
fn razorpay_api(_base: &str, call: &Call, number: usize, mode: Mode) -> (u16, Value) {
    let error = |status: u16, description: &str| {
        (status, json!({"error": {"code": "BAD_REQUEST_ERROR", "description": description, "source": "NA"}}))
    };
    if mode == Mode::Unauthorized || call.header("authorization") != RAZORPAY_AUTH {
        return error(401, "Authentication failed");
    }
    if mode == Mode::Down {
        return (500, json!({"error": {"code": "SERVER_ERROR", "description": "The server encountered an error."}}));
    }
    if call.header("content-type") != "application/json" {
        return error(400, "expected a JSON body");
    }
    match call.path.as_str() {
        "/v1/customers" => {
            (200, json!({"id": "cust_test_1", "entity": "customer", "email": call.json()["email"], "name": null}))
        }
        "/v1/orders" => (
            200,
            json!({"id": format!("order_{number}"), "entity": "order", "amount": call.json()["amount"],
                   "status": "created"}),
        ),
        "/v1/payments/create/recurring" if mode == Mode::Decline => {
            error(400, "Payment failed because the card issuer declined the transaction")
        }
        "/v1/payments/create/recurring" => (
            200,
            json!({"razorpay_payment_id": format!("pay_renewal_{number}"),
                   "razorpay_order_id": call.json()["order_id"], "razorpay_signature": "0".repeat(64)}),
        ),
        refund if refund.starts_with("/v1/payments/") && refund.ends_with("/refund") => (
            200,
            json!({"id": format!("rfnd_test_{number}"), "entity": "refund", "amount": call.json()["amount"],
                   "currency": "INR", "payment_id": refund.trim_start_matches("/v1/payments/").trim_end_matches("/refund"),
                   "notes": call.json()["notes"], "status": "pending", "speed_requested": call.json()["speed"]}),
        ),
        _ => error(404, "The requested URL was not found on the server."),
    }
}

/// Payment settings with both providers pointed at their mocks.
fn payments(stripe: &MockApi, razorpay: &MockApi) -> PaymentConfig {
    PaymentConfig {
        stripe_secret_key: Some(STRIPE_KEY.to_owned()),
        stripe_api_base: stripe.base().to_owned(),
        stripe_webhook_secret: Some(STRIPE_WEBHOOK_SECRET.to_owned()),
        razorpay_key_id: Some(RAZORPAY_KEY_ID.to_owned()),
        razorpay_key_secret: Some(RAZORPAY_KEY_SECRET.to_owned()),
        razorpay_api_base: razorpay.base().to_owned(),
        razorpay_webhook_secret: Some(RAZORPAY_WEBHOOK_SECRET.to_owned()),
        ..config_at().0.payments
    }
}

/// The site on a manual clock at noon, with both providers on mock APIs.
pub(crate) struct Setup {
    pub(crate) app: TestApp,
    pub(crate) clock: Arc<ManualClock>,
    pub(crate) stripe: MockApi,
    pub(crate) razorpay: MockApi,
    pub(crate) payments: PaymentConfig,
}

pub(crate) async fn setup(backend: Backend) -> Setup {
    let (stripe, razorpay) = (MockApi::start(stripe_api).await, MockApi::start(razorpay_api).await);
    let (config, clock) = config_at();
    let payments = payments(&stripe, &razorpay);
    let app = spawn_app_with(backend, masthead_web::SiteConfig { payments: payments.clone(), ..config }).await;
    Setup { app, clock, stripe, razorpay, payments }
}

async fn subscribe(app: &TestApp, token: &str, provider: &str) -> (u16, Value) {
    let body = json!({"plan_id": QUARTERLY, "provider": provider});
    call(app, Method::POST, "/api/v1/subscriptions", token, Some(body)).await
}

/// Subscribes through `provider`, which answers; the subscription id and its checkout page.
pub(crate) async fn checkout(app: &TestApp, token: &str, provider: &str) -> (i64, String) {
    let (status, created) = subscribe(app, token, provider).await;
    assert_eq!(status, 201, "{provider}: {created}");
    assert!(created.get("sandbox_pay_url").is_none(), "{created}");
    (created["subscription_id"].as_i64().unwrap(), created["checkout_url"].as_str().unwrap().to_owned())
}

pub(crate) async fn me(app: &TestApp, token: &str) -> Value {
    call(app, Method::GET, "/api/v1/me", token, None).await.1["subscription"].clone()
}

fn period_end(subscription: &Value) -> DateTime<Utc> {
    subscription["current_period_end"].as_str().unwrap().parse().unwrap()
}

/// A Stripe event envelope, signed as Stripe signs, delivered to `/webhooks/stripe`.
pub(crate) async fn stripe_webhook(
    app: &TestApp,
    clock: &ManualClock,
    id: &str,
    kind: &str,
    object: Value,
) -> (u16, Value) {
    let now = clock.now().timestamp();
    let body = json!({"id": id, "object": "event", "api_version": "2025-03-31.basil", "created": now,
                      "livemode": false, "type": kind, "data": {"object": object}})
    .to_string();
    let signature = sign_timestamped(body.as_bytes(), STRIPE_WEBHOOK_SECRET, now);
    let request = app.client.post(app.url("/webhooks/stripe")).header("stripe-signature", signature).body(body);
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

/// Hex HMAC-SHA256 of `message` under `secret`: how Razorpay signs webhooks
/// (the body, with the webhook secret) and checkout callbacks
/// (`"{order_id}|{payment_id}"`, with the key secret).
pub(crate) fn razorpay_hmac(secret: &str, message: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(message.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// A Razorpay event, signed as Razorpay signs (hex HMAC-SHA256 of the body),
/// its id in `X-Razorpay-Event-Id`, delivered to `/webhooks/razorpay`.
pub(crate) async fn razorpay_webhook(
    app: &TestApp,
    clock: &ManualClock,
    id: &str,
    kind: &str,
    payload: Value,
) -> (u16, Value) {
    let contains: Vec<&String> = payload.as_object().unwrap().keys().collect();
    let body = json!({"entity": "event", "account_id": "acc_test", "event": kind, "contains": contains,
                      "payload": payload, "created_at": clock.now().timestamp()})
    .to_string();
    let signature = razorpay_hmac(RAZORPAY_WEBHOOK_SECRET, &body);
    let request = app
        .client
        .post(app.url("/webhooks/razorpay"))
        .header("x-razorpay-signature", signature)
        .header("x-razorpay-event-id", id)
        .body(body);
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

/// The form on Masthead's Razorpay checkout page: where it posts and its fields.
async fn razorpay_form(app: &TestApp, url: &str) -> (String, Vec<(String, String)>, String) {
    let response = app.client.get(url).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200, "{url}");
    let html = response.text().await.unwrap();
    let attribute = |tag: &str, name: &str| {
        let marker = format!(r#"{name}=""#);
        let start = tag.find(&marker).map(|at| at + marker.len())?;
        Some(text_of(&tag[start..start + tag[start..].find('"')?]))
    };
    let form = &html[html.find("<form").expect("a form")..];
    let action = attribute(&form[..form.find('>').unwrap()], "action").expect("an action");
    let fields = form[..form.find("</form>").unwrap()]
        .split("<input")
        .skip(1)
        .map(|tag| (attribute(tag, "name").unwrap(), attribute(tag, "value").unwrap()))
        .collect();
    (action, fields, html)
}

/// Razorpay's checkout posting to `callback_url` from its own site, as a browser does.
async fn razorpay_callback(app: &TestApp, callback_url: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
    let response = app
        .client
        .post(callback_url)
        .header("origin", "https://api.razorpay.com")
        .header("sec-fetch-site", "cross-site")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(crate::support::form_body(fields))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, location, text_of(&response.text().await.unwrap()))
}

pub(crate) fn processed(delivered: (u16, Value)) {
    assert_eq!((delivered.0, delivered.1["status"].as_str()), (200, Some("processed")), "{}", delivered.1);
}

pub(crate) async fn decision(app: &TestApp, token: &str) -> Value {
    let premium = premium_id(app).await;
    call(app, Method::GET, &format!("/api/v1/articles/{premium}"), token, None).await.1["access"]["decision"].clone()
}

fn payment_failed_mails(app: &TestApp, to: &str) -> usize {
    app.mails().iter().filter(|m| m.to == to && m.subject.contains("payment did not go through")).count()
}

async fn stripe_checkout_renewal_and_a_declined_renewal(backend: Backend) {
    let Setup { app, clock, stripe, payments, .. } = setup(backend).await;
    let email = "stripe@example.com";
    let token = token(&app, email).await;
    let (id, checkout_url) = checkout(&app, &token, "stripe").await;
    assert_eq!(checkout_url, format!("{}/c/pay/cs_test_1", stripe.base()));

    // The Checkout Session: the price in paise, the card saved for renewals, our subscription in metadata.
    let session = &stripe.calls_to("/v1/checkout/sessions")[0];
    assert!(
        session.header("idempotency-key").starts_with(&format!("masthead-checkout-{id}-")),
        "{:?}",
        session.headers
    );
    for (field, value) in [
        ("mode", "payment".to_owned()),
        ("line_items[0][price_data][unit_amount]", QUARTERLY_PAISE.to_string()),
        ("line_items[0][price_data][currency]", "inr".to_owned()),
        ("line_items[0][price_data][product_data][name]", "Smart Quarterly".to_owned()),
        ("line_items[0][quantity]", "1".to_owned()),
        ("payment_intent_data[setup_future_usage]", "off_session".to_owned()),
        ("payment_intent_data[metadata][masthead_subscription]", id.to_string()),
        ("metadata[masthead_subscription]", id.to_string()),
        ("client_reference_id", id.to_string()),
        ("customer_email", email.to_owned()),
        ("success_url", app.url("/account")),
        ("cancel_url", app.url("/subscribe")),
    ] {
        assert_eq!(session.field(field), Some(value), "{field} in {}", session.body);
    }
    assert_eq!(me(&app, &token).await["status"], "pending");

    // Paid: the session completes, then its payment intent names the saved customer and card.
    let paid = json!({"id": "cs_test_1", "object": "checkout.session", "mode": "payment", "payment_status": "paid",
                      "status": "complete", "payment_intent": "pi_first", "customer": "cus_test_1",
                      "client_reference_id": id.to_string(), "metadata": {"masthead_subscription": id.to_string()},
                      "amount_total": QUARTERLY_PAISE, "currency": "inr"});
    processed(stripe_webhook(&app, &clock, "evt_session", "checkout.session.completed", paid).await);
    let intent = |pi: &str, amount: i64| {
        json!({"id": pi, "object": "payment_intent", "status": "succeeded", "amount": amount,
               "amount_received": amount, "currency": "inr", "customer": "cus_test_1",
               "payment_method": "pm_card_1", "metadata": {"masthead_subscription": id.to_string()}})
    };
    processed(
        stripe_webhook(&app, &clock, "evt_pi_first", "payment_intent.succeeded", intent("pi_first", 90_000)).await,
    );
    let subscription = me(&app, &token).await;
    assert_eq!(subscription["status"], "active");
    let term_end = period_end(&subscription);
    assert_eq!(term_end, noon() + Months::new(3));
    assert_eq!(app.store.payment_count(id).await.unwrap(), 1, "the session and its intent are one payment");
    let saved = app.store.subscription(id).await.unwrap().unwrap().payment_method;
    assert_eq!(saved.as_deref(), Some("cus_test_1:pm_card_1"));
    assert_eq!(decision(&app, &token).await, "allowed");

    // Term end: the job charges the saved card off-session, once; Stripe's webhook renews.
    clock.set(term_end + Duration::minutes(1));
    let report = run_due_with(&app, &clock, payments.clone()).await;
    assert_eq!((report.charged, report.renewed, report.errors), (1, 0, 0), "{report:?}");
    let charges = stripe.calls_to("/v1/payment_intents");
    assert_eq!(charges.len(), 1);
    assert_eq!(charges[0].header("idempotency-key"), format!("masthead-renewal-{id}-{}", term_end.timestamp()));
    for (field, value) in [
        ("amount", QUARTERLY_PAISE.to_string()),
        ("currency", "inr".to_owned()),
        ("customer", "cus_test_1".to_owned()),
        ("payment_method", "pm_card_1".to_owned()),
        ("off_session", "true".to_owned()),
        ("confirm", "true".to_owned()),
        ("metadata[masthead_subscription]", id.to_string()),
    ] {
        assert_eq!(charges[0].field(field), Some(value), "{field} in {}", charges[0].body);
    }
    let token = log_in_api(&app, email).await;
    assert_eq!(me(&app, &token).await["status"], "renewal_due", "until Stripe says how the charge went");
    let renewal = intent("pi_renewal_2", QUARTERLY_PAISE);
    processed(stripe_webhook(&app, &clock, "evt_pi_renewal", "payment_intent.succeeded", renewal).await);
    let renewed = me(&app, &token).await;
    assert_eq!((renewed["status"].as_str(), period_end(&renewed)), (Some("active"), term_end + Months::new(3)));
    let reader = app.store.subscription(id).await.unwrap().unwrap().reader_id;
    assert_eq!(app.store.reader_invoices(reader).await.unwrap().len(), 2, "a second invoice");
    assert_eq!(run_due_with(&app, &clock, payments.clone()).await.charged, 0, "one charge per term");
    assert_eq!(stripe.calls_to("/v1/payment_intents").len(), 1);

    // The next term's card is declined (402): past due at once, the reader told; Stripe's failure webhook agrees.
    stripe.set_mode(Mode::Decline);
    let second_end = term_end + Months::new(3);
    clock.set(second_end + Duration::minutes(1));
    let report = run_due_with(&app, &clock, payments).await;
    assert_eq!((report.charged, report.renewed, report.reminders, report.errors), (1, 0, 1, 0), "{report:?}");
    let token = log_in_api(&app, email).await;
    assert_eq!(me(&app, &token).await["status"], "past_due");
    let failed = json!({"id": "pi_declined_3", "object": "payment_intent", "status": "requires_payment_method",
                        "amount": QUARTERLY_PAISE, "currency": "inr", "customer": "cus_test_1",
                        "metadata": {"masthead_subscription": id.to_string()},
                        "last_payment_error": {"code": "card_declined", "message": "Your card has insufficient funds."}});
    processed(stripe_webhook(&app, &clock, "evt_pi_failed", "payment_intent.payment_failed", failed).await);
    assert_eq!(me(&app, &token).await["status"], "past_due");
    assert_eq!(app.store.payment_count(id).await.unwrap(), 2);
    assert_eq!(decision(&app, &token).await, "allowed", "grace");
    assert_eq!(payment_failed_mails(&app, email), 1);
}

async fn razorpay_recurring_card_checkout_renewal_and_a_declined_renewal(backend: Backend) {
    let Setup { app, clock, razorpay, payments, .. } = setup(backend).await;
    let email = "razorpay@example.com";
    let token = token(&app, email).await;
    let (id, checkout_url) = checkout(&app, &token, "razorpay").await;
    let page = app.url(&format!("/checkout/razorpay/{id}?order=order_2&customer=cust_test_1&tag="));
    assert!(checkout_url.starts_with(&page), "{checkout_url}");

    // The authorisation transaction as documented: a customer (reused if the
    // address has one), then an order on it that asks for a recurring card token.
    let paths: Vec<String> = razorpay.calls().into_iter().map(|c| c.path).collect();
    assert_eq!(paths, ["/v1/customers", "/v1/orders"]);
    let customer = razorpay.calls_to("/v1/customers")[0].json();
    assert_eq!((customer["email"].as_str(), customer["fail_existing"].as_str()), (Some(email), Some("0")));
    let order = razorpay.calls_to("/v1/orders")[0].json();
    assert_eq!((order["amount"].as_i64(), order["currency"].as_str()), (Some(QUARTERLY_PAISE), Some("INR")));
    assert_eq!((order["customer_id"].as_str(), order["method"].as_str()), (Some("cust_test_1"), Some("card")));
    assert_eq!(order["token"], json!({"max_amount": 1_500_000, "frequency": "as_presented"}));
    assert_eq!(order["notes"]["masthead_subscription"], id.to_string());
    assert_eq!(order["payment_capture"], true);

    // Masthead's page: one button posting the order to Razorpay's hosted
    // checkout, no JavaScript; back to the story the reader came from.
    let story = free_story_paths(&app, 1).await.remove(0);
    let (action, fields, html) = razorpay_form(&app, &format!("{checkout_url}&next={story}")).await;
    assert_eq!(action, format!("{}/v1/checkout/embedded", razorpay.base()));
    assert!(text_of(&html).contains("Continue to Razorpay"), "{html}");
    assert!(!html.contains("<script"), "works without JavaScript");
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    for (name, value) in [
        ("key_id", RAZORPAY_KEY_ID.to_owned()),
        ("order_id", "order_2".to_owned()),
        ("customer_id", "cust_test_1".to_owned()),
        ("recurring", "1".to_owned()),
        ("amount", QUARTERLY_PAISE.to_string()),
        ("description", "Smart Quarterly".to_owned()),
        ("prefill[email]", email.to_owned()),
        ("notes[masthead_subscription]", id.to_string()),
        ("cancel_url", app.url(&format!("/subscribe?next={story}"))),
    ] {
        assert_eq!(field(name), value, "{name} in {fields:?}");
    }
    let callback_url = field("callback_url");
    assert!(callback_url.starts_with(&app.url(&format!("/checkout/razorpay/{id}/callback?order=order_2&"))));
    let tampered = checkout_url.replace("order=order_2", "order=order_9");
    assert_eq!(app.client.get(&tampered).send().await.unwrap().status().as_u16(), 404, "only our own orders");

    // Razorpay's callback: forged, failed or for another order → 400 saying why, nothing stored.
    let signed = razorpay_hmac(RAZORPAY_KEY_SECRET, "order_2|pay_first");
    let forged = razorpay_hmac("not the key secret", "order_2|pay_first");
    let other = razorpay_hmac(RAZORPAY_KEY_SECRET, "order_7|pay_first");
    let failed = [("error[code]", "BAD_REQUEST_ERROR"), ("error[description]", "Your payment has been cancelled.")];
    for (fields, why) in [
        (
            &[("razorpay_payment_id", "pay_first"), ("razorpay_order_id", "order_2"), ("razorpay_signature", &forged)]
                [..],
            "Razorpay's signature does not match this order and payment",
        ),
        (
            &[("razorpay_payment_id", "pay_first"), ("razorpay_order_id", "order_7"), ("razorpay_signature", &other)],
            "not this checkout's",
        ),
        (&failed, "did not go through: Your payment has been cancelled."),
        (
            &[("razorpay_payment_id", "pay_first"), ("razorpay_order_id", "order_2")],
            "Razorpay's reply has no razorpay_signature",
        ),
    ] {
        let (status, _, page) = razorpay_callback(&app, &callback_url, fields).await;
        assert_eq!(status, 400, "{fields:?}: {page}");
        assert!(page.contains("Payment not confirmed") && page.contains(why), "{why} in {page}");
    }
    let genuine =
        [("razorpay_payment_id", "pay_first"), ("razorpay_order_id", "order_2"), ("razorpay_signature", &signed)];
    let forged_link = callback_url.replace("customer=cust_test_1", "customer=cust_other");
    assert_eq!(razorpay_callback(&app, &forged_link, &genuine).await.0, 404, "only our own checkouts");
    assert_eq!(me(&app, &token).await["status"], "pending");
    assert_eq!(app.store.subscription(id).await.unwrap().unwrap().payment_method, None);

    // Signed as Razorpay signs: back to the story. The payment counts once Razorpay's webhook says so.
    let (status, location, _) = razorpay_callback(&app, &callback_url, &genuine).await;
    assert_eq!(
        (status, location.as_str()),
        (303, format!("{story}?welcome=1").as_str()),
        "back on the story, welcomed"
    );
    assert_eq!(me(&app, &token).await["status"], "pending", "until the signed webhook");

    // order.paid and payment.captured for the first payment: one payment, the token saved.
    let notes = json!({"masthead_subscription": id.to_string()});
    let payment = |pay: &str, order: &str, status: &str| {
        json!({"entity": {"id": pay, "entity": "payment", "amount": QUARTERLY_PAISE, "currency": "INR",
                          "status": status, "order_id": order, "method": "card", "customer_id": "cust_test_1",
                          "token_id": "token_test_1", "recurring": true, "notes": notes}})
    };
    let paid = json!({
        "order": {"entity": {"id": "order_2", "entity": "order", "status": "paid", "amount_paid": QUARTERLY_PAISE,
                             "notes": notes}},
        "payment": payment("pay_first", "order_2", "captured"),
    });
    processed(razorpay_webhook(&app, &clock, "evt_order_paid", "order.paid", paid).await);
    let captured = json!({"payment": payment("pay_first", "order_2", "captured")});
    processed(razorpay_webhook(&app, &clock, "evt_first_captured", "payment.captured", captured).await);
    let subscription = me(&app, &token).await;
    assert_eq!(subscription["status"], "active");
    assert_eq!(app.store.payment_count(id).await.unwrap(), 1, "the order and its payment are one payment");
    let term_end = period_end(&subscription);
    let saved = app.store.subscription(id).await.unwrap().unwrap().payment_method;
    assert_eq!(saved.as_deref(), Some("cust_test_1:token_test_1"));
    assert_eq!(decision(&app, &token).await, "allowed");

    // Term end: an order, then a recurring payment on the token, as Razorpay documents.
    clock.set(term_end + Duration::minutes(1));
    let report = run_due_with(&app, &clock, payments.clone()).await;
    assert_eq!((report.charged, report.renewed, report.errors), (1, 0, 0), "{report:?}");
    let paths: Vec<String> = razorpay.calls().into_iter().map(|c| c.path).collect();
    assert_eq!(paths, ["/v1/customers", "/v1/orders", "/v1/orders", "/v1/payments/create/recurring"]);
    let order = razorpay.calls_to("/v1/orders")[1].json();
    assert_eq!((order["amount"].as_i64(), order["currency"].as_str()), (Some(QUARTERLY_PAISE), Some("INR")));
    assert_eq!(order["receipt"], format!("masthead-renewal-{id}-{}", term_end.timestamp()));
    assert_eq!(order["notes"], notes);
    let charge = razorpay.calls_to("/v1/payments/create/recurring")[0].json();
    assert_eq!(charge["order_id"], "order_3", "the order just made");
    assert_eq!((charge["customer_id"].as_str(), charge["token"].as_str()), (Some("cust_test_1"), Some("token_test_1")));
    assert_eq!((charge["amount"].as_i64(), charge["recurring"].as_str()), (Some(QUARTERLY_PAISE), Some("1")));
    assert_eq!(charge["email"], email);
    let renewal = json!({"payment": payment("pay_renewal_4", "order_3", "captured")});
    processed(razorpay_webhook(&app, &clock, "evt_captured", "payment.captured", renewal).await);
    let token = log_in_api(&app, email).await;
    let renewed = me(&app, &token).await;
    assert_eq!((renewed["status"].as_str(), period_end(&renewed)), (Some("active"), term_end + Months::new(3)));
    let reader = app.store.subscription(id).await.unwrap().unwrap().reader_id;
    assert_eq!(app.store.reader_invoices(reader).await.unwrap().len(), 2, "a second invoice");

    // Declined next time (400 on the recurring payment): past due at once; payment.failed changes nothing more.
    razorpay.set_mode(Mode::Decline);
    clock.set(term_end + Months::new(3) + Duration::minutes(1));
    let report = run_due_with(&app, &clock, payments).await;
    assert_eq!((report.charged, report.renewed, report.reminders, report.errors), (1, 0, 1, 0), "{report:?}");
    let token = log_in_api(&app, email).await;
    assert_eq!(me(&app, &token).await["status"], "past_due");
    let failed = json!({"payment": payment("pay_failed_6", "order_5", "failed")});
    processed(razorpay_webhook(&app, &clock, "evt_failed", "payment.failed", failed).await);
    assert_eq!(me(&app, &token).await["status"], "past_due");
    assert_eq!(app.store.payment_count(id).await.unwrap(), 2);
    assert_eq!(payment_failed_mails(&app, email), 1);
}

async fn a_failing_provider_api_is_a_clear_502_and_retrying_works(backend: Backend) {
    let Setup { app, clock, stripe, razorpay, .. } = setup(backend).await;
    for (provider, mock, refused, down) in [
        ("stripe", &stripe, "stripe refused the request (401): Invalid API Key provided", "Stripe's end"),
        ("razorpay", &razorpay, "razorpay refused the request (401): Authentication failed", "encountered an error"),
    ] {
        let email = format!("retry-{provider}@example.com");
        let token = token(&app, &email).await;
        for (mode, expected) in [(Mode::Unauthorized, refused), (Mode::Down, down)] {
            mock.set_mode(mode);
            let (status, reply) = subscribe(&app, &token, provider).await;
            assert_eq!(status, 502, "{provider} {mode:?}: {reply}");
            assert!(reply["detail"].as_str().unwrap().contains(expected), "{provider} {mode:?}: {reply}");
        }
        // The provider is back: the reader tries again, pays, and reads.
        mock.set_mode(Mode::Normal);
        let (id, checkout_url) = checkout(&app, &token, provider).await;
        let expected = if provider == "stripe" { mock.base().to_owned() } else { app.url("/checkout/razorpay/") };
        assert!(checkout_url.starts_with(&expected), "{checkout_url}");
        assert_eq!(me(&app, &token).await["id"], id, "the new subscription is the reader's");
        let notes = json!({"masthead_subscription": id.to_string()});
        let delivered = if provider == "stripe" {
            let paid = json!({"id": "cs_retry", "object": "checkout.session", "payment_status": "paid",
                              "payment_intent": "pi_retry", "client_reference_id": id.to_string(),
                              "amount_total": QUARTERLY_PAISE, "currency": "inr"});
            stripe_webhook(&app, &clock, "evt_retry", "checkout.session.completed", paid).await
        } else {
            let paid = json!({"order": {"entity": {"id": "order_retry", "notes": notes}},
                              "payment": {"entity": {"id": "pay_retry", "amount": QUARTERLY_PAISE, "currency": "INR"}}});
            razorpay_webhook(&app, &clock, "evt_retry", "order.paid", paid).await
        };
        processed(delivered);
        assert_eq!(me(&app, &token).await["status"], "active", "{provider}");
        assert_eq!(decision(&app, &token).await, "allowed", "{provider}");
    }
    // An unknown provider is refused with the ones on offer.
    let token = token(&app, "unknown@example.com").await;
    let (status, reply) = subscribe(&app, &token, "paypal").await;
    assert_eq!(status, 400);
    assert!(reply["detail"].as_str().unwrap().contains(r#"use "sandbox", "stripe", "razorpay""#), "{reply}");
}

async fn the_subscribe_page_offers_the_configured_providers(backend: Backend) {
    let Setup { app, stripe, razorpay, .. } = setup(backend).await;
    register(&app, "browser@example.com").await;
    let mut reader = Browser::new(&app);
    log_in(&mut reader, "browser@example.com", PASSWORD).await;
    let choice = reader.submit("/subscribe", "/subscribe", &[("plan_id", "1")]).await;
    assert_eq!(choice.status().as_u16(), 200);
    let page = text_of(&choice.text().await.unwrap());
    for offered in [
        "How would you like to pay for Smart Quarterly?",
        "Sandbox (test mode: no real money)",
        "Pay by card with Stripe",
        "Pay by card with Razorpay",
    ] {
        assert!(page.contains(offered), "{offered} in {page}");
    }
    // The story the reader came from travels through the pages of this site.
    for (provider, checkout, next) in [
        ("stripe", format!("{}/c/pay/cs_test_", stripe.base()), ""),
        ("razorpay", "/checkout/razorpay/".to_owned(), "&next=/archive"),
        ("sandbox", "/checkout/sandbox/".to_owned(), "?next=/archive"),
    ] {
        let fields = [("plan_id", "1"), ("provider", provider), ("next", "/archive")];
        let chosen = reader.submit("/subscribe", "/subscribe", &fields).await;
        assert_eq!(chosen.status().as_u16(), 303, "{provider}");
        let location = chosen.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with(&checkout) && location.ends_with(next), "{provider}: {location}");
    }
    assert_eq!(razorpay.calls_to("/v1/orders").len(), 1, "Razorpay's order is made before its page");
    let unknown = reader.submit("/subscribe", "/subscribe", &[("plan_id", "1"), ("provider", "paypal")]).await;
    assert_eq!(unknown.status().as_u16(), 404);

    // Signed out: the account step, then the same choice, signed in.
    let mut visitor = Browser::new(&app);
    let fields = [("plan_id", "1"), ("mode", "signup"), ("email", "newcomer@example.com"), ("password", PASSWORD)];
    let signed_up = visitor.submit("/subscribe", "/subscribe/account", &fields).await;
    assert_eq!(signed_up.status().as_u16(), 200);
    assert!(visitor.cookies.contains_key("mh_session"), "signed in on the way");
    assert!(text_of(&signed_up.text().await.unwrap()).contains("Pay by card with Stripe"));
}

async fn the_serve_command_takes_provider_keys_from_its_flags(backend: Backend) {
    let Setup { app, stripe, razorpay, .. } = setup(backend).await;
    let flags = [
        ("--stripe-secret-key", STRIPE_KEY),
        ("--stripe-webhook-secret", STRIPE_WEBHOOK_SECRET),
        ("--stripe-api-base", stripe.base()),
        ("--razorpay-key-id", RAZORPAY_KEY_ID),
        ("--razorpay-key-secret", RAZORPAY_KEY_SECRET),
        ("--razorpay-webhook-secret", RAZORPAY_WEBHOOK_SECRET),
        ("--razorpay-api-base", razorpay.base()),
        ("--renewal-interval", "0"),
    ];
    let args: Vec<&str> = flags.iter().flat_map(|(flag, value)| [*flag, *value]).collect();
    let (_process, address) = spawn_process_with(&app, &args);
    let token = token(&app, "process@example.com").await;
    let razorpay_page = format!("http://{address}/checkout/razorpay/");
    for (provider, checkout, mock) in [("stripe", stripe.base(), &stripe), ("razorpay", &razorpay_page, &razorpay)] {
        let body = json!({"plan_id": QUARTERLY, "provider": provider});
        let url = format!("http://{address}/api/v1/subscriptions");
        let (status, created) = call(&app, Method::POST, &url, &token, Some(body)).await;
        assert_eq!(status, 201, "{provider}: {created}");
        assert!(created["checkout_url"].as_str().unwrap().starts_with(checkout), "{created}");
        assert!(!mock.calls().is_empty(), "{provider} was asked");
    }
}

/// A free trial through `provider` with the offer TRY14 (14 days, ₹0): its id and checkout.
async fn free_trial(app: &TestApp, token: &str, provider: &str) -> (i64, String) {
    crate::billing_offers::offer(app, "TRY14", OfferKind::Trial { days: 14, price: Paise(0) }, &[QUARTERLY], None)
        .await;
    let body = json!({"plan_id": QUARTERLY, "provider": provider, "offer": "TRY14"});
    let (status, created) = call(app, Method::POST, "/api/v1/subscriptions", token, Some(body)).await;
    assert_eq!((status, created["amount_paise"].as_i64()), (201, Some(0)), "{created}");
    (created["subscription_id"].as_i64().unwrap(), created["checkout_url"].as_str().unwrap().to_owned())
}

/// A trial that is not yet started: pending, no access, nothing saved.
async fn not_started(app: &TestApp, token: &str, id: i64) {
    assert_eq!(me(app, token).await["status"], "pending");
    assert_ne!(decision(app, token).await, "allowed");
    assert_eq!(app.store.subscription(id).await.unwrap().unwrap().payment_method, None);
}

/// A started trial: active to `ends` on the saved method, nothing invoiced.
async fn started(app: &TestApp, token: &str, id: i64, method: &str) {
    let subscription = me(app, token).await;
    let ends = noon() + Duration::days(14);
    assert_eq!(subscription["status"], "active");
    assert_eq!(subscription["trial_until"].as_str(), Some(ends.to_rfc3339().as_str()), "{subscription}");
    assert_eq!(decision(app, token).await, "allowed");
    let record = app.store.subscription(id).await.unwrap().unwrap();
    assert_eq!(record.payment_method.as_deref(), Some(method));
    assert!(app.store.reader_invoices(record.reader_id).await.unwrap().is_empty(), "nothing charged, nothing invoiced");
    assert_eq!(app.store.payment_count(id).await.unwrap(), 1, "the set-up, once");
}

/// The first charge's invoice, once the provider's webhook said it was paid.
async fn paid_after_the_trial(app: &TestApp, email: &str, id: i64) {
    let token = log_in_api(app, email).await;
    let renewed = me(app, &token).await;
    let ends = noon() + Duration::days(14);
    assert_eq!((renewed["status"].as_str(), period_end(&renewed)), (Some("active"), ends + Months::new(3)));
    let reader = app.store.subscription(id).await.unwrap().unwrap().reader_id;
    let invoices = app.store.reader_invoices(reader).await.unwrap();
    assert_eq!((invoices.len(), invoices[0].amount.0), (1, QUARTERLY_PAISE));
}

async fn a_stripe_free_trial_saves_the_card_in_setup_mode_and_charges_it_at_the_end(backend: Backend) {
    let Setup { app, clock, stripe, payments, .. } = setup(backend).await;
    let email = "stripe-trial@example.com";
    let token = token(&app, email).await;
    let (id, checkout_url) = free_trial(&app, &token, "stripe").await;
    assert_eq!(checkout_url, format!("{}/c/pay/cs_test_1", stripe.base()));

    // A Checkout Session in setup mode: the card saved through a SetupIntent, nothing charged.
    let session = &stripe.calls_to("/v1/checkout/sessions")[0];
    assert!(session.header("idempotency-key").starts_with(&format!("masthead-set-up-{id}-")));
    for (field, value) in [
        ("mode", "setup".to_owned()),
        ("currency", "inr".to_owned()),
        ("customer_creation", "always".to_owned()),
        ("customer_email", email.to_owned()),
        ("client_reference_id", id.to_string()),
        ("setup_intent_data[metadata][masthead_subscription]", id.to_string()),
        ("metadata[masthead_subscription]", id.to_string()),
        ("success_url", app.url("/account")),
    ] {
        assert_eq!(session.field(field), Some(value), "{field} in {}", session.body);
    }
    assert_eq!(session.field("line_items[0][price_data][unit_amount]"), None, "no price in setup mode");
    not_started(&app, &token, id).await;

    // The session completes; its webhook, signed as Stripe signs, names the SetupIntent.
    let completed = json!({"id": "cs_test_1", "object": "checkout.session", "mode": "setup", "status": "complete",
                           "payment_status": "no_payment_required", "setup_intent": "seti_trial_1",
                           "customer": "cus_test_1", "client_reference_id": id.to_string(),
                           "metadata": {"masthead_subscription": id.to_string()}, "amount_total": null});
    // Not signed with our secret: refused, nothing stored or asked.
    let now = clock.now().timestamp();
    let body = json!({"id": "evt_forged", "object": "event", "created": now, "type": "checkout.session.completed",
                      "data": {"object": completed}})
    .to_string();
    let forged = app
        .client
        .post(app.url("/webhooks/stripe"))
        .header("stripe-signature", sign_timestamped(body.as_bytes(), "whsec_not_ours", now))
        .body(body);
    assert_eq!(forged.send().await.unwrap().status().as_u16(), 400);
    assert!(stripe.calls_to("/v1/setup_intents/seti_trial_1").is_empty());
    not_started(&app, &token, id).await;

    processed(stripe_webhook(&app, &clock, "evt_setup", "checkout.session.completed", completed.clone()).await);
    let fetched = stripe.calls_to("/v1/setup_intents/seti_trial_1");
    assert_eq!((fetched.len(), fetched[0].header("authorization")), (1, format!("Bearer {STRIPE_KEY}").as_str()));
    started(&app, &token, id, "cus_test_1:pm_trial_card").await;
    // Delivered again, or as another event about the same set-up: processed once.
    let again = stripe_webhook(&app, &clock, "evt_setup", "checkout.session.completed", completed.clone()).await;
    assert_eq!(again.1["status"], "duplicate");
    processed(stripe_webhook(&app, &clock, "evt_setup_2", "checkout.session.completed", completed).await);
    started(&app, &token, id, "cus_test_1:pm_trial_card").await;

    // The trial's end: the saved card charged off-session; Stripe's webhook pays the first term.
    let ends = noon() + Duration::days(14);
    clock.set(ends + Duration::minutes(1));
    let report = run_due_with(&app, &clock, payments).await;
    assert_eq!((report.charged, report.errors), (1, 0), "{report:?}");
    let charge = &stripe.calls_to("/v1/payment_intents")[0];
    for (field, value) in [("customer", "cus_test_1"), ("payment_method", "pm_trial_card"), ("off_session", "true")] {
        assert_eq!(charge.field(field).as_deref(), Some(value), "{field}");
    }
    assert_eq!(charge.field("amount"), Some(QUARTERLY_PAISE.to_string()));
    let intent = json!({"id": "pi_trial_end", "object": "payment_intent", "status": "succeeded",
                        "amount": QUARTERLY_PAISE, "amount_received": QUARTERLY_PAISE, "currency": "inr",
                        "customer": "cus_test_1", "payment_method": "pm_trial_card",
                        "metadata": {"masthead_subscription": id.to_string()}});
    processed(stripe_webhook(&app, &clock, "evt_trial_end", "payment_intent.succeeded", intent).await);
    paid_after_the_trial(&app, email, id).await;
}

async fn a_razorpay_free_trial_authorises_a_token_uncaptured_and_charges_it_at_the_end(backend: Backend) {
    let Setup { app, clock, razorpay, payments, .. } = setup(backend).await;
    let email = "razorpay-trial@example.com";
    let token = token(&app, email).await;
    let (id, checkout_url) = free_trial(&app, &token, "razorpay").await;

    // The authorisation transaction for ₹1, never captured, marked as a set-up.
    let order = razorpay.calls_to("/v1/orders")[0].json();
    assert_eq!((order["amount"].as_i64(), order["payment_capture"].as_bool()), (Some(100), Some(false)));
    assert_eq!((order["customer_id"].as_str(), order["method"].as_str()), (Some("cust_test_1"), Some("card")));
    assert_eq!(order["token"], json!({"max_amount": 1_500_000, "frequency": "as_presented"}));
    assert_eq!(order["notes"], json!({"masthead_subscription": id.to_string(), "masthead_set_up": "1"}));
    let (_, fields, _) = razorpay_form(&app, &checkout_url).await;
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    assert_eq!((field("amount").as_deref(), field("recurring").as_deref()), (Some("100"), Some("1")));
    assert_eq!(field("notes[masthead_set_up]").as_deref(), Some("1"));
    not_started(&app, &token, id).await;

    // Razorpay's payment.authorized names the customer and the token.
    let authorised = json!({"payment": {"entity": {
        "id": "pay_auth_1", "entity": "payment", "amount": 100, "currency": "INR", "status": "authorized",
        "captured": false, "order_id": "order_2", "method": "card", "customer_id": "cust_test_1",
        "token_id": "token_trial", "recurring": true,
        "notes": {"masthead_subscription": id.to_string(), "masthead_set_up": "1"}}}});
    let body = json!({"entity": "event", "event": "payment.authorized", "payload": authorised,
                      "created_at": clock.now().timestamp()})
    .to_string();
    let forged = app
        .client
        .post(app.url("/webhooks/razorpay"))
        .header("x-razorpay-signature", razorpay_hmac("not the webhook secret", &body))
        .header("x-razorpay-event-id", "evt_forged")
        .body(body);
    assert_eq!(forged.send().await.unwrap().status().as_u16(), 400);
    not_started(&app, &token, id).await;
    processed(razorpay_webhook(&app, &clock, "evt_auth", "payment.authorized", authorised.clone()).await);
    started(&app, &token, id, "cust_test_1:token_trial").await;
    let again = razorpay_webhook(&app, &clock, "evt_auth", "payment.authorized", authorised).await;
    assert_eq!(again.1["status"], "duplicate");
    started(&app, &token, id, "cust_test_1:token_trial").await;

    // The trial's end: an order, then a recurring payment on the saved token.
    let ends = noon() + Duration::days(14);
    clock.set(ends + Duration::minutes(1));
    let report = run_due_with(&app, &clock, payments).await;
    assert_eq!((report.charged, report.errors), (1, 0), "{report:?}");
    let charge = razorpay.calls_to("/v1/payments/create/recurring")[0].json();
    assert_eq!((charge["customer_id"].as_str(), charge["token"].as_str()), (Some("cust_test_1"), Some("token_trial")));
    assert_eq!(charge["amount"].as_i64(), Some(QUARTERLY_PAISE));
    let captured = json!({"payment": {"entity": {
        "id": "pay_trial_end", "entity": "payment", "amount": QUARTERLY_PAISE, "currency": "INR",
        "status": "captured", "captured": true, "order_id": "order_4", "method": "card",
        "customer_id": "cust_test_1", "token_id": "token_trial", "recurring": true,
        "notes": {"masthead_subscription": id.to_string()}}}});
    processed(razorpay_webhook(&app, &clock, "evt_trial_end", "payment.captured", captured).await);
    paid_after_the_trial(&app, email, id).await;
}
