//! The regions sidecar: which rectangles of which page are articles, with
//! their headlines and, where known, the story each one is.
//!
//! ```json
//! {
//!   "pages": [
//!     { "page": 1,
//!       "regions": [
//!         { "x": 36, "y": 96, "width": 540, "height": 420,
//!           "headline": "Monsoon reaches Kerala", "story": 1234 }
//!       ] }
//!   ]
//! }
//! ```
//!
//! `page` counts from 1 over the whole edition (the files in the order
//! given, each file's pages in order). `x`, `y`, `width`, `height` are PDF
//! points (1/72 inch) measured from the top-left corner of the page as it is
//! shown. `story`, optional, is the id of a published story (the number that
//! ends its address, `/{section}/{slug}-{id}`); a region whose story is not
//! published still shows its printed text. Pages not
//! listed have no regions. Unknown fields are refused, so a misspelt field
//! is an error rather than silently dropped.

use serde::{Deserialize, Serialize};

use crate::EpaperError;

/// The most regions one page may carry.
pub const MAX_REGIONS_PER_PAGE: usize = 100;

/// The whole sidecar.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Sidecar {
    /// The pages that have regions.
    pub pages: Vec<SidecarPage>,
}

/// One page's regions.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SidecarPage {
    /// The page number in the edition, from 1.
    pub page: u32,
    /// Its regions, in reading order.
    pub regions: Vec<Region>,
}

/// An article region on a page.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Left edge, points from the page's left.
    pub x: f64,
    /// Top edge, points from the page's top.
    pub y: f64,
    /// Width in points.
    pub width: f64,
    /// Height in points.
    pub height: f64,
    /// The article's headline as printed.
    pub headline: String,
    /// The id of the story it is, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub story: Option<i64>,
}

impl Sidecar {
    /// The sidecar as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a sidecar is plain data")
    }

    /// Reads a sidecar, refusing one that does not parse.
    pub fn parse(json: &str) -> Result<Self, EpaperError> {
        serde_json::from_str(json).map_err(|e| EpaperError::BadRegions(e.to_string()))
    }

    /// Checks it against the edition's page sizes (points, as shown): every
    /// page exists and is listed once, every region has a headline and lies
    /// on its page. Returns each page's regions, index = page number − 1.
    pub fn per_page(&self, sizes: &[(f32, f32)]) -> Result<Vec<Vec<Region>>, EpaperError> {
        let bad = |m: String| Err(EpaperError::BadRegions(m));
        let mut out = vec![Vec::new(); sizes.len()];
        let mut seen = vec![false; sizes.len()];
        for page in &self.pages {
            let n = page.page as usize;
            if n == 0 || n > sizes.len() {
                return bad(format!("page {} does not exist: the edition has {} pages", page.page, sizes.len()));
            }
            if std::mem::replace(&mut seen[n - 1], true) {
                return bad(format!("page {n} is listed twice"));
            }
            if page.regions.len() > MAX_REGIONS_PER_PAGE {
                return bad(format!("page {n} has {} regions; the most is {MAX_REGIONS_PER_PAGE}", page.regions.len()));
            }
            let (w, h) = (f64::from(sizes[n - 1].0), f64::from(sizes[n - 1].1));
            for (i, r) in page.regions.iter().enumerate() {
                let which = format!("page {n}, region {}", i + 1);
                if r.headline.trim().is_empty() {
                    return bad(format!("{which} has no headline"));
                }
                let finite = [r.x, r.y, r.width, r.height].iter().all(|v| v.is_finite());
                // Half a point of slack for rounding in whatever wrote the sidecar.
                if !finite
                    || r.x < 0.0
                    || r.y < 0.0
                    || r.width <= 0.0
                    || r.height <= 0.0
                    || r.x + r.width > w + 0.5
                    || r.y + r.height > h + 0.5
                {
                    return bad(format!(
                        "{which} ({} {} {}×{}) does not lie on the page, which measures {w}×{h} pt",
                        r.x, r.y, r.width, r.height
                    ));
                }
            }
            out[n - 1].clone_from(&page.regions);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A4: (f32, f32) = (595.0, 842.0);

    #[test]
    fn a_sidecar_gives_each_page_its_regions() {
        let sidecar = Sidecar::parse(
            r#"{"pages":[{"page":2,"regions":[{"x":10,"y":20,"width":100,"height":50,"headline":"Rain","story":7}]}]}"#,
        )
        .unwrap();
        let pages = sidecar.per_page(&[A4, A4]).unwrap();
        assert!(pages[0].is_empty());
        assert_eq!(pages[1][0].headline, "Rain");
        assert_eq!(pages[1][0].story, Some(7));
        assert_eq!(Sidecar::parse(&sidecar.to_json()).unwrap(), sidecar);
    }

    #[test]
    fn bad_sidecars_are_refused_with_the_reason() {
        let cases = [
            (r#"{"pages":[{"page":3,"regions":[]}]}"#, "page 3 does not exist"),
            (r#"{"pages":[{"page":1,"regions":[]},{"page":1,"regions":[]}]}"#, "listed twice"),
            (
                r#"{"pages":[{"page":1,"regions":[{"x":500,"y":0,"width":200,"height":10,"headline":"W"}]}]}"#,
                "does not lie on the page",
            ),
            (
                r#"{"pages":[{"page":1,"regions":[{"x":0,"y":0,"width":20,"height":10,"headline":" "}]}]}"#,
                "no headline",
            ),
            (r#"{"pages":[{"page":1,"regions":[{"x":0,"y":0,"w":20,"height":10,"headline":"H"}]}]}"#, "unknown field"),
        ];
        for (json, reason) in cases {
            let error = Sidecar::parse(json).and_then(|s| s.per_page(&[A4, A4]).map(|_| ())).unwrap_err();
            assert!(error.to_string().contains(reason), "{json}: {error}");
        }
    }
}
