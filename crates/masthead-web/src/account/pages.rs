//! The account pages for browsers: forms that work without JavaScript, each
//! posted through [`CsrfForm`], errors shown beside the field they are about.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use masthead_domain::email::Email;
use masthead_store::SessionKind;
use serde::Deserialize;

use super::views::{AccountPage, DeviceRow, DevicesPage, ForgotPage, LogInPage, ResetPage, SignUpPage};
use crate::auth::flows::{self, FieldErrors, LogIn, ResetRequest};
use crate::http::csrf::{self, CsrfForm, NoFields};
use crate::http::error::PageError;
use crate::http::respond::{safe_next, see_other};
use crate::http::session::{Client, Required, SignedIn, clear_session_cookie, live_since, session_cookie};
use crate::http::views::{self, Link, private_page};
use crate::http::visitor::Visitor;
use crate::{AppState, SharedState};

/// Where a reader goes after logging in when the page did not say.
const AFTER_LOGIN: &str = "/account";

/// `response`, removing the browser's session cookie: its session is over.
fn forget_session(state: &AppState, mut response: Response) -> Response {
    response.headers_mut().append(header::SET_COOKIE, clear_session_cookie(state));
    response
}

#[derive(Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

/// `/account?changed=VERB`: the subscription change just made, to say what it did.
#[derive(Deserialize)]
pub(crate) struct ChangedQuery {
    changed: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct TokenQuery {
    token: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct CredentialsForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
    /// Sent by the registration wall's form (see `auth::flows::sign_up`).
    wall: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct EmailForm {
    #[serde(default)]
    email: String,
}

#[derive(Deserialize)]
pub(crate) struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

/// A rendered form page for this visitor, setting the cookie its token is tied to.
fn form_page(visitor: &Visitor, status: StatusCode, template: &impl askama::Template) -> Response {
    visitor.remember(private_page(status, template))
}

#[tracing::instrument(skip_all)]
pub(crate) async fn signup_form(State(state): State<SharedState>, visitor: Visitor) -> Response {
    let page = SignUpPage::new(&state, csrf::token(&state, &visitor), String::new(), FieldErrors::default());
    form_page(&visitor, StatusCode::OK, &page)
}

#[tracing::instrument(skip_all)]
pub(crate) async fn signup(
    State(state): State<SharedState>,
    visitor: Visitor,
    client: Client,
    CsrfForm(form): CsrfForm<CredentialsForm>,
) -> Result<Response, PageError> {
    let credentials = match flows::new_credentials(&form.email, &form.password) {
        Ok(credentials) => credentials,
        Err(errors) => {
            let page = SignUpPage::new(&state, csrf::token(&state, &visitor), form.email, errors);
            return Ok(form_page(&visitor, StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    if !flows::may_sign_up(&state, &client).await? {
        let errors = FieldErrors {
            email: Some("Too many sign-ups from your network. Wait a few minutes, then try again.".to_owned()),
            ..FieldErrors::default()
        };
        let page = SignUpPage::new(&state, csrf::token(&state, &visitor), form.email, errors);
        return Ok(form_page(&visitor, StatusCode::TOO_MANY_REQUESTS, &page));
    }
    let address = credentials.email.to_string();
    flows::sign_up(&state, &visitor, credentials, form.wall.is_some()).await?;
    Ok(check_your_inbox(&state, &address))
}

/// What sign-up says, account or not.
fn check_your_inbox(state: &AppState, address: &str) -> Response {
    let sent =
        format!("We have sent a message to {address}. Follow the link in it to confirm your address, then log in.");
    views::notice(
        state,
        StatusCode::OK,
        "Check your inbox",
        &[&sent, "No message after a few minutes? Look in your spam folder, or sign up again."],
        Some(Link { url: "/login".to_owned(), label: "Log in".to_owned() }),
    )
}

/// What a forged, used or expired link gets.
fn link_does_not_work(state: &AppState, retry: Link) -> Response {
    views::notice(
        state,
        StatusCode::BAD_REQUEST,
        "This link does not work",
        &["It may have expired or been used already: each link works once."],
        Some(retry),
    )
}

#[tracing::instrument(skip_all)]
pub(crate) async fn verify_email(
    State(state): State<SharedState>,
    signed_in: SignedIn,
    Query(query): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let secret = query.token.unwrap_or_default();
    if !flows::confirm_email(&state, &secret).await? {
        return Ok(link_does_not_work(&state, Link { url: "/signup".to_owned(), label: "Sign up again".to_owned() }));
    }
    // A reader already signed in here (confirming in another tab) has no log-in to do.
    let next = match signed_in.0 {
        Some(_) => Link { url: "/account".to_owned(), label: "Go to your account".to_owned() },
        None => Link { url: "/login".to_owned(), label: "Log in".to_owned() },
    };
    Ok(views::notice(
        &state,
        StatusCode::OK,
        "Your email address is confirmed",
        &["Thank you. Your account is ready."],
        Some(next),
    ))
}

#[tracing::instrument(skip_all)]
pub(crate) async fn login_form(
    State(state): State<SharedState>,
    visitor: Visitor,
    Query(query): Query<NextQuery>,
) -> Response {
    let next = safe_next(query.next.as_deref());
    let page = LogInPage::new(&state, csrf::token(&state, &visitor), String::new(), next, None);
    form_page(&visitor, StatusCode::OK, &page)
}

#[tracing::instrument(skip_all)]
pub(crate) async fn login(
    State(state): State<SharedState>,
    visitor: Visitor,
    client: Client,
    CsrfForm(form): CsrfForm<CredentialsForm>,
) -> Result<Response, PageError> {
    let next = safe_next(form.next.as_deref());
    let outcome = flows::log_in(&state, &form.email, &form.password, &client, SessionKind::Browser, &visitor).await?;
    let (status, message) = match outcome {
        LogIn::Done { token, .. } => {
            let mut response = see_other(next.as_deref().unwrap_or(AFTER_LOGIN));
            response.headers_mut().append(header::SET_COOKIE, session_cookie(&state, &token));
            return Ok(visitor.remember(response));
        }
        LogIn::Unconfirmed => return Ok(flows::confirm_first(&state)),
        LogIn::Refused => (StatusCode::UNAUTHORIZED, "That email address and password do not match an account."),
        LogIn::Limited => {
            (StatusCode::TOO_MANY_REQUESTS, "Too many attempts to log in. Wait a few minutes, then try again.")
        }
    };
    let page = LogInPage::new(&state, csrf::token(&state, &visitor), form.email, next, Some(message.to_owned()));
    Ok(form_page(&visitor, status, &page))
}

#[tracing::instrument(skip_all)]
pub(crate) async fn logout(
    State(state): State<SharedState>,
    signed_in: SignedIn,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    if let Some(account) = signed_in.0 {
        state.store.revoke_session(account.id, account.session_id, state.clock.now()).await?;
    }
    Ok(forget_session(&state, see_other("/")))
}

#[tracing::instrument(skip_all)]
pub(crate) async fn account(
    State(state): State<SharedState>,
    visitor: Visitor,
    Required(account): Required,
    Query(query): Query<ChangedQuery>,
) -> Result<Response, PageError> {
    let devices = state.store.active_sessions(account.id, live_since(state.clock.now())).await?.len();
    let subscription = crate::billing::account::panel(&state, account.id, query.changed.as_deref()).await?;
    let gifts = crate::billing::gifts::account_section(&state, account.id).await?;
    let page = AccountPage::new(
        &state,
        csrf::token(&state, &visitor),
        account.email,
        account.verified,
        devices,
        subscription,
        gifts,
    );
    Ok(form_page(&visitor, StatusCode::OK, &page))
}

#[tracing::instrument(skip_all)]
pub(crate) async fn forgot_form(State(state): State<SharedState>, visitor: Visitor) -> Response {
    let page = ForgotPage::new(&state, csrf::token(&state, &visitor), String::new(), FieldErrors::default());
    form_page(&visitor, StatusCode::OK, &page)
}

#[tracing::instrument(skip_all)]
pub(crate) async fn forgot(
    State(state): State<SharedState>,
    visitor: Visitor,
    client: Client,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> Result<Response, PageError> {
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(error) => {
            let errors = FieldErrors { email: Some(error.to_string()), ..FieldErrors::default() };
            let page = ForgotPage::new(&state, csrf::token(&state, &visitor), form.email, errors);
            return Ok(form_page(&visitor, StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    if flows::request_reset(&state, &email, &client).await? == ResetRequest::Limited {
        let errors = FieldErrors {
            email: Some("Too many requests to reset this password. Wait a few minutes, then try again.".to_owned()),
            ..FieldErrors::default()
        };
        let page = ForgotPage::new(&state, csrf::token(&state, &visitor), form.email, errors);
        return Ok(form_page(&visitor, StatusCode::TOO_MANY_REQUESTS, &page));
    }
    let sent = format!("If {email} has an account with us, we have sent it a link to choose a new password.");
    Ok(views::notice(&state, StatusCode::OK, "Check your inbox", &[&sent, "The link works once, for one hour."], None))
}

fn request_another() -> Link {
    Link { url: "/account/forgot-password".to_owned(), label: "Ask for a new link".to_owned() }
}

#[tracing::instrument(skip_all)]
pub(crate) async fn reset_form(
    State(state): State<SharedState>,
    visitor: Visitor,
    Query(query): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let secret = query.token.unwrap_or_default();
    if !flows::reset_link_works(&state, &secret).await? {
        return Ok(link_does_not_work(&state, request_another()));
    }
    let page = ResetPage::new(&state, csrf::token(&state, &visitor), secret, FieldErrors::default());
    Ok(form_page(&visitor, StatusCode::OK, &page))
}

#[tracing::instrument(skip_all)]
pub(crate) async fn reset(
    State(state): State<SharedState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> Result<Response, PageError> {
    // The password is checked first, so a too-short one does not use up the link.
    if let Err(errors) = flows::new_password(&form.password) {
        let page = ResetPage::new(&state, csrf::token(&state, &visitor), form.token, errors);
        return Ok(form_page(&visitor, StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    if !flows::reset_password(&state, &form.token, form.password).await? {
        return Ok(link_does_not_work(&state, request_another()));
    }
    let response = views::notice(
        &state,
        StatusCode::OK,
        "Your password is changed",
        &["You have been signed out on every device. Log in with your new password."],
        Some(Link { url: "/login".to_owned(), label: "Log in".to_owned() }),
    );
    Ok(forget_session(&state, response))
}

#[tracing::instrument(skip_all)]
pub(crate) async fn devices(
    State(state): State<SharedState>,
    visitor: Visitor,
    Required(account): Required,
) -> Result<Response, PageError> {
    let sessions = state.store.active_sessions(account.id, live_since(state.clock.now())).await?;
    let rows = sessions.iter().map(|s| DeviceRow::new(&state, s, account.session_id)).collect();
    let page = DevicesPage::new(&state, csrf::token(&state, &visitor), rows);
    Ok(form_page(&visitor, StatusCode::OK, &page))
}

#[tracing::instrument(skip_all)]
pub(crate) async fn sign_out_device(
    State(state): State<SharedState>,
    Required(account): Required,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    // Only the account's own sessions match: another account's id is simply not found.
    if !state.store.revoke_session(account.id, id, state.clock.now()).await? {
        return Err(PageError::NotFound);
    }
    if id == account.session_id {
        return Ok(forget_session(&state, see_other("/")));
    }
    Ok(see_other("/account/devices"))
}

#[tracing::instrument(skip_all)]
pub(crate) async fn sign_out_others(
    State(state): State<SharedState>,
    Required(account): Required,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    state.store.revoke_other_sessions(account.id, account.session_id, state.clock.now()).await?;
    Ok(see_other("/account/devices"))
}
