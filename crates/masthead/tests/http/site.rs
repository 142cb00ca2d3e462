//! The reader site over HTTP: home, sections, the seed story exactly as the
//! seed page shows it, canonical redirects, archive days, error pages.

use chrono::Utc;
use masthead_domain::{ArticleStatus, Credit, NewArticle, SafeHtml};

use masthead_domain::access::Benefit;
use masthead_domain::email::Email;

use crate::support::{
    Backend, Browser, PASSWORD, PRODUCTION_ARCHIVE_AGE_DAYS, PUBLISHER, TestApp, log_in, on_every_backend, register,
    site_config, spawn_app, spawn_app_with, text_of,
};

on_every_backend!(
    seed_story_page_carries_every_element_of_the_seed,
    archived_stories_show_visitors_the_archive_paywall,
    wrong_or_old_slug_redirects_to_the_canonical_url,
    bad_story_ids_are_404_pages,
    home_has_a_lead_and_every_section,
    the_home_page_leads_with_the_newest_story_that_has_a_picture,
    section_pages_paginate_newest_first,
    archive_day_lists_the_days_stories_by_section,
    archive_goes_from_years_to_months_to_days,
    bodies_are_sanitised_before_they_reach_a_page,
    storage_failure_is_a_500_page_without_internals,
    health_check_answers_when_ready,
    devanagari_reads_on_devices_without_an_indian_font,
    subscribe_page_offers_the_seed_plans,
    responses_that_depend_on_the_reader_are_private,
    every_response_carries_the_security_headers,
);

const SEED_SLUG: &str = "kremlin-no-positive-shift-yet-on-russia-us-ties";

/// The seed story's path, found the way a reader would: on its archive day.
async fn seed_story_path(app: &TestApp) -> String {
    let day = app.page("/archive/2017/04/13", 200).await;
    let start = day.find(&format!("/world/{SEED_SLUG}-")).expect("seed story on its day");
    let end = start + day[start..].find('"').unwrap();
    day[start..end].to_owned()
}

/// The site with the production archive age, where the seed story (2017) is
/// in the archive.
async fn spawn_with_archive_age(backend: Backend) -> TestApp {
    let config = masthead_web::SiteConfig { archive_age_days: PRODUCTION_ARCHIVE_AGE_DAYS, ..site_config() };
    spawn_app_with(backend, config).await
}

/// A logged-in browser whose account holds only the archive benefit.
async fn archive_reader<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    register(app, email).await;
    let id = app.store.reader_by_email(&Email::parse(email).unwrap()).await.unwrap().unwrap().id;
    app.store.grant_benefit(id, Benefit::Archive, Utc::now() - chrono::Duration::hours(1), None, "test").await.unwrap();
    let mut browser = Browser::new(app);
    log_in(&mut browser, email, PASSWORD).await;
    browser
}

async fn seed_story_page_carries_every_element_of_the_seed(backend: Backend) {
    let app = spawn_with_archive_age(backend).await;
    let path = seed_story_path(&app).await;
    // The seed story is from 2017: in the archive, read with the archive benefit.
    let mut reader = archive_reader(&app, "archivist@example.com").await;
    let html = reader.page(&path, 200).await;
    assert!(!html.contains(r#"<section class="paywall""#), "the archive benefit opens the archive");
    let text = text_of(&html);

    assert!(html.contains("<h1>Kremlin: No positive shift yet on Russia-US ties</h1>"));
    assert!(html.contains(r#"<p class="byline">AP Moscow</p>"#), "wire byline");
    assert!(text.contains("Last Updated : Apr 13 2017 | 8:13 PM IST"), "{text}");
    assert!(text.contains("First Published: Apr 13 2017 | 8:13 PM IST"), "{text}");
    // The last-updated line comes before the body, first-published after it, as on the seed.
    let updated = text.find("Last Updated :").unwrap();
    let body = text.find("President Vladimir Putin's meeting").unwrap();
    let published = text.find("First Published:").unwrap();
    assert!(updated < body && body < published);
    // Every paragraph of the seed's body, first to last.
    for paragraph in [
        "President Vladimir Putin's meeting with US Secretary of State Rex Tillerson hasn't produced any positive shift yet in Russia-US relations, the Kremlin said today.",
        "Asked if the meeting at the Kremlin marked any positive change, Peskov said: \"Too early yet.\"",
        "The tense back-and-forth over last week's deadly chemical attack in Syria has added to the strain.",
        "\"The results will not come quickly,\" Lavrov said. \"But at least we agreed to establish a dialogue on a number of important issues, including problems created by the previous administration.",
    ] {
        assert!(text.contains(paragraph), "missing paragraph: {paragraph}");
    }
    let seed = masthead_demo::seed_story(Default::default());
    assert!(html.matches("<p>").count() >= 11, "every paragraph is a paragraph");
    assert!(html.contains(seed.body.as_str().trim()), "the whole stored body is on the page");
    assert!(text.contains(&format!("Disclaimer: No {PUBLISHER} Journalist was involved in creation of this content")));
    // More From This Section: other World stories, never the story itself.
    let more = &html[html.find("More From This Section").expect("more from section")..];
    assert!(more.matches("href=\"/world/").count() >= 3, "{more}");
    assert!(!more.contains(&path));
    assert!(html.contains(r#"<a href="/world" aria-current="page">World</a>"#));
}

async fn archived_stories_show_visitors_the_archive_paywall(backend: Backend) {
    let app = spawn_with_archive_age(backend).await;
    let path = seed_story_path(&app).await;
    let mut visitor = Browser::new(&app);
    let html = visitor.page(&path, 200).await;
    assert!(html.contains(r#"<section class="paywall""#), "withheld from a visitor");
    let text = text_of(&html);
    assert!(text.contains("Stories older than 30 days are in the archive, a subscriber benefit."), "{text}");
    // The free part only: the first paragraph, never the third.
    assert!(text.contains("President Vladimir Putin's meeting"));
    assert!(!text.contains("The tense back-and-forth over last week's deadly chemical attack"));
    // Not on the meter: nothing was counted.
    let id = path.rsplit('-').next().unwrap();
    let answer: serde_json::Value = visitor.get(&format!("/api/v1/access/{id}")).await.json().await.unwrap();
    assert_eq!(answer["decision"], "blocked");
    assert_eq!(answer["reason"], "archive_only");
    assert_eq!(answer["used"], 0);
}

async fn wrong_or_old_slug_redirects_to_the_canonical_url(backend: Backend) {
    let app = spawn_app(backend).await;
    let path = seed_story_path(&app).await;
    let id = path.rsplit('-').next().unwrap();
    for wrong in [format!("/world/old-headline-{id}"), format!("/world/{id}"), format!("/markets/{SEED_SLUG}-{id}")] {
        let response = app.get(&wrong).await;
        assert_eq!(response.status().as_u16(), 301, "{wrong}");
        assert_eq!(response.headers()["location"], path.as_str(), "{wrong}");
    }
}

async fn bad_story_ids_are_404_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in [
        "/world/kremlin",
        "/world/kremlin-abc",
        "/world/kremlin-0",
        "/world/kremlin-999999999",
        "/world/kremlin-99999999999999999999999",
        "/nowhere",
        "/world/a/b",
        "/archive/2017/02/30",
        "/archive/2017/4/13",
        "/world?page=abc",
        "/world?page=0",
        "/world?page=9999",
    ] {
        let html = app.page(path, 404).await;
        assert!(html.contains("<h1>Page not found</h1>"), "{path}: {html}");
    }
}

async fn home_has_a_lead_and_every_section(backend: Backend) {
    let app = spawn_app(backend).await;
    let html = app.page("/", 200).await;
    assert!(html.contains(r#"<article class="lead">"#));
    for (slug, name, _) in masthead_domain::section::DEMO_SECTIONS {
        assert!(html.contains(&format!(r#"<h2 id="desk-{slug}"><a href="/{slug}">{name}</a></h2>"#)), "{slug}");
    }
    assert!(html.contains(&format!("<title>{PUBLISHER}</title>")));
}

/// The home page's lead article, from its opening tag to its end.
fn home_lead(home: &str) -> &str {
    let start = home.find("<article class=\"lead").expect("a lead");
    let lead = &home[start..];
    &lead[..lead.find("</article>").unwrap()]
}

async fn the_home_page_leads_with_the_newest_story_that_has_a_picture(backend: Backend) {
    let app = spawn_app(backend).await;
    // Three new stories, a minute apart: the oldest of them has a picture.
    let story = |headline: &str, minutes_ago: i64| {
        let at = Utc::now() - chrono::Duration::minutes(minutes_ago);
        NewArticle {
            section: "economy".into(),
            headline: headline.into(),
            standfirst: "A standfirst.".into(),
            body: SafeHtml::from_paragraphs(["A paragraph."]),
            credit: Credit::Staff("Test Writer".into()),
            dateline: None,
            premium: false,
            status: ArticleStatus::Published,
            first_published_at: at,
            updated_at: at,
            lang: masthead_domain::Lang::site(),
        }
    };
    let pictured = app.store.insert_article(&story("Floods reach the city", 3)).await.unwrap();
    let photo =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../masthead-wire/tests/fixtures/photo_16x12.png")).unwrap();
    let meta = masthead_media::ImageMeta { alt: Some("A flooded street".into()), ..Default::default() };
    let image = masthead_media::ingest(&app.store, &photo, &meta).await.unwrap();
    app.store.set_article_images(pictured, &[image.id]).await.unwrap();
    app.store.insert_article(&story("Rates held at the meeting", 2)).await.unwrap();
    app.store.insert_article(&story("Markets close flat", 1)).await.unwrap();

    // The newest with a picture leads, pictured, its size given (no layout
    // shift) and fetched at once; the newer stories keep the top of their desk.
    let home = app.page("/", 200).await;
    let lead = home_lead(&home);
    assert!(lead.starts_with(r#"<article class="lead pictured">"#) && lead.contains("Floods reach the city"), "{lead}");
    assert!(lead.contains(r#"<source type="image/webp" srcset="/media/"#), "{lead}");
    assert!(lead.contains(r#"width="16" height="12" alt="A flooded street""#) && !lead.contains("loading="), "{lead}");
    let desk = home.split(r#"<section class="desk" aria-labelledby="desk-economy">"#).nth(1).unwrap();
    let desk = desk.split("</section>").next().unwrap();
    assert!(desk.find("Markets close flat").unwrap() < desk.find("Rates held at the meeting").unwrap(), "{desk}");
    assert!(!desk.contains("Floods reach the city"), "the lead is not repeated in its desk");

    // Ten newer stories without pictures: the pictured one is no longer
    // recent, and the newest leads without a picture.
    for n in 0..10 {
        app.store.insert_article(&story(&format!("Later story {n}"), 0)).await.unwrap();
    }
    let home = app.page("/", 200).await;
    let lead = home_lead(&home);
    assert!(lead.starts_with(r#"<article class="lead">"#) && lead.contains("Later story 9"), "{lead}");
}

async fn section_pages_paginate_newest_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.page("/world", 200).await;
    let second = app.page("/world?page=2", 200).await;
    assert!(first.contains(r#"<a href="/world?page=2" rel="next">Older stories →</a>"#));
    assert!(!first.contains("Newer stories"));
    assert!(second.contains(r#"<a href="/world" rel="prev">← Newer stories</a>"#));
    let first_links = story_links(&first, "/world/");
    let second_links = story_links(&second, "/world/");
    assert_eq!(first_links.len(), 20);
    assert!(second_links.iter().all(|l| !first_links.contains(l)), "pages do not overlap");
    // Newest first: datetimes descend down the page and across pages.
    let times: Vec<_> = [&first, &second].iter().flat_map(|p| datetimes(p)).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    // The premium vertical is a section like the others, marked for subscribers.
    let smart = app.page("/smart-investor", 200).await;
    assert!(smart.contains("For subscribers"));
}

async fn archive_day_lists_the_days_stories_by_section(backend: Backend) {
    let app = spawn_app(backend).await;
    let html = app.page("/archive/2017/04/13", 200).await;
    assert!(html.contains("Archive: Thursday, 13 April 2017"));
    assert!(html.contains(r#"<h2 id="day-world">World</h2>"#));
    assert!(html.contains("Kremlin: No positive shift yet on Russia-US ties"));
    // Neighbouring days with stories are linked, earlier and later.
    assert!(html.contains(r#"rel="prev""#) && html.contains(r#"rel="next""#));
    let empty = app.page("/archive/1990/01/01", 200).await;
    assert!(empty.contains("No stories were published on this day."));
    assert!(empty.contains(r#"rel="next""#), "points forward to the first day");
}

async fn archive_goes_from_years_to_months_to_days(backend: Backend) {
    let app = spawn_app(backend).await;
    let years = app.page("/archive", 200).await;
    for year in ["1997", "2017", "2026"] {
        assert!(years.contains(&format!(r#"<a href="/archive/{year}">{year}</a>"#)), "{year}: {years}");
    }
    let year = app.page("/archive/2017", 200).await;
    assert!(year.contains(r#"<a href="/archive/2017/04">April 2017</a>"#), "{year}");
    assert!(year.contains(r#"href="/archive/2016" rel="prev""#) && year.contains(r#"href="/archive/2018" rel="next""#));
    let month = app.page("/archive/2017/04", 200).await;
    assert!(month.contains(r#"<a href="/archive/2017/04/13">Thursday 13 April</a>"#), "{month}");
    assert!(text_of(&month).contains("(1 story)") || text_of(&month).contains("stories)"));
    assert!(month.contains(r#"href="/archive/2017/03" rel="prev""#) || month.contains(r#"rel="prev""#));
    // The day page it links to lists the seed story.
    assert!(app.page("/archive/2017/04/13", 200).await.contains("Kremlin: No positive shift yet on Russia-US ties"));
    for bad in ["/archive/17", "/archive/2017/13", "/archive/2017/4", "/archive/abcd"] {
        app.page(bad, 404).await;
    }
}

async fn bodies_are_sanitised_before_they_reach_a_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let now = Utc::now();
    let story = NewArticle {
        section: "technology".into(),
        headline: "Hostile markup test".into(),
        standfirst: "<script>alert('standfirst')</script>".into(),
        body: SafeHtml::sanitize(
            r#"<p onclick="steal()">Safe words.</p><script>alert(1)</script><a href="javascript:alert(2)">link</a><img src=x onerror="alert(3)">"#,
        ),
        credit: Credit::Staff("Test Writer".into()),
        dateline: None,
        premium: false,
        status: ArticleStatus::Published,
        first_published_at: now,
        updated_at: now,
        lang: masthead_domain::Lang::site(),
    };
    let id = app.store.insert_article(&story).await.unwrap();
    let html = app.page(&format!("/technology/hostile-markup-test-{id}"), 200).await;
    assert!(html.contains("<p>Safe words.</p>"));
    for bad in ["<script>", "alert(1)", "onclick", "onerror", "javascript:"] {
        assert!(!html.contains(bad), "{bad} reached the page");
    }
    // The only script element is the page's own JSON-LD.
    assert_eq!(html.matches("<script").count(), 1);
    assert!(html.contains(r#"<script type="application/ld+json">"#));
    assert!(html.contains(r#"<p class="standfirst">&#60;script&#62;alert("#), "text fields are escaped");
}

async fn storage_failure_is_a_500_page_without_internals(backend: Backend) {
    let app = spawn_app(backend).await;
    app.store.close().await;
    let html = app.page("/world", 500).await;
    assert!(html.contains("Something went wrong"));
    assert!(!html.to_lowercase().contains("pool"), "no internals: {html}");
    assert_eq!(app.get("/healthz").await.status().as_u16(), 503);
}

async fn health_check_answers_when_ready(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.text().await.unwrap(), "ok\n");
}

async fn devanagari_reads_on_devices_without_an_indian_font(backend: Backend) {
    let app = spawn_app(backend).await;
    let css = app.get("/assets/site.css").await.text().await.unwrap();
    for weight in ["400", "700"] {
        let path = format!("/assets/fonts/noto-sans-devanagari-{weight}.woff2");
        assert!(css.contains(&format!("url({path})")), "the stylesheet asks for {path}");
        let response = app.get(&path).await;
        assert_eq!(response.status().as_u16(), 200, "{path}");
        assert_eq!(response.headers()["content-type"], "font/woff2");
        assert!(response.headers()["cache-control"].to_str().unwrap().starts_with("public"));
        let bytes = response.bytes().await.unwrap();
        // WOFF2 (its signature), small enough for a phone's first paint.
        assert!(bytes.starts_with(b"wOF2") && bytes.len() < 100_000, "{path}: a WOFF2 font of {} bytes", bytes.len());
    }
    // Only pages holding Devanagari fetch it, and it heads every font stack (Chromium
    // drew boxes, and kept them, for Devanagari in a stack naming it after Georgia or system-ui).
    assert_eq!(css.matches("unicode-range: U+0900-097F").count(), 2);
    for face in ["Georgia", "system-ui"] {
        let stacks = css.matches(face).count();
        assert!(stacks > 0, "the stylesheet names {face}");
        let headed = css.matches(&format!("\"Noto Sans Devanagari\", {face}")).count();
        assert_eq!(headed, stacks, "every stack naming {face} starts with Noto Sans Devanagari");
    }
    assert_eq!(app.get("/assets/fonts/other.ttf").await.status().as_u16(), 404);
}

/// Story links (`href="/world/slug-id"`) on a page, in order, without "More From This Section".
fn story_links(html: &str, prefix: &str) -> Vec<String> {
    html.match_indices(&format!("href=\"{prefix}"))
        .map(|(i, _)| {
            let rest = &html[i + 6..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect()
}

/// The `datetime` attributes on a page, in order.
fn datetimes(html: &str) -> Vec<chrono::DateTime<chrono::FixedOffset>> {
    html.match_indices("datetime=\"")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            chrono::DateTime::parse_from_rfc3339(&rest[..rest.find('"').unwrap()]).unwrap()
        })
        .collect()
}

async fn subscribe_page_offers_the_seed_plans(backend: Backend) {
    let app = spawn_app(backend).await;
    let text = text_of(&app.page("/subscribe?next=/world/some-story-12", 200).await);
    for expected in [
        "Smart Quarterly ₹900 3 Months ₹300/Month",
        "SAVE 25% Smart Essential ₹2,700 1 Year ₹225/Month",
        "SAVE 46% Best value Super Saver ₹3,900 2 Years ₹162/Month",
        "Renews automatically, cancel anytime",
        "Curated Newsletters",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    let html = app.page("/subscribe?next=/world/some-story-12", 200).await;
    assert!(html.contains(r#"href="/login?next=/subscribe%3Fnext%3D/world/some-story-12""#), "back here after log-in");
    let elsewhere = app.page("/subscribe?next=//evil.example/x", 200).await;
    assert!(elsewhere.contains(r#"href="/login?next=/subscribe""#) && !elsewhere.contains("evil.example"));
}

/// Every GET a reader can make on the test site, with the ids filled in.
async fn every_route(app: &TestApp, checkout: &str) -> Vec<String> {
    let free = crate::support::free_story_paths(app, 1).await.remove(0);
    let premium = crate::meter::premium_story_path(app, false).await;
    let id = crate::support::story_id(&free).to_owned();
    let mut routes: Vec<String> = [
        "/",
        "/world",
        "/world?page=2",
        "/smart-investor",
        "/archive",
        "/archive/1998",
        "/archive/1998/06",
        "/archive/2017/04/13",
        "/search?q=market",
        "/api/v1/search?q=market",
        "/api/v1/articles?limit=5",
        "/api/v1/plans",
        "/api/v1/me",
        "/api/v1/me/devices",
        "/feed.xml",
        "/atom.xml",
        "/world/feed.xml",
        "/sitemap.xml",
        "/news-sitemap.xml",
        "/robots.txt",
        "/healthz",
        "/assets/site.css",
        "/subscribe",
        "/subscribe?next=/world",
        "/signup",
        "/login",
        "/login?next=/account",
        "/account",
        "/account/devices",
        "/account/forgot-password",
        "/newsroom",
        "/no-such-page",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    routes.extend([
        free.clone(),
        premium.clone(),
        format!("/api/v1/articles/{id}"),
        format!("/api/v1/access/{id}"),
        format!("/api/v1/access/{}", crate::support::story_id(&premium)),
        checkout.to_owned(),
    ]);
    routes
}

fn may_be_shared(response: &reqwest::Response) -> bool {
    let cache = response.headers().get("cache-control").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    !(cache.contains("private") || cache.contains("no-store"))
}

async fn responses_that_depend_on_the_reader_are_private(backend: Backend) {
    let app = spawn_app(backend).await;
    register(&app, "subscriber@example.com").await;
    let id = app.store.reader_by_email(&Email::parse("subscriber@example.com").unwrap()).await.unwrap().unwrap().id;
    for benefit in Benefit::ALL {
        app.store.grant_benefit(id, benefit, Utc::now() - chrono::Duration::hours(1), None, "test").await.unwrap();
    }
    let mut subscriber = Browser::new(&app);
    log_in(&mut subscriber, "subscriber@example.com", PASSWORD).await;
    // The subscriber's own checkout page, for a plan bought through the API.
    let token: serde_json::Value = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&serde_json::json!({ "email": "subscriber@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let created: serde_json::Value = app
        .client
        .post(app.url("/api/v1/subscriptions"))
        .bearer_auth(token["token"].as_str().unwrap())
        .json(&serde_json::json!({ "plan_id": 1, "provider": "sandbox" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let checkout = format!("/checkout/sandbox/{}", created["subscription_id"].as_i64().expect("a sandbox checkout"));
    let mut visitor = Browser::new(&app);
    visitor.get("/").await;
    let mut differing = Vec::new();
    for path in every_route(&app, &checkout).await {
        let (as_visitor, as_subscriber) = (visitor.get(&path).await, subscriber.get(&path).await);
        let shared = (may_be_shared(&as_visitor), may_be_shared(&as_subscriber));
        let (visitor_status, subscriber_status) = (as_visitor.status(), as_subscriber.status());
        let (visitor_body, subscriber_body) = (as_visitor.text().await.unwrap(), as_subscriber.text().await.unwrap());
        if visitor_status != subscriber_status || visitor_body != subscriber_body {
            differing.push(path.clone());
            assert_eq!(shared, (false, false), "{path} differs between readers, yet a shared cache may keep it");
        }
    }
    // The walk reached what the issue named, and pages every reader shares stay cacheable.
    for path in ["/subscribe", checkout.as_str(), "/account", "/api/v1/me", "/signup"] {
        assert!(differing.iter().any(|p| p == path), "{path} should differ by reader: {differing:?}");
    }
    for path in ["/assets/site.css", "/feed.xml"] {
        assert!(may_be_shared(&visitor.get(path).await), "{path} is the same for everyone");
    }
}

async fn every_response_carries_the_security_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    register(&app, "reader@example.com").await;
    let mut reader = Browser::new(&app);
    log_in(&mut reader, "reader@example.com", PASSWORD).await;
    let mut visitor = Browser::new(&app);
    let mut pages = 0;
    for path in every_route(&app, "/checkout/sandbox/999999").await {
        for browser in [&mut visitor, &mut reader] {
            let response = browser.get(&path).await;
            let header = |name: &str| {
                response.headers().get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_else(|| {
                    panic!("{path}: no {name}");
                })
            };
            let policy = header("content-security-policy");
            for directive in ["default-src 'none'", "script-src 'none'", "style-src 'self'", "frame-ancestors 'none'"] {
                assert!(policy.contains(directive), "{path}: {policy}");
            }
            assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
            assert_eq!(header("x-frame-options"), "DENY", "{path}");
            assert!(["strict-origin-when-cross-origin", "no-referrer"].contains(&header("referrer-policy").as_str()));
            assert!(response.headers().get("strict-transport-security").is_none(), "{path}: not over plain HTTP");
            let is_html =
                response.headers().get("content-type").is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
            let body = response.text().await.unwrap();
            if is_html {
                pages += 1;
                // What the policy forbids, no page may need: no script but data, no inline style.
                let scripts = body.matches("<script").count();
                let data = body.matches(r#"<script type="application/ld+json">"#).count();
                assert_eq!(scripts, data, "{path}: a script the policy would refuse");
                assert!(!body.contains(" style=") && !body.contains("<style"), "{path}: an inline style");
            }
        }
    }
    assert!(pages > 30, "{pages} pages checked");
    // A refused form, a JSON error and a redirect carry them too.
    let refused = app.client.post(app.url("/signup")).header("origin", "https://evil.example").send().await.unwrap();
    let unauthorized = app.get("/api/v1/me").await;
    let redirect = app.get("/account").await;
    for response in [refused, unauthorized, redirect] {
        assert!(response.headers().contains_key("content-security-policy"), "{}", response.url());
    }
    // Over HTTPS, browsers are told to stay on it.
    let https = masthead_web::SiteConfig { public_url: Some("https://news.example".to_owned()), ..site_config() };
    let app = spawn_app_with(backend, https).await;
    let response = app.get("/").await;
    assert_eq!(response.headers()["strict-transport-security"], "max-age=63072000; includeSubDomains");
}
