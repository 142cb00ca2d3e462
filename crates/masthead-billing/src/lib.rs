//! Masthead's payment side. Masthead owns the subscription lifecycle (see
//! `masthead_domain::subscription`); providers only take money and tell us
//! so by webhook. This crate checks that a webhook really comes from its
//! provider before anything reads it.

pub mod events;
pub mod signature;
