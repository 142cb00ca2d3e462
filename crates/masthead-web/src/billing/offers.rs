//! Admins' offer pages under `/newsroom/offers`: every offer with its code's
//! link and redemptions, the form that makes one (a percentage or an amount
//! off, or a trial; for chosen plans; between two days; with a cap and a
//! code, or a random code for links), and "End now". Behind the
//! `RequireRole<AdminOnly>` guard, forms with the CSRF token as every admin
//! form. An offer is not edited once made (subscriptions that redeemed it are
//! priced by it); ending it stops new redemptions. One discount offer may be
//! marked as the retention offer (`super::retention`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use masthead_domain::offer::{Offer, OfferDraft, OfferFields};

use super::admin::{DoneQuery, render};
use crate::http::csrf::{self, CsrfForm, NoFields};
use crate::http::error::PageError;
use crate::http::guard::{AdminOnly, RequireRole};
use crate::http::respond::see_other;
use crate::http::views::Layout;
use crate::http::visitor::Visitor;
use crate::secret::random_hex;
use crate::{AppState, SharedState};

/// An offer as the admin table shows it.
struct OfferRow {
    offer: Offer,
    terms: String,
    plans: String,
    days: String,
    redeemed: String,
    link: String,
    running: bool,
    /// The one shown at cancellation.
    retention: bool,
}

/// A plan to tick on the form.
struct PlanChoice {
    id: i64,
    name: String,
}

/// `/newsroom/offers`.
#[derive(Template)]
#[template(path = "billing/admin_offers.html")]
struct OffersPage<'a> {
    layout: Layout<'a>,
    csrf: String,
    offers: Vec<OfferRow>,
    plans: Vec<PlanChoice>,
    notice: Option<&'static str>,
    error: Option<String>,
}

async fn offers_page<'a>(
    state: &'a AppState,
    visitor: &Visitor,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<OffersPage<'a>, PageError> {
    let now = state.clock.now();
    let plans = state.store.all_plans().await?;
    let day = |at| state.billing.day(at);
    let retention = state.store.retention_offer().await?.map(|o| o.id);
    let offers = state
        .store
        .offers()
        .await?
        .into_iter()
        .map(|offer| OfferRow {
            terms: offer.describe(),
            plans: plans
                .iter()
                .filter(|p| offer.plan_ids.contains(&p.id))
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            // The last day is the one before the end.
            days: format!("{} to {}", day(offer.valid_from), day(offer.valid_until - chrono::Duration::seconds(1))),
            redeemed: match offer.cap {
                Some(cap) => format!("{} of {cap}", offer.redeemed),
                None => offer.redeemed.to_string(),
            },
            link: format!("{}/subscribe?offer={}", state.public_url, offer.code),
            running: now < offer.valid_until,
            retention: retention == Some(offer.id),
            offer,
        })
        .collect();
    Ok(OffersPage {
        layout: Layout::new(state, "Offers".to_owned(), String::new(), None).without_subscribe(),
        csrf: csrf::token(state, visitor),
        offers,
        plans: plans.into_iter().map(|p| PlanChoice { id: p.id, name: p.name }).collect(),
        notice,
        error,
    })
}

/// `GET /newsroom/offers`: every offer, newest first, and the form for a new one.
pub(crate) async fn offers(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    visitor: Visitor,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let notice = match query.done.as_deref() {
        Some("saved") => Some("The offer is saved: share its link or its code."),
        Some("ended") => Some("The offer has ended: it can no longer be redeemed."),
        Some("retention") => Some("Saved: readers who cancel are shown this offer, once per subscription."),
        Some("no-retention") => Some("Saved: no offer is shown at cancellation."),
        _ => None,
    };
    let page = offers_page(&state, &visitor, notice, None).await?;
    Ok(render(&visitor, StatusCode::OK, &page))
}

/// `POST /newsroom/offers`: makes an offer, or says what is wrong (422, nothing saved).
pub(crate) async fn create_offer(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    visitor: Visitor,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str());
    let plan_ids: Vec<i64> = fields.iter().filter(|(k, _)| k == "plan").filter_map(|(_, v)| v.parse().ok()).collect();
    let typed = OfferFields {
        name: field("name"),
        code: field("code"),
        kind: field("kind"),
        amount: field("amount"),
        trial_days: field("trial_days"),
        forever: field("forever") == "on",
        plan_ids: &plan_ids,
        valid_from: field("valid_from"),
        valid_until: field("valid_until"),
        cap: field("cap"),
    };
    let known = state.store.all_plans().await?;
    let draft =
        OfferDraft::parse(&typed, &state.zone, &random_hex(5)).map_err(|e| e.to_string()).and_then(|draft| match draft
            .plan_ids
            .iter()
            .find(|id| !known.iter().any(|p| p.id == **id))
        {
            Some(id) => Err(format!("there is no plan {id}")),
            None => Ok(draft),
        });
    let saved = match draft {
        Ok(draft) => match state.store.create_offer(&draft, state.clock.now()).await? {
            Some(_) => Ok(()),
            None => Err(format!("another offer has the code {}: choose another", draft.code)),
        },
        Err(error) => Err(error),
    };
    match saved {
        Ok(()) => Ok(see_other("/newsroom/offers?done=saved")),
        Err(error) => {
            let page = offers_page(&state, &visitor, None, Some(error)).await?;
            Ok(render(&visitor, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

/// `POST /newsroom/offers/{id}/end`: ends an offer now.
pub(crate) async fn end_offer(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    Path(id): Path<i64>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    if !state.store.end_offer(id, state.clock.now()).await? {
        return Err(PageError::NotFound);
    }
    Ok(see_other("/newsroom/offers?done=ended"))
}

#[derive(serde::Deserialize)]
pub(crate) struct RetentionFields {
    on: String,
}

/// `POST /newsroom/offers/{id}/retention` (`on` 1 or 0): makes it the
/// offer shown at cancellation, or none; 404 for no such discount offer.
pub(crate) async fn mark_retention(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    Path(id): Path<i64>,
    CsrfForm(fields): CsrfForm<RetentionFields>,
) -> Result<Response, PageError> {
    let on = fields.on == "1";
    if state.store.offer(id).await?.is_none() || !state.store.set_retention_offer(on.then_some(id)).await? {
        return Err(PageError::NotFound);
    }
    Ok(see_other(if on { "/newsroom/offers?done=retention" } else { "/newsroom/offers?done=no-retention" }))
}
