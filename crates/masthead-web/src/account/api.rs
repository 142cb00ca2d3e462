//! The account API for apps: register, log in for a bearer token, log out,
//! who am I, my devices and signing them out. Errors are problems (`http::error`) with a 4xx saying whose
//! fault it was; malformed or oversized JSON is refused before anything changes.

use axum::Json;
use axum::extract::{Path, State};
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

/// A signed-in device: one session, named by its browser or app.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": 7, "browser": "Firefox 121", "os": "Windows", "kind": "browser",
    "first_seen_at": "2026-11-20T09:15:00Z", "last_seen_at": "2026-11-27T12:00:00Z", "current": false}))]
pub(crate) struct DeviceItem {
    /// What `DELETE /api/v1/me/devices/{id}` takes.
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

/// `DELETE /api/v1/me/devices/{id}`: signs another device of the account
/// out → 204; its token or cookie is no one's from its next request, on
/// every instance (`http::session`). The device asking is 409: it signs
/// itself out with `DELETE /api/v1/session`, so no id an app got wrong ends
/// its own token. Another account's id, or one that is not a session, is
/// 404, the same answer, so ids tell nothing about others.
#[utoipa::path(
    delete,
    path = "/api/v1/me/devices/{id}",
    tag = "account",
    summary = "Sign another device out",
    description = "Its token (or browser cookie) stops working on its next request, on every instance. \
        An id that is not one of this account's signed-in devices is 404, whoever's it is. The device \
        asking is 409: `DELETE /api/v1/session` signs it out.",
    params(("id" = i64, Path, description = "The device's `id` from `GET /api/v1/me/devices`", example = 7)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 404, description = "Not a signed-in device of this account"),
        (status = 409, description = "This is the device asking: sign it out with `DELETE /api/v1/session`"),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn sign_out_device(
    State(state): State<SharedState>,
    session: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let account = session.required()?;
    if id == account.session_id {
        return Err(ApiError::Conflict(
            "this is the device asking: sign it out with DELETE /api/v1/session".to_owned(),
        ));
    }
    // Only the account's own sessions match: another account's id is simply not found.
    if !state.store.revoke_session(account.id, id, state.clock.now()).await? {
        return Err(ApiError::NotFound(format!("no signed-in device {id} on this account")));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// How many devices were signed out.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"signed_out": 2}))]
pub(crate) struct SignedOut {
    signed_out: u64,
}

/// `POST /api/v1/me/devices/sign-out-others`: signs out every device of the
/// account but the one asking → 200 `{"signed_out": n}` (0 when there was
/// none; doing it again changes nothing).
#[utoipa::path(
    post,
    path = "/api/v1/me/devices/sign-out-others",
    tag = "account",
    summary = "Sign out every other device",
    description = "Every device of the account but this one is signed out; their tokens stop working on \
        their next request, on every instance. Takes no body.",
    security(("bearer" = [])),
    responses((status = 200, description = "The others are signed out", body = SignedOut))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn sign_out_others(State(state): State<SharedState>, session: SignedIn) -> Result<Response, ApiError> {
    let account = session.required()?;
    let signed_out = state.store.revoke_other_sessions(account.id, account.session_id, state.clock.now()).await?;
    Ok(private(Json(SignedOut { signed_out }).into_response()))
}
