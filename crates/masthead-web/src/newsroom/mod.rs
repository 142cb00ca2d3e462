//! The newsroom: staff pages under `/newsroom` for writing, editing,
//! scheduling and publishing stories, choosing the home lead, and (for
//! admins) staff accounts, sections and agency rules.
//!
//! Every route takes the guard `crate::http::guard::RequireRole<M>` (what
//! each role may do is `masthead_domain::role`'s rule) and every form posts
//! through `crate::http::csrf::CsrfForm`. The pages: [`stories`] (list,
//! editor, publishing, the home lead), [`revisions`] (history, diff,
//! restore), [`admin`] (staff, sections, agency rules) and [`epaper`] (the
//! printed edition's upload, for editors); [`staff`] is
//! `masthead staff add` behind the CLI. A background task
//! ([`spawn_scheduler`]) publishes scheduled stories when their time comes.
//!
//! Builds on `http` and `auth` (a new staff account's password and link).

pub(crate) mod admin;
pub(crate) mod diff;
pub(crate) mod epaper;
pub(crate) mod markdown;
pub(crate) mod revisions;
pub(crate) mod staff;
pub(crate) mod stories;
pub(crate) mod views;

pub use staff::{SET_PASSWORD_FOR, StaffAdded, StaffError, add_staff};

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use masthead_domain::Clock;
use masthead_store::Store;

use crate::SharedState;

/// Story bodies are long; 1 MiB of Markdown is plenty.
const BODY_LIMIT: usize = 1024 * 1024;
/// How often the scheduler looks for stories whose time has come.
const SCHEDULER_TICK: Duration = Duration::from_secs(1);

/// The newsroom's routes; every handler takes a [`RequireRole`]. The
/// e-paper upload takes bodies up to `epaper_upload_limit` bytes.
pub(crate) fn routes(epaper_upload_limit: usize) -> Router<SharedState> {
    Router::new()
        .route("/newsroom", get(stories::list))
        .route("/newsroom/stories", post(stories::create))
        .route("/newsroom/stories/new", get(stories::new_form))
        .route("/newsroom/stories/{id}", get(stories::edit_form).post(stories::save))
        .route("/newsroom/stories/{id}/unpublish", post(stories::unpublish))
        .route("/newsroom/stories/{id}/lead", post(stories::lead))
        .route("/newsroom/stories/{id}/revisions", get(revisions::list))
        .route("/newsroom/stories/{id}/revisions/{number}", get(revisions::show))
        .route("/newsroom/stories/{id}/revisions/{number}/restore", post(revisions::restore))
        .route("/newsroom/staff", get(admin::staff_page).post(admin::set_role))
        .route("/newsroom/sections", get(admin::sections_page).post(admin::save_section))
        .route("/newsroom/agencies", get(admin::agencies_page).post(admin::save_agency))
        .route("/newsroom/agencies/delete", post(admin::delete_agency))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .route(
            "/newsroom/epaper",
            get(epaper::page).post(epaper::upload).layer(DefaultBodyLimit::max(epaper_upload_limit)),
        )
}

/// Publishes scheduled stories as their time comes, every second, until
/// the runtime stops. Several instances may run it on one database: each
/// story is flipped once.
pub(crate) fn spawn_scheduler(store: Store, clock: Arc<dyn Clock>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SCHEDULER_TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let ran = store.publish_due(clock.now()).await;
            masthead_store::telemetry::job_ran("scheduler", &ran);
            match ran {
                Ok(ids) if !ids.is_empty() => tracing::info!(?ids, "scheduled stories published"),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "scheduled publishing failed; retrying"),
            }
        }
    });
}
