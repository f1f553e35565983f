//! `/users/{user_id}/preferences`: per-user settings, and the saved ("flagged") posts list.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use townsquare_sdk::model::{PostList, Preference};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{status_ok, Pagination};
use crate::api::auth::Auth;
use crate::api::docs::schemas as doc;
use crate::api::extract::{Json as JsonBody, Path, Query};
use crate::api::ids::{Ids, UserIdOrMe};
use crate::app::preferences::{self, into_preferences, FlaggedFilter, PreferenceInput};
use crate::error::Result;
use crate::id::parse_id;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_preferences, update_preferences))
        .routes(routes!(delete_preferences))
        .routes(routes!(preferences_by_category))
        .routes(routes!(preference_by_name))
        .routes(routes!(flagged_posts))
}

/// Every preference of a user (yourself, or anyone with `edit_other_users`).
#[utoipa::path(get, path = "/api/v4/users/{user_id}/preferences", tag = "preferences",
    params(("user_id" = String, Path)),
    responses((status = 200, description = "Preferences", body = Vec<Preference>), (status = 403, description = "Another user")))]
pub async fn get_preferences(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
) -> Result<Json<Vec<Preference>>> {
    let user_id = user.resolve(&auth);
    Ok(Json(preferences::all(&state, &auth, &user_id).await?))
}

/// Save 1-100 preferences (inserted or replaced); every `user_id` must be the path user.
#[utoipa::path(put, path = "/api/v4/users/{user_id}/preferences", tag = "preferences", request_body = Vec<PreferenceInput>,
    params(("user_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk), (status = 400, description = "Invalid preference"),
              (status = 403, description = "Another user's preferences")))]
pub async fn update_preferences(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
    JsonBody(body): JsonBody<Vec<PreferenceInput>>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    preferences::save(&state, &auth, &user_id, into_preferences(body)).await?;
    Ok(status_ok())
}

/// Delete 1-100 preferences by category and name.
#[utoipa::path(post, path = "/api/v4/users/{user_id}/preferences/delete", tag = "preferences", request_body = Vec<PreferenceInput>,
    params(("user_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk), (status = 403, description = "Another user's preferences")))]
pub async fn delete_preferences(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
    JsonBody(body): JsonBody<Vec<PreferenceInput>>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    preferences::delete(&state, &auth, &user_id, into_preferences(body)).await?;
    Ok(status_ok())
}

/// A user's preferences in one category (404 when there are none).
#[utoipa::path(get, path = "/api/v4/users/{user_id}/preferences/{category}", tag = "preferences",
    params(("user_id" = String, Path), ("category" = String, Path)),
    responses((status = 200, description = "Preferences", body = Vec<Preference>), (status = 404, description = "Empty category")))]
pub async fn preferences_by_category(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
    Path((_user_id, category)): Path<(String, String)>,
) -> Result<Json<Vec<Preference>>> {
    let user_id = user.resolve(&auth);
    Ok(Json(
        preferences::category(&state, &auth, &user_id, &category).await?,
    ))
}

/// One preference (404 `app.preference.get.app_error` when absent).
#[utoipa::path(get, path = "/api/v4/users/{user_id}/preferences/{category}/name/{preference_name}", tag = "preferences",
    params(("user_id" = String, Path), ("category" = String, Path), ("preference_name" = String, Path)),
    responses((status = 200, description = "The preference", body = Preference), (status = 404, description = "No such preference")))]
pub async fn preference_by_name(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
    Path((_user_id, category, name)): Path<(String, String, String)>,
) -> Result<Json<Preference>> {
    let user_id = user.resolve(&auth);
    Ok(Json(
        preferences::one(&state, &auth, &user_id, &category, &name).await?,
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct FlaggedQuery {
    /// Page number, from 0.
    pub page: Option<String>,
    /// Items per page (default 60, max 200).
    pub per_page: Option<String>,
    /// Only posts of this channel.
    pub channel_id: Option<String>,
    /// Only posts of this team's channels (and direct and group messages).
    pub team_id: Option<String>,
}

/// A user's saved (flagged) posts, newest first; posts in channels the user has left are
/// not listed.
#[utoipa::path(get, path = "/api/v4/users/{user_id}/posts/flagged", tag = "preferences",
    params(("user_id" = String, Path), FlaggedQuery),
    responses((status = 200, description = "PostList", body = PostList), (status = 403, description = "Another user")))]
pub async fn flagged_posts(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
    Query(query): Query<FlaggedQuery>,
) -> Result<Json<PostList>> {
    let user_id = user.resolve(&auth);
    let (offset, limit) = Pagination {
        page: query.page,
        per_page: query.per_page,
    }
    .window();
    let optional_id = |raw: Option<String>, name: &str| -> Result<String> {
        match raw.filter(|r| !r.is_empty()) {
            Some(id) => parse_id(&id, name),
            None => Ok(String::new()),
        }
    };
    let filter = FlaggedFilter {
        channel_id: optional_id(query.channel_id, "channel_id")?,
        team_id: optional_id(query.team_id, "team_id")?,
        offset,
        limit,
    };
    Ok(Json(
        preferences::flagged_posts(&state, &auth, &user_id, filter).await?,
    ))
}
