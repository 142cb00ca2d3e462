//! Masthead's domain: the pure types and rules of a news publisher, with no I/O.
//!
//! Everything here can be tested without a database or a server: how a story is
//! addressed ([`slug`]), how its times are shown ([`time`]), which HTML may reach a
//! page ([`html`]), and what a story and a section are ([`article`], [`section`]).

pub mod access;
pub mod article;
pub mod clock;
pub mod email;
pub mod gift;
pub mod group;
pub mod html;
pub mod lang;
pub mod money;
pub mod offer;
pub mod paging;
pub mod pause;
pub mod plan;
pub mod refund;
pub mod role;
pub mod section;
pub mod slug;
pub mod subscription;
pub mod tax;
pub mod time;

pub use article::{Article, ArticleStatus, ArticleSummary, Credit, NewArticle};
pub use clock::{Clock, ManualClock, SystemClock};
pub use html::SafeHtml;
pub use lang::Lang;
pub use money::Paise;
pub use paging::Page;
pub use role::Role;
pub use section::Section;
pub use slug::{Slug, StoryPath};
pub use time::PublisherZone;
