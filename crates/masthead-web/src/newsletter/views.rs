//! What the newsletter pages show: one view model per page over the
//! templates in `templates/newsletter/`. Times are formatted here, in the
//! publisher's zone.

use askama::Template;
use masthead_mail::emails::NewsletterItem;
use masthead_newsletter::Cadence;
use masthead_store::{IssueRecord, NewsletterRecord};

use crate::AppState;
use crate::http::views::Layout;

/// What a reader can do about a list on `/newsletters`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Offer {
    /// Sign up by email (double opt-in).
    ByEmail,
    /// Signed in: sign up in one click.
    OneClick,
    /// Already receives it.
    Receiving,
    /// Subscriber-only, and this reader does not hold the benefit: the paywall.
    Subscribe,
}

/// A newsletter as `/newsletters` and the archive show it.
pub(crate) struct ListCard {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub cadence: String,
    pub subscribers_only: bool,
    pub offer: Offer,
}

impl ListCard {
    pub fn new(state: &AppState, list: &NewsletterRecord, offer: Offer) -> Self {
        Self {
            slug: list.slug.clone(),
            name: list.name.clone(),
            description: list.description.clone(),
            cadence: cadence_text(state, &list.cadence),
            subscribers_only: list.subscribers_only,
            offer,
        }
    }

    pub fn one_click(&self) -> bool {
        self.offer == Offer::OneClick
    }

    pub fn receiving(&self) -> bool {
        self.offer == Offer::Receiving
    }

    pub fn to_subscribe(&self) -> bool {
        self.offer == Offer::Subscribe
    }
}

/// A stored cadence as readers read it ("Daily at 7:00 AM IST").
pub(crate) fn cadence_text(state: &AppState, stored: &str) -> String {
    Cadence::parse(stored).map_or_else(|_| stored.to_owned(), |c| c.describe(&state.zone))
}

/// An issue in a list.
pub(crate) struct IssueLine {
    pub id: i64,
    pub subject: String,
    pub when: String,
    pub sent: bool,
}

impl IssueLine {
    pub fn new(state: &AppState, issue: &IssueRecord) -> Self {
        Self {
            id: issue.id,
            subject: issue.subject.clone(),
            when: state.zone.format(issue.sent_at.unwrap_or(issue.scheduled_at)),
            sent: issue.sent_at.is_some(),
        }
    }
}

#[derive(Template)]
#[template(path = "newsletter/index.html")]
pub(crate) struct IndexPage<'a> {
    pub layout: Layout<'a>,
    pub csrf: String,
    pub signed_in: bool,
    pub cards: Vec<ListCard>,
}

#[derive(Template)]
#[template(path = "newsletter/archive.html")]
pub(crate) struct ArchivePage<'a> {
    pub layout: Layout<'a>,
    pub card: ListCard,
    pub issues: Vec<IssueLine>,
}

#[derive(Template)]
#[template(path = "newsletter/issue.html")]
pub(crate) struct IssuePage<'a> {
    pub layout: Layout<'a>,
    pub slug: String,
    pub newsletter: String,
    pub subject: String,
    pub when: String,
    pub intro_html: String,
    pub items: Vec<NewsletterItem>,
}

#[derive(Template)]
#[template(path = "newsletter/confirm.html")]
pub(crate) struct ConfirmPage<'a> {
    pub layout: Layout<'a>,
    pub csrf: String,
    pub token: String,
}

#[derive(Template)]
#[template(path = "newsletter/unsubscribe.html")]
pub(crate) struct UnsubscribePage<'a> {
    pub layout: Layout<'a>,
    pub token: String,
    pub newsletter: String,
    pub email: String,
    pub receiving: bool,
}

/// A list on the manage page.
pub(crate) struct ManageRow {
    pub slug: String,
    pub name: String,
    pub cadence: String,
    /// Where this reader stands, in words.
    pub status: String,
    /// Why it does not arrive, when it should but does not.
    pub note: Option<String>,
    pub can_join: bool,
    pub can_leave: bool,
    pub to_subscribe: bool,
}

#[derive(Template)]
#[template(path = "newsletter/manage.html")]
pub(crate) struct ManagePage<'a> {
    pub layout: Layout<'a>,
    pub csrf: String,
    pub email: String,
    /// Why nothing is sent to the address any more (a bounce or complaint).
    pub stopped: Option<String>,
    pub rows: Vec<ManageRow>,
}

/// A list on the newsroom's page.
pub(crate) struct DeskList {
    pub slug: String,
    pub name: String,
    pub cadence: String,
    pub sections: String,
    pub audience: u64,
    pub subscribers_only: bool,
    pub issues: Vec<IssueLine>,
}

/// A story on the compose page: in the draft, or found by the desk's search.
pub(crate) struct StoryPick {
    pub id: i64,
    pub headline: String,
    pub section: String,
    pub published: String,
    pub premium: bool,
    /// Already in the draft.
    pub picked: bool,
}

/// The draft as the editor typed it: every compose button posts it all, and
/// the page writes it back.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct Draft {
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub intro: String,
    /// Story ids or addresses, one a line.
    #[serde(default)]
    pub stories: String,
    /// IST, `YYYY-MM-DDTHH:MM`; empty: now.
    #[serde(default)]
    pub send_at: String,
    /// The desk's search.
    #[serde(default)]
    pub q: String,
    /// A story the search found, to add to the draft.
    #[serde(default)]
    pub add: String,
    /// Which part to preview: `html` or `text`.
    #[serde(default)]
    pub part: String,
}

#[derive(Template)]
#[template(path = "newsletter/compose.html")]
pub(crate) struct ComposePage<'a> {
    pub layout: Layout<'a>,
    pub csrf: String,
    pub slug: String,
    pub name: String,
    /// Where an issue with no stories named takes them from.
    pub sections: String,
    pub draft: Draft,
    /// The draft's stories, in order, as far as they are published.
    pub chosen: Vec<StoryPick>,
    /// What the search found (None: no search asked).
    pub results: Option<Vec<StoryPick>>,
    pub error: Option<String>,
    pub done: Option<String>,
}

#[derive(Template)]
#[template(path = "newsletter/newsroom.html")]
pub(crate) struct DeskPage<'a> {
    pub layout: Layout<'a>,
    pub lists: Vec<DeskList>,
    pub done: Option<String>,
}
