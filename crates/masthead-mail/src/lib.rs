//! Masthead's email: what it says and how it leaves.
//!
//! Every email is a type in [`emails`] whose words live in files under
//! `templates/<email>/` — `subject.txt`, `body.txt` and `body.html` — checked
//! when the crate compiles. A [`Mailer`] renders one into a multipart
//! message (plain text and HTML) and hands it to its transport, the one
//! interface every caller uses:
//!
//! - the **outbox** (the default): each message is written as a readable
//!   `.eml` file in a directory, for development, demos and tests;
//! - **SMTP** (`smtps://USER:PASSWORD@HOST`, or `smtp://` with
//!   `?tls=required` for STARTTLS) when configured: lettre speaks SMTP with
//!   rustls over a few connections of our own, kept open ([`Relay`]).
//!
//! With a [`Dkim`] key ([`Mailer::with_dkim`]) every message is
//! DKIM-signed before it leaves, whichever the transport.

mod dkim;
pub mod emails;
mod error;
mod smtp;
mod transport;

pub use dkim::Dkim;
pub use emails::{Email, Rendered};
pub use error::MailError;
pub use smtp::Relay;
pub use transport::{Mailer, Transport};
