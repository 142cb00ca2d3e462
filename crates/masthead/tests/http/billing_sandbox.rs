//! The sandbox provider is on only where it is asked for: in `masthead demo`,
//! and in `serve` with `--sandbox-payments`. Without it, nothing offers it,
//! the API refuses it, every sandbox route and its webhook answer 404, and
//! none of those requests stores anything. (The refusal to start beside live
//! keys, and the demo's sandbox, are in `cli.rs`.)

use masthead_billing::signature::sign_timestamped;
use masthead_domain::Clock;
use masthead_domain::email::Email;
use reqwest::Method;
use serde_json::{Value, json};

use crate::billing::{call, config_at, noon, token};
use crate::support::{
    Backend, Browser, PASSWORD, TestApp, log_in, on_every_backend, spawn_app_with, spawn_process, spawn_process_with,
    text_of,
};

on_every_backend!(
    without_the_sandbox_nothing_offers_it_and_its_routes_are_404,
    serve_has_the_sandbox_only_with_its_flag,
);

async fn reader_id(app: &TestApp, email: &str) -> i64 {
    let email = Email::parse(email).unwrap();
    app.store.reader_by_email(&email).await.unwrap().unwrap().id
}

/// What a sandbox request may have left behind: the reader's subscriptions,
/// and whether the sandbox's webhook secret was ever made.
async fn stored(app: &TestApp, reader: i64) -> (usize, Option<String>) {
    let subscriptions = app.store.reader_subscriptions(reader).await.unwrap().len();
    (subscriptions, app.store.setting("sandbox_webhook_secret").await.unwrap())
}

/// A sandbox payment webhook for `subscription`, signed with `secret`.
fn signed_payment(subscription: i64, secret: &str) -> (String, String) {
    let now = noon().timestamp();
    let body = json!({"id": "sbx_evt_off", "type": "payment.succeeded", "created": now,
                      "subscription": subscription, "payment_id": "sbx_pay_off", "amount": 90_000,
                      "currency": "inr"})
    .to_string();
    let signature = sign_timestamped(body.as_bytes(), secret, now);
    (body, signature)
}

async fn without_the_sandbox_nothing_offers_it_and_its_routes_are_404(backend: Backend) {
    let (mut config, clock) = config_at();
    config.payments.sandbox = false;
    let app = spawn_app_with(backend, config).await;
    let email = "no-sandbox@example.com";
    let token = token(&app, email).await;
    let reader = reader_id(&app, email).await;

    // The API refuses the sandbox, says why, and stores nothing.
    let (status, reply) =
        call(&app, Method::POST, "/api/v1/subscriptions", &token, Some(json!({"plan_id": 1, "provider": "sandbox"})))
            .await;
    assert_eq!(status, 400, "{reply}");
    let error = reply["detail"].as_str().unwrap();
    assert!(
        error.contains("\"sandbox\" cannot take payments here") && error.contains("no payment provider"),
        "{error}"
    );
    assert_eq!(stored(&app, reader).await, (0, None), "nothing stored");

    // The subscribe form does not offer it either: no provider, no sale, nothing stored.
    let mut browser = Browser::new(&app);
    log_in(&mut browser, email, PASSWORD).await;
    let chosen = browser.submit("/subscribe", "/subscribe", &[("plan_id", "1")]).await;
    assert_eq!(chosen.status().as_u16(), 422);
    let page = text_of(&chosen.text().await.unwrap());
    assert!(page.contains("Subscriptions are not on sale here yet"), "{page}");
    let named = browser.submit("/subscribe", "/subscribe", &[("plan_id", "1"), ("provider", "sandbox")]).await;
    assert_eq!(named.status().as_u16(), 422);
    let mut visitor = Browser::new(&app);
    let fields = [("plan_id", "1"), ("mode", "signup"), ("email", "newcomer@example.com"), ("password", PASSWORD)];
    let signed_up = visitor.submit("/subscribe", "/subscribe/account", &fields).await;
    assert_eq!(signed_up.status().as_u16(), 422);
    let newcomer = Email::parse("newcomer@example.com").unwrap();
    assert!(app.store.reader_by_email(&newcomer).await.unwrap().is_none(), "no account made on the way");
    assert_eq!(stored(&app, reader).await, (0, None), "nothing stored");

    // A sandbox subscription from before the switch: every sandbox route is 404,
    // to its owner and to anyone else, and its webhook is not listening.
    let id = app.store.create_subscription(reader, 1, "sandbox", clock.now()).await.unwrap();
    let page = format!("/checkout/sandbox/{id}");
    assert_eq!(browser.get(&page).await.status().as_u16(), 404);
    assert_eq!(app.get(&page).await.status().as_u16(), 404, "signed out too");
    let paid = browser.submit("/subscribe", &page, &[("outcome", "pay"), ("name", "Asha"), ("state", "Delhi")]).await;
    assert_eq!(paid.status().as_u16(), 404);
    assert_eq!(app.store.billing_profile(reader).await.unwrap(), None, "the checkout form stored nothing");
    let (status, reply) = call(&app, Method::POST, &format!("/api/v1/sandbox/{id}/pay"), &token, None).await;
    assert_eq!((status, reply["detail"].as_str()), (404, Some("the sandbox payment provider is off here")));
    let (body, signature) = signed_payment(id, "sbx_whsec_guessed");
    let hook = app.client.post(app.url("/webhooks/sandbox")).header("x-masthead-signature", signature).body(body);
    let hook = hook.send().await.unwrap();
    assert_eq!(hook.status().as_u16(), 404);
    assert!(!app.store.webhook_processed("sandbox", "sbx_evt_off").await.unwrap(), "the webhook was not stored");
    assert_eq!(app.store.payment_count(id).await.unwrap(), 0);
    let state = app.store.subscription_state(id, clock.now()).await.unwrap().unwrap();
    assert!(!state.has_access(), "still unpaid");
    assert_eq!(stored(&app, reader).await, (1, None), "only the subscription the test made");
    // The account page does not send the reader to a checkout that is not there.
    let account = browser.get("/account").await.text().await.unwrap();
    assert!(!account.contains("/checkout/sandbox/"), "{account}");
}

/// Subscribes through the sandbox on the server at `base` and pays; the
/// subscription's status after paying, or the refusal.
async fn pay_through_sandbox(app: &TestApp, base: &str, token: &str) -> (u16, Value) {
    let body = json!({"plan_id": 1, "provider": "sandbox"});
    let (status, created) = call(app, Method::POST, &format!("{base}/api/v1/subscriptions"), token, Some(body)).await;
    if status != 201 {
        return (status, created);
    }
    let pay_url = created["sandbox_pay_url"].as_str().unwrap();
    assert!(pay_url.starts_with(base), "{pay_url}");
    call(app, Method::POST, pay_url, token, None).await
}

async fn serve_has_the_sandbox_only_with_its_flag(backend: Backend) {
    let (config, _) = config_at();
    let app = spawn_app_with(backend, config).await;
    let token = token(&app, "process@example.com").await;
    let reader = reader_id(&app, "process@example.com").await;

    // `masthead serve` as deployed: no sandbox.
    let (plain, address) = spawn_process(&app);
    let base = format!("http://{address}");
    let (status, reply) = pay_through_sandbox(&app, &base, &token).await;
    assert_eq!(status, 400, "{reply}");
    assert!(reply["detail"].as_str().unwrap().contains("\"sandbox\" cannot take payments here"), "{reply}");
    assert_eq!(app.store.reader_subscriptions(reader).await.unwrap().len(), 0, "nothing stored");
    for (method, path) in [
        (Method::GET, "/checkout/sandbox/1"),
        (Method::POST, "/api/v1/sandbox/1/pay"),
        (Method::POST, "/webhooks/sandbox"),
    ] {
        let response = app.client.request(method.clone(), format!("{base}{path}")).bearer_auth(&token).send();
        assert_eq!(response.await.unwrap().status().as_u16(), 404, "{method} {path}");
    }

    drop(plain); // the next process takes over its search index

    // With --sandbox-payments, the sandbox takes its pretend payments, through the webhook door.
    let (_sandboxed, address) = spawn_process_with(&app, &["--sandbox-payments"]);
    let (status, paid) = pay_through_sandbox(&app, &format!("http://{address}"), &token).await;
    assert_eq!((status, paid["status"].as_str()), (200, Some("active")), "{paid}");
    let subscriptions = app.store.reader_subscriptions(reader).await.unwrap();
    assert_eq!(subscriptions.len(), 1);
    assert_eq!(app.store.payment_count(subscriptions[0].id).await.unwrap(), 1);
}
