//! What the site keeps in memory between requests, and why it is never
//! stale: published content ([`content`]: stories with their free part,
//! lists with their cards and their pictures ([`figure`]), the chosen home lead, pages as skeletons with
//! holes for each reader's own parts) and signed-in readers ([`readers`]:
//! sessions and benefits), and the sections ([`sections`]). All are filed under the database's change
//! counters ([`counters`], read at most once per page view) through
//! [`versioned`]: when a counter has moved, what was kept under it is dropped.
//!
//! Only what is the same for every reader, or answers for one token or
//! reader only, is kept; each request decides access and fills the page for
//! its own reader. A leaf room: it imports nothing from the others, so
//! `http` may look sessions up through it.

pub(crate) mod card;
pub(crate) mod content;
pub(crate) mod counters;
pub(crate) mod figure;
pub(crate) mod readers;
pub(crate) mod sections;
pub(crate) mod skeleton;
pub(crate) mod versioned;
