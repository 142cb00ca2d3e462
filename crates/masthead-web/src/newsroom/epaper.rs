//! `/newsroom/epaper`: editors load a day's printed edition from the
//! browser. The page lists the recent editions and has the upload form
//! (date, edition name, the PDFs in page order, the regions sidecar if
//! any); the upload goes through `masthead_epaper::import`, the path
//! `masthead epaper import` and the demo take, so it is checked, rendered
//! (on a blocking thread, off the async runtime) and stored the same way: a
//! broken or encrypted PDF or a bad sidecar is refused with the reason and
//! nothing stored, and a date and edition uploaded again is replaced whole.
//!
//! Editors and admins only (`RequireRole<AtLeastEditor>`), the form's token
//! checked before any file is read (`CsrfMultipart`), the body within the
//! site's upload limit (`SiteConfig::epaper_upload_limit`, 413 beyond).

use std::time::Instant;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use masthead_epaper::{DEFAULT_EDITION, EpaperError, Import, PdfFile, Sidecar};

use super::views::{self, EpaperEditionRow, EpaperPage, Nav};
use crate::http::csrf::{self, CsrfMultipart, Part};
use crate::http::error::{Internal, PageError};
use crate::http::guard::{AtLeastEditor, RequireRole};
use crate::http::session::Account;
use crate::http::visitor::Visitor;
use crate::{AppState, SharedState};

/// How many editions the page lists, the last imported first (all of them: the calendar).
const LISTED: u32 = 40;

/// What the form said, to fill it in again after a refusal.
#[derive(Debug, Default)]
struct Filled {
    date: String,
    edition: String,
}

/// The page: the [`LISTED`] editions imported last, the form, and what the
/// last upload did.
async fn render(
    state: &AppState,
    account: &Account,
    visitor: &Visitor,
    status: StatusCode,
    outcome: Result<Option<String>, String>,
    filled: Filled,
) -> Result<Response, PageError> {
    let today = state.zone.date(state.clock.now());
    let editions = state.store.recent_epaper_editions(LISTED).await?;
    let (notice, error) = match outcome {
        Ok(notice) => (notice, None),
        Err(error) => (None, Some(error)),
    };
    let page = EpaperPage {
        layout: views::layout(state, "E-paper"),
        nav: Nav::new(account),
        csrf: csrf::token(state, visitor),
        rows: editions
            .iter()
            .map(|e| EpaperEditionRow {
                date: e.day.format("%Y-%m-%d").to_string(),
                edition: e.edition.clone(),
                pages: e.pages,
                imported: state.zone.format(e.imported_at),
                url: crate::epaper::access::edition_path(e),
            })
            .collect(),
        notice,
        error,
        date: if filled.date.is_empty() { today.format("%Y-%m-%d").to_string() } else { filled.date },
        edition: if filled.edition.is_empty() { DEFAULT_EDITION.to_owned() } else { filled.edition },
    };
    Ok(visitor.remember(views::page(status, &page)))
}

/// `GET /newsroom/epaper`.
#[tracing::instrument(skip_all)]
pub(crate) async fn page(
    State(state): State<SharedState>,
    editor: RequireRole<AtLeastEditor>,
    visitor: Visitor,
) -> Result<Response, PageError> {
    render(&state, editor.account(), &visitor, StatusCode::OK, Ok(None), Filled::default()).await
}

/// Reads the upload form's parts into an import, or says what is wrong.
fn read_form(parts: Vec<Part>, filled: &mut Filled) -> Result<Import, String> {
    let mut files = Vec::new();
    let mut regions = None;
    for part in parts {
        let text = || String::from_utf8_lossy(&part.bytes).trim().to_owned();
        match part.name.as_str() {
            "date" => filled.date = text(),
            "edition" => filled.edition = text(),
            // A file input left empty still sends a part, with no name and no bytes.
            "pdf" if !part.bytes.is_empty() => files.push(PdfFile {
                name: part.file_name.filter(|n| !n.is_empty()).unwrap_or_else(|| "upload.pdf".to_owned()),
                bytes: part.bytes.to_vec(),
            }),
            "regions" if !part.bytes.is_empty() => {
                let json = std::str::from_utf8(&part.bytes)
                    .map_err(|_| EpaperError::BadRegions("it is not UTF-8 text".to_owned()).to_string())?;
                regions = Some(Sidecar::parse(json).map_err(|e| e.to_string())?);
            }
            _ => {}
        }
    }
    let day = NaiveDate::parse_from_str(&filled.date, "%Y-%m-%d")
        .map_err(|_| format!("the date {:?} is not one like 2017-04-13", filled.date))?;
    let edition = if filled.edition.is_empty() { DEFAULT_EDITION.to_owned() } else { filled.edition.clone() };
    Ok(Import { day, edition, files, regions })
}

/// The page again, 422, saying why nothing was imported.
async fn refuse(
    state: &AppState,
    account: &Account,
    visitor: &Visitor,
    reason: &str,
    filled: Filled,
) -> Result<Response, PageError> {
    let reason = format!("Nothing was imported: {reason}.");
    render(state, account, visitor, StatusCode::UNPROCESSABLE_ENTITY, Err(reason), filled).await
}

/// `POST /newsroom/epaper`: imports the uploaded edition (see the module docs).
#[tracing::instrument(skip_all)]
pub(crate) async fn upload(
    State(state): State<SharedState>,
    editor: RequireRole<AtLeastEditor>,
    visitor: Visitor,
    CsrfMultipart(parts): CsrfMultipart,
) -> Result<Response, PageError> {
    let account = editor.account();
    let mut filled = Filled::default();
    let import = match read_form(parts, &mut filled) {
        Ok(import) => import,
        Err(reason) => return refuse(&state, account, &visitor, &reason, filled).await,
    };
    let (day, files, edition) = (import.day, import.files.len(), import.edition.trim().to_owned());
    let started = Instant::now();
    let imported = match masthead_epaper::import(&state.store, import, state.clock.now(), |_| {}).await {
        Ok(imported) => imported,
        Err(EpaperError::Store(error)) => return Err(PageError::Internal(Internal::Store(error))),
        Err(error @ (EpaperError::Render(_) | EpaperError::Typeset(_))) => {
            tracing::error!(%error, "an uploaded edition could not be rendered");
            let reason = format!("{error}; the files may be damaged");
            return refuse(&state, account, &visitor, &reason, filled).await;
        }
        Err(error) => return refuse(&state, account, &visitor, &error.to_string(), filled).await,
    };
    tracing::info!(account = account.id, %day, %edition, pages = imported.pages, "e-paper edition uploaded");
    let notice = format!(
        "Imported the {edition} edition of {}: {} page(s) from {files} file(s), {} article region(s), {} KB of page images, in {:.1} s.",
        crate::epaper::views::long_date(day),
        imported.pages,
        imported.regions,
        imported.image_bytes / 1024,
        started.elapsed().as_secs_f64()
    );
    render(&state, account, &visitor, StatusCode::OK, Ok(Some(notice)), Filled::default()).await
}
