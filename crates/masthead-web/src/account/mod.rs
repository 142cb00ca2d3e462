//! Reader and staff accounts as readers use them: sign-up with email
//! confirmation, log-in and log-out, password reset, the account page and
//! "Your devices" — as pages for browsers ([`pages`], [`views`]) and as JSON
//! for apps ([`api`]), over the flows of `auth`, so the two cannot disagree.
//! [`user_agent`] names a device ("Firefox 121 on Windows").
//!
//! Builds on `http`, `auth` and `billing` (the account page shows the
//! subscription panel, `/api/v1/me` the subscription).

pub(crate) mod api;
pub(crate) mod pages;
pub(crate) mod user_agent;
pub(crate) mod views;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::SharedState;

/// Request bodies on account routes: a form or JSON object of a few fields.
const BODY_LIMIT: usize = 16 * 1024;

/// The account pages and API routes.
pub(crate) fn routes() -> Router<SharedState> {
    Router::new()
        .route("/signup", get(pages::signup_form).post(pages::signup))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/account", get(pages::account))
        .route("/account/verify", get(pages::verify_email))
        .route("/account/forgot-password", get(pages::forgot_form).post(pages::forgot))
        .route("/account/reset-password", get(pages::reset_form).post(pages::reset))
        .route("/account/devices", get(pages::devices))
        .route("/account/devices/sign-out-others", post(pages::sign_out_others))
        .route("/account/devices/{id}/sign-out", post(pages::sign_out_device))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

/// The account API: routes and their OpenAPI entries (see `openapi`).
pub(crate) fn api() -> OpenApiRouter<SharedState> {
    OpenApiRouter::new()
        .routes(routes!(api::register))
        .routes(routes!(api::log_in, api::log_out))
        .routes(routes!(api::me))
        .routes(routes!(api::devices))
        .routes(routes!(api::sign_out_device))
        .routes(routes!(api::sign_out_others))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}
