//! Presence: `online` / `away` / `dnd` / `offline`, set by hand or by activity, and the custom
//! status (emoji and text) kept in the user's props.
//!
//! Automatic presence is cheap by design: [`record_activity`] reads the status row (a primary
//! key lookup on the read pool) and writes at most once per [`ACTIVITY_WRITE_INTERVAL_MS`] per
//! user (`activity_memo` remembers the last check), the write itself guarded by the stored
//! `last_activity_at` so concurrent requests and other nodes cannot multiply it. `away` is never
//! written by a timer: a non-manual `online` status older than [`AWAY_TIMEOUT_MS`] reads as
//! `away`, and an expired do-not-disturb reads as the status it replaced.
//!
//! - `presence`: what a stored row means now, recording activity, reading statuses;
//! - `manual`: statuses set by hand, do-not-disturb and its end time;
//! - `custom`: the custom status in the user's props;
//! - `recent`: the user's recent custom statuses (a preference).

mod custom;
mod manual;
mod presence;
mod recent;

pub use custom::{
    clear_custom_status, custom_status_from, set_custom_status, CustomStatus, CustomStatusInput,
};
pub use manual::{set_status, StatusUpdate};
pub use presence::{effective_status, get_status, record_activity, statuses_by_ids};

pub const ONLINE: &str = "online";
pub const AWAY: &str = "away";
pub const DND: &str = "dnd";
pub const OFFLINE: &str = "offline";

/// Mattermost's default `TeamSettings.UserStatusAwayTimeout` (300 s).
pub const AWAY_TIMEOUT_MS: i64 = 5 * 60 * 1000;
/// Activity is written back at most this often per user.
pub const ACTIVITY_WRITE_INTERVAL_MS: i64 = 60 * 1000;
/// The user props key holding the custom status (a JSON string).
pub const CUSTOM_STATUS_PROP: &str = "customStatus";
pub const CUSTOM_STATUS_TEXT_MAX_RUNES: usize = 100;
