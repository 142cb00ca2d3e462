//! Masthead's newsletter desk: curated newsletters sent as real mail.
//!
//! - [`cadence`]: when a list goes out, in the publisher's time, and the
//!   slot an automatic digest is due for;
//! - [`signup`]: joining by email (double opt-in) or in one click when
//!   signed in, random per-membership tokens, who may receive a
//!   subscriber-only list;
//! - [`digest`]: what an issue says — items built from the free part of each
//!   story only, the intro, one recipient's message and its RFC 8058
//!   `List-Unsubscribe` headers;
//! - [`bounces`]: hard bounces and complaints from the mail provider's
//!   webhooks (SendGrid's signed events, Postmark's records), which
//!   suppress an address for every list;
//! - [`send`]: the job that assembles due digests and sends due issues,
//!   claimed per recipient in the database.
//!
//! The rows live in `masthead_store` (`newsletters.rs`); the pages and API
//! in `masthead_web`'s `newsletter` room; `masthead newsletters send-due`
//! runs [`Desk::run_due`] from the command line.

pub mod bounces;
pub mod cadence;
pub mod digest;
pub mod send;
pub mod signup;

pub use cadence::{Cadence, CadenceError};
pub use digest::Links;
pub use send::{Desk, Next, Report, Settings};

use masthead_store::{NewsletterRecord, Store, StoreError};
use thiserror::Error;

/// What can stop the desk.
#[derive(Debug, Error)]
pub enum Error {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A confirmation mail could not be sent.
    #[error(transparent)]
    Mail(#[from] masthead_mail::MailError),
    /// A stored cadence cannot be read.
    #[error(transparent)]
    Cadence(#[from] CadenceError),
    /// No newsletter has this slug.
    #[error("no newsletter is called {0:?} (the slugs are on /newsletters and in GET /api/v1/newsletters)")]
    NoSuchList(String),
}

/// Adds the demo's newsletters that are missing (lists already there are
/// kept as they are).
pub async fn install_demo_lists(store: &Store) -> Result<(), StoreError> {
    for (demo, position) in masthead_demo::DEMO_NEWSLETTERS.iter().zip(1..) {
        store
            .add_newsletter(&NewsletterRecord {
                id: 0,
                slug: demo.slug.to_owned(),
                name: demo.name.to_owned(),
                description: demo.description.to_owned(),
                cadence: demo.cadence.to_owned(),
                sections: demo.sections.to_owned(),
                subscribers_only: demo.subscribers_only,
                position,
            })
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_cadences_are_valid() {
        for demo in masthead_demo::DEMO_NEWSLETTERS {
            assert!(crate::Cadence::parse(demo.cadence).is_ok(), "{}", demo.slug);
        }
    }
}
