//! Emoji reactions on posts: adding (idempotent), removing, listing, and the `reactions` entry
//! of a post's `metadata`.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use townsquare_sdk::model::{Post, Reaction};
use townsquare_sdk::AppError;

use crate::app::auth::AuthContext;
use crate::app::channels::{access, ChannelAccess};
use crate::app::permissions::Permission;
use crate::app::posts::post_not_found;
use crate::error::Result;
use crate::id::is_valid_id;
use crate::realtime::events;
use crate::serde_util::nullable;
use crate::state::AppState;
use crate::store::reactions::SaveReaction;
use crate::time::now_ms;

/// Mattermost's `EmojiNameMaxLength`.
pub const EMOJI_NAME_MAX_LEN: usize = 64;
/// Mattermost's default `ServiceSettings.UniqueEmojiReactionLimitPerPost`.
pub const UNIQUE_EMOJI_LIMIT_PER_POST: i64 = 50;
/// Most post ids one bulk request may name.
pub const MAX_BULK_POST_IDS: usize = 1000;

/// The body of `POST /reactions` (other Reaction fields are ignored).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewReaction {
    #[serde(deserialize_with = "nullable")]
    pub user_id: String,
    #[serde(deserialize_with = "nullable")]
    pub post_id: String,
    #[serde(deserialize_with = "nullable")]
    pub emoji_name: String,
}

/// Mattermost's emoji name rule: `^[a-zA-Z0-9\-\+_]+$`, at most 64 characters.
pub fn is_valid_emoji_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= EMOJI_NAME_MAX_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'_'))
}

fn invalid_emoji_name() -> AppError {
    AppError::bad_request(
        "model.reaction.is_valid.emoji_name.app_error",
        "Invalid emoji name.",
    )
}

/// A live post and the caller's standing in its channel; deleted and unknown posts are 404.
async fn live_post(
    state: &AppState,
    auth: &AuthContext,
    post_id: &str,
) -> Result<(Post, ChannelAccess)> {
    let post = state
        .store
        .post(post_id)
        .await?
        .filter(|p| p.delete_at == 0)
        .ok_or_else(post_not_found)?;
    let access = access(state, auth, &post.channel_id).await?;
    Ok((post, access))
}

/// Adds the caller's reaction to a post. Saving the same reaction again changes nothing and
/// returns the stored one.
pub async fn save_reaction(
    state: &AppState,
    auth: &AuthContext,
    input: NewReaction,
) -> Result<Reaction> {
    if !is_valid_id(&input.user_id)
        || !is_valid_id(&input.post_id)
        || input.emoji_name.is_empty()
        || input.emoji_name.len() > EMOJI_NAME_MAX_LEN
    {
        return Err(AppError::bad_request(
            "api.reaction.save_reaction.invalid.app_error",
            "Reaction is not valid.",
        )
        .into());
    }
    if input.user_id != auth.user_id() {
        return Err(AppError::new(
            403,
            "api.reaction.save_reaction.user_id.app_error",
            "You cannot save reaction for the other user.",
        )
        .into());
    }
    if !is_valid_emoji_name(&input.emoji_name) {
        return Err(invalid_emoji_name().into());
    }
    crate::app::emoji::require_known_emoji(state, &input.emoji_name).await?;
    let (post, access) = live_post(state, auth, &input.post_id).await?;
    if !access.can_read(auth) || !access.can(auth, Permission::AddReaction) {
        return Err(AppError::forbidden(Permission::AddReaction.id()).into());
    }
    if access.channel.delete_at != 0 {
        return Err(AppError::new(
            403,
            "api.reaction.save.archived_channel.app_error",
            "You cannot react to a post in an archived channel.",
        )
        .into());
    }
    let reaction = Reaction {
        user_id: input.user_id,
        post_id: post.id,
        emoji_name: input.emoji_name,
        create_at: now_ms(),
        channel_id: post.channel_id,
        ..Default::default()
    };
    match state
        .store
        .save_reaction(&reaction, UNIQUE_EMOJI_LIMIT_PER_POST)
        .await?
    {
        SaveReaction::Saved(saved) => {
            state
                .realtime
                .publish(events::reaction_added(&saved.channel_id, &saved));
            Ok(saved)
        }
        SaveReaction::Existing(saved) => Ok(saved),
        SaveReaction::TooMany => Err(AppError::bad_request(
            "app.reaction.save.save.too_many_reactions",
            "The post has reached the limit of distinct emoji reactions.",
        )
        .into()),
    }
}

/// Removes a reaction: your own with `remove_reaction`, anyone's as a system admin
/// (Mattermost's `remove_others_reactions`). Removing an absent reaction succeeds.
pub async fn delete_reaction(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    post_id: &str,
    emoji_name: &str,
) -> Result<()> {
    if !is_valid_emoji_name(emoji_name) {
        return Err(AppError::invalid_url_param("emoji_name").into());
    }
    let (post, access) = live_post(state, auth, post_id).await?;
    if !access.can_read(auth) || !access.can(auth, Permission::RemoveReaction) {
        return Err(AppError::forbidden(Permission::RemoveReaction.id()).into());
    }
    if user_id != auth.user_id() && !auth.can(Permission::ManageSystem) {
        return Err(AppError::forbidden("remove_others_reactions").into());
    }
    if access.channel.delete_at != 0 {
        return Err(AppError::new(
            403,
            "api.reaction.delete.archived_channel.app_error",
            "You cannot remove a reaction in an archived channel.",
        )
        .into());
    }
    let now = now_ms();
    if state
        .store
        .delete_reaction(&post.id, user_id, emoji_name, now)
        .await?
    {
        let removed = Reaction {
            user_id: user_id.to_string(),
            post_id: post.id,
            emoji_name: emoji_name.to_string(),
            update_at: now,
            delete_at: now,
            channel_id: post.channel_id.clone(),
            ..Default::default()
        };
        state
            .realtime
            .publish(events::reaction_removed(&post.channel_id, &removed));
    }
    Ok(())
}

/// The reactions of a post the caller may read, oldest first (`[]` when none).
pub async fn reactions_for_post(
    state: &AppState,
    auth: &AuthContext,
    post_id: &str,
) -> Result<Vec<Reaction>> {
    let (post, access) = live_post(state, auth, post_id).await?;
    access.require_read(auth)?;
    Ok(state.store.reactions_for_post(&post.id).await?)
}

/// Reactions of several posts, keyed by post id. Every requested post the caller may read
/// is present (with `[]` when it has none); unknown, deleted and unreadable posts are left out.
pub async fn bulk_reactions(
    state: &AppState,
    auth: &AuthContext,
    post_ids: &[String],
) -> Result<BTreeMap<String, Vec<Reaction>>> {
    let mut ids = post_ids.to_vec();
    ids.sort();
    ids.dedup();
    let mut readable: BTreeMap<String, Vec<Reaction>> =
        crate::app::posts::read::readable_by_ids(state, auth, &ids)
            .await?
            .into_iter()
            .map(|post| (post.id, Vec::new()))
            .collect();
    let wanted: Vec<String> = readable.keys().cloned().collect();
    for reaction in state.store.reactions_for_posts(&wanted).await? {
        if let Some(list) = readable.get_mut(&reaction.post_id) {
            list.push(reaction);
        }
    }
    Ok(readable)
}

/// Fills Mattermost's `metadata.reactions` for the posts that have reactions, with one query
/// for the whole slice. Other metadata keys are kept; posts without reactions are untouched.
pub async fn attach_reaction_metadata(state: &AppState, posts: &mut [Post]) -> Result<()> {
    // Every post response passes through here, so the files' metadata joins it here too.
    crate::app::files::attach_file_metadata(state, posts).await?;
    let ids: Vec<String> = posts
        .iter()
        .filter(|p| p.has_reactions)
        .map(|p| p.id.clone())
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let mut by_post: HashMap<String, Vec<Reaction>> = HashMap::new();
    for reaction in state.store.reactions_for_posts(&ids).await? {
        by_post
            .entry(reaction.post_id.clone())
            .or_default()
            .push(reaction);
    }
    for post in posts.iter_mut() {
        let Some(reactions) = by_post.remove(&post.id) else {
            continue;
        };
        let value = serde_json::to_value(&reactions).unwrap_or_default();
        match post.metadata.as_mut().and_then(|m| m.as_object_mut()) {
            Some(metadata) => {
                metadata.insert("reactions".into(), value);
            }
            None => post.metadata = Some(serde_json::json!({ "reactions": value })),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_names_follow_mattermost() {
        for ok in ["+1", "-1", "smile", "white_check_mark", "A-b_c+9"] {
            assert!(is_valid_emoji_name(ok), "{ok}");
        }
        for bad in ["", ":smile:", "a b", "émoji", "a/b", &"x".repeat(65)] {
            assert!(!is_valid_emoji_name(bad), "{bad}");
        }
        assert!(is_valid_emoji_name(&"x".repeat(64)));
    }
}
