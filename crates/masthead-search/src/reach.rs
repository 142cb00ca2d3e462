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
//! allows as a filter the index applies inside the query, from the stored
//! `premium`, `section` and `published` fields, so sections marked premium
//! later and stories that age into the archive need no reindexing.

use chrono::{DateTime, Utc};
use masthead_domain::access::Story;
use tantivy::Term;
use tantivy::query::{AllQuery, BooleanQuery, EmptyQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::IndexRecordOption;

use crate::Fields;

/// The kinds of story whose whole text a reader's search matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    /// Conditions on (marked premium, in a premium section, archived), one
    /// set per kind allowed; `None` is either value.
    kinds: Vec<[Option<bool>; 3]>,
    /// The sections marked premium now.
    premium_sections: Vec<String>,
    /// Stories first published before this (Unix seconds) are archived.
    archived_before: i64,
}

impl Reach {
    /// The whole text of every story (staff).
    pub fn everything() -> Self {
        Self { kinds: vec![[None; 3]], premium_sections: Vec::new(), archived_before: 0 }
    }

    /// Only the free text of every story.
    pub fn free_text_only() -> Self {
        Self { kinds: Vec::new(), premium_sections: Vec::new(), archived_before: 0 }
    }

    /// The reach of a reader `entitled` to the whole of some stories (the
    /// domain's rule, asked about each kind of story), with the sections
    /// marked premium now and the instant before which a story is archived.
    ///
    /// That instant is moved to the next whole minute, so that a reach (and
    /// a remembered answer) stays the same for a minute, and a story about
    /// to age into the archive is taken as archived a little early, never late.
    pub fn of(entitled: impl Fn(Story) -> bool, premium_sections: Vec<String>, archived_before: DateTime<Utc>) -> Self {
        let story = |[premium, premium_section, archived]: [bool; 3]| Story { premium, premium_section, archived };
        let all: Vec<[bool; 3]> = (0..8u8).map(|bits| [bits & 1 != 0, bits & 2 != 0, bits & 4 != 0]).collect();
        // A fact the rule does not look at (for this reader) is no condition.
        let matters: Vec<bool> = (0..3)
            .map(|fact| {
                all.iter().any(|kind| {
                    let mut flipped = *kind;
                    flipped[fact] = !flipped[fact];
                    entitled(story(*kind)) != entitled(story(flipped))
                })
            })
            .collect();
        let kinds = all
            .into_iter()
            .filter(|kind| (0..3).all(|fact| matters[fact] || !kind[fact]))
            .filter(|kind| entitled(story(*kind)))
            .map(|kind| [0, 1, 2].map(|fact| matters[fact].then_some(kind[fact])))
            .collect();
        let seconds = archived_before.timestamp();
        Self { kinds, premium_sections, archived_before: seconds + (60 - seconds.rem_euclid(60)) % 60 }
    }

    /// Whether the whole text of every story counts.
    pub fn is_everything(&self) -> bool {
        self.kinds.contains(&[None; 3])
    }

    /// A query matching the stories whose whole text counts; `None` when
    /// every story's does.
    pub(crate) fn whole_text_stories(&self, fields: &Fields) -> Option<Box<dyn Query>> {
        if self.is_everything() {
            return None;
        }
        let mut kinds: Vec<Box<dyn Query>> =
            self.kinds.iter().filter_map(|kind| self.kind_query(fields, kind)).collect();
        Some(match kinds.len() {
            0 => Box::new(EmptyQuery),
            1 => kinds.remove(0),
            _ => Box::new(BooleanQuery::new(kinds.into_iter().map(|kind| (Occur::Should, kind)).collect())),
        })
    }

    /// One kind's conditions as a query; `None` when no story can be of it.
    fn kind_query(
        &self,
        fields: &Fields,
        [premium, premium_section, archived]: &[Option<bool>; 3],
    ) -> Option<Box<dyn Query>> {
        let term = |term: Term| -> Box<dyn Query> { Box::new(TermQuery::new(term, IndexRecordOption::Basic)) };
        let occur = |yes: bool| if yes { Occur::Must } else { Occur::MustNot };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(premium) = premium {
            clauses.push((Occur::Must, term(Term::from_field_bool(fields.premium, *premium))));
        }
        match (premium_section, self.premium_sections.as_slice()) {
            (None, _) | (Some(false), []) => {}
            (Some(true), []) => return None,
            (Some(in_one), sections) => {
                let any = sections
                    .iter()
                    .map(|slug| (Occur::Should, term(Term::from_field_text(fields.section, slug))))
                    .collect();
                clauses.push((occur(*in_one), Box::new(BooleanQuery::new(any))));
            }
        }
        if let Some(archived) = archived {
            let cutoff = Term::from_field_i64(fields.published, self.archived_before);
            let older = RangeQuery::new(std::ops::Bound::Unbounded, std::ops::Bound::Excluded(cutoff));
            clauses.push((occur(*archived), Box::new(older)));
        }
        // A query of exclusions alone matches nothing: exclude from everything.
        if !clauses.iter().any(|(occur, _)| *occur == Occur::Must) {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        Some(Box::new(BooleanQuery::new(clauses)))
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
        let no_premium_sections = Reach::of(|story| entitled(&visitor, story), Vec::new(), DateTime::UNIX_EPOCH);
        assert_eq!(no_premium_sections.kinds, vec![[Some(false), Some(false), Some(false)]]);
        assert_eq!(reach(vec![]).kinds, vec![[Some(false), Some(false), Some(false)]]);
    }

    #[test]
    fn benefits_drop_the_conditions_they_lift() {
        // Premium stories but not the archive or the premium section.
        assert_eq!(reach(vec![Benefit::PremiumStories]).kinds, vec![[None, Some(false), Some(false)]]);
        assert_eq!(
            reach(vec![Benefit::PremiumStories, Benefit::SmartInvestor, Benefit::Archive]),
            Reach { kinds: vec![[None; 3]], premium_sections: vec!["smart-investor".into()], archived_before: 0 }
        );
        assert!(reach(Benefit::ALL.to_vec()).is_everything());
        let staff = Reader { kind: ReaderKind::Staff, benefits: vec![] };
        assert!(Reach::of(|story| entitled(&staff, story), vec![], DateTime::UNIX_EPOCH).is_everything());
        assert!(!Reach::free_text_only().is_everything());
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
