//! Published stories and story lists, kept in memory between requests.
//!
//! Every request first reads the database's content counter (one indexed
//! row; see `masthead_store::Counters`), which a trigger bumps
//! in the same transaction as any write to a story — from this instance,
//! another instance, or a `masthead wire import` beside the server. When it
//! has moved, everything kept is dropped; so an edit shows on the very next
//! request, everywhere. Only what is the same for every reader is kept —
//! stories, lists (with their cards) and the chosen home lead, never a page, a meter or an access decision — and each
//! request decides and renders for its own reader.
//!
//! Memory stays bounded: stories are kept in two generations of at most
//! [`STORIES_PER_GENERATION`] each (a full young generation becomes the old
//! one, and what is read from the old one moves back to the young), and lists
//! are dropped wholesale when [`LISTS`] are kept.

use std::collections::HashMap;
use std::sync::Arc;

use masthead_domain::html::SafeHtml;
use masthead_domain::{Article, ArticleSummary, Page, PublisherZone};
use masthead_store::{Store, StoreError};

use crate::versioned::Versioned;
use crate::views::Card;

/// Stories kept per generation (a story page is a few kilobytes).
const STORIES_PER_GENERATION: usize = 4_096;
/// Story lists kept at most.
const LISTS: usize = 1_024;

/// A page of stories, newest first, with the cards lists show them as (the
/// same for every reader, so made once), and whether an older page follows.
#[derive(Debug)]
pub(crate) struct Listing {
    pub stories: Vec<ArticleSummary>,
    pub cards: Vec<Card>,
    pub more: bool,
}

impl Listing {
    /// The cards, less the story `except` (one shown elsewhere on the page).
    pub(crate) fn cards_except(&self, except: Option<i64>) -> impl Iterator<Item = &Card> {
        self.stories.iter().zip(&self.cards).filter(move |(story, _)| Some(story.id) != except).map(|(_, card)| card)
    }
}

/// A published story as kept: the article, and its free part made once.
#[derive(Debug)]
pub(crate) struct Story {
    pub article: Article,
    /// What a reader who may not read the story gets of its body.
    pub free_part: SafeHtml,
}

impl Story {
    fn new(article: Article) -> Self {
        Self { free_part: article.body.first_paragraph(), article }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ListKey {
    section: Option<String>,
    offset: u64,
    size: u32,
}

#[derive(Debug, Default)]
struct Shelf {
    young: HashMap<i64, Option<Arc<Story>>>,
    old: HashMap<i64, Option<Arc<Story>>>,
    lists: HashMap<ListKey, Arc<Listing>>,
    /// The editors' chosen home-page lead, once asked.
    lead: Option<Option<Arc<ArticleSummary>>>,
}

impl Shelf {
    fn story(&mut self, id: i64) -> Option<Option<Arc<Story>>> {
        if let Some(found) = self.young.get(&id) {
            return Some(found.clone());
        }
        let found = self.old.remove(&id)?;
        self.keep_story(id, found.clone());
        Some(found)
    }

    fn keep_story(&mut self, id: i64, story: Option<Arc<Story>>) {
        if self.young.len() >= STORIES_PER_GENERATION {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(id, story);
    }

    fn keep_list(&mut self, key: ListKey, listing: Arc<Listing>) {
        if self.lists.len() >= LISTS {
            self.lists.clear();
        }
        self.lists.insert(key, listing);
    }
}

/// The site's shared memory of published content.
#[derive(Debug)]
pub(crate) struct ContentCache {
    shelf: Versioned<Shelf>,
    /// The zone cards give times in.
    zone: PublisherZone,
}

impl ContentCache {
    pub(crate) fn new(zone: PublisherZone) -> Self {
        Self { shelf: Versioned::default(), zone }
    }

    /// Checks the content counter and returns a view that is current as of
    /// now: what it serves is at least as new as the database was when asked.
    pub(crate) async fn current<'a>(&'a self, store: &'a Store) -> Result<Current<'a>, StoreError> {
        let version = crate::counters::current(store).await?.content;
        self.shelf.seen(version);
        Ok(Current { cache: self, store, version })
    }
}

/// The cache as of one request's check of the content counter.
pub(crate) struct Current<'a> {
    cache: &'a ContentCache,
    store: &'a Store,
    version: i64,
}

impl Current<'_> {
    /// A published story by id.
    pub(crate) async fn story(&self, id: i64) -> Result<Option<Arc<Story>>, StoreError> {
        if let Some(found) = self.cache.shelf.at(self.version, |shelf| shelf.story(id)).flatten() {
            return Ok(found);
        }
        let found = self.store.published_article(id).await?.map(|article| Arc::new(Story::new(article)));
        self.cache.shelf.at(self.version, |shelf| shelf.keep_story(id, found.clone()));
        Ok(found)
    }

    /// The story editors chose to lead the home page, while it is published.
    pub(crate) async fn chosen_lead(&self) -> Result<Option<Arc<ArticleSummary>>, StoreError> {
        if let Some(found) = self.cache.shelf.at(self.version, |shelf| shelf.lead.clone()).flatten() {
            return Ok(found);
        }
        let found = self.store.chosen_home_lead().await?.map(Arc::new);
        self.cache.shelf.at(self.version, |shelf| shelf.lead = Some(found.clone()));
        Ok(found)
    }

    /// One page of published stories, newest first, from one section or all.
    pub(crate) async fn latest(&self, section: Option<&str>, page: Page) -> Result<Arc<Listing>, StoreError> {
        let key = ListKey { section: section.map(str::to_owned), offset: page.offset(), size: page.size() };
        if let Some(found) = self.cache.shelf.at(self.version, |shelf| shelf.lists.get(&key).cloned()).flatten() {
            return Ok(found);
        }
        let (stories, more) = self.store.latest(section, page).await?;
        let cards = Card::many(&stories, &self.cache.zone);
        let found = Arc::new(Listing { stories, cards, more });
        self.cache.shelf.at(self.version, |shelf| shelf.keep_list(key, found.clone()));
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stories_read_from_the_old_generation_move_back_to_the_young() {
        let mut shelf = Shelf::default();
        for id in 0..STORIES_PER_GENERATION as i64 {
            shelf.keep_story(id, None);
        }
        // The young generation is full: the next story starts a new one.
        shelf.keep_story(-1, None);
        assert_eq!(shelf.young.len(), 1);
        assert_eq!(shelf.old.len(), STORIES_PER_GENERATION);
        assert!(matches!(shelf.story(7), Some(None)));
        assert!(shelf.young.contains_key(&7) && !shelf.old.contains_key(&7));
        assert!(shelf.story(-2).is_none());
    }

    #[test]
    fn lists_are_bounded() {
        let mut shelf = Shelf::default();
        for offset in 0..=LISTS as u64 {
            shelf.keep_list(
                ListKey { section: None, offset, size: 1 },
                Arc::new(Listing { stories: Vec::new(), cards: Vec::new(), more: false }),
            );
        }
        assert_eq!(shelf.lists.len(), 1);
    }
}
