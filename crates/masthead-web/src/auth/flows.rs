//! What signing up, logging in and resetting a password do, once, for the
//! pages and the API alike.
//!
//! No flow tells whether an address has an account: sign-up answers the same
//! and mails either a confirmation or "you already have an account"; a reset
//! request answers the same and mails only when there is an account; log-in
//! takes as long for an unknown address (see [`super::password::verify`]).
//! Mail is sent in the background, so neither its time nor its failure shows.
//! Each flow counts itself against the rate limits of [`super::limits`]
//! first.

use chrono::Duration;
use masthead_domain::email::Email;
use masthead_insights::EventKind;
use masthead_mail::emails::{AlreadyRegistered, ResetPassword, VerifyEmail};
use masthead_store::{NewSession, SessionKind, StoreError, TokenPurpose};

use super::limits::LogInGate;
use super::password;
use super::token::new_token;
use crate::AppState;
use crate::http::session::{Client, is_well_formed, token_hash};
use crate::http::visitor::Visitor;

/// How long an email confirmation link works.
const VERIFY_FOR: Duration = Duration::hours(48);
/// How long a password reset link works.
const RESET_FOR: Duration = Duration::hours(1);

/// Messages about the fields of an account form, shown beside each field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FieldErrors {
    pub email: Option<String>,
    pub password: Option<String>,
}

impl FieldErrors {
    pub fn is_empty(&self) -> bool {
        self.email.is_none() && self.password.is_none()
    }

    /// Each message with its field, for the API's problem.
    pub fn listed(&self) -> Vec<crate::http::error::FieldError> {
        [("email", &self.email), ("password", &self.password)]
            .into_iter()
            .filter_map(|(field, message)| Some(crate::http::error::FieldError::new(field, message.clone()?)))
            .collect()
    }

    /// All messages in one line.
    pub fn joined(&self) -> String {
        [&self.email, &self.password].into_iter().flatten().cloned().collect::<Vec<_>>().join(" ")
    }
}

/// A new account's address and password, both checked.
#[derive(Debug)]
pub(crate) struct NewCredentials {
    pub email: Email,
    pub password: String,
}

/// Checks a sign-up's address and password, saying what is wrong with each.
pub(crate) fn new_credentials(email: &str, password_text: &str) -> Result<NewCredentials, FieldErrors> {
    let email = Email::parse(email);
    let errors = FieldErrors {
        email: email.as_ref().err().map(ToString::to_string),
        password: password::check(password_text).err(),
    };
    match email {
        Ok(email) if errors.is_empty() => Ok(NewCredentials { email, password: password_text.to_owned() }),
        _ => Err(errors),
    }
}

/// Checks a new password alone (the reset form).
pub(crate) fn new_password(password_text: &str) -> Result<(), FieldErrors> {
    password::check(password_text).map_err(|message| FieldErrors { password: Some(message), ..FieldErrors::default() })
}

/// Sends an email in the background; a failure is logged, never shown.
pub(crate) fn send_later<E>(state: &AppState, to: Email, email: E)
where
    E: masthead_mail::Email + Send + Sync + 'static,
{
    let mailer = state.mailer.clone();
    tokio::spawn(async move {
        if let Err(error) = mailer.send(&to, &email).await {
            tracing::error!(%error, email = E::NAME, "mail not sent");
        }
    });
}

/// Counts a sign-up from `client` against its address's limit; false when
/// over it (the caller answers 429 and signs no one up).
pub(crate) async fn may_sign_up(state: &AppState, client: &Client) -> Result<bool, StoreError> {
    state.limiters.sign_up(&state.store, &client.ip, state.clock.now()).await
}

/// Creates the account, or — when the address has one — mails its owner
/// instead; the new account's id, or `None` when the address had one. The
/// pages and the API answer the same either way. Past the limit of mails to
/// one address, nothing is mailed (and the answer is still the same), so
/// sign-ups cannot flood someone's inbox.
#[tracing::instrument(skip_all)]
pub(crate) async fn sign_up(
    state: &AppState,
    visitor: &Visitor,
    credentials: NewCredentials,
    from_wall: bool,
) -> Result<Option<i64>, StoreError> {
    let now = state.clock.now();
    // Hashed before looking, so both answers take as long.
    let hash = password::hash(credentials.password).await;
    let created = state.store.create_reader(&credentials.email, &hash, now).await?;
    if let Some(reader_id) = created {
        state.count(state.event(EventKind::Registration, visitor).reader(reader_id));
        if from_wall {
            grant_wall_stories(state, visitor, reader_id).await?;
        }
    }
    if !state.limiters.sign_up_mail(&state.store, credentials.email.as_str(), now).await? {
        tracing::warn!("sign-up mail not sent: too many to one address");
        return Ok(created);
    }
    let Some(reader_id) = created else {
        let email = AlreadyRegistered {
            publisher: state.publisher_name.clone(),
            login_link: format!("{}/login", state.public_url),
            reset_link: format!("{}/account/forgot-password", state.public_url),
        };
        send_later(state, credentials.email, email);
        return Ok(None);
    };
    mail_confirmation_link(state, reader_id, credentials.email).await?;
    Ok(created)
}

/// An account made from the registration wall: when the visitor's variant
/// has one, the account may read the visitor's limit plus the wall's stories
/// on the meter this month (the visitor's reads join it at log-in, so that
/// is the wall's stories more). A form that claims the wall for a visitor
/// whose variant has none grants nothing; the account was new, so the grant
/// cannot be had twice.
async fn grant_wall_stories(state: &AppState, visitor: &Visitor, reader_id: i64) -> Result<(), StoreError> {
    let dealt = state.experiments.get(&state.store).await?.deal(&visitor.meter());
    let Some(more) = dealt.settings.wall else {
        return Ok(());
    };
    let limit = dealt.settings.meter_limit.unwrap_or(state.meter_limit).saturating_add(more);
    if state.store.grant_allowance(reader_id, state.zone.month_key(state.clock.now()), limit).await? {
        let event = state.event(EventKind::RegisteredFromWall, visitor).reader(reader_id);
        state.count(match &dealt.variant {
            Some(variant) => event.variant(variant),
            None => event,
        });
    }
    Ok(())
}

/// Issues a new email confirmation link for the account and mails it to `to`
/// (the caller has counted the mail against its limit).
async fn mail_confirmation_link(state: &AppState, reader_id: i64, to: Email) -> Result<(), StoreError> {
    let secret = new_token();
    let expires = state.clock.now() + VERIFY_FOR;
    state.store.issue_account_token(&token_hash(&secret), reader_id, TokenPurpose::VerifyEmail, expires).await?;
    let email = VerifyEmail {
        publisher: state.publisher_name.clone(),
        link: format!("{}/account/verify?token={secret}", state.public_url),
        valid_for: "48 hours".to_owned(),
    };
    send_later(state, to, email);
    Ok(())
}

/// Uses an email confirmation link; false when it is forged, used or expired.
#[tracing::instrument(skip_all)]
pub(crate) async fn confirm_email(state: &AppState, secret: &str) -> Result<bool, StoreError> {
    if !is_well_formed(secret) {
        return Ok(false);
    }
    let now = state.clock.now();
    let redeemed = state.store.redeem_account_token(&token_hash(secret), TokenPurpose::VerifyEmail, now).await?;
    match redeemed {
        Some(reader_id) => {
            state.store.mark_verified(reader_id, now).await?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// How a log-in went.
#[derive(Debug)]
pub(crate) enum LogIn {
    /// Signed in: the new session's token, for the cookie or the app, and
    /// whose it is.
    Done {
        token: String,
        /// The account signed in.
        reader_id: i64,
        /// Its address, as stored.
        email: String,
    },
    /// The right password for an account whose address is not confirmed: no
    /// session (the account is no one's yet); a new confirmation link went
    /// to the address, unless too many have.
    Unconfirmed,
    /// Wrong address or password (which one is not said).
    Refused,
    /// Too many attempts from this client address, or from it for this account.
    Limited,
}

/// The rate-limit key for a typed address: its parsed form when it parses,
/// so `A@x.in` and `a@x.in` share one count.
fn account_key(email: &str) -> String {
    Email::parse(email).map_or_else(|_| email.trim().to_lowercase(), |e| e.as_str().to_owned())
}

/// Checks the password and opens a session (evicting the least recently used
/// one past the device limit); the browser's meter this month joins the
/// account's. An unconfirmed account gets no session, only a new link to
/// confirm its address.
#[tracing::instrument(skip_all, fields(kind = ?kind))]
pub(crate) async fn log_in(
    state: &AppState,
    email: &str,
    password_text: &str,
    client: &Client,
    kind: SessionKind,
    visitor: &Visitor,
) -> Result<LogIn, StoreError> {
    let account = account_key(email);
    match state.limiters.log_in(&state.store, &client.ip, &account, state.clock.now()).await? {
        LogInGate::Open => {}
        LogInGate::After(wait) => tokio::time::sleep(wait).await,
        LogInGate::Shut => return Ok(LogIn::Limited),
    }
    let address = Email::parse(email).ok();
    let reader = match &address {
        Some(address) => state.store.reader_by_email(address).await?,
        None => None,
    };
    // Over-long passwords were never accepted, so they are never hashed either.
    let plausible = password_text.chars().count() <= password::MAX_CHARS;
    let stored = reader.as_ref().map(|r| r.password_hash.clone());
    let matches = plausible && password::verify(password_text.to_owned(), stored).await;
    let Some(reader) = reader.filter(|_| matches) else {
        state.limiters.log_in_failed(&state.store, &client.ip, &account, state.clock.now()).await?;
        return Ok(LogIn::Refused);
    };
    if let (None, Some(to)) = (reader.verified_at, address) {
        if state.limiters.sign_up_mail(&state.store, to.as_str(), state.clock.now()).await? {
            mail_confirmation_link(state, reader.id, to).await?;
        } else {
            tracing::warn!("confirmation mail not sent: too many to one address");
        }
        return Ok(LogIn::Unconfirmed);
    }
    let token = open_session(state, reader.id, client, kind, visitor).await?;
    Ok(LogIn::Done { token, reader_id: reader.id, email: reader.email })
}

/// Opens a session for the account (evicting the least recently used one
/// past the device limit) and joins the browser's meter this month to the
/// account's; the session's token, for the cookie or the app.
pub(crate) async fn open_session(
    state: &AppState,
    reader_id: i64,
    client: &Client,
    kind: SessionKind,
    visitor: &Visitor,
) -> Result<String, StoreError> {
    let now = state.clock.now();
    let secret = new_token();
    let session = NewSession { token_hash: &token_hash(&secret), reader_id, kind, user_agent: &client.user_agent };
    state.store.open_session(&session, now, state.session_limit).await?;
    state.store.merge_meter(&visitor.meter(), &format!("r:{reader_id}"), state.zone.month_key(now)).await?;
    Ok(secret)
}

/// How a reset request went (the same whether or not the account exists).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ResetRequest {
    /// Mailed, if there was anyone to mail.
    Accepted,
    /// Too many requests from this address or for this account.
    Limited,
}

/// Mails a single-use reset link to the account's address, if it has one.
#[tracing::instrument(skip_all)]
pub(crate) async fn request_reset(
    state: &AppState,
    email: &Email,
    client: &Client,
) -> Result<ResetRequest, StoreError> {
    let now = state.clock.now();
    if !state.limiters.reset(&state.store, &client.ip, email.as_str(), now).await? {
        return Ok(ResetRequest::Limited);
    }
    let Some(reader) = state.store.reader_by_email(email).await? else {
        return Ok(ResetRequest::Accepted);
    };
    let secret = new_token();
    state
        .store
        .issue_account_token(&token_hash(&secret), reader.id, TokenPurpose::ResetPassword, now + RESET_FOR)
        .await?;
    mail_password_link(state, email.clone(), &secret, RESET_FOR);
    Ok(ResetRequest::Accepted)
}

/// Mails `to` the link to choose a password that `secret` opens, working
/// for `valid_for` (a reset request, or a new staff account's first password).
pub(crate) fn mail_password_link(state: &AppState, to: Email, secret: &str, valid_for: Duration) {
    let hours = valid_for.num_hours();
    let mail = ResetPassword {
        publisher: state.publisher_name.clone(),
        link: format!("{}/account/reset-password?token={secret}", state.public_url),
        valid_for: if hours == 1 { "1 hour".to_owned() } else { format!("{hours} hours") },
    };
    send_later(state, to, mail);
}

/// Whether a reset link would work now (to show its form), without using it.
pub(crate) async fn reset_link_works(state: &AppState, secret: &str) -> Result<bool, StoreError> {
    if !is_well_formed(secret) {
        return Ok(false);
    }
    let reader =
        state.store.peek_account_token(&token_hash(secret), TokenPurpose::ResetPassword, state.clock.now()).await?;
    Ok(reader.is_some())
}

/// Uses a reset link to set a new (already checked) password, signing the
/// account out everywhere; false when the link is forged, used or expired.
#[tracing::instrument(skip_all)]
pub(crate) async fn reset_password(state: &AppState, secret: &str, new_password: String) -> Result<bool, StoreError> {
    if !is_well_formed(secret) {
        return Ok(false);
    }
    let now = state.clock.now();
    let Some(reader_id) =
        state.store.redeem_account_token(&token_hash(secret), TokenPurpose::ResetPassword, now).await?
    else {
        return Ok(false);
    };
    let hash = password::hash(new_password).await;
    state.store.change_password(reader_id, &hash, now).await?;
    Ok(true)
}

/// What logging in to an unconfirmed account gets: no session, only a new link.
pub(crate) fn confirm_first(state: &AppState) -> axum::response::Response {
    crate::http::views::notice(
        state,
        axum::http::StatusCode::FORBIDDEN,
        "Confirm your email address first",
        &[
            "This account's address is not confirmed yet. We have sent it a new link: follow it, then log in.",
            "No message after a few minutes? Look in your spam folder.",
        ],
        Some(crate::http::views::Link { url: "/login".to_owned(), label: "Log in".to_owned() }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_up_input_is_checked_field_by_field() {
        let ok = new_credentials(" Reader@Example.com ", "long enough").unwrap();
        assert_eq!(ok.email.as_str(), "reader@example.com");
        let both = new_credentials("not-an-email", "short").unwrap_err();
        assert_eq!(both.email.as_deref(), Some("Enter an email address like name@example.com."));
        assert_eq!(both.password.as_deref(), Some("Choose a password of at least 8 characters."));
        assert_eq!(
            both.joined(),
            "Enter an email address like name@example.com. Choose a password of at least 8 characters."
        );
        let password_only = new_credentials("a@b.co", "short").unwrap_err();
        assert!(password_only.email.is_none() && password_only.password.is_some());
    }

    #[test]
    fn rate_limit_keys_ignore_case_and_spaces() {
        assert_eq!(account_key(" A@X.in"), "a@x.in");
        assert_eq!(account_key("Not An Email"), "not an email");
    }
}
