//! What a request pays to learn whether anything changed: times `N` calls of
//! [`Store::counters`] on a real SQLite database (a file in WAL mode, the
//! store's migrations) while another connection commits, as another process
//! or instance would.
//!
//! Three scenarios: nothing commits; another connection commits a row that
//! moves no counter (as the meter's reads do) every `--every` microseconds;
//! every one of those commits moves the content counter (as an edit does).
//! For scale, the same connection's cost of the two statements a check may
//! run is timed too: `PRAGMA data_version` and the counters' `SELECT`.
//!
//! Run it at two commits to compare two ways of checking (the same code,
//! only `Store::counters` differs):
//!
//! ```sh
//! nice -n 19 cargo run --release -p masthead-store --example change_check -- 200000
//! ```
//!
//! Arguments: `[checks] [--every MICROS]` (defaults 100000 and 1000).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use masthead_store::{DatabaseUrl, Store};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut checks = 100_000_u32;
    let mut every = Duration::from_micros(1000);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--every" => every = Duration::from_micros(args.next().ok_or("--every needs a number")?.parse()?),
            n => checks = n.parse()?,
        }
    }
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("changes.db");
    let store = Store::connect(&DatabaseUrl::sqlite_file(&path)).await?;
    store.migrate().await?;
    let side = rusqlite::Connection::open(&path)?;
    side.execute_batch("CREATE TABLE noise (at INTEGER NOT NULL)")?;
    drop(side);

    println!("{checks} checks each; another connection commits every {} µs while busy", every.as_micros());
    println!("| scenario | ns per check | commits during the run |");
    println!("|---|---|---|");
    for (name, writes) in [
        ("quiet: nothing commits", None),
        ("busy: commits that move no counter", Some("INSERT INTO noise (at) VALUES (1)")),
        (
            "busy: every commit moves the content counter",
            Some("UPDATE change_counters SET value = value + 1 WHERE name = 'content'"),
        ),
    ] {
        let stop = Arc::new(AtomicBool::new(false));
        let commits = Arc::new(AtomicU64::new(0));
        let writer = writes.map(|sql| {
            let (path, stop, commits) = (path.clone(), stop.clone(), commits.clone());
            std::thread::spawn(move || -> rusqlite::Result<()> {
                let connection = rusqlite::Connection::open(&path)?;
                connection.busy_timeout(Duration::from_secs(10))?;
                // As the server's connections: a commit does not wait for the disk.
                connection.execute_batch("PRAGMA synchronous = NORMAL")?;
                while !stop.load(Ordering::Relaxed) {
                    connection.execute(sql, [])?;
                    commits.fetch_add(1, Ordering::Relaxed);
                    std::thread::sleep(every);
                }
                Ok(())
            })
        });
        // Warm up: the reader's connections open, and the writer starts.
        for _ in 0..1000 {
            store.counters().await?;
        }
        let before = commits.load(Ordering::Relaxed);
        let started = Instant::now();
        let mut last = store.counters().await?;
        for _ in 0..checks {
            let now = store.counters().await?;
            assert!(now.content >= last.content, "the counters never go back");
            last = now;
        }
        let elapsed = started.elapsed();
        let during = commits.load(Ordering::Relaxed) - before;
        stop.store(true, Ordering::Relaxed);
        if let Some(writer) = writer {
            writer.join().map_err(|_| "the writer panicked")??;
        }
        println!("| {name} | {:.0} | {during} |", elapsed.as_nanos() as f64 / f64::from(checks));
    }

    let reader = rusqlite::Connection::open(&path)?;
    println!();
    println!("| one statement on a connection of its own | ns |");
    println!("|---|---|");
    for (name, sql) in [
        ("PRAGMA data_version", "PRAGMA data_version"),
        ("the counters' SELECT", "SELECT name, value FROM change_counters WHERE name IN ('content', 'access')"),
    ] {
        let mut statement = reader.prepare(sql)?;
        let started = Instant::now();
        for _ in 0..checks {
            let mut rows = statement.query([])?;
            while rows.next()?.is_some() {}
        }
        println!("| {name} | {:.0} |", started.elapsed().as_nanos() as f64 / f64::from(checks));
    }
    Ok(())
}
