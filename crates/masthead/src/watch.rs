//! `masthead wire watch INBOX`: the import as a service. Every few seconds
//! it imports the files agencies drop into the inbox folder and moves each
//! to `INBOX/done/`, or to `INBOX/rejected/` beside a `NAME.reason.txt`
//! saying why; and now and then it fetches the feed URL of every agency
//! rule that has one, over http or https. It prints the same lines as
//! `wire import`, and `rejected URL: the feed of AGENCY: REASON` for a feed
//! that cannot be fetched (down to the cause: a refused connection, an
//! untrusted certificate), and goes on with the next.
//!
//! Files whose names start with `.` or end in `.part` or `.tmp` are left
//! alone: an agency uploads under such a name and renames when done, so a
//! half-written file is never read. The agency rules are read again every
//! round, so an admin's change applies without a restart. A feed whose bytes
//! have not changed since the last fetch is not imported again.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use masthead_store::Store;

use crate::wire_import::{Importer, Options};

/// How long one feed fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(30);
/// The most a feed may weigh.
const FEED_MAX_BYTES: usize = 20 * 1024 * 1024;

/// How the watcher runs.
#[derive(Debug, Clone)]
pub struct Watch {
    /// The inbox folder.
    pub inbox: PathBuf,
    /// How often the inbox is read.
    pub every: Duration,
    /// How often each agency's feed is fetched.
    pub feed_every: Duration,
    /// One round, then stop.
    pub once: bool,
}

/// Runs until Ctrl-C (or after one round with `once`).
pub async fn run(store: &Store, options: Options, watch: &Watch) -> Result<()> {
    for sub in ["done", "rejected"] {
        std::fs::create_dir_all(watch.inbox.join(sub))
            .with_context(|| format!("cannot create {}", watch.inbox.join(sub).display()))?;
    }
    let client = masthead_billing::outbound::client_builder("wire poller")
        .timeout(FETCH_TIMEOUT)
        .build()
        .context("cannot start the HTTP client")?;
    eprintln!("Watching {} every {}s (Ctrl-C to stop)", watch.inbox.display(), watch.every.as_secs_f32());
    let mut feeds = FeedMemory::default();
    let mut last_fetch: Option<Instant> = None;
    loop {
        let fetch_feeds = last_fetch.is_none_or(|at| at.elapsed() >= watch.feed_every);
        if fetch_feeds {
            last_fetch = Some(Instant::now());
        }
        let round = async {
            let importer = Importer::new(store, options.clone()).await?;
            inbox_round(&importer, &watch.inbox).await?;
            if fetch_feeds {
                feeds_round(&importer, &client, &mut feeds).await?;
            }
            importer.packages().await?;
            anyhow::Ok(())
        };
        match round.await {
            Err(error) if watch.once => return Err(error),
            // A file whose import failed half-way stays in the inbox; its
            // next import finds what went in unchanged and adds the rest.
            Err(error) => eprintln!("error: {error:#} (trying again next round)"),
            Ok(()) if watch.once => return Ok(()),
            Ok(()) => {}
        }
        tokio::select! {
            () = tokio::time::sleep(watch.every) => {}
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}

/// Whether a file in the inbox is ready to read.
fn is_ready(name: &str) -> bool {
    !name.starts_with('.') && !name.ends_with(".part") && !name.ends_with(".tmp")
}

/// Imports every ready file in the inbox, oldest name first, and files it away.
async fn inbox_round(importer: &Importer<'_>, inbox: &Path) -> Result<()> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(inbox)
        .with_context(|| format!("cannot read the inbox {}", inbox.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_file() && path.file_name().and_then(|n| n.to_str()).is_some_and(is_ready))
        .collect();
    files.sort();
    for file in files {
        let outcome = importer.file(&file).await?;
        let name = file.file_name().expect("a file in the inbox has a name").to_owned();
        let folder = inbox.join(if outcome.is_ok() { "done" } else { "rejected" });
        let target = free_name(&folder, &name);
        std::fs::rename(&file, &target)
            .with_context(|| format!("cannot move {} to {}", file.display(), target.display()))?;
        if let Err(reason) = outcome {
            let mut note = target.clone().into_os_string();
            note.push(".reason.txt");
            std::fs::write(&note, format!("{reason}\n"))
                .with_context(|| format!("cannot write {}", PathBuf::from(&note).display()))?;
        }
    }
    Ok(())
}

/// `folder/name`, or `folder/name.N` when a file of that name is already there.
fn free_name(folder: &Path, name: &std::ffi::OsStr) -> PathBuf {
    let plain = folder.join(name);
    if !plain.exists() {
        return plain;
    }
    (1..)
        .map(|n| {
            let mut numbered = name.to_owned();
            numbered.push(format!(".{n}"));
            folder.join(numbered)
        })
        .find(|candidate| !candidate.exists())
        .expect("some number is free")
}

/// What each feed held when last fetched, so an unchanged feed is skipped.
#[derive(Default)]
struct FeedMemory(HashMap<String, u64>);

impl FeedMemory {
    /// Whether `bytes` differ from what `url` gave last time (and remembers them).
    fn changed(&mut self, url: &str, bytes: &[u8]) -> bool {
        let mut hasher = DefaultHasher::new();
        bytes.hash(&mut hasher);
        self.0.insert(url.to_owned(), hasher.finish()) != Some(hasher.finish())
    }
}

/// Fetches every agency's feed and imports what changed, credited to the agency.
async fn feeds_round(importer: &Importer<'_>, client: &reqwest::Client, memory: &mut FeedMemory) -> Result<()> {
    let mut feeds: Vec<(String, String)> =
        importer.rules().filter_map(|r| r.feed_url.clone().map(|url| (r.agency.clone(), url))).collect();
    // By agency, so that each round reads the same way.
    feeds.sort();
    for (agency, url) in feeds {
        let bytes = match fetch(client, &url).await {
            Ok(bytes) => bytes,
            Err(reason) => {
                println!("rejected {url}: the feed of {agency}: {reason}");
                continue;
            }
        };
        if memory.changed(&url, &bytes) {
            // A malformed feed is reported by the import, and tried again once it changes.
            let _reported = importer.feed(&url, &bytes, &agency).await?;
        }
    }
    Ok(())
}

/// Fetches one feed; the error says why in words an operator can act on,
/// down to the cause (a refused connection, an untrusted certificate).
async fn fetch(client: &reqwest::Client, url: &str) -> Result<Vec<u8>, String> {
    let response = client.get(url).send().await.map_err(|e| format!("cannot fetch: {}", causes(&e.without_url())))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("the agency answered HTTP {status}"));
    }
    if response.content_length().is_some_and(|len| len > FEED_MAX_BYTES as u64) {
        return Err(format!("the feed is larger than {} MiB", FEED_MAX_BYTES / 1024 / 1024));
    }
    let bytes = response.bytes().await.map_err(|e| format!("cannot read the feed: {}", causes(&e.without_url())))?;
    if bytes.len() > FEED_MAX_BYTES {
        return Err(format!("the feed is larger than {} MiB", FEED_MAX_BYTES / 1024 / 1024));
    }
    Ok(bytes.to_vec())
}

/// An error and its sources, outermost first: reqwest's own message alone
/// ("error sending request") hides whether DNS, the connection or the
/// certificate failed.
fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let line = cause.to_string();
        // Wrappers often repeat their cause's message; say each thing once.
        if !text.ends_with(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_in_progress_are_left_alone() {
        assert!(is_ready("ap-123.xml"));
        for name in [".ap-123.xml", "ap-123.xml.part", "ap-123.xml.tmp"] {
            assert!(!is_ready(name), "{name}");
        }
    }

    #[test]
    fn a_feed_is_imported_again_only_when_it_changes() {
        let mut memory = FeedMemory::default();
        assert!(memory.changed("http://a", b"one"));
        assert!(!memory.changed("http://a", b"one"));
        assert!(memory.changed("http://a", b"two"));
        assert!(memory.changed("http://b", b"two"));
    }

    #[test]
    fn names_in_done_do_not_collide() {
        let dir = tempfile::tempdir().unwrap();
        let name = std::ffi::OsStr::new("x.xml");
        assert_eq!(free_name(dir.path(), name), dir.path().join("x.xml"));
        std::fs::write(dir.path().join("x.xml"), "").unwrap();
        assert_eq!(free_name(dir.path(), name), dir.path().join("x.xml.1"));
    }
}
