//! Collapsed reply threads: `/users/{user_id}/teams/{team_id}/threads`.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use townsquare_sdk::AppError;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{status_ok, Pagination};
use crate::api::auth::Auth;
use crate::api::docs::schemas as doc;
use crate::api::extract::{flag, Path, Query};
use crate::api::ids::{Ids, PostId, TeamId, ThreadId, UserIdOrMe};
use crate::app::auth::AuthContext;
use crate::app::permissions::Permission;
use crate::app::threads::{self, readable_thread, to_json};
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_threads))
        .routes(routes!(get_thread))
        .routes(routes!(follow_thread, unfollow_thread))
        .routes(routes!(mark_thread_read))
        .routes(routes!(mark_all_read))
        .routes(routes!(set_thread_unread))
        .routes(routes!(mention_counts))
}

fn only_self(auth: &AuthContext, user: UserIdOrMe) -> Result<String> {
    let user_id = user.resolve(auth);
    if user_id != auth.user_id() {
        return Err(AppError::forbidden("edit_other_users").into());
    }
    Ok(user_id)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ThreadsQuery {
    pub page: Option<String>,
    pub per_page: Option<String>,
    /// Only threads with unread replies.
    pub unread: Option<String>,
}

/// Threads the user follows in a team, most recent reply first.
#[utoipa::path(get, path = "/api/v4/users/{user_id}/teams/{team_id}/threads", tag = "threads",
    params(("user_id" = String, Path), ("team_id" = String, Path), ThreadsQuery),
    responses((status = 200, description = "Threads", body = threads::Threads)))]
pub async fn list_threads(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, team_id)): Ids<(UserIdOrMe, TeamId)>,
    Query(query): Query<ThreadsQuery>,
) -> Result<Json<Value>> {
    let user_id = only_self(&auth, user)?;
    let (offset, limit) = Pagination {
        page: query.page,
        per_page: query.per_page,
    }
    .window();
    let page = threads::list(
        &state,
        &auth,
        &user_id,
        &team_id,
        flag(&query.unread),
        offset,
        limit.min(200),
    )
    .await?;
    Ok(Json(serde_json::to_value(page).unwrap_or(Value::Null)))
}

/// One followed thread.
#[utoipa::path(get, path = "/api/v4/users/{user_id}/teams/{team_id}/threads/{thread_id}", tag = "threads",
    params(("user_id" = String, Path), ("team_id" = String, Path), ("thread_id" = String, Path)),
    operation_id = "get_user_thread",
    responses((status = 200, description = "ThreadResponse", body = threads::ThreadResponse), (status = 404, description = "Not following")))]
pub async fn get_thread(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, _team_id, thread_id)): Ids<(UserIdOrMe, TeamId, ThreadId)>,
) -> Result<Json<Value>> {
    let user_id = only_self(&auth, user)?;
    readable_thread(&state, &auth, &thread_id).await?;
    Ok(Json(to_json(
        &threads::one(&state, &auth, &user_id, &thread_id).await?,
    )))
}

/// Follow a thread.
#[utoipa::path(put, path = "/api/v4/users/{user_id}/teams/{team_id}/threads/{thread_id}/following", tag = "threads",
    params(("user_id" = String, Path), ("team_id" = String, Path), ("thread_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk)))]
pub async fn follow_thread(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, _team_id, thread_id)): Ids<(UserIdOrMe, TeamId, ThreadId)>,
) -> Result<Json<Value>> {
    set_following(&state, &auth, user, &thread_id, true).await
}

/// Stop following a thread.
#[utoipa::path(delete, path = "/api/v4/users/{user_id}/teams/{team_id}/threads/{thread_id}/following", tag = "threads",
    params(("user_id" = String, Path), ("team_id" = String, Path), ("thread_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk)))]
pub async fn unfollow_thread(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, _team_id, thread_id)): Ids<(UserIdOrMe, TeamId, ThreadId)>,
) -> Result<Json<Value>> {
    set_following(&state, &auth, user, &thread_id, false).await
}

async fn set_following(
    state: &AppState,
    auth: &AuthContext,
    user: UserIdOrMe,
    thread_id: &str,
    following: bool,
) -> Result<Json<Value>> {
    let user_id = only_self(auth, user)?;
    threads::set_following(state, auth, &user_id, thread_id, following).await?;
    Ok(status_ok())
}

/// Mark a thread read up to a time (ms).
#[utoipa::path(put, path = "/api/v4/users/{user_id}/teams/{team_id}/threads/{thread_id}/read/{timestamp}", tag = "threads",
    params(("user_id" = String, Path), ("team_id" = String, Path), ("thread_id" = String, Path), ("timestamp" = i64, Path)),
    responses((status = 200, description = "ThreadResponse", body = threads::ThreadResponse)))]
pub async fn mark_thread_read(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, team_id, thread_id)): Ids<(UserIdOrMe, TeamId, ThreadId)>,
    Path((_user_id, _team_id_raw, _thread_id_raw, timestamp)): Path<(
        String,
        String,
        String,
        String,
    )>,
) -> Result<Json<Value>> {
    let user_id = only_self(&auth, user)?;
    let timestamp: i64 = timestamp
        .parse()
        .map_err(|_| AppError::invalid_url_param("timestamp"))?;
    Ok(Json(to_json(
        &threads::mark_read(&state, &auth, &user_id, &team_id, &thread_id, timestamp).await?,
    )))
}

/// Mark every followed thread of a team read.
#[utoipa::path(put, path = "/api/v4/users/{user_id}/teams/{team_id}/threads/read", tag = "threads",
    params(("user_id" = String, Path), ("team_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk)))]
pub async fn mark_all_read(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, team_id)): Ids<(UserIdOrMe, TeamId)>,
) -> Result<Json<Value>> {
    let user_id = only_self(&auth, user)?;
    threads::mark_all_read(&state, &user_id, &team_id).await?;
    Ok(status_ok())
}

/// Mark a thread unread from a post (its root or a reply) on; the thread becomes followed.
/// The user's clients get `thread_read_changed`.
#[utoipa::path(post, path = "/api/v4/users/{user_id}/teams/{team_id}/threads/{thread_id}/set_unread/{post_id}", tag = "threads",
    params(("user_id" = String, Path), ("team_id" = String, Path), ("thread_id" = String, Path), ("post_id" = String, Path)),
    responses((status = 200, description = "ThreadResponse", body = threads::ThreadResponse),
              (status = 400, description = "The post is not in the thread"),
              (status = 403, description = "Another user without edit_other_users, or an unreadable thread"),
              (status = 404, description = "No such thread or post")))]
pub async fn set_thread_unread(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, team_id, thread_id, post_id)): Ids<(UserIdOrMe, TeamId, ThreadId, PostId)>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    auth.require_self_or(&user_id, Permission::EditOtherUsers)?;
    Ok(Json(to_json(
        &threads::set_unread(&state, &auth, &user_id, &team_id, &thread_id, &post_id).await?,
    )))
}

/// Unread mentions in the user's followed threads of a team, per channel id.
#[utoipa::path(get, path = "/api/v4/users/{user_id}/teams/{team_id}/threads/mention_counts", tag = "threads",
    params(("user_id" = String, Path), ("team_id" = String, Path)),
    responses((status = 200, description = "Map of channel id to unread mentions", body = std::collections::BTreeMap<String, i64>),
              (status = 403, description = "Another user without edit_other_users")))]
pub async fn mention_counts(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, team_id)): Ids<(UserIdOrMe, TeamId)>,
) -> Result<Json<std::collections::BTreeMap<String, i64>>> {
    let user_id = user.resolve(&auth);
    auth.require_self_or(&user_id, Permission::EditOtherUsers)?;
    Ok(Json(
        threads::mention_counts(&state, &user_id, &team_id).await?,
    ))
}
