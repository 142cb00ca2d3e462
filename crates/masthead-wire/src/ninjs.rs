//! IPTC ninjs, News in JSON: 1.x (`headline`, `body_html`, `pubstatus`...),
//! 2.x (lower-case `headlines`, `bodies`, `versioncreated`) and 3.x
//! (camel-case `versionCreated`, `pubStatus`, `contentType`).
//!
//! The versions differ mostly in spelling, so fields are looked up by a
//! normalised key (lower case, no underscores): `versionCreated`,
//! `versioncreated` and `version_created` are one field.

use serde_json::{Map, Value};

use crate::{Draft, Notes, WireError, WireItem, body, nitf, xml};

/// Fields of every ninjs version that this parser reads or knowingly leaves
/// out (normalised); anything else is noted as unknown.
const KNOWN: &[&str] = &[
    // read
    "uri",
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
    "language",
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
];

/// Whether a JSON value is a ninjs item (or an array of them).
pub(crate) fn looks_like_ninjs(value: &Value) -> bool {
    match value {
        Value::Object(map) => ["uri", "headline", "headlines", "bodies", "bodytext", "bodyhtml", "versioncreated"]
            .iter()
            .any(|k| get(map, k).is_some()),
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
            notes.push(format!("unknown field {key}"));
        }
    }
    let headlines = objects(map, "headlines");
    let mut headline = by_role(&headlines, &["main", "headline"]).and_then(|h| text(h, "value"));
    headline = headline.or_else(|| text(map, "headline"));
    if headline.is_none()
        && let Some(title) = text(map, "title")
    {
        notes.push("no headline; the title stands in for it");
        headline = Some(title);
    }

    let descriptions = objects(map, "descriptions");
    let standfirst = by_role(&descriptions, &["summary", "lead", "abstract", "text", "description"])
        .and_then(|d| {
            let value = text(d, "value")?;
            let html = text(d, "contenttype").is_some_and(|t| t.contains("html"));
            Some(if html { body::plain_text(&value) } else { value })
        })
        .or_else(|| text(map, "descriptiontext"))
        .or_else(|| text(map, "descriptionhtml").map(|h| body::plain_text(&h)));

    let mut nitf_agency = None;
    let body = read_body(map, notes, &mut nitf_agency);

    let agency = objects(map, "infosources")
        .first()
        .and_then(|s| text(s, "name"))
        .or_else(|| text(map, "copyrightholder"))
        .or(nitf_agency);

    let dateline = text(map, "located").or_else(|| {
        let places = objects(map, "places");
        places.first().and_then(|p| text(p, "name"))
    });

    let subjects = ["subjects", "subject"]
        .iter()
        .flat_map(|key| objects(map, key))
        .filter_map(|s| {
            text(s, "name")
                .or_else(|| text(s, "literal"))
                .or_else(|| text(s, "code"))
                .or_else(|| text(s, "qcode"))
                .or_else(|| text(s, "uri"))
        })
        .collect();

    let first_published_at = match text(map, "firstcreated") {
        Some(raw) => notes.time("firstcreated", Some(&raw)),
        None => notes.time("contentcreated", text(map, "contentcreated").as_deref()),
    };

    Draft {
        agency_id: text(map, "uri").or_else(|| text(map, "guid")),
        version: notes.version("version", text(map, "version").as_deref()),
        agency,
        headline,
        standfirst,
        body,
        byline: text(map, "by").or_else(|| text(map, "byline")),
        dateline,
        first_published_at,
        version_at: notes.time("versioncreated", text(map, "versioncreated").as_deref()),
        status: Some(notes.status("pubstatus", text(map, "pubstatus").as_deref())),
        subjects,
    }
    .finish(notes)
}

/// The body: HTML preferred, then NITF, then plain text, from 2.x/3.x
/// `bodies` or 1.x `body_html`/`body_xhtml`/`body_text`.
fn read_body(
    map: &Map<String, Value>,
    notes: &mut Notes,
    nitf_agency: &mut Option<String>,
) -> Option<masthead_domain::SafeHtml> {
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
            notes.push(format!("body of type {content_type} (role {role}) ignored"));
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
                Err(e) => notes.push(format!("NITF body ignored: {e}")),
            },
        }
    }
    None
}
