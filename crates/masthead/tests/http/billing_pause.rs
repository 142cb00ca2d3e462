//! Pausing renewal instead of cancelling: through the API and the account
//! page's form; access runs to the end of the paid term, the renewal job
//! charges nothing during the pause, mails a reminder three days before it
//! ends (once) and charges on the day it ends, the next term starting that
//! day; lifting a pause; refusals (4 months, a second
//! pause, a forged form, nothing to resume, no subscription) store nothing.

use chrono::{DateTime, Duration, Months, Utc};
use masthead_domain::Clock;
use masthead_domain::email::Email;
use masthead_domain::subscription::Status;
use reqwest::Method;
use serde_json::json;

use crate::billing::{app_at, call, noon, premium_id, run_due, token};
use crate::support::{Backend, Browser, PASSWORD, TestApp, log_in, on_every_backend, text_of};

on_every_backend!(a_subscriber_pauses_for_two_months_and_is_charged_when_it_ends, pauses_are_refused_with_reasons,);

/// A reader with a paid Smart Quarterly subscription (₹900, 3 months from noon): its id and API token.
async fn subscribed(app: &TestApp, email: &str) -> (i64, String) {
    let token = token(app, email).await;
    let body = json!({"plan_id": 1, "provider": "sandbox"});
    let (status, created) = call(app, Method::POST, "/api/v1/subscriptions", &token, Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let (status, paid) = call(app, Method::POST, created["sandbox_pay_url"].as_str().unwrap(), &token, None).await;
    assert_eq!((status, paid["status"].as_str()), (200, Some("active")), "{paid}");
    (created["subscription_id"].as_i64().unwrap(), token)
}

fn rfc(at: DateTime<Utc>) -> String {
    at.to_rfc3339()
}

async fn a_subscriber_pauses_for_two_months_and_is_charged_when_it_ends(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    let (id, token) = subscribed(&app, "pauser@example.com").await;
    let end = noon() + Months::new(3);
    let resumes = end + Months::new(2);
    let (status, paused) =
        call(&app, Method::POST, "/api/v1/me/subscription/pause", &token, Some(json!({"months": 2}))).await;
    assert_eq!(status, 200, "{paused}");
    assert_eq!(paused["status"], "active", "access runs to the end of the paid term");
    assert_eq!(paused["paused_until"].as_str(), Some(rfc(resumes).as_str()));
    assert_eq!(paused["current_period_end"].as_str(), Some(rfc(end).as_str()));
    let mut browser = Browser::new(&app);
    log_in(&mut browser, "pauser@example.com", PASSWORD).await;
    let account = text_of(&browser.page("/account", 200).await);
    assert!(
        account.contains(
            "Renewal paused: you read until Feb 27 2027, then renewal resumes on Apr 27 2027 with a charge of ₹900"
        ),
        "{account}"
    );
    assert!(account.contains("Resume renewal now") && !account.contains("Pause renewal instead"), "{account}");

    // Past the term's end: paused, no access, nothing charged however often the job runs.
    let story = format!("/api/v1/articles/{}", premium_id(&app).await);
    clock.set(end + Duration::minutes(1));
    let token = crate::billing::log_in_api(&app, "pauser@example.com").await;
    assert_eq!(call(&app, Method::GET, &story, &token, None).await.1["access"]["decision"], "blocked");
    let report = run_due(&app, &clock).await;
    assert_eq!((report.charged, report.ended, report.reminders), (0, 0, 0), "{report:?}");

    // Three days before the pause ends: one reminder of the charge, however often the job runs.
    let reminders =
        || app.mails().into_iter().filter(|m| m.to == "pauser@example.com" && m.subject.contains("renews on")).count();
    clock.set(resumes - Duration::days(3) - Duration::minutes(1));
    assert_eq!(run_due(&app, &clock).await.reminders, 0, "not yet");
    assert_eq!(reminders(), 0);
    clock.set(resumes - Duration::days(3));
    let report = run_due(&app, &clock).await;
    assert_eq!((report.reminders, report.charged), (1, 0), "{report:?}");
    clock.set(resumes - Duration::days(1));
    assert_eq!(run_due(&app, &clock).await.reminders, 0, "once");
    assert_eq!(run_due(&app, &clock).await.charged, 0);
    assert_eq!(reminders(), 1);
    let mails = app.mails();
    let reminder = mails.iter().find(|m| m.to == "pauser@example.com" && m.subject.contains("renews on")).unwrap();
    assert_eq!(reminder.subject, "Your Business Standard subscription renews on Apr 27 2027");
    assert!(reminder.raw.contains("Your pause ends on Apr 27 2027"), "{}", reminder.raw);
    assert!(reminder.raw.contains("=E2=82=B9900") || reminder.raw.contains("₹900"), "{}", reminder.raw);
    let token = crate::billing::log_in_api(&app, "pauser@example.com").await;
    let me = call(&app, Method::GET, "/api/v1/me", &token, None).await.1;
    assert_eq!(me["subscription"]["status"], "paused", "{me}");
    let mut browser = Browser::new(&app);
    log_in(&mut browser, "pauser@example.com", PASSWORD).await;
    let account = text_of(&browser.page("/account", 200).await);
    assert!(account.contains("Smart Quarterly — paused"), "{account}");
    assert!(account.contains("Paused: renewal resumes on Apr 27 2027 with a charge of ₹900"), "{account}");

    // On the day: the renewal job charges, and the new term starts that day.
    clock.set(resumes + Duration::minutes(1));
    let report = run_due(&app, &clock).await;
    assert_eq!((report.charged, report.renewed), (1, 1), "{report:?}");
    let state = app.store.subscription_state(id, clock.now()).await.unwrap().unwrap();
    assert_eq!((state.status, state.paused_until), (Status::Active, None));
    assert_eq!(state.current_period_end, Some(resumes + Months::new(3)));
    let reader = app.store.reader_by_email(&Email::parse("pauser@example.com").unwrap()).await.unwrap().unwrap();
    let invoices = app.store.reader_invoices(reader.id).await.unwrap();
    assert_eq!(invoices.len(), 2);
    assert_eq!(invoices[0].period, (resumes, resumes + Months::new(3)), "the renewed term starts when the pause ends");
    assert_eq!(call(&app, Method::GET, &story, &token, None).await.1["access"]["decision"], "allowed");
}

async fn pauses_are_refused_with_reasons(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    let (id, token) = subscribed(&app, "careful@example.com").await;
    let entries = app.store.ledger(id).await.unwrap().len();
    let pause = |body: serde_json::Value| {
        let (app, token) = (&app, token.clone());
        async move { call(app, Method::POST, "/api/v1/me/subscription/pause", &token, Some(body)).await }
    };
    for months in [0, 4, 12] {
        let (status, refused) = pause(json!({"months": months})).await;
        assert_eq!(status, 422, "{months}: {refused}");
        assert_eq!(refused["errors"][0]["field"], "months");
        assert_eq!(refused["errors"][0]["message"], "a pause is 1 to 3 months");
    }
    let (status, _) = pause(json!({"months": "two"})).await;
    assert_eq!(status, 422, "not a number");
    let (status, refused) = call(&app, Method::POST, "/api/v1/me/subscription/resume", &token, None).await;
    assert_eq!(status, 409, "nothing to resume: {refused}");
    assert_eq!(app.store.ledger(id).await.unwrap().len(), entries, "nothing stored");
    let stranger = token_without_subscription(&app).await;
    let (status, _) =
        call(&app, Method::POST, "/api/v1/me/subscription/pause", &stranger, Some(json!({"months": 1}))).await;
    assert_eq!(status, 404);
    let signed_out = app.client.post(app.url("/api/v1/me/subscription/pause")).json(&json!({"months": 1})).send();
    assert_eq!(signed_out.await.unwrap().status().as_u16(), 401, "signed out");

    // The page: a forged form does nothing; the real one pauses once; the second is refused.
    let mut browser = Browser::new(&app);
    log_in(&mut browser, "careful@example.com", PASSWORD).await;
    let action = format!("/account/subscription/{id}/pause");
    assert_eq!(browser.post_form(&action, &[("months", "1")]).await.status().as_u16(), 403, "no CSRF token");
    let refused = browser.submit("/account", &action, &[("months", "4")]).await;
    assert_eq!(refused.headers()["location"], "/account?changed=pause-refused");
    let page = text_of(&browser.page("/account?changed=pause-refused", 200).await);
    assert!(page.contains("Not paused: only an active paid subscription can pause, for 1 to 3 months."), "{page}");
    assert_eq!(app.store.ledger(id).await.unwrap().len(), entries, "nothing stored");
    let done = browser.submit("/account", &action, &[("months", "1")]).await;
    assert_eq!(done.headers()["location"], "/account?changed=pause");
    let page = text_of(&browser.page("/account?changed=pause", 200).await);
    assert!(page.contains("Saved: your renewal is paused."), "{page}");
    let (status, refused) = pause(json!({"months": 2})).await;
    assert_eq!(
        (status, refused["detail"].as_str()),
        (409, Some("renewal is already paused: resume it first to choose another date"))
    );

    // Lifting it during the term: it renews at the term's end as before.
    let unpause = format!("/account/subscription/{id}/unpause");
    let lifted = browser.submit("/account", &unpause, &[]).await;
    assert_eq!(lifted.headers()["location"], "/account?changed=unpause");
    let state = app.store.subscription_state(id, clock.now()).await.unwrap().unwrap();
    assert_eq!((state.paused_until, state.renewal_at()), (None, Some(noon() + Months::new(3))));
    // Paused again, then resumed through the API after the term's end: due at once.
    let (status, _) = pause(json!({"months": 3})).await;
    assert_eq!(status, 200);
    clock.set(noon() + Months::new(4));
    let token = crate::billing::log_in_api(&app, "careful@example.com").await;
    let (status, resumed) = call(&app, Method::POST, "/api/v1/me/subscription/resume", &token, None).await;
    assert_eq!((status, resumed["status"].as_str()), (200, Some("renewal_due")), "{resumed}");
    assert_eq!(run_due(&app, &clock).await.renewed, 1);
    let state = app.store.subscription_state(id, clock.now()).await.unwrap().unwrap();
    assert_eq!(state.current_period_end, Some(noon() + Months::new(7)), "from the day it resumed");

    // A cancelled subscription does not pause.
    let (status, _) = call(&app, Method::POST, &format!("/api/v1/subscriptions/{id}/cancel"), &token, None).await;
    assert_eq!(status, 200);
    let (status, refused) =
        call(&app, Method::POST, "/api/v1/me/subscription/pause", &token, Some(json!({"months": 1}))).await;
    assert_eq!(
        (status, refused["detail"].as_str()),
        (409, Some("a cancelled subscription does not renew: resume it first"))
    );
}

async fn token_without_subscription(app: &TestApp) -> String {
    token(app, "nobody@example.com").await
}
