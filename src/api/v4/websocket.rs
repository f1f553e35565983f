//! `GET /api/v4/websocket`: the entry point. Admission, origin and authentication (at the
//! upgrade or by challenge) are decided here, and client actions are answered through
//! `websocket_actions`; the socket's delivery loop is `realtime::socket`, which calls back
//! through [`SocketHandler`].

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use townsquare_sdk::AppError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use std::time::Duration;

use super::websocket_actions;
use crate::api::auth::presented_token;
use crate::app::auth::{authenticate_socket, AuthContext};
use crate::error::Error;
use crate::realtime::actions::Request;
use crate::realtime::socket::{self, ResumeRequest, SocketHandler, SocketSession, Timing};
use crate::state::AppState;

/// Seconds a refused client is asked to wait before reconnecting.
const RETRY_AFTER_SECONDS: &str = "5";
/// tungstenite's read buffer; small, since inbound messages are small and rare.
const READ_BUFFER_BYTES: usize = 4 * 1024;
/// Frames are written out as they come (then flushed per batch), never held back.
const WRITE_BUFFER_BYTES: usize = 0;
/// Outbound data buffered for one peer before writes fail.
const MAX_WRITE_BUFFER_BYTES: usize = 1024 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(connect))
        // Mattermost accepts the trailing slash too.
        .route("/api/v4/websocket/", get(connect))
}

/// Open the real-time event stream (RFC 6455 upgrade), as Mattermost's.
///
/// Authenticate with the `MMAUTHTOKEN` cookie or `Authorization` header at upgrade, or send
/// `{"seq":1,"action":"authentication_challenge","data":{"token":"..."}}` within a few
/// seconds. Events are `{"event","data","broadcast","seq"}`; replies to actions are
/// `{"status","seq_reply","data"|"error"}`. Reconnect with `connection_id` and
/// `sequence_number` to have missed events replayed.
#[utoipa::path(get, path = "/api/v4/websocket", tag = "websocket",
    security((), ("bearer" = [])),
    params(
        ("connection_id" = Option<String>, Query, description = "The connection to resume (from `hello`)"),
        ("sequence_number" = Option<u64>, Query, description = "The next event seq the client expects"),
    ),
    responses(
        (status = 101, description = "Switching protocols: the event stream"),
        (status = 400, description = "Not a WebSocket upgrade"),
        (status = 403, description = "Origin not allowed"),
        (status = 503, description = "Too many connections being set up; retry after `Retry-After` seconds"),
    ))]
pub async fn connect(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let Ok(upgrade) = upgrade else {
        return Error::from(AppError::bad_request(
            "api.web_socket.connect.upgrade.app_error",
            "A WebSocket upgrade is required.",
        ))
        .into_response();
    };
    if !origin_allowed(&headers, &state.config().service.site_url) {
        return Error::from(AppError::forbidden("api.web_socket.connect.origin")).into_response();
    }
    let Ok(permit) = state.realtime.admission.clone().try_acquire_owned() else {
        state
            .realtime
            .metrics
            .upgrades_refused
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut response = Error::from(AppError::new(
            503,
            "api.web_socket.connect.busy.app_error",
            "The server is setting up too many connections; retry shortly.",
        ))
        .into_response();
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECONDS),
        );
        return response;
    };
    // A bad token at upgrade leaves the socket unauthenticated, as in Mattermost: the client
    // may still answer with the challenge.
    let auth = match presented_token(&headers) {
        Some((token, _)) => match authenticate_socket(&state, &token).await {
            Ok(auth) => auth.map(socket_session),
            Err(err) => return err.into_response(),
        },
        None => None,
    };
    let resume = resume_request(query.as_deref().unwrap_or(""));
    let max_message = (state.config().websocket.max_message_size_kb.max(1) as usize) * 1024;
    let timing = timing(&state);
    let hub = state.realtime.clone();
    upgrade
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .max_write_buffer_size(MAX_WRITE_BUFFER_BYTES)
        .max_message_size(max_message)
        .max_frame_size(max_message)
        .on_upgrade(move |ws| socket::run(Handler(state), hub, timing, ws, auth, resume, permit))
}

fn timing(state: &AppState) -> Timing {
    let ws = &state.config().websocket;
    Timing {
        ping: Duration::from_secs(ws.ping_interval_seconds.max(1)),
        read: Duration::from_secs(ws.read_timeout_seconds.max(1)),
        write: Duration::from_secs(ws.write_timeout_seconds.max(1)),
        auth: Duration::from_secs(ws.auth_timeout_seconds.max(1)),
        resume_window: Duration::from_secs(ws.resume_window_seconds),
        queue: ws.send_queue_size.clamp(1, 1 << 20) as usize,
    }
}

/// Only what delivery needs of a session; the rest is dropped with the upgrade.
fn socket_session(auth: AuthContext) -> SocketSession {
    SocketSession {
        user_id: auth.user.id,
        session_id: auth.session.id,
        expires_at: auth.session.expires_at,
    }
}

/// The API side of a socket: authentication by challenge, presence and client actions.
struct Handler(AppState);

impl SocketHandler for Handler {
    async fn authenticate(&self, token: &str) -> crate::Result<Option<SocketSession>> {
        Ok(authenticate_socket(&self.0, token)
            .await?
            .map(socket_session))
    }

    async fn connected(&self, user_id: &str) {
        // A connected client is present, as in Mattermost; a failed write never fails the
        // socket.
        if let Err(err) =
            crate::app::statuses::record_activity(&self.0, user_id, crate::time::now_ms()).await
        {
            tracing::warn!(error = %err, "recording activity failed");
        }
    }

    async fn action(&self, user_id: &str, request: &Request) -> String {
        websocket_actions::handle(&self.0, user_id, request).await
    }

    fn server_version(&self) -> String {
        self.0.version_id()
    }
}

fn resume_request(query: &str) -> ResumeRequest {
    let mut resume = ResumeRequest::default();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "connection_id" => resume.connection_id = value.into_owned(),
            "sequence_number" => resume.sequence_number = value.parse().ok(),
            _ => {}
        }
    }
    resume
}

/// Browsers send `Origin`; it must name this host (or the site URL). Other clients send none.
fn origin_allowed(headers: &HeaderMap, site_url: &str) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let Ok(origin) = url::Url::parse(origin) else {
        return false;
    };
    let origin_host = match (origin.host_str(), origin.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_string(),
        (None, _) => return false,
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if origin_host.eq_ignore_ascii_case(host) {
        return true;
    }
    url::Url::parse(site_url)
        .ok()
        .is_some_and(|site| site.origin() == origin.origin())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resume_parameters() {
        let r = resume_request("connection_id=abc&sequence_number=7&posted_ack=true");
        assert_eq!(r.connection_id, "abc");
        assert_eq!(r.sequence_number, Some(7));
        assert_eq!(resume_request("sequence_number=x").sequence_number, None);
    }

    #[test]
    fn origin_must_match_host_or_site() {
        let mut h = HeaderMap::new();
        assert!(origin_allowed(&h, ""));
        h.insert(
            header::HOST,
            HeaderValue::from_static("chat.example.com:8065"),
        );
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://chat.example.com:8065"),
        );
        assert!(origin_allowed(&h, ""));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!origin_allowed(&h, ""));
        assert!(origin_allowed(&h, "https://evil.example"));
    }
}
