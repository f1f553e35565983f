//! The envelope of client requests on a socket (`{"seq","action","data"}`) and of their
//! replies (`{"status","seq_reply","data"|"error"}`, no `event` key). What each action does
//! is decided on the API side (`api::v4::websocket_actions`).

use serde::Deserialize;
use serde_json::{json, Map, Value};
use townsquare_sdk::AppError;

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
