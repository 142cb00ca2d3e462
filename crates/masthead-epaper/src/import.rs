//! The one way an edition comes in, for a publisher's PDFs and the demo's
//! alike: every file opened and checked first (an encrypted or broken one
//! refuses the whole import, with the reason, before anything is stored),
//! every page rendered three times (full at [`FULL_PPI`] for zoom, the page
//! view's [`VIEW_WIDTH`] and the thumbnail's [`THUMB_WIDTH`], all WebP) with
//! its text extracted and its regions placed, then the whole edition stored
//! in one transaction that replaces the date's edition of that name.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use image::RgbImage;
use image::imageops::{self, FilterType};
use masthead_store::{NewEdition, NewFile, NewPage, NewRegion, Store};

use crate::EpaperError;
use crate::pdf::{Document, text_inside};
use crate::regions::Sidecar;

/// Pixels per inch of the full rendering (what zoom shows).
pub const FULL_PPI: f32 = 150.0;
/// The page view's width in pixels.
pub const VIEW_WIDTH: u32 = 1000;
/// The thumbnail's width in pixels.
pub const THUMB_WIDTH: u32 = 200;
/// WebP quality (0–100) of the renderings: print stays crisp at this.
const WEBP_QUALITY: f32 = 80.0;
/// The longest edition name.
pub const MAX_EDITION_NAME: usize = 40;
/// The edition name used when none is given.
pub const DEFAULT_EDITION: &str = "Main";

/// A PDF to import, with the name errors call it by.
#[derive(Debug, Clone)]
pub struct PdfFile {
    /// Its name (the file name).
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// What to import.
#[derive(Debug, Clone)]
pub struct Import {
    /// The date of the edition.
    pub day: NaiveDate,
    /// Its name.
    pub edition: String,
    /// Its PDFs, in page order.
    pub files: Vec<PdfFile>,
    /// Its article regions, when known.
    pub regions: Option<Sidecar>,
}

/// How far an import has gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Every file opened; the edition has this many pages.
    Checked {
        /// Pages in all.
        pages: usize,
    },
    /// A page rendered.
    Rendered {
        /// Its number.
        page: usize,
        /// Pages in all.
        of: usize,
    },
}

/// What an import stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The edition's id.
    pub id: i64,
    /// Its pages.
    pub pages: usize,
    /// Its regions.
    pub regions: usize,
    /// Bytes of the renderings stored (full, view and thumbnail).
    pub image_bytes: usize,
}

/// Checks an edition name: 1 to [`MAX_EDITION_NAME`] letters, digits,
/// spaces or hyphens.
pub fn check_edition_name(name: &str) -> Result<String, EpaperError> {
    let name = name.trim();
    let fine = !name.is_empty()
        && name.chars().count() <= MAX_EDITION_NAME
        && name.chars().all(|c| c.is_alphanumeric() || c == ' ' || c == '-');
    if fine { Ok(name.to_owned()) } else { Err(EpaperError::BadEditionName(name.to_owned())) }
}

/// Imports an edition (see the module docs); `progress` hears each step.
pub async fn import(
    store: &Store,
    import: Import,
    at: DateTime<Utc>,
    progress: impl Fn(Progress) + Send + Sync + 'static,
) -> Result<Imported, EpaperError> {
    let progress = Arc::new(progress);
    let edition = tokio::task::spawn_blocking(move || prepare(import, &*progress))
        .await
        .map_err(|e| EpaperError::Render(e.to_string()))??;
    let id = store.replace_epaper_edition(&edition, at).await?;
    Ok(Imported {
        id,
        pages: edition.pages.len(),
        regions: edition.pages.iter().map(|p| p.regions.len()).sum(),
        image_bytes: edition.pages.iter().map(|p| p.image.bytes.len() + p.view.bytes.len() + p.thumb.bytes.len()).sum(),
    })
}

/// The CPU half of [`import`]: opens, checks, renders and extracts, storing nothing.
pub fn prepare(import: Import, progress: &dyn Fn(Progress)) -> Result<NewEdition, EpaperError> {
    let edition = check_edition_name(&import.edition)?;
    if import.files.is_empty() {
        return Err(EpaperError::NoFiles);
    }
    let mut documents = Vec::with_capacity(import.files.len());
    let mut sources = Vec::with_capacity(import.files.len());
    for file in import.files {
        let bytes = file.bytes.clone();
        documents.push(Document::open(&file.name, file.bytes)?);
        sources.push(NewFile { content_type: "application/pdf", bytes });
    }
    let pages: Vec<(usize, usize)> =
        documents.iter().enumerate().flat_map(|(d, doc)| (0..doc.page_count()).map(move |p| (d, p))).collect();
    let sizes: Vec<(f32, f32)> = pages.iter().map(|&(d, p)| documents[d].page_size(p)).collect();
    let regions = match &import.regions {
        Some(sidecar) => sidecar.per_page(&sizes)?,
        None => vec![Vec::new(); pages.len()],
    };
    progress(Progress::Checked { pages: pages.len() });
    let scale = f64::from(FULL_PPI) / 72.0;
    let px = |points: f64| (points * scale).round().max(0.0) as u32;
    let mut out = Vec::with_capacity(pages.len());
    for (index, (&(d, p), page_regions)) in pages.iter().zip(regions).enumerate() {
        let document = &documents[d];
        let full = document.render(p, FULL_PPI);
        let glyphs = document.glyphs(p);
        let regions = page_regions
            .iter()
            .map(|r| NewRegion {
                x: px(r.x),
                y: px(r.y),
                width: px(r.width).max(1),
                height: px(r.height).max(1),
                headline: r.headline.trim().to_owned(),
                article_id: r.story,
                text: text_inside(&glyphs, (r.x, r.y, r.width, r.height)),
            })
            .collect();
        out.push(NewPage {
            source: d,
            source_page: p as u32,
            width: full.width(),
            height: full.height(),
            view: webp(&narrower(&full, VIEW_WIDTH)),
            thumb: webp(&narrower(&full, THUMB_WIDTH)),
            image: webp(&full),
            text: crate::pdf::lines(&glyphs),
            regions,
        });
        progress(Progress::Rendered { page: index + 1, of: pages.len() });
    }
    Ok(NewEdition { day: import.day, edition, sources, pages: out })
}

/// `image` scaled down to `width` (kept when already narrower).
fn narrower(image: &RgbImage, width: u32) -> RgbImage {
    if image.width() <= width {
        return image.clone();
    }
    let height = (u64::from(image.height()) * u64::from(width) / u64::from(image.width())).max(1) as u32;
    imageops::resize(image, width, height, FilterType::Triangle)
}

/// `image` as lossy WebP.
fn webp(image: &RgbImage) -> NewFile {
    let bytes = webp::Encoder::from_rgb(image.as_raw(), image.width(), image.height()).encode(WEBP_QUALITY).to_vec();
    NewFile { content_type: "image/webp", bytes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edition_names_are_short_plain_words() {
        assert_eq!(check_edition_name(" Mumbai ").unwrap(), "Mumbai");
        assert_eq!(check_edition_name("Navi-Mumbai 2").unwrap(), "Navi-Mumbai 2");
        for bad in ["", "../etc", "a<b>", &"x".repeat(41)] {
            assert!(check_edition_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_typeset_edition_is_rendered_with_its_text_and_regions() {
        let (pdf, sidecar) = crate::typeset::sample_edition();
        let import = Import {
            day: NaiveDate::from_ymd_opt(2017, 4, 13).unwrap(),
            edition: "Main".to_owned(),
            files: vec![PdfFile { name: "edition.pdf".to_owned(), bytes: pdf }],
            regions: Some(sidecar),
        };
        let heard = std::sync::Mutex::new(Vec::new());
        let edition = prepare(import, &|p| heard.lock().unwrap().push(p)).unwrap();
        let page = &edition.pages[0];
        // A tabloid page at 150 ppi.
        assert!(page.width >= 1500, "{}", page.width);
        assert!(page.text.contains("Masthead Daily"), "{}", page.text);
        let region = &page.regions[0];
        assert!(region.text.contains("first paragraph"), "{}", region.text);
        assert!(!region.text.contains("Masthead Daily"), "{}", region.text);
        assert_eq!(heard.lock().unwrap().last(), Some(&Progress::Rendered { page: 2, of: 2 }));
        let view = image::load_from_memory(&page.view.bytes).unwrap();
        assert_eq!(view.width(), VIEW_WIDTH);
    }
}
