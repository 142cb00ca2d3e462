//! The pages every reader reads, kept whole or as skeletons in the read
//! model: the home page, a section's pages, and a story — decided for this
//! reader (`super::reading`), filled with their own parts (the meter note,
//! the paywall, the house ad), never kept with them.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use masthead_domain::access::Access;
use masthead_domain::{ArticleSummary, Page, StoryPath};
use serde::Deserialize;

use super::reading::{Intent, open_story};
use super::views::{
    Desk, Fills, HOME_LEAD_SIZES, HomePage, LEAD_SIZES, Paywall, SectionPage, StoryExtras, StoryPage, StorySite,
};
use crate::billing::ads;
use crate::billing::views::AdSlot;
use crate::http::error::PageError;
use crate::http::respond::private;
use crate::http::session::SignedIn;
use crate::http::views::{self, Layout};
use crate::http::visitor::Visitor;
use crate::read_model::card::Card;
use crate::read_model::content::PageKey;
use crate::read_model::figure::{Figure, Placement};
use crate::read_model::skeleton::{Skeleton, hole};
use crate::{AppState, SharedState};

/// Stories per section page.
const SECTION_PAGE_SIZE: u32 = 20;
/// Stories per section on the home page.
const HOME_DESK_SIZE: u32 = 5;
/// How long wire copy flagged breaking leads the home page's "Breaking" strip.
const BREAKING_FOR: chrono::Duration = chrono::Duration::hours(6);
/// Stories in the "Breaking" strip, newest first.
const BREAKING_SIZE: u32 = 3;
/// Stories under "More From This Section".
const MORE_FROM_SECTION: u32 = 5;
/// The newest stories that may lead the home page when no editor chose one
/// (see [`home_lead`]): about what the top of a front page holds.
const LEAD_CANDIDATES: u32 = 10;

/// The story that leads the home page. An editor's choice leads as chosen
/// (with its picture if it has one: the desk decided). Otherwise a front
/// page leads with a picture, as a national daily does: the newest story
/// that has one among the newest [`LEAD_CANDIDATES`] leads, and the newer
/// ones without a picture stay at the top of their desks; when none of
/// them has a picture, the newest story leads without one.
fn home_lead<'a>(
    chosen: Option<&'a ArticleSummary>,
    candidates: &'a [ArticleSummary],
    pictured: impl Fn(&ArticleSummary) -> bool,
) -> Option<&'a ArticleSummary> {
    chosen.or_else(|| candidates.iter().find(|story| pictured(story))).or(candidates.first())
}

#[tracing::instrument(skip_all)]
pub(crate) async fn home(State(state): State<SharedState>, signed_in: SignedIn) -> Result<Response, PageError> {
    let zone = &state.zone;
    let standing = ads::standing(&state, &signed_in).await?;
    // The same for every visitor; a signed-in reader's header depends on their benefits.
    let fill = |skeleton: &Skeleton| {
        let page = skeleton.fill(&[views::subscribe_button(standing.subscribed)]);
        if signed_in.0.is_some() { private(page) } else { page }
    };
    let content = state.content.current(&state.store).await?;
    if let Some(page) = content.page(&PageKey::Home) {
        return Ok(fill(&page));
    }
    let latest = content.latest(None, Page::new(None, LEAD_CANDIDATES)).await?;
    let chosen = content.chosen_lead().await?;
    let pictured = |story: &ArticleSummary| {
        latest.stories.iter().zip(&latest.cards).any(|(s, card)| s.id == story.id && card.picture.is_some())
    };
    let lead = home_lead(chosen.as_deref(), &latest.stories, pictured);
    let sections = state.sections();
    let mut listings = Vec::with_capacity(sections.len());
    for section in sections.iter() {
        listings.push((section, content.latest(Some(&section.slug), Page::new(None, HOME_DESK_SIZE)).await?));
    }
    let lead_id = lead.map(|story| story.id);
    let desks = listings
        .iter()
        .map(|(section, listing)| Desk { section, cards: listing.cards_except(lead_id).collect() })
        .collect();
    // Kept with the page, which is built again on the next change anywhere.
    let lead_picture = match lead {
        Some(story) => state.store.lead_images(&[story.id]).await?.remove(&story.id),
        None => None,
    }
    .and_then(|image| Figure::of(&image, HOME_LEAD_SIZES, Placement::Lead));
    let breaking_ids = state.store.breaking_story_ids(state.clock.now() - BREAKING_FOR, BREAKING_SIZE).await?;
    let breaking: Vec<ArticleSummary> =
        state.store.published_articles(&breaking_ids).await?.into_iter().map(|a| a.summary).collect();
    let page = HomePage {
        layout: Layout::new(&state, String::new(), format!("The latest news from {}", state.publisher_name), None)
            .with_header_hole(),
        lead: lead.map(|story| Card::new(story, zone, None)),
        lead_picture,
        desks,
        breaking: Card::many(&breaking, zone),
    };
    // Kept until the content changes.
    Ok(match Skeleton::render(&page, 1) {
        Ok(page) => fill(&content.keep_page(PageKey::Home, page)),
        Err(error) => views::template_failed(error),
    })
}

#[derive(Deserialize)]
pub(crate) struct PageQuery {
    page: Option<String>,
}

#[tracing::instrument(skip_all, fields(section = %slug))]
pub(crate) async fn section(
    State(state): State<SharedState>,
    signed_in: SignedIn,
    Path(slug): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Response, PageError> {
    let section = state.section(&slug).ok_or(PageError::NotFound)?;
    let number = match query.page.as_deref() {
        None => 1,
        Some(raw) => raw.parse::<u32>().ok().filter(|n| *n >= 1).ok_or(PageError::NotFound)?,
    };
    let standing = ads::standing(&state, &signed_in).await?;
    let ad = ads::slot(&state, "section", standing.ad_free).await?;
    let subscribe = views::subscribe_button(standing.subscribed);
    let fill = |skeleton: &Skeleton| match (AdSlot { ad: ad.as_ref() }).render() {
        // A signed-in reader's page depends on their benefits (the header, the ad slot).
        Ok(ad) if signed_in.0.is_some() => private(skeleton.fill(&[subscribe, &ad])),
        Ok(ad) => skeleton.fill(&[subscribe, &ad]),
        Err(error) => views::template_failed(error),
    };
    let content = state.content.current(&state.store).await?;
    let key = PageKey::Section { slug: slug.clone(), number };
    if let Some(page) = content.page(&key) {
        return Ok(fill(&page));
    }
    let page = Page::new(Some(number), SECTION_PAGE_SIZE);
    let listing = content.latest(Some(&section.slug), page).await?;
    if listing.stories.is_empty() && number > 1 {
        return Err(PageError::NotFound);
    }
    let page_url = |n: u32| {
        if n == 1 { format!("/{}", section.slug) } else { format!("/{}?page={n}", section.slug) }
    };
    let title = if number > 1 { format!("{} (page {number})", section.name) } else { section.name.clone() };
    let view = SectionPage {
        layout: Layout::new(&state, title, format!("Latest {} news", section.name), Some(&section.slug))
            .with_header_hole(),
        section: &section,
        cards: listing.cards.iter().collect(),
        page: number,
        newer: (number > 1).then(|| page_url(number - 1)),
        older: listing.more.then(|| page_url(number + 1)),
        ad_hole: hole(1),
    };
    Ok(match Skeleton::render(&view, 2) {
        Ok(page) => fill(&content.keep_page(key, page)),
        Err(error) => views::template_failed(error),
    })
}

/// A story's lead picture, wire notes and related stories (read when its
/// page is built, then kept with the page).
async fn story_extras(state: &AppState, id: i64) -> Result<StoryExtras, PageError> {
    let lead =
        state.store.article_images(id).await?.first().and_then(|image| Figure::of(image, LEAD_SIZES, Placement::Lead));
    let (reporter, update_note) = state.store.wire_notes(id).await?;
    let agency = state.store.published_article(id).await?.and_then(|a| a.summary.credit.agency().map(str::to_owned));
    // "The Associated Press" beside "AP Moscow" says nothing new.
    let reporter = reporter.filter(|r| agency.as_deref().is_none_or(|agency| !names_the_agency(r, agency)));
    let related_ids = state.store.related_story_ids(id).await?;
    let related: Vec<ArticleSummary> =
        state.store.published_articles(&related_ids).await?.into_iter().map(|a| a.summary).collect();
    Ok(StoryExtras { lead, reporter, update_note, related: Card::many(&related, &state.zone) })
}

/// Whether a byline only names the agency: its name, or its initials
/// ("The Associated Press" for "AP"), with or without "By".
fn names_the_agency(byline: &str, agency: &str) -> bool {
    let lower = byline.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().filter(|w| !matches!(*w, "by" | "the" | "by:")).collect();
    let agency = agency.to_lowercase();
    let initials: String = words.iter().filter_map(|w| w.chars().next()).collect();
    words.join(" ") == agency || initials == agency.replace(['.', ' '], "")
}

/// `?welcome=1`: the reader has just paid (see `billing::checkout::after_paying`);
/// `?offer=CODE`: an offer link's code, shown on the paywall's plans.
#[derive(Deserialize)]
pub(crate) struct StoryQuery {
    welcome: Option<String>,
    offer: Option<String>,
}

#[tracing::instrument(skip_all, fields(path = %story))]
pub(crate) async fn story(
    State(state): State<SharedState>,
    visitor: Visitor,
    signed_in: SignedIn,
    Path((section_slug, story)): Path<(String, String)>,
    Query(query): Query<StoryQuery>,
) -> Result<Response, PageError> {
    let path = StoryPath::parse(&story).ok_or(PageError::NotFound)?;
    let content = state.content.current(&state.store).await?;
    let story = content.story(path.id).await?.ok_or(PageError::NotFound)?;
    let article = &story.article;
    let summary = &article.summary;
    if summary.section != section_slug || summary.slug.as_str() != path.slug {
        // 301: the classic permanent redirect every crawler and client follows.
        return Ok((StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, summary.path())]).into_response());
    }
    let section = state.section(&summary.section).ok_or(PageError::NotFound)?;
    let opened = open_story(&state, &visitor, &signed_in, summary, Intent::Page).await?;
    let access = opened.access;
    let key = PageKey::Story { id: summary.id, readable: access.is_readable() };
    let skeleton = match content.page(&key) {
        Some(kept) => kept,
        None => {
            let others = content.latest(Some(&section.slug), Page::new(None, MORE_FROM_SECTION + 1)).await?;
            let more = others.cards_except(Some(summary.id)).take(MORE_FROM_SECTION as usize).collect();
            let site = StorySite::of(&state);
            let extras = story_extras(&state, summary.id).await?;
            match StoryPage::skeleton(&site, &section, article, &story.free_part, access.is_readable(), more, &extras) {
                Ok(page) => content.keep_page(key, page),
                Err(error) => return Ok(views::template_failed(error)),
            }
        }
    };
    let paywall = match access {
        Access::Blocked { reason } => {
            let plans = state.plans.get(&state.store).await?;
            let mut paywall = Paywall::new(&state, &plans.0, &visitor, reason, &opened, &summary.path());
            // An offer's code: its price on the cards of the plans it is for, carried to the checkout.
            if let Some(code) = query.offer.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                let found = state.store.offer_by_code(code).await?;
                paywall.offer = paywall.offer.with_code(code, found.as_ref(), &plans.0, state.clock.now());
            }
            Some(paywall)
        }
        _ => None,
    };
    let ad = ads::slot(&state, "story", opened.ad_free).await?;
    // The welcome greets only a reader the payment made a subscriber.
    let welcome = query.welcome.is_some() && opened.subscribed && access.is_readable();
    let fills = Fills { access, subscribed: opened.subscribed, welcome, paywall, ad: ad.as_ref() };
    let page = StoryPage::page(&skeleton, &fills);
    Ok(private(visitor.remember(page)))
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use masthead_domain::{Credit, Lang, Slug};

    use super::*;

    fn story(id: i64) -> ArticleSummary {
        ArticleSummary {
            id,
            slug: Slug::from_headline("story"),
            section: "world".into(),
            headline: format!("Story {id}"),
            standfirst: String::new(),
            credit: Credit::Staff("Desk".into()),
            premium: false,
            first_published_at: Utc::now(),
            updated_at: Utc::now(),
            lang: Lang::site(),
        }
    }

    #[test]
    fn the_newest_pictured_story_leads_unless_an_editor_chose() {
        let newest_first = [story(5), story(4), story(3), story(2)];
        let with_pictures = |ids: &'static [i64]| move |s: &ArticleSummary| ids.contains(&s.id);
        let lead =
            |chosen: Option<&ArticleSummary>, ids| home_lead(chosen, &newest_first, with_pictures(ids)).map(|s| s.id);
        assert_eq!(lead(None, &[3, 2]), Some(3), "the newest with a picture, over two newer without");
        assert_eq!(lead(None, &[5, 3]), Some(5), "the newest story when it has one");
        assert_eq!(lead(None, &[]), Some(5), "none has a picture: the newest leads without");
        let chosen = story(9);
        assert_eq!(lead(Some(&chosen), &[3]), Some(9), "an editor's choice leads, picture or not");
        assert_eq!(home_lead(None, &[], |_| true).map(|s| s.id), None, "no stories, no lead");
    }
}
