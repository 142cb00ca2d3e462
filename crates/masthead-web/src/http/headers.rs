//! The headers every response gets, in one layer ([`every_response`]):
//!
//! - **Security headers.** A strict `Content-Security-Policy` (the pages
//!   run no script at all, load styles only from the stylesheet, and may not
//!   be framed), `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`,
//!   a `Referrer-Policy` (pages that set a stricter one keep it), and
//!   `Strict-Transport-Security` when the public address is HTTPS.
//! - **The caching rule.** A response that depends on who asks must never be
//!   kept by a shared cache. Who asks is known only through the extractors
//!   that say it — the browser ([`super::visitor::Visitor`]) and the account
//!   ([`super::session::SignedIn`], and through it `Required` and
//!   `RequireRole`) — and each of them marks the request ([`depends_on_reader`]).
//!   A marked request's response is `private, no-store`, whatever the handler
//!   set; an unmarked one keeps its own `Cache-Control` (the stylesheet,
//!   feeds and pictures are cached publicly), so no handler has to remember.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use super::respond::private;
use crate::SharedState;

/// The policy: no script, no plugin, no frame; styles and fonts from this
/// site; pictures from this site, `data:` (the page icon is inline) or over
/// HTTPS (the sanitiser decides which hosts a story may show); forms post here, or to a payment provider's
/// HTTPS checkout.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'none'; style-src 'self'; \
     img-src 'self' data: https:; font-src 'self'; connect-src 'self'; form-action 'self' https:; \
     frame-ancestors 'none'; base-uri 'none'";
/// Links to other sites say which site, never which page.
const REFERRER_POLICY: &str = "strict-origin-when-cross-origin";
/// Two years, the usual preload value.
const STRICT_TRANSPORT_SECURITY: &str = "max-age=63072000; includeSubDomains";

/// Set on a request whose answer depends on who asks.
#[derive(Debug, Clone, Default)]
struct ReaderDependent(Arc<AtomicBool>);

/// Records that the answer to this request depends on who asks (called by
/// the extractors that find out), so the layer keeps it out of shared caches.
pub(crate) fn depends_on_reader(parts: &Parts) {
    if let Some(ReaderDependent(flag)) = parts.extensions.get::<ReaderDependent>() {
        flag.store(true, Ordering::Relaxed);
    }
}

/// Layer over every route: see the module docs.
pub(crate) async fn every_response(State(state): State<SharedState>, mut request: Request, next: Next) -> Response {
    let dependent = ReaderDependent::default();
    request.extensions_mut().insert(dependent.clone());
    let mut response = next.run(request).await;
    if dependent.0.load(Ordering::Relaxed) {
        response = private(response);
    }
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, REFERRER_POLICY);
    if state.secure_cookies {
        set(header::STRICT_TRANSPORT_SECURITY, STRICT_TRANSPORT_SECURITY);
    }
    response
}
