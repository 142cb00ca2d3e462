//! Admins' billing pages and what they drive: the partner-code pool and the
//! codes subscribers get at month 0 and month 12, house ads for readers
//! without the ad-free benefit, and the plan catalogue.

use std::sync::Arc;

use chrono::{Duration, Months};
use masthead_domain::{ManualClock, Role};
use reqwest::Method;
use serde_json::{Value, json};

use crate::billing::{call, config_at, noon, run_due, token};
use crate::support::{
    Backend, Browser, PASSWORD, TestApp, log_in, on_every_backend, register, site_config, spawn_app_with,
    spawn_instance, text_of,
};

on_every_backend!(
    partner_codes_come_at_purchase_and_after_twelve_months,
    a_malformed_code_upload_imports_nothing,
    house_ads_show_only_to_readers_without_ad_free,
    admins_edit_plans_and_retired_plans_keep_renewing,
);

/// The site with a partner-code warning threshold of 2.
async fn app(backend: Backend) -> (TestApp, Arc<ManualClock>) {
    let (mut config, clock) = config_at();
    config.payments.partner_low_threshold = 2;
    (spawn_app_with(backend, config).await, clock)
}

/// A browser signed in as a new admin.
async fn admin(app: &TestApp) -> Browser<'_> {
    register(app, "admin@example.com").await;
    let email = masthead_domain::email::Email::parse("admin@example.com").unwrap();
    let id = app.store.reader_by_email(&email).await.unwrap().unwrap().id;
    app.store.set_role(id, Role::Admin).await.unwrap().unwrap();
    let mut browser = Browser::new(app);
    log_in(&mut browser, "admin@example.com", PASSWORD).await;
    browser
}

/// A reader who subscribed to `plan` through the API (sandbox, test card that always pays).
async fn subscriber(app: &TestApp, email: &str, plan: i64) -> (i64, String) {
    let token = token(app, email).await;
    let (_, created) =
        call(app, Method::POST, "/api/v1/subscriptions", &token, Some(json!({"plan_id": plan, "provider": "sandbox"})))
            .await;
    let id = created["subscription_id"].as_i64().unwrap();
    let (status, _) = call(app, Method::POST, &format!("/api/v1/sandbox/{id}/pay"), &token, None).await;
    assert_eq!(status, 200);
    (id, token)
}

fn codes_mailed(app: &TestApp, to: &str) -> Vec<String> {
    app.mails()
        .into_iter()
        .filter(|m| m.to == to && m.subject == "Your partner access code from Business Standard")
        .map(|m| m.raw.split("Your code for year ").nth(1).unwrap().split_whitespace().nth(1).unwrap().to_owned())
        .collect()
}

async fn held(app: &TestApp, subscription: i64) -> Vec<(i64, String)> {
    let codes = app.store.subscription_partner_codes(subscription).await.unwrap();
    codes.into_iter().map(|c| (c.block, c.code)).collect()
}

async fn partner_codes_come_at_purchase_and_after_twelve_months(backend: Backend) {
    let (app, clock) = app(backend).await;
    let mut admin = admin(&app).await;
    // Readers and strangers cannot reach the pool.
    register(&app, "nosy@example.com").await;
    let mut nosy = Browser::new(&app);
    log_in(&mut nosy, "nosy@example.com", PASSWORD).await;
    assert_eq!(nosy.get("/newsroom/partner-codes").await.status().as_u16(), 403);
    assert_eq!(app.get("/newsroom/partner-codes").await.status().as_u16(), 303);

    let csv = "code,partner\nNYT-0001,NYT\nNYT-0002,NYT\nNYT-0002,NYT\n\"NYT-0003\",\"NYT, Inc.\"\n";
    let uploaded = admin.submit("/newsroom/partner-codes", "/newsroom/partner-codes", &[("csv", csv)]).await;
    assert_eq!(uploaded.status().as_u16(), 200);
    let page = text_of(&uploaded.text().await.unwrap());
    assert!(page.contains("Added 3 code(s); 1 duplicate(s) ignored."), "{page}");
    let again =
        admin.submit("/newsroom/partner-codes", "/newsroom/partner-codes", &[("csv", "NYT-0003\nNYT-0004\n")]).await;
    assert!(text_of(&again.text().await.unwrap()).contains("Added 1 code(s); 1 duplicate(s) ignored."));

    // Month 0: a year or more gets its first code at purchase; a quarter gets none.
    let (essential, _) = subscriber(&app, "essential@example.com", 2).await;
    let (quarterly, _) = subscriber(&app, "quarterly@example.com", 1).await;
    let (saver, _) = subscriber(&app, "saver@example.com", 3).await;
    assert_eq!(held(&app, essential).await, [(1, "NYT-0001".to_owned())]);
    assert_eq!(held(&app, quarterly).await, []);
    assert_eq!(held(&app, saver).await, [(1, "NYT-0002".to_owned())]);
    assert_eq!(codes_mailed(&app, "essential@example.com"), ["NYT-0001"]);
    let mut reader = Browser::new(&app);
    log_in(&mut reader, "saver@example.com", PASSWORD).await;
    let account = text_of(&reader.page("/account", 200).await);
    assert!(account.contains("NYT-0002 — year 1"), "{account}");

    // Two left, at the threshold: admins are told once, by mail and on the page.
    let warnings: Vec<_> = app.mails().into_iter().filter(|m| m.subject.contains("partner codes left")).collect();
    assert_eq!(warnings.len(), 1);
    assert_eq!(
        (warnings[0].to.as_str(), warnings[0].subject.as_str()),
        ("admin@example.com", "Business Standard: 2 partner codes left")
    );
    let page = text_of(&admin.page("/newsroom/partner-codes", 200).await);
    assert!(page.contains("The pool is running low: 2 code(s) left"), "{page}");

    // Not before twelve months of continuous subscription...
    clock.set(noon() + Months::new(12) - Duration::minutes(1));
    assert_eq!(run_due(&app, &clock).await.partner_codes, 0);
    // ...then the second: the Essential reader's on renewal, the Super Saver's mid-term.
    clock.set(noon() + Months::new(12) + Duration::minutes(1));
    let report = run_due(&app, &clock).await;
    assert_eq!((report.renewed, report.partner_codes), (1, 2), "{report:?}");
    assert_eq!(held(&app, essential).await, [(1, "NYT-0001".to_owned()), (2, "NYT-0003".to_owned())]);
    assert_eq!(held(&app, saver).await, [(1, "NYT-0002".to_owned()), (2, "NYT-0004".to_owned())]);
    assert_eq!(codes_mailed(&app, "saver@example.com"), ["NYT-0002", "NYT-0004"]);
    assert_eq!(run_due(&app, &clock).await.partner_codes, 0, "one code per block");
    let warnings = app.mails().into_iter().filter(|m| m.subject.contains("partner codes left")).count();
    assert_eq!(warnings, 1, "one warning until the pool is refilled");
}

async fn a_malformed_code_upload_imports_nothing(backend: Backend) {
    let (app, _) = app(backend).await;
    let mut admin = admin(&app).await;
    let csv = "code\nGOOD-0001\nBAD CODE\nGOOD-0002\n\"OPEN\n";
    let refused = admin.submit("/newsroom/partner-codes", "/newsroom/partner-codes", &[("csv", csv)]).await;
    assert_eq!(refused.status().as_u16(), 422);
    let page = text_of(&refused.text().await.unwrap());
    assert!(page.contains("Nothing was imported"), "{page}");
    assert!(
        page.contains("line 3: \"BAD CODE\" is not a code") && page.contains("line 5: a quoted field is not closed")
    );
    assert_eq!(app.store.partner_codes_available().await.unwrap(), 0, "not half-imported");
}

const AD: &str = "Read the weekend edition";

async fn house_ads_show_only_to_readers_without_ad_free(backend: Backend) {
    let (app, _) = app(backend).await;
    // Another instance on the same database, which has read the (empty) ads already.
    let second = spawn_instance(&app, site_config()).await;
    let on_second = |path: &str| format!("http://{second}{path}");
    let mut admin = admin(&app).await;
    let bad = admin
        .submit(
            "/newsroom/ads",
            "/newsroom/ads",
            &[("slot", "story"), ("headline", "X"), ("body", "Y"), ("link_url", "javascript:alert(1)")],
        )
        .await;
    assert_eq!(bad.headers()["location"], "/newsroom/ads?done=invalid");
    for slot in ["story", "section"] {
        let saved = admin
            .submit(
                "/newsroom/ads",
                "/newsroom/ads",
                &[("slot", slot), ("headline", AD), ("body", "Every Saturday."), ("link_url", "/subscribe")],
            )
            .await;
        assert_eq!(saved.headers()["location"], "/newsroom/ads?done=saved");
    }
    let list = app.json("/api/v1/articles?limit=20", 200).await;
    let prefix = format!("http://{}", app.address);
    let story = list["articles"].as_array().unwrap().iter().find(|a| a["premium"] == false).unwrap()["url"]
        .as_str()
        .unwrap()
        .strip_prefix(&prefix)
        .unwrap()
        .to_owned();
    let section = format!("/{}", story.split('/').nth(1).unwrap());

    // Anonymous and signed-in readers without the benefit see the ad, on
    // every instance at once...
    for path in [&story, &section] {
        let html = Browser::new(&app).page(path, 200).await;
        assert!(html.contains(r#"<aside class="house-ad""#) && html.contains(AD), "{path}");
        let elsewhere = app.client.get(on_second(path)).send().await.unwrap().text().await.unwrap();
        assert!(elsewhere.contains(AD), "the other instance shows the ad on its next request: {path}");
    }
    register(&app, "plain@example.com").await;
    let mut plain = Browser::new(&app);
    log_in(&mut plain, "plain@example.com", PASSWORD).await;
    assert!(plain.page(&section, 200).await.contains(AD));

    // ...subscribers with ad-free reading get no ad markup at all.
    subscriber(&app, "adfree@example.com", 2).await;
    let mut subscribed = Browser::new(&app);
    log_in(&mut subscribed, "adfree@example.com", PASSWORD).await;
    for path in [&story, &section] {
        let html = subscribed.page(path, 200).await;
        assert!(!html.contains("house-ad") && !html.contains(AD), "{path}");
    }

    // An emptied slot shows nothing to anyone.
    let cleared = admin
        .submit(
            "/newsroom/ads",
            "/newsroom/ads",
            &[("slot", "story"), ("headline", ""), ("body", ""), ("link_url", "")],
        )
        .await;
    assert_eq!(cleared.headers()["location"], "/newsroom/ads?done=cleared");
    assert!(!Browser::new(&app).page(&story, 200).await.contains("house-ad"));
    let elsewhere = app.client.get(on_second(&story)).send().await.unwrap().text().await.unwrap();
    assert!(!elsewhere.contains("house-ad"), "nor on the other instance");
}

fn plan_names(plans: &Value) -> Vec<String> {
    plans["plans"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect()
}

async fn admins_edit_plans_and_retired_plans_keep_renewing(backend: Backend) {
    let (app, clock) = app(backend).await;
    let (quarterly, _) = subscriber(&app, "loyal@example.com", 1).await;
    // Another instance on the same database, with the catalogue read at its start.
    let second = spawn_instance(&app, site_config()).await;
    let plans_on_second = || async {
        let plans = app.client.get(format!("http://{second}/api/v1/plans")).send().await.unwrap();
        plan_names(&plans.json().await.unwrap())
    };
    assert_eq!(plans_on_second().await, ["Smart Quarterly", "Smart Essential", "Super Saver"]);
    let mut admin = admin(&app).await;
    let mut reader = Browser::new(&app);
    register(&app, "curious@example.com").await;
    log_in(&mut reader, "curious@example.com", PASSWORD).await;
    assert_eq!(reader.get("/newsroom/plans").await.status().as_u16(), 403);

    // A new monthly plan, checked first.
    let refused = admin
        .submit(
            "/newsroom/plans",
            "/newsroom/plans",
            &[
                ("name", "Smart Monthly"),
                ("price_paise", "299.00"),
                ("term_months", "1"),
                ("benefit", "premium_stories"),
            ],
        )
        .await;
    assert_eq!(refused.status().as_u16(), 422);
    assert!(text_of(&refused.text().await.unwrap()).contains("the price must be a whole number of paise"));
    let created = admin
        .submit(
            "/newsroom/plans",
            "/newsroom/plans",
            &[
                ("name", "Smart Monthly"),
                ("price_paise", "29900"),
                ("term_months", "1"),
                ("benefit", "premium_stories"),
                ("benefit", "archive"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(created.headers()["location"], "/newsroom/plans?done=saved");
    let plans = app.json("/api/v1/plans", 200).await;
    assert_eq!(plan_names(&plans), ["Smart Quarterly", "Smart Essential", "Super Saver", "Smart Monthly"]);
    assert_eq!(plans["plans"][3]["benefits"], json!(["premium_stories", "archive"]));
    assert_eq!(plans["plans"][3]["per_month_rupees"], 299);
    assert_eq!(plan_names(&plans), plans_on_second().await, "on sale on every instance at once");

    // Taking Smart Quarterly off sale: gone from the API and /subscribe, not buyable...
    let retired = admin
        .submit(
            "/newsroom/plans",
            "/newsroom/plans/1",
            &[
                ("name", "Smart Quarterly"),
                ("price_paise", "90000"),
                ("term_months", "3"),
                ("benefit", "premium_stories"),
            ],
        )
        .await;
    assert_eq!(retired.headers()["location"], "/newsroom/plans?done=saved");
    assert_eq!(plan_names(&app.json("/api/v1/plans", 200).await), ["Smart Essential", "Super Saver", "Smart Monthly"]);
    assert_eq!(plans_on_second().await, ["Smart Essential", "Super Saver", "Smart Monthly"]);
    assert!(!text_of(&app.page("/subscribe", 200).await).contains("Smart Quarterly"));
    let token = token(&app, "late@example.com").await;
    let (status, _) =
        call(&app, Method::POST, "/api/v1/subscriptions", &token, Some(json!({"plan_id": 1, "provider": "sandbox"})))
            .await;
    assert_eq!(status, 400);
    // ...while its subscriber keeps renewing on it.
    clock.set(noon() + Months::new(3) + Duration::minutes(1));
    assert_eq!(run_due(&app, &clock).await.renewed, 1);
    let state = app.store.subscription_state(quarterly, noon() + Months::new(3) + Duration::minutes(2)).await.unwrap();
    let state = state.unwrap();
    assert_eq!((state.plan_id, state.current_period_end), (1, Some(noon() + Months::new(6))));
    assert_eq!(app.store.payment_count(quarterly).await.unwrap(), 2);
    // The edited plan's benefits apply at once: only premium stories now.
    let email = masthead_domain::email::Email::parse("loyal@example.com").unwrap();
    let loyal = app.store.reader_by_email(&email).await.unwrap().unwrap().id;
    let benefits = app.store.benefits(loyal, noon() + Months::new(4)).await.unwrap();
    assert_eq!(benefits, [masthead_domain::access::Benefit::PremiumStories]);
}
