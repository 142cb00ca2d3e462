//! A stored picture as pages draw it: the addresses of its variants (served
//! by the media room), a WebP `srcset` with a JPEG fallback, its size (so
//! the page keeps its place while it loads: no layout shift), whether it
//! loads at once or only when scrolled near, and its caption and credit.
//! Story pages, the home page's lead and the cards of every list use it.

use masthead_store::{ImageVariant, StoredImage};

/// The address of a stored variant (`/media/{sha256}.webp` or `.jpg`).
pub(crate) fn url(variant: &ImageVariant) -> String {
    let ext = if variant.format == "webp" { "webp" } else { "jpg" };
    format!("/media/{}.{ext}", variant.sha256)
}

/// Where a picture stands on its page, which decides how it loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placement {
    /// The page's first picture, in view as it opens (a story's lead, the
    /// home page's lead story): fetched at once (never lazy), the largest paint.
    Lead,
    /// Further down or beside a card: fetched only when scrolled near.
    Below,
}

/// A picture as a page draws it.
#[derive(Debug, Clone)]
pub(crate) struct Figure {
    pub webp_srcset: String,
    pub jpeg_srcset: String,
    pub src: String,
    /// How wide it is drawn, for the browser's choice of width.
    pub sizes: &'static str,
    pub width: i64,
    pub height: i64,
    pub alt: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub lazy: bool,
}

impl Figure {
    /// The figure of a stored image drawn `sizes` wide; `None` when it has no
    /// JPEG to fall back on.
    pub fn of(image: &StoredImage, sizes: &'static str, placement: Placement) -> Option<Self> {
        let srcset = |format: &str| {
            image
                .variants
                .iter()
                .filter(|v| v.format == format)
                .map(|v| format!("{} {}w", url(v), v.width))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let jpegs: Vec<&ImageVariant> = image.variants.iter().filter(|v| v.format == "jpeg").collect();
        // The fallback `src`: about a column's width, for browsers without srcset.
        let fallback = jpegs.iter().find(|v| v.width >= 800).or(jpegs.last())?;
        let widest = jpegs.last()?;
        Some(Self {
            webp_srcset: srcset("webp"),
            jpeg_srcset: srcset("jpeg"),
            src: url(fallback),
            sizes,
            width: widest.width,
            height: widest.height,
            alt: image.alt.clone().or_else(|| image.caption.clone()).unwrap_or_default(),
            caption: image.caption.clone(),
            credit: image.credit.clone(),
            lazy: placement == Placement::Below,
        })
    }
}
