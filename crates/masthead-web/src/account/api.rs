//! The account API for apps: register, log in for a bearer token, log out,
//! who am I, my devices. Errors are `{"error": "..."}` with a 4xx saying whose
//! fault it was; malformed or oversized JSON is refused before anything changes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::SecondsFormat;
use masthead_store::SessionKind;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::user_agent;
use crate::SharedState;
use crate::auth::flows::{self, LogIn};
use crate::billing::subscriptions::{SubscriptionReply, current};
use crate::http::error::ApiError;
use crate::http::json::ApiJson;
use crate::http::respond::private;
use crate::http::session::{Client, SignedIn, live_since};
use crate::http::visitor::Visitor;

#[derive(Deserialize)]
pub(crate) struct CredentialsBody {
    email: String,
    password: String,
}

/// `POST /api/v1/readers {email, password}` → 201, whether or not the
/// address had an account (its owner is mailed either way); 429 past the
/// sign-up limit of the client's address.
#[tracing::instrument(skip_all)]
pub(crate) async fn register(
    State(state): State<SharedState>,
    client: Client,
    visitor: Visitor,
    ApiJson(body): ApiJson<CredentialsBody>,
) -> Result<Response, ApiError> {
    let credentials =
        flows::new_credentials(&body.email, &body.password).map_err(|errors| ApiError::BadRequest(errors.joined()))?;
    if !flows::may_sign_up(&state, &client).await? {
        return Err(ApiError::TooManyRequests("too many sign-ups from this address: wait a few minutes".to_owned()));
    }
    let email = credentials.email.to_string();
    flows::sign_up(&state, &visitor, credentials).await?;
    let reply = json!({
        "email": email,
        "message": "Check your inbox: follow the link we sent to confirm your address.",
    });
    Ok((StatusCode::CREATED, Json(reply)).into_response())
}

/// `POST /api/v1/session {email, password}` → `{"token": ...}`; 401 on bad
/// credentials, 403 (and a new confirmation link mailed) when the account's
/// address is not confirmed, 429 when rate-limited.
#[tracing::instrument(skip_all)]
pub(crate) async fn log_in(
    State(state): State<SharedState>,
    visitor: Visitor,
    client: Client,
    ApiJson(body): ApiJson<CredentialsBody>,
) -> Result<Response, ApiError> {
    match flows::log_in(&state, &body.email, &body.password, &client, SessionKind::Api, &visitor).await? {
        LogIn::Done { token, .. } => Ok(private(Json(json!({ "token": token })).into_response())),
        LogIn::Unconfirmed => Err(ApiError::Forbidden(
            "confirm your email address first: follow the link we have just sent to it, then log in again".to_owned(),
        )),
        LogIn::Refused => {
            Err(ApiError::Unauthorized("that email address and password do not match an account".to_owned()))
        }
        LogIn::Limited => {
            Err(ApiError::TooManyRequests("too many attempts to log in: wait a few minutes, then try again".to_owned()))
        }
    }
}

/// `DELETE /api/v1/session`: ends the session the request came with → 204.
#[tracing::instrument(skip_all)]
pub(crate) async fn log_out(State(state): State<SharedState>, session: SignedIn) -> Result<Response, ApiError> {
    let account = session.required()?;
    state.store.revoke_session(account.id, account.session_id, state.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Serialize)]
struct Me {
    email: String,
    entitlements: Vec<&'static str>,
    /// The newest subscription and its state, or null.
    subscription: Option<SubscriptionReply>,
}

/// `GET /api/v1/me`: the account, and the benefits it holds now.
#[tracing::instrument(skip_all)]
pub(crate) async fn me(State(state): State<SharedState>, session: SignedIn) -> Result<Response, ApiError> {
    let account = session.required()?;
    let benefits = state.store.benefits(account.id, state.clock.now()).await?;
    let me = Me {
        email: account.email,
        entitlements: benefits.into_iter().map(|b| b.as_str()).collect(),
        subscription: current(&state, account.id).await?,
    };
    Ok(private(Json(me).into_response()))
}

#[derive(Serialize)]
struct DeviceItem {
    id: i64,
    browser: String,
    os: String,
    kind: &'static str,
    first_seen_at: String,
    last_seen_at: String,
    current: bool,
}

/// `GET /api/v1/me/devices`: the account's signed-in devices, most recently used first.
#[tracing::instrument(skip_all)]
pub(crate) async fn devices(State(state): State<SharedState>, session: SignedIn) -> Result<Response, ApiError> {
    let account = session.required()?;
    let sessions = state.store.active_sessions(account.id, live_since(state.clock.now())).await?;
    let stamp = |at: chrono::DateTime<chrono::Utc>| at.to_rfc3339_opts(SecondsFormat::Secs, true);
    let devices: Vec<DeviceItem> = sessions
        .iter()
        .map(|s| {
            let device = user_agent::parse(&s.user_agent);
            DeviceItem {
                id: s.id,
                browser: device.browser,
                os: device.os,
                kind: match s.kind {
                    SessionKind::Browser => "browser",
                    SessionKind::Api => "app",
                },
                first_seen_at: stamp(s.created_at),
                last_seen_at: stamp(s.last_seen_at),
                current: s.id == account.session_id,
            }
        })
        .collect();
    Ok(private(Json(json!({ "devices": devices })).into_response()))
}
