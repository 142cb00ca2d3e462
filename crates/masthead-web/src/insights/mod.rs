//! Insights: the reader funnel for editors and admins — `/newsroom/insights`
//! (`pages.rs`: the tables, the daily chart as SVG, each table as CSV), the
//! paywall experiments for admins (`experiments.rs`, `/newsroom/experiments`) and
//! `GET /api/v1/insights/funnel` (`api.rs`, a staff bearer token). Both
//! read the same numbers through `funnel.rs`; the events are counted where
//! they happen (`reader::reading`, billing, sign-up,
//! newsletters) and the rules are `masthead_insights`'.
//!
//! Builds on `http`.

mod api;
mod experiments;
mod funnel;
mod pages;

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::SharedState;

/// The funnel API: its route and its OpenAPI entry (see `openapi`).
pub(crate) fn api() -> OpenApiRouter<SharedState> {
    OpenApiRouter::new().routes(routes!(api::funnel))
}

/// The insights pages.
pub(crate) fn routes() -> Router<SharedState> {
    Router::new()
        .route("/newsroom/insights", get(pages::page))
        .route("/newsroom/insights/{table}", get(pages::csv))
        .route("/newsroom/experiments", get(experiments::page).post(experiments::create))
        .route("/newsroom/experiments/{id}/start", post(experiments::start))
        .route("/newsroom/experiments/{id}/stop", post(experiments::stop))
}
