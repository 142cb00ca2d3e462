//! The search benchmark's query half: a fixed mixed query set run against an
//! archive index (as `masthead reindex` built it) and against SQLite FTS5
//! holding the same stories, side by side. `bench/search/run` drives it
//! (seeding, the timed rebuild and the HTTP run happen there).
//!
//! ```text
//! bench queries DATABASE_URL INDEX_DIR FTS5_FILE   # FTS5 is built from the database if FTS5_FILE is missing;
//!                                                 # FTS5_FILE `-` runs the index alone
//! bench urls                                      # the query set as /api/v1/search query strings
//! ```

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use masthead_domain::PublisherZone;
use masthead_domain::access::{Reader, entitled};
use masthead_search::{ArchiveIndex, EXACT_TOTAL_LIMIT, IndexedStory, Reach, SearchRequest, Sort, Terms};
use masthead_store::{DatabaseUrl, Store};
use sqlx::QueryBuilder;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

/// The archive age the visitor's searches assume (the server's default).
const ARCHIVE_DAYS: i64 = 30;
/// Times each query runs on the index (after one warm-up run).
const ROUNDS: usize = 30;
/// Times each query runs on FTS5: fewer, as its slow queries take seconds.
const FTS_ROUNDS: usize = 10;
/// Stories read from the database per query when building FTS5.
const READ_BATCH: u32 = 5_000;

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
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["urls"] => {
            for case in CASES {
                println!("{}", url_query(case));
            }
            Ok(())
        }
        ["queries", database, index, fts] => queries(database, Path::new(index), &PathBuf::from(fts)).await,
        _ => Err("usage: bench queries DATABASE_URL INDEX_DIR FTS5_FILE | bench urls".into()),
    }
}

async fn queries(database: &str, index_dir: &Path, fts_path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let zone = PublisherZone::default();
    let index = ArchiveIndex::open(index_dir)?;
    // `-` for FTS5_FILE: the index alone (when FTS5 cannot be built in time).
    let fts = if fts_path == Path::new("-") {
        None
    } else if fts_path.exists() {
        println!("FTS5: reusing {} (built by an earlier run from the same database)\n", fts_path.display());
        Some(open_fts(fts_path, false).await?)
    } else {
        Some(build_fts(database, fts_path, index.len()).await?)
    };
    println!(
        "Queries: {} cases, each run {ROUNDS} times on the index and {FTS_ROUNDS} times on FTS5 after a warm-up; \
         every run counts the matches (up to {EXACT_TOTAL_LIMIT}, then \"more than\") and returns the top 10 \
         with highlighted snippets.\n",
        CASES.len()
    );
    println!(
        "The index runs each query twice: as staff (the whole text of every story counts) and as a visitor \
         (the whole text only of free stories younger than {ARCHIVE_DAYS} days, the free text of the others).\n"
    );
    println!(
        "| query | matches (staff / visitor / FTS5) | index p50 | index p95 | visitor p50 | visitor p95 | FTS5 p50 |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut all_index = Vec::new();
    let mut all_visitor = Vec::new();
    let mut all_fts = Vec::new();
    let visitor = Reader::visitor();
    let archived_before = chrono::Utc::now() - chrono::Duration::days(ARCHIVE_DAYS);
    let visitor_reach = Reach::of(|story| entitled(&visitor, story), vec!["smart-investor".into()], archived_before);
    for case in CASES {
        let request = request(case, &zone)?;
        let run = |request: &SearchRequest| -> Result<(Vec<Duration>, String), masthead_search::SearchError> {
            let mut times = Vec::new();
            let mut total = String::new();
            for round in 0..=ROUNDS {
                let started = Instant::now();
                let page = index.search(request)?;
                let took = started.elapsed();
                total = page.total.to_string();
                if round > 0 {
                    times.push(took);
                }
            }
            Ok((times, total))
        };
        let (mut index_times, total) = run(&SearchRequest { reach: Reach::everything(), ..request.clone() })?;
        let (mut visitor_times, visitor_total) =
            run(&SearchRequest { reach: visitor_reach.clone(), ..request.clone() })?;
        let mut fts_times = Vec::new();
        let mut fts_total = 0;
        for round in (0..=FTS_ROUNDS).filter(|_| fts.is_some()) {
            let started = Instant::now();
            fts_total = fts_query(fts.as_ref().ok_or("no FTS5")?, case, &request).await?;
            if round > 0 {
                fts_times.push(started.elapsed());
            }
        }
        let fts_total = if fts_total > EXACT_TOTAL_LIMIT {
            format!("more than {EXACT_TOTAL_LIMIT}")
        } else {
            fts_total.to_string()
        };
        println!(
            "| {} `{}` | {total} / {visitor_total} / {fts_total} | {} | {} | {} | {} | {} |",
            case.label,
            describe(case),
            ms(percentile(&mut index_times, 50)),
            ms(percentile(&mut index_times, 95)),
            ms(percentile(&mut visitor_times, 50)),
            ms(percentile(&mut visitor_times, 95)),
            ms(percentile(&mut fts_times, 50)),
        );
        all_index.extend(index_times);
        all_visitor.extend(visitor_times);
        all_fts.extend(fts_times);
    }
    println!("\n| all queries | p50 | p95 | p99 |");
    println!("|---|---|---|---|");
    for (name, times) in [
        ("archive index (tantivy), as staff", &mut all_index),
        ("archive index (tantivy), as a visitor", &mut all_visitor),
        ("SQLite FTS5", &mut all_fts),
    ] {
        if times.is_empty() {
            continue;
        }
        let [p50, p95, p99] = [50, 95, 99].map(|p| ms(percentile(times, p)));
        println!("| {name} | {p50} | {p95} | {p99} |");
    }
    if fts.is_some() {
        let ratio = percentile(&mut all_fts, 95).as_secs_f64() / percentile(&mut all_index, 95).as_secs_f64().max(1e-9);
        println!("\nThe index is {ratio:.1}× faster than FTS5 at p95.");
    }
    println!("Index: {} stories, {:.1} MB on disk.", index.len(), index.size_on_disk() as f64 / 1e6);
    println!("This process's peak RSS (index and FTS5 both open): {}.", rss("VmHWM"));
    Ok(())
}

/// The case as it reads in a table.
fn describe(case: &Case) -> String {
    let mut text = case.q.replace('"', "\\\"");
    if let Some(section) = case.section {
        text.push_str(&format!(" section={section}"));
    }
    if let Some((from, to)) = case.years {
        text.push_str(&format!(" {from}–{to}"));
    }
    if case.newest {
        text.push_str(" newest");
    }
    text
}

/// The case as `/api/v1/search` parameters.
fn url_query(case: &Case) -> String {
    let escape = |s: &str| s.replace('%', "%25").replace(' ', "%20").replace('"', "%22");
    let mut query = format!("q={}", escape(case.q));
    if let Some(section) = case.section {
        query.push_str(&format!("&section={section}"));
    }
    if let Some((from, to)) = case.years {
        query.push_str(&format!("&from={from}-01-01&to={to}-12-31"));
    }
    if case.newest {
        query.push_str("&sort=newest");
    }
    query
}

async fn open_fts(path: &Path, create: bool) -> Result<SqlitePool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Off)
        .synchronous(SqliteSynchronous::Off);
    SqlitePoolOptions::new().max_connections(1).connect_with(options).await
}

/// Builds FTS5 from the published stories in `database`, split into headline,
/// free lead and the whole body (in the `rest` column) as the index has them.
async fn build_fts(database: &str, path: &Path, expected: u64) -> Result<SqlitePool, Box<dyn std::error::Error>> {
    let store = Store::connect(&DatabaseUrl::parse(database)?).await?;
    let building = path.with_extension("building");
    let _ = std::fs::remove_file(&building);
    let fts = open_fts(&building, true).await?;
    sqlx::query("CREATE VIRTUAL TABLE fts USING fts5(headline, lead, rest, tokenize = 'unicode61')")
        .execute(&fts)
        .await?;
    sqlx::query("CREATE TABLE stories (id INTEGER PRIMARY KEY, section TEXT NOT NULL, published INTEGER NOT NULL)")
        .execute(&fts)
        .await?;
    let started = Instant::now();
    let mut last_report = Instant::now();
    let (mut after, mut added) = (0, 0u64);
    loop {
        let articles = store.published_articles_after(after, READ_BATCH).await?;
        let Some(last) = articles.last() else { break };
        after = last.summary.id;
        let stories: Vec<IndexedStory> = articles.iter().map(IndexedStory::from_article).collect();
        let mut tx = fts.begin().await?;
        for chunk in stories.chunks(200) {
            let mut insert = QueryBuilder::new("INSERT INTO fts (rowid, headline, lead, rest) ");
            insert.push_values(chunk, |mut row, story| {
                row.push_bind(story.id).push_bind(&story.headline).push_bind(&story.lead).push_bind(&story.body);
            });
            insert.build().execute(&mut *tx).await?;
            let mut insert = QueryBuilder::new("INSERT INTO stories (id, section, published) ");
            insert.push_values(chunk, |mut row, story| {
                row.push_bind(story.id).push_bind(&story.section).push_bind(story.first_published_at.timestamp());
            });
            insert.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        added += stories.len() as u64;
        if last_report.elapsed() > Duration::from_secs(10) {
            last_report = Instant::now();
            eprintln!("  FTS5: {added} of {expected} stories, {:.0}/s", added as f64 / started.elapsed().as_secs_f64());
        }
    }
    sqlx::query("CREATE INDEX stories_section_published ON stories (section, published)").execute(&fts).await?;
    sqlx::query("CREATE INDEX stories_published ON stories (published)").execute(&fts).await?;
    sqlx::query("INSERT INTO fts (fts) VALUES ('optimize')").execute(&fts).await?;
    fts.close().await;
    std::fs::rename(&building, path)?;
    let elapsed = started.elapsed();
    println!("| FTS5 build | stories | time | rate | size on disk |");
    println!("|---|---|---|---|---|");
    println!(
        "| SQLite FTS5, from the same database | {added} | {:.1} s | {:.0} stories/s | {:.1} MB |\n",
        elapsed.as_secs_f64(),
        added as f64 / elapsed.as_secs_f64(),
        std::fs::metadata(path)?.len() as f64 / 1e6
    );
    Ok(open_fts(path, false).await?)
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

/// The same search on FTS5: the count (up to one past the index's limit,
/// as the index counts), and the top 10 with snippets.
async fn fts_query(fts: &SqlitePool, case: &Case, request: &SearchRequest) -> Result<usize, sqlx::Error> {
    let from = request.from.map_or(i64::MIN, |at| at.timestamp());
    let until = request.until.map_or(i64::MAX, |at| at.timestamp());
    let section = case.section.unwrap_or("");
    let filter = "fts MATCH $1 AND ($2 = '' OR s.section = $2) AND s.published >= $3 AND s.published < $4";
    let order = if case.newest { "s.published DESC" } else { "rank" };
    let count: (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM fts JOIN stories s ON s.id = fts.rowid WHERE {filter} LIMIT {})",
        EXACT_TOTAL_LIMIT + 1
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
