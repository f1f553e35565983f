//! Autocomplete for the message box: users (`@`) and channels (`~`).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use townsquare_sdk::model::Channel;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::auth::Auth;
use crate::api::extract::Query;
use crate::api::ids::{Ids, TeamId};
use crate::app::autocomplete::{self, UserAutocomplete};
use crate::error::Result;
use crate::id::parse_id;
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

fn optional_id(raw: Option<String>, name: &str) -> Result<Option<String>> {
    match raw.filter(|r| !r.is_empty()) {
        Some(id) => Ok(Some(parse_id(&id, name)?)),
        None => Ok(None),
    }
}

/// Users for `@` autocomplete, in a team and channel or everywhere.
#[utoipa::path(get, path = "/api/v4/users/autocomplete", tag = "users", params(UserAutocompleteQuery),
    responses((status = 200, description = "`users`, and `out_of_channel` with `in_channel`", body = UserAutocomplete), (status = 403, description = "Not a member")))]
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
    Ok(Json(
        autocomplete::users(
            &state,
            &auth,
            team_id.as_deref(),
            channel_id.as_deref(),
            term,
            limit,
        )
        .await?,
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ChannelAutocompleteQuery {
    /// Prefix of a channel name or display name.
    pub name: Option<String>,
}

/// Channels for `~` autocomplete: the team's public channels and your private ones.
#[utoipa::path(get, path = "/api/v4/teams/{team_id}/channels/autocomplete", tag = "channels",
    params(("team_id" = String, Path), ChannelAutocompleteQuery),
    responses((status = 200, description = "Channels", body = Vec<Channel>), (status = 403, description = "Not a team member")))]
pub async fn autocomplete_channels(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team_id): Ids<TeamId>,
    Query(query): Query<ChannelAutocompleteQuery>,
) -> Result<Json<Vec<Channel>>> {
    let name = query.name.unwrap_or_default();
    Ok(Json(
        autocomplete::channels(&state, &auth, &team_id, name.trim().trim_start_matches('~'))
            .await?,
    ))
}
