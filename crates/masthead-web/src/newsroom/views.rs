//! The newsroom's view models and templates (`templates/newsroom/`).

use askama::Template;

use super::diff::DiffLine;
use crate::AppState;
use crate::http::session::Account;
use crate::http::views::Layout;

pub(super) use crate::http::views::private_page as page;

/// The newsroom's own navigation: what this account's role reaches.
pub(super) struct Nav {
    pub email: String,
    pub role: &'static str,
    pub editor: bool,
    pub admin: bool,
}

impl Nav {
    pub fn new(account: &Account) -> Self {
        Self {
            email: account.email.clone(),
            role: account.role.as_str(),
            editor: account.role.may_publish(),
            admin: account.role.may_administer(),
        }
    }
}

pub(super) fn layout<'a>(state: &'a AppState, title: &str) -> Layout<'a> {
    Layout::new(state, format!("{title} — Newsroom"), String::new(), None).without_subscribe()
}

/// A choice in a `<select>`.
pub(super) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One row of the story list.
pub(super) struct Row {
    pub id: i64,
    pub headline: String,
    pub section: String,
    pub credit: String,
    pub status: &'static str,
    pub when: String,
    pub premium: bool,
    pub live_path: Option<String>,
}

#[derive(Template)]
#[template(path = "newsroom/list.html")]
pub(super) struct ListPage<'a> {
    pub layout: Layout<'a>,
    pub nav: Nav,
    pub rows: Vec<Row>,
    pub statuses: Vec<Choice>,
    pub sections: Vec<Choice>,
    pub agencies: Vec<Choice>,
    pub author: String,
    pub page: u32,
    pub newer: Option<String>,
    pub older: Option<String>,
    pub own_only: bool,
}

/// The editor's fields as typed.
#[derive(Default)]
pub(super) struct Fields {
    pub headline: String,
    pub standfirst: String,
    pub body: String,
    pub byline: String,
    pub agency: String,
    pub dateline: String,
    pub premium: bool,
    pub tags: String,
    pub publish_at: String,
    /// The language tag, or empty: read it from the text's script.
    pub lang: String,
}

/// A story rendered as readers would see it, before saving.
pub(super) struct Preview {
    /// The story's language when it is not the site's.
    pub lang: Option<String>,
    pub headline: String,
    pub standfirst: String,
    pub byline: String,
    pub body_html: String,
}

#[derive(Template)]
#[template(path = "newsroom/editor.html")]
pub(super) struct EditorPage<'a> {
    pub layout: Layout<'a>,
    pub nav: Nav,
    pub csrf: String,
    /// None for a new story.
    pub id: Option<i64>,
    pub status: &'static str,
    pub fields: Fields,
    pub sections: Vec<Choice>,
    /// The languages to choose from, the first "Detect from the text".
    pub languages: Vec<Choice>,
    pub errors: Vec<String>,
    pub notice: Option<String>,
    pub preview: Option<Preview>,
    pub live_path: Option<String>,
    pub first_published: Option<String>,
    pub updated: Option<String>,
    pub scheduled_for: Option<String>,
    pub is_lead: bool,
}

impl EditorPage<'_> {
    pub fn action(&self) -> String {
        self.id.map_or_else(|| "/newsroom/stories".to_owned(), |id| format!("/newsroom/stories/{id}"))
    }

    pub fn is_published(&self) -> bool {
        self.status == "published"
    }
}

/// One revision in the history.
pub(super) struct RevisionRow {
    pub number: i64,
    pub saved_by: String,
    pub saved_at: String,
    pub action: String,
    pub headline: String,
}

#[derive(Template)]
#[template(path = "newsroom/revisions.html")]
pub(super) struct RevisionsPage<'a> {
    pub layout: Layout<'a>,
    pub nav: Nav,
    pub csrf: String,
    pub id: i64,
    pub headline: String,
    pub revisions: Vec<RevisionRow>,
}

#[derive(Template)]
#[template(path = "newsroom/diff.html")]
pub(super) struct DiffPage<'a> {
    pub layout: Layout<'a>,
    pub nav: Nav,
    pub csrf: String,
    pub id: i64,
    pub number: i64,
    pub against: Option<i64>,
    pub lines: Vec<DiffLine>,
}

/// A staff account on the staff page.
pub(super) struct StaffRow {
    pub email: String,
    pub roles: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "newsroom/staff.html")]
pub(super) struct StaffPage<'a> {
    pub layout: Layout<'a>,
    pub nav: Nav,
    pub csrf: String,
    pub staff: Vec<StaffRow>,
    pub roles: Vec<Choice>,
    pub error: Option<String>,
    pub notice: Option<String>,
}

/// A section on the sections page.
pub(super) struct SectionRow {
    pub slug: String,
    pub name: String,
    pub premium: bool,
    pub position: i64,
}

#[derive(Template)]
#[template(path = "newsroom/sections.html")]
pub(super) struct SectionsPage<'a> {
    pub layout: Layout<'a>,
    pub nav: Nav,
    pub csrf: String,
    pub rows: Vec<SectionRow>,
    pub error: Option<String>,
    pub notice: Option<String>,
}

/// An agency's rule on the agencies page.
pub(super) struct AgencyRow {
    pub agency: String,
    pub publish: bool,
    pub feed_url: String,
    pub sections: Vec<Choice>,
    /// Routing lines: codes -> section and tags.
    pub routes: String,
    /// The urgency at or under which its copy is breaking (0 never).
    pub breaking_urgency: u8,
}

#[derive(Template)]
#[template(path = "newsroom/agencies.html")]
pub(super) struct AgenciesPage<'a> {
    pub layout: Layout<'a>,
    pub nav: Nav,
    pub csrf: String,
    pub rows: Vec<AgencyRow>,
    pub sections: Vec<Choice>,
    pub error: Option<String>,
    pub notice: Option<String>,
}

/// An edition on the e-paper upload page.
pub(super) struct EpaperEditionRow {
    pub date: String,
    pub edition: String,
    pub pages: u32,
    pub imported: String,
    pub url: String,
}

#[derive(Template)]
#[template(path = "newsroom/epaper.html")]
pub(super) struct EpaperPage<'a> {
    pub layout: Layout<'a>,
    pub nav: Nav,
    pub csrf: String,
    pub rows: Vec<EpaperEditionRow>,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// The form's date and edition name.
    pub date: String,
    pub edition: String,
}
