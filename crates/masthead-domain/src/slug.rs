//! How a story is addressed: its slug and its canonical path `/{section}/{slug}-{id}`.
//!
//! The id at the end of the path is what finds the story; the slug is for people
//! and search engines. A path with a wrong or outdated slug still finds the story,
//! and the web layer redirects it to the canonical path.

use std::fmt;

use thiserror::Error;

/// The longest slug we make from a headline, in bytes (ASCII only).
const MAX_SLUG_LEN: usize = 80;

/// A URL-safe slug: lowercase ASCII letters and digits joined by single hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

/// Why a string is not a slug.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("not a slug: {0:?} (use lowercase letters, digits and single hyphens)")]
pub struct InvalidSlug(String);

impl Slug {
    /// Makes a slug from a headline: transliterated to ASCII (`deunicode`:
    /// "Tränen" reads "tranen", a Hindi headline its Latin spelling), letters
    /// and digits kept and lowercased, everything else a separator, cut at a
    /// word boundary to at most 80 bytes. A headline with no usable
    /// characters becomes `story`.
    pub fn from_headline(headline: &str) -> Self {
        let headline = deunicode::deunicode(headline);
        let mut slug = String::with_capacity(headline.len().min(MAX_SLUG_LEN));
        for word in headline
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '\'' && c != '’')
            .map(|w| w.replace(['\'', '’'], ""))
            .filter(|w| !w.is_empty())
        {
            let extra = usize::from(!slug.is_empty()) + word.len();
            if slug.len() + extra > MAX_SLUG_LEN {
                if slug.is_empty() {
                    slug.push_str(&word[..MAX_SLUG_LEN]);
                }
                break;
            }
            if !slug.is_empty() {
                slug.push('-');
            }
            slug.push_str(&word.to_ascii_lowercase());
        }
        if slug.is_empty() {
            slug.push_str("story");
        }
        Self(slug)
    }

    /// Accepts a string that already is a slug.
    pub fn parse(s: &str) -> Result<Self, InvalidSlug> {
        let valid = !s.is_empty()
            && s.len() <= MAX_SLUG_LEN
            && s.split('-')
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        if valid { Ok(Self(s.to_owned())) } else { Err(InvalidSlug(s.to_owned())) }
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The last segment of a story path, `{slug}-{id}`, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryPath<'a> {
    /// Whatever came before the id; may be stale or wrong.
    pub slug: &'a str,
    /// The story's id.
    pub id: i64,
}

impl<'a> StoryPath<'a> {
    /// Reads `{slug}-{id}` or a bare `{id}`; `None` when there is no positive
    /// numeric id at the end (which the web layer answers with 404).
    pub fn parse(segment: &'a str) -> Option<Self> {
        let (slug, digits) = segment.rsplit_once('-').unwrap_or(("", segment));
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let id: i64 = digits.parse().ok()?;
        (id > 0).then_some(Self { slug, id })
    }
}

/// The canonical path of a story.
pub fn story_path(section: &str, slug: &Slug, id: i64) -> String {
    format!("/{section}/{slug}-{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_headline_becomes_readable_slug() {
        let slug = Slug::from_headline("Kremlin: No positive shift yet on Russia-US ties");
        assert_eq!(slug.as_str(), "kremlin-no-positive-shift-yet-on-russia-us-ties");
    }

    #[test]
    fn apostrophes_join_words_instead_of_splitting_them() {
        assert_eq!(Slug::from_headline("India's GDP: what’s next?").as_str(), "indias-gdp-whats-next");
    }

    #[test]
    fn non_ascii_and_punctuation_become_single_hyphens() {
        // Transliterated first: the rupee sign reads "Rs".
        assert_eq!(Slug::from_headline("  Sensex — up 2%!!  Nifty ₹ rally ").as_str(), "sensex-up-2-nifty-rs-rally");
    }

    #[test]
    fn other_scripts_are_transliterated() {
        assert_eq!(Slug::from_headline("Tränen über Köln").as_str(), "tranen-uber-koln");
        let hindi = Slug::from_headline("भारत की अर्थव्यवस्था में तेज़ी");
        assert!(hindi.as_str().len() > 10 && hindi.as_str().starts_with("bh"), "{hindi}");
        assert_eq!(Slug::parse(hindi.as_str()), Ok(hindi.clone()));
    }

    #[test]
    fn empty_headline_gets_a_placeholder() {
        assert_eq!(Slug::from_headline("—!?").as_str(), "story");
        assert_eq!(Slug::from_headline("").as_str(), "story");
    }

    #[test]
    fn long_headlines_are_cut_at_a_word_boundary() {
        let headline = "word ".repeat(40);
        let slug = Slug::from_headline(&headline);
        assert!(slug.as_str().len() <= 80);
        assert!(slug.as_str().ends_with("word"));
        assert!(Slug::parse(slug.as_str()).is_ok());
        let one_long_word = "a".repeat(200);
        assert_eq!(Slug::from_headline(&one_long_word).as_str().len(), 80);
    }

    #[test]
    fn made_slugs_always_parse() {
        for headline in ["A-B", "--x--", "Q3 results: TCS beats estimates", "ÉLAN 2024"] {
            let slug = Slug::from_headline(headline);
            assert_eq!(Slug::parse(slug.as_str()), Ok(slug.clone()), "{headline}");
        }
    }

    #[test]
    fn parse_rejects_non_slugs() {
        for bad in ["", "Upper", "a--b", "-a", "a-", "a b", "a/b"] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn story_path_takes_the_trailing_id() {
        assert_eq!(StoryPath::parse("kremlin-no-shift-42"), Some(StoryPath { slug: "kremlin-no-shift", id: 42 }));
        assert_eq!(StoryPath::parse("42"), Some(StoryPath { slug: "", id: 42 }));
    }

    #[test]
    fn story_path_without_a_positive_numeric_id_is_none() {
        for bad in ["kremlin", "kremlin-", "kremlin-abc", "x-0", "x-99999999999999999999", "x-1e3"] {
            assert_eq!(StoryPath::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn canonical_path_joins_section_slug_and_id() {
        let slug = Slug::parse("kremlin-no-shift").unwrap();
        assert_eq!(story_path("world", &slug, 7), "/world/kremlin-no-shift-7");
    }
}
