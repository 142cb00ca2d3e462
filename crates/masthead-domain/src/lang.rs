//! The language a story is written in ([`Lang`]): stored with the story
//! (chosen in the newsroom, taken from wire copy that says it, else read
//! from the script most of its letters are in), and said wherever the story
//! goes — HTML's `lang`, the structured data, feeds, the API. The site's
//! pages are English (`<html lang="en">`); a story in another language says
//! its own, so browsers pick fonts and hyphenation, and screen readers the
//! voice.

use std::fmt;
use std::ops::RangeInclusive;

use serde::Serialize;

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

/// The languages the newsroom's editor offers, with their names: English,
/// then India's languages with a script of their own above (and Marathi,
/// written in Devanagari, which the script alone cannot tell from Hindi).
pub const CHOICES: [(&str, &str); 12] = [
    ("en", "English"),
    ("hi", "Hindi — हिन्दी"),
    ("mr", "Marathi — मराठी"),
    ("bn", "Bengali — বাংলা"),
    ("gu", "Gujarati — ગુજરાતી"),
    ("pa", "Punjabi — ਪੰਜਾਬੀ"),
    ("or", "Odia — ଓଡ଼ିଆ"),
    ("ta", "Tamil — தமிழ்"),
    ("te", "Telugu — తెలుగు"),
    ("kn", "Kannada — ಕನ್ನಡ"),
    ("ml", "Malayalam — മലയാളം"),
    ("ur", "Urdu — اردو"),
];

/// Body characters read when guessing a story's language: plenty to tell a
/// script, without reading a long story through.
const BODY_CHARS: usize = 4000;

/// A language tag (BCP 47) in its canonical case: the language (`hi`), then
/// a script (`Deva`) and a region (`IN`) when the tag has them
/// (`en-IN`, `zh-Hant-TW`). Variants, extensions and private-use parts are
/// dropped: nothing the site does with a story's language needs them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Lang(String);

impl Lang {
    /// The site's language.
    pub fn site() -> Self {
        Self(SITE.to_owned())
    }

    /// Reads a tag as wire copy and forms write it (`hi`, `en-us`, `EN_GB`,
    /// `zh-Hant-TW`); `None` when it is not a language tag (`english`, `x`,
    /// `en-`, `i-klingon`, an empty string).
    pub fn parse(tag: &str) -> Option<Self> {
        let mut parts = tag.trim().split(['-', '_']);
        let language = parts.next()?;
        if !(2..=3).contains(&language.len()) || !language.bytes().all(|b| b.is_ascii_alphabetic()) {
            return None;
        }
        let mut out = language.to_ascii_lowercase();
        let (mut script, mut region) = (false, false);
        for part in parts {
            let letters = part.bytes().all(|b| b.is_ascii_alphabetic());
            let digits = part.bytes().all(|b| b.is_ascii_digit());
            match part.len() {
                0 => return None,
                4 if letters && !script && !region => {
                    script = true;
                    out.push('-');
                    out.push_str(&part[..1].to_ascii_uppercase());
                    out.push_str(&part[1..].to_ascii_lowercase());
                }
                2 if letters && !region => {
                    region = true;
                    out.push('-');
                    out.push_str(&part.to_ascii_uppercase());
                }
                3 if digits && !region => {
                    region = true;
                    out.push('-');
                    out.push_str(part);
                }
                // A variant, an extension or private use: the rest is left out.
                _ if part.len() <= 8 && part.bytes().all(|b| b.is_ascii_alphanumeric()) => break,
                _ => return None,
            }
        }
        Some(Self(out))
    }

    /// The language a story is most likely in, from its script (see
    /// [`of_text`]): its headline, standfirst and the start of its body's
    /// text (`body_html`, tags skipped); the site's language when the script
    /// says nothing else.
    pub fn detect(headline: &str, standfirst: &str, body_html: &str) -> Self {
        let body = text_of_html(body_html);
        let tag = of_text(&[headline, standfirst, &body]).unwrap_or(SITE);
        Self(tag.to_owned())
    }

    /// The tag, as HTML's `lang` and the feeds write it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The language alone (`en` of `en-IN`): what a Google News sitemap takes.
    pub fn language(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }

    /// Whether a page in the site's language must say this story's language
    /// (`<article lang>`): any tag other than the site's own.
    pub fn differs_from_site(&self) -> bool {
        self.0 != SITE
    }

    /// The language's name as the editor lists it, if it is one it offers.
    pub fn name(&self) -> Option<&'static str> {
        CHOICES.iter().find(|(tag, _)| *tag == self.0).map(|(_, name)| *name)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

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

/// The first [`BODY_CHARS`] characters of sanitised HTML's text: tags and
/// entities skipped (their Latin letters are not the story's).
fn text_of_html(html: &str) -> String {
    let mut text = String::new();
    let (mut in_tag, mut in_entity) = (false, false);
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            '&' if !in_tag => in_entity = true,
            ';' if in_entity => in_entity = false,
            _ if in_tag || in_entity => {}
            _ => {
                text.push(c);
                if text.len() >= BODY_CHARS {
                    break;
                }
            }
        }
    }
    text
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

    #[test]
    fn tags_are_read_in_their_canonical_case_and_the_rest_refused() {
        let tag = |raw: &str| Lang::parse(raw).map(|l| l.as_str().to_owned());
        assert_eq!(tag("hi").as_deref(), Some("hi"));
        assert_eq!(tag(" EN_us ").as_deref(), Some("en-US"));
        assert_eq!(tag("zh-hant-tw").as_deref(), Some("zh-Hant-TW"));
        assert_eq!(tag("es-419").as_deref(), Some("es-419"));
        assert_eq!(tag("de-DE-1996").as_deref(), Some("de-DE"), "a variant is left out");
        assert_eq!(tag("en-US-x-twain").as_deref(), Some("en-US"));
        for bad in ["", "english", "x", "en-", "-en", "i-klingon", "hi\"><script>", "en-US-toolongsubtag"] {
            assert_eq!(tag(bad), None, "{bad}");
        }
        let lang = Lang::parse("hi-IN").unwrap();
        assert_eq!(lang.language(), "hi");
        assert!(lang.differs_from_site());
        assert!(!Lang::site().differs_from_site());
        assert!(Lang::parse("en-GB").unwrap().differs_from_site());
    }

    #[test]
    fn a_story_is_detected_from_its_headline_standfirst_and_body_text() {
        let body = "<p><a href=\"https://example.com/a/long/english/address\">मुंबई</a> में शेयर बाज़ार</p>";
        assert_eq!(Lang::detect("Sensex", "", body).as_str(), "hi", "the link's address is not text");
        assert_eq!(Lang::detect("Sensex rallies", "Banks lead", "<p>Mumbai &amp; Delhi</p>"), Lang::site());
        assert_eq!(Lang::detect("தமிழ்நாடு தேர்தல்", "", "").as_str(), "ta");
        assert_eq!(Lang::parse("mr").unwrap().name(), Some("Marathi — मराठी"));
        assert_eq!(Lang::parse("de").unwrap().name(), None);
    }
}
