//! The reader funnel over HTTP: events counted exactly under parallel
//! readers on two instances, who may see the funnel (API and page), the
//! credit of a payment to the story its checkout started from and paid
//! counts equal to the payments table, the roll-up keeping the daily counts
//! it deleted, and the CSV and chart.

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use masthead_domain::email::Email;
use masthead_domain::{Clock, ManualClock, PublisherZone, Role};
use serde_json::Value;

use crate::billing::log_in_api;
use crate::meter::{is_withheld, premium_story_path};
use crate::support::{
    Backend, Browser, PASSWORD, TestApp, free_story_paths, log_in, on_every_backend, register, site_config, spawn_app,
    spawn_app_with, spawn_instance, story_id, text_of,
};

on_every_backend!(
    counts_are_exact_under_twenty_parallel_readers_on_two_instances,
    the_funnel_api_is_for_editors_and_admins,
    payments_are_credited_to_the_story_and_equal_the_payments_table,
    the_roll_up_keeps_the_daily_counts_it_deleted,
    the_insights_page_shows_tables_a_chart_and_csv,
    an_admin_runs_an_experiment_that_every_instance_enforces,
    the_registration_wall_grants_its_stories_exactly,
    a_visitors_reads_count_once_from_the_meter_and_credit_a_checkout,
);

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A bearer token of a confirmed account with `role`.
async fn staff_token(app: &TestApp, email: &str, role: Role) -> String {
    register(app, email).await;
    let id = app.store.reader_by_email(&Email::parse(email).unwrap()).await.unwrap().unwrap().id;
    if role != Role::Reader {
        app.store.set_role(id, role).await.unwrap().unwrap();
    }
    log_in_api(app, email).await
}

/// `GET /api/v1/insights/funnel?QUERY` on `base` with `token`: status and body.
async fn funnel_at(app: &TestApp, base: SocketAddr, query: &str, token: Option<&str>) -> (u16, Value) {
    let mut request = app.client.get(format!("http://{base}/api/v1/insights/funnel?{query}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn funnel(app: &TestApp, query: &str, token: &str) -> Value {
    let (status, body) = funnel_at(app, app.address, query, Some(token)).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// One visitor (a cookie of its own) reading `paths` in order, going round `bases`.
async fn read_in_turn(client: reqwest::Client, bases: Vec<SocketAddr>, first: usize, paths: Vec<String>) {
    let mut cookie = String::new();
    for (i, path) in paths.iter().enumerate() {
        let url = format!("http://{}{path}", bases[(first + i) % bases.len()]);
        let response = client.get(url).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        if let Some(set) = response.headers().get("set-cookie") {
            cookie = set.to_str().unwrap().split(';').next().unwrap().to_owned();
        }
        response.text().await.unwrap();
    }
}

fn stage(row: &Value, name: &str) -> i64 {
    row[name].as_i64().unwrap_or_else(|| panic!("{name} in {row}"))
}

fn events(row: &Value, kind: &str) -> i64 {
    row["events"][kind].as_i64().unwrap_or(0)
}

async fn counts_are_exact_under_twenty_parallel_readers_on_two_instances(backend: Backend) {
    let app = spawn_app(backend).await;
    let second = spawn_instance(&app, site_config()).await;
    let editor = staff_token(&app, "editor@example.com", Role::Editor).await;
    let paths = free_story_paths(&app, 11).await;
    // Twenty visitors at once, each reading ten free stories and stopped at the eleventh.
    let readers: Vec<_> = (0..20)
        .map(|n| tokio::spawn(read_in_turn(app.client.clone(), vec![app.address, second], n, paths.clone())))
        .collect();
    for reader in readers {
        reader.await.unwrap();
    }
    // Each instance counts what it has queued before answering.
    funnel_at(&app, second, "", Some(&editor)).await;
    let body = funnel(&app, "by=day", &editor).await;
    let rows = body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "one day: {body}");
    let total = &body["total"];
    assert_eq!(
        [stage(total, "visitors"), stage(total, "metered_readers"), stage(total, "paywall"), stage(total, "checkout")],
        [21, 20, 20, 0],
        "the twenty readers, and the editor registering: {total}"
    );
    assert_eq!(events(total, "metered_read"), 200);
    assert_eq!(events(total, "meter_exhausted"), 20);
    assert_eq!(events(total, "paywall_shown"), 20);
    assert_eq!(total["rates"]["paywall"], 1.0);
    // By story: each of the first ten read by all twenty, the eleventh a paywall for all.
    let body = funnel(&app, "by=story", &editor).await;
    let rows = body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 12, "eleven stories, and no story (the editor's registration): {body}");
    for path in &paths[..10] {
        let row = rows.iter().find(|r| r["key"] == story_id(path)).unwrap();
        assert_eq!((events(row, "metered_read"), stage(row, "visitors")), (20, 20), "{row}");
        assert_eq!(row["url"], path.as_str());
    }
    let stopped = rows.iter().find(|r| r["key"] == story_id(&paths[10])).unwrap();
    assert_eq!((events(stopped, "paywall_shown"), events(stopped, "metered_read")), (20, 0), "{stopped}");
    // By section, the reads add up; the total counts each visitor once a day.
    let body = funnel(&app, "by=section", &editor).await;
    let reads: i64 = body["rows"].as_array().unwrap().iter().map(|r| events(r, "metered_read")).sum();
    assert_eq!(reads, 200);
    assert_eq!(stage(&body["total"], "visitors"), 21);
}

async fn the_funnel_api_is_for_editors_and_admins(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, body) = funnel_at(&app, app.address, "", None).await;
    assert_eq!(status, 401, "{body}");
    for (email, role) in [("reader@example.com", Role::Reader), ("writer@example.com", Role::Writer)] {
        let token = staff_token(&app, email, role).await;
        let (status, body) = funnel_at(&app, app.address, "", Some(&token)).await;
        assert_eq!(status, 403, "{email}: {body}");
        assert!(body["detail"].as_str().unwrap().contains("editors and admins"), "{body}");
    }
    let (status, _) = funnel_at(&app, app.address, "", Some("forged-token")).await;
    assert_eq!(status, 401);
    for (email, role) in [("editor@example.com", Role::Editor), ("admin@example.com", Role::Admin)] {
        let token = staff_token(&app, email, role).await;
        let (status, body) = funnel_at(&app, app.address, "", Some(&token)).await;
        assert_eq!(status, 200, "{email}: {body}");
        assert!(body["credit"].as_str().unwrap().contains("last story before checkout"));
    }
    let editor = log_in_api(&app, "editor@example.com").await;
    for (query, says) in [
        ("by=hour", "use day, section, story or variant"),
        ("from=27-11-2026", "write it as YYYY-MM-DD"),
        ("from=2026-11-28&to=2026-11-27", "swap them"),
        ("from=2024-01-01&to=2026-11-27", "shorter period"),
    ] {
        let (status, body) = funnel_at(&app, app.address, query, Some(&editor)).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert!(body["detail"].as_str().unwrap().contains(says), "{query}: {body}");
    }
    let body = funnel(&app, "from=2026-11-01&to=2026-11-30&by=variant", &editor).await;
    assert_eq!(
        (body["from"].as_str(), body["to"].as_str(), body["by"].as_str()),
        (Some("2026-11-01"), Some("2026-11-30"), Some("variant"))
    );
}

/// A signed-in reader stopped by the paywall at `story`, who subscribes from
/// it through the sandbox and pays.
async fn subscribe_from(app: &TestApp, email: &str, story: &str) {
    register(app, email).await;
    let mut reader = Browser::new(app);
    log_in(&mut reader, email, PASSWORD).await;
    assert!(reader.page(story, 200).await.contains(r#"<section class="paywall""#));
    let chosen = reader.submit(story, "/subscribe", &[("plan_id", "2"), ("next", story)]).await;
    assert_eq!(chosen.status().as_u16(), 303);
    let checkout = chosen.headers()["location"].to_str().unwrap().to_owned();
    let action = checkout.split('?').next().unwrap().to_owned();
    let paid = reader
        .submit(&checkout, &action, &[("outcome", "pay"), ("next", story), ("name", "Asha Rao"), ("state", "Delhi")])
        .await;
    assert_eq!(paid.status().as_u16(), 303, "paid");
}

async fn payments_are_credited_to_the_story_and_equal_the_payments_table(backend: Backend) {
    let app = spawn_app(backend).await;
    let editor = staff_token(&app, "editor@example.com", Role::Editor).await;
    let premium = premium_story_path(&app, false).await;
    let smart = premium_story_path(&app, true).await;
    subscribe_from(&app, "one@example.com", &premium).await;
    subscribe_from(&app, "two@example.com", &premium).await;
    subscribe_from(&app, "three@example.com", &smart).await;
    let mut payments = 0;
    for email in ["one@example.com", "two@example.com", "three@example.com"] {
        let id = app.store.reader_by_email(&Email::parse(email).unwrap()).await.unwrap().unwrap().id;
        for subscription in app.store.reader_subscriptions(id).await.unwrap() {
            payments += app.store.payment_count(subscription.id).await.unwrap();
        }
    }
    assert_eq!(payments, 3);
    let body = funnel(&app, "by=story", &editor).await;
    let row =
        |path: &str| body["rows"].as_array().unwrap().iter().find(|r| r["key"] == story_id(path)).cloned().unwrap();
    let (credited, other) = (row(&premium), row(&smart));
    assert_eq!(
        [stage(&credited, "paywall"), stage(&credited, "checkout"), stage(&credited, "paid")],
        [2, 2, 2],
        "{credited}"
    );
    assert_eq!([stage(&other, "checkout"), stage(&other, "paid")], [1, 1], "{other}");
    assert_eq!(credited["rates"]["paid"], 1.0);
    // The best payer first.
    assert_eq!(body["rows"][0]["key"], story_id(&premium));
    let total = &funnel(&app, "by=day", &editor).await["total"];
    assert_eq!(stage(total, "paid"), i64::try_from(payments).unwrap(), "paid equals the payments table");
    assert_eq!(events(total, "registration"), 4, "the editor and three readers: {total}");
}

/// A logged-out visitor's metered reads are its meter's rows, not events:
/// counted once with the events of the same visitor (signed in later on the
/// same browser, its reads are events), a paywall reloaded is counted every
/// time, and a checkout is credited with the last story read on the meter.
async fn a_visitors_reads_count_once_from_the_meter_and_credit_a_checkout(backend: Backend) {
    let app = spawn_app(backend).await;
    let editor = staff_token(&app, "editor@example.com", Role::Editor).await;
    let paths = free_story_paths(&app, 12).await;
    // One visitor reads two stories, signs in on the same browser and reads a third.
    let mut asha = Browser::new(&app);
    for path in &paths[..2] {
        asha.page(path, 200).await;
    }
    register(&app, "asha@example.com").await;
    log_in(&mut asha, "asha@example.com", PASSWORD).await;
    asha.page(&paths[2], 200).await;
    // Another reads ten, and reloads the eleventh's paywall five times.
    let mut ravi = Browser::new(&app);
    for path in &paths[..10] {
        ravi.page(path, 200).await;
    }
    for _ in 0..5 {
        assert!(is_withheld(&ravi.page(&paths[10], 200).await));
    }
    let total = &funnel(&app, "by=day", &editor).await["total"];
    assert_eq!(events(total, "metered_read"), 13, "{total}");
    assert_eq!(stage(total, "metered_readers"), 2, "Asha's reads, before and after signing in, are one visitor's");
    assert_eq!((events(total, "paywall_shown"), stage(total, "paywall")), (5, 1), "{total}");
    let body = funnel(&app, "by=story", &editor).await;
    let row = |path: &str| body["rows"].as_array().unwrap().iter().find(|r| r["key"] == story_id(path)).cloned();
    let first = row(&paths[0]).unwrap();
    assert_eq!((events(&first, "metered_read"), stage(&first, "visitors")), (2, 2), "{first}");
    let third = row(&paths[2]).unwrap();
    assert_eq!(events(&third, "metered_read"), 2, "Asha's (an event) and Ravi's (the meter): {third}");

    // A third visitor reads one story logged out, signs in and subscribes from the plans page.
    let mut meena = Browser::new(&app);
    meena.page(&paths[11], 200).await;
    register(&app, "meena@example.com").await;
    log_in(&mut meena, "meena@example.com", PASSWORD).await;
    let chosen = meena.submit("/subscribe", "/subscribe", &[("plan_id", "2")]).await;
    assert_eq!(chosen.status().as_u16(), 303);
    let checkout = chosen.headers()["location"].to_str().unwrap().to_owned();
    let action = checkout.split('?').next().unwrap().to_owned();
    let paid =
        meena.submit(&checkout, &action, &[("outcome", "pay"), ("name", "Meena Iyer"), ("state", "Delhi")]).await;
    assert_eq!(paid.status().as_u16(), 303, "paid");
    let body = funnel(&app, "by=story", &editor).await;
    let credited = body["rows"].as_array().unwrap().iter().find(|r| r["key"] == story_id(&paths[11])).unwrap();
    assert_eq!(
        [events(credited, "metered_read"), stage(credited, "checkout"), stage(credited, "paid")],
        [1, 1, 1],
        "the story read on the meter gets the credit: {credited}"
    );
}

async fn the_roll_up_keeps_the_daily_counts_it_deleted(backend: Backend) {
    let clock = Arc::new(ManualClock::new(utc("2026-11-20T10:00:00Z")));
    let app = spawn_app_with(backend, masthead_web::SiteConfig { clock: clock.clone(), ..site_config() }).await;
    let editor = staff_token(&app, "editor@example.com", Role::Editor).await;
    let paths = free_story_paths(&app, 13).await;
    for n in 0..3 {
        read_in_turn(app.client.clone(), vec![app.address], 0, paths[n..n + 11].to_vec()).await;
    }
    clock.set(utc("2026-11-21T10:00:00Z"));
    read_in_turn(app.client.clone(), vec![app.address], 0, paths[..2].to_vec()).await;
    let period = "from=2026-11-19&to=2026-11-21";
    let mut before = Vec::new();
    for by in ["day", "section", "story", "variant"] {
        before.push(funnel(&app, &format!("{period}&by={by}"), &editor).await);
    }
    assert_eq!(events(&before[0]["rows"][0], "metered_read"), 30, "{}", before[0]);
    // Keep one day raw: the 20th is rolled up, the 21st stays.
    let done = masthead_insights::rollup::run(&app.store, &PublisherZone::default(), clock.now(), 1).await.unwrap();
    assert_eq!(done.days, 1);
    assert_eq!(done.events, 30 + 3 + 3 + 1, "the 20th's reads, meters run out, paywalls, the editor's registration");
    for (n, by) in ["day", "section", "story", "variant"].into_iter().enumerate() {
        let after = funnel(&app, &format!("{period}&by={by}"), &editor).await;
        assert_eq!(after["rows"], before[n]["rows"], "by {by}");
        assert_eq!(after["total"], before[n]["total"], "by {by}");
    }
    // Again: nothing more to roll up, and the counts are not added twice.
    let again = masthead_insights::rollup::run(&app.store, &PublisherZone::default(), clock.now(), 1).await.unwrap();
    assert_eq!((again.days, again.events), (0, 0));
    assert_eq!(funnel(&app, &format!("{period}&by=day"), &editor).await["rows"], before[0]["rows"]);
}

async fn the_insights_page_shows_tables_a_chart_and_csv(backend: Backend) {
    let app = spawn_app(backend).await;
    let paths = free_story_paths(&app, 11).await;
    read_in_turn(app.client.clone(), vec![app.address], 0, paths.clone()).await;
    // Signed out: to the log-in; a writer: refused.
    let mut anonymous = Browser::new(&app);
    let response = anonymous.get("/newsroom/insights").await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers()["location"], "/login?next=/newsroom/insights");
    assert_eq!(anonymous.get("/newsroom/insights/day.csv").await.status().as_u16(), 303);
    register(&app, "writer@example.com").await;
    let id = app.store.reader_by_email(&Email::parse("writer@example.com").unwrap()).await.unwrap().unwrap().id;
    app.store.set_role(id, Role::Writer).await.unwrap().unwrap();
    let mut writer = Browser::new(&app);
    log_in(&mut writer, "writer@example.com", PASSWORD).await;
    assert_eq!(writer.get("/newsroom/insights").await.status().as_u16(), 403);
    assert_eq!(writer.get("/newsroom/insights/story.csv").await.status().as_u16(), 403);

    register(&app, "editor@example.com").await;
    let id = app.store.reader_by_email(&Email::parse("editor@example.com").unwrap()).await.unwrap().unwrap().id;
    app.store.set_role(id, Role::Editor).await.unwrap().unwrap();
    let mut editor = Browser::new(&app);
    log_in(&mut editor, "editor@example.com", PASSWORD).await;
    let response = editor.get("/newsroom/insights").await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["cache-control"], "private, no-store");
    let html = response.text().await.unwrap();
    assert!(html.contains("<svg class=\"chart\"") && html.contains("<polyline"), "a chart drawn on the server");
    assert!(!html.contains("<script"), "no JavaScript");
    let text = text_of(&html);
    assert!(text.contains("The last story before checkout gets the credit"), "{text}");
    // Three visitors: the reader, and the writer and the editor registering.
    assert!(text.contains("Visitors 3 Metered readers 1 33.3% Paywall 1 100.0% Checkout 0 0.0%"), "{text}");
    for by in ["day", "section", "story", "variant"] {
        assert!(html.contains(&format!("href=\"/newsroom/insights/{by}.csv?from=")), "{by}");
    }
    let response = editor.get("/newsroom/insights/story.csv").await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"funnel-by-story-")
    );
    let csv = response.text().await.unwrap();
    let lines: Vec<_> = csv.lines().collect();
    assert!(lines[0].starts_with("story,visitors,metered_readers,paywall,checkout,paid,"), "{csv}");
    assert_eq!(lines.len(), 1 + 12 + 1, "a header, eleven stories and none (registrations), the total: {csv}");
    assert!(lines.iter().any(|l| l.starts_with(&format!("{},1,0,1,", story_id(&paths[10])))), "{csv}");
    assert_eq!(editor.get("/newsroom/insights/hour.csv").await.status().as_u16(), 404);
    assert_eq!(editor.get("/newsroom/insights?from=2026-13-01").await.status().as_u16(), 422);
}

/// A browser signed in as a new admin.
async fn admin(app: &TestApp) -> Browser<'_> {
    register(app, "admin@example.com").await;
    let id = app.store.reader_by_email(&Email::parse("admin@example.com").unwrap()).await.unwrap().unwrap().id;
    app.store.set_role(id, Role::Admin).await.unwrap().unwrap();
    let mut browser = Browser::new(app);
    log_in(&mut browser, "admin@example.com", PASSWORD).await;
    browser
}

/// Makes and starts the experiment `fields` describe, as `admin`; what is stored.
async fn run_experiment(
    app: &TestApp,
    admin: &mut Browser<'_>,
    fields: &[(&str, &str)],
) -> masthead_insights::Experiment {
    let made = admin.submit("/newsroom/experiments", "/newsroom/experiments", fields).await;
    assert_eq!(made.status().as_u16(), 303);
    let stored = app.store.experiments().await.unwrap();
    let start = format!("/newsroom/experiments/{}/start", stored[0].id);
    assert_eq!(admin.submit("/newsroom/experiments", &start, &[]).await.status().as_u16(), 303);
    masthead_insights::Experiment::from_stored(&stored[0].name, &stored[0].variants).unwrap()
}

/// A new visitor (with a cookie, no story read yet) dealt `variant`.
async fn visitor_in<'a>(app: &'a TestApp, experiment: &masthead_insights::Experiment, variant: &str) -> Browser<'a> {
    for _ in 0..100 {
        let mut browser = Browser::new(app);
        browser.get("/signup").await;
        let id = browser.cookies["mh_visitor"].split('.').next().unwrap().to_owned();
        if experiment.variant_of(&format!("v:{id}")).name == variant {
            return browser;
        }
    }
    panic!("no visitor dealt {variant} in 100");
}

async fn the_registration_wall_grants_its_stories_exactly(backend: Backend) {
    let app = spawn_app(backend).await;
    let paths = free_story_paths(&app, 10).await;
    let editor = staff_token(&app, "editor@example.com", Role::Editor).await;
    let mut admin = admin(&app).await;
    let fields = [
        ("name", "w"),
        ("variant_0", "plain"),
        ("weight_0", "1"),
        ("limit_0", "2"),
        ("variant_1", "wall"),
        ("weight_1", "1"),
        ("limit_1", "2"),
        ("wall_1", "3"),
    ];
    let experiment = run_experiment(&app, &mut admin, &fields).await;
    let month = PublisherZone::default().month_key(Utc::now());

    // A plain visitor meets the paywall, and a form claiming the wall grants it nothing.
    let mut plain = visitor_in(&app, &experiment, "plain").await;
    for path in &paths[..2] {
        assert!(!is_withheld(&plain.page(path, 200).await));
    }
    let html = plain.page(&paths[2], 200).await;
    assert!(is_withheld(&html) && !html.contains("registration-wall"), "{html}");
    let token = plain.csrf_token("/signup").await;
    let fields =
        [("csrf_token", token.as_str()), ("email", "plain@example.com"), ("password", PASSWORD), ("wall", "1")];
    assert_eq!(plain.post_form("/signup", &fields).await.status().as_u16(), 200);
    let plain_id = app.store.reader_by_email(&Email::parse("plain@example.com").unwrap()).await.unwrap().unwrap().id;
    assert_eq!(app.store.allowance(plain_id, month).await.unwrap(), None, "no wall, no grant");

    // A wall visitor: two free stories, then the wall instead of the paywall.
    let mut reader = visitor_in(&app, &experiment, "wall").await;
    for path in &paths[..2] {
        assert!(!is_withheld(&reader.page(path, 200).await));
    }
    let html = reader.page(&paths[2], 200).await;
    assert!(html.contains(r#"<section class="paywall registration-wall""#), "{html}");
    let text = text_of(&html);
    assert!(text.contains("Sign up free to read 3 more stories this month"), "{text}");
    assert!(!text.contains("You've reached your limit"), "{text}");
    // Signing up from it (the wall's own form), confirming and logging in.
    let token = reader.csrf_token(&paths[2]).await;
    let fields = [
        ("csrf_token", token.as_str()),
        ("wall", "1"),
        ("next", paths[2].as_str()),
        ("email", "wall@example.com"),
        ("password", PASSWORD),
    ];
    assert_eq!(reader.post_form("/signup", &fields).await.status().as_u16(), 200);
    let id = app.store.reader_by_email(&Email::parse("wall@example.com").unwrap()).await.unwrap().unwrap().id;
    assert_eq!(app.store.allowance(id, month).await.unwrap(), Some(5), "two free and three more");
    app.store.mark_verified(id, Utc::now()).await.unwrap();
    log_in(&mut reader, "wall@example.com", PASSWORD).await;

    // Seven stories asked for at once: exactly three more are read.
    let cookies = reader.cookie_header();
    let asked: Vec<_> = paths[2..9]
        .iter()
        .map(|path| {
            let request = app.client.get(app.url(path)).header("cookie", cookies.clone());
            tokio::spawn(async move { request.send().await.unwrap().text().await.unwrap() })
        })
        .collect();
    let mut read = 0;
    for page in asked {
        let html = page.await.unwrap();
        read += usize::from(!is_withheld(&html));
        assert!(!html.contains("registration-wall"), "signed in: the paywall, not the wall");
    }
    assert_eq!(read, 3, "the wall's three stories, no more, whatever the concurrency");
    let html = reader.page(&paths[9], 200).await;
    assert!(is_withheld(&html) && text_of(&html).contains("You've reached your limit of 5 free stories"), "{html}");

    // Counted: the wall shown (twice: the page, and its form's token), and the sign-up from it.
    let body = funnel(&app, "by=variant", &editor).await;
    let row = body["rows"].as_array().unwrap().iter().find(|r| r["key"] == "w/wall").unwrap();
    assert_eq!((events(row, "registration_wall_shown"), events(row, "registered_from_wall")), (2, 1), "{row}");
    let plain_row = body["rows"].as_array().unwrap().iter().find(|r| r["key"] == "w/plain").unwrap();
    assert_eq!(events(plain_row, "registered_from_wall"), 0, "{plain_row}");
}

/// The plan the paywall in `html` highlights.
fn highlighted_plan(html: &str) -> Option<&str> {
    let card = &html[html.find(r#"<li class="plan best">"#)?..];
    let marker = r#"name="plan_id" value=""#;
    let start = card.find(marker)? + marker.len();
    Some(&card[start..start + card[start..].find('"')?])
}

async fn an_admin_runs_an_experiment_that_every_instance_enforces(backend: Backend) {
    let app = spawn_app(backend).await;
    let second = spawn_instance(&app, site_config()).await;
    let paths = free_story_paths(&app, 6).await;
    let editor = staff_token(&app, "editor@example.com", Role::Editor).await;
    let mut admin = admin(&app).await;
    let plan = app.store.active_plans().await.unwrap()[0].id.to_string();
    let form = |two_weight: &'static str, four_limit: &'static str| {
        vec![
            ("name", "t"),
            ("variant_0", "two"),
            ("weight_0", two_weight),
            ("limit_0", "2"),
            ("headline_0", "Two stories are on us. The rest are on a subscription."),
            ("plan_0", ""),
            ("variant_1", "four"),
            ("weight_1", "1"),
            ("limit_1", four_limit),
        ]
    };

    // Refusals: a non-admin, a form without its token, bad weights and limits; nothing is stored.
    let mut other = Browser::new(&app);
    log_in(&mut other, "editor@example.com", PASSWORD).await;
    assert_eq!(other.get("/newsroom/experiments").await.status().as_u16(), 403);
    let mut fields = vec![("csrf_token", "")];
    fields.extend(form("1", "4"));
    let token = other.csrf_token("/signup").await;
    fields[0].1 = &token;
    assert_eq!(other.post_form("/newsroom/experiments", &fields).await.status().as_u16(), 403);
    assert_eq!(admin.post_form("/newsroom/experiments", &form("1", "4")).await.status().as_u16(), 403, "no token");
    let refused = admin.submit("/newsroom/experiments", "/newsroom/experiments", &form("0", "lots")).await;
    assert_eq!(refused.status().as_u16(), 422);
    let text = text_of(&refused.text().await.unwrap());
    assert!(text.contains("Variant 1: the weight \"0\" must be a whole number from 1 to 1000"), "{text}");
    assert!(text.contains("Variant 2: the meter limit \"lots\""), "{text}");
    assert!(app.store.experiments().await.unwrap().is_empty(), "nothing stored");

    // Made, then started on this instance.
    let mut good = form("1", "4");
    good[5].1 = &plan;
    let made = admin.submit("/newsroom/experiments", "/newsroom/experiments", &good).await;
    assert_eq!(made.status().as_u16(), 303);
    let stored = app.store.experiments().await.unwrap();
    let id = stored[0].id;
    let experiment = masthead_insights::Experiment::from_stored("t", &stored[0].variants).unwrap();
    let again = admin.submit("/newsroom/experiments", "/newsroom/experiments", &good).await;
    assert_eq!(again.status().as_u16(), 422, "the name is taken");
    let start = format!("/newsroom/experiments/{id}/start");
    assert_eq!(admin.submit("/newsroom/experiments", &start, &[]).await.status().as_u16(), 303);
    assert_eq!(admin.submit("/newsroom/experiments", &start, &[]).await.status().as_u16(), 422, "already running");

    // The other instance deals the variants and enforces their limits on its next request.
    let on = |base: SocketAddr, cookies: String, path: String| {
        let request = app.client.get(format!("http://{base}{path}")).header("cookie", cookies);
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let mut expected = std::collections::BTreeMap::new();
    for name in ["two", "four", "two", "four"] {
        let mut reader = visitor_in(&app, &experiment, name).await;
        let variant = experiment.variant(name).unwrap();
        let limit = variant.settings.meter_limit.unwrap() as usize;
        *expected.entry(experiment.key(variant)).or_insert(0) += limit as i64;
        for (n, path) in paths.iter().enumerate().take(limit + 1) {
            let html = on(second, reader.cookie_header(), path.clone()).await;
            assert_eq!(is_withheld(&html), n >= limit, "story {} of {limit}", n + 1);
            if n == limit {
                let text = text_of(&html);
                if variant.name == "two" {
                    assert!(text.contains("Two stories are on us."), "{text}");
                    assert_eq!(highlighted_plan(&html), Some(plan.as_str()));
                } else {
                    assert!(text.contains("You've reached your limit of 4 free stories this month."), "{text}");
                }
            }
        }
        // Sticky: the first instance agrees.
        assert!(is_withheld(&reader.page(&paths[limit], 200).await));
        assert!(!is_withheld(&reader.page(&paths[limit - 1], 200).await), "re-reading is free");
    }
    funnel_at(&app, second, "", Some(&editor)).await;
    let body = funnel(&app, "by=variant", &editor).await;
    assert!(body["conversion"].as_str().unwrap().contains("payments over its visitors"), "{body}");
    for (variant, reads) in &expected {
        let row = body["rows"].as_array().unwrap().iter().find(|r| r["key"] == variant.as_str()).unwrap();
        assert_eq!(events(row, "metered_read"), *reads, "{row}");
        let compared = &row["against_control"];
        if variant == "t/two" {
            assert!(compared.is_null(), "the control: {row}");
        } else {
            let (low, high) =
                (compared["interval"]["low"].as_f64().unwrap(), compared["interval"]["high"].as_f64().unwrap());
            assert!(low <= 0.0 && high >= 0.0 && compared["estimate"] == 0.0, "no payments either side: {row}");
        }
    }
    let page = text_of(&admin.page("/newsroom/insights", 200).await);
    assert!(page.contains("Against the control"), "{page}");

    // Stopped with a winner: its settings are everyone's, on the other instance too.
    let stop = format!("/newsroom/experiments/{id}/stop");
    let bad = admin.submit("/newsroom/experiments", &stop, &[("winner", "three")]).await;
    assert_eq!(bad.status().as_u16(), 422);
    assert_eq!(admin.submit("/newsroom/experiments", &stop, &[("winner", "four")]).await.status().as_u16(), 303);
    let stored = app.store.experiments().await.unwrap();
    assert_eq!(
        (stored[0].state, stored[0].winner.as_deref()),
        (masthead_store::ExperimentState::Stopped, Some("four"))
    );
    for _ in 0..3 {
        let mut reader = Browser::new(&app);
        reader.get("/signup").await;
        for (n, path) in paths.iter().enumerate().take(5) {
            assert_eq!(is_withheld(&on(second, reader.cookie_header(), path.clone()).await), n >= 4, "story {}", n + 1);
        }
    }
    let page = text_of(&admin.page("/newsroom/experiments", 200).await);
    assert!(
        page.contains("the winner: four") && page.contains("Readers outside an experiment get: 4 free stories a month"),
        "{page}"
    );
}
