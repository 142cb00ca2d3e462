//! How a request fails, for pages ([`PageError`]) and for the API
//! ([`ApiError`]).
//!
//! Policy: a refusal is an error, never an `Ok` page. The variants say whose
//! fault it is and what the status is — not signed in (a page sends the
//! browser to log in and back; the API answers 401), forbidden, not found,
//! unprocessable, a provider that failed — and carry the words the reader is
//! told. Anything that fails inside ([`Internal`]: the database, a stopped
//! background writer) is logged in full and answered with a generic 500 that
//! shows no internals. Panics are caught and answered the same way. A
//! database out of reach (PostgreSQL restarting, its connections cut) is
//! answered 503 with `Retry-After` instead: nothing is wrong with the
//! request, and a balancer or a reader may simply try again.
//!
//! A page refusal needs the site's frame (its name, its sections), which an
//! error value does not have: it leaves its [`Refusal`] on the response and
//! [`frame_refusals`], a layer over every route, renders it in the frame.

use std::borrow::Cow;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use masthead_store::StoreError;
use thiserror::Error;

use super::respond::{login_url, private, see_other};
use super::views;
use crate::SharedState;

/// What a reader is told about a refusal: a heading and a sentence or two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub heading: Cow<'static, str>,
    pub message: Cow<'static, str>,
}

impl Refusal {
    pub(crate) fn new(heading: impl Into<Cow<'static, str>>, message: impl Into<Cow<'static, str>>) -> Self {
        Self { heading: heading.into(), message: message.into() }
    }
}

/// What failed inside: logged in full, never shown.
#[derive(Debug, Error)]
pub(crate) enum Internal {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Something the database names is not there (a file an edition's page
    /// points to): the records and what they describe disagree.
    #[error("{0}")]
    Missing(String),
    /// An invoice's PDF could not be written.
    #[error(transparent)]
    InvoicePdf(#[from] masthead_billing::pdf::PdfError),
    /// Anything else that should not fail (rendering a message), with its reason.
    #[error("{0}")]
    Failed(String),
}

impl Internal {
    /// Whether the database was out of reach (cut connections, a restart):
    /// answered 503 with `Retry-After` instead of 500, and never with a
    /// decision made without it.
    fn is_unavailable(&self) -> bool {
        matches!(self, Self::Store(error) if error.is_unavailable())
    }
}

impl PageError {
    /// Something inside failed for `reason`: logged, 500.
    pub(crate) fn internal(reason: impl ToString) -> Self {
        Self::Internal(Internal::Failed(reason.to_string()))
    }
}

/// A failure answered with an HTML page.
#[derive(Debug, Error)]
pub(crate) enum PageError {
    /// No one is signed in: 303 to the log-in page, which brings the reader
    /// back to `next` (a GET's own address) afterwards.
    #[error("sign in first")]
    Unauthorized {
        /// Where to come back to.
        next: Option<String>,
    },
    /// Signed in, or a browser, without the right: 403.
    #[error("forbidden: {}", .0.message)]
    Forbidden(Refusal),
    /// No such page, or none this reader may know of: 404.
    #[error("not found")]
    NotFound,
    /// The request cannot be read (cut short, malformed): 400.
    #[error("bad request: {}", .0.message)]
    BadRequest(Refusal),
    /// The body is larger than the route takes: 413.
    #[error("too large: {}", .0.message)]
    TooLarge(Refusal),
    /// The body is not a form: 415.
    #[error("not a form: {}", .0.message)]
    UnsupportedMediaType(Refusal),
    /// The request was read but what it asks cannot be done as given: 422.
    #[error("unprocessable: {}", .0.message)]
    Unprocessable(Refusal),
    /// A service we depend on (a payment provider) failed: 502.
    #[error("upstream: {}", .0.message)]
    Upstream(Refusal),
    /// Something inside failed: logged, 500.
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<StoreError> for PageError {
    fn from(error: StoreError) -> Self {
        Self::Internal(Internal::Store(error))
    }
}

impl PageError {
    /// 403 with a heading that says so and `message` saying why.
    pub(crate) fn forbidden(message: impl Into<Cow<'static, str>>) -> Self {
        Self::Forbidden(Refusal::new("Not allowed", message))
    }
}

/// A refusal waiting for [`frame_refusals`] to render it in the site's frame.
#[derive(Debug, Clone)]
struct Unframed(Refusal);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, refusal) = match self {
            Self::Unauthorized { next } => return see_other(&login_url(next.as_deref())),
            Self::NotFound => return views::not_found_page(),
            Self::Internal(error) if error.is_unavailable() => {
                tracing::warn!(%error, "the database is out of reach; answered 503");
                return views::unavailable_page();
            }
            Self::Internal(error) => {
                tracing::error!(%error, "request failed");
                return views::server_error_page();
            }
            Self::Forbidden(refusal) => (StatusCode::FORBIDDEN, refusal),
            Self::BadRequest(refusal) => (StatusCode::BAD_REQUEST, refusal),
            Self::TooLarge(refusal) => (StatusCode::PAYLOAD_TOO_LARGE, refusal),
            Self::UnsupportedMediaType(refusal) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, refusal),
            Self::Unprocessable(refusal) => (StatusCode::UNPROCESSABLE_ENTITY, refusal),
            Self::Upstream(refusal) => {
                tracing::warn!(message = %refusal.message, "a provider failed");
                (StatusCode::BAD_GATEWAY, refusal)
            }
        };
        // The plain text stands in until the layer frames it.
        let mut response = (status, format!("{}\n{}\n", refusal.heading, refusal.message)).into_response();
        response.extensions_mut().insert(Unframed(refusal));
        private(response)
    }
}

/// Layer: renders a page refusal in the site's frame, keeping its status and
/// the headers set on the way (cookies, caching).
pub(crate) async fn frame_refusals(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let Some(Unframed(refusal)) = response.extensions_mut().remove::<Unframed>() else {
        return response;
    };
    let (mut parts, _) = response.into_parts();
    let mut framed = views::notice(&state, parts.status, &refusal.heading, &[&refusal.message], None);
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    framed.headers_mut().extend(parts.headers);
    framed
}

/// A failure answered with `{"error": "..."}`.
#[derive(Debug, Error)]
pub(crate) enum ApiError {
    /// The request is malformed; the message says how: 400.
    #[error("{0}")]
    BadRequest(String),
    /// No valid session (or wrong credentials): 401, with `WWW-Authenticate: Bearer`.
    #[error("{0}")]
    Unauthorized(String),
    /// Refused whoever asks (a browser's session from another site): 403.
    #[error("{0}")]
    Forbidden(String),
    /// The thing asked for does not exist (for this account): 404.
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with the current state: 409.
    #[error("{0}")]
    Conflict(String),
    /// The body is larger than the route takes: 413.
    #[error("{0}")]
    TooLarge(String),
    /// The body is not JSON: 415.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The JSON was read but its fields are missing or mistyped: 422.
    #[error("{0}")]
    Unprocessable(String),
    /// Too many attempts: 429.
    #[error("{0}")]
    TooManyRequests(String),
    /// A service we depend on (a payment provider) failed: 502.
    #[error("{0}")]
    Upstream(String),
    /// Something inside failed: logged, 500.
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        Self::Internal(Internal::Store(error))
    }
}

impl ApiError {
    /// The 401 every route that needs an account gives without one.
    pub(crate) fn sign_in_first() -> Self {
        Self::Unauthorized("sign in first: send Authorization: Bearer <token> from POST /api/v1/session".to_owned())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self {
            Self::Internal(error) if error.is_unavailable() => {
                tracing::warn!(%error, "the database is out of reach; API answered 503");
                let message = "the site cannot reach its database just now; try again in a few seconds";
                let mut response =
                    (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({ "error": message }))).into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static(views::RETRY_AFTER_SECONDS));
                return response;
            }
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Upstream(_) => StatusCode::BAD_GATEWAY,
            Self::Internal(error) => {
                tracing::error!(%error, "API request failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let message = match &self {
            Self::Internal(_) => "internal error".to_owned(),
            other => other.to_string(),
        };
        let mut response = (status, Json(serde_json::json!({ "error": message }))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Turns a caught panic into the 500 page, after logging it.
pub(crate) fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(message, "handler panicked");
    views::server_error_page()
}
