//! The command line: every command and flag, with `--help` text.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Masthead: a news publisher's site, paywall and archive in one program.
#[derive(Debug, Parser)]
#[command(name = "masthead", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// How log lines are written: text for people, or json, one object a
    /// line (timestamp, level, target, fields, and the request's span), for
    /// a log collector. MASTHEAD_LOG chooses what is logged.
    #[arg(long, global = true, env = "MASTHEAD_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// The `--log-format` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One readable line an event.
    Text,
    /// One JSON object an event.
    Json,
}

/// An on/off choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    /// On.
    On,
    /// Off.
    Off,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the demo site: create the data directory, fill it with the demo
    /// archive if it is empty, and serve it.
    Demo {
        /// Where the SQLite database and other files live.
        #[arg(long, env = "MASTHEAD_DATA_DIR", default_value = "masthead-data")]
        data_dir: PathBuf,
        #[command(flatten)]
        listen: Listen,
        /// How many stories the demo archive holds (only used when seeding).
        #[arg(long, default_value_t = 30_000)]
        articles: u64,
        #[command(flatten)]
        site: Site,
    },
    /// Serve the site from a database.
    Serve {
        #[command(flatten)]
        database: Database,
        #[command(flatten)]
        listen: Listen,
        /// This instance's search index (each instance keeps its own and
        /// catches up from the database).
        #[arg(long, env = "MASTHEAD_INDEX_DIR", default_value = masthead_web::DEFAULT_INDEX_DIR)]
        index_dir: PathBuf,
        #[command(flatten)]
        site: Site,
    },
    /// Say what is wrong with a configuration before serving, one line per
    /// check (ok, or the problem and its fix): the database reachable and
    /// its migrations current, the search index writable, the public URL,
    /// the payment keys and webhook secrets, the SMTP URL and DKIM key.
    /// Takes serve's options; fails if any check does. Changes nothing.
    Check {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        listen: Listen,
        /// The search index serve would use [default: DATA_DIR/search with
        /// --data-dir, else ./masthead-index].
        #[arg(long, env = "MASTHEAD_INDEX_DIR")]
        index_dir: Option<PathBuf>,
        #[command(flatten)]
        site: Site,
    },
    /// Create or update the database schema.
    Migrate {
        #[command(flatten)]
        database: Database,
    },
    /// Wire copy from news agencies.
    Wire {
        #[command(subcommand)]
        command: WireCommand,
    },
    /// Rebuild the search index from the database into a fresh directory,
    /// then swap it in (a running server keeps answering and follows the swap).
    Reindex {
        /// The demo's data directory: its database, and its index in DIR/search.
        #[arg(long, env = "MASTHEAD_DATA_DIR", conflicts_with = "database_url")]
        data_dir: Option<PathBuf>,
        /// sqlite://PATH or postgres://USER@HOST:PORT/DATABASE.
        #[arg(long, env = "MASTHEAD_DATABASE_URL")]
        database_url: Option<String>,
        /// The index to rebuild [default: DATA_DIR/search with --data-dir, else ./masthead-index].
        #[arg(long, env = "MASTHEAD_INDEX_DIR")]
        index_dir: Option<PathBuf>,
    },
    /// Copy the SQLite database to a new file while the site serves: a
    /// consistent snapshot (SQLite's VACUUM INTO). Prints the file, its size
    /// and the time taken. PostgreSQL is backed up with pg_dump or
    /// pg_basebackup instead (see README, Backups).
    Backup {
        #[command(flatten)]
        target: Target,
        /// The file to write; refused if it exists.
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Delete past months' paywall meters (a running server does this every
    /// hour), keeping per month the meters, the free stories read and how
    /// many meters reached the limit. Prints what it deleted.
    TrimMeters {
        #[command(flatten)]
        target: Target,
        /// Meters of months before this one go, as YYYYMM (the publisher's
        /// calendar) [default: the current month].
        #[arg(long, value_name = "YYYYMM", value_parser = parse_month)]
        before: Option<i64>,
        /// The meter's monthly limit, for the totals' count of meters that reached it.
        #[arg(long, env = "MASTHEAD_METER_LIMIT", default_value_t = 10)]
        meter_limit: u32,
    },
    /// Roll the reader funnel's raw events of days older than the window
    /// into daily counts and delete them (a running server does this every
    /// hour). Prints what it rolled up.
    RollUpInsights {
        #[command(flatten)]
        target: Target,
        /// Days of raw events kept: today's and the days before it.
        #[arg(long, env = "MASTHEAD_INSIGHTS_RAW_DAYS", default_value_t = masthead_insights::rollup::DEFAULT_RAW_DAYS)]
        insights_raw_days: u32,
    },
    /// Subscriptions' money side: the renewal job.
    Billing {
        #[command(subcommand)]
        command: crate::billing::BillingCommand,
    },
    /// Newsletters: send the next issue of one, or whatever is due.
    #[command(visible_alias = "newsletter")]
    Newsletters {
        #[command(subcommand)]
        command: crate::newsletters::NewslettersCommand,
    },
    /// The e-paper: import a day's printed edition.
    Epaper {
        #[command(subcommand)]
        command: crate::epaper::EpaperCommand,
    },
    /// Newsroom staff accounts.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Fill an empty database with the demo sections and archive.
    Seed {
        #[command(flatten)]
        database: Database,
        /// How many stories to generate, from 1 January 1997 to today.
        #[arg(long, default_value_t = 30_000)]
        articles: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum WireCommand {
    /// Import agency files — IPTC ninjs, NewsML-G2, NewsML 1.x, NITF, RSS or
    /// Atom — from files or folders. Prints one line per item: created,
    /// scheduled (embargoed), updated, unchanged, skipped or rejected;
    /// grouped for a package; note for what was assumed.
    Import {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        import: WireOptions,
        /// Files or folders to import (folders are read recursively).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Watch an inbox folder: import each file dropped there (then move it to
    /// INBOX/done/, or INBOX/rejected/ with a NAME.reason.txt), and fetch the
    /// feed URL of every agency rule that has one. Same lines as import.
    Watch {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        import: WireOptions,
        /// Seconds between looks at the inbox.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
        every: u64,
        /// Seconds between fetches of the agencies' feeds.
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
        feed_every: u64,
        /// Do one round (inbox and feeds), then stop.
        #[arg(long)]
        once: bool,
        /// The inbox folder agencies deliver to.
        inbox: PathBuf,
    },
}

/// How wire items become stories.
#[derive(Debug, Args)]
pub struct WireOptions {
    /// Publish new stories at once, whatever the agency's rule says (without
    /// a rule, an agency's stories are queued as drafts for an editor).
    #[arg(long)]
    pub publish: bool,
    /// The section new stories go to [default: the agency rule's section, else world].
    #[arg(long)]
    pub section: Option<String>,
    /// The agency's name, for files that do not give one.
    #[arg(long)]
    pub agency: Option<String>,
    /// The site's public address, for the story URLs printed [default: print paths].
    #[arg(long, env = "MASTHEAD_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Also print a note for every field or element the parser left out.
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Give an account a newsroom role (writer, editor or admin; reader takes
    /// it away), creating the account if the address has none. Prints a
    /// single-use link to set the password, unless --password-stdin.
    Add {
        /// The account's email address.
        email: String,
        /// writer, editor, admin (or reader).
        #[arg(long)]
        role: String,
        #[command(flatten)]
        target: Target,
        /// Read the password from the first line of stdin instead of printing a link.
        #[arg(long)]
        password_stdin: bool,
        /// The site's public address, for the link printed.
        #[arg(long, env = "MASTHEAD_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
        public_url: String,
    },
}

/// Which database a command works on: the demo's data directory, or a URL.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct Target {
    /// A data directory made by `masthead demo` (its SQLite database).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// sqlite://PATH or postgres://USER@HOST:PORT/DATABASE.
    #[arg(long, env = "MASTHEAD_DATABASE_URL")]
    pub database_url: Option<String>,
}

/// A month as YYYYMM.
fn parse_month(raw: &str) -> Result<i64, String> {
    let month: i64 = raw.parse().map_err(|_| format!("{raw:?} is not a month; write it as YYYYMM, e.g. 202611"))?;
    if (1..=12).contains(&(month % 100)) && (1970..=9999).contains(&(month / 100)) {
        Ok(month)
    } else {
        Err(format!("{raw:?} is not a month; write it as YYYYMM, e.g. 202611"))
    }
}

#[derive(Debug, Args)]
pub struct Database {
    /// sqlite://PATH (embedded) or postgres://USER@HOST:PORT/DATABASE.
    #[arg(long, env = "MASTHEAD_DATABASE_URL")]
    pub database_url: String,
}

#[derive(Debug, Args)]
pub struct Listen {
    /// Address and port to serve on.
    #[arg(long, env = "MASTHEAD_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
}

#[derive(Debug, Args)]
pub struct Site {
    /// The publisher's name: masthead, titles and the wire-copy disclaimer.
    #[arg(long, env = "MASTHEAD_PUBLISHER_NAME", default_value = "Masthead Daily")]
    pub publisher_name: String,
    /// The site's public address for absolute links (default: the listen address).
    #[arg(long, env = "MASTHEAD_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Free stories a reader may read each calendar month (IST) before the paywall.
    #[arg(long, env = "MASTHEAD_METER_LIMIT", default_value_t = 10)]
    pub meter_limit: u32,
    /// Devices an account may have signed in at once; one more log-in signs
    /// out the least recently used.
    #[arg(long, env = "MASTHEAD_MAX_DEVICES", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_devices: u32,
    /// Stories older than this many days are in the archive, a subscriber benefit.
    #[arg(long, env = "MASTHEAD_ARCHIVE_AGE_DAYS", default_value_t = 30)]
    pub archive_age_days: u32,
    /// Reverse proxies (CIDR blocks or addresses, comma-separated) whose
    /// X-Forwarded-For names the client, for the per-address rate limits
    /// [default: none; the header is ignored].
    #[arg(long, env = "MASTHEAD_TRUSTED_PROXIES", value_name = "CIDR,...", value_delimiter = ',')]
    pub trusted_proxies: Vec<masthead_web::Cidr>,
    /// Hosts besides the site whose pictures story bodies may show
    /// (comma-separated); pictures from anywhere else are dropped.
    #[arg(long, env = "MASTHEAD_IMAGE_HOSTS", value_name = "HOST,...", value_delimiter = ',')]
    pub image_hosts: Vec<String>,
    /// Whether the reader funnel's events are recorded (`off`: no events,
    /// to measure what recording costs; payments still count, in their own
    /// transaction). Meter experiments are run from /newsroom/experiments.
    #[arg(long, env = "MASTHEAD_INSIGHTS", value_enum, default_value_t = Switch::On)]
    pub insights: Switch,
    /// Days the reader funnel's raw events are kept (today's and the days
    /// before it) before they are rolled up into daily counts.
    #[arg(long, env = "MASTHEAD_INSIGHTS_RAW_DAYS", default_value_t = masthead_insights::rollup::DEFAULT_RAW_DAYS)]
    pub insights_raw_days: u32,
    /// E-paper clips a reader may make each calendar month (IST).
    #[arg(long, env = "MASTHEAD_EPAPER_CLIPS_PER_MONTH", default_value_t = masthead_epaper::clip::DEFAULT_MONTHLY_CLIPS)]
    pub epaper_clips_per_month: u32,
    /// The most MiB one e-paper upload in the newsroom (all its PDFs and the
    /// sidecar) may have.
    #[arg(long, env = "MASTHEAD_EPAPER_UPLOAD_MB", value_name = "MB", default_value_t = masthead_web::DEFAULT_EPAPER_UPLOAD_MB)]
    pub epaper_upload_mb: usize,
    /// Serve /metrics (Prometheus text format: requests by route and status,
    /// latencies, meter batches, webhooks, search lag, job runs) on this
    /// address, apart from the site, for a scraper: keep it on loopback or a
    /// private network [default: off, and nothing is recorded].
    #[arg(long, env = "MASTHEAD_METRICS_LISTEN", value_name = "ADDR:PORT")]
    pub metrics_listen: Option<SocketAddr>,
    #[command(flatten)]
    pub mail: Mail,
    #[command(flatten)]
    pub payments: crate::billing::PaymentFlags,
    #[command(flatten)]
    pub newsletters: crate::newsletters::NewsletterFlags,
}

/// How account mail (confirmations, password resets) leaves.
#[derive(Debug, Args)]
pub struct Mail {
    /// Write each message as an .eml file in this directory [default:
    /// DATA_DIR/outbox for `demo`, ./masthead-outbox for `serve`].
    #[arg(long = "outbox", env = "MASTHEAD_OUTBOX_DIR", value_name = "DIR")]
    pub outbox: Option<PathBuf>,
    /// Send through this SMTP server instead of the outbox:
    /// smtps://USER:PASSWORD@HOST (TLS), smtp://USER:PASSWORD@HOST:587?tls=required
    /// (STARTTLS) or smtp://HOST (plain, for a relay on the same host).
    #[arg(long, env = "MASTHEAD_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of account mail [default: "PUBLISHER <no-reply@masthead.invalid>"].
    #[arg(long, env = "MASTHEAD_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// DKIM-sign every message with this RSA private key (PEM); publish its
    /// public half as TXT at SELECTOR._domainkey.DOMAIN (see README).
    #[arg(long, env = "MASTHEAD_DKIM_KEY", value_name = "FILE", requires_all = ["dkim_selector", "dkim_domain"])]
    pub dkim_key: Option<PathBuf>,
    /// The DKIM selector (s=) the key is published under.
    #[arg(long, env = "MASTHEAD_DKIM_SELECTOR", value_name = "SELECTOR", requires = "dkim_key")]
    pub dkim_selector: Option<String>,
    /// The DKIM signing domain (d=), normally the domain of --mail-from.
    #[arg(long, env = "MASTHEAD_DKIM_DOMAIN", value_name = "DOMAIN", requires = "dkim_key")]
    pub dkim_domain: Option<String>,
}
