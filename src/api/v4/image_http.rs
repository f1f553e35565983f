//! HTTP shared by profile pictures and team icons: reading the multipart `image` part under
//! `FileSettings.MaxFileSize`, and answering image GETs with `Cache-Control`, `ETag` and 304.

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use townsquare_sdk::AppError;

use crate::error::Result;
use crate::state::AppState;

/// The errors an upload answers with (profile pictures and team icons differ).
pub struct UploadErrors {
    pub too_large: fn() -> AppError,
    pub parse: fn() -> AppError,
    pub no_file: fn() -> AppError,
}

/// Most of a refused upload's remaining body read and discarded, so the client gets the error
/// rather than a connection reset (as `files` does); larger remainders are cut off.
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

/// Reads and drops (most of) a refused request's body: Mattermost always drains it, and a
/// client still sending would otherwise see a reset instead of the error.
pub async fn discard(request: Request) {
    let mut body = request.into_body().into_data_stream();
    let mut drained = 0;
    while let Some(Ok(chunk)) = body.next().await {
        drained += chunk.len();
        if drained > DRAIN_LIMIT {
            return;
        }
    }
}

/// The first file part named `image` (Mattermost's `m.File["image"][0]`). Every part counts
/// against `FileSettings.MaxFileSize`; other parts are read and dropped.
pub async fn image_part(
    state: &AppState,
    request: Request,
    errors: &UploadErrors,
) -> Result<Vec<u8>> {
    let max = state.config().file.max_file_size;
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max) {
        discard(request).await;
        return Err((errors.too_large)().into());
    }
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|err| (errors.parse)().with_detail(err.body_text()))?;
    let read = read_image(&mut multipart, max, errors).await;
    if read.is_err() {
        drain(&mut multipart).await;
    }
    read
}

async fn read_image(multipart: &mut Multipart, max: u64, errors: &UploadErrors) -> Result<Vec<u8>> {
    let parse = |err: axum::extract::multipart::MultipartError| {
        (errors.parse)().with_detail(err.body_text())
    };
    let mut image: Option<Vec<u8>> = None;
    let mut total: u64 = 0;
    while let Some(mut field) = multipart.next_field().await.map_err(parse)? {
        let wanted =
            image.is_none() && field.name() == Some("image") && field.file_name().is_some();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(parse)? {
            total += chunk.len() as u64;
            if total > max {
                return Err((errors.too_large)().into());
            }
            if wanted {
                bytes.extend_from_slice(&chunk);
            }
        }
        if wanted {
            image = Some(bytes);
        }
    }
    image.ok_or_else(|| (errors.no_file)().into())
}

/// Whether `If-None-Match` names `etag` (quoted or not, weak or not, or `*`).
pub fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim())
        .map(|tag| tag.strip_prefix("W/").unwrap_or(tag))
        .map(|tag| tag.trim_matches('"'))
        .any(|tag| tag == etag || tag == "*")
}

fn etag_header(etag: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(etag).ok()
}

/// 304 with the ETag (Mattermost's `HandleEtag`).
pub fn not_modified(etag: &str) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    if let Some(value) = etag_header(etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// A PNG with Mattermost's `Cache-Control: max-age=N, private` and the ETag (Mattermost's
/// header value, unquoted).
pub fn png(bytes: Vec<u8>, etag: Option<&str>, max_age_secs: u32) -> Response {
    let mut response = (
        [
            (header::CONTENT_TYPE, "image/png".to_string()),
            (
                header::CACHE_CONTROL,
                format!("max-age={max_age_secs}, private"),
            ),
        ],
        bytes,
    )
        .into_response();
    if let Some(value) = etag.and_then(etag_header) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn if_none_match_forms() {
        assert!(etag_matches(&with("1712"), "1712"));
        assert!(etag_matches(&with("\"1712\""), "1712"));
        assert!(etag_matches(&with("W/\"1712\""), "1712"));
        assert!(etag_matches(&with("\"9\", \"1712\""), "1712"));
        assert!(etag_matches(&with("*"), "1712"));
        assert!(!etag_matches(&with("17120"), "1712"));
        assert!(!etag_matches(&HeaderMap::new(), "1712"));
    }
}
