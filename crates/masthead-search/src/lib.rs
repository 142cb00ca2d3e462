//! Masthead's archive index: full-text search over every story, on tantivy.
//!
//! An index lives in a directory of its own, one per instance. Inside it,
//! `CURRENT` names the generation in use (`gen-<millis>/`, a tantivy index);
//! a rebuild writes a new generation beside it (`building-<millis>/` until it
//! is complete) and swaps `CURRENT` atomically, so searches keep being
//! answered from the old one meanwhile.
//!
//! There is one writer per index ([`Indexer`], tantivy's lock enforces it) and
//! any number of searches through [`ArchiveIndex::search`]; the writer reloads
//! the readers after each commit. Every commit carries the position in the
//! database's change log it has reached, as tantivy's commit payload, so an
//! instance that stopped between a database write and an index write picks up
//! where its index says it was.
//!
//! Snippets are cut from the free part of a story (headline, standfirst, first
//! paragraph), which is stored; the rest of the body is indexed but not
//! stored, and [`SearchPage::rest_snippet`] highlights it only when the caller
//! hands it the text — which it does only for readers allowed the story.

mod document;
mod query;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TEXT, TantivyDocument, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, IndexWriter, Order, ReloadPolicy, Term, doc};
use thiserror::Error;

pub use document::{IndexedStory, html_text};
pub use query::{MAX_PAGE, MAX_QUERY_CHARS, PAGE_SIZE, Part, QueryError, SearchRequest, Sort, Terms};

/// The file naming the generation in use.
const CURRENT: &str = "CURRENT";
/// Characters in a snippet.
const SNIPPET_CHARS: usize = 200;
/// How much more a match in the headline counts.
const HEADLINE_BOOST: f32 = 2.0;

/// What can go wrong with the index.
#[derive(Debug, Error)]
pub enum SearchError {
    /// The reader's query cannot be run; the message is for them.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// tantivy failed (disk, corruption, a second writer).
    #[error("search index failed: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The index directory could not be read or written.
    #[error("search index directory {path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> SearchError + '_ {
    move |source| SearchError::Io { path: path.to_owned(), source }
}

/// The fields of the schema.
#[derive(Debug, Clone, Copy)]
struct Fields {
    id: Field,
    slug: Field,
    section: Field,
    credit: Field,
    premium: Field,
    published: Field,
    headline: Field,
    lead: Field,
    rest: Field,
}

impl Fields {
    fn schema() -> Schema {
        let mut schema = Schema::builder();
        schema.add_i64_field("id", INDEXED | FAST | STORED);
        schema.add_text_field("slug", STORED);
        schema.add_text_field("section", STRING | FAST | STORED);
        schema.add_text_field("credit", STRING);
        schema.add_bool_field("premium", INDEXED | FAST | STORED);
        schema.add_i64_field("published", INDEXED | FAST | STORED);
        schema.add_text_field("headline", TEXT | STORED);
        schema.add_text_field("lead", TEXT | STORED);
        schema.add_text_field("rest", TEXT);
        schema.build()
    }

    fn of(schema: &Schema) -> Result<Self, SearchError> {
        let field = |name| schema.get_field(name).map_err(SearchError::from);
        Ok(Self {
            id: field("id")?,
            slug: field("slug")?,
            section: field("section")?,
            credit: field("credit")?,
            premium: field("premium")?,
            published: field("published")?,
            headline: field("headline")?,
            lead: field("lead")?,
            rest: field("rest")?,
        })
    }

    fn document(&self, story: &IndexedStory) -> TantivyDocument {
        doc!(
            self.id => story.id,
            self.slug => story.slug.as_str(),
            self.section => story.section.as_str(),
            self.credit => story.credit.to_lowercase(),
            self.premium => story.premium,
            self.published => story.first_published_at.timestamp(),
            self.headline => story.headline.as_str(),
            self.lead => story.lead.as_str(),
            self.rest => story.rest.as_str(),
        )
    }
}

/// One generation: a tantivy index and its reader.
struct Generation {
    name: String,
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

impl Generation {
    fn open(root: &Path, name: &str) -> Result<Self, SearchError> {
        let path = root.join(name);
        std::fs::create_dir_all(&path).map_err(io_error(&path))?;
        let directory = tantivy::directory::MmapDirectory::open(&path)
            .map_err(|e| SearchError::Index(tantivy::TantivyError::from(e)))?;
        let index = Index::open_or_create(directory, Fields::schema())?;
        let fields = Fields::of(&index.schema())?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(Self { name: name.to_owned(), index, reader, fields })
    }

    /// The change-log position of the last commit.
    fn position(&self) -> Result<i64, SearchError> {
        Ok(self.index.load_metas()?.payload.and_then(|p| p.parse().ok()).unwrap_or(0))
    }
}

/// An archive index: searches from any thread; one [`Indexer`] writes.
pub struct ArchiveIndex {
    root: PathBuf,
    current: RwLock<Arc<Generation>>,
}

impl std::fmt::Debug for ArchiveIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArchiveIndex").field("root", &self.root).finish_non_exhaustive()
    }
}

fn generation_name(prefix: &str) -> String {
    format!("{prefix}-{}", Utc::now().timestamp_micros())
}

fn read_current(root: &Path) -> Option<String> {
    std::fs::read_to_string(root.join(CURRENT)).ok().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn write_current(root: &Path, name: &str) -> Result<(), SearchError> {
    let temporary = root.join(format!("{CURRENT}.tmp"));
    std::fs::write(&temporary, name).map_err(io_error(&temporary))?;
    std::fs::rename(&temporary, root.join(CURRENT)).map_err(io_error(root))
}

impl ArchiveIndex {
    /// Opens the index in `root`, creating an empty one if there is none.
    pub fn open(root: &Path) -> Result<Self, SearchError> {
        std::fs::create_dir_all(root).map_err(io_error(root))?;
        let name = match read_current(root) {
            Some(name) => name,
            None => {
                let name = generation_name("gen");
                Generation::open(root, &name)?;
                write_current(root, &name)?;
                name
            }
        };
        let generation = Generation::open(root, &name)?;
        Ok(Self { root: root.to_owned(), current: RwLock::new(Arc::new(generation)) })
    }

    fn generation(&self) -> Arc<Generation> {
        self.current.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// The directory the index lives in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The change-log position the searchable index has reached.
    pub fn position(&self) -> Result<i64, SearchError> {
        self.generation().position()
    }

    /// Stories in the index.
    pub fn len(&self) -> u64 {
        self.generation().reader.searcher().num_docs()
    }

    /// Whether the index holds no story.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes the generation in use takes on disk.
    pub fn size_on_disk(&self) -> u64 {
        dir_size(&self.root.join(&self.generation().name))
    }

    /// The single writer. `threads` indexing threads share `heap_bytes`.
    pub fn indexer(self: &Arc<Self>, threads: usize, heap_bytes: usize) -> Result<Indexer, SearchError> {
        let generation = self.generation();
        let writer = generation.index.writer_with_num_threads(threads, heap_bytes)?;
        // Generations a finished rebuild left behind are no longer read by anyone.
        remove_stale_generations(&self.root, &generation.name);
        Ok(Indexer { index: self.clone(), generation, writer, threads, heap_bytes })
    }

    /// Runs a search.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchPage, SearchError> {
        let generation = self.generation();
        let fields = generation.fields;
        let searcher = generation.reader.searcher();
        let text_query = text_query(&generation.index, &fields, &request.terms)?;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query.box_clone())];
        let term = |t: Term| -> Box<dyn Query> { Box::new(TermQuery::new(t, IndexRecordOption::Basic)) };
        if let Some(section) = &request.section {
            clauses.push((Occur::Must, term(Term::from_field_text(fields.section, section))));
        }
        if let Some(credit) = &request.credit {
            clauses.push((Occur::Must, term(Term::from_field_text(fields.credit, &credit.trim().to_lowercase()))));
        }
        if let Some(premium) = request.premium {
            clauses.push((Occur::Must, term(Term::from_field_bool(fields.premium, premium))));
        }
        if request.from.is_some() || request.until.is_some() {
            let bound = |at: Option<DateTime<Utc>>, inclusive: bool| match at {
                None => std::ops::Bound::Unbounded,
                Some(at) if inclusive => {
                    std::ops::Bound::Included(Term::from_field_i64(fields.published, at.timestamp()))
                }
                Some(at) => std::ops::Bound::Excluded(Term::from_field_i64(fields.published, at.timestamp())),
            };
            clauses
                .push((Occur::Must, Box::new(RangeQuery::new(bound(request.from, true), bound(request.until, false)))));
        }
        let query = BooleanQuery::new(clauses);
        let page = request.page.clamp(1, MAX_PAGE);
        let window = TopDocs::with_limit(PAGE_SIZE).and_offset((page - 1) * PAGE_SIZE);
        let (total, addresses) = match request.sort {
            Sort::Relevance => {
                let (total, top) = searcher.search(&query, &(Count, window.order_by_score()))?;
                (total, top.into_iter().map(|(_, address)| address).collect::<Vec<_>>())
            }
            Sort::Newest => {
                let collector = window.order_by_fast_field::<i64>("published", Order::Desc);
                let (total, top) = searcher.search(&query, &(Count, collector))?;
                (total, top.into_iter().map(|(_, address)| address).collect())
            }
        };
        let mut lead_snippets = SnippetGenerator::create(&searcher, &*text_query, fields.lead)?;
        lead_snippets.set_max_num_chars(SNIPPET_CHARS);
        let mut rest_snippets = SnippetGenerator::create(&searcher, &*text_query, fields.rest)?;
        rest_snippets.set_max_num_chars(SNIPPET_CHARS);
        let mut hits = Vec::with_capacity(addresses.len());
        for address in addresses {
            let stored: TantivyDocument = searcher.doc(address)?;
            let text = |field| stored.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            let lead = text(fields.lead);
            let (snippet, snippet_marks) = highlight(&lead_snippets, &lead);
            hits.push(Hit {
                id: stored.get_first(fields.id).and_then(|v| v.as_i64()).unwrap_or_default(),
                slug: text(fields.slug),
                section: text(fields.section),
                headline: text(fields.headline),
                premium: stored.get_first(fields.premium).and_then(|v| v.as_bool()).unwrap_or(true),
                first_published_at: stored
                    .get_first(fields.published)
                    .and_then(|v| v.as_i64())
                    .and_then(|s| DateTime::from_timestamp(s, 0))
                    .unwrap_or_default(),
                snippet,
                snippet_marks,
            });
        }
        Ok(SearchPage { total, page, hits, rest_snippets })
    }
}

/// A snippet of `text` with the query's terms in `<mark>`, HTML-escaped, and
/// how many terms it marks; the start of the text when none was found.
fn highlight(generator: &SnippetGenerator, text: &str) -> (String, usize) {
    let mut snippet = generator.snippet(text);
    if snippet.highlighted().is_empty() {
        let mut end = text.len().min(SNIPPET_CHARS);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let cut = if end < text.len() { text[..end].rfind(' ').unwrap_or(end) } else { end };
        let mut plain = masthead_domain::html::escape(&text[..cut]);
        if cut < text.len() {
            plain.push('…');
        }
        return (plain, 0);
    }
    snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
    (snippet.to_html(), snippet.highlighted().len())
}

/// The reader's words as a query over headline, lead and the rest of the body.
fn text_query(index: &Index, fields: &Fields, terms: &Terms) -> Result<Box<dyn Query>, SearchError> {
    let mut tokenizer = index.tokenizer_for_field(fields.lead)?;
    let mut tokens_of = |text: &str| {
        let mut tokens = Vec::new();
        let mut stream = tokenizer.token_stream(text);
        while stream.advance() {
            tokens.push(stream.token().text.clone());
        }
        tokens
    };
    let mut phrase = |text: &str| -> Option<Box<dyn Query>> {
        let tokens = tokens_of(text);
        if tokens.is_empty() {
            return None;
        }
        let per_field =
            [(fields.headline, HEADLINE_BOOST), (fields.lead, 1.0), (fields.rest, 1.0)].map(|(field, boost)| {
                let query: Box<dyn Query> = if tokens.len() == 1 {
                    Box::new(TermQuery::new(Term::from_field_text(field, &tokens[0]), IndexRecordOption::WithFreqs))
                } else {
                    Box::new(PhraseQuery::new(tokens.iter().map(|t| Term::from_field_text(field, t)).collect()))
                };
                let boosted: Box<dyn Query> =
                    if boost == 1.0 { query } else { Box::new(BoostQuery::new(query, boost)) };
                (Occur::Should, boosted)
            });
        Some(Box::new(BooleanQuery::new(per_field.into())))
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for part in &terms.0 {
        match part {
            Part::Phrase(text) => clauses.extend(phrase(text).map(|q| (Occur::Must, q))),
            Part::Any(alternatives) => {
                let any: Vec<_> = alternatives.iter().filter_map(|a| phrase(a)).map(|q| (Occur::Should, q)).collect();
                if !any.is_empty() {
                    clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
                }
            }
            Part::Not(text) => clauses.extend(phrase(text).map(|q| (Occur::MustNot, q))),
        }
    }
    if !clauses.iter().any(|(occur, _)| *occur == Occur::Must) {
        return Err(QueryError::NothingToFind.into());
    }
    Ok(Box::new(BooleanQuery::new(clauses)))
}

/// One result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Story id.
    pub id: i64,
    /// URL slug.
    pub slug: String,
    /// Section slug.
    pub section: String,
    /// Headline.
    pub headline: String,
    /// Marked premium.
    pub premium: bool,
    /// First published.
    pub first_published_at: DateTime<Utc>,
    /// HTML: escaped text from the free part, matches in `<mark>`.
    pub snippet: String,
    /// Matches marked in the snippet (0: the snippet is the free part's start).
    pub snippet_marks: usize,
}

/// A page of results.
pub struct SearchPage {
    /// Stories matching, on every page.
    pub total: usize,
    /// This page's number.
    pub page: usize,
    /// This page's results.
    pub hits: Vec<Hit>,
    rest_snippets: SnippetGenerator,
}

impl SearchPage {
    /// A highlighted snippet of the withheld part of a story, from its body
    /// text, and how many matches it marks; `None` when it has none. Call it
    /// only for a reader allowed to read the story.
    pub fn rest_snippet(&self, body_text: &str) -> Option<(String, usize)> {
        let (html, marks) = highlight(&self.rest_snippets, body_text);
        (marks > 0).then_some((html, marks))
    }

    /// Whether a later page has results.
    pub fn has_more(&self) -> bool {
        self.page * PAGE_SIZE < self.total && self.page < MAX_PAGE
    }
}

/// The one writer of an index.
pub struct Indexer {
    index: Arc<ArchiveIndex>,
    generation: Arc<Generation>,
    writer: IndexWriter,
    threads: usize,
    heap_bytes: usize,
}

impl Indexer {
    /// Adds or replaces a story (not visible until [`Indexer::commit`]).
    pub fn upsert(&mut self, story: &IndexedStory) -> Result<(), SearchError> {
        let fields = self.generation.fields;
        self.writer.delete_term(Term::from_field_i64(fields.id, story.id));
        self.writer.add_document(fields.document(story))?;
        Ok(())
    }

    /// Removes a story (unpublished or deleted).
    pub fn remove(&mut self, id: i64) {
        self.writer.delete_term(Term::from_field_i64(self.generation.fields.id, id));
    }

    /// Makes the changes durable and searchable, recording the change-log
    /// position they reach.
    pub fn commit(&mut self, position: i64) -> Result<(), SearchError> {
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&position.to_string());
        prepared.commit()?;
        self.generation.reader.reload()?;
        Ok(())
    }

    /// The change-log position of the last commit.
    pub fn position(&self) -> Result<i64, SearchError> {
        self.generation.position()
    }

    /// Follows a rebuild: if `CURRENT` names another generation than the one
    /// being written, switches readers and writer to it and removes the old
    /// one. Returns whether it switched.
    pub fn follow_rebuild(&mut self) -> Result<bool, SearchError> {
        let root = self.index.root.clone();
        match read_current(&root) {
            Some(name) if name != self.generation.name => {
                let generation = Arc::new(Generation::open(&root, &name)?);
                let writer = generation.index.writer_with_num_threads(self.threads, self.heap_bytes)?;
                let old = std::mem::replace(&mut self.writer, writer);
                drop(old);
                self.generation = generation.clone();
                *self.index.current.write().unwrap_or_else(|p| p.into_inner()) = generation;
                remove_stale_generations(&root, &name);
                tracing::info!(generation = %name, "search index switched to a rebuilt generation");
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

/// A rebuild in progress: a new generation beside the one in use.
pub struct Rebuild {
    root: PathBuf,
    name: String,
    writer: IndexWriter,
    fields: Fields,
    added: u64,
}

impl Rebuild {
    /// Starts a new generation in `root` (which need not hold an index yet).
    pub fn start(root: &Path, threads: usize, heap_bytes: usize) -> Result<Self, SearchError> {
        std::fs::create_dir_all(root).map_err(io_error(root))?;
        let name = generation_name("building");
        let generation = Generation::open(root, &name)?;
        let writer = generation.index.writer_with_num_threads(threads, heap_bytes)?;
        Ok(Self { root: root.to_owned(), name, writer, fields: generation.fields, added: 0 })
    }

    /// Adds a story.
    pub fn add(&mut self, story: &IndexedStory) -> Result<(), SearchError> {
        self.writer.add_document(self.fields.document(story))?;
        self.added += 1;
        Ok(())
    }

    /// Stories added so far.
    pub fn added(&self) -> u64 {
        self.added
    }

    /// Commits at change-log `position`, waits for merges, and makes the new
    /// generation the one in use. Returns its size on disk in bytes.
    pub fn finish(mut self, position: i64) -> Result<u64, SearchError> {
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&position.to_string());
        prepared.commit()?;
        self.writer.wait_merging_threads()?;
        let built = self.root.join(&self.name);
        let name = self.name.replacen("building", "gen", 1);
        let final_path = self.root.join(&name);
        std::fs::rename(&built, &final_path).map_err(io_error(&built))?;
        write_current(&self.root, &name)?;
        Ok(dir_size(&final_path))
    }
}

/// Removes `gen-*` directories other than `keep` (never a rebuild in progress).
fn remove_stale_generations(root: &Path, keep: &str) {
    let Ok(entries) = std::fs::read_dir(root) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("gen-")
            && name != keep
            && entry.path().is_dir()
            && let Err(error) = std::fs::remove_dir_all(entry.path())
        {
            tracing::warn!(%error, generation = %name, "cannot remove an old search index generation");
        }
    }
}

fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.metadata().map(|m| if m.is_dir() { dir_size(&e.path()) } else { m.len() }).unwrap_or(0))
                .sum()
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests;
