//! Extractors whose rejections are Mattermost errors, never axum's plain-text bodies.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use townsquare_sdk::AppError;

use crate::error::Error;
pub use crate::serde_util::nullable;

/// A JSON request body. Unknown fields are ignored (serde's default). `Content-Type` is not
/// checked: Mattermost decodes the body as JSON whatever it says, and scripts rely on that
/// (`curl -d '{...}'` sends `application/x-www-form-urlencoded`).
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Error::from(body_too_large())
            } else {
                Error::from(AppError::invalid_body_param("body").with_detail(rejection.body_text()))
            }
        })?;
        parse_json(&bytes).map(Json)
    }
}

/// Parses a JSON body with a 400 that says what was wrong.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(bytes).map_err(|err| {
        AppError::new(
            400,
            "api.context.invalid_body_param.app_error",
            format!("Invalid or missing parameter in request body: {err}."),
        )
        .into()
    })
}

pub fn body_too_large() -> AppError {
    AppError::new(
        413,
        "api.context.request_body_too_large.app_error",
        "The request body is too large.",
    )
}

/// Query parameters; a malformed query is a 400 naming the problem.
pub struct Query<T>(pub T);

impl<S, T> FromRequestParts<S> for Query<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|rejection| {
                AppError::new(
                    400,
                    "api.context.invalid_url_param.app_error",
                    format!(
                        "Invalid or missing parameter in request URL: {}.",
                        rejection.body_text()
                    ),
                )
                .into()
            })
    }
}

/// Path parameters; a malformed value is Mattermost's 400 `invalid_url_param`.
pub struct Path<T>(pub T);

impl<S, T> FromRequestParts<S> for Path<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(|rejection| {
                AppError::invalid_url_param("path")
                    .with_detail(rejection.body_text())
                    .into()
            })
    }
}

/// Lenient boolean query flag: `true`/`1` is true, anything else false.
pub fn flag(value: &Option<String>) -> bool {
    matches!(
        value.as_deref().map(str::to_ascii_lowercase).as_deref(),
        Some("true" | "1")
    )
}
