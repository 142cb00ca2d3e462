//! Masthead's integration tests: the real server on a random port, spoken to
//! over HTTP, on SQLite always and on PostgreSQL when
//! `MASTHEAD_TEST_POSTGRES_URL` names a server (CI sets it).

mod support;

mod accounts;
mod api;
mod billing;
mod cli;
mod meter;
mod search;
mod site;
mod wire;
