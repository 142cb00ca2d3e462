//! The reader's newsletter pages: `/newsletters` with a sign-up for each
//! list, the sign-up itself (by email, double opt-in; in one click when
//! signed in; the paywall for a subscriber-only list the reader does not
//! hold), the confirmation link's page, and the web archive of past issues
//! — which shows every story's free part only, like every other route.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use masthead_domain::email::Email;
use masthead_insights::EventKind;
use masthead_newsletter::{digest, signup};
use masthead_store::{ListState, NewsletterRecord};
use serde::Deserialize;

use super::membership::desk_failed;
use super::views::{ArchivePage, ConfirmPage, IndexPage, IssueLine, IssuePage, ListCard, Offer};
use crate::http::csrf::{self, CsrfForm, NoFields};
use crate::http::error::PageError;
use crate::http::respond::see_other;
use crate::http::session::{Client, SignedIn};
use crate::http::views::{self, Layout, Link, private_page};
use crate::http::visitor::Visitor;
use crate::{AppState, SharedState};

/// Issues the archive lists.
const ARCHIVE_ISSUES: u32 = 100;

/// The list a slug names, or 404.
pub(crate) async fn list_named(state: &AppState, slug: &str) -> Result<NewsletterRecord, PageError> {
    state.store.newsletter(slug).await?.ok_or(PageError::NotFound)
}

#[tracing::instrument(skip_all)]
pub(crate) async fn index(
    State(state): State<SharedState>,
    visitor: Visitor,
    SignedIn(account): SignedIn,
) -> Result<Response, PageError> {
    let lists = state.store.newsletters().await?;
    let (benefits, memberships) = match &account {
        Some(account) => (
            super::membership::benefits(&state, account.id).await?,
            state.store.reader_newsletters(account.id, &account.email).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let cards = lists
        .iter()
        .map(|list| {
            let receiving = memberships.iter().any(|m| m.newsletter_id == list.id && m.state == ListState::Confirmed);
            let offer = if !signup::may_receive(list, &benefits) {
                Offer::Subscribe
            } else if receiving {
                Offer::Receiving
            } else if account.is_some() {
                Offer::OneClick
            } else {
                Offer::ByEmail
            };
            ListCard::new(&state, list, offer)
        })
        .collect();
    let layout = Layout::new(
        &state,
        "Newsletters".to_owned(),
        "Curated newsletters on markets, finance, politics and technology.".to_owned(),
        None,
    );
    let page = IndexPage { layout, csrf: csrf::token(&state, &visitor), signed_in: account.is_some(), cards };
    Ok(visitor.remember(private_page(StatusCode::OK, &page)))
}

#[derive(Deserialize)]
pub(crate) struct SignUpForm {
    email: Option<String>,
}

#[tracing::instrument(skip_all, fields(list = %slug))]
pub(crate) async fn subscribe(
    State(state): State<SharedState>,
    Path(slug): Path<String>,
    SignedIn(account): SignedIn,
    client: Client,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<SignUpForm>,
) -> Result<Response, PageError> {
    let list = list_named(&state, &slug).await?;
    let now = state.clock.now();
    let signed_up = || state.count(state.event(EventKind::NewsletterSignup, &visitor));
    if let Some(account) = account {
        if !signup::may_receive(&list, &super::membership::benefits(&state, account.id).await?) {
            return Ok(see_other("/subscribe"));
        }
        signup::join(&state.store, &list, account.id, &account.email, now).await?;
        signed_up();
        let done = format!("{} will arrive at {}.", list.name, account.email);
        return Ok(views::notice(
            &state,
            StatusCode::OK,
            "You are signed up",
            &[&done],
            Some(Link { url: "/account/newsletters".to_owned(), label: "Manage your newsletters".to_owned() }),
        ));
    }
    if list.subscribers_only {
        // Only an account can hold the benefit: the paywall signs them up.
        return Ok(see_other("/subscribe"));
    }
    let Ok(email) = Email::parse(form.email.as_deref().unwrap_or_default()) else {
        return Err(PageError::Unprocessable(crate::http::error::Refusal::new(
            "That email address does not look right",
            "Go back and check the address, then sign up again.",
        )));
    };
    if !state.limiters.newsletter_sign_up(&state.store, &client.ip, email.as_str(), now).await? {
        return Ok(views::notice(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            "Too many sign-ups",
            &["Please wait a few minutes and try again."],
            None,
        ));
    }
    super::membership::request_confirmation(&state, &list, &email, now).await.or_else(desk_failed)?;
    signed_up();
    let sent = format!(
        "If {email} is not already receiving {}, we have sent it a message: follow the link in it to confirm. Nothing else is sent until you do.",
        list.name
    );
    Ok(views::notice(&state, StatusCode::OK, "Check your inbox", &[&sent], None))
}

#[tracing::instrument(skip_all)]
pub(crate) async fn confirm_form(
    State(state): State<SharedState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Response {
    let layout = Layout::new(&state, "Confirm your subscription".to_owned(), String::new(), None);
    // The link only shows a button: mail scanners that open links sign nobody up.
    let page = ConfirmPage { layout, csrf: csrf::token(&state, &visitor), token };
    visitor.remember(private_page(StatusCode::OK, &page))
}

#[tracing::instrument(skip_all)]
pub(crate) async fn confirm(
    State(state): State<SharedState>,
    Path(token): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let confirmed =
        signup::confirm(&state.store, &token, state.clock.now()).await.or_else(|e| desk_failed(e).map(|()| None))?;
    let Some(member) = confirmed else {
        return Ok(views::notice(
            &state,
            StatusCode::BAD_REQUEST,
            "This link does not work",
            &["It may have expired or been used already: each link works once. Sign up again to get a new one."],
            Some(Link { url: "/newsletters".to_owned(), label: "Newsletters".to_owned() }),
        ));
    };
    let name = state
        .store
        .newsletters()
        .await?
        .into_iter()
        .find(|l| l.id == member.newsletter_id)
        .map_or_else(|| "the newsletter".to_owned(), |l| l.name);
    let done = format!("{} will now arrive at {}. Every message has a link to unsubscribe.", name, member.email);
    Ok(views::notice(&state, StatusCode::OK, "You are subscribed", &[&done], None))
}

#[tracing::instrument(skip_all, fields(list = %slug))]
pub(crate) async fn archive(State(state): State<SharedState>, Path(slug): Path<String>) -> Result<Response, PageError> {
    let list = list_named(&state, &slug).await?;
    let issues = state.store.issues(list.id, true, ARCHIVE_ISSUES).await?;
    let layout = Layout::new(&state, list.name.clone(), list.description.clone(), None);
    let page = ArchivePage {
        layout,
        issues: issues.iter().map(|i| IssueLine::new(&state, i)).collect(),
        card: ListCard::new(&state, &list, Offer::ByEmail),
    };
    Ok(views::render(&page))
}

#[tracing::instrument(skip_all, fields(list = %slug))]
pub(crate) async fn issue(
    State(state): State<SharedState>,
    Path((slug, issue)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let list = list_named(&state, &slug).await?;
    let issue = match issue.parse::<i64>() {
        Ok(id) => state.store.issue(id).await?,
        Err(_) => None,
    };
    // Only issues that went out, and only under their own list.
    let issue = issue.filter(|i| i.newsletter_id == list.id && i.sent_at.is_some()).ok_or(PageError::NotFound)?;
    let articles = state.store.published_articles(&issue.story_ids).await?;
    let links = super::membership::links(&state);
    let items = digest::items(&issue, &articles, &links);
    let (intro_html, _) = digest::intro(&issue.intro);
    let layout = Layout::new(&state, issue.subject.clone(), list.description.clone(), None);
    let page = IssuePage {
        layout,
        slug: list.slug,
        newsletter: list.name,
        subject: issue.subject.clone(),
        when: state.zone.format(issue.sent_at.unwrap_or(issue.scheduled_at)),
        intro_html: intro_html.as_str().to_owned(),
        items,
    };
    Ok(views::render(&page))
}
