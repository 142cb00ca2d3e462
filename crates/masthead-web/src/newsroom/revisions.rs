//! Revision history: every save is a numbered revision; any two can be
//! compared line by line, and any one restored (which saves it again as the
//! newest revision, so restoring is itself undoable).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use masthead_store::{Revision, StoryContent, Transition};
use serde::Deserialize;

use super::stories::editable;
use super::views::{self, DiffPage, Nav, RevisionRow, RevisionsPage};
use super::{diff, markdown};
use crate::SharedState;
use crate::http::csrf::{self, CsrfForm, NoFields};
use crate::http::error::PageError;
use crate::http::guard::{AtLeastWriter, RequireRole};
use crate::http::respond::see_other;
use crate::http::visitor::Visitor;

/// `/newsroom/stories/{id}/revisions`: the history, newest first.
#[tracing::instrument(skip_all, fields(id))]
pub(crate) async fn list(
    State(state): State<SharedState>,
    staff: RequireRole<AtLeastWriter>,
    visitor: Visitor,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let account = staff.account();
    let article = editable(&state, account, id).await?;
    let revisions = state.store.revisions(id).await?;
    let page = RevisionsPage {
        layout: views::layout(&state, "Revisions"),
        nav: Nav::new(account),
        csrf: csrf::token(&state, &visitor),
        id,
        headline: article.content.headline,
        revisions: revisions
            .iter()
            .map(|r| RevisionRow {
                number: r.number,
                saved_by: r.saved_by.clone().unwrap_or_else(|| "—".to_owned()),
                saved_at: state.zone.format(r.saved_at),
                action: r.action.clone(),
                headline: r.content.headline.clone(),
            })
            .collect(),
    };
    Ok(visitor.remember(views::page(StatusCode::OK, &page)))
}

#[derive(Deserialize)]
pub(crate) struct AgainstQuery {
    against: Option<i64>,
}

/// A revision as the diff compares it: its fields, then its body.
fn as_text(content: &StoryContent) -> String {
    format!(
        "Headline: {}\nStandfirst: {}\nSection: {}\nLanguage: {}\nBy: {}\nDateline: {}\nPremium: {}\nTags: {}\n\n{}\n",
        content.headline,
        content.standfirst,
        content.section,
        content.lang,
        content.credit.name(),
        content.dateline.as_deref().unwrap_or(""),
        if content.premium { "yes" } else { "no" },
        content.tags.join(", "),
        content.body_markdown
    )
}

/// `/newsroom/stories/{id}/revisions/{n}?against=m`: revision `n` compared
/// with `m` (by default the one before it).
#[tracing::instrument(skip_all, fields(id, number))]
pub(crate) async fn show(
    State(state): State<SharedState>,
    staff: RequireRole<AtLeastWriter>,
    visitor: Visitor,
    Path((id, number)): Path<(i64, i64)>,
    Query(query): Query<AgainstQuery>,
) -> Result<Response, PageError> {
    let account = staff.account();
    editable(&state, account, id).await?;
    let revisions = state.store.revisions(id).await?;
    let find = |n: i64| revisions.iter().find(|r| r.number == n);
    let revision = find(number).ok_or(PageError::NotFound)?;
    let against = match query.against {
        Some(other) => Some(find(other).ok_or(PageError::NotFound)?),
        None => revisions.iter().filter(|r| r.number < number).max_by_key(|r| r.number),
    };
    let older = against.map_or_else(String::new, |r: &Revision| as_text(&r.content));
    let page = DiffPage {
        layout: views::layout(&state, "Revision"),
        nav: Nav::new(account),
        csrf: csrf::token(&state, &visitor),
        id,
        number,
        against: against.map(|r| r.number),
        lines: diff::lines(&older, &as_text(&revision.content)),
    };
    Ok(visitor.remember(views::page(StatusCode::OK, &page)))
}

/// `POST /newsroom/stories/{id}/revisions/{n}/restore`: revision `n`'s
/// content becomes the story's again (a published story is updated on the
/// site), saved as a new revision.
#[tracing::instrument(skip_all, fields(id, number))]
pub(crate) async fn restore(
    State(state): State<SharedState>,
    staff: RequireRole<AtLeastWriter>,
    Path((id, number)): Path<(i64, i64)>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let account = staff.account();
    let article = editable(&state, account, id).await?;
    let revisions = state.store.revisions(id).await?;
    let revision = revisions.into_iter().find(|r| r.number == number).ok_or(PageError::NotFound)?;
    let mut content = revision.content;
    content.body_html = markdown::render(&content.body_markdown).as_str().to_owned();
    if !account.role.may_publish() {
        // Only editors mark premium; a writer's restore keeps the current flag.
        content.premium = article.content.premium;
    }
    if state.section(&content.section).is_none() {
        content.section = article.content.section;
    }
    let action = format!("restored revision {number}");
    state
        .store
        .save_desk_story(id, &content, account.id, Transition::Keep, state.clock.now(), Some(&action))
        .await?
        .ok_or(PageError::NotFound)?;
    Ok(see_other(&format!("/newsroom/stories/{id}?saved=restored")))
}
