//! The account API for apps: register, log in for a bearer token, log out,
//! who am I, my devices. Errors are `{"error": "..."}` with a 4xx saying whose
//! fault it was; malformed or oversized JSON is refused before anything changes.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::SecondsFormat;
use masthead_store::{SessionKind, StoreError};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::flows::{self, LogIn};
use super::{Account, Client, SignedIn, user_agent};
use crate::error::ApiError;
use crate::visitor::Visitor;
use crate::{SharedState, private};

/// An account API failure.
#[derive(Debug)]
pub(crate) enum AccountApiError {
    /// A 4xx with the message for the client.
    Refused(StatusCode, String),
    /// No valid session: 401.
    Unauthenticated,
    /// Storage failed: logged, 500 (as every API error does).
    Store(StoreError),
}

impl From<StoreError> for AccountApiError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

impl IntoResponse for AccountApiError {
    fn into_response(self) -> Response {
        match self {
            Self::Refused(status, message) => (status, Json(json!({ "error": message }))).into_response(),
            Self::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))],
                Json(json!({ "error": "sign in first: send Authorization: Bearer <token> from POST /api/v1/session" })),
            )
                .into_response(),
            Self::Store(error) => ApiError::Store(error).into_response(),
        }
    }
}

/// A JSON body whose rejections are JSON too: 400 for broken JSON, 415 when
/// it is not JSON, 413 when too large, 422 when fields are missing or mistyped.
#[derive(Debug)]
pub(crate) struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AccountApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_refused(&rejection)),
        }
    }
}

fn json_refused(rejection: &JsonRejection) -> AccountApiError {
    let status = rejection.status();
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "the request body is too large".to_owned(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "send the body as JSON, with Content-Type: application/json".to_owned(),
        _ => format!("the request body is not what was expected: {}", rejection.body_text()),
    };
    AccountApiError::Refused(status, message)
}

#[derive(Deserialize)]
pub(crate) struct CredentialsBody {
    email: String,
    password: String,
}

/// `POST /api/v1/readers {email, password}` → 201, whether or not the
/// address had an account (its owner is mailed either way).
#[tracing::instrument(skip_all)]
pub(crate) async fn register(
    State(state): State<SharedState>,
    ApiJson(body): ApiJson<CredentialsBody>,
) -> Result<Response, AccountApiError> {
    let credentials = flows::new_credentials(&body.email, &body.password)
        .map_err(|errors| AccountApiError::Refused(StatusCode::BAD_REQUEST, errors.joined()))?;
    let email = credentials.email.to_string();
    flows::sign_up(&state, credentials).await?;
    let reply = json!({
        "email": email,
        "message": "Check your inbox: follow the link we sent to confirm your address.",
    });
    Ok((StatusCode::CREATED, Json(reply)).into_response())
}

/// `POST /api/v1/session {email, password}` → `{"token": ...}`; 401 on bad
/// credentials, 429 when rate-limited.
#[tracing::instrument(skip_all)]
pub(crate) async fn log_in(
    State(state): State<SharedState>,
    visitor: Visitor,
    client: Client,
    ApiJson(body): ApiJson<CredentialsBody>,
) -> Result<Response, AccountApiError> {
    match flows::log_in(&state, &body.email, &body.password, &client, SessionKind::Api, &visitor).await? {
        LogIn::Done { token } => Ok(private(Json(json!({ "token": token })).into_response())),
        LogIn::Refused => Err(AccountApiError::Refused(
            StatusCode::UNAUTHORIZED,
            "that email address and password do not match an account".to_owned(),
        )),
        LogIn::Limited => Err(AccountApiError::Refused(
            StatusCode::TOO_MANY_REQUESTS,
            "too many attempts to log in: wait a few minutes, then try again".to_owned(),
        )),
    }
}

fn signed_in(signed_in: SignedIn) -> Result<Account, AccountApiError> {
    signed_in.0.ok_or(AccountApiError::Unauthenticated)
}

/// `DELETE /api/v1/session`: ends the session the request came with → 204.
#[tracing::instrument(skip_all)]
pub(crate) async fn log_out(State(state): State<SharedState>, session: SignedIn) -> Result<Response, AccountApiError> {
    let account = signed_in(session)?;
    state.store.revoke_session(account.id, account.session_id, state.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Serialize)]
struct Me {
    email: String,
    entitlements: Vec<&'static str>,
    /// The newest subscription and its state, or null.
    subscription: Option<crate::billing::SubscriptionReply>,
}

/// `GET /api/v1/me`: the account, and the benefits it holds now.
#[tracing::instrument(skip_all)]
pub(crate) async fn me(State(state): State<SharedState>, session: SignedIn) -> Result<Response, AccountApiError> {
    let account = signed_in(session)?;
    let benefits = state.store.benefits(account.id, state.clock.now()).await?;
    let me = Me {
        email: account.email,
        entitlements: benefits.into_iter().map(|b| b.as_str()).collect(),
        subscription: crate::billing::current(&state, account.id).await?,
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
pub(crate) async fn devices(State(state): State<SharedState>, session: SignedIn) -> Result<Response, AccountApiError> {
    let account = signed_in(session)?;
    let sessions = state.store.active_sessions(account.id, super::live_since(state.clock.now())).await?;
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
