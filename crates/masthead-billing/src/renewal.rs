//! The renewal job: at term end, charge the saved payment method through the
//! subscription's provider (at a trial's end this is its first charge, with
//! a mail [`TRIAL_REMIND_BEFORE`] ahead of it, and so is the end of a pause,
//! [`PAUSE_REMIND_BEFORE`]); a declined charge leaves the subscription past
//! due for the grace period, with a mail at once and a reminder two days
//! before access ends; then it ends (and so do cancelled ones at their term
//! end), with a last mail. It also hands out partner codes as subscriptions
//! reach new 12-month blocks, mails gifts on their day (`crate::gifts`),
//! and gives back the offer redemptions of checkouts left unpaid past
//! [`CHECKOUT_EXPIRES`].
//!
//! Every action is claimed in the database first (one renewal charge per
//! term, one mail per notice), so the server's own loop, `masthead billing
//! run-due` from cron and other instances can all run it at once.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use masthead_domain::subscription::{Event, Status};
use masthead_mail::emails::{PauseEnding, PaymentFailed, PaymentReminder, SubscriptionEnded, TrialEnding};
use masthead_store::{GRACE, StoreError};
use serde::Serialize;

use crate::provider::{ChargeOutcome, ChargeRequest};
use crate::service::Billing;

/// How long a checkout may be paid: after it, an unpaid subscription's
/// offer redemption is given back to the offer's cap (Stripe's Checkout
/// Sessions expire after 24 hours too).
pub const CHECKOUT_EXPIRES: Duration = Duration::hours(24);

/// How long before access ends the reminder goes out.
const REMIND_BEFORE: Duration = Duration::days(2);

/// How long before a trial ends (and its first charge is made) the reader is told.
pub const TRIAL_REMIND_BEFORE: Duration = Duration::days(3);

/// How long before a pause ends (and renewal is charged) the reader is told.
pub const PAUSE_REMIND_BEFORE: Duration = Duration::days(3);

/// How far back the job looks for subscriptions whose term ended, beyond
/// the grace period, so an ended one still gets its last mail after a pause.
const LOOK_BACK: Duration = Duration::days(3);

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RunReport {
    /// Renewal charges made.
    pub charged: u32,
    /// Of those, renewed at once.
    pub renewed: u32,
    /// Payment-failed mails and reminders sent.
    pub reminders: u32,
    /// Subscriptions that ended (cancelled at term end, or unpaid after grace).
    pub ended: u32,
    /// Partner codes given.
    pub partner_codes: u32,
    /// Gifts mailed to their recipients.
    pub gifts_delivered: u32,
    /// Offer redemptions given back by checkouts abandoned past [`CHECKOUT_EXPIRES`].
    pub released: u32,
    /// Subscriptions that could not be dealt with (logged; tried again next run).
    pub errors: u32,
}

impl Billing {
    /// Runs the job once at the clock's now.
    #[tracing::instrument(skip(self))]
    pub async fn run_due(&self) -> Result<RunReport, StoreError> {
        let now = self.clock.now();
        let mut report = RunReport {
            released: self.store.release_abandoned_redemptions(now - CHECKOUT_EXPIRES, now).await?,
            ..RunReport::default()
        };
        for id in self.store.subscriptions_paid_past(now - GRACE - LOOK_BACK).await? {
            if let Err(error) = self.review(id, now, &mut report).await {
                tracing::error!(subscription = id, %error, "renewal job could not deal with a subscription");
                report.errors += 1;
            }
        }
        self.deliver_gifts(now, &mut report).await?;
        Ok(report)
    }

    /// Runs the job every `renewal_interval` (when set) until the process ends.
    pub fn spawn_renewals(self: Arc<Self>) {
        let Some(every) = self.config.renewal_interval else { return };
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let ran = self.run_due().await;
                masthead_store::telemetry::job_ran("renewals", &ran);
                match ran {
                    Ok(report) if report != RunReport::default() => tracing::info!(?report, "renewal job ran"),
                    Ok(_) => {}
                    Err(error) => tracing::error!(%error, "renewal job failed"),
                }
            }
        });
    }

    async fn review(&self, id: i64, now: DateTime<Utc>, report: &mut RunReport) -> Result<(), crate::BillingError> {
        let Some(subscription) = self.store.subscription(id).await? else { return Ok(()) };
        let Some(mut state) = self.store.subscription_state(id, now).await? else { return Ok(()) };
        let Some(end) = state.current_period_end else { return Ok(()) };
        let email = self.store.reader(subscription.reader_id).await?.map(|r| r.email);
        if state.status == Status::RenewalDue && self.store.claim_renewal(id, end, now).await? {
            report.charged += 1;
            // A paid renewal may unlock a partner code as it is processed.
            let codes_before = self.store.subscription_partner_codes(id).await?.len();
            let amount = self.charge_due(&subscription).await?.amount;
            let provider = self.provider(&subscription.provider);
            match (provider, subscription.payment_method.as_deref()) {
                (Some(provider), Some(method)) => {
                    let key = format!("masthead-renewal-{id}-{}", end.timestamp());
                    let request = ChargeRequest {
                        subscription_id: id,
                        amount,
                        payment_method: method,
                        email: email.as_deref().unwrap_or_default(),
                        idempotency_key: &key,
                        at: now,
                    };
                    match provider.charge(&request).await {
                        Ok(ChargeOutcome::Delivered(event)) => {
                            self.deliver(&event).await?;
                        }
                        // The provider's webhook will tell.
                        Ok(ChargeOutcome::Requested { reference }) => {
                            tracing::info!(subscription = id, reference, "renewal charge requested");
                        }
                        // Failed now, not later: the reader hears at once and grace starts.
                        Ok(ChargeOutcome::Declined { reason }) => {
                            tracing::info!(subscription = id, reason, "renewal charge declined");
                            self.store.append_event(id, now, &Event::PaymentFailed).await?;
                        }
                        Err(error) => {
                            tracing::warn!(subscription = id, %error, "renewal charge failed");
                            self.store.append_event(id, now, &Event::PaymentFailed).await?;
                        }
                    }
                }
                // Nothing saved to charge: the reader has to pay by hand.
                _ => self.store.append_event(id, now, &Event::PaymentFailed).await?,
            }
            state = self.store.subscription_state(id, now).await?.unwrap_or(state);
            if state.status == Status::Active {
                report.renewed += 1;
            }
            let codes_after = self.store.subscription_partner_codes(id).await?.len();
            report.partner_codes += u32::try_from(codes_after.saturating_sub(codes_before)).unwrap_or(u32::MAX);
        }
        let plan = self.store.plan(state.plan_id).await?.map_or_else(String::new, |p| p.name);
        let account = format!("{}/account", self.public_url);
        match state.status {
            Status::Active | Status::Cancelled => {
                let trial_ends_soon = state.trial_until == Some(end) && now >= end - TRIAL_REMIND_BEFORE;
                if trial_ends_soon
                    && !state.cancel_at_period_end
                    && self.store.claim_notice(id, "trial_ending", end, now).await?
                {
                    let charge = self.charge_due(&subscription).await?;
                    let mail = TrialEnding {
                        publisher: self.publisher.clone(),
                        plan: self.plan_due(&subscription).await?.name,
                        amount: charge.amount.to_string(),
                        trial_until: self.day(end),
                        account_link: account.clone(),
                    };
                    if let Some(email) = &email {
                        self.mail(email, &mail).await;
                    }
                    report.reminders += 1;
                }
                report.partner_codes += self.grant_partner_codes(&subscription, now).await?;
            }
            Status::PastDue => {
                let grace_until = end + GRACE;
                if self.store.claim_notice(id, "payment_failed", end, now).await? {
                    let amount = self.charge_due(&subscription).await?.amount;
                    let mail = PaymentFailed {
                        publisher: self.publisher.clone(),
                        plan,
                        amount: amount.to_string(),
                        grace_until: self.day(grace_until),
                        pay_link: account,
                    };
                    if let Some(email) = &email {
                        self.mail(email, &mail).await;
                    }
                    report.reminders += 1;
                } else if now >= grace_until - REMIND_BEFORE
                    && self.store.claim_notice(id, "payment_reminder", end, now).await?
                {
                    let mail = PaymentReminder {
                        publisher: self.publisher.clone(),
                        plan,
                        grace_until: self.day(grace_until),
                        pay_link: account,
                    };
                    if let Some(email) = &email {
                        self.mail(email, &mail).await;
                    }
                    report.reminders += 1;
                }
            }
            Status::Expired => {
                if self.store.claim_notice(id, "ended", end, now).await? {
                    let mail = SubscriptionEnded {
                        publisher: self.publisher.clone(),
                        plan,
                        subscribe_link: format!("{}/subscribe", self.public_url),
                    };
                    if let Some(email) = &email {
                        self.mail(email, &mail).await;
                    }
                    report.ended += 1;
                }
            }
            // A paused one renews on the day chosen: due then, and charged
            // above; the reader is told once, a few days before.
            Status::Paused => {
                if let Some(until) = state.paused_until
                    && now >= until - PAUSE_REMIND_BEFORE
                    && self.store.claim_notice(id, "pause_ending", until, now).await?
                {
                    let mail = PauseEnding {
                        publisher: self.publisher.clone(),
                        plan: self.plan_due(&subscription).await?.name,
                        amount: self.charge_due(&subscription).await?.amount.to_string(),
                        paused_until: self.day(until),
                        account_link: account,
                    };
                    if let Some(email) = &email {
                        self.mail(email, &mail).await;
                    }
                    report.reminders += 1;
                }
            }
            Status::Pending | Status::RenewalDue => {}
        }
        Ok(())
    }
}
