//! `/emoji`: custom emoji.

use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
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
use crate::api::extract::{Json as JsonBody, Path, Query};
use crate::api::ids::{EmojiId, Ids};
use crate::app::emoji::{self as app, Emoji, NewEmoji, MAX_IMAGE_BYTES};
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_emoji, list_emoji))
        // The image may be up to 512 KiB, more than the JSON body limit; the handler counts.
        .layer(DefaultBodyLimit::max(MAX_IMAGE_BYTES + 64 * 1024))
        .routes(routes!(get_emoji, delete_emoji))
        .routes(routes!(get_emoji_by_name))
        .routes(routes!(get_emoji_image))
        .routes(routes!(search_emoji))
        .routes(routes!(autocomplete_emoji))
        .routes(routes!(emoji_by_names))
}

fn too_large() -> AppError {
    AppError::new(
        413,
        "api.emoji.create.too_large.app_error",
        "Unable to create emoji. Image must be less than 512 KiB in size.",
    )
}

/// Create a custom emoji: multipart `emoji` (JSON `{"name","creator_id"}`) and `image`.
#[utoipa::path(post, path = "/api/v4/emoji", tag = "emoji",
    request_body(content = doc::EmojiForm, content_type = "multipart/form-data", description = "`emoji` JSON and `image` file"),
    responses((status = 200, description = "Emoji", body = Emoji), (status = 400, description = "Bad name or image"),
        (status = 413, description = "Image over 512 KiB"), (status = 501, description = "Custom emoji disabled")))]
pub async fn create_emoji(
    State(state): State<AppState>,
    Auth(auth): Auth,
    multipart: std::result::Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Json<Emoji>> {
    app::require_enabled(&state)?;
    let mut multipart = multipart.map_err(|e| {
        AppError::bad_request(
            "api.emoji.create.parse.app_error",
            "Unable to create emoji. Could not understand the request.",
        )
        .with_detail(e.body_text())
    })?;
    let mut input: Option<NewEmoji> = None;
    let mut image: Option<Vec<u8>> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(err) if err.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(too_large().into())
            }
            Err(_) => return Err(AppError::invalid_body_param("image").into()),
        };
        match field.name().unwrap_or("") {
            "emoji" => {
                let text = field
                    .text()
                    .await
                    .map_err(|_| AppError::invalid_body_param("emoji"))?;
                input = Some(
                    serde_json::from_str(&text)
                        .map_err(|_| AppError::invalid_body_param("emoji"))?,
                );
            }
            "image" => {
                let mut field = field;
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|err| {
                    if err.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                        too_large()
                    } else {
                        AppError::invalid_body_param("image")
                    }
                })? {
                    bytes.extend_from_slice(&chunk);
                    if bytes.len() > MAX_IMAGE_BYTES {
                        return Err(too_large().into());
                    }
                }
                image = Some(bytes);
            }
            _ => {}
        }
    }
    let input = input.ok_or_else(|| AppError::invalid_body_param("emoji"))?;
    let image = image
        .filter(|i| !i.is_empty())
        .ok_or_else(|| AppError::invalid_body_param("image"))?;
    Ok(Json(app::create_emoji(&state, &auth, input, &image).await?))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ListQuery {
    pub page: Option<String>,
    pub per_page: Option<String>,
    /// `name` sorts by name; otherwise by creation.
    pub sort: Option<String>,
}

/// A page of custom emoji.
#[utoipa::path(get, path = "/api/v4/emoji", tag = "emoji", params(ListQuery),
    responses((status = 200, description = "[Emoji]", body = Vec<Emoji>)))]
pub async fn list_emoji(
    State(state): State<AppState>,
    Auth(_auth): Auth,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<Emoji>>> {
    app::require_enabled(&state)?;
    let (offset, limit) = Pagination {
        page: query.page,
        per_page: query.per_page,
    }
    .window();
    let by_name = query.sort.as_deref() == Some("name");
    Ok(Json(app::list(&state, by_name, offset, limit).await?))
}

/// A custom emoji by id.
#[utoipa::path(get, path = "/api/v4/emoji/{emoji_id}", tag = "emoji", params(("emoji_id" = String, Path)),
    responses((status = 200, description = "Emoji", body = Emoji), (status = 404, description = "No such emoji")))]
pub async fn get_emoji(
    State(state): State<AppState>,
    Auth(_auth): Auth,
    Ids(emoji_id): Ids<EmojiId>,
) -> Result<Json<Emoji>> {
    Ok(Json(app::emoji(&state, &emoji_id).await?))
}

/// Delete a custom emoji (its creator or a system admin).
#[utoipa::path(delete, path = "/api/v4/emoji/{emoji_id}", tag = "emoji", params(("emoji_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk), (status = 403, description = "Not the creator")))]
pub async fn delete_emoji(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(emoji_id): Ids<EmojiId>,
) -> Result<Json<Value>> {
    app::delete_emoji(&state, &auth, &emoji_id).await?;
    Ok(status_ok())
}

/// A custom emoji by name.
#[utoipa::path(get, path = "/api/v4/emoji/name/{emoji_name}", tag = "emoji", params(("emoji_name" = String, Path)),
    responses((status = 200, description = "Emoji", body = Emoji), (status = 404, description = "No such emoji")))]
pub async fn get_emoji_by_name(
    State(state): State<AppState>,
    Auth(_auth): Auth,
    Path(name): Path<String>,
) -> Result<Json<Emoji>> {
    Ok(Json(app::emoji_by_name(&state, &name).await?))
}

/// A custom emoji's image.
#[utoipa::path(get, path = "/api/v4/emoji/{emoji_id}/image", tag = "emoji", params(("emoji_id" = String, Path)),
    responses((status = 200, description = "The image (PNG, JPEG, GIF or WebP)", content_type = "image/*"), (status = 404, description = "No such emoji")))]
pub async fn get_emoji_image(
    State(state): State<AppState>,
    Auth(_auth): Auth,
    Ids(emoji_id): Ids<EmojiId>,
) -> Result<Response> {
    let bytes = app::image(&state, &emoji_id).await?;
    let content_type = match image::guess_format(&bytes) {
        Ok(image::ImageFormat::Png) => "image/png",
        Ok(image::ImageFormat::Jpeg) => "image/jpeg",
        Ok(image::ImageFormat::Gif) => "image/gif",
        Ok(image::ImageFormat::WebP) => "image/webp",
        _ => "application/octet-stream",
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "max-age=2592000, private"),
            (header::CONTENT_DISPOSITION, "inline"),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EmojiSearch {
    pub term: Option<String>,
    pub prefix_only: Option<bool>,
}

/// Search custom emoji by name.
#[utoipa::path(post, path = "/api/v4/emoji/search", tag = "emoji", request_body = EmojiSearch,
    responses((status = 200, description = "[Emoji]", body = Vec<Emoji>), (status = 400, description = "No term")))]
pub async fn search_emoji(
    State(state): State<AppState>,
    Auth(_auth): Auth,
    JsonBody(body): JsonBody<EmojiSearch>,
) -> Result<Json<Vec<Emoji>>> {
    app::require_enabled(&state)?;
    let term = body
        .term
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AppError::invalid_body_param("term"))?;
    Ok(Json(
        app::search(&state, &term, body.prefix_only.unwrap_or(false), 200).await?,
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct AutocompleteQuery {
    /// Prefix of the emoji name.
    #[param(required = true)]
    pub name: Option<String>,
}

/// Custom emoji whose name starts with `name`.
#[utoipa::path(get, path = "/api/v4/emoji/autocomplete", tag = "emoji", params(AutocompleteQuery),
    responses((status = 200, description = "[Emoji]", body = Vec<Emoji>), (status = 400, description = "No name")))]
pub async fn autocomplete_emoji(
    State(state): State<AppState>,
    Auth(_auth): Auth,
    Query(query): Query<AutocompleteQuery>,
) -> Result<Json<Vec<Emoji>>> {
    app::require_enabled(&state)?;
    let name = query
        .name
        .filter(|n| !n.is_empty())
        .ok_or_else(|| AppError::invalid_url_param("name"))?;
    Ok(Json(app::search(&state, &name, true, 100).await?))
}

/// Custom emoji by names (unknown names are left out).
#[utoipa::path(post, path = "/api/v4/emoji/names", tag = "emoji", request_body = Vec<String>,
    responses((status = 200, description = "[Emoji]", body = Vec<Emoji>)))]
pub async fn emoji_by_names(
    State(state): State<AppState>,
    Auth(_auth): Auth,
    JsonBody(names): JsonBody<Vec<String>>,
) -> Result<Json<Vec<Emoji>>> {
    app::require_enabled(&state)?;
    if names.is_empty() || names.len() > 200 {
        return Err(AppError::invalid_body_param("names").into());
    }
    Ok(Json(app::by_names(&state, &names).await?))
}
