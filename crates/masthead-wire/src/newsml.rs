//! IPTC NewsML-G2: a `newsItem`, or a `newsMessage` carrying several.
//!
//! Only news items are read; package and concept items in a message are
//! noted and left out. Elements are matched by local name, so the `nar:`
//! prefix, a default namespace or none at all read the same.

use crate::xml::{self, Element, Rename};
use crate::{Draft, Notes, WireError, WireItem, body, nitf};

const KNOWN_ITEM: &[&str] = &[
    "catalogRef",
    "catalog",
    "hopHistory",
    "rightsInfo",
    "itemMeta",
    "contentMeta",
    "partMeta",
    "assert",
    "inlineRef",
    "derivedFrom",
    "derivedFromValue",
    "contentSet",
    "signature",
    "pubHistory",
];
const KNOWN_ITEM_META: &[&str] = &[
    "itemClass",
    "provider",
    "versionCreated",
    "firstCreated",
    "embargoed",
    "availableAt",
    "pubStatus",
    "role",
    "fileName",
    "generator",
    "profile",
    "service",
    "title",
    "edNote",
    "memberOf",
    "instanceOf",
    "signal",
    "altRep",
    "deliverableOf",
    "hash",
    "expires",
    "origRep",
    "incomingFeedId",
    "metadataCreator",
    "link",
];
const KNOWN_CONTENT_META: &[&str] = &[
    "icon",
    "urgency",
    "contentCreated",
    "contentModified",
    "located",
    "infoSource",
    "creator",
    "contributor",
    "audience",
    "exclAudience",
    "altId",
    "rating",
    "userInteraction",
    "language",
    "genre",
    "keyword",
    "subject",
    "slugline",
    "headline",
    "dateline",
    "by",
    "creditline",
    "description",
    "contentMetaExtProperty",
    "itemMetaExtProperty",
    "dataMetaExtProperty",
];

/// Reads a `newsItem` or `newsMessage` root.
pub(crate) fn parse(root: &Element, notes: &mut Notes) -> Result<Vec<WireItem>, WireError> {
    if root.name == "newsItem" {
        return Ok(vec![item(root, notes)?]);
    }
    let mut items = Vec::new();
    for set in root.children_named("itemSet") {
        for e in set.elements() {
            if e.name == "newsItem" {
                items.push(e);
            } else {
                notes.push(format!("{} in the message ignored (only news items are read)", e.qualified_name()));
            }
        }
    }
    crate::collect_items(&items, notes, |e, notes| item(e, notes))
}

fn note_unknown(parent: &Element, known: &[&str], notes: &mut Notes) {
    for e in parent.elements().filter(|e| !known.contains(&e.name.as_str())) {
        notes.push(format!("unknown element {}", e.qualified_name()));
    }
}

/// A qcode's code without its scheme: "AP" for "providercode:AP".
fn code_of(qcode: &str) -> Option<String> {
    xml::nonblank(qcode.rsplit_once(':').map_or(qcode, |(_, code)| code))
}

/// A party's name: its `name` child, else its literal, else its qcode's code.
fn party_name(e: &Element) -> Option<String> {
    e.child("name")
        .and_then(Element::text_nonblank)
        .or_else(|| e.attr_nonblank("literal"))
        .or_else(|| e.attr("qcode").and_then(code_of))
}

fn item(item: &Element, notes: &mut Notes) -> Result<WireItem, WireError> {
    note_unknown(item, KNOWN_ITEM, notes);
    let empty = Element::default();
    let item_meta = item.child("itemMeta").unwrap_or(&empty);
    let content_meta = item.child("contentMeta").unwrap_or(&empty);
    note_unknown(item_meta, KNOWN_ITEM_META, notes);
    note_unknown(content_meta, KNOWN_CONTENT_META, notes);

    let mut nitf_draft = None;
    let body = item.child("contentSet").and_then(|set| content(set, notes, &mut nitf_draft));
    let nitf_draft = nitf_draft.unwrap_or_default();

    let headline = main_of(content_meta, "headline").or(nitf_draft.headline);
    let standfirst = main_of(content_meta, "description").or(nitf_draft.standfirst);
    let agency = item_meta
        .child("provider")
        .and_then(party_name)
        .or_else(|| content_meta.child("infoSource").and_then(party_name))
        .or_else(|| item.path(&["rightsInfo", "copyrightHolder"]).and_then(party_name))
        .or(nitf_draft.agency);
    let byline = content_meta
        .child("by")
        .and_then(Element::text_nonblank)
        .or_else(|| {
            let names: Vec<String> = content_meta
                .children_named("creator")
                .filter_map(|c| c.child("name").and_then(Element::text_nonblank))
                .collect();
            (!names.is_empty()).then(|| names.join(", "))
        })
        .or(nitf_draft.byline);
    let dateline = content_meta
        .path(&["located", "name"])
        .and_then(Element::text_nonblank)
        .or_else(|| content_meta.child("dateline").and_then(Element::text_nonblank))
        .or(nitf_draft.dateline);
    let subjects = content_meta
        .children_named("subject")
        .filter_map(|s| {
            s.child("name")
                .and_then(Element::text_nonblank)
                .or_else(|| s.attr_nonblank("qcode"))
                .or_else(|| s.attr_nonblank("uri"))
        })
        .collect();

    let text_of = |parent: &Element, name: &str| parent.child(name).and_then(Element::text_nonblank);
    let first_published_at = match text_of(item_meta, "firstCreated") {
        Some(raw) => notes.time("firstCreated", Some(&raw)),
        None => notes.time("contentCreated", text_of(content_meta, "contentCreated").as_deref()),
    };
    Draft {
        agency_id: item.attr_nonblank("guid"),
        version: notes.version("version", item.attr("version")),
        agency,
        headline,
        standfirst,
        body,
        byline,
        dateline,
        first_published_at,
        version_at: notes.time("versionCreated", text_of(item_meta, "versionCreated").as_deref()),
        status: Some(notes.status("pubStatus", item_meta.child("pubStatus").and_then(|s| s.attr("qcode")))),
        subjects,
    }
    .finish(notes)
}

/// The text of the main headline or the summary description: the one
/// without a role or with a main/summary role, else the first.
fn main_of(content_meta: &Element, name: &str) -> Option<String> {
    let all: Vec<&Element> = content_meta.children_named(name).collect();
    all.iter()
        .find(|e| e.attr("role").is_none_or(|r| r.ends_with("main") || r.ends_with("summary")))
        .or(all.first())
        .and_then(|e| e.text_nonblank())
}

/// The body from a `contentSet`: the first `inlineXML` (NITF or XHTML) or
/// `inlineData` with content. An NITF document also lends its headline,
/// byline and the like to fields the item's metadata leaves empty.
fn content(set: &Element, notes: &mut Notes, nitf_draft: &mut Option<Draft>) -> Option<masthead_domain::SafeHtml> {
    for e in set.elements() {
        match e.name.as_str() {
            "inlineXML" => {
                let Some(root) = e.elements().next() else { continue };
                if root.name == "nitf" {
                    let draft = nitf::draft(root, notes);
                    let body = draft.body.clone();
                    *nitf_draft = Some(draft);
                    if body.is_some() {
                        return body;
                    }
                    continue;
                }
                // XHTML: a whole document, a bare <body>, or loose elements.
                let html = match root.name.as_str() {
                    "html" => root.child("body").map(|b| xml::inner_html(b, &|_| Rename::Keep)),
                    "body" => Some(xml::inner_html(root, &|_| Rename::Keep)),
                    _ => Some(xml::inner_html(e, &|_| Rename::Keep)),
                };
                if let Some(html) = html {
                    return Some(body::from_html(&html));
                }
            }
            "inlineData" => {
                let text = e.text_of_raw();
                if text.trim().is_empty() {
                    continue;
                }
                let html = e.attr("contenttype").is_some_and(|t| t.contains("html"));
                return Some(if html { body::from_html(&text) } else { body::from_text(&text) });
            }
            "remoteContent" => notes.push("remoteContent not fetched"),
            _ => notes.push(format!("unknown element {} in contentSet", e.qualified_name())),
        }
    }
    None
}
