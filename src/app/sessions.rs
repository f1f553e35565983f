//! A user's sessions: listing, revoking (their sockets close at once), logout, and the
//! mobile device id of the current session.

use townsquare_sdk::model::Session;
use townsquare_sdk::AppError;

use crate::app::auth::AuthContext;
use crate::app::permissions::Permission;
use crate::app::users::missing_account;
use crate::error::Result;
use crate::state::AppState;

/// Ends the caller's session (access tokens are not sessions to end).
pub async fn logout(state: &AppState, auth: &AuthContext) -> Result<()> {
    if auth.access_token_id.is_some() {
        return Ok(());
    }
    state
        .store
        .delete_session(auth.user_id(), &auth.session.id)
        .await?;
    state
        .realtime
        .close_session(auth.user_id(), &auth.session.id);
    tracing::info!(user_id = %auth.user_id(), session_id = %auth.session.id, "logout");
    Ok(())
}

/// A user's sessions (tokens blanked): your own, or anyone's with `edit_other_users`.
pub async fn list(state: &AppState, auth: &AuthContext, user_id: &str) -> Result<Vec<Session>> {
    auth.require_self_or(user_id, Permission::EditOtherUsers)?;
    state
        .store
        .user(user_id)
        .await?
        .ok_or_else(missing_account)?;
    Ok(state.store.sessions_for_user(user_id).await?)
}

/// Revokes one session of a user; it stops working on its very next request.
pub async fn revoke(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    session_id: &str,
) -> Result<()> {
    auth.require_self_or(user_id, Permission::EditOtherUsers)?;
    let session_id = crate::id::parse_id(session_id, "session_id")
        .map_err(|_| AppError::invalid_body_param("session_id"))?;
    if !state.store.delete_session(user_id, &session_id).await? {
        return Err(AppError::bad_request(
            "api.user.revoke_session.no_user.app_error",
            "That session does not belong to this user.",
        )
        .into());
    }
    state.realtime.close_session(user_id, &session_id);
    Ok(())
}

/// Revokes every session of a user.
pub async fn revoke_all(state: &AppState, auth: &AuthContext, user_id: &str) -> Result<()> {
    auth.require_self_or(user_id, Permission::EditOtherUsers)?;
    let revoked = state.store.delete_sessions_for_user(user_id).await?;
    state.realtime.close_user(user_id);
    tracing::info!(user_id, revoked, by = %auth.user_id(), "sessions revoked");
    Ok(())
}

/// Attaches a mobile device id to the caller's session (not to access tokens).
pub async fn attach_device(state: &AppState, auth: &AuthContext, device_id: &str) -> Result<()> {
    if device_id.is_empty() || device_id.len() > 512 {
        return Err(AppError::invalid_body_param("device_id").into());
    }
    if auth.access_token_id.is_none() {
        state
            .store
            .set_session_device(auth.user_id(), &auth.session.id, device_id)
            .await?;
    }
    Ok(())
}
