//! How long the story page takes to render: the seed story (AP's Kremlin
//! copy, with its syndication disclaimer) and five more World stories under
//! it, as a metered drive-by visitor and as a subscriber see it. The view
//! model and template only — no database, no HTTP.
//!
//! `cargo bench -p masthead-web --bench story_page -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use masthead_demo::{DemoArchive, seed_story};
use masthead_domain::access::{Access, AllowReason};
use masthead_domain::section::demo_sections;
use masthead_domain::{Article, ArticleSummary, NewArticle, PublisherZone};
use masthead_web::render_story_page;

const PUBLISHER: &str = "Masthead Daily";
const PUBLIC_URL: &str = "https://news.example";

/// `story` as stored under `id`.
fn stored(id: i64, story: NewArticle) -> Article {
    Article {
        summary: ArticleSummary {
            id,
            slug: story.slug(),
            section: story.section,
            headline: story.headline,
            standfirst: story.standfirst,
            credit: story.credit,
            premium: story.premium,
            first_published_at: story.first_published_at,
            updated_at: story.updated_at,
            lang: story.lang,
        },
        body: story.body,
        dateline: story.dateline,
        status: story.status,
    }
}

fn story_page(c: &mut Criterion) {
    let zone = PublisherZone::default();
    let sections = demo_sections();
    let seed = stored(1, seed_story(zone));
    let today = NaiveDate::from_ymd_opt(2017, 4, 13).expect("a date");
    let more: Vec<ArticleSummary> = DemoArchive::new(2_000, today, zone)
        .stories()
        .filter(|story| story.section == seed.summary.section)
        .take(5)
        .zip(2..)
        .map(|(story, id)| stored(id, story).summary)
        .collect();
    assert_eq!(more.len(), 5, "the demo archive has World stories");
    let cases = [
        ("metered visitor", Access::Metered { used: 3, limit: 10 }, Some("7 free stories left this month")),
        ("subscriber", Access::Allowed { reason: AllowReason::Subscriber }, None),
    ];
    let mut group = c.benchmark_group("story page");
    for (name, access, meter_note) in cases {
        // Measure the page a reader gets: the whole story, its credit and disclaimer, the list under it.
        let page = render_story_page(PUBLISHER, PUBLIC_URL, &zone, &sections, &seed, access, &more)
            .expect("the seed story renders");
        for part in [
            "<h1>Kremlin: No positive shift yet on Russia-US ties</h1>",
            r#"<p class="byline">AP Moscow</p>"#,
            "problems created by the previous administration.",
            "Disclaimer: No Masthead Daily Journalist was involved in creation of this content",
            more[4].headline.as_str(),
        ] {
            assert!(page.contains(part), "{name}: {part}");
        }
        assert_eq!(meter_note.is_some_and(|note| page.contains(note)), meter_note.is_some(), "{name}");
        group.throughput(Throughput::Bytes(page.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                render_story_page(
                    black_box(PUBLISHER),
                    PUBLIC_URL,
                    &zone,
                    &sections,
                    black_box(&seed),
                    black_box(access),
                    &more,
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, story_page);
criterion_main!(benches);
