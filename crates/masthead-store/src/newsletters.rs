//! Newsletters: the lists, who is on them (double opt-in), their issues and
//! who has been sent which issue.
//!
//! Sending is claimed per recipient: a delivery row is written before the
//! message leaves and finished after, so several runners never send one
//! issue to one address twice, and a claim left unfinished by a crash is
//! taken again once its lease has run out (duplicates are at most what was
//! in flight). The rules — cadences, digests, who may receive what — live
//! in `masthead-newsletter`; this module only keeps the rows.
//!
//! Suppressions are addresses the mail provider reported as a hard bounce
//! or a spam complaint: no list sends to them again.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

use crate::{BeginWrite, Result, Store, StoreError, instant, on_pool};

/// A newsletter as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewsletterRecord {
    /// Its id.
    pub id: i64,
    /// The URL segment: `/newsletters/{slug}`.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// A sentence or two on what it carries.
    pub description: String,
    /// When it goes out, as stored ("daily 07:00", "weekly mon 08:00").
    pub cadence: String,
    /// Sections it assembles itself from (comma-separated; empty: edited by hand only).
    pub sections: String,
    /// Only for readers holding the newsletters benefit.
    pub subscribers_only: bool,
    /// Order on `/newsletters`.
    pub position: i64,
}

/// Where an address stands on a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListState {
    /// Asked by email, not yet confirmed: nothing is sent.
    Pending,
    /// Receives the list.
    Confirmed,
    /// Left the list.
    Unsubscribed,
}

impl ListState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Unsubscribed => "unsubscribed",
        }
    }

    fn parse(stored: &str) -> Result<Self> {
        [Self::Pending, Self::Confirmed, Self::Unsubscribed]
            .into_iter()
            .find(|s| s.as_str() == stored)
            .ok_or_else(|| StoreError::Corrupt(format!("newsletter subscription state {stored:?}")))
    }
}

/// One address on one list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListMember {
    /// The row's id.
    pub id: i64,
    /// The list.
    pub newsletter_id: i64,
    /// The lowercased address.
    pub email: String,
    /// The account, when the address has one (or signed up signed in).
    pub reader_id: Option<i64>,
    /// Pending, confirmed or unsubscribed.
    pub state: ListState,
    /// The random token of its List-Unsubscribe link.
    pub unsubscribe_token: String,
}

/// A newsletter issue as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueRecord {
    /// Its id.
    pub id: i64,
    /// The list.
    pub newsletter_id: i64,
    /// The subject line.
    pub subject: String,
    /// The editor's intro, Markdown.
    pub intro: String,
    /// The stories it carries, in order.
    pub story_ids: Vec<i64>,
    /// When it is due.
    pub scheduled_at: DateTime<Utc>,
    /// When every recipient had been dealt with.
    pub sent_at: Option<DateTime<Utc>>,
}

/// What an issue to write says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIssue<'a> {
    /// The list.
    pub newsletter_id: i64,
    /// The subject line.
    pub subject: &'a str,
    /// The intro, Markdown.
    pub intro: &'a str,
    /// The stories, in order.
    pub story_ids: &'a [i64],
    /// When it is due.
    pub scheduled_at: DateTime<Utc>,
    /// For an automatic digest, the slot it is for: one issue per slot.
    pub slot: Option<DateTime<Utc>>,
}

/// How a delivery ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The message was handed to the transport.
    Sent,
    /// Not sent: the recipient no longer holds what the list needs.
    Skipped,
}

impl DeliveryOutcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Skipped => "skipped",
        }
    }
}

/// Why no mail goes to an address any more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuppressionReason {
    /// The receiving server refused the address for good (a hard bounce).
    Bounce,
    /// The reader marked a message as spam.
    Complaint,
}

impl SuppressionReason {
    fn as_str(self) -> &'static str {
        match self {
            Self::Bounce => "bounce",
            Self::Complaint => "complaint",
        }
    }

    fn parse(stored: &str) -> Result<Self> {
        [Self::Bounce, Self::Complaint]
            .into_iter()
            .find(|s| s.as_str() == stored)
            .ok_or_else(|| StoreError::Corrupt(format!("suppression reason {stored:?}")))
    }
}

/// An address no list sends to, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The lowercased address.
    pub email: String,
    /// A bounce or a complaint.
    pub reason: SuppressionReason,
    /// The provider that reported it ("sendgrid", "postmark").
    pub provider: String,
    /// What the provider said (the receiving server's answer, for a bounce).
    pub detail: String,
    /// When it was reported.
    pub at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct SuppressionRow {
    email: String,
    reason: String,
    provider: String,
    detail: String,
    suppressed_at: i64,
}

impl TryFrom<SuppressionRow> for Suppression {
    type Error = StoreError;

    fn try_from(row: SuppressionRow) -> Result<Self> {
        Ok(Self {
            email: row.email,
            reason: SuppressionReason::parse(&row.reason)?,
            provider: row.provider,
            detail: row.detail,
            at: instant(row.suppressed_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct NewsletterRow {
    id: i64,
    slug: String,
    name: String,
    description: String,
    cadence: String,
    sections: String,
    subscribers_only: i64,
    position: i64,
}

impl From<NewsletterRow> for NewsletterRecord {
    fn from(row: NewsletterRow) -> Self {
        Self {
            id: row.id,
            slug: row.slug,
            name: row.name,
            description: row.description,
            cadence: row.cadence,
            sections: row.sections,
            subscribers_only: row.subscribers_only != 0,
            position: row.position,
        }
    }
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    id: i64,
    newsletter_id: i64,
    email: String,
    reader_id: Option<i64>,
    state: String,
    unsubscribe_token: String,
}

impl TryFrom<MemberRow> for ListMember {
    type Error = StoreError;

    fn try_from(row: MemberRow) -> Result<Self> {
        Ok(Self {
            id: row.id,
            newsletter_id: row.newsletter_id,
            email: row.email,
            reader_id: row.reader_id,
            state: ListState::parse(&row.state)?,
            unsubscribe_token: row.unsubscribe_token,
        })
    }
}

#[derive(sqlx::FromRow)]
struct IssueRow {
    id: i64,
    newsletter_id: i64,
    subject: String,
    intro: String,
    story_ids: String,
    scheduled_at: i64,
    sent_at: Option<i64>,
}

impl TryFrom<IssueRow> for IssueRecord {
    type Error = StoreError;

    fn try_from(row: IssueRow) -> Result<Self> {
        let story_ids = row
            .story_ids
            .split(',')
            .filter(|id| !id.is_empty())
            .map(|id| id.parse().map_err(|_| StoreError::Corrupt(format!("issue {} story id {id:?}", row.id))))
            .collect::<Result<_>>()?;
        Ok(Self {
            id: row.id,
            newsletter_id: row.newsletter_id,
            subject: row.subject,
            intro: row.intro,
            story_ids,
            scheduled_at: instant(row.scheduled_at)?,
            sent_at: row.sent_at.map(instant).transpose()?,
        })
    }
}

// Column lists as macros, so every query stays one static string.
macro_rules! newsletter_columns {
    () => {
        "id, slug, name, description, cadence, sections, subscribers_only, position"
    };
}
macro_rules! member_columns {
    () => {
        "id, newsletter_id, email, reader_id, state, unsubscribe_token"
    };
}
macro_rules! issue_columns {
    () => {
        "id, newsletter_id, subject, intro, story_ids, scheduled_at, sent_at"
    };
}

impl Store {
    /// Adds a newsletter unless one has its slug (an edited list is kept as
    /// edited); its id either way.
    pub async fn add_newsletter(&self, list: &NewsletterRecord) -> Result<i64> {
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO newsletters (slug, name, description, cadence, sections, subscribers_only, position)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (slug) DO NOTHING",
        )
        .bind(&list.slug)
        .bind(&list.name)
        .bind(&list.description)
        .bind(&list.cadence)
        .bind(&list.sections)
        .bind(i64::from(list.subscribers_only))
        .bind(list.position)
        .execute(pool)
        .await
        .map(|_| ()))?;
        let stored = self.newsletter(&list.slug).await?;
        stored.map(|l| l.id).ok_or_else(|| StoreError::Corrupt(format!("newsletter {} vanished", list.slug)))
    }

    /// Every newsletter, in `/newsletters` order.
    pub async fn newsletters(&self) -> Result<Vec<NewsletterRecord>> {
        let sql = concat!("SELECT ", newsletter_columns!(), " FROM newsletters ORDER BY position, id");
        let rows: Vec<NewsletterRow> = on_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(NewsletterRecord::from).collect())
    }

    /// A newsletter by slug.
    pub async fn newsletter(&self, slug: &str) -> Result<Option<NewsletterRecord>> {
        let sql = concat!("SELECT ", newsletter_columns!(), " FROM newsletters WHERE slug = $1");
        let row: Option<NewsletterRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(slug).fetch_optional(pool).await)?;
        Ok(row.map(NewsletterRecord::from))
    }

    /// Puts an address on a list as confirmed at once (a signed-in reader's
    /// one click). False when it already was.
    pub async fn join_newsletter(
        &self,
        newsletter_id: i64,
        email: &str,
        reader_id: i64,
        unsubscribe_token: &str,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let changed = on_pool!(self, pool => sqlx::query(
            "INSERT INTO newsletter_subscriptions
                 (newsletter_id, email, reader_id, state, unsubscribe_token, created_at, confirmed_at)
             VALUES ($1, $2, $3, 'confirmed', $4, $5, $5)
             ON CONFLICT (newsletter_id, email) DO UPDATE SET
                 state = 'confirmed', reader_id = excluded.reader_id, confirmed_at = excluded.confirmed_at,
                 unsubscribed_at = NULL, confirm_token_hash = NULL, confirm_expires_at = NULL
             WHERE newsletter_subscriptions.state <> 'confirmed'",
        )
        .bind(newsletter_id)
        .bind(email)
        .bind(reader_id)
        .bind(unsubscribe_token)
        .bind(at.timestamp())
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(changed == 1)
    }

    /// Records a sign-up by email, pending until the token whose SHA-256 is
    /// `confirm_hash` comes back before `expires_at`. False when the address
    /// is already confirmed on the list (nothing changes, no mail is due).
    pub async fn request_newsletter(
        &self,
        newsletter_id: i64,
        email: &str,
        confirm_hash: &str,
        expires_at: DateTime<Utc>,
        unsubscribe_token: &str,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let changed = on_pool!(self, pool => sqlx::query(
            "INSERT INTO newsletter_subscriptions
                 (newsletter_id, email, state, confirm_token_hash, confirm_expires_at, unsubscribe_token, created_at)
             VALUES ($1, $2, 'pending', $3, $4, $5, $6)
             ON CONFLICT (newsletter_id, email) DO UPDATE SET
                 state = 'pending', confirm_token_hash = excluded.confirm_token_hash,
                 confirm_expires_at = excluded.confirm_expires_at
             WHERE newsletter_subscriptions.state <> 'confirmed'",
        )
        .bind(newsletter_id)
        .bind(email)
        .bind(confirm_hash)
        .bind(expires_at.timestamp())
        .bind(unsubscribe_token)
        .bind(at.timestamp())
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(changed == 1)
    }

    /// Confirms the pending sign-up whose token hashes to `confirm_hash`, if
    /// it has not expired; the token works once. Links the address's
    /// account, if it has one, so the manage page shows the list.
    pub async fn confirm_newsletter(&self, confirm_hash: &str, at: DateTime<Utc>) -> Result<Option<ListMember>> {
        let sql = concat!("UPDATE newsletter_subscriptions SET state = 'confirmed', confirmed_at = $2,
                 confirm_token_hash = NULL, confirm_expires_at = NULL,
                 reader_id = COALESCE(reader_id, (SELECT r.id FROM readers r WHERE r.email = newsletter_subscriptions.email))
             WHERE confirm_token_hash = $1 AND state = 'pending' AND confirm_expires_at > $2
             RETURNING ", member_columns!());
        let row: Option<MemberRow> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(confirm_hash)
            .bind(at.timestamp())
            .fetch_optional(pool)
            .await)?;
        row.map(ListMember::try_from).transpose()
    }

    /// The membership a List-Unsubscribe token names.
    pub async fn newsletter_member_by_token(&self, token: &str) -> Result<Option<ListMember>> {
        let sql = concat!("SELECT ", member_columns!(), " FROM newsletter_subscriptions WHERE unsubscribe_token = $1");
        let row: Option<MemberRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(token).fetch_optional(pool).await)?;
        row.map(ListMember::try_from).transpose()
    }

    /// Takes the membership a List-Unsubscribe token names off its list (and
    /// only that list); the membership, or None for an unknown token.
    pub async fn unsubscribe_newsletter(&self, token: &str, at: DateTime<Utc>) -> Result<Option<ListMember>> {
        let sql = concat!(
            "UPDATE newsletter_subscriptions SET state = 'unsubscribed', unsubscribed_at = $2,
                 confirm_token_hash = NULL, confirm_expires_at = NULL
             WHERE unsubscribe_token = $1 RETURNING ",
            member_columns!()
        );
        let row: Option<MemberRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(token).bind(at.timestamp()).fetch_optional(pool).await)?;
        row.map(ListMember::try_from).transpose()
    }

    /// A reader's memberships: those linked to the account and those of its address.
    pub async fn reader_newsletters(&self, reader_id: i64, email: &str) -> Result<Vec<ListMember>> {
        let sql = concat!(
            "SELECT ",
            member_columns!(),
            " FROM newsletter_subscriptions WHERE reader_id = $1 OR email = $2 ORDER BY id"
        );
        let rows: Vec<MemberRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(reader_id).bind(email).fetch_all(pool).await)?;
        rows.into_iter().map(ListMember::try_from).collect()
    }

    /// How many addresses receive a list.
    pub async fn newsletter_audience(&self, newsletter_id: i64) -> Result<u64> {
        let (count,): (i64,) = on_pool!(self, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM newsletter_subscriptions WHERE newsletter_id = $1 AND state = 'confirmed'",
        )
        .bind(newsletter_id)
        .fetch_one(pool)
        .await)?;
        Ok(u64::try_from(count).unwrap_or_default())
    }

    /// Writes an issue; its id, or None when an automatic digest for the
    /// same slot already exists (another runner made it).
    pub async fn add_issue(&self, issue: &NewIssue<'_>, at: DateTime<Utc>) -> Result<Option<i64>> {
        let ids = issue.story_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "INSERT INTO newsletter_issues (newsletter_id, subject, intro, story_ids, scheduled_at, slot, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(issue.newsletter_id)
        .bind(issue.subject)
        .bind(issue.intro)
        .bind(ids)
        .bind(issue.scheduled_at.timestamp())
        .bind(issue.slot.map(|slot| slot.timestamp()))
        .bind(at.timestamp())
        .fetch_optional(pool)
        .await)?;
        Ok(row.map(|(id,)| id))
    }

    /// An issue by id.
    pub async fn issue(&self, id: i64) -> Result<Option<IssueRecord>> {
        let sql = concat!("SELECT ", issue_columns!(), " FROM newsletter_issues WHERE id = $1");
        let row: Option<IssueRow> = on_pool!(self, pool => sqlx::query_as(sql).bind(id).fetch_optional(pool).await)?;
        row.map(IssueRecord::try_from).transpose()
    }

    /// A list's issues, newest first: all of them, or only those sent.
    pub async fn issues(&self, newsletter_id: i64, sent_only: bool, limit: u32) -> Result<Vec<IssueRecord>> {
        let sql = if sent_only {
            concat!(
                "SELECT ",
                issue_columns!(),
                " FROM newsletter_issues WHERE newsletter_id = $1 AND sent_at IS NOT NULL
                 ORDER BY scheduled_at DESC, id DESC LIMIT $2"
            )
        } else {
            concat!(
                "SELECT ",
                issue_columns!(),
                " FROM newsletter_issues WHERE newsletter_id = $1
                 ORDER BY scheduled_at DESC, id DESC LIMIT $2"
            )
        };
        let rows: Vec<IssueRow> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(newsletter_id)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)?;
        rows.into_iter().map(IssueRecord::try_from).collect()
    }

    /// A list's next unsent issue (the earliest scheduled), whenever it is due.
    pub async fn next_issue(&self, newsletter_id: i64) -> Result<Option<IssueRecord>> {
        let sql = concat!(
            "SELECT ",
            issue_columns!(),
            " FROM newsletter_issues WHERE newsletter_id = $1 AND sent_at IS NULL
             ORDER BY scheduled_at, id LIMIT 1"
        );
        let row: Option<IssueRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(newsletter_id).fetch_optional(pool).await)?;
        row.map(IssueRecord::try_from).transpose()
    }

    /// Issues due at `at` and not yet sent, oldest first.
    pub async fn due_issues(&self, at: DateTime<Utc>) -> Result<Vec<IssueRecord>> {
        let sql = concat!(
            "SELECT ",
            issue_columns!(),
            " FROM newsletter_issues WHERE sent_at IS NULL AND scheduled_at <= $1
             ORDER BY scheduled_at, id"
        );
        let rows: Vec<IssueRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(at.timestamp()).fetch_all(pool).await)?;
        rows.into_iter().map(IssueRecord::try_from).collect()
    }

    /// Claims up to `limit` recipients of an issue: first claims whose lease
    /// began before `stale_before` and never finished (a runner that
    /// stopped), then confirmed members not yet claimed. Each member is
    /// returned to one caller only.
    pub async fn claim_recipients(
        &self,
        issue: &IssueRecord,
        at: DateTime<Utc>,
        stale_before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<ListMember>> {
        let limit = i64::from(limit);
        let mut claimed: Vec<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "UPDATE newsletter_deliveries SET claimed_at = $2
             WHERE issue_id = $1 AND done_at IS NULL AND claimed_at < $3 AND subscription_id IN (
                 SELECT subscription_id FROM newsletter_deliveries
                 WHERE issue_id = $1 AND done_at IS NULL AND claimed_at < $3 LIMIT $4)
             RETURNING subscription_id",
        )
        .bind(issue.id)
        .bind(at.timestamp())
        .bind(stale_before.timestamp())
        .bind(limit)
        .fetch_all(pool)
        .await)?;
        let room = limit - i64::try_from(claimed.len()).unwrap_or(limit);
        if room > 0 {
            let fresh: Vec<(i64,)> = on_pool!(self, pool => sqlx::query_as(
                "INSERT INTO newsletter_deliveries (issue_id, subscription_id, claimed_at)
                 SELECT $1, s.id, $2 FROM newsletter_subscriptions s
                 WHERE s.newsletter_id = $3 AND s.state = 'confirmed' AND NOT EXISTS (
                     SELECT 1 FROM newsletter_deliveries d WHERE d.issue_id = $1 AND d.subscription_id = s.id)
                 ORDER BY s.id LIMIT $4
                 ON CONFLICT DO NOTHING RETURNING subscription_id",
            )
            .bind(issue.id)
            .bind(at.timestamp())
            .bind(issue.newsletter_id)
            .bind(room)
            .fetch_all(pool)
            .await)?;
            claimed.extend(fresh);
        }
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<MemberRow> = on_pool!(self, pool => {
            let mut query =
                QueryBuilder::new(concat!("SELECT ", member_columns!(), " FROM newsletter_subscriptions WHERE id IN ("));
            let mut list = query.separated(", ");
            for (id,) in &claimed {
                list.push_bind(*id);
            }
            query.push(") ORDER BY id");
            query.build_query_as().fetch_all(pool).await
        })?;
        rows.into_iter().map(ListMember::try_from).collect()
    }

    /// Finishes claimed deliveries, in one transaction.
    pub async fn finish_deliveries(
        &self,
        issue_id: i64,
        done: &[(i64, DeliveryOutcome)],
        at: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            for (subscription_id, outcome) in done {
                sqlx::query(
                    "UPDATE newsletter_deliveries SET done_at = $3, outcome = $4
                     WHERE issue_id = $1 AND subscription_id = $2",
                )
                .bind(issue_id)
                .bind(subscription_id)
                .bind(at.timestamp())
                .bind(outcome.as_str())
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Marks an issue sent if every confirmed member has been dealt with
    /// and no claim is open; true when this call did.
    pub async fn finish_issue(&self, issue: &IssueRecord, at: DateTime<Utc>) -> Result<bool> {
        let changed = on_pool!(self, pool => sqlx::query(
            "UPDATE newsletter_issues SET sent_at = $2
             WHERE id = $1 AND sent_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM newsletter_deliveries d WHERE d.issue_id = $1 AND d.done_at IS NULL)
               AND NOT EXISTS (
                   SELECT 1 FROM newsletter_subscriptions s
                   WHERE s.newsletter_id = $3 AND s.state = 'confirmed' AND NOT EXISTS (
                       SELECT 1 FROM newsletter_deliveries d WHERE d.issue_id = $1 AND d.subscription_id = s.id))",
        )
        .bind(issue.id)
        .bind(at.timestamp())
        .bind(issue.newsletter_id)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(changed == 1)
    }

    /// How many deliveries of an issue ended as `outcome`.
    pub async fn delivery_count(&self, issue_id: i64, outcome: DeliveryOutcome) -> Result<u64> {
        let (count,): (i64,) = on_pool!(self, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM newsletter_deliveries WHERE issue_id = $1 AND outcome = $2",
        )
        .bind(issue_id)
        .bind(outcome.as_str())
        .fetch_one(pool)
        .await)?;
        Ok(u64::try_from(count).unwrap_or_default())
    }

    /// When a list's latest issue (sent or not) was due.
    pub async fn last_issue_at(&self, newsletter_id: i64) -> Result<Option<DateTime<Utc>>> {
        let (at,): (Option<i64>,) = on_pool!(self, pool => sqlx::query_as(
            "SELECT MAX(scheduled_at) FROM newsletter_issues WHERE newsletter_id = $1",
        )
        .bind(newsletter_id)
        .fetch_one(pool)
        .await)?;
        at.map(instant).transpose()
    }

    /// Suppresses `email` for every list; false when it already was (the
    /// first report is kept).
    pub async fn suppress_address(
        &self,
        email: &str,
        reason: SuppressionReason,
        provider: &str,
        detail: &str,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let changed = on_pool!(self, pool => sqlx::query(
            "INSERT INTO mail_suppressions (email, reason, provider, detail, suppressed_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING",
        )
        .bind(email)
        .bind(reason.as_str())
        .bind(provider)
        .bind(detail)
        .bind(at.timestamp())
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(changed == 1)
    }

    /// Why `email` is suppressed, if it is.
    pub async fn suppression(&self, email: &str) -> Result<Option<Suppression>> {
        let row: Option<SuppressionRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT email, reason, provider, detail, suppressed_at FROM mail_suppressions WHERE email = $1",
        )
        .bind(email)
        .fetch_optional(pool)
        .await)?;
        row.map(Suppression::try_from).transpose()
    }

    /// Which of `emails` are suppressed (one query for a batch of recipients).
    pub async fn suppressed_among(&self, emails: &[&str]) -> Result<std::collections::HashSet<String>> {
        if emails.is_empty() {
            return Ok(std::collections::HashSet::new());
        }
        let rows: Vec<(String,)> = on_pool!(self, pool => {
            let mut query = QueryBuilder::new("SELECT email FROM mail_suppressions WHERE email IN (");
            let mut list = query.separated(", ");
            for email in emails {
                list.push_bind(*email);
            }
            query.push(")");
            query.build_query_as().fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(|(email,)| email).collect())
    }
}
