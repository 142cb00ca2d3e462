//! Gift subscriptions over HTTP: `POST /api/v1/gifts` and the page `/gifts`
//! buy one (a plan's term for someone else's address, with a message and a
//! delivery day; any signed-in account, paying through the same checkout as
//! a subscription, the invoice the buyer's); `POST /api/v1/gifts/redeem`
//! and the page `/gifts/redeem?code=` redeem a code once, adding the term to
//! the redeemer's subscription. The rules are `masthead_domain::gift`, the
//! storage `masthead_store::Store::{create_gift, redeem_gift}`, the mail on
//! the delivery day `masthead_billing::gifts`. Bad input is refused with the
//! reasons (422) and stores nothing; the pages' forms carry the CSRF token.
//! A buyer may leave their name out (`anonymous`): the mail and the
//! recipient's account page then say only that it is a gift.
//!
//! Lists: admins' `/newsroom/gifts` (behind `RequireRole<AdminOnly>`), every
//! gift newest first or found by code or address, with where it is, its
//! invoice and the way to refund it (`super::refunds`); and the account
//! page's section ([`account_section`]): the gifts a reader bought and
//! those they redeemed, their own only.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use masthead_domain::Page;
use masthead_domain::gift::{GiftDraft, GiftRefusal};
use masthead_domain::plan::Plan;
use masthead_store::{GiftListing, GiftProgress, GiftPurchase, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::admin::render;
use super::api::CheckoutReply;
use super::checkout::start_checkout;
use super::subscriptions::SubscriptionReply;
use crate::http::csrf::{self, CsrfForm};
use crate::http::error::{ApiError, FieldError, PageError, Refusal};
use crate::http::guard::{AdminOnly, RequireRole};
use crate::http::json::ApiJson;
use crate::http::respond::see_other;
use crate::http::session::{Account, Required, SignedIn};
use crate::http::views::Layout;
use crate::http::visitor::Visitor;
use crate::{AppState, SharedState};

/// What a buyer asks for, as the API and the page take it.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"plan_id": 2, "recipient_email": "friend@example.com",
                          "message": "Happy Diwali!", "deliver_on": "2026-12-01", "provider": "sandbox",
                          "anonymous": false}))]
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
    /// Leave the buyer's name out: the recipient's mail and account page
    /// say only that it is a gift (named when left out).
    #[serde(default)]
    anonymous: bool,
}

/// A gift waiting for its payment, and where to pay (the buyer's
/// subscription row, its invoice theirs; the plan's price).
#[derive(Serialize, ToSchema)]
pub(crate) struct GiftCheckout {
    gift_id: i64,
    #[serde(flatten)]
    checkout: CheckoutReply,
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
        anonymous: request.anonymous,
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
    let checkout =
        CheckoutReply::new(&state, bought.provider, bought.subscription_id, bought.plan.price, bought.checkout_url);
    let reply = GiftCheckout { gift_id: bought.gift_id, checkout };
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
    /// The "leave my name out" box: present when ticked.
    anonymous: Option<String>,
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
        anonymous: form.anonymous.is_some(),
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

/// The delivery day as the pages print it ("Nov 27 2026").
fn deliver_day(listing: &GiftListing) -> String {
    NaiveDate::parse_from_str(&listing.gift.deliver_on, "%Y-%m-%d")
        .map_or_else(|_| listing.gift.deliver_on.clone(), |day| day.format("%b %d %Y").to_string())
}

/// Where a gift is, in words; the redeemer's address only for admins.
fn progress(state: &AppState, listing: &GiftListing, name_redeemer: bool) -> String {
    let day = |at| state.billing.day(at);
    match &listing.progress {
        GiftProgress::Unpaid => "awaiting payment".to_owned(),
        GiftProgress::Waiting => "waiting for delivery".to_owned(),
        GiftProgress::Mailed(at) => format!("mailed on {}", day(*at)),
        GiftProgress::Redeemed { by: Some(by), at } if name_redeemer => format!("redeemed by {by} on {}", day(*at)),
        GiftProgress::Redeemed { at, .. } => format!("redeemed on {}", day(*at)),
        GiftProgress::Refunded => "refunded".to_owned(),
    }
}

/// A gift's invoice: its number and its page.
pub(crate) struct InvoiceLink {
    pub number: String,
    pub url: String,
}

impl InvoiceLink {
    /// The invoice `number`'s page under `base` (`/account/invoices` or `/newsroom/invoices`).
    fn new(number: &str, base: &str) -> Self {
        Self { number: number.to_owned(), url: format!("{base}/{}", super::account::invoice_slug(number)) }
    }
}

/// A gift as the admins' list shows it.
struct AdminGiftRow {
    code: String,
    plan: String,
    buyer: String,
    recipient: String,
    deliver_on: String,
    progress: String,
    /// Its invoice, once paid.
    invoice: Option<InvoiceLink>,
    /// The refunds page, found by the invoice; not once refunded.
    refund_url: Option<String>,
}

/// `/newsroom/gifts`.
#[derive(Template)]
#[template(path = "billing/admin_gifts.html")]
struct AdminGiftsPage<'a> {
    layout: Layout<'a>,
    query: String,
    gifts: Vec<AdminGiftRow>,
    page: u32,
    newer: Option<String>,
    older: Option<String>,
}

/// Gifts on a page of the admins' list.
const ADMIN_PAGE_SIZE: u32 = 30;

#[derive(Deserialize)]
pub(crate) struct AdminGiftsQuery {
    q: Option<String>,
    page: Option<u32>,
}

/// `GET /newsroom/gifts?q=&page=`: every gift, newest first, a page at a
/// time; with `q`, the gift of that code or those whose buyer or recipient
/// has that address. Each with its invoice and the way to refund it.
pub(crate) async fn admin_gifts(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    visitor: Visitor,
    Query(query): Query<AdminGiftsQuery>,
) -> Result<Response, PageError> {
    let search = query.q.as_deref().map(str::trim).unwrap_or_default().to_owned();
    let page = Page::new(query.page, ADMIN_PAGE_SIZE);
    let (found, more) = state.store.gifts_listed(Some(&search), page).await?;
    let gifts = found
        .iter()
        .map(|listing| {
            let invoice =
                listing.invoice_number.as_deref().map(|number| InvoiceLink::new(number, "/newsroom/invoices"));
            let refundable = listing.progress != GiftProgress::Refunded;
            let refund_url = listing
                .invoice_number
                .as_deref()
                .filter(|_| refundable)
                .and_then(|number| serde_urlencoded::to_string([("q", number)]).ok())
                .map(|query| format!("/newsroom/refunds?{query}"));
            AdminGiftRow {
                code: listing.gift.code.clone(),
                plan: listing.plan_name.clone(),
                buyer: listing.buyer_email.clone(),
                recipient: listing.gift.recipient_email.clone(),
                deliver_on: deliver_day(listing),
                progress: progress(&state, listing, true),
                invoice,
                refund_url,
            }
        })
        .collect();
    let link = |number: u32| {
        let mut pairs = vec![("page", number.to_string())];
        if !search.is_empty() {
            pairs.push(("q", search.clone()));
        }
        format!("/newsroom/gifts?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
    };
    let page = AdminGiftsPage {
        layout: Layout::new(&state, "Gifts".to_owned(), String::new(), None).without_subscribe(),
        gifts,
        page: page.number(),
        newer: (page.number() > 1).then(|| link(page.number() - 1)),
        older: more.then(|| link(page.number() + 1)),
        query: search,
    };
    Ok(render(&visitor, StatusCode::OK, &page))
}

/// A gift the reader bought, on their account page.
pub(crate) struct BoughtRow {
    pub recipient: String,
    pub plan: String,
    pub deliver_on: String,
    pub progress: String,
    /// Its invoice, once paid.
    pub invoice: Option<InvoiceLink>,
}

/// A gift the reader redeemed, on their account page.
pub(crate) struct RedeemedRow {
    /// The buyer's address, unless they left their name out.
    pub from: Option<String>,
    pub plan: String,
    pub redeemed_on: String,
    /// The day the subscription it went to runs to with it.
    pub extended_to: Option<String>,
    /// Refunded by its buyer: it gives nothing any longer.
    pub refunded: bool,
}

/// The account page's gifts: those the reader bought and those they redeemed.
pub(crate) struct AccountGifts {
    pub bought: Vec<BoughtRow>,
    pub redeemed: Vec<RedeemedRow>,
}

/// The account page's gifts section for `reader_id`, if they bought or
/// redeemed any: only their own (the buyer's, the redeemer's).
pub(crate) async fn account_section(state: &AppState, reader_id: i64) -> Result<Option<AccountGifts>, StoreError> {
    let day = |at| state.billing.day(at);
    let bought: Vec<BoughtRow> = state
        .store
        .gifts_bought_by(reader_id)
        .await?
        .iter()
        .map(|listing| BoughtRow {
            recipient: listing.gift.recipient_email.clone(),
            plan: listing.plan_name.clone(),
            deliver_on: deliver_day(listing),
            progress: progress(state, listing, false),
            invoice: listing.invoice_number.as_deref().map(|number| InvoiceLink::new(number, "/account/invoices")),
        })
        .collect();
    let redeemed: Vec<RedeemedRow> = state
        .store
        .gifts_redeemed_by(reader_id)
        .await?
        .into_iter()
        .map(|listing| RedeemedRow {
            from: (!listing.gift.anonymous).then(|| listing.buyer_email.clone()),
            redeemed_on: match &listing.progress {
                GiftProgress::Redeemed { at, .. } => day(*at),
                _ => String::new(),
            },
            refunded: listing.progress == GiftProgress::Refunded,
            extended_to: listing.extended_until.map(day),
            plan: listing.plan_name,
        })
        .collect();
    Ok((!bought.is_empty() || !redeemed.is_empty()).then_some(AccountGifts { bought, redeemed }))
}
