//! House ads: the slots story and section pages carry for readers without
//! the ad-free benefit, and what an admin has put in each.

use chrono::{DateTime, Utc};

use crate::{Result, Store, on_pool};

/// One slot's ad.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HouseAd {
    /// Where it shows: `story` or `section`.
    pub slot: String,
    /// One line.
    pub headline: String,
    /// A sentence or two.
    pub body: String,
    /// Where a click goes (a path on this site or an http(s) address).
    pub link_url: String,
}

impl Store {
    /// Every slot's ad.
    pub async fn house_ads(&self) -> Result<Vec<HouseAd>> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT slot, headline, body, link_url FROM house_ads ORDER BY slot",
        )
        .fetch_all(pool)
        .await)?)
    }

    /// Puts an ad in its slot, replacing what was there.
    pub async fn set_house_ad(&self, ad: &HouseAd, at: DateTime<Utc>) -> Result<()> {
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO house_ads (slot, headline, body, link_url, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (slot) DO UPDATE SET headline = excluded.headline, body = excluded.body,
             link_url = excluded.link_url, updated_at = excluded.updated_at",
        )
        .bind(&ad.slot)
        .bind(&ad.headline)
        .bind(&ad.body)
        .bind(&ad.link_url)
        .bind(at.timestamp())
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Empties a slot.
    pub async fn clear_house_ad(&self, slot: &str) -> Result<()> {
        on_pool!(self, pool => sqlx::query("DELETE FROM house_ads WHERE slot = $1")
            .bind(slot)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }
}
