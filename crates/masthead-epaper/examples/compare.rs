//! Compares masthead's page images (hayro, as an import renders them) with
//! another renderer's of the same PDF: what `bench/epaper/compare` runs
//! after `pdftoppm -r 150 -png FILE.pdf DIR/ref`.
//!
//! `compare FILE.pdf DIR [FIRST LAST]` renders pages FIRST to LAST (from 1;
//! all by default) at 150 ppi, reads DIR/ref-N.png (any zero padding) for
//! each, and prints a Markdown row a page: both sizes, hayro's time, the mean absolute
//! difference per pixel in grey (0–255), and the share of pixels that differ
//! by more than 64 (a glyph or line drawn differently, not anti-aliasing).
//! It writes DIR/side-N.png, the two side by side (hayro on the left), and
//! DIR/detail-N.png, a part of each at full size, to look at.

use image::{GrayImage, ImageBuffer, Luma};
use masthead_epaper::import::FULL_PPI;
use masthead_epaper::pdf::Document;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [pdf, dir, rest @ ..] = args.as_slice() else {
        eprintln!("usage: compare FILE.pdf DIR [FIRST LAST]");
        std::process::exit(2);
    };
    let bytes = std::fs::read(pdf).expect("the PDF can be read");
    let document = Document::open(pdf, bytes).expect("the PDF opens");
    let first: usize = rest.first().map_or(1, |n| n.parse().expect("FIRST is a number"));
    let last: usize = rest.get(1).map_or(document.page_count(), |n| n.parse().expect("LAST is a number"));
    println!("| page | hayro px | hayro ms | pdftoppm px | mean abs. difference (0–255) | pixels off by > 64 |");
    println!("|---|---|---|---|---|---|");
    for page in first..=last.min(document.page_count()) {
        let started = std::time::Instant::now();
        let rendered = document.render(page - 1, FULL_PPI);
        let millis = started.elapsed().as_millis();
        let ours = image::DynamicImage::ImageRgb8(rendered).to_luma8();
        let theirs = reference(dir, page);
        let (width, height) = (ours.width().min(theirs.width()), ours.height().min(theirs.height()));
        let (mut sum, mut off) = (0u64, 0u64);
        for y in 0..height {
            for x in 0..width {
                let d = ours.get_pixel(x, y).0[0].abs_diff(theirs.get_pixel(x, y).0[0]);
                sum += u64::from(d);
                off += u64::from(d > 64);
            }
        }
        let pixels = u64::from(width) * u64::from(height);
        println!(
            "| {page} | {}×{} | {millis} | {}×{} | {:.2} | {:.2} % |",
            ours.width(),
            ours.height(),
            theirs.width(),
            theirs.height(),
            sum as f64 / pixels as f64,
            off as f64 * 100.0 / pixels as f64
        );
        side_by_side(&ours, &theirs).save(format!("{dir}/side-{page}.png")).expect("the picture is written");
        // A detail at full size: 600 × 400 px a quarter down the page.
        let detail = |image: &GrayImage| {
            image::imageops::crop_imm(image, image.width() / 20, image.height() / 4, 600, 400).to_image()
        };
        side_by_side(&detail(&ours), &detail(&theirs))
            .save(format!("{dir}/detail-{page}.png"))
            .expect("the picture is written");
    }
}

/// pdftoppm's rendering of `page`, in grey: `ref-N.png`, N padded to any width.
fn reference(dir: &str, page: usize) -> GrayImage {
    let found = (1..=4)
        .map(|width| format!("{dir}/ref-{page:0width$}.png"))
        .find(|path| std::path::Path::new(path).exists())
        .unwrap_or_else(|| panic!("no ref-{page}.png in {dir}"));
    image::open(&found).expect("the reference opens").to_luma8()
}

/// `left` and `right` beside each other on white, a grey rule between.
fn side_by_side(left: &GrayImage, right: &GrayImage) -> GrayImage {
    let gap = 8;
    let width = left.width() + gap + right.width();
    let height = left.height().max(right.height());
    let mut out: GrayImage = ImageBuffer::from_pixel(width, height, Luma([255]));
    image::imageops::replace(&mut out, left, 0, 0);
    for y in 0..height {
        for x in left.width()..left.width() + gap {
            out.put_pixel(x, y, Luma([128]));
        }
    }
    image::imageops::replace(&mut out, right, i64::from(left.width() + gap), 0);
    out
}
