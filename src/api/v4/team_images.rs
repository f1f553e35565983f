//! `/teams/{team_id}/image`: team icons (read, upload, remove).

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
use crate::api::ids::{Ids, TeamId};
use crate::app::team_icons as app;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_team_icon, set_team_icon, remove_team_icon))
        // Uploads are bounded by FileSettings.MaxFileSize while read, not by the JSON limit.
        .layer(DefaultBodyLimit::disable())
}

const ERRORS: UploadErrors = UploadErrors {
    too_large: app::too_large,
    parse: app::parse_error,
    no_file: app::no_file,
};

/// The team's icon (members, system admins, and anyone for an open team that allows open
/// invites). `ETag` is `last_team_icon_update`; `If-None-Match` answers 304.
#[utoipa::path(get, path = "/api/v4/teams/{team_id}/image", tag = "teams",
    params(("team_id" = String, Path)),
    responses((status = 200, description = "PNG image", content_type = "image/png"),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
        (status = 403, description = "Not allowed to see the team"),
        (status = 404, description = "No such team, or the team has no icon")))]
pub async fn get_team_icon(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team_id): Ids<TeamId>,
    headers: HeaderMap,
) -> Result<Response> {
    let icon = app::icon(&state, &auth, &team_id).await?;
    let etag = icon.etag();
    if etag_matches(&headers, &etag) {
        return Ok(not_modified(&etag));
    }
    let bytes = app::icon_png(&state, &icon).await?;
    Ok(png(bytes, Some(&etag), app::MAX_AGE_SECS))
}

/// Upload the team's icon (`manage_team`): multipart file part `image`, cropped to its centre
/// square and stored as a 128 px PNG. Sets `last_team_icon_update`; sends `update_team`.
#[utoipa::path(post, path = "/api/v4/teams/{team_id}/image", tag = "teams",
    params(("team_id" = String, Path)),
    request_body(content = doc::ImageForm, content_type = "multipart/form-data", description = "`image`: the icon file"),
    responses((status = 200, description = "OK", body = doc::StatusOk),
        (status = 400, description = "No such team, no `image` file, not a readable image, over the pixel limit, or larger than FileSettings.MaxFileSize (Mattermost's status for this route)"),
        (status = 403, description = "Without `manage_team`"),
        (status = 501, description = "No file storage configured")))]
pub async fn set_team_icon(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team_id): Ids<TeamId>,
    request: Request,
) -> Result<Json<Value>> {
    // Who may, before the body is read.
    if let Err(err) = app::check_upload(&state, &auth, &team_id).await {
        discard(request).await;
        return Err(err);
    }
    let image = image_part(&state, request, &ERRORS).await?;
    app::set_icon(&state, &auth, &team_id, image).await?;
    Ok(status_ok())
}

/// Remove the team's icon (`manage_team`): `last_team_icon_update` back to 0; sends
/// `update_team`.
#[utoipa::path(delete, path = "/api/v4/teams/{team_id}/image", tag = "teams",
    params(("team_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk),
        (status = 400, description = "No such team"),
        (status = 403, description = "Without `manage_team`")))]
pub async fn remove_team_icon(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team_id): Ids<TeamId>,
) -> Result<Json<Value>> {
    app::remove_icon(&state, &auth, &team_id).await?;
    Ok(status_ok())
}
