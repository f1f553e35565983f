//! Townsquare: a team-chat server that speaks the Mattermost API v4.
//!
//! See `docs/ARCHITECTURE.md` for the map of this crate.

#[macro_use]
pub mod store;

pub mod api;
pub mod app;
pub mod build_info;
pub mod cli;
pub mod config;
pub mod edition;
pub mod error;
pub mod id;
pub mod jobs;
pub mod logging;
pub mod model;
pub mod realtime;
pub mod serde_util;
pub mod server;
pub mod state;
pub mod time;

pub use error::{Error, Result};
