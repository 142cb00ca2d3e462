//! Paywall experiments as an admin runs them (migration `0036_experiments`):
//! a draft is made, started (one runs at a time), and stopped with a winner.
//! The variants are kept as the JSON `masthead_insights::experiment` writes;
//! the store only keeps the rows and the order of their lives. Every change
//! bumps the access counter, so every instance sees it on its next request.
//! The registration wall's grants (an account's meter limit for a month)
//! live here too.

use chrono::{DateTime, Utc};

use crate::{Result, Store, on_pool};

/// Where an experiment is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExperimentState {
    /// Made, not started: nobody sees it.
    Draft,
    /// Dealing readers their variants.
    Running,
    /// Over; its winner (if any) is the default.
    Stopped,
}

impl ExperimentState {
    fn parse(stored: &str) -> Self {
        match stored {
            "running" => Self::Running,
            "stopped" => Self::Stopped,
            _ => Self::Draft,
        }
    }
}

/// One experiment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredExperiment {
    /// Its id.
    pub id: i64,
    /// Unique; salts the hash that deals readers out.
    pub name: String,
    /// The variants, as JSON.
    pub variants: String,
    /// Draft, running or stopped.
    pub state: ExperimentState,
    /// When it was made, started and stopped.
    pub created_at: DateTime<Utc>,
    /// Set when it started.
    pub started_at: Option<DateTime<Utc>>,
    /// Set when it stopped.
    pub stopped_at: Option<DateTime<Utc>>,
    /// The variant chosen when it stopped.
    pub winner: Option<String>,
}

type Row = (i64, String, String, String, i64, Option<i64>, Option<i64>, Option<String>);

fn time(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

impl Store {
    /// Every experiment, the newest first.
    pub async fn experiments(&self) -> Result<Vec<StoredExperiment>> {
        let rows: Vec<Row> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id, name, variants, state, created_at, started_at, stopped_at, winner
               FROM experiments ORDER BY id DESC",
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(id, name, variants, state, created_at, started_at, stopped_at, winner)| StoredExperiment {
                id,
                name,
                variants,
                state: ExperimentState::parse(&state),
                created_at: time(created_at),
                started_at: started_at.map(time),
                stopped_at: stopped_at.map(time),
                winner,
            })
            .collect())
    }

    /// Makes a draft; `None` when the name is taken.
    pub async fn create_experiment(&self, name: &str, variants: &str, at: DateTime<Utc>) -> Result<Option<i64>> {
        let made: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "INSERT INTO experiments (name, variants, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO NOTHING RETURNING id",
        )
        .bind(name)
        .bind(variants)
        .bind(at.timestamp())
        .fetch_optional(pool)
        .await)?;
        Ok(made.map(|(id,)| id))
    }

    /// Starts a draft; `false` when it is not a draft or another experiment
    /// runs (two admins starting two drafts at once: one wins, by the index).
    pub async fn start_experiment(&self, id: i64, at: DateTime<Utc>) -> Result<bool> {
        let started = on_pool!(self, pool => sqlx::query(
            "UPDATE experiments SET state = 'running', started_at = $2
              WHERE id = $1 AND state = 'draft' AND NOT EXISTS (SELECT 1 FROM experiments WHERE state = 'running')",
        )
        .bind(id)
        .bind(at.timestamp())
        .execute(pool)
        .await
        .map(|done| done.rows_affected()));
        match started {
            Ok(rows) => Ok(rows == 1),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
            Err(error) => Err(error.into()),
        }
    }

    /// Stops a running experiment with `winner` (a variant's name, checked
    /// by the caller); `false` when it was not running.
    pub async fn stop_experiment(&self, id: i64, winner: &str, at: DateTime<Utc>) -> Result<bool> {
        let stopped = on_pool!(self, pool => sqlx::query(
            "UPDATE experiments SET state = 'stopped', stopped_at = $2, winner = $3 WHERE id = $1 AND state = 'running'",
        )
        .bind(id)
        .bind(at.timestamp())
        .bind(winner)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(stopped == 1)
    }

    /// Gives an account made from the registration wall `meter_limit`
    /// stories on the meter in `month`; `false` when it already has a grant
    /// that month.
    pub async fn grant_allowance(&self, reader_id: i64, month: i64, meter_limit: u32) -> Result<bool> {
        let granted = on_pool!(self, pool => sqlx::query(
            "INSERT INTO meter_allowances (reader_id, month, meter_limit) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(reader_id)
        .bind(month)
        .bind(i64::from(meter_limit))
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(granted == 1)
    }

    /// The account's meter limit in `month` from the registration wall, if it has one.
    pub async fn allowance(&self, reader_id: i64, month: i64) -> Result<Option<u32>> {
        let limit: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT meter_limit FROM meter_allowances WHERE reader_id = $1 AND month = $2",
        )
        .bind(reader_id)
        .bind(month)
        .fetch_optional(pool)
        .await)?;
        Ok(limit.map(|(limit,)| u32::try_from(limit).unwrap_or(u32::MAX)))
    }
}
