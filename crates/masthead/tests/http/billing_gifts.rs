//! Gift subscriptions: bought through the API and the page (the sandbox takes
//! the plan's price through the usual door, the invoice is the buyer's, the
//! buyer gains nothing), mailed to the recipient on the delivery day by the
//! renewal job (once), redeemed once — concurrently too — extending a
//! subscriber's paid-through date or starting a subscription of gifts alone,
//! and taken back when an admin refunds its payment. Bad input is refused
//! with reasons and stores nothing.

use chrono::{DateTime, Duration, Months, Utc};
use masthead_domain::Paise;
use reqwest::Method;
use serde_json::{Value, json};

use crate::billing::{app_at, call, noon, run_due, token};
use crate::billing_offers::{admin, reader_id};
use crate::billing_providers::{decision, me};
use crate::support::{Backend, Browser, PASSWORD, TestApp, log_in, on_every_backend, text_of};

on_every_backend!(
    a_gift_is_mailed_on_its_day_and_extends_a_subscribers_term_once,
    a_gift_redeems_once_at_once_and_its_refund_takes_it_back,
    gifts_are_bought_and_redeemed_through_the_pages,
);

/// Buys a gift of `plan` for `to` as `buyer` and pays in the sandbox: the gift's id and code.
async fn paid_gift(app: &TestApp, buyer: &str, plan: i64, to: &str, deliver_on: &str) -> (i64, String) {
    let body = json!({"plan_id": plan, "recipient_email": to, "message": "Happy Diwali!", "deliver_on": deliver_on});
    let (status, created) = call(app, Method::POST, "/api/v1/gifts", buyer, Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let (status, paid) = call(app, Method::POST, created["sandbox_pay_url"].as_str().unwrap(), buyer, None).await;
    assert_eq!(status, 200, "{paid}");
    let id = created["gift_id"].as_i64().unwrap();
    (id, app.store.gift(id).await.unwrap().unwrap().code)
}

async fn redeem(app: &TestApp, token: &str, code: &str) -> (u16, Value) {
    call(app, Method::POST, "/api/v1/gifts/redeem", token, Some(json!({"code": code}))).await
}

fn period_end(subscription: &Value) -> DateTime<Utc> {
    subscription["current_period_end"].as_str().unwrap().parse().unwrap()
}

async fn a_gift_is_mailed_on_its_day_and_extends_a_subscribers_term_once(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    let buyer = token(&app, "buyer@example.com").await;
    let friend = token(&app, "friend@example.com").await;
    // The friend subscribes to Smart Essential for a year.
    let body = json!({"plan_id": 2, "provider": "sandbox"});
    let (_, created) = call(&app, Method::POST, "/api/v1/subscriptions", &friend, Some(body)).await;
    call(&app, Method::POST, created["sandbox_pay_url"].as_str().unwrap(), &friend, None).await;
    let own_end = period_end(&me(&app, &friend).await);
    assert_eq!(own_end, noon() + Months::new(12));

    // Signed out, or bad input: refused with the reasons, nothing stored.
    let whole = json!({"plan_id": 1, "recipient_email": "a@b.in", "deliver_on": "2026-11-28"});
    let anonymous = app.client.post(app.url("/api/v1/gifts")).json(&whole).send().await.unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    let bad = json!({"plan_id": 99, "recipient_email": "not an address", "message": "x".repeat(501),
                     "deliver_on": "2026-11-26", "provider": "paypal"});
    let (status, problem) = call(&app, Method::POST, "/api/v1/gifts", &buyer, Some(bad)).await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["plan_id", "provider", "recipient_email", "message", "deliver_on"], "{problem}");
    let far = json!({"plan_id": 1, "recipient_email": "a@b.in", "deliver_on": "2028-01-01"});
    assert_eq!(call(&app, Method::POST, "/api/v1/gifts", &buyer, Some(far)).await.0, 422);

    // Bought: the plan's price through the sandbox, the invoice the buyer's, nothing more for the buyer.
    let body = json!({"plan_id": 1, "recipient_email": "Friend@Example.com", "message": "Happy Diwali!",
                      "deliver_on": "2026-11-30"});
    let (status, created) = call(&app, Method::POST, "/api/v1/gifts", &buyer, Some(body)).await;
    assert_eq!((status, created["amount_paise"].as_i64(), created["gift_id"].as_i64()), (201, Some(90_000), Some(1)));
    let code = app.store.gift(1).await.unwrap().unwrap().code;
    assert_eq!(redeem(&app, &friend, &code).await.0, 409, "not paid for yet");
    let (status, _) = call(&app, Method::POST, created["sandbox_pay_url"].as_str().unwrap(), &buyer, None).await;
    assert_eq!(status, 200);
    let buyer_id = reader_id(&app, "buyer@example.com").await;
    let invoices = app.store.reader_invoices(buyer_id).await.unwrap();
    assert_eq!((invoices.len(), invoices[0].amount), (1, Paise(90_000)), "the buyer's invoice");
    assert_eq!(decision(&app, &buyer).await, "blocked", "a gift gives its buyer nothing");
    assert!(me(&app, &buyer).await.is_null());

    // Mailed on its day, once.
    assert_eq!(run_due(&app, &clock).await.gifts_delivered, 0, "not before its day");
    clock.set(noon() + Duration::days(3));
    assert_eq!(run_due(&app, &clock).await.gifts_delivered, 1);
    assert_eq!(run_due(&app, &clock).await.gifts_delivered, 0);
    let mail = app.nth_mail("friend@example.com", 2).await;
    assert!(
        mail.raw.contains("Happy Diwali!") && mail.raw.contains(&format!("/gifts/redeem?code={code}")),
        "{}",
        mail.raw
    );
    assert!(mail.raw.contains("buyer@example.com has given you a gift subscription: Smart Quarterly"), "{}", mail.raw);

    // Redeemed by a subscriber: three months after their paid-through date, same plan, renewing as before.
    assert_eq!(redeem(&app, &friend, "no-such-code").await.0, 404);
    let (status, after) = redeem(&app, &friend, &code.to_lowercase()).await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(period_end(&after), own_end + Months::new(3), "extended, not replaced");
    assert_eq!((after["plan_id"].as_i64(), after["status"].as_str()), (Some(2), Some("active")));
    assert_eq!(after["cancel_at_period_end"], false);
    let (status, again) = redeem(&app, &friend, &code).await;
    assert_eq!(status, 409, "{again}");
    assert!(again["detail"].as_str().unwrap().contains("redeemed already"));
    assert_eq!(period_end(&me(&app, &friend).await), own_end + Months::new(3), "once");
}

async fn a_gift_redeems_once_at_once_and_its_refund_takes_it_back(backend: Backend) {
    let (app, _) = app_at(backend).await;
    let buyer = token(&app, "buyer@example.com").await;
    let (gift, code) = paid_gift(&app, &buyer, 1, "someone@example.com", "2026-11-27").await;
    let (one, two) = (token(&app, "one@example.com").await, token(&app, "two@example.com").await);
    let (a, b) = tokio::join!(redeem(&app, &one, &code), redeem(&app, &two, &code));
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{a:?} {b:?}");
    let (winner, reply) = if a.0 == 200 { (&one, a.1) } else { (&two, b.1) };
    // A subscription of gifts alone: from now, for the plan's term, not renewing.
    assert_eq!(period_end(&reply), noon() + Months::new(3));
    assert_eq!((reply["status"].as_str(), reply["cancel_at_period_end"].as_bool()), (Some("cancelled"), Some(true)));
    assert_eq!(decision(&app, winner).await, "allowed");

    // The admin refunds the gift's payment: the recipient's access ends.
    let purchase = app.store.gift(gift).await.unwrap().unwrap().subscription_id;
    let payment = app.store.find_payments("buyer@example.com").await.unwrap();
    let payment = payment.iter().find(|p| p.subscription_id == purchase).unwrap().payment_id.clone();
    let mut admin = admin(&app).await;
    let form = [
        ("provider", "sandbox"),
        ("payment_id", payment.as_str()),
        ("amount", "900"),
        ("access", "keep"),
        ("end_on", ""),
        ("reason", "The gift was not wanted"),
    ];
    let done = admin.submit(&format!("/newsroom/refunds?q={payment}"), "/newsroom/refunds", &form).await;
    assert_eq!(done.status().as_u16(), 303);
    assert_eq!(decision(&app, winner).await, "blocked", "a refunded gift gives nothing");
    assert_eq!(me(&app, winner).await["status"], "expired");
    let buyer_id = reader_id(&app, "buyer@example.com").await;
    assert_eq!(app.store.reader_credit_notes(buyer_id).await.unwrap().len(), 1, "the buyer's credit note");

    // A refunded gift not yet redeemed cannot be.
    let (_, unused) = paid_gift(&app, &buyer, 1, "later@example.com", "2026-11-27").await;
    let second = app.store.find_payments("buyer@example.com").await.unwrap();
    let second = second.iter().find(|p| p.payment_id != payment).unwrap().payment_id.clone();
    let form = [
        ("provider", "sandbox"),
        ("payment_id", second.as_str()),
        ("amount", "900"),
        ("access", "keep"),
        ("end_on", ""),
        ("reason", "Bought twice"),
    ];
    let page = format!("/newsroom/refunds?q={second}");
    assert_eq!(admin.submit(&page, "/newsroom/refunds", &form).await.status().as_u16(), 303);
    let (status, refused) = redeem(&app, &one, &unused).await;
    assert_eq!(status, 409, "{refused}");
    assert!(refused["detail"].as_str().unwrap().contains("refunded"));
}

async fn gifts_are_bought_and_redeemed_through_the_pages(backend: Backend) {
    let (app, _) = app_at(backend).await;
    assert_eq!(app.get("/gifts").await.status().as_u16(), 303, "signed out: to the log-in");
    let codes = ["NYT-GIFT-1".to_owned(), "NYT-GIFT-2".to_owned()];
    app.store.import_partner_codes(&codes, noon()).await.unwrap();
    let buyer_token = token(&app, "buyer@example.com").await;
    let mut buyer = Browser::new(&app);
    log_in(&mut buyer, "buyer@example.com", PASSWORD).await;
    let page = text_of(&buyer.page("/gifts", 200).await);
    assert!(page.contains("Give a subscription") && page.contains("Smart Essential"), "{page}");
    let bad =
        buyer.submit("/gifts", "/gifts", &[("plan_id", "2"), ("recipient_email", "nobody"), ("deliver_on", "")]).await;
    assert_eq!(bad.status().as_u16(), 422);
    let text = text_of(&bad.text().await.unwrap());
    assert!(text.contains("recipient_email") && text.contains("deliver_on"), "{text}");
    assert!(app.store.gift(1).await.unwrap().is_none(), "nothing stored");
    let fields =
        [("plan_id", "2"), ("recipient_email", "friend@example.com"), ("message", ""), ("deliver_on", "2026-11-27")];
    let bought = buyer.submit("/gifts", "/gifts", &fields).await;
    assert_eq!(bought.status().as_u16(), 303);
    let checkout = bought.headers()["location"].to_str().unwrap().to_owned();
    assert!(checkout.contains("/checkout/sandbox/"), "{checkout}");
    let gift = app.store.gift(1).await.unwrap().unwrap();
    assert_eq!((gift.recipient_email.as_str(), gift.plan_id), ("friend@example.com", 2));

    // The redeem page: the code from the link; a refused code says why and changes nothing.
    token(&app, "friend@example.com").await;
    let mut friend = Browser::new(&app);
    log_in(&mut friend, "friend@example.com", PASSWORD).await;
    let link = format!("/gifts/redeem?code={}", gift.code);
    assert!(friend.page(&link, 200).await.contains(&gift.code));
    let unpaid = friend.submit(&link, "/gifts/redeem", &[("code", gift.code.as_str())]).await;
    assert_eq!(unpaid.status().as_u16(), 422);
    assert!(text_of(&unpaid.text().await.unwrap()).contains("not paid for yet"));
    let unknown = friend.submit(&link, "/gifts/redeem", &[("code", "GIFT-NONE")]).await;
    assert!(text_of(&unknown.text().await.unwrap()).contains("no gift has this code"));
    let forged = friend.post_form("/gifts/redeem", &[("code", gift.code.as_str())]).await;
    assert_eq!(forged.status().as_u16(), 403, "no CSRF token");

    // Paid, then redeemed on the page: a subscription of gifts alone, on the account page.
    let pay = format!("/api/v1/sandbox/{}/pay", gift.subscription_id);
    assert_eq!(call(&app, Method::POST, &pay, &buyer_token, None).await.0, 200);
    let buyer_id = reader_id(&app, "buyer@example.com").await;
    assert!(app.store.reader_partner_codes(buyer_id).await.unwrap().is_empty(), "a gift's buyer gets no partner code");
    let redeemed = friend.submit(&link, "/gifts/redeem", &[("code", gift.code.as_str())]).await;
    assert_eq!(redeemed.status().as_u16(), 303);
    assert_eq!(redeemed.headers()["location"], "/account?changed=gift");
    let account = text_of(&friend.page("/account?changed=gift", 200).await);
    assert!(account.contains("Your gift is redeemed") && account.contains("a gift: it does not renew"), "{account}");
    assert!(account.contains("Ends on Nov 27 2027") && !account.contains("Resume"), "nothing to resume: {account}");
}
