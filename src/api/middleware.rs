//! The request pipeline shared by every route: request id, tracing span, standard headers,
//! and the one place where errors become Mattermost's JSON error body.

use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use townsquare_sdk::AppError;
use tracing::Instrument;

use crate::error::PendingError;
use crate::id::new_id;
use crate::state::AppState;

/// The id of the current request, available to handlers as an extension.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

#[derive(Serialize)]
struct ErrorBody<'a> {
    id: &'a str,
    message: &'a str,
    detailed_error: &'a str,
    request_id: &'a str,
    status_code: u16,
}

pub async fn request_context(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let request_id = new_id();
    request
        .extensions_mut()
        .insert(RequestId(request_id.clone()));
    let method = request.method().clone();
    // The path only: query strings may carry tokens.
    let span = tracing::info_span!("request", request_id = %request_id, method = %method, path = %request.uri().path());
    let started = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;

    let pending = response.extensions_mut().remove::<PendingError>();
    let error = match pending {
        Some(PendingError(error)) => Some(error),
        None => bare_error(&response),
    };
    if let Some(error) = error {
        let _entered = span.enter();
        response = render_error(
            error,
            &request_id,
            state.config().service.enable_developer,
            response,
        );
    }

    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert("x-request-id", value);
    }
    if let Ok(value) = HeaderValue::from_str(&state.version_id()) {
        headers.insert("x-version-id", value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert("permissions-policy", HeaderValue::from_static(""));
    // Responses that state their own caching (the web client's assets) keep it.
    if method == Method::GET
        && !headers.contains_key(header::EXPIRES)
        && !headers.contains_key(header::CACHE_CONTROL)
    {
        headers.insert(header::EXPIRES, HeaderValue::from_static("0"));
    }
    let status = response.status();
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| {
        if status.is_server_error() && status != StatusCode::NOT_IMPLEMENTED {
            tracing::warn!(status = status.as_u16(), elapsed_ms, "request failed");
        } else {
            tracing::debug!(status = status.as_u16(), elapsed_ms, "request");
        }
    });
    response
}

/// An error response produced below our handlers (axum routing, body limits, timeouts) that
/// has no JSON body yet.
fn bare_error(response: &Response) -> Option<AppError> {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return None;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.as_bytes().starts_with(b"application/json"))
        .unwrap_or(false);
    if is_json {
        return None;
    }
    Some(match status {
        StatusCode::NOT_FOUND => AppError::route_not_found(),
        // axum's own 405 carries the `Allow` header; only the body is ours.
        StatusCode::METHOD_NOT_ALLOWED => AppError::new(
            405,
            "api.context.405.app_error",
            "The method is not allowed on this resource.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => crate::api::extract::body_too_large(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::new(
            415,
            "api.context.unsupported_media_type.app_error",
            "Send the request body as JSON with Content-Type: application/json.",
        ),
        StatusCode::REQUEST_TIMEOUT => AppError::new(
            408,
            "api.context.request_timeout.app_error",
            "The request timed out.",
        ),
        s if s.is_client_error() => AppError::new(
            s.as_u16(),
            "api.context.bad_request.app_error",
            "The request was malformed.",
        ),
        s => AppError::new(
            s.as_u16(),
            "api.context.internal.app_error",
            "An internal error occurred.",
        )
        .with_internal(format!("bare {s} response")),
    })
}

fn render_error(
    error: AppError,
    request_id: &str,
    developer: bool,
    original: Response,
) -> Response {
    let status =
        StatusCode::from_u16(error.status_code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status == StatusCode::NOT_IMPLEMENTED {
        // Not in this build (e.g. licenses on Team Edition): an answer by design, not a fault.
        tracing::info!(error_id = %error.id, "{}", error.message);
    } else if status.is_server_error() {
        tracing::error!(error_id = %error.id, cause = error.internal.as_deref().unwrap_or(""), "{}", error.message);
    } else {
        tracing::debug!(error_id = %error.id, "{}", error.message);
    }
    let detailed = if developer {
        error.detailed_error.as_str()
    } else {
        ""
    };
    let body = ErrorBody {
        id: &error.id,
        message: &error.message,
        detailed_error: detailed,
        request_id,
        status_code: error.status_code,
    };
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let (mut parts, _) = original.into_parts();
    parts.status = status;
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}

/// Turns a handler panic into a logged 500 that leaks nothing.
pub fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    crate::error::Error::from(AppError::internal("handler panicked")).into_response()
}

/// Collapses duplicate slashes before routing (`/posts/x//reactions` from some drivers).
pub fn collapse_slashes<B>(mut request: axum::http::Request<B>) -> axum::http::Request<B> {
    let path = request.uri().path();
    if path.contains("//") {
        let mut collapsed = String::with_capacity(path.len());
        for ch in path.chars() {
            if !(ch == '/' && collapsed.ends_with('/')) {
                collapsed.push(ch);
            }
        }
        let rebuilt = match request.uri().query() {
            Some(q) => format!("{collapsed}?{q}"),
            None => collapsed,
        };
        if let Ok(uri) = rebuilt.parse() {
            *request.uri_mut() = uri;
        }
    }
    request
}
