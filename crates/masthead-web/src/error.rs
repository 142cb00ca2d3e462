//! Errors at the HTTP edge.
//!
//! Policy: a handler returns [`PageError`] (HTML) or [`ApiError`] (JSON). Not
//! found and bad requests say so plainly; anything else is logged in full and
//! the reader gets a generic 500 page that never shows internals. Panics are
//! caught and answered the same way.

use std::net::SocketAddr;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use masthead_store::StoreError;
use thiserror::Error;

use crate::views;

/// Why the server could not start.
#[derive(Debug, Error)]
pub enum StartError {
    /// The listen address is taken or not ours.
    #[error(
        "cannot listen on {address}: {source} (is another server running there? pick another port with --listen 127.0.0.1:PORT)"
    )]
    Bind {
        /// The address asked for.
        address: SocketAddr,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The database failed while loading the site.
    #[error(transparent)]
    Store(StoreError),
    /// The search index cannot be opened (or another process writes it).
    #[error("{0} (each instance needs a search index directory of its own: set --index-dir)")]
    Search(masthead_search::SearchError),
    /// The stored cookie-signing secret is not a 32-byte hex string.
    #[error("the stored cookie_key setting is invalid; delete it from the settings table to generate a new one")]
    BadSecret,
    /// A thread the server needs could not be started.
    #[error("cannot start the {name} thread: {source} (is the machine out of memory or processes?)")]
    Thread {
        /// Which thread.
        name: &'static str,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

/// A failure answered with an HTML page.
#[derive(Debug, Error)]
pub enum PageError {
    /// No such page: 404.
    #[error("not found")]
    NotFound,
    /// Storage failed: logged, 500.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            Self::NotFound => views::not_found_page(),
            Self::Store(error) => {
                tracing::error!(%error, "request failed");
                views::server_error_page()
            }
        }
    }
}

/// A failure answered with `{"error": "..."}`.
#[derive(Debug, Error)]
pub enum ApiError {
    /// The request is malformed; the message says how.
    #[error("{0}")]
    BadRequest(String),
    /// The thing asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// No one is signed in: 401.
    #[error("{0}")]
    Unauthorized(String),
    /// The request conflicts with the current state: 409.
    #[error("{0}")]
    Conflict(String),
    /// A service we depend on (a payment provider) failed: 502.
    #[error("{0}")]
    Upstream(String),
    /// Storage failed: logged, 500.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message) = match &self {
            Self::BadRequest(m) => (StatusCode::BAD_REQUEST, m.clone()),
            Self::NotFound(m) => (StatusCode::NOT_FOUND, m.clone()),
            Self::Unauthorized(m) => (StatusCode::UNAUTHORIZED, m.clone()),
            Self::Conflict(m) => (StatusCode::CONFLICT, m.clone()),
            Self::Upstream(m) => (StatusCode::BAD_GATEWAY, m.clone()),
            Self::Store(error) => {
                tracing::error!(%error, "API request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_owned())
            }
        };
        (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
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
