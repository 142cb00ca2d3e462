//! Passwords: the length rule readers are told about, and argon2id hashing.
//!
//! Hashing is deliberately slow, so it runs on tokio's blocking pool. A log-in
//! for an address with no account still verifies against a stand-in hash, so
//! the answer takes as long whether or not the account exists.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Shortest password accepted, in characters.
pub(crate) const MIN_CHARS: usize = 8;
/// Longest password accepted, in characters: long passphrases are welcome,
/// megabytes to hash are not.
pub(crate) const MAX_CHARS: usize = 1024;

/// Whether a new password may be used; the error is the reader's message.
pub(crate) fn check(password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        Err(format!("Choose a password of at least {MIN_CHARS} characters."))
    } else if chars > MAX_CHARS {
        Err(format!("Choose a password of at most {MAX_CHARS} characters."))
    } else {
        Ok(())
    }
}

fn hash_now(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .expect("argon2id hashes any password with a fresh random salt")
        .to_string()
}

/// The argon2id PHC string for a password (random salt, default cost).
pub(crate) async fn hash(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_now(&password)).await.expect("the hashing task does not panic")
}

/// Whether `password` matches `stored`. With no stored hash (no such
/// account) it still does the work, against a stand-in, and says no.
pub(crate) async fn verify(password: String, stored: Option<String>) -> bool {
    static STAND_IN: OnceLock<String> = OnceLock::new();
    tokio::task::spawn_blocking(move || {
        let exists = stored.is_some();
        let stored = stored.unwrap_or_else(|| STAND_IN.get_or_init(|| hash_now("no account here")).clone());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            tracing::error!("a stored password hash cannot be parsed");
            return false;
        };
        let matches = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
        matches && exists
    })
    .await
    .expect("the verifying task does not panic")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_checked_in_characters() {
        assert!(check("1234567").unwrap_err().contains("at least 8 characters"));
        assert!(check("12345678").is_ok());
        assert!(check("ééééééé").is_err(), "7 characters, 14 bytes");
        assert!(check(&"x".repeat(1024)).is_ok());
        assert!(check(&"x".repeat(1025)).unwrap_err().contains("at most 1024 characters"));
    }

    #[tokio::test]
    async fn hashes_verify_only_their_password() {
        let stored = hash("correct horse".into()).await;
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(verify("correct horse".into(), Some(stored.clone())).await);
        assert!(!verify("wrong horse".into(), Some(stored.clone())).await);
        assert!(!verify("no account here".into(), None).await, "the stand-in never signs anyone in");
        assert!(!verify("x".into(), Some("not a hash".into())).await);
        assert_ne!(hash("correct horse".into()).await, stored, "salted");
    }
}
