//! The core error type and its rendering as Mattermost's error body.
//!
//! Handlers return [`Error`]; its `IntoResponse` only stores the [`AppError`] in the response
//! extensions. The request middleware then renders every error the same way, with the request
//! id, whether it came from a handler, an extractor or axum itself.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use townsquare_sdk::AppError;

use crate::store::StoreError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An application error on its way to the client.
#[derive(Debug)]
pub struct Error(pub Box<AppError>);

impl Error {
    pub fn app(&self) -> &AppError {
        &self.0
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Error {}

impl From<AppError> for Error {
    fn from(err: AppError) -> Self {
        Error(Box::new(err))
    }
}

impl From<StoreError> for Error {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(cause) => AppError::database_unavailable(cause).into(),
            other => AppError::internal(other).into(),
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        StoreError::from(err).into()
    }
}

/// Marker stored in response extensions; rendered by `api::middleware`.
#[derive(Clone, Debug)]
pub struct PendingError(pub AppError);

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status_code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = status.into_response();
        response.extensions_mut().insert(PendingError(*self.0));
        response
    }
}
