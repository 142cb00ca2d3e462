//! The top of a ranking without visiting every match.
//!
//! Both orders a reader can ask for rank a story by a key that falls with its
//! age: newest first ranks by first publication; relevance ranks by BM25
//! times a recency factor ([`recency`]) that runs from 1 for a story
//! published now down to [`RECENCY_FLOOR`] — in a news archive, of two
//! stories that match equally well the recent one comes first, and a word in
//! most stories (whose BM25 hardly tells them apart) lists the latest
//! coverage rather than an arbitrary pick across thirty years.
//!
//! That makes early termination exact. Each segment is cut into runs of
//! [`CHUNK_DOCS`] documents, and the newest publication date in each run is
//! read once per segment (segments never change). A run's key cannot exceed
//! its bound: its newest date, or the query's best possible BM25 score times
//! the recency of its newest date. Runs are visited from the highest bound
//! down, and the search stops as soon as the page is full of keys no
//! remaining run can beat. When the index is built in publication order (as
//! a rebuild writes it) the newest runs come first and a word in two million
//! stories is ranked after a few tens of thousands; in any other order the
//! answer is the same, only slower.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::Weight;
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader};

/// Documents in a run whose newest publication date bounds its keys.
pub(crate) const CHUNK_DOCS: DocId = 16_384;
/// The recency factor of a story published infinitely long ago.
pub(crate) const RECENCY_FLOOR: f64 = 0.5;
/// The age, in seconds, at which a story's recency factor is halfway between
/// 1 and the floor: one year.
pub(crate) const RECENCY_HALF_LIFE: f64 = 365.0 * 86_400.0;

/// The recency factor of a story published at `published` (Unix seconds),
/// seen at `now`: 1 when new, falling smoothly towards [`RECENCY_FLOOR`].
pub(crate) fn recency(published: i64, now: i64) -> f64 {
    let age = (now - published).max(0) as f64;
    RECENCY_FLOOR + (1.0 - RECENCY_FLOOR) * RECENCY_HALF_LIFE / (RECENCY_HALF_LIFE + age)
}

/// How results are ranked.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Order {
    /// BM25 times recency; `best` bounds the query's BM25 score.
    Relevance { best: Score, now: i64 },
    /// First publication, latest first.
    Newest,
}

impl Order {
    fn key(&self, score: Score, published: i64) -> f64 {
        match *self {
            Self::Relevance { now, .. } => f64::from(score) * recency(published, now),
            Self::Newest => published as f64,
        }
    }

    /// The highest key a story published at or before `newest` can have.
    fn bound(&self, newest: i64) -> f64 {
        match *self {
            Self::Relevance { best, now } => f64::from(best) * recency(newest, now),
            Self::Newest => newest as f64,
        }
    }
}

/// The newest publication date in each run of [`CHUNK_DOCS`] documents, per
/// segment, read on a segment's first search.
#[derive(Default)]
pub(crate) struct RunDates(Mutex<HashMap<SegmentId, Arc<[i64]>>>);

impl RunDates {
    /// The newest date of each run of `segment`, one of `searcher`'s.
    fn of(&self, searcher: &Searcher, segment: &SegmentReader) -> tantivy::Result<Arc<[i64]>> {
        let id = segment.segment_id();
        let mut known = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(dates) = known.get(&id) {
            return Ok(dates.clone());
        }
        let published = segment.fast_fields().i64("published")?;
        let max_doc = segment.max_doc();
        // A story without a date counts as published at 0, like the most
        // withheld kind ("archived") in `reach`.
        let dates: Arc<[i64]> = (0..max_doc)
            .step_by(CHUNK_DOCS as usize)
            .map(|start| {
                (start..(start + CHUNK_DOCS).min(max_doc)).filter_map(|doc| published.first(doc)).max().unwrap_or(0)
            })
            .collect();
        // Segments merged away since are forgotten.
        known.retain(|id, _| searcher.segment_readers().iter().any(|s| s.segment_id() == *id));
        known.insert(id, dates.clone());
        Ok(dates)
    }

    /// The newest date of each run of every segment of `searcher`.
    pub(crate) fn of_searcher(&self, searcher: &Searcher) -> tantivy::Result<SegmentRuns> {
        let mut runs = HashMap::new();
        for segment in searcher.segment_readers() {
            runs.insert(segment.segment_id(), self.of(searcher, segment)?);
        }
        Ok(SegmentRuns(runs))
    }
}

/// The newest publication date in each run of [`CHUNK_DOCS`] documents, for
/// the segments of one searcher.
pub(crate) struct SegmentRuns(HashMap<SegmentId, Arc<[i64]>>);

impl SegmentRuns {
    /// The newest date of each run of a segment, if it is one of the searcher's.
    pub(crate) fn newest(&self, segment: SegmentId) -> Option<&[i64]> {
        self.0.get(&segment).map(|dates| &dates[..])
    }
}

impl std::fmt::Debug for SegmentRuns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SegmentRuns({} segments)", self.0.len())
    }
}

/// A ranked match.
struct Ranked {
    key: f64,
    address: DocAddress,
}

impl Ord for Ranked {
    /// Higher keys first; of equal keys, the earlier document.
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.total_cmp(&other.key).then_with(|| other.address.cmp(&self.address))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked {}

/// One run of documents and the highest key any of them can have.
struct Run {
    bound: f64,
    segment: usize,
    start: DocId,
    end: DocId,
}

/// The best `wanted` matches of `weight`, best first. With `by_runs` false
/// every match is ranked (cheap when there are few); with it true, runs are
/// visited from the highest bound down and the search stops once no
/// remaining run can enter the result.
pub(crate) fn top(
    searcher: &Searcher,
    weight: &dyn Weight,
    order: Order,
    wanted: usize,
    by_runs: bool,
    run_dates: &RunDates,
) -> tantivy::Result<Vec<DocAddress>> {
    let segments = searcher.segment_readers();
    let mut published = Vec::with_capacity(segments.len());
    let mut runs = Vec::new();
    for (ordinal, segment) in segments.iter().enumerate() {
        if by_runs {
            for (i, newest) in run_dates.of(searcher, segment)?.iter().enumerate() {
                let start = i as DocId * CHUNK_DOCS;
                let end = (start + CHUNK_DOCS).min(segment.max_doc());
                runs.push(Run { bound: order.bound(*newest), segment: ordinal, start, end });
            }
        } else {
            runs.push(Run { bound: f64::INFINITY, segment: ordinal, start: 0, end: segment.max_doc() });
        }
        published.push(segment.fast_fields().i64("published")?);
    }
    runs.sort_by(|a, b| b.bound.total_cmp(&a.bound));
    let scored = matches!(order, Order::Relevance { .. });
    let mut best: BinaryHeap<Reverse<Ranked>> = BinaryHeap::with_capacity(wanted + 1);
    for run in runs {
        if best.len() >= wanted && best.peek().is_some_and(|Reverse(worst)| worst.key >= run.bound) {
            break;
        }
        let segment = &segments[run.segment];
        let alive = segment.alive_bitset();
        let mut scorer = weight.scorer(segment, 1.0)?;
        let mut doc = if scorer.doc() < run.start { scorer.seek(run.start) } else { scorer.doc() };
        // TERMINATED is past every run's end.
        while doc < run.end {
            if alive.is_none_or(|alive| alive.is_alive(doc)) {
                let score = if scored { scorer.score() } else { 0.0 };
                let key = order.key(score, published[run.segment].first(doc).unwrap_or(0));
                let ranked = Ranked { key, address: DocAddress::new(run.segment as u32, doc) };
                if best.len() < wanted {
                    best.push(Reverse(ranked));
                } else if best.peek().is_some_and(|Reverse(worst)| ranked > *worst) {
                    best.pop();
                    best.push(Reverse(ranked));
                }
            }
            doc = scorer.advance();
        }
    }
    Ok(best.into_sorted_vec().into_iter().map(|Reverse(ranked)| ranked.address).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recency_falls_from_one_to_the_floor() {
        let now = 1_700_000_000;
        assert_eq!(recency(now, now), 1.0);
        assert_eq!(recency(now + 3600, now), 1.0, "a story dated ahead counts as new");
        let year_old = recency(now - RECENCY_HALF_LIFE as i64, now);
        assert!((year_old - (1.0 + RECENCY_FLOOR) / 2.0).abs() < 1e-9, "{year_old}");
        let old = recency(now - 30 * RECENCY_HALF_LIFE as i64, now);
        assert!(old > RECENCY_FLOOR && old < year_old);
    }

    #[test]
    fn a_run_bound_is_never_below_the_keys_in_it() {
        let now = 1_700_000_000;
        let order = Order::Relevance { best: 3.0, now };
        for (score, published, newest) in [(3.0, now - 10, now - 10), (2.5, now - 86_400 * 400, now - 86_400)] {
            assert!(order.key(score, published) <= order.bound(newest));
        }
        assert_eq!(Order::Newest.key(9.0, now), Order::Newest.bound(now));
    }
}
