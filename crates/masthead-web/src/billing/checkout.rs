//! Buying a subscription from the site: `/subscribe` (the plans; with a
//! choice of provider when more than one takes payments here — the sandbox
//! only where it is on), the account step for a reader who is signed out (sign up or log
//! in on the same form), then a pending subscription and the provider's
//! checkout — the sandbox's and Razorpay's on this site
//! ([`super::providers`]), Stripe's at Stripe. An offer code
//! (`/subscribe?offer=CODE`) rides along every step on the cards it is for,
//! and is redeemed when the subscription is made ([`new_subscription`]).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use masthead_billing::BillingError;
use masthead_domain::offer::{Offer as OfferCode, OfferRefusal};
use masthead_domain::plan::Plan;
use masthead_insights::EventKind;
use masthead_store::{SessionKind, StoreError, SubscriptionRecord};
use serde::Deserialize;

use super::views::{CardOffer, ChooseForm, Offer, PlanCard, SubscribePage};
use crate::auth::flows::{LogIn, confirm_first, log_in, may_sign_up, new_credentials, open_session, sign_up};
use crate::http::csrf::{self, CsrfForm};
use crate::http::error::{PageError, Refusal};
use crate::http::respond::{login_url, query_value, safe_next, see_other};
use crate::http::session::{Client, SignedIn, session_cookie};
use crate::http::views::{self, Layout};
use crate::http::visitor::Visitor;
use crate::{AppState, SharedState};

/// The frame of every page between choosing a plan and paying: no "Subscribe"
/// in the header, and a description for search engines and link previews.
pub(crate) fn checkout_layout<'a>(state: &'a AppState, title: &str) -> Layout<'a> {
    let description = format!("Subscribe to {}: {title}", state.publisher_name);
    Layout::new(state, title.to_owned(), description, None).without_subscribe()
}

/// A billing failure on a page: the provider's trouble said plainly (502),
/// the database's logged behind the 500 page.
pub(crate) fn payment_failed(error: BillingError) -> PageError {
    match error {
        BillingError::Store(error) => error.into(),
        other => {
            tracing::warn!(error = %other, "payment step failed");
            PageError::Upstream(Refusal::new(
                "Payment could not start",
                "The payment provider did not answer as expected. Please try again in a moment.",
            ))
        }
    }
}

/// Choosing a plan where no provider takes payments: said before anything
/// is stored (no account, no subscription).
fn not_on_sale() -> PageError {
    PageError::Unprocessable(Refusal::new(
        "Subscriptions are not on sale here yet",
        "No payment provider is set up on this site, so a subscription cannot be paid for. Please come back later.",
    ))
}

/// How a reader pays when they have not chosen: through the one provider on
/// offer, or by choosing among several.
enum PayThrough {
    Only(&'static str),
    Choice,
}

fn pay_through(state: &AppState) -> Result<PayThrough, PageError> {
    match state.billing.providers().as_slice() {
        [] => Err(not_on_sale()),
        [only] => Ok(PayThrough::Only(only)),
        _ => Ok(PayThrough::Choice),
    }
}

/// `?next=PATH`: where to send the reader once they have paid.
#[derive(Deserialize)]
pub(crate) struct NextQuery {
    pub next: Option<String>,
}

/// `/subscribe?next=PATH&offer=CODE`.
#[derive(Deserialize)]
pub(crate) struct SubscribeQuery {
    next: Option<String>,
    offer: Option<String>,
}

/// A code as typed, when one was.
fn typed(code: Option<&str>) -> Option<&str> {
    code.map(str::trim).filter(|c| !c.is_empty())
}

/// A pending subscription on `plan` for the reader, redeeming the offer
/// `code` when one is given — or the reason the offer is refused, nothing
/// stored. The API and the pages both make subscriptions here.
pub(crate) async fn new_subscription(
    state: &AppState,
    reader_id: i64,
    plan: &Plan,
    provider: &str,
    code: Option<&str>,
) -> Result<Result<i64, OfferRefusal>, StoreError> {
    let now = state.clock.now();
    match typed(code) {
        Some(code) => state.store.subscribe_with_offer(reader_id, plan, provider, code, now).await,
        None => state.store.create_subscription(reader_id, plan.id, provider, now).await.map(Ok),
    }
}

/// An offer refused on a page: the reason, and the way on (422).
fn offer_refused(code: &str, refusal: OfferRefusal) -> PageError {
    PageError::Unprocessable(Refusal::new(
        "This offer cannot be used",
        format!("The offer {code}: {refusal}. You can still subscribe at the usual price from the plans page."),
    ))
}

/// The offer a form carries, checked for `plan` now: `Ok(None)` without a code.
async fn offer_for(state: &AppState, code: Option<&str>, plan: &Plan) -> Result<Option<OfferCode>, PageError> {
    let Some(code) = typed(code) else { return Ok(None) };
    let found = state.store.offer_by_code(code).await?.ok_or_else(|| offer_refused(code, OfferRefusal::Unknown))?;
    found.check(plan, state.clock.now()).map_err(|refusal| offer_refused(code, refusal))?;
    if found.exhausted() {
        return Err(offer_refused(code, OfferRefusal::Exhausted));
    }
    Ok(Some(found))
}

/// `/subscribe?next=PATH`: the plans; signed-in readers choose one here.
pub(crate) async fn subscribe_page(
    State(state): State<SharedState>,
    visitor: Visitor,
    session: SignedIn,
    Query(query): Query<SubscribeQuery>,
) -> Result<Response, PageError> {
    let next = safe_next(query.next.as_deref());
    let code = typed(query.offer.as_deref());
    let mut back_here = match &next {
        Some(next) => format!("/subscribe?next={}", query_value(next)),
        None => "/subscribe".to_owned(),
    };
    if let Some(code) = code {
        let separator = if back_here.contains('?') { '&' } else { '?' };
        back_here = format!("{back_here}{separator}offer={}", query_value(code));
    }
    // Signed out, choosing a plan leads to the account step first.
    let plans = state.plans.get(&state.store).await?.0;
    let mut offer = Offer::new(&plans, ChooseForm { csrf: csrf::token(&state, &visitor), next: next.clone() });
    if let Some(code) = code {
        let found = state.store.offer_by_code(code).await?;
        offer = offer.with_code(code, found.as_ref(), &plans, state.clock.now());
    }
    let signed_in = session.0.is_some();
    let page = SubscribePage {
        layout: Layout::new(
            &state,
            "Subscribe".to_owned(),
            format!("Subscription plans for {}", state.publisher_name),
            None,
        )
        .without_subscribe(),
        offer,
        login_url: login_url(Some(&back_here)),
        signed_in,
    };
    Ok(visitor.remember(views::render(&page)))
}

#[derive(Deserialize)]
pub(crate) struct ChooseFields {
    plan_id: i64,
    next: Option<String>,
    /// How to pay; asked for when more than one provider is on offer.
    provider: Option<String>,
    /// An offer code to redeem.
    offer: Option<String>,
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
    let plan = state.plans.get(&state.store).await?.find(form.plan_id).ok_or(PageError::NotFound)?;
    let through = pay_through(&state)?;
    let next = safe_next(form.next.as_deref());
    let offer = offer_for(&state, form.offer.as_deref(), &plan).await?;
    let card = chosen_card(&plan, offer.as_ref());
    let Some(account) = session.0 else {
        let page = AccountStep::new(&state, &visitor, card, next, String::new(), None);
        return Ok(visitor.remember(views::render(&page)));
    };
    let provider = match (form.provider.as_deref(), through) {
        (Some(chosen), _) => {
            state.billing.providers().into_iter().find(|name| *name == chosen).ok_or(PageError::NotFound)?
        }
        (None, PayThrough::Only(only)) => only,
        (None, PayThrough::Choice) => return Ok(visitor.remember(pay_with(&state, &visitor, card, next))),
    };
    let code = offer.as_ref().map(|o| o.code.as_str());
    to_checkout(&state, &visitor, (account.id, &account.email), &plan, provider, code, next.as_deref()).await
}

/// The chosen plan's card, with the offer's price when one is redeemed.
fn chosen_card(plan: &Plan, offer: Option<&OfferCode>) -> PlanCard {
    let mut card = PlanCard::of(plan);
    card.offer = offer.map(|o| CardOffer::new(o, plan));
    card
}

/// `/subscribe`'s choice of provider, when more than one is on offer.
#[derive(Template)]
#[template(path = "billing/pay_with.html")]
struct PayWith<'a> {
    layout: Layout<'a>,
    plan: PlanCard,
    csrf: String,
    next: Option<String>,
    providers: Vec<(&'static str, &'static str)>,
}

fn pay_with(state: &AppState, visitor: &Visitor, plan: PlanCard, next: Option<String>) -> Response {
    let label = |name: &'static str| match name {
        "stripe" => (name, "Pay by card with Stripe"),
        "razorpay" => (name, "Pay by card with Razorpay"),
        _ => (name, "Sandbox (test mode: no real money)"),
    };
    let page = PayWith {
        layout: checkout_layout(state, "Subscribe"),
        plan,
        csrf: csrf::token(state, visitor),
        next,
        providers: state.billing.providers().into_iter().map(label).collect(),
    };
    views::render(&page)
}

/// A pending subscription for the reader (redeeming the offer `code`), and
/// the redirect to its checkout (on this site for the sandbox, at the
/// provider for the others).
async fn to_checkout(
    state: &AppState,
    visitor: &Visitor,
    (reader_id, email): (i64, &str),
    plan: &Plan,
    provider: &str,
    code: Option<&str>,
    next: Option<&str>,
) -> Result<Response, PageError> {
    let id = new_subscription(state, reader_id, plan, provider, code)
        .await?
        .map_err(|refusal| offer_refused(code.unwrap_or_default(), refusal))?;
    let checkout = start_checkout(state, visitor, email, id, plan, next).await.map_err(payment_failed)?;
    let local = checkout.strip_prefix(&state.public_url).unwrap_or(&checkout).to_owned();
    Ok(see_other(&local))
}

/// Asks the subscription's provider for its checkout (its set-up when
/// nothing is due); where to send the reader. The checkout is counted for the funnel, and written before the
/// reader can pay, so that the payment finds it (for its credit).
pub(crate) async fn start_checkout(
    state: &AppState,
    visitor: &Visitor,
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
    let back = next.map(|n| format!("?next={}", query_value(n))).unwrap_or_default();
    let success = format!("{}{}", state.public_url, next.unwrap_or("/account"));
    let cancel = format!("{}/subscribe{back}", state.public_url);
    let amount = state.billing.charge_due(&subscription).await?.amount;
    let request = masthead_billing::provider::CheckoutRequest {
        subscription_id,
        plan_name: &plan.name,
        amount,
        email,
        success_url: &success,
        cancel_url: &cancel,
    };
    // Nothing to charge now (a free trial): the provider saves the payment
    // method for the charge at the trial's end, and the trial starts when it
    // says so; until then, as for an unpaid checkout, nothing is granted.
    let checkout = if amount.0 == 0 { provider.set_up(&request).await? } else { provider.checkout(&request).await? };
    state.count(state.event(EventKind::CheckoutStarted, visitor).reader(subscription.reader_id));
    state.store.flush_events().await?;
    // A checkout page of this site (the sandbox's, Razorpay's) carries `next`
    // on to the end of the payment; the providers' own pages get success_url.
    Ok(match next {
        Some(next) if checkout.url.starts_with(&format!("{}/", state.public_url)) => {
            let separator = if checkout.url.contains('?') { '&' } else { '?' };
            format!("{}{separator}next={}", checkout.url, query_value(next))
        }
        _ => checkout.url,
    })
}

/// Where a reader goes once their payment went through: back to `next`
/// with the welcome asked for (the story greets a new subscriber, see
/// `reader::pages::story`), else to the account page, which shows the
/// subscription.
pub(crate) fn after_paying(next: Option<&str>) -> String {
    match safe_next(next) {
        Some(next) => format!("{next}{}welcome=1", if next.contains('?') { '&' } else { '?' }),
        None => "/account".to_owned(),
    }
}

/// `/subscribe`'s account step: a signed-out reader who chose a plan signs
/// up (or logs in) here, then goes on to pay.
#[derive(Template)]
#[template(path = "billing/subscribe_account.html")]
struct AccountStep<'a> {
    layout: Layout<'a>,
    /// With the offer being redeemed, which the forms carry on.
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
        plan: PlanCard,
        next: Option<String>,
        email: String,
        error: Option<String>,
    ) -> Self {
        Self {
            layout: checkout_layout(state, "Subscribe"),
            plan,
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
    offer: Option<String>,
}

/// `POST /subscribe/account`: sign up (`mode=signup`) or log in
/// (`mode=login`), then on to the chosen plan's checkout, signed in.
pub(crate) async fn account_step(
    State(state): State<SharedState>,
    visitor: Visitor,
    client: Client,
    CsrfForm(form): CsrfForm<AccountFields>,
) -> Result<Response, PageError> {
    let plan = state.plans.get(&state.store).await?.find(form.plan_id).ok_or(PageError::NotFound)?;
    let through = pay_through(&state)?;
    let next = safe_next(form.next.as_deref());
    let offer = offer_for(&state, form.offer.as_deref(), &plan).await?;
    let again = |status: StatusCode, message: String| {
        let card = chosen_card(&plan, offer.as_ref());
        let page = AccountStep::new(&state, &visitor, card, next.clone(), form.email.clone(), Some(message));
        let mut response = views::render(&page);
        *response.status_mut() = status;
        visitor.remember(response)
    };
    // A new account keeps the session its sign-up opens; any other account
    // logs in, which an unconfirmed one cannot.
    let created = match form.mode.as_str() {
        "signup" => match new_credentials(&form.email, &form.password) {
            Ok(_) if !may_sign_up(&state, &client).await? => {
                let message = "Too many sign-ups from your network. Wait a few minutes, then try again.";
                return Ok(again(StatusCode::TOO_MANY_REQUESTS, message.to_owned()));
            }
            Ok(credentials) => {
                let email = credentials.email.to_string();
                sign_up(&state, &visitor, credentials, false).await?.map(|id| (id, email))
            }
            Err(errors) => return Ok(again(StatusCode::UNPROCESSABLE_ENTITY, errors.joined())),
        },
        _ => None,
    };
    let (token, reader_id, email) = match created {
        Some((id, email)) => (open_session(&state, id, &client, SessionKind::Browser, &visitor).await?, id, email),
        None => match log_in(&state, &form.email, &form.password, &client, SessionKind::Browser, &visitor).await? {
            LogIn::Done { token, reader_id, email } => (token, reader_id, email),
            LogIn::Unconfirmed => return Ok(visitor.remember(confirm_first(&state))),
            LogIn::Refused => {
                let message = "That email address and password do not match an account. If the address has one, \
                               log in with its password.";
                return Ok(again(StatusCode::UNAUTHORIZED, message.to_owned()));
            }
            LogIn::Limited => {
                let message = "Too many attempts to log in. Wait a few minutes, then try again.";
                return Ok(again(StatusCode::TOO_MANY_REQUESTS, message.to_owned()));
            }
        },
    };
    let code = offer.as_ref().map(|o| o.code.as_str());
    let mut response = match through {
        PayThrough::Choice => pay_with(&state, &visitor, chosen_card(&plan, offer.as_ref()), next),
        PayThrough::Only(only) => {
            to_checkout(&state, &visitor, (reader_id, &email), &plan, only, code, next.as_deref()).await?
        }
    };
    response.headers_mut().append(axum::http::header::SET_COOKIE, session_cookie(&state, &token));
    Ok(visitor.remember(response))
}

/// The card shown for the plan the next payment of `subscription` is for
/// (on sale or not), with what is due under the offer it redeemed.
pub(crate) async fn plan_card(state: &AppState, subscription: &SubscriptionRecord) -> Result<PlanCard, PageError> {
    let plan = state.billing.plan_due(subscription).await?;
    let mut card = PlanCard::of(&plan);
    let charge = state.billing.charge_due(subscription).await?;
    let folded = state.store.subscription_state(subscription.id, state.clock.now()).await?;
    if let (true, Some(offer_id)) = (charge.discounted(), folded.and_then(|s| s.offer_id)) {
        card.offer = state
            .store
            .offer(offer_id)
            .await?
            .map(|o| CardOffer { due: charge.amount.to_string(), ..CardOffer::new(&o, &plan) });
    }
    // A group's charge is the plan's price once per seat.
    if charge.list_price != plan.price && plan.price.0 > 0 {
        card.name = format!("{}, {} seats", plan.name, charge.list_price.0 / plan.price.0);
        card.price = charge.list_price.to_string();
    }
    Ok(card)
}
