//! The frame every page shares (masthead, section navigation, footer:
//! [`Layout`] over `templates/base.html`), rendering a template into a
//! response, and the pages any room may answer with: a notice ("check your
//! inbox", a refusal), 404 and 500. Times are formatted in the publisher's
//! zone by each room's views, never in templates.

use std::sync::{Arc, LazyLock};

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use masthead_domain::Section;

use super::respond::private;
use crate::AppState;

/// The frame every page shares: masthead, section navigation, footer.
pub(crate) struct Layout<'a> {
    pub publisher: &'a str,
    pub sections: Arc<[Section]>,
    pub title: String,
    pub description: String,
    /// The section the page belongs to, highlighted in the navigation.
    pub current: Option<&'a str>,
    /// Where the header's "Subscribe" button goes for a reader without a
    /// subscription: hole 0 on pages kept as skeletons (home, sections,
    /// stories), which fill it themselves; [`subscribe_slot`] on every other
    /// page, filled by billing's layer; none where it would be in the way
    /// (choosing a plan and paying, the newsroom).
    pub header_hole: Option<&'static str>,
}

impl<'a> Layout<'a> {
    pub fn new(state: &'a AppState, title: String, description: String, current: Option<&'a str>) -> Self {
        Self {
            publisher: &state.publisher_name,
            sections: state.sections(),
            title,
            description,
            current,
            header_hole: Some(subscribe_slot()),
        }
    }

    /// The layout with the header's "Subscribe" left as hole 0 (see [`subscribe_button`]).
    pub fn with_header_hole(self) -> Self {
        Self { header_hole: Some(crate::read_model::skeleton::hole(0)), ..self }
    }

    /// The layout without the header's "Subscribe" (choosing a plan and paying, the newsroom).
    pub fn without_subscribe(self) -> Self {
        Self { header_hole: None, ..self }
    }

    /// The `<title>`: the page's title, then the publication.
    pub fn full_title(&self) -> String {
        if self.title.is_empty() { self.publisher.to_owned() } else { format!("{} | {}", self.title, self.publisher) }
    }

    pub fn is_current(&self, slug: &str) -> bool {
        self.current == Some(slug)
    }
}

/// The header's fill for hole 0 of a skeleton page: a "Subscribe" button for
/// a reader without a subscription (a visitor, a reader with no benefit),
/// nothing for subscribers and staff.
pub(crate) fn subscribe_button(subscribed: bool) -> &'static str {
    if subscribed { "" } else { r#"<a class="button subscribe-button" href="/subscribe">Subscribe</a>"# }
}

/// The header's slot for "Subscribe" on a page that is not a skeleton: an
/// HTML comment with a random part, drawn once per process (no text a page
/// shows can contain it), which billing's layer replaces for each reader
/// (`crate::billing::header`).
pub(crate) fn subscribe_slot() -> &'static str {
    static SLOT: LazyLock<String> = LazyLock::new(|| format!("<!--subscribe {}-->", crate::secret::random_hex(16)));
    &SLOT
}

/// The 500 page for a template that failed, logged.
pub(crate) fn template_failed(error: askama::Error) -> Response {
    tracing::error!(%error, "template failed");
    server_error_page()
}

/// Renders a template, or the 500 page if rendering fails.
pub(crate) fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => template_failed(error),
    }
}

/// Renders a signed-in page (account, newsroom) with `status`: never cached
/// by anyone, and its address (a token, story ids, filters) never sent on to
/// the next site as `Referer`.
pub(crate) fn private_page(status: StatusCode, template: &impl Template) -> Response {
    let mut response = private(render(template));
    if response.status() == StatusCode::OK {
        *response.status_mut() = status;
    }
    response.headers_mut().insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// A link at the end of a notice.
pub(crate) struct Link {
    pub url: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage<'a> {
    layout: Layout<'a>,
    heading: &'a str,
    paragraphs: &'a [&'a str],
    link: Option<Link>,
}

/// A page that only says something: "check your inbox", "link expired", a refusal.
pub(crate) fn notice(
    state: &AppState,
    status: StatusCode,
    heading: &str,
    paragraphs: &[&str],
    link: Option<Link>,
) -> Response {
    // A notice is a step on the way (or a refusal): nothing to sell there.
    let layout = Layout::new(state, heading.to_owned(), String::new(), None).without_subscribe();
    private_page(status, &NoticePage { layout, heading, paragraphs, link })
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: Layout<'a>,
    heading: &'a str,
    message: &'a str,
}

fn error_page(status: StatusCode, heading: &str, message: &str) -> Response {
    let page = ErrorPage {
        layout: Layout {
            publisher: "Masthead",
            sections: Arc::new([]),
            title: heading.to_owned(),
            description: String::new(),
            current: None,
            header_hole: None,
        },
        heading,
        message,
    };
    let html = page.render().unwrap_or_else(|_| heading.to_owned());
    (status, Html(html)).into_response()
}

/// The 404 page.
pub(crate) fn not_found_page() -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        "Page not found",
        "We could not find that page. The story may have moved, or the address may be mistyped.",
    )
}

/// What `Retry-After` says when the database is out of reach.
pub(crate) const RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(5);

/// The 503 page while the database is out of reach, with `Retry-After`.
pub(crate) fn unavailable_page() -> Response {
    let mut response = error_page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Back in a moment",
        "We cannot reach our records just now. Please try again in a few seconds.",
    );
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER.as_secs()));
    response
}

/// The 500 page: says nothing about what went wrong inside.
pub(crate) fn server_error_page() -> Response {
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "We could not show this page just now. Please try again in a moment.",
    )
}
