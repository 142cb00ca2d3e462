//! What every site answers besides its rooms: the health check, the one
//! stylesheet and its web fonts, and the 404 for any address no room takes.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::views;
use crate::SharedState;

/// The one stylesheet, compiled into the binary.
const STYLESHEET: &str = include_str!("../../assets/site.css");

/// `/assets/site.css`.
pub(crate) async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], STYLESHEET)
        .into_response()
}

/// `/assets/fonts/{name}`: Noto Sans Devanagari, which the stylesheet asks for
/// only when a page holds Devanagari (its `unicode-range`), so a story, a
/// name or an invoice in Hindi reads on a device without an Indian font.
/// WOFF2, 70 KB a weight: the invoice's TrueType faces (230 KB each) held the
/// first paint of a phone's home page back by a second.
pub(crate) async fn font(Path(name): Path<String>) -> Response {
    let bytes: &[u8] = match name.as_str() {
        "noto-sans-devanagari-400.woff2" => include_bytes!("../../assets/fonts/noto-sans-devanagari-400.woff2"),
        "noto-sans-devanagari-700.woff2" => include_bytes!("../../assets/fonts/noto-sans-devanagari-700.woff2"),
        _ => return not_found().await,
    };
    ([(header::CONTENT_TYPE, "font/woff2"), (header::CACHE_CONTROL, "public, max-age=604800")], bytes).into_response()
}

/// `/healthz`: 200 once the database answers.
pub(crate) async fn healthz(State(state): State<SharedState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

/// Any address no room takes.
pub(crate) async fn not_found() -> Response {
    views::not_found_page()
}
