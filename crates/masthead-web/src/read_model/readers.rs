//! Signed-in readers' sessions and benefits, kept in memory between requests.
//!
//! A subscriber's story page would otherwise ask the database who the
//! session belongs to and which benefits its reader holds — one query for the
//! session and several for grants, subscriptions, ledgers and plans. Both
//! answers are kept against the database's access counter (see
//! `masthead_store::Counters`), which triggers bump in the same transaction
//! as any change to accounts, sessions, grants, subscriptions, ledgers or
//! plans, from any process or instance; when it has moved, everything kept is
//! dropped. Benefits also carry the instant they may change by themselves (a
//! term or grace ending, a grant starting or ending), checked against the
//! site's clock. Each entry answers only for its own token or reader.
//!
//! A kept session's last-seen time is written when a minute has passed
//! rather than every second: it only dates "Your devices" and idle expiry
//! (days). Memory stays bounded: each map is dropped wholesale past
//! [`ENTRIES`].

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use masthead_domain::access::Benefit;
use masthead_store::{SessionOwner, Store, StoreError};

use super::versioned::Versioned;

/// Sessions, and readers' benefits, kept at most each.
const ENTRIES: usize = 50_000;
/// How stale a kept session's last-seen time may grow before it is written.
const SEEN_EVERY: Duration = Duration::minutes(1);

#[derive(Debug, Default)]
struct Shelf {
    /// By token hash: the owner, and the last-seen time as written.
    sessions: HashMap<String, (SessionOwner, DateTime<Utc>)>,
    /// By reader: benefits as read at an instant, valid until the next change.
    benefits: HashMap<i64, KeptBenefits>,
}

#[derive(Debug, Clone)]
struct KeptBenefits {
    benefits: Vec<Benefit>,
    read_at: DateTime<Utc>,
    until: Option<DateTime<Utc>>,
}

impl KeptBenefits {
    fn hold_at(&self, now: DateTime<Utc>) -> bool {
        self.read_at <= now && self.until.is_none_or(|until| now < until)
    }
}

/// The site's shared memory of sessions and benefits.
#[derive(Debug, Default)]
pub(crate) struct AccessCache {
    shelf: Versioned<Shelf>,
}

impl AccessCache {
    /// Checks the access counter and returns a view current as of now.
    pub(crate) async fn current<'a>(&'a self, store: &'a Store) -> Result<Current<'a>, StoreError> {
        let version = super::counters::current(store, masthead_store::Counter::Access).await?;
        self.shelf.seen(version);
        Ok(Current { cache: self, store, version })
    }
}

/// The cache as of one request's check of the access counter.
pub(crate) struct Current<'a> {
    cache: &'a AccessCache,
    store: &'a Store,
    version: i64,
}

impl Current<'_> {
    /// Who a live session token (by its hash) belongs to at `now`; a session
    /// last seen before `seen_since` has lapsed.
    pub(crate) async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        seen_since: DateTime<Utc>,
    ) -> Result<Option<SessionOwner>, StoreError> {
        let kept = self.cache.shelf.at(self.version, |shelf| shelf.sessions.get(token_hash).cloned()).flatten();
        if let Some((owner, seen)) = kept
            && seen >= seen_since
            && now - seen < SEEN_EVERY
        {
            return Ok(Some(owner));
        }
        let found = self.store.session_by_token(token_hash, now, seen_since).await?;
        if let Some(owner) = &found {
            self.cache.shelf.at(self.version, |shelf| {
                if shelf.sessions.len() >= ENTRIES {
                    shelf.sessions.clear();
                }
                shelf.sessions.insert(token_hash.to_owned(), (owner.clone(), now));
            });
        }
        Ok(found)
    }

    /// The benefits a reader holds at `now`.
    pub(crate) async fn benefits(&self, reader_id: i64, now: DateTime<Utc>) -> Result<Vec<Benefit>, StoreError> {
        let kept = self.cache.shelf.at(self.version, |shelf| shelf.benefits.get(&reader_id).cloned()).flatten();
        if let Some(kept) = kept.filter(|kept| kept.hold_at(now)) {
            return Ok(kept.benefits);
        }
        let (benefits, until) = self.store.benefits_until(reader_id, now).await?;
        let kept = KeptBenefits { benefits: benefits.clone(), read_at: now, until };
        self.cache.shelf.at(self.version, |shelf| {
            if shelf.benefits.len() >= ENTRIES {
                shelf.benefits.clear();
            }
            shelf.benefits.insert(reader_id, kept);
        });
        Ok(benefits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn kept_benefits_hold_from_their_reading_until_their_next_change() {
        let kept = KeptBenefits {
            benefits: vec![Benefit::PremiumStories],
            read_at: at("2026-01-01T00:00:00Z"),
            until: Some(at("2026-04-01T00:00:00Z")),
        };
        assert!(kept.hold_at(at("2026-01-01T00:00:00Z")));
        assert!(kept.hold_at(at("2026-03-31T23:59:59Z")));
        assert!(!kept.hold_at(at("2026-04-01T00:00:00Z")), "the term ends: read again");
        assert!(!kept.hold_at(at("2025-12-31T23:59:59Z")), "a clock set back: read again");
        let forever = KeptBenefits { until: None, ..kept };
        assert!(forever.hold_at(at("2040-01-01T00:00:00Z")));
    }
}
