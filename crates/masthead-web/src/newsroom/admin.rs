//! Admin pages: staff accounts and their roles, sections, and the wire
//! agencies' rules.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use masthead_domain::email::Email;
use masthead_domain::role::RoleChangeRefused;
use masthead_domain::{Role, Section, Slug};
use masthead_store::{AgencyRouting, AgencyRule};
use serde::Deserialize;

use super::staff;
use super::stories::section_choices;
use super::views::{self, AgenciesPage, AgencyRow, Choice, Nav, SectionRow, SectionsPage, StaffPage, StaffRow};
use crate::auth::flows;
use crate::http::csrf::{self, CsrfForm};
use crate::http::error::PageError;
use crate::http::guard::{AdminOnly, RequireRole};
use crate::http::respond::see_other;
use crate::http::visitor::Visitor;
use crate::{AppState, SharedState};

#[derive(Deserialize)]
pub(crate) struct DoneQuery {
    done: Option<String>,
    error: Option<String>,
}

/// A message for `?done=` / `?error=` codes (never text from the URL).
fn message(code: Option<&str>) -> Option<String> {
    let text = match code? {
        "role" => "The role is saved. It applies from the account's next page.",
        "role-unconfirmed" => {
            "The role is saved. The account's address was not confirmed, so anyone could have made it: it is \
             signed out, its password no longer works, and the address was mailed a link to choose one (valid 24 hours)."
        }
        "section" => "The section is saved.",
        "agency" => "The agency's rule is saved.",
        "agency-removed" => "The rule is removed: that agency's copy is queued for an editor again.",
        "no-account" => "No account has that address. The person signs up first, or use `masthead staff add`.",
        "bad-role" => "Choose one of the roles.",
        "last-admin" => "That is the last admin: make another account admin first.",
        "bad-section" => "A section needs a slug of lower-case letters, digits and hyphens, and a name.",
        "bad-routes" => {
            "A routing line could not be read: write codes (subj:04*, medtop:20000344, \"a name\"), then ->, then an existing section and/or tags: a, b. The urgency is a number from 0 (never breaking) to 9."
        }
        "bad-agency" => {
            "An agency rule needs the agency's name, one of the sections, and an http:// feed URL or none (feeds are fetched over plain HTTP)."
        }
        _ => return None,
    };
    Some(text.to_owned())
}

fn role_choices(selected: Role) -> Vec<Choice> {
    Role::ALL
        .iter()
        .map(|r| Choice { value: r.as_str().to_owned(), label: r.as_str().to_owned(), selected: *r == selected })
        .collect()
}

/// `/newsroom/staff`: every staff account and its role.
#[tracing::instrument(skip_all)]
pub(crate) async fn staff_page(
    State(state): State<SharedState>,
    admin: RequireRole<AdminOnly>,
    visitor: Visitor,
    axum::extract::Query(query): axum::extract::Query<DoneQuery>,
) -> Result<Response, PageError> {
    let staff = state.store.staff().await?;
    let page = StaffPage {
        layout: views::layout(&state, "Staff"),
        nav: Nav::new(admin.account()),
        csrf: csrf::token(&state, &visitor),
        staff: staff.iter().map(|s| StaffRow { email: s.email.clone(), roles: role_choices(s.role) }).collect(),
        roles: role_choices(Role::Writer),
        error: message(query.error.as_deref()),
        notice: message(query.done.as_deref()),
    };
    Ok(visitor.remember(views::page(StatusCode::OK, &page)))
}

#[derive(Deserialize)]
pub(crate) struct RoleForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

/// `POST /newsroom/staff`: gives an existing account a role (`reader` takes
/// the newsroom away). The last admin cannot be demoted.
#[tracing::instrument(skip_all)]
pub(crate) async fn set_role(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Result<Response, PageError> {
    let back = |code: &str| Ok(see_other(&format!("/newsroom/staff?{code}")));
    let Some(role) = Role::parse(&form.role) else {
        return back("error=bad-role");
    };
    let Some(account) = (match Email::parse(&form.email) {
        Ok(email) => state.store.reader_by_email(&email).await?,
        Err(_) => None,
    }) else {
        return back("error=no-account");
    };
    let set_password = staff::reclaim_for_role(&state.store, &account, role, state.clock.now()).await?;
    if let Err(RoleChangeRefused::LastAdmin) = state.store.set_role(account.id, role).await? {
        return back("error=last-admin");
    }
    tracing::info!(account = account.id, %role, "staff role changed");
    match (set_password, Email::parse(&account.email)) {
        (Some(secret), Ok(address)) => {
            flows::mail_password_link(&state, address, &secret, staff::SET_PASSWORD_FOR);
            back("done=role-unconfirmed")
        }
        _ => back("done=role"),
    }
}

/// `/newsroom/sections`: the sections, with their names, order and flag.
#[tracing::instrument(skip_all)]
pub(crate) async fn sections_page(
    State(state): State<SharedState>,
    admin: RequireRole<AdminOnly>,
    visitor: Visitor,
    axum::extract::Query(query): axum::extract::Query<DoneQuery>,
) -> Result<Response, PageError> {
    let sections = state.store.sections().await?;
    let page = SectionsPage {
        layout: views::layout(&state, "Sections"),
        nav: Nav::new(admin.account()),
        csrf: csrf::token(&state, &visitor),
        rows: sections
            .into_iter()
            .map(|s| SectionRow { slug: s.slug, name: s.name, premium: s.premium, position: s.position })
            .collect(),
        error: message(query.error.as_deref()),
        notice: message(query.done.as_deref()),
    };
    Ok(visitor.remember(views::page(StatusCode::OK, &page)))
}

#[derive(Deserialize)]
pub(crate) struct SectionForm {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    name: String,
    position: Option<String>,
    premium: Option<String>,
}

/// `POST /newsroom/sections`: adds a section or changes one.
#[tracing::instrument(skip_all)]
pub(crate) async fn save_section(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    CsrfForm(form): CsrfForm<SectionForm>,
) -> Result<Response, PageError> {
    let name = form.name.split_whitespace().collect::<Vec<_>>().join(" ");
    let position = match form.position.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(None),
        Some(typed) => typed.parse::<i64>().map(Some),
    };
    let (Ok(slug), false, Ok(position)) = (Slug::parse(form.slug.trim()), name.is_empty(), position) else {
        return Ok(see_other("/newsroom/sections?error=bad-section"));
    };
    let position = position.or_else(|| position_of(&state, slug.as_str())).unwrap_or(100);
    let section = Section { slug: slug.as_str().to_owned(), name, premium: form.premium.is_some(), position };
    state.store.upsert_sections(&[section]).await?;
    Ok(see_other("/newsroom/sections?done=section"))
}

fn position_of(state: &AppState, slug: &str) -> Option<i64> {
    state.section(slug).map(|s| s.position)
}

/// `/newsroom/agencies`: what happens to each agency's copy.
#[tracing::instrument(skip_all)]
pub(crate) async fn agencies_page(
    State(state): State<SharedState>,
    admin: RequireRole<AdminOnly>,
    visitor: Visitor,
    axum::extract::Query(query): axum::extract::Query<DoneQuery>,
) -> Result<Response, PageError> {
    let rules = state.store.agency_rules().await?;
    let mut routing = state.store.agency_routing().await?;
    let page = AgenciesPage {
        layout: views::layout(&state, "Agencies"),
        nav: Nav::new(admin.account()),
        csrf: csrf::token(&state, &visitor),
        rows: rules
            .into_iter()
            .map(|r| {
                let routing = routing.remove(&r.agency).unwrap_or_default();
                AgencyRow {
                    sections: section_choices(&state, &r.section),
                    agency: r.agency,
                    publish: r.publish,
                    feed_url: r.feed_url.unwrap_or_default(),
                    routes: routing.routes,
                    breaking_urgency: routing.breaking_urgency,
                }
            })
            .collect(),
        sections: section_choices(&state, ""),
        error: message(query.error.as_deref()),
        notice: message(query.done.as_deref()),
    };
    Ok(visitor.remember(views::page(StatusCode::OK, &page)))
}

#[derive(Deserialize)]
pub(crate) struct AgencyForm {
    #[serde(default)]
    agency: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    section: String,
    #[serde(default)]
    feed_url: String,
    /// Routing lines (see `masthead_wire::Routes`).
    #[serde(default)]
    routes: String,
    /// The urgency at or under which copy is breaking (0 never); empty keeps the default.
    #[serde(default)]
    breaking_urgency: String,
}

/// The routing an agency form asks for, checked: lines that read, sections
/// that exist, an urgency from 0 to 9. `None` when any of it is wrong.
fn routing_of(state: &AppState, form: &AgencyForm) -> Option<AgencyRouting> {
    let routes = masthead_wire::Routes::parse(&form.routes).ok()?;
    if routes.sections().any(|s| state.section(s).is_none()) {
        return None;
    }
    let breaking_urgency = match form.breaking_urgency.trim() {
        "" => masthead_store::DEFAULT_BREAKING_URGENCY,
        n => n.parse().ok().filter(|u| *u <= 9)?,
    };
    Some(AgencyRouting { routes: routes.to_text(), breaking_urgency })
}

/// `POST /newsroom/agencies`: creates or replaces an agency's rule.
#[tracing::instrument(skip_all)]
pub(crate) async fn save_agency(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    CsrfForm(form): CsrfForm<AgencyForm>,
) -> Result<Response, PageError> {
    let agency = form.agency.split_whitespace().collect::<Vec<_>>().join(" ");
    let feed_url = form.feed_url.trim();
    // `masthead wire watch` fetches plain HTTP only (no TLS client in this build).
    let feed_ok = feed_url.is_empty() || feed_url.starts_with("http://");
    let publish = match form.mode.as_str() {
        "publish" => Some(true),
        "queue" => Some(false),
        _ => None,
    };
    let (false, Some(publish), true, true) =
        (agency.is_empty(), publish, state.section(&form.section).is_some(), feed_ok)
    else {
        return Ok(see_other("/newsroom/agencies?error=bad-agency"));
    };
    let Some(routing) = routing_of(&state, &form) else {
        return Ok(see_other("/newsroom/agencies?error=bad-routes"));
    };
    let rule = AgencyRule {
        agency,
        publish,
        section: form.section,
        feed_url: (!feed_url.is_empty()).then(|| feed_url.to_owned()),
    };
    state.store.put_agency_rule(&rule, state.clock.now()).await?;
    state.store.put_agency_routing(&rule.agency, &routing).await?;
    Ok(see_other("/newsroom/agencies?done=agency"))
}

#[derive(Deserialize)]
pub(crate) struct AgencyName {
    #[serde(default)]
    agency: String,
}

/// `POST /newsroom/agencies/delete`: removes an agency's rule.
#[tracing::instrument(skip_all)]
pub(crate) async fn delete_agency(
    State(state): State<SharedState>,
    _admin: RequireRole<AdminOnly>,
    CsrfForm(form): CsrfForm<AgencyName>,
) -> Result<Response, PageError> {
    state.store.delete_agency_rule(&form.agency).await?;
    Ok(see_other("/newsroom/agencies?done=agency-removed"))
}
