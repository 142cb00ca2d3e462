//! The search benchmark: builds the archive index from N demo stories, then
//! runs a fixed mixed query set against it and against SQLite FTS5 built from
//! the same corpus, and prints both side by side.
//!
//! `cargo run --release -p masthead-search --example bench -- N WORK_DIR`
//! (`bench/search/run` wraps it). N defaults to 3,000,000.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use masthead_demo::DemoArchive;
use masthead_domain::{Article, ArticleStatus, ArticleSummary, PublisherZone};
use masthead_search::{ArchiveIndex, IndexedStory, Rebuild, SearchRequest, Sort, Terms};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// Times each query runs (after one warm-up run).
const ROUNDS: usize = 30;

/// One query of the fixed set: text, optional section and date range (years), order.
struct Case {
    label: &'static str,
    q: &'static str,
    section: Option<&'static str>,
    years: Option<(i32, i32)>,
    newest: bool,
}

const CASES: &[Case] = &[
    Case { label: "common word", q: "government", section: None, years: None, newest: false },
    Case { label: "two common words", q: "market shares", section: None, years: None, newest: false },
    Case { label: "common word", q: "president", section: None, years: None, newest: false },
    Case { label: "rare word", q: "Tillerson", section: None, years: None, newest: false },
    Case { label: "rare word", q: "Kolhapur", section: None, years: None, newest: false },
    Case { label: "phrase", q: "\"consumer goods\"", section: None, years: None, newest: false },
    Case { label: "phrase", q: "\"too early yet\"", section: None, years: None, newest: false },
    Case { label: "section + dates", q: "banking", section: Some("economy"), years: Some((2010, 2012)), newest: false },
    Case {
        label: "section + dates, phrase",
        q: "\"digital payments\"",
        section: Some("markets"),
        years: Some((2018, 2020)),
        newest: false,
    },
    Case { label: "newest first", q: "telecom", section: None, years: None, newest: true },
    Case { label: "newest first", q: "president", section: None, years: None, newest: true },
    Case { label: "newest first + section", q: "internet", section: Some("technology"), years: None, newest: true },
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let total: u64 = args.get(1).map(|n| n.replace(['_', ','], "").parse()).transpose()?.unwrap_or(3_000_000);
    let work = PathBuf::from(args.get(2).cloned().unwrap_or_else(|| "bench-search-work".to_owned()));
    std::fs::create_dir_all(&work)?;
    let zone = PublisherZone::default();
    let today = zone.date(Utc::now());
    println!("Search benchmark: {total} demo stories (1997 to {today}), work directory {}", work.display());

    // Both engines are fed from one pass over the generator.
    let index_dir = work.join("tantivy");
    let _ = std::fs::remove_dir_all(&index_dir);
    let fts_path = work.join("fts5.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", fts_path.display()));
    }
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", fts_path.display()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Off)
        .synchronous(SqliteSynchronous::Off);
    let fts = SqlitePoolOptions::new().max_connections(1).connect_with(options).await?;
    sqlx::query("CREATE VIRTUAL TABLE fts USING fts5(headline, lead, rest, tokenize = 'unicode61')")
        .execute(&fts)
        .await?;
    sqlx::query("CREATE TABLE stories (id INTEGER PRIMARY KEY, section TEXT NOT NULL, published INTEGER NOT NULL)")
        .execute(&fts)
        .await?;

    // The generator alone, on a sample: the bound on any end-to-end rate below.
    let sample = total.min(50_000);
    let started = Instant::now();
    let generated = DemoArchive::new(sample, today, zone).stories().count();
    let generator_rate = generated as f64 / started.elapsed().as_secs_f64();

    // Pass 1: the generator feeds tantivy, on its own.
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<IndexedStory>>(8);
    let generator = std::thread::spawn(move || generate(total, today, zone, |batch| sender.send(batch).is_ok()));
    let started = Instant::now();
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(4);
    let mut rebuild = Rebuild::start(&index_dir, threads, 1024 * 1024 * 1024)?;
    let mut last = Instant::now();
    for batch in receiver {
        for story in &batch {
            rebuild.add(story)?;
        }
        if last.elapsed() > Duration::from_secs(10) {
            last = Instant::now();
            let rate = rebuild.added() as f64 / started.elapsed().as_secs_f64();
            eprintln!("  tantivy: {} stories, {rate:.0}/s", rebuild.added());
        }
    }
    let index_size = rebuild.finish(0)?;
    let build_elapsed = started.elapsed();
    generator.join().map_err(|_| "the generator panicked")?;

    // Pass 2: the same stories again (the generator is deterministic) into FTS5.
    let (fts_sender, mut fts_batches) = tokio::sync::mpsc::channel::<Vec<IndexedStory>>(8);
    let generator =
        std::thread::spawn(move || generate(total, today, zone, |batch| fts_sender.blocking_send(batch).is_ok()));
    let fts_started = Instant::now();
    let mut fts_count = 0u64;
    let mut last = Instant::now();
    while let Some(batch) = fts_batches.recv().await {
        let mut tx = fts.begin().await?;
        for story in &batch {
            sqlx::query("INSERT INTO fts (rowid, headline, lead, rest) VALUES ($1, $2, $3, $4)")
                .bind(story.id)
                .bind(&story.headline)
                .bind(&story.lead)
                .bind(&story.rest)
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO stories (id, section, published) VALUES ($1, $2, $3)")
                .bind(story.id)
                .bind(&story.section)
                .bind(story.first_published_at.timestamp())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        fts_count += batch.len() as u64;
        if last.elapsed() > Duration::from_secs(10) {
            last = Instant::now();
            eprintln!("  FTS5: {fts_count} stories, {:.0}/s", fts_count as f64 / fts_started.elapsed().as_secs_f64());
        }
    }
    sqlx::query("CREATE INDEX stories_section_published ON stories (section, published)").execute(&fts).await?;
    sqlx::query("CREATE INDEX stories_published ON stories (published)").execute(&fts).await?;
    sqlx::query("INSERT INTO fts (fts) VALUES ('optimize')").execute(&fts).await?;
    let fts_elapsed = fts_started.elapsed();
    generator.join().map_err(|_| "the generator panicked")?;
    let fts_size = std::fs::metadata(&fts_path)?.len();
    println!();
    println!("| build | stories | time | rate | size on disk |");
    println!("|---|---|---|---|---|");
    println!(
        "| tantivy (masthead-search) | {total} | {:.1} s | {:.0} stories/s | {:.1} MB |",
        build_elapsed.as_secs_f64(),
        total as f64 / build_elapsed.as_secs_f64(),
        index_size as f64 / 1e6
    );
    println!(
        "| SQLite FTS5 (same corpus) | {fts_count} | {:.1} s | {:.0} stories/s | {:.1} MB |",
        fts_elapsed.as_secs_f64(),
        fts_count as f64 / fts_elapsed.as_secs_f64(),
        fts_size as f64 / 1e6
    );
    println!(
        "(Rates are wall-clock, end to end, fed by the single-threaded demo generator, which alone makes {generator_rate:.0} stories/s: each engine is built in its own pass.)"
    );

    let index = ArchiveIndex::open(&index_dir)?;
    println!(
        "\nQueries: {} cases × {ROUNDS} runs each after a warm-up; each run counts all matches and returns the top 10 with snippets.\n",
        CASES.len()
    );
    println!("| query | matches (tantivy / FTS5) | tantivy p50 | FTS5 p50 |");
    println!("|---|---|---|---|");
    let mut all_tantivy = Vec::new();
    let mut all_fts = Vec::new();
    for case in CASES {
        let request = request(case, &zone)?;
        let mut tantivy_times = Vec::new();
        let mut fts_times = Vec::new();
        let mut tantivy_total = 0;
        let mut fts_total = 0;
        for round in 0..=ROUNDS {
            let started = Instant::now();
            let page = index.search(&request)?;
            let took = started.elapsed();
            tantivy_total = page.total;
            let started = Instant::now();
            fts_total = fts_query(&fts, case, &request).await?;
            let fts_took = started.elapsed();
            if round > 0 {
                tantivy_times.push(took);
                fts_times.push(fts_took);
            }
        }
        println!(
            "| {} `{}`{}{}{} | {tantivy_total} / {fts_total} | {} | {} |",
            case.label,
            case.q.replace('"', "\\\""),
            case.section.map(|s| format!(" section={s}")).unwrap_or_default(),
            case.years.map(|(a, b)| format!(" {a}–{b}")).unwrap_or_default(),
            if case.newest { " newest" } else { "" },
            ms(percentile(&mut tantivy_times, 50)),
            ms(percentile(&mut fts_times, 50)),
        );
        all_tantivy.extend(tantivy_times);
        all_fts.extend(fts_times);
    }
    println!("\n| all queries | p50 | p95 | p99 |");
    println!("|---|---|---|---|");
    for (name, times) in [("tantivy (masthead-search)", &mut all_tantivy), ("SQLite FTS5", &mut all_fts)] {
        println!(
            "| {name} | {} | {} | {} |",
            ms(percentile(times, 50)),
            ms(percentile(times, 95)),
            ms(percentile(times, 99))
        );
    }
    let ratio = percentile(&mut all_fts, 95).as_secs_f64() / percentile(&mut all_tantivy, 95).as_secs_f64().max(1e-9);
    println!("\ntantivy is {ratio:.1}× faster than FTS5 at p95.");
    println!(
        "Process RSS after the queries: {} (peak over the whole run, builds included: {}).",
        rss("VmRSS"),
        rss("VmHWM")
    );
    Ok(())
}

/// Runs the demo generator, handing batches of 1,000 indexed stories to `send`
/// until it refuses one.
fn generate(total: u64, today: NaiveDate, zone: PublisherZone, mut send: impl FnMut(Vec<IndexedStory>) -> bool) {
    let archive = DemoArchive::new(total, today, zone);
    let mut batch = Vec::with_capacity(1000);
    for (id, story) in (1..).zip(archive.stories()) {
        batch.push(indexed(id, story));
        if batch.len() == 1000 && !send(std::mem::take(&mut batch)) {
            return;
        }
    }
    send(batch);
}

fn indexed(id: i64, story: masthead_domain::NewArticle) -> IndexedStory {
    let article = Article {
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
        },
        body: story.body,
        dateline: story.dateline,
        status: ArticleStatus::Published,
    };
    IndexedStory::from_article(&article)
}

fn request(case: &Case, zone: &PublisherZone) -> Result<SearchRequest, masthead_search::QueryError> {
    let mut request = SearchRequest::new(Terms::parse(case.q)?);
    request.section = case.section.map(str::to_owned);
    request.sort = if case.newest { Sort::Newest } else { Sort::Relevance };
    if let Some((from, to)) = case.years {
        request = request.with_dates(zone, NaiveDate::from_ymd_opt(from, 1, 1), NaiveDate::from_ymd_opt(to, 12, 31))?;
    }
    Ok(request)
}

/// The same search on FTS5: the count, and the top 10 with snippets.
async fn fts_query(fts: &sqlx::SqlitePool, case: &Case, request: &SearchRequest) -> Result<usize, sqlx::Error> {
    let from = request.from.map_or(i64::MIN, |at| at.timestamp());
    let until = request.until.map_or(i64::MAX, |at| at.timestamp());
    let section = case.section.unwrap_or("");
    let filter = "fts MATCH $1 AND ($2 = '' OR s.section = $2) AND s.published >= $3 AND s.published < $4";
    let order = if case.newest { "s.published DESC" } else { "rank" };
    let count: (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM fts JOIN stories s ON s.id = fts.rowid WHERE {filter}"
    )))
    .bind(case.q)
    .bind(section)
    .bind(from)
    .bind(until)
    .fetch_one(fts)
    .await?;
    let _top: Vec<(i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT fts.rowid, snippet(fts, 1, '<mark>', '</mark>', '…', 24) FROM fts JOIN stories s ON s.id = fts.rowid
         WHERE {filter} ORDER BY {order} LIMIT 10"
    )))
    .bind(case.q)
    .bind(section)
    .bind(from)
    .bind(until)
    .fetch_all(fts)
    .await?;
    Ok(usize::try_from(count.0).unwrap_or_default())
}

fn percentile(times: &mut [Duration], p: usize) -> Duration {
    times.sort_unstable();
    times.get((times.len() * p / 100).min(times.len().saturating_sub(1))).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn rss(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).map(|l| l[field.len() + 1..].trim().to_owned()))
        .unwrap_or_else(|| "unknown".to_owned())
}
