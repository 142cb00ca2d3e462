//! Buying, changing and paying for subscriptions over HTTP. The money side
//! itself — webhook checks, payments, invoices, renewals, partner codes — is
//! `masthead_billing::Billing`; this room is its face:
//!
//! - [`checkout`]: `/subscribe`, the account step, a pending subscription
//!   and the way to its provider's checkout;
//! - [`providers`]: the sandbox's and Razorpay's checkout pages;
//! - [`webhooks`]: where every provider's payments arrive;
//! - [`api`]: the same for apps (plans, subscribe, cancel, resume, switch);
//! - [`subscriptions`]: a reader's subscription and the changes they may ask for;
//! - [`pause`]: pausing renewal for 1 to 3 months instead of cancelling;
//! - [`retention`]: the offer shown once per subscription at cancellation;
//! - [`account`]: the account page's panel, invoice details and invoices
//!   (any invoice for admins, under `/newsroom/invoices`);
//! - [`ads`]: the house-ad slot on story and section pages;
//! - [`header`]: the header's "Subscribe" on every other page, as a layer;
//! - [`admin`]: admins' pages for plans, partner codes and house ads;
//! - [`offers`]: admins' pages for offers (discounts and trials by code);
//! - [`gifts`]: gift subscriptions bought and redeemed (API and pages), the
//!   admins' list and the account page's gifts;
//! - [`refunds`]: admins' refunds page, and the reader's GST credit notes;
//! - [`groups`]: companies' group subscriptions: seats, invitations, B2B invoices;
//! - [`views`]: plan cards and the offer.
//!
//! Builds on `http` and `auth` (the account step signs up and logs in on
//! the subscribe form); `account` and `reader` build on it (the account
//! page's panel, the paywall's offer).

pub(crate) mod account;
pub(crate) mod admin;
pub(crate) mod ads;
pub(crate) mod api;
pub(crate) mod checkout;
pub(crate) mod gifts;
pub(crate) mod groups;
pub(crate) mod header;
pub(crate) mod offers;
pub(crate) mod pause;
pub(crate) mod providers;
pub(crate) mod refunds;
pub(crate) mod retention;
pub(crate) mod subscriptions;
pub(crate) mod views;
pub(crate) mod webhooks;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use masthead_billing::Billing;
pub use masthead_billing::PaymentConfig;
use masthead_store::StoreError;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::SharedState;

/// Billing over the site's store and settings, its renewal loop started.
pub(crate) async fn start(setup: masthead_billing::Setup) -> Result<Arc<Billing>, StoreError> {
    let billing = Arc::new(Billing::open(setup).await?);
    billing.clone().spawn_renewals();
    Ok(billing)
}

/// The plans and subscriptions API: routes and their OpenAPI entries (see `openapi`).
pub(crate) fn api() -> OpenApiRouter<SharedState> {
    OpenApiRouter::new()
        .routes(routes!(api::plans))
        .routes(routes!(api::create))
        .routes(routes!(api::cancel))
        .routes(routes!(api::resume))
        .routes(routes!(api::switch))
        .routes(routes!(providers::sandbox::pay_api))
        .routes(routes!(gifts::create_api))
        .routes(routes!(gifts::redeem_api))
        .routes(routes!(pause::pause_renewal))
        .routes(routes!(pause::resume_renewal))
        .routes(routes!(retention::show_retention_offer, retention::accept_retention_offer))
        .routes(routes!(groups::new_group))
        .routes(routes!(groups::get_group))
        .routes(routes!(groups::invite_reader))
        .routes(routes!(groups::free_seat))
        .routes(routes!(groups::join_group_api))
}

/// The subscription, checkout, invoice, webhook and billing-admin routes.
pub(crate) fn routes() -> Router<SharedState> {
    Router::new()
        .route("/subscribe", get(checkout::subscribe_page).post(checkout::choose))
        .route("/subscribe/account", post(checkout::account_step))
        .route("/checkout/sandbox/{id}", get(providers::sandbox::checkout_page).post(providers::sandbox::checkout_pay))
        .route("/checkout/razorpay/{id}", get(providers::razorpay::page))
        .route("/checkout/razorpay/{id}/callback", post(providers::razorpay::callback))
        .route("/account/subscription/{id}/{verb}", get(account::confirm_cancel).post(account::account_change))
        .route("/account/subscription/{id}/pause", post(pause::pause_page))
        .route("/account/subscription/{id}/unpause", post(pause::unpause_page))
        .route("/account/subscription/{id}/keep", post(retention::keep_page))
        .route("/account/groups", get(groups::groups_page).post(groups::buy_page))
        .route("/account/groups/{id}", get(groups::group_page))
        .route("/account/groups/{id}/invites", post(groups::invite_page))
        .route("/account/groups/{id}/seats/{seat}/remove", post(groups::remove_page))
        .route("/groups/join/{code}", get(groups::join_page).post(groups::join_submit))
        .route("/groups/accept/{token}", get(groups::accept_page).post(groups::accept_submit))
        .route("/newsroom/groups", get(groups::admin_groups))
        .route("/account/billing-details", post(account::save_details))
        .route("/account/invoices/{number}", get(account::invoice_page))
        .route("/account/invoices/{number}/pdf", get(account::invoice_pdf))
        .route("/newsroom/invoices/{number}", get(account::newsroom_invoice_page))
        .route("/newsroom/invoices/{number}/pdf", get(account::newsroom_invoice_pdf))
        .route("/webhooks/{provider}", post(webhooks::receive))
        .route("/newsroom/partner-codes", get(admin::partner_codes).post(admin::upload_partner_codes))
        .route("/newsroom/ads", get(admin::ads).post(admin::save_ad))
        .route("/newsroom/plans", get(admin::plans).post(admin::create_plan))
        .route("/newsroom/plans/{id}", post(admin::update_plan))
        .route("/newsroom/payments", get(admin::payments))
        .route("/newsroom/offers", get(offers::offers).post(offers::create_offer))
        .route("/newsroom/offers/{id}/end", post(offers::end_offer))
        .route("/gifts", get(gifts::page).post(gifts::buy_page))
        .route("/gifts/redeem", get(gifts::redeem_page).post(gifts::redeem))
        .route("/newsroom/gifts", get(gifts::admin_gifts))
        .route("/newsroom/refunds", get(refunds::refunds).post(refunds::refund))
        .route("/account/credit-notes/{number}", get(refunds::credit_note_page))
        .route("/account/credit-notes/{number}/pdf", get(refunds::credit_note_pdf))
        .route("/newsroom/offers/{id}/retention", post(offers::mark_retention))
}
