//! Typesets a demo edition of N pages (three stories a page, filler text)
//! and writes the PDF and its regions sidecar: what `bench/epaper` imports.
//!
//! `cargo run --release -p masthead-epaper --example edition -- 24 edition.pdf regions.json`

use masthead_epaper::typeset::{PagePlan, Story, typeset};

fn main() {
    let mut args = std::env::args().skip(1);
    let pages: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(24);
    let pdf_path = args.next().unwrap_or_else(|| "edition.pdf".to_owned());
    let regions_path = args.next().unwrap_or_else(|| "regions.json".to_owned());
    let paragraph = "The state government on Thursday announced a review of the water supply schemes in \
        the district, after residents of several wards complained of irregular supply through the summer. \
        Officials said the review would be completed within a month and its findings made public.";
    let plans: Vec<PagePlan> = (1..=pages)
        .map(|n| PagePlan {
            section: if n == 1 { "Front page".to_owned() } else { format!("Section {n}") },
            stories: (1..=3)
                .map(|s| Story {
                    id: None,
                    headline: format!("Page {n}, story {s}: a headline set across the columns"),
                    standfirst: "By a staff reporter".to_owned(),
                    paragraphs: vec![paragraph.to_owned(); 12],
                })
                .collect(),
        })
        .collect();
    let (pdf, sidecar) = typeset("Masthead Daily", "Monday, 7 December 2026", &plans).expect("typesetting works");
    std::fs::write(&pdf_path, pdf).expect("the PDF is written");
    std::fs::write(&regions_path, sidecar.to_json()).expect("the sidecar is written");
    eprintln!("wrote {pages} pages to {pdf_path} and their regions to {regions_path}");
}
