//! The `masthead` binary as a user runs it: help, the demo command (with
//! its sandbox payments), and the one-line errors for common mistakes — the
//! sandbox beside live payment keys among them; backups taken while the
//! site serves, and restored.

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
        vec!["backup", "--help"],
        vec!["trim-meters", "--help"],
        vec!["check", "--help"],
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

/// Serves an SQLite file in `dir` (its outbox and index there too).
fn serve_sqlite(dir: &std::path::Path, database: &std::path::Path) -> Running {
    let url = format!("sqlite://{}", database.display());
    let index = dir.join(format!("index-{}", database.file_name().unwrap().to_str().unwrap()));
    Running::start(&[
        "serve",
        "--database-url",
        &url,
        "--listen",
        "127.0.0.1:0",
        "--outbox",
        dir.join("outbox").to_str().unwrap(),
        "--index-dir",
        index.to_str().unwrap(),
        "--sandbox-payments",
    ])
}

/// The ids of the stories the server at `base` lists (up to 100).
async fn story_ids(base: &str) -> Vec<i64> {
    let client = masthead_billing::outbound::client_builder("tests").build().unwrap();
    let list: Value =
        client.get(format!("{base}/api/v1/articles?limit=100")).send().await.unwrap().json().await.unwrap();
    list["articles"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect()
}

/// The subscription `/api/v1/me` shows `email`, logged in with the test password.
async fn subscription_of(base: &str, email: &str) -> Value {
    let client = masthead_billing::outbound::client_builder("tests").build().unwrap();
    let account = json!({"email": email, "password": PASSWORD});
    let session: Value =
        client.post(format!("{base}/api/v1/session")).json(&account).send().await.unwrap().json().await.unwrap();
    let me = client.get(format!("{base}/api/v1/me")).bearer_auth(session["token"].as_str().unwrap()).send().await;
    me.unwrap().json::<Value>().await.unwrap()["subscription"].clone()
}

/// The status of signing up as `email`: 201, or 429 past the limit.
async fn sign_up(base: &str, email: &str) -> u16 {
    let account = json!({"email": email, "password": PASSWORD});
    let client = masthead_billing::outbound::client_builder("tests").build().unwrap();
    client.post(format!("{base}/api/v1/readers")).json(&account).send().await.unwrap().status().as_u16()
}

/// The status of logging in as `email`: 403 for an account not yet
/// confirmed, 401 for an address with no account.
async fn log_in_status(base: &str, email: &str) -> u16 {
    let client = masthead_billing::outbound::client_builder("tests").build().unwrap();
    let account = json!({"email": email, "password": PASSWORD});
    client.post(format!("{base}/api/v1/session")).json(&account).send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn a_backup_taken_while_the_site_writes_restores() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("live.db");
    let url = format!("sqlite://{}", database.display());
    let seeded = masthead().args(["seed", "--database-url", &url, "--articles", "40"]).output().unwrap();
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    let server = serve_sqlite(dir.path(), &database);
    let (base, _) = server.address();
    let stories = story_ids(&base).await;
    assert_eq!(stories.len(), 40);
    let (status, _) = subscribe_in_the_sandbox(&base, &dir.path().join("outbox"), "subscriber@example.com").await;
    assert_eq!(status, 200);
    let subscription = subscription_of(&base, "subscriber@example.com").await;
    assert_eq!(subscription["status"], "active", "{subscription}");
    assert_eq!(sign_up(&base, "before@example.com").await, 201);

    // Sign-ups go on (each writes its account or its rate-limit count) while the backup runs.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = tokio::spawn({
        let (stop, base) = (stop.clone(), base.clone());
        async move {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let status = sign_up(&base, &format!("during-{n}@example.com")).await;
                assert!(status == 201 || status == 429, "{status}");
                n += 1;
            }
            n
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let backup = dir.path().join("backup.db");
    let output = tokio::task::spawn_blocking({
        let (url, backup) = (url.clone(), backup.clone());
        move || masthead().args(["backup", "--database-url", &url, "--to"]).arg(&backup).output().unwrap()
    })
    .await
    .unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.await.unwrap();
    assert!(written > 0);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let printed = String::from_utf8(output.stdout).unwrap();
    let bytes = std::fs::metadata(&backup).unwrap().len();
    assert!(printed.starts_with(&format!("Backed up {url} to {}: {bytes} bytes in ", backup.display())), "{printed}");
    assert!(printed.trim_end().ends_with(" seconds"), "{printed}");
    // The live site still answers after the copy.
    assert_eq!(log_in_status(&base, "before@example.com").await, 403);

    // An existing file is never overwritten.
    let line = fails_with_one_line(masthead().args(["backup", "--database-url", &url, "--to"]).arg(&backup));
    assert!(line.contains("already exists") && line.contains("--to"), "{line}");
    assert_eq!(std::fs::metadata(&backup).unwrap().len(), bytes, "left as it was");
    drop(server);

    // Restored: a server on the copy has the same stories, the subscription
    // and the account made before the backup.
    let restored = serve_sqlite(dir.path(), &backup);
    let (base, _) = restored.address();
    assert_eq!(story_ids(&base).await, stories);
    assert_eq!(subscription_of(&base, "subscriber@example.com").await, subscription);
    assert_eq!(log_in_status(&base, "before@example.com").await, 403, "the account is in the copy");
    assert_eq!(log_in_status(&base, "never@example.com").await, 401);
}

#[tokio::test]
async fn postgresql_is_backed_up_with_its_own_tools() {
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("pg.db");
    let line = fails_with_one_line(
        masthead().args(["backup", "--database-url", "postgres://masthead@127.0.0.1:1/news", "--to"]).arg(&to),
    );
    assert!(line.contains("pg_dump") && line.contains("README"), "{line}");
    // A data directory without a database is not made into one.
    let empty = dir.path().join("empty");
    let line = fails_with_one_line(masthead().args(["backup", "--data-dir"]).arg(&empty).arg("--to").arg(&to));
    assert!(line.contains("no database to back up"), "{line}");
    assert!(!empty.exists() && !to.exists());
    // The store says the same to any other caller.
    if let Some(url) = postgres_url() {
        let store = masthead_store::Store::connect(&masthead_store::DatabaseUrl::parse(&url).unwrap()).await.unwrap();
        let error = store.backup_to(&to).await.unwrap_err().to_string();
        assert!(error.contains("pg_dump"), "{error}");
        assert!(!to.exists());
    }
}
