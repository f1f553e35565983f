//! Real-time delivery over `/api/v4/websocket`, compatible with Mattermost's protocol
//! (api-v4.md section 6). Delivery only: this module never calls `app` or `api`; the entry
//! point (upgrade, authentication, client actions) is `api::v4::websocket`.
//!
//! - [`event`]: an event, its audience and its encoding (once per audience, `seq` spliced in).
//! - [`hub`]: the per-user connection registry and the dispatcher that routes events.
//! - [`socket`]: one socket's life: challenge, `hello` or resume, the write/read loop; it
//!   reaches the API side through `socket::SocketHandler`.
//! - [`actions`]: the envelope of client requests and replies.
//! - [`resume`]: the replay buffer kept for reconnects.
//! - [`events`]: constructors for Mattermost's events, used by the app layer after commits.
//! - [`notify`]: membership changes (audience first, then events).
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
