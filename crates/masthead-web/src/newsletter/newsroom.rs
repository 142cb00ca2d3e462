//! `/newsroom/newsletters`, for editors: each list with its audience and
//! recent issues, and a compose page per list
//! (`/newsroom/newsletters/{slug}/compose`) whose one form carries the
//! draft — subject, a Markdown intro, the stories (ids or addresses, in
//! order; none: the latest of the list's sections) and when to send it
//! (IST; empty: now) — to each of its buttons:
//!
//! - **Search** looks for stories in the archive (the site's search, with
//!   staff's reach: every story's whole text) and **Add** puts one in the
//!   draft; both only show the page again;
//! - **Preview** answers the HTML part or the text part of the message
//!   exactly as a test copy carries it, rendered by the send job's own code
//!   (`masthead_newsletter::digest::personal`);
//! - **Send a test to me** mails that copy, marked in its subject, to the
//!   signed-in editor's own address through the site's mailer, a few times
//!   per window (`RateLimits::newsletter_tests_per_editor`);
//! - **Schedule** stores the issue; the send job sends it when due.
//!
//! Every button checks the draft the same way (`Composer::check`); only Schedule
//! stores anything.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use masthead_domain::Page;
use masthead_domain::email::Email;
use masthead_newsletter::{digest, send};
use masthead_search::{Reach, SearchRequest, Sort, Terms};
use masthead_store::{IssueRecord, NewIssue, NewsletterRecord};

use super::membership::links;
use super::pages::list_named;
use super::views::{ComposePage, DeskList, DeskPage, Draft, IssueLine, StoryPick, cadence_text};
use crate::http::csrf::{self, CsrfForm};
use crate::http::error::PageError;
use crate::http::guard::{AtLeastEditor, RequireRole};
use crate::http::views::{Layout, private_page};
use crate::http::visitor::Visitor;
use crate::newsroom::stories::schedule_time;
use crate::{AppState, SearchFailure, SharedState};

/// Issues shown per list.
const RECENT_ISSUES: u32 = 5;
/// Stories an issue carries at most.
const MAX_STORIES: usize = 20;
/// Stories taken when the editor names none.
const LATEST_STORIES: u32 = 8;
/// The longest subject.
const MAX_SUBJECT: usize = 200;
/// The longest intro, in characters.
const MAX_INTRO: usize = 20_000;
/// The preview's own policy: the message's inlined styles and its pictures
/// may show, nothing may run, and the page is a sandbox of its own.
const PREVIEW_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; sandbox";

#[tracing::instrument(skip_all)]
pub(crate) async fn desk(
    State(state): State<SharedState>,
    visitor: Visitor,
    _editor: RequireRole<AtLeastEditor>,
) -> Result<Response, PageError> {
    desk_page(&state, &visitor, None).await
}

/// The desk, with what was just done.
async fn desk_page(state: &AppState, visitor: &Visitor, done: Option<String>) -> Result<Response, PageError> {
    let mut lists = Vec::new();
    for list in state.store.newsletters().await? {
        let issues = state.store.issues(list.id, false, RECENT_ISSUES).await?;
        lists.push(DeskList {
            audience: state.store.newsletter_audience(list.id).await?,
            cadence: cadence_text(state, &list.cadence),
            issues: issues.iter().map(|i| IssueLine::new(state, i)).collect(),
            slug: list.slug,
            name: list.name,
            sections: list.sections.replace(',', ", "),
            subscribers_only: list.subscribers_only,
        });
    }
    let layout = Layout::new(state, "Newsletters · Newsroom".to_owned(), String::new(), None).without_subscribe();
    Ok(visitor.remember(private_page(StatusCode::OK, &DeskPage { layout, lists, done })))
}

/// What the compose page shows besides the draft.
#[derive(Default)]
struct Shown {
    results: Option<Vec<StoryPick>>,
    error: Option<String>,
    done: Option<String>,
}

/// What a handler answers with: one list's compose page.
struct Composer<'a> {
    state: &'a AppState,
    visitor: &'a Visitor,
    list: NewsletterRecord,
}

impl<'a> Composer<'a> {
    /// The compose page of the list `slug` names, or 404.
    async fn of(state: &'a AppState, visitor: &'a Visitor, slug: &str) -> Result<Self, PageError> {
        Ok(Self { state, visitor, list: list_named(state, slug).await? })
    }

    /// The page with `draft` written back and `shown`.
    async fn page(&self, status: StatusCode, draft: Draft, shown: Shown) -> Result<Response, PageError> {
        let Self { state, visitor, list } = self;
        let ids = story_ids(&draft.stories).unwrap_or_default();
        let published = state.store.published_articles(&ids).await?;
        let chosen = ids
            .iter()
            .filter_map(|id| published.iter().find(|a| a.summary.id == *id))
            .map(|article| pick(state, &article.summary))
            .collect();
        let layout =
            Layout::new(state, format!("Compose {} · Newsroom", list.name), String::new(), None).without_subscribe();
        let page = ComposePage {
            layout,
            csrf: csrf::token(state, visitor),
            slug: list.slug.clone(),
            name: list.name.clone(),
            sections: list.sections.replace(',', ", "),
            draft,
            chosen,
            results: shown.results,
            error: shown.error,
            done: shown.done,
        };
        Ok(visitor.remember(private_page(status, &page)))
    }

    /// The page again with `draft` and why it was not taken.
    async fn refuse(&self, status: StatusCode, draft: Draft, message: String) -> Result<Response, PageError> {
        self.page(status, draft, Shown { error: Some(message), ..Shown::default() }).await
    }
}

/// A story of the draft as the compose page lists it.
fn pick(state: &AppState, story: &masthead_domain::ArticleSummary) -> StoryPick {
    StoryPick {
        id: story.id,
        headline: story.headline.clone(),
        section: section_name(state, &story.section),
        published: state.zone.format(story.first_published_at),
        premium: story.premium,
        picked: true,
    }
}

/// A section's name, or its slug when it is gone.
fn section_name(state: &AppState, slug: &str) -> String {
    state.section(slug).map_or_else(|| slug.to_owned(), |s| s.name)
}

/// `GET /newsroom/newsletters/{slug}/compose`: an empty draft.
#[tracing::instrument(skip_all, fields(list = %slug))]
pub(crate) async fn compose_form(
    State(state): State<SharedState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    _editor: RequireRole<AtLeastEditor>,
) -> Result<Response, PageError> {
    Composer::of(&state, &visitor, &slug).await?.page(StatusCode::OK, Draft::default(), Shown::default()).await
}

/// `POST /newsroom/newsletters/{slug}/compose`: adds the story asked for
/// and searches the archive; stores nothing.
#[tracing::instrument(skip_all, fields(list = %slug))]
pub(crate) async fn compose(
    State(state): State<SharedState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    _editor: RequireRole<AtLeastEditor>,
    CsrfForm(mut draft): CsrfForm<Draft>,
) -> Result<Response, PageError> {
    let composer = Composer::of(&state, &visitor, &slug).await?;
    let bad = StatusCode::UNPROCESSABLE_ENTITY;
    if !draft.add.is_empty() {
        let Ok(id) = draft.add.trim().parse::<i64>() else {
            let message = format!("{:?} is not a story id.", draft.add);
            return composer.refuse(bad, draft, message).await;
        };
        let mut ids = match story_ids(&draft.stories) {
            Ok(ids) => ids,
            Err(message) => return composer.refuse(bad, draft, message).await,
        };
        if !ids.contains(&id) {
            ids.push(id);
        }
        draft.stories = ids.iter().map(i64::to_string).collect::<Vec<_>>().join("\n");
        draft.add.clear();
    }
    let mut shown = Shown::default();
    if !draft.q.trim().is_empty() {
        let terms = match Terms::parse(&draft.q) {
            Ok(terms) => terms,
            Err(error) => return composer.refuse(bad, draft, error.to_string()).await,
        };
        // Staff read every story whole: the search reaches all of it, newest first.
        let request = SearchRequest { reach: Reach::everything(), sort: Sort::Newest, ..SearchRequest::new(terms) };
        let page = match state.search_archive(request).await {
            Ok(page) => page,
            Err(SearchFailure::BadQuery(error)) => return composer.refuse(bad, draft, error.to_string()).await,
            Err(SearchFailure::Internal) => return Err(PageError::internal("the desk's story search failed")),
        };
        let picked = story_ids(&draft.stories).unwrap_or_default();
        let found = page
            .hits
            .iter()
            .map(|hit| StoryPick {
                id: hit.id,
                headline: hit.headline.clone(),
                section: section_name(&state, &hit.section),
                published: state.zone.format(hit.first_published_at),
                premium: hit.premium,
                picked: picked.contains(&hit.id),
            })
            .collect();
        shown.results = Some(found);
    }
    composer.page(StatusCode::OK, draft, shown).await
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

/// A draft that may be previewed, tested or stored.
struct Checked {
    subject: String,
    ids: Vec<i64>,
}

impl Composer<'_> {
    /// Checks `draft`: a subject, an intro of reasonable length, and
    /// published stories (the latest of the list's sections when none are
    /// named). The reason, when it cannot be sent.
    async fn check(&self, draft: &Draft) -> Result<Result<Checked, String>, PageError> {
        let subject = draft.subject.split_whitespace().collect::<Vec<_>>().join(" ");
        if subject.is_empty() || subject.chars().count() > MAX_SUBJECT {
            return Ok(Err(format!("An issue needs a subject of at most {MAX_SUBJECT} characters.")));
        }
        if draft.intro.chars().count() > MAX_INTRO {
            return Ok(Err(format!("The intro is too long: keep it under {MAX_INTRO} characters.")));
        }
        let mut ids = match story_ids(&draft.stories) {
            Ok(ids) => ids,
            Err(message) => return Ok(Err(message)),
        };
        let store = &self.state.store;
        if ids.is_empty() {
            let mut latest = Vec::new();
            let sections: Vec<&str> = self.list.sections.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
            for section in if sections.is_empty() { vec![None] } else { sections.into_iter().map(Some).collect() } {
                latest.extend(store.latest(section, Page::new(None, LATEST_STORIES)).await?.0);
            }
            latest.sort_by_key(|s| std::cmp::Reverse(s.first_published_at));
            ids = latest.iter().take(LATEST_STORIES as usize).map(|s| s.id).collect();
        }
        if ids.len() > MAX_STORIES {
            return Ok(Err(format!("An issue carries at most {MAX_STORIES} stories.")));
        }
        let published = store.published_articles(&ids).await?;
        if let Some(missing) = ids.iter().find(|id| !published.iter().any(|a| a.summary.id == **id)) {
            return Ok(Err(format!("Story {missing} is not published.")));
        }
        if ids.is_empty() {
            return Ok(Err("There are no stories to send.".to_owned()));
        }
        Ok(Ok(Checked { subject, ids }))
    }

    /// A checked draft rendered by the send job's code.
    async fn render(&self, draft: &Draft, checked: Checked) -> Result<digest::Personal, PageError> {
        let state = self.state;
        let issue = IssueRecord {
            id: 0,
            newsletter_id: self.list.id,
            subject: checked.subject,
            intro: draft.intro.clone(),
            story_ids: checked.ids,
            scheduled_at: state.clock.now(),
            sent_at: None,
        };
        let rendered = digest::personal(&state.store, &state.publisher_name, &self.list, &issue, &links(state)).await;
        rendered.map_err(|error| match error {
            masthead_newsletter::Error::Store(error) => error.into(),
            other => PageError::internal(other),
        })
    }
}

/// `POST /newsroom/newsletters/{slug}/preview`: the HTML part (`part=html`)
/// or the text part (`part=text`) of the draft's test copy, as the message
/// carries it.
#[tracing::instrument(skip_all, fields(list = %slug))]
pub(crate) async fn preview(
    State(state): State<SharedState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    _editor: RequireRole<AtLeastEditor>,
    CsrfForm(draft): CsrfForm<Draft>,
) -> Result<Response, PageError> {
    let composer = Composer::of(&state, &visitor, &slug).await?;
    let bad = StatusCode::UNPROCESSABLE_ENTITY;
    if !matches!(draft.part.as_str(), "html" | "text") {
        return composer.refuse(bad, draft, "Preview the HTML part or the text part.".to_owned()).await;
    }
    let checked = match composer.check(&draft).await? {
        Ok(checked) => checked,
        Err(message) => return composer.refuse(bad, draft, message).await,
    };
    let copy = composer.render(&draft, checked).await?.test_copy(&links(&state));
    let response = if draft.part == "html" {
        (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CONTENT_SECURITY_POLICY, PREVIEW_POLICY)],
            copy.html,
        )
            .into_response()
    } else {
        ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], copy.text).into_response()
    };
    Ok(visitor.remember(response))
}

/// `POST /newsroom/newsletters/{slug}/test`: mails the draft's test copy to
/// the signed-in editor, and shows the draft again.
#[tracing::instrument(skip_all, fields(list = %slug))]
pub(crate) async fn send_test(
    State(state): State<SharedState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    editor: RequireRole<AtLeastEditor>,
    CsrfForm(draft): CsrfForm<Draft>,
) -> Result<Response, PageError> {
    let composer = Composer::of(&state, &visitor, &slug).await?;
    let checked = match composer.check(&draft).await? {
        Ok(checked) => checked,
        Err(message) => return composer.refuse(StatusCode::UNPROCESSABLE_ENTITY, draft, message).await,
    };
    let account = editor.account();
    if !state.limiters.newsletter_test(&state.store, account.id, state.clock.now()).await? {
        let message = "You have sent yourself several tests lately: wait a few minutes before the next.".to_owned();
        return composer.refuse(StatusCode::TOO_MANY_REQUESTS, draft, message).await;
    }
    let to = Email::parse(&account.email).map_err(PageError::internal)?;
    let personal = composer.render(&draft, checked).await?;
    if let Err(error) = send::send_test(&state.mailer, &personal, &links(&state), &to).await {
        tracing::error!(%error, "a newsletter test copy could not be sent");
        let message = "The test could not be sent: the mail server did not take it. Try again later.".to_owned();
        return composer.refuse(StatusCode::BAD_GATEWAY, draft, message).await;
    }
    let done = Shown { done: Some(format!("A test copy is on its way to {}.", to.as_str())), ..Shown::default() };
    composer.page(StatusCode::OK, draft, done).await
}

/// `POST /newsroom/newsletters/{slug}/issues`: stores the issue, to be sent
/// at its time (or at once), and shows the desk.
#[tracing::instrument(skip_all, fields(list = %slug))]
pub(crate) async fn schedule(
    State(state): State<SharedState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    _editor: RequireRole<AtLeastEditor>,
    CsrfForm(draft): CsrfForm<Draft>,
) -> Result<Response, PageError> {
    let composer = Composer::of(&state, &visitor, &slug).await?;
    let bad = StatusCode::UNPROCESSABLE_ENTITY;
    let checked = match composer.check(&draft).await? {
        Ok(checked) => checked,
        Err(message) => return composer.refuse(bad, draft, message).await,
    };
    let now = state.clock.now();
    let scheduled_at = if draft.send_at.trim().is_empty() {
        now
    } else {
        match schedule_time(&state, &draft.send_at) {
            Some(at) => at,
            None => {
                let message = "Give the time to send as YYYY-MM-DDTHH:MM, IST.".to_owned();
                return composer.refuse(bad, draft, message).await;
            }
        }
    };
    let issue = NewIssue {
        newsletter_id: composer.list.id,
        subject: &checked.subject,
        intro: &draft.intro,
        story_ids: &checked.ids,
        scheduled_at,
        slot: None,
    };
    state.store.add_issue(&issue, now).await?;
    let done = format!("{:?} is scheduled for {}.", checked.subject, state.zone.format(scheduled_at));
    desk_page(&state, &visitor, Some(done)).await
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
