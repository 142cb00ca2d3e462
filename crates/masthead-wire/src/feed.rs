//! RSS 2.0 and Atom 1.0 feeds. Feeds carry no agency field, so the agency is
//! the channel's (or feed's) title; the importer may override it per source.

use crate::pictures::Rendition;
use crate::xml::{self, Element, Rename};
use crate::{Draft, Notes, Picture, Subject, WireError, WireItem, body};

const KNOWN_RSS_ITEM: &[&str] = &[
    "title",
    "link",
    "description",
    "guid",
    "pubDate",
    "author",
    "category",
    "comments",
    "enclosure",
    "source",
    "encoded",
    "creator",
    "date",
    "subject",
    "language",
    "content",
    "thumbnail",
    "group",
];
const KNOWN_ATOM_ENTRY: &[&str] = &[
    "id",
    "title",
    "summary",
    "content",
    "published",
    "updated",
    "author",
    "contributor",
    "category",
    "link",
    "rights",
    "source",
];

/// Reads an `<rss>` root.
pub(crate) fn parse_rss(root: &Element, notes: &mut Notes) -> Result<Vec<WireItem>, WireError> {
    let channel = root.child("channel").ok_or(WireError::NoItems)?;
    let agency = channel.child("title").and_then(Element::text_nonblank);
    let language = channel.child("language").and_then(Element::text_nonblank);
    let items: Vec<&Element> = channel.children_named("item").collect();
    crate::collect_items(&items, notes, |item, notes| rss_item(item, agency.clone(), language.as_deref(), notes))
}

/// An RSS item; `language` is its channel's.
fn rss_item(
    item: &Element,
    agency: Option<String>,
    language: Option<&str>,
    notes: &mut Notes,
) -> Result<WireItem, WireError> {
    for e in item.elements().filter(|e| !KNOWN_RSS_ITEM.contains(&e.name.as_str())) {
        notes.detail(format!("unknown element {}", e.qualified_name()));
    }
    let text = |name: &str| item.child(name).and_then(Element::text_nonblank);
    let description = item.child("description").map(Element::text_of_raw).filter(|d| !d.trim().is_empty());
    let encoded = item.prefixed("content", "encoded").map(Element::text_of_raw).filter(|d| !d.trim().is_empty());
    let (body, standfirst) = match (encoded, description) {
        (Some(encoded), description) => (Some(body::from_html(&encoded)), description.map(|d| body::plain_text(&d))),
        (None, Some(description)) => (Some(body::from_html(&description)), None),
        (None, None) => (None, None),
    };
    let first_published_at = match text("pubDate") {
        Some(raw) => notes.time("pubDate", Some(&raw)),
        None => notes.time("dc:date", item.prefixed("dc", "date").and_then(Element::text_nonblank).as_deref()),
    };
    let mut draft = Draft {
        agency,
        headline: text("title").map(|t| body::plain_text(&t)),
        standfirst,
        body,
        byline: item.prefixed("dc", "creator").and_then(Element::text_nonblank).or_else(|| text("author")),
        first_published_at,
        subjects: item
            .children_named("category")
            .filter_map(|c| Subject::new(None, c.text_nonblank().as_deref()))
            .collect(),
        pictures: rss_pictures(item),
        language: item
            .prefixed("dc", "language")
            .and_then(Element::text_nonblank)
            .or_else(|| language.map(str::to_owned)),
        ..Draft::default()
    };
    draft.id_from("guid", text("guid"));
    draft.id_from("link", text("link"));
    draft.finish(notes)
}

/// An item's pictures: image enclosures and Media RSS `media:content`.
fn rss_pictures(item: &Element) -> Vec<Picture> {
    let enclosures = item
        .children_named("enclosure")
        .filter(|e| e.attr("type").is_some_and(|t| t.starts_with("image/")))
        .filter_map(|e| enclosure(e, "url", "type", "length"));
    let media = item
        .children_named("content")
        .filter(|e| e.prefix == "media" && e.attr("medium").is_none_or(|m| m == "image"))
        .filter(|e| e.attr("type").is_none_or(|t| t.starts_with("image/")))
        .filter_map(|e| {
            let mut picture = enclosure(e, "url", "type", "fileSize")?;
            picture.caption = e.child("description").and_then(Element::text_nonblank);
            picture.credit = e.child("credit").and_then(Element::text_nonblank);
            Some(picture)
        });
    enclosures.chain(media).collect()
}

/// A linked picture from an enclosure-like element's attributes.
fn enclosure(e: &Element, href: &str, kind: &str, length: &str) -> Option<Picture> {
    let number = |name: &str| e.attr(name).and_then(|v| v.trim().parse().ok());
    let rendition = Rendition {
        href: e.attr_nonblank(href)?,
        content_type: e.attr_nonblank(kind),
        width: number("width"),
        height: number("height"),
        bytes: e.attr(length).and_then(|v| v.trim().parse().ok()),
        ..Rendition::default()
    };
    Some(crate::pictures::linked(rendition, e.attr_nonblank("title"), None, None))
}

/// Reads a `<feed>` root.
pub(crate) fn parse_atom(root: &Element, notes: &mut Notes) -> Result<Vec<WireItem>, WireError> {
    let agency = root.child("title").map(atom_text).filter(|t| !t.is_empty());
    let language = root.attr_nonblank("lang");
    let entries: Vec<&Element> = root.children_named("entry").collect();
    crate::collect_items(&entries, notes, |entry, notes| atom_entry(entry, agency.clone(), language.as_deref(), notes))
}

/// An Atom text construct as plain text, whatever its `type`.
fn atom_text(e: &Element) -> String {
    match e.attr("type") {
        Some("html") => body::plain_text(&e.text_of_raw()),
        _ => e.text(),
    }
}

/// An Atom entry; `language` is its feed's `xml:lang`.
fn atom_entry(
    entry: &Element,
    agency: Option<String>,
    language: Option<&str>,
    notes: &mut Notes,
) -> Result<WireItem, WireError> {
    for e in entry.elements().filter(|e| !KNOWN_ATOM_ENTRY.contains(&e.name.as_str())) {
        notes.detail(format!("unknown element {}", e.qualified_name()));
    }
    let text = |name: &str| entry.child(name).and_then(Element::text_nonblank);
    let body = entry.child("content").and_then(|content| {
        if content.attr("src").is_some() {
            notes.detail("content by reference (src) not fetched");
            return None;
        }
        Some(match content.attr("type").unwrap_or("text") {
            "html" => body::from_html(&content.text_of_raw()),
            "xhtml" => body::from_html(&xml::inner_html(content, &|_| Rename::Keep)),
            "text" => body::from_text(&content.text_of_raw()),
            other => {
                notes.detail(format!("content of type {other} ignored"));
                return None;
            }
        })
    });
    let link = entry
        .children_named("link")
        .find(|l| l.attr("rel").is_none_or(|r| r == "alternate"))
        .and_then(|l| l.attr_nonblank("href"));
    let mut draft = Draft {
        agency,
        headline: entry.child("title").map(atom_text),
        standfirst: entry.child("summary").map(atom_text),
        body,
        byline: {
            let names: Vec<String> = entry
                .children_named("author")
                .filter_map(|a| a.child("name").and_then(Element::text_nonblank))
                .collect();
            (!names.is_empty()).then(|| names.join(", "))
        },
        first_published_at: notes.time("published", text("published").as_deref()),
        version_at: notes.time("updated", text("updated").as_deref()),
        subjects: entry
            .children_named("category")
            .filter_map(|c| Subject::new(c.attr("term"), c.attr("label")))
            .collect(),
        pictures: entry
            .children_named("link")
            .filter(|l| l.attr("rel") == Some("enclosure") && l.attr("type").is_some_and(|t| t.starts_with("image/")))
            .filter_map(|l| enclosure(l, "href", "type", "length"))
            .collect(),
        language: entry.attr_nonblank("lang").or_else(|| language.map(str::to_owned)),
        ..Draft::default()
    };
    draft.id_from("id", text("id"));
    draft.id_from("link", link);
    draft.finish(notes)
}
