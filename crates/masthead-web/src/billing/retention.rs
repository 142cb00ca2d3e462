//! The retention offer at cancellation: the offer an admin marked on
//! `/newsroom/offers` is shown on the page that asks before cancelling (and
//! by `GET /api/v1/subscriptions/{id}/retention-offer`) to a subscription
//! that would renew, is not in a trial, and has not decided on one before;
//! accepting (`POST` to the same addresses) keeps the subscription and
//! prices its next charge (or every one, as the offer says); cancelling
//! declines it. Either way that subscription is never shown it again
//! (`masthead_store`'s `retention_decisions`).

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use masthead_domain::offer::{Offer, OfferRefusal};
use masthead_domain::subscription::{State as SubscriptionState, Status};
use masthead_store::{StoreError, SubscriptionRecord};
use serde::Serialize;
use utoipa::ToSchema;

use super::subscriptions::{SubscriptionReply, own};
use crate::http::csrf::{CsrfForm, NoFields};
use crate::http::error::{ApiError, PageError};
use crate::http::respond::see_other;
use crate::http::session::{Required, SignedIn};
use crate::{AppState, SharedState};

/// The retention offer a subscription may be shown now, with its state:
/// none when no offer is marked, it is not valid now or not for the plan
/// the subscription renews on, it is exhausted, the subscription would not
/// renew (cancelled, ended, paused, a trial) or decided on one before.
pub(crate) async fn available(
    state: &AppState,
    subscription: &SubscriptionRecord,
) -> Result<Option<(Offer, SubscriptionState)>, StoreError> {
    let now = state.clock.now();
    let Some(offer) = state.store.retention_offer().await? else { return Ok(None) };
    let Some(folded) = state.store.subscription_state(subscription.id, now).await? else { return Ok(None) };
    let renews = matches!(folded.status, Status::Active | Status::RenewalDue | Status::PastDue)
        && folded.trial_until.is_none()
        && folded.paused_until.is_none();
    if !renews || offer.exhausted() || state.store.retention_decided(subscription.id).await? {
        return Ok(None);
    }
    let Some(plan) = state.store.plan(folded.plan_due()).await? else { return Ok(None) };
    Ok(offer.check(&plan, now).is_ok().then_some((offer, folded)))
}

/// Accepts the retention offer for a subscription, if it is available now.
async fn accept(state: &AppState, subscription: &SubscriptionRecord) -> Result<Result<(), OfferRefusal>, StoreError> {
    let Some((offer, _)) = available(state, subscription).await? else { return Ok(Err(OfferRefusal::AlreadyUsed)) };
    state.store.accept_retention(subscription.id, &offer, state.clock.now()).await
}

/// The retention offer as the cancel page shows it.
pub(crate) struct RetentionView {
    /// "Stay with 50% off your next renewal (₹450 instead of ₹900)".
    pub line: String,
    /// Where accepting posts.
    pub action: String,
}

/// The cancel page's retention offer for a subscription, if it may be shown.
pub(crate) async fn view(
    state: &AppState,
    subscription: &SubscriptionRecord,
) -> Result<Option<RetentionView>, StoreError> {
    let Some((offer, _)) = available(state, subscription).await? else { return Ok(None) };
    let terms = if offer.forever { "every renewal" } else { "your next renewal" };
    let discount = match offer.kind {
        masthead_domain::offer::OfferKind::Percent { percent } => format!("{percent}% off"),
        masthead_domain::offer::OfferKind::Fixed { off } => format!("{off} off"),
        masthead_domain::offer::OfferKind::Trial { .. } => return Ok(None),
    };
    Ok(Some(RetentionView {
        line: format!("{}: stay with {discount} {terms}", offer.name),
        action: format!("/account/subscription/{}/keep", subscription.id),
    }))
}

/// `POST /account/subscription/{id}/keep`: accepts the retention offer
/// from the cancel page; back to the account page, which says what it did.
pub(crate) async fn keep_page(
    State(state): State<SharedState>,
    Required(account): Required,
    Path(id): Path<i64>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let subscription =
        state.store.subscription(id).await?.filter(|s| s.reader_id == account.id).ok_or(PageError::NotFound)?;
    match accept(&state, &subscription).await? {
        Ok(()) => Ok(see_other("/account?changed=keep")),
        Err(_) => Ok(see_other("/account")),
    }
}

/// The retention offer a subscription may accept instead of cancelling.
#[derive(Serialize, ToSchema)]
pub(crate) struct RetentionOffer {
    offer_id: i64,
    code: String,
    name: String,
    /// "50% off the first term": the next renewal, or "every term".
    terms: String,
    /// The next renewal's charge with it, GST included.
    next_charge_paise: i64,
    /// The plan's own price for it.
    list_price_paise: i64,
}

/// `GET /api/v1/subscriptions/{id}/retention-offer`.
#[utoipa::path(
    get,
    path = "/api/v1/subscriptions/{id}/retention-offer",
    tag = "billing",
    summary = "The offer shown instead of cancelling, if this subscription may have it",
    params(("id" = i64, Path, description = "The subscription's id", example = 1)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The offer and the next charge with it", body = RetentionOffer),
        (status = 404, description = "No such subscription of this account, or no offer for it (none marked, used or declined before)"),
    )
)]
pub(crate) async fn show_retention_offer(
    State(state): State<SharedState>,
    session: SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<RetentionOffer>, ApiError> {
    let subscription = own(&state, &session.required()?, id).await?;
    let none = || ApiError::NotFound("no retention offer for this subscription".to_owned());
    let (offer, folded) = available(&state, &subscription).await?.ok_or_else(none)?;
    let plan = state.store.plan(folded.plan_due()).await?.ok_or_else(none)?;
    let with = SubscriptionState {
        retention: Some(masthead_domain::subscription::Retention {
            offer_id: offer.id,
            after_terms: folded.paid_terms,
        }),
        ..folded.clone()
    };
    let (charge, _) = masthead_domain::offer::charge_due(&plan, None, Some(&offer), Some(&with));
    Ok(Json(RetentionOffer {
        offer_id: offer.id,
        terms: offer.describe(),
        code: offer.code,
        name: offer.name,
        next_charge_paise: charge.amount.0,
        list_price_paise: charge.list_price.0,
    }))
}

/// `POST /api/v1/subscriptions/{id}/retention-offer`: accept it.
#[utoipa::path(
    post,
    path = "/api/v1/subscriptions/{id}/retention-offer",
    tag = "billing",
    summary = "Accept the retention offer instead of cancelling",
    params(("id" = i64, Path, description = "The subscription's id", example = 1)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The subscription now, renewing with the offer", body = SubscriptionReply),
        (status = 404, description = "No such subscription of this account"),
        (status = 409, description = "No retention offer for it now: none marked, or decided on before (at most once per subscription)"),
    )
)]
pub(crate) async fn accept_retention_offer(
    State(state): State<SharedState>,
    session: SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<SubscriptionReply>, ApiError> {
    let subscription = own(&state, &session.required()?, id).await?;
    accept(&state, &subscription).await?.map_err(|refusal| {
        ApiError::Conflict(match refusal {
            OfferRefusal::AlreadyUsed => "no retention offer for this subscription now".to_owned(),
            other => other.to_string(),
        })
    })?;
    let after = state
        .store
        .subscription_state(id, state.clock.now())
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no subscription {id} on this account")))?;
    Ok(Json(SubscriptionReply::new(id, &after)))
}
