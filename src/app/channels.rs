//! Channels: public, private, direct and group; membership; read state.

use serde::Deserialize;
use townsquare_sdk::model::{Channel, ChannelMember, StringMap, TeamMember, User};
use townsquare_sdk::AppError;

use crate::app::auth::AuthContext;
use crate::app::permissions::{any_grants, Permission};
use crate::app::system_posts;
use crate::app::teams::channel_notify_props_json;
use crate::error::Result;
use crate::id::new_id;
use crate::realtime::{events, notify};
use crate::serde_util::nullable;
use crate::state::AppState;
use crate::store::is_unique_violation;
use crate::store::membership::NewChannelMember;
use crate::time::now_ms;

pub const TOWN_SQUARE: &str = "town-square";

pub fn channel_not_found() -> AppError {
    AppError::not_found(
        "app.channel.get.existing.app_error",
        "Unable to find the existing channel.",
    )
}

fn invalid(field: &str, message: &str) -> AppError {
    AppError::bad_request(
        format!("model.channel.is_valid.{field}.app_error"),
        message.to_string(),
    )
}

/// Mattermost's channel name rule: 1-64 of `a-z 0-9 - _`, starting with a letter or digit.
pub fn validate_channel_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim().to_lowercase();
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(name)
    } else {
        Err(invalid(
            "2_or_more",
            "Channel names must be 1 to 64 lowercase letters, digits, dashes or underscores.",
        ))
    }
}

fn validate_text(display_name: &str, header: &str, purpose: &str) -> Result<(), AppError> {
    if !(1..=64).contains(&display_name.trim().chars().count()) {
        return Err(invalid(
            "display_name",
            "The display name must be 1 to 64 characters.",
        ));
    }
    if header.chars().count() > 1024 {
        return Err(invalid(
            "header",
            "The header must be at most 1024 characters.",
        ));
    }
    if purpose.chars().count() > 250 {
        return Err(invalid(
            "purpose",
            "The purpose must be at most 250 characters.",
        ));
    }
    Ok(())
}

/// What the caller may do in one channel, loaded once per request.
pub struct ChannelAccess {
    pub channel: Channel,
    pub member: Option<ChannelMember>,
    pub team_member: Option<TeamMember>,
}

impl ChannelAccess {
    pub fn can(&self, auth: &AuthContext, permission: Permission) -> bool {
        let team = self
            .team_member
            .as_ref()
            .map(|m| m.roles.as_str())
            .unwrap_or("");
        let channel = self.member.as_ref().map(|m| m.roles.as_str()).unwrap_or("");
        any_grants(&[auth.roles(), team, channel], permission)
    }

    /// Members read their channels; team members read public ones; admins read all.
    pub fn can_read(&self, auth: &AuthContext) -> bool {
        self.member.is_some()
            || (self.channel.channel_type == "O" && self.can(auth, Permission::ReadPublicChannel))
            || auth.can(Permission::ManageSystem)
    }

    pub fn require_read(&self, auth: &AuthContext) -> Result<()> {
        if self.can_read(auth) {
            Ok(())
        } else {
            Err(AppError::forbidden(Permission::ReadChannel.id()).into())
        }
    }

    pub fn is_private(&self) -> bool {
        self.channel.channel_type != "O"
    }

    fn properties_permission(&self) -> Permission {
        if self.is_private() {
            Permission::ManagePrivateChannelProperties
        } else {
            Permission::ManagePublicChannelProperties
        }
    }

    fn members_permission(&self) -> Permission {
        if self.is_private() {
            Permission::ManagePrivateChannelMembers
        } else {
            Permission::ManagePublicChannelMembers
        }
    }

    fn require(&self, auth: &AuthContext, permission: Permission) -> Result<()> {
        if self.can(auth, permission) {
            Ok(())
        } else {
            Err(AppError::forbidden(permission.id()).into())
        }
    }
}

/// Loads a channel and the caller's standing in it, in one joined read (this is on the path
/// of nearly every channel request).
pub async fn access(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
) -> Result<ChannelAccess> {
    let found = state
        .store
        .channel_with_memberships(channel_id, auth.user_id())
        .await?
        .ok_or_else(channel_not_found)?;
    Ok(ChannelAccess {
        channel: found.channel,
        member: found.member,
        team_member: found.team_member.filter(|m| m.delete_at == 0),
    })
}

pub async fn access_to(
    state: &AppState,
    auth: &AuthContext,
    channel: Channel,
) -> Result<ChannelAccess> {
    let member = state
        .store
        .channel_member(&channel.id, auth.user_id())
        .await?;
    let team_member = if channel.team_id.is_empty() {
        None
    } else {
        state
            .store
            .team_member(&channel.team_id, auth.user_id())
            .await?
            .filter(|m| m.delete_at == 0)
    };
    Ok(ChannelAccess {
        channel,
        member,
        team_member,
    })
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewChannel {
    #[serde(deserialize_with = "nullable")]
    pub team_id: String,
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    #[serde(deserialize_with = "nullable")]
    pub display_name: String,
    #[serde(rename = "type", deserialize_with = "nullable")]
    pub channel_type: String,
    #[serde(deserialize_with = "nullable")]
    pub purpose: String,
    #[serde(deserialize_with = "nullable")]
    pub header: String,
}

fn member_row(user_id: &str, admin: bool, now: i64) -> NewChannelMember {
    NewChannelMember {
        user_id: user_id.to_string(),
        scheme_admin: admin,
        notify_props: channel_notify_props_json(),
        now,
    }
}

/// Creates a public (`O`) or private (`P`) channel; the creator joins as channel admin.
pub async fn create_channel(
    state: &AppState,
    auth: &AuthContext,
    input: NewChannel,
) -> Result<Channel> {
    let team_id = crate::id::parse_id(&input.team_id, "team_id")
        .map_err(|_| AppError::invalid_body_param("team_id"))?;
    let team = crate::app::teams::team_by_id(state, &team_id).await?;
    if team.delete_at != 0 {
        return Err(AppError::bad_request(
            "api.channel.create_channel.archived_team.app_error",
            "The team is archived.",
        )
        .into());
    }
    let team_member = crate::app::teams::membership(state, auth, &team_id).await?;
    let permission = match input.channel_type.as_str() {
        "O" => Permission::CreatePublicChannel,
        "P" => Permission::CreatePrivateChannel,
        _ => {
            return Err(invalid(
                "type",
                "The channel type must be \"O\" (public) or \"P\" (private).",
            )
            .into())
        }
    };
    if !crate::app::teams::can_in_team(auth, team_member.as_ref(), permission) {
        return Err(AppError::forbidden(permission.id()).into());
    }
    let name = validate_channel_name(&input.name)?;
    validate_text(&input.display_name, &input.header, &input.purpose)?;
    if state
        .store
        .channel_by_name(&team_id, &name)
        .await?
        .is_some()
    {
        return Err(name_taken().into());
    }
    let now = now_ms();
    let channel = Channel {
        id: new_id(),
        create_at: now,
        update_at: now,
        team_id,
        channel_type: input.channel_type,
        display_name: input.display_name.trim().to_string(),
        name,
        header: input.header,
        purpose: input.purpose,
        creator_id: auth.user_id().to_string(),
        ..Default::default()
    };
    let members = if team_member.is_some() {
        vec![member_row(auth.user_id(), true, now)]
    } else {
        Vec::new()
    };
    state
        .store
        .create_channel(&channel, &members)
        .await
        .map_err(|err| {
            if is_unique_violation(&err) {
                name_taken().into()
            } else {
                crate::Error::from(err)
            }
        })?;
    state
        .realtime
        .publish(events::channel_created(auth.user_id(), &channel));
    Ok(channel)
}

fn name_taken() -> AppError {
    AppError::bad_request(
        "store.sql_channel.save_channel.exists.app_error",
        "A channel with that name already exists on the same team.",
    )
}

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

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ChannelPatch {
    pub name: Option<String>,
    pub display_name: Option<String>,
    pub header: Option<String>,
    pub purpose: Option<String>,
}

pub async fn patch_channel(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    patch: ChannelPatch,
) -> Result<Channel> {
    let access = access(state, auth, channel_id).await?;
    access.require_read(auth)?;
    let is_dm = matches!(access.channel.channel_type.as_str(), "D" | "G");
    if is_dm {
        if access.member.is_none() {
            return Err(AppError::forbidden(Permission::ReadChannel.id()).into());
        }
    } else {
        access.require(auth, access.properties_permission())?;
    }
    if access.channel.delete_at != 0 {
        return Err(AppError::bad_request(
            "api.channel.patch_update_channel.archived.app_error",
            "The channel is archived.",
        )
        .into());
    }
    let before = access.channel.clone();
    let mut channel = access.channel;
    if let Some(name) = patch.name.filter(|n| !n.is_empty()) {
        if is_dm {
            return Err(AppError::invalid_body_param("name").into());
        }
        let name = validate_channel_name(&name)?;
        if name != channel.name {
            if channel.name == TOWN_SQUARE {
                return Err(AppError::bad_request(
                    "api.channel.update_channel.tried.app_error",
                    "The default channel cannot be renamed.",
                )
                .into());
            }
            if state
                .store
                .channel_by_name(&channel.team_id, &name)
                .await?
                .is_some()
            {
                return Err(name_taken().into());
            }
            channel.name = name;
        }
    }
    if let Some(display_name) = patch.display_name {
        channel.display_name = display_name.trim().to_string();
    }
    if let Some(header) = patch.header {
        channel.header = header;
    }
    if let Some(purpose) = patch.purpose {
        channel.purpose = purpose;
    }
    if !is_dm {
        validate_text(&channel.display_name, &channel.header, &channel.purpose)?;
    }
    channel.update_at = now_ms();
    let announcements =
        system_posts::channel_properties_changed(&before, &channel, &auth.user, channel.update_at);
    state
        .store
        .update_channel_announced(&channel, &announcements)
        .await?;
    state.realtime.publish(events::channel_updated(&channel));
    system_posts::publish(state, &channel, &auth.user, &announcements);
    Ok(channel)
}

/// Archives or restores a channel. Posts and members are kept.
pub async fn set_archived(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    archive: bool,
) -> Result<Channel> {
    let access = access(state, auth, channel_id).await?;
    access.require_read(auth)?;
    if matches!(access.channel.channel_type.as_str(), "D" | "G") {
        return Err(AppError::bad_request(
            "api.channel.delete_channel.type.invalid",
            "Direct and group channels cannot be archived.",
        )
        .into());
    }
    let permission = if access.is_private() {
        Permission::DeletePrivateChannel
    } else {
        Permission::DeletePublicChannel
    };
    access.require(auth, permission)?;
    if archive && access.channel.name == TOWN_SQUARE {
        return Err(AppError::bad_request(
            "api.channel.delete_channel.cannot.app_error",
            "The default channel cannot be archived.",
        )
        .into());
    }
    let mut channel = access.channel;
    let now = now_ms();
    channel.delete_at = if archive { now } else { 0 };
    channel.update_at = now;
    let announcement = system_posts::channel_archived(&channel.id, &auth.user, archive, now);
    state
        .store
        .update_channel_announced(&channel, std::slice::from_ref(&announcement))
        .await?;
    // Members see the announcement before the channel goes read-only in their client.
    system_posts::publish(state, &channel, &auth.user, &[announcement]);
    state.realtime.publish(if archive {
        events::channel_deleted(&channel)
    } else {
        events::channel_restored(&channel)
    });
    Ok(channel)
}

/// Adds a user to a channel: joining a public channel yourself needs `join_public_channels`;
/// adding others needs the channel's manage-members permission. Users must be on the team.
pub async fn add_member(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    user_id: &str,
) -> Result<ChannelMember> {
    let access = access(state, auth, channel_id).await?;
    if matches!(access.channel.channel_type.as_str(), "D" | "G") {
        return Err(AppError::bad_request(
            "api.channel.add_user_to_channel.type.app_error",
            "Members cannot be added to direct or group channels.",
        )
        .into());
    }
    if access.channel.delete_at != 0 {
        return Err(AppError::bad_request(
            "api.channel.add_user.to.channel.failed.deleted.app_error",
            "The channel is archived.",
        )
        .into());
    }
    let joining_self = user_id == auth.user_id();
    let allowed = if joining_self && !access.is_private() {
        access.can(auth, Permission::JoinPublicChannels)
    } else {
        (access.member.is_some() && access.can(auth, access.members_permission()))
            || auth.can(Permission::ManageSystem)
    };
    if !allowed {
        return Err(AppError::forbidden(access.members_permission().id()).into());
    }
    let on_team = state
        .store
        .team_member(&access.channel.team_id, user_id)
        .await?
        .is_some_and(|m| m.delete_at == 0);
    if !on_team {
        return Err(AppError::bad_request(
            "api.channel.add_user.to.channel.failed.app_error",
            "The user must be a member of the team to join its channels.",
        )
        .into());
    }
    let user = state
        .store
        .user(user_id)
        .await?
        .ok_or_else(crate::app::users::missing_account)?;
    let now = now_ms();
    let announcement = system_posts::channel_joined(&access.channel.id, &auth.user, &user, now);
    let added = state
        .store
        .add_channel_member(
            &access.channel.id,
            &member_row(user_id, false, now),
            Some(&announcement),
            &access.channel.team_id,
        )
        .await?;
    notify::channel_join(state, &access.channel, user_id);
    if added {
        system_posts::publish(state, &access.channel, &auth.user, &[announcement]);
    }
    Ok(state
        .store
        .channel_member(&access.channel.id, user_id)
        .await?
        .ok_or_else(|| AppError::internal("member missing after insert"))?)
}

/// Removes a user from a channel: leaving yourself, or with the manage-members permission.
pub async fn remove_member(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    user_id: &str,
) -> Result<()> {
    let access = access(state, auth, channel_id).await?;
    access.require_read(auth)?;
    if matches!(access.channel.channel_type.as_str(), "D" | "G") {
        return Err(AppError::bad_request(
            "api.channel.remove_user_from_channel.direct.app_error",
            "Nobody can leave a direct or group channel.",
        )
        .into());
    }
    if access.channel.name == TOWN_SQUARE {
        return Err(AppError::bad_request(
            "api.channel.remove.default.app_error",
            "Nobody can leave the default channel.",
        )
        .into());
    }
    if user_id != auth.user_id() {
        access.require(auth, access.members_permission())?;
    }
    let user = state
        .store
        .user(user_id)
        .await?
        .ok_or_else(member_not_found)?;
    let announcement = system_posts::channel_left(&access.channel.id, &auth.user, &user, now_ms());
    if !state
        .store
        .remove_channel_member(
            &access.channel.id,
            user_id,
            Some(&announcement),
            &access.channel.team_id,
        )
        .await?
    {
        return Err(member_not_found().into());
    }
    notify::channel_leave(state, &access.channel.id, user_id, auth.user_id());
    system_posts::publish(state, &access.channel, &auth.user, &[announcement]);
    Ok(())
}

pub fn member_not_found() -> AppError {
    AppError::not_found(
        "app.channel.get_member.missing.app_error",
        "No channel member found for that user and channel.",
    )
}

/// Sets a member's channel roles (`channel_user` or `channel_user channel_admin`).
pub async fn update_member_roles(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    user_id: &str,
    roles: &str,
) -> Result<()> {
    let access = access(state, auth, channel_id).await?;
    access.require(auth, Permission::ManageChannelRoles)?;
    state
        .store
        .channel_member(channel_id, user_id)
        .await?
        .ok_or_else(member_not_found)?;
    let mut admin = false;
    for role in roles.split_whitespace() {
        match role {
            "channel_user" => {}
            "channel_admin" => admin = true,
            other => {
                return Err(AppError::bad_request(
                    "api.channel.update_channel_member_roles.invalid_role.app_error",
                    format!("{other} is not a channel role. Allowed: channel_user, channel_admin."),
                )
                .into())
            }
        }
    }
    state
        .store
        .set_channel_member_admin(channel_id, user_id, admin)
        .await?;
    Ok(())
}

/// Merges notification settings into a member's (your own, or anyone's for admins).
pub async fn update_notify_props(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    user_id: &str,
    props: StringMap,
) -> Result<()> {
    if user_id != auth.user_id() {
        auth.require(Permission::EditOtherUsers)?;
    }
    let member = state
        .store
        .channel_member(channel_id, user_id)
        .await?
        .ok_or_else(member_not_found)?;
    let mut merged = member.notify_props;
    merged.extend(props);
    state
        .store
        .set_channel_member_notify_props(channel_id, user_id, &merged)
        .await?;
    Ok(())
}

/// Converts a public channel to private or back (`PUT /channels/{id}/privacy`). The default
/// channel, direct and group channels cannot change; converting needs the matching
/// `convert_*` permission (channel or team admins by default).
pub async fn convert_privacy(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    privacy: &str,
) -> Result<Channel> {
    let access = access(state, auth, channel_id).await?;
    access.require_read(auth)?;
    let (to_private, permission) = match privacy {
        "P" => (true, Permission::ConvertPublicChannelToPrivate),
        "O" => (false, Permission::ConvertPrivateChannelToPublic),
        _ => return Err(AppError::invalid_body_param("privacy").into()),
    };
    let channel = &access.channel;
    if matches!(channel.channel_type.as_str(), "D" | "G") {
        return Err(AppError::bad_request(
            "api.channel.update_channel_privacy.direct_or_group_error",
            "Direct and group channels cannot change privacy.",
        )
        .into());
    }
    if channel.name == TOWN_SQUARE {
        return Err(AppError::bad_request(
            "api.channel.update_channel_privacy.default_channel_error",
            "The default channel cannot be made private.",
        )
        .into());
    }
    if channel.delete_at != 0 {
        return Err(AppError::bad_request(
            "api.channel.update_channel_privacy.archived_channel_error",
            "An archived channel cannot change privacy.",
        )
        .into());
    }
    access.require(auth, permission)?;
    if channel.channel_type == privacy {
        return Ok(access.channel);
    }
    let now = now_ms();
    let mut converted = access.channel.clone();
    converted.channel_type = privacy.to_string();
    converted.update_at = now;
    let announcement =
        system_posts::channel_privacy_changed(&converted.id, &auth.user, to_private, now);
    state
        .store
        .update_channel_announced(&converted, std::slice::from_ref(&announcement))
        .await?;
    state
        .realtime
        .publish(events::channel_converted(&converted));
    system_posts::publish(state, &converted, &auth.user, &[announcement]);
    Ok(state
        .store
        .channel(&converted.id)
        .await?
        .unwrap_or(converted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names() {
        assert_eq!(validate_channel_name("Off-Topic").unwrap(), "off-topic");
        assert!(validate_channel_name("a").is_ok());
        for bad in ["", "-x", "has space", "dot.ted", &"a".repeat(65)] {
            assert!(validate_channel_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn group_names_are_sha1_of_sorted_ids() {
        let ids = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        assert_eq!(group_name(&ids), "a9993e364706816aba3e25717850c26c9cd0d89d");
    }
}
