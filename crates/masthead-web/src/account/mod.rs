//! Reader and staff accounts: sign-up with email confirmation, log-in and
//! log-out, password reset, and sessions ("Your devices") — as pages for
//! browsers ([`pages`]) and as JSON for apps ([`api`]), over one set of
//! flows ([`flows`]) so the two cannot disagree.
//!
//! A session lives on the server (table `sessions`) and is named by a random
//! token: the browser holds it in the `mh_session` cookie (HttpOnly,
//! SameSite=Lax, Secure over HTTPS), an app sends it as `Authorization:
//! Bearer`. The database keeps only the token's SHA-256. Revoking a session
//! (sign out, "sign out everywhere else", the device limit, a password reset)
//! takes effect on that device's next request, because every request looks
//! the session up: [`SignedIn`].

mod api;
mod flows;
mod limits;
mod pages;
mod password;
mod token;
mod user_agent;
mod views;

pub(crate) use flows::{LogIn, log_in, new_credentials, sign_up};
pub(crate) use pages::{safe_next, see_other};
// For `masthead staff add` (the newsroom's staff module).
pub(crate) use password::{check as check_password, hash as hash_password};
pub(crate) use token::{new_token, token_hash};

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts};
use axum::http::header::{AUTHORIZATION, LOCATION, USER_AGENT};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use masthead_store::SessionOwner;

use crate::error::PageError;
use crate::visitor::cookie;
use crate::{AppState, SharedState};

pub(crate) use limits::Limiters;
pub use limits::RateLimits;

/// The session cookie's name.
const SESSION_COOKIE: &str = "mh_session";
/// A session unused for this long lapses, on the server (for cookies and
/// bearer tokens alike) and in the browser (the cookie's `Max-Age`).
const SESSION_IDLE_DAYS: i64 = 30;
const SESSION_MAX_AGE_SECONDS: i64 = SESSION_IDLE_DAYS * 24 * 3600;

/// The oldest last use a live session can have at `now`.
fn live_since(now: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    now - chrono::Duration::days(SESSION_IDLE_DAYS)
}
/// Request bodies on account routes: a form or JSON object of a few fields.
const BODY_LIMIT: usize = 16 * 1024;
/// Longest `User-Agent` kept for "Your devices".
const USER_AGENT_MAX: usize = 512;

/// What a signed-in person may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// A reader account.
    Reader,
    /// Newsroom: writes stories.
    Writer,
    /// Newsroom: edits and publishes.
    Editor,
    /// Runs the site.
    Admin,
}

impl Role {
    /// Reads the stored spelling; anything unknown is the least privileged.
    fn from_stored(stored: &str) -> Self {
        match stored {
            "writer" => Self::Writer,
            "editor" => Self::Editor,
            "admin" => Self::Admin,
            "reader" => Self::Reader,
            other => {
                tracing::warn!(role = other, "unknown stored role, treated as a reader");
                Self::Reader
            }
        }
    }

    /// Newsroom staff read everything.
    pub fn is_staff(self) -> bool {
        !matches!(self, Self::Reader)
    }
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
    fn from(owner: SessionOwner) -> Self {
        Self {
            id: owner.reader_id,
            role: Role::from_stored(&owner.role),
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
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> Result<Self, Self::Rejection> {
        // Looked up once per request, however many extractors ask.
        if let Some(known) = parts.extensions.get::<SignedIn>() {
            return Ok(known.clone());
        }
        let account = match presented_token(&parts.headers).filter(|t| token::is_well_formed(t)) {
            None => None,
            Some(token) => {
                let now = state.clock.now();
                let session = async {
                    state
                        .access
                        .current(&state.store)
                        .await?
                        .session(&token::token_hash(token), now, live_since(now))
                        .await
                };
                session.await.map_err(|error| PageError::Store(error).into_response())?.map(Account::from)
            }
        };
        let signed_in = Self(account);
        parts.extensions.insert(signed_in.clone());
        Ok(signed_in)
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
fn clear_session_cookie(state: &AppState) -> HeaderValue {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}"))
        .expect("static header text")
}

/// The signed-in account, for pages only an account may see: anyone else is
/// sent to log in, and brought back afterwards when the page was a GET.
#[derive(Debug, Clone)]
pub(crate) struct Required(pub Account);

impl FromRequestParts<SharedState> for Required {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> Result<Self, Self::Rejection> {
        let SignedIn(account) = SignedIn::from_request_parts(parts, state).await?;
        account.map(Self).ok_or_else(|| {
            let login = if parts.method == Method::GET {
                format!("/login?next={}", parts.uri.path())
            } else {
                "/login".to_owned()
            };
            (StatusCode::SEE_OTHER, [(LOCATION, login)]).into_response()
        })
    }
}

/// Who is asking, for rate limits and "Your devices".
#[derive(Debug, Clone)]
pub(crate) struct Client {
    /// The peer address (the proxy's, behind one).
    pub ip: String,
    /// The `User-Agent`, cut to a sane length.
    pub user_agent: String,
}

impl FromRequestParts<SharedState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &SharedState) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "unknown".to_owned(), |ConnectInfo(peer)| peer.ip().to_string());
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

/// A page that explains a refusal (403, 400, 413, 429…) in the site's frame.
pub(crate) fn problem_page(state: &AppState, status: StatusCode, heading: &str, message: &str) -> Response {
    views::notice(state, status, heading, &[message], None)
}

/// The account pages and API routes.
pub(crate) fn routes() -> Router<SharedState> {
    Router::new()
        .route("/signup", get(pages::signup_form).post(pages::signup))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/account", get(pages::account))
        .route("/account/verify", get(pages::verify_email))
        .route("/account/forgot-password", get(pages::forgot_form).post(pages::forgot))
        .route("/account/reset-password", get(pages::reset_form).post(pages::reset))
        .route("/account/devices", get(pages::devices))
        .route("/account/devices/sign-out-others", post(pages::sign_out_others))
        .route("/account/devices/{id}/sign-out", post(pages::sign_out_device))
        .route("/api/v1/readers", post(api::register))
        .route("/api/v1/session", post(api::log_in).delete(api::log_out))
        .route("/api/v1/me", get(api::me))
        .route("/api/v1/me/devices", get(api::devices))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
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
    fn only_newsroom_roles_are_staff() {
        assert!(!Role::from_stored("reader").is_staff());
        assert!(!Role::from_stored("something else").is_staff());
        for role in ["writer", "editor", "admin"] {
            assert!(Role::from_stored(role).is_staff(), "{role}");
        }
    }
}
