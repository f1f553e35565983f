//! Personal access tokens (`/users/{id}/tokens`, `/users/tokens/...`).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use townsquare_sdk::model::UserAccessToken;
use townsquare_sdk::AppError;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{id_param, status_ok, user_id_param, Pagination};
use crate::api::auth::Auth;
use crate::api::extract::{nullable, Json as JsonBody, Path, Query};
use crate::app::auth::{create_access_token, AuthContext};
use crate::app::permissions::Permission;
use crate::app::users::missing_account;
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

fn tokens_enabled(state: &AppState) -> Result<()> {
    if state.config().service.enable_user_access_tokens {
        Ok(())
    } else {
        Err(AppError::not_implemented(
            "app.user_access_token.disabled",
            "Personal access tokens are disabled on this server. Please contact your system administrator for details.",
        )
        .into())
    }
}

/// Token permission on one's own tokens; `edit_other_users` as well for someone else's.
fn require_token_access(auth: &AuthContext, owner: &str, permission: Permission) -> Result<()> {
    auth.require(permission)?;
    if auth.user_id() != owner {
        auth.require(Permission::EditOtherUsers)?;
    }
    Ok(())
}

fn token_not_found() -> AppError {
    AppError::not_found(
        "app.user_access_token.get_by_id.app_error",
        "Unable to find the personal access token.",
    )
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateTokenBody {
    #[serde(default, deserialize_with = "nullable")]
    pub description: String,
}

/// Create a personal access token. The token itself is only ever shown in this response.
#[utoipa::path(post, path = "/api/v4/users/{user_id}/tokens", tag = "tokens", request_body = CreateTokenBody,
    params(("user_id" = String, Path)),
    responses((status = 200, description = "The token, with its secret", body = Value),
              (status = 501, description = "Personal access tokens are disabled")))]
pub async fn create_token(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path(user_id): Path<String>,
    JsonBody(body): JsonBody<CreateTokenBody>,
) -> Result<Json<UserAccessToken>> {
    tokens_enabled(&state)?;
    let user_id = user_id_param(&user_id, &auth)?;
    require_token_access(&auth, &user_id, Permission::CreateUserAccessToken)?;
    let description = body.description.trim();
    if description.is_empty() || description.chars().count() > 255 {
        return Err(AppError::bad_request(
            "model.user_access_token.is_valid.description.app_error",
            "Give the token a description of at most 255 characters.",
        )
        .into());
    }
    let owner = state
        .store
        .user(&user_id)
        .await?
        .ok_or_else(missing_account)?;
    if !owner.is_active() {
        return Err(AppError::bad_request(
            "api.user.create_user_access_token.inactive.app_error",
            "Cannot create a token for a deactivated user.",
        )
        .into());
    }
    let token = create_access_token(&state, &owner.id, description).await?;
    tracing::info!(user_id = %owner.id, token_id = %token.id, by = %auth.user_id(), "access token created");
    Ok(Json(token))
}

/// A user's tokens (without secrets).
#[utoipa::path(get, path = "/api/v4/users/{user_id}/tokens", tag = "tokens",
    params(("user_id" = String, Path), Pagination),
    responses((status = 200, description = "Tokens", body = Vec<Value>)))]
pub async fn list_user_tokens(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path(user_id): Path<String>,
    Query(page): Query<Pagination>,
) -> Result<Json<Vec<UserAccessToken>>> {
    let user_id = user_id_param(&user_id, &auth)?;
    require_token_access(&auth, &user_id, Permission::ReadUserAccessToken)?;
    let (offset, limit) = page.window();
    Ok(Json(
        state
            .store
            .access_tokens(Some(&user_id), offset, limit)
            .await?,
    ))
}

/// Every token on the server (system admins).
#[utoipa::path(get, path = "/api/v4/users/tokens", tag = "tokens", params(Pagination),
    responses((status = 200, description = "Tokens", body = Vec<Value>)))]
pub async fn list_all_tokens(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Query(page): Query<Pagination>,
) -> Result<Json<Vec<UserAccessToken>>> {
    auth.require(Permission::ManageSystem)?;
    let (offset, limit) = page.window();
    Ok(Json(state.store.access_tokens(None, offset, limit).await?))
}

async fn owned_token(
    state: &AppState,
    auth: &AuthContext,
    token_id: &str,
    permission: Permission,
) -> Result<UserAccessToken> {
    let token_id =
        id_param(token_id, "token_id").map_err(|_| AppError::invalid_body_param("token_id"))?;
    let token = state
        .store
        .access_token(&token_id)
        .await?
        .ok_or_else(token_not_found)?;
    require_token_access(auth, &token.user_id, permission)?;
    Ok(token)
}

/// One token (without its secret).
#[utoipa::path(get, path = "/api/v4/users/tokens/{token_id}", tag = "tokens",
    params(("token_id" = String, Path)),
    responses((status = 200, description = "The token", body = Value), (status = 404, description = "No such token")))]
pub async fn get_token(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path(token_id): Path<String>,
) -> Result<Json<UserAccessToken>> {
    id_param(&token_id, "token_id")?;
    Ok(Json(
        owned_token(&state, &auth, &token_id, Permission::ReadUserAccessToken).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenIdBody {
    #[serde(default, deserialize_with = "nullable")]
    pub token_id: String,
}

/// Revoke (delete) a token; it stops working on its very next use.
#[utoipa::path(post, path = "/api/v4/users/tokens/revoke", tag = "tokens", request_body = TokenIdBody,
    responses((status = 200, description = "OK", body = Value)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(body): JsonBody<TokenIdBody>,
) -> Result<Json<Value>> {
    let token = owned_token(
        &state,
        &auth,
        &body.token_id,
        Permission::RevokeUserAccessToken,
    )
    .await?;
    state.store.delete_access_token(&token.id).await?;
    state.realtime.close_session(&token.user_id, &token.id);
    tracing::info!(token_id = %token.id, by = %auth.user_id(), "access token revoked");
    Ok(status_ok())
}

/// Disable a token without deleting it.
#[utoipa::path(post, path = "/api/v4/users/tokens/disable", tag = "tokens", request_body = TokenIdBody,
    responses((status = 200, description = "OK", body = Value)))]
pub async fn disable_token(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(body): JsonBody<TokenIdBody>,
) -> Result<Json<Value>> {
    let token = owned_token(
        &state,
        &auth,
        &body.token_id,
        Permission::RevokeUserAccessToken,
    )
    .await?;
    state
        .store
        .set_access_token_active(&token.id, false)
        .await?;
    state.realtime.close_session(&token.user_id, &token.id);
    Ok(status_ok())
}

/// Re-enable a disabled token.
#[utoipa::path(post, path = "/api/v4/users/tokens/enable", tag = "tokens", request_body = TokenIdBody,
    responses((status = 200, description = "OK", body = Value)))]
pub async fn enable_token(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(body): JsonBody<TokenIdBody>,
) -> Result<Json<Value>> {
    tokens_enabled(&state)?;
    let token = owned_token(
        &state,
        &auth,
        &body.token_id,
        Permission::CreateUserAccessToken,
    )
    .await?;
    state.store.set_access_token_active(&token.id, true).await?;
    Ok(status_ok())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenSearchBody {
    #[serde(default, deserialize_with = "nullable")]
    pub term: String,
}

/// Search tokens by id, description or owner's username (system admins).
#[utoipa::path(post, path = "/api/v4/users/tokens/search", tag = "tokens", request_body = TokenSearchBody,
    responses((status = 200, description = "Tokens", body = Vec<Value>)))]
pub async fn search_tokens(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(body): JsonBody<TokenSearchBody>,
) -> Result<Json<Vec<UserAccessToken>>> {
    auth.require(Permission::ManageSystem)?;
    if body.term.trim().is_empty() {
        return Err(AppError::invalid_body_param("term").into());
    }
    Ok(Json(
        state.store.search_access_tokens(body.term.trim()).await?,
    ))
}
