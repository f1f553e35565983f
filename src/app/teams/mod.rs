//! Teams and team membership; [`read`] holds lookups and lists.

pub mod read;

use serde::Deserialize;
use townsquare_sdk::model::{default_channel_notify_props, Channel, Post, Team, TeamMember, User};
use townsquare_sdk::AppError;

use crate::app::auth::AuthContext;
use crate::app::channels::TOWN_SQUARE;
use crate::app::permissions::{any_grants, Permission};
use crate::app::system_posts;
use crate::error::Result;
use crate::id::new_id;
use crate::realtime::{events, notify};
use crate::serde_util::nullable;
use crate::state::AppState;
use crate::store::is_unique_violation;
use crate::store::membership::NewChannelMember;
use crate::time::now_ms;

/// Team names may not start with these (they collide with web-app routes).
const RESERVED_PREFIXES: [&str; 16] = [
    "admin", "api", "channel", "claim", "error", "files", "help", "landing", "login", "mfa",
    "oauth", "plug", "plugins", "post", "signup", "boards",
];
pub const DEFAULT_CHANNELS: [(&str, &str); 2] =
    [("town-square", "Town Square"), ("off-topic", "Off-Topic")];

pub fn team_not_found() -> AppError {
    AppError::not_found(
        "app.team.get.find.app_error",
        "Unable to find the existing team.",
    )
}

fn invalid(field: &str, message: &str) -> AppError {
    AppError::bad_request(
        format!("model.team.is_valid.{field}.app_error"),
        message.to_string(),
    )
}

/// Mattermost's team name rule: 2-64 of `a-z 0-9 -`, letters or digits at both ends,
/// optionally a `__` infix, and no reserved prefix.
pub fn validate_team_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim().to_lowercase();
    let bytes = name.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let shape = (2..=64).contains(&bytes.len())
        && bytes.first().is_some_and(alnum)
        && bytes.last().is_some_and(alnum)
        && bytes.iter().all(|b| alnum(b) || *b == b'-' || *b == b'_')
        && !name.contains("___")
        && name.matches('_').count() % 2 == 0
        && !name.split("__").any(|part| part.contains('_'));
    if !shape {
        return Err(invalid(
            "url",
            "Team names must be 2 to 64 lowercase letters, digits or dashes, starting and ending with a letter or digit.",
        ));
    }
    if RESERVED_PREFIXES.iter().any(|p| name.starts_with(p)) {
        return Err(invalid(
            "reserved",
            "That team name starts with a reserved word.",
        ));
    }
    Ok(name)
}

fn validate_display_name(value: &str) -> Result<(), AppError> {
    let count = value.trim().chars().count();
    if (1..=64).contains(&count) {
        Ok(())
    } else {
        Err(invalid(
            "name",
            "The display name must be 1 to 64 characters.",
        ))
    }
}

fn validate_type(value: &str) -> Result<(), AppError> {
    if value == "O" || value == "I" {
        Ok(())
    } else {
        Err(invalid(
            "type",
            "The team type must be \"O\" (open) or \"I\" (invite only).",
        ))
    }
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewTeam {
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    #[serde(deserialize_with = "nullable")]
    pub display_name: String,
    #[serde(rename = "type", deserialize_with = "nullable")]
    pub team_type: String,
    #[serde(deserialize_with = "nullable")]
    pub description: String,
    #[serde(deserialize_with = "nullable")]
    pub email: String,
    #[serde(deserialize_with = "nullable")]
    pub company_name: String,
    #[serde(deserialize_with = "nullable")]
    pub allowed_domains: String,
    pub allow_open_invite: Option<bool>,
}

/// Creates a team with `town-square` and `off-topic`; the creator becomes team admin.
pub async fn create_team(state: &AppState, auth: &AuthContext, input: NewTeam) -> Result<Team> {
    auth.require(Permission::CreateTeam)?;
    let name = validate_team_name(&input.name)?;
    validate_display_name(&input.display_name)?;
    let team_type = if input.team_type.is_empty() {
        "O".to_string()
    } else {
        input.team_type
    };
    validate_type(&team_type)?;
    if input.description.chars().count() > 255 {
        return Err(invalid(
            "description",
            "The description must be at most 255 characters.",
        )
        .into());
    }
    if state.store.team_by_name(&name).await?.is_some() {
        return Err(name_taken().into());
    }
    let now = now_ms();
    let team = Team {
        id: new_id(),
        create_at: now,
        update_at: now,
        display_name: input.display_name.trim().to_string(),
        name,
        description: input.description,
        email: input.email.trim().to_lowercase(),
        allow_open_invite: input.allow_open_invite.unwrap_or(team_type == "O"),
        team_type,
        company_name: input.company_name,
        allowed_domains: input.allowed_domains,
        invite_id: new_id(),
        ..Default::default()
    };
    let channels: Vec<Channel> = DEFAULT_CHANNELS
        .iter()
        .map(|(name, display)| Channel {
            id: new_id(),
            create_at: now,
            update_at: now,
            team_id: team.id.clone(),
            channel_type: "O".into(),
            display_name: (*display).into(),
            name: (*name).into(),
            creator_id: auth.user_id().to_string(),
            ..Default::default()
        })
        .collect();
    let creator = NewChannelMember {
        user_id: auth.user_id().to_string(),
        scheme_admin: false,
        notify_props: channel_notify_props_json(),
        now,
    };
    let town_square = channels.iter().find(|c| c.name == TOWN_SQUARE);
    let announcement =
        town_square.map(|c| system_posts::team_joined(&c.id, &auth.user, &auth.user, now));
    state
        .store
        .create_team(&team, &creator, &channels, announcement.as_ref())
        .await
        .map_err(|err| {
            if is_unique_violation(&err) {
                name_taken().into()
            } else {
                crate::Error::from(err)
            }
        })?;
    tracing::info!(team_id = %team.id, by = %auth.user_id(), "team created");
    if let (Some(channel), Some(post)) = (town_square, announcement) {
        system_posts::publish(state, channel, &auth.user, &[post]);
    }
    Ok(team)
}

fn name_taken() -> AppError {
    AppError::bad_request(
        "app.team.save.existing.app_error",
        "A team with that name already exists.",
    )
}

pub fn channel_notify_props_json() -> String {
    serde_json::to_string(&default_channel_notify_props()).unwrap_or_else(|_| "{}".into())
}

/// The caller's membership in a team, if active.
pub async fn membership(
    state: &AppState,
    auth: &AuthContext,
    team_id: &str,
) -> Result<Option<TeamMember>> {
    Ok(state
        .store
        .team_member(team_id, auth.user_id())
        .await?
        .filter(|m| m.delete_at == 0))
}

/// Whether the caller has `permission` in the team (system roles count too).
pub fn can_in_team(
    auth: &AuthContext,
    member: Option<&TeamMember>,
    permission: Permission,
) -> bool {
    let team_roles = member.map(|m| m.roles.as_str()).unwrap_or("");
    any_grants(&[auth.roles(), team_roles], permission)
}

/// Loads a team the caller may see: members see their teams, everyone sees open teams,
/// system admins see all. Others get 403, as in Mattermost.
pub async fn visible_team(
    state: &AppState,
    auth: &AuthContext,
    team: Team,
) -> Result<(Team, Option<TeamMember>)> {
    let member = membership(state, auth, &team.id).await?;
    let visible = member.is_some()
        || auth.can(Permission::ManageSystem)
        || (team.allow_open_invite && auth.can(Permission::ListPublicTeams));
    if !visible {
        return Err(AppError::forbidden(Permission::ViewTeam.id()).into());
    }
    Ok((team, member))
}

pub async fn team_by_id(state: &AppState, team_id: &str) -> Result<Team> {
    Ok(state
        .store
        .team(team_id)
        .await?
        .ok_or_else(team_not_found)?)
}

/// A team by name (any case).
pub async fn team_by_name(state: &AppState, name: &str) -> Result<Team> {
    Ok(state
        .store
        .team_by_name(&name.to_lowercase())
        .await?
        .ok_or_else(|| {
            AppError::not_found(
                "app.team.get_by_name.missing.app_error",
                "Unable to find the existing team.",
            )
        })?)
}

/// The body of `PUT /teams/{id}/patch`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TeamPatch {
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub company_name: Option<String>,
    pub allowed_domains: Option<String>,
    pub allow_open_invite: Option<bool>,
    #[serde(rename = "type")]
    pub team_type: Option<String>,
}

pub async fn patch_team(
    state: &AppState,
    auth: &AuthContext,
    team_id: &str,
    patch: TeamPatch,
) -> Result<Team> {
    let team = team_by_id(state, team_id).await?;
    let member = membership(state, auth, team_id).await?;
    if !can_in_team(auth, member.as_ref(), Permission::ManageTeam) {
        return Err(AppError::forbidden(Permission::ManageTeam.id()).into());
    }
    let mut team = team;
    if let Some(display_name) = patch.display_name {
        validate_display_name(&display_name)?;
        team.display_name = display_name.trim().to_string();
    }
    if let Some(description) = patch.description {
        if description.chars().count() > 255 {
            return Err(invalid(
                "description",
                "The description must be at most 255 characters.",
            )
            .into());
        }
        team.description = description;
    }
    if let Some(company) = patch.company_name {
        team.company_name = company;
    }
    if let Some(domains) = patch.allowed_domains {
        team.allowed_domains = domains;
    }
    if let Some(open) = patch.allow_open_invite {
        team.allow_open_invite = open;
    }
    if let Some(team_type) = patch.team_type {
        validate_type(&team_type)?;
        team.team_type = team_type;
    }
    team.update_at = now_ms();
    state.store.update_team(&team).await?;
    state.realtime.publish(events::update_team(&team));
    Ok(team)
}

/// Archives (`archive = true`) or restores a team. Nothing is deleted.
pub async fn set_archived(
    state: &AppState,
    auth: &AuthContext,
    team_id: &str,
    archive: bool,
) -> Result<Team> {
    let mut team = team_by_id(state, team_id).await?;
    let member = membership(state, auth, team_id).await?;
    if !can_in_team(auth, member.as_ref(), Permission::ManageTeam) {
        return Err(AppError::forbidden(Permission::ManageTeam.id()).into());
    }
    let now = now_ms();
    team.delete_at = if archive { now } else { 0 };
    team.update_at = now;
    state.store.update_team(&team).await?;
    state.realtime.publish(events::update_team(&team));
    Ok(team)
}

/// Whether `email` may join a team restricted to `allowed_domains` (Mattermost's rule: a list
/// separated by spaces, commas or `@`, compared without case; empty allows everyone).
pub fn email_domain_allowed(email: &str, allowed_domains: &str) -> bool {
    let domains = allowed_domains.to_lowercase().replace(['@', ','], " ");
    let mut domains = domains.split_whitespace().peekable();
    if domains.peek().is_none() {
        return true;
    }
    let email = email.to_lowercase();
    domains.any(|domain| email.ends_with(&format!("@{domain}")))
}

/// Adds users to a team: joining an open team yourself needs `join_public_teams`; adding
/// others needs `add_user_to_team` in that team. Each joins `town-square`.
pub async fn add_members(
    state: &AppState,
    auth: &AuthContext,
    team_id: &str,
    user_ids: &[String],
) -> Result<Vec<TeamMember>> {
    let team = team_by_id(state, team_id).await?;
    if team.delete_at != 0 {
        return Err(AppError::bad_request(
            "api.team.add_user.archived.app_error",
            "The team is archived.",
        )
        .into());
    }
    let member = membership(state, auth, team_id).await?;
    let only_self = user_ids.iter().all(|id| id == auth.user_id());
    let allowed = if only_self && member.is_none() {
        (team.allow_open_invite && auth.can(Permission::JoinPublicTeams))
            || auth.can(Permission::ManageSystem)
    } else {
        can_in_team(auth, member.as_ref(), Permission::AddUserToTeam)
    };
    if !allowed {
        return Err(AppError::forbidden(Permission::AddUserToTeam.id()).into());
    }
    join(state, &auth.user, &team, user_ids).await
}

/// Adds users without a permission check (invite links, the caller already checked).
/// `actor` is who adds them; each newly added user gets a join (or "added by") message in
/// `town-square`.
pub async fn join(
    state: &AppState,
    actor: &User,
    team: &Team,
    user_ids: &[String],
) -> Result<Vec<TeamMember>> {
    let mut users = Vec::with_capacity(user_ids.len());
    for user_id in user_ids {
        match state.store.user(user_id).await? {
            Some(user) if user.is_active() => users.push(user),
            _ => return Err(crate::app::users::missing_account().into()),
        }
    }
    let current = state.store.count_team_members(&team.id).await?;
    let max = state.config().team.max_users_per_team as i64;
    let mut new = 0;
    for user_id in user_ids {
        if state
            .store
            .team_member(&team.id, user_id)
            .await?
            .is_none_or(|m| m.delete_at != 0)
        {
            new += 1;
        }
    }
    if current + new > max {
        return Err(AppError::bad_request(
            "app.team.join_user_to_team.max_accounts.app_error",
            "This team has reached the maximum number of allowed accounts.",
        )
        .into());
    }
    let now = now_ms();
    let town_square = state.store.channel_by_name(&team.id, TOWN_SQUARE).await?;
    let announcements: Vec<(String, Post)> = match &town_square {
        Some(channel) if channel.delete_at == 0 => users
            .iter()
            .map(|user| {
                (
                    user.id.clone(),
                    system_posts::team_joined(&channel.id, actor, user, now),
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    let added = state
        .store
        .add_team_members(
            &team.id,
            user_ids,
            &channel_notify_props_json(),
            now,
            &announcements,
        )
        .await?;
    notify::team_join(&state.realtime, &team.id, user_ids);
    if let Some(channel) = &town_square {
        let posted: Vec<Post> = announcements
            .into_iter()
            .filter(|(user_id, _)| added.contains(user_id))
            .map(|(_, post)| post)
            .collect();
        system_posts::publish(state, channel, actor, &posted);
    }
    let mut members = Vec::with_capacity(user_ids.len());
    for user_id in user_ids {
        if let Some(member) = state.store.team_member(&team.id, user_id).await? {
            members.push(member);
        }
    }
    Ok(members)
}

/// Removes a user from a team (and its channels): yourself, or with `remove_user_from_team`.
pub async fn remove_member(
    state: &AppState,
    auth: &AuthContext,
    team_id: &str,
    user_id: &str,
) -> Result<()> {
    team_by_id(state, team_id).await?;
    if auth.user_id() != user_id {
        let member = membership(state, auth, team_id).await?;
        if !can_in_team(auth, member.as_ref(), Permission::RemoveUserFromTeam) {
            return Err(AppError::forbidden(Permission::RemoveUserFromTeam.id()).into());
        }
    }
    let target = state
        .store
        .team_member(team_id, user_id)
        .await?
        .filter(|m| m.delete_at == 0);
    if target.is_none() {
        return Err(AppError::not_found(
            "app.team.get_member.missing.app_error",
            "No team member found for that user and team.",
        )
        .into());
    }
    let user = state
        .store
        .user(user_id)
        .await?
        .ok_or_else(crate::app::users::missing_account)?;
    let now = now_ms();
    let town_square = state
        .store
        .channel_by_name(team_id, TOWN_SQUARE)
        .await?
        .filter(|c| c.delete_at == 0);
    let announcement = town_square
        .as_ref()
        .map(|c| system_posts::team_left(&c.id, &auth.user, &user, now));
    state
        .store
        .remove_team_member(team_id, user_id, now, announcement.as_ref())
        .await?;
    notify::team_leave(&state.realtime, team_id, user_id);
    if let (Some(channel), Some(post)) = (&town_square, announcement) {
        system_posts::publish(state, channel, &auth.user, &[post]);
    }
    Ok(())
}

/// Sets a member's team roles (`team_user` or `team_user team_admin`).
pub async fn update_member_roles(
    state: &AppState,
    auth: &AuthContext,
    team_id: &str,
    user_id: &str,
    roles: &str,
) -> Result<()> {
    let member = membership(state, auth, team_id).await?;
    if !can_in_team(auth, member.as_ref(), Permission::ManageTeamRoles) {
        return Err(AppError::forbidden(Permission::ManageTeamRoles.id()).into());
    }
    state
        .store
        .team_member(team_id, user_id)
        .await?
        .filter(|m| m.delete_at == 0)
        .ok_or_else(|| {
            AppError::not_found(
                "app.team.get_member.missing.app_error",
                "No team member found.",
            )
        })?;
    let mut admin = false;
    for role in roles.split_whitespace() {
        match role {
            "team_user" => {}
            "team_admin" => admin = true,
            other => {
                return Err(AppError::bad_request(
                    "api.team.update_team_member_roles.invalid_role.app_error",
                    format!("{other} is not a team role. Allowed: team_user, team_admin."),
                )
                .into())
            }
        }
    }
    state
        .store
        .set_team_member_scheme_roles(team_id, user_id, admin, "")
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn team_names() {
        for good in ["ab", "team-1", "my__team", "a1b2"] {
            assert!(validate_team_name(good).is_ok(), "{good}");
        }
        for bad in [
            "a",
            "-ab",
            "ab-",
            "has space",
            "admins",
            "api-team",
            "a_b",
            &"a".repeat(65),
        ] {
            assert!(validate_team_name(bad).is_err(), "{bad}");
        }
        assert_eq!(validate_team_name("MyTeam").unwrap(), "myteam");
    }
}

#[cfg(test)]
mod domain_tests {
    use super::email_domain_allowed;

    #[test]
    fn allowed_domains_follow_mattermost() {
        assert!(email_domain_allowed("a@x.com", ""));
        assert!(email_domain_allowed("a@x.com", " "));
        assert!(email_domain_allowed("a@X.com", "y.org, @x.com"));
        assert!(!email_domain_allowed("a@sub.x.com", "x.com"));
        assert!(!email_domain_allowed("a@evilx.com", "x.com"));
    }
}
