//! Mail errors. None reaches a reader: the web layer logs them and answers as
//! if the mail had gone, so a failure never tells whether an account exists.

use std::path::PathBuf;

use thiserror::Error;

/// What can go wrong preparing or sending a message.
#[derive(Debug, Error)]
pub enum MailError {
    /// A template failed to render (a bug).
    #[error("cannot render the {email} email: {source}")]
    Render {
        /// Which email.
        email: &'static str,
        /// Askama's reason.
        source: askama::Error,
    },
    /// A template's CSS could not be inlined (a bug).
    #[error("cannot inline the CSS of the {email} email: {reason}")]
    Inline {
        /// Which email.
        email: &'static str,
        /// css-inline's reason.
        reason: String,
    },
    /// A sender or recipient address lettre does not accept.
    #[error("invalid mail address {0:?}")]
    Address(String),
    /// The message could not be assembled.
    #[error("cannot build the message: {0}")]
    Build(#[from] lettre::error::Error),
    /// The outbox directory cannot be written.
    #[error("cannot write to the mail outbox {dir}: {source} (choose a writable directory with --outbox)")]
    Outbox {
        /// The outbox directory.
        dir: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The SMTP URL is not one we can use.
    #[error("unusable SMTP URL: {0} (use smtps://USER:PASSWORD@HOST, or smtp://HOST for a local relay)")]
    SmtpUrl(String),
    /// The SMTP server refused the message or broke the exchange.
    #[error("SMTP delivery failed: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    /// The SMTP server could not be reached, or TLS with it failed.
    #[error("cannot connect to the SMTP server {server}: {source} (check --smtp-url, and that the server is up)")]
    SmtpConnect {
        /// `scheme://host:port`.
        server: String,
        /// The operating system's or TLS's reason.
        source: std::io::Error,
    },
    /// The DKIM key or its names cannot be used.
    #[error(
        "cannot use the DKIM key {path}: {reason} (give an RSA private key in PEM, e.g. from `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`)"
    )]
    Dkim {
        /// The key file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Signing a message failed.
    #[error("DKIM signing failed: {0}")]
    DkimSign(String),
}
