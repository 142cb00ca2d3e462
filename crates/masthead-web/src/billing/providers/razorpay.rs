//! Razorpay's checkout on this site: the page that sends the reader to
//! Razorpay's hosted checkout (hidden fields and one button, no JavaScript),
//! and Razorpay's signed callback back to it. The payment itself counts from
//! Razorpay's signed webhook (see [`crate::billing::webhooks`]).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use masthead_billing::razorpay::{Callback, CheckoutRef, HostedCheckout, Razorpay};
use masthead_store::SubscriptionRecord;
use serde::Deserialize;

use crate::billing::checkout::{after_paying, checkout_layout, plan_card};
use crate::billing::views::PlanCard;
use crate::http::error::{PageError, Refusal};
use crate::http::respond::{query_value, safe_next, see_other};
use crate::http::views::{self, Layout};
use crate::{AppState, SharedState};

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

/// The page that sends the reader to Razorpay's hosted checkout.
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
pub(crate) async fn page(
    State(state): State<SharedState>,
    Path(id): Path<i64>,
    Query(query): Query<RazorpayQuery>,
) -> Result<Response, PageError> {
    let (razorpay, subscription) = razorpay_checkout(&state, id, &query).await?;
    let amount = state.billing.charge_due(&subscription).await?.amount;
    let plan = plan_card(&state, &subscription).await?;
    let email = state.store.reader(subscription.reader_id).await?.map(|r| r.email).unwrap_or_default();
    // Back to the story once paid, or to the plans (and then the story) on giving up.
    let next = safe_next(query.next.as_deref()).map(|path| format!("next={}", query_value(&path)));
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
    let page = RazorpayPage { layout: checkout_layout(&state, "Pay with Razorpay"), plan, action, fields };
    Ok(views::render(&page))
}

/// `POST /checkout/razorpay/{id}/callback`: Razorpay's checkout says how the
/// payment went. A payment whose signature checks out sends the reader back
/// to the story (the subscription turns active when Razorpay's signed
/// webhook records the payment); anything else is a 400 that says why, and
/// nothing is stored either way. Razorpay posts from its own site, so this
/// form has no CSRF token: the signature is what is checked.
pub(crate) async fn callback(
    State(state): State<SharedState>,
    Path(id): Path<i64>,
    Query(query): Query<RazorpayQuery>,
    Form(callback): Form<Callback>,
) -> Result<Response, PageError> {
    let (razorpay, _) = razorpay_checkout(&state, id, &query).await?;
    match razorpay.verify_callback(id, &query.checkout, &callback) {
        Ok(payment) => {
            tracing::info!(subscription = id, payment, "razorpay checkout returned");
            Ok(see_other(&after_paying(query.next.as_deref())))
        }
        Err(error) => {
            tracing::warn!(subscription = id, %error, "razorpay callback refused");
            let message = format!(
                "{error}. If money left your account, your subscription starts as soon as Razorpay confirms \
                 the payment; your account page shows it."
            );
            Err(PageError::BadRequest(Refusal::new("Payment not confirmed", message)))
        }
    }
}
