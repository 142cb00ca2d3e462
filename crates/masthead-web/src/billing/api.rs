//! The subscription API for apps: the plans, a new subscription (with an
//! offer code, redeemed or refused with the reason) and where to pay for it
//! ([`CheckoutReply`], which the gift and group checkouts answer too), and
//! the changes a reader may make (cancel, resume, switch plan). Errors are
//! problems (`http::error`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use masthead_billing::BillingError;
use masthead_domain::{Paise, plan};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::checkout::{new_subscription, start_checkout};
use super::subscriptions::{Change, SubscriptionReply, apply, own};
use crate::billing::providers::sandbox;
use crate::http::error::{ApiError, FieldError};
use crate::http::json::ApiJson;
use crate::http::paging::{PageInfo, Paging, PagingParams};
use crate::http::session::SignedIn;
use crate::http::visitor::Visitor;
use crate::{AppState, SharedState};

impl From<BillingError> for ApiError {
    fn from(error: BillingError) -> Self {
        match error {
            BillingError::Refused(_) => Self::bad_request(error.to_string()),
            BillingError::NotListening(message) => Self::NotFound(message),
            BillingError::Provider(error) => Self::Upstream(error.to_string()),
            BillingError::Store(error) => error.into(),
        }
    }
}

/// A plan on sale, with the figures the plan page shows.
#[derive(Serialize, ToSchema)]
pub(crate) struct PlanItem {
    id: i64,
    name: String,
    price_paise: i64,
    term_months: u32,
    per_month_rupees: i64,
    save_percent: Option<u32>,
    #[schema(value_type = Vec<String>)]
    benefits: Vec<&'static str>,
}

/// A page of plans.
#[derive(Serialize, ToSchema)]
pub(crate) struct PlanList {
    plans: Vec<PlanItem>,
    paging: PageInfo,
}

/// A pending subscription and where to pay for it: the reply of every
/// checkout the API starts (a subscription's; a gift's and a group's carry
/// it flattened beside their own id).
#[derive(Serialize, ToSchema)]
pub(crate) struct CheckoutReply {
    /// The subscription the payment goes to (a gift's is the buyer's, a
    /// group's the manager's).
    subscription_id: i64,
    /// What the first payment is, GST included: the plan's price (once per
    /// seat for a group), or less with an offer (zero for a free trial).
    amount_paise: i64,
    /// The provider's checkout, for a browser.
    pub(crate) checkout_url: String,
    /// With the sandbox: `POST` here to pay without a browser.
    #[serde(skip_serializing_if = "Option::is_none")]
    sandbox_pay_url: Option<String>,
}

impl CheckoutReply {
    /// The checkout of `subscription_id`, paid through `provider`.
    pub(crate) fn new(
        state: &AppState,
        provider: &str,
        subscription_id: i64,
        amount: Paise,
        checkout_url: String,
    ) -> Self {
        let sandbox_pay_url = sandbox::pay_url(state, provider, subscription_id);
        Self { subscription_id, amount_paise: amount.0, checkout_url, sandbox_pay_url }
    }
}

/// `GET /api/v1/plans`: the catalogue with the derived figures.
#[utoipa::path(
    get,
    path = "/api/v1/plans",
    tag = "billing",
    summary = "The plans on sale",
    params(PagingParams),
    responses((status = 200, description = "A page of plans", body = PlanList))
)]
pub(crate) async fn plans(State(state): State<SharedState>, paging: Paging) -> Result<Json<PlanList>, ApiError> {
    let plans = state.plans.get(&state.store).await?.0;
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
    let (plans, paging) = paging.slice(items);
    Ok(Json(PlanList { plans, paging }))
}

/// Which plan, paid through which provider, with which offer code if any.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"plan_id": 1, "provider": "sandbox", "offer": "MONSOON25"}))]
pub(crate) struct NewSubscription {
    plan_id: i64,
    provider: String,
    /// An offer's code: refused (422, with the reason, nothing stored) when
    /// unknown, not yet valid, expired, fully redeemed, not for this plan, or
    /// used by this reader before.
    offer: Option<String>,
}

/// `POST /api/v1/subscriptions {"plan_id","provider","offer"}`: a pending
/// subscription and where to pay for it.
#[utoipa::path(
    post,
    path = "/api/v1/subscriptions",
    tag = "billing",
    summary = "Start a subscription",
    request_body = NewSubscription,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Pending until paid", body = CheckoutReply),
        (status = 400, description = "No such plan, or the provider does not take payments here"),
        (status = 422, description = "The offer cannot be used; the field error says why"),
        (status = 502, description = "The payment provider failed"),
    )
)]
pub(crate) async fn create(
    State(state): State<SharedState>,
    session: SignedIn,
    visitor: Visitor,
    ApiJson(request): ApiJson<NewSubscription>,
) -> Result<Response, ApiError> {
    let account = session.required()?;
    let plan = state
        .plans
        .get(&state.store)
        .await?
        .find(request.plan_id)
        .ok_or_else(|| ApiError::bad_field("plan_id", format!("no plan {}", request.plan_id)))?;
    let provider = state.billing.provider(&request.provider).ok_or_else(|| {
        let refused = format!("provider {:?} cannot take payments here", request.provider);
        let message = match state.billing.providers().as_slice() {
            [] => format!("{refused}; no payment provider is set up on this site"),
            offered => format!("{refused}; use \"{}\"", offered.join("\", \"")),
        };
        ApiError::bad_field("provider", message)
    })?;
    let id = new_subscription(&state, account.id, &plan, provider.name(), request.offer.as_deref())
        .await?
        .map_err(|refusal| ApiError::invalid(vec![FieldError::new("offer", refusal.to_string())]))?;
    let checkout = start_checkout(&state, &visitor, &account.email, id, &plan, None).await?;
    let subscription = own(&state, &account, id).await?;
    let amount = state.billing.charge_due(&subscription).await?.amount;
    let reply = CheckoutReply::new(&state, provider.name(), id, amount, checkout);
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
#[utoipa::path(
    post,
    path = "/api/v1/subscriptions/{id}/cancel",
    tag = "billing",
    summary = "Cancel: no more renewals, access to the end of the term",
    params(("id" = i64, Path, description = "The subscription's id", example = 1)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The subscription now", body = SubscriptionReply),
        (status = 404, description = "No such subscription of this account"),
        (status = 409, description = "Not possible in the subscription's state"),
    )
)]
pub(crate) async fn cancel(
    State(state): State<SharedState>,
    session: SignedIn,
    visitor: Visitor,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    change(&state, session, &visitor, id, Change::Cancel).await
}

/// `POST /api/v1/subscriptions/{id}/resume`: renew after all.
#[utoipa::path(
    post,
    path = "/api/v1/subscriptions/{id}/resume",
    tag = "billing",
    summary = "Resume: renew after all",
    params(("id" = i64, Path, description = "The subscription's id", example = 1)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The subscription now", body = SubscriptionReply),
        (status = 404, description = "No such subscription of this account"),
        (status = 409, description = "Not possible in the subscription's state"),
    )
)]
pub(crate) async fn resume(
    State(state): State<SharedState>,
    session: SignedIn,
    visitor: Visitor,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    change(&state, session, &visitor, id, Change::Resume).await
}

/// The plan to renew onto.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"plan_id": 2}))]
pub(crate) struct SwitchRequest {
    plan_id: i64,
}

/// `POST /api/v1/subscriptions/{id}/switch {"plan_id"}`: renew onto another
/// plan at the end of this term (the current one to take a switch back).
#[utoipa::path(
    post,
    path = "/api/v1/subscriptions/{id}/switch",
    tag = "billing",
    summary = "Switch plan at the end of this term",
    params(("id" = i64, Path, description = "The subscription's id", example = 1)),
    request_body = SwitchRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The subscription now", body = SubscriptionReply),
        (status = 404, description = "No such subscription of this account"),
        (status = 409, description = "Not possible in the subscription's state"),
    )
)]
pub(crate) async fn switch(
    State(state): State<SharedState>,
    session: SignedIn,
    visitor: Visitor,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<SwitchRequest>,
) -> Result<Response, ApiError> {
    change(&state, session, &visitor, id, Change::Switch(request.plan_id)).await
}
