//! Group (corporate) subscriptions over HTTP (`masthead_domain::group`,
//! `masthead_store`'s groups): a company buys N seats of a plan with its
//! GSTIN (checked: shape, state code and check character) and pays N times
//! the plan's price through the usual checkout; each payment's invoice is a
//! B2B tax invoice to the company with its GSTIN, the state the GSTIN names
//! deciding CGST + SGST or IGST. The manager (the buying account) invites
//! readers by email — a mail with a single-use link — and, with a domain
//! set, shares a join link: a reader whose confirmed address is at the
//! domain takes a seat at once, another confirms an address there by a mailed
//! link. Seat N+1 is refused (the store's cap, exact under concurrency); the
//! manager removes a seat and invites another into it; seats give the plan's
//! benefits while the group's subscription does, and end with it.
//!
//! Pages: `/account/groups` (buy, list), `/account/groups/{id}` (the
//! manager's: seats, invitations, remove), `/groups/join/{code}` and
//! `/groups/accept/{token}` (readers), `/newsroom/groups` (admins). API:
//! `POST /api/v1/groups`, `GET /api/v1/groups/{id}`, `POST
//! /api/v1/groups/{id}/invites`, `DELETE /api/v1/groups/{id}/seats/{seat}`,
//! `POST /api/v1/groups/join`. Only the manager sees or changes a group (404
//! for anyone else); forms carry the CSRF token; tokens are stored hashed;
//! pending links per group are capped ([`MAX_PENDING_PER_SEAT`]) and the
//! mails confirming an address at the domain per account and per address
//! (`RateLimits::group_confirmations_per_hour`, 429 past it), so no one
//! floods inboxes through a group. Links expire (`group::LinkKind`: an
//! invitation after 14 days, a confirmation after 24 hours); an expired or
//! used one is refused saying so (410 on its page, 422 naming `invite` in
//! the API), and takes no seat.

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use masthead_domain::email::Email;
use masthead_domain::group::{self, GroupDraft, LinkKind, LinkRefusal};
use masthead_domain::plan::Plan;
use masthead_domain::subscription::Status;
use masthead_mail::emails::GroupSeat;
use masthead_store::{GroupRecord, SeatRefusal, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::admin::render;
use super::api::CheckoutReply;
use super::checkout::start_checkout;
use crate::auth::limits::GROUP_CONFIRMATION_WINDOW;
use crate::http::csrf::{self, CsrfForm, NoFields};
use crate::http::error::{ApiError, FieldError, PageError, Refusal};
use crate::http::guard::{AdminOnly, RequireRole};
use crate::http::json::ApiJson;
use crate::http::respond::{private, see_other};
use crate::http::session::{Account, Required, SignedIn, token_hash};
use crate::http::views::{self, Layout};
use crate::http::visitor::Visitor;
use crate::secret::random_hex;
use crate::{AppState, SharedState};

/// Links (invitations and confirmations) a group may have pending, per seat.
pub const MAX_PENDING_PER_SEAT: usize = 2;

/// Why a group request was refused; nothing is stored.
enum GroupRefusal {
    /// A field is wrong (422).
    Field(&'static str, String),
    /// Not possible now (409).
    NotNow(String),
    /// Not the manager's, or no such group (404).
    NotFound,
    /// Too many confirmation mails lately, for the account or the address (429).
    TooMany(String),
    /// The database failed.
    Store(StoreError),
}

impl From<StoreError> for GroupRefusal {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

impl From<GroupRefusal> for ApiError {
    fn from(refusal: GroupRefusal) -> Self {
        match refusal {
            GroupRefusal::Field(field, message) => Self::invalid(vec![FieldError::new(field, message)]),
            GroupRefusal::NotNow(message) => Self::Conflict(message),
            GroupRefusal::NotFound => Self::NotFound("no such group of this account".to_owned()),
            GroupRefusal::TooMany(message) => Self::too_many(message, GROUP_CONFIRMATION_WINDOW),
            GroupRefusal::Store(error) => error.into(),
        }
    }
}

impl From<GroupRefusal> for PageError {
    fn from(refusal: GroupRefusal) -> Self {
        match refusal {
            GroupRefusal::Field(_, message) | GroupRefusal::NotNow(message) => {
                Self::Unprocessable(Refusal::new("Not done", message))
            }
            GroupRefusal::NotFound => Self::NotFound,
            GroupRefusal::TooMany(message) => Self::TooManyRequests {
                refusal: Refusal::new("Too many confirmation mails", message),
                retry_after: GROUP_CONFIRMATION_WINDOW,
            },
            GroupRefusal::Store(error) => error.into(),
        }
    }
}

impl From<SeatRefusal> for GroupRefusal {
    fn from(refusal: SeatRefusal) -> Self {
        match refusal {
            SeatRefusal::Link(_) => Self::Field("invite", refusal.to_string()),
            SeatRefusal::Full | SeatRefusal::AlreadyHeld => Self::NotNow(refusal.to_string()),
        }
    }
}

/// The group `id` if `account` manages it.
async fn managed(state: &AppState, account: &Account, id: i64) -> Result<GroupRecord, GroupRefusal> {
    state.store.group(id).await?.filter(|g| g.manager_id == account.id).ok_or(GroupRefusal::NotFound)
}

/// Whether a group's subscription gives access now (seats count only then).
async fn running(state: &AppState, group: &GroupRecord) -> Result<Option<Status>, StoreError> {
    let folded = state.store.subscription_state(group.subscription_id, state.clock.now()).await?;
    Ok(folded.map(|s| s.status))
}

/// What a company asks to buy.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"plan_id": 2, "seats": 10, "company": "Acme Traders Pvt Ltd",
    "gstin": "27AAPFU0939F1ZV", "domain": "acme.example", "provider": "sandbox"}))]
pub(crate) struct NewGroup {
    plan_id: i64,
    /// 1 to 1000.
    seats: i64,
    /// The legal name the invoices carry.
    company: String,
    /// Checked: shape, state code, check character.
    gstin: String,
    /// Anyone who confirms an address at it may take a seat; empty or absent for invitations only.
    domain: Option<String>,
    provider: String,
}

/// A group's pending subscription and where to pay for it (the plan's
/// price once per seat).
#[derive(Serialize, ToSchema)]
pub(crate) struct GroupCheckout {
    group_id: i64,
    #[serde(flatten)]
    checkout: CheckoutReply,
}

/// Buys a group: checked, stored pending, and its checkout started.
async fn buy(
    state: &AppState,
    visitor: &Visitor,
    account: &Account,
    request: &NewGroup,
) -> Result<GroupCheckout, GroupRefusal> {
    let draft =
        GroupDraft::parse(&request.company, &request.gstin, request.seats, request.domain.as_deref().unwrap_or(""))
            .map_err(|e| GroupRefusal::Field(e.field(), e.to_string()))?;
    let plan: Plan = state
        .plans
        .get(&state.store)
        .await?
        .find(request.plan_id)
        .ok_or_else(|| GroupRefusal::Field("plan_id", format!("no plan {} on sale", request.plan_id)))?;
    let provider = state
        .billing
        .provider(&request.provider)
        .ok_or_else(|| {
            GroupRefusal::Field("provider", format!("provider {:?} cannot take payments here", request.provider))
        })?
        .name();
    let now = state.clock.now();
    let (group_id, subscription_id) =
        state.store.create_group(account.id, plan.id, provider, &draft, &random_hex(12), now).await?;
    let next = format!("/account/groups/{group_id}");
    let checkout_url = start_checkout(state, visitor, &account.email, subscription_id, &plan, Some(&next))
        .await
        .map_err(|e| GroupRefusal::NotNow(e.to_string()))?;
    let subscription = state.store.subscription(subscription_id).await?.ok_or(GroupRefusal::NotFound)?;
    let amount = state.billing.charge_due(&subscription).await?.amount;
    let checkout = CheckoutReply::new(state, provider, subscription_id, amount, checkout_url);
    Ok(GroupCheckout { group_id, checkout })
}

/// `POST /api/v1/groups`.
#[utoipa::path(
    post,
    path = "/api/v1/groups",
    tag = "groups",
    summary = "Buy N seats of a plan for a company, invoiced to its GSTIN",
    request_body = NewGroup,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Pending until paid", body = GroupCheckout),
        (status = 401, description = "Sign in first"),
        (status = 422, description = "A field is wrong (company, gstin, seats, domain, plan_id, provider): it says why"),
    )
)]
pub(crate) async fn new_group(
    State(state): State<SharedState>,
    session: SignedIn,
    visitor: Visitor,
    ApiJson(request): ApiJson<NewGroup>,
) -> Result<Response, ApiError> {
    let account = session.required()?;
    let checkout = buy(&state, &visitor, &account, &request).await?;
    Ok((StatusCode::CREATED, Json(checkout)).into_response())
}

/// A seat as the manager sees it.
#[derive(Serialize, ToSchema)]
pub(crate) struct SeatItem {
    id: i64,
    email: String,
    joined_at: String,
}

/// A pending invitation.
#[derive(Serialize, ToSchema)]
pub(crate) struct InviteItem {
    email: String,
    created_at: String,
    /// When its link stops working (14 days after it was mailed).
    expires_at: String,
    /// The same, as the publisher's calendar shows it.
    #[serde(skip)]
    until: String,
}

/// A group as its manager sees it.
#[derive(Serialize, ToSchema)]
pub(crate) struct GroupReply {
    id: i64,
    subscription_id: i64,
    company: String,
    gstin: String,
    /// The state the GSTIN names: the invoices' place of supply.
    state: String,
    plan_id: i64,
    seats: u32,
    seats_taken: u32,
    domain: Option<String>,
    /// With a domain: the link readers at it follow to join.
    join_url: Option<String>,
    /// The group's subscription: `pending`, `active`, `expired`, …
    #[schema(value_type = Option<String>, example = "active")]
    status: Option<Status>,
    current_period_end: Option<String>,
    holders: Vec<SeatItem>,
    invites: Vec<InviteItem>,
}

async fn reply(state: &AppState, group: GroupRecord) -> Result<GroupReply, StoreError> {
    let now = state.clock.now();
    let folded = state.store.subscription_state(group.subscription_id, now).await?;
    let holders = state
        .store
        .group_seats(group.id)
        .await?
        .into_iter()
        .map(|s| SeatItem { id: s.id, email: s.email, joined_at: s.joined_at.to_rfc3339() })
        .collect();
    let invites = state
        .store
        .group_invites(group.id, now)
        .await?
        .into_iter()
        .map(|i| InviteItem {
            email: i.email,
            created_at: i.created_at.to_rfc3339(),
            expires_at: i.expires_at.to_rfc3339(),
            until: state.billing.day(i.expires_at),
        })
        .collect();
    let plan_id = state.store.subscription(group.subscription_id).await?.map_or(0, |s| s.plan_id);
    Ok(GroupReply {
        join_url: group.domain.as_ref().map(|_| format!("{}/groups/join/{}", state.public_url, group.join_code)),
        id: group.id,
        subscription_id: group.subscription_id,
        company: group.company,
        gstin: group.gstin,
        state: group.buyer_state,
        plan_id: folded.as_ref().map_or(plan_id, |s| s.plan_id),
        seats: group.seats,
        seats_taken: group.seats_taken,
        domain: group.domain,
        status: folded.as_ref().map(|s| s.status),
        current_period_end: folded.and_then(|s| s.current_period_end).map(|at| at.to_rfc3339()),
        holders,
        invites,
    })
}

/// `GET /api/v1/groups/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/groups/{id}",
    tag = "groups",
    summary = "A group the account manages: its seats and invitations",
    params(("id" = i64, Path, description = "The group's id", example = 1)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The group", body = GroupReply),
        (status = 404, description = "No such group of this account"),
    )
)]
pub(crate) async fn get_group(
    State(state): State<SharedState>,
    session: SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<GroupReply>, ApiError> {
    let group = managed(&state, &session.required()?, id).await?;
    Ok(Json(reply(&state, group).await?))
}

/// Invites `email` to a seat: a mailed single-use link.
async fn invite(state: &AppState, group: &GroupRecord, email: &str) -> Result<String, GroupRefusal> {
    let email = Email::parse(email).map_err(|e| GroupRefusal::Field("email", e.to_string()))?;
    send_link(state, group, &email, None).await?;
    Ok(email.as_str().to_owned())
}

/// Stores a link's token (for `reader_id` only, when given: a confirmation)
/// and mails it, unless the group has too many pending or cannot seat anyone
/// now, or the account or the address has had too many confirmations lately.
async fn send_link(
    state: &AppState,
    group: &GroupRecord,
    email: &Email,
    reader_id: Option<i64>,
) -> Result<(), GroupRefusal> {
    if !running(state, group)
        .await?
        .is_some_and(|s| matches!(s, Status::Active | Status::Cancelled | Status::RenewalDue | Status::PastDue))
    {
        return Err(GroupRefusal::NotNow("the group's subscription is not paid up: pay for it first".to_owned()));
    }
    if group.seats_taken >= group.seats {
        return Err(GroupRefusal::NotNow(SeatRefusal::Full.to_string()));
    }
    let now = state.clock.now();
    let pending = state.store.group_invites(group.id, now).await?.len();
    if pending >= MAX_PENDING_PER_SEAT * group.seats as usize {
        return Err(GroupRefusal::NotNow("too many invitations are waiting: remove seats or wait for them".to_owned()));
    }
    let kind = match reader_id {
        None => LinkKind::Invitation,
        Some(reader) => {
            if !state.limiters.group_confirmation(&state.store, reader, email.as_str(), now).await? {
                let most = state.limiters.group_confirmations_per_hour();
                return Err(GroupRefusal::TooMany(format!(
                    "at most {most} confirmation mails an hour, per account and per address: follow the link \
                     already mailed, or try again in an hour"
                )));
            }
            LinkKind::Confirmation
        }
    };
    let token = random_hex(24);
    let hash = token_hash(&token);
    state.store.create_group_token(group.id, email.as_str(), &hash, reader_id, now, kind.expires_at(now)).await?;
    let plan = match state.store.subscription(group.subscription_id).await? {
        Some(s) => state.store.plan(s.plan_id).await?.map_or_else(String::new, |p| p.name),
        None => String::new(),
    };
    let mail = GroupSeat {
        publisher: state.publisher_name.clone(),
        company: group.company.clone(),
        plan,
        link: format!("{}/groups/accept/{token}", state.public_url),
        lasts: match kind {
            LinkKind::Invitation => format!("until {}", state.billing.day(kind.expires_at(now))),
            LinkKind::Confirmation => format!("for {} hours", kind.lasts().num_hours()),
        },
    };
    crate::auth::flows::send_later(state, email.clone(), mail);
    Ok(())
}

/// Whom to invite.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"email": "asha@acme.example"}))]
pub(crate) struct InviteRequest {
    email: String,
}

/// An invitation sent.
#[derive(Serialize, ToSchema)]
pub(crate) struct Invited {
    email: String,
}

/// `POST /api/v1/groups/{id}/invites {"email"}`.
#[utoipa::path(
    post,
    path = "/api/v1/groups/{id}/invites",
    tag = "groups",
    summary = "Invite an address to a seat (a mail with a single-use link)",
    params(("id" = i64, Path, description = "The group's id", example = 1)),
    request_body = InviteRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Mailed", body = Invited),
        (status = 404, description = "No such group of this account"),
        (status = 409, description = "Not now: unpaid, every seat taken, or too many invitations waiting"),
        (status = 422, description = "Not an email address"),
    )
)]
pub(crate) async fn invite_reader(
    State(state): State<SharedState>,
    session: SignedIn,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<InviteRequest>,
) -> Result<Response, ApiError> {
    let group = managed(&state, &session.required()?, id).await?;
    let email = invite(&state, &group, &request.email).await?;
    Ok((StatusCode::CREATED, Json(Invited { email })).into_response())
}

/// `DELETE /api/v1/groups/{id}/seats/{seat}`.
#[utoipa::path(
    delete,
    path = "/api/v1/groups/{id}/seats/{seat}",
    tag = "groups",
    summary = "Free a seat: its holder loses the group's benefits, and it can be given to another",
    params(
        ("id" = i64, Path, description = "The group's id", example = 1),
        ("seat" = i64, Path, description = "The seat's id", example = 1),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Freed"),
        (status = 404, description = "No such group of this account, or no such seat held"),
    )
)]
pub(crate) async fn free_seat(
    State(state): State<SharedState>,
    session: SignedIn,
    Path((id, seat)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    let group = managed(&state, &session.required()?, id).await?;
    if !state.store.remove_seat(group.id, seat, state.clock.now()).await? {
        return Err(ApiError::NotFound(format!("no seat {seat} held in this group")));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Takes a seat with an invitation's token, or with a join code when the
/// account's confirmed address is at the group's domain.
async fn join(
    state: &AppState,
    account: &Account,
    token: Option<&str>,
    code: Option<&str>,
) -> Result<(GroupRecord, i64), GroupRefusal> {
    let now = state.clock.now();
    let (group, email, hash) = match (token, code) {
        (Some(token), _) => {
            let hash = token_hash(token.trim());
            let link = state.store.group_token(&hash).await?;
            let link = link.ok_or(SeatRefusal::Link(LinkRefusal::NotValid))?;
            group::check_link(&link.facts, account.id, now).map_err(SeatRefusal::Link)?;
            (link.group, link.email, Some(hash))
        }
        (None, Some(code)) => {
            let group = state
                .store
                .group_by_join_code(code.trim())
                .await?
                .filter(|g| g.domain.is_some())
                .ok_or(GroupRefusal::Field("code", "no group has this join code".to_owned()))?;
            let domain = group.domain.clone().unwrap_or_default();
            let at_domain = Email::parse(&account.email).is_ok_and(|e| group::at_domain(&e, &domain));
            if !(account.verified && at_domain) {
                return Err(GroupRefusal::Field(
                    "code",
                    format!("confirm an address at {domain} first: the join page mails it a link"),
                ));
            }
            (group, account.email.clone(), None)
        }
        (None, None) => return Err(GroupRefusal::Field("invite", "give an invitation or a join code".to_owned())),
    };
    if !running(state, &group)
        .await?
        .is_some_and(|s| matches!(s, Status::Active | Status::Cancelled | Status::RenewalDue | Status::PastDue))
    {
        return Err(GroupRefusal::NotNow("the group's subscription has no seats to give now".to_owned()));
    }
    let seat = state.store.take_seat(group.id, account.id, &email, hash.as_deref(), now).await??;
    Ok((group, seat))
}

/// A seat to take: an invitation's token, or a join code.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"invite": "3f9a…"}))]
pub(crate) struct JoinRequest {
    /// The token of an invitation (or a confirmation) link.
    invite: Option<String>,
    /// A group's join code, for an account whose confirmed address is at its domain.
    code: Option<String>,
}

/// A seat taken.
#[derive(Serialize, ToSchema)]
pub(crate) struct Joined {
    group_id: i64,
    company: String,
    seat_id: i64,
}

/// `POST /api/v1/groups/join`.
#[utoipa::path(
    post,
    path = "/api/v1/groups/join",
    tag = "groups",
    summary = "Take a seat of a group, with an invitation or the group's join code",
    request_body = JoinRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Seated: the plan's benefits while the group's subscription runs", body = Joined),
        (status = 409, description = "Every seat is taken, a seat is held already, or the group is not paid up"),
        (status = 422, description = "The invitation or code is not valid, or the address is not at the group's domain"),
    )
)]
pub(crate) async fn join_group_api(
    State(state): State<SharedState>,
    session: SignedIn,
    ApiJson(request): ApiJson<JoinRequest>,
) -> Result<Response, ApiError> {
    let account = session.required()?;
    let (group, seat_id) = join(&state, &account, request.invite.as_deref(), request.code.as_deref()).await?;
    let joined = Joined { group_id: group.id, company: group.company, seat_id };
    Ok((StatusCode::CREATED, Json(joined)).into_response())
}

/// One group in a list.
struct GroupRow {
    group: GroupRecord,
    url: String,
    status: String,
    manager: String,
    period: String,
}

async fn rows(state: &AppState, groups: Vec<GroupRecord>) -> Result<Vec<GroupRow>, StoreError> {
    let mut rows = Vec::with_capacity(groups.len());
    for group in groups {
        let folded = state.store.subscription_state(group.subscription_id, state.clock.now()).await?;
        let manager = state.store.reader(group.manager_id).await?.map_or_else(String::new, |r| r.email);
        rows.push(GroupRow {
            url: format!("/account/groups/{}", group.id),
            status: folded.as_ref().map_or("pending", |s| status_word(s.status)).to_owned(),
            period: folded.and_then(|s| s.current_period_end).map(|at| state.billing.day(at)).unwrap_or_default(),
            manager,
            group,
        });
    }
    Ok(rows)
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Pending => "awaiting payment",
        Status::Active | Status::RenewalDue => "active",
        Status::PastDue => "payment failed",
        Status::Cancelled => "cancelled",
        Status::Paused => "paused",
        Status::Expired => "ended",
    }
}

/// `/account/groups`.
#[derive(Template)]
#[template(path = "billing/groups.html")]
struct GroupsPage<'a> {
    layout: Layout<'a>,
    csrf: String,
    groups: Vec<GroupRow>,
    plans: Vec<(i64, String)>,
    seats: Vec<String>,
}

/// `GET /account/groups`: the groups this account manages, the seats it
/// holds, and the form that buys a group.
pub(crate) async fn groups_page(
    State(state): State<SharedState>,
    visitor: Visitor,
    Required(account): Required,
) -> Result<Response, PageError> {
    let groups = rows(&state, state.store.managed_groups(account.id).await?).await?;
    let mut seats = Vec::new();
    for subscription in state.store.seat_subscriptions(account.id).await? {
        if let Some(group) = state.store.subscription_group(subscription).await? {
            let folded = state.store.subscription_state(subscription, state.clock.now()).await?;
            let status = folded.as_ref().map_or("pending", |s| status_word(s.status));
            seats.push(format!("A seat of {}'s subscription ({status})", group.company));
        }
    }
    let plans = state
        .plans
        .get(&state.store)
        .await?
        .0
        .iter()
        .map(|p| (p.id, format!("{} — {} per seat", p.name, p.price)))
        .collect();
    let page = GroupsPage {
        layout: Layout::new(&state, "Group subscriptions".to_owned(), String::new(), None),
        csrf: csrf::token(&state, &visitor),
        groups,
        plans,
        seats,
    };
    Ok(visitor.remember(private(views::render(&page))))
}

#[derive(Deserialize)]
pub(crate) struct BuyFields {
    plan_id: i64,
    seats: String,
    company: String,
    gstin: String,
    #[serde(default)]
    domain: String,
}

/// `POST /account/groups`: buys a group and goes to its checkout, or says what is wrong (422, nothing stored).
pub(crate) async fn buy_page(
    State(state): State<SharedState>,
    visitor: Visitor,
    Required(account): Required,
    CsrfForm(form): CsrfForm<BuyFields>,
) -> Result<Response, PageError> {
    let provider = state.billing.providers().first().map(|p| (*p).to_owned()).unwrap_or_default();
    let request = NewGroup {
        plan_id: form.plan_id,
        seats: form.seats.trim().parse().unwrap_or(0),
        company: form.company,
        gstin: form.gstin,
        domain: Some(form.domain),
        provider,
    };
    let checkout = buy(&state, &visitor, &account, &request).await?;
    Ok(see_other(&checkout.checkout.checkout_url))
}

/// `/account/groups/{id}`.
#[derive(Template)]
#[template(path = "billing/group.html")]
struct GroupPage<'a> {
    layout: Layout<'a>,
    csrf: String,
    group: GroupReply,
    status: &'static str,
    period: String,
}

/// `GET /account/groups/{id}`: the manager's page.
pub(crate) async fn group_page(
    State(state): State<SharedState>,
    visitor: Visitor,
    Required(account): Required,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let group = managed(&state, &account, id).await?;
    let group = reply(&state, group).await?;
    let period = match &group.current_period_end {
        Some(end) => {
            chrono::DateTime::parse_from_rfc3339(end).map(|at| state.billing.day(at.to_utc())).unwrap_or_default()
        }
        None => String::new(),
    };
    let page = GroupPage {
        layout: Layout::new(&state, group.company.clone(), String::new(), None),
        csrf: csrf::token(&state, &visitor),
        status: group.status.map_or("awaiting payment", status_word),
        period,
        group,
    };
    Ok(visitor.remember(private(views::render(&page))))
}

#[derive(Deserialize)]
pub(crate) struct InviteFields {
    email: String,
}

/// `POST /account/groups/{id}/invites`.
pub(crate) async fn invite_page(
    State(state): State<SharedState>,
    Required(account): Required,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<InviteFields>,
) -> Result<Response, PageError> {
    let group = managed(&state, &account, id).await?;
    invite(&state, &group, &form.email).await?;
    Ok(see_other(&format!("/account/groups/{id}")))
}

/// `POST /account/groups/{id}/seats/{seat}/remove`.
pub(crate) async fn remove_page(
    State(state): State<SharedState>,
    Required(account): Required,
    Path((id, seat)): Path<(i64, i64)>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let group = managed(&state, &account, id).await?;
    if !state.store.remove_seat(group.id, seat, state.clock.now()).await? {
        return Err(PageError::NotFound);
    }
    Ok(see_other(&format!("/account/groups/{id}")))
}

/// `/groups/join/{code}` and `/groups/accept/{token}`.
#[derive(Template)]
#[template(path = "billing/group_join.html")]
struct JoinPage<'a> {
    layout: Layout<'a>,
    csrf: String,
    company: String,
    action: String,
    /// The domain whose address the reader must confirm (join link), if any.
    domain: Option<String>,
    notice: Option<String>,
}

/// `GET /groups/join/{code}`: a group's join link for its domain.
pub(crate) async fn join_page(
    State(state): State<SharedState>,
    visitor: Visitor,
    Required(_account): Required,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let group =
        state.store.group_by_join_code(&code).await?.filter(|g| g.domain.is_some()).ok_or(PageError::NotFound)?;
    let page = JoinPage {
        layout: Layout::new(&state, format!("Join {}", group.company), String::new(), None),
        csrf: csrf::token(&state, &visitor),
        action: format!("/groups/join/{code}"),
        domain: group.domain,
        company: group.company,
        notice: None,
    };
    Ok(visitor.remember(private(views::render(&page))))
}

#[derive(Deserialize)]
pub(crate) struct JoinFields {
    email: String,
}

/// `POST /groups/join/{code}`: the account's own confirmed address at the
/// domain takes a seat at once; another address at the domain is mailed a
/// link that does (for this account only).
pub(crate) async fn join_submit(
    State(state): State<SharedState>,
    visitor: Visitor,
    Required(account): Required,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<JoinFields>,
) -> Result<Response, PageError> {
    let group =
        state.store.group_by_join_code(&code).await?.filter(|g| g.domain.is_some()).ok_or(PageError::NotFound)?;
    let domain = group.domain.clone().unwrap_or_default();
    let email = Email::parse(&form.email)
        .ok()
        .filter(|e| group::at_domain(e, &domain))
        .ok_or_else(|| GroupRefusal::Field("email", format!("give your address at {domain}")))?;
    if account.verified && email.as_str() == account.email {
        join(&state, &account, None, Some(&code)).await?;
        return Ok(see_other("/account/groups"));
    }
    send_link(&state, &group, &email, Some(account.id)).await?;
    let page = JoinPage {
        layout: Layout::new(&state, format!("Join {}", group.company), String::new(), None),
        csrf: csrf::token(&state, &visitor),
        action: format!("/groups/join/{code}"),
        domain: group.domain,
        company: group.company,
        notice: Some(format!("We mailed {} a link: follow it to take your seat.", email.as_str())),
    };
    Ok(visitor.remember(private(views::render(&page))))
}

/// `GET /groups/accept/{token}`: an invitation's (or confirmation's) page;
/// a link used or expired says so (410), another account's confirmation is
/// refused (403).
pub(crate) async fn accept_page(
    State(state): State<SharedState>,
    visitor: Visitor,
    Required(account): Required,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let link = state.store.group_token(&token_hash(&token)).await?.ok_or(PageError::NotFound)?;
    match group::check_link(&link.facts, account.id, state.clock.now()) {
        Ok(()) => {}
        Err(refusal @ LinkRefusal::Used) => {
            return Err(PageError::Gone(Refusal::new("This link was used", refusal.to_string())));
        }
        Err(refusal @ LinkRefusal::Expired) => {
            return Err(PageError::Gone(Refusal::new("This link has expired", refusal.to_string())));
        }
        Err(refusal @ LinkRefusal::NotValid) => return Err(PageError::forbidden(refusal.to_string())),
    }
    let group = link.group;
    let page = JoinPage {
        layout: Layout::new(&state, format!("Join {}", group.company), String::new(), None),
        csrf: csrf::token(&state, &visitor),
        action: format!("/groups/accept/{token}"),
        domain: None,
        company: group.company,
        notice: None,
    };
    Ok(visitor.remember(private(views::render(&page))))
}

/// `POST /groups/accept/{token}`: takes the seat.
pub(crate) async fn accept_submit(
    State(state): State<SharedState>,
    Required(account): Required,
    Path(token): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    join(&state, &account, Some(&token), None).await?;
    Ok(see_other("/account/groups"))
}

/// `/newsroom/groups`.
#[derive(Template)]
#[template(path = "billing/admin_groups.html")]
struct AdminGroupsPage<'a> {
    layout: Layout<'a>,
    groups: Vec<GroupRow>,
}

/// `GET /newsroom/groups`: every group, newest first.
pub(crate) async fn admin_groups(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    visitor: Visitor,
) -> Result<Response, PageError> {
    let groups = rows(&state, state.store.all_groups().await?).await?;
    let page = AdminGroupsPage {
        layout: Layout::new(&state, "Groups".to_owned(), String::new(), None).without_subscribe(),
        groups,
    };
    Ok(render(&visitor, StatusCode::OK, &page))
}
