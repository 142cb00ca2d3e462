//! The paywall's edges over HTTP: search counts a match only on text the
//! reader may read; the free part (the opening paragraph of prose, capped)
//! is all a reader without access gets on every route; a section marked
//! premium is protected on the next request on every instance; pictures come
//! only from the site and the configured hosts, and links are normalised;
//! the archive counts each year's stories.

use std::time::{Duration, Instant};

use chrono::Utc;
use masthead_domain::access::Benefit;
use masthead_domain::email::Email;
use masthead_domain::slug::story_path;
use masthead_domain::{ArticleStatus, Credit, NewArticle, SafeHtml, Section};
use masthead_web::SiteConfig;

use crate::meter::is_withheld;
use crate::newsroom::{create, live_path, staff};
use crate::support::{
    Backend, Browser, PASSWORD, PRODUCTION_ARCHIVE_AGE_DAYS, TestApp, fetch, form_body, log_in, on_every_backend,
    register, site_config, spawn_app, spawn_app_with, spawn_instance, text_of,
};

on_every_backend!(
    search_counts_withheld_text_only_for_readers_entitled_to_it,
    a_body_opening_with_a_list_gives_visitors_the_standfirst_alone,
    a_long_opening_paragraph_is_cut_for_visitors,
    a_section_marked_premium_is_protected_on_the_next_request_everywhere,
    pictures_come_only_from_the_site_and_configured_hosts,
    the_archive_counts_each_years_stories,
    structured_data_names_the_paid_part_for_search_engines,
);

/// A phrase only the withheld part of the test's premium story holds.
const WITHHELD_PHRASE: &str = "zebracorn quantum ledger";

fn article(section: &str, headline: &str, premium: bool, body: SafeHtml) -> NewArticle {
    let now = Utc::now();
    NewArticle {
        section: section.into(),
        headline: headline.into(),
        standfirst: "Standfirst anyone may read.".into(),
        body,
        credit: Credit::Staff("Test Writer".into()),
        dateline: None,
        premium,
        status: ArticleStatus::Published,
        first_published_at: now,
        updated_at: now,
        lang: masthead_domain::Lang::site(),
    }
}

/// Stores a story; returns its id and path.
async fn publish(app: &TestApp, story: &NewArticle) -> (i64, String) {
    let id = app.store.insert_article(story).await.unwrap();
    (id, story_path(&story.section, &story.slug(), id))
}

/// A reader logged in with `benefits`.
async fn reader_with<'a>(app: &'a TestApp, email: &str, benefits: &[Benefit]) -> Browser<'a> {
    register(app, email).await;
    let id = app.store.reader_by_email(&Email::parse(email).unwrap()).await.unwrap().unwrap().id;
    for benefit in benefits {
        app.store.grant_benefit(id, *benefit, Utc::now() - chrono::Duration::hours(1), None, "test").await.unwrap();
    }
    let mut browser = Browser::new(app);
    log_in(&mut browser, email, PASSWORD).await;
    browser
}

/// The search API's answer for `q`, as `browser`'s reader.
async fn search(browser: &mut Browser<'_>, q: &str) -> serde_json::Value {
    let response = browser.get(&format!("/api/v1/search?{}", form_body(&[("q", q)]))).await;
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.unwrap()
}

/// Polls `browser`'s search for `q` until it finds `total` (the indexer works
/// in the background).
async fn wait_for_total(browser: &mut Browser<'_>, q: &str, total: u64) -> serde_json::Value {
    let started = Instant::now();
    loop {
        let answer = search(browser, q).await;
        if answer["total"].as_u64() == Some(total) {
            return answer;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{q}: {answer}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn search_counts_withheld_text_only_for_readers_entitled_to_it(backend: Backend) {
    let config = SiteConfig { archive_age_days: PRODUCTION_ARCHIVE_AGE_DAYS, ..site_config() };
    let app = spawn_app_with(backend, config).await;
    let body = SafeHtml::from_paragraphs([
        "An opening paragraph about gadgets.",
        &format!("Only subscribers read that the {WITHHELD_PHRASE} balances."),
    ]);
    publish(&app, &article("technology", "Premium gadget economics", true, body)).await;
    // A free story older than the archive age: withheld from readers without the archive.
    let mut old = article(
        "world",
        "Old free story",
        false,
        SafeHtml::from_paragraphs(["Opening.", "The archived okapiwhistle remark."]),
    );
    old.first_published_at = Utc::now() - chrono::Duration::days(400);
    publish(&app, &old).await;
    let phrase = format!("\"{WITHHELD_PHRASE}\"");
    let mut subscriber = reader_with(&app, "subscriber@example.com", &[Benefit::PremiumStories]).await;
    let found = wait_for_total(&mut subscriber, &phrase, 1).await;
    assert!(found["results"][0]["snippet"].as_str().unwrap().contains("<mark>"), "{found}");
    let mut archivist = reader_with(&app, "archivist@example.com", &[Benefit::Archive]).await;
    wait_for_total(&mut archivist, "okapiwhistle", 1).await;
    // Neither a visitor nor a registered reader learns that the phrase is there.
    let mut visitor = Browser::new(&app);
    let mut registered = reader_with(&app, "reader@example.com", &[]).await;
    for browser in [&mut visitor, &mut registered] {
        for q in [phrase.as_str(), "zebracorn", "okapiwhistle", "gadgets zebracorn"] {
            let answer = search(browser, q).await;
            assert_eq!(answer["total"], 0, "{q}: {answer}");
        }
        // The free text still finds the story, with a snippet from it.
        let answer = search(browser, "gadgets").await;
        assert_eq!(answer["total"], 1, "{answer}");
        assert!(!answer.to_string().contains("zebracorn"), "{answer}");
        let page = browser.page(&format!("/search?{}", form_body(&[("q", &phrase)])), 200).await;
        assert!(text_of(&page).contains("0 results"), "{}", text_of(&page));
    }
    // Each benefit opens only its own kind of story.
    assert_eq!(search(&mut subscriber, "okapiwhistle").await["total"], 0);
    assert_eq!(search(&mut archivist, &phrase).await["total"], 0);
}

/// What a visitor gets of a story on the page, the API, the feeds and search.
async fn visitor_sees(app: &TestApp, id: i64, path: &str, section: &str) -> Vec<(&'static str, String)> {
    let mut visitor = Browser::new(app);
    let page = visitor.page(path, 200).await;
    assert!(is_withheld(&page), "the story is withheld from a visitor");
    let api = app.json(&format!("/api/v1/articles/{id}"), 200).await;
    assert!(api.get("body_html").is_none(), "{api}");
    let feed = app.page(&format!("/{section}/feed.xml"), 200).await;
    let atom = app.page("/atom.xml", 200).await;
    vec![("page", page), ("api", api.to_string()), ("feed", feed), ("atom", atom)]
}

async fn a_body_opening_with_a_list_gives_visitors_the_standfirst_alone(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = SafeHtml::sanitize(
        "<ul><li>Listed walrusfact one</li><li>Listed walrusfact two</li></ul><p>Then a paragraph.</p>",
    );
    let (id, path) = publish(&app, &article("markets", "A list-first premium story", true, body)).await;
    for (route, text) in visitor_sees(&app, id, &path, "markets").await {
        assert!(!text.contains("walrusfact"), "{route} gives the list away");
        assert!(!text.contains("Then a paragraph"), "{route} gives the body away");
    }
    let page = Browser::new(&app).page(&path, 200).await;
    assert!(page.contains("Standfirst anyone may read."));
    let api = app.json(&format!("/api/v1/articles/{id}"), 200).await;
    assert!(api.get("free_html").is_none(), "no free part: {api}");
    // Search finds it by its standfirst, never by the list.
    let mut staff = staff(&app, "editor@example.com", "editor").await;
    wait_for_total(&mut staff, "walrusfact", 1).await;
    let mut visitor = Browser::new(&app);
    assert_eq!(search(&mut visitor, "walrusfact").await["total"], 0);
    let answer = search(&mut visitor, "\"list-first premium\"").await;
    assert_eq!(answer["total"], 1, "{answer}");
    assert!(!answer.to_string().contains("walrusfact"), "{answer}");
}

async fn a_long_opening_paragraph_is_cut_for_visitors(backend: Backend) {
    let app = spawn_app(backend).await;
    let sentence = "Ten words of plain prose make up this sentence here.";
    let long = format!("{} The tail holds a secret yakfeather clause.", [sentence; 7].join(" "));
    let body = SafeHtml::from_paragraphs([long.as_str(), "Second."]);
    let (id, path) = publish(&app, &article("economy", "One very long paragraph", true, body)).await;
    for (route, text) in visitor_sees(&app, id, &path, "economy").await {
        assert!(!text.contains("yakfeather"), "{route} gives the long paragraph away");
    }
    let page = Browser::new(&app).page(&path, 200).await;
    assert!(page.contains(&[sentence; 6].join(" ")), "the first sixty words are free");
    let api = app.json(&format!("/api/v1/articles/{id}"), 200).await;
    assert_eq!(api["free_html"], format!("<p>{}</p>", [sentence; 6].join(" ")));
    let mut subscriber = reader_with(&app, "subscriber@example.com", &[Benefit::PremiumStories]).await;
    assert!(subscriber.page(&path, 200).await.contains("yakfeather"));
    wait_for_total(&mut subscriber, "yakfeather", 1).await;
    assert_eq!(search(&mut Browser::new(&app), "yakfeather").await["total"], 0);
}

async fn a_section_marked_premium_is_protected_on_the_next_request_everywhere(backend: Backend) {
    let app = spawn_app(backend).await;
    let other = spawn_instance(&app, site_config()).await;
    let body = SafeHtml::from_paragraphs(["Free opening.", "The body's quollmarch detail."]);
    let (id, path) = publish(&app, &article("opinion", "An opinion soon for subscribers", false, body)).await;
    let page_at = |address: std::net::SocketAddr| {
        let path = path.clone();
        async move { fetch(format!("http://{address}{path}")).await.text().await.unwrap() }
    };
    let access_at = |address: std::net::SocketAddr| async move {
        fetch(format!("http://{address}/api/v1/access/{id}")).await.json::<serde_json::Value>().await.unwrap()
    };
    for address in [app.address, other] {
        assert!(!is_withheld(&page_at(address).await), "free before the change");
        assert_eq!(access_at(address).await["decision"], "metered");
    }
    // Let the other instance's indexer see the story, as a visitor may.
    let mut visitor = Browser::new(&app);
    wait_for_total(&mut visitor, "quollmarch", 1).await;
    // An admin marks the section premium on one instance.
    let mut admin = staff(&app, "admin@example.com", "admin").await;
    let response = admin
        .submit(
            "/newsroom/sections",
            "/newsroom/sections",
            &[("slug", "opinion"), ("name", "Opinion"), ("position", "7"), ("premium", "on")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let sections = app.store.sections().await.unwrap();
    assert!(sections.iter().any(|s: &Section| s.slug == "opinion" && s.premium));
    // The very next request, on either instance: withheld, off the meter.
    for address in [app.address, other] {
        let page = page_at(address).await;
        assert!(is_withheld(&page), "withheld on {address}");
        assert!(!page.contains("quollmarch"));
        let access = access_at(address).await;
        assert_eq!(access["decision"], "blocked", "{access}");
        assert_eq!(access["reason"], "premium_section", "{access}");
        let api = fetch(format!("http://{address}/api/v1/articles/{id}")).await.text().await.unwrap();
        assert!(!api.contains("quollmarch"), "{api}");
    }
    assert_eq!(search(&mut visitor, "quollmarch").await["total"], 0);
    // And back: free again at once.
    admin
        .submit(
            "/newsroom/sections",
            "/newsroom/sections",
            &[("slug", "opinion"), ("name", "Opinion"), ("position", "7")],
        )
        .await;
    for address in [app.address, other] {
        assert!(!is_withheld(&page_at(address).await), "free again on {address}");
    }
}

async fn pictures_come_only_from_the_site_and_configured_hosts(backend: Backend) {
    let config = SiteConfig { image_hosts: vec!["img.allowed.example".into()], ..site_config() };
    let app = spawn_app_with(backend, config).await;
    let mut editor = staff(&app, "editor@example.com", "editor").await;
    let body = concat!(
        "Opening paragraph.\n\n",
        r#"<p><img src="https://tracker.example/pixel.gif" alt="t1"> <img src="//tracker.example/p2.gif" alt="t2"> "#,
        r#"<img src="/\tracker.example/p3.gif" alt="t3"> <img src="/media/own.webp" alt="own"> "#,
        r#"<img src="https://img.allowed.example/ok.jpg" alt="ok"></p>"#,
        "\n\n",
        r#"<p><a href="/\evil.example/x">odd</a> <a href="//evil.example/y">relative</a></p>"#,
    );
    let id = create(&mut editor, "Pictures and links", body, "publish").await;
    let path = live_path(&mut editor, &id).await.unwrap();
    let page = editor.page(&path, 200).await;
    assert!(!page.contains("tracker.example"), "a tracking pixel survived");
    assert!(page.contains(r#"src="/media/own.webp""#), "the site's own picture stays");
    assert!(page.contains(r#"src="https://img.allowed.example/ok.jpg""#), "a configured host's picture stays");
    assert!(page.contains(r#"href="https://evil.example/x""#), "/\\ is written out");
    assert!(page.contains(r#"href="https://evil.example/y""#), "// is written out");
    assert!(!page.contains(r#"href="/\"#) && !page.contains(r#"href="//"#));
}

async fn the_archive_counts_each_years_stories(backend: Backend) {
    let app = spawn_app(backend).await;
    let html = app.page("/archive", 200).await;
    assert!(!html.contains("(0 stories)"), "{}", text_of(&html));
    // Each year's count is the sum of its months'.
    let year_count = |html: &str, label: &str| -> u64 {
        let at = html.find(&format!(">{label}</a>")).unwrap_or_else(|| panic!("{label}"));
        let rest = &html[at..];
        let open = rest.find('(').unwrap();
        rest[open + 1..].split(' ').next().unwrap().parse().unwrap()
    };
    let year = app.page("/archive/2017", 200).await;
    let months: u64 = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    .iter()
    .filter(|m| year.contains(&format!(">{m} 2017</a>")))
    .map(|m| year_count(&year, &format!("{m} 2017")))
    .sum();
    assert!(months > 0);
    assert_eq!(year_count(&html, "2017"), months);
}

/// The page's `NewsArticle` structured data.
fn json_ld(html: &str) -> serde_json::Value {
    let start = html.find(r#"<script type="application/ld+json">"#).expect("structured data") + 35;
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

async fn structured_data_names_the_paid_part_for_search_engines(backend: Backend) {
    let app = spawn_app(backend).await;
    let premium = crate::meter::premium_story_path(&app, false).await;
    // Withheld: not free, and the paid part is where the paywall panel stands.
    let html = Browser::new(&app).page(&premium, 200).await;
    let data = json_ld(&html);
    assert_eq!(data["isAccessibleForFree"], false);
    assert_eq!(
        data["hasPart"],
        serde_json::json!({"@type": "WebPageElement", "isAccessibleForFree": false, "cssSelector": ".story .paywall"})
    );
    let article = &html[html.find(r#"<article class="story""#).unwrap()..];
    assert!(article.contains(r#"<section class="paywall""#), "the selector names an element of the page");
    // A subscriber's page of it: the paid part is the body.
    register(&app, "subscriber@example.com").await;
    let id = app.store.reader_by_email(&Email::parse("subscriber@example.com").unwrap()).await.unwrap().unwrap().id;
    app.store
        .grant_benefit(id, Benefit::PremiumStories, Utc::now() - chrono::Duration::days(1), None, "test")
        .await
        .unwrap();
    let mut subscriber = Browser::new(&app);
    log_in(&mut subscriber, "subscriber@example.com", PASSWORD).await;
    let html = subscriber.page(&premium, 200).await;
    assert!(!is_withheld(&html));
    assert_eq!(json_ld(&html)["hasPart"]["cssSelector"], ".story .body");
    assert!(html.contains(r#"<div class="body">"#));
    // A free story read on the meter is free: nothing is marked paid.
    let free = &crate::support::free_story_paths(&app, 1).await[0];
    let data = json_ld(&Browser::new(&app).page(free, 200).await);
    assert_eq!(data["isAccessibleForFree"], true);
    assert!(data.get("hasPart").is_none(), "{data}");
}
