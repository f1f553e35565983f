//! `/channels`: channels, direct and group messages, membership, read state.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use townsquare_sdk::model::{Channel, ChannelMember, StringMap};
use townsquare_sdk::AppError;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{patch_from_full, status_ok, Pagination};
use crate::api::auth::Auth;
use crate::api::docs::schemas as doc;
use crate::api::extract::{flag, nullable, Json as JsonBody, Path, Query};
use crate::api::ids::{ChannelId, Ids, TeamId, UserIdOrMe};
use crate::app::channels::{self, lists, read, ChannelPatch, NewChannel};
use crate::error::Result;
use crate::id::parse_id;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_channel))
        .routes(routes!(create_direct))
        .routes(routes!(create_group))
        .routes(routes!(get_channel, update_channel, archive_channel))
        .routes(routes!(patch_channel))
        .routes(routes!(update_privacy))
        .routes(routes!(restore_channel))
        .routes(routes!(channel_by_name))
        .routes(routes!(channel_by_team_and_channel_name))
        .routes(routes!(public_channels))
        .routes(routes!(search_channels))
        .routes(routes!(search_group_channels))
        .routes(routes!(autocomplete_for_search))
        .routes(routes!(channels_by_ids))
        .routes(routes!(deleted_channels))
        .routes(routes!(list_members, add_member))
        .routes(routes!(members_by_ids))
        .routes(routes!(get_member, remove_member))
        .routes(routes!(update_member_roles))
        .routes(routes!(update_notify_props))
        .routes(routes!(view_channel))
        .routes(routes!(my_channels))
        .routes(routes!(my_channel_members))
        .routes(routes!(all_channel_members))
        .routes(routes!(channel_unread))
        .routes(routes!(channel_stats))
        .routes(routes!(channel_timezones))
        .routes(routes!(member_counts_by_group))
}

/// Create a public (`O`) or private (`P`) channel.
#[utoipa::path(post, path = "/api/v4/channels", tag = "channels", request_body = NewChannel,
    responses((status = 201, description = "The channel", body = Channel), (status = 403, description = "Not allowed on this team")))]
pub async fn create_channel(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(input): JsonBody<NewChannel>,
) -> Result<Response> {
    let channel = channels::create_channel(&state, &auth, input).await?;
    Ok((StatusCode::CREATED, Json(channel)).into_response())
}

/// The direct channel between two users (created on first use).
#[utoipa::path(post, path = "/api/v4/channels/direct", tag = "channels", request_body = Vec<String>,
    responses((status = 201, description = "The channel", body = Channel)))]
pub async fn create_direct(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(ids): JsonBody<Vec<String>>,
) -> Result<Response> {
    for id in &ids {
        parse_id(id, "user_id").map_err(|_| AppError::invalid_body_param("user_ids"))?;
    }
    let (channel, _) = channels::direct_channel(&state, &auth, &ids).await?;
    Ok((StatusCode::CREATED, Json(channel)).into_response())
}

/// The group channel of 3 to 8 users (created on first use).
#[utoipa::path(post, path = "/api/v4/channels/group", tag = "channels", request_body = Vec<String>,
    responses((status = 201, description = "The channel", body = Channel)))]
pub async fn create_group(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(ids): JsonBody<Vec<String>>,
) -> Result<Response> {
    for id in &ids {
        parse_id(id, "user_id").map_err(|_| AppError::invalid_body_param("user_ids"))?;
    }
    let (channel, _) = channels::group_channel(&state, &auth, &ids).await?;
    Ok((StatusCode::CREATED, Json(channel)).into_response())
}

/// A channel by id.
#[utoipa::path(get, path = "/api/v4/channels/{channel_id}", tag = "channels", params(("channel_id" = String, Path)),
    responses((status = 200, description = "The channel", body = Channel), (status = 403, description = "Not readable"), (status = 404, description = "No such channel")))]
pub async fn get_channel(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(channel_id): Ids<ChannelId>,
) -> Result<Json<Channel>> {
    let access = channels::access(&state, &auth, &channel_id).await?;
    access.require_read(&auth)?;
    Ok(Json(access.channel))
}

/// Patch a channel's name, display name, header or purpose.
#[utoipa::path(put, path = "/api/v4/channels/{channel_id}/patch", tag = "channels", request_body = ChannelPatch,
    params(("channel_id" = String, Path)), responses((status = 200, description = "The channel", body = Channel)))]
pub async fn patch_channel(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(channel_id): Ids<ChannelId>,
    JsonBody(patch): JsonBody<ChannelPatch>,
) -> Result<Json<Channel>> {
    Ok(Json(
        channels::patch_channel(&state, &auth, &channel_id, patch).await?,
    ))
}

/// The body of `PUT /channels/{channel_id}/privacy`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct PrivacyChange {
    /// `O` (public) or `P` (private).
    #[serde(deserialize_with = "nullable")]
    pub privacy: String,
}

/// Convert a channel between public (`O`) and private (`P`).
#[utoipa::path(put, path = "/api/v4/channels/{channel_id}/privacy", tag = "channels", request_body = PrivacyChange,
    params(("channel_id" = String, Path)), responses((status = 200, description = "The channel", body = Channel),
    (status = 400, description = "Bad privacy value, default, direct or group channel"), (status = 403, description = "Not allowed")))]
pub async fn update_privacy(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(channel_id): Ids<ChannelId>,
    JsonBody(change): JsonBody<PrivacyChange>,
) -> Result<Json<Channel>> {
    Ok(Json(
        channels::convert_privacy(&state, &auth, &channel_id, &change.privacy).await?,
    ))
}

/// Update a channel from a full channel object (the id must match the path).
#[utoipa::path(put, path = "/api/v4/channels/{channel_id}", tag = "channels", request_body = Channel,
    params(("channel_id" = String, Path)), responses((status = 200, description = "The channel", body = Channel)))]
pub async fn update_channel(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(channel_id): Ids<ChannelId>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Channel>> {
    let patch: ChannelPatch = patch_from_full(body, &channel_id, "channel")?;
    Ok(Json(
        channels::patch_channel(&state, &auth, &channel_id, patch).await?,
    ))
}

/// Archive a channel; its posts and members are kept.
#[utoipa::path(delete, path = "/api/v4/channels/{channel_id}", tag = "channels", params(("channel_id" = String, Path)),
    responses((status = 200, description = "OK", body = doc::StatusOk)))]
pub async fn archive_channel(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(channel_id): Ids<ChannelId>,
) -> Result<Json<Value>> {
    channels::set_archived(&state, &auth, &channel_id, true).await?;
    Ok(status_ok())
}

/// Restore an archived channel.
#[utoipa::path(post, path = "/api/v4/channels/{channel_id}/restore", tag = "channels", params(("channel_id" = String, Path)),
    responses((status = 200, description = "The channel", body = Channel)))]
pub async fn restore_channel(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(channel_id): Ids<ChannelId>,
) -> Result<Json<Channel>> {
    Ok(Json(
        channels::set_archived(&state, &auth, &channel_id, false).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DeletedQuery {
    pub include_deleted: Option<String>,
}

/// A channel by team id and channel name.
#[utoipa::path(get, path = "/api/v4/teams/{team_id}/channels/name/{channel_name}", tag = "channels",
    params(("team_id" = String, Path), ("channel_name" = String, Path), DeletedQuery),
    responses((status = 200, description = "The channel", body = Channel)))]
pub async fn channel_by_name(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team_id): Ids<TeamId>,
    Path((_team_id, name)): Path<(String, String)>,
    Query(query): Query<DeletedQuery>,
) -> Result<Json<Channel>> {
    Ok(Json(
        read::readable_by_name(&state, &auth, &team_id, &name, flag(&query.include_deleted))
            .await?,
    ))
}

/// A channel by team name and channel name.
#[utoipa::path(get, path = "/api/v4/teams/name/{team_name}/channels/name/{channel_name}", tag = "channels",
    params(("team_name" = String, Path), ("channel_name" = String, Path), DeletedQuery),
    responses((status = 200, description = "The channel", body = Channel)))]
pub async fn channel_by_team_and_channel_name(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Path((team_name, name)): Path<(String, String)>,
    Query(query): Query<DeletedQuery>,
) -> Result<Json<Channel>> {
    Ok(Json(
        read::readable_by_team_and_name(
            &state,
            &auth,
            &team_name,
            &name,
            flag(&query.include_deleted),
        )
        .await?,
    ))
}

/// Public channels of a team.
#[utoipa::path(get, path = "/api/v4/teams/{team_id}/channels", tag = "channels", params(("team_id" = String, Path), Pagination),
    responses((status = 200, description = "Channels", body = Vec<Channel>)))]
pub async fn public_channels(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team_id): Ids<TeamId>,
    Query(page): Query<Pagination>,
) -> Result<Json<Vec<Channel>>> {
    let (offset, limit) = page.window();
    Ok(Json(
        read::public_channels(&state, &auth, &team_id, offset, limit).await?,
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ChannelSearch {
    #[serde(deserialize_with = "nullable")]
    pub term: String,
}

/// Search a team's public channels (and private ones you belong to) by name prefix.
#[utoipa::path(post, path = "/api/v4/teams/{team_id}/channels/search", tag = "channels", request_body = ChannelSearch,
    params(("team_id" = String, Path)), responses((status = 200, description = "Channels", body = Vec<Channel>)))]
pub async fn search_channels(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team_id): Ids<TeamId>,
    JsonBody(search): JsonBody<ChannelSearch>,
) -> Result<Json<Vec<Channel>>> {
    Ok(Json(
        read::search_channels(&state, &auth, &team_id, search.term.trim()).await?,
    ))
}

/// The caller's group channels whose members' usernames contain every word of the term.
#[utoipa::path(post, path = "/api/v4/channels/group/search", tag = "channels", request_body = ChannelSearch,
    responses((status = 200, description = "Group channels (at most 50; `[]` for a blank term)", body = Vec<Channel>),
              (status = 400, description = "The body is not a channel search object")))]
pub async fn search_group_channels(
    State(state): State<AppState>,
    Auth(auth): Auth,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Vec<Channel>>> {
    // An object only: serde would read `[]` as a search with every field defaulted.
    let search: ChannelSearch = match body {
        Value::Object(_) => serde_json::from_value(body).map_err(|e| {
            AppError::invalid_body_param("channel_search").with_detail(e.to_string())
        })?,
        _ => return Err(AppError::invalid_body_param("channel_search").into()),
    };
    Ok(Json(
        lists::search_group_channels(&state, &auth, &search.term).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AutocompleteQuery {
    /// What the name, display name or purpose (or one of its words) starts with; all when
    /// empty.
    pub name: Option<String>,
}

/// The caller's channels in a team (with their group and direct channels) for the search
/// box's `in:` suggestions.
#[utoipa::path(get, path = "/api/v4/teams/{team_id}/channels/search_autocomplete", tag = "channels",
    params(("team_id" = String, Path), AutocompleteQuery),
    responses((status = 200, description = "Channels the caller belongs to, archived ones included, by display name", body = Vec<Channel>),
              (status = 400, description = "Malformed team id")))]
pub async fn autocomplete_for_search(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team_id): Ids<TeamId>,
    Query(query): Query<AutocompleteQuery>,
) -> Result<Json<Vec<Channel>>> {
    let term = query.name.unwrap_or_default();
    Ok(Json(
        lists::autocomplete_for_search(&state, &auth, &team_id, &term).await?,
    ))
}

/// A team's live public channels by id.
#[utoipa::path(post, path = "/api/v4/teams/{team_id}/channels/ids", tag = "channels", request_body = Vec<String>,
    params(("team_id" = String, Path)),
    responses((status = 200, description = "The public channels found, by display name", body = Vec<Channel>),
              (status = 400, description = "Empty list or a malformed channel id"),
              (status = 403, description = "Without `view_team`"),
              (status = 404, description = "None of them is a live public channel of the team")))]
pub async fn channels_by_ids(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team_id): Ids<TeamId>,
    JsonBody(ids): JsonBody<Vec<String>>,
) -> Result<Json<Vec<Channel>>> {
    Ok(Json(
        lists::public_by_ids(&state, &auth, &team_id, &ids).await?,
    ))
}

/// A page of a team's archived channels: public ones, and private ones the caller belongs to.
#[utoipa::path(get, path = "/api/v4/teams/{team_id}/channels/deleted", tag = "channels",
    params(("team_id" = String, Path), Pagination),
    responses((status = 200, description = "Archived channels by display name", body = Vec<Channel>),
              (status = 400, description = "Malformed team id"),
              (status = 403, description = "Without `list_team_channels` in the team")))]
pub async fn deleted_channels(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(team_id): Ids<TeamId>,
    Query(page): Query<Pagination>,
) -> Result<Json<Vec<Channel>>> {
    let (offset, limit) = page.window();
    Ok(Json(
        lists::deleted(&state, &auth, &team_id, offset, limit).await?,
    ))
}

/// Members of a channel.
#[utoipa::path(get, path = "/api/v4/channels/{channel_id}/members", tag = "channels",
    params(("channel_id" = String, Path), Pagination), operation_id = "get_channel_members",
    responses((status = 200, description = "Members", body = Vec<ChannelMember>)))]
pub async fn list_members(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(channel_id): Ids<ChannelId>,
    Query(page): Query<Pagination>,
) -> Result<Json<Vec<ChannelMember>>> {
    let (offset, limit) = page.window();
    Ok(Json(
        read::members(&state, &auth, &channel_id, offset, limit).await?,
    ))
}

/// Channel members by user id.
#[utoipa::path(post, path = "/api/v4/channels/{channel_id}/members/ids", tag = "channels", operation_id = "get_channel_members_by_ids", request_body = Vec<String>,
    params(("channel_id" = String, Path)),
    responses((status = 200, description = "The members among those users", body = Vec<ChannelMember>),
              (status = 400, description = "Empty list"),
              (status = 403, description = "The channel is not readable by the caller"),
              (status = 404, description = "No such channel")))]
pub async fn members_by_ids(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(channel_id): Ids<ChannelId>,
    JsonBody(user_ids): JsonBody<Vec<String>>,
) -> Result<Json<Vec<ChannelMember>>> {
    Ok(Json(
        read::members_by_ids(&state, &auth, &channel_id, &user_ids).await?,
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct AddMemberBody {
    #[serde(deserialize_with = "nullable")]
    pub user_id: String,
}

/// Add a user to a channel (join a public channel yourself, or add others).
#[utoipa::path(post, path = "/api/v4/channels/{channel_id}/members", tag = "channels", request_body = AddMemberBody,
    params(("channel_id" = String, Path)), operation_id = "add_channel_member",
    responses((status = 201, description = "The member", body = ChannelMember)))]
pub async fn add_member(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(channel_id): Ids<ChannelId>,
    JsonBody(body): JsonBody<AddMemberBody>,
) -> Result<Response> {
    let user_id =
        parse_id(&body.user_id, "user_id").map_err(|_| AppError::invalid_body_param("user_id"))?;
    let member = channels::add_member(&state, &auth, &channel_id, &user_id).await?;
    Ok((StatusCode::CREATED, Json(member)).into_response())
}

/// One channel member.
#[utoipa::path(get, path = "/api/v4/channels/{channel_id}/members/{user_id}", tag = "channels",
    params(("channel_id" = String, Path), ("user_id" = String, Path)), operation_id = "get_channel_member",
    responses((status = 200, description = "The member", body = ChannelMember)))]
pub async fn get_member(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((channel_id, user)): Ids<(ChannelId, UserIdOrMe)>,
) -> Result<Json<ChannelMember>> {
    Ok(Json(
        read::member(&state, &auth, &channel_id, &user.resolve(&auth)).await?,
    ))
}

/// Remove a user from a channel (leave it yourself, or remove others with permission).
#[utoipa::path(delete, path = "/api/v4/channels/{channel_id}/members/{user_id}", tag = "channels",
    params(("channel_id" = String, Path), ("user_id" = String, Path)), operation_id = "remove_channel_member",
    responses((status = 200, description = "OK", body = doc::StatusOk)))]
pub async fn remove_member(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((channel_id, user)): Ids<(ChannelId, UserIdOrMe)>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    channels::remove_member(&state, &auth, &channel_id, &user_id).await?;
    Ok(status_ok())
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
#[schema(as = ChannelMemberRoles)]
pub struct RolesBody {
    #[serde(deserialize_with = "nullable")]
    pub roles: String,
}

/// Set a member's channel roles.
#[utoipa::path(put, path = "/api/v4/channels/{channel_id}/members/{user_id}/roles", tag = "channels", request_body = RolesBody,
    params(("channel_id" = String, Path), ("user_id" = String, Path)), operation_id = "update_channel_member_roles",
    responses((status = 200, description = "OK", body = doc::StatusOk)))]
pub async fn update_member_roles(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((channel_id, user)): Ids<(ChannelId, UserIdOrMe)>,
    JsonBody(body): JsonBody<RolesBody>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    channels::update_member_roles(&state, &auth, &channel_id, &user_id, &body.roles).await?;
    Ok(status_ok())
}

/// Update a member's notification settings for the channel.
#[utoipa::path(put, path = "/api/v4/channels/{channel_id}/members/{user_id}/notify_props", tag = "channels",
    request_body(content = doc::StringMap, description = "Notification settings to change (`desktop`, `push`, `email`, `mark_unread`, ...)"),
    params(("channel_id" = String, Path), ("user_id" = String, Path)), responses((status = 200, description = "OK", body = doc::StatusOk)))]
pub async fn update_notify_props(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((channel_id, user)): Ids<(ChannelId, UserIdOrMe)>,
    JsonBody(props): JsonBody<StringMap>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    channels::update_notify_props(&state, &auth, &channel_id, &user_id, props).await?;
    Ok(status_ok())
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ViewBody {
    #[serde(deserialize_with = "nullable")]
    pub channel_id: String,
    #[serde(deserialize_with = "nullable")]
    pub prev_channel_id: String,
}

/// Mark a channel (and the previous one) as read.
#[utoipa::path(post, path = "/api/v4/channels/members/{user_id}/view", tag = "channels", request_body = ViewBody,
    params(("user_id" = String, Path)),
    responses((status = 200, description = "OK, and the new read times", body = doc::ChannelViewResponse)))]
pub async fn view_channel(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
    JsonBody(body): JsonBody<ViewBody>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    let times = read::view(
        &state,
        &auth,
        &user_id,
        [&body.channel_id, &body.prev_channel_id],
    )
    .await?;
    Ok(Json(json!({"status": "OK", "last_viewed_at_times": times})))
}

/// Channels a user belongs to in a team, with their direct and group channels.
#[utoipa::path(get, path = "/api/v4/users/{user_id}/teams/{team_id}/channels", tag = "channels",
    params(("user_id" = String, Path), ("team_id" = String, Path), DeletedQuery),
    responses((status = 200, description = "Channels (`[]` when none)", body = Vec<Channel>)))]
pub async fn my_channels(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, team_id)): Ids<(UserIdOrMe, TeamId)>,
    Query(query): Query<DeletedQuery>,
) -> Result<Json<Vec<Channel>>> {
    let user_id = user.resolve(&auth);
    Ok(Json(
        read::channels_for_user(
            &state,
            &auth,
            &user_id,
            &team_id,
            flag(&query.include_deleted),
        )
        .await?,
    ))
}

/// A user's channel memberships in a team.
#[utoipa::path(get, path = "/api/v4/users/{user_id}/teams/{team_id}/channels/members", tag = "channels",
    params(("user_id" = String, Path), ("team_id" = String, Path)), responses((status = 200, description = "Members", body = Vec<ChannelMember>)))]
pub async fn my_channel_members(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, team_id)): Ids<(UserIdOrMe, TeamId)>,
) -> Result<Json<Vec<ChannelMember>>> {
    let user_id = user.resolve(&auth);
    Ok(Json(
        read::memberships_for_user(&state, &auth, &user_id, Some(&team_id)).await?,
    ))
}

/// A user's channel memberships in all teams, each with its team (`page=-1` for all at once).
#[utoipa::path(get, path = "/api/v4/users/{user_id}/channel_members", tag = "channels",
    params(("user_id" = String, Path), Pagination),
    responses((status = 200, description = "ChannelMemberWithTeamData list", body = Vec<crate::app::user_lists::MemberWithTeamData>),
              (status = 403, description = "Another user's, without edit_other_users")))]
pub async fn all_channel_members(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(user): Ids<UserIdOrMe>,
    Query(page): Query<Pagination>,
) -> Result<Json<Vec<crate::app::user_lists::MemberWithTeamData>>> {
    let user_id = user.resolve(&auth);
    let all = page.page.as_deref().map(str::trim) == Some("-1");
    let (offset, limit) = page.window();
    let limit = (!all).then_some(limit);
    Ok(Json(
        crate::app::user_lists::channel_members(&state, &auth, &user_id, offset, limit).await?,
    ))
}

/// Unread and mention counts of one channel for a user.
#[utoipa::path(get, path = "/api/v4/users/{user_id}/channels/{channel_id}/unread", tag = "channels",
    params(("user_id" = String, Path), ("channel_id" = String, Path)), responses((status = 200, description = "ChannelUnread", body = doc::ChannelUnread)))]
pub async fn channel_unread(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids((user, channel_id)): Ids<(UserIdOrMe, ChannelId)>,
) -> Result<Json<Value>> {
    let user_id = user.resolve(&auth);
    Ok(Json(
        read::unread(&state, &auth, &user_id, &channel_id).await?,
    ))
}

/// The distinct time zones of a channel's members (used to show local times in posts).
#[utoipa::path(get, path = "/api/v4/channels/{channel_id}/timezones", tag = "channels", params(("channel_id" = String, Path)),
    responses((status = 200, description = "Time zone names", body = Vec<String>),
              (status = 403, description = "Not readable by the caller")))]
pub async fn channel_timezones(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(channel_id): Ids<ChannelId>,
) -> Result<Json<Vec<String>>> {
    Ok(Json(read::timezones(&state, &auth, &channel_id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MemberCountsQuery {
    /// Include each group's member time zones (accepted; there are no groups).
    pub include_timezones: Option<String>,
}

/// Member counts per group of a channel: an empty list, since this server has no groups.
#[utoipa::path(get, path = "/api/v4/channels/{channel_id}/member_counts_by_group", tag = "channels",
    params(("channel_id" = String, Path), MemberCountsQuery),
    responses((status = 200, description = "Always empty (no groups)", body = Vec<Value>),
              (status = 403, description = "Not readable by the caller")))]
pub async fn member_counts_by_group(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(channel_id): Ids<ChannelId>,
    Query(_query): Query<MemberCountsQuery>,
) -> Result<Json<Vec<Value>>> {
    Ok(Json(
        read::member_counts_by_group(&state, &auth, &channel_id).await?,
    ))
}

/// Member count and other statistics of a channel.
#[utoipa::path(get, path = "/api/v4/channels/{channel_id}/stats", tag = "channels", params(("channel_id" = String, Path)),
    responses((status = 200, description = "ChannelStats", body = doc::ChannelStats)))]
pub async fn channel_stats(
    State(state): State<AppState>,
    Auth(auth): Auth,
    Ids(channel_id): Ids<ChannelId>,
) -> Result<Json<Value>> {
    Ok(Json(read::stats(&state, &auth, &channel_id).await?))
}
