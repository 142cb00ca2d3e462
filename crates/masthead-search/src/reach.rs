//! Which stories a search may match on their whole text, for one reader.
//!
//! A reader may read the whole of some stories and only the free part of the
//! others; a search must not tell them whether words are in text they may not
//! read (a total of 1 against 0 for a quoted phrase would rebuild a withheld
//! story word by word). So every story is indexed twice over: its whole text
//! and its free text (headline, standfirst, the body's free part). A search
//! matches the whole text of the stories the reader is entitled to and the
//! free text of the others.
//!
//! Entitlement is the domain's rule (`masthead_domain::access::entitled`):
//! it depends on three facts of a story — marked premium, in a premium
//! section, older than the archive age — and on the reader. [`Reach::of`]
//! asks the rule about each of the eight kinds of story and keeps the kinds it
//! allows; the index reads each matching story's kind from its `premium`,
//! `section` and `published` fast fields inside the query, so sections
//! marked premium later and stories that age into the archive need no
//! reindexing. Runs of stories that are all archived (known from the newest
//! date of each run, which `ranking` keeps) are skipped or taken whole
//! without a lookup, so a visitor's whole-text clause looks only at the
//! stories of the last weeks.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use masthead_domain::access::Story;
use tantivy::fastfield::Column;
use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED};

use crate::ranking::{CHUNK_DOCS, SegmentRuns};

/// The kinds of story whose whole text a reader's search matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    /// Whether the whole text counts, per kind of story ([`kind`]).
    whole: [bool; 8],
    /// The sections marked premium now.
    premium_sections: Vec<String>,
    /// Stories first published before this (Unix seconds) are archived.
    archived_before: i64,
}

/// The bit of [`kind`] that says a story is archived.
const ARCHIVED: usize = 4;

/// A kind of story as an index into [`Reach::whole`].
fn kind(premium: bool, premium_section: bool, archived: bool) -> usize {
    usize::from(premium) | usize::from(premium_section) << 1 | if archived { ARCHIVED } else { 0 }
}

impl Reach {
    /// The whole text of every story (staff).
    pub fn everything() -> Self {
        Self { whole: [true; 8], premium_sections: Vec::new(), archived_before: 0 }
    }

    /// Only the free text of every story.
    pub fn free_text_only() -> Self {
        Self { whole: [false; 8], premium_sections: Vec::new(), archived_before: 0 }
    }

    /// The reach of a reader `entitled` to the whole of some stories (the
    /// domain's rule, asked about each kind of story), with the sections
    /// marked premium now and the instant before which a story is archived.
    ///
    /// That instant is moved to the next whole minute, so that a reach (and
    /// a remembered answer) stays the same for a minute, and a story about
    /// to age into the archive is taken as archived a little early, never late.
    pub fn of(entitled: impl Fn(Story) -> bool, premium_sections: Vec<String>, archived_before: DateTime<Utc>) -> Self {
        let mut whole = [false; 8];
        for bits in 0..8u8 {
            let (premium, premium_section, archived) = (bits & 1 != 0, bits & 2 != 0, bits & 4 != 0);
            whole[kind(premium, premium_section, archived)] = entitled(Story { premium, premium_section, archived });
        }
        let seconds = archived_before.timestamp();
        Self { whole, premium_sections, archived_before: seconds + (60 - seconds.rem_euclid(60)) % 60 }
    }

    /// Whether the whole text of every story counts.
    pub fn is_everything(&self) -> bool {
        self.whole.iter().all(|whole| *whole)
    }

    /// Whether the whole text of no story counts.
    pub(crate) fn is_nothing(&self) -> bool {
        self.whole.iter().all(|whole| !*whole)
    }

    /// `query`, matching only the stories whose whole text counts (`whole`)
    /// or only the others, in an index whose runs of stories are dated by
    /// `runs` (the segments of the searcher that will run it).
    pub(crate) fn only(&self, whole: bool, query: Box<dyn Query>, runs: Arc<SegmentRuns>) -> Box<dyn Query> {
        Box::new(KindFilter { query, reach: self.clone(), whole, runs })
    }
}

/// A query narrowed to the stories of the kinds whose whole text counts (or
/// of the others). The kind is read per matching story from the fast fields
/// (`premium`, `section`, `published`): a few lookups per match, where a
/// filter query over every story would cost in proportion to the archive.
///
/// Runs of stories that are all archived ([`Span`]) are not looked into at
/// all when no archived kind is kept, and kept without a lookup when every
/// archived kind is. An index filled oldest first (as a rebuild writes it)
/// holds the stories of the last weeks in the last run or two of its
/// newest segments, so a visitor's whole-text clause walks only those and
/// the free-text clause counts and ranks the rest as staff's query does.
#[derive(Debug)]
struct KindFilter {
    query: Box<dyn Query>,
    reach: Reach,
    whole: bool,
    runs: Arc<SegmentRuns>,
}

impl Clone for KindFilter {
    fn clone(&self) -> Self {
        Self { query: self.query.box_clone(), reach: self.reach.clone(), whole: self.whole, runs: self.runs.clone() }
    }
}

impl Query for KindFilter {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(KindFilterWeight {
            weight: self.query.weight(enable_scoring)?,
            reach: self.reach.clone(),
            whole: self.whole,
            runs: self.runs.clone(),
        }))
    }
}

struct KindFilterWeight {
    weight: Box<dyn Weight>,
    reach: Reach,
    whole: bool,
    runs: Arc<SegmentRuns>,
}

impl Weight for KindFilterWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let keep = self.reach.whole.map(|whole| whole == self.whole);
        let spans = spans(self.runs.newest(reader.segment_id()), reader.max_doc(), self.reach.archived_before, keep);
        if spans.is_empty() {
            return Ok(Box::new(EmptyScorer));
        }
        let fast = reader.fast_fields();
        let (sections, premium_ordinals) = match fast.str("section")? {
            Some(column) => {
                let mut ordinals = Vec::new();
                for slug in &self.reach.premium_sections {
                    ordinals.extend(column.dictionary().term_ord(slug)?);
                }
                (Some(column.ords().clone()), ordinals)
            }
            None => (None, Vec::new()),
        };
        let covered: DocId = spans.iter().map(|span| span.end - span.start).sum();
        let mut scorer = KindFilterScorer {
            scorer: self.weight.scorer(reader, boost)?,
            spans,
            span: 0,
            covered: f64::from(covered) / f64::from(reader.max_doc().max(1)),
            premium: fast.bool("premium")?,
            published: fast.i64("published")?,
            sections,
            premium_ordinals,
            keep,
            archived_before: self.reach.archived_before,
        };
        scorer.skip_to_kept();
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.weight.explain(reader, doc)
    }
}

/// Consecutive documents of a segment where kept stories may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: DocId,
    end: DocId,
    /// Whether each story's kind must be looked up (else all are kept).
    check: bool,
}

/// Whether stories that can only be of kinds kept as `kept` says are all
/// dropped (`None`), all kept (`Some(false)`) or each looked at (`Some(true)`).
fn look(kept: &[bool]) -> Option<bool> {
    kept.contains(&true).then(|| kept.contains(&false))
}

/// Where in a segment of `max_doc` documents the kept stories (`keep`, per
/// kind) may be, given the newest publication date of each of its runs of
/// [`CHUNK_DOCS`] documents: a run whose newest story was published before
/// `archived_before` holds archived stories only. A segment the searcher did
/// not know (`newest` is `None`) is looked at story by story.
fn spans(newest: Option<&[i64]>, max_doc: DocId, archived_before: i64, keep: [bool; 8]) -> Vec<Span> {
    let any_kind = look(&keep);
    let archived: Vec<bool> = (0..keep.len()).filter(|k| k & ARCHIVED != 0).map(|k| keep[k]).collect();
    let archived_kind = look(&archived);
    let mut spans: Vec<Span> = Vec::new();
    let runs: Vec<(DocId, i64)> = match newest {
        Some(newest) => newest.iter().enumerate().map(|(i, newest)| (i as DocId * CHUNK_DOCS, *newest)).collect(),
        None => vec![(0, i64::MAX)],
    };
    for (i, (start, newest)) in runs.iter().enumerate() {
        let end = runs.get(i + 1).map_or(max_doc, |(next, _)| *next).min(max_doc);
        let Some(check) = (if *newest < archived_before { archived_kind } else { any_kind }) else { continue };
        match spans.last_mut() {
            Some(last) if last.end == *start && last.check == check => last.end = end,
            _ => spans.push(Span { start: *start, end, check }),
        }
    }
    spans.retain(|span| span.start < span.end);
    spans
}

struct KindFilterScorer {
    scorer: Box<dyn Scorer>,
    spans: Vec<Span>,
    /// The span the current document is in; past the last when done.
    span: usize,
    /// The share of the segment the spans cover.
    covered: f64,
    premium: Column<bool>,
    published: Column<i64>,
    sections: Option<Column<u64>>,
    premium_ordinals: Vec<u64>,
    /// Per kind of story: whether its matches are kept.
    keep: [bool; 8],
    archived_before: i64,
}

impl KindFilterScorer {
    fn kept(&self, doc: DocId) -> bool {
        // A story missing a value is taken as the most withheld kind.
        let premium = self.premium.first(doc).unwrap_or(true);
        let premium_section = self
            .sections
            .as_ref()
            .and_then(|sections| sections.first(doc))
            .is_some_and(|ordinal| self.premium_ordinals.contains(&ordinal));
        let archived = self.published.first(doc).is_none_or(|published| published < self.archived_before);
        self.keep[kind(premium, premium_section, archived)]
    }

    /// Moves the inner scorer to the first kept match at or after its
    /// current document, jumping over the gaps between spans.
    fn skip_to_kept(&mut self) -> DocId {
        let mut doc = self.scorer.doc();
        loop {
            // TERMINATED is past every span's end.
            while self.spans.get(self.span).is_some_and(|span| span.end <= doc) {
                self.span += 1;
            }
            let Some(span) = self.spans.get(self.span) else { return TERMINATED };
            if doc < span.start {
                doc = self.scorer.seek(span.start);
            } else if !span.check || self.kept(doc) {
                return doc;
            } else {
                doc = self.scorer.advance();
            }
        }
    }

    fn done(&self) -> bool {
        self.span >= self.spans.len()
    }
}

impl DocSet for KindFilterScorer {
    fn advance(&mut self) -> DocId {
        if self.done() {
            return TERMINATED;
        }
        self.scorer.advance();
        self.skip_to_kept()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.done() {
            return TERMINATED;
        }
        self.scorer.seek(target);
        self.skip_to_kept()
    }

    fn doc(&self) -> DocId {
        if self.done() { TERMINATED } else { self.scorer.doc() }
    }

    fn size_hint(&self) -> u32 {
        (f64::from(self.scorer.size_hint()) * self.covered).ceil() as u32
    }
}

impl Scorer for KindFilterScorer {
    fn score(&mut self) -> Score {
        self.scorer.score()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use masthead_domain::access::{Benefit, Reader, ReaderKind, entitled};

    fn reach(benefits: Vec<Benefit>) -> Reach {
        let reader = Reader { kind: ReaderKind::Registered, benefits };
        Reach::of(|story| entitled(&reader, story), vec!["smart-investor".into()], DateTime::UNIX_EPOCH)
    }

    #[test]
    fn a_visitor_reaches_the_whole_of_free_recent_stories_only() {
        let visitor = Reader::visitor();
        let visitor = Reach::of(|story| entitled(&visitor, story), Vec::new(), DateTime::UNIX_EPOCH);
        let only_free_recent = std::array::from_fn(|k| k == kind(false, false, false));
        assert_eq!(visitor.whole, only_free_recent);
        assert_eq!(reach(vec![]).whole, only_free_recent);
    }

    #[test]
    fn benefits_drop_the_conditions_they_lift() {
        // Premium stories but not the archive or the premium section.
        let premium = reach(vec![Benefit::PremiumStories]).whole;
        assert_eq!(premium, std::array::from_fn(|k| k == kind(false, false, false) || k == kind(true, false, false)));
        assert!(reach(vec![Benefit::PremiumStories, Benefit::SmartInvestor, Benefit::Archive]).is_everything());
        assert!(reach(Benefit::ALL.to_vec()).is_everything());
        let staff = Reader { kind: ReaderKind::Staff, benefits: vec![] };
        assert!(Reach::of(|story| entitled(&staff, story), vec![], DateTime::UNIX_EPOCH).is_everything());
        assert!(!Reach::free_text_only().is_everything() && Reach::free_text_only().is_nothing());
    }

    #[test]
    fn runs_of_archived_stories_are_skipped_or_taken_whole() {
        let whole = reach(vec![]).whole;
        let free = whole.map(|whole| !whole);
        let span = |start, end, check| Span { start, end, check };
        let c = CHUNK_DOCS;
        // Four runs; the third and the last hold stories published at or
        // after the cutoff (100), the last is short.
        let (newest, max_doc) = ([10, 99, 150, 100], 3 * c + 5);
        // A visitor's whole text: only the runs with recent stories, each story looked at.
        assert_eq!(spans(Some(&newest), max_doc, 100, whole), vec![span(2 * c, max_doc, true)]);
        // Their free text: archived runs whole, without a lookup.
        assert_eq!(spans(Some(&newest), max_doc, 100, free), vec![span(0, 2 * c, false), span(2 * c, max_doc, true)]);
        // Nothing archived yet: every run is looked at.
        assert_eq!(spans(Some(&newest), max_doc, 0, whole), vec![span(0, max_doc, true)]);
        // A segment the searcher did not date is looked at story by story.
        assert_eq!(spans(None, max_doc, 100, whole), vec![span(0, max_doc, true)]);
        assert_eq!(spans(Some(&newest), max_doc, 100, [true; 8]), vec![span(0, max_doc, false)]);
        assert!(spans(Some(&newest), max_doc, 100, [false; 8]).is_empty());
        // A reader of the archive but not of premium stories reads some archived kinds.
        let archive = reach(vec![Benefit::Archive]).whole;
        assert_eq!(spans(Some(&newest), max_doc, 100, archive), vec![span(0, max_doc, true)]);
        assert_eq!(spans(Some(&[]), 0, 100, whole), vec![]);
    }

    #[test]
    fn the_archive_cutoff_moves_to_the_next_minute() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let reach = Reach::of(|_| false, vec![], at("2026-01-01T10:00:01Z"));
        assert_eq!(reach.archived_before, at("2026-01-01T10:01:00Z").timestamp());
        let reach = Reach::of(|_| false, vec![], at("2026-01-01T10:00:00Z"));
        assert_eq!(reach.archived_before, at("2026-01-01T10:00:00Z").timestamp());
    }
}
