//! A signed payment counts only when it is the price due. Any other amount
//! (₹1 short, a paisa over, one paisa in all) or another currency, from any
//! provider, is stored but not applied — no term, no invoice — and admins see
//! it on `/newsroom/payments` with what was due and what came.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use masthead_billing::signature::sign_timestamped;
use masthead_domain::email::Email;
use masthead_domain::{Clock, ManualClock, Role};
use serde_json::{Value, json};

use crate::billing::{config_at, post_webhook, sandbox_secret};
use crate::billing_providers::{RAZORPAY_WEBHOOK_SECRET, STRIPE_WEBHOOK_SECRET, razorpay_webhook, stripe_webhook};
use crate::support::{
    Backend, Browser, PASSWORD, TestApp, log_in, on_every_backend, register, spawn_app_with, text_of,
};

on_every_backend!(payments_that_are_not_the_price_due_are_held_for_review);

/// Smart Quarterly: ₹900 for 3 months.
const QUARTERLY: i64 = 1;

/// The site at noon with the sandbox and both providers' webhooks listening.
async fn app(backend: Backend) -> (TestApp, Arc<ManualClock>) {
    let (mut config, clock) = config_at();
    config.payments.stripe_webhook_secret = Some(STRIPE_WEBHOOK_SECRET.to_owned());
    config.payments.razorpay_webhook_secret = Some(RAZORPAY_WEBHOOK_SECRET.to_owned());
    (spawn_app_with(backend, config).await, clock)
}

/// A new reader with a pending Smart Quarterly subscription paying through `provider`.
async fn pending(app: &TestApp, clock: &ManualClock, email: &str, provider: &str) -> (i64, i64) {
    register(app, email).await;
    let reader = app.store.reader_by_email(&Email::parse(email).unwrap()).await.unwrap().unwrap().id;
    (reader, app.store.create_subscription(reader, QUARTERLY, provider, clock.now()).await.unwrap())
}

/// A successful payment of `amount` in `currency` for `subscription`, signed
/// and delivered as `provider` sends it.
async fn pay(
    app: &TestApp,
    clock: &ManualClock,
    provider: &str,
    subscription: i64,
    (payment, amount, currency): (&str, i64, &str),
) -> (u16, Value) {
    let ours = subscription.to_string();
    let event = format!("evt_{payment}");
    match provider {
        "sandbox" => {
            let now = clock.now().timestamp();
            let body = json!({"id": event, "type": "payment.succeeded", "created": now, "subscription": subscription,
                              "payment_id": payment, "amount": amount, "currency": currency})
            .to_string();
            let signature = sign_timestamped(body.as_bytes(), &sandbox_secret(app).await, now);
            post_webhook(app, &body, Some(signature)).await
        }
        "stripe" => {
            let intent = json!({"id": payment, "object": "payment_intent", "status": "succeeded", "amount": amount,
                                "amount_received": amount, "currency": currency,
                                "metadata": {"masthead_subscription": ours}});
            stripe_webhook(app, clock, &event, "payment_intent.succeeded", intent).await
        }
        "razorpay" => {
            let captured = json!({"payment": {"entity": {"id": payment, "entity": "payment", "amount": amount,
                                  "currency": currency, "status": "captured",
                                  "notes": {"masthead_subscription": ours}}}});
            razorpay_webhook(app, clock, &event, "payment.captured", captured).await
        }
        other => panic!("no provider {other}"),
    }
}

/// Whether the subscription gives access now, its paid term's end, and its reader's invoices.
async fn standing(app: &TestApp, clock: &ManualClock, reader: i64, id: i64) -> (bool, Option<DateTime<Utc>>, usize) {
    let state = app.store.subscription_state(id, clock.now()).await.unwrap().unwrap();
    let invoices = app.store.reader_invoices(reader).await.unwrap().len();
    (state.has_access(), state.current_period_end, invoices)
}

async fn payments_that_are_not_the_price_due_are_held_for_review(backend: Backend) {
    let (app, clock) = app(backend).await;
    // (provider, payment id, amount in minor units, currency, as the review list shows what came)
    let wrong = [
        ("sandbox", "sbx_pay_short", 89_900, "inr", "₹899"),
        ("stripe", "pi_over", 90_001, "inr", "₹900.01"),
        ("razorpay", "pay_dollars", 90_000, "USD", "900.00 USD"),
        ("stripe", "pi_one_paisa", 1, "inr", "₹0.01"),
        ("razorpay", "pay_short", 89_900, "INR", "₹899"),
    ];
    let mut held = Vec::new();
    for (n, (provider, payment, amount, currency, shown)) in wrong.into_iter().enumerate() {
        let email = format!("payer{n}@example.com");
        let (reader, id) = pending(&app, &clock, &email, provider).await;
        let reply = pay(&app, &clock, provider, id, (payment, amount, currency)).await;
        assert_eq!((reply.0, reply.1["status"].as_str()), (200, Some("held for review")), "{payment}: {}", reply.1);
        assert_eq!(standing(&app, &clock, reader, id).await, (false, None, 0), "{payment}: no term, no invoice");
        assert_eq!(app.store.payment_count(id).await.unwrap(), 1, "{payment} is stored");
        // A retry of the same event changes nothing more.
        let again = pay(&app, &clock, provider, id, (payment, amount, currency)).await;
        assert_eq!((again.0, again.1["status"].as_str()), (200, Some("duplicate")), "{payment}");
        held.push((reader, id, email, payment, shown));
    }

    // Admins see each, with what was due and what came; readers and strangers do not.
    register(&app, "admin@example.com").await;
    let admin_id = app.store.reader_by_email(&Email::parse("admin@example.com").unwrap()).await.unwrap().unwrap().id;
    app.store.set_role(admin_id, Role::Admin).await.unwrap().unwrap();
    let mut admin = Browser::new(&app);
    log_in(&mut admin, "admin@example.com", PASSWORD).await;
    let response = admin.get("/newsroom/payments").await;
    assert_eq!(response.status().as_u16(), 200);
    let html = response.text().await.unwrap();
    let rows: Vec<String> = html.split("<tr>").skip(2).map(text_of).collect();
    assert_eq!(rows.len(), held.len(), "{html}");
    for (_, id, email, payment, shown) in &held {
        let row = rows.iter().find(|r| r.contains(payment)).unwrap_or_else(|| panic!("{payment} listed: {html}"));
        for field in [email.as_str(), &id.to_string(), "Smart Quarterly", "₹900", shown] {
            assert!(row.contains(field), "{field} in {row}");
        }
    }
    assert!(text_of(&html).contains("Payments needing review"));
    let mut reader = Browser::new(&app);
    log_in(&mut reader, &held[0].2, PASSWORD).await;
    assert_eq!(reader.get("/newsroom/payments").await.status().as_u16(), 403);
    assert_eq!(app.get("/newsroom/payments").await.status().as_u16(), 303, "to the log-in page");

    // The price due still pays, through every provider; a wrong renewal then extends nothing.
    for (n, provider) in ["sandbox", "stripe", "razorpay"].into_iter().enumerate() {
        let (reader, id, ..) = held[n];
        let currency = if provider == "razorpay" { "INR" } else { "inr" };
        let right = format!("{provider}_right");
        let reply = pay(&app, &clock, provider, id, (&right, 90_000, currency)).await;
        assert_eq!((reply.0, reply.1["status"].as_str()), (200, Some("processed")), "{provider}: {}", reply.1);
        let (access, term_end, invoices) = standing(&app, &clock, reader, id).await;
        assert!(access && term_end.is_some() && invoices == 1, "{provider} paid: {access} {term_end:?} {invoices}");
        let renewal = format!("{provider}_renewal_short");
        let reply = pay(&app, &clock, provider, id, (&renewal, 89_900, currency)).await;
        assert_eq!(reply.1["status"].as_str(), Some("held for review"), "{provider}: {}", reply.1);
        assert_eq!(standing(&app, &clock, reader, id).await, (true, term_end, 1), "{provider}: the term stands");
    }
    let listed = text_of(&admin.get("/newsroom/payments").await.text().await.unwrap());
    assert!(listed.contains("sandbox_renewal_short") && !listed.contains("stripe_right"), "{listed}");
}
