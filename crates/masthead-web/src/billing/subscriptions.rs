//! A reader's subscription as the API and the account page see it, and the
//! changes a reader may ask for (cancel, resume, switch plan) — appended to
//! the subscription's ledger when its state allows them.

use masthead_domain::subscription::{Event, State as SubscriptionState, Status};
use masthead_insights::EventKind;
use masthead_store::{StoreError, SubscriptionRecord};
use serde::Serialize;

use crate::AppState;
use crate::http::error::ApiError;
use crate::http::session::Account;
use crate::http::visitor::Visitor;

/// The subscription as `/api/v1/me` and the lifecycle routes show it.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct SubscriptionReply {
    id: i64,
    plan_id: i64,
    next_plan_id: Option<i64>,
    /// `pending`, `active`, `past_due`, `cancelled`, `expired`, …
    #[schema(value_type = String, example = "active")]
    status: Status,
    current_period_end: Option<String>,
    cancel_at_period_end: bool,
    /// While the current term is a trial: when it ends (and the first charge is made).
    trial_until: Option<String>,
    /// While renewal is paused: when it is due (and charged) again.
    paused_until: Option<String>,
}

impl SubscriptionReply {
    pub(crate) fn new(id: i64, state: &SubscriptionState) -> Self {
        Self {
            id,
            plan_id: state.plan_id,
            next_plan_id: state.next_plan_id,
            status: state.status,
            current_period_end: state.current_period_end.map(|at| at.to_rfc3339()),
            cancel_at_period_end: state.cancel_at_period_end,
            trial_until: state.trial_until.filter(|_| state.has_access()).map(|at| at.to_rfc3339()),
            paused_until: state.paused_until.filter(|_| !state.cancel_at_period_end).map(|at| at.to_rfc3339()),
        }
    }
}

/// The reader's newest subscription and its state now, if any.
pub(crate) async fn latest(
    state: &AppState,
    reader_id: i64,
) -> Result<Option<(SubscriptionRecord, SubscriptionState)>, StoreError> {
    let Some(newest) = state.store.reader_subscriptions(reader_id).await?.into_iter().next() else {
        return Ok(None);
    };
    let folded = state.store.subscription_state(newest.id, state.clock.now()).await?;
    Ok(folded.map(|folded| (newest, folded)))
}

/// The reader's current subscription as `/api/v1/me` shows it.
pub(crate) async fn current(state: &AppState, reader_id: i64) -> Result<Option<SubscriptionReply>, StoreError> {
    Ok(latest(state, reader_id).await?.map(|(record, folded)| SubscriptionReply::new(record.id, &folded)))
}

/// The subscription of `id` if it belongs to `account`; 404 otherwise.
pub(crate) async fn own(state: &AppState, account: &Account, id: i64) -> Result<SubscriptionRecord, ApiError> {
    state
        .store
        .subscription(id)
        .await?
        .filter(|s| s.reader_id == account.id)
        .ok_or_else(|| ApiError::NotFound(format!("no subscription {id} on this account")))
}

/// A change the reader asks for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Change {
    Cancel,
    Resume,
    Switch(i64),
}

/// Why a change was not made.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ChangeError {
    /// The subscription cannot take this change now (409 for the API).
    #[error("{0}")]
    NotNow(&'static str),
    /// The plan to switch to is not on sale (400 for the API).
    #[error("no plan {0} on sale")]
    NoSuchPlan(i64),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ChangeError> for ApiError {
    fn from(error: ChangeError) -> Self {
        match error {
            ChangeError::NotNow(message) => Self::Conflict(message.to_owned()),
            ChangeError::NoSuchPlan(_) => Self::bad_field("plan_id", error.to_string()),
            ChangeError::Store(error) => error.into(),
        }
    }
}

/// Appends the event a change means, if the subscription may take it now.
pub(crate) async fn apply(
    state: &AppState,
    visitor: &Visitor,
    subscription: &SubscriptionRecord,
    change: Change,
) -> Result<SubscriptionState, ChangeError> {
    let now = state.clock.now();
    let before = state.store.subscription_state(subscription.id, now).await?;
    let Some(before) = before.filter(SubscriptionState::has_access) else {
        return Err(ChangeError::NotNow("only a running subscription can be changed"));
    };
    let event = match change {
        Change::Cancel => Event::Cancelled,
        Change::Resume if before.ending.is_some() => {
            return Err(ChangeError::NotNow(
                "this subscription ends for good (refunded, or a trial cancelled): there is nothing to resume",
            ));
        }
        Change::Resume => Event::Resumed,
        Change::Switch(plan_id) => {
            let plan = state.plans.get(&state.store).await?.find(plan_id).ok_or(ChangeError::NoSuchPlan(plan_id))?;
            if before.cancel_at_period_end {
                return Err(ChangeError::NotNow("resume the subscription before switching plans"));
            }
            Event::SwitchRequested { plan_id: plan.id }
        }
    };
    state.store.append_event(subscription.id, now, &event).await?;
    if matches!(event, Event::Cancelled) {
        // Cancelling declines the retention offer: it is not shown again.
        state.store.decline_retention(subscription.id, now).await?;
        state.count(state.event(EventKind::Cancellation, visitor).reader(subscription.reader_id));
    }
    Ok(state.store.subscription_state(subscription.id, now).await?.unwrap_or(before))
}
