//! Reader accounts over HTTP: sign-up and email confirmation, log-in and
//! log-out, password reset, devices and their limit, merging the visitor's
//! meter on log-in, bearer tokens, CSRF, rate limits, and bad input.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use masthead_domain::access::Benefit;
use masthead_domain::email::Email;
use masthead_domain::{ManualClock, Role};
use masthead_web::RateLimits;
use serde_json::{Value, json};

use crate::support::{
    Backend, Browser, PASSWORD, TestApp, free_story_paths, log_in, on_every_backend, register, register_unconfirmed,
    site_config, spawn_app, spawn_app_with, spawn_instance, story_id, text_of,
};

on_every_backend!(
    sign_up_mails_a_confirmation_link_that_works_once,
    signing_up_twice_mails_the_owner_and_says_the_same,
    log_in_and_out_with_a_session_cookie,
    wrong_credentials_are_refused_alike,
    log_in_returns_to_the_story_only_on_this_site,
    password_reset_links_work_once_and_expire,
    reset_requests_do_not_reveal_accounts,
    devices_are_listed_and_the_sixth_signs_out_the_least_recently_used,
    sign_out_one_device_or_everywhere_else,
    apps_sign_other_devices_out_on_every_instance,
    logging_in_merges_the_visitors_meter,
    forms_from_other_sites_or_without_the_token_are_refused,
    bearer_tokens_work_on_the_api,
    bad_api_input_is_refused_without_changes,
    bad_form_input_is_refused_without_changes,
    log_in_and_reset_are_rate_limited,
    an_attacker_cannot_lock_the_owner_out,
    forwarded_addresses_count_only_from_trusted_proxies,
    limits_are_shared_by_every_instance,
    limits_end_with_their_window,
    a_new_password_ends_every_outstanding_reset_link,
    sign_ups_are_rate_limited,
    giving_a_role_takes_an_unconfirmed_account_back,
    staff_add_takes_an_unconfirmed_account_back,
    unconfirmed_accounts_log_in_only_to_confirm,
    a_new_account_keeps_its_checkout_session_as_a_plain_reader,
    the_api_refuses_cross_site_cookie_sessions,
    the_account_page_heads_the_subscription_once,
    cookies_are_secure_over_https,
    sessions_lapse_after_thirty_idle_days,
);

const FIREFOX: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0";

fn noon() -> DateTime<Utc> {
    // 27 Nov 2026, 12:00 UTC = 5:30 PM IST.
    Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap()
}

async fn post_json(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    app.client.post(app.url(path)).json(&body).send().await.unwrap()
}

/// Whether the browser is signed in (the account page, or a redirect to log in).
async fn signed_in(browser: &mut Browser<'_>) -> bool {
    let response = browser.get("/account").await;
    match response.status().as_u16() {
        200 => true,
        303 => {
            assert_eq!(response.headers()["location"], "/login?next=/account");
            false
        }
        other => panic!("GET /account: {other}"),
    }
}

async fn api_token(app: &TestApp, email: &str, password: &str) -> String {
    let response = post_json(app, "/api/v1/session", json!({ "email": email, "password": password })).await;
    assert_eq!(response.status().as_u16(), 200);
    response.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
}

async fn get_with_token(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.client.get(app.url(path)).bearer_auth(token).send().await.unwrap()
}

async fn reader_id(app: &TestApp, email: &str) -> i64 {
    app.store.reader_by_email(&Email::parse(email).unwrap()).await.unwrap().unwrap().id
}

async fn account_exists(app: &TestApp, email: &str) -> bool {
    app.store.reader_by_email(&Email::parse(email).unwrap()).await.unwrap().is_some()
}

async fn sign_up_mails_a_confirmation_link_that_works_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut browser = Browser::new(&app);
    let response =
        browser.submit("/signup", "/signup", &[("email", " Reader@Example.COM "), ("password", PASSWORD)]).await;
    assert_eq!(response.status().as_u16(), 200);
    let text = text_of(&response.text().await.unwrap());
    assert!(text.contains("Check your inbox"), "{text}");
    assert!(text.contains("We have sent a message to reader@example.com."), "stored lowercased: {text}");

    let mail = app.nth_mail("reader@example.com", 1).await;
    assert_eq!(mail.subject, "Confirm your email address for Business Standard");
    let link = mail.link("/account/verify?token=");
    let account = app.store.reader_by_email(&Email::parse("reader@example.com").unwrap()).await.unwrap().unwrap();
    assert_eq!(account.verified_at, None);
    assert!(account.password_hash.starts_with("$argon2id$"));

    let confirmed = text_of(&browser.page(&link, 200).await);
    assert!(confirmed.contains("Your email address is confirmed") && confirmed.contains("Log in"), "{confirmed}");
    let account = app.store.reader(account.id).await.unwrap().unwrap();
    assert!(account.verified_at.is_some());
    let again = browser.page(&link, 400).await;
    assert!(text_of(&again).contains("This link does not work"), "a link works once");
    // A forged token of the right shape, and a malformed one.
    browser.page(&format!("/account/verify?token={}", "ab".repeat(32)), 400).await;
    browser.page("/account/verify?token=nonsense", 400).await;
    browser.page("/account/verify", 400).await;
}

async fn signing_up_twice_mails_the_owner_and_says_the_same(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = post_json(&app, "/api/v1/readers", json!({ "email": "a@example.com", "password": PASSWORD })).await;
    let second =
        post_json(&app, "/api/v1/readers", json!({ "email": "A@Example.com", "password": "another password" })).await;
    assert_eq!(first.status().as_u16(), 201);
    assert_eq!(second.status().as_u16(), 201);
    assert_eq!(first.json::<Value>().await.unwrap(), second.json::<Value>().await.unwrap());
    let mails = app.wait_for_mails("a@example.com", 2).await;
    assert_eq!(mails[1].subject, "You already have a Business Standard account");
    assert!(mails[1].raw.contains("/account/forgot-password"));
    // The first password still holds (the address is still to confirm): the second sign-up changed nothing.
    for (password, status) in [(PASSWORD, 403), ("another password", 401)] {
        let log_in =
            post_json(&app, "/api/v1/session", json!({ "email": "a@example.com", "password": password })).await;
        assert_eq!(log_in.status().as_u16(), status, "{password}");
    }

    // The sign-up page says the same for a new and a known address.
    let mut browser = Browser::new(&app);
    let known = browser.submit("/signup", "/signup", &[("email", "a@example.com"), ("password", PASSWORD)]).await;
    let new = browser.submit("/signup", "/signup", &[("email", "b@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(known.status(), new.status());
    let known = known.text().await.unwrap().replace("a@example.com", "ADDRESS");
    let new = new.text().await.unwrap().replace("b@example.com", "ADDRESS");
    assert_eq!(known, new);
}

async fn log_in_and_out_with_a_session_cookie(backend: Backend) {
    let app = spawn_app(backend).await;
    register(&app, "reader@example.com").await;
    let mut browser = Browser::new(&app);
    assert!(!signed_in(&mut browser).await);
    let response = log_in(&mut browser, "Reader@example.com", PASSWORD).await;
    assert_eq!(response.headers()["location"], "/account");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("mh_session="))
        .unwrap();
    assert!(
        cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Lax") && !cookie.contains("Secure"),
        "{cookie}"
    );
    let token = cookie.trim_start_matches("mh_session=").split(';').next().unwrap();
    assert_eq!(token.len(), 64);

    let page = text_of(&browser.page("/account", 200).await);
    assert!(page.contains("Signed in as reader@example.com"), "{page}");

    let response = browser.submit("/account", "/logout", &[]).await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers()["location"], "/");
    assert!(!browser.cookies.contains_key("mh_session"), "the cookie is cleared");
    // The old token no longer signs anyone in, even if kept.
    browser.cookies.insert("mh_session".into(), token.to_owned());
    assert!(!signed_in(&mut browser).await, "the session is gone on the server");
}

async fn wrong_credentials_are_refused_alike(backend: Backend) {
    let app = spawn_app(backend).await;
    register(&app, "reader@example.com").await;
    let mut browser = Browser::new(&app);
    let mut bodies = Vec::new();
    for (email, password) in [("reader@example.com", "wrong password"), ("nobody@example.com", PASSWORD)] {
        let response = browser.submit("/login", "/login", &[("email", email), ("password", password)]).await;
        assert_eq!(response.status().as_u16(), 401);
        assert!(!browser.cookies.contains_key("mh_session"));
        let html = response.text().await.unwrap();
        assert!(text_of(&html).contains("That email address and password do not match an account."));
        assert!(html.contains(r#"role="alert""#));
        bodies.push(html.replace(email, "ADDRESS"));
        let api = post_json(&app, "/api/v1/session", json!({ "email": email, "password": password })).await;
        assert_eq!(api.status().as_u16(), 401);
        assert_eq!(
            api.json::<Value>().await.unwrap()["detail"],
            "that email address and password do not match an account"
        );
    }
    // Only the form token (tied to the browser) differs: it is the same browser.
    assert_eq!(bodies[0], bodies[1]);
    assert!(!signed_in(&mut browser).await);
}

async fn log_in_returns_to_the_story_only_on_this_site(backend: Backend) {
    let app = spawn_app_with(backend, masthead_web::SiteConfig { meter_limit: 1, ..site_config() }).await;
    register(&app, "reader@example.com").await;
    let paths = free_story_paths(&app, 2).await;
    let mut browser = Browser::new(&app);
    browser.page(&paths[0], 200).await;
    let blocked = browser.page(&paths[1], 200).await;
    let login_link = format!("/login?next={}", paths[1]);
    assert!(blocked.contains(&format!(r#"href="{login_link}""#)), "the paywall links to log in and back");
    let form = browser.page(&login_link, 200).await;
    assert!(form.contains(&format!(r#"<input type="hidden" name="next" value="{}">"#, paths[1])));
    let response = browser
        .submit(&login_link, "/login", &[("email", "reader@example.com"), ("password", PASSWORD), ("next", &paths[1])])
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers()["location"], paths[1].as_str());
    for foreign in ["//evil.example/world", "https://evil.example/", "/\\evil.example"] {
        let mut other = Browser::new(&app);
        let response = other
            .submit("/login", "/login", &[("email", "reader@example.com"), ("password", PASSWORD), ("next", foreign)])
            .await;
        assert_eq!(response.headers()["location"], "/account", "{foreign}");
    }
}

async fn password_reset_links_work_once_and_expire(backend: Backend) {
    let clock = Arc::new(ManualClock::new(noon()));
    let app = spawn_app_with(backend, masthead_web::SiteConfig { clock: clock.clone(), ..site_config() }).await;
    register(&app, "reader@example.com").await;
    let mut old_device = Browser::new(&app);
    log_in(&mut old_device, "reader@example.com", PASSWORD).await;

    let mut browser = Browser::new(&app);
    let response = browser
        .submit("/account/forgot-password", "/account/forgot-password", &[("email", "READER@example.com")])
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let mail = app.nth_mail("reader@example.com", 2).await;
    assert_eq!(mail.subject, "Reset your Business Standard password");
    let link = mail.link("/account/reset-password?token=");
    let token = link.rsplit('=').next().unwrap().to_owned();

    // A too-short password is refused beside the field, and does not use up the link.
    let form = browser.page(&link, 200).await;
    assert!(form.contains(&format!(r#"name="token" value="{token}""#)));
    let short = browser.submit(&link, "/account/reset-password", &[("token", &token), ("password", "short")]).await;
    assert_eq!(short.status().as_u16(), 422);
    let html = short.text().await.unwrap();
    assert!(
        html.contains(
            r#"<span class="field-error" id="password-error">Choose a password of at least 8 characters.</span>"#
        ),
        "{html}"
    );

    let done = browser
        .submit(&link, "/account/reset-password", &[("token", &token), ("password", "a brand new password")])
        .await;
    assert_eq!(done.status().as_u16(), 200);
    assert!(text_of(&done.text().await.unwrap()).contains("Your password is changed"));
    assert!(!signed_in(&mut old_device).await, "a reset signs out every device");
    let old = post_json(&app, "/api/v1/session", json!({ "email": "reader@example.com", "password": PASSWORD })).await;
    assert_eq!(old.status().as_u16(), 401);
    api_token(&app, "reader@example.com", "a brand new password").await;

    // Used: the link and its form no longer work.
    browser.page(&link, 400).await;
    let reused = browser
        .submit(
            "/account/forgot-password",
            "/account/reset-password",
            &[("token", &token), ("password", "yet another password")],
        )
        .await;
    assert_eq!(reused.status().as_u16(), 400);
    // Forged.
    let forged = browser
        .submit(
            "/account/forgot-password",
            "/account/reset-password",
            &[("token", &"cd".repeat(32)), ("password", "yet another password")],
        )
        .await;
    assert_eq!(forged.status().as_u16(), 400);

    // Expired: an hour and a minute later the next link is dead.
    browser.submit("/account/forgot-password", "/account/forgot-password", &[("email", "reader@example.com")]).await;
    let link = app.nth_mail("reader@example.com", 3).await.link("/account/reset-password?token=");
    let token = link.rsplit('=').next().unwrap().to_owned();
    clock.advance(chrono::Duration::minutes(61));
    browser.page(&link, 400).await;
    let late = browser
        .submit(
            "/account/forgot-password",
            "/account/reset-password",
            &[("token", &token), ("password", "yet another password")],
        )
        .await;
    assert_eq!(late.status().as_u16(), 400);
    api_token(&app, "reader@example.com", "a brand new password").await;
}

async fn reset_requests_do_not_reveal_accounts(backend: Backend) {
    let app = spawn_app(backend).await;
    register(&app, "known@example.com").await;
    let mut browser = Browser::new(&app);
    let mut answers = Vec::new();
    for email in ["known@example.com", "unknown@example.com"] {
        let response =
            browser.submit("/account/forgot-password", "/account/forgot-password", &[("email", email)]).await;
        answers.push((response.status().as_u16(), response.text().await.unwrap().replace(email, "ADDRESS")));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].0, 200);
    app.nth_mail("known@example.com", 2).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(app.mails().iter().all(|m| m.to != "unknown@example.com"), "no mail to an address without an account");
}

const AGENTS: [&str; 6] = [
    FIREFOX,
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
];

async fn devices_are_listed_and_the_sixth_signs_out_the_least_recently_used(backend: Backend) {
    let clock = Arc::new(ManualClock::new(noon()));
    let app = spawn_app_with(backend, masthead_web::SiteConfig { clock: clock.clone(), ..site_config() }).await;
    register(&app, "reader@example.com").await;
    let mut browsers: Vec<Browser> = AGENTS.iter().map(|ua| Browser::with_user_agent(&app, ua)).collect();
    for browser in &mut browsers[..5] {
        log_in(browser, "reader@example.com", PASSWORD).await;
        clock.advance(chrono::Duration::minutes(10));
    }
    // The first device is used again: now the second is the least recently used.
    assert!(signed_in(&mut browsers[0]).await);
    clock.advance(chrono::Duration::minutes(10));

    let html = browsers[0].page("/account/devices", 200).await;
    let text = text_of(&html);
    assert_eq!(html.matches(r#"<tr class="device""#).count(), 5);
    for name in [
        "Firefox 121 on Windows",
        "Safari 17 on macOS",
        "Chrome 120 on Android 14",
        "Safari 17 on iOS",
        "Chrome 120 on Linux",
    ] {
        assert!(text.contains(name), "{name}: {text}");
    }
    // First seen at 5:30 PM IST, last seen (this request) at 6:30 PM IST.
    assert!(
        text.contains(
            "Firefox 121 on Windows (Browser) This device Nov 27 2026 | 5:30 PM IST Nov 27 2026 | 6:30 PM IST"
        ),
        "{text}"
    );

    log_in(&mut browsers[5], "reader@example.com", PASSWORD).await;
    assert!(!signed_in(&mut browsers[1]).await, "the least recently used device is signed out");
    for n in [0, 2, 3, 4, 5] {
        assert!(signed_in(&mut browsers[n]).await, "device {n} stays signed in");
    }
    let token = api_token(&app, "reader@example.com", PASSWORD).await;
    let devices: Value = get_with_token(&app, "/api/v1/me/devices", &token).await.json().await.unwrap();
    let devices = devices["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 5, "the app's log-in counted as a device too");
    assert_eq!(devices[0]["current"], true);
    assert_eq!(devices[0]["kind"], "app");
    assert!(devices.iter().all(|d| d["browser"] != "Safari 17" || d["os"] != "macOS"), "the evicted device is gone");
}

async fn sign_out_one_device_or_everywhere_else(backend: Backend) {
    let app = spawn_app(backend).await;
    register(&app, "reader@example.com").await;
    register(&app, "other@example.com").await;
    let mut browsers: Vec<Browser> = AGENTS[..3].iter().map(|ua| Browser::with_user_agent(&app, ua)).collect();
    for browser in &mut browsers {
        log_in(browser, "reader@example.com", PASSWORD).await;
    }
    let response = browsers[0].submit("/account/devices", "/account/devices/sign-out-others", &[]).await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers()["location"], "/account/devices");
    assert!(signed_in(&mut browsers[0]).await);
    assert!(!signed_in(&mut browsers[1]).await, "revoked: logged out on its next request");
    assert!(!signed_in(&mut browsers[2]).await);
    let html = browsers[0].page("/account/devices", 200).await;
    assert_eq!(html.matches(r#"<tr class="device""#).count(), 1);
    assert!(!html.contains("Sign out everywhere else"), "nothing else to sign out");

    // One device by its own button.
    log_in(&mut browsers[1], "reader@example.com", PASSWORD).await;
    let html = browsers[0].page("/account/devices", 200).await;
    let ids: Vec<&str> = html
        .match_indices(r#"action="/account/devices/"#)
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            &rest[..rest.find('/').unwrap()]
        })
        .filter(|id| id.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    assert_eq!(ids.len(), 2);
    let safari =
        app.store.active_sessions(reader_id(&app, "reader@example.com").await, DateTime::<Utc>::MIN_UTC).await.unwrap();
    let other_id = safari.iter().find(|s| s.user_agent == AGENTS[1]).unwrap().id.to_string();
    let response = browsers[0].submit("/account/devices", &format!("/account/devices/{other_id}/sign-out"), &[]).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(!signed_in(&mut browsers[1]).await);
    assert!(signed_in(&mut browsers[0]).await);

    // Another account's session is not ours to end.
    let mut other = Browser::new(&app);
    log_in(&mut other, "other@example.com", PASSWORD).await;
    let theirs =
        app.store.active_sessions(reader_id(&app, "other@example.com").await, DateTime::<Utc>::MIN_UTC).await.unwrap()
            [0]
        .id;
    let response = browsers[0].submit("/account/devices", &format!("/account/devices/{theirs}/sign-out"), &[]).await;
    assert_eq!(response.status().as_u16(), 404);
    assert!(signed_in(&mut other).await);
}

/// The device's id, as the device itself sees it in its list (`current`).
async fn own_device_id(app: &TestApp, token: &str) -> i64 {
    let list: Value = get_with_token(app, "/api/v1/me/devices", token).await.json().await.unwrap();
    let devices = list["devices"].as_array().unwrap();
    devices.iter().find(|d| d["current"] == true).unwrap()["id"].as_i64().unwrap()
}

/// An app signs one device out, then every other; the signed-out tokens stop
/// on their next request on another instance that had them in memory, and
/// refused calls (no token, a forged one, a replayed one, someone else's
/// device, a malformed id, its own id) change nothing.
async fn apps_sign_other_devices_out_on_every_instance(backend: Backend) {
    let app = spawn_app(backend).await;
    register(&app, "reader@example.com").await;
    register(&app, "other@example.com").await;
    let second = spawn_instance(&app, site_config()).await;
    let mut tokens = Vec::new();
    for _ in 0..3 {
        tokens.push(api_token(&app, "reader@example.com", PASSWORD).await);
    }
    let (mine, phone, tablet) = (tokens[0].as_str(), tokens[1].as_str(), tokens[2].as_str());
    let theirs = api_token(&app, "other@example.com", PASSWORD).await;
    let theirs = theirs.as_str();
    let on_second =
        |token: &str| app.client.get(format!("http://{second}/api/v1/me")).bearer_auth(token.to_owned()).send();
    let status = |response: reqwest::Response| response.status().as_u16();
    // The second instance has every session in memory before anything is signed out.
    for token in [mine, phone, tablet, theirs] {
        assert_eq!(status(on_second(token).await.unwrap()), 200);
    }
    let phone_id = own_device_id(&app, phone).await;
    let tablet_id = own_device_id(&app, tablet).await;
    let their_id = own_device_id(&app, theirs).await;
    let devices = |token: &str| {
        let request = app.client.get(app.url("/api/v1/me/devices")).bearer_auth(token.to_owned());
        async move {
            let list: Value = request.send().await.unwrap().json().await.unwrap();
            list["devices"].as_array().unwrap().len()
        }
    };
    assert_eq!(devices(mine).await, 3);

    let delete = |id: &str, token: Option<&str>| {
        let request = app.client.delete(app.url(&format!("/api/v1/me/devices/{id}")));
        match token {
            Some(token) => request.bearer_auth(token.to_owned()),
            None => request,
        }
        .send()
    };
    let others = |token: Option<&str>| {
        let request = app.client.post(app.url("/api/v1/me/devices/sign-out-others"));
        match token {
            Some(token) => request.bearer_auth(token.to_owned()),
            None => request,
        }
        .send()
    };
    let problem = |response: reqwest::Response, expected: u16| async move {
        assert_eq!(response.status().as_u16(), expected);
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        response.json::<Value>().await.unwrap()
    };
    // Refusals: no token, a forged one, someone else's device, unknown and malformed ids.
    let forged = "ab".repeat(32);
    let phone_path = phone_id.to_string();
    for token in [None, Some(forged.as_str()), Some("not-a-token")] {
        problem(delete(&phone_path, token).await.unwrap(), 401).await;
        problem(others(token).await.unwrap(), 401).await;
    }
    let not_found = problem(delete(&their_id.to_string(), Some(mine)).await.unwrap(), 404).await;
    let unknown = problem(delete("999999", Some(mine)).await.unwrap(), 404).await;
    assert_eq!(
        not_found["detail"].as_str().unwrap().replace(&their_id.to_string(), "N"),
        unknown["detail"].as_str().unwrap().replace("999999", "N"),
        "another reader's device is answered as an unknown one"
    );
    problem(delete("0", Some(mine)).await.unwrap(), 404).await;
    problem(delete("-1", Some(mine)).await.unwrap(), 404).await;
    for malformed in ["abc", "1.5", "99999999999999999999"] {
        let body = problem(delete(malformed, Some(mine)).await.unwrap(), 400).await;
        assert_eq!(body["type"], "/api/docs#problem-bad-request", "{malformed}");
    }
    for token in [mine, phone, tablet, theirs] {
        assert_eq!(status(on_second(token).await.unwrap()), 200, "nothing was signed out by a refusal");
    }
    assert_eq!(devices(mine).await, 3);
    assert_eq!(devices(theirs).await, 1);

    // One device: its token is no one's on its very next request, on the other instance too.
    assert_eq!(status(delete(&phone_path, Some(mine)).await.unwrap()), 204);
    assert_eq!(status(on_second(phone).await.unwrap()), 401, "signed out on the instance that kept it");
    assert_eq!(status(get_with_token(&app, "/api/v1/me", phone).await), 401);
    assert_eq!(devices(mine).await, 2);
    // Replays: the same call again, and the signed-out token trying to act.
    problem(delete(&phone_path, Some(mine)).await.unwrap(), 404).await;
    problem(delete(&tablet_id.to_string(), Some(phone)).await.unwrap(), 401).await;
    problem(others(Some(phone)).await.unwrap(), 401).await;
    assert_eq!(status(on_second(tablet).await.unwrap()), 200, "the signed-out token ended nothing");

    // Every other device: this one stays, someone else's account is untouched.
    let reply = others(Some(mine)).await.unwrap();
    assert_eq!(reply.status().as_u16(), 200);
    assert_eq!(reply.json::<Value>().await.unwrap(), json!({ "signed_out": 1 }));
    assert_eq!(status(on_second(tablet).await.unwrap()), 401);
    assert_eq!(status(on_second(mine).await.unwrap()), 200);
    assert_eq!(status(on_second(theirs).await.unwrap()), 200);
    let again = others(Some(mine)).await.unwrap();
    assert_eq!(again.json::<Value>().await.unwrap(), json!({ "signed_out": 0 }), "nothing left to sign out");
    assert_eq!(devices(mine).await, 1);

    // The device asking is not signed out by id (DELETE /api/v1/session does that).
    let mine_id = own_device_id(&app, mine).await;
    let conflict = problem(delete(&mine_id.to_string(), Some(mine)).await.unwrap(), 409).await;
    assert!(conflict["detail"].as_str().unwrap().contains("DELETE /api/v1/session"), "{conflict}");
    assert_eq!(status(on_second(mine).await.unwrap()), 200);
    assert_eq!(devices(mine).await, 1);
}

async fn logging_in_merges_the_visitors_meter(backend: Backend) {
    let app = spawn_app(backend).await;
    register(&app, "reader@example.com").await;
    let paths = free_story_paths(&app, 4).await;
    // The account already read the first story (through the API, on another device).
    let token = api_token(&app, "reader@example.com", PASSWORD).await;
    let read = get_with_token(&app, &format!("/api/v1/articles/{}", story_id(&paths[0])), &token).await;
    assert_eq!(read.json::<Value>().await.unwrap()["access"]["used"], 1);

    let mut browser = Browser::new(&app);
    for path in &paths[..3] {
        browser.page(path, 200).await;
    }
    // Asking about a story the visitor read: the account would read it as its second.
    let ask = format!("/api/v1/access/{}", story_id(&paths[1]));
    let before: Value = get_with_token(&app, &ask, &token).await.json().await.unwrap();
    assert_eq!(before["used"], 2, "{before}");
    log_in(&mut browser, "reader@example.com", PASSWORD).await;
    let access: Value = browser.get(&ask).await.json().await.unwrap();
    assert_eq!(access["decision"], "metered");
    assert_eq!(access["used"], 3, "the union of the visitor's three and the account's one: {access}");
    assert_eq!(access["limit"], 10);
    let by_token: Value = get_with_token(&app, &ask, &token).await.json().await.unwrap();
    assert_eq!(by_token["used"], 3, "the account's meter, on every device");
    let unread: Value =
        get_with_token(&app, &format!("/api/v1/access/{}", story_id(&paths[3])), &token).await.json().await.unwrap();
    assert_eq!(unread["used"], 4, "a new story would be the fourth");
    // Asking counted nothing; logging in again merges nothing twice.
    log_in(&mut browser, "reader@example.com", PASSWORD).await;
    let access: Value = browser.get(&ask).await.json().await.unwrap();
    assert_eq!(access["used"], 3);
}

async fn forms_from_other_sites_or_without_the_token_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    register(&app, "reader@example.com").await;
    let mut browser = Browser::new(&app);
    let token = browser.csrf_token("/signup").await;
    let signup = |email: &'static str, token: String| {
        vec![("csrf_token", token), ("email", email.to_owned()), ("password", PASSWORD.to_owned())]
    };
    let send = |headers: Vec<(&'static str, String)>, fields: Vec<(&'static str, String)>, cookies: String| {
        let mut request = app
            .client
            .post(app.url("/signup"))
            .header("cookie", cookies)
            .header("content-type", "application/x-www-form-urlencoded");
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        request.body(crate::support::form_body(&fields)).send()
    };
    let cookies = browser.cookie_header();
    let cases = [
        (vec![("origin", "https://evil.example".to_owned())], signup("x1@example.com", token.clone())),
        (vec![("sec-fetch-site", "cross-site".to_owned())], signup("x2@example.com", token.clone())),
        (vec![("sec-fetch-site", "same-site".to_owned())], signup("x3@example.com", token.clone())),
        (vec![("origin", "null".to_owned())], signup("x4@example.com", token.clone())),
        (vec![], vec![("email", "x5@example.com".to_owned()), ("password", PASSWORD.to_owned())]),
        (vec![], signup("x6@example.com", "ab".repeat(32))),
        (vec![], signup("x7@example.com", "garbage".to_owned())),
    ];
    for (headers, fields) in cases {
        let email = fields.iter().find(|(k, _)| *k == "email").unwrap().1.clone();
        let response = send(headers, fields, cookies.clone()).await.unwrap();
        assert_eq!(response.status().as_u16(), 403, "{email}");
        assert!(text_of(&response.text().await.unwrap()).contains("This form could not be accepted"));
        assert!(!account_exists(&app, &email).await, "{email}: no account made");
    }
    // Another browser's token is not this browser's.
    let mut other = Browser::new(&app);
    let others_token = other.csrf_token("/signup").await;
    let response = send(vec![], signup("x8@example.com", others_token), cookies.clone()).await.unwrap();
    assert_eq!(response.status().as_u16(), 403);
    // The real thing, same origin and token, goes through.
    let response = send(vec![("origin", format!("http://{}", app.address))], signup("x9@example.com", token), cookies)
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(account_exists(&app, "x9@example.com").await);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(app.mails().iter().all(|m| m.to == "reader@example.com" || m.to == "x9@example.com"));

    // Logging out needs the token too: without it the session stays.
    log_in(&mut browser, "reader@example.com", PASSWORD).await;
    let response = browser.post_form("/logout", &[]).await;
    assert_eq!(response.status().as_u16(), 403);
    assert!(signed_in(&mut browser).await);
    let response = browser.post_form("/account/devices/sign-out-others", &[("csrf_token", "00")]).await;
    assert_eq!(response.status().as_u16(), 403);
}

async fn bearer_tokens_work_on_the_api(backend: Backend) {
    let app = spawn_app(backend).await;
    register(&app, "reader@example.com").await;
    let anonymous = app.get("/api/v1/me").await;
    assert_eq!(anonymous.status().as_u16(), 401);
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
    assert!(anonymous.json::<Value>().await.unwrap()["detail"].as_str().unwrap().contains("Bearer"));

    let token = api_token(&app, "Reader@Example.com", PASSWORD).await;
    let me: Value = get_with_token(&app, "/api/v1/me", &token).await.json().await.unwrap();
    assert_eq!(me, json!({ "email": "reader@example.com", "entitlements": [], "subscription": null }));
    let id = reader_id(&app, "reader@example.com").await;
    app.store
        .grant_benefit(id, Benefit::PremiumStories, Utc::now() - chrono::Duration::days(1), None, "test")
        .await
        .unwrap();
    let me: Value = get_with_token(&app, "/api/v1/me", &token).await.json().await.unwrap();
    assert_eq!(me["entitlements"], json!(["premium_stories"]));

    for bad in ["not-a-token", &"ab".repeat(32)] {
        assert_eq!(get_with_token(&app, "/api/v1/me", bad).await.status().as_u16(), 401, "{bad}");
    }
    let out = app.client.delete(app.url("/api/v1/session")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(out.status().as_u16(), 204);
    assert_eq!(get_with_token(&app, "/api/v1/me", &token).await.status().as_u16(), 401, "revoked");
    let again = app.client.delete(app.url("/api/v1/session")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 401);
}

async fn bad_api_input_is_refused_without_changes(backend: Backend) {
    let app = spawn_app(backend).await;
    for (body, message) in [
        (json!({ "email": "not-an-email", "password": PASSWORD }), "Enter an email address like name@example.com."),
        (json!({ "email": "a@b", "password": PASSWORD }), "Enter an email address like name@example.com."),
        (json!({ "email": "", "password": PASSWORD }), "Enter your email address."),
        (json!({ "email": "ok@example.com", "password": "short" }), "Choose a password of at least 8 characters."),
        (
            json!({ "email": "ok@example.com", "password": "x".repeat(1025) }),
            "Choose a password of at most 1024 characters.",
        ),
    ] {
        let response = post_json(&app, "/api/v1/readers", body.clone()).await;
        assert_eq!(response.status().as_u16(), 400, "{body}");
        let problem = response.json::<Value>().await.unwrap();
        assert_eq!(problem["detail"], message);
        let field = if message.contains("password") { "password" } else { "email" };
        assert_eq!(problem["errors"], json!([{ "field": field, "message": message }]), "{body}");
    }
    let raw = |body: String, content_type: &'static str| {
        app.client.post(app.url("/api/v1/readers")).header("content-type", content_type).body(body).send()
    };
    for (body, content_type, status) in [
        (r#"{"email": "ok@example.com", "password": "#.to_owned(), "application/json", 400),
        ("not json at all".to_owned(), "application/json", 400),
        (r#"{"email": "ok@example.com"}"#.to_owned(), "application/json", 422),
        (r#"{"email": 7, "password": "long enough"}"#.to_owned(), "application/json", 422),
        (r#"{"email": "ok@example.com", "password": "long enough"}"#.to_owned(), "text/plain", 415),
        (format!(r#"{{"email": "ok@example.com", "password": "{}"}}"#, "x".repeat(20_000)), "application/json", 413),
    ] {
        let response = raw(body, content_type).await.unwrap();
        assert_eq!(response.status().as_u16(), status);
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        let error = response.json::<Value>().await.unwrap()["detail"].as_str().unwrap().to_owned();
        assert!(!error.is_empty());
    }
    let session = post_json(&app, "/api/v1/session", json!({ "email": "ok@example.com" })).await;
    assert_eq!(session.status().as_u16(), 422);
    assert!(!account_exists(&app, "ok@example.com").await, "nothing was created");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(app.mails().is_empty(), "nothing was mailed");
}

async fn bad_form_input_is_refused_without_changes(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut browser = Browser::new(&app);
    let response = browser.submit("/signup", "/signup", &[("email", "not an email"), ("password", "short")]).await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"value="not an email" aria-invalid="true" aria-describedby="email-error">"#), "{html}");
    assert!(html.contains(
        r#"<span class="field-error" id="email-error">Enter an email address like name@example.com.</span>"#
    ));
    assert!(html.contains(
        r#"<span class="field-error" id="password-error">Choose a password of at least 8 characters.</span>"#
    ));
    let response =
        browser.submit("/account/forgot-password", "/account/forgot-password", &[("email", "@nowhere")]).await;
    assert_eq!(response.status().as_u16(), 422);

    let token = browser.csrf_token("/signup").await;
    let huge = "x".repeat(20_000);
    let response = browser
        .post_form("/signup", &[("csrf_token", &token), ("email", "big@example.com"), ("password", &huge)])
        .await;
    assert_eq!(response.status().as_u16(), 413);
    let response = browser.post_form("/signup", &[("csrf_token", &token), ("email", "nopassword@example.com")]).await;
    assert_eq!(response.status().as_u16(), 422, "a missing field is an empty one, and says so");
    let response = app
        .client
        .post(app.url("/signup"))
        .header("cookie", browser.cookie_header())
        .header("content-type", "application/json")
        .body(r#"{"email":"json@example.com"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 415);
    for email in ["big@example.com", "nopassword@example.com", "json@example.com"] {
        assert!(!account_exists(&app, email).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(app.mails().is_empty());
}

async fn log_in_and_reset_are_rate_limited(backend: Backend) {
    let limits = RateLimits {
        login_per_ip: 5,
        login_failures_per_pair: 3,
        reset_per_ip: 10,
        reset_per_account: 2,
        ..site_config().rate_limits
    };
    let app = spawn_app_with(backend, masthead_web::SiteConfig { rate_limits: limits, ..site_config() }).await;
    register(&app, "reader@example.com").await;
    let mut browser = Browser::new(&app);
    for _ in 0..3 {
        let response = browser
            .submit("/login", "/login", &[("email", "reader@example.com"), ("password", "wrong password")])
            .await;
        assert_eq!(response.status().as_u16(), 401);
    }
    let response = browser.submit("/login", "/login", &[("email", "READER@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(response.status().as_u16(), 429, "from this address, even the right password waits");
    assert!(text_of(&response.text().await.unwrap()).contains("Too many attempts to log in."));
    let api = post_json(&app, "/api/v1/session", json!({ "email": "reader@example.com", "password": PASSWORD })).await;
    assert_eq!(api.status().as_u16(), 429);
    assert_eq!(api.headers()["retry-after"], "900", "the limit's window, in seconds");
    assert!(api.json::<Value>().await.unwrap()["detail"].as_str().unwrap().contains("too many attempts"));
    // Other accounts from the same address, until the address's own limit.
    let other =
        post_json(&app, "/api/v1/session", json!({ "email": "someone@example.com", "password": PASSWORD })).await;
    assert_eq!(other.status().as_u16(), 429, "the address has made five attempts");

    for n in 0..3 {
        let response = browser
            .submit("/account/forgot-password", "/account/forgot-password", &[("email", "reader@example.com")])
            .await;
        assert_eq!(response.status().as_u16(), if n < 2 { 200 } else { 429 });
    }
    app.wait_for_mails("reader@example.com", 3).await;
}

/// Logs in through the API as if from `client` (behind the trusted proxy
/// 127.0.0.1); the status.
async fn log_in_from(app: &TestApp, client: &str, email: &str, password: &str) -> u16 {
    let body = json!({ "email": email, "password": password });
    let request = app.client.post(app.url("/api/v1/session")).header("x-forwarded-for", client).json(&body);
    request.send().await.unwrap().status().as_u16()
}

/// A site behind a proxy on 127.0.0.1, where the test client is.
fn behind_a_proxy(limits: RateLimits) -> masthead_web::SiteConfig {
    masthead_web::SiteConfig {
        rate_limits: limits,
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        ..site_config()
    }
}

async fn an_attacker_cannot_lock_the_owner_out(backend: Backend) {
    let limits = RateLimits {
        login_failures_per_pair: 10,
        login_slow_after: 10,
        login_slowdown: Duration::from_millis(300),
        ..site_config().rate_limits
    };
    let app = spawn_app_with(backend, behind_a_proxy(limits)).await;
    register(&app, "owner@example.com").await;
    for n in 0..12 {
        let status = log_in_from(&app, "203.0.113.66", "owner@example.com", "guess {n}").await;
        assert_eq!(status, if n < 10 { 401 } else { 429 }, "attempt {n} from the attacker's address");
    }
    assert_eq!(log_in_from(&app, "203.0.113.66", "owner@example.com", PASSWORD).await, 429, "guessed right, too late");
    // The owner, from home, still logs in: slowed down, never locked out.
    let started = std::time::Instant::now();
    assert_eq!(log_in_from(&app, "198.51.100.7", "owner@example.com", PASSWORD).await, 200);
    assert!(started.elapsed() >= Duration::from_millis(300), "the account's failures slow each attempt down");
    // And so does the owner's browser, through the form.
    let mut browser = Browser::new(&app);
    let token = browser.csrf_token("/login").await;
    let response = app
        .client
        .post(app.url("/login"))
        .header("cookie", browser.cookie_header())
        .header("x-forwarded-for", "198.51.100.7")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(crate::support::form_body(&[
            ("csrf_token", &token),
            ("email", "owner@example.com"),
            ("password", PASSWORD),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    // A wrong password from the owner's address is still only wrong.
    assert_eq!(log_in_from(&app, "198.51.100.7", "owner@example.com", "typo").await, 401);
}

async fn forwarded_addresses_count_only_from_trusted_proxies(backend: Backend) {
    let limits = RateLimits { login_per_ip: 4, ..site_config().rate_limits };
    // No proxy trusted: the header is the client's own words, and ignored.
    let app = spawn_app_with(backend, masthead_web::SiteConfig { rate_limits: limits, ..site_config() }).await;
    for n in 0..5 {
        let status = log_in_from(&app, &format!("192.0.2.{n}"), &format!("a{n}@example.com"), "password1").await;
        assert_eq!(status, if n < 4 { 401 } else { 429 }, "attempt {n}: every one is from 127.0.0.1");
    }
    // Behind the trusted proxy, each forwarded client has its own count;
    // the hops left of the rightmost untrusted one are the client's own words.
    let app = spawn_app_with(backend, behind_a_proxy(limits)).await;
    for n in 0..4 {
        assert_eq!(log_in_from(&app, "192.0.2.1", &format!("b{n}@example.com"), "password1").await, 401);
    }
    assert_eq!(log_in_from(&app, "192.0.2.1", "b@example.com", "password1").await, 429, "192.0.2.1 is done");
    assert_eq!(log_in_from(&app, "192.0.2.2", "b@example.com", "password1").await, 401, "192.0.2.2 is not");
    assert_eq!(
        log_in_from(&app, "192.0.2.9, 192.0.2.1", "b@example.com", "password1").await,
        429,
        "a forged first hop changes nothing: the proxy appended 192.0.2.1"
    );
    assert_eq!(
        log_in_from(&app, "192.0.2.1, 127.0.0.1", "b@example.com", "password1").await,
        429,
        "trusted hops skipped"
    );
}

async fn limits_are_shared_by_every_instance(backend: Backend) {
    let limits = RateLimits { login_failures_per_pair: 3, ..site_config().rate_limits };
    let app = spawn_app_with(backend, masthead_web::SiteConfig { rate_limits: limits, ..site_config() }).await;
    register(&app, "reader@example.com").await;
    let second = spawn_instance(&app, masthead_web::SiteConfig { rate_limits: limits, ..site_config() }).await;
    let on = |address: std::net::SocketAddr, password: &'static str| {
        let body = json!({ "email": "reader@example.com", "password": password });
        app.client.post(format!("http://{address}/api/v1/session")).json(&body).send()
    };
    assert_eq!(on(app.address, "wrong one").await.unwrap().status().as_u16(), 401);
    assert_eq!(on(second, "wrong two").await.unwrap().status().as_u16(), 401);
    assert_eq!(on(app.address, "wrong three").await.unwrap().status().as_u16(), 401);
    assert_eq!(on(second, PASSWORD).await.unwrap().status().as_u16(), 429, "three failures on two instances");
    assert_eq!(on(app.address, PASSWORD).await.unwrap().status().as_u16(), 429);
}

async fn limits_end_with_their_window(backend: Backend) {
    let clock = Arc::new(ManualClock::new(noon()));
    let limits = RateLimits { login_failures_per_pair: 2, ..site_config().rate_limits };
    let config = masthead_web::SiteConfig { clock: clock.clone(), rate_limits: limits, ..site_config() };
    let app = spawn_app_with(backend, config).await;
    register(&app, "reader@example.com").await;
    let attempt = |password: &'static str| {
        post_json(&app, "/api/v1/session", json!({ "email": "reader@example.com", "password": password }))
    };
    assert_eq!(attempt("wrong one").await.status().as_u16(), 401);
    assert_eq!(attempt("wrong two").await.status().as_u16(), 401);
    assert_eq!(attempt(PASSWORD).await.status().as_u16(), 429);
    clock.advance(chrono::Duration::minutes(14));
    assert_eq!(attempt(PASSWORD).await.status().as_u16(), 429, "the 15-minute window has not ended");
    clock.advance(chrono::Duration::minutes(2));
    assert_eq!(attempt(PASSWORD).await.status().as_u16(), 200, "a new window");
}

async fn a_new_password_ends_every_outstanding_reset_link(backend: Backend) {
    let app = spawn_app(backend).await;
    register(&app, "reader@example.com").await;
    let mut browser = Browser::new(&app);
    for _ in 0..2 {
        let response = browser
            .submit("/account/forgot-password", "/account/forgot-password", &[("email", "reader@example.com")])
            .await;
        assert_eq!(response.status().as_u16(), 200);
    }
    let mails = app.wait_for_mails("reader@example.com", 3).await;
    let older = mails[1].link("/account/reset-password?token=");
    let newer = mails[2].link("/account/reset-password?token=");
    assert_ne!(older, newer);
    let token = |link: &str| link.rsplit('=').next().unwrap().to_owned();
    let done = browser
        .submit(&newer, "/account/reset-password", &[("token", &token(&newer)), ("password", "the newest password")])
        .await;
    assert_eq!(done.status().as_u16(), 200);
    // The older link, never used, is dead too: its page and its form.
    browser.page(&older, 400).await;
    let late = browser
        .submit(
            "/account/forgot-password",
            "/account/reset-password",
            &[("token", &token(&older)), ("password", "an attacker's choice")],
        )
        .await;
    assert_eq!(late.status().as_u16(), 400);
    api_token(&app, "reader@example.com", "the newest password").await;
}

async fn sign_ups_are_rate_limited(backend: Backend) {
    let limits = RateLimits { signup_per_ip: 10, signup_mails_per_address: 3, ..site_config().rate_limits };
    let app = spawn_app_with(backend, masthead_web::SiteConfig { rate_limits: limits, ..site_config() }).await;
    // One address, signed up again and again: three mails, however many sign-ups.
    for n in 0..6 {
        let body = json!({ "email": "victim@example.com", "password": format!("password {n}") });
        assert_eq!(post_json(&app, "/api/v1/readers", body).await.status().as_u16(), 201, "sign-up {n}");
    }
    app.wait_for_mails("victim@example.com", 3).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.mails().iter().filter(|m| m.to == "victim@example.com").count(), 3);
    // One client address: ten sign-ups, then 429 and no account.
    for n in 6..10 {
        let body = json!({ "email": format!("n{n}@example.com"), "password": PASSWORD });
        assert_eq!(post_json(&app, "/api/v1/readers", body).await.status().as_u16(), 201);
    }
    let body = json!({ "email": "eleventh@example.com", "password": PASSWORD });
    let refused = post_json(&app, "/api/v1/readers", body).await;
    assert_eq!(refused.status().as_u16(), 429);
    assert_eq!(refused.headers()["retry-after"], "900");
    assert!(refused.json::<Value>().await.unwrap()["detail"].as_str().unwrap().contains("too many sign-ups"));
    let mut browser = Browser::new(&app);
    let page = browser.submit("/signup", "/signup", &[("email", "page@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(page.status().as_u16(), 429);
    assert!(text_of(&page.text().await.unwrap()).contains("Too many sign-ups"));
    // The sign-up on the way to paying counts the same.
    let fields = [("plan_id", "1"), ("mode", "signup"), ("email", "checkout@example.com"), ("password", PASSWORD)];
    let checkout = browser.submit("/subscribe", "/subscribe/account", &fields).await;
    assert_eq!(checkout.status().as_u16(), 429);
    assert!(text_of(&checkout.text().await.unwrap()).contains("Too many sign-ups"));
    for email in ["eleventh@example.com", "page@example.com", "checkout@example.com"] {
        assert!(!account_exists(&app, email).await, "{email}");
    }
}

/// A confirmed admin's browser.
async fn admin_browser(app: &TestApp) -> Browser<'_> {
    register(app, "admin@example.com").await;
    app.store.set_role(reader_id(app, "admin@example.com").await, Role::Admin).await.unwrap().unwrap();
    let mut admin = Browser::new(app);
    log_in(&mut admin, "admin@example.com", PASSWORD).await;
    admin
}

/// A squatter's account at `email`, unconfirmed, signed in on a browser by
/// the sign-up on the way to paying (log-in refuses it).
async fn squatter<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let mut browser = Browser::new(app);
    let fields = [("plan_id", "1"), ("mode", "signup"), ("email", email), ("password", "the squatter's password")];
    let response = browser.submit("/subscribe", "/subscribe/account", &fields).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(signed_in(&mut browser).await);
    browser
}

/// The squatter holds nothing any more: sessions, password and links are gone.
async fn squatter_is_out(app: &TestApp, browser: &mut Browser<'_>, email: &str) {
    assert!(!signed_in(browser).await, "the squatter's browser is signed out");
    let again =
        post_json(app, "/api/v1/session", json!({ "email": email, "password": "the squatter's password" })).await;
    assert_eq!(again.status().as_u16(), 401, "the squatter's password no longer works");
}

/// The owner sets a password with `link` and reaches the newsroom.
async fn owner_takes_over(app: &TestApp, link: &str, email: &str) {
    let mut owner = Browser::new(app);
    let token = link.rsplit('=').next().unwrap().to_owned();
    let done =
        owner.submit(link, "/account/reset-password", &[("token", &token), ("password", "the owner's own")]).await;
    assert_eq!(done.status().as_u16(), 200);
    log_in(&mut owner, email, "the owner's own").await;
    assert_eq!(owner.get("/newsroom").await.status().as_u16(), 200);
    let account = app.store.reader_by_email(&Email::parse(email).unwrap()).await.unwrap().unwrap();
    assert!(account.verified_at.is_some(), "the link proved the address");
}

async fn giving_a_role_takes_an_unconfirmed_account_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut admin = admin_browser(&app).await;
    let mut squatter = squatter(&app, "new.hire@example.com").await;
    let response = admin
        .submit("/newsroom/staff", "/newsroom/staff", &[("email", "new.hire@example.com"), ("role", "editor")])
        .await;
    assert_eq!(response.headers()["location"], "/newsroom/staff?done=role-unconfirmed");
    let notice = text_of(&admin.page("/newsroom/staff?done=role-unconfirmed", 200).await);
    assert!(notice.contains("was mailed a link to choose one"), "{notice}");
    assert_eq!(squatter.get("/newsroom").await.status().as_u16(), 303, "signed out: sent to log in");
    squatter_is_out(&app, &mut squatter, "new.hire@example.com").await;
    // The address's owner gets the link, and only the link opens the account.
    let mail = app.nth_mail("new.hire@example.com", 2).await;
    assert!(mail.raw.contains("24 hours"), "{}", mail.raw);
    owner_takes_over(&app, &mail.link("/account/reset-password?token="), "new.hire@example.com").await;
    // A confirmed account given a role keeps its password and sessions.
    register(&app, "colleague@example.com").await;
    let mut colleague = Browser::new(&app);
    log_in(&mut colleague, "colleague@example.com", PASSWORD).await;
    let response = admin
        .submit("/newsroom/staff", "/newsroom/staff", &[("email", "colleague@example.com"), ("role", "writer")])
        .await;
    assert_eq!(response.headers()["location"], "/newsroom/staff?done=role");
    assert_eq!(colleague.get("/newsroom").await.status().as_u16(), 200);
}

async fn staff_add_takes_an_unconfirmed_account_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut squatter = squatter(&app, "new.hire@example.com").await;
    let added = masthead_web::add_staff(&app.store, "new.hire@example.com", "editor", None, Utc::now()).await.unwrap();
    assert!(!added.created);
    squatter_is_out(&app, &mut squatter, "new.hire@example.com").await;
    let link = format!("/account/reset-password?token={}", added.set_password_token.unwrap());
    owner_takes_over(&app, &link, "new.hire@example.com").await;
}

/// Whether `response` sets a session cookie.
fn sets_session(response: &reqwest::Response) -> bool {
    response.headers().get_all("set-cookie").iter().any(|v| v.to_str().unwrap().starts_with("mh_session="))
}

async fn unconfirmed_accounts_log_in_only_to_confirm(backend: Backend) {
    let app = spawn_app(backend).await;
    register_unconfirmed(&app, "unconfirmed@example.com").await;
    app.wait_for_mails("unconfirmed@example.com", 1).await;
    let mut browser = Browser::new(&app);
    // A wrong password is refused as ever, and mails nothing.
    let wrong =
        browser.submit("/login", "/login", &[("email", "unconfirmed@example.com"), ("password", "wrong")]).await;
    assert_eq!(wrong.status().as_u16(), 401);
    // The right one: no session, the notice, and a new confirmation link.
    let fields = [("email", "Unconfirmed@example.com"), ("password", PASSWORD)];
    let response = browser.submit("/login", "/login", &fields).await;
    assert_eq!(response.status().as_u16(), 403);
    assert!(!sets_session(&response));
    let text = text_of(&response.text().await.unwrap());
    assert!(text.contains("Confirm your email address first") && text.contains("sent it a new link"), "{text}");
    assert!(!signed_in(&mut browser).await);
    let mail = app.nth_mail("unconfirmed@example.com", 2).await;
    assert_eq!(mail.subject, "Confirm your email address for Business Standard");
    // The API: 403, no token, another link.
    let body = json!({ "email": "unconfirmed@example.com", "password": PASSWORD });
    let api = post_json(&app, "/api/v1/session", body.clone()).await;
    assert_eq!(api.status().as_u16(), 403);
    let reply: Value = api.json().await.unwrap();
    assert!(reply.get("token").is_none(), "{reply}");
    assert!(reply["detail"].as_str().unwrap().starts_with("confirm your email address first"), "{reply}");
    let link = app.nth_mail("unconfirmed@example.com", 3).await.link("/account/verify?token=");
    // Past the sign-up mail limit (3 to one address) the answer is the same, and nothing is mailed.
    assert_eq!(post_json(&app, "/api/v1/session", body.clone()).await.status().as_u16(), 403);
    let id = reader_id(&app, "unconfirmed@example.com").await;
    let sessions = app.store.active_sessions(id, Utc::now() - chrono::Duration::days(365)).await.unwrap();
    assert!(sessions.is_empty(), "no session was opened: {sessions:?}");
    // Confirmed from the newest link, the account logs in.
    assert!(text_of(&browser.page(&link, 200).await).contains("Your email address is confirmed"));
    log_in(&mut browser, "unconfirmed@example.com", PASSWORD).await;
    assert!(signed_in(&mut browser).await);
    api_token(&app, "unconfirmed@example.com", PASSWORD).await;
    assert_eq!(app.wait_for_mails("unconfirmed@example.com", 3).await.len(), 3, "the limit held");
}

async fn a_new_account_keeps_its_checkout_session_as_a_plain_reader(backend: Backend) {
    let app = spawn_app_with(backend, masthead_web::SiteConfig { meter_limit: 0, ..site_config() }).await;
    // Signing up on the way to paying signs the new account in, unconfirmed.
    let mut browser = squatter(&app, "unconfirmed@example.com").await;
    let page = text_of(&browser.page("/account", 200).await);
    assert!(page.contains("not confirmed yet"), "{page}");
    app.wait_for_mails("unconfirmed@example.com", 1).await;
    // A role set on it (the staff page would take the account back first) opens nothing.
    let id = reader_id(&app, "unconfirmed@example.com").await;
    app.store.set_role(id, Role::Admin).await.unwrap().unwrap();
    assert_eq!(browser.get("/newsroom").await.status().as_u16(), 403);
    assert_eq!(browser.get("/newsroom/staff").await.status().as_u16(), 403);
    let story = free_story_paths(&app, 1).await.remove(0);
    let answer: Value = browser.get(&format!("/api/v1/access/{}", story_id(&story))).await.json().await.unwrap();
    assert_eq!(answer["decision"], "blocked", "no staff reading: {answer}");
    // Signing up again with the same address and password is a log-in: refused.
    let mut again = Browser::new(&app);
    let fields = [("plan_id", "1"), ("mode", "signup"), ("email", "unconfirmed@example.com"), ("password", PASSWORD)];
    let response = again.submit("/subscribe", "/subscribe/account", &fields).await;
    assert_eq!(response.status().as_u16(), 401, "the squatter's password is not PASSWORD");
    let fields = [
        ("plan_id", "1"),
        ("mode", "login"),
        ("email", "unconfirmed@example.com"),
        ("password", "the squatter's password"),
    ];
    let response = again.submit("/subscribe", "/subscribe/account", &fields).await;
    assert_eq!(response.status().as_u16(), 403);
    assert!(!sets_session(&response));
    assert!(text_of(&response.text().await.unwrap()).contains("Confirm your email address first"));
    // Confirmed, the first session has its role.
    app.store.mark_verified(id, Utc::now()).await.unwrap();
    assert_eq!(browser.get("/newsroom").await.status().as_u16(), 200);
}

async fn the_api_refuses_cross_site_cookie_sessions(backend: Backend) {
    let app = spawn_app(backend).await;
    register(&app, "reader@example.com").await;
    let mut browser = Browser::new(&app);
    log_in(&mut browser, "reader@example.com", PASSWORD).await;
    let cookies = browser.cookie_header();
    let call = |method: reqwest::Method, path: &str, headers: &[(&str, &str)], body: Option<(&str, &str)>| {
        let mut request = app.client.request(method, app.url(path)).header("cookie", cookies.clone());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some((content_type, body)) = body {
            request = request.header("content-type", content_type).body(body.to_owned());
        }
        request.send()
    };
    let json_body = r#"{"plan_id":1,"provider":"sandbox"}"#;
    let cross_site: [&[(&str, &str)]; 3] = [
        &[("sec-fetch-site", "cross-site")],
        &[("sec-fetch-site", "same-site")],
        &[("origin", "https://evil.example")],
    ];
    for headers in cross_site {
        for (content_type, body) in [("text/plain", json_body), ("application/json", json_body)] {
            let response = call(reqwest::Method::POST, "/api/v1/subscriptions", headers, Some((content_type, body)))
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 403, "{headers:?} {content_type}");
            assert!(response.json::<Value>().await.unwrap()["detail"].as_str().unwrap().contains("Bearer"));
        }
        let response = call(reqwest::Method::DELETE, "/api/v1/session", headers, None).await.unwrap();
        assert_eq!(response.status().as_u16(), 403, "{headers:?}: the session is not ended from another site");
        let response = call(reqwest::Method::POST, "/api/v1/me/devices/sign-out-others", headers, None).await.unwrap();
        assert_eq!(response.status().as_u16(), 403, "{headers:?}: nor are the others");
    }
    assert!(signed_in(&mut browser).await);
    let id = reader_id(&app, "reader@example.com").await;
    assert!(app.store.reader_subscriptions(id).await.unwrap().is_empty(), "nothing was stored");
    // From this site, a body must be JSON.
    let same_origin: &[(&str, &str)] = &[("sec-fetch-site", "same-origin")];
    let response = call(reqwest::Method::POST, "/api/v1/subscriptions", same_origin, Some(("text/plain", json_body)))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 415);
    // Reading with the cookie is fine, and from this site the session may end.
    assert_eq!(call(reqwest::Method::GET, "/api/v1/me", &[], None).await.unwrap().status().as_u16(), 200);
    let response = call(reqwest::Method::DELETE, "/api/v1/session", same_origin, None).await.unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert!(!signed_in(&mut browser).await);
}

async fn the_account_page_heads_the_subscription_once(backend: Backend) {
    let app = spawn_app(backend).await;
    register(&app, "reader@example.com").await;
    let mut browser = Browser::new(&app);
    log_in(&mut browser, "reader@example.com", PASSWORD).await;
    let page = browser.page("/account", 200).await;
    assert_eq!(page.matches("<h2>Your subscription</h2>").count(), 1, "{page}");
    assert!(text_of(&page).contains("You have no subscription."));
}

async fn cookies_are_secure_over_https(backend: Backend) {
    let config = masthead_web::SiteConfig { public_url: Some("https://news.example".to_owned()), ..site_config() };
    let app = spawn_app_with(backend, config).await;
    register(&app, "reader@example.com").await;
    let mut browser = Browser::new(&app);
    let response = log_in(&mut browser, "reader@example.com", PASSWORD).await;
    let session = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("mh_session="))
        .unwrap();
    assert!(session.ends_with("; HttpOnly; SameSite=Lax; Secure"), "{session}");
    let mail = app.nth_mail("reader@example.com", 1).await;
    assert!(mail.raw.contains("https://news.example/account/verify?token="), "links use the public address");
}

async fn sessions_lapse_after_thirty_idle_days(backend: Backend) {
    let clock = Arc::new(ManualClock::new(noon()));
    let app = spawn_app_with(backend, masthead_web::SiteConfig { clock: clock.clone(), ..site_config() }).await;
    register(&app, "reader@example.com").await;
    let mut browser = Browser::new(&app);
    log_in(&mut browser, "reader@example.com", PASSWORD).await;
    let token = api_token(&app, "reader@example.com", PASSWORD).await;
    clock.advance(chrono::Duration::days(29));
    assert!(signed_in(&mut browser).await, "used within 30 days");
    clock.advance(chrono::Duration::days(29));
    assert!(signed_in(&mut browser).await, "each use starts the 30 days again");
    assert_eq!(
        get_with_token(&app, "/api/v1/me", &token).await.status().as_u16(),
        401,
        "the app's token lay unused for 58 days"
    );
    clock.advance(chrono::Duration::days(31));
    assert!(!signed_in(&mut browser).await);
}
