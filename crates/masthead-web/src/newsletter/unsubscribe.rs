//! One-click unsubscribe (RFC 8058). Every message carries
//! `List-Unsubscribe: <…/newsletters/unsubscribe/TOKEN>` and
//! `List-Unsubscribe-Post: List-Unsubscribe=One-Click`: a mail client POSTs
//! `List-Unsubscribe=One-Click` to that address with no cookie, and that
//! membership — that address on that one list — ends, answered 200. The
//! token (random, per address and list) is the only credential, so there is
//! no CSRF check: a forged request would need the token. A GET only shows a
//! page whose button makes the same POST, because mail scanners fetch links.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use masthead_newsletter::signup;
use masthead_store::{ListMember, ListState};

use super::views::UnsubscribePage;
use crate::http::error::{PageError, Refusal};
use crate::http::views::{Layout, private_page};
use crate::{AppState, SharedState};

/// The membership a token names, or 404.
async fn member(state: &AppState, token: &str) -> Result<ListMember, PageError> {
    if !signup::is_well_formed(token) {
        return Err(PageError::NotFound);
    }
    state.store.newsletter_member_by_token(token).await?.ok_or(PageError::NotFound)
}

async fn render(state: &AppState, member: &ListMember, token: String) -> Result<Response, PageError> {
    let lists = state.store.newsletters().await?;
    let newsletter = lists
        .into_iter()
        .find(|l| l.id == member.newsletter_id)
        .map_or_else(|| "this newsletter".to_owned(), |l| l.name);
    let layout = Layout::new(state, format!("Unsubscribe from {newsletter}"), String::new(), None);
    let page = UnsubscribePage {
        layout,
        token,
        newsletter,
        email: member.email.clone(),
        receiving: member.state != ListState::Unsubscribed,
    };
    Ok(private_page(StatusCode::OK, &page))
}

#[tracing::instrument(skip_all)]
pub(crate) async fn page(State(state): State<SharedState>, Path(token): Path<String>) -> Result<Response, PageError> {
    let member = member(&state, &token).await?;
    render(&state, &member, token).await
}

/// Whether a body is RFC 8058's `List-Unsubscribe=One-Click` (as a form,
/// urlencoded or multipart: mail clients send either).
fn is_one_click(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body);
    let urlencoded = serde_urlencoded::from_str::<Vec<(String, String)>>(&text)
        .is_ok_and(|fields| fields.iter().any(|(k, v)| k == "List-Unsubscribe" && v == "One-Click"));
    urlencoded || (text.contains("name=\"List-Unsubscribe\"") && text.contains("One-Click"))
}

#[tracing::instrument(skip_all)]
pub(crate) async fn one_click(
    State(state): State<SharedState>,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    member(&state, &token).await?;
    if !is_one_click(&body) {
        return Err(PageError::BadRequest(Refusal::new(
            "This request could not be read",
            "An unsubscribe request says List-Unsubscribe=One-Click.",
        )));
    }
    let member = state.store.unsubscribe_newsletter(&token, state.clock.now()).await?.ok_or(PageError::NotFound)?;
    render(&state, &member, token).await
}

#[cfg(test)]
mod tests {
    use super::is_one_click;

    #[test]
    fn only_the_one_click_field_unsubscribes() {
        assert!(is_one_click(b"List-Unsubscribe=One-Click"));
        assert!(is_one_click(b"csrf_token=x&List-Unsubscribe=One-Click"));
        let multipart =
            b"--b\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--b--\r\n";
        assert!(is_one_click(multipart));
        assert!(!is_one_click(b""));
        assert!(!is_one_click(b"List-Unsubscribe=Later"));
    }
}
