//! `GET /api/v1/insights/funnel?from=&to=&by=day|section|story|variant`:
//! the funnel as JSON, for editors and admins (a bearer token, or the
//! site's own session): 401 without one, 403 for any other account.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use masthead_domain::Role;
use masthead_insights::Row;
use masthead_insights::funnel::By;
use masthead_insights::funnel::{CONVERSION, CREDIT, Rates};
use masthead_insights::stats::Difference;
use serde::Serialize;
use serde_json::json;

use super::funnel::{FunnelQuery, against_control, label, load};
use crate::SharedState;
use crate::http::error::ApiError;
use crate::http::session::SignedIn;

/// A row as the API gives it: the counts, the rates, and what the key names.
#[derive(Serialize)]
struct RowOut<'a> {
    #[serde(flatten)]
    row: &'a Row,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    rates: Rates,
    /// By variant: paid of visitors against the experiment's control.
    #[serde(skip_serializing_if = "Option::is_none")]
    against_control: Option<Difference>,
}

/// The funnel for a date range.
#[utoipa::path(
    get,
    path = "/api/v1/insights/funnel",
    tag = "insights",
    summary = "The reader funnel: visitors, metered readers, paywall, checkout, paid (editors and admins)",
    params(
        ("from" = Option<String>, Query, description = "The first day, YYYY-MM-DD in the publisher's calendar"),
        ("to" = Option<String>, Query, description = "The last day, YYYY-MM-DD (at most 366 days after `from`)"),
        ("by" = Option<String>, Query, description = "`day` (the default), `section`, `story` or `variant`"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The funnel's rows, its total and how credit is given", content_type = "application/json", body = serde_json::Value),
        (status = 403, description = "The account is not an editor or an admin"),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn funnel(
    State(state): State<SharedState>,
    signed_in: SignedIn,
    Query(query): Query<FunnelQuery>,
) -> Result<Response, ApiError> {
    let account = signed_in.required()?;
    if !account.role.includes(Role::Editor) {
        return Err(ApiError::Forbidden(
            "the funnel is for editors and admins: use a token of an account with one of those roles".to_owned(),
        ));
    }
    let period = query.period(&state).map_err(ApiError::bad_request)?;
    let by = query.by().map_err(ApiError::bad_request)?;
    let funnel = load(&state, by, period).await?;
    let compared = against_control(&state, by, &funnel).await?;
    let mut rows = Vec::with_capacity(funnel.rows.len());
    for (row, against_control) in funnel.rows.iter().zip(compared) {
        let (label, url) = label(&state, by, &row.key).await?.map_or((None, None), |(l, u)| (Some(l), u));
        rows.push(RowOut { row, label, url, rates: row.rates(), against_control });
    }
    let total =
        RowOut { row: &funnel.total, label: None, url: None, rates: funnel.total.rates(), against_control: None };
    let body = json!({
        "from": period.from.to_string(),
        "to": period.to.to_string(),
        "by": by.as_str(),
        "credit": CREDIT,
        "visitors": "Each stage counts visitors distinct on each day, added up over the days; paid counts payments.",
        "conversion": (by == By::Variant).then_some(CONVERSION),
        "rows": rows,
        "total": total,
    });
    Ok(Json(body).into_response())
}
