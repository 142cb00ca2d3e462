//! Masthead's integration tests: the real server on a random port, spoken to
//! over HTTP, on SQLite always and on PostgreSQL when
//! `MASTHEAD_TEST_POSTGRES_URL` names a server (CI sets it).

mod support;

mod accounts;
mod api;
mod billing;
mod billing_admin;
mod billing_gifts;
mod billing_groups;
mod billing_invoices;
mod billing_lifecycle;
mod billing_offers;
mod billing_pause;
mod billing_providers;
mod billing_refunds;
mod billing_retention;
mod billing_review;
mod billing_sandbox;
mod caching;
mod cli;
mod epaper;
mod insights;
mod languages;
mod meter;
mod newsletters;
mod newsroom;
mod operations;
mod paywall;
mod round_trips;
mod search;
mod site;
mod wire;
