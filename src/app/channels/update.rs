//! Changing a channel: name, texts, archiving and privacy. Each change commits with its
//! system message, then publishes.

use serde::Deserialize;
use townsquare_sdk::model::Channel;
use townsquare_sdk::AppError;

use super::validate::{name_taken, validate_channel_name, validate_text};
use super::{access, TOWN_SQUARE};
use crate::app::auth::AuthContext;
use crate::app::permissions::Permission;
use crate::app::system_posts;
use crate::error::Result;
use crate::realtime::events;
use crate::state::AppState;
use crate::time::now_ms;

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
