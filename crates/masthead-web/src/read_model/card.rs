//! A story as lists show it, rendered once: lists are the same for every
//! reader and kept (see [`super::content`]), so pages copy each card as it is.
//! A story with a lead picture shows it small beside its headline, loaded
//! only when scrolled near.

use std::collections::HashMap;

use askama::Template;
use masthead_domain::{ArticleSummary, PublisherZone};
use masthead_store::StoredImage;

use super::figure::{Figure, Placement};

/// How wide a card's picture is drawn (`.card picture` in the stylesheet).
const THUMB_SIZES: &str = "120px";

/// A story as lists show it.
#[derive(Debug)]
pub(crate) struct Card {
    pub url: String,
    pub headline: String,
    pub standfirst: String,
    pub credit: String,
    pub premium: bool,
    pub published: String,
    pub published_iso: String,
    /// The story's language when it is not the site's (see `masthead_domain::lang`).
    pub lang: Option<String>,
    /// The story's lead picture, small.
    pub picture: Option<Figure>,
    /// The card as a list item, rendered once.
    pub html: String,
}

/// A card as a list item.
#[derive(Template)]
#[template(path = "card.html")]
struct CardItem<'a> {
    card: &'a Card,
}

impl Card {
    /// The card of a story, with its lead picture (`picture`) if it has one.
    pub fn new(story: &ArticleSummary, zone: &PublisherZone, picture: Option<&StoredImage>) -> Self {
        let picture = picture.and_then(|image| Figure::of(image, THUMB_SIZES, Placement::Below)).map(|figure| {
            // Beside the headline, which says what the story is: a second text would repeat it.
            Figure { alt: String::new(), caption: None, credit: None, ..figure }
        });
        let mut card = Self {
            url: story.path(),
            headline: story.headline.clone(),
            standfirst: story.standfirst.clone(),
            credit: story.credit.name().to_owned(),
            premium: story.premium,
            published: zone.format(story.first_published_at),
            published_iso: zone.iso(story.first_published_at),
            lang: story.lang.differs_from_site().then(|| story.lang.to_string()),
            picture,
            html: String::new(),
        };
        // Rendering a plain struct into a String cannot fail.
        card.html = CardItem { card: &card }.render().unwrap_or_default();
        card
    }

    /// Cards without pictures.
    pub fn many(stories: &[ArticleSummary], zone: &PublisherZone) -> Vec<Self> {
        Self::pictured(stories, zone, &HashMap::new())
    }

    /// Cards with the lead pictures (by story id) of the stories that have one.
    pub fn pictured(
        stories: &[ArticleSummary],
        zone: &PublisherZone,
        pictures: &HashMap<i64, StoredImage>,
    ) -> Vec<Self> {
        stories.iter().map(|s| Self::new(s, zone, pictures.get(&s.id))).collect()
    }
}
