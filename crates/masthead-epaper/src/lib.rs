//! Masthead's e-paper: the day's printed edition, page by page.
//!
//! - [`pdf`]: opening a PDF (encrypted and broken files refused with the
//!   reason), rendering a page with `hayro`, extracting its text with places;
//! - [`regions`]: the sidecar that says where the articles are on each page;
//! - [`import`]: the one way an edition comes in (CLI, upload, demo alike);
//! - [`typeset`]: editions set from stories with `krilla` (the demo's);
//! - [`stamp`]: downloads stamped with the reader's name on every page;
//! - [`clip`]: an article region's picture, and the rules clips keep;
//! - [`signed`]: the expiring signatures page images are served under.
//!
//! Storage is `masthead_store`'s (`epaper` module); the pages and API are
//! `masthead_web`'s `epaper` room.

pub mod clip;
pub mod import;
pub mod pdf;
pub mod regions;
pub mod signed;
pub mod stamp;
pub mod typeset;

pub use import::{DEFAULT_EDITION, Import, Imported, PdfFile, Progress, import};
pub use regions::Sidecar;

/// Why an edition could not be imported, typeset or stamped.
#[derive(Debug, thiserror::Error)]
pub enum EpaperError {
    /// A file is not a PDF the site takes.
    #[error("{file}: {reason}")]
    BadPdf {
        /// The file's name.
        file: String,
        /// Why.
        reason: String,
    },
    /// The regions sidecar is wrong.
    #[error("the regions file: {0}")]
    BadRegions(String),
    /// The edition name is not one.
    #[error("the edition name {0:?} is not one: use up to 40 letters, digits, spaces or hyphens")]
    BadEditionName(String),
    /// No files were given.
    #[error("no PDF files were given")]
    NoFiles,
    /// Rendering failed.
    #[error("rendering failed: {0}")]
    Render(String),
    /// Writing a PDF failed.
    #[error("writing the PDF failed: {0}")]
    Typeset(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] masthead_store::StoreError),
}
