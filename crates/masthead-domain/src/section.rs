//! Sections of the publication: the desks a story belongs to.

use serde::Serialize;

/// A section as readers see it: `/world`, `/markets`, `/smart-investor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// URL segment, e.g. `smart-investor`.
    pub slug: String,
    /// Display name, e.g. "The Smart Investor".
    pub name: String,
    /// A premium vertical: every story in it is for subscribers only.
    pub premium: bool,
    /// Order on the home page and in navigation.
    pub position: i64,
}

/// The demo publication's desks, in navigation order: `(slug, name, premium)`.
pub const DEMO_SECTIONS: [(&str, &str, bool); 8] = [
    ("world", "World", false),
    ("economy", "Economy", false),
    ("markets", "Markets", false),
    ("companies", "Companies", false),
    ("politics", "Politics", false),
    ("technology", "Technology", false),
    ("opinion", "Opinion", false),
    ("smart-investor", "The Smart Investor", true),
];

/// The demo sections as values, ready to store.
pub fn demo_sections() -> Vec<Section> {
    DEMO_SECTIONS
        .iter()
        .zip(1..)
        .map(|(&(slug, name, premium), position)| Section {
            slug: slug.to_owned(),
            name: name.to_owned(),
            premium,
            position,
        })
        .collect()
}
