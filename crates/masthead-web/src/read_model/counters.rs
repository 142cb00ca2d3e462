//! The database's change counters (see `masthead_store::Counters`), each read
//! at most once per page view: the content and access caches and the small
//! tables check them, and a subscriber's story page would otherwise read the
//! access counter three times.
//!
//! Only requests that change nothing (GET, HEAD) share one reading of each,
//! taken as a page view takes it ([`Store::counter`]): the access counter as
//! committed now; the content counter, on PostgreSQL, as the change
//! notifications leave it (no round trip while nothing changed). A request
//! that writes reads them as committed now ([`Store::counters`]), since it
//! may read again after its write and must see it; and once it is answered
//! the next page view reads the content counter afresh too, so this
//! instance's own writes show on the very next request without waiting for
//! their notification. A GET answered with a redirect counts as one that may
//! have written (confirmation links, payment returns).

use std::cell::OnceCell;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use masthead_store::{Counter, Store, StoreError};

/// One page view's readings, each taken when first needed.
#[derive(Debug, Default)]
struct Reading {
    content: OnceCell<i64>,
    access: OnceCell<i64>,
}

impl Reading {
    fn of(&self, which: Counter) -> &OnceCell<i64> {
        match which {
            Counter::Content => &self.content,
            Counter::Access => &self.access,
        }
    }
}

tokio::task_local! {
    static READING: Reading;
}

/// The counter as this page view first read it; outside a page view (a
/// request that writes, a background job), as committed now.
pub(crate) async fn current(store: &Store, which: Counter) -> Result<i64, StoreError> {
    match READING.try_with(|reading| reading.of(which).get().copied()) {
        Ok(Some(read)) => Ok(read),
        Ok(None) => {
            let read = store.counter(which).await?;
            let _ = READING.try_with(|reading| reading.of(which).set(read));
            Ok(read)
        }
        Err(_) => Ok(store.counters().await?.get(which)),
    }
}

/// The access counter as this process last read it, when this page view has
/// not read it yet (`Store::last_access`: on PostgreSQL, at no cost), for a
/// decision whose meter write checks that it still stands there; `None`
/// outside a page view, once this one has read it, and on SQLite.
pub(crate) fn access_unread(store: &Store) -> Option<i64> {
    match READING.try_with(|reading| reading.access.get().is_none()) {
        Ok(true) => store.last_access(),
        _ => None,
    }
}

/// Middleware: gives each GET and HEAD request one shared reading of each
/// counter; after any other request, and a GET answered with a redirect, has
/// the next one read the content counter afresh (see the module notes).
pub(crate) async fn once_per_view(State(store): State<Store>, request: Request, next: Next) -> Response {
    let response = if matches!(*request.method(), Method::GET | Method::HEAD) {
        let response = READING.scope(Reading::default(), next.run(request)).await;
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
