//! Reader accounts, their sessions and their single-use tokens, and the
//! rate limits on what is done to them (log-in, reset, sign-up), kept here
//! so every instance counts against the same limit.
//!
//! Secrets never reach the database in the clear: passwords arrive as argon2id
//! hashes, and session and account tokens as SHA-256 hashes of the random
//! token the reader holds, so a copy of the database signs no one in. A token
//! is looked up by its hash (a unique index), which leaks nothing useful by
//! timing: the attacker would have to know the hash's preimage to aim at it.
//!
//! Redeeming a token and limiting sessions are single statements or
//! transactions whose first statement writes, so two requests racing over one
//! token or one account's devices cannot both win.

use crate::BeginWrite;
use chrono::{DateTime, Utc};
use masthead_domain::Role;
use masthead_domain::email::Email;
use masthead_domain::role::{RoleChangeRefused, change_role};

use crate::{Pool, Result, Store, StoreError, instant, on_pool};

/// A reader or staff account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderRecord {
    /// The account's id; its meter is `r:<id>`.
    pub id: i64,
    /// The lowercased address.
    pub email: String,
    /// The argon2id PHC string.
    pub password_hash: String,
    /// A reader, or a newsroom role.
    pub role: Role,
    /// When the address was confirmed, if it has been.
    pub verified_at: Option<DateTime<Utc>>,
    /// When the account was made.
    pub created_at: DateTime<Utc>,
}

/// What a single-use token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Confirms the account's email address.
    VerifyEmail,
    /// Lets the holder choose a new password.
    ResetPassword,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
        }
    }
}

/// How a session is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// A browser, by the `mh_session` cookie.
    Browser,
    /// An app, by a bearer token.
    Api,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Browser => "browser",
            Self::Api => "api",
        }
    }

    fn parse(stored: &str) -> Result<Self> {
        match stored {
            "browser" => Ok(Self::Browser),
            "api" => Ok(Self::Api),
            other => Err(StoreError::Corrupt(format!("unknown session kind {other:?}"))),
        }
    }
}

/// A session about to be opened.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    /// SHA-256 of the token the device holds, hex.
    pub token_hash: &'a str,
    /// Whose session.
    pub reader_id: i64,
    /// Cookie or bearer token.
    pub kind: SessionKind,
    /// The device's `User-Agent`, for "Your devices".
    pub user_agent: &'a str,
}

/// One live session: a device signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// The session's id (not its token).
    pub id: i64,
    /// Cookie or bearer token.
    pub kind: SessionKind,
    /// The device's `User-Agent` when it signed in.
    pub user_agent: String,
    /// When it signed in.
    pub created_at: DateTime<Utc>,
    /// Its last request.
    pub last_seen_at: DateTime<Utc>,
}

/// Who a live session token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionOwner {
    /// The session.
    pub session_id: i64,
    /// The account.
    pub reader_id: i64,
    /// The account's address.
    pub email: String,
    /// The account's role.
    pub role: Role,
    /// Whether the account's address is confirmed.
    pub verified: bool,
}

#[derive(sqlx::FromRow)]
struct ReaderRow {
    id: i64,
    email: String,
    password_hash: String,
    role: String,
    verified_at: Option<i64>,
    created_at: i64,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: i64,
    kind: String,
    user_agent: String,
    created_at: i64,
    last_seen_at: i64,
}

impl TryFrom<ReaderRow> for ReaderRecord {
    type Error = StoreError;

    fn try_from(row: ReaderRow) -> Result<Self> {
        Ok(Self {
            id: row.id,
            email: row.email,
            password_hash: row.password_hash,
            role: Role::from_stored(&row.role),
            verified_at: row.verified_at.map(instant).transpose()?,
            created_at: instant(row.created_at)?,
        })
    }
}

impl TryFrom<SessionRow> for SessionRecord {
    type Error = StoreError;

    fn try_from(row: SessionRow) -> Result<Self> {
        Ok(Self {
            id: row.id,
            kind: SessionKind::parse(&row.kind)?,
            user_agent: row.user_agent,
            created_at: instant(row.created_at)?,
            last_seen_at: instant(row.last_seen_at)?,
        })
    }
}

/// Ends every live session of account `$reader` and marks its unused links
/// (of `$purpose`, or of every purpose with `None`) used, inside the
/// transaction `$tx` (a macro: each backend's transaction is its own type).
macro_rules! sign_out_and_end_links {
    ($tx:expr, $reader:expr, $purpose:expr, $at:expr) => {{
        let (reader_id, at): (i64, i64) = ($reader, $at.timestamp());
        sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE reader_id = $1 AND revoked_at IS NULL")
            .bind(reader_id)
            .bind(at)
            .execute(&mut *$tx)
            .await?;
        let purpose: Option<TokenPurpose> = $purpose;
        // `*` stands for every purpose.
        sqlx::query(
            "UPDATE account_tokens SET used_at = $2
             WHERE reader_id = $1 AND used_at IS NULL AND ($3 = '*' OR purpose = $3)",
        )
        .bind(reader_id)
        .bind(at)
        .bind(purpose.map_or("*", TokenPurpose::as_str))
        .execute(&mut *$tx)
        .await?;
    }};
}

impl Store {
    /// Creates a reader account; `None` when the address already has one.
    #[tracing::instrument(skip_all)]
    pub async fn create_reader(&self, email: &Email, password_hash: &str, at: DateTime<Utc>) -> Result<Option<i64>> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "INSERT INTO readers (email, password_hash, role, created_at) VALUES ($1, $2, 'reader', $3)
             ON CONFLICT (email) DO NOTHING RETURNING id",
        )
        .bind(email.as_str())
        .bind(password_hash)
        .bind(at.timestamp())
        .fetch_optional(pool)
        .await)?;
        Ok(row.map(|(id,)| id))
    }

    /// The account an address belongs to.
    pub async fn reader_by_email(&self, email: &Email) -> Result<Option<ReaderRecord>> {
        let row: Option<ReaderRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id, email, password_hash, role, verified_at, created_at FROM readers WHERE email = $1",
        )
        .bind(email.as_str())
        .fetch_optional(pool)
        .await)?;
        row.map(ReaderRecord::try_from).transpose()
    }

    /// An account by id.
    pub async fn reader(&self, id: i64) -> Result<Option<ReaderRecord>> {
        let row: Option<ReaderRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id, email, password_hash, role, verified_at, created_at FROM readers WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        row.map(ReaderRecord::try_from).transpose()
    }

    /// Gives an account `role`, unless [`change_role`] refuses it (the last
    /// admin stays one). The admins are counted under a lock every role
    /// change takes first, so two admins demoting each other at once cannot
    /// both succeed: PostgreSQL locks the admins' rows (and the account's);
    /// on SQLite the transaction's first statement writes, which holds the
    /// database's one write lock until the commit. An unknown account
    /// changes nothing.
    #[tracing::instrument(skip(self))]
    pub async fn set_role(&self, reader_id: i64, role: Role) -> Result<Result<(), RoleChangeRefused>> {
        let lock = match self.pool {
            Pool::Sqlite { .. } => "UPDATE readers SET role = role WHERE id = $1",
            Pool::Postgres(_) => "SELECT id FROM readers WHERE role = 'admin' OR id = $1 ORDER BY id FOR UPDATE",
        };
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query(lock).bind(reader_id).execute(&mut *tx).await?;
            let current: Option<(String,)> = sqlx::query_as("SELECT role FROM readers WHERE id = $1")
                .bind(reader_id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((current,)) = current else {
                return Ok(Ok(()));
            };
            let (admins,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM readers WHERE role = 'admin'")
                .fetch_one(&mut *tx)
                .await?;
            if let Err(refused) = change_role(Role::from_stored(&current), role, admins.unsigned_abs()) {
                return Ok(Err(refused));
            }
            sqlx::query("UPDATE readers SET role = $2 WHERE id = $1")
                .bind(reader_id)
                .bind(role.as_str())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(Ok(()))
    }

    /// Records that the account's address is confirmed (the first time counts).
    pub async fn mark_verified(&self, reader_id: i64, at: DateTime<Utc>) -> Result<()> {
        on_pool!(self, pool => sqlx::query(
            "UPDATE readers SET verified_at = $2 WHERE id = $1 AND verified_at IS NULL",
        )
        .bind(reader_id)
        .bind(at.timestamp())
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Replaces an account's password and signs it out everywhere: whoever
    /// knew the old one keeps no session, and every reset link still
    /// outstanding stops working (an older link must not outlive the change).
    /// Reaching the reset link proves the address too, so it counts as
    /// confirmed.
    #[tracing::instrument(skip(self, password_hash))]
    pub async fn change_password(&self, reader_id: i64, password_hash: &str, at: DateTime<Utc>) -> Result<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "UPDATE readers SET password_hash = $2, verified_at = COALESCE(verified_at, $3) WHERE id = $1",
            )
            .bind(reader_id)
            .bind(password_hash)
            .bind(at.timestamp())
            .execute(&mut *tx)
            .await?;
            sign_out_and_end_links!(tx, reader_id, Some(TokenPurpose::ResetPassword), at);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Takes an account whose address is not confirmed back from whoever
    /// made it, before it is given something meant for the address's owner
    /// (a newsroom role): its password becomes `password_hash` (one no one
    /// knows), its sessions end and its outstanding links stop working.
    /// True when the account was unconfirmed and so was taken back; a
    /// confirmed account is left alone.
    #[tracing::instrument(skip(self, password_hash))]
    pub async fn reclaim_unconfirmed(&self, reader_id: i64, password_hash: &str, at: DateTime<Utc>) -> Result<bool> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let changed = sqlx::query("UPDATE readers SET password_hash = $2 WHERE id = $1 AND verified_at IS NULL")
                .bind(reader_id)
                .bind(password_hash)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                return Ok(false);
            }
            sign_out_and_end_links!(tx, reader_id, None, at);
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Stores a single-use token's hash for `purpose`, valid until `expires_at`.
    pub async fn issue_account_token(
        &self,
        token_hash: &str,
        reader_id: i64,
        purpose: TokenPurpose,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO account_tokens (token_hash, reader_id, purpose, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(reader_id)
        .bind(purpose.as_str())
        .bind(expires_at.timestamp())
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Whose token this is, if it is unused and unexpired — without using it
    /// (to show the reset form only for a link that will work).
    pub async fn peek_account_token(
        &self,
        token_hash: &str,
        purpose: TokenPurpose,
        at: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT reader_id FROM account_tokens
             WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .bind(at.timestamp())
        .fetch_optional(pool)
        .await)?;
        Ok(row.map(|(id,)| id))
    }

    /// Uses a token: whose it was, if it was unused and unexpired. One
    /// statement, so of two requests with the same token only one succeeds.
    #[tracing::instrument(skip(self, token_hash))]
    pub async fn redeem_account_token(
        &self,
        token_hash: &str,
        purpose: TokenPurpose,
        at: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "UPDATE account_tokens SET used_at = $3
             WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
             RETURNING reader_id",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .bind(at.timestamp())
        .fetch_optional(pool)
        .await)?;
        Ok(row.map(|(id,)| id))
    }

    /// Opens a session, then keeps at most `limit` live sessions for the
    /// account by revoking the least recently used. Returns the new session's id.
    #[tracing::instrument(skip_all, fields(reader_id = session.reader_id))]
    pub async fn open_session(&self, session: &NewSession<'_>, at: DateTime<Utc>, limit: u32) -> Result<i64> {
        let now = at.timestamp();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            // A write first: two logins to one account take turns from here.
            sqlx::query("UPDATE readers SET id = id WHERE id = $1")
                .bind(session.reader_id)
                .execute(&mut *tx)
                .await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO sessions (token_hash, reader_id, kind, user_agent, created_at, last_seen_at)
                 VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
            )
            .bind(session.token_hash)
            .bind(session.reader_id)
            .bind(session.kind.as_str())
            .bind(session.user_agent)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE sessions SET revoked_at = $3
                 WHERE reader_id = $1 AND revoked_at IS NULL AND id NOT IN (
                     SELECT id FROM sessions WHERE reader_id = $1 AND revoked_at IS NULL
                     ORDER BY last_seen_at DESC, id DESC LIMIT $2
                 )",
            )
            .bind(session.reader_id)
            .bind(i64::from(limit.max(1)))
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// The live session a token hash names, marking it seen at `at`. A
    /// session last seen before `seen_since` has lapsed and names no one.
    pub async fn session_by_token(
        &self,
        token_hash: &str,
        at: DateTime<Utc>,
        seen_since: DateTime<Utc>,
    ) -> Result<Option<SessionOwner>> {
        let row: Option<(i64, i64, String, String, Option<i64>, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT s.id, r.id, r.email, r.role, r.verified_at, s.last_seen_at
             FROM sessions s JOIN readers r ON r.id = s.reader_id
             WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.last_seen_at >= $2",
        )
        .bind(token_hash)
        .bind(seen_since.timestamp())
        .fetch_optional(pool)
        .await)?;
        let Some((session_id, reader_id, email, role, verified_at, last_seen_at)) = row else {
            return Ok(None);
        };
        if last_seen_at < at.timestamp() {
            // Only when the second has moved on: a burst of requests writes once.
            on_pool!(self, pool => sqlx::query(
                "UPDATE sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2",
            )
            .bind(session_id)
            .bind(at.timestamp())
            .execute(pool)
            .await
            .map(|_| ()))?;
        }
        let role = Role::from_stored(&role);
        Ok(Some(SessionOwner { session_id, reader_id, email, role, verified: verified_at.is_some() }))
    }

    /// An account's live sessions (seen since `seen_since`), most recently used first.
    pub async fn active_sessions(&self, reader_id: i64, seen_since: DateTime<Utc>) -> Result<Vec<SessionRecord>> {
        let rows: Vec<SessionRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id, kind, user_agent, created_at, last_seen_at FROM sessions
             WHERE reader_id = $1 AND revoked_at IS NULL AND last_seen_at >= $2
             ORDER BY last_seen_at DESC, id DESC",
        )
        .bind(reader_id)
        .bind(seen_since.timestamp())
        .fetch_all(pool)
        .await)?;
        rows.into_iter().map(SessionRecord::try_from).collect()
    }

    /// Signs one of an account's sessions out; false if it was not live.
    #[tracing::instrument(skip(self))]
    pub async fn revoke_session(&self, reader_id: i64, session_id: i64, at: DateTime<Utc>) -> Result<bool> {
        let done = on_pool!(self, pool => sqlx::query(
            "UPDATE sessions SET revoked_at = $3 WHERE id = $2 AND reader_id = $1 AND revoked_at IS NULL",
        )
        .bind(reader_id)
        .bind(session_id)
        .bind(at.timestamp())
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done > 0)
    }

    /// Signs out every session of the account but `keep`; how many there were.
    #[tracing::instrument(skip(self))]
    pub async fn revoke_other_sessions(&self, reader_id: i64, keep: i64, at: DateTime<Utc>) -> Result<u64> {
        let done = on_pool!(self, pool => sqlx::query(
            "UPDATE sessions SET revoked_at = $3 WHERE reader_id = $1 AND id <> $2 AND revoked_at IS NULL",
        )
        .bind(reader_id)
        .bind(keep)
        .bind(at.timestamp())
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done)
    }
}

/// Rate limits kept in the database, so every instance counts against one
/// limit: a fixed window per key.
impl Store {
    /// Counts one hit on `key` at `at` and returns the hits in its window,
    /// this one included; a key whose window has ended starts a new one of
    /// `window`. One statement, so hits from many instances at once all count.
    pub async fn count_hit(&self, key: &str, window: chrono::Duration, at: DateTime<Utc>) -> Result<u64> {
        let (hits,): (i64,) = on_pool!(self, pool => sqlx::query_as(
            "INSERT INTO rate_limits (name, hits, expires_at) VALUES ($1, 1, $3)
             ON CONFLICT (name) DO UPDATE SET
                 hits = CASE WHEN rate_limits.expires_at <= $2 THEN 1 ELSE rate_limits.hits + 1 END,
                 expires_at = CASE WHEN rate_limits.expires_at <= $2 THEN $3 ELSE rate_limits.expires_at END
             RETURNING hits",
        )
        .bind(key)
        .bind(at.timestamp())
        .bind((at + window).timestamp())
        .fetch_one(pool)
        .await)?;
        Ok(hits.unsigned_abs())
    }

    /// The hits on `key` in its current window (0 when it has none).
    pub async fn hits(&self, key: &str, at: DateTime<Utc>) -> Result<u64> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT hits FROM rate_limits WHERE name = $1 AND expires_at > $2",
        )
        .bind(key)
        .bind(at.timestamp())
        .fetch_optional(pool)
        .await)?;
        Ok(row.map_or(0, |(hits,)| hits.unsigned_abs()))
    }

    /// Forgets the keys whose window ended before `at`; how many.
    pub async fn sweep_rate_limits(&self, at: DateTime<Utc>) -> Result<u64> {
        let done = on_pool!(self, pool => sqlx::query("DELETE FROM rate_limits WHERE expires_at <= $1")
            .bind(at.timestamp())
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(done)
    }
}
