//! The partner bundle's pool of access codes (The New York Times on the
//! seed). Admins upload codes; an eligible subscription takes one code per
//! 12-month block it has unlocked (`masthead_domain::subscription::partner_blocks`).
//! A block holds at most one code (a unique key), and a code is taken only
//! while nobody holds it, so two job runners never hand out one code twice.

use crate::BeginWrite;
use chrono::{DateTime, Utc};

use crate::{Result, Store, StoreError, on_pool};

/// What an upload did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeImport {
    /// New codes in the pool.
    pub added: u64,
    /// Codes the pool already had (ignored).
    pub duplicates: u64,
}

/// A code given to a subscription.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PartnerCode {
    /// The code itself.
    pub code: String,
    /// Which 12-month block it is for, from 1.
    pub block: i64,
    /// When it was given, unix seconds.
    pub assigned_at: i64,
}

impl Store {
    /// Adds codes to the pool in one transaction; codes already there are
    /// counted and ignored.
    pub async fn import_partner_codes(&self, codes: &[String], at: DateTime<Utc>) -> Result<CodeImport> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let mut added = 0;
            for code in codes {
                added += sqlx::query(
                    "INSERT INTO partner_codes (code, uploaded_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                )
                .bind(code)
                .bind(at.timestamp())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
            let total = u64::try_from(codes.len()).unwrap_or_default();
            Ok(CodeImport { added, duplicates: total - added })
        })
    }

    /// Codes nobody holds yet.
    pub async fn partner_codes_available(&self) -> Result<u64> {
        let (count,): (i64,) = on_pool!(self, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM partner_codes WHERE subscription_id IS NULL",
        )
        .fetch_one(pool)
        .await)?;
        Ok(u64::try_from(count).unwrap_or_default())
    }

    /// Gives the subscription a code for each of blocks `1..=blocks` it holds
    /// none for yet, oldest uploads first; the codes given now (fewer when
    /// the pool runs dry).
    pub async fn assign_partner_codes(
        &self,
        subscription_id: i64,
        blocks: u32,
        at: DateTime<Utc>,
    ) -> Result<Vec<PartnerCode>> {
        let held: Vec<i64> = self.subscription_partner_codes(subscription_id).await?.iter().map(|c| c.block).collect();
        let mut given = Vec::new();
        for block in (1..=i64::from(blocks)).filter(|b| !held.contains(b)) {
            // Another runner may take the same free code first: try the next one.
            let mut attempts = 0;
            loop {
                attempts += 1;
                let outcome = on_pool!(self, pool => sqlx::query_as::<_, (String,)>(
                    "UPDATE partner_codes SET subscription_id = $1, block = $2, assigned_at = $3
                     WHERE subscription_id IS NULL AND code = (
                         SELECT code FROM partner_codes WHERE subscription_id IS NULL
                         ORDER BY uploaded_at, code LIMIT 1)
                     RETURNING code",
                )
                .bind(subscription_id)
                .bind(block)
                .bind(at.timestamp())
                .fetch_optional(pool)
                .await);
                match outcome {
                    Ok(Some((code,))) => {
                        given.push(PartnerCode { code, block, assigned_at: at.timestamp() });
                        break;
                    }
                    // The pool is empty, or every try lost a race.
                    Ok(None) if attempts >= 5 || self.partner_codes_available().await? == 0 => return Ok(given),
                    Ok(None) => {}
                    // Someone else gave this block its code meanwhile.
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => break,
                    Err(e) => return Err(StoreError::Query(e)),
                }
            }
        }
        Ok(given)
    }

    /// A subscription's codes, by block.
    pub async fn subscription_partner_codes(&self, subscription_id: i64) -> Result<Vec<PartnerCode>> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT code, block, assigned_at FROM partner_codes WHERE subscription_id = $1 ORDER BY block",
        )
        .bind(subscription_id)
        .fetch_all(pool)
        .await)?)
    }

    /// Every code a reader's subscriptions hold, newest first.
    pub async fn reader_partner_codes(&self, reader_id: i64) -> Result<Vec<PartnerCode>> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT c.code, c.block, c.assigned_at FROM partner_codes c
             JOIN subscriptions s ON s.id = c.subscription_id
             WHERE s.reader_id = $1 ORDER BY c.assigned_at DESC, c.block DESC",
        )
        .bind(reader_id)
        .fetch_all(pool)
        .await)?)
    }

    /// Claims the one "pool running low" warning: true for the caller that
    /// should send it. Uploading codes re-arms it.
    pub async fn claim_pool_warning(&self) -> Result<bool> {
        let inserted = on_pool!(self, pool => sqlx::query(
            "INSERT INTO settings (name, value) VALUES ('partner_pool_low_warned', '1') ON CONFLICT DO NOTHING",
        )
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(inserted == 1)
    }

    /// Re-arms the "pool running low" warning.
    pub async fn rearm_pool_warning(&self) -> Result<()> {
        on_pool!(self, pool => sqlx::query("DELETE FROM settings WHERE name = 'partner_pool_low_warned'")
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// The addresses of admin accounts, who get operational warnings.
    pub async fn admin_emails(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT email FROM readers WHERE role = 'admin' ORDER BY id",
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().map(|(email,)| email).collect())
    }
}
