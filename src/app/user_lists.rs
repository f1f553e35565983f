//! What the official clients read about a user at start-up: their channels and memberships in
//! all teams, the users they know, and user counts.

use serde::Serialize;
use townsquare_sdk::model::{Channel, ChannelMember};
use townsquare_sdk::AppError;
use utoipa::ToSchema;

use crate::app::auth::AuthContext;
use crate::app::permissions::Permission;
use crate::error::Result;
use crate::state::AppState;
pub use crate::store::user_channels::UserCountFilter;

/// Mattermost's `ChannelMemberWithTeamData`: a membership and its channel's team.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberWithTeamData {
    #[serde(flatten)]
    pub member: ChannelMember,
    pub team_display_name: String,
    pub team_name: String,
    pub team_update_at: i64,
}

/// Every channel a user belongs to, in all teams (Mattermost: yourself, or `edit_other_users`).
pub async fn channels(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    include_deleted: bool,
    last_delete_at: i64,
) -> Result<Vec<Channel>> {
    auth.require_self_or(user_id, Permission::EditOtherUsers)?;
    Ok(state
        .store
        .channels_for_user_all_teams(user_id, include_deleted, last_delete_at)
        .await?)
}

/// A page of a user's channel memberships in all teams (`limit: None`: all of them).
pub async fn channel_members(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    offset: i64,
    limit: Option<i64>,
) -> Result<Vec<MemberWithTeamData>> {
    auth.require_self_or(user_id, Permission::EditOtherUsers)?;
    let rows = state
        .store
        .channel_members_with_team(user_id, offset, limit)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| MemberWithTeamData {
            member: row.member,
            team_display_name: row.team_display_name,
            team_name: row.team_name,
            team_update_at: row.team_update_at,
        })
        .collect())
}

/// Active, non-bot accounts (Mattermost's `total_users_count`).
pub async fn total_users(state: &AppState) -> Result<i64> {
    Ok(state.store.count_users(false, false).await?)
}

/// Users counted by filter. Without a team or channel this is a system console figure
/// (`manage_system`); with one, the caller must see that team or read that channel.
pub async fn filtered_user_count(
    state: &AppState,
    auth: &AuthContext,
    filter: &UserCountFilter,
) -> Result<i64> {
    if filter.in_team.is_none() && filter.in_channel.is_none() {
        auth.require(Permission::ManageSystem)?;
    }
    if let Some(team_id) = &filter.in_team {
        let member = crate::app::teams::membership(state, auth, team_id).await?;
        if member.is_none() && !auth.can(Permission::ManageSystem) {
            return Err(AppError::forbidden(Permission::ViewTeam.id()).into());
        }
    }
    if let Some(channel_id) = &filter.in_channel {
        crate::app::channels::access(state, auth, channel_id)
            .await?
            .require_read(auth)?;
    }
    Ok(state.store.count_users_filtered(filter).await?)
}

/// Ids of the users who share a channel with the caller.
pub async fn known_users(state: &AppState, auth: &AuthContext) -> Result<Vec<String>> {
    Ok(state.store.known_user_ids(auth.user_id()).await?)
}
