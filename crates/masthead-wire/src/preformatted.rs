//! Preformatted copy: a story sent as one block whose line breaks and
//! indentation mark the paragraphs (a `<pre>`, or one `<p>` holding the
//! whole take, or plain text), with bullet lines and a "By …" line on top.
//!
//! A reader would see paragraphs, lists and a byline in it, so that is what
//! it becomes: left as one block it is one unreadable paragraph, and — since
//! the free part of a story is its first paragraph — a whole story given to
//! every visitor. The lines may hold inline HTML (`<b>`, `<a>`); it is kept
//! as it is and sanitised with the rest of the body.
//!
//! How the paragraphs are found, strongest sign first:
//! - blank lines between them;
//! - an indented first line, the lines that follow flush left (the wire's
//!   classic layout), when the take starts with an indented line;
//! - otherwise, text wrapped at a fixed width (most lines nearly as long as
//!   the longest) joins its lines up to a line that ends a sentence short of
//!   the width; and text that is not wrapped has one paragraph a line.

/// A block of restructured text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    /// A paragraph's inline HTML.
    Paragraph(String),
    /// A bulleted list's items, as inline HTML.
    List(Vec<String>),
}

/// A preformatted take, as a reader would see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Structured {
    /// Its paragraphs and lists.
    pub blocks: Vec<Block>,
    /// The "By …" line that headed it, as plain text.
    pub byline: Option<String>,
}

impl Structured {
    /// The blocks as HTML (not yet sanitised).
    pub fn to_html(&self) -> String {
        let mut html = String::new();
        for block in &self.blocks {
            match block {
                Block::Paragraph(text) => {
                    html.push_str("<p>");
                    html.push_str(text);
                    html.push_str("</p>\n");
                }
                Block::List(items) => {
                    html.push_str("<ul>\n");
                    for item in items {
                        html.push_str("<li>");
                        html.push_str(item);
                        html.push_str("</li>\n");
                    }
                    html.push_str("</ul>\n");
                }
            }
        }
        html
    }
}

/// How sure the caller is that `text` is preformatted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// It is (a `<pre>`, a plain-text body, the one block of a whole take):
    /// its lines are always read for structure.
    Preformatted,
    /// It may be (any `<p>`): read for structure only when it shows a sign
    /// of it — a blank line, a bullet line, a "By …" line on top or the
    /// classic indentation; an ordinary paragraph wrapped in the source
    /// stays as it is.
    Maybe,
}

/// Reads a block's text (lines of inline HTML) for paragraphs, lists and a
/// byline; `None` when it is an ordinary paragraph (see [`Layout::Maybe`]).
pub(crate) fn structure(text: &str, layout: Layout) -> Option<Structured> {
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n").replace('\t', "    ");
    let mut lines: Vec<&str> = normalised.split('\n').map(str::trim_end).collect();
    while lines.first().is_some_and(|l| l.is_empty()) {
        lines.remove(0);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    if lines.is_empty() {
        return None;
    }
    let byline = byline_of(lines[0]);
    if byline.is_some() {
        lines.remove(0);
        while lines.first().is_some_and(|l| l.is_empty()) {
            lines.remove(0);
        }
    }
    let has_blank = lines.iter().any(|l| l.is_empty());
    let has_bullet = lines.iter().any(|l| bullet(l).is_some());
    let classic = classic_indentation(&lines);
    let signs = byline.is_some() || has_blank || (has_bullet && lines.len() > 1) || classic;
    if layout == Layout::Maybe && !signs {
        return None;
    }
    let groups: Vec<Vec<&str>> = if has_blank {
        lines.split(|l| l.is_empty()).filter(|g| !g.is_empty()).map(<[&str]>::to_vec).collect()
    } else if classic {
        let min = min_indent(&lines);
        let mut groups: Vec<Vec<&str>> = Vec::new();
        for line in &lines {
            match groups.last_mut() {
                Some(group) if indent(line) <= min || bullet(line).is_some() => group.push(line),
                _ => groups.push(vec![line]),
            }
        }
        groups
    } else if is_wrapped(&lines) {
        wrapped_paragraphs(&lines)
    } else {
        lines.iter().map(|l| vec![*l]).collect()
    };
    let mut blocks: Vec<Block> = Vec::new();
    for block in groups.iter().flat_map(|g| blocks_of(g)) {
        // Bullet lines of one list may sit in groups of their own.
        match (blocks.last_mut(), block) {
            (Some(Block::List(items)), Block::List(more)) => items.extend(more),
            (_, block) => blocks.push(block),
        }
    }
    (!blocks.is_empty() || byline.is_some()).then_some(Structured { blocks, byline })
}

/// The paragraphs and lists in one group of lines: bullet lines make list
/// items (a line indented under a bullet continues it), other lines join
/// into paragraphs.
fn blocks_of(lines: &[&str]) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut items: Vec<String> = Vec::new();
    let mut bullet_indent = 0;
    let flush_paragraph = |paragraph: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !paragraph.is_empty() {
            blocks.push(Block::Paragraph(join(paragraph)));
            paragraph.clear();
        }
    };
    for line in lines {
        if let Some(item) = bullet(line) {
            flush_paragraph(&mut paragraph, &mut blocks);
            items.push(collapse(item));
            bullet_indent = indent(line);
        } else if let Some(last) = items.last_mut().filter(|_| indent(line) > bullet_indent) {
            last.push(' ');
            last.push_str(&collapse(line));
        } else {
            if !items.is_empty() {
                blocks.push(Block::List(std::mem::take(&mut items)));
            }
            paragraph.push(line);
        }
    }
    flush_paragraph(&mut paragraph, &mut blocks);
    if !items.is_empty() {
        blocks.push(Block::List(items));
    }
    blocks.retain(|b| match b {
        Block::Paragraph(p) => !p.is_empty(),
        Block::List(items) => !items.is_empty(),
    });
    blocks
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn join(lines: &[&str]) -> String {
    collapse(&lines.join(" "))
}

/// The text of a bullet line, without its marker: `* `, `- `, `• `, `· `, `– `.
fn bullet(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    ["* ", "- ", "• ", "· ", "– ", "•\u{a0}"]
        .iter()
        .find_map(|marker| trimmed.strip_prefix(marker))
        .map(str::trim)
        .filter(|rest| !rest.is_empty())
}

/// A "By …" line heading a take: short, no sentence in it. Inline markup is
/// dropped from the byline.
fn byline_of(line: &str) -> Option<String> {
    let text = collapse(&strip_tags(line));
    let rest = ["By ", "BY ", "By: ", "BY: "].iter().find_map(|p| text.strip_prefix(p))?;
    let words = rest.split_whitespace().count();
    let sentence = rest.ends_with('.') && !rest.ends_with(" Jr.") || rest.contains(". ");
    (words > 0 && words <= 10 && text.chars().count() <= 90 && !sentence).then_some(text)
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&nbsp;", " ")
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn min_indent(lines: &[&str]) -> usize {
    lines.iter().filter(|l| !l.is_empty()).map(|l| indent(l)).min().unwrap_or(0)
}

/// The wire's classic layout: each paragraph's first line indented, the
/// rest flush. The take must start with an indented line — an ordinary
/// paragraph wrapped by an XML or HTML editor has its first line flush
/// (after the tag) and the others indented.
fn classic_indentation(lines: &[&str]) -> bool {
    let min = min_indent(lines);
    let indented = lines.iter().filter(|l| !l.is_empty() && indent(l) > min).count();
    let flush = lines.iter().filter(|l| !l.is_empty() && indent(l) == min).count();
    lines.first().is_some_and(|l| indent(l) > min) && indented >= 2 && flush >= 1
}

/// Text hard-wrapped at a fixed width: three lines or more, none very
/// long, some breaking mid-sentence, and every line that breaks mid-sentence
/// nearly as long as the longest (a short one would be a writer's break).
fn is_wrapped(lines: &[&str]) -> bool {
    let max = lines.iter().map(|l| l.trim().chars().count()).max().unwrap_or(0);
    if lines.len() < 3 || !(30..=100).contains(&max) {
        return false;
    }
    let (_, body) = lines.split_last().expect("three lines or more");
    let mid_sentence: Vec<&&str> = body.iter().filter(|l| !ends_sentence(l.trim())).collect();
    !mid_sentence.is_empty() && mid_sentence.iter().all(|l| l.trim().chars().count() * 10 >= max * 7)
}

/// Whether a line ends a sentence (escaped quotes count too: plain text is
/// escaped before it is read).
fn ends_sentence(text: &str) -> bool {
    text.ends_with(['.', '!', '?', '"', '\u{201d}', '\u{2019}', ':'])
        || text.ends_with("&quot;")
        || text.ends_with("&#39;")
}

/// Joins wrapped lines into paragraphs, ending one at a line that closes a
/// sentence when the next line's first word would have fitted on it (so the
/// break was the writer's, not the wrapping's).
fn wrapped_paragraphs<'a>(lines: &[&'a str]) -> Vec<Vec<&'a str>> {
    let max = lines.iter().map(|l| l.trim().chars().count()).max().unwrap_or(0);
    let mut groups: Vec<Vec<&str>> = vec![Vec::new()];
    for (i, line) in lines.iter().enumerate() {
        let group = groups.last_mut().expect("there is always a group");
        group.push(line);
        let text = line.trim();
        let next_word = lines.get(i + 1).and_then(|l| l.split_whitespace().next()).map_or(0, |w| w.chars().count());
        if ends_sentence(text) && text.chars().count() + 1 + next_word <= max {
            groups.push(Vec::new());
        }
    }
    groups.retain(|g| !g.is_empty());
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paragraphs(s: &Structured) -> Vec<&str> {
        s.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Paragraph(p) => Some(p.as_str()),
                Block::List(_) => None,
            })
            .collect()
    }

    #[test]
    fn blank_lines_bullets_and_a_byline() {
        let text = "\n  By JIM HEINTZ, Associated Press\n\nMOSCOW (AP) — The Kremlin said\non Thursday it sees no shift.\n\nOfficials said:\n  * talks will go on\n  * no date is set\n    for now\n\nMore later.\n";
        let s = structure(text, Layout::Maybe).unwrap();
        assert_eq!(s.byline.as_deref(), Some("By JIM HEINTZ, Associated Press"));
        assert_eq!(
            s.blocks,
            [
                Block::Paragraph("MOSCOW (AP) — The Kremlin said on Thursday it sees no shift.".into()),
                Block::Paragraph("Officials said:".into()),
                Block::List(vec!["talks will go on".into(), "no date is set for now".into()]),
                Block::Paragraph("More later.".into()),
            ]
        );
    }

    #[test]
    fn classic_indentation_starts_paragraphs() {
        let text = "   NEW DELHI (Reuters) - India's central bank held\nrates on Friday, as expected.\n   The decision was unanimous,\nthe bank said.\n   Markets barely moved.";
        let s = structure(text, Layout::Maybe).unwrap();
        assert_eq!(
            paragraphs(&s),
            [
                "NEW DELHI (Reuters) - India's central bank held rates on Friday, as expected.",
                "The decision was unanimous, the bank said.",
                "Markets barely moved."
            ]
        );
    }

    #[test]
    fn an_ordinary_wrapped_paragraph_is_left_alone() {
        assert_eq!(
            structure("The harbour reopened on Tuesday\n      after three weeks of repairs.", Layout::Maybe),
            None
        );
        assert_eq!(structure("One line only.", Layout::Maybe), None);
    }

    #[test]
    fn hard_wrapped_text_joins_up_to_short_sentence_ends() {
        let text = "The finance minister presented the budget to parliament on\nFriday, promising lower taxes.\nOpposition leaders walked out of the house before the speech\nhad ended, calling the plan a giveaway to the rich and a\nburden on the states.\nThe session resumes on Monday.";
        let s = structure(text, Layout::Preformatted).unwrap();
        assert_eq!(
            paragraphs(&s),
            [
                "The finance minister presented the budget to parliament on Friday, promising lower taxes.",
                "Opposition leaders walked out of the house before the speech had ended, calling the plan a giveaway to the rich and a burden on the states.",
                "The session resumes on Monday."
            ]
        );
    }

    #[test]
    fn unwrapped_preformatted_text_has_a_paragraph_a_line() {
        let s =
            structure("First.\nSecond, which is a much longer line than the first one.\nThird.", Layout::Preformatted)
                .unwrap();
        assert_eq!(paragraphs(&s).len(), 3);
    }

    #[test]
    fn sentences_starting_with_by_are_not_bylines() {
        assert_eq!(byline_of("By noon the fire was out."), None);
        assert_eq!(byline_of("By the time the rescue teams reached the village, most of the houses were gone"), None);
        assert_eq!(byline_of("<b>By Ravi Kumar</b>").as_deref(), Some("By Ravi Kumar"));
        assert_eq!(byline_of("BY: Martin Luther King Jr.").as_deref(), Some("BY: Martin Luther King Jr."));
    }

    #[test]
    fn html_is_built_from_blocks() {
        let s = Structured {
            blocks: vec![Block::Paragraph("a <b>b</b>".into()), Block::List(vec!["x".into()])],
            byline: None,
        };
        assert_eq!(s.to_html(), "<p>a <b>b</b></p>\n<ul>\n<li>x</li>\n</ul>\n");
    }
}
