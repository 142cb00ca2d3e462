//! The newsroom: staff pages under `/newsroom` for writing, editing,
//! scheduling and publishing stories, choosing the home lead, and (for
//! admins) staff accounts, sections and agency rules.
//!
//! **The guard other modules use:** [`RequireRole<M>`] — an extractor that
//! lets a request through only when the signed-in account holds at least the
//! role `M` names: [`AtLeastWriter`], [`AtLeastEditor`] or [`AdminOnly`]. For
//! example `RequireRole<AdminOnly>` on an admin page. Anonymous visitors are
//! sent to `/login?next=PATH` (a GET comes back afterwards); a signed-in
//! account without the role (a reader, or a writer on an editor's page) gets
//! a 403 page. The name and the markers are stable.
//!
//! The pages: [`stories`] (list, editor, publishing, the home lead),
//! [`revisions`] (history, diff, restore) and [`admin`] (staff, sections,
//! agency rules); [`staff`] is `masthead staff add` behind the CLI. Every form posts through [`crate::csrf::CsrfForm`]. A
//! background task ([`spawn_scheduler`]) publishes scheduled stories when
//! their time comes.

mod admin;
mod diff;
mod markdown;
mod revisions;
mod staff;
mod stories;
mod views;

pub use staff::{SET_PASSWORD_FOR, StaffAdded, StaffError, add_staff};

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts};
use axum::http::header::LOCATION;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use masthead_domain::Clock;
use masthead_store::Store;

use crate::account::{Account, Role, SignedIn, problem_page};
use crate::{AppState, SharedState};

/// The stored role names an admin can give, least to most.
pub(crate) const ROLES: [&str; 4] = ["reader", "writer", "editor", "admin"];

/// A role's stored name.
pub(crate) fn role_name(role: Role) -> &'static str {
    ROLES[usize::from(rank(role))]
}

/// Story bodies are long; 1 MiB of Markdown is plenty.
const BODY_LIMIT: usize = 1024 * 1024;
/// How often the scheduler looks for stories whose time has come.
const SCHEDULER_TICK: Duration = Duration::from_secs(1);

/// The newsroom's routes; every handler takes a [`RequireRole`].
pub(crate) fn routes() -> Router<SharedState> {
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
            match store.publish_due(clock.now()).await {
                Ok(ids) if !ids.is_empty() => tracing::info!(?ids, "scheduled stories published"),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "scheduled publishing failed; retrying"),
            }
        }
    });
}

/// The 403 page for a staff account asking for what its role does not allow.
pub(crate) fn forbidden(state: &AppState, message: &str) -> Response {
    let mut refusal = problem_page(state, StatusCode::FORBIDDEN, "Not allowed", message);
    refusal
        .headers_mut()
        .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("private, no-store"));
    refusal
}

/// How much a role may do in the newsroom; higher includes lower.
pub(crate) fn rank(role: Role) -> u8 {
    match role {
        Role::Reader => 0,
        Role::Writer => 1,
        Role::Editor => 2,
        Role::Admin => 3,
    }
}

/// The least role a [`RequireRole`] accepts.
pub(crate) trait MinimumRole {
    /// The role itself.
    const ROLE: Role;
}

/// Writers, editors and admins.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AtLeastWriter;
/// Editors and admins.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AtLeastEditor;
/// Admins only.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AdminOnly;

impl MinimumRole for AtLeastWriter {
    const ROLE: Role = Role::Writer;
}
impl MinimumRole for AtLeastEditor {
    const ROLE: Role = Role::Editor;
}
impl MinimumRole for AdminOnly {
    const ROLE: Role = Role::Admin;
}

/// The signed-in staff account, holding at least the role `M`; see the
/// module docs for what everyone else gets.
#[derive(Debug, Clone)]
pub(crate) struct RequireRole<M: MinimumRole>(pub Account, PhantomData<M>);

impl<M: MinimumRole> RequireRole<M> {
    /// The account that passed the check.
    pub fn account(&self) -> &Account {
        &self.0
    }
}

impl<M: MinimumRole + Send + Sync> FromRequestParts<SharedState> for RequireRole<M> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> Result<Self, Self::Rejection> {
        let SignedIn(account) = SignedIn::from_request_parts(parts, state).await?;
        let Some(account) = account else {
            let login = if parts.method == Method::GET {
                let next = parts.uri.path_and_query().map_or_else(|| parts.uri.path(), |p| p.as_str());
                format!("/login?next={}", urlencoding_path(next))
            } else {
                "/login".to_owned()
            };
            return Err((StatusCode::SEE_OTHER, [(LOCATION, login)]).into_response());
        };
        if rank(account.role) < rank(M::ROLE) {
            tracing::warn!(account = account.id, "newsroom page refused to a role without access");
            return Err(forbidden(
                state,
                "This page is for newsroom staff with a role your account does not have. \
                 Ask an administrator if you think it should.",
            ));
        }
        Ok(Self(account, PhantomData))
    }
}

/// `path` made safe to carry in a `next=` query value: `&`, `#`, `+`, `%`
/// and spaces are escaped so the whole path and its query come back intact.
fn urlencoding_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '&' => out.push_str("%26"),
            '#' => out.push_str("%23"),
            '+' => out.push_str("%2B"),
            '%' => out.push_str("%25"),
            ' ' => out.push_str("%20"),
            '=' => out.push_str("%3D"),
            '?' => out.push_str("%3F"),
            c => out.push(c),
        }
    }
    out
}
