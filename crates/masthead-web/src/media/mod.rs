//! The media room: the pictures the site serves, one route.
//!
//! `/media/{sha256}.webp` and `/media/{sha256}.jpg` (named by
//! `read_model::figure::url`) answer with an image
//! variant stored by the pipeline (`masthead_media`), and nothing else that
//! is stored: the store only finds a name among the variants, so an
//! original, an e-paper edition or any other blob is a 404 here. A name is
//! the SHA-256 of the bytes, so an answer never changes: it is sent with
//! `Cache-Control: public, max-age=31536000, immutable` and an `ETag`, and a
//! repeated request with `If-None-Match` gets a 304 with no body.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::SharedState;
use crate::http::error::PageError;

/// Forever, as far as caches go: the bytes behind a name never change.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The media room's routes.
pub(crate) fn routes() -> Router<SharedState> {
    Router::new().route("/media/{name}", get(variant))
}

/// A variant's name: 64 lower-case hex digits and the extension of its format.
fn parse_name(name: &str) -> Option<(&str, &'static str)> {
    let (hash, ext) = name.rsplit_once('.')?;
    let content_type = match ext {
        "webp" => "image/webp",
        "jpg" => "image/jpeg",
        _ => return None,
    };
    let hex = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    hex.then_some((hash, content_type))
}

#[tracing::instrument(skip(state, headers))]
async fn variant(
    State(state): State<SharedState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (hash, content_type) = parse_name(&name).ok_or(PageError::NotFound)?;
    let etag = format!("\"{hash}\"");
    let blob = state.store.image_variant(hash).await?.ok_or(PageError::NotFound)?;
    if blob.content_type != content_type {
        return Err(PageError::NotFound);
    }
    let cache = [(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE))];
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        return Ok((StatusCode::NOT_MODIFIED, cache, [(header::ETAG, etag)]).into_response());
    }
    Ok((cache, [(header::CONTENT_TYPE, content_type.to_owned()), (header::ETAG, etag)], blob.bytes).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_a_hash_and_a_known_extension() {
        let hash = "a".repeat(64);
        assert_eq!(parse_name(&format!("{hash}.webp")), Some((hash.as_str(), "image/webp")));
        assert_eq!(parse_name(&format!("{hash}.jpg")), Some((hash.as_str(), "image/jpeg")));
        assert_eq!(parse_name(&format!("{hash}.png")), None);
        assert_eq!(parse_name(&format!("{}.webp", "A".repeat(64))), None);
        assert_eq!(parse_name("../../etc/passwd.jpg"), None);
        assert_eq!(parse_name(&hash), None);
    }
}
