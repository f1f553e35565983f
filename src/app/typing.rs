//! `POST /users/{user_id}/typing`: the REST form of the WebSocket `user_typing` action, with
//! Mattermost's rule (the user themselves or `manage_system`, and the typing user must be
//! allowed to post in the channel). The event is the WebSocket action's.

use townsquare_sdk::AppError;

use crate::app::auth::AuthContext;
use crate::app::permissions::{any_grants, Permission};
use crate::app::socket_actions::publish_typing;
use crate::error::Result;
use crate::id::is_valid_id;
use crate::state::AppState;

/// The body of `POST /users/{user_id}/typing`.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TypingRequest {
    pub channel_id: String,
    pub parent_id: String,
}

pub async fn user_typing(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    request: &TypingRequest,
) -> Result<()> {
    if user_id != auth.user_id() {
        auth.require(Permission::ManageSystem)?;
    }
    // Mattermost relays any text here to every member; an id is all a client sends.
    if !request.parent_id.is_empty() && !is_valid_id(&request.parent_id) {
        return Err(AppError::invalid_body_param("parent_id").into());
    }
    let no_permission = || AppError::forbidden(Permission::CreatePost.id());
    // Whose roles count is the typing user's, not the caller's.
    let system_roles = if user_id == auth.user_id() {
        auth.roles().to_string()
    } else {
        match state.store.user(user_id).await? {
            Some(user) => user.roles,
            None => return Err(no_permission().into()),
        }
    };
    let found = state
        .store
        .channel_with_memberships(&request.channel_id, user_id)
        .await?
        .ok_or_else(no_permission)?;
    let team_roles = found
        .team_member
        .filter(|m| m.delete_at == 0)
        .map(|m| m.roles)
        .unwrap_or_default();
    let channel_roles = found.member.map(|m| m.roles).unwrap_or_default();
    if !any_grants(
        &[
            system_roles.as_str(),
            team_roles.as_str(),
            channel_roles.as_str(),
        ],
        Permission::CreatePost,
    ) {
        return Err(no_permission().into());
    }
    publish_typing(state, user_id, &request.channel_id, &request.parent_id);
    Ok(())
}
