//! Masthead's insights: how readers move from the meter to paying, counted
//! first-party on the server where every access is decided — no tracking
//! script, no third party, no IP address or user agent; a visitor is the
//! visitor cookie's random id.
//!
//! - [`event`]: what is counted ([`EventKind`]) and the event a request
//!   reports ([`Event`]), queued without a database round trip
//!   (`masthead_store::Store::record_event`);
//! - [`funnel`]: the funnel from the daily counts — visitors, metered
//!   readers, paywall, checkout, paid — by day, section, story or variant,
//!   with its rates and the credit rule (the last story before checkout);
//! - [`experiment`]: a paywall experiment's variants, weights and what each
//!   sets (meter limit, paywall copy, highlighted plan), and the variant a
//!   reader gets, by hashing (every instance agrees);
//! - [`stats`]: the 95% interval of a variant's conversion against the
//!   control's (Newcombe's hybrid score method);
//! - [`rollup`]: the job that turns raw events older than the window into
//!   daily counts;
//! - [`chart`] and [`csv`]: the daily chart as SVG and every table as CSV.
//!
//! The rows live in `masthead_store` (`insights.rs`); the page and the API
//! in `masthead_web`'s `insights` room.

pub mod chart;
pub mod csv;
pub mod event;
pub mod experiment;
pub mod funnel;
pub mod rollup;
pub mod stats;

pub use event::{Event, EventKind};
pub use experiment::Experiment;
pub use funnel::{Funnel, Row};
