//! The reader site's handlers: home, sections, stories, archive days, health.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use masthead_domain::{Page, StoryPath};
use serde::Deserialize;

use crate::SharedState;
use crate::account::SignedIn;
use crate::error::PageError;
use crate::reading::{Intent, open_story};
use crate::views::{
    self, ArchiveDayPage, Card, DayLink, Desk, HomePage, Layout, Offer, SectionPage, StoryPage, SubscribePage,
};
use crate::visitor::Visitor;

/// Stories per section page.
const SECTION_PAGE_SIZE: u32 = 20;
/// Stories per section on the home page.
const HOME_DESK_SIZE: u32 = 5;
/// Stories under "More From This Section".
const MORE_FROM_SECTION: u32 = 5;

/// The one stylesheet, compiled into the binary.
pub(crate) const STYLESHEET: &str = include_str!("../assets/site.css");

pub(crate) async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], STYLESHEET)
        .into_response()
}

/// 200 once the database answers.
pub(crate) async fn healthz(State(state): State<SharedState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

pub(crate) async fn not_found() -> Response {
    views::not_found_page()
}

#[tracing::instrument(skip_all)]
pub(crate) async fn home(State(state): State<SharedState>) -> Result<Response, PageError> {
    let zone = &state.zone;
    let (lead, _) = state.store.latest(None, Page::new(None, 1)).await?;
    let mut desks = Vec::with_capacity(state.sections.len());
    for section in &state.sections {
        let (stories, _) = state.store.latest(Some(&section.slug), Page::new(None, HOME_DESK_SIZE)).await?;
        let cards = stories
            .iter()
            .filter(|story| lead.first().is_none_or(|lead| lead.id != story.id))
            .map(|story| Card::new(story, zone))
            .collect();
        desks.push(Desk { section, cards });
    }
    let page = HomePage {
        layout: Layout::new(&state, String::new(), format!("The latest news from {}", state.publisher_name), None),
        lead: lead.first().map(|story| Card::new(story, zone)),
        desks,
    };
    Ok(views::render(&page))
}

#[derive(Deserialize)]
pub(crate) struct PageQuery {
    page: Option<String>,
}

#[tracing::instrument(skip_all, fields(section = %slug))]
pub(crate) async fn section(
    State(state): State<SharedState>,
    Path(slug): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Response, PageError> {
    let section = state.section(&slug).ok_or(PageError::NotFound)?;
    let number = match query.page.as_deref() {
        None => 1,
        Some(raw) => raw.parse::<u32>().ok().filter(|n| *n >= 1).ok_or(PageError::NotFound)?,
    };
    let page = Page::new(Some(number), SECTION_PAGE_SIZE);
    let (stories, more) = state.store.latest(Some(&section.slug), page).await?;
    if stories.is_empty() && number > 1 {
        return Err(PageError::NotFound);
    }
    let page_url = |n: u32| {
        if n == 1 { format!("/{}", section.slug) } else { format!("/{}?page={n}", section.slug) }
    };
    let title = if number > 1 { format!("{} (page {number})", section.name) } else { section.name.clone() };
    let view = SectionPage {
        layout: Layout::new(&state, title, format!("Latest {} news", section.name), Some(&section.slug)),
        section,
        cards: Card::many(&stories, &state.zone),
        page: number,
        newer: (number > 1).then(|| page_url(number - 1)),
        older: more.then(|| page_url(number + 1)),
    };
    Ok(views::render(&view))
}

#[tracing::instrument(skip_all, fields(path = %story))]
pub(crate) async fn story(
    State(state): State<SharedState>,
    visitor: Visitor,
    signed_in: SignedIn,
    Path((section_slug, story)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let path = StoryPath::parse(&story).ok_or(PageError::NotFound)?;
    let article = state.store.published_article(path.id).await?.ok_or(PageError::NotFound)?;
    let summary = &article.summary;
    if summary.section != section_slug || summary.slug.as_str() != path.slug {
        // 301: the classic permanent redirect every crawler and client follows.
        return Ok((StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, summary.path())]).into_response());
    }
    let section = state.section(&summary.section).ok_or(PageError::NotFound)?;
    let access = open_story(&state, &visitor, &signed_in, summary, Intent::Read).await?.access;
    let (others, _) = state.store.latest(Some(&section.slug), Page::new(None, MORE_FROM_SECTION + 1)).await?;
    let more = others
        .iter()
        .filter(|other| other.id != summary.id)
        .take(MORE_FROM_SECTION as usize)
        .map(|other| Card::new(other, &state.zone))
        .collect();
    let page = views::render(&StoryPage::new(&state, section, article, access, more));
    // The page depends on who asks: no shared cache may keep it.
    let mut page = visitor.remember(page);
    page.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("private, no-store"));
    Ok(page)
}

#[derive(Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

/// `/subscribe?next=PATH`: the plans, and a way back to the story after logging in.
pub(crate) async fn subscribe(State(state): State<SharedState>, Query(query): Query<NextQuery>) -> Response {
    let login_url = match crate::account::safe_next(query.next.as_deref()) {
        Some(next) => format!("/login?next={next}"),
        None => "/login".to_owned(),
    };
    let page = SubscribePage {
        layout: Layout::new(
            &state,
            "Subscribe".to_owned(),
            format!("Subscription plans for {}", state.publisher_name),
            None,
        ),
        offer: Offer::new(&state.plans),
        login_url,
    };
    views::render(&page)
}

#[tracing::instrument(skip_all)]
pub(crate) async fn archive_day(
    State(state): State<SharedState>,
    Path((year, month, day)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let date = parse_day(&year, &month, &day).ok_or(PageError::NotFound)?;
    let zone = &state.zone;
    let (start, end) = zone.day_bounds(date);
    let stories = state.store.published_between(start, end).await?;
    let desks = state
        .sections
        .iter()
        .map(|section| Desk {
            section,
            cards: stories
                .iter()
                .filter(|story| story.section == section.slug)
                .map(|story| Card::new(story, zone))
                .collect(),
        })
        .filter(|desk| !desk.cards.is_empty())
        .collect();
    let day_link = |at| {
        let day = zone.date(at);
        DayLink { url: day_url(day), label: day.format("%-d %B %Y").to_string() }
    };
    let previous = state.store.nearest_published(start, false).await?.map(day_link);
    let next = state.store.nearest_published(end, true).await?.map(day_link);
    let heading = format!("Archive: {}", date.format("%A, %-d %B %Y"));
    let page = ArchiveDayPage {
        layout: Layout::new(
            &state,
            heading.clone(),
            format!("Stories published on {}", date.format("%-d %B %Y")),
            None,
        ),
        heading,
        desks,
        previous,
        next,
    };
    Ok(views::render(&page))
}

/// `/archive/2017/04/13`: a four-digit year and two-digit month and day.
fn parse_day(year: &str, month: &str, day: &str) -> Option<NaiveDate> {
    let digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(year, 4) && digits(month, 2) && digits(day, 2)) {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

fn day_url(day: NaiveDate) -> String {
    day.format("/archive/%Y/%m/%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_days_need_zero_padded_real_dates() {
        assert_eq!(parse_day("2017", "04", "13"), NaiveDate::from_ymd_opt(2017, 4, 13));
        for (y, m, d) in [("2017", "4", "13"), ("2017", "02", "30"), ("17", "04", "13"), ("2017", "04", "1x")] {
            assert_eq!(parse_day(y, m, d), None, "{y}/{m}/{d}");
        }
        assert_eq!(day_url(NaiveDate::from_ymd_opt(1998, 1, 2).unwrap()), "/archive/1998/01/02");
    }
}
