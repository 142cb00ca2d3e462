//! The story list and the editor: create, preview, save, schedule,
//! publish, update, unpublish, and choosing the home page's lead.
//!
//! Who may do what: a writer creates stories and edits their own while they
//! are off the site (drafts, unpublished); an editor edits any story,
//! publishes, schedules, unpublishes, marks premium and chooses the lead.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
use masthead_domain::{Credit, Lang, Page, lang};
use masthead_store::{DeskArticle, DeskStatus, DeskStory, StoryContent, StoryFilter, Transition};
use serde::Deserialize;

use super::markdown;
use super::views::{self, Choice, EditorPage, Fields, ListPage, Nav, Preview, Row};
use crate::http::csrf::{self, CsrfForm, NoFields};
use crate::http::error::PageError;
use crate::http::guard::{AtLeastEditor, AtLeastWriter, RequireRole};
use crate::http::respond::see_other;
use crate::http::session::Account;
use crate::http::visitor::Visitor;
use crate::{AppState, SharedState};

/// Stories on a page of the list.
const LIST_PAGE_SIZE: u32 = 30;
/// The longest headline the editor takes.
const HEADLINE_MAX: usize = 300;
/// The most tags a story may carry.
const TAGS_MAX: usize = 20;

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    status: Option<String>,
    section: Option<String>,
    author: Option<String>,
    agency: Option<String>,
    page: Option<u32>,
}

fn non_empty(value: Option<&String>) -> Option<String> {
    value.map(|v| v.trim()).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// `/newsroom`: stories in any state, filtered; a writer sees their own.
#[tracing::instrument(skip_all)]
pub(crate) async fn list(
    State(state): State<SharedState>,
    staff: RequireRole<AtLeastWriter>,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let account = staff.account();
    let own_only = account.role.sees_only_own_stories();
    let filter = StoryFilter {
        status: query.status.as_deref().and_then(DeskStatus::parse),
        section: non_empty(query.section.as_ref()),
        author: non_empty(query.author.as_ref()),
        agency: non_empty(query.agency.as_ref()),
        created_by: own_only.then_some(account.id),
    };
    let page = Page::new(query.page, LIST_PAGE_SIZE);
    let (stories, more) = state.store.desk_stories(&filter, page).await?;
    let agencies = state.store.desk_agencies().await?;
    let link = |number: u32| {
        let mut pairs = vec![("page", number.to_string())];
        for (name, value) in [
            ("status", filter.status.map(|s| s.as_str().to_owned())),
            ("section", filter.section.clone()),
            ("author", filter.author.clone()),
            ("agency", filter.agency.clone()),
        ] {
            if let Some(value) = value {
                pairs.push((name, value));
            }
        }
        format!("/newsroom?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
    };
    let list = ListPage {
        layout: views::layout(&state, "Stories"),
        nav: Nav::new(account),
        rows: stories.iter().map(|s| row(&state, s)).collect(),
        statuses: DeskStatus::ALL.iter().map(|s| choice(s.as_str(), s.as_str(), filter.status == Some(*s))).collect(),
        sections: section_choices(&state, filter.section.as_deref().unwrap_or("")),
        agencies: agencies.iter().map(|a| choice(a, a, filter.agency.as_deref() == Some(a))).collect(),
        author: filter.author.clone().unwrap_or_default(),
        page: page.number(),
        newer: (page.number() > 1).then(|| link(page.number() - 1)),
        older: more.then(|| link(page.number() + 1)),
        own_only,
    };
    Ok(views::page(StatusCode::OK, &list))
}

fn choice(value: &str, label: &str, selected: bool) -> Choice {
    Choice { value: value.to_owned(), label: label.to_owned(), selected }
}

pub(super) fn section_choices(state: &AppState, selected: &str) -> Vec<Choice> {
    state.sections().iter().map(|s| choice(&s.slug, &s.name, s.slug == selected)).collect()
}

/// The editor's languages: "Detect from the text" (empty), then those it
/// offers, then `selected` itself when it is another (a wire story's `de`).
fn language_choices(selected: &str) -> Vec<Choice> {
    let mut choices = vec![choice("", "Detect from the text", selected.is_empty())];
    choices.extend(lang::CHOICES.iter().map(|(tag, name)| choice(tag, name, *tag == selected)));
    if !choices.iter().any(|c| c.selected) {
        choices.push(choice(selected, selected, true));
    }
    choices
}

fn row(state: &AppState, story: &DeskStory) -> Row {
    let when = match story.status {
        DeskStatus::Scheduled => story.scheduled_at.map(|at| format!("due {}", state.zone.format(at))),
        _ => None,
    };
    Row {
        id: story.id,
        headline: story.headline.clone(),
        section: story.section.clone(),
        credit: story.credit.name().to_owned(),
        status: story.status.as_str(),
        when: when.unwrap_or_else(|| state.zone.format(story.updated_at)),
        premium: story.premium,
        live_path: (story.status == DeskStatus::Published).then(|| story.path.clone()),
    }
}

/// Whether `account` may change `story` (the role's rule).
pub(super) fn may_edit(account: &Account, story: &DeskStory) -> bool {
    let in_drafts = matches!(story.status, DeskStatus::Draft | DeskStatus::Unpublished);
    account.role.may_edit(story.created_by == Some(account.id), in_drafts)
}

/// The story, when it exists and `account` may change it.
pub(super) async fn editable(state: &AppState, account: &Account, id: i64) -> Result<DeskArticle, PageError> {
    let article = state.store.desk_article(id).await?.ok_or(PageError::NotFound)?;
    if !may_edit(account, &article.story) {
        return Err(PageError::forbidden(
            "Writers edit their own stories while they are off the site. Ask an editor to change this one.",
        ));
    }
    Ok(article)
}

/// The editor's form as posted.
#[derive(Deserialize, Default)]
pub(crate) struct StoryForm {
    #[serde(default)]
    headline: String,
    #[serde(default)]
    standfirst: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    section: String,
    #[serde(default)]
    byline: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    dateline: String,
    premium: Option<String>,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    publish_at: String,
    /// A language tag, or empty: read it from the text's script.
    #[serde(default)]
    lang: String,
    #[serde(default)]
    action: String,
}

/// What the editor's buttons ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Preview,
    Save,
    Publish,
    Schedule,
}

impl Action {
    fn parse(value: &str) -> Option<Self> {
        match value {
            "preview" => Some(Self::Preview),
            "save" | "" => Some(Self::Save),
            "publish" => Some(Self::Publish),
            "schedule" => Some(Self::Schedule),
            _ => None,
        }
    }
}

impl StoryForm {
    fn fields(&self) -> Fields {
        Fields {
            headline: self.headline.clone(),
            standfirst: self.standfirst.clone(),
            body: self.body.clone(),
            byline: self.byline.clone(),
            agency: self.agency.clone(),
            dateline: self.dateline.clone(),
            premium: self.premium.is_some(),
            tags: self.tags.clone(),
            publish_at: self.publish_at.clone(),
            lang: self.lang.clone(),
        }
    }

    /// The content to store, or what is wrong with the form. `premium` is
    /// what to store when this account may not set the flag.
    fn content(&self, state: &AppState, account: &Account, premium: bool) -> Result<StoryContent, Vec<String>> {
        let mut errors = Vec::new();
        let headline = one_line(&self.headline);
        if headline.is_empty() {
            errors.push("Give the story a headline.".to_owned());
        } else if headline.chars().count() > HEADLINE_MAX {
            errors.push(format!("Keep the headline under {HEADLINE_MAX} characters."));
        }
        if state.section(&self.section).is_none() {
            errors.push("Choose one of the sections.".to_owned());
        }
        let (byline, agency) = (one_line(&self.byline), one_line(&self.agency));
        let credit = match (byline.is_empty(), agency.is_empty()) {
            (_, false) if !byline.is_empty() => {
                errors.push("Credit a byline or an agency, not both.".to_owned());
                Credit::Staff(byline)
            }
            (_, false) => Credit::Wire(agency),
            (false, true) => Credit::Staff(byline),
            (true, true) => {
                errors.push("Credit the story to a writer (byline) or an agency.".to_owned());
                Credit::Staff(String::new())
            }
        };
        let tags = tags(&self.tags);
        if tags.len() > TAGS_MAX {
            errors.push(format!("Use at most {TAGS_MAX} tags."));
        }
        let chosen = match self.lang.trim() {
            "" => None,
            tag => {
                let lang = Lang::parse(tag);
                if lang.is_none() {
                    errors.push("Choose a language from the list.".to_owned());
                }
                lang
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let dateline = one_line(&self.dateline);
        let standfirst = self.standfirst.trim().to_owned();
        let body_html = markdown::render(&self.body).as_str().to_owned();
        Ok(StoryContent {
            lang: chosen.unwrap_or_else(|| Lang::detect(&headline, &standfirst, &body_html)),
            headline,
            standfirst,
            body_html,
            body_markdown: self.body.replace("\r\n", "\n"),
            section: self.section.clone(),
            credit,
            dateline: (!dateline.is_empty()).then_some(dateline),
            premium: if account.role.may_publish() { self.premium.is_some() } else { premium },
            tags,
        })
    }
}

/// Text on one line, its runs of whitespace made single spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Tags as typed (comma-separated): trimmed, lower-cased, without repeats.
fn tags(typed: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for tag in typed.split(',').map(|t| one_line(t).to_lowercase()).filter(|t| !t.is_empty()) {
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    out
}

/// A `datetime-local` value (`2026-11-27T18:30`) in the publisher's zone.
pub(crate) fn schedule_time(state: &AppState, value: &str) -> Option<DateTime<Utc>> {
    let local = NaiveDateTime::parse_from_str(value.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(value.trim(), "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    state.zone.instant(local.date(), local.hour(), local.minute())
}

/// Fields for the editor from stored content.
fn stored_fields(content: &StoryContent) -> Fields {
    Fields {
        headline: content.headline.clone(),
        standfirst: content.standfirst.clone(),
        body: content.body_markdown.clone(),
        byline: content.credit.author().unwrap_or_default().to_owned(),
        agency: content.credit.agency().unwrap_or_default().to_owned(),
        dateline: content.dateline.clone().unwrap_or_default(),
        premium: content.premium,
        tags: content.tags.join(", "),
        publish_at: String::new(),
        lang: content.lang.to_string(),
    }
}

/// Everything an editor page shows besides the fields.
struct EditorContext {
    id: Option<i64>,
    status: DeskStatus,
    section: String,
    errors: Vec<String>,
    notice: Option<String>,
    preview: Option<Preview>,
    story: Option<DeskStory>,
    is_lead: bool,
}

fn editor_page(
    state: &AppState,
    visitor: &Visitor,
    account: &Account,
    fields: Fields,
    context: EditorContext,
    status: StatusCode,
) -> Response {
    let zone = &state.zone;
    let story = context.story.as_ref();
    let languages = language_choices(&fields.lang);
    let page = EditorPage {
        layout: views::layout(state, if context.id.is_some() { "Edit story" } else { "New story" }),
        nav: Nav::new(account),
        csrf: csrf::token(state, visitor),
        id: context.id,
        status: context.status.as_str(),
        fields,
        sections: section_choices(state, &context.section),
        languages,
        errors: context.errors,
        notice: context.notice,
        preview: context.preview,
        live_path: story.filter(|s| s.status == DeskStatus::Published).map(|s| s.path.clone()),
        first_published: story
            .filter(|s| matches!(s.status, DeskStatus::Published | DeskStatus::Unpublished))
            .map(|s| zone.format(s.first_published_at)),
        updated: story.map(|s| zone.format(s.updated_at)),
        scheduled_for: story.and_then(|s| s.scheduled_at).map(|at| zone.format(at)),
        is_lead: context.is_lead,
    };
    visitor.remember(views::page(status, &page))
}

#[derive(Deserialize)]
pub(crate) struct NoticeQuery {
    saved: Option<String>,
}

/// `/newsroom/stories/new`: an empty editor.
#[tracing::instrument(skip_all)]
pub(crate) async fn new_form(
    State(state): State<SharedState>,
    staff: RequireRole<AtLeastWriter>,
    visitor: Visitor,
) -> Response {
    let account = staff.account();
    let context = EditorContext {
        id: None,
        status: DeskStatus::Draft,
        section: state.sections().first().map(|s| s.slug.clone()).unwrap_or_default(),
        errors: Vec::new(),
        notice: None,
        preview: None,
        story: None,
        is_lead: false,
    };
    editor_page(&state, &visitor, account, Fields::default(), context, StatusCode::OK)
}

/// `/newsroom/stories/{id}`: the editor on a stored story.
#[tracing::instrument(skip_all, fields(id))]
pub(crate) async fn edit_form(
    State(state): State<SharedState>,
    staff: RequireRole<AtLeastWriter>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let account = staff.account();
    let article = editable(&state, account, id).await?;
    let is_lead = state.store.home_lead_choice().await? == Some(id);
    let notice = query.saved.as_deref().map(|what| match what {
        "published" => "Published.".to_owned(),
        "scheduled" => "Scheduled.".to_owned(),
        "unpublished" => "Taken off the site.".to_owned(),
        "lead" => "The home page's lead is saved.".to_owned(),
        "restored" => "The revision is restored (as a new revision).".to_owned(),
        _ => "Saved.".to_owned(),
    });
    let context = EditorContext {
        id: Some(id),
        status: article.story.status,
        section: article.content.section.clone(),
        errors: Vec::new(),
        notice,
        preview: None,
        story: Some(article.story),
        is_lead,
    };
    Ok(editor_page(&state, &visitor, account, stored_fields(&article.content), context, StatusCode::OK))
}

/// `POST /newsroom/stories`: a new story (saved, previewed, published or scheduled).
#[tracing::instrument(skip_all)]
pub(crate) async fn create(
    State(state): State<SharedState>,
    staff: RequireRole<AtLeastWriter>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<StoryForm>,
) -> Result<Response, PageError> {
    submit(&state, &visitor, staff.account(), None, form).await
}

/// `POST /newsroom/stories/{id}`: saves, previews, publishes, updates or schedules.
#[tracing::instrument(skip_all, fields(id))]
pub(crate) async fn save(
    State(state): State<SharedState>,
    staff: RequireRole<AtLeastWriter>,
    visitor: Visitor,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StoryForm>,
) -> Result<Response, PageError> {
    let account = staff.account();
    let article = editable(&state, account, id).await?;
    submit(&state, &visitor, account, Some(article), form).await
}

async fn submit(
    state: &AppState,
    visitor: &Visitor,
    account: &Account,
    article: Option<DeskArticle>,
    form: StoryForm,
) -> Result<Response, PageError> {
    let Some(action) = Action::parse(&form.action) else {
        return Err(PageError::forbidden("That is not something the editor does."));
    };
    if matches!(action, Action::Publish | Action::Schedule) && !account.role.may_publish() {
        return Err(PageError::forbidden("Writers save drafts; an editor publishes them."));
    }
    let stored_premium = article.as_ref().is_some_and(|a| a.content.premium);
    let id = article.as_ref().map(|a| a.story.id);
    let status = article.as_ref().map_or(DeskStatus::Draft, |a| a.story.status);
    let back = |errors: Vec<String>, preview: Option<Preview>, status_code| {
        let context = EditorContext {
            id,
            status,
            section: form.section.clone(),
            errors,
            notice: None,
            preview,
            story: article.as_ref().map(|a| a.story.clone()),
            is_lead: false,
        };
        editor_page(state, visitor, account, form.fields(), context, status_code)
    };
    let content = match form.content(state, account, stored_premium) {
        Ok(content) => content,
        Err(errors) => return Ok(back(errors, None, StatusCode::UNPROCESSABLE_ENTITY)),
    };
    let now = state.clock.now();
    let transition = match action {
        Action::Preview => {
            let preview = Preview {
                lang: content.lang.differs_from_site().then(|| content.lang.to_string()),
                byline: content.credit.byline(content.dateline.as_deref()),
                headline: content.headline,
                standfirst: content.standfirst,
                body_html: content.body_html,
            };
            return Ok(back(Vec::new(), Some(preview), StatusCode::OK));
        }
        Action::Save => Transition::Keep,
        Action::Publish if status == DeskStatus::Published => Transition::Keep,
        Action::Publish => Transition::Publish,
        Action::Schedule => match schedule_time(state, &form.publish_at) {
            _ if status == DeskStatus::Published => {
                return Ok(back(
                    vec!["This story is already on the site: unpublish it first.".to_owned()],
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                ));
            }
            Some(at) if at > now => Transition::Schedule(at),
            Some(_) => {
                return Ok(back(
                    vec!["Choose a time in the future (or publish now).".to_owned()],
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                ));
            }
            None => {
                return Ok(back(
                    vec!["Give the date and time to publish at, as 2026-11-27T18:30.".to_owned()],
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                ));
            }
        },
    };
    let saved = match id {
        None => state.store.create_desk_story(&content, account.id, transition, now).await?,
        Some(id) => {
            state
                .store
                .save_desk_story(id, &content, account.id, transition, now, None)
                .await?
                .ok_or(PageError::NotFound)?;
            id
        }
    };
    let word = match transition {
        Transition::Publish => "published",
        Transition::Schedule(_) => "scheduled",
        Transition::Keep => "saved",
    };
    Ok(see_other(&format!("/newsroom/stories/{saved}?saved={word}")))
}

/// `POST /newsroom/stories/{id}/unpublish`: off the site (or off the schedule).
#[tracing::instrument(skip_all, fields(id))]
pub(crate) async fn unpublish(
    State(state): State<SharedState>,
    _staff: RequireRole<AtLeastEditor>,
    Path(id): Path<i64>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    if !state.store.unpublish_desk_story(id, state.clock.now()).await? {
        return Err(PageError::NotFound);
    }
    if state.store.home_lead_choice().await? == Some(id) {
        state.store.set_home_lead(None).await?;
    }
    Ok(see_other(&format!("/newsroom/stories/{id}?saved=unpublished")))
}

#[derive(Deserialize)]
pub(crate) struct LeadForm {
    #[serde(default)]
    lead: String,
}

/// `POST /newsroom/stories/{id}/lead`: this published story leads the home
/// page (`lead=set`), or stops leading it (`lead=clear`).
#[tracing::instrument(skip_all, fields(id))]
pub(crate) async fn lead(
    State(state): State<SharedState>,
    _staff: RequireRole<AtLeastEditor>,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<LeadForm>,
) -> Result<Response, PageError> {
    let story = state.store.desk_article(id).await?.ok_or(PageError::NotFound)?;
    match form.lead.as_str() {
        "set" if story.story.status == DeskStatus::Published => state.store.set_home_lead(Some(id)).await?,
        "set" => return Err(PageError::forbidden("Only a published story can lead the home page.")),
        "clear" => {
            if state.store.home_lead_choice().await? == Some(id) {
                state.store.set_home_lead(None).await?;
            }
        }
        _ => return Err(PageError::forbidden("That is not something the lead form does.")),
    }
    Ok(see_other(&format!("/newsroom/stories/{id}?saved=lead")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_trimmed_lowercased_and_unique() {
        assert_eq!(tags(" RBI, rates ,rbi,, Monetary  policy "), vec!["rbi", "rates", "monetary policy"]);
        assert!(tags(" , ").is_empty());
    }

    #[test]
    fn actions_parse() {
        assert_eq!(Action::parse(""), Some(Action::Save));
        assert_eq!(Action::parse("publish"), Some(Action::Publish));
        assert_eq!(Action::parse("delete"), None);
    }
}
