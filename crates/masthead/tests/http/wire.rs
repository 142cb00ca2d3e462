//! `masthead wire import` as an operator runs it: agency files become stories,
//! re-imports change nothing, newer versions update, kills unpublish, and a
//! malformed file is rejected without stopping the batch; `wire watch`
//! imports an inbox and polls agency feeds over http and https.

use std::path::PathBuf;

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use masthead_store::{AgencyRule, DeskStatus, Store};

use crate::support::{Backend, Running, TestDatabase, masthead, on_every_backend};

on_every_backend!(
    a_wire_picture_is_on_its_story_page_and_served_for_good,
    shapes_agencies_really_send,
    write_throughs_and_corrections_update_the_story_and_say_so,
    pictures_are_fetched_once_and_stored_with_their_variants,
    an_embargo_holds_a_story_back_until_its_time_even_under_publish,
    imports_are_idempotent_on_every_backend,
    agency_rules_publish_or_queue,
    the_inbox_is_watched,
    agency_feeds_are_polled,
    agency_feeds_are_fetched_over_https,
    an_untrusted_https_feed_is_reported_and_the_rest_go_in,
);

async fn imports_are_idempotent_on_every_backend(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let run = |files: &[&str]| {
        let mut command = masthead();
        command.args(["wire", "import", "--publish", "--database-url", database.url.as_str()]);
        command.args(files.iter().map(|f| fixture(f)));
        let output = command.output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    let first = run(&["ap_kremlin.newsml.xml", "newsmlg2_fire_v1.xml"]);
    assert_eq!(first.lines().filter(|l| l.starts_with("created ")).count(), 2, "{first}");
    let second = run(&["ap_kremlin.newsml.xml", "newsmlg2_fire_v1.xml"]);
    assert_eq!(second.lines().filter(|l| l.starts_with("unchanged ")).count(), 2, "{second}");
    let third = run(&["newsmlg2_fire_v2.xml"]);
    assert!(third.starts_with("updated "), "{third}");
}

/// Runs `masthead wire import` on `database` with `args` (options, then
/// files); asserts it succeeded and returns its lines.
pub(crate) fn import_to(database: &masthead_store::DatabaseUrl, args: &[&str]) -> Vec<String> {
    let output = masthead().args(["wire", "import", "--database-url", database.as_str()]).args(args).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    stdout.lines().map(str::to_owned).collect()
}

/// The one line starting with `word`.
pub(crate) fn the_line<'a>(lines: &'a [String], word: &str) -> &'a str {
    let found = lines_starting(lines, word);
    assert_eq!(found.len(), 1, "one {word:?} line: {lines:#?}");
    found[0]
}

/// The path at the start of a report line (`created /world/x-12 (…)`).
pub(crate) fn path_in(line: &str) -> &str {
    line.split_whitespace().nth(1).unwrap().trim_end_matches(':')
}

async fn shapes_agencies_really_send(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let store = Store::connect(&database.url).await.unwrap();
    store.migrate().await.unwrap();
    // An AP story with an empty doc-id: known by a hash of its headline and
    // issue date, so a re-send changes nothing; without --public-url the
    // report prints paths.
    let ap = fixture("nitf_ap_no_id.xml");
    let lines = import_to(&database.url, &["--publish", &ap]);
    assert!(lines.contains(&format!(
        "note {ap}: \"Monsoon rains flood Mumbai suburbs\" has no id; known by a hash of its agency, headline and issue date"
    )), "{lines:#?}");
    let created = the_line(&lines, "created ");
    assert!(created.starts_with("created /world/monsoon-rains-flood-mumbai-suburbs-"), "{created}");
    assert!(created.ends_with(" (breaking; 1 picture)"), "urgency 2, a picture beside the file: {created}");
    assert!(lines_starting(&lines, "skipped ").is_empty(), "notes are not skipped items: {lines:#?}");
    let again = import_to(&database.url, &["--publish", &ap]);
    assert_eq!(the_line(&again, "unchanged "), format!("unchanged {}", path_in(created)));
    // Its one-paragraph take became paragraphs and a list; the "By" line the byline.
    let story = store.desk_article(id_in(path_in(created))).await.unwrap().unwrap();
    assert!(
        story.content.body_html.starts_with("<p>MUMBAI, India (AP) — Heavy monsoon rains"),
        "{}",
        story.content.body_html
    );
    assert!(story.content.body_html.contains("<li>schools in three districts will stay shut</li>"));
    assert!(!story.content.body_html.contains("PRIYA"), "the byline is not a paragraph");
    let (byline, _) = store.wire_notes(story.story.id).await.unwrap();
    assert_eq!(byline.as_deref(), Some("By PRIYA SHARMA"));
    let images = store.article_images(story.story.id).await.unwrap();
    assert_eq!(images.len(), 1);
    assert_eq!(images[0].credit.as_deref(), Some("AP Photo/Rafiq Maqbool"));
    assert_eq!((images[0].width, images[0].height), (16, 12));

    // NewsML 1.x in ISO-8859-1, embargoed until a time long past: published;
    // its photo's host cannot be reached, which is a note, not a failure.
    let afp = fixture("newsml1_afp_latin1.xml");
    let lines = import_to(&database.url, &["--publish", &afp]);
    let created = the_line(&lines, "created ");
    assert!(created.starts_with("created /world/f-te-de-la-science") || created.contains("/world/"), "{created}");
    let story = store.desk_article(id_in(path_in(created))).await.unwrap().unwrap();
    assert_eq!(story.content.headline, "Fête de la science : la comète revient à Paris");
    assert_eq!(story.content.credit, masthead_domain::Credit::Wire("AFP".into()));
    assert!(
        lines
            .iter()
            .any(|l| l
                .starts_with(&format!("note {afp}: picture https://photos.example.fr/comete-hr.jpg: cannot fetch it"))),
        "{lines:#?}"
    );

    // ninjs 1.0 with `source`: the agency is AAP, not "names no agency".
    let aap = fixture("ninjs1_superdesk.json");
    let lines = import_to(&database.url, &[&aap]);
    let created = the_line(&lines, "created ");
    let story = store.desk_article(id_in(path_in(created))).await.unwrap().unwrap();
    assert_eq!(story.content.credit, masthead_domain::Credit::Wire("AAP".into()));
    assert_eq!(story.story.status, DeskStatus::Draft, "no rule for AAP: queued");

    // Reuters' provider is a domain; its credit line names the agency. A rule
    // for Reuters routes central-bank copy to Markets with a tag.
    let rule = AgencyRule { agency: "Reuters".into(), publish: true, section: "economy".into(), feed_url: None };
    store.put_agency_rule(&rule, chrono::Utc::now()).await.unwrap();
    let routing = masthead_store::AgencyRouting {
        routes: "N2:CEN medtop:20000344 -> markets, tags: rbi, rates\n".into(),
        breaking_urgency: 1,
    };
    assert!(store.put_agency_routing("Reuters", &routing).await.unwrap());
    let lines = import_to(&database.url, &[&fixture("newsmlg2_reuters_rates_v1.xml")]);
    let created = the_line(&lines, "created ");
    assert!(created.starts_with("created /markets/rbi-holds-repo-rate-at-6-50-"), "{created}");
    assert!(created.ends_with(" (routed by Reuters's rule; tags: rbi, rates; breaking)"), "{created}");
    let story = store.desk_article(id_in(path_in(created))).await.unwrap().unwrap();
    assert_eq!(story.content.credit, masthead_domain::Credit::Wire("Reuters".into()));
    assert_eq!(story.content.tags, ["rates", "rbi"]);
    assert_eq!(story.story.status, DeskStatus::Published);
    let breaking = store.breaking_story_ids(chrono::DateTime::UNIX_EPOCH, 10).await.unwrap();
    assert!(breaking.contains(&story.story.id), "urgency 1 is breaking");

    // The package: one of its five references is a story now.
    let package = fixture("newsmlg2_reuters_package.xml");
    let lines = import_to(&database.url, &[&package]);
    assert_eq!(
        lines,
        [format!(
            "grouped {package}: a package of 5 references; 1 already in, shown as related stories as the others come"
        )]
    );
}

async fn write_throughs_and_corrections_update_the_story_and_say_so(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let dir = tempfile::tempdir().unwrap();
    // The package first, then its items: the grouping is kept either way.
    let package = fixture("newsmlg2_reuters_package.xml");
    let lines = import_to(&database.url, &[&package]);
    assert_eq!(
        lines,
        [format!(
            "skipped {package}: a package of 5 references; import the items themselves (they will be shown as related stories)"
        )]
    );
    let v1 = fixture("newsmlg2_reuters_rates_v1.xml");
    let lines = import_to(&database.url, &["--publish", "--public-url", "https://news.example/", &v1]);
    let created = the_line(&lines, "created ").to_owned();
    assert!(created.starts_with("created https://news.example/world/rbi-holds-repo-rate-at-6-50-"), "{created}");
    let url = created.split_whitespace().nth(1).unwrap().to_owned();
    let lines =
        import_to(&database.url, &["--public-url", "https://news.example", &fixture("newsmlg2_reuters_rates_v2.xml")]);
    assert_eq!(lines, [format!("updated {url} (1 picture): Updates with comments from the governor, market reaction")]);
    let lines = import_to(
        &database.url,
        &["--public-url", "https://news.example", &fixture("newsmlg2_reuters_rates_v3_correction.xml")],
    );
    assert_eq!(lines, [format!("updated {url}: Corrects size of cash reserve ratio cut in paragraph 2")]);
    let store = Store::connect(&database.url).await.unwrap();
    let id = id_in(&url);
    let (_, note) = store.wire_notes(id).await.unwrap();
    assert_eq!(note.as_deref(), Some("Corrects size of cash reserve ratio cut in paragraph 2"));
    let story = store.desk_article(id).await.unwrap().unwrap();
    assert_eq!(story.content.headline, "RBI holds rates, cuts cash reserve ratio to spur lending");
    assert!(story.content.body_html.contains("50 basis point cut"));
    assert_eq!(store.article_images(id).await.unwrap().len(), 1, "the correction keeps the picture");
    // A second story of the package arrives: the two are related.
    let other = dir.path().join("markets.xml");
    let text = std::fs::read_to_string(&v1)
        .unwrap()
        .replace("newsml_L4N-RBI-RATES", "newsml_L4N-RBI-MARKETS")
        .replace("RBI holds repo rate at 6.50%", "Indian shares rise after RBI decision");
    std::fs::write(&other, text).unwrap();
    let lines = import_to(&database.url, &["--publish", other.to_str().unwrap()]);
    let markets = id_in(path_in(the_line(&lines, "created ")));
    assert_eq!(store.related_story_ids(id).await.unwrap(), [markets]);
    assert_eq!(store.related_story_ids(markets).await.unwrap(), [id]);
}

async fn pictures_are_fetched_once_and_stored_with_their_variants(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let (url, served) = serve_feed(picture_png(1000, 600), None);
    let story = |version: u32, href: &str| {
        format!(
            r#"{{"uri": "urn:example:pic-story", "version": "{version}", "versionCreated": "2024-11-27T0{version}:00:00Z",
                "headlines": [{{"role": "main", "value": "Flamingos return"}}], "copyrightHolder": "Example Wire",
                "bodies": [{{"role": "text", "contentType": "text/plain", "value": "Thousands of flamingos returned."}}],
                "associations": [{{"name": "a001", "type": "picture", "by": "Example Wire/Anil Rao",
                    "descriptions": [{{"value": "Flamingos at Thane creek."}}],
                    "renditions": [{{"name": "hires", "contentType": "image/png", "href": "{href}", "width": 1000, "height": 600}}]}}]}}"#
        )
    };
    let first = dir.path().join("v1.json");
    std::fs::write(&first, story(1, &url)).unwrap();
    let lines = import_to(&database.url, &["--publish", first.to_str().unwrap()]);
    let created = the_line(&lines, "created ");
    assert!(created.ends_with(" (1 picture)"), "{lines:#?}");
    let store = Store::connect(&database.url).await.unwrap();
    let images = store.article_images(id_in(path_in(created))).await.unwrap();
    let widths: Vec<(String, i64)> = images[0].variants.iter().map(|v| (v.format.clone(), v.width)).collect();
    assert_eq!(
        widths,
        [
            ("jpeg".into(), 480),
            ("webp".into(), 480),
            ("jpeg".into(), 800),
            ("webp".into(), 800),
            ("jpeg".into(), 1000),
            ("webp".into(), 1000)
        ]
    );
    assert_eq!(images[0].caption.as_deref(), Some("Flamingos at Thane creek."));
    // A newer version with the same picture: not fetched again.
    let second = dir.path().join("v2.json");
    std::fs::write(&second, story(2, &url)).unwrap();
    let lines = import_to(&database.url, &[second.to_str().unwrap()]);
    assert!(the_line(&lines, "updated ").contains("(1 picture)"), "{lines:#?}");
    assert_eq!(served.load(Ordering::SeqCst), 1, "fetched once");
    // A link that is not a picture is refused with the reason; the story stands.
    let (page, _) = serve_feed(b"<!DOCTYPE html><html><body>Not found</body></html>".to_vec(), None);
    let third = dir.path().join("v3.json");
    std::fs::write(&third, story(3, &page)).unwrap();
    let lines = import_to(&database.url, &[third.to_str().unwrap()]);
    let reason = format!("picture {page}: not an image the site takes (an HTML page); send a JPEG, PNG, WebP or GIF");
    assert!(lines.iter().any(|l| l.ends_with(&reason)), "{lines:#?}");
    assert!(the_line(&lines, "updated ").starts_with("updated /world/flamingos-return-"), "{lines:#?}");
}

/// A PNG of `width` × `height` pixels.
fn picture_png(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 251) as u8, (y % 241) as u8, 120]));
    let mut bytes = Vec::new();
    picture.write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
    bytes
}

async fn an_embargo_holds_a_story_back_until_its_time_even_under_publish(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let url = database.url.clone();
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let app = crate::support::spawn_on(store.clone(), database, crate::support::site_config()).await;
    let dir = tempfile::tempdir().unwrap();
    let lifts = chrono::Utc::now() + chrono::Duration::seconds(4);
    let item = |id: &str, headline: &str, until: &str| {
        format!(
            r#"{{"uri": "urn:example:{id}", "version": "1", "versionCreated": "2024-11-26T10:00:00Z", "embargoedUntil": "{until}",
                "infoSources": [{{"name": "Example Wire"}}], "headlines": [{{"role": "main", "value": "{headline}"}}],
                "bodies": [{{"role": "text", "contentType": "text/plain", "value": "Results are out."}}]}}"#
        )
    };
    let soon = dir.path().join("soon.json");
    std::fs::write(&soon, item("soon", "Results due in seconds", &lifts.to_rfc3339())).unwrap();
    let lines = import_to(&url, &["--publish", soon.to_str().unwrap()]);
    let line = the_line(&lines, "scheduled ");
    assert!(line.contains(": embargoed until "), "{line}");
    let path = path_in(line).to_owned();
    assert_eq!(app.get(&path).await.status().as_u16(), 404, "held back under --publish");
    assert_eq!(status_of(&store, &path).await, DeskStatus::Scheduled);
    // An agency rule that publishes holds back too (the far future, here).
    let rule = AgencyRule { agency: "Example Wire".into(), publish: true, section: "markets".into(), feed_url: None };
    store.put_agency_rule(&rule, chrono::Utc::now()).await.unwrap();
    let later = dir.path().join("later.json");
    std::fs::write(&later, item("later", "Results due next century", "2099-01-01T00:00:00Z")).unwrap();
    let lines = import_to(&url, &[later.to_str().unwrap()]);
    let line = the_line(&lines, "scheduled ");
    assert!(line.ends_with(": embargoed until 2099-01-01 00:00 UTC; it goes out then"), "{line}");
    assert_eq!(app.get(path_in(line)).await.status().as_u16(), 404);
    // Once the embargo lifts, the newsroom's scheduler publishes it.
    let mut status = 404;
    for _ in 0..100 {
        status = app.get(&path).await.status().as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200, "published when the embargo lifted");
    assert!(chrono::Utc::now() >= lifts, "not before its time");
}

async fn a_wire_picture_is_on_its_story_page_and_served_for_good(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let url = database.url.clone();
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let app = crate::support::spawn_on(store, database, crate::support::site_config()).await;
    let lines = import_to(&url, &["--publish", &fixture("nitf_ap_no_id.xml")]);
    let path = path_in(the_line(&lines, "created ")).to_owned();
    let page = app.page(&path, 200).await;
    assert!(page.contains(r#"<p class="byline">By PRIYA SHARMA · AP Mumbai</p>"#), "{page}");
    let webp =
        page.split(r#"<source type="image/webp" srcset=""#).nth(1).expect("a WebP srcset").split('"').next().unwrap();
    assert!(webp.starts_with("/media/") && webp.ends_with(".webp 16w"), "{webp}");
    assert!(
        page.contains(
            r#"sizes="(max-width: 760px) 100vw, 760px" width="16" height="12" alt="A flooded street in Mumbai""#
        ),
        "{page}"
    );
    assert!(page.contains(r#"<figcaption>Commuters wade through a flooded street in Mumbai on Tuesday. <span class="credit">AP Photo/Rafiq Maqbool</span></figcaption>"#), "{page}");
    // The variant is served for good; asked again with its ETag, not at all.
    let address = webp.strip_suffix(" 16w").unwrap();
    let response = app.get(address).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "image/webp");
    assert_eq!(response.headers()["cache-control"], "public, max-age=31536000, immutable");
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(image::load_from_memory(&response.bytes().await.unwrap()).unwrap().width(), 16);
    let again = app.client.get(app.url(address)).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 304);
    // Nothing else stored is served: not an unknown name, not the original, not a wrong extension.
    let original = masthead_store::blob_name(&std::fs::read(fixture("photo_16x12.png")).unwrap());
    for path in [
        format!("/media/{}.webp", "0".repeat(64)),
        format!("/media/{original}.webp"),
        format!("/media/{original}.jpg"),
        address.replace(".webp", ".jpg"),
        "/media/..%2F..%2Fetc%2Fpasswd".to_owned(),
    ] {
        assert_eq!(app.get(&path).await.status().as_u16(), 404, "{path}");
    }
    // The home page leads with the story, its picture beside it and fetched
    // at once; its section's list shows it small, fetched only when scrolled near.
    let home = app.page("/", 200).await;
    let lead = home.split(r#"<article class="lead pictured">"#).nth(1).expect("the lead with its picture");
    let lead = lead.split("</article>").next().unwrap();
    assert!(lead.contains(&path) && lead.contains(r#"width="16" height="12""#), "{lead}");
    assert!(!lead.contains("loading="), "the lead's picture is not lazy: {lead}");
    let list = app.page(&format!("/{}", path.split('/').nth(1).unwrap()), 200).await;
    let card = list.split(r#"<li class="card""#).find(|card| card.contains(&path)).expect("the story's card");
    assert!(card.contains(r#"sizes="120px" width="16" height="12" alt="" loading="lazy""#), "{card}");
    // Feeds carry the picture.
    let rss = app.page("/feed.xml", 200).await;
    assert!(rss.contains(r#"<enclosure url="http://"#) && rss.contains(r#".jpg" length=""#), "{rss}");
    let atom = app.page("/atom.xml", 200).await;
    assert!(atom.contains(r#"<link rel="enclosure" type="image/jpeg" length=""#), "{atom}");
    // A flash just in leads the home page's "Breaking" strip; the AP story of
    // 2024, urgent as it was, is long past it.
    let dir = tempfile::tempdir().unwrap();
    let flash = dir.path().join("flash.json");
    let now = chrono::Utc::now().to_rfc3339();
    std::fs::write(&flash, format!(r#"{{"uri": "urn:example:flash", "urgency": 1, "versionCreated": "{now}", "copyrightHolder": "Example Wire",
        "headlines": [{{"role": "main", "value": "Earthquake shakes Delhi"}}], "bodies": [{{"role": "text", "value": "Buildings swayed."}}]}}"#)).unwrap();
    let lines = import_to(&url, &["--publish", flash.to_str().unwrap()]);
    assert!(the_line(&lines, "created ").ends_with(" (breaking)"), "{lines:#?}");
    let home = app.page("/", 200).await;
    let strip = home
        .split(r#"<section class="breaking""#)
        .nth(1)
        .expect("a Breaking strip")
        .split("</section>")
        .next()
        .unwrap();
    assert!(strip.contains("Earthquake shakes Delhi") && !strip.contains("Monsoon"), "{strip}");
}

fn fixture(name: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../masthead-wire/tests/fixtures");
    dir.join(name).to_str().unwrap().to_owned()
}

/// Runs an import into `data_dir`; returns (succeeded, stdout lines).
fn import(data_dir: &std::path::Path, extra: &[&str], files: &[&str]) -> (bool, Vec<String>) {
    let mut command = masthead();
    command.args(["wire", "import", "--public-url", "http://news.example", "--data-dir"]).arg(data_dir).args(extra);
    for file in files {
        command.arg(fixture(file));
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    (output.status.success(), stdout.lines().map(str::to_owned).collect())
}

fn lines_starting<'a>(lines: &'a [String], word: &str) -> Vec<&'a String> {
    lines.iter().filter(|l| l.starts_with(word)).collect()
}

#[test]
fn imports_create_then_change_nothing_then_update_and_kill() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (ok, lines) = import(&data, &["--publish"], &["ap_kremlin.ninjs.json", "newsmlg2_fire_v1.xml"]);
    assert!(ok, "{lines:#?}");
    let created = lines_starting(&lines, "created ");
    assert_eq!(created.len(), 2, "{lines:#?}");
    assert!(
        created[0].starts_with("created http://news.example/world/kremlin-no-positive-shift-yet-on-russia-us-ties-")
    );

    // The same versions again: nothing changes.
    let (ok, again) = import(&data, &["--publish"], &["ap_kremlin.ninjs.json", "newsmlg2_fire_v1.xml"]);
    assert!(ok);
    assert_eq!(lines_starting(&again, "unchanged ").len(), 2, "{again:#?}");
    assert!(lines_starting(&again, "created ").is_empty() && lines_starting(&again, "updated ").is_empty());

    // A newer version updates the same story; an older one changes nothing.
    let fire = created[1].strip_prefix("created ").unwrap().to_owned();
    let (_, v2) = import(&data, &[], &["newsmlg2_fire_v2.xml"]);
    assert_eq!(v2, vec![format!("updated {fire}")], "same URL, updated");
    let (_, v1) = import(&data, &[], &["newsmlg2_fire_v1.xml"]);
    assert_eq!(v1, vec![format!("unchanged {fire}")]);

    // The kill takes it down.
    let (_, killed) = import(&data, &[], &["newsmlg2_fire_v3_canceled.xml"]);
    assert_eq!(lines_starting(&killed, "updated "), [&format!("updated {fire}: canceled by the agency, unpublished")]);
    assert!(
        killed.iter().any(|l| l.starts_with("note ") && l.ends_with(": no body")),
        "notes are reported as notes, not skipped items"
    );
    // Killed again: nothing left to take down.
    let (_, again) = import(&data, &[], &["newsmlg2_fire_v3_canceled.xml"]);
    assert_eq!(lines_starting(&again, "unchanged "), [&format!("unchanged {fire}")]);
}

#[test]
fn a_malformed_file_is_rejected_and_the_rest_go_in() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (ok, lines) =
        import(&data, &["--publish"], &["malformed.json", "rss_three_items.xml", "page.html", "empty.txt"]);
    assert!(!ok, "rejections make the command fail");
    let rejected = lines_starting(&lines, "rejected ");
    assert_eq!(rejected.len(), 3, "{lines:#?}");
    assert!(rejected.iter().any(|l| l.contains("malformed.json: not valid JSON")), "{rejected:#?}");
    assert!(rejected.iter().any(|l| l.contains("page.html: unknown format")), "{rejected:#?}");
    assert_eq!(lines_starting(&lines, "created ").len(), 2, "two usable RSS items: {lines:#?}");
    assert!(lines_starting(&lines, "skipped ").iter().any(|l| l.contains("rss_three_items.xml")), "{lines:#?}");
}

#[tokio::test]
async fn published_wire_copy_carries_its_credit_and_the_disclaimer_and_drafts_stay_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (ok, lines) = import(&data, &["--publish"], &["ap_kremlin.ninjs.json"]);
    assert!(ok, "{lines:#?}");
    let (_, draft) = import(&data, &["--section", "economy"], &["newsmlg2_fire_v1.xml"]);
    let story = lines[0].strip_prefix("created http://news.example").unwrap().to_owned();
    let draft = draft[0].strip_prefix("created http://news.example").unwrap().to_owned();
    assert!(draft.starts_with("/economy/"), "{draft}");

    let server = Running::start(&["demo", "--listen", "127.0.0.1:0", "--data-dir", data.to_str().unwrap()]);
    let (base, _) = server.address();
    let page = crate::support::fetch(format!("{base}{story}")).await.text().await.unwrap();
    assert!(page.contains(r#"<p class="byline">AP Moscow</p>"#), "{page}");
    assert!(page.contains("Disclaimer: No Masthead Daily Journalist was involved in creation of this content"));
    let hidden = crate::support::fetch(format!("{base}{draft}")).await;
    assert_eq!(hidden.status().as_u16(), 404, "drafts wait for an editor");
}

#[test]
fn import_needs_a_known_section_and_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (ok, _) = import(&data, &["--section", "sport"], &["ap_kremlin.ninjs.json"]);
    assert!(!ok);
    let output = masthead().args(["wire", "import", &fixture("ap_kremlin.ninjs.json")]).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--data-dir"));
}

/// The story id at the end of a report line's URL.
fn id_in(line: &str) -> i64 {
    line.rsplit('-').next().unwrap().parse().unwrap_or_else(|_| panic!("no id in {line}"))
}

async fn status_of(store: &Store, line: &str) -> DeskStatus {
    store.desk_article(id_in(line)).await.unwrap().unwrap().story.status
}

async fn agency_rules_publish_or_queue(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let store = Store::connect(&database.url).await.unwrap();
    store.migrate().await.unwrap();
    let rule = AgencyRule { agency: "AP".into(), publish: true, section: "economy".into(), feed_url: None };
    store.put_agency_rule(&rule, chrono::Utc::now()).await.unwrap();
    let run = |extra: &[&str], files: &[&str]| {
        let mut command = masthead();
        command.args([
            "wire",
            "import",
            "--public-url",
            "http://news.example",
            "--database-url",
            database.url.as_str(),
        ]);
        command.args(extra).args(files.iter().map(|f| fixture(f)));
        let output = command.output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap().lines().map(str::to_owned).collect::<Vec<_>>()
    };
    let lines = run(&[], &["ap_kremlin.ninjs.json", "newsmlg2_fire_v1.xml"]);
    assert!(lines[0].starts_with("created http://news.example/economy/kremlin-"), "AP's rule: {lines:#?}");
    assert_eq!(status_of(&store, &lines[0]).await, DeskStatus::Published, "AP's rule publishes");
    assert!(lines[1].starts_with("created http://news.example/world/fire-"), "no rule: {lines:#?}");
    assert_eq!(status_of(&store, &lines[1]).await, DeskStatus::Draft, "without a rule, queued for an editor");
    // --publish and --section override the rules.
    let lines = run(&["--publish", "--section", "markets"], &["ninjs3_dpa_text.json"]);
    assert!(lines.iter().any(|l| l.starts_with("created http://news.example/markets/")), "{lines:#?}");
    let created = lines.iter().find(|l| l.starts_with("created ")).unwrap();
    assert_eq!(status_of(&store, created).await, DeskStatus::Published);
    // A queueing rule keeps the agency's copy as drafts, in its section.
    let rule = AgencyRule { agency: "Example Wire".into(), publish: false, section: "politics".into(), feed_url: None };
    store.put_agency_rule(&rule, chrono::Utc::now()).await.unwrap();
    let lines = run(&[], &["rss_three_items.xml"]);
    let created: Vec<&String> = lines.iter().filter(|l| l.starts_with("created ")).collect();
    assert_eq!(created.len(), 2, "{lines:#?}");
    for line in created {
        assert!(line.starts_with("created http://news.example/politics/"), "{line}");
        assert_eq!(status_of(&store, line).await, DeskStatus::Draft);
    }
}

/// Waits (up to 15 s) until `path` exists.
async fn wait_for(path: &std::path::Path) {
    for _ in 0..150 {
        if path.exists() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{} never appeared", path.display());
}

async fn the_inbox_is_watched(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::copy(fixture("ap_kremlin.ninjs.json"), inbox.join("ap.json")).unwrap();
    std::fs::write(inbox.join("broken.xml"), "<nitf><head><title>cut off").unwrap();
    std::fs::write(inbox.join("uploading.xml.part"), "<nitf").unwrap();
    let mut child = masthead()
        .args(["wire", "watch", "--every", "1", "--publish", "--public-url", "http://news.example"])
        .args(["--database-url", database.url.as_str()])
        .arg(&inbox)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_for(&inbox.join("done/ap.json")).await;
    wait_for(&inbox.join("rejected/broken.xml.reason.txt")).await;
    // A file dropped while it runs is picked up on a later round.
    std::fs::copy(fixture("newsmlg2_fire_v1.xml"), inbox.join("fire.xml")).unwrap();
    wait_for(&inbox.join("done/fire.xml")).await;
    child.kill().unwrap();
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    child.wait().unwrap();
    assert!(inbox.join("rejected/broken.xml").exists());
    let reason = std::fs::read_to_string(inbox.join("rejected/broken.xml.reason.txt")).unwrap();
    assert!(!reason.trim().is_empty());
    assert!(inbox.join("uploading.xml.part").exists(), "uploads in progress are left alone");
    assert!(!inbox.join("ap.json").exists() && !inbox.join("broken.xml").exists());
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.iter().any(|l| l.starts_with("created http://news.example/world/kremlin-")), "{lines:#?}");
    assert!(lines.iter().any(|l| l.starts_with("created http://news.example/world/fire-")), "{lines:#?}");
    assert!(lines.iter().any(|l| l.starts_with("rejected ") && l.contains("broken.xml: ")), "{lines:#?}");
    assert_eq!(lines.iter().filter(|l| l.starts_with("created ")).count(), 2, "each file once: {lines:#?}");
}

/// A one-route HTTP server on a free port serving `body` for every request,
/// over TLS when given a server config; returns its feed URL and a count of
/// requests served.
fn serve_feed(body: Vec<u8>, tls: Option<Arc<rustls::ServerConfig>>) -> (String, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let scheme = if tls.is_some() { "https" } else { "http" };
    let address = format!("{scheme}://{}/agency/feed.xml", listener.local_addr().unwrap());
    let served = Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let answered = match &tls {
                None => answer(&mut { stream }, &body),
                Some(config) => {
                    let mut tls =
                        rustls::StreamOwned::new(rustls::ServerConnection::new(config.clone()).unwrap(), stream);
                    // A client that does not trust the certificate ends the handshake: nothing is answered.
                    answer(&mut tls, &body) && {
                        tls.conn.send_close_notify();
                        tls.flush().is_ok()
                    }
                }
            };
            if answered {
                count.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    (address, served)
}

/// Reads one request from `stream` and answers it with `body`; whether it could.
fn answer(stream: &mut (impl Read + Write), body: &[u8]) -> bool {
    let mut request = Vec::new();
    let mut buffer = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return false,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body)).and_then(|()| stream.flush()).is_ok()
}

/// A TLS server config with a fresh self-signed certificate for 127.0.0.1
/// and localhost, issued by and to `name`; returns it and the certificate
/// in PEM, for a client to trust.
fn self_signed_tls(name: &str) -> (Arc<rustls::ServerConfig>, String) {
    let mut params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, name);
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    let key = rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key.into())
        .unwrap();
    (Arc::new(config), cert.pem())
}

/// A rule for `agency` that publishes its feed at `url` to Technology.
fn feed_rule(agency: &str, url: &str) -> AgencyRule {
    AgencyRule { agency: agency.into(), publish: true, section: "technology".into(), feed_url: Some(url.into()) }
}

/// One `wire watch --once` round (which must succeed) with an empty inbox
/// in `dir`, trusting only the roots in `ca_file` when given; its output lines.
fn watch_once(database: &TestDatabase, dir: &std::path::Path, ca_file: Option<&std::path::Path>) -> Vec<String> {
    let mut command = masthead();
    command.args(["wire", "watch", "--once", "--public-url", "http://news.example", "--database-url"]);
    command.arg(database.url.as_str()).arg(dir.join("inbox"));
    if let Some(ca_file) = ca_file {
        command.env("SSL_CERT_FILE", ca_file).env_remove("SSL_CERT_DIR");
    }
    let output = command.output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().lines().map(str::to_owned).collect()
}

/// Checks the rss_three_items feed went in: its two stories published in Technology.
async fn assert_feed_published(store: &Store, lines: &[String]) {
    let created = lines_starting(lines, "created ");
    assert_eq!(created.len(), 2, "{lines:#?}");
    for line in created {
        assert!(line.starts_with("created http://news.example/technology/"), "the rule's section: {line}");
        assert_eq!(status_of(store, line).await, DeskStatus::Published, "the rule publishes");
    }
}

async fn agency_feeds_are_polled(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let store = Store::connect(&database.url).await.unwrap();
    store.migrate().await.unwrap();
    let (url, served) = serve_feed(std::fs::read(fixture("rss_three_items.xml")).unwrap(), None);
    let rule = feed_rule("Example Wire", &url);
    store.put_agency_rule(&rule, chrono::Utc::now()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let lines = watch_once(&database, dir.path(), None);
    assert_feed_published(&store, &lines).await;
    assert!(lines.iter().any(|l| l.starts_with(&format!("skipped {url}: "))), "notes name the feed: {lines:#?}");
    // The next fetch finds the same items: nothing changes.
    let lines = watch_once(&database, dir.path(), None);
    assert_eq!(lines.iter().filter(|l| l.starts_with("unchanged ")).count(), 2, "{lines:#?}");
    assert_eq!(served.load(Ordering::SeqCst), 2, "one fetch a round");
    // A feed that cannot be fetched is reported, and the round goes on.
    let broken = feed_rule("Nobody", "http://127.0.0.1:9/nothing");
    store.put_agency_rule(&broken, chrono::Utc::now()).await.unwrap();
    let lines = watch_once(&database, dir.path(), None);
    let rejected = "rejected http://127.0.0.1:9/nothing: the feed of Nobody: cannot fetch: ";
    assert!(lines.iter().any(|l| l.starts_with(rejected) && l.contains("refused")), "{lines:#?}");
}

async fn agency_feeds_are_fetched_over_https(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let store = Store::connect(&database.url).await.unwrap();
    store.migrate().await.unwrap();
    let (tls, ca) = self_signed_tls("Example Wire feeds");
    let (url, served) = serve_feed(std::fs::read(fixture("rss_three_items.xml")).unwrap(), Some(tls));
    assert!(url.starts_with("https://"), "{url}");
    store.put_agency_rule(&feed_rule("Example Wire", &url), chrono::Utc::now()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca).unwrap();
    let lines = watch_once(&database, dir.path(), Some(&ca_file));
    assert_feed_published(&store, &lines).await;
    assert_eq!(served.load(Ordering::SeqCst), 1, "{lines:#?}");
}

async fn an_untrusted_https_feed_is_reported_and_the_rest_go_in(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let store = Store::connect(&database.url).await.unwrap();
    store.migrate().await.unwrap();
    let (trusted, ca) = self_signed_tls("Example Wire feeds");
    let (untrusted, _not_given_to_the_client) = self_signed_tls("Bogus Wire feeds");
    let (bogus_url, _) = serve_feed(std::fs::read(fixture("rss_three_items.xml")).unwrap(), Some(untrusted));
    let (url, _) = serve_feed(std::fs::read(fixture("rss_three_items.xml")).unwrap(), Some(trusted));
    // Feeds are polled by agency name: the bad one comes first.
    store.put_agency_rule(&feed_rule("Bogus Wire", &bogus_url), chrono::Utc::now()).await.unwrap();
    store.put_agency_rule(&feed_rule("Example Wire", &url), chrono::Utc::now()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca).unwrap();
    let lines = watch_once(&database, dir.path(), Some(&ca_file));
    let rejected = format!("rejected {bogus_url}: the feed of Bogus Wire: cannot fetch: ");
    let line = lines.iter().find(|l| l.starts_with(&rejected)).unwrap_or_else(|| panic!("{lines:#?}"));
    assert!(line.contains("invalid peer certificate: UnknownIssuer"), "says what is wrong: {line}");
    assert_eq!(lines.first(), Some(line), "the bad feed was polled first: {lines:#?}");
    assert_feed_published(&store, &lines).await;
}

#[test]
fn watch_and_staff_commands_have_help() {
    for args in [["wire", "watch", "--help"], ["staff", "add", "--help"]] {
        let output = masthead().args(args).output().unwrap();
        assert!(output.status.success(), "{args:?}");
        let help = String::from_utf8(output.stdout).unwrap();
        assert!(help.contains("Usage: masthead") && help.contains("--database-url"), "{args:?}: {help}");
    }
}
