//! Reading channels: lookups by name, a team's lists, members, a user's channels, stats,
//! unread counts, and marking channels viewed.

use serde_json::{json, Map, Value};
use townsquare_sdk::model::{Channel, ChannelMember};
use townsquare_sdk::AppError;

use super::{access, access_to, channel_not_found, member_not_found};
use crate::app::auth::AuthContext;
use crate::app::permissions::Permission;
use crate::app::teams::{can_in_team, membership, team_by_name};
use crate::error::Result;
use crate::realtime::events;
use crate::state::AppState;

/// A channel of a team by name, if the caller may read it.
pub async fn readable_by_name(
    state: &AppState,
    auth: &AuthContext,
    team_id: &str,
    name: &str,
    include_deleted: bool,
) -> Result<Channel> {
    let channel = state
        .store
        .channel_by_name(team_id, &name.to_lowercase())
        .await?
        .filter(|c| include_deleted || c.delete_at == 0)
        .ok_or_else(|| {
            AppError::not_found(
                "app.channel.get_by_name.missing.app_error",
                "Unable to find the existing channel.",
            )
        })?;
    let access = access_to(state, auth, channel).await?;
    access.require_read(auth)?;
    Ok(access.channel)
}

/// A channel by team name and channel name, if the caller may read it.
pub async fn readable_by_team_and_name(
    state: &AppState,
    auth: &AuthContext,
    team_name: &str,
    name: &str,
    include_deleted: bool,
) -> Result<Channel> {
    let team = team_by_name(state, team_name).await?;
    readable_by_name(state, auth, &team.id, name, include_deleted).await
}

async fn require_team_channel_list(
    state: &AppState,
    auth: &AuthContext,
    team_id: &str,
) -> Result<()> {
    crate::app::teams::team_by_id(state, team_id).await?;
    let member = membership(state, auth, team_id).await?;
    if !can_in_team(auth, member.as_ref(), Permission::ListTeamChannels) {
        return Err(AppError::forbidden(Permission::ListTeamChannels.id()).into());
    }
    Ok(())
}

/// A page of a team's public channels.
pub async fn public_channels(
    state: &AppState,
    auth: &AuthContext,
    team_id: &str,
    offset: i64,
    limit: i64,
) -> Result<Vec<Channel>> {
    require_team_channel_list(state, auth, team_id).await?;
    Ok(state
        .store
        .public_channels(team_id, false, offset, limit)
        .await?)
}

/// A team's public channels (and private ones the caller belongs to) by name prefix.
pub async fn search_channels(
    state: &AppState,
    auth: &AuthContext,
    team_id: &str,
    term: &str,
) -> Result<Vec<Channel>> {
    require_team_channel_list(state, auth, team_id).await?;
    Ok(state
        .store
        .search_channels(team_id, auth.user_id(), term)
        .await?)
}

/// A page of a readable channel's members.
pub async fn members(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    offset: i64,
    limit: i64,
) -> Result<Vec<ChannelMember>> {
    let access = access(state, auth, channel_id).await?;
    access.require_read(auth)?;
    Ok(state
        .store
        .channel_members(&access.channel.id, offset, limit)
        .await?)
}

/// The members of a readable channel among `user_ids` (duplicates collapse, unknown ids are
/// left out); an empty list is a 400.
pub async fn members_by_ids(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    user_ids: &[String],
) -> Result<Vec<ChannelMember>> {
    if user_ids.is_empty() {
        return Err(AppError::invalid_body_param("user_ids").into());
    }
    let access = access(state, auth, channel_id).await?;
    access.require_read(auth)?;
    let mut wanted = user_ids.to_vec();
    wanted.sort();
    wanted.dedup();
    Ok(state
        .store
        .channel_members_by_ids(&access.channel.id, &wanted)
        .await?)
}

/// One member of a readable channel.
pub async fn member(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    user_id: &str,
) -> Result<ChannelMember> {
    let access = access(state, auth, channel_id).await?;
    access.require_read(auth)?;
    Ok(state
        .store
        .channel_member(&access.channel.id, user_id)
        .await?
        .ok_or_else(member_not_found)?)
}

/// Channels a user belongs to in a team (with their direct and group channels).
pub async fn channels_for_user(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    team_id: &str,
    include_deleted: bool,
) -> Result<Vec<Channel>> {
    auth.require_self_or(user_id, Permission::ManageSystem)?;
    Ok(state
        .store
        .channels_for_user(user_id, team_id, include_deleted)
        .await?)
}

/// A user's channel memberships, in one team or all.
pub async fn memberships_for_user(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    team_id: Option<&str>,
) -> Result<Vec<ChannelMember>> {
    auth.require_self_or(user_id, Permission::ManageSystem)?;
    Ok(state
        .store
        .channel_members_for_user(user_id, team_id)
        .await?)
}

/// Unread and mention counts of one channel for a user (Mattermost's ChannelUnread).
pub async fn unread(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    channel_id: &str,
) -> Result<Value> {
    auth.require_self_or(user_id, Permission::ManageSystem)?;
    let found = state
        .store
        .channel_with_memberships(channel_id, user_id)
        .await?
        .ok_or_else(channel_not_found)?;
    let (channel, member) = (found.channel, found.member.ok_or_else(member_not_found)?);
    Ok(json!({
        "team_id": channel.team_id,
        "channel_id": channel.id,
        "msg_count": (channel.total_msg_count - member.msg_count).max(0),
        "mention_count": member.mention_count,
        "mention_count_root": member.mention_count_root,
        "urgent_mention_count": member.urgent_mention_count,
        "msg_count_root": (channel.total_msg_count_root - member.msg_count_root).max(0),
    }))
}

/// Member, pinned post and file counts of a readable channel (Mattermost's ChannelStats).
pub async fn stats(state: &AppState, auth: &AuthContext, channel_id: &str) -> Result<Value> {
    let access = access(state, auth, channel_id).await?;
    access.require_read(auth)?;
    let members = state
        .store
        .count_channel_members(&access.channel.id)
        .await?;
    let pinned = state.store.count_pinned_posts(&access.channel.id).await?;
    let files = state.store.count_channel_files(&access.channel.id).await?;
    Ok(json!({
        "channel_id": access.channel.id,
        "member_count": members,
        "guest_count": 0,
        "pinnedpost_count": pinned,
        "files_count": files,
    }))
}

/// The distinct time zones a readable channel's active members use (Mattermost's
/// `GetChannelTimezones`: the automatic zone when `useAutomaticTimezone` is "true", else the
/// manual one; empty ones left out), sorted.
pub async fn timezones(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
) -> Result<Vec<String>> {
    access(state, auth, channel_id).await?.require_read(auth)?;
    let stored = state.store.channel_member_timezones(channel_id).await?;
    let zones: std::collections::BTreeSet<String> = stored
        .iter()
        .filter_map(|json| serde_json::from_str::<townsquare_sdk::model::StringMap>(json).ok())
        .filter_map(|tz| {
            let automatic = tz.get("useAutomaticTimezone").is_some_and(|v| v == "true");
            let key = if automatic {
                "automaticTimezone"
            } else {
                "manualTimezone"
            };
            tz.get(key).filter(|zone| !zone.is_empty()).cloned()
        })
        .collect();
    Ok(zones.into_iter().collect())
}

/// Member counts per LDAP group of a readable channel: always empty, as there are no groups.
pub async fn member_counts_by_group(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
) -> Result<Vec<Value>> {
    access(state, auth, channel_id).await?.require_read(auth)?;
    Ok(Vec::new())
}

/// Marks channels (the current and the previous one; empty ids are skipped) read for the
/// caller and tells their other clients. Returns the channels whose read time moved.
pub async fn view(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    channel_ids: [&str; 2],
) -> Result<Map<String, Value>> {
    if user_id != auth.user_id() {
        return Err(AppError::forbidden(Permission::EditOtherUsers.id()).into());
    }
    let now = crate::time::now_ms();
    let mut times = Map::new();
    for channel_id in channel_ids {
        if channel_id.is_empty() {
            continue;
        }
        let channel_id = crate::id::parse_id(channel_id, "channel_id")
            .map_err(|_| AppError::invalid_body_param("channel_id"))?;
        if state.store.view_channel(&channel_id, user_id, now).await? {
            times.insert(channel_id, json!(now));
        }
    }
    if !times.is_empty() {
        state
            .realtime
            .publish(events::multiple_channels_viewed(user_id, times.clone()));
    }
    Ok(times)
}
