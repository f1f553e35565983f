//! `/users/{user_id}/status`: presence, set by hand or by activity, and custom statuses.

use axum::extract::State;
use axum::Json;
use serde_json::Value;
use townsquare_sdk::model::Status;
use townsquare_sdk::AppError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::status_ok;
use crate::api::auth::Auth;
use crate::api::docs::schemas as doc;
use crate::api::extract::Json as JsonBody;
use crate::api::ids::{Ids, UserIdOrMe};
use crate::app::statuses::{self, CustomStatusInput, StatusUpdate};
use crate::error::Result;
use crate::id::parse_id;
use crate::state::AppState;

/// Most user ids one bulk status request may name.
const MAX_STATUS_IDS: usize = 10_000;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_status, update_status))
        .routes(routes!(statuses_by_ids))
        .routes(routes!(update_custom_status, remove_custom_status))
}

/// A user's status (`online`, `away`, `dnd` or `offline`).
#[utoipa::path(get, path = "/api/v4/users/{user_id}/status", tag = "statuses",
    params(("user_id" = String, Path)),
    responses((status = 200, description = "Status", body = Status), (status = 404, description = "No such user")))]
pub async fn get_status(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
) -> Result<Json<Status>> {
    let user_id = user.resolve(&auth);
    Ok(Json(statuses::get_status(&state, &user_id).await?))
}

/// Set a status by hand (`user_id` must equal the path). `online` returns the status to
/// automatic; `dnd_end_time` (seconds) ends do-not-disturb.
#[utoipa::path(put, path = "/api/v4/users/{user_id}/status", tag = "statuses", request_body = StatusUpdate,
    params(("user_id" = String, Path)),
    responses((status = 200, description = "Status", body = Status), (status = 400, description = "Invalid status"),
              (status = 403, description = "Another user's status")))]
pub async fn update_status(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
    JsonBody(update): JsonBody<StatusUpdate>,
) -> Result<Json<Status>> {
    let user_id = user.resolve(&auth);
    Ok(Json(
        statuses::set_status(&state, &auth, &user_id, update).await?,
    ))
}

/// Statuses of several users; unknown users are reported `offline`.
#[utoipa::path(post, path = "/api/v4/users/status/ids", tag = "statuses", request_body = Vec<String>,
    responses((status = 200, description = "Statuses", body = Vec<Status>), (status = 400, description = "Invalid ids")))]
pub async fn statuses_by_ids(
    State(state): State<AppState>,
    Auth(_auth): Auth,
    JsonBody(ids): JsonBody<Vec<String>>,
) -> Result<Json<Vec<Status>>> {
    if ids.is_empty() || ids.len() > MAX_STATUS_IDS {
        return Err(AppError::invalid_body_param("user_ids").into());
    }
    for id in &ids {
        parse_id(id, "user_ids").map_err(|_| AppError::invalid_body_param("user_ids"))?;
    }
    Ok(Json(statuses::statuses_by_ids(&state, &ids).await?))
}

/// Set a custom status (emoji, text up to 100 characters, optional expiry).
#[utoipa::path(put, path = "/api/v4/users/{user_id}/status/custom", tag = "statuses", request_body = CustomStatusInput,
    params(("user_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk), (status = 400, description = "Invalid custom status"),
              (status = 403, description = "Another user's status")))]
pub async fn update_custom_status(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
    JsonBody(input): JsonBody<CustomStatusInput>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    statuses::set_custom_status(&state, &auth, &user_id, input).await?;
    Ok(status_ok())
}

/// Clear the custom status.
#[utoipa::path(delete, path = "/api/v4/users/{user_id}/status/custom", tag = "statuses",
    params(("user_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk), (status = 403, description = "Another user's status")))]
pub async fn remove_custom_status(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    statuses::clear_custom_status(&state, &auth, &user_id).await?;
    Ok(status_ok())
}
