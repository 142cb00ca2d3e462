//! The e-paper on the site: the calendar, an edition's page view with its
//! article regions, a region's text and the stamped download ([`pages`]);
//! clips of one article region shared for 14 days, revocable ([`clips`]);
//! page images under expiring signatures ([`images`]); the JSON API
//! ([`api`]); and what every route asks — who reads, whether they hold the
//! `epaper` benefit, the signer ([`access`]). Importing, rendering and
//! stamping are `masthead_epaper`'s; this room only speaks HTTP.
//!
//! Builds on `http` (sessions, CSRF, errors, the page frame).

pub(crate) mod access;
pub(crate) mod api;
pub(crate) mod clips;
pub(crate) mod images;
pub(crate) mod pages;
pub(crate) mod views;

use axum::Router;
use axum::routing::{get, post};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::SharedState;

/// The e-paper routes.
pub(crate) fn routes() -> Router<SharedState> {
    Router::new()
        .route("/epaper", get(pages::calendar))
        .route("/epaper/images/{name}", get(images::image))
        .route("/epaper/search", get(pages::search))
        .route("/epaper/{day}", get(pages::edition))
        .route("/epaper/{day}/regions/{page}/{region}", get(pages::region))
        .route("/epaper/{day}/download", get(pages::download))
        .route("/epaper/{day}/regions/{page}/{region}/clip", post(clips::form_create))
        .route("/epaper/clips/{token}", get(clips::page))
        .route("/epaper/clips/{token}/image", get(clips::image))
        .route("/account/epaper-clips", get(clips::list))
        .route("/account/epaper-clips/{id}/revoke", post(clips::revoke))
}

/// The e-paper API: routes and their OpenAPI entries (see `openapi`).
pub(crate) fn api() -> OpenApiRouter<SharedState> {
    OpenApiRouter::new().routes(routes!(clips::api_create)).routes(routes!(api::editions)).routes(routes!(api::edition))
}
