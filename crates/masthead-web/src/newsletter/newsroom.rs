//! `/newsroom/newsletters`, for editors: each list with its audience and
//! recent issues, and a form to compose one — subject, a Markdown intro,
//! the stories (ids or addresses, in order; none: the latest of the list's
//! sections) and when to send it (IST; empty: now). The send job sends it
//! when due.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use masthead_domain::Page;
use masthead_store::NewIssue;
use serde::Deserialize;

use super::pages::list_named;
use super::views::{DeskList, DeskPage, IssueLine, cadence_text};
use crate::http::csrf::{self, CsrfForm};
use crate::http::error::PageError;
use crate::http::guard::{AtLeastEditor, RequireRole};
use crate::http::views::{Layout, private_page};
use crate::http::visitor::Visitor;
use crate::newsroom::stories::schedule_time;
use crate::{AppState, SharedState};

/// Issues shown per list.
const RECENT_ISSUES: u32 = 5;
/// Stories an issue carries at most.
const MAX_STORIES: usize = 20;
/// Stories taken when the editor names none.
const LATEST_STORIES: u32 = 8;

async fn render(
    state: &AppState,
    visitor: &Visitor,
    status: StatusCode,
    error: Option<String>,
    done: Option<String>,
) -> Result<Response, PageError> {
    let mut lists = Vec::new();
    for list in state.store.newsletters().await? {
        let issues = state.store.issues(list.id, false, RECENT_ISSUES).await?;
        lists.push(DeskList {
            audience: state.store.newsletter_audience(list.id).await?,
            cadence: cadence_text(state, &list.cadence),
            issues: issues.iter().map(|i| IssueLine::new(state, i)).collect(),
            slug: list.slug,
            name: list.name,
            sections: list.sections,
            subscribers_only: list.subscribers_only,
        });
    }
    let layout = Layout::new(state, "Newsletters · Newsroom".to_owned(), String::new(), None).without_subscribe();
    let page = DeskPage { layout, csrf: csrf::token(state, visitor), lists, error, done };
    Ok(visitor.remember(private_page(status, &page)))
}

#[tracing::instrument(skip_all)]
pub(crate) async fn desk(
    State(state): State<SharedState>,
    visitor: Visitor,
    _editor: RequireRole<AtLeastEditor>,
) -> Result<Response, PageError> {
    render(&state, &visitor, StatusCode::OK, None, None).await
}

#[derive(Deserialize)]
pub(crate) struct ComposeForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    intro: String,
    #[serde(default)]
    stories: String,
    #[serde(default)]
    send_at: String,
}

/// Story ids from what an editor typed: ids, or story addresses (which end
/// in `-ID`), one a line or separated by spaces or commas.
fn story_ids(typed: &str) -> Result<Vec<i64>, String> {
    let mut ids = Vec::new();
    for word in typed.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()) {
        let tail = word.trim_end_matches('/').rsplit(['-', '/']).next().unwrap_or(word);
        let id = tail.parse::<i64>().map_err(|_| format!("{word:?} is not a story id or address"))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

#[tracing::instrument(skip_all, fields(list = %slug))]
pub(crate) async fn compose(
    State(state): State<SharedState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    _editor: RequireRole<AtLeastEditor>,
    CsrfForm(form): CsrfForm<ComposeForm>,
) -> Result<Response, PageError> {
    let list = list_named(&state, &slug).await?;
    let refuse = |message: String| render(&state, &visitor, StatusCode::UNPROCESSABLE_ENTITY, Some(message), None);
    let subject = form.subject.split_whitespace().collect::<Vec<_>>().join(" ");
    if subject.is_empty() || subject.chars().count() > 200 {
        return refuse("An issue needs a subject of at most 200 characters.".to_owned()).await;
    }
    let mut ids = match story_ids(&form.stories) {
        Ok(ids) => ids,
        Err(message) => return refuse(message).await,
    };
    if ids.is_empty() {
        let mut latest = Vec::new();
        let sections: Vec<&str> = list.sections.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
        for section in if sections.is_empty() { vec![None] } else { sections.into_iter().map(Some).collect() } {
            latest.extend(state.store.latest(section, Page::new(None, LATEST_STORIES)).await?.0);
        }
        latest.sort_by_key(|s| std::cmp::Reverse(s.first_published_at));
        ids = latest.iter().take(LATEST_STORIES as usize).map(|s| s.id).collect();
    }
    if ids.len() > MAX_STORIES {
        return refuse(format!("An issue carries at most {MAX_STORIES} stories.")).await;
    }
    let published = state.store.published_articles(&ids).await?;
    if let Some(missing) = ids.iter().find(|id| !published.iter().any(|a| a.summary.id == **id)) {
        return refuse(format!("Story {missing} is not published.")).await;
    }
    if ids.is_empty() {
        return refuse("There are no stories to send.".to_owned()).await;
    }
    let now = state.clock.now();
    let scheduled_at = if form.send_at.trim().is_empty() {
        now
    } else {
        match schedule_time(&state, &form.send_at) {
            Some(at) => at,
            None => return refuse("Give the time to send as YYYY-MM-DDTHH:MM, IST.".to_owned()).await,
        }
    };
    let issue = NewIssue {
        newsletter_id: list.id,
        subject: &subject,
        intro: &form.intro,
        story_ids: &ids,
        scheduled_at,
        slot: None,
    };
    state.store.add_issue(&issue, now).await?;
    let done = format!("{subject:?} is scheduled for {}.", state.zone.format(scheduled_at));
    render(&state, &visitor, StatusCode::OK, None, Some(done)).await
}

#[cfg(test)]
mod tests {
    use super::story_ids;

    #[test]
    fn stories_are_named_by_id_or_address() {
        assert_eq!(story_ids("12\n/markets/rates-hold-34, https://x.example/world/a-b-56/").unwrap(), [12, 34, 56]);
        assert_eq!(story_ids("7 7").unwrap(), [7]);
        assert!(story_ids("/markets/no-id").is_err());
        assert!(story_ids("").unwrap().is_empty());
    }
}
