//! Change counters: numbers that grow with every committed change of a kind,
//! bumped by triggers in the same transaction as the change (migrations
//! `0010_change_counters`, `0012_access_counter`, `0028_sections_counter`). A cache that remembers the
//! numbers it was filled at knows, with one cheap read, whether anything it
//! holds may be stale — whichever process or instance made the change.
//!
//! The read happens on every request, so on SQLite it skips the pool: a
//! [`CounterReader`] reads the counters on the calling thread through its own
//! connections, in microseconds, where a pooled query costs a round trip to
//! the driver's connection thread. Better still, it first looks at SQLite's
//! WAL index (see [`WalWatch`]): while no transaction has committed since the
//! last read, the counters cannot have moved and are not read again. On
//! PostgreSQL it is one pooled query, shared ([`SharedRead`]): the requests
//! that ask while a query is out all take the next one, which starts after
//! they asked — so each still sees every commit made before it asked, and
//! under load a page view costs a fraction of a query instead of one round
//! trip of its own.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use sqlx::postgres::PgPool;
use tokio::sync::oneshot;

use crate::{Pool, Result, Store, StoreError};

/// The change counters at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counters {
    /// Grows with every write to a story (publish, update, unpublish,
    /// import), with the editors' choice of home lead and with every change
    /// to a section (`0028_sections_counter`).
    pub content: i64,
    /// Grows with every change to what decides a signed-in reader's access:
    /// accounts, sessions (not their last-seen time), grants,
    /// subscriptions, their ledgers and the plans.
    pub access: i64,
}

const COUNTERS_SQL: &str = "SELECT name, value FROM change_counters WHERE name IN ('content', 'access')";

impl Counters {
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

impl Store {
    /// The change counters as committed now.
    pub async fn counters(&self) -> Result<Counters> {
        match &self.pool {
            Pool::Sqlite { counters, .. } => counters.read(),
            Pool::Postgres(pool) => self.counter_reads.read(pool).await,
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
                tokio::spawn(self.clone().run(pool.clone()));
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
            for reply in asked {
                let _ = reply.send(read.clone());
            }
        }
    }
}

/// SQLite's direct counter reads: a few connections of its own, each used by
/// one thread at a time. Reads in WAL mode never wait for the writer.
#[derive(Debug)]
pub(crate) struct CounterReader {
    path: PathBuf,
    idle: Mutex<Vec<rusqlite::Connection>>,
    /// Set after the first read (the database is only known to be in WAL
    /// mode, with its tables, once a read worked); `None` inside when the
    /// WAL index cannot be watched, and every read then queries.
    wal: OnceLock<Option<WalWatch>>,
    /// The last counters read, with the WAL index header seen just before.
    last: Mutex<Option<(WalStamp, Counters)>>,
}

impl CounterReader {
    /// A reader for the database file at `path` (`DatabaseUrl` refuses
    /// in-memory databases, which another connection could not see).
    pub(crate) fn new(path: &Path) -> Self {
        Self { path: path.to_owned(), idle: Mutex::new(Vec::new()), wal: OnceLock::new(), last: Mutex::new(None) }
    }

    /// The counters: the last ones read while no commit has happened since,
    /// else read now. The header is looked at *before* the query, so a
    /// commit racing with the query at worst causes one more query later.
    fn read(&self) -> Result<Counters> {
        let stamp = self.stamp();
        let lock = || self.last.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(stamp) = stamp
            && let Some((seen, counters)) = *lock()
            && seen == stamp
        {
            return Ok(counters);
        }
        let counters = self.query_now()?;
        match stamp {
            Some(stamp) => *lock() = Some((stamp, counters)),
            None => {
                self.wal.get_or_init(|| WalWatch::open(&self.path));
            }
        }
        Ok(counters)
    }

    fn query_now(&self) -> Result<Counters> {
        let idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop();
        let connection = match idle {
            Some(connection) => connection,
            None => Self::open(&self.path)?,
        };
        let counters = Self::query(&connection)?;
        self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(connection);
        Ok(counters)
    }

    fn open(path: &Path) -> Result<rusqlite::Connection> {
        use rusqlite::OpenFlags;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = rusqlite::Connection::open_with_flags(path, flags)?;
        connection.busy_timeout(Duration::from_secs(10))?;
        Ok(connection)
    }

    /// The WAL index header now, when it is watched.
    pub(crate) fn stamp(&self) -> Option<WalStamp> {
        self.wal.get().and_then(Option::as_ref).map(WalWatch::stamp)
    }

    /// A transaction begun under the write lock when the header was
    /// `before`, which saw `counters`, has committed. If no other commit has
    /// happened since (its `iChange` moved by exactly one), the counters now
    /// are `counters`, and the next read need not query them.
    pub(crate) fn committed(&self, before: WalStamp, counters: Counters) {
        if let Some(after) = self.stamp()
            && after[I_CHANGE] == before[I_CHANGE].wrapping_add(1)
        {
            *self.last.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((after, counters));
        }
    }

    pub(crate) fn query(connection: &rusqlite::Connection) -> Result<Counters> {
        let mut statement = connection.prepare_cached(COUNTERS_SQL)?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Counters::from_rows(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

/// The first copy of SQLite's WAL index header, as twelve words.
pub(crate) type WalStamp = [u32; 12];

/// The header's word that counts transactions (`iChange`).
const I_CHANGE: usize = 2;

/// A read-only view of the database's WAL index (the shared memory every
/// connection to a WAL database maps, format at
/// <https://sqlite.org/walformat.html>). The first copy of its 48-byte
/// header is the last thing a commit writes, and it changes with every
/// commit (`iChange`, `mxFrame`, checksums), from any process.
///
/// The index is reached through SQLite's own mapping of it, on a connection
/// kept open for the purpose: opening the `-shm` file ourselves would, on
/// closing it, drop the POSIX locks SQLite holds on it for this process.
#[derive(Debug)]
struct WalWatch {
    /// Where SQLite mapped the index's first region. An address rather than
    /// a pointer, so the watch can move between threads; valid while `pin`
    /// is open.
    header: usize,
    /// The connection whose mapping `header` points into. Never used again
    /// (the lock only makes it shareable), so SQLite never unmaps it.
    _pin: Mutex<rusqlite::Connection>,
}

/// The WAL index's region size (`WALINDEX_PGSZ` in SQLite).
const WAL_INDEX_REGION: i32 = 32 * 1024;

#[allow(unsafe_code)]
impl WalWatch {
    /// Watches the WAL index of the database at `path`, or `None` when it
    /// is not in WAL mode or SQLite does not share the index in memory.
    fn open(path: &Path) -> Option<Self> {
        use rusqlite::ffi;
        let pin = CounterReader::open(path).ok()?;
        let mode: String = pin.query_row("PRAGMA journal_mode", [], |row| row.get(0)).ok()?;
        if !mode.eq_ignore_ascii_case("wal") {
            return None;
        }
        // A read opens the connection's WAL, and with it the index.
        CounterReader::query(&pin).ok()?;
        let mut file: *mut ffi::sqlite3_file = std::ptr::null_mut();
        let mut region: *mut std::ffi::c_void = std::ptr::null_mut();
        // SAFETY: `pin` is open and used by no one else; FILE_POINTER writes
        // the main database's `sqlite3_file`, whose methods SQLite calls the
        // same way (`xShmMap` exists from version 2 of the methods). With
        // `bExtend` 0 the call only looks up region 0, already mapped by
        // the read above, and leaves it mapped until `pin` closes.
        unsafe {
            let status = ffi::sqlite3_file_control(
                pin.handle(),
                c"main".as_ptr(),
                ffi::SQLITE_FCNTL_FILE_POINTER,
                (&raw mut file).cast(),
            );
            if status != ffi::SQLITE_OK || file.is_null() || (*file).pMethods.is_null() {
                return None;
            }
            let methods = &*(*file).pMethods;
            let map = methods.xShmMap.filter(|_| methods.iVersion >= 2)?;
            if map(file, 0, WAL_INDEX_REGION, 0, &raw mut region) != ffi::SQLITE_OK {
                return None;
            }
        }
        (!region.is_null()).then(|| Self { header: region as usize, _pin: Mutex::new(pin) })
    }

    fn stamp(&self) -> WalStamp {
        let words = self.header as *const AtomicU32;
        // SAFETY: `header` is the start of a mapped 32 KiB region, aligned
        // (SQLite maps it page-aligned) and alive while `_pin` is open, that
        // is, as long as `self`. Other connections write it concurrently,
        // hence atomic loads only.
        let stamp = std::array::from_fn(|i| unsafe { &*words.add(i) }.load(Ordering::Relaxed));
        std::sync::atomic::fence(Ordering::Acquire);
        stamp
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
        let watch = reader.wal.get().unwrap().as_ref().expect("a WAL database is watched");
        let quiet = watch.stamp();
        assert_eq!(reader.read().unwrap(), Counters { content: 1, access: 1 });
        assert_eq!(watch.stamp(), quiet, "nothing committed, nothing moved");

        writer.execute("UPDATE change_counters SET value = value + 1 WHERE name = 'content'", []).unwrap();
        assert_ne!(watch.stamp(), quiet, "a commit moves the header");
        assert_eq!(reader.read().unwrap(), Counters { content: 2, access: 1 });
        // A commit that leaves the counters alone still makes the next read look again.
        writer.execute("UPDATE change_counters SET value = value WHERE name = 'access'", []).unwrap();
        writer.execute("UPDATE change_counters SET value = value + 5 WHERE name = 'access'", []).unwrap();
        assert_eq!(reader.read().unwrap(), Counters { content: 2, access: 6 });
    }

    #[test]
    fn a_database_not_in_wal_mode_is_read_every_time() {
        let dir = tempfile::tempdir().unwrap();
        let (path, writer) = database(dir.path());
        writer.execute_batch("PRAGMA journal_mode = DELETE").unwrap();
        let reader = CounterReader::new(&path);
        assert_eq!(reader.read().unwrap(), Counters { content: 1, access: 1 });
        assert!(reader.wal.get().unwrap().is_none());
        writer.execute("UPDATE change_counters SET value = 9 WHERE name = 'content'", []).unwrap();
        assert_eq!(reader.read().unwrap(), Counters { content: 9, access: 1 });
    }
}
