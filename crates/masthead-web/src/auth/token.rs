//! Secret tokens: sessions, email confirmation and password reset links.
//!
//! A token is 32 random bytes in hex, handed to the reader once; the database
//! keeps only its SHA-256 (`http::session::token_hash`, which every request
//! that carries a session uses too), so a leaked table opens nothing. Tokens
//! are looked up by that hash, so no secret is ever compared byte by byte.

use crate::http::session::TOKEN_BYTES;
use crate::secret::random_hex;

/// A fresh random token, as the reader will hold it.
pub(crate) fn new_token() -> String {
    random_hex(TOKEN_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::session::{is_well_formed, token_hash};

    #[test]
    fn tokens_are_random_hex_of_fixed_length_and_stored_hashed() {
        let (a, b) = (new_token(), new_token());
        assert!(is_well_formed(&a) && is_well_formed(&b));
        assert_ne!(a, b);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), a);
    }
}
