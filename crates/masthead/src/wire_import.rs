//! `masthead wire import`: agency files into stories, one report line per item.
//!
//! A file is parsed whole before anything is written, so a malformed file is
//! rejected with its reason and leaves nothing behind; the other files of the
//! batch still go in. Each item is stored in a transaction of its own.
//!
//! What happens to an agency's new stories follows its rule (set by admins
//! at `/newsroom/agencies`): published straight to the rule's section, or
//! queued as drafts for an editor — the default for agencies without a rule.
//! `--publish` publishes whatever the rule says; `--section` overrides the
//! rule's section.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::Utc;
use masthead_domain::{ArticleStatus, Credit, NewArticle};
use masthead_store::{AgencyRule, Store, WireKey, WireOutcome};
use masthead_wire::{WireItem, WireStatus};

/// The section stories go to when neither `--section` nor a rule names one.
pub const DEFAULT_SECTION: &str = "world";

/// How items become stories.
#[derive(Debug, Clone)]
pub struct Options {
    /// New stories go straight to the site, whatever the agency's rule says.
    pub publish: bool,
    /// The section new stories go to, whatever the agency's rule says.
    pub section: Option<String>,
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
    let importer = Importer::new(store, options.clone()).await?;
    let mut files = Vec::new();
    for path in paths {
        collect_files(path, &mut files).with_context(|| format!("cannot read {}", path.display()))?;
    }
    let mut report = Report::default();
    for file in &files {
        if importer.file(file).await?.is_err() {
            report.rejected += 1;
        }
    }
    Ok(report)
}

/// Imports agency copy with the options and rules it was made with.
pub struct Importer<'a> {
    store: &'a Store,
    options: Options,
    rules: HashMap<String, AgencyRule>,
}

impl<'a> Importer<'a> {
    /// Reads the agency rules and checks the `--section` override.
    pub async fn new(store: &'a Store, options: Options) -> Result<Self> {
        let sections = store.sections().await?;
        let known = |slug: &str| sections.iter().any(|s| s.slug == slug);
        let section = options.section.as_deref().unwrap_or(DEFAULT_SECTION);
        anyhow::ensure!(
            known(section),
            "unknown section {section:?}: use one of {}",
            sections.iter().map(|s| s.slug.as_str()).collect::<Vec<_>>().join(", ")
        );
        let rules = store.agency_rules().await?.into_iter().map(|r| (r.agency.clone(), r)).collect();
        Ok(Self { store, options, rules })
    }

    /// The agency rules as read at the start (for polling their feeds).
    pub fn rules(&self) -> impl Iterator<Item = &AgencyRule> {
        self.rules.values()
    }

    /// Imports one file: `Ok(Err(reason))` when it was rejected (and
    /// reported), `Err` when the database failed.
    pub async fn file(&self, file: &Path) -> Result<Result<(), String>> {
        match std::fs::read(file) {
            Ok(bytes) => self.bytes(&file.display().to_string(), &bytes, None).await,
            Err(error) => {
                let reason = error.to_string();
                println!("rejected {}: {reason}", file.display());
                Ok(Err(reason))
            }
        }
    }

    /// Imports one file's bytes, `shown` as its name in the report;
    /// `agency` credits items that name none (a polled feed's agency).
    pub async fn bytes(&self, shown: &str, bytes: &[u8], agency: Option<&str>) -> Result<Result<(), String>> {
        let parsed = match masthead_wire::parse(bytes) {
            Ok(parsed) => parsed,
            Err(reason) => {
                println!("rejected {shown}: {reason}");
                return Ok(Err(reason.to_string()));
            }
        };
        for note in &parsed.skipped {
            println!("skipped {shown}: {note}");
        }
        for item in &parsed.items {
            let Some(agency) = item.agency.as_deref().or(agency).or(self.options.agency.as_deref()) else {
                println!("skipped {shown}: item {} names no agency (pass --agency NAME)", item.agency_id);
                continue;
            };
            self.item(shown, item, agency).await?;
        }
        Ok(Ok(()))
    }

    async fn item(&self, shown: &str, item: &WireItem, agency: &str) -> Result<()> {
        let rule = self.rules.get(agency);
        let publish = self.options.publish || rule.is_some_and(|r| r.publish);
        let section = self.options.section.as_deref().or(rule.map(|r| r.section.as_str())).unwrap_or(DEFAULT_SECTION);
        let story = story_from(item, agency, section, publish);
        let key = WireKey {
            agency,
            id: &item.agency_id,
            version: item.version.and_then(|v| i64::try_from(v).ok()),
            version_at: item.version_at,
        };
        let outcome = self.store.upsert_wire(key, &story, item.status.is_publishable()).await?;
        let url = |id| async move {
            self.store
                .story_path(id)
                .await
                .map(|path| format!("{}{}", self.options.public_url, path.unwrap_or_default()))
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
        Ok(())
    }
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
fn story_from(item: &WireItem, agency: &str, section: &str, publish: bool) -> NewArticle {
    let now = Utc::now();
    let first_published_at = item.first_published_at.or(item.version_at).unwrap_or(now);
    NewArticle {
        section: section.to_owned(),
        headline: item.headline.clone(),
        standfirst: item.standfirst.clone().unwrap_or_default(),
        body: item.body.clone(),
        credit: Credit::Wire(agency.to_owned()),
        dateline: item.dateline.clone(),
        premium: false,
        status: if publish { ArticleStatus::Published } else { ArticleStatus::Draft },
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
