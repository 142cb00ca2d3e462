//! What each command does, with errors that say how to fix them.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use masthead_domain::PublisherZone;
use masthead_store::{DatabaseUrl, Store};
use masthead_web::{Application, Dkim, Mailer, PaymentConfig, SiteConfig};

use crate::cli::{Command, Mail, Site, StaffCommand, Switch, Target, WireCommand, WireOptions};
use crate::{billing, check, epaper, index, newsletters, seed, staff, watch, wire_import};

/// Whether log lines are JSON (`--log-format json`), set once by `main`:
/// then what the server tells its operator goes through the log too, so
/// that every line of its output is JSON.
pub static JSON_LOGS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Tells the operator something: a line on stderr, or a log event with JSON logs.
pub fn say(message: &str) {
    if JSON_LOGS.load(std::sync::atomic::Ordering::Relaxed) {
        tracing::info!("{message}");
    } else {
        eprintln!("{message}");
    }
}

pub async fn run(command: Command) -> Result<()> {
    match command {
        Command::Demo { data_dir, listen, articles, mut site } => {
            // The demo is test mode: it pays through the sandbox.
            site.payments.sandbox_payments = true;
            let payments = site.payments.config(&site.publisher_name)?;
            let store = open_data_dir(&data_dir).await?;
            let index_dir = data_dir.join("search");
            if store.article_count().await? == 0 {
                seed::demo_archive(&store, articles).await?;
                index::rebuild(&store, &index_dir).await?;
            } else {
                say(&format!("Using the existing demo archive in {}", data_dir.display()));
                masthead_newsletter::install_demo_lists(&store).await?;
            }
            epaper::demo_editions(&store, &site.publisher_name).await?;
            let outbox = data_dir.join("outbox");
            serve(store, site, payments, listen.listen, outbox, index_dir).await
        }
        Command::Serve { database, listen, index_dir, site } => {
            // Checked before the database is touched: a refused start changes nothing.
            let payments = site.payments.config(&site.publisher_name)?;
            let store = open(&database.database_url).await?;
            let outbox = PathBuf::from(masthead_web::DEFAULT_OUTBOX);
            serve(store, site, payments, listen.listen, outbox, index_dir).await
        }
        Command::Check { target, listen, index_dir, site } => check::run(&target, listen.listen, index_dir, site).await,
        Command::Reindex { data_dir, database_url, index_dir } => {
            let (store, default_index) = match (data_dir, database_url) {
                (Some(dir), _) => (open_data_dir(&dir).await?, dir.join("search")),
                (None, Some(url)) => (open(&url).await?, PathBuf::from(masthead_web::DEFAULT_INDEX_DIR)),
                (None, None) => anyhow::bail!("reindex needs --data-dir DIR or --database-url URL"),
            };
            index::rebuild(&store, &index_dir.unwrap_or(default_index)).await
        }
        Command::Backup { target, to } => backup(&target, &to).await,
        Command::TrimMeters { target, before, meter_limit } => {
            let store = open_target(&target).await?;
            let before = before.unwrap_or_else(|| PublisherZone::default().month_key(chrono::Utc::now()));
            let started = Instant::now();
            let trim = store.trim_meters(before, meter_limit).await?;
            println!(
                "Trimmed {} meters ({} stories read) of {} months before {before} in {:.2} seconds",
                trim.meters,
                trim.reads,
                trim.months,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::RollUpInsights { target, insights_raw_days } => {
            let store = open_target(&target).await?;
            let started = Instant::now();
            let zone = PublisherZone::default();
            let done = masthead_insights::rollup::run(&store, &zone, chrono::Utc::now(), insights_raw_days).await?;
            println!(
                "Rolled up {} funnel events of {} days into daily counts in {:.2} seconds",
                done.events,
                done.days,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Migrate { database } => {
            let store = open(&database.database_url).await?;
            eprintln!("Database schema is up to date ({}).", store.backend());
            Ok(())
        }
        Command::Seed { database, articles } => {
            let store = open(&database.database_url).await?;
            let existing = store.article_count().await?;
            anyhow::ensure!(
                existing == 0,
                "the database already holds {existing} stories; seed fills an empty database (point --database-url at a new one)"
            );
            seed::demo_archive(&store, articles).await
        }
        Command::Billing { command } => billing::run(command).await,
        Command::Newsletters { command } => newsletters::run(command).await,
        Command::Epaper { command } => epaper::run(command).await,
        Command::Staff { command: StaffCommand::Add { email, role, target, password_stdin, public_url } } => {
            let store = open_target(&target).await?;
            staff::add(&store, &email, &role, password_stdin, &public_url).await
        }
        Command::Wire { command: WireCommand::Import { target, import, paths } } => {
            let store = open_target(&target).await?;
            let report = wire_import::import(&store, &wire_options(import), &paths).await?;
            anyhow::ensure!(report.rejected == 0, "{} file(s) rejected (see above)", report.rejected);
            Ok(())
        }
        Command::Wire { command: WireCommand::Watch { target, import, every, feed_every, once, inbox } } => {
            let store = open_target(&target).await?;
            let settings = watch::Watch {
                inbox,
                every: Duration::from_secs(every),
                feed_every: Duration::from_secs(feed_every),
                once,
            };
            watch::run(&store, wire_options(import), &settings).await
        }
    }
}

fn wire_options(options: WireOptions) -> wire_import::Options {
    let WireOptions { publish, section, agency, public_url, verbose } = options;
    wire_import::Options { publish, section, agency, public_url, verbose }
}

/// Opens the database a [`Target`] names.
pub(crate) async fn open_target(target: &Target) -> Result<Store> {
    match (&target.data_dir, &target.database_url) {
        (Some(dir), _) => open_data_dir(dir).await,
        (None, Some(url)) => open(url).await,
        (None, None) => anyhow::bail!("say which database: --data-dir DIR or --database-url URL"),
    }
}

/// The SQLite database's file in a data directory made by `masthead demo`.
pub(crate) const DATA_DIR_DATABASE: &str = "masthead.db";

/// `masthead backup`: a consistent copy of the SQLite database in a new
/// file, taken while servers go on writing. It neither migrates nor creates
/// anything but the copy.
async fn backup(target: &Target, to: &Path) -> Result<()> {
    let url = match (&target.data_dir, &target.database_url) {
        (Some(dir), _) => {
            let file = dir.join(DATA_DIR_DATABASE);
            anyhow::ensure!(
                file.is_file(),
                "no database to back up: {} does not exist (give the data directory `masthead demo` uses)",
                file.display()
            );
            DatabaseUrl::sqlite_file(&file)
        }
        (None, Some(url)) => DatabaseUrl::parse(url)?,
        (None, None) => anyhow::bail!("say which database: --data-dir DIR or --database-url URL"),
    };
    anyhow::ensure!(
        url.backend() == "sqlite",
        "masthead backup copies SQLite databases; back up PostgreSQL with pg_dump -Fc or pg_basebackup (see README, Backups)"
    );
    anyhow::ensure!(
        !to.exists(),
        "{} already exists; backup writes a new file (move the old one away or choose another --to)",
        to.display()
    );
    let store = Store::connect(&url).await?;
    let started = Instant::now();
    let copied = store.backup_to(to).await;
    store.close().await;
    copied?;
    let bytes = std::fs::metadata(to).with_context(|| format!("cannot read the backup {}", to.display()))?.len();
    println!("Backed up {url} to {}: {bytes} bytes in {:.2} seconds", to.display(), started.elapsed().as_secs_f64());
    Ok(())
}

/// Connects and migrates.
async fn open(url: &str) -> Result<Store> {
    let url = DatabaseUrl::parse(url)?;
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    Ok(store)
}

/// Creates the data directory if needed and opens the SQLite database in it.
async fn open_data_dir(dir: &Path) -> Result<Store> {
    std::fs::create_dir_all(dir).with_context(|| {
        format!("cannot create data directory {} (choose a writable one with --data-dir)", dir.display())
    })?;
    probe_writable(dir).with_context(|| {
        format!("data directory {} is not writable (choose another with --data-dir)", dir.display())
    })?;
    let url = DatabaseUrl::sqlite_file(&dir.join(DATA_DIR_DATABASE));
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    Ok(store)
}

/// Writes and removes a file in `dir`: whether this process may create files there.
pub(crate) fn probe_writable(dir: &Path) -> std::io::Result<()> {
    let probe = dir.join(".masthead-write-test");
    std::fs::write(&probe, b"").and_then(|()| std::fs::remove_file(&probe))
}

/// The mailer the flags ask for (SMTP when given a URL, else the outbox),
/// and where it sends, for the start-up message.
pub(crate) fn mailer(site: &Site, default_outbox: PathBuf) -> Result<(Mailer, String)> {
    let (mailer, goes) = mail_transport(site, default_outbox)?;
    match dkim(&site.mail)? {
        Some((dkim, signed)) => Ok((mailer.with_dkim(dkim), format!("{goes}, {signed}"))),
        None => Ok((mailer, goes)),
    }
}

/// [`mailer`] without DKIM: SMTP or the outbox, from the sender the flags give.
pub(crate) fn mail_transport(site: &Site, default_outbox: PathBuf) -> Result<(Mailer, String)> {
    let from =
        site.mail.mail_from.clone().unwrap_or_else(|| {
            format!("{} <no-reply@masthead.invalid>", site.publisher_name.replace(['"', '<', '>'], ""))
        });
    let (mailer, goes) = match &site.mail.smtp_url {
        Some(url) => (Mailer::smtp(url, &from).context("cannot use --smtp-url")?, "sent through SMTP".to_owned()),
        None => {
            let outbox = site.mail.outbox.clone().unwrap_or(default_outbox);
            (
                Mailer::outbox(&outbox, &from).context("cannot use --mail-from")?,
                format!("written to {}", outbox.display()),
            )
        }
    };
    Ok((mailer, goes))
}

/// The DKIM key the flags give, read and checked, and how mail is signed with it.
pub(crate) fn dkim(mail: &Mail) -> Result<Option<(Dkim, String)>> {
    match (&mail.dkim_key, &mail.dkim_selector, &mail.dkim_domain) {
        (Some(key), Some(selector), Some(domain)) => {
            let dkim = Dkim::from_pem_file(key, selector, domain).context("cannot use --dkim-key")?;
            Ok(Some((dkim, format!("DKIM-signed as {selector}._domainkey.{domain}"))))
        }
        _ => Ok(None),
    }
}

async fn serve(
    store: Store,
    site: Site,
    payments: PaymentConfig,
    listen: std::net::SocketAddr,
    default_outbox: PathBuf,
    index_dir: PathBuf,
) -> Result<()> {
    let (mailer, mail_goes) = mailer(&site, default_outbox)?;
    let sandbox = payments.sandbox;
    let config = SiteConfig {
        publisher_name: site.publisher_name,
        public_url: site.public_url,
        zone: PublisherZone::default(),
        meter_limit: site.meter_limit,
        mailer,
        session_limit: site.max_devices,
        archive_age_days: site.archive_age_days,
        trusted_proxies: site.trusted_proxies,
        image_hosts: site.image_hosts,
        index_dir,
        payments,
        newsletters: site.newsletters.config(),
        epaper_clips_per_month: site.epaper_clips_per_month,
        insights_raw_days: site.insights_raw_days,
        record_events: site.insights == Switch::On,
        epaper_upload_limit: site.epaper_upload_mb.saturating_mul(1024 * 1024),
        metrics_listen: site.metrics_listen,
        ..SiteConfig::default()
    };
    let app = Application::build(store.clone(), config, listen).await?;
    if sandbox {
        say("The sandbox payment provider is on: subscriptions can be had for no money (test mode)");
    }
    say(&format!("Masthead is serving on http://{} (Ctrl-C to stop)", app.address()));
    if let Some(metrics) = app.metrics_address() {
        say(&format!("Metrics are served on http://{metrics}/metrics"));
    }
    say(&format!("Account mail is {mail_goes}"));
    app.serve(shutdown_signal()).await.context("the server stopped with an error")?;
    store.close().await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    say("Shutting down");
}
