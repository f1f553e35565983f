//! Reading users, each as the caller may see it: by id, name, email, ids, a filtered list,
//! the members of group channels; and clearing login throttling.

use std::collections::BTreeMap;

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

/// At most this many distinct ids per `POST /users/ids` (Mattermost's bound on id lists in a
/// request body, `maxListSize`).
pub const MAX_USER_IDS: usize = 1000;

/// Users by id, by username, changed after `since` (ms; 0 for all). Duplicates collapse;
/// unknown and malformed ids are left out, as in Mattermost. An empty list, or more than
/// [`MAX_USER_IDS`] distinct ids, is a 400.
pub async fn by_ids(
    state: &AppState,
    auth: &AuthContext,
    ids: &[String],
    since: i64,
) -> Result<Vec<User>> {
    let mut wanted: Vec<String> = ids.to_vec();
    wanted.sort();
    wanted.dedup();
    if wanted.is_empty() || wanted.len() > MAX_USER_IDS {
        return Err(AppError::invalid_body_param("user_ids").into());
    }
    wanted.retain(|id| crate::id::is_valid_id(id));
    let found = state.store.users_by_ids_since(&wanted, since).await?;
    Ok(shown(state, auth, found))
}

/// At most this many group channels per `POST /users/group_channels` are looked at
/// (Mattermost's `MaxGroupChannelsForProfiles`); the rest are left out.
pub const MAX_GROUP_CHANNELS_FOR_PROFILES: usize = 50;

/// The members of each of `channel_ids` that is a group channel the caller belongs to, as
/// the caller may see them. Other channels are left out of the map.
pub async fn in_group_channels(
    state: &AppState,
    auth: &AuthContext,
    channel_ids: &[String],
) -> Result<BTreeMap<String, Vec<User>>> {
    if channel_ids.is_empty() {
        return Err(AppError::invalid_body_param("channel_ids").into());
    }
    let wanted: Vec<String> = channel_ids
        .iter()
        .take(MAX_GROUP_CHANNELS_FOR_PROFILES)
        .filter(|id| crate::id::is_valid_id(id))
        .cloned()
        .collect();
    let config = state.config();
    let mut by_channel: BTreeMap<String, Vec<User>> = BTreeMap::new();
    for (channel_id, user) in state
        .store
        .group_channel_members(auth.user_id(), &wanted)
        .await?
    {
        by_channel
            .entry(channel_id)
            .or_default()
            .push(sanitize_for(Some(auth), user, &config));
    }
    Ok(by_channel)
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
