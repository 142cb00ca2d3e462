//! Making a staff account from the command line (`masthead staff add`):
//! the way the first admin comes to be, and a way to promote an existing
//! account. The account is created when the address has none, confirmed
//! (an operator vouches for it), and given the role; it gets its password
//! either from the operator (`--password-stdin`) or through a single-use
//! link to the password-reset page, valid for [`SET_PASSWORD_FOR`].
//!
//! Anyone can sign up with any address and leave it unconfirmed, so an
//! unconfirmed account may belong to someone waiting for the address's owner
//! to be given a role. Before a role goes to such an account (here or on the
//! staff page) it is taken back ([`reclaim_for_role`]): its password, sessions
//! and links end, and only a fresh set-password link opens it.

use chrono::{DateTime, Utc};
use masthead_domain::Role;
use masthead_domain::email::{Email, EmailError};
use masthead_domain::role::RoleChangeRefused;
use masthead_store::{ReaderRecord, Store, StoreError, TokenPurpose};
use thiserror::Error;

use crate::auth::password::{check as check_password, hash as hash_password};
use crate::auth::token::new_token;
use crate::http::session::token_hash;

/// How long the printed set-password link works.
pub const SET_PASSWORD_FOR: chrono::Duration = chrono::Duration::hours(24);

/// What `add_staff` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAdded {
    /// The account's id.
    pub id: i64,
    /// Whether the account is new (else an existing one got the role).
    pub created: bool,
    /// The secret of a single-use set-password link, when no password was given:
    /// `PUBLIC_URL/account/reset-password?token=SECRET`.
    pub set_password_token: Option<String>,
}

/// Why a staff account could not be made.
#[derive(Debug, Error)]
pub enum StaffError {
    /// The address does not parse.
    #[error("{0}")]
    Email(#[from] EmailError),
    /// Not one of the roles.
    #[error("unknown role {0:?}: use one of writer, editor, admin (or reader to take the newsroom away)")]
    Role(String),
    /// The password given is too short or too long.
    #[error("{0}")]
    Password(String),
    /// The account is the last admin, and the role given is not admin.
    #[error("{0} is the last admin: make another account admin first")]
    LastAdmin(Email),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Creates (or promotes) the account at `email` with `role`; sets
/// `password` when given, else issues a set-password link.
pub async fn add_staff(
    store: &Store,
    email: &str,
    role: &str,
    password: Option<String>,
    now: DateTime<Utc>,
) -> Result<StaffAdded, StaffError> {
    let email = Email::parse(email)?;
    let role = Role::parse(role).ok_or_else(|| StaffError::Role(role.to_owned()))?;
    if let Some(password) = &password {
        check_password(password).map_err(StaffError::Password)?;
    }
    // A new account starts with a password no one knows.
    let placeholder = hash_password(new_token()).await;
    let (id, created) = loop {
        if let Some(id) = store.create_reader(&email, &placeholder, now).await? {
            break (id, true);
        }
        if let Some(existing) = store.reader_by_email(&email).await? {
            if role.is_staff() && existing.verified_at.is_none() {
                store.reclaim_unconfirmed(existing.id, &placeholder, now).await?;
            }
            break (existing.id, false);
        }
        // The account was removed between the two questions: make it after all.
    };
    store.set_role(id, role).await?.map_err(|RoleChangeRefused::LastAdmin| StaffError::LastAdmin(email.clone()))?;
    store.mark_verified(id, now).await?;
    let set_password_token = match password {
        Some(password) => {
            store.change_password(id, &hash_password(password).await, now).await?;
            None
        }
        None => {
            let secret = new_token();
            store
                .issue_account_token(&token_hash(&secret), id, TokenPurpose::ResetPassword, now + SET_PASSWORD_FOR)
                .await?;
            Some(secret)
        }
    };
    Ok(StaffAdded { id, created, set_password_token })
}

/// Before `account` is given the newsroom role `role`: an unconfirmed
/// account is taken back from whoever made it (password, sessions and links
/// end) and gets a set-password link for [`SET_PASSWORD_FOR`], whose secret
/// is returned to be mailed to the address. A confirmed account, or a role
/// that opens nothing, is left alone (`None`).
pub(crate) async fn reclaim_for_role(
    store: &Store,
    account: &ReaderRecord,
    role: Role,
    now: DateTime<Utc>,
) -> Result<Option<String>, StoreError> {
    if !role.is_staff() || account.verified_at.is_some() {
        return Ok(None);
    }
    let placeholder = hash_password(new_token()).await;
    if !store.reclaim_unconfirmed(account.id, &placeholder, now).await? {
        return Ok(None);
    }
    let secret = new_token();
    store
        .issue_account_token(&token_hash(&secret), account.id, TokenPurpose::ResetPassword, now + SET_PASSWORD_FOR)
        .await?;
    Ok(Some(secret))
}
