//! The newsroom's guard, [`RequireRole<M>`]: an extractor that lets a
//! request through only when the signed-in account's role includes the one
//! `M` names — [`AtLeastWriter`], [`AtLeastEditor`] or [`AdminOnly`] — for
//! example `RequireRole<AdminOnly>` on an admin page. Anonymous visitors are
//! sent to `/login?next=PATH` (a GET comes back afterwards); a signed-in
//! account without the role (a reader, or a writer on an editor's page) gets
//! a 403 page. What each role may do is `masthead_domain::role`'s rule.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use masthead_domain::Role;

use super::error::PageError;
use super::session::{Account, SignedIn, log_in_first};
use crate::SharedState;

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
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> Result<Self, Self::Rejection> {
        let SignedIn(account) = SignedIn::from_request_parts(parts, state).await?;
        let Some(account) = account else {
            return Err(log_in_first(parts));
        };
        if !account.role.includes(M::ROLE) {
            tracing::warn!(account = account.id, "newsroom page refused to a role without access");
            return Err(PageError::forbidden(
                "This page is for newsroom staff with a role your account does not have. \
                 Ask an administrator if you think it should.",
            ));
        }
        Ok(Self(account, PhantomData))
    }
}
