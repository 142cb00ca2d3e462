//! Stamped downloads: an edition's PDF rebuilt from the files it came in,
//! page by page (each original page embedded whole, text and all), with a
//! line at the foot of every page saying whose copy it is — "Licensed to
//! <email> · <date>" — so a copy that travels says where it came from.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use krilla::configure::{ConfigurationBuilder, PdfVersion};
use krilla::geom::{PathBuilder, Point, Rect, Size};
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::pdf::{Pdf, PdfDocument};
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};

use crate::EpaperError;

static STAMP_FONT: std::sync::LazyLock<Font> = std::sync::LazyLock::new(|| {
    Font::new(Arc::new(dejavu::sans::regular().to_vec()).into(), 0).expect("the DejaVu fonts the crate ships are fonts")
});
const STAMP_SIZE: f32 = 7.0;

/// The words stamped on every page.
pub fn stamp_line(email: &str, date: &str) -> String {
    format!("Licensed to {email} · {date}")
}

/// A page of the edition: which source file (its bytes) and which page of it.
#[derive(Debug, Clone, Copy)]
pub struct SourcePage<'a> {
    /// The source PDF.
    pub file: &'a [u8],
    /// Its page index, from 0.
    pub index: usize,
}

/// A source PDF ready to draw from, with each page's size.
type OpenedSource = (PdfDocument, Vec<(f32, f32)>);

/// The edition's pages, in order, each with `line` at its foot.
pub fn stamp(pages: &[SourcePage<'_>], line: &str) -> Result<Vec<u8>, EpaperError> {
    // Written as PDF 2.0, so that no source is newer than the copy.
    let configuration = ConfigurationBuilder::new()
        .with_version(PdfVersion::Pdf20)
        .finish()
        .map_err(|e| EpaperError::Typeset(format!("{e:?}")))?;
    let mut document = Document::new_with(SerializeSettings { configuration, ..Default::default() });
    // Each source file opened once, with its pages' sizes, keyed by where its bytes are.
    let mut opened: HashMap<*const u8, OpenedSource> = HashMap::new();
    for page in pages {
        let (source, sizes) = match opened.entry(page.file.as_ptr()) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                let pdf = Pdf::new(page.file.to_vec())
                    .map_err(|e| EpaperError::Typeset(format!("a stored edition file does not open: {e:?}")))?;
                let sizes = pdf.pages().iter().map(|p| p.render_dimensions()).collect();
                entry.insert((PdfDocument::new(Arc::new(pdf)), sizes))
            }
        };
        let &(width, height) = sizes
            .get(page.index)
            .ok_or_else(|| EpaperError::Typeset(format!("a stored edition file has no page {}", page.index + 1)))?;
        let size = Size::from_wh(width, height).ok_or_else(|| EpaperError::Typeset("a page has no size".to_owned()))?;
        let mut out = document.start_page_with(PageSettings::new(size));
        let mut surface = out.surface();
        surface.draw_pdf_page(source, size, page.index);
        // A white band under the line keeps it legible over whatever is printed there.
        let band = STAMP_SIZE + 5.0;
        let mut path = PathBuilder::new();
        if let Some(rect) = Rect::from_xywh(0.0, height - band, width, band) {
            path.push_rect(rect);
        }
        if let Some(path) = path.finish() {
            surface.set_fill(Some(Fill { paint: krilla::color::rgb::Color::white().into(), ..Default::default() }));
            surface.draw_path(&path);
        }
        surface.set_fill(Some(Fill::default()));
        surface.draw_text(
            Point::from_xy(6.0, height - 4.0),
            STAMP_FONT.clone(),
            STAMP_SIZE,
            line,
            false,
            TextDirection::Auto,
        );
        surface.finish();
        out.finish();
    }
    document.finish().map_err(|e| EpaperError::Typeset(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_carries_the_line_and_keeps_its_own_text() {
        let (pdf, _) = crate::typeset::sample_edition();
        let line = stamp_line("asha@example.com", "7 Dec 2026");
        let pages = [SourcePage { file: &pdf, index: 0 }, SourcePage { file: &pdf, index: 1 }];
        let stamped = stamp(&pages, &line).unwrap();
        let document = crate::pdf::Document::open("stamped.pdf", stamped).unwrap();
        assert_eq!(document.page_count(), 2);
        for page in 0..2 {
            let text = document.text(page);
            assert!(text.contains("Licensed to asha@example.com · 7 Dec 2026"), "page {page}: {text}");
        }
        assert!(document.text(1).contains("Markets close higher"));
    }
}
