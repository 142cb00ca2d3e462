//! Group (corporate) subscriptions (`masthead_domain::group`): the company's
//! subscription is the manager's, with a `group_subscriptions` row naming the
//! company, its GSTIN and the seats bought. A seat is taken in one
//! transaction with the cap's counter (`seats_taken`), incremented only while
//! under the seats — on PostgreSQL the group's row is locked until commit
//! and the condition checked again once the lock is had; SQLite holds the
//! write lock — so seat N+1 is refused however many join at once, on any
//! instance. Invitations and confirmations of an address at the company's
//! domain are single-use tokens (stored hashed) with an expiry set when they
//! are mailed (`masthead_domain::group::LinkKind`), spent in the transaction
//! that takes the seat only while unused and unexpired; a refused one says
//! why (`masthead_domain::group::check_link`). A seat gives its holder the plan's benefits while the
//! group's subscription gives access (`entitlements`); the group's
//! subscription is not the manager's own (`Store::reader_subscriptions`).

use chrono::{DateTime, Utc};
use masthead_domain::group::{GroupDraft, LinkFacts, LinkRefusal, check_link};
use masthead_domain::subscription::Event;

use crate::BeginWrite;
use crate::billing::insert_subscription;
use crate::{Result, Store, StoreError, instant, on_pool};

/// The company a group's payments are invoiced to, in the payment's transaction.
pub(crate) const BUYER: &str =
    "SELECT company, gstin, buyer_state, seats FROM group_subscriptions WHERE subscription_id = $1";

/// The buyer's side of a group, for its invoices.
#[derive(sqlx::FromRow)]
pub(crate) struct GroupBuyer {
    pub(crate) company: String,
    pub(crate) gstin: String,
    pub(crate) buyer_state: String,
    pub(crate) seats: i64,
}

impl GroupBuyer {
    /// The seats each charge pays for.
    pub(crate) fn seats(&self) -> u32 {
        u32::try_from(self.seats).unwrap_or(1)
    }
}

/// A group as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRecord {
    /// Its id.
    pub id: i64,
    /// The company's subscription.
    pub subscription_id: i64,
    /// The buying account.
    pub manager_id: i64,
    /// The company's name.
    pub company: String,
    /// Its GSTIN.
    pub gstin: String,
    /// The state its GSTIN names (the invoices' place of supply).
    pub buyer_state: String,
    /// Seats bought.
    pub seats: u32,
    /// Seats held now.
    pub seats_taken: u32,
    /// Anyone who confirms an address here may join, when set.
    pub domain: Option<String>,
    /// The code of the group's join link (for its domain).
    pub join_code: String,
    /// When it was bought.
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct GroupRow {
    id: i64,
    subscription_id: i64,
    manager_id: i64,
    company: String,
    gstin: String,
    buyer_state: String,
    seats: i64,
    seats_taken: i64,
    domain: Option<String>,
    join_code: String,
    created_at: i64,
}

impl TryFrom<GroupRow> for GroupRecord {
    type Error = StoreError;

    fn try_from(row: GroupRow) -> Result<Self> {
        let count = |n: i64| u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("group {} seats", row.id)));
        Ok(Self {
            seats: count(row.seats)?,
            seats_taken: count(row.seats_taken)?,
            created_at: instant(row.created_at)?,
            id: row.id,
            subscription_id: row.subscription_id,
            manager_id: row.manager_id,
            company: row.company,
            gstin: row.gstin,
            buyer_state: row.buyer_state,
            domain: row.domain,
            join_code: row.join_code,
        })
    }
}

/// `SELECT` of every group column, then `$tail`.
macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT id, subscription_id, manager_id, company, gstin, buyer_state, seats, seats_taken, domain, join_code,
                    created_at FROM group_subscriptions ",
            $tail
        )
    };
}

/// A link's row, by its token's hash.
const LINK: &str = "SELECT group_id, email, reader_id, expires_at, used_at FROM group_invites WHERE token_hash = $1";

#[derive(sqlx::FromRow)]
struct LinkRow {
    group_id: i64,
    email: String,
    reader_id: Option<i64>,
    expires_at: i64,
    used_at: Option<i64>,
}

impl LinkRow {
    fn facts(&self) -> Result<LinkFacts> {
        Ok(LinkFacts {
            for_reader: self.reader_id,
            expires_at: instant(self.expires_at)?,
            used: self.used_at.is_some(),
        })
    }
}

/// A seat held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seat {
    /// Its id.
    pub id: i64,
    /// The holder's account.
    pub reader_id: i64,
    /// The address it was taken with (invited, or confirmed at the domain).
    pub email: String,
    /// When it was taken.
    pub joined_at: DateTime<Utc>,
}

/// An invitation not yet used, nor expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingInvite {
    /// Who was invited (or asked to confirm).
    pub email: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When its link stops working.
    pub expires_at: DateTime<Utc>,
}

/// A group's mailed link (an invitation or a confirmation), used or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupLink {
    /// The group it takes a seat of.
    pub group: GroupRecord,
    /// The address it was mailed to.
    pub email: String,
    /// Whose it is, whether used, until when.
    pub facts: LinkFacts,
}

/// Why a seat was not taken; nothing is stored when one is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SeatRefusal {
    /// Every seat is held.
    #[error("every seat of this group is taken: ask its manager to free one")]
    Full,
    /// This reader holds a seat of this group already.
    #[error("you already hold a seat of this group")]
    AlreadyHeld,
    /// The link cannot take a seat: not valid, used or expired.
    #[error(transparent)]
    Link(#[from] LinkRefusal),
}

impl Store {
    /// A company's new group of `plan_id` seats, pending payment: the
    /// manager's subscription and the group's row, in one transaction.
    /// Returns the group's id and its subscription's.
    pub async fn create_group(
        &self,
        manager_id: i64,
        plan_id: i64,
        provider: &str,
        draft: &GroupDraft,
        join_code: &str,
        at: DateTime<Utc>,
    ) -> Result<(i64, i64)> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let subscription_id = insert_subscription!(tx, manager_id, plan_id, provider, at);
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO group_subscriptions
                 (subscription_id, manager_id, company, gstin, buyer_state, seats, domain, join_code, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(subscription_id)
            .bind(manager_id)
            .bind(&draft.company)
            .bind(&draft.gstin.number)
            .bind(draft.gstin.state)
            .bind(i64::from(draft.seats))
            .bind(&draft.domain)
            .bind(join_code)
            .bind(at.timestamp())
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok((id, subscription_id))
        })
    }

    /// A group by id.
    pub async fn group(&self, id: i64) -> Result<Option<GroupRecord>> {
        let row: Option<GroupRow> =
            on_pool!(self, pool => sqlx::query_as(select!("WHERE id = $1")).bind(id).fetch_optional(pool).await)?;
        row.map(GroupRecord::try_from).transpose()
    }

    /// The group whose subscription this is, if any.
    pub async fn subscription_group(&self, subscription_id: i64) -> Result<Option<GroupRecord>> {
        let row: Option<GroupRow> = on_pool!(self, pool => sqlx::query_as(select!("WHERE subscription_id = $1"))
            .bind(subscription_id)
            .fetch_optional(pool)
            .await)?;
        row.map(GroupRecord::try_from).transpose()
    }

    /// A group by its join link's code.
    pub async fn group_by_join_code(&self, code: &str) -> Result<Option<GroupRecord>> {
        let row: Option<GroupRow> = on_pool!(self, pool => sqlx::query_as(select!("WHERE join_code = $1"))
            .bind(code)
            .fetch_optional(pool)
            .await)?;
        row.map(GroupRecord::try_from).transpose()
    }

    /// The groups an account manages, newest first.
    pub async fn managed_groups(&self, manager_id: i64) -> Result<Vec<GroupRecord>> {
        let rows: Vec<GroupRow> = on_pool!(self, pool => sqlx::query_as(select!("WHERE manager_id = $1 ORDER BY id DESC"))
            .bind(manager_id)
            .fetch_all(pool)
            .await)?;
        rows.into_iter().map(GroupRecord::try_from).collect()
    }

    /// Every group, newest first (the admins' list).
    pub async fn all_groups(&self) -> Result<Vec<GroupRecord>> {
        let rows: Vec<GroupRow> =
            on_pool!(self, pool => sqlx::query_as(select!("ORDER BY id DESC")).fetch_all(pool).await)?;
        rows.into_iter().map(GroupRecord::try_from).collect()
    }

    /// The seats of a group held now, first taken first.
    pub async fn group_seats(&self, group_id: i64) -> Result<Vec<Seat>> {
        let rows: Vec<(i64, i64, String, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id, reader_id, email, joined_at FROM group_seats WHERE group_id = $1 AND removed_at IS NULL
             ORDER BY id",
        )
        .bind(group_id)
        .fetch_all(pool)
        .await)?;
        rows.into_iter()
            .map(|(id, reader_id, email, at)| Ok(Seat { id, reader_id, email, joined_at: instant(at)? }))
            .collect()
    }

    /// The invitations of a group neither used nor expired at `at`, oldest first.
    pub async fn group_invites(&self, group_id: i64, at: DateTime<Utc>) -> Result<Vec<PendingInvite>> {
        let rows: Vec<(String, i64, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT email, created_at, expires_at FROM group_invites
             WHERE group_id = $1 AND used_at IS NULL AND reader_id IS NULL AND expires_at > $2
             ORDER BY created_at, email",
        )
        .bind(group_id)
        .bind(at.timestamp())
        .fetch_all(pool)
        .await)?;
        rows.into_iter()
            .map(|(email, created, expires)| {
                Ok(PendingInvite { email, created_at: instant(created)?, expires_at: instant(expires)? })
            })
            .collect()
    }

    /// Stores a single-use token of a group (its hash): an invitation to
    /// `email` (`reader_id` none: any account may use it) or a confirmation of
    /// an address at the group's domain asked for by `reader_id` (only that
    /// account may use it), mailed at `at` and working until `expires_at`.
    pub async fn create_group_token(
        &self,
        group_id: i64,
        email: &str,
        token_hash: &str,
        reader_id: Option<i64>,
        at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO group_invites (token_hash, group_id, email, reader_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(group_id)
        .bind(email)
        .bind(reader_id)
        .bind(at.timestamp())
        .bind(expires_at.timestamp())
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// The link a token (by its hash) is, used or expired as it may be.
    pub async fn group_token(&self, token_hash: &str) -> Result<Option<GroupLink>> {
        let row: Option<LinkRow> = on_pool!(self, pool => sqlx::query_as(LINK)
            .bind(token_hash)
            .fetch_optional(pool)
            .await)?;
        let Some(row) = row else { return Ok(None) };
        let facts = row.facts()?;
        Ok(self.group(row.group_id).await?.map(|group| GroupLink { group, email: row.email, facts }))
    }

    /// Takes a seat of `group_id` for `reader_id` with `email` — with the
    /// token of hash `token_hash` spent in the same transaction, when given
    /// and still good at `at` — or refuses with the reason, storing nothing.
    pub async fn take_seat(
        &self,
        group_id: i64,
        reader_id: i64,
        email: &str,
        token_hash: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<std::result::Result<i64, SeatRefusal>> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            if let Some(hash) = token_hash {
                let spent = sqlx::query(
                    "UPDATE group_invites SET used_at = $3 WHERE token_hash = $1 AND group_id = $2 AND used_at IS NULL
                     AND (reader_id IS NULL OR reader_id = $4) AND expires_at > $3",
                )
                .bind(hash)
                .bind(group_id)
                .bind(at.timestamp())
                .bind(reader_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if spent == 0 {
                    // Not spent: say why, as the link stands in this transaction.
                    let row: Option<LinkRow> =
                        sqlx::query_as(LINK).bind(hash).fetch_optional(&mut *tx).await?;
                    let refusal = match row.filter(|row| row.group_id == group_id) {
                        Some(row) => check_link(&row.facts()?, reader_id, at).err().unwrap_or(LinkRefusal::Used),
                        None => LinkRefusal::NotValid,
                    };
                    return Ok(Err(refusal.into()));
                }
            }
            let seat: Option<(i64,)> = sqlx::query_as(
                "INSERT INTO group_seats (group_id, reader_id, email, joined_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING RETURNING id",
            )
            .bind(group_id)
            .bind(reader_id)
            .bind(email)
            .bind(at.timestamp())
            .fetch_optional(&mut *tx)
            .await?;
            let Some((seat,)) = seat else { return Ok(Err(SeatRefusal::AlreadyHeld)) };
            let counted = sqlx::query(
                "UPDATE group_subscriptions SET seats_taken = seats_taken + 1 WHERE id = $1 AND seats_taken < seats",
            )
            .bind(group_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if counted == 0 {
                return Ok(Err(SeatRefusal::Full));
            }
            tx.commit().await?;
            Ok(Ok(seat))
        })
    }

    /// Frees a seat of a group (its holder loses the group's benefits at
    /// once); false when the group has no such seat held.
    pub async fn remove_seat(&self, group_id: i64, seat_id: i64, at: DateTime<Utc>) -> Result<bool> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let removed = sqlx::query(
                "UPDATE group_seats SET removed_at = $3 WHERE id = $1 AND group_id = $2 AND removed_at IS NULL",
            )
            .bind(seat_id)
            .bind(group_id)
            .bind(at.timestamp())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if removed == 0 {
                return Ok(false);
            }
            sqlx::query("UPDATE group_subscriptions SET seats_taken = seats_taken - 1 WHERE id = $1")
                .bind(group_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// The subscriptions of the groups a reader holds a seat of now.
    pub async fn seat_subscriptions(&self, reader_id: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT g.subscription_id FROM group_seats s JOIN group_subscriptions g ON g.id = s.group_id
             WHERE s.reader_id = $1 AND s.removed_at IS NULL ORDER BY g.id",
        )
        .bind(reader_id)
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }
}
