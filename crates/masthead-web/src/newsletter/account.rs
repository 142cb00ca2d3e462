//! `/account/newsletters`: every list with where this reader stands —
//! receiving, waiting for confirmation, not signed up — and a button to
//! change it. A subscriber-only list a reader has joined but no longer holds
//! the benefit for says why it does not arrive, and so does every list when
//! the address is suppressed (its mail bounced for good, or a message was
//! reported as spam).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use masthead_newsletter::signup;
use masthead_store::{ListState, Suppression, SuppressionReason};
use serde::Deserialize;

use super::membership::Standing;
use super::pages::list_named;
use super::views::{ManagePage, ManageRow, cadence_text};
use crate::SharedState;
use crate::http::csrf::{self, CsrfForm};
use crate::http::error::{PageError, Refusal};
use crate::http::respond::see_other;
use crate::http::session::Required;
use crate::http::views::{Layout, private_page};
use crate::http::visitor::Visitor;

#[tracing::instrument(skip_all)]
pub(crate) async fn manage(
    State(state): State<SharedState>,
    visitor: Visitor,
    Required(account): Required,
) -> Result<Response, PageError> {
    let standings = super::membership::standings(&state, account.id, &account.email).await?;
    let rows = standings
        .lists
        .iter()
        .map(|row| {
            let (status, note) = match row.standing {
                Standing::Stopped => ("Stopped (see above)", None),
                Standing::Paused => (
                    "Paused",
                    Some("Your subscription no longer includes newsletters: subscribe again to receive it.".to_owned()),
                ),
                Standing::Receiving => ("Receiving", None),
                Standing::Pending => ("Waiting for you to confirm (see your inbox)", None),
                Standing::NotSignedUp => ("Not signed up", None),
            };
            let joined = row.membership == Some(ListState::Confirmed);
            ManageRow {
                slug: row.list.slug.clone(),
                name: row.list.name.clone(),
                cadence: cadence_text(&state, &row.list.cadence),
                status: status.to_owned(),
                note,
                can_join: !joined && row.allowed,
                can_leave: joined || row.membership == Some(ListState::Pending),
                to_subscribe: !row.allowed,
            }
        })
        .collect();
    let layout = Layout::new(&state, "Your newsletters".to_owned(), String::new(), None);
    let stopped = standings.suppression.map(|s| stopped_because(&state, &s));
    let page = ManagePage { layout, csrf: csrf::token(&state, &visitor), email: account.email.clone(), stopped, rows };
    Ok(visitor.remember(private_page(StatusCode::OK, &page)))
}

/// What the reader is told when no newsletter goes to their address any more.
fn stopped_because(state: &SharedState, suppression: &Suppression) -> String {
    let day = state.zone.date(suppression.at).format("%-d %B %Y");
    let why = match suppression.reason {
        SuppressionReason::Bounce if suppression.detail.is_empty() => {
            "your mail server refused our newsletter for good".to_owned()
        }
        SuppressionReason::Bounce => {
            format!("your mail server refused our newsletter for good (it said: {})", suppression.detail)
        }
        SuppressionReason::Complaint => "a newsletter we sent was reported as spam from this address".to_owned(),
    };
    format!("We stopped sending newsletters to {} on {day}: {why}. No list will send to it again.", suppression.email)
}

#[derive(Deserialize)]
pub(crate) struct ChangeForm {
    action: String,
}

#[tracing::instrument(skip_all, fields(list = %slug))]
pub(crate) async fn change(
    State(state): State<SharedState>,
    Path(slug): Path<String>,
    Required(account): Required,
    CsrfForm(form): CsrfForm<ChangeForm>,
) -> Result<Response, PageError> {
    let list = list_named(&state, &slug).await?;
    let now = state.clock.now();
    match form.action.as_str() {
        "join" => {
            if !signup::may_receive(&list, &super::membership::benefits(&state, account.id).await?) {
                return Ok(see_other("/subscribe"));
            }
            signup::join(&state.store, &list, account.id, &account.email, now).await?;
        }
        "leave" => super::membership::leave(&state, &list, account.id, &account.email, now).await?,
        _ => return Err(PageError::BadRequest(Refusal::new("This form could not be read", "Join or leave?"))),
    }
    Ok(see_other("/account/newsletters"))
}
