//! The account API for apps: register, log in for a bearer token, log out,
//! who am I, my devices. Errors are problems (`http::error`) with a 4xx saying whose
//! fault it was; malformed or oversized JSON is refused before anything changes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::SecondsFormat;
use masthead_store::SessionKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::user_agent;
use crate::SharedState;
use crate::auth::flows::{self, LogIn};
use crate::billing::subscriptions::{SubscriptionReply, current};
use crate::http::error::ApiError;
use crate::http::json::ApiJson;
use crate::http::paging::{PageInfo, Paging, PagingParams};
use crate::http::respond::private;
use crate::http::session::{Client, SignedIn, live_since};
use crate::http::visitor::Visitor;

/// An email address and a password.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"email": "reader@example.com", "password": "correct horse battery"}))]
pub(crate) struct CredentialsBody {
    email: String,
    password: String,
}

/// A sign-up taken: the owner of the address is mailed.
#[derive(Serialize, ToSchema)]
pub(crate) struct Registered {
    email: String,
    message: &'static str,
}

/// A session for an app.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"token": "3f9a0c…"}))]
pub(crate) struct Token {
    /// Send it as `Authorization: Bearer <token>`.
    token: String,
}

/// `POST /api/v1/readers {email, password}` → 201, whether or not the
/// address had an account (its owner is mailed either way); 429 past the
/// sign-up limit of the client's address.
#[utoipa::path(
    post,
    path = "/api/v1/readers",
    tag = "account",
    summary = "Register an account",
    description = "201 whether or not the address had an account (its owner is mailed either way), so \
        the answer does not tell who has one.",
    request_body = CredentialsBody,
    responses(
        (status = 201, description = "Check your inbox", body = Registered),
        (status = 400, description = "The address or password is not acceptable; `errors` says which"),
        (status = 429, description = "Too many sign-ups from this address"),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn register(
    State(state): State<SharedState>,
    client: Client,
    visitor: Visitor,
    ApiJson(body): ApiJson<CredentialsBody>,
) -> Result<Response, ApiError> {
    let credentials =
        flows::new_credentials(&body.email, &body.password).map_err(|errors| ApiError::bad_fields(errors.listed()))?;
    if !flows::may_sign_up(&state, &client).await? {
        let wait = state.limiters.retry_after();
        return Err(ApiError::too_many("too many sign-ups from this address: wait a few minutes", wait));
    }
    let email = credentials.email.to_string();
    flows::sign_up(&state, &visitor, credentials, false).await?;
    let reply = Registered { email, message: "Check your inbox: follow the link we sent to confirm your address." };
    Ok((StatusCode::CREATED, Json(reply)).into_response())
}

/// `POST /api/v1/session {email, password}` → `{"token": ...}`; 401 on bad
/// credentials, 403 (and a new confirmation link mailed) when the account's
/// address is not confirmed, 429 when rate-limited.
#[utoipa::path(
    post,
    path = "/api/v1/session",
    tag = "account",
    summary = "Sign in for a bearer token",
    request_body = CredentialsBody,
    responses(
        (status = 200, description = "Signed in", body = Token),
        (status = 401, description = "The address and password do not match an account"),
        (status = 403, description = "The address is not confirmed yet (a new link was mailed)"),
        (status = 429, description = "Too many attempts to sign in"),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn log_in(
    State(state): State<SharedState>,
    visitor: Visitor,
    client: Client,
    ApiJson(body): ApiJson<CredentialsBody>,
) -> Result<Response, ApiError> {
    match flows::log_in(&state, &body.email, &body.password, &client, SessionKind::Api, &visitor).await? {
        LogIn::Done { token, .. } => Ok(private(Json(Token { token }).into_response())),
        LogIn::Unconfirmed => Err(ApiError::Forbidden(
            "confirm your email address first: follow the link we have just sent to it, then log in again".to_owned(),
        )),
        LogIn::Refused => {
            Err(ApiError::Unauthorized("that email address and password do not match an account".to_owned()))
        }
        LogIn::Limited => {
            let wait = state.limiters.retry_after();
            Err(ApiError::too_many("too many attempts to log in: wait a few minutes, then try again", wait))
        }
    }
}

/// `DELETE /api/v1/session`: ends the session the request came with → 204.
#[utoipa::path(
    delete,
    path = "/api/v1/session",
    tag = "account",
    summary = "Sign out this token",
    security(("bearer" = [])),
    responses((status = 204, description = "Signed out"))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn log_out(State(state): State<SharedState>, session: SignedIn) -> Result<Response, ApiError> {
    let account = session.required()?;
    state.store.revoke_session(account.id, account.session_id, state.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The signed-in account.
#[derive(Serialize, ToSchema)]
pub(crate) struct Me {
    email: String,
    /// The benefits held now (`premium`, `archive`, `epaper`, `newsletters`, …).
    #[schema(value_type = Vec<String>)]
    entitlements: Vec<&'static str>,
    /// The newest subscription and its state, or null.
    subscription: Option<SubscriptionReply>,
}

/// `GET /api/v1/me`: the account, and the benefits it holds now.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "account",
    summary = "The account and its benefits",
    security(("bearer" = [])),
    responses((status = 200, description = "The account", body = Me))
)]
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

/// A signed-in device.
#[derive(Serialize, ToSchema)]
pub(crate) struct DeviceItem {
    id: i64,
    browser: String,
    os: String,
    /// `browser` or `app`.
    #[schema(value_type = String, example = "app")]
    kind: &'static str,
    first_seen_at: String,
    last_seen_at: String,
    current: bool,
}

/// `GET /api/v1/me/devices`: the account's signed-in devices, most recently used first.
#[utoipa::path(
    get,
    path = "/api/v1/me/devices",
    tag = "account",
    summary = "The account's signed-in devices",
    security(("bearer" = [])),
    params(PagingParams),
    responses((status = 200, description = "Most recently used first", body = DeviceList))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn devices(
    State(state): State<SharedState>,
    session: SignedIn,
    paging: Paging,
) -> Result<Response, ApiError> {
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
    let (devices, paging) = paging.slice(devices);
    Ok(private(Json(DeviceList { devices, paging }).into_response()))
}

/// A page of devices.
#[derive(Serialize, ToSchema)]
pub(crate) struct DeviceList {
    devices: Vec<DeviceItem>,
    paging: PageInfo,
}
