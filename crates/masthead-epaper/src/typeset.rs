//! Typesetting an edition from stories, as a PDF with embedded fonts (DejaVu
//! Serif, from the `dejavu` crate, so a fresh machine needs nothing
//! installed) and the regions sidecar that says where each story stands.
//! The demo makes its editions this way and imports them through the same
//! path a publisher's PDF takes.
//!
//! Pages are tabloid (11 × 17 in). The front page carries the masthead and
//! the edition's first stories; every later page is one section's. On each
//! page the first story leads across four columns and the next two share the
//! space below, two columns each. Text is wrapped by an estimate of the
//! font's average advance, deliberately wide so that lines never overrun.

use std::sync::{Arc, LazyLock};

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

use crate::EpaperError;
use crate::regions::{Region, Sidecar, SidecarPage};

/// Page width in points (11 in).
pub const PAGE_WIDTH: f32 = 792.0;
/// Page height in points (17 in).
pub const PAGE_HEIGHT: f32 = 1224.0;
const MARGIN: f32 = 36.0;
const GUTTER: f32 = 14.0;
const COLUMNS: usize = 4;
const BODY_SIZE: f32 = 9.5;
const LEADING: f32 = 12.0;
/// Average advance of the body face, in ems (a little over the real average).
const BODY_ADVANCE: f32 = 0.5;
/// Average advance of the headline face, in ems.
const HEAD_ADVANCE: f32 = 0.6;

static SERIF: LazyLock<Font> = LazyLock::new(|| face(dejavu::serif_condensed::regular()));
static SERIF_BOLD: LazyLock<Font> = LazyLock::new(|| face(dejavu::serif_condensed::bold()));

fn face(bytes: &'static [u8]) -> Font {
    Font::new(Arc::new(bytes.to_vec()).into(), 0).expect("the DejaVu fonts the crate ships are fonts")
}

/// A story to set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Story {
    /// Its id, which its region carries.
    pub id: Option<i64>,
    /// Its headline.
    pub headline: String,
    /// Its byline or standfirst line, set under the headline.
    pub standfirst: String,
    /// Its text as plain paragraphs.
    pub paragraphs: Vec<String>,
}

/// A page to set: its section's name and its stories (the first leads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagePlan {
    /// The section the page is ("Front page" for the first).
    pub section: String,
    /// Up to three stories.
    pub stories: Vec<Story>,
}

/// Sets `pages` for `publisher` on `date_line` ("Thursday, 13 April 2017"):
/// the PDF and its regions.
pub fn typeset(publisher: &str, date_line: &str, pages: &[PagePlan]) -> Result<(Vec<u8>, Sidecar), EpaperError> {
    let mut document = Document::new();
    let mut sidecar = Sidecar { pages: Vec::new() };
    for (index, plan) in pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).expect("tabloid is a page size");
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        let top = if index == 0 {
            masthead(&mut surface, publisher, date_line)
        } else {
            running_head(&mut surface, publisher, &plan.section, date_line, index + 1)
        };
        let mut regions = Vec::new();
        let width = PAGE_WIDTH - 2.0 * MARGIN;
        let bottom = PAGE_HEIGHT - MARGIN;
        let lead_height = (bottom - top) * 0.48;
        let boxes = [
            (MARGIN, top, width, lead_height, COLUMNS, 30.0),
            (MARGIN, top + lead_height + GUTTER, (width - GUTTER) / 2.0, bottom - top - lead_height - GUTTER, 2, 20.0),
            (
                MARGIN + (width + GUTTER) / 2.0,
                top + lead_height + GUTTER,
                (width - GUTTER) / 2.0,
                bottom - top - lead_height - GUTTER,
                2,
                20.0,
            ),
        ];
        for (story, &(x, y, w, h, columns, head_size)) in plan.stories.iter().zip(boxes.iter()) {
            set_story(&mut surface, story, (x, y, w, h), columns, head_size);
            regions.push(Region {
                x: f64::from(x),
                y: f64::from(y),
                width: f64::from(w),
                height: f64::from(h),
                headline: story.headline.clone(),
                story: story.id,
            });
        }
        surface.finish();
        page.finish();
        if !regions.is_empty() {
            sidecar.pages.push(SidecarPage { page: index as u32 + 1, regions });
        }
    }
    let pdf = document.finish().map_err(|e| EpaperError::Typeset(format!("{e:?}")))?;
    Ok((pdf, sidecar))
}

fn text(surface: &mut Surface<'_>, font: &Font, size: f32, x: f32, baseline: f32, line: &str) {
    surface.draw_text(Point::from_xy(x, baseline), font.clone(), size, line, false, TextDirection::Auto);
}

fn rule(surface: &mut Surface<'_>, x1: f32, y: f32, x2: f32, width: f32) {
    let mut path = PathBuilder::new();
    path.move_to(x1, y);
    path.line_to(x2, y);
    let Some(path) = path.finish() else { return };
    surface.set_fill(None);
    surface.set_stroke(Some(Stroke { paint: rgb::Color::black().into(), width, ..Default::default() }));
    surface.draw_path(&path);
    surface.set_stroke(None);
    surface.set_fill(Some(Fill::default()));
}

/// The front page's masthead; returns where the stories start.
fn masthead(surface: &mut Surface<'_>, publisher: &str, date_line: &str) -> f32 {
    let size = 54.0;
    let width = estimate(publisher, size, HEAD_ADVANCE);
    text(surface, &SERIF_BOLD, size, ((PAGE_WIDTH - width) / 2.0).max(MARGIN), MARGIN + 50.0, publisher);
    rule(surface, MARGIN, MARGIN + 66.0, PAGE_WIDTH - MARGIN, 2.0);
    text(surface, &SERIF, 10.0, MARGIN, MARGIN + 80.0, date_line);
    rule(surface, MARGIN, MARGIN + 88.0, PAGE_WIDTH - MARGIN, 0.75);
    MARGIN + 100.0
}

/// A later page's running head; returns where the stories start.
fn running_head(surface: &mut Surface<'_>, publisher: &str, section: &str, date_line: &str, number: usize) -> f32 {
    text(surface, &SERIF_BOLD, 22.0, MARGIN, MARGIN + 22.0, section);
    let right = format!("{publisher} · {date_line} · Page {number}");
    let width = estimate(&right, 9.0, BODY_ADVANCE);
    text(surface, &SERIF, 9.0, PAGE_WIDTH - MARGIN - width, MARGIN + 22.0, &right);
    rule(surface, MARGIN, MARGIN + 30.0, PAGE_WIDTH - MARGIN, 1.5);
    MARGIN + 44.0
}

/// Sets one story in its box: headline across the box, standfirst, then the
/// body flowing down the columns until the box is full.
fn set_story(surface: &mut Surface<'_>, story: &Story, area: (f32, f32, f32, f32), columns: usize, head_size: f32) {
    let (x, y, w, h) = area;
    let mut baseline = y + head_size;
    for line in wrap(&story.headline, chars_for(w, head_size, HEAD_ADVANCE)).iter().take(3) {
        text(surface, &SERIF_BOLD, head_size, x, baseline, line);
        baseline += head_size * 1.1;
    }
    if !story.standfirst.is_empty() {
        for line in wrap(&story.standfirst, chars_for(w, 11.0, BODY_ADVANCE)).iter().take(2) {
            text(surface, &SERIF, 11.0, x, baseline, line);
            baseline += 13.5;
        }
    }
    let column_width = (w - GUTTER * (columns as f32 - 1.0)) / columns as f32;
    let per_line = chars_for(column_width, BODY_SIZE, BODY_ADVANCE);
    let mut lines: Vec<String> = Vec::new();
    for paragraph in &story.paragraphs {
        lines.extend(wrap(paragraph, per_line));
        lines.push(String::new());
    }
    let first = baseline + LEADING * 0.5;
    let per_column = ((y + h - first) / LEADING).floor().max(0.0) as usize;
    let mut lines = lines.into_iter();
    for column in 0..columns {
        let cx = x + column as f32 * (column_width + GUTTER);
        for row in 0..per_column {
            let Some(line) = lines.next() else { return };
            text(surface, &SERIF, BODY_SIZE, cx, first + row as f32 * LEADING, &line);
        }
    }
}

/// How wide `text` sets at `size`, by the estimate.
fn estimate(text: &str, size: f32, advance: f32) -> f32 {
    text.chars().count() as f32 * size * advance
}

/// How many characters fit in `width` at `size`, by the estimate.
fn chars_for(width: f32, size: f32, advance: f32) -> usize {
    ((width / (size * advance)).floor() as usize).max(8)
}

/// `text` broken at spaces into lines of at most `width` characters (a
/// longer word is cut).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(word.drain(..width).collect());
        }
        let word: String = word.into_iter().collect();
        if word.is_empty() {
            continue;
        }
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A two-page edition with one region on each page, for tests.
#[cfg(test)]
pub(crate) fn sample_edition() -> (Vec<u8>, Sidecar) {
    let story = |id, headline: &str| Story {
        id: Some(id),
        headline: headline.to_owned(),
        standfirst: "By a staff reporter".to_owned(),
        paragraphs: vec!["The first paragraph of the story.".to_owned(), "And a second one.".to_owned()],
    };
    typeset(
        "Masthead Daily",
        "Thursday, 13 April 2017",
        &[
            PagePlan { section: "Front page".to_owned(), stories: vec![story(1, "Monsoon reaches Kerala")] },
            PagePlan { section: "Business".to_owned(), stories: vec![story(2, "Markets close higher")] },
        ],
    )
    .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_wraps_at_spaces_and_cuts_long_words() {
        assert_eq!(wrap("the quick brown fox", 10), ["the quick", "brown fox"]);
        assert_eq!(wrap("abcdefghijkl x", 5), ["abcde", "fghij", "kl x"]);
        assert!(wrap("   ", 5).is_empty());
    }

    #[test]
    fn an_edition_is_a_pdf_with_its_fonts_and_a_region_per_story() {
        let (pdf, sidecar) = sample_edition();
        assert!(pdf.starts_with(b"%PDF-"));
        // The font travels inside the file.
        assert!(pdf.windows(9).any(|w| w == b"FontFile2"));
        assert_eq!(sidecar.pages.len(), 2);
        assert_eq!(sidecar.pages[1].regions[0].headline, "Markets close higher");
        assert_eq!(sidecar.pages[1].regions[0].story, Some(2));
        let document = crate::pdf::Document::open("edition.pdf", pdf).unwrap();
        assert_eq!(document.page_count(), 2);
        assert!(document.text(1).contains("Markets close higher"), "{}", document.text(1));
    }
}
