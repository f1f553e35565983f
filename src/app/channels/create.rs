//! Creating public and private channels.

use serde::Deserialize;
use townsquare_sdk::model::Channel;
use townsquare_sdk::AppError;

use super::validate::{invalid, name_taken, validate_channel_name, validate_text};
use crate::app::auth::AuthContext;
use crate::app::permissions::Permission;
use crate::app::teams::channel_notify_props_json;
use crate::error::Result;
use crate::id::new_id;
use crate::realtime::events;
use crate::serde_util::nullable;
use crate::state::AppState;
use crate::store::is_unique_violation;
use crate::store::membership::NewChannelMember;
use crate::time::now_ms;

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

pub(super) fn member_row(user_id: &str, admin: bool, now: i64) -> NewChannelMember {
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
