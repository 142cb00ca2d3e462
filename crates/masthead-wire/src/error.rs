//! Why a wire file could not be read.
//!
//! Policy: a file is refused only when nothing trustworthy can be taken from
//! it (not JSON or XML, a format we do not know, a single item with no
//! headline). Everything smaller — an unknown element, a missing
//! optional field, one bad item in a feed of many — is a note in
//! [`Parsed::notes`](crate::Parsed::notes), not an error. Each message is
//! one line that says what is wrong, since the importer prints it after
//! `rejected <file>: `.

/// A wire file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// Zero bytes, or only whitespace.
    #[error("file is empty")]
    Empty,
    /// Looked like JSON but did not parse.
    #[error("not valid JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the JSON parser said.
        message: String,
    },
    /// Looked like XML but is not well-formed.
    #[error("XML is not well-formed at byte {position}: {message}")]
    Xml {
        /// Byte offset where reading stopped.
        position: u64,
        /// What the XML parser said.
        message: String,
    },
    /// Well-formed, but not a format we read.
    #[error("unknown format: {0}")]
    UnknownFormat(String),
    /// A feed or message with no items in it.
    #[error("no items")]
    NoItems,
    /// A feed or message whose every item had to be skipped.
    #[error("no usable items: {0}")]
    NoUsableItems(String),
    /// The (single) item has no headline.
    #[error("item has no headline")]
    NoHeadline,
}
