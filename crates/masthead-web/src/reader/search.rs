//! Search: `/search` (a page whose form works without JavaScript) and
//! `GET /api/v1/search`, over this instance's archive index.
//!
//! Anyone may search, and a search never tells a reader anything about text
//! they may not read. A story counts as a match on its whole text only for
//! readers entitled to it (`access::entitled`: staff, anyone for a free
//! story, subscribers with the benefit a premium, premium-section or archived
//! story needs), and on its free text (headline, standfirst, the body's free
//! part) for everyone else — the index applies this inside the query
//! ([`Reach`]), so totals and pages are the reader's own. A snippet is cut
//! from the free text unless the access decision would let this reader read
//! the story off the meter, and only then from the body. A query the parser
//! cannot take gets a friendly page (200) or a 400 problem, never a 500.
//!
//! Readers who may read the e-paper (staff, the `epaper` benefit) also get
//! the printed pages that match ([`in_print`]: the e-paper room's search,
//! on the first page of results, when no filter names what a printed page
//! does not have); everyone else gets no such hit and no word of them.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, SecondsFormat};
use masthead_domain::access::{self, Access};
use masthead_domain::slug::{Slug, story_path};
use masthead_search::{
    Hit, IndexedStory, MAX_PAGE, Part, QueryError, Reach, SearchPage, SearchRequest, Sort, Terms, Total,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::reading::{reader_of, story_facts};
use super::views::{SearchForm, SearchResult, SearchResultsPage};
use crate::http::error::{ApiError, Internal};
use crate::http::paging::{PageInfo, Paging, PagingParams};
use crate::http::respond::private;
use crate::http::session::SignedIn;
use crate::http::views::{self, Layout};
use crate::http::visitor::Visitor;
use crate::{AppState, SearchFailure, SharedState};

/// Reads the query string into a search, or says what is wrong with it.
fn request(state: &AppState, params: &HashMap<String, String>) -> Result<SearchRequest, QueryError> {
    let param = |name: &str| params.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let terms = Terms::parse(param("q").unwrap_or_default())?;
    let section = match param("section") {
        Some(slug) => match state.section(slug) {
            Some(section) => Some(section.slug.clone()),
            None => return Err(QueryError::BadFilter(format!("There is no section called {slug:?}."))),
        },
        None => None,
    };
    let date = |name: &str| {
        param(name)
            .map(|raw| {
                NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                    .map_err(|_| QueryError::BadFilter(format!("Dates look like 2017-04-13; {raw:?} is not one.")))
            })
            .transpose()
    };
    let (from, to) = (date("from")?, date("to")?);
    let sort = match param("sort") {
        None => Sort::Relevance,
        Some(raw) => {
            Sort::parse(raw).ok_or_else(|| QueryError::BadFilter("Sort by \"relevance\" or \"newest\".".to_owned()))?
        }
    };
    let page = match param("page") {
        None => 1,
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| QueryError::BadFilter(format!("Pages run from 1 to {MAX_PAGE}.")))?,
    };
    let premium = match param("premium") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => return Err(QueryError::BadFilter("premium is \"true\" or \"false\".".to_owned())),
    };
    let credit = param("by").or_else(|| param("author")).or_else(|| param("agency")).map(str::to_owned);
    let request = SearchRequest { section, credit, premium, sort, page, ..SearchRequest::new(terms) };
    request.with_dates(&state.zone, from, to)
}

/// One result as both the page and the API see it.
struct Found {
    hit: Hit,
    snippet: String,
}

/// Runs the search and picks each hit's snippet for this reader.
async fn run(
    state: &AppState,
    visitor: &Visitor,
    signed_in: &SignedIn,
    request: SearchRequest,
) -> Result<(Total, bool, Vec<Found>), SearchFailure> {
    let now = state.clock.now();
    let (reader, _) = reader_of(state, visitor, signed_in, now).await.map_err(|error| {
        tracing::error!(%error, "search: cannot read the reader's benefits");
        SearchFailure::Internal
    })?;
    let premium_sections = state.sections().iter().filter(|s| s.premium).map(|s| s.slug.clone()).collect();
    let reach = Reach::of(|story| access::entitled(&reader, story), premium_sections, now - state.archive_age);
    let page: Arc<SearchPage> = state.search_archive(SearchRequest { reach, ..request }).await?;
    // Whether the reader may read a hit off the meter: only then may its snippet
    // come from beyond the free part. No meter is consulted or spent.
    let allowed: Vec<i64> = page
        .hits
        .iter()
        .filter(|hit| {
            let facts = story_facts(state, &hit.section, hit.premium, hit.first_published_at, now);
            matches!(access::off_the_meter(&reader, facts), Some(Access::Allowed { .. }))
        })
        .map(|hit| hit.id)
        .collect();
    let bodies = state.store.published_articles(&allowed).await.map_err(|error| {
        tracing::error!(%error, "search: cannot read story bodies");
        SearchFailure::Internal
    })?;
    let more = page.has_more();
    let found = page
        .hits
        .iter()
        .map(|hit| {
            // Of the two, the snippet that shows more of what was asked for.
            let rest = bodies
                .iter()
                .find(|article| article.summary.id == hit.id)
                .and_then(|article| page.body_snippet(&IndexedStory::from_article(article).body))
                .filter(|(_, marks)| *marks > hit.snippet_marks);
            let snippet = rest.map_or_else(|| hit.snippet.clone(), |(html, _)| html);
            Found { snippet, hit: hit.clone() }
        })
        .collect();
    Ok((page.total, more, found))
}

/// Printed pages a search ([`in_print`]) lists at most.
const PRINT_HITS: u32 = 10;

/// The printed pages that match the query in `params`, for a reader who may
/// read the e-paper (None for anyone else): pages holding every word of the
/// query's words and phrases and none of its excluded words, within its
/// dates; alternatives (`a OR b`) are not asked of print. Only on the first
/// page, and not when the search is narrowed to a section, a writer or
/// premium stories, which printed pages do not say.
async fn in_print(
    state: &AppState,
    signed_in: &SignedIn,
    params: &HashMap<String, String>,
) -> Result<Option<Vec<crate::epaper::views::SearchHit>>, SearchFailure> {
    let param = |name: &str| params.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let narrowed = ["section", "by", "author", "agency", "premium"].iter().any(|name| param(name).is_some());
    let reader = crate::epaper::access::reader(state, signed_in.0.clone()).await.map_err(|error| {
        tracing::error!(%error, "search: cannot read the reader's benefits");
        SearchFailure::Internal
    })?;
    if !reader.entitled {
        return Ok(None);
    }
    let Ok(terms) = Terms::parse(param("q").unwrap_or_default()) else { return Ok(Some(Vec::new())) };
    if narrowed || param("page").is_some_and(|p| p != "1") {
        return Ok(Some(Vec::new()));
    }
    let (mut words, mut not) = (Vec::new(), Vec::new());
    for part in &terms.0 {
        match part {
            Part::Phrase(phrase) => words.extend(phrase.split_whitespace()),
            Part::Not(word) => not.push(word.clone()),
            Part::Any(_) => {}
        }
    }
    let words = crate::epaper::pages::search_words(words);
    if words.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let (first, last) = crate::epaper::access::all_days();
    let day = |name: &str| param(name).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let days = (day("from").unwrap_or(first), day("to").unwrap_or(last));
    let hits = crate::epaper::pages::print_hits(state, &words, &not, days, PRINT_HITS).await.map_err(|error| {
        tracing::error!(%error, "search: cannot search the printed editions");
        SearchFailure::Internal
    })?;
    Ok(Some(hits))
}

fn url_of(hit: &Hit) -> String {
    let slug = Slug::parse(&hit.slug).unwrap_or_else(|_| Slug::from_headline(&hit.headline));
    story_path(&hit.section, &slug, hit.id)
}

/// `GET /search`: the form, and the results when there is a query.
#[tracing::instrument(skip_all)]
pub(crate) async fn page(
    State(state): State<SharedState>,
    visitor: Visitor,
    signed_in: SignedIn,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let form = SearchForm::new(&params);
    let asked = params.get("q").is_some_and(|q| !q.trim().is_empty());
    let mut view = SearchResultsPage {
        layout: Layout::new(&state, "Search".to_owned(), format!("Search the {} archive", state.publisher_name), None),
        form,
        sections: state.sections(),
        error: None,
        total: None,
        results: Vec::new(),
        print: Vec::new(),
        previous: None,
        next: None,
    };
    if asked {
        match request(&state, &params) {
            Err(error) => view.error = Some(error.to_string()),
            Ok(request) => {
                let page = request.page;
                match run(&state, &visitor, &signed_in, request).await {
                    Ok((total, more, found)) => {
                        view.total = Some(total);
                        view.results = found
                            .into_iter()
                            .map(|f| SearchResult {
                                url: url_of(&f.hit),
                                headline: f.hit.headline,
                                section: state.section(&f.hit.section).map(|s| s.name.clone()).unwrap_or(f.hit.section),
                                published: state.zone.format(f.hit.first_published_at),
                                published_iso: state.zone.iso(f.hit.first_published_at),
                                snippet: f.snippet,
                            })
                            .collect();
                        match in_print(&state, &signed_in, &params).await {
                            Ok(print) => view.print = print.unwrap_or_default(),
                            Err(_) => return views::server_error_page(),
                        }
                        view.previous = (page > 1).then(|| view.form.url_for_page(page - 1));
                        view.next = more.then(|| view.form.url_for_page(page + 1));
                    }
                    Err(SearchFailure::BadQuery(error)) => view.error = Some(error.to_string()),
                    Err(SearchFailure::Internal) => return views::server_error_page(),
                }
            }
        }
    }
    private(visitor.remember(views::render(&view)))
}

/// A page of search results.
#[derive(Serialize, ToSchema)]
pub(crate) struct ApiResults {
    /// Matches, counted exactly up to [`masthead_search::EXACT_TOTAL_LIMIT`].
    total: usize,
    /// When true, more than `total` stories match (counting stopped there).
    total_is_lower_bound: bool,
    results: Vec<ApiResult>,
    /// Printed pages that match: only for readers who may read the e-paper.
    #[serde(skip_serializing_if = "Option::is_none")]
    print: Option<Vec<ApiPrintHit>>,
    paging: PageInfo,
}

/// A printed page a search found.
#[derive(Serialize, ToSchema)]
pub(crate) struct ApiPrintHit {
    date: String,
    edition: String,
    page: u32,
    url: String,
    label: String,
    snippet: String,
}

/// A story a search found.
#[derive(Serialize, ToSchema)]
pub(crate) struct ApiResult {
    id: i64,
    url: String,
    headline: String,
    section: String,
    first_published_at: String,
    snippet: String,
}

/// `GET /api/v1/search?q=...&page=&limit=`: `{"total", "total_is_lower_bound",
/// "results": [...], "paging"}`; a bad query is a 400 problem.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    tag = "reading",
    summary = "Search the archive",
    description = "Matches only text this reader may read; readers who may read the e-paper also get `print`.",
    params(
        ("q" = String, Query, description = "Words, \"a phrase\", -excluded, a OR b", example = "budget"),
        ("section" = Option<String>, Query, description = "A section's slug"),
        ("from" = Option<String>, Query, format = Date, description = "First day, like 2017-04-01"),
        ("to" = Option<String>, Query, format = Date, description = "Last day"),
        ("sort" = Option<String>, Query, description = "`relevance` (the default) or `newest`"),
        ("premium" = Option<bool>, Query, description = "Only premium (true) or free (false) stories"),
        ("by" = Option<String>, Query, description = "A writer or agency"),
        PagingParams,
    ),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of results", body = ApiResults),
        (status = 400, description = "The query or a filter cannot be read; `detail` says how to fix it"),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn api(
    State(state): State<SharedState>,
    visitor: Visitor,
    signed_in: SignedIn,
    paging: Paging,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let bad = |error: QueryError| ApiError::bad_request(error.to_string());
    let request = SearchRequest { per_page: paging.limit() as usize, ..request(&state, &params).map_err(bad)? };
    match run(&state, &visitor, &signed_in, request).await {
        Ok((total, more, found)) => {
            let results = found
                .into_iter()
                .map(|f| ApiResult {
                    id: f.hit.id,
                    url: format!("{}{}", state.public_url, url_of(&f.hit)),
                    first_published_at: f.hit.first_published_at.to_rfc3339_opts(SecondsFormat::Secs, true),
                    headline: f.hit.headline,
                    section: f.hit.section,
                    snippet: f.snippet,
                })
                .collect();
            let print = match in_print(&state, &signed_in, &params).await {
                Ok(print) => print.map(|hits| {
                    hits.into_iter()
                        .map(|hit| ApiPrintHit {
                            date: hit.day.format("%Y-%m-%d").to_string(),
                            edition: hit.edition,
                            page: hit.page,
                            url: format!("{}{}", state.public_url, hit.url),
                            label: hit.label,
                            snippet: hit.snippet,
                        })
                        .collect()
                }),
                Err(_) => return Err(search_failed()),
            };
            let answer = ApiResults {
                total: total.count,
                total_is_lower_bound: !total.exact,
                results,
                print,
                paging: paging.info(more),
            };
            Ok(private(visitor.remember(Json(answer).into_response())))
        }
        Err(SearchFailure::BadQuery(error)) => Err(bad(error)),
        Err(SearchFailure::Internal) => Err(search_failed()),
    }
}

/// The API's answer when the search failed inside (already logged).
fn search_failed() -> ApiError {
    ApiError::Internal(Internal::Failed("search failed".to_owned()))
}
