//! `masthead wire import`: agency files into stories, one report line per item.
//!
//! A file is parsed whole before anything is written, so a malformed file is
//! rejected with its reason and leaves nothing behind; the other files of the
//! batch still go in. Each item is stored in a transaction of its own.
//!
//! What happens to an agency's new stories follows its rule (set by admins
//! at `/newsroom/agencies`): published straight to the rule's section, or
//! queued as drafts for an editor — the default for agencies without a rule.
//! The rule's routing lines send copy to sections and tags by its subject
//! codes, and its urgency threshold flags breaking news. `--publish`
//! publishes whatever the rule says; `--section` overrides every section.
//! An embargo holds a story back whatever the rule or `--publish` say: it is
//! scheduled for the instant the embargo lifts.
//!
//! Report lines: `created`, `scheduled`, `updated`, `unchanged` for items
//! stored; `skipped` and `rejected` for items and files left out; `grouped`
//! for a package whose stories are now related; `note` for what was assumed
//! (with `--verbose`, also every unknown field left out).

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use masthead_domain::{ArticleStatus, Credit, Lang, NewArticle};
use masthead_media::{ImageMeta, MediaError};
use masthead_store::{AgencyRouting, AgencyRule, Store, WireKey, WireOutcome, WireStory};
use masthead_wire::{IdSource, NoteLevel, Package, Picture, PictureSource, Routes, WireItem, WireStatus};

/// The section stories go to when neither `--section` nor a rule names one.
pub const DEFAULT_SECTION: &str = "world";
/// How long fetching one picture may take.
const PICTURE_TIMEOUT: Duration = Duration::from_secs(30);

/// How items become stories.
#[derive(Debug, Clone)]
pub struct Options {
    /// New stories go straight to the site, whatever the agency's rule says.
    pub publish: bool,
    /// The section new stories go to, whatever the agency's rule says.
    pub section: Option<String>,
    /// The agency, for files that do not name one.
    pub agency: Option<String>,
    /// Prefix of the story URLs printed; without it, paths are printed.
    pub public_url: Option<String>,
    /// Also print every detail the parser left out (unknown fields).
    pub verbose: bool,
}

/// What an import did, in counts.
#[derive(Debug, Default)]
pub struct Report {
    /// Files that could not be read or parsed.
    pub rejected: usize,
}

/// Imports every file under `paths`, printing a line per item to stdout;
/// then the packages, whose stories may have come in the same batch.
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
    importer.packages().await?;
    Ok(report)
}

/// Where a file came from, for the pictures it references by relative path.
enum Origin<'a> {
    /// A file on disk: relative pictures are beside it.
    File(&'a Path),
    /// A feed: relative pictures are resolved against its URL.
    Feed(&'a str),
}

/// An agency rule with its routing read.
struct Rule {
    rule: AgencyRule,
    routes: Routes,
    breaking_urgency: u8,
}

/// Imports agency copy with the options and rules it was made with.
pub struct Importer<'a> {
    store: &'a Store,
    options: Options,
    rules: HashMap<String, Rule>,
    sections: Vec<String>,
    client: reqwest::Client,
    /// Packages read so far, with the file they came in; stored once the
    /// batch's items are in ([`Importer::packages`]).
    pending: Mutex<Vec<(String, Package)>>,
}

impl<'a> Importer<'a> {
    /// Reads the agency rules and checks the `--section` override.
    pub async fn new(store: &'a Store, options: Options) -> Result<Self> {
        let sections: Vec<String> = store.sections().await?.into_iter().map(|s| s.slug).collect();
        let section = options.section.as_deref().unwrap_or(DEFAULT_SECTION);
        anyhow::ensure!(
            sections.iter().any(|s| s == section),
            "unknown section {section:?}: use one of {}",
            sections.join(", ")
        );
        let mut routing = store.agency_routing().await?;
        let mut rules = HashMap::new();
        for rule in store.agency_rules().await? {
            let AgencyRouting { routes, breaking_urgency } = routing.remove(&rule.agency).unwrap_or_default();
            let routes = Routes::parse(&routes).unwrap_or_else(|error| {
                eprintln!("warning: the routing of {} is ignored: {error} (fix it at /newsroom/agencies)", rule.agency);
                Routes::default()
            });
            rules.insert(rule.agency.clone(), Rule { rule, routes, breaking_urgency });
        }
        let client = masthead_billing::outbound::client_builder("wire pictures")
            .timeout(PICTURE_TIMEOUT)
            .build()
            .context("cannot start the HTTP client")?;
        Ok(Self { store, options, rules, sections, client, pending: Mutex::new(Vec::new()) })
    }

    /// The agency rules as read at the start (for polling their feeds).
    pub fn rules(&self) -> impl Iterator<Item = &AgencyRule> {
        self.rules.values().map(|r| &r.rule)
    }

    /// Imports one file: `Ok(Err(reason))` when it was rejected (and
    /// reported), `Err` when the database failed.
    pub async fn file(&self, file: &Path) -> Result<Result<(), String>> {
        match std::fs::read(file) {
            Ok(bytes) => self.bytes(&file.display().to_string(), &bytes, None, Origin::File(file)).await,
            Err(error) => {
                let reason = error.to_string();
                println!("rejected {}: {reason}", file.display());
                Ok(Err(reason))
            }
        }
    }

    /// Imports a feed's bytes fetched from `url`, crediting items that name
    /// no agency to `agency`.
    pub async fn feed(&self, url: &str, bytes: &[u8], agency: &str) -> Result<Result<(), String>> {
        self.bytes(url, bytes, Some(agency), Origin::Feed(url)).await
    }

    /// Imports one file's bytes, `shown` as its name in the report;
    /// `agency` credits items that name none (a polled feed's agency).
    async fn bytes(
        &self,
        shown: &str,
        bytes: &[u8],
        agency: Option<&str>,
        origin: Origin<'_>,
    ) -> Result<Result<(), String>> {
        let parsed = match masthead_wire::parse(bytes) {
            Ok(parsed) => parsed,
            Err(reason) => {
                println!("rejected {shown}: {reason}");
                return Ok(Err(reason.to_string()));
            }
        };
        for note in &parsed.notes {
            match note.level {
                NoteLevel::Skipped => println!("skipped {shown}: {}", note.text),
                NoteLevel::Note => println!("note {shown}: {}", note.text),
                NoteLevel::Detail if self.options.verbose => println!("note {shown}: {}", note.text),
                NoteLevel::Detail => {}
            }
        }
        let single = parsed.items.len() == 1;
        for item in &parsed.items {
            let Some(agency) = item.agency.as_deref().or(agency).or(self.options.agency.as_deref()) else {
                println!("skipped {shown}: item {} names no agency (pass --agency NAME)", item.agency_id);
                continue;
            };
            let id = self.identity(shown, item, single, &origin);
            self.item(shown, item, agency, &id, &origin).await?;
        }
        let mut pending = self.pending.lock().expect("the package list is never poisoned");
        pending.extend(parsed.packages.into_iter().map(|p| (shown.to_owned(), p)));
        Ok(Ok(()))
    }

    /// The id an item is stored under, with a note when it is not the
    /// agency's own: a hash of headline and date, or — for a lone undated
    /// item in a file — the file's name.
    fn identity(&self, shown: &str, item: &WireItem, single: bool, origin: &Origin<'_>) -> String {
        let file_name = match origin {
            Origin::File(path) if single => path.file_name().and_then(|n| n.to_str()),
            _ => None,
        };
        let (id, how) = match (item.id_source, file_name) {
            (IdSource::Agency(_), _) => return item.agency_id.clone(),
            (IdSource::Headline, Some(name)) => (format!("file:{name}"), format!("its file name ({name})")),
            (source, _) => (item.agency_id.clone(), source.describe()),
        };
        println!("note {shown}: \"{}\" has no id; known by {how}", item.headline);
        id
    }

    async fn item(&self, shown: &str, item: &WireItem, agency: &str, id: &str, origin: &Origin<'_>) -> Result<()> {
        let rule = self.rules.get(agency);
        let routing = rule.map(|r| r.routes.route(&item.subjects)).unwrap_or_default();
        let routed = routing.section.as_deref().filter(|s| {
            let known = self.sections.iter().any(|k| k == s);
            if !known {
                println!("note {shown}: {agency}'s routing names the section {s}, which does not exist");
            }
            known
        });
        let publish = self.options.publish || rule.is_some_and(|r| r.rule.publish);
        let section = self
            .options
            .section
            .as_deref()
            .or(routed)
            .or(rule.map(|r| r.rule.section.as_str()))
            .unwrap_or(DEFAULT_SECTION);
        let story = story_from(item, agency, section, publish);
        let threshold = rule.map_or(masthead_store::DEFAULT_BREAKING_URGENCY, |r| r.breaking_urgency);
        let now = Utc::now();
        let breaking = item.urgency.is_some_and(|u| u <= threshold);
        let breaking_at = breaking.then(|| item.version_at.or(item.first_published_at).unwrap_or(now).min(now));
        // A first version's editor's note is not about a change.
        let revised = item.revision.as_ref().filter(|r| r.correction || item.version.is_some_and(|v| v > 1));
        let update_note = revised.map(masthead_wire::Revision::display);
        let key = WireKey {
            agency,
            id,
            version: item.version.and_then(|v| i64::try_from(v).ok()),
            version_at: item.version_at,
        };
        let wire = WireStory {
            article: &story,
            publishable: item.status.is_publishable(),
            embargoed_until: item.embargoed,
            tags: &routing.tags,
            byline: item.byline.as_deref(),
            breaking_at,
            update_note: update_note.as_deref(),
        };
        let outcome = self.store.upsert_wire(key, wire).await?;
        let pictures = match outcome {
            WireOutcome::Created(id) | WireOutcome::Scheduled(id, _) | WireOutcome::Updated(id) => {
                self.pictures(shown, id, &item.pictures, origin).await?
            }
            _ => 0,
        };
        let mut extras = Vec::new();
        if routed.is_some() && self.options.section.is_none() {
            extras.push(format!("routed by {agency}'s rule"));
        }
        if !routing.tags.is_empty() {
            extras.push(format!("tags: {}", routing.tags.join(", ")));
        }
        if breaking {
            extras.push("breaking".to_owned());
        }
        if let (WireOutcome::Created(_), Some(until)) = (outcome, item.embargoed.filter(|at| *at > now)) {
            // Queued for an editor: the embargo is theirs to keep.
            extras.push(format!("embargoed until {}", until.format("%Y-%m-%d %H:%M UTC")));
        }
        if pictures > 0 {
            extras.push(if pictures == 1 { "1 picture".to_owned() } else { format!("{pictures} pictures") });
        }
        let extras = if extras.is_empty() { String::new() } else { format!(" ({})", extras.join("; ")) };
        match outcome {
            WireOutcome::Created(id) => println!("created {}{extras}", self.url(id).await?),
            WireOutcome::Scheduled(id, at) => println!(
                "scheduled {}{extras}: embargoed until {}; it goes out then",
                self.url(id).await?,
                at.format("%Y-%m-%d %H:%M UTC")
            ),
            WireOutcome::Updated(id) => match &update_note {
                Some(note) => println!("updated {}{extras}: {note}", self.url(id).await?),
                None => println!("updated {}{extras}", self.url(id).await?),
            },
            WireOutcome::Unchanged(id) => println!("unchanged {}", self.url(id).await?),
            WireOutcome::Unpublished(id) => {
                println!("updated {}: {} by the agency, unpublished", self.url(id).await?, status_word(item.status))
            }
            WireOutcome::NotStored => {
                println!("skipped {shown}: item {id} is {} and was never published", status_word(item.status))
            }
        }
        Ok(())
    }

    /// A story's printed address: the public URL and its path, or the path.
    async fn url(&self, id: i64) -> Result<String> {
        let path = self.store.story_path(id).await?.unwrap_or_default();
        Ok(match &self.options.public_url {
            Some(base) => format!("{}{path}", base.trim_end_matches('/')),
            None => path,
        })
    }

    /// Fetches or takes each picture, stores it through the image pipeline
    /// and makes them the story's images (the first its lead). A picture
    /// that cannot be had is a note; the story stands without it. A picture
    /// already fetched from the same address is not fetched again.
    async fn pictures(&self, shown: &str, article_id: i64, pictures: &[Picture], origin: &Origin<'_>) -> Result<usize> {
        let mut ids = Vec::new();
        for picture in pictures {
            let source = match &picture.source {
                PictureSource::Inline(bytes) => format!("inline:{}", masthead_store::blob_name(bytes)),
                PictureSource::Link(href) => match resolve(href, origin) {
                    Ok(source) => source,
                    Err(reason) => {
                        println!("note {shown}: picture {href}: {reason}");
                        continue;
                    }
                },
            };
            if let Some(known) = self.store.image_from_source(&source).await? {
                ids.push(known.id);
                continue;
            }
            let bytes = match &picture.source {
                PictureSource::Inline(bytes) => Ok(bytes.clone()),
                PictureSource::Link(_) => self.fetch_picture(&source).await,
            };
            let meta = ImageMeta {
                caption: picture.caption.clone(),
                credit: picture.credit.clone(),
                alt: picture.alt.clone(),
                source: Some(source.clone()),
            };
            let stored = match bytes {
                Ok(bytes) => masthead_media::ingest(self.store, &bytes, &meta).await,
                Err(reason) => {
                    println!("note {shown}: picture {source}: {reason}");
                    continue;
                }
            };
            match stored {
                Ok(image) => ids.push(image.id),
                Err(MediaError::Store(error)) => return Err(error.into()),
                Err(refused) => println!("note {shown}: picture {source}: {refused}"),
            }
        }
        if !ids.is_empty() {
            self.store.set_article_images(article_id, &ids).await?;
        }
        Ok(ids.len())
    }

    /// The bytes at a picture's address: over http(s) within the size limit
    /// and time, or from a file beside the one imported.
    async fn fetch_picture(&self, source: &str) -> Result<Vec<u8>, String> {
        let too_large = || format!("it is larger than {} MiB", masthead_media::MAX_BYTES / 1024 / 1024);
        if !source.starts_with("http://") && !source.starts_with("https://") {
            let length = std::fs::metadata(source).map_err(|e| format!("cannot read it: {e}"))?.len();
            if length > masthead_media::MAX_BYTES as u64 {
                return Err(too_large());
            }
            return std::fs::read(source).map_err(|e| format!("cannot read it: {e}"));
        }
        let mut response =
            self.client.get(source).send().await.map_err(|e| format!("cannot fetch it: {}", e.without_url()))?;
        if !response.status().is_success() {
            return Err(format!("the agency answered HTTP {}", response.status()));
        }
        if response.content_length().is_some_and(|len| len > masthead_media::MAX_BYTES as u64) {
            return Err(too_large());
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| format!("cannot read it: {}", e.without_url()))? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() > masthead_media::MAX_BYTES {
                return Err(too_large());
            }
        }
        Ok(bytes)
    }

    /// Stores the packages read in this batch and says what each is: a
    /// package only references items; its grouping is kept (the stories are
    /// shown as related), whenever they come in.
    pub async fn packages(&self) -> Result<()> {
        let pending = std::mem::take(&mut *self.pending.lock().expect("the package list is never poisoned"));
        for (shown, package) in pending {
            let count = package.refs.len();
            let what = if count == 1 {
                "a package of 1 reference".to_owned()
            } else {
                format!("a package of {count} references")
            };
            if package.id.is_empty() || count == 0 {
                println!("skipped {shown}: {what}; nothing to group");
                continue;
            }
            match self.store.put_wire_package(&package.id, &package.refs).await? {
                0 => println!(
                    "skipped {shown}: {what}; import the items themselves (they will be shown as related stories)"
                ),
                stored => println!(
                    "grouped {shown}: {what}; {stored} already in, shown as related stories as the others come"
                ),
            }
        }
        Ok(())
    }
}

/// Where a linked picture is: an http(s) URL as it is; a relative
/// reference beside the imported file (never above its folder) or against
/// the feed's URL.
fn resolve(href: &str, origin: &Origin<'_>) -> Result<String, String> {
    let href = href.trim();
    if let Ok(url) = reqwest::Url::parse(href) {
        return match url.scheme() {
            "http" | "https" => Ok(url.to_string()),
            other => Err(format!("a {other}: address is not fetched (http and https only)")),
        };
    }
    match origin {
        Origin::Feed(feed) => reqwest::Url::parse(feed)
            .and_then(|base| base.join(href))
            .map(|url| url.to_string())
            .map_err(|e| format!("not an address: {e}")),
        Origin::File(file) => {
            let relative = Path::new(href);
            if relative.components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir)) {
                return Err("a path outside the file's folder is not read".into());
            }
            let beside = file.parent().unwrap_or(Path::new(".")).join(relative);
            Ok(beside.display().to_string())
        }
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
/// disclaimer that wire credit carries; in the language the item says, else
/// the one its script says.
fn story_from(item: &WireItem, agency: &str, section: &str, publish: bool) -> NewArticle {
    let now: DateTime<Utc> = Utc::now();
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
        lang: item.language.clone().unwrap_or_else(|| {
            Lang::detect(&item.headline, item.standfirst.as_deref().unwrap_or_default(), item.body.as_str())
        }),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_resolve_beside_the_file_or_against_the_feed() {
        let file = Origin::File(Path::new("/inbox/ap/story.xml"));
        assert_eq!(resolve("photo.jpg", &file).unwrap(), "/inbox/ap/photo.jpg");
        assert_eq!(resolve("https://cdn.example/p.jpg", &file).unwrap(), "https://cdn.example/p.jpg");
        assert!(resolve("../../etc/passwd", &file).unwrap_err().contains("outside"));
        assert!(resolve("/etc/passwd", &file).unwrap_err().contains("outside"));
        assert!(resolve("file:///etc/passwd", &file).unwrap_err().contains("http and https only"));
        let feed = Origin::Feed("https://wire.example/feeds/top.xml");
        assert_eq!(resolve("../pics/p.jpg", &feed).unwrap(), "https://wire.example/pics/p.jpg");
    }
}
