//! `/reactions`: emoji reactions on posts.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use serde_json::Value;
use townsquare_sdk::model::Reaction;
use townsquare_sdk::AppError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::status_ok;
use crate::api::auth::Auth;
use crate::api::docs::schemas as doc;
use crate::api::extract::{Json as JsonBody, Path};
use crate::api::ids::{Ids, PostId, UserIdOrMe};
use crate::app::reactions::{self, NewReaction, MAX_BULK_POST_IDS};
use crate::error::Result;
use crate::id::parse_id;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(save_reaction))
        .routes(routes!(delete_reaction))
        .routes(routes!(post_reactions))
        .routes(routes!(bulk_reactions))
}

/// React to a post as yourself (200). Saving the same reaction twice returns it unchanged.
#[utoipa::path(post, path = "/api/v4/reactions", tag = "reactions", request_body = NewReaction,
    responses((status = 200, description = "The reaction", body = Reaction),
              (status = 400, description = "Invalid emoji name or ids"),
              (status = 403, description = "Another user's reaction, no access, or archived channel"),
              (status = 404, description = "No such post")))]
pub async fn save_reaction(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(input): JsonBody<NewReaction>,
) -> Result<Json<Reaction>> {
    Ok(Json(reactions::save_reaction(&state, &auth, input).await?))
}

/// Remove a reaction (your own; system admins anyone's).
#[utoipa::path(delete, path = "/api/v4/users/{user_id}/posts/{post_id}/reactions/{emoji_name}", tag = "reactions",
    params(("user_id" = String, Path), ("post_id" = String, Path), ("emoji_name" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk), (status = 403, description = "Not allowed"),
              (status = 404, description = "No such post")))]
pub async fn delete_reaction(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, post_id)): Ids<(UserIdOrMe, PostId)>,
    Path((_user_id, _post_id, emoji_name)): Path<(String, String, String)>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    reactions::delete_reaction(&state, &auth, &user_id, &post_id, &emoji_name).await?;
    Ok(status_ok())
}

/// The reactions of a post, oldest first (`[]` when none).
#[utoipa::path(get, path = "/api/v4/posts/{post_id}/reactions", tag = "reactions",
    params(("post_id" = String, Path)),
    responses((status = 200, description = "Reactions", body = Vec<Reaction>), (status = 403, description = "No access"),
              (status = 404, description = "No such post")))]
pub async fn post_reactions(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(post_id): Ids<PostId>,
) -> Result<Json<Vec<Reaction>>> {
    Ok(Json(
        reactions::reactions_for_post(&state, &auth, &post_id).await?,
    ))
}

/// Reactions of several posts: `{post_id: [Reaction]}` for the posts the caller may read.
#[utoipa::path(post, path = "/api/v4/posts/ids/reactions", tag = "reactions", request_body = Vec<String>,
    responses((status = 200, description = "Reactions by post id", body = doc::ReactionsByPost)))]
pub async fn bulk_reactions(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(ids): JsonBody<Vec<String>>,
) -> Result<Json<BTreeMap<String, Vec<Reaction>>>> {
    if ids.len() > MAX_BULK_POST_IDS {
        return Err(AppError::invalid_body_param("post_ids").into());
    }
    for id in &ids {
        parse_id(id, "post_ids").map_err(|_| AppError::invalid_body_param("post_ids"))?;
    }
    Ok(Json(reactions::bulk_reactions(&state, &auth, &ids).await?))
}
