//! The sandbox provider's checkout, clearly marked TEST MODE: the page with
//! its "Pay" and "Decline" buttons, and `POST /api/v1/sandbox/{id}/pay`,
//! which does what "Pay" does without a browser. Either way the sandbox
//! signs a webhook that goes through the door every provider's does.
//!
//! Where the sandbox is off (`serve` without `--sandbox-payments`) every one
//! of these routes answers 404 before anything else runs ([`SandboxOn`]).

use askama::Template;
use axum::Json;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use masthead_billing::SandboxCard;
use masthead_store::SubscriptionRecord;
use serde::Deserialize;

use crate::billing::checkout::{NextQuery, after_paying, checkout_layout, payment_failed, plan_card};
use crate::billing::subscriptions::{SubscriptionReply, own};
use crate::billing::views::PlanCard;
use crate::http::csrf::{self, CsrfForm};
use crate::http::error::{ApiError, PageError};
use crate::http::json::ApiJson;
use crate::http::respond::{safe_next, see_other};
use crate::http::session::{Required, SignedIn};
use crate::http::views::{self, Layout};
use crate::http::visitor::Visitor;
use crate::{AppState, SharedState};

/// Guard, first among a sandbox route's arguments: 404 where the sandbox is
/// off — no session read, no form taken, nothing stored.
pub(crate) struct SandboxOn;

impl FromRequestParts<SharedState> for SandboxOn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> Result<Self, Self::Rejection> {
        if state.billing.sandbox_on() {
            Ok(Self)
        } else if parts.uri.path().starts_with("/api/") {
            Err(ApiError::NotFound("the sandbox payment provider is off here".to_owned()).into_response())
        } else {
            Err(PageError::NotFound.into_response())
        }
    }
}

/// The test card a number names; none is the card that pays.
fn sandbox_card(number: Option<&str>) -> Result<SandboxCard, String> {
    match number.map(str::trim).filter(|n| !n.is_empty()) {
        None => Ok(SandboxCard::Succeeds),
        Some(number) => SandboxCard::parse(number).ok_or_else(|| {
            "unknown test card: use 4242 4242 4242 4242 (succeeds), 4000 0000 0000 0341 (renewals declined) \
             or 4000 0000 0000 0002 (declined)"
                .to_owned()
        }),
    }
}

/// A sandbox test card: `4242 4242 4242 4242` pays (the default),
/// `4000 0000 0000 0341` pays now but declines renewals, `4000 0000 0000 0002` declines.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[schema(example = json!({"card": "4242 4242 4242 4242"}))]
pub(crate) struct SandboxPayRequest {
    card: Option<String>,
}

/// Where an app pays a checkout of `provider` for subscription `id` without a
/// browser: `POST /api/v1/sandbox/{id}/pay`, for the sandbox alone (the
/// `sandbox_pay_url` of every checkout the API starts).
pub(crate) fn pay_url(state: &AppState, provider: &str, id: i64) -> Option<String> {
    (provider == "sandbox").then(|| format!("{}/api/v1/sandbox/{id}/pay", state.public_url))
}

/// `POST /api/v1/sandbox/{id}/pay [{"card"}]`: what pressing "Pay" on the
/// sandbox checkout does, without a browser.
#[utoipa::path(
    post,
    path = "/api/v1/sandbox/{id}/pay",
    tag = "billing",
    summary = "Pay a pending subscription in the sandbox (test mode)",
    params(("id" = i64, Path, description = "The subscription's id", example = 1)),
    request_body(content = Option<SandboxPayRequest>, description = "A test card; none pays"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The subscription now (null if it has no state yet)", body = Option<SubscriptionReply>),
        (status = 404, description = "No such subscription of this account, or the sandbox is off here"),
        (status = 502, description = "The payment failed"),
    )
)]
pub(crate) async fn pay_api(
    State(state): State<SharedState>,
    _on: SandboxOn,
    session: SignedIn,
    Path(id): Path<i64>,
    body: Option<ApiJson<SandboxPayRequest>>,
) -> Result<Response, ApiError> {
    let subscription = own(&state, &session.required()?, id).await?;
    let request = body.map(|ApiJson(request)| request).unwrap_or_default();
    let card = sandbox_card(request.card.as_deref()).map_err(|message| ApiError::bad_field("card", message))?;
    if subscription.provider != "sandbox" {
        return Err(ApiError::NotFound(format!("subscription {id} does not pay through the sandbox")));
    }
    state.billing.pay_with_sandbox(&subscription, card).await?;
    let folded = state.store.subscription_state(subscription.id, state.clock.now()).await?;
    Ok(Json(folded.map(|s| SubscriptionReply::new(subscription.id, &s))).into_response())
}

/// The sandbox's checkout page: clearly test mode.
#[derive(Template)]
#[template(path = "checkout.html")]
struct CheckoutPage<'a> {
    layout: Layout<'a>,
    plan: PlanCard,
    csrf: String,
    next: Option<String>,
    action: String,
    name: String,
    state: String,
    states: &'static [&'static str],
    error: Option<String>,
}

impl<'a> CheckoutPage<'a> {
    /// The page for `subscription`, its form filled with `name` and `buyer_state`.
    async fn new(
        state: &'a AppState,
        visitor: &Visitor,
        subscription: &SubscriptionRecord,
        next: Option<&str>,
        (name, buyer_state): (String, String),
        error: Option<String>,
    ) -> Result<Self, PageError> {
        Ok(Self {
            layout: checkout_layout(state, "Sandbox checkout"),
            plan: plan_card(state, subscription).await?,
            csrf: csrf::token(state, visitor),
            next: safe_next(next),
            action: format!("/checkout/sandbox/{}", subscription.id),
            name,
            state: buyer_state,
            states: &masthead_domain::tax::STATES,
            error,
        })
    }
}

/// The reader's own subscription `id`, when it pays through the sandbox.
async fn sandbox_subscription(state: &AppState, reader_id: i64, id: i64) -> Result<SubscriptionRecord, PageError> {
    let subscription = state.store.subscription(id).await?;
    subscription.filter(|s| s.reader_id == reader_id && s.provider == "sandbox").ok_or(PageError::NotFound)
}

/// `GET /checkout/sandbox/{id}`.
pub(crate) async fn checkout_page(
    State(state): State<SharedState>,
    _on: SandboxOn,
    visitor: Visitor,
    Required(account): Required,
    Path(id): Path<i64>,
    Query(query): Query<NextQuery>,
) -> Result<Response, PageError> {
    let subscription = sandbox_subscription(&state, account.id, id).await?;
    let saved = state.store.billing_profile(account.id).await?.unwrap_or_default();
    let page = CheckoutPage::new(&state, &visitor, &subscription, query.next.as_deref(), saved, None).await?;
    Ok(visitor.remember(views::render(&page)))
}

#[derive(Deserialize)]
pub(crate) struct PayFields {
    outcome: String,
    next: Option<String>,
    card: Option<String>,
    name: Option<String>,
    state: Option<String>,
}

/// `POST /checkout/sandbox/{id}`: "Pay" (or "Decline") pressed. The buyer's
/// name and state go on the invoice.
pub(crate) async fn checkout_pay(
    State(state): State<SharedState>,
    _on: SandboxOn,
    visitor: Visitor,
    Required(account): Required,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PayFields>,
) -> Result<Response, PageError> {
    let subscription = sandbox_subscription(&state, account.id, id).await?;
    let name = form.name.as_deref().unwrap_or_default().trim().to_owned();
    let typed_state = form.state.as_deref().unwrap_or_default().trim();
    let buyer_state = masthead_domain::tax::state(typed_state);
    let card = if form.outcome == "pay" { sandbox_card(form.card.as_deref()) } else { Ok(SandboxCard::Declines) };
    // The details are optional (the account's saved ones, else the address and
    // the publisher's state, go on the invoice), but what is typed must be right.
    let checked = card.and_then(|card| match buyer_state {
        None if !typed_state.is_empty() => {
            Err("Choose your state from the list: it decides the GST on your invoice.".to_owned())
        }
        _ if name.chars().count() > 120 => Err("The name on the invoice may have up to 120 characters.".to_owned()),
        _ => Ok(card),
    });
    let card = match checked {
        Ok(card) => card,
        Err(error) => {
            let typed = (name, typed_state.to_owned());
            let page =
                CheckoutPage::new(&state, &visitor, &subscription, form.next.as_deref(), typed, Some(error)).await?;
            let mut response = views::render(&page);
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(visitor.remember(response));
        }
    };
    if let Some(buyer_state) = buyer_state {
        let name = if name.is_empty() { account.email.clone() } else { name };
        state.store.set_billing_profile(account.id, &name, buyer_state).await?;
    }
    state.billing.pay_with_sandbox(&subscription, card).await.map_err(payment_failed)?;
    let paid = state.store.subscription_state(id, state.clock.now()).await?.is_some_and(|s| s.has_access());
    let back = if paid { after_paying(form.next.as_deref()) } else { "/account".to_owned() };
    Ok(see_other(&back))
}
