//! Newsletters on the site: the list of newsletters and sign-up
//! ([`pages`]), the double opt-in confirmation, the one-click unsubscribe
//! that mail clients post to ([`unsubscribe`]), a reader's manage page
//! ([`account`]), the JSON API ([`api`]), what every page asks about a
//! reader and where messages link ([`membership`]), the web archive of past issues,
//! the newsroom's desk to compose, preview, test and schedule issues
//! ([`newsroom`]), and
//! the mail provider's bounce and complaint webhooks ([`webhooks`]).
//! The rules and the send job are `masthead_newsletter`'s; this room only
//! speaks HTTP. [`start`] runs the send job inside the server.
//!
//! Builds on `http` (sessions, CSRF, errors, the page frame) and `auth`
//! (the rate limits on sign-ups by email).

pub(crate) mod account;
pub(crate) mod api;
pub(crate) mod membership;
pub(crate) mod newsroom;
pub(crate) mod pages;
pub(crate) mod unsubscribe;
pub(crate) mod views;
pub(crate) mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use masthead_domain::{Clock, PublisherZone};
use masthead_mail::Mailer;
use masthead_newsletter::{Desk, Links, Settings};
use masthead_store::Store;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::SharedState;

pub use webhooks::{BadBasicAuth, BasicAuth, BounceWebhooks};

/// Request bodies: a form or JSON object of a few fields, or an issue's intro.
const BODY_LIMIT: usize = 64 * 1024;
/// A provider's batch of webhook events (SendGrid posts many at once).
const WEBHOOK_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// How the send job runs inside each server, and the bounce webhooks' credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewsletterConfig {
    /// How often each server looks for due issues; None: only `masthead newsletters send-due` sends.
    pub interval: Option<Duration>,
    /// Batches, rate and lease.
    pub settings: Settings,
    /// Who may report bounces and complaints.
    pub webhooks: BounceWebhooks,
}

impl Default for NewsletterConfig {
    fn default() -> Self {
        Self {
            interval: Some(Duration::from_secs(30)),
            settings: Settings::default(),
            webhooks: BounceWebhooks::default(),
        }
    }
}

/// The newsletters API: routes and their OpenAPI entries (see `openapi`).
pub(crate) fn api() -> OpenApiRouter<SharedState> {
    OpenApiRouter::new()
        .routes(routes!(api::list))
        .routes(routes!(api::subscribe))
        .routes(routes!(api::mine))
        .routes(routes!(api::leave))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

/// The newsletter routes.
pub(crate) fn routes() -> Router<SharedState> {
    Router::new()
        .route("/newsletters", get(pages::index))
        .route("/newsletters/{slug}", get(pages::archive))
        .route("/newsletters/{slug}/subscribe", post(pages::subscribe))
        .route("/newsletters/{slug}/{issue}", get(pages::issue))
        .route("/newsletters/confirm/{token}", get(pages::confirm_form).post(pages::confirm))
        .route("/newsletters/unsubscribe/{token}", get(unsubscribe::page).post(unsubscribe::one_click))
        .route("/account/newsletters", get(account::manage))
        .route("/account/newsletters/{slug}", post(account::change))
        .route("/newsroom/newsletters", get(newsroom::desk))
        .route("/newsroom/newsletters/{slug}/compose", get(newsroom::compose_form).post(newsroom::compose))
        .route("/newsroom/newsletters/{slug}/preview", post(newsroom::preview))
        .route("/newsroom/newsletters/{slug}/test", post(newsroom::send_test))
        .route("/newsroom/newsletters/{slug}/issues", post(newsroom::schedule))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .merge(
            Router::new()
                .route("/webhooks/mail/sendgrid", post(webhooks::sendgrid))
                .route("/webhooks/mail/postmark", post(webhooks::postmark))
                .layer(DefaultBodyLimit::max(WEBHOOK_BODY_LIMIT)),
        )
}

/// Starts the send job in this server, when configured.
pub(crate) fn start(
    store: Store,
    mailer: Mailer,
    publisher: String,
    public_url: String,
    zone: PublisherZone,
    clock: Arc<dyn Clock>,
    config: &NewsletterConfig,
) {
    let Some(every) = config.interval else { return };
    let desk = Desk { store, mailer, publisher, links: Links { public_url }, zone, settings: config.settings };
    masthead_newsletter::send::spawn(desk, clock, every);
}
