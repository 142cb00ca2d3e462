//! Joining and leaving a list.
//!
//! By email alone it is double opt-in: the address gets a confirmation link
//! (a random token, of which only the SHA-256 is stored, valid for
//! [`CONFIRM_VALID_FOR`]) and nothing else until the link is opened. A
//! signed-in reader joins in one click: the account's address is already
//! confirmed by the account. Every membership has its own random
//! unsubscribe token, made when the address first joins the list.

use chrono::{DateTime, Duration, Utc};
use masthead_domain::access::Benefit;
use masthead_domain::email::Email;
use masthead_mail::Mailer;
use masthead_mail::emails::NewsletterConfirm;
use masthead_store::{ListMember, NewsletterRecord, Store, StoreError};
use sha2::{Digest, Sha256};

use crate::{Error, Links};

/// How long a confirmation link works.
pub const CONFIRM_VALID_FOR: Duration = Duration::days(2);

/// Bytes of randomness in a confirmation or unsubscribe token.
const TOKEN_BYTES: usize = 32;

/// A random token, hex.
fn random_token() -> String {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    hex::encode(bytes)
}

/// What the database keeps of a confirmation token.
fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether a string could be a token we made: anything else is refused
/// before the database is asked.
pub fn is_well_formed(token: &str) -> bool {
    token.len() == TOKEN_BYTES * 2 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether a reader holding `benefits` may receive `list`: subscriber-only
/// lists need the newsletters benefit; the others are for anyone.
pub fn may_receive(list: &NewsletterRecord, benefits: &[Benefit]) -> bool {
    !list.subscribers_only || benefits.contains(&Benefit::Newsletters)
}

/// Signs `email` up to `list` pending confirmation and mails the link; does
/// nothing (and mails nothing) when the address already receives the list
/// or is suppressed (it bounced or complained), so the answer is the same
/// either way. Subscriber-only lists are refused
/// before this is called: they need an account holding the benefit.
pub async fn request(
    store: &Store,
    mailer: &Mailer,
    publisher: &str,
    links: &Links,
    list: &NewsletterRecord,
    email: &Email,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    if store.suppression(email.as_str()).await?.is_some() {
        return Ok(());
    }
    let token = random_token();
    let pending = store
        .request_newsletter(list.id, email.as_str(), &token_hash(&token), now + CONFIRM_VALID_FOR, &random_token(), now)
        .await?;
    if pending {
        let mail = NewsletterConfirm {
            publisher: publisher.to_owned(),
            newsletter: list.name.clone(),
            link: links.confirm(&token),
            valid_for: "2 days".to_owned(),
        };
        mailer.send(email, &mail).await?;
    }
    Ok(())
}

/// Puts a signed-in reader's address on `list` at once; false when it
/// already was on it.
pub async fn join(
    store: &Store,
    list: &NewsletterRecord,
    reader_id: i64,
    email: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    store.join_newsletter(list.id, email, reader_id, &random_token(), now).await
}

/// Confirms the sign-up a link's token names; None when the token is
/// unknown, used or expired.
pub async fn confirm(store: &Store, token: &str, now: DateTime<Utc>) -> Result<Option<ListMember>, Error> {
    if !is_well_formed(token) {
        return Ok(None);
    }
    Ok(store.confirm_newsletter(&token_hash(token), now).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(subscribers_only: bool) -> NewsletterRecord {
        NewsletterRecord {
            id: 1,
            slug: "x".into(),
            name: "X".into(),
            description: String::new(),
            cadence: "daily 07:00".into(),
            sections: String::new(),
            subscribers_only,
            position: 0,
        }
    }

    #[test]
    fn subscriber_only_lists_need_the_benefit() {
        assert!(may_receive(&list(false), &[]));
        assert!(!may_receive(&list(true), &[]));
        assert!(!may_receive(&list(true), &[Benefit::PremiumStories, Benefit::Archive]));
        assert!(may_receive(&list(true), &[Benefit::Newsletters]));
    }

    #[test]
    fn tokens_are_random_and_well_formed() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert!(is_well_formed(&a));
        assert!(!is_well_formed(&a[1..]));
        assert!(!is_well_formed(&"z".repeat(64)));
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
