//! Refunds and GST credit notes: an admin finds a payment on
//! `/newsroom/refunds` and refunds it, whole or in part, through its
//! provider; the provider's signed refund webhook settles it once (the
//! sandbox's at once, Stripe's and Razorpay's from their mock APIs' refunds),
//! issuing a credit note in its own gapless series against the invoice, and
//! access ends, is shortened or is kept as the admin chose. Refusals: readers
//! and forged forms, bad amounts, days and reasons, more than is left of the
//! payment, forged and replayed webhooks — each changes nothing.

use masthead_billing::signature::sign_timestamped;
use masthead_domain::Clock;
use masthead_domain::Paise;
use masthead_domain::refund::AccessChoice;
use masthead_store::RefundAsk;
use reqwest::Method;
use serde_json::json;

use crate::billing::{app_at, call, noon, post_webhook, sandbox_secret, token};
use crate::billing_offers::{admin, reader_id};
use crate::billing_providers::{
    Mode, Setup, checkout, decision, me, processed, razorpay_webhook, setup, stripe_webhook,
};
use crate::support::{Backend, Browser, PASSWORD, TestApp, log_in, on_every_backend, register, text_of};

on_every_backend!(
    an_admin_refunds_a_sandbox_payment_in_parts_with_credit_notes,
    stripe_and_razorpay_refunds_are_settled_once_by_their_signed_webhooks,
    concurrent_refunds_never_add_up_to_more_than_was_paid,
    a_refund_ending_access_on_a_day_shows_that_day_and_offers_nothing_that_cannot_work,
);

/// Subscribes `email` to `plan` through the sandbox and pays: the subscription and its payment's id.
async fn paid_with_sandbox(app: &TestApp, email: &str, plan: i64) -> (String, i64, String) {
    let token = token(app, email).await;
    let body = json!({"plan_id": plan, "provider": "sandbox"});
    let (status, created) = call(app, Method::POST, "/api/v1/subscriptions", &token, Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let (status, paid) = call(app, Method::POST, created["sandbox_pay_url"].as_str().unwrap(), &token, None).await;
    assert_eq!((status, paid["status"].as_str()), (200, Some("active")), "{paid}");
    let payment = app.store.find_payments(email).await.unwrap().remove(0).payment_id;
    (token, created["subscription_id"].as_i64().unwrap(), payment)
}

/// The refund form's fields for a payment.
fn refund_form<'a>(
    provider: &'a str,
    payment: &'a str,
    amount: &'a str,
    access: &'a str,
    end_on: &'a str,
    reason: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("provider", provider),
        ("payment_id", payment),
        ("amount", amount),
        ("access", access),
        ("end_on", end_on),
        ("reason", reason),
    ]
}

/// What is refunded (or asked) of a payment so far, and how many refunds it has.
async fn refunded(app: &TestApp, provider: &str, payment: &str) -> (Paise, usize) {
    let line = app.store.find_payments(payment).await.unwrap().remove(0);
    (line.refunded, app.store.payment_refunds(provider, payment).await.unwrap().len())
}

async fn an_admin_refunds_a_sandbox_payment_in_parts_with_credit_notes(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    let (reader, id, payment) = paid_with_sandbox(&app, "reader@example.com", 2).await;
    let buyer = reader_id(&app, "reader@example.com").await;
    let invoice = app.store.reader_invoices(buyer).await.unwrap().remove(0);
    assert_eq!((invoice.number.as_str(), invoice.amount), ("MH/2026-27/000001", Paise(270_000)));
    assert_eq!(decision(&app, &reader).await, "allowed");

    // Only admins, and only with the form's token.
    let form = refund_form("sandbox", &payment, "100", "keep", "", "Goodwill");
    assert_eq!(app.get("/newsroom/refunds").await.status().as_u16(), 303, "signed out: to the log-in");
    register(&app, "nosy@example.com").await;
    let mut nosy = Browser::new(&app);
    log_in(&mut nosy, "nosy@example.com", PASSWORD).await;
    assert_eq!(nosy.get("/newsroom/refunds").await.status().as_u16(), 403);
    assert_eq!(nosy.submit("/account", "/newsroom/refunds", &form).await.status().as_u16(), 403);
    let mut admin = admin(&app).await;
    assert_eq!(admin.post_form("/newsroom/refunds", &form).await.status().as_u16(), 403, "no CSRF token");
    assert_eq!(refunded(&app, "sandbox", &payment).await, (Paise(0), 0));

    // Found by the subscriber's address (any case) or the invoice's number.
    for query in ["READER@example.com", invoice.number.as_str()] {
        let found = text_of(&admin.page(&format!("/newsroom/refunds?q={query}"), 200).await);
        assert!(found.contains(&payment) && found.contains("left: ₹2,700"), "{query}: {found}");
        assert!(found.contains(&invoice.number), "{found}");
    }
    let none = text_of(&admin.page("/newsroom/refunds?q=pay_nothing", 200).await);
    assert!(none.contains("No payment matches pay_nothing"), "{none}");

    // Bad input says why and stores nothing.
    let page = format!("/newsroom/refunds?q={payment}");
    for (amount, access, end_on, reason, why) in [
        ("2,700.01", "end_now", "", "Charged twice", "more than is left to refund of this payment (₹2,700)"),
        ("abc", "end_now", "", "Charged twice", "give the amount to refund in rupees"),
        ("0", "end_now", "", "Charged twice", "give the amount to refund in rupees"),
        ("100", "end_on", "15/12/2026", "Charged twice", "give the day access ends as YYYY-MM-DD"),
        ("100", "later", "", "Charged twice", "choose whether access ends now, on a day, or is kept"),
        ("100", "keep", "", "   ", "give the reason for the refund"),
    ] {
        let fields = refund_form("sandbox", &payment, amount, access, end_on, reason);
        let response = admin.submit(&page, "/newsroom/refunds", &fields).await;
        assert_eq!(response.status().as_u16(), 422, "{amount} {access}");
        let text = text_of(&response.text().await.unwrap());
        assert!(text.contains(why), "{why} in {text}");
    }
    let unknown = refund_form("sandbox", "pay_x", "1", "keep", "", "x");
    assert_eq!(admin.submit(&page, "/newsroom/refunds", &unknown).await.status().as_u16(), 404);
    assert_eq!(refunded(&app, "sandbox", &payment).await, (Paise(0), 0), "nothing stored");
    assert!(app.store.reader_credit_notes(buyer).await.unwrap().is_empty());

    // A part, access kept: the first credit note, the GST split of ₹1,000 within the state.
    let part = refund_form("sandbox", &payment, "1,000", "keep", "", "Goodwill: a late e-paper");
    let done = admin.submit(&page, "/newsroom/refunds", &part).await;
    assert_eq!(done.status().as_u16(), 303);
    let location = done.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.ends_with("done=refunded"), "{location}");
    let after = text_of(&admin.page(&location, 200).await);
    assert!(after.contains("Refunded: the credit note is issued") && after.contains("left: ₹1,700"), "{after}");
    let notes = app.store.reader_credit_notes(buyer).await.unwrap();
    assert_eq!(notes.len(), 1);
    let first = &notes[0];
    assert_eq!((first.number.as_str(), first.invoice_number.as_str()), ("CN/2026-27/000001", "MH/2026-27/000001"));
    assert_eq!((first.amount, first.taxable), (Paise(100_000), Paise(84_746)));
    assert_eq!((first.cgst, first.sgst, first.igst), (Paise(7_627), Paise(7_627), Paise(0)));
    assert_eq!(first.reason, "Goodwill: a late e-paper");
    assert_eq!(decision(&app, &reader).await, "allowed", "access kept");
    let mail = app.nth_mail("reader@example.com", 2).await;
    assert!(mail.subject.contains("has refunded") && mail.raw.contains("We have refunded ₹1,000"), "{}", mail.raw);
    assert!(mail.raw.contains("/account/credit-notes/CN_2026-27_000001"), "{}", mail.raw);

    // Never more than is left.
    let over = refund_form("sandbox", &payment, "1700.01", "keep", "", "x");
    let over = admin.submit(&page, "/newsroom/refunds", &over).await;
    assert_eq!(over.status().as_u16(), 422);
    assert!(text_of(&over.text().await.unwrap()).contains("(₹1,700)"));
    assert_eq!(refunded(&app, "sandbox", &payment).await, (Paise(100_000), 1));

    // The rest, access ends now: the second note completes the invoice to the paisa.
    let rest = refund_form("sandbox", &payment, "1700", "end_now", "", "Cancelled within 7 days");
    assert_eq!(admin.submit(&page, "/newsroom/refunds", &rest).await.status().as_u16(), 303);
    let notes = app.store.reader_credit_notes(buyer).await.unwrap();
    assert_eq!(notes.iter().map(|n| n.number.as_str()).collect::<Vec<_>>(), ["CN/2026-27/000002", "CN/2026-27/000001"]);
    let sum = |part: fn(&masthead_store::CreditNote) -> Paise| Paise(notes.iter().map(|n| part(n).0).sum());
    assert_eq!(
        (sum(|n| n.amount), sum(|n| n.taxable), sum(|n| n.cgst), sum(|n| n.sgst), sum(|n| n.igst)),
        (invoice.amount, invoice.taxable, invoice.cgst, invoice.sgst, invoice.igst)
    );
    assert_eq!(decision(&app, &reader).await, "blocked", "access ended with the refund");
    assert_eq!(me(&app, &reader).await["status"], "expired");
    let (status, _) = call(&app, Method::POST, &format!("/api/v1/subscriptions/{id}/resume"), &reader, None).await;
    assert_eq!(status, 409, "a refunded subscription cannot be resumed");
    let emptied = text_of(&admin.page(&page, 200).await);
    assert!(emptied.contains("left: ₹0") && !emptied.contains("Amount in rupees"), "{emptied}");

    // The sandbox's refund webhook again, replayed or re-sent: settled once.
    let refunds = app.store.payment_refunds("sandbox", &payment).await.unwrap();
    let now = clock.now().timestamp();
    let body = json!({"id": "sbx_evt_again", "type": "refund.succeeded", "created": now, "refund": refunds[0].id,
                      "refund_id": refunds[0].provider_refund, "payment_id": payment, "amount": 100_000,
                      "currency": "inr"})
    .to_string();
    let secret = sandbox_secret(&app).await;
    let signed = || Some(sign_timestamped(body.as_bytes(), &secret, now));
    assert_eq!(post_webhook(&app, &body, Some(sign_timestamped(body.as_bytes(), "forged", now))).await.0, 400);
    assert_eq!(post_webhook(&app, &body, signed()).await.1["status"], "processed");
    assert_eq!(post_webhook(&app, &body, signed()).await.1["status"], "duplicate");
    assert_eq!(app.store.reader_credit_notes(buyer).await.unwrap().len(), 2, "no third note");
    assert_eq!(refunded(&app, "sandbox", &payment).await, (Paise(270_000), 2));

    // The reader's credit notes: on the account page, as a page and a PDF, for them only.
    let mut owner = Browser::new(&app);
    log_in(&mut owner, "reader@example.com", PASSWORD).await;
    let account = text_of(&owner.page("/account", 200).await);
    assert!(account.contains("CN/2026-27/000001") && account.contains("₹1,700 refunded"), "{account}");
    let note = text_of(&owner.page("/account/credit-notes/CN_2026-27_000001", 200).await);
    for expected in ["Credit note CN/2026-27/000001", "Against invoice MH/2026-27/000001", "Goodwill: a late e-paper"] {
        assert!(note.contains(expected), "{expected} in {note}");
    }
    assert!(note.contains("₹847.46 CGST @ 9% ₹76.27 SGST @ 9% ₹76.27"), "{note}");
    let pdf = owner.get("/account/credit-notes/CN_2026-27_000001/pdf").await;
    assert_eq!((pdf.status().as_u16(), pdf.headers()["content-type"].to_str().unwrap()), (200, "application/pdf"));
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    assert_eq!(nosy.get("/account/credit-notes/CN_2026-27_000001").await.status().as_u16(), 404, "not theirs");
    assert_eq!(nosy.get("/account/credit-notes/CN_2026-27_000001/pdf").await.status().as_u16(), 404);
    assert_eq!(app.get("/account/credit-notes/CN_2026-27_000001").await.status().as_u16(), 303);
}

async fn stripe_and_razorpay_refunds_are_settled_once_by_their_signed_webhooks(backend: Backend) {
    let Setup { app, clock, stripe, razorpay, .. } = setup(backend).await;
    let mut admin = admin(&app).await;

    // A Stripe payment of ₹900 (Smart Quarterly).
    let stripe_reader = token(&app, "stripe@example.com").await;
    let (stripe_id, _) = checkout(&app, &stripe_reader, "stripe").await;
    let intent = json!({"id": "pi_first", "object": "payment_intent", "status": "succeeded", "amount": 90_000,
                        "amount_received": 90_000, "currency": "inr", "customer": "cus_test_1",
                        "payment_method": "pm_card_1", "metadata": {"masthead_subscription": stripe_id.to_string()}});
    processed(stripe_webhook(&app, &clock, "evt_pi_first", "payment_intent.succeeded", intent).await);

    // ₹400 back, access kept: asked of Stripe as its API documents; pending until its webhook.
    let page = "/newsroom/refunds?q=pi_first";
    let form = refund_form("stripe", "pi_first", "400", "keep", "", "Goodwill");
    let asked = admin.submit(page, "/newsroom/refunds", &form).await;
    assert_eq!(asked.status().as_u16(), 303);
    assert!(asked.headers()["location"].to_str().unwrap().ends_with("done=asked"));
    let ours = app.store.payment_refunds("stripe", "pi_first").await.unwrap().remove(0);
    let call = &stripe.calls_to("/v1/refunds")[0];
    assert!(call.header("idempotency-key").starts_with(&format!("masthead-refund-{}-", ours.id)));
    for (field, value) in [
        ("payment_intent", "pi_first".to_owned()),
        ("amount", "40000".to_owned()),
        ("metadata[masthead_refund]", ours.id.to_string()),
    ] {
        assert_eq!(call.field(field), Some(value), "{field}");
    }
    let re = ours.provider_refund.clone().expect("Stripe's refund id");
    assert!(re.starts_with("re_test_"), "{re}");
    assert_eq!(refunded(&app, "stripe", "pi_first").await, (Paise(40_000), 1), "reserved while pending");
    let stripe_buyer = reader_id(&app, "stripe@example.com").await;
    assert!(app.store.reader_credit_notes(stripe_buyer).await.unwrap().is_empty(), "not until Stripe says so");
    let listed = text_of(&admin.page(page, 200).await);
    assert!(listed.contains("₹400 (asked of stripe): Goodwill"), "{listed}");

    // Stripe's refund.updated, signed: settled once, however often and in whichever event it comes.
    let refund = |status: &str| {
        json!({"id": re, "object": "refund", "amount": 40_000, "currency": "inr", "status": status,
               "payment_intent": "pi_first", "metadata": {"masthead_refund": ours.id.to_string()}})
    };
    let forged = app
        .client
        .post(app.url("/webhooks/stripe"))
        .header("stripe-signature", format!("t={},v1={}", clock.now().timestamp(), "0".repeat(64)))
        .body(
            json!({"id": "evt_forged", "type": "refund.updated", "created": clock.now().timestamp(),
                     "data": {"object": refund("succeeded")}})
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 400);
    assert!(app.store.reader_credit_notes(stripe_buyer).await.unwrap().is_empty(), "a forged webhook credits nothing");
    processed(stripe_webhook(&app, &clock, "evt_refund", "refund.updated", refund("succeeded")).await);
    let replayed = stripe_webhook(&app, &clock, "evt_refund", "refund.updated", refund("succeeded")).await;
    assert_eq!(replayed.1["status"], "duplicate");
    let charge = json!({"id": "ch_1", "object": "charge", "payment_intent": "pi_first", "amount_refunded": 40_000,
                        "refunds": {"object": "list", "data": [refund("succeeded")]}});
    processed(stripe_webhook(&app, &clock, "evt_charge_refunded", "charge.refunded", charge).await);
    let notes = app.store.reader_credit_notes(stripe_buyer).await.unwrap();
    assert_eq!(notes.len(), 1, "one refund, one credit note");
    assert_eq!((notes[0].number.as_str(), notes[0].amount), ("CN/2026-27/000001", Paise(40_000)));
    assert_eq!(decision(&app, &stripe_reader).await, "allowed", "access kept as chosen");

    // A refund Stripe fails gives its reservation back and changes no access.
    let form = refund_form("stripe", "pi_first", "500", "end_now", "", "Duplicate charge");
    assert_eq!(admin.submit(page, "/newsroom/refunds", &form).await.status().as_u16(), 303);
    assert_eq!(refunded(&app, "stripe", "pi_first").await, (Paise(90_000), 2));
    let failed = json!({"id": app.store.payment_refunds("stripe", "pi_first").await.unwrap()[1].provider_refund,
                        "object": "refund", "amount": 50_000, "status": "failed",
                        "payment_intent": "pi_first", "failure_reason": "expired_or_canceled_card", "metadata": {}});
    processed(stripe_webhook(&app, &clock, "evt_refund_failed", "refund.failed", failed).await);
    assert_eq!(refunded(&app, "stripe", "pi_first").await.0, Paise(40_000));
    assert_eq!(decision(&app, &stripe_reader).await, "allowed");
    // A provider that refuses the refund: a 502 that says so, nothing left reserved.
    stripe.set_mode(Mode::Unauthorized);
    let refused = admin.submit(page, "/newsroom/refunds", &form).await;
    assert_eq!(refused.status().as_u16(), 502);
    assert!(text_of(&refused.text().await.unwrap()).contains("Invalid API Key provided"));
    assert_eq!(refunded(&app, "stripe", "pi_first").await.0, Paise(40_000));
    stripe.set_mode(Mode::Normal);

    // Razorpay: the whole ₹900, access ending now; the credit note series goes on.
    let razorpay_reader = token(&app, "razorpay@example.com").await;
    let (razorpay_id, _) = checkout(&app, &razorpay_reader, "razorpay").await;
    let notes_of = json!({"masthead_subscription": razorpay_id.to_string()});
    let paid = json!({
        "order": {"entity": {"id": "order_2", "entity": "order", "status": "paid", "notes": notes_of}},
        "payment": {"entity": {"id": "pay_first", "entity": "payment", "amount": 90_000, "currency": "INR",
                               "status": "captured", "order_id": "order_2", "customer_id": "cust_test_1",
                               "token_id": "token_test_1", "notes": notes_of}},
    });
    processed(razorpay_webhook(&app, &clock, "evt_order_paid", "order.paid", paid).await);
    assert_eq!(decision(&app, &razorpay_reader).await, "allowed");
    let form = refund_form("razorpay", "pay_first", "900", "end_now", "", "Subscribed twice");
    assert_eq!(admin.submit("/newsroom/refunds?q=pay_first", "/newsroom/refunds", &form).await.status().as_u16(), 303);
    let ours = app.store.payment_refunds("razorpay", "pay_first").await.unwrap().remove(0);
    let asked = razorpay.calls_to("/v1/payments/pay_first/refund");
    assert_eq!(asked.len(), 1);
    let body = asked[0].json();
    assert_eq!((body["amount"].as_i64(), body["speed"].as_str()), (Some(90_000), Some("normal")));
    assert_eq!(body["notes"]["masthead_refund"], ours.id.to_string());
    assert_eq!(decision(&app, &razorpay_reader).await, "allowed", "until Razorpay says it is refunded");
    let processed_refund = json!({"refund": {"entity": {"id": ours.provider_refund, "entity": "refund",
        "amount": 90_000, "currency": "INR", "payment_id": "pay_first", "status": "processed",
        "notes": {"masthead_refund": ours.id.to_string()}}}});
    processed(razorpay_webhook(&app, &clock, "evt_rfnd", "refund.processed", processed_refund.clone()).await);
    let again = razorpay_webhook(&app, &clock, "evt_rfnd_again", "refund.processed", processed_refund).await;
    processed(again);
    let razorpay_buyer = reader_id(&app, "razorpay@example.com").await;
    let notes = app.store.reader_credit_notes(razorpay_buyer).await.unwrap();
    assert_eq!(notes.iter().map(|n| n.number.as_str()).collect::<Vec<_>>(), ["CN/2026-27/000002"]);
    assert_eq!(decision(&app, &razorpay_reader).await, "blocked");
    let year = app.store.credit_notes_of_year(2026).await.unwrap();
    assert_eq!(year.iter().map(|n| n.sequence).collect::<Vec<_>>(), [1, 2], "no gaps");
}

async fn concurrent_refunds_never_add_up_to_more_than_was_paid(backend: Backend) {
    let (app, _) = app_at(backend).await;
    let (_, _, payment) = paid_with_sandbox(&app, "reader@example.com", 1).await;
    register(&app, "admin@example.com").await;
    let admin_id = reader_id(&app, "admin@example.com").await;
    // Twelve refunds of ₹100 at once against ₹900: nine are stored, three refused.
    let asks = (0..12).map(|_| {
        let store = app.store.clone();
        let payment = payment.clone();
        tokio::spawn(async move {
            let ask = RefundAsk {
                provider: "sandbox",
                payment_id: &payment,
                amount: Paise(10_000),
                access: AccessChoice::Keep,
                reason: "at once",
                requested_by: admin_id,
            };
            store.request_refund(&ask, noon()).await.unwrap().unwrap().is_ok()
        })
    });
    let mut granted = 0;
    for ask in asks.collect::<Vec<_>>() {
        granted += usize::from(ask.await.unwrap());
    }
    assert_eq!(granted, 9);
    assert_eq!(refunded(&app, "sandbox", &payment).await, (Paise(90_000), 9));
}

async fn a_refund_ending_access_on_a_day_shows_that_day_and_offers_nothing_that_cannot_work(backend: Backend) {
    let (app, _clock) = app_at(backend).await;
    let (reader, id, payment) = paid_with_sandbox(&app, "dayend@example.com", 2).await;
    let mut owner = Browser::new(&app);
    log_in(&mut owner, "dayend@example.com", PASSWORD).await;
    let before = text_of(&owner.page("/account", 200).await);
    assert!(before.contains("Cancel renewal") && before.contains("Pause renewal"), "{before}");

    // The admin refunds ₹500 and ends access on 1 January 2027.
    let mut admin = admin(&app).await;
    let page = format!("/newsroom/refunds?q={payment}");
    let fields = refund_form("sandbox", &payment, "500", "end_on", "2027-01-01", "Leaving the country");
    assert_eq!(admin.submit(&page, "/newsroom/refunds", &fields).await.status().as_u16(), 303);
    assert_eq!(decision(&app, &reader).await, "allowed", "until that day");

    // The account page says so, and offers no button that cannot work.
    let html = owner.page("/account", 200).await;
    let account = text_of(&html);
    assert!(account.contains("Smart Essential — refunded: it does not renew"), "{account}");
    assert!(account.contains("Access ends on Jan 01 2027, as the refund decided"), "{account}");
    for absent in ["Resume renewal", "Pause renewal", "Cancel renewal", "Renew on", "Renews on"] {
        assert!(!account.contains(absent), "{absent} in {account}");
    }
    assert!(!html.contains(&format!("/account/subscription/{id}/")), "no action on the subscription: {html}");

    // Resuming anyway is refused and changes nothing, by the form or the API.
    let entries = app.store.ledger(id).await.unwrap().len();
    let resume = format!("/account/subscription/{id}/resume");
    assert_eq!(owner.submit("/account", &resume, &[]).await.status().as_u16(), 303);
    let (status, refused) =
        call(&app, Method::POST, &format!("/api/v1/subscriptions/{id}/resume"), &reader, None).await;
    assert_eq!(status, 409, "{refused}");
    assert!(refused["detail"].as_str().unwrap().contains("nothing to resume"), "{refused}");
    assert_eq!(app.store.ledger(id).await.unwrap().len(), entries, "nothing stored");
    let (status, _) =
        call(&app, Method::POST, "/api/v1/me/subscription/pause", &reader, Some(json!({"months": 1}))).await;
    assert_eq!(status, 409, "no pause either");
    let account = text_of(&owner.page("/account", 200).await);
    assert!(account.contains("Access ends on Jan 01 2027") && !account.contains("Resume renewal"), "{account}");
}
