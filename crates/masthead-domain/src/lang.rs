//! The language a story is written in, for HTML's `lang`: read from the
//! script most of its letters are in. The site's pages are English
//! (`<html lang="en">`); a story in an Indian script says its own language,
//! so browsers pick fonts and hyphenation, and screen readers the voice.

use std::ops::RangeInclusive;

/// The language of the site's own pages.
pub const SITE: &str = "en";

/// Unicode blocks and the language a story written in each most likely is
/// (Devanagari is also Marathi's and Nepali's script; Hindi is the likeliest
/// for an Indian news site).
const SCRIPTS: [(RangeInclusive<char>, &str); 10] = [
    ('\u{0900}'..='\u{097F}', "hi"),
    ('\u{0980}'..='\u{09FF}', "bn"),
    ('\u{0A00}'..='\u{0A7F}', "pa"),
    ('\u{0A80}'..='\u{0AFF}', "gu"),
    ('\u{0B00}'..='\u{0B7F}', "or"),
    ('\u{0B80}'..='\u{0BFF}', "ta"),
    ('\u{0C00}'..='\u{0C7F}', "te"),
    ('\u{0C80}'..='\u{0CFF}', "kn"),
    ('\u{0D00}'..='\u{0D7F}', "ml"),
    ('\u{0600}'..='\u{06FF}', "ur"),
];

/// The language tag of `parts` (a headline, a standfirst) when more than
/// half their letters are in one of the scripts above; `None` when they are
/// in the site's language (Latin letters, or none at all).
pub fn of_text(parts: &[&str]) -> Option<&'static str> {
    let mut counts = [0usize; SCRIPTS.len()];
    let mut letters = 0usize;
    for c in parts.iter().flat_map(|part| part.chars()) {
        // Vowel signs and viramas are marks, not alphabetic: count them with their script.
        let script = SCRIPTS.iter().position(|(range, _)| range.contains(&c));
        if let Some(i) = script {
            counts[i] += 1;
        }
        if script.is_some() || c.is_alphabetic() {
            letters += 1;
        }
    }
    let (i, most) = counts.iter().copied().enumerate().max_by_key(|(_, n)| *n)?;
    (most * 2 > letters).then_some(SCRIPTS[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indian_scripts_name_their_language() {
        assert_eq!(of_text(&["भारत की अर्थव्यवस्था में तेज़ी", "रिज़र्व बैंक ने दरें घटाईं"]), Some("hi"));
        assert_eq!(of_text(&["தமிழ்நாடு தேர்தல்"]), Some("ta"));
        assert_eq!(of_text(&["পশ্চিমবঙ্গ"]), Some("bn"));
    }

    #[test]
    fn latin_text_and_a_few_borrowed_words_are_the_sites_language() {
        assert_eq!(of_text(&["Sensex rallies 2%", "Tränen in Köln"]), None);
        assert_eq!(of_text(&["Modi says 'विकास' is the goal of the new budget"]), None);
        assert_eq!(of_text(&["", "2024 — 1,000"]), None);
    }
}
