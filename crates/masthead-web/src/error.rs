//! Why the server could not start (errors of a request are `http::error`'s).

use std::net::SocketAddr;

use masthead_store::StoreError;
use thiserror::Error;

/// Why the server could not start.
#[derive(Debug, Error)]
pub enum StartError {
    /// The listen address is taken or not ours.
    #[error(
        "cannot listen on {address}: {source} (is another server running there? pick another port with --listen 127.0.0.1:PORT)"
    )]
    Bind {
        /// The address asked for.
        address: SocketAddr,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The metrics address is taken or not ours.
    #[error("cannot serve metrics on {address}: {source} (pick another port with --metrics-listen 127.0.0.1:PORT)")]
    MetricsBind {
        /// The address asked for.
        address: SocketAddr,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The metrics exporter could not be installed.
    #[error("{0}")]
    Metrics(String),
    /// The database failed while loading the site.
    #[error(transparent)]
    Store(StoreError),
    /// The search index cannot be opened (or another process writes it).
    #[error("{0} (each instance needs a search index directory of its own: set --index-dir)")]
    Search(masthead_search::SearchError),
    /// The stored cookie-signing secret is not a 32-byte hex string.
    #[error("the stored cookie_key setting is invalid; delete it from the settings table to generate a new one")]
    BadSecret,
}
