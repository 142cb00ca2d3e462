//! Memory kept against one of the database's change counters, shared by the
//! content and access caches: everything kept was read at or after the
//! counter's value it is filed under, so when a request sees a newer value
//! everything is dropped, and what a request reads is kept only if no newer
//! value was seen meanwhile.

use std::sync::{Mutex, MutexGuard};

/// What is kept (`S`), and the counter's value it is current at.
#[derive(Debug, Default)]
pub(crate) struct Versioned<S> {
    kept: Mutex<(i64, S)>,
}

impl<S: Default> Versioned<S> {
    fn kept(&self) -> MutexGuard<'_, (i64, S)> {
        // A panic while holding the lock leaves nothing half-written worth refusing.
        self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The counter has been read at `version`: a newer one drops everything.
    pub(crate) fn seen(&self, version: i64) {
        let mut kept = self.kept();
        if version > kept.0 {
            *kept = (version, S::default());
        }
    }

    /// Runs `f` on what is kept, if it is still current at `version`.
    pub(crate) fn at<T>(&self, version: i64, f: impl FnOnce(&mut S) -> T) -> Option<T> {
        let mut kept = self.kept();
        (kept.0 == version).then(|| f(&mut kept.1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_version_drops_what_was_kept_and_an_older_one_changes_nothing() {
        let kept: Versioned<Vec<&str>> = Versioned::default();
        kept.seen(3);
        kept.at(3, |v| v.push("read at 3"));
        kept.seen(2);
        assert_eq!(kept.at(3, |v| v.clone()), Some(vec!["read at 3"]));
        assert_eq!(kept.at(2, |v| v.push("read at 2")), None, "not kept under a newer value");
        kept.seen(4);
        assert_eq!(kept.at(4, |v| v.len()), Some(0));
        assert_eq!(kept.at(3, |v| v.len()), None);
    }
}
