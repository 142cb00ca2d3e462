//! `masthead newsletters ...` and the newsletter flags every serving
//! command takes: how often each server runs the send job, how fast it
//! may send, and who may report bounces and complaints.

use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use masthead_domain::PublisherZone;
use masthead_newsletter::bounces::SendgridKey;
use masthead_newsletter::{Desk, Links, Next, Report, Settings};
use masthead_web::{BasicAuth, BounceWebhooks, NewsletterConfig};

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
    /// SendGrid's public key for its Signed Event Webhook (base64, as its
    /// settings show it): turns on POST /webhooks/mail/sendgrid, where hard
    /// bounces and spam reports stop all newsletters to an address.
    #[arg(long, env = "MASTHEAD_SENDGRID_WEBHOOK_KEY", value_name = "BASE64",
          value_parser = SendgridKey::from_base64)]
    pub sendgrid_webhook_key: Option<SendgridKey>,
    /// The basic-auth credentials in Postmark's bounce and spam-complaint
    /// webhook URL (https://USER:PASSWORD@HOST/webhooks/mail/postmark):
    /// turns on that webhook.
    #[arg(long, env = "MASTHEAD_POSTMARK_WEBHOOK_AUTH", value_name = "USER:PASSWORD", hide_env_values = true)]
    pub postmark_webhook_auth: Option<BasicAuth>,
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
            webhooks: BounceWebhooks {
                sendgrid: self.sendgrid_webhook_key.clone(),
                postmark: self.postmark_webhook_auth.clone(),
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
    /// Send the next issue of one newsletter (the earliest not yet sent; a
    /// newsletter that assembles itself assembles one if none is waiting),
    /// with a progress bar, then print what was done. Safe beside running
    /// servers and after a crash, like send-due: run it again to finish.
    Send {
        #[command(flatten)]
        target: Target,
        /// The newsletter, as in /newsletters/SLUG.
        slug: String,
        /// Send it now even if it is scheduled later.
        #[arg(long)]
        now: bool,
        #[command(flatten)]
        site: Site,
    },
}

/// The send job on `store`, configured as the flags say; and where mail goes, in words.
fn desk(store: &masthead_store::Store, site: &Site, default_outbox: std::path::PathBuf) -> Result<(Desk, String)> {
    let (mailer, mail_goes) = crate::commands::mailer(site, default_outbox)?;
    let public_url = site.public_url.clone().unwrap_or_else(|| "http://127.0.0.1:8080".to_owned());
    let desk = Desk {
        store: store.clone(),
        mailer,
        publisher: site.publisher_name.clone(),
        links: Links { public_url: public_url.trim_end_matches('/').to_owned() },
        zone: PublisherZone::default(),
        settings: site.newsletters.config().settings,
    };
    Ok((desk, mail_goes))
}

fn default_outbox(target: &Target) -> std::path::PathBuf {
    target.data_dir.as_ref().map_or_else(|| masthead_web::DEFAULT_OUTBOX.into(), |dir| dir.join("outbox"))
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
            let store = crate::commands::open_target(&target).await?;
            let (desk, mail_goes) = desk(&store, &site, default_outbox(&target))?;
            let report = desk.run_due(now).await;
            desk.mailer.shutdown().await;
            let report = report?;
            println!(
                "digests assembled {}, issues finished {}, sent {}, skipped {}, suppressed {}, failed {} (mail {mail_goes})",
                report.assembled, report.finished, report.sent, report.skipped, report.suppressed, report.failed
            );
            store.close().await;
            anyhow::ensure!(report.failed == 0, "{} message(s) could not be sent (see the log)", report.failed);
            Ok(())
        }
        NewslettersCommand::Send { target, slug, now, site } => {
            let store = crate::commands::open_target(&target).await?;
            let (desk, mail_goes) = desk(&store, &site, default_outbox(&target))?;
            let list = store.newsletter(&slug).await?;
            let audience = match &list {
                Some(list) => store.newsletter_audience(list.id).await?,
                None => 0,
            };
            let mut report = Report::default();
            let mut bar = ProgressBar::new(audience);
            let next = desk.send_next(&slug, Utc::now(), now, &mut report, &mut |r| bar.show(r)).await;
            desk.mailer.shutdown().await;
            store.close().await;
            let name = list.map_or(slug, |l| l.name);
            match next? {
                Next::Nothing => println!("{name}: no issue is waiting and nothing new to assemble; nothing sent"),
                Next::NotYet(issue) => println!(
                    "{name}: the next issue, {:?}, is scheduled for {}; nothing sent (--now sends it now)",
                    issue.subject,
                    issue.scheduled_at.to_rfc3339()
                ),
                Next::Sent(issue) => {
                    bar.finish(&report);
                    println!(
                        "{name}: issue {} {:?} {}: sent {}, skipped {} (no newsletters benefit), suppressed {} \
                         (bounced or complained), failed {}{} in {:.1} s (mail {mail_goes})",
                        issue.id,
                        issue.subject,
                        if report.finished > 0 { "finished" } else { "not finished" },
                        report.sent,
                        report.skipped,
                        report.suppressed,
                        report.failed,
                        if report.assembled > 0 { " (assembled now from its sections)" } else { "" },
                        bar.started.elapsed().as_secs_f64()
                    );
                }
            }
            anyhow::ensure!(
                report.failed == 0,
                "{} message(s) could not be sent (see the log); run the command again after the lease to retry them",
                report.failed
            );
            Ok(())
        }
    }
}

/// A progress bar on stderr: redrawn in place on a terminal, a line a
/// second otherwise (logs, CI).
struct ProgressBar {
    total: u64,
    started: std::time::Instant,
    last: Option<std::time::Instant>,
    terminal: bool,
}

impl ProgressBar {
    const WIDTH: u64 = 30;

    fn new(total: u64) -> Self {
        use std::io::IsTerminal;
        Self { total, started: std::time::Instant::now(), last: None, terminal: std::io::stderr().is_terminal() }
    }

    fn line(&self, report: &Report) -> String {
        let done = report.sent + report.skipped + report.suppressed + report.failed;
        let total = self.total.max(done).max(1);
        let filled = (done * Self::WIDTH / total) as usize;
        let rate = report.sent as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
        format!(
            "[{}{}] {done}/{total} ({}%) {rate:.0} messages/s",
            "#".repeat(filled),
            "-".repeat(Self::WIDTH as usize - filled),
            done * 100 / total
        )
    }

    fn show(&mut self, report: &Report) {
        let now = std::time::Instant::now();
        if self.terminal {
            eprint!("\r{}", self.line(report));
        } else if self.last.is_none_or(|last| now - last >= std::time::Duration::from_secs(1)) {
            eprintln!("{}", self.line(report));
            self.last = Some(now);
        }
    }

    fn finish(&self, report: &Report) {
        if self.terminal {
            eprintln!("\r{}", self.line(report));
        } else {
            eprintln!("{}", self.line(report));
        }
    }
}
