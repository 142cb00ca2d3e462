//! Words set on the demo's pictures (a chart's axis labels): DejaVu Sans,
//! the face the invoice PDF embeds (from the `dejavu` crate), its outlines
//! read with `ttf-parser` and filled with `ab_glyph_rasterizer`, each pixel
//! blended by how much of it the letter covers.

use std::sync::LazyLock;

use ab_glyph_rasterizer::{Point, Rasterizer, point};
use image::{Rgb, RgbImage};
use rustybuzz::ttf_parser::{Face, OutlineBuilder};

/// Empty pixels kept around a line of text in its rasteriser: a letter that
/// reaches past its advance (the hook of "J" left of its origin) must not be
/// cut, or the cut row's coverage runs on into the pixels after it.
const PAD: f32 = 3.0;

/// DejaVu Sans, parsed once.
static FACE: LazyLock<Face<'static>> =
    LazyLock::new(|| Face::parse(dejavu::sans::regular(), 0).expect("the dejavu crate ships a valid font"));

/// Where a line of text stands against its `x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// Centred on `x`.
    Middle,
    /// Ends at `x`.
    End,
}

/// How wide `text` is set `size` pixels tall (the font's em).
pub(crate) fn width(text: &str, size: f32) -> f32 {
    let scale = size / f32::from(FACE.units_per_em());
    text.chars()
        .map(|c| FACE.glyph_index(c).and_then(|g| FACE.glyph_hor_advance(g)).map_or(0.0, f32::from) * scale)
        .sum()
}

/// Sets `text` on `picture` in `colour`, `size` pixels to the em, its
/// baseline at `baseline`, placed against `x` as `anchor` says. Letters the
/// face lacks are left out; whatever falls off the picture is clipped.
pub(crate) fn set(
    picture: &mut RgbImage,
    text: &str,
    x: f32,
    baseline: f32,
    size: f32,
    anchor: Anchor,
    colour: Rgb<u8>,
) {
    let face = &*FACE;
    let scale = size / f32::from(face.units_per_em());
    let wide = width(text, size);
    let start = x - anchor_shift(anchor, wide);
    let left = start.floor() - PAD;
    let ascent = f32::from(face.ascender()) * scale;
    let descent = -f32::from(face.descender()) * scale;
    let top = (baseline - ascent).floor() - PAD;
    let (columns, rows) = ((wide + 2.0 * PAD).ceil() as usize + 1, (ascent + descent + 2.0 * PAD).ceil() as usize + 1);
    let mut pen = Pen {
        raster: Rasterizer::new(columns, rows),
        scale,
        origin: point(start - left, baseline - top),
        start: point(0.0, 0.0),
        last: point(0.0, 0.0),
    };
    for c in text.chars() {
        let Some(glyph) = face.glyph_index(c) else { continue };
        face.outline_glyph(glyph, &mut pen);
        pen.origin.x += face.glyph_hor_advance(glyph).map_or(0.0, f32::from) * scale;
    }
    pen.raster.for_each_pixel_2d(|column, row, coverage| {
        let (px, py) = (left as i64 + i64::from(column), top as i64 + i64::from(row));
        if coverage <= 0.0 {
            return;
        }
        if let (Ok(px), Ok(py)) = (u32::try_from(px), u32::try_from(py))
            && px < picture.width()
            && py < picture.height()
        {
            let ground = *picture.get_pixel(px, py);
            picture.put_pixel(px, py, crate::charts::blend(colour, ground, f64::from(coverage.min(1.0))));
        }
    });
}

/// How far left of `x` the text begins, for the anchor.
fn anchor_shift(anchor: Anchor, wide: f32) -> f32 {
    match anchor {
        Anchor::Middle => wide / 2.0,
        Anchor::End => wide,
    }
}

/// Draws a glyph's outline into the rasteriser, in its pixels (y down).
struct Pen {
    raster: Rasterizer,
    scale: f32,
    /// Where the current glyph's origin (on the baseline) falls.
    origin: Point,
    start: Point,
    last: Point,
}

impl Pen {
    fn at(&self, x: f32, y: f32) -> Point {
        point(self.origin.x + x * self.scale, self.origin.y - y * self.scale)
    }
}

impl OutlineBuilder for Pen {
    fn move_to(&mut self, x: f32, y: f32) {
        self.start = self.at(x, y);
        self.last = self.start;
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let to = self.at(x, y);
        self.raster.draw_line(self.last, to);
        self.last = to;
    }

    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let (control, to) = (self.at(x1, y1), self.at(x, y));
        self.raster.draw_quad(self.last, control, to);
        self.last = to;
    }

    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let (one, two, to) = (self.at(x1, y1), self.at(x2, y2), self.at(x, y));
        self.raster.draw_cubic(self.last, one, two, to);
        self.last = to;
    }

    fn close(&mut self) {
        if (self.last.x, self.last.y) != (self.start.x, self.start.y) {
            self.raster.draw_line(self.last, self.start);
        }
        self.last = self.start;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_set_where_its_anchor_says_in_its_colour() {
        let ink = Rgb([0, 0, 0]);
        let paper = Rgb([255, 255, 255]);
        let mut picture = RgbImage::from_pixel(200, 60, paper);
        set(&mut picture, "84,000", 190.0, 40.0, 30.0, Anchor::End, ink);
        let inked: Vec<(u32, u32)> =
            picture.enumerate_pixels().filter(|(_, _, p)| p[0] < 128).map(|(x, y, _)| (x, y)).collect();
        assert!(inked.len() > 150, "the digits are drawn: {} dark pixels", inked.len());
        let (min_x, max_x) = (inked.iter().map(|p| p.0).min().unwrap(), inked.iter().map(|p| p.0).max().unwrap());
        let wide = width("84,000", 30.0);
        assert!((186..=190).contains(&max_x), "ends at its anchor: {max_x}");
        assert!((190.0 - wide - min_x as f32).abs() < 4.0, "as wide as measured: {min_x}, {wide}");
        let max_y = inked.iter().map(|p| p.1).max().unwrap();
        assert!(max_y <= 41 + 5, "the comma's tail only just below the baseline: {max_y}");
    }
}
