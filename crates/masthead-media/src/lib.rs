//! Masthead's image pipeline: a picture uploaded in the newsroom or fetched
//! with wire copy becomes an image the site can serve at any width.
//!
//! [`ingest`] is the one door: it checks that the bytes are a picture the
//! site can take ([`probe`]: JPEG, PNG, WebP or GIF, at most [`MAX_BYTES`]
//! and [`MAX_PIXELS`], refused with a reason otherwise), stores the original
//! once (blobs are named by their SHA-256), derives a few widths
//! ([`variant_widths`]) in WebP with a JPEG fallback, and stores the image
//! with its caption, credit and alt text. Attaching images to a story is the
//! store's [`Store::set_article_images`]; serving a variant is the web's
//! media route, which serves variants and nothing else.
//!
//! Decoding and encoding are CPU work: [`ingest`] runs them on tokio's
//! blocking pool. Pictures are turned the right way up by their EXIF
//! orientation, and transparent ones laid on white for JPEG.

use std::io::Cursor;

use chrono::Utc;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage, imageops::FilterType};
use masthead_store::{ImageVariant, NewImage, Store, StoreError, StoredImage};

/// The largest file taken (a wire photo's high-resolution rendition fits).
pub const MAX_BYTES: usize = 25 * 1024 * 1024;
/// The most pixels taken (about 50 megapixels): more would take hundreds of
/// megabytes to decode, which is how a small hostile file exhausts memory.
pub const MAX_PIXELS: u64 = 50_000_000;
/// The widths the site serves, narrowest first (phones to wide screens).
pub const WIDTHS: [u32; 4] = [480, 800, 1200, 1600];
/// WebP quality (0–100): visually clean for photographs at a third of a JPEG's size.
const WEBP_QUALITY: f32 = 78.0;
/// JPEG quality (1–100) of the fallback.
const JPEG_QUALITY: u8 = 82;

/// Why a picture was refused or could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// Not a picture the site takes.
    #[error("not an image the site takes ({0}); send a JPEG, PNG, WebP or GIF")]
    NotAnImage(String),
    /// Too many bytes.
    #[error("the image is {bytes} bytes; the most the site takes is {max}")]
    TooLarge {
        /// Its size.
        bytes: usize,
        /// The limit.
        max: usize,
    },
    /// Too many pixels.
    #[error("the image is {width}×{height} pixels; the most the site takes is {max} pixels")]
    TooManyPixels {
        /// Its width.
        width: u32,
        /// Its height.
        height: u32,
        /// The limit.
        max: u64,
    },
    /// Said to be a picture, but its data is broken.
    #[error("the image cannot be read: {0}")]
    Broken(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a picture is, read from its header without decoding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// Its format.
    pub format: ImageFormat,
    /// Its width in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
}

impl Probe {
    /// Its media type.
    pub fn content_type(&self) -> &'static str {
        self.format.to_mime_type()
    }
}

/// What the page says about a picture, and where it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageMeta {
    /// The caption.
    pub caption: Option<String>,
    /// The photographer or agency ("AP Photo/Jane Doe").
    pub credit: Option<String>,
    /// Text for readers who cannot see it.
    pub alt: Option<String>,
    /// Where it was fetched from, so the same picture is not fetched twice.
    pub source: Option<String>,
}

/// Checks that `bytes` are a picture the site takes: a known format by its
/// signature (not its name or the sender's word), a size and pixel count
/// within the limits. Reads only the header.
pub fn probe(bytes: &[u8]) -> Result<Probe, MediaError> {
    if bytes.len() > MAX_BYTES {
        return Err(MediaError::TooLarge { bytes: bytes.len(), max: MAX_BYTES });
    }
    let format = image::guess_format(bytes).map_err(|_| MediaError::NotAnImage(what_it_looks_like(bytes)))?;
    if !matches!(format, ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif) {
        return Err(MediaError::NotAnImage(format!("{format:?}")));
    }
    let reader = ImageReader::with_format(Cursor::new(bytes), format);
    let (width, height) = reader.into_dimensions().map_err(|e| MediaError::Broken(e.to_string()))?;
    if width == 0 || height == 0 {
        return Err(MediaError::Broken("it has no pixels".into()));
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(MediaError::TooManyPixels { width, height, max: MAX_PIXELS });
    }
    Ok(Probe { format, width, height })
}

/// A word on what refused bytes look like, for the message.
fn what_it_looks_like(bytes: &[u8]) -> String {
    let start = String::from_utf8_lossy(&bytes[..bytes.len().min(64)]).trim_start().to_ascii_lowercase();
    if bytes.is_empty() {
        "the file is empty".into()
    } else if start.starts_with("<!doctype html") || start.starts_with("<html") {
        "an HTML page".into()
    } else if start.starts_with("<?xml") || start.starts_with("<svg") {
        "XML or SVG".into()
    } else if start.starts_with("%pdf") {
        "a PDF".into()
    } else {
        "unknown data".into()
    }
}

/// The widths to make of a picture `original` pixels wide: each of
/// [`WIDTHS`] narrower than it, and the original's own width when it is
/// narrower than the widest (never wider: pictures are not enlarged).
pub fn variant_widths(original: u32) -> Vec<u32> {
    let mut widths: Vec<u32> = WIDTHS.iter().copied().filter(|&w| w < original).collect();
    let widest = WIDTHS[WIDTHS.len() - 1];
    if original <= widest || widths.is_empty() {
        widths.push(original.min(widest));
    }
    widths
}

/// The height of a picture `width` wide with the original's proportions,
/// rounded to the nearest pixel and never zero.
pub fn scaled_height(original_width: u32, original_height: u32, width: u32) -> u32 {
    let scaled = (u64::from(original_height) * u64::from(width) * 2 + u64::from(original_width))
        / (2 * u64::from(original_width));
    u32::try_from(scaled).unwrap_or(u32::MAX).max(1)
}

/// One derived size in one format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// `webp` or `jpeg`.
    pub format: &'static str,
    /// Its width in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
    /// The encoded bytes.
    pub bytes: Vec<u8>,
}

impl Variant {
    /// Its media type.
    pub fn content_type(&self) -> &'static str {
        match self.format {
            "webp" => "image/webp",
            _ => "image/jpeg",
        }
    }
}

/// Decodes a picture (turned upright by its EXIF orientation) and derives
/// every variant: each width of [`variant_widths`] in WebP and in JPEG.
/// Pure CPU work; [`ingest`] runs it off the async threads.
pub fn derive(bytes: &[u8]) -> Result<(Probe, Vec<Variant>), MediaError> {
    let probe = probe(bytes)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), probe.format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4 + 64 * 1024 * 1024);
    reader.limits(limits);
    let broken = |e: image::ImageError| MediaError::Broken(e.to_string());
    let mut decoder = reader.into_decoder().map_err(broken)?;
    let orientation = decoder.orientation().map_err(broken)?;
    let mut picture = DynamicImage::from_decoder(decoder).map_err(broken)?;
    picture.apply_orientation(orientation);
    let (width, height) = (picture.width(), picture.height());
    let upright = Probe { width, height, ..probe };
    let opaque = !picture.color().has_alpha();
    let mut variants = Vec::new();
    for w in variant_widths(width) {
        let h = scaled_height(width, height, w);
        let resized = if w == width { picture.clone() } else { picture.resize_exact(w, h, FilterType::Lanczos3) };
        let webp = if opaque {
            let rgb = resized.to_rgb8();
            webp::Encoder::from_rgb(rgb.as_raw(), w, h).encode(WEBP_QUALITY).to_vec()
        } else {
            let rgba = resized.to_rgba8();
            webp::Encoder::from_rgba(rgba.as_raw(), w, h).encode(WEBP_QUALITY).to_vec()
        };
        variants.push(Variant { format: "webp", width: w, height: h, bytes: webp });
        let mut jpeg = Vec::new();
        let flat = on_white(&resized);
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY)
            .encode_image(&flat)
            .map_err(|e| MediaError::Broken(e.to_string()))?;
        variants.push(Variant { format: "jpeg", width: w, height: h, bytes: jpeg });
    }
    Ok((upright, variants))
}

/// The picture as RGB, transparent parts laid on white (JPEG has no alpha;
/// dropping it would turn them black).
fn on_white(picture: &DynamicImage) -> RgbImage {
    if !picture.color().has_alpha() {
        return picture.to_rgb8();
    }
    let rgba = picture.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let blend = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        image::Rgb([blend(r), blend(g), blend(b)])
    })
}

/// Takes a picture in: validates it, stores the original once, derives and
/// stores its variants, and stores the image with `meta`. Returns the image,
/// for [`Store::set_article_images`].
pub async fn ingest(store: &Store, bytes: &[u8], meta: &ImageMeta) -> Result<StoredImage, MediaError> {
    let owned = bytes.to_vec();
    let (probe, variants) = tokio::task::spawn_blocking(move || derive(&owned))
        .await
        .map_err(|e| MediaError::Broken(format!("the resizing task failed: {e}")))??;
    let now = Utc::now();
    let original = store.put_blob(bytes, probe.content_type(), now).await?;
    let mut stored = Vec::with_capacity(variants.len());
    for variant in &variants {
        let blob = store.put_blob(&variant.bytes, variant.content_type(), now).await?;
        stored.push(ImageVariant {
            format: variant.format.to_owned(),
            width: i64::from(variant.width),
            height: i64::from(variant.height),
            sha256: blob.sha256,
            size: i64::try_from(blob.size).unwrap_or(i64::MAX),
        });
    }
    let image = NewImage {
        original_sha256: &original.sha256,
        content_type: probe.content_type(),
        width: probe.width,
        height: probe.height,
        caption: meta.caption.as_deref(),
        credit: meta.credit.as_deref(),
        alt: meta.alt.as_deref(),
        source: meta.source.as_deref(),
        variants: &stored,
    };
    let id = store.insert_image(&image, now).await?;
    tracing::info!(id, width = probe.width, height = probe.height, variants = stored.len(), "image stored");
    let mut images = store.images(&[id]).await?;
    images.pop().ok_or_else(|| MediaError::Store(StoreError::Corrupt(format!("image {id} vanished"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32, alpha: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let picture = if alpha {
            DynamicImage::ImageRgba8(image::RgbaImage::from_fn(width, height, |x, y| {
                image::Rgba([(x % 256) as u8, (y % 256) as u8, 90, if x < width / 2 { 0 } else { 255 }])
            }))
        } else {
            DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
                image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
            }))
        };
        picture.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
        out
    }

    /// PNG's chunk checksum, so a forged header reads as well-formed.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for byte in bytes {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    #[test]
    fn widths_never_enlarge_and_always_include_one() {
        assert_eq!(variant_widths(4000), [480, 800, 1200, 1600]);
        assert_eq!(variant_widths(1600), [480, 800, 1200, 1600]);
        assert_eq!(variant_widths(1000), [480, 800, 1000]);
        assert_eq!(variant_widths(480), [480]);
        assert_eq!(variant_widths(16), [16]);
    }

    #[test]
    fn heights_keep_proportions_rounded() {
        assert_eq!(scaled_height(4724, 3149, 480), 320);
        assert_eq!(scaled_height(3000, 2000, 800), 533);
        assert_eq!(scaled_height(1000, 3, 480), 1);
        assert_eq!(scaled_height(1000, 1, 10), 1, "never zero");
        assert_eq!(scaled_height(1600, 900, 1600), 900);
    }

    #[test]
    fn non_images_and_oversized_images_are_refused_with_a_reason() {
        let error = probe(b"<!DOCTYPE html><html><body>404</body></html>").unwrap_err();
        assert_eq!(error.to_string(), "not an image the site takes (an HTML page); send a JPEG, PNG, WebP or GIF");
        assert!(matches!(probe(b""), Err(MediaError::NotAnImage(_))));
        assert!(matches!(probe(b"%PDF-1.7 ..."), Err(MediaError::NotAnImage(reason)) if reason == "a PDF"));
        let huge = vec![0u8; MAX_BYTES + 1];
        assert!(matches!(probe(&huge), Err(MediaError::TooLarge { .. })));
        // A header that claims 100,000 × 100,000 pixels: refused before decoding.
        let mut bomb = png(8, 8, false);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        assert!(matches!(probe(&bomb), Err(MediaError::TooManyPixels { width: 100_000, .. })), "{:?}", probe(&bomb));
        // A PNG signature with nothing after it.
        assert!(matches!(probe(&png(8, 8, false)[..12]), Err(MediaError::Broken(_))));
    }

    #[test]
    fn variants_are_webp_and_jpeg_at_each_width() {
        let (probe, variants) = derive(&png(1000, 500, false)).unwrap();
        assert_eq!((probe.width, probe.height, probe.content_type()), (1000, 500, "image/png"));
        let shapes: Vec<(&str, u32, u32)> = variants.iter().map(|v| (v.format, v.width, v.height)).collect();
        assert_eq!(
            shapes,
            [
                ("webp", 480, 240),
                ("jpeg", 480, 240),
                ("webp", 800, 400),
                ("jpeg", 800, 400),
                ("webp", 1000, 500),
                ("jpeg", 1000, 500)
            ]
        );
        for variant in &variants {
            let format = image::guess_format(&variant.bytes).unwrap();
            assert_eq!(format.to_mime_type(), variant.content_type());
            let decoded = image::load_from_memory(&variant.bytes).unwrap();
            assert_eq!((decoded.width(), decoded.height()), (variant.width, variant.height));
        }
    }

    #[test]
    fn transparent_pictures_lie_on_white_in_jpeg() {
        let (_, variants) = derive(&png(40, 20, true)).unwrap();
        let jpeg = variants.iter().find(|v| v.format == "jpeg").unwrap();
        let decoded = image::load_from_memory(&jpeg.bytes).unwrap().to_rgb8();
        let [r, g, b] = decoded.get_pixel(2, 10).0;
        assert!(r > 240 && g > 240 && b > 240, "transparent is white, not black: {r} {g} {b}");
    }

    #[tokio::test]
    async fn ingest_stores_the_original_once_and_the_variants() {
        let dir = tempfile::tempdir().unwrap();
        let url =
            masthead_store::DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("t.db").display())).unwrap();
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let bytes = png(900, 600, false);
        let meta = ImageMeta { caption: Some("Caption".into()), credit: Some("Credit".into()), ..ImageMeta::default() };
        let image = ingest(&store, &bytes, &meta).await.unwrap();
        assert_eq!((image.width, image.height, image.caption.as_deref()), (900, 600, Some("Caption")));
        assert_eq!(image.variants.len(), 6);
        let webp = image.variants.iter().find(|v| v.format == "webp").unwrap();
        let served = store.image_variant(&webp.sha256).await.unwrap().unwrap();
        assert_eq!(served.content_type, "image/webp");
        assert_eq!(store.image_variant(&masthead_store::blob_name(&bytes)).await.unwrap(), None);
        let refused = ingest(&store, b"not a picture", &meta).await.unwrap_err();
        assert!(matches!(refused, MediaError::NotAnImage(_)));
    }
}
