//! The plumbing every room uses, and nothing that is a feature of its own:
//! who is asking ([`session`]: the signed-in account, [`visitor`]: the
//! browser, [`proxies`]: its address behind trusted proxies, [`guard`]: the
//! newsroom's role check), whether a form may be
//! believed ([`csrf`], for forms and for the API's cookie sessions), the
//! headers every response gets and the caching rule ([`headers`]), how a
//! request fails ([`error`]) and how answers are
//! made ([`respond`]: redirects, `/login?next=`, private responses;
//! [`views`]: the frame every page shares, notices and error pages;
//! [`json`]: JSON bodies that refuse in JSON; [`paging`]: how every API
//! list pages), and the routes every site has
//! ([`site`]: health, stylesheet, 404).
//!
//! It imports no other room but the read model (sessions are looked up
//! through its memory); `auth`, `account`, `billing`, `newsroom` and `reader`
//! build on it. Inside, files name each other (`super::respond::see_other`),
//! never this module, so the room has no circle either.

pub(crate) mod csrf;
pub(crate) mod error;
pub(crate) mod guard;
pub(crate) mod headers;
pub(crate) mod json;
pub(crate) mod paging;
pub(crate) mod proxies;
pub(crate) mod respond;
pub(crate) mod session;
pub(crate) mod site;
pub(crate) mod views;
pub(crate) mod visitor;
