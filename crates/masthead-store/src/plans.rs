//! The plan catalogue.

use masthead_domain::Paise;
use masthead_domain::plan::Plan;

use crate::{Result, Store, on_pool};

#[derive(sqlx::FromRow)]
struct PlanRow {
    id: i64,
    name: String,
    price_paise: i64,
    term_months: i64,
}

impl Store {
    /// Active plans in catalogue order.
    pub async fn active_plans(&self) -> Result<Vec<Plan>> {
        let rows: Vec<PlanRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id, name, price_paise, term_months FROM plans WHERE active ORDER BY position, id",
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|row| Plan {
                id: row.id,
                name: row.name,
                price: Paise(row.price_paise),
                term_months: u32::try_from(row.term_months).unwrap_or(1),
            })
            .collect())
    }
}
