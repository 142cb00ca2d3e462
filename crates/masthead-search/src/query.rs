//! What a reader types, made into a query the index can run — or a typed
//! error with a message fit to show them.
//!
//! The syntax is small on purpose: words (all must match), `"quoted
//! phrases"`, `-word` to exclude, and `OR` between two terms. Anything else
//! tantivy's own parser would accept (field names, ranges, boosts) is not
//! offered to readers, so a stray colon or bracket is just punctuation.

use chrono::{DateTime, NaiveDate, Utc};
use masthead_domain::PublisherZone;
use thiserror::Error;

use crate::Reach;

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// Results per page unless the request says.
pub const PAGE_SIZE: usize = 10;
/// The deepest page offered (deep pagination is a crawler's game).
pub const MAX_PAGE: usize = 100;
/// The most results one page may hold.
pub const MAX_PER_PAGE: usize = 100;

/// Why a query cannot be run. The `Display` text is written for readers.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QueryError {
    /// Nothing but whitespace.
    #[error("Type a word or a \"phrase in quotes\" to search the archive.")]
    Empty,
    /// Longer than [`MAX_QUERY_CHARS`].
    #[error("That search is too long: keep it under {MAX_QUERY_CHARS} characters.")]
    TooLong,
    /// A `"` without its partner.
    #[error("A quotation mark is missing its partner: close the \"phrase in quotes\".")]
    UnbalancedQuotes,
    /// `OR` or `-` with nothing to work on.
    #[error("\"{0}\" needs a word on each side (OR) or straight after it (-).")]
    LoneOperator(String),
    /// Only excluded words, or only punctuation: nothing would match.
    #[error("Add a word to look for: a search cannot only exclude words.")]
    NothingToFind,
    /// A filter value that makes no sense (a date range that ends before it starts).
    #[error("{0}")]
    BadFilter(String),
}

/// One part of a parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// A word or a phrase (one word is a phrase of one).
    Phrase(String),
    /// Either of these.
    Any(Vec<String>),
    /// Must not appear.
    Not(String),
}

/// The reader's text, parsed: every [`Part`] must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms(pub Vec<Part>);

impl Terms {
    /// Parses what a reader typed.
    pub fn parse(input: &str) -> Result<Self, QueryError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(QueryError::Empty);
        }
        if input.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong);
        }
        if input.matches('"').count() % 2 == 1 {
            return Err(QueryError::UnbalancedQuotes);
        }
        // Tokens: quoted phrases whole, everything else split on whitespace.
        let mut tokens: Vec<(String, bool)> = Vec::new();
        for (i, chunk) in input.split('"').enumerate() {
            if i % 2 == 1 {
                if !chunk.trim().is_empty() {
                    tokens.push((chunk.trim().to_owned(), true));
                }
            } else {
                tokens.extend(chunk.split_whitespace().map(|w| (w.to_owned(), false)));
            }
        }
        let mut parts: Vec<Part> = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let (token, quoted) = &tokens[i];
            if !quoted && (token == "OR" || token == "AND" || token == "||" || token == "&&") {
                return Err(QueryError::LoneOperator(token.clone()));
            }
            if !quoted && (token == "-" || token == "+") {
                return Err(QueryError::LoneOperator(token.clone()));
            }
            let term = if !quoted && let Some(excluded) = token.strip_prefix('-') {
                i += 1;
                parts.push(Part::Not(excluded.to_owned()));
                continue;
            } else {
                token.trim_start_matches('+').to_owned()
            };
            // `a OR b OR c`
            let mut any = vec![term];
            while i + 1 < tokens.len() && !tokens[i + 1].1 && tokens[i + 1].0 == "OR" {
                let Some((next, _)) = tokens.get(i + 2) else {
                    return Err(QueryError::LoneOperator("OR".to_owned()));
                };
                if next == "OR" || next == "-" {
                    return Err(QueryError::LoneOperator("OR".to_owned()));
                }
                any.push(next.clone());
                i += 2;
            }
            parts.push(if any.len() == 1 { Part::Phrase(any.remove(0)) } else { Part::Any(any) });
            i += 1;
        }
        if !parts.iter().any(|p| !matches!(p, Part::Not(_))) {
            return Err(QueryError::NothingToFind);
        }
        Ok(Self(parts))
    }
}

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Most recently first published first.
    Newest,
}

impl Sort {
    /// Reads `relevance` or `newest`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "relevance" => Some(Self::Relevance),
            "newest" => Some(Self::Newest),
            _ => None,
        }
    }

    /// The URL spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Relevance => "relevance",
            Self::Newest => "newest",
        }
    }
}

/// A whole search: the words and every filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    /// What to look for.
    pub terms: Terms,
    /// Only this section (slug).
    pub section: Option<String>,
    /// Only stories first published at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Only stories first published before this instant.
    pub until: Option<DateTime<Utc>>,
    /// Only stories by this writer or agency (case does not matter).
    pub credit: Option<String>,
    /// Only premium (`true`) or only free (`false`) stories.
    pub premium: Option<bool>,
    /// The stories whose whole text may match; the others match on their
    /// free text alone.
    pub reach: Reach,
    /// Order.
    pub sort: Sort,
    /// 1-based page of `per_page` results.
    pub page: usize,
    /// Results per page: [`PAGE_SIZE`] unless the caller says (the API's
    /// `limit`), at least one and at most [`MAX_PER_PAGE`].
    pub per_page: usize,
}

impl SearchRequest {
    /// A request for `terms`, unfiltered, first page by relevance, matching
    /// the free text of every story (set [`Self::reach`] for more).
    pub fn new(terms: Terms) -> Self {
        Self {
            terms,
            section: None,
            from: None,
            until: None,
            credit: None,
            premium: None,
            reach: Reach::free_text_only(),
            sort: Sort::Relevance,
            page: 1,
            per_page: PAGE_SIZE,
        }
    }

    /// Sets the date filter from the publisher's calendar dates, both
    /// inclusive: `from` 2017-04-01 to 2017-04-30 is the whole of April in IST.
    pub fn with_dates(
        mut self,
        zone: &PublisherZone,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Self, QueryError> {
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            return Err(QueryError::BadFilter("The end date is before the start date.".to_owned()));
        }
        self.from = from.map(|day| zone.day_bounds(day).0);
        self.until = to.map(|day| zone.day_bounds(day).1);
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrase(s: &str) -> Part {
        Part::Phrase(s.to_owned())
    }

    #[test]
    fn words_phrases_exclusions_and_or() {
        assert_eq!(
            Terms::parse(r#"kremlin "too early yet" -syria putin OR lavrov"#).unwrap(),
            Terms(vec![
                phrase("kremlin"),
                phrase("too early yet"),
                Part::Not("syria".into()),
                Part::Any(vec!["putin".into(), "lavrov".into()]),
            ])
        );
    }

    #[test]
    fn bad_queries_are_typed_errors() {
        assert_eq!(Terms::parse("   "), Err(QueryError::Empty));
        assert_eq!(Terms::parse(&"a".repeat(5000)), Err(QueryError::TooLong));
        assert_eq!(Terms::parse(r#""too early"#), Err(QueryError::UnbalancedQuotes));
        for lone in ["OR", "AND", "-", "kremlin OR", "OR kremlin", "a OR OR b", "&&", "+"] {
            assert!(matches!(Terms::parse(lone), Err(QueryError::LoneOperator(_))), "{lone}");
        }
        assert_eq!(Terms::parse("-syria"), Err(QueryError::NothingToFind));
        assert_eq!(Terms::parse(r#""""#), Err(QueryError::NothingToFind));
    }

    #[test]
    fn messages_are_for_readers() {
        assert!(QueryError::UnbalancedQuotes.to_string().contains("quotation mark"));
        assert!(QueryError::TooLong.to_string().contains("500"));
    }

    #[test]
    fn calendar_dates_become_ist_day_bounds() {
        let zone = PublisherZone::default();
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        let request =
            SearchRequest::new(Terms::parse("x").unwrap()).with_dates(&zone, d(2017, 4, 1), d(2017, 4, 30)).unwrap();
        assert_eq!(request.from.unwrap().to_rfc3339(), "2017-03-31T18:30:00+00:00");
        assert_eq!(request.until.unwrap().to_rfc3339(), "2017-04-30T18:30:00+00:00");
        let backwards = SearchRequest::new(Terms::parse("x").unwrap()).with_dates(&zone, d(2018, 1, 1), d(2017, 1, 1));
        assert!(matches!(backwards, Err(QueryError::BadFilter(_))));
    }
}
