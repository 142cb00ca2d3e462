//! Newsletters over HTTP: double opt-in by email (nothing sent until
//! confirmed), one click when signed in, RFC 8058 one-click unsubscribe
//! (a POST with no cookie ends that one list; a GET changes nothing),
//! subscriber-only lists and their lapse, the archive and every message
//! holding only the free part of each story, the newsroom's desk (story
//! search, both parts previewed, a test copy to the editor, scheduling),
//! DKIM on every message a real SMTP server receives, and the send job's claims: a second run and a crash resume send nobody
//! an issue twice (`masthead newsletters send-due` finishing the job).

use chrono::{DateTime, Duration, Utc};
use masthead_domain::access::Benefit;
use masthead_domain::email::Email;
use masthead_domain::{PublisherZone, Role};
use masthead_newsletter::{Desk, Links, Report, Settings};
use masthead_store::{DeliveryOutcome, IssueRecord, ListState, NewIssue, NewsletterRecord, SuppressionReason};
use masthead_web::NewsletterConfig;
use serde_json::{Value, json};

use crate::billing::token;
use crate::support::{
    Backend, Browser, Mail, Outbox, PASSWORD, TestApp, log_in, masthead, on_every_backend, register, site_config,
    spawn_app_with, text_of,
};

on_every_backend!(
    double_opt_in_sends_nothing_until_confirmed,
    one_click_unsubscribe_needs_no_cookie_and_a_get_changes_nothing,
    subscriber_only_lists_need_the_benefit_and_stop_when_it_lapses,
    apps_see_where_the_account_stands_and_leave_a_list,
    the_archive_and_every_message_hold_only_the_free_part,
    editors_compose_and_schedule_issues,
    editors_find_stories_preview_both_parts_and_mail_themselves_a_test,
    sending_resumes_after_a_crash_without_duplicates,
    a_runner_stopped_mid_batch_sends_again_only_its_last_few_messages,
    digests_assemble_themselves_at_their_time_and_skip_days_with_nothing_new,
    a_real_smtp_server_receives_every_message_whole_and_paywall_safe,
    signed_bounces_and_complaints_suppress_an_address_for_every_list,
    the_command_line_sends_the_next_issue_with_a_progress_bar_and_a_summary,
);

const MARKETS: &str = "markets-morning-brief";
const POLITICS: &str = "politics-digest";
const SMART: &str = "smart-investor-weekly";

/// The test site with the demo newsletters and no send job of its own:
/// each test runs the desk when it means to.
async fn app(backend: Backend) -> TestApp {
    let config = masthead_web::SiteConfig {
        newsletters: NewsletterConfig { interval: None, ..Default::default() },
        ..site_config()
    };
    let app = spawn_app_with(backend, config).await;
    masthead_newsletter::install_demo_lists(&app.store).await.unwrap();
    app
}

/// The send job on the test site's database and outbox.
fn desk(app: &TestApp) -> Desk {
    let dir = app.outbox.as_ref().unwrap().0.clone();
    Desk {
        store: app.store.clone(),
        mailer: masthead_web::Mailer::outbox(dir, "Business Standard <no-reply@news.example>").unwrap(),
        publisher: crate::support::PUBLISHER.to_owned(),
        links: Links { public_url: format!("http://{}", app.address) },
        zone: PublisherZone::default(),
        settings: Settings::default(),
    }
}

async fn list(app: &TestApp, slug: &str) -> NewsletterRecord {
    app.store.newsletter(slug).await.unwrap().unwrap()
}

/// Writes an issue of `slug` due at `at` carrying `stories`.
async fn issue(app: &TestApp, slug: &str, stories: &[i64], at: DateTime<Utc>) -> IssueRecord {
    let list = list(app, slug).await;
    let subject = format!("{} test issue {}", list.name, at.timestamp());
    let new = NewIssue {
        newsletter_id: list.id,
        subject: &subject,
        intro: "Good *morning*.",
        story_ids: stories,
        scheduled_at: at,
        slot: None,
    };
    let id = app.store.add_issue(&new, at).await.unwrap().unwrap();
    app.store.issue(id).await.unwrap().unwrap()
}

/// A few published free stories' ids.
async fn free_stories(app: &TestApp, count: usize) -> Vec<i64> {
    let list = app.json("/api/v1/articles?limit=50", 200).await;
    list["articles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["premium"] == false)
        .take(count)
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

/// The newsletter messages (not confirmations) `to` has had.
fn issues_to(app: &TestApp, to: &str) -> Vec<Mail> {
    app.mails().into_iter().filter(|m| m.to == to && m.raw.contains("List-Unsubscribe:")).collect()
}

/// A header's value in a raw message, unfolded.
fn header(mail: &Mail, name: &str) -> String {
    let head = mail.raw.split("\n\n").next().unwrap().replace("\n ", " ").replace("\n\t", " ");
    let prefix = format!("{name}: ");
    head.lines().find_map(|l| l.strip_prefix(&prefix)).unwrap_or_else(|| panic!("no {name} in {}", mail.raw)).to_owned()
}

/// The one-click URL a message carries, as a path.
fn unsubscribe_path(app: &TestApp, mail: &Mail) -> String {
    let value = header(mail, "List-Unsubscribe");
    let url = value.trim_start_matches('<').trim_end_matches('>');
    url.strip_prefix(&format!("http://{}", app.address)).unwrap_or_else(|| panic!("{url}")).to_owned()
}

async fn run(app: &TestApp, at: DateTime<Utc>) -> Report {
    desk(app).run_due(at).await.unwrap()
}

/// The account id of `email`.
async fn reader_id(app: &TestApp, email: &str) -> i64 {
    app.store.reader_by_email(&Email::parse(email).unwrap()).await.unwrap().unwrap().id
}

/// Who asks the API for a list: an address typed in, or a signed-in reader's bearer token.
enum By<'a> {
    Email(&'a str),
    Bearer(&'a str),
}

/// `POST /api/v1/newsletters/{slug}/subscribe`, and the status it answers.
async fn api_subscribe(app: &TestApp, slug: &str, by: By<'_>) -> reqwest::Response {
    let request = app.client.post(app.url(&format!("/api/v1/newsletters/{slug}/subscribe")));
    let request = match by {
        By::Email(email) => request.json(&json!({ "email": email })),
        By::Bearer(bearer) => request.bearer_auth(bearer).json(&json!({})),
    };
    request.send().await.unwrap()
}

/// A new account for `reader`, on each of `slugs` in one click (200 each); its bearer token.
async fn signed_up(app: &TestApp, reader: &str, slugs: &[&str]) -> String {
    let bearer = token(app, reader).await;
    for slug in slugs {
        assert_eq!(api_subscribe(app, slug, By::Bearer(&bearer)).await.status(), 200, "{reader} joins {slug} at once");
    }
    bearer
}

async fn state_on(app: &TestApp, email: &str, slug: &str) -> Option<ListState> {
    let list = list(app, slug).await;
    app.store
        .reader_newsletters(-1, email)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.newsletter_id == list.id)
        .map(|m| m.state)
}

async fn double_opt_in_sends_nothing_until_confirmed(backend: Backend) {
    let app = app(backend).await;
    let listed = app.json("/api/v1/newsletters", 200).await;
    let slugs: Vec<&str> =
        listed["newsletters"].as_array().unwrap().iter().map(|n| n["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, [MARKETS, "technology-weekly", POLITICS, SMART]);
    assert_eq!(listed["newsletters"][0]["cadence"], "Daily at 7:00 AM IST");
    assert_eq!(listed["newsletters"][3]["subscribers_only"], true);
    assert_eq!(listed["newsletters"][0]["subscribers_only"], false);

    // The page lists them, with a sign-up; the subscriber-only one sends to the paywall.
    let mut browser = Browser::new(&app);
    let page = text_of(&browser.page("/newsletters", 200).await);
    assert!(page.contains("Markets Morning Brief") && page.contains("Daily at 7:00 AM IST"), "{page}");
    assert!(page.contains("Subscribers only") && page.contains("Subscribe to get it"), "{page}");

    let reader = "opt-in@example.com";
    let response =
        browser.submit("/newsletters", &format!("/newsletters/{MARKETS}/subscribe"), &[("email", reader)]).await;
    assert_eq!(response.status(), 200);
    assert!(text_of(&response.text().await.unwrap()).contains("Check your inbox"));
    let confirmation = app.nth_mail(reader, 1).await;
    assert!(confirmation.subject.contains("Markets Morning Brief"), "{}", confirmation.subject);
    assert_eq!(state_on(&app, reader, MARKETS).await, Some(ListState::Pending));

    // Nothing is sent to a pending address.
    let now = Utc::now();
    let stories = free_stories(&app, 2).await;
    issue(&app, MARKETS, &stories, now).await;
    let report = run(&app, now).await;
    assert_eq!((report.sent, report.finished), (0, 1), "{report:?}");
    assert!(issues_to(&app, reader).is_empty());

    // Opening the link only shows a button (mail scanners open links).
    let link = confirmation.link("/newsletters/confirm/");
    let page = browser.page(&link, 200).await;
    assert!(page.contains("Confirm my subscription"));
    assert_eq!(state_on(&app, reader, MARKETS).await, Some(ListState::Pending));
    let confirmed = browser.submit(&link, &link, &[]).await;
    assert_eq!(confirmed.status(), 200);
    assert!(text_of(&confirmed.text().await.unwrap()).contains("You are subscribed"));
    assert_eq!(state_on(&app, reader, MARKETS).await, Some(ListState::Confirmed));
    assert_eq!(browser.submit(&link, &link, &[]).await.status(), 400, "a link works once");

    let later = now + Duration::minutes(1);
    issue(&app, MARKETS, &stories, later).await;
    assert_eq!(run(&app, later).await.sent, 1);
    assert_eq!(run(&app, later).await.sent, 0, "a second run sends nothing twice");
    let sent = issues_to(&app, reader);
    assert_eq!(sent.len(), 1);
    assert_eq!(header(&sent[0], "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");

    // The API: 202 and a confirmation; the same again for an address already on the list, without a mail.
    let api = "api-reader@example.com";
    assert_eq!(api_subscribe(&app, POLITICS, By::Email(api)).await.status(), 202);
    assert_eq!(app.wait_for_mails(api, 1).await.len(), 1);
    assert_eq!(api_subscribe(&app, POLITICS, By::Email("nope")).await.status(), 422);
    assert_eq!(api_subscribe(&app, "no-such", By::Email(api)).await.status(), 404);

    // Sign-ups by email are rate-limited per address (with password resets: both mail a typed address).
    let limited = "limited@example.com";
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..4 {
        let response = api_subscribe(&app, POLITICS, By::Email(limited)).await;
        statuses.push(response.status().as_u16());
        retry_after = response.headers().get("retry-after").cloned();
    }
    assert_eq!(statuses, [202, 202, 202, 429]);
    assert_eq!(retry_after.unwrap(), "900", "the 429 says when to try again");

    // A form from elsewhere is refused.
    let forged = app
        .client
        .post(app.url(&format!("/newsletters/{MARKETS}/subscribe")))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body("email=victim%40example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
}

async fn one_click_unsubscribe_needs_no_cookie_and_a_get_changes_nothing(backend: Backend) {
    let app = app(backend).await;
    let reader = "leaver@example.com";
    signed_up(&app, reader, &[MARKETS, POLITICS]).await;
    let now = Utc::now();
    let stories = free_stories(&app, 1).await;
    issue(&app, MARKETS, &stories, now).await;
    issue(&app, POLITICS, &stories, now).await;
    assert_eq!(run(&app, now).await.sent, 2);
    let mails = issues_to(&app, reader);
    let markets = mails.iter().find(|m| m.raw.contains("Markets Morning Brief")).unwrap();
    let politics = mails.iter().find(|m| m.raw.contains("Politics Digest")).unwrap();
    let path = unsubscribe_path(&app, markets);
    assert_ne!(path, unsubscribe_path(&app, politics), "a token per list");
    assert!(path.starts_with("/newsletters/unsubscribe/") && path.len() > 60, "{path}");

    // A GET (what a mail scanner does) shows a button and changes nothing.
    let page = app.page(&path, 200).await;
    assert!(page.contains("List-Unsubscribe") && page.contains("One-Click"), "the button posts the one-click body");
    assert_eq!(state_on(&app, reader, MARKETS).await, Some(ListState::Confirmed));

    // A POST without the one-click body is refused; with it, no cookie, that one list ends.
    let post = |body: &'static str| {
        app.client.post(app.url(&path)).header("content-type", "application/x-www-form-urlencoded").body(body).send()
    };
    assert_eq!(post("List-Unsubscribe=Later").await.unwrap().status(), 400);
    assert_eq!(state_on(&app, reader, MARKETS).await, Some(ListState::Confirmed));
    let done = post("List-Unsubscribe=One-Click").await.unwrap();
    assert_eq!(done.status(), 200);
    assert_eq!(state_on(&app, reader, MARKETS).await, Some(ListState::Unsubscribed));
    assert_eq!(state_on(&app, reader, POLITICS).await, Some(ListState::Confirmed), "only that list");
    assert_eq!(post("List-Unsubscribe=One-Click").await.unwrap().status(), 200, "again: still 2xx");

    let later = now + Duration::minutes(1);
    issue(&app, MARKETS, &stories, later).await;
    issue(&app, POLITICS, &stories, later).await;
    assert_eq!(run(&app, later).await.sent, 1, "politics only");

    let unknown = format!("/newsletters/unsubscribe/{}", "ab".repeat(32));
    assert_eq!(app.get(&unknown).await.status(), 404);
    assert_eq!(app.get("/newsletters/unsubscribe/not-a-token").await.status(), 404);
}

async fn subscriber_only_lists_need_the_benefit_and_stop_when_it_lapses(backend: Backend) {
    let app = app(backend).await;
    // Anonymous, by email: refused, with where to subscribe.
    let anonymous = api_subscribe(&app, SMART, By::Email("anon@example.com")).await;
    assert_eq!(anonymous.status(), 403);
    assert!(anonymous.json::<Value>().await.unwrap()["subscribe_url"].as_str().unwrap().ends_with("/subscribe"));
    // Signed in without the benefit: refused; the form sends the browser to the paywall.
    let reader = "investor@example.com";
    let bearer = token(&app, reader).await;
    assert_eq!(api_subscribe(&app, SMART, By::Bearer(&bearer)).await.status(), 403);
    let mut browser = Browser::new(&app);
    log_in(&mut browser, reader, PASSWORD).await;
    let page = text_of(&browser.page("/newsletters", 200).await);
    assert!(page.contains("Subscribe to get it"), "{page}");
    let paywall = browser.submit("/newsletters", &format!("/newsletters/{SMART}/subscribe"), &[]).await;
    assert_eq!((paywall.status().as_u16(), paywall.headers()["location"].to_str().unwrap()), (303, "/subscribe"));

    // With the benefit (until `ends`), one click; the issue arrives.
    let id = reader_id(&app, reader).await;
    let now = Utc::now();
    let ends = now + Duration::days(3);
    app.store.grant_benefit(id, Benefit::Newsletters, now - Duration::days(1), Some(ends), "test").await.unwrap();
    assert_eq!(api_subscribe(&app, SMART, By::Bearer(&bearer)).await.status(), 200);
    let stories = free_stories(&app, 1).await;
    issue(&app, SMART, &stories, now).await;
    assert_eq!(run(&app, now).await.sent, 1);

    // After the benefit lapses, the next issue is not sent, and the manage page says why.
    let after = ends + Duration::days(1);
    issue(&app, SMART, &stories, after).await;
    let report = run(&app, after).await;
    assert_eq!((report.sent, report.skipped, report.finished), (0, 1, 1), "{report:?}");
    assert_eq!(issues_to(&app, reader).len(), 1);
    // The site runs on the real clock: a member without the benefit shows the page as after a lapse.
    let lapsed = "lapsed@example.com";
    register(&app, lapsed).await;
    let lapsed_id = reader_id(&app, lapsed).await;
    app.store.join_newsletter(list(&app, SMART).await.id, lapsed, lapsed_id, &"cd".repeat(32), now).await.unwrap();
    let mut lapsed_browser = Browser::new(&app);
    log_in(&mut lapsed_browser, lapsed, PASSWORD).await;
    let manage = text_of(&lapsed_browser.page("/account/newsletters", 200).await);
    assert!(manage.contains("Paused") && manage.contains("no longer includes newsletters"), "{manage}");
}

/// An app's newsletters: `GET /api/v1/me/newsletters` says where the account
/// stands on every list (as the account page does), `DELETE
/// /api/v1/me/newsletters/{slug}` leaves one; refusals change nothing.
async fn apps_see_where_the_account_stands_and_leave_a_list(backend: Backend) {
    let app = app(backend).await;
    let reader = "app-reader@example.com";
    let bearer = signed_up(&app, reader, &[MARKETS]).await;
    let mine = |bearer: String| {
        let app = &app;
        async move {
            let response = app.client.get(app.url("/api/v1/me/newsletters")).bearer_auth(bearer).send().await.unwrap();
            assert_eq!(response.status(), 200);
            let body: Value = response.json().await.unwrap();
            body["newsletters"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| (n["slug"].as_str().unwrap().to_owned(), n["status"].as_str().unwrap().to_owned()))
                .collect::<std::collections::BTreeMap<_, _>>()
        }
    };
    let standing = mine(bearer.clone()).await;
    assert_eq!(standing[MARKETS], "receiving");
    assert_eq!(standing[POLITICS], "not_signed_up");
    // A subscriber-only list the account was on before its benefit lapsed: paused.
    let id = reader_id(&app, reader).await;
    app.store.join_newsletter(list(&app, SMART).await.id, reader, id, &"ef".repeat(32), Utc::now()).await.unwrap();
    assert_eq!(mine(bearer.clone()).await[SMART], "paused");

    // Refused: no token, a forged one, an unknown list; nothing changes.
    let delete = |path: &str| app.client.delete(app.url(path));
    let path = format!("/api/v1/me/newsletters/{MARKETS}");
    assert_eq!(delete(&path).send().await.unwrap().status(), 401);
    assert_eq!(delete(&path).bearer_auth("ab".repeat(32)).send().await.unwrap().status(), 401);
    assert_eq!(app.client.get(app.url("/api/v1/me/newsletters")).send().await.unwrap().status(), 401);
    let unknown = delete("/api/v1/me/newsletters/no-such-list").bearer_auth(&bearer).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    assert_eq!(state_on(&app, reader, MARKETS).await, Some(ListState::Confirmed));

    // Leaving: 204, the list says so, and leaving again is not an error.
    assert_eq!(delete(&path).bearer_auth(&bearer).send().await.unwrap().status(), 204);
    assert_eq!(state_on(&app, reader, MARKETS).await, Some(ListState::Unsubscribed));
    assert_eq!(mine(bearer.clone()).await[MARKETS], "not_signed_up");
    assert_eq!(delete(&path).bearer_auth(&bearer).send().await.unwrap().status(), 204);
    // Another account's token leaves only its own place.
    let other = signed_up(&app, "other-app-reader@example.com", &[MARKETS]).await;
    assert_eq!(delete(&path).bearer_auth(&bearer).send().await.unwrap().status(), 204);
    assert_eq!(mine(other).await[MARKETS], "receiving");
}

async fn the_archive_and_every_message_hold_only_the_free_part(backend: Backend) {
    let app = app(backend).await;
    let reader = "archive@example.com";
    signed_up(&app, reader, &[MARKETS]).await;
    // A story with several paragraphs (premium when there is one), and a free one.
    let listed = app.json("/api/v1/articles?limit=100", 200).await;
    let articles = listed["articles"].as_array().unwrap();
    let chosen = articles.iter().find(|a| a["premium"] == true).unwrap_or(&articles[0]);
    let premium = chosen["id"].as_i64().unwrap();
    let article = app.store.published_article(premium).await.unwrap().unwrap();
    let paragraphs: Vec<String> = article.body.as_str().split("</p>").map(text_of).filter(|p| p.len() > 40).collect();
    assert!(paragraphs.len() >= 2, "the premium story has withheld paragraphs");
    let withheld: Vec<&String> = paragraphs[1..].iter().collect();
    let free = free_stories(&app, 1).await;
    let now = Utc::now();
    let sent_issue = issue(&app, MARKETS, &[premium, free[0]], now).await;
    let unsent = issue(&app, MARKETS, &[premium], now + Duration::days(1)).await;
    assert_eq!(run(&app, now).await.sent, 1);

    let mail = issues_to(&app, reader).pop().unwrap();
    let text = text_of(&mail.raw);
    assert!(text.contains(&article.summary.headline), "{text}");
    assert_eq!(mail.raw.contains("Premium"), article.summary.premium, "premium stories are marked");
    for paragraph in &withheld {
        let probe: String = paragraph.chars().take(60).collect();
        assert!(!text.contains(&probe), "withheld text in the message: {probe}");
    }
    assert!(
        mail.raw.contains("multipart/alternative") && mail.raw.contains("text/plain") && mail.raw.contains("text/html")
    );

    let archive = text_of(&app.page(&format!("/newsletters/{MARKETS}"), 200).await);
    assert!(archive.contains(&sent_issue.subject), "{archive}");
    assert!(!archive.contains(&unsent.subject), "unsent issues are not in the archive");
    let page = text_of(&app.page(&format!("/newsletters/{MARKETS}/{}", sent_issue.id), 200).await);
    assert!(page.contains(&article.summary.headline) && page.contains("Good morning"), "{page}");
    assert!(page.contains(&paragraphs[0].chars().take(60).collect::<String>()), "the free part is there");
    for paragraph in &withheld {
        let probe: String = paragraph.chars().take(60).collect();
        assert!(!page.contains(&probe), "withheld text in the archive: {probe}");
    }
    assert_eq!(app.get(&format!("/newsletters/{MARKETS}/{}", unsent.id)).await.status(), 404);
    assert_eq!(app.get(&format!("/newsletters/{POLITICS}/{}", sent_issue.id)).await.status(), 404);
    assert_eq!(app.get(&format!("/newsletters/{MARKETS}/nope")).await.status(), 404);
    assert_eq!(app.get("/newsletters/no-such-list").await.status(), 404);
}

/// A browser signed in as a new editor, `email`.
async fn editor_browser<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    register(app, email).await;
    app.store.set_role(reader_id(app, email).await, Role::Editor).await.unwrap().unwrap();
    let mut browser = Browser::new(app);
    log_in(&mut browser, email, PASSWORD).await;
    browser
}

/// Every issue of the list `slug`, sent or not.
async fn all_issues(app: &TestApp, slug: &str) -> Vec<IssueRecord> {
    app.store.issues(list(app, slug).await.id, false, 100).await.unwrap()
}

async fn editors_compose_and_schedule_issues(backend: Backend) {
    let app = app(backend).await;
    let compose = format!("/newsroom/newsletters/{POLITICS}/compose");
    let action = format!("/newsroom/newsletters/{POLITICS}/issues");
    let reader = "reader@example.com";
    let mut browser = Browser::new(&app);
    register(&app, reader).await;
    log_in(&mut browser, reader, PASSWORD).await;
    assert_eq!(browser.get("/newsroom/newsletters").await.status(), 403, "readers may not");
    assert_eq!(browser.get(&compose).await.status(), 403);
    let token = browser.csrf_token("/account/newsletters").await;
    let stories = free_stories(&app, 2).await;
    let named = format!("{}\n{}", stories[0], stories[1]);
    let as_reader =
        browser.post_form(&action, &[("csrf_token", &token), ("subject", "Mine"), ("stories", &named)]).await;
    assert_eq!(as_reader.status(), 403);

    let member = "politics-member@example.com";
    signed_up(&app, member, &[POLITICS]).await;
    let mut desk_browser = editor_browser(&app, "editor@example.com").await;
    let desk = desk_browser.page("/newsroom/newsletters", 200).await;
    assert!(desk.contains(&format!("href=\"{compose}\"")), "{desk}");
    // Without the form's token: refused, nothing stored.
    let forged = desk_browser.post_form(&action, &[("subject", "Forged"), ("stories", &named)]).await;
    assert_eq!(forged.status(), 403);
    // Bad input: the reason, the draft kept, nothing stored.
    for (fields, reason) in [
        (vec![("subject", "Bad"), ("stories", "999999999")], "Story 999999999 is not published."),
        (vec![("subject", "Bad"), ("stories", "/politics/no-id")], "is not a story id or address"),
        (vec![("subject", " "), ("stories", named.as_str())], "needs a subject"),
        (vec![("subject", "Bad"), ("stories", named.as_str()), ("send_at", "tomorrow")], "YYYY-MM-DDTHH:MM"),
    ] {
        let refused = desk_browser.submit(&compose, &action, &fields).await;
        assert_eq!(refused.status(), 422, "{fields:?}");
        let page = text_of(&refused.text().await.unwrap());
        assert!(page.contains(reason) && page.contains("Compose Politics Digest"), "{reason}: {page}");
    }
    assert!(all_issues(&app, POLITICS).await.is_empty(), "nothing stored");

    // Send now: stored due now, and the send job sends it at once.
    let fields = [("subject", "Tonight in politics"), ("intro", "Hello"), ("stories", named.as_str()), ("send_at", "")];
    let done = desk_browser.submit(&compose, &action, &fields).await;
    assert_eq!(done.status(), 200);
    assert!(text_of(&done.text().await.unwrap()).contains("is scheduled for"));
    let automatic = desk_browser
        .submit(&compose, &action, &[("subject", "Latest"), ("stories", ""), ("send_at", "2030-01-01T19:00")])
        .await;
    assert_eq!(automatic.status(), 200);

    let issues = all_issues(&app, POLITICS).await;
    assert_eq!(issues.len(), 2);
    let latest = issues.iter().find(|i| i.subject == "Latest").unwrap();
    assert!(!latest.story_ids.is_empty(), "the section's latest stories");
    assert_eq!(latest.scheduled_at, "2030-01-01T13:30:00Z".parse::<DateTime<Utc>>().unwrap(), "IST");
    let now_issue = issues.iter().find(|i| i.subject == "Tonight in politics").unwrap();
    assert_eq!(now_issue.story_ids, stories);
    assert_eq!(run(&app, Utc::now()).await.sent, 1, "sent now; the 2030 one waits");
    assert_eq!(issues_to(&app, member).len(), 1);
}

/// The compose page's form token, for posting its buttons.
async fn compose_token(browser: &mut Browser<'_>, slug: &str) -> String {
    browser.csrf_token(&format!("/newsroom/newsletters/{slug}/compose")).await
}

async fn editors_find_stories_preview_both_parts_and_mail_themselves_a_test(backend: Backend) {
    let app = app(backend).await;
    let base = format!("/newsroom/newsletters/{MARKETS}");
    let (premium, withheld) = premium_story(&app).await;
    let editor = "desk-editor@example.com";
    let mut desk = editor_browser(&app, editor).await;
    let token = compose_token(&mut desk, MARKETS).await;
    let post = async |desk: &mut Browser<'_>, to: &str, fields: &[(&str, &str)]| {
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        desk.post_form(&format!("{base}/{to}"), &all).await
    };

    // The desk's search finds the premium story by its headline (staff reach every story)
    // once the index has caught up; Add puts it in the draft, and the draft is kept.
    let headline = premium.summary.headline.as_str();
    let phrase = format!("\"{}\"", headline.replace('"', " "));
    let id = premium.summary.id.to_string();
    let started = std::time::Instant::now();
    let found = loop {
        let page = post(&mut desk, "compose", &[("subject", "Rates"), ("q", &phrase)]).await;
        assert_eq!(page.status(), 200);
        let page = page.text().await.unwrap();
        if page.contains(&format!("name=\"add\" value=\"{id}\"")) {
            break page;
        }
        assert!(started.elapsed().as_secs() < 30, "the search never found {headline:?}: {page}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert!(found.contains("value=\"Rates\""), "the draft is written back");
    let free = free_stories(&app, 1).await[0].to_string();
    let added =
        post(&mut desk, "compose", &[("subject", "Rates"), ("stories", &free), ("q", &phrase), ("add", &id)]).await;
    assert_eq!(added.status(), 200);
    let added = added.text().await.unwrap();
    assert!(added.contains(&format!("{free}\n{id}</textarea>")), "added after the stories named: {added}");
    assert!(text_of(&added).contains("in this issue"), "the result is marked as picked");
    let bad_query = post(&mut desk, "compose", &[("subject", "Rates"), ("q", "\"unclosed")]).await;
    assert_eq!(bad_query.status(), 422);
    assert!(text_of(&bad_query.text().await.unwrap()).contains("missing its partner"));
    let bad_add = post(&mut desk, "compose", &[("subject", "Rates"), ("add", "first")]).await;
    assert_eq!(bad_add.status(), 422);

    // Preview: each part as the message carries it, the premium story's free part only.
    let stories = format!("{free}\n{id}");
    let draft = [("subject", "Rates hold"), ("intro", "Good *morning*."), ("stories", stories.as_str())];
    let preview = async |desk: &mut Browser<'_>, part: &str| {
        let fields: Vec<(&str, &str)> = draft.iter().copied().chain([("part", part)]).collect();
        post(desk, "preview", &fields).await
    };
    let html = preview(&mut desk, "html").await;
    assert_eq!(html.status(), 200);
    assert_eq!(html.headers()["content-type"], "text/html; charset=utf-8");
    let policy = html.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("sandbox") && policy.contains("default-src 'none'"), "{policy}");
    let html = html.text().await.unwrap();
    let text = preview(&mut desk, "text").await;
    assert_eq!(text.headers()["content-type"], "text/plain; charset=utf-8");
    let text = text.text().await.unwrap();
    for part in [&html, &text] {
        assert!(part.contains(headline) && part.contains("morning"), "{part}");
        for probe in &withheld {
            assert!(!part.contains(probe.as_str()), "withheld text in a preview: {probe}");
        }
    }
    assert!(text.contains(&format!("{headline} [Premium]")), "{text}");
    assert!(!html.contains("<style"), "the CSS is inlined, as mail clients need");
    let wrong_part = preview(&mut desk, "pdf").await;
    assert_eq!(wrong_part.status(), 422);

    // A test copy: to the editor only, marked, with exactly the parts previewed; nothing stored.
    let test_copies = || app.mails().into_iter().filter(|m| m.subject.starts_with("[Test]")).collect::<Vec<_>>();
    let sent = post(&mut desk, "test", &draft).await;
    assert_eq!(sent.status(), 200);
    assert!(text_of(&sent.text().await.unwrap()).contains(&format!("A test copy is on its way to {editor}")));
    let copies = test_copies();
    assert_eq!(copies.len(), 1, "sent before the page answers");
    let mail = &copies[0];
    assert_eq!((mail.to.as_str(), mail.subject.as_str()), (editor, "[Test] Rates hold"));
    let message = parsed::Parsed::new(mail.raw.as_bytes());
    assert_eq!(message.text.replace("\r\n", "\n"), text, "the text part is the preview's");
    assert_eq!(message.html.replace("\r\n", "\n"), html, "the HTML part is the preview's");
    assert!(all_issues(&app, MARKETS).await.is_empty(), "a test stores nothing");
    let refused = post(&mut desk, "test", &[("subject", ""), ("stories", stories.as_str())]).await;
    assert_eq!(refused.status(), 422);
    assert!(text_of(&refused.text().await.unwrap()).contains("needs a subject"));

    // A few tests per window, then 429 and no mail.
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(post(&mut desk, "test", &draft).await.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 200, 429]);
    assert_eq!(test_copies().len(), 5);

    // Readers may not; a form without its token is refused; nothing was mailed for either.
    let mut reader = Browser::new(&app);
    register(&app, "curious@example.com").await;
    log_in(&mut reader, "curious@example.com", PASSWORD).await;
    let reader_token = reader.csrf_token("/account/newsletters").await;
    for to in ["compose", "preview", "test"] {
        let fields =
            [("csrf_token", reader_token.as_str()), ("subject", "x"), ("stories", stories.as_str()), ("part", "html")];
        assert_eq!(reader.post_form(&format!("{base}/{to}"), &fields).await.status(), 403, "{to}");
        let untokened = desk.post_form(&format!("{base}/{to}"), &[("subject", "x"), ("part", "text")]).await;
        assert_eq!(untokened.status(), 403, "{to} without the token");
    }
    assert_eq!(test_copies().len(), 5, "nothing more was mailed");
    assert!(test_copies().iter().all(|m| m.to == editor));
}

async fn sending_resumes_after_a_crash_without_duplicates(backend: Backend) {
    let app = app(backend).await;
    let politics = list(&app, POLITICS).await;
    let readers: Vec<String> = (0..5).map(|n| format!("crash{n}@example.com")).collect();
    let now = Utc::now();
    for (n, reader) in readers.iter().enumerate() {
        register(&app, reader).await;
        let id = reader_id(&app, reader).await;
        let token = format!("{n:064x}");
        assert!(app.store.join_newsletter(politics.id, reader, id, &token, now).await.unwrap());
    }
    let stories = free_stories(&app, 1).await;
    let issue = issue(&app, POLITICS, &stories, now).await;
    // A runner claims two recipients, then dies before sending.
    let lease = Settings::default().lease;
    let claimed = app.store.claim_recipients(&issue, now, now - lease, 2).await.unwrap();
    assert_eq!(claimed.len(), 2);

    // Another run sends the rest, leaving the in-flight claims to their lease.
    let report = run(&app, now + Duration::minutes(1)).await;
    assert_eq!((report.sent, report.finished), (3, 0), "{report:?}");

    // After the lease, the command line finishes the job.
    let outbox = Outbox(Outbox::fresh_path());
    let at = (now + lease + Duration::minutes(2)).to_rfc3339();
    let output = masthead()
        .args(["newsletters", "send-due", "--database-url", &app.database_url(), "--now", &at])
        .args(["--outbox", outbox.0.to_str().unwrap(), "--public-url", &format!("http://{}", app.address)])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{printed} {}", String::from_utf8_lossy(&output.stderr));
    assert!(printed.contains("issues finished 1, sent 2,"), "{printed}");
    let second = masthead()
        .args(["newsletters", "send-due", "--database-url", &app.database_url(), "--now", &at])
        .args(["--outbox", outbox.0.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&second.stdout).contains("sent 0,"), "nothing twice");

    let from_cli: Vec<String> =
        std::fs::read_dir(&outbox.0).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect();
    for reader in &readers {
        let here = issues_to(&app, reader).len();
        let there = from_cli.iter().filter(|raw| raw.contains(&format!("To: {reader}"))).count();
        assert_eq!(here + there, 1, "{reader} gets the issue exactly once");
    }
    assert!(app.store.issue(issue.id).await.unwrap().unwrap().sent_at.is_some());
}

async fn a_runner_stopped_mid_batch_sends_again_only_its_last_few_messages(backend: Backend) {
    let app = app(backend).await;
    let politics = list(&app, POLITICS).await;
    let now = Utc::now();
    let members = 150;
    for n in 0..members {
        let (email, hash) = (format!("batch{n}@example.com"), format!("{n:064x}"));
        let token = format!("{:064x}", n + 1000);
        let requested = app.store.request_newsletter(politics.id, &email, &hash, now + Duration::days(1), &token, now);
        assert!(requested.await.unwrap());
        assert!(app.store.confirm_newsletter(&hash, now).await.unwrap().is_some());
    }
    let issue = issue(&app, POLITICS, &free_stories(&app, 1).await, now).await;
    let outbox = app.outbox.as_ref().unwrap().0.clone();
    let written = move || {
        std::fs::read_dir(&outbox).map_or(0, |dir| {
            dir.filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with("-newsletter_issue.eml")).count()
        })
    };
    // Every member fits in one batch (500); paced so that the stop lands mid-batch.
    let paced = Desk { settings: Settings { rate: Some(150), ..Settings::default() }, ..desk(&app) };
    let at = now + Duration::minutes(1);
    let sending = tokio::spawn(async move { paced.run_due(at).await });
    while written() < 90 {
        assert!(!sending.is_finished(), "the send ended before it could be stopped");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    sending.abort();
    assert!(sending.await.unwrap_err().is_cancelled());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await; // writes already under way land
    let (sent, marked) = (written() as u64, app.store.delivery_count(issue.id, DeliveryOutcome::Sent).await.unwrap());
    let unmarked = sent - marked;
    let bound = (Desk::FINISH_EVERY + Settings::default().in_flight) as u64;
    assert!(unmarked <= bound, "{sent} sent, {marked} marked done: more than {bound} would go twice");

    // After the lease, a run finishes the issue: the unmarked messages are the only repeats.
    let report = run(&app, now + Settings::default().lease + Duration::minutes(2)).await;
    assert_eq!((report.sent, report.finished), (members - marked, 1), "{report:?}");
    assert_eq!(written() as u64, members + unmarked);
}

async fn digests_assemble_themselves_at_their_time_and_skip_days_with_nothing_new(backend: Backend) {
    let app = app(backend).await;
    let zone = PublisherZone::default();
    // The latest politics story, and a daily letter due at 23:59 IST that day.
    let (latest, _) = app.store.latest(Some("politics"), masthead_domain::Page::new(None, 1)).await.unwrap();
    let story = &latest[0];
    let day = zone.date(story.first_published_at);
    let slot = zone.instant(day, 23, 59).unwrap();
    let list = NewsletterRecord {
        id: 0,
        slug: "late-politics".into(),
        name: "Late Politics".into(),
        description: "The day's politics at midnight.".into(),
        cadence: "daily 23:59".into(),
        sections: "politics".into(),
        subscribers_only: false,
        position: 9,
    };
    let id = app.store.add_newsletter(&list).await.unwrap();

    // (The demo's own letters assemble themselves too: count this one's issues.)
    let count = async || app.store.issues(id, false, 10).await.unwrap().len();
    run(&app, slot - Duration::minutes(1)).await;
    assert_eq!(count().await, 0, "not before its time");
    let report = run(&app, slot + Duration::minutes(5)).await;
    assert!(report.assembled >= 1 && report.finished >= 1, "{report:?}");
    let issues = app.store.issues(id, false, 10).await.unwrap();
    assert_eq!(issues.len(), 1);
    assert!(issues[0].sent_at.is_some(), "sent to its (empty) audience");
    assert_eq!(issues[0].scheduled_at, slot);
    assert_eq!(issues[0].story_ids[0], story.id);
    assert!(issues[0].subject.contains(&story.headline));
    run(&app, slot + Duration::minutes(6)).await;
    assert_eq!(count().await, 1, "one issue a slot");
    // The next day has nothing new: skipped.
    run(&app, slot + Duration::days(1) + Duration::minutes(5)).await;
    assert_eq!(count().await, 1);
}

async fn a_real_smtp_server_receives_every_message_whole_and_paywall_safe(backend: Backend) {
    // The site sends through aiosmtpd on loopback, DKIM-signing every message.
    let sink = sink::SmtpSink::start();
    let dkim = dkim::TestKey::generate();
    let mailer = sink.mailer().with_dkim(dkim.signer());
    let config = masthead_web::SiteConfig {
        mailer: mailer.clone(),
        newsletters: NewsletterConfig { interval: None, ..Default::default() },
        ..site_config()
    };
    let app = spawn_app_with(backend, config).await;
    masthead_newsletter::install_demo_lists(&app.store).await.unwrap();
    for provider in ["sendgrid", "postmark"] {
        let answer = app.client.post(app.url(&format!("/webhooks/mail/{provider}"))).body("[]").send().await.unwrap();
        assert_eq!(answer.status(), 404, "this site has no {provider} webhook configured");
    }

    // Double opt-in by email: the confirmation arrives over SMTP.
    let by_email = "smtp-one@example.com";
    let mut browser = Browser::new(&app);
    let asked =
        browser.submit("/newsletters", &format!("/newsletters/{MARKETS}/subscribe"), &[("email", by_email)]).await;
    assert_eq!(asked.status(), 200);
    let confirmation = parsed::Parsed::new(&sink.wait_for(1)[0]);
    assert_eq!(confirmation.to(), by_email);
    let start = confirmation.text.find("/newsletters/confirm/").expect("a confirmation link");
    let link: String = confirmation.text[start..].chars().take_while(|c| !c.is_whitespace()).collect();
    assert_eq!(browser.submit(&link, &link, &[]).await.status(), 200);
    let readers = [by_email, "smtp-two@example.com", "smtp-three@example.com"];
    for reader in &readers[1..] {
        signed_up(&app, reader, &[MARKETS]).await;
    }
    let (premium, withheld) = premium_story(&app).await;
    let free = free_stories(&app, 1).await;
    let now = Utc::now();
    issue(&app, MARKETS, &[premium.summary.id, free[0]], now).await;
    let desk = Desk {
        store: app.store.clone(),
        mailer,
        publisher: crate::support::PUBLISHER.to_owned(),
        links: Links { public_url: format!("http://{}", app.address) },
        zone: PublisherZone::default(),
        settings: Settings::default(),
    };
    let report = desk.run_due(now).await.unwrap();
    assert_eq!((report.sent, report.failed), (3, 0), "{report:?}");

    // The confirmation, the two accounts' address checks, then the issue.
    let received = sink.wait_for(3 + readers.len());
    let issues: Vec<Vec<u8>> = received
        .iter()
        .filter(|raw| String::from_utf8_lossy(raw).contains("\r\nList-Unsubscribe: <"))
        .cloned()
        .collect();
    assert_eq!(issues.len(), readers.len());
    let mut unsubscribe_urls = Vec::new();
    for raw in &issues {
        let message = parsed::Parsed::new(raw);
        let to = message.to();
        assert!(readers.contains(&to.as_str()), "{to}");
        assert!(message.subject().contains("Markets Morning Brief test issue"), "{}", message.subject());
        let url = message.list_unsubscribe();
        assert!(url.starts_with(&format!("http://{}/newsletters/unsubscribe/", app.address)), "{url}");
        assert_eq!(message.header("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
        for body in [&message.text, &message.html] {
            assert!(body.contains(&premium.summary.headline), "{body}");
            for probe in &withheld {
                assert!(!body.contains(probe.as_str()), "withheld text in a message: {probe}");
            }
        }
        assert!(message.text.contains(&format!("Unsubscribe from Markets Morning Brief: {url}")), "{}", message.text);
        assert!(message.html.contains(&format!("href=\"{url}\"")), "{}", message.html);
        unsubscribe_urls.push(url);
    }
    unsubscribe_urls.sort();
    unsubscribe_urls.dedup();
    assert_eq!(unsubscribe_urls.len(), readers.len(), "one token per recipient");

    // Every message as received — the confirmation, the address checks and the
    // issues — verifies with dkimpy (not the signing code); the unsubscribe
    // pair is among the signed fields (RFC 8058), and an altered copy fails.
    dkim.verify_all(&received);
    let signature = parsed::Parsed::new(&issues[0]).header("DKIM-Signature").to_lowercase();
    assert!(signature.contains("list-unsubscribe-post") && signature.contains("d=news.example"), "{signature}");
    let tampered = String::from_utf8_lossy(&issues[0]).replace(&premium.summary.headline, "Altered headline");
    assert!(!dkim.verifies(tampered.as_bytes()), "an altered message does not verify");

    // The URL a real message carries unsubscribes with a cookieless POST.
    let one_click = app
        .client
        .post(&unsubscribe_urls[0])
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(one_click.status(), 200);
    let later = now + Duration::minutes(1);
    issue(&app, MARKETS, &free, later).await;
    assert_eq!(desk.run_due(later).await.unwrap().sent, 2);
    dkim.verify_all(&sink.wait_for(3 + readers.len() + 2));
}

/// The premium story with the most paragraphs (the demo has some), and
/// probes of the text it withholds from readers without access.
async fn premium_story(app: &TestApp) -> (masthead_domain::Article, Vec<String>) {
    let listed = app.json("/api/v1/articles?limit=100", 200).await;
    let id =
        listed["articles"].as_array().unwrap().iter().find(|a| a["premium"] == true).unwrap()["id"].as_i64().unwrap();
    let article = app.store.published_article(id).await.unwrap().unwrap();
    let free = text_of(article.free_part().as_str());
    let probes: Vec<String> = article
        .body
        .as_str()
        .split("</p>")
        .map(text_of)
        .filter(|p| p.len() > 40 && !free.contains(p.as_str()))
        .map(|p| p.chars().take(60).collect())
        .collect();
    assert!(!probes.is_empty(), "the premium story withholds paragraphs");
    (article, probes)
}

/// Messages as a MIME parser (mail-parser) reads them.
mod parsed {
    use mail_parser::{MessageParser, MimeHeaders};

    /// What the tests read of one message.
    pub struct Parsed {
        headers: Vec<(String, String)>,
        /// The text/plain part, decoded.
        pub text: String,
        /// The text/html part, decoded.
        pub html: String,
    }

    impl Parsed {
        /// Parses a whole message; it must be multipart/alternative with one
        /// text/plain and one text/html part.
        pub fn new(raw: &[u8]) -> Self {
            let message = MessageParser::default().parse(raw).expect("a MIME message");
            let whole = String::from_utf8_lossy(raw);
            assert!(message.is_content_type("multipart", "alternative"), "{whole}");
            assert_eq!((message.text_body_count(), message.html_body_count()), (1, 1), "{whole}");
            assert!(message.text_part(0).unwrap().is_content_type("text", "plain"), "{whole}");
            assert!(message.html_part(0).unwrap().is_content_type("text", "html"), "{whole}");
            let headers = message
                .headers()
                .iter()
                .map(|h| {
                    let value = String::from_utf8_lossy(&raw[h.offset_start as usize..h.offset_end as usize]);
                    (h.name().to_owned(), value.replace("\r\n", "").trim().to_owned())
                })
                .collect();
            Self {
                headers,
                text: message.body_text(0).expect("a text part").into_owned(),
                html: message.body_html(0).expect("an HTML part").into_owned(),
            }
        }

        /// A header field's value, unfolded; panics when it is missing or repeated.
        pub fn header(&self, name: &str) -> String {
            let found: Vec<&String> =
                self.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v).collect();
            assert_eq!(found.len(), 1, "one {name} field in {:?}", self.headers);
            found[0].clone()
        }

        /// The recipient's address.
        pub fn to(&self) -> String {
            self.header("To")
        }

        /// The subject.
        pub fn subject(&self) -> String {
            self.header("Subject")
        }

        /// The one-click URL of `List-Unsubscribe: <URL>`.
        pub fn list_unsubscribe(&self) -> String {
            let value = self.header("List-Unsubscribe");
            let url = value.strip_prefix('<').and_then(|v| v.strip_suffix('>'));
            url.unwrap_or_else(|| panic!("List-Unsubscribe is not <URL>: {value}")).to_owned()
        }
    }
}

/// A real SMTP server on loopback: aiosmtpd (PyPI) with the handler in
/// `smtp_sink.py`, keeping every message it accepts as a file.
mod sink {
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    /// A running aiosmtpd on 127.0.0.1 and the folder its messages land in.
    pub struct SmtpSink {
        child: Child,
        port: u16,
        dir: tempfile::TempDir,
    }

    impl SmtpSink {
        /// Starts the server on a free port and waits until it answers.
        pub fn start() -> Self {
            let dir = tempfile::tempdir().unwrap();
            let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let handler_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/http");
            let child = Command::new("python3")
                .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "smtp_sink.Sink"])
                .arg(dir.path())
                .env("PYTHONPATH", handler_dir)
                .env("PYTHONDONTWRITEBYTECODE", "1")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .spawn()
                .expect("python3 runs (the SMTP tests need python3 and `python3 -m pip install aiosmtpd`; .ci/run installs it)");
            let mut sink = Self { child, port, dir };
            let started = Instant::now();
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                if let Some(status) = sink.child.try_wait().unwrap() {
                    panic!(
                        "aiosmtpd exited ({status}): is it installed? `python3 -m pip install aiosmtpd` (.ci/run does)"
                    );
                }
                assert!(started.elapsed() < Duration::from_secs(20), "aiosmtpd did not start on port {port}");
                std::thread::sleep(Duration::from_millis(50));
            }
            sink
        }

        /// A mailer sending to this server.
        pub fn mailer(&self) -> masthead_web::Mailer {
            masthead_web::Mailer::smtp(&self.url(), "Business Standard <no-reply@news.example>").unwrap()
        }

        /// `smtp://127.0.0.1:PORT`.
        pub fn url(&self) -> String {
            format!("smtp://127.0.0.1:{}", self.port)
        }

        /// Every message received so far, in arrival order.
        pub fn messages(&self) -> Vec<Vec<u8>> {
            let mut paths: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .collect();
            paths.sort();
            paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
        }

        /// Waits (up to ten seconds) for `count` messages, and returns them all.
        pub fn wait_for(&self, count: usize) -> Vec<Vec<u8>> {
            let started = Instant::now();
            loop {
                let messages = self.messages();
                if messages.len() >= count || started.elapsed() > Duration::from_secs(10) {
                    assert_eq!(messages.len(), count, "messages received");
                    return messages;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }

    impl Drop for SmtpSink {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The key the test site's SendGrid webhook trusts, and the one that signs.
fn sendgrid_keys() -> (p256::ecdsa::SigningKey, String) {
    use base64::Engine;
    use p256::pkcs8::EncodePublicKey;
    let signing = p256::ecdsa::SigningKey::from_slice(&[42u8; 32]).unwrap();
    let der = signing.verifying_key().to_public_key_der().unwrap();
    (signing, base64::engine::general_purpose::STANDARD.encode(der.as_bytes()))
}

/// A SendGrid Event Webhook request as SendGrid signs it: ECDSA P-256 over timestamp and body.
fn sendgrid_request(
    app: &TestApp,
    key: &p256::ecdsa::SigningKey,
    timestamp: i64,
    body: &str,
) -> reqwest::RequestBuilder {
    use base64::Engine;
    use p256::ecdsa::signature::Signer;
    let timestamp = timestamp.to_string();
    let signature: p256::ecdsa::Signature = key.sign(format!("{timestamp}{body}").as_bytes());
    app.client
        .post(app.url("/webhooks/mail/sendgrid"))
        .header("content-type", "application/json")
        .header(
            "X-Twilio-Email-Event-Webhook-Signature",
            base64::engine::general_purpose::STANDARD.encode(signature.to_der().as_bytes()),
        )
        .header("X-Twilio-Email-Event-Webhook-Timestamp", timestamp)
        .body(body.to_owned())
}

async fn signed_bounces_and_complaints_suppress_an_address_for_every_list(backend: Backend) {
    let (signing, public_key) = sendgrid_keys();
    let webhooks = masthead_web::BounceWebhooks {
        sendgrid: Some(masthead_newsletter::bounces::SendgridKey::from_base64(&public_key).unwrap()),
        postmark: Some("postmark:hook-secret".parse().unwrap()),
    };
    let config = masthead_web::SiteConfig {
        newsletters: NewsletterConfig { interval: None, webhooks, ..Default::default() },
        ..site_config()
    };
    let app = spawn_app_with(backend, config).await;
    masthead_newsletter::install_demo_lists(&app.store).await.unwrap();
    let (bounced, complained, kept) = ("bounced@example.com", "complained@example.com", "kept@example.com");
    for reader in [bounced, complained, kept] {
        signed_up(&app, reader, &[MARKETS, POLITICS]).await;
    }
    let suppressed = async |email: &str| app.store.suppression(email).await.unwrap();
    let now = Utc::now().timestamp();
    let events = json!([
        {"email": "Bounced@Example.com", "event": "bounce", "type": "bounce", "reason": "550 5.1.1 user unknown",
         "timestamp": now, "sg_event_id": "e1"},
        {"email": kept, "event": "bounce", "type": "blocked", "reason": "421 try again later", "timestamp": now},
        {"email": kept, "event": "delivered", "timestamp": now}
    ])
    .to_string();

    // Refused, and nothing stored: another key, an altered body, an old (replayed) timestamp, no signature.
    let stranger = p256::ecdsa::SigningKey::from_slice(&[43u8; 32]).unwrap();
    let status = |r: reqwest::Response| r.status().as_u16();
    assert_eq!(status(sendgrid_request(&app, &stranger, now, &events).send().await.unwrap()), 400);
    let signed_then_altered = sendgrid_request(&app, &signing, now, &events).body(events.replace("550", "551"));
    assert_eq!(status(signed_then_altered.send().await.unwrap()), 400);
    assert_eq!(status(sendgrid_request(&app, &signing, now - 3600, &events).send().await.unwrap()), 400);
    let unsigned = app.client.post(app.url("/webhooks/mail/sendgrid")).body(events.clone()).send().await.unwrap();
    assert_eq!(status(unsigned), 400);
    assert_eq!(suppressed(bounced).await, None);

    // Signed: the hard bounce suppresses its address; the soft one does not. Again: nothing new.
    let answer = sendgrid_request(&app, &signing, now, &events).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.json::<Value>().await.unwrap(), json!({"reports": 1, "suppressed": 1}));
    let again = sendgrid_request(&app, &signing, now, &events).send().await.unwrap();
    assert_eq!(again.json::<Value>().await.unwrap()["suppressed"], 0);
    let stored = suppressed(bounced).await.unwrap();
    assert_eq!((stored.reason, stored.provider.as_str()), (SuppressionReason::Bounce, "sendgrid"));
    assert_eq!(stored.detail, "550 5.1.1 user unknown");
    assert_eq!(suppressed(kept).await, None, "a soft bounce suppresses nothing");

    // Postmark: basic auth, or 401 and nothing stored.
    let complaint = json!({"RecordType": "SpamComplaint", "Type": "SpamComplaint", "TypeCode": 512,
        "Email": complained, "BouncedAt": "2026-12-07T04:00:00Z"})
    .to_string();
    let postmark = |auth: Option<(&str, &str)>| {
        let request = app.client.post(app.url("/webhooks/mail/postmark")).body(complaint.clone());
        match auth {
            Some((user, password)) => request.basic_auth(user, Some(password)),
            None => request,
        }
    };
    let unauthorised = postmark(None).send().await.unwrap();
    assert_eq!(unauthorised.status(), 401);
    assert!(unauthorised.headers()["www-authenticate"].to_str().unwrap().starts_with("Basic"));
    assert_eq!(status(postmark(Some(("postmark", "wrong"))).send().await.unwrap()), 401);
    assert_eq!(suppressed(complained).await, None);
    assert_eq!(status(postmark(Some(("postmark", "hook-secret"))).send().await.unwrap()), 200);
    assert_eq!(suppressed(complained).await.unwrap().reason, SuppressionReason::Complaint);
    let unreadable = app.client.post(app.url("/webhooks/mail/postmark")).basic_auth("postmark", Some("hook-secret"));
    assert_eq!(status(unreadable.body("{not json").send().await.unwrap()), 400);

    // Neither suppressed address gets any list again; the other reader gets both.
    let stories = free_stories(&app, 1).await;
    let at = Utc::now();
    issue(&app, MARKETS, &stories, at).await;
    issue(&app, POLITICS, &stories, at).await;
    let report = run(&app, at).await;
    assert_eq!((report.sent, report.suppressed, report.finished), (2, 4, 2), "{report:?}");
    assert_eq!(issues_to(&app, kept).len(), 2);
    assert!(issues_to(&app, bounced).is_empty() && issues_to(&app, complained).is_empty());
    // Nor a confirmation mail, when the address signs up again by email.
    let mails_before = app.mails().iter().filter(|m| m.to == bounced).count();
    let again = api_subscribe(&app, "technology-weekly", By::Email(bounced)).await;
    assert_eq!(again.status(), 202, "the same answer as for anyone");
    let fresh = "fresh@example.com";
    assert_eq!(api_subscribe(&app, "technology-weekly", By::Email(fresh)).await.status(), 202);
    app.wait_for_mails(fresh, 1).await;
    let mails_after = app.mails().iter().filter(|m| m.to == bounced).count();
    assert_eq!(mails_after, mails_before, "nothing is mailed to a suppressed address");

    // The reader sees why on the manage page.
    for (reader, why) in [(bounced, "550 5.1.1 user unknown"), (complained, "reported as spam")] {
        let mut browser = Browser::new(&app);
        log_in(&mut browser, reader, PASSWORD).await;
        let page = text_of(&browser.page("/account/newsletters", 200).await);
        assert!(page.contains("We stopped sending newsletters to") && page.contains(why), "{page}");
        assert!(page.contains("Stopped"), "{page}");
    }
}

/// A DKIM key made for the test with `openssl`, and dkimpy (PyPI), an
/// independent verifier, told the key's DNS record instead of asking DNS.
mod dkim {
    use std::process::Command;

    use base64::Engine;

    pub const SELECTOR: &str = "mail2026";
    pub const DOMAIN: &str = "news.example";

    /// The verifier: dkimpy's `dkim.verify` with a DNS function answering the test record.
    const VERIFY: &str = r#"
import sys, dkim
record, name = sys.argv[1].encode(), sys.argv[2].encode()
asked = []
def dns(qname, timeout=5):
    asked.append(qname)
    return record if qname.rstrip(b".") == name else None
failed = [path for path in sys.argv[3:] if not dkim.verify(open(path, "rb").read(), dnsfunc=dns)]
if failed or not asked:
    sys.exit("not verified: %s (asked %s)" % (failed, asked))
"#;

    pub struct TestKey {
        dir: tempfile::TempDir,
        record: String,
    }

    impl TestKey {
        /// A fresh 2048-bit RSA key, and its DNS TXT record.
        pub fn generate() -> Self {
            let dir = tempfile::tempdir().unwrap();
            let key = dir.path().join("dkim.pem");
            let made = Command::new("openssl")
                .args(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out"])
                .arg(&key)
                .output()
                .expect("openssl runs (the DKIM test makes its key with it)");
            assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
            let public =
                Command::new("openssl").args(["pkey", "-pubout", "-outform", "DER", "-in"]).arg(&key).output().unwrap();
            assert!(public.status.success());
            let record =
                format!("v=DKIM1; k=rsa; p={}", base64::engine::general_purpose::STANDARD.encode(&public.stdout));
            Self { dir, record }
        }

        /// The signer the site is configured with.
        pub fn signer(&self) -> masthead_web::Dkim {
            masthead_web::Dkim::from_pem_file(&self.dir.path().join("dkim.pem"), SELECTOR, DOMAIN).unwrap()
        }

        /// Whether dkimpy verifies every one of `messages`.
        pub fn verifies_all(&self, messages: &[Vec<u8>]) -> Result<(), String> {
            let files = tempfile::tempdir().unwrap();
            let paths: Vec<_> = messages
                .iter()
                .enumerate()
                .map(|(n, raw)| {
                    let path = files.path().join(format!("{n}.eml"));
                    std::fs::write(&path, raw).unwrap();
                    path
                })
                .collect();
            let output = Command::new("python3")
                .args(["-c", VERIFY, &self.record, &format!("{SELECTOR}._domainkey.{DOMAIN}")])
                .args(&paths)
                .output()
                .expect("python3 runs");
            if output.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&output.stderr).into_owned()) }
        }

        /// Asserts dkimpy verifies every message (it needs `python3 -m pip install dkimpy`; .ci/run does).
        pub fn verify_all(&self, messages: &[Vec<u8>]) {
            if let Err(error) = self.verifies_all(messages) {
                panic!("DKIM does not verify (is dkimpy installed? `python3 -m pip install dkimpy`): {error}");
            }
        }

        /// Whether dkimpy verifies one message.
        pub fn verifies(&self, message: &[u8]) -> bool {
            self.verifies_all(&[message.to_vec()]).is_ok()
        }
    }
}

async fn the_command_line_sends_the_next_issue_with_a_progress_bar_and_a_summary(backend: Backend) {
    let app = app(backend).await;
    let politics = list(&app, POLITICS).await;
    let now = Utc::now();
    for n in 0..3 {
        let reader = format!("cli{n}@example.com");
        // Signed up by email and confirmed, as the double opt-in does.
        let hash = format!("{:064x}", n + 200);
        let later = now + Duration::days(2);
        app.store
            .request_newsletter(politics.id, &reader, &hash, later, &format!("{:064x}", n + 100), now)
            .await
            .unwrap();
        assert!(app.store.confirm_newsletter(&hash, now).await.unwrap().is_some());
    }
    let stories = free_stories(&app, 1).await;
    let tomorrow = issue(&app, POLITICS, &stories, now + Duration::days(1)).await;
    let outbox = Outbox(Outbox::fresh_path());
    let send = |extra: &[&str]| {
        masthead()
            .args(["newsletter", "send", "--database-url", &app.database_url(), POLITICS])
            .args(["--outbox", outbox.0.to_str().unwrap(), "--public-url", &format!("http://{}", app.address)])
            .args(extra)
            .output()
            .unwrap()
    };

    let waiting = send(&[]);
    let printed = String::from_utf8_lossy(&waiting.stdout);
    assert!(waiting.status.success(), "{printed} {}", String::from_utf8_lossy(&waiting.stderr));
    assert!(printed.contains("is scheduled for") && printed.contains("nothing sent"), "{printed}");
    assert!(!outbox.0.exists(), "nothing is sent before its time");

    let sent = send(&["--now"]);
    let (printed, progress) = (String::from_utf8_lossy(&sent.stdout), String::from_utf8_lossy(&sent.stderr));
    assert!(sent.status.success(), "{printed} {progress}");
    assert!(progress.contains("[##############################] 3/3 (100%)"), "{progress}");
    assert!(
        printed.contains(&format!("issue {} {:?} finished: sent 3, skipped 0", tomorrow.id, tomorrow.subject)),
        "{printed}"
    );
    assert_eq!(std::fs::read_dir(&outbox.0).unwrap().count(), 3);
    assert!(app.store.issue(tomorrow.id).await.unwrap().unwrap().sent_at.is_some());

    let again = send(&["--now"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("no issue is waiting"), "nothing twice");
    assert_eq!(std::fs::read_dir(&outbox.0).unwrap().count(), 3);

    let unknown = masthead()
        .args(["newsletter", "send", "--database-url", &app.database_url(), "no-such-letter"])
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no newsletter is called \"no-such-letter\""));
    let help = masthead().args(["newsletter", "send", "--help"]).output().unwrap();
    assert!(help.status.success() && String::from_utf8_lossy(&help.stdout).contains("--now"));
}
