//! `/users`: accounts, profiles, roles, passwords, activation (pictures: `user_images`).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use townsquare_sdk::model::User;
use townsquare_sdk::AppError;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{patch_from_full, status_ok, Pagination};
use crate::api::auth::{Auth, MaybeAuth};
use crate::api::docs::schemas as doc;
use crate::api::extract::{nullable, Json as JsonBody, Path, Query};
use crate::api::ids::{Ids, UserIdOrMe};
use crate::app::first_run::Claim;
use crate::app::permissions::Permission;
use crate::app::user_lists;
use crate::app::users::{
    self, read, sanitize_for, search::UserSearch, Creator, NewUser, UserFilter, UserPatch, UserSort,
};
use crate::error::Result;
use crate::id::parse_id;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_user, list_users))
        .routes(routes!(get_user, deactivate_user))
        .routes(routes!(get_user_by_username))
        .routes(routes!(get_user_by_email))
        .routes(routes!(users_by_ids))
        .routes(routes!(users_in_group_channels))
        .routes(routes!(users_by_usernames))
        .routes(routes!(search_users))
        .routes(routes!(patch_user))
        .routes(routes!(update_user))
        .routes(routes!(update_roles))
        .routes(routes!(update_password))
        .routes(routes!(update_active))
        .routes(routes!(reset_failed_attempts))
        .routes(routes!(channels_for_user))
        .routes(routes!(users_stats))
        .routes(routes!(users_stats_filtered))
        .routes(routes!(known_users))
}

fn view(auth: Option<&crate::app::auth::AuthContext>, user: User, state: &AppState) -> User {
    sanitize_for(auth, user, &state.config())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CreateUserQuery {
    /// A team's invite id: signs up on a closed server and joins that team.
    pub iid: Option<String>,
    /// An email invitation token (Townsquare sends none, so none is valid).
    pub t: Option<String>,
}

/// Carries the setup code that claims a server without accounts (or the body's `setup_code`).
pub const SETUP_CODE_HEADER: &str = "x-townsquare-setup-code";

/// Straight from this machine: a loopback peer, and no proxy header (a reverse proxy on the
/// same host would otherwise make every visitor look local).
fn is_local(peer: Option<SocketAddr>, headers: &HeaderMap) -> bool {
    let proxied = ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|name| headers.contains_key(*name));
    let loopback = peer.is_some_and(|addr| match addr.ip() {
        IpAddr::V4(ip) => ip.is_loopback(),
        IpAddr::V6(ip) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    });
    loopback && !proxied
}

/// Create a user. The first account becomes system admin; it is created only from the server's
/// own machine or with the setup code printed at start. Afterwards sign-up follows
/// `TeamSettings.EnableOpenServer` or a team's invite id (`iid`), and admins can always
/// create accounts.
#[utoipa::path(post, path = "/api/v4/users", tag = "users", request_body = NewUser,
    params(CreateUserQuery,
           ("X-Townsquare-Setup-Code" = Option<String>, Header, description = "The setup code that claims a server without accounts (instead of the body's setup_code)")),
    security((), ("bearer" = [])),
    responses((status = 201, description = "The new user", body = User),
              (status = 400, description = "Invalid field, duplicate username/email, or an invalid email invitation"),
              (status = 403, description = "Sign-up is closed, the email is outside the team's allowed domains, or the first account is claimed from elsewhere without a valid setup code"),
              (status = 404, description = "No team has this invite id")))]
pub async fn create_user(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Query(query): Query<CreateUserQuery>,
    JsonBody(mut input): JsonBody<NewUser>,
) -> Result<Response> {
    // Mattermost's order: an email token, then an invite id, then who is asking.
    let user = if query.t.as_deref().is_some_and(|t| !t.is_empty()) {
        return Err(users::signup_link_invalid().into());
    } else if let Some(iid) = query.iid.as_deref().filter(|i| !i.is_empty()) {
        users::create_user_with_invite(&state, input, iid).await?
    } else {
        let body_code = std::mem::take(&mut input.setup_code);
        let header_code = headers.get(SETUP_CODE_HEADER).and_then(|v| v.to_str().ok());
        let claim = Claim {
            local: is_local(connect.as_ref().map(|c| c.0 .0), &headers),
            setup_code: Some(body_code.as_str())
                .filter(|c| !c.is_empty())
                .or(header_code),
        };
        let creator = match auth.as_ref() {
            Some(auth) => Creator::User(auth),
            None => Creator::SignUp(claim),
        };
        users::create_user(&state, input, creator).await?
    };
    // An anonymous sign-up sees its own account in full.
    let shown = match &auth {
        Some(auth) => view(Some(auth), user, &state),
        None => user,
    };
    Ok((StatusCode::CREATED, Json(shown)).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListUsersQuery {
    pub page: Option<String>,
    pub per_page: Option<String>,
    /// Only active users.
    pub active: Option<String>,
    /// Only deactivated users.
    pub inactive: Option<String>,
    /// Only users with this system role.
    pub role: Option<String>,
    /// `create_at`, `last_activity_at`; default by username.
    pub sort: Option<String>,
    /// Members of this team.
    pub in_team: Option<String>,
    /// Not members of this team.
    pub not_in_team: Option<String>,
    /// Members of this channel.
    pub in_channel: Option<String>,
    /// Not members of this channel.
    pub not_in_channel: Option<String>,
    /// On no team at all.
    pub without_team: Option<String>,
}

/// List users, one page at a time.
#[utoipa::path(get, path = "/api/v4/users", tag = "users", params(ListUsersQuery),
    responses((status = 200, description = "Users", body = Vec<User>)))]
pub async fn list_users(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Query(query): Query<ListUsersQuery>,
) -> Result<Json<Vec<User>>> {
    auth.require(Permission::ViewMembers)?;
    let (offset, limit) = Pagination {
        page: query.page,
        per_page: query.per_page,
    }
    .window();
    let flag = |v: &Option<String>| crate::api::extract::flag(v);
    let filter = UserFilter {
        active: match (flag(&query.active), flag(&query.inactive)) {
            (true, false) => Some(true),
            (false, true) => Some(false),
            _ => None,
        },
        role: query.role.filter(|r| !r.is_empty()),
        in_team: optional_id(query.in_team, "in_team")?,
        not_in_team: optional_id(query.not_in_team, "not_in_team")?,
        in_channel: optional_id(query.in_channel, "in_channel")?,
        not_in_channel: optional_id(query.not_in_channel, "not_in_channel")?,
        without_team: flag(&query.without_team),
        sort: match query.sort.as_deref() {
            Some("create_at") => UserSort::CreateAt,
            Some("last_activity_at") => UserSort::LastActivityAt,
            _ => UserSort::Username,
        },
    };
    Ok(Json(
        read::list(&state, &auth, &filter, offset, limit).await?,
    ))
}

/// Get a user by id (`me` for the caller).
#[utoipa::path(get, path = "/api/v4/users/{user_id}", tag = "users",
    params(("user_id" = String, Path, description = "User id or `me`")),
    responses((status = 200, description = "The user", body = User), (status = 404, description = "No such user")))]
pub async fn get_user(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
) -> Result<Json<User>> {
    let user_id = user.resolve(&auth);
    Ok(Json(read::get(&state, &auth, &user_id).await?))
}

/// Get a user by username.
#[utoipa::path(get, path = "/api/v4/users/username/{username}", tag = "users",
    params(("username" = String, Path)),
    responses((status = 200, description = "The user", body = User), (status = 404, description = "No such user")))]
pub async fn get_user_by_username(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path(username): Path<String>,
) -> Result<Json<User>> {
    Ok(Json(read::by_username(&state, &auth, &username).await?))
}

/// Get a user by email. Hidden emails cannot be looked up by non-admins.
#[utoipa::path(get, path = "/api/v4/users/email/{email}", tag = "users",
    params(("email" = String, Path)),
    responses((status = 200, description = "The user", body = User), (status = 404, description = "No such user")))]
pub async fn get_user_by_email(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path(email): Path<String>,
) -> Result<Json<User>> {
    Ok(Json(read::by_email(&state, &auth, &email).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct UsersByIdsQuery {
    /// Only users changed after this instant (ms since the epoch).
    pub since: Option<String>,
}

/// Users by id, by username: duplicates collapse, unknown ids are left out.
#[utoipa::path(post, path = "/api/v4/users/ids", tag = "users", request_body = Vec<String>, params(UsersByIdsQuery),
    responses((status = 200, description = "Users, email and full name as privacy settings allow", body = Vec<User>),
              (status = 400, description = "Empty list, more than 1000 distinct ids, or `since` not an integer")))]
pub async fn users_by_ids(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Query(query): Query<UsersByIdsQuery>,
    JsonBody(ids): JsonBody<Vec<String>>,
) -> Result<Json<Vec<User>>> {
    let since = match query.since.as_deref().filter(|s| !s.is_empty()) {
        // Mattermost names `since` as a body parameter here.
        Some(raw) => raw
            .parse::<i64>()
            .map_err(|_| AppError::invalid_body_param("since"))?,
        None => 0,
    };
    Ok(Json(read::by_ids(&state, &auth, &ids, since).await?))
}

/// The members of the caller's group channels among those ids, by channel id.
#[utoipa::path(post, path = "/api/v4/users/group_channels", tag = "users", request_body = Vec<String>,
    responses((status = 200, description = "Channel id to its members (first 50 ids; channels that are not the caller's group channels are left out)",
               body = std::collections::BTreeMap<String, Vec<Value>>),
              (status = 400, description = "Empty list")))]
pub async fn users_in_group_channels(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(channel_ids): JsonBody<Vec<String>>,
) -> Result<Json<std::collections::BTreeMap<String, Vec<User>>>> {
    Ok(Json(
        read::in_group_channels(&state, &auth, &channel_ids).await?,
    ))
}

/// Users by username; unknown names are left out.
#[utoipa::path(post, path = "/api/v4/users/usernames", tag = "users", request_body = Vec<String>,
    responses((status = 200, description = "Users", body = Vec<User>)))]
pub async fn users_by_usernames(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(names): JsonBody<Vec<String>>,
) -> Result<Json<Vec<User>>> {
    if names.is_empty() || names.len() > 1000 {
        return Err(AppError::invalid_body_param("usernames").into());
    }
    Ok(Json(read::by_usernames(&state, &auth, &names).await?))
}

/// Search users by username, nickname, full name or email prefix (Mattermost's `UserSearch`:
/// `team_id`, `not_in_team_id`, `in_channel_id`, `not_in_channel_id`, `without_team`,
/// `allow_inactive`, `limit`).
#[utoipa::path(post, path = "/api/v4/users/search", tag = "users", request_body = UserSearch,
    responses((status = 200, description = "Matching users", body = Vec<User>),
              (status = 400, description = "No term, not_in_channel_id without team_id, or a limit outside 1-1000"),
              (status = 403, description = "A channel the caller cannot read or a team it cannot view")))]
pub async fn search_users(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(search): JsonBody<UserSearch>,
) -> Result<Json<Vec<User>>> {
    Ok(Json(users::search::search(&state, &auth, search).await?))
}

fn optional_id(raw: Option<String>, name: &str) -> Result<Option<String>> {
    match raw.filter(|r| !r.is_empty()) {
        Some(id) => Ok(Some(parse_id(&id, name)?)),
        None => Ok(None),
    }
}

/// Patch a user: only the fields given change.
#[utoipa::path(put, path = "/api/v4/users/{user_id}/patch", tag = "users", request_body = UserPatch,
    params(("user_id" = String, Path)),
    responses((status = 200, description = "The updated user", body = User), (status = 403, description = "Not allowed")))]
pub async fn patch_user(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
    JsonBody(patch): JsonBody<UserPatch>,
) -> Result<Json<User>> {
    let user_id = user.resolve(&auth);
    let user = users::patch_user(&state, &auth, &user_id, patch).await?;
    Ok(Json(view(Some(&auth), user, &state)))
}

/// Update a user from a full user object (the id must match the path).
#[utoipa::path(put, path = "/api/v4/users/{user_id}", tag = "users", request_body = User,
    params(("user_id" = String, Path)),
    responses((status = 200, description = "The updated user", body = User)))]
pub async fn update_user(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<User>> {
    let user_id = user.resolve(&auth);
    let patch: UserPatch = patch_from_full(body, &user_id, "user")?;
    let user = users::patch_user(&state, &auth, &user_id, patch).await?;
    Ok(Json(view(Some(&auth), user, &state)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = UserRoles)]
pub struct RolesBody {
    #[serde(default, deserialize_with = "nullable")]
    pub roles: String,
}

/// Replace a user's system roles (system admins only).
#[utoipa::path(put, path = "/api/v4/users/{user_id}/roles", tag = "users", request_body = RolesBody,
    params(("user_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk), (status = 403, description = "Not a system admin")))]
pub async fn update_roles(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
    JsonBody(body): JsonBody<RolesBody>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    users::update_roles(&state, &auth, &user_id, &body.roles).await?;
    Ok(status_ok())
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct PasswordBody {
    #[serde(deserialize_with = "nullable")]
    pub current_password: String,
    #[serde(deserialize_with = "nullable")]
    pub new_password: String,
}

/// Change a password. Revokes every session and access token of the user.
#[utoipa::path(put, path = "/api/v4/users/{user_id}/password", tag = "users", request_body = PasswordBody,
    params(("user_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk), (status = 400, description = "Wrong current password or weak new one")))]
pub async fn update_password(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
    JsonBody(body): JsonBody<PasswordBody>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    users::change_password(
        &state,
        &auth,
        &user_id,
        &body.current_password,
        &body.new_password,
    )
    .await?;
    Ok(status_ok())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ActiveBody {
    pub active: bool,
}

/// Activate or deactivate a user.
#[utoipa::path(put, path = "/api/v4/users/{user_id}/active", tag = "users", request_body = ActiveBody,
    params(("user_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk)))]
pub async fn update_active(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
    JsonBody(body): JsonBody<ActiveBody>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    users::set_active(&state, &auth, &user_id, body.active).await?;
    Ok(status_ok())
}

/// Deactivate a user (their sessions and tokens are revoked at once).
#[utoipa::path(delete, path = "/api/v4/users/{user_id}", tag = "users",
    params(("user_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk)))]
pub async fn deactivate_user(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    users::set_active(&state, &auth, &user_id, false).await?;
    Ok(status_ok())
}

/// Reset the failed login attempts of a user's account (Mattermost's
/// `resetPasswordFailedAttempts`), so a throttled account may log in again at once.
#[utoipa::path(post, path = "/api/v4/users/{user_id}/reset_failed_attempts", tag = "users",
    params(("user_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk), (status = 403, description = "Without manage_system or edit_other_users"),
    (status = 404, description = "No such user")))]
pub async fn reset_failed_attempts(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    read::reset_login_attempts(&state, &auth, &user_id).await?;
    Ok(status_ok())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct UserChannelsQuery {
    /// Also archived channels.
    pub include_deleted: Option<String>,
    /// With `include_deleted`: only channels archived after this instant (ms), and live ones.
    pub last_delete_at: Option<String>,
}

/// Every channel the user belongs to, in all teams (direct and group channels included).
#[utoipa::path(get, path = "/api/v4/users/{user_id}/channels", tag = "users",
    params(("user_id" = String, Path), UserChannelsQuery),
    responses((status = 200, description = "Channels", body = Vec<townsquare_sdk::model::Channel>),
              (status = 400, description = "Negative last_delete_at"),
              (status = 403, description = "Another user's, without edit_other_users")))]
pub async fn channels_for_user(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
    Query(query): Query<UserChannelsQuery>,
) -> Result<Json<Vec<townsquare_sdk::model::Channel>>> {
    let user_id = user.resolve(&auth);
    // Mattermost reads an unparsable value as 0 and refuses a negative one.
    let last_delete_at = query
        .last_delete_at
        .as_deref()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(0);
    if last_delete_at < 0 {
        return Err(AppError::invalid_url_param("last_delete_at").into());
    }
    Ok(Json(
        user_lists::channels(
            &state,
            &auth,
            &user_id,
            crate::api::extract::flag(&query.include_deleted),
            last_delete_at,
        )
        .await?,
    ))
}

/// Mattermost's `UsersStats`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsersStats {
    pub total_users_count: i64,
}

/// How many active accounts there are (bots excluded).
#[utoipa::path(get, path = "/api/v4/users/stats", tag = "users",
    responses((status = 200, description = "Count", body = UsersStats)))]
pub async fn users_stats(
    State(state): State<AppState>,
    Auth(_auth): Auth,
) -> Result<Json<UsersStats>> {
    Ok(Json(UsersStats {
        total_users_count: user_lists::total_users(&state).await?,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FilteredStatsQuery {
    /// Members of this team.
    pub in_team: Option<String>,
    /// Members of this channel.
    pub in_channel: Option<String>,
    /// Count deactivated accounts too.
    pub include_deleted: Option<String>,
    /// Count bots too.
    pub include_bots: Option<String>,
    /// Comma-separated system roles.
    pub roles: Option<String>,
    /// Comma-separated team roles (with `in_team`).
    pub team_roles: Option<String>,
    /// Comma-separated channel roles (with `in_channel`).
    pub channel_roles: Option<String>,
}

/// Role names from a comma-separated list, blanks skipped; `None` if one is malformed.
fn role_list(raw: Option<&str>) -> Option<Vec<String>> {
    let mut roles = Vec::new();
    for role in raw.unwrap_or("").split(',') {
        if role.trim().is_empty() {
            continue;
        }
        if !crate::app::roles::is_valid_role_name(role) {
            return None;
        }
        roles.push(role.to_string());
    }
    Some(roles)
}

/// Users counted by team, channel, roles and whether deactivated accounts and bots count.
#[utoipa::path(get, path = "/api/v4/users/stats/filtered", tag = "users", params(FilteredStatsQuery),
    responses((status = 200, description = "Count", body = UsersStats),
              (status = 400, description = "A malformed id or role name"),
              (status = 403, description = "No team or channel, without manage_system; or not allowed to see them")))]
pub async fn users_stats_filtered(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Query(query): Query<FilteredStatsQuery>,
) -> Result<Json<UsersStats>> {
    let in_team = optional_id(query.in_team, "in_team")?;
    let in_channel = optional_id(query.in_channel, "in_channel")?;
    let roles =
        role_list(query.roles.as_deref()).ok_or_else(|| AppError::invalid_url_param("roles"))?;
    // Team and channel roles only mean something with their team or channel.
    let team_roles = match in_team {
        Some(_) => role_list(query.team_roles.as_deref())
            .ok_or_else(|| AppError::invalid_url_param("teamRoles"))?,
        None => Vec::new(),
    };
    let channel_roles = match in_channel {
        Some(_) => role_list(query.channel_roles.as_deref())
            .ok_or_else(|| AppError::invalid_url_param("channelRoles"))?,
        None => Vec::new(),
    };
    let filter = user_lists::UserCountFilter {
        include_deleted: crate::api::extract::flag(&query.include_deleted),
        include_bots: crate::api::extract::flag(&query.include_bots),
        in_team,
        in_channel,
        roles,
        team_roles,
        channel_roles,
    };
    Ok(Json(UsersStats {
        total_users_count: user_lists::filtered_user_count(&state, &auth, &filter).await?,
    }))
}

/// Ids of the users who share a channel with the caller.
#[utoipa::path(get, path = "/api/v4/users/known", tag = "users",
    responses((status = 200, description = "User ids", body = Vec<String>)))]
pub async fn known_users(
    State(state): State<AppState>,
    Auth(auth): Auth,
) -> Result<Json<Vec<String>>> {
    Ok(Json(user_lists::known_users(&state, &auth).await?))
}
