//! `masthead epaper import`: a publisher's PDFs for a date become that
//! date's edition, through `masthead_epaper::import` (the path the demo's
//! editions take too), with a line of progress per page; `masthead epaper
//! sign`, a page image's signed address for checks; and the demo's editions.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use chrono::{NaiveDate, Utc};
use clap::Subcommand;
use masthead_epaper::{DEFAULT_EDITION, Import, PdfFile, Progress, Sidecar};

use crate::cli::Target;

#[derive(Debug, Subcommand)]
pub enum EpaperCommand {
    /// Import a day's printed edition: PDFs (one for the edition, or one per
    /// page, in page order) rendered to page images at 150 ppi with
    /// thumbnails, their text extracted, article regions read from a
    /// sidecar (format in README, "The e-paper"). Re-importing a date and
    /// edition replaces it whole; an encrypted or broken PDF refuses the
    /// import with the reason and changes nothing.
    Import {
        #[command(flatten)]
        target: Target,
        /// The edition's date, YYYY-MM-DD.
        #[arg(long, value_parser = parse_day)]
        date: NaiveDate,
        /// The edition's name (e.g. Mumbai, Delhi).
        #[arg(long, default_value = DEFAULT_EDITION)]
        edition: String,
        /// The regions sidecar (JSON): where each article is on each page.
        #[arg(long, value_name = "REGIONS.json")]
        regions: Option<PathBuf>,
        /// The PDF files, in page order.
        #[arg(required = true, value_name = "FILE.pdf")]
        files: Vec<PathBuf>,
    },
    /// Print a signed address of a page image (`/epaper/images/…`), as a
    /// server of this database hands out to an entitled reader now: for
    /// checks and benchmarks (bench/epaper).
    Sign {
        #[command(flatten)]
        target: Target,
        /// The image's SHA-256 (hex), as stored for a page.
        sha256: String,
    },
}

fn parse_day(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| format!("{text:?} is not a date like 2017-04-13"))
}

/// Runs a `masthead epaper` command.
pub async fn run(command: EpaperCommand) -> Result<()> {
    match command {
        EpaperCommand::Import { target, date, edition, regions, files } => {
            import_files(&target, date, edition, regions, &files).await
        }
        EpaperCommand::Sign { target, sha256 } => {
            let store = crate::commands::open_target(&target).await?;
            println!("{}", masthead_web::signed_image_path(&store, &sha256, Utc::now()).await?);
            store.close().await;
            Ok(())
        }
    }
}

/// `masthead epaper import`.
async fn import_files(
    target: &Target,
    date: NaiveDate,
    edition: String,
    regions: Option<PathBuf>,
    files: &[PathBuf],
) -> Result<()> {
    // Everything is read and checked before the database is opened.
    let regions = match regions {
        Some(path) => {
            let json = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            Some(Sidecar::parse(&json)?)
        }
        None => None,
    };
    let mut pdfs = Vec::with_capacity(files.len());
    for path in files {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        pdfs.push(PdfFile { name: path.display().to_string(), bytes });
    }
    let store = crate::commands::open_target(target).await?;
    let started = Instant::now();
    eprintln!("Importing the {edition} edition of {date} from {} file(s)", pdfs.len());
    let imported = masthead_epaper::import(
        &store,
        Import { day: date, edition: edition.clone(), files: pdfs, regions },
        Utc::now(),
        report,
    )
    .await?;
    println!(
        "imported the {edition} edition of {date}: {} pages, {} regions, {} KB of page images, in {:.1} s",
        imported.pages,
        imported.regions,
        imported.image_bytes / 1024,
        started.elapsed().as_secs_f64()
    );
    store.close().await;
    Ok(())
}

/// Progress, to stderr.
fn report(progress: Progress) {
    match progress {
        Progress::Checked { pages } => eprintln!("  checked: {pages} pages"),
        Progress::Rendered { page, of } => eprintln!("  page {page} of {of} rendered"),
    }
}

/// Pages in a demo edition: the front page and up to three section pages.
const DEMO_PAGES: usize = 4;
/// Stories on a demo page.
const DEMO_STORIES_PER_PAGE: usize = 3;
/// Days back from today the demo keeps editions for.
const DEMO_DAYS: i64 = 30;

/// The demo's editions: for each of the last [`DEMO_DAYS`] days and the
/// seed story's day that has stories and no edition yet, pages typeset from
/// that day's stories (regions known) and imported through the same path a
/// publisher's PDF takes. Prints what it made and what it cost.
pub async fn demo_editions(store: &masthead_store::Store, publisher: &str) -> Result<()> {
    let zone = masthead_domain::PublisherZone::default();
    let today = zone.date(Utc::now());
    let seed_day = NaiveDate::from_ymd_opt(2017, 4, 13).expect("a date");
    let mut days: Vec<NaiveDate> = (0..DEMO_DAYS).map(|back| today - chrono::Duration::days(back)).collect();
    days.push(seed_day);
    let sections = store.sections().await?;
    let started = Instant::now();
    let (mut editions, mut pages) = (0, 0);
    for day in days {
        if store.epaper_edition(day, Some(DEFAULT_EDITION)).await?.is_some() {
            continue;
        }
        let (from, to) = zone.day_bounds(day);
        let mut stories = store.published_between(from, to).await?;
        if stories.is_empty() {
            continue;
        }
        // The seed story leads its day; otherwise the day's last stories lead.
        stories.reverse();
        let ids: Vec<i64> = stories.iter().map(|s| s.id).collect();
        let bodies = store.published_articles(&ids).await?;
        let story = |summary: &masthead_domain::ArticleSummary| {
            let body = bodies.iter().find(|a| a.summary.id == summary.id).map(|a| a.body.as_str()).unwrap_or_default();
            masthead_epaper::typeset::Story {
                id: Some(summary.id),
                headline: summary.headline.clone(),
                standfirst: summary.standfirst.clone(),
                paragraphs: masthead_newsletter::digest::plain_text(body)
                    .split("\n\n")
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect(),
            }
        };
        let mut plans = vec![masthead_epaper::typeset::PagePlan {
            section: "Front page".to_owned(),
            stories: stories.iter().take(DEMO_STORIES_PER_PAGE).map(story).collect(),
        }];
        let front: Vec<i64> = plans[0].stories.iter().filter_map(|s| s.id).collect();
        for section in &sections {
            if plans.len() == DEMO_PAGES {
                break;
            }
            let inside: Vec<_> = stories
                .iter()
                .filter(|s| s.section == section.slug && !front.contains(&s.id))
                .take(DEMO_STORIES_PER_PAGE)
                .map(story)
                .collect();
            if !inside.is_empty() {
                plans.push(masthead_epaper::typeset::PagePlan { section: section.name.clone(), stories: inside });
            }
        }
        let date_line = day.format("%A, %-d %B %Y").to_string();
        let (pdf, sidecar) = masthead_epaper::typeset::typeset(publisher, &date_line, &plans)?;
        let import = Import {
            day,
            edition: DEFAULT_EDITION.to_owned(),
            files: vec![PdfFile { name: format!("demo-{day}.pdf"), bytes: pdf }],
            regions: Some(sidecar),
        };
        let imported = masthead_epaper::import(store, import, Utc::now(), |_| {}).await?;
        editions += 1;
        pages += imported.pages;
        eprintln!("  e-paper {day}: {} pages", imported.pages);
    }
    if editions > 0 {
        eprintln!("Made {editions} demo e-paper editions ({pages} pages) in {:.1} s", started.elapsed().as_secs_f64());
    }
    Ok(())
}
