//! The JSON API for apps, under `/api/v1`. Errors are problems (`http::error`) with
//! a 4xx status that says whose fault it was.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use masthead_domain::access::Access;
use masthead_domain::{Article, ArticleSummary};
use serde::Serialize;
use utoipa::ToSchema;

use super::reading::{Intent, Opened, open_story};
use crate::SharedState;
use crate::http::error::ApiError;
use crate::http::paging::{PageInfo, Paging, PagingParams};
use crate::http::respond::private;
use crate::http::session::SignedIn;
use crate::http::visitor::Visitor;

/// A page of stories.
#[derive(Serialize, ToSchema)]
pub(crate) struct ArticleList {
    articles: Vec<ArticleItem>,
    paging: PageInfo,
}

/// A story as lists show it; times are RFC 3339 in UTC.
#[derive(Serialize, ToSchema)]
pub(crate) struct ArticleItem {
    id: i64,
    url: String,
    headline: String,
    section: String,
    /// The language the story is written in, a BCP 47 tag (`en`, `hi`).
    #[schema(example = "hi")]
    lang: String,
    premium: bool,
    first_published_at: String,
    updated_at: String,
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl ArticleItem {
    fn new(story: &ArticleSummary, public_url: &str) -> Self {
        Self {
            id: story.id,
            url: format!("{public_url}{}", story.path()),
            headline: story.headline.clone(),
            section: story.section.clone(),
            lang: story.lang.to_string(),
            premium: story.premium,
            first_published_at: rfc3339(story.first_published_at),
            updated_at: rfc3339(story.updated_at),
        }
    }
}

/// `GET /api/v1/articles?section=SLUG&limit=N&page=P`: published stories, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/articles",
    tag = "reading",
    summary = "Published stories, newest first",
    params(("section" = Option<String>, Query, description = "Only this section's stories (its slug)"), PagingParams),
    responses(
        (status = 200, description = "A page of stories", body = ArticleList),
        (status = 404, description = "No such section"),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn articles(
    State(state): State<SharedState>,
    paging: Paging,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<ArticleList>, ApiError> {
    let section = match params.get("section") {
        Some(slug) => Some(state.section(slug).ok_or_else(|| ApiError::NotFound(format!("no section {slug:?}")))?.slug),
        None => None,
    };
    let (stories, has_more) = state.store.latest(section.as_deref(), paging.store_page()).await?;
    Ok(Json(ArticleList {
        articles: stories.iter().map(|s| ArticleItem::new(s, &state.public_url)).collect(),
        paging: paging.info(has_more),
    }))
}

/// The access decision as the API reports it: `allowed`, `metered` (read on
/// the meter: `used` of `limit` this month) or `blocked`, and why.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"decision": "metered", "reason": "meter", "used": 3, "limit": 5}))]
pub(crate) struct AccessReply {
    #[schema(value_type = String)]
    decision: &'static str,
    reason: String,
    used: u32,
    limit: u32,
}

impl From<Opened> for AccessReply {
    fn from(opened: Opened) -> Self {
        let (decision, reason) = match opened.access {
            Access::Allowed { reason } => ("allowed", json_name(&reason)),
            Access::Metered { .. } => ("metered", "meter".to_owned()),
            Access::Blocked { reason } => ("blocked", json_name(&reason)),
        };
        Self { decision, reason, used: opened.used, limit: opened.limit }
    }
}

/// A unit enum variant's serde name (`"meter_exhausted"`).
fn json_name(value: &impl Serialize) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// The story an API path names, published; 404 otherwise.
async fn published(state: &SharedState, id: &str) -> Result<Article, ApiError> {
    let not_found = || ApiError::NotFound(format!("no published story with id {id:?}"));
    let id: i64 = id.parse().ok().filter(|id| *id > 0).ok_or_else(not_found)?;
    state.store.published_article(id).await?.ok_or_else(not_found)
}

/// `GET /api/v1/access/{id}`: what reading the story would give this reader.
/// Asking records nothing.
#[utoipa::path(
    get,
    path = "/api/v1/access/{id}",
    tag = "reading",
    summary = "What reading a story would give this reader (records nothing)",
    params(("id" = i64, Path, description = "The story's id", example = 1)),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The decision", body = AccessReply),
        (status = 404, description = "No published story with this id"),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn access(
    State(state): State<SharedState>,
    visitor: Visitor,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let article = published(&state, &id).await?;
    let opened = open_story(&state, &visitor, &signed_in, &article.summary, Intent::Ask).await?;
    Ok(private(visitor.remember(Json(AccessReply::from(opened)).into_response())))
}

/// A story with as much of its body as this reader may read.
#[derive(Serialize, ToSchema)]
pub(crate) struct StoryReply {
    #[serde(flatten)]
    item: ArticleItem,
    standfirst: String,
    byline: String,
    access: AccessReply,
    #[serde(skip_serializing_if = "Option::is_none")]
    body_html: Option<String>,
    /// The body's free part (`Article::free_part`), when the whole is withheld.
    #[serde(skip_serializing_if = "Option::is_none")]
    free_html: Option<String>,
}

/// `GET /api/v1/articles/{id}`: the story, with `body_html` only when this
/// reader may read it, else `free_html` (the body's free part, absent when
/// the body does not open with prose). Delivering it counts on the meter
/// like the page does.
#[utoipa::path(
    get,
    path = "/api/v1/articles/{id}",
    tag = "reading",
    summary = "Read a story",
    description = "`body_html` only when this reader may read it, else `free_html` (the body's free part). \
        Delivering it counts on the meter like the page does.",
    params(("id" = i64, Path, description = "The story's id", example = 1)),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The story", body = StoryReply),
        (status = 404, description = "No published story with this id"),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn article(
    State(state): State<SharedState>,
    visitor: Visitor,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let article = published(&state, &id).await?;
    let opened = open_story(&state, &visitor, &signed_in, &article.summary, Intent::Read).await?;
    let reply = StoryReply {
        item: ArticleItem::new(&article.summary, &state.public_url),
        standfirst: article.summary.standfirst.clone(),
        byline: article.byline(),
        body_html: opened.access.is_readable().then(|| article.body.as_str().to_owned()),
        free_html: (!opened.access.is_readable())
            .then(|| article.free_part())
            .filter(|free| !free.as_str().is_empty())
            .map(|free| free.as_str().to_owned()),
        access: opened.into(),
    };
    Ok(private(visitor.remember(Json(reply).into_response())))
}
