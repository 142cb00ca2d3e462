//! Word pairs: every two neighbouring words of a story indexed as one term
//! (`too early`, `early yet`), so that a phrase of common words is first
//! narrowed to the few stories holding all of its pairs — an intersection of
//! short posting lists — before positions are checked in those alone.
//!
//! Pairs are cut from the same words the `text` field indexes (tantivy's
//! default analyzer: split on non-alphanumerics, words over 40 bytes dropped,
//! lower-cased), never across a dropped word nor from one field value into
//! the next, so a story holding a phrase always holds each of its pairs.

use tantivy::tokenizer::{
    BoxTokenStream, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token, TokenStream, Tokenizer,
};

/// The name the pair tokenizer is registered under in each index.
pub(crate) const TOKENIZER: &str = "word_pairs";

/// The words of `text` as the `text` field indexes them.
pub(crate) fn words() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default()).filter(RemoveLongFilter::limit(40)).filter(LowerCaser).build()
}

/// The pair term for two neighbouring words.
pub(crate) fn pair(first: &str, second: &str) -> String {
    format!("{first} {second}")
}

/// Tokenizes text into its word pairs.
#[derive(Clone)]
pub(crate) struct WordPairs(TextAnalyzer);

impl Default for WordPairs {
    fn default() -> Self {
        Self(words())
    }
}

impl Tokenizer for WordPairs {
    type TokenStream<'a> = PairStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PairStream<'a> {
        PairStream { words: self.0.token_stream(text), previous: None, pair: Token::default() }
    }
}

/// The pairs of one text.
pub(crate) struct PairStream<'a> {
    words: BoxTokenStream<'a>,
    /// The last word seen: its text, position and start offset.
    previous: Option<(String, usize, usize)>,
    pair: Token,
}

impl TokenStream for PairStream<'_> {
    fn advance(&mut self) -> bool {
        while self.words.advance() {
            let word = self.words.token();
            let follows = match &self.previous {
                Some((text, position, from)) if position + 1 == word.position => {
                    self.pair.text.clear();
                    self.pair.text.push_str(text);
                    self.pair.text.push(' ');
                    self.pair.text.push_str(&word.text);
                    self.pair.position = *position;
                    self.pair.offset_from = *from;
                    self.pair.offset_to = word.offset_to;
                    true
                }
                _ => false,
            };
            let (text, position, from) = self.previous.get_or_insert_with(Default::default);
            text.clear();
            text.push_str(&word.text);
            (*position, *from) = (word.position, word.offset_from);
            if follows {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        &self.pair
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.pair
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<String> {
        let mut tokenizer = WordPairs::default();
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    #[test]
    fn neighbouring_words_pair_up_lower_cased() {
        assert_eq!(pairs("Peskov said: \"Too early yet.\""), ["peskov said", "said too", "too early", "early yet"]);
        assert_eq!(pairs("alone"), Vec::<String>::new());
        assert_eq!(pair("too", "early"), "too early");
    }

    #[test]
    fn no_pair_spans_a_dropped_word() {
        let long = "x".repeat(41);
        assert_eq!(pairs(&format!("one {long} two three")), ["two three"]);
    }
}
