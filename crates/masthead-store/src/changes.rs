//! Change counters: numbers that grow with every committed change of a kind,
//! bumped by triggers in the same transaction as the change (migrations
//! `0010_change_counters`, `0012_access_counter`, `0028_sections_counter`). A cache that remembers the
//! numbers it was filled at knows, with one cheap read, whether anything it
//! holds may be stale — whichever process or instance made the change.
//!
//! The read happens on every request, so on SQLite it skips the pool: a
//! [`CounterReader`] reads the counters on the calling thread through its own
//! connections, in microseconds, where a pooled query costs a round trip to
//! the driver's connection thread. Better still, it first asks SQLite's
//! `PRAGMA data_version`: while no other connection has committed since the
//! last read, the counters cannot have moved and are not read again.
//!
//! On PostgreSQL a read is a round trip to the server, and the two counters
//! are taken differently ([`Store::counter`]):
//! - **access** (who may read: accounts, sessions, grants, subscriptions,
//!   plans, experiments) is checked against the database on every page view
//!   that needs it — a signed-in reader's, a story's (its meter limit) — so
//!   a sign-out, a payment or a plan change shows on the very next request
//!   on every instance. It is read, except where the page's meter write
//!   checks it in the same statement ([`Store::last_access`]).
//! - **content** (stories, the home lead, sections, house ads) costs no round
//!   trip while nothing changed: every update of the content counter sends a
//!   notification (`0042_change_notifications`), which PostgreSQL delivers to
//!   every listening connection when the change commits. [`Notified`] keeps
//!   one connection listening and the content counter last read; a
//!   notification (or the listening connection's loss, or a write by this
//!   process: [`Store::may_have_changed`]) makes the next page view read it
//!   again. A content change made by another instance therefore shows once
//!   its notification has arrived: a network hop after the commit.
//!
//! Every read on PostgreSQL is one pooled query, shared ([`SharedRead`]):
//! the requests that ask while a query is out all take the next one, which
//! starts after they asked — so each still sees every commit made before it
//! asked, and under load a page view costs a fraction of a query instead of
//! one round trip of its own.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool};
use tokio::sync::{Notify, oneshot};

use crate::{Pool, Result, Store, StoreError};

/// The change counters at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counters {
    /// Grows with every write to a story (publish, update, unpublish,
    /// import), with the editors' choice of home lead, with every change
    /// to a section (`0028_sections_counter`) and to a house ad
    /// (`0037_house_ads_counter`).
    pub content: i64,
    /// Grows with every change to what decides a signed-in reader's access:
    /// accounts, sessions (not their last-seen time), grants,
    /// subscriptions, their ledgers and the plans; and to the paywall
    /// experiments, which set every reader's meter limit (`0036_experiments`).
    pub access: i64,
}

const COUNTERS_SQL: &str = "SELECT name, value FROM change_counters WHERE name IN ('content', 'access')";

impl Counters {
    /// One counter's value.
    pub fn get(self, which: Counter) -> i64 {
        match which {
            Counter::Content => self.content,
            Counter::Access => self.access,
        }
    }

    fn from_rows(rows: impl IntoIterator<Item = (String, i64)>) -> Result<Self> {
        let (mut content, mut access) = (None, None);
        for (name, value) in rows {
            match name.as_str() {
                "content" => content = Some(value),
                "access" => access = Some(value),
                _ => {}
            }
        }
        match (content, access) {
            (Some(content), Some(access)) => Ok(Self { content, access }),
            _ => Err(StoreError::Corrupt("the change counters are missing; run the migrations".to_owned())),
        }
    }
}

/// One of the change counters, for [`Store::counter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    /// Stories, the home lead, sections and house ads ([`Counters::content`]).
    Content,
    /// What decides who may read: accounts, sessions, grants,
    /// subscriptions, plans, experiments ([`Counters::access`]).
    Access,
}

impl Store {
    /// Both change counters as committed now, with whatever this request or
    /// task has just written: on PostgreSQL one query, shared (see
    /// [`SharedRead`]). What a request that writes, or a job, asks.
    pub async fn counters(&self) -> Result<Counters> {
        match &self.pool {
            Pool::Sqlite { counters, .. } => counters.read(),
            Pool::Postgres(pool) => self.counter_reads.read(pool).await,
        }
    }

    /// One change counter as a page view takes it. The access counter is
    /// read as committed now, on both backends ([`Store::counters`]): a
    /// change to who may read shows on the very next request everywhere. The
    /// content counter, on SQLite, too; on PostgreSQL it is as the last
    /// notification left it, which reaches every instance as the change
    /// commits (see the module notes): no round trip while nothing changed.
    pub async fn counter(&self, which: Counter) -> Result<i64> {
        match (&self.pool, which) {
            (Pool::Postgres(pool), Counter::Content) => {
                let notified = self.notified.get_or_init(|| Notified::start(pool));
                if let Some(kept) = notified.kept() {
                    return Ok(kept);
                }
                let generation = notified.generation();
                let read = self.counter_reads.read(pool).await?.content;
                notified.keep(generation, read);
                Ok(read)
            }
            _ => Ok(self.counters().await?.get(which)),
        }
    }

    /// The access counter as this process last read it from PostgreSQL, at
    /// no cost: for a decision whose meter write checks, in its own
    /// statement, that the counter still stands there
    /// (`MeteredRead::access_seen`). `None` on SQLite, where a reading costs
    /// no round trip, and before the first reading.
    pub fn last_access(&self) -> Option<i64> {
        match &self.pool {
            Pool::Sqlite { .. } => None,
            Pool::Postgres(_) => self.counter_reads.waiting().last.map(|last| last.access),
        }
    }

    /// Says this process may just have changed the content: the next
    /// [`Store::counter`] of it reads the counters again rather than wait for
    /// the change's notification. A server calls it after each request that
    /// may write, so its own writes show on the very next request.
    pub fn may_have_changed(&self) {
        if let Some(notified) = self.notified.get() {
            notified.forget();
        }
    }

    /// Stops listening for changes (the connection goes back to the pool).
    pub(crate) fn stop_listening(&self) {
        if let Some(notified) = self.notified.get() {
            notified.stop.notify_one();
        }
    }
}

/// The channel `0042_change_notifications` notifies on.
const CHANNEL: &str = "masthead_content_changes";
/// How long the listener waits before connecting again after losing its connection.
const RELISTEN_AFTER: Duration = Duration::from_secs(1);

/// PostgreSQL's content counter as the notifications leave it: kept from the
/// last read while one connection listens and no change was heard since.
#[derive(Debug, Default)]
pub(crate) struct Notified {
    heard: Mutex<Heard>,
    /// Tells the listening task to stop ([`Store::close`]).
    stop: Notify,
}

#[derive(Debug, Default)]
struct Heard {
    /// A connection listens: every change from now on is heard.
    listening: bool,
    /// Moves with every change heard, every (re)connection and every
    /// [`Store::may_have_changed`]: counters read before it moved are not kept.
    generation: u64,
    /// The content counter read at `generation`.
    kept: Option<(u64, i64)>,
}

impl Notified {
    /// Starts the listening task on the current runtime.
    fn start(pool: &PgPool) -> Arc<Self> {
        let notified = Arc::new(Self::default());
        tokio::spawn(listen(notified.clone(), pool.clone()));
        notified
    }

    fn heard(&self) -> std::sync::MutexGuard<'_, Heard> {
        self.heard.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The content counter, if nothing was heard since it was read.
    fn kept(&self) -> Option<i64> {
        let heard = self.heard();
        match heard.kept {
            Some((generation, counters)) if heard.listening && generation == heard.generation => Some(counters),
            _ => None,
        }
    }

    fn generation(&self) -> u64 {
        self.heard().generation
    }

    /// Keeps the content counter read by a query that started after
    /// `generation` was seen, unless a change was heard meanwhile (the query
    /// may have missed it).
    fn keep(&self, generation: u64, content: i64) {
        let mut heard = self.heard();
        if heard.listening && heard.generation == generation {
            heard.kept = Some((generation, content));
        }
    }

    /// A change (or a possible one): the next page view reads the content counter again.
    fn forget(&self) {
        let mut heard = self.heard();
        heard.generation += 1;
        heard.kept = None;
    }

    fn set_listening(&self, listening: bool) {
        self.forget();
        self.heard().listening = listening;
    }
}

/// Listens for content changes on one pooled connection until the store is
/// closed, connecting again when the connection is lost; while it does not
/// listen, every page view reads the counters.
async fn listen(notified: Arc<Notified>, pool: PgPool) {
    loop {
        let connected = async {
            let mut listener = PgListener::connect_with(&pool).await?;
            listener.listen(CHANNEL).await?;
            Ok::<_, sqlx::Error>(listener)
        };
        let connected = tokio::select! {
            () = notified.stop.notified() => return,
            connected = connected => connected,
        };
        match connected {
            Ok(mut listener) => {
                // From here on every change is heard; those before were not.
                notified.set_listening(true);
                loop {
                    let heard = tokio::select! {
                        () = notified.stop.notified() => return,
                        heard = listener.try_recv() => heard,
                    };
                    match heard {
                        Ok(Some(_)) => notified.forget(),
                        Ok(None) | Err(_) => {
                            tracing::warn!(
                                "lost the connection listening for content changes; reading the change counters on every request until it is back"
                            );
                            notified.set_listening(false);
                            break;
                        }
                    }
                }
            }
            Err(error) => {
                notified.set_listening(false);
                tracing::debug!(%error, "cannot listen for content changes; retrying");
            }
        }
        tokio::select! {
            () = notified.stop.notified() => return,
            () = tokio::time::sleep(RELISTEN_AFTER) => {}
        }
    }
}

/// One PostgreSQL counter query at a time, shared by every request that
/// asked before it started: a request arriving while a query is out waits
/// for the next one (the one out may have read before its commit).
#[derive(Debug, Default)]
pub(crate) struct SharedRead {
    state: Mutex<Waiting>,
}

#[derive(Debug, Default)]
struct Waiting {
    /// A task is running queries for whoever waits.
    running: bool,
    /// Those waiting for a query that starts after they asked.
    next: Vec<oneshot::Sender<Result<Counters, Arc<StoreError>>>>,
    /// The counters the last query read.
    last: Option<Counters>,
}

impl SharedRead {
    fn waiting(&self) -> std::sync::MutexGuard<'_, Waiting> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn read(self: &Arc<Self>, pool: &PgPool) -> Result<Counters> {
        let (reply, answer) = oneshot::channel();
        {
            let mut waiting = self.waiting();
            waiting.next.push(reply);
            if !waiting.running {
                waiting.running = true;
                // A task of its own: a request given up midway stops no one else's query.
                let run = self.clone().run(pool.clone());
                // Named, so the statements a page view costs can be told from those of jobs.
                tokio::spawn(tracing::Instrument::instrument(
                    run,
                    tracing::info_span!(parent: None, "change_counters"),
                ));
            }
        }
        match answer.await {
            Ok(read) => read.map_err(StoreError::Shared),
            Err(_) => Err(StoreError::Corrupt("the change counters' reader stopped".to_owned())),
        }
    }

    /// Queries for those waiting, again and again until no one waits.
    async fn run(self: Arc<Self>, pool: PgPool) {
        loop {
            let asked = {
                let mut waiting = self.waiting();
                if waiting.next.is_empty() {
                    waiting.running = false;
                    return;
                }
                std::mem::take(&mut waiting.next)
            };
            let read = async { Counters::from_rows(sqlx::query_as(COUNTERS_SQL).fetch_all(&pool).await?) }
                .await
                .map_err(Arc::new);
            if let Ok(read) = &read {
                self.waiting().last = Some(*read);
            }
            for reply in asked {
                let _ = reply.send(read.clone());
            }
        }
    }
}

/// SQLite's direct counter reads: a few connections of their own, each used
/// by one thread at a time and never for writing. Reads in WAL mode never
/// wait for the writer.
///
/// Each connection remembers the counters it last read with the
/// `PRAGMA data_version` it saw just before. That number moves whenever
/// another connection — in this process or any other — has committed, and
/// these connections never commit: while it stands still, the counters
/// cannot have moved and are not read again. The pragma starts a read of its
/// own, so it sees every commit made before it was asked.
#[derive(Debug)]
pub(crate) struct CounterReader {
    path: PathBuf,
    idle: Mutex<Vec<Watched>>,
}

/// A reading connection with what it last read: the data version, then the
/// counters read after it.
#[derive(Debug)]
struct Watched {
    connection: rusqlite::Connection,
    seen: Option<(i64, Counters)>,
}

impl Watched {
    /// The counters now: those last read when no other connection has
    /// committed since, else read again. The version is read *before* the
    /// counters, so a commit racing with the read at worst costs one more
    /// read later.
    fn read(&mut self) -> Result<Counters> {
        let version: i64 = self.connection.prepare_cached("PRAGMA data_version")?.query_row([], |row| row.get(0))?;
        if let Some((seen, counters)) = self.seen
            && seen == version
        {
            return Ok(counters);
        }
        let counters = CounterReader::query(&self.connection)?;
        self.seen = Some((version, counters));
        Ok(counters)
    }
}

impl CounterReader {
    /// A reader for the database file at `path` (`DatabaseUrl` refuses
    /// in-memory databases, which another connection could not see).
    pub(crate) fn new(path: &Path) -> Self {
        Self { path: path.to_owned(), idle: Mutex::new(Vec::new()) }
    }

    fn read(&self) -> Result<Counters> {
        let idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop();
        let mut watched = match idle {
            Some(watched) => watched,
            None => Watched { connection: Self::open(&self.path)?, seen: None },
        };
        let counters = watched.read()?;
        self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(watched);
        Ok(counters)
    }

    fn open(path: &Path) -> Result<rusqlite::Connection> {
        use rusqlite::OpenFlags;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = rusqlite::Connection::open_with_flags(path, flags)?;
        connection.busy_timeout(Duration::from_secs(10))?;
        Ok(connection)
    }

    fn query(connection: &rusqlite::Connection) -> Result<Counters> {
        let mut statement = connection.prepare_cached(COUNTERS_SQL)?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Counters::from_rows(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database(dir: &Path) -> (PathBuf, rusqlite::Connection) {
        let path = dir.join("counters.db");
        let writer = rusqlite::Connection::open(&path).unwrap();
        writer
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 CREATE TABLE change_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
                 INSERT INTO change_counters VALUES ('content', 1), ('access', 1);",
            )
            .unwrap();
        (path, writer)
    }

    #[test]
    fn a_commit_from_another_connection_shows_on_the_next_read() {
        let dir = tempfile::tempdir().unwrap();
        let (path, writer) = database(dir.path());
        let reader = CounterReader::new(&path);
        assert_eq!(reader.read().unwrap(), Counters { content: 1, access: 1 });
        writer.execute("UPDATE change_counters SET value = value + 1 WHERE name = 'content'", []).unwrap();
        assert_eq!(reader.read().unwrap(), Counters { content: 2, access: 1 });
        // A commit that leaves the counters alone still makes the next read look again.
        writer.execute("UPDATE change_counters SET value = value WHERE name = 'access'", []).unwrap();
        assert_eq!(reader.read().unwrap(), Counters { content: 2, access: 1 });
        writer.execute("UPDATE change_counters SET value = value + 5 WHERE name = 'access'", []).unwrap();
        assert_eq!(reader.read().unwrap(), Counters { content: 2, access: 6 });
    }

    /// The version a connection remembers stands still while nothing
    /// commits (the counters are then not read again) and moves with every
    /// commit of another connection, whatever it changed.
    #[test]
    fn the_counters_are_read_again_only_after_a_commit() {
        let dir = tempfile::tempdir().unwrap();
        let (path, writer) = database(dir.path());
        writer.execute_batch("CREATE TABLE noise (at INTEGER)").unwrap();
        let mut watched = Watched { connection: CounterReader::open(&path).unwrap(), seen: None };
        watched.read().unwrap();
        let (quiet, _) = watched.seen.unwrap();
        for _ in 0..3 {
            watched.read().unwrap();
            assert_eq!(watched.seen.unwrap().0, quiet, "nothing committed, nothing moved");
        }
        writer.execute("INSERT INTO noise VALUES (1)", []).unwrap();
        assert_eq!(watched.read().unwrap(), Counters { content: 1, access: 1 });
        let (after, _) = watched.seen.unwrap();
        assert_ne!(after, quiet, "a commit moves the version");
        // A write transaction that rolls back commits nothing.
        writer.execute_batch("BEGIN IMMEDIATE; INSERT INTO noise VALUES (2); ROLLBACK;").unwrap();
        watched.read().unwrap();
        assert_eq!(watched.seen.unwrap().0, after);
    }

    #[test]
    fn a_database_not_in_wal_mode_is_watched_too() {
        let dir = tempfile::tempdir().unwrap();
        let (path, writer) = database(dir.path());
        writer.execute_batch("PRAGMA journal_mode = DELETE").unwrap();
        let reader = CounterReader::new(&path);
        assert_eq!(reader.read().unwrap(), Counters { content: 1, access: 1 });
        writer.execute("UPDATE change_counters SET value = 9 WHERE name = 'content'", []).unwrap();
        assert_eq!(reader.read().unwrap(), Counters { content: 9, access: 1 });
    }
}
