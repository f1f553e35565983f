//! Direct (two users) and group (3 to 8 users) channels, created on first use.

use townsquare_sdk::model::{Channel, User};
use townsquare_sdk::AppError;

use super::channel_not_found;
use super::create::member_row;
use crate::app::auth::AuthContext;
use crate::app::permissions::Permission;
use crate::error::Result;
use crate::id::new_id;
use crate::realtime::notify;
use crate::state::AppState;
use crate::store::is_unique_violation;
use crate::store::membership::NewChannelMember;
use crate::time::now_ms;

/// The direct channel between two users, created on first use.
pub async fn direct_channel(
    state: &AppState,
    auth: &AuthContext,
    user_ids: &[String],
) -> Result<(Channel, bool)> {
    if user_ids.len() != 2 {
        return Err(AppError::invalid_body_param("user_ids").into());
    }
    if !user_ids.iter().any(|id| id == auth.user_id()) && !auth.can(Permission::ManageSystem) {
        return Err(AppError::forbidden(Permission::CreateDirectChannel.id()).into());
    }
    auth.require(Permission::CreateDirectChannel)?;
    let mut ids = user_ids.to_vec();
    ids.sort();
    active_users(state, &ids).await?;
    let name = format!("{}__{}", ids[0], ids[1]);
    if let Some(existing) = state.store.channel_by_name("", &name).await? {
        return Ok((existing, false));
    }
    create_private_group(state, auth, "D", name, String::new(), &ids).await
}

/// The group channel of 3 to 8 users, created on first use.
pub async fn group_channel(
    state: &AppState,
    auth: &AuthContext,
    user_ids: &[String],
) -> Result<(Channel, bool)> {
    let mut ids = user_ids.to_vec();
    if !ids.iter().any(|id| id == auth.user_id()) {
        ids.push(auth.user_id().to_string());
    }
    ids.sort();
    ids.dedup();
    if !(3..=8).contains(&ids.len()) {
        return Err(AppError::bad_request(
            "api.channel.create_group.bad_size.app_error",
            "Group message channels must have at least 3 and at most 8 members.",
        )
        .into());
    }
    auth.require(Permission::CreateGroupChannel)?;
    let users = active_users(state, &ids).await?;
    let name = group_name(&ids);
    if let Some(existing) = state.store.channel_by_name("", &name).await? {
        return Ok((existing, false));
    }
    let mut usernames: Vec<&str> = users.iter().map(|u| u.username.as_str()).collect();
    usernames.sort();
    create_private_group(state, auth, "G", name, usernames.join(", "), &ids).await
}

/// Mattermost's group channel name: hex SHA-1 of the sorted member ids.
pub fn group_name(sorted_ids: &[String]) -> String {
    use sha1::{Digest, Sha1};
    hex::encode(Sha1::digest(sorted_ids.concat().as_bytes()))
}

async fn active_users(state: &AppState, ids: &[String]) -> Result<Vec<User>> {
    let mut unique = ids.to_vec();
    unique.dedup();
    let users = state.store.users_by_ids(&unique).await?;
    if users.len() != unique.len() || users.iter().any(|u| !u.is_active()) {
        return Err(AppError::bad_request(
            "api.channel.create_direct_channel.invalid_user.app_error",
            "Every member must be an existing, active user.",
        )
        .into());
    }
    Ok(users)
}

async fn create_private_group(
    state: &AppState,
    auth: &AuthContext,
    kind: &str,
    name: String,
    display_name: String,
    ids: &[String],
) -> Result<(Channel, bool)> {
    let now = now_ms();
    let channel = Channel {
        id: new_id(),
        create_at: now,
        update_at: now,
        channel_type: kind.into(),
        display_name,
        name: name.clone(),
        creator_id: auth.user_id().to_string(),
        ..Default::default()
    };
    let mut members: Vec<NewChannelMember> =
        ids.iter().map(|id| member_row(id, false, now)).collect();
    members.dedup_by(|a, b| a.user_id == b.user_id);
    match state.store.create_channel(&channel, &members).await {
        Ok(()) => {
            state
                .realtime
                .publish(notify::private_group_created(&channel, auth.user_id(), ids));
            Ok((channel, true))
        }
        // Created concurrently by the other party: use theirs.
        Err(err) if is_unique_violation(&err) => {
            let existing = state
                .store
                .channel_by_name("", &name)
                .await?
                .ok_or_else(channel_not_found)?;
            Ok((existing, false))
        }
        Err(err) => Err(err.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_are_sha1_of_sorted_ids() {
        let ids = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        assert_eq!(group_name(&ids), "a9993e364706816aba3e25717850c26c9cd0d89d");
    }
}
