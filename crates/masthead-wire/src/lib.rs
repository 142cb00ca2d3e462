//! Agency feeds into wire items: pure parsers for the formats news agencies
//! deliver — IPTC ninjs (JSON, 1.x to 3.x), IPTC NewsML-G2, NITF 3.x, RSS 2.0
//! and Atom.
//!
//! Give [`parse`] the bytes of one file; it sniffs the format and returns the
//! items in it, with notes of everything it left out. Nothing here touches the
//! disk, the network or the database: the importer decides what to store.
//!
//! Real agency files differ from the specifications (older dialects, extra
//! namespaces, custom metadata), so reading is lenient: what is usable is
//! kept, what is not is reported in [`Parsed::skipped`], and only a file with
//! nothing trustworthy in it is an [`WireError`]. Every body passes through
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
//! assert_eq!(item.body.as_str(), "MOSCOW (AP) ...");
//! ```

mod body;
mod error;
mod feed;
mod newsml;
mod ninjs;
mod nitf;
mod time;
mod xml;

use chrono::{DateTime, Utc};
use masthead_domain::SafeHtml;

pub use error::WireError;

/// The wire formats this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// IPTC ninjs (News in JSON), any version from 1.x to 3.x.
    Ninjs,
    /// IPTC NewsML-G2: a `newsItem`, or a `newsMessage` of several.
    NewsMlG2,
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
    /// Not to be published for now (withheld, embargoed, or a status we do
    /// not recognise: unknown never means publish).
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

/// One story from a wire file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireItem {
    /// The item's stable id at the agency (ninjs `uri`, NewsML-G2 `guid`,
    /// NITF `doc-id`, RSS `guid` or `link`, Atom `id`): updates share it.
    pub agency_id: String,
    /// The item's version, when the file numbers them (NewsML-G2 `version`,
    /// ninjs `version`, NITF `du-key` version); `None` when absent.
    pub version: Option<u64>,
    /// The agency's name when the file says ("AP", "dpa", "NTB").
    pub agency: Option<String>,
    /// The headline, as plain text.
    pub headline: String,
    /// Description, abstract or summary, as plain text.
    pub standfirst: Option<String>,
    /// The body, sanitised; plain-text bodies become paragraphs. Empty when
    /// the item has none (and no description to stand in for it).
    pub body: SafeHtml,
    /// The byline as the agency wrote it ("By Meredith Jameson").
    pub byline: Option<String>,
    /// Where the story was filed from ("Moscow").
    pub dateline: Option<String>,
    /// When the story first went out.
    pub first_published_at: Option<DateTime<Utc>>,
    /// When this version was made.
    pub version_at: Option<DateTime<Utc>>,
    /// Whether it may be published.
    pub status: WireStatus,
    /// Subject names or codes, for tagging and section rules.
    pub subjects: Vec<String>,
}

/// What a file held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The format it was read as.
    pub format: Format,
    /// The usable items, in file order.
    pub items: Vec<WireItem>,
    /// Human-readable notes of what was ignored or assumed, e.g.
    /// "unknown element foo:bar", "item 3: no headline".
    pub skipped: Vec<String>,
}

/// Sniffs the format from the bytes: JSON with ninjs fields; XML whose root
/// element is `newsItem`/`newsMessage`, `nitf`, `rss` or `feed`, whatever
/// its namespace or prefix.
pub fn detect(bytes: &[u8]) -> Result<Format, WireError> {
    sniff(bytes).map(|sniffed| sniffed.format())
}

/// Parses a file's bytes into its items. RSS, Atom, a NewsML-G2
/// `newsMessage` and a ninjs array can hold several; a bad item among them is
/// skipped with a note as long as one is usable. A single-item file with no
/// headline or no id is an error.
pub fn parse(bytes: &[u8]) -> Result<Parsed, WireError> {
    let sniffed = sniff(bytes)?;
    let format = sniffed.format();
    let mut notes = Notes::default();
    let items = match sniffed {
        Sniffed::Ninjs(value) => ninjs::parse(&value, &mut notes)?,
        Sniffed::Xml(format) => {
            let root = xml::parse(strip_bom(bytes))?;
            match format {
                XmlFormat::NewsMlG2 => newsml::parse(&root, &mut notes)?,
                XmlFormat::Nitf => vec![nitf::parse_document(&root, &mut notes)?],
                XmlFormat::Rss => feed::parse_rss(&root, &mut notes)?,
                XmlFormat::Atom => feed::parse_atom(&root, &mut notes)?,
            }
        }
    };
    Ok(Parsed { format, items, skipped: notes.0 })
}

/// What sniffing found: ninjs comes with its parsed JSON, so it is parsed once.
enum Sniffed {
    Ninjs(serde_json::Value),
    Xml(XmlFormat),
}

#[derive(Clone, Copy)]
enum XmlFormat {
    NewsMlG2,
    Nitf,
    Rss,
    Atom,
}

impl Sniffed {
    fn format(&self) -> Format {
        match self {
            Self::Ninjs(_) => Format::Ninjs,
            Self::Xml(XmlFormat::NewsMlG2) => Format::NewsMlG2,
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
                Err(WireError::UnknownFormat("JSON without ninjs fields (uri, headlines, bodies...)".into()))
            }
        }
        Some(b'<') => {
            let root = xml::root_name(strip_bom(bytes))?;
            let format = match root.as_str() {
                "newsItem" | "newsMessage" => XmlFormat::NewsMlG2,
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

/// Notes of what was skipped, with the item they concern when a file has
/// several.
#[derive(Debug, Default)]
pub(crate) struct Notes(Vec<String>);

impl Notes {
    /// Records a note.
    pub(crate) fn push(&mut self, note: impl Into<String>) {
        let note = note.into();
        if !self.0.contains(&note) {
            self.0.push(note);
        }
    }

    /// Runs `f` for one item of several, prefixing its notes with
    /// "item N: ".
    pub(crate) fn for_item<T>(&mut self, n: usize, f: impl FnOnce(&mut Notes) -> T) -> T {
        let mut inner = Notes::default();
        let out = f(&mut inner);
        for note in inner.0 {
            self.push(format!("item {n}: {note}"));
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
                    self.push(format!("{field} \"{raw}\" has no UTC offset; read as UTC"));
                }
                Some(parsed.at)
            }
            None => {
                self.push(format!("{field} \"{raw}\" is not a time; ignored"));
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
                self.push(format!("{field} \"{raw}\" is not a number; no version"));
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
            self.push(format!("{field} \"{raw}\" is unknown; item withheld"));
            WireStatus::Withheld
        })
    }
}

/// An item as read, before the checks that make it a [`WireItem`].
#[derive(Debug, Default)]
pub(crate) struct Draft {
    pub agency_id: Option<String>,
    pub version: Option<u64>,
    pub agency: Option<String>,
    pub headline: Option<String>,
    pub standfirst: Option<String>,
    pub body: Option<SafeHtml>,
    pub byline: Option<String>,
    pub dateline: Option<String>,
    pub first_published_at: Option<DateTime<Utc>>,
    pub version_at: Option<DateTime<Utc>>,
    pub status: Option<WireStatus>,
    pub subjects: Vec<String>,
}

impl Draft {
    /// Checks the fields an item cannot do without, and fills the body from
    /// the standfirst when there is no body.
    pub(crate) fn finish(self, notes: &mut Notes) -> Result<WireItem, WireError> {
        let headline = self.headline.as_deref().and_then(xml::nonblank).ok_or(WireError::NoHeadline)?;
        let agency_id = self.agency_id.as_deref().and_then(xml::nonblank).ok_or(WireError::NoId)?;
        let standfirst = self.standfirst.as_deref().and_then(xml::nonblank);
        let body = match self.body.filter(|b| !body::is_empty(b)) {
            Some(body) => body,
            None => match &standfirst {
                Some(text) => {
                    notes.push("no body; the description stands in for it");
                    body::from_text(text)
                }
                None => {
                    notes.push("no body");
                    SafeHtml::sanitize("")
                }
            },
        };
        let mut subjects: Vec<String> = Vec::new();
        for subject in self.subjects.iter().filter_map(|s| xml::nonblank(s)) {
            if !subjects.contains(&subject) {
                subjects.push(subject);
            }
        }
        Ok(WireItem {
            agency_id,
            version: self.version,
            agency: self.agency.as_deref().and_then(xml::nonblank),
            headline,
            standfirst,
            body,
            byline: self.byline.as_deref().and_then(xml::nonblank),
            dateline: self.dateline.as_deref().and_then(xml::nonblank),
            first_published_at: self.first_published_at,
            version_at: self.version_at,
            status: self.status.unwrap_or(WireStatus::Usable),
            subjects,
        })
    }
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
        notes.push(failure);
    }
    Ok(items)
}

/// "no headline" rather than "item has no headline", after "item 3: ".
fn short_reason(e: &WireError) -> String {
    let s = e.to_string();
    s.strip_prefix("item has ").map(str::to_owned).unwrap_or(s)
}
