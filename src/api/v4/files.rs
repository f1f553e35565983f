//! `/files`: streamed uploads, file info, download, thumbnail and preview; a post's files;
//! public links and file search.

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use townsquare_sdk::AppError;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::auth::is_https;
use crate::api::auth::Auth;
use crate::api::extract::Json as JsonBody;
use crate::api::extract::{reject_nul_in_body, Query};
use crate::api::ids::{FileId, Ids, PostId, TeamId};
use crate::app::auth::AuthContext;
use crate::app::file_search::{self, FileInfoList, FileSearchRequest};
use crate::app::files::{self, readable_file, too_large, FileInfo, Upload};
use crate::app::public_links;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload_files))
        // Uploads are limited by FileSettings.MaxFileSize while streaming, not by the JSON
        // body limit, and are never buffered whole.
        .layer(DefaultBodyLimit::disable())
        .routes(routes!(get_file))
        .routes(routes!(get_file_info))
        .routes(routes!(get_thumbnail))
        .routes(routes!(get_preview))
        .routes(routes!(post_file_infos))
        .routes(routes!(get_file_link))
        .routes(routes!(get_public_file))
        .routes(routes!(search_team_files))
        .routes(routes!(search_all_files))
}

/// Mattermost's FileUploadResponse.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = FileUploadResponse)]
pub struct UploadResponse {
    pub file_infos: Vec<FileInfo>,
    pub client_ids: Vec<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct UploadQuery {
    /// Raw-body uploads: the channel.
    pub channel_id: Option<String>,
    /// Raw-body uploads: the file name.
    pub filename: Option<String>,
    /// Raw-body uploads: the client's id for the file.
    pub client_id: Option<String>,
}

fn read_error(detail: impl std::fmt::Display) -> AppError {
    AppError::bad_request(
        "api.file.upload_file.read_request.app_error",
        "Unable to read the uploaded file.",
    )
    .with_detail(detail.to_string())
}

/// Upload files (201): multipart with `channel_id` first, then one or more file parts
/// (optionally a `client_ids` value before each), or a raw body with `?channel_id=&filename=`.
#[utoipa::path(post, path = "/api/v4/files", tag = "files", params(UploadQuery),
    request_body(content = crate::api::docs::schemas::FileUploadForm, content_type = "multipart/form-data",
        description = "`channel_id`, then `files` parts"),
    responses((status = 201, description = "FileUploadResponse", body = UploadResponse),
        (status = 400, description = "Missing or unexpected parts"), (status = 403, description = "Not a channel member"),
        (status = 413, description = "Larger than FileSettings.MaxFileSize")))]
pub async fn upload_files(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Query(query): Query<UploadQuery>,
    request: Request,
) -> Result<Response> {
    let max = state.config().file.max_file_size;
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max) {
        return Err(too_large("", max).into());
    }
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let response = if is_multipart {
        let mut multipart = Multipart::from_request(request, &state)
            .await
            .map_err(read_error)?;
        let uploaded = upload_multipart(&state, &auth, &mut multipart, max).await;
        if uploaded.is_err() {
            drain(&mut multipart).await;
        }
        uploaded?
    } else {
        upload_raw(&state, &auth, query, request, max).await?
    };
    Ok((StatusCode::CREATED, Json(response)).into_response())
}

/// Longest text part (`channel_id`, `client_ids`) we read; the body limit is off for uploads,
/// so text parts are capped here instead of being buffered whole.
const MAX_TEXT_PART: usize = 1024;

async fn small_text(field: &mut axum::extract::multipart::Field<'_>) -> Result<String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(read_error)? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > MAX_TEXT_PART {
            return Err(read_error("a text part is too long").into());
        }
    }
    String::from_utf8(bytes).map_err(|_| read_error("a text part is not UTF-8").into())
}

/// Most of a refused upload's remaining body read and discarded before answering: closing a
/// socket with unread data makes the kernel send a reset, and the client would see "connection
/// reset" instead of the error. Larger remainders are cut off.
const DRAIN_LIMIT: usize = 1024 * 1024;

async fn drain(multipart: &mut Multipart) {
    let mut drained = 0;
    while let Ok(Some(mut field)) = multipart.next_field().await {
        while let Ok(Some(chunk)) = field.chunk().await {
            drained += chunk.len();
            if drained > DRAIN_LIMIT {
                return;
            }
        }
    }
}

async fn upload_multipart(
    state: &AppState,
    auth: &AuthContext,
    multipart: &mut Multipart,
    max: u64,
) -> Result<UploadResponse> {
    let mut channel_id: Option<String> = None;
    let mut client_ids: Vec<String> = Vec::new();
    let mut file_infos: Vec<FileInfo> = Vec::new();
    let mut budget = max;
    while let Some(mut field) = multipart.next_field().await.map_err(read_error)? {
        let name = field.name().unwrap_or("").to_string();
        // Text parts bypass the JSON extractor: the same NUL rule (see `api::extract`).
        reject_nul_in_body(&name, &name)?;
        let Some(file_name) = field.file_name().map(str::to_string) else {
            let value = small_text(&mut field).await?;
            reject_nul_in_body(&name, &value)?;
            match name.as_str() {
                "channel_id" => {
                    if channel_id.as_ref().is_some_and(|c| c != &value) {
                        return Err(AppError::invalid_url_param("channel_id").into());
                    }
                    files::check_upload(state, auth, &value).await?;
                    channel_id = Some(value);
                }
                "client_ids" => client_ids.push(value),
                _ => return Err(AppError::invalid_url_param(&name).into()),
            }
            continue;
        };
        reject_nul_in_body("filename", &file_name)?;
        let Some(channel_id) = channel_id.as_deref() else {
            // Mattermost's streaming path needs the channel before the first file.
            return Err(AppError::invalid_url_param("channel_id").into());
        };
        let mut upload = Upload::start(state, &file_name, budget).await?;
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => upload.write(&chunk, max).await?,
                Ok(None) => break,
                Err(err) => {
                    upload.abort().await;
                    return Err(read_error(err).into());
                }
            }
        }
        budget = budget.saturating_sub(upload.written());
        file_infos.push(upload.finish(state, auth, channel_id).await?);
    }
    if file_infos.is_empty() {
        return Err(AppError::bad_request(
            "api.file.upload_file.incorrect_number_of_files.app_error",
            "Unable to upload files. Incorrect number of files specified.",
        )
        .into());
    }
    if !client_ids.is_empty() && client_ids.len() != file_infos.len() {
        return Err(AppError::bad_request(
            "api.file.upload_file.incorrect_number_of_client_ids.app_error",
            "Unable to upload files. Incorrect number of client_ids.",
        )
        .into());
    }
    Ok(UploadResponse {
        file_infos,
        client_ids,
    })
}

async fn upload_raw(
    state: &AppState,
    auth: &AuthContext,
    query: UploadQuery,
    request: Request,
    max: u64,
) -> Result<UploadResponse> {
    let channel_id = query.channel_id.unwrap_or_default();
    files::check_upload(state, auth, &channel_id).await?;
    let file_name = query
        .filename
        .filter(|f| !f.is_empty())
        .ok_or_else(|| AppError::invalid_url_param("filename"))?;
    let mut upload = Upload::start(state, &file_name, max).await?;
    let mut body = request.into_body().into_data_stream();
    while let Some(chunk) = body.next().await {
        match chunk {
            Ok(chunk) => upload.write(&chunk, max).await?,
            Err(err) => {
                upload.abort().await;
                return Err(read_error(err).into());
            }
        }
    }
    let info = upload.finish(state, auth, &channel_id).await?;
    Ok(UploadResponse {
        file_infos: vec![info],
        client_ids: query.client_id.into_iter().collect(),
    })
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct DownloadQuery {
    /// `1` or `true`: always as an attachment.
    pub download: Option<String>,
}

/// `attachment; filename="..."; filename*=UTF-8''...` with the name made header-safe.
fn disposition(kind: &str, name: &str) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = url::form_urlencoded::byte_serialize(name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    HeaderValue::from_str(&format!(
        "{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// Types a browser would run as a page or script are sent as plain text.
fn served_type(mime: &str) -> &str {
    match mime {
        "text/html" | "text/javascript" | "application/javascript" | "application/xhtml+xml" => {
            "text/plain"
        }
        other => other,
    }
}

/// Streams a stored file with the headers Mattermost sends.
async fn send_file(
    state: &AppState,
    rel: &str,
    content_type: &str,
    disposition_value: HeaderValue,
) -> Result<Response> {
    let path = files::root(state).join(rel);
    let file = tokio::fs::File::open(&path).await.map_err(|err| {
        tracing::warn!(path = %path.display(), error = %err, "stored file missing");
        files::file_not_found()
    })?;
    let length = file.metadata().await.map(|m| m.len()).ok();
    let stream = futures::stream::unfold(file, |mut file| async move {
        use tokio::io::AsyncReadExt;
        let mut buffer = vec![0u8; 64 * 1024];
        match file.read(&mut buffer).await {
            Ok(0) => None,
            Ok(n) => {
                buffer.truncate(n);
                Some((Ok::<_, std::io::Error>(buffer), file))
            }
            Err(err) => Some((Err(err), file)),
        }
    });
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(header::CONTENT_DISPOSITION, disposition_value);
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("Frame-ancestors 'none'"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Some(length) = length {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    Ok((headers, Body::from_stream(stream)).into_response())
}

/// Download a file: inline only for images, audio and video a browser cannot script (unless
/// `?download=1`); HTML, SVG and unknown types always as attachments.
#[utoipa::path(get, path = "/api/v4/files/{file_id}", tag = "files",
    params(("file_id" = String, Path), DownloadQuery),
    responses((status = 200, description = "The file's bytes, with the file's content type (HTML and scripts as text/plain)", content_type = "*/*"), (status = 403, description = "Not a channel member"),
        (status = 404, description = "No such file")))]
pub async fn get_file(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(file_id): Ids<FileId>,
    Query(query): Query<DownloadQuery>,
) -> Result<Response> {
    let info = readable_file(&state, &auth, &file_id).await?;
    let forced = matches!(query.download.as_deref(), Some("1" | "true"));
    send_original(&state, &info, forced).await
}

/// The stored file itself: inline only for types a browser cannot script, unless forced.
async fn send_original(state: &AppState, info: &FileInfo, forced: bool) -> Result<Response> {
    let kind = if files::is_inline_safe(&info.mime_type) && !forced {
        "inline"
    } else {
        "attachment"
    };
    send_file(
        state,
        &info.path,
        served_type(&info.mime_type),
        disposition(kind, &info.name),
    )
    .await
}

/// A file's FileInfo.
#[utoipa::path(get, path = "/api/v4/files/{file_id}/info", tag = "files", params(("file_id" = String, Path)),
    responses((status = 200, description = "FileInfo", body = FileInfo), (status = 404, description = "No such file")))]
pub async fn get_file_info(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(file_id): Ids<FileId>,
) -> Result<Json<FileInfo>> {
    Ok(Json(readable_file(&state, &auth, &file_id).await?))
}

fn jpeg_name(name: &str, suffix: &str) -> String {
    let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name);
    format!("{stem}_{suffix}.jpg")
}

/// An image's JPEG thumbnail.
#[utoipa::path(get, path = "/api/v4/files/{file_id}/thumbnail", tag = "files", params(("file_id" = String, Path)),
    responses((status = 200, description = "JPEG", content_type = "image/jpeg"), (status = 400, description = "No thumbnail")))]
pub async fn get_thumbnail(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(file_id): Ids<FileId>,
) -> Result<Response> {
    let info = readable_file(&state, &auth, &file_id).await?;
    if info.thumbnail_path.is_empty() {
        return Err(AppError::bad_request(
            "api.file.get_file_thumbnail.no_thumbnail.app_error",
            "File doesn't have a thumbnail image.",
        )
        .into());
    }
    let name = jpeg_name(&info.name, "thumb");
    send_file(
        &state,
        &info.thumbnail_path,
        "image/jpeg",
        disposition("inline", &name),
    )
    .await
}

/// An image's JPEG preview (at most 1920 pixels wide).
#[utoipa::path(get, path = "/api/v4/files/{file_id}/preview", tag = "files", params(("file_id" = String, Path)),
    responses((status = 200, description = "JPEG", content_type = "image/jpeg"), (status = 400, description = "No preview")))]
pub async fn get_preview(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(file_id): Ids<FileId>,
) -> Result<Response> {
    let info = readable_file(&state, &auth, &file_id).await?;
    if info.preview_path.is_empty() {
        return Err(AppError::bad_request(
            "api.file.get_file_preview.no_preview.app_error",
            "File doesn't have a preview image.",
        )
        .into());
    }
    let name = jpeg_name(&info.name, "preview");
    send_file(
        &state,
        &info.preview_path,
        "image/jpeg",
        disposition("inline", &name),
    )
    .await
}

/// The FileInfos of a post.
#[utoipa::path(get, path = "/api/v4/posts/{post_id}/files/info", tag = "files", params(("post_id" = String, Path)),
    responses((status = 200, description = "[FileInfo]", body = Vec<FileInfo>), (status = 404, description = "No such post")))]
pub async fn post_file_infos(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(post_id): Ids<PostId>,
) -> Result<Json<Vec<FileInfo>>> {
    Ok(Json(files::files_for_post(&state, &auth, &post_id).await?))
}

/// Where links point: `ServiceSettings.SiteURL`, else the address the request came to.
fn site_url(state: &AppState, headers: &HeaderMap) -> String {
    let configured = state.config().service.site_url.clone();
    if !configured.is_empty() {
        return configured;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if is_https(headers, "") {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FileLink {
    /// `{SiteURL}/files/{file_id}/public?h={hash}`
    pub link: String,
}

/// A public link to a file of a post the caller may read (`FileSettings.EnablePublicLink`).
#[utoipa::path(get, path = "/api/v4/files/{file_id}/link", tag = "files", params(("file_id" = String, Path)),
    responses((status = 200, description = "The link", body = FileLink),
        (status = 400, description = "Malformed id, or the file is not attached to a post"),
        (status = 403, description = "Public links disabled, or the channel is not readable"),
        (status = 404, description = "No such file (or its post was deleted)")))]
pub async fn get_file_link(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(file_id): Ids<FileId>,
    headers: HeaderMap,
) -> Result<Json<FileLink>> {
    let site = site_url(&state, &headers);
    Ok(Json(FileLink {
        link: public_links::link(&state, &auth, &file_id, &site).await?,
    }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct PublicFileQuery {
    /// The link's hash.
    pub h: Option<String>,
}

/// A file through its public link, without a session.
#[utoipa::path(get, path = "/files/{file_id}/public", tag = "files", security(()),
    params(("file_id" = String, Path), PublicFileQuery),
    responses((status = 200, description = "The file's bytes, with the file's content type", content_type = "*/*"),
        (status = 400, description = "Missing or wrong hash"),
        (status = 403, description = "Public links disabled"),
        (status = 404, description = "No such file (or its post was deleted)")))]
pub async fn get_public_file(
    State(state): State<AppState>,
    Ids(file_id): Ids<FileId>,
    Query(query): Query<PublicFileQuery>,
) -> Result<Response> {
    let hash = query.h.unwrap_or_default();
    let info = public_links::public_file(&state, &file_id, &hash).await?;
    send_original(&state, &info, false).await
}

fn search_response(list: FileInfoList) -> Response {
    (
        [(header::CACHE_CONTROL, "no-cache, no-store, must-revalidate")],
        Json(list),
    )
        .into_response()
}

/// Search the names of the files in the caller's channels of a team (and their direct and
/// group messages): words, "phrases", `prefix*`, `-excluded`, `ext:`, `from:`, `in:`,
/// `before:`, `after:`, `on:`.
#[utoipa::path(post, path = "/api/v4/teams/{team_id}/files/search", tag = "files",
    params(("team_id" = String, Path)), request_body = FileSearchRequest,
    responses((status = 200, description = "FileInfoList", body = FileInfoList),
        (status = 400, description = "No terms, or a bad modifier"), (status = 403, description = "Not a team member"),
        (status = 501, description = "ServiceSettings.EnableFileSearch is off")))]
pub async fn search_team_files(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team_id): Ids<TeamId>,
    JsonBody(request): JsonBody<FileSearchRequest>,
) -> Result<Response> {
    Ok(search_response(
        file_search::search_files(&state, &auth, Some(&team_id), request).await?,
    ))
}

/// Search the names of the files in every channel the caller belongs to, in all teams.
#[utoipa::path(post, path = "/api/v4/files/search", tag = "files", request_body = FileSearchRequest,
    responses((status = 200, description = "FileInfoList", body = FileInfoList),
        (status = 400, description = "No terms, or a bad modifier"),
        (status = 501, description = "ServiceSettings.EnableFileSearch is off")))]
pub async fn search_all_files(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(request): JsonBody<FileSearchRequest>,
) -> Result<Response> {
    Ok(search_response(
        file_search::search_files(&state, &auth, None, request).await?,
    ))
}
