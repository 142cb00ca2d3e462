//! Pausing renewal instead of cancelling (`masthead_domain::pause`): the
//! account page's form (1 to 3 months, with the CSRF token) and
//! `POST /api/v1/me/subscription/pause {"months"}`, and lifting the pause
//! (`/unpause` on the page, `POST /api/v1/me/subscription/resume`). A pause
//! is a `paused` entry in the subscription's ledger: access runs to the paid
//! term's end, and the renewal job charges on the day the pause ends. A
//! refused pause stores nothing and says why.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use masthead_domain::Paise;
use masthead_domain::pause::{self, PauseRefusal};
use masthead_domain::subscription::{Event, State as SubscriptionState, Status};
use masthead_store::{StoreError, SubscriptionRecord};
use serde::Deserialize;
use utoipa::ToSchema;

use super::subscriptions::{SubscriptionReply, latest};
use crate::http::csrf::{CsrfForm, NoFields};
use crate::http::error::{ApiError, FieldError, PageError};
use crate::http::json::ApiJson;
use crate::http::respond::see_other;
use crate::http::session::{Required, SignedIn};
use crate::{AppState, SharedState};

/// Why a pause or its lifting was not stored.
enum Refused {
    /// The pause itself (months, state).
    Pause(PauseRefusal),
    /// Nothing is paused.
    NotPaused,
}

impl From<Refused> for ApiError {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Pause(PauseRefusal::Months) => {
                Self::invalid(vec![FieldError::new("months", PauseRefusal::Months.to_string())])
            }
            Refused::Pause(other) => Self::Conflict(other.to_string()),
            Refused::NotPaused => Self::Conflict("renewal is not paused".to_owned()),
        }
    }
}

/// Pauses a subscription for `months` at its term's end, if it may.
async fn pause_for(
    state: &AppState,
    subscription: &SubscriptionRecord,
    months: u32,
) -> Result<Result<SubscriptionState, Refused>, StoreError> {
    let now = state.clock.now();
    let Some(before) = state.store.subscription_state(subscription.id, now).await? else {
        return Ok(Err(Refused::Pause(PauseRefusal::NotActive)));
    };
    let until = match pause::pause_until(&before, months) {
        Ok(until) => until,
        Err(refusal) => return Ok(Err(Refused::Pause(refusal))),
    };
    state.store.append_event(subscription.id, now, &Event::Paused { until }).await?;
    Ok(Ok(state.store.subscription_state(subscription.id, now).await?.unwrap_or(before)))
}

/// Lifts a subscription's pause: renewal is due at the term's end, or now
/// when the term has ended.
async fn unpause(
    state: &AppState,
    subscription: &SubscriptionRecord,
) -> Result<Result<SubscriptionState, Refused>, StoreError> {
    let now = state.clock.now();
    let before = state.store.subscription_state(subscription.id, now).await?;
    let Some(before) = before.filter(|s| s.paused_until.is_some() && !s.cancel_at_period_end) else {
        return Ok(Err(Refused::NotPaused));
    };
    state.store.append_event(subscription.id, now, &Event::Resumed).await?;
    Ok(Ok(state.store.subscription_state(subscription.id, now).await?.unwrap_or(before)))
}

/// The account's newest subscription, or 404.
async fn newest(state: &AppState, session: SignedIn) -> Result<SubscriptionRecord, ApiError> {
    let account = session.required()?;
    latest(state, account.id)
        .await?
        .map(|(record, _)| record)
        .ok_or_else(|| ApiError::NotFound("this account has no subscription".to_owned()))
}

/// How long to pause.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"months": 2}))]
pub(crate) struct PauseRequest {
    /// 1 to 3.
    #[schema(minimum = 1, maximum = 3)]
    months: u32,
}

/// `POST /api/v1/me/subscription/pause {"months"}`.
#[utoipa::path(
    post,
    path = "/api/v1/me/subscription/pause",
    tag = "billing",
    summary = "Pause renewal for 1 to 3 months: access to the term's end, then a charge on the day it ends",
    request_body = PauseRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The subscription now (paused_until: when renewal is due)", body = SubscriptionReply),
        (status = 404, description = "This account has no subscription"),
        (status = 409, description = "Not possible in the subscription's state (trial, cancelled, paused, not active)"),
        (status = 422, description = "Not 1 to 3 months"),
    )
)]
pub(crate) async fn pause_renewal(
    State(state): State<SharedState>,
    session: SignedIn,
    ApiJson(request): ApiJson<PauseRequest>,
) -> Result<Json<SubscriptionReply>, ApiError> {
    let subscription = newest(&state, session).await?;
    let after = pause_for(&state, &subscription, request.months).await??;
    Ok(Json(SubscriptionReply::new(subscription.id, &after)))
}

/// `POST /api/v1/me/subscription/resume`: lifts the pause.
#[utoipa::path(
    post,
    path = "/api/v1/me/subscription/resume",
    tag = "billing",
    summary = "Lift a pause: renewal at the term's end, or at once when it has ended",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The subscription now", body = SubscriptionReply),
        (status = 404, description = "This account has no subscription"),
        (status = 409, description = "Renewal is not paused"),
    )
)]
pub(crate) async fn resume_renewal(
    State(state): State<SharedState>,
    session: SignedIn,
) -> Result<Json<SubscriptionReply>, ApiError> {
    let subscription = newest(&state, session).await?;
    let after = unpause(&state, &subscription).await??;
    Ok(Json(SubscriptionReply::new(subscription.id, &after)))
}

#[derive(Deserialize)]
pub(crate) struct PauseFields {
    months: String,
}

/// The signed-in reader's subscription `id`, or 404.
async fn own(state: &AppState, reader_id: i64, id: i64) -> Result<SubscriptionRecord, PageError> {
    state.store.subscription(id).await?.filter(|s| s.reader_id == reader_id).ok_or(PageError::NotFound)
}

/// `POST /account/subscription/{id}/pause` from the account page: back to
/// it, saying what was done (or why nothing was).
pub(crate) async fn pause_page(
    State(state): State<SharedState>,
    Required(account): Required,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PauseFields>,
) -> Result<Response, PageError> {
    let subscription = own(&state, account.id, id).await?;
    let months = form.months.trim().parse().unwrap_or(0);
    match pause_for(&state, &subscription, months).await? {
        Ok(_) => Ok(see_other("/account?changed=pause")),
        Err(_) => Ok(see_other("/account?changed=pause-refused")),
    }
}

/// `POST /account/subscription/{id}/unpause` from the account page.
pub(crate) async fn unpause_page(
    State(state): State<SharedState>,
    Required(account): Required,
    Path(id): Path<i64>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let subscription = own(&state, account.id, id).await?;
    unpause(&state, &subscription).await?.ok();
    Ok(see_other("/account?changed=unpause"))
}

/// The account page's pause lines: what a pause means now, whether the
/// form is offered (`pause_ok`), and the notice after a change.
/// `charge` is what the renewal will cost.
pub(crate) fn describe(
    state: &AppState,
    folded: &SubscriptionState,
    charge: Paise,
    changed: Option<&str>,
) -> PauseView {
    let day = |at| state.billing.day(at);
    let paused = folded.paused_until.filter(|_| !folded.cancel_at_period_end);
    let line = match (paused, folded.status) {
        (Some(until), Status::Paused) => {
            Some(format!("Paused: renewal resumes on {} with a charge of {charge}", day(until)))
        }
        (Some(until), _) => folded.current_period_end.map(|end| {
            format!(
                "Renewal paused: you read until {}, then renewal resumes on {} with a charge of {charge}",
                day(end),
                day(until)
            )
        }),
        _ => None,
    };
    let notice = match changed {
        Some("pause") if line.is_some() => Some("Saved: your renewal is paused.".to_owned()),
        Some("pause-refused") => {
            Some("Not paused: only an active paid subscription can pause, for 1 to 3 months.".to_owned())
        }
        Some("unpause") if folded.paused_until.is_none() || folded.status == Status::RenewalDue => {
            Some("Your renewal is no longer paused.".to_owned())
        }
        _ => None,
    };
    PauseView {
        line,
        notice,
        can_pause: pause::pause_until(folded, 1).is_ok(),
        paused: paused.is_some(),
        months: (1..=pause::MAX_PAUSE_MONTHS).collect(),
    }
}

/// The pause as the account page shows it.
pub(crate) struct PauseView {
    /// "Renewal paused: you read until …, then renewal resumes on …".
    pub line: Option<String>,
    /// What the change just made did.
    pub notice: Option<String>,
    /// Whether the form to pause is shown.
    pub can_pause: bool,
    /// Whether "Resume renewal now" is shown.
    pub paused: bool,
    /// The months offered.
    pub months: Vec<u32>,
}
