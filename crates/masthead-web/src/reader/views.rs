//! What the reader's pages show: view models built from domain values and
//! the read model's cards, and the askama templates (in `templates/`) that
//! render them — the home page, sections, stories (with their holes and
//! their paywall), the archive and search. Times are formatted here, in the
//! publisher's zone, and nowhere else.

use std::sync::Arc;

use askama::Template;
use axum::response::Response;
use masthead_domain::access::{Access, BlockReason};
use masthead_domain::html::SafeHtml;
use masthead_domain::plan::Plan;
use masthead_domain::{Article, ArticleSummary, Credit, PublisherZone, Section};
use masthead_store::HouseAd;

use super::reading::Opened;
use crate::AppState;
use crate::billing::views::{AdSlot, ChooseForm, Offer};
use crate::http::csrf;
use crate::http::respond::{login_url, query_value};
use crate::http::views::{Layout, subscribe_button, template_failed};
use crate::http::visitor::Visitor;
use crate::read_model::card::Card;
use crate::read_model::figure::Figure;
use crate::read_model::skeleton::{Skeleton, hole};

/// One section's stories on the home page or an archive day.
pub(crate) struct Desk<'a> {
    pub section: &'a Section,
    pub cards: Vec<&'a Card>,
}

#[derive(Template)]
#[template(path = "home.html")]
pub(crate) struct HomePage<'a> {
    pub layout: Layout<'a>,
    pub lead: Option<Card>,
    /// The lead story's picture, drawn large beside it.
    pub lead_picture: Option<Figure>,
    pub desks: Vec<Desk<'a>>,
    /// Wire copy the agency flagged urgent, newest first.
    pub breaking: Vec<Card>,
}

#[derive(Template)]
#[template(path = "section.html")]
pub(crate) struct SectionPage<'a> {
    pub layout: Layout<'a>,
    pub section: &'a Section,
    pub cards: Vec<&'a Card>,
    pub page: u32,
    pub newer: Option<String>,
    pub older: Option<String>,
    /// Where the reader's house ad goes (see [`Skeleton`]).
    pub ad_hole: &'static str,
}

#[derive(Template)]
#[template(path = "story.html")]
pub(crate) struct StoryPage<'a> {
    pub layout: Layout<'a>,
    pub section: &'a Section,
    pub headline: &'a str,
    pub standfirst: &'a str,
    /// The story's language when it is not the site's (`<article lang>`).
    pub lang: Option<&'a str>,
    pub byline: String,
    pub premium: bool,
    /// The whole body, or only its free part (`Article::free_part`) when withheld.
    pub body_html: &'a str,
    /// The reader's own parts (see [`Skeleton`]): the meter note, the
    /// paywall and the house ad.
    pub holes: StoryHoles,
    pub disclaimer: Option<String>,
    pub updated: String,
    pub updated_iso: String,
    pub published: String,
    pub published_iso: String,
    pub json_ld: String,
    pub more: Vec<&'a Card>,
    /// The lead picture, shown to every reader (the paywall withholds text only).
    pub lead: Option<&'a Figure>,
    /// Wire copy's reporter ("By Jim Heintz"), beside the agency's credit.
    pub reporter: Option<&'a str>,
    /// The agency's note of the last change ("Updates with …").
    pub update_note: Option<&'a str>,
    /// Stories a wire package groups with this one.
    pub related: Vec<&'a Card>,
}

/// What a story page shows beyond the story itself: its lead picture, wire
/// copy's reporter and update note, and the stories related to it.
#[derive(Default)]
pub(crate) struct StoryExtras {
    pub lead: Option<Figure>,
    pub reporter: Option<String>,
    pub update_note: Option<String>,
    pub related: Vec<Card>,
}

/// How wide a story's lead picture is drawn: the column's width, or the screen's on phones.
pub(crate) const LEAD_SIZES: &str = "(max-width: 760px) 100vw, 760px";
/// How wide the home page's lead picture is drawn: two fifths of the page
/// beside the lead story, the screen's width on phones (`.lead.pictured`).
pub(crate) const HOME_LEAD_SIZES: &str = "(min-width: 72rem) 450px, (min-width: 48rem) 40vw, 100vw";

impl<'a> StoryPage<'a> {
    /// The page every reader who may read the story (`readable`), or every
    /// reader who may not, gets — less their own parts, left as holes.
    pub fn skeleton(
        site: &StorySite<'a>,
        section: &'a Section,
        article: &'a Article,
        free_part: &'a SafeHtml,
        readable: bool,
        more: Vec<&'a Card>,
        extras: &'a StoryExtras,
    ) -> Result<Skeleton, askama::Error> {
        let zone = site.zone;
        let story = &article.summary;
        let page = Self {
            layout: Layout {
                publisher: site.publisher,
                sections: site.sections.clone(),
                title: story.headline.clone(),
                description: story.standfirst.clone(),
                current: Some(&section.slug),
                header_hole: Some(hole(0)),
            },
            section,
            byline: article.byline(),
            disclaimer: article.disclaimer(site.publisher),
            headline: &story.headline,
            standfirst: &story.standfirst,
            lang: story.lang.differs_from_site().then(|| story.lang.as_str()),
            premium: story.premium,
            holes: StoryHoles { meter: hole(1), paywall: hole(2), ad: hole(3) },
            updated: zone.format(story.updated_at),
            updated_iso: zone.iso(story.updated_at),
            published: zone.format(story.first_published_at),
            published_iso: zone.iso(story.first_published_at),
            json_ld: news_article_json_ld(site, story, readable),
            body_html: if readable { article.body.as_str() } else { free_part.as_str() },
            more,
            lead: extras.lead.as_ref(),
            reporter: extras.reporter.as_deref(),
            update_note: extras.update_note.as_deref(),
            related: extras.related.iter().collect(),
        };
        Skeleton::render(&page, 4)
    }

    /// A story page's fills for one reader, in hole order: the header's
    /// "Subscribe", the meter note on a metered read, the paywall when the
    /// story is withheld, the ad.
    pub fn fills(reader: &Fills<'_>) -> Result<[String; 4], askama::Error> {
        let meter = match reader.access {
            _ if reader.welcome => Welcome.render()?,
            Access::Metered { .. } => MeterNote { note: reader.access.explain() }.render()?,
            _ => String::new(),
        };
        let paywall = reader.paywall.as_ref().map(|wall| wall.render()).transpose()?.unwrap_or_default();
        Ok([subscribe_button(reader.subscribed).to_owned(), meter, paywall, AdSlot { ad: reader.ad }.render()?])
    }

    /// The page for one reader: `skeleton` with [`Self::fills`].
    pub fn page(skeleton: &Skeleton, reader: &Fills<'_>) -> Response {
        match Self::fills(reader) {
            Ok(fills) => skeleton.fill(&fills.each_ref().map(String::as_str)),
            Err(error) => template_failed(error),
        }
    }
}

/// What one reader's story page is filled with.
pub(crate) struct Fills<'a> {
    pub access: Access,
    /// Staff, or a reader with some benefit: no "Subscribe" in the header.
    pub subscribed: bool,
    /// The reader has just subscribed: a welcome where the meter note goes.
    pub welcome: bool,
    /// The panel, when the story is withheld.
    pub paywall: Option<Paywall>,
    pub ad: Option<&'a HouseAd>,
}

/// The holes of a story page after the header's, in page order.
pub(crate) struct StoryHoles {
    pub meter: &'static str,
    pub paywall: &'static str,
    pub ad: &'static str,
}

/// "7 free stories left this month", on metered reads.
#[derive(Template)]
#[template(source = r#"<p class="meter-note" role="status">{{ note }}</p>"#, ext = "html")]
struct MeterNote {
    note: String,
}

/// The greeting on the story a new subscriber paid to read.
#[derive(Template)]
#[template(
    source = r#"<p class="welcome" role="status"><strong>Welcome, and thank you for subscribing.</strong> This story and every other one are yours to read.</p>"#,
    ext = "html"
)]
struct Welcome;

/// Renders a story page as the story route does for a reader `access` lets
/// read the story (metered or allowed), less the house ad: the view model,
/// template and filling alone, without a database or server, which is what
/// `benches/story_page.rs` measures. `None` when `access` withholds the
/// story (the paywall needs the plan catalogue), when the story's section
/// is not in `sections`, or when the template fails.
#[doc(hidden)]
pub fn render_story_page(
    publisher: &str,
    public_url: &str,
    zone: &PublisherZone,
    sections: &[Section],
    article: &Article,
    access: Access,
    more: &[ArticleSummary],
) -> Option<String> {
    if !access.is_readable() {
        return None;
    }
    let section = sections.iter().find(|s| s.slug == article.summary.section)?;
    let site = StorySite { publisher, public_url, zone, sections: Arc::from(sections) };
    let more = Card::many(more, zone);
    // Only readable pages come here: the withheld page's free part is not shown.
    let unused_free_part = SafeHtml::default();
    let extras = StoryExtras::default();
    let skeleton =
        StoryPage::skeleton(&site, section, article, &unused_free_part, true, more.iter().collect(), &extras).ok()?;
    let fills = StoryPage::fills(&Fills { access, subscribed: false, welcome: false, paywall: None, ad: None }).ok()?;
    String::from_utf8(skeleton.bytes(&fills.each_ref().map(String::as_str)).into()).ok()
}

/// What a story page shows of the site around the story.
pub(crate) struct StorySite<'a> {
    /// The publication's name, in the frame, the disclaimer and the structured data.
    pub publisher: &'a str,
    /// The site's address, for the structured data's canonical URL.
    pub public_url: &'a str,
    /// Where times are shown.
    pub zone: &'a PublisherZone,
    /// The navigation.
    pub sections: Arc<[Section]>,
}

impl<'a> StorySite<'a> {
    pub fn of(state: &'a AppState) -> Self {
        Self {
            publisher: &state.publisher_name,
            public_url: &state.public_url,
            zone: &state.zone,
            sections: state.sections(),
        }
    }
}

/// The element that stands for the part of a story a reader must pay for,
/// as a CSS selector: on a withheld page the paywall panel in its place, on
/// a subscriber's page of a premium story the body.
fn paid_part_selector(readable: bool) -> &'static str {
    if readable { ".story .body" } else { ".story .paywall" }
}

/// Schema.org `NewsArticle` for search engines. A story not free to read says
/// `isAccessibleForFree: false` and names its paid part in `hasPart` (a
/// `WebPageElement` with its CSS selector), as Google documents for
/// paywalled content, so that a withheld page is not taken for cloaking.
fn news_article_json_ld(site: &StorySite<'_>, story: &ArticleSummary, readable: bool) -> String {
    let author = match &story.credit {
        Credit::Staff(name) => serde_json::json!({ "@type": "Person", "name": name }),
        Credit::Wire(agency) => serde_json::json!({ "@type": "Organization", "name": agency }),
    };
    let free = readable && !story.premium;
    let mut value = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.headline,
        "description": story.standfirst,
        "datePublished": story.first_published_at.to_rfc3339(),
        "dateModified": story.updated_at.to_rfc3339(),
        "author": [author],
        "publisher": { "@type": "Organization", "name": site.publisher },
        "mainEntityOfPage": format!("{}{}", site.public_url, story.path()),
        "isAccessibleForFree": free,
        "inLanguage": story.lang.as_str(),
    });
    if !free {
        value["hasPart"] = serde_json::json!({
            "@type": "WebPageElement",
            "isAccessibleForFree": false,
            "cssSelector": paid_part_selector(readable),
        });
    }
    // `<` escaped so no string in the data can close the script element.
    value.to_string().replace('<', "\\u003c")
}

/// The panel that replaces a withheld story's text.
#[derive(Template)]
#[template(path = "paywall.html")]
pub(crate) struct Paywall {
    pub heading: String,
    pub subheading: String,
    pub login_url: String,
    pub subscribe_url: String,
    /// The plans, each card a form that goes to its checkout and back to the story.
    pub offer: Offer,
    /// Shown instead of the paywall when the reader's variant has a registration wall.
    pub wall: Option<Wall>,
}

impl Paywall {
    /// The panel for a story withheld for `reason` from a reader whose
    /// monthly limit is `limit`, offering `plans`.
    pub fn new(
        state: &AppState,
        plans: &[Plan],
        visitor: &Visitor,
        reason: BlockReason,
        opened: &Opened,
        story_path: &str,
    ) -> Self {
        let (limit, copy) = (opened.limit, &*opened.paywall);
        let metered = reason == BlockReason::MeterExhausted;
        let heading = match reason {
            BlockReason::MeterExhausted => copy
                .headline
                .clone()
                .unwrap_or_else(|| format!("You've reached your limit of {limit} free stories this month.")),
            BlockReason::PremiumStory => "This premium story is for subscribers.".to_owned(),
            BlockReason::PremiumSection => "The Smart Investor is for subscribers.".to_owned(),
            BlockReason::ArchiveOnly => format!(
                "Stories older than {} days are in the archive, a subscriber benefit.",
                state.archive_age.num_days()
            ),
        };
        let subheading = match (reason, &copy.text) {
            (BlockReason::MeterExhausted, Some(text)) => text.clone(),
            (BlockReason::MeterExhausted, None) => "Subscribe now for unlimited access.".to_owned(),
            _ => "Subscribe to read it, with unlimited access to everything else.".to_owned(),
        };
        let mut offer =
            Offer::new(plans, ChooseForm { csrf: csrf::token(state, visitor), next: Some(story_path.to_owned()) });
        // The experiment's (or its winner's) plan, when it is on sale, is the one highlighted.
        if let Some(plan) = copy.plan.filter(|id| metered && offer.plans.iter().any(|card| card.id == *id)) {
            for card in &mut offer.plans {
                card.best_value = card.id == plan;
            }
        }
        Self {
            heading,
            subheading,
            login_url: login_url(Some(story_path)),
            subscribe_url: format!("/subscribe?next={}", query_value(story_path)),
            wall: opened.wall.map(|more| Wall { more, csrf: csrf::token(state, visitor), next: story_path.to_owned() }),
            offer,
        }
    }
}

/// The registration wall: sign up free to read `more` stories this month.
pub(crate) struct Wall {
    pub more: u32,
    pub csrf: String,
    pub next: String,
}

/// A link to a neighbouring archive day.
pub(crate) struct DayLink {
    pub url: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "archive_day.html")]
pub(crate) struct ArchiveDayPage<'a> {
    pub layout: Layout<'a>,
    pub heading: String,
    pub desks: Vec<Desk<'a>>,
    pub previous: Option<DayLink>,
    pub next: Option<DayLink>,
}

/// The search form's fields as the reader last sent them, to fill it again.
pub(crate) struct SearchForm {
    pub q: String,
    pub section: String,
    pub from: String,
    pub to: String,
    pub sort: String,
    pub by: String,
    pub premium: String,
}

impl SearchForm {
    pub fn new(params: &std::collections::HashMap<String, String>) -> Self {
        let get = |name: &str| params.get(name).map(|v| v.trim().to_owned()).unwrap_or_default();
        Self {
            q: get("q"),
            section: get("section"),
            from: get("from"),
            to: get("to"),
            sort: get("sort"),
            by: get("by"),
            premium: get("premium"),
        }
    }

    /// The address of another page of the same search.
    pub fn url_for_page(&self, page: usize) -> String {
        let page = page.to_string();
        let pairs: Vec<(&str, &str)> = [
            ("q", self.q.as_str()),
            ("section", &self.section),
            ("from", &self.from),
            ("to", &self.to),
            ("sort", &self.sort),
            ("by", &self.by),
            ("premium", &self.premium),
            ("page", &page),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        format!("/search?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
    }

    pub fn is_section(&self, slug: &str) -> bool {
        self.section == slug
    }
}

/// One search result as the page shows it.
pub(crate) struct SearchResult {
    pub url: String,
    pub headline: String,
    pub section: String,
    pub published: String,
    pub published_iso: String,
    /// Escaped text with matches in `<mark>`.
    pub snippet: String,
}

#[derive(Template)]
#[template(path = "search.html")]
pub(crate) struct SearchResultsPage<'a> {
    pub layout: Layout<'a>,
    pub form: SearchForm,
    pub sections: Arc<[Section]>,
    /// A friendly word about a query that cannot be run.
    pub error: Option<String>,
    /// Matches in all, when a search ran.
    pub total: Option<masthead_search::Total>,
    pub results: Vec<SearchResult>,
    /// Pages of the printed editions that match: only for readers who may
    /// read the e-paper, who alone are told of them.
    pub print: Vec<crate::epaper::views::SearchHit>,
    pub previous: Option<String>,
    pub next: Option<String>,
}

/// A link in the archive's year and month lists, with how many stories it holds.
pub(crate) struct ArchiveLink {
    pub url: String,
    pub label: String,
    pub count: usize,
}

/// `/archive`, `/archive/YYYY` and `/archive/YYYY/MM`: links one level down.
#[derive(Template)]
#[template(path = "archive_list.html")]
pub(crate) struct ArchiveListPage<'a> {
    pub layout: Layout<'a>,
    pub heading: String,
    pub links: Vec<ArchiveLink>,
    pub up: Option<DayLink>,
    pub previous: Option<DayLink>,
    pub next: Option<DayLink>,
}
