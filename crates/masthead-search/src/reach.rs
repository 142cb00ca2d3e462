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
//! reindexing.

use chrono::{DateTime, Utc};
use masthead_domain::access::Story;
use tantivy::fastfield::Column;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED};

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

/// A kind of story as an index into [`Reach::whole`].
fn kind(premium: bool, premium_section: bool, archived: bool) -> usize {
    usize::from(premium) | usize::from(premium_section) << 1 | usize::from(archived) << 2
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
    /// or only the others.
    pub(crate) fn only(&self, whole: bool, query: Box<dyn Query>) -> Box<dyn Query> {
        Box::new(KindFilter { query, reach: self.clone(), whole })
    }
}

/// A query narrowed to the stories of the kinds whose whole text counts (or
/// of the others). The kind is read per matching story from the fast fields
/// (`premium`, `section`, `published`): a few lookups per match, where a
/// filter query over every story would cost in proportion to the archive.
#[derive(Debug)]
struct KindFilter {
    query: Box<dyn Query>,
    reach: Reach,
    whole: bool,
}

impl Clone for KindFilter {
    fn clone(&self) -> Self {
        Self { query: self.query.box_clone(), reach: self.reach.clone(), whole: self.whole }
    }
}

impl Query for KindFilter {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(KindFilterWeight {
            weight: self.query.weight(enable_scoring)?,
            reach: self.reach.clone(),
            whole: self.whole,
        }))
    }
}

struct KindFilterWeight {
    weight: Box<dyn Weight>,
    reach: Reach,
    whole: bool,
}

impl Weight for KindFilterWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
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
        let mut scorer = KindFilterScorer {
            scorer: self.weight.scorer(reader, boost)?,
            premium: fast.bool("premium")?,
            published: fast.i64("published")?,
            sections,
            premium_ordinals,
            keep: self.reach.whole.map(|whole| whole == self.whole),
            archived_before: self.reach.archived_before,
        };
        scorer.skip_to_kept();
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.weight.explain(reader, doc)
    }
}

struct KindFilterScorer {
    scorer: Box<dyn Scorer>,
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

    fn skip_to_kept(&mut self) -> DocId {
        let mut doc = self.scorer.doc();
        while doc != TERMINATED && !self.kept(doc) {
            doc = self.scorer.advance();
        }
        doc
    }
}

impl DocSet for KindFilterScorer {
    fn advance(&mut self) -> DocId {
        self.scorer.advance();
        self.skip_to_kept()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.scorer.seek(target);
        self.skip_to_kept()
    }

    fn doc(&self) -> DocId {
        self.scorer.doc()
    }

    fn size_hint(&self) -> u32 {
        self.scorer.size_hint()
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
    fn the_archive_cutoff_moves_to_the_next_minute() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let reach = Reach::of(|_| false, vec![], at("2026-01-01T10:00:01Z"));
        assert_eq!(reach.archived_before, at("2026-01-01T10:01:00Z").timestamp());
        let reach = Reach::of(|_| false, vec![], at("2026-01-01T10:00:00Z"));
        assert_eq!(reach.archived_before, at("2026-01-01T10:00:00Z").timestamp());
    }
}
