//! Plans, subscribing with the sandbox provider, cancelling, expiry, and the
//! webhook door every provider comes through.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use masthead_billing::signature::sign_timestamped;
use masthead_billing::{Billing, PaymentConfig, RunReport, Setup};
use masthead_domain::{Clock, ManualClock};
use masthead_web::{Mailer, SiteConfig};
use serde_json::{Value, json};

use crate::support::{
    Backend, Browser, PASSWORD, PUBLISHER, TestApp, log_in, on_every_backend, register, site_config, spawn_app_with,
    text_of,
};

on_every_backend!(
    plans_carry_the_seed_figures,
    subscribe_with_the_sandbox_read_premium_cancel_and_expire,
    webhooks_with_bad_signatures_or_bodies_change_nothing,
    one_webhook_delivered_twenty_times_at_once_is_one_payment,
    webhooks_delivered_in_reverse_order_converge,
    a_reader_subscribes_from_the_paywall_and_lands_back_on_the_story,
    a_signed_out_reader_signs_up_on_the_way_to_paying,
    every_reader_page_offers_a_subscription_in_its_header_until_one_is_held,
);

pub(crate) fn noon() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T06:30:00Z").unwrap().with_timezone(&Utc)
}

/// The test site's configuration at noon on a manual clock, the renewal
/// loop off (tests run the job themselves, see [`run_due`]).
pub(crate) fn config_at() -> (SiteConfig, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(noon()));
    let payments = PaymentConfig { renewal_interval: None, ..site_config().payments };
    (SiteConfig { clock: clock.clone(), payments, ..site_config() }, clock)
}

pub(crate) async fn app_at(backend: Backend) -> (TestApp, Arc<ManualClock>) {
    let (config, clock) = config_at();
    (spawn_app_with(backend, config).await, clock)
}

/// Runs the renewal job once, as the server's loop and `masthead billing
/// run-due` do, on the test site's database, clock and outbox.
pub(crate) async fn run_due(app: &TestApp, clock: &Arc<ManualClock>) -> RunReport {
    run_due_with(app, clock, config_at().0.payments).await
}

/// [`run_due`] with the payment settings the test site was started with.
pub(crate) async fn run_due_with(app: &TestApp, clock: &Arc<ManualClock>, payments: PaymentConfig) -> RunReport {
    let (config, _) = config_at();
    let billing = Billing::open(Setup {
        store: app.store.clone(),
        clock: clock.clone(),
        mailer: Mailer::outbox(&app.outbox.as_ref().unwrap().0, "Business Standard <no-reply@news.example>").unwrap(),
        zone: config.zone,
        publisher: PUBLISHER.to_owned(),
        public_url: app.url(""),
        config: payments,
    })
    .await
    .unwrap();
    billing.run_due().await.unwrap()
}

pub(crate) async fn token(app: &TestApp, email: &str) -> String {
    register(app, email).await;
    log_in_api(app, email).await
}

pub(crate) async fn log_in_api(app: &TestApp, email: &str) -> String {
    let response =
        app.client.post(app.url("/api/v1/session")).json(&json!({"email": email, "password": PASSWORD})).send().await;
    response.unwrap().json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
}

pub(crate) async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
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
pub(crate) async fn premium_id(app: &TestApp) -> i64 {
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

pub(crate) async fn sandbox_secret(app: &TestApp) -> String {
    app.store.setting("sandbox_webhook_secret").await.unwrap().expect("the server made one")
}

pub(crate) async fn post_webhook(app: &TestApp, body: &str, signature: Option<String>) -> (u16, Value) {
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
        assert!(reply["detail"].as_str().unwrap().contains(why), "{why}: {reply}");
    }
    let malformed = "{not json";
    let (status, reply) =
        post_webhook(&app, malformed, Some(sign_timestamped(malformed.as_bytes(), &secret, now))).await;
    assert_eq!(status, 400);
    assert!(reply["detail"].as_str().unwrap().contains("not valid JSON"), "{reply}");
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
    let invoices = app.store.invoices_of_year(2026).await.unwrap();
    assert_eq!(invoices.len(), 1, "one invoice, not twenty");
    assert_eq!(invoices[0].number, "MH/2026-27/000001");
    let state = app.store.subscription_state(id, clock.now()).await.unwrap().unwrap();
    assert_eq!(state.current_period_end.unwrap(), noon() + chrono::Months::new(3), "one term, not twenty");
    // Delivered again later: acknowledged, nothing more.
    let (status, reply) = post_webhook(&app, &body, Some(signature)).await;
    assert_eq!((status, reply["status"].as_str()), (200, Some("duplicate")));
}

async fn webhooks_delivered_in_reverse_order_converge(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    let secret = sandbox_secret(&app).await;
    let now = clock.now().timestamp();
    let mut outcomes = Vec::new();
    for (n, reverse) in [(0, false), (1, true)] {
        let token = token(&app, &format!("order{n}@example.com")).await;
        let (_, created) = call(
            &app,
            reqwest::Method::POST,
            "/api/v1/subscriptions",
            &token,
            Some(json!({"plan_id": 1, "provider": "sandbox"})),
        )
        .await;
        let id = created["subscription_id"].as_i64().unwrap();
        let failed = json!({"id": format!("evt_{n}_f"), "type": "payment.failed", "created": now, "subscription": id})
            .to_string();
        let mut bodies = [
            payment_body(id, &format!("evt_{n}_1"), &format!("pay_{n}_1"), now),
            failed,
            payment_body(id, &format!("evt_{n}_2"), &format!("pay_{n}_2"), now),
        ];
        if reverse {
            bodies.reverse();
        }
        // Each delivered twice, as retries do.
        for body in bodies.iter().chain(bodies.iter()) {
            let (status, _) = post_webhook(&app, body, Some(sign_timestamped(body.as_bytes(), &secret, now))).await;
            assert_eq!(status, 200);
        }
        let state = app.store.subscription_state(id, clock.now()).await.unwrap().unwrap();
        outcomes.push((state.status, state.current_period_end, app.store.payment_count(id).await.unwrap()));
    }
    assert_eq!(outcomes[0], outcomes[1], "the same state whatever the order");
    let (status, end, payments) = outcomes[0];
    assert_eq!(status, masthead_domain::subscription::Status::Active);
    assert_eq!(end, Some(noon() + chrono::Months::new(6)), "two quarterly payments, two terms");
    assert_eq!(payments, 2);
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
    // Each of the paywall's plan cards is a form that chooses its plan and comes back here.
    let paywall = &withheld[withheld.find(r#"<section class="paywall""#).unwrap()..];
    for plan in ["1", "2", "3"] {
        assert!(paywall.contains(&format!(r#"name="plan_id" value="{plan}""#)), "{paywall}");
    }
    assert_eq!(paywall.matches(r#"<form method="post" action="/subscribe">"#).count(), 3, "{paywall}");
    assert!(paywall.contains(&format!(r#"name="next" value="{story}""#)), "{paywall}");
    assert_eq!(text_of(paywall).matches("Best value").count(), 1, "one card is the best value");
    assert!(paywall.contains(r#"<li class="plan best">"#) && text_of(paywall).contains("SAVE 46%"));

    // Pressed on the paywall itself, a card leads straight to that plan's checkout.
    let chosen = reader.submit(&story, "/subscribe", &[("plan_id", "2"), ("next", &story)]).await;
    assert_eq!(chosen.status().as_u16(), 303);
    let checkout = chosen.headers()["location"].to_str().unwrap().to_owned();
    assert!(checkout.starts_with("/checkout/sandbox/"), "{checkout}");
    let page = text_of(&reader.page(&checkout, 200).await);
    assert!(page.contains("TEST MODE") && page.contains("Pay ₹2,700"), "{page}");

    let action = checkout.split('?').next().unwrap().to_owned();
    // A state that is not one is refused, and nothing is paid.
    let refused = reader
        .submit(
            &checkout,
            &action,
            &[("outcome", "pay"), ("next", &story), ("name", "Asha Rao"), ("state", "Atlantis")],
        )
        .await;
    assert_eq!(refused.status().as_u16(), 422);
    assert!(text_of(&refused.text().await.unwrap()).contains("Choose your state from the list"));
    assert!(reader.page(&story, 200).await.contains(r#"<section class="paywall""#));
    let paid = reader
        .submit(&checkout, &action, &[("outcome", "pay"), ("next", &story), ("name", "Asha Rao"), ("state", "Delhi")])
        .await;
    assert_eq!(paid.status().as_u16(), 303);
    let back = format!("{story}?welcome=1");
    assert_eq!(paid.headers()["location"], back.as_str(), "back on the story, welcomed");
    let html = reader.page(&back, 200).await;
    assert!(!html.contains(r#"<section class="paywall""#), "readable whole after paying");
    assert!(text_of(&html).contains("Welcome, and thank you for subscribing."), "{}", text_of(&html));
    assert!(!html.contains(r#"class="button subscribe-button""#), "no Subscribe in a subscriber's header");
    // The welcome is for the new subscriber: the same address greets no visitor.
    let visitor = Browser::new(&app).page(&back, 200).await;
    assert!(!text_of(&visitor).contains("Welcome, and thank") && visitor.contains(r#"<section class="paywall""#));
    assert!(visitor.contains(r#"class="button subscribe-button""#), "a visitor's header offers a subscription");

    // The account page shows the plan and, once, when it renews and for how much.
    let account = text_of(&reader.page("/account", 200).await);
    assert!(account.contains("Smart Essential — active"), "{account}");
    assert!(account.contains("Renews on Nov 27 2027: the next charge is ₹2,700 for Smart Essential"), "{account}");
    assert_eq!(account.matches("Nov 27 2027").count(), 1, "{account}");
    // Cancelling asks first, says what it will mean, and changes nothing until confirmed.
    let html = reader.page("/account", 200).await;
    let cancel = html.split(r#"class="button secondary" href=""#).nth(1).unwrap().split('"').next().unwrap().to_owned();
    assert!(cancel.ends_with("/cancel"), "{cancel}");
    let asked = text_of(&reader.page(&cancel, 200).await);
    assert!(
        asked.contains("Cancel the renewal of Smart Essential?") && asked.contains("It will not renew on Nov 27 2027")
    );
    assert!(
        text_of(&reader.page("/account", 200).await).contains("Smart Essential — active"),
        "asking cancels nothing"
    );
    let cancelled = reader.submit(&cancel, &cancel, &[]).await;
    assert_eq!(cancelled.status().as_u16(), 303);
    assert_eq!(cancelled.headers()["location"], "/account?changed=cancel");
    let account = text_of(&reader.page("/account?changed=cancel", 200).await);
    assert!(account.contains("Smart Essential — cancelled") && account.contains("Ends on Nov 27 2027"), "{account}");
    assert!(
        account.contains("Your subscription is cancelled: it will not renew and nothing more is charged."),
        "{account}"
    );
    // Nothing left to cancel: the question page sends the reader back; another reader's is not found.
    assert_eq!(reader.get(&cancel).await.status().as_u16(), 303);
    let mut stranger = Browser::new(&app);
    register(&app, "stranger@example.com").await;
    log_in(&mut stranger, "stranger@example.com", PASSWORD).await;
    assert_eq!(stranger.get(&cancel).await.status().as_u16(), 404);
    assert!(!reader.page(&story, 200).await.contains(r#"<section class="paywall""#), "still readable until then");
}

async fn a_signed_out_reader_signs_up_on_the_way_to_paying(backend: Backend) {
    let (app, _) = app_at(backend).await;
    let list = app.json("/api/v1/articles?limit=100", 200).await;
    let prefix = format!("http://{}", app.address);
    let story = list["articles"].as_array().unwrap().iter().find(|a| a["premium"] == true).unwrap()["url"]
        .as_str()
        .unwrap()
        .strip_prefix(&prefix)
        .unwrap()
        .to_owned();
    let mut visitor = Browser::new(&app);
    assert!(visitor.page(&story, 200).await.contains(r#"<section class="paywall""#));
    let subscribe = format!("/subscribe?next={story}");
    let step = visitor.submit(&subscribe, "/subscribe", &[("plan_id", "3"), ("next", &story)]).await;
    assert_eq!(step.status().as_u16(), 200);
    let page = text_of(&step.text().await.unwrap());
    assert!(page.contains("Your account for Super Saver") && page.contains("Create account and continue"), "{page}");

    // A weak password is refused on the spot; the plan and the way back are kept.
    let fields = |password: &'static str, mode: &'static str| {
        vec![("plan_id", "3"), ("mode", mode), ("email", "newcomer@example.com"), ("password", password)]
    };
    let mut weak = fields("short", "signup");
    weak.push(("next", &story));
    let refused = visitor.submit(&subscribe, "/subscribe/account", &weak).await;
    assert_eq!(refused.status().as_u16(), 422);
    assert!(refused.text().await.unwrap().contains(&format!(r#"name="next" value="{story}""#)));

    let mut good = fields(PASSWORD, "signup");
    good.push(("next", &story));
    let signed_up = visitor.submit(&subscribe, "/subscribe/account", &good).await;
    assert_eq!(signed_up.status().as_u16(), 303);
    assert!(visitor.cookies.contains_key("mh_session"), "signed in on the way");
    // Confirming the address (in another tab) tells a signed-in reader nothing about logging in.
    let link = app.nth_mail("newcomer@example.com", 1).await.link("/account/verify?token=");
    let confirmed = text_of(&visitor.page(&link, 200).await);
    assert!(confirmed.contains("Go to your account") && !confirmed.contains("Log in"), "{confirmed}");
    let checkout = signed_up.headers()["location"].to_str().unwrap().to_owned();
    assert!(checkout.starts_with("/checkout/sandbox/"), "{checkout}");
    let action = checkout.split('?').next().unwrap().to_owned();
    let paid = visitor
        .submit(&checkout, &action, &[("outcome", "pay"), ("next", &story), ("name", "New Reader"), ("state", "Goa")])
        .await;
    assert_eq!(paid.headers()["location"], format!("{story}?welcome=1").as_str(), "back on the story");
    assert!(!visitor.page(&story, 200).await.contains(r#"<section class="paywall""#), "now readable");

    // Logging in on the way with the wrong password says so, and signs nobody in.
    let mut other = Browser::new(&app);
    let wrong = other.submit("/subscribe", "/subscribe/account", &fields("not the password", "login")).await;
    assert_eq!(wrong.status().as_u16(), 401);
    assert!(!other.cookies.contains_key("mh_session"));
}

/// A pending subscription on `plan` for a new reader; its id and token.
pub(crate) async fn pending(app: &TestApp, email: &str, plan: i64) -> (i64, String) {
    let token = token(app, email).await;
    let (status, created) = call(
        app,
        reqwest::Method::POST,
        "/api/v1/subscriptions",
        &token,
        Some(json!({"plan_id": plan, "provider": "sandbox"})),
    )
    .await;
    assert_eq!(status, 201);
    (created["subscription_id"].as_i64().unwrap(), token)
}

pub(crate) async fn pay(app: &TestApp, id: i64, token: &str) {
    let (status, paid) = call(app, reqwest::Method::POST, &format!("/api/v1/sandbox/{id}/pay"), token, None).await;
    assert_eq!(status, 200, "{paid}");
}

/// The header's "Subscribe" button in `html`: how many, and whether any slot
/// was left unfilled.
fn subscribe_buttons(html: &str) -> usize {
    assert!(!html.contains("<!--subscribe"), "the slot is always filled");
    let header = &html[..html.find("<main").expect("a page")];
    assert_eq!(html.matches("subscribe-button").count(), header.matches("subscribe-button").count());
    header.matches(r#"<a class="button subscribe-button" href="/subscribe">Subscribe</a>"#).count()
}

async fn every_reader_page_offers_a_subscription_in_its_header_until_one_is_held(backend: Backend) {
    let (app, _) = app_at(backend).await;
    let pages = ["/search", "/search?q=monsoon", "/archive", "/newsletters", "/epaper"];
    // A visitor: on every reader page, never where a plan is being chosen; kept from shared caches.
    let mut visitor = Browser::new(&app);
    for path in pages.iter().chain(&["/login", "/signup"]) {
        let response = visitor.get(path).await;
        assert_eq!(response.status().as_u16(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "private, no-store", "{path}");
        assert_eq!(subscribe_buttons(&response.text().await.unwrap()), 1, "{path}");
    }
    assert_eq!(subscribe_buttons(&visitor.page("/subscribe", 200).await), 0);
    assert_eq!(subscribe_buttons(&visitor.page("/no-such-section/no-such-story", 404).await), 0);

    // A reader without a subscription (one pending): the same, on the account pages too.
    let (id, token) = pending(&app, "reader@example.com", 1).await;
    let mut reader = Browser::new(&app);
    log_in(&mut reader, "reader@example.com", PASSWORD).await;
    for path in pages.iter().chain(&["/account", "/account/newsletters"]) {
        assert_eq!(subscribe_buttons(&reader.page(path, 200).await), 1, "{path}");
    }

    // Once subscribed: nowhere, the skeleton pages included.
    pay(&app, id, &token).await;
    for path in pages.iter().chain(&["/account", "/account/newsletters", "/"]) {
        assert_eq!(subscribe_buttons(&reader.page(path, 200).await), 0, "{path}");
    }
    // The visitor still gets the offer on the same addresses.
    assert_eq!(subscribe_buttons(&visitor.page("/search", 200).await), 1);
}
