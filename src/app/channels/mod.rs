//! Channels: public, private, direct and group; membership; read state.
//!
//! - [`access`]: the caller's standing in a channel and what it allows.
//! - [`create`]: public and private channels; [`direct`]: direct and group channels.
//! - [`update`]: name, texts, archiving, privacy.
//! - [`members`]: joining, adding, leaving, removing, roles, notify props.
//! - [`read`]: lookups, lists, stats, unread counts and marking channels viewed.
//! - [`lists`]: archived channels, public channels by id, group channel search, and the
//!   search box's channel suggestions.
//! - [`validate`]: names and texts.

pub mod access;
pub mod create;
pub mod direct;
pub mod lists;
pub mod members;
pub mod read;
pub mod update;
pub mod validate;

use townsquare_sdk::AppError;

pub use access::{access, access_to, ChannelAccess};
pub use create::{create_channel, NewChannel};
pub use direct::{direct_channel, group_channel, group_name};
pub use members::{add_member, remove_member, update_member_roles, update_notify_props};
pub use update::{convert_privacy, patch_channel, set_archived, ChannelPatch};
pub use validate::validate_channel_name;

pub const TOWN_SQUARE: &str = "town-square";

pub fn channel_not_found() -> AppError {
    AppError::not_found(
        "app.channel.get.existing.app_error",
        "Unable to find the existing channel.",
    )
}

pub fn member_not_found() -> AppError {
    AppError::not_found(
        "app.channel.get_member.missing.app_error",
        "No channel member found for that user and channel.",
    )
}
