//! Agency feeds into wire items: pure parsers for the formats news agencies
//! deliver — IPTC ninjs (JSON, 1.0 to 3.x), IPTC NewsML-G2, IPTC NewsML 1.x,
//! NITF 3.x, RSS 2.0 and Atom — and the routing rules that send an agency's
//! copy to sections by its classification ([`Routes`]).
//!
//! Give [`parse`] the bytes of one file; it sniffs the format and returns the
//! items in it (with their pictures, still to be fetched), the packages that
//! group them, and notes of everything it left out or assumed. Nothing here
//! touches the disk, the network or the database: the importer decides what
//! to store.
//!
//! Real agency files differ from the specifications (older dialects, extra
//! namespaces, custom metadata, missing or repeated ids, whole stories as one
//! preformatted block), so reading is lenient: what is usable is kept, what
//! is not is reported in [`Parsed::notes`], and only a file with nothing
//! trustworthy in it is an [`WireError`]. Every body passes through
//! [`SafeHtml::sanitize`], whatever its source.
//!
//! ```
//! let rss = br#"<rss version="2.0"><channel><title>AP</title><item>
//!     <title>Kremlin: No positive shift yet on Russia-US ties</title>
//!     <guid>ap-1</guid><description>MOSCOW (AP) &lt;script&gt;x()&lt;/script&gt;...</description>
//! </item></channel></rss>"#;
//! let parsed = masthead_wire::parse(rss).unwrap();
//! assert_eq!(parsed.format, masthead_wire::Format::Rss);
//! let item = &parsed.items[0];
//! assert_eq!(item.agency.as_deref(), Some("AP"));
//! assert_eq!(item.body.as_str(), "<p>MOSCOW (AP) ...</p>\n");
//! ```

mod body;
mod error;
mod feed;
mod newsml;
mod newsml1;
mod ninjs;
mod nitf;
mod pictures;
mod preformatted;
mod routing;
mod time;
mod xml;

use chrono::{DateTime, Utc};
use masthead_domain::{Lang, SafeHtml};

pub use error::WireError;
pub use routing::{Route, RouteError, Routes, Routing};

/// The wire formats this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// IPTC ninjs (News in JSON), any version from 1.x to 3.x.
    Ninjs,
    /// IPTC NewsML-G2: a `newsItem`, or a `newsMessage` of several.
    NewsMlG2,
    /// IPTC NewsML 1.x: a `NewsML` document of one or more `NewsItem`s.
    NewsMl1,
    /// IPTC NITF 3.x.
    Nitf,
    /// RSS 2.0 (and the 0.9x dialects that share its shape).
    Rss,
    /// Atom 1.0.
    Atom,
}

impl Format {
    /// The format's usual name, for reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ninjs => "ninjs",
            Self::NewsMlG2 => "NewsML-G2",
            Self::NewsMl1 => "NewsML 1.x",
            Self::Nitf => "NITF",
            Self::Rss => "RSS",
            Self::Atom => "Atom",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether the agency lets the item be published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WireStatus {
    /// Fit to publish (the default when a file says nothing).
    Usable,
    /// Not to be published for now (withheld, or a status we do not
    /// recognise: unknown never means publish).
    Withheld,
    /// Killed: must not be published, and an earlier version comes down.
    Canceled,
}

impl WireStatus {
    /// Reads a status code in any format's spelling: `usable`,
    /// `stat:withheld`, `canceled`, `cancelled`, `killed`... `None` when the
    /// code is unknown.
    pub fn from_code(code: &str) -> Option<Self> {
        let code = code.trim();
        let code = code.rsplit_once(':').map_or(code, |(_, c)| c).to_ascii_lowercase();
        match code.as_str() {
            "usable" => Some(Self::Usable),
            "withheld" | "embargoed" => Some(Self::Withheld),
            "canceled" | "cancelled" | "killed" | "kill" | "withdrawn" | "deleted" => Some(Self::Canceled),
            _ => None,
        }
    }

    /// Whether an item in this state may appear on the site.
    pub fn is_publishable(self) -> bool {
        self == Self::Usable
    }
}

/// Where an item's identity came from, so the importer can say which it used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdSource {
    /// The agency's own id, from this field (`guid`, `doc-id`, `uri`...).
    Agency(&'static str),
    /// The file names no usable id: a hash of the headline and the issue
    /// date stands in (stable across re-sends of the same story).
    HeadlineAndDate,
    /// No id and no date: a hash of the headline alone. The importer
    /// prefers the file's name for a single-item file.
    Headline,
}

impl IdSource {
    /// How a report line says it: "its guid", "a hash of its headline and issue date".
    pub fn describe(self) -> String {
        match self {
            Self::Agency(field) => format!("its {field}"),
            Self::HeadlineAndDate => "a hash of its agency, headline and issue date".to_owned(),
            Self::Headline => "a hash of its agency and headline".to_owned(),
        }
    }
}

/// A classification the agency gave: a subject, media topic, category or
/// desk (`memberOf`), by code and/or name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Subject {
    /// The code with its scheme, IPTC's spelled one way whatever the file
    /// wrote: `subj:04000000` (subject codes), `medtop:20000170` (media
    /// topics); others as sent (`N2:ELN`, `apcategory:f`).
    pub code: Option<String>,
    /// Its name, when the file gives one ("economy, business and finance").
    pub name: Option<String>,
}

impl Subject {
    /// A subject with a code (normalised) and a name, either of which may be blank.
    pub fn new(code: Option<&str>, name: Option<&str>) -> Option<Self> {
        let code = code.and_then(xml::nonblank).map(|c| subject_code(&c));
        let name = name.and_then(xml::nonblank);
        (code.is_some() || name.is_some()).then_some(Self { code, name })
    }

    /// The name, else the code: what a tag or a report shows.
    pub fn label(&self) -> &str {
        self.name.as_deref().or(self.code.as_deref()).unwrap_or_default()
    }
}

/// IPTC's subject codes and media topics in one spelling: the URIs of the
/// NewsCodes vocabularies, the `iptc:`/`subject:` prefixes and bare
/// eight-digit codes (NITF `tobject.subject.refnum`, NewsML 1.x
/// `FormalName`) become `subj:NNNNNNNN` and `medtop:NNNNNNNN`.
pub fn subject_code(raw: &str) -> String {
    let raw = raw.trim();
    let lower = raw.to_ascii_lowercase();
    for (marker, scheme) in [("/newscodes/subjectcode/", "subj"), ("/newscodes/mediatopic/", "medtop")] {
        if let Some(at) = lower.find(marker) {
            return format!("{scheme}:{}", raw[at + marker.len()..].trim_end_matches('/'));
        }
    }
    if raw.len() == 8 && raw.bytes().all(|b| b.is_ascii_digit()) {
        return format!("subj:{raw}");
    }
    if let Some((scheme, code)) = raw.split_once(':') {
        let scheme = scheme.to_ascii_lowercase();
        if matches!(scheme.as_str(), "iptc" | "subject" | "subjectcode" | "subj") {
            return format!("subj:{code}");
        }
        if matches!(scheme.as_str(), "medtop" | "mediatopic") {
            return format!("medtop:{code}");
        }
    }
    raw.to_owned()
}

/// What the agency says changed in this version: a write-through's
/// "Updated with …" or a correction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// A correction (else an update or write-through).
    pub correction: bool,
    /// The agency's note ("Updates with comments from the Kremlin"), if any.
    pub note: Option<String>,
}

impl Revision {
    /// The agency's note and signals (`sig:update`, `sig:correction`), if
    /// they say anything: "Eds:" and the like dropped, a shouted first word
    /// ("UPDATES with details") in sentence case. A correction is signalled
    /// or says so.
    pub(crate) fn from_agency(note: Option<&str>, signals: &[String]) -> Option<Self> {
        let note = note.and_then(xml::nonblank).and_then(|note| {
            let mut note = note.as_str();
            for prefix in ["Eds:", "EDS:", "Editors:", "EDITORS:", "Ed note:", "Note:"] {
                note = note.strip_prefix(prefix).unwrap_or(note).trim_start();
            }
            let (first, rest) = note.split_once(' ').unwrap_or((note, ""));
            let shouted =
                first.len() > 1 && first.chars().all(|c| !c.is_lowercase()) && first.chars().any(char::is_alphabetic);
            let note = if shouted {
                let mut chars = first.chars();
                let head: String = chars.next().into_iter().collect();
                let tail: String = chars.as_str().to_lowercase();
                if rest.is_empty() { format!("{head}{tail}") } else { format!("{head}{tail} {rest}") }
            } else {
                note.to_owned()
            };
            xml::nonblank(&note)
        });
        let signal = |kind: &str| signals.iter().any(|s| s.to_ascii_lowercase().ends_with(kind));
        let correction =
            signal("correction") || note.as_deref().is_some_and(|n| n.to_ascii_lowercase().contains("correct"));
        (note.is_some() || correction || signal("update")).then_some(Self { correction, note })
    }

    /// The note readers see: the agency's words, or "Corrected"/"Updated".
    pub fn display(&self) -> String {
        match (&self.note, self.correction) {
            (Some(note), _) => note.clone(),
            (None, true) => "Corrected".to_owned(),
            (None, false) => "Updated".to_owned(),
        }
    }
}

/// A picture that comes with a story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    /// Where its bytes are.
    pub source: PictureSource,
    /// Its media type, if the file says (`image/jpeg`).
    pub content_type: Option<String>,
    /// Its size in pixels, if the file says (checked against the bytes later).
    pub width: Option<u32>,
    /// See `width`.
    pub height: Option<u32>,
    /// The caption.
    pub caption: Option<String>,
    /// The photographer or agency ("AP Photo/Jane Doe").
    pub credit: Option<String>,
    /// Text for readers who cannot see it.
    pub alt: Option<String>,
}

/// Where a picture's bytes are.
#[derive(Clone, PartialEq, Eq)]
pub enum PictureSource {
    /// A URL (`https://…`) or a path relative to the file (`photo.jpg`).
    Link(String),
    /// The bytes themselves, carried in the file (base64 in NewsML-G2 `inlineData`).
    Inline(Vec<u8>),
}

impl std::fmt::Debug for PictureSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Link(href) => write!(f, "Link({href:?})"),
            Self::Inline(bytes) => write!(f, "Inline({} bytes)", bytes.len()),
        }
    }
}

/// One story from a wire file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireItem {
    /// The item's stable id: the agency's (ninjs `uri`, NewsML-G2 `guid`,
    /// NITF `doc-id`, RSS `guid` or `link`, Atom `id`), which updates share;
    /// or, when the file has none, one derived from the story (see
    /// [`WireItem::id_source`]).
    pub agency_id: String,
    /// Where `agency_id` came from.
    pub id_source: IdSource,
    /// The item's version, when the file numbers them (NewsML-G2 `version`,
    /// ninjs `version`, NITF `du-key` version); `None` when absent.
    pub version: Option<u64>,
    /// The agency's name when the file says ("AP", "dpa", "NTB"): from the
    /// credit line, else the info source, else the provider or copyright
    /// holder.
    pub agency: Option<String>,
    /// The headline, as plain text.
    pub headline: String,
    /// Description, abstract or summary, as plain text.
    pub standfirst: Option<String>,
    /// The body, sanitised; plain-text and preformatted bodies become
    /// paragraphs and lists. Empty when the item has none (and no
    /// description to stand in for it).
    pub body: SafeHtml,
    /// The byline as the agency wrote it ("By Meredith Jameson"): the
    /// format's byline field, else a "By …" line heading the text.
    pub byline: Option<String>,
    /// Where the story was filed from ("Moscow").
    pub dateline: Option<String>,
    /// When the story first went out.
    pub first_published_at: Option<DateTime<Utc>>,
    /// When this version was made.
    pub version_at: Option<DateTime<Utc>>,
    /// Whether it may be published.
    pub status: WireStatus,
    /// Not to be published before this instant (ninjs `embargoed`/
    /// `embargoedUntil`, NewsML-G2 `embargoed`, NITF `date.release`,
    /// NewsML 1.x `StatusWillChange`).
    pub embargoed: Option<DateTime<Utc>>,
    /// The agency's urgency, 1 (flash) to 9 (lowest), IPTC's scale.
    pub urgency: Option<u8>,
    /// Subjects, media topics, categories and desks, for tags and routing.
    pub subjects: Vec<Subject>,
    /// What this version changed, when the agency says it is an update or
    /// a correction.
    pub revision: Option<Revision>,
    /// Pictures to go with the story, the lead first.
    pub pictures: Vec<Picture>,
    /// The language the file says the story is in (ninjs `language`,
    /// NewsML-G2 `language` or `xml:lang`, NITF `xml:lang`, `lang` or
    /// `baselang`, NewsML 1.x `Language`, RSS `dc:language` or the channel's
    /// `language`, Atom `xml:lang`); `None` when it says none (or nothing
    /// that reads as a language tag, which a note records).
    pub language: Option<Lang>,
}

/// A package: an item that only references others (a NewsML-G2
/// `packageItem`, e.g. a Reuters composite of a story and its pictures).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// The package's own id.
    pub id: String,
    /// Its title or headline, if any.
    pub headline: Option<String>,
    /// The ids (`residref`) of the items it groups, in its order.
    pub refs: Vec<String>,
}

/// How much a note matters to whoever reads the import's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NoteLevel {
    /// Detail for `--verbose`: an unknown field or element left out.
    Detail,
    /// Something assumed or replaced that the operator should know (a time
    /// read as UTC, a description standing in for a missing body).
    Note,
    /// A whole item was left out.
    Skipped,
}

/// A note of what was skipped, assumed or left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// How much it matters.
    pub level: NoteLevel,
    /// What happened, e.g. "item 3: no headline".
    pub text: String,
}

/// What a file held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The format it was read as.
    pub format: Format,
    /// The usable items, in file order.
    pub items: Vec<WireItem>,
    /// Packages in it, which only reference items.
    pub packages: Vec<Package>,
    /// What was left out or assumed, in file order.
    pub notes: Vec<Note>,
}

impl Parsed {
    /// The notes' texts at `level` or above.
    pub fn notes_at(&self, level: NoteLevel) -> Vec<&str> {
        self.notes.iter().filter(|n| n.level >= level).map(|n| n.text.as_str()).collect()
    }
}

/// Sniffs the format from the bytes: JSON with ninjs fields; XML whose root
/// element is `newsItem`/`newsMessage`/`packageItem`, `NewsML`, `nitf`,
/// `rss` or `feed`, whatever its namespace or prefix.
pub fn detect(bytes: &[u8]) -> Result<Format, WireError> {
    sniff(bytes).map(|sniffed| sniffed.format())
}

/// Parses a file's bytes into its items. RSS, Atom, a NewsML-G2
/// `newsMessage`, a NewsML 1.x document and a ninjs array can hold several;
/// a bad item among them is skipped with a note as long as one is usable. A
/// single-item file with no headline is an error; one without an id gets
/// one derived from its headline and date (see [`IdSource`]). A package
/// alone is no error: it comes back in [`Parsed::packages`] with no items.
pub fn parse(bytes: &[u8]) -> Result<Parsed, WireError> {
    let sniffed = sniff(bytes)?;
    let format = sniffed.format();
    let mut notes = Notes::default();
    let mut packages = Vec::new();
    let items = match sniffed {
        Sniffed::Ninjs(value) => ninjs::parse(&value, &mut notes)?,
        Sniffed::Xml(format) => {
            let root = xml::parse(strip_bom(bytes))?;
            match format {
                XmlFormat::NewsMlG2 => newsml::parse(&root, &mut notes, &mut packages)?,
                XmlFormat::NewsMl1 => newsml1::parse(&root, &mut notes)?,
                XmlFormat::Nitf => vec![nitf::parse_document(&root, &mut notes)?],
                XmlFormat::Rss => feed::parse_rss(&root, &mut notes)?,
                XmlFormat::Atom => feed::parse_atom(&root, &mut notes)?,
            }
        }
    };
    let items = distinct_ids(items, &mut notes);
    Ok(Parsed { format, items, packages, notes: notes.0 })
}

/// Items of one file that share an id but tell different stories (an agency
/// that repeats one id, or a feed whose `guid` is its own address) cannot
/// be told apart by it: they are known by their headline and date instead,
/// with a note. Several versions of one story (same headline, different
/// versions) keep the id.
fn distinct_ids(mut items: Vec<WireItem>, notes: &mut Notes) -> Vec<WireItem> {
    let mut repeated = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let clash = items.iter().enumerate().any(|(j, other)| {
            j != i
                && other.agency_id == item.agency_id
                && (other.headline != item.headline || other.version == item.version)
        });
        if clash && matches!(item.id_source, IdSource::Agency(_)) {
            repeated.push(i);
        }
    }
    for i in repeated {
        let item = &mut items[i];
        notes.note(format!(
            "item {}: the id {} is repeated in the file; known by its headline and date instead",
            i + 1,
            item.agency_id
        ));
        let (id, source) = derived_id(&item.headline, item.first_published_at.or(item.version_at));
        item.agency_id = id;
        item.id_source = source;
    }
    items
}

/// An id made from the story when the agency gives none: stable for the same
/// headline and issue day, whoever re-sends it.
fn derived_id(headline: &str, at: Option<DateTime<Utc>>) -> (String, IdSource) {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(xml::collapse_whitespace(headline).to_lowercase().as_bytes());
    let source = match at {
        Some(at) => {
            hasher.update(b"\n");
            hasher.update(at.format("%Y-%m-%d").to_string().as_bytes());
            IdSource::HeadlineAndDate
        }
        None => IdSource::Headline,
    };
    let digest = hasher.finalize();
    (format!("masthead:{}", hex::encode(&digest[..12])), source)
}

/// What sniffing found: ninjs comes with its parsed JSON, so it is parsed once.
enum Sniffed {
    Ninjs(serde_json::Value),
    Xml(XmlFormat),
}

#[derive(Clone, Copy)]
enum XmlFormat {
    NewsMlG2,
    NewsMl1,
    Nitf,
    Rss,
    Atom,
}

impl Sniffed {
    fn format(&self) -> Format {
        match self {
            Self::Ninjs(_) => Format::Ninjs,
            Self::Xml(XmlFormat::NewsMlG2) => Format::NewsMlG2,
            Self::Xml(XmlFormat::NewsMl1) => Format::NewsMl1,
            Self::Xml(XmlFormat::Nitf) => Format::Nitf,
            Self::Xml(XmlFormat::Rss) => Format::Rss,
            Self::Xml(XmlFormat::Atom) => Format::Atom,
        }
    }
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Tells JSON from XML by the first byte, then ninjs by its fields and the
/// XML formats by their root element's local name.
fn sniff(bytes: &[u8]) -> Result<Sniffed, WireError> {
    let trimmed = strip_bom(bytes).trim_ascii_start();
    match trimmed.first() {
        None => Err(WireError::Empty),
        Some(b'{' | b'[') => {
            let value: serde_json::Value = serde_json::from_slice(trimmed).map_err(|e| {
                // serde_json appends " at line L column C"; we put it up front.
                let message = e.to_string();
                let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m);
                WireError::Json { line: e.line(), column: e.column(), message: xml::collapse_whitespace(message) }
            })?;
            if ninjs::looks_like_ninjs(&value) {
                Ok(Sniffed::Ninjs(value))
            } else {
                Err(WireError::UnknownFormat("JSON without ninjs fields (uri, guid, headlines, bodies...)".into()))
            }
        }
        Some(b'<') => {
            let root = xml::root_name(strip_bom(bytes))?;
            let format = match root.as_str() {
                "newsItem" | "newsMessage" | "packageItem" => XmlFormat::NewsMlG2,
                "NewsML" | "NewsItem" => XmlFormat::NewsMl1,
                "nitf" => XmlFormat::Nitf,
                "rss" => XmlFormat::Rss,
                "feed" => XmlFormat::Atom,
                other => return Err(WireError::UnknownFormat(format!("root element <{other}>"))),
            };
            Ok(Sniffed::Xml(format))
        }
        Some(_) => Err(WireError::UnknownFormat("neither JSON nor XML".into())),
    }
}

/// Notes of what was skipped or assumed, with the item they concern when a
/// file has several.
#[derive(Debug, Default)]
pub(crate) struct Notes(Vec<Note>);

impl Notes {
    fn add(&mut self, level: NoteLevel, text: String) {
        if !self.0.iter().any(|n| n.text == text) {
            self.0.push(Note { level, text });
        }
    }

    /// Records a detail: something unknown left out (shown with `--verbose`).
    pub(crate) fn detail(&mut self, text: impl Into<String>) {
        self.add(NoteLevel::Detail, text.into());
    }

    /// Records something assumed or replaced.
    pub(crate) fn note(&mut self, text: impl Into<String>) {
        self.add(NoteLevel::Note, text.into());
    }

    /// Records an item left out.
    pub(crate) fn skipped(&mut self, text: impl Into<String>) {
        self.add(NoteLevel::Skipped, text.into());
    }

    /// Runs `f` for one item of several, prefixing its notes with
    /// "item N: ".
    pub(crate) fn for_item<T>(&mut self, n: usize, f: impl FnOnce(&mut Notes) -> T) -> T {
        let mut inner = Notes::default();
        let out = f(&mut inner);
        for note in inner.0 {
            self.add(note.level, format!("item {n}: {}", note.text));
        }
        out
    }

    /// Reads a time field, noting when it is unreadable or had no offset.
    pub(crate) fn time(&mut self, field: &str, raw: Option<&str>) -> Option<DateTime<Utc>> {
        let raw = raw?.trim();
        if raw.is_empty() {
            return None;
        }
        match time::parse(raw) {
            Some(parsed) => {
                if parsed.assumed_utc {
                    self.note(format!("{field} \"{raw}\" has no UTC offset; read as UTC"));
                }
                Some(parsed.at)
            }
            None => {
                self.note(format!("{field} \"{raw}\" is not a time; ignored"));
                None
            }
        }
    }

    /// Reads a version number, noting one that is not a whole number.
    pub(crate) fn version(&mut self, field: &str, raw: Option<&str>) -> Option<u64> {
        let raw = raw?.trim();
        if raw.is_empty() {
            return None;
        }
        match raw.parse() {
            Ok(v) => Some(v),
            Err(_) => {
                self.note(format!("{field} \"{raw}\" is not a number; no version"));
                None
            }
        }
    }

    /// Reads an urgency on IPTC's scale (1 most urgent to 9), noting one
    /// out of range.
    pub(crate) fn urgency(&mut self, field: &str, raw: Option<&str>) -> Option<u8> {
        let raw = raw?.trim();
        match raw.parse::<u8>() {
            Ok(u @ 1..=9) => Some(u),
            _ if raw.is_empty() => None,
            _ => {
                self.note(format!("{field} \"{raw}\" is not an urgency from 1 to 9; ignored"));
                None
            }
        }
    }

    /// Reads a status code; an unknown one withholds the item, with a note.
    pub(crate) fn status(&mut self, field: &str, raw: Option<&str>) -> WireStatus {
        let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
            return WireStatus::Usable;
        };
        WireStatus::from_code(raw).unwrap_or_else(|| {
            self.note(format!("{field} \"{raw}\" is unknown; item withheld"));
            WireStatus::Withheld
        })
    }
}

/// An item as read, before the checks that make it a [`WireItem`].
#[derive(Debug, Default)]
pub(crate) struct Draft {
    pub agency_id: Option<(String, &'static str)>,
    pub version: Option<u64>,
    pub agency: Option<String>,
    pub headline: Option<String>,
    pub standfirst: Option<String>,
    pub body: Option<body::Body>,
    pub byline: Option<String>,
    pub dateline: Option<String>,
    pub first_published_at: Option<DateTime<Utc>>,
    pub version_at: Option<DateTime<Utc>>,
    pub status: Option<WireStatus>,
    pub embargoed: Option<DateTime<Utc>>,
    pub urgency: Option<u8>,
    pub subjects: Vec<Subject>,
    pub revision: Option<Revision>,
    pub pictures: Vec<Picture>,
    /// The language tag as the file writes it.
    pub language: Option<String>,
}

impl Draft {
    /// Sets the id from `field` if it has a usable value and none is set yet.
    pub(crate) fn id_from(&mut self, field: &'static str, value: Option<String>) {
        if self.agency_id.is_none()
            && let Some(id) = value.as_deref().and_then(xml::nonblank)
        {
            self.agency_id = Some((id, field));
        }
    }

    /// Checks the fields an item cannot do without, derives an id when the
    /// file gives none, and fills the body from the standfirst when there is
    /// no body. A "By …" line taken from the text is the byline only when
    /// the format's own byline field is empty.
    pub(crate) fn finish(self, notes: &mut Notes) -> Result<WireItem, WireError> {
        let headline = self.headline.as_deref().and_then(xml::nonblank).ok_or(WireError::NoHeadline)?;
        let standfirst = self.standfirst.as_deref().and_then(xml::nonblank);
        let (agency_id, id_source) = match self.agency_id {
            Some((id, field)) => (id, IdSource::Agency(field)),
            // The importer says which it used (it may prefer the file's name).
            None => derived_id(&headline, self.first_published_at.or(self.version_at)),
        };
        let (body, text_byline) = match self.body.filter(|b| !body::is_empty(&b.html)) {
            Some(body) => (body.html, body.byline),
            None => match &standfirst {
                Some(text) => {
                    notes.note("no body; the description stands in for it");
                    (body::from_text(text).html, None)
                }
                None => {
                    notes.note("no body");
                    (SafeHtml::sanitize(""), None)
                }
            },
        };
        let language = self.language.as_deref().and_then(xml::nonblank).and_then(|raw| {
            let lang = Lang::parse(&raw);
            if lang.is_none() {
                notes.note(format!("language {raw:?} is not a language tag; the story's script decides"));
            }
            lang
        });
        let mut subjects: Vec<Subject> = Vec::new();
        for subject in self.subjects {
            if !subjects.contains(&subject) {
                subjects.push(subject);
            }
        }
        Ok(WireItem {
            agency_id,
            id_source,
            version: self.version,
            agency: self.agency.as_deref().and_then(xml::nonblank),
            headline,
            standfirst,
            body,
            byline: self.byline.as_deref().and_then(xml::nonblank).or(text_byline),
            dateline: self.dateline.as_deref().and_then(xml::nonblank),
            first_published_at: self.first_published_at,
            version_at: self.version_at,
            status: self.status.unwrap_or(WireStatus::Usable),
            embargoed: self.embargoed,
            urgency: self.urgency,
            subjects,
            revision: self.revision,
            pictures: self.pictures,
            language,
        })
    }
}

/// The agency named in a credit or copyright line: "AP", not "(c) 2024 AP"
/// or "Copyright Reuters 2024".
pub(crate) fn agency_name(raw: &str) -> Option<String> {
    let mut words: Vec<&str> = raw.split_whitespace().collect();
    let noise = |w: &str| {
        let w = w.trim_matches(|c: char| c == ',' || c == '.');
        w == "©"
            || w.eq_ignore_ascii_case("(c)")
            || w.eq_ignore_ascii_case("copyright")
            || (w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()))
    };
    while words.first().is_some_and(|w| noise(w)) {
        words.remove(0);
    }
    while words.last().is_some_and(|w| noise(w)) {
        words.pop();
    }
    xml::nonblank(&words.join(" ").replace('©', ""))
}

/// Collects the items of a multi-item file: a bad item becomes a note, and
/// the file fails only if none is usable (with the one error itself when
/// there was only one item).
pub(crate) fn collect_items<T>(
    sources: &[T],
    notes: &mut Notes,
    mut read: impl FnMut(&T, &mut Notes) -> Result<WireItem, WireError>,
) -> Result<Vec<WireItem>, WireError> {
    if sources.is_empty() {
        return Err(WireError::NoItems);
    }
    if let [only] = sources {
        return Ok(vec![read(only, notes)?]);
    }
    let mut items = Vec::new();
    let mut failures = Vec::new();
    for (i, source) in sources.iter().enumerate() {
        let n = i + 1;
        match notes.for_item(n, |notes| read(source, notes)) {
            Ok(item) => items.push(item),
            Err(e) => failures.push(format!("item {n}: {}", short_reason(&e))),
        }
    }
    if items.is_empty() {
        return Err(WireError::NoUsableItems(failures.join("; ")));
    }
    for failure in failures {
        notes.skipped(failure);
    }
    Ok(items)
}

/// "no headline" rather than "item has no headline", after "item 3: ".
fn short_reason(e: &WireError) -> String {
    let s = e.to_string();
    s.strip_prefix("item has ").map(str::to_owned).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iptc_codes_have_one_spelling() {
        assert_eq!(subject_code("http://cv.iptc.org/newscodes/mediatopic/20000766"), "medtop:20000766");
        assert_eq!(subject_code("http://cv.iptc.org/newscodes/subjectcode/04000000/"), "subj:04000000");
        assert_eq!(subject_code("iptc:04006000"), "subj:04006000");
        assert_eq!(subject_code("04006000"), "subj:04006000");
        assert_eq!(subject_code("mediatopic:20000170"), "medtop:20000170");
        assert_eq!(subject_code("N2:ELN"), "N2:ELN");
    }

    #[test]
    fn agencies_lose_copyright_marks_and_years() {
        assert_eq!(agency_name("(c) 2024 Reuters").as_deref(), Some("Reuters"));
        assert_eq!(agency_name("Copyright 2024, The Associated Press.").as_deref(), Some("The Associated Press."));
        assert_eq!(agency_name("© AFP").as_deref(), Some("AFP"));
        assert_eq!(agency_name(" © "), None);
    }

    #[test]
    fn agency_notes_read_as_sentences() {
        let signals = |s: &[&str]| s.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let update = Revision::from_agency(Some("Eds: UPDATES with details of the talks."), &[]).unwrap();
        assert_eq!(update.display(), "Updates with details of the talks.");
        assert!(!update.correction);
        let fix = Revision::from_agency(Some("Corrects spelling of minister's name in paragraph 3"), &[]).unwrap();
        assert!(fix.correction);
        let signalled = Revision::from_agency(None, &signals(&["sig:correction"])).unwrap();
        assert_eq!((signalled.correction, signalled.display().as_str()), (true, "Corrected"));
        assert_eq!(Revision::from_agency(None, &signals(&["sig:update"])).unwrap().display(), "Updated");
        assert_eq!(Revision::from_agency(Some("  "), &[]), None);
    }

    #[test]
    fn derived_ids_depend_on_headline_and_day_only() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let (a, source) = derived_id("Markets  open higher", Some(at("2024-11-26T10:00:00Z")));
        assert_eq!(source, IdSource::HeadlineAndDate);
        assert_eq!(derived_id("markets open higher", Some(at("2024-11-26T18:00:00Z"))).0, a);
        assert_ne!(derived_id("Markets open higher", Some(at("2024-11-27T10:00:00Z"))).0, a);
        assert_eq!(derived_id("Markets open higher", None).1, IdSource::Headline);
    }
}
