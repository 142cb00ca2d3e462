//! Who is signed in on a request, and the session cookie.
//!
//! A session lives on the server (table `sessions`) and is named by a random
//! token: the browser holds it in the `mh_session` cookie (HttpOnly,
//! SameSite=Lax, Secure over HTTPS), an app sends it as `Authorization:
//! Bearer`. The database keeps only the token's SHA-256. Revoking a session
//! (sign out, "sign out everywhere else", the device limit, a password reset)
//! takes effect on that device's next request, because every request looks
//! the session up: [`SignedIn`] (through the read model's memory of
//! sessions, which a revocation empties).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::{AUTHORIZATION, USER_AGENT};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method};
use masthead_domain::Role;
use masthead_store::SessionOwner;
use sha2::{Digest, Sha256};

use super::error::PageError;
use super::headers::depends_on_reader;
use super::proxies::client_address;
use super::visitor::cookie;
use crate::{AppState, SharedState};

/// The session cookie's name.
pub(crate) const SESSION_COOKIE: &str = "mh_session";
/// A session unused for this long lapses, on the server (for cookies and
/// bearer tokens alike) and in the browser (the cookie's `Max-Age`).
const SESSION_IDLE_DAYS: i64 = 30;
const SESSION_MAX_AGE_SECONDS: i64 = SESSION_IDLE_DAYS * 24 * 3600;
/// Longest `User-Agent` kept for "Your devices".
const USER_AGENT_MAX: usize = 512;
/// Bytes of randomness in a session or account token.
pub(crate) const TOKEN_BYTES: usize = 32;

/// The oldest last use a live session can have at `now`.
pub(crate) fn live_since(now: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    now - chrono::Duration::days(SESSION_IDLE_DAYS)
}

/// Whether a string could be a token we issued: anything else is refused
/// before the database is asked.
pub(crate) fn is_well_formed(token: &str) -> bool {
    token.len() == TOKEN_BYTES * 2 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What the database stores for a token: its SHA-256, hex.
pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A signed-in account.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub id: i64,
    pub role: Role,
    pub email: String,
    /// The session this request came with.
    pub session_id: i64,
    /// Whether the address is confirmed.
    pub verified: bool,
}

impl From<SessionOwner> for Account {
    /// An account whose address is not confirmed (signed in only by its own
    /// sign-up on the way to paying: log-in refuses it) acts as a reader,
    /// whatever role it holds: whoever made it has not shown that the
    /// address is theirs, so nothing given to the address opens to them.
    fn from(owner: SessionOwner) -> Self {
        Self {
            id: owner.reader_id,
            role: if owner.verified { owner.role } else { Role::Reader },
            email: owner.email,
            session_id: owner.session_id,
            verified: owner.verified,
        }
    }
}

/// The account signed in on this request, if any: by bearer token, else by
/// session cookie. A revoked, unknown or malformed token is simply no one.
#[derive(Debug, Clone)]
pub(crate) struct SignedIn(pub Option<Account>);

impl FromRequestParts<SharedState> for SignedIn {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> Result<Self, Self::Rejection> {
        depends_on_reader(parts);
        // Looked up once per request, however many extractors ask.
        if let Some(known) = parts.extensions.get::<SignedIn>() {
            return Ok(known.clone());
        }
        let account = match presented_token(&parts.headers).filter(|t| is_well_formed(t)) {
            None => None,
            Some(token) => {
                let now = state.clock.now();
                let access = state.access.current(&state.store).await?;
                access.session(&token_hash(token), now, live_since(now)).await?.map(Account::from)
            }
        };
        let signed_in = Self(account);
        parts.extensions.insert(signed_in.clone());
        Ok(signed_in)
    }
}

impl SignedIn {
    /// The account, for API routes that need one: else 401.
    pub(crate) fn required(self) -> Result<Account, super::error::ApiError> {
        self.0.ok_or_else(super::error::ApiError::sign_in_first)
    }
}

/// The session token a request carries: `Authorization: Bearer`, else the cookie.
fn presented_token(headers: &HeaderMap) -> Option<&str> {
    if let Some(value) = headers.get(AUTHORIZATION) {
        let value = value.to_str().ok()?;
        let (scheme, token) = value.split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| token.trim());
    }
    cookie(headers, SESSION_COOKIE)
}

/// The `Set-Cookie` value that gives a browser its session.
pub(crate) fn session_cookie(state: &AppState, token: &str) -> HeaderValue {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; Max-Age={SESSION_MAX_AGE_SECONDS}; HttpOnly; SameSite=Lax{secure}"
    ))
    .expect("hex tokens are valid header text")
}

/// The `Set-Cookie` value that removes it.
pub(crate) fn clear_session_cookie(state: &AppState) -> HeaderValue {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}"))
        .expect("static header text")
}

/// Where a request that needs an account sends the browser to log in: back
/// to this address afterwards when it was a GET (a form post cannot be
/// replayed from a redirect).
pub(crate) fn log_in_first(parts: &Parts) -> PageError {
    let next = (parts.method == Method::GET)
        .then(|| parts.uri.path_and_query().map_or_else(|| parts.uri.path(), |p| p.as_str()).to_owned());
    PageError::Unauthorized { next }
}

/// The signed-in account, for pages only an account may see: anyone else is
/// sent to log in, and brought back afterwards when the page was a GET.
#[derive(Debug, Clone)]
pub(crate) struct Required(pub Account);

impl FromRequestParts<SharedState> for Required {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> Result<Self, Self::Rejection> {
        let SignedIn(account) = SignedIn::from_request_parts(parts, state).await?;
        account.map(Self).ok_or_else(|| log_in_first(parts))
    }
}

/// Who is asking, for rate limits and "Your devices".
#[derive(Debug, Clone)]
pub(crate) struct Client {
    /// The client's address: the peer's, or behind a trusted proxy the one
    /// it forwarded (`super::proxies`).
    pub ip: String,
    /// The `User-Agent`, cut to a sane length.
    pub user_agent: String,
}

impl FromRequestParts<SharedState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> Result<Self, Self::Rejection> {
        let ip = parts.extensions.get::<ConnectInfo<SocketAddr>>().map_or_else(
            || "unknown".to_owned(),
            |ConnectInfo(peer)| client_address(peer.ip(), &parts.headers, &state.trusted_proxies).to_string(),
        );
        let user_agent: String = parts
            .headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(USER_AGENT_MAX)
            .collect();
        Ok(Self { ip, user_agent })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_win_over_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert("cookie", HeaderValue::from_static("mh_session=fromcookie"));
        assert_eq!(presented_token(&headers), Some("fromcookie"));
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer fromheader"));
        assert_eq!(presented_token(&headers), Some("fromheader"));
        headers.insert(AUTHORIZATION, HeaderValue::from_static("bearer  spaced "));
        assert_eq!(presented_token(&headers), Some("spaced"));
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic dXNlcjpwYXNz"));
        assert_eq!(presented_token(&headers), None, "another scheme is no session, not a fallback to the cookie");
    }

    #[test]
    fn malformed_tokens_are_recognised() {
        for bad in ["", "abc", &"g".repeat(64), &"a".repeat(63), &"a".repeat(65), &format!("{} ", "a".repeat(63))] {
            assert!(!is_well_formed(bad), "{bad:?}");
        }
        assert!(is_well_formed(&"a1".repeat(32)));
    }

    #[test]
    fn the_stored_hash_is_sha256_hex() {
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
