//! Group (corporate) subscriptions: a company buys N seats with its GSTIN
//! and gets one B2B tax invoice (the GSTIN and name on it, IGST or CGST +
//! SGST from the GSTIN's state); its manager invites readers by mail and
//! lets readers at the company's domain join; seat N+1 is refused, exactly,
//! when many join at once on two instances; a removed seat is given to
//! another; seats end with the group's term. Bad inputs, strangers, reused
//! and expired links (an invitation lasts 14 days, a confirmation 24 hours)
//! are refused with reasons, and nothing is stored; confirmation mails are
//! limited per account and per address (429).

use chrono::{Duration, Months};
use masthead_domain::Paise;
use reqwest::Method;
use serde_json::{Value, json};

use crate::billing::{app_at, call, config_at, noon, premium_id, token};
use crate::billing_offers::{reader_id, readers_with_tokens};
use crate::support::{
    Backend, Browser, PASSWORD, TestApp, log_in, on_every_backend, register, spawn_instance, text_of,
};

on_every_backend!(
    a_company_buys_seats_invites_readers_and_is_invoiced_to_its_gstin,
    bad_groups_are_refused_with_reasons_and_nothing_stored,
    seat_n_plus_1_is_refused_exactly_when_many_join_at_once_on_two_instances,
    links_expire_work_once_and_confirmation_mails_are_limited,
);

/// Buys a paid group of `seats` seats of Smart Essential (₹2,700) as `token`: the group's id and reply.
async fn paid_group(app: &TestApp, token: &str, seats: u32, gstin: &str, domain: &str) -> (i64, Value) {
    let body = json!({"plan_id": 2, "seats": seats, "company": "Acme Traders Pvt Ltd", "gstin": gstin,
        "domain": domain, "provider": "sandbox"});
    let (status, created) = call(app, Method::POST, "/api/v1/groups", token, Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let (status, paid) = call(app, Method::POST, created["sandbox_pay_url"].as_str().unwrap(), token, None).await;
    assert_eq!((status, paid["status"].as_str()), (200, Some("active")), "{paid}");
    (created["group_id"].as_i64().unwrap(), created)
}

async fn access(app: &TestApp, token: &str) -> String {
    let story = format!("/api/v1/articles/{}", premium_id(app).await);
    call(app, Method::GET, &story, token, None).await.1["access"]["decision"].as_str().unwrap().to_owned()
}

async fn a_company_buys_seats_invites_readers_and_is_invoiced_to_its_gstin(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    let manager = token(&app, "boss@acme.example").await;
    let (id, created) = paid_group(&app, &manager, 2, "27aapfu0939f1zv", "acme.example").await;
    assert_eq!(created["amount_paise"], 540_000, "₹2,700 once per seat");

    // One B2B tax invoice to the company: its name and GSTIN, Maharashtra (27) is not Delhi: IGST.
    let boss = reader_id(&app, "boss@acme.example").await;
    let invoices = app.store.reader_invoices(boss).await.unwrap();
    assert_eq!(invoices.len(), 1);
    let invoice = &invoices[0];
    assert_eq!(
        (invoice.buyer_name.as_str(), invoice.buyer_gstin.as_deref()),
        ("Acme Traders Pvt Ltd", Some("27AAPFU0939F1ZV"))
    );
    assert_eq!((invoice.buyer_state.as_str(), invoice.plan_name.as_str()), ("Maharashtra", "Smart Essential, 2 seats"));
    assert_eq!((invoice.amount, invoice.cgst, invoice.igst), (Paise(540_000), Paise(0), Paise(82_373)));
    assert_eq!(invoice.taxable.0 + invoice.igst.0, 540_000);
    let mut boss_browser = Browser::new(&app);
    log_in(&mut boss_browser, "boss@acme.example", PASSWORD).await;
    let page =
        text_of(&boss_browser.page(&format!("/account/invoices/{}", invoice.number.replace('/', "_")), 200).await);
    assert!(
        page.contains("Billed to Acme Traders Pvt Ltd") && page.contains("Buyer's GSTIN 27AAPFU0939F1ZV"),
        "{page}"
    );
    // The company's seats are not the manager's own subscription.
    let me = call(&app, Method::GET, "/api/v1/me", &manager, None).await.1;
    assert!(me["subscription"].is_null(), "{me}");
    assert_eq!(access(&app, &manager).await, "blocked");

    // Invited by mail: the link takes a seat once; the reader reads premium stories.
    let (status, invited) = call(
        &app,
        Method::POST,
        &format!("/api/v1/groups/{id}/invites"),
        &manager,
        Some(json!({"email": "asha@elsewhere.example"})),
    )
    .await;
    assert_eq!((status, invited["email"].as_str()), (201, Some("asha@elsewhere.example")));
    let mail = app.nth_mail("asha@elsewhere.example", 1).await;
    assert_eq!(mail.subject, "A seat of Acme Traders Pvt Ltd's Business Standard subscription");
    let link = mail.link("/groups/accept/");
    let asha = token(&app, "asha@elsewhere.example").await;
    assert_eq!(access(&app, &asha).await, "blocked");
    let mut browser = Browser::new(&app);
    log_in(&mut browser, "asha@elsewhere.example", PASSWORD).await;
    assert!(text_of(&browser.page(&link, 200).await).contains("Take a seat of Acme Traders Pvt Ltd's subscription"));
    assert_eq!(browser.post_form(&link, &[]).await.status().as_u16(), 403, "no CSRF token");
    let taken = browser.submit(&link, &link, &[]).await;
    assert_eq!(taken.headers()["location"], "/account/groups");
    assert_eq!(access(&app, &asha).await, "allowed");
    assert!(
        text_of(&browser.page("/account/groups", 200).await)
            .contains("A seat of Acme Traders Pvt Ltd's subscription (active)")
    );
    let token_part = link.rsplit('/').next().unwrap();
    let (status, reused) =
        call(&app, Method::POST, "/api/v1/groups/join", &asha, Some(json!({"invite": token_part}))).await;
    assert_eq!((status, reused["errors"][0]["field"].as_str()), (422, Some("invite")), "a link works once: {reused}");
    assert_eq!(reused["errors"][0]["message"], "this link was used already: each link takes a seat once");

    // Strangers see and change nothing.
    let stranger = token(&app, "stranger@acme.example").await;
    assert_eq!(call(&app, Method::GET, &format!("/api/v1/groups/{id}"), &stranger, None).await.0, 404);
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("/api/v1/groups/{id}/invites"),
        &stranger,
        Some(json!({"email": "x@y.example"})),
    )
    .await;
    assert_eq!(status, 404);
    let group = call(&app, Method::GET, &format!("/api/v1/groups/{id}"), &manager, None).await.1;
    let asha_seat = group["holders"][0]["id"].as_i64().unwrap();
    assert_eq!(
        call(&app, Method::DELETE, &format!("/api/v1/groups/{id}/seats/{asha_seat}"), &stranger, None).await.0,
        404
    );

    // At the domain: the join code seats a confirmed address there; the second seat is the last.
    let code = group["join_url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
    let ravi = token(&app, "ravi@acme.example").await;
    let (status, joined) = call(&app, Method::POST, "/api/v1/groups/join", &ravi, Some(json!({"code": code}))).await;
    assert_eq!(status, 201, "{joined}");
    let (status, full) = call(&app, Method::POST, "/api/v1/groups/join", &stranger, Some(json!({"code": code}))).await;
    assert_eq!(
        (status, full["detail"].as_str()),
        (409, Some("every seat of this group is taken: ask its manager to free one"))
    );
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("/api/v1/groups/{id}/invites"),
        &manager,
        Some(json!({"email": "more@acme.example"})),
    )
    .await;
    assert_eq!(status, 409, "no seat to invite into");
    let outsider = token(&app, "outsider@other.example").await;
    let (status, refused) =
        call(&app, Method::POST, "/api/v1/groups/join", &outsider, Some(json!({"code": code}))).await;
    assert_eq!((status, refused["errors"][0]["field"].as_str()), (422, Some("code")), "not at the domain: {refused}");

    // The manager frees Asha's seat and gives it to another; Asha reads no more.
    assert_eq!(
        call(&app, Method::DELETE, &format!("/api/v1/groups/{id}/seats/{asha_seat}"), &manager, None).await.0,
        204
    );
    assert_eq!(access(&app, &asha).await, "blocked");
    assert_eq!(
        call(&app, Method::DELETE, &format!("/api/v1/groups/{id}/seats/{asha_seat}"), &manager, None).await.0,
        404,
        "freed once"
    );
    // Through the join page: an address at the domain other than the account's gets a link.
    let mut outsider_browser = Browser::new(&app);
    log_in(&mut outsider_browser, "outsider@other.example", PASSWORD).await;
    let join = format!("/groups/join/{code}");
    let refused = outsider_browser.submit(&join, &join, &[("email", "outsider@other.example")]).await;
    assert_eq!(refused.status().as_u16(), 422, "not at the domain");
    let asked = outsider_browser.submit(&join, &join, &[("email", "out@acme.example")]).await;
    assert!(text_of(&asked.text().await.unwrap()).contains("We mailed out@acme.example a link"));
    let confirm = app.nth_mail("out@acme.example", 1).await.link("/groups/accept/");
    let confirmed = outsider_browser.submit(&confirm, &confirm, &[]).await;
    assert_eq!(confirmed.headers()["location"], "/account/groups");
    assert_eq!(access(&app, &outsider).await, "allowed");
    let page = text_of(&boss_browser.page(&format!("/account/groups/{id}"), 200).await);
    assert!(
        page.contains("2 of 2 seats taken") && page.contains("out@acme.example") && !page.contains("asha@"),
        "{page}"
    );

    // Admins list the groups.
    let admin = crate::billing_offers::admin(&app).await;
    let mut admin = admin;
    let listed = text_of(&admin.page("/newsroom/groups", 200).await);
    assert!(
        listed.contains("Acme Traders Pvt Ltd 27AAPFU0939F1ZV Maharashtra boss@acme.example 2 of 2 active"),
        "{listed}"
    );
    assert_eq!(boss_browser.get("/newsroom/groups").await.status().as_u16(), 403);

    // Seats end with the term: the manager cancels, and at the term's end the seats read no more.
    let subscription = created["subscription_id"].as_i64().unwrap();
    assert_eq!(
        call(&app, Method::POST, &format!("/api/v1/subscriptions/{subscription}/cancel"), &manager, None).await.0,
        200
    );
    clock.set(noon() + Months::new(12) + Duration::minutes(1));
    let ravi = crate::billing::log_in_api(&app, "ravi@acme.example").await;
    assert_eq!(access(&app, &ravi).await, "blocked");
}

async fn bad_groups_are_refused_with_reasons_and_nothing_stored(backend: Backend) {
    let (app, _clock) = app_at(backend).await;
    let manager = token(&app, "boss@delhi.example").await;
    let good =
        json!({"plan_id": 1, "seats": 3, "company": "Delhi Press", "gstin": "07AAACM0000A1ZO", "provider": "sandbox"});
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    for (body, field, message) in [
        (
            with("gstin", json!("07AAACM0000A1Z5")),
            "gstin",
            "the GSTIN's check character does not match: is it typed right?",
        ),
        (
            with("gstin", json!("07AAACM0000A1")),
            "gstin",
            "a GSTIN is 15 characters: state code, PAN, entity number, Z and a check character (27AAPFU0939F1ZV)",
        ),
        (with("gstin", json!("99AAPFU0939F1ZV")), "gstin", "the GSTIN's first two digits are no state's code"),
        (with("seats", json!(0)), "seats", "a group has 1 to 1000 seats"),
        (with("seats", json!(1001)), "seats", "a group has 1 to 1000 seats"),
        (with("company", json!("  ")), "company", "give the company's name, 1 to 120 characters"),
        (
            with("domain", json!("not a domain")),
            "domain",
            "the domain is the part of the company's addresses after @ (example.com), or empty",
        ),
        (with("plan_id", json!(99)), "plan_id", "no plan 99 on sale"),
    ] {
        let (status, refused) = call(&app, Method::POST, "/api/v1/groups", &manager, Some(body)).await;
        assert_eq!(status, 422, "{refused}");
        assert_eq!(
            (refused["errors"][0]["field"].as_str(), refused["errors"][0]["message"].as_str()),
            (Some(field), Some(message))
        );
    }
    let (status, _) = call(&app, Method::POST, "/api/v1/groups", &manager, Some(with("seats", json!("three")))).await;
    assert_eq!(status, 422, "not a number");
    let signed_out = app.client.post(app.url("/api/v1/groups")).json(&good).send().await.unwrap();
    assert_eq!(signed_out.status().as_u16(), 401);
    assert!(app.store.all_groups().await.unwrap().is_empty(), "nothing stored");
    let boss = reader_id(&app, "boss@delhi.example").await;
    assert!(app.store.managed_groups(boss).await.unwrap().is_empty());

    // The page refuses the same way; a Delhi GSTIN (07) is invoiced CGST + SGST.
    let mut browser = Browser::new(&app);
    log_in(&mut browser, "boss@delhi.example", PASSWORD).await;
    let form =
        [("plan_id", "1"), ("seats", "3"), ("company", "Delhi Press"), ("gstin", "07AAACM0000A1Z5"), ("domain", "")];
    let refused = browser.submit("/account/groups", "/account/groups", &form).await;
    assert_eq!(refused.status().as_u16(), 422);
    assert!(text_of(&refused.text().await.unwrap()).contains("check character does not match"));
    assert!(app.store.all_groups().await.unwrap().is_empty(), "nothing stored");
    let mut form = form;
    form[3].1 = "07AAACM0000A1ZO";
    let bought = browser.submit("/account/groups", "/account/groups", &form).await;
    let location = bought.headers()["location"].to_str().unwrap().to_owned();
    let checkout = location.trim_start_matches(&app.url("")).to_owned();
    assert!(checkout.starts_with("/checkout/sandbox/"), "{location}");
    assert!(text_of(&browser.page(&checkout, 200).await).contains("Pay ₹2,700"), "₹900 × 3");
    let paid =
        browser.submit(&checkout, &checkout, &[("outcome", "pay"), ("name", "ignored"), ("state", "Kerala")]).await;
    assert_eq!(paid.status().as_u16(), 303);
    let invoice = app.store.reader_invoices(boss).await.unwrap().remove(0);
    assert_eq!((invoice.buyer_state.as_str(), invoice.buyer_gstin.as_deref()), ("Delhi", Some("07AAACM0000A1ZO")));
    assert_eq!((invoice.igst, invoice.cgst.0 + invoice.sgst.0 + invoice.taxable.0), (Paise(0), 270_000));
}

async fn seat_n_plus_1_is_refused_exactly_when_many_join_at_once_on_two_instances(backend: Backend) {
    let (app, _clock) = app_at(backend).await;
    let (config, _) = config_at();
    let second = spawn_instance(&app, config).await;
    let manager = token(&app, "boss@example.com").await;
    let (id, _) = paid_group(&app, &manager, 5, "27AAPFU0939F1ZV", "example.com").await;
    let group = call(&app, Method::GET, &format!("/api/v1/groups/{id}"), &manager, None).await.1;
    let code = group["join_url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
    let tokens = readers_with_tokens(&app, 16).await;
    let bases = [app.url(""), format!("http://{second}")];
    let attempts: Vec<_> = tokens
        .iter()
        .enumerate()
        .map(|(n, token)| {
            let request = app
                .client
                .post(format!("{}/api/v1/groups/join", bases[n % 2]))
                .bearer_auth(token)
                .json(&json!({"code": code}));
            tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }
    let seated = statuses.iter().filter(|s| **s == 201).count();
    let full = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!((seated, full), (5, 11), "{statuses:?}");
    let stored = app.store.group(id).await.unwrap().unwrap();
    assert_eq!((stored.seats_taken, app.store.group_seats(id).await.unwrap().len()), (5, 5));
}

/// Submits the join page of `code` for `email` as `browser`.
async fn ask_to_confirm(browser: &mut Browser<'_>, code: &str, email: &str) -> reqwest::Response {
    let join = format!("/groups/join/{code}");
    browser.submit(&join, &join, &[("email", email)]).await
}

async fn links_expire_work_once_and_confirmation_mails_are_limited(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    let manager = token(&app, "boss@acme.example").await;
    let (id, _) = paid_group(&app, &manager, 3, "27AAPFU0939F1ZV", "acme.example").await;
    let invite = |email: &'static str| {
        let (app, manager) = (&app, manager.clone());
        async move {
            let path = format!("/api/v1/groups/{id}/invites");
            call(app, Method::POST, &path, &manager, Some(json!({"email": email}))).await.0
        }
    };

    // An invitation lasts 14 days: its mail, the manager's page and the API say until when.
    assert_eq!(invite("asha@elsewhere.example").await, 201);
    let mail = app.nth_mail("asha@elsewhere.example", 1).await;
    assert!(mail.raw.contains("the link works once, until Dec 11 2026"), "{}", mail.raw);
    let first = mail.link("/groups/accept/");
    let group = call(&app, Method::GET, &format!("/api/v1/groups/{id}"), &manager, None).await.1;
    assert_eq!(group["invites"][0]["expires_at"], (noon() + Duration::days(14)).to_rfc3339(), "{group}");
    let mut boss = Browser::new(&app);
    log_in(&mut boss, "boss@acme.example", PASSWORD).await;
    let page = text_of(&boss.page(&format!("/account/groups/{id}"), 200).await);
    assert!(page.contains("asha@elsewhere.example — the link works until Dec 11 2026"), "{page}");

    // At its end it takes no seat: its page says it expired (410); the form and the API refuse, saying why.
    clock.set(noon() + Duration::days(14));
    let asha = token(&app, "asha@elsewhere.example").await;
    let mut browser = Browser::new(&app);
    log_in(&mut browser, "asha@elsewhere.example", PASSWORD).await;
    let expired = browser.get(&first).await;
    assert_eq!(expired.status().as_u16(), 410);
    let expired = text_of(&expired.text().await.unwrap());
    assert!(expired.contains("This link has expired") && expired.contains("an invitation lasts 14 days"), "{expired}");
    let refused = browser.submit("/account/groups", &first, &[]).await;
    assert_eq!(refused.status().as_u16(), 422);
    assert!(text_of(&refused.text().await.unwrap()).contains("this link has expired"));
    let token_of = |link: &str| link.rsplit('/').next().unwrap().to_owned();
    let (status, refused) =
        call(&app, Method::POST, "/api/v1/groups/join", &asha, Some(json!({"invite": token_of(&first)}))).await;
    assert_eq!((status, refused["errors"][0]["field"].as_str()), (422, Some("invite")), "{refused}");
    assert!(refused["errors"][0]["message"].as_str().unwrap().starts_with("this link has expired"), "{refused}");
    assert_eq!(access(&app, &asha).await, "blocked");
    assert_eq!(app.store.group(id).await.unwrap().unwrap().seats_taken, 0, "nothing stored");
    let page = text_of(&boss.page(&format!("/account/groups/{id}"), 200).await);
    assert!(!page.contains("Invitations waiting"), "an expired invitation waits no more: {page}");

    // Invited again: the new link takes the seat once; after that its page says it was used.
    assert_eq!(invite("asha@elsewhere.example").await, 201);
    let second = app.nth_mail("asha@elsewhere.example", 3).await.link("/groups/accept/"); // after her sign-up's
    assert_eq!(browser.submit(&second, &second, &[]).await.headers()["location"], "/account/groups");
    assert_eq!(access(&app, &asha).await, "allowed");
    let used = browser.get(&second).await;
    assert_eq!(used.status().as_u16(), 410);
    assert!(text_of(&used.text().await.unwrap()).contains("This link was used"));

    // A confirmation of an address at the domain lasts 24 hours, for the account that asked only.
    let code = group["join_url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
    register(&app, "ravi@home.example").await;
    let mut ravi = Browser::new(&app);
    log_in(&mut ravi, "ravi@home.example", PASSWORD).await;
    let asked = ask_to_confirm(&mut ravi, &code, "ravi@acme.example").await;
    assert_eq!(asked.status().as_u16(), 200);
    let mail = app.nth_mail("ravi@acme.example", 1).await;
    assert!(mail.raw.contains("the link works once, for 24 hours"), "{}", mail.raw);
    let confirm = mail.link("/groups/accept/");
    assert_eq!(browser.get(&confirm).await.status().as_u16(), 403, "another account's confirmation");
    clock.set(noon() + Duration::days(15));
    let mut ravi = Browser::new(&app);
    log_in(&mut ravi, "ravi@home.example", PASSWORD).await;
    assert_eq!(ravi.get(&confirm).await.status().as_u16(), 410, "a day later");
    let refused = ravi.submit("/account/groups", &confirm, &[]).await;
    assert_eq!(refused.status().as_u16(), 422);
    assert!(text_of(&refused.text().await.unwrap()).contains("address confirmation 24 hours"));
    assert_eq!(app.store.group(id).await.unwrap().unwrap().seats_taken, 1, "nothing stored");

    // At most three confirmation mails an hour per account, and per address: then 429, saying why.
    for _ in 0..3 {
        assert_eq!(ask_to_confirm(&mut ravi, &code, "ravi@acme.example").await.status().as_u16(), 200);
    }
    let limited = ask_to_confirm(&mut ravi, &code, "r@acme.example").await;
    assert_eq!((limited.status().as_u16(), limited.headers()["retry-after"].to_str().unwrap()), (429, "3600"));
    let limited = text_of(&limited.text().await.unwrap());
    assert!(limited.contains("at most 3 confirmation mails an hour, per account and per address"), "{limited}");
    register(&app, "mina@home.example").await;
    let mut mina = Browser::new(&app);
    log_in(&mut mina, "mina@home.example", PASSWORD).await;
    assert_eq!(ask_to_confirm(&mut mina, &code, "ravi@acme.example").await.status().as_u16(), 429, "that address");
    assert_eq!(ask_to_confirm(&mut mina, &code, "mina@acme.example").await.status().as_u16(), 200, "another");
    assert_eq!(app.wait_for_mails("ravi@acme.example", 4).await.len(), 4, "none past the limit");
    assert!(app.mails().iter().all(|m| m.to != "r@acme.example"));
    // The next hour, Ravi may ask again.
    clock.set(noon() + Duration::days(15) + Duration::minutes(61));
    let mut ravi = Browser::new(&app);
    log_in(&mut ravi, "ravi@home.example", PASSWORD).await;
    assert_eq!(ask_to_confirm(&mut ravi, &code, "ravi@acme.example").await.status().as_u16(), 200);
    let fresh = app.nth_mail("ravi@acme.example", 5).await.link("/groups/accept/");
    assert_eq!(ravi.submit(&fresh, &fresh, &[]).await.headers()["location"], "/account/groups");
    assert_eq!(app.store.group(id).await.unwrap().unwrap().seats_taken, 2);
}
