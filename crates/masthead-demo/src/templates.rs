//! The desks' templates, parsed once on first use: runs of text between
//! `{slot}`s, each run kept both plain (for headlines and standfirsts) and
//! escaped for HTML (for bodies) by the domain's own escaper. Writing a story
//! then never scans template text, which was most of the generator's work.

use std::sync::LazyLock;

use masthead_domain::html::escape;

use crate::desks::{DESKS, Desk, GENERAL, QUOTE_FRAMES};
use crate::vocabulary::COMPANY_NEWS;

/// A piece of a template.
#[derive(Debug)]
pub enum Piece {
    /// Text written as is.
    Text {
        /// For plain text.
        plain: &'static str,
        /// For a body's HTML.
        html: Box<str>,
    },
    /// A slot's name, filled by the writer.
    Slot(&'static str),
}

/// A parsed template.
#[derive(Debug)]
pub struct Template(Box<[Piece]>);

impl Template {
    /// Splits a template at its slots; a `{` without a `}` is text.
    fn parse(template: &'static str) -> Self {
        let mut pieces = Vec::new();
        let text = |plain: &'static str, pieces: &mut Vec<Piece>| {
            if !plain.is_empty() {
                pieces.push(Piece::Text { plain, html: escape(plain).into_boxed_str() });
            }
        };
        let mut rest = template;
        while let Some((before, after)) = rest.split_once('{') {
            let Some((slot, after)) = after.split_once('}') else {
                break;
            };
            text(before, &mut pieces);
            pieces.push(Piece::Slot(slot));
            rest = after;
        }
        text(rest, &mut pieces);
        Self(pieces.into_boxed_slice())
    }

    /// Its pieces, in order.
    pub fn pieces(&self) -> &[Piece] {
        &self.0
    }
}

/// One desk's parsed templates (see [`Desk`] for what each pool is).
#[derive(Debug)]
pub struct DeskTemplates {
    /// Headlines and their ledes.
    pub angles: Box<[(Template, Template)]>,
    /// Angles for stories from India.
    pub indian_angles: Box<[(Template, Template)]>,
    /// Standfirsts.
    pub standfirsts: Box<[Template]>,
    /// Body sentences.
    pub sentences: Box<[Template]>,
    /// Body sentences for stories from India.
    pub indian: Box<[Template]>,
    /// What sources say.
    pub quotes: Box<[Template]>,
    /// Who sources are.
    pub roles: Box<[Template]>,
}

/// Every template, parsed.
#[derive(Debug)]
pub struct Templates {
    /// By desk, in the order of [`DESKS`].
    desks: Box<[DeskTemplates]>,
    /// Sentences any news desk may use.
    pub general: Box<[Template]>,
    /// Frames for quotes.
    pub quote_frames: Box<[Template]>,
    /// Corporate news.
    pub company_news: Box<[Template]>,
}

impl Templates {
    /// The templates of a desk from [`DESKS`].
    pub fn desk(&self, desk: &Desk) -> &DeskTemplates {
        let index = DESKS.iter().position(|d| std::ptr::eq(d, desk)).unwrap_or(0);
        &self.desks[index]
    }
}

fn parse_all(pool: &'static [&'static str]) -> Box<[Template]> {
    pool.iter().map(|template| Template::parse(template)).collect()
}

fn parse_angles(pool: &'static [(&'static str, &'static str)]) -> Box<[(Template, Template)]> {
    pool.iter().map(|(headline, lede)| (Template::parse(headline), Template::parse(lede))).collect()
}

/// All templates, parsed on first use.
pub static TEMPLATES: LazyLock<Templates> = LazyLock::new(|| Templates {
    desks: DESKS
        .iter()
        .map(|desk| DeskTemplates {
            angles: parse_angles(desk.angles),
            indian_angles: parse_angles(desk.indian_angles),
            standfirsts: parse_all(desk.standfirsts),
            sentences: parse_all(desk.sentences),
            indian: parse_all(desk.indian),
            quotes: parse_all(desk.quotes),
            roles: parse_all(desk.roles),
        })
        .collect(),
    general: parse_all(GENERAL),
    quote_frames: parse_all(QUOTE_FRAMES),
    company_news: parse_all(COMPANY_NEWS),
});

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(template: &'static str) -> Vec<String> {
        Template::parse(template)
            .pieces()
            .iter()
            .map(|piece| match piece {
                Piece::Text { plain, html } => format!("{plain}|{html}"),
                Piece::Slot(slot) => format!("{{{slot}}}"),
            })
            .collect()
    }

    #[test]
    fn templates_split_at_slots_and_keep_escaped_text() {
        assert_eq!(
            pieces("{co}'s \"profit\" {rises} {hpct}"),
            ["{co}", "'s \"profit\" |&#39;s &quot;profit&quot; ", "{rises}", " | ", "{hpct}"]
        );
        assert_eq!(pieces("no slots & <b>"), ["no slots & <b>|no slots &amp; &lt;b&gt;"]);
        assert_eq!(pieces("open { brace"), ["open { brace|open { brace"]);
    }

    #[test]
    fn every_desk_has_its_templates() {
        for desk in &DESKS {
            let parsed = TEMPLATES.desk(desk);
            assert_eq!(parsed.angles.len(), desk.angles.len(), "{}", desk.slug);
            assert_eq!(parsed.sentences.len(), desk.sentences.len(), "{}", desk.slug);
        }
    }
}
