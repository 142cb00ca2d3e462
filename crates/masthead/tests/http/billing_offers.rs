//! Offers and trials on the subscription ledger: admins make them, readers
//! redeem them by code (`/subscribe?offer=CODE`, the API), the sandbox takes
//! the discounted price through the door every provider's payment comes
//! through, the invoice gives the discount before tax, and a cap is exact
//! under concurrency across two instances. Trials: the payment method up
//! front, a reminder before the end, the first charge by the renewal job,
//! and a cancellation during the trial that ends it with nothing charged.

use chrono::{Duration, Months};
use masthead_domain::Clock;
use masthead_domain::email::Email;
use masthead_domain::offer::{OfferDraft, OfferKind};
use masthead_domain::{Paise, Role};
use masthead_store::{Breakdown, NewSession, SUBSCRIPTION_PAID, SessionKind};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::billing::{app_at, call, config_at, noon, run_due, token};
use crate::billing_providers::{decision, me};
use crate::support::{
    Backend, Browser, PASSWORD, TestApp, log_in, on_every_backend, register, spawn_instance, text_of,
};

on_every_backend!(
    an_admin_makes_an_offer_and_a_reader_pays_the_discounted_price,
    refused_offers_say_why_and_store_nothing,
    a_cap_of_100_grants_exactly_100_of_150_concurrent_redemptions_on_two_instances,
    a_reader_redeems_an_offer_link_through_the_pages,
    an_abandoned_checkout_gives_its_redemption_back_when_it_expires,
    a_free_trial_saves_the_card_reminds_then_charges,
    cancelling_during_a_trial_ends_it_with_nothing_charged,
    a_free_trial_whose_card_is_not_saved_grants_nothing,
    cancelling_during_a_free_trial_charges_nothing,
);

/// A browser signed in as a new admin.
pub(crate) async fn admin(app: &TestApp) -> Browser<'_> {
    register(app, "admin@example.com").await;
    let email = Email::parse("admin@example.com").unwrap();
    let id = app.store.reader_by_email(&email).await.unwrap().unwrap().id;
    app.store.set_role(id, Role::Admin).await.unwrap().unwrap();
    let mut browser = Browser::new(app);
    log_in(&mut browser, "admin@example.com", PASSWORD).await;
    browser
}

/// Saves an offer straight into the store, valid around the test's noon.
pub(crate) async fn offer(app: &TestApp, code: &str, kind: OfferKind, plans: &[i64], cap: Option<u32>) -> i64 {
    let draft = OfferDraft {
        name: format!("Offer {code}"),
        code: code.to_owned(),
        kind,
        forever: false,
        plan_ids: plans.to_vec(),
        valid_from: noon() - Duration::days(1),
        valid_until: noon() + Duration::days(30),
        cap,
    };
    app.store.create_offer(&draft, noon()).await.unwrap().unwrap()
}

pub(crate) async fn reader_id(app: &TestApp, email: &str) -> i64 {
    app.store.reader_by_email(&Email::parse(email).unwrap()).await.unwrap().unwrap().id
}

/// Subscribes with `body` and pays in the sandbox: the created reply and the state after paying.
async fn subscribe_and_pay(app: &TestApp, token: &str, body: Value) -> (Value, Value) {
    let (status, created) = call(app, Method::POST, "/api/v1/subscriptions", token, Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let (status, paid) = call(app, Method::POST, created["sandbox_pay_url"].as_str().unwrap(), token, None).await;
    assert_eq!(status, 200, "{paid}");
    (created, paid)
}

async fn an_admin_makes_an_offer_and_a_reader_pays_the_discounted_price(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    let mut admin = admin(&app).await;
    let form = [
        ("name", "Monsoon sale"),
        ("code", "monsoon25"),
        ("kind", "percent"),
        ("amount", "25"),
        ("plan", "1"),
        ("plan", "2"),
        ("valid_from", "2026-11-20"),
        ("valid_until", "2026-12-31"),
        ("cap", "100"),
    ];
    // Readers, strangers and forged forms cannot make offers.
    register(&app, "nosy@example.com").await;
    let mut nosy = Browser::new(&app);
    log_in(&mut nosy, "nosy@example.com", PASSWORD).await;
    assert_eq!(nosy.get("/newsroom/offers").await.status().as_u16(), 403);
    assert_eq!(nosy.submit("/subscribe", "/newsroom/offers", &form).await.status().as_u16(), 403);
    assert_eq!(app.get("/newsroom/offers").await.status().as_u16(), 303, "signed out: to the log-in");
    let forged = admin.post_form("/newsroom/offers", &form).await;
    assert_eq!(forged.status().as_u16(), 403, "no CSRF token");
    // A bad form says why and saves nothing.
    let bad = admin.submit("/newsroom/offers", "/newsroom/offers", &[("name", "X"), ("kind", "percent")]).await;
    assert_eq!(bad.status().as_u16(), 422);
    assert!(text_of(&bad.text().await.unwrap()).contains("choose a percentage (1 to 99)"));
    assert!(app.store.offers().await.unwrap().is_empty(), "nothing saved");

    let made = admin.submit("/newsroom/offers", "/newsroom/offers", &form).await;
    assert_eq!(made.status().as_u16(), 303);
    let listed = text_of(&admin.page("/newsroom/offers?done=saved", 200).await);
    assert!(listed.contains("MONSOON25") && listed.contains("25% off the first term"), "{listed}");
    assert!(listed.contains("Smart Quarterly, Smart Essential") && listed.contains("0 of 100"), "{listed}");
    let again = admin.submit("/newsroom/offers", "/newsroom/offers", &form).await;
    assert_eq!(again.status().as_u16(), 422, "the code is taken");
    assert_eq!(app.store.offers().await.unwrap().len(), 1);

    // The offer link shows the price with it on the plans it is for.
    let plans = text_of(&app.page("/subscribe?offer=monsoon25", 200).await);
    assert!(plans.contains("Monsoon sale: 25% off the first term"), "{plans}");
    assert!(plans.contains("₹2,025 with MONSOON25 (25% off the first term), then ₹2,700 for 1 Year"), "{plans}");
    assert!(plans.contains("₹675 with MONSOON25"), "{plans}");
    assert!(!plans.contains("₹2,925 with"), "Super Saver is not in the offer: {plans}");

    // The API redeems it; the sandbox takes ₹2,025; the invoice gives the discount before tax.
    let buyer_token = token(&app, "buyer@example.com").await;
    let (created, paid) =
        subscribe_and_pay(&app, &buyer_token, json!({"plan_id": 2, "provider": "sandbox", "offer": "MONSOON25"})).await;
    assert_eq!(created["amount_paise"], 202_500);
    assert_eq!(paid["status"], "active");
    let id = created["subscription_id"].as_i64().unwrap();
    let buyer = reader_id(&app, "buyer@example.com").await;
    let invoices = app.store.reader_invoices(buyer).await.unwrap();
    assert_eq!(invoices.len(), 1);
    let invoice = &invoices[0];
    assert_eq!(invoice.amount, Paise(202_500));
    assert_eq!((invoice.taxable, invoice.discount), (Paise(171_610), Paise(57_204)));
    assert_eq!((invoice.cgst, invoice.sgst, invoice.igst), (Paise(15_445), Paise(15_445), Paise(0)));
    assert_eq!(invoice.value_before_discount(), Paise(228_814), "the plan's own taxable value");
    assert_eq!(invoice.offer_code.as_deref(), Some("MONSOON25"));
    let mut browser = Browser::new(&app);
    log_in(&mut browser, "buyer@example.com", PASSWORD).await;
    let slug = invoice.number.replace('/', "_");
    let page = text_of(&browser.page(&format!("/account/invoices/{slug}"), 200).await);
    assert!(page.contains("₹2,288.14 Discount (MONSOON25) -₹572.04 Taxable value ₹1,716.10"), "{page}");
    let pdf = browser.get(&format!("/account/invoices/{slug}/pdf")).await;
    assert_eq!(pdf.status().as_u16(), 200);
    assert!(text_of(&admin.page("/newsroom/offers", 200).await).contains("1 of 100"));

    // Ending it stops new redemptions.
    let offer_id = app.store.offer_by_code("MONSOON25").await.unwrap().unwrap().id;
    let ended = admin.submit("/newsroom/offers", &format!("/newsroom/offers/{offer_id}/end"), &[]).await;
    assert_eq!(ended.status().as_u16(), 303);
    let late = token(&app, "late@example.com").await;
    let (status, refused) = call(
        &app,
        Method::POST,
        "/api/v1/subscriptions",
        &late,
        Some(json!({"plan_id": 2, "provider": "sandbox", "offer": "MONSOON25"})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["errors"][0]["message"], "this offer has expired");

    // First term only: the renewal is the full price, invoiced without a discount.
    clock.set(noon() + Months::new(12) + Duration::minutes(1));
    let report = run_due(&app, &clock).await;
    assert_eq!((report.charged, report.renewed), (1, 1));
    let invoices = app.store.reader_invoices(buyer).await.unwrap();
    assert_eq!(
        (invoices[0].amount, invoices[0].discount, invoices[0].offer_code.as_deref()),
        (Paise(270_000), Paise(0), None)
    );
    let state = app.store.subscription_state(id, clock.now()).await.unwrap().unwrap();
    assert_eq!((state.paid_terms, state.offer_id.is_some()), (2, true));
}

async fn refused_offers_say_why_and_store_nothing(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    offer(&app, "QUARTER10", OfferKind::Percent { percent: 10 }, &[1], Some(1)).await;
    let future = OfferDraft {
        name: "Later".into(),
        code: "LATER".into(),
        kind: OfferKind::Fixed { off: Paise(10_000) },
        forever: true,
        plan_ids: vec![1, 2, 3],
        valid_from: noon() + Duration::days(2),
        valid_until: noon() + Duration::days(9),
        cap: None,
    };
    app.store.create_offer(&future, noon()).await.unwrap().unwrap();
    let past =
        OfferDraft { code: "OVER".into(), valid_from: noon() - Duration::days(9), valid_until: noon(), ..future };
    app.store.create_offer(&past, noon()).await.unwrap().unwrap();
    let first = token(&app, "first@example.com").await;
    let second = token(&app, "second@example.com").await;
    let refusal = |token: String, plan: i64, code: &'static str| {
        let app = &app;
        async move {
            let body = json!({"plan_id": plan, "provider": "sandbox", "offer": code});
            let (status, reply) = call(app, Method::POST, "/api/v1/subscriptions", &token, Some(body)).await;
            assert_eq!(status, 422, "{code}: {reply}");
            assert_eq!(reply["errors"][0]["field"], "offer");
            reply["errors"][0]["message"].as_str().unwrap().to_owned()
        }
    };
    assert_eq!(refusal(first.clone(), 1, "NOSUCH").await, "no offer has this code");
    assert_eq!(refusal(first.clone(), 2, "QUARTER10").await, "this offer is not for the plan chosen");
    assert_eq!(refusal(first.clone(), 1, "LATER").await, "this offer has not started yet");
    assert_eq!(refusal(first.clone(), 1, "OVER").await, "this offer has expired");
    let reader = reader_id(&app, "first@example.com").await;
    assert!(app.store.reader_subscriptions(reader).await.unwrap().is_empty(), "nothing stored");

    // Used once (lower case works too), then: already used by this reader, exhausted for the next.
    let (created, _) =
        subscribe_and_pay(&app, &first, json!({"plan_id": 1, "provider": "sandbox", "offer": "quarter10"})).await;
    assert_eq!(created["amount_paise"], 81_000);
    assert_eq!(refusal(first.clone(), 1, "QUARTER10").await, "you have already used this offer");
    assert_eq!(refusal(second.clone(), 1, "QUARTER10").await, "this offer has been fully redeemed");
    assert_eq!(app.store.reader_subscriptions(reader).await.unwrap().len(), 1, "only the one redeemed");
    let other = reader_id(&app, "second@example.com").await;
    assert!(app.store.reader_subscriptions(other).await.unwrap().is_empty());
    let quarter = app.store.offer_by_code("QUARTER10").await.unwrap().unwrap();
    assert_eq!((quarter.redeemed, app.store.offer_redemptions(quarter.id).await.unwrap()), (1, 1));

    // The pages refuse the same way, with the reason, storing nothing.
    let mut browser = Browser::new(&app);
    log_in(&mut browser, "second@example.com", PASSWORD).await;
    let page = text_of(&browser.page("/subscribe?offer=OVER", 200).await);
    assert!(page.contains("The offer OVER cannot be used: this offer has expired."), "{page}");
    let chosen = browser.submit("/subscribe", "/subscribe", &[("plan_id", "1"), ("offer", "QUARTER10")]).await;
    assert_eq!(chosen.status().as_u16(), 422);
    let page = text_of(&chosen.text().await.unwrap());
    assert!(page.contains("The offer QUARTER10: this offer has been fully redeemed."), "{page}");
    assert!(app.store.reader_subscriptions(other).await.unwrap().is_empty(), "nothing stored");
    assert_eq!(clock.now(), noon());
}

/// `count` confirmed readers with API tokens, made straight in the store
/// (the sign-up route's rate limit is not what this test is about).
pub(crate) async fn readers_with_tokens(app: &TestApp, count: usize) -> Vec<String> {
    let mut tokens = Vec::with_capacity(count);
    for n in 0..count {
        let email = Email::parse(&format!("rush{n}@example.com")).unwrap();
        let id = app.store.create_reader(&email, "not-a-password-hash", noon()).await.unwrap().unwrap();
        app.store.mark_verified(id, noon()).await.unwrap();
        let token = format!("{n:064x}");
        let hash = hex::encode(Sha256::digest(token.as_bytes()));
        let session = NewSession { token_hash: &hash, reader_id: id, kind: SessionKind::Api, user_agent: "test" };
        app.store.open_session(&session, noon(), 10).await.unwrap();
        tokens.push(token);
    }
    tokens
}

async fn a_cap_of_100_grants_exactly_100_of_150_concurrent_redemptions_on_two_instances(backend: Backend) {
    let (app, _clock) = app_at(backend).await;
    let (config, _) = crate::billing::config_at();
    let second = spawn_instance(&app, config).await;
    let offer_id = offer(&app, "RUSH100", OfferKind::Fixed { off: Paise(20_000) }, &[1, 2], Some(100)).await;
    let tokens = readers_with_tokens(&app, 150).await;
    let bases = [app.url(""), format!("http://{second}")];
    let attempts: Vec<_> = tokens
        .iter()
        .enumerate()
        .map(|(n, token)| {
            let url = format!("{}/api/v1/subscriptions", bases[n % 2]);
            let body = json!({"plan_id": 2, "provider": "sandbox", "offer": "RUSH100"});
            let request = app.client.post(url).bearer_auth(token).json(&body);
            tokio::spawn(async move {
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                (status, response.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut outcomes = Vec::with_capacity(attempts.len());
    for attempt in attempts {
        outcomes.push(attempt.await.unwrap());
    }
    let granted = outcomes.iter().filter(|(status, _)| *status == 201).count();
    let exhausted = outcomes
        .iter()
        .filter(|(status, reply)| {
            *status == 422 && reply["errors"][0]["message"] == "this offer has been fully redeemed"
        })
        .count();
    assert_eq!((granted, exhausted), (100, 50), "{:?}", outcomes.iter().find(|(s, _)| *s != 201 && *s != 422));
    let stored = app.store.offer(offer_id).await.unwrap().unwrap();
    assert_eq!((stored.redeemed, app.store.offer_redemptions(offer_id).await.unwrap()), (100, 100));
    for (_, reply) in outcomes.iter().filter(|(status, _)| *status == 201) {
        assert_eq!(reply["amount_paise"], 250_000);
    }
}

async fn a_reader_redeems_an_offer_link_through_the_pages(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    offer(&app, "FLAT500", OfferKind::Fixed { off: Paise(50_000) }, &[3], None).await;
    // A story's paywall shows the offer of its link on the plans it is for, each card carrying the code.
    let story = crate::meter::premium_story_path(&app, false).await;
    let mut reader = Browser::new(&app);
    let wall = reader.page(&format!("{story}?offer=flat500"), 200).await;
    let shown = text_of(&wall);
    assert!(shown.contains("₹3,400 with FLAT500 (₹500 off the first term), then ₹3,900 for 2 Years"), "{shown}");
    assert_eq!(wall.matches(r#"name="offer" value="FLAT500""#).count(), 1, "on the one plan it is for");
    assert!(!text_of(&reader.page(&story, 200).await).contains("FLAT500"), "without the code, no offer");
    // Signed out: the offer rides through the account step to the checkout.
    let mut visitor = Browser::new(&app);
    let plans = text_of(&visitor.page("/subscribe?offer=FLAT500", 200).await);
    assert!(plans.contains("₹3,400 with FLAT500 (₹500 off the first term), then ₹3,900 for 2 Years"), "{plans}");
    let step =
        visitor.submit("/subscribe?offer=FLAT500", "/subscribe", &[("plan_id", "3"), ("offer", "FLAT500")]).await;
    assert_eq!(step.status().as_u16(), 200);
    let step = step.text().await.unwrap();
    assert!(step.contains(r#"name="offer" value="FLAT500""#) && text_of(&step).contains("₹3,400 with FLAT500"));
    let fields = [
        ("plan_id", "3"),
        ("offer", "FLAT500"),
        ("mode", "signup"),
        ("email", "pages@example.com"),
        ("password", PASSWORD),
    ];
    let to_checkout = visitor.submit("/subscribe?offer=FLAT500", "/subscribe/account", &fields).await;
    assert_eq!(to_checkout.status().as_u16(), 303);
    let checkout = to_checkout.headers()["location"].to_str().unwrap().to_owned();
    let page = text_of(&visitor.page(&checkout, 200).await);
    assert!(page.contains("Pay ₹3,400"), "{page}");
    let paid =
        visitor.submit(&checkout, &checkout, &[("outcome", "pay"), ("name", "Asha Rao"), ("state", "Kerala")]).await;
    assert_eq!(paid.status().as_u16(), 303);
    let reader = reader_id(&app, "pages@example.com").await;
    let invoice = app.store.reader_invoices(reader).await.unwrap().remove(0);
    // Kerala is another state than Delhi's: IGST on the value after the discount.
    assert_eq!((invoice.amount, invoice.igst, invoice.cgst), (Paise(340_000), Paise(51_864), Paise(0)));
    assert_eq!(invoice.taxable.0 + invoice.igst.0, 340_000);
    let account = text_of(&visitor.page("/account", 200).await);
    assert!(account.contains("the next charge is ₹3,900 for Super Saver"), "{account}");
    assert_eq!(clock.now(), noon());
}

async fn a_free_trial_saves_the_card_reminds_then_charges(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    offer(&app, "TRY14", OfferKind::Trial { days: 14, price: Paise(0) }, &[1], None).await;
    let token = token(&app, "trial@example.com").await;
    let body = json!({"plan_id": 1, "provider": "sandbox", "offer": "TRY14"});
    let (status, created) = call(&app, Method::POST, "/api/v1/subscriptions", &token, Some(body)).await;
    assert_eq!((status, created["amount_paise"].as_i64()), (201, Some(0)), "{created}");
    // Until the card is saved, the trial has not started: no access.
    assert_eq!(me(&app, &token).await["status"], "pending");
    assert_ne!(decision(&app, &token).await, "allowed");
    // The sandbox's checkout saves the card, as a provider's set-up does: a signed webhook.
    let (status, paid) = call(&app, Method::POST, created["sandbox_pay_url"].as_str().unwrap(), &token, None).await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(decision(&app, &token).await, "allowed");
    let ends = noon() + Duration::days(14);
    assert_eq!(
        (paid["status"].as_str(), paid["trial_until"].as_str()),
        (Some("active"), Some(ends.to_rfc3339().as_str()))
    );
    let id = created["subscription_id"].as_i64().unwrap();
    let record = app.store.subscription(id).await.unwrap().unwrap();
    assert_eq!(record.payment_method.as_deref(), Some("sbx_card_4242"), "the card is saved up front");
    let reader = reader_id(&app, "trial@example.com").await;
    assert!(app.store.reader_invoices(reader).await.unwrap().is_empty(), "nothing charged, nothing invoiced");
    assert_eq!(paid_conversions(&app, noon()).await, 0, "a free trial is no paid conversion");
    let mut browser = Browser::new(&app);
    log_in(&mut browser, "trial@example.com", PASSWORD).await;
    let account = text_of(&browser.page("/account", 200).await);
    assert!(account.contains("Smart Quarterly — trial"), "{account}");
    assert!(account.contains("Trial until Dec 11 2026: then ₹900 for Smart Quarterly is charged"), "{account}");

    // Three days before the end: one reminder, however often the job runs.
    clock.set(ends - Duration::days(4));
    assert_eq!(run_due(&app, &clock).await.reminders, 0);
    clock.set(ends - Duration::days(3));
    assert_eq!(run_due(&app, &clock).await.reminders, 1);
    assert_eq!(run_due(&app, &clock).await.reminders, 0);
    let mails = app.mails();
    let reminders: Vec<_> =
        mails.iter().filter(|m| m.to == "trial@example.com" && m.subject.contains("trial ends")).collect();
    assert_eq!(reminders.len(), 1, "one reminder");
    let reminder = reminders[0];
    assert_eq!(reminder.subject, "Your Business Standard trial ends on Dec 11 2026");
    assert!(reminder.raw.contains("=E2=82=B9900") || reminder.raw.contains("₹900"), "{}", reminder.raw);

    // At the end, the renewal job charges the plan's price for its term.
    clock.set(ends + Duration::minutes(1));
    let report = run_due(&app, &clock).await;
    assert_eq!((report.charged, report.renewed), (1, 1));
    let state = app.store.subscription_state(id, clock.now()).await.unwrap().unwrap();
    assert_eq!((state.paid_terms, state.trial_until, state.current_period_end), (1, None, Some(ends + Months::new(3))));
    let invoices = app.store.reader_invoices(reader).await.unwrap();
    assert_eq!((invoices.len(), invoices[0].amount, invoices[0].discount), (1, Paise(90_000), Paise(0)));
    assert_eq!(paid_conversions(&app, ends).await, 1, "its first charge is");
    assert_eq!(app.store.payment_count(id).await.unwrap(), 2, "the set-up's ₹0, then the first charge");
}

/// A trial checkout left without saving a card, and one whose card is
/// declined: neither starts a trial, and the offer goes back to its cap.
async fn a_free_trial_whose_card_is_not_saved_grants_nothing(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    let offer_id = offer(&app, "TRY14", OfferKind::Trial { days: 14, price: Paise(0) }, &[1], None).await;
    let body = json!({"plan_id": 1, "provider": "sandbox", "offer": "TRY14"});
    let token = token(&app, "leaves@example.com").await;
    let (status, abandoned) = call(&app, Method::POST, "/api/v1/subscriptions", &token, Some(body.clone())).await;
    assert_eq!(status, 201);
    let declined = self::token(&app, "declined@example.com").await;
    let (status, created) = call(&app, Method::POST, "/api/v1/subscriptions", &declined, Some(body)).await;
    assert_eq!(status, 201);
    let card = json!({"card": "4000 0000 0000 0002"});
    let (status, reply) =
        call(&app, Method::POST, created["sandbox_pay_url"].as_str().unwrap(), &declined, Some(card)).await;
    assert_eq!((status, reply["status"].as_str()), (200, Some("pending")), "{reply}");
    for (token, created) in [(&token, &abandoned), (&declined, &created)] {
        let id = created["subscription_id"].as_i64().unwrap();
        assert_eq!(me(&app, token).await["status"], "pending");
        assert_ne!(decision(&app, token).await, "allowed");
        assert_eq!(app.store.subscription(id).await.unwrap().unwrap().payment_method, None, "no card saved");
    }
    // A day on, the job gives both redemptions back; nothing was ever granted or charged.
    clock.set(noon() + Duration::hours(25));
    let report = run_due(&app, &clock).await;
    assert_eq!((report.released, report.charged), (2, 0));
    assert_eq!(app.store.offer(offer_id).await.unwrap().unwrap().redeemed, 0);
    let token = crate::billing::log_in_api(&app, "leaves@example.com").await;
    assert_ne!(decision(&app, &token).await, "allowed");
}

async fn cancelling_during_a_free_trial_charges_nothing(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    offer(&app, "TRY14", OfferKind::Trial { days: 14, price: Paise(0) }, &[1], None).await;
    let token = token(&app, "tries@example.com").await;
    let (created, _) =
        subscribe_and_pay(&app, &token, json!({"plan_id": 1, "provider": "sandbox", "offer": "TRY14"})).await;
    let id = created["subscription_id"].as_i64().unwrap();
    assert_eq!(app.store.subscription(id).await.unwrap().unwrap().payment_method.as_deref(), Some("sbx_card_4242"));
    clock.set(noon() + Duration::days(3));
    let (status, reply) = call(&app, Method::POST, &format!("/api/v1/subscriptions/{id}/cancel"), &token, None).await;
    assert_eq!((status, reply["status"].as_str()), (200, Some("expired")), "{reply}");
    assert_ne!(decision(&app, &token).await, "allowed", "the trial ended with the cancellation");
    // The saved card is not charged at the trial's end, nor reminded of.
    clock.set(noon() + Duration::days(14) + Duration::minutes(1));
    let report = run_due(&app, &clock).await;
    assert_eq!((report.charged, report.renewed), (0, 0), "{report:?}");
    assert!(app.mails().iter().all(|m| !m.subject.contains("trial ends")));
    assert_eq!(app.store.payment_count(id).await.unwrap(), 1, "only the set-up's ₹0");
    assert!(app.store.reader_invoices(reader_id(&app, "tries@example.com").await).await.unwrap().is_empty());
}

/// The funnel's paid events on the publisher's day of `at`.
async fn paid_conversions(app: &TestApp, at: chrono::DateTime<chrono::Utc>) -> i64 {
    app.store.flush_events().await.unwrap();
    let day = config_at().0.zone.date(at).to_string();
    let counts = app.store.insight_counts(Breakdown::All, &day, &day).await.unwrap();
    counts.iter().filter(|c| c.kind == SUBSCRIPTION_PAID).map(|c| c.events).sum()
}

async fn cancelling_during_a_trial_ends_it_with_nothing_charged(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    offer(&app, "TRY7", OfferKind::Trial { days: 7, price: Paise(1_000) }, &[1, 2], None).await;
    let token = token(&app, "quitter@example.com").await;
    let (created, _) =
        subscribe_and_pay(&app, &token, json!({"plan_id": 2, "provider": "sandbox", "offer": "TRY7"})).await;
    assert_eq!(created["amount_paise"], 1_000);
    let id = created["subscription_id"].as_i64().unwrap();
    let reader = reader_id(&app, "quitter@example.com").await;
    // A paid trial is invoiced for what it cost.
    let invoice = app.store.reader_invoices(reader).await.unwrap().remove(0);
    assert_eq!((invoice.amount, invoice.plan_name.as_str()), (Paise(1_000), "Smart Essential (7-day trial)"));
    assert_eq!(invoice.taxable.0 + invoice.cgst.0 + invoice.sgst.0, 1_000);

    let mut browser = Browser::new(&app);
    log_in(&mut browser, "quitter@example.com", PASSWORD).await;
    let ask = text_of(&browser.page(&format!("/account/subscription/{id}/cancel"), 200).await);
    assert!(ask.contains("Your trial ends now and nothing is charged"), "{ask}");
    clock.set(noon() + Duration::days(2));
    let (status, reply) = call(&app, Method::POST, &format!("/api/v1/subscriptions/{id}/cancel"), &token, None).await;
    assert_eq!((status, reply["status"].as_str()), (200, Some("expired")), "{reply}");
    let account = text_of(&browser.page("/account?changed=cancel", 200).await);
    assert!(account.contains("Your trial has ended and nothing is charged."), "{account}");
    // Past the trial's end, the job charges nothing.
    clock.set(noon() + Duration::days(8));
    let report = run_due(&app, &clock).await;
    assert_eq!((report.charged, report.renewed), (0, 0));
    assert_eq!(app.store.payment_count(id).await.unwrap(), 1, "only the trial's own payment");
    let (status, _) = call(&app, Method::POST, &format!("/api/v1/subscriptions/{id}/resume"), &token, None).await;
    assert_eq!(status, 409, "an ended trial cannot be resumed");
}

async fn an_abandoned_checkout_gives_its_redemption_back_when_it_expires(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    let offer_id = offer(&app, "ONLYONE", OfferKind::Fixed { off: Paise(10_000) }, &[1], Some(1)).await;
    let body = json!({"plan_id": 1, "provider": "sandbox", "offer": "ONLYONE"});
    let first = token(&app, "abandons@example.com").await;
    let (status, created) = call(&app, Method::POST, "/api/v1/subscriptions", &first, Some(body.clone())).await;
    assert_eq!((status, created["amount_paise"].as_i64()), (201, Some(80_000)));
    let second = token(&app, "waits@example.com").await;
    let (status, _) = call(&app, Method::POST, "/api/v1/subscriptions", &second, Some(body.clone())).await;
    assert_eq!(status, 422, "the pending checkout holds the only redemption");
    clock.set(noon() + Duration::hours(23));
    assert_eq!(run_due(&app, &clock).await.released, 0, "the checkout can still be paid");
    clock.set(noon() + Duration::hours(25));
    assert_eq!(run_due(&app, &clock).await.released, 1);
    assert_eq!(run_due(&app, &clock).await.released, 0, "once");
    assert_eq!(app.store.offer(offer_id).await.unwrap().unwrap().redeemed, 0);
    let second = crate::billing::log_in_api(&app, "waits@example.com").await;
    let (status, taken) = call(&app, Method::POST, "/api/v1/subscriptions", &second, Some(body)).await;
    assert_eq!((status, taken["amount_paise"].as_i64()), (201, Some(80_000)), "{taken}");
    // The abandoned subscription, paid late, pays the plan's price: the offer is no longer its.
    let id = created["subscription_id"].as_i64().unwrap();
    let first = crate::billing::log_in_api(&app, "abandons@example.com").await;
    let (status, _) = call(&app, Method::POST, created["sandbox_pay_url"].as_str().unwrap(), &first, None).await;
    assert_eq!(status, 200);
    let invoice = app.store.reader_invoices(reader_id(&app, "abandons@example.com").await).await.unwrap().remove(0);
    assert_eq!((invoice.amount, invoice.offer_code), (Paise(90_000), None));
    assert_eq!(app.store.subscription_state(id, clock.now()).await.unwrap().unwrap().offer_id, None);
    let stored = app.store.offer(offer_id).await.unwrap().unwrap();
    assert_eq!((stored.redeemed, app.store.offer_redemptions(offer_id).await.unwrap()), (1, 1));
}
