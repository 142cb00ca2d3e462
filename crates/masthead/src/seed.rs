//! Filling a database with the demo sections and archive, with progress.
//!
//! Stories are generated on a blocking thread and written in batches while
//! the next batch is being generated. Then the newest market stories get
//! their charts as lead pictures, through the image pipeline like any upload.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::Utc;
use masthead_demo::{DemoArchive, MarketChart};
use masthead_domain::{Page, PublisherZone, section};
use masthead_media::ImageMeta;
use masthead_store::Store;

/// Stories per write transaction.
const BATCH: usize = 2_000;
/// How often progress is printed.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);
/// The sections whose newest stories get charts, and how many: enough for
/// the home page's desks and a section's first page. One chart is drawn per
/// index (to the newest story's day) and serves every story on it, so the
/// debug-built demo draws a handful and starts in seconds.
const CHARTED: [(&str, u32); 2] = [("markets", 20), ("smart-investor", 5)];

/// Writes the demo sections and `total` demo stories, printing progress to stderr.
pub async fn demo_archive(store: &Store, total: u64) -> Result<()> {
    store.upsert_sections(&section::demo_sections()).await?;
    masthead_newsletter::install_demo_lists(store).await?;
    let zone = PublisherZone::default();
    let now = Utc::now();
    let today = zone.date(now);
    eprintln!("Seeding the demo archive: {total} stories from 1 January 1997 to {today}");

    let (sender, mut batches) = tokio::sync::mpsc::channel(4);
    let generator = tokio::task::spawn_blocking(move || {
        let archive = DemoArchive::new(total, today, zone);
        let mut batch = Vec::with_capacity(BATCH);
        for story in archive.stories_until(now) {
            batch.push(story);
            if batch.len() == BATCH && sender.blocking_send(std::mem::take(&mut batch)).is_err() {
                return;
            }
        }
        if !batch.is_empty() {
            let _ = sender.blocking_send(batch);
        }
    });

    let started = Instant::now();
    let mut last_report = started;
    let mut written = 0u64;
    while let Some(batch) = batches.recv().await {
        store.insert_articles(&batch).await.context("writing demo stories")?;
        written += batch.len() as u64;
        if last_report.elapsed() >= PROGRESS_EVERY {
            last_report = Instant::now();
            eprintln!(
                "  {written} of {total} stories ({}%), {} stories/s",
                written * 100 / total.max(1),
                rate(written, started.elapsed())
            );
        }
    }
    generator.await.context("the story generator failed")?;
    let elapsed = started.elapsed();
    eprintln!("Seeded {written} stories in {:.1} s ({} stories/s)", elapsed.as_secs_f64(), rate(written, elapsed));
    demo_charts(store, zone).await
}

/// Gives the newest market stories a chart of the index they name as
/// their lead picture (see [`CHARTED`]), newest first.
async fn demo_charts(store: &Store, zone: PublisherZone) -> Result<()> {
    let started = Instant::now();
    let mut drawn = HashMap::new();
    let mut pictured = 0;
    for (section, count) in CHARTED {
        let (stories, _) = store.latest(Some(section), Page::new(None, count)).await?;
        for story in stories {
            let date = zone.date(story.first_published_at);
            let chart = MarketChart::for_story(&story.headline, &story.standfirst, date);
            let image = match drawn.get(chart.index()) {
                Some(&image) => image,
                None => {
                    let picture = tokio::task::spawn_blocking(move || chart.draw()).await?;
                    let meta = ImageMeta {
                        caption: Some(picture.caption),
                        credit: Some(picture.credit.to_owned()),
                        alt: Some(picture.alt),
                        source: None,
                    };
                    let image =
                        masthead_media::ingest(store, &picture.jpeg, &meta).await.context("storing a demo chart")?;
                    drawn.insert(chart.index(), image.id);
                    image.id
                }
            };
            store.set_article_images(story.id, &[image]).await?;
            pictured += 1;
        }
    }
    eprintln!("Drew {} charts for {pictured} market stories in {:.1} s", drawn.len(), started.elapsed().as_secs_f64());
    Ok(())
}

fn rate(count: u64, elapsed: Duration) -> u64 {
    (count as f64 / elapsed.as_secs_f64().max(1e-9)) as u64
}
