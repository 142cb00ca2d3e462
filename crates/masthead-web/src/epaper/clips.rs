//! Sharing: a reader holding the `epaper` benefit makes a clip of one
//! article region — from the region's page (a form) or
//! `POST /api/v1/epaper/clips {"date","edition","page","region"}` →
//! 201 `{"url","expires_at"}` — and gets a page anyone may open without
//! logging in for 14 days, showing that region's picture and text and
//! nothing else of the edition. `/account/epaper-clips` lists the reader's
//! clips, each with a button that revokes it at once. A reader makes at most
//! the site's monthly allowance of clips (429 past it).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, Duration, Utc};
use masthead_epaper::clip::{CLIP_DAYS, crop};
use masthead_store::{ClipRecord, Clipping, NewClip, NewFile};
use serde::{Deserialize, Serialize};

use super::access;
use super::views::{ClipLine, ClipPage, ClipsPage, long_date};
use crate::http::csrf::{self, CsrfForm, NoFields};
use crate::http::error::{ApiError, PageError};
use crate::http::json::ApiJson;
use crate::http::respond::see_other;
use crate::http::session::{Account, Required, SignedIn};
use crate::http::views::{self, Layout, private_page};
use crate::http::visitor::Visitor;
use crate::{AppState, SharedState};

/// What a clip is of: a region of a page of an edition.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"date": "2017-04-13", "edition": "Main", "page": 1, "region": 1}))]
pub(crate) struct ClipOf {
    date: String,
    edition: Option<String>,
    page: u32,
    region: u32,
}

/// Why a clip was not made.
enum Refused {
    /// No such edition, page or region.
    NotFound,
    /// The reader does not hold the benefit.
    NotEntitled,
    /// The month's allowance is used.
    AllowanceUsed(u32),
    /// The page's picture could not be cut (logged).
    Broken,
    /// The database failed.
    Store(masthead_store::StoreError),
}

impl From<masthead_store::StoreError> for Refused {
    fn from(error: masthead_store::StoreError) -> Self {
        Self::Store(error)
    }
}

/// The clip page's address.
fn clip_path(token: &str) -> String {
    format!("/epaper/clips/{token}")
}

/// The first instant of the month `now` falls in, in the publisher's zone.
fn month_start(state: &AppState, now: DateTime<Utc>) -> DateTime<Utc> {
    let first = state.zone.date(now).with_day(1).expect("every month has a first day");
    state.zone.day_bounds(first).0
}

/// Makes a clip for `account` (the one door, for the form and the API).
async fn make(state: &AppState, account: Account, of: ClipOf) -> Result<ClipRecord, Refused> {
    let edition = access::edition(state, &of.date, of.edition.as_deref()).await?.ok_or(Refused::NotFound)?;
    if !access::reader(state, Some(account.clone())).await?.entitled {
        return Err(Refused::NotEntitled);
    }
    let region = state
        .store
        .epaper_regions(edition.id)
        .await?
        .into_iter()
        .find(|r| r.page == of.page && r.number == of.region)
        .ok_or(Refused::NotFound)?;
    let page = state.store.epaper_pages(edition.id).await?.into_iter().find(|p| p.number == of.page);
    let full = state.store.blob(&page.ok_or(Refused::NotFound)?.image_sha256).await?.ok_or(Refused::NotFound)?;
    let (x, y, w, h) = (region.x, region.y, region.width, region.height);
    let picture = match tokio::task::spawn_blocking(move || crop(&full.bytes, x, y, w, h)).await {
        Ok(Ok(picture)) => picture,
        Ok(Err(error)) => {
            tracing::error!(%error, edition = edition.id, "cannot cut a clip");
            return Err(Refused::Broken);
        }
        Err(error) => {
            tracing::error!(%error, "the clip cutter failed");
            return Err(Refused::Broken);
        }
    };
    let now = state.clock.now();
    let new = NewClip {
        clipping: Clipping {
            token: crate::secret::random_hex(16),
            reader_id: account.id,
            day: edition.day,
            edition: edition.edition,
            page: of.page,
            region: of.region,
            headline: region.headline,
            text: region.text,
        },
        image: NewFile { content_type: "image/webp", bytes: picture },
        expires_at: now + Duration::days(CLIP_DAYS),
    };
    let allowance = state.epaper_clips_per_month;
    state
        .store
        .add_epaper_clip(&new, allowance, month_start(state, now), now)
        .await?
        .ok_or(Refused::AllowanceUsed(allowance))
}

/// A clip: an address anyone may open until it expires.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Clip {
    url: String,
    expires_at: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/epaper/clips",
    tag = "e-paper",
    summary = "Clip a region of a printed page to share",
    request_body = ClipOf,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The clip", body = Clip),
        (status = 403, description = "Clips are for subscribers whose plan includes the e-paper"),
        (status = 404, description = "No such edition, page or region"),
        (status = 429, description = "This month's clips are used up"),
        (status = 502, description = "The clip could not be made just now"),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn api_create(
    State(state): State<SharedState>,
    signed_in: SignedIn,
    ApiJson(of): ApiJson<ClipOf>,
) -> Result<Response, ApiError> {
    let account = signed_in.required()?;
    match make(&state, account, of).await {
        Ok(clip) => {
            let body = Clip {
                url: format!("{}{}", state.public_url, clip_path(&clip.token)),
                expires_at: clip.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            };
            Ok((StatusCode::CREATED, Json(body)).into_response())
        }
        Err(Refused::NotFound) => Err(ApiError::NotFound("no such edition, page or region".to_owned())),
        Err(Refused::NotEntitled) => {
            Err(ApiError::Forbidden("clips are for subscribers whose plan includes the e-paper".to_owned()))
        }
        Err(Refused::AllowanceUsed(n)) => {
            let now = state.clock.now();
            let next_month = month_start(&state, month_start(&state, now) + chrono::Duration::days(32));
            let wait = (next_month - now).to_std().unwrap_or_default();
            Err(ApiError::too_many(format!("you have made your {n} clips for this month"), wait))
        }
        Err(Refused::Broken) => Err(ApiError::Upstream("the clip could not be made just now".to_owned())),
        Err(Refused::Store(error)) => Err(error.into()),
    }
}

#[tracing::instrument(skip_all, fields(day = %day, page, region))]
pub(crate) async fn form_create(
    State(state): State<SharedState>,
    Path((day, page, region)): Path<(String, u32, u32)>,
    axum::extract::Query(which): axum::extract::Query<super::pages::Which>,
    Required(account): Required,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let of = ClipOf { date: day, edition: which.edition, page, region };
    match make(&state, account, of).await {
        Ok(clip) => Ok(see_other(&clip_path(&clip.token))),
        Err(Refused::NotFound) => Err(PageError::NotFound),
        Err(Refused::NotEntitled) => Err(super::pages::not_entitled()),
        Err(Refused::AllowanceUsed(n)) => Ok(views::notice(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            "No clips left this month",
            &[&format!("You have made your {n} clips for this month; more can be made next month.")],
            None,
        )),
        Err(Refused::Broken) => Err(PageError::Upstream(crate::http::error::Refusal::new(
            "The clip could not be made",
            "Please try again later.",
        ))),
        Err(Refused::Store(error)) => Err(error.into()),
    }
}

/// The clip that opens now under `token`, or 404.
async fn open_clip(state: &AppState, token: &str) -> Result<ClipRecord, PageError> {
    let well_formed = token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit());
    let clip = if well_formed { state.store.epaper_clip(token).await? } else { None };
    clip.filter(|c| c.opens_at(state.clock.now())).ok_or(PageError::NotFound)
}

/// A shared clip is public, but revoking it must take effect at once: no cache keeps it.
fn uncached(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

#[tracing::instrument(skip_all)]
pub(crate) async fn page(State(state): State<SharedState>, Path(token): Path<String>) -> Result<Response, PageError> {
    let clip = open_clip(&state, &token).await?;
    let where_printed = format!("From the {} edition of {}, page {}", clip.edition, long_date(clip.day), clip.page);
    let view = ClipPage {
        layout: Layout::new(&state, clip.headline.clone(), where_printed.clone(), None),
        headline: clip.headline.clone(),
        where_printed,
        image: format!("{}/image", clip_path(&clip.token)),
        paragraphs: super::pages::paragraphs(&clip.text),
        expires: state.zone.format(clip.expires_at),
    };
    Ok(uncached(views::render(&view)))
}

#[tracing::instrument(skip_all)]
pub(crate) async fn image(State(state): State<SharedState>, Path(token): Path<String>) -> Result<Response, PageError> {
    let clip = open_clip(&state, &token).await?;
    let blob = state.store.blob(&clip.image_sha256).await?.ok_or(PageError::NotFound)?;
    let response = ([(header::CONTENT_TYPE, HeaderValue::from_static("image/webp"))], blob.bytes).into_response();
    Ok(uncached(response))
}

#[tracing::instrument(skip_all)]
pub(crate) async fn list(
    State(state): State<SharedState>,
    visitor: Visitor,
    Required(account): Required,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    let clips = state.store.reader_epaper_clips(account.id).await?;
    let start = month_start(&state, now);
    let used = clips.iter().filter(|c| c.created_at >= start).count() as u32;
    let lines = clips
        .iter()
        .map(|c| ClipLine {
            id: c.id,
            headline: c.headline.clone(),
            url: clip_path(&c.token),
            printed: format!("{}, page {}", long_date(c.day), c.page),
            status: if c.revoked_at.is_some() {
                "Revoked".to_owned()
            } else if c.opens_at(now) {
                format!("Open until {}", state.zone.format(c.expires_at))
            } else {
                "Expired".to_owned()
            },
            open: c.opens_at(now),
        })
        .collect();
    let view = ClipsPage {
        layout: Layout::new(&state, "Your e-paper clips".to_owned(), String::new(), None),
        csrf: csrf::token(&state, &visitor),
        clips: lines,
        left: state.epaper_clips_per_month.saturating_sub(used),
    };
    Ok(visitor.remember(private_page(StatusCode::OK, &view)))
}

#[tracing::instrument(skip_all, fields(clip = id))]
pub(crate) async fn revoke(
    State(state): State<SharedState>,
    Path(id): Path<i64>,
    Required(account): Required,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    if !state.store.revoke_epaper_clip(account.id, id, state.clock.now()).await? {
        return Err(PageError::NotFound);
    }
    Ok(see_other("/account/epaper-clips"))
}
