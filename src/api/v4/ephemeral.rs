//! `POST /api/v4/posts/ephemeral`: a post shown to one user over the WebSocket, never stored
//! (bots and integrations answer with these).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::auth::Auth;
use crate::api::extract::{nullable, Json as JsonBody};
use crate::app::posts::ephemeral;
use crate::error::Result;
use crate::state::AppState;

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
    responses((status = 201, description = "The post as sent", body = townsquare_sdk::model::Post),
        (status = 400, description = "Invalid user_id, channel_id or message"),
        (status = 403, description = "Missing create_post_ephemeral")))]
pub async fn create_ephemeral(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(body): JsonBody<EphemeralBody>,
) -> Result<Response> {
    let post = ephemeral::send(
        &state,
        &auth,
        &body.user_id,
        ephemeral::EphemeralPost {
            channel_id: body.post.channel_id,
            message: body.post.message,
            root_id: body.post.root_id,
            props: body.post.props,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(post)).into_response())
}
