//! `GET /api/v1/articles`: shape, order, filters and bad parameters.

use reqwest::Method;
use serde_json::Value;

use crate::support::{Backend, on_every_backend, spawn_app};

on_every_backend!(
    articles_list_newest_first_with_absolute_urls,
    articles_filter_by_section_and_page,
    bad_parameters_are_clear_4xx_errors,
    failures_on_every_route_are_problems_of_one_shape,
    the_document_lists_exactly_the_routes_served,
    the_reference_lists_every_operation_without_scripts,
);

async fn articles_list_newest_first_with_absolute_urls(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = app.json("/api/v1/articles", 200).await;
    let articles = body["articles"].as_array().unwrap();
    assert_eq!(articles.len(), 20, "default page size");
    let first = &articles[0];
    for field in ["id", "url", "headline", "section", "premium", "first_published_at", "updated_at"] {
        assert!(first.get(field).is_some(), "missing {field}");
    }
    let url = first["url"].as_str().unwrap();
    assert!(url.starts_with(&app.url("/")), "absolute: {url}");
    // The URL is the story's canonical page.
    let path = url.strip_prefix(&format!("http://{}", app.address)).unwrap();
    assert_eq!(app.get(path).await.status().as_u16(), 200);
    let times: Vec<_> = articles
        .iter()
        .map(|a| chrono::DateTime::parse_from_rfc3339(a["first_published_at"].as_str().unwrap()).unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
}

async fn articles_filter_by_section_and_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let page1 = app.json("/api/v1/articles?section=smart-investor&limit=5", 200).await;
    let page2 = app.json("/api/v1/articles?section=smart-investor&limit=5&page=2", 200).await;
    let items = |v: &serde_json::Value| v["articles"].as_array().unwrap().clone();
    assert_eq!(items(&page1).len(), 5);
    for item in items(&page1).iter().chain(items(&page2).iter()) {
        assert_eq!(item["section"], "smart-investor");
        assert_eq!(item["premium"], true, "the premium vertical is all premium");
    }
    let ids = |v: &serde_json::Value| items(v).iter().map(|a| a["id"].as_i64().unwrap()).collect::<Vec<_>>();
    assert!(ids(&page2).iter().all(|id| !ids(&page1).contains(id)));
    let beyond = app.json("/api/v1/articles?section=world&page=10000", 200).await;
    assert_eq!(items(&beyond).len(), 0);
}

async fn bad_parameters_are_clear_4xx_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    for (query, status, needle) in [
        ("limit=abc", 400, "limit"),
        ("limit=0", 400, "limit"),
        ("limit=101", 400, "at most 100"),
        ("page=-1", 400, "page"),
        ("section=sport", 404, "sport"),
    ] {
        let body = app.json(&format!("/api/v1/articles?{query}"), status).await;
        assert!(body["detail"].as_str().unwrap().contains(needle), "{query}: {body}");
        if status == 400 {
            let field = query.split('=').next().unwrap();
            assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
        }
    }
}

/// A request (method, path, optional content type and body) and the status
/// and problem kind it must answer with.
type Case<'a> = (Method, &'a str, Option<(&'a str, &'a str)>, u16, &'a str);

/// Failures of every kind — from handlers, from the JSON extractor, from
/// axum's own path parsing and routing — answer the one RFC 9457 shape.
async fn failures_on_every_route_are_problems_of_one_shape(backend: Backend) {
    let app = spawn_app(backend).await;
    let json = "application/json";
    let cases: [Case; 13] = [
        (Method::GET, "/api/v1/articles?limit=abc", None, 400, "bad-request"),
        (Method::GET, "/api/v1/search?q=%22unclosed", None, 400, "bad-request"),
        (Method::GET, "/api/v1/epaper/editions?from=yesterday", None, 400, "bad-request"),
        (Method::GET, "/api/v1/me", None, 401, "unauthorized"),
        (Method::DELETE, "/api/v1/session", None, 401, "unauthorized"),
        (Method::GET, "/api/v1/articles/999999", None, 404, "not-found"),
        (Method::GET, "/api/v1/no-such-route", None, 404, "not-found"),
        (Method::DELETE, "/api/v1/articles", None, 405, "method-not-allowed"),
        (Method::POST, "/api/v1/readers", Some(("text/plain", "{}")), 415, "unsupported-media-type"),
        (Method::POST, "/api/v1/readers", Some((json, "{not json")), 400, "bad-request"),
        (Method::POST, "/api/v1/session", Some((json, r#"{"email": "a@example.com"}"#)), 422, "unprocessable"),
        (
            Method::POST,
            "/api/v1/newsletters/none/subscribe",
            Some((json, r#"{"email": "a@example.com"}"#)),
            404,
            "not-found",
        ),
        (Method::POST, "/api/v1/subscriptions/abc/cancel", None, 400, "bad-request"),
    ];
    for (method, path, body, status, kind) in cases {
        let mut request = app.client.request(method.clone(), app.url(path));
        if let Some((content_type, body)) = body {
            request = request.header("content-type", content_type).body(body);
        }
        let response = request.send().await.unwrap();
        let what = format!("{method} {path}");
        assert_eq!(response.status().as_u16(), status, "{what}");
        assert_eq!(response.headers()["content-type"], "application/problem+json", "{what}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["type"], format!("/api/docs#problem-{kind}"), "{what}: {problem}");
        assert_eq!(problem["status"], status, "{what}");
        assert!(!problem["title"].as_str().unwrap().is_empty(), "{what}");
        assert!(!problem["detail"].as_str().unwrap().is_empty(), "{what}");
        let keys: Vec<&String> = problem.as_object().unwrap().keys().collect();
        let known = ["type", "title", "status", "detail", "errors", "subscribe_url"];
        assert!(keys.iter().all(|k| known.contains(&k.as_str())), "{what}: {problem}");
    }
    let missing: Value = app
        .client
        .post(app.url("/api/v1/session"))
        .header("content-type", json)
        .body(r#"{"email": "a@example.com"}"#)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(missing["errors"][0]["field"], "password", "{missing}");
}

/// Every operation the document names is served by a handler (never the
/// router's "no such route" 404 or its 405), and every route a room mounts
/// under `/api/v1` is in the document: the rooms mount API routes only
/// through their `api()` tables, which give the route and its entry at once
/// (`masthead-web`'s `api_routes_are_documented` test keeps it so).
async fn the_document_lists_exactly_the_routes_served(backend: Backend) {
    let app = spawn_app(backend).await;
    let spec = app.json("/api/v1/openapi.json", 200).await;
    assert_eq!(spec["openapi"], "3.1.0");
    assert_eq!(spec["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    let mut served = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let concrete = path.replace("{id}", "1").replace("{day}", "2017-04-13").replace("{slug}", "none");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let request = app.client.request(method.clone(), app.url(&concrete));
            let request = if method == Method::POST { request.json(&serde_json::json!({})) } else { request };
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            let routed = status != 405 && !body["detail"].as_str().is_some_and(|d| d.starts_with("no such API route"));
            assert!(routed, "{method} {path} is in the document but not served: {status} {body}");
            let documented = item[method.as_str().to_lowercase()]["responses"].get(status.to_string()).is_some();
            assert!(documented, "{method} {path} answered {status}, which it does not document");
            served.push(format!("{method} {path}"));
        }
    }
    served.sort();
    let expected = [
        "DELETE /api/v1/groups/{id}/seats/{seat}",
        "DELETE /api/v1/me/devices/{id}",
        "DELETE /api/v1/me/newsletters/{slug}",
        "DELETE /api/v1/session",
        "GET /api/v1/access/{id}",
        "GET /api/v1/articles",
        "GET /api/v1/articles/{id}",
        "GET /api/v1/epaper/editions",
        "GET /api/v1/epaper/editions/{day}",
        "GET /api/v1/groups/{id}",
        "GET /api/v1/insights/funnel",
        "GET /api/v1/me",
        "GET /api/v1/me/devices",
        "GET /api/v1/me/newsletters",
        "GET /api/v1/newsletters",
        "GET /api/v1/openapi.json",
        "GET /api/v1/plans",
        "GET /api/v1/search",
        "GET /api/v1/subscriptions/{id}/retention-offer",
        "POST /api/v1/epaper/clips",
        "POST /api/v1/gifts",
        "POST /api/v1/gifts/redeem",
        "POST /api/v1/groups",
        "POST /api/v1/groups/join",
        "POST /api/v1/groups/{id}/invites",
        "POST /api/v1/me/devices/sign-out-others",
        "POST /api/v1/me/subscription/pause",
        "POST /api/v1/me/subscription/resume",
        "POST /api/v1/newsletters/{slug}/subscribe",
        "POST /api/v1/readers",
        "POST /api/v1/sandbox/{id}/pay",
        "POST /api/v1/session",
        "POST /api/v1/subscriptions",
        "POST /api/v1/subscriptions/{id}/cancel",
        "POST /api/v1/subscriptions/{id}/resume",
        "POST /api/v1/subscriptions/{id}/retention-offer",
        "POST /api/v1/subscriptions/{id}/switch",
    ];
    assert_eq!(served, expected);
}

/// `/api/docs` renders the document for people: every operation and every
/// kind of problem at its anchor, under the site's CSP (no script at all).
async fn the_reference_lists_every_operation_without_scripts(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.get("/api/docs").await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers()["content-security-policy"].to_str().unwrap().contains("script-src 'none'"));
    let html = response.text().await.unwrap();
    assert!(!html.contains("<script"), "no script");
    for needle in [
        "POST /api/v1/readers",
        "GET /api/v1/me/devices",
        "id=\"problem-unprocessable\"",
        "id=\"problem-too-many-requests\"",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
}
