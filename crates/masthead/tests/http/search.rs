//! Search over HTTP: the seed story by its words and by a phrase with
//! filters, newest-first order, snippets that never leak withheld text, the
//! index catching up after a crash between database and index, the change
//! log trimmed only past what every instance has applied (and a late instance
//! rebuilding), changes searchable within a second, and bad queries answered
//! kindly.

use std::time::{Duration, Instant};

use chrono::Utc;
use masthead_domain::access::Benefit;
use masthead_domain::email::Email;
use masthead_domain::{ArticleStatus, Credit, NewArticle, SafeHtml};
use masthead_web::SiteConfig;

use crate::support::{
    Backend, Browser, PASSWORD, PRODUCTION_ARCHIVE_AGE_DAYS, TestApp, form_body, log_in, on_every_backend, register,
    site_config, spawn_app, spawn_app_with, spawn_instance, spawn_process_with, text_of,
};

on_every_backend!(
    the_seed_story_is_found_by_words_from_its_body,
    a_phrase_with_section_and_dates_finds_the_seed_story,
    newest_first_orders_by_first_publication,
    snippets_never_carry_withheld_text,
    the_index_catches_up_after_a_crash_between_database_and_index,
    a_trimmed_log_waits_for_every_instance_and_a_late_one_rebuilds,
    publish_update_and_unpublish_are_searchable_within_a_second,
    bad_queries_get_a_friendly_page_or_a_400,
    an_index_that_cannot_be_written_is_said_and_pages_are_served,
);

const SEED_HEADLINE: &str = "Kremlin: No positive shift yet on Russia-US ties";
/// A sentence from the seed story's third paragraph: never free.
const WITHHELD: &str = "The tense back-and-forth over last week's deadly chemical attack in Syria";

/// `/api/v1/search?...` with these parameters, from `address`.
async fn search_at(address: std::net::SocketAddr, params: &[(&str, &str)]) -> serde_json::Value {
    let url = format!("http://{address}/api/v1/search?{}", form_body(params));
    let response = crate::support::fetch(&url).await;
    assert_eq!(response.status().as_u16(), 200, "{url}");
    response.json().await.unwrap()
}

fn headlines(results: &serde_json::Value) -> Vec<String> {
    results["results"].as_array().unwrap().iter().map(|r| r["headline"].as_str().unwrap().to_owned()).collect()
}

/// Polls a search until `done` holds (the indexer works in the background);
/// returns the answer and how long it took.
async fn wait_for(
    address: std::net::SocketAddr,
    params: &[(&str, &str)],
    limit: Duration,
    done: impl Fn(&serde_json::Value) -> bool,
) -> (serde_json::Value, Duration) {
    let started = Instant::now();
    loop {
        let answer = search_at(address, params).await;
        if done(&answer) {
            return (answer, started.elapsed());
        }
        assert!(started.elapsed() < limit, "not searchable within {limit:?}: {params:?} → {answer}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits for the start-up catch-up to have indexed the seed story.
async fn indexed(app: &TestApp) {
    wait_for(app.address, &[("q", "Tillerson")], Duration::from_secs(20), |a| a["total"].as_u64() > Some(0)).await;
}

async fn the_seed_story_is_found_by_words_from_its_body(backend: Backend) {
    let app = spawn_app(backend).await;
    indexed(&app).await;
    let found = search_at(app.address, &[("q", "Lavrov dialogue Tillerson")]).await;
    assert!(headlines(&found).contains(&SEED_HEADLINE.to_owned()), "{found}");
    assert_eq!(found["total_is_lower_bound"], false, "{found}");
    let seed = found["results"].as_array().unwrap().iter().find(|r| r["headline"] == SEED_HEADLINE).unwrap();
    assert_eq!(seed["section"], "world");
    assert_eq!(seed["first_published_at"], "2017-04-13T14:43:00Z");
    let url = seed["url"].as_str().unwrap();
    assert!(url.starts_with(&app.url("/world/kremlin-no-positive-shift-yet-on-russia-us-ties-")), "{url}");
    // The page: the headline links to the story, with its section and date.
    let html = app.page(&format!("/search?{}", form_body(&[("q", "Lavrov dialogue Tillerson")])), 200).await;
    let text = text_of(&html);
    assert!(html.contains(&format!(r#"<a href="{}">"#, url.strip_prefix(&app.url("")).unwrap())), "{html}");
    assert!(text.contains("World · Apr 13 2017 | 8:13 PM IST"), "{text}");
    assert!(text.contains(&format!("{} result", found["total"])), "{text}");
}

async fn a_phrase_with_section_and_dates_finds_the_seed_story(backend: Backend) {
    let app = spawn_app(backend).await;
    indexed(&app).await;
    let phrase = "\"too early yet\"";
    let april =
        search_at(app.address, &[("q", phrase), ("section", "world"), ("from", "2017-04-01"), ("to", "2017-04-30")])
            .await;
    assert_eq!(headlines(&april), vec![SEED_HEADLINE.to_owned()], "{april}");
    assert_eq!(april["total"], 1);
    let snippet = april["results"][0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("<mark>"), "highlighted: {snippet}");
    let later = search_at(app.address, &[("q", phrase), ("section", "world"), ("from", "2018-01-01")]).await;
    assert_eq!(later["total"], 0, "{later}");
    // The page agrees.
    let html = app
        .page(&format!("/search?{}", form_body(&[("q", phrase), ("section", "world"), ("from", "2018-01-01")])), 200)
        .await;
    assert!(text_of(&html).contains("0 results"));
    assert!(html.contains(r#"<option value="world" selected>"#), "the form keeps the filters");
}

async fn newest_first_orders_by_first_publication(backend: Backend) {
    let app = spawn_app(backend).await;
    indexed(&app).await;
    let times = |answer: &serde_json::Value| -> Vec<chrono::DateTime<chrono::FixedOffset>> {
        answer["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| chrono::DateTime::parse_from_rfc3339(r["first_published_at"].as_str().unwrap()).unwrap())
            .collect()
    };
    let first = search_at(app.address, &[("q", "the"), ("sort", "newest"), ("limit", "10")]).await;
    let second = search_at(app.address, &[("q", "the"), ("sort", "newest"), ("page", "2"), ("limit", "10")]).await;
    assert!(first["total"].as_u64().unwrap() > 20, "{first}");
    assert_eq!(first["paging"], serde_json::json!({"page": 1, "limit": 10, "has_more": true}));
    let all: Vec<_> = times(&first).into_iter().chain(times(&second)).collect();
    assert_eq!(all.len(), 20);
    assert!(all.windows(2).all(|w| w[0] >= w[1]), "{all:?}");
    // The newest story in the archive leads.
    let latest = app.json("/api/v1/articles?limit=1", 200).await;
    assert_eq!(first["results"][0]["first_published_at"], latest["articles"][0]["first_published_at"]);
}

async fn snippets_never_carry_withheld_text(backend: Backend) {
    let config = SiteConfig { archive_age_days: PRODUCTION_ARCHIVE_AGE_DAYS, ..site_config() };
    let app = spawn_app_with(backend, config).await;
    indexed(&app).await;
    let query = [("q", "deadly chemical attack Syria")];
    // A visitor may not read the seed story (it is in the archive): words
    // from its withheld part do not find it, and a search for its free
    // words gets a snippet cut from the free part.
    let mut visitor = Browser::new(&app);
    let api = visitor.get(&format!("/api/v1/search?{}", form_body(&query))).await.text().await.unwrap();
    assert!(!api.contains(SEED_HEADLINE), "{api}");
    let free_query = [("q", "Kremlin positive shift")];
    let api = visitor.get(&format!("/api/v1/search?{}", form_body(&free_query))).await.text().await.unwrap();
    assert!(api.contains(SEED_HEADLINE), "{api}");
    let page = visitor.page(&format!("/search?{}", form_body(&free_query)), 200).await;
    assert!(page.contains(SEED_HEADLINE));
    // The page's form repeats the query; the results follow it.
    let results = &page[page.find(r#"<ol class="results">"#).expect("results")..];
    for (route, body) in [("api", api.as_str()), ("page", results)] {
        assert!(!body.contains("chemical"), "{route} leaks withheld text: {body}");
        assert!(!body.contains(&WITHHELD[..40]), "{route} leaks withheld text");
    }
    // A registered reader without the archive benefit: the same.
    register(&app, "reader@example.com").await;
    let mut reader = Browser::new(&app);
    log_in(&mut reader, "reader@example.com", PASSWORD).await;
    let api = reader.get(&format!("/api/v1/search?{}", form_body(&query))).await.text().await.unwrap();
    assert!(!api.contains(SEED_HEADLINE) && !api.contains("chemical"), "{api}");
    // A subscriber may read it: the snippet comes from where the words are.
    register(&app, "subscriber@example.com").await;
    let id = app.store.reader_by_email(&Email::parse("subscriber@example.com").unwrap()).await.unwrap().unwrap().id;
    for benefit in Benefit::ALL {
        app.store.grant_benefit(id, benefit, Utc::now() - chrono::Duration::hours(1), None, "test").await.unwrap();
    }
    let mut subscriber = Browser::new(&app);
    log_in(&mut subscriber, "subscriber@example.com", PASSWORD).await;
    let answer: serde_json::Value =
        subscriber.get(&format!("/api/v1/search?{}", form_body(&query))).await.json().await.unwrap();
    let seed = answer["results"].as_array().unwrap().iter().find(|r| r["headline"] == SEED_HEADLINE).unwrap();
    assert!(seed["snippet"].as_str().unwrap().contains("<mark>chemical</mark>"), "{seed}");
}

fn story(headline: &str, body: &str) -> NewArticle {
    let now = Utc::now();
    NewArticle {
        section: "technology".into(),
        headline: headline.into(),
        standfirst: "A story written by the test.".into(),
        body: SafeHtml::from_paragraphs([body, "Second paragraph."]),
        credit: Credit::Staff("Test Writer".into()),
        dateline: None,
        premium: false,
        status: ArticleStatus::Published,
        first_published_at: now,
        updated_at: now,
        lang: masthead_domain::Lang::site(),
    }
}

async fn the_index_catches_up_after_a_crash_between_database_and_index(backend: Backend) {
    // An instance whose indexer is not running: the database write lands, the
    // index write never happens — as if it crashed in between.
    let config = SiteConfig { run_indexer: false, ..site_config() };
    let index_dir = config.index_dir.clone();
    let app = spawn_app_with(backend, config).await;
    app.store.insert_article(&story("Quokka census surprises zoologists", "Quokkas everywhere.")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(search_at(app.address, &[("q", "quokka")]).await["total"], 0, "nothing indexed it");
    // Restarted on the same index directory: it catches up from the log.
    let restarted = spawn_instance(&app, SiteConfig { index_dir, ..site_config() }).await;
    let (answer, _) =
        wait_for(restarted, &[("q", "quokka")], Duration::from_secs(20), |a| a["total"].as_u64() == Some(1)).await;
    assert_eq!(headlines(&answer), vec!["Quokka census surprises zoologists".to_owned()]);
    // And the archive that was there before the "crash" too.
    assert!(search_at(restarted, &[("q", "Tillerson")]).await["total"].as_u64() > Some(0));
}

async fn a_trimmed_log_waits_for_every_instance_and_a_late_one_rebuilds(backend: Backend) {
    let app = spawn_app(backend).await;
    indexed(&app).await;
    let store = &app.store;
    let now = Utc::now();
    let (no_age, a_week, an_hour) = (chrono::Duration::zero(), chrono::Duration::days(7), chrono::Duration::hours(1));
    let head = store.search_log_head().await.unwrap();
    assert!(head > 10, "the archive is in the log");
    // Nothing is old enough yet: the first pass only marks the head.
    let trim = store.trim_search_log(now, a_week, a_week).await.unwrap();
    assert_eq!((trim.deleted, trim.through), (0, 0));
    // An instance that has applied only three entries holds the rest back.
    store.report_search_position("laggard", 3, now).await.unwrap();
    let trim = store.trim_search_log(now, no_age, an_hour).await.unwrap();
    assert_eq!((trim.deleted, trim.through), (3, 3));
    assert_eq!(store.search_log_after(0, 1).await.unwrap()[0].0, 4);
    // Once it has been silent for longer than allowed, it is forgotten and the
    // log is trimmed up to what the running instance has applied.
    store.report_search_position("laggard", 3, now - chrono::Duration::hours(2)).await.unwrap();
    let trim = store.trim_search_log(now, no_age, an_hour).await.unwrap();
    assert!(trim.through > 3 && trim.through <= head, "{trim:?}");
    assert_eq!(store.search_log_trimmed_through().await.unwrap(), trim.through);
    assert!(store.search_log_after(0, 1).await.unwrap().first().is_none_or(|(seq, _)| *seq > trim.through));
    // Changes after the trim still reach the running instance through the log.
    store.insert_article(&story("Pangolin scales catalogued", "Pangolins counted.")).await.unwrap();
    wait_for(app.address, &[("q", "pangolin")], Duration::from_secs(5), |a| a["total"] == 1).await;
    // A new instance cannot catch up from a trimmed log: it rebuilds from the
    // stories, so it finds the archive (trimmed from the log) and the new story.
    let late = spawn_instance(&app, site_config()).await;
    wait_for(late, &[("q", "Tillerson")], Duration::from_secs(30), |a| a["total"].as_u64() > Some(0)).await;
    wait_for(late, &[("q", "pangolin")], Duration::from_secs(5), |a| a["total"] == 1).await;
}

async fn publish_update_and_unpublish_are_searchable_within_a_second(backend: Backend) {
    let app = spawn_app(backend).await;
    indexed(&app).await;
    let second = Duration::from_secs(1);
    let id = app
        .store
        .insert_article(&story("Narwhal tusks explained", "Narwhals use tusks to sense water."))
        .await
        .unwrap();
    let (_, took) = wait_for(app.address, &[("q", "narwhal")], second, |a| a["total"] == 1).await;
    eprintln!("published → searchable in {took:?}");
    let mut updated = story("Narwhal tusks re-explained by axolotl experts", "Axolotls weigh in.");
    updated.updated_at = Utc::now();
    assert!(app.store.update_article(id, &updated).await.unwrap());
    let (answer, took) = wait_for(app.address, &[("q", "axolotl")], second, |a| a["total"] == 1).await;
    eprintln!("updated → searchable in {took:?}");
    assert_eq!(answer["results"][0]["id"], id);
    assert_eq!(
        answer["results"][0]["url"].as_str().unwrap(),
        app.url(&format!("/technology/narwhal-tusks-re-explained-by-axolotl-experts-{id}"))
    );
    assert_eq!(search_at(app.address, &[("q", "sense water")]).await["total"], 0, "the old text is gone");
    assert!(app.store.set_article_status(id, ArticleStatus::Unpublished, Utc::now()).await.unwrap());
    let (_, took) = wait_for(app.address, &[("q", "narwhal")], second, |a| a["total"] == 0).await;
    eprintln!("unpublished → gone in {took:?}");
}

async fn bad_queries_get_a_friendly_page_or_a_400(backend: Backend) {
    let app = spawn_app(backend).await;
    let long = "kremlin ".repeat(625);
    for q in ["\"too early yet", "OR", "AND", "-", "kremlin OR", "&&", "", "   ", "!!!", &long[..5000]] {
        let query = form_body(&[("q", q)]);
        let response = app.get(&format!("/api/v1/search?{query}")).await;
        assert_eq!(response.status().as_u16(), 400, "API {q:?}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(!body["detail"].as_str().unwrap().is_empty(), "{body}");
        let html = app.page(&format!("/search?{query}"), 200).await;
        // An empty box is just the form; anything else says what to fix.
        if !q.trim().is_empty() {
            assert!(html.contains(r#"class="form-error""#), "page {q:?}: {html}");
        }
        assert!(html.contains(r#"<form class="search-form""#));
    }
    for bad in
        ["from=2017-13-01", "to=yesterday", "sort=random", "page=0", "page=abc", "section=sport", "premium=maybe"]
    {
        let response = app.get(&format!("/api/v1/search?q=kremlin&{bad}")).await;
        assert_eq!(response.status().as_u16(), 400, "{bad}");
        assert_eq!(app.get(&format!("/search?q=kremlin&{bad}")).await.status().as_u16(), 200, "{bad}");
    }
    let text = text_of(&app.page(&format!("/search?{}", form_body(&[("q", "\"too early")])), 200).await);
    assert!(text.contains("A quotation mark is missing its partner"), "{text}");
    // The search page itself, without a query, is the form.
    assert!(app.page("/search", 200).await.contains(r#"action="/search""#));
}

/// An instance whose index folder cannot be written (here a file stands
/// where the folder was, as a full disk would refuse the write) says so —
/// one error in the log, `masthead_search_index_writable 0` at `/metrics` —
/// and goes on serving pages, and searches from the index as it was; once
/// the folder takes writes again it says so and catches up.
async fn an_index_that_cannot_be_written_is_said_and_pages_are_served(backend: Backend) {
    let app = spawn_app(backend).await;
    let ((running, _outbox), address) = spawn_process_with(&app, &["--metrics-listen", "127.0.0.1:0"]);
    let line = running.lines_until("Metrics are served on").pop().unwrap();
    let metrics_url = line.split("served on ").nth(1).unwrap().trim().to_owned();
    let scrape = async || crate::support::fetch(&metrics_url).await.text().await.unwrap();
    let gauge = |scrape: &str, name: &str| {
        scrape.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse::<f64>().ok())
    };
    wait_for(address, &[("q", "Tillerson")], Duration::from_secs(60), |a| a["total"].as_u64() > Some(0)).await;

    let dir = app.process_index_dir();
    let away = dir.with_extension("away");
    std::fs::rename(&dir, &away).unwrap();
    std::fs::write(&dir, "not a folder").unwrap();
    app.store.insert_article(&story("Narwhal tusks explained", "Narwhals use tusks to sense water.")).await.unwrap();
    let said = running.lines_until("cannot write the search index").pop().unwrap();
    assert!(said.contains("ERROR") && said.contains(dir.to_str().unwrap()), "{said}");
    let mut failing = String::new();
    for _ in 0..50 {
        failing = scrape().await;
        if gauge(&failing, "masthead_search_index_writable") == Some(0.0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(gauge(&failing, "masthead_search_index_writable"), Some(0.0), "{failing}");
    assert!(gauge(&failing, "masthead_search_index_write_failures_total") >= Some(1.0), "{failing}");
    // Pages and searches go on.
    let site = |path: &str| crate::support::fetch(format!("http://{address}{path}"));
    for path in ["/", "/markets", "/search?q=Tillerson"] {
        assert_eq!(site(path).await.status().as_u16(), 200, "{path}");
    }
    assert!(search_at(address, &[("q", "Tillerson")]).await["total"].as_u64() > Some(0));
    assert_eq!(search_at(address, &[("q", "narwhal")]).await["total"], 0, "not indexed yet");

    std::fs::remove_file(&dir).unwrap();
    std::fs::rename(&away, &dir).unwrap();
    wait_for(address, &[("q", "narwhal")], Duration::from_secs(20), |a| a["total"] == 1).await;
    running.lines_until("the search index can be written again");
    assert_eq!(gauge(&scrape().await, "masthead_search_index_writable"), Some(1.0));
}
