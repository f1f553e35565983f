//! Synced drafts: `POST /drafts`, `GET /users/{user_id}/teams/{team_id}/drafts`,
//! `DELETE /users/{user_id}/channels/{channel_id}/drafts[/{thread_id}]`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::status_ok;
use crate::api::auth::Auth;
use crate::api::docs::schemas as doc;
use crate::api::extract::Json as JsonBody;
use crate::api::ids::{ChannelId, Ids, TeamId, ThreadId, UserIdOrMe};
use crate::app::drafts::{self, Draft, DraftInput};
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upsert_draft))
        .routes(routes!(get_drafts))
        .routes(routes!(delete_draft))
        .routes(routes!(delete_thread_draft))
}

/// The `Connection-Id` header: the caller's own socket, left out of the event.
pub fn connection_id(headers: &HeaderMap) -> String {
    headers
        .get("connection-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Save the caller's draft for a channel or thread (201). A draft without text or files
/// deletes it and answers `null`.
#[utoipa::path(post, path = "/api/v4/drafts", tag = "posts", request_body = DraftInput,
    params(("Connection-Id" = Option<String>, Header, description = "The caller's WebSocket connection, left out of the event")),
    responses((status = 201, description = "The stored draft, or null when it was emptied", body = Option<Draft>),
              (status = 400, description = "Invalid draft, or an archived channel"),
              (status = 403, description = "The caller may not post in the channel"),
              (status = 501, description = "ServiceSettings.AllowSyncedDrafts is off")))]
pub async fn upsert_draft(
    State(state): State<AppState>,
    Auth(auth): Auth,
    headers: HeaderMap,
    JsonBody(input): JsonBody<DraftInput>,
) -> Result<Response> {
    let draft = drafts::upsert(&state, &auth, input, &connection_id(&headers)).await?;
    Ok((StatusCode::CREATED, Json(draft)).into_response())
}

/// The caller's drafts in the team's channels and in direct and group channels, newest first.
#[utoipa::path(get, path = "/api/v4/users/{user_id}/teams/{team_id}/drafts", tag = "posts",
    params(("user_id" = String, Path, description = "The caller, or `me`"), ("team_id" = String, Path)),
    responses((status = 200, description = "Drafts", body = Vec<Draft>),
              (status = 403, description = "Another user, or not on the team"),
              (status = 501, description = "ServiceSettings.AllowSyncedDrafts is off")))]
pub async fn get_drafts(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, team)): Ids<(UserIdOrMe, TeamId)>,
) -> Result<Json<Vec<Draft>>> {
    let user_id = user.resolve(&auth);
    Ok(Json(drafts::list(&state, &auth, &user_id, &team).await?))
}

/// Delete the caller's draft for a channel (none is not an error).
#[utoipa::path(delete, path = "/api/v4/users/{user_id}/channels/{channel_id}/drafts", tag = "posts",
    params(("user_id" = String, Path, description = "The caller, or `me`"), ("channel_id" = String, Path),
           ("Connection-Id" = Option<String>, Header, description = "The caller's WebSocket connection, left out of the event")),
    responses((status = 200, description = "OK", body = doc::StatusOk),
              (status = 403, description = "Another user"),
              (status = 501, description = "ServiceSettings.AllowSyncedDrafts is off")))]
pub async fn delete_draft(
    State(state): State<AppState>,
    Auth(auth): Auth,
    headers: HeaderMap,
    Ids((user, channel)): Ids<(UserIdOrMe, ChannelId)>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    drafts::delete(
        &state,
        &auth,
        &user_id,
        &channel,
        "",
        &connection_id(&headers),
    )
    .await?;
    Ok(status_ok())
}

/// Delete the caller's draft for a thread (`thread_id` is the root post's id).
#[utoipa::path(delete, path = "/api/v4/users/{user_id}/channels/{channel_id}/drafts/{thread_id}", tag = "posts",
    params(("user_id" = String, Path, description = "The caller, or `me`"), ("channel_id" = String, Path),
           ("thread_id" = String, Path, description = "The thread's root post"),
           ("Connection-Id" = Option<String>, Header, description = "The caller's WebSocket connection, left out of the event")),
    responses((status = 200, description = "OK", body = doc::StatusOk),
              (status = 403, description = "Another user"),
              (status = 501, description = "ServiceSettings.AllowSyncedDrafts is off")))]
pub async fn delete_thread_draft(
    State(state): State<AppState>,
    Auth(auth): Auth,
    headers: HeaderMap,
    Ids((user, channel, thread)): Ids<(UserIdOrMe, ChannelId, ThreadId)>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    drafts::delete(
        &state,
        &auth,
        &user_id,
        &channel,
        &thread,
        &connection_id(&headers),
    )
    .await?;
    Ok(status_ok())
}
