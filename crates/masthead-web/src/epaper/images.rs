//! `/epaper/images/{sha256}.webp?expires=&sig=`: a page image, served only
//! under a signature the pages handed out (to entitled readers, and the
//! front page's thumbnail to everyone) that has not expired. The check is an
//! HMAC and a clock: no database query, no session. Anything else is 403 —
//! tampered, expired or never signed alike — and a signed name that is not
//! stored is 404. Browsers may keep an image until its address expires, and
//! no shared cache keeps it at all.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use masthead_epaper::signed::Refused;
use serde::Deserialize;

use super::access::signer;
use crate::SharedState;
use crate::http::error::PageError;

/// The signature an address carries.
#[derive(Debug, Deserialize)]
pub(crate) struct Signature {
    expires: Option<i64>,
    sig: Option<String>,
}

/// A page image's name: 64 lower-case hex digits, `.webp`.
fn parse_name(name: &str) -> Option<&str> {
    let hash = name.strip_suffix(".webp")?;
    let hex = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    hex.then_some(hash)
}

#[tracing::instrument(skip_all)]
pub(crate) async fn image(
    State(state): State<SharedState>,
    Path(name): Path<String>,
    Query(signature): Query<Signature>,
) -> Result<Response, PageError> {
    let hash = parse_name(&name).ok_or(PageError::NotFound)?;
    let (Some(expires), Some(sig)) = (signature.expires, signature.sig) else {
        return Err(PageError::forbidden("E-paper pages are for subscribers whose plan includes the e-paper."));
    };
    let now = state.clock.now().timestamp();
    match signer(&state).check(hash, expires, &sig, now) {
        Ok(()) => {}
        Err(Refused::Forged) => {
            return Err(PageError::forbidden("This image address is not one the site gave out."));
        }
        Err(Refused::Expired) => {
            return Err(PageError::forbidden("This image address has expired: open the page again."));
        }
    }
    let blob = state.store.blob(hash).await?.ok_or(PageError::NotFound)?;
    let cache = format!("private, max-age={}", (expires - now).max(0));
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/webp")),
            (header::CACHE_CONTROL, HeaderValue::from_str(&cache).expect("digits are a header value")),
        ],
        blob.bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_a_hash_and_webp() {
        let hash = "a".repeat(64);
        assert_eq!(parse_name(&format!("{hash}.webp")), Some(hash.as_str()));
        assert_eq!(parse_name(&format!("{hash}.pdf")), None);
        assert_eq!(parse_name("../secret.webp"), None);
    }
}
