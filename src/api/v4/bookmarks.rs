//! `/channels/{channel_id}/bookmarks`: links and files pinned to a channel.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use townsquare_sdk::AppError;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::auth::Auth;
use crate::api::extract::{Json as JsonBody, Query};
use crate::api::ids::{BookmarkId, ChannelId, Ids};
use crate::app::bookmarks::{self, Bookmark, BookmarkPatch, NewBookmark, UpdatedBookmark};
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_bookmarks, create_bookmark))
        .routes(routes!(update_bookmark, delete_bookmark))
        .routes(routes!(sort_bookmark))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct BookmarksQuery {
    /// Milliseconds: every bookmark changed or deleted since then, deleted ones included.
    pub bookmarks_since: Option<String>,
}

/// The channel's bookmarks in order (with `bookmarks_since`, the changes since then).
#[utoipa::path(get, path = "/api/v4/channels/{channel_id}/bookmarks", tag = "channels",
    params(("channel_id" = String, Path), BookmarksQuery),
    responses((status = 200, description = "ChannelBookmarkWithFileInfo list", body = Vec<Bookmark>),
              (status = 400, description = "Malformed id or bookmarks_since"),
              (status = 403, description = "Cannot read the channel"), (status = 404, description = "No such channel")))]
pub async fn list_bookmarks(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(channel_id): Ids<ChannelId>,
    Query(query): Query<BookmarksQuery>,
) -> Result<Json<Vec<Bookmark>>> {
    let since = match query.bookmarks_since.as_deref() {
        None | Some("") => 0,
        Some(raw) => raw
            .parse::<i64>()
            .map_err(|_| AppError::invalid_url_param("bookmarks_since"))?,
    };
    Ok(Json(
        bookmarks::list(&state, &auth, &channel_id, since).await?,
    ))
}

/// Add a link or file bookmark at the end of the channel's list (201); at most 50 per channel.
#[utoipa::path(post, path = "/api/v4/channels/{channel_id}/bookmarks", tag = "channels",
    request_body = NewBookmark, params(("channel_id" = String, Path)),
    responses((status = 201, description = "The bookmark", body = Bookmark),
              (status = 400, description = "Invalid bookmark, unusable file, or 50 already"),
              (status = 403, description = "No add_bookmark_*_channel permission, or an archived channel"),
              (status = 404, description = "No such channel")))]
pub async fn create_bookmark(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(channel_id): Ids<ChannelId>,
    JsonBody(input): JsonBody<NewBookmark>,
) -> Result<(StatusCode, Json<Bookmark>)> {
    let bookmark = bookmarks::create(&state, &auth, &channel_id, input).await?;
    Ok((StatusCode::CREATED, Json(bookmark)))
}

/// Edit a bookmark. Its owner edits it in place; anyone else replaces it with a copy they own
/// (then `deleted` is the old one).
#[utoipa::path(patch, path = "/api/v4/channels/{channel_id}/bookmarks/{bookmark_id}", tag = "channels",
    request_body = BookmarkPatch, params(("channel_id" = String, Path), ("bookmark_id" = String, Path)),
    responses((status = 200, description = "UpdateChannelBookmarkResponse", body = UpdatedBookmark),
              (status = 400, description = "Invalid result, or the bookmark is in another channel"),
              (status = 403, description = "No edit_bookmark_*_channel permission, or an archived channel"),
              (status = 404, description = "No such channel or bookmark")))]
pub async fn update_bookmark(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((channel_id, bookmark_id)): Ids<(ChannelId, BookmarkId)>,
    JsonBody(patch): JsonBody<BookmarkPatch>,
) -> Result<Json<UpdatedBookmark>> {
    Ok(Json(
        bookmarks::update(&state, &auth, &channel_id, &bookmark_id, patch).await?,
    ))
}

/// Move a bookmark to a position (the body is the new index, 0 first); returns the list.
#[utoipa::path(post, path = "/api/v4/channels/{channel_id}/bookmarks/{bookmark_id}/sort_order", tag = "channels",
    request_body(content = i64, description = "The new index"),
    params(("channel_id" = String, Path), ("bookmark_id" = String, Path)),
    responses((status = 200, description = "The channel's bookmarks in their new order", body = Vec<Bookmark>),
              (status = 400, description = "Negative or past the last bookmark"),
              (status = 403, description = "No order_bookmark_*_channel permission, or an archived channel"),
              (status = 404, description = "No such bookmark in the channel")))]
pub async fn sort_bookmark(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((channel_id, bookmark_id)): Ids<(ChannelId, BookmarkId)>,
    JsonBody(index): JsonBody<i64>,
) -> Result<Json<Vec<Bookmark>>> {
    Ok(Json(
        bookmarks::sort(&state, &auth, &channel_id, &bookmark_id, index).await?,
    ))
}

/// Delete a bookmark (and its file); returns it with `delete_at` set.
#[utoipa::path(delete, path = "/api/v4/channels/{channel_id}/bookmarks/{bookmark_id}", tag = "channels",
    params(("channel_id" = String, Path), ("bookmark_id" = String, Path)),
    responses((status = 200, description = "The deleted bookmark", body = Bookmark),
              (status = 400, description = "The bookmark is in another channel"),
              (status = 403, description = "No delete_bookmark_*_channel permission, or an archived channel"),
              (status = 404, description = "No such channel or bookmark")))]
pub async fn delete_bookmark(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((channel_id, bookmark_id)): Ids<(ChannelId, BookmarkId)>,
) -> Result<Json<Bookmark>> {
    Ok(Json(
        bookmarks::delete(&state, &auth, &channel_id, &bookmark_id).await?,
    ))
}
