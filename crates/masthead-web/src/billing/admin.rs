//! Admins' billing pages under `/newsroom`: the partner-code pool (CSV
//! upload, all or nothing), the house ads, the plan catalogue, and the
//! payments held for review (not the price due, so not applied). Each is
//! behind the `RequireRole<AdminOnly>` guard (`crate::http::guard`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use masthead_domain::Paise;
use masthead_domain::access::Benefit;
use masthead_domain::plan::{Plan, PlanDraft};
use masthead_store::{HouseAd, PaymentReview};
use serde::Deserialize;

use super::ads::SLOTS;
use crate::http::csrf::{self, CsrfForm};
use crate::http::error::PageError;
use crate::http::guard::{AdminOnly, RequireRole};
use crate::http::respond::{private, see_other};
use crate::http::views::{self, Layout};
use crate::http::visitor::Visitor;
use crate::{AppState, SharedState};

#[derive(Deserialize)]
pub(crate) struct DoneQuery {
    pub(super) done: Option<String>,
}

pub(super) fn render(visitor: &Visitor, status: StatusCode, page: &impl Template) -> Response {
    let mut response = views::render(page);
    if response.status() == StatusCode::OK {
        *response.status_mut() = status;
    }
    private(visitor.remember(response))
}

/// `/newsroom/partner-codes`.
#[derive(Template)]
#[template(path = "billing/admin_partner_codes.html")]
struct PartnerCodesPage<'a> {
    layout: Layout<'a>,
    csrf: String,
    available: u64,
    threshold: u64,
    low: bool,
    notice: Option<String>,
    problems: Vec<String>,
    csv: String,
}

async fn partner_codes_page<'a>(
    state: &'a AppState,
    visitor: &Visitor,
    notice: Option<String>,
    problems: Vec<String>,
    csv: String,
) -> Result<PartnerCodesPage<'a>, PageError> {
    let available = state.store.partner_codes_available().await?;
    let threshold = state.billing.config().partner_low_threshold;
    Ok(PartnerCodesPage {
        layout: Layout::new(state, "Partner codes".to_owned(), String::new(), None).without_subscribe(),
        csrf: csrf::token(state, visitor),
        available,
        threshold,
        low: available <= threshold,
        notice,
        problems,
        csv,
    })
}

/// `GET /newsroom/partner-codes`: the pool, and the upload form.
pub(crate) async fn partner_codes(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    visitor: Visitor,
) -> Result<Response, PageError> {
    let page = partner_codes_page(&state, &visitor, None, Vec::new(), String::new()).await?;
    Ok(render(&visitor, StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub(crate) struct UploadForm {
    #[serde(default)]
    csv: String,
}

/// `POST /newsroom/partner-codes`: adds the codes of a CSV to the pool, or
/// none of them when any line is malformed.
pub(crate) async fn upload_partner_codes(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<UploadForm>,
) -> Result<Response, PageError> {
    match masthead_billing::partner_codes::parse_codes(&form.csv) {
        Err(problems) => {
            let problems = problems.iter().map(ToString::to_string).collect();
            let page = partner_codes_page(&state, &visitor, None, problems, form.csv).await?;
            Ok(render(&visitor, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Ok(codes) => {
            let outcome = state.store.import_partner_codes(&codes, state.clock.now()).await?;
            if state.store.partner_codes_available().await? > state.billing.config().partner_low_threshold {
                state.store.rearm_pool_warning().await?;
            }
            let notice = format!("Added {} code(s); {} duplicate(s) ignored.", outcome.added, outcome.duplicates);
            let page = partner_codes_page(&state, &visitor, Some(notice), Vec::new(), String::new()).await?;
            Ok(render(&visitor, StatusCode::OK, &page))
        }
    }
}

/// A held payment as the review list shows it.
struct ReviewRow {
    review: PaymentReview,
    held: String,
    expected: String,
    received: String,
}

/// An amount with its currency: `₹900` in rupees, `12.34 USD` otherwise.
fn money((amount, currency): &(Paise, String)) -> String {
    if currency.eq_ignore_ascii_case("inr") {
        amount.to_string()
    } else {
        let sign = if amount.0 < 0 { "-" } else { "" };
        let minor = amount.0.unsigned_abs();
        format!("{sign}{}.{:02} {}", minor / 100, minor % 100, currency.to_ascii_uppercase())
    }
}

/// `/newsroom/payments`.
#[derive(Template)]
#[template(path = "billing/admin_payments.html")]
struct PaymentsPage<'a> {
    layout: Layout<'a>,
    reviews: Vec<ReviewRow>,
}

/// `GET /newsroom/payments`: payments needing review — signed and stored,
/// but not the price due, so they paid for nothing and issued no invoice.
pub(crate) async fn payments(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    visitor: Visitor,
) -> Result<Response, PageError> {
    let reviews = state
        .store
        .payments_for_review()
        .await?
        .into_iter()
        .map(|review| ReviewRow {
            held: state.zone.format(review.held_at),
            expected: money(&review.expected),
            received: money(&review.received),
            review,
        })
        .collect();
    let page = PaymentsPage {
        layout: Layout::new(&state, "Payments needing review".to_owned(), String::new(), None).without_subscribe(),
        reviews,
    };
    Ok(render(&visitor, StatusCode::OK, &page))
}

/// `/newsroom/ads`.
#[derive(Template)]
#[template(path = "billing/admin_ads.html")]
struct AdsPage<'a> {
    layout: Layout<'a>,
    csrf: String,
    slots: Vec<HouseAd>,
    notice: Option<&'static str>,
    error: Option<&'static str>,
}

/// `GET /newsroom/ads`: each slot's house ad.
pub(crate) async fn ads(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    visitor: Visitor,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let saved = state.store.house_ads().await?;
    let slots = SLOTS
        .iter()
        .map(|slot| {
            saved.iter().find(|ad| ad.slot == *slot).cloned().unwrap_or_else(|| HouseAd {
                slot: (*slot).to_owned(),
                headline: String::new(),
                body: String::new(),
                link_url: String::new(),
            })
        })
        .collect();
    let page = AdsPage {
        layout: Layout::new(&state, "House ads".to_owned(), String::new(), None).without_subscribe(),
        csrf: csrf::token(&state, &visitor),
        slots,
        notice: match query.done.as_deref() {
            Some("saved") => Some("The ad is saved."),
            Some("cleared") => Some("The slot is empty: its pages show no ad."),
            _ => None,
        },
        error: (query.done.as_deref() == Some("invalid"))
            .then_some("An ad needs a headline (up to 120 characters), a line of text (up to 300) and a link: a path on this site or an http(s) address."),
    };
    Ok(render(&visitor, StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub(crate) struct AdForm {
    slot: String,
    #[serde(default)]
    headline: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    link_url: String,
}

/// Whether a link may go in an ad: a path here, or an http(s) address.
fn safe_link(link: &str) -> bool {
    (link.starts_with('/') && !link.starts_with("//"))
        || ((link.starts_with("https://") || link.starts_with("http://")) && !link.contains(char::is_whitespace))
}

/// `POST /newsroom/ads`: fills a slot, or empties it when every field is blank.
pub(crate) async fn save_ad(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    CsrfForm(form): CsrfForm<AdForm>,
) -> Result<Response, PageError> {
    let slot = SLOTS.iter().find(|s| **s == form.slot).ok_or(PageError::NotFound)?;
    let (headline, body, link) = (form.headline.trim(), form.body.trim(), form.link_url.trim());
    if headline.is_empty() && body.is_empty() && link.is_empty() {
        state.store.clear_house_ad(slot).await?;
        return Ok(see_other("/newsroom/ads?done=cleared"));
    }
    let valid = !headline.is_empty()
        && headline.chars().count() <= 120
        && !body.is_empty()
        && body.chars().count() <= 300
        && safe_link(link);
    if !valid {
        return Ok(see_other("/newsroom/ads?done=invalid"));
    }
    let ad = HouseAd {
        slot: (*slot).to_owned(),
        headline: headline.to_owned(),
        body: body.to_owned(),
        link_url: link.to_owned(),
    };
    state.store.set_house_ad(&ad, state.clock.now()).await?;
    Ok(see_other("/newsroom/ads?done=saved"))
}

/// A plan as the admin table shows it.
struct PlanRow {
    plan: Plan,
    price_shown: String,
    benefits: Vec<BenefitChoice>,
}

struct BenefitChoice {
    name: &'static str,
    title: &'static str,
    chosen: bool,
}

fn benefit_choices(chosen: &[Benefit]) -> Vec<BenefitChoice> {
    Benefit::ALL
        .into_iter()
        .map(|b| BenefitChoice { name: b.as_str(), title: b.title(), chosen: chosen.contains(&b) })
        .collect()
}

/// `/newsroom/plans`.
#[derive(Template)]
#[template(path = "billing/admin_plans.html")]
struct PlansPage<'a> {
    layout: Layout<'a>,
    csrf: String,
    plans: Vec<PlanRow>,
    new_benefits: Vec<BenefitChoice>,
    notice: Option<&'static str>,
    error: Option<String>,
}

async fn plans_page<'a>(
    state: &'a AppState,
    visitor: &Visitor,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<PlansPage<'a>, PageError> {
    let plans = state
        .store
        .all_plans()
        .await?
        .into_iter()
        .map(|plan| PlanRow { price_shown: plan.price.to_string(), benefits: benefit_choices(&plan.benefits), plan })
        .collect();
    Ok(PlansPage {
        layout: Layout::new(state, "Plans".to_owned(), String::new(), None).without_subscribe(),
        csrf: csrf::token(state, visitor),
        plans,
        new_benefits: benefit_choices(&Benefit::ALL),
        notice,
        error,
    })
}

/// `GET /newsroom/plans`: every plan, active or not, each editable.
pub(crate) async fn plans(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    visitor: Visitor,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let notice = (query.done.as_deref() == Some("saved")).then_some("The plan is saved.");
    let page = plans_page(&state, &visitor, notice, None).await?;
    Ok(render(&visitor, StatusCode::OK, &page))
}

/// The plan an admin's form describes, checked.
fn draft(fields: &[(String, String)]) -> Result<PlanDraft, String> {
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str());
    let benefits: Vec<String> = fields.iter().filter(|(k, _)| k == "benefit").map(|(_, v)| v.clone()).collect();
    PlanDraft::parse(
        field("name"),
        field("price_paise"),
        field("term_months"),
        &benefits,
        field("partner_eligible") == "on",
        field("active") == "on",
    )
    .map_err(|e| e.to_string())
}

/// Saves a plan (`id` = `None` adds one), then reloads the catalogue on sale.
async fn save(
    state: &AppState,
    visitor: &Visitor,
    id: Option<i64>,
    fields: &[(String, String)],
) -> Result<Response, PageError> {
    let draft = match draft(fields) {
        Ok(draft) => draft,
        Err(error) => {
            let page = plans_page(state, visitor, None, Some(error)).await?;
            return Ok(render(visitor, StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    match id {
        None => {
            state.store.create_plan(&draft).await?;
        }
        Some(id) => {
            if !state.store.update_plan(id, &draft).await? {
                return Err(PageError::NotFound);
            }
        }
    }
    Ok(see_other("/newsroom/plans?done=saved").into_response())
}

/// `POST /newsroom/plans`: adds a plan.
pub(crate) async fn create_plan(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    visitor: Visitor,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    save(&state, &visitor, None, &fields).await
}

/// `POST /newsroom/plans/{id}`: edits a plan; unticking "on sale" takes it
/// off `/subscribe` and the API while its subscribers keep renewing on it.
pub(crate) async fn update_plan(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    visitor: Visitor,
    Path(id): Path<i64>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    save(&state, &visitor, Some(id), &fields).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_show_with_their_currency() {
        assert_eq!(money(&(Paise(89_900), "inr".to_owned())), "₹899");
        assert_eq!(money(&(Paise(90_001), "INR".to_owned())), "₹900.01");
        assert_eq!(money(&(Paise(1_234), "usd".to_owned())), "12.34 USD");
    }
}
