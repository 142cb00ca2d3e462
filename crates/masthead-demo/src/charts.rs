//! Pictures the demo archive makes itself, so a new user's front page has
//! some: a market story gets a line chart of the index it names (the Sensex,
//! Brent crude, the Dow…; the Sensex when it names none) over the year to its day,
//! drawn from the same year-end series the stories quote their levels from
//! (`vocabulary::Index`), with a week-by-week wobble of its own.
//!
//! [`MarketChart::for_story`] says which chart a story gets; [`MarketChart::draw`]
//! paints it as a JPEG with its caption, credit and alt text. The chart has
//! its axes labelled — round levels up the side, the quarters' months (and
//! the year at January) along the foot — set in DejaVu Sans (`lettering`)
//! big enough to read where the home page draws its lead (about 400 px wide:
//! labels of 30 px in the 960-px original come out at 12–14 CSS px); the
//! image pipeline resizes it like any photograph. The same index and day
//! always give the same picture.

use chrono::{Datelike, NaiveDate, TimeDelta};
use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};

use crate::lettering::{self, Anchor};
use crate::rng::{Rng, mix};
use crate::vocabulary::{CHARTED, Index};
use crate::writer::push_fixed;

/// The picture's size: 16:9, three of the pipeline's widths (480, 800 and
/// its own), few pixels for the debug-built demo to resize.
const WIDTH: u32 = 960;
const HEIGHT: u32 = 540;
/// The plot's margins, in pixels: room for the levels on the left and the
/// months below.
const MARGIN_LEFT: u32 = 150;
const MARGIN_RIGHT: u32 = 40;
const MARGIN_TOP: u32 = 36;
const MARGIN_BOTTOM: u32 = 76;
/// The labels' size (the font's em), in the original's pixels.
const LABEL_SIZE: f32 = 30.0;
/// Short month names, for the labels along the foot.
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/// Weekly points over a year, today's the last.
const WEEKS: usize = 53;
/// How thick the line is drawn (it is narrowed with the picture).
const LINE: i64 = 6;
/// The site's paper, its rules and its ink.
const PAPER: Rgb<u8> = Rgb([255, 253, 248]);
const RULE: Rgb<u8> = Rgb([217, 212, 204]);
const INK: Rgb<u8> = Rgb([26, 26, 26]);
/// The labels: softer than the ink, still 7:1 on the paper.
const LABEL: Rgb<u8> = Rgb([74, 74, 74]);
/// A year that ended higher is drawn in green, lower in red.
const RISE: Rgb<u8> = Rgb([29, 107, 58]);
const FALL: Rgb<u8> = Rgb([164, 18, 12]);
/// The original's JPEG quality: high, as the pipeline encodes it again. JPEG
/// rather than PNG, because the debug-built demo inflates and deflates PNGs
/// slowly (their compressors are not optimised in dev builds; JPEG's are).
const JPEG_QUALITY: u8 = 92;
/// Who made it, as the credit line says.
pub const CREDIT: &str = "Graphic: Masthead demo desk";
/// Keeps the chart's wobble apart from the story streams.
const CHART_SALT: u64 = 0x6368_6172_7473_2121;

/// A chart of one index over the year to one day.
#[derive(Debug, Clone, Copy)]
pub struct MarketChart {
    index: &'static Index,
    indian: bool,
    date: NaiveDate,
}

/// A drawn picture with what the page says about it.
#[derive(Debug, Clone)]
pub struct DemoPicture {
    /// The picture, as a JPEG.
    pub jpeg: Vec<u8>,
    /// The caption under it.
    pub caption: String,
    /// Who made it.
    pub credit: &'static str,
    /// What it shows, for readers who cannot see it.
    pub alt: String,
}

impl MarketChart {
    /// The chart for a market story published on `date`: of the first
    /// charted index its headline (else its standfirst) names as a word, or
    /// of the Sensex, the benchmark every Indian market story moves with.
    pub fn for_story(headline: &str, standfirst: &str, date: NaiveDate) -> Self {
        let named = [headline, standfirst]
            .into_iter()
            .find_map(|text| CHARTED.iter().find(|(index, _)| names(text, index.short)));
        let &(index, indian) = named.unwrap_or(&CHARTED[0]);
        Self { index, indian, date }
    }

    /// The index charted ("Sensex"): a seeder that draws one chart per index
    /// (the newest story's) and gives it to the older stories on that index
    /// too keeps the demo's start quick, at the cost of a few days' shift.
    pub fn index(&self) -> &'static str {
        self.index.short
    }

    /// The weekly levels (in hundredths) over the year to the chart's day:
    /// the index's interpolated series, each week off it by a wandering
    /// few per cent that returns to nothing on the day itself.
    fn levels(&self) -> Vec<f64> {
        let index = self.index.short.bytes().fold(CHART_SALT, |seed, byte| mix(seed ^ u64::from(byte)));
        let mut rng = Rng::for_story(u64::from(self.date.num_days_from_ce().unsigned_abs()), index);
        let mut wander = 0.0_f64;
        let mut drift = Vec::with_capacity(WEEKS);
        for _ in 0..WEEKS {
            wander += (rng.below(2001) as f64 - 1000.0) / 1000.0 * 0.012;
            wander *= 0.92;
            drift.push(wander);
        }
        let last = drift[WEEKS - 1];
        (0..WEEKS)
            .map(|week| {
                let day = self.date - TimeDelta::weeks((WEEKS - 1 - week) as i64);
                let trend = self.index.level_on(day) as f64;
                let settle = last * week as f64 / (WEEKS - 1) as f64;
                trend * (1.0 + drift[week] - settle)
            })
            .collect()
    }

    /// Paints the chart and writes its caption and alt text.
    pub fn draw(&self) -> DemoPicture {
        let levels = self.levels();
        let (first, last) = (levels[0], levels[WEEKS - 1]);
        let low = levels.iter().copied().fold(f64::INFINITY, f64::min);
        let high = levels.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let colour = if last >= first { RISE } else { FALL };
        let level = |hundredths: f64| {
            let mut out = String::new();
            push_fixed(&mut out, hundredths.round() as u64, self.indian);
            out
        };
        let months = month_ticks(self.date);
        let jpeg = paint(&levels, low, high, colour, &|tick| round_level(&level(tick)), &months);
        let day = self.date.format("%-d %B %Y");
        let name = self.index.name;
        let caption = format!("{} over the year to {day}: {} to {}", capitalised(name), level(first), level(last));
        let alt = format!(
            "Line chart of {name} week by week over the year to {day}, {} from {} to {}, between a low of {} and a high of {}.",
            if last >= first { "rising" } else { "falling" },
            level(first),
            level(last),
            level(low),
            level(high)
        );
        DemoPicture { jpeg, caption, credit: CREDIT, alt }
    }
}

/// Whether `text` holds `word` with no letter or digit on either side.
fn names(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A round level as the side labels it: "84,000", "77.50" ("84,000.00" less its zero decimals).
fn round_level(written: &str) -> String {
    written.strip_suffix(".00").unwrap_or(written).to_owned()
}

/// The round levels (in hundredths) to rule and label between `floor` and
/// `ceiling`: three to five, a step of 1, 2, 2.5 or 5 times a power of ten.
fn value_ticks(floor: f64, ceiling: f64) -> Vec<f64> {
    let rough = ((ceiling - floor) / 4.0).max(1.0);
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].into_iter().map(|m| m * power).find(|step| *step >= rough).unwrap_or(rough);
    let first = (floor / step).ceil() as i64;
    let last = (ceiling / step).floor() as i64;
    (first..=last).map(|n| n as f64 * step).collect()
}

/// The months that start a quarter within the year to `date`, as the share
/// of the way along the foot each falls at and its label ("Apr"; the year
/// at January, "2025").
fn month_ticks(date: NaiveDate) -> Vec<(f64, String)> {
    let start = date - TimeDelta::weeks((WEEKS - 1) as i64);
    let span = (date - start).num_days() as f64;
    let mut ticks = Vec::new();
    let mut month = NaiveDate::from_ymd_opt(start.year(), start.month(), 1).unwrap_or(start);
    while month <= date {
        if month > start && month.month0().is_multiple_of(3) {
            let label =
                if month.month() == 1 { month.year().to_string() } else { MONTHS[month.month0() as usize].to_owned() };
            ticks.push(((month - start).num_days() as f64 / span, label));
        }
        month = month.checked_add_months(chrono::Months::new(1)).unwrap_or(date + TimeDelta::days(1));
    }
    ticks
}

/// Paints the levels as a filled line chart on the site's paper, ruled and
/// labelled at round levels (`label` writes one) and along the foot at
/// `months`, as a JPEG.
fn paint(
    levels: &[f64],
    low: f64,
    high: f64,
    colour: Rgb<u8>,
    label: &dyn Fn(f64) -> String,
    months: &[(f64, String)],
) -> Vec<u8> {
    let mut picture = RgbImage::from_pixel(WIDTH, HEIGHT, PAPER);
    let (left, right) = (MARGIN_LEFT, WIDTH - MARGIN_RIGHT);
    let (top, bottom) = (MARGIN_TOP, HEIGHT - MARGIN_BOTTOM);
    let pad = (high - low).max(1.0) * 0.1;
    let (floor, ceiling) = (low - pad, high + pad);
    let y_of = |level: f64| f64::from(bottom) - (level - floor) / (ceiling - floor) * f64::from(bottom - top);
    // The line's height at each column, between the weekly points around it.
    let line: Vec<f64> = (left..=right)
        .map(|x| {
            let at = f64::from(x - left) / f64::from(right - left) * (levels.len() - 1) as f64;
            let i = (at.floor() as usize).min(levels.len() - 2);
            let t = at - i as f64;
            y_of(levels[i] * (1.0 - t) + levels[i + 1] * t)
        })
        .collect();
    for tick in value_ticks(floor, ceiling) {
        let y = y_of(tick).round() as u32;
        for x in left..=right {
            picture.put_pixel(x, y, RULE);
        }
        // Centred on its rule: the digits' middle is about a third of the em above the baseline.
        let baseline = y as f32 + LABEL_SIZE * 0.36;
        lettering::set(&mut picture, &label(tick), (left - 16) as f32, baseline, LABEL_SIZE, Anchor::End, LABEL);
    }
    let tint = blend(colour, PAPER, 0.16);
    for (column, &y) in line.iter().enumerate() {
        let x = left + column as u32;
        for fill in (y.round() as u32)..bottom {
            picture.put_pixel(x, fill, tint);
        }
    }
    for x in left..=right {
        for y in bottom..bottom + 3 {
            picture.put_pixel(x, y, INK);
        }
    }
    for (share, month) in months {
        let x = f64::from(left) + share * f64::from(right - left);
        for y in bottom + 3..bottom + 13 {
            for dx in 0..2 {
                put(&mut picture, x.round() as i64 + dx, i64::from(y), INK);
            }
        }
        let baseline = (bottom + 16) as f32 + LABEL_SIZE;
        lettering::set(&mut picture, month, x as f32, baseline, LABEL_SIZE, Anchor::Middle, LABEL);
    }
    // The line: each column from its height to the next one's, thickened.
    for (column, pair) in line.windows(2).enumerate() {
        let x = i64::from(left) + column as i64;
        let (a, b) = (pair[0].round() as i64, pair[1].round() as i64);
        for y in a.min(b) - LINE / 2..=a.max(b) + LINE / 2 {
            for dx in 0..2 {
                put(&mut picture, x + dx, y, colour);
            }
        }
    }
    // Today's close, a dot at the line's end.
    let (end_x, end_y) = (i64::from(right), line[line.len() - 1].round() as i64);
    for dy in -10i64..=10 {
        for dx in -10i64..=10 {
            if dx * dx + dy * dy <= 100 {
                put(&mut picture, end_x + dx - 10, end_y + dy, colour);
            }
        }
    }
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY).encode_image(&picture).expect("a JPEG encodes into memory");
    jpeg
}

fn put(picture: &mut RgbImage, x: i64, y: i64, colour: Rgb<u8>) {
    if let (Ok(x), Ok(y)) = (u32::try_from(x), u32::try_from(y))
        && x < picture.width()
        && y < picture.height()
    {
        picture.put_pixel(x, y, colour);
    }
}

/// `share` of `colour` over `ground`.
pub(crate) fn blend(colour: Rgb<u8>, ground: Rgb<u8>, share: f64) -> Rgb<u8> {
    let mix = |c: u8, g: u8| (f64::from(c) * share + f64::from(g) * (1.0 - share)).round() as u8;
    Rgb([mix(colour[0], ground[0]), mix(colour[1], ground[1]), mix(colour[2], ground[2])])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
    }

    #[test]
    fn a_story_gets_the_chart_of_the_index_it_names() {
        let chart = MarketChart::for_story("Nifty rises 310 points as banks gain", "", day());
        assert_eq!(chart.index(), "Nifty");
        let chart = MarketChart::for_story("Markets end higher", "The Dow closed up 1.2 per cent.", day());
        assert_eq!(chart.index(), "Dow");
        let chart = MarketChart::for_story("Downgrade for Dowling", "Nothing about indices.", day());
        assert_eq!(chart.index(), "Sensex", "the benchmark when no index is named as a word");
    }

    #[test]
    fn the_chart_is_a_picture_of_the_series_with_its_numbers_in_words() {
        let chart = MarketChart::for_story("Nifty slips", "", day());
        let picture = chart.draw();
        let decoded = image::load_from_memory_with_format(&picture.jpeg, image::ImageFormat::Jpeg).unwrap().to_rgb8();
        assert_eq!(decoded.dimensions(), (WIDTH, HEIGHT));
        let near = |a: &Rgb<u8>, b: Rgb<u8>| a.0.iter().zip(b.0).all(|(x, y)| x.abs_diff(y) <= 6);
        assert!(near(decoded.get_pixel(2, 2), PAPER), "the site's paper around the plot");
        let coloured = decoded.pixels().filter(|p| near(p, RISE) || near(p, FALL)).count();
        assert!(coloured > 4_000, "a drawn line: {coloured} pixels");
        assert!(picture.caption.starts_with("The Nifty over the year to 30 June 2025: "), "{}", picture.caption);
        // Mid-2025 is halfway between the Nifty's year-ends of 23,645 and 25,800.
        let close: f64 = picture.caption.rsplit(" to ").next().unwrap().replace(',', "").parse().unwrap();
        assert!((24_000.0..25_500.0).contains(&close), "{}", picture.caption);
        assert!(picture.alt.starts_with("Line chart of the Nifty week by week"), "{}", picture.alt);
        assert_eq!(picture.credit, CREDIT);
        assert_eq!(chart.draw().jpeg, picture.jpeg, "the same index and day, the same picture");
        // Past the series' end the level holds: no jump at New Year.
        let new_year = NaiveDate::from_ymd_opt(2026, 1, 10).unwrap();
        let levels = MarketChart::for_story("Sensex", "", new_year).levels();
        let steps = levels.windows(2).map(|w| (w[1] / w[0] - 1.0).abs()).fold(0.0, f64::max);
        assert!(steps < 0.03, "a week's move of {:.1}%", steps * 100.0);
    }

    #[test]
    fn the_side_is_ruled_at_round_levels_and_the_foot_at_the_quarters() {
        // The Sensex between 76,000 and 86,000: rules every 2,500.
        let ticks = value_ticks(7_600_000.0, 8_600_000.0);
        assert_eq!(ticks, [7_750_000.0, 8_000_000.0, 8_250_000.0, 8_500_000.0]);
        assert_eq!(round_level("82,500.00"), "82,500");
        assert_eq!(round_level("77.50"), "77.50");
        // Brent crude, about 80 dollars: every 5.
        assert_eq!(value_ticks(7_050.0, 8_950.0), [75_00.0, 80_00.0, 85_00.0]);
        for (floor, ceiling) in [(1.0, 2.0), (97.0, 103.0), (1_000.0, 250_000.0), (3_400_000.0, 3_900_000.0)] {
            let ticks = value_ticks(floor, ceiling);
            assert!((2..=6).contains(&ticks.len()), "{floor}..{ceiling}: {ticks:?}");
            assert!(ticks.iter().all(|t| (floor..=ceiling).contains(t)), "{ticks:?}");
        }
        let months = month_ticks(day());
        let labels: Vec<&str> = months.iter().map(|(_, label)| label.as_str()).collect();
        assert_eq!(labels, ["Oct", "2025", "Apr"], "the quarters of the year to 30 June 2025");
        assert!(months.windows(2).all(|w| w[0].0 < w[1].0) && months.iter().all(|(at, _)| (0.0..=1.0).contains(at)));
    }

    #[test]
    fn the_labels_are_drawn_beside_and_below_the_plot() {
        let picture = MarketChart::for_story("Sensex climbs", "", day()).draw();
        let decoded = image::load_from_memory_with_format(&picture.jpeg, image::ImageFormat::Jpeg).unwrap().to_rgb8();
        let dark = |x0: u32, x1: u32, y0: u32, y1: u32| {
            (x0..x1)
                .flat_map(|x| (y0..y1).map(move |y| (x, y)))
                .filter(|&(x, y)| decoded.get_pixel(x, y)[0] < 140)
                .count()
        };
        let side = dark(0, MARGIN_LEFT - 8, MARGIN_TOP, HEIGHT - MARGIN_BOTTOM);
        let foot = dark(MARGIN_LEFT, WIDTH, HEIGHT - MARGIN_BOTTOM + 14, HEIGHT);
        assert!(side > 1_500, "the levels up the side: {side} dark pixels");
        assert!(foot > 800, "the months along the foot: {foot} dark pixels");
        assert_eq!(dark(0, MARGIN_LEFT - 8, 0, 8), 0, "nothing above the top label");
    }
}
