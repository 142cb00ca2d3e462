//! Cross-site request forgery protection for every state-changing HTML form.
//!
//! Two independent checks, both required:
//!
//! 1. **Where the request comes from.** Browsers say it: `Sec-Fetch-Site` must
//!    be `same-origin` (or `none`, typed by the user); without that header an
//!    `Origin`, when sent, must be this site. Anything else is a 403.
//! 2. **A form token tied to the browser.** Every form carries a hidden
//!    `csrf_token`: an HMAC of the visitor cookie's id under the server key
//!    ([`token`]). Another site can neither read the cookie nor compute the
//!    HMAC, so it cannot fill the field in; a missing or wrong token is a 403.
//!
//! A handler opts in by taking its form as [`CsrfForm<T>`] instead of
//! `Form<T>`: nothing is parsed, let alone changed, before both checks pass.
//! A form that uploads files takes [`CsrfMultipart`]: the same checks, the
//! token required as the form's first part, before any file is read.
//! Pages that render a form put [`token`] in it and `remember` the visitor,
//! so a first-time browser gets the cookie the token is tied to. Requests an
//! app makes with a bearer token send no cookies and need no form token.
//!
//! The JSON API (`/api/`) takes a browser's session cookie too, so a page on
//! this site could call it; [`api_cookie_sessions`] holds such calls to the
//! first check: a request that changes something (any method but GET, HEAD
//! and OPTIONS), carries the `mh_session` cookie and no bearer token must
//! come from this site (403 otherwise), and a body it sends must be
//! `Content-Type: application/json` (415 otherwise) — the one type another
//! site's form or `no-cors` fetch cannot send. There is no form token to
//! check in JSON; the origin check is what a browser cannot be made to fake.

use axum::body::Bytes;
use axum::extract::multipart::MultipartError;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HOST, ORIGIN, TRANSFER_ENCODING};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::error::{ApiError, PageError, Refusal};
use super::session::SESSION_COOKIE;
use super::visitor::{Visitor, cookie};
use crate::{AppState, SharedState};

/// What the form token signs, so it is valid for nothing else.
const PURPOSE: &str = "csrf";

/// The form token for this browser, to put in a hidden `csrf_token` field.
pub(crate) fn token(state: &AppState, visitor: &Visitor) -> String {
    state.cookie_key.sign_for(PURPOSE, &visitor.id)
}

/// A form body `T`, accepted only from this site with this browser's token.
/// Rejections are HTML pages: 403 for forgery, 413 when too large, 415 when
/// not a form, 400 when it cannot be read.
#[derive(Debug)]
pub(crate) struct CsrfForm<T>(pub T);

/// A form with nothing but its token (log out, sign out a device).
#[derive(Debug, Deserialize)]
pub(crate) struct NoFields {}

#[derive(Deserialize)]
struct TokenField {
    csrf_token: Option<String>,
}

/// The refusal of a form that did not come from this site with its token.
fn forged() -> PageError {
    PageError::Forbidden(Refusal::new(
        "This form could not be accepted",
        "It did not come from this site, or the page was too old. Go back, reload the page and try again.",
    ))
}

const UNREADABLE: &str = "This form could not be read";

/// The refusal of a body that could not be read whole.
fn unreadable(rejection: &BytesRejection) -> PageError {
    let refusal = Refusal::new(UNREADABLE, "It was too large or cut short.");
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        PageError::TooLarge(refusal)
    } else {
        PageError::BadRequest(refusal)
    }
}

impl<T: DeserializeOwned> FromRequest<SharedState> for CsrfForm<T> {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &SharedState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        if !same_site(&parts.headers, state) {
            tracing::warn!("cross-site form post refused");
            return Err(forged());
        }
        if !is_content_type(&parts.headers, "application/x-www-form-urlencoded") {
            return Err(PageError::UnsupportedMediaType(Refusal::new(UNREADABLE, "Send it as an HTML form.")));
        }
        let Ok(visitor) = Visitor::from_request_parts(&mut parts, state).await;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|rejection| unreadable(&rejection))?;
        let presented = serde_urlencoded::from_bytes::<TokenField>(&bytes).ok().and_then(|f| f.csrf_token);
        let genuine = presented.is_some_and(|t| state.cookie_key.verify_for(PURPOSE, &visitor.id, &t));
        if !genuine {
            tracing::warn!("form post without a valid token refused");
            return Err(forged());
        }
        serde_urlencoded::from_bytes::<T>(&bytes).map(Self).map_err(|error| {
            tracing::debug!(%error, "malformed form");
            PageError::BadRequest(Refusal::new(UNREADABLE, "Some of its fields were missing or malformed."))
        })
    }
}

/// A `multipart/form-data` form (one that uploads files), accepted only
/// from this site with this browser's token, which must be its first part
/// (forms put the hidden field first): no file is read before it checks.
/// Its parts are read whole, within the route's body limit. Rejections as
/// [`CsrfForm`]'s.
#[derive(Debug)]
pub(crate) struct CsrfMultipart(pub Vec<Part>);

/// A part of a [`CsrfMultipart`] form.
#[derive(Debug)]
pub(crate) struct Part {
    /// The field's name.
    pub name: String,
    /// The file's name, for a file (empty when none was chosen).
    pub file_name: Option<String>,
    /// Its content.
    pub bytes: Bytes,
}

/// The refusal of a multipart body that could not be read whole.
fn unreadable_part(error: &MultipartError) -> PageError {
    let refusal = Refusal::new(UNREADABLE, "It was too large or cut short.");
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        PageError::TooLarge(refusal)
    } else {
        PageError::BadRequest(refusal)
    }
}

impl FromRequest<SharedState> for CsrfMultipart {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &SharedState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        if !same_site(&parts.headers, state) {
            tracing::warn!("cross-site upload refused");
            return Err(forged());
        }
        if !is_content_type(&parts.headers, "multipart/form-data") {
            return Err(PageError::UnsupportedMediaType(Refusal::new(UNREADABLE, "Send it as an upload form.")));
        }
        let Ok(visitor) = Visitor::from_request_parts(&mut parts, state).await;
        let mut form = Multipart::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| PageError::UnsupportedMediaType(Refusal::new(UNREADABLE, "Send it as an upload form.")))?;
        let mut read = Vec::new();
        while let Some(field) = form.next_field().await.map_err(|e| unreadable_part(&e))? {
            let name = field.name().unwrap_or_default().to_owned();
            if read.is_empty() && name != "csrf_token" {
                tracing::warn!("upload without its token first refused");
                return Err(forged());
            }
            let file_name = field.file_name().map(str::to_owned);
            let bytes = field.bytes().await.map_err(|e| unreadable_part(&e))?;
            if read.is_empty() {
                let genuine =
                    std::str::from_utf8(&bytes).is_ok_and(|t| state.cookie_key.verify_for(PURPOSE, &visitor.id, t));
                if !genuine {
                    tracing::warn!("upload without a valid token refused");
                    return Err(forged());
                }
            }
            read.push(Part { name, file_name, bytes });
        }
        if read.is_empty() {
            return Err(forged());
        }
        Ok(Self(read.split_off(1)))
    }
}

/// Layer over every route: a browser's cookie session on the API must come
/// from this site with a JSON body (see the module docs).
pub(crate) async fn api_cookie_sessions(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let changes_something = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let by_cookie = !headers.contains_key(AUTHORIZATION) && cookie(headers, SESSION_COOKIE).is_some();
    if !(request.uri().path().starts_with("/api/") && changes_something && by_cookie) {
        return next.run(request).await;
    }
    if !same_site(headers, &state) {
        tracing::warn!("cross-site API call with a session cookie refused");
        let message = "a browser session may call the API only from this site; apps send Authorization: Bearer";
        return ApiError::Forbidden(message.to_owned()).into_response();
    }
    let has_body =
        headers.get(CONTENT_LENGTH).is_some_and(|v| v.as_bytes() != b"0") || headers.contains_key(TRANSFER_ENCODING);
    if has_body && !is_content_type(headers, "application/json") {
        let message = "send the body as JSON, with Content-Type: application/json";
        return ApiError::UnsupportedMediaType(message.to_owned()).into_response();
    }
    next.run(request).await
}

/// Whether the request's `Content-Type` is `expected` (parameters aside).
fn is_content_type(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case(expected))
}

/// Whether the browser says the request comes from this site.
fn same_site(headers: &HeaderMap, state: &AppState) -> bool {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    match header(ORIGIN.as_str()) {
        // An old browser or a non-browser client: the token still has to match.
        None => true,
        Some(origin) => origin_is_ours(origin, &state.public_url, header(HOST.as_str())),
    }
}

/// Whether `origin` is the public address or the host the request was sent to.
fn origin_is_ours(origin: &str, public_url: &str, host: Option<&str>) -> bool {
    if origin.eq_ignore_ascii_case(public_url) {
        return true;
    }
    let authority = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
    matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_must_be_this_site() {
        let public = "https://news.example";
        assert!(origin_is_ours("https://news.example", public, None));
        assert!(origin_is_ours("http://127.0.0.1:8080", public, Some("127.0.0.1:8080")));
        assert!(!origin_is_ours("https://evil.example", public, Some("news.example")));
        assert!(!origin_is_ours("null", public, Some("news.example")));
        assert!(!origin_is_ours("https://news.example.evil.example", public, Some("news.example")));
    }
}
