//! Storage errors. Callers turn `Query` and `Corrupt` into a logged 500 —
//! except a database out of reach ([`StoreError::is_unavailable`]: its
//! connections cut, restarting, the pool waiting in vain), which is a 503 to
//! retry; the others are operator mistakes and carry the fix in their message.

use thiserror::Error;

use crate::DatabaseUrl;

/// What can go wrong talking to the database.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The URL names an engine we do not run on.
    #[error(
        "unsupported database URL {0:?}: use sqlite://PATH for the embedded database or postgres://USER@HOST:PORT/DATABASE for PostgreSQL"
    )]
    UnsupportedUrl(String),
    /// The database could not be opened or reached.
    #[error("cannot open database {url}: {source}{hint}")]
    Connect {
        /// The URL, password hidden.
        url: String,
        /// What to check.
        hint: &'static str,
        /// The driver's reason.
        source: sqlx::Error,
    },
    /// A migration failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A query failed.
    #[error("database query failed: {0}")]
    Query(#[from] sqlx::Error),
    /// The change counters could not be read on SQLite's direct path.
    #[error("cannot read the change counters: {0}")]
    Counters(#[from] rusqlite::Error),
    /// A backup this store cannot make: PostgreSQL's, or a path SQLite cannot name.
    #[error("cannot back up: {0}")]
    Backup(String),
    /// The meter's writer cannot take reads.
    #[error("the meter writer cannot record reads: {0}")]
    MeterWriter(String),
    /// The same failure, handed to every request that waited for one shared query.
    #[error(transparent)]
    Shared(std::sync::Arc<StoreError>),
    /// A stored row cannot be read back (a bug or manual tampering).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Whether the database could not be reached, rather than refusing or
    /// failing the query: the connection broke or was cut (PostgreSQL
    /// restarting, an administrator ending backends), or none came free in
    /// time. Nothing was decided; asking again later may well succeed.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::Query(error) => driver_unavailable(error),
            Self::Shared(error) => error.is_unavailable(),
            _ => false,
        }
    }

    pub(crate) fn connect(url: &DatabaseUrl, source: sqlx::Error) -> Self {
        let hint = match url {
            DatabaseUrl::Sqlite(_) => " (check that the directory exists and is writable)",
            DatabaseUrl::Postgres(_) => " (check that PostgreSQL is running and the database exists)",
        };
        Self::Connect { url: url.to_string(), hint, source }
    }
}

/// Whether a driver error means the server is out of reach (see
/// [`StoreError::is_unavailable`]).
fn driver_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::WorkerCrashed => true,
        // PostgreSQL's class 08 (connection exception), and 57P01–57P03:
        // terminated by an administrator, crash shutdown, starting up.
        sqlx::Error::Database(error) => {
            error.code().is_some_and(|code| code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03"))
        }
        _ => false,
    }
}
