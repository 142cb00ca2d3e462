//! Rate limits on log-in, password-reset and sign-up requests, counted in
//! the database so every instance counts against the same limit (a fixed
//! window per key, `Store::count_hit`). Keys are hashed: the table holds
//! neither addresses nor client IPs.
//!
//! Log-in is limited so that no one can lock an owner out of their account:
//!
//! - attempts **per client address** (any account) are capped: one address
//!   cannot guess at many accounts;
//! - failures **per account and client address** are capped: one address
//!   cannot keep guessing one account, while the owner, from another
//!   address, still logs in;
//! - failures **per account** from anywhere never refuse: past a threshold
//!   each attempt is slowed down (a wait that grows with the failures, at
//!   most [`MAX_SLOWDOWN`]), which costs a guesser spread over many
//!   addresses time and the owner a few seconds.
//!
//! Reset requests are capped per client address and per account (the
//! address typed, whether or not it has an account, so the limit itself
//! tells nothing); sign-ups per client address, and the mail a sign-up sends
//! per email address; an editor's newsletter test copies per account; the
//! mails confirming an address at a group's domain per account and per
//! address, in an hour's window of their own ([`GROUP_CONFIRMATION_WINDOW`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use masthead_store::{Store, StoreError};
use sha2::{Digest, Sha256};

/// The longest a log-in attempt is slowed down.
pub const MAX_SLOWDOWN: Duration = Duration::from_secs(5);

/// The window the mails confirming an address at a group's domain are
/// counted in.
pub const GROUP_CONFIRMATION_WINDOW: Duration = Duration::from_secs(60 * 60);

/// How many requests are allowed per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Log-in attempts from one client address, whatever the account.
    pub login_per_ip: u32,
    /// Failed log-ins for one account from one client address; that pair
    /// then waits for the window to end (429).
    pub login_failures_per_pair: u32,
    /// Failed log-ins for one account from anywhere after which each
    /// attempt on it waits first.
    pub login_slow_after: u32,
    /// The wait per failure past [`Self::login_slow_after`] (at most
    /// [`MAX_SLOWDOWN`] in all).
    pub login_slowdown: Duration,
    /// Password-reset requests from one client address.
    pub reset_per_ip: u32,
    /// Password-reset requests for one account (email address).
    pub reset_per_account: u32,
    /// Sign-ups from one client address.
    pub signup_per_ip: u32,
    /// Sign-up mails (a confirmation, or "you already have an account") to
    /// one email address; past it a sign-up answers the same and mails nothing.
    pub signup_mails_per_address: u32,
    /// Test copies of a newsletter issue one editor may mail themselves.
    pub newsletter_tests_per_editor: u32,
    /// Mails confirming an address at a group's domain that one account may
    /// ask for, and that one address may be sent, per
    /// [`GROUP_CONFIRMATION_WINDOW`] (429 past it).
    pub group_confirmations_per_hour: u32,
    /// The window the counts apply to.
    pub window: Duration,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            login_per_ip: 30,
            login_failures_per_pair: 10,
            login_slow_after: 10,
            login_slowdown: Duration::from_secs(1),
            reset_per_ip: 10,
            reset_per_account: 3,
            signup_per_ip: 10,
            signup_mails_per_address: 3,
            newsletter_tests_per_editor: 5,
            group_confirmations_per_hour: 3,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// Whether a log-in attempt may go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LogInGate {
    /// Now.
    Open,
    /// After this wait (the account has had many failures lately).
    After(Duration),
    /// Not in this window (429).
    Shut,
}

/// The wait before a log-in attempt on an account with `failures` recent failures.
fn slowdown(limits: &RateLimits, failures: u64) -> Option<Duration> {
    let over = failures.checked_sub(u64::from(limits.login_slow_after))?;
    let steps = u32::try_from(over.saturating_add(1)).unwrap_or(u32::MAX);
    Some(limits.login_slowdown.saturating_mul(steps).min(MAX_SLOWDOWN))
}

/// A stored key: what is counted, and a hash of whom.
fn key(kind: &str, parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update(b"\0");
    }
    format!("{kind}:{}", hex::encode(hash.finalize()))
}

/// Counts between two sweeps of finished windows.
const SWEEP_EVERY: u64 = 1024;

/// The limits, counted in the store.
#[derive(Debug)]
pub(crate) struct Limiters {
    limits: RateLimits,
    window: chrono::Duration,
    counted: AtomicU64,
}

impl Limiters {
    pub fn new(limits: RateLimits) -> Self {
        let window = chrono::Duration::from_std(limits.window).unwrap_or(chrono::Duration::minutes(15));
        Self { limits, window, counted: AtomicU64::new(0) }
    }

    /// How long a client that hit a limit waits at most: the window (the
    /// API's `Retry-After`).
    pub fn retry_after(&self) -> Duration {
        self.limits.window
    }

    /// The confirmation mails an account, or an address, may have per
    /// [`GROUP_CONFIRMATION_WINDOW`].
    pub fn group_confirmations_per_hour(&self) -> u32 {
        self.limits.group_confirmations_per_hour
    }

    /// Counts a hit on `key`; now and then sweeps finished windows away.
    async fn count(&self, store: &Store, key: &str, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.count_in(store, key, self.window, now).await
    }

    /// Counts a hit on `key` in windows of `window`.
    async fn count_in(
        &self,
        store: &Store,
        key: &str,
        window: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        if self.counted.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            store.sweep_rate_limits(now).await?;
        }
        store.count_hit(key, window, now).await
    }

    /// Counts a log-in attempt from `ip` on `account` and says whether it
    /// may go ahead (see the module docs).
    pub async fn log_in(
        &self,
        store: &Store,
        ip: &str,
        account: &str,
        now: DateTime<Utc>,
    ) -> Result<LogInGate, StoreError> {
        if self.count(store, &key("login-ip", &[ip]), now).await? > u64::from(self.limits.login_per_ip) {
            return Ok(LogInGate::Shut);
        }
        let pair_failures = store.hits(&key("login-pair", &[account, ip]), now).await?;
        if pair_failures >= u64::from(self.limits.login_failures_per_pair) {
            return Ok(LogInGate::Shut);
        }
        let failures = store.hits(&key("login-account", &[account]), now).await?;
        Ok(slowdown(&self.limits, failures).map_or(LogInGate::Open, LogInGate::After))
    }

    /// Counts a failed log-in from `ip` on `account`.
    pub async fn log_in_failed(
        &self,
        store: &Store,
        ip: &str,
        account: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.count(store, &key("login-pair", &[account, ip]), now).await?;
        self.count(store, &key("login-account", &[account]), now).await?;
        Ok(())
    }

    /// Counts a reset request from `ip` for `account`; false when either is
    /// over its limit. Both are counted, so hammering one account from many
    /// addresses, or many accounts from one address, is slowed alike.
    pub async fn reset(&self, store: &Store, ip: &str, account: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let from_ip = self.count(store, &key("reset-ip", &[ip]), now).await?;
        let for_account = self.count(store, &key("reset-account", &[account]), now).await?;
        Ok(from_ip <= u64::from(self.limits.reset_per_ip) && for_account <= u64::from(self.limits.reset_per_account))
    }

    /// Counts a sign-up from `ip`; false when over the limit.
    pub async fn sign_up(&self, store: &Store, ip: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        Ok(self.count(store, &key("signup-ip", &[ip]), now).await? <= u64::from(self.limits.signup_per_ip))
    }

    /// Counts a newsletter sign-up by email from `ip` for `address`; false
    /// when either is over the sign-up limits (its own counts, not an
    /// account's).
    pub async fn newsletter_sign_up(
        &self,
        store: &Store,
        ip: &str,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let from_ip = self.count(store, &key("newsletter-ip", &[ip]), now).await?;
        let mails = self.count(store, &key("newsletter-mail", &[address]), now).await?;
        Ok(from_ip <= u64::from(self.limits.signup_per_ip) && mails <= u64::from(self.limits.signup_mails_per_address))
    }

    /// Counts a newsletter test copy mailed to the editor `account`; false
    /// when over the limit.
    pub async fn newsletter_test(&self, store: &Store, account: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let sent = self.count(store, &key("newsletter-test", &[&account.to_string()]), now).await?;
        Ok(sent <= u64::from(self.limits.newsletter_tests_per_editor))
    }

    /// Counts a mail confirming `address` (at a group's domain) asked for by
    /// the account `reader`; false when either is over
    /// [`RateLimits::group_confirmations_per_hour`]. Both are counted, so
    /// neither one account nor many accounts can flood an inbox.
    pub async fn group_confirmation(
        &self,
        store: &Store,
        reader: i64,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let window = chrono::Duration::from_std(GROUP_CONFIRMATION_WINDOW).unwrap_or(chrono::Duration::hours(1));
        let asked = self.count_in(store, &key("group-confirm-reader", &[&reader.to_string()]), window, now).await?;
        let mailed = self.count_in(store, &key("group-confirm-mail", &[address]), window, now).await?;
        let most = u64::from(self.limits.group_confirmations_per_hour);
        Ok(asked <= most && mailed <= most)
    }

    /// Counts a sign-up mail to `address`; false when over the limit.
    pub async fn sign_up_mail(&self, store: &Store, address: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let mails = self.count(store, &key("signup-mail", &[address]), now).await?;
        Ok(mails <= u64::from(self.limits.signup_mails_per_address))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_is_slowed_down_never_shut() {
        let limits =
            RateLimits { login_slow_after: 10, login_slowdown: Duration::from_secs(1), ..RateLimits::default() };
        assert_eq!(slowdown(&limits, 0), None);
        assert_eq!(slowdown(&limits, 9), None);
        assert_eq!(slowdown(&limits, 10), Some(Duration::from_secs(1)));
        assert_eq!(slowdown(&limits, 12), Some(Duration::from_secs(3)));
        assert_eq!(slowdown(&limits, 1_000_000), Some(MAX_SLOWDOWN), "capped");
        assert_eq!(slowdown(&limits, u64::MAX), Some(MAX_SLOWDOWN));
    }

    #[test]
    fn keys_name_what_is_counted_and_hide_whom() {
        let pair = key("login-pair", &["a@x.in", "1.2.3.4"]);
        assert!(pair.starts_with("login-pair:") && pair.len() == "login-pair:".len() + 64);
        assert!(!pair.contains("a@x.in"));
        assert_ne!(pair, key("login-pair", &["a@x.in1", ".2.3.4"]), "parts are kept apart");
        assert_ne!(key("login-ip", &["1.2.3.4"]), key("reset-ip", &["1.2.3.4"]));
    }
}
