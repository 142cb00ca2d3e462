//! Renewals over time: the job charges the saved card at term end through
//! the sandbox provider's signed webhooks; a declined renewal gives grace with
//! reminder mails, then ends; a plan switch takes effect at the renewal;
//! `masthead billing run-due` runs the same job from the command line.

use std::sync::Arc;

use chrono::{DateTime, Duration, Months, Utc};
use masthead_domain::{Clock, ManualClock};
use reqwest::Method;
use serde_json::{Value, json};

use crate::billing::{app_at, call, config_at, log_in_api, noon, premium_id, run_due, token};
use crate::support::{Backend, Outbox, TestApp, TestDatabase, masthead, on_every_backend, spawn_on};

on_every_backend!(
    a_renewal_charges_the_saved_card_and_a_switch_takes_effect_then,
    a_declined_renewal_gives_grace_with_reminders_then_ends,
    a_cancelled_subscription_ends_at_its_term_without_a_charge,
    the_command_line_job_renews_what_is_due,
);

/// Subscribes `email` to `plan` with the sandbox and `card`; the id and token.
async fn subscribe(app: &TestApp, email: &str, plan: i64, card: &str) -> (i64, String) {
    let token = token(app, email).await;
    let (status, created) =
        call(app, Method::POST, "/api/v1/subscriptions", &token, Some(json!({"plan_id": plan, "provider": "sandbox"})))
            .await;
    assert_eq!(status, 201, "{created}");
    let id = created["subscription_id"].as_i64().unwrap();
    let pay = created["sandbox_pay_url"].as_str().unwrap();
    let (status, paid) = call(app, Method::POST, pay, &token, Some(json!({"card": card}))).await;
    assert_eq!((status, paid["status"].as_str()), (200, Some("active")), "{paid}");
    (id, token)
}

async fn me(app: &TestApp, token: &str) -> Value {
    call(app, Method::GET, "/api/v1/me", token, None).await.1["subscription"].clone()
}

/// The billing mail `to` has had (the sign-up confirmation left out).
fn subjects(app: &TestApp, to: &str) -> Vec<String> {
    app.mails().into_iter().filter(|m| m.to == to && !m.subject.starts_with("Confirm")).map(|m| m.subject).collect()
}

async fn a_renewal_charges_the_saved_card_and_a_switch_takes_effect_then(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    let (id, token) = subscribe(&app, "renews@example.com", 2, "4242 4242 4242 4242").await;
    let term_end = noon() + Months::new(12);

    // Switching is for the next renewal: nothing changes now.
    let (status, switched) =
        call(&app, Method::POST, &format!("/api/v1/subscriptions/{id}/switch"), &token, Some(json!({"plan_id": 3})))
            .await;
    assert_eq!(status, 200, "{switched}");
    assert_eq!((switched["plan_id"].as_i64(), switched["next_plan_id"].as_i64()), (Some(2), Some(3)));
    let (status, _) =
        call(&app, Method::POST, &format!("/api/v1/subscriptions/{id}/switch"), &token, Some(json!({"plan_id": 99})))
            .await;
    assert_eq!(status, 400, "no such plan");

    // Nothing is due before the term ends.
    clock.set(term_end - Duration::minutes(1));
    assert_eq!(run_due(&app, &clock).await.charged, 0);

    clock.set(term_end + Duration::minutes(1));
    let report = run_due(&app, &clock).await;
    assert_eq!((report.charged, report.renewed), (1, 1), "{report:?}");
    let token = log_in_api(&app, "renews@example.com").await;
    let now = me(&app, &token).await;
    assert_eq!(now["status"], "active");
    assert_eq!(now["plan_id"], 3, "renewed onto the switched-to plan");
    let renewed_until: DateTime<Utc> = now["current_period_end"].as_str().unwrap().parse().unwrap();
    assert_eq!(renewed_until, term_end + Months::new(24), "the new term follows the old one without a gap");
    // Paid for by a second payment, at the Super Saver's price, with its invoice.
    assert_eq!(app.store.payment_count(id).await.unwrap(), 2);
    let reader = app.store.subscription(id).await.unwrap().unwrap().reader_id;
    let invoices = app.store.reader_invoices(reader).await.unwrap();
    let amounts: Vec<i64> = invoices.iter().map(|i| i.amount.0).collect();
    assert_eq!(amounts, [390_000, 270_000], "newest first");

    // Running the job again charges nothing twice.
    let again = run_due(&app, &clock).await;
    assert_eq!((again.charged, again.renewed), (0, 0));
    assert_eq!(app.store.payment_count(id).await.unwrap(), 2);
    let premium = premium_id(&app).await;
    let read = call(&app, Method::GET, &format!("/api/v1/articles/{premium}"), &token, None).await.1;
    assert_eq!(read["access"]["decision"], "allowed");
}

async fn a_declined_renewal_gives_grace_with_reminders_then_ends(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    let email = "declined@example.com";
    let (id, _) = subscribe(&app, email, 1, "4000 0000 0000 0341").await;
    let term_end = noon() + Months::new(3);
    let premium = premium_id(&app).await;
    let story = format!("/api/v1/articles/{premium}");

    clock.set(term_end + Duration::minutes(1));
    let report = run_due(&app, &clock).await;
    assert_eq!((report.charged, report.renewed, report.reminders), (1, 0, 1), "{report:?}");
    let token = log_in_api(&app, email).await;
    assert_eq!(me(&app, &token).await["status"], "past_due");
    assert_eq!(call(&app, Method::GET, &story, &token, None).await.1["access"]["decision"], "allowed", "grace");
    assert_eq!(subjects(&app, email), ["Your Business Standard payment did not go through"]);
    // The declined charge went through the sandbox's signed webhook: stored, no payment.
    assert_eq!(app.store.payment_count(id).await.unwrap(), 1);

    // No second mail the same day; a reminder two days before access ends.
    assert_eq!(run_due(&app, &clock).await.reminders, 0);
    clock.set(term_end + Duration::days(5) + Duration::minutes(1));
    assert_eq!(run_due(&app, &clock).await.reminders, 1);
    let reminder = subjects(&app, email).pop().unwrap();
    let grace_end = "Reminder: your Business Standard subscription ends on Mar 06 2027";
    assert_eq!(reminder, grace_end, "the last day of grace, in IST");
    assert_eq!(run_due(&app, &clock).await.reminders, 0, "one reminder");

    // Grace over: ended, blocked, told once.
    clock.set(term_end + Duration::days(7) + Duration::minutes(1));
    let token = log_in_api(&app, email).await;
    assert_eq!(me(&app, &token).await["status"], "expired");
    assert_eq!(call(&app, Method::GET, &story, &token, None).await.1["access"]["decision"], "blocked");
    assert_eq!(run_due(&app, &clock).await.ended, 1);
    assert_eq!(run_due(&app, &clock).await.ended, 0);
    assert_eq!(
        subjects(&app, email),
        [
            "Your Business Standard payment did not go through".to_owned(),
            reminder,
            "Your Business Standard subscription has ended".to_owned(),
        ]
    );
}

async fn a_cancelled_subscription_ends_at_its_term_without_a_charge(backend: Backend) {
    let (app, clock) = app_at(backend).await;
    let email = "leaves@example.com";
    let (id, token) = subscribe(&app, email, 1, "4242424242424242").await;
    let (status, _) = call(&app, Method::POST, &format!("/api/v1/subscriptions/{id}/cancel"), &token, None).await;
    assert_eq!(status, 200);
    // A cancelled subscription takes no switch until it is resumed.
    let (status, _) =
        call(&app, Method::POST, &format!("/api/v1/subscriptions/{id}/switch"), &token, Some(json!({"plan_id": 2})))
            .await;
    assert_eq!(status, 409);
    clock.set(noon() + Months::new(3) + Duration::minutes(1));
    let report = run_due(&app, &clock).await;
    assert_eq!((report.charged, report.ended), (0, 1), "{report:?}");
    assert_eq!(app.store.payment_count(id).await.unwrap(), 1, "no renewal charge");
    assert_eq!(subjects(&app, email), ["Your Business Standard subscription has ended"]);
}

async fn the_command_line_job_renews_what_is_due(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let url = database.url.to_string();
    let store = masthead_store::Store::connect(&database.url).await.unwrap();
    store.migrate().await.unwrap();
    let (config, clock): (_, Arc<ManualClock>) = config_at();
    let app = spawn_on(store, database, config).await;
    let (id, _) = subscribe(&app, "cron@example.com", 1, "4000000000000341").await;

    let help = masthead().args(["billing", "run-due", "--help"]).output().unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("renewal job"));

    let outbox = Outbox(Outbox::fresh_path());
    let at = (noon() + Months::new(3) + Duration::minutes(1)).to_rfc3339();
    let run = |at: &str| {
        masthead()
            .args(["billing", "run-due", "--database-url", &url, "--now", at, "--outbox", outbox.0.to_str().unwrap()])
            .output()
            .unwrap()
    };
    let output = run(&at);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout} {}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("charged 1, renewed 0, reminders 1"), "{stdout}");
    clock.set(noon() + Months::new(3) + Duration::minutes(2));
    let state = app.store.subscription_state(id, clock.now()).await.unwrap().unwrap();
    assert_eq!(state.status, masthead_domain::subscription::Status::PastDue);
    let mails: Vec<_> = std::fs::read_dir(&outbox.0).unwrap().collect();
    assert_eq!(mails.len(), 1, "the payment-failed mail, from the command's own outbox");
    // The same run again does nothing more.
    let again = run(&at);
    assert!(String::from_utf8_lossy(&again.stdout).contains("charged 0, renewed 0, reminders 0"));
    // A bad instant is refused with a clear message.
    let bad = run("yesterday");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--now \"yesterday\" is not an RFC 3339 instant"));
}
