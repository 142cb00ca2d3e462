//! The `masthead` binary as a user runs it: help, the demo command (with
//! its sandbox payments), and the one-line errors for common mistakes — the
//! sandbox beside live payment keys among them.

use std::process::Command;

use serde_json::{Value, json};

use crate::support::{PASSWORD, Running, masthead, outbox_mails, postgres_url};

/// Runs a command that must fail; returns its stderr, asserting it is one line.
fn fails_with_one_line(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert!(!output.status.success(), "should fail: {command:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<_> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line, got: {stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    lines[0].to_owned()
}

#[test]
fn every_command_explains_itself() {
    for args in [
        vec!["--help"],
        vec!["demo", "--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["seed", "--help"],
    ] {
        let output = masthead().args(&args).output().unwrap();
        assert!(output.status.success(), "{args:?}");
        let help = String::from_utf8(output.stdout).unwrap();
        assert!(help.contains("Usage: masthead"), "{args:?}: {help}");
    }
    let help = String::from_utf8(masthead().args(["serve", "--help"]).output().unwrap().stdout).unwrap();
    assert!(help.contains("--database-url") && help.contains("MASTHEAD_DATABASE_URL"));
    assert!(help.contains("--listen") && help.contains("MASTHEAD_LISTEN"));
}

#[test]
fn unknown_database_schemes_are_refused_with_the_fix() {
    for url in ["mysql://root@localhost/news", "news.db", "sqlite:"] {
        let line = fails_with_one_line(masthead().args(["serve", "--database-url", url]));
        assert!(line.contains("sqlite://PATH") && line.contains("postgres://"), "{line}");
    }
    // The environment variable works the same way.
    let line = fails_with_one_line(masthead().arg("migrate").env("MASTHEAD_DATABASE_URL", "redis://x"));
    assert!(line.contains("unsupported database URL"), "{line}");
}

#[test]
fn an_unwritable_data_directory_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-directory");
    std::fs::write(&file, "x").unwrap();
    let line = fails_with_one_line(masthead().args(["demo", "--data-dir"]).arg(file.join("data")));
    assert!(line.contains("cannot create data directory") && line.contains("--data-dir"), "{line}");
}

#[test]
fn a_port_in_use_says_how_to_pick_another() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let url = format!("sqlite://{}", dir.path().join("m.db").display());
    let line = fails_with_one_line(masthead().args(["serve", "--database-url", &url, "--listen", &address]));
    assert!(line.contains(&format!("cannot listen on {address}")) && line.contains("--listen"), "{line}");
}

#[test]
fn the_sandbox_is_refused_beside_live_payment_keys() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("m.db");
    let sqlite = format!("sqlite://{}", database.display());
    let urls: Vec<String> = std::iter::once(sqlite).chain(postgres_url()).collect();
    for url in &urls {
        let serve = || {
            let mut command = masthead();
            command.args(["serve", "--database-url", url, "--listen", "127.0.0.1:0"]);
            command
        };
        // The flag, beside a live Stripe key.
        let line = fails_with_one_line(
            serve().arg("--sandbox-payments").env("MASTHEAD_STRIPE_SECRET_KEY", "sk_live_do_not_print"),
        );
        for says in ["refusing to start", "--sandbox-payments", "MASTHEAD_STRIPE_SECRET_KEY", "Turn the sandbox off"] {
            assert!(line.contains(says), "{says} in {line}");
        }
        assert!(!line.contains("sk_live_do_not_print"), "{line}");
        // The environment variable, beside live Razorpay keys.
        let line = fails_with_one_line(
            serve()
                .env("MASTHEAD_SANDBOX_PAYMENTS", "true")
                .env("MASTHEAD_RAZORPAY_KEY_ID", "rzp_live_masthead")
                .env("MASTHEAD_RAZORPAY_KEY_SECRET", "secret"),
        );
        assert!(line.contains("refusing to start") && line.contains("MASTHEAD_RAZORPAY_KEY_ID"), "{line}");
    }
    assert!(!database.exists(), "refused before the database was touched");
    // The demo always has the sandbox: the same rule holds.
    let demo_dir = dir.path().join("demo");
    let line = fails_with_one_line(
        masthead().args(["demo", "--data-dir"]).arg(&demo_dir).env("MASTHEAD_STRIPE_SECRET_KEY", "sk_live_x"),
    );
    assert!(line.contains("refusing to start"), "{line}");
    assert!(!demo_dir.exists(), "nothing made");
}

/// Signs up on the server at `base`, confirms the address from the mail in
/// `outbox`, subscribes through the sandbox and pays: the reply to paying.
async fn subscribe_in_the_sandbox(base: &str, outbox: &std::path::Path, email: &str) -> (u16, Value) {
    let client = masthead_billing::outbound::client_builder("tests").build().unwrap();
    let account = json!({"email": email, "password": PASSWORD});
    let signed_up = client.post(format!("{base}/api/v1/readers")).json(&account).send().await.unwrap();
    assert_eq!(signed_up.status().as_u16(), 201);
    let mut mail = None;
    for _ in 0..100 {
        mail = outbox_mails(outbox).into_iter().find(|m| m.to == email);
        if mail.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let link = mail.expect("the confirmation mail").link("/account/verify?token=");
    assert_eq!(client.get(format!("{base}{link}")).send().await.unwrap().status().as_u16(), 200);
    let session: Value =
        client.post(format!("{base}/api/v1/session")).json(&account).send().await.unwrap().json().await.unwrap();
    let token = session["token"].as_str().unwrap();
    let body = json!({"plan_id": 1, "provider": "sandbox"});
    let created = client.post(format!("{base}/api/v1/subscriptions")).bearer_auth(token).json(&body).send().await;
    let created = created.unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let created: Value = created.json().await.unwrap();
    let pay_url = created["sandbox_pay_url"].as_str().unwrap();
    let paid = client.post(pay_url).bearer_auth(token).send().await.unwrap();
    (paid.status().as_u16(), paid.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn demo_seeds_once_serves_and_reuses_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("masthead-data");

    let demo = |dir: &std::path::Path| {
        Running::start(&["demo", "--listen", "127.0.0.1:0", "--articles", "120", "--data-dir", dir.to_str().unwrap()])
    };
    let first = demo(&data_dir);
    let (address, printed) = first.address();
    assert!(printed.iter().any(|l| l.starts_with("Seeding the demo archive: 120 stories")), "{printed:?}");
    assert!(printed.iter().any(|l| l.starts_with("The sandbox payment provider is on")), "{printed:?}");
    assert!(printed.iter().any(|l| l.starts_with("Seeded 120 stories")), "{printed:?}");
    assert!(data_dir.join("masthead.db").exists());
    let health = crate::support::fetch(format!("{address}/healthz")).await;
    assert_eq!(health.status().as_u16(), 200);
    let day = crate::support::fetch(format!("{address}/archive/2017/04/13")).await.text().await.unwrap();
    assert!(day.contains("Kremlin: No positive shift yet on Russia-US ties"));
    drop(first);

    let second = demo(&data_dir);
    let (address, printed) = second.address();
    assert!(printed.iter().any(|l| l.starts_with("Using the existing demo archive")), "{printed:?}");
    assert!(!printed.iter().any(|l| l.starts_with("Seeding")), "{printed:?}");
    let api: serde_json::Value =
        crate::support::fetch(format!("{address}/api/v1/articles?limit=100")).await.json().await.unwrap();
    assert_eq!(api["articles"].as_array().unwrap().len(), 100, "the data survived the restart");
    // The demo pays through the sandbox, without being asked to.
    let (status, paid) = subscribe_in_the_sandbox(&address, &data_dir.join("outbox"), "demo-reader@example.com").await;
    assert_eq!((status, paid["status"].as_str()), (200, Some("active")), "{paid}");
}
