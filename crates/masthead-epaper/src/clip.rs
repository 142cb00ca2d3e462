//! Clips: the picture of one article region, cut from the page's full
//! rendering, and the rules a clip keeps — it opens for [`CLIP_DAYS`] days,
//! and a reader makes at most an allowance of them a month.

use image::imageops;

use crate::EpaperError;

/// How long a clip's page opens, in days.
pub const CLIP_DAYS: i64 = 14;
/// Clips a reader may make a month, unless the site says otherwise.
pub const DEFAULT_MONTHLY_CLIPS: u32 = 20;
/// WebP quality of a clip's picture.
const QUALITY: f32 = 82.0;

/// The region `x, y, width, height` (pixels) of a page's full rendering
/// (`page`, WebP), as WebP. The rectangle is cut to the page.
pub fn crop(page: &[u8], x: u32, y: u32, width: u32, height: u32) -> Result<Vec<u8>, EpaperError> {
    let full = image::load_from_memory(page).map_err(|e| EpaperError::Render(e.to_string()))?.to_rgb8();
    let x = x.min(full.width().saturating_sub(1));
    let y = y.min(full.height().saturating_sub(1));
    let width = width.clamp(1, full.width() - x);
    let height = height.clamp(1, full.height() - y);
    let cut = imageops::crop_imm(&full, x, y, width, height).to_image();
    Ok(webp::Encoder::from_rgb(cut.as_raw(), width, height).encode(QUALITY).to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clip_is_the_region_cut_to_the_page() {
        let page =
            image::RgbImage::from_fn(
                100,
                200,
                |x, _| if x < 50 { image::Rgb([0, 0, 0]) } else { image::Rgb([255; 3]) },
            );
        let page = webp::Encoder::from_rgb(page.as_raw(), 100, 200).encode_lossless().to_vec();
        let clip = image::load_from_memory(&crop(&page, 10, 20, 30, 40).unwrap()).unwrap();
        assert_eq!((clip.width(), clip.height()), (30, 40));
        // Past the page's edge it stops at the edge.
        let clip = image::load_from_memory(&crop(&page, 80, 150, 500, 500).unwrap()).unwrap();
        assert_eq!((clip.width(), clip.height()), (20, 50));
        assert!(crop(b"not a picture", 0, 0, 1, 1).is_err());
    }
}
