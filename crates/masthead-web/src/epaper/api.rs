//! The e-paper API: `GET /api/v1/epaper/editions?from=&to=` lists editions
//! (newest first, paged); `GET /api/v1/epaper/editions/{date}[?edition=]`
//! gives an edition's pages with their sizes and article regions — and, only
//! for a reader holding the `epaper` benefit, each page's signed `image_url`
//! and the regions' text.

use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::access::{self, edition_path, image_url, parse_day, signer};
use crate::SharedState;
use crate::http::error::ApiError;
use crate::http::paging::{PageInfo, Paging, PagingParams};
use crate::http::session::SignedIn;

/// A range of dates, both ends included.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct Range {
    /// The first day, like 2017-04-01 (default: the first there is).
    #[param(format = Date)]
    from: Option<String>,
    /// The last day (default: the last there is).
    #[param(format = Date)]
    to: Option<String>,
}

fn day_or(text: Option<&str>, default: NaiveDate, which: &str) -> Result<NaiveDate, ApiError> {
    match text {
        None | Some("") => Ok(default),
        Some(text) => {
            parse_day(text).ok_or_else(|| ApiError::bad_field(which, format!("{which} must be a date like 2017-04-13")))
        }
    }
}

/// An edition as the list shows it.
#[derive(Serialize, ToSchema)]
pub(crate) struct EditionItem {
    #[schema(format = Date, example = "2017-04-13")]
    date: String,
    edition: String,
    pages: u32,
    /// Its page on the site.
    url: String,
}

/// A page of editions.
#[derive(Serialize, ToSchema)]
pub(crate) struct EditionList {
    editions: Vec<EditionItem>,
    paging: PageInfo,
}

#[utoipa::path(
    get,
    path = "/api/v1/epaper/editions",
    tag = "e-paper",
    summary = "Printed editions, newest first",
    params(Range, PagingParams),
    responses((status = 200, description = "A page of editions", body = EditionList))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn editions(
    State(state): State<SharedState>,
    paging: Paging,
    Query(range): Query<Range>,
) -> Result<Json<EditionList>, ApiError> {
    let (first, last) = access::all_days();
    let from = day_or(range.from.as_deref(), first, "from")?;
    let to = day_or(range.to.as_deref(), last, "to")?;
    let editions: Vec<EditionItem> = state
        .store
        .epaper_editions(from, to)
        .await?
        .iter()
        .map(|e| EditionItem {
            date: e.day.format("%Y-%m-%d").to_string(),
            edition: e.edition.clone(),
            pages: e.pages,
            url: format!("{}{}", state.public_url, edition_path(e)),
        })
        .collect();
    let (editions, paging) = paging.slice(editions);
    Ok(Json(EditionList { editions, paging }))
}

/// Which edition of the date.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct Which {
    /// The edition's name, when the day has more than one (default: the first).
    edition: Option<String>,
}

/// An article's place on a page, in the page's pixels.
#[derive(Serialize, ToSchema)]
pub(crate) struct RegionItem {
    number: u32,
    x: u32,
    y: u32,
    width: u32,
    height: u32,
    headline: String,
    /// The region's text: only for readers with the `epaper` benefit.
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
}

/// A printed page.
#[derive(Serialize, ToSchema)]
pub(crate) struct PageItem {
    number: u32,
    width: u32,
    height: u32,
    regions: Vec<RegionItem>,
    /// Signed, short-lived: only for readers with the `epaper` benefit.
    #[serde(skip_serializing_if = "Option::is_none")]
    image_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    thumbnail_url: Option<String>,
}

/// An edition with its pages.
#[derive(Serialize, ToSchema)]
pub(crate) struct EditionReply {
    #[schema(format = Date, example = "2017-04-13")]
    date: String,
    edition: String,
    /// Whether this reader may see the pages and text.
    entitled: bool,
    pages: Vec<PageItem>,
}

#[utoipa::path(
    get,
    path = "/api/v1/epaper/editions/{day}",
    tag = "e-paper",
    summary = "An edition's pages and their article regions",
    params(("day" = String, Path, format = Date, description = "The day, like 2017-04-13", example = "2017-04-13"), Which),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The edition", body = EditionReply),
        (status = 404, description = "No edition that day"),
    )
)]
#[tracing::instrument(skip_all, fields(day = %day))]
pub(crate) async fn edition(
    State(state): State<SharedState>,
    Path(day): Path<String>,
    Query(which): Query<Which>,
    SignedIn(account): SignedIn,
) -> Result<Json<EditionReply>, ApiError> {
    let edition = access::edition(&state, &day, which.edition.as_deref())
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no e-paper edition for {day}")))?;
    let reader = access::reader(&state, account).await?;
    let signer = signer(&state);
    let regions = state.store.epaper_regions(edition.id).await?;
    let url = |sha256: &str| format!("{}{}", state.public_url, image_url(&state, &signer, sha256));
    let pages = state
        .store
        .epaper_pages(edition.id)
        .await?
        .iter()
        .map(|p| PageItem {
            number: p.number,
            width: p.width,
            height: p.height,
            regions: regions
                .iter()
                .filter(|r| r.page == p.number)
                .map(|r| RegionItem {
                    number: r.number,
                    x: r.x,
                    y: r.y,
                    width: r.width,
                    height: r.height,
                    headline: r.headline.clone(),
                    text: reader.entitled.then(|| r.text.clone()),
                })
                .collect(),
            image_url: reader.entitled.then(|| url(&p.image_sha256)),
            thumbnail_url: reader.entitled.then(|| url(&p.thumb_sha256)),
        })
        .collect();
    Ok(Json(EditionReply {
        date: edition.day.format("%Y-%m-%d").to_string(),
        edition: edition.edition,
        entitled: reader.entitled,
        pages,
    }))
}
