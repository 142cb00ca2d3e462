//! The reader's e-paper pages: `/epaper` (a calendar of every edition),
//! `/epaper/YYYY-MM-DD[?edition=&page=]` (the page view with its article
//! regions as links, zoom as a link to the full-size image, thumbnails of
//! every page, next and previous page and day — all without JavaScript), an
//! article region's text (with the form that clips it), the stamped
//! download, and the search of the printed text (`/epaper/search`).
//!
//! Only staff and readers holding the `epaper` benefit read: everyone else gets the
//! front page's thumbnail and the paywall on the edition's page, a log-in
//! (signed out) or 403 (signed in) on the rest.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use masthead_epaper::EpaperError;
use masthead_epaper::stamp::{SourcePage, stamp, stamp_line};
use masthead_store::{EditionRecord, PageRecord, StoreError};
use serde::Deserialize;

use super::access::{self, Reader, edition_path, image_url, signer};
use super::views::{
    CalendarPage, EditionLink, EditionPage, Month, PageView, RegionLink, RegionPage, SearchHit, SearchPage, Thumb,
    long_date,
};
use crate::http::csrf;
use crate::http::error::{Internal, PageError, Refusal};
use crate::http::respond::login_url;
use crate::http::session::{Account, Required, SignedIn};
use crate::http::views::{Layout, private_page};
use crate::http::visitor::Visitor;
use crate::{AppState, SharedState};

/// Which edition and page an address asks for.
#[derive(Debug, Deserialize)]
pub(crate) struct Which {
    pub edition: Option<String>,
    pub page: Option<u32>,
}

/// 403 for a signed-in reader without the benefit.
pub(crate) fn not_entitled() -> PageError {
    PageError::forbidden("The e-paper is for subscribers whose plan includes it: see /subscribe.")
}

/// The entitled account, or the refusal: log in first, or 403.
async fn entitled(state: &AppState, Required(account): Required) -> Result<Account, PageError> {
    let reader = access::reader(state, Some(account)).await?;
    match reader {
        Reader { account: Some(account), entitled: true } => Ok(account),
        _ => Err(not_entitled()),
    }
}

fn page_url(edition: &EditionRecord, page: u32) -> String {
    format!("{}&page={page}", edition_path(edition))
}

fn region_url(edition: &EditionRecord, page: u32, region: u32) -> String {
    format!(
        "/epaper/{}/regions/{page}/{region}?edition={}",
        edition.day.format("%Y-%m-%d"),
        crate::http::respond::query_value(&edition.edition)
    )
}

/// Extracted text as paragraphs: blank lines part them, line breaks inside
/// one are where the printed column ended.
pub(crate) fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.split('\n').map(str::trim).collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

fn day_url(day: NaiveDate) -> String {
    format!("/epaper/{}", day.format("%Y-%m-%d"))
}

#[tracing::instrument(skip_all)]
pub(crate) async fn calendar(State(state): State<SharedState>, SignedIn(_): SignedIn) -> Result<Response, PageError> {
    let (first, last) = access::all_days();
    let editions = state.store.epaper_editions(first, last).await?;
    let mut months: Vec<Month> = Vec::new();
    let mut seen: Vec<(i32, u32)> = Vec::new();
    for edition in &editions {
        let key = (edition.day.year(), edition.day.month());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let first = edition.day.with_day(1).expect("every month has a first day");
        months.push(Month::new(first, |d| editions.iter().any(|e| e.day == d).then(|| day_url(d))));
    }
    let latest = editions.first().map(|e| (long_date(e.day), day_url(e.day)));
    let layout =
        Layout::new(&state, "E-paper".to_owned(), "The printed newspaper, page by page, every day.".to_owned(), None);
    Ok(private_page(StatusCode::OK, &CalendarPage { layout, latest, months }))
}

#[tracing::instrument(skip_all, fields(day = %day))]
pub(crate) async fn edition(
    State(state): State<SharedState>,
    Path(day): Path<String>,
    Query(which): Query<Which>,
    SignedIn(account): SignedIn,
) -> Result<Response, PageError> {
    let edition = access::edition(&state, &day, which.edition.as_deref()).await?.ok_or(PageError::NotFound)?;
    let reader = access::reader(&state, account).await?;
    let pages = state.store.epaper_pages(edition.id).await?;
    let signer = signer(&state);
    let editions = state
        .store
        .epaper_editions(edition.day, edition.day)
        .await?
        .into_iter()
        .map(|e| EditionLink { url: edition_path(&e), current: e.id == edition.id, name: e.edition })
        .collect();
    let prev_day = state.store.epaper_day_beside(edition.day, false).await?.map(day_url);
    let next_day = state.store.epaper_day_beside(edition.day, true).await?.map(day_url);
    let number = which.page.unwrap_or(1);
    let mut view = EditionPage {
        layout: Layout::new(
            &state,
            format!("E-paper: {}", long_date(edition.day)),
            format!("The {} edition of {}", edition.edition, long_date(edition.day)),
            None,
        ),
        heading: format!("{} · {} edition", long_date(edition.day), edition.edition),
        edition: edition.edition.clone(),
        editions,
        entitled: reader.entitled,
        signed_in: reader.account.is_some(),
        login_url: login_url(Some(&page_url(&edition, number))),
        front: None,
        thumbs: Vec::new(),
        page: None,
        pages: edition.pages,
        prev_page: None,
        next_page: None,
        prev_day,
        next_day,
        download: format!(
            "/epaper/{}/download?edition={}",
            edition.day.format("%Y-%m-%d"),
            crate::http::respond::query_value(&edition.edition)
        ),
    };
    if !reader.entitled {
        view.front = pages.first().map(|p| image_url(&state, &signer, &p.thumb_sha256));
        return Ok(private_page(StatusCode::OK, &view));
    }
    let page: &PageRecord = pages.iter().find(|p| p.number == number).ok_or(PageError::NotFound)?;
    let regions = state.store.epaper_regions(edition.id).await?;
    view.thumbs = pages
        .iter()
        .map(|p| Thumb {
            number: p.number,
            url: page_url(&edition, p.number),
            image: image_url(&state, &signer, &p.thumb_sha256),
            current: p.number == number,
        })
        .collect();
    view.prev_page = (number > 1).then(|| page_url(&edition, number - 1));
    view.next_page = (number < edition.pages).then(|| page_url(&edition, number + 1));
    view.page = Some(PageView {
        number,
        width: page.width,
        height: page.height,
        image: image_url(&state, &signer, &page.view_sha256),
        zoom: image_url(&state, &signer, &page.image_sha256),
        regions: regions
            .iter()
            .filter(|r| r.page == number)
            .map(|r| RegionLink {
                url: region_url(&edition, number, r.number),
                headline: r.headline.clone(),
                x: r.x,
                y: r.y,
                width: r.width,
                height: r.height,
            })
            .collect(),
    });
    Ok(private_page(StatusCode::OK, &view))
}

#[tracing::instrument(skip_all, fields(day = %day, page, region))]
pub(crate) async fn region(
    State(state): State<SharedState>,
    Path((day, page, region)): Path<(String, u32, u32)>,
    Query(which): Query<Which>,
    visitor: Visitor,
    required: Required,
) -> Result<Response, PageError> {
    let edition = access::edition(&state, &day, which.edition.as_deref()).await?.ok_or(PageError::NotFound)?;
    entitled(&state, required).await?;
    let found = state
        .store
        .epaper_regions(edition.id)
        .await?
        .into_iter()
        .find(|r| r.page == page && r.number == region)
        .ok_or(PageError::NotFound)?;
    let story = match found.article_id {
        Some(id) => state.store.published_article(id).await?.map(|a| a.summary.path()),
        None => None,
    };
    let paragraphs = paragraphs(&found.text);
    let where_printed = format!("In print: page {page}, {} ({} edition)", long_date(edition.day), edition.edition);
    let page = RegionPage {
        layout: Layout::new(&state, found.headline.clone(), where_printed.clone(), None),
        headline: found.headline,
        where_printed,
        paragraphs,
        story,
        back: page_url(&edition, page),
        clip: format!(
            "/epaper/{}/regions/{page}/{region}/clip?edition={}",
            edition.day.format("%Y-%m-%d"),
            crate::http::respond::query_value(&edition.edition)
        ),
        csrf: csrf::token(&state, &visitor),
    };
    Ok(visitor.remember(private_page(StatusCode::OK, &page)))
}

#[tracing::instrument(skip_all, fields(day = %day))]
pub(crate) async fn download(
    State(state): State<SharedState>,
    Path(day): Path<String>,
    Query(which): Query<Which>,
    required: Required,
) -> Result<Response, PageError> {
    let edition = access::edition(&state, &day, which.edition.as_deref()).await?.ok_or(PageError::NotFound)?;
    let account = entitled(&state, required).await?;
    let pages = state.store.epaper_pages(edition.id).await?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for page in &pages {
        if !files.iter().any(|(sha, _)| *sha == page.source_sha256) {
            let blob = state
                .store
                .blob(&page.source_sha256)
                .await?
                .ok_or_else(|| Internal::Missing(format!("edition {} lost a file", edition.id)))?;
            files.push((page.source_sha256.clone(), blob.bytes));
        }
    }
    let now = state.clock.now();
    let line = stamp_line(&account.email, &state.zone.date(now).format("%-d %b %Y").to_string());
    let order: Vec<(usize, usize)> = pages
        .iter()
        .map(|p| (files.iter().position(|(sha, _)| *sha == p.source_sha256).unwrap_or(0), p.source_page as usize))
        .collect();
    let stamped = tokio::task::spawn_blocking(move || {
        let sources: Vec<SourcePage<'_>> =
            order.iter().map(|&(file, index)| SourcePage { file: &files[file].1, index }).collect();
        stamp(&sources, &line)
    })
    .await
    .map_err(|e| EpaperError::Typeset(e.to_string()))
    .and_then(|stamped| stamped);
    let pdf = stamped.map_err(|error| {
        tracing::error!(%error, edition = edition.id, "cannot stamp an edition");
        PageError::Upstream(Refusal::new(
            "The download failed",
            "This edition could not be prepared just now. Please try again later.",
        ))
    })?;
    state.store.record_epaper_download(edition.id, account.id, now).await?;
    let name = format!("epaper-{}-{}.pdf", edition.day.format("%Y-%m-%d"), edition.edition.replace(' ', "-"));
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/pdf")),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        ],
        pdf,
    )
        .into_response())
}

/// `?q=` of the e-paper search.
#[derive(Debug, Deserialize)]
pub(crate) struct SearchQuery {
    q: Option<String>,
}

/// Words searched for at most.
const SEARCH_WORDS: usize = 8;
/// Pages a search lists at most.
const SEARCH_PAGES: u32 = 50;

/// Whole words of `text` around the first word containing one of `words`, about `width` characters:
/// up to a third of them before it, marked with "…" where the text goes on.
pub(crate) fn snippet(text: &str, words: &[String], width: usize) -> String {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let wanted: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let found = tokens
        .iter()
        .position(|token| {
            let token = token.to_lowercase();
            wanted.iter().any(|w| token.contains(w.as_str()))
        })
        .unwrap_or(0);
    let length = |token: &str| token.chars().count() + 1;
    let (mut start, mut before) = (found, 0);
    while start > 0 && before + length(tokens[start - 1]) <= width / 3 {
        start -= 1;
        before += length(tokens[start]);
    }
    let (mut end, mut used) = (start, 0);
    while end < tokens.len() && (end == found || used + length(tokens[end]) <= width + 1) {
        used += length(tokens[end]);
        end += 1;
    }
    format!(
        "{}{}{}",
        if start > 0 { "…" } else { "" },
        tokens[start..end].join(" "),
        if end < tokens.len() { "…" } else { "" }
    )
}

/// Printed pages of editions dated `days` (inclusive) whose text holds
/// every one of `words` and none of `not`, newest first, as search hits
/// ("In print: page 3, Apr 13 2017 (Main edition)" and a snippet). For
/// readers who may read the e-paper only: callers check.
pub(crate) async fn print_hits(
    state: &AppState,
    words: &[String],
    not: &[String],
    days: (NaiveDate, NaiveDate),
    limit: u32,
) -> Result<Vec<SearchHit>, StoreError> {
    let not: Vec<String> = not.iter().map(|w| w.to_lowercase()).collect();
    Ok(state
        .store
        .search_epaper_pages(words, days, limit)
        .await?
        .into_iter()
        .filter(|hit| {
            let text = hit.text.to_lowercase();
            !not.iter().any(|w| text.contains(w.as_str()))
        })
        .map(|hit| SearchHit {
            url: format!("{}&page={}", access::edition_address(hit.day, &hit.edition), hit.page),
            label: format!("In print: page {}, {} ({} edition)", hit.page, hit.day.format("%b %-d %Y"), hit.edition),
            snippet: snippet(&hit.text, words, 200),
            day: hit.day,
            edition: hit.edition,
            page: hit.page,
        })
        .collect())
}

/// The words of a query the print search looks for: two letters or more, at most [`SEARCH_WORDS`].
pub(crate) fn search_words<'a>(words: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    words.into_iter().filter(|w| w.chars().count() >= 2).take(SEARCH_WORDS).map(str::to_owned).collect()
}

#[tracing::instrument(skip_all)]
pub(crate) async fn search(
    State(state): State<SharedState>,
    Query(query): Query<SearchQuery>,
    SignedIn(account): SignedIn,
) -> Result<Response, PageError> {
    let q = query.q.unwrap_or_default().trim().chars().take(200).collect::<String>();
    let words = search_words(q.split_whitespace());
    let reader = access::reader(&state, account).await?;
    let results = if reader.entitled && !words.is_empty() {
        print_hits(&state, &words, &[], access::all_days(), SEARCH_PAGES).await?
    } else {
        Vec::new()
    };
    let view = SearchPage {
        layout: Layout::new(&state, "Search the e-paper".to_owned(), String::new(), None),
        asked: !words.is_empty(),
        q,
        entitled: reader.entitled,
        signed_in: reader.account.is_some(),
        results,
    };
    Ok(private_page(StatusCode::OK, &view))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snippet_is_the_text_around_the_first_word_found() {
        let text = "one two three\nfour five six seven eight nine ten";
        assert_eq!(snippet(text, &["FIVE".to_owned()], 16), "…four five six…");
        assert_eq!(snippet(text, &["one".to_owned()], 8), "one two…");
        assert_eq!(snippet("short", &["nothing".to_owned()], 50), "short");
        assert_eq!(snippet("", &["any".to_owned()], 50), "");
    }
}
