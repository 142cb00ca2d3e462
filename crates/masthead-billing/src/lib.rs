//! Masthead's payment side. Masthead owns the subscription lifecycle (see
//! `masthead_domain::subscription`); providers only take money and tell us
//! so by signed webhook.
//!
//! - [`signature`]: webhook signatures, checked before a byte of a body is trusted;
//! - [`events`]: each provider's events read into one shape;
//! - [`provider`]: the providers behind one trait, the built-in sandbox among them;
//! - [`stripe`], [`razorpay`]: the real providers, over their HTTP APIs;
//! - [`Billing`] ([`service`]): the one door webhooks come through, payments
//!   with their invoices, partner codes;
//! - [`gifts`]: gift subscriptions bought, mailed on their day, redeemed;
//! - [`refunds`]: an admin's refund through its provider, settled by its
//!   webhook with a GST credit note;
//! - [`renewal`]: the job that charges renewals, reminds and ends;
//! - [`pdf`]: the tax invoice and the credit note as one-page PDF/As with their fonts embedded;
//! - [`partner_codes`]: reading an admin's CSV of partner access codes;
//! - [`outbound`]: the HTTPS client for talking to providers and agencies.

pub mod config;
pub mod events;
pub mod gifts;
pub mod outbound;
pub mod partner_codes;
pub mod pdf;
pub mod provider;
pub mod razorpay;
pub mod refunds;
pub mod renewal;
pub mod service;
pub mod signature;
pub mod stripe;

pub use config::PaymentConfig;
pub use provider::SandboxCard;
pub use renewal::RunReport;
pub use service::{Billing, BillingError, Received, Setup};
