//! What the site keeps in memory between requests, and why it is never
//! stale: published content ([`content`]: stories with their free part,
//! lists with their cards and their pictures ([`figure`]), the chosen home lead, pages as skeletons with
//! holes for each reader's own parts) and signed-in readers ([`readers`]:
//! sessions and benefits), and small tables kept whole ([`current`]: the
//! sections, the plans on sale, the house ads). One rule for all of it:
//! everything kept is filed under one of the database's change counters
//! ([`counters`], read at most once per page view), and when that counter
//! has moved, what was kept under it is read again ([`versioned`] for the
//! caches, [`current`] for the tables). The one exception is a logged-out
//! meter already full this month (`reader::reading::FullMeters`): a month's
//! meter only grows, so a full one stays full until the month ends.
//!
//! Only what is the same for every reader, or answers for one token or
//! reader only, is kept; each request decides access and fills the page for
//! its own reader. A leaf room: it imports nothing from the others, so
//! `http` may look sessions up through it.

pub(crate) mod card;
pub(crate) mod content;
pub(crate) mod counters;
pub(crate) mod current;
pub(crate) mod figure;
pub(crate) mod readers;
pub(crate) mod skeleton;
pub(crate) mod versioned;
