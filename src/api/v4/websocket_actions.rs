//! Client actions on an authenticated WebSocket (`ping`, `user_typing`, `get_statuses`, ...):
//! the request's data is checked here and the work is `app::socket_actions`.

use serde_json::{json, Map, Value};
use townsquare_sdk::model::Status;
use townsquare_sdk::AppError;

use crate::app::socket_actions;
use crate::id::is_valid_id;
use crate::realtime::actions::{fail, ok, Request};
use crate::state::AppState;

/// Most ids one `get_statuses_by_ids` may ask for.
const MAX_STATUS_IDS: usize = 1_000;

fn invalid_param(name: &str) -> AppError {
    AppError::bad_request(
        "api.websocket_handler.invalid_param.app_error",
        format!("Invalid {name} parameter."),
    )
}

/// Handles one action of an authenticated user; returns the reply text.
pub async fn handle(state: &AppState, user_id: &str, request: &Request) -> String {
    // The HTTP extractors' NUL rule (see `api::extract`), for every action at once.
    if let Some(name) = nul_param(&request.data) {
        return fail(request.seq, &invalid_param(&name));
    }
    match run(state, user_id, request).await {
        Ok(data) => ok(request.seq, data),
        Err(error) => fail(request.seq, &error),
    }
}

async fn run(
    state: &AppState,
    user_id: &str,
    request: &Request,
) -> Result<Option<Value>, AppError> {
    match request.action.as_str() {
        "ping" => Ok(Some(json!({
            "text": "pong",
            "version": crate::build_info::COMPATIBLE_MATTERMOST_VERSION,
            "server_time": crate::time::now_ms(),
            "node_id": "",
        }))),
        "user_typing" => user_typing(state, user_id, &request.data)
            .await
            .map(|()| None),
        "get_statuses" => status_map(socket_actions::online_statuses(state).await).map(Some),
        "get_statuses_by_ids" => {
            let ids = string_ids(request.data.get("user_ids"))
                .filter(|ids| !ids.is_empty() && ids.len() <= MAX_STATUS_IDS)
                .ok_or_else(|| invalid_param("user_ids"))?;
            status_map(socket_actions::statuses(state, &ids).await).map(Some)
        }
        // Accepted so official clients are not refused; Townsquare derives presence from
        // requests and sockets instead.
        "presence" | "user_update_active_status" | "posted_notify_ack" => Ok(None),
        _ => Err(AppError::new(
            500,
            "api.web_socket_router.bad_action.app_error",
            "Unknown websocket action.",
        )),
    }
}

/// The first top-level parameter whose key or text (at any depth) holds NUL.
fn nul_param(data: &Map<String, Value>) -> Option<String> {
    fn has_nul(value: &Value) -> bool {
        match value {
            Value::String(s) => s.contains('\0'),
            Value::Array(items) => items.iter().any(has_nul),
            Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
            _ => false,
        }
    }
    data.iter()
        .find(|(key, value)| key.contains('\0') || has_nul(value))
        .map(|(key, _)| key.replace('\0', ""))
}

fn string_ids(value: Option<&Value>) -> Option<Vec<String>> {
    value?
        .as_array()?
        .iter()
        .map(|v| v.as_str().filter(|s| is_valid_id(s)).map(str::to_string))
        .collect()
}

fn str_field<'a>(data: &'a Map<String, Value>, key: &str) -> &'a str {
    data.get(key).and_then(Value::as_str).unwrap_or("")
}

async fn user_typing(
    state: &AppState,
    user_id: &str,
    data: &Map<String, Value>,
) -> Result<(), AppError> {
    let channel_id = str_field(data, "channel_id");
    let parent_id = str_field(data, "parent_id");
    if !is_valid_id(channel_id) {
        return Err(invalid_param("channel_id"));
    }
    if !parent_id.is_empty() && !is_valid_id(parent_id) {
        return Err(invalid_param("parent_id"));
    }
    socket_actions::user_typing(state, user_id, channel_id, parent_id)
        .await
        .map_err(|err| *err.0)
}

fn status_map(statuses: crate::Result<Vec<Status>>) -> Result<Value, AppError> {
    let statuses = statuses.map_err(|err| *err.0)?;
    Ok(Value::Object(
        statuses
            .into_iter()
            .map(|s| (s.user_id, Value::String(s.status)))
            .collect(),
    ))
}
