//! Change counters: numbers that grow with every committed change of a kind,
//! bumped by triggers in the same transaction as the change (migrations
//! `0010_change_counters`, `0012_access_counter`). A cache that remembers the
//! numbers it was filled at knows, with one cheap read, whether anything it
//! holds may be stale — whichever process or instance made the change.
//!
//! The read happens on every request, so on SQLite it skips the pool: a
//! [`CounterReader`] reads the counters on the calling thread through its own
//! connections, in microseconds, where a pooled query costs a round trip to
//! the driver's connection thread. On PostgreSQL it is one pooled query.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use crate::{Result, Store, StoreError, on_pool};

/// The change counters at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counters {
    /// Grows with every write to a story (publish, update, unpublish,
    /// import) and with the editors' choice of home lead.
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
        if let Some(reader) = &self.counter_reader {
            return reader.read();
        }
        let rows: Vec<(String, i64)> = on_pool!(self, pool => sqlx::query_as(COUNTERS_SQL).fetch_all(pool).await)?;
        Counters::from_rows(rows)
    }
}

/// SQLite's direct counter reads: a few connections of its own, each used by
/// one thread at a time. Reads in WAL mode never wait for the writer.
#[derive(Debug)]
pub(crate) struct CounterReader {
    path: PathBuf,
    idle: Mutex<Vec<rusqlite::Connection>>,
}

impl CounterReader {
    /// A reader for the database file at `path`, or `None` for an in-memory
    /// database (another connection would see another database).
    pub(crate) fn for_file(path: &Path) -> Option<Self> {
        let name = path.to_string_lossy();
        let in_memory = name == ":memory:" || name.contains("mode=memory");
        (!in_memory).then(|| Self { path: path.to_owned(), idle: Mutex::new(Vec::new()) })
    }

    fn read(&self) -> Result<Counters> {
        let idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop();
        let connection = match idle {
            Some(connection) => connection,
            None => self.open()?,
        };
        let counters = Self::query(&connection)?;
        self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(connection);
        Ok(counters)
    }

    fn open(&self) -> Result<rusqlite::Connection> {
        use rusqlite::OpenFlags;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = rusqlite::Connection::open_with_flags(&self.path, flags)?;
        connection.busy_timeout(Duration::from_secs(10))?;
        Ok(connection)
    }

    fn query(connection: &rusqlite::Connection) -> Result<Counters> {
        let mut statement = connection.prepare_cached(COUNTERS_SQL)?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Counters::from_rows(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
