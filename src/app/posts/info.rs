//! `GET /posts/{post_id}/info`: where a post lives and whether the caller has joined it, for
//! a permalink to a channel or team the caller is not in yet. Anything the caller could not
//! join or read is answered as if the post did not exist (Mattermost's `getPostInfo`).

use serde::Serialize;
use utoipa::ToSchema;

use super::post_not_found;
use crate::app::auth::AuthContext;
use crate::app::channels::access;
use crate::app::permissions::Permission;
use crate::error::Result;
use crate::state::AppState;

/// Mattermost's `PostInfo`; the team fields are empty in direct and group channels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PostInfo {
    pub channel_id: String,
    pub channel_type: String,
    pub channel_display_name: String,
    pub has_joined_channel: bool,
    pub team_id: String,
    /// `O` (anyone may join) or `I` (invite only).
    pub team_type: String,
    pub team_display_name: String,
    pub has_joined_team: bool,
}

pub async fn info(state: &AppState, auth: &AuthContext, post_id: &str) -> Result<PostInfo> {
    let post = state
        .store
        .post(post_id)
        .await?
        .filter(|p| p.delete_at == 0 && p.original_id.is_empty())
        .ok_or_else(post_not_found)?;
    let access = access(state, auth, &post.channel_id).await?;
    let channel = &access.channel;
    let mut info = PostInfo {
        channel_id: channel.id.clone(),
        channel_type: channel.channel_type.clone(),
        channel_display_name: channel.display_name.clone(),
        has_joined_channel: access.member.is_some(),
        team_id: String::new(),
        team_type: String::new(),
        team_display_name: String::new(),
        has_joined_team: false,
    };
    if !channel.team_id.is_empty() {
        let team = state
            .store
            .team(&channel.team_id)
            .await?
            .ok_or_else(crate::app::teams::team_not_found)?;
        let joined = access.team_member.is_some();
        // `join_private_teams` is a system admin's only, by default.
        let may_join = if team.allow_open_invite {
            auth.can(Permission::JoinPublicTeams)
        } else {
            auth.can(Permission::ManageSystem)
        };
        if !joined && !may_join {
            return Err(post_not_found().into());
        }
        info.team_type = if team.allow_open_invite { "O" } else { "I" }.into();
        info.team_id = team.id;
        info.team_display_name = team.display_name;
        info.has_joined_team = joined;
    }
    let may_see = info.has_joined_channel
        || match channel.channel_type.as_str() {
            "O" => true,
            "P" => access.can(auth, Permission::ManagePrivateChannelMembers),
            // Reading someone else's direct or group channel: system admins only.
            _ => auth.can(Permission::ManageSystem),
        };
    if !may_see {
        return Err(post_not_found().into());
    }
    Ok(info)
}
