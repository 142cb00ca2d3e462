//! `masthead wire import`: agency files into stories, one report line per item.
//!
//! A file is parsed whole before anything is written, so a malformed file is
//! rejected with its reason and leaves nothing behind; the other files of the
//! batch still go in. Each item is stored in a transaction of its own.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::Utc;
use masthead_domain::{ArticleStatus, Credit, NewArticle};
use masthead_store::{Store, WireKey, WireOutcome};
use masthead_wire::{WireItem, WireStatus};

/// How items become stories.
#[derive(Debug)]
pub struct Options {
    /// New stories go straight to the site instead of waiting as drafts.
    pub publish: bool,
    /// The section new stories go to.
    pub section: String,
    /// The agency, for files that do not name one.
    pub agency: Option<String>,
    /// Prefix of the story URLs printed.
    pub public_url: String,
}

/// What an import did, in counts.
#[derive(Debug, Default)]
pub struct Report {
    /// Files that could not be read or parsed.
    pub rejected: usize,
}

/// Imports every file under `paths`, printing a line per item to stdout.
pub async fn import(store: &Store, options: &Options, paths: &[PathBuf]) -> Result<Report> {
    let sections = store.sections().await?;
    anyhow::ensure!(
        sections.iter().any(|s| s.slug == options.section),
        "unknown section {:?}: use one of {}",
        options.section,
        sections.iter().map(|s| s.slug.as_str()).collect::<Vec<_>>().join(", ")
    );
    let mut files = Vec::new();
    for path in paths {
        collect_files(path, &mut files).with_context(|| format!("cannot read {}", path.display()))?;
    }
    let mut report = Report::default();
    for file in &files {
        let shown = file.display();
        let parsed = match std::fs::read(file)
            .map_err(anyhow::Error::from)
            .and_then(|bytes| Ok(masthead_wire::parse(&bytes)?))
        {
            Ok(parsed) => parsed,
            Err(reason) => {
                println!("rejected {shown}: {reason}");
                report.rejected += 1;
                continue;
            }
        };
        for note in &parsed.skipped {
            println!("skipped {shown}: {note}");
        }
        for item in &parsed.items {
            let Some(agency) = item.agency.as_deref().or(options.agency.as_deref()) else {
                println!("skipped {shown}: item {} names no agency (pass --agency NAME)", item.agency_id);
                continue;
            };
            let story = story_from(item, agency, options);
            let key = WireKey {
                agency,
                id: &item.agency_id,
                version: item.version.and_then(|v| i64::try_from(v).ok()),
                version_at: item.version_at,
            };
            let outcome = store.upsert_wire(key, &story, item.status.is_publishable()).await?;
            let url = |id| async move {
                store.story_path(id).await.map(|path| format!("{}{}", options.public_url, path.unwrap_or_default()))
            };
            match outcome {
                WireOutcome::Created(id) => println!("created {}", url(id).await?),
                WireOutcome::Updated(id) => println!("updated {}", url(id).await?),
                WireOutcome::Unchanged(id) => println!("unchanged {}", url(id).await?),
                WireOutcome::Unpublished(id) => {
                    println!("updated {}: {} by the agency, unpublished", url(id).await?, status_word(item.status))
                }
                WireOutcome::NotStored => println!(
                    "skipped {shown}: item {} is {} and was never published",
                    item.agency_id,
                    status_word(item.status)
                ),
            }
        }
    }
    Ok(report)
}

fn status_word(status: WireStatus) -> &'static str {
    match status {
        WireStatus::Usable => "usable",
        WireStatus::Withheld => "withheld",
        WireStatus::Canceled => "canceled",
    }
}

/// The story an item becomes: credited to its agency, with the syndication
/// disclaimer that wire credit carries.
fn story_from(item: &WireItem, agency: &str, options: &Options) -> NewArticle {
    let now = Utc::now();
    let first_published_at = item.first_published_at.or(item.version_at).unwrap_or(now);
    NewArticle {
        section: options.section.clone(),
        headline: item.headline.clone(),
        standfirst: item.standfirst.clone().unwrap_or_default(),
        body: item.body.clone(),
        credit: Credit::Wire(agency.to_owned()),
        dateline: item.dateline.clone(),
        premium: false,
        status: if options.publish { ArticleStatus::Published } else { ArticleStatus::Draft },
        first_published_at,
        updated_at: item.version_at.unwrap_or(first_published_at).max(first_published_at),
    }
}

/// Files under `path` (itself, or everything below a folder), in name order.
fn collect_files(path: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !path.is_dir() {
        files.push(path.to_owned());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    entries.sort();
    for entry in entries {
        collect_files(&entry, files)?;
    }
    Ok(())
}
