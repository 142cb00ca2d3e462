//! NITF 3.x (News Industry Text Format): a whole document, or the body of
//! one carried inside NewsML-G2 `inlineXML` or a ninjs `bodies` entry.

use crate::body::{self, Body};
use crate::pictures::Rendition;
use crate::xml::{self, Element, Rename};
use crate::{Draft, Notes, Picture, Subject, WireError, WireItem, WireStatus};

/// `head` children this parser reads or knowingly leaves out.
const KNOWN_HEAD: &[&str] = &["title", "meta", "tobject", "iim", "docdata", "pubdata", "revision-history"];

/// Reads a standalone NITF document.
pub(crate) fn parse_document(root: &Element, notes: &mut Notes) -> Result<WireItem, WireError> {
    draft(root, notes).finish(notes)
}

/// Everything an NITF document says about its story.
pub(crate) fn draft(root: &Element, notes: &mut Notes) -> Draft {
    let head = root.child("head");
    let docdata = head.and_then(|h| h.child("docdata"));
    let body_head = root.path(&["body", "body.head"]);
    if let Some(head) = head {
        for e in head.elements().filter(|e| !KNOWN_HEAD.contains(&e.name.as_str())) {
            notes.detail(format!("unknown element {}", e.qualified_name()));
        }
    }

    let headline = body_head
        .and_then(|h| h.path(&["hedline", "hl1"]))
        .and_then(Element::text_nonblank)
        .or_else(|| head.and_then(|h| h.child("title")).and_then(Element::text_nonblank));
    let standfirst = body_head
        .and_then(|h| h.path(&["hedline", "hl2"]))
        .and_then(Element::text_nonblank)
        .or_else(|| body_head.and_then(|h| h.child("abstract")).and_then(Element::text_nonblank));

    let norm_or_text = |e: &Element| e.attr_nonblank("norm").or_else(|| e.text_nonblank());
    let date = |name: &str| docdata.and_then(|d| d.child(name)).and_then(norm_or_text);
    let in_docdata = |name: &str, attr: &str| docdata.and_then(|d| d.child(name)).and_then(|e| e.attr_nonblank(attr));

    let status_code = docdata
        .and_then(|d| d.attr_nonblank("management-status"))
        .or_else(|| {
            docdata.and_then(|d| d.child("doc.management-status")).and_then(|e| {
                e.attr_nonblank("value").or_else(|| e.attr_nonblank("status")).or_else(|| e.text_nonblank())
            })
        })
        // Some senders put it on the root element.
        .or_else(|| root.attr_nonblank("management-status"));

    let du_key = docdata.and_then(|d| d.child("du-key"));
    let version_raw = du_key
        .and_then(|k| k.attr_nonblank("version"))
        .or_else(|| head.and_then(|h| h.child("pubdata")).and_then(|p| p.attr_nonblank("edition.n")));
    let version = version_raw.and_then(|v| v.parse().ok());

    let mut subjects: Vec<Subject> = head
        .into_iter()
        .flat_map(|h| h.children_named("tobject"))
        .flat_map(|t| t.children_named("tobject.subject"))
        .filter_map(|s| {
            let name = s.attr_nonblank("tobject.subject.matter").or_else(|| s.attr_nonblank("tobject.subject.type"));
            Subject::new(s.attr("tobject.subject.refnum"), name.as_deref())
        })
        .collect();
    // AP's category rides in a meta element of the head.
    subjects.extend(head.into_iter().flat_map(|h| h.children_named("meta")).filter_map(|m| {
        let name = m.attr("name")?.to_ascii_lowercase();
        let content = m.attr_nonblank("content")?;
        let category = name.contains("cat") && (name.starts_with("ap") || name.contains("anpa"));
        category.then(|| Subject::new(Some(&format!("apcategory:{content}")), None)).flatten()
    }));

    // A correction names itself; an editor's message says what an update changed.
    let correction = docdata.and_then(|d| d.child("correction"));
    let note = correction
        .and_then(|c| c.attr_nonblank("info"))
        .or_else(|| in_docdata("ed-msg", "info"))
        .or_else(|| docdata.and_then(|d| d.child("ed-msg")).and_then(Element::text_nonblank));
    let signals: Vec<String> = correction.map(|_| "correction".to_owned()).into_iter().collect();

    let release = date("date.release");
    let (body, agency) = body_of(root);
    let mut draft = Draft {
        version,
        agency,
        headline,
        standfirst,
        body,
        byline: body_head.and_then(|h| h.child("byline")).and_then(Element::text_nonblank),
        dateline: body_head
            .and_then(|h| h.child("dateline"))
            .and_then(dateline)
            .or_else(|| docdata.and_then(|d| d.child("evloc")).and_then(|e| e.attr_nonblank("city"))),
        first_published_at: notes.time("date.issue", date("date.issue").as_deref()),
        version_at: notes.time("date.release", release.as_deref()),
        status: Some(match status_code {
            Some(code) => notes.status("management-status", Some(&code)),
            None => WireStatus::Usable,
        }),
        // NITF's embargo is its release time: "available for release" then.
        embargoed: release.as_deref().and_then(crate::time::parse).map(|t| t.at),
        urgency: notes.urgency("urgency", in_docdata("urgency", "ed-urg").as_deref()),
        subjects,
        revision: crate::Revision::from_agency(note.as_deref(), &signals),
        pictures: root.path(&["body", "body.content"]).map(pictures).unwrap_or_default(),
        // `xml:lang` (or the older `lang`) where the document says it, else its `baselang`.
        language: [Some(root), root.child("body"), root.path(&["body", "body.content"])]
            .into_iter()
            .flatten()
            .find_map(|e| e.attr_nonblank("lang"))
            .or_else(|| root.attr_nonblank("baselang")),
        ..Draft::default()
    };
    let doc_id = docdata.and_then(|d| d.child("doc-id"));
    draft.id_from("doc-id", doc_id.and_then(|id| id.attr_nonblank("id-string").or_else(|| id.text_nonblank())));
    draft.id_from("du-key", du_key.and_then(|k| k.attr_nonblank("key")));
    if draft.agency.is_none() {
        // The registration source of the id names the agency ("AP").
        draft.agency = doc_id.and_then(|id| id.attr_nonblank("regsrc"));
    }
    draft
}

/// The body (if it has one) and the distributor or copyright holder, for
/// callers that only need those from an embedded NITF.
pub(crate) fn body_of(root: &Element) -> (Option<Body>, Option<String>) {
    let body =
        root.path(&["body", "body.content"]).map(|content| body::from_built_html(&xml::inner_html(content, &rename)));
    let agency = root.path(&["body", "body.head", "distributor"]).and_then(Element::text_nonblank).or_else(|| {
        root.path(&["head", "docdata", "doc.copyright"]).and_then(|c| c.attr("holder")).and_then(crate::agency_name)
    });
    (body, agency)
}

/// The pictures of a body: `media` of type image, each with the
/// reference to fetch (the widest offered), its caption and producer.
fn pictures(content: &Element) -> Vec<Picture> {
    let mut media = Vec::new();
    collect_media(content, &mut media);
    media
        .into_iter()
        .filter(|m| {
            m.attr("media-type").is_none_or(|t| t.eq_ignore_ascii_case("image") || t.eq_ignore_ascii_case("photo"))
        })
        .filter_map(|m| {
            let renditions = m
                .children_named("media-reference")
                .map(|r| {
                    let number = |name: &str| r.attr(name).and_then(|v| v.trim().parse().ok());
                    Rendition {
                        name: r.attr("name").unwrap_or_default().to_owned(),
                        href: r.attr("source").or_else(|| r.attr("data-location")).unwrap_or_default().to_owned(),
                        content_type: r.attr_nonblank("mime-type"),
                        width: number("width"),
                        height: number("height"),
                        bytes: None,
                    }
                })
                .collect();
            let alt = m.children_named("media-reference").find_map(|r| r.attr_nonblank("alternate-text"));
            let chosen = crate::pictures::best(renditions)?;
            let caption = m.child("media-caption").and_then(Element::text_nonblank);
            let credit = m.child("media-producer").and_then(Element::text_nonblank);
            Some(crate::pictures::linked(chosen, caption, credit, alt))
        })
        .collect()
}

fn collect_media<'a>(element: &'a Element, out: &mut Vec<&'a Element>) {
    for e in element.elements() {
        if e.name == "media" {
            out.push(e);
        } else {
            collect_media(e, out);
        }
    }
}

/// The city of a `dateline`: `location/city`, else the location, else the
/// dateline's own text without its date.
fn dateline(dateline: &Element) -> Option<String> {
    if let Some(location) = dateline.child("location") {
        return location.descendant("city").and_then(Element::text_nonblank).or_else(|| location.text_nonblank());
    }
    let mut text = String::new();
    for child in &dateline.children {
        match child {
            xml::Node::Text(t) => text.push_str(t),
            xml::Node::Element(e) if e.name != "story.date" => text.push_str(&e.text()),
            xml::Node::Element(_) => {}
        }
    }
    xml::nonblank(text.trim_end_matches([',', ' ', '-', '\u{2014}']))
}

/// NITF body markup to HTML: the sanitiser then keeps what a story may use.
fn rename(e: &Element) -> Rename {
    match e.name.as_str() {
        "block" | "nitf-table" | "nitf-table-metadata" => Rename::Unwrap,
        "hl2" => Rename::Tag("h2"),
        "bq" => Rename::Tag("blockquote"),
        "credit" => Rename::Tag("cite"),
        // Pictures are taken apart (see `pictures`); editorial notes are not copy.
        "media" | "note" | "ed-msg" | "nitf-colgroup" => Rename::Drop,
        _ => Rename::Keep,
    }
}
