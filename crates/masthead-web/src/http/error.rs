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
//! The API answers every failure as an RFC 9457 problem ([`Problem`],
//! `application/problem+json`: `type`, `title`, `status`, `detail`, and
//! `errors` naming the fields of bad input), built here and nowhere else:
//! handlers return an [`ApiError`], and [`api_problems`], a layer over every
//! route, shapes the failures no handler made (unknown routes, other methods,
//! unreadable paths and queries) the same way. A 429 says `Retry-After`.
//!
//! A page refusal needs the site's frame (its name, its sections), which an
//! error value does not have: it leaves its [`Refusal`] on the response and
//! [`frame_refusals`], a layer over every route, renders it in the frame.

use std::borrow::Cow;
use std::time::Duration;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use masthead_store::StoreError;
use serde::Serialize;
use thiserror::Error;
use utoipa::ToSchema;

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
    /// An invoice's or a credit note's PDF could not be written.
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
    /// What the address named is there no more (a link expired or used): 410.
    #[error("gone: {}", .0.message)]
    Gone(Refusal),
    /// Too many of these lately: 429, with `Retry-After` (whole seconds).
    #[error("too many: {}", .refusal.message)]
    TooManyRequests {
        /// What was limited.
        refusal: Refusal,
        /// When to try again.
        retry_after: Duration,
    },
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
        let mut wait = None;
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
            Self::Gone(refusal) => (StatusCode::GONE, refusal),
            Self::TooManyRequests { refusal, retry_after } => {
                wait = Some(retry_after);
                (StatusCode::TOO_MANY_REQUESTS, refusal)
            }
            Self::Upstream(refusal) => {
                tracing::warn!(message = %refusal.message, "a provider failed");
                (StatusCode::BAD_GATEWAY, refusal)
            }
        };
        // The plain text stands in until the layer frames it.
        let mut response = (status, format!("{}\n{}\n", refusal.heading, refusal.message)).into_response();
        if let Some(wait) = wait {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(whole_seconds(wait)));
        }
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

/// A field of the request that was refused, and why: one entry of a
/// problem's `errors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"field": "email", "message": "an email address needs an @"}))]
pub(crate) struct FieldError {
    /// The body's field or the query parameter, as the client named it.
    pub field: String,
    /// What is wrong with it and how to fix it.
    pub message: String,
}

impl FieldError {
    pub(crate) fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// Input that was refused: what is wrong, and which fields, when known.
#[derive(Debug, Clone)]
pub(crate) struct Input {
    detail: String,
    errors: Vec<FieldError>,
}

impl std::fmt::Display for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

impl From<String> for Input {
    fn from(detail: String) -> Self {
        Self { detail, errors: Vec::new() }
    }
}

impl From<Vec<FieldError>> for Input {
    /// The messages joined make the detail.
    fn from(errors: Vec<FieldError>) -> Self {
        let detail = errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; ");
        Self { detail, errors }
    }
}

/// A failure answered with an RFC 9457 problem ([`Problem`]).
#[derive(Debug, Error)]
pub(crate) enum ApiError {
    /// The request is malformed; the input says how: 400.
    #[error("{0}")]
    BadRequest(Input),
    /// No valid session (or wrong credentials): 401, with `WWW-Authenticate: Bearer`.
    #[error("{0}")]
    Unauthorized(String),
    /// Refused whoever asks (a browser's session from another site): 403.
    #[error("{0}")]
    Forbidden(String),
    /// Only for subscribers holding a benefit; `subscribe_url` is where to get it: 403.
    #[error("{detail}")]
    SubscribersOnly {
        /// Why.
        detail: String,
        /// Where to subscribe.
        subscribe_url: String,
    },
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
    /// The JSON was read but its fields are missing, mistyped or invalid: 422.
    #[error("{0}")]
    Unprocessable(Input),
    /// Too many attempts: 429, with `Retry-After` (whole seconds).
    #[error("{detail}")]
    TooManyRequests {
        /// What was limited.
        detail: String,
        /// When to try again.
        retry_after: Duration,
    },
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

    /// 400 saying what is wrong with the request as a whole.
    pub(crate) fn bad_request(detail: impl Into<String>) -> Self {
        Self::BadRequest(Input::from(detail.into()))
    }

    /// 400 for one field or query parameter that is wrong.
    pub(crate) fn bad_field(field: &str, message: impl Into<String>) -> Self {
        Self::bad_fields(vec![FieldError::new(field, message)])
    }

    /// 400 for fields that are wrong (the request's own words are refused).
    pub(crate) fn bad_fields(errors: Vec<FieldError>) -> Self {
        Self::BadRequest(Input::from(errors))
    }

    /// 422 for fields of the body that are wrong.
    pub(crate) fn invalid(errors: Vec<FieldError>) -> Self {
        Self::Unprocessable(Input::from(errors))
    }

    /// 429 for `detail`, to be tried again after `retry_after`.
    pub(crate) fn too_many(detail: impl Into<String>, retry_after: Duration) -> Self {
        Self::TooManyRequests { detail: detail.into(), retry_after }
    }

    fn kind(&self) -> ProblemKind {
        match self {
            Self::BadRequest(_) => ProblemKind::BadRequest,
            Self::Unauthorized(_) => ProblemKind::Unauthorized,
            Self::Forbidden(_) => ProblemKind::Forbidden,
            Self::SubscribersOnly { .. } => ProblemKind::SubscribersOnly,
            Self::NotFound(_) => ProblemKind::NotFound,
            Self::Conflict(_) => ProblemKind::Conflict,
            Self::TooLarge(_) => ProblemKind::TooLarge,
            Self::UnsupportedMediaType(_) => ProblemKind::UnsupportedMediaType,
            Self::Unprocessable(_) => ProblemKind::Unprocessable,
            Self::TooManyRequests { .. } => ProblemKind::TooManyRequests,
            Self::Upstream(_) => ProblemKind::Upstream,
            Self::Internal(error) if error.is_unavailable() => ProblemKind::Unavailable,
            Self::Internal(_) => ProblemKind::Internal,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let kind = self.kind();
        let retry_after = match &self {
            Self::TooManyRequests { retry_after, .. } => Some(*retry_after),
            Self::Internal(error) if error.is_unavailable() => Some(views::RETRY_AFTER),
            _ => None,
        };
        let mut problem = Problem::new(kind, self.to_string());
        match self {
            Self::BadRequest(input) | Self::Unprocessable(input) => problem.errors = input.errors,
            Self::SubscribersOnly { subscribe_url, .. } => problem.subscribe_url = Some(subscribe_url),
            Self::Internal(error) if error.is_unavailable() => {
                tracing::warn!(%error, "the database is out of reach; API answered 503");
                problem.detail = "the site cannot reach its database just now; try again in a few seconds".to_owned();
            }
            Self::Internal(error) => {
                tracing::error!(%error, "API request failed");
                problem.detail = "something failed on our side; it has been logged: try again later".to_owned();
            }
            Self::Upstream(ref detail) => tracing::warn!(%detail, "a provider failed"),
            _ => {}
        }
        let mut response = problem.into_response();
        if let Some(wait) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(whole_seconds(wait)));
        }
        response
    }
}

/// A `Retry-After` wait: whole seconds, rounded up, at least one.
fn whole_seconds(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

/// The kinds of problem the API answers with: each has its own `type`, a
/// title that never changes, and a status. `/api/docs` lists them, each at
/// its `#problem-…` anchor, which is what `type` points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProblemKind {
    BadRequest,
    Unauthorized,
    Forbidden,
    SubscribersOnly,
    NotFound,
    MethodNotAllowed,
    Conflict,
    TooLarge,
    UnsupportedMediaType,
    Unprocessable,
    TooManyRequests,
    Internal,
    Upstream,
    Unavailable,
}

impl ProblemKind {
    /// Every kind, in the order the documentation lists them.
    pub(crate) const ALL: [Self; 14] = [
        Self::BadRequest,
        Self::Unauthorized,
        Self::Forbidden,
        Self::SubscribersOnly,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::Conflict,
        Self::TooLarge,
        Self::UnsupportedMediaType,
        Self::Unprocessable,
        Self::TooManyRequests,
        Self::Internal,
        Self::Upstream,
        Self::Unavailable,
    ];

    /// The anchor's name, and the end of `type`.
    pub(crate) fn slug(self) -> &'static str {
        match self {
            Self::BadRequest => "bad-request",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::SubscribersOnly => "subscribers-only",
            Self::NotFound => "not-found",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::Conflict => "conflict",
            Self::TooLarge => "too-large",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::Unprocessable => "unprocessable",
            Self::TooManyRequests => "too-many-requests",
            Self::Internal => "internal",
            Self::Upstream => "upstream",
            Self::Unavailable => "unavailable",
        }
    }

    /// The `type`: a reference to this kind's entry in the API reference.
    pub(crate) fn type_uri(self) -> String {
        format!("/api/docs#problem-{}", self.slug())
    }

    pub(crate) fn title(self) -> &'static str {
        match self {
            Self::BadRequest => "The request is malformed",
            Self::Unauthorized => "Sign in first",
            Self::Forbidden => "Not allowed",
            Self::SubscribersOnly => "For subscribers",
            Self::NotFound => "Not found",
            Self::MethodNotAllowed => "Method not allowed",
            Self::Conflict => "Conflicts with the current state",
            Self::TooLarge => "The body is too large",
            Self::UnsupportedMediaType => "The body is not JSON",
            Self::Unprocessable => "The body's fields are not valid",
            Self::TooManyRequests => "Too many requests",
            Self::Internal => "Internal error",
            Self::Upstream => "A service we depend on failed",
            Self::Unavailable => "Unavailable for a moment",
        }
    }

    pub(crate) fn status(self) -> StatusCode {
        match self {
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::SubscribersOnly => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict => StatusCode::CONFLICT,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Upstream => StatusCode::BAD_GATEWAY,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The kind a bare status stands for (a response no handler shaped).
    fn of_status(status: StatusCode) -> Self {
        Self::ALL.into_iter().find(|kind| kind.status() == status).unwrap_or(if status.is_server_error() {
            Self::Internal
        } else {
            Self::BadRequest
        })
    }
}

/// An RFC 9457 problem: the body of every error the API gives, sent as
/// `application/problem+json`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/api/docs#problem-unprocessable",
    "title": "The body's fields are not valid",
    "status": 422,
    "detail": "an email address needs an @",
    "errors": [{"field": "email", "message": "an email address needs an @"}]
}))]
pub(crate) struct Problem {
    /// Which kind of problem: a reference to its entry in `/api/docs`.
    #[serde(rename = "type")]
    #[schema(format = "uri-reference")]
    pub r#type: String,
    /// The kind's title; the same for every problem of the kind.
    pub title: String,
    /// The HTTP status, repeated.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// What went wrong this time, and how to fix it.
    pub detail: String,
    /// For bad input: each field that was refused.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For a subscriber-only resource: where to subscribe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscribe_url: Option<String>,
}

impl Problem {
    pub(crate) fn new(kind: ProblemKind, detail: impl Into<String>) -> Self {
        Self {
            r#type: kind.type_uri(),
            title: kind.title().to_owned(),
            status: kind.status().as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            subscribe_url: None,
        }
    }
}

/// The media type of a problem.
pub(crate) const PROBLEM_JSON: &str = "application/problem+json";

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(&self)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        private(response)
    }
}

/// Layer over every route: an error under `/api/` that no handler shaped
/// (no such route, a method the route does not take, a path or query that
/// axum could not read, a body over the limit, a panic) becomes a problem
/// too, keeping its status and headers; its text, if plain, is the detail.
pub(crate) async fn api_problems(request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let response = next.run(request).await;
    let status = response.status();
    let shaped =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !(status.is_client_error() || status.is_server_error()) || shaped {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let plain = parts.headers.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/plain"));
    let text = if plain {
        axum::body::to_bytes(body, 64 * 1024).await.ok().and_then(|b| String::from_utf8(b.to_vec()).ok())
    } else {
        None
    };
    let kind = ProblemKind::of_status(status);
    let detail = match (kind, text) {
        (ProblemKind::Internal, _) => "something failed on our side; it has been logged: try again later".to_owned(),
        (_, Some(text)) if !text.trim().is_empty() => text.trim().to_owned(),
        (ProblemKind::NotFound, _) => "no such API route: see /api/docs for the routes there are".to_owned(),
        (ProblemKind::MethodNotAllowed, _) => {
            "this route does not take that method: see /api/docs for the methods it takes".to_owned()
        }
        (kind, _) => kind.title().to_owned(),
    };
    let mut problem = Problem::new(kind, detail);
    problem.status = status.as_u16();
    let mut shaped = problem.into_response();
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    shaped.headers_mut().extend(parts.headers);
    shaped
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
