//! Scheduled posts: `POST /posts/schedule`, `PUT` and `DELETE /posts/schedule/{id}`,
//! `GET /posts/scheduled/team/{team_id}`. Mattermost answers all three writes with 201.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::drafts::connection_id;
use crate::api::auth::Auth;
use crate::api::extract::{Json as JsonBody, Path, Query};
use crate::api::ids::{Ids, TeamId};
use crate::app::scheduled_posts::{self, ScheduledPost, ScheduledPostInput};
use crate::error::Result;
use crate::id::parse_id;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_scheduled_post))
        .routes(routes!(update_scheduled_post, delete_scheduled_post))
        .routes(routes!(team_scheduled_posts))
}

fn created(post: ScheduledPost) -> Response {
    (StatusCode::CREATED, Json(post)).into_response()
}

/// Schedule a post: the post's fields and `scheduled_at` (ms). 201 with the scheduled post.
#[utoipa::path(post, path = "/api/v4/posts/schedule", tag = "posts", request_body = ScheduledPostInput,
    params(("Connection-Id" = Option<String>, Header, description = "The caller's WebSocket connection, left out of the event")),
    responses((status = 201, description = "The scheduled post", body = ScheduledPost),
              (status = 400, description = "Invalid post, a time in the past, an archived channel, or ServiceSettings.ScheduledPosts off"),
              (status = 403, description = "The caller may not post (or upload files) in the channel")))]
pub async fn create_scheduled_post(
    State(state): State<AppState>,
    Auth(auth): Auth,
    headers: HeaderMap,
    JsonBody(input): JsonBody<ScheduledPostInput>,
) -> Result<Response> {
    let post = scheduled_posts::create(&state, &auth, input, &connection_id(&headers)).await?;
    Ok(created(post))
}

/// Change a scheduled post (text, props, files, priority, time); the body's `id` must be the
/// path's. A failed post is queued again. 201 with the scheduled post, as Mattermost.
#[utoipa::path(put, path = "/api/v4/posts/schedule/{scheduled_post_id}", tag = "posts", request_body = ScheduledPostInput,
    params(("scheduled_post_id" = String, Path),
           ("Connection-Id" = Option<String>, Header, description = "The caller's WebSocket connection, left out of the event")),
    responses((status = 201, description = "The updated scheduled post", body = ScheduledPost),
              (status = 400, description = "Invalid post, id not the path's, or a time in the past"),
              (status = 403, description = "Another user's scheduled post"),
              (status = 404, description = "No such scheduled post")))]
pub async fn update_scheduled_post(
    State(state): State<AppState>,
    Auth(auth): Auth,
    headers: HeaderMap,
    Path(raw): Path<String>,
    JsonBody(input): JsonBody<ScheduledPostInput>,
) -> Result<Response> {
    let id = parse_id(&raw, "scheduled_post_id")?;
    let post = scheduled_posts::update(&state, &auth, &id, input, &connection_id(&headers)).await?;
    Ok(created(post))
}

/// Delete a scheduled post. 201 with the post as it was, as Mattermost.
#[utoipa::path(delete, path = "/api/v4/posts/schedule/{scheduled_post_id}", tag = "posts",
    params(("scheduled_post_id" = String, Path),
           ("Connection-Id" = Option<String>, Header, description = "The caller's WebSocket connection, left out of the event")),
    responses((status = 201, description = "The deleted scheduled post", body = ScheduledPost),
              (status = 403, description = "Another user's scheduled post"),
              (status = 404, description = "No such scheduled post")))]
pub async fn delete_scheduled_post(
    State(state): State<AppState>,
    Auth(auth): Auth,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Result<Response> {
    let id = parse_id(&raw, "scheduled_post_id")?;
    let post = scheduled_posts::delete(&state, &auth, &id, &connection_id(&headers)).await?;
    Ok(created(post))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct TeamScheduledQuery {
    /// `true` adds the caller's scheduled posts in direct and group channels under
    /// `directChannels`.
    #[serde(rename = "includeDirectChannels")]
    pub include_direct_channels: Option<String>,
}

/// The caller's scheduled posts in a team: `{"<team_id>": [...], "directChannels": [...]}`.
#[utoipa::path(get, path = "/api/v4/posts/scheduled/team/{team_id}", tag = "posts",
    params(("team_id" = String, Path), TeamScheduledQuery),
    responses((status = 200, description = "Scheduled posts keyed by team id (and `directChannels`)", body = BTreeMap<String, Vec<ScheduledPost>>),
              (status = 400, description = "ServiceSettings.ScheduledPosts is off"),
              (status = 403, description = "Not on the team")))]
pub async fn team_scheduled_posts(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team): Ids<TeamId>,
    Query(query): Query<TeamScheduledQuery>,
) -> Result<Json<BTreeMap<String, Vec<ScheduledPost>>>> {
    let include = query.include_direct_channels.as_deref() == Some("true");
    Ok(Json(
        scheduled_posts::for_team(&state, &auth, &team, include).await?,
    ))
}
