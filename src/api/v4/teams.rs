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

use super::common::{patch_from_full, status_ok, Pagination};
use crate::api::auth::Auth;
use crate::api::docs::schemas as doc;
use crate::api::extract::{flag, nullable, Json as JsonBody, Path, Query};
use crate::api::ids::{Ids, TeamId, UserIdOrMe};
use crate::app::teams::{self, read, NewTeam, TeamPatch};
use crate::error::Result;
use crate::id::parse_id;
use crate::state::AppState;

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
        .routes(routes!(members_by_ids))
        .routes(routes!(team_stats))
        .routes(routes!(get_member, remove_member))
        .routes(routes!(update_member_roles))
        .routes(routes!(join_by_invite))
        .routes(routes!(regenerate_invite_id))
        .routes(routes!(user_teams))
        .routes(routes!(user_team_members))
        .routes(routes!(user_team_unreads))
        .routes(routes!(user_team_unread))
}

/// Create a team; the caller becomes its admin and `town-square` and `off-topic` are created.
#[utoipa::path(post, path = "/api/v4/teams", tag = "teams", request_body = NewTeam,
    responses((status = 201, description = "The team", body = Team), (status = 400, description = "Invalid or taken name")))]
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
    responses((status = 200, description = "Teams (with `include_total_count=true`: `{teams, total_count}`)", body = doc::TeamList)))]
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
    let Some((list, total)) = read::list(&state, &auth, offset, limit).await? else {
        return Ok(Json(json!([])));
    };
    if flag(&query.include_total_count) {
        Ok(Json(json!({"teams": list, "total_count": total})))
    } else {
        Ok(Json(serde_json::to_value(list).unwrap_or_default()))
    }
}

/// A team by id.
#[utoipa::path(get, path = "/api/v4/teams/{team_id}", tag = "teams", params(("team_id" = String, Path)),
    responses((status = 200, description = "The team", body = Team), (status = 404, description = "No such team")))]
pub async fn get_team(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team_id): Ids<TeamId>,
) -> Result<Json<Team>> {
    Ok(Json(read::get(&state, &auth, &team_id).await?))
}

/// A team by name.
#[utoipa::path(get, path = "/api/v4/teams/name/{name}", tag = "teams", params(("name" = String, Path)),
    responses((status = 200, description = "The team", body = Team), (status = 404, description = "No such team")))]
pub async fn team_by_name(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path(name): Path<String>,
) -> Result<Json<Team>> {
    Ok(Json(read::get_by_name(&state, &auth, &name).await?))
}

/// Whether a team name is taken.
#[utoipa::path(get, path = "/api/v4/teams/name/{name}/exists", tag = "teams", params(("name" = String, Path)),
    responses((status = 200, description = "Whether the name is taken", body = doc::TeamExists)))]
pub async fn team_exists(
    State(state): State<AppState>,
    Auth(_auth): Auth,
    Path(name): Path<String>,
) -> Result<Json<Value>> {
    let exists = read::name_exists(&state, &name).await?;
    Ok(Json(json!({ "exists": exists })))
}

/// Patch a team (team admins).
#[utoipa::path(put, path = "/api/v4/teams/{team_id}/patch", tag = "teams", request_body = TeamPatch,
    params(("team_id" = String, Path)), responses((status = 200, description = "The team", body = Team)))]
pub async fn patch_team(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team_id): Ids<TeamId>,
    JsonBody(patch): JsonBody<TeamPatch>,
) -> Result<Json<Team>> {
    Ok(Json(
        teams::patch_team(&state, &auth, &team_id, patch).await?,
    ))
}

/// Update a team from a full team object (the id must match the path).
#[utoipa::path(put, path = "/api/v4/teams/{team_id}", tag = "teams", request_body = Team,
    params(("team_id" = String, Path)), responses((status = 200, description = "The team", body = Team)))]
pub async fn update_team(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team_id): Ids<TeamId>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Team>> {
    let patch: TeamPatch = patch_from_full(body, &team_id, "team")?;
    Ok(Json(
        teams::patch_team(&state, &auth, &team_id, patch).await?,
    ))
}

/// Archive a team. Its channels, posts and members are kept.
#[utoipa::path(delete, path = "/api/v4/teams/{team_id}", tag = "teams", params(("team_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk)))]
pub async fn archive_team(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team_id): Ids<TeamId>,
) -> Result<Json<Value>> {
    teams::set_archived(&state, &auth, &team_id, true).await?;
    Ok(status_ok())
}

/// Restore an archived team.
#[utoipa::path(post, path = "/api/v4/teams/{team_id}/restore", tag = "teams", params(("team_id" = String, Path)),
    responses((status = 200, description = "The team", body = Team)))]
pub async fn restore_team(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team_id): Ids<TeamId>,
) -> Result<Json<Team>> {
    Ok(Json(
        teams::set_archived(&state, &auth, &team_id, false).await?,
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
    responses((status = 200, description = "Teams", body = Vec<Team>)))]
pub async fn search_teams(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(search): JsonBody<TeamSearch>,
) -> Result<Json<Vec<Team>>> {
    Ok(Json(read::search(&state, &auth, search.term.trim()).await?))
}

/// Members of a team.
#[utoipa::path(get, path = "/api/v4/teams/{team_id}/members", tag = "teams", params(("team_id" = String, Path), Pagination),
    operation_id = "get_team_members",
    responses((status = 200, description = "Members", body = Vec<TeamMember>)))]
pub async fn list_members(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team_id): Ids<TeamId>,
    Query(page): Query<Pagination>,
) -> Result<Json<Vec<TeamMember>>> {
    let (offset, limit) = page.window();
    Ok(Json(
        read::members(&state, &auth, &team_id, offset, limit).await?,
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
    operation_id = "add_team_member",
    params(("team_id" = String, Path)), responses((status = 201, description = "The member", body = TeamMember)))]
pub async fn add_member(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team_id): Ids<TeamId>,
    JsonBody(body): JsonBody<MemberBody>,
) -> Result<Response> {
    if !body.team_id.is_empty() && body.team_id != *team_id {
        return Err(AppError::invalid_body_param("team_id").into());
    }
    let user_id =
        parse_id(&body.user_id, "user_id").map_err(|_| AppError::invalid_body_param("user_id"))?;
    let mut members = teams::add_members(&state, &auth, &team_id, &[user_id]).await?;
    let member = members
        .pop()
        .ok_or_else(|| AppError::internal("member missing after insert"))?;
    Ok((StatusCode::CREATED, Json(member)).into_response())
}

/// Add several users to a team.
#[utoipa::path(post, path = "/api/v4/teams/{team_id}/members/batch", tag = "teams", request_body = Vec<MemberBody>,
    params(("team_id" = String, Path)), responses((status = 201, description = "The members", body = Vec<TeamMember>)))]
pub async fn add_members_batch(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team_id): Ids<TeamId>,
    JsonBody(body): JsonBody<Vec<MemberBody>>,
) -> Result<Response> {
    if body.is_empty() || body.len() > 256 {
        return Err(AppError::invalid_body_param("members").into());
    }
    let mut ids = Vec::with_capacity(body.len());
    for member in body {
        if member.team_id != *team_id {
            return Err(AppError::invalid_body_param("team_id").into());
        }
        ids.push(
            parse_id(&member.user_id, "user_id")
                .map_err(|_| AppError::invalid_body_param("user_id"))?,
        );
    }
    let members = teams::add_members(&state, &auth, &team_id, &ids).await?;
    Ok((StatusCode::CREATED, Json(members)).into_response())
}

/// Team members by user id.
#[utoipa::path(post, path = "/api/v4/teams/{team_id}/members/ids", tag = "teams", operation_id = "get_team_members_by_ids", request_body = Vec<String>,
    params(("team_id" = String, Path)),
    responses((status = 200, description = "The active members among those users", body = Vec<TeamMember>),
              (status = 400, description = "Empty list"),
              (status = 403, description = "Without `view_team`")))]
pub async fn members_by_ids(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team_id): Ids<TeamId>,
    JsonBody(user_ids): JsonBody<Vec<String>>,
) -> Result<Json<Vec<TeamMember>>> {
    Ok(Json(
        read::members_by_ids(&state, &auth, &team_id, &user_ids).await?,
    ))
}

/// Member counts of a team.
#[utoipa::path(get, path = "/api/v4/teams/{team_id}/stats", tag = "teams", params(("team_id" = String, Path)),
    responses((status = 200, description = "TeamStats", body = read::TeamStats),
              (status = 400, description = "Malformed team id"),
              (status = 403, description = "Without `view_team`")))]
pub async fn team_stats(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team_id): Ids<TeamId>,
) -> Result<Json<read::TeamStats>> {
    Ok(Json(read::stats(&state, &auth, &team_id).await?))
}

/// One team member.
#[utoipa::path(get, path = "/api/v4/teams/{team_id}/members/{user_id}", tag = "teams",
    params(("team_id" = String, Path), ("user_id" = String, Path)), operation_id = "get_team_member",
    responses((status = 200, description = "The member", body = TeamMember), (status = 404, description = "Not a member")))]
pub async fn get_member(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((team_id, user)): Ids<(TeamId, UserIdOrMe)>,
) -> Result<Json<TeamMember>> {
    let user_id = user.resolve(&auth);
    Ok(Json(read::member(&state, &auth, &team_id, &user_id).await?))
}

/// Remove a user from a team (and from its channels).
#[utoipa::path(delete, path = "/api/v4/teams/{team_id}/members/{user_id}", tag = "teams",
    params(("team_id" = String, Path), ("user_id" = String, Path)), operation_id = "remove_team_member",
    responses((status = 200, description = "OK", body = doc::StatusOk)))]
pub async fn remove_member(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((team_id, user)): Ids<(TeamId, UserIdOrMe)>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    teams::remove_member(&state, &auth, &team_id, &user_id).await?;
    Ok(status_ok())
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
#[schema(as = TeamMemberRoles)]
pub struct RolesBody {
    #[serde(deserialize_with = "nullable")]
    pub roles: String,
}

/// Set a member's team roles.
#[utoipa::path(put, path = "/api/v4/teams/{team_id}/members/{user_id}/roles", tag = "teams", request_body = RolesBody,
    params(("team_id" = String, Path), ("user_id" = String, Path)), operation_id = "update_team_member_roles",
    responses((status = 200, description = "OK", body = doc::StatusOk)))]
pub async fn update_member_roles(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((team_id, user)): Ids<(TeamId, UserIdOrMe)>,
    JsonBody(body): JsonBody<RolesBody>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    teams::update_member_roles(&state, &auth, &team_id, &user_id, &body.roles).await?;
    Ok(status_ok())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct InviteQuery {
    pub invite_id: Option<String>,
}

/// Join a team with its invite id.
#[utoipa::path(post, path = "/api/v4/teams/members/invite", tag = "teams", params(InviteQuery),
    responses((status = 201, description = "The member", body = TeamMember), (status = 400, description = "Unknown invite id")))]
pub async fn join_by_invite(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Query(query): Query<InviteQuery>,
) -> Result<Response> {
    let invite = query.invite_id.unwrap_or_default();
    let team = read::by_invite_id(&state, &invite).await?;
    let mut members = teams::join(&state, &auth.user, &team, &[auth.user_id().to_string()]).await?;
    let member = members
        .pop()
        .ok_or_else(|| AppError::internal("member missing after insert"))?;
    Ok((StatusCode::CREATED, Json(member)).into_response())
}

/// Issue a new invite id (old invite links stop working).
#[utoipa::path(post, path = "/api/v4/teams/{team_id}/regenerate_invite_id", tag = "teams",
    params(("team_id" = String, Path)), responses((status = 200, description = "The team", body = Team)))]
pub async fn regenerate_invite_id(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team_id): Ids<TeamId>,
) -> Result<Json<Team>> {
    Ok(Json(
        read::regenerate_invite_id(&state, &auth, &team_id).await?,
    ))
}

/// Teams a user belongs to.
#[utoipa::path(get, path = "/api/v4/users/{user_id}/teams", tag = "teams", params(("user_id" = String, Path)),
    responses((status = 200, description = "Teams", body = Vec<Team>)))]
pub async fn user_teams(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
) -> Result<Json<Vec<Team>>> {
    let user_id = user.resolve(&auth);
    Ok(Json(read::teams_for_user(&state, &auth, &user_id).await?))
}

/// A user's team memberships.
#[utoipa::path(get, path = "/api/v4/users/{user_id}/teams/members", tag = "teams", params(("user_id" = String, Path)),
    responses((status = 200, description = "Members", body = Vec<TeamMember>)))]
pub async fn user_team_members(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
) -> Result<Json<Vec<TeamMember>>> {
    let user_id = user.resolve(&auth);
    Ok(Json(read::members_for_user(&state, &auth, &user_id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct UnreadQuery {
    /// Leave this team out.
    pub exclude_team: Option<String>,
    #[allow(dead_code)]
    pub include_collapsed_threads: Option<String>,
}

/// Unread counts per team.
#[utoipa::path(get, path = "/api/v4/users/{user_id}/teams/unread", tag = "teams", params(("user_id" = String, Path), UnreadQuery),
    responses((status = 200, description = "Unread counts", body = Vec<TeamUnread>)))]
pub async fn user_team_unreads(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
    Query(query): Query<UnreadQuery>,
) -> Result<Json<Vec<TeamUnread>>> {
    let user_id = user.resolve(&auth);
    let exclude = query.exclude_team.unwrap_or_default();
    Ok(Json(
        read::unreads(&state, &auth, &user_id, &exclude).await?,
    ))
}

/// Unread counts for one team.
#[utoipa::path(get, path = "/api/v4/users/{user_id}/teams/{team_id}/unread", tag = "teams",
    params(("user_id" = String, Path), ("team_id" = String, Path)),
    responses((status = 200, description = "Unread counts", body = TeamUnread)))]
pub async fn user_team_unread(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, team_id)): Ids<(UserIdOrMe, TeamId)>,
) -> Result<Json<TeamUnread>> {
    let user_id = user.resolve(&auth);
    Ok(Json(read::unread(&state, &auth, &user_id, &team_id).await?))
}
