//! Channel lists for browsing and searching: a team's archived channels, public channels by
//! id, group channels by member usernames, and the caller's channels for the search box.

use townsquare_sdk::model::Channel;
use townsquare_sdk::AppError;

use crate::app::auth::AuthContext;
use crate::app::permissions::Permission;
use crate::app::teams::{can_in_team, membership};
use crate::error::Result;
use crate::state::AppState;

/// A page of a team's archived channels by display name: public ones, and private ones the
/// caller belongs to (every private one for system admins). Needs `list_team_channels` in
/// the team. Archived channels are always viewable: Mattermost 11 fixed
/// `TeamSettings.ExperimentalViewArchivedChannels` to true.
pub async fn deleted(
    state: &AppState,
    auth: &AuthContext,
    team_id: &str,
    offset: i64,
    limit: i64,
) -> Result<Vec<Channel>> {
    let member = membership(state, auth, team_id).await?;
    if !can_in_team(auth, member.as_ref(), Permission::ListTeamChannels) {
        return Err(AppError::forbidden(Permission::ListTeamChannels.id()).into());
    }
    let all_private = auth.can(Permission::ManageSystem);
    Ok(state
        .store
        .deleted_channels(team_id, auth.user_id(), all_private, offset, limit)
        .await?)
}

/// A team's live public channels among `ids`, by display name. Needs `view_team`; an empty
/// list or a malformed id is a 400, and finding none a 404, as in Mattermost.
pub async fn public_by_ids(
    state: &AppState,
    auth: &AuthContext,
    team_id: &str,
    ids: &[String],
) -> Result<Vec<Channel>> {
    if ids.is_empty() {
        return Err(AppError::invalid_body_param("channel_ids").into());
    }
    if ids.iter().any(|id| !crate::id::is_valid_id(id)) {
        return Err(AppError::invalid_body_param("channel_id").into());
    }
    let member = membership(state, auth, team_id).await?;
    if !can_in_team(auth, member.as_ref(), Permission::ViewTeam) {
        return Err(AppError::forbidden(Permission::ViewTeam.id()).into());
    }
    let mut wanted = ids.to_vec();
    wanted.sort();
    wanted.dedup();
    let found = state.store.public_channels_by_ids(team_id, &wanted).await?;
    if found.is_empty() {
        return Err(AppError::not_found(
            "app.channel.get_channels_by_ids.not_found.app_error",
            "No channel found.",
        )
        .into());
    }
    Ok(found)
}

/// The caller's group channels whose members' usernames contain every word of `term`
/// (case-insensitive); nothing for a blank term.
pub async fn search_group_channels(
    state: &AppState,
    auth: &AuthContext,
    term: &str,
) -> Result<Vec<Channel>> {
    let words: Vec<String> = term.split_whitespace().map(str::to_lowercase).collect();
    Ok(state
        .store
        .search_group_channels(auth.user_id(), &words)
        .await?)
}

/// The caller's channels for the search box's `in:` suggestions: channels of the team and
/// group channels they belong to whose name, display name or purpose (or one of its words)
/// starts with `term`, and their direct channels whose other member's username or nickname
/// does (shown by that username). Archived channels included; sorted by display name.
pub async fn autocomplete_for_search(
    state: &AppState,
    auth: &AuthContext,
    team_id: &str,
    term: &str,
) -> Result<Vec<Channel>> {
    let mut found = state
        .store
        .member_channels_matching(team_id, auth.user_id(), term)
        .await?;
    found.extend(
        state
            .store
            .direct_channels_matching(auth.user_id(), term)
            .await?,
    );
    found.sort_by_cached_key(|c| c.display_name.to_lowercase());
    Ok(found)
}
