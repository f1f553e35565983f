//! `POST /users/search`: Mattermost's `UserSearch` (in or not in a team or channel, without a
//! team, inactive users too) with its permission checks.

use serde::Deserialize;
use townsquare_sdk::model::User;
use townsquare_sdk::AppError;

use super::{sanitize_for, UserFilter};
use crate::app::auth::AuthContext;
use crate::app::permissions::Permission;
use crate::error::Result;
use crate::serde_util::nullable;
use crate::state::AppState;
use crate::store::users::SearchFields;

/// Mattermost's defaults and bound for `limit`.
pub const DEFAULT_LIMIT: i64 = 100;
pub const MAX_LIMIT: i64 = 1000;

/// The body of `POST /users/search` (Mattermost's field names; `null` means "not given").
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct UserSearch {
    #[serde(deserialize_with = "nullable")]
    pub term: String,
    /// Members of this team (with `not_in_channel_id`: the team whose members are searched).
    #[serde(deserialize_with = "nullable")]
    pub team_id: String,
    /// Users who are not members of this team.
    #[serde(deserialize_with = "nullable")]
    pub not_in_team_id: String,
    /// Members of this channel.
    #[serde(deserialize_with = "nullable")]
    pub in_channel_id: String,
    /// Members of `team_id` who are not members of this channel.
    #[serde(deserialize_with = "nullable")]
    pub not_in_channel_id: String,
    /// Deactivated users too.
    #[serde(deserialize_with = "nullable")]
    pub allow_inactive: bool,
    /// Users on no team.
    #[serde(deserialize_with = "nullable")]
    pub without_team: bool,
    /// 1 to 1000; 0 or absent means 100.
    #[serde(deserialize_with = "nullable")]
    pub limit: i64,
}

/// An id that was given. Not format-checked: as in Mattermost, a malformed id is a team or
/// channel the caller has no permission on (403), or that has no members (admins).
fn given(raw: String) -> Option<String> {
    (!raw.is_empty()).then_some(raw)
}

/// Mattermost's `view_team` check: an active member, or a system admin. An unknown team is
/// the same 403 (it does not say whether the team exists).
async fn require_view_team(state: &AppState, auth: &AuthContext, team_id: &str) -> Result<()> {
    if auth.can(Permission::ManageSystem) {
        return Ok(());
    }
    let member = state
        .store
        .team_member(team_id, auth.user_id())
        .await?
        .filter(|m| m.delete_at == 0);
    match member {
        Some(_) => Ok(()),
        None => Err(AppError::forbidden(Permission::ViewTeam.id()).into()),
    }
}

/// Mattermost's `read_channel` check; an unknown channel is the same 403.
async fn require_read_channel(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
) -> Result<()> {
    let readable = match crate::app::channels::access(state, auth, channel_id).await {
        Ok(access) => access.require_read(auth).is_ok(),
        Err(err) if err.app().status_code == 404 => false,
        Err(err) => return Err(err),
    };
    if readable {
        Ok(())
    } else {
        Err(AppError::forbidden(Permission::ReadChannel.id()).into())
    }
}

/// Searches users as Mattermost's `searchUsers` does: the request is checked in Mattermost's
/// order (term, team for `not_in_channel_id`, channel and team permissions, limit), then one
/// scope applies, the first given of `without_team`, `in_channel_id`, `not_in_channel_id`
/// (within `team_id` when given), `not_in_team_id`, `team_id` (or everyone).
pub async fn search(state: &AppState, auth: &AuthContext, input: UserSearch) -> Result<Vec<User>> {
    auth.require(Permission::ViewMembers)?;
    let term = input.term.trim().trim_start_matches('@').trim();
    if term.is_empty() {
        return Err(AppError::invalid_body_param("term").into());
    }
    let team = given(input.team_id);
    let not_in_team = given(input.not_in_team_id);
    let in_channel = given(input.in_channel_id);
    let not_in_channel = given(input.not_in_channel_id);
    if team.is_none() && not_in_channel.is_some() {
        return Err(AppError::invalid_body_param("team_id").into());
    }
    for channel_id in [&in_channel, &not_in_channel].into_iter().flatten() {
        require_read_channel(state, auth, channel_id).await?;
    }
    for team_id in [&team, &not_in_team].into_iter().flatten() {
        require_view_team(state, auth, team_id).await?;
    }
    let limit = match input.limit {
        0 => DEFAULT_LIMIT,
        l if (1..=MAX_LIMIT).contains(&l) => l,
        _ => return Err(AppError::invalid_body_param("limit").into()),
    };

    let mut filter = UserFilter {
        active: (!input.allow_inactive).then_some(true),
        ..Default::default()
    };
    if input.without_team {
        filter.without_team = true;
    } else if in_channel.is_some() {
        filter.in_channel = in_channel;
    } else if not_in_channel.is_some() {
        filter.not_in_channel = not_in_channel;
        filter.in_team = team;
    } else if not_in_team.is_some() {
        filter.not_in_team = not_in_team;
    } else {
        filter.in_team = team;
    }
    let config = state.config();
    let is_admin = auth.can(Permission::ManageSystem);
    let fields = SearchFields {
        full_names: is_admin || config.privacy.show_full_name,
        emails: is_admin || config.privacy.show_email_address,
    };
    let found = state
        .store
        .search_users(term, &filter, fields, limit)
        .await?;
    Ok(found
        .into_iter()
        .map(|u| sanitize_for(Some(auth), u, &config))
        .collect())
}
