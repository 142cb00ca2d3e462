//! The newsroom over HTTP: every route's role check, writing and publishing
//! (First Published kept on update), scheduling, unpublishing, revisions
//! with diff and restore, the home lead, CSRF, Markdown sanitising, staff
//! administration, and `masthead staff add`.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use masthead_domain::email::Email;
use masthead_domain::{ManualClock, Role};
use masthead_store::Store;

use crate::support::{
    Backend, Browser, PASSWORD, TestApp, TestDatabase, log_in, masthead, on_every_backend, register, site_config,
    spawn_app, spawn_app_with, spawn_on, text_of,
};

on_every_backend!(
    every_newsroom_route_checks_the_role,
    editors_publish_and_updates_keep_first_published,
    writers_draft_but_cannot_publish,
    scheduled_stories_go_out_on_time_and_not_before,
    unpublished_stories_leave_the_site,
    revisions_compare_and_restore,
    forms_without_a_token_change_nothing,
    markdown_is_sanitised_everywhere,
    editors_choose_the_home_lead,
    admins_manage_roles_but_not_the_last_admin,
    two_admins_demoting_each_other_at_once_leave_one,
    list_filters_narrow_the_stories,
    staff_add_makes_the_first_admin,
    feeds_pass_a_strict_parser_and_withhold_nothing,
);

/// Registers `email`, gives it `role`, and logs a browser in as it.
pub(crate) async fn staff<'a>(app: &'a TestApp, email: &str, role: &str) -> Browser<'a> {
    register(app, email).await;
    let id = app.store.reader_by_email(&Email::parse(email).unwrap()).await.unwrap().unwrap().id;
    app.store.set_role(id, Role::parse(role).unwrap()).await.unwrap().unwrap();
    let mut browser = Browser::new(app);
    log_in(&mut browser, email, PASSWORD).await;
    browser
}

/// A story form's fields, with `extra` overriding or adding.
fn story<'a>(headline: &'a str, body: &'a str, action: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("headline", headline),
        ("standfirst", "A standfirst for the test."),
        ("body", body),
        ("section", "economy"),
        ("byline", "Priya Raman"),
        ("dateline", "Mumbai"),
        ("tags", "rbi, rates"),
        ("action", action),
    ]
}

/// Submits the editor's form (new story when `id` is None); returns the response.
async fn post_story(browser: &mut Browser<'_>, id: Option<&str>, fields: &[(&str, &str)]) -> reqwest::Response {
    let (page, action) = match id {
        None => ("/newsroom/stories/new".to_owned(), "/newsroom/stories".to_owned()),
        Some(id) => (format!("/newsroom/stories/{id}"), format!("/newsroom/stories/{id}")),
    };
    browser.submit(&page, &action, fields).await
}

/// The story id a save redirected to.
fn saved_id(response: &reqwest::Response) -> String {
    assert_eq!(response.status().as_u16(), 303, "the save redirects");
    let location = response.headers()["location"].to_str().unwrap();
    let rest = location.strip_prefix("/newsroom/stories/").unwrap_or_else(|| panic!("{location}"));
    rest.split('?').next().unwrap().to_owned()
}

pub(crate) async fn create(browser: &mut Browser<'_>, headline: &str, body: &str, action: &str) -> String {
    saved_id(&post_story(browser, None, &story(headline, body, action)).await)
}

/// The story's public path, from the editor page's "On the site" link.
pub(crate) async fn live_path(browser: &mut Browser<'_>, id: &str) -> Option<String> {
    let html = browser.page(&format!("/newsroom/stories/{id}"), 200).await;
    let marker = "<dt>On the site</dt><dd><a href=\"";
    let start = html.find(marker)? + marker.len();
    Some(html[start..start + html[start..].find('"').unwrap()].to_owned())
}

/// The `datetime` of the `<time>` after `label` on a story page.
fn time_after(html: &str, label: &str) -> String {
    let start = html.find(label).unwrap_or_else(|| panic!("no {label}")) + label.len();
    let marker = "datetime=\"";
    let at = start + html[start..].find(marker).unwrap() + marker.len();
    html[at..at + html[at..].find('"').unwrap()].to_owned()
}

/// One route and the least role that may use it.
struct Route {
    method: &'static str,
    path: String,
    least: &'static str,
    fields: Vec<(&'static str, &'static str)>,
}

fn rank(role: &str) -> u8 {
    ["anonymous", "reader", "writer", "editor", "admin"].iter().position(|r| *r == role).unwrap() as u8
}

async fn every_newsroom_route_checks_the_role(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut writer = staff(&app, "writer@example.com", "writer").await;
    let id = create(&mut writer, "A writer's draft", "Draft text.", "save").await;
    let preview = vec![
        ("headline", "Preview"),
        ("body", "Text"),
        ("section", "world"),
        ("byline", "Someone"),
        ("action", "preview"),
    ];
    let get = |path: String, least| Route { method: "GET", path, least, fields: vec![] };
    let post = |path: String, least, fields| Route { method: "POST", path, least, fields };
    let routes = vec![
        get("/newsroom".into(), "writer"),
        get("/newsroom?status=draft&section=world&page=2".into(), "writer"),
        get("/newsroom/stories/new".into(), "writer"),
        post("/newsroom/stories".into(), "writer", preview.clone()),
        get(format!("/newsroom/stories/{id}"), "writer"),
        post(format!("/newsroom/stories/{id}"), "writer", preview.clone()),
        get(format!("/newsroom/stories/{id}/revisions"), "writer"),
        get(format!("/newsroom/stories/{id}/revisions/1"), "writer"),
        post(format!("/newsroom/stories/{id}/revisions/1/restore"), "writer", vec![]),
        post(format!("/newsroom/stories/{id}/unpublish"), "editor", vec![]),
        post(format!("/newsroom/stories/{id}/lead"), "editor", vec![("lead", "clear")]),
        get("/newsroom/staff".into(), "admin"),
        post("/newsroom/staff".into(), "admin", vec![("email", "nobody@example.com"), ("role", "writer")]),
        get("/newsroom/sections".into(), "admin"),
        post("/newsroom/sections".into(), "admin", vec![("slug", ""), ("name", "")]),
        get("/newsroom/agencies".into(), "admin"),
        post("/newsroom/agencies".into(), "admin", vec![("agency", ""), ("mode", "queue"), ("section", "world")]),
        post("/newsroom/agencies/delete".into(), "admin", vec![("agency", "Nobody")]),
        get("/newsroom/experiments".into(), "admin"),
        post(
            "/newsroom/experiments".into(),
            "admin",
            vec![("name", "matrix"), ("variant_0", "a"), ("weight_0", "1"), ("variant_1", "b"), ("weight_1", "1")],
        ),
    ];
    let mut browsers = vec![("anonymous", Browser::new(&app))];
    register(&app, "reader@example.com").await;
    let mut reader = Browser::new(&app);
    log_in(&mut reader, "reader@example.com", PASSWORD).await;
    browsers.push(("reader", reader));
    browsers.push(("writer", writer));
    browsers.push(("editor", staff(&app, "editor@example.com", "editor").await));
    browsers.push(("admin", staff(&app, "admin@example.com", "admin").await));
    for (role, browser) in &mut browsers {
        let token = browser.csrf_token("/signup").await;
        for route in &routes {
            let response = if route.method == "GET" {
                browser.get(&route.path).await
            } else {
                let mut fields = vec![("csrf_token", token.as_str())];
                fields.extend_from_slice(&route.fields);
                browser.post_form(&route.path, &fields).await
            };
            let status = response.status().as_u16();
            let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
            let what = format!("{role} {} {}", route.method, route.path);
            match *role {
                "anonymous" => {
                    assert_eq!(status, 303, "{what}");
                    let expected = if route.method == "GET" {
                        format!(
                            "/login?next={}",
                            route.path.replace('&', "%26").replace('?', "%3F").replace('=', "%3D")
                        )
                    } else {
                        "/login".to_owned()
                    };
                    assert_eq!(location.as_deref(), Some(expected.as_str()), "{what}");
                }
                _ if rank(role) < rank(route.least) => {
                    assert_eq!(status, 403, "{what} must be refused");
                    let body = response.text().await.unwrap();
                    assert!(!body.contains("csrf_token\" value"), "{what}: a refusal carries no newsroom form");
                }
                _ => {
                    assert!(status == 200 || status == 303, "{what} must be allowed, got {status}");
                    assert!(location.is_none_or(|l| !l.starts_with("/login")), "{what}");
                }
            }
        }
    }
    // A `next` with a query survives the log-in round trip.
    let mut admin = Browser::new(&app);
    let response = admin.get("/newsroom?status=draft&section=world").await;
    let login = response.headers()["location"].to_str().unwrap().to_owned();
    let token = admin.csrf_token(&login).await;
    let response = admin
        .post_form(
            "/login",
            &[
                ("csrf_token", &token),
                ("email", "admin@example.com"),
                ("password", PASSWORD),
                ("next", "/newsroom?status=draft&section=world"),
            ],
        )
        .await;
    assert_eq!(response.headers()["location"], "/newsroom?status=draft&section=world");
    assert!(login.contains("next=/newsroom%3Fstatus%3Ddraft%26section%3Dworld"), "{login}");
}

fn noon() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 6, 30, 0).unwrap()
}

async fn editors_publish_and_updates_keep_first_published(backend: Backend) {
    let clock = Arc::new(ManualClock::new(noon()));
    let app = spawn_app_with(backend, masthead_web::SiteConfig { clock: clock.clone(), ..site_config() }).await;
    let mut editor = staff(&app, "editor@example.com", "editor").await;
    let id = create(&mut editor, "RBI holds rates steady", "The first paragraph.\n\nThe second.", "save").await;
    assert_eq!(live_path(&mut editor, &id).await, None, "a draft is not on the site");
    let response = post_story(
        &mut editor,
        Some(&id),
        &story("RBI holds rates steady", "The first paragraph.\n\nThe second.", "publish"),
    )
    .await;
    assert_eq!(saved_id(&response), id);
    let path = live_path(&mut editor, &id).await.expect("published");
    let page = app.page(&path, 200).await;
    assert!(text_of(&page).contains("The second."));
    assert!(text_of(&page).contains("Priya Raman | Mumbai"), "byline and dateline");
    let first = time_after(&page, "First Published");
    assert_eq!(first, time_after(&page, "Last Updated"));
    assert!(first.starts_with("2026-11-27T12:00"), "published at the clock's time, in IST: {first}");

    clock.advance(chrono::Duration::hours(3));
    let response = post_story(
        &mut editor,
        Some(&id),
        &story("RBI holds rates steady", "The first paragraph.\n\nUpdated text.", "save"),
    )
    .await;
    assert_eq!(saved_id(&response), id);
    let page = app.page(&path, 200).await;
    assert!(text_of(&page).contains("Updated text."), "the update is on the site");
    assert_eq!(time_after(&page, "First Published"), first, "First Published stays");
    assert!(time_after(&page, "Last Updated").starts_with("2026-11-27T15:00"), "Last Updated moves");
    let editor_page = editor.page(&format!("/newsroom/stories/{id}"), 200).await;
    assert!(editor_page.contains("Save and update"), "a published story's save is an update");
}

async fn writers_draft_but_cannot_publish(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut writer = staff(&app, "writer@example.com", "writer").await;
    let mut other = staff(&app, "other@example.com", "writer").await;
    let id = create(&mut writer, "A writer's scoop", "Exclusive.", "save").await;
    let page = writer.page(&format!("/newsroom/stories/{id}"), 200).await;
    assert!(!page.contains("value=\"publish\""), "no publish button for writers");
    assert!(!page.contains("name=\"premium\""), "no premium flag for writers");
    let response = post_story(&mut writer, Some(&id), &story("A writer's scoop", "Exclusive.", "publish")).await;
    assert_eq!(response.status().as_u16(), 403);
    let response = post_story(&mut writer, None, &story("Straight out", "Text.", "schedule")).await;
    assert_eq!(response.status().as_u16(), 403);
    // Premium posted by a writer is ignored.
    let mut fields = story("A writer's scoop", "Exclusive, edited.", "save");
    fields.push(("premium", "on"));
    assert_eq!(saved_id(&post_story(&mut writer, Some(&id), &fields).await), id);
    let stored = app.store.desk_article(id.parse().unwrap()).await.unwrap().unwrap();
    assert!(!stored.content.premium, "a writer cannot mark premium");
    assert_eq!(stored.content.body_markdown, "Exclusive, edited.", "the rest of the save went in");
    // Another writer can neither see nor change it; the list shows own stories only.
    assert_eq!(other.get(&format!("/newsroom/stories/{id}")).await.status().as_u16(), 403);
    assert_eq!(post_story_status(&mut other, &id).await, 403);
    assert!(!other.page("/newsroom", 200).await.contains("scoop"));
    assert!(writer.page("/newsroom", 200).await.contains("scoop"));
    // An editor publishes it; then it is no longer the writer's to change.
    let mut editor = staff(&app, "editor@example.com", "editor").await;
    let mut fields = story("A writer's scoop", "Exclusive, edited.", "publish");
    fields.push(("premium", "on"));
    assert_eq!(saved_id(&post_story(&mut editor, Some(&id), &fields).await), id);
    assert!(live_path(&mut editor, &id).await.is_some());
    assert_eq!(writer.get(&format!("/newsroom/stories/{id}")).await.status().as_u16(), 403);
    assert!(
        app.store.desk_article(id.parse().unwrap()).await.unwrap().unwrap().content.premium,
        "editors mark premium"
    );
}

/// Posts a save to story `id` with a token from a page this browser may open.
async fn post_story_status(browser: &mut Browser<'_>, id: &str) -> u16 {
    let token = browser.csrf_token("/newsroom/stories/new").await;
    let mut fields = vec![("csrf_token", token.as_str())];
    let story = story("Hijacked", "x", "save");
    fields.extend_from_slice(&story);
    browser.post_form(&format!("/newsroom/stories/{id}"), &fields).await.status().as_u16()
}

async fn scheduled_stories_go_out_on_time_and_not_before(backend: Backend) {
    let clock = Arc::new(ManualClock::new(noon()));
    let app = spawn_app_with(backend, masthead_web::SiteConfig { clock: clock.clone(), ..site_config() }).await;
    let mut editor = staff(&app, "editor@example.com", "editor").await;
    // 13:00 IST is 07:30 UTC: an hour after the clock.
    let mut fields = story("Budget embargoed until one", "Embargoed text.", "schedule");
    fields.push(("publish_at", "2026-11-27T13:00"));
    let id = create(&mut editor, "placeholder", "x", "save").await;
    assert_eq!(saved_id(&post_story(&mut editor, Some(&id), &fields).await), id);
    let page = editor.page(&format!("/newsroom/stories/{id}"), 200).await;
    assert!(page.contains("(scheduled)"), "the editor shows the schedule");
    assert!(editor.page("/newsroom?status=scheduled", 200).await.contains("Budget embargoed"));
    // A time in the past is refused.
    let mut past = story("Budget embargoed until one", "Embargoed text.", "schedule");
    past.push(("publish_at", "2026-11-27T09:00"));
    assert_eq!(post_story(&mut editor, Some(&id), &past).await.status().as_u16(), 422);

    tokio::time::sleep(Duration::from_millis(2500)).await;
    let path = format!("/economy/budget-embargoed-until-one-{id}");
    assert_eq!(app.get(&path).await.status().as_u16(), 404, "not before its time");
    for read in ["/feed.xml", "/economy/feed.xml", "/api/v1/articles?limit=50", "/news-sitemap.xml", "/"] {
        assert!(!app.page(read, 200).await.contains("Budget embargoed"), "{read} shows it early");
    }
    clock.advance(chrono::Duration::hours(2));
    let mut live = false;
    for _ in 0..50 {
        if app.get(&path).await.status().as_u16() == 200 {
            live = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(live, "the scheduler published it");
    let page = app.page(&path, 200).await;
    assert!(time_after(&page, "First Published").starts_with("2026-11-27T13:00"), "published at its scheduled time");
}

async fn unpublished_stories_leave_the_site(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut editor = staff(&app, "editor@example.com", "editor").await;
    let id = create(&mut editor, "A story to take down", "Legal trouble.", "publish").await;
    let path = live_path(&mut editor, &id).await.expect("published");
    assert_eq!(app.get(&path).await.status().as_u16(), 200);
    let token = editor.csrf_token(&format!("/newsroom/stories/{id}")).await;
    let response = editor.post_form(&format!("/newsroom/stories/{id}/unpublish"), &[("csrf_token", &token)]).await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(app.get(&path).await.status().as_u16(), 404);
    assert!(!app.page("/feed.xml", 200).await.contains("A story to take down"));
    assert!(editor.page("/newsroom?status=unpublished", 200).await.contains("A story to take down"));
}

async fn revisions_compare_and_restore(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut editor = staff(&app, "editor@example.com", "editor").await;
    let id = create(&mut editor, "Monsoon arrives early", "Line one.\nRains in Kerala.", "save").await;
    post_story(&mut editor, Some(&id), &story("Monsoon arrives early", "Line one.\nRains in Goa.", "save")).await;
    let history = editor.page(&format!("/newsroom/stories/{id}/revisions"), 200).await;
    assert_eq!(history.matches("class=\"revision\"").count(), 2, "every save is a revision");
    let diff = editor.page(&format!("/newsroom/stories/{id}/revisions/2"), 200).await;
    let diff_text = text_of(&diff);
    assert!(diff_text.contains("- Rains in Kerala."), "{diff_text}");
    assert!(diff_text.contains("+ Rains in Goa."), "{diff_text}");
    assert!(diff.contains("<span class=\"same\">  Line one.</span>"), "unchanged lines kept");
    assert_eq!(editor.get(&format!("/newsroom/stories/{id}/revisions/9")).await.status().as_u16(), 404);

    let token = editor.csrf_token(&format!("/newsroom/stories/{id}/revisions")).await;
    let response =
        editor.post_form(&format!("/newsroom/stories/{id}/revisions/1/restore"), &[("csrf_token", &token)]).await;
    assert_eq!(response.status().as_u16(), 303);
    let page = editor.page(&format!("/newsroom/stories/{id}"), 200).await;
    assert!(page.contains("Rains in Kerala."), "restored");
    assert!(!page.contains("Rains in Goa."));
    let history = editor.page(&format!("/newsroom/stories/{id}/revisions"), 200).await;
    assert_eq!(history.matches("class=\"revision\"").count(), 3, "a restore is a new revision");
    assert!(history.contains("restored revision 1"));
    // Restoring a published story updates it on the site.
    post_story(&mut editor, Some(&id), &story("Monsoon arrives early", "Line one.\nRains in Goa.", "publish")).await;
    let path = live_path(&mut editor, &id).await.unwrap();
    assert!(app.page(&path, 200).await.contains("Rains in Goa."));
    let token = editor.csrf_token(&format!("/newsroom/stories/{id}/revisions")).await;
    editor.post_form(&format!("/newsroom/stories/{id}/revisions/1/restore"), &[("csrf_token", &token)]).await;
    let page = app.page(&path, 200).await;
    assert!(page.contains("Rains in Kerala.") && !page.contains("Rains in Goa."));
}

async fn forms_without_a_token_change_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut editor = staff(&app, "editor@example.com", "editor").await;
    let id = create(&mut editor, "Guarded story", "Original.", "publish").await;
    let path = live_path(&mut editor, &id).await.unwrap();
    let fields = story("Forged headline", "Forged.", "save");
    // No token.
    let response = editor.post_form(&format!("/newsroom/stories/{id}"), &fields).await;
    assert_eq!(response.status().as_u16(), 403);
    // A wrong token.
    let mut forged = vec![("csrf_token", "0123456789abcdef")];
    forged.extend_from_slice(&fields);
    assert_eq!(editor.post_form(&format!("/newsroom/stories/{id}"), &forged).await.status().as_u16(), 403);
    assert_eq!(
        editor.post_form(&format!("/newsroom/stories/{id}/unpublish"), &forged[..1]).await.status().as_u16(),
        403
    );
    assert_eq!(editor.post_form("/newsroom/stories", &forged).await.status().as_u16(), 403);
    // Another site, with a genuine token.
    let token = editor.csrf_token("/newsroom/stories/new").await;
    let mut genuine = vec![("csrf_token", token.as_str())];
    genuine.extend_from_slice(&fields);
    let response = app
        .client
        .post(app.url(&format!("/newsroom/stories/{id}")))
        .header("cookie", editor.cookie_header())
        .header("sec-fetch-site", "cross-site")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(crate::support::form_body(&genuine))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let page = app.page(&path, 200).await;
    assert!(page.contains("Original.") && !page.contains("Forged"), "nothing changed");
    let history = editor.page(&format!("/newsroom/stories/{id}/revisions"), 200).await;
    assert_eq!(history.matches("class=\"revision\"").count(), 1);
}

async fn markdown_is_sanitised_everywhere(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut editor = staff(&app, "editor@example.com", "editor").await;
    let body = "Safe **bold** text.\n\n<script>alert('pwned')</script>\n\n<img src=x onerror=\"steal()\">\n\n[link](javascript:steal())";
    let preview = post_story(&mut editor, None, &story("Sanitised", body, "preview")).await;
    assert_eq!(preview.status().as_u16(), 200);
    let preview = preview.text().await.unwrap();
    let rendered = &preview[preview.find("class=\"story-body\"").unwrap()..preview.find("</article>").unwrap()];
    assert!(rendered.contains("<strong>bold</strong>"), "{rendered}");
    for bad in ["<script", "pwned", "onerror", "javascript:"] {
        assert!(!rendered.contains(bad), "preview has {bad}: {rendered}");
    }
    let id = create(&mut editor, "Sanitised", body, "publish").await;
    let path = live_path(&mut editor, &id).await.unwrap();
    let page = app.page(&path, 200).await;
    assert!(page.contains("<strong>bold</strong>"));
    for bad in ["<script>alert", "pwned", "onerror", "javascript:steal"] {
        assert!(!page.contains(bad), "the story page has {bad}");
    }
    let json = app.json(&format!("/api/v1/articles/{id}"), 200).await.to_string();
    assert!(!json.contains("pwned") && !json.contains("onerror"), "{json}");
}

async fn editors_choose_the_home_lead(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut editor = staff(&app, "editor@example.com", "editor").await;
    let id = create(&mut editor, "The lead we chose", "Lead text.", "publish").await;
    create(&mut editor, "A newer story", "Newer.", "publish").await;
    let lead_of = |home: &str| {
        let start = home.find("class=\"lead").expect("a lead");
        text_of(&home[start..start + 600])
    };
    assert!(lead_of(&app.page("/", 200).await).contains("A newer story"), "the newest leads by default");
    let token = editor.csrf_token(&format!("/newsroom/stories/{id}")).await;
    let response =
        editor.post_form(&format!("/newsroom/stories/{id}/lead"), &[("csrf_token", &token), ("lead", "set")]).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(lead_of(&app.page("/", 200).await).contains("The lead we chose"));
    assert!(editor.page(&format!("/newsroom/stories/{id}"), 200).await.contains("This story leads the home page."));
    // Unpublished, it stops leading.
    editor.post_form(&format!("/newsroom/stories/{id}/unpublish"), &[("csrf_token", &token)]).await;
    assert!(lead_of(&app.page("/", 200).await).contains("A newer story"));
    // A draft cannot lead.
    let draft = create(&mut editor, "A draft", "No.", "save").await;
    let response =
        editor.post_form(&format!("/newsroom/stories/{draft}/lead"), &[("csrf_token", &token), ("lead", "set")]).await;
    assert_eq!(response.status().as_u16(), 403);
}

/// The last-admin rule holds under a race: two admins demoting each other
/// at the same moment, over and over, always leave exactly one admin.
async fn two_admins_demoting_each_other_at_once_leave_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut ids = Vec::new();
    for email in ["first@example.com", "second@example.com"] {
        register(&app, email).await;
        ids.push(app.store.reader_by_email(&Email::parse(email).unwrap()).await.unwrap().unwrap().id);
    }
    for round in 0..10 {
        for id in &ids {
            app.store.set_role(*id, Role::Admin).await.unwrap().unwrap();
        }
        let (first, second) =
            tokio::join!(app.store.set_role(ids[0], Role::Editor), app.store.set_role(ids[1], Role::Editor));
        let refused = [first.unwrap(), second.unwrap()].iter().filter(|outcome| outcome.is_err()).count();
        assert_eq!(refused, 1, "round {round}: one demotion must be refused");
        let admins = app.store.staff().await.unwrap().iter().filter(|member| member.role == Role::Admin).count();
        assert_eq!(admins, 1, "round {round}");
    }
}

async fn admins_manage_roles_but_not_the_last_admin(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut admin = staff(&app, "admin@example.com", "admin").await;
    register(&app, "newhire@example.com").await;
    let mut newhire = Browser::new(&app);
    log_in(&mut newhire, "newhire@example.com", PASSWORD).await;
    assert_eq!(newhire.get("/newsroom").await.status().as_u16(), 403);
    let response = admin
        .submit("/newsroom/staff", "/newsroom/staff", &[("email", "newhire@example.com"), ("role", "editor")])
        .await;
    assert_eq!(response.headers()["location"], "/newsroom/staff?done=role");
    assert_eq!(newhire.get("/newsroom").await.status().as_u16(), 200, "the new role applies at once");
    assert!(admin.page("/newsroom/staff", 200).await.contains("newhire@example.com"));
    let response =
        admin.submit("/newsroom/staff", "/newsroom/staff", &[("email", "admin@example.com"), ("role", "reader")]).await;
    assert_eq!(response.headers()["location"], "/newsroom/staff?error=last-admin");
    assert_eq!(admin.get("/newsroom/staff").await.status().as_u16(), 200, "still an admin");
    let response = admin
        .submit("/newsroom/staff", "/newsroom/staff", &[("email", "newhire@example.com"), ("role", "owner")])
        .await;
    assert_eq!(response.headers()["location"], "/newsroom/staff?error=bad-role");
    // Sections and agency rules.
    let response = admin
        .submit("/newsroom/sections", "/newsroom/sections", &[("slug", "sport"), ("name", "Sport"), ("position", "9")])
        .await;
    assert_eq!(response.headers()["location"], "/newsroom/sections?done=section");
    assert!(app.store.sections().await.unwrap().iter().any(|s| s.slug == "sport" && s.name == "Sport"));
    let response = admin
        .submit(
            "/newsroom/agencies",
            "/newsroom/agencies",
            &[("agency", "PTI"), ("mode", "publish"), ("section", "economy"), ("feed_url", "http://pti.example/feed")],
        )
        .await;
    assert_eq!(response.headers()["location"], "/newsroom/agencies?done=agency");
    let rule = app.store.agency_rule("PTI").await.unwrap().unwrap();
    assert!(rule.publish && rule.section == "economy");
    let response = admin
        .submit(
            "/newsroom/agencies",
            "/newsroom/agencies",
            &[("agency", "AFP"), ("mode", "queue"), ("section", "world"), ("feed_url", "ftp://afp.example/feed")],
        )
        .await;
    assert_eq!(response.headers()["location"], "/newsroom/agencies?error=bad-agency");
    let response = admin
        .submit(
            "/newsroom/agencies",
            "/newsroom/agencies",
            &[("agency", "AP"), ("mode", "publish"), ("section", "nowhere")],
        )
        .await;
    assert_eq!(response.headers()["location"], "/newsroom/agencies?error=bad-agency");
    assert!(app.store.agency_rule("AP").await.unwrap().is_none());
    // Routing lines and the breaking urgency: kept as written when they read,
    // refused (and nothing changed) when a line does not or names no section.
    let routes = "N2:CEN medtop:20000344 -> markets, tags: central banks\nsubj:04* -> economy";
    let fields = |routes: &'static str, urgency: &'static str| {
        [
            ("agency", "PTI"),
            ("mode", "publish"),
            ("section", "economy"),
            ("routes", routes),
            ("breaking_urgency", urgency),
        ]
    };
    let response = admin.submit("/newsroom/agencies", "/newsroom/agencies", &fields(routes, "1")).await;
    assert_eq!(response.headers()["location"], "/newsroom/agencies?done=agency");
    let routing = app.store.agency_routing().await.unwrap().remove("PTI").unwrap();
    assert_eq!(routing.routes, format!("{routes}\n"));
    assert_eq!(routing.breaking_urgency, 1);
    assert!(
        admin
            .page("/newsroom/agencies", 200)
            .await
            .contains("N2:CEN medtop:20000344 -&#62; markets, tags: central banks")
    );
    for (bad, urgency) in [("N2:CEN markets", "1"), ("N2:CEN -> sport-desk", "1"), (routes, "12")] {
        let response = admin.submit("/newsroom/agencies", "/newsroom/agencies", &fields(bad, urgency)).await;
        assert_eq!(response.headers()["location"], "/newsroom/agencies?error=bad-routes", "{bad} {urgency}");
    }
    assert_eq!(app.store.agency_routing().await.unwrap()["PTI"].routes, format!("{routes}\n"), "unchanged");
}

async fn list_filters_narrow_the_stories(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut editor = staff(&app, "editor@example.com", "editor").await;
    create(&mut editor, "Draft in economy", "x", "save").await;
    let mut fields = story("Published in world", "x", "publish");
    fields[3] = ("section", "world");
    fields[4] = ("byline", "Arjun Mehta");
    saved_id(&post_story(&mut editor, None, &fields).await);
    let drafts = editor.page("/newsroom?status=draft", 200).await;
    assert!(drafts.contains("Draft in economy") && !drafts.contains("Published in world"));
    let world = editor.page("/newsroom?section=world&status=published", 200).await;
    assert!(world.contains("Published in world") && !world.contains("Draft in economy"));
    let by = editor.page("/newsroom?author=Arjun+Mehta", 200).await;
    assert!(by.contains("Published in world") && !by.contains("Draft in economy"));
    // The archive holds AP copy: every row is AP's.
    let ap = editor.page("/newsroom?agency=AP", 200).await;
    let rows = ap.matches("class=\"story-row\"").count();
    assert!(rows > 0, "agency filter finds the AP copy");
    assert_eq!(ap.matches("<td>AP</td>").count(), rows, "only AP copy");
    // Pages: the archive has 400 stories, 30 a page.
    let first = editor.page("/newsroom", 200).await;
    assert!(first.contains("rel=\"next\" href=\"/newsroom?page=2\""));
    let second = editor.page("/newsroom?page=2", 200).await;
    assert!(second.contains("rel=\"prev\""));
    assert_eq!(second.matches("class=\"story-row\"").count(), 30);
}

async fn staff_add_makes_the_first_admin(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut command = masthead();
        command.args(["staff", "add"]).args(args).args(["--database-url", database.url.as_str()]);
        command.args(["--public-url", "http://news.example"]);
        command.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped());
        command.stderr(std::process::Stdio::piped());
        let mut child = command.spawn().unwrap();
        if let Some(input) = stdin {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        }
        drop(child.stdin.take());
        let output = child.wait_with_output().unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr),
        )
    };
    let (ok, out) = run(&["boss@example.com", "--role", "admin", "--password-stdin"], Some("a long enough secret\n"));
    assert!(ok, "{out}");
    assert!(out.contains("created boss@example.com as admin"), "{out}");
    let (ok, out) = run(&["desk@example.com", "--role", "editor"], None);
    assert!(ok, "{out}");
    let link = out.lines().find_map(|l| l.split_once(": ").map(|(_, link)| link.to_owned())).expect("a link");
    assert!(link.starts_with("http://news.example/account/reset-password?token="), "{link}");
    let (ok, out) = run(&["desk@example.com", "--role", "chief"], None);
    assert!(!ok && out.contains("unknown role"), "{out}");
    let (ok, out) = run(&["boss@example.com", "--role", "admin", "--password-stdin"], Some("short\n"));
    assert!(!ok && out.contains("at least 8"), "{out}");

    let store = Store::connect(&database.url).await.unwrap();
    let app = spawn_on(store, database, site_config()).await;
    let mut boss = Browser::new(&app);
    log_in(&mut boss, "boss@example.com", "a long enough secret").await;
    assert_eq!(boss.get("/newsroom/staff").await.status().as_u16(), 200);
    // The printed link sets the editor's password.
    let path = link.strip_prefix("http://news.example").unwrap();
    let mut desk = Browser::new(&app);
    let token = link.split("token=").nth(1).unwrap();
    let response =
        desk.submit(path, "/account/reset-password", &[("token", token), ("password", "the desk's password")]).await;
    assert!(response.status().is_success() || response.status().is_redirection(), "{}", response.status());
    log_in(&mut desk, "desk@example.com", "the desk's password").await;
    assert_eq!(desk.get("/newsroom").await.status().as_u16(), 200);
    assert_eq!(desk.get("/newsroom/staff").await.status().as_u16(), 403, "an editor is not an admin");
}

/// Parses each feed with Python's feedparser and prints one JSON line per
/// feed: its bozo flag (and why), version and entry titles.
const FEEDPARSER: &str = r#"
import json, sys
import feedparser
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        d = feedparser.parse(f.read())
    print(json.dumps({
        "bozo": int(d.bozo),
        "why": str(d.get("bozo_exception", "")),
        "version": d.version,
        "titles": [e.get("title", "") for e in d.entries],
        "links": [e.get("link", "") for e in d.entries],
    }))
"#;

async fn feeds_pass_a_strict_parser_and_withhold_nothing(backend: Backend) {
    let available = std::process::Command::new("python3").args(["-c", "import feedparser"]).status();
    assert!(
        available.is_ok_and(|s| s.success()),
        "this test needs Python's feedparser: python3 -m pip install feedparser"
    );
    let app = spawn_app(backend).await;
    let mut editor = staff(&app, "editor@example.com", "editor").await;
    let mut fields =
        story("Premium & <special> \"quotes\"", "Free first paragraph.\n\nWITHHELD-SECRET-TEXT follows.", "publish");
    fields.push(("premium", "on"));
    let id = saved_id(&post_story(&mut editor, None, &fields).await);
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for feed in ["/feed.xml", "/atom.xml", "/economy/feed.xml", "/economy/atom.xml"] {
        let bytes = app.get(feed).await.bytes().await.unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("WITHHELD-SECRET-TEXT"), "{feed} carries withheld text");
        let file = dir.path().join(feed.trim_start_matches('/').replace('/', "-"));
        std::fs::write(&file, &bytes).unwrap();
        files.push(file);
    }
    let output = std::process::Command::new("python3").arg("-c").arg(FEEDPARSER).args(&files).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let reports: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(reports.len(), 4);
    for (report, file) in reports.iter().zip(&files) {
        assert_eq!(report["bozo"], 0, "{}: {}", file.display(), report["why"]);
        let version = report["version"].as_str().unwrap();
        assert!(version == "rss20" || version == "atom10", "{}: {version}", file.display());
        let titles = report["titles"].as_array().unwrap();
        assert!(!titles.is_empty(), "{}", file.display());
        assert!(
            titles.iter().any(|t| t == "Premium & <special> \"quotes\""),
            "{}: the new story, its title intact: {titles:?}",
            file.display()
        );
        assert!(report["links"].as_array().unwrap().iter().any(|l| l.as_str().unwrap().ends_with(&format!("-{id}"))));
    }
}
