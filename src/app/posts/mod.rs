//! Posts: creating (with mentions, threads and counters), reading as PostLists, editing with
//! history, deleting, pinning, marking unread.
//!
//! - [`create`]: a new post and its effects.
//! - [`read`]: one post, channel pages, threads, pinned posts, posts by id.
//! - [`edit`]: editing, edit history, deleting, pinning.
//! - [`unread`]: marking a channel unread from a post on.
//! - [`ephemeral`]: posts shown to one user, never stored.
//! - [`info`]: where a post lives, for permalinks.

pub mod create;
pub mod edit;
pub mod ephemeral;
pub mod info;
pub mod read;
pub mod unread;

use townsquare_sdk::AppError;

pub use crate::model::ChannelUnreadAt;
pub use create::{create_post, NewPost};
pub use edit::{delete_post, edit_history, patch_post, set_pinned, PostPatch};
pub use read::{around_last_unread, channel_posts, post_list, readable_post, PageRequest};
pub use unread::mark_unread_from;

/// Mattermost's `MaxPostSize` in runes.
pub const MAX_MESSAGE_RUNES: usize = 16_383;

pub fn post_not_found() -> AppError {
    AppError::not_found("app.post.get.app_error", "Unable to get the post.")
}
