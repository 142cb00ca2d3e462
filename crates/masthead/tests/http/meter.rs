//! The metered paywall over HTTP: exact counts, re-reads, the IST month turn,
//! premium stories, concurrency on one and two instances, tampered and
//! replayed cookies, that withheld text never leaves the server, and the
//! trim of past months' meters.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use masthead_domain::email::Email;
use masthead_domain::{Clock, ManualClock, Role};

use crate::support::{
    Backend, Browser, PASSWORD, TestApp, free_story_paths, log_in, masthead, on_every_backend, register, site_config,
    spawn_app, spawn_app_with, spawn_instance, spawn_process, story_id, text_of,
};

on_every_backend!(
    tenth_story_is_readable_and_eleventh_is_withheld,
    re_reading_is_free,
    the_month_turns_at_ist_midnight,
    premium_stories_are_never_metered,
    api_reads_count_and_asking_does_not,
    withheld_text_appears_on_no_route,
    twenty_parallel_reads_grant_exactly_ten,
    two_instances_on_one_database_grant_exactly_ten,
    tampered_cookies_get_a_new_visitors_meter_and_replays_share_one,
    subscribers_read_premium_off_the_meter_until_their_access_ends,
    staff_read_everything,
    past_months_meters_are_trimmed_to_totals,
);

pub(crate) async fn premium_story_path(app: &TestApp, section_premium: bool) -> String {
    let list = app.json("/api/v1/articles?limit=100", 200).await;
    let prefix = format!("http://{}", app.address);
    list["articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["premium"] == true && (a["section"] == "smart-investor") == section_premium)
        .map(|a| a["url"].as_str().unwrap().strip_prefix(&prefix).unwrap().to_owned())
        .expect("a premium story")
}

pub(crate) fn is_withheld(html: &str) -> bool {
    html.contains(r#"<section class="paywall""#)
}

async fn tenth_story_is_readable_and_eleventh_is_withheld(backend: Backend) {
    let app = spawn_app(backend).await;
    let paths = free_story_paths(&app, 11).await;
    let mut reader = Browser::new(&app);
    for (n, path) in paths[..10].iter().enumerate() {
        let html = reader.page(path, 200).await;
        assert!(!is_withheld(&html), "story {} withheld", n + 1);
        // The note says what is left, this story counted.
        let note = match 9 - n {
            0 => "This is your last free story this month".to_owned(),
            1 => "1 free story left this month".to_owned(),
            left => format!("{left} free stories left this month"),
        };
        assert!(text_of(&html).contains(&note), "story {}: {}", n + 1, text_of(&html));
    }
    let html = reader.page(&paths[10], 200).await;
    assert!(is_withheld(&html), "the 11th story is withheld");
    let text = text_of(&html);
    for expected in [
        "You've reached your limit of 10 free stories this month.",
        "Subscribe now for unlimited access.",
        "Already subscribed? Log in",
        "Subscribe to read the full story →",
        "Smart Quarterly ₹900 3 Months ₹300/Month",
        "SAVE 25% Smart Essential ₹2,700 1 Year ₹225/Month",
        "SAVE 46% Best value Super Saver ₹3,900 2 Years ₹162/Month",
        "Renews automatically, cancel anytime",
        "Archives Repository of articles and publications dating back to 1997",
        "Ad-free Reading",
    ] {
        assert!(text.contains(expected), "paywall lacks {expected:?}: {text}");
    }
    assert!(html.contains(&format!(r#"href="/login?next={}""#, paths[10])), "log in returns to the story");
    // The free part stays: headline, byline, times, standfirst.
    assert!(html.contains("<h1>") && html.contains(r#"class="byline""#) && text.contains("Last Updated :"));
    assert!(html.contains(r#""isAccessibleForFree":false"#));
}

async fn re_reading_is_free(backend: Backend) {
    let app = spawn_app(backend).await;
    let paths = free_story_paths(&app, 10).await;
    let mut reader = Browser::new(&app);
    for path in &paths {
        reader.page(path, 200).await;
    }
    for path in [&paths[0], &paths[9], &paths[0]] {
        let html = reader.page(path, 200).await;
        assert!(!is_withheld(&html), "re-reading {path} at the limit");
        assert!(text_of(&html).contains("This is your last free story this month"));
    }
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn the_month_turns_at_ist_midnight(backend: Backend) {
    // 23:59 IST on 30 November is 18:29 UTC: still November in India.
    let clock = Arc::new(ManualClock::new(utc("2026-11-30T18:29:00Z")));
    let app = spawn_app_with(backend, masthead_web::SiteConfig { clock: clock.clone(), ..site_config() }).await;
    let paths = free_story_paths(&app, 12).await;
    let mut reader = Browser::new(&app);
    for path in &paths[..10] {
        reader.page(path, 200).await;
    }
    assert!(is_withheld(&reader.page(&paths[10], 200).await));
    // 18:29:59 UTC is still 30 November in India, though the UTC clock is nearly there too.
    clock.set(utc("2026-11-30T18:29:59Z"));
    assert!(is_withheld(&reader.page(&paths[10], 200).await));
    // 00:00 IST on 1 December: a new month, a fresh allowance.
    clock.set(utc("2026-11-30T18:30:00Z"));
    let html = reader.page(&paths[10], 200).await;
    assert!(!is_withheld(&html));
    assert!(text_of(&html).contains("9 free stories left this month"));
}

async fn premium_stories_are_never_metered(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut reader = Browser::new(&app);
    let premium = premium_story_path(&app, false).await;
    let html = reader.page(&premium, 200).await;
    assert!(is_withheld(&html));
    assert!(text_of(&html).contains("This premium story is for subscribers."));
    let smart = premium_story_path(&app, true).await;
    let html = reader.page(&smart, 200).await;
    assert!(text_of(&html).contains("The Smart Investor is for subscribers."));
    // Neither used up a free story.
    let free = &free_story_paths(&app, 1).await[0];
    assert!(text_of(&reader.page(free, 200).await).contains("9 free stories left this month"));
}

async fn api_reads_count_and_asking_does_not(backend: Backend) {
    let app = spawn_app(backend).await;
    let paths = free_story_paths(&app, 11).await;
    let ids: Vec<&str> = paths.iter().map(|p| story_id(p)).collect();
    let mut reader = Browser::new(&app);
    for _ in 0..3 {
        let answer = ask(&mut reader, ids[0]).await;
        assert_eq!(answer["decision"], "metered");
        assert_eq!(answer["used"], 1, "asking again changes nothing: {answer}");
        assert_eq!(answer["limit"], 10);
    }
    for id in &ids[..10] {
        let response = reader.get(&format!("/api/v1/articles/{id}")).await;
        let story: serde_json::Value = response.json().await.unwrap();
        assert_eq!(story["access"]["decision"], "metered");
        assert!(story["body_html"].as_str().unwrap().contains("<p>"));
    }
    let blocked = ask(&mut reader, ids[10]).await;
    assert_eq!(
        blocked,
        serde_json::json!({"decision": "blocked", "reason": "meter_exhausted", "used": 10, "limit": 10})
    );
    let story: serde_json::Value = reader.get(&format!("/api/v1/articles/{}", ids[10])).await.json().await.unwrap();
    assert_eq!(story["access"]["decision"], "blocked");
    assert!(story.get("body_html").is_none(), "no body when withheld: {story}");
    // The page agrees with the API.
    assert!(is_withheld(&reader.page(&paths[10], 200).await));
    for bad in ["abc", "0", "99999999"] {
        assert_eq!(reader.get(&format!("/api/v1/access/{bad}")).await.status().as_u16(), 404);
    }
}

/// `GET /api/v1/access/{id}` as this browser.
async fn ask(reader: &mut Browser<'_>, id: &str) -> serde_json::Value {
    let response = reader.get(&format!("/api/v1/access/{id}")).await;
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.unwrap()
}

async fn withheld_text_appears_on_no_route(backend: Backend) {
    let app = spawn_app(backend).await;
    let paths = free_story_paths(&app, 11).await;
    let mut reader = Browser::new(&app);
    for path in &paths[..10] {
        reader.page(path, 200).await;
    }
    let withheld = &paths[10];
    let id = story_id(withheld);
    let stored = app.store.published_article(id.parse().unwrap()).await.unwrap().unwrap();
    // A sentence from the withheld part: the second paragraph's text.
    let second = stored.body.as_str().split("<p>").nth(2).expect("a second paragraph");
    let sentence = second.split("</p>").next().unwrap();
    let needle = &sentence[..sentence.len().min(60)];
    let section = withheld.split('/').nth(1).unwrap();
    let published = stored.summary.first_published_at.with_timezone(&chrono_tz::Asia::Kolkata);
    let day = published.format("/archive/%Y/%m/%d").to_string();
    let month = published.format("/sitemaps/%Y-%m.xml").to_string();
    for route in [
        withheld.clone(),
        format!("/api/v1/articles/{id}"),
        format!("/api/v1/access/{id}"),
        "/api/v1/articles?limit=100".to_owned(),
        "/".to_owned(),
        format!("/{section}"),
        day,
        "/feed.xml".to_owned(),
        "/atom.xml".to_owned(),
        format!("/{section}/feed.xml"),
        format!("/{section}/atom.xml"),
        "/sitemap.xml".to_owned(),
        month,
        "/news-sitemap.xml".to_owned(),
    ] {
        let body = reader.get(&route).await.text().await.unwrap();
        assert!(!body.contains(needle), "{route} leaks withheld text {needle:?}");
    }
    // And the page does carry the free first paragraph.
    let first = stored.body.as_str().split("</p>").next().unwrap();
    assert!(reader.page(withheld, 200).await.contains(first));
}

/// Sends one request per path at once from the same browser; counts the stories delivered whole.
async fn read_all_at_once(addresses: &[std::net::SocketAddr], cookie: &str, paths: &[String]) -> usize {
    let client = masthead_billing::outbound::client_builder("tests").build().unwrap();
    let requests = paths.iter().enumerate().map(|(i, path)| {
        let url = format!("http://{}{path}", addresses[i % addresses.len()]);
        let request = client.get(url).header("cookie", cookie.to_owned());
        async move { request.send().await.unwrap().text().await.unwrap() }
    });
    let pages = futures_join_all(requests).await;
    pages.iter().filter(|html| !is_withheld(html)).count()
}

async fn futures_join_all<F: std::future::Future<Output = String> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<String> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}

async fn twenty_parallel_reads_grant_exactly_ten(backend: Backend) {
    let app = spawn_app(backend).await;
    let paths = free_story_paths(&app, 21).await;
    let mut reader = Browser::new(&app);
    reader.page(&paths[0], 200).await; // one story read, and the visitor cookie
    let granted = read_all_at_once(&[app.address], &reader.cookie_header(), &paths[1..]).await;
    assert_eq!(granted, 9, "nine more, to ten in all");
    // Durable: a new server on the same database agrees.
    let second = spawn_instance(&app, site_config()).await;
    assert_eq!(read_all_at_once(&[second], &reader.cookie_header(), &paths).await, 10, "the same 10 re-read");
}

async fn two_instances_on_one_database_grant_exactly_ten(backend: Backend) {
    let app = spawn_app(backend).await;
    // A second server process of its own, as a multi-instance deployment runs.
    let (_process, second) = spawn_process(&app);
    let paths = free_story_paths(&app, 21).await;
    let mut reader = Browser::new(&app);
    reader.page(&paths[0], 200).await;
    let granted = read_all_at_once(&[app.address, second], &reader.cookie_header(), &paths[1..]).await;
    assert_eq!(granted, 9, "nine more, to ten in all");
}

async fn tampered_cookies_get_a_new_visitors_meter_and_replays_share_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let paths = free_story_paths(&app, 12).await;
    let mut reader = Browser::new(&app);
    for path in &paths[..10] {
        reader.page(path, 200).await;
    }
    let cookie = reader.cookies["mh_visitor"].clone();
    // Replayed in another browser: the same meter, already spent.
    let mut replay = Browser::new(&app);
    replay.cookies.insert("mh_visitor".into(), cookie.clone());
    assert!(is_withheld(&replay.page(&paths[10], 200).await));
    // Tampered (id changed, signature kept, or signature forged): ignored, and
    // the browser is a brand-new visitor with a new signed cookie — never more.
    let (id, signature) = cookie.split_once('.').unwrap();
    let first = if id.starts_with('0') { '1' } else { '0' };
    let flipped = format!("{first}{}", &id[1..]);
    for forged in [format!("{flipped}.{signature}"), format!("{id}.{}", "0".repeat(64)), "garbage".to_owned()] {
        let mut tampered = Browser::new(&app);
        tampered.cookies.insert("mh_visitor".into(), forged.clone());
        let html = tampered.page(&paths[11], 200).await;
        assert!(text_of(&html).contains("9 free stories left this month"), "{forged}");
        assert_ne!(tampered.cookies["mh_visitor"], forged, "a new cookie replaces the forged one");
    }
    // The original visitor is still over the limit.
    assert!(is_withheld(&reader.page(&paths[11], 200).await));
}

async fn subscribers_read_premium_off_the_meter_until_their_access_ends(backend: Backend) {
    let clock = Arc::new(ManualClock::new(utc("2026-11-27T12:00:00Z")));
    let app = spawn_app_with(backend, masthead_web::SiteConfig { clock: clock.clone(), ..site_config() }).await;
    let premium = premium_story_path(&app, false).await;
    let smart = premium_story_path(&app, true).await;
    let free = free_story_paths(&app, 1).await.remove(0);
    register(&app, "subscriber@example.com").await;
    let mut reader = Browser::new(&app);
    log_in(&mut reader, "subscriber@example.com", PASSWORD).await;
    // Registered but not subscribed: premium is withheld, free stories metered.
    assert!(text_of(&reader.page(&premium, 200).await).contains("This premium story is for subscribers."));
    assert!(text_of(&reader.page(&free, 200).await).contains("9 free stories left this month"));
    // A test fixture grants the subscription's benefits for a month (billing grants them later).
    let id = app.store.reader_by_email(&Email::parse("subscriber@example.com").unwrap()).await.unwrap().unwrap().id;
    for benefit in masthead_domain::access::Benefit::ALL {
        let until = utc("2026-12-27T12:00:00Z");
        app.store.grant_benefit(id, benefit, clock.now(), Some(until), "test").await.unwrap();
    }
    for path in [&premium, &smart, &free] {
        let html = reader.page(path, 200).await;
        assert!(!is_withheld(&html), "{path} withheld from a subscriber");
        assert!(
            !html.contains("left this month") && !html.contains("last free story"),
            "subscribers are off the meter"
        );
    }
    let answer: serde_json::Value =
        reader.get(&format!("/api/v1/access/{}", story_id(&premium))).await.json().await.unwrap();
    assert_eq!(answer["decision"], "allowed");
    assert_eq!(answer["reason"], "subscriber");
    // When the access ends, premium is withheld again.
    clock.set(utc("2026-12-27T12:00:01Z"));
    assert!(is_withheld(&reader.page(&premium, 200).await));
}

async fn staff_read_everything(backend: Backend) {
    let app = spawn_app_with(backend, masthead_web::SiteConfig { meter_limit: 0, ..site_config() }).await;
    register(&app, "editor@example.com").await;
    let id = app.store.reader_by_email(&Email::parse("editor@example.com").unwrap()).await.unwrap().unwrap().id;
    app.store.set_role(id, Role::Editor).await.unwrap().unwrap();
    let mut editor = Browser::new(&app);
    log_in(&mut editor, "editor@example.com", PASSWORD).await;
    let free = free_story_paths(&app, 1).await.remove(0);
    for path in [premium_story_path(&app, false).await, premium_story_path(&app, true).await, free.clone()] {
        assert!(!is_withheld(&editor.page(&path, 200).await), "{path} withheld from staff");
    }
    // With a zero meter, a reader gets nothing free.
    assert!(is_withheld(&Browser::new(&app).page(&free, 200).await));
}

async fn past_months_meters_are_trimmed_to_totals(backend: Backend) {
    let clock = Arc::new(ManualClock::new(utc("2026-11-20T10:00:00Z")));
    // The funnel keeps one day raw: past months' meters are not needed for it.
    let config = || masthead_web::SiteConfig { clock: clock.clone(), insights_raw_days: 1, ..site_config() };
    let app = spawn_app_with(backend, config()).await;
    let paths = free_story_paths(&app, 12).await;
    // November: one visitor reads up to the limit, another reads two stories.
    let mut full = Browser::new(&app);
    for path in &paths[..10] {
        full.page(path, 200).await;
    }
    let mut light = Browser::new(&app);
    for path in &paths[..2] {
        light.page(path, 200).await;
    }
    assert!(app.store.meter_month_totals().await.unwrap().is_empty(), "this month is never trimmed");

    // December: a server starting now trims November at once.
    clock.set(utc("2026-12-02T10:00:00Z"));
    let _december = spawn_instance(&app, config()).await;
    let mut totals = Vec::new();
    for _ in 0..100 {
        totals = app.store.meter_month_totals().await.unwrap();
        if !totals.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(totals, vec![(202611, "v".to_owned(), (2, 12, 1))], "two meters, twelve reads, one at the limit");
    // The funnel rolled November's days up before their meter rows went: the twelve reads are still counted.
    let november = app.store.insight_counts(masthead_store::Breakdown::All, "2026-11-01", "2026-11-30").await.unwrap();
    let reads: Vec<(&str, i64, i64)> = november
        .iter()
        .filter(|count| count.kind == "metered_read")
        .map(|count| (count.day.as_str(), count.events, count.visitors))
        .collect();
    assert_eq!(reads, [("2026-11-20", 12, 2)], "{november:?}");
    // The paywall starts December afresh, and December's meter stays.
    let html = light.page(&paths[2], 200).await;
    assert!(text_of(&html).contains("9 free stories left this month"), "{}", text_of(&html));

    // Nothing of November is left to trim, and December is kept.
    let output =
        masthead().args(["trim-meters", "--database-url", &app.database_url(), "--before", "202612"]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let said = String::from_utf8(output.stdout).unwrap();
    assert!(said.starts_with("Trimmed 0 meters (0 stories read) of 0 months before 202612"), "{said}");
    // A later trim takes December, adding to the totals, never counting a meter twice.
    let output =
        masthead().args(["trim-meters", "--database-url", &app.database_url(), "--before", "202701"]).output().unwrap();
    let said = String::from_utf8(output.stdout).unwrap();
    assert!(said.starts_with("Trimmed 1 meters (1 stories read) of 1 months before 202701"), "{said}");
    assert_eq!(
        app.store.meter_month_totals().await.unwrap(),
        vec![(202611, "v".to_owned(), (2, 12, 1)), (202612, "v".to_owned(), (1, 1, 0))]
    );
    // A month that is not one is refused before anything is touched.
    let output =
        masthead().args(["trim-meters", "--database-url", &app.database_url(), "--before", "202613"]).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("write it as YYYYMM"));
}
