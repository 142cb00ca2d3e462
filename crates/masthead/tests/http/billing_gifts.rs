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
use crate::support::{Backend, Browser, PASSWORD, TestApp, log_in, on_every_backend, register, text_of};

on_every_backend!(
    a_gift_is_mailed_on_its_day_and_extends_a_subscribers_term_once,
    a_gift_redeems_once_at_once_and_its_refund_takes_it_back,
    gifts_are_bought_and_redeemed_through_the_pages,
    admins_find_every_gift_with_its_state_invoice_and_refund,
    the_account_page_shows_the_readers_own_gifts_and_the_invoice_says_gift,
);

/// Buys a gift of `plan` for `to` as `buyer` and pays in the sandbox: the gift's id and code.
async fn paid_gift(app: &TestApp, buyer: &str, plan: i64, to: &str, deliver_on: &str) -> (i64, String) {
    paid_gift_with(app, buyer, json!({"plan_id": plan, "recipient_email": to, "deliver_on": deliver_on})).await
}

/// Buys the gift `body` asks for (with a message) and pays in the sandbox: its id and code.
async fn paid_gift_with(app: &TestApp, buyer: &str, mut body: Value) -> (i64, String) {
    body["message"] = json!("Happy Diwali!");
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

/// The admins' list's row (as text) of the gift with `code`.
fn row_of(html: &str, code: &str) -> String {
    let row = html.split("<tr>").find(|row| row.contains(code)).unwrap_or_else(|| panic!("no row of {code}: {html}"));
    text_of(row.split("</tr>").next().unwrap())
}

/// The `href` of the first link in `html` that starts with `prefix`.
fn link_to(html: &str, prefix: &str) -> String {
    let start = html.find(&format!("href=\"{prefix}")).unwrap_or_else(|| panic!("no link to {prefix}: {html}")) + 6;
    html[start..].split('"').next().unwrap().replace("&#x2f;", "/").replace("&amp;", "&")
}

async fn admins_find_every_gift_with_its_state_invoice_and_refund(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    // Admins only: signed out to the log-in, a reader refused.
    assert_eq!(app.get("/newsroom/gifts").await.status().as_u16(), 303, "signed out: to the log-in");
    assert_eq!(app.get("/newsroom/invoices/MH_2026-27_000001").await.status().as_u16(), 303);
    register(&app, "nosy@example.com").await;
    let mut nosy = Browser::new(&app);
    log_in(&mut nosy, "nosy@example.com", PASSWORD).await;
    assert_eq!(nosy.get("/newsroom/gifts").await.status().as_u16(), 403);
    let mut admin = admin(&app).await;
    assert!(text_of(&admin.page("/newsroom/gifts", 200).await).contains("No gifts yet."));

    let buyer = token(&app, "buyer@example.com").await;
    let (first, first_code) = paid_gift(&app, &buyer, 1, "friend@example.com", "2026-11-30").await;
    let (_, second_code) = paid_gift(&app, &buyer, 2, "cousin@example.com", "2026-11-27").await;
    let unpaid = json!({"plan_id": 1, "recipient_email": "later@example.com", "deliver_on": "2026-12-25"});
    assert_eq!(call(&app, Method::POST, "/api/v1/gifts", &buyer, Some(unpaid)).await.0, 201);
    let unpaid_code = app.store.gift(first + 2).await.unwrap().unwrap().code;
    assert_eq!(run_due(&app, &clock).await.gifts_delivered, 1, "the cousin's, due today");

    // Newest first, each with plan, buyer, recipient, day, state and invoice.
    let list = admin.page("/newsroom/gifts", 200).await;
    let at = |code: &str| list.find(code).unwrap();
    assert!(at(&unpaid_code) < at(&second_code) && at(&second_code) < at(&first_code), "newest first: {list}");
    let row = row_of(&list, &first_code);
    assert!(
        row.contains("Smart Quarterly buyer@example.com friend@example.com Nov 30 2026 waiting for delivery"),
        "{row}"
    );
    assert!(row.contains("MH/2026-27/000001 Refund its payment"), "{row}");
    let row = row_of(&list, &second_code);
    assert!(row.contains("Smart Essential buyer@example.com cousin@example.com Nov 27 2026 mailed on Nov 27 2026"));
    assert!(row_of(&list, &unpaid_code).contains("awaiting payment none yet"), "no invoice, nothing to refund");
    let cousin = token(&app, "cousin@example.com").await;
    assert_eq!(redeem(&app, &cousin, &second_code).await.0, 200);
    let list = admin.page("/newsroom/gifts", 200).await;
    assert!(row_of(&list, &second_code).contains("redeemed by cousin@example.com on Nov 27 2026"), "{list}");

    // Found by code (as typed), by the recipient's or the buyer's address (any case).
    let found = text_of(&admin.page(&format!("/newsroom/gifts?q={}", first_code.to_lowercase()), 200).await);
    assert!(found.contains(&first_code) && !found.contains(&second_code), "{found}");
    let found = text_of(&admin.page("/newsroom/gifts?q=Cousin@Example.com", 200).await);
    assert!(found.contains(&second_code) && !found.contains(&first_code), "{found}");
    let found = text_of(&admin.page("/newsroom/gifts?q=buyer@example.com", 200).await);
    assert!([&first_code, &second_code, &unpaid_code].iter().all(|code| found.contains(code.as_str())), "{found}");
    let found = text_of(&admin.page("/newsroom/gifts?q=nobody@example.com", 200).await);
    assert!(found.contains("No gift matches nobody@example.com"), "{found}");

    // Its invoice, for admins (the reader's own page is the buyer's alone).
    let found = admin.page(&format!("/newsroom/gifts?q={first_code}"), 200).await;
    let invoice = link_to(&found, "/newsroom/invoices/");
    assert_eq!(invoice, "/newsroom/invoices/MH_2026-27_000001");
    let page = text_of(&admin.page(&invoice, 200).await);
    assert!(page.contains("Gift: Smart Quarterly, 3 Months for friend@example.com"), "{page}");
    assert_eq!(nosy.get(&invoice).await.status().as_u16(), 403);
    assert_eq!(nosy.get("/account/invoices/MH_2026-27_000001").await.status().as_u16(), 404);
    let pdf = admin.get(&format!("{invoice}/pdf")).await;
    assert_eq!((pdf.status().as_u16(), pdf.headers()["content-type"].to_str().unwrap()), (200, "application/pdf"));

    // Refunded through the refunds page its link opens: then it says so, with nothing more to refund.
    let refunds = link_to(&found, "/newsroom/refunds?q=");
    let page = admin.page(&refunds, 200).await;
    let payment = app.store.find_payments("MH/2026-27/000001").await.unwrap().remove(0).payment_id;
    assert!(page.contains(&payment), "the gift's payment: {page}");
    let form = [
        ("provider", "sandbox"),
        ("payment_id", payment.as_str()),
        ("amount", "900"),
        ("access", "keep"),
        ("end_on", ""),
        ("reason", "Not wanted"),
    ];
    assert_eq!(admin.submit(&refunds, "/newsroom/refunds", &form).await.status().as_u16(), 303);
    let list = admin.page("/newsroom/gifts", 200).await;
    let row = row_of(&list, &first_code);
    assert!(row.ends_with("refunded MH/2026-27/000001"), "no refund link any more: {row}");

    // Paged, 30 a page: the oldest on page 2, linked both ways.
    for n in 0..30 {
        let body = json!({"plan_id": 1, "recipient_email": format!("r{n}@example.com"), "deliver_on": "2026-12-01"});
        assert_eq!(call(&app, Method::POST, "/api/v1/gifts", &buyer, Some(body)).await.0, 201);
    }
    let one = admin.page("/newsroom/gifts", 200).await;
    assert!(!one.contains(&first_code) && one.contains("r29@example.com"), "{one}");
    let older = link_to(&one, "/newsroom/gifts?page=2");
    let two = admin.page(&older, 200).await;
    assert!(two.contains(&first_code) && two.contains(&second_code) && !two.contains("r29@example.com"), "{two}");
    assert!(two.contains("href=\"/newsroom/gifts?page=1\"") && !two.contains("page=3"), "{two}");
    let searched = admin.page("/newsroom/gifts?q=buyer@example.com", 200).await;
    assert!(link_to(&searched, "/newsroom/gifts?page=2").contains("q=buyer%40example.com"), "the search is kept");
}

async fn the_account_page_shows_the_readers_own_gifts_and_the_invoice_says_gift(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    let buyer = token(&app, "buyer@example.com").await;
    let stranger = token(&app, "stranger@example.com").await;
    let (_, named) = paid_gift(&app, &buyer, 1, "friend@example.com", "2026-11-30").await;
    let body = json!({"plan_id": 2, "recipient_email": "friend@example.com", "deliver_on": "2026-11-27",
                      "anonymous": true});
    let (_, unnamed) = paid_gift_with(&app, &buyer, body).await;
    paid_gift(&app, &stranger, 2, "someone-else@example.com", "2026-12-01").await;

    // The anonymous gift's mail does not name its buyer.
    assert_eq!(run_due(&app, &clock).await.gifts_delivered, 1);
    let mail = app.nth_mail("friend@example.com", 1).await;
    assert!(mail.raw.contains("Someone has given you a gift subscription: Smart Essential"), "{}", mail.raw);
    assert!(!mail.raw.contains("buyer@example.com"), "{}", mail.raw);

    // Redeemed in turn: three months from now, then a year after that.
    let friend = token(&app, "friend@example.com").await;
    assert_eq!(redeem(&app, &friend, &named).await.0, 200);
    assert_eq!(redeem(&app, &friend, &unnamed).await.0, 200);

    // The buyer's page: the gifts they gave, each with its invoice; not the stranger's.
    let mut browser = Browser::new(&app);
    log_in(&mut browser, "buyer@example.com", PASSWORD).await;
    let html = browser.page("/account", 200).await;
    let page = text_of(&html);
    assert!(page.contains("Gifts you gave") && !page.contains("Gifts you received"), "{page}");
    assert!(
        page.contains(
            "Smart Quarterly for friend@example.com, to be delivered on Nov 30 2026: redeemed on Nov 27 2026 — \
             invoice MH/2026-27/000001"
        ),
        "{page}"
    );
    assert!(page.contains("Smart Essential for friend@example.com, to be delivered on Nov 27 2026: redeemed"));
    assert!(!page.contains("someone-else@example.com") && !page.contains("stranger@example.com"), "{page}");
    // Its invoice says it is a gift, for whom and how long.
    let invoice = link_to(&html, "/account/invoices/");
    let invoice = text_of(&browser.page(&invoice, 200).await);
    assert!(invoice.contains("Gift: Smart Essential, 1 Year for friend@example.com"), "{invoice}");
    assert!(!invoice.contains("digital subscription"), "{invoice}");

    // The recipient's page: the gifts they redeemed, from whom only if the buyer allowed, and how far each took them.
    let mut browser = Browser::new(&app);
    log_in(&mut browser, "friend@example.com", PASSWORD).await;
    let page = text_of(&browser.page("/account", 200).await);
    assert!(page.contains("Gifts you received") && !page.contains("Gifts you gave"), "{page}");
    assert!(
        page.contains(
            "Smart Quarterly from buyer@example.com, redeemed on Nov 27 2026: it extended your subscription to Feb 27 2027"
        ),
        "{page}"
    );
    assert!(
        page.contains("Smart Essential, a gift, redeemed on Nov 27 2026: it extended your subscription to Feb 27 2028"),
        "{page}"
    );
    assert!(!page.contains("Smart Essential from"), "the buyer left their name out: {page}");

    // The stranger sees their own gift alone; a subscriber's invoice is not a gift's.
    let mut browser = Browser::new(&app);
    log_in(&mut browser, "stranger@example.com", PASSWORD).await;
    let page = text_of(&browser.page("/account", 200).await);
    assert!(page.contains("Smart Essential for someone-else@example.com"), "{page}");
    assert!(!page.contains("friend@example.com") && !page.contains("Gifts you received"), "{page}");
    let body = json!({"plan_id": 2, "provider": "sandbox"});
    let (_, created) = call(&app, Method::POST, "/api/v1/subscriptions", &stranger, Some(body)).await;
    call(&app, Method::POST, created["sandbox_pay_url"].as_str().unwrap(), &stranger, None).await;
    let stranger_id = reader_id(&app, "stranger@example.com").await;
    let invoices = app.store.reader_invoices(stranger_id).await.unwrap();
    let own = invoices.iter().find(|invoice| invoice.gift.is_none()).expect("the subscription's invoice");
    let page = text_of(&browser.page(&format!("/account/invoices/{}", own.number.replace('/', "_")), 200).await);
    assert!(page.contains("Smart Essential digital subscription, Nov 27 2026 to") && !page.contains("Gift:"));
}
