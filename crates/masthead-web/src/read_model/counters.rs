//! The database's change counters (see `masthead_store::Counters`), read at
//! most once per page view: the content and access caches each check them,
//! and a subscriber's story page would otherwise read them three times.
//!
//! Only requests that change nothing (GET, HEAD) share one reading: a
//! request that writes may read again after its write and must see it.

use std::cell::OnceCell;

use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use masthead_store::{Counters, Store, StoreError};

tokio::task_local! {
    static READING: OnceCell<Counters>;
}

/// The counters as committed now, or as this page view first read them.
pub(crate) async fn current(store: &Store) -> Result<Counters, StoreError> {
    if let Ok(Some(read)) = READING.try_with(|reading| reading.get().copied()) {
        return Ok(read);
    }
    let read = store.counters().await?;
    // Outside a page view there is nothing to keep it in, which is fine.
    let _ = READING.try_with(|reading| reading.set(read));
    Ok(read)
}

/// Middleware: gives each GET and HEAD request one shared reading.
pub(crate) async fn once_per_view(request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        READING.scope(OnceCell::new(), next.run(request)).await
    } else {
        next.run(request).await
    }
}
