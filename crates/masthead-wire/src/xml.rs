//! A small owned XML tree, built with quick-xml, that the XML formats read.
//!
//! Agency files are small (a story, or a feed of a few dozen), so reading the
//! whole document into a tree first lets each format ask for "the headline
//! under contentMeta" instead of tracking parser state. Names are kept by
//! local name only: agencies use whatever prefixes and namespaces they like
//! (`nar:headline`, `headline` with a default namespace, none at all), and
//! prefixed extensions such as `dc:creator` or `content:encoded` are matched
//! by their prefix as well (see [`Element::prefixed`]).

use quick_xml::Reader;
use quick_xml::escape::{resolve_predefined_entity, resolve_xml_entity};
use quick_xml::events::{BytesStart, Event};

use crate::error::WireError;

/// One element: its name, attributes and children in document order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Element {
    /// Local name, without prefix (`headline` for `nar:headline`).
    pub name: String,
    /// The prefix as written (`content` for `content:encoded`), or empty.
    pub prefix: String,
    /// Attributes by local name, values unescaped.
    pub attrs: Vec<(String, String)>,
    /// Child elements and text.
    pub children: Vec<Node>,
}

/// A child of an element.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    /// The first child element with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// All child elements with this local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements().filter(move |e| e.name == name)
    }

    /// All child elements.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// Follows a path of local names, first match at each step.
    pub fn path(&self, names: &[&str]) -> Option<&Element> {
        names.iter().try_fold(self, |e, name| e.child(name))
    }

    /// The first element with this name anywhere below (depth first).
    pub fn descendant(&self, name: &str) -> Option<&Element> {
        self.elements().find_map(|e| if e.name == name { Some(e) } else { e.descendant(name) })
    }

    /// A child matched by prefix and local name (`content:encoded`, `dc:creator`),
    /// for feed extensions whose local name alone would be ambiguous.
    pub fn prefixed(&self, prefix: &str, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.prefix == prefix && e.name == name)
    }

    /// `prefix:name` as written, for notes.
    pub fn qualified_name(&self) -> String {
        if self.prefix.is_empty() { self.name.clone() } else { format!("{}:{}", self.prefix, self.name) }
    }

    /// An attribute by local name.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// An attribute, trimmed, if it is not blank.
    pub fn attr_nonblank(&self, name: &str) -> Option<String> {
        self.attr(name).and_then(nonblank)
    }

    /// All text below this element, with runs of whitespace collapsed to one
    /// space (XML indentation is not part of a headline).
    pub fn text(&self) -> String {
        let mut raw = String::new();
        self.collect_text(&mut raw);
        collapse_whitespace(&raw)
    }

    /// The text exactly as written (line breaks kept), for plain-text bodies.
    pub fn text_of_raw(&self) -> String {
        let mut raw = String::new();
        for child in &self.children {
            match child {
                Node::Text(t) => raw.push_str(t),
                Node::Element(e) => raw.push_str(&e.text_of_raw()),
            }
        }
        raw
    }

    /// The collapsed text, if there is any.
    pub fn text_nonblank(&self) -> Option<String> {
        nonblank(&self.text())
    }

    fn collect_text(&self, out: &mut String) {
        for child in &self.children {
            match child {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => {
                    // Block-level children must not run their words together.
                    out.push(' ');
                    e.collect_text(out);
                    out.push(' ');
                }
            }
        }
    }
}

/// Trims; `None` when nothing is left.
pub(crate) fn nonblank(s: &str) -> Option<String> {
    let t = collapse_whitespace(s);
    (!t.is_empty()).then_some(t)
}

/// Collapses whitespace runs to single spaces and trims.
pub(crate) fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Deeper than any story needs; a limit keeps a hostile feed from
/// exhausting the stack when the tree is walked recursively.
const MAX_DEPTH: usize = 256;

/// Reads a whole document into its root element.
///
/// The encoding comes from a BOM or the XML declaration (agencies still send
/// ISO-8859-1). Errors carry the byte offset where reading stopped.
pub(crate) fn parse(bytes: &[u8]) -> Result<Element, WireError> {
    let mut reader = Reader::from_reader(bytes);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.expand_empty_elements = false;

    let not_well_formed =
        |reader: &Reader<&[u8]>, message: String| WireError::Xml { position: reader.buffer_position(), message };

    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| WireError::Xml { position: reader.error_position(), message: e.to_string() })?;
        match event {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(not_well_formed(&reader, format!("elements nested deeper than {MAX_DEPTH}")));
                }
                let element = element_from(&start, &reader)?;
                if root.is_some() && stack.is_empty() {
                    return Err(not_well_formed(&reader, format!("second root element <{}>", element.name)));
                }
                stack.push(element);
            }
            Event::Empty(start) => {
                let element = element_from(&start, &reader)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(element)),
                    None if root.is_none() => root = Some(element),
                    None => {
                        return Err(not_well_formed(&reader, format!("second root element <{}>", element.name)));
                    }
                }
            }
            Event::End(_) => {
                // quick-xml has checked that the end tag matches.
                let element = stack.pop().ok_or_else(|| not_well_formed(&reader, "unexpected end tag".into()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(element)),
                    None => root = Some(element),
                }
            }
            Event::Text(text) => {
                let text = text.decode().map_err(|e| not_well_formed(&reader, e.to_string()))?;
                push_text(&mut stack, &text, &reader)?;
            }
            Event::CData(cdata) => {
                let text = cdata.decode().map_err(|e| not_well_formed(&reader, e.to_string()))?;
                push_text(&mut stack, &text, &reader)?;
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = reference.decode().map_err(|e| not_well_formed(&reader, e.to_string()))?;
                        // NITF and RSS bodies use HTML entities (&nbsp;, &auml;)
                        // without declaring them; resolving them beats refusing the file.
                        resolve_predefined_entity(&name)
                            .ok_or_else(|| not_well_formed(&reader, format!("unknown entity &{name};")))?
                            .to_owned()
                    }
                    Err(e) => return Err(not_well_formed(&reader, e.to_string())),
                };
                push_text(&mut stack, &resolved, &reader)?;
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(not_well_formed(&reader, format!("<{}> is never closed", open.name)));
    }
    root.ok_or_else(|| not_well_formed(&reader, "no root element".into()))
}

fn push_text(stack: &mut [Element], text: &str, reader: &Reader<&[u8]>) -> Result<(), WireError> {
    match stack.last_mut() {
        Some(parent) => {
            if let Some(Node::Text(last)) = parent.children.last_mut() {
                last.push_str(text);
            } else {
                parent.children.push(Node::Text(text.to_owned()));
            }
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => {
            Err(WireError::Xml { position: reader.buffer_position(), message: "text outside the root element".into() })
        }
    }
}

fn element_from(start: &BytesStart<'_>, reader: &Reader<&[u8]>) -> Result<Element, WireError> {
    let decoder = reader.decoder();
    let err = |message: String| WireError::Xml { position: reader.buffer_position(), message };
    let qname = start.name();
    let name = decoder.decode(start.local_name().as_ref()).map_err(|e| err(e.to_string()))?.into_owned();
    let prefix = match qname.prefix() {
        Some(p) => decoder.decode(p.as_ref()).map_err(|e| err(e.to_string()))?.into_owned(),
        None => String::new(),
    };
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| err(e.to_string()))?;
        let key = decoder.decode(attr.key.local_name().as_ref()).map_err(|e| err(e.to_string()))?.into_owned();
        let value = attr
            .decode_and_unescape_value_with(decoder, |entity| {
                resolve_xml_entity(entity).or_else(|| resolve_predefined_entity(entity))
            })
            .map_err(|e| err(e.to_string()))?
            .into_owned();
        attrs.push((key, value));
    }
    Ok(Element { name, prefix, attrs, children: Vec::new() })
}

/// The local name of the root element, without building a tree: enough to
/// tell the formats apart. Skips the declaration, comments and doctype.
pub(crate) fn root_name(bytes: &[u8]) -> Result<String, WireError> {
    let mut reader = Reader::from_reader(bytes);
    loop {
        let event = reader
            .read_event()
            .map_err(|e| WireError::Xml { position: reader.error_position(), message: e.to_string() })?;
        match event {
            Event::Start(start) | Event::Empty(start) => {
                return Ok(String::from_utf8_lossy(start.local_name().as_ref()).into_owned());
            }
            Event::Eof => {
                return Err(WireError::Xml { position: reader.buffer_position(), message: "no root element".into() });
            }
            _ => {}
        }
    }
}

/// Serialises an element's children as HTML for the sanitiser, renaming tags
/// with `rename` (which returns `None` to keep only the element's content).
/// Text is escaped here; whatever markup comes out still goes through
/// `SafeHtml::sanitize`, which decides what may stay.
pub(crate) fn inner_html(element: &Element, rename: &dyn Fn(&Element) -> Rename) -> String {
    let mut out = String::new();
    write_children(element, rename, &mut out);
    out
}

/// Collapses runs of ASCII whitespace to one space, except line breaks:
/// each stays, with the indentation of the line after it (blank lines stay
/// blank).
fn keep_line_breaks(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n").replace('\t', "    ");
    let lines: Vec<&str> = text.split('\n').collect();
    let last = lines.len() - 1;
    let spaced = |c: Option<char>| c.is_some_and(|c| c.is_ascii_whitespace());
    let mut out = String::with_capacity(text.len());
    for (i, line) in lines.iter().enumerate() {
        let words = line.split_ascii_whitespace().collect::<Vec<_>>().join(" ");
        if i > 0 {
            out.push('\n');
        }
        if !words.is_empty() {
            if i > 0 {
                out.push_str(&line[..line.len() - line.trim_ascii_start().len()]);
            } else if spaced(line.chars().next()) {
                out.push(' ');
            }
            out.push_str(&words);
            if i == last && spaced(line.chars().next_back()) {
                out.push(' ');
            }
        }
    }
    out
}

/// What to do with an element when turning XML into HTML.
pub(crate) enum Rename {
    /// Emit it as this HTML tag, with its attributes.
    Tag(&'static str),
    /// Emit it under its own (local) name.
    Keep,
    /// Drop the tags, keep the content.
    Unwrap,
    /// Drop it and everything inside.
    Drop,
}

fn write_children(element: &Element, rename: &dyn Fn(&Element) -> Rename, out: &mut String) {
    for child in &element.children {
        match child {
            Node::Text(t) => {
                // Whitespace between elements is XML layout, not copy.
                if t.trim_ascii().is_empty() {
                    continue;
                }
                // Line breaks and the indentation after them stay: in
                // preformatted copy they mark the paragraphs, and the body
                // is read for that before they are collapsed (see
                // `body::from_built_html`). Other runs become one space;
                // ASCII only, since a no-break space is part of the copy.
                out.push_str(&masthead_domain::html::escape(&keep_line_breaks(t)));
            }
            Node::Element(e) => {
                let tag = match rename(e) {
                    Rename::Tag(tag) => tag,
                    Rename::Keep => e.name.as_str(),
                    Rename::Unwrap => {
                        write_children(e, rename, out);
                        continue;
                    }
                    Rename::Drop => continue,
                };
                out.push('<');
                out.push_str(tag);
                for (k, v) in &e.attrs {
                    out.push(' ');
                    out.push_str(k);
                    out.push_str("=\"");
                    out.push_str(&masthead_domain::html::escape(v));
                    out.push('"');
                }
                out.push('>');
                write_children(e, rename, out);
                out.push_str("</");
                out.push_str(tag);
                out.push('>');
            }
        }
    }
}
