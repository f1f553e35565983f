//! Channel membership: joining, adding, leaving, removing, roles and notify props.

use townsquare_sdk::model::{ChannelMember, StringMap};
use townsquare_sdk::AppError;

use super::create::member_row;
use super::{access, member_not_found, TOWN_SQUARE};
use crate::app::auth::AuthContext;
use crate::app::permissions::Permission;
use crate::app::system_posts;
use crate::error::Result;
use crate::realtime::notify;
use crate::state::AppState;
use crate::time::now_ms;

/// Adds a user to a channel: joining a public channel yourself needs `join_public_channels`;
/// adding others needs the channel's manage-members permission. Users must be on the team.
pub async fn add_member(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    user_id: &str,
) -> Result<ChannelMember> {
    let access = access(state, auth, channel_id).await?;
    if matches!(access.channel.channel_type.as_str(), "D" | "G") {
        return Err(AppError::bad_request(
            "api.channel.add_user_to_channel.type.app_error",
            "Members cannot be added to direct or group channels.",
        )
        .into());
    }
    if access.channel.delete_at != 0 {
        return Err(AppError::bad_request(
            "api.channel.add_user.to.channel.failed.deleted.app_error",
            "The channel is archived.",
        )
        .into());
    }
    let joining_self = user_id == auth.user_id();
    let allowed = if joining_self && !access.is_private() {
        access.can(auth, Permission::JoinPublicChannels)
    } else {
        (access.member.is_some() && access.can(auth, access.members_permission()))
            || auth.can(Permission::ManageSystem)
    };
    if !allowed {
        return Err(AppError::forbidden(access.members_permission().id()).into());
    }
    let on_team = state
        .store
        .team_member(&access.channel.team_id, user_id)
        .await?
        .is_some_and(|m| m.delete_at == 0);
    if !on_team {
        return Err(AppError::bad_request(
            "api.channel.add_user.to.channel.failed.app_error",
            "The user must be a member of the team to join its channels.",
        )
        .into());
    }
    let user = state
        .store
        .user(user_id)
        .await?
        .ok_or_else(crate::app::users::missing_account)?;
    let now = now_ms();
    let announcement = system_posts::channel_joined(&access.channel.id, &auth.user, &user, now);
    let added = state
        .store
        .add_channel_member(
            &access.channel.id,
            &member_row(user_id, false, now),
            Some(&announcement),
            &access.channel.team_id,
        )
        .await?;
    notify::channel_join(&state.realtime, &access.channel, user_id);
    if added {
        system_posts::publish(state, &access.channel, &auth.user, &[announcement]);
    }
    Ok(state
        .store
        .channel_member(&access.channel.id, user_id)
        .await?
        .ok_or_else(|| AppError::internal("member missing after insert"))?)
}

/// Removes a user from a channel: leaving yourself, or with the manage-members permission.
pub async fn remove_member(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    user_id: &str,
) -> Result<()> {
    let access = access(state, auth, channel_id).await?;
    access.require_read(auth)?;
    if matches!(access.channel.channel_type.as_str(), "D" | "G") {
        return Err(AppError::bad_request(
            "api.channel.remove_user_from_channel.direct.app_error",
            "Nobody can leave a direct or group channel.",
        )
        .into());
    }
    if access.channel.name == TOWN_SQUARE {
        return Err(AppError::bad_request(
            "api.channel.remove.default.app_error",
            "Nobody can leave the default channel.",
        )
        .into());
    }
    if user_id != auth.user_id() {
        access.require(auth, access.members_permission())?;
    }
    let user = state
        .store
        .user(user_id)
        .await?
        .ok_or_else(member_not_found)?;
    let announcement = system_posts::channel_left(&access.channel.id, &auth.user, &user, now_ms());
    if !state
        .store
        .remove_channel_member(
            &access.channel.id,
            user_id,
            Some(&announcement),
            &access.channel.team_id,
        )
        .await?
    {
        return Err(member_not_found().into());
    }
    notify::channel_leave(&state.realtime, &access.channel.id, user_id, auth.user_id());
    system_posts::publish(state, &access.channel, &auth.user, &[announcement]);
    crate::app::categories::channel_left(state, user_id, &access.channel.id).await?;
    Ok(())
}

/// Sets a member's channel roles (`channel_user` or `channel_user channel_admin`).
pub async fn update_member_roles(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    user_id: &str,
    roles: &str,
) -> Result<()> {
    let access = access(state, auth, channel_id).await?;
    access.require(auth, Permission::ManageChannelRoles)?;
    state
        .store
        .channel_member(channel_id, user_id)
        .await?
        .ok_or_else(member_not_found)?;
    let mut admin = false;
    for role in roles.split_whitespace() {
        match role {
            "channel_user" => {}
            "channel_admin" => admin = true,
            other => {
                return Err(AppError::bad_request(
                    "api.channel.update_channel_member_roles.invalid_role.app_error",
                    format!("{other} is not a channel role. Allowed: channel_user, channel_admin."),
                )
                .into())
            }
        }
    }
    state
        .store
        .set_channel_member_admin(channel_id, user_id, admin)
        .await?;
    Ok(())
}

/// Merges notification settings into a member's (your own, or anyone's for admins).
pub async fn update_notify_props(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    user_id: &str,
    props: StringMap,
) -> Result<()> {
    if user_id != auth.user_id() {
        auth.require(Permission::EditOtherUsers)?;
    }
    let member = state
        .store
        .channel_member(channel_id, user_id)
        .await?
        .ok_or_else(member_not_found)?;
    let mut merged = member.notify_props;
    merged.extend(props);
    state
        .store
        .set_channel_member_notify_props(channel_id, user_id, &merged)
        .await?;
    Ok(())
}
