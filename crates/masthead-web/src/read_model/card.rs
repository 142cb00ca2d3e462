//! A story as lists show it, rendered once: lists are the same for every
//! reader and kept (see [`super::content`]), so pages copy each card as it is.

use askama::Template;
use masthead_domain::{ArticleSummary, PublisherZone};

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
    pub lang: Option<&'static str>,
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
    pub fn new(story: &ArticleSummary, zone: &PublisherZone) -> Self {
        let mut card = Self {
            url: story.path(),
            headline: story.headline.clone(),
            standfirst: story.standfirst.clone(),
            credit: story.credit.name().to_owned(),
            premium: story.premium,
            published: zone.format(story.first_published_at),
            published_iso: zone.iso(story.first_published_at),
            lang: masthead_domain::lang::of_text(&[&story.headline, &story.standfirst]),
            html: String::new(),
        };
        // Rendering a plain struct into a String cannot fail.
        card.html = CardItem { card: &card }.render().unwrap_or_default();
        card
    }

    pub fn many(stories: &[ArticleSummary], zone: &PublisherZone) -> Vec<Self> {
        stories.iter().map(|s| Self::new(s, zone)).collect()
    }
}
