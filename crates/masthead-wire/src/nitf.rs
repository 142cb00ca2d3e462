//! NITF 3.x (News Industry Text Format): a whole document, or the body of
//! one carried inside NewsML-G2 `inlineXML` or a ninjs `bodies` entry.

use masthead_domain::SafeHtml;

use crate::xml::{self, Element, Rename};
use crate::{Draft, Notes, WireError, WireItem, WireStatus, body};

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
            notes.push(format!("unknown element {}", e.qualified_name()));
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

    let subjects = head
        .into_iter()
        .flat_map(|h| h.children_named("tobject"))
        .flat_map(|t| t.children_named("tobject.subject"))
        .filter_map(|s| {
            s.attr_nonblank("tobject.subject.matter")
                .or_else(|| s.attr_nonblank("tobject.subject.type"))
                .or_else(|| s.attr_nonblank("tobject.subject.refnum"))
        })
        .collect();

    let (body, agency) = body_of(root);
    Draft {
        agency_id: docdata
            .and_then(|d| d.child("doc-id"))
            .and_then(|id| id.attr_nonblank("id-string"))
            .or_else(|| du_key.and_then(|k| k.attr_nonblank("key"))),
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
        version_at: notes.time("date.release", date("date.release").as_deref()),
        status: Some(match status_code {
            Some(code) => notes.status("management-status", Some(&code)),
            None => WireStatus::Usable,
        }),
        subjects,
    }
}

/// The body as safe HTML (if it has one) and the distributor or copyright
/// holder, for callers that only need those from an embedded NITF.
pub(crate) fn body_of(root: &Element) -> (Option<SafeHtml>, Option<String>) {
    let body =
        root.path(&["body", "body.content"]).map(|content| body::from_built_html(&xml::inner_html(content, &rename)));
    let agency = root
        .path(&["body", "body.head", "distributor"])
        .and_then(Element::text_nonblank)
        .or_else(|| root.path(&["head", "docdata", "doc.copyright"]).and_then(|c| c.attr_nonblank("holder")));
    (body, agency)
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
        // Media needs its renditions fetched; editorial notes are not copy.
        "media" | "note" | "ed-msg" | "nitf-colgroup" => Rename::Drop,
        _ => Rename::Keep,
    }
}
