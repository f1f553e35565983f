//! Autocomplete for the message box: users (`@`) and channels (`~`).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use townsquare_sdk::model::{Channel, User};
use townsquare_sdk::AppError;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::id_param;
use crate::api::auth::Auth;
use crate::api::extract::{Path, Query};
use crate::app::auth::AuthContext;
use crate::app::channels::access;
use crate::app::permissions::Permission;
use crate::app::users::sanitize_for;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(autocomplete_users))
        .routes(routes!(autocomplete_channels))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct UserAutocompleteQuery {
    /// Only members of this team.
    pub in_team: Option<String>,
    /// Members of this channel go in `users`, other team members in `out_of_channel`.
    pub in_channel: Option<String>,
    /// Prefix of a username, first or last name, or nickname.
    pub name: Option<String>,
    /// At most this many users per list (default 100, max 200).
    pub limit: Option<String>,
}

/// Mattermost's UserAutocomplete.
#[derive(Debug, Serialize)]
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

fn optional_id(raw: Option<String>, name: &str) -> Result<Option<String>> {
    match raw.filter(|r| !r.is_empty()) {
        Some(id) => Ok(Some(id_param(&id, name)?)),
        None => Ok(None),
    }
}

/// Users for `@` autocomplete, in a team and channel or everywhere.
#[utoipa::path(get, path = "/api/v4/users/autocomplete", tag = "users", params(UserAutocompleteQuery),
    responses((status = 200, description = "`{users, out_of_channel?}`", body = Value), (status = 403, description = "Not a member")))]
pub async fn autocomplete_users(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Query(query): Query<UserAutocompleteQuery>,
) -> Result<Json<UserAutocomplete>> {
    let team_id = optional_id(query.in_team, "in_team")?;
    let channel_id = optional_id(query.in_channel, "in_channel")?;
    let name = query.name.unwrap_or_default();
    let term = name.trim().trim_start_matches('@');
    let limit = query
        .limit
        .and_then(|l| l.parse::<i64>().ok())
        .filter(|l| *l > 0)
        .unwrap_or(100)
        .min(200);
    if let Some(channel_id) = &channel_id {
        access(&state, &auth, channel_id)
            .await?
            .require_read(&auth)?;
    }
    if let Some(team_id) = &team_id {
        require_team_member(&state, &auth, team_id).await?;
    }
    if team_id.is_none() && channel_id.is_none() {
        auth.require(Permission::ViewMembers)?;
    }
    let config = state.config();
    let view = |users: Vec<User>| -> Vec<User> {
        users
            .into_iter()
            .map(|u| sanitize_for(Some(&auth), u, &config))
            .collect()
    };
    let store = &state.store;
    let result = match channel_id.as_deref() {
        Some(channel_id) => {
            let users = store
                .autocomplete_users(term, team_id.as_deref(), Some((channel_id, true)), limit)
                .await?;
            let out = match team_id.as_deref() {
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
            users: view(
                store
                    .autocomplete_users(term, team_id.as_deref(), None, limit)
                    .await?,
            ),
            out_of_channel: None,
        },
    };
    Ok(Json(result))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ChannelAutocompleteQuery {
    /// Prefix of a channel name or display name.
    pub name: Option<String>,
}

/// Channels for `~` autocomplete: the team's public channels and your private ones.
#[utoipa::path(get, path = "/api/v4/teams/{team_id}/channels/autocomplete", tag = "channels",
    params(("team_id" = String, Path), ChannelAutocompleteQuery),
    responses((status = 200, description = "Channels", body = Vec<Value>), (status = 403, description = "Not a team member")))]
pub async fn autocomplete_channels(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path(team_id): Path<String>,
    Query(query): Query<ChannelAutocompleteQuery>,
) -> Result<Json<Vec<Channel>>> {
    let team_id = id_param(&team_id, "team_id")?;
    require_team_member(&state, &auth, &team_id).await?;
    let name = query.name.unwrap_or_default();
    let mut channels = state
        .store
        .search_channels(
            &team_id,
            auth.user_id(),
            name.trim().trim_start_matches('~'),
        )
        .await?;
    channels.truncate(50);
    Ok(Json(channels))
}
