//! Plans, subscribing with the sandbox provider, cancelling, expiry, and the
//! webhook door every provider comes through.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use masthead_billing::signature::sign_timestamped;
use masthead_domain::{Clock, ManualClock};
use serde_json::{Value, json};

use crate::support::{
    Backend, Browser, PASSWORD, TestApp, log_in, on_every_backend, register, site_config, spawn_app_with, text_of,
};

on_every_backend!(
    plans_carry_the_seed_figures,
    subscribe_with_the_sandbox_read_premium_cancel_and_expire,
    webhooks_with_bad_signatures_or_bodies_change_nothing,
    one_webhook_delivered_twenty_times_at_once_is_one_payment,
    a_reader_subscribes_from_the_paywall_and_lands_back_on_the_story,
);

fn noon() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T06:30:00Z").unwrap().with_timezone(&Utc)
}

async fn app_at(backend: Backend) -> (TestApp, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(noon()));
    let app = spawn_app_with(backend, masthead_web::SiteConfig { clock: clock.clone(), ..site_config() }).await;
    (app, clock)
}

async fn token(app: &TestApp, email: &str) -> String {
    register(app, email).await;
    log_in_api(app, email).await
}

async fn log_in_api(app: &TestApp, email: &str) -> String {
    let response =
        app.client.post(app.url("/api/v1/session")).json(&json!({"email": email, "password": PASSWORD})).send().await;
    response.unwrap().json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
}

async fn call(app: &TestApp, method: reqwest::Method, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let url = if path.starts_with("http") { path.to_owned() } else { app.url(path) };
    let mut request = app.client.request(method, url).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A premium story's id from the article list.
async fn premium_id(app: &TestApp) -> i64 {
    let list = app.json("/api/v1/articles?limit=100", 200).await;
    list["articles"].as_array().unwrap().iter().find(|a| a["premium"] == true).unwrap()["id"].as_i64().unwrap()
}

async fn plans_carry_the_seed_figures(backend: Backend) {
    let (app, _) = app_at(backend).await;
    let plans = app.json("/api/v1/plans", 200).await;
    let figures: Vec<(String, i64, i64, i64, Value)> = plans["plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["price_paise"].as_i64().unwrap(),
                p["term_months"].as_i64().unwrap(),
                p["per_month_rupees"].as_i64().unwrap(),
                p["save_percent"].clone(),
            )
        })
        .collect();
    assert_eq!(
        figures,
        [
            ("Smart Quarterly".to_owned(), 90_000, 3, 300, Value::Null),
            ("Smart Essential".to_owned(), 270_000, 12, 225, json!(25)),
            ("Super Saver".to_owned(), 390_000, 24, 162, json!(46)),
        ]
    );
    let quarterly = &plans["plans"][0]["benefits"];
    assert!(!quarterly.as_array().unwrap().contains(&json!("partner_access")), "partner bundle from a year up");
    assert!(plans["plans"][1]["benefits"].as_array().unwrap().contains(&json!("partner_access")));
}

async fn subscribe_with_the_sandbox_read_premium_cancel_and_expire(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    let token = token(&app, "buyer@example.com").await;
    let premium = premium_id(&app).await;
    let story = format!("/api/v1/articles/{premium}");
    assert_eq!(call(&app, reqwest::Method::GET, &story, &token, None).await.1["access"]["decision"], "blocked");

    let (status, created) = call(
        &app,
        reqwest::Method::POST,
        "/api/v1/subscriptions",
        &token,
        Some(json!({"plan_id": 2, "provider": "sandbox"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["subscription_id"].as_i64().unwrap();
    assert!(created["checkout_url"].as_str().unwrap().ends_with(&format!("/checkout/sandbox/{id}")));
    let me = call(&app, reqwest::Method::GET, "/api/v1/me", &token, None).await.1;
    assert_eq!(me["subscription"]["status"], "pending");

    let pay_url = created["sandbox_pay_url"].as_str().unwrap();
    let (status, paid) = call(&app, reqwest::Method::POST, pay_url, &token, None).await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["status"], "active");
    assert_eq!(paid["current_period_end"], "2027-11-27T06:30:00+00:00", "one year on Smart Essential");
    let read = call(&app, reqwest::Method::GET, &story, &token, None).await.1;
    assert_eq!(read["access"]["decision"], "allowed");
    assert!(read["body_html"].is_string());
    let me = call(&app, reqwest::Method::GET, "/api/v1/me", &token, None).await.1;
    assert!(me["entitlements"].as_array().unwrap().contains(&json!("premium_stories")), "{me}");

    // Cancel: still readable to the end of the paid term, then not.
    let (status, cancelled) =
        call(&app, reqwest::Method::POST, &format!("/api/v1/subscriptions/{id}/cancel"), &token, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        (cancelled["status"].clone(), cancelled["cancel_at_period_end"].clone()),
        (json!("cancelled"), json!(true))
    );
    clock.set(DateTime::parse_from_rfc3339("2027-11-27T06:29:59Z").unwrap().with_timezone(&Utc));
    // A year on, idle sessions have lapsed: log in again.
    let token = log_in_api(&app, "buyer@example.com").await;
    assert_eq!(call(&app, reqwest::Method::GET, &story, &token, None).await.1["access"]["decision"], "allowed");
    clock.advance(Duration::seconds(1));
    assert_eq!(call(&app, reqwest::Method::GET, &story, &token, None).await.1["access"]["decision"], "blocked");
    let me = call(&app, reqwest::Method::GET, "/api/v1/me", &token, None).await.1;
    assert_eq!(me["subscription"]["status"], "expired");
    let (status, _) =
        call(&app, reqwest::Method::POST, &format!("/api/v1/subscriptions/{id}/resume"), &token, None).await;
    assert_eq!(status, 409, "an expired subscription cannot be resumed");

    // Someone else's subscription is not yours to cancel.
    let other = self::token(&app, "other@example.com").await;
    let (status, _) =
        call(&app, reqwest::Method::POST, &format!("/api/v1/subscriptions/{id}/cancel"), &other, None).await;
    assert_eq!(status, 404);
}

async fn sandbox_secret(app: &TestApp) -> String {
    app.store.setting("sandbox_webhook_secret").await.unwrap().expect("the server made one")
}

async fn post_webhook(app: &TestApp, body: &str, signature: Option<String>) -> (u16, Value) {
    let mut request = app.client.post(app.url("/webhooks/sandbox")).body(body.to_owned());
    if let Some(signature) = signature {
        request = request.header("x-masthead-signature", signature);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn pending_subscription(app: &TestApp) -> i64 {
    let token = token(app, "hooks@example.com").await;
    let (_, created) = call(
        app,
        reqwest::Method::POST,
        "/api/v1/subscriptions",
        &token,
        Some(json!({"plan_id": 1, "provider": "sandbox"})),
    )
    .await;
    created["subscription_id"].as_i64().unwrap()
}

fn payment_body(subscription: i64, event: &str, payment: &str, created: i64) -> String {
    json!({"id": event, "type": "payment.succeeded", "created": created, "subscription": subscription,
           "payment_id": payment, "amount": 90_000, "currency": "inr"})
    .to_string()
}

async fn webhooks_with_bad_signatures_or_bodies_change_nothing(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    let id = pending_subscription(&app).await;
    let secret = sandbox_secret(&app).await;
    let now = clock.now().timestamp();
    let body = payment_body(id, "evt_1", "pay_1", now);
    for (signature, why) in [
        (None, "missing"),
        (Some(sign_timestamped(body.as_bytes(), "wrong secret", now)), "no signature matches"),
        (Some(sign_timestamped(body.as_bytes(), &secret, now - 301)), "timestamp"),
        (Some("t=abc,v1=00".to_owned()), "malformed"),
    ] {
        let (status, reply) = post_webhook(&app, &body, signature).await;
        assert_eq!(status, 400, "{why}");
        assert!(reply["error"].as_str().unwrap().contains(why), "{why}: {reply}");
    }
    let malformed = "{not json";
    let (status, reply) =
        post_webhook(&app, malformed, Some(sign_timestamped(malformed.as_bytes(), &secret, now))).await;
    assert_eq!(status, 400);
    assert!(reply["error"].as_str().unwrap().contains("not valid JSON"), "{reply}");
    assert_eq!(app.store.payment_count(id).await.unwrap(), 0, "nothing was paid");
    assert!(!app.store.webhook_processed("sandbox", "evt_1").await.unwrap(), "nothing was stored");
    // Providers without credentials here are not listening.
    let response = app.client.post(app.url("/webhooks/stripe")).body("{}").send().await.unwrap();
    assert_eq!(response.status().as_u16(), 404);
    // The properly signed one goes through.
    let (status, reply) = post_webhook(&app, &body, Some(sign_timestamped(body.as_bytes(), &secret, now))).await;
    assert_eq!((status, reply["status"].as_str()), (200, Some("processed")));
    assert_eq!(app.store.payment_count(id).await.unwrap(), 1);
}

async fn one_webhook_delivered_twenty_times_at_once_is_one_payment(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    let id = pending_subscription(&app).await;
    let secret = sandbox_secret(&app).await;
    let now = clock.now().timestamp();
    let body = payment_body(id, "evt_twenty", "pay_twenty", now);
    let signature = sign_timestamped(body.as_bytes(), &secret, now);
    let deliveries: Vec<_> = (0..20)
        .map(|_| {
            let request = app
                .client
                .post(app.url("/webhooks/sandbox"))
                .header("x-masthead-signature", &signature)
                .body(body.clone());
            tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
        })
        .collect();
    for delivery in deliveries {
        assert_eq!(delivery.await.unwrap(), 200);
    }
    assert_eq!(app.store.payment_count(id).await.unwrap(), 1);
    let state = app.store.subscription_state(id, clock.now()).await.unwrap().unwrap();
    assert_eq!(state.current_period_end.unwrap(), noon() + chrono::Months::new(3), "one term, not twenty");
    // Delivered again later: acknowledged, nothing more.
    let (status, reply) = post_webhook(&app, &body, Some(signature)).await;
    assert_eq!((status, reply["status"].as_str()), (200, Some("duplicate")));
}

async fn a_reader_subscribes_from_the_paywall_and_lands_back_on_the_story(backend: Backend) {
    let (app, _) = app_at(backend).await;
    let list = app.json("/api/v1/articles?limit=100", 200).await;
    let prefix = format!("http://{}", app.address);
    let story = list["articles"].as_array().unwrap().iter().find(|a| a["premium"] == true).unwrap()["url"]
        .as_str()
        .unwrap()
        .strip_prefix(&prefix)
        .unwrap()
        .to_owned();
    register(&app, "reader@example.com").await;
    let mut reader = Browser::new(&app);
    log_in(&mut reader, "reader@example.com", PASSWORD).await;
    let withheld = reader.page(&story, 200).await;
    assert!(withheld.contains(&format!(r#"href="/subscribe?next={story}""#)), "the paywall's way to subscribe");

    let subscribe = format!("/subscribe?next={story}");
    let chosen = reader.submit(&subscribe, "/subscribe", &[("plan_id", "2"), ("next", &story)]).await;
    assert_eq!(chosen.status().as_u16(), 303);
    let checkout = chosen.headers()["location"].to_str().unwrap().to_owned();
    assert!(checkout.starts_with("/checkout/sandbox/"), "{checkout}");
    let page = text_of(&reader.page(&checkout, 200).await);
    assert!(page.contains("TEST MODE") && page.contains("Pay ₹2,700"), "{page}");

    let action = checkout.split('?').next().unwrap().to_owned();
    let paid = reader.submit(&checkout, &action, &[("outcome", "pay"), ("next", &story)]).await;
    assert_eq!(paid.status().as_u16(), 303);
    assert_eq!(paid.headers()["location"], story.as_str(), "back on the story");
    let html = reader.page(&story, 200).await;
    assert!(!html.contains(r#"<section class="paywall""#), "readable whole after paying");

    // The account page shows the plan and when it renews; cancelling says when it ends.
    let account = text_of(&reader.page("/account", 200).await);
    assert!(account.contains("Smart Essential — active") && account.contains("Renews on Nov 27 2027"), "{account}");
    let html = reader.page("/account", 200).await;
    let cancel = html.split("action=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    assert!(cancel.ends_with("/cancel"), "{cancel}");
    let cancelled = reader.submit("/account", &cancel, &[]).await;
    assert_eq!(cancelled.status().as_u16(), 303);
    let account = text_of(&reader.page("/account", 200).await);
    assert!(account.contains("Smart Essential — cancelled") && account.contains("Ends on Nov 27 2027"), "{account}");
    assert!(!reader.page(&story, 200).await.contains(r#"<section class="paywall""#), "still readable until then");
}
