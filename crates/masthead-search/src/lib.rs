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
//! A search never tells a reader whether words are in text they may not read
//! ([`Reach`]): each story is indexed twice over, its whole text and its free
//! text (headline, standfirst and the body's free part), and a search matches
//! the whole text only of the stories this reader is entitled to, the free
//! text of the others. Snippets are cut from the free text, which is stored;
//! the body is indexed but not stored, and [`SearchPage::body_snippet`]
//! highlights it only when the caller hands it the text — which it does only
//! for readers allowed the story. A reader entitled to everything (staff, a
//! subscriber with every benefit) costs what a search always did; any other
//! runs the query over both texts, the whole text only where stories it may
//! read can be (for a visitor, the runs of stories of the last weeks).
//!
//! Speed at millions of stories comes from four choices. All of a story's
//! words go into one field (`text`, the headline twice so that a match there
//! weighs more), so every word of a query is a single posting list. Every two
//! neighbouring words are also indexed as one term (`pairs`), so a phrase of
//! common words (`"too early yet"`) checks positions only in the stories
//! holding all of its pairs. The total is counted exactly only up to
//! [`EXACT_TOTAL_LIMIT`]: past it the page says "more than" ([`Total`]), as
//! no reader pages that far and counting every one of two million matches
//! would cost more than the search. And both orders rank by a key that falls
//! with a story's age (newest first; relevance is BM25 times a recency
//! factor), so a search with more matches than that visits the index in runs
//! from the newest down and stops when no older run can make the page
//! (`ranking`). A bulk [`Rebuild`] never merges segments while it writes; the
//! live [`Indexer`] only merges segments smaller than [`LIVE_MERGE_MAX_DOCS`],
//! so a serving instance never rewrites the whole archive.

mod document;
mod pairs;
mod query;
mod ranking;
mod reach;
mod remembered;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use tantivy::indexer::{LogMergePolicy, NoMergePolicy};
use tantivy::query::{
    Bm25Weight, BooleanQuery, ConstScoreQuery, EnableScoring, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TEXT, TantivyDocument, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocSet, Index, IndexReader, IndexWriter, ReloadPolicy, Score, Searcher, TERMINATED, Term};
use thiserror::Error;

pub use document::{IndexedStory, html_text};
pub use query::{MAX_PAGE, MAX_PER_PAGE, MAX_QUERY_CHARS, PAGE_SIZE, Part, QueryError, SearchRequest, Sort, Terms};
pub use reach::Reach;

/// The file naming the generation in use.
const CURRENT: &str = "CURRENT";
/// The file holding this index's name among the instances following one log.
const INSTANCE: &str = "INSTANCE";
/// Characters in a snippet.
const SNIPPET_CHARS: usize = 200;
/// Matches counted one by one; past this many a [`Total`] is "more than".
pub const EXACT_TOTAL_LIMIT: usize = 10_000;
/// Segments up to this many stories may be merged by the live [`Indexer`];
/// the large ones a rebuild writes are left as they are.
pub const LIVE_MERGE_MAX_DOCS: usize = 200_000;

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
    text: Field,
    pairs: Field,
    free: Field,
    free_pairs: Field,
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
        schema.add_text_field("headline", STORED);
        schema.add_text_field("lead", STORED);
        // Headline (twice), standfirst and the whole body: what queries match
        // for readers entitled to the story.
        schema.add_text_field("text", TEXT);
        // Neighbouring words of headline and body as single terms (see
        // `pairs`): which stories hold them, nothing more.
        let pairs = TextFieldIndexing::default()
            .set_tokenizer(pairs::TOKENIZER)
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false);
        schema.add_text_field("pairs", TextOptions::default().set_indexing_options(pairs.clone()));
        // The same of the free text (headline twice, lead): what queries
        // match for everyone else.
        schema.add_text_field("free", TEXT);
        schema.add_text_field("free_pairs", TextOptions::default().set_indexing_options(pairs));
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
            text: field("text")?,
            pairs: field("pairs")?,
            free: field("free")?,
            free_pairs: field("free_pairs")?,
        })
    }

    fn document(&self, story: &IndexedStory) -> TantivyDocument {
        let mut document = TantivyDocument::new();
        document.add_i64(self.id, story.id);
        document.add_text(self.slug, &story.slug);
        document.add_text(self.section, &story.section);
        document.add_text(self.credit, story.credit.to_lowercase());
        document.add_bool(self.premium, story.premium);
        document.add_i64(self.published, story.first_published_at.timestamp());
        document.add_text(self.headline, &story.headline);
        document.add_text(self.lead, &story.lead);
        // Values of one field are indexed with a gap between them, so a
        // phrase never runs from the headline into the lead.
        for text in [&story.headline, &story.headline, &story.body] {
            document.add_text(self.text, text);
        }
        for text in [&story.headline, &story.headline, &story.lead] {
            document.add_text(self.free, text);
        }
        for text in [&story.headline, &story.body] {
            document.add_text(self.pairs, text);
        }
        for text in [&story.headline, &story.lead] {
            document.add_text(self.free_pairs, text);
        }
        document
    }
}

/// One generation: a tantivy index and its reader.
struct Generation {
    name: String,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    run_dates: ranking::RunDates,
    /// Answers found in this generation, until its reader moves on.
    remembered: remembered::Remembered,
}

impl Generation {
    fn open(root: &Path, name: &str) -> Result<Self, SearchError> {
        let path = root.join(name);
        std::fs::create_dir_all(&path).map_err(io_error(&path))?;
        let directory = tantivy::directory::MmapDirectory::open(&path)
            .map_err(|e| SearchError::Index(tantivy::TantivyError::from(e)))?;
        let index = Index::open_or_create(directory, Fields::schema())?;
        index.tokenizers().register(pairs::TOKENIZER, pairs::WordPairs::default());
        let fields = Fields::of(&index.schema())?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(Self {
            name: name.to_owned(),
            index,
            reader,
            fields,
            run_dates: ranking::RunDates::default(),
            remembered: remembered::Remembered::default(),
        })
    }

    /// The change-log position of the last commit.
    fn position(&self) -> Result<i64, SearchError> {
        Ok(self.index.load_metas()?.payload.and_then(|p| p.parse().ok()).unwrap_or(0))
    }
}

/// An archive index: searches from any thread; one [`Indexer`] writes.
pub struct ArchiveIndex {
    root: PathBuf,
    instance: String,
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

fn read_or_create_instance(root: &Path) -> Result<String, SearchError> {
    let path = root.join(INSTANCE);
    if let Ok(name) = std::fs::read_to_string(&path)
        && !name.trim().is_empty()
    {
        return Ok(name.trim().to_owned());
    }
    let name = format!("index-{:x}-{:x}", Utc::now().timestamp_micros(), std::process::id());
    std::fs::write(&path, &name).map_err(io_error(&path))?;
    Ok(name)
}

fn write_current(root: &Path, name: &str) -> Result<(), SearchError> {
    let temporary = root.join(format!("{CURRENT}.tmp"));
    std::fs::write(&temporary, name).map_err(io_error(&temporary))?;
    std::fs::rename(&temporary, root.join(CURRENT)).map_err(io_error(root))
}

impl ArchiveIndex {
    /// Opens the index in `root`, creating an empty one if there is none.
    ///
    /// An index written with another schema (by an older Masthead) is set
    /// aside for a new, empty one at position 0, which the instance then
    /// fills from the database like any new instance.
    pub fn open(root: &Path) -> Result<Self, SearchError> {
        std::fs::create_dir_all(root).map_err(io_error(root))?;
        let fresh = || -> Result<Generation, SearchError> {
            let name = generation_name("gen");
            let generation = Generation::open(root, &name)?;
            write_current(root, &name)?;
            Ok(generation)
        };
        let generation = match read_current(root) {
            Some(name) => match Generation::open(root, &name) {
                Err(SearchError::Index(tantivy::TantivyError::SchemaError(reason))) => {
                    tracing::warn!(
                        %reason,
                        generation = %name,
                        "the search index was written by another version of Masthead and cannot be read; \
                         starting a new one, which the server fills from the database (searches find less \
                         until it has caught up; `masthead reindex` rebuilds it at once)"
                    );
                    let generation = fresh()?;
                    remove_stale_generations(root, &generation.name);
                    generation
                }
                opened => opened?,
            },
            None => fresh()?,
        };
        let instance = read_or_create_instance(root)?;
        Ok(Self { root: root.to_owned(), instance, current: RwLock::new(Arc::new(generation)) })
    }

    /// This index's name among the instances following the database's log,
    /// chosen when the directory was first used and kept in it.
    pub fn instance(&self) -> &str {
        &self.instance
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
        let writer = live_writer(&generation, threads, heap_bytes)?;
        // Generations a finished rebuild left behind are no longer read by anyone.
        remove_stale_generations(&self.root, &generation.name);
        Ok(Indexer { index: self.clone(), generation, writer, threads, heap_bytes })
    }

    /// The answer to `request` if it was found since the index last changed
    /// (see `remembered`): cheap enough to ask before handing a search to a
    /// thread of its own.
    pub fn remembered(&self, request: &SearchRequest) -> Option<Arc<SearchPage>> {
        let (generation, searcher, key) = self.memory_of(request);
        generation.remembered.get(searcher, &key)
    }

    /// [`Self::search`], remembering the answer until the index changes.
    pub fn search_remembered(&self, request: &SearchRequest) -> Result<Arc<SearchPage>, SearchError> {
        let (generation, searcher, key) = self.memory_of(request);
        if let Some(page) = generation.remembered.get(searcher, &key) {
            return Ok(page);
        }
        let page = Arc::new(self.search(request)?);
        generation.remembered.keep(searcher, key, page.clone());
        Ok(page)
    }

    /// Where an answer to `request` is remembered: the generation in use, its
    /// reader's commit, and the request's key.
    fn memory_of(&self, request: &SearchRequest) -> (Arc<Generation>, u64, String) {
        let generation = self.generation();
        let searcher = generation.reader.searcher().generation().generation_id();
        (generation, searcher, format!("{request:?}"))
    }

    /// Runs a search.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchPage, SearchError> {
        let generation = self.generation();
        let fields = generation.fields;
        let searcher = generation.reader.searcher();
        let words = Words::of(&searcher, fields.text, fields.pairs, &request.terms)?;
        let text_query = BooleanQuery::new(words.clauses.iter().map(|(occur, q)| (*occur, q.box_clone())).collect());
        let reach = &request.reach;
        let (matched, best_score): (Box<dyn Query>, Score) = if reach.is_everything() {
            (Box::new(BooleanQuery::new(words.clauses)), words.best_score)
        } else {
            // The whole text of the stories the reader is entitled to, the
            // free text of the others: the two never match the same story.
            let runs = Arc::new(generation.run_dates.of_searcher(&searcher)?);
            let free = Words::of(&searcher, fields.free, fields.free_pairs, &request.terms)?;
            let on_free = reach.only(false, Box::new(BooleanQuery::new(free.clauses)), runs.clone());
            if reach.is_nothing() {
                (on_free, free.best_score)
            } else {
                let on_whole = reach.only(true, Box::new(BooleanQuery::new(words.clauses)), runs);
                let either: Vec<Clause> = vec![(Occur::Should, on_whole), (Occur::Should, on_free)];
                (Box::new(BooleanQuery::new(either)), words.best_score.max(free.best_score))
            }
        };
        let mut clauses: Vec<Clause> = vec![(Occur::Must, matched)];
        // Filters narrow the matches without adding to their scores.
        let mut filter =
            |query: Box<dyn Query>| clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0))));
        let term = |t: Term| -> Box<dyn Query> { Box::new(TermQuery::new(t, IndexRecordOption::Basic)) };
        if let Some(section) = &request.section {
            filter(term(Term::from_field_text(fields.section, section)));
        }
        if let Some(credit) = &request.credit {
            filter(term(Term::from_field_text(fields.credit, &credit.trim().to_lowercase())));
        }
        if let Some(premium) = request.premium {
            filter(term(Term::from_field_bool(fields.premium, premium)));
        }
        if request.from.is_some() || request.until.is_some() {
            let bound = |at: Option<DateTime<Utc>>, inclusive: bool| match at {
                None => std::ops::Bound::Unbounded,
                Some(at) if inclusive => {
                    std::ops::Bound::Included(Term::from_field_i64(fields.published, at.timestamp()))
                }
                Some(at) => std::ops::Bound::Excluded(Term::from_field_i64(fields.published, at.timestamp())),
            };
            filter(Box::new(RangeQuery::new(bound(request.from, true), bound(request.until, false))));
        }
        let query = BooleanQuery::new(clauses);
        let page = request.page.clamp(1, MAX_PAGE);
        let per_page = request.per_page.clamp(1, MAX_PER_PAGE);
        // Counting stops at the limit; up to it every match is ranked, past
        // it only the runs of stories that can still make the page.
        let total = count_up_to(&searcher, &query, EXACT_TOTAL_LIMIT)?;
        let (order, scoring) = match request.sort {
            Sort::Relevance => (
                ranking::Order::Relevance { best: best_score, now: Utc::now().timestamp() },
                EnableScoring::enabled_from_searcher(&searcher),
            ),
            Sort::Newest => (ranking::Order::Newest, EnableScoring::disabled_from_searcher(&searcher)),
        };
        let weight = query.weight(scoring)?;
        let ranked =
            ranking::top(&searcher, weight.as_ref(), order, page * per_page, !total.exact, &generation.run_dates)?;
        let addresses = ranked.into_iter().skip((page - 1) * per_page);
        let mut snippets = SnippetGenerator::create(&searcher, &text_query, fields.text)?;
        snippets.set_max_num_chars(SNIPPET_CHARS);
        let mut hits = Vec::with_capacity(addresses.len());
        for address in addresses {
            let stored: TantivyDocument = searcher.doc(address)?;
            let text = |field| stored.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            let lead = text(fields.lead);
            let (snippet, snippet_marks) = highlight(&snippets, &lead);
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
        Ok(SearchPage { total, page, per_page, hits, snippets })
    }
}

/// Counts the live documents `query` matches, stopping once there are more
/// than `limit`; no scores are computed.
fn count_up_to(searcher: &Searcher, query: &dyn Query, limit: usize) -> Result<Total, SearchError> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut count = 0;
    for segment in searcher.segment_readers() {
        let alive = segment.alive_bitset();
        let mut matches = weight.scorer(segment, 1.0)?;
        let mut doc = matches.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|alive| alive.is_alive(doc)) {
                count += 1;
                if count > limit {
                    return Ok(Total { count: limit, exact: false });
                }
            }
            doc = matches.advance();
        }
    }
    Ok(Total { count, exact: true })
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

/// A clause of a boolean query.
type Clause = (Occur, Box<dyn Query>);

/// A query and the highest BM25 score a story can get from it.
type Scored = (Box<dyn Query>, Score);

/// The reader's words as clauses over one text field (the whole text or the
/// free text), and the highest BM25 score a story can get from them.
struct Words {
    clauses: Vec<Clause>,
    best_score: Score,
}

impl Words {
    /// One term query per word; per phrase, a phrase query behind the
    /// phrase's word pairs (which find the few candidates cheaply, adding
    /// nothing to the score).
    fn of(searcher: &Searcher, word_field: Field, pair_field: Field, terms: &Terms) -> Result<Self, SearchError> {
        let mut analyzer = pairs::words();
        let mut phrase = |text: &str| -> Result<Option<Scored>, SearchError> {
            let mut tokens = Vec::new();
            let mut stream = analyzer.token_stream(text);
            while stream.advance() {
                tokens.push(stream.token().text.clone());
            }
            let terms: Vec<Term> = tokens.iter().map(|token| Term::from_field_text(word_field, token)).collect();
            if terms.is_empty() {
                return Ok(None);
            }
            let best = Bm25Weight::for_terms(searcher, &terms)?.max_score();
            if let [term] = terms.as_slice() {
                return Ok(Some((Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)), best)));
            }
            let mut all: Vec<Clause> = tokens
                .windows(2)
                .map(|pair| {
                    let term = Term::from_field_text(pair_field, &pairs::pair(&pair[0], &pair[1]));
                    let query = ConstScoreQuery::new(Box::new(TermQuery::new(term, IndexRecordOption::Basic)), 0.0);
                    (Occur::Must, Box::new(query) as Box<dyn Query>)
                })
                .collect();
            all.push((Occur::Must, Box::new(PhraseQuery::new(terms))));
            Ok(Some((Box::new(BooleanQuery::new(all)), best)))
        };
        let mut clauses: Vec<Clause> = Vec::new();
        let mut best_score = 0.0;
        for part in &terms.0 {
            match part {
                Part::Phrase(text) => {
                    if let Some((query, best)) = phrase(text)? {
                        clauses.push((Occur::Must, query));
                        best_score += best;
                    }
                }
                Part::Any(alternatives) => {
                    let mut any = Vec::new();
                    for alternative in alternatives {
                        if let Some((query, best)) = phrase(alternative)? {
                            any.push((Occur::Should, query));
                            // Several alternatives may match: their scores add up.
                            best_score += best;
                        }
                    }
                    if !any.is_empty() {
                        clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
                    }
                }
                Part::Not(text) => clauses.extend(phrase(text)?.map(|(query, _)| (Occur::MustNot, query))),
            }
        }
        if !clauses.iter().any(|(occur, _)| *occur == Occur::Must) {
            return Err(QueryError::NothingToFind.into());
        }
        Ok(Self { clauses, best_score })
    }
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
    /// HTML: escaped text from the free text, matches in `<mark>`.
    pub snippet: String,
    /// Matches marked in the snippet (0: the snippet is the free part's start).
    pub snippet_marks: usize,
}

/// How many stories match a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    /// Stories counted: all of them when `exact`, else [`EXACT_TOTAL_LIMIT`].
    pub count: usize,
    /// Whether `count` is every match; if not, there are more than `count`.
    pub exact: bool,
}

impl Total {
    /// Whether exactly one story matches.
    pub fn is_one(&self) -> bool {
        self.exact && self.count == 1
    }

    /// The count with thousands separated: `10,000`.
    pub fn grouped(&self) -> String {
        let digits = self.count.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        grouped
    }
}

impl std::fmt::Display for Total {
    /// `1,234`, or `more than 10,000`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.exact { f.write_str(&self.grouped()) } else { write!(f, "more than {}", self.grouped()) }
    }
}

/// A page of results.
pub struct SearchPage {
    /// Stories matching, on every page.
    pub total: Total,
    /// This page's number.
    pub page: usize,
    /// Results a page holds.
    pub per_page: usize,
    /// This page's results.
    pub hits: Vec<Hit>,
    snippets: SnippetGenerator,
}

impl SearchPage {
    /// A highlighted snippet of a story's body text ([`IndexedStory::body`]),
    /// and how many matches it marks; `None` when it has none. Call it only
    /// for a reader allowed to read the story.
    pub fn body_snippet(&self, body_text: &str) -> Option<(String, usize)> {
        let (html, marks) = highlight(&self.snippets, body_text);
        (marks > 0).then_some((html, marks))
    }

    /// Whether a later page has results.
    pub fn has_more(&self) -> bool {
        self.page * self.per_page < self.total.count && self.page < MAX_PAGE
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
                let writer = live_writer(&generation, self.threads, self.heap_bytes)?;
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
        let writer: IndexWriter = generation.index.writer_with_num_threads(threads, heap_bytes)?;
        // Merging while writing would rewrite the archive several times over;
        // the segments the threads flush are large enough to be searched as they are.
        writer.set_merge_policy(Box::new(NoMergePolicy));
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

    /// Commits at change-log `position` and makes the new generation the one
    /// in use. Returns its size on disk in bytes.
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

/// The writer of a generation in use: it merges only small segments.
fn live_writer(generation: &Generation, threads: usize, heap_bytes: usize) -> Result<IndexWriter, SearchError> {
    let writer = generation.index.writer_with_num_threads(threads, heap_bytes)?;
    let mut policy = LogMergePolicy::default();
    policy.set_max_docs_before_merge(LIVE_MERGE_MAX_DOCS);
    writer.set_merge_policy(Box::new(policy));
    Ok(writer)
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
