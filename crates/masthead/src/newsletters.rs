//! `masthead newsletters ...` and the newsletter flags every serving
//! command takes: how often each server runs the send job, and how fast it
//! may send.

use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use masthead_domain::PublisherZone;
use masthead_newsletter::{Desk, Links, Settings};
use masthead_web::NewsletterConfig;

use crate::cli::{Site, Target};

/// The send job inside each server.
#[derive(Debug, Args)]
pub struct NewsletterFlags {
    /// Seconds between looks for due newsletter issues inside the server; 0
    /// leaves sending to `masthead newsletters send-due` (from cron, say).
    #[arg(long, env = "MASTHEAD_NEWSLETTER_INTERVAL", default_value_t = 30)]
    pub newsletter_interval: u64,
    /// At most this many newsletter messages a second (a mail provider's
    /// limit); 0: as fast as the mail server takes them.
    #[arg(long, env = "MASTHEAD_NEWSLETTER_RATE", default_value_t = 0)]
    pub newsletter_rate: u32,
}

impl NewsletterFlags {
    /// The settings these flags give.
    pub fn config(&self) -> NewsletterConfig {
        NewsletterConfig {
            interval: (self.newsletter_interval > 0).then(|| Duration::from_secs(self.newsletter_interval)),
            settings: Settings {
                rate: (self.newsletter_rate > 0).then_some(self.newsletter_rate),
                ..Settings::default()
            },
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum NewslettersCommand {
    /// Send what is due once: assemble the automatic digests whose time has
    /// come, then send every due issue to its confirmed readers. Safe beside
    /// running servers and after a crash: each recipient is claimed once in
    /// the database, so nobody gets an issue twice.
    SendDue {
        #[command(flatten)]
        target: Target,
        /// Act as if it were this instant (RFC 3339, e.g. 2026-11-27T01:30:00Z).
        #[arg(long)]
        now: Option<String>,
        #[command(flatten)]
        site: Site,
    },
}

/// Runs a `masthead newsletters` command.
pub async fn run(command: NewslettersCommand) -> Result<()> {
    match command {
        NewslettersCommand::SendDue { target, now, site } => {
            let now = match now {
                Some(now) => DateTime::parse_from_rfc3339(&now)
                    .with_context(|| format!("--now {now:?} is not an RFC 3339 instant"))?
                    .with_timezone(&Utc),
                None => Utc::now(),
            };
            let default_outbox =
                target.data_dir.as_ref().map_or_else(|| masthead_web::DEFAULT_OUTBOX.into(), |dir| dir.join("outbox"));
            let store = crate::commands::open_target(&target).await?;
            let (mailer, mail_goes) = crate::commands::mailer(&site, default_outbox)?;
            let desk = Desk {
                store: store.clone(),
                mailer,
                publisher: site.publisher_name.clone(),
                links: Links {
                    public_url: site
                        .public_url
                        .clone()
                        .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned())
                        .trim_end_matches('/')
                        .to_owned(),
                },
                zone: PublisherZone::default(),
                settings: site.newsletters.config().settings,
            };
            let report = desk.run_due(now).await?;
            println!(
                "digests assembled {}, issues finished {}, sent {}, skipped {}, failed {} (mail {mail_goes})",
                report.assembled, report.finished, report.sent, report.skipped, report.failed
            );
            store.close().await;
            anyhow::ensure!(report.failed == 0, "{} message(s) could not be sent (see the log)", report.failed);
            Ok(())
        }
    }
}
