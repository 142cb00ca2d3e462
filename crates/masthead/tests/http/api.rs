//! `GET /api/v1/articles`: shape, order, filters and bad parameters.

use crate::support::{Backend, on_every_backend, spawn_app};

on_every_backend!(
    articles_list_newest_first_with_absolute_urls,
    articles_filter_by_section_and_page,
    bad_parameters_are_clear_4xx_errors,
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
        assert!(body["error"].as_str().unwrap().contains(needle), "{query}: {body}");
    }
}
