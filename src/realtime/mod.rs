//! Real-time delivery over `/api/v4/websocket`, compatible with Mattermost's protocol
//! (api-v4.md section 6).
//!
//! - [`event`]: an event, its audience and its encoding (once per audience, `seq` spliced in).
//! - [`hub`]: the per-user connection registry and the dispatcher that routes events.
//! - [`socket`]: one socket's life: authentication, `hello` or resume, the write/read loop.
//! - [`actions`]: client requests (`ping`, `user_typing`, `get_statuses`, ...).
//! - [`resume`]: the replay buffer kept for reconnects.
//! - [`events`]: constructors for Mattermost's events, used by the app layer after commits.
//! - [`limits`]: the open-file limit at start.

pub mod actions;
pub mod event;
pub mod events;
pub mod hub;
pub mod limits;
pub mod notify;
pub mod resume;
pub mod socket;

use std::sync::OnceLock;

pub use event::{Broadcast, Event};
pub use hub::Hub;

/// This machine's name, as sent in `hello.server_hostname`.
pub fn hostname() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        std::env::var("HOSTNAME")
            .ok()
            .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
            .map(|name| name.trim().to_string())
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| "localhost".into())
    })
}
