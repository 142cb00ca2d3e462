//! The account pages' view models and templates (`templates/account/`).

use askama::Template;
use masthead_store::{SessionKind, SessionRecord};

use super::user_agent;
use crate::AppState;
use crate::auth::flows::FieldErrors;
use crate::billing::account::SubscriptionPanel;
use crate::billing::gifts::AccountGifts;
use crate::http::views::Layout;

fn layout<'a>(state: &'a AppState, title: &str) -> Layout<'a> {
    Layout::new(state, title.to_owned(), String::new(), None)
}

#[derive(Template)]
#[template(path = "account/signup.html")]
pub(super) struct SignUpPage<'a> {
    pub layout: Layout<'a>,
    pub csrf: String,
    pub email: String,
    pub errors: FieldErrors,
}

impl<'a> SignUpPage<'a> {
    pub fn new(state: &'a AppState, csrf: String, email: String, errors: FieldErrors) -> Self {
        Self { layout: layout(state, "Create your account"), csrf, email, errors }
    }
}

#[derive(Template)]
#[template(path = "account/login.html")]
pub(super) struct LogInPage<'a> {
    pub layout: Layout<'a>,
    pub csrf: String,
    pub email: String,
    /// Where to go after logging in (a checked local path).
    pub next: Option<String>,
    /// Why the last attempt failed, for the whole form.
    pub error: Option<String>,
}

impl<'a> LogInPage<'a> {
    pub fn new(state: &'a AppState, csrf: String, email: String, next: Option<String>, error: Option<String>) -> Self {
        Self { layout: layout(state, "Log in"), csrf, email, next, error }
    }
}

#[derive(Template)]
#[template(path = "account/forgot_password.html")]
pub(super) struct ForgotPage<'a> {
    pub layout: Layout<'a>,
    pub csrf: String,
    pub email: String,
    pub errors: FieldErrors,
}

impl<'a> ForgotPage<'a> {
    pub fn new(state: &'a AppState, csrf: String, email: String, errors: FieldErrors) -> Self {
        Self { layout: layout(state, "Reset your password"), csrf, email, errors }
    }
}

#[derive(Template)]
#[template(path = "account/reset_password.html")]
pub(super) struct ResetPage<'a> {
    pub layout: Layout<'a>,
    pub csrf: String,
    pub token: String,
    pub errors: FieldErrors,
}

impl<'a> ResetPage<'a> {
    pub fn new(state: &'a AppState, csrf: String, token: String, errors: FieldErrors) -> Self {
        Self { layout: layout(state, "Choose a new password"), csrf, token, errors }
    }
}

#[derive(Template)]
#[template(path = "account/account.html")]
pub(super) struct AccountPage<'a> {
    pub layout: Layout<'a>,
    pub csrf: String,
    pub email: String,
    pub verified: bool,
    pub devices: usize,
    pub subscription: Option<SubscriptionPanel>,
    pub gifts: Option<AccountGifts>,
}

impl<'a> AccountPage<'a> {
    pub fn new(
        state: &'a AppState,
        csrf: String,
        email: String,
        verified: bool,
        devices: usize,
        subscription: Option<SubscriptionPanel>,
        gifts: Option<AccountGifts>,
    ) -> Self {
        Self { layout: layout(state, "Your account"), csrf, email, verified, devices, subscription, gifts }
    }
}

/// One signed-in device as "Your devices" lists it.
pub(crate) struct DeviceRow {
    pub id: i64,
    /// "Firefox 121 on Windows".
    pub name: String,
    /// "Browser" or "App".
    pub kind: &'static str,
    pub first_seen: String,
    pub first_seen_iso: String,
    pub last_seen: String,
    pub last_seen_iso: String,
    /// The device making this request.
    pub current: bool,
}

impl DeviceRow {
    pub fn new(state: &AppState, session: &SessionRecord, current_session: i64) -> Self {
        let zone = &state.zone;
        Self {
            id: session.id,
            name: user_agent::parse(&session.user_agent).label(),
            kind: match session.kind {
                SessionKind::Browser => "Browser",
                SessionKind::Api => "App",
            },
            first_seen: zone.format(session.created_at),
            first_seen_iso: zone.iso(session.created_at),
            last_seen: zone.format(session.last_seen_at),
            last_seen_iso: zone.iso(session.last_seen_at),
            current: session.id == current_session,
        }
    }
}

#[derive(Template)]
#[template(path = "account/devices.html")]
pub(super) struct DevicesPage<'a> {
    pub layout: Layout<'a>,
    pub csrf: String,
    pub devices: Vec<DeviceRow>,
    pub limit: u32,
}

impl<'a> DevicesPage<'a> {
    pub fn new(state: &'a AppState, csrf: String, devices: Vec<DeviceRow>) -> Self {
        Self { layout: layout(state, "Your devices"), csrf, devices, limit: state.session_limit }
    }

    pub fn has_others(&self) -> bool {
        self.devices.iter().any(|d| !d.current)
    }
}
