//! Changing posts: editing (with history), deleting, pinning.

use serde::Deserialize;
use townsquare_sdk::model::Post;
use townsquare_sdk::AppError;

use super::create::validate_message;
use super::post_not_found;
use super::read::readable_post;
use crate::app::auth::AuthContext;
use crate::app::mentions;
use crate::app::permissions::Permission;
use crate::error::Result;
use crate::id::new_id;
use crate::realtime::events;
use crate::state::AppState;
use crate::time::now_ms;

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PostPatch {
    pub message: Option<String>,
    pub is_pinned: Option<bool>,
    #[schema(value_type = Option<Object>)]
    pub props: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Edits a post: your own with `edit_post`, anyone's with `edit_others_posts`.
pub async fn patch_post(
    state: &AppState,
    auth: &AuthContext,
    post_id: &str,
    patch: PostPatch,
) -> Result<Post> {
    let (previous, access) = readable_post(state, auth, post_id).await?;
    if previous.delete_at != 0 {
        return Err(post_not_found().into());
    }
    let permission = if previous.user_id == auth.user_id() {
        Permission::EditPost
    } else {
        Permission::EditOthersPosts
    };
    if !access.can(auth, permission) {
        return Err(AppError::forbidden(permission.id()).into());
    }
    if access.channel.delete_at != 0 {
        return Err(AppError::bad_request(
            "api.post.update_post.can_not_update_post_in_deleted.error",
            "The channel is archived.",
        )
        .into());
    }
    let mut edited = previous.clone();
    let now = now_ms();
    if let Some(message) = patch.message {
        if message != edited.message {
            edited.message = message;
            edited.hashtags = mentions::hashtags(&edited.message);
            edited.edit_at = now;
        }
    }
    if let Some(pinned) = patch.is_pinned {
        edited.is_pinned = pinned;
    }
    if let Some(props) = patch.props {
        edited.props = props;
    }
    validate_message(&edited.message, &edited.props)?;
    edited.update_at = now;
    state.store.edit_post(&previous, &edited, &new_id()).await?;
    state.realtime.publish(events::post_edited(&edited));
    Ok(edited)
}

/// Deletes a post (softly): your own with `delete_post`, anyone's with `delete_others_posts`.
pub async fn delete_post(state: &AppState, auth: &AuthContext, post_id: &str) -> Result<Post> {
    let (post, access) = readable_post(state, auth, post_id).await?;
    if post.delete_at != 0 {
        return Err(post_not_found().into());
    }
    let permission = if post.user_id == auth.user_id() {
        Permission::DeletePost
    } else {
        Permission::DeleteOthersPosts
    };
    if !access.can(auth, permission) {
        return Err(AppError::forbidden(permission.id()).into());
    }
    let now = now_ms();
    state.store.delete_post(&post, now).await?;
    // Subscribers learn of the deletion, not of what was deleted.
    let deleted = crate::store::posts::without_content(Post {
        delete_at: now,
        update_at: now,
        ..post
    });
    state.realtime.publish(events::post_deleted(&deleted));
    crate::app::drafts::post_deleted(state, &deleted).await;
    Ok(deleted)
}

/// Pins or unpins a post (channel members).
pub async fn set_pinned(
    state: &AppState,
    auth: &AuthContext,
    post_id: &str,
    pinned: bool,
) -> Result<()> {
    let (post, access) = readable_post(state, auth, post_id).await?;
    if access.member.is_none() && !auth.can(Permission::ManageSystem) {
        return Err(AppError::forbidden(Permission::ReadChannel.id()).into());
    }
    if access.channel.delete_at != 0 {
        return Err(AppError::bad_request(
            "api.post.pin.archived.app_error",
            "The channel is archived.",
        )
        .into());
    }
    let now = now_ms();
    state.store.set_post_pinned(&post.id, pinned, now).await?;
    state.realtime.publish(events::post_edited(&Post {
        is_pinned: pinned,
        update_at: now,
        ..post
    }));
    Ok(())
}

/// Earlier versions of the caller's own post, newest first. Only the author may see them, as
/// in Mattermost; a post never edited has no history (404).
pub async fn edit_history(
    state: &AppState,
    auth: &AuthContext,
    post_id: &str,
) -> Result<Vec<Post>> {
    let (post, access) = readable_post(state, auth, post_id).await?;
    if post.user_id != auth.user_id() || !access.can(auth, Permission::EditPost) {
        return Err(AppError::forbidden(Permission::EditPost.id()).into());
    }
    let history = state.store.edit_history(&post.id).await?;
    if history.is_empty() {
        return Err(AppError::not_found(
            "app.post.get_edit_history_for_post.app_error",
            "The post has no edit history.",
        )
        .into());
    }
    Ok(history)
}
