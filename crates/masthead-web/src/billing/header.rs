//! The header's "Subscribe" on every reader page that is not a skeleton
//! (search, the archive, newsletters, the e-paper, the account pages): the
//! frame leaves a slot for it ([`subscribe_slot`]) and this layer, over the
//! routes of those pages only (see `router` in `lib.rs`), fills it for the
//! reader who asked — the button for a visitor or a
//! reader without a subscription, nothing for subscribers and staff — so no
//! handler has to find out who asks. Pages kept as skeletons (home,
//! sections, stories) fill their own hole the same way, with the standing
//! they already know ([`super::ads::standing`]).
//!
//! Only HTML answers are read, and only up to `<main`: the header comes
//! first. Filling the slot makes the answer depend on who asks, so it is
//! marked so (the caching rule keeps it out of shared caches).

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

use super::ads::standing;
use crate::SharedState;
use crate::http::session::SignedIn;
use crate::http::views::{subscribe_button, subscribe_slot};

/// Layer over the routes of framed pages: see the module docs.
pub(crate) async fn subscribe_in_header(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    // What finding the reader needs once the handler has taken the request:
    // its credentials and its marks (the caching rule's among them).
    let mut probe = Request::new(());
    for name in [header::COOKIE, header::AUTHORIZATION] {
        for value in request.headers().get_all(&name) {
            probe.headers_mut().append(name.clone(), value.clone());
        }
    }
    *probe.extensions_mut() = request.extensions().clone();
    let response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let Some(at) = slot_in_header(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let (mut probe, ()) = probe.into_parts();
    let subscribed = match SignedIn::from_request_parts(&mut probe, &state).await {
        Ok(signed_in) => match standing(&state, &signed_in).await {
            Ok(standing) => standing.subscribed,
            Err(error) => {
                tracing::warn!(%error, "cannot read the reader's benefits for the header");
                true
            }
        },
        Err(_) => true,
    };
    let slot = subscribe_slot().len();
    let fill = subscribe_button(subscribed).as_bytes();
    let mut page = Vec::with_capacity(bytes.len() - slot + fill.len());
    page.extend_from_slice(&bytes[..at]);
    page.extend_from_slice(fill);
    page.extend_from_slice(&bytes[at + slot..]);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(Bytes::from(page)))
}

/// Where the slot stands in a page's header, if it has one.
fn slot_in_header(page: &[u8]) -> Option<usize> {
    let header = find(page, b"<main").map_or(page, |end| &page[..end]);
    find(header, subscribe_slot().as_bytes())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}
