//! The subscription API for apps: the plans, a new subscription and where
//! to pay for it, and the changes a reader may make (cancel, resume,
//! switch plan). Errors are `{"error": "..."}`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use masthead_billing::BillingError;
use masthead_domain::plan;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::checkout::start_checkout;
use super::subscriptions::{Change, SubscriptionReply, apply, own};
use crate::SharedState;
use crate::http::error::ApiError;
use crate::http::session::SignedIn;
use crate::http::visitor::Visitor;

impl From<BillingError> for ApiError {
    fn from(error: BillingError) -> Self {
        match error {
            BillingError::Refused(_) => Self::BadRequest(error.to_string()),
            BillingError::NotListening(message) => Self::NotFound(message),
            BillingError::Provider(error) => Self::Upstream(error.to_string()),
            BillingError::Store(error) => error.into(),
        }
    }
}

#[derive(Serialize)]
struct PlanItem {
    id: i64,
    name: String,
    price_paise: i64,
    term_months: u32,
    per_month_rupees: i64,
    save_percent: Option<u32>,
    benefits: Vec<&'static str>,
}

/// `GET /api/v1/plans`: the catalogue with the derived figures.
pub(crate) async fn plans(State(state): State<SharedState>) -> Json<serde_json::Value> {
    let plans = state.plans.active();
    let items: Vec<PlanItem> = plans
        .iter()
        .zip(plan::save_percents(&plans))
        .map(|(plan, save_percent)| PlanItem {
            id: plan.id,
            name: plan.name.clone(),
            price_paise: plan.price.0,
            term_months: plan.term_months,
            per_month_rupees: plan.per_month_rupees(),
            save_percent,
            benefits: plan.benefits.iter().map(|b| b.as_str()).collect(),
        })
        .collect();
    Json(json!({ "plans": items }))
}

#[derive(Deserialize)]
pub(crate) struct NewSubscription {
    plan_id: i64,
    provider: String,
}

/// `POST /api/v1/subscriptions {"plan_id","provider"}`: a pending subscription
/// and where to pay for it.
pub(crate) async fn create(
    State(state): State<SharedState>,
    session: SignedIn,
    visitor: Visitor,
    body: Bytes,
) -> Result<Response, ApiError> {
    let account = session.required()?;
    let request: NewSubscription = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("expected {{\"plan_id\": N, \"provider\": \"sandbox\"}}: {e}")))?;
    let plan = state
        .plans
        .find(request.plan_id)
        .ok_or_else(|| ApiError::BadRequest(format!("no plan {}", request.plan_id)))?;
    let provider = state.billing.provider(&request.provider).ok_or_else(|| {
        let refused = format!("provider {:?} cannot take payments here", request.provider);
        match state.billing.providers().as_slice() {
            [] => ApiError::BadRequest(format!("{refused}; no payment provider is set up on this site")),
            offered => ApiError::BadRequest(format!("{refused}; use \"{}\"", offered.join("\", \""))),
        }
    })?;
    let id = state.store.create_subscription(account.id, plan.id, provider.name(), state.clock.now()).await?;
    let checkout = start_checkout(&state, &visitor, &account.email, id, &plan, None).await?;
    let mut reply = json!({ "subscription_id": id, "checkout_url": checkout });
    if provider.name() == "sandbox" {
        reply["sandbox_pay_url"] = json!(format!("{}/api/v1/sandbox/{id}/pay", state.public_url));
    }
    Ok((StatusCode::CREATED, Json(reply)).into_response())
}

async fn change(
    state: &SharedState,
    session: SignedIn,
    visitor: &Visitor,
    id: i64,
    change: Change,
) -> Result<Response, ApiError> {
    let subscription = own(state, &session.required()?, id).await?;
    let after = apply(state, visitor, &subscription, change).await?;
    Ok(Json(SubscriptionReply::new(subscription.id, &after)).into_response())
}

/// `POST /api/v1/subscriptions/{id}/cancel`: no more renewals; access runs to the end of the term.
pub(crate) async fn cancel(
    State(state): State<SharedState>,
    session: SignedIn,
    visitor: Visitor,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    change(&state, session, &visitor, id, Change::Cancel).await
}

/// `POST /api/v1/subscriptions/{id}/resume`: renew after all.
pub(crate) async fn resume(
    State(state): State<SharedState>,
    session: SignedIn,
    visitor: Visitor,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    change(&state, session, &visitor, id, Change::Resume).await
}

#[derive(Deserialize)]
pub(crate) struct SwitchRequest {
    plan_id: i64,
}

/// `POST /api/v1/subscriptions/{id}/switch {"plan_id"}`: renew onto another
/// plan at the end of this term (the current one to take a switch back).
pub(crate) async fn switch(
    State(state): State<SharedState>,
    session: SignedIn,
    visitor: Visitor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: SwitchRequest =
        serde_json::from_slice(&body).map_err(|e| ApiError::BadRequest(format!("expected {{\"plan_id\": N}}: {e}")))?;
    change(&state, session, &visitor, id, Change::Switch(request.plan_id)).await
}
