//! Lines of text for a PDF, in any mix of scripts the faces cover.
//!
//! A line is cut into runs by script: each run is set in the first face of a
//! fallback chain that has its letters — DejaVu Sans (from the `dejavu`
//! crate) for Latin and the rupee sign, then Noto Sans Devanagari (shipped in
//! `assets/fonts` with its OFL licence) — while spaces, digits and punctuation
//! stay in the run they stand in. Each run is shaped with rustybuzz, so
//! conjuncts, the reph and vowel signs come out as a reader writes them, and
//! its width is known exactly (for right-aligned amounts and wrapping). The
//! faces are embedded (subset) by krilla. A letter no face has (another
//! Indian script, say) is drawn as "?": PDF/A forbids the empty glyph.

use std::sync::LazyLock;

use krilla::geom::Point;
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use rustybuzz::{Direction, UnicodeBuffer};

/// A font: its bytes (for shaping and coverage) and krilla's handle (for embedding).
pub(crate) struct Face {
    data: &'static [u8],
    font: Font,
}

impl Face {
    fn new(data: &'static [u8]) -> Self {
        let font = Font::new(data.into(), 0).expect("the shipped fonts are fonts");
        Self { data, font }
    }

    fn shaper(&self) -> rustybuzz::Face<'static> {
        rustybuzz::Face::from_slice(self.data, 0).expect("the shipped fonts are fonts")
    }
}

/// The weights a line can be set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

static REGULAR: LazyLock<[Face; 2]> =
    LazyLock::new(|| [Face::new(dejavu::sans::regular()), Face::new(super::NOTO_SANS_DEVANAGARI_REGULAR)]);
static BOLD: LazyLock<[Face; 2]> =
    LazyLock::new(|| [Face::new(dejavu::sans::bold()), Face::new(super::NOTO_SANS_DEVANAGARI_BOLD)]);

fn chain(weight: Weight) -> &'static [Face] {
    match weight {
        Weight::Regular => &*REGULAR,
        Weight::Bold => &*BOLD,
    }
}

/// A piece of a line set in one face of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Run {
    /// The face's place in the chain.
    pub face: usize,
    /// The text, with what no face has replaced.
    pub text: String,
}

/// Characters that belong to no script: they stay in the run they stand in.
fn is_common(c: char) -> bool {
    c == ' '
        || c.is_ascii_digit()
        || c.is_ascii_punctuation()
        || matches!(c, '\u{a0}' | '\u{200b}'..='\u{200d}' | '\u{2010}'..='\u{2027}')
}

/// `text` cut into runs over a chain of `faces` faces, where `covers(face, c)`
/// says whether a face has `c`. A control character becomes a space; a
/// character no face has becomes "?" in the first face.
pub(crate) fn runs(text: &str, faces: usize, covers: impl Fn(usize, char) -> bool) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for c in text.chars() {
        let c = if c.is_control() { ' ' } else { c };
        let current = out.last().map(|run| run.face);
        let (face, c) = match current {
            Some(face) if is_common(c) && covers(face, c) => (face, c),
            _ => match (0..faces).find(|&face| covers(face, c)) {
                Some(face) => (face, c),
                None => (0, '?'),
            },
        };
        match out.last_mut() {
            Some(run) if run.face == face => run.text.push(c),
            _ => out.push(Run { face, text: c.to_string() }),
        }
    }
    out
}

/// One run shaped in its face.
struct Shaped {
    face: &'static Face,
    text: String,
    glyphs: Vec<KrillaGlyph>,
    /// Its advance, in ems.
    advance: f32,
}

/// A line of text, shaped and ready to measure and draw.
pub(crate) struct Line {
    runs: Vec<Shaped>,
}

impl Line {
    /// `text` set in `weight`.
    pub(crate) fn new(text: &str, weight: Weight) -> Self {
        let faces = chain(weight);
        let shapers: Vec<rustybuzz::Face<'static>> = faces.iter().map(Face::shaper).collect();
        let runs = runs(text, faces.len(), |face, c| shapers[face].glyph_index(c).is_some())
            .into_iter()
            .map(|run| shape(&faces[run.face], &shapers[run.face], run.text))
            .collect();
        Self { runs }
    }

    /// Its width at `size` points.
    pub(crate) fn width(&self, size: f32) -> f32 {
        self.runs.iter().map(|run| run.advance).sum::<f32>() * size
    }

    /// Draws it with its baseline's left end at (`x`, `baseline`).
    pub(crate) fn draw(&self, surface: &mut Surface<'_>, x: f32, baseline: f32, size: f32) {
        let mut x = x;
        for run in &self.runs {
            surface.draw_glyphs(
                Point::from_xy(x, baseline),
                &run.glyphs,
                run.face.font.clone(),
                &run.text,
                size,
                false,
            );
            x += run.advance * size;
        }
    }
}

/// Shapes `text` left to right in `face`; each glyph knows the text of its
/// cluster (a conjunct's glyphs share one), so the text can be copied out.
fn shape(face: &'static Face, shaper: &rustybuzz::Face<'static>, text: String) -> Shaped {
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(&text);
    buffer.guess_segment_properties();
    buffer.set_direction(Direction::LeftToRight);
    let output = rustybuzz::shape(shaper, &[], buffer);
    let em = f32::from(shaper.units_per_em() as u16);
    let infos = output.glyph_infos();
    let mut glyphs = Vec::with_capacity(infos.len());
    let mut advance = 0.0;
    for (i, (info, position)) in infos.iter().zip(output.glyph_positions()).enumerate() {
        let start = info.cluster as usize;
        let end = infos[i..]
            .iter()
            .find(|next| next.cluster != info.cluster)
            .map_or(text.len(), |next| next.cluster as usize);
        glyphs.push(KrillaGlyph::new(
            GlyphId::new(info.glyph_id),
            position.x_advance as f32 / em,
            position.x_offset as f32 / em,
            position.y_offset as f32 / em,
            position.y_advance as f32 / em,
            start..end,
            None,
        ));
        advance += position.x_advance as f32 / em;
    }
    Shaped { face, text, glyphs, advance }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Face 0 has ASCII and the rupee sign, face 1 Devanagari and ASCII.
    fn covers(face: usize, c: char) -> bool {
        match face {
            0 => c.is_ascii() || c == '₹',
            _ => c.is_ascii() || ('\u{900}'..='\u{97f}').contains(&c),
        }
    }

    fn shown(runs: &[Run]) -> Vec<(usize, &str)> {
        runs.iter().map(|run| (run.face, run.text.as_str())).collect()
    }

    #[test]
    fn scripts_take_the_first_face_that_has_them_and_spaces_stay_in_their_run() {
        let runs = runs("Billed to: अनन्या शर्मा, ₹2,700 (Delhi)", 2, covers);
        assert_eq!(shown(&runs), [(0, "Billed to: "), (1, "अनन्या शर्मा, "), (0, "₹2,700 (Delhi)")]);
    }

    #[test]
    fn what_no_face_has_is_a_question_mark_and_controls_are_spaces() {
        let runs = runs("தமிழ்\tRao", 2, covers);
        assert_eq!(shown(&runs), [(0, "????? Rao")]);
        assert!(super::runs("", 2, covers).is_empty());
    }

    #[test]
    fn devanagari_is_shaped_into_conjuncts() {
        let name = Line::new("अनन्या", Weight::Regular);
        assert_eq!(name.runs.len(), 1);
        assert!(std::ptr::eq(name.runs[0].face, &REGULAR[1]));
        // Six code points; the half form of न joins य, so fewer glyphs.
        assert!(name.runs[0].glyphs.len() < 6, "{}", name.runs[0].glyphs.len());
        let width = Line::new("Rs", Weight::Regular).width(10.0);
        assert!(width > 5.0 && width < 20.0, "{width}");
        assert!(std::ptr::eq(Line::new("₹", Weight::Bold).runs[0].face, &BOLD[0]));
    }
}
