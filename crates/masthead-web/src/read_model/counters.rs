//! The database's change counters (see `masthead_store::Counters`), read at
//! most once per page view: the content and access caches each check them,
//! and a subscriber's story page would otherwise read them three times.
//!
//! Only requests that change nothing (GET, HEAD) share one reading, and
//! take the counters as the change notifications leave them
//! ([`Store::counters`]: on PostgreSQL no round trip while nothing changed).
//! A request that writes reads them afresh ([`Store::fresh_counters`]),
//! since it may read again after its write and must see it; and once it is
//! answered the next page view reads them afresh too, so this instance's own
//! writes show on the very next request without waiting for their
//! notification. A GET answered with a redirect counts as one that may have
//! written (confirmation links, payment returns).

use std::cell::OnceCell;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use masthead_store::{Counters, Store, StoreError};

tokio::task_local! {
    static READING: OnceCell<Counters>;
}

/// The counters as this page view first read them; outside a page view
/// (a request that writes, a background job), as committed now.
pub(crate) async fn current(store: &Store) -> Result<Counters, StoreError> {
    match READING.try_with(|reading| reading.get().copied()) {
        Ok(Some(read)) => Ok(read),
        Ok(None) => {
            let read = store.counters().await?;
            let _ = READING.try_with(|reading| reading.set(read));
            Ok(read)
        }
        Err(_) => store.fresh_counters().await,
    }
}

/// Middleware: gives each GET and HEAD request one shared reading; after
/// any other request, and a GET answered with a redirect, has the next one
/// read the counters afresh (see the module notes).
pub(crate) async fn once_per_view(State(store): State<Store>, request: Request, next: Next) -> Response {
    let response = if matches!(*request.method(), Method::GET | Method::HEAD) {
        let response = READING.scope(OnceCell::new(), next.run(request)).await;
        if !response.status().is_redirection() {
            return response;
        }
        response
    } else {
        next.run(request).await
    };
    store.may_have_changed();
    response
}
