//! Signing in and proving who you are, for the account pages, the API and
//! checkout alike: the flows ([`flows`]: sign up, confirm the address, log
//! in, reset a password), passwords ([`password`]: the length rule and
//! argon2id), single-use tokens ([`token`]) and the rate limits on log-in
//! and reset requests ([`limits`]). No routes: `account` and `billing` call
//! these, so a flow is written once and the pages, the API and the
//! subscribe page cannot disagree.
//!
//! Builds on `http` (who is asking, the visitor's meter to merge at log-in);
//! no other room.

pub(crate) mod flows;
pub(crate) mod limits;
pub(crate) mod password;
pub(crate) mod token;
