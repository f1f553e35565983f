//! `/users/{user_id}/image` (profile pictures: upload, reset, read, the generated default)
//! and `/users/{user_id}/typing`.

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Json;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::status_ok;
use super::image_http::{discard, etag_matches, image_part, not_modified, png, UploadErrors};
use crate::api::auth::Auth;
use crate::api::docs::schemas as doc;
use crate::api::extract::Json as JsonBody;
use crate::api::ids::{Ids, UserIdOrMe};
use crate::app::profile_images as app;
use crate::app::typing::{self, TypingRequest};
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            get_profile_image,
            set_profile_image,
            set_default_profile_image
        ))
        // Uploads are bounded by FileSettings.MaxFileSize while read, not by the JSON limit.
        .layer(DefaultBodyLimit::disable())
        .routes(routes!(get_default_profile_image))
        .routes(routes!(publish_user_typing))
}

const ERRORS: UploadErrors = UploadErrors {
    too_large: app::too_large,
    parse: app::parse_error,
    no_file: app::no_file,
};

/// The user's profile picture: the uploaded one, else the generated default (initials on a
/// colour of the user's own). `ETag` and `If-None-Match` (304) as Mattermost.
#[utoipa::path(get, path = "/api/v4/users/{user_id}/image", tag = "users",
    params(("user_id" = String, Path)),
    responses((status = 200, description = "PNG image", content_type = "image/png"),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
        (status = 400, description = "Malformed user id"), (status = 404, description = "No such user")))]
pub async fn get_profile_image(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
    headers: HeaderMap,
) -> Result<Response> {
    let user_id = user.resolve(&auth);
    let picture = app::picture(&state, &auth, &user_id).await?;
    let etag = picture.etag();
    if etag_matches(&headers, &etag) {
        return Ok(not_modified(&etag));
    }
    let out = app::picture_png(&state, &picture).await?;
    Ok(png(out.png, out.etag.as_deref(), out.max_age_secs))
}

/// The generated default picture, even when the user uploaded one.
#[utoipa::path(get, path = "/api/v4/users/{user_id}/image/default", tag = "users",
    params(("user_id" = String, Path)),
    responses((status = 200, description = "PNG image", content_type = "image/png"),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
        (status = 400, description = "Malformed user id"), (status = 404, description = "No such user")))]
pub async fn get_default_profile_image(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
    headers: HeaderMap,
) -> Result<Response> {
    let user_id = user.resolve(&auth);
    let picture = app::default_picture(&state, &auth, &user_id).await?;
    let etag = picture.etag();
    if etag_matches(&headers, &etag) {
        return Ok(not_modified(&etag));
    }
    let out = app::picture_png(&state, &picture).await?;
    Ok(png(out.png, out.etag.as_deref(), out.max_age_secs))
}

/// Upload a profile picture: multipart file part `image` (PNG, JPEG, GIF, WebP or BMP),
/// cropped to its centre square and stored as a 128 px PNG. Sets `last_picture_update` and
/// sends `user_updated`.
#[utoipa::path(post, path = "/api/v4/users/{user_id}/image", tag = "users",
    params(("user_id" = String, Path)),
    request_body(content = doc::ImageForm, content_type = "multipart/form-data", description = "`image`: the picture file"),
    responses((status = 200, description = "OK", body = doc::StatusOk),
        (status = 400, description = "No `image` file, not a readable image, or over the pixel limit"),
        (status = 403, description = "Another user without `edit_other_users` (a system admin needs `manage_system`)"),
        (status = 413, description = "Larger than FileSettings.MaxFileSize"),
        (status = 501, description = "No file storage configured")))]
pub async fn set_profile_image(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
    request: Request,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    // Who may, before the body is read.
    if let Err(err) = app::check_upload(&state, &auth, &user_id).await {
        discard(request).await;
        return Err(err);
    }
    let image = image_part(&state, request, &ERRORS).await?;
    app::set_picture(&state, &auth, &user_id, image).await?;
    Ok(status_ok())
}

/// Back to the generated default picture: `last_picture_update` becomes minus the time of
/// the reset; sends `user_updated`.
#[utoipa::path(delete, path = "/api/v4/users/{user_id}/image", tag = "users",
    params(("user_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk),
        (status = 403, description = "Another user without `edit_other_users` (a system admin needs `manage_system`)"),
        (status = 501, description = "No file storage configured")))]
pub async fn set_default_profile_image(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    app::reset_picture(&state, &auth, &user_id).await?;
    Ok(status_ok())
}

/// Tell the channel the user is typing (the WebSocket `user_typing` action over HTTP): the
/// channel's other members get `typing`.
#[utoipa::path(post, path = "/api/v4/users/{user_id}/typing", tag = "users",
    params(("user_id" = String, Path)), request_body = TypingRequest,
    responses((status = 200, description = "OK", body = doc::StatusOk),
        (status = 400, description = "Malformed body or `parent_id`"),
        (status = 403, description = "Another user without `manage_system`, or the user may not post in the channel")))]
pub async fn publish_user_typing(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
    JsonBody(body): JsonBody<TypingRequest>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    typing::user_typing(&state, &auth, &user_id, &body).await?;
    Ok(status_ok())
}
