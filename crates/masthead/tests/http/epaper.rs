//! The e-paper over HTTP: `masthead epaper import` (pages rendered, text
//! and regions stored; a broken or encrypted PDF or a bad sidecar refused
//! with the reason and nothing changed; a re-import replacing the edition),
//! the `epaper` benefit on every route (page, images, region text, download,
//! API, search, clips), page images under signed addresses that expire and refuse
//! tampering, downloads stamped with the reader's address on every page, and
//! clips: public for 14 days, revocable, within a monthly allowance. The
//! newsroom's upload page (editors only, its form token checked, within the
//! upload limit) imports, refuses and replaces as the command does; the
//! site's search shows printed pages to entitled readers and no one else.

use std::ffi::OsStr;
use std::sync::Arc;

use chrono::{Duration, NaiveDate, Utc};
use masthead_domain::access::Benefit;
use masthead_domain::email::Email;
use masthead_domain::{Clock, ManualClock};
use masthead_epaper::typeset::{PagePlan, Story, typeset};
use masthead_epaper::{Import, PdfFile, Sidecar};
use serde_json::Value;

use crate::billing::token;
use crate::support::{
    Backend, Browser, PASSWORD, PUBLISHER, TestApp, free_story_paths, log_in, masthead, on_every_backend, register,
    site_config, spawn_app_with, story_id, text_of,
};

on_every_backend!(
    the_command_line_imports_refuses_and_replaces_editions,
    only_readers_with_the_benefit_read_the_edition,
    image_addresses_expire_and_refuse_tampering,
    downloads_carry_the_readers_address_on_every_page_and_are_counted,
    clips_open_to_anyone_until_revoked_or_expired_within_an_allowance,
    editors_upload_editions_in_the_newsroom,
    the_upload_is_for_editors_with_the_form_token,
    archive_search_shows_print_to_entitled_readers_only,
);

const DAY: &str = "2017-04-13";

fn day() -> NaiveDate {
    NaiveDate::parse_from_str(DAY, "%Y-%m-%d").unwrap()
}

/// The plan of the edition's page `n` (from 0): one story, `story` if given.
fn plan(n: usize, story: Option<i64>) -> PagePlan {
    PagePlan {
        section: if n == 0 { "Front page".to_owned() } else { format!("Section {n}") },
        stories: vec![Story {
            id: story,
            headline: format!("Headline of page {}", n + 1),
            standfirst: "By a staff reporter".to_owned(),
            paragraphs: vec![format!("Printed words of page {}.", n + 1)],
        }],
    }
}

/// An edition of `pages` pages, the first story on page 1 linked to `story`.
fn edition(pages: usize, story: Option<i64>) -> (Vec<u8>, Sidecar) {
    let plans: Vec<PagePlan> = (0..pages).map(|n| plan(n, story.filter(|_| n == 0))).collect();
    typeset(PUBLISHER, "Thursday, 13 April 2017", &plans).unwrap()
}

/// Imports an edition straight through the library, as the demo does.
async fn import(app: &TestApp, pages: usize, story: Option<i64>) {
    let (pdf, sidecar) = edition(pages, story);
    let import = Import {
        day: day(),
        edition: "Main".to_owned(),
        files: vec![PdfFile { name: "edition.pdf".to_owned(), bytes: pdf }],
        regions: Some(sidecar),
    };
    masthead_epaper::import(&app.store, import, Utc::now(), |_| {}).await.unwrap();
}

async fn app_with_clock(backend: Backend, clock: Arc<ManualClock>) -> TestApp {
    spawn_app_with(backend, masthead_web::SiteConfig { clock, ..site_config() }).await
}

async fn grant(app: &TestApp, email: &str, from: chrono::DateTime<Utc>) {
    let id = reader_id(app, email).await;
    app.store.grant_benefit(id, Benefit::Epaper, from - Duration::days(1), None, "test").await.unwrap();
}

/// A browser logged in as `email`, a new reader holding the `epaper`
/// benefit since before `now`.
async fn entitled_reader<'a>(app: &'a TestApp, email: &str, now: chrono::DateTime<Utc>) -> Browser<'a> {
    register(app, email).await;
    grant(app, email, now).await;
    let mut browser = Browser::new(app);
    log_in(&mut browser, email, PASSWORD).await;
    browser
}

/// GETs `path` of the API as the holder of `bearer`; the JSON it answers.
async fn json_as(app: &TestApp, bearer: &str, path: &str) -> Value {
    let response = app.client.get(app.url(path)).bearer_auth(bearer).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

/// The addresses of `/epaper/images/…` on a page.
fn image_urls(html: &str) -> Vec<String> {
    html.split("\"/epaper/images/")
        .skip(1)
        .map(|rest| {
            format!("/epaper/images/{}", rest.split('"').next().unwrap().replace("&amp;", "&").replace("&#38;", "&"))
        })
        .collect()
}

async fn edition_pages(app: &TestApp) -> Vec<masthead_store::PageRecord> {
    let edition = app.store.epaper_edition(day(), Some("Main")).await.unwrap().unwrap();
    app.store.epaper_pages(edition.id).await.unwrap()
}

async fn the_command_line_imports_refuses_and_replaces_editions(backend: Backend) {
    let app = spawn_app_with(backend, site_config()).await;
    let story: i64 = story_id(&free_story_paths(&app, 1).await[0]).parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (pdf, sidecar) = edition(2, Some(story));
    let file = dir.path().join("edition.pdf");
    std::fs::write(&file, pdf).unwrap();
    let regions = dir.path().join("regions.json");
    std::fs::write(&regions, sidecar.to_json()).unwrap();
    let url = app.database_url();
    let run = |args: &[&OsStr]| {
        let mut command = masthead();
        command.args(["epaper", "import", "--database-url", url.as_str(), "--date", DAY]);
        command.args(args);
        command.output().unwrap()
    };
    let out = run(&[file.as_os_str(), OsStr::new("--regions"), regions.as_os_str()]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("2 pages, 2 regions"), "{stdout}");
    assert!(stderr.contains("page 2 of 2 rendered"), "progress: {stderr}");
    let pages = edition_pages(&app).await;
    assert_eq!(pages.len(), 2);
    // 11 × 17 in at 150 ppi.
    assert_eq!((pages[0].width, pages[0].height), (1650, 2550));
    assert!(pages[1].text.contains("Printed words of page 2."), "{}", pages[1].text);
    let stored = app.store.epaper_edition(day(), None).await.unwrap().unwrap();
    let regions_stored = app.store.epaper_regions(stored.id).await.unwrap();
    assert_eq!(regions_stored[0].article_id, Some(story));
    assert!(regions_stored[0].text.contains("Printed words of page 1."), "{}", regions_stored[0].text);
    let listed = app.json("/api/v1/epaper/editions", 200).await;
    assert_eq!(listed["editions"][0]["date"], DAY);
    assert_eq!(listed["editions"][0]["pages"], 2);

    // Refused, with the reason, changing nothing: a broken file, an
    // encrypted one (even one that opens without a password), a bad sidecar,
    // a good file beside a bad one.
    let broken = dir.path().join("broken.pdf");
    std::fs::write(&broken, b"%PDF-1.7\nthis is no PDF at all").unwrap();
    let encrypted = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/encrypted.pdf");
    let bad_regions = dir.path().join("bad.json");
    std::fs::write(&bad_regions, r#"{"pages":[{"page":9,"regions":[]}]}"#).unwrap();
    let refusals: [(Vec<&OsStr>, &str); 4] = [
        (vec![broken.as_os_str()], "broken.pdf: it is broken"),
        (vec![encrypted.as_os_str()], "encrypted.pdf: it is encrypted"),
        (vec![file.as_os_str(), OsStr::new("--regions"), bad_regions.as_os_str()], "page 9 does not exist"),
        (vec![file.as_os_str(), encrypted.as_os_str()], "it is encrypted"),
    ];
    for (args, reason) in refusals {
        let out = run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} was taken");
        assert!(stderr.contains(reason), "{args:?}: {stderr}");
        assert_eq!(edition_pages(&app).await, pages, "{args:?} changed the edition");
    }

    // A re-import replaces the edition whole.
    let (one_page, _) = edition(1, None);
    std::fs::write(&file, one_page).unwrap();
    let out = run(&[file.as_os_str()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(edition_pages(&app).await.len(), 1);
    let again = app.store.epaper_edition(day(), None).await.unwrap().unwrap();
    assert!(app.store.epaper_regions(again.id).await.unwrap().is_empty());
    assert_eq!(app.json("/api/v1/epaper/editions", 200).await["editions"].as_array().unwrap().len(), 1);
}

async fn only_readers_with_the_benefit_read_the_edition(backend: Backend) {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let app = app_with_clock(backend, clock.clone()).await;
    let story_path = free_story_paths(&app, 1).await.remove(0);
    let story: i64 = story_id(&story_path).parse().unwrap();
    import(&app, 3, Some(story)).await;
    let pages = edition_pages(&app).await;
    let edition_path = format!("/epaper/{DAY}");
    let region = format!("/epaper/{DAY}/regions/1/1?edition=Main");
    let download = format!("/epaper/{DAY}/download?edition=Main");
    let unsigned = format!("/epaper/images/{}.webp", pages[0].view_sha256);

    // The calendar links the day.
    assert!(app.page("/epaper", 200).await.contains(&format!("href=\"{edition_path}\"")));

    // Signed out: the front page's thumbnail and the paywall; nothing else.
    let html = app.page(&edition_path, 200).await;
    assert!(text_of(&html).contains("The e-paper is for subscribers"), "{html}");
    assert!(!html.contains("/regions/") && !html.contains("Printed words"));
    let images = image_urls(&html);
    assert_eq!(images.len(), 1, "{images:?}");
    assert!(images[0].contains(&pages[0].thumb_sha256));
    assert_eq!(app.get(&images[0]).await.status(), 200);
    assert_eq!(app.get(&unsigned).await.status(), 403);
    for path in [&region, &download] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 303, "{path}");
    }
    let api = app.json(&format!("/api/v1/epaper/editions/{DAY}"), 200).await;
    assert_eq!(api["pages"].as_array().unwrap().len(), 3);
    assert_eq!(api["pages"][0]["regions"][0]["headline"], "Headline of page 1");
    assert!(api["pages"][0].get("image_url").is_none() && api["pages"][0]["regions"][0].get("text").is_none());
    let search = "/epaper/search?q=printed+words";
    assert!(!text_of(&app.page(search, 200).await).contains("In print"));

    // Signed in without the benefit: the same, and 403 where it is asked for.
    register(&app, "reader@example.com").await;
    let mut reader = Browser::new(&app);
    log_in(&mut reader, "reader@example.com", PASSWORD).await;
    assert!(text_of(&reader.page(&edition_path, 200).await).contains("The e-paper is for subscribers"));
    for path in [&region, &download] {
        assert_eq!(reader.get(path).await.status(), 403, "{path}");
    }
    let bearer = token(&app, "api@example.com").await;
    let api = json_as(&app, &bearer, &format!("/api/v1/epaper/editions/{DAY}")).await;
    assert!(api["pages"][0].get("image_url").is_none());
    assert!(!text_of(&reader.page(search, 200).await).contains("In print"));

    // With the benefit: the page view, its regions, every image, the text.
    grant(&app, "reader@example.com", clock.now()).await;
    grant(&app, "api@example.com", clock.now()).await;
    let html = reader.page(&format!("{edition_path}?edition=Main&page=1"), 200).await;
    assert!(html.contains("<svg viewBox=\"0 0 1650 2550\""), "{html}");
    assert!(html.contains(&region.replace('&', "&amp;")), "{html}");
    assert!(text_of(&html).contains("Page 1 of 3"));
    // The view, the zoom and a thumbnail per page.
    let images = image_urls(&html);
    assert_eq!(images.len(), 2 + 3, "{images:?}");
    for url in &images {
        let response = reader.get(url).await;
        assert_eq!(response.status(), 200, "{url}");
        assert_eq!(response.headers()["content-type"], "image/webp");
        assert!(response.headers()["cache-control"].to_str().unwrap().starts_with("private, max-age="));
    }
    assert!(images.iter().any(|u| u.contains(&pages[0].image_sha256)), "zoom to the full page");
    let next = reader.page(&format!("{edition_path}?edition=Main&page=2"), 200).await;
    assert!(next.contains("page=1\"") && next.contains("page=3\""), "previous and next page");
    assert_eq!(reader.get(&format!("{edition_path}?page=4")).await.status(), 404);
    let text = text_of(&reader.page(&region, 200).await);
    assert!(text.contains("Headline of page 1") && text.contains("Printed words of page 1."), "{text}");
    assert!(reader.page(&region, 200).await.contains(&format!("href=\"{story_path}\"")), "the story is linked");
    let api = json_as(&app, &bearer, &format!("/api/v1/epaper/editions/{DAY}")).await;
    let image = api["pages"][0]["image_url"].as_str().unwrap();
    assert_eq!(app.client.get(image).send().await.unwrap().status(), 200);
    assert!(api["pages"][0]["regions"][0]["text"].as_str().unwrap().contains("Printed words of page 1."));
    let found = text_of(&reader.page(search, 200).await);
    assert!(found.contains("3 pages") && found.contains("In print: page 2, Apr 13 2017 (Main edition)"), "{found}");
    assert!(found.contains("Printed words of page 2."), "{found}");
    // Unknown days and editions are 404.
    assert_eq!(reader.get("/epaper/2017-04-14").await.status(), 404);
    assert_eq!(reader.get(&format!("{edition_path}?edition=Delhi")).await.status(), 404);
}

async fn image_addresses_expire_and_refuse_tampering(backend: Backend) {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let app = app_with_clock(backend, clock.clone()).await;
    import(&app, 1, None).await;
    let mut reader = entitled_reader(&app, "reader@example.com", clock.now()).await;
    let page = format!("/epaper/{DAY}");
    let url = image_urls(&reader.page(&page, 200).await).remove(0);
    assert_eq!(app.get(&url).await.status(), 200, "the address alone opens the image, for a while");
    let (base, query) = url.split_once('?').unwrap();
    let expires: i64 = query.split('&').next().unwrap().trim_start_matches("expires=").parse().unwrap();
    let sig = query.rsplit("sig=").next().unwrap();
    let later = format!("{base}?expires={}&sig={sig}", expires + 86_400);
    let forged = format!("{base}?expires={expires}&sig={}", "0".repeat(64));
    // Another image of the edition, under this one's signature.
    let other = edition_pages(&app)
        .await
        .into_iter()
        .flat_map(|page| [page.image_sha256, page.thumb_sha256])
        .find(|hash| !base.contains(hash.as_str()))
        .unwrap();
    let swapped = format!("/epaper/images/{other}.webp?{query}");
    for tampered in [&later, &forged, &swapped, &base.to_owned()] {
        assert_eq!(app.get(tampered).await.status(), 403, "{tampered}");
    }
    // Past its time the address is refused; the page hands out a fresh one.
    clock.advance(Duration::minutes(31));
    assert_eq!(app.get(&url).await.status(), 403);
    let fresh = image_urls(&reader.page(&page, 200).await).remove(0);
    assert_ne!(fresh, url);
    assert_eq!(app.get(&fresh).await.status(), 200);
}

async fn downloads_carry_the_readers_address_on_every_page_and_are_counted(backend: Backend) {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let app = app_with_clock(backend, clock.clone()).await;
    import(&app, 2, None).await;
    let mut reader = entitled_reader(&app, "asha@example.com", clock.now()).await;
    let response = reader.get(&format!("/epaper/{DAY}/download?edition=Main")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert!(response.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(response.headers()["cache-control"], "private, no-store");
    let pdf = response.bytes().await.unwrap().to_vec();
    let document = masthead_epaper::pdf::Document::open("download.pdf", pdf).unwrap();
    assert_eq!(document.page_count(), 2);
    let today = masthead_domain::PublisherZone::default().date(clock.now()).format("%-d %b %Y").to_string();
    for page in 0..2 {
        let text = document.text(page);
        assert!(text.contains(&format!("Licensed to asha@example.com · {today}")), "page {page}: {text}");
        assert!(text.contains(&format!("Printed words of page {}.", page + 1)), "page {page}: {text}");
    }
    let edition = app.store.epaper_edition(day(), None).await.unwrap().unwrap();
    assert_eq!(app.store.epaper_downloads(edition.id).await.unwrap(), 1);
}

async fn clips_open_to_anyone_until_revoked_or_expired_within_an_allowance(backend: Backend) {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let config = masthead_web::SiteConfig { clock: clock.clone(), epaper_clips_per_month: 2, ..site_config() };
    let app = spawn_app_with(backend, config).await;
    import(&app, 2, None).await;
    let of = serde_json::json!({ "date": DAY, "edition": "Main", "page": 1, "region": 1 });
    let clip = |bearer: Option<String>, body: Value| {
        let mut request = app.client.post(app.url("/api/v1/epaper/clips")).json(&body);
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        request.send()
    };
    assert_eq!(clip(None, of.clone()).await.unwrap().status(), 401);
    let bearer = token(&app, "clipper@example.com").await;
    assert_eq!(clip(Some(bearer.clone()), of.clone()).await.unwrap().status(), 403, "without the benefit");
    grant(&app, "clipper@example.com", clock.now()).await;
    let missing = serde_json::json!({ "date": DAY, "edition": "Main", "page": 1, "region": 9 });
    assert_eq!(clip(Some(bearer.clone()), missing).await.unwrap().status(), 404);

    let made = clip(Some(bearer.clone()), of.clone()).await.unwrap();
    assert_eq!(made.status(), 201);
    let made: Value = made.json().await.unwrap();
    let url = made["url"].as_str().unwrap().to_owned();
    assert!(
        made["expires_at"]
            .as_str()
            .unwrap()
            .starts_with(&(clock.now() + Duration::days(14)).format("%Y-%m-%d").to_string())
    );
    // Anyone opens it: the region's picture and text, nothing else of the edition.
    // A client with no session: anyone.
    let public = app.client.clone();
    let html = public.get(&url).send().await.unwrap().text().await.unwrap();
    let text = text_of(&html);
    assert!(text.contains("Headline of page 1") && text.contains("Printed words of page 1."), "{text}");
    assert!(!text.contains("page 2") && !html.contains("/epaper/images/"), "{html}");
    let picture = public.get(format!("{url}/image")).send().await.unwrap();
    assert_eq!(picture.status(), 200);
    assert_eq!(picture.headers()["content-type"], "image/webp");
    let picture = image::load_from_memory(&picture.bytes().await.unwrap()).unwrap();
    let edition = app.store.epaper_edition(day(), None).await.unwrap().unwrap();
    let regions = app.store.epaper_regions(edition.id).await.unwrap();
    assert_eq!((picture.width(), picture.height()), (regions[0].width, regions[0].height));

    // The region page's button makes the second; the allowance stops a third.
    let mut browser = Browser::new(&app);
    log_in(&mut browser, "clipper@example.com", PASSWORD).await;
    let region_page = format!("/epaper/{DAY}/regions/2/1?edition=Main");
    let second = browser.submit(&region_page, &format!("/epaper/{DAY}/regions/2/1/clip?edition=Main"), &[]).await;
    assert_eq!(second.status(), 303);
    let second_url = app.url(second.headers()["location"].to_str().unwrap());
    assert!(
        text_of(&public.get(&second_url).send().await.unwrap().text().await.unwrap()).contains("Headline of page 2")
    );
    let third = clip(Some(bearer.clone()), of.clone()).await.unwrap();
    assert_eq!(third.status(), 429);
    let wait: u64 = third.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=31 * 24 * 3600).contains(&wait), "until the next month: {wait}");

    // Listed on the account; revoking closes it at once.
    let list = text_of(&browser.page("/account/epaper-clips", 200).await);
    assert!(
        list.contains("Headline of page 1") && list.contains("Headline of page 2") && list.contains("0 more"),
        "{list}"
    );
    let id =
        app.store.reader_epaper_clips(reader_id(&app, "clipper@example.com").await).await.unwrap().last().unwrap().id;
    let revoked = browser.submit("/account/epaper-clips", &format!("/account/epaper-clips/{id}/revoke"), &[]).await;
    assert_eq!(revoked.status(), 303);
    assert_eq!(public.get(&url).send().await.unwrap().status(), 404);
    assert_eq!(public.get(format!("{url}/image")).send().await.unwrap().status(), 404);
    assert_eq!(public.get(&second_url).send().await.unwrap().status(), 200);
    // After 14 days it closes by itself.
    clock.advance(Duration::days(14) + Duration::minutes(1));
    assert_eq!(public.get(&second_url).send().await.unwrap().status(), 404);
}

async fn reader_id(app: &TestApp, email: &str) -> i64 {
    app.store.reader_by_email(&Email::parse(email).unwrap()).await.unwrap().unwrap().id
}

/// PDFs to upload: (file name, bytes).
type Files<'a> = &'a [(&'a str, &'a [u8])];

/// Uploads through the newsroom's form (its token first, as the page has
/// it): `pdfs` (file name, bytes) and the sidecar's JSON when given.
async fn upload(browser: &mut Browser<'_>, edition: &str, pdfs: Files<'_>, regions: Option<&str>) -> reqwest::Response {
    let token = browser.csrf_token("/newsroom/epaper").await;
    let mut parts: Vec<(&str, Option<&str>, &[u8])> = vec![
        ("csrf_token", None, token.as_bytes()),
        ("date", None, DAY.as_bytes()),
        ("edition", None, edition.as_bytes()),
    ];
    parts.extend(pdfs.iter().map(|(name, bytes)| ("pdf", Some(*name), *bytes)));
    // A file input left empty sends an empty part.
    parts.push((
        "regions",
        Some(if regions.is_some() { "regions.json" } else { "" }),
        regions.unwrap_or("").as_bytes(),
    ));
    browser.post_multipart("/newsroom/epaper", &parts).await
}

async fn editors_upload_editions_in_the_newsroom(backend: Backend) {
    let app = spawn_app_with(backend, site_config()).await;
    let story: i64 = story_id(&free_story_paths(&app, 1).await[0]).parse().unwrap();
    let mut editor = crate::newsroom::staff(&app, "editor@example.com", "editor").await;
    let page = editor.page("/newsroom/epaper", 200).await;
    assert!(page.contains("enctype=\"multipart/form-data\"") && page.contains("name=\"pdf\""), "{page}");
    assert!(editor.page("/newsroom", 200).await.contains("href=\"/newsroom/epaper\""), "the newsroom links it");

    // Two files, one a page each, with the sidecar: imported, and said so.
    let (first, sidecar) = edition(1, Some(story));
    let (second, _) = typeset(PUBLISHER, "Thursday, 13 April 2017", &[plan(1, None)]).unwrap();
    let done =
        upload(&mut editor, "Mumbai", &[("p1.pdf", &first), ("p2.pdf", &second)], Some(&sidecar.to_json())).await;
    assert_eq!(done.status(), 200);
    let text = text_of(&done.text().await.unwrap());
    assert!(
        text.contains(
            "Imported the Mumbai edition of Thursday, 13 April 2017: 2 page(s) from 2 file(s), 1 article region(s)"
        ),
        "{text}"
    );
    assert!(text.contains(" s."), "the time it took: {text}");
    let stored = app.store.epaper_edition(day(), Some("Mumbai")).await.unwrap().unwrap();
    let pages = app.store.epaper_pages(stored.id).await.unwrap();
    assert_eq!(pages.len(), 2);
    assert_ne!(pages[0].source_sha256, pages[1].source_sha256, "a file a page");
    assert!(pages[1].text.contains("Printed words of page 2."), "{}", pages[1].text);
    assert_eq!(app.store.epaper_regions(stored.id).await.unwrap()[0].article_id, Some(story));
    let listed = editor.page("/newsroom/epaper", 200).await;
    assert!(listed.contains(&format!("href=\"/epaper/{DAY}?edition=Mumbai\"")), "{listed}");
    // Staff read the e-paper they load.
    assert!(editor.page(&format!("/epaper/{DAY}?edition=Mumbai&page=2"), 200).await.contains("/epaper/images/"));

    // Refused with the reason on the page, nothing changed: a broken file,
    // an encrypted one beside a good one, a sidecar naming a page that is
    // not there, one that is not JSON, no file at all.
    let encrypted =
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/encrypted.pdf")).unwrap();
    let broken: &[u8] = b"%PDF-1.7\nthis is no PDF at all";
    let refusals: [(Files, Option<&str>, &str); 5] = [
        (&[("broken.pdf", broken)], None, "broken.pdf: it is broken"),
        (&[("p1.pdf", &first), ("encrypted.pdf", &encrypted)], None, "encrypted.pdf: it is encrypted"),
        (&[("p1.pdf", &first)], Some(r#"{"pages":[{"page":9,"regions":[]}]}"#), "page 9 does not exist"),
        (&[("p1.pdf", &first)], Some("{not json"), "the regions file"),
        (&[], None, "no PDF files were given"),
    ];
    for (pdfs, regions, reason) in refusals {
        let refused = upload(&mut editor, "Mumbai", pdfs, regions).await;
        assert_eq!(refused.status(), 422, "{reason}");
        let text = text_of(&refused.text().await.unwrap());
        assert!(text.contains("Nothing was imported") && text.contains(reason), "{reason}: {text}");
        assert!(text.contains("Mumbai"), "the form keeps what was typed");
        assert_eq!(app.store.epaper_pages(stored.id).await.unwrap(), pages, "{reason} changed the edition");
    }

    // Uploading the date and edition again replaces it whole.
    let (one, _) = edition(1, None);
    let again = upload(&mut editor, "Mumbai", &[("one.pdf", &one)], None).await;
    assert_eq!(again.status(), 200);
    let replaced = app.store.epaper_edition(day(), Some("Mumbai")).await.unwrap().unwrap();
    assert_eq!(app.store.epaper_pages(replaced.id).await.unwrap().len(), 1);
    assert!(app.store.epaper_regions(replaced.id).await.unwrap().is_empty());
    assert_eq!(app.store.epaper_editions(day(), day()).await.unwrap().len(), 1);
}

/// POSTs an upload of `parts` (field, file name, bytes) from `browser`; its status.
async fn post_upload(browser: &mut Browser<'_>, parts: &[(&str, Option<&str>, Vec<u8>)]) -> u16 {
    let parts: Vec<(&str, Option<&str>, &[u8])> = parts.iter().map(|(n, f, b)| (*n, *f, b.as_slice())).collect();
    browser.post_multipart("/newsroom/epaper", &parts).await.status().as_u16()
}

async fn the_upload_is_for_editors_with_the_form_token(backend: Backend) {
    let (pdf, _) = edition(1, None);
    // The limit a little over this edition's PDF.
    let config = masthead_web::SiteConfig { epaper_upload_limit: pdf.len() + 16 * 1024, ..site_config() };
    let app = spawn_app_with(backend, config).await;
    let parts = |token: &str| {
        vec![
            ("csrf_token", None, token.as_bytes().to_vec()),
            ("date", None, DAY.as_bytes().to_vec()),
            ("pdf", Some("edition.pdf"), pdf.clone()),
        ]
    };
    // Signed out: to the log-in page; a reader and a writer: 403, even
    // with their browser's form token.
    assert_eq!(app.client.get(app.url("/newsroom/epaper")).send().await.unwrap().status(), 303);
    assert_eq!(post_upload(&mut Browser::new(&app), &parts("")).await, 303);
    for role in ["reader", "writer"] {
        let mut browser = crate::newsroom::staff(&app, &format!("{role}@example.com"), role).await;
        assert_eq!(browser.get("/newsroom/epaper").await.status(), 403, "{role}");
        let token = browser.csrf_token("/account").await;
        assert_eq!(post_upload(&mut browser, &parts(&token)).await, 403, "{role}");
    }
    // An editor without the form's token, with a wrong one, or with the
    // token after the file: 403, nothing stored.
    let mut editor = crate::newsroom::staff(&app, "editor@example.com", "editor").await;
    let token = editor.csrf_token("/newsroom/epaper").await;
    let without: Vec<_> = parts(&token).into_iter().skip(1).collect();
    let mut late = parts(&token);
    late.rotate_left(1);
    for refused in [without, parts("0123"), late] {
        assert_eq!(post_upload(&mut editor, &refused).await, 403);
    }
    assert!(app.store.epaper_edition(day(), None).await.unwrap().is_none());
    // From another site, even with the token: 403.
    let forged = app
        .client
        .post(app.url("/newsroom/epaper"))
        .header("cookie", editor.cookie_header())
        .header("sec-fetch-site", "cross-site")
        .header("content-type", "multipart/form-data; boundary=x")
        .body("--x--\r\n")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    // Over the site's upload limit: 413, nothing stored.
    let mut too_large = parts(&token);
    too_large.push(("pdf", Some("more.pdf"), vec![b'%'; 64 * 1024]));
    assert_eq!(post_upload(&mut editor, &too_large).await, 413);
    assert!(app.store.epaper_edition(day(), None).await.unwrap().is_none());
    // With it: imported.
    assert_eq!(post_upload(&mut editor, &parts(&token)).await, 200);
    assert!(app.store.epaper_edition(day(), None).await.unwrap().is_some());
}

async fn archive_search_shows_print_to_entitled_readers_only(backend: Backend) {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let app = app_with_clock(backend, clock.clone()).await;
    import(&app, 3, None).await;
    let search = "/search?q=printed+words+page";
    let api = "/api/v1/search?q=printed+words+page";
    let label = "In print: page 3, Apr 13 2017 (Main edition)";

    // Visitors and readers without the benefit: no printed page, no word of them.
    let visitor = app.page(search, 200).await;
    assert!(!visitor.contains("In print") && !visitor.contains("printed paper"), "{visitor}");
    assert!(app.json(api, 200).await.get("print").is_none());
    register(&app, "reader@example.com").await;
    let mut reader = Browser::new(&app);
    log_in(&mut reader, "reader@example.com", PASSWORD).await;
    assert!(!reader.page(search, 200).await.contains("In print"));
    let bearer = token(&app, "api@example.com").await;
    assert!(json_as(&app, &bearer, api).await.get("print").is_none());

    // With the benefit: every page that holds the words, newest first, with its snippet.
    let mut entitled = entitled_reader(&app, "asha@example.com", clock.now()).await;
    let text = text_of(&entitled.page(search, 200).await);
    assert!(text.contains(label) && text.contains("Printed words of page 3."), "{text}");
    assert!(text.contains("In print: page 1, Apr 13 2017"), "{text}");
    let html = entitled.page("/search?q=printed+words+-page", 200).await;
    assert!(!html.contains("In print"), "excluded words hold for print too");
    let html = entitled.page("/search?q=printed+words&to=2017-04-12", 200).await;
    assert!(!html.contains("In print"), "the dates hold for print too");
    grant(&app, "api@example.com", clock.now()).await;
    let found = json_as(&app, &bearer, api).await;
    let print = found["print"].as_array().unwrap();
    assert_eq!(print.len(), 3, "{found}");
    assert_eq!(print[2]["label"], label);
    assert_eq!(print[2]["date"], DAY);
    assert!(print[2]["url"].as_str().unwrap().ends_with(&format!("/epaper/{DAY}?edition=Main&page=3")));
    // Staff read the e-paper, so they are shown it too.
    let mut editor = crate::newsroom::staff(&app, "editor@example.com", "editor").await;
    assert!(text_of(&editor.page(search, 200).await).contains(label));
}
