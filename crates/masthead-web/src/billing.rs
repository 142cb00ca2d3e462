//! Buying, cancelling and paying for subscriptions, and the providers'
//! webhooks.
//!
//! Every provider — the built-in sandbox included — reports payments by a
//! signed webhook, and every webhook goes through [`receive_webhook`]: the
//! signature is checked first (400 and nothing stored when it fails), the
//! event is stored before it is processed, and processing is idempotent
//! (payments are recorded once per provider payment id), so retries,
//! parallel deliveries and reordering all converge. The sandbox's "Pay"
//! button signs a webhook with the sandbox secret and hands it to the same
//! function, so the demo exercises the real path.

use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use masthead_billing::events::{self, EventKind, ProviderEvent};
use masthead_billing::signature;
use masthead_domain::plan::{self, Plan};
use masthead_domain::subscription::{Event, State as SubscriptionState};
use masthead_store::{PaymentIn, StoreError, SubscriptionRecord};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::account::{Required, SignedIn, safe_next, see_other};
use crate::csrf::{self, CsrfForm};
use crate::error::{ApiError, PageError};
use crate::views::{self, ChooseForm, Layout, Offer, PlanCard, SubscribePage};
use crate::visitor::{Visitor, random_hex};
use crate::{AppState, SharedState};

/// Webhook secrets of the real providers; a provider without one answers 404.
#[derive(Clone, Default)]
pub struct PaymentConfig {
    /// Stripe's `whsec_...` endpoint secret.
    pub stripe_webhook_secret: Option<String>,
    /// Razorpay's webhook secret.
    pub razorpay_webhook_secret: Option<String>,
}

impl std::fmt::Debug for PaymentConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentConfig")
            .field("stripe", &self.stripe_webhook_secret.as_ref().map(|_| "***"))
            .field("razorpay", &self.razorpay_webhook_secret.as_ref().map(|_| "***"))
            .finish()
    }
}

/// The secrets webhooks are checked with, the sandbox's included.
pub(crate) struct Providers {
    pub sandbox_secret: String,
    pub config: PaymentConfig,
}

impl std::fmt::Debug for Providers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Providers").field("config", &self.config).finish_non_exhaustive()
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
    let items: Vec<PlanItem> = state
        .plans
        .iter()
        .zip(plan::save_percents(&state.plans))
        .map(|(plan, save_percent)| PlanItem {
            id: plan.id,
            name: plan.name.clone(),
            price_paise: plan.price.0,
            term_months: plan.term_months,
            per_month_rupees: plan.per_month_rupees(),
            save_percent,
            benefits: plan_benefits(plan).iter().map(|b| b.as_str()).collect(),
        })
        .collect();
    Json(json!({ "plans": items }))
}

/// What a plan gives: everything, the partner bundle only from a year up.
fn plan_benefits(plan: &Plan) -> Vec<masthead_domain::access::Benefit> {
    use masthead_domain::access::Benefit;
    Benefit::ALL.into_iter().filter(|b| *b != Benefit::PartnerAccess || plan.term_months >= 12).collect()
}

#[derive(Deserialize)]
pub(crate) struct NewSubscription {
    plan_id: i64,
    provider: String,
}

fn signed_in(signed_in: SignedIn) -> Result<crate::account::Account, ApiError> {
    signed_in.0.ok_or_else(|| ApiError::Unauthorized("sign in first: send Authorization: Bearer <token>".to_owned()))
}

/// `POST /api/v1/subscriptions {"plan_id","provider"}`: a pending subscription
/// and where to pay for it.
pub(crate) async fn create(
    State(state): State<SharedState>,
    session: SignedIn,
    body: Bytes,
) -> Result<Response, ApiError> {
    let account = signed_in(session)?;
    let request: NewSubscription = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("expected {{\"plan_id\": N, \"provider\": \"sandbox\"}}: {e}")))?;
    let plan = state
        .plans
        .iter()
        .find(|p| p.id == request.plan_id)
        .ok_or_else(|| ApiError::BadRequest(format!("no plan {}", request.plan_id)))?;
    if request.provider != "sandbox" {
        return Err(ApiError::BadRequest(format!(
            "provider {:?} cannot take payments here yet; use \"sandbox\"",
            request.provider
        )));
    }
    let id = state.store.create_subscription(account.id, plan.id, "sandbox", state.clock.now()).await?;
    let reply = json!({
        "subscription_id": id,
        "checkout_url": format!("{}/checkout/sandbox/{id}", state.public_url),
        "sandbox_pay_url": format!("{}/api/v1/sandbox/{id}/pay", state.public_url),
    });
    Ok((StatusCode::CREATED, Json(reply)).into_response())
}

/// The subscription of `id` if it belongs to the signed-in account.
async fn own(state: &AppState, session: SignedIn, id: i64) -> Result<SubscriptionRecord, ApiError> {
    let account = signed_in(session)?;
    state
        .store
        .subscription(id)
        .await?
        .filter(|s| s.reader_id == account.id)
        .ok_or_else(|| ApiError::NotFound(format!("no subscription {id} on this account")))
}

/// The subscription as `/api/v1/me` and the lifecycle routes show it.
#[derive(Serialize)]
pub(crate) struct SubscriptionReply {
    id: i64,
    plan_id: i64,
    status: masthead_domain::subscription::Status,
    current_period_end: Option<String>,
    cancel_at_period_end: bool,
}

impl SubscriptionReply {
    pub(crate) fn new(id: i64, state: &SubscriptionState) -> Self {
        Self {
            id,
            plan_id: state.plan_id,
            status: state.status,
            current_period_end: state.current_period_end.map(|at| at.to_rfc3339()),
            cancel_at_period_end: state.cancel_at_period_end,
        }
    }
}

/// The reader's newest subscription and its state now, if any.
async fn latest(state: &AppState, reader_id: i64) -> Result<Option<(i64, SubscriptionState)>, StoreError> {
    let Some(newest) = state.store.reader_subscriptions(reader_id).await?.into_iter().next() else {
        return Ok(None);
    };
    let folded = state.store.subscription_state(newest.id, state.clock.now()).await?;
    Ok(folded.map(|folded| (newest.id, folded)))
}

/// The reader's current subscription as `/api/v1/me` shows it.
pub(crate) async fn current(state: &AppState, reader_id: i64) -> Result<Option<SubscriptionReply>, StoreError> {
    Ok(latest(state, reader_id).await?.map(|(id, folded)| SubscriptionReply::new(id, &folded)))
}

async fn change(state: &AppState, session: SignedIn, id: i64, event: Event) -> Result<Response, ApiError> {
    let subscription = own(state, session, id).await?;
    let now = state.clock.now();
    let before = state.store.subscription_state(subscription.id, now).await?;
    if !before.as_ref().is_some_and(SubscriptionState::has_access) {
        return Err(ApiError::Conflict("only a running subscription can be cancelled or resumed".to_owned()));
    }
    state.store.append_event(subscription.id, now, &event).await?;
    let after = state.store.subscription_state(subscription.id, now).await?;
    Ok(Json(after.map(|s| SubscriptionReply::new(subscription.id, &s))).into_response())
}

/// `POST /api/v1/subscriptions/{id}/cancel`: no more renewals; access runs to the end of the term.
pub(crate) async fn cancel(
    State(state): State<SharedState>,
    session: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    change(&state, session, id, Event::Cancelled).await
}

/// `POST /api/v1/subscriptions/{id}/resume`: renew after all.
pub(crate) async fn resume(
    State(state): State<SharedState>,
    session: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    change(&state, session, id, Event::Resumed).await
}

/// `POST /api/v1/sandbox/{id}/pay`: what pressing "Pay" on the sandbox
/// checkout does, without a browser.
pub(crate) async fn sandbox_pay(
    State(state): State<SharedState>,
    session: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let subscription = own(&state, session, id).await?;
    pay_with_sandbox(&state, &subscription, true).await?;
    let folded = state.store.subscription_state(subscription.id, state.clock.now()).await?;
    Ok(Json(folded.map(|s| SubscriptionReply::new(subscription.id, &s))).into_response())
}

/// The sandbox takes (or refuses) the money: it signs a webhook about it and
/// delivers it through the same path every provider's webhook takes.
pub(crate) async fn pay_with_sandbox(
    state: &AppState,
    subscription: &SubscriptionRecord,
    succeed: bool,
) -> Result<(), ApiError> {
    let plan_id = plan_due(state, subscription).await?;
    let price = state.plans.iter().find(|p| p.id == plan_id).map_or(0, |p| p.price.0);
    let now = state.clock.now().timestamp();
    let body = if succeed {
        json!({"id": format!("sbx_evt_{}", random_hex(12)), "type": "payment.succeeded", "created": now,
               "subscription": subscription.id, "payment_id": format!("sbx_pay_{}", random_hex(12)),
               "amount": price, "currency": "inr"})
    } else {
        json!({"id": format!("sbx_evt_{}", random_hex(12)), "type": "payment.failed", "created": now,
               "subscription": subscription.id})
    }
    .to_string();
    let mut headers = HeaderMap::new();
    let signed = signature::sign_timestamped(body.as_bytes(), &state.payments.sandbox_secret, now);
    headers.insert("x-masthead-signature", HeaderValue::from_str(&signed).expect("hex and digits"));
    receive_webhook(state, "sandbox", &headers, body.as_bytes()).await.map(|_| ())
}

/// `POST /webhooks/{provider}`.
pub(crate) async fn webhook(
    State(state): State<SharedState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let status = receive_webhook(&state, &provider, &headers, &body).await?;
    Ok((StatusCode::OK, Json(json!({ "status": status }))).into_response())
}

fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Checks, stores and processes one webhook; the word says what happened.
pub(crate) async fn receive_webhook(
    state: &AppState,
    provider: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<&'static str, ApiError> {
    let now = state.clock.now();
    let refused = |e: &dyn std::fmt::Display| ApiError::BadRequest(format!("webhook refused: {e}"));
    let not_configured = || ApiError::NotFound(format!("no {provider} webhook is configured here"));
    let event: ProviderEvent = match provider {
        "sandbox" => {
            let header = header_text(headers, "x-masthead-signature");
            signature::verify_timestamped(header, body, &state.payments.sandbox_secret, now.timestamp())
                .map_err(|e| refused(&e))?;
            events::parse_sandbox(body).map_err(|e| refused(&e))?
        }
        "stripe" => {
            let secret = state.payments.config.stripe_webhook_secret.as_deref().ok_or_else(not_configured)?;
            let header = header_text(headers, "stripe-signature");
            signature::verify_timestamped(header, body, secret, now.timestamp()).map_err(|e| refused(&e))?;
            events::parse_stripe(body).map_err(|e| refused(&e))?
        }
        "razorpay" => {
            let secret = state.payments.config.razorpay_webhook_secret.as_deref().ok_or_else(not_configured)?;
            signature::verify_razorpay(header_text(headers, "x-razorpay-signature"), body, secret)
                .map_err(|e| refused(&e))?;
            events::parse_razorpay(body, header_text(headers, "x-razorpay-event-id")).map_err(|e| refused(&e))?
        }
        _ => return Err(ApiError::NotFound(format!("no provider {provider:?}"))),
    };
    let text = String::from_utf8_lossy(body);
    let processed_before =
        !state.store.record_webhook(provider, &event.event_id, &event.event_type, &text, now).await?;
    if processed_before && state.store.webhook_processed(provider, &event.event_id).await? {
        return Ok("duplicate");
    }
    // Only our subscriptions, and only through the provider they pay with.
    let subscription = match &event.kind {
        EventKind::PaymentSucceeded { subscription, .. } | EventKind::PaymentFailed { subscription } => *subscription,
        EventKind::Ignored => None,
    };
    let ours = match subscription {
        Some(id) => state.store.subscription(id).await?.is_some_and(|s| s.provider == provider),
        None => false,
    };
    match event.kind {
        EventKind::PaymentSucceeded { payment_id, subscription: Some(id), amount, currency } if ours => {
            let payment =
                PaymentIn { provider, payment_id: &payment_id, subscription_id: id, amount, currency: &currency };
            state.store.record_payment(&payment, now).await?;
        }
        EventKind::PaymentFailed { subscription: Some(id) } if ours => {
            state.store.append_event(id, now, &Event::PaymentFailed).await?;
        }
        _ => {}
    }
    state.store.mark_webhook_processed(provider, &event.event_id, now).await?;
    Ok("processed")
}

/// `?next=PATH`: where to send the reader once they have paid.
#[derive(Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

/// `/subscribe?next=PATH`: the plans; signed-in readers choose one here.
pub(crate) async fn subscribe_page(
    State(state): State<SharedState>,
    visitor: Visitor,
    session: SignedIn,
    Query(query): Query<NextQuery>,
) -> Response {
    let next = safe_next(query.next.as_deref());
    let back_here = match &next {
        Some(next) => format!("/subscribe?next={next}"),
        None => "/subscribe".to_owned(),
    };
    let mut offer = Offer::new(&state.plans);
    let signed_in = session.0.is_some();
    if signed_in {
        offer.choose = Some(ChooseForm { csrf: csrf::token(&state, &visitor), next: next.clone() });
    }
    let page = SubscribePage {
        layout: Layout::new(
            &state,
            "Subscribe".to_owned(),
            format!("Subscription plans for {}", state.publisher_name),
            None,
        ),
        offer,
        login_url: format!("/login?next={}", urlencoding(&back_here)),
        signed_in,
    };
    visitor.remember(views::render(&page))
}

/// Percent-encodes the characters of a path that would end a query value.
fn urlencoding(path: &str) -> String {
    path.replace('%', "%25").replace('&', "%26").replace('=', "%3D").replace('?', "%3F").replace('#', "%23")
}

#[derive(Deserialize)]
pub(crate) struct ChooseFields {
    plan_id: i64,
    next: Option<String>,
}

/// `POST /subscribe`: a pending subscription on the chosen plan, then its checkout.
pub(crate) async fn choose(
    State(state): State<SharedState>,
    Required(account): Required,
    CsrfForm(form): CsrfForm<ChooseFields>,
) -> Result<Response, PageError> {
    let plan = state.plans.iter().find(|p| p.id == form.plan_id).ok_or(PageError::NotFound)?;
    let id = state.store.create_subscription(account.id, plan.id, "sandbox", state.clock.now()).await?;
    let next = safe_next(form.next.as_deref()).map(|n| format!("?next={}", urlencoding(&n))).unwrap_or_default();
    Ok(see_other(&format!("/checkout/sandbox/{id}{next}")))
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
}

/// The plan a checkout charges for: the one the next payment is due on.
async fn plan_due(state: &AppState, subscription: &SubscriptionRecord) -> Result<i64, StoreError> {
    let folded = state.store.subscription_state(subscription.id, state.clock.now()).await?;
    Ok(folded.map_or(subscription.plan_id, |s| s.plan_due()))
}

/// `GET /checkout/sandbox/{id}`.
pub(crate) async fn checkout_page(
    State(state): State<SharedState>,
    visitor: Visitor,
    Required(account): Required,
    Path(id): Path<i64>,
    Query(query): Query<NextQuery>,
) -> Result<Response, PageError> {
    let subscription =
        state.store.subscription(id).await?.filter(|s| s.reader_id == account.id).ok_or(PageError::NotFound)?;
    let plan_id = plan_due(&state, &subscription).await?;
    let plan = PlanCard::catalogue(&state.plans).into_iter().find(|p| p.id == plan_id).ok_or(PageError::NotFound)?;
    let page = CheckoutPage {
        layout: Layout::new(&state, "Sandbox checkout".to_owned(), String::new(), None),
        plan,
        csrf: csrf::token(&state, &visitor),
        next: safe_next(query.next.as_deref()),
        action: format!("/checkout/sandbox/{id}"),
    };
    Ok(visitor.remember(views::render(&page)))
}

#[derive(Deserialize)]
pub(crate) struct PayFields {
    outcome: String,
    next: Option<String>,
}

/// `POST /checkout/sandbox/{id}`: "Pay" (or "Decline") pressed.
pub(crate) async fn checkout_pay(
    State(state): State<SharedState>,
    Required(account): Required,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PayFields>,
) -> Result<Response, PageError> {
    let subscription =
        state.store.subscription(id).await?.filter(|s| s.reader_id == account.id).ok_or(PageError::NotFound)?;
    let succeed = form.outcome == "pay";
    pay_with_sandbox(&state, &subscription, succeed).await.map_err(|error| match error {
        ApiError::Store(error) => PageError::Store(error),
        _ => PageError::NotFound,
    })?;
    let back = if succeed {
        safe_next(form.next.as_deref()).unwrap_or_else(|| "/account".to_owned())
    } else {
        "/account".to_owned()
    };
    Ok(see_other(&back))
}

/// The subscription as the account page shows it.
pub(crate) struct SubscriptionPanel {
    pub plan_name: String,
    pub status: &'static str,
    /// "Renews on Nov 27 2027" or "Ends on Nov 27 2027".
    pub period_line: Option<String>,
    pub cancel_action: Option<String>,
    pub resume_action: Option<String>,
    pub checkout_url: Option<String>,
}

/// The account page's view of the newest subscription, if any.
pub(crate) async fn panel(state: &AppState, reader_id: i64) -> Result<Option<SubscriptionPanel>, StoreError> {
    use masthead_domain::subscription::Status;
    let Some((id, folded)) = latest(state, reader_id).await? else {
        return Ok(None);
    };
    let plan_name = state.plans.iter().find(|p| p.id == folded.plan_id).map_or_else(String::new, |p| p.name.clone());
    let day = |at| state.zone.format(at).split(" |").next().unwrap_or_default().to_owned();
    let status = match folded.status {
        Status::Pending => "awaiting payment",
        Status::Active => "active",
        Status::RenewalDue => "renewing",
        Status::PastDue => "payment failed: please update your payment",
        Status::Cancelled => "cancelled",
        Status::Expired => "ended",
    };
    let period_line = folded.current_period_end.map(|end| match folded.status {
        Status::Cancelled | Status::Expired => format!("Ends on {}", day(end)),
        _ => format!("Renews on {}", day(end)),
    });
    let action = |verb: &str| format!("/account/subscription/{id}/{verb}");
    Ok(Some(SubscriptionPanel {
        plan_name,
        status,
        period_line,
        cancel_action: matches!(folded.status, Status::Active | Status::RenewalDue | Status::PastDue)
            .then(|| action("cancel")),
        resume_action: (folded.status == Status::Cancelled).then(|| action("resume")),
        checkout_url: (folded.status == Status::Pending).then(|| format!("/checkout/sandbox/{id}")),
    }))
}

/// `POST /account/subscription/{id}/{cancel|resume}` from the account page.
pub(crate) async fn account_change(
    State(state): State<SharedState>,
    Required(account): Required,
    Path((id, verb)): Path<(i64, String)>,
    CsrfForm(_): CsrfForm<csrf::NoFields>,
) -> Result<Response, PageError> {
    let event = match verb.as_str() {
        "cancel" => Event::Cancelled,
        "resume" => Event::Resumed,
        _ => return Err(PageError::NotFound),
    };
    let subscription =
        state.store.subscription(id).await?.filter(|s| s.reader_id == account.id).ok_or(PageError::NotFound)?;
    let now = state.clock.now();
    if state.store.subscription_state(subscription.id, now).await?.is_some_and(|s| s.has_access()) {
        state.store.append_event(subscription.id, now, &event).await?;
    }
    Ok(see_other("/account"))
}
