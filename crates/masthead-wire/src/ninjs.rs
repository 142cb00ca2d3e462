//! IPTC ninjs, News in JSON: 1.x (`headline`, `body_html`, `pubstatus`...),
//! 2.x (lower-case `headlines`, `bodies`, `versioncreated`) and 3.x
//! (camel-case `versionCreated`, `pubStatus`, `contentType`).
//!
//! The versions differ mostly in spelling, so fields are looked up by a
//! normalised key (lower case, no underscores): `versionCreated`,
//! `versioncreated` and `version_created` are one field.

use serde_json::{Map, Value};

use crate::body::{self, Body};
use crate::pictures::Rendition;
use crate::{Draft, Notes, Picture, Subject, WireError, WireItem, nitf, xml};

/// Fields of every ninjs version that this parser reads or knowingly leaves
/// out (normalised); anything else is noted as unknown.
const KNOWN: &[&str] = &[
    // read
    "uri",
    "language",
    "guid",
    "version",
    "headline",
    "headlines",
    "title",
    "bodytext",
    "bodyhtml",
    "bodyxhtml",
    "bodies",
    "descriptiontext",
    "descriptionhtml",
    "descriptions",
    "by",
    "byline",
    "located",
    "places",
    "place",
    "firstcreated",
    "contentcreated",
    "versioncreated",
    "pubstatus",
    "copyrightholder",
    "infosources",
    "subjects",
    "subject",
    // standard, not needed for a story
    "standard",
    "type",
    "profile",
    "representationtype",
    "mimetype",
    "altids",
    "associations",
    "copyrightnotice",
    "digitalsourcetype",
    "ednote",
    "embargoeduntil",
    "embargoed",
    "eventdetails",
    "events",
    "expires",
    "genres",
    "genre",
    "objects",
    "organisations",
    "organisation",
    "people",
    "person",
    "plannedcoverage",
    "renditions",
    "rightsinfo",
    "slugline",
    "trustindicators",
    "urgency",
    "usageterms",
    "keywords",
    "$schema",
    // ninjs 1.0 as newsroom systems (Superdesk and others) write it
    "source",
    "priority",
    "anpacategory",
    "service",
    "signal",
    "authors",
    "creditline",
    "charcount",
    "wordcount",
    "readtime",
    "evolvedfrom",
    "extra",
];

/// Whether a JSON value is a ninjs item (or an array of them).
pub(crate) fn looks_like_ninjs(value: &Value) -> bool {
    match value {
        Value::Object(map) => {
            ["uri", "guid", "headline", "headlines", "bodies", "bodytext", "bodyhtml", "versioncreated"]
                .iter()
                .any(|k| get(map, k).is_some())
        }
        Value::Array(items) => items.first().is_some_and(looks_like_ninjs),
        _ => false,
    }
}

/// Reads one item, or an array of items.
pub(crate) fn parse(value: &Value, notes: &mut Notes) -> Result<Vec<WireItem>, WireError> {
    match value {
        Value::Object(map) => Ok(vec![item(map, notes)?]),
        Value::Array(values) => crate::collect_items(values, notes, |value, notes| match value {
            Value::Object(map) => item(map, notes),
            _ => Err(WireError::UnknownFormat("array entry is not a ninjs object".into())),
        }),
        _ => Err(WireError::UnknownFormat("JSON without ninjs fields".into())),
    }
}

fn norm(key: &str) -> String {
    key.chars().filter(|c| *c != '_' && *c != '-').flat_map(char::to_lowercase).collect()
}

/// A field by normalised name.
fn get<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.iter().find(|(k, _)| norm(k) == key).map(|(_, v)| v).filter(|v| !v.is_null())
}

/// A field as text: strings as they are, numbers written out.
fn text(map: &Map<String, Value>, key: &str) -> Option<String> {
    match get(map, key)? {
        Value::String(s) => xml::nonblank(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A string field exactly as sent (line breaks matter in plain-text bodies).
fn raw(map: &Map<String, Value>, key: &str) -> Option<String> {
    get(map, key).and_then(Value::as_str).filter(|s| !s.trim().is_empty()).map(str::to_owned)
}

/// The objects of an array field (2.x/3.x `headlines`, `bodies`...).
fn objects<'a>(map: &'a Map<String, Value>, key: &str) -> Vec<&'a Map<String, Value>> {
    match get(map, key) {
        Some(Value::Array(values)) => values.iter().filter_map(Value::as_object).collect(),
        Some(Value::Object(one)) => vec![one],
        _ => Vec::new(),
    }
}

/// The `value` of the entry with one of these roles, else the first.
fn by_role<'a>(entries: &[&'a Map<String, Value>], roles: &[&str]) -> Option<&'a Map<String, Value>> {
    roles
        .iter()
        .find_map(|role| entries.iter().find(|e| text(e, "role").is_some_and(|r| r.eq_ignore_ascii_case(role))))
        .or(entries.first())
        .copied()
}

fn item(map: &Map<String, Value>, notes: &mut Notes) -> Result<WireItem, WireError> {
    for key in map.keys() {
        if !KNOWN.contains(&norm(key).as_str()) {
            notes.detail(format!("unknown field {key}"));
        }
    }
    let headlines = objects(map, "headlines");
    let mut headline = by_role(&headlines, &["main", "headline"]).and_then(|h| text(h, "value"));
    headline = headline.or_else(|| text(map, "headline"));
    if headline.is_none()
        && let Some(title) = text(map, "title")
    {
        notes.note("no headline; the title stands in for it");
        headline = Some(title);
    }

    let mut nitf_agency = None;
    let body = read_body(map, notes, &mut nitf_agency);

    let dateline = text(map, "located").or_else(|| {
        let places = objects(map, "places");
        places.first().and_then(|p| text(p, "name"))
    });

    let first_published_at = match text(map, "firstcreated") {
        Some(raw) => notes.time("firstcreated", Some(&raw)),
        None => notes.time("contentcreated", text(map, "contentcreated").as_deref()),
    };
    let embargo = text(map, "embargoeduntil")
        .map(|raw| ("embargoedUntil", raw))
        .or_else(|| text(map, "embargoed").map(|raw| ("embargoed", raw)));
    let urgency = match text(map, "urgency") {
        Some(raw) => notes.urgency("urgency", Some(&raw)),
        // Newsroom systems' ninjs 1.0 says "priority", 1 (flash) to 6.
        None => notes.urgency("priority", text(map, "priority").as_deref()),
    };
    let signals: Vec<String> =
        objects(map, "signal").iter().filter_map(|s| text(s, "qcode").or_else(|| text(s, "code"))).collect();

    let mut draft = Draft {
        version: notes.version("version", text(map, "version").as_deref()),
        agency: agency(map).or(nitf_agency),
        headline,
        standfirst: standfirst(map),
        body,
        byline: text(map, "by").or_else(|| text(map, "byline")).or_else(|| names(map, "authors")),
        dateline,
        first_published_at,
        version_at: notes.time("versioncreated", text(map, "versioncreated").as_deref()),
        status: Some(notes.status("pubstatus", text(map, "pubstatus").as_deref())),
        embargoed: embargo.and_then(|(field, raw)| notes.time(field, Some(&raw))),
        urgency,
        subjects: subjects(map),
        revision: crate::Revision::from_agency(text(map, "ednote").as_deref(), &signals),
        pictures: pictures(map, notes),
        language: text(map, "language"),
        ..Draft::default()
    };
    draft.id_from("uri", text(map, "uri"));
    draft.id_from("guid", text(map, "guid"));
    draft.id_from("altId", objects(map, "altids").first().and_then(|a| text(a, "value")));
    draft.finish(notes)
}

/// Description, abstract or summary as plain text: 2.x/3.x `descriptions`
/// by role, else 1.x `description_text`/`description_html`.
fn standfirst(map: &Map<String, Value>) -> Option<String> {
    let descriptions = objects(map, "descriptions");
    by_role(&descriptions, &["summary", "lead", "abstract", "text", "description"])
        .and_then(|d| {
            let value = text(d, "value")?;
            let html = text(d, "contenttype").is_some_and(|t| t.contains("html"));
            Some(if html { body::plain_text(&value) } else { value })
        })
        .or_else(|| text(map, "descriptiontext"))
        .or_else(|| text(map, "descriptionhtml").map(|h| body::plain_text(&h)))
}

/// The agency, most trusted first: a credit line, the info source that
/// originated the copy (else the first), the newsroom systems' `source`,
/// the copyright holder.
fn agency(map: &Map<String, Value>) -> Option<String> {
    let sources = objects(map, "infosources");
    let source = sources
        .iter()
        .find(|s| text(s, "role").is_some_and(|r| r.to_ascii_lowercase().contains("origin")))
        .or(sources.first())
        .and_then(|s| text(s, "name").or_else(|| text(s, "literal")));
    text(map, "creditline")
        .and_then(|c| crate::agency_name(&c))
        .or(source)
        .or_else(|| text(map, "source"))
        .or_else(|| text(map, "copyrightholder").and_then(|c| crate::agency_name(&c)))
}

/// The `name`s of an array of objects, joined ("authors": [{"name": …}]).
fn names(map: &Map<String, Value>, key: &str) -> Option<String> {
    let names: Vec<String> = objects(map, key).iter().filter_map(|o| text(o, "name")).collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// Subjects (2.x/3.x `subjects`, 1.x `subject`) by code and name, and the
/// ANPA categories of ninjs 1.0 (`anpa_category`, as `apcategory:X`).
fn subjects(map: &Map<String, Value>) -> Vec<Subject> {
    let mut subjects: Vec<Subject> = ["subjects", "subject"]
        .iter()
        .flat_map(|key| objects(map, key))
        .filter_map(|s| {
            let code = match (text(s, "code"), text(s, "scheme")) {
                (Some(code), Some(scheme)) if !code.contains(':') => Some(format!("{scheme}{code}")),
                (code, _) => code,
            };
            let code = code.or_else(|| text(s, "qcode")).or_else(|| text(s, "uri")).or_else(|| text(s, "literal"));
            Subject::new(code.as_deref(), text(s, "name").as_deref())
        })
        .collect();
    subjects.extend(objects(map, "anpacategory").iter().filter_map(|c| {
        let code = text(c, "qcode").or_else(|| text(c, "code")).map(|c| format!("apcategory:{c}"));
        Subject::new(code.as_deref(), text(c, "name").as_deref())
    }));
    subjects
}

/// Pictures among the `associations`: 3.x an array, 1.x/2.x an object by
/// name; each with its renditions (an array, or an object by name).
fn pictures(map: &Map<String, Value>, notes: &mut Notes) -> Vec<Picture> {
    let associated: Vec<&Map<String, Value>> = match get(map, "associations") {
        Some(Value::Array(values)) => values.iter().filter_map(Value::as_object).collect(),
        Some(Value::Object(by_name)) => by_name.values().filter_map(Value::as_object).collect(),
        _ => Vec::new(),
    };
    let mut found = Vec::new();
    for picture in associated {
        let kind = text(picture, "type").unwrap_or_default().to_ascii_lowercase();
        if !matches!(kind.as_str(), "picture" | "image" | "graphic") {
            continue;
        }
        let renditions: Vec<Rendition> = match get(picture, "renditions") {
            Some(Value::Array(values)) => {
                values.iter().filter_map(Value::as_object).map(|r| rendition(None, r)).collect()
            }
            Some(Value::Object(by_name)) => {
                by_name.iter().filter_map(|(name, r)| r.as_object().map(|r| rendition(Some(name), r))).collect()
            }
            _ => Vec::new(),
        };
        let Some(chosen) = crate::pictures::best(renditions) else {
            notes.note(format!("picture {} has no image rendition to fetch", text(picture, "uri").unwrap_or_default()));
            continue;
        };
        let caption = standfirst(picture).or_else(|| text(picture, "bodytext")).or_else(|| text(picture, "headline"));
        let credit = text(picture, "by")
            .or_else(|| text(picture, "byline"))
            .or_else(|| text(picture, "creditline"))
            .or_else(|| text(picture, "copyrightholder"));
        let alt = text(picture, "alttext").or_else(|| {
            let descriptions = objects(picture, "descriptions");
            descriptions
                .iter()
                .find(|d| text(d, "role").is_some_and(|r| r.contains("alt")))
                .and_then(|d| text(d, "value"))
        });
        found.push(crate::pictures::linked(chosen, caption, credit, alt));
    }
    found
}

fn rendition(name: Option<&str>, r: &Map<String, Value>) -> Rendition {
    let number = |key: &str| text(r, key).and_then(|v| v.parse().ok());
    Rendition {
        name: name.map(str::to_owned).or_else(|| text(r, "title")).or_else(|| text(r, "name")).unwrap_or_default(),
        href: text(r, "href").unwrap_or_default(),
        content_type: text(r, "contenttype").or_else(|| text(r, "mimetype")),
        width: number("width"),
        height: number("height"),
        bytes: text(r, "sizeinbytes").and_then(|v| v.parse().ok()),
    }
}

/// The body: HTML preferred, then NITF, then plain text, from 2.x/3.x
/// `bodies` or 1.x `body_html`/`body_xhtml`/`body_text`.
fn read_body(map: &Map<String, Value>, notes: &mut Notes, nitf_agency: &mut Option<String>) -> Option<Body> {
    #[derive(PartialEq, Eq, PartialOrd, Ord, Clone, Copy)]
    enum Kind {
        Html,
        Nitf,
        Text,
    }
    let mut candidates: Vec<(Kind, String)> = Vec::new();
    for entry in objects(map, "bodies") {
        let Some(value) = raw(entry, "value") else { continue };
        let content_type = text(entry, "contenttype").unwrap_or_default().to_ascii_lowercase();
        let role = text(entry, "role").unwrap_or_default().to_ascii_lowercase();
        let kind = if content_type.contains("nitf") || role == "nitf" || value.trim_start().starts_with("<nitf") {
            Kind::Nitf
        } else if content_type.contains("html") || role.starts_with("html") || role.ends_with("html5") {
            Kind::Html
        } else if content_type.is_empty() || content_type.starts_with("text/plain") || role == "text" {
            Kind::Text
        } else {
            notes.detail(format!("body of type {content_type} (role {role}) ignored"));
            continue;
        };
        candidates.push((kind, value));
    }
    for (key, kind) in [("bodyhtml", Kind::Html), ("bodyxhtml", Kind::Html), ("bodytext", Kind::Text)] {
        if let Some(value) = raw(map, key) {
            candidates.push((kind, value));
        }
    }
    // Stable sort: among bodies of one kind the agency's order wins.
    candidates.sort_by_key(|(kind, _)| *kind);
    for (kind, value) in candidates {
        match kind {
            Kind::Html => return Some(body::from_html(&value)),
            Kind::Text => return Some(body::from_text(&value)),
            Kind::Nitf => match xml::parse(value.as_bytes()) {
                Ok(root) => {
                    let (body, agency) = nitf::body_of(&root);
                    if agency.is_some() {
                        *nitf_agency = agency;
                    }
                    if let Some(body) = body {
                        return Some(body);
                    }
                }
                Err(e) => notes.note(format!("NITF body ignored: {e}")),
            },
        }
    }
    None
}
