//! The funnel by day as an SVG line chart drawn on the server: readable
//! without JavaScript, with a title, a text description and a legend, in
//! the site's colours set by class (the stylesheet may restyle them).

use std::fmt::Write;

use crate::funnel::Row;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 260.0;
/// Room for the axis labels: left, right, top, bottom.
const MARGIN: (f64, f64, f64, f64) = (48.0, 16.0, 16.0, 56.0);

/// One line of the chart: its name, its class, and its value in a row.
type Series = (&'static str, &'static str, fn(&Row) -> i64);

/// The series drawn.
const SERIES: [Series; 5] = [
    ("Visitors", "visitors", |r| r.visitors),
    ("Metered readers", "metered", |r| r.metered_readers),
    ("Paywall", "paywall", |r| r.paywall),
    ("Checkout", "checkout", |r| r.checkout),
    ("Paid", "paid", |r| r.paid),
];
/// The colours, in series order (strong enough on white for a line).
const COLOURS: [&str; 5] = ["#1f4e79", "#2e7d32", "#b26a00", "#6a1b9a", "#c62828"];

/// The chart of `days` (the funnel by day, in date order), described for
/// screen readers by `title`.
pub fn by_day(days: &[Row], title: &str) -> String {
    let (left, right, top, bottom) = MARGIN;
    let (plot_w, plot_h) = (WIDTH - left - right, HEIGHT - top - bottom);
    let highest = days.iter().flat_map(|row| SERIES.map(|(_, _, value)| value(row))).max().unwrap_or(0).max(1);
    let ceiling = nice_ceiling(highest);
    let x = |i: usize| left + if days.len() > 1 { plot_w * i as f64 / (days.len() - 1) as f64 } else { plot_w / 2.0 };
    let y = |value: i64| top + plot_h - plot_h * value as f64 / ceiling as f64;

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title chart-desc"><title id="chart-title">{}</title><desc id="chart-desc">{}</desc>"#,
        escape(title),
        escape(&describe(days)),
    );
    // Grid and value labels: 0, a quarter, … the ceiling.
    for step in 0..=4 {
        let value = ceiling * step / 4;
        let at = y(value);
        let _ = write!(
            svg,
            r##"<line x1="{left}" x2="{}" y1="{at:.1}" y2="{at:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end" font-size="11" fill="#333">{value}</text>"##,
            WIDTH - right,
            left - 6.0,
            at + 4.0
        );
    }
    // Day labels: at most about eight, evenly spread.
    let every = days.len().div_ceil(8).max(1);
    for (i, row) in days.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{}" text-anchor="middle" font-size="11" fill="#333">{}</text>"##,
            x(i),
            HEIGHT - bottom + 16.0,
            escape(row.key.get(5..).unwrap_or(&row.key))
        );
    }
    for ((name, class, value), colour) in SERIES.iter().zip(COLOURS) {
        let points: Vec<(f64, f64)> = days.iter().enumerate().map(|(i, row)| (x(i), y(value(row)))).collect();
        let line: Vec<String> = points.iter().map(|(px, py)| format!("{px:.1},{py:.1}")).collect();
        let _ = write!(
            svg,
            r#"<polyline class="series {class}" fill="none" stroke="{colour}" stroke-width="2" points="{}"><title>{name}</title></polyline>"#,
            line.join(" ")
        );
        // A dot on each day, so a period of one day (no line to draw) still shows its values.
        for (px, py) in points {
            let _ = write!(svg, r#"<circle class="series {class}" cx="{px:.1}" cy="{py:.1}" r="3" fill="{colour}"/>"#);
        }
    }
    // The legend, under the day labels.
    for (n, ((name, _, _), colour)) in SERIES.iter().zip(COLOURS).enumerate() {
        let lx = left + 130.0 * n as f64;
        let ly = HEIGHT - 14.0;
        let _ = write!(
            svg,
            r##"<rect x="{lx}" y="{}" width="12" height="4" fill="{colour}"/><text x="{}" y="{ly}" font-size="12" fill="#111">{name}</text>"##,
            ly - 6.0,
            lx + 16.0
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The chart's text: each series' total, and the days it covers.
fn describe(days: &[Row]) -> String {
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return "No events in this period.".to_owned();
    };
    let totals: Vec<String> =
        SERIES.iter().map(|(name, _, value)| format!("{name}: {}", days.iter().map(value).sum::<i64>())).collect();
    format!("From {} to {}, added up over the days: {}.", first.key, last.key, totals.join(", "))
}

/// The smallest of 1, 2, 4, 5 or 8 times a power of ten that is at least
/// `value` (divisible into quarters where it can be).
fn nice_ceiling(value: i64) -> i64 {
    let mut power = 1;
    loop {
        for step in [1, 2, 4, 5, 8] {
            if step * power >= value {
                return step * power;
            }
        }
        power *= 10;
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(key: &str, visitors: i64, paid: i64) -> Row {
        Row { key: key.to_owned(), visitors, paid, ..Row::default() }
    }

    #[test]
    fn a_chart_has_its_title_text_and_a_line_per_series() {
        let svg = by_day(&[day("2026-11-27", 40, 1), day("2026-11-28", 10, 0)], "Funnel <by day>");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title id=\"chart-title\">Funnel &lt;by day&gt;</title>"));
        assert!(svg.contains("Visitors: 50") && svg.contains("Paid: 1"), "{svg}");
        assert_eq!(svg.matches("<polyline").count(), 5);
        // Visitors peak at 40, drawn against a ceiling of 40: the top of the plot.
        assert!(svg.contains(&format!("{:.1},{:.1}", MARGIN.0, MARGIN.2)), "{svg}");
        assert!(svg.contains(">11-27<"));
    }

    #[test]
    fn a_single_day_shows_a_dot_per_series() {
        let svg = by_day(&[day("2026-12-07", 7, 3)], "Funnel");
        assert_eq!(svg.matches("<circle").count(), 5, "{svg}");
        // Seven visitors against a ceiling of 8, in the middle of the plot's width.
        let middle = MARGIN.0 + (WIDTH - MARGIN.0 - MARGIN.1) / 2.0;
        let plot_h = HEIGHT - MARGIN.2 - MARGIN.3;
        let seven = MARGIN.2 + plot_h - plot_h * 7.0 / 8.0;
        assert!(svg.contains(&format!(r#"cx="{middle:.1}" cy="{seven:.1}""#)), "{svg}");
    }

    #[test]
    fn an_empty_period_says_so() {
        assert!(by_day(&[], "Funnel").contains("No events in this period."));
    }

    #[test]
    fn ceilings_are_round() {
        assert_eq!([1, 3, 7, 9, 40, 41, 990].map(nice_ceiling), [1, 4, 8, 10, 40, 50, 1000]);
    }
}
