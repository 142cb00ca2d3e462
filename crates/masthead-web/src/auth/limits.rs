//! Rate limits on log-in and password-reset requests, per client address and
//! per account (the address typed, whether or not it has an account, so the
//! limit itself tells nothing).
//!
//! Fixed windows kept in memory: each instance counts its own requests, which
//! bounds guessing per instance and needs no database round trip. The table
//! forgets finished windows when it grows, so it cannot grow without bound.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many log-in and reset requests are allowed per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Log-in attempts from one client address.
    pub login_per_ip: u32,
    /// Log-in attempts for one account (email address).
    pub login_per_account: u32,
    /// Password-reset requests from one client address.
    pub reset_per_ip: u32,
    /// Password-reset requests for one account (email address).
    pub reset_per_account: u32,
    /// The window the counts apply to.
    pub window: Duration,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            login_per_ip: 30,
            login_per_account: 10,
            reset_per_ip: 10,
            reset_per_account: 3,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// Entries kept before finished windows are swept out.
const SWEEP_AT: usize = 10_000;

/// Counts requests per key in fixed windows.
#[derive(Debug)]
struct FixedWindow {
    limit: u32,
    window: Duration,
    counts: Mutex<HashMap<String, (Instant, u32)>>,
}

impl FixedWindow {
    fn new(limit: u32, window: Duration) -> Self {
        Self { limit, window, counts: Mutex::new(HashMap::new()) }
    }

    /// Counts one request for `key` at `now`; false once over the limit.
    fn allow(&self, key: &str, now: Instant) -> bool {
        let mut counts = self.counts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if counts.len() >= SWEEP_AT {
            counts.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = counts.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            return false;
        }
        entry.1 += 1;
        true
    }
}

/// What a limited request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    LogIn,
    ResetPassword,
}

/// The limiters one instance keeps.
#[derive(Debug)]
pub(crate) struct Limiters {
    login_ip: FixedWindow,
    login_account: FixedWindow,
    reset_ip: FixedWindow,
    reset_account: FixedWindow,
}

impl Limiters {
    pub fn new(limits: RateLimits) -> Self {
        Self {
            login_ip: FixedWindow::new(limits.login_per_ip, limits.window),
            login_account: FixedWindow::new(limits.login_per_account, limits.window),
            reset_ip: FixedWindow::new(limits.reset_per_ip, limits.window),
            reset_account: FixedWindow::new(limits.reset_per_account, limits.window),
        }
    }

    /// Counts a request from `ip` about `account`; false when either is over
    /// its limit. Both are counted, so hammering one account from many
    /// addresses, or many accounts from one address, is slowed alike.
    pub fn allow(&self, action: Action, ip: &str, account: &str) -> bool {
        let (by_ip, by_account) = match action {
            Action::LogIn => (&self.login_ip, &self.login_account),
            Action::ResetPassword => (&self.reset_ip, &self.reset_account),
        };
        let now = Instant::now();
        let ip_ok = by_ip.allow(ip, now);
        let account_ok = by_account.allow(account, now);
        ip_ok && account_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_allows_its_limit_then_refuses_until_it_ends() {
        let limiter = FixedWindow::new(3, Duration::from_secs(60));
        let start = Instant::now();
        assert!((0..3).all(|_| limiter.allow("a", start)));
        assert!(!limiter.allow("a", start + Duration::from_secs(59)));
        assert!(limiter.allow("b", start), "keys are counted apart");
        assert!(limiter.allow("a", start + Duration::from_secs(60)), "a new window");
    }

    #[test]
    fn finished_windows_are_swept_when_the_table_is_full() {
        let limiter = FixedWindow::new(1, Duration::from_secs(1));
        let start = Instant::now();
        for n in 0..SWEEP_AT {
            limiter.allow(&n.to_string(), start);
        }
        limiter.allow("late", start + Duration::from_secs(2));
        assert_eq!(limiter.counts.lock().unwrap().len(), 1);
    }

    #[test]
    fn ip_and_account_limits_both_apply() {
        let limits = RateLimits { login_per_ip: 2, login_per_account: 2, ..RateLimits::default() };
        let limiters = Limiters::new(limits);
        assert!(limiters.allow(Action::LogIn, "1.1.1.1", "a@x.in"));
        assert!(limiters.allow(Action::LogIn, "2.2.2.2", "a@x.in"));
        assert!(!limiters.allow(Action::LogIn, "3.3.3.3", "a@x.in"), "the account's limit");
        assert!(limiters.allow(Action::LogIn, "1.1.1.1", "b@x.in"));
        assert!(!limiters.allow(Action::LogIn, "1.1.1.1", "c@x.in"), "the address's limit");
        assert!(limiters.allow(Action::ResetPassword, "1.1.1.1", "a@x.in"), "resets are counted apart");
    }
}
