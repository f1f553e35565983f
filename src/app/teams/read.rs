//! Reading teams: lookups, lists and search (with what each caller may see), members,
//! member counts, a user's teams, unread counts, and invite ids.

use townsquare_sdk::model::{Team, TeamMember, TeamUnread};
use townsquare_sdk::AppError;

use super::{can_in_team, membership, team_by_id, team_by_name, visible_team};
use crate::app::auth::AuthContext;
use crate::app::permissions::Permission;
use crate::error::Result;
use crate::state::AppState;
use crate::store::teams::{TeamUnreadRow, TeamVisibility};

/// A team as the caller may see it: invite ids and emails only for team managers.
pub fn shown(auth: &AuthContext, member: Option<&TeamMember>, mut team: Team) -> Team {
    if !can_in_team(auth, member, Permission::ManageTeam) {
        team.email.clear();
        team.invite_id.clear();
    }
    team
}

/// A team by id, if the caller may see it.
pub async fn get(state: &AppState, auth: &AuthContext, team_id: &str) -> Result<Team> {
    let team = team_by_id(state, team_id).await?;
    let (team, member) = visible_team(state, auth, team).await?;
    Ok(shown(auth, member.as_ref(), team))
}

/// A team by name, if the caller may see it.
pub async fn get_by_name(state: &AppState, auth: &AuthContext, name: &str) -> Result<Team> {
    let team = team_by_name(state, name).await?;
    let (team, member) = visible_team(state, auth, team).await?;
    Ok(shown(auth, member.as_ref(), team))
}

/// Whether a team name is taken.
pub async fn name_exists(state: &AppState, name: &str) -> Result<bool> {
    Ok(state
        .store
        .team_by_name(&name.to_lowercase())
        .await?
        .is_some())
}

/// A page of teams: all for system admins, open teams for those who may list them, `None`
/// for everyone else. Also the total count.
pub async fn list(
    state: &AppState,
    auth: &AuthContext,
    offset: i64,
    limit: i64,
) -> Result<Option<(Vec<Team>, i64)>> {
    let visibility = if auth.can(Permission::ManageSystem) {
        TeamVisibility::All
    } else if auth.can(Permission::ListPublicTeams) {
        TeamVisibility::OpenOnly
    } else {
        return Ok(None);
    };
    let (list, total) = state
        .store
        .list_teams(visibility, false, offset, limit)
        .await?;
    let list = list.into_iter().map(|t| shown(auth, None, t)).collect();
    Ok(Some((list, total)))
}

/// Teams by name or display name prefix.
pub async fn search(state: &AppState, auth: &AuthContext, term: &str) -> Result<Vec<Team>> {
    let visibility = if auth.can(Permission::ManageSystem) {
        TeamVisibility::All
    } else {
        TeamVisibility::OpenOnly
    };
    let found = state.store.search_teams(term, visibility).await?;
    Ok(found.into_iter().map(|t| shown(auth, None, t)).collect())
}

async fn require_view(state: &AppState, auth: &AuthContext, team_id: &str) -> Result<()> {
    let team = team_by_id(state, team_id).await?;
    let member = membership(state, auth, team_id).await?;
    if member.is_none()
        && !auth.can(Permission::ManageSystem)
        && !(team.allow_open_invite && auth.can(Permission::ListPublicTeams))
    {
        return Err(AppError::forbidden(Permission::ViewTeam.id()).into());
    }
    Ok(())
}

/// A page of a team's members.
pub async fn members(
    state: &AppState,
    auth: &AuthContext,
    team_id: &str,
    offset: i64,
    limit: i64,
) -> Result<Vec<TeamMember>> {
    require_view(state, auth, team_id).await?;
    Ok(state.store.team_members(team_id, offset, limit).await?)
}

/// `view_team`, as Mattermost checks it: a member of the team, or a system admin (an open
/// team is not enough here).
async fn require_view_team(state: &AppState, auth: &AuthContext, team_id: &str) -> Result<()> {
    let member = membership(state, auth, team_id).await?;
    if can_in_team(auth, member.as_ref(), Permission::ViewTeam) {
        Ok(())
    } else {
        Err(AppError::forbidden(Permission::ViewTeam.id()).into())
    }
}

/// Mattermost's `TeamStats`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TeamStats {
    pub team_id: String,
    /// Active memberships.
    pub total_member_count: i64,
    /// Active memberships of accounts that are not deactivated.
    pub active_member_count: i64,
}

/// Member counts of a team (`view_team`).
pub async fn stats(state: &AppState, auth: &AuthContext, team_id: &str) -> Result<TeamStats> {
    require_view_team(state, auth, team_id).await?;
    let (total, active) = state.store.team_member_counts(team_id).await?;
    Ok(TeamStats {
        team_id: team_id.to_string(),
        total_member_count: total,
        active_member_count: active,
    })
}

/// The active members of a team among `user_ids` (`view_team`); duplicates collapse, others
/// are left out, and an empty list is a 400.
pub async fn members_by_ids(
    state: &AppState,
    auth: &AuthContext,
    team_id: &str,
    user_ids: &[String],
) -> Result<Vec<TeamMember>> {
    if user_ids.is_empty() {
        return Err(AppError::invalid_body_param("user_ids").into());
    }
    require_view_team(state, auth, team_id).await?;
    let mut wanted = user_ids.to_vec();
    wanted.sort();
    wanted.dedup();
    Ok(state.store.team_members_by_ids(team_id, &wanted).await?)
}

/// One member of a team the caller may view.
pub async fn member(
    state: &AppState,
    auth: &AuthContext,
    team_id: &str,
    user_id: &str,
) -> Result<TeamMember> {
    require_view(state, auth, team_id).await?;
    Ok(state
        .store
        .team_member(team_id, user_id)
        .await?
        .ok_or_else(|| {
            AppError::not_found(
                "app.team.get_member.missing.app_error",
                "No team member found.",
            )
        })?)
}

/// The live team an invite id belongs to.
pub async fn by_invite_id(state: &AppState, invite_id: &str) -> Result<Team> {
    let team = if crate::id::is_valid_id(invite_id) {
        state.store.team_by_invite_id(invite_id).await?
    } else {
        None
    };
    Ok(team.filter(|t| t.delete_at == 0).ok_or_else(|| {
        AppError::bad_request(
            "app.team.invite_id.missing.app_error",
            "The invite link is invalid or expired.",
        )
    })?)
}

/// Issues a new invite id (old invite links stop working); team managers only.
pub async fn regenerate_invite_id(
    state: &AppState,
    auth: &AuthContext,
    team_id: &str,
) -> Result<Team> {
    let mut team = team_by_id(state, team_id).await?;
    let member = membership(state, auth, team_id).await?;
    if !can_in_team(auth, member.as_ref(), Permission::ManageTeam) {
        return Err(AppError::forbidden(Permission::ManageTeam.id()).into());
    }
    team.invite_id = crate::id::new_id();
    team.update_at = crate::time::now_ms();
    state.store.update_team(&team).await?;
    Ok(team)
}

/// Teams a user belongs to, as the caller may see them.
pub async fn teams_for_user(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
) -> Result<Vec<Team>> {
    auth.require_self_or(user_id, Permission::ManageSystem)?;
    let list = state.store.teams_for_user(user_id).await?;
    let mut shown_list = Vec::with_capacity(list.len());
    for team in list {
        let member = membership(state, auth, &team.id).await?;
        shown_list.push(shown(auth, member.as_ref(), team));
    }
    Ok(shown_list)
}

/// A user's team memberships.
pub async fn members_for_user(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
) -> Result<Vec<TeamMember>> {
    auth.require_self_or(user_id, Permission::ManageSystem)?;
    Ok(state.store.team_members_for_user(user_id).await?)
}

fn to_unread(row: TeamUnreadRow) -> TeamUnread {
    TeamUnread {
        team_id: row.team_id,
        msg_count: row.msg_count.max(0),
        mention_count: row.mention_count,
        mention_count_root: row.mention_count_root,
        msg_count_root: row.msg_count_root.max(0),
        ..Default::default()
    }
}

/// Unread counts per team, leaving out `exclude`.
pub async fn unreads(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    exclude: &str,
) -> Result<Vec<TeamUnread>> {
    auth.require_self_or(user_id, Permission::ManageSystem)?;
    let rows = state.store.team_unreads(user_id).await?;
    Ok(rows
        .into_iter()
        .filter(|r| r.team_id != exclude)
        .map(to_unread)
        .collect())
}

/// Unread counts for one team (zeros when the user has none there).
pub async fn unread(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    team_id: &str,
) -> Result<TeamUnread> {
    auth.require_self_or(user_id, Permission::ManageSystem)?;
    let row = state
        .store
        .team_unreads(user_id)
        .await?
        .into_iter()
        .find(|r| r.team_id == team_id)
        .unwrap_or(TeamUnreadRow {
            team_id: team_id.to_string(),
            ..Default::default()
        });
    Ok(to_unread(row))
}
