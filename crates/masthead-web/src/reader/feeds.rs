//! Feeds and sitemaps that carry stories out: RSS 2.0 and Atom for the site
//! and each section, sitemaps by month, a Google News sitemap of the last 48
//! hours, and robots.txt.
//!
//! Feeds are read anonymously, so they carry what anyone may see of a story
//! — headline, standfirst, byline and link — never its body, not even its
//! free part (`Article::free_part`): a feed reader must not be a way round
//! the meter. Each story says its language (RSS `dc:language`, Atom
//! `xml:lang`, the news sitemap's `news:language`). A story's lead picture goes with it
//! (an RSS `<enclosure>`, an Atom `rel="enclosure"` link): the paywall
//! withholds text, not pictures.

use std::collections::HashMap;
use std::fmt::Write as _;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use masthead_domain::html::escape;
use masthead_domain::{ArticleSummary, Page};
use masthead_store::{ImageVariant, StoredImage};

use crate::SharedState;
use crate::http::error::PageError;

/// Stories in a feed.
const FEED_SIZE: u32 = 50;

/// Escapes text for XML content and attributes: the HTML escape (its
/// entities are XML's too), minus the control characters XML 1.0 forbids.
fn xml(text: &str) -> String {
    let allowed = |c: &char| (*c as u32) >= 0x20 || matches!(c, '\t' | '\n' | '\r');
    if text.chars().all(|c| allowed(&c)) {
        escape(text)
    } else {
        escape(&text.chars().filter(allowed).collect::<String>())
    }
}

fn xml_response(content_type: &'static str, body: String) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=60")], body).into_response()
}

/// A feed's stories, with the lead picture of those that have one.
struct FeedStories {
    stories: Vec<ArticleSummary>,
    pictures: HashMap<i64, StoredImage>,
}

impl FeedStories {
    /// When the feed last changed: its newest story's last update (`now` for
    /// an empty feed). The same bytes until a story changes, so two fetches
    /// compare equal and caches and readers' ETags hold.
    fn last_change(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        self.stories.iter().map(|s| s.updated_at).max().unwrap_or(now)
    }

    /// The JPEG a feed carries for a story: about a column wide (800 px), or the widest smaller.
    fn enclosure(&self, id: i64) -> Option<&ImageVariant> {
        let mut jpegs = self.pictures.get(&id)?.variants.iter().filter(|v| v.format == "jpeg");
        jpegs.clone().find(|v| v.width >= 800).or_else(|| jpegs.next_back())
    }
}

/// The stories and titles of a feed: the whole site, or one section.
async fn feed_stories(state: &SharedState, section: Option<&str>) -> Result<(FeedStories, String, String), PageError> {
    let (title, path) = match section {
        None => (state.publisher_name.clone(), String::new()),
        Some(slug) => {
            let section = state.section(slug).ok_or(PageError::NotFound)?;
            (format!("{} — {}", state.publisher_name, section.name), format!("/{}", section.slug))
        }
    };
    let (stories, _) = state.store.latest(section, Page::new(None, FEED_SIZE)).await?;
    let pictures = state.store.lead_images(&stories.iter().map(|s| s.id).collect::<Vec<_>>()).await?;
    Ok((FeedStories { stories, pictures }, title, path))
}

fn rss(state: &SharedState, feed: &FeedStories, title: &str, path: &str, now: DateTime<Utc>) -> String {
    let stories = &feed.stories;
    let base = &state.public_url;
    let mut out = String::with_capacity(512 + stories.len() * 512);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n\
         <channel>\n<title>{}</title>\n<link>{base}{}</link>\n<description>{}</description>\n\
         <language>en-in</language>\n<lastBuildDate>{}</lastBuildDate>\n\
         <atom:link href=\"{base}{path}/feed.xml\" rel=\"self\" type=\"application/rss+xml\"/>\n",
        xml(title),
        if path.is_empty() { "/" } else { path },
        xml(&format!("The latest stories from {title}")),
        feed.last_change(now).to_rfc2822(),
    );
    for story in stories {
        let url = format!("{base}{}", story.path());
        let _ = write!(
            out,
            "<item>\n<title>{}</title>\n<link>{url}</link>\n<guid isPermaLink=\"true\">{url}</guid>\n\
             <description>{}</description>\n<dc:creator>{}</dc:creator>\n<category>{}</category>\n\
             <dc:language>{}</dc:language>\n<pubDate>{}</pubDate>\n",
            xml(&story.headline),
            xml(&story.standfirst),
            xml(story.credit.name()),
            xml(&story.section),
            xml(story.lang.as_str()),
            story.first_published_at.to_rfc2822(),
        );
        if let Some(picture) = feed.enclosure(story.id) {
            let _ = writeln!(
                out,
                "<enclosure url=\"{base}{}\" length=\"{}\" type=\"image/jpeg\"/>",
                crate::read_model::figure::url(picture),
                picture.size
            );
        }
        out.push_str("</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

fn atom(state: &SharedState, feed: &FeedStories, title: &str, path: &str, now: DateTime<Utc>) -> String {
    let stories = &feed.stories;
    let base = &state.public_url;
    let updated = feed.last_change(now);
    let mut out = String::with_capacity(512 + stories.len() * 512);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n\
         <title>{}</title>\n<id>{base}{path}/</id>\n<link rel=\"self\" href=\"{base}{path}/atom.xml\"/>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"{base}{}\"/>\n<updated>{}</updated>\n",
        xml(title),
        if path.is_empty() { "/" } else { path },
        updated.to_rfc3339(),
    );
    for story in stories {
        let url = format!("{base}{}", story.path());
        let _ = write!(
            out,
            "<entry xml:lang=\"{}\">\n<title>{}</title>\n<id>{url}</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"{url}\"/>\n\
             <published>{}</published>\n<updated>{}</updated>\n<author><name>{}</name></author>\n\
             <category term=\"{}\"/>\n<summary>{}</summary>\n",
            xml(story.lang.as_str()),
            xml(&story.headline),
            story.first_published_at.to_rfc3339(),
            story.updated_at.to_rfc3339(),
            xml(story.credit.name()),
            xml(&story.section),
            xml(&story.standfirst),
        );
        if let Some(picture) = feed.enclosure(story.id) {
            let _ = writeln!(
                out,
                "<link rel=\"enclosure\" type=\"image/jpeg\" length=\"{}\" href=\"{base}{}\"/>",
                picture.size,
                crate::read_model::figure::url(picture)
            );
        }
        out.push_str("</entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// `/feed.xml`: RSS 2.0 for the whole site.
pub(crate) async fn site_rss(State(state): State<SharedState>) -> Result<Response, PageError> {
    let (stories, title, path) = feed_stories(&state, None).await?;
    Ok(xml_response("application/rss+xml; charset=utf-8", rss(&state, &stories, &title, &path, state.clock.now())))
}

/// `/atom.xml`: Atom for the whole site.
pub(crate) async fn site_atom(State(state): State<SharedState>) -> Result<Response, PageError> {
    let (stories, title, path) = feed_stories(&state, None).await?;
    Ok(xml_response("application/atom+xml; charset=utf-8", atom(&state, &stories, &title, &path, state.clock.now())))
}

/// `/{section}/feed.xml`.
pub(crate) async fn section_rss(
    State(state): State<SharedState>,
    Path(section): Path<String>,
) -> Result<Response, PageError> {
    let (stories, title, path) = feed_stories(&state, Some(&section)).await?;
    Ok(xml_response("application/rss+xml; charset=utf-8", rss(&state, &stories, &title, &path, state.clock.now())))
}

/// `/{section}/atom.xml`.
pub(crate) async fn section_atom(
    State(state): State<SharedState>,
    Path(section): Path<String>,
) -> Result<Response, PageError> {
    let (stories, title, path) = feed_stories(&state, Some(&section)).await?;
    Ok(xml_response("application/atom+xml; charset=utf-8", atom(&state, &stories, &title, &path, state.clock.now())))
}

/// `/sitemap.xml`: an index of one sitemap per month, from the first story's month to now.
pub(crate) async fn sitemap_index(State(state): State<SharedState>) -> Result<Response, PageError> {
    let now = state.clock.now();
    let first = state
        .store
        .nearest_published(DateTime::UNIX_EPOCH, true)
        .await?
        .map_or_else(|| state.zone.date(now), |at| state.zone.date(at));
    let last = state.zone.date(now);
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut month = first.with_day(1).unwrap_or(first);
    while month <= last {
        let _ =
            writeln!(out, "<sitemap><loc>{}/sitemaps/{}.xml</loc></sitemap>", state.public_url, month.format("%Y-%m"));
        month = next_month(month);
    }
    out.push_str("</sitemapindex>\n");
    Ok(xml_response("application/xml; charset=utf-8", out))
}

fn next_month(first_of_month: NaiveDate) -> NaiveDate {
    let (year, month) = if first_of_month.month() == 12 {
        (first_of_month.year() + 1, 1)
    } else {
        (first_of_month.year(), first_of_month.month() + 1)
    };
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(first_of_month)
}

/// `/sitemaps/YYYY-MM.xml`: every story published that month (publisher's calendar).
pub(crate) async fn sitemap_month(
    State(state): State<SharedState>,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let month = file
        .strip_suffix(".xml")
        .and_then(|ym| NaiveDate::parse_from_str(&format!("{ym}-01"), "%Y-%m-%d").ok())
        .filter(|d| file.len() == "YYYY-MM.xml".len() && d.day() == 1)
        .ok_or(PageError::NotFound)?;
    let (start, _) = state.zone.day_bounds(month);
    let (end, _) = state.zone.day_bounds(next_month(month));
    let stories = state.store.published_between(start, end).await?;
    let mut out = String::with_capacity(128 + stories.len() * 160);
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for story in &stories {
        let _ = writeln!(
            out,
            "<url><loc>{}{}</loc><lastmod>{}</lastmod></url>",
            state.public_url,
            story.path(),
            story.updated_at.to_rfc3339()
        );
    }
    out.push_str("</urlset>\n");
    Ok(xml_response("application/xml; charset=utf-8", out))
}

/// `/news-sitemap.xml`: Google News sitemap of the last 48 hours.
pub(crate) async fn news_sitemap(State(state): State<SharedState>) -> Result<Response, PageError> {
    let now = state.clock.now();
    let stories = state.store.published_between(now - Duration::hours(48), now + Duration::seconds(1)).await?;
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n",
    );
    for story in stories.iter().rev() {
        let _ = writeln!(
            out,
            "<url><loc>{}{}</loc><news:news><news:publication><news:name>{}</news:name>\
             <news:language>{}</news:language></news:publication>\
             <news:publication_date>{}</news:publication_date><news:title>{}</news:title></news:news></url>",
            state.public_url,
            story.path(),
            xml(&state.publisher_name),
            xml(story.lang.language()),
            story.first_published_at.to_rfc3339(),
            xml(&story.headline),
        );
    }
    out.push_str("</urlset>\n");
    Ok(xml_response("application/xml; charset=utf-8", out))
}

/// `/robots.txt`: crawl the stories, not the accounts or the API; here are the sitemaps.
pub(crate) async fn robots(State(state): State<SharedState>) -> Response {
    let body = format!(
        "User-agent: *\nAllow: /\nDisallow: /account\nDisallow: /api/\nDisallow: /newsroom\n\n\
         Sitemap: {base}/sitemap.xml\nSitemap: {base}/news-sitemap.xml\n",
        base = state.public_url
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(xml("A & B <c> \"d\" 'e'\u{1}"), "A &amp; B &lt;c&gt; &quot;d&quot; &#39;e&#39;");
    }

    #[test]
    fn months_roll_over_the_year() {
        let dec = NaiveDate::from_ymd_opt(2016, 12, 1).unwrap();
        assert_eq!(next_month(dec), NaiveDate::from_ymd_opt(2017, 1, 1).unwrap());
    }
}
