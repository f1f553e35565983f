//! `POST /api/v4/posts/ephemeral`: a post shown to one user over the WebSocket, never stored
//! (bots and integrations answer with these).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use townsquare_sdk::model::Post;
use townsquare_sdk::AppError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::auth::Auth;
use crate::api::extract::{nullable, Json as JsonBody};
use crate::app::permissions::Permission;
use crate::error::Result;
use crate::id::{is_valid_id, new_id};
use crate::realtime::events;
use crate::state::AppState;
use crate::time::now_ms;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_ephemeral))
}

#[derive(Debug, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EphemeralBody {
    #[serde(deserialize_with = "nullable")]
    pub user_id: String,
    pub post: EphemeralPost,
}

#[derive(Debug, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EphemeralPost {
    #[serde(deserialize_with = "nullable")]
    pub channel_id: String,
    #[serde(deserialize_with = "nullable")]
    pub message: String,
    #[serde(deserialize_with = "nullable")]
    pub root_id: String,
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Object)]
    pub props: serde_json::Map<String, Value>,
}

/// Send an ephemeral post to one user (201). Needs `create_post_ephemeral`, which by
/// default only system admins hold.
#[utoipa::path(post, path = "/api/v4/posts/ephemeral", tag = "posts", request_body = EphemeralBody,
    responses((status = 201, description = "The post as sent", body = Value),
        (status = 400, description = "Invalid user_id, channel_id or message"),
        (status = 403, description = "Missing create_post_ephemeral")))]
pub async fn create_ephemeral(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(body): JsonBody<EphemeralBody>,
) -> Result<Response> {
    if !auth.can(Permission::ManageSystem) {
        return Err(AppError::forbidden("create_post_ephemeral").into());
    }
    if !is_valid_id(&body.user_id) {
        return Err(AppError::invalid_body_param("user_id").into());
    }
    if !is_valid_id(&body.post.channel_id) {
        return Err(AppError::invalid_body_param("post.channel_id").into());
    }
    if !body.post.root_id.is_empty() && !is_valid_id(&body.post.root_id) {
        return Err(AppError::invalid_body_param("post.root_id").into());
    }
    let runes = body.post.message.chars().count();
    if runes == 0 || runes > crate::app::posts::MAX_MESSAGE_RUNES {
        return Err(AppError::invalid_body_param("post.message").into());
    }
    if state.store.user(&body.user_id).await?.is_none() {
        return Err(AppError::invalid_body_param("user_id").into());
    }
    let now = now_ms();
    let post = Post {
        id: new_id(),
        create_at: now,
        update_at: now,
        user_id: auth.user_id().to_string(),
        channel_id: body.post.channel_id,
        root_id: body.post.root_id,
        message: body.post.message,
        post_type: "system_ephemeral".into(),
        props: body.post.props,
        ..Default::default()
    };
    let mut event = events::ephemeral_message(&body.user_id, &post);
    event.broadcast.channel_id = post.channel_id.clone();
    state.realtime.publish(event);
    Ok((StatusCode::CREATED, Json(post)).into_response())
}
