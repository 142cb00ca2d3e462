//! What readers read: the home page, sections and stories ([`pages`]), the
//! archive ([`archive`]), search ([`search`], over the index that
//! [`indexer`] keeps following the database), feeds and sitemaps
//! ([`feeds`]) and the stories API ([`api`]). Every route that can carry a
//! story's text opens it through [`reading`]: who is reading, the access
//! decision, and — when the story is delivered — the read recorded on the
//! meter (the store batches the writes). [`meter_trim`] deletes past
//! months' meters. [`views`] holds the pages.
//!
//! Builds on `http`, the read model (kept stories, lists and pages) and
//! `billing` (the paywall's offer, the house ads).

pub(crate) mod api;
pub(crate) mod archive;
pub(crate) mod feeds;
pub(crate) mod indexer;
pub(crate) mod meter_trim;
pub(crate) mod pages;
pub(crate) mod reading;
pub(crate) mod search;
pub(crate) mod views;

use axum::Router;
use axum::routing::get;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::SharedState;

/// The stories and search API: routes and their OpenAPI entries (see `openapi`).
pub(crate) fn api() -> OpenApiRouter<SharedState> {
    OpenApiRouter::new()
        .routes(routes!(search::api))
        .routes(routes!(api::articles))
        .routes(routes!(api::article))
        .routes(routes!(api::access))
}

/// Home, sections and stories (pages kept as skeletons, which fill the
/// header's "Subscribe" themselves), feeds and sitemaps. A story's address
/// is `/{section}/{slug}-{id}`, so these go last among the site's routes.
pub(crate) fn routes() -> Router<SharedState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/feed.xml", get(feeds::site_rss))
        .route("/atom.xml", get(feeds::site_atom))
        .route("/sitemap.xml", get(feeds::sitemap_index))
        .route("/sitemaps/{month}", get(feeds::sitemap_month))
        .route("/news-sitemap.xml", get(feeds::news_sitemap))
        .route("/robots.txt", get(feeds::robots))
        .route("/{section}/feed.xml", get(feeds::section_rss))
        .route("/{section}/atom.xml", get(feeds::section_atom))
        .route("/{section}", get(pages::section))
        .route("/{section}/{story}", get(pages::story))
}

/// The archive and search: pages whose header's "Subscribe" is filled by
/// billing's layer (`crate::billing::header`).
pub(crate) fn framed_pages() -> Router<SharedState> {
    Router::new()
        .route("/archive", get(archive::archive_years))
        .route("/archive/{year}", get(archive::archive_year))
        .route("/archive/{year}/{month}", get(archive::archive_month))
        .route("/archive/{year}/{month}/{day}", get(archive::archive_day))
        .route("/search", get(search::page))
}
