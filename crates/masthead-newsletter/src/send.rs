//! The send job: assembles automatic digests that are due, then sends every
//! due issue to its confirmed members in batches.
//!
//! Each recipient is claimed in the database before their message leaves
//! and marked done after (`masthead_store` keeps the rows), so any number of
//! runners — each server, `masthead newsletters send-due` from cron — agree,
//! a second run sends nothing twice, and a claim a crash left open is taken
//! again after [`Settings::lease`]: every member gets the issue, and at most
//! the messages in flight at the crash, and the few sent but not yet marked
//! ([`Desk::FINISH_EVERY`]), go twice. A subscriber-only issue
//! goes only to members whose account holds the newsletters benefit at send
//! time; the others are marked skipped, and so are suppressed addresses (a
//! hard bounce or a complaint, see [`crate::bounces`]) on every list.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use masthead_domain::email::Email;
use masthead_domain::{Clock, Page, PublisherZone};
use masthead_mail::emails::NewsletterIssue;
use masthead_mail::{Email as _, Mailer, Relay};
use masthead_store::{DeliveryOutcome, IssueRecord, ListMember, NewIssue, NewsletterRecord, Store};
use tokio::task::JoinSet;

use crate::{Cadence, Error, Links, digest, signup};

/// How the job sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Recipients claimed at a time.
    pub batch: u32,
    /// Messages handed to the transport at once (by default one for each
    /// SMTP connection the mailer keeps open).
    pub in_flight: usize,
    /// At most this many messages a second (a provider's limit); None: as fast as the transport takes them.
    pub rate: Option<u32>,
    /// A claim not finished after this long is taken again.
    pub lease: Duration,
    /// Stories an automatic digest carries at most.
    pub digest_items: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self { batch: 500, in_flight: Relay::CONNECTIONS, rate: None, lease: Duration::minutes(10), digest_items: 8 }
    }
}

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// Automatic digests assembled.
    pub assembled: u64,
    /// Issues every member has now been dealt with for.
    pub finished: u64,
    /// Messages handed to the transport.
    pub sent: u64,
    /// Members passed over (a lapsed subscriber on a subscriber-only list).
    pub skipped: u64,
    /// Members passed over because their address bounced or complained.
    pub suppressed: u64,
    /// Messages the transport refused: tried again after the lease.
    pub failed: u64,
}

/// The newsletter desk: what sends issues.
#[derive(Debug, Clone)]
pub struct Desk {
    /// The database.
    pub store: Store,
    /// How mail leaves.
    pub mailer: Mailer,
    /// The publication's name.
    pub publisher: String,
    /// The addresses messages link to.
    pub links: Links,
    /// The publisher's zone: cadences are in its time.
    pub zone: PublisherZone,
    /// How it sends.
    pub settings: Settings,
}

impl Desk {
    /// Sent messages are marked done in groups of this many as they finish,
    /// not once a batch: after a crash at most this many (plus those in
    /// flight) go twice, for a database write every few dozen messages.
    pub const FINISH_EVERY: usize = 32;

    /// Assembles the automatic digests due at `now`, then sends every due issue.
    #[tracing::instrument(skip_all)]
    pub async fn run_due(&self, now: DateTime<Utc>) -> Result<Report, Error> {
        let mut report = Report::default();
        let lists = self.store.newsletters().await?;
        for list in lists.iter().filter(|l| !l.sections.is_empty()) {
            if self.assemble_digest(list, now).await? {
                report.assembled += 1;
            }
        }
        for issue in self.store.due_issues(now).await? {
            let Some(list) = lists.iter().find(|l| l.id == issue.newsletter_id) else { continue };
            self.send_issue(list, &issue, now, &mut report, &mut |_| {}).await?;
        }
        Ok(report)
    }

    /// Writes the automatic digest for the slot due at `now` unless it
    /// exists: the top stories of the list's sections since the last issue.
    /// A slot with nothing new is skipped. True when this call wrote one.
    async fn assemble_digest(&self, list: &NewsletterRecord, now: DateTime<Utc>) -> Result<bool, Error> {
        let cadence = Cadence::parse(&list.cadence)?;
        let Some(slot) = cadence.latest_slot(now, &self.zone) else { return Ok(false) };
        let last = self.store.last_issue_at(list.id).await?;
        if last.is_some_and(|last| last >= slot) {
            return Ok(false);
        }
        let since = last.unwrap_or(slot - cadence.period()).max(slot - cadence.period());
        let mut stories = Vec::new();
        for section in list.sections.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (latest, _) = self.store.latest(Some(section), Page::new(None, self.settings.digest_items)).await?;
            stories.extend(latest.into_iter().filter(|s| s.first_published_at > since && s.first_published_at <= slot));
        }
        if stories.is_empty() {
            return Ok(false);
        }
        stories.sort_by(|a, b| b.first_published_at.cmp(&a.first_published_at).then(b.id.cmp(&a.id)));
        stories.truncate(self.settings.digest_items as usize);
        let ids: Vec<i64> = stories.iter().map(|s| s.id).collect();
        let subject = format!("{}: {}", list.name, stories[0].headline);
        let issue = NewIssue {
            newsletter_id: list.id,
            subject: &subject,
            intro: "",
            story_ids: &ids,
            scheduled_at: slot,
            slot: Some(slot),
        };
        Ok(self.store.add_issue(&issue, now).await?.is_some())
    }

    /// Sends the next unsent issue of the list `slug` (the command line's
    /// `masthead newsletter send`): when it is due, or at once when
    /// `immediately`. A list that assembles itself and has none waiting
    /// assembles its digest for the latest slot first.
    pub async fn send_next(
        &self,
        slug: &str,
        now: DateTime<Utc>,
        immediately: bool,
        report: &mut Report,
        progress: &mut (dyn FnMut(&Report) + Send),
    ) -> Result<Next, Error> {
        let Some(list) = self.store.newsletter(slug).await? else { return Err(Error::NoSuchList(slug.to_owned())) };
        let mut next = self.store.next_issue(list.id).await?;
        if next.is_none() && !list.sections.is_empty() && self.assemble_digest(&list, now).await? {
            report.assembled += 1;
            next = self.store.next_issue(list.id).await?;
        }
        match next {
            None => Ok(Next::Nothing),
            Some(issue) if issue.scheduled_at > now && !immediately => Ok(Next::NotYet(issue)),
            Some(issue) => {
                self.send_issue(&list, &issue, now, report, progress).await?;
                Ok(Next::Sent(issue))
            }
        }
    }

    /// Sends one issue to every member not yet dealt with, batch by batch,
    /// calling `progress` after each batch.
    #[tracing::instrument(skip_all, fields(issue = issue.id))]
    pub async fn send_issue(
        &self,
        list: &NewsletterRecord,
        issue: &IssueRecord,
        now: DateTime<Utc>,
        report: &mut Report,
        progress: &mut (dyn FnMut(&Report) + Send),
    ) -> Result<(), Error> {
        let rendered = digest::personal(&self.store, &self.publisher, list, issue, &self.links).await?;
        let started = tokio::time::Instant::now();
        let mut paced = 0u64;
        loop {
            let claimed =
                self.store.claim_recipients(issue, now, now - self.settings.lease, self.settings.batch).await?;
            if claimed.is_empty() {
                break;
            }
            let mut done = Vec::with_capacity(claimed.len());
            let emails: Vec<&str> = claimed.iter().map(|m| m.email.as_str()).collect();
            let suppressed = self.store.suppressed_among(&emails).await?;
            let mut sending = JoinSet::new();
            for member in claimed {
                if suppressed.contains(&member.email) {
                    done.push((member.id, DeliveryOutcome::Skipped));
                    report.suppressed += 1;
                    continue;
                }
                if !self.may_receive(list, &member, now).await? {
                    done.push((member.id, DeliveryOutcome::Skipped));
                    report.skipped += 1;
                    continue;
                }
                if let Some(rate) = self.settings.rate.filter(|r| *r > 0) {
                    paced += 1;
                    let due = started + StdDuration::from_secs_f64(paced as f64 / f64::from(rate));
                    tokio::time::sleep_until(due).await;
                }
                while sending.len() >= self.settings.in_flight.max(1) {
                    collect(sending.join_next().await, &mut done, report);
                }
                if done.len() >= Self::FINISH_EVERY {
                    self.store.finish_deliveries(issue.id, &done, now).await?;
                    done.clear();
                }
                let unsubscribe = self.links.unsubscribe(&member.unsubscribe_token);
                let message = rendered.to(&unsubscribe);
                let headers = digest::list_headers(&unsubscribe);
                let mailer = self.mailer.clone();
                sending.spawn(async move {
                    let sent = match Email::parse(&member.email) {
                        Ok(to) => mailer
                            .send_rendered(&to, NewsletterIssue::NAME, &message, &headers)
                            .await
                            .map_err(|e| e.to_string()),
                        Err(e) => Err(e.to_string()),
                    };
                    (member.id, sent)
                });
            }
            while let Some(joined) = sending.join_next().await {
                collect(Some(joined), &mut done, report);
            }
            self.store.finish_deliveries(issue.id, &done, now).await?;
            progress(report);
        }
        if self.store.finish_issue(issue, now).await? {
            report.finished += 1;
        }
        Ok(())
    }

    /// Whether a member receives the list now.
    async fn may_receive(
        &self,
        list: &NewsletterRecord,
        member: &ListMember,
        now: DateTime<Utc>,
    ) -> Result<bool, Error> {
        if !list.subscribers_only {
            return Ok(true);
        }
        let benefits = match member.reader_id {
            Some(reader) => self.store.benefits(reader, now).await?,
            None => Vec::new(),
        };
        Ok(signup::may_receive(list, &benefits))
    }
}

/// Mails an editor `to` a test copy of an issue ([`digest::Personal::test_copy`])
/// through the mailer every issue leaves by. Its one list header names the
/// manage page: a test copy has no membership to end in one click.
pub async fn send_test(
    mailer: &Mailer,
    personal: &digest::Personal,
    links: &Links,
    to: &Email,
) -> Result<(), masthead_mail::MailError> {
    let headers = [("List-Unsubscribe", format!("<{}>", links.manage()))];
    mailer.send_rendered(to, NewsletterIssue::NAME, &personal.test_copy(links), &headers).await
}

/// What [`Desk::send_next`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// No issue is waiting, and the list had nothing new to assemble.
    Nothing,
    /// The next issue is scheduled later (and it was not asked for now).
    NotYet(IssueRecord),
    /// This issue was sent (to every member not yet dealt with).
    Sent(IssueRecord),
}

/// One message's send: the member, and whether it left.
type Sent = (i64, Result<(), String>);

/// Files one finished send: done when it left, left open (for the lease to
/// bring back) when the transport refused it.
fn collect(
    joined: Option<Result<Sent, tokio::task::JoinError>>,
    done: &mut Vec<(i64, DeliveryOutcome)>,
    report: &mut Report,
) {
    match joined {
        Some(Ok((member, Ok(())))) => {
            done.push((member, DeliveryOutcome::Sent));
            report.sent += 1;
        }
        Some(Ok((member, Err(error)))) => {
            tracing::warn!(member, %error, "a newsletter message could not be sent");
            report.failed += 1;
        }
        Some(Err(error)) => {
            tracing::error!(%error, "a newsletter send task failed");
            report.failed += 1;
        }
        None => {}
    }
}

/// Runs the desk every `every` inside a server, at the clock's time.
pub fn spawn(desk: Desk, clock: Arc<dyn Clock>, every: StdDuration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let ran = desk.run_due(clock.now()).await;
            masthead_store::telemetry::job_ran("newsletters", &ran);
            match ran {
                Ok(report) if report != Report::default() => tracing::info!(?report, "newsletters sent"),
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "the newsletter job failed"),
            }
        }
    });
}
