//! IPTC NewsML 1.x: a `NewsML` document of one or more `NewsItem`s, as some
//! global agencies still send it (often in ISO-8859-1, which the XML reader
//! decodes from the declaration).
//!
//! A news item is a tree of `NewsComponent`s: the outer one carries the news
//! lines (headline, byline, credit line...) and metadata, the inner ones the
//! content — the text as NITF, XHTML or plain text in `DataContent`, and
//! pictures as `ContentItem`s whose `Href` points at each rendition.

use crate::body::{self, Body};
use crate::pictures::Rendition;
use crate::xml::{self, Element, Rename};
use crate::{Draft, Notes, Picture, Revision, Subject, WireError, WireItem, WireStatus, nitf};

/// Reads a `NewsML` root (or a bare `NewsItem`).
pub(crate) fn parse(root: &Element, notes: &mut Notes) -> Result<Vec<WireItem>, WireError> {
    let items: Vec<&Element> =
        if root.name == "NewsItem" { vec![root] } else { root.children_named("NewsItem").collect() };
    let envelope_priority = root.path(&["NewsEnvelope", "Priority"]).and_then(|p| p.attr_nonblank("FormalName"));
    crate::collect_items(&items, notes, |item, notes| news_item(item, envelope_priority.as_deref(), notes))
}

/// `FormalName` of a child, the way NewsML 1.x spells its values.
fn formal(parent: &Element, name: &str) -> Option<String> {
    parent.child(name).and_then(|e| e.attr_nonblank("FormalName"))
}

fn news_item(item: &Element, envelope_priority: Option<&str>, notes: &mut Notes) -> Result<WireItem, WireError> {
    let empty = Element::default();
    let identifier = item.path(&["Identification", "NewsIdentifier"]).unwrap_or(&empty);
    let management = item.child("NewsManagement").unwrap_or(&empty);
    let component = item.child("NewsComponent").unwrap_or(&empty);
    let lines = component.child("NewsLines").unwrap_or(&empty);
    let line = |name: &str| lines.child(name).and_then(Element::text_nonblank);
    let text_of = |parent: &Element, name: &str| parent.child(name).and_then(Element::text_nonblank);

    // The id without its revision: PublicIdentifier ends in ":REVISION".
    let id = match (text_of(identifier, "ProviderId"), text_of(identifier, "DateId"), text_of(identifier, "NewsItemId"))
    {
        (Some(provider), Some(date), Some(item_id)) => Some(format!("urn:newsml:{provider}:{date}:{item_id}")),
        _ => text_of(identifier, "PublicIdentifier").map(|p| {
            p.rsplit_once(':').filter(|(_, rev)| rev.parse::<u64>().is_ok()).map_or(p.clone(), |(id, _)| id.to_owned())
        }),
    };

    let mut main = MainContent::default();
    find_content(component, notes, &mut main);
    let nitf_draft = main.nitf.unwrap_or_default();

    // Most trusted first: the credit line, the source, the provider, the
    // copyright line; the provider's domain in the id only as a last resort.
    let party = |path: &[&str]| component.path(path).and_then(|p| p.attr_nonblank("FormalName"));
    let agency = line("CreditLine")
        .and_then(|c| crate::agency_name(&c))
        .or_else(|| party(&["AdministrativeMetadata", "Source", "Party"]))
        .or_else(|| party(&["AdministrativeMetadata", "Provider", "Party"]))
        .or_else(|| line("CopyrightLine").and_then(|c| crate::agency_name(&c)))
        .or(nitf_draft.agency)
        .or_else(|| text_of(identifier, "ProviderId"));

    let status_code = formal(management, "Status");
    let release = management.path(&["StatusWillChange", "DateAndTime"]).and_then(Element::text_nonblank);
    let (status, embargoed) = match (status_code.as_deref().map(str::to_ascii_lowercase).as_deref(), release) {
        // Embargoed until a set time: usable from then on.
        (Some("embargoed"), Some(at)) => (WireStatus::Usable, notes.time("StatusWillChange", Some(&at))),
        _ => (notes.status("Status", status_code.as_deref()), None),
    };
    let urgency = formal(management, "Urgency").or_else(|| envelope_priority.map(str::to_owned));

    let descriptive = component.child("DescriptiveMetadata").unwrap_or(&empty);
    let mut subjects: Vec<Subject> = descriptive
        .children_named("SubjectCode")
        .flat_map(Element::elements)
        .filter_map(|s| Subject::new(s.attr("FormalName"), None))
        .collect();
    subjects.extend(descriptive.children_named("Property").filter_map(|p| {
        let name = p.attr("FormalName")?.to_ascii_lowercase();
        let classifies = ["subject", "topic", "category"].iter().any(|k| name.contains(k));
        classifies.then(|| Subject::new(p.attr("Value"), None)).flatten()
    }));
    subjects.extend(nitf_draft.subjects);

    let city = descriptive
        .children_named("Location")
        .flat_map(|l| l.children_named("Property"))
        .find(|p| p.attr("FormalName").is_some_and(|n| n.eq_ignore_ascii_case("City")))
        .and_then(|p| p.attr_nonblank("Value"));
    let dateline = city
        .or_else(|| line("DateLine").and_then(|d| xml::nonblank(d.split(',').next().unwrap_or_default())))
        .or(nitf_draft.dateline);

    let ed_note = lines
        .children_named("NewsLine")
        .find(|l| formal(l, "NewsLineType").is_some_and(|t| t.to_ascii_lowercase().contains("ednote")))
        .and_then(|l| text_of(l, "NewsLineText"));
    let instructions: Vec<String> =
        management.children_named("Instruction").filter_map(|i| i.attr_nonblank("FormalName")).collect();

    let mut draft = Draft {
        version: notes.version("RevisionId", text_of(identifier, "RevisionId").as_deref()),
        agency,
        headline: line("HeadLine").or(nitf_draft.headline),
        standfirst: line("SubHeadLine").or(nitf_draft.standfirst),
        body: main.body.or(nitf_draft.body),
        byline: line("ByLine").or(nitf_draft.byline),
        dateline,
        first_published_at: notes.time("FirstCreated", text_of(management, "FirstCreated").as_deref()),
        version_at: notes.time("ThisRevisionCreated", text_of(management, "ThisRevisionCreated").as_deref()),
        status: Some(status),
        embargoed: embargoed.or(nitf_draft.embargoed),
        urgency: notes.urgency("Urgency", urgency.as_deref()).or(nitf_draft.urgency),
        subjects,
        revision: Revision::from_agency(ed_note.as_deref(), &instructions).or(nitf_draft.revision),
        pictures: main.pictures,
        language: formal(descriptive, "Language").or(nitf_draft.language),
        ..Draft::default()
    };
    draft.id_from("NewsIdentifier", id);
    if let Some((id, field)) = nitf_draft.agency_id {
        draft.id_from(field, Some(id));
    }
    draft.finish(notes)
}

/// What the content components hold: the text (the first one found) and
/// every picture.
#[derive(Default)]
struct MainContent {
    body: Option<Body>,
    nitf: Option<Draft>,
    pictures: Vec<Picture>,
}

/// Walks the component tree: text content items give the body; a
/// component that holds pictures (its role says so, or its content items
/// are images) gives one picture, whose renditions are its image items and
/// those of the components inside it.
fn find_content(component: &Element, notes: &mut Notes, found: &mut MainContent) {
    let content_items: Vec<&Element> = component.children_named("ContentItem").collect();
    let role = formal(component, "Role").unwrap_or_default().to_ascii_lowercase();
    let photo_role = ["photo", "picture", "graphic", "image"].iter().any(|r| role.contains(r));
    if photo_role || content_items.iter().any(|c| is_image(c)) {
        let mut renditions = Vec::new();
        collect_renditions(component, &mut renditions);
        if let Some(chosen) = crate::pictures::best(renditions) {
            let lines = component.child("NewsLines");
            let line = |name: &str| lines.and_then(|l| l.child(name)).and_then(Element::text_nonblank);
            let caption = content_items
                .iter()
                .filter(|c| !is_image(c))
                .find_map(|c| c.child("DataContent").and_then(Element::text_nonblank))
                .or_else(|| line("HeadLine"));
            found.pictures.push(crate::pictures::linked(chosen, caption, line("CreditLine"), None));
        }
        return;
    }
    if found.body.is_none() {
        for item in content_items {
            if let Some(body) = text_content(item, notes, &mut found.nitf) {
                found.body = Some(body);
                break;
            }
        }
    }
    for child in component.children_named("NewsComponent") {
        find_content(child, notes, found);
    }
}

fn collect_renditions(component: &Element, out: &mut Vec<Rendition>) {
    out.extend(component.children_named("ContentItem").filter(|c| is_image(c)).map(|c| rendition(c, component)));
    for child in component.children_named("NewsComponent") {
        collect_renditions(child, out);
    }
}

fn is_image(item: &Element) -> bool {
    let media = formal(item, "MediaType").unwrap_or_default().to_ascii_lowercase();
    let mime = formal(item, "MimeType").unwrap_or_default().to_ascii_lowercase();
    mime.starts_with("image/") || matches!(media.as_str(), "photo" | "picture" | "graphic" | "image")
}

/// A picture rendition: the item's `Href`, type and the size its
/// `Characteristics` give; named by the role of the component that holds it.
fn rendition(item: &Element, component: &Element) -> Rendition {
    let property = |name: &str| {
        item.child("Characteristics")
            .into_iter()
            .flat_map(|c| c.children_named("Property"))
            .find(|p| p.attr("FormalName").is_some_and(|n| n.eq_ignore_ascii_case(name)))
            .and_then(|p| p.attr("Value"))
            .and_then(|v| v.trim().parse().ok())
    };
    let bytes =
        item.path(&["Characteristics", "SizeInBytes"]).and_then(Element::text_nonblank).and_then(|v| v.parse().ok());
    Rendition {
        name: formal(component, "Role").unwrap_or_default(),
        href: item.attr("Href").unwrap_or_default().to_owned(),
        content_type: formal(item, "MimeType"),
        width: property("Width"),
        height: property("Height"),
        bytes,
    }
}

/// The body a text content item carries: NITF (whose other fields fill
/// what the news lines leave empty), XHTML or plain text.
fn text_content(item: &Element, notes: &mut Notes, nitf_draft: &mut Option<Draft>) -> Option<Body> {
    let data = item.child("DataContent")?;
    let format = formal(item, "Format").unwrap_or_default().to_ascii_lowercase();
    let mime = formal(item, "MimeType").unwrap_or_default().to_ascii_lowercase();
    if let Some(root) = data.elements().next() {
        if root.name == "nitf" {
            let mut draft = nitf::draft(root, notes);
            let body = draft.body.take();
            *nitf_draft = Some(draft);
            return body;
        }
        let html = match root.name.as_str() {
            "html" => root.child("body").map(|b| xml::inner_html(b, &|_| Rename::Keep)),
            "body" => Some(xml::inner_html(root, &|_| Rename::Keep)),
            _ => Some(xml::inner_html(data, &|_| Rename::Keep)),
        };
        return html.map(|html| body::from_html(&html));
    }
    let text = data.text_of_raw();
    if text.trim().is_empty() {
        return None;
    }
    let is_html = format.contains("html") || mime.contains("html");
    Some(if is_html { body::from_html(&text) } else { body::from_text(&text) })
}
