//! Ephemeral posts: shown to one user over the WebSocket, never stored (bots and
//! integrations answer with these).

use serde_json::{Map, Value};
use townsquare_sdk::model::Post;
use townsquare_sdk::AppError;

use super::MAX_MESSAGE_RUNES;
use crate::app::auth::AuthContext;
use crate::app::permissions::Permission;
use crate::error::Result;
use crate::id::{is_valid_id, new_id};
use crate::realtime::events;
use crate::state::AppState;
use crate::time::now_ms;

/// What an ephemeral post says and where.
pub struct EphemeralPost {
    pub channel_id: String,
    pub message: String,
    pub root_id: String,
    pub props: Map<String, Value>,
}

/// Sends an ephemeral post to `user_id`. Needs `create_post_ephemeral`, which by default only
/// system admins hold. Returns the post as sent.
pub async fn send(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    input: EphemeralPost,
) -> Result<Post> {
    if !auth.can(Permission::ManageSystem) {
        return Err(AppError::forbidden("create_post_ephemeral").into());
    }
    if !is_valid_id(user_id) {
        return Err(AppError::invalid_body_param("user_id").into());
    }
    if !is_valid_id(&input.channel_id) {
        return Err(AppError::invalid_body_param("post.channel_id").into());
    }
    if !input.root_id.is_empty() && !is_valid_id(&input.root_id) {
        return Err(AppError::invalid_body_param("post.root_id").into());
    }
    let runes = input.message.chars().count();
    if runes == 0 || runes > MAX_MESSAGE_RUNES {
        return Err(AppError::invalid_body_param("post.message").into());
    }
    if state.store.user(user_id).await?.is_none() {
        return Err(AppError::invalid_body_param("user_id").into());
    }
    let now = now_ms();
    let post = Post {
        id: new_id(),
        create_at: now,
        update_at: now,
        user_id: auth.user_id().to_string(),
        channel_id: input.channel_id,
        root_id: input.root_id,
        message: input.message,
        post_type: "system_ephemeral".into(),
        props: input.props,
        ..Default::default()
    };
    let mut event = events::ephemeral_message(user_id, &post);
    event.broadcast.channel_id = post.channel_id.clone();
    state.realtime.publish(event);
    Ok(post)
}
