//! Gift subscriptions over HTTP: `POST /api/v1/gifts` and the page `/gifts`
//! buy one (a plan's term for someone else's address, with a message and a
//! delivery day; any signed-in account, paying through the same checkout as
//! a subscription, the invoice the buyer's); `POST /api/v1/gifts/redeem`
//! and the page `/gifts/redeem?code=` redeem a code once, adding the term to
//! the redeemer's subscription. The rules are `masthead_domain::gift`, the
//! storage `masthead_store::Store::{create_gift, redeem_gift}`, the mail on
//! the delivery day `masthead_billing::gifts`. Bad input is refused with the
//! reasons (422) and stores nothing; the pages' forms carry the CSRF token.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use masthead_domain::gift::{GiftDraft, GiftRefusal};
use masthead_domain::plan::Plan;
use masthead_store::GiftPurchase;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::admin::render;
use super::checkout::start_checkout;
use super::subscriptions::SubscriptionReply;
use crate::billing::providers::sandbox;
use crate::http::csrf::{self, CsrfForm};
use crate::http::error::{ApiError, FieldError, PageError, Refusal};
use crate::http::json::ApiJson;
use crate::http::respond::see_other;
use crate::http::session::{Account, Required, SignedIn};
use crate::http::views::Layout;
use crate::http::visitor::Visitor;
use crate::{AppState, SharedState};

/// What a buyer asks for, as the API and the page take it.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"plan_id": 2, "recipient_email": "friend@example.com",
                          "message": "Happy Diwali!", "deliver_on": "2026-12-01", "provider": "sandbox"}))]
pub(crate) struct NewGift {
    plan_id: i64,
    /// Who receives it.
    recipient_email: String,
    /// The buyer's words, at most 500 characters (may be empty).
    #[serde(default)]
    message: String,
    /// The day the recipient is mailed, `YYYY-MM-DD` (today to a year ahead).
    deliver_on: String,
    /// How the buyer pays: one of the providers on sale here (the first when left out).
    provider: Option<String>,
}

/// A gift waiting for its payment, and where to pay.
#[derive(Serialize, ToSchema)]
pub(crate) struct GiftCheckout {
    gift_id: i64,
    /// The buyer's subscription row the payment goes to (its invoice is theirs).
    subscription_id: i64,
    /// What the gift costs, GST included: the plan's price.
    amount_paise: i64,
    /// The provider's checkout, for a browser.
    checkout_url: String,
    /// With the sandbox: `POST` here to pay without a browser.
    #[serde(skip_serializing_if = "Option::is_none")]
    sandbox_pay_url: Option<String>,
}

/// A gift's code.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"code": "GIFT0123456789ABCDEF"}))]
pub(crate) struct RedeemGift {
    /// As mailed, in any case, with or without spaces and dashes.
    code: String,
}

/// A stored gift and its checkout.
struct Bought {
    gift_id: i64,
    subscription_id: i64,
    plan: Plan,
    provider: &'static str,
    checkout_url: String,
}

/// Checks and stores a gift for `account`, and starts its checkout; the
/// field errors when the input is refused (nothing stored then).
async fn buy(
    state: &AppState,
    visitor: &Visitor,
    account: &Account,
    request: &NewGift,
) -> Result<Result<Bought, Vec<FieldError>>, ApiError> {
    let now = state.clock.now();
    let mut errors = Vec::new();
    let plan = state.plans.get(&state.store).await?.find(request.plan_id);
    if plan.is_none() {
        errors.push(FieldError::new("plan_id", format!("no plan {} is on sale", request.plan_id)));
    }
    let offered = state.billing.providers();
    let provider = match request.provider.as_deref() {
        None => offered.first().copied(),
        Some(name) => offered.iter().copied().find(|p| *p == name),
    };
    if provider.is_none() {
        let message = match offered.as_slice() {
            [] => "no payment provider is set up on this site".to_owned(),
            offered => format!("use \"{}\"", offered.join("\", \"")),
        };
        errors.push(FieldError::new("provider", message));
    }
    let draft = GiftDraft::parse(&request.recipient_email, &request.message, &request.deliver_on, state.zone.date(now))
        .map_err(|refused| errors.extend(refused.into_iter().map(|(field, why)| FieldError::new(field, why))))
        .ok();
    let (Some(plan), Some(provider), Some(draft), true) = (plan, provider, draft, errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let code = masthead_billing::gifts::new_code();
    let purchase = GiftPurchase {
        buyer_id: account.id,
        plan_id: plan.id,
        provider,
        draft: &draft,
        deliver_at: state.zone.day_bounds(draft.deliver_on).0,
        code: &code,
    };
    let (gift_id, subscription_id) = state.store.create_gift(&purchase, now).await?;
    let checkout_url = start_checkout(state, visitor, &account.email, subscription_id, &plan, None).await?;
    Ok(Ok(Bought { gift_id, subscription_id, plan, provider, checkout_url }))
}

/// `POST /api/v1/gifts {"plan_id","recipient_email","message","deliver_on"}`:
/// a gift waiting for its payment, and where to pay for it.
#[utoipa::path(
    post,
    path = "/api/v1/gifts",
    tag = "billing",
    summary = "Buy a gift subscription",
    request_body = NewGift,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Waiting for its payment", body = GiftCheckout),
        (status = 401, description = "Not signed in"),
        (status = 422, description = "Refused; the field errors say why, nothing is stored"),
        (status = 502, description = "The payment provider failed"),
    )
)]
pub(crate) async fn create_api(
    State(state): State<SharedState>,
    session: SignedIn,
    visitor: Visitor,
    ApiJson(request): ApiJson<NewGift>,
) -> Result<Response, ApiError> {
    let account = session.required()?;
    let bought = buy(&state, &visitor, &account, &request).await?.map_err(ApiError::invalid)?;
    let sandbox_pay_url = sandbox::pay_url(&state, bought.provider, bought.subscription_id);
    let reply = GiftCheckout {
        gift_id: bought.gift_id,
        subscription_id: bought.subscription_id,
        amount_paise: bought.plan.price.0,
        checkout_url: bought.checkout_url,
        sandbox_pay_url,
    };
    Ok((StatusCode::CREATED, Json(reply)).into_response())
}

/// A redemption's refusal as the API answers it.
fn refused(refusal: GiftRefusal) -> ApiError {
    match refusal {
        GiftRefusal::Unknown => ApiError::NotFound(refusal.to_string()),
        GiftRefusal::NotPaid | GiftRefusal::Refunded | GiftRefusal::Redeemed => ApiError::Conflict(refusal.to_string()),
    }
}

/// `POST /api/v1/gifts/redeem {"code"}`: adds the gift's term to this
/// account's subscription (or starts one); the subscription now.
#[utoipa::path(
    post,
    path = "/api/v1/gifts/redeem",
    tag = "billing",
    summary = "Redeem a gift subscription",
    request_body = RedeemGift,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The subscription the gift went to, now", body = SubscriptionReply),
        (status = 401, description = "Not signed in"),
        (status = 404, description = "No gift has this code"),
        (status = 409, description = "Redeemed already, refunded, or not paid for yet"),
    )
)]
pub(crate) async fn redeem_api(
    State(state): State<SharedState>,
    session: SignedIn,
    ApiJson(request): ApiJson<RedeemGift>,
) -> Result<Response, ApiError> {
    let account = session.required()?;
    let now = state.clock.now();
    let id = state.store.redeem_gift(&request.code, account.id, now).await?.map_err(refused)?;
    let folded = state.store.subscription_state(id, now).await?;
    let folded = folded.ok_or_else(|| ApiError::NotFound(format!("no subscription {id}")))?;
    Ok(Json(SubscriptionReply::new(id, &folded)).into_response())
}

/// A plan to choose on the gift page.
struct PlanChoice {
    id: i64,
    label: String,
}

/// `/gifts`.
#[derive(Template)]
#[template(path = "billing/gift.html")]
struct GiftPage<'a> {
    layout: Layout<'a>,
    csrf: String,
    plans: Vec<PlanChoice>,
    providers: Vec<&'static str>,
    today: String,
    errors: Vec<FieldError>,
}

async fn gift_page<'a>(
    state: &'a AppState,
    visitor: &Visitor,
    errors: Vec<FieldError>,
) -> Result<GiftPage<'a>, PageError> {
    let plans = state.plans.get(&state.store).await?.0;
    Ok(GiftPage {
        layout: Layout::new(state, "Give a subscription".to_owned(), String::new(), None),
        csrf: csrf::token(state, visitor),
        plans: plans
            .iter()
            .map(|p| PlanChoice { id: p.id, label: format!("{} — {} for {}", p.name, p.price, p.term_label()) })
            .collect(),
        providers: state.billing.providers(),
        today: state.zone.date(state.clock.now()).to_string(),
        errors,
    })
}

/// `GET /gifts`: the form to buy a gift (signed in: the invoice is the buyer's).
pub(crate) async fn page(
    State(state): State<SharedState>,
    Required(_account): Required,
    visitor: Visitor,
) -> Result<Response, PageError> {
    let page = gift_page(&state, &visitor, Vec::new()).await?;
    Ok(render(&visitor, StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub(crate) struct GiftFields {
    plan_id: Option<i64>,
    #[serde(default)]
    recipient_email: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    deliver_on: String,
    provider: Option<String>,
}

/// `POST /gifts`: stores the gift and goes on to its checkout, or says what
/// is wrong (422, nothing stored).
pub(crate) async fn buy_page(
    State(state): State<SharedState>,
    Required(account): Required,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<GiftFields>,
) -> Result<Response, PageError> {
    let request = NewGift {
        plan_id: form.plan_id.unwrap_or_default(),
        recipient_email: form.recipient_email,
        message: form.message,
        deliver_on: form.deliver_on,
        provider: form.provider,
    };
    match buy(&state, &visitor, &account, &request).await {
        Ok(Ok(bought)) => Ok(see_other(&bought.checkout_url)),
        Ok(Err(errors)) => {
            let page = gift_page(&state, &visitor, errors).await?;
            Ok(render(&visitor, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(ApiError::Internal(error)) => Err(PageError::Internal(error)),
        Err(error) => {
            tracing::warn!(%error, "gift checkout failed");
            Err(PageError::Upstream(Refusal::new(
                "Payment could not start",
                "The payment provider did not answer as expected. Please try again in a moment.",
            )))
        }
    }
}

/// `/gifts/redeem`.
#[derive(Template)]
#[template(path = "billing/gift_redeem.html")]
struct RedeemPage<'a> {
    layout: Layout<'a>,
    csrf: String,
    code: String,
}

#[derive(Deserialize)]
pub(crate) struct CodeQuery {
    code: Option<String>,
}

/// `GET /gifts/redeem?code=`: the code (filled in from the mailed link) and
/// the button that redeems it, once signed in.
pub(crate) async fn redeem_page(
    State(state): State<SharedState>,
    Required(_account): Required,
    visitor: Visitor,
    Query(query): Query<CodeQuery>,
) -> Result<Response, PageError> {
    let page = RedeemPage {
        layout: Layout::new(&state, "Redeem a gift".to_owned(), String::new(), None),
        csrf: csrf::token(&state, &visitor),
        code: query.code.unwrap_or_default(),
    };
    Ok(render(&visitor, StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub(crate) struct RedeemFields {
    #[serde(default)]
    code: String,
}

/// `POST /gifts/redeem`: redeems the code onto this account, then the
/// account page; or says why not (nothing changes).
pub(crate) async fn redeem(
    State(state): State<SharedState>,
    Required(account): Required,
    CsrfForm(form): CsrfForm<RedeemFields>,
) -> Result<Response, PageError> {
    match state.store.redeem_gift(&form.code, account.id, state.clock.now()).await? {
        Ok(_) => Ok(see_other("/account?changed=gift")),
        Err(refusal) => Err(PageError::Unprocessable(Refusal::new("Gift not redeemed", refusal.to_string()))),
    }
}
