//! Email addresses, parsed once at the edge: an [`Email`] is trimmed,
//! lowercased and shaped like an address a mail server will accept, so the
//! rest of Masthead never re-checks one and two spellings of one address are
//! one account.
//!
//! The rules are deliberately practical rather than RFC 5322 in full: one
//! `@`, a local part of printable ASCII without spaces, quotes or angle
//! brackets, and a domain of at least two dot-separated labels of letters,
//! digits and inner hyphens. Whether the mailbox exists is for the
//! verification mail to find out.

use std::fmt;

use thiserror::Error;

/// Longest address SMTP carries (RFC 5321's path limit less the brackets).
const MAX_LEN: usize = 254;
/// Longest local part (before the `@`).
const MAX_LOCAL_LEN: usize = 64;
/// Longest domain label.
const MAX_LABEL_LEN: usize = 63;

/// A well-formed email address, lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

/// Why a string is not an email address; the message is meant for the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum EmailError {
    /// Nothing was given.
    #[error("Enter your email address.")]
    Empty,
    /// Longer than any deliverable address.
    #[error("That email address is too long.")]
    TooLong,
    /// Not `name@domain.tld`.
    #[error("Enter an email address like name@example.com.")]
    Malformed,
}

impl Email {
    /// Parses an address: surrounding spaces are ignored, letters lowercased.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.len() > MAX_LEN {
            return Err(EmailError::TooLong);
        }
        let address = trimmed.to_ascii_lowercase();
        let (local, domain) = address.split_once('@').ok_or(EmailError::Malformed)?;
        if !valid_local(local) || !valid_domain(domain) {
            return Err(EmailError::Malformed);
        }
        Ok(Self(address))
    }

    /// The address as stored and mailed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Dot-atoms of printable ASCII: no empty atom (so no leading, trailing or
/// doubled dot) and none of the characters that need quoting.
fn valid_local(local: &str) -> bool {
    const SPECIALS: &[u8] = b"!#$%&'*+-/=?^_`{|}~";
    !local.is_empty()
        && local.len() <= MAX_LOCAL_LEN
        && local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.bytes().all(|b| b.is_ascii_alphanumeric() || SPECIALS.contains(&b)))
}

/// At least two labels; each 1–63 letters, digits or inner hyphens; the last
/// not all digits (so `user@127.0.0.1` is refused).
fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= MAX_LABEL_LEN
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && labels.last().is_some_and(|tld| !tld.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lowercased() {
        let email = Email::parse("  Priya.Sharma+News@Example.CO.in ").unwrap();
        assert_eq!(email.as_str(), "priya.sharma+news@example.co.in");
        assert_eq!(email, Email::parse("priya.sharma+news@example.co.in").unwrap());
        assert_eq!(email.to_string(), "priya.sharma+news@example.co.in");
    }

    #[test]
    fn ordinary_addresses_parse() {
        for ok in ["a@b.co", "first.last@sub.example.com", "x_y-z@my-domain.org", "o'neil@example.ie", "1@2.in"] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "plainaddress",
            "@example.com",
            "user@",
            "user@example",
            "user@@example.com",
            "us er@example.com",
            "user@exa mple.com",
            ".user@example.com",
            "user.@example.com",
            "us..er@example.com",
            "user@example..com",
            "user@-example.com",
            "user@example-.com",
            "user@127.0.0.1",
            "\"quoted\"@example.com",
            "<user@example.com>",
            "user@example.com\nBcc: victim@example.com",
            "üser@example.com",
            "user@exämple.com",
            "user@example.com, other@example.com",
        ] {
            assert_eq!(Email::parse(bad).err(), Some(EmailError::Malformed), "{bad:?}");
        }
    }

    #[test]
    fn empty_and_overlong_addresses_say_so() {
        assert_eq!(Email::parse("   "), Err(EmailError::Empty));
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert_eq!(Email::parse(&long_local), Err(EmailError::Malformed));
        let long_label = format!("a@{}.com", "b".repeat(64));
        assert_eq!(Email::parse(&long_label), Err(EmailError::Malformed));
    }

    #[test]
    fn parsing_is_idempotent() {
        // Whatever parses, re-parsing its stored form gives the same address.
        let samples = ["A@B.CO", " mixed.Case@Example.Org", "x+tag@sub.example.in"];
        for raw in samples {
            let once = Email::parse(raw).unwrap();
            assert_eq!(Email::parse(once.as_str()).unwrap(), once);
        }
    }
}
