//! `/teams`: teams, membership, invite links and unread counts.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use townsquare_sdk::model::{Team, TeamMember, TeamUnread};
use townsquare_sdk::AppError;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{
    id_param, patch_from_full, require_self_or, status_ok, user_id_param, Pagination,
};
use crate::api::auth::Auth;
use crate::api::extract::{flag, nullable, Json as JsonBody, Path, Query};
use crate::app::auth::AuthContext;
use crate::app::permissions::Permission;
use crate::app::teams::{
    self, can_in_team, membership, team_by_id, visible_team, NewTeam, TeamPatch,
};
use crate::error::Result;
use crate::state::AppState;
use crate::store::teams::TeamVisibility;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_team, list_teams))
        .routes(routes!(get_team, update_team, archive_team))
        .routes(routes!(patch_team))
        .routes(routes!(restore_team))
        .routes(routes!(team_by_name))
        .routes(routes!(team_exists))
        .routes(routes!(search_teams))
        .routes(routes!(list_members, add_member))
        .routes(routes!(add_members_batch))
        .routes(routes!(get_member, remove_member))
        .routes(routes!(update_member_roles))
        .routes(routes!(join_by_invite))
        .routes(routes!(regenerate_invite_id))
        .routes(routes!(user_teams))
        .routes(routes!(user_team_members))
        .routes(routes!(user_team_unreads))
        .routes(routes!(user_team_unread))
}

/// Teams as the caller may see them: invite ids and emails only for team managers.
fn shown(auth: &AuthContext, member: Option<&TeamMember>, mut team: Team) -> Team {
    if !can_in_team(auth, member, Permission::ManageTeam) {
        team.email.clear();
        team.invite_id.clear();
    }
    team
}

/// Create a team; the caller becomes its admin and `town-square` and `off-topic` are created.
#[utoipa::path(post, path = "/api/v4/teams", tag = "teams", request_body = NewTeam,
    responses((status = 201, description = "The team", body = Value), (status = 400, description = "Invalid or taken name")))]
pub async fn create_team(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(input): JsonBody<NewTeam>,
) -> Result<Response> {
    let team = teams::create_team(&state, &auth, input).await?;
    Ok((StatusCode::CREATED, Json(team)).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListTeamsQuery {
    pub page: Option<String>,
    pub per_page: Option<String>,
    /// Answer `{"teams": [...], "total_count": n}`.
    pub include_total_count: Option<String>,
}

/// Teams: all for system admins, open teams for everyone else.
#[utoipa::path(get, path = "/api/v4/teams", tag = "teams", params(ListTeamsQuery),
    responses((status = 200, description = "Teams", body = Vec<Value>)))]
pub async fn list_teams(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Query(query): Query<ListTeamsQuery>,
) -> Result<Json<Value>> {
    let (offset, limit) = Pagination {
        page: query.page,
        per_page: query.per_page,
    }
    .window();
    let visibility = if auth.can(Permission::ManageSystem) {
        TeamVisibility::All
    } else if auth.can(Permission::ListPublicTeams) {
        TeamVisibility::OpenOnly
    } else {
        return Ok(Json(json!([])));
    };
    let (list, total) = state
        .store
        .list_teams(visibility, false, offset, limit)
        .await?;
    let list: Vec<Team> = list.into_iter().map(|t| shown(&auth, None, t)).collect();
    if flag(&query.include_total_count) {
        Ok(Json(json!({"teams": list, "total_count": total})))
    } else {
        Ok(Json(serde_json::to_value(list).unwrap_or_default()))
    }
}

/// A team by id.
#[utoipa::path(get, path = "/api/v4/teams/{team_id}", tag = "teams", params(("team_id" = String, Path)),
    responses((status = 200, description = "The team", body = Value), (status = 404, description = "No such team")))]
pub async fn get_team(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path(team_id): Path<String>,
) -> Result<Json<Team>> {
    let team = team_by_id(&state, &id_param(&team_id, "team_id")?).await?;
    let (team, member) = visible_team(&state, &auth, team).await?;
    Ok(Json(shown(&auth, member.as_ref(), team)))
}

/// A team by name.
#[utoipa::path(get, path = "/api/v4/teams/name/{name}", tag = "teams", params(("name" = String, Path)),
    responses((status = 200, description = "The team", body = Value), (status = 404, description = "No such team")))]
pub async fn team_by_name(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path(name): Path<String>,
) -> Result<Json<Team>> {
    let team = state
        .store
        .team_by_name(&name.to_lowercase())
        .await?
        .ok_or_else(|| {
            AppError::not_found(
                "app.team.get_by_name.missing.app_error",
                "Unable to find the existing team.",
            )
        })?;
    let (team, member) = visible_team(&state, &auth, team).await?;
    Ok(Json(shown(&auth, member.as_ref(), team)))
}

/// Whether a team name is taken.
#[utoipa::path(get, path = "/api/v4/teams/name/{name}/exists", tag = "teams", params(("name" = String, Path)),
    responses((status = 200, description = "`{\"exists\": bool}`", body = Value)))]
pub async fn team_exists(
    State(state): State<AppState>,
    Auth(_auth): Auth,
    Path(name): Path<String>,
) -> Result<Json<Value>> {
    let exists = state
        .store
        .team_by_name(&name.to_lowercase())
        .await?
        .is_some();
    Ok(Json(json!({ "exists": exists })))
}

/// Patch a team (team admins).
#[utoipa::path(put, path = "/api/v4/teams/{team_id}/patch", tag = "teams", request_body = TeamPatch,
    params(("team_id" = String, Path)), responses((status = 200, description = "The team", body = Value)))]
pub async fn patch_team(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path(team_id): Path<String>,
    JsonBody(patch): JsonBody<TeamPatch>,
) -> Result<Json<Team>> {
    Ok(Json(
        teams::patch_team(&state, &auth, &id_param(&team_id, "team_id")?, patch).await?,
    ))
}

/// Update a team from a full team object (the id must match the path).
#[utoipa::path(put, path = "/api/v4/teams/{team_id}", tag = "teams", request_body = TeamPatch,
    params(("team_id" = String, Path)), responses((status = 200, description = "The team", body = Value)))]
pub async fn update_team(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path(team_id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Team>> {
    let team_id = id_param(&team_id, "team_id")?;
    let patch: TeamPatch = patch_from_full(body, &team_id, "team")?;
    Ok(Json(
        teams::patch_team(&state, &auth, &team_id, patch).await?,
    ))
}

/// Archive a team. Its channels, posts and members are kept.
#[utoipa::path(delete, path = "/api/v4/teams/{team_id}", tag = "teams", params(("team_id" = String, Path)),
    responses((status = 200, description = "OK", body = Value)))]
pub async fn archive_team(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path(team_id): Path<String>,
) -> Result<Json<Value>> {
    teams::set_archived(&state, &auth, &id_param(&team_id, "team_id")?, true).await?;
    Ok(status_ok())
}

/// Restore an archived team.
#[utoipa::path(post, path = "/api/v4/teams/{team_id}/restore", tag = "teams", params(("team_id" = String, Path)),
    responses((status = 200, description = "The team", body = Value)))]
pub async fn restore_team(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path(team_id): Path<String>,
) -> Result<Json<Team>> {
    Ok(Json(
        teams::set_archived(&state, &auth, &id_param(&team_id, "team_id")?, false).await?,
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct TeamSearch {
    #[serde(deserialize_with = "nullable")]
    pub term: String,
}

/// Search teams by name or display name prefix.
#[utoipa::path(post, path = "/api/v4/teams/search", tag = "teams", request_body = TeamSearch,
    responses((status = 200, description = "Teams", body = Vec<Value>)))]
pub async fn search_teams(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(search): JsonBody<TeamSearch>,
) -> Result<Json<Vec<Team>>> {
    let visibility = if auth.can(Permission::ManageSystem) {
        TeamVisibility::All
    } else {
        TeamVisibility::OpenOnly
    };
    let found = state
        .store
        .search_teams(search.term.trim(), visibility)
        .await?;
    Ok(Json(
        found.into_iter().map(|t| shown(&auth, None, t)).collect(),
    ))
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

/// Members of a team.
#[utoipa::path(get, path = "/api/v4/teams/{team_id}/members", tag = "teams", params(("team_id" = String, Path), Pagination),
    responses((status = 200, description = "Members", body = Vec<Value>)))]
pub async fn list_members(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path(team_id): Path<String>,
    Query(page): Query<Pagination>,
) -> Result<Json<Vec<TeamMember>>> {
    let team_id = id_param(&team_id, "team_id")?;
    require_view(&state, &auth, &team_id).await?;
    let (offset, limit) = page.window();
    Ok(Json(
        state.store.team_members(&team_id, offset, limit).await?,
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct MemberBody {
    #[serde(deserialize_with = "nullable")]
    pub team_id: String,
    #[serde(deserialize_with = "nullable")]
    pub user_id: String,
}

/// Add a user to a team (yourself to an open team, or anyone with `add_user_to_team`).
#[utoipa::path(post, path = "/api/v4/teams/{team_id}/members", tag = "teams", request_body = MemberBody,
    params(("team_id" = String, Path)), responses((status = 201, description = "The member", body = Value)))]
pub async fn add_member(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path(team_id): Path<String>,
    JsonBody(body): JsonBody<MemberBody>,
) -> Result<Response> {
    let team_id = id_param(&team_id, "team_id")?;
    if !body.team_id.is_empty() && body.team_id != team_id {
        return Err(AppError::invalid_body_param("team_id").into());
    }
    let user_id =
        id_param(&body.user_id, "user_id").map_err(|_| AppError::invalid_body_param("user_id"))?;
    let mut members = teams::add_members(&state, &auth, &team_id, &[user_id]).await?;
    let member = members
        .pop()
        .ok_or_else(|| AppError::internal("member missing after insert"))?;
    Ok((StatusCode::CREATED, Json(member)).into_response())
}

/// Add several users to a team.
#[utoipa::path(post, path = "/api/v4/teams/{team_id}/members/batch", tag = "teams", request_body = Vec<MemberBody>,
    params(("team_id" = String, Path)), responses((status = 201, description = "The members", body = Vec<Value>)))]
pub async fn add_members_batch(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path(team_id): Path<String>,
    JsonBody(body): JsonBody<Vec<MemberBody>>,
) -> Result<Response> {
    let team_id = id_param(&team_id, "team_id")?;
    if body.is_empty() || body.len() > 256 {
        return Err(AppError::invalid_body_param("members").into());
    }
    let mut ids = Vec::with_capacity(body.len());
    for member in body {
        if member.team_id != team_id {
            return Err(AppError::invalid_body_param("team_id").into());
        }
        ids.push(
            id_param(&member.user_id, "user_id")
                .map_err(|_| AppError::invalid_body_param("user_id"))?,
        );
    }
    let members = teams::add_members(&state, &auth, &team_id, &ids).await?;
    Ok((StatusCode::CREATED, Json(members)).into_response())
}

/// One team member.
#[utoipa::path(get, path = "/api/v4/teams/{team_id}/members/{user_id}", tag = "teams",
    params(("team_id" = String, Path), ("user_id" = String, Path)),
    responses((status = 200, description = "The member", body = Value), (status = 404, description = "Not a member")))]
pub async fn get_member(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path((team_id, user_id)): Path<(String, String)>,
) -> Result<Json<TeamMember>> {
    let team_id = id_param(&team_id, "team_id")?;
    let user_id = user_id_param(&user_id, &auth)?;
    require_view(&state, &auth, &team_id).await?;
    let member = state
        .store
        .team_member(&team_id, &user_id)
        .await?
        .ok_or_else(|| {
            AppError::not_found(
                "app.team.get_member.missing.app_error",
                "No team member found.",
            )
        })?;
    Ok(Json(member))
}

/// Remove a user from a team (and from its channels).
#[utoipa::path(delete, path = "/api/v4/teams/{team_id}/members/{user_id}", tag = "teams",
    params(("team_id" = String, Path), ("user_id" = String, Path)),
    responses((status = 200, description = "OK", body = Value)))]
pub async fn remove_member(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path((team_id, user_id)): Path<(String, String)>,
) -> Result<Json<Value>> {
    let team_id = id_param(&team_id, "team_id")?;
    let user_id = user_id_param(&user_id, &auth)?;
    teams::remove_member(&state, &auth, &team_id, &user_id).await?;
    Ok(status_ok())
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct RolesBody {
    #[serde(deserialize_with = "nullable")]
    pub roles: String,
}

/// Set a member's team roles.
#[utoipa::path(put, path = "/api/v4/teams/{team_id}/members/{user_id}/roles", tag = "teams", request_body = RolesBody,
    params(("team_id" = String, Path), ("user_id" = String, Path)),
    responses((status = 200, description = "OK", body = Value)))]
pub async fn update_member_roles(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path((team_id, user_id)): Path<(String, String)>,
    JsonBody(body): JsonBody<RolesBody>,
) -> Result<Json<Value>> {
    let team_id = id_param(&team_id, "team_id")?;
    let user_id = user_id_param(&user_id, &auth)?;
    teams::update_member_roles(&state, &auth, &team_id, &user_id, &body.roles).await?;
    Ok(status_ok())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct InviteQuery {
    pub invite_id: Option<String>,
}

/// Join a team with its invite id.
#[utoipa::path(post, path = "/api/v4/teams/members/invite", tag = "teams", params(InviteQuery),
    responses((status = 201, description = "The member", body = Value), (status = 400, description = "Unknown invite id")))]
pub async fn join_by_invite(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Query(query): Query<InviteQuery>,
) -> Result<Response> {
    let invite = query.invite_id.unwrap_or_default();
    let team = match id_param(&invite, "invite_id") {
        Ok(invite) => state.store.team_by_invite_id(&invite).await?,
        Err(_) => None,
    }
    .filter(|t| t.delete_at == 0)
    .ok_or_else(|| {
        AppError::bad_request(
            "app.team.invite_id.missing.app_error",
            "The invite link is invalid or expired.",
        )
    })?;
    let mut members = teams::join(&state, &auth.user, &team, &[auth.user_id().to_string()]).await?;
    let member = members
        .pop()
        .ok_or_else(|| AppError::internal("member missing after insert"))?;
    Ok((StatusCode::CREATED, Json(member)).into_response())
}

/// Issue a new invite id (old invite links stop working).
#[utoipa::path(post, path = "/api/v4/teams/{team_id}/regenerate_invite_id", tag = "teams",
    params(("team_id" = String, Path)), responses((status = 200, description = "The team", body = Value)))]
pub async fn regenerate_invite_id(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path(team_id): Path<String>,
) -> Result<Json<Team>> {
    let team_id = id_param(&team_id, "team_id")?;
    let mut team = team_by_id(&state, &team_id).await?;
    let member = membership(&state, &auth, &team_id).await?;
    if !can_in_team(&auth, member.as_ref(), Permission::ManageTeam) {
        return Err(AppError::forbidden(Permission::ManageTeam.id()).into());
    }
    team.invite_id = crate::id::new_id();
    team.update_at = crate::time::now_ms();
    state.store.update_team(&team).await?;
    Ok(Json(team))
}

/// Teams a user belongs to.
#[utoipa::path(get, path = "/api/v4/users/{user_id}/teams", tag = "teams", params(("user_id" = String, Path)),
    responses((status = 200, description = "Teams", body = Vec<Value>)))]
pub async fn user_teams(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path(user_id): Path<String>,
) -> Result<Json<Vec<Team>>> {
    let user_id = user_id_param(&user_id, &auth)?;
    require_self_or(&auth, &user_id, Permission::ManageSystem)?;
    let list = state.store.teams_for_user(&user_id).await?;
    let mut shown_list = Vec::with_capacity(list.len());
    for team in list {
        let member = membership(&state, &auth, &team.id).await?;
        shown_list.push(shown(&auth, member.as_ref(), team));
    }
    Ok(Json(shown_list))
}

/// A user's team memberships.
#[utoipa::path(get, path = "/api/v4/users/{user_id}/teams/members", tag = "teams", params(("user_id" = String, Path)),
    responses((status = 200, description = "Members", body = Vec<Value>)))]
pub async fn user_team_members(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path(user_id): Path<String>,
) -> Result<Json<Vec<TeamMember>>> {
    let user_id = user_id_param(&user_id, &auth)?;
    require_self_or(&auth, &user_id, Permission::ManageSystem)?;
    Ok(Json(state.store.team_members_for_user(&user_id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct UnreadQuery {
    /// Leave this team out.
    pub exclude_team: Option<String>,
    #[allow(dead_code)]
    pub include_collapsed_threads: Option<String>,
}

fn to_unread(row: crate::store::teams::TeamUnreadRow) -> TeamUnread {
    TeamUnread {
        team_id: row.team_id,
        msg_count: row.msg_count.max(0),
        mention_count: row.mention_count,
        mention_count_root: row.mention_count_root,
        msg_count_root: row.msg_count_root.max(0),
        ..Default::default()
    }
}

/// Unread counts per team.
#[utoipa::path(get, path = "/api/v4/users/{user_id}/teams/unread", tag = "teams", params(("user_id" = String, Path), UnreadQuery),
    responses((status = 200, description = "Unread counts", body = Vec<Value>)))]
pub async fn user_team_unreads(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path(user_id): Path<String>,
    Query(query): Query<UnreadQuery>,
) -> Result<Json<Vec<TeamUnread>>> {
    let user_id = user_id_param(&user_id, &auth)?;
    require_self_or(&auth, &user_id, Permission::ManageSystem)?;
    let exclude = query.exclude_team.unwrap_or_default();
    let rows = state.store.team_unreads(&user_id).await?;
    Ok(Json(
        rows.into_iter()
            .filter(|r| r.team_id != exclude)
            .map(to_unread)
            .collect(),
    ))
}

/// Unread counts for one team.
#[utoipa::path(get, path = "/api/v4/users/{user_id}/teams/{team_id}/unread", tag = "teams",
    params(("user_id" = String, Path), ("team_id" = String, Path)),
    responses((status = 200, description = "Unread counts", body = Value)))]
pub async fn user_team_unread(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path((user_id, team_id)): Path<(String, String)>,
) -> Result<Json<TeamUnread>> {
    let user_id = user_id_param(&user_id, &auth)?;
    let team_id = id_param(&team_id, "team_id")?;
    require_self_or(&auth, &user_id, Permission::ManageSystem)?;
    let row = state
        .store
        .team_unreads(&user_id)
        .await?
        .into_iter()
        .find(|r| r.team_id == team_id)
        .unwrap_or(crate::store::teams::TeamUnreadRow {
            team_id,
            ..Default::default()
        });
    Ok(Json(to_unread(row)))
}
