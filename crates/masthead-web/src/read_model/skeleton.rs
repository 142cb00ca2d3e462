//! A page rendered once for every reader, with holes where each reader's
//! own parts go (a meter note, a paywall, an ad): kept per content version
//! (see [`super::content`]), it makes a page view a copy instead of a render.
//! A template leaves hole `n` as [`hole`]`(n)`, in order.

use std::sync::LazyLock;

use askama::Template;
use axum::body::Bytes;
use axum::response::{Html, IntoResponse, Response};

use crate::secret::random_hex;

/// A rendered page with holes.
#[derive(Debug)]
pub(crate) struct Skeleton {
    /// The text around the holes: one more part than holes.
    parts: Vec<Bytes>,
}

/// The text standing for hole `n` while a skeleton is rendered: an HTML
/// comment with a random part, drawn once per process, so no story text can
/// contain it.
pub(crate) fn hole(n: usize) -> &'static str {
    static HOLES: LazyLock<[String; 4]> = LazyLock::new(|| {
        let nonce = random_hex(16);
        std::array::from_fn(|n| format!("<!--hole {nonce} {n}-->"))
    });
    &HOLES[n]
}

impl Skeleton {
    /// Renders `template`, which has `holes` holes. The parts share the
    /// rendered page's one buffer.
    pub fn render(template: &impl Template, holes: usize) -> Result<Self, askama::Error> {
        let html = template.render()?;
        // Where each part starts and ends: hole n sits between part n and part n + 1.
        let mut spans = Vec::with_capacity(holes + 1);
        let mut start = 0;
        for n in 0..holes {
            let at = start
                + html[start..]
                    .find(hole(n))
                    .ok_or_else(|| askama::Error::custom(format!("the template has no hole {n}")))?;
            spans.push(start..at);
            start = at + hole(n).len();
        }
        spans.push(start..html.len());
        let html = Bytes::from(html);
        Ok(Self { parts: spans.into_iter().map(|span| html.slice(span)).collect() })
    }

    /// The page with `fills` in its holes, in order.
    pub fn fill(&self, fills: &[&str]) -> Response {
        Html(self.bytes(fills)).into_response()
    }

    /// The page's bytes with `fills` in its holes, in order.
    pub fn bytes(&self, fills: &[&str]) -> Bytes {
        debug_assert_eq!(fills.len() + 1, self.parts.len(), "one fill per hole");
        if let [whole] = self.parts.as_slice() {
            return whole.clone();
        }
        let length = self.parts.iter().map(Bytes::len).chain(fills.iter().map(|fill| fill.len())).sum();
        let mut page = Vec::with_capacity(length);
        for (part, fill) in self.parts.iter().zip(fills.iter().chain([&""])) {
            page.extend_from_slice(part);
            page.extend_from_slice(fill.as_bytes());
        }
        Bytes::from(page)
    }
}
