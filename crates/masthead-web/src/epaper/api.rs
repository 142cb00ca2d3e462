//! The e-paper API: `GET /api/v1/epaper/editions?from=&to=` lists editions
//! (`{"editions":[{"date","edition","pages","url"}]}`, newest first);
//! `GET /api/v1/epaper/editions/{date}[?edition=]` gives an edition's pages
//! with their sizes and article regions — and, only for a reader holding the
//! `epaper` benefit, each page's signed `image_url` and the regions' text.

use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};

use super::access::{self, edition_path, image_url, parse_day, signer};
use crate::SharedState;
use crate::http::error::ApiError;
use crate::http::paging::Paging;
use crate::http::session::SignedIn;

/// A range of dates, both ends included.
#[derive(Debug, Deserialize)]
pub(crate) struct Range {
    from: Option<String>,
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

#[tracing::instrument(skip_all)]
pub(crate) async fn editions(
    State(state): State<SharedState>,
    paging: Paging,
    Query(range): Query<Range>,
) -> Result<Json<Value>, ApiError> {
    let (first, last) = access::all_days();
    let from = day_or(range.from.as_deref(), first, "from")?;
    let to = day_or(range.to.as_deref(), last, "to")?;
    let editions: Vec<Value> = state
        .store
        .epaper_editions(from, to)
        .await?
        .iter()
        .map(|e| {
            json!({
                "date": e.day.format("%Y-%m-%d").to_string(),
                "edition": e.edition,
                "pages": e.pages,
                "url": format!("{}{}", state.public_url, edition_path(e)),
            })
        })
        .collect();
    let (editions, paging) = paging.slice(editions);
    Ok(Json(json!({ "editions": editions, "paging": paging })))
}

/// Which edition of the date.
#[derive(Debug, Deserialize)]
pub(crate) struct Which {
    edition: Option<String>,
}

#[tracing::instrument(skip_all, fields(day = %day))]
pub(crate) async fn edition(
    State(state): State<SharedState>,
    Path(day): Path<String>,
    Query(which): Query<Which>,
    SignedIn(account): SignedIn,
) -> Result<Json<Value>, ApiError> {
    let edition = access::edition(&state, &day, which.edition.as_deref())
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no e-paper edition for {day}")))?;
    let reader = access::reader(&state, account).await?;
    let signer = signer(&state);
    let regions = state.store.epaper_regions(edition.id).await?;
    let pages: Vec<Value> = state
        .store
        .epaper_pages(edition.id)
        .await?
        .iter()
        .map(|p| {
            let regions: Vec<Value> = regions
                .iter()
                .filter(|r| r.page == p.number)
                .map(|r| {
                    let mut region = json!({
                        "number": r.number, "x": r.x, "y": r.y, "width": r.width, "height": r.height,
                        "headline": r.headline,
                    });
                    if reader.entitled {
                        region["text"] = json!(r.text);
                    }
                    region
                })
                .collect();
            let mut page = json!({ "number": p.number, "width": p.width, "height": p.height, "regions": regions });
            if reader.entitled {
                page["image_url"] =
                    json!(format!("{}{}", state.public_url, image_url(&state, &signer, &p.image_sha256)));
                page["thumbnail_url"] =
                    json!(format!("{}{}", state.public_url, image_url(&state, &signer, &p.thumb_sha256)));
            }
            page
        })
        .collect();
    Ok(Json(json!({
        "date": edition.day.format("%Y-%m-%d").to_string(),
        "edition": edition.edition,
        "entitled": reader.entitled,
        "pages": pages,
    })))
}
