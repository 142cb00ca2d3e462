//! Reading a PDF: opening it (refusing an encrypted or broken file with the
//! reason), rendering a page to pixels with `hayro`, and extracting its text
//! with each glyph's place on the page, so that the text inside an article
//! region can be picked out.
//!
//! Page coordinates here are PDF points (1/72 inch) from the top-left corner
//! of the page as it is shown (rotation and crop box applied).

use hayro::hayro_interpret::font::{Glyph, GlyphRun};
use hayro::hayro_interpret::util::TransformExt;
use hayro::hayro_interpret::{
    BlendMode, ClipPath, Context, Device, DrawMode, DrawProps, Image, ImageDrawProps, InterpreterCache,
    InterpreterSettings, SoftMask, interpret_page,
};
use hayro::hayro_syntax::page::Page;
use hayro::hayro_syntax::{DecryptionError, LoadPdfError, Pdf};
use hayro::kurbo::{BezPath, Point, Rect, Shape};
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{PixmapSettings, RenderCache, RenderSettings};
use image::RgbImage;

use crate::EpaperError;

/// The largest PDF file taken (a 24-page broadsheet with pictures is well under).
pub const MAX_PDF_BYTES: usize = 200 * 1024 * 1024;
/// The most pages one import takes.
pub const MAX_PAGES: usize = 200;
/// The largest page side, in points (a broadsheet is about 1,600 pt tall).
const MAX_SIDE_PT: f32 = 5_000.0;

/// An opened, readable, unencrypted PDF.
pub struct Document {
    pdf: Pdf,
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document").field("pages", &self.page_count()).finish()
    }
}

/// A password nobody uses: a file that opens with the empty password but not
/// with this one is encrypted (its owner set a user password of "").
const NOT_THE_PASSWORD: &str = "masthead: not the password \u{1}";

impl Document {
    /// Opens `bytes` as a PDF; `name` is what errors call it. Refuses an
    /// encrypted file (even one that opens without a password: its owner
    /// restricted it, and a replica made from it would undo that), a file
    /// that is not a PDF or is broken, and one with no pages or too many.
    pub fn open(name: &str, bytes: Vec<u8>) -> Result<Self, EpaperError> {
        let refuse = |reason: String| EpaperError::BadPdf { file: name.to_owned(), reason };
        if bytes.len() > MAX_PDF_BYTES {
            return Err(refuse(format!("it is {} bytes; the most taken is {MAX_PDF_BYTES}", bytes.len())));
        }
        if !bytes.starts_with(b"%PDF-") {
            return Err(refuse("it is not a PDF (it does not start with %PDF-)".to_owned()));
        }
        let pdf = match Pdf::new_with_password(bytes, NOT_THE_PASSWORD) {
            Ok(pdf) => pdf,
            Err(LoadPdfError::Decryption(DecryptionError::UnsupportedAlgorithm)) => {
                return Err(refuse("it is encrypted (with an algorithm we cannot read either)".to_owned()));
            }
            Err(LoadPdfError::Decryption(_)) => {
                return Err(refuse("it is encrypted; export it again without a password or restrictions".to_owned()));
            }
            Err(LoadPdfError::Invalid) => return Err(refuse("it is broken: its structure cannot be read".to_owned())),
        };
        let document = Self { pdf };
        let pages = document.page_count();
        if pages == 0 {
            return Err(refuse("it has no pages".to_owned()));
        }
        if pages > MAX_PAGES {
            return Err(refuse(format!("it has {pages} pages; the most taken is {MAX_PAGES}")));
        }
        for (index, page) in document.pdf.pages().iter().enumerate() {
            let (width, height) = page.render_dimensions();
            if !(1.0..=MAX_SIDE_PT).contains(&width) || !(1.0..=MAX_SIDE_PT).contains(&height) {
                return Err(refuse(format!("page {} measures {width}×{height} pt, which is no page", index + 1)));
            }
        }
        Ok(document)
    }

    /// How many pages it has.
    pub fn page_count(&self) -> usize {
        self.pdf.pages().len()
    }

    fn page(&self, index: usize) -> &Page<'_> {
        &self.pdf.pages()[index]
    }

    /// Page `index`'s size in points, as shown.
    pub fn page_size(&self, index: usize) -> (f32, f32) {
        self.page(index).render_dimensions()
    }

    /// Renders page `index` at `ppi` pixels per inch, on white.
    pub fn render(&self, index: usize, ppi: f32) -> RgbImage {
        let page = self.page(index);
        // The renderer truncates the scaled size to whole pixels, and 792 pt × 150/72 comes out
        // a hair under 1650 in f32: a hundredth of a pixel per inch more keeps every page at `ppi`.
        let scale = (ppi + 0.01) / 72.0;
        let pixmap = hayro::render(
            page,
            &RenderCache::new(),
            &InterpreterSettings::default(),
            &RenderSettings::default(),
            &PixmapSettings { x_scale: scale, y_scale: scale, bg_color: WHITE },
        );
        let (width, height) = (u32::from(pixmap.width()), u32::from(pixmap.height()));
        // On an opaque white background every pixel is opaque: premultiplied is plain.
        let rgb: Vec<u8> = pixmap.data_as_u8_slice().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
        RgbImage::from_raw(width, height, rgb).expect("a pixmap holds width × height pixels")
    }

    /// The text of page `index`, glyph by glyph, with where each stands.
    pub fn glyphs(&self, index: usize) -> Vec<PlacedChar> {
        let page = self.page(index);
        let (width, height) = page.render_dimensions();
        let cache = InterpreterCache::new();
        let mut context = Context::new(
            page.initial_transform(true).to_kurbo(),
            Rect::new(0.0, 0.0, f64::from(width), f64::from(height)),
            &cache,
            page.xref(),
            InterpreterSettings::default(),
        );
        let mut collector = TextCollector::default();
        interpret_page(page, &mut context, &mut collector);
        collector.chars
    }

    /// The text of page `index`, in reading lines.
    pub fn text(&self, index: usize) -> String {
        lines(&self.glyphs(index))
    }
}

/// A character of a page's text and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedChar {
    /// The character (or the few a ligature stands for).
    pub text: String,
    /// Its origin (left end of the baseline), in points from the top left.
    pub at: (f64, f64),
    /// Where its ink ends, across.
    pub end: f64,
    /// Its size (the font size as drawn), in points.
    pub size: f64,
}

/// Collects the characters a page shows; draws nothing.
#[derive(Default)]
struct TextCollector {
    chars: Vec<PlacedChar>,
}

impl<'a> Device<'a> for TextCollector {
    fn draw_path(&mut self, _: &BezPath, _: DrawProps<'a>, _: &DrawMode) {}
    fn push_clip_path(&mut self, _: &ClipPath) {}
    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {}
    fn draw_glyph_run(&mut self, run: &GlyphRun<'_, 'a>, props: DrawProps<'a>, _: &DrawMode) {
        for glyph in run.glyphs() {
            let Some(unicode) = glyph.as_unicode() else { continue };
            let text = match unicode {
                hayro::hayro_interpret::hayro_cmap::BfString::Char(c) => c.to_string(),
                hayro::hayro_interpret::hayro_cmap::BfString::String(s) => s,
            };
            let transform = props.transform * glyph.transform();
            let origin = transform * Point::ZERO;
            // Glyph space is 1000 units to the em.
            let size = transform.as_coeffs()[3].abs().max(transform.as_coeffs()[0].abs()) * 1000.0;
            // Where its ink ends; a blank glyph (or one drawn by a Type 3
            // procedure) is taken to be half an em wide.
            let ink = match &**glyph {
                Glyph::Outline(outline) => {
                    let path = transform * outline.outline();
                    (!path.elements().is_empty()).then(|| path.bounding_box().x1)
                }
                Glyph::Type3(_) => None,
            };
            let end = ink.unwrap_or(origin.x + size * 0.5);
            self.chars.push(PlacedChar { text, at: (origin.x, origin.y), end, size });
        }
    }
    fn draw_image(&mut self, _: Image<'a, '_>, _: ImageDrawProps<'a>) {}
    fn pop_clip(&mut self) {}
    fn pop_transparency_group(&mut self) {}
}

/// Characters as text: a new line where the baseline moves by more than half
/// a character's height (a blank line where it drops by more than a blank
/// line's worth, which is how paragraphs are set apart), a space where the
/// gap after a character's ink is wider than a fifth of its size (for files
/// that draw no space characters). Characters keep the order they were drawn in,
/// which is reading order in the PDFs newspapers' systems write.
pub fn lines(chars: &[PlacedChar]) -> String {
    let mut out = String::new();
    let mut last: Option<&PlacedChar> = None;
    for c in chars {
        if let Some(prev) = last {
            let drop = c.at.1 - prev.at.1;
            let same_line = drop.abs() < prev.size.max(1.0) * 0.5;
            if !same_line {
                // A gap of more than a blank line ends a paragraph.
                out.push_str(if drop > prev.size.max(1.0) * 1.8 { "\n\n" } else { "\n" });
            } else if c.at.0 - prev.end > prev.size * 0.2 && !out.ends_with(' ') && c.text != " " {
                out.push(' ');
            }
        }
        out.push_str(&c.text);
        last = Some(c);
    }
    out.split('\n').map(str::trim_end).collect::<Vec<_>>().join("\n").trim().to_owned()
}

/// The text of the characters whose origin lies inside `area` (points from
/// the top left: x, y, width, height).
pub fn text_inside(chars: &[PlacedChar], area: (f64, f64, f64, f64)) -> String {
    let (x, y, w, h) = area;
    let inside: Vec<PlacedChar> =
        chars.iter().filter(|c| c.at.0 >= x && c.at.0 <= x + w && c.at.1 >= y && c.at.1 <= y + h).cloned().collect();
    lines(&inside)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, x: f64, y: f64) -> PlacedChar {
        PlacedChar { text: text.to_owned(), at: (x, y), end: x + 5.0, size: 10.0 }
    }

    #[test]
    fn characters_become_words_and_lines() {
        let chars = vec![
            at("I", 0.0, 10.0),
            at("n", 6.0, 10.0),
            // A gap wider than a character: a space.
            at("p", 20.0, 10.0),
            at("r", 26.0, 10.0),
            // The baseline moves: a new line.
            at("3", 0.0, 24.0),
            // It drops by more than a blank line: a new paragraph.
            at("x", 0.0, 50.0),
        ];
        assert_eq!(lines(&chars), "In pr\n3\n\nx");
    }

    #[test]
    fn only_the_text_inside_an_area_is_picked() {
        let chars = vec![at("a", 10.0, 10.0), at("b", 16.0, 10.0), at("z", 300.0, 10.0), at("c", 10.0, 200.0)];
        assert_eq!(text_inside(&chars, (0.0, 0.0, 100.0, 100.0)), "ab");
    }

    #[test]
    fn what_is_not_a_pdf_is_refused_with_the_reason() {
        let error = Document::open("page.pdf", b"GIF89a".to_vec()).unwrap_err();
        assert!(error.to_string().contains("page.pdf: it is not a PDF"), "{error}");
        let error = Document::open("page.pdf", b"%PDF-1.7\n garbage".to_vec()).unwrap_err();
        assert!(error.to_string().contains("broken"), "{error}");
    }
}
