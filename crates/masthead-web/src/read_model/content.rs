//! Published stories and story lists, kept in memory between requests.
//!
//! Every request first checks the database's content counter (see
//! `masthead_store::Counter`), which a trigger bumps in the same transaction
//! as any write to a story — from this instance, another instance, or a
//! `masthead wire import` beside the server. When it has moved, everything
//! kept is dropped; so an edit shows on the very next request on SQLite, and
//! on PostgreSQL on this instance's next request and on the others' once the
//! change's notification has arrived (milliseconds). Only what is the same for every reader is kept —
//! stories, lists (with their cards), the chosen home lead, and pages as
//! skeletons ([`super::skeleton::Skeleton`]) with holes for each reader's own parts;
//! never a meter, an access decision or a reader's page — and each request
//! decides for its own reader and fills the holes for them.
//!
//! Memory stays bounded: stories and pages are kept in two generations of at
//! most [`STORIES_PER_GENERATION`] and [`PAGES_PER_GENERATION`] each (a full
//! young generation becomes the old one, and what is read from the old one
//! moves back to the young), and lists are dropped wholesale when [`LISTS`]
//! are kept.

use std::collections::HashMap;
use std::sync::Arc;

use masthead_domain::html::SafeHtml;
use masthead_domain::{Article, ArticleSummary, Page, PublisherZone};
use masthead_store::{Store, StoreError};

use super::card::Card;
use super::skeleton::Skeleton;
use super::versioned::Versioned;

/// Stories kept per generation (a story is a few kilobytes).
const STORIES_PER_GENERATION: usize = 4_096;
/// Page skeletons kept per generation (a story page is some 25 kilobytes).
const PAGES_PER_GENERATION: usize = 512;
/// Story lists kept at most.
const LISTS: usize = 1_024;

/// A page of stories, newest first, with the cards lists show them as (the
/// same for every reader, so made once, with their pictures), and whether an older page follows.
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
        Self { free_part: article.free_part(), article }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ListKey {
    section: Option<String>,
    offset: u64,
    size: u32,
}

/// Which page a skeleton is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum PageKey {
    Home,
    /// A section's page `number`.
    Section {
        slug: String,
        number: u32,
    },
    /// A story's page as readers who may read it see it, or as the others do.
    Story {
        id: i64,
        readable: bool,
    },
}

/// Up to `N` entries in each of two generations: a full young generation
/// becomes the old one (the old one is dropped), and what is read from the
/// old one moves back to the young.
#[derive(Debug)]
struct Generations<K, V, const N: usize> {
    young: HashMap<K, V>,
    old: HashMap<K, V>,
}

impl<K, V, const N: usize> Default for Generations<K, V, N> {
    fn default() -> Self {
        Self { young: HashMap::new(), old: HashMap::new() }
    }
}

impl<K: Eq + std::hash::Hash + Clone, V: Clone, const N: usize> Generations<K, V, N> {
    fn get(&mut self, key: &K) -> Option<V> {
        if let Some(found) = self.young.get(key) {
            return Some(found.clone());
        }
        let found = self.old.remove(key)?;
        self.keep(key.clone(), found.clone());
        Some(found)
    }

    fn keep(&mut self, key: K, value: V) {
        if self.young.len() >= N {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(key, value);
    }
}

#[derive(Debug, Default)]
struct Shelf {
    stories: Generations<i64, Option<Arc<Story>>, STORIES_PER_GENERATION>,
    pages: Generations<PageKey, Arc<Skeleton>, PAGES_PER_GENERATION>,
    lists: HashMap<ListKey, Arc<Listing>>,
    /// The editors' chosen home-page lead, once asked.
    lead: Option<Option<Arc<ArticleSummary>>>,
}

impl Shelf {
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
        let version = super::counters::current(store, masthead_store::Counter::Content).await?;
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
        if let Some(found) = self.cache.shelf.at(self.version, |shelf| shelf.stories.get(&id)).flatten() {
            return Ok(found);
        }
        let found = self.store.published_article(id).await?.map(|article| Arc::new(Story::new(article)));
        self.cache.shelf.at(self.version, |shelf| shelf.stories.keep(id, found.clone()));
        Ok(found)
    }

    /// A page's skeleton, if kept.
    pub(crate) fn page(&self, key: &PageKey) -> Option<Arc<Skeleton>> {
        self.cache.shelf.at(self.version, |shelf| shelf.pages.get(key)).flatten()
    }

    /// Keeps a page's skeleton, made from what this version's cache gave.
    pub(crate) fn keep_page(&self, key: PageKey, skeleton: Skeleton) -> Arc<Skeleton> {
        let skeleton = Arc::new(skeleton);
        self.cache.shelf.at(self.version, |shelf| shelf.pages.keep(key, skeleton.clone()));
        skeleton
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
        let pictures = self.store.lead_images(&stories.iter().map(|s| s.id).collect::<Vec<_>>()).await?;
        let cards = Card::pictured(&stories, &self.cache.zone, &pictures);
        let found = Arc::new(Listing { stories, cards, more });
        self.cache.shelf.at(self.version, |shelf| shelf.keep_list(key, found.clone()));
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_read_from_the_old_generation_move_back_to_the_young() {
        let mut kept: Generations<i64, Option<i64>, 8> = Generations::default();
        for id in 0..8 {
            kept.keep(id, None);
        }
        // The young generation is full: the next entry starts a new one.
        kept.keep(-1, Some(1));
        assert_eq!(kept.young.len(), 1);
        assert_eq!(kept.old.len(), 8);
        assert_eq!(kept.get(&7), Some(None));
        assert!(kept.young.contains_key(&7) && !kept.old.contains_key(&7));
        assert_eq!(kept.get(&-1), Some(Some(1)));
        assert!(kept.get(&-2).is_none());
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
