//! The reader site's handlers: home, sections, stories, archive days, health.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use masthead_domain::access::Access;
use masthead_domain::{Page, StoryPath};
use serde::Deserialize;

use crate::SharedState;
use crate::account::SignedIn;
use crate::content_cache::PageKey;
use crate::error::PageError;
use crate::reading::{Intent, open_story};
use crate::views::{
    self, AdSlot, ArchiveDayPage, ArchiveLink, ArchiveListPage, Card, DayLink, Desk, HomePage, Layout, Paywall,
    SectionPage, Skeleton, StoryPage, StorySite,
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
    let content = state.content.current(&state.store).await?;
    if let Some(page) = content.page(&PageKey::Home) {
        return Ok(page.fill(&[]));
    }
    let latest = content.latest(None, Page::new(None, 1)).await?;
    // An editor's chosen lead (while it is published), else the newest story.
    let chosen = content.chosen_lead().await?;
    let lead = chosen.as_deref().or(latest.stories.first());
    let mut listings = Vec::with_capacity(state.sections.len());
    for section in &state.sections {
        listings.push((section, content.latest(Some(&section.slug), Page::new(None, HOME_DESK_SIZE)).await?));
    }
    let lead_id = lead.map(|story| story.id);
    let desks = listings
        .iter()
        .map(|(section, listing)| Desk { section, cards: listing.cards_except(lead_id).collect() })
        .collect();
    let page = HomePage {
        layout: Layout::new(&state, String::new(), format!("The latest news from {}", state.publisher_name), None),
        lead: lead.map(|story| Card::new(story, zone)),
        desks,
    };
    // The same for everyone: kept whole until the content changes.
    Ok(views::skeleton(Skeleton::render(&page, 0), |page| content.keep_page(PageKey::Home, page).fill(&[])))
}

#[derive(Deserialize)]
pub(crate) struct PageQuery {
    page: Option<String>,
}

#[tracing::instrument(skip_all, fields(section = %slug))]
pub(crate) async fn section(
    State(state): State<SharedState>,
    signed_in: SignedIn,
    Path(slug): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Response, PageError> {
    let section = state.section(&slug).ok_or(PageError::NotFound)?;
    let number = match query.page.as_deref() {
        None => 1,
        Some(raw) => raw.parse::<u32>().ok().filter(|n| *n >= 1).ok_or(PageError::NotFound)?,
    };
    let ad_free = crate::billing::ads::ad_free(&state, &signed_in).await?;
    let ad = crate::billing::ads::slot(&state, "section", ad_free).await?;
    let fill = |skeleton: &Skeleton| match (AdSlot { ad: ad.as_ref() }).render() {
        // A signed-in reader's page depends on their benefits (the ad slot).
        Ok(ad) if signed_in.0.is_some() => crate::private(skeleton.fill(&[&ad])),
        Ok(ad) => skeleton.fill(&[&ad]),
        Err(error) => views::template_failed(error),
    };
    let content = state.content.current(&state.store).await?;
    let key = PageKey::Section { slug: slug.clone(), number };
    if let Some(page) = content.page(&key) {
        return Ok(fill(&page));
    }
    let page = Page::new(Some(number), SECTION_PAGE_SIZE);
    let listing = content.latest(Some(&section.slug), page).await?;
    if listing.stories.is_empty() && number > 1 {
        return Err(PageError::NotFound);
    }
    let page_url = |n: u32| {
        if n == 1 { format!("/{}", section.slug) } else { format!("/{}?page={n}", section.slug) }
    };
    let title = if number > 1 { format!("{} (page {number})", section.name) } else { section.name.clone() };
    let view = SectionPage {
        layout: Layout::new(&state, title, format!("Latest {} news", section.name), Some(&section.slug)),
        section,
        cards: listing.cards.iter().collect(),
        page: number,
        newer: (number > 1).then(|| page_url(number - 1)),
        older: listing.more.then(|| page_url(number + 1)),
        ad_hole: views::hole(0),
    };
    Ok(views::skeleton(Skeleton::render(&view, 1), |page| fill(&content.keep_page(key, page))))
}

#[tracing::instrument(skip_all, fields(path = %story))]
pub(crate) async fn story(
    State(state): State<SharedState>,
    visitor: Visitor,
    signed_in: SignedIn,
    Path((section_slug, story)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let path = StoryPath::parse(&story).ok_or(PageError::NotFound)?;
    let content = state.content.current(&state.store).await?;
    let story = content.story(path.id).await?.ok_or(PageError::NotFound)?;
    let article = &story.article;
    let summary = &article.summary;
    if summary.section != section_slug || summary.slug.as_str() != path.slug {
        // 301: the classic permanent redirect every crawler and client follows.
        return Ok((StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, summary.path())]).into_response());
    }
    let section = state.section(&summary.section).ok_or(PageError::NotFound)?;
    let opened = open_story(&state, &visitor, &signed_in, summary, Intent::Page).await?;
    let access = opened.access;
    let key = PageKey::Story { id: summary.id, readable: access.is_readable() };
    let skeleton = match content.page(&key) {
        Some(kept) => kept,
        None => {
            let others = content.latest(Some(&section.slug), Page::new(None, MORE_FROM_SECTION + 1)).await?;
            let more = others.cards_except(Some(summary.id)).take(MORE_FROM_SECTION as usize).collect();
            let site = StorySite::of(&state);
            match StoryPage::skeleton(&site, section, article, &story.free_part, access.is_readable(), more) {
                Ok(page) => content.keep_page(key, page),
                Err(error) => return Ok(views::template_failed(error)),
            }
        }
    };
    let paywall = match access {
        Access::Blocked { reason } => Some(Paywall::new(&state, reason, &summary.path())),
        _ => None,
    };
    let ad = crate::billing::ads::slot(&state, "story", opened.ad_free).await?;
    let page = StoryPage::page(&skeleton, access, paywall, ad.as_ref());
    Ok(crate::private(visitor.remember(page)))
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
    let cards = Card::many(&stories, zone);
    let desks = state
        .sections
        .iter()
        .map(|section| Desk {
            section,
            cards: stories
                .iter()
                .zip(&cards)
                .filter(|(story, _)| story.section == section.slug)
                .map(|(_, card)| card)
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

/// `/archive`: every year from the first story's to the latest's.
#[tracing::instrument(skip_all)]
pub(crate) async fn archive_years(State(state): State<SharedState>) -> Result<Response, PageError> {
    let zone = &state.zone;
    let links = match state.store.published_span().await? {
        None => Vec::new(),
        Some((first, last)) => (zone.date(first).year()..=zone.date(last).year())
            .rev()
            .map(|year| ArchiveLink { url: format!("/archive/{year}"), label: year.to_string(), count: 0 })
            .collect(),
    };
    let view = ArchiveListPage {
        layout: Layout::new(
            &state,
            "Archive".to_owned(),
            format!("Every story {} has published", state.publisher_name),
            None,
        ),
        heading: "The archive".to_owned(),
        links,
        up: None,
        previous: None,
        next: None,
    };
    Ok(views::render(&view).into_response())
}

/// `/archive/2017`: the year's months that have stories, with counts.
#[tracing::instrument(skip_all)]
pub(crate) async fn archive_year(
    State(state): State<SharedState>,
    Path(year): Path<String>,
) -> Result<Response, PageError> {
    let year: i32 = parse_digits(&year, 4).ok_or(PageError::NotFound)?;
    let first = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(PageError::NotFound)?;
    let next_year = NaiveDate::from_ymd_opt(year + 1, 1, 1).ok_or(PageError::NotFound)?;
    let zone = &state.zone;
    let times = state.store.published_times(zone.day_bounds(first).0, zone.day_bounds(next_year).0).await?;
    let mut counts = [0usize; 12];
    for at in times {
        counts[zone.date(at).month0() as usize] += 1;
    }
    let links = (1..=12u32)
        .filter(|m| counts[*m as usize - 1] > 0)
        .filter_map(|m| {
            let month = NaiveDate::from_ymd_opt(year, m, 1)?;
            Some(ArchiveLink {
                url: month.format("/archive/%Y/%m").to_string(),
                label: month.format("%B %Y").to_string(),
                count: counts[m as usize - 1],
            })
        })
        .collect();
    let year_link = |y: i32| DayLink { url: format!("/archive/{y}"), label: y.to_string() };
    let span = state.store.published_span().await?;
    let view = ArchiveListPage {
        layout: Layout::new(&state, format!("Archive: {year}"), format!("Stories published in {year}"), None),
        heading: format!("Archive: {year}"),
        links,
        up: Some(DayLink { url: "/archive".to_owned(), label: "All years".to_owned() }),
        previous: span.filter(|(first, _)| zone.date(*first).year() < year).map(|_| year_link(year - 1)),
        next: span.filter(|(_, last)| zone.date(*last).year() > year).map(|_| year_link(year + 1)),
    };
    Ok(views::render(&view).into_response())
}

/// `/archive/2017/04`: the month's days that have stories, with counts.
#[tracing::instrument(skip_all)]
pub(crate) async fn archive_month(
    State(state): State<SharedState>,
    Path((year, month)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let year: i32 = parse_digits(&year, 4).ok_or(PageError::NotFound)?;
    let month: u32 = parse_digits(&month, 2).ok_or(PageError::NotFound)?;
    let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or(PageError::NotFound)?;
    let following = first.checked_add_months(chrono::Months::new(1)).ok_or(PageError::NotFound)?;
    let preceding = first.checked_sub_months(chrono::Months::new(1)).ok_or(PageError::NotFound)?;
    let zone = &state.zone;
    let times = state.store.published_times(zone.day_bounds(first).0, zone.day_bounds(following).0).await?;
    let mut links: Vec<ArchiveLink> = Vec::new();
    for at in times {
        let day = zone.date(at);
        match links.last_mut() {
            Some(link) if link.url == day_url(day) => link.count += 1,
            _ => links.push(ArchiveLink { url: day_url(day), label: day.format("%A %-d %B").to_string(), count: 1 }),
        }
    }
    let month_link =
        |d: NaiveDate| DayLink { url: d.format("/archive/%Y/%m").to_string(), label: d.format("%B %Y").to_string() };
    let heading = format!("Archive: {}", first.format("%B %Y"));
    let view = ArchiveListPage {
        layout: Layout::new(&state, heading.clone(), format!("Stories published in {}", first.format("%B %Y")), None),
        heading,
        links,
        up: Some(DayLink { url: format!("/archive/{year}"), label: year.to_string() }),
        previous: state.store.nearest_published(zone.day_bounds(first).0, false).await?.map(|_| month_link(preceding)),
        next: state.store.nearest_published(zone.day_bounds(following).0, true).await?.map(|_| month_link(following)),
    };
    Ok(views::render(&view).into_response())
}

/// A path segment of exactly `len` digits, as a number.
fn parse_digits<T: std::str::FromStr>(segment: &str, len: usize) -> Option<T> {
    (segment.len() == len && segment.bytes().all(|b| b.is_ascii_digit())).then(|| segment.parse().ok()).flatten()
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
