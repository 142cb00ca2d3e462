//! IPTC NewsML-G2: a `newsItem`, or a `newsMessage` carrying several.
//!
//! News items become stories; picture items go with the stories they belong
//! to; package items (which only reference other items) are returned as
//! packages. Elements are matched by local name, so the `nar:` prefix, a
//! default namespace or none at all read the same.

use crate::body::{self, Body};
use crate::pictures::Rendition;
use crate::xml::{self, Element, Rename};
use crate::{Draft, Notes, Package, Picture, PictureSource, Subject, WireError, WireItem, nitf};

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

/// Reads a `newsItem`, `packageItem` or `newsMessage` root: news items
/// become stories, packages are returned in `packages`, and picture items
/// go with the stories that reference them (a `link`, or a package grouping
/// both) — or with the only story of the message.
pub(crate) fn parse(
    root: &Element,
    notes: &mut Notes,
    packages: &mut Vec<Package>,
) -> Result<Vec<WireItem>, WireError> {
    let mut news = Vec::new();
    match root.name.as_str() {
        "newsItem" => news.push(root),
        "packageItem" => packages.push(package(root)),
        _ => {
            for set in root.children_named("itemSet") {
                for e in set.elements() {
                    match e.name.as_str() {
                        "newsItem" => news.push(e),
                        "packageItem" => packages.push(package(e)),
                        _ => notes.detail(format!("{} in the message ignored", e.qualified_name())),
                    }
                }
            }
        }
    }
    let (picture_items, text_items): (Vec<&Element>, Vec<&Element>) = news.into_iter().partition(|e| is_picture(e));
    if text_items.is_empty() {
        if !picture_items.is_empty() {
            notes.skipped(format!("{} picture item(s) with no story to go with", picture_items.len()));
        }
        return if packages.is_empty() && picture_items.is_empty() { Err(WireError::NoItems) } else { Ok(Vec::new()) };
    }
    let pictures: Vec<(String, Picture)> = picture_items
        .iter()
        .filter_map(|e| {
            let guid = e.attr_nonblank("guid").unwrap_or_default();
            let picture = picture_item(e);
            if picture.is_none() {
                notes.note(format!("picture item {guid} has nothing to fetch"));
            }
            picture.map(|p| (guid, p))
        })
        .collect();
    let mut attached = vec![false; pictures.len()];
    // Each story's pictures: those it links to, or a package groups with it.
    let mut belongs: Vec<Vec<Picture>> = text_items
        .iter()
        .map(|element| {
            let linked: Vec<String> = element
                .path(&["itemMeta"])
                .into_iter()
                .flat_map(|m| m.children_named("link"))
                .filter_map(|l| l.attr_nonblank("residref"))
                .collect();
            let guid = element.attr_nonblank("guid");
            let grouped: Vec<&String> = packages
                .iter()
                .filter(|p| guid.as_ref().is_some_and(|g| p.refs.contains(g)))
                .flat_map(|p| p.refs.iter())
                .collect();
            let mut own = Vec::new();
            for (i, (picture_guid, picture)) in pictures.iter().enumerate() {
                if linked.contains(picture_guid) || grouped.contains(&picture_guid) {
                    own.push(picture.clone());
                    attached[i] = true;
                }
            }
            own
        })
        .collect();
    // One story in the message: its pictures need no reference.
    if let [only] = belongs.as_mut_slice() {
        for (i, (_, picture)) in pictures.iter().enumerate() {
            if !attached[i] {
                only.push(picture.clone());
                attached[i] = true;
            }
        }
    }
    for (i, (guid, _)) in pictures.iter().enumerate() {
        if !attached[i] {
            notes.skipped(format!("picture item {guid}: no story in the message references it"));
        }
    }
    let sources: Vec<(&Element, Vec<Picture>)> = text_items.into_iter().zip(belongs).collect();
    crate::collect_items(&sources, notes, |(e, pictures), notes| {
        let mut item = item(e, notes)?;
        item.pictures.extend(pictures.iter().cloned());
        Ok(item)
    })
}

/// A package: its id, title and the items its groups reference.
fn package(e: &Element) -> Package {
    let mut refs = Vec::new();
    collect_refs(e, &mut refs);
    let content_meta = e.child("contentMeta");
    Package {
        id: e.attr_nonblank("guid").unwrap_or_default(),
        headline: content_meta
            .and_then(|m| main_of(m, "headline"))
            .or_else(|| e.path(&["itemMeta", "title"]).and_then(Element::text_nonblank)),
        refs,
    }
}

fn collect_refs(e: &Element, refs: &mut Vec<String>) {
    for child in e.elements() {
        if child.name == "itemRef"
            && let Some(id) = child.attr_nonblank("residref")
        {
            if !refs.contains(&id) {
                refs.push(id);
            }
        } else {
            collect_refs(child, refs);
        }
    }
}

/// A picture or graphic item (`ninat:picture`, `ninat:graphic`).
fn is_picture(item: &Element) -> bool {
    item.path(&["itemMeta", "itemClass"])
        .and_then(|c| c.attr("qcode"))
        .is_some_and(|q| q.ends_with(":picture") || q.ends_with(":graphic") || q.ends_with(":image"))
}

/// A picture item as a picture: its remote renditions (the best one) or
/// its inline bytes; its headline or description as caption; its
/// creditline or byline as credit.
fn picture_item(item: &Element) -> Option<Picture> {
    let empty = Element::default();
    let content_meta = item.child("contentMeta").unwrap_or(&empty);
    let caption = main_of(content_meta, "description").or_else(|| main_of(content_meta, "headline"));
    let credit = content_meta
        .child("creditline")
        .and_then(Element::text_nonblank)
        .or_else(|| content_meta.child("by").and_then(Element::text_nonblank));
    let alt = content_meta
        .children_named("description")
        .find(|d| d.attr("role").is_some_and(|r| r.contains("alt")))
        .and_then(Element::text_nonblank);
    let set = item.child("contentSet")?;
    let number = |e: &Element, name: &str| e.attr(name).and_then(|v| v.trim().parse().ok());
    if let Some(inline) =
        set.children_named("inlineData").find(|d| d.attr("contenttype").is_some_and(|t| t.starts_with("image/")))
    {
        let bytes = base64_bytes(&inline.text_of_raw())?;
        return Some(Picture {
            source: PictureSource::Inline(bytes),
            content_type: inline.attr_nonblank("contenttype"),
            width: number(inline, "width"),
            height: number(inline, "height"),
            caption,
            credit,
            alt,
        });
    }
    let renditions = set
        .children_named("remoteContent")
        .map(|r| Rendition {
            name: r.attr("rendition").unwrap_or_default().to_owned(),
            href: r.attr("href").unwrap_or_default().to_owned(),
            content_type: r.attr_nonblank("contenttype"),
            width: number(r, "width"),
            height: number(r, "height"),
            bytes: r.attr("size").and_then(|v| v.trim().parse().ok()),
        })
        .collect();
    crate::pictures::best(renditions).map(|r| crate::pictures::linked(r, caption, credit, alt))
}

/// Base64 text (with the line breaks XML carries) as bytes.
fn base64_bytes(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(compact).ok()
}

fn note_unknown(parent: &Element, known: &[&str], notes: &mut Notes) {
    for e in parent.elements().filter(|e| !known.contains(&e.name.as_str())) {
        notes.detail(format!("unknown element {}", e.qualified_name()));
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
    // Most trusted first: the credit line, the info source that originated
    // the copy (else the first), the provider, the copyright holder.
    let info_sources: Vec<&Element> = content_meta.children_named("infoSource").collect();
    let info_source = info_sources
        .iter()
        .find(|s| s.attr("role").is_some_and(|r| r.to_ascii_lowercase().contains("origin")))
        .or(info_sources.first());
    let agency = content_meta
        .child("creditline")
        .and_then(Element::text_nonblank)
        .and_then(|c| crate::agency_name(&c))
        .or_else(|| info_source.and_then(|s| party_name(s)))
        .or_else(|| item_meta.child("provider").and_then(party_name))
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
    let mut subjects: Vec<Subject> = content_meta
        .children_named("subject")
        .filter_map(|s| {
            let code = s.attr_nonblank("qcode").or_else(|| s.attr_nonblank("uri"));
            Subject::new(code.as_deref(), s.child("name").and_then(Element::text_nonblank).as_deref())
        })
        .collect();
    // Desks and services the item belongs to (Reuters' `memberOf`) route like subjects.
    subjects.extend(item_meta.children_named("memberOf").filter_map(|m| {
        Subject::new(
            m.attr("qcode").or_else(|| m.attr("uri")),
            m.child("name").and_then(Element::text_nonblank).as_deref(),
        )
    }));
    subjects.extend(nitf_draft.subjects);

    let text_of = |parent: &Element, name: &str| parent.child(name).and_then(Element::text_nonblank);
    let first_published_at = match text_of(item_meta, "firstCreated") {
        Some(raw) => notes.time("firstCreated", Some(&raw)),
        None => notes.time("contentCreated", text_of(content_meta, "contentCreated").as_deref()),
    };
    let signals: Vec<String> = item_meta.children_named("signal").filter_map(|s| s.attr_nonblank("qcode")).collect();
    let note = text_of(item_meta, "edNote");
    let mut pictures: Vec<Picture> = item_meta
        .children_named("link")
        .filter(|l| l.attr("contenttype").is_some_and(|t| t.starts_with("image/")))
        .filter_map(|l| {
            let rendition = Rendition {
                href: l.attr_nonblank("href")?,
                content_type: l.attr_nonblank("contenttype"),
                ..Rendition::default()
            };
            let title = l.attr_nonblank("title");
            Some(crate::pictures::linked(rendition, title, None, None))
        })
        .collect();
    pictures.extend(nitf_draft.pictures);
    let mut draft = Draft {
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
        embargoed: notes.time("embargoed", text_of(item_meta, "embargoed").as_deref()).or(nitf_draft.embargoed),
        urgency: notes.urgency("urgency", text_of(content_meta, "urgency").as_deref()).or(nitf_draft.urgency),
        subjects,
        revision: crate::Revision::from_agency(note.as_deref(), &signals).or(nitf_draft.revision),
        pictures,
        // The content's own `language`, else the item's `xml:lang` (every
        // G2 item should carry one), else the inline NITF's.
        language: content_meta
            .child("language")
            .and_then(|l| l.attr_nonblank("tag"))
            .or_else(|| item.attr_nonblank("lang"))
            .or(nitf_draft.language),
        ..Draft::default()
    };
    draft.id_from("guid", item.attr_nonblank("guid"));
    draft.id_from("altId", content_meta.child("altId").and_then(Element::text_nonblank));
    if let Some((id, field)) = nitf_draft.agency_id {
        draft.id_from(field, Some(id));
    }
    draft.finish(notes)
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
fn content(set: &Element, notes: &mut Notes, nitf_draft: &mut Option<Draft>) -> Option<Body> {
    for e in set.elements() {
        match e.name.as_str() {
            "inlineXML" => {
                let Some(root) = e.elements().next() else { continue };
                if root.name == "nitf" {
                    let mut draft = nitf::draft(root, notes);
                    let body = draft.body.take();
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
            "remoteContent" => notes.detail("remoteContent not fetched"),
            _ => notes.detail(format!("unknown element {} in contentSet", e.qualified_name())),
        }
    }
    None
}
