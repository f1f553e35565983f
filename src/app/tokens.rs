//! Managing personal access tokens: issuing, listing, revoking, disabling, enabling. Who may
//! do what to whose token is decided here; the tokens themselves are `app::auth`'s.

use townsquare_sdk::model::UserAccessToken;
use townsquare_sdk::AppError;

use crate::app::auth::{create_access_token, AuthContext};
use crate::app::permissions::Permission;
use crate::app::users::missing_account;
use crate::error::Result;
use crate::state::AppState;

/// 501 while `ServiceSettings.EnableUserAccessTokens` is off.
pub fn require_enabled(state: &AppState) -> Result<()> {
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

/// `permission` for your own tokens; someone else's also need `edit_other_users`.
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

/// Issues a token for an active user (the secret is in the returned value only).
pub async fn create(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    description: &str,
) -> Result<UserAccessToken> {
    require_token_access(auth, user_id, Permission::CreateUserAccessToken)?;
    let description = description.trim();
    if description.is_empty() || description.chars().count() > 255 {
        return Err(AppError::bad_request(
            "model.user_access_token.is_valid.description.app_error",
            "Give the token a description of at most 255 characters.",
        )
        .into());
    }
    let owner = state
        .store
        .user(user_id)
        .await?
        .ok_or_else(missing_account)?;
    if !owner.is_active() {
        return Err(AppError::bad_request(
            "api.user.create_user_access_token.inactive.app_error",
            "Cannot create a token for a deactivated user.",
        )
        .into());
    }
    let token = create_access_token(state, &owner.id, description).await?;
    tracing::info!(user_id = %owner.id, token_id = %token.id, by = %auth.user_id(), "access token created");
    Ok(token)
}

/// A page of a user's tokens.
pub async fn list_for_user(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    offset: i64,
    limit: i64,
) -> Result<Vec<UserAccessToken>> {
    require_token_access(auth, user_id, Permission::ReadUserAccessToken)?;
    Ok(state
        .store
        .access_tokens(Some(user_id), offset, limit)
        .await?)
}

/// A page of every token (system admins).
pub async fn list_all(
    state: &AppState,
    auth: &AuthContext,
    offset: i64,
    limit: i64,
) -> Result<Vec<UserAccessToken>> {
    auth.require(Permission::ManageSystem)?;
    Ok(state.store.access_tokens(None, offset, limit).await?)
}

/// Tokens whose description or owner matches `term` (system admins).
pub async fn search(
    state: &AppState,
    auth: &AuthContext,
    term: &str,
) -> Result<Vec<UserAccessToken>> {
    auth.require(Permission::ManageSystem)?;
    if term.trim().is_empty() {
        return Err(AppError::invalid_body_param("term").into());
    }
    Ok(state.store.search_access_tokens(term.trim()).await?)
}

/// A token the caller may act on with `permission` (`token_id` comes from a body or path).
async fn owned(
    state: &AppState,
    auth: &AuthContext,
    token_id: &str,
    permission: Permission,
) -> Result<UserAccessToken> {
    let token_id = crate::id::parse_id(token_id, "token_id")
        .map_err(|_| AppError::invalid_body_param("token_id"))?;
    let token = state
        .store
        .access_token(&token_id)
        .await?
        .ok_or_else(token_not_found)?;
    require_token_access(auth, &token.user_id, permission)?;
    Ok(token)
}

/// One token (its secret is never shown again).
pub async fn get(state: &AppState, auth: &AuthContext, token_id: &str) -> Result<UserAccessToken> {
    owned(state, auth, token_id, Permission::ReadUserAccessToken).await
}

/// Deletes a token; its sockets close at once.
pub async fn revoke(state: &AppState, auth: &AuthContext, token_id: &str) -> Result<()> {
    let token = owned(state, auth, token_id, Permission::RevokeUserAccessToken).await?;
    state.store.delete_access_token(&token.id).await?;
    state.realtime.close_session(&token.user_id, &token.id);
    tracing::info!(token_id = %token.id, by = %auth.user_id(), "access token revoked");
    Ok(())
}

/// Disables a token (it stops working until enabled); its sockets close at once.
pub async fn disable(state: &AppState, auth: &AuthContext, token_id: &str) -> Result<()> {
    let token = owned(state, auth, token_id, Permission::RevokeUserAccessToken).await?;
    state
        .store
        .set_access_token_active(&token.id, false)
        .await?;
    state.realtime.close_session(&token.user_id, &token.id);
    Ok(())
}

/// Enables a disabled token.
pub async fn enable(state: &AppState, auth: &AuthContext, token_id: &str) -> Result<()> {
    require_enabled(state)?;
    let token = owned(state, auth, token_id, Permission::CreateUserAccessToken).await?;
    state.store.set_access_token_active(&token.id, true).await?;
    Ok(())
}
