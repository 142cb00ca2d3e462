//! The archive: `/archive` (the years), `/archive/YYYY` (a year's months),
//! `/archive/YYYY/MM` (a month's days), each with story counts, and
//! `/archive/YYYY/MM/DD` (one day's stories by section, with the
//! neighbouring days). Stories are as lists show them; reading one goes
//! through the story page and its access decision like any other.

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{Datelike, NaiveDate};

use super::views::{ArchiveDayPage, ArchiveLink, ArchiveListPage, DayLink, Desk};
use crate::SharedState;
use crate::http::error::PageError;
use crate::http::views::{self, Layout};
use crate::read_model::card::Card;

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
    let sections = state.sections();
    let desks = sections
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

/// `/archive`: every year from the first story's to the latest's, with the
/// stories published in it (its days in the publisher's zone).
#[tracing::instrument(skip_all)]
pub(crate) async fn archive_years(State(state): State<SharedState>) -> Result<Response, PageError> {
    let zone = &state.zone;
    let mut links = Vec::new();
    if let Some((first, last)) = state.store.published_span().await? {
        for year in (zone.date(first).year()..=zone.date(last).year()).rev() {
            let start = |year| NaiveDate::from_ymd_opt(year, 1, 1).map(|day| zone.day_bounds(day).0);
            let (Some(from), Some(to)) = (start(year), start(year + 1)) else { continue };
            let count = usize::try_from(state.store.published_count(from, to).await?).unwrap_or(usize::MAX);
            links.push(ArchiveLink { url: format!("/archive/{year}"), label: year.to_string(), count });
        }
    }
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
    Ok(views::render(&view))
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
    Ok(views::render(&view))
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
    Ok(views::render(&view))
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
