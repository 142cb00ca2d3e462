//! Buying, changing and paying for subscriptions over HTTP: the plans API,
//! `/subscribe` (with a choice of provider when Stripe or Razorpay is
//! configured beside the sandbox), the sandbox checkout, the page that sends
//! the reader to Razorpay's hosted checkout and Razorpay's signed callback,
//! the subscription API and the providers' webhooks. The money side itself —
//! webhook checks, payments, invoices, renewals, partner codes — is
//! `masthead_billing::Billing`; every webhook, the sandbox's "Pay" button
//! included, goes through its `receive_webhook`.
//!
//! - [`account`]: the account page's subscription panel, plan switch,
//!   invoice details and invoices (HTML and PDF);
//! - [`admin`]: admins' pages for partner codes, house ads and plans;
//! - [`ads`]: the house-ad slot on story and section pages.

pub(crate) mod account;
pub(crate) mod admin;
pub(crate) mod ads;

use std::sync::{Arc, RwLock};

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use masthead_billing::razorpay::{Callback, CheckoutRef, HostedCheckout, Razorpay};
use masthead_billing::{Billing, BillingError, SandboxCard};
use masthead_domain::plan::{self, Plan};
use masthead_domain::subscription::{Event, State as SubscriptionState};
use masthead_store::{Store, StoreError, SubscriptionRecord};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub(crate) use account::{SubscriptionPanel, panel};
pub use masthead_billing::PaymentConfig;

use crate::account::{Required, SignedIn, safe_next, see_other};
use crate::csrf::{self, CsrfForm};
use crate::error::{ApiError, PageError};
use crate::views::{self, ChooseForm, Layout, Offer, PlanCard, SubscribePage};
use crate::visitor::Visitor;
use crate::{AppState, SharedState};

/// The plans on sale, kept in memory for the paywall and reloaded when an
/// admin edits them (and by the renewal loop, for other instances' edits),
/// with the paywall's offer rendered once from them (it is the same on every
/// withheld story).
#[derive(Debug, Default)]
pub(crate) struct Catalogue(RwLock<(Vec<Plan>, Arc<str>)>);

impl Catalogue {
    pub fn new(plans: Vec<Plan>) -> Self {
        let offer = views::offer_html(&plans);
        Self(RwLock::new((plans, offer)))
    }

    /// The active plans, in catalogue order.
    pub fn active(&self) -> Vec<Plan> {
        self.0.read().unwrap_or_else(std::sync::PoisonError::into_inner).0.clone()
    }

    /// The paywall's offer of the active plans, as HTML.
    pub fn offer_html(&self) -> Arc<str> {
        self.0.read().unwrap_or_else(std::sync::PoisonError::into_inner).1.clone()
    }

    /// Reads the catalogue again.
    pub async fn reload(&self, store: &Store) -> Result<(), StoreError> {
        let plans = store.active_plans().await?;
        let offer = views::offer_html(&plans);
        *self.0.write().unwrap_or_else(std::sync::PoisonError::into_inner) = (plans, offer);
        Ok(())
    }

    fn find(&self, id: i64) -> Option<Plan> {
        self.active().into_iter().find(|p| p.id == id)
    }
}

impl From<BillingError> for ApiError {
    fn from(error: BillingError) -> Self {
        match error {
            BillingError::Refused(_) => Self::BadRequest(error.to_string()),
            BillingError::NotListening(message) => Self::NotFound(message),
            BillingError::Provider(error) => Self::Upstream(error.to_string()),
            BillingError::Store(error) => Self::Store(error),
        }
    }
}

/// A billing failure on a page: the provider's trouble said plainly (502),
/// the database's logged behind the 500 page.
fn page_failure(state: &AppState, error: BillingError) -> Response {
    match error {
        BillingError::Store(error) => PageError::Store(error).into_response(),
        other => {
            tracing::warn!(error = %other, "payment step failed");
            crate::account::problem_page(
                state,
                StatusCode::BAD_GATEWAY,
                "Payment could not start",
                "The payment provider did not answer as expected. Please try again in a moment.",
            )
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
        .find(request.plan_id)
        .ok_or_else(|| ApiError::BadRequest(format!("no plan {}", request.plan_id)))?;
    let provider = state.billing.provider(&request.provider).ok_or_else(|| {
        let offered = state.billing.providers().join("\", \"");
        ApiError::BadRequest(format!("provider {:?} cannot take payments here; use \"{offered}\"", request.provider))
    })?;
    let id = state.store.create_subscription(account.id, plan.id, provider.name(), state.clock.now()).await?;
    let checkout = start_checkout(&state, &account.email, id, &plan, None).await?;
    let mut reply = json!({ "subscription_id": id, "checkout_url": checkout });
    if provider.name() == "sandbox" {
        reply["sandbox_pay_url"] = json!(format!("{}/api/v1/sandbox/{id}/pay", state.public_url));
    }
    Ok((StatusCode::CREATED, Json(reply)).into_response())
}

/// Asks the subscription's provider for its checkout; where to send the reader.
async fn start_checkout(
    state: &AppState,
    email: &str,
    subscription_id: i64,
    plan: &Plan,
    next: Option<&str>,
) -> Result<String, BillingError> {
    let subscription = state
        .store
        .subscription(subscription_id)
        .await?
        .ok_or_else(|| BillingError::NotListening(format!("no subscription {subscription_id}")))?;
    let provider = state
        .billing
        .provider(&subscription.provider)
        .ok_or_else(|| BillingError::NotListening(format!("no provider {:?}", subscription.provider)))?;
    let back = next.map(|n| format!("?next={}", urlencoding(n))).unwrap_or_default();
    let success = format!("{}{}", state.public_url, next.unwrap_or("/account"));
    let cancel = format!("{}/subscribe{back}", state.public_url);
    let request = masthead_billing::provider::CheckoutRequest {
        subscription_id,
        plan_name: &plan.name,
        amount: plan.price,
        email,
        success_url: &success,
        cancel_url: &cancel,
    };
    let checkout = provider.checkout(&request).await?;
    // A checkout page of this site (the sandbox's, Razorpay's) carries `next`
    // on to the end of the payment; the providers' own pages get success_url.
    Ok(match next {
        Some(next) if checkout.url.starts_with(&format!("{}/", state.public_url)) => {
            let separator = if checkout.url.contains('?') { '&' } else { '?' };
            format!("{}{separator}next={}", checkout.url, urlencoding(next))
        }
        _ => checkout.url,
    })
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
    next_plan_id: Option<i64>,
    status: masthead_domain::subscription::Status,
    current_period_end: Option<String>,
    cancel_at_period_end: bool,
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
        }
    }
}

/// The reader's newest subscription and its state now, if any.
async fn latest(
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

/// A change the reader asks for.
#[derive(Debug, Clone, Copy)]
enum Change {
    Cancel,
    Resume,
    Switch(i64),
}

/// Appends the event a change means, if the subscription may take it now.
async fn apply(
    state: &AppState,
    subscription: &SubscriptionRecord,
    change: Change,
) -> Result<SubscriptionState, ApiError> {
    let now = state.clock.now();
    let before = state.store.subscription_state(subscription.id, now).await?;
    let Some(before) = before.filter(SubscriptionState::has_access) else {
        return Err(ApiError::Conflict("only a running subscription can be changed".to_owned()));
    };
    let event = match change {
        Change::Cancel => Event::Cancelled,
        Change::Resume => Event::Resumed,
        Change::Switch(plan_id) => {
            let plan =
                state.plans.find(plan_id).ok_or_else(|| ApiError::BadRequest(format!("no plan {plan_id} on sale")))?;
            if before.cancel_at_period_end {
                return Err(ApiError::Conflict("resume the subscription before switching plans".to_owned()));
            }
            Event::SwitchRequested { plan_id: plan.id }
        }
    };
    state.store.append_event(subscription.id, now, &event).await?;
    Ok(state.store.subscription_state(subscription.id, now).await?.unwrap_or(before))
}

async fn change(state: &AppState, session: SignedIn, id: i64, change: Change) -> Result<Response, ApiError> {
    let subscription = own(state, session, id).await?;
    let after = apply(state, &subscription, change).await?;
    Ok(Json(SubscriptionReply::new(subscription.id, &after)).into_response())
}

/// `POST /api/v1/subscriptions/{id}/cancel`: no more renewals; access runs to the end of the term.
pub(crate) async fn cancel(
    State(state): State<SharedState>,
    session: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    change(&state, session, id, Change::Cancel).await
}

/// `POST /api/v1/subscriptions/{id}/resume`: renew after all.
pub(crate) async fn resume(
    State(state): State<SharedState>,
    session: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    change(&state, session, id, Change::Resume).await
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
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: SwitchRequest =
        serde_json::from_slice(&body).map_err(|e| ApiError::BadRequest(format!("expected {{\"plan_id\": N}}: {e}")))?;
    change(&state, session, id, Change::Switch(request.plan_id)).await
}

#[derive(Deserialize, Default)]
pub(crate) struct SandboxPayRequest {
    card: Option<String>,
}

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

/// `POST /api/v1/sandbox/{id}/pay [{"card"}]`: what pressing "Pay" on the
/// sandbox checkout does, without a browser.
pub(crate) async fn sandbox_pay(
    State(state): State<SharedState>,
    session: SignedIn,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let subscription = own(&state, session, id).await?;
    let request: SandboxPayRequest = if body.is_empty() {
        SandboxPayRequest::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::BadRequest(format!("expected {{\"card\": \"4242...\"}}: {e}")))?
    };
    let card = sandbox_card(request.card.as_deref()).map_err(ApiError::BadRequest)?;
    if subscription.provider != "sandbox" {
        return Err(ApiError::NotFound(format!("subscription {id} does not pay through the sandbox")));
    }
    state.billing.pay_with_sandbox(&subscription, card).await?;
    let folded = state.store.subscription_state(subscription.id, state.clock.now()).await?;
    Ok(Json(folded.map(|s| SubscriptionReply::new(subscription.id, &s))).into_response())
}

/// `POST /webhooks/{provider}`.
pub(crate) async fn webhook(
    State(state): State<SharedState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let received = state.billing.receive_webhook(&provider, &header, &body).await?;
    Ok((StatusCode::OK, Json(json!({ "status": received.as_str() }))).into_response())
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
    let mut offer = Offer::new(&state.plans.active());
    let signed_in = session.0.is_some();
    // Signed out, choosing a plan leads to the account step first.
    offer.choose = Some(ChooseForm { csrf: csrf::token(&state, &visitor), next: next.clone() });
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
pub(crate) fn urlencoding(path: &str) -> String {
    path.replace('%', "%25").replace('&', "%26").replace('=', "%3D").replace('?', "%3F").replace('#', "%23")
}

#[derive(Deserialize)]
pub(crate) struct ChooseFields {
    plan_id: i64,
    next: Option<String>,
    /// How to pay; asked for when more than the sandbox is on offer.
    provider: Option<String>,
}

/// `POST /subscribe`: a pending subscription on the chosen plan, then its
/// checkout; signed out, first the account step; with several providers on
/// offer and none chosen yet, first the choice of provider.
pub(crate) async fn choose(
    State(state): State<SharedState>,
    visitor: Visitor,
    session: SignedIn,
    CsrfForm(form): CsrfForm<ChooseFields>,
) -> Result<Response, PageError> {
    let plan = state.plans.find(form.plan_id).ok_or(PageError::NotFound)?;
    let next = safe_next(form.next.as_deref());
    let Some(account) = session.0 else {
        let page = AccountStep::new(&state, &visitor, &plan, next, String::new(), None);
        return Ok(visitor.remember(views::render(&page)));
    };
    let offered = state.billing.providers();
    let provider = match form.provider.as_deref() {
        Some(chosen) => *offered.iter().find(|name| **name == chosen).ok_or(PageError::NotFound)?,
        None if offered.len() > 1 => return Ok(visitor.remember(pay_with(&state, &visitor, &plan, next))),
        None => "sandbox",
    };
    Ok(to_checkout(&state, account.id, &account.email, &plan, provider, next.as_deref()).await?)
}

/// `/subscribe`'s choice of provider, when more than the sandbox is on offer.
#[derive(Template)]
#[template(path = "billing/pay_with.html")]
struct PayWith<'a> {
    layout: Layout<'a>,
    plan: PlanCard,
    csrf: String,
    next: Option<String>,
    providers: Vec<(&'static str, &'static str)>,
}

fn pay_with(state: &AppState, visitor: &Visitor, plan: &Plan, next: Option<String>) -> Response {
    let label = |name: &'static str| match name {
        "stripe" => (name, "Pay by card with Stripe"),
        "razorpay" => (name, "Pay by card with Razorpay"),
        _ => (name, "Sandbox (test mode: no real money)"),
    };
    let page = PayWith {
        layout: Layout::new(state, "Subscribe".to_owned(), String::new(), None),
        plan: PlanCard::catalogue(std::slice::from_ref(plan)).remove(0),
        csrf: csrf::token(state, visitor),
        next,
        providers: state.billing.providers().into_iter().map(label).collect(),
    };
    views::render(&page)
}

/// A pending subscription for the reader, and the redirect to its checkout
/// (on this site for the sandbox, at the provider for the others).
async fn to_checkout(
    state: &AppState,
    reader_id: i64,
    email: &str,
    plan: &Plan,
    provider: &str,
    next: Option<&str>,
) -> Result<Response, StoreError> {
    let id = state.store.create_subscription(reader_id, plan.id, provider, state.clock.now()).await?;
    let checkout = match start_checkout(state, email, id, plan, next).await {
        Ok(checkout) => checkout,
        Err(BillingError::Store(error)) => return Err(error),
        Err(error) => return Ok(page_failure(state, error)),
    };
    let local = checkout.strip_prefix(&state.public_url).unwrap_or(&checkout).to_owned();
    Ok(see_other(&local))
}

/// `/subscribe`'s account step: a signed-out reader who chose a plan signs
/// up (or logs in) here, then goes on to pay.
#[derive(Template)]
#[template(path = "billing/subscribe_account.html")]
struct AccountStep<'a> {
    layout: Layout<'a>,
    plan: PlanCard,
    csrf: String,
    next: Option<String>,
    email: String,
    error: Option<String>,
}

impl<'a> AccountStep<'a> {
    fn new(
        state: &'a AppState,
        visitor: &Visitor,
        plan: &Plan,
        next: Option<String>,
        email: String,
        error: Option<String>,
    ) -> Self {
        Self {
            layout: Layout::new(state, "Subscribe".to_owned(), String::new(), None),
            plan: PlanCard::catalogue(std::slice::from_ref(plan)).remove(0),
            csrf: csrf::token(state, visitor),
            next,
            email,
            error,
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct AccountFields {
    plan_id: i64,
    next: Option<String>,
    mode: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// `POST /subscribe/account`: sign up (`mode=signup`) or log in
/// (`mode=login`), then on to the chosen plan's checkout, signed in.
pub(crate) async fn account_step(
    State(state): State<SharedState>,
    visitor: Visitor,
    client: crate::account::Client,
    CsrfForm(form): CsrfForm<AccountFields>,
) -> Result<Response, PageError> {
    use crate::account::{LogIn, log_in, new_credentials, sign_up};
    let plan = state.plans.find(form.plan_id).ok_or(PageError::NotFound)?;
    let next = safe_next(form.next.as_deref());
    let again = |status: StatusCode, message: String| {
        let page = AccountStep::new(&state, &visitor, &plan, next.clone(), form.email.clone(), Some(message));
        let mut response = views::render(&page);
        *response.status_mut() = status;
        visitor.remember(response)
    };
    if form.mode == "signup" {
        match new_credentials(&form.email, &form.password) {
            Ok(credentials) => sign_up(&state, credentials).await?,
            Err(errors) => return Ok(again(StatusCode::UNPROCESSABLE_ENTITY, errors.joined())),
        }
    }
    let session =
        log_in(&state, &form.email, &form.password, &client, masthead_store::SessionKind::Browser, &visitor).await?;
    let token = match session {
        LogIn::Done { token } => token,
        LogIn::Refused => {
            let message = "That email address and password do not match an account. If the address has one, \
                           log in with its password.";
            return Ok(again(StatusCode::UNAUTHORIZED, message.to_owned()));
        }
        LogIn::Limited => {
            let message = "Too many attempts to log in. Wait a few minutes, then try again.";
            return Ok(again(StatusCode::TOO_MANY_REQUESTS, message.to_owned()));
        }
    };
    let email = masthead_domain::email::Email::parse(&form.email).map_err(|_| PageError::NotFound)?;
    let reader = state.store.reader_by_email(&email).await?.ok_or(PageError::NotFound)?;
    let mut response = if state.billing.providers().len() > 1 {
        pay_with(&state, &visitor, &plan, next)
    } else {
        to_checkout(&state, reader.id, &reader.email, &plan, "sandbox", next.as_deref()).await?
    };
    response.headers_mut().append(axum::http::header::SET_COOKIE, crate::account::session_cookie(&state, &token));
    Ok(visitor.remember(response))
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

/// The card shown for the plan the next payment is for (on sale or not).
async fn plan_card(state: &AppState, subscription: &SubscriptionRecord) -> Result<PlanCard, StoreError> {
    let (plan_id, _) = state.billing.amount_due(subscription).await?;
    let plan = state.store.plan(plan_id).await?.ok_or_else(|| StoreError::Corrupt(format!("no plan {plan_id}")))?;
    Ok(PlanCard::catalogue(std::slice::from_ref(&plan)).remove(0))
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
    let (name, buyer_state) = state.store.billing_profile(account.id).await?.unwrap_or_default();
    let page = CheckoutPage {
        layout: Layout::new(&state, "Sandbox checkout".to_owned(), String::new(), None),
        plan: plan_card(&state, &subscription).await?,
        csrf: csrf::token(&state, &visitor),
        next: safe_next(query.next.as_deref()),
        action: format!("/checkout/sandbox/{id}"),
        name,
        state: buyer_state,
        states: &masthead_domain::tax::STATES,
        error: None,
    };
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
    visitor: Visitor,
    Required(account): Required,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PayFields>,
) -> Result<Response, PageError> {
    let subscription =
        state.store.subscription(id).await?.filter(|s| s.reader_id == account.id).ok_or(PageError::NotFound)?;
    let name = form.name.as_deref().unwrap_or_default().trim().to_owned();
    let typed_state = form.state.as_deref().unwrap_or_default().trim();
    let buyer_state = masthead_domain::tax::state(typed_state);
    let card = if form.outcome == "pay" { sandbox_card(form.card.as_deref()) } else { Ok(SandboxCard::Declines) };
    // The details are optional (the account's saved ones, else the address and
    // the publisher's state, go on the invoice), but what is typed must be right.
    let problem = match (&card, buyer_state) {
        (Err(message), _) => Some(message.clone()),
        (_, None) if !typed_state.is_empty() => {
            Some("Choose your state from the list: it decides the GST on your invoice.".to_owned())
        }
        _ if name.chars().count() > 120 => Some("The name on the invoice may have up to 120 characters.".to_owned()),
        _ => None,
    };
    if let Some(error) = problem {
        let page = CheckoutPage {
            layout: Layout::new(&state, "Sandbox checkout".to_owned(), String::new(), None),
            plan: plan_card(&state, &subscription).await?,
            csrf: csrf::token(&state, &visitor),
            next: safe_next(form.next.as_deref()),
            action: format!("/checkout/sandbox/{id}"),
            name,
            state: typed_state.to_owned(),
            states: &masthead_domain::tax::STATES,
            error: Some(error),
        };
        let mut response = views::render(&page);
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(visitor.remember(response));
    }
    let Ok(card) = card else { return Err(PageError::NotFound) };
    if let Some(buyer_state) = buyer_state {
        let name = if name.is_empty() { account.email.clone() } else { name };
        state.store.set_billing_profile(account.id, &name, buyer_state).await?;
    }
    if let Err(error) = state.billing.pay_with_sandbox(&subscription, card).await {
        return Ok(page_failure(&state, error));
    }
    let paid = state.store.subscription_state(id, state.clock.now()).await?.is_some_and(|s| s.has_access());
    let back = if paid {
        safe_next(form.next.as_deref()).unwrap_or_else(|| "/account".to_owned())
    } else {
        "/account".to_owned()
    };
    Ok(see_other(&back))
}

/// `/checkout/razorpay/{id}?order=..&customer=..&tag=..[&next=..]`: the
/// order and customer Masthead made for the subscription, as tagged by
/// `Razorpay::checkout_ref`, and where the reader goes once paid.
#[derive(Deserialize)]
pub(crate) struct RazorpayQuery {
    #[serde(flatten)]
    checkout: CheckoutRef,
    next: Option<String>,
}

/// Razorpay, and the subscription paying through it, when the checkout
/// reference is one Masthead made for it; else 404.
async fn razorpay_checkout<'a>(
    state: &'a AppState,
    id: i64,
    query: &RazorpayQuery,
) -> Result<(&'a Razorpay, SubscriptionRecord), PageError> {
    let razorpay = state.billing.razorpay().ok_or(PageError::NotFound)?;
    let subscription =
        state.store.subscription(id).await?.filter(|s| s.provider == "razorpay").ok_or(PageError::NotFound)?;
    if !razorpay.is_ours(id, &query.checkout) {
        return Err(PageError::NotFound);
    }
    Ok((razorpay, subscription))
}

/// The page that sends the reader to Razorpay's hosted checkout: a form of
/// hidden fields and one button, no JavaScript.
#[derive(Template)]
#[template(path = "billing/razorpay_checkout.html")]
struct RazorpayPage<'a> {
    layout: Layout<'a>,
    plan: PlanCard,
    action: String,
    fields: Vec<(&'static str, String)>,
}

/// `GET /checkout/razorpay/{id}`: the link itself is the credential (its tag
/// is Masthead's), as a provider's hosted page would be, so an app's reader
/// need not sign in on the web first.
pub(crate) async fn razorpay_page(
    State(state): State<SharedState>,
    Path(id): Path<i64>,
    Query(query): Query<RazorpayQuery>,
) -> Result<Response, PageError> {
    let (razorpay, subscription) = razorpay_checkout(&state, id, &query).await?;
    let (_, amount) = state.billing.amount_due(&subscription).await?;
    let plan = plan_card(&state, &subscription).await?;
    let email = state.store.reader(subscription.reader_id).await?.map(|r| r.email).unwrap_or_default();
    // Back to the story once paid, or to the plans (and then the story) on giving up.
    let next = safe_next(query.next.as_deref()).map(|path| format!("next={}", urlencoding(&path)));
    let (and_next, then_next) = match &next {
        Some(next) => (format!("&{next}"), format!("?{next}")),
        None => (String::new(), String::new()),
    };
    let callback_url =
        format!("{}/checkout/razorpay/{id}/callback?{}{and_next}", state.public_url, query.checkout.query());
    let cancel_url = format!("{}/subscribe{then_next}", state.public_url);
    let (action, fields) = razorpay.hosted_form(&HostedCheckout {
        subscription_id: id,
        checkout: &query.checkout,
        amount,
        publisher: &state.publisher_name,
        plan_name: &plan.name,
        email: &email,
        callback_url: &callback_url,
        cancel_url: &cancel_url,
    });
    let page = RazorpayPage {
        layout: Layout::new(&state, "Pay with Razorpay".to_owned(), String::new(), None),
        plan,
        action,
        fields,
    };
    Ok(views::render(&page))
}

/// `POST /checkout/razorpay/{id}/callback`: Razorpay's checkout says how the
/// payment went. A payment whose signature checks out sends the reader back
/// to the story (the subscription turns active when Razorpay's signed
/// webhook records the payment); anything else is a 400 that says why, and
/// nothing is stored either way. Razorpay posts from its own site, so this
/// form has no CSRF token: the signature is what is checked.
pub(crate) async fn razorpay_callback(
    State(state): State<SharedState>,
    Path(id): Path<i64>,
    Query(query): Query<RazorpayQuery>,
    Form(callback): Form<Callback>,
) -> Result<Response, PageError> {
    let (razorpay, _) = razorpay_checkout(&state, id, &query).await?;
    match razorpay.verify_callback(id, &query.checkout, &callback) {
        Ok(payment) => {
            tracing::info!(subscription = id, payment, "razorpay checkout returned");
            Ok(see_other(&safe_next(query.next.as_deref()).unwrap_or_else(|| "/account".to_owned())))
        }
        Err(error) => {
            tracing::warn!(subscription = id, %error, "razorpay callback refused");
            let message = format!(
                "{error}. If money left your account, your subscription starts as soon as Razorpay confirms \
                 the payment; your account page shows it."
            );
            Ok(crate::account::problem_page(&state, StatusCode::BAD_REQUEST, "Payment not confirmed", &message))
        }
    }
}

/// Billing over the site's store and settings, its renewal loop started.
pub(crate) async fn start(setup: masthead_billing::Setup) -> Result<std::sync::Arc<Billing>, StoreError> {
    let billing = std::sync::Arc::new(Billing::open(setup).await?);
    billing.clone().spawn_renewals();
    Ok(billing)
}

/// The subscription, checkout, invoice and webhook routes.
pub(crate) fn routes() -> Router<SharedState> {
    Router::new()
        .route("/subscribe", get(subscribe_page).post(choose))
        .route("/subscribe/account", post(account_step))
        .route("/checkout/sandbox/{id}", get(checkout_page).post(checkout_pay))
        .route("/checkout/razorpay/{id}", get(razorpay_page))
        .route("/checkout/razorpay/{id}/callback", post(razorpay_callback))
        .route("/account/subscription/{id}/{verb}", post(account::account_change))
        .route("/account/billing-details", post(account::save_details))
        .route("/account/invoices/{number}", get(account::invoice_page))
        .route("/account/invoices/{number}/pdf", get(account::invoice_pdf))
        .route("/api/v1/plans", get(plans))
        .route("/api/v1/subscriptions", post(create))
        .route("/api/v1/subscriptions/{id}/cancel", post(cancel))
        .route("/api/v1/subscriptions/{id}/resume", post(resume))
        .route("/api/v1/subscriptions/{id}/switch", post(switch))
        .route("/api/v1/sandbox/{id}/pay", post(sandbox_pay))
        .route("/webhooks/{provider}", post(webhook))
        .route("/newsroom/partner-codes", get(admin::partner_codes).post(admin::upload_partner_codes))
        .route("/newsroom/ads", get(admin::ads).post(admin::save_ad))
        .route("/newsroom/plans", get(admin::plans).post(admin::create_plan))
        .route("/newsroom/plans/{id}", post(admin::update_plan))
}
