//! Integration tests: the real server on a loopback port, real databases, real HTTP.
//!
//! One test binary per edition: `cargo test` builds it for Team Edition,
//! `cargo test --features enterprise` for Enterprise Edition.

mod support;

mod accounts;
mod bookmarks;
mod chat;
mod cli;
mod db_schema;
mod drafts;
mod dump;
mod edition;
mod editions;
mod files;
mod licensing;
mod media;
mod nul;
mod openapi;
mod outage;
mod realtime;
mod startup;
mod system;
mod terms;
mod wire;
