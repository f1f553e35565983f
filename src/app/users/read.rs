//! Reading users, each as the caller may see it: by id, name, email, ids, a filtered list,
//! and clearing login throttling.

use townsquare_sdk::model::User;
use townsquare_sdk::AppError;

use super::{missing_account, sanitize_for, UserFilter};
use crate::app::auth::AuthContext;
use crate::app::permissions::Permission;
use crate::error::Result;
use crate::state::AppState;

fn shown(state: &AppState, auth: &AuthContext, users: Vec<User>) -> Vec<User> {
    let config = state.config();
    users
        .into_iter()
        .map(|u| sanitize_for(Some(auth), u, &config))
        .collect()
}

/// A page of users; listing a channel's (non-)members needs read access to the channel.
/// The caller's `view_members` permission is checked by the caller of this function, before
/// the filter is parsed.
pub async fn list(
    state: &AppState,
    auth: &AuthContext,
    filter: &UserFilter,
    offset: i64,
    limit: i64,
) -> Result<Vec<User>> {
    for channel_id in [&filter.in_channel, &filter.not_in_channel]
        .into_iter()
        .flatten()
    {
        crate::app::channels::access(state, auth, channel_id)
            .await?
            .require_read(auth)?;
    }
    let list = state.store.list_users(filter, offset, limit).await?;
    Ok(shown(state, auth, list))
}

/// A user by id. The caller and system admins also see the terms of service acceptance.
pub async fn get(state: &AppState, auth: &AuthContext, user_id: &str) -> Result<User> {
    // Authentication loaded the caller already; `me` is the most frequent request.
    let mut user = if user_id == auth.user_id() {
        auth.user.clone()
    } else {
        state
            .store
            .user(user_id)
            .await?
            .ok_or_else(missing_account)?
    };
    if user.id == auth.user_id() || auth.can(Permission::ManageSystem) {
        crate::app::licensing::attach_terms_acceptance(state, &mut user).await?;
    }
    Ok(sanitize_for(Some(auth), user, &state.config()))
}

/// A user by username (any case).
pub async fn by_username(state: &AppState, auth: &AuthContext, username: &str) -> Result<User> {
    let user = state
        .store
        .user_by_username(&username.to_lowercase())
        .await?
        .ok_or_else(missing_account)?;
    Ok(sanitize_for(Some(auth), user, &state.config()))
}

/// A user by email (any case). Hidden emails cannot be looked up by non-admins.
pub async fn by_email(state: &AppState, auth: &AuthContext, email: &str) -> Result<User> {
    if !state.config().privacy.show_email_address && !auth.can(Permission::ManageSystem) {
        return Err(AppError::forbidden(Permission::ManageSystem.id()).into());
    }
    let user = state
        .store
        .user_by_email(&email.to_lowercase())
        .await?
        .ok_or_else(missing_account)?;
    Ok(sanitize_for(Some(auth), user, &state.config()))
}

/// Users by id; unknown ids are left out.
pub async fn by_ids(state: &AppState, auth: &AuthContext, ids: &[String]) -> Result<Vec<User>> {
    let found = state.store.users_by_ids(ids).await?;
    Ok(shown(state, auth, found))
}

/// Users by username (any case); unknown names are left out.
pub async fn by_usernames(
    state: &AppState,
    auth: &AuthContext,
    names: &[String],
) -> Result<Vec<User>> {
    let names: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    let found = state.store.users_by_usernames(&names).await?;
    Ok(shown(state, auth, found))
}

/// Forgets failed login attempts against a user's account: `manage_system`, or
/// `edit_other_users` for accounts that are not system admins (so a user manager cannot help
/// brute-force an admin). Returns how many counters were cleared.
pub async fn reset_login_attempts(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
) -> Result<u64> {
    if !auth.can(Permission::ManageSystem) && !auth.can(Permission::EditOtherUsers) {
        return Err(AppError::forbidden(Permission::ManageSystem.id()).into());
    }
    let user = state
        .store
        .user(user_id)
        .await?
        .ok_or_else(missing_account)?;
    if user.role_list().any(|r| r == "system_admin") {
        auth.require(Permission::ManageSystem)?;
    }
    let cleared = state.store.clear_login_attempts_for_user(&user.id).await?;
    tracing::info!(user_id = %user.id, cleared, by = %auth.user_id(), "login attempts reset");
    Ok(cleared)
}
