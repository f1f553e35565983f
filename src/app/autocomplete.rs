//! Autocomplete for the message box: users (`@`) and channels (`~`), within what the caller
//! may see.

use serde::Serialize;
use townsquare_sdk::model::{Channel, User};
use townsquare_sdk::AppError;

use crate::app::auth::AuthContext;
use crate::app::channels::access;
use crate::app::permissions::Permission;
use crate::app::users::sanitize_for;
use crate::error::Result;
use crate::state::AppState;

/// `{users, out_of_channel?}`, as Mattermost answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserAutocomplete {
    pub users: Vec<User>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_of_channel: Option<Vec<User>>,
}

async fn require_team_member(state: &AppState, auth: &AuthContext, team_id: &str) -> Result<()> {
    crate::app::teams::team_by_id(state, team_id).await?;
    let member = state
        .store
        .team_member(team_id, auth.user_id())
        .await?
        .filter(|m| m.delete_at == 0);
    if member.is_none() && !auth.can(Permission::ManageSystem) {
        return Err(AppError::forbidden(Permission::ViewTeam.id()).into());
    }
    Ok(())
}

/// Users matching `term`: in a channel (and, with a team, those of the team not in it), in a
/// team, or anywhere (with `view_members`).
pub async fn users(
    state: &AppState,
    auth: &AuthContext,
    team_id: Option<&str>,
    channel_id: Option<&str>,
    term: &str,
    limit: i64,
) -> Result<UserAutocomplete> {
    if let Some(channel_id) = channel_id {
        access(state, auth, channel_id).await?.require_read(auth)?;
    }
    if let Some(team_id) = team_id {
        require_team_member(state, auth, team_id).await?;
    }
    if team_id.is_none() && channel_id.is_none() {
        auth.require(Permission::ViewMembers)?;
    }
    let config = state.config();
    let view = |users: Vec<User>| -> Vec<User> {
        users
            .into_iter()
            .map(|u| sanitize_for(Some(auth), u, &config))
            .collect()
    };
    let store = &state.store;
    Ok(match channel_id {
        Some(channel_id) => {
            let users = store
                .autocomplete_users(term, team_id, Some((channel_id, true)), limit)
                .await?;
            let out = match team_id {
                Some(team_id) => Some(view(
                    store
                        .autocomplete_users(term, Some(team_id), Some((channel_id, false)), limit)
                        .await?,
                )),
                None => None,
            };
            UserAutocomplete {
                users: view(users),
                out_of_channel: out,
            }
        }
        None => UserAutocomplete {
            users: view(store.autocomplete_users(term, team_id, None, limit).await?),
            out_of_channel: None,
        },
    })
}

/// A team's channels matching `term` (public ones, and private ones the caller is in), at
/// most 50; team members only.
pub async fn channels(
    state: &AppState,
    auth: &AuthContext,
    team_id: &str,
    term: &str,
) -> Result<Vec<Channel>> {
    require_team_member(state, auth, team_id).await?;
    let mut channels = state
        .store
        .search_channels(team_id, auth.user_id(), term)
        .await?;
    channels.truncate(50);
    Ok(channels)
}
