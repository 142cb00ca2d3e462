//! How sure a difference between two conversion rates is: the 95% interval
//! for the difference of two proportions by Newcombe's hybrid score method
//! (method 10 of Newcombe, *Statistics in Medicine* 1998; 17:873–890), built
//! from each proportion's Wilson score interval. Unlike the normal
//! approximation it stays inside −1..1 and behaves with few conversions or
//! none, which is what a paywall test mostly has.

use serde::Serialize;

/// The normal quantile for 95% (two-sided).
const Z: f64 = 1.959_963_984_540_054;

/// A 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// A variant's rate against the control's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Difference {
    /// The variant's rate minus the control's.
    pub estimate: f64,
    /// Its 95% interval.
    pub interval: Interval,
}

impl Difference {
    /// Whether the interval leaves out zero: a difference unlikely to be chance.
    pub fn is_clear(&self) -> bool {
        self.interval.low > 0.0 || self.interval.high < 0.0
    }
}

/// The Wilson score interval of `successes` out of `trials` (`None` when
/// there were no trials).
pub fn wilson(successes: i64, trials: i64) -> Option<Interval> {
    if trials <= 0 || successes < 0 {
        return None;
    }
    let (x, n) = (successes.min(trials) as f64, trials as f64);
    let z2 = Z * Z;
    let centre = (x + z2 / 2.0) / (n + z2);
    let half = Z * (x * (n - x) / n + z2 / 4.0).sqrt() / (n + z2);
    Some(Interval { low: centre - half, high: centre + half })
}

/// The difference of `x1 / n1` (the variant) and `x2 / n2` (the control),
/// with its 95% interval; `None` when either had no trials.
pub fn difference(x1: i64, n1: i64, x2: i64, n2: i64) -> Option<Difference> {
    let (first, second) = (wilson(x1, n1)?, wilson(x2, n2)?);
    let (p1, p2) = (x1.min(n1) as f64 / n1 as f64, x2.min(n2) as f64 / n2 as f64);
    let estimate = p1 - p2;
    let low = estimate - ((p1 - first.low).powi(2) + (second.high - p2).powi(2)).sqrt();
    let high = estimate + ((first.high - p1).powi(2) + (p2 - second.low).powi(2)).sqrt();
    Some(Difference { estimate, interval: Interval { low, high } })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(value: f64) -> f64 {
        (value * 10_000.0).round() / 10_000.0
    }

    #[test]
    fn wilson_matches_the_published_value() {
        // Newcombe 1998 (single proportion), 81 of 263: 0.2553 to 0.3662.
        let i = wilson(81, 263).unwrap();
        assert_eq!((round(i.low), round(i.high)), (0.2553, 0.3662));
        assert_eq!(wilson(0, 0), None);
    }

    #[test]
    fn differences_match_newcombes_table() {
        // Newcombe 1998, table II, method 10.
        for ((x1, n1, x2, n2), (low, high)) in [
            ((56, 70, 48, 80), (0.0524, 0.3339)),
            ((9, 10, 3, 10), (0.1705, 0.8090)),
            ((5, 56, 0, 29), (-0.0381, 0.1926)),
        ] {
            let d = difference(x1, n1, x2, n2).unwrap();
            assert_eq!((round(d.interval.low), round(d.interval.high)), (low, high), "{x1}/{n1} - {x2}/{n2}");
        }
        let d = difference(56, 70, 48, 80).unwrap();
        assert!((d.estimate - 0.2).abs() < 1e-12 && d.is_clear());
        assert!(!difference(5, 56, 0, 29).unwrap().is_clear());
        assert_eq!(difference(1, 10, 0, 0), None);
    }
}
