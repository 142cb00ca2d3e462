//! Secret tokens: sessions, email confirmation and password reset links.
//!
//! A token is 32 random bytes in hex, handed to the reader once; the database
//! keeps only its SHA-256, so a leaked table opens nothing. Tokens are looked
//! up by that hash, so no secret is ever compared byte by byte here.

use sha2::{Digest, Sha256};

use crate::visitor::random_hex;

/// Bytes of randomness in a token.
const TOKEN_BYTES: usize = 32;

/// A fresh random token, as the reader will hold it.
pub(crate) fn new_token() -> String {
    random_hex(TOKEN_BYTES)
}

/// Whether a string could be a token we issued: anything else is refused
/// before the database is asked.
pub(crate) fn is_well_formed(token: &str) -> bool {
    token.len() == TOKEN_BYTES * 2 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What the database stores for a token: its SHA-256, hex.
pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_hex_of_fixed_length() {
        let (a, b) = (new_token(), new_token());
        assert!(is_well_formed(&a) && is_well_formed(&b));
        assert_ne!(a, b);
    }

    #[test]
    fn malformed_tokens_are_recognised() {
        for bad in ["", "abc", &"g".repeat(64), &"a".repeat(63), &"a".repeat(65), &format!("{} ", "a".repeat(63))] {
            assert!(!is_well_formed(bad), "{bad:?}");
        }
    }

    #[test]
    fn the_stored_hash_is_sha256_hex() {
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let token = new_token();
        assert_eq!(token_hash(&token), token_hash(&token));
        assert_ne!(token_hash(&token), token);
    }
}
