//! Client requests on an authenticated socket (`{"seq","action","data"}`) and their replies
//! (`{"status","seq_reply","data"|"error"}`, no `event` key).

use serde::Deserialize;
use serde_json::{json, Map, Value};
use townsquare_sdk::AppError;

use super::event::{Broadcast, Event};
use crate::id::is_valid_id;
use crate::state::AppState;

/// Most ids one `get_statuses_by_ids` may ask for.
const MAX_STATUS_IDS: usize = 1_000;

/// An inbound request. Unknown fields are ignored; wrong types make it unreadable.
#[derive(Debug, Deserialize)]
pub struct Request {
    #[serde(default)]
    pub seq: i64,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub data: Map<String, Value>,
}

pub fn ok(seq: i64, data: Option<Value>) -> String {
    let mut reply = json!({"status": "OK", "seq_reply": seq});
    if let Some(data) = data {
        reply["data"] = data;
    }
    reply.to_string()
}

pub fn fail(seq: i64, error: &AppError) -> String {
    json!({
        "status": "FAIL",
        "seq_reply": seq,
        "error": {
            "id": error.id,
            "message": error.message,
            "detailed_error": "",
            "status_code": error.status_code,
        }
    })
    .to_string()
}

pub fn not_authenticated() -> AppError {
    AppError::new(
        401,
        "api.web_socket_router.not_authenticated.app_error",
        "The connection is not authenticated.",
    )
}

/// Checks the envelope common to every action.
pub fn validate(request: &Request) -> Result<(), AppError> {
    if request.action.is_empty() {
        return Err(AppError::bad_request(
            "api.web_socket_router.no_action.app_error",
            "No websocket action.",
        ));
    }
    if request.seq <= 0 {
        return Err(AppError::bad_request(
            "api.web_socket_router.bad_seq.app_error",
            "Invalid sequence for websocket message.",
        ));
    }
    Ok(())
}

fn invalid_param(name: &str) -> AppError {
    AppError::bad_request(
        "api.websocket_handler.invalid_param.app_error",
        format!("Invalid {name} parameter."),
    )
}

/// Handles one action of an authenticated user; returns the reply text.
pub async fn handle(state: &AppState, user_id: &str, request: &Request) -> String {
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
        "get_statuses" => {
            let ids = state.realtime.online_user_ids();
            statuses(state, &ids).await.map(Some)
        }
        "get_statuses_by_ids" => {
            let ids = string_ids(request.data.get("user_ids"))
                .filter(|ids| !ids.is_empty() && ids.len() <= MAX_STATUS_IDS)
                .ok_or_else(|| invalid_param("user_ids"))?;
            statuses(state, &ids).await.map(Some)
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

/// `typing` goes to the channel's other members; only members may send it.
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
    let member = state
        .store
        .channel_member(channel_id, user_id)
        .await
        .map_err(|err| *crate::error::Error::from(err).0)?;
    if member.is_none() {
        return Err(AppError::forbidden("read_channel"));
    }
    state.realtime.publish(
        Event::new("typing", Broadcast::channel(channel_id).omit(user_id))
            .with("user_id", user_id)
            .with("parent_id", parent_id),
    );
    Ok(())
}

async fn statuses(state: &AppState, ids: &[String]) -> Result<Value, AppError> {
    let statuses = crate::app::statuses::statuses_by_ids(state, ids)
        .await
        .map_err(|err| *err.0)?;
    Ok(Value::Object(
        statuses
            .into_iter()
            .map(|s| (s.user_id, Value::String(s.status)))
            .collect(),
    ))
}
