//! The newsletters API: `GET /api/v1/newsletters` lists them;
//! `POST /api/v1/newsletters/{slug}/subscribe` with `{"email"}` starts a
//! double opt-in (202: the confirmation is sent, nothing else until it is
//! followed) or, with a bearer token, joins the account at once (200). A
//! subscriber-only list needs an account holding the newsletters benefit:
//! anyone else gets 403 with where to subscribe. With a bearer token,
//! `GET /api/v1/me/newsletters` says where the account stands on each list
//! and `DELETE /api/v1/me/newsletters/{slug}` leaves one.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use masthead_domain::email::Email;
use masthead_insights::EventKind;
use masthead_newsletter::signup;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::views::cadence_text;
use crate::SharedState;
use crate::http::error::{ApiError, FieldError};
use crate::http::json::ApiJson;
use crate::http::paging::{PageInfo, Paging, PagingParams};
use crate::http::session::{Client, SignedIn};
use crate::http::visitor::Visitor;

/// A newsletter.
#[derive(Serialize, ToSchema)]
pub(crate) struct NewsletterItem {
    slug: String,
    name: String,
    description: String,
    /// When it goes out, in words ("Weekdays at 7:00 IST").
    cadence: String,
    /// Only for subscribers holding the `newsletters` benefit.
    subscribers_only: bool,
}

/// A page of newsletters.
#[derive(Serialize, ToSchema)]
pub(crate) struct NewsletterList {
    newsletters: Vec<NewsletterItem>,
    paging: PageInfo,
}

#[utoipa::path(
    get,
    path = "/api/v1/newsletters",
    tag = "newsletters",
    summary = "The newsletters",
    params(PagingParams),
    responses((status = 200, description = "A page of newsletters", body = NewsletterList))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn list(State(state): State<SharedState>, paging: Paging) -> Result<Json<NewsletterList>, ApiError> {
    let lists = state.store.newsletters().await?;
    let newsletters: Vec<NewsletterItem> = lists
        .iter()
        .map(|l| NewsletterItem {
            slug: l.slug.clone(),
            name: l.name.clone(),
            description: l.description.clone(),
            cadence: cadence_text(&state, &l.cadence),
            subscribers_only: l.subscribers_only,
        })
        .collect();
    let (newsletters, paging) = paging.slice(newsletters);
    Ok(Json(NewsletterList { newsletters, paging }))
}

/// Who joins: with a bearer token the account (no body needed), else `email`.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"email": "reader@example.com"}))]
pub(crate) struct SubscribeBody {
    email: Option<String>,
}

/// What happened: `subscribed` (an account, at once) or `confirmation_sent`.
#[derive(Serialize, ToSchema)]
pub(crate) struct Subscribed {
    #[schema(value_type = String, example = "subscribed")]
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
}

/// 403 for a subscriber-only list: where to get the benefit.
fn subscribers_only(state: &crate::AppState) -> ApiError {
    ApiError::SubscribersOnly {
        detail: "this newsletter is for subscribers with the newsletters benefit".to_owned(),
        subscribe_url: format!("{}/subscribe", state.public_url),
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/newsletters/{slug}/subscribe",
    tag = "newsletters",
    summary = "Join a newsletter",
    description = "With a bearer token the account joins at once (200); with `email` a confirmation is \
        mailed first (202) and nothing else happens until it is followed.",
    params(("slug" = String, Path, description = "The newsletter's slug", example = "markets-morning-brief")),
    request_body = SubscribeBody,
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The account is on the list", body = Subscribed),
        (status = 202, description = "A confirmation was mailed", body = Subscribed),
        (status = 403, description = "For subscribers: `subscribe_url` says where to become one"),
        (status = 404, description = "No such newsletter"),
        (status = 429, description = "Too many sign-ups"),
    )
)]
#[tracing::instrument(skip_all, fields(list = %slug))]
pub(crate) async fn subscribe(
    State(state): State<SharedState>,
    Path(slug): Path<String>,
    SignedIn(account): SignedIn,
    client: Client,
    visitor: Visitor,
    ApiJson(body): ApiJson<SubscribeBody>,
) -> Result<Response, ApiError> {
    let list = state.store.newsletter(&slug).await?.ok_or_else(|| ApiError::NotFound("no such newsletter".into()))?;
    let now = state.clock.now();
    let signed_up = || state.count(state.event(EventKind::NewsletterSignup, &visitor));
    if let Some(account) = account {
        if !signup::may_receive(&list, &super::membership::benefits(&state, account.id).await?) {
            return Err(subscribers_only(&state));
        }
        signup::join(&state.store, &list, account.id, &account.email, now).await?;
        signed_up();
        let reply = Subscribed { status: "subscribed", email: Some(account.email) };
        return Ok((StatusCode::OK, Json(reply)).into_response());
    }
    if list.subscribers_only {
        return Err(subscribers_only(&state));
    }
    let email = Email::parse(body.email.as_deref().unwrap_or_default())
        .map_err(|e| ApiError::invalid(vec![FieldError::new("email", format!("send a valid address: {e}"))]))?;
    if !state.limiters.newsletter_sign_up(&state.store, &client.ip, email.as_str(), now).await? {
        return Err(ApiError::too_many("too many sign-ups; wait a few minutes", state.limiters.retry_after()));
    }
    super::membership::request_confirmation(&state, &list, &email, now)
        .await
        .or_else(super::membership::desk_failed)?;
    signed_up();
    Ok((StatusCode::ACCEPTED, Json(Subscribed { status: "confirmation_sent", email: None })).into_response())
}

/// Where the account stands on one newsletter.
#[derive(Serialize, ToSchema)]
pub(crate) struct MyNewsletter {
    slug: String,
    name: String,
    /// `receiving`; `paused` (a subscriber-only list the account no longer
    /// holds the benefit for); `stopped` (the address bounced or complained);
    /// `pending` (the confirmation link is not followed yet); `not_signed_up`.
    #[schema(example = "receiving")]
    status: &'static str,
}

/// Every newsletter, with where the account stands on it.
#[derive(Serialize, ToSchema)]
pub(crate) struct MyNewsletters {
    newsletters: Vec<MyNewsletter>,
}

#[utoipa::path(
    get,
    path = "/api/v1/me/newsletters",
    tag = "newsletters",
    summary = "The account's newsletters",
    description = "Every newsletter with where the signed-in account stands on it (as `/account/newsletters` shows).",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every newsletter and the account's standing", body = MyNewsletters),
        (status = 401, description = "No valid token"),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn mine(State(state): State<SharedState>, session: SignedIn) -> Result<Json<MyNewsletters>, ApiError> {
    let account = session.required()?;
    let standings = super::membership::standings(&state, account.id, &account.email).await?;
    let newsletters = standings
        .lists
        .into_iter()
        .map(|row| MyNewsletter { slug: row.list.slug, name: row.list.name, status: row.standing.word() })
        .collect();
    Ok(Json(MyNewsletters { newsletters }))
}

#[utoipa::path(
    delete,
    path = "/api/v1/me/newsletters/{slug}",
    tag = "newsletters",
    summary = "Leave a newsletter",
    description = "Takes the account off the list (confirmed or waiting for confirmation), as the \
        one-click link in every message does. Leaving a list the account is not on is not an error.",
    params(("slug" = String, Path, description = "The newsletter's slug", example = "markets-morning-brief")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Not on the list any more"),
        (status = 401, description = "No valid token"),
        (status = 404, description = "No such newsletter"),
    )
)]
#[tracing::instrument(skip_all, fields(list = %slug))]
pub(crate) async fn leave(
    State(state): State<SharedState>,
    session: SignedIn,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    let account = session.required()?;
    let list = state.store.newsletter(&slug).await?.ok_or_else(|| ApiError::NotFound("no such newsletter".into()))?;
    super::membership::leave(&state, &list, account.id, &account.email, state.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
