//! Personal access tokens (`/users/{id}/tokens`, `/users/tokens/...`).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use townsquare_sdk::model::UserAccessToken;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{status_ok, Pagination};
use crate::api::auth::Auth;
use crate::api::docs::schemas as doc;
use crate::api::extract::{nullable, Json as JsonBody, Query};
use crate::api::ids::{Ids, TokenId, UserIdOrMe};
use crate::app::tokens;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_token, list_user_tokens))
        .routes(routes!(list_all_tokens))
        .routes(routes!(get_token))
        .routes(routes!(revoke_token))
        .routes(routes!(disable_token))
        .routes(routes!(enable_token))
        .routes(routes!(search_tokens))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateTokenBody {
    #[serde(default, deserialize_with = "nullable")]
    pub description: String,
}

/// Create a personal access token. The token itself is only ever shown in this response.
#[utoipa::path(post, path = "/api/v4/users/{user_id}/tokens", tag = "tokens", request_body = CreateTokenBody,
    params(("user_id" = String, Path)),
    responses((status = 200, description = "The token, with its secret", body = UserAccessToken),
              (status = 501, description = "Personal access tokens are disabled")))]
pub async fn create_token(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
    JsonBody(body): JsonBody<CreateTokenBody>,
) -> Result<Json<UserAccessToken>> {
    tokens::require_enabled(&state)?;
    let user_id = user.resolve(&auth);
    Ok(Json(
        tokens::create(&state, &auth, &user_id, &body.description).await?,
    ))
}

/// A user's tokens (without secrets).
#[utoipa::path(get, path = "/api/v4/users/{user_id}/tokens", tag = "tokens",
    params(("user_id" = String, Path), Pagination),
    responses((status = 200, description = "Tokens", body = Vec<UserAccessToken>)))]
pub async fn list_user_tokens(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
    Query(page): Query<Pagination>,
) -> Result<Json<Vec<UserAccessToken>>> {
    let user_id = user.resolve(&auth);
    let (offset, limit) = page.window();
    Ok(Json(
        tokens::list_for_user(&state, &auth, &user_id, offset, limit).await?,
    ))
}

/// Every token on the server (system admins).
#[utoipa::path(get, path = "/api/v4/users/tokens", tag = "tokens", params(Pagination),
    responses((status = 200, description = "Tokens", body = Vec<UserAccessToken>)))]
pub async fn list_all_tokens(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Query(page): Query<Pagination>,
) -> Result<Json<Vec<UserAccessToken>>> {
    let (offset, limit) = page.window();
    Ok(Json(tokens::list_all(&state, &auth, offset, limit).await?))
}

/// One token (without its secret).
#[utoipa::path(get, path = "/api/v4/users/tokens/{token_id}", tag = "tokens",
    params(("token_id" = String, Path)),
    responses((status = 200, description = "The token", body = UserAccessToken), (status = 404, description = "No such token")))]
pub async fn get_token(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(token_id): Ids<TokenId>,
) -> Result<Json<UserAccessToken>> {
    Ok(Json(tokens::get(&state, &auth, &token_id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenIdBody {
    #[serde(default, deserialize_with = "nullable")]
    pub token_id: String,
}

/// Revoke (delete) a token; it stops working on its very next use.
#[utoipa::path(post, path = "/api/v4/users/tokens/revoke", tag = "tokens", request_body = TokenIdBody,
    responses((status = 200, description = "OK", body = doc::StatusOk)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(body): JsonBody<TokenIdBody>,
) -> Result<Json<Value>> {
    tokens::revoke(&state, &auth, &body.token_id).await?;
    Ok(status_ok())
}

/// Disable a token without deleting it.
#[utoipa::path(post, path = "/api/v4/users/tokens/disable", tag = "tokens", request_body = TokenIdBody,
    responses((status = 200, description = "OK", body = doc::StatusOk)))]
pub async fn disable_token(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(body): JsonBody<TokenIdBody>,
) -> Result<Json<Value>> {
    tokens::disable(&state, &auth, &body.token_id).await?;
    Ok(status_ok())
}

/// Re-enable a disabled token.
#[utoipa::path(post, path = "/api/v4/users/tokens/enable", tag = "tokens", request_body = TokenIdBody,
    responses((status = 200, description = "OK", body = doc::StatusOk)))]
pub async fn enable_token(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(body): JsonBody<TokenIdBody>,
) -> Result<Json<Value>> {
    tokens::enable(&state, &auth, &body.token_id).await?;
    Ok(status_ok())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenSearchBody {
    #[serde(default, deserialize_with = "nullable")]
    pub term: String,
}

/// Search tokens by id, description or owner's username (system admins).
#[utoipa::path(post, path = "/api/v4/users/tokens/search", tag = "tokens", request_body = TokenSearchBody,
    responses((status = 200, description = "Tokens", body = Vec<UserAccessToken>)))]
pub async fn search_tokens(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(body): JsonBody<TokenSearchBody>,
) -> Result<Json<Vec<UserAccessToken>>> {
    Ok(Json(tokens::search(&state, &auth, &body.term).await?))
}
