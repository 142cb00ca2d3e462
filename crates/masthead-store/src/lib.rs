//! Masthead's storage: one [`Store`] over two engines.
//!
//! SQLite (in WAL mode) is the embedded default: a file in the data directory and
//! nothing to set up. PostgreSQL is for several instances sharing one database.
//! The engine is chosen by the database URL's scheme (`sqlite://`, `postgres://`)
//! and any other scheme is refused with a message saying what to use.
//!
//! Every query is written once, in SQL both engines accept, and runs on each
//! engine's native driver: the [`on_pool!`] macro expands one query into a match
//! over the two pools, so the two backends cannot drift apart. Where the engines
//! really differ — connection settings, migrations — the code says so in an
//! explicit match arm, and each backend keeps its own migrations folder.
//!
//! Instants are stored as unix seconds (UTC) and become `DateTime<Utc>` at this
//! boundary.

mod accounts;
mod ads;
mod articles;
mod billing;
mod blobs;
mod changes;
mod entitlements;
mod epaper;
mod error;
mod experiments;
mod gifts;
mod group_commit;
mod groups;
mod insights;
mod invoices;
mod media;
mod meter;
mod meter_trim;
mod newsletters;
mod newsroom;
mod offers;
mod partner_codes;
mod plans;
mod refunds;
mod retention;
mod search_log;
pub mod telemetry;
mod url;
mod wire;

use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use changes::CounterReader;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

pub use accounts::{NewSession, ReaderRecord, SessionKind, SessionOwner, SessionRecord, TokenPurpose};
pub use ads::HouseAd;
pub use billing::{GRACE, Issuer, PaymentIn, PaymentReview, Recorded, SubscriptionRecord};
pub use blobs::{Blob, BlobRef, blob_name};
pub use changes::{Counter, Counters};
pub use epaper::{
    ClipRecord, Clipping, EditionRecord, NewClip, NewEdition, NewFile, NewPage, NewRegion, PageHit, PageRecord,
    RegionRecord,
};
pub use error::StoreError;
pub use experiments::{ExperimentState, StoredExperiment};
pub use gifts::{GiftListing, GiftProgress, GiftPurchase, GiftRecord};
pub use groups::{GroupLink, GroupRecord, PendingInvite, Seat, SeatRefusal};
pub use insights::{Breakdown, CHECKOUT_STARTED, DayCount, NewEvent, RollUp, SUBSCRIPTION_PAID};
pub use invoices::{GiftLine, Invoice};
pub use media::{ImageVariant, NewImage, StoredImage};
pub use meter::{MeteredRead, ReadOutcome};
pub use meter_trim::{MeterTrim, Totals as MeterTotals};
pub use newsletters::{
    DeliveryOutcome, IssueRecord, ListMember, ListState, NewIssue, NewsletterRecord, Suppression, SuppressionReason,
};
pub use newsroom::{
    AgencyRule, DeskArticle, DeskStatus, DeskStory, Revision, StaffMember, StoryContent, StoryFilter, Transition,
};
pub use partner_codes::{CodeImport, PartnerCode};
pub use refunds::{CreditNote, PaymentLine, RefundAsk, RefundIn, RefundRecord, Settled};
pub use search_log::LogTrim;
pub use url::DatabaseUrl;
pub use wire::{AgencyRouting, DEFAULT_BREAKING_URGENCY, WireKey, WireOutcome, WireStory};

/// Result of a storage call.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An instant stored as unix seconds.
pub(crate) fn instant(seconds: i64) -> Result<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp(seconds, 0)
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {seconds} out of range")))
}

/// The two engines' connection pools. SQLite's comes with the connections
/// of its own that bypass the pool.
#[derive(Debug, Clone)]
enum Pool {
    Sqlite {
        pool: SqlitePool,
        /// The direct path to the change counters (see [`changes`]).
        counters: Arc<CounterReader>,
        /// The meter writes (see [`meter`]).
        meter: Arc<meter::SqliteMeter>,
    },
    Postgres(PgPool),
}

/// SQLite's checkpoint (see [`Store::checkpoint`]).
pub(crate) async fn checkpoint_sqlite(pool: &SqlitePool) -> Result<()> {
    sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(pool).await?;
    sqlx::query("PRAGMA wal_checkpoint(RESTART)").execute(pool).await?;
    Ok(())
}

/// Begins a transaction that will write. On SQLite it takes the write lock
/// at once (`BEGIN IMMEDIATE`): a deferred transaction that read first cannot
/// upgrade once another connection has committed, and fails with "database
/// is locked" without waiting out the busy timeout. Every transaction in the
/// store writes, so every one begins here.
pub(crate) trait BeginWrite {
    type Db: sqlx::Database;
    fn begin_write(&self) -> impl Future<Output = sqlx::Result<sqlx::Transaction<'static, Self::Db>>> + Send;
}

impl BeginWrite for SqlitePool {
    type Db = sqlx::Sqlite;
    fn begin_write(&self) -> impl Future<Output = sqlx::Result<sqlx::Transaction<'static, sqlx::Sqlite>>> + Send {
        self.begin_with("BEGIN IMMEDIATE")
    }
}

impl BeginWrite for PgPool {
    type Db = sqlx::Postgres;
    fn begin_write(&self) -> impl Future<Output = sqlx::Result<sqlx::Transaction<'static, sqlx::Postgres>>> + Send {
        self.begin()
    }
}

/// Runs the same expression against whichever pool the store holds. The
/// expression is compiled once per engine, with that engine's native types.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::Pool::Sqlite { pool: $pool, .. } => $body,
            $crate::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// The database behind Masthead. Cheap to clone: clones share one pool,
/// and one meter writer (started by the first metered read).
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    meter_writer: Arc<OnceLock<std::result::Result<group_commit::GroupCommit, String>>>,
    /// The funnel's event writer, started by the first event (see [`insights`]).
    event_log: Arc<OnceLock<insights::EventLog>>,
    /// PostgreSQL's change counters, one query shared by the requests that
    /// ask at once (see [`changes`]).
    counter_reads: Arc<changes::SharedRead>,
    /// PostgreSQL's content counter as the change notifications leave it,
    /// with the connection listening for them (started by the first read).
    notified: Arc<OnceLock<Arc<changes::Notified>>>,
}

impl Store {
    /// Connects to the database a URL names, creating an SQLite file if missing.
    #[tracing::instrument(skip_all, fields(backend))]
    pub async fn connect(url: &DatabaseUrl) -> Result<Self> {
        let pool = match url {
            DatabaseUrl::Sqlite(raw) => {
                let options = SqliteConnectOptions::from_str(raw)
                    .map_err(|e| StoreError::connect(url, e))?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    // A log that grew in a burst shrinks back once it starts over.
                    .pragma("journal_size_limit", (64 * 1024 * 1024).to_string());
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .connect_with(options)
                    .await
                    .map_err(|e| StoreError::connect(url, e))?;
                let options = pool.connect_options();
                let path = options.get_filename();
                let counters = Arc::new(CounterReader::new(path));
                let meter = Arc::new(meter::SqliteMeter::new(path));
                Pool::Sqlite { pool, counters, meter }
            }
            DatabaseUrl::Postgres(raw) => {
                let pool = PgPoolOptions::new()
                    // Sixteen for requests and jobs, one listening for content changes (see `changes`).
                    .max_connections(17)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(raw)
                    .await
                    .map_err(|e| StoreError::connect(url, e))?;
                Pool::Postgres(pool)
            }
        };
        tracing::Span::current().record("backend", url.backend());
        Ok(Self {
            pool,
            meter_writer: Arc::default(),
            event_log: Arc::default(),
            counter_reads: Arc::default(),
            notified: Arc::default(),
        })
    }

    /// Brings the schema up to date with this backend's migrations.
    #[tracing::instrument(skip_all)]
    pub async fn migrate(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite { pool, .. } => self.migrator().run(pool).await?,
            Pool::Postgres(pool) => self.migrator().run(pool).await?,
        }
        Ok(())
    }

    /// This backend's migrations, as built into the binary.
    fn migrator(&self) -> sqlx::migrate::Migrator {
        match self.pool {
            Pool::Sqlite { .. } => sqlx::migrate!("migrations/sqlite"),
            Pool::Postgres(_) => sqlx::migrate!("migrations/postgres"),
        }
    }

    /// The migrations [`Store::migrate`] would apply, as "VERSION
    /// description", oldest first (all of them on a database never
    /// migrated); and how many this binary has. Changes nothing.
    pub async fn pending_migrations(&self) -> Result<(Vec<String>, usize)> {
        const APPLIED: &str = "SELECT version FROM _sqlx_migrations WHERE success";
        let table = on_pool!(self, pool => sqlx::query_scalar::<_, i64>(APPLIED).fetch_all(pool).await);
        let applied = match table {
            Ok(versions) => versions,
            // No migrations table yet: nothing applied.
            Err(sqlx::Error::Database(_)) => Vec::new(),
            Err(error) => return Err(error.into()),
        };
        let migrator = self.migrator();
        let ups: Vec<_> = migrator.iter().filter(|m| !m.migration_type.is_down_migration()).collect();
        let pending = ups
            .iter()
            .filter(|m| !applied.contains(&m.version))
            .map(|m| format!("{} {}", m.version, m.description))
            .collect();
        Ok((pending, ups.len()))
    }

    /// Which engine this store runs on: `"sqlite"` or `"postgres"`.
    pub fn backend(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite { .. } => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    /// Answers once the database does: what `/healthz` asks.
    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// SQLite: copies what the write-ahead log holds into the database file
    /// as far as readers allow, without holding up the writer (a passive
    /// checkpoint, with its sync); then copies what was committed meanwhile
    /// and waits for the readers still on the log (a restart checkpoint,
    /// which holds the writer for that short while), so the next commit
    /// starts the log over. A server runs this in the background, so the
    /// meter's writer never carries a checkpoint's cost: a passive
    /// checkpoint alone never finds a busy log free to start over, and the
    /// log grows without end. PostgreSQL: nothing to do.
    pub async fn checkpoint(&self) -> Result<()> {
        if let Pool::Sqlite { pool, .. } = &self.pool {
            checkpoint_sqlite(pool).await?;
        }
        Ok(())
    }

    /// Writes a consistent copy of the database to `path`, a new file, while
    /// other connections and processes go on writing. SQLite: `VACUUM INTO`
    /// reads one snapshot (in WAL mode a reader never holds up the writer)
    /// and writes it out compacted; it refuses a file that exists and is not
    /// empty. PostgreSQL has its own tools, so it is refused with that advice.
    pub async fn backup_to(&self, path: &std::path::Path) -> Result<()> {
        match &self.pool {
            Pool::Sqlite { pool, .. } => {
                let name = path
                    .to_str()
                    .ok_or_else(|| StoreError::Backup(format!("{} is not a UTF-8 path", path.display())))?;
                sqlx::query("VACUUM INTO ?").bind(name).execute(pool).await?;
                Ok(())
            }
            Pool::Postgres(_) => Err(StoreError::Backup(
                "a PostgreSQL database is backed up with pg_dump -Fc (or base backups with pg_basebackup)".to_owned(),
            )),
        }
    }

    /// Closes every connection; waits for those in use.
    pub async fn close(&self) {
        self.stop_listening();
        on_pool!(self, pool => pool.close().await);
    }
}
