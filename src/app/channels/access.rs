//! The caller's standing in a channel: loaded once per request, asked for permissions.

use townsquare_sdk::model::{Channel, ChannelMember, TeamMember};
use townsquare_sdk::AppError;

use super::channel_not_found;
use crate::app::auth::AuthContext;
use crate::app::permissions::{any_grants, Permission};
use crate::error::Result;
use crate::state::AppState;

/// What the caller may do in one channel, loaded once per request.
pub struct ChannelAccess {
    pub channel: Channel,
    pub member: Option<ChannelMember>,
    pub team_member: Option<TeamMember>,
}

impl ChannelAccess {
    pub fn can(&self, auth: &AuthContext, permission: Permission) -> bool {
        let team = self
            .team_member
            .as_ref()
            .map(|m| m.roles.as_str())
            .unwrap_or("");
        let channel = self.member.as_ref().map(|m| m.roles.as_str()).unwrap_or("");
        any_grants(&[auth.roles(), team, channel], permission)
    }

    /// Members read their channels; team members read public ones; admins read all.
    pub fn can_read(&self, auth: &AuthContext) -> bool {
        self.member.is_some()
            || (self.channel.channel_type == "O" && self.can(auth, Permission::ReadPublicChannel))
            || auth.can(Permission::ManageSystem)
    }

    pub fn require_read(&self, auth: &AuthContext) -> Result<()> {
        if self.can_read(auth) {
            Ok(())
        } else {
            Err(AppError::forbidden(Permission::ReadChannel.id()).into())
        }
    }

    pub fn is_private(&self) -> bool {
        self.channel.channel_type != "O"
    }

    pub(super) fn properties_permission(&self) -> Permission {
        if self.is_private() {
            Permission::ManagePrivateChannelProperties
        } else {
            Permission::ManagePublicChannelProperties
        }
    }

    pub(super) fn members_permission(&self) -> Permission {
        if self.is_private() {
            Permission::ManagePrivateChannelMembers
        } else {
            Permission::ManagePublicChannelMembers
        }
    }

    pub(super) fn require(&self, auth: &AuthContext, permission: Permission) -> Result<()> {
        if self.can(auth, permission) {
            Ok(())
        } else {
            Err(AppError::forbidden(permission.id()).into())
        }
    }
}

/// Loads a channel and the caller's standing in it, in one joined read (this is on the path
/// of nearly every channel request).
pub async fn access(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
) -> Result<ChannelAccess> {
    let found = state
        .store
        .channel_with_memberships(channel_id, auth.user_id())
        .await?
        .ok_or_else(channel_not_found)?;
    Ok(ChannelAccess {
        channel: found.channel,
        member: found.member,
        team_member: found.team_member.filter(|m| m.delete_at == 0),
    })
}

pub async fn access_to(
    state: &AppState,
    auth: &AuthContext,
    channel: Channel,
) -> Result<ChannelAccess> {
    let member = state
        .store
        .channel_member(&channel.id, auth.user_id())
        .await?;
    let team_member = if channel.team_id.is_empty() {
        None
    } else {
        state
            .store
            .team_member(&channel.team_id, auth.user_id())
            .await?
            .filter(|m| m.delete_at == 0)
    };
    Ok(ChannelAccess {
        channel,
        member,
        team_member,
    })
}
