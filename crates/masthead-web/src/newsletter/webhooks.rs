//! `POST /webhooks/mail/sendgrid` and `POST /webhooks/mail/postmark`: the
//! mail provider reports hard bounces and spam complaints, and each one
//! suppresses the address for every list (the reading of each provider's
//! body is `masthead_newsletter::bounces`).
//!
//! Who may call: SendGrid signs each request (ECDSA P-256 over timestamp and
//! body, checked against the configured public key; a bad or missing
//! signature, or a timestamp outside the window, is 400 and nothing is
//! stored). Postmark sends the user and password configured in its webhook
//! URL as HTTP basic auth (wrong or missing: 401, nothing stored). A
//! provider without credentials configured has no webhook here: 404. No
//! CSRF or cookies: the signature or password is the only credential.
//! Replays change nothing: the first report of an address is kept.

use std::fmt;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use masthead_newsletter::bounces::{self, Refused, Report, SendgridKey};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::SharedState;
use crate::http::error::ApiError;

/// The credentials the bounce webhooks check; a provider left out has no webhook.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BounceWebhooks {
    /// SendGrid's public key for its Signed Event Webhook.
    pub sendgrid: Option<SendgridKey>,
    /// The basic-auth user and password in Postmark's webhook URL.
    pub postmark: Option<BasicAuth>,
}

/// A user and password for HTTP basic auth (the password never prints).
#[derive(Clone, PartialEq, Eq)]
pub struct BasicAuth {
    user: String,
    password: String,
}

impl fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BasicAuth({}:…)", self.user)
    }
}

/// `USER:PASSWORD` with neither part empty is what basic auth needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected USER:PASSWORD, neither empty")]
pub struct BadBasicAuth;

impl std::str::FromStr for BasicAuth {
    type Err = BadBasicAuth;

    fn from_str(given: &str) -> Result<Self, BadBasicAuth> {
        match given.split_once(':') {
            Some((user, password)) if !user.is_empty() && !password.is_empty() => {
                Ok(Self { user: user.to_owned(), password: password.to_owned() })
            }
            _ => Err(BadBasicAuth),
        }
    }
}

impl BasicAuth {
    /// Whether an `Authorization` header carries these credentials
    /// (compared as SHA-256 digests, so the time taken says nothing of them).
    fn admits(&self, authorization: Option<&HeaderValue>) -> bool {
        let given = authorization
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic ")))
            .and_then(|encoded| BASE64.decode(encoded.trim()).ok())
            .unwrap_or_default();
        let expected = format!("{}:{}", self.user, self.password);
        Sha256::digest(&given) == Sha256::digest(expected.as_bytes())
    }
}

/// `POST /webhooks/mail/sendgrid`.
#[tracing::instrument(skip_all)]
pub(crate) async fn sendgrid(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let key = state.bounce_webhooks.sendgrid.as_ref().ok_or_else(not_configured)?;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let now = state.clock.now();
    let reports = key
        .verify(header(bounces::SENDGRID_SIGNATURE), header(bounces::SENDGRID_TIMESTAMP), &body, now)
        .map_err(refused)?;
    record(&state, "sendgrid", &reports).await
}

/// `POST /webhooks/mail/postmark`.
#[tracing::instrument(skip_all)]
pub(crate) async fn postmark(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let auth = state.bounce_webhooks.postmark.as_ref().ok_or_else(not_configured)?;
    if !auth.admits(headers.get(header::AUTHORIZATION)) {
        let mut response = ApiError::Unauthorized("wrong or missing webhook credentials".to_owned()).into_response();
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"mail webhooks\""));
        return Ok(response);
    }
    let reports = bounces::postmark_reports(&body).map_err(refused)?;
    record(&state, "postmark", &reports).await
}

fn not_configured() -> ApiError {
    ApiError::NotFound("this site has no such mail webhook configured".to_owned())
}

fn refused(refusal: Refused) -> ApiError {
    tracing::warn!(%refusal, "a mail webhook request was refused");
    ApiError::bad_request(refusal.to_string())
}

async fn record(state: &SharedState, provider: &str, reports: &[Report]) -> Result<Response, ApiError> {
    let suppressed = bounces::suppress(&state.store, provider, reports, state.clock.now()).await?;
    Ok((StatusCode::OK, Json(json!({ "reports": reports.len(), "suppressed": suppressed }))).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_is_checked_exactly() {
        let auth: BasicAuth = "postmark:s3cret:with-colon".parse().unwrap();
        let header = |creds: &str| HeaderValue::from_str(&format!("Basic {}", BASE64.encode(creds))).unwrap();
        assert!(auth.admits(Some(&header("postmark:s3cret:with-colon"))));
        assert!(!auth.admits(Some(&header("postmark:s3cret"))));
        assert!(!auth.admits(Some(&HeaderValue::from_static("Bearer x"))));
        assert!(!auth.admits(None));
        assert!(!format!("{auth:?}").contains("s3cret"));
        for bad in ["", "user", ":password", "user:"] {
            assert_eq!(bad.parse::<BasicAuth>(), Err(BadBasicAuth), "{bad}");
        }
    }
}
