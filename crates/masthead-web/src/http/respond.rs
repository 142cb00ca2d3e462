//! Small answers every room gives: a redirect after a form, the way to log
//! in and come back, a response kept out of shared caches, and the one check
//! on where a `next=` may send a reader.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A 303 to `location`: after a form, the browser GETs the next page.
pub(crate) fn see_other(location: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// Marks a response that depends on who asked as never to be kept by a
/// shared cache: no cache may serve one reader another reader's page.
pub(crate) fn private(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}

/// `text` made safe to carry as one query value: everything but letters,
/// digits, `-._~` and `/` is percent-encoded (UTF-8 bytes), so a path with
/// its own query (`/newsroom?status=draft&page=2`) comes back whole.
pub(crate) fn query_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(char::from(byte)),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// The log-in page, bringing the reader back to `next` (a path on this
/// site) afterwards; plain `/login` without one.
pub(crate) fn login_url(next: Option<&str>) -> String {
    match next {
        Some(next) => format!("/login?next={}", query_value(next)),
        None => "/login".to_owned(),
    }
}

/// `next` if it is a path on this site: it must start with one `/` and not
/// `//` or `/\` (which browsers read as another host), and hold no control
/// characters. Anything else is dropped, so a crafted link cannot send a
/// reader elsewhere after logging in or paying.
pub(crate) fn safe_next(next: Option<&str>) -> Option<String> {
    const MAX_LEN: usize = 2048;
    let next = next?;
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next.len() <= MAX_LEN
        && !next.chars().any(char::is_control);
    local.then(|| next.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        for ok in ["/", "/world/some-story-12", "/account/devices", "/search?q=a%20b"] {
            assert_eq!(safe_next(Some(ok)).as_deref(), Some(ok), "{ok}");
        }
        for bad in [
            "",
            "world/story-1",
            "//evil.example",
            "//evil.example/world",
            "/\\evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "/world\n/x",
            "/\t/evil.example",
        ] {
            assert_eq!(safe_next(Some(bad)), None, "{bad:?}");
        }
        assert_eq!(safe_next(None), None);
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(3000)))), None);
    }

    #[test]
    fn a_path_and_its_query_come_back_whole() {
        assert_eq!(login_url(Some("/world/a-story-12")), "/login?next=/world/a-story-12");
        assert_eq!(
            login_url(Some("/newsroom?status=draft&section=world")),
            "/login?next=/newsroom%3Fstatus%3Ddraft%26section%3Dworld"
        );
        assert_eq!(login_url(None), "/login");
        assert_eq!(query_value("/a b+c#d%e"), "/a%20b%2Bc%23d%25e");
        assert_eq!(query_value("/é"), "/%C3%A9");
    }
}
