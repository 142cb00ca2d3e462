//! What a page view costs the database: the statements a `masthead serve`
//! process makes for a run of page views, counted from its own log (sqlx
//! logs each statement; those made for a request carry its span, or the
//! span of the shared task that works for it: `change_counters`,
//! `meter_batch`; the funnel's event writer, `funnel_events`, writes every
//! 100 ms whatever the traffic and is not counted). `bench/round-trips` measures every `bench/pages`
//! scenario this way; this keeps the home page and a drive-by story page at
//! their bounds, so they cannot slip back.

use serde_json::Value;

use crate::support::{Backend, Running, free_story_paths, on_every_backend, spawn_app, spawn_process_with_env};

on_every_backend!(page_views_cost_no_statement_while_nothing_changes);

/// Page views counted after the warm-up.
const VIEWS: usize = 10;
/// The spans whose statements a page view costs.
const SERVING: [&str; 3] = ["request", "change_counters", "meter_batch"];

/// The home page, a section page and a story page for a new visitor (on the
/// meter), each read after one warm-up view, so what is kept in memory is
/// there: the home and section pages cost no statement at all, on SQLite
/// and on PostgreSQL (the content counter is kept until a change is
/// notified); the drive-by story page costs its meter write alone, one
/// statement on PostgreSQL (which checks that the access counter, and so the
/// meter limit, has not moved since this process last read it) and none
/// through SQLite's pool (SQLite reads its counters and writes its meter
/// through connections of its own).
async fn page_views_cost_no_statement_while_nothing_changes(backend: Backend) {
    let app = spawn_app(backend).await;
    let story = free_story_paths(&app, 1).await.remove(0);
    let ((running, _outbox), address) = spawn_process_with_env(
        &app,
        &["--log-format", "json"],
        &[("MASTHEAD_LOG", "info,sqlx::query=debug,tower_http=debug")],
    );
    let base = format!("http://{address}");
    let client = reqwest::Client::new();
    let story_bound = match backend {
        Backend::Sqlite => 0,
        Backend::Postgres => VIEWS,
    };
    for (page, path, bound) in [("home", "/", 0), ("section", "/markets", 0), ("story", story.as_str(), story_bound)] {
        let statements = statements_for_views(&client, &base, &running, page, path).await;
        assert!(
            statements.len() <= bound,
            "{VIEWS} views of the {page} page on {backend:?}: {} statements, at most {bound} expected: {statements:#?}",
            statements.len()
        );
    }
}

/// The statements [`VIEWS`] views of `path` cost (each a new visitor),
/// after one view to warm up, as the process logged them.
async fn statements_for_views(
    client: &reqwest::Client,
    base: &str,
    running: &Running,
    page: &str,
    path: &str,
) -> Vec<String> {
    let get = |path: String| async move {
        let response = client.get(format!("{base}{path}")).send().await.unwrap();
        response.status().as_u16()
    };
    assert_eq!(get(path.to_owned()).await, 200, "{path}");
    let (start, end) = (format!("/round-trips-{page}-start"), format!("/round-trips-{page}-end"));
    assert_eq!(get(start.clone()).await, 404);
    for _ in 0..VIEWS {
        assert_eq!(get(path.to_owned()).await, 200, "{path}");
    }
    assert_eq!(get(end.clone()).await, 404);
    let lines = running.lines_until(&end);
    let events: Vec<Value> = lines.iter().filter_map(|line| serde_json::from_str(line).ok()).collect();
    let started = events
        .iter()
        .rposition(|e| e["span"]["uri"] == start.as_str() && e["fields"]["message"] == "finished processing request")
        .expect("the start mark's request is logged");
    events[started..]
        .iter()
        .filter(|e| e["target"] == "sqlx::query")
        .filter(|e| {
            let names: Vec<&str> =
                e["spans"].as_array().into_iter().flatten().filter_map(|span| span["name"].as_str()).collect();
            names.iter().any(|name| SERVING.contains(name)) && !names.contains(&"funnel_events")
        })
        .filter(|e| e["span"]["uri"] != end.as_str())
        .map(|e| e["fields"]["summary"].as_str().unwrap_or("?").to_owned())
        .collect()
}
