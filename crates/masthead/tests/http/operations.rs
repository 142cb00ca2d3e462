//! Running the site: JSON logs on request, `masthead check`, which says
//! what is wrong with a configuration before it is served, and `/metrics`
//! on a listener of its own; an instance on PostgreSQL riding out its
//! database's connections being cut.

use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::Value;
use sqlx::Connection;

use crate::meter::{is_withheld, premium_story_path};
use crate::support::{
    Backend, Browser, PASSWORD, TestDatabase, free_story_paths, log_in, masthead, on_every_backend, register,
    site_config, spawn_app, spawn_app_with, spawn_process_with, spawn_process_with_env,
};

on_every_backend!(
    json_logs_are_one_object_a_line,
    check_passes_a_good_configuration,
    check_names_what_is_wrong,
    metrics_are_served_apart_from_the_site,
);

async fn json_logs_are_one_object_a_line(backend: Backend) {
    let app = spawn_app(backend).await;
    let ((running, _outbox), address) =
        spawn_process_with_env(&app, &["--log-format", "json"], &[("MASTHEAD_LOG", "info,tower_http=debug")]);
    let response = app.client.get(format!("http://{address}/healthz")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let lines = running.lines_until("finished processing request");
    let events: Vec<Value> = lines
        .iter()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    for event in &events {
        assert!(event["timestamp"].is_string() && event["target"].is_string(), "{event}");
        assert!(["TRACE", "DEBUG", "INFO", "WARN", "ERROR"].contains(&event["level"].as_str().unwrap()), "{event}");
        assert!(event["fields"].is_object(), "{event}");
    }
    // What the server tells its operator is in the log too.
    for said in ["Masthead is serving on", "Account mail is"] {
        assert!(events.iter().any(|e| e["fields"]["message"].as_str().is_some_and(|m| m.contains(said))), "{said}");
    }
    // The request's line carries its method, path and status.
    let request = events.last().unwrap();
    assert_eq!(request["fields"]["message"], "finished processing request", "{request}");
    assert_eq!(request["fields"]["status"], 200, "{request}");
    assert_eq!(request["span"]["method"], "GET", "{request}");
    assert_eq!(request["span"]["uri"], "/healthz", "{request}");
}

/// A configuration `masthead check` must refuse: its arguments and
/// environment, the check that finds the problem and what its line says.
type BadCase<'a> = (Vec<String>, &'a [(&'a str, &'a str)], &'a str, &'a [&'a str]);

/// Runs `masthead check ARGS`; its stdout lines.
fn check(args: &[&str], env: &[(&str, &str)]) -> (Output, Vec<String>) {
    let output = masthead().arg("check").args(args).envs(env.iter().copied()).output().unwrap();
    let lines = String::from_utf8(output.stdout.clone()).unwrap().lines().map(str::to_owned).collect();
    (output, lines)
}

async fn check_passes_a_good_configuration(backend: Backend) {
    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let url = app.database_url();
    let (output, lines) = check(
        &["--database-url", &url, "--index-dir", index.to_str().unwrap(), "--public-url", "https://news.example"],
        &[("MASTHEAD_STRIPE_SECRET_KEY", "sk_live_x"), ("MASTHEAD_STRIPE_WEBHOOK_SECRET", "whsec_x")],
    );
    assert!(output.status.success(), "{lines:#?} {}", String::from_utf8_lossy(&output.stderr));
    for name in ["database", "search index", "public URL", "metrics", "payments", "webhooks", "mail", "DKIM"] {
        assert!(lines.iter().any(|l| l.starts_with(&format!("ok       {name}: "))), "{name}: {lines:#?}");
    }
    assert!(lines.iter().any(|l| l.contains("schema is current")), "{lines:#?}");
    assert!(lines.iter().any(|l| l.contains("paid through Stripe")), "{lines:#?}");
    assert!(!lines.iter().any(|l| l.contains("sk_live_x") || l.contains("whsec_x")), "secrets never print");
    assert!(!index.exists(), "check creates nothing");
}

async fn check_names_what_is_wrong(backend: Backend) {
    let app = spawn_app(backend).await;
    let url = app.database_url();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let missing_key = dir.path().join("dkim.pem");
    // A port some process listens on: this test's own listener.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = listener.local_addr().unwrap().to_string();
    let taken = taken.as_str();
    let in_use = ["is in use", taken];
    let good = |extra: &[&str]| {
        let mut args = vec!["--database-url", url.as_str()];
        if !extra.contains(&"--public-url") {
            args.extend(["--public-url", "https://news.example"]);
        }
        args.extend_from_slice(extra);
        args.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let live_stripe = [("MASTHEAD_STRIPE_SECRET_KEY", "sk_live_x"), ("MASTHEAD_STRIPE_WEBHOOK_SECRET", "whsec_x")];
    let cases: Vec<BadCase> = vec![
        (good(&["--public-url", "http://news.example"]), &[], "public URL", &["plain http", "https://news.example"]),
        (good(&["--public-url", "news.example"]), &[], "public URL", &["not a URL"]),
        (good(&["--public-url", "https://news.example/?a=1"]), &[], "public URL", &["carries a query"]),
        (
            good(&["--sandbox-payments"]),
            &live_stripe,
            "payments",
            &["MASTHEAD_STRIPE_SECRET_KEY", "Turn the sandbox off"],
        ),
        (
            good(&[]),
            &[("MASTHEAD_RAZORPAY_KEY_ID", "rzp_test_x"), ("MASTHEAD_RAZORPAY_KEY_SECRET", "s")],
            "webhooks",
            &["Razorpay is configured in part", "--razorpay-webhook-secret"],
        ),
        (good(&["--smtp-url", "smtp://"]), &[], "mail", &["--smtp-url"]),
        (
            good(&[
                "--dkim-key",
                missing_key.to_str().unwrap(),
                "--dkim-selector",
                "s1",
                "--dkim-domain",
                "news.example",
            ]),
            &[],
            "DKIM",
            &["cannot use --dkim-key", "dkim.pem"],
        ),
        (good(&["--index-dir", file.to_str().unwrap()]), &[], "search index", &["is not a folder", "--index-dir"]),
        (good(&["--metrics-listen", taken]), &[], "metrics", &in_use),
        (good(&["--metrics-listen", "192.0.2.1:9100"]), &[], "metrics", &["cannot listen on", "127.0.0.1:9100"]),
    ];
    for (args, env, name, says) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (output, lines) = check(&args, env);
        assert!(!output.status.success(), "{args:?} should fail: {lines:#?}");
        let problems: Vec<_> = lines.iter().filter(|l| l.starts_with("problem")).collect();
        assert_eq!(problems.len(), 1, "{args:?}: {lines:#?}");
        assert!(problems[0].starts_with(&format!("problem  {name}: ")), "{problems:?}");
        for said in says {
            assert!(problems[0].contains(said), "{said} in {problems:?}");
        }
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains("1 problem(s)"), "{stderr}");
    }
    // An address that is not one is refused before any check runs.
    let args = good(&["--metrics-listen", "metrics.example"]);
    let (output, _) = check(&args.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("--metrics-listen") && stderr.contains("metrics.example"), "{stderr}");
    // A database never migrated: every migration is named as pending, and
    // nothing is applied.
    let fresh = TestDatabase::create(backend).await;
    if let Backend::Sqlite = backend {
        let path = fresh.url.as_str().strip_prefix("sqlite://").unwrap();
        let (output, lines) = check(&["--database-url", fresh.url.as_str()], &[]);
        assert!(!output.status.success());
        assert!(lines.iter().any(|l| l.starts_with("problem  database: no database at")), "{lines:#?}");
        std::fs::write(path, b"").unwrap();
    }
    for _ in 0..2 {
        let (output, lines) = check(&["--database-url", fresh.url.as_str()], &[]);
        assert!(!output.status.success());
        let line = lines.iter().find(|l| l.starts_with("problem  database: ")).expect("a database problem");
        assert!(line.contains("migrations not applied") && line.contains("masthead migrate"), "{line}");
    }
    // An unreachable server.
    let (output, lines) = check(&["--database-url", "postgres://masthead@127.0.0.1:1/none"], &[]);
    assert!(!output.status.success());
    assert!(lines.iter().any(|l| l.starts_with("problem  database: ")), "{lines:#?}");
}

/// The value of the sample `series` (name and labels, as Prometheus prints
/// them) in a scrape, if it is there.
fn sample(scrape: &str, series: &str) -> Option<f64> {
    scrape.lines().find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

async fn metrics_are_served_apart_from_the_site(backend: Backend) {
    let app = spawn_app(backend).await;
    let story = free_story_paths(&app, 1).await.remove(0);
    let ((running, _outbox), address) =
        spawn_process_with(&app, &["--metrics-listen", "127.0.0.1:0", "--sandbox-payments"]);
    let line = running.lines_until("Metrics are served on").pop().unwrap();
    let metrics_url = line.split("served on ").nth(1).unwrap().trim().to_owned();
    assert!(metrics_url.starts_with("http://127.0.0.1:") && metrics_url.ends_with("/metrics"), "{line}");
    let site = |path: &str| app.client.get(format!("http://{address}{path}")).send();

    // Never on the site's own port.
    assert_eq!(site("/metrics").await.unwrap().status().as_u16(), 404);
    for _ in 0..2 {
        assert_eq!(site(&story).await.unwrap().status().as_u16(), 200);
    }
    assert_eq!(site("/no/such/page/here").await.unwrap().status().as_u16(), 404);
    let webhook = |provider: &str| app.client.post(format!("http://{address}/webhooks/{provider}")).body("{}").send();
    assert_eq!(webhook("sandbox").await.unwrap().status().as_u16(), 400, "unsigned");
    assert_eq!(webhook("forged-name").await.unwrap().status().as_u16(), 404);

    // The scheduler runs every second and the indexer reads the log every
    // 200 ms: wait until both have shown up.
    let mut scrape = String::new();
    for _ in 0..50 {
        let response = app.client.get(&metrics_url).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["content-type"], "text/plain; version=0.0.4; charset=utf-8");
        scrape = response.text().await.unwrap();
        if scrape.contains(r#"job="scheduler""#) && scrape.contains("masthead_search_log_lag_entries") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let requests = |route: &str, status: u16| {
        sample(&scrape, &format!(r#"masthead_http_requests_total{{route="{route}",status="{status}"}}"#))
    };
    // Requests by route template and status, never by the address asked for.
    assert_eq!(requests("/{section}/{story}", 200), Some(2.0), "{scrape}");
    // The site's own /metrics is a section that does not exist; a path no route takes is "unmatched".
    assert_eq!(requests("/{section}", 404), Some(1.0), "{scrape}");
    assert_eq!(requests("unmatched", 404), Some(1.0), "{scrape}");
    assert_eq!(requests("/webhooks/{provider}", 400), Some(1.0), "{scrape}");
    assert!(!scrape.contains(&story) && !scrape.contains("no/such") && !scrape.contains("forged"), "{scrape}");
    // Latency as a histogram, by route.
    let latency = r#"masthead_http_request_duration_seconds_count{route="/{section}/{story}"}"#;
    assert_eq!(sample(&scrape, latency), Some(2.0), "{scrape}");
    let bucket = r#"masthead_http_request_duration_seconds_bucket{route="/{section}/{story}",le="+Inf"}"#;
    assert_eq!(sample(&scrape, bucket), Some(2.0), "{scrape}");
    // Both drive-by reads were metered, in one batch or two.
    let batched = sample(&scrape, "masthead_meter_batch_reads_sum");
    assert_eq!(batched, Some(2.0), "{scrape}");
    // Webhooks by provider and outcome; a made-up provider adds no series of its own.
    let webhooks = |labels: &str| sample(&scrape, &format!("masthead_webhooks_total{{{labels}}}"));
    assert_eq!(webhooks(r#"provider="sandbox",outcome="refused""#), Some(1.0), "{scrape}");
    assert_eq!(webhooks(r#"provider="other",outcome="not listening""#), Some(1.0), "{scrape}");
    // Background jobs and the search index's lag behind the log.
    assert!(sample(&scrape, r#"masthead_job_runs_total{job="scheduler",outcome="ok"}"#) >= Some(1.0), "{scrape}");
    assert!(sample(&scrape, r#"masthead_job_runs_total{job="meter_trim",outcome="ok"}"#) >= Some(1.0), "{scrape}");
    assert!(sample(&scrape, "masthead_search_log_lag_entries").is_some(), "{scrape}");
    // Only /metrics is there.
    let elsewhere = metrics_url.replace("/metrics", "/healthz");
    assert_eq!(app.client.get(&elsewhere).send().await.unwrap().status().as_u16(), 404);
}

/// What one reader is owed on one story: the whole story, or the paywall.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Owed {
    Story,
    Paywall,
}

/// GETs `path` as `reader` (a new visitor each time when `forget`) until
/// `deadline`, checking every answer: the decision owed, or a 503 that says
/// when to try again — never a 500, never the other decision. Returns how
/// many of each it got.
async fn read_until(reader: &mut Browser<'_>, path: &str, owed: Owed, deadline: Instant, forget: bool) -> (u32, u32) {
    let (mut served, mut unavailable) = (0, 0);
    while Instant::now() < deadline {
        if forget {
            reader.cookies.clear();
        }
        let response = reader.get(path).await;
        match response.status().as_u16() {
            200 => {
                let html = response.text().await.unwrap();
                let got = if is_withheld(&html) { Owed::Paywall } else { Owed::Story };
                assert_eq!(got, owed, "GET {path}");
                served += 1;
            }
            503 => {
                assert_eq!(response.headers()["retry-after"], "5");
                assert!(response.text().await.unwrap().contains("try again in a few seconds"));
                unavailable += 1;
            }
            status => panic!("GET {path} answered {status} while the database's connections were cut"),
        }
    }
    (served, unavailable)
}

/// PostgreSQL restarting, as an instance sees it: every connection it holds
/// is cut, again and again for two seconds (ending the test database's
/// backends; the server itself stays up for everyone else). Readers meanwhile
/// get their decision or a 503, and afterwards every request is served —
/// by the same instance, with the same meter writer — without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs MASTHEAD_TEST_POSTGRES_URL (it cuts a PostgreSQL database's connections)"
)]
async fn an_instance_rides_out_its_database_connections_being_cut() {
    let app = spawn_app_with(Backend::Postgres, masthead_web::SiteConfig { meter_limit: 2, ..site_config() }).await;
    let free = free_story_paths(&app, 4).await;
    let premium = premium_story_path(&app, false).await;
    // A subscriber (benefits granted as billing would), a visitor whose
    // meter is full, and new visitors, who each have a free story to read.
    register(&app, "subscriber@example.com").await;
    let mut subscriber = Browser::new(&app);
    log_in(&mut subscriber, "subscriber@example.com", PASSWORD).await;
    let email = masthead_domain::email::Email::parse("subscriber@example.com").unwrap();
    let id = app.store.reader_by_email(&email).await.unwrap().unwrap().id;
    let now = chrono::Utc::now();
    for benefit in masthead_domain::access::Benefit::ALL {
        app.store.grant_benefit(id, benefit, now, Some(now + chrono::Duration::days(30)), "test").await.unwrap();
    }
    let mut full = Browser::new(&app);
    for path in &free[..2] {
        assert!(!is_withheld(&full.page(path, 200).await));
    }
    assert!(is_withheld(&full.page(&free[2], 200).await));
    assert!(!is_withheld(&subscriber.page(&premium, 200).await));

    let mut admin = sqlx::PgConnection::connect(&app.database_url()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(2);
    let cut = async {
        let mut cut = 0;
        while Instant::now() < deadline {
            let ended: Vec<bool> = sqlx::query_scalar(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
            )
            .fetch_all(&mut admin)
            .await
            .unwrap();
            cut += ended.iter().filter(|&&ended| ended).count();
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        cut
    };
    // A new visitor each time (no cookie kept): each read is metered.
    let mut drive_by = Browser::new(&app);
    let (cut, subscribed, paywalled, driven_by) = tokio::join!(
        cut,
        read_until(&mut subscriber, &premium, Owed::Story, deadline, false),
        read_until(&mut full, &free[3], Owed::Paywall, deadline, false),
        read_until(&mut drive_by, &free[0], Owed::Story, deadline, true),
    );
    assert!(cut > 0, "the instance's connections were cut");
    eprintln!(
        "cut {cut} connections; (served, 503): subscriber {subscribed:?}, full meter {paywalled:?}, drive-by {driven_by:?}"
    );

    // Afterwards: served at once, by the same instance, the meter still exact.
    for _ in 0..5 {
        assert!(!is_withheld(&subscriber.page(&premium, 200).await));
        assert!(is_withheld(&full.page(&free[3], 200).await));
        drive_by.cookies.clear();
        assert!(!is_withheld(&drive_by.page(&free[1], 200).await), "a new visitor's read is metered and served");
        assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
    }
}
