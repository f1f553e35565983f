//! User accounts: sign-up, profile changes, roles, passwords, activation.

pub mod read;
pub mod search;

pub use crate::store::users::{UserFilter, UserSort};

use serde::Deserialize;
use townsquare_sdk::model::{default_notify_props, default_timezone, StringMap, User};
use townsquare_sdk::AppError;

use crate::app::auth::AuthContext;
use crate::app::first_run::{self, Claim};
use crate::app::permissions::{Permission, SYSTEM_ROLES};
use crate::app::validation;
use crate::config::Config;
use crate::error::Result;
use crate::id::new_id;
use crate::realtime::events;
use crate::serde_util::nullable;
use crate::state::AppState;
use crate::store::{is_unique_violation, StoreError};
use crate::time::now_ms;

pub const FIRST_USER_ROLES: &str = "system_admin system_user";
pub const DEFAULT_ROLES: &str = "system_user";

pub fn missing_account() -> AppError {
    AppError::not_found("app.user.missing_account.const", "Unable to find the user.")
}

/// The body of `POST /users`. Unknown fields are ignored and `null` means "not given".
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewUser {
    #[serde(deserialize_with = "nullable")]
    pub username: String,
    #[serde(deserialize_with = "nullable")]
    pub email: String,
    #[serde(deserialize_with = "nullable")]
    pub password: String,
    #[serde(deserialize_with = "nullable")]
    pub nickname: String,
    #[serde(deserialize_with = "nullable")]
    pub first_name: String,
    #[serde(deserialize_with = "nullable")]
    pub last_name: String,
    #[serde(deserialize_with = "nullable")]
    pub position: String,
    #[serde(deserialize_with = "nullable")]
    pub locale: String,
    #[schema(value_type = Option<std::collections::BTreeMap<String, String>>)]
    pub props: Option<StringMap>,
    #[schema(value_type = Option<std::collections::BTreeMap<String, String>>)]
    pub notify_props: Option<StringMap>,
    #[schema(value_type = Option<std::collections::BTreeMap<String, String>>)]
    pub timezone: Option<StringMap>,
    /// The setup code printed at start: claims a server without accounts from elsewhere than
    /// its own machine.
    #[serde(deserialize_with = "nullable")]
    pub setup_code: String,
}

/// Who is creating an account.
#[derive(Debug, Clone, Copy)]
pub enum Creator<'a> {
    /// Anonymous sign-up through the API, with what it brings to claim a fresh server.
    SignUp(Claim<'a>),
    /// A logged-in user (admins may always create accounts).
    User(&'a AuthContext),
    /// The command line, run by whoever can reach the database.
    Cli { system_admin: bool },
    /// Anonymous sign-up through a team's invite link (checked by the caller): allowed on a
    /// closed server.
    Invited,
}

fn validate_profile(user: &User) -> Result<(), AppError> {
    validation::profile_field("nickname", &user.nickname, 64)?;
    validation::profile_field("first_name", &user.first_name, 64)?;
    validation::profile_field("last_name", &user.last_name, 64)?;
    validation::profile_field("position", &user.position, 128)?;
    validation::profile_field("locale", &user.locale, 5)?;
    Ok(())
}

fn duplicate(err: &StoreError, username: &str) -> Option<AppError> {
    if !is_unique_violation(err) {
        return None;
    }
    let text = err.to_string();
    Some(if text.contains("username") {
        username_taken(username)
    } else {
        email_taken()
    })
}

fn username_taken(_username: &str) -> AppError {
    AppError::bad_request(
        "app.user.save.username_exists.app_error",
        "An account with that username already exists.",
    )
}

fn email_taken() -> AppError {
    AppError::bad_request(
        "app.user.save.email_exists.app_error",
        "An account with that email already exists.",
    )
}

/// Creates an account following Mattermost's sign-up rules: the first account becomes system
/// admin and may sign up while open sign-up is off; afterwards open sign-up follows
/// `TeamSettings.EnableOpenServer`; admins can always create users.
pub async fn create_user(state: &AppState, input: NewUser, creator: Creator<'_>) -> Result<User> {
    let config = state.config();
    let admin_creator = match creator {
        Creator::User(auth) => auth.can(Permission::ManageSystem),
        Creator::Cli { .. } => true,
        Creator::SignUp(_) | Creator::Invited => false,
    };
    let mut only_if_first = false;
    // Whether this caller may become the first account, the system admin.
    let mut may_claim = admin_creator;
    if !admin_creator {
        let first = state.store.count_users(true, true).await? == 0;
        if let Creator::SignUp(claim) = creator {
            match first_run::check(state, claim) {
                Err(refused) if first => return Err(refused.into()),
                checked => may_claim = checked.is_ok(),
            }
        }
        if !first {
            if !config.team.enable_user_creation {
                return Err(AppError::new(
                    403,
                    "api.user.create_user.disabled.app_error",
                    "User creation is disabled on this server.",
                )
                .into());
            }
            if !config.email.enable_sign_up_with_email {
                return Err(AppError::new(
                    403,
                    "api.user.create_user.signup_email_disabled.app_error",
                    "Sign-up with email is disabled on this server.",
                )
                .into());
            }
            // An invite link is what lets people join a closed server.
            if !config.team.enable_open_server && !matches!(creator, Creator::Invited) {
                return Err(no_open_server().into());
            }
        } else if !config.team.enable_open_server || !config.team.enable_user_creation {
            // Allowed only because it is the first account: the insert re-checks atomically.
            only_if_first = true;
        }
    }

    let username = validation::username(&input.username)?;
    let email = validation::email(&input.email)?;
    validation::password(&input.password, &config.password)?;
    let now = now_ms();
    let mut notify_props = default_notify_props();
    notify_props.extend(input.notify_props.unwrap_or_default());
    let roles = match creator {
        Creator::Cli { system_admin: true } => FIRST_USER_ROLES,
        _ => DEFAULT_ROLES,
    };
    let user = User {
        id: new_id(),
        create_at: now,
        update_at: now,
        username: username.clone(),
        email,
        nickname: input.nickname.trim().to_string(),
        first_name: input.first_name.trim().to_string(),
        last_name: input.last_name.trim().to_string(),
        position: input.position.trim().to_string(),
        roles: roles.to_string(),
        props: Some(input.props.unwrap_or_default()),
        notify_props: Some(notify_props),
        last_password_update: now,
        locale: if input.locale.is_empty() {
            "en".into()
        } else {
            input.locale
        },
        timezone: input.timezone.unwrap_or_else(default_timezone),
        ..Default::default()
    };
    validate_profile(&user)?;
    if state.store.user_by_username(&username).await?.is_some() {
        return Err(username_taken(&username).into());
    }
    if state.store.user_by_email(&user.email).await?.is_some() {
        return Err(email_taken().into());
    }
    // An enforced license caps active users (issue 4: Licensing).
    crate::app::licensing::check_seat_available(state).await?;
    let hash = state
        .hasher
        .hash(&input.password)
        .await
        .map_err(AppError::internal)?;
    let inserted = state
        .store
        .insert_user(
            &user,
            &hash,
            may_claim.then_some(FIRST_USER_ROLES),
            only_if_first,
        )
        .await
        .map_err(|err| match duplicate(&err, &username) {
            Some(app) => crate::Error::from(app),
            None => crate::Error::from(err),
        })?;
    let Some(created) = inserted else {
        return Err(no_open_server().into());
    };
    tracing::info!(user_id = %created.id, roles = %created.roles, "user created");
    state.setup_code.clear();
    state.realtime.publish(events::new_user(&created.id));
    Ok(created)
}

/// Signs up through a team's invite link (`POST /users?iid=`), as Mattermost does: the invite
/// id must be the team's current one (a regenerated id is refused like an unknown one), the
/// email must be in the team's `allowed_domains`, and the account is created even when open
/// sign-up is off, then joins the team and its default channels. Like Mattermost, the team's
/// `allow_open_invite` does not matter here: that setting is about joining without the link.
pub async fn create_user_with_invite(
    state: &AppState,
    input: NewUser,
    invite_id: &str,
) -> Result<User> {
    let team = if crate::id::is_valid_id(invite_id) {
        state.store.team_by_invite_id(invite_id).await?
    } else {
        None
    };
    // An archived team's link no longer admits anyone.
    let team = team.filter(|t| t.delete_at == 0).ok_or_else(|| {
        AppError::not_found(
            "app.team.get_by_invite_id.finding.app_error",
            "Unable to find the existing team.",
        )
    })?;
    let email = validation::email(&input.email)?;
    if !crate::app::teams::email_domain_allowed(&email, &team.allowed_domains) {
        return Err(AppError::new(
            403,
            "api.team.invite_members.invalid_email.app_error",
            format!(
                "The email address is not in an accepted domain: {}.",
                team.allowed_domains
            ),
        )
        .into());
    }
    let created = create_user(state, input, Creator::Invited).await?;
    crate::app::teams::join(state, &created, &team, std::slice::from_ref(&created.id)).await?;
    tracing::info!(user_id = %created.id, team_id = %team.id, "signed up through an invite link");
    Ok(created)
}

/// `POST /users?t=`: Mattermost's email invitation tokens. Townsquare sends no email
/// invitations (there is no token table), so no token can be valid.
pub fn signup_link_invalid() -> AppError {
    AppError::bad_request(
        "api.user.create_user.signup_link_invalid.app_error",
        "The signup link does not appear to be valid.",
    )
}

fn no_open_server() -> AppError {
    AppError::new(
        403,
        "api.user.create_user.no_open_server",
        "This server does not allow open signups. Please speak with your Administrator to receive an invitation.",
    )
    // Shown in developer mode, where a new admin trying the server most likely hits this.
    .with_detail(
        "the first account is created this way only on an empty server; an administrator can \
         create accounts with `townsquare user create` (add --system-admin for an admin), send \
         a team invite link, or set TeamSettings.EnableOpenServer",
    )
}

/// What a viewer may see of a user. The password hash is never in `User` at all.
pub fn sanitize_for(viewer: Option<&AuthContext>, mut user: User, config: &Config) -> User {
    let is_self = viewer.is_some_and(|v| v.user_id() == user.id);
    let is_admin = viewer.is_some_and(|v| v.can(Permission::ManageSystem));
    if is_self || is_admin {
        return user;
    }
    if !config.privacy.show_email_address {
        user.email.clear();
    }
    if !config.privacy.show_full_name {
        user.first_name.clear();
        user.last_name.clear();
    }
    user.notify_props = None;
    user.auth_data = Some(String::new());
    user.last_password_update = 0;
    user.failed_attempts = 0;
    user.terms_of_service_id.clear();
    user.terms_of_service_create_at = 0;
    user
}

/// The body of `PUT /users/{id}/patch` (every field optional).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct UserPatch {
    pub username: Option<String>,
    pub password: Option<String>,
    pub nickname: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub position: Option<String>,
    pub email: Option<String>,
    #[schema(value_type = Option<std::collections::BTreeMap<String, String>>)]
    pub props: Option<StringMap>,
    #[schema(value_type = Option<std::collections::BTreeMap<String, String>>)]
    pub notify_props: Option<StringMap>,
    pub locale: Option<String>,
    #[schema(value_type = Option<std::collections::BTreeMap<String, String>>)]
    pub timezone: Option<StringMap>,
}

/// Applies a patch. Users edit themselves; editing others needs `edit_other_users`. Changing
/// one's own email requires the current password.
pub async fn patch_user(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    patch: UserPatch,
) -> Result<User> {
    if auth.user_id() != user_id {
        auth.require(Permission::EditOtherUsers)?;
    }
    let mut user = state
        .store
        .user(user_id)
        .await?
        .ok_or_else(missing_account)?;
    if let Some(username) = patch.username.filter(|u| !u.is_empty()) {
        let username = validation::username(&username)?;
        if username != user.username {
            if state.store.user_by_username(&username).await?.is_some() {
                return Err(username_taken(&username).into());
            }
            user.username = username;
        }
    }
    if let Some(email) = patch.email.filter(|e| !e.is_empty()) {
        let email = validation::email(&email)?;
        if email != user.email {
            if !auth.can(Permission::ManageSystem) {
                let hash = state
                    .store
                    .password_hash(&user.id)
                    .await?
                    .unwrap_or_default();
                let given = patch.password.as_deref().unwrap_or("");
                if given.is_empty() || !state.hasher.verify(given, &hash).await {
                    return Err(AppError::bad_request(
                        "api.user.patch_user.email_requires_password.app_error",
                        "Enter your current password to change your email address.",
                    )
                    .into());
                }
            }
            if state.store.user_by_email(&email).await?.is_some() {
                return Err(email_taken().into());
            }
            user.email = email;
            user.email_verified = false;
        }
    }
    for (field, value) in [
        (&mut user.nickname, patch.nickname),
        (&mut user.first_name, patch.first_name),
        (&mut user.last_name, patch.last_name),
        (&mut user.position, patch.position),
        (&mut user.locale, patch.locale),
    ] {
        if let Some(value) = value {
            *field = value.trim().to_string();
        }
    }
    if let Some(props) = patch.props {
        user.props = Some(props);
    }
    if let Some(notify) = patch.notify_props {
        let mut merged = user
            .notify_props
            .take()
            .unwrap_or_else(default_notify_props);
        merged.extend(notify);
        user.notify_props = Some(merged);
    }
    if let Some(timezone) = patch.timezone {
        user.timezone = timezone;
    }
    validate_profile(&user)?;
    user.update_at = now_ms();
    let username = user.username.clone();
    state
        .store
        .update_user_profile(&user)
        .await
        .map_err(|err| match duplicate(&err, &username) {
            Some(app) => crate::Error::from(app),
            None => crate::Error::from(err),
        })?;
    publish_user_updated(state, &user);
    Ok(user)
}

/// `user_updated` to everyone, with what an anonymous viewer may see.
pub(crate) fn publish_user_updated(state: &AppState, user: &User) {
    let public = sanitize_for(None, user.clone(), &state.config());
    state.realtime.publish(events::user_updated(&public));
}

/// Replaces a user's system roles (system admins only). The last active system admin cannot
/// lose the role: that would leave nobody able to administer the server.
pub async fn update_roles(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    roles: &str,
) -> Result<User> {
    auth.require(Permission::ManageRoles)?;
    let user = state
        .store
        .user(user_id)
        .await?
        .ok_or_else(missing_account)?;
    let mut list: Vec<&str> = Vec::new();
    for role in roles.split_whitespace() {
        if !SYSTEM_ROLES.contains(&role) {
            return Err(AppError::bad_request(
                "api.user.update_user_roles.invalid_role.app_error",
                format!(
                    "{role} is not a system role. Allowed: {}.",
                    SYSTEM_ROLES.join(", ")
                ),
            )
            .into());
        }
        if !list.contains(&role) {
            list.push(role);
        }
    }
    if !list.contains(&"system_user") && !list.contains(&"system_guest") {
        return Err(AppError::bad_request(
            "api.user.update_user_roles.missing_base_role.app_error",
            "Roles must include system_user (or system_guest).",
        )
        .into());
    }
    if user.is_system_admin()
        && !list.contains(&"system_admin")
        && last_active_admin(state, &user).await?
    {
        return Err(last_admin_error().into());
    }
    let roles = list.join(" ");
    state
        .store
        .update_user_roles(user_id, &roles, now_ms())
        .await?;
    state
        .realtime
        .publish(events::user_role_updated(user_id, &roles));
    Ok(User { roles, ..user })
}

fn last_admin_error() -> AppError {
    AppError::bad_request(
        "api.user.last_system_admin.app_error",
        "This is the last active system admin; promote another user first.",
    )
}

async fn last_active_admin(state: &AppState, user: &User) -> Result<bool> {
    if !user.is_system_admin() || !user.is_active() {
        return Ok(false);
    }
    let filter = crate::store::users::UserFilter {
        active: Some(true),
        role: Some("system_admin".into()),
        ..Default::default()
    };
    let admins = state.store.list_users(&filter, 0, 2).await?;
    Ok(admins.len() <= 1)
}

/// Changes a password. Users must give their current password; admins changing someone
/// else's need not. Every session and access token of the user is revoked.
pub async fn change_password(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    current: &str,
    new_password: &str,
) -> Result<()> {
    let is_self = auth.user_id() == user_id;
    if !is_self {
        auth.require(Permission::EditOtherUsers)?;
    }
    let user = state
        .store
        .user(user_id)
        .await?
        .ok_or_else(missing_account)?;
    if is_self {
        if current.is_empty() {
            return Err(AppError::invalid_body_param("current_password").into());
        }
        let hash = state
            .store
            .password_hash(user_id)
            .await?
            .unwrap_or_default();
        if !state.hasher.verify(current, &hash).await {
            return Err(AppError::bad_request(
                "api.user.check_user_password.invalid.app_error",
                "Login failed because of invalid password.",
            )
            .into());
        }
    }
    validation::password(new_password, &state.config().password)?;
    let hash = state
        .hasher
        .hash(new_password)
        .await
        .map_err(AppError::internal)?;
    state
        .store
        .update_password_and_revoke(&user.id, &hash, now_ms())
        .await?;
    state.store.clear_login_attempts_for_user(&user.id).await?;
    state.realtime.close_user(&user.id);
    tracing::info!(user_id = %user.id, by = %auth.user_id(), "password changed; sessions revoked");
    Ok(())
}

/// Deactivates or reactivates a user. Users may deactivate themselves; everything else needs
/// `edit_other_users`. Deactivation revokes every session and token at once.
pub async fn set_active(
    state: &AppState,
    auth: &AuthContext,
    user_id: &str,
    active: bool,
) -> Result<User> {
    let is_self = auth.user_id() == user_id;
    // Users may deactivate themselves; anything else needs edit_other_users.
    if !is_self || active {
        auth.require(Permission::EditOtherUsers)?;
    }
    let user = state
        .store
        .user(user_id)
        .await?
        .ok_or_else(missing_account)?;
    if !active && last_active_admin(state, &user).await? {
        return Err(last_admin_error().into());
    }
    if user.is_active() == active {
        return Ok(user);
    }
    if active && !user.is_bot {
        // Reactivation takes a seat of an enforced license (issue 4: Licensing).
        crate::app::licensing::check_seat_available(state).await?;
    }
    let now = now_ms();
    state.store.set_user_active(user_id, active, now).await?;
    tracing::info!(user_id, active, by = %auth.user_id(), "user activation changed");
    if !active {
        state.realtime.close_user(user_id);
    }
    let user = state
        .store
        .user(user_id)
        .await?
        .ok_or_else(missing_account)?;
    publish_user_updated(state, &user);
    Ok(user)
}
