//! `/users/{user_id}/teams/{team_id}/channels/categories`: the user's sidebar categories.

use axum::extract::State;
use axum::Json;
use serde_json::Value;
use townsquare_sdk::AppError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::status_ok;
use crate::api::auth::Auth;
use crate::api::docs::schemas as doc;
use crate::api::extract::{Json as JsonBody, Path};
use crate::api::ids::{Ids, TeamId, UserIdOrMe};
use crate::app::categories::{
    self, is_valid_category_id, CategoryInput, OrderedCategories, SidebarCategory,
};
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_categories, create_category, update_categories))
        .routes(routes!(get_category_order, update_category_order))
        .routes(routes!(get_category, update_category, delete_category))
}

type Path3 = Path<(String, String, String)>;

fn category_id(raw: String) -> Result<String> {
    if is_valid_category_id(&raw) {
        Ok(raw)
    } else {
        Err(AppError::invalid_url_param("category_id").into())
    }
}

/// The user's categories in the team with their channels, and their order (the default
/// Favorites, Channels and Direct Messages categories are created on first read).
#[utoipa::path(get, path = "/api/v4/users/{user_id}/teams/{team_id}/channels/categories", tag = "channels",
    params(("user_id" = String, Path), ("team_id" = String, Path)),
    responses((status = 200, description = "OrderedSidebarCategories", body = OrderedCategories),
              (status = 403, description = "Another user, or not on the team")))]
pub async fn get_categories(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, team)): Ids<(UserIdOrMe, TeamId)>,
) -> Result<Json<OrderedCategories>> {
    let user_id = user.resolve(&auth);
    Ok(Json(
        categories::list(&state, &auth, &user_id, &team).await?,
    ))
}

/// Create a custom category; its `user_id` and `team_id` must match the path.
#[utoipa::path(post, path = "/api/v4/users/{user_id}/teams/{team_id}/channels/categories", tag = "channels",
    request_body = CategoryInput, params(("user_id" = String, Path), ("team_id" = String, Path)),
    responses((status = 200, description = "The new category", body = SidebarCategory),
              (status = 400, description = "Invalid category"), (status = 403, description = "Another user")))]
pub async fn create_category(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, team)): Ids<(UserIdOrMe, TeamId)>,
    JsonBody(body): JsonBody<CategoryInput>,
) -> Result<Json<SidebarCategory>> {
    let user_id = user.resolve(&auth);
    Ok(Json(
        categories::create(&state, &auth, &user_id, &team, body).await?,
    ))
}

/// Update several categories (attributes and channel lists) at once.
#[utoipa::path(put, path = "/api/v4/users/{user_id}/teams/{team_id}/channels/categories", tag = "channels",
    request_body = Vec<CategoryInput>, params(("user_id" = String, Path), ("team_id" = String, Path)),
    responses((status = 200, description = "The updated categories", body = Vec<SidebarCategory>),
              (status = 400, description = "Unknown category"), (status = 403, description = "Another user")))]
pub async fn update_categories(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, team)): Ids<(UserIdOrMe, TeamId)>,
    JsonBody(body): JsonBody<Vec<CategoryInput>>,
) -> Result<Json<Vec<SidebarCategory>>> {
    let user_id = user.resolve(&auth);
    Ok(Json(
        categories::update(&state, &auth, &user_id, &team, body, None).await?,
    ))
}

/// The ids of the user's categories in the team, in order.
#[utoipa::path(get, path = "/api/v4/users/{user_id}/teams/{team_id}/channels/categories/order", tag = "channels",
    params(("user_id" = String, Path), ("team_id" = String, Path)),
    responses((status = 200, description = "Category ids", body = Vec<String>), (status = 403, description = "Another user")))]
pub async fn get_category_order(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, team)): Ids<(UserIdOrMe, TeamId)>,
) -> Result<Json<Vec<String>>> {
    let user_id = user.resolve(&auth);
    Ok(Json(
        categories::order(&state, &auth, &user_id, &team).await?,
    ))
}

/// Reorder the categories: the body names every category of the user in the team once.
#[utoipa::path(put, path = "/api/v4/users/{user_id}/teams/{team_id}/channels/categories/order", tag = "channels",
    request_body = Vec<String>, params(("user_id" = String, Path), ("team_id" = String, Path)),
    responses((status = 200, description = "The new order", body = Vec<String>),
              (status = 400, description = "Not exactly the user's categories"), (status = 403, description = "Another user")))]
pub async fn update_category_order(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, team)): Ids<(UserIdOrMe, TeamId)>,
    JsonBody(body): JsonBody<Vec<String>>,
) -> Result<Json<Vec<String>>> {
    let user_id = user.resolve(&auth);
    Ok(Json(
        categories::set_order(&state, &auth, &user_id, &team, body).await?,
    ))
}

/// One category with its channels.
#[utoipa::path(get, path = "/api/v4/users/{user_id}/teams/{team_id}/channels/categories/{category_id}", tag = "channels",
    params(("user_id" = String, Path), ("team_id" = String, Path), ("category_id" = String, Path)),
    responses((status = 200, description = "The category", body = SidebarCategory),
              (status = 403, description = "Not the caller's category"), (status = 404, description = "No such category")))]
pub async fn get_category(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, team)): Ids<(UserIdOrMe, TeamId)>,
    Path((_user_id, _team_id, raw)): Path3,
) -> Result<Json<SidebarCategory>> {
    let user_id = user.resolve(&auth);
    let id = category_id(raw)?;
    Ok(Json(
        categories::one(&state, &auth, &user_id, &team, &id).await?,
    ))
}

/// Update one category; its `user_id` and `team_id` must match the path.
#[utoipa::path(put, path = "/api/v4/users/{user_id}/teams/{team_id}/channels/categories/{category_id}", tag = "channels",
    request_body = CategoryInput,
    params(("user_id" = String, Path), ("team_id" = String, Path), ("category_id" = String, Path)),
    responses((status = 200, description = "The updated category", body = SidebarCategory),
              (status = 400, description = "Invalid category"), (status = 403, description = "Not the caller's category")))]
pub async fn update_category(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, team)): Ids<(UserIdOrMe, TeamId)>,
    Path((_user_id, _team_id, raw)): Path3,
    JsonBody(body): JsonBody<CategoryInput>,
) -> Result<Json<SidebarCategory>> {
    let user_id = user.resolve(&auth);
    let id = category_id(raw)?;
    let mut updated =
        categories::update(&state, &auth, &user_id, &team, vec![body], Some(&id)).await?;
    updated
        .pop()
        .map(Json)
        .ok_or_else(|| AppError::internal("category vanished during update").into())
}

/// Delete a custom category; its channels return to their default categories.
#[utoipa::path(delete, path = "/api/v4/users/{user_id}/teams/{team_id}/channels/categories/{category_id}", tag = "channels",
    params(("user_id" = String, Path), ("team_id" = String, Path), ("category_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk),
              (status = 400, description = "A default category"), (status = 403, description = "Not the caller's category")))]
pub async fn delete_category(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, team)): Ids<(UserIdOrMe, TeamId)>,
    Path((_user_id, _team_id, raw)): Path3,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    let id = category_id(raw)?;
    categories::delete(&state, &auth, &user_id, &team, &id).await?;
    Ok(status_ok())
}
