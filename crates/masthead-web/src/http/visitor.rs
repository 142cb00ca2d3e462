//! The anonymous visitor: a first-party cookie naming the browser.
//!
//! The cookie holds a random, time-ordered id and an HMAC of it under a server secret kept
//! in the database (so every instance shares it). A cookie that fails the
//! check is ignored and the browser becomes a brand-new visitor: tampering can
//! never buy more free stories than clearing cookies does, and replaying a
//! cookie only replays the same meter.

use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::headers::depends_on_reader;
use crate::SharedState;
use crate::secret::random_hex;

/// The visitor cookie's name.
pub(crate) const COOKIE_NAME: &str = "mh_visitor";
/// Two years, as the meter needs to recognise a browser across months.
const MAX_AGE_SECONDS: u32 = 2 * 365 * 24 * 3600;

/// The key cookies are signed with.
#[derive(Clone)]
pub(crate) struct CookieKey(Vec<u8>);

impl std::fmt::Debug for CookieKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CookieKey(***)")
    }
}

impl CookieKey {
    /// A key from its stored hex form.
    pub fn from_hex(hex_key: &str) -> Option<Self> {
        hex::decode(hex_key).ok().filter(|k| k.len() >= 32).map(Self)
    }

    fn mac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("HMAC takes any key length")
    }

    fn sign(&self, id: &str) -> String {
        let mut mac = self.mac();
        mac.update(id.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// A signature of `value` for one `purpose` (such as a form token tied to
    /// a visitor id): keyed like the cookie, but never valid as one.
    pub(crate) fn sign_for(&self, purpose: &str, value: &str) -> String {
        let mut mac = self.mac();
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Whether `signature` is [`Self::sign_for`]'s for `purpose` and `value`,
    /// checked in constant time.
    pub(crate) fn verify_for(&self, purpose: &str, value: &str, signature: &str) -> bool {
        let Ok(signature) = hex::decode(signature) else {
            return false;
        };
        let mut mac = self.mac();
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(value.as_bytes());
        mac.verify_slice(&signature).is_ok()
    }

    /// The id in a cookie value, if its signature holds (checked in constant time).
    fn verify(&self, value: &str) -> Option<String> {
        let (id, signature) = value.split_once('.')?;
        if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let signature = hex::decode(signature).ok()?;
        let mut mac = self.mac();
        mac.update(id.as_bytes());
        mac.verify_slice(&signature).ok()?;
        Some(id.to_owned())
    }
}

/// One value of the `Cookie` header.
pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The browser making the request.
#[derive(Debug, Clone)]
pub(crate) struct Visitor {
    /// 32 hex characters.
    pub id: String,
    /// Set when the browser brought no valid cookie: the response must set one.
    new_cookie: Option<HeaderValue>,
}

impl Visitor {
    /// The meter this browser reads on while logged out.
    pub fn meter(&self) -> String {
        format!("v:{}", self.id)
    }

    /// Whether the browser brought no valid cookie: a visitor first seen now.
    pub fn is_new(&self) -> bool {
        self.new_cookie.is_some()
    }

    /// Adds the visitor cookie to a response if the browser does not have it yet.
    pub fn remember(&self, mut response: Response) -> Response {
        if let Some(cookie) = &self.new_cookie {
            response.headers_mut().append(SET_COOKIE, cookie.clone());
        }
        response
    }
}

/// A new visitor's id: the time in milliseconds (12 hex digits), then 80
/// random bits. The random part makes it unguessable (and the cookie is
/// signed besides); the time first makes new visitors' meters sort after
/// older ones, so a burst of drive-by readers appends to the end of the
/// meter's tables instead of touching pages all over them.
fn new_visitor_id(now: std::time::SystemTime) -> String {
    let millis = now.duration_since(std::time::UNIX_EPOCH).map_or(0, |since| since.as_millis());
    format!("{:012x}{}", millis & 0xffff_ffff_ffff, random_hex(10))
}

impl FromRequestParts<SharedState> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> Result<Self, Self::Rejection> {
        depends_on_reader(parts);
        if let Some(id) = cookie(&parts.headers, COOKIE_NAME).and_then(|v| state.cookie_key.verify(v)) {
            return Ok(Self { id, new_cookie: None });
        }
        let id = new_visitor_id(std::time::SystemTime::now());
        let secure = if state.secure_cookies { "; Secure" } else { "" };
        let value = format!(
            "{COOKIE_NAME}={id}.{}; Path=/; Max-Age={MAX_AGE_SECONDS}; HttpOnly; SameSite=Lax{secure}",
            state.cookie_key.sign(&id)
        );
        let new_cookie = HeaderValue::from_str(&value).ok();
        Ok(Self { id, new_cookie })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> CookieKey {
        CookieKey::from_hex(&"ab".repeat(32)).unwrap()
    }

    #[test]
    fn signed_ids_verify_and_tampered_ones_do_not() {
        let key = key();
        let id = "0123456789abcdef0123456789abcdef";
        let value = format!("{id}.{}", key.sign(id));
        assert_eq!(key.verify(&value).as_deref(), Some(id));
        let other = "1123456789abcdef0123456789abcdef";
        assert_eq!(key.verify(&format!("{other}.{}", key.sign(id))), None, "id swapped");
        assert_eq!(key.verify(&value[..value.len() - 2]), None, "signature cut");
        assert_eq!(key.verify(id), None, "no signature");
        assert_eq!(key.verify(&format!("{id}.zz")), None);
        let wrong_key = CookieKey::from_hex(&"cd".repeat(32)).unwrap();
        assert_eq!(wrong_key.verify(&value), None);
    }

    #[test]
    fn new_visitor_ids_are_unguessable_and_sort_by_time() {
        let at = |millis| std::time::UNIX_EPOCH + std::time::Duration::from_millis(millis);
        let (earlier, later) = (new_visitor_id(at(1_790_000_000_000)), new_visitor_id(at(1_790_000_000_001)));
        assert_eq!(earlier.len(), 32);
        assert!(earlier.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(earlier < later, "{earlier} sorts before {later}");
        assert_ne!(new_visitor_id(at(5)), new_visitor_id(at(5)), "the same millisecond, two visitors");
        let key = key();
        assert_eq!(key.verify(&format!("{earlier}.{}", key.sign(&earlier))), Some(earlier));
    }

    #[test]
    fn short_keys_are_refused() {
        assert!(CookieKey::from_hex("abcd").is_none());
        assert!(CookieKey::from_hex("not hex").is_none());
    }

    #[test]
    fn cookie_header_lookup() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("a=1; mh_visitor=x.y; b=2"));
        assert_eq!(cookie(&headers, "mh_visitor"), Some("x.y"));
        assert_eq!(cookie(&headers, "c"), None);
    }
}
