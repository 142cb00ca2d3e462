//! Choosing what to fetch of a picture: agencies offer several renditions
//! (thumbnail, preview, watermarked, high resolution); the site wants one
//! large enough for its widest size and no larger than it must be.

use crate::{Picture, PictureSource};

/// The widest size the site shows a picture at; a rendition this wide is enough.
const ENOUGH_WIDTH: u32 = 1600;
/// Renditions larger than this are not fetched when a smaller one will do.
const MAX_BYTES: u64 = 20 * 1024 * 1024;

/// One rendition on offer.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rendition {
    /// Its name or title at the agency ("Hires", "baseImage", "rnd:highRes").
    pub name: String,
    /// Where it is.
    pub href: String,
    /// Its media type, if given.
    pub content_type: Option<String>,
    /// Its size, if given.
    pub width: Option<u32>,
    /// See `width`.
    pub height: Option<u32>,
    /// Its length, if given.
    pub bytes: Option<u64>,
}

/// The rendition to fetch: not a thumbnail or a watermarked copy (unless
/// nothing else is offered), not something other than an image; the
/// smallest at least [`ENOUGH_WIDTH`] wide, else the widest, keeping under
/// [`MAX_BYTES`] when it can.
pub(crate) fn best(renditions: Vec<Rendition>) -> Option<Rendition> {
    let images: Vec<Rendition> = renditions
        .into_iter()
        .filter(|r| !r.href.trim().is_empty())
        .filter(|r| r.content_type.as_deref().is_none_or(|t| t.starts_with("image/")))
        .collect();
    let clean: Vec<&Rendition> = images
        .iter()
        .filter(|r| {
            let name = r.name.to_ascii_lowercase();
            !name.contains("thumb") && !name.contains("watermark")
        })
        .collect();
    let pool: Vec<&Rendition> = if clean.is_empty() { images.iter().collect() } else { clean };
    let fits = |r: &&&Rendition| r.bytes.is_none_or(|b| b <= MAX_BYTES);
    let enough =
        pool.iter().filter(fits).filter(|r| r.width.is_some_and(|w| w >= ENOUGH_WIDTH)).min_by_key(|r| r.width);
    let widest = pool.iter().filter(fits).max_by_key(|r| r.width.unwrap_or(0));
    enough.or(widest).or(pool.first()).map(|r| (*r).clone())
}

/// A linked picture from a chosen rendition.
pub(crate) fn linked(
    rendition: Rendition,
    caption: Option<String>,
    credit: Option<String>,
    alt: Option<String>,
) -> Picture {
    Picture {
        source: PictureSource::Link(rendition.href.trim().to_owned()),
        content_type: rendition.content_type,
        width: rendition.width,
        height: rendition.height,
        caption,
        credit,
        alt,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(name: &str, width: u32, bytes: u64) -> Rendition {
        Rendition {
            name: name.into(),
            href: format!("https://x/{name}.jpg"),
            content_type: Some("image/jpeg".into()),
            width: Some(width),
            height: None,
            bytes: Some(bytes),
        }
    }

    #[test]
    fn the_smallest_wide_enough_then_the_widest_never_a_thumbnail() {
        let offered = vec![r("Hires", 4724, 10_000_000), r("Preview", 1024, 400_000), r("Thumbnail", 256, 30_000)];
        assert_eq!(best(offered.clone()).unwrap().name, "Hires");
        let offered = vec![r("huge", 9000, 40_000_000), r("big", 2000, 900_000), r("Preview", 1024, 400_000)];
        assert_eq!(best(offered).unwrap().name, "big");
        let offered = vec![r("Preview", 1024, 400_000), r("WatermarkPreview", 1280, 400_000)];
        assert_eq!(best(offered).unwrap().name, "Preview");
        assert_eq!(best(vec![r("Thumbnail", 256, 30_000)]).unwrap().name, "Thumbnail");
        let mut video = r("clip", 1920, 1);
        video.content_type = Some("video/mp4".into());
        assert!(best(vec![video]).is_none());
    }
}
