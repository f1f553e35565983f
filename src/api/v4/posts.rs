//! `/posts`: create, read (channel pages, threads), edit, delete, pin.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use townsquare_sdk::model::{Post, PostList};
use townsquare_sdk::AppError;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{patch_from_full, status_ok, Pagination};
use crate::api::auth::Auth;
use crate::api::docs::schemas as doc;
use crate::api::extract::{Json as JsonBody, Query};
use crate::api::ids::{ChannelId, Ids, PostId, UserIdOrMe};
use crate::app::permissions::Permission;
use crate::app::posts::{self, read, NewPost, PageRequest, PostPatch};
use crate::error::Result;
use crate::id::parse_id;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_post))
        .routes(routes!(get_post, update_post, delete_post))
        .routes(routes!(patch_post))
        .routes(routes!(get_thread))
        .routes(routes!(posts_by_ids))
        .routes(routes!(channel_posts))
        .routes(routes!(pin_post))
        .routes(routes!(unpin_post))
        .routes(routes!(pinned_posts))
        .routes(routes!(posts_around_unread))
        .routes(routes!(edit_history))
        .routes(routes!(set_unread))
        .routes(routes!(post_info))
        .routes(routes!(set_reminder))
}

/// Create a post (201). `root_id` makes it a reply; `pending_post_id` makes retries safe.
#[utoipa::path(post, path = "/api/v4/posts", tag = "posts", request_body = NewPost,
    responses((status = 201, description = "The post", body = Post), (status = 400, description = "Invalid post"), (status = 403, description = "Not a member")))]
pub async fn create_post(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(input): JsonBody<NewPost>,
) -> Result<Response> {
    let post = posts::create_post(&state, &auth, input).await?;
    Ok((StatusCode::CREATED, Json(post)).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct GetPostQuery {
    /// System admins only: answer for a deleted post too (without its content).
    pub include_deleted: Option<String>,
}

/// A post by id.
#[utoipa::path(get, path = "/api/v4/posts/{post_id}", tag = "posts", params(("post_id" = String, Path), GetPostQuery),
    responses((status = 200, description = "The post", body = Post), (status = 403, description = "include_deleted without manage_system"),
    (status = 404, description = "No such post, or deleted")))]
pub async fn get_post(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(post_id): Ids<PostId>,
    Query(query): Query<GetPostQuery>,
) -> Result<Json<Post>> {
    // Go's strconv.ParseBool, as Mattermost reads the flag.
    let include_deleted = matches!(
        query.include_deleted.as_deref(),
        Some("1" | "t" | "T" | "true" | "TRUE" | "True")
    );
    Ok(Json(
        read::get(&state, &auth, &post_id, include_deleted).await?,
    ))
}

/// Edit a post (message, pin state, props).
#[utoipa::path(put, path = "/api/v4/posts/{post_id}/patch", tag = "posts", request_body = PostPatch,
    params(("post_id" = String, Path)), responses((status = 200, description = "The post", body = Post)))]
pub async fn patch_post(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(post_id): Ids<PostId>,
    JsonBody(patch): JsonBody<PostPatch>,
) -> Result<Json<Post>> {
    Ok(Json(
        posts::patch_post(&state, &auth, &post_id, patch).await?,
    ))
}

/// Update a post from a full post object (the id must match the path).
#[utoipa::path(put, path = "/api/v4/posts/{post_id}", tag = "posts", request_body = Post,
    params(("post_id" = String, Path)), responses((status = 200, description = "The post", body = Post)))]
pub async fn update_post(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(post_id): Ids<PostId>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Post>> {
    let patch: PostPatch = patch_from_full(body, &post_id, "post")?;
    Ok(Json(
        posts::patch_post(&state, &auth, &post_id, patch).await?,
    ))
}

/// Delete a post (a root takes its replies with it).
#[utoipa::path(delete, path = "/api/v4/posts/{post_id}", tag = "posts", params(("post_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk)))]
pub async fn delete_post(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(post_id): Ids<PostId>,
) -> Result<Json<Value>> {
    posts::delete_post(&state, &auth, &post_id).await?;
    Ok(status_ok())
}

/// Earlier versions of the caller's own edited post, newest first.
#[utoipa::path(get, path = "/api/v4/posts/{post_id}/edit_history", tag = "posts", params(("post_id" = String, Path)),
    responses((status = 200, description = "Earlier versions", body = Vec<Post>), (status = 403, description = "Not the author"),
    (status = 404, description = "No such post or no history")))]
pub async fn edit_history(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(post_id): Ids<PostId>,
) -> Result<Json<Vec<Post>>> {
    Ok(Json(posts::edit_history(&state, &auth, &post_id).await?))
}

/// Marks a channel unread from a post on, for the caller.
#[utoipa::path(post, path = "/api/v4/users/{user_id}/posts/{post_id}/set_unread", tag = "posts",
    params(("user_id" = String, Path), ("post_id" = String, Path)),
    responses((status = 200, description = "ChannelUnreadAt", body = posts::ChannelUnreadAt), (status = 403, description = "Another user, or not a member")))]
pub async fn set_unread(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, post_id)): Ids<(UserIdOrMe, PostId)>,
) -> Result<Json<posts::ChannelUnreadAt>> {
    if user.resolve(&auth) != auth.user_id() {
        return Err(AppError::forbidden(Permission::EditOtherUsers.id()).into());
    }
    Ok(Json(
        posts::mark_unread_from(&state, &auth, &post_id).await?,
    ))
}

/// A thread: the root and every reply.
#[utoipa::path(get, path = "/api/v4/posts/{post_id}/thread", tag = "posts", params(("post_id" = String, Path)),
    operation_id = "get_post_thread",
    responses((status = 200, description = "PostList", body = PostList)))]
pub async fn get_thread(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(post_id): Ids<PostId>,
) -> Result<Json<PostList>> {
    Ok(Json(read::thread(&state, &auth, &post_id).await?))
}

/// Posts by id; posts the caller may not read are left out.
#[utoipa::path(post, path = "/api/v4/posts/ids", tag = "posts", request_body = Vec<String>,
    responses((status = 200, description = "Posts", body = Vec<Post>)))]
pub async fn posts_by_ids(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(ids): JsonBody<Vec<String>>,
) -> Result<Json<Vec<Post>>> {
    if ids.is_empty() || ids.len() > 1000 {
        return Err(AppError::invalid_body_param("post_ids").into());
    }
    for id in &ids {
        parse_id(id, "post_ids").map_err(|_| AppError::invalid_body_param("post_ids"))?;
    }
    Ok(Json(read::by_ids(&state, &auth, &ids).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ChannelPostsQuery {
    pub page: Option<String>,
    pub per_page: Option<String>,
    /// Posts older than this post id.
    pub before: Option<String>,
    /// Posts newer than this post id.
    pub after: Option<String>,
    /// Everything changed after this time (ms), deletions included.
    pub since: Option<String>,
    #[allow(dead_code)]
    #[serde(rename = "skipFetchThreads")]
    pub skip_fetch_threads: Option<String>,
    #[allow(dead_code)]
    #[serde(rename = "collapsedThreads")]
    pub collapsed_threads: Option<String>,
}

/// A page of a channel's posts, newest first.
#[utoipa::path(get, path = "/api/v4/channels/{channel_id}/posts", tag = "posts",
    params(("channel_id" = String, Path), ChannelPostsQuery),
    responses((status = 200, description = "PostList", body = PostList)))]
pub async fn channel_posts(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(channel_id): Ids<ChannelId>,
    Query(query): Query<ChannelPostsQuery>,
) -> Result<Json<PostList>> {
    let (offset, per_page) = Pagination {
        page: query.page,
        per_page: query.per_page,
    }
    .window();
    let since = match query.since.as_deref() {
        Some(raw) if !raw.is_empty() => Some(
            raw.parse::<i64>()
                .map_err(|_| AppError::invalid_url_param("since"))?,
        ),
        _ => None,
    };
    let cursor = |raw: Option<String>, name: &str| -> Result<String> {
        match raw.filter(|r| !r.is_empty()) {
            Some(id) => parse_id(&id, name),
            None => Ok(String::new()),
        }
    };
    let request = PageRequest {
        page: offset / per_page.max(1),
        per_page,
        before: cursor(query.before, "before")?,
        after: cursor(query.after, "after")?,
        since,
    };
    Ok(Json(
        posts::channel_posts(&state, &auth, &channel_id, request).await?,
    ))
}

/// Pin a post to its channel.
#[utoipa::path(post, path = "/api/v4/posts/{post_id}/pin", tag = "posts", params(("post_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk)))]
pub async fn pin_post(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(post_id): Ids<PostId>,
) -> Result<Json<Value>> {
    posts::set_pinned(&state, &auth, &post_id, true).await?;
    Ok(status_ok())
}

/// Unpin a post.
#[utoipa::path(post, path = "/api/v4/posts/{post_id}/unpin", tag = "posts", params(("post_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk)))]
pub async fn unpin_post(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(post_id): Ids<PostId>,
) -> Result<Json<Value>> {
    posts::set_pinned(&state, &auth, &post_id, false).await?;
    Ok(status_ok())
}

/// Pinned posts of a channel.
#[utoipa::path(get, path = "/api/v4/channels/{channel_id}/pinned", tag = "posts", params(("channel_id" = String, Path)),
    responses((status = 200, description = "PostList", body = PostList)))]
pub async fn pinned_posts(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(channel_id): Ids<ChannelId>,
) -> Result<Json<PostList>> {
    Ok(Json(read::pinned(&state, &auth, &channel_id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AroundQuery {
    /// Read posts to include (default 60, max 200).
    pub limit_before: Option<String>,
    /// Unread posts to include (default 60, max 200).
    pub limit_after: Option<String>,
}

/// Posts around the caller's last read position in a channel.
#[utoipa::path(get, path = "/api/v4/users/{user_id}/channels/{channel_id}/posts/unread", tag = "posts",
    params(("user_id" = String, Path), ("channel_id" = String, Path), AroundQuery),
    responses((status = 200, description = "PostList with `has_next`", body = PostList)))]
pub async fn posts_around_unread(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, channel_id)): Ids<(UserIdOrMe, ChannelId)>,
    Query(query): Query<AroundQuery>,
) -> Result<Json<PostList>> {
    if user.resolve(&auth) != auth.user_id() {
        return Err(AppError::forbidden("edit_other_users").into());
    }
    let limit = |raw: Option<String>| {
        raw.and_then(|r| r.parse::<i64>().ok())
            .filter(|n| *n >= 0)
            .unwrap_or(60)
            .min(200)
    };
    let list = posts::around_last_unread(
        &state,
        &auth,
        &channel_id,
        limit(query.limit_before),
        limit(query.limit_after),
    )
    .await?;
    Ok(Json(list))
}

/// Where a post lives and whether the caller has joined its channel and team (for
/// permalinks); 404 when the caller could neither read nor join them.
#[utoipa::path(get, path = "/api/v4/posts/{post_id}/info", tag = "posts", params(("post_id" = String, Path)),
    responses((status = 200, description = "PostInfo", body = posts::info::PostInfo),
              (status = 404, description = "No such post, or out of the caller's reach")))]
pub async fn post_info(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(post_id): Ids<PostId>,
) -> Result<Json<posts::info::PostInfo>> {
    Ok(Json(posts::info::info(&state, &auth, &post_id).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReminderBody {
    /// When to remind, in Unix seconds.
    #[serde(deserialize_with = "crate::serde_util::nullable")]
    pub target_time: i64,
}

/// Remind the user about a post at `target_time`: the system bot sends them a direct message
/// then; an ephemeral message confirms it now.
#[utoipa::path(post, path = "/api/v4/users/{user_id}/posts/{post_id}/reminder", tag = "posts",
    request_body = ReminderBody, params(("user_id" = String, Path), ("post_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk),
              (status = 400, description = "Missing or invalid target_time"),
              (status = 403, description = "Another user without edit_other_users, or an unreadable post"),
              (status = 404, description = "No such post")))]
pub async fn set_reminder(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, post_id)): Ids<(UserIdOrMe, PostId)>,
    JsonBody(body): JsonBody<ReminderBody>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    crate::app::post_reminders::set(&state, &auth, &user_id, &post_id, body.target_time).await?;
    Ok(status_ok())
}
