//! The retention offer at cancellation: an admin marks a discount offer; a
//! reader who goes to cancel is shown it once per subscription; accepting
//! (page or API) keeps the subscription and prices its next renewal, which
//! the renewal job charges and invoices with the discount; declining is
//! cancelling as before; neither can happen twice, and refusals store nothing.

use chrono::{Duration, Months};
use masthead_domain::Paise;
use masthead_domain::offer::OfferKind;
use reqwest::Method;
use serde_json::json;

use crate::billing::{app_at, call, noon, run_due, token};
use crate::billing_offers::{admin, offer, reader_id};
use crate::support::{Backend, Browser, PASSWORD, TestApp, log_in, on_every_backend, register, text_of};

on_every_backend!(
    a_reader_keeps_a_subscription_with_the_retention_offer_once,
    declining_is_cancelling_and_the_offer_is_not_shown_again,
);

/// A paid Smart Quarterly (₹900) subscription of a new reader: its id and API token.
async fn subscribed(app: &TestApp, email: &str) -> (i64, String) {
    let token = token(app, email).await;
    let (status, created) =
        call(app, Method::POST, "/api/v1/subscriptions", &token, Some(json!({"plan_id": 1, "provider": "sandbox"})))
            .await;
    assert_eq!(status, 201, "{created}");
    let (status, _) = call(app, Method::POST, created["sandbox_pay_url"].as_str().unwrap(), &token, None).await;
    assert_eq!(status, 200);
    (created["subscription_id"].as_i64().unwrap(), token)
}

async fn a_reader_keeps_a_subscription_with_the_retention_offer_once(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    let stay = offer(&app, "STAY50", OfferKind::Percent { percent: 50 }, &[1, 2, 3], Some(10)).await;
    let trial = offer(&app, "TRY7", OfferKind::Trial { days: 7, price: Paise(0) }, &[1], None).await;
    let (id, token) = subscribed(&app, "stayer@example.com").await;
    let retention = format!("/api/v1/subscriptions/{id}/retention-offer");
    assert_eq!(call(&app, Method::GET, &retention, &token, None).await.0, 404, "none marked yet");

    // Only admins mark it, with the form's token; a trial cannot be one.
    let mut admin = admin(&app).await;
    register(&app, "nosy@example.com").await;
    let mut nosy = Browser::new(&app);
    log_in(&mut nosy, "nosy@example.com", PASSWORD).await;
    let mark = format!("/newsroom/offers/{stay}/retention");
    assert_eq!(nosy.submit("/account", &mark, &[("on", "1")]).await.status().as_u16(), 403);
    assert_eq!(admin.post_form(&mark, &[("on", "1")]).await.status().as_u16(), 403, "no CSRF token");
    let refused =
        admin.submit("/newsroom/offers", &format!("/newsroom/offers/{trial}/retention"), &[("on", "1")]).await;
    assert_eq!(refused.status().as_u16(), 404, "a trial is no retention offer");
    assert!(app.store.retention_offer().await.unwrap().is_none(), "nothing stored");
    let marked = admin.submit("/newsroom/offers", &mark, &[("on", "1")]).await;
    assert_eq!(marked.headers()["location"], "/newsroom/offers?done=retention");
    let page = text_of(&admin.page("/newsroom/offers?done=retention", 200).await);
    assert!(page.contains("Retention offer (shown at cancellation)"), "{page}");

    // The reader going to cancel is shown it.
    let (status, shown) = call(&app, Method::GET, &retention, &token, None).await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!((shown["code"].as_str(), shown["next_charge_paise"].as_i64()), (Some("STAY50"), Some(45_000)));
    let mut reader = Browser::new(&app);
    log_in(&mut reader, "stayer@example.com", PASSWORD).await;
    let cancel = format!("/account/subscription/{id}/cancel");
    let ask = text_of(&reader.page(&cancel, 200).await);
    assert!(ask.contains("Offer STAY50: stay with 50% off your next renewal"), "{ask}");

    // Accepting keeps it, once.
    let keep = format!("/account/subscription/{id}/keep");
    assert_eq!(reader.post_form(&keep, &[]).await.status().as_u16(), 403, "no CSRF token");
    let kept = reader.submit(&cancel, &keep, &[]).await;
    assert_eq!(kept.headers()["location"], "/account?changed=keep");
    let account = text_of(&reader.page("/account?changed=keep", 200).await);
    assert!(account.contains("Thank you for staying"), "{account}");
    assert!(account.contains("Renews on Feb 27 2027: the next charge is ₹450 for Smart Quarterly"), "{account}");
    let (status, again) = call(&app, Method::POST, &retention, &token, None).await;
    assert_eq!(status, 409, "at most once: {again}");
    assert_eq!(call(&app, Method::GET, &retention, &token, None).await.0, 404);
    assert!(!text_of(&reader.page(&cancel, 200).await).contains("STAY50"), "not shown again");
    let entries = app.store.ledger(id).await.unwrap().len();
    assert_eq!(reader.submit(&cancel, &keep, &[]).await.headers()["location"], "/account");
    assert_eq!(app.store.ledger(id).await.unwrap().len(), entries, "nothing stored the second time");
    assert_eq!(app.store.offer(stay).await.unwrap().unwrap().redeemed, 1, "one against the cap");

    // The renewal is charged ₹450 with the discount on its invoice; the one after, the full price.
    clock.set(noon() + Months::new(3) + Duration::minutes(1));
    assert_eq!(run_due(&app, &clock).await.renewed, 1);
    let buyer = reader_id(&app, "stayer@example.com").await;
    let invoice = app.store.reader_invoices(buyer).await.unwrap().remove(0);
    assert_eq!((invoice.amount, invoice.offer_code.as_deref()), (Paise(45_000), Some("STAY50")));
    assert_eq!(invoice.value_before_discount(), Paise(76_271), "the plan's own taxable value");
    clock.set(noon() + Months::new(6) + Duration::minutes(1));
    assert_eq!(run_due(&app, &clock).await.renewed, 1);
    let invoice = app.store.reader_invoices(buyer).await.unwrap().remove(0);
    assert_eq!((invoice.amount, invoice.offer_code), (Paise(90_000), None));
}

async fn declining_is_cancelling_and_the_offer_is_not_shown_again(backend: Backend) {
    let (app, _clock) = app_at(backend).await;
    let stay = offer(&app, "STAY100", OfferKind::Fixed { off: Paise(10_000) }, &[1], None).await;
    assert!(app.store.set_retention_offer(Some(stay)).await.unwrap());
    let (id, token) = subscribed(&app, "leaver@example.com").await;
    let retention = format!("/api/v1/subscriptions/{id}/retention-offer");
    assert_eq!(call(&app, Method::GET, &retention, &token, None).await.1["next_charge_paise"], 80_000);
    // Someone else's subscription: not found, nothing stored.
    let other = self::token(&app, "other@example.com").await;
    assert_eq!(call(&app, Method::POST, &retention, &other, None).await.0, 404);
    assert!(!app.store.retention_decided(id).await.unwrap());

    let mut reader = Browser::new(&app);
    log_in(&mut reader, "leaver@example.com", PASSWORD).await;
    let cancel = format!("/account/subscription/{id}/cancel");
    let cancelled = reader.submit(&cancel, &cancel, &[]).await;
    assert_eq!(cancelled.headers()["location"], "/account?changed=cancel");
    let (status, resumed) = call(&app, Method::POST, &format!("/api/v1/subscriptions/{id}/resume"), &token, None).await;
    assert_eq!((status, resumed["status"].as_str()), (200, Some("active")));
    // Declined once: not shown, not accepted, and the renewal is the full price.
    assert_eq!(call(&app, Method::GET, &retention, &token, None).await.0, 404);
    assert_eq!(call(&app, Method::POST, &retention, &token, None).await.0, 409);
    assert!(!text_of(&reader.page(&cancel, 200).await).contains("STAY100"));
    let account = text_of(&reader.page("/account", 200).await);
    assert!(account.contains("the next charge is ₹900"), "{account}");
    assert_eq!(app.store.offer(stay).await.unwrap().unwrap().redeemed, 0);
}
