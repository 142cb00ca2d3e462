//! The plan catalogue: what each plan costs, how long it runs, what it
//! gives, whether it earns partner codes and whether new readers may buy it.
//! Inactive plans stay in the table so existing subscriptions keep renewing
//! on them.

use crate::BeginWrite;
use masthead_domain::Paise;
use masthead_domain::access::Benefit;
use masthead_domain::plan::{Plan, PlanDraft};

use crate::{Result, Store, StoreError, on_pool};

#[derive(sqlx::FromRow)]
pub(crate) struct PlanRow {
    id: i64,
    name: String,
    price_paise: i64,
    term_months: i64,
    benefits: String,
    partner_eligible: bool,
    active: bool,
}

impl TryFrom<PlanRow> for Plan {
    type Error = StoreError;

    fn try_from(row: PlanRow) -> Result<Self> {
        let benefits = row
            .benefits
            .split(',')
            .filter(|b| !b.is_empty())
            .map(|b| Benefit::parse(b).ok_or_else(|| StoreError::Corrupt(format!("plan {} benefit {b:?}", row.id))))
            .collect::<Result<Vec<_>>>()?;
        Ok(Plan {
            id: row.id,
            name: row.name,
            price: Paise(row.price_paise),
            term_months: u32::try_from(row.term_months)
                .map_err(|_| StoreError::Corrupt(format!("plan {} term {}", row.id, row.term_months)))?,
            benefits,
            partner_eligible: row.partner_eligible,
            active: row.active,
        })
    }
}

/// `SELECT` of every plan column, then `$tail`.
macro_rules! select {
    ($tail:literal) => {
        concat!("SELECT id, name, price_paise, term_months, benefits, partner_eligible, active FROM plans ", $tail)
    };
}

/// One plan by id (for other modules' transactions).
pub(crate) const PLAN_BY_ID: &str = select!("WHERE id = $1");

/// Binds a draft's six columns to `$query`, after the parameters bound
/// already: `name, price_paise, term_months, benefits, partner_eligible, active`.
macro_rules! bind_draft {
    ($query:expr, $draft:expr) => {
        $query
            .bind(&$draft.name)
            .bind($draft.price.0)
            .bind(i64::from($draft.term_months))
            .bind(benefit_list(&$draft.benefits))
            .bind($draft.partner_eligible)
            .bind($draft.active)
    };
}

fn benefit_list(benefits: &[Benefit]) -> String {
    benefits.iter().map(|b| b.as_str()).collect::<Vec<_>>().join(",")
}

impl Store {
    /// Active plans in catalogue order: what readers may buy.
    pub async fn active_plans(&self) -> Result<Vec<Plan>> {
        Ok(self.all_plans().await?.into_iter().filter(|p| p.active).collect())
    }

    /// Every plan, inactive ones included, in catalogue order.
    pub async fn all_plans(&self) -> Result<Vec<Plan>> {
        let sql = select!("ORDER BY position, id");
        let rows: Vec<PlanRow> = on_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await)?;
        rows.into_iter().map(Plan::try_from).collect()
    }

    /// One plan, active or not.
    pub async fn plan(&self, id: i64) -> Result<Option<Plan>> {
        let row: Option<PlanRow> =
            on_pool!(self, pool => sqlx::query_as(PLAN_BY_ID).bind(id).fetch_optional(pool).await)?;
        row.map(Plan::try_from).transpose()
    }

    /// Adds a plan at the end of the catalogue; its id.
    pub async fn create_plan(&self, draft: &PlanDraft) -> Result<i64> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let (next_id, position): (i64, i64) =
                sqlx::query_as("SELECT COALESCE(MAX(id), 0) + 1, COALESCE(MAX(position), 0) + 1 FROM plans")
                    .fetch_one(&mut *tx)
                    .await?;
            let insert = sqlx::query(
                "INSERT INTO plans (id, position, name, price_paise, term_months, benefits, partner_eligible, active)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            );
            bind_draft!(insert.bind(next_id).bind(position), draft).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(next_id)
        })
    }

    /// Saves an edited plan; false when there is no such plan. Subscriptions
    /// already paid keep the terms they paid for; renewals charge the plan as
    /// it stands then.
    pub async fn update_plan(&self, id: i64, draft: &PlanDraft) -> Result<bool> {
        let update = "UPDATE plans SET name = $2, price_paise = $3, term_months = $4, benefits = $5,
                      partner_eligible = $6, active = $7 WHERE id = $1";
        let changed = on_pool!(self, pool => bind_draft!(sqlx::query(update).bind(id), draft)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(changed == 1)
    }
}
