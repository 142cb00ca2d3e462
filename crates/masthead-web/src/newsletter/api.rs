//! The newsletters API: `GET /api/v1/newsletters` lists them;
//! `POST /api/v1/newsletters/{slug}/subscribe` with `{"email"}` starts a
//! double opt-in (202: the confirmation is sent, nothing else until it is
//! followed) or, with a bearer token, joins the account at once (200). A
//! subscriber-only list needs an account holding the newsletters benefit:
//! anyone else gets 403 with where to subscribe.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use masthead_domain::email::Email;
use masthead_insights::EventKind;
use masthead_newsletter::signup;
use serde::Deserialize;
use serde_json::json;

use super::views::cadence_text;
use crate::SharedState;
use crate::http::error::ApiError;
use crate::http::json::ApiJson;
use crate::http::session::{Client, SignedIn};
use crate::http::visitor::Visitor;

#[tracing::instrument(skip_all)]
pub(crate) async fn list(State(state): State<SharedState>) -> Result<Json<serde_json::Value>, ApiError> {
    let lists = state.store.newsletters().await?;
    let newsletters: Vec<_> = lists
        .iter()
        .map(|l| {
            json!({
                "slug": l.slug,
                "name": l.name,
                "description": l.description,
                "cadence": cadence_text(&state, &l.cadence),
                "subscribers_only": l.subscribers_only,
            })
        })
        .collect();
    Ok(Json(json!({ "newsletters": newsletters })))
}

#[derive(Deserialize)]
pub(crate) struct SubscribeBody {
    email: Option<String>,
}

/// 403 for a subscriber-only list: where to get the benefit.
fn subscribers_only(state: &crate::AppState) -> Response {
    let body = json!({
        "error": "this newsletter is for subscribers with the newsletters benefit",
        "subscribe_url": format!("{}/subscribe", state.public_url),
    });
    (StatusCode::FORBIDDEN, Json(body)).into_response()
}

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
            return Ok(subscribers_only(&state));
        }
        signup::join(&state.store, &list, account.id, &account.email, now).await?;
        signed_up();
        return Ok((StatusCode::OK, Json(json!({"status": "subscribed", "email": account.email}))).into_response());
    }
    if list.subscribers_only {
        return Ok(subscribers_only(&state));
    }
    let email = Email::parse(body.email.as_deref().unwrap_or_default())
        .map_err(|_| ApiError::Unprocessable("send {\"email\": \"...\"} with a valid address".into()))?;
    if !state.limiters.newsletter_sign_up(&state.store, &client.ip, email.as_str(), now).await? {
        return Err(ApiError::TooManyRequests("too many sign-ups; wait a few minutes".into()));
    }
    super::membership::request_confirmation(&state, &list, &email, now)
        .await
        .or_else(super::membership::desk_failed)?;
    signed_up();
    Ok((StatusCode::ACCEPTED, Json(json!({"status": "confirmation_sent"}))).into_response())
}
