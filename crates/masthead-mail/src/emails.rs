//! The emails Masthead sends, one type each. A type's fields are what its
//! templates (`templates/<folder>/subject.txt`, `body.txt`, `body.html`) may
//! use; the HTML body is escaped, the text ones are not. An HTML template
//! with a `<style>` block (the newsletter's) has its rules moved onto each
//! element when rendered ([`inline_css`]): mail clients drop `<style>`.

use std::sync::LazyLock;

use css_inline::CSSInliner;

use crate::MailError;

/// A message rendered and ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// One line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
}

/// An email Masthead can send.
pub trait Email {
    /// Its name in logs and errors (the template folder).
    const NAME: &'static str;

    /// Subject and both bodies.
    fn render(&self) -> Result<Rendered, MailError>;
}

/// Declares an email's templates: three askama templates over the same
/// fields, reached through `Deref` so templates say `{{ link }}`.
macro_rules! templated {
    ($email:ident, $folder:literal, $subject:literal, $text:literal, $html:literal) => {
        impl Email for $email {
            const NAME: &'static str = $folder;

            fn render(&self) -> Result<Rendered, MailError> {
                use askama::Template;

                #[derive(Template)]
                #[template(path = $subject)]
                struct Subject<'a>(&'a $email);
                #[derive(Template)]
                #[template(path = $text)]
                struct Text<'a>(&'a $email);
                #[derive(Template)]
                #[template(path = $html)]
                struct Html<'a>(&'a $email);

                macro_rules! deref {
                    ($wrapper:ident) => {
                        impl std::ops::Deref for $wrapper<'_> {
                            type Target = $email;
                            fn deref(&self) -> &$email {
                                self.0
                            }
                        }
                    };
                }
                deref!(Subject);
                deref!(Text);
                deref!(Html);

                let failed = |source| MailError::Render { email: $folder, source };
                Ok(Rendered {
                    // A subject is one line, whatever the file ends with.
                    subject: Subject(self).render().map_err(failed)?.split_whitespace().collect::<Vec<_>>().join(" "),
                    text: Text(self).render().map_err(failed)?,
                    html: inline_css($folder, Html(self).render().map_err(failed)?)?,
                })
            }
        }
    };
}

/// Moves the rules of an HTML body's `<style>` block onto its elements
/// (css-inline; no stylesheet is fetched). A body without one is left as written.
pub fn inline_css(email: &'static str, html: String) -> Result<String, MailError> {
    static INLINER: LazyLock<CSSInliner<'static>> =
        LazyLock::new(|| CSSInliner::options().load_remote_stylesheets(false).build());
    if !html.contains("<style") {
        return Ok(html);
    }
    INLINER.inline(&html).map_err(|error| MailError::Inline { email, reason: error.to_string() })
}

/// Sent on sign-up: confirm the address.
#[derive(Debug, Clone)]
pub struct VerifyEmail {
    /// The publication's name.
    pub publisher: String,
    /// The single-use confirmation link.
    pub link: String,
    /// How long the link works, in words ("2 days").
    pub valid_for: String,
}
templated!(VerifyEmail, "verify_email", "verify_email/subject.txt", "verify_email/body.txt", "verify_email/body.html");

/// Sent instead of [`VerifyEmail`] when someone signs up with an address that
/// already has an account: the page says the same either way, the mail differs.
#[derive(Debug, Clone)]
pub struct AlreadyRegistered {
    /// The publication's name.
    pub publisher: String,
    /// The log-in page.
    pub login_link: String,
    /// The "forgot your password" page.
    pub reset_link: String,
}
templated!(
    AlreadyRegistered,
    "already_registered",
    "already_registered/subject.txt",
    "already_registered/body.txt",
    "already_registered/body.html"
);

/// Sent when a reader asks to reset their password.
#[derive(Debug, Clone)]
pub struct ResetPassword {
    /// The publication's name.
    pub publisher: String,
    /// The single-use reset link.
    pub link: String,
    /// How long the link works, in words ("1 hour").
    pub valid_for: String,
}
templated!(
    ResetPassword,
    "reset_password",
    "reset_password/subject.txt",
    "reset_password/body.txt",
    "reset_password/body.html"
);

/// Sent when a renewal charge is declined: access continues through the grace period.
#[derive(Debug, Clone)]
pub struct PaymentFailed {
    /// The publication's name.
    pub publisher: String,
    /// The plan that failed to renew.
    pub plan: String,
    /// What the charge was, e.g. "₹2,700".
    pub amount: String,
    /// The last day of access without payment, as the publisher's calendar shows it.
    pub grace_until: String,
    /// Where to pay by hand.
    pub pay_link: String,
}
templated!(
    PaymentFailed,
    "payment_failed",
    "payment_failed/subject.txt",
    "payment_failed/body.txt",
    "payment_failed/body.html"
);

/// Sent near the end of the grace period when the subscription is still unpaid.
#[derive(Debug, Clone)]
pub struct PaymentReminder {
    /// The publication's name.
    pub publisher: String,
    /// The unpaid plan.
    pub plan: String,
    /// When access ends.
    pub grace_until: String,
    /// Where to pay by hand.
    pub pay_link: String,
}
templated!(
    PaymentReminder,
    "payment_reminder",
    "payment_reminder/subject.txt",
    "payment_reminder/body.txt",
    "payment_reminder/body.html"
);

/// Sent a few days before a trial ends and its first charge is made.
#[derive(Debug, Clone)]
pub struct TrialEnding {
    /// The publication's name.
    pub publisher: String,
    /// The plan the trial turns into.
    pub plan: String,
    /// What will be charged.
    pub amount: String,
    /// When the trial ends.
    pub trial_until: String,
    /// Where to cancel.
    pub account_link: String,
}
templated!(TrialEnding, "trial_ending", "trial_ending/subject.txt", "trial_ending/body.txt", "trial_ending/body.html");

/// Sent a few days before a paused subscription's renewal is due: the day
/// the pause ends and what will be charged then.
#[derive(Debug, Clone)]
pub struct PauseEnding {
    /// The publication's name.
    pub publisher: String,
    /// The plan that renews.
    pub plan: String,
    /// What will be charged.
    pub amount: String,
    /// When the pause ends and the charge is made.
    pub paused_until: String,
    /// Where to cancel instead.
    pub account_link: String,
}
templated!(PauseEnding, "pause_ending", "pause_ending/subject.txt", "pause_ending/body.txt", "pause_ending/body.html");

/// Sent to an address invited to a group's seat, or confirming an address
/// at the group's domain: the single-use link that takes the seat.
#[derive(Debug, Clone)]
pub struct GroupSeat {
    /// The publication's name.
    pub publisher: String,
    /// The company whose subscription it is.
    pub company: String,
    /// Its plan.
    pub plan: String,
    /// The link that takes the seat.
    pub link: String,
    /// How long the link works: "until Dec 15 2026" (an invitation, 14
    /// days), "for 24 hours" (a confirmation).
    pub lasts: String,
}
templated!(GroupSeat, "group_seat", "group_seat/subject.txt", "group_seat/body.txt", "group_seat/body.html");

/// Sent when a subscription has ended (cancelled, or unpaid after grace).
#[derive(Debug, Clone)]
pub struct SubscriptionEnded {
    /// The publication's name.
    pub publisher: String,
    /// The plan that ended.
    pub plan: String,
    /// The plans page.
    pub subscribe_link: String,
}
templated!(
    SubscriptionEnded,
    "subscription_ended",
    "subscription_ended/subject.txt",
    "subscription_ended/body.txt",
    "subscription_ended/body.html"
);

/// Sent when a payment is refunded, with its GST credit note.
#[derive(Debug, Clone)]
pub struct RefundIssued {
    /// The publication's name.
    pub publisher: String,
    /// What was refunded.
    pub amount: String,
    /// The credit note's number.
    pub credit_note: String,
    /// The invoice it credits.
    pub invoice: String,
    /// The credit note's page.
    pub link: String,
}
templated!(
    RefundIssued,
    "refund_issued",
    "refund_issued/subject.txt",
    "refund_issued/body.txt",
    "refund_issued/body.html"
);

/// Sent to a gift's recipient on its delivery day, with its redeem link.
#[derive(Debug, Clone)]
pub struct GiftDelivered {
    /// The publication's name.
    pub publisher: String,
    /// Who gave it (their address).
    pub buyer: String,
    /// The plan given ("Smart Essential (1 Year)").
    pub plan: String,
    /// The buyer's words (may be empty).
    pub message: String,
    /// The code.
    pub code: String,
    /// The redeem page, with the code.
    pub link: String,
}
templated!(
    GiftDelivered,
    "gift_delivered",
    "gift_delivered/subject.txt",
    "gift_delivered/body.txt",
    "gift_delivered/body.html"
);

/// Sent when a subscription is given a partner access code.
#[derive(Debug, Clone)]
pub struct PartnerCodeGranted {
    /// The publication's name.
    pub publisher: String,
    /// The code.
    pub code: String,
    /// Which year of the subscription it is for, from 1.
    pub year: i64,
    /// The account page.
    pub account_link: String,
}
templated!(
    PartnerCodeGranted,
    "partner_code",
    "partner_code/subject.txt",
    "partner_code/body.txt",
    "partner_code/body.html"
);

/// Sent to admins when the partner-code pool runs low.
#[derive(Debug, Clone)]
pub struct PartnerPoolLow {
    /// The publication's name.
    pub publisher: String,
    /// Codes left.
    pub remaining: u64,
    /// The warning threshold.
    pub threshold: u64,
    /// The upload page.
    pub admin_link: String,
}
templated!(
    PartnerPoolLow,
    "partner_pool_low",
    "partner_pool_low/subject.txt",
    "partner_pool_low/body.txt",
    "partner_pool_low/body.html"
);

/// Sent when someone signs an address up to a newsletter: nothing is sent
/// to it until the link is opened (double opt-in).
#[derive(Debug, Clone)]
pub struct NewsletterConfirm {
    /// The publication's name.
    pub publisher: String,
    /// The newsletter's name.
    pub newsletter: String,
    /// The single-use confirmation link.
    pub link: String,
    /// How long the link works, in words ("2 days").
    pub valid_for: String,
}
templated!(
    NewsletterConfirm,
    "newsletter_confirm",
    "newsletter_confirm/subject.txt",
    "newsletter_confirm/body.txt",
    "newsletter_confirm/body.html"
);

/// One story in a newsletter issue: only what any reader may read.
#[derive(Debug, Clone)]
pub struct NewsletterItem {
    /// The headline.
    pub headline: String,
    /// The standfirst.
    pub standfirst: String,
    /// The free part of the story, as sanitised HTML.
    pub excerpt_html: String,
    /// The free part as plain text.
    pub excerpt_text: String,
    /// The story's absolute address.
    pub url: String,
    /// Subscribers only: marked, never given away.
    pub premium: bool,
}

/// A newsletter issue, to one recipient (the links are theirs).
#[derive(Debug, Clone)]
pub struct NewsletterIssue {
    /// The publication's name.
    pub publisher: String,
    /// The newsletter's name.
    pub newsletter: String,
    /// The subject line.
    pub subject: String,
    /// The editor's intro, as sanitised HTML (from Markdown).
    pub intro_html: String,
    /// The intro as plain text.
    pub intro_text: String,
    /// The stories.
    pub items: Vec<NewsletterItem>,
    /// This recipient's unsubscribe page for this list.
    pub unsubscribe_link: String,
    /// Where to manage every list.
    pub manage_link: String,
    /// The issue on the web.
    pub web_link: String,
}
templated!(
    NewsletterIssue,
    "newsletter_issue",
    "newsletter_issue/subject.txt",
    "newsletter_issue/body.txt",
    "newsletter_issue/body.html"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_mail_carries_the_link_in_both_bodies() {
        let mail = VerifyEmail {
            publisher: "Business Standard".into(),
            link: "https://news.example/account/verify?token=abc&x=<y>".into(),
            valid_for: "2 days".into(),
        }
        .render()
        .unwrap();
        assert_eq!(mail.subject, "Confirm your email address for Business Standard");
        assert!(mail.text.contains("https://news.example/account/verify?token=abc&x=<y>"), "text is not escaped");
        assert!(mail.text.contains("expires in 2 days"));
        assert!(
            mail.html.contains(r#"href="https://news.example/account/verify?token=abc&#38;x=&#60;y&#62;""#),
            "{}",
            mail.html
        );
    }

    #[test]
    fn every_email_renders() {
        let exists = AlreadyRegistered {
            publisher: "P".into(),
            login_link: "https://p.example/login".into(),
            reset_link: "https://p.example/account/forgot-password".into(),
        }
        .render()
        .unwrap();
        assert_eq!(exists.subject, "You already have a P account");
        assert!(exists.text.contains("https://p.example/account/forgot-password"));
        let reset =
            ResetPassword { publisher: "P".into(), link: "https://p.example/r".into(), valid_for: "1 hour".into() }
                .render()
                .unwrap();
        assert_eq!(reset.subject, "Reset your P password");
        let failed = PaymentFailed {
            publisher: "P".into(),
            plan: "Smart Essential".into(),
            amount: "₹2,700".into(),
            grace_until: "Dec 04 2027".into(),
            pay_link: "https://p.example/checkout/sandbox/1".into(),
        }
        .render()
        .unwrap();
        assert_eq!(failed.subject, "Your P payment did not go through");
        assert!(failed.text.contains("₹2,700 was declined") && failed.text.contains("until Dec 04 2027"));
        let reminder = PaymentReminder {
            publisher: "P".into(),
            plan: "X".into(),
            grace_until: "Dec 04 2027".into(),
            pay_link: "https://p.example/pay".into(),
        }
        .render()
        .unwrap();
        assert_eq!(reminder.subject, "Reminder: your P subscription ends on Dec 04 2027");
        let trial = TrialEnding {
            publisher: "P".into(),
            plan: "Smart Quarterly".into(),
            amount: "₹900".into(),
            trial_until: "Dec 11 2026".into(),
            account_link: "https://p.example/account".into(),
        }
        .render()
        .unwrap();
        assert_eq!(trial.subject, "Your P trial ends on Dec 11 2026");
        assert!(
            trial.text.contains("₹900 is charged") && trial.html.contains(r#"<a href="https://p.example/account">"#)
        );
        let pause = PauseEnding {
            publisher: "P".into(),
            plan: "Smart Quarterly".into(),
            amount: "₹900".into(),
            paused_until: "Mar 11 2027".into(),
            account_link: "https://p.example/account".into(),
        }
        .render()
        .unwrap();
        assert_eq!(pause.subject, "Your P subscription renews on Mar 11 2027");
        assert!(
            pause
                .text
                .contains("Your pause ends on Mar 11 2027: then your Smart Quarterly subscription renews and ₹900")
                && pause.html.contains(r#"<a href="https://p.example/account">"#)
        );
        let ended =
            SubscriptionEnded { publisher: "P".into(), plan: "X".into(), subscribe_link: "https://p.example/s".into() }
                .render()
                .unwrap();
        assert!(ended.html.contains(r#"<a href="https://p.example/s">"#));
        let code = PartnerCodeGranted {
            publisher: "P".into(),
            code: "NYT-<1>".into(),
            year: 2,
            account_link: "https://p.example/account".into(),
        }
        .render()
        .unwrap();
        assert!(code.text.contains("year 2:\n\nNYT-<1>") && code.html.contains("NYT-&#60;1&#62;"), "{code:?}");
        let low = PartnerPoolLow {
            publisher: "P".into(),
            remaining: 3,
            threshold: 5,
            admin_link: "https://p.example/n".into(),
        }
        .render()
        .unwrap();
        assert_eq!(low.subject, "P: 3 partner codes left");
        assert!(reset.html.contains(r#"<a href="https://p.example/r">"#));
    }
}
